//! `inspectorate draw verify` on published records of both kinds.

use std::process::Command;
use store::domain::draw::grouping::GroupingInputs;
use store::domain::draw::record::{GroupingRecord, SpotRecord};
use store::domain::draw::spot::SpotInputs;

fn verify(path: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_inspectorate")).args(["draw", "verify"]).arg(path).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn draw_verify_accepts_true_records_of_both_kinds_and_names_what_a_tampered_one_changed() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = SpotInputs {
        kind: "spot_check".into(),
        team_size: 2,
        candidates: (0..40)
            .map(|i| (format!("91341522MA{i:08}"), ["major", "high", "general", "low"][i % 4].to_owned()))
            .collect(),
        quotas: vec![("major".into(), 3), ("high".into(), 2), ("general".into(), 1), ("low".into(), 1)],
        inspectors: (1..=6).map(|i| format!("AH-{i:04}")).collect(),
        conflicts: vec![("AH-0001".into(), "91341522MA00000000".into())],
    };
    let record = SpotRecord::reveal(&inputs.freeze().unwrap(), &[42; 32], "2023-07-01 lottery 03 17 22").unwrap();
    let good = dir.path().join("draw.json");
    std::fs::write(&good, serde_json::to_string_pretty(&record).unwrap()).unwrap();
    let (code, out) = verify(&good);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("all 7 results recompute exactly"), "{out}");

    let mut tampered = record.clone();
    tampered.assignments.as_mut().unwrap()[0].team[1] = "AH-0006".into();
    let bad = dir.path().join("tampered.json");
    std::fs::write(&bad, serde_json::to_string(&tampered).unwrap()).unwrap();
    let (code, out) = verify(&bad);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("DOES NOT VERIFY") && out.contains("assignment 1 differs"), "{out}");

    let grouping = GroupingInputs { participants: (1..=5).map(|i| format!("34150{i}")).collect(), previous: vec![] };
    let g = GroupingRecord::reveal(&grouping.freeze().unwrap(), &[7; 32], "");
    let gpath = dir.path().join("grouping.json");
    std::fs::write(&gpath, serde_json::to_string(&g).unwrap()).unwrap();
    let (code, out) = verify(&gpath);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("beacon is empty"), "an empty beacon is called out: {out}");

    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"spec\": \"inspectorate-draw/1\"}").unwrap();
    let (code, out) = verify(&junk);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not a draw record"), "{out}");
}
