//! Administrative regions (GB/T 2260 codes plus development-zone statistical codes).
//!
//! Codes nest by prefix: 340000 (Anhui) contains 341500 (Lu'an), which contains 341522
//! (Huoqiu). [`RegionPrefix`] turns that nesting into a jurisdiction test and a SQL range.

use std::fmt;

/// Why a string is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a region code is six digits, got '{0}'")]
pub struct RegionCodeError(pub String);

/// A six-digit region code. Codes are never reused, so a retired code still names its
/// old region in old records.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses six ASCII digits (surrounding white space ignored).
    pub fn parse(input: &str) -> Result<Self, RegionCodeError> {
        let s = input.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(RegionCodeError(input.to_owned()))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The level of a region in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// A province (省).
    Province,
    /// A prefecture-level city (地级市).
    City,
    /// A county-level division (县、区、县级市).
    County,
    /// A development zone with a statistical code; administered like a county.
    DevZone,
}

impl RegionLevel {
    /// The stored name of the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::DevZone => "dev_zone",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "province" => Self::Province,
            "city" => Self::City,
            "county" => Self::County,
            "dev_zone" => Self::DevZone,
            _ => return None,
        })
    }

    /// How many leading digits of a code this level's jurisdiction shares with the codes
    /// inside it.
    pub fn prefix_len(self) -> usize {
        match self {
            Self::Province => 2,
            Self::City => 4,
            Self::County | Self::DevZone => 6,
        }
    }
}

/// A region of the register.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Region {
    /// Its code.
    pub code: RegionCode,
    /// The code of the region above it, if any.
    pub parent: Option<RegionCode>,
    /// Its level.
    pub level: RegionLevel,
    /// Chinese name.
    pub name_zh: String,
    /// English (Hanyu Pinyin) name.
    pub name_en: String,
}

impl Region {
    /// The name in the requested language (`zh` for Chinese, anything else English).
    pub fn name(&self, lang: &str) -> &str {
        if lang.starts_with("zh") { &self.name_zh } else { &self.name_en }
    }

    /// The jurisdiction this region covers.
    pub fn prefix(&self) -> RegionPrefix {
        RegionPrefix::of(&self.code, self.level)
    }
}

/// The set of region codes under one region, as a code prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionPrefix(String);

impl RegionPrefix {
    /// The jurisdiction of a region of the given level.
    pub fn of(code: &RegionCode, level: RegionLevel) -> Self {
        Self(code.as_str()[..level.prefix_len()].to_owned())
    }

    /// Whether a code lies inside this jurisdiction.
    pub fn contains(&self, code: &str) -> bool {
        code.starts_with(&self.0)
    }

    /// The half-open range `[low, high)` of codes inside the jurisdiction, for an
    /// index-friendly SQL filter (`code >= low AND code < high`). Both bounds are digit
    /// strings, so the comparison is the same under any collation. `high` is `None` when the
    /// prefix is all nines.
    pub fn range(&self) -> (String, Option<String>) {
        let mut digits: Vec<u8> = self.0.bytes().collect();
        let mut i = digits.len();
        let high = loop {
            if i == 0 {
                break None;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break Some(String::from_utf8(digits).expect("digits"));
            }
        };
        (self.0.clone(), high)
    }

    /// The prefix digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The one code inside the jurisdiction when the prefix is a whole code (a county's or a
    /// development zone's): a query can then ask for that code (`= ?`) and have an index on
    /// (region, …) answer in the order of its next columns, not sort the region's rows.
    pub fn single_code(&self) -> Option<&str> {
        (self.0.len() == 6).then_some(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn only_a_whole_code_is_a_single_code() {
        assert_eq!(RegionPrefix::of(&code("341522"), RegionLevel::County).single_code(), Some("341522"));
        assert_eq!(RegionPrefix::of(&code("341522"), RegionLevel::City).single_code(), None);
        assert_eq!(RegionPrefix::of(&code("341522"), RegionLevel::Province).single_code(), None);
    }

    #[test]
    fn a_city_contains_its_counties_and_dev_zones_but_not_other_cities() {
        let luan = RegionPrefix::of(&code("341500"), RegionLevel::City);
        assert!(luan.contains("341522"));
        assert!(luan.contains("341571"));
        assert!(luan.contains("341521"), "a retired code still belongs to the region that had it");
        assert!(!luan.contains("341600"));
        assert!(!luan.contains("340100"));
    }

    #[test]
    fn a_county_contains_only_itself() {
        let huoqiu = RegionPrefix::of(&code("341522"), RegionLevel::County);
        assert!(huoqiu.contains("341522"));
        assert!(!huoqiu.contains("341523"));
    }

    #[test]
    fn ranges_carry_over_nines() {
        assert_eq!(RegionPrefix("3415".into()).range(), ("3415".into(), Some("3416".into())));
        assert_eq!(RegionPrefix("3419".into()).range(), ("3419".into(), Some("3420".into())));
        assert_eq!(RegionPrefix("3499".into()).range(), ("3499".into(), Some("3500".into())));
        assert_eq!(RegionPrefix("99".into()).range(), ("99".into(), None));
    }

    #[test]
    fn region_codes_are_six_digits() {
        assert!(RegionCode::parse(" 341522 ").is_ok());
        assert!(RegionCode::parse("34152").is_err());
        assert!(RegionCode::parse("34152a").is_err());
    }
}
