use serde_json::{json, Value};

use super::super::fixtures;
use super::*;
use crate::findings::Notice;
use crate::model::Location as SourceLocation;

fn render_fixture() -> String {
    render(
        &fixtures::evaluation(),
        &fixtures::options(Some(Severity::High)),
    )
    .unwrap()
}

fn fixture() -> Value {
    serde_json::from_str(&render_fixture()).unwrap()
}

/// The vendored OASIS schema; `tests/sarif_schema.rs` validates the engine-built logs.
fn schema_errors(log: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(include_str!(
        "../../../../../tests/data/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn log_header_and_run() {
    let text = render_fixture();
    assert!(text.ends_with("}\n"));
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log["$schema"], SCHEMA_URI);
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "rampart");
    assert_eq!(driver["version"], "0.1.0");
    assert_eq!(driver["semanticVersion"], "0.1.0");
    assert_eq!(driver["informationUri"], INFORMATION_URI);
    assert_eq!(run["automationDetails"]["id"], "rampart/default/");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run.get("originalUriBaseIds").is_none());
    let invocations = run["invocations"].as_array().unwrap();
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0]["executionSuccessful"], true);
    let notes = invocations[0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "warning");
    assert!(notes[0]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("waiver for `kms-key-rotation`"));
    assert!(
        !text.contains("2025-06-01T08:00:00Z"),
        "no snapshot time either"
    );
}

#[test]
fn rules_are_described_for_code_scanning() {
    let log = fixture();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "kms-key-rotation",
            "s3-classified-cmk",
            "tenancy-prod-trusts-dev"
        ]
    );
    let kms = &rules[0];
    assert_eq!(kms["name"], "KmsKeyRotation");
    assert_eq!(
        kms["shortDescription"]["text"],
        "KMS keys rotate automatically"
    );
    assert_eq!(
        kms["fullDescription"]["text"],
        "Customer managed KMS keys have automatic rotation enabled."
    );
    assert_eq!(kms["help"]["markdown"], fixtures::KMS_DOC);
    assert!(kms["help"]["text"]
        .as_str()
        .unwrap()
        .starts_with("What it checks\n\nCustomer managed"));
    assert!(kms.get("helpUri").is_none());
    assert_eq!(kms["defaultConfiguration"]["level"], "warning");
    assert_eq!(kms["properties"]["security-severity"], "5.5");
    assert_eq!(kms["properties"]["precision"], "high");
    assert_eq!(
        kms["properties"]["tags"],
        json!([
            "security",
            "encryption.key-management",
            "rampart/cedar",
            "cis-aws-foundations-v3/3.6",
            "nist-800-53-r5/SC-12"
        ])
    );

    let s3 = &rules[1];
    assert_eq!(s3["name"], "S3ClassifiedCmk");
    assert_eq!(s3["defaultConfiguration"]["level"], "error");
    assert_eq!(s3["properties"]["security-severity"], "8.0");
    assert_eq!(
        s3["properties"]["tags"],
        json!(["security", "encryption.at-rest", "rampart/native"])
    );

    // No doc: the title stands in for the description and the help.
    let tenancy = &rules[2];
    assert_eq!(
        tenancy["fullDescription"]["text"],
        "Production roles do not trust development accounts"
    );
    assert!(tenancy["help"]["text"]
        .as_str()
        .unwrap()
        .contains("How to fix: fix tenancy-prod-trusts-dev"));
    assert!(tenancy["help"].get("markdown").is_none());
    assert_eq!(tenancy["properties"]["security-severity"], "9.5");
}

#[test]
fn one_result_per_finding_that_is_not_a_pass() {
    let log = fixture();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let eval = fixtures::evaluation();
    let not_pass: Vec<_> = eval
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .collect();
    for (r, f) in results.iter().zip(&not_pass) {
        assert_eq!(r["ruleId"], *f.rule_id);
        assert_eq!(r["partialFingerprints"][FINGERPRINT_KEY], f.fingerprint);
        assert_eq!(r["properties"]["status"], f.status.as_str());
        assert_eq!(r["properties"]["account_id"], f.account_id);
        assert_eq!(r["properties"]["region"], f.region);
        assert_eq!(r["properties"]["resource_type"], f.resource_type);
        assert_eq!(r["properties"]["area"], f.area.as_str());
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let logical = &r["locations"][0]["logicalLocations"][0];
        assert_eq!(logical["fullyQualifiedName"], f.resource);
        assert_eq!(logical["kind"], "resource");
    }
}

#[test]
fn levels_by_status_and_severity() {
    let log = fixture();
    let results = log["runs"][0]["results"].as_array().unwrap();
    // unknown (gap) · fail medium · waived medium · fail high (file) · unknown · fail critical
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        ["note", "warning", "warning", "error", "note", "error"]
    );

    let gap = results[0]["message"]["text"].as_str().unwrap();
    assert!(
        gap.starts_with("not assessable: kms data"),
        "prefix not doubled: {gap}"
    );
    assert_eq!(
        results[4]["message"]["text"],
        "not assessable: bucket encryption could not be read"
    );
    assert_eq!(
        results[0]["locations"][0]["logicalLocations"][0]["name"],
        "*"
    );

    let waived = &results[2];
    assert_eq!(
        waived["suppressions"],
        json!([{
            "justification": "HSM-backed key rotated manually (approved by security@example.com, expires 2027-06-30)",
            "kind": "external",
            "status": "accepted"
        }])
    );
    assert!(results[1].get("suppressions").is_none());
}

#[test]
fn file_findings_have_a_physical_location() {
    let log = fixture();
    let result = &log["runs"][0]["results"][3];
    let location = &result["locations"][0];
    assert_eq!(
        location["physicalLocation"],
        json!({
            "artifactLocation": {"uri": "templates/storage%20files.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startColumn": 5, "startLine": 12}
        })
    );
    assert_eq!(location["logicalLocations"][0]["name"], "payroll");
    let live = &log["runs"][0]["results"][1]["locations"][0];
    assert!(live.get("physicalLocation").is_none());
    assert_eq!(live["logicalLocations"][0]["name"], "k1");
}

#[test]
fn fixture_log_is_valid_sarif() {
    let errors = schema_errors(&fixture());
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn deterministic() {
    assert_eq!(render_fixture(), render_fixture());
}

/// `write` streams the bytes `render` returns.
#[test]
fn written_is_rendered() {
    let mut out = Vec::new();
    write(
        &fixtures::evaluation(),
        &fixtures::options(Some(Severity::High)),
        &mut out,
    )
    .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), render_fixture());
}

/// Results serialized in parallel, over several chunks and windows, give the bytes of the
/// log serialized whole; and so does a log without results.
#[test]
fn results_written_in_parallel_are_the_log_serialized_whole() {
    let eval = fixtures::evaluation();
    let options = fixtures::options(Some(Severity::High));
    let many = fixtures::evaluation_with(WRITE_WINDOW + 3 * WRITE_CHUNK + 7);
    let none = Evaluation {
        findings: Vec::new(),
        ..eval.clone()
    };
    for e in [eval, many, none] {
        let mut out = Vec::new();
        write(&e, &options, &mut out).unwrap();
        let written = String::from_utf8(out).unwrap();
        // `render` serializes the whole log at once.
        assert_eq!(written, render(&e, &options).unwrap());
    }
}

#[test]
fn findings_of_rules_that_did_not_run_have_no_index() {
    let mut eval = fixtures::evaluation();
    eval.rules.remove(0);
    let log: Value =
        serde_json::from_str(&render(&eval, &fixtures::options(None)).unwrap()).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 2);
    for r in run["results"].as_array().unwrap() {
        let ran = eval.rule(r["ruleId"].as_str().unwrap()).is_some();
        assert_eq!(r.get("ruleIndex").is_some(), ran, "{r}");
    }
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn error_notices_make_the_run_unsuccessful_and_name_the_file() {
    let mut eval = fixtures::evaluation();
    eval.notices.push(Notice {
        level: NoticeLevel::Error,
        message: "cannot read: permission denied".to_owned(),
        location: Some(SourceLocation {
            uri: "policies/gone.json".to_owned(),
            line: 0,
            column: 0,
        }),
    });
    let log: Value =
        serde_json::from_str(&render(&eval, &fixtures::options(None)).unwrap()).unwrap();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let error = &invocation["toolExecutionNotifications"][1];
    assert_eq!(error["level"], "error");
    assert_eq!(
        error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "policies/gone.json"
    );
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn extra_rule_tags_are_kept_once() {
    let mut eval = fixtures::evaluation();
    eval.rules[0].tags = vec!["iam".to_owned(), "security".to_owned()];
    let log: Value =
        serde_json::from_str(&render(&eval, &fixtures::options(None)).unwrap()).unwrap();
    let tags = &log["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"];
    let tags: Vec<&str> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tags.iter().filter(|t| **t == "security").count(), 1);
    assert!(tags.contains(&"iam"));
}

#[test]
fn helpers() {
    assert_eq!(camel_case("s3-classified-cmk"), "S3ClassifiedCmk");
    assert_eq!(camel_case("iam.scp_root"), "IamScpRoot");
    assert_eq!(arn_name("arn:aws:s3:::payroll"), "payroll");
    assert_eq!(arn_name("arn:aws:kms:eu-west-1:1:key/abcd"), "abcd");
    assert_eq!(arn_name("arn:aws:iam::1:role/path/deployer"), "deployer");
    assert_eq!(arn_name("arn:aws:s3:::bucket/"), "bucket");
    assert_eq!(
        file_uri("a b/ü.json"),
        ("a%20b/%C3%BC.json".to_owned(), true)
    );
    assert_eq!(file_uri("dir\\main.tf"), ("dir/main.tf".to_owned(), true));
    assert_eq!(
        file_uri("/repo/main.tf"),
        ("file:///repo/main.tf".to_owned(), false)
    );
    assert_eq!(
        file_uri("C:\\repo\\x.tf"),
        ("file:///C:/repo/x.tf".to_owned(), false)
    );
    assert_eq!(
        file_uri("https://example.com/x.json"),
        ("https://example.com/x.json".to_owned(), false)
    );
    assert_eq!(level(Severity::Info), ResultLevel::Note);
    assert_eq!(security_severity(Severity::Info), "0.0");
}

#[test]
fn a_run_stays_within_github_code_scanning_limits() {
    // More findings than code scanning accepts in a run: the most serious are kept, in
    // the evaluation's order, and a notification says how many were left out.
    let mut eval = fixtures::evaluation();
    let failing = eval
        .findings
        .iter()
        .find(|f| f.status == Status::Fail)
        .unwrap()
        .clone();
    let mut unknown = failing.clone();
    unknown.status = Status::Unknown;
    eval.findings = (0..MAX_RESULTS + 10)
        .map(|i| {
            let mut f = if i < 20 {
                unknown.clone()
            } else {
                failing.clone()
            };
            f.resource = format!("arn:aws:s3:::bucket-{i:05}");
            f
        })
        .collect();
    let log: Value =
        serde_json::from_str(&render(&eval, &fixtures::options(Some(Severity::High))).unwrap())
            .unwrap();
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(
        runs.len(),
        1,
        "code scanning accepts at most 20 runs per file"
    );
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), MAX_RESULTS);
    // The ten left out are unknown ones; every failure is kept.
    let notes = results.iter().filter(|r| r["level"] == "note").count();
    assert_eq!(notes, 10);
    let notifications = runs[0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notifications.iter().any(|n| n["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("10 results were left out")));
    // Other limits: rules per run, tags per rule (at most 20; 10 shown), locations per
    // result (at most 1,000), and a security-severity code scanning can read.
    let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() <= 25_000);
    for rule in rules {
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.len() <= 10, "{tags:?}");
        let s: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&s));
    }
    for r in results {
        assert!(r["locations"].as_array().unwrap().len() <= 1_000);
        assert!(r["ruleId"].is_string() && r["message"]["text"].is_string());
    }
}
