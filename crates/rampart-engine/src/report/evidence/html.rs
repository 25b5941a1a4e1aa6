//! `index.html`: one self-contained page (inline CSS and JS, no network) for an auditor:
//! summary by area and severity with charts, the framework view (framework → control →
//! rules → findings), each rule with its findings and their evidence, waivers in effect,
//! coverage gaps, notices, and trends when history is given.
//!
//! The page is a minijinja template (`templates/index.html`, HTML-escaped by the engine);
//! this module only prepares what it shows. Details fold with `<details>`, so the page
//! works with the keyboard and without script; the script adds a filter and opens every
//! fold before printing.

use std::collections::BTreeMap;

use minijinja::Environment;
use serde::Serialize;

use super::controls::{rule_status, FrameworkView};
use super::resources::ResourceIndex;
use super::{sha256_hex, timestamp, BundleInput, TrendPoint};
use crate::findings::{Evaluation, Evidence, Finding};
use crate::model::CoverageGap;
use crate::report::{source_description, ReportError, StatusCounts, Tally};
use crate::vocab::Status;

const TEMPLATE: &str = include_str!("templates/index.html");
const STYLE: &str = include_str!("templates/style.css");
const SCRIPT: &str = include_str!("templates/script.js");

/// Renders the page.
pub fn render(
    input: &BundleInput<'_>,
    frameworks: &[FrameworkView],
    resources: &ResourceIndex,
) -> Result<String, ReportError> {
    let mut env = Environment::new();
    let fail = |e: minijinja::Error| ReportError::Template(format!("{e:#}"));
    env.add_template("index.html", TEMPLATE).map_err(fail)?;
    env.add_template("style.css", STYLE).map_err(fail)?;
    env.add_template("script.js", SCRIPT).map_err(fail)?;
    let page = Page::new(input, frameworks, resources);
    let mut html = env
        .get_template("index.html")
        .and_then(|t| t.render(&page))
        .map_err(fail)?;
    if !html.ends_with('\n') {
        html.push('\n');
    }
    Ok(html)
}

#[derive(Serialize)]
struct Page<'a> {
    subject: &'a str,
    taken_at: Option<String>,
    evaluated_at: String,
    tool_version: &'a str,
    ruleset_name: &'a str,
    ruleset_sha256: &'a str,
    catalog_version: &'a str,
    snapshot_sha256: Option<String>,
    snapshot_copied: bool,
    fail_on: Option<&'static str>,
    totals: Row,
    by_area: Vec<Row>,
    by_severity: Vec<Row>,
    frameworks: Vec<FrameworkPage<'a>>,
    rules: Vec<RulePage<'a>>,
    resources: Vec<ResourcePage<'a>>,
    waivers: Vec<WaiverPage<'a>>,
    coverage: &'a [CoverageGap],
    notices: Vec<NoticePage<'a>>,
    trends: Option<Trends<'a>>,
}

/// Counts of one row of a summary, with the widths of its bar's segments.
#[derive(Serialize)]
struct Row {
    name: &'static str,
    counts: StatusCounts,
    total: usize,
    /// (status, percent of the row) for each non-empty status, in report order.
    segments: Vec<(&'static str, String)>,
}

impl Row {
    fn new(name: &'static str, counts: StatusCounts) -> Row {
        let total = counts.total();
        let segments = Status::ALL
            .into_iter()
            .map(|s| (s, count(&counts, s)))
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| (s.as_str(), percent(n, total)))
            .collect();
        Row {
            name,
            counts,
            total,
            segments,
        }
    }
}

fn count(c: &StatusCounts, s: Status) -> usize {
    match s {
        Status::Pass => c.pass,
        Status::Fail => c.fail,
        Status::Unknown => c.unknown,
        Status::Waived => c.waived,
    }
}

/// `n / total` as a percentage with two decimals (CSS width).
fn percent(n: usize, total: usize) -> String {
    if total == 0 {
        return "0".to_owned();
    }
    let hundredths = (n as u128 * 10_000 + total as u128 / 2) / total as u128;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[derive(Serialize)]
struct FrameworkPage<'a> {
    #[serde(flatten)]
    view: &'a FrameworkView,
    controls: Vec<ControlPage<'a>>,
}

#[derive(Serialize)]
struct ControlPage<'a> {
    id: &'a str,
    anchor: &'a str,
    status: &'static str,
    counts: StatusCounts,
    rules: Vec<RuleLink<'a>>,
}

#[derive(Serialize)]
struct RuleLink<'a> {
    id: &'a str,
    title: &'a str,
    status: &'static str,
    severity: &'static str,
}

#[derive(Serialize)]
struct RulePage<'a> {
    id: &'a str,
    title: &'a str,
    area: &'static str,
    severity: &'static str,
    kind: &'static str,
    status: &'static str,
    remediation: &'a str,
    reads: &'a [String],
    controls: Vec<(&'a str, String)>,
    counts: StatusCounts,
    findings: Vec<FindingPage<'a>>,
}

#[derive(Serialize)]
struct FindingPage<'a> {
    status: &'static str,
    severity: &'static str,
    resource: &'a str,
    resource_type: &'a str,
    account_id: &'a str,
    region: &'a str,
    message: &'a str,
    location: Option<String>,
    fingerprint: &'a str,
    /// The anchor of the resource's record, when the snapshot has it.
    record: Option<String>,
    /// The attributes the rule read.
    evidence: &'a [Evidence],
    waiver: Option<String>,
}

#[derive(Serialize)]
struct ResourcePage<'a> {
    anchor: String,
    arn: &'a str,
    record: &'a str,
}

#[derive(Serialize)]
struct WaiverPage<'a> {
    rule_id: &'a str,
    resource: &'a str,
    reason: &'a str,
    approver: &'a str,
    expires: String,
    in_source: bool,
}

#[derive(Serialize)]
struct NoticePage<'a> {
    level: &'static str,
    message: &'a str,
    location: Option<String>,
}

#[derive(Serialize)]
struct Trends<'a> {
    points: &'a [TrendPoint],
    /// SVG polyline points (fail count) in a 0..100 × 0..40 box.
    fail_line: String,
    pass_line: String,
    max: usize,
}

fn resource_anchor(arn: &str) -> String {
    format!("res-{}", &sha256_hex(arn.as_bytes())[..16])
}

impl<'a> Page<'a> {
    fn new(
        input: &'a BundleInput<'a>,
        frameworks: &'a [FrameworkView],
        resources: &'a ResourceIndex,
    ) -> Page<'a> {
        let evaluation = input.evaluation;
        let tally = Tally::of(&evaluation.findings);
        let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &evaluation.findings {
            by_rule.entry(&f.rule_id).or_default().push(f);
        }
        let mut cited: BTreeMap<&str, ResourcePage<'a>> = BTreeMap::new();
        let rules = evaluation
            .rules
            .iter()
            .map(|rule| {
                let findings = by_rule
                    .get(rule.id.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let mut counts = StatusCounts::default();
                let findings = findings
                    .iter()
                    .map(|f| {
                        counts.add(f.status);
                        let evidence = resources.get(&f.resource).map(|record| {
                            let anchor = resource_anchor(&f.resource);
                            cited.entry(&f.resource).or_insert_with(|| ResourcePage {
                                anchor: anchor.clone(),
                                arn: &f.resource,
                                record,
                            });
                            anchor
                        });
                        finding_page(f, evidence)
                    })
                    .collect();
                RulePage {
                    id: &rule.id,
                    title: &rule.title,
                    area: rule.area.as_str(),
                    severity: rule.severity.as_str(),
                    kind: rule.kind.as_str(),
                    status: rule_status(evaluation, &rule.id).as_str(),
                    remediation: &rule.remediation,
                    reads: &rule.reads,
                    controls: rule
                        .controls
                        .iter()
                        .map(|(fw, ids)| (fw.as_str(), ids.join(", ")))
                        .collect(),
                    counts,
                    findings,
                }
            })
            .collect();
        Page {
            subject: source_description(&evaluation.subject),
            taken_at: evaluation.subject.taken_at.as_ref().map(timestamp),
            evaluated_at: timestamp(&input.evaluated_at),
            tool_version: input.options.tool_version,
            ruleset_name: &evaluation.ruleset.name,
            ruleset_sha256: &evaluation.ruleset.sha256,
            catalog_version: input.catalog_version,
            snapshot_sha256: input.snapshot.map(|s| s.sha256.to_owned()),
            snapshot_copied: input.snapshot.and_then(|s| s.copied()).is_some(),
            fail_on: input.options.fail_on.map(|s| s.as_str()),
            totals: Row::new("all", tally.by_status),
            by_area: tally
                .by_area
                .iter()
                .map(|(a, c)| Row::new(a.as_str(), *c))
                .collect(),
            by_severity: tally
                .by_severity
                .iter()
                .map(|(s, c)| Row::new(s.as_str(), *c))
                .collect(),
            frameworks: frameworks
                .iter()
                .map(|fw| framework_page(evaluation, fw))
                .collect(),
            rules,
            resources: cited.into_values().collect(),
            waivers: waivers(evaluation),
            coverage: &evaluation.coverage,
            notices: evaluation
                .notices
                .iter()
                .map(|n| NoticePage {
                    level: n.level.as_str(),
                    message: &n.message,
                    location: n
                        .location
                        .as_ref()
                        .map(|l| format!("{}:{}:{}", l.uri, l.line, l.column)),
                })
                .collect(),
            trends: trends(input.trends),
        }
    }
}

fn finding_page(f: &Finding, record: Option<String>) -> FindingPage<'_> {
    FindingPage {
        status: f.status.as_str(),
        severity: f.severity.as_str(),
        resource: &f.resource,
        resource_type: f.resource_type,
        account_id: &f.account_id,
        region: &f.region,
        message: &f.message,
        location: f
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}", l.uri, l.line, l.column)),
        fingerprint: &f.fingerprint,
        record,
        evidence: &f.evidence,
        waiver: f.waiver.as_ref().map(|w| {
            let expires = w
                .expires
                .map_or_else(|| "no expiry".to_owned(), |d| format!("until {d}"));
            format!("{} ({}, {expires})", w.reason, w.approver)
        }),
    }
}

fn framework_page<'a>(evaluation: &'a Evaluation, fw: &'a FrameworkView) -> FrameworkPage<'a> {
    FrameworkPage {
        view: fw,
        controls: fw
            .controls
            .iter()
            .map(|c| ControlPage {
                id: &c.id,
                anchor: &c.anchor,
                status: c.status.as_str(),
                counts: c.counts,
                rules: c
                    .rules
                    .iter()
                    .filter_map(|id| evaluation.rule(id))
                    .map(|r| RuleLink {
                        id: &r.id,
                        title: &r.title,
                        status: rule_status(evaluation, &r.id).as_str(),
                        severity: r.severity.as_str(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn waivers(evaluation: &Evaluation) -> Vec<WaiverPage<'_>> {
    evaluation
        .findings
        .iter()
        .filter_map(|f| {
            f.waiver.as_ref().map(|w| WaiverPage {
                rule_id: &f.rule_id,
                resource: &f.resource,
                reason: &w.reason,
                approver: &w.approver,
                expires: w.expires.map_or_else(String::new, |d| d.to_string()),
                in_source: w.in_source,
            })
        })
        .collect()
}

fn trends(points: &[TrendPoint]) -> Option<Trends<'_>> {
    if points.is_empty() {
        return None;
    }
    let max = points
        .iter()
        .map(|p| p.fail.max(p.pass))
        .max()
        .unwrap_or(0)
        .max(1);
    let line = |value: fn(&TrendPoint) -> usize| {
        let n = points.len();
        points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let x = if n == 1 { 50 } else { i * 100 / (n - 1) };
                let y = 40 - value(p) * 40 / max;
                format!("{x},{y}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    Some(Trends {
        points,
        fail_line: line(|p| p.fail),
        pass_line: line(|p| p.pass),
        max,
    })
}
