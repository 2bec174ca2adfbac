//! Covert checks (四不两直, BRIEF §3): a sealed plan, the visit, the problems found, and the
//! handovers (交办) of those problems to the county government or department that should have
//! caught them.
//!
//! A plan is **sealed** until its visit is recorded: only its planning team and the city
//! leadership (the city office of the plan's city) know it exists. Recording the visit
//! **unseals** it for the regions concerned. A handover goes open → answered → accepted, or is
//! returned (answered → open) to be answered again; overdue handovers climb the same
//! escalation ladder as hazards.

use crate::hazard::{self, Escalation};
use jiff::civil::Date;

/// Where a covert plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Planned; invisible outside the planning team and the city leadership.
    Sealed,
    /// Visit recorded; visible to the regions concerned.
    Done,
}

/// Where a handover is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverStatus {
    /// Waiting for the responsible body's answer.
    Open,
    /// Answered; waiting for the city office to accept or return it.
    Answered,
    /// Accepted by the city office: the handover is closed.
    Accepted,
}

/// A step in a handover's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverAction {
    /// The body says what it did.
    Answer,
    /// The city office accepts the answer (closes the handover).
    Accept,
    /// The city office returns the answer with a reason.
    Return,
}

/// Every handover action, for exhaustive tests and forms.
pub const HANDOVER_ACTIONS: [HandoverAction; 3] =
    [HandoverAction::Answer, HandoverAction::Accept, HandoverAction::Return];
/// Every handover status.
pub const HANDOVER_STATUSES: [HandoverStatus; 3] =
    [HandoverStatus::Open, HandoverStatus::Answered, HandoverStatus::Accepted];

names!(PlanStatus, Sealed => "sealed", Done => "done");
names!(HandoverStatus, Open => "open", Answered => "answered", Accepted => "accepted");
names!(HandoverAction, Answer => "answer", Accept => "accept", Return => "return");

/// Why a handover step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a handover that is {from} cannot be {action}ed", from = .from.as_str(), action = .action.as_str())]
pub struct HandoverError {
    /// Current status.
    pub from: HandoverStatus,
    /// Refused action.
    pub action: HandoverAction,
}

/// The status after `action`, or why it is refused. The whole life cycle is this table.
pub fn transition(from: HandoverStatus, action: HandoverAction) -> Result<HandoverStatus, HandoverError> {
    use HandoverAction as A;
    use HandoverStatus as S;
    match (from, action) {
        (S::Open, A::Answer) => Ok(S::Answered),
        (S::Answered, A::Accept) => Ok(S::Accepted),
        (S::Answered, A::Return) => Ok(S::Open),
        _ => Err(HandoverError { from, action }),
    }
}

impl HandoverStatus {
    /// Whether the handover still waits for something.
    pub fn is_open(self) -> bool {
        self != Self::Accepted
    }
}

/// Days an unfinished handover is past its deadline on `today` (0 otherwise).
pub fn days_overdue(status: HandoverStatus, deadline: Date, today: Date) -> i64 {
    if !status.is_open() || today <= deadline { 0 } else { (today - deadline).get_days().into() }
}

/// The escalation rung of a handover on `today` (the hazard ladder: reminder, supervision
/// letter, listing, interview).
pub fn escalation(status: HandoverStatus, deadline: Date, today: Date) -> Escalation {
    hazard::rung(days_overdue(status, deadline, today))
}

/// Whether a problem is handled (closed, BRIEF §9 "problems handled"): its hazard, if it has
/// one, is verified or closed, and its handover, if it has one, is accepted.
pub fn problem_handled(hazard: Option<hazard::Status>, handover: Option<HandoverStatus>) -> bool {
    hazard.is_none_or(|s| !s.is_open()) && handover.is_none_or(|s| !s.is_open())
}

/// The stratum label of a covert draw's candidates: one stratum, "high risk" (risk major or
/// high, or with an overdue major hazard), drawn from with the spot-check algorithm.
pub const DRAW_STRATUM: &str = "high_risk";

/// The draw kind written into a covert draw's record.
pub const DRAW_KIND: &str = "covert_check";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_action_pair_is_decided_by_the_table() {
        use HandoverAction as A;
        use HandoverStatus as S;
        let allowed = [
            (S::Open, A::Answer, S::Answered),
            (S::Answered, A::Accept, S::Accepted),
            (S::Answered, A::Return, S::Open),
        ];
        for from in HANDOVER_STATUSES {
            for action in HANDOVER_ACTIONS {
                let expected = allowed.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to);
                match expected {
                    Some(to) => assert_eq!(transition(from, action), Ok(to)),
                    None => assert_eq!(transition(from, action), Err(HandoverError { from, action })),
                }
            }
        }
        assert_eq!(
            transition(S::Accepted, A::Answer).unwrap_err().to_string(),
            "a handover that is accepted cannot be answered"
        );
    }

    #[test]
    fn overdue_handovers_climb_the_ladder_until_accepted() {
        let deadline: Date = "2026-11-01".parse().unwrap();
        let day = |d: &str| d.parse::<Date>().unwrap();
        assert_eq!(escalation(HandoverStatus::Open, deadline, day("2026-11-01")), Escalation::None);
        assert_eq!(escalation(HandoverStatus::Open, deadline, day("2026-11-02")), Escalation::Reminder);
        assert_eq!(escalation(HandoverStatus::Answered, deadline, day("2026-11-09")), Escalation::SupervisionLetter);
        assert_eq!(escalation(HandoverStatus::Open, deadline, day("2026-12-02")), Escalation::Interview);
        assert_eq!(escalation(HandoverStatus::Accepted, deadline, day("2026-12-02")), Escalation::None);
        assert_eq!(days_overdue(HandoverStatus::Open, deadline, day("2026-11-09")), 8);
    }

    #[test]
    fn a_problem_is_handled_when_each_of_its_parts_is() {
        use crate::hazard::Status as H;
        assert!(problem_handled(Some(H::Closed), Some(HandoverStatus::Accepted)));
        assert!(problem_handled(Some(H::Verified), None));
        assert!(problem_handled(None, Some(HandoverStatus::Accepted)));
        assert!(!problem_handled(Some(H::Submitted), Some(HandoverStatus::Accepted)));
        assert!(!problem_handled(Some(H::Closed), Some(HandoverStatus::Answered)));
    }
}
