//! `rampart scp generate|verify|diff` end to end: goldens of the sample organization's
//! SCPs and of its diff, determinism, exit codes, quotas that do not fit, a failed proof,
//! bad guardrails, bad CloudTrail records.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::path::Path;

use assert_cmd::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::cargo_bin("rampart")
        .expect("binary is built")
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

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["", "policies", "terraform", "cloudformation"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap().flatten() {
            if e.path().is_file() {
                out.push(Path::new(sub).join(e.file_name()).display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_sample_generates_proven_scps_golden_and_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = run(&["scp", "generate", "--out", a.path().to_str().unwrap()]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains(": proven"), "{}", first.stdout);
    assert!(first.stderr.contains("proven in"), "{}", first.stderr);
    // The second run skips the (deterministic) differential check: the files are the same
    // but for the proof's request count in plan.json.
    let second = run(&[
        "scp",
        "generate",
        "--no-differential",
        "--out",
        b.path().to_str().unwrap(),
    ]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let names = files(a.path());
    assert_eq!(names, files(b.path()));
    for name in &names {
        if name != "plan.json" {
            assert_eq!(read(a.path(), name), read(b.path(), name), "{name}");
        }
    }
    insta::assert_snapshot!(
        "scp_generate_stdout",
        first.stdout.replace(a.path().to_str().unwrap(), "OUT")
    );
    insta::assert_snapshot!("scp_plan_json", read(a.path(), "plan.json"));
    insta::assert_snapshot!("scp_terraform", read(a.path(), "terraform/main.tf"));
    insta::assert_snapshot!(
        "scp_cloudformation",
        read(a.path(), "cloudformation/template.json")
    );
    let mut policies = String::new();
    for name in names.iter().filter(|n| n.starts_with("policies")) {
        let text = read(a.path(), name);
        assert!(text.chars().count() <= 5120, "{name}");
        assert!(!text.contains(['\n', ' ']), "{name} is not minified");
        policies.push_str(&format!(
            "{name} ({} characters)\n{text}\n",
            text.chars().count()
        ));
    }
    insta::assert_snapshot!("scp_policies", policies);
    // Every generated document passes `iam validate` as an SCP.
    for name in names.iter().filter(|n| n.starts_with("policies")) {
        let path = a.path().join(name);
        let v = run(&[
            "iam",
            "validate",
            "--policy-type",
            "scp",
            path.to_str().unwrap(),
        ]);
        assert_eq!(v.code, 0, "{name}: {}{}", v.stdout, v.stderr);
    }
}

#[test]
fn verify_proves_the_sample_and_reports_json() {
    let r = run(&["scp", "verify", "--no-differential", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["failures"].as_array().unwrap().len(), 0);
    assert_eq!(report["intents"].as_array().unwrap().len(), 13);
}

#[test]
fn intents_that_do_not_fit_exit_1_saying_where_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("quotas.toml");
    std::fs::write(
        &profile,
        "[quotas]\nmax_policy_chars = 1200\nmax_policies_per_target = 2\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "scp",
        "generate",
        "--quota-profile",
        profile.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("do not fit the SCP quotas"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Root (r-a1b2)"), "{}", r.stderr);
    assert!(
        r.stderr.contains("too many") || r.stderr.contains("over the"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
}

#[test]
fn a_failed_proof_exits_1_with_the_counterexample() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("guardrails.toml");
    // The intent denies what its own must-allow example needs.
    std::fs::write(
        &g,
        r#"[defaults]
region = "eu-west-1"

[[intent]]
id = "no-backup-deletes"
kind = "deny-actions"
targets = ["Workloads"]
actions = ["backup:Delete*"]

[[intent.must_deny]]
action = "backup:DeleteBackupVault"

[[intent.must_allow]]
action = "backup:DeleteRecoveryPoint"
note = "contradicts the intent"
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "scp",
        "generate",
        "-g",
        g.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("FAILED must-allow `no-backup-deletes`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("counterexample: {\"account\":"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("backup:DeleteRecoveryPoint"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
    let v = run(&[
        "scp",
        "verify",
        "-g",
        g.to_str().unwrap(),
        "--no-differential",
    ]);
    assert_eq!(v.code, 1);
    assert!(v.stdout.contains("counterexample"), "{}", v.stdout);
}

#[test]
fn bad_guardrails_exit_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("guardrails.toml");
    std::fs::write(
        &g,
        "[[intent]]\nid = \"x\"\nkind = \"deny-root-user\"\ntargets = [\"Workload\"]\n",
    )
    .unwrap();
    let r = run(&["scp", "verify", "-g", g.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    let expected = format!(
        "{}:4:12: invalid guardrails: unknown target `Workload`, did you mean `Workloads`?",
        g.display()
    );
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
}

#[test]
fn every_scp_subcommand_has_help() {
    for sub in ["generate", "verify"] {
        let r = run(&["scp", sub, "--help"]);
        assert_eq!(r.code, 0);
        assert!(
            r.stdout.contains("--guardrails") && r.stdout.contains("--quota-profile"),
            "{sub}"
        );
    }
}

const EVENTS: &str = "fixtures/cloudtrail/sample-events.jsonl";

#[test]
fn scp_diff_of_the_sample_is_golden_and_fails_on_missing_intents() {
    let text = run(&["scp", "diff", "--events", EVENTS]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    insta::assert_snapshot!("scp_diff_text", text.stdout);
    // The same, as JSON, written atomically to --out.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("diff.json");
    let json = run(&[
        "scp",
        "diff",
        "--events",
        EVENTS,
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let value: serde_json::Value = serde_json::from_str(&read(dir.path(), "diff.json")).unwrap();
    assert_eq!(value["diff"]["intents"].as_array().unwrap().len(), 13);
    assert_eq!(value["impact"]["events"], 14);
    // The sample lacks intents, and the plan would deny recorded calls.
    assert_eq!(run(&["scp", "diff", "--fail-on", "missing"]).code, 1);
    assert_eq!(
        run(&["scp", "diff", "--events", EVENTS, "--fail-on", "impact"]).code,
        1
    );
    assert_eq!(run(&["scp", "diff", "--fail-on", "impact"]).code, 0);
}

#[test]
fn scp_diff_bad_events_are_input_errors_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let first = std::fs::read_to_string(EVENTS)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    std::fs::write(&events, format!("{first}\n{{\"eventSource\": ]\n")).unwrap();
    let out = dir.path().join("diff.txt");
    let r = run(&[
        "scp",
        "diff",
        "--events",
        events.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("events.jsonl: line 2, column"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
    let r = run(&["scp", "diff", "--events", "no/such/file.jsonl"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no/such/file.jsonl: cannot read"),
        "{}",
        r.stderr
    );
}
