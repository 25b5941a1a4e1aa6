//! Streamed evaluation (`evaluate --stream`, [`crate::stream`]): a snapshot of the
//! JSON-lines form evaluated a batch of accounts at a time, so that memory is bounded by
//! the organization's index and one batch, not by the whole organization.
//!
//! 1. **Index.** The accounts stream past once. Each whole account gives what the facts
//!    and the scope gaps need of it ([`Gathered`], [`ResourceCensus`]), then is cut down
//!    to what rules read of accounts other than the one they assess ([`Gathered::cut`]:
//!    IAM, keys, buckets, VPCs, …) and kept in the index. The facts are derived from the
//!    index.
//! 2. **Evaluate.** The accounts stream past again, a batch at a time. The batch's whole
//!    accounts take the place of their cut-down forms in the index while every rule
//!    assesses them, then give it back. Their findings, sorted, go to the caller's sink;
//!    the scope gaps' findings go last.
//!
//! Merged in order, one finding per fingerprint kept, the batches are the findings of the
//! whole snapshot's evaluation ([`crate::stream`] does it, and its tests hold the reports
//! byte-identical).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use super::engine::{finding_order, FindingMaker, ResourceCensus};
use super::{resident_bytes, Engine, RuleContext};
use crate::facts::{Facts, Gathered};
use crate::findings::{Evaluation, Finding};
use crate::model::{SnapshotError, SnapshotLines};

/// How much account JSON a batch holds before it is evaluated, by default: about 30
/// accounts of a thousand resources each.
pub const DEFAULT_BATCH_BYTES: usize = 16 << 20;

/// Why a streamed evaluation failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The snapshot could not be read or is invalid.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// The file no longer holds the accounts its first reading found.
    #[error("{path}: the snapshot changed while it was read: its account {index} is `{found}`, not `{expected}`")]
    Changed {
        /// The file.
        path: PathBuf,
        /// The account's position (0-based).
        index: usize,
        /// The account found there the second time.
        found: String,
        /// The account found there the first time.
        expected: String,
    },
    /// The findings could not be written to or read from their temporary files.
    #[error("{dir}: cannot spill findings: {source}")]
    Spill {
        /// The temporary directory.
        dir: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// What a streamed evaluation gives besides its findings.
#[derive(Debug)]
pub struct StreamedEvaluation {
    /// The evaluation without its findings: rules, subject, sorted coverage, and the
    /// warnings making the findings gave (not yet redacted).
    pub head: Evaluation,
    /// Each phase's wall time and the resident memory after it.
    pub phases: Vec<(&'static str, Duration, Option<u64>)>,
    /// Each native rule's CPU time, by rule id.
    pub rules: Vec<(String, Duration)>,
}

impl Engine<'_> {
    /// Evaluates the JSON-lines snapshot at `path` a batch of about `batch_bytes` of
    /// account JSON at a time (see the module's documentation), at `now` (default: the
    /// snapshot's `taken_at`), handing each batch's findings, sorted, to `sink` with the
    /// evaluation's head (its rules, for their controls).
    pub fn evaluate_stream(
        &self,
        path: &Path,
        now: Option<DateTime<Utc>>,
        batch_bytes: usize,
        mut sink: impl FnMut(&Evaluation, Vec<Finding>) -> Result<(), StreamError>,
    ) -> Result<StreamedEvaluation, StreamError> {
        let mut phases = Vec::new();

        // 1. The index, and what the facts and scope gaps need of the whole accounts.
        let started = Instant::now();
        let (mut lines, mut index) = SnapshotLines::open(path)?;
        let now = now.unwrap_or(index.taken_at);
        let mut gathered = Gathered::default();
        let mut census = ResourceCensus::new(&index.coverage);
        loop {
            let batch = lines.next_batch(batch_bytes)?;
            if batch.is_empty() {
                break;
            }
            for mut account in batch {
                gathered.add(&account);
                census.add(&account);
                Gathered::cut(&mut account);
                index.accounts.push(account);
            }
        }
        phases.push(("index", started.elapsed(), resident_bytes()));
        let started = Instant::now();
        let facts = Facts::derive_streamed(&index, &self.ruleset().parameters, gathered);
        phases.push(("facts", started.elapsed(), resident_bytes()));

        // 2. Each batch evaluated whole, its findings sorted, to the sink.
        let started = Instant::now();
        let coverage = index.coverage.clone();
        let maker = FindingMaker::new(self, &coverage, now);
        let head = self.evaluation_of(&index, Vec::new(), BTreeSet::new(), Vec::new());
        let nanos = self.rule_clocks();
        let cedar = self.cedar_backend();
        let cedar_rules = self.cedar_rule_ids();
        let (mut lines, _) = SnapshotLines::open(path)?;
        let mut start = 0;
        loop {
            let mut batch = lines.next_batch(batch_bytes)?;
            if batch.is_empty() {
                break;
            }
            let range = start..start + batch.len();
            for (i, account) in range.clone().zip(&batch) {
                let expected = index.accounts.get(i).map(|a| a.id.as_str());
                if expected != Some(account.id.as_str()) {
                    return Err(StreamError::Changed {
                        path: path.to_owned(),
                        index: i,
                        found: account.id.clone(),
                        expected: expected.unwrap_or("(none)").to_owned(),
                    });
                }
            }
            // The whole accounts take their cut-down forms' place while they are assessed.
            index.accounts[range.clone()].swap_with_slice(&mut batch);
            let mut findings = {
                let cx = RuleContext {
                    snapshot: &index,
                    facts: &facts,
                    now,
                };
                let accounts = &index.accounts[range.clone()];
                let mut findings = self.native_findings(&cx, accounts, &nanos, &maker);
                let outcomes = cedar.evaluate_accounts(&cx, &cedar_rules, accounts);
                findings.par_extend(outcomes.into_par_iter().map(|o| maker.make(o)));
                findings
            };
            index.accounts[range.clone()].swap_with_slice(&mut batch);
            drop(batch);
            findings.par_sort_unstable_by(finding_order);
            sink(&head, findings)?;
            start = range.end;
        }
        if start != index.accounts.len() {
            return Err(StreamError::Changed {
                path: path.to_owned(),
                index: start,
                found: "(none)".to_owned(),
                expected: index.accounts[start].id.clone(),
            });
        }
        let mut gap_findings: Vec<Finding> = self
            .gap_outcomes(&coverage, &census)
            .into_par_iter()
            .map(|o| maker.make(o))
            .collect();
        gap_findings.par_sort_unstable_by(finding_order);
        sink(&head, gap_findings)?;
        phases.push(("evaluate", started.elapsed(), resident_bytes()));

        let mut head = head;
        head.notices = maker.into_warnings().into_iter().collect();
        let mut coverage = coverage;
        coverage.sort();
        head.coverage = coverage;
        Ok(StreamedEvaluation {
            head,
            phases,
            rules: self.rule_times(&nanos),
        })
    }
}
