//! Scan history: each recorded run and its findings in SQLite, compared run to run.
//!
//! A run (`rampart scan`, `rampart evaluate --record`) is stored with its time, tool
//! version, ruleset hash, snapshot digest, coverage gaps and summary, and each finding by
//! its fingerprint: when it was first and last seen, when it was resolved, and every
//! change of its status. One run is one transaction: a run that is interrupted leaves the
//! database as it was. The schema is versioned and migrated forward on open
//! ([`schema`]); the database is in WAL mode, so readers never block a recording.
//!
//! This crate reads and writes only the database it is given; it takes the time from a
//! [`Clock`] and never reads the environment. Findings come from the engine's
//! [`Evaluation`](rampart_engine::findings::Evaluation).

mod query;
mod record;
pub mod render;
pub mod schema;
mod stored;
mod timeline;

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rampart_engine::vocab::{Area, Severity, Status};
use rusqlite::Connection;
use serde::Serialize;

pub use query::{
    Change, DiffEntry, Prune, PruneReport, Reported, RunDiff, RunView, Trend, TrendPoint,
};
pub use record::{snapshot_digest, Recorded, RunInput};
pub use schema::SCHEMA_VERSION;
pub use stored::{BundleContext, SnapshotText, StoredRun, STORED_FORMAT};
pub use timeline::{FindingTimeline, StatusChange};

/// Where the time comes from: the system clock, or a fixed time in tests.
pub trait Clock {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one time (tests, reproducible replays).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Why the history could not be read or written. Every message names the database.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// SQLite failed (cannot open, locked, corrupt, disk full).
    #[error("{}: history database: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The database's directory could not be created.
    #[error("{}: cannot create the history database's directory: {source}", path.display())]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// The database was written by a newer rampart.
    #[error("{}: history schema version {found} is newer than this rampart's ({SCHEMA_VERSION}); upgrade rampart", path.display())]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
    },
    /// A run that is not in the database.
    #[error("{}: no run `{run}` in the history (see `rampart history list`)", path.display())]
    NoSuchRun {
        /// The database file.
        path: PathBuf,
        /// The run as it was asked for.
        run: String,
    },
    /// A run whose whole evaluation the history does not hold (recorded before it kept
    /// them), so its evidence bundle cannot be rebuilt.
    #[error("{}: run {run} cannot be reported: {reason}", path.display())]
    NoEvaluation {
        /// The database file.
        path: PathBuf,
        /// The run.
        run: i64,
        /// Why.
        reason: String,
    },
    /// A run's evaluation could not be encoded for storage.
    #[error("{}: cannot store the run's evaluation: {message}", path.display())]
    Encode {
        /// The database file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// A finding that no run of the history reports.
    #[error("{}: no finding with fingerprint `{fingerprint}` in the history (fingerprints are in `rampart history show --format json`)", path.display())]
    NoSuchFinding {
        /// The database file.
        path: PathBuf,
        /// The fingerprint as it was asked for.
        fingerprint: String,
    },
    /// Fewer runs than a command needs.
    #[error("{}: {message}", path.display())]
    NotEnoughRuns {
        /// The database file.
        path: PathBuf,
        /// What is missing.
        message: String,
    },
    /// A value in the database that this rampart does not understand.
    #[error("{}: history database holds an unexpected value: {message}", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What and where.
        message: String,
    },
}

/// The counts of a run's findings by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Passing findings.
    pub pass: u64,
    /// Failing findings.
    pub fail: u64,
    /// Findings that could not be assessed.
    pub unknown: u64,
    /// Failures covered by a waiver.
    pub waived: u64,
}

impl Summary {
    /// Adds `count` findings of `status`.
    pub fn add(&mut self, status: Status, count: u64) {
        let field = match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Unknown => &mut self.unknown,
            Status::Waived => &mut self.waived,
        };
        *field += count;
    }
}

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Its id: increasing, never reused.
    pub id: i64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The command that recorded it (`scan`, `evaluate`).
    pub command: String,
    /// rampart's version.
    pub tool_version: String,
    /// The ruleset's name.
    pub ruleset: String,
    /// SHA-256 of the ruleset's text.
    pub ruleset_sha256: String,
    /// SHA-256 of the snapshot evaluated (its JSON).
    pub snapshot_digest: String,
    /// When the snapshot's data was read.
    pub taken_at: Option<DateTime<Utc>>,
    /// The snapshot's source.
    pub source: String,
    /// How many coverage gaps the snapshot had.
    pub coverage_gaps: u64,
    /// Findings by status.
    pub summary: Summary,
}

/// A finding as the history holds it for one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFinding {
    /// Stable identity of (rule, resource).
    pub fingerprint: String,
    /// The rule id.
    pub rule_id: String,
    /// The rule's title (its id for runs recorded before titles were).
    pub title: String,
    /// The status in this run.
    pub status: Status,
    /// The effective severity in this run.
    pub severity: Severity,
    /// The rule's area.
    pub area: Area,
    /// The resource ARN.
    pub resource: String,
    /// The resource type.
    pub resource_type: String,
    /// The owning account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// What the rule found.
    pub message: String,
}

/// A finding's life across runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// When it was first recorded.
    pub first_seen: DateTime<Utc>,
    /// When it was last recorded.
    pub last_seen: DateTime<Utc>,
    /// When it stopped failing, while it has not failed again.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A coverage gap as the history holds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StoredGap {
    /// The account, or `*`.
    pub account_id: String,
    /// The region, `global`, or `*`.
    pub region: String,
    /// The service or the operation not read (`kms`, `s3:GetBucketPolicy`).
    pub read: String,
    /// The one resource concerned, or empty.
    pub resource: String,
    /// Why it was not read.
    pub reason: String,
}

/// A rule that ran, as the history holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRule {
    /// The rule id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its area.
    pub area: Area,
    /// Its effective severity.
    pub severity: Severity,
    /// `cedar` or `native`.
    pub kind: String,
    /// How to fix a failure.
    pub remediation: String,
}

/// The history database.
#[derive(Debug)]
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens (creating it and its directory if needed) the database at `path`, in WAL
    /// mode, and migrates its schema to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let fail = |source| HistoryError::Sqlite {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| HistoryError::Directory {
                path: dir.to_owned(),
                source,
            })?;
        }
        let mut conn = Connection::open(path).map_err(fail)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(fail)?;
        // WAL: readers (`history list`) never block a recording, and a crash mid-write
        // leaves the last committed state.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::debug!("{}: journal mode is {mode}, not wal", path.display());
        }
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(fail)?;
        match schema::migrate(&mut conn) {
            Ok(_) => {}
            Err(schema::MigrateError::Newer(found)) => {
                return Err(HistoryError::NewerSchema {
                    path: path.to_owned(),
                    found,
                })
            }
            Err(schema::MigrateError::Sqlite(e)) => return Err(fail(e)),
        }
        Ok(History {
            conn,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, HistoryError> {
        schema::version(&self.conn).map_err(|e| self.sqlite(e))
    }

    /// SQLite's `integrity_check` and `foreign_key_check`: `Ok(())` when both are clean.
    pub fn check_integrity(&self) -> Result<(), HistoryError> {
        let integrity: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|e| self.sqlite(e))?;
        if integrity != "ok" {
            return Err(self.corrupt(format!("integrity check: {integrity}")));
        }
        let mut stmt = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .map_err(|e| self.sqlite(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sqlite(e))?;
        if let Some(row) = rows.next().map_err(|e| self.sqlite(e))? {
            let table: String = row.get(0).map_err(|e| self.sqlite(e))?;
            return Err(self.corrupt(format!("a row of `{table}` refers to nothing")));
        }
        Ok(())
    }

    fn sqlite(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, message: String) -> HistoryError {
        HistoryError::Corrupt {
            path: self.path.clone(),
            message,
        }
    }
}

/// Times are stored as RFC 3339 text in UTC with seconds, so that text order is time order.
fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A status as stored; `absent` (no longer reported) is not a [`Status`].
fn parse_status(text: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|s| s.as_str() == text)
}

/// The status text for a finding that a run no longer reports.
const ABSENT: &str = "absent";

#[cfg(test)]
mod tests;
