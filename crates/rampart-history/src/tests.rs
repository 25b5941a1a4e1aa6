#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rampart_engine::findings::{
    fingerprint, Evaluation, Finding, ResourceKey, RuleInfo, RulesetIdentity, Subject,
};
use rampart_engine::model::{
    CoverageGap, ResourceType, Service, SnapshotSource, SnapshotSourceKind,
};
use rampart_engine::vocab::{Area, RuleKind, Severity, Status};

use super::*;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, 3, 0, 0).unwrap()
}

fn finding(rule: &str, bucket: &str, status: Status) -> Finding {
    let key = ResourceKey {
        arn: format!("arn:aws:s3:::{bucket}"),
        resource_type: ResourceType::S3Bucket,
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        location: None,
    };
    Finding {
        rule_id: Arc::from(rule),
        title: Arc::from(format!("{rule} title").as_str()),
        status,
        severity: Severity::High,
        area: Area::EncryptionAtRest,
        resource: key.arn.clone(),
        resource_type: ResourceType::S3Bucket.name(),
        account_id: key.account_id.clone(),
        region: key.region.clone(),
        message: format!("{bucket} is {status}"),
        location: None,
        fingerprint: fingerprint(rule, &key),
        waiver: None,
        baseline_state: None,
        evidence: Vec::new(),
    }
}

fn evaluation(findings: Vec<Finding>, gaps: &[&str]) -> Evaluation {
    let rules = ["s3-encrypted", "s3-versioned"]
        .iter()
        .map(|id| RuleInfo {
            id: (*id).to_owned(),
            title: format!("{id} title"),
            area: Area::EncryptionAtRest,
            severity: Severity::High,
            kind: RuleKind::Native,
            remediation: "fix it".into(),
            doc: String::new(),
            location: None,
            controls: Default::default(),
            tags: Vec::new(),
            reads: Vec::new(),
        })
        .collect();
    Evaluation {
        ruleset: RulesetIdentity {
            name: "default".into(),
            sha256: "ab".repeat(32),
        },
        subject: Subject {
            taken_at: Some(at(1)),
            source: SnapshotSource {
                kind: SnapshotSourceKind::Fixture,
                description: "test".into(),
                regions: None,
            },
        },
        rules,
        findings,
        notices: Vec::new(),
        coverage: gaps
            .iter()
            .map(|account| CoverageGap {
                account_id: (*account).to_owned(),
                region: "eu-west-1".into(),
                service: Service::Kms,
                reason: "AccessDenied".into(),
                resource: None,
                operation: None,
            })
            .collect(),
    }
}

static SNAPSHOT_TEXT: SnapshotText = SnapshotText {
    sha256: String::new(),
    size: 42,
};

fn bundle_context(day: u32) -> BundleContext<'static> {
    BundleContext {
        evaluated_at: at(day),
        catalog_version: "catalog-1",
        snapshot: Some(&SNAPSHOT_TEXT),
        ruleset_toml: "name = \"default\"\n",
    }
}

fn record(history: &mut History, day: u32, evaluation: &Evaluation) -> Recorded {
    history
        .record(
            &RunInput {
                command: "evaluate",
                tool_version: "0.1.0",
                snapshot_digest: "digest",
                evaluation,
                bundle: bundle_context(day),
            },
            &FixedClock(at(day)),
            || {},
        )
        .unwrap()
}

/// Three consecutive runs: a failure resolved, one that appears, one that disappears and
/// comes back, a gap that opens.
#[test]
fn consecutive_runs_are_recorded_diffed_and_pruned() {
    use Status::*;
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(&dir.path().join("h.sqlite")).unwrap();

    let first = evaluation(
        vec![
            finding("s3-encrypted", "a", Fail),
            finding("s3-encrypted", "b", Pass),
            finding("s3-encrypted", "c", Unknown),
            finding("s3-versioned", "a", Fail),
        ],
        &[],
    );
    let r1 = record(&mut history, 1, &first);
    assert_eq!((r1.run, r1.previous, r1.new_failures.len()), (1, None, 2));

    let second = evaluation(
        vec![
            finding("s3-encrypted", "a", Pass),
            finding("s3-encrypted", "b", Fail),
            finding("s3-encrypted", "c", Fail),
        ],
        &["222222222222"],
    );
    let r2 = record(&mut history, 2, &second);
    assert_eq!(r2.previous, Some(1));
    assert_eq!(r2.new_failures.len(), 2, "b and c fail now");
    assert_eq!(r2.resolved, 2, "a passes, s3-versioned on a is gone");

    let diff = history.diff(1, 2).unwrap();
    let changes: Vec<(Change, &str, &str)> = diff
        .entries
        .iter()
        .map(|e| {
            (
                e.change,
                e.finding.rule_id.as_str(),
                e.finding.resource.as_str(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (Change::Resolved, "s3-encrypted", "arn:aws:s3:::a"),
            (Change::New, "s3-encrypted", "arn:aws:s3:::b"),
            (Change::Changed, "s3-encrypted", "arn:aws:s3:::c"),
            (Change::Resolved, "s3-versioned", "arn:aws:s3:::a"),
        ]
    );
    // Passes are not stored per run, yet the diff knows them from the status changes.
    let statuses: Vec<(Option<Status>, Option<Status>)> =
        diff.entries.iter().map(|e| (e.before, e.after)).collect();
    assert_eq!(
        statuses,
        [
            (Some(Fail), Some(Pass)),
            (Some(Pass), Some(Fail)),
            (Some(Unknown), Some(Fail)),
            (Some(Fail), None),
        ]
    );
    assert_eq!(diff.new_failures().count(), 2);
    assert_eq!(diff.new_gaps.len(), 1);
    assert_eq!(diff.new_gaps[0].read, "kms");

    // The failure that went away comes back: it is no longer resolved.
    let third = evaluation(
        vec![
            finding("s3-encrypted", "a", Pass),
            finding("s3-encrypted", "b", Fail),
            finding("s3-encrypted", "c", Fail),
            finding("s3-versioned", "a", Fail),
        ],
        &["222222222222"],
    );
    let r3 = record(&mut history, 3, &third);
    assert_eq!(r3.new_failures.len(), 1);
    let view = history.show(3).unwrap();
    type Life<'a> = (&'a str, &'a str, DateTime<Utc>, Option<DateTime<Utc>>);
    let lives: Vec<Life<'_>> = view
        .findings
        .iter()
        .map(|(f, l)| {
            (
                f.rule_id.as_str(),
                f.resource.as_str(),
                l.first_seen,
                l.resolved_at,
            )
        })
        .collect();
    assert_eq!(
        lives,
        [
            ("s3-encrypted", "arn:aws:s3:::b", at(1), None),
            ("s3-encrypted", "arn:aws:s3:::c", at(1), None),
            ("s3-versioned", "arn:aws:s3:::a", at(1), None),
        ]
    );
    let first_view = history.show(1).unwrap();
    assert_eq!(first_view.findings.len(), 3, "pass findings are not shown");
    let resolved_a: Option<DateTime<Utc>> = history
        .conn
        .query_row(
            "SELECT resolved_at FROM findings WHERE fingerprint = ?1",
            [&first.findings[0].fingerprint],
            |row| row.get::<_, Option<String>>(0),
        )
        .unwrap()
        .and_then(|t| parse_time(&t));
    assert_eq!(resolved_a, Some(at(2)));
    let changes: i64 = history
        .conn
        .query_row("SELECT count(*) FROM status_changes", [], |row| row.get(0))
        .unwrap();
    // Run 1: 4 first statuses; run 2: a, b, c changed, versioned/a absent; run 3: versioned/a back.
    assert_eq!(changes, 9);

    let trend = history.trend(10).unwrap();
    let fails: Vec<u64> = trend
        .points
        .iter()
        .map(|p| p.areas[&Area::EncryptionAtRest].fail)
        .collect();
    assert_eq!(fails, [2, 2, 3]);

    // Keep the 2 latest runs; then delete anything older than day 3.
    let pruned = history
        .prune(Prune {
            keep: Some(2),
            older_than: None,
        })
        .unwrap();
    assert_eq!((pruned.runs, pruned.remaining), (1, 2));
    let ids: Vec<i64> = history.runs().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [2, 3]);
    let pruned = history
        .prune(Prune {
            keep: None,
            older_than: Some(at(3)),
        })
        .unwrap();
    assert_eq!((pruned.runs, pruned.remaining), (1, 1));
    assert!(history.diff(2, 3).is_err());
    history.check_integrity().unwrap();
    // Every finding is still mentioned by run 3.
    assert_eq!(pruned.findings, 0);
}

#[test]
fn an_interrupted_recording_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    let mut history = History::open(&path).unwrap();
    let one = evaluation(vec![finding("s3-encrypted", "a", Status::Fail)], &[]);
    record(&mut history, 1, &one);
    let two = evaluation(vec![finding("s3-encrypted", "b", Status::Fail)], &["x"]);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        history.record(
            &RunInput {
                command: "evaluate",
                tool_version: "0.1.0",
                snapshot_digest: "digest",
                evaluation: &two,
                bundle: bundle_context(2),
            },
            &FixedClock(at(2)),
            || panic!("interrupted"),
        )
    }));
    assert!(result.is_err());
    drop(history);
    let history = History::open(&path).unwrap();
    history.check_integrity().unwrap();
    assert_eq!(history.runs().unwrap().len(), 1);
    let view = history.show(1).unwrap();
    assert_eq!(view.findings.len(), 1);
    let count: i64 = history
        .conn
        .query_row("SELECT count(*) FROM findings", [], |row| row.get(0))
        .unwrap();
    assert_eq!(count, 1, "the second run's finding is not there");
}

/// Version 1 of the schema as it was written, with one run, kept verbatim: the migration
/// must take a database of this shape forward without losing its runs.
const SCHEMA_V1: &str = include_str!("../../../tests/data/history-schema-v1.sql");

#[test]
fn a_version_1_database_is_migrated_with_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(SCHEMA_V1)
        .unwrap();
    let mut history = History::open(&path).unwrap();
    assert_eq!(history.schema_version().unwrap(), SCHEMA_VERSION);
    history.check_integrity().unwrap();
    let runs = history.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].summary.fail, 1);
    let view = history.show(1).unwrap();
    // Recorded before rule titles were: the title is the id.
    assert_eq!(view.findings[0].0.title, "s3-encrypted");
    assert!(view.coverage.is_empty());

    // A new run diffs against the migrated one.
    let now = evaluation(vec![], &["333333333333"]);
    record(&mut history, 2, &now);
    let diff = history.diff(1, 2).unwrap();
    assert_eq!(diff.with(Change::Resolved).count(), 1);
    assert_eq!(diff.new_gaps.len(), 1);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
        .unwrap();
    let error = History::open(&path).unwrap_err().to_string();
    assert!(error.contains("new.sqlite"), "{error}");
    assert!(error.contains("version 99"), "{error}");
    let version: u32 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 99);
}

#[test]
fn the_database_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::open(&dir.path().join("h.sqlite")).unwrap();
    let mode: String = history
        .conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// Each run keeps its whole evaluation, passes included, and gives it back as it was.
#[test]
fn a_run_keeps_its_whole_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(&dir.path().join("h.sqlite")).unwrap();
    let one = evaluation(
        vec![
            finding("s3-encrypted", "a", Status::Fail),
            finding("s3-encrypted", "b", Status::Pass),
            finding("s3-versioned", "a", Status::Pass),
        ],
        &["x"],
    );
    let recorded = record(&mut history, 1, &one);
    let stored = history.stored_run(recorded.run).unwrap();
    assert_eq!(stored.evaluation, one);
    assert_eq!(stored.evaluated_at, at(1));
    assert_eq!(stored.catalog_version, "catalog-1");
    assert_eq!(stored.snapshot, Some(SNAPSHOT_TEXT.clone()));
    assert_eq!(stored.ruleset_toml, "name = \"default\"\n");
    // Pruned with its run.
    record(&mut history, 2, &one);
    history
        .prune(Prune {
            keep: Some(1),
            older_than: None,
        })
        .unwrap();
    let left: i64 = history
        .conn
        .query_row("SELECT count(*) FROM run_evaluations", [], |row| row.get(0))
        .unwrap();
    assert_eq!(left, 1);
}

/// A run recorded before schema 3 has no evaluation: the error names the run and why.
#[test]
fn a_run_recorded_before_evaluations_were_kept_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(SCHEMA_V1)
        .unwrap();
    let history = History::open(&path).unwrap();
    let err = history.stored_run(1).unwrap_err();
    assert!(
        matches!(err, HistoryError::NoEvaluation { run: 1, .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("run 1 cannot be reported"), "{message}");
    assert!(message.contains("before schema version 3"), "{message}");
}

/// A finding's timeline: each change of status with its run, and its life.
#[test]
fn a_findings_timeline_lists_its_status_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(&dir.path().join("h.sqlite")).unwrap();
    let fail = finding("s3-encrypted", "a", Status::Fail);
    let fp = fail.fingerprint.clone();
    record(&mut history, 1, &evaluation(vec![fail.clone()], &[]));
    record(&mut history, 2, &evaluation(vec![fail.clone()], &[]));
    record(
        &mut history,
        3,
        &evaluation(vec![finding("s3-encrypted", "a", Status::Pass)], &[]),
    );
    record(&mut history, 4, &evaluation(Vec::new(), &[]));
    let t = history.finding_timeline(&fp).unwrap();
    assert_eq!(t.rule_id, "s3-encrypted");
    assert_eq!(t.title, "s3-encrypted title");
    assert_eq!(t.status, "absent");
    assert_eq!(t.life.first_seen, at(1));
    assert_eq!(t.life.last_seen, at(3));
    assert_eq!(t.life.resolved_at, Some(at(3)));
    let changes: Vec<(i64, Option<&str>, &str)> = t
        .changes
        .iter()
        .map(|c| (c.run, c.from.as_deref(), c.to.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            (1, None, "fail"),
            (3, Some("fail"), "pass"),
            (4, Some("pass"), "absent")
        ]
    );
    assert_eq!(t.changes[1].recorded_at, at(3));
    // A unique prefix names it too; an unknown fingerprint is an error naming it.
    assert_eq!(history.finding_timeline(&fp[..10]).unwrap(), t);
    let err = history.finding_timeline("0000000000").unwrap_err();
    assert!(err.to_string().contains("`0000000000`"), "{err}");
    let text = render::timeline_text(&t);
    assert!(
        text.contains("run     3  2026-01-03T03:00:00Z  fail -> pass"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&render::timeline_json("0.1.0", &t).unwrap()).unwrap();
    assert_eq!(json["finding"]["resolved_at"], "2026-01-03T03:00:00Z");
    assert_eq!(json["finding"]["changes"][2]["to"], "absent");
}
