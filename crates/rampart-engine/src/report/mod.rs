//! Reporters: pure functions from an [`Evaluation`] to bytes (DESIGN.md, "Data flow").
//!
//! Every format reads only the evaluation (findings, the rules that ran, the ruleset's
//! identity, what was evaluated, notices, coverage) and [`RenderOptions`]. Reporters never
//! read files, the clock or the environment, and never evaluate rules: the same input
//! gives byte-identical output. `evaluate`, `iam validate` and `check` share them.
//!
//! - [`json`]: the machine-readable report, every finding with its controls;
//! - [`sarif`]: SARIF 2.1.0 for code scanning (GitHub and other SARIF consumers);
//! - [`text`]: a summary for a terminal, or one line per finding with its file position;
//! - [`evidence`]: the auditor's evidence bundle (HTML, CSV, JSON, OSCAL, OCSF, manifest).

mod doc;
pub mod evidence;
pub mod json;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::findings::{Evaluation, Finding, Subject};
use crate::model::SnapshotSourceKind;
use crate::vocab::{Area, Severity, Status};

/// What the caller adds to an evaluation when rendering it.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// rampart's version (`env!("CARGO_PKG_VERSION")`, passed by the caller).
    pub tool_version: &'a str,
    /// The `--fail-on` threshold, for the text summary's last line.
    pub fail_on: Option<Severity>,
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// serde_json refused the report structure.
    #[error("cannot serialize the {format} report: {source}")]
    Serialize {
        /// The report format (`json`, `sarif`).
        format: &'static str,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The CSV writer failed.
    #[error("cannot write the CSV report: {0}")]
    Csv(String),
    /// A template of the HTML page did not render.
    #[error("cannot render the HTML report: {0}")]
    Template(String),
}

/// Pretty JSON with a trailing newline.
fn to_pretty_json(format: &'static str, value: &impl Serialize) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|source| ReportError::Serialize { format, source })?;
    text.push('\n');
    Ok(text)
}

/// Writes `items` to `out` rendered in parallel, in order: `render` turns a chunk of at
/// most `chunk` items into their text, each item preceded by the `,` that ends the one
/// before it (the very first is left out). A window of `window` items is rendered before
/// any of it is written: a bound on the memory the rendered text takes. The bytes do not
/// depend on the thread count.
fn write_in_parallel<T: Sync>(
    out: &mut dyn std::io::Write,
    items: &[T],
    (window, chunk): (usize, usize),
    render: impl Fn(&[T]) -> std::io::Result<Vec<u8>> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    for (w, items) in items.chunks(window).enumerate() {
        let parts: Vec<Vec<u8>> = items
            .par_chunks(chunk)
            .map(&render)
            .collect::<Result<_, _>>()?;
        for (i, part) in parts.iter().enumerate() {
            let first = w == 0 && i == 0;
            out.write_all(if first { &part[1..] } else { part })?;
        }
    }
    Ok(())
}

/// Framework → control ids of one rule, empty when the rule did not run.
fn controls<'a>(evaluation: &'a Evaluation, rule_id: &str) -> &'a Controls {
    /// The controls of a rule that did not run.
    static NONE: Controls = BTreeMap::new();
    evaluation.rule(rule_id).map_or(&NONE, |r| &r.controls)
}

/// Framework → control ids of one rule (`RuleInfo::controls`).
type Controls = BTreeMap<String, Vec<String>>;

/// The subject's description, or its kind when the description is empty.
fn source_description(subject: &Subject) -> &str {
    let source = &subject.source;
    if source.description.trim().is_empty() {
        source_kind_name(source.kind)
    } else {
        &source.description
    }
}

/// The snapshot source kind as the model writes it.
fn source_kind_name(kind: SnapshotSourceKind) -> &'static str {
    match kind {
        SnapshotSourceKind::Live => "live",
        SnapshotSourceKind::ConfigAggregator => "config-aggregator",
        SnapshotSourceKind::Iac => "iac",
        SnapshotSourceKind::Fixture => "fixture",
        SnapshotSourceKind::Synthetic => "synthetic",
    }
}

/// How many findings have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Passing.
    pub pass: usize,
    /// Failing.
    pub fail: usize,
    /// Not assessable.
    pub unknown: usize,
    /// Waived.
    pub waived: usize,
}

impl StatusCounts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Unknown => self.unknown += 1,
            Status::Waived => self.waived += 1,
        }
    }

    fn total(&self) -> usize {
        self.pass + self.fail + self.unknown + self.waived
    }
}

/// Counts of findings by status, by area and by severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tally {
    by_status: StatusCounts,
    /// Only areas with findings, in [`Area::ALL`] order.
    by_area: Vec<(Area, StatusCounts)>,
    /// Every severity, most severe first.
    by_severity: Vec<(Severity, StatusCounts)>,
}

impl Tally {
    fn of(findings: &[Finding]) -> Tally {
        let mut counter = TallyCounter::default();
        for f in findings {
            counter.add(f.status, f.area, f.severity);
        }
        counter.finish()
    }
}

/// A [`Tally`] counted a finding at a time.
#[derive(Debug, Clone, Default)]
pub(crate) struct TallyCounter {
    by_status: StatusCounts,
    by_area: BTreeMap<Area, StatusCounts>,
    by_severity: BTreeMap<Severity, StatusCounts>,
}

impl TallyCounter {
    /// Counts one finding.
    pub(crate) fn add(&mut self, status: Status, area: Area, severity: Severity) {
        self.by_status.add(status);
        self.by_area.entry(area).or_default().add(status);
        self.by_severity.entry(severity).or_default().add(status);
    }

    /// The tally of the findings counted.
    pub(crate) fn finish(self) -> Tally {
        Tally {
            by_status: self.by_status,
            by_area: Area::ALL
                .into_iter()
                .filter_map(|a| self.by_area.get(&a).map(|c| (a, *c)))
                .collect(),
            by_severity: Severity::ALL
                .into_iter()
                .map(|s| (s, self.by_severity.get(&s).copied().unwrap_or_default()))
                .collect(),
        }
    }
}

/// A map serialized in the order of its entries (serde_json's `Map` order depends on a
/// crate feature; this does not).
struct OrderedMap<'a, V>(Vec<(&'a str, V)>);

impl<V: Serialize> Serialize for OrderedMap<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::fixtures;
    use super::*;

    #[test]
    fn tally_counts_every_status_area_and_severity() {
        let eval = fixtures::evaluation();
        let tally = Tally::of(&eval.findings);
        assert_eq!(tally.by_status.total(), eval.findings.len());
        assert_eq!(
            tally.by_area.iter().map(|(_, c)| c.total()).sum::<usize>(),
            eval.findings.len()
        );
        assert_eq!(
            tally
                .by_severity
                .iter()
                .map(|(s, _)| *s)
                .collect::<Vec<_>>(),
            Severity::ALL.to_vec()
        );
        // Areas keep the vocabulary's order, not the alphabet's.
        let positions: Vec<usize> = tally
            .by_area
            .iter()
            .filter_map(|(a, _)| Area::ALL.iter().position(|x| x == a))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn controls_come_from_the_rules_that_ran() {
        let eval = fixtures::evaluation();
        let c = controls(&eval, "kms-key-rotation");
        assert_eq!(
            c.get("nist-800-53-r5").map(|c| c.to_vec()),
            Some(vec!["SC-12".to_owned()])
        );
        assert!(controls(&eval, "no-such-rule").is_empty());
    }

    #[test]
    fn source_description_falls_back_to_the_kind() {
        let mut eval = fixtures::evaluation();
        assert_eq!(source_description(&eval.subject), "sample organization");
        eval.subject.source.description = String::new();
        assert_eq!(source_description(&eval.subject), "fixture");
    }
}
