//! Determinism: the same inputs give byte-identical outputs, run after run and whatever the
//! number of threads, for `evaluate`, `check`, `report` and `scp` in every format.
//!
//! No output holds the wall clock. The one time an output carries is the evaluation time:
//! the snapshot's `taken_at` (or `--now`), which is `snapshot.taken_at` in the JSON
//! envelope and `evaluated_at` in the evidence bundle's manifest; `check` has no snapshot
//! and carries none. A recorded run's time lives in the history database only.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

mod common;
use common::repo_path;

/// Runs `rampart ARGS` with `threads` rayon threads (`OUT` in `args` is replaced by a
/// fresh path) and returns stdout (that path written `OUT`) and every file written.
fn outputs(args: &[&str], threads: &str) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if *a == "OUT" {
                out.to_string_lossy().into_owned()
            } else {
                (*a).to_owned()
            }
        })
        .collect();
    let output = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(repo_path("."))
        .env("RAYON_NUM_THREADS", threads)
        .env_remove("RAMPART_NOW")
        .env_remove("RAMPART_DB")
        .args(&args)
        .output()
        .unwrap();
    let code = output.status.code();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(code, Some(0 | 1)),
        "{args:?}: exit {code:?}: {stderr}"
    );
    let mut files = BTreeMap::new();
    // Where the output went is the one thing that differs by design.
    let stdout = String::from_utf8_lossy(&output.stdout).replace(&*out.to_string_lossy(), "OUT");
    files.insert("<stdout>".to_owned(), stdout.into_bytes());
    if out.is_dir() {
        read_tree(&out, &out, &mut files);
    } else if out.is_file() {
        files.insert("<out>".to_owned(), std::fs::read(&out).unwrap());
    }
    files
}

fn read_tree(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_tree(root, &path, files);
        } else {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.insert(name, std::fs::read(&path).unwrap());
        }
    }
}

/// Twice with two threads, once with one: every output the same, byte for byte.
fn assert_deterministic(args: &[&str]) {
    let first = outputs(args, "2");
    let second = outputs(args, "2");
    let single = outputs(args, "1");
    assert!(
        first.values().any(|bytes| !bytes.is_empty()),
        "{args:?}: no output at all"
    );
    for (name, bytes) in &first {
        for (other, label) in [(&second, "a second run"), (&single, "one thread")] {
            let theirs = other.get(name);
            assert!(
                theirs == Some(bytes),
                "{args:?}: {name} differs in {label}{}",
                first_difference(bytes, theirs.map_or(&[][..], Vec::as_slice))
            );
        }
    }
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        single.keys().collect::<Vec<_>>(),
        "{args:?}: the same files"
    );
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| format!(" at line {}:\n  {x}\n  {y}", i + 1))
        .unwrap_or_else(|| format!(" ({} vs {} bytes)", a.len(), b.len()))
}

#[test]
fn evaluate_is_deterministic_in_every_format() {
    for format in ["text", "json", "sarif"] {
        assert_deterministic(&["evaluate", "--format", format, "--out", "OUT"]);
    }
}

#[test]
fn check_is_deterministic_in_every_format_without_a_clock() {
    // No `--now`: the wall clock decides expiry but appears in no output.
    for format in ["text", "json", "sarif"] {
        assert_deterministic(&[
            "check",
            "fixtures/iac/repo",
            "--context",
            "fixtures/iac/repo/context.yaml",
            "--parse-errors",
            "warn",
            "--format",
            format,
            "--out",
            "OUT",
        ]);
    }
    assert_deterministic(&[
        "check",
        "fixtures/iac/repo",
        "--context",
        "fixtures/iac/repo/context.yaml",
        "--parse-errors",
        "warn",
        "--write-baseline",
        "OUT",
    ]);
}

#[test]
fn the_evidence_bundle_is_deterministic() {
    assert_deterministic(&["report", "--ocsf", "--out", "OUT"]);
}

#[test]
fn scp_outputs_are_deterministic() {
    assert_deterministic(&["scp", "generate", "--out", "OUT"]);
    for format in ["text", "json"] {
        // The differential check is `scp generate`'s above; without it, verify is quick.
        assert_deterministic(&["scp", "verify", "--no-differential", "--format", format]);
        assert_deterministic(&[
            "scp",
            "diff",
            "--events",
            "fixtures/cloudtrail/sample-events.jsonl",
            "--format",
            format,
        ]);
    }
}
