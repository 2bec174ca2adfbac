//! The unified social credit code (统一社会信用代码, GB 32100-2015) that keys every enterprise.
//!
//! Invariant: a [`CreditCode`] is 18 characters from the GB 32100 charset, upper-case, and its
//! last character is the check character computed from the first 17.

use std::fmt;

/// The 31 characters GB 32100 allows, in the order that gives each its numeric value.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights `3^(i-1) mod 31` for positions 1..=17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Why a string is not a valid credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Not exactly 18 characters (after trimming surrounding white space).
    #[error("a credit code has 18 characters, this one has {0}")]
    Length(usize),
    /// A character outside `0-9 A-H J-N P-R T U W-Y` (I, O, Z, S, V are never used).
    #[error("character '{ch}' at position {position} is not allowed in a credit code")]
    Charset {
        /// The offending character.
        ch: char,
        /// Its 1-based position.
        position: usize,
    },
    /// The 18th character does not match the check computed from the first 17.
    #[error("check character is '{found}' but should be '{expected}'")]
    Check {
        /// The check character that was given.
        found: char,
        /// The check character the first 17 characters imply.
        expected: char,
    },
}

impl CreditCodeError {
    /// The reason in Chinese, for the Chinese import report.
    pub fn zh(&self) -> String {
        match self {
            Self::Length(n) => format!("统一社会信用代码应为 18 位，此处为 {n} 位"),
            Self::Charset { ch, position } => format!("第 {position} 位字符“{ch}”不能用于统一社会信用代码"),
            Self::Check { found, expected } => format!("校验码为“{found}”，应为“{expected}”"),
        }
    }
}

/// A valid unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a credit code. Surrounding white space is ignored and lower-case letters are
    /// accepted as their upper-case form (people type them either way); white space inside the
    /// code is an error, because it usually means two values were pasted together.
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code = input.trim().to_ascii_uppercase();
        let count = code.chars().count();
        if count != 18 {
            return Err(CreditCodeError::Length(count));
        }
        let bytes = code.as_bytes();
        let mut sum = 0u32;
        for (i, &b) in bytes.iter().enumerate() {
            let Some(value) = char_value(b) else {
                return Err(CreditCodeError::Charset { ch: b as char, position: i + 1 });
            };
            if i < 17 {
                sum += value * WEIGHTS[i];
            }
        }
        let expected = CHARSET[((31 - sum % 31) % 31) as usize];
        if bytes[17] != expected {
            return Err(CreditCodeError::Check { found: bytes[17] as char, expected: expected as char });
        }
        Ok(Self(code))
    }

    /// Completes the first 17 characters of a code with their check character. Used to make
    /// synthetic demo and benchmark codes that pass the check.
    pub fn with_check(first17: &str) -> Result<Self, CreditCodeError> {
        let upper = first17.to_ascii_uppercase();
        if upper.len() != 17 {
            return Err(CreditCodeError::Length(upper.chars().count() + 1));
        }
        let mut sum = 0u32;
        for (i, b) in upper.bytes().enumerate() {
            let value = char_value(b).ok_or(CreditCodeError::Charset { ch: b as char, position: i + 1 })?;
            sum += value * WEIGHTS[i];
        }
        let check = CHARSET[((31 - sum % 31) % 31) as usize] as char;
        Self::parse(&format!("{upper}{check}"))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn char_value(b: u8) -> Option<u32> {
    CHARSET.iter().position(|&c| c == b).map(|p| p as u32)
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: [&str; 4] = ["914403001922038216", "9144030071526726XG", "91440300192317458F", "91340111MA2RAD3M4R"];

    #[test]
    fn real_codes_from_the_brief_are_accepted() {
        for code in REAL {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn changing_the_last_character_is_rejected() {
        for code in REAL {
            let last = code.as_bytes()[17];
            for &other in CHARSET.iter().filter(|&&c| c != last) {
                let changed = format!("{}{}", &code[..17], other as char);
                assert!(matches!(CreditCode::parse(&changed), Err(CreditCodeError::Check { .. })), "{changed}");
            }
        }
    }

    #[test]
    fn lower_case_and_surrounding_space_are_normalised() {
        let code = CreditCode::parse("  9144030071526726xg\t").unwrap();
        assert_eq!(code.as_str(), "9144030071526726XG");
    }

    #[test]
    fn inner_space_wrong_length_and_forbidden_letters_are_rejected() {
        assert_eq!(CreditCode::parse("91440300 192317458F"), Err(CreditCodeError::Length(19)));
        assert_eq!(CreditCode::parse("9144030019231745"), Err(CreditCodeError::Length(16)));
        assert!(matches!(
            CreditCode::parse("91440300I92317458F"),
            Err(CreditCodeError::Charset { ch: 'I', position: 9 })
        ));
    }

    #[test]
    fn with_check_completes_a_code_that_then_parses() {
        let code = CreditCode::with_check("91340111MA2RAD3M4").unwrap();
        assert_eq!(code.as_str(), "91340111MA2RAD3M4R");
    }
}
