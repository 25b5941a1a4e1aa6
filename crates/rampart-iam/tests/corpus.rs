//! The IAM evaluation corpus (`tests/corpus/iam/*.json` at the repository root) through the
//! library alone, so that `cargo test -p rampart-iam` checks every documented decision
//! without building the command line (the root crate's `iam_corpus` test also runs the
//! binary on it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::path::PathBuf;

use rampart_iam::simulate::parse_input;
use serde_json::Value;

#[test]
fn every_corpus_case_gets_its_documented_decision() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/iam");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut total, mut failures) = (0, Vec::new());
    for file in &files {
        let cases: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for case in cases {
            total += 1;
            let name = case["name"].as_str().unwrap_or("?");
            let expected = case["expect"]["decision"].as_str().unwrap();
            let parsed = match parse_input(&case["input"].to_string()) {
                Ok((parsed, _)) => parsed,
                Err(e) => {
                    failures.push(format!("{name}: bad input: {e}"));
                    continue;
                }
            };
            let result = parsed[0].evaluate();
            let actual = serde_json::to_value(result.decision).unwrap();
            if actual != expected {
                failures.push(format!(
                    "{}: {name}: expected {expected}, got {actual} ({})",
                    file.file_name().unwrap().to_string_lossy(),
                    result.reason
                ));
            }
        }
    }
    assert!(total > 0, "no corpus case in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
