//! Officers (执法人员): the people drawn for inspections.

use crate::enterprise::RegisterStatus;
use crate::region::RegionCode;
use jiff::civil::Date;
use std::fmt;

/// Why a string is not a badge number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a badge number is 2-32 letters, digits or '-', got '{0}'")]
pub struct BadgeNoError(pub String);

/// A law-enforcement certificate (badge) number. Upper-cased; letters, digits and `-` only,
/// so it is safe as a draw id (spec §2 forbids `,` `;` `:`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct BadgeNo(String);

impl BadgeNo {
    /// Parses a badge number.
    pub fn parse(input: &str) -> Result<Self, BadgeNoError> {
        let s = input.trim().to_ascii_uppercase();
        let ok = (2..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok { Ok(Self(s)) } else { Err(BadgeNoError(input.to_owned())) }
    }

    /// The badge number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BadgeNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated officer record, not yet saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOfficer {
    /// Badge number: the key users quote.
    pub badge_no: BadgeNo,
    /// Full name.
    pub name: String,
    /// Unit (e.g. 霍邱县应急管理局).
    pub unit: String,
    /// Department code (reference data).
    pub department: String,
    /// Jurisdiction.
    pub region: RegionCode,
    /// Last day the law-enforcement certificate is valid.
    pub cert_valid_until: Date,
    /// In service or not.
    pub status: RegisterStatus,
}

/// A saved officer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Officer {
    /// Application-generated id.
    pub id: String,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Badge number.
    pub badge_no: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Department code.
    pub department: String,
    /// Region code.
    pub region_code: String,
    /// Certificate valid until (YYYY-MM-DD).
    pub cert_valid_until: String,
    /// Status.
    pub status: RegisterStatus,
}

impl Officer {
    /// Whether the officer may be drawn on `today`: in service with a valid certificate.
    pub fn is_certified_on(&self, today: Date) -> bool {
        self.status == RegisterStatus::Active && self.cert_valid_until.as_str() >= today.to_string().as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_numbers_are_normalised_and_checked() {
        assert_eq!(BadgeNo::parse(" ah-0001 ").unwrap().as_str(), "AH-0001");
        assert!(BadgeNo::parse("AH,0001").is_err());
        assert!(BadgeNo::parse("A").is_err());
    }

    #[test]
    fn certification_ends_after_the_last_valid_day() {
        let o = Officer {
            id: "1".into(),
            version: 1,
            badge_no: "AH-1".into(),
            name: "n".into(),
            unit: "u".into(),
            department: "emergency".into(),
            region_code: "341522".into(),
            cert_valid_until: "2023-06-30".into(),
            status: RegisterStatus::Active,
        };
        assert!(o.is_certified_on(jiff::civil::date(2023, 6, 30)));
        assert!(!o.is_certified_on(jiff::civil::date(2023, 7, 1)));
    }
}
