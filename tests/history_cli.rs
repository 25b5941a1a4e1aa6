//! `rampart history` end to end: runs recorded by `evaluate --record` on fixtures, diffed,
//! shown, pruned; a recording killed mid-transaction; a database of an older schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::{repo_path, validate_sarif};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn rampart(args: &[&str], now: &str) -> Out {
    let out = Command::cargo_bin("rampart")
        .expect("binary is built")
        .env_remove("RAMPART_DB")
        .env_remove("RAMPART_HISTORY_PAUSE_SECS")
        .env("RAMPART_NOW", now)
        .args(args)
        .output()
        .expect("runs");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

const DAY1: &str = "2026-11-20T06:00:00Z";
const DAY2: &str = "2026-11-21T06:00:00Z";
const DAY3: &str = "2026-11-22T06:00:00Z";

/// The sample organization without one account, and with one more coverage gap.
fn changed_sample(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo_path("fixtures/orgs/sample/snapshot.json")).unwrap();
    let mut snapshot = json(&text);
    let accounts = snapshot["accounts"].as_array_mut().unwrap();
    accounts.retain(|a| a["id"] != "864209753186");
    snapshot["coverage"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "account_id": "111122223333",
            "region": "eu-west-1",
            "service": "kms",
            "reason": "AccessDenied: kms:ListKeys"
        }));
    let path = dir.join("changed.json");
    std::fs::write(&path, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
    path
}

/// Records an evaluation of `snapshot` and returns its findings: fingerprint → (status,
/// severity).
fn record(db: &Path, snapshot: &Path, now: &str) -> BTreeMap<String, (String, String)> {
    let out = rampart(
        &[
            "evaluate",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--record",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        now,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("recorded run"), "{}", out.stderr);
    json(&out.stdout)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["fingerprint"].as_str().unwrap().to_owned(),
                (
                    f["status"].as_str().unwrap().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}

/// (change, fingerprint) of every finding reported (not a pass) in either evaluation.
fn expected_changes(
    before: &BTreeMap<String, (String, String)>,
    after: &BTreeMap<String, (String, String)>,
) -> BTreeSet<(String, String)> {
    fn reported<'a>(m: &'a BTreeMap<String, (String, String)>, fp: &str) -> Option<&'a str> {
        m.get(fp).map(|(s, _)| s.as_str()).filter(|s| *s != "pass")
    }
    let fingerprints: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    fingerprints
        .into_iter()
        .filter_map(|fp| {
            let change = match (reported(before, fp), reported(after, fp)) {
                (None, None) => return None,
                (None, Some(_)) => "new",
                (Some(_), None) => "resolved",
                (Some(a), Some(b)) if a == b => "unchanged",
                (Some(_), Some(_)) => "changed",
            };
            Some((change.to_owned(), fp.clone()))
        })
        .collect()
}

fn diff_changes(diff: &Value) -> BTreeSet<(String, String)> {
    diff["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["change"].as_str().unwrap().to_owned(),
                e["finding"]["fingerprint"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn consecutive_runs_are_recorded_diffed_shown_and_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let dbs = db.to_str().unwrap();
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    let changed = changed_sample(dir.path());

    let one = record(&db, &sample, DAY1);
    let two = record(&db, &changed, DAY2);
    let three = record(&db, &sample, DAY3);

    let list = rampart(&["history", "list", "--db", dbs, "--format", "json"], DAY3);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let runs = json(&list.stdout)["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 3);
    let fails =
        |m: &BTreeMap<String, (String, String)>| m.values().filter(|(s, _)| s == "fail").count();
    assert_eq!(runs[1]["summary"]["fail"], fails(&two));
    assert_eq!(runs[2]["recorded_at"], DAY3);
    assert_eq!(runs[0]["snapshot_digest"], runs[2]["snapshot_digest"]);
    assert_ne!(runs[0]["snapshot_digest"], runs[1]["snapshot_digest"]);
    assert_eq!(runs[1]["coverage_gaps"], 4);
    let text = rampart(&["history", "list", "--db", dbs], DAY3);
    assert_eq!(text.stdout.lines().count(), 4, "{}", text.stdout);
    // The text formats on the same fixtures, byte for byte.
    insta::assert_snapshot!("history_list", text.stdout);
    let diff_text = rampart(&["history", "diff", "1", "2", "--db", dbs], DAY3);
    insta::assert_snapshot!("history_diff_1_2", diff_text.stdout);
    let trend_text = rampart(&["history", "trend", "--db", dbs], DAY3);
    insta::assert_snapshot!("history_trend", trend_text.stdout);

    // Default: the last two runs.
    let diff = rampart(&["history", "diff", "--db", dbs, "--format", "json"], DAY3);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let diff = json(&diff.stdout);
    assert_eq!(
        (diff["from"]["id"].as_i64(), diff["to"]["id"].as_i64()),
        (Some(2), Some(3))
    );
    let expected = expected_changes(&two, &three);
    assert!(
        expected.iter().any(|(c, _)| c == "new"),
        "the account back brings failures"
    );
    assert_eq!(diff_changes(&diff), expected);

    let diff12 = rampart(
        &["history", "diff", "1", "2", "--db", dbs, "--format", "json"],
        DAY3,
    );
    let diff12 = json(&diff12.stdout);
    let expected12 = expected_changes(&one, &two);
    assert!(expected12.iter().any(|(c, _)| c == "resolved"));
    assert_eq!(diff_changes(&diff12), expected12);
    let new_gaps = diff12["new_gaps"].as_array().unwrap();
    assert_eq!(new_gaps.len(), 1, "{new_gaps:?}");
    assert_eq!(new_gaps[0]["account_id"], "111122223333");

    // SARIF: valid, and each result's baselineState matches its change.
    let sarif = rampart(
        &[
            "history", "diff", "1", "2", "--db", dbs, "--format", "sarif",
        ],
        DAY3,
    );
    assert_eq!(sarif.code, 0, "{}", sarif.stderr);
    validate_sarif(&sarif.stdout).unwrap();
    let log = json(&sarif.stdout);
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        *states
            .entry(result["baselineState"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let count = |c: &str| expected12.iter().filter(|(x, _)| x == c).count();
    assert_eq!(
        states.get("absent").copied().unwrap_or(0),
        count("resolved")
    );
    assert_eq!(states.get("new").copied().unwrap_or(0), count("new"));
    assert_eq!(
        states.get("updated").copied().unwrap_or(0),
        count("changed")
    );
    assert_eq!(
        states.get("unchanged").copied().unwrap_or(0),
        count("unchanged")
    );

    // --fail-on-new: 1 when a failure is new at or above --fail-on.
    let new_fail = |from: &BTreeMap<String, (String, String)>,
                    to: &BTreeMap<String, (String, String)>| {
        to.iter()
            .any(|(fp, (s, _))| s == "fail" && from.get(fp).is_none_or(|(b, _)| b != "fail"))
    };
    assert!(new_fail(&two, &three));
    let alert = rampart(
        &[
            "history",
            "diff",
            "--db",
            dbs,
            "--fail-on-new",
            "--fail-on",
            "low",
        ],
        DAY3,
    );
    assert_eq!(alert.code, 1, "{}", alert.stderr);
    let quiet = rampart(
        &[
            "history",
            "diff",
            "2",
            "3",
            "--db",
            dbs,
            "--fail-on-new",
            "--fail-on",
            "never",
        ],
        DAY3,
    );
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    let same = rampart(
        &[
            "history",
            "diff",
            "1",
            "3",
            "--db",
            dbs,
            "--fail-on-new",
            "--fail-on",
            "low",
        ],
        DAY3,
    );
    assert_eq!(
        same.code, 0,
        "the same snapshot twice has nothing new: {}",
        same.stdout
    );

    // show: the run's findings that are not passes.
    let show = rampart(
        &["history", "show", "2", "--db", dbs, "--format", "json"],
        DAY3,
    );
    assert_eq!(show.code, 0, "{}", show.stderr);
    let shown = json(&show.stdout);
    let reported = two.values().filter(|(s, _)| s != "pass").count();
    assert_eq!(shown["findings"].as_array().unwrap().len(), reported);
    assert_eq!(shown["coverage"].as_array().unwrap().len(), 4);
    let show_text = rampart(&["history", "show", "latest", "--db", dbs], DAY3);
    assert!(
        show_text
            .stdout
            .starts_with("run 3 recorded 2026-11-22T06:00:00Z"),
        "{}",
        show_text.stdout
    );

    // trend: one point per run, per area.
    let trend = rampart(&["history", "trend", "--db", dbs, "--format", "json"], DAY3);
    let points = json(&trend.stdout)["points"].as_array().unwrap().clone();
    assert_eq!(points.len(), 3);
    let trend_text = rampart(&["history", "trend", "--db", dbs], DAY3);
    assert!(trend_text.stdout.contains("run 3"), "{}", trend_text.stdout);

    // prune: --keep, then --older-than counted from RAMPART_NOW.
    let out = dir.path().join("pruned.json");
    let prune = rampart(
        &[
            "history",
            "prune",
            "--keep",
            "2",
            "--db",
            dbs,
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ],
        DAY3,
    );
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    let pruned = json(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(pruned["pruned"]["runs"], 1);
    let prune = rampart(
        &["history", "prune", "--older-than", "1d", "--db", dbs],
        "2026-11-22T07:00:00Z",
    );
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    let list = rampart(&["history", "list", "--db", dbs, "--format", "json"], DAY3);
    let ids: Vec<i64> = json(&list.stdout)["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3]);
    let diff = rampart(&["history", "diff", "--db", dbs], DAY3);
    assert_eq!(diff.code, 2);
    assert!(diff.stderr.contains("history.sqlite"), "{}", diff.stderr);
}

#[test]
fn history_input_errors_exit_2_naming_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let dbs = db.to_str().unwrap();
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    record(&db, &sample, DAY1);
    for args in [
        vec!["history", "show", "99", "--db", dbs],
        vec!["history", "diff", "1", "7", "--db", dbs],
        vec!["history", "show", "latest~5", "--db", dbs],
    ] {
        let out = rampart(&args, DAY1);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(out.stderr.contains("h.sqlite"), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    let not_db = dir.path().join("not-a-db.sqlite");
    std::fs::write(
        &not_db,
        "this is not a database, just text long enough to have a header page",
    )
    .unwrap();
    let out = rampart(&["history", "list", "--db", not_db.to_str().unwrap()], DAY1);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not-a-db.sqlite"), "{}", out.stderr);
    let out = rampart(&["evaluate", "--fail-on-new"], DAY1);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = rampart(&["history", "prune", "--db", dbs], DAY1);
    assert_eq!(
        out.code, 2,
        "prune needs --keep or --older-than: {}",
        out.stderr
    );
}

/// A recording killed inside its transaction leaves the database as it was: it opens, it
/// is consistent, and it holds the runs before only.
#[cfg(unix)]
#[test]
fn a_recording_killed_midway_leaves_the_previous_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let dbs = db.to_str().unwrap();
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    let changed = changed_sample(dir.path());
    record(&db, &sample, DAY1);
    record(&db, &changed, DAY2);

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rampart"))
        .args([
            "evaluate",
            "--snapshot",
            sample.to_str().unwrap(),
            "--record",
            "--db",
            dbs,
        ])
        .env("RAMPART_NOW", DAY3)
        .env("RAMPART_HISTORY_PAUSE_SECS", "120")
        .env_remove("RAMPART_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let paused = lines.any(|line| line.is_ok_and(|l| l.contains("pausing")));
    assert!(paused, "the recording never reached its pause");
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());

    let history = rampart::history::History::open(&db).unwrap();
    history.check_integrity().unwrap();
    let ids: Vec<i64> = history.runs().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [1, 2]);
    drop(history);
    let list = rampart(&["history", "list", "--db", dbs, "--format", "json"], DAY3);
    assert_eq!(json(&list.stdout)["runs"].as_array().unwrap().len(), 2);
    // The next recording goes on from there.
    let three = record(&db, &sample, DAY3);
    assert!(!three.is_empty());
    let diff = rampart(&["history", "diff", "--db", dbs, "--format", "json"], DAY3);
    assert_eq!(json(&diff.stdout)["to"]["id"], 3);
}

/// A database written by the first schema is migrated on open and keeps its runs.
#[test]
fn a_version_1_database_is_migrated_by_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite");
    let dbs = db.to_str().unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(include_str!("data/history-schema-v1.sql"))
        .unwrap();
    let list = rampart(&["history", "list", "--db", dbs, "--format", "json"], DAY1);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let runs = json(&list.stdout)["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["tool_version"], "0.0.9");
    let version: u32 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, rampart::history::SCHEMA_VERSION);

    record(&db, &repo_path("fixtures/orgs/sample/snapshot.json"), DAY1);
    let diff = rampart(&["history", "diff", "--db", dbs, "--format", "json"], DAY1);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let diff = json(&diff.stdout);
    let resolved: Vec<&Value> = diff["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"] == "resolved")
        .collect();
    assert_eq!(
        resolved.len(),
        1,
        "the old run's only failure is not in the sample"
    );
    assert_eq!(resolved[0]["finding"]["title"], "s3-encrypted");
}

/// `evaluate --record --fail-on-new`: the first run's failures are all new (exit 1), the
/// same snapshot again has none (exit 0) although it still fails.
#[test]
fn fail_on_new_alerts_only_on_new_failures() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    let args = [
        "evaluate",
        "--snapshot",
        sample.to_str().unwrap(),
        "--record",
        "--db",
        db.to_str().unwrap(),
        "--fail-on-new",
        "--fail-on",
        "high",
    ];
    let first = rampart(&args, DAY1);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(first.stderr.contains("recorded run 1"), "{}", first.stderr);
    let second = rampart(&args, DAY2);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains("0 new failures, 0 resolved since run 1"),
        "{}",
        second.stderr
    );
    let without = rampart(&args[..6], DAY3);
    assert_eq!(
        without.code, 1,
        "without --fail-on-new every high failure counts"
    );
}

/// `history finding FINGERPRINT`: the finding's first and last sighting, its resolution and
/// each change of its status with its run, as text and JSON.
#[test]
fn a_findings_timeline_follows_it_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let dbs = db.to_str().unwrap();
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    let changed = changed_sample(dir.path());
    let one = record(&db, &sample, DAY1);
    let two = record(&db, &changed, DAY2);
    record(&db, &sample, DAY3);
    // A failure of the account the second run lacks: absent in run 2, back in run 3.
    let (fp, _) = one
        .iter()
        .find(|(fp, (status, _))| status == "fail" && !two.contains_key(*fp))
        .expect("the removed account fails something");
    let out = rampart(
        &["history", "finding", fp, "--db", dbs, "--format", "json"],
        DAY3,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let t = &json(&out.stdout)["finding"];
    assert_eq!(t["fingerprint"], fp.as_str());
    assert_eq!(t["first_seen"], DAY1);
    assert_eq!(t["last_seen"], DAY3);
    assert_eq!(t["resolved_at"], Value::Null, "failing again");
    assert_eq!(t["status"], "fail");
    let changes: Vec<(i64, Value, String)> = t["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["run"].as_i64().unwrap(),
                c["from"].clone(),
                c["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (1, Value::Null, "fail".to_owned()),
            (2, Value::from("fail"), "absent".to_owned()),
            (3, Value::from("absent"), "fail".to_owned()),
        ]
    );
    let text = rampart(&["history", "finding", &fp[..12], "--db", dbs], DAY3);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(&format!("finding {fp}")),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("fail -> absent"), "{}", text.stdout);
    let missing = rampart(&["history", "finding", "ffffffffffff", "--db", dbs], DAY3);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("`ffffffffffff`"),
        "{}",
        missing.stderr
    );
}

/// `history diff --format sarif` with all four `baselineState`s, valid against the vendored
/// SARIF 2.1.0 schema: run 2 drops an account (absent), loses a read (new unknowns) and
/// waives one failure of run 1 (updated); the rest is unchanged.
#[test]
fn a_sarif_diff_carries_every_baseline_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let dbs = db.to_str().unwrap();
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    let changed = changed_sample(dir.path());
    let one = rampart(
        &[
            "evaluate",
            "--snapshot",
            sample.to_str().unwrap(),
            "--record",
            "--db",
            dbs,
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        DAY1,
    );
    assert_eq!(one.code, 0, "{}", one.stderr);
    let one = json(&one.stdout);
    // A failure in an account and region the second run still reads in full.
    let waived = one["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["status"] == "fail"
                && f["account_id"] != "864209753186"
                && f["account_id"] != "111122223333"
                && !f["resource"].as_str().unwrap().contains('*')
        })
        .expect("the sample fails elsewhere too");
    let mut ruleset = std::fs::read_to_string(repo_path("rulesets/default.toml")).unwrap();
    ruleset.push_str(&format!(
        "\n[[waivers]]\nrule = \"{}\"\nresource = \"{}\"\nreason = \"accepted for the test\"\napprover = \"auditor@example.com\"\nexpires = 2099-01-01\n",
        waived["rule_id"].as_str().unwrap(),
        waived["resource"].as_str().unwrap()
    ));
    let ruleset_path = dir.path().join("waived.toml");
    std::fs::write(&ruleset_path, ruleset).unwrap();
    let two = rampart(
        &[
            "evaluate",
            "--snapshot",
            changed.to_str().unwrap(),
            "--ruleset",
            ruleset_path.to_str().unwrap(),
            "--record",
            "--db",
            dbs,
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        DAY2,
    );
    assert_eq!(two.code, 0, "{}", two.stderr);
    let sarif = rampart(&["history", "diff", "--db", dbs, "--format", "sarif"], DAY2);
    assert_eq!(sarif.code, 0, "{}", sarif.stderr);
    validate_sarif(&sarif.stdout).unwrap();
    let log = json(&sarif.stdout);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let mut states: BTreeMap<&str, usize> = BTreeMap::new();
    for result in results {
        *states
            .entry(result["baselineState"].as_str().unwrap())
            .or_default() += 1;
    }
    for state in ["new", "unchanged", "updated", "absent"] {
        assert!(states.contains_key(state), "{state} in {states:?}");
    }
    // The waived finding is the one updated, under its fingerprint.
    let fingerprint = waived["fingerprint"].as_str().unwrap();
    let updated: Vec<&Value> = results
        .iter()
        .filter(|r| r["baselineState"] == "updated")
        .collect();
    assert!(
        updated.iter().any(|r| r["partialFingerprints"]
            .as_object()
            .unwrap()
            .values()
            .any(|v| v == fingerprint)),
        "{updated:?}"
    );
}
