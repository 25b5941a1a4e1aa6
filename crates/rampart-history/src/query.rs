//! Reading the history: runs, one run's findings, the difference between two runs, the
//! trend per area, and pruning old runs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rampart_engine::vocab::{Area, Status};
use rusqlite::{OptionalExtension, Row};
use serde::Serialize;

use crate::{
    parse_status, parse_time, time_text, History, HistoryError, Lifecycle, Run, StoredFinding,
    StoredGap, StoredRule, Summary,
};

/// One run with what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunView {
    /// The run.
    pub run: Run,
    /// Its findings that are not passes (the only ones stored per run), in report order (rule, resource, region,
    /// account), each with its life across runs.
    pub findings: Vec<(StoredFinding, Lifecycle)>,
    /// Its coverage gaps.
    pub coverage: Vec<StoredGap>,
}

/// How a reported (not passing) finding changed between two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Reported now, not before (absent or passing).
    New,
    /// Reported before, not now (absent or passing).
    Resolved,
    /// Reported in both, with another status (`unknown` → `fail`, `fail` → `waived`).
    Changed,
    /// Reported in both with the same status.
    Unchanged,
}

impl Change {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Resolved => "resolved",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One finding in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffEntry {
    /// How it changed.
    pub change: Change,
    /// Its status in the older run (`None`: absent).
    pub before: Option<Status>,
    /// Its status in the newer run (`None`: absent).
    pub after: Option<Status>,
    /// The finding as the newer run has it, or the older one for a finding now absent.
    pub finding: StoredFinding,
}

/// What changed from one run to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunDiff {
    /// The older run.
    pub from: Run,
    /// The newer run.
    pub to: Run,
    /// Every finding reported in either run, in report order.
    pub entries: Vec<DiffEntry>,
    /// Coverage gaps of the newer run that the older did not have.
    pub new_gaps: Vec<StoredGap>,
    /// Coverage gaps of the older run that the newer does not have.
    pub closed_gaps: Vec<StoredGap>,
    /// The rules of the newer run (and of the older one, for findings now absent).
    pub rules: Vec<StoredRule>,
}

impl RunDiff {
    /// The entries with one kind of change.
    pub fn with(&self, change: Change) -> impl Iterator<Item = &DiffEntry> {
        self.entries.iter().filter(move |e| e.change == change)
    }

    /// Findings failing in the newer run that were not failing in the older one.
    pub fn new_failures(&self) -> impl Iterator<Item = &DiffEntry> {
        self.entries
            .iter()
            .filter(|e| e.after == Some(Status::Fail) && e.before != Some(Status::Fail))
    }
}

/// One run's findings by area and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    /// The run.
    pub run: i64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Counts per area (areas without reported findings are left out).
    pub areas: BTreeMap<Area, Reported>,
}

/// The findings of one area in one run that are not passes (passes are counted per run,
/// not per area).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reported {
    /// Failing.
    pub fail: u64,
    /// Not assessable.
    pub unknown: u64,
    /// Waived.
    pub waived: u64,
}

/// The trend per area over the latest runs, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trend {
    /// One point per run.
    pub points: Vec<TrendPoint>,
}

/// Which runs `prune` deletes: a run goes when every criterion given lets it go.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prune {
    /// Keep this many of the latest runs.
    pub keep: Option<usize>,
    /// Delete runs recorded before this time.
    pub older_than: Option<DateTime<Utc>>,
}

/// What a prune deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PruneReport {
    /// Runs deleted.
    pub runs: usize,
    /// Findings no run reports any more and no remaining run mentions, deleted with them.
    pub findings: usize,
    /// Runs left.
    pub remaining: usize,
}

const RUN_COLUMNS: &str = "id, recorded_at, command, tool_version, ruleset, ruleset_sha256,
    snapshot_digest, taken_at, source, coverage_gaps, pass, fail, unknown, waived";

impl History {
    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<Run>, HistoryError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map([], raw_run)
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        rows.into_iter().map(|r| self.run_of(r)).collect()
    }

    /// One run by id.
    pub fn run(&self, id: i64) -> Result<Run, HistoryError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1");
        let raw = self
            .conn
            .query_row(&sql, [id], raw_run)
            .optional()
            .map_err(|e| self.sqlite(e))?
            .ok_or_else(|| HistoryError::NoSuchRun {
                path: self.path.clone(),
                run: id.to_string(),
            })?;
        self.run_of(raw)
    }

    /// A run named on the command line: its id, `latest`, or `latest~N` (N runs before).
    pub fn resolve_run(&self, name: &str) -> Result<i64, HistoryError> {
        let no_run = || HistoryError::NoSuchRun {
            path: self.path.clone(),
            run: name.to_owned(),
        };
        let back = match name {
            "latest" => Some(0),
            _ => match name.strip_prefix("latest~") {
                Some(n) => Some(n.parse::<i64>().map_err(|_| no_run())?),
                None => None,
            },
        };
        let id = match back {
            Some(back) => self
                .conn
                .query_row(
                    "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?1",
                    [back],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| self.sqlite(e))?,
            None => {
                let id: i64 = name.parse().map_err(|_| no_run())?;
                self.conn
                    .query_row("SELECT id FROM runs WHERE id = ?1", [id], |row| row.get(0))
                    .optional()
                    .map_err(|e| self.sqlite(e))?
            }
        };
        id.ok_or_else(no_run)
    }

    /// The two latest runs, older first.
    pub fn last_two(&self) -> Result<(i64, i64), HistoryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM runs ORDER BY id DESC LIMIT 2")
            .map_err(|e| self.sqlite(e))?;
        let ids = stmt
            .query_map([], |row| row.get::<_, i64>(0))
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        match ids.as_slice() {
            [newer, older] => Ok((*older, *newer)),
            _ => Err(HistoryError::NotEnoughRuns {
                path: self.path.clone(),
                message: format!("a diff needs two runs and the history has {}", ids.len()),
            }),
        }
    }

    /// One run with its reported findings and coverage gaps.
    pub fn show(&self, id: i64) -> Result<RunView, HistoryError> {
        let run = self.run(id)?;
        let findings = self
            .findings_of(id)?
            .into_values()
            .filter(|(f, _)| f.status != Status::Pass)
            .collect();
        let findings = sorted(findings, |(f, _)| f);
        Ok(RunView {
            run,
            findings,
            coverage: self.gaps_of(id)?,
        })
    }

    /// What changed from run `from` to run `to`.
    pub fn diff(&self, from: i64, to: i64) -> Result<RunDiff, HistoryError> {
        let from_run = self.run(from)?;
        let to_run = self.run(to)?;
        let mut before = self.findings_of(from)?;
        let after = self.findings_of(to)?;
        let mut entries = Vec::new();
        for (fingerprint, (finding, _)) in after {
            let old = before.remove(&fingerprint).map(|(f, _)| f.status);
            let new = Some(finding.status);
            if let Some(change) = change(old, new) {
                entries.push(DiffEntry {
                    change,
                    before: old,
                    after: new,
                    finding,
                });
            }
        }
        for (finding, _) in before.into_values() {
            if let Some(change) = change(Some(finding.status), None) {
                entries.push(DiffEntry {
                    change,
                    before: Some(finding.status),
                    after: None,
                    finding,
                });
            }
        }
        // Passes are not stored per run: a finding not reported in a run passed there if
        // its last status change up to that run says so.
        for e in &mut entries {
            if e.before.is_none() {
                e.before = self.status_at(&e.finding.fingerprint, from)?;
            }
            if e.after.is_none() {
                e.after = self.status_at(&e.finding.fingerprint, to)?;
            }
        }
        let entries = sorted(entries, |e| &e.finding);
        let old_gaps = self.gaps_of(from)?;
        let new_gaps = self.gaps_of(to)?;
        let key = |g: &StoredGap| {
            (
                g.account_id.clone(),
                g.region.clone(),
                g.read.clone(),
                g.resource.clone(),
            )
        };
        let old_keys: BTreeSet<_> = old_gaps.iter().map(key).collect();
        let new_keys: BTreeSet<_> = new_gaps.iter().map(key).collect();
        let mut rules: BTreeMap<String, StoredRule> = BTreeMap::new();
        for rule in self.rules_of(from)?.into_iter().chain(self.rules_of(to)?) {
            rules.insert(rule.id.clone(), rule);
        }
        Ok(RunDiff {
            from: from_run,
            to: to_run,
            entries,
            new_gaps: new_gaps
                .iter()
                .filter(|g| !old_keys.contains(&key(g)))
                .cloned()
                .collect(),
            closed_gaps: old_gaps
                .iter()
                .filter(|g| !new_keys.contains(&key(g)))
                .cloned()
                .collect(),
            rules: rules.into_values().collect(),
        })
    }

    /// Findings per area and status over the `last` latest runs, oldest first.
    pub fn trend(&self, last: usize) -> Result<Trend, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.recorded_at, f.area, rf.status, count(*)
                 FROM (SELECT id, recorded_at FROM runs ORDER BY id DESC LIMIT ?1) r
                 LEFT JOIN run_findings rf ON rf.run_id = r.id
                 LEFT JOIN findings f ON f.fingerprint = rf.fingerprint
                 GROUP BY r.id, f.area, rf.status
                 ORDER BY r.id",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map([i64::try_from(last).unwrap_or(i64::MAX)], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, u64>(4)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        let mut points: Vec<TrendPoint> = Vec::new();
        for (run, recorded_at, area, status, count) in rows {
            if points.last().is_none_or(|p| p.run != run) {
                points.push(TrendPoint {
                    run,
                    recorded_at: self.time(&recorded_at)?,
                    areas: BTreeMap::new(),
                });
            }
            let (Some(area), Some(status)) = (area, status) else {
                continue;
            };
            let area: Area = area.parse().map_err(|e: String| self.corrupt(e))?;
            let status =
                parse_status(&status).ok_or_else(|| self.corrupt(format!("status `{status}`")))?;
            if let Some(point) = points.last_mut() {
                let counts = point.areas.entry(area).or_default();
                match status {
                    Status::Fail => counts.fail += count,
                    Status::Unknown => counts.unknown += count,
                    Status::Waived => counts.waived += count,
                    Status::Pass => {}
                }
            }
        }
        Ok(Trend { points })
    }

    /// Deletes the runs `prune` selects, in one transaction, with the findings that no run
    /// reports any more and no remaining run mentions.
    pub fn prune(&mut self, prune: Prune) -> Result<PruneReport, HistoryError> {
        let path = self.path.clone();
        let fail = |source| HistoryError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(fail)?;
        let ids: Vec<(i64, String)> = {
            let mut stmt = tx
                .prepare("SELECT id, recorded_at FROM runs ORDER BY id DESC")
                .map_err(fail)?;
            let rows = stmt
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .map_err(fail)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(fail)?;
            rows
        };
        let cutoff = prune.older_than.map(time_text);
        let doomed: Vec<i64> = ids
            .iter()
            .enumerate()
            .filter(|(i, (_, recorded_at))| {
                let past_keep = prune.keep.is_none_or(|keep| *i >= keep);
                let too_old = cutoff.as_ref().is_none_or(|c| recorded_at < c);
                past_keep && too_old && (prune.keep.is_some() || cutoff.is_some())
            })
            .map(|(_, (id, _))| *id)
            .collect();
        {
            let mut delete = tx.prepare("DELETE FROM runs WHERE id = ?1").map_err(fail)?;
            for id in &doomed {
                delete.execute([id]).map_err(fail)?;
            }
        }
        let findings = tx
            .execute(
                "DELETE FROM findings WHERE status = 'absent'
                    AND NOT EXISTS (SELECT 1 FROM run_findings rf WHERE rf.fingerprint = findings.fingerprint)
                    AND NOT EXISTS (SELECT 1 FROM status_changes sc WHERE sc.fingerprint = findings.fingerprint)",
                [],
            )
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        // Give the WAL's pages back to the main file (best effort: a reader may hold it).
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        Ok(PruneReport {
            runs: doomed.len(),
            findings,
            remaining: ids.len() - doomed.len(),
        })
    }

    /// Every finding of one run by fingerprint.
    fn findings_of(
        &self,
        run: i64,
    ) -> Result<BTreeMap<String, (StoredFinding, Lifecycle)>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rf.fingerprint, f.rule_id, coalesce(rr.title, f.rule_id), rf.status,
                    rf.severity, f.area, f.resource, f.resource_type, f.account_id, f.region,
                    rf.message, f.first_seen, f.last_seen, f.resolved_at
                 FROM run_findings rf
                 JOIN findings f ON f.fingerprint = rf.fingerprint
                 LEFT JOIN run_rules rr ON rr.run_id = rf.run_id AND rr.rule_id = f.rule_id
                 WHERE rf.run_id = ?1",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map([run], |row| {
                (0..14)
                    .map(|i| row.get::<_, Option<String>>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        let mut out = BTreeMap::new();
        for mut row in rows {
            let mut take = |i: usize| row.get_mut(i).and_then(Option::take);
            let text = |v: Option<String>| v.unwrap_or_default();
            let fingerprint = text(take(0));
            let status_text = text(take(3));
            let severity_text = text(take(4));
            let area_text = text(take(5));
            let finding = StoredFinding {
                fingerprint: fingerprint.clone(),
                rule_id: text(take(1)),
                title: text(take(2)),
                status: parse_status(&status_text)
                    .ok_or_else(|| self.corrupt(format!("status `{status_text}`")))?,
                severity: severity_text.parse().map_err(|e: String| self.corrupt(e))?,
                area: area_text.parse().map_err(|e: String| self.corrupt(e))?,
                resource: text(take(6)),
                resource_type: text(take(7)),
                account_id: text(take(8)),
                region: text(take(9)),
                message: text(take(10)),
            };
            let first_seen = self.time(&text(take(11)))?;
            let last_seen = self.time(&text(take(12)))?;
            let resolved_at = match take(13) {
                Some(t) => Some(self.time(&t)?),
                None => None,
            };
            out.insert(
                fingerprint,
                (
                    finding,
                    Lifecycle {
                        first_seen,
                        last_seen,
                        resolved_at,
                    },
                ),
            );
        }
        Ok(out)
    }

    /// A finding's status in a run from its status changes (`None`: absent, or its
    /// changes up to the run were pruned).
    fn status_at(&self, fingerprint: &str, run: i64) -> Result<Option<Status>, HistoryError> {
        let status: Option<String> = self
            .conn
            .query_row(
                "SELECT to_status FROM status_changes WHERE fingerprint = ?1 AND run_id <= ?2
                 ORDER BY run_id DESC LIMIT 1",
                rusqlite::params![fingerprint, run],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        Ok(status.as_deref().and_then(parse_status))
    }

    fn gaps_of(&self, run: i64) -> Result<Vec<StoredGap>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT account_id, region, read, resource, reason FROM run_coverage
                 WHERE run_id = ?1 ORDER BY account_id, region, read, resource",
            )
            .map_err(|e| self.sqlite(e))?;
        let gaps = stmt
            .query_map([run], |row| {
                Ok(StoredGap {
                    account_id: row.get(0)?,
                    region: row.get(1)?,
                    read: row.get(2)?,
                    resource: row.get(3)?,
                    reason: row.get(4)?,
                })
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        Ok(gaps)
    }

    fn rules_of(&self, run: i64) -> Result<Vec<StoredRule>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rule_id, title, area, severity, kind, remediation FROM run_rules
                 WHERE run_id = ?1 ORDER BY rule_id",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map([run], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        rows.into_iter()
            .map(|(id, title, area, severity, kind, remediation)| {
                Ok(StoredRule {
                    id,
                    title,
                    area: area.parse().map_err(|e: String| self.corrupt(e))?,
                    severity: severity.parse().map_err(|e: String| self.corrupt(e))?,
                    kind,
                    remediation,
                })
            })
            .collect()
    }

    fn time(&self, text: &str) -> Result<DateTime<Utc>, HistoryError> {
        parse_time(text).ok_or_else(|| self.corrupt(format!("time `{text}`")))
    }

    fn run_of(&self, raw: RawRun) -> Result<Run, HistoryError> {
        Ok(Run {
            id: raw.id,
            recorded_at: self.time(&raw.recorded_at)?,
            command: raw.command,
            tool_version: raw.tool_version,
            ruleset: raw.ruleset,
            ruleset_sha256: raw.ruleset_sha256,
            snapshot_digest: raw.snapshot_digest,
            taken_at: match raw.taken_at {
                Some(t) => Some(self.time(&t)?),
                None => None,
            },
            source: raw.source,
            coverage_gaps: raw.coverage_gaps,
            summary: raw.summary,
        })
    }
}

/// A run's row before its times are parsed.
struct RawRun {
    id: i64,
    recorded_at: String,
    command: String,
    tool_version: String,
    ruleset: String,
    ruleset_sha256: String,
    snapshot_digest: String,
    taken_at: Option<String>,
    source: String,
    coverage_gaps: u64,
    summary: Summary,
}

fn raw_run(row: &Row<'_>) -> rusqlite::Result<RawRun> {
    Ok(RawRun {
        id: row.get(0)?,
        recorded_at: row.get(1)?,
        command: row.get(2)?,
        tool_version: row.get(3)?,
        ruleset: row.get(4)?,
        ruleset_sha256: row.get(5)?,
        snapshot_digest: row.get(6)?,
        taken_at: row.get(7)?,
        source: row.get(8)?,
        coverage_gaps: row.get(9)?,
        summary: Summary {
            pass: row.get(10)?,
            fail: row.get(11)?,
            unknown: row.get(12)?,
            waived: row.get(13)?,
        },
    })
}

/// The change of a finding from `old` to `new` (`None`: absent), or `None` when it is
/// reported in neither.
fn change(old: Option<Status>, new: Option<Status>) -> Option<Change> {
    let reported = |s: Option<Status>| s.is_some_and(|s| s != Status::Pass);
    match (reported(old), reported(new)) {
        (false, false) => None,
        (false, true) => Some(Change::New),
        (true, false) => Some(Change::Resolved),
        (true, true) if old == new => Some(Change::Unchanged),
        (true, true) => Some(Change::Changed),
    }
}

/// Sorted in report order: rule, resource, region, account.
fn sorted<T>(mut items: Vec<T>, finding: impl Fn(&T) -> &StoredFinding) -> Vec<T> {
    items.sort_by(|a, b| {
        let (a, b) = (finding(a), finding(b));
        (
            &a.rule_id,
            &a.resource,
            &a.region,
            &a.account_id,
            &a.fingerprint,
        )
            .cmp(&(
                &b.rule_id,
                &b.resource,
                &b.region,
                &b.account_id,
                &b.fingerprint,
            ))
    });
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_reported_in_neither_run_is_no_change() {
        use Status::*;
        assert_eq!(change(None, Some(Pass)), None);
        assert_eq!(change(Some(Pass), None), None);
        assert_eq!(change(Some(Pass), Some(Fail)), Some(Change::New));
        assert_eq!(change(None, Some(Unknown)), Some(Change::New));
        assert_eq!(change(Some(Fail), Some(Pass)), Some(Change::Resolved));
        assert_eq!(change(Some(Fail), None), Some(Change::Resolved));
        assert_eq!(change(Some(Unknown), Some(Fail)), Some(Change::Changed));
        assert_eq!(change(Some(Waived), Some(Waived)), Some(Change::Unchanged));
    }
}
