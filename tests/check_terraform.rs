//! `rampart check` end to end over a Terraform root (`fixtures/iac/tf-root`): the plan's
//! findings are placed at their blocks in the `.tf` files (the root module's and a local
//! module's), `count` instances at their block, and a `# rampart:skip=…` comment is an
//! `inSource` suppression with its reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

mod common;

use assert_cmd::Command;
use serde_json::Value;

const ROOT: &str = "fixtures/iac/tf-root";

/// Runs `rampart check` from the repository root (so URIs are repository-relative).
fn check(args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("rampart").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .args(["--now", "2026-12-01T00:00:00Z"]);
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every result as (rule, uri, line, column, level, suppression kind).
fn results(log: &Value) -> Vec<(String, String, u64, u64, String, Option<String>)> {
    let mut out: Vec<_> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let pl = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                pl["artifactLocation"]["uri"].as_str().unwrap().to_owned(),
                pl["region"]["startLine"].as_u64().unwrap(),
                pl["region"]["startColumn"].as_u64().unwrap(),
                r["level"].as_str().unwrap_or("warning").to_owned(),
                r["suppressions"][0]["kind"].as_str().map(str::to_owned),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn plan_findings_name_the_tf_blocks_and_honour_skip_comments() {
    let (code, out, err) = check(&[ROOT, "--format", "sarif"]);
    assert_eq!(code, 1, "{err}");
    common::validate_sarif(&out).unwrap_or_else(|e| panic!("invalid SARIF: {e:#?}"));
    let log: Value = serde_json::from_str(&out).unwrap();
    let all = results(&log);
    let of = |rule: &str| -> Vec<(String, u64, u64, String, Option<String>)> {
        all.iter()
            .filter(|r| r.0 == rule)
            .map(|r| (r.1.clone(), r.2, r.3, r.4.clone(), r.5.clone()))
            .collect()
    };
    let main = "fixtures/iac/tf-root/main.tf".to_owned();
    let audit = "fixtures/iac/tf-root/modules/audit/main.tf".to_owned();
    assert_eq!(
        of("sg-admin-ports-not-open-to-internet"),
        [(main.clone(), 16, 1, "error".to_owned(), None)]
    );
    assert_eq!(
        of("rds-storage-encrypted"),
        [(main.clone(), 29, 1, "error".to_owned(), None)]
    );
    // Both instances of `count = 2` at their block; the module's volume is skipped.
    assert_eq!(
        of("ebs-volume-encrypted"),
        [
            (main.clone(), 38, 1, "error".to_owned(), None),
            (main.clone(), 38, 1, "error".to_owned(), None),
            (
                audit.clone(),
                34,
                1,
                "error".to_owned(),
                Some("inSource".to_owned())
            ),
        ]
    );
    // The key's policy is decided at apply: unknown, a note, never a pass.
    assert_eq!(
        of("kms-key-policy-no-wildcard-principal"),
        [(audit.clone(), 4, 1, "note".to_owned(), None)]
    );
    // No result points into the plan: every resource was found in a `.tf` file.
    assert!(all.iter().all(|r| r.1.ends_with(".tf")), "{all:#?}");
    let suppressed = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["suppressions"][0]["kind"] == "inSource")
        .unwrap();
    assert_eq!(
        suppressed["suppressions"][0]["justification"],
        "scratch space holds only public build artefacts (suppressed in source at fixtures/iac/tf-root/modules/audit/main.tf:33:1)"
    );
}

#[test]
fn text_shows_the_tf_line_under_each_finding() {
    let (code, out, _) = check(&[ROOT]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "fixtures/iac/tf-root/main.tf:16:1: high[sg-admin-ports-not-open-to-internet]:"
        ),
        "{out}"
    );
    assert!(
        out.contains("\n    resource \"aws_security_group\" \"bastion\" {\n    ^\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "fixtures/iac/tf-root/modules/audit/main.tf:34:1: high (waived)[ebs-volume-encrypted]"
        ),
        "{out}"
    );
}

#[test]
fn a_skip_without_a_reason_is_an_error_at_the_comment() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("modules/audit")).unwrap();
    for file in ["plan.json", "main.tf", "modules/audit/main.tf"] {
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(ROOT)
                .join(file),
            root.join(file),
        )
        .unwrap();
    }
    let module = root.join("modules/audit/main.tf");
    let text = std::fs::read_to_string(&module).unwrap().replace(
        "# rampart:skip=ebs-volume-encrypted scratch space holds only public build artefacts",
        "# rampart:skip=ebs-volume-encrypted",
    );
    std::fs::write(&module, text).unwrap();
    let mut cmd = Command::cargo_bin("rampart").unwrap();
    let out = cmd
        .current_dir(root)
        .args(["check", ".", "--now", "2026-12-01T00:00:00Z"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{err}");
    assert!(
        format!("{stdout}{err}").contains(
            "modules/audit/main.tf:33:1: error: the skip of `ebs-volume-encrypted` needs a reason"
        ),
        "{stdout}{err}"
    );
}
