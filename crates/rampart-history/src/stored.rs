//! A run's whole evaluation, kept so that its evidence bundle can be rebuilt
//! (`rampart report --run`): one compressed JSON document per run.
//!
//! Why one document and not a row per finding: the per-run rows (`run_findings`) hold only
//! what is not a pass, because diffs and trends list nothing else, while a bundle needs
//! every finding, passes included, with its waiver, location and evidence, and the rules'
//! documentation and framework mappings. For an organization of 100k resources that is
//! several hundred thousand findings a run: as rows (about 540 bytes of JSON each) with
//! their index they would grow the database by hundreds of megabytes a run and slow every
//! query; deflated in one document they take about 52 bytes each (measured on the sample
//! organization; docs/history.md), are written with one insert and read back only by
//! `report --run`. `history prune` deletes them with their runs.

use std::io::Write;

use chrono::{DateTime, Utc};
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use rampart_engine::findings::Evaluation;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::{History, HistoryError};

/// The version of the stored document's format (`run_evaluations.format`).
pub const STORED_FORMAT: u32 = 1;

/// The snapshot a run evaluated, as its bundle's manifest names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotText {
    /// SHA-256 of the snapshot's JSON text as it was read, hex.
    pub sha256: String,
    /// The size of that text in bytes.
    pub size: u64,
}

/// Everything a run's evidence bundle is built from, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRun {
    /// The evaluation time (waivers and expiries were judged at it): the bundle's time.
    pub evaluated_at: DateTime<Utc>,
    /// The embedded AWS action catalog's version when the run was recorded.
    pub catalog_version: String,
    /// The snapshot's digest and size, when a snapshot was evaluated.
    pub snapshot: Option<SnapshotText>,
    /// The ruleset's TOML text.
    pub ruleset_toml: String,
    /// The whole evaluation: every finding (passes too), rules, coverage, notices.
    pub evaluation: Evaluation,
}

/// [`StoredRun`] borrowed, for writing.
#[derive(Serialize)]
struct StoredRef<'a> {
    evaluated_at: &'a DateTime<Utc>,
    catalog_version: &'a str,
    snapshot: Option<&'a SnapshotText>,
    ruleset_toml: &'a str,
    evaluation: &'a Evaluation,
}

/// What a run keeps for its bundle besides the evaluation.
#[derive(Debug, Clone, Copy)]
pub struct BundleContext<'a> {
    /// The evaluation time.
    pub evaluated_at: DateTime<Utc>,
    /// The embedded AWS action catalog's version.
    pub catalog_version: &'a str,
    /// The snapshot's text digest and size.
    pub snapshot: Option<&'a SnapshotText>,
    /// The ruleset's TOML text.
    pub ruleset_toml: &'a str,
}

/// Deflates the run's document (streamed: the JSON is never whole in memory).
pub(crate) fn encode(
    context: &BundleContext<'_>,
    evaluation: &Evaluation,
) -> Result<Vec<u8>, std::io::Error> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    serde_json::to_writer(
        &mut encoder,
        &StoredRef {
            evaluated_at: &context.evaluated_at,
            catalog_version: context.catalog_version,
            snapshot: context.snapshot,
            ruleset_toml: context.ruleset_toml,
            evaluation,
        },
    )?;
    encoder.flush()?;
    encoder.finish()
}

/// Inserts the run's document, inside the recording's transaction.
pub(crate) fn insert(tx: &Transaction<'_>, run: i64, body: &[u8]) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO run_evaluations (run_id, format, body) VALUES (?1, ?2, ?3)",
        params![run, STORED_FORMAT, body],
    )
    .map(|_| ())
}

impl History {
    /// A run's stored evaluation, for its evidence bundle. A run recorded before the
    /// history kept evaluations (schema version 3) has none: [`HistoryError::NoEvaluation`].
    pub fn stored_run(&self, id: i64) -> Result<StoredRun, HistoryError> {
        let run = self.run(id)?;
        let row: Option<(u32, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT format, body FROM run_evaluations WHERE run_id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        let Some((format, body)) = row else {
            return Err(HistoryError::NoEvaluation {
                path: self.path.clone(),
                run: id,
                reason: format!(
                    "it was recorded by rampart {} at {} into a history that kept only the counts of passing findings (before schema version 3), so its whole evaluation cannot be rebuilt; evaluate its snapshot again with `rampart report --snapshot FILE`",
                    run.tool_version,
                    crate::time_text(run.recorded_at)
                ),
            });
        };
        if format != STORED_FORMAT {
            return Err(HistoryError::NoEvaluation {
                path: self.path.clone(),
                run: id,
                reason: format!(
                    "its evaluation is stored in format {format}, which this rampart does not read (it reads {STORED_FORMAT})"
                ),
            });
        }
        let reader = std::io::BufReader::new(DeflateDecoder::new(body.as_slice()));
        serde_json::from_reader(reader)
            .map_err(|e| self.corrupt(format!("run {id}: stored evaluation: {e}")))
    }
}
