//! The history as text and JSON, and a diff as an [`Evaluation`] for the SARIF reporter.
//! Pure functions: the same history gives the same bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use rampart_engine::findings::{
    BaselineState, Evaluation, Finding, RuleInfo, RulesetIdentity, Subject,
};
use rampart_engine::model::{ResourceType, SnapshotSource, SnapshotSourceKind};
use rampart_engine::vocab::{Area, RuleKind, Status};
use serde::Serialize;

use crate::{Change, PruneReport, Run, RunDiff, RunView, Trend};

/// The JSON envelope of every history command: the tool, then the command's data.
#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    tool: Tool<'a>,
    #[serde(flatten)]
    data: T,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

fn json<T: Serialize>(tool_version: &str, data: T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&Envelope {
        tool: Tool {
            name: "rampart",
            version: tool_version,
        },
        data,
    })?;
    text.push('\n');
    Ok(text)
}

/// `history list` as JSON.
pub fn runs_json(tool_version: &str, runs: &[Run]) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Runs<'a> {
        runs: &'a [Run],
    }
    json(tool_version, Runs { runs })
}

/// `history list` as text: one line per run, oldest first.
pub fn runs_text(runs: &[Run]) -> String {
    if runs.is_empty() {
        return "no runs recorded\n".to_owned();
    }
    let mut out = format!(
        "{:>5}  {:<20}  {:<8}  {:<16}  {:<12}  {:>6} {:>7} {:>6} {:>6}  {:>4}\n",
        "run",
        "recorded",
        "command",
        "ruleset",
        "snapshot",
        "fail",
        "unknown",
        "waived",
        "pass",
        "gaps"
    );
    for run in runs {
        let _ = writeln!(
            out,
            "{:>5}  {:<20}  {:<8}  {:<16}  {:<12}  {:>6} {:>7} {:>6} {:>6}  {:>4}",
            run.id,
            crate::time_text(run.recorded_at),
            run.command,
            run.ruleset,
            short(&run.snapshot_digest),
            run.summary.fail,
            run.summary.unknown,
            run.summary.waived,
            run.summary.pass,
            run.coverage_gaps,
        );
    }
    out
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

fn run_header(out: &mut String, run: &Run) {
    let _ = writeln!(
        out,
        "run {} recorded {} by `rampart {}` {}",
        run.id,
        crate::time_text(run.recorded_at),
        run.command,
        run.tool_version
    );
    let _ = writeln!(
        out,
        "  ruleset {} (sha256 {}), snapshot {}{}, {}",
        run.ruleset,
        short(&run.ruleset_sha256),
        short(&run.snapshot_digest),
        run.taken_at
            .map(|t| format!(" taken {}", crate::time_text(t)))
            .unwrap_or_default(),
        run.source
    );
    let s = &run.summary;
    let _ = writeln!(
        out,
        "  {} fail, {} unknown, {} waived, {} pass; {} coverage gaps",
        s.fail, s.unknown, s.waived, s.pass, run.coverage_gaps
    );
}

/// `history show` as text: the run, then each reported finding and each coverage gap.
pub fn show_text(view: &RunView) -> String {
    let mut out = String::new();
    run_header(&mut out, &view.run);
    for (f, life) in &view.findings {
        let _ = writeln!(
            out,
            "{} {} [{}] {} {}: {} (first seen {})",
            f.status,
            f.severity,
            f.rule_id,
            f.resource,
            f.region,
            f.message,
            crate::time_text(life.first_seen)
        );
    }
    for g in &view.coverage {
        let _ = writeln!(out, "gap {}", gap_text(g));
    }
    out
}

fn gap_text(g: &crate::StoredGap) -> String {
    let resource = if g.resource.is_empty() {
        String::new()
    } else {
        format!(" {}", g.resource)
    };
    format!(
        "{} in account {} region {}{}: {}",
        g.read, g.account_id, g.region, resource, g.reason
    )
}

/// `history show` as JSON.
pub fn show_json(tool_version: &str, view: &RunView) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Finding<'a> {
        #[serde(flatten)]
        finding: &'a crate::StoredFinding,
        #[serde(flatten)]
        life: &'a crate::Lifecycle,
    }
    #[derive(Serialize)]
    struct Show<'a> {
        run: &'a Run,
        findings: Vec<Finding<'a>>,
        coverage: &'a [crate::StoredGap],
    }
    json(
        tool_version,
        Show {
            run: &view.run,
            findings: view
                .findings
                .iter()
                .map(|(finding, life)| Finding { finding, life })
                .collect(),
            coverage: &view.coverage,
        },
    )
}

/// `history diff` as text: counts, then the new, changed and resolved findings and the new
/// coverage gaps.
pub fn diff_text(diff: &RunDiff) -> String {
    let mut out = String::new();
    let count = |c: Change| diff.with(c).count();
    let _ = writeln!(
        out,
        "run {} ({}) → run {} ({}): {} new, {} resolved, {} changed, {} unchanged; coverage gaps: {} new, {} closed",
        diff.from.id,
        crate::time_text(diff.from.recorded_at),
        diff.to.id,
        crate::time_text(diff.to.recorded_at),
        count(Change::New),
        count(Change::Resolved),
        count(Change::Changed),
        count(Change::Unchanged),
        diff.new_gaps.len(),
        diff.closed_gaps.len(),
    );
    if diff.from.ruleset_sha256 != diff.to.ruleset_sha256 {
        let _ = writeln!(
            out,
            "note: the ruleset changed ({} → {}): some changes may come from it",
            short(&diff.from.ruleset_sha256),
            short(&diff.to.ruleset_sha256)
        );
    }
    for change in [Change::New, Change::Changed, Change::Resolved] {
        for e in diff.with(change) {
            let f = &e.finding;
            let status = |s: Option<Status>| s.map_or("absent", Status::as_str);
            let _ = writeln!(
                out,
                "{:<8} {} → {} {} [{}] {} {}: {}",
                change.as_str(),
                status(e.before),
                status(e.after),
                f.severity,
                f.rule_id,
                f.resource,
                f.region,
                f.message
            );
        }
    }
    for g in &diff.new_gaps {
        let _ = writeln!(out, "new gap  {}", gap_text(g));
    }
    out
}

/// `history diff` as JSON.
pub fn diff_json(tool_version: &str, diff: &RunDiff) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Counts {
        new: usize,
        resolved: usize,
        changed: usize,
        unchanged: usize,
        new_failures: usize,
        new_gaps: usize,
        closed_gaps: usize,
    }
    #[derive(Serialize)]
    struct Diff<'a> {
        from: &'a Run,
        to: &'a Run,
        summary: Counts,
        findings: &'a [crate::DiffEntry],
        new_gaps: &'a [crate::StoredGap],
        closed_gaps: &'a [crate::StoredGap],
    }
    let count = |c: Change| diff.with(c).count();
    json(
        tool_version,
        Diff {
            from: &diff.from,
            to: &diff.to,
            summary: Counts {
                new: count(Change::New),
                resolved: count(Change::Resolved),
                changed: count(Change::Changed),
                unchanged: count(Change::Unchanged),
                new_failures: diff.new_failures().count(),
                new_gaps: diff.new_gaps.len(),
                closed_gaps: diff.closed_gaps.len(),
            },
            findings: &diff.entries,
            new_gaps: &diff.new_gaps,
            closed_gaps: &diff.closed_gaps,
        },
    )
}

/// `history trend` as text: per area, the failures of each run (oldest first), then the
/// unknowns in parentheses when there are any.
pub fn trend_text(trend: &Trend) -> String {
    if trend.points.is_empty() {
        return "no runs recorded\n".to_owned();
    }
    let areas: BTreeSet<Area> = trend
        .points
        .iter()
        .flat_map(|p| p.areas.keys().copied())
        .collect();
    let width = areas
        .iter()
        .map(|a| a.as_str().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "failing findings per area, run by run (unknown in parentheses)\n{:<width$}",
        "area"
    );
    for p in &trend.points {
        let _ = write!(out, " {:>10}", format!("run {}", p.run));
    }
    out.push('\n');
    for area in areas {
        let _ = write!(out, "{:<width$}", area.as_str());
        for p in &trend.points {
            let s = p.areas.get(&area).copied().unwrap_or_default();
            let cell = if s.unknown > 0 {
                format!("{} ({})", s.fail, s.unknown)
            } else {
                s.fail.to_string()
            };
            let _ = write!(out, " {cell:>10}");
        }
        out.push('\n');
    }
    out
}

/// `history trend` as JSON.
pub fn trend_json(tool_version: &str, trend: &Trend) -> Result<String, serde_json::Error> {
    json(tool_version, trend)
}

/// `history prune` as text.
pub fn prune_text(report: &PruneReport) -> String {
    format!(
        "deleted {} runs and {} findings no remaining run mentions; {} runs remain\n",
        report.runs, report.findings, report.remaining
    )
}

/// `history prune` as JSON.
pub fn prune_json(tool_version: &str, report: &PruneReport) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Pruned<'a> {
        pruned: &'a PruneReport,
    }
    json(tool_version, Pruned { pruned: report })
}

/// A diff as an evaluation whose findings carry their SARIF `baselineState`: the newer
/// run's reported findings (new, updated, unchanged) and the older run's that are gone
/// (absent), for the engine's SARIF reporter.
pub fn diff_evaluation(diff: &RunDiff) -> Evaluation {
    let rules: Vec<RuleInfo> = diff
        .rules
        .iter()
        .map(|r| RuleInfo {
            id: r.id.clone(),
            title: r.title.clone(),
            area: r.area,
            severity: r.severity,
            kind: if r.kind == RuleKind::Cedar.as_str() {
                RuleKind::Cedar
            } else {
                RuleKind::Native
            },
            remediation: r.remediation.clone(),
            doc: String::new(),
            location: None,
            controls: Default::default(),
            tags: Vec::new(),
            reads: Vec::new(),
        })
        .collect();
    let findings = diff
        .entries
        .iter()
        .map(|e| {
            let f = &e.finding;
            let state = match e.change {
                Change::New => BaselineState::New,
                Change::Resolved => BaselineState::Absent,
                Change::Changed => BaselineState::Updated,
                Change::Unchanged => BaselineState::Unchanged,
            };
            Finding {
                rule_id: Arc::from(f.rule_id.as_str()),
                title: Arc::from(f.title.as_str()),
                status: f.status,
                severity: f.severity,
                area: f.area,
                resource: f.resource.clone(),
                // Types the model no longer knows keep a generic name.
                resource_type: ResourceType::parse(&f.resource_type)
                    .map_or("AWS::Unknown", ResourceType::name),
                account_id: f.account_id.clone(),
                region: f.region.clone(),
                message: f.message.clone(),
                location: None,
                fingerprint: f.fingerprint.clone(),
                waiver: None,
                baseline_state: Some(state),
                evidence: Vec::new(),
            }
        })
        .collect();
    Evaluation {
        ruleset: RulesetIdentity {
            name: diff.to.ruleset.clone(),
            sha256: diff.to.ruleset_sha256.clone(),
        },
        subject: Subject {
            taken_at: diff.to.taken_at,
            source: SnapshotSource {
                kind: SnapshotSourceKind::Live,
                description: format!("history: run {} → run {}", diff.from.id, diff.to.id),
                regions: None,
            },
        },
        rules,
        findings,
        notices: Vec::new(),
        coverage: Vec::new(),
    }
}

/// `history finding` as text: the finding, its life, then one line per status change.
pub fn timeline_text(t: &crate::FindingTimeline) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "finding {}", t.fingerprint);
    let _ = writeln!(out, "  rule:        {} ({})", t.rule_id, t.title);
    let _ = writeln!(out, "  area:        {}", t.area.as_str());
    let _ = writeln!(out, "  resource:    {} ({})", t.resource, t.resource_type);
    let _ = writeln!(out, "  account:     {} region {}", t.account_id, t.region);
    let _ = writeln!(out, "  status:      {}", t.status);
    let _ = writeln!(
        out,
        "  first seen:  {}",
        crate::time_text(t.life.first_seen)
    );
    let _ = writeln!(out, "  last seen:   {}", crate::time_text(t.life.last_seen));
    let resolved = t
        .life
        .resolved_at
        .map_or_else(|| "-".to_owned(), crate::time_text);
    let _ = writeln!(out, "  resolved at: {resolved}");
    let _ = writeln!(out, "changes:");
    if t.changes.is_empty() {
        let _ = writeln!(out, "  none kept (the runs that made them were pruned)");
    }
    for c in &t.changes {
        let _ = writeln!(
            out,
            "  run {:>5}  {}  {} -> {}",
            c.run,
            crate::time_text(c.recorded_at),
            c.from.as_deref().unwrap_or("(first seen)"),
            c.to
        );
    }
    out
}

/// `history finding` as JSON.
pub fn timeline_json(
    tool_version: &str,
    t: &crate::FindingTimeline,
) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Timeline<'a> {
        finding: &'a crate::FindingTimeline,
    }
    json(tool_version, Timeline { finding: t })
}
