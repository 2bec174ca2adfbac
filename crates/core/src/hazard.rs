//! Accident hazards (事故隐患) and their life until close-out (销号), BRIEF §4.
//!
//! The life-cycle is one table ([`transition`]): reported → assigned → rectifying →
//! rectification submitted → verified → closed, with a failed verification going back to
//! rectifying. Anything else is refused with [`HazardError::IllegalTransition`]. Past its
//! deadline an open hazard is overdue and climbs the escalation ladder ([`escalation`]).

use jiff::civil::Date;

/// Grade of a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 一般隐患: can be fixed at once.
    General,
    /// 重大隐患: needs suspension or outside help; judged against a national criterion.
    Major,
}

/// Where a hazard was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 企业自查.
    SelfCheck,
    /// 部门检查.
    DepartmentInspection,
    /// 双随机抽查.
    SpotCheck,
    /// 暗查暗访.
    CovertCheck,
    /// 交叉互查.
    CrossInspection,
    /// 督导.
    Guidance,
    /// 群众举报.
    PublicReport,
    /// 事故调查.
    AccidentInvestigation,
}

/// Every source, for forms and filters.
pub const SOURCES: [Source; 8] = [
    Source::SelfCheck,
    Source::DepartmentInspection,
    Source::SpotCheck,
    Source::CovertCheck,
    Source::CrossInspection,
    Source::Guidance,
    Source::PublicReport,
    Source::AccidentInvestigation,
];

/// Where a hazard is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded, not yet assigned.
    Reported,
    /// Responsible unit and person named, rectification ordered.
    Assigned,
    /// Being rectified.
    Rectifying,
    /// The enterprise reports it fixed, with evidence.
    Submitted,
    /// Checked on site and found fixed.
    Verified,
    /// Closed out (销号).
    Closed,
}

/// Every status, in life order.
pub const STATUSES: [Status; 6] =
    [Status::Reported, Status::Assigned, Status::Rectifying, Status::Submitted, Status::Verified, Status::Closed];

/// What someone does to a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Name the responsible unit and person and order rectification (office).
    Assign,
    /// Start rectifying (enterprise or office).
    StartRectifying,
    /// Report the rectification done, with after-photos and a note (enterprise or office).
    SubmitRectification,
    /// Verification on site found it fixed (office or inspector).
    Verify,
    /// Verification failed: back to rectifying, with a reason (office or inspector).
    Reject,
    /// Close out (销号) (office).
    Close,
}

/// Every action.
pub const ACTIONS: [Action; 6] = [
    Action::Assign,
    Action::StartRectifying,
    Action::SubmitRectification,
    Action::Verify,
    Action::Reject,
    Action::Close,
];

names!(Grade, General => "general", Major => "major");
names!(Source, SelfCheck => "self_check", DepartmentInspection => "department_inspection", SpotCheck => "spot_check",
    CovertCheck => "covert_check", CrossInspection => "cross_inspection", Guidance => "guidance",
    PublicReport => "public_report", AccidentInvestigation => "accident_investigation");
names!(Status, Reported => "reported", Assigned => "assigned", Rectifying => "rectifying", Submitted => "submitted",
    Verified => "verified", Closed => "closed");
names!(Action, Assign => "assign", StartRectifying => "start_rectifying", SubmitRectification => "submit_rectification",
    Verify => "verify", Reject => "reject", Close => "close");

/// Why a hazard change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HazardError {
    /// The action is not possible in the current status.
    #[error("cannot {action} a hazard that is {from}")]
    IllegalTransition {
        /// Current status.
        from: &'static str,
        /// Refused action.
        action: &'static str,
    },
}

/// The status after `action`, or why it is refused. This is the whole life-cycle.
pub fn transition(from: Status, action: Action) -> Result<Status, HazardError> {
    use Action as A;
    use Status as S;
    let to = match (from, action) {
        (S::Reported, A::Assign) => S::Assigned,
        (S::Assigned, A::StartRectifying) => S::Rectifying,
        // Rectifying at once counts as starting: a general hazard is often fixed on the spot.
        (S::Assigned | S::Rectifying, A::SubmitRectification) => S::Submitted,
        (S::Submitted, A::Verify) => S::Verified,
        (S::Submitted, A::Reject) => S::Rectifying,
        (S::Verified, A::Close) => S::Closed,
        _ => return Err(HazardError::IllegalTransition { from: from.as_str(), action: action.as_str() }),
    };
    Ok(to)
}

impl Status {
    /// Whether the hazard still needs work (and can be overdue).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Verified | Status::Closed)
    }
}

/// The escalation ladder for an overdue hazard (BRIEF §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// Not overdue.
    None,
    /// 1-7 days overdue: a reminder to the responsible unit.
    Reminder,
    /// 8-15 days: a supervision letter (督办函).
    SupervisionLetter,
    /// 16-30 days: listed for supervision (挂牌督办).
    Listing,
    /// More than 30 days: the responsible person is summoned for an interview (约谈).
    Interview,
}

names!(Escalation, None => "none", Reminder => "reminder", SupervisionLetter => "supervision_letter",
    Listing => "listing", Interview => "interview");

/// Days past the deadline at which each rung starts (a local rule; BRIEF §4 names the rungs
/// but not the days; docs/DOMAIN.md).
pub const LADDER_DAYS: [(i64, Escalation); 4] = [
    (1, Escalation::Reminder),
    (8, Escalation::SupervisionLetter),
    (16, Escalation::Listing),
    (31, Escalation::Interview),
];

/// Days an open hazard is past its deadline on `today` (0 if not overdue or no longer open).
pub fn days_overdue(status: Status, deadline: Date, today: Date) -> i64 {
    if !status.is_open() || today <= deadline {
        return 0;
    }
    (today - deadline).get_days().into()
}

/// The rung of the ladder an open hazard is on, `today` (Asia/Shanghai calendar date).
pub fn escalation(status: Status, deadline: Date, today: Date) -> Escalation {
    rung(days_overdue(status, deadline, today))
}

/// The rung of the ladder for anything `days` past its deadline (hazards, handovers, guidance
/// issues: one ladder for everything the offices chase).
pub fn rung(days: i64) -> Escalation {
    LADDER_DAYS.iter().rev().find(|(from, _)| days >= *from).map(|(_, e)| *e).unwrap_or(Escalation::None)
}

/// Listed supervision level (挂牌督办).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListedLevel {
    /// 县级.
    County,
    /// 市级.
    City,
    /// 省级.
    Province,
}

names!(ListedLevel, County => "county", City => "city", Province => "province");

/// The five implementations of a major hazard (五落实).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FiveImplementations {
    /// 责任落实: who is responsible.
    pub responsibility: String,
    /// 措施落实: the measures.
    pub measures: String,
    /// 资金落实: funds in yuan.
    pub funds_yuan: i64,
    /// 时限落实: deadline (YYYY-MM-DD).
    pub deadline: String,
    /// 预案落实: contingency plan.
    pub contingency_plan: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const LEGAL: [(Status, Action, Status); 7] = [
        (Status::Reported, Action::Assign, Status::Assigned),
        (Status::Assigned, Action::StartRectifying, Status::Rectifying),
        (Status::Assigned, Action::SubmitRectification, Status::Submitted),
        (Status::Rectifying, Action::SubmitRectification, Status::Submitted),
        (Status::Submitted, Action::Verify, Status::Verified),
        (Status::Submitted, Action::Reject, Status::Rectifying),
        (Status::Verified, Action::Close, Status::Closed),
    ];

    #[test]
    fn every_legal_transition_goes_where_the_brief_says_and_every_other_is_refused() {
        for from in STATUSES {
            for action in ACTIONS {
                let expected = LEGAL.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to);
                match (transition(from, action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want),
                    (Err(HazardError::IllegalTransition { from: f, action: a }), None) => {
                        assert_eq!((f, a), (from.as_str(), action.as_str()));
                    }
                    (got, want) => panic!("{from:?} --{action:?}--> {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn a_closed_hazard_accepts_nothing() {
        assert!(ACTIONS.iter().all(|a| transition(Status::Closed, *a).is_err()));
    }

    proptest! {
        #[test]
        fn random_action_sequences_never_leave_the_life_cycle(actions in proptest::collection::vec(0usize..6, 0..60)) {
            let mut status = Status::Reported;
            let mut closed_seen = false;
            for i in actions {
                match transition(status, ACTIONS[i]) {
                    Ok(next) => {
                        prop_assert!(!closed_seen, "nothing happens after close-out");
                        prop_assert!(LEGAL.iter().any(|(f, a, t)| *f == status && *a == ACTIONS[i] && *t == next));
                        status = next;
                        closed_seen |= status == Status::Closed;
                    }
                    Err(_) => prop_assert!(!LEGAL.iter().any(|(f, a, _)| *f == status && *a == ACTIONS[i])),
                }
            }
            // A hazard is only closed after it was verified.
            if status == Status::Closed { prop_assert!(closed_seen); }
        }
    }

    #[test]
    fn the_ladder_climbs_with_each_day_past_the_deadline() {
        let deadline = date(2023, 9, 30);
        let on = |d| escalation(Status::Rectifying, deadline, d);
        assert_eq!(on(date(2023, 9, 30)), Escalation::None, "due today is not overdue");
        assert_eq!(on(date(2023, 10, 1)), Escalation::Reminder);
        assert_eq!(on(date(2023, 10, 7)), Escalation::Reminder);
        assert_eq!(on(date(2023, 10, 8)), Escalation::SupervisionLetter);
        assert_eq!(on(date(2023, 10, 16)), Escalation::Listing);
        assert_eq!(on(date(2023, 10, 30)), Escalation::Listing, "30 days");
        assert_eq!(on(date(2023, 10, 31)), Escalation::Interview, "31 days");
        assert_eq!(escalation(Status::Verified, deadline, date(2024, 1, 1)), Escalation::None, "fixed is not overdue");
        assert_eq!(days_overdue(Status::Submitted, deadline, date(2023, 10, 10)), 10);
    }

    #[test]
    fn names_round_trip() {
        for s in STATUSES {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for s in SOURCES {
            assert_eq!(Source::parse(s.as_str()), Some(s));
        }
        for a in ACTIONS {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
    }
}
