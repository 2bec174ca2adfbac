//! Verifiable random draws, exactly as `docs/specs/random-draw.md` defines them (versions
//! `inspectorate-draw/1` and `inspectorate-grouping/1`).
//!
//! Everything here is byte-exact and pure: the canonical input text, the digests, the
//! ChaCha20 random stream and the algorithms. A published record must verify bit for bit
//! forever, so nothing here may use a library's `shuffle`, `gen_range` or `choose` (their
//! algorithms are not promised to stay the same); changing any output is a new spec version.

pub mod grouping;
pub mod record;
pub mod spot;
pub mod stream;

use sha2::{Digest, Sha256};

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// `commitment = SHA-256(secret)` (spec §1 step 2).
pub fn commitment(secret: &[u8; 32]) -> [u8; 32] {
    sha256(secret)
}

/// `seed = SHA-256(inputs_digest ‖ secret ‖ UTF-8(beacon))` (spec §1 step 4).
pub fn seed(inputs_digest: &[u8; 32], secret: &[u8; 32], beacon: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(inputs_digest);
    h.update(secret);
    h.update(beacon.as_bytes());
    h.finalize().into()
}

/// Why draw inputs are refused (spec §2). Nothing is drawn from invalid inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// An id, stratum or kind is empty or contains `,` `;` `:` or a control character.
    #[error("{what} '{value}' is empty or contains ',', ';', ':' or a control character")]
    BadToken {
        /// Which kind of value.
        what: &'static str,
        /// The value.
        value: String,
    },
    /// The same candidate id twice.
    #[error("candidate '{0}' appears twice")]
    DuplicateCandidate(String),
    /// The same inspector id twice.
    #[error("inspector '{0}' appears twice")]
    DuplicateInspector(String),
    /// Two quotas for one stratum.
    #[error("stratum '{0}' has two quotas")]
    DuplicateQuota(String),
    /// A quota asks for more candidates than its stratum has.
    #[error("quota for '{stratum}' asks for {count} but the stratum has {size}")]
    QuotaTooLarge {
        /// Stratum.
        stratum: String,
        /// Requested.
        count: i64,
        /// Available.
        size: usize,
    },
    /// A negative quota.
    #[error("quota for '{0}' is negative")]
    NegativeQuota(String),
    /// Team size below 1 or above the number of inspectors.
    #[error("team size {team_size} must be between 1 and the number of inspectors ({inspectors})")]
    TeamSize {
        /// Requested size.
        team_size: i64,
        /// Inspectors available.
        inspectors: usize,
    },
    /// A conflict names an inspector or candidate that is not in the inputs.
    #[error("conflict ({inspector}, {candidate}) names an unknown inspector or candidate")]
    UnknownConflict {
        /// Inspector id.
        inspector: String,
        /// Candidate id.
        candidate: String,
    },
    /// Not enough inspectors without a conflict to form a team (spec §4 step 3).
    #[error("not enough eligible inspectors for {0}")]
    NotEnoughInspectors(String),
    /// Fewer than two participants, or a duplicate participant (spec §5).
    #[error("a grouping needs at least two distinct participants")]
    Participants,
    /// A duplicate participant.
    #[error("participant '{0}' appears twice")]
    DuplicateParticipant(String),
}

/// Checks one token of the canonical text (spec §2).
pub fn check_token(what: &'static str, value: &str) -> Result<(), DrawError> {
    if value.is_empty() || value.chars().any(|c| matches!(c, ',' | ';' | ':') || c.is_control()) {
        return Err(DrawError::BadToken { what, value: value.to_owned() });
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod vectors {
    /// The spec's example secret: SHA-256 of `example-secret`.
    pub fn secret() -> [u8; 32] {
        super::sha256(b"example-secret")
    }
}
