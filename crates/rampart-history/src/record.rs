//! Recording a run: one transaction that adds the run, its findings, their status
//! changes, its coverage gaps and rules, and moves every finding's life forward.

use std::collections::{HashMap, HashSet};

use rampart_engine::findings::Evaluation;
use rampart_engine::model::Snapshot;
use rampart_engine::vocab::Status;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::stored::{self, BundleContext};
use crate::{parse_status, time_text, Clock, History, HistoryError, Summary, ABSENT};

/// What a run records besides its evaluation.
#[derive(Debug, Clone, Copy)]
pub struct RunInput<'a> {
    /// The command recording it (`scan`, `evaluate`).
    pub command: &'a str,
    /// rampart's version.
    pub tool_version: &'a str,
    /// The snapshot's digest ([`snapshot_digest`]).
    pub snapshot_digest: &'a str,
    /// What was evaluated, and what it gave.
    pub evaluation: &'a Evaluation,
    /// What the run's evidence bundle needs besides the evaluation (kept with it).
    pub bundle: BundleContext<'a>,
}

/// What recording a run did, compared with the run before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    /// The new run's id.
    pub run: i64,
    /// The run before it, if any.
    pub previous: Option<i64>,
    /// Findings failing now that were not failing in the previous run (all failures for a
    /// first run), by fingerprint.
    pub new_failures: Vec<String>,
    /// Findings failing in the previous run that are not failing now.
    pub resolved: usize,
}

/// SHA-256 of the snapshot's JSON, hex: the same data gives the same digest however it
/// was read.
pub fn snapshot_digest(snapshot: &Snapshot) -> Result<String, serde_json::Error> {
    let json = serde_json::to_vec(snapshot)?;
    Ok(hex::encode(Sha256::digest(&json)))
}

impl History {
    /// Records a run in one transaction, at `clock`'s time. `inside` runs inside the
    /// transaction just before it commits (a test hook: whatever happens there, the run is
    /// either wholly recorded or not at all).
    pub fn record(
        &mut self,
        input: &RunInput<'_>,
        clock: &dyn Clock,
        inside: impl FnOnce(),
    ) -> Result<Recorded, HistoryError> {
        let now = time_text(clock.now());
        let path = self.path.clone();
        let fail = |source| HistoryError::Sqlite {
            path: path.clone(),
            source,
        };
        let evaluation = input.evaluation;
        // Compressed before the transaction opens: it holds no lock while this runs.
        let stored =
            stored::encode(&input.bundle, evaluation).map_err(|e| HistoryError::Encode {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let mut summary = Summary::default();
        for f in &evaluation.findings {
            summary.add(f.status, 1);
        }
        let tx = self.conn.transaction().map_err(fail)?;
        let previous: Option<i64> = tx
            .query_row("SELECT max(id) FROM runs", [], |row| row.get(0))
            .map_err(fail)?;
        tx.execute(
            "INSERT INTO runs (recorded_at, command, tool_version, ruleset, ruleset_sha256,
                snapshot_digest, taken_at, source, coverage_gaps, pass, fail, unknown, waived)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                now,
                input.command,
                input.tool_version,
                evaluation.ruleset.name,
                evaluation.ruleset.sha256,
                input.snapshot_digest,
                evaluation.subject.taken_at.map(time_text),
                evaluation.subject.source.description,
                evaluation.coverage.len(),
                summary.pass,
                summary.fail,
                summary.unknown,
                summary.waived,
            ],
        )
        .map_err(fail)?;
        let run = tx.last_insert_rowid();

        // Every finding's latest status (`absent` for those no longer reported).
        let mut known: HashMap<String, String> = HashMap::new();
        {
            let mut stmt = tx
                .prepare("SELECT fingerprint, status FROM findings")
                .map_err(fail)?;
            let rows = stmt
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .map_err(fail)?;
            for row in rows {
                let (fingerprint, status) = row.map_err(fail)?;
                known.insert(fingerprint, status);
            }
        }

        let mut new_failures = Vec::new();
        let mut resolved = 0;
        let mut seen: HashSet<&str> = HashSet::new();
        {
            let mut insert_finding = tx
                .prepare(
                    "INSERT INTO findings (fingerprint, rule_id, area, resource, resource_type,
                        account_id, region, status, first_seen, last_seen, resolved_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, NULL)",
                )
                .map_err(fail)?;
            let mut update_finding = tx
                .prepare(
                    "UPDATE findings SET status = ?2, last_seen = ?3,
                        resolved_at = CASE WHEN ?4 THEN ?3 WHEN ?5 THEN NULL ELSE resolved_at END
                     WHERE fingerprint = ?1",
                )
                .map_err(fail)?;
            let mut insert_run_finding = tx
                .prepare(
                    "INSERT INTO run_findings (run_id, fingerprint, status, severity, message)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(fail)?;
            let mut insert_change = tx
                .prepare(
                    "INSERT INTO status_changes (fingerprint, run_id, from_status, to_status)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(fail)?;
            for f in &evaluation.findings {
                // Two findings with one fingerprint (the engine reports that as a notice)
                // are stored once: the first, in the evaluation's order.
                if !seen.insert(f.fingerprint.as_str()) {
                    continue;
                }
                let status = f.status.as_str();
                let before = known.remove(&f.fingerprint);
                match &before {
                    None => {
                        insert_finding
                            .execute(params![
                                f.fingerprint,
                                &*f.rule_id,
                                f.area.as_str(),
                                f.resource,
                                f.resource_type,
                                f.account_id,
                                f.region,
                                status,
                                now,
                            ])
                            .map_err(fail)?;
                    }
                    Some(old) => {
                        let stops_failing =
                            old == Status::Fail.as_str() && f.status == Status::Pass;
                        let fails = f.status == Status::Fail;
                        update_finding
                            .execute(params![f.fingerprint, status, now, stops_failing, fails])
                            .map_err(fail)?;
                        if stops_failing {
                            resolved += 1;
                        }
                    }
                }
                if before.as_deref() != Some(status) {
                    insert_change
                        .execute(params![f.fingerprint, run, before, status])
                        .map_err(fail)?;
                }
                if f.status == Status::Fail && before.as_deref() != Some(Status::Fail.as_str()) {
                    new_failures.push(f.fingerprint.clone());
                }
                // Passes live in the run's counts and each finding's life, not per run: they
                // are most findings, and no diff or report lists them.
                if f.status != Status::Pass {
                    insert_run_finding
                        .execute(params![
                            run,
                            f.fingerprint,
                            status,
                            f.severity.as_str(),
                            f.message
                        ])
                        .map_err(fail)?;
                }
            }

            // What the previous runs reported and this one does not is absent now.
            let mut gone: Vec<(String, String)> = known
                .into_iter()
                .filter(|(_, status)| status != ABSENT)
                .collect();
            gone.sort();
            let mut mark_absent = tx
                .prepare(
                    "UPDATE findings SET status = 'absent',
                        resolved_at = CASE WHEN ?2 THEN ?3 ELSE resolved_at END
                     WHERE fingerprint = ?1",
                )
                .map_err(fail)?;
            for (fingerprint, old) in gone {
                let was_failing = parse_status(&old) == Some(Status::Fail);
                if was_failing {
                    resolved += 1;
                }
                mark_absent
                    .execute(params![fingerprint, was_failing, now])
                    .map_err(fail)?;
                insert_change
                    .execute(params![fingerprint, run, old, ABSENT])
                    .map_err(fail)?;
            }
        }

        {
            let mut insert_gap = tx
                .prepare(
                    "INSERT OR IGNORE INTO run_coverage (run_id, account_id, region, read, resource, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(fail)?;
            for gap in &evaluation.coverage {
                let read = gap
                    .operation
                    .map_or_else(|| gap.service.prefix().to_owned(), |o| o.to_string());
                insert_gap
                    .execute(params![
                        run,
                        gap.account_id,
                        gap.region,
                        read,
                        gap.resource.as_deref().unwrap_or_default(),
                        gap.reason,
                    ])
                    .map_err(fail)?;
            }
            let mut insert_rule = tx
                .prepare(
                    "INSERT INTO run_rules (run_id, rule_id, title, area, severity, kind, remediation)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(fail)?;
            for rule in &evaluation.rules {
                insert_rule
                    .execute(params![
                        run,
                        rule.id,
                        rule.title,
                        rule.area.as_str(),
                        rule.severity.as_str(),
                        rule.kind.as_str(),
                        rule.remediation,
                    ])
                    .map_err(fail)?;
            }
        }

        stored::insert(&tx, run, &stored).map_err(fail)?;

        inside();
        tx.commit().map_err(fail)?;
        new_failures.sort();
        Ok(Recorded {
            run,
            previous,
            new_failures,
            resolved,
        })
    }

    /// The id of the latest run, if any.
    pub fn latest_run(&self) -> Result<Option<i64>, HistoryError> {
        self.conn
            .query_row("SELECT max(id) FROM runs", [], |row| row.get(0))
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.sqlite(e))
    }
}
