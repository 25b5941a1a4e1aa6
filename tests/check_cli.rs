//! `rampart check` end to end over the fixture repository `fixtures/iac/repo`: a
//! CloudFormation template with failures and an in-source suppression, a Terraform plan,
//! a policy file, and a template that does not parse among them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

mod common;

use assert_cmd::Command;
use serde_json::Value;

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

const REPO: &str = "fixtures/iac/repo";
const CONTEXT: &str = "fixtures/iac/repo/context.yaml";

fn sarif(extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![REPO, "--context", CONTEXT, "--format", "sarif"];
    args.extend_from_slice(extra);
    let (code, out, err) = check(&args);
    common::validate_sarif(&out).unwrap_or_else(|e| panic!("invalid SARIF: {e:#?}"));
    (code, serde_json::from_str(&out).unwrap(), err)
}

/// The results of `rule` at `uri`, as (line, column, level, suppression kind).
fn results(log: &Value, rule: &str, uri: &str) -> Vec<(u64, u64, String, Option<String>)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == rule)
        .filter_map(|r| {
            let pl = &r["locations"][0]["physicalLocation"];
            (pl["artifactLocation"]["uri"] == uri).then(|| {
                (
                    pl["region"]["startLine"].as_u64().unwrap(),
                    pl["region"]["startColumn"].as_u64().unwrap(),
                    r["level"].as_str().unwrap_or("warning").to_owned(),
                    r["suppressions"][0]["kind"].as_str().map(str::to_owned),
                )
            })
        })
        .collect()
}

#[test]
fn a_malformed_file_is_reported_and_the_others_are_still_checked() {
    let (code, log, err) = sarif(&[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("fixtures/iac/repo/stacks/broken.yaml:7:7: error: duplicate key `BucketName`"),
        "{err}"
    );
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "rampart");
    // The template: exact positions of the logical ids.
    let app = "fixtures/iac/repo/stacks/app.yaml";
    assert_eq!(
        results(&log, "s3-classified-secure-transport", app),
        vec![
            (12, 3, "error".to_owned(), None),
            (26, 3, "error".to_owned(), Some("inSource".to_owned())),
        ]
    );
    assert_eq!(
        results(&log, "sg-admin-ports-not-open-to-internet", app),
        vec![(37, 3, "error".to_owned(), None)]
    );
    assert_eq!(
        results(&log, "kms-key-rotation", app),
        vec![(8, 3, "warning".to_owned(), None)]
    );
    // Unknown (the organization is not given) is a note, never a pass or a failure.
    assert_eq!(
        results(&log, "kms-key-external-decrypt", app),
        vec![(8, 3, "note".to_owned(), None)]
    );
    // The plan and the policy file.
    assert_eq!(
        results(
            &log,
            "sg-admin-ports-not-open-to-internet",
            "fixtures/iac/repo/plans/network.json"
        ),
        vec![(7, 9, "error".to_owned(), None)]
    );
    assert_eq!(
        results(
            &log,
            "unknown-action",
            "fixtures/iac/repo/policies/deploy.json"
        ),
        vec![(4, 35, "warning".to_owned(), None)]
    );
    // The suppression's reason is the justification.
    let suppressed = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["suppressions"][0]["kind"] == "inSource")
        .unwrap();
    assert!(suppressed["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .starts_with("written only by the archiver"));
    // Every result has what code scanning needs.
    for r in run["results"].as_array().unwrap() {
        let pl = &r["locations"][0]["physicalLocation"];
        assert_eq!(pl["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(pl["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(r["partialFingerprints"]
            .as_object()
            .is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn parse_errors_can_be_warnings_and_excludes_skip_files() {
    let (code, _, err) = sarif(&["--parse-errors", "warn"]);
    assert_eq!(code, 1, "failures at or above high remain: {err}");
    assert!(
        err.contains("fixtures/iac/repo/stacks/broken.yaml:7:7: warning: duplicate key"),
        "{err}"
    );
    let (code, log, err) = sarif(&["--exclude", "broken.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("broken.yaml"), "{err}");
    assert!(!log.to_string().contains("broken.yaml"));
}

#[test]
fn text_names_file_line_and_column_with_the_code() {
    let (code, out, _) = check(&[REPO, "--context", CONTEXT, "--exclude", "broken.yaml"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "fixtures/iac/repo/stacks/app.yaml:37:3: high[sg-admin-ports-not-open-to-internet]:"
        ),
        "{out}"
    );
    assert!(out.contains("\n      AdminSg:\n      ^\n"), "{out}");
    assert!(
        out.contains("high (waived)[s3-classified-secure-transport]"),
        "{out}"
    );
    assert!(out.contains("3 infrastructure-code files:"), "{out}");
}

#[test]
fn a_baseline_lets_only_new_failures_fail() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let (code, _, err) = check(&[
        "fixtures/iac/repo/stacks/app.yaml",
        "--context",
        CONTEXT,
        "--write-baseline",
        baseline,
    ]);
    assert_eq!(code, 1, "{err}");
    // The same code against its own baseline: nothing new.
    let (code, out, err) = check(&[
        "fixtures/iac/repo/stacks/app.yaml",
        "--context",
        CONTEXT,
        "--baseline",
        baseline,
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 0, "{err}");
    let log: Value = serde_json::from_str(&out).unwrap();
    let states: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["baselineState"].as_str())
        .collect();
    assert!(!states.is_empty() && states.iter().all(|s| *s == "unchanged"));
    // A new file brings new failures.
    let (code, _, _) = check(&[
        "fixtures/iac/repo/stacks/app.yaml",
        "fixtures/iac/repo/plans/network.json",
        "--context",
        CONTEXT,
        "--baseline",
        baseline,
    ]);
    assert_eq!(code, 1);
    // A file that is not a baseline is an input error.
    let (code, _, err) = check(&[REPO, "--baseline", CONTEXT]);
    assert_eq!(code, 2);
    assert!(err.contains("context.yaml:"), "{err}");
}

#[test]
fn output_is_deterministic() {
    let a = check(&[REPO, "--context", CONTEXT, "--format", "sarif"]).1;
    let b = check(&[REPO, "--context", CONTEXT, "--format", "sarif"]).1;
    assert_eq!(a, b);
    let j = check(&[REPO, "--context", CONTEXT, "--format", "json"]).1;
    let v: Value = serde_json::from_str(&j).unwrap();
    assert!(v["findings"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn a_bad_context_is_an_input_error_naming_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctx.yaml");
    std::fs::write(&path, "defaults:\n  acount: \"111122223333\"\n").unwrap();
    let (code, out, err) = check(&[REPO, "--context", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("ctx.yaml:2:3: unknown key `acount`"), "{err}");
}

#[test]
fn every_format_of_the_fixture_repository() {
    for (format, name) in [
        ("text", "check_repo_text"),
        ("json", "check_repo_json"),
        ("sarif", "check_repo_sarif"),
    ] {
        let (code, out, _) = check(&[REPO, "--context", CONTEXT, "--format", format]);
        assert_eq!(
            code, 2,
            "{format}: the malformed template makes the run incomplete"
        );
        insta::assert_snapshot!(name, out);
    }
}

#[test]
fn terraform_findings_point_at_the_tf_blocks_and_honour_skip_comments() {
    let (code, out, err) = check(&["fixtures/iac/tf-root/plan.json", "--format", "sarif"]);
    // The plan decides enough to fail: the bastion group lets SSH in from anywhere (its
    // VPC, known only after apply, is resolved to the plan's `aws_vpc.main`).
    assert_eq!(code, 1, "{err}");
    common::validate_sarif(&out).unwrap_or_else(|e| panic!("invalid SARIF: {e:#?}"));
    let log: Value = serde_json::from_str(&out).unwrap();
    // The bastion group's block in main.tf, not the plan's JSON.
    assert_eq!(
        results(
            &log,
            "sg-admin-ports-not-open-to-internet",
            "fixtures/iac/tf-root/main.tf"
        ),
        vec![(16, 1, "error".to_owned(), None)]
    );
    // The module's volume is skipped with a `# rampart:skip=` comment and its reason.
    let skipped: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "inSource")
        .collect();
    assert!(!skipped.is_empty(), "{out}");
    assert!(skipped.iter().all(|r| r["ruleId"] == "ebs-volume-encrypted"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "fixtures/iac/tf-root/modules/audit/main.tf"
        && r["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("scratch space holds only public build artefacts")));
}

#[test]
fn a_template_outside_the_working_directory_keeps_its_absolute_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("volume.yaml");
    std::fs::write(
        &path,
        "Resources:\n  Data:\n    Type: AWS::EC2::Volume\n    Properties: {Size: 10, AvailabilityZone: us-east-1a, Encrypted: false}\n",
    )
    .unwrap();
    let (code, out, err) = check(&[path.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let at = format!("{}:2:3: high[ebs-volume-encrypted]", path.display());
    assert!(
        out.lines().any(|l| l.starts_with(&at)),
        "expected a line starting with `{at}`:\n{out}"
    );
}

#[cfg(unix)]
#[test]
fn out_to_a_device_writes_in_place_and_keeps_the_device() {
    // `--out /dev/null` must not rename a file over the device. A link to it stands in for
    // /dev/null itself, so that a regression replaces the link, not the machine's device.
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("sink");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    let (code, out, err) = check(&[REPO, "--context", CONTEXT, "--out", link.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "the link was replaced by a file"
    );
}

/// `--profile-rules` says where the time went, every phase in order and then each native
/// rule, on standard error only: the log is the same bytes as without it.
#[test]
fn profile_rules_times_every_phase_and_leaves_the_log_alone() {
    let args = [REPO, "--context", CONTEXT, "--format", "sarif"];
    let (code, plain, plain_err) = check(&args);
    let (profiled_code, profiled, err) = check(&[&args[..], &["--profile-rules"]].concat());
    assert_eq!(profiled_code, code, "{err}");
    assert_eq!(profiled, plain);
    let (phases, rules) = common::profile(&err);
    assert_eq!(
        phases,
        ["rules", "read", "facts", "native", "cedar", "findings", "redact", "check", "write"]
    );
    assert!(rules > 20, "{err}");
    assert!(!plain_err.contains("profile:"), "{plain_err}");
}
