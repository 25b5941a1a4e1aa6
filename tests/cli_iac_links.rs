//! `rampart evaluate --iac PATH`: findings about resources CloudFormation deployed point at
//! their logical id in the stack's template, in SARIF and in text.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::{repo_path, validate_sarif};

const CUSTOMER_DATA: &str = "arn:aws:s3:::app-preprod-customer-data-777788889999";
const UPLOADS: &str = "arn:aws:s3:::app-preprod-uploads-777788889999";

/// The template of stack `storefront-preprod-data` (a stack name ending with its stem):
/// `CustomerData` is at line 6, column 3.
const PREPROD_DATA: &str = "\
AWSTemplateFormatVersion: \"2010-09-09\"
Description: storefront data stores
Parameters:
  Env: {Type: String, Default: preprod}
Resources:
  CustomerData:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub app-${Env}-customer-data-${AWS::AccountId}
";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::cargo_bin("rampart")
        .expect("binary is built")
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("RAMPART_LOG")
        .args(args)
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn tag(snapshot: &mut Value, arn: &str, stack: &str, logical_id: &str) {
    let bucket = snapshot["accounts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|a| a["storage"]["s3_buckets"].as_array_mut().unwrap())
        .find(|b| b["arn"] == arn)
        .unwrap_or_else(|| panic!("no bucket {arn}"));
    let tags = bucket["tags"].as_object_mut().unwrap();
    tags.insert("aws:cloudformation:stack-name".into(), stack.into());
    tags.insert("aws:cloudformation:logical-id".into(), logical_id.into());
}

/// The sample organization with two buckets tagged by CloudFormation, one of a stack
/// whose template is under `iac/`, one of a stack no template matches; and in `iac/`, the
/// template, an unrelated one and one that does not parse.
fn workspace(dir: &Path) -> (String, String) {
    let text = std::fs::read_to_string(repo_path("fixtures/orgs/sample/snapshot.json")).unwrap();
    let mut snapshot: Value = serde_json::from_str(&text).unwrap();
    tag(
        &mut snapshot,
        CUSTOMER_DATA,
        "storefront-preprod-data",
        "CustomerData",
    );
    tag(&mut snapshot, UPLOADS, "storefront-uploads", "Uploads");
    let snapshot_path = dir.join("snapshot.json");
    std::fs::write(&snapshot_path, serde_json::to_string(&snapshot).unwrap()).unwrap();
    let iac = dir.join("iac");
    std::fs::create_dir_all(iac.join("templates")).unwrap();
    std::fs::write(iac.join("templates/preprod-data.yaml"), PREPROD_DATA).unwrap();
    std::fs::write(
        iac.join("templates/queues.yaml"),
        "Resources:\n  Orders:\n    Type: AWS::SQS::Queue\n",
    )
    .unwrap();
    std::fs::write(
        iac.join("broken.yaml"),
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::S3::Bucket\n",
    )
    .unwrap();
    (
        snapshot_path.to_string_lossy().into_owned(),
        iac.to_string_lossy().into_owned(),
    )
}

fn results_about<'v>(sarif: &'v Value, arn: &str) -> Vec<&'v Value> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == arn)
        .collect()
}

#[test]
fn sarif_results_carry_the_template_position() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshot, iac) = workspace(dir.path());
    let r = run(&[
        "evaluate",
        "--snapshot",
        &snapshot,
        "--iac",
        &iac,
        "--format",
        "sarif",
        "--fail-on",
        "never",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    if let Err(errors) = validate_sarif(&r.stdout) {
        panic!("SARIF does not validate:\n{}", errors.join("\n"));
    }
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    let linked = results_about(&sarif, CUSTOMER_DATA);
    assert!(
        linked
            .iter()
            .any(|r| r["ruleId"] == "s3-classified-versioning"),
        "{linked:?}"
    );
    for result in &linked {
        let physical = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            physical["artifactLocation"]["uri"], "templates/preprod-data.yaml",
            "{result}"
        );
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(physical["region"]["startLine"], 6);
        assert_eq!(physical["region"]["startColumn"], 3);
    }
    let unlinked = results_about(&sarif, UPLOADS);
    assert!(!unlinked.is_empty());
    assert!(unlinked
        .iter()
        .all(|r| r["locations"][0]["physicalLocation"].is_null()));

    // The stack without a template and the template that does not parse are warnings,
    // once each.
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .collect();
    let about = |needle: &str| warnings.iter().filter(|l| l.contains(needle)).count();
    assert_eq!(about("stack `storefront-uploads`"), 1, "{warnings:#?}");
    assert_eq!(
        about("broken.yaml:4:3: warning: not read"),
        1,
        "{warnings:#?}"
    );
    assert_eq!(about("storefront-preprod-data"), 0, "{warnings:#?}");
}

#[test]
fn text_names_the_file_and_line_under_the_finding() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshot, iac) = workspace(dir.path());
    let r = run(&[
        "evaluate",
        "--snapshot",
        &snapshot,
        "--iac",
        &iac,
        "--fail-on",
        "never",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let finding = lines
        .iter()
        .position(|l| l.contains("s3-classified-versioning") && l.contains(CUSTOMER_DATA))
        .unwrap_or_else(|| panic!("no finding:\n{}", r.stdout));
    // The message, then where the bucket is declared.
    assert_eq!(
        lines[finding + 2].trim(),
        "at templates/preprod-data.yaml:6:3",
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains("warning: stack `storefront-uploads`: no template under --iac"));

    // Without --iac, no link and no warning about stacks.
    let plain = run(&["evaluate", "--snapshot", &snapshot, "--fail-on", "never"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(!plain.stdout.contains("preprod-data.yaml"));
    assert!(!plain.stderr.contains("stack `"));
}

#[test]
fn the_sample_links_to_its_bundled_template() {
    let iac = repo_path("fixtures/iac/cloudformation");
    let r = run(&[
        "evaluate",
        "--iac",
        iac.to_str().unwrap(),
        "--fail-on",
        "never",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("at stacks/payments-partner-gw.yaml:40:3"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("at stacks/payments-partner-gw.yaml:13:3"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("warning: stack"), "{}", r.stderr);
}

#[test]
fn a_missing_iac_path_is_exit_2() {
    let r = run(&["evaluate", "--iac", "no/such/templates"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .contains("error: no/such/templates: no such file or directory (--iac)"),
        "{}",
        r.stderr
    );
}
