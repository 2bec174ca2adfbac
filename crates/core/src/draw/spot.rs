//! The spot-check draw (`inspectorate-draw/1`, spec §2 and §4): enterprises drawn per risk
//! stratum, each given a team of inspectors drawn from one shuffled roster, skipping declared
//! conflicts of interest.

use super::stream::Stream;
use super::{DrawError, check_token, sha256};
use std::collections::{HashMap, HashSet};

/// The spec version tag.
pub const SPEC: &str = "inspectorate-draw/1";

/// Draw inputs as given (any order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpotInputs {
    /// Draw kind (`spot_check`, `cross_inspection`, `covert_check`).
    pub kind: String,
    /// Inspectors per team.
    pub team_size: i64,
    /// `(candidate id, stratum)`: credit codes and risk strata.
    pub candidates: Vec<(String, String)>,
    /// `(stratum, count)` in processing order.
    pub quotas: Vec<(String, i64)>,
    /// Inspector ids (badge numbers).
    pub inspectors: Vec<String>,
    /// `(inspector id, candidate id)` pairs that must not meet.
    pub conflicts: Vec<(String, String)>,
}

/// Validated inputs in canonical order, with their canonical text and digest. Once frozen,
/// the inputs cannot change without the digest changing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenSpot {
    inputs: SpotInputs,
    canonical: String,
    digest: [u8; 32],
}

/// One drawn enterprise and its team.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assignment {
    /// Candidate id.
    pub entity: String,
    /// Its stratum.
    pub stratum: String,
    /// Inspector ids, in the order picked.
    pub team: Vec<String>,
}

impl SpotInputs {
    /// Validates the inputs (spec §2) and freezes them in canonical order.
    pub fn freeze(&self) -> Result<FrozenSpot, DrawError> {
        self.clone().into_frozen()
    }

    /// [`freeze`](Self::freeze), consuming the inputs: a province-wide draw has a million
    /// candidates, and copying them costs as much as drawing.
    pub fn into_frozen(self) -> Result<FrozenSpot, DrawError> {
        let mut i = self;
        check_token("kind", &i.kind)?;
        for (id, stratum) in &i.candidates {
            check_token("candidate id", id)?;
            check_token("stratum", stratum)?;
        }
        for (stratum, _) in &i.quotas {
            check_token("stratum", stratum)?;
        }
        for id in &i.inspectors {
            check_token("inspector id", id)?;
        }
        i.candidates.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(w) = i.candidates.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(DrawError::DuplicateCandidate(w[0].0.clone()));
        }
        i.inspectors.sort();
        if let Some(w) = i.inspectors.windows(2).find(|w| w[0] == w[1]) {
            return Err(DrawError::DuplicateInspector(w[0].clone()));
        }
        let mut sizes: HashMap<&str, usize> = HashMap::new();
        for (_, stratum) in &i.candidates {
            *sizes.entry(stratum).or_default() += 1;
        }
        let mut seen = HashSet::new();
        for (stratum, count) in &i.quotas {
            if !seen.insert(stratum.as_str()) {
                return Err(DrawError::DuplicateQuota(stratum.clone()));
            }
            if *count < 0 {
                return Err(DrawError::NegativeQuota(stratum.clone()));
            }
            let size = sizes.get(stratum.as_str()).copied().unwrap_or(0);
            if *count as u64 > size as u64 {
                return Err(DrawError::QuotaTooLarge { stratum: stratum.clone(), count: *count, size });
            }
        }
        if i.team_size < 1 || i.team_size as u64 > i.inspectors.len() as u64 {
            return Err(DrawError::TeamSize { team_size: i.team_size, inspectors: i.inspectors.len() });
        }
        for (inspector, candidate) in &i.conflicts {
            let known = i.inspectors.binary_search(inspector).is_ok()
                && i.candidates.binary_search_by(|c| c.0.as_str().cmp(candidate)).is_ok();
            if !known {
                return Err(DrawError::UnknownConflict { inspector: inspector.clone(), candidate: candidate.clone() });
            }
        }
        i.conflicts.sort();
        let canonical = canonical_text(&i);
        let digest = sha256(canonical.as_bytes());
        Ok(FrozenSpot { inputs: i, canonical, digest })
    }
}

fn canonical_text(i: &SpotInputs) -> String {
    let mut t = String::with_capacity(64 + i.candidates.len() * 32 + i.inspectors.len() * 16);
    t.push_str(SPEC);
    t.push('\n');
    t.push_str(&format!("kind:{}\nteam_size:{}\n", i.kind, i.team_size));
    for (id, stratum) in &i.candidates {
        t.push_str("candidate:");
        t.push_str(id);
        t.push(',');
        t.push_str(stratum);
        t.push('\n');
    }
    for (stratum, count) in &i.quotas {
        t.push_str(&format!("quota:{stratum},{count}\n"));
    }
    for id in &i.inspectors {
        t.push_str("inspector:");
        t.push_str(id);
        t.push('\n');
    }
    for (inspector, candidate) in &i.conflicts {
        t.push_str(&format!("conflict:{inspector},{candidate}\n"));
    }
    t
}

impl FrozenSpot {
    /// The inputs in canonical order.
    pub fn inputs(&self) -> &SpotInputs {
        &self.inputs
    }

    /// The canonical text (spec §2).
    pub fn canonical_text(&self) -> &str {
        &self.canonical
    }

    /// `inputs_digest`.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// Runs the draw (spec §4) on a seed.
    pub fn draw(&self, seed: &[u8; 32]) -> Result<Vec<Assignment>, DrawError> {
        let i = &self.inputs;
        let mut stream = Stream::new(seed);
        let mut selection: Vec<(&str, &str)> = Vec::new();
        for (stratum, count) in &i.quotas {
            let mut a: Vec<(&str, &str)> =
                i.candidates.iter().filter(|c| &c.1 == stratum).map(|c| (c.0.as_str(), c.1.as_str())).collect();
            let count = *count as usize;
            stream.shuffle_prefix(&mut a, count);
            selection.extend_from_slice(&a[..count]);
        }
        let mut r: Vec<&str> = i.inspectors.iter().map(String::as_str).collect();
        stream.shuffle(&mut r);
        let conflicts: HashSet<(&str, &str)> = i.conflicts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let team_size = i.team_size as usize;
        let mut p = 0usize;
        let mut out = Vec::with_capacity(selection.len());
        for (entity, stratum) in selection {
            let mut team = Vec::with_capacity(team_size);
            let mut scanned = 0;
            while team.len() < team_size && scanned < r.len() {
                let x = r[p % r.len()];
                p += 1;
                scanned += 1;
                if !conflicts.contains(&(x, entity)) {
                    team.push(x.to_owned());
                }
            }
            if team.len() < team_size {
                return Err(DrawError::NotEnoughInspectors(entity.to_owned()));
            }
            out.push(Assignment { entity: entity.to_owned(), stratum: stratum.to_owned(), team });
        }
        Ok(out)
    }
}

/// The canonical result text (spec §4 step 4).
pub fn result_text(assignments: &[Assignment]) -> String {
    let mut t = String::with_capacity(assignments.len() * 64);
    for a in assignments {
        t.push_str(&format!("assign:{},{},{}\n", a.entity, a.stratum, a.team.join(";")));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::{commitment, seed, vectors};

    fn example() -> SpotInputs {
        let c = |id: &str, s: &str| (id.to_owned(), s.to_owned());
        SpotInputs {
            kind: "spot_check".into(),
            team_size: 2,
            // Deliberately not in canonical order: freezing sorts.
            candidates: vec![
                c("91341500MA2N00087L", "high"),
                c("91341500MA2N0001XH", "high"),
                c("91341500MA2N00028H", "general"),
                c("91341500MA2N00036C", "high"),
                c("91341500MA2N000447", "general"),
                c("91341500MA2N000522", "general"),
                c("91341500MA2N00060W", "major"),
                c("91341500MA2N00079R", "general"),
            ],
            quotas: vec![("major".into(), 1), ("high".into(), 2), ("general".into(), 2)],
            inspectors: ["AH-0003", "AH-0001", "AH-0002", "AH-0005", "AH-0004"].map(String::from).to_vec(),
            conflicts: vec![("AH-0002".into(), "91341500MA2N000447".into())],
        }
    }

    const CANONICAL: &str = "inspectorate-draw/1\nkind:spot_check\nteam_size:2\n\
candidate:91341500MA2N0001XH,high\ncandidate:91341500MA2N00028H,general\ncandidate:91341500MA2N00036C,high\n\
candidate:91341500MA2N000447,general\ncandidate:91341500MA2N000522,general\ncandidate:91341500MA2N00060W,major\n\
candidate:91341500MA2N00079R,general\ncandidate:91341500MA2N00087L,high\n\
quota:major,1\nquota:high,2\nquota:general,2\n\
inspector:AH-0001\ninspector:AH-0002\ninspector:AH-0003\ninspector:AH-0004\ninspector:AH-0005\n\
conflict:AH-0002,91341500MA2N000447\n";

    #[test]
    fn the_spec_example_reproduces_bit_for_bit() {
        let frozen = example().freeze().unwrap();
        assert_eq!(frozen.canonical_text(), CANONICAL);
        assert_eq!(hex::encode(frozen.digest()), "a29de288621ca03f4ebdff507add17dd41243f3b91994f3e7341bc66042e1514");
        let secret = vectors::secret();
        assert_eq!(
            hex::encode(commitment(&secret)),
            "68d6f61c1730344eb9ea0bae715f42d602cb9abbd944838dae20571159695108"
        );
        let s = seed(&frozen.digest(), &secret, "beacon-2023-07-01");
        assert_eq!(hex::encode(s), "704b4f29671616340175bd0447df44b9fef59e5a49bab92174cb6b307e6691c4");
        let result = result_text(&frozen.draw(&s).unwrap());
        assert_eq!(
            result,
            "assign:91341500MA2N00060W,major,AH-0005;AH-0001\nassign:91341500MA2N0001XH,high,AH-0002;AH-0004\n\
assign:91341500MA2N00036C,high,AH-0003;AH-0005\nassign:91341500MA2N000447,general,AH-0001;AH-0004\n\
assign:91341500MA2N00079R,general,AH-0003;AH-0005\n"
        );
        assert_eq!(
            hex::encode(sha256(result.as_bytes())),
            "c82ede0dd09af8d4f7edf8ab061dbe48169226d72074cfc4c0279109ee92d75a"
        );
    }

    fn refused(change: impl Fn(&mut SpotInputs)) -> DrawError {
        let mut i = example();
        change(&mut i);
        i.freeze().unwrap_err()
    }

    #[test]
    fn every_invalid_input_the_spec_lists_is_refused() {
        assert!(matches!(refused(|i| i.kind = String::new()), DrawError::BadToken { what: "kind", .. }));
        for bad in ["a,b", "a;b", "a:b", "a\nb", ""] {
            assert!(matches!(refused(|i| i.candidates[0].0 = bad.into()), DrawError::BadToken { .. }), "{bad:?}");
            assert!(matches!(refused(|i| i.candidates[0].1 = bad.into()), DrawError::BadToken { .. }), "{bad:?}");
            assert!(matches!(refused(|i| i.inspectors[0] = bad.into()), DrawError::BadToken { .. }), "{bad:?}");
        }
        assert!(matches!(refused(|i| i.quotas[0].0 = "x:y".into()), DrawError::BadToken { .. }));
        assert!(matches!(refused(|i| i.candidates[1].0 = i.candidates[0].0.clone()), DrawError::DuplicateCandidate(_)));
        assert!(matches!(refused(|i| i.inspectors[1] = i.inspectors[0].clone()), DrawError::DuplicateInspector(_)));
        assert!(matches!(refused(|i| i.quotas.push(("high".into(), 1))), DrawError::DuplicateQuota(_)));
        assert!(matches!(refused(|i| i.quotas[0].1 = 2), DrawError::QuotaTooLarge { size: 1, .. }));
        assert!(matches!(refused(|i| i.quotas.push(("low".into(), 1))), DrawError::QuotaTooLarge { size: 0, .. }));
        assert!(matches!(refused(|i| i.quotas[0].1 = -1), DrawError::NegativeQuota(_)));
        assert!(matches!(refused(|i| i.team_size = 0), DrawError::TeamSize { .. }));
        assert!(matches!(refused(|i| i.team_size = 6), DrawError::TeamSize { .. }));
        assert!(matches!(
            refused(|i| i.conflicts.push(("AH-9999".into(), "91341500MA2N000447".into()))),
            DrawError::UnknownConflict { .. }
        ));
        assert!(matches!(
            refused(|i| i.conflicts.push(("AH-0001".into(), "nobody".into()))),
            DrawError::UnknownConflict { .. }
        ));
    }

    #[test]
    fn a_draw_that_cannot_staff_a_team_fails_and_names_the_entity() {
        let mut i = example();
        i.team_size = 5;
        i.quotas = vec![("general".into(), 4)];
        let frozen = i.freeze().unwrap();
        let s = seed(&frozen.digest(), &vectors::secret(), "");
        assert_eq!(frozen.draw(&s).unwrap_err(), DrawError::NotEnoughInspectors("91341500MA2N000447".into()));
    }

    #[test]
    fn conflicts_are_never_drawn_together() {
        let mut i = example();
        i.quotas = vec![("general".into(), 4)];
        i.conflicts = i.inspectors.iter().take(3).map(|x| (x.clone(), "91341500MA2N000447".into())).collect();
        let frozen = i.freeze().unwrap();
        for beacon in ["a", "b", "c", "d", "e"] {
            let assignments = frozen.draw(&seed(&frozen.digest(), &vectors::secret(), beacon)).unwrap();
            let team = &assignments.iter().find(|a| a.entity == "91341500MA2N000447").unwrap().team;
            assert!(team.iter().all(|x| x == "AH-0004" || x == "AH-0005"), "{team:?}");
        }
    }
}
