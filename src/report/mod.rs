//! Reporters: pure functions from an evaluation to bytes (DESIGN.md, "Data flow").
//!
//! Each format reads the same [`ReportInput`]: the engine (for the active rules, their
//! effective severity, the ruleset and the framework controls), the snapshot (for its
//! provenance) and the evaluation (findings, warnings, coverage). Reporters never read
//! files, the clock or the environment, and never evaluate rules: the same input gives
//! byte-identical output.
//!
//! - [`json`]: the machine-readable report, every finding with its controls;
//! - [`sarif`]: SARIF 2.1.0 for code scanning (GitHub and other SARIF consumers);
//! - [`text`]: a summary for a terminal.

mod doc;
pub mod json;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::model::{Snapshot, SnapshotSourceKind};
use crate::rules::{Area, Engine, Evaluation, Finding, RuleMeta, Severity, Status};

/// Everything a reporter reads.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    /// rampart's version (`env!("CARGO_PKG_VERSION")`, passed by the caller).
    pub tool_version: &'a str,
    /// The engine that produced the evaluation: active rules, ruleset and controls.
    pub engine: &'a Engine<'a>,
    /// The snapshot that was evaluated, for its provenance.
    pub snapshot: &'a Snapshot,
    /// The findings (sorted), warnings and coverage gaps.
    pub evaluation: &'a Evaluation,
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
}

/// Pretty JSON with a trailing newline.
fn to_pretty_json(format: &'static str, value: &impl Serialize) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|source| ReportError::Serialize { format, source })?;
    text.push('\n');
    Ok(text)
}

/// Framework → control ids of one rule.
type Controls<'a> = BTreeMap<&'a str, &'a [String]>;

/// An active rule as reporters see it.
struct RuleView<'a> {
    meta: &'a RuleMeta,
    /// Effective severity, after ruleset overrides.
    severity: Severity,
    controls: Controls<'a>,
}

/// The report input detached from the engine, so that reporters can be tested on
/// hand-written rules (the engine only exposes rules of the catalog).
struct ReportData<'a> {
    tool_version: &'a str,
    ruleset_name: &'a str,
    ruleset_sha256: &'a str,
    snapshot: &'a Snapshot,
    evaluation: &'a Evaluation,
    fail_on: Option<Severity>,
    /// Active rules, sorted by id.
    rules: Vec<RuleView<'a>>,
    /// Controls of every rule a finding names (active rules included).
    controls: BTreeMap<&'a str, Controls<'a>>,
}

impl<'a> ReportData<'a> {
    fn new(input: &ReportInput<'a>) -> ReportData<'a> {
        let engine = input.engine;
        let mut rules: Vec<RuleView<'a>> = engine
            .active_rules()
            .iter()
            .map(|r| RuleView {
                meta: r.meta(),
                severity: r.severity,
                controls: engine.controls(&r.meta().id),
            })
            .collect();
        rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        let mut controls = BTreeMap::new();
        for finding in &input.evaluation.findings {
            let id: &'a str = &finding.rule_id;
            controls.entry(id).or_insert_with(|| engine.controls(id));
        }
        let ruleset = engine.ruleset();
        ReportData {
            tool_version: input.tool_version,
            ruleset_name: &ruleset.name,
            ruleset_sha256: &ruleset.sha256,
            snapshot: input.snapshot,
            evaluation: input.evaluation,
            fail_on: input.fail_on,
            rules,
            controls,
        }
    }

    /// Framework → control ids for a rule; empty when the ruleset maps it to none.
    fn controls(&self, rule_id: &str) -> Controls<'a> {
        if let Some(c) = self.controls.get(rule_id) {
            return c.clone();
        }
        self.rules
            .iter()
            .find(|r| r.meta.id == rule_id)
            .map(|r| r.controls.clone())
            .unwrap_or_default()
    }

    /// The snapshot's description, or its kind when the description is empty.
    fn source_description(&self) -> &'a str {
        let source = &self.snapshot.source;
        if source.description.trim().is_empty() {
            source_kind_name(source.kind)
        } else {
            &source.description
        }
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
struct StatusCounts {
    pass: usize,
    fail: usize,
    unknown: usize,
    waived: usize,
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
struct Tally {
    by_status: StatusCounts,
    /// Only areas with findings, in [`Area::ALL`] order.
    by_area: Vec<(Area, StatusCounts)>,
    /// Every severity, most severe first.
    by_severity: Vec<(Severity, StatusCounts)>,
}

impl Tally {
    fn of(findings: &[Finding]) -> Tally {
        let mut by_status = StatusCounts::default();
        let mut by_area: BTreeMap<Area, StatusCounts> = BTreeMap::new();
        let mut by_severity: BTreeMap<Severity, StatusCounts> = BTreeMap::new();
        for f in findings {
            by_status.add(f.status);
            by_area.entry(f.area).or_default().add(f.status);
            by_severity.entry(f.severity).or_default().add(f.status);
        }
        Tally {
            by_status,
            by_area: Area::ALL
                .into_iter()
                .filter_map(|a| by_area.get(&a).map(|c| (a, *c)))
                .collect(),
            by_severity: Severity::ALL
                .into_iter()
                .map(|s| (s, by_severity.get(&s).copied().unwrap_or_default()))
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
mod fixtures;

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
    fn report_data_from_an_engine_lists_its_active_rules() {
        let (catalog, ruleset) = fixtures::catalog_and_ruleset();
        let engine = Engine::new(&catalog, &ruleset).unwrap();
        let snapshot = fixtures::snapshot();
        let eval = fixtures::evaluation_for(&engine);
        let input = fixtures::input(&engine, &snapshot, &eval);
        let data = ReportData::new(&input);
        assert_eq!(data.rules.len(), engine.active_rules().len());
        assert!(data.rules.windows(2).all(|w| w[0].meta.id < w[1].meta.id));
        assert_eq!(data.ruleset_name, "report-test");
        assert_eq!(data.ruleset_sha256.len(), 64);
        for f in &eval.findings {
            assert!(data.controls.contains_key(&*f.rule_id));
        }
    }

    #[test]
    fn source_description_falls_back_to_the_kind() {
        let mut snapshot = fixtures::snapshot();
        snapshot.source.description = String::new();
        let eval = fixtures::evaluation();
        let rules = fixtures::rules();
        let mut data = fixtures::data(&snapshot, &eval, &rules);
        assert_eq!(data.source_description(), "fixture");
        let snapshot2 = fixtures::snapshot();
        data.snapshot = &snapshot2;
        assert_eq!(data.source_description(), "sample organization");
    }
}
