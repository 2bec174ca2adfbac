//! Administrative penalty cases (行政处罚), BRIEF §5: the case's life, the hearing right, and
//! the deadline each step leaves, counted in working days on the official calendar.
//!
//! filed → investigated → notified (notice of intended penalty: statement or defence within 3
//! working days; a hearing may be requested within 5 where the penalty gives that right) →
//! [hearing] → decided → served → executed → closed.

use crate::calendar::WorkCalendar;
use jiff::civil::Date;

/// Penalty types of BRIEF §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyType {
    /// 警告.
    Warning,
    /// 罚款.
    Fine,
    /// 没收违法所得.
    Confiscation,
    /// 责令改正 / 限期改正.
    OrderToCorrect,
    /// 责令停产停业整顿.
    Suspension,
    /// 暂扣许可证.
    LicenceSuspension,
    /// 吊销许可证.
    LicenceRevocation,
    /// 关闭.
    Closure,
}

/// A case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 立案.
    Filed,
    /// 调查取证完毕.
    Investigated,
    /// 已告知拟处罚（陈述申辩期）.
    Notified,
    /// 听证.
    Hearing,
    /// 作出决定.
    Decided,
    /// 已送达.
    Served,
    /// 已执行.
    Executed,
    /// 结案.
    Closed,
}

/// A step in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    /// Finish the investigation.
    Investigate,
    /// Serve the notice of intended penalty.
    Notify,
    /// The party requests a hearing (only with a hearing right).
    RequestHearing,
    /// Decide.
    Decide,
    /// Serve the decision.
    Serve,
    /// Record execution (fine paid, order carried out).
    Execute,
    /// Close the case.
    Close,
}

/// Why a case step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// Not possible in the current status.
    #[error("cannot {action:?} a case that is {from:?}")]
    IllegalTransition {
        /// Current status.
        from: CaseStatus,
        /// Refused action.
        action: CaseAction,
    },
    /// A hearing was requested but the penalty gives no hearing right.
    #[error("this penalty gives no right to a hearing")]
    NoHearingRight,
}

/// The status after `action`.
pub fn transition(from: CaseStatus, action: CaseAction, hearing_right: bool) -> Result<CaseStatus, CaseError> {
    use CaseAction as A;
    use CaseStatus as S;
    Ok(match (from, action) {
        (S::Filed, A::Investigate) => S::Investigated,
        (S::Investigated, A::Notify) => S::Notified,
        (S::Notified, A::RequestHearing) if hearing_right => S::Hearing,
        (S::Notified, A::RequestHearing) => return Err(CaseError::NoHearingRight),
        (S::Notified | S::Hearing, A::Decide) => S::Decided,
        (S::Decided, A::Serve) => S::Served,
        (S::Served, A::Execute) => S::Executed,
        (S::Executed, A::Close) => S::Closed,
        _ => return Err(CaseError::IllegalTransition { from, action }),
    })
}

/// A fine on an organisation from this amount (fen) up gives the right to a hearing: ¥100,000,
/// the usual provincial threshold for "a larger fine" (较大数额罚款) on a unit.
pub const HEARING_FINE_FEN: i64 = 100_000 * 100;

/// Whether the intended penalty gives the party a right to a hearing (Administrative Penalty
/// Law art. 63): a larger fine, suspension, licence suspension or revocation, or closure.
pub fn hearing_right(types: &[PenaltyType], fine_fen: i64) -> bool {
    types.iter().any(|t| {
        matches!(
            t,
            PenaltyType::Suspension
                | PenaltyType::LicenceSuspension
                | PenaltyType::LicenceRevocation
                | PenaltyType::Closure
        )
    }) || (types.contains(&PenaltyType::Fine) && fine_fen >= HEARING_FINE_FEN)
}

/// Working days the party has after the notice to state a defence.
pub const STATEMENT_WORKING_DAYS: u32 = 3;
/// Working days the party has after the notice to request a hearing.
pub const HEARING_REQUEST_WORKING_DAYS: u32 = 5;
/// Working days within which a decision is published ("one public", BRIEF §5).
pub const PUBLISH_WORKING_DAYS: u32 = 7;
/// Working days within which a decision is served.
pub const SERVE_WORKING_DAYS: u32 = 7;
/// Working days within which a fine is paid or the decision carried out.
pub const EXECUTE_WORKING_DAYS: u32 = 15;

/// The deadline the current status sets, counted from the day the status was reached; `None`
/// where the law sets none for the office.
pub fn deadline(status: CaseStatus, since: Date, hearing_right: bool, calendar: &WorkCalendar) -> Option<Date> {
    let days = match status {
        CaseStatus::Notified if hearing_right => HEARING_REQUEST_WORKING_DAYS,
        CaseStatus::Notified => STATEMENT_WORKING_DAYS,
        CaseStatus::Decided => SERVE_WORKING_DAYS,
        CaseStatus::Served => EXECUTE_WORKING_DAYS,
        _ => return None,
    };
    Some(calendar.add_working_days(since, days))
}

/// The last day a decision made on `decided_on` may be published.
pub fn publish_by(decided_on: Date, calendar: &WorkCalendar) -> Date {
    calendar.add_working_days(decided_on, PUBLISH_WORKING_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const STATUSES: [CaseStatus; 8] = [
        CaseStatus::Filed,
        CaseStatus::Investigated,
        CaseStatus::Notified,
        CaseStatus::Hearing,
        CaseStatus::Decided,
        CaseStatus::Served,
        CaseStatus::Executed,
        CaseStatus::Closed,
    ];
    const ACTIONS: [CaseAction; 7] = [
        CaseAction::Investigate,
        CaseAction::Notify,
        CaseAction::RequestHearing,
        CaseAction::Decide,
        CaseAction::Serve,
        CaseAction::Execute,
        CaseAction::Close,
    ];

    #[test]
    fn the_case_goes_only_the_way_the_law_sets() {
        let legal = [
            (CaseStatus::Filed, CaseAction::Investigate, CaseStatus::Investigated),
            (CaseStatus::Investigated, CaseAction::Notify, CaseStatus::Notified),
            (CaseStatus::Notified, CaseAction::RequestHearing, CaseStatus::Hearing),
            (CaseStatus::Notified, CaseAction::Decide, CaseStatus::Decided),
            (CaseStatus::Hearing, CaseAction::Decide, CaseStatus::Decided),
            (CaseStatus::Decided, CaseAction::Serve, CaseStatus::Served),
            (CaseStatus::Served, CaseAction::Execute, CaseStatus::Executed),
            (CaseStatus::Executed, CaseAction::Close, CaseStatus::Closed),
        ];
        for from in STATUSES {
            for action in ACTIONS {
                let want = legal.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, t)| *t);
                assert_eq!(transition(from, action, true).ok(), want, "{from:?} {action:?}");
            }
        }
        assert_eq!(transition(CaseStatus::Notified, CaseAction::RequestHearing, false), Err(CaseError::NoHearingRight));
    }

    #[test]
    fn larger_fines_and_heavier_penalties_give_a_hearing_right() {
        assert!(!hearing_right(&[PenaltyType::Warning], 0));
        assert!(!hearing_right(&[PenaltyType::Fine], HEARING_FINE_FEN - 1));
        assert!(hearing_right(&[PenaltyType::Fine], HEARING_FINE_FEN));
        assert!(hearing_right(&[PenaltyType::Warning, PenaltyType::Suspension], 0));
        assert!(hearing_right(&[PenaltyType::LicenceRevocation], 0));
    }

    #[test]
    fn deadlines_count_working_days_across_the_2023_national_day_holiday() {
        let c = WorkCalendar::parse(include_str!("../../../data/calendar-cn.csv")).unwrap();
        let notified = date(2023, 9, 28);
        assert_eq!(
            deadline(CaseStatus::Notified, notified, false, &c),
            Some(date(2023, 10, 9)),
            "3 working days: Oct 7, 8, 9"
        );
        assert_eq!(deadline(CaseStatus::Notified, notified, true, &c), Some(date(2023, 10, 11)), "5 working days");
        assert_eq!(
            publish_by(date(2023, 9, 27), &c),
            date(2023, 10, 12),
            "7 working days: Sep 28, Oct 7, 8, 9, 10, 11, 12"
        );
        assert_eq!(deadline(CaseStatus::Filed, notified, false, &c), None);
    }
}
