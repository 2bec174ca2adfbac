//! Encryption at rest for sealed records (a covert plan's targets and dates), so that a
//! database dump or backup does not reveal them.
//!
//! ChaCha20-Poly1305 (RFC 8439) with a 256-bit key kept outside the database. Each sealed
//! value is bound to the row it belongs to (the row id is the associated data), so a value
//! copied onto another row fails to open. A [`Keyring`] holds the current key and the older
//! ones still needed to open values sealed before a rotation; every sealed value names its
//! key, so rotation re-seals row by row without a flag day.

use chacha20poly1305::aead::Aead;
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Nonce};

/// A named 256-bit key.
#[derive(Clone)]
pub struct SealKey {
    /// Short name written into every value it seals (e.g. `k2026a`).
    pub id: String,
    bytes: [u8; 32],
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKey").field("id", &self.id).finish_non_exhaustive()
    }
}

/// Why sealing or opening failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The key file is malformed.
    #[error("key file line {line}: {message}")]
    KeyFile {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The keyring has no key.
    #[error("the key file holds no key")]
    NoKey,
    /// The value names a key the keyring does not hold.
    #[error("sealed with key '{0}', which is not in the key file")]
    UnknownKey(String),
    /// The value is not in the sealed format.
    #[error("not a sealed value")]
    Malformed,
    /// Wrong key, wrong row, or the value was altered.
    #[error("the sealed value does not open (altered, moved to another record, or wrong key)")]
    Tampered,
}

/// The keys of a deployment: the last one seals, all of them open.
#[derive(Clone, Debug)]
pub struct Keyring {
    keys: Vec<SealKey>,
}

const PREFIX: &str = "seal1";

impl Keyring {
    /// Parses a key file: one key per line, `<id> <64 hex digits>`; `#` starts a comment.
    /// The last key is the current one.
    pub fn parse(text: &str) -> Result<Self, SealError> {
        let mut keys: Vec<SealKey> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |message: &str| SealError::KeyFile { line: i + 1, message: message.to_owned() };
            let (id, hex_key) = line.split_once(char::is_whitespace).ok_or_else(|| err("expected '<id> <hex key>'"))?;
            if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(err("a key id is 1-32 letters, digits or '-'"));
            }
            let bytes: [u8; 32] = hex::decode(hex_key.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| err("a key is 64 hex digits (32 bytes)"))?;
            if keys.iter().any(|k| k.id == id) {
                return Err(err("this key id is used twice"));
            }
            keys.push(SealKey { id: id.to_owned(), bytes });
        }
        if keys.is_empty() {
            return Err(SealError::NoKey);
        }
        Ok(Self { keys })
    }

    /// A keyring of one key (tests, first start).
    pub fn single(id: &str, bytes: [u8; 32]) -> Self {
        Self { keys: vec![SealKey { id: id.to_owned(), bytes }] }
    }

    /// This keyring with one more key, which becomes the current one (what appending a line
    /// to the key file does).
    pub fn with_key(&self, id: &str, bytes: [u8; 32]) -> Result<Self, SealError> {
        let text: String =
            self.keys.iter().map(|k| Self::line(&k.id, &k.bytes)).collect::<String>() + &Self::line(id, &bytes);
        Self::parse(&text)
    }

    /// The key file line for a key (what `parse` reads back).
    pub fn line(id: &str, bytes: &[u8; 32]) -> String {
        format!("{id} {}\n", hex::encode(bytes))
    }

    /// The id of the key that seals new values.
    pub fn current_id(&self) -> &str {
        &self.current().id
    }

    fn current(&self) -> &SealKey {
        self.keys.last().expect("a keyring is never empty")
    }

    /// Seals `plaintext` for the row `row_id` with the current key and the given fresh
    /// 12-byte nonce (callers pass CSPRNG bytes; the core does no I/O).
    pub fn seal(&self, row_id: &str, plaintext: &[u8], nonce: [u8; 12]) -> String {
        let key = self.current();
        let cipher = ChaCha20Poly1305::new(&Key::from(key.bytes));
        let payload = chacha20poly1305::aead::Payload { msg: plaintext, aad: row_id.as_bytes() };
        let ct = cipher.encrypt(&Nonce::from(nonce), payload).expect("in-memory encryption cannot fail");
        format!("{PREFIX}:{}:{}:{}", key.id, hex::encode(nonce), hex::encode(ct))
    }

    /// Opens a value sealed for `row_id` by any key of the ring.
    pub fn open(&self, row_id: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        let mut parts = sealed.split(':');
        let (Some(PREFIX), Some(id), Some(nonce), Some(ct), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Malformed);
        };
        let key = self.keys.iter().find(|k| k.id == id).ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let nonce: [u8; 12] = hex::decode(nonce).ok().and_then(|n| n.try_into().ok()).ok_or(SealError::Malformed)?;
        let ct = hex::decode(ct).map_err(|_| SealError::Malformed)?;
        let cipher = ChaCha20Poly1305::new(&Key::from(key.bytes));
        let payload = chacha20poly1305::aead::Payload { msg: &ct, aad: row_id.as_bytes() };
        cipher.decrypt(&Nonce::from(nonce), payload).map_err(|_| SealError::Tampered)
    }

    /// Whether a sealed value uses the current key (rotation re-seals the others).
    pub fn is_current(&self, sealed: &str) -> bool {
        sealed.split(':').nth(1) == Some(self.current_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::parse(&(Keyring::line("old", &[1; 32]) + "# rotated 2026-11\n" + &Keyring::line("new", &[2; 32])))
            .unwrap()
    }

    #[test]
    fn round_trip_with_the_current_key_and_no_plaintext_in_the_output() {
        let r = ring();
        let sealed = r.seal("row-1", "霍邱县某化工厂".as_bytes(), [9; 12]);
        assert!(sealed.starts_with("seal1:new:"));
        assert!(!sealed.contains("霍邱"));
        assert_eq!(r.open("row-1", &sealed).unwrap(), "霍邱县某化工厂".as_bytes());
        assert!(r.is_current(&sealed));
    }

    #[test]
    fn values_sealed_by_an_older_key_still_open() {
        let old = Keyring::single("old", [1; 32]);
        let sealed = old.seal("row-1", b"targets", [3; 12]);
        assert_eq!(ring().open("row-1", &sealed).unwrap(), b"targets");
        assert!(!ring().is_current(&sealed));
    }

    #[test]
    fn a_value_moved_to_another_row_or_altered_does_not_open() {
        let r = ring();
        let sealed = r.seal("row-1", b"targets", [4; 12]);
        assert_eq!(r.open("row-2", &sealed), Err(SealError::Tampered));
        let mut altered = sealed.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == '0' { '1' } else { '0' });
        assert_eq!(r.open("row-1", &altered), Err(SealError::Tampered));
        assert_eq!(r.open("row-1", "plain text"), Err(SealError::Malformed));
        let other = Keyring::single("gone", [5; 32]).seal("row-1", b"x", [0; 12]);
        assert_eq!(r.open("row-1", &other), Err(SealError::UnknownKey("gone".into())));
    }

    #[test]
    fn key_files_are_checked_line_by_line() {
        assert_eq!(Keyring::parse("# nothing\n").unwrap_err(), SealError::NoKey);
        assert!(matches!(Keyring::parse("k1 abcd\n"), Err(SealError::KeyFile { line: 1, .. })));
        let dup = Keyring::line("k", &[1; 32]) + &Keyring::line("k", &[2; 32]);
        assert!(matches!(Keyring::parse(&dup), Err(SealError::KeyFile { line: 2, .. })));
    }
}
