//! `evaluate --stream`: the engine's streamed evaluation ([`Engine::evaluate_stream`]),
//! its batches of findings spilled to sorted run files, then merged into the JSON
//! report's findings.
//!
//! Each batch's findings are written to a run file, each as its report line with its
//! sort key. The runs are merged in report order, one finding per fingerprint kept as the
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
    let started = Instant::now();
    let body = dir.path().join("findings");
    let merged = merge(&runs, &body).map_err(spill)?;
    let mut phases = evaluated.phases;
    phases.push(("merge", started.elapsed(), resident_bytes()));
    let mut head = evaluated.head;
    // In the whole evaluation's order: the duplicates join the warnings in one sorted set.
    let notices: BTreeSet<Notice> = head
        .notices
        .drain(..)
        .chain(merged.duplicates.into_iter().map(Notice::warning))
        .collect();
    head.notices = notices.into_iter().collect();
    // No credential quoted from the data leaves the engine.
    head.redact_all_but_findings();
    Ok(Streamed {
        head,
        tally: merged.tally.finish(),
        findings: merged.findings,
        worst_fail: merged.worst_fail,
        worst_unknown: merged.worst_unknown,
        body,
        _dir: dir,
        phases,
        rules: evaluated.rules,
    })
}

/// A streamed evaluation, its findings merged in a temporary file until the report is
/// written ([`Streamed::write_json`]).
#[derive(Debug)]
pub struct Streamed {
    /// The evaluation without its findings: rules, notices, coverage.
    head: Evaluation,
    tally: crate::report::Tally,
    findings: usize,
    /// The most severe failing and unknown findings' severities.
    worst_fail: Option<Severity>,
    worst_unknown: Option<Severity>,
    /// The findings' report lines, in order.
    body: PathBuf,
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
        self.findings
    }

    /// Whether a finding fails at `threshold` or above (or, with `unknown`, is unknown
    /// there).
    pub fn breaks(&self, threshold: Severity, unknown: bool) -> bool {
        self.worst_fail.is_some_and(|s| s >= threshold)
            || (unknown && self.worst_unknown.is_some_and(|s| s >= threshold))
    }

    /// Writes the JSON report: the bytes the whole snapshot's evaluation would give.
    pub fn write_json(
        &self,
        options: &RenderOptions<'_>,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let mut body = BufReader::with_capacity(1 << 20, File::open(&self.body)?);
        write_with_body(
            &self.head,
            self.tally.clone(),
            options,
            &mut body,
            self.findings,
            out,
        )
    }
}

/// A finding as a run file keeps it: its sort key, what the merge needs of it, and its
/// report line.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Record {
    // The sort key first, in `finding_order`'s order.
    rule_id: String,
    resource: String,
    region: String,
    account_id: String,
    fingerprint: String,
    status: Status,
    severity: Severity,
    area: Area,
    /// `,\n    ` then the finding.
    line: Vec<u8>,
}

/// Findings rendered at a time by one thread when a run is written.
const RUN_CHUNK: usize = 1 << 10;

/// Writes sorted findings to run file number `n` under `dir`, rendered in parallel.
fn write_run(
    dir: &Path,
    n: usize,
    head: &Evaluation,
    findings: &[Finding],
) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("run-{n:05}"));
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
    for window in findings.chunks(RUN_CHUNK * 64) {
        let parts: Vec<Vec<u8>> = window
            .par_chunks(RUN_CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 1024);
                for f in chunk {
                    encode(head, f, &mut buf)?;
                }
                Ok(buf)
            })
            .collect::<std::io::Result<_>>()?;
        for part in parts {
            out.write_all(&part)?;
        }
    }
    out.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    Ok(path)
}

fn encode(head: &Evaluation, f: &Finding, out: &mut Vec<u8>) -> std::io::Result<()> {
    for text in [
        &*f.rule_id,
        &f.resource,
        &f.region,
        &f.account_id,
        &f.fingerprint,
    ] {
        put_bytes(out, text.as_bytes());
    }
    out.extend_from_slice(&[
        index_of(&Status::ALL, f.status),
        index_of(&Severity::ALL, f.severity),
        index_of(&Area::ALL, f.area),
    ]);
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    finding_line(head, f, out)?;
    let len = u32::try_from(out.len() - at - 4).map_err(std::io::Error::other)?;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    // A finding's texts are far below 4 GiB; `encode` checks the line, the longest.
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn index_of<T: PartialEq>(all: &[T], value: T) -> u8 {
    all.iter()
        .position(|v| *v == value)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// Reads a run file's records in order.
struct RunReader {
    input: BufReader<File>,
}

impl RunReader {
    fn open(path: &Path) -> std::io::Result<Self> {
        Ok(RunReader {
            input: BufReader::with_capacity(1 << 18, File::open(path)?),
        })
    }

    fn next(&mut self) -> std::io::Result<Option<Record>> {
        let mut len = [0; 4];
        match self.input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let rule_id = self.text(u32::from_le_bytes(len))?;
        let resource = self.text_field()?;
        let region = self.text_field()?;
        let account_id = self.text_field()?;
        let fingerprint = self.text_field()?;
        let mut codes = [0; 3];
        self.input.read_exact(&mut codes)?;
        let bad = || std::io::Error::other("a run file holds an unknown code");
        let status = *Status::ALL.get(usize::from(codes[0])).ok_or_else(bad)?;
        let severity = *Severity::ALL.get(usize::from(codes[1])).ok_or_else(bad)?;
        let area = *Area::ALL.get(usize::from(codes[2])).ok_or_else(bad)?;
        let line = self.bytes_field()?;
        Ok(Some(Record {
            rule_id,
            resource,
            region,
            account_id,
            fingerprint,
            status,
            severity,
            area,
            line,
        }))
    }

    fn bytes_field(&mut self) -> std::io::Result<Vec<u8>> {
        let mut len = [0; 4];
        self.input.read_exact(&mut len)?;
        let mut bytes = vec![0; u32::from_le_bytes(len) as usize];
        self.input.read_exact(&mut bytes)?;
        Ok(bytes)
    }

    fn text(&mut self, len: u32) -> std::io::Result<String> {
        let mut bytes = vec![0; len as usize];
        self.input.read_exact(&mut bytes)?;
        String::from_utf8(bytes).map_err(std::io::Error::other)
    }

    fn text_field(&mut self) -> std::io::Result<String> {
        String::from_utf8(self.bytes_field()?).map_err(std::io::Error::other)
    }
}

/// What merging the runs gave.
struct Merged {
    tally: TallyCounter,
    findings: usize,
    worst_fail: Option<Severity>,
    worst_unknown: Option<Severity>,
    /// One warning per finding dropped for sharing its fingerprint with another.
    duplicates: Vec<String>,
}

/// Merges the sorted runs into `body`, the report's finding lines, keeping one finding per
/// fingerprint as the whole evaluation does (the worse status; a warning per collapse).
fn merge(runs: &[PathBuf], body: &Path) -> std::io::Result<Merged> {
    let mut readers = runs
        .iter()
        .map(|p| RunReader::open(p))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut heap = BinaryHeap::new();
    for (i, reader) in readers.iter_mut().enumerate() {
        if let Some(record) = reader.next()? {
            heap.push(Reverse((record, i)));
        }
    }
    let mut out = BufWriter::with_capacity(1 << 20, File::create(body)?);
    let mut merged = Merged {
        tally: TallyCounter::default(),
        findings: 0,
        worst_fail: None,
        worst_unknown: None,
        duplicates: Vec::new(),
    };
    let mut emit = |r: Record, merged: &mut Merged| -> std::io::Result<()> {
        merged.tally.add(r.status, r.area, r.severity);
        let worst = match r.status {
            Status::Fail => Some(&mut merged.worst_fail),
            Status::Unknown => Some(&mut merged.worst_unknown),
            Status::Pass | Status::Waived => None,
        };
        if let Some(worst) = worst {
            *worst = (*worst).max(Some(r.severity));
        }
        // The first line of the list goes without its comma.
        out.write_all(if merged.findings == 0 {
            &r.line[1..]
        } else {
            &r.line
        })?;
        merged.findings += 1;
        Ok(())
    };
    let mut last: Option<Record> = None;
    while let Some(Reverse((record, i))) = heap.pop() {
        if let Some(next) = readers[i].next()? {
            heap.push(Reverse((next, i)));
        }
        match &mut last {
            Some(kept) if kept.fingerprint == record.fingerprint => {
                merged.duplicates.push(duplicate_warning(
                    &record.rule_id,
                    &record.resource,
                    kept.status,
                    record.status,
                ));
                if status_rank(record.status) > status_rank(kept.status) {
                    *kept = record;
                }
            }
            _ => {
                if let Some(kept) = last.replace(record) {
                    emit(kept, &mut merged)?;
                }
            }
        }
    }
    if let Some(kept) = last {
        emit(kept, &mut merged)?;
    }
    out.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    Ok(merged)
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
        let body = dir.path().join("body");
        let merged = merge(&runs, &body).unwrap();
        assert_eq!(merged.findings, findings.len());
        assert_eq!(merged.duplicates.len(), 1, "{:?}", merged.duplicates);
        assert!(merged.duplicates[0].contains(&findings[0].resource));
        let mut expected = Vec::new();
        for f in &findings {
            finding_line(&evaluation, f, &mut expected).unwrap();
        }
        let body = std::fs::read(&body).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&expected[1..])
        );
    }
}
