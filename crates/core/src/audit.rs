//! The audit trail's hash chain: how an entry is hashed and how a chain is verified.
//!
//! Each county-level region (or higher region, for actions taken there) has its own chain so
//! that no single row is a write hot spot. Entry `n` of a chain stores the SM3 hash of its own
//! canonical text, which includes the hash of entry `n - 1`; changing, removing or reordering
//! any entry breaks every link after it, and [`verify_chain`] names the first broken one.

use sm3::{Digest, Sm3};

/// The hash that the first entry of every chain links to.
pub const GENESIS: [u8; 32] = [0; 32];

/// What was recorded, before it is placed in a chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEvent {
    /// Who acted: a username, `cli:<os user>`, or `anonymous`.
    pub actor: String,
    /// The actor's role at the time (`none` for anonymous or CLI actors).
    pub role: String,
    /// The action, as `object.verb` (`user.login`, `enterprise.import`, …).
    pub action: String,
    /// The kind of object acted on.
    pub object_type: String,
    /// The object's id or document number.
    pub object_id: String,
    /// `ok`, `denied` or `failed`.
    pub result: String,
    /// The HTTP request id (or a CLI run id), to join with logs.
    pub request_id: String,
    /// Free-form JSON detail (counts, content hashes); never passwords or tokens.
    pub detail: String,
}

/// An entry as stored in a chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// The chain: a region code.
    pub chain: String,
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub at_ms: i64,
    /// What happened.
    pub event: AuditEvent,
    /// The hash of entry `seq - 1` ([`GENESIS`] for the first).
    pub prev_hash: [u8; 32],
    /// SM3 of this entry's canonical text.
    pub hash: [u8; 32],
}

impl AuditEntry {
    /// Seals an event as entry `seq` of `chain`, linked to `prev_hash`.
    pub fn seal(chain: &str, seq: i64, at_ms: i64, event: AuditEvent, prev_hash: [u8; 32]) -> Self {
        let hash = entry_hash(chain, seq, at_ms, &event, &prev_hash);
        Self { chain: chain.to_owned(), seq, at_ms, event, prev_hash, hash }
    }
}

/// SM3 over the canonical text of an entry: a version line, then one `name:value` line per
/// field with every value JSON-encoded, so no value can forge a line break or separator.
pub fn entry_hash(chain: &str, seq: i64, at_ms: i64, e: &AuditEvent, prev_hash: &[u8; 32]) -> [u8; 32] {
    let q = |s: &str| serde_json::to_string(s).expect("strings always encode");
    let text = format!(
        "inspectorate-audit/1\nchain:{}\nseq:{seq}\nat_ms:{at_ms}\nactor:{}\nrole:{}\naction:{}\nobject_type:{}\nobject_id:{}\nresult:{}\nrequest_id:{}\ndetail:{}\nprev:{}\n",
        q(chain),
        q(&e.actor),
        q(&e.role),
        q(&e.action),
        q(&e.object_type),
        q(&e.object_id),
        q(&e.result),
        q(&e.request_id),
        q(&e.detail),
        hex::encode(prev_hash),
    );
    Sm3::digest(text.as_bytes()).into()
}

/// The first place a chain fails verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// The entry's content no longer matches its hash: it was edited.
    #[error("chain {chain}: entry {seq} was edited (its hash does not match its content)")]
    Edited {
        /// The chain.
        chain: String,
        /// The entry.
        seq: i64,
    },
    /// An entry is missing before this one (sequence gap).
    #[error("chain {chain}: entries before {seq} are missing (expected {expected})")]
    Missing {
        /// The chain.
        chain: String,
        /// The entry found where another was expected.
        seq: i64,
        /// The sequence number that should have come.
        expected: i64,
    },
    /// The entry does not link to the one before it: entries were removed or reordered.
    #[error("chain {chain}: entry {seq} does not link to the entry before it (removed or reordered)")]
    Unlinked {
        /// The chain.
        chain: String,
        /// The entry.
        seq: i64,
    },
    /// The chain ends before the recorded head: its last entries were removed.
    #[error("chain {chain}: ends at {last} but its head says {head}: the last entries were removed")]
    Truncated {
        /// The chain.
        chain: String,
        /// The last entry present.
        last: i64,
        /// The last entry recorded in the chain head.
        head: i64,
    },
}

/// Incremental verifier for one chain, fed entries in `seq` order so a chain of millions of
/// entries can be streamed from the database.
#[derive(Debug)]
pub struct ChainVerifier {
    chain: String,
    expected_seq: i64,
    prev: [u8; 32],
}

impl ChainVerifier {
    /// Starts verifying `chain` from its first entry.
    pub fn new(chain: &str) -> Self {
        Self { chain: chain.to_owned(), expected_seq: 1, prev: GENESIS }
    }

    /// Checks the next entry.
    pub fn push(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        let chain = self.chain.clone();
        if entry.seq != self.expected_seq {
            return Err(ChainBreak::Missing { chain, seq: entry.seq, expected: self.expected_seq });
        }
        if entry.hash != entry_hash(&entry.chain, entry.seq, entry.at_ms, &entry.event, &entry.prev_hash) {
            return Err(ChainBreak::Edited { chain, seq: entry.seq });
        }
        if entry.prev_hash != self.prev {
            return Err(ChainBreak::Unlinked { chain, seq: entry.seq });
        }
        self.prev = entry.hash;
        self.expected_seq += 1;
        Ok(())
    }

    /// Finishes, checking the chain reaches the head recorded separately (`head_seq`).
    pub fn finish(self, head_seq: i64) -> Result<i64, ChainBreak> {
        let last = self.expected_seq - 1;
        if last < head_seq {
            return Err(ChainBreak::Truncated { chain: self.chain, last, head: head_seq });
        }
        Ok(last)
    }
}

/// Verifies a whole chain held in memory (tests, small chains).
pub fn verify_chain(chain: &str, entries: &[AuditEntry], head_seq: i64) -> Result<i64, ChainBreak> {
    let mut v = ChainVerifier::new(chain);
    for e in entries {
        v.push(e)?;
    }
    v.finish(head_seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize) -> AuditEvent {
        AuditEvent {
            actor: format!("user{n}"),
            role: "county_office".into(),
            action: "enterprise.import".into(),
            object_type: "enterprise".into(),
            object_id: format!("id{n}"),
            result: "ok".into(),
            request_id: "req".into(),
            detail: "{}".into(),
        }
    }

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|i| {
                let e = AuditEntry::seal("341522", i as i64, 1_700_000_000_000 + i as i64, event(i), prev);
                prev = e.hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify_chain("341522", &chain(5), 5), Ok(5));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut c = chain(5);
        c[2].event.actor = "someone-else".into();
        assert_eq!(verify_chain("341522", &c, 5), Err(ChainBreak::Edited { chain: "341522".into(), seq: 3 }));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(verify_chain("341522", &c, 5), Err(ChainBreak::Missing { seq: 3, expected: 2, .. })));
    }

    #[test]
    fn reordered_entries_are_named_even_when_renumbered() {
        let mut c = chain(5);
        c.swap(1, 2);
        c[1].seq = 2;
        c[2].seq = 3;
        // Renumbering changes the content, so the hash no longer matches.
        assert!(verify_chain("341522", &c, 5).is_err());
        let mut c = chain(5);
        c.swap(1, 2);
        assert!(matches!(verify_chain("341522", &c, 5), Err(ChainBreak::Missing { seq: 3, expected: 2, .. })));
    }

    #[test]
    fn a_removed_tail_is_detected_against_the_head() {
        let c = chain(5);
        assert!(matches!(verify_chain("341522", &c[..3], 5), Err(ChainBreak::Truncated { last: 3, head: 5, .. })));
    }
}
