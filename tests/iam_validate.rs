//! `rampart iam validate` end to end on the fixtures in `tests/data/policies/`: exit codes,
//! the text, JSON and SARIF formats, unreadable files and determinism.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::{repo_path, validate_sarif};

const DIR: &str = "tests/data/policies";

fn rampart() -> Command {
    let mut cmd = Command::cargo_bin("rampart").expect("binary is built");
    cmd.current_dir(repo_path(""));
    cmd
}

/// Runs `rampart iam validate ARGS…` and returns (exit code, stdout).
fn validate(args: &[&str]) -> (i32, String) {
    let output = rampart()
        .args(["iam", "validate"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let code = output.status.code().expect("exited");
    (code, stdout)
}

fn fixture(name: &str) -> String {
    format!("{DIR}/{name}")
}

/// The `code` of each text line (`FILE:L:C: severity[code]: …`).
fn codes(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| Some(l.split_once('[')?.1.split_once(']')?.0.to_owned()))
        .collect()
}

#[test]
fn a_good_policy_passes_silently() {
    let (code, out) = validate(&[&fixture("good-identity.json")]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out) = validate(&["--policy-type", "trust", &fixture("good-trust.json")]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn the_policy_type_decides_whether_principal_belongs() {
    let (code, out) = validate(&[&fixture("good-trust.json")]);
    assert_eq!(code, 1);
    let f = fixture("good-trust.json");
    assert_eq!(
        out,
        format!(
            "{f}:4:5: high[missing-resource]: statement #1 has no `Resource` or `NotResource`\n\
             {f}:6:7: high[unsupported-principal]: `Principal` is not supported in an identity-based policy: remove it\n"
        )
    );
    let (code, out) = validate(&["--policy-type", "resource", &fixture("good-identity.json")]);
    assert_eq!(code, 1);
    assert_eq!(codes(&out), ["missing-principal", "missing-principal"]);
}

#[test]
fn a_bad_policy_fails_with_every_finding_in_order() {
    let f = fixture("bad-identity.json");
    let (code, out) = validate(&[&f]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&out),
        [
            "unsupported-principal",
            "unknown-action",
            "action-matches-nothing",
            "allow-not-resource",
            "condition-type-mismatch",
            "invalid-condition-operator",
            "duplicate-sid",
        ],
        "{out}"
    );
    let first_lines: Vec<&str> = out.lines().take(2).collect();
    assert_eq!(
        first_lines,
        [
            format!("{f}:7:7: high[unsupported-principal]: `Principal` is not supported in an identity-based policy: remove it"),
            format!("{f}:8:18: medium[unknown-action]: unknown action `s3:GetObjekt`, did you mean `s3:GetObject`?"),
        ]
    );
}

#[test]
fn fail_on_sets_the_threshold() {
    let warnings = fixture("warnings-only.json");
    let suggestions = fixture("suggestions-only.json");
    let (code, out) = validate(&[&warnings]);
    assert_eq!(code, 0);
    assert_eq!(codes(&out), ["allow-for-all-values"]);
    assert_eq!(validate(&["--fail-on", "warning", &warnings]).0, 1);
    assert_eq!(validate(&["--fail-on", "warning", &suggestions]).0, 0);
    assert_eq!(validate(&["--fail-on", "suggestion", &suggestions]).0, 1);
    let (code, out) = validate(&["--fail-on", "never", &fixture("bad-identity.json")]);
    assert_eq!(code, 0);
    assert!(!out.is_empty());
}

#[test]
fn invalid_json_is_bad_input_with_its_position() {
    let f = fixture("invalid-json.json");
    let (code, out) = validate(&[&f]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with(&format!("{f}:4:67: high[json-syntax]: ")),
        "{out}"
    );
}

#[test]
fn an_unreadable_file_is_reported_the_walk_continues_and_the_exit_code_is_2() {
    let missing = fixture("does-not-exist.json");
    let (code, out) = validate(&[&missing, &fixture("warnings-only.json")]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with(&format!("{missing}: error: cannot read: ")),
        "{out}"
    );
    assert_eq!(codes(&out), ["allow-for-all-values"]);
}

#[test]
fn json_output_is_the_shared_report_envelope() {
    let (code, out) = validate(&[
        "--format",
        "json",
        &fixture("good-identity.json"),
        &fixture("warnings-only.json"),
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    // The same envelope as `rampart evaluate --format json`.
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["tool", "ruleset", "snapshot", "summary", "notices", "coverage", "findings"]
    );
    assert_eq!(v["ruleset"]["name"], "iam-validate/identity");
    assert_eq!(v["snapshot"]["taken_at"], Value::Null);
    assert_eq!(v["snapshot"]["source"]["kind"], "iac");
    let items = v["findings"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["resource"], fixture("warnings-only.json"));
    assert_eq!(item["resource_type"], "rampart::PolicyFile");
    assert_eq!(item["location"]["uri"], fixture("warnings-only.json"));
    assert_eq!(item["location"]["line"], 10);
    assert_eq!(item["location"]["column"], 9);
    assert_eq!(item["severity"], "medium");
    assert_eq!(item["status"], "fail");
    assert_eq!(item["rule_id"], "allow-for-all-values");
    assert!(item["message"].as_str().unwrap().contains("aws:TagKeys"));
    assert_eq!(item["fingerprint"].as_str().unwrap().len(), 32);
}

#[test]
fn json_names_unreadable_files_in_notices() {
    let missing = fixture("does-not-exist.json");
    let (code, out) = validate(&["--format", "json", &missing]);
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["notices"][0]["level"], "error");
    assert_eq!(v["notices"][0]["location"]["uri"], missing);
    assert!(v["notices"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("cannot read: "));
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let (code, out) = validate(&[
        "--format",
        "sarif",
        &fixture("bad-identity.json"),
        &fixture("invalid-json.json"),
        &fixture("suggestions-only.json"),
        &fixture("does-not-exist.json"),
    ]);
    assert_eq!(code, 2);
    validate_sarif(&out).unwrap_or_else(|errors| panic!("{}", errors.join("\n")));
    let v: Value = serde_json::from_str(&out).unwrap();
    let run = &v["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 7 + 1 + 1);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert!(artifact["uri"].as_str().unwrap().starts_with(DIR));
        assert!(r["partialFingerprints"]["rampart/v1"].is_string());
    }
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn out_writes_the_file_and_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.sarif");
    let args = [
        "--format",
        "sarif",
        "--out",
        path.to_str().unwrap(),
        &fixture("bad-identity.json"),
    ];
    let (code, out) = validate(&args);
    assert_eq!((code, out.as_str()), (1, ""));
    let first = std::fs::read_to_string(&path).unwrap();
    validate(&args);
    assert_eq!(first, std::fs::read_to_string(&path).unwrap());
}
