//! Published draw records (spec §6): what the system publishes and what anyone can verify
//! offline with `inspectorate draw verify FILE`. A verifier ignores fields it does not know.

use super::grouping::{self, FrozenGrouping, GroupingInputs};
use super::spot::{self, Assignment, FrozenSpot, SpotInputs};
use super::{commitment, seed, sha256};
use serde::{Deserialize, Serialize};

/// A candidate in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateJson {
    /// Candidate id.
    pub id: String,
    /// Stratum.
    pub stratum: String,
}

/// A quota in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaJson {
    /// Stratum.
    pub stratum: String,
    /// How many to draw.
    pub count: i64,
}

/// A spot-check draw record. Before the reveal it carries only the inputs, their digest and
/// the commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotRecord {
    /// `inspectorate-draw/1`.
    pub spec: String,
    /// Draw kind.
    pub kind: String,
    /// Inspectors per team.
    pub team_size: i64,
    /// Candidates, sorted by id.
    pub candidates: Vec<CandidateJson>,
    /// Quotas in processing order.
    pub quotas: Vec<QuotaJson>,
    /// Inspectors, sorted.
    pub inspectors: Vec<String>,
    /// `[inspector, candidate]` pairs, sorted.
    pub conflicts: Vec<(String, String)>,
    /// SHA-256 of the secret (hex).
    pub commitment: String,
    /// The secret (hex), after the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The beacon, after the reveal (may be empty: then the draw relied on the operator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon: Option<String>,
    /// SHA-256 of the canonical inputs (hex).
    pub inputs_digest: String,
    /// The seed (hex), after the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// The result, after the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<Assignment>>,
    /// SHA-256 of the canonical result (hex), after the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_digest: Option<String>,
}

/// A cross-inspection grouping record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupingRecord {
    /// `inspectorate-grouping/1`.
    pub spec: String,
    /// Participants, sorted.
    pub participants: Vec<String>,
    /// Pairs to avoid, sorted.
    pub previous: Vec<(String, String)>,
    /// SHA-256 of the secret (hex).
    pub commitment: String,
    /// The secret (hex), after the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The beacon, after the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon: Option<String>,
    /// SHA-256 of the canonical inputs (hex).
    pub inputs_digest: String,
    /// The seed (hex), after the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Index of the kept attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<usize>,
    /// Repeated pairs in the kept attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<usize>,
    /// `[visiting, inspected]` pairs in cycle order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairs: Option<Vec<(String, String)>>,
    /// SHA-256 of the canonical result (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_digest: Option<String>,
}

/// The record published at commit time, borrowed from the frozen inputs: it serializes to the
/// same JSON as [`SpotRecord::committed`] without copying a million candidates first.
#[derive(Debug, Serialize)]
pub struct CommittedSpot<'a> {
    spec: &'static str,
    kind: &'a str,
    team_size: i64,
    #[serde(serialize_with = "candidates_json")]
    candidates: &'a [(String, String)],
    #[serde(serialize_with = "quotas_json")]
    quotas: &'a [(String, i64)],
    inspectors: &'a [String],
    conflicts: &'a [(String, String)],
    commitment: String,
    inputs_digest: String,
}

impl<'a> CommittedSpot<'a> {
    /// The committed record of `frozen` under `commitment`.
    pub fn new(frozen: &'a FrozenSpot, commitment: &[u8; 32]) -> Self {
        let i = frozen.inputs();
        Self {
            spec: spot::SPEC,
            kind: &i.kind,
            team_size: i.team_size,
            candidates: &i.candidates,
            quotas: &i.quotas,
            inspectors: &i.inspectors,
            conflicts: &i.conflicts,
            commitment: hex::encode(commitment),
            inputs_digest: hex::encode(frozen.digest()),
        }
    }
}

fn candidates_json<S: serde::Serializer>(c: &&[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(c.iter().map(|(id, stratum)| CandidateRef { id, stratum }))
}

fn quotas_json<S: serde::Serializer>(q: &&[(String, i64)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(q.iter().map(|(stratum, count)| QuotaRef { stratum, count: *count }))
}

#[derive(Serialize)]
struct CandidateRef<'a> {
    id: &'a str,
    stratum: &'a str,
}

#[derive(Serialize)]
struct QuotaRef<'a> {
    stratum: &'a str,
    count: i64,
}

/// What the reveal adds to a committed spot-check record (spec §6): the secret, the beacon, the
/// seed, the result and its digest. The published full record is the committed record's text
/// followed by these members ([`join_record`]); a full record also parses as this, so a reader
/// that needs only the teams reads either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotReveal {
    /// The secret (hex).
    pub secret: String,
    /// The beacon (may be empty: then the draw relied on the operator).
    pub beacon: String,
    /// The seed (hex).
    pub seed: String,
    /// The result.
    pub assignments: Vec<Assignment>,
    /// SHA-256 of the canonical result (hex).
    pub result_digest: String,
}

impl SpotReveal {
    /// Runs the draw of `frozen` with the secret and beacon (spec §3, §4).
    pub fn of(frozen: &FrozenSpot, secret: &[u8; 32], beacon: &str) -> Result<Self, super::DrawError> {
        let s = seed(&frozen.digest(), secret, beacon);
        let assignments = frozen.draw(&s)?;
        let digest = sha256(spot::result_text(&assignments).as_bytes());
        Ok(Self {
            secret: hex::encode(secret),
            beacon: beacon.to_owned(),
            seed: hex::encode(s),
            assignments,
            result_digest: hex::encode(digest),
        })
    }
}

/// The full record's text: the committed record's text (every member, in its order, plus any
/// fields the publisher added) followed by the members of `reveal` (a JSON object's text).
/// The committed record a draw published first is thus, without its closing brace, a prefix
/// of the full record: anyone holding both can see that the inputs did not change. `None` if
/// either is not a non-empty JSON object's text.
pub fn join_record(committed: &str, reveal: &str) -> Option<String> {
    let head = committed.trim_end().strip_suffix('}')?.trim_end();
    let tail = reveal.trim_start().strip_prefix('{')?.trim_start();
    if !head.starts_with('{') || head.len() < 2 || tail.len() < 2 {
        return None;
    }
    let mut out = String::with_capacity(head.len() + tail.len() + 1);
    out.push_str(head);
    out.push(',');
    out.push_str(tail);
    Some(out)
}

impl SpotRecord {
    /// The record published at commit time: inputs, their digest, the commitment.
    pub fn committed(frozen: &FrozenSpot, commitment: &[u8; 32]) -> Self {
        let i = frozen.inputs();
        Self {
            spec: spot::SPEC.to_owned(),
            kind: i.kind.clone(),
            team_size: i.team_size,
            candidates: i
                .candidates
                .iter()
                .map(|(id, s)| CandidateJson { id: id.clone(), stratum: s.clone() })
                .collect(),
            quotas: i.quotas.iter().map(|(s, c)| QuotaJson { stratum: s.clone(), count: *c }).collect(),
            inspectors: i.inspectors.clone(),
            conflicts: i.conflicts.clone(),
            commitment: hex::encode(commitment),
            secret: None,
            beacon: None,
            inputs_digest: hex::encode(frozen.digest()),
            seed: None,
            assignments: None,
            result_digest: None,
        }
    }

    /// Reveals: runs the draw and completes the record.
    pub fn reveal(frozen: &FrozenSpot, secret: &[u8; 32], beacon: &str) -> Result<Self, super::DrawError> {
        let v = SpotReveal::of(frozen, secret, beacon)?;
        let mut r = Self::committed(frozen, &commitment(secret));
        r.secret = Some(v.secret);
        r.beacon = Some(v.beacon);
        r.seed = Some(v.seed);
        r.assignments = Some(v.assignments);
        r.result_digest = Some(v.result_digest);
        Ok(r)
    }

    /// The record's inputs, moved out of it (a verifier or a draw needs them once).
    pub fn into_inputs(self) -> SpotInputs {
        SpotInputs {
            kind: self.kind,
            team_size: self.team_size,
            candidates: self.candidates.into_iter().map(|c| (c.id, c.stratum)).collect(),
            quotas: self.quotas.into_iter().map(|q| (q.stratum, q.count)).collect(),
            inspectors: self.inspectors,
            conflicts: self.conflicts,
        }
    }

    #[cfg(test)]
    fn inputs(&self) -> SpotInputs {
        self.clone().into_inputs()
    }
}

impl GroupingRecord {
    /// The record published at commit time.
    pub fn committed(frozen: &FrozenGrouping, commitment: &[u8; 32]) -> Self {
        Self {
            spec: grouping::SPEC.to_owned(),
            participants: frozen.inputs().participants.clone(),
            previous: frozen.inputs().previous.clone(),
            commitment: hex::encode(commitment),
            secret: None,
            beacon: None,
            inputs_digest: hex::encode(frozen.digest()),
            seed: None,
            attempt: None,
            repeats: None,
            pairs: None,
            result_digest: None,
        }
    }

    /// Reveals: runs the grouping and completes the record.
    pub fn reveal(frozen: &FrozenGrouping, secret: &[u8; 32], beacon: &str) -> Self {
        let s = seed(&frozen.digest(), secret, beacon);
        let g = frozen.draw(&s);
        let mut r = Self::committed(frozen, &commitment(secret));
        r.secret = Some(hex::encode(secret));
        r.beacon = Some(beacon.to_owned());
        r.seed = Some(hex::encode(s));
        r.attempt = Some(g.attempt);
        r.repeats = Some(g.repeats);
        r.result_digest = Some(hex::encode(sha256(grouping::result_text(&g.pairs).as_bytes())));
        r.pairs = Some(g.pairs);
        r
    }
}

/// What verifying a record found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Everything recomputes exactly.
    Verified {
        /// Which spec.
        spec: &'static str,
        /// How many results were checked.
        results: usize,
        /// The beacon was empty: the draw is only as trustworthy as the operator.
        empty_beacon: bool,
    },
    /// Something differs; each entry says what.
    Differs(Vec<String>),
}

/// Why a file is not a record at all.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Not JSON, or fields of the wrong type.
    #[error("not a draw record: {0}")]
    Json(#[from] serde_json::Error),
    /// An unknown `spec`.
    #[error("unknown spec '{0}' (this verifier knows inspectorate-draw/1 and inspectorate-grouping/1)")]
    UnknownSpec(String),
    /// The record was published before the reveal.
    #[error("the record has not been revealed yet (no secret, seed or result)")]
    NotRevealed,
}

fn hex32(field: &str, s: &str, diffs: &mut Vec<String>) -> Option<[u8; 32]> {
    match hex::decode(s).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()) {
        Some(b) => Some(b),
        None => {
            diffs.push(format!("{field} is not 32 bytes of lower-case hex"));
            None
        }
    }
}

fn compare(field: &str, stated: &str, recomputed: &[u8; 32], diffs: &mut Vec<String>) {
    let r = hex::encode(recomputed);
    if stated != r {
        diffs.push(format!("{field} differs: the record says {stated}, recomputed {r}"));
    }
}

/// Verifies a record of either kind, given as JSON text.
pub fn verify_json(text: &str) -> Result<Verdict, RecordError> {
    /// Only the `spec` field; the rest is skipped without building a JSON tree (records of a
    /// province-wide draw are tens of megabytes).
    #[derive(Deserialize)]
    struct Spec {
        #[serde(default)]
        spec: String,
    }
    let spec: Spec = serde_json::from_str(text)?;
    match spec.spec.as_str() {
        spot::SPEC => verify_spot_owned(serde_json::from_str(text)?),
        grouping::SPEC => verify_grouping(&serde_json::from_str(text)?),
        other => Err(RecordError::UnknownSpec(other.to_owned())),
    }
}

/// Verifies a spot-check record.
pub fn verify_spot(r: &SpotRecord) -> Result<Verdict, RecordError> {
    verify_spot_owned(r.clone())
}

/// [`verify_spot`] on a record it may take apart (a parsed file): the inputs are moved into the
/// rerun draw, not copied.
fn verify_spot_owned(mut r: SpotRecord) -> Result<Verdict, RecordError> {
    let (Some(secret), Some(beacon), Some(stated_seed), Some(stated), Some(result_digest)) =
        (r.secret.take(), r.beacon.take(), r.seed.take(), r.assignments.take(), r.result_digest.take())
    else {
        return Err(RecordError::NotRevealed);
    };
    let (stated_commitment, stated_digest) = (std::mem::take(&mut r.commitment), std::mem::take(&mut r.inputs_digest));
    let (beacon, stated_seed, stated, result_digest) = (&beacon, &stated_seed, &stated, &result_digest);
    let mut diffs = Vec::new();
    let Some(secret) = hex32("secret", &secret, &mut diffs) else { return Ok(Verdict::Differs(diffs)) };
    compare("commitment", &stated_commitment, &commitment(&secret), &mut diffs);
    let frozen = match r.into_inputs().into_frozen() {
        Ok(f) => f,
        Err(e) => {
            diffs.push(format!("the inputs are invalid: {e}"));
            return Ok(Verdict::Differs(diffs));
        }
    };
    compare("inputs_digest", &stated_digest, &frozen.digest(), &mut diffs);
    let s = seed(&frozen.digest(), &secret, beacon);
    compare("seed", stated_seed, &s, &mut diffs);
    match frozen.draw(&s) {
        Ok(assignments) => {
            if let Some(i) = (0..assignments.len().max(stated.len())).find(|&i| assignments.get(i) != stated.get(i)) {
                diffs.push(format!(
                    "assignment {} differs: the record says {}, recomputed {}",
                    i + 1,
                    stated.get(i).map(describe).unwrap_or_else(|| "nothing".into()),
                    assignments.get(i).map(describe).unwrap_or_else(|| "nothing".into())
                ));
            }
            compare("result_digest", result_digest, &sha256(spot::result_text(&assignments).as_bytes()), &mut diffs);
        }
        Err(e) => diffs.push(format!("the draw cannot be rerun: {e}")),
    }
    Ok(if diffs.is_empty() {
        Verdict::Verified { spec: spot::SPEC, results: stated.len(), empty_beacon: beacon.is_empty() }
    } else {
        Verdict::Differs(diffs)
    })
}

fn describe(a: &Assignment) -> String {
    format!("{} ({}) → {}", a.entity, a.stratum, a.team.join(", "))
}

/// Verifies a grouping record.
pub fn verify_grouping(r: &GroupingRecord) -> Result<Verdict, RecordError> {
    let (Some(secret), Some(beacon), Some(stated_seed), Some(pairs), Some(result_digest)) =
        (&r.secret, &r.beacon, &r.seed, &r.pairs, &r.result_digest)
    else {
        return Err(RecordError::NotRevealed);
    };
    let mut diffs = Vec::new();
    let Some(secret) = hex32("secret", secret, &mut diffs) else { return Ok(Verdict::Differs(diffs)) };
    compare("commitment", &r.commitment, &commitment(&secret), &mut diffs);
    let inputs = GroupingInputs { participants: r.participants.clone(), previous: r.previous.clone() };
    let frozen = match inputs.freeze() {
        Ok(f) => f,
        Err(e) => {
            diffs.push(format!("the inputs are invalid: {e}"));
            return Ok(Verdict::Differs(diffs));
        }
    };
    compare("inputs_digest", &r.inputs_digest, &frozen.digest(), &mut diffs);
    let s = seed(&frozen.digest(), &secret, beacon);
    compare("seed", stated_seed, &s, &mut diffs);
    let g = frozen.draw(&s);
    if &g.pairs != pairs {
        diffs.push(format!("pairs differ: the record says {pairs:?}, recomputed {:?}", g.pairs));
    }
    if r.attempt != Some(g.attempt) || r.repeats != Some(g.repeats) {
        diffs.push(format!("attempt/repeats differ: recomputed attempt {} with {} repeats", g.attempt, g.repeats));
    }
    compare("result_digest", result_digest, &sha256(grouping::result_text(&g.pairs).as_bytes()), &mut diffs);
    Ok(if diffs.is_empty() {
        Verdict::Verified { spec: grouping::SPEC, results: pairs.len(), empty_beacon: beacon.is_empty() }
    } else {
        Verdict::Differs(diffs)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::vectors;

    fn spot_record() -> SpotRecord {
        let c = |id: &str, s: &str| (id.to_owned(), s.to_owned());
        let inputs = SpotInputs {
            kind: "spot_check".into(),
            team_size: 2,
            candidates: vec![
                c("91341500MA2N0001XH", "high"),
                c("91341500MA2N00028H", "general"),
                c("91341500MA2N00036C", "high"),
                c("91341500MA2N000447", "general"),
                c("91341500MA2N000522", "general"),
                c("91341500MA2N00060W", "major"),
                c("91341500MA2N00079R", "general"),
                c("91341500MA2N00087L", "high"),
            ],
            quotas: vec![("major".into(), 1), ("high".into(), 2), ("general".into(), 2)],
            inspectors: ["AH-0001", "AH-0002", "AH-0003", "AH-0004", "AH-0005"].map(String::from).to_vec(),
            conflicts: vec![("AH-0002".into(), "91341500MA2N000447".into())],
        };
        SpotRecord::reveal(&inputs.freeze().unwrap(), &vectors::secret(), "beacon-2023-07-01").unwrap()
    }

    fn verdict(r: &SpotRecord) -> Verdict {
        verify_json(&serde_json::to_string(r).unwrap()).unwrap()
    }

    #[test]
    fn a_published_record_round_trips_through_json_and_verifies() {
        let r = spot_record();
        assert_eq!(
            r.result_digest.as_deref(),
            Some("c82ede0dd09af8d4f7edf8ab061dbe48169226d72074cfc4c0279109ee92d75a")
        );
        assert_eq!(verdict(&r), Verdict::Verified { spec: spot::SPEC, results: 5, empty_beacon: false });
        // Extra fields (ids, times, names) are ignored.
        let mut v = serde_json::to_value(&r).unwrap();
        v["plan_no"] = "SC-2023-0001".into();
        assert!(matches!(verify_json(&v.to_string()).unwrap(), Verdict::Verified { .. }));
    }

    #[test]
    fn tampered_records_fail_and_say_what_differs() {
        let mut r = spot_record();
        r.assignments.as_mut().unwrap()[1].team[0] = "AH-0003".into();
        let Verdict::Differs(d) = verdict(&r) else { panic!("a changed team member must not verify") };
        assert!(d[0].starts_with("assignment 2 differs"), "{d:?}");

        let mut r = spot_record();
        r.candidates.remove(4);
        let Verdict::Differs(d) = verdict(&r) else { panic!("a removed candidate must not verify") };
        assert!(d.iter().any(|x| x.starts_with("inputs_digest differs")), "{d:?}");

        let mut r = spot_record();
        r.beacon = Some("beacon-2023-07-02".into());
        let Verdict::Differs(d) = verdict(&r) else { panic!("a changed beacon must not verify") };
        assert!(d.iter().any(|x| x.starts_with("seed differs")), "{d:?}");

        let mut r = spot_record();
        r.secret = Some(hex::encode([9u8; 32]));
        let Verdict::Differs(d) = verdict(&r) else { panic!("another secret must not verify") };
        assert!(d[0].starts_with("commitment differs"), "{d:?}");
    }

    #[test]
    fn the_full_record_is_the_committed_text_followed_by_the_reveal() {
        let full = spot_record();
        let frozen = full.inputs().freeze().unwrap();
        let secret = vectors::secret();
        let committed = serde_json::to_string(&CommittedSpot::new(&frozen, &commitment(&secret))).unwrap();
        assert_eq!(committed, serde_json::to_string(&SpotRecord::committed(&frozen, &commitment(&secret))).unwrap());
        let reveal = SpotReveal::of(&frozen, &secret, "beacon-2023-07-01").unwrap();
        let joined = join_record(&committed, &serde_json::to_string(&reveal).unwrap()).unwrap();
        assert!(joined.starts_with(committed.strip_suffix('}').unwrap()), "the committed text is a prefix");
        assert_eq!(serde_json::from_str::<SpotRecord>(&joined).unwrap(), full);
        assert!(matches!(verify_json(&joined).unwrap(), Verdict::Verified { results: 5, .. }));
        // A full record also reads as its reveal (readers that need only the teams).
        assert_eq!(serde_json::from_str::<SpotReveal>(&serde_json::to_string(&full).unwrap()).unwrap(), reveal);
        for (c, r) in [("[]", "{}"), ("{}", r#"{"a":1}"#), (r#"{"a":1}"#, "{}"), (r#"{"a":1}"#, "[1]")] {
            assert_eq!(join_record(c, r), None, "{c} + {r}");
        }
    }

    #[test]
    fn a_record_before_the_reveal_cannot_be_verified_yet() {
        let r = spot_record();
        let frozen = r.inputs().freeze().unwrap();
        let committed = SpotRecord::committed(&frozen, &commitment(&vectors::secret()));
        let json = serde_json::to_string(&committed).unwrap();
        assert!(!json.contains("secret") && !json.contains("assignments"));
        assert!(matches!(verify_json(&json), Err(RecordError::NotRevealed)));
    }

    #[test]
    fn grouping_records_verify_and_detect_tampering() {
        let inputs = GroupingInputs {
            participants: ["341502", "341503", "341504", "341522", "341523", "341524", "341525"]
                .map(String::from)
                .to_vec(),
            previous: vec![("341504".into(), "341522".into())],
        };
        let r = GroupingRecord::reveal(&inputs.freeze().unwrap(), &vectors::secret(), "");
        assert_eq!(
            r.result_digest.as_deref(),
            Some("6d2e1db81f1359deb811395ed8787e9876f1527ff0b0af58527b1c7cc6aab05d")
        );
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            verify_json(&json).unwrap(),
            Verdict::Verified { spec: grouping::SPEC, results: 7, empty_beacon: true }
        );
        let mut t = r.clone();
        t.pairs.as_mut().unwrap().swap(0, 1);
        assert!(matches!(verify_json(&serde_json::to_string(&t).unwrap()).unwrap(), Verdict::Differs(_)));
    }

    #[test]
    fn unknown_specs_are_named() {
        assert!(matches!(verify_json(r#"{"spec":"other/9"}"#), Err(RecordError::UnknownSpec(s)) if s == "other/9"));
    }
}
