//! Every SARIF log rampart writes must validate against the official OASIS SARIF 2.1.0
//! schema (vendored in `tests/data/`, see its README), and the validator must be shown
//! to reject logs that are not SARIF 2.1.0.

#![allow(
    clippy::unwrap_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use rampart::findings::Notice;
use rampart::model::{Location, ResourceType, Snapshot};
use rampart::report::{sarif, RenderOptions};
use rampart::rules::{
    fingerprint, AppliedWaiver, Area, Catalog, Engine, Evaluation, Finding, ResourceKey, Severity,
    Status,
};
use rampart::ruleset::{parse_ruleset, Ruleset};

mod common;
use common::validate_sarif;

fn snapshot() -> Snapshot {
    serde_json::from_value(serde_json::json!({
        "schema_version": "1",
        "taken_at": "2025-06-01T08:00:00Z",
        "source": { "kind": "iac", "description": "repository checkout" },
        "organization": {
            "id": "o-abc123",
            "arn": "arn:aws:organizations::111122223333:organization/o-abc123",
            "management_account_id": "111122223333",
            "root": {
                "id": "r-ab12",
                "arn": "arn:aws:organizations::111122223333:root/o-abc123/r-ab12",
                "name": "Root"
            }
        },
        "accounts": [],
        "coverage": [
            { "account_id": "111122223333", "region": "eu-west-1", "service": "kms",
              "reason": "AccessDenied: kms:ListKeys" },
            { "account_id": "111122223333", "region": "eu-west-1", "service": "s3",
              "reason": "AccessDenied: s3:ListAllMyBuckets" }
        ]
    }))
    .unwrap()
}

fn ruleset() -> Ruleset {
    parse_ruleset("name = \"schema-test\"\n", Path::new("schema-test.toml")).unwrap()
}

fn now() -> DateTime<Utc> {
    "2025-06-01T09:00:00Z".parse().unwrap()
}

/// Findings of every status for the engine's first rules (or for made-up rule ids while
/// the catalog is empty), one of them declared in a file with a space in its path.
fn findings(engine: &Engine<'_>) -> Vec<Finding> {
    let mut rules: Vec<(String, String, Area, Severity)> = engine
        .active_rules()
        .iter()
        .take(4)
        .map(|r| {
            let m = r.meta();
            (m.id.clone(), m.title.clone(), m.area, r.severity)
        })
        .collect();
    if rules.is_empty() {
        rules = vec![
            (
                "made-up-critical".into(),
                "Critical".into(),
                Area::Tenancy,
                Severity::Critical,
            ),
            (
                "made-up-low".into(),
                "Low".into(),
                Area::Baseline,
                Severity::Low,
            ),
        ];
    }
    let statuses = [Status::Fail, Status::Pass, Status::Unknown, Status::Waived];
    let mut out = Vec::new();
    for (i, (id, title, area, severity)) in rules.iter().enumerate() {
        for (j, status) in statuses.into_iter().enumerate() {
            let key = ResourceKey {
                arn: format!("arn:aws:s3:::bucket-{i}-{j}"),
                resource_type: ResourceType::S3Bucket,
                account_id: "111122223333".to_owned(),
                region: "eu-west-1".to_owned(),
                location: (j == 0).then(|| Location {
                    uri: format!("stacks/data store {i}.yaml"),
                    line: 3 + u32::try_from(i).unwrap(),
                    column: 7,
                }),
            };
            out.push(Finding {
                rule_id: Arc::from(id.as_str()),
                title: Arc::from(title.as_str()),
                status,
                severity: *severity,
                area: *area,
                resource: key.arn.clone(),
                resource_type: key.resource_type.name(),
                account_id: key.account_id.clone(),
                region: key.region.clone(),
                message: format!("{status} on bucket {i}-{j}"),
                location: key.location.clone(),
                fingerprint: fingerprint(id, &key),
                waiver: (status == Status::Waived).then(|| {
                    Box::new(AppliedWaiver {
                        reason: "accepted risk".to_owned(),
                        approver: "security@example.com".to_owned(),
                        expires: NaiveDate::from_ymd_opt(2027, 1, 31),
                        resource: key.arn.clone(),
                        in_source: j % 2 == 1,
                    })
                }),
                baseline_state: None,
                evidence: Vec::new(),
            });
        }
    }
    out
}

fn render(evaluation: &Evaluation) -> String {
    sarif::render(
        evaluation,
        &RenderOptions {
            tool_version: env!("CARGO_PKG_VERSION"),
            fail_on: Some(Severity::High),
        },
    )
    .unwrap()
}

fn hand_built_log() -> String {
    let catalog = Catalog::bundled().unwrap();
    let ruleset = ruleset();
    let engine = Engine::new(&catalog, &ruleset).unwrap();
    let snapshot = snapshot();
    // The engine's evaluation of the snapshot, with hand-built findings of every status.
    let mut evaluation = engine.evaluate(&snapshot, now());
    evaluation.findings = findings(&engine);
    evaluation.notices = vec![Notice::warning(
        "waiver for `x` on `y` expired on 2025-01-01",
    )];
    render(&evaluation)
}

#[test]
fn findings_of_every_status_give_valid_sarif() {
    let text = hand_built_log();
    if let Err(errors) = validate_sarif(&text) {
        panic!("invalid SARIF:\n{}\n\n{text}", errors.join("\n"));
    }
    let log: Value = serde_json::from_str(&text).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results
        .iter()
        .any(|r| r["locations"][0].get("physicalLocation").is_some()));
    assert!(results.iter().any(|r| r.get("suppressions").is_some()));
}

#[test]
fn an_engine_evaluation_gives_valid_sarif() {
    let catalog = Catalog::bundled().unwrap();
    let ruleset = ruleset();
    let engine = Engine::new(&catalog, &ruleset).unwrap();
    let snapshot = snapshot();
    let evaluation = engine.evaluate(&snapshot, now());
    let text = render(&evaluation);
    if let Err(errors) = validate_sarif(&text) {
        panic!("invalid SARIF:\n{}\n\n{text}", errors.join("\n"));
    }
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        engine.active_rules().len()
    );
}

/// Applies `edit` to a valid log and returns the validator's verdict.
fn validate_edited(edit: impl FnOnce(&mut Value)) -> Result<(), Vec<String>> {
    let mut log: Value = serde_json::from_str(&hand_built_log()).unwrap();
    edit(&mut log);
    validate_sarif(&serde_json::to_string_pretty(&log).unwrap())
}

#[test]
fn the_validator_rejects_another_version() {
    let errors = validate_edited(|log| log["version"] = Value::from("2.0")).unwrap_err();
    assert!(
        errors.iter().any(|e| e.starts_with("/version")),
        "{errors:#?}"
    );
}

#[test]
fn the_validator_rejects_an_unknown_level() {
    let errors =
        validate_edited(|log| log["runs"][0]["results"][0]["level"] = Value::from("fatal"))
            .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("/runs/0/results/0/level")),
        "{errors:#?}"
    );
}

#[test]
fn the_validator_rejects_a_zero_line_and_a_missing_driver_name() {
    let errors = validate_edited(|log| {
        let results = log["runs"][0]["results"].as_array_mut().unwrap();
        let with_file = results
            .iter_mut()
            .find(|r| r["locations"][0].get("physicalLocation").is_some())
            .unwrap();
        with_file["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
        log["runs"][0]["tool"]["driver"]
            .as_object_mut()
            .unwrap()
            .remove("name");
    })
    .unwrap_err();
    assert!(
        errors.iter().any(|e| e.contains("startLine")),
        "{errors:#?}"
    );
    assert!(errors.iter().any(|e| e.contains("\"name\"")), "{errors:#?}");
}

#[test]
fn the_validator_rejects_text_that_is_not_json() {
    assert!(validate_sarif("{").is_err());
}
