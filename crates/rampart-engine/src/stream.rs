//! `evaluate --stream`: the engine's streamed evaluation ([`Engine::evaluate_stream`]),
//! its batches of findings spilled to sorted run files, then merged into the JSON
//! report's findings.
//!
//! Each batch's findings are written to a run: their sort keys in one file, their report
//! lines in another. The runs are merged in report order, one finding per fingerprint kept as the
//! whole evaluation keeps it, counted, and written as the report's findings. The report is
//! byte-identical to the one evaluating the whole snapshot at once (the tests hold it so,
//! one account per batch).

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::findings::{Evaluation, Finding, Notice};
use crate::report::json::{finding_line, write_with_body};
use crate::report::{RenderOptions, TallyCounter};
use crate::rules::{
    duplicate_warning, phase_line, resident_bytes, rule_lines, status_rank, Engine, StreamError,
};
use crate::vocab::{Area, Severity, Status};

/// Evaluates the JSON-lines snapshot at `path` with `engine`, a batch of about
/// `batch_bytes` of account JSON at a time, at `now` (default: the snapshot's
/// `taken_at`). The findings wait in a temporary directory under the system's (`TMPDIR`)
/// until [`Streamed::write_json`] writes the report.
pub fn evaluate(
    engine: &Engine<'_>,
    path: &Path,
    now: Option<DateTime<Utc>>,
    batch_bytes: usize,
) -> Result<Streamed, StreamError> {
    let dir = tempfile::Builder::new()
        .prefix("rampart-stream-")
        .tempdir()
        .map_err(|source| StreamError::Spill {
            dir: std::env::temp_dir(),
            source,
        })?;
    let spill = |source| StreamError::Spill {
        dir: dir.path().to_owned(),
        source,
    };
    let mut runs = Vec::new();
    let evaluated = engine.evaluate_stream(path, now, batch_bytes, |head, findings| {
        let run = write_run(dir.path(), runs.len(), head, &findings).map_err(spill)?;
        runs.push(run);
        Ok(())
    })?;
    // The first merge only counts: the report's head, which says how many findings of
    // each kind there are, comes before them.
    let started = Instant::now();
    let mut counts = Counts::default();
    let duplicates = merge(&runs, false, |key, _| {
        counts.add(&key);
        Ok(())
    })
    .map_err(spill)?;
    let mut phases = evaluated.phases;
    phases.push(("merge", started.elapsed(), resident_bytes()));
    let mut head = evaluated.head;
    // In the whole evaluation's order: the duplicates join the warnings in one sorted set.
    let notices: BTreeSet<Notice> = head
        .notices
        .drain(..)
        .chain(duplicates.into_iter().map(Notice::warning))
        .collect();
    head.notices = notices.into_iter().collect();
    // No credential quoted from the data leaves the engine.
    head.redact_all_but_findings();
    Ok(Streamed {
        head,
        counts,
        runs,
        _dir: dir,
        phases,
        rules: evaluated.rules,
    })
}

/// A streamed evaluation, its findings kept in sorted runs in a temporary directory until
/// the report is written ([`Streamed::write_json`]).
#[derive(Debug)]
pub struct Streamed {
    /// The evaluation without its findings: rules, notices, coverage.
    head: Evaluation,
    /// What the counting merge found.
    counts: Counts,
    /// The sorted runs of findings, merged again as the report is written.
    runs: Vec<Run>,
    /// Removed with its files when this is dropped.
    _dir: tempfile::TempDir,
    /// Each phase's wall time and the resident memory after it.
    phases: Vec<(&'static str, Duration, Option<u64>)>,
    /// Each native rule's CPU time, by rule id.
    rules: Vec<(String, Duration)>,
}

impl Streamed {
    /// Where the time went, as `evaluate --profile-rules` prints it: each phase (index,
    /// facts, evaluate, merge) with the resident memory after it, then each native rule's
    /// CPU time, the costliest first.
    pub fn profile_lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .phases
            .iter()
            .map(|(name, took, resident)| phase_line(name, *took, *resident))
            .collect();
        out.extend(rule_lines(&self.rules));
        out
    }

    /// The evaluation's notices (warnings), already redacted.
    pub fn notices(&self) -> &[Notice] {
        &self.head.notices
    }

    /// The number of findings.
    pub fn findings(&self) -> usize {
        self.counts.findings
    }

    /// Whether a finding fails at `threshold` or above (or, with `unknown`, is unknown
    /// there).
    pub fn breaks(&self, threshold: Severity, unknown: bool) -> bool {
        self.counts.worst_fail.is_some_and(|s| s >= threshold)
            || (unknown && self.counts.worst_unknown.is_some_and(|s| s >= threshold))
    }

    /// Writes the JSON report: the bytes the whole snapshot's evaluation would give. The
    /// runs are merged again, each finding's line written as it comes.
    pub fn write_json(
        &self,
        options: &RenderOptions<'_>,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        write_with_body(
            &self.head,
            self.counts.tally.clone().finish(),
            options,
            self.counts.findings,
            |out| {
                let mut first = true;
                merge(&self.runs, true, |_, line| {
                    // The first line of the list goes without its comma.
                    out.write_all(if first { &line[1..] } else { line })?;
                    first = false;
                    Ok(())
                })
                .map(drop)
            },
            out,
        )
    }
}

/// What the merge knows of a finding: its sort key (in `finding_order`'s order), what
/// de-duplication and counting need, and the length of its report line.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    rule_id: String,
    resource: String,
    region: String,
    account_id: String,
    fingerprint: String,
    status: Status,
    severity: Severity,
    area: Area,
    line_len: u32,
}

/// A sorted run of findings: their keys in one file, their report lines (`,\n    ` then
/// the finding) in another, in the same order, so that counting reads the keys alone.
#[derive(Debug)]
struct Run {
    keys: PathBuf,
    lines: PathBuf,
}

/// Findings rendered at a time by one thread when a run is written.
const RUN_CHUNK: usize = 1 << 10;

/// Writes sorted findings to run number `n` under `dir`, rendered in parallel.
fn write_run(
    dir: &Path,
    n: usize,
    head: &Evaluation,
    findings: &[Finding],
) -> std::io::Result<Run> {
    let run = Run {
        keys: dir.join(format!("run-{n:05}.keys")),
        lines: dir.join(format!("run-{n:05}.lines")),
    };
    let mut keys = BufWriter::with_capacity(1 << 20, File::create(&run.keys)?);
    let mut lines = BufWriter::with_capacity(1 << 20, File::create(&run.lines)?);
    for window in findings.chunks(RUN_CHUNK * 64) {
        let parts: Vec<(Vec<u8>, Vec<u8>)> = window
            .par_chunks(RUN_CHUNK)
            .map(|chunk| {
                let mut keys = Vec::with_capacity(chunk.len() * 256);
                let mut lines = Vec::with_capacity(chunk.len() * 1024);
                for f in chunk {
                    encode(head, f, &mut keys, &mut lines)?;
                }
                Ok((keys, lines))
            })
            .collect::<std::io::Result<_>>()?;
        for (k, l) in parts {
            keys.write_all(&k)?;
            lines.write_all(&l)?;
        }
    }
    keys.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    lines
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    Ok(run)
}

fn encode(
    head: &Evaluation,
    f: &Finding,
    keys: &mut Vec<u8>,
    lines: &mut Vec<u8>,
) -> std::io::Result<()> {
    for text in [
        &*f.rule_id,
        &f.resource,
        &f.region,
        &f.account_id,
        &f.fingerprint,
    ] {
        put_bytes(keys, text.as_bytes());
    }
    keys.extend_from_slice(&[
        index_of(&Status::ALL, f.status),
        index_of(&Severity::ALL, f.severity),
        index_of(&Area::ALL, f.area),
    ]);
    let start = lines.len();
    finding_line(head, f, lines)?;
    let len = u32::try_from(lines.len() - start).map_err(std::io::Error::other)?;
    keys.extend_from_slice(&len.to_le_bytes());
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    // A finding's texts are far below 4 GiB (its line, longer than all of them together,
    // is checked).
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn index_of<T: PartialEq>(all: &[T], value: T) -> u8 {
    all.iter()
        .position(|v| *v == value)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// Reads a run's keys in order, and with `lines`, each key's line after it.
struct RunReader {
    keys: BufReader<File>,
    lines: Option<BufReader<File>>,
}

impl RunReader {
    fn open(run: &Run, lines: bool) -> std::io::Result<Self> {
        Ok(RunReader {
            keys: BufReader::with_capacity(1 << 18, File::open(&run.keys)?),
            lines: if lines {
                Some(BufReader::with_capacity(1 << 20, File::open(&run.lines)?))
            } else {
                None
            },
        })
    }

    fn next(&mut self) -> std::io::Result<Option<Key>> {
        let mut len = [0; 4];
        match self.keys.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let rule_id = self.text(u32::from_le_bytes(len))?;
        let resource = self.text_field()?;
        let region = self.text_field()?;
        let account_id = self.text_field()?;
        let fingerprint = self.text_field()?;
        let mut codes = [0; 7];
        self.keys.read_exact(&mut codes)?;
        let bad = || std::io::Error::other("a run file holds an unknown code");
        let status = *Status::ALL.get(usize::from(codes[0])).ok_or_else(bad)?;
        let severity = *Severity::ALL.get(usize::from(codes[1])).ok_or_else(bad)?;
        let area = *Area::ALL.get(usize::from(codes[2])).ok_or_else(bad)?;
        let line_len = u32::from_le_bytes([codes[3], codes[4], codes[5], codes[6]]);
        Ok(Some(Key {
            rule_id,
            resource,
            region,
            account_id,
            fingerprint,
            status,
            severity,
            area,
            line_len,
        }))
    }

    /// The line of the key read last (the lines are read in the keys' order).
    fn line(&mut self, key: &Key, buf: &mut Vec<u8>) -> std::io::Result<()> {
        buf.clear();
        if let Some(lines) = &mut self.lines {
            buf.resize(key.line_len as usize, 0);
            lines.read_exact(buf)?;
        }
        Ok(())
    }

    fn text(&mut self, len: u32) -> std::io::Result<String> {
        let mut bytes = vec![0; len as usize];
        self.keys.read_exact(&mut bytes)?;
        String::from_utf8(bytes).map_err(std::io::Error::other)
    }

    fn text_field(&mut self) -> std::io::Result<String> {
        let mut len = [0; 4];
        self.keys.read_exact(&mut len)?;
        self.text(u32::from_le_bytes(len))
    }
}

/// The merged findings counted: by status, area and severity, in all, and the most
/// severe failing and unknown ones' severities.
#[derive(Debug, Default)]
struct Counts {
    tally: TallyCounter,
    findings: usize,
    worst_fail: Option<Severity>,
    worst_unknown: Option<Severity>,
}

impl Counts {
    fn add(&mut self, key: &Key) {
        self.tally.add(key.status, key.area, key.severity);
        let worst = match key.status {
            Status::Fail => Some(&mut self.worst_fail),
            Status::Unknown => Some(&mut self.worst_unknown),
            Status::Pass | Status::Waived => None,
        };
        if let Some(worst) = worst {
            *worst = (*worst).max(Some(key.severity));
        }
        self.findings += 1;
    }
}

/// Merges the sorted runs, keeping one finding per fingerprint as the whole evaluation
/// does (the worse status), and hands each kept finding's key to `emit` in report order,
/// with its line when `lines` (else an empty one). Returns a warning per collapse. Equal
/// runs give equal calls: the first merge counts, the second writes.
fn merge(
    runs: &[Run],
    lines: bool,
    mut emit: impl FnMut(Key, &[u8]) -> std::io::Result<()>,
) -> std::io::Result<Vec<String>> {
    let mut readers = runs
        .iter()
        .map(|r| RunReader::open(r, lines))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut heap = BinaryHeap::new();
    for (i, reader) in readers.iter_mut().enumerate() {
        if let Some(key) = reader.next()? {
            heap.push(Reverse((key, i)));
        }
    }
    let mut duplicates = Vec::new();
    let mut last: Option<(Key, Vec<u8>)> = None;
    let mut spare = Vec::new();
    while let Some(Reverse((key, i))) = heap.pop() {
        let mut line = std::mem::take(&mut spare);
        readers[i].line(&key, &mut line)?;
        if let Some(next) = readers[i].next()? {
            heap.push(Reverse((next, i)));
        }
        match &mut last {
            Some((kept, kept_line)) if kept.fingerprint == key.fingerprint => {
                duplicates.push(duplicate_warning(
                    &key.rule_id,
                    &key.resource,
                    kept.status,
                    key.status,
                ));
                if status_rank(key.status) > status_rank(kept.status) {
                    *kept = key;
                    std::mem::swap(kept_line, &mut line);
                }
                spare = line;
            }
            _ => {
                if let Some((kept, kept_line)) = last.replace((key, line)) {
                    emit(kept, &kept_line)?;
                    spare = kept_line;
                }
            }
        }
    }
    if let Some((kept, kept_line)) = last {
        emit(kept, &kept_line)?;
    }
    Ok(duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{load_snapshot_file, write_snapshot_lines, Snapshot};
    use crate::rules::{finding_order, Catalog, CedarBackendKind, DEFAULT_BATCH_BYTES};
    use crate::ruleset::Ruleset;
    use crate::synth::{generate, SynthSpec};

    const OPTIONS: RenderOptions<'static> = RenderOptions {
        tool_version: "test",
        fail_on: Some(Severity::High),
    };

    /// The JSON report of `snapshot` evaluated whole, and streamed with `batch` bytes of
    /// accounts at a time, by the given backend.
    fn both(snapshot: &Snapshot, batch: usize, backend: CedarBackendKind) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.jsonl");
        let mut text = Vec::new();
        write_snapshot_lines(snapshot, &mut text).unwrap();
        std::fs::write(&path, &text).unwrap();
        // The file as written (redacted) is what both evaluate.
        let snapshot = load_snapshot_file(&path).unwrap();
        let catalog = Catalog::bundled().unwrap();
        let ruleset = Ruleset::bundled().unwrap();
        let engine = Engine::new(&catalog, &ruleset)
            .unwrap()
            .with_cedar_backend(backend);
        let whole = engine.evaluate(&snapshot, snapshot.taken_at);
        let whole = crate::report::json::render(&whole, &OPTIONS).unwrap();
        let streamed = evaluate(&engine, &path, None, batch).unwrap();
        let mut out = Vec::new();
        streamed.write_json(&OPTIONS, &mut out).unwrap();
        (whole, String::from_utf8(out).unwrap())
    }

    #[test]
    fn the_sample_streamed_an_account_at_a_time_gives_the_same_report() {
        let sample = crate::model::sample_snapshot().unwrap();
        assert!(!sample.coverage.is_empty(), "the sample has gaps to apply");
        for batch in [1, DEFAULT_BATCH_BYTES] {
            let (whole, streamed) = both(&sample, batch, CedarBackendKind::Compiled);
            assert!(whole.contains("\"status\":\"fail\""));
            assert_eq!(whole, streamed, "batch of {batch} bytes");
        }
        let (whole, streamed) = both(&sample, 1, CedarBackendKind::Reference);
        assert_eq!(whole, streamed, "reference backend");
    }

    #[test]
    fn synthetic_organizations_streamed_give_the_same_report() {
        for (accounts, resources, seed) in [(12, 3_000, 7), (30, 6_000, 11)] {
            let snapshot = generate(&SynthSpec {
                accounts,
                resources,
                seed,
            });
            let (whole, streamed) = both(&snapshot, 1 << 16, CedarBackendKind::Compiled);
            assert!(whole.len() > 1 << 20, "a report of substance");
            assert_eq!(whole, streamed, "{accounts} accounts, seed {seed}");
        }
    }

    #[test]
    fn the_verdict_of_a_streamed_run_is_the_whole_runs() {
        let sample = crate::model::sample_snapshot().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        let mut text = Vec::new();
        write_snapshot_lines(&sample, &mut text).unwrap();
        std::fs::write(&path, &text).unwrap();
        let catalog = Catalog::bundled().unwrap();
        let ruleset = Ruleset::bundled().unwrap();
        let engine = Engine::new(&catalog, &ruleset).unwrap();
        let whole = engine.evaluate(&sample, sample.taken_at);
        let streamed = evaluate(&engine, &path, None, 1).unwrap();
        assert_eq!(streamed.findings(), whole.findings.len());
        assert_eq!(streamed.notices(), &whole.notices[..]);
        for severity in Severity::ALL {
            for unknown in [false, true] {
                let breaks = whole.findings.iter().any(|f| {
                    f.severity >= severity
                        && (f.status == Status::Fail || (unknown && f.status == Status::Unknown))
                });
                assert_eq!(streamed.breaks(severity, unknown), breaks, "{severity:?}");
            }
        }
        let phases: Vec<String> = streamed
            .profile_lines()
            .into_iter()
            .take(4)
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(phases, ["index", "facts", "evaluate", "merge"]);
    }

    #[test]
    fn runs_merge_in_order_and_keep_the_worse_of_a_duplicate() {
        let evaluation = crate::report::fixtures::evaluation();
        let mut findings = evaluation.findings.clone();
        findings.sort_by(finding_order);
        let dir = tempfile::tempdir().unwrap();
        // Two runs: the odd and the even findings; the first finding is in both, once
        // as it is and once passing.
        let odd: Vec<Finding> = findings.iter().skip(1).step_by(2).cloned().collect();
        let mut even: Vec<Finding> = findings.iter().step_by(2).cloned().collect();
        let mut again = findings[0].clone();
        again.status = Status::Pass;
        even.insert(1, again);
        even.sort_by(finding_order);
        let runs = [
            write_run(dir.path(), 0, &evaluation, &odd).unwrap(),
            write_run(dir.path(), 1, &evaluation, &even).unwrap(),
        ];
        let mut counts = Counts::default();
        let duplicates = merge(&runs, false, |key, line| {
            assert!(line.is_empty(), "keys alone");
            counts.add(&key);
            Ok(())
        })
        .unwrap();
        assert_eq!(counts.findings, findings.len());
        assert_eq!(duplicates.len(), 1, "{duplicates:?}");
        assert!(duplicates[0].contains(&findings[0].resource));
        // The worse of the two is kept: the first finding as it was, not passing.
        let mut body = Vec::new();
        let mut statuses = Vec::new();
        let written = merge(&runs, true, |key, line| {
            statuses.push(key.status);
            body.extend_from_slice(line);
            Ok(())
        })
        .unwrap();
        assert_eq!(written, duplicates, "both merges decide alike");
        let expected_statuses: Vec<Status> = findings.iter().map(|f| f.status).collect();
        assert_eq!(statuses, expected_statuses);
        let mut expected = Vec::new();
        for f in &findings {
            finding_line(&evaluation, f, &mut expected).unwrap();
        }
        assert_eq!(
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&expected)
        );
    }
}
