//! The database schema and its migrations.
//!
//! The schema's version is SQLite's `user_version`. Each migration takes the database from
//! version `n` to `n + 1` inside its own transaction, so a database is always at one
//! version or the one before; a database newer than this rampart is refused, never
//! written.

use rusqlite::Connection;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: runs, each finding's life (keyed by fingerprint; its latest status, `absent` once
    // no run reports it), its status in each run that reports it (passes are counted in
    // `runs`, not stored per run), and its status changes.
    "
    CREATE TABLE runs (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        recorded_at     TEXT NOT NULL,
        command         TEXT NOT NULL,
        tool_version    TEXT NOT NULL,
        ruleset         TEXT NOT NULL,
        ruleset_sha256  TEXT NOT NULL,
        snapshot_digest TEXT NOT NULL,
        taken_at        TEXT,
        source          TEXT NOT NULL,
        coverage_gaps   INTEGER NOT NULL,
        pass            INTEGER NOT NULL,
        fail            INTEGER NOT NULL,
        unknown         INTEGER NOT NULL,
        waived          INTEGER NOT NULL
    );
    CREATE INDEX runs_recorded_at ON runs (recorded_at);
    CREATE TABLE findings (
        fingerprint   TEXT PRIMARY KEY,
        rule_id       TEXT NOT NULL,
        area          TEXT NOT NULL,
        resource      TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        account_id    TEXT NOT NULL,
        region        TEXT NOT NULL,
        status        TEXT NOT NULL,
        first_seen    TEXT NOT NULL,
        last_seen     TEXT NOT NULL,
        resolved_at   TEXT
    ) WITHOUT ROWID;
    CREATE TABLE run_findings (
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL REFERENCES findings (fingerprint),
        status      TEXT NOT NULL,
        severity    TEXT NOT NULL,
        message     TEXT NOT NULL,
        PRIMARY KEY (run_id, fingerprint)
    ) WITHOUT ROWID;
    CREATE INDEX run_findings_fingerprint ON run_findings (fingerprint);
    CREATE TABLE status_changes (
        fingerprint TEXT NOT NULL REFERENCES findings (fingerprint),
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        from_status TEXT,
        to_status   TEXT NOT NULL,
        PRIMARY KEY (fingerprint, run_id)
    ) WITHOUT ROWID;
    CREATE INDEX status_changes_run ON status_changes (run_id);
    ",
    // 2: each run's coverage gaps (for new gaps in a diff) and the metadata of the rules
    // that ran (titles and remediation for reports of past runs). Runs recorded before
    // have neither: they diff as if they had no gaps, and their rules show by id.
    "
    CREATE TABLE run_coverage (
        run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        account_id TEXT NOT NULL,
        region     TEXT NOT NULL,
        read       TEXT NOT NULL,
        resource   TEXT NOT NULL,
        reason     TEXT NOT NULL,
        PRIMARY KEY (run_id, account_id, region, read, resource)
    ) WITHOUT ROWID;
    CREATE TABLE run_rules (
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        rule_id     TEXT NOT NULL,
        title       TEXT NOT NULL,
        area        TEXT NOT NULL,
        severity    TEXT NOT NULL,
        kind        TEXT NOT NULL,
        remediation TEXT NOT NULL,
        PRIMARY KEY (run_id, rule_id)
    ) WITHOUT ROWID;
    ",
    // 3: each run's whole evaluation (every finding, passes included, with the rules, the
    // ruleset's text and the evaluation time) as one deflated JSON document, for
    // `rampart report --run` (`stored.rs` says why one document). Runs recorded before
    // have none, and `report --run` says so.
    "
    CREATE TABLE run_evaluations (
        run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        format INTEGER NOT NULL,
        body   BLOB NOT NULL
    );
    ",
];

/// The schema version this rampart writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The version of an open database's schema (0 for a new, empty database).
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Why a database's schema cannot be used.
#[derive(Debug)]
pub(crate) enum MigrateError {
    /// Written by a newer rampart.
    Newer(u32),
    /// SQLite failed.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

/// Brings the schema up to [`SCHEMA_VERSION`], one transaction per step; returns the
/// version the database had.
pub(crate) fn migrate(conn: &mut Connection) -> Result<u32, MigrateError> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(MigrateError::Newer(found));
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // `PRAGMA` takes no parameters; the value is a number this code wrote.
        tx.execute_batch(&format!("PRAGMA user_version = {}", from + 1))?;
        tx.commit()?;
    }
    Ok(found)
}
