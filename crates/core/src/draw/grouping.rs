//! Cross-inspection grouping (`inspectorate-grouping/1`, spec §5): one cycle over the
//! participating counties, so each sends one team to exactly one other county, nobody
//! inspects itself, and last round's pairs are avoided where possible.

use super::stream::Stream;
use super::{DrawError, check_token, sha256};
use std::collections::HashSet;

/// The spec version tag.
pub const SPEC: &str = "inspectorate-grouping/1";

/// How many shuffles are tried before keeping the one with the fewest repeated pairs.
pub const ATTEMPTS: usize = 100;

/// Grouping inputs as given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupingInputs {
    /// Region codes of the participating counties.
    pub participants: Vec<String>,
    /// `(inspector region, inspected region)` pairs to avoid (the last round's).
    pub previous: Vec<(String, String)>,
}

/// Validated inputs in canonical order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenGrouping {
    inputs: GroupingInputs,
    canonical: String,
    digest: [u8; 32],
}

/// The grouping drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    /// `(visiting county, inspected county)` in cycle order.
    pub pairs: Vec<(String, String)>,
    /// Index of the kept attempt.
    pub attempt: usize,
    /// How many of its pairs repeat a previous pair.
    pub repeats: usize,
}

impl GroupingInputs {
    /// Validates and freezes the inputs.
    pub fn freeze(&self) -> Result<FrozenGrouping, DrawError> {
        let mut i = self.clone();
        for p in &i.participants {
            check_token("participant", p)?;
        }
        for (a, b) in &i.previous {
            check_token("previous pair", a)?;
            check_token("previous pair", b)?;
        }
        i.participants.sort();
        if let Some(w) = i.participants.windows(2).find(|w| w[0] == w[1]) {
            return Err(DrawError::DuplicateParticipant(w[0].clone()));
        }
        if i.participants.len() < 2 {
            return Err(DrawError::Participants);
        }
        i.previous.sort();
        let mut t = format!("{SPEC}\n");
        for p in &i.participants {
            t.push_str(&format!("participant:{p}\n"));
        }
        for (a, b) in &i.previous {
            t.push_str(&format!("previous:{a},{b}\n"));
        }
        let digest = sha256(t.as_bytes());
        Ok(FrozenGrouping { inputs: i, canonical: t, digest })
    }
}

impl FrozenGrouping {
    /// The inputs in canonical order.
    pub fn inputs(&self) -> &GroupingInputs {
        &self.inputs
    }

    /// The canonical text.
    pub fn canonical_text(&self) -> &str {
        &self.canonical
    }

    /// `inputs_digest`.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// Runs the grouping on a seed.
    pub fn draw(&self, seed: &[u8; 32]) -> Grouping {
        let previous: HashSet<(&str, &str)> =
            self.inputs.previous.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut stream = Stream::new(seed);
        let mut best: Option<Grouping> = None;
        for attempt in 0..ATTEMPTS {
            let mut l: Vec<&str> = self.inputs.participants.iter().map(String::as_str).collect();
            stream.shuffle(&mut l);
            let n = l.len();
            let pairs: Vec<(String, String)> = (0..n).map(|i| (l[i].to_owned(), l[(i + 1) % n].to_owned())).collect();
            let repeats = pairs.iter().filter(|(a, b)| previous.contains(&(a.as_str(), b.as_str()))).count();
            if best.as_ref().is_none_or(|b| repeats < b.repeats) {
                best = Some(Grouping { pairs, attempt, repeats });
            }
            if repeats == 0 {
                break;
            }
        }
        best.expect("at least one attempt")
    }
}

/// The canonical result text (`pair:<a>,<b>` lines).
pub fn result_text(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(a, b)| format!("pair:{a},{b}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::{seed, vectors};

    fn luan() -> GroupingInputs {
        GroupingInputs {
            participants: ["341525", "341502", "341503", "341504", "341522", "341523", "341524"]
                .map(String::from)
                .to_vec(),
            previous: vec![("341504".into(), "341522".into())],
        }
    }

    #[test]
    fn the_spec_example_reproduces_bit_for_bit() {
        let frozen = luan().freeze().unwrap();
        assert_eq!(
            frozen.canonical_text(),
            "inspectorate-grouping/1\nparticipant:341502\nparticipant:341503\nparticipant:341504\nparticipant:341522\n\
participant:341523\nparticipant:341524\nparticipant:341525\nprevious:341504,341522\n"
        );
        assert_eq!(hex::encode(frozen.digest()), "063b39a375fbd8d8153cc4ba276e795e952284a7ec7458f833d68b0a507dd8c7");
        let s = seed(&frozen.digest(), &vectors::secret(), "");
        assert_eq!(hex::encode(s), "e5635b475b254c47e239aab266a8a4b9fdda878093b6ce4eb47e665555fb3d0a");
        let g = frozen.draw(&s);
        assert_eq!((g.attempt, g.repeats), (1, 0));
        let text = result_text(&g.pairs);
        assert_eq!(
            text,
            "pair:341525,341524\npair:341524,341502\npair:341502,341522\npair:341522,341523\n\
pair:341523,341504\npair:341504,341503\npair:341503,341525\n"
        );
        assert_eq!(
            hex::encode(sha256(text.as_bytes())),
            "6d2e1db81f1359deb811395ed8787e9876f1527ff0b0af58527b1c7cc6aab05d"
        );
    }

    #[test]
    fn nobody_inspects_itself_and_each_county_is_inspected_once() {
        for n in 2..12 {
            let participants: Vec<String> = (0..n).map(|i| format!("3415{i:02}")).collect();
            let frozen = GroupingInputs { participants: participants.clone(), previous: vec![] }.freeze().unwrap();
            for beacon in ["x", "y", "z"] {
                let g = frozen.draw(&seed(&frozen.digest(), &vectors::secret(), beacon));
                assert!(g.pairs.iter().all(|(a, b)| a != b));
                let mut visited: Vec<_> = g.pairs.iter().map(|p| p.1.clone()).collect();
                visited.sort();
                assert_eq!(visited, participants);
                if n >= 3 {
                    assert!(
                        g.pairs.iter().all(|(a, b)| !g.pairs.contains(&(b.clone(), a.clone()))),
                        "no two inspect each other"
                    );
                }
            }
        }
    }

    #[test]
    fn fewer_than_two_or_duplicate_participants_are_refused() {
        let one = GroupingInputs { participants: vec!["341502".into()], previous: vec![] };
        assert_eq!(one.freeze().unwrap_err(), DrawError::Participants);
        let dup = GroupingInputs { participants: vec!["341502".into(), "341502".into()], previous: vec![] };
        assert_eq!(dup.freeze().unwrap_err(), DrawError::DuplicateParticipant("341502".into()));
        let bad = GroupingInputs { participants: vec!["34,1502".into(), "341503".into()], previous: vec![] };
        assert!(matches!(bad.freeze().unwrap_err(), DrawError::BadToken { .. }));
    }
}
