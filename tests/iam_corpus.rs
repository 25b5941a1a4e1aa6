//! The IAM evaluation corpus (`tests/corpus/iam/*.json`): requests written from the AWS
//! documentation with their expected decisions, run through the library and the binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::path::PathBuf;

use assert_cmd::Command;
use rampart::policy::simulate::parse_input;
use serde_json::Value;

fn corpus_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/iam");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_case_gets_its_documented_decision() {
    let mut failures = Vec::new();
    let mut total = 0;
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for file in corpus_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
        for case in cases {
            total += 1;
            let name = case["name"].as_str().unwrap_or("?").to_owned();
            let expected = case["expect"]["decision"].as_str().unwrap().to_owned();
            *outcomes.entry(expected.clone()).or_default() += 1;
            let input = case["input"].to_string();
            let (parsed, _) = match parse_input(&input) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{}: {name}: bad input: {e}", file.display()));
                    continue;
                }
            };
            let result = parsed[0].evaluate();
            let actual = serde_json::to_value(result.decision).unwrap();
            if actual != expected.as_str() {
                failures.push(format!(
                    "{}: {name}: expected {expected}, got {actual} ({}) — {}",
                    file.file_name().unwrap().to_string_lossy(),
                    result.reason,
                    case["doc"].as_str().unwrap_or("")
                ));
            }
        }
    }
    assert!(
        total >= 120,
        "the corpus has {total} cases, expected at least 120"
    );
    for decision in ["allow", "explicit-deny", "implicit-deny"] {
        assert!(
            outcomes.get(decision).copied().unwrap_or(0) > 0,
            "no `{decision}` case"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_binary_answers_a_batch_in_input_order() {
    let file = corpus_files().into_iter().next().expect("a corpus file");
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let inputs: Vec<Value> = cases.iter().map(|c| c["input"].clone()).collect();
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .args(["iam", "simulate", "--input", "-"])
        .write_stdin(serde_json::to_string(&inputs).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), cases.len());
    for (case, result) in cases.iter().zip(&results) {
        assert_eq!(
            result["decision"], case["expect"]["decision"],
            "{}",
            case["name"]
        );
        assert!(result["reason"].is_string());
        assert!(result["matched"].is_array());
    }
}
