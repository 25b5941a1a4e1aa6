//! SARIF 2.1.0 for code scanning, built with `serde-sarif`'s typed structs.
//!
//! One run: the active rules as `tool.driver.rules` (with GitHub's `security-severity`
//! and tags), and one result per finding that is not a pass. Waived findings are
//! results with an accepted external suppression, so code scanning shows them as
//! dismissed rather than dropping them; unknown findings are notes. Results carry a
//! `partialFingerprints` entry computed from (rule, resource) only, so rewording a
//! message never reopens an alert.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif,
    Suppression, Tool, ToolComponent,
};

use super::{doc, to_pretty_json, write_in_parallel, RenderOptions, ReportError};
use crate::findings::{Evaluation, Finding, Notice, NoticeLevel, RuleInfo};
use crate::model::Location as SourceLocation;
use crate::vocab::{Severity, Status};

/// The `$schema` written in every log: the URL GitHub code scanning documents.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where rampart is documented (the driver's `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/rampart-dev/rampart";

/// The `partialFingerprints` key of rampart's stable finding fingerprint.
pub const FINGERPRINT_KEY: &str = "rampart/v1";

/// The `uriBaseId` of file locations: the root of the scanned files.
pub const SRCROOT: &str = "%SRCROOT%";

/// The most results GitHub code scanning accepts in one run: a log with more is rejected
/// whole, so rampart keeps the most serious and says how many it left out.
pub const MAX_RESULTS: usize = 25_000;

/// Renders a SARIF 2.1.0 log: pretty-printed, with a trailing newline.
pub fn render(evaluation: &Evaluation, options: &RenderOptions<'_>) -> Result<String, ReportError> {
    let (mut log, reported) = head(evaluation, options);
    let index = rule_index(evaluation);
    log.runs[0].results = Some(
        reported
            .into_iter()
            .map(|f| result(f, index.get(&*f.rule_id).copied()))
            .collect(),
    );
    to_pretty_json("sarif", &log)
}

/// Writes the log of [`render`] to `out` as it is serialized, without holding its text.
///
/// The results are serialized in parallel, a window at a time, each pretty-printed on its
/// own and indented to its place in the log (a JSON text has no raw line break inside a
/// string, so every line break is layout): the same bytes as `render`.
pub fn write(
    evaluation: &Evaluation,
    options: &RenderOptions<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let (log, reported) = head(evaluation, options);
    let text = serde_json::to_vec_pretty(&log)?;
    let Some(at) = find(&text, RESULTS_KEY) else {
        return Err(std::io::Error::other(
            "the SARIF log's head has no empty results list",
        ));
    };
    // Up to and with the list's `[`; the empty list's `]` closes it after the results.
    let (open, close) = text.split_at(at + RESULTS_KEY.len() - 1);
    out.write_all(open)?;
    if !reported.is_empty() {
        let index = rule_index(evaluation);
        write_in_parallel(out, &reported, (WRITE_WINDOW, WRITE_CHUNK), |chunk| {
            result_lines(chunk, &index)
        })?;
        out.write_all(RESULTS_END)?;
    }
    out.write_all(close)?;
    out.write_all(b"\n")
}

/// The run's empty results list as the pretty printer lays it out (a member of the only
/// run, at its indentation: no property bag or rule nested deeper can match it).
const RESULTS_KEY: &[u8] = b"\n      \"results\": []";
/// What ends a non-empty results list: a line break and the list's indentation.
const RESULTS_END: &[u8] = b"\n      ";
/// How a result is indented in the log: the list's elements are four levels deep.
const RESULT_INDENT: &[u8] = b"\n        ";
/// Results rendered before any is written: a bound on the memory the rendered text takes.
const WRITE_WINDOW: usize = 1 << 14;
/// Results a thread renders at a time.
const WRITE_CHUNK: usize = 1 << 8;

/// `findings`' results, each preceded by `,` and its indentation, pretty-printed and
/// indented as elements of the run's results list.
fn result_lines(findings: &[&Finding], index: &BTreeMap<&str, i64>) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(findings.len() * 2048);
    let mut one = Vec::with_capacity(2048);
    for f in findings {
        one.clear();
        serde_json::to_writer_pretty(&mut one, &result(f, index.get(&*f.rule_id).copied()))?;
        out.push(b',');
        for line in one.split(|&b| b == b'\n') {
            out.extend_from_slice(RESULT_INDENT);
            out.extend_from_slice(line);
        }
    }
    Ok(out)
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Each rule's index in the driver's rules (the evaluation's rule order).
fn rule_index(evaluation: &Evaluation) -> BTreeMap<&str, i64> {
    evaluation
        .rules
        .iter()
        .zip(0..)
        .map(|(r, i)| (r.id.as_str(), i))
        .collect()
}

/// The log without its results, and the findings to report as results, in order.
fn head<'e>(evaluation: &'e Evaluation, options: &RenderOptions<'_>) -> (Sarif, Vec<&'e Finding>) {
    let rules: Vec<ReportingDescriptor> = evaluation.rules.iter().map(descriptor).collect();
    let mut reported: Vec<&Finding> = evaluation
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .collect();
    let mut notices = evaluation.notices.clone();
    if reported.len() > MAX_RESULTS {
        let left_out = reported.len() - MAX_RESULTS;
        // Failures first, then unknown, then waived; within each the most severe. The
        // order of the results kept stays the evaluation's.
        let rank = |f: &Finding| {
            let status = match f.status {
                Status::Fail => 0,
                Status::Unknown => 1,
                Status::Waived | Status::Pass => 2,
            };
            (status, std::cmp::Reverse(f.severity))
        };
        let mut order: Vec<usize> = (0..reported.len()).collect();
        order.sort_by_key(|&i| rank(reported[i]));
        let mut keep: Vec<usize> = order[..MAX_RESULTS].to_vec();
        keep.sort_unstable();
        reported = keep.into_iter().map(|i| reported[i]).collect();
        notices.push(Notice {
            level: NoticeLevel::Warning,
            message: format!(
                "{left_out} results were left out of this SARIF log: GitHub code scanning rejects runs with more than {MAX_RESULTS} results (the most serious are kept; JSON output has them all)"
            ),
            location: None,
        });
    }

    let driver = ToolComponent::builder()
        .name("rampart")
        .version(options.tool_version)
        .semantic_version(options.tool_version)
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    // An input that could not be analyzed makes the run unsuccessful: code scanning then
    // shows the error instead of a clean result.
    let successful = !evaluation.incomplete();
    let invocation = match notifications(&notices) {
        Some(n) => Invocation::builder()
            .execution_successful(successful)
            .tool_execution_notifications(n)
            .build(),
        None => Invocation::builder()
            .execution_successful(successful)
            .build(),
    };
    let ruleset = &evaluation.ruleset;
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        // The trailing slash makes the id a category: code scanning keeps one analysis
        // per ruleset and replaces it on each upload.
        .automation_details(
            RunAutomationDetails::builder()
                .id(format!("rampart/{}/", ruleset.name))
                .build(),
        )
        .column_kind("unicodeCodePoints")
        .invocations(vec![invocation])
        .properties(
            PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("ruleset".to_owned(), Value::from(ruleset.name.as_str())),
                    (
                        "ruleset_sha256".to_owned(),
                        Value::from(ruleset.sha256.as_str()),
                    ),
                ]))
                .build(),
        )
        .results(Vec::new())
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version("2.1.0")
        .runs(vec![run])
        .build();
    (log, reported)
}

/// Notices (expired waivers, files that could not be read) as tool execution
/// notifications, with the file when there is one.
fn notifications(notices: &[Notice]) -> Option<Vec<Notification>> {
    (!notices.is_empty()).then(|| notices.iter().map(notification).collect())
}

fn notification(n: &Notice) -> Notification {
    let level = match n.level {
        NoticeLevel::Warning => "warning",
        NoticeLevel::Error => "error",
    };
    let builder = Notification::builder()
        .message(n.message.as_str())
        .level(level);
    match &n.location {
        Some(l) => builder
            .locations(vec![Location::builder()
                .physical_location(physical(l))
                .build()])
            .build(),
        None => builder.build(),
    }
}

/// A rule as a SARIF reporting descriptor.
fn descriptor(rule: &RuleInfo) -> ReportingDescriptor {
    let meta = rule;
    let mut tags = vec![
        "security".to_owned(),
        meta.area.as_str().to_owned(),
        format!("rampart/{}", meta.kind.as_str()),
    ];
    for tag in &rule.tags {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    for (framework, controls) in &rule.controls {
        for control in controls.iter() {
            let tag = format!("{framework}/{control}");
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    let summary = doc::what_it_checks(&meta.doc).unwrap_or_else(|| meta.title.clone());
    let help = if meta.doc.trim().is_empty() {
        MultiformatMessageString::builder()
            .text(help_fallback(&meta.title, &meta.remediation))
            .build()
    } else {
        MultiformatMessageString::builder()
            .text(doc::plain_text(&meta.doc))
            .markdown(meta.doc.clone())
            .build()
    };
    ReportingDescriptor::builder()
        .id(meta.id.clone())
        .name(camel_case(&meta.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(meta.title.clone())
                .build(),
        )
        .full_description(MultiformatMessageString::builder().text(summary).build())
        .help(help)
        .default_configuration(
            ReportingConfiguration::builder()
                .level(level(rule.severity).to_string())
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(BTreeMap::from([
                    (
                        "security-severity".to_owned(),
                        Value::from(security_severity(rule.severity)),
                    ),
                    ("precision".to_owned(), Value::from("high")),
                ]))
                .build(),
        )
        .build()
}

fn help_fallback(title: &str, remediation: &str) -> String {
    if remediation.trim().is_empty() {
        title.to_owned()
    } else {
        format!("{title}\n\nHow to fix: {remediation}")
    }
}

/// A finding (not a pass) as a SARIF result.
fn result(f: &Finding, rule_index: Option<i64>) -> SarifResult {
    let (level, text) = match f.status {
        Status::Unknown => {
            let text = if f.message.starts_with(NOT_ASSESSABLE) {
                f.message.clone()
            } else {
                format!("{NOT_ASSESSABLE}{}", f.message)
            };
            (ResultLevel::Note, text)
        }
        Status::Pass | Status::Fail | Status::Waived => (level(f.severity), f.message.clone()),
    };
    let mut properties = BTreeMap::from([
        ("account_id".to_owned(), Value::from(f.account_id.as_str())),
        ("region".to_owned(), Value::from(f.region.as_str())),
        ("resource_type".to_owned(), Value::from(f.resource_type)),
        ("status".to_owned(), Value::from(f.status.as_str())),
        ("area".to_owned(), Value::from(f.area.as_str())),
    ]);
    if !f.evidence.is_empty() {
        // The attributes the rule read: `[{"path": …, "value": JSON text}]`.
        properties.insert(
            "evidence".to_owned(),
            serde_json::to_value(&f.evidence).unwrap_or_default(),
        );
    }
    let builder = SarifResult::builder()
        .rule_id(f.rule_id.to_string())
        .level(level)
        .message(Message::builder().text(text).build())
        .locations(vec![location(f)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_owned(),
            f.fingerprint.clone(),
        )]))
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
    // typed-builder fixes the setters at compile time, so the optional fields are set
    // on each branch rather than through a mutable builder.
    let mut result = match (rule_index, suppression(f)) {
        (Some(i), Some(s)) => builder.rule_index(i).suppressions(vec![s]).build(),
        (Some(i), None) => builder.rule_index(i).build(),
        (None, Some(s)) => builder.suppressions(vec![s]).build(),
        (None, None) => builder.build(),
    };
    result.baseline_state = f.baseline_state.map(|s| Value::from(s.as_str()));
    result
}

const NOT_ASSESSABLE: &str = "not assessable: ";

/// An accepted external suppression for a waived finding.
fn suppression(f: &Finding) -> Option<Suppression> {
    if f.status != Status::Waived {
        return None;
    }
    Some(match &f.waiver {
        Some(w) if w.in_source => Suppression::builder()
            .kind("inSource")
            .status("accepted")
            .justification(format!("{} ({})", w.reason, w.approver))
            .build(),
        Some(w) => {
            let expires = w
                .expires
                .map_or_else(String::new, |d| format!(", expires {d}"));
            Suppression::builder()
                .kind("external")
                .status("accepted")
                .justification(format!(
                    "{} (approved by {}{expires})",
                    w.reason, w.approver
                ))
                .build()
        }
        None => Suppression::builder()
            .kind("external")
            .status("accepted")
            .build(),
    })
}

/// The file position when the resource came from a file, and always the ARN as a
/// logical location (what a finding about a live resource can point at).
fn location(f: &Finding) -> Location {
    let logical = LogicalLocation::builder()
        .fully_qualified_name(f.resource.clone())
        .kind("resource")
        .name(arn_name(&f.resource))
        .build();
    let builder = Location::builder().logical_locations(vec![logical]);
    match &f.location {
        Some(l) => builder.physical_location(physical(l)).build(),
        None => builder.build(),
    }
}

/// A file as a SARIF artifact location: relative paths against `%SRCROOT%`, absolute ones
/// as `file://` URIs, percent-encoded.
pub(crate) fn artifact_location(path: &str) -> ArtifactLocation {
    let (uri, relative) = file_uri(path);
    if relative {
        ArtifactLocation::builder()
            .uri(uri.trim_start_matches("./").to_owned())
            .uri_base_id(SRCROOT)
            .build()
    } else {
        ArtifactLocation::builder().uri(uri).build()
    }
}

fn physical(l: &SourceLocation) -> PhysicalLocation {
    let builder = PhysicalLocation::builder().artifact_location(artifact_location(&l.uri));
    // SARIF lines and columns are 1-based; a 0 means "unknown position".
    match (l.line, l.column) {
        (0, _) => builder.build(),
        (line, 0) => builder
            .region(Region::builder().start_line(i64::from(line)).build())
            .build(),
        (line, column) => builder
            .region(
                Region::builder()
                    .start_line(i64::from(line))
                    .start_column(i64::from(column))
                    .build(),
            )
            .build(),
    }
}

/// The location's file as a URI reference, and whether it is relative to `%SRCROOT%`.
///
/// A value with a scheme is kept as it is; a path is percent-encoded (spaces and
/// non-ASCII are not valid in a URI) with `\` turned into `/`, and an absolute path
/// becomes a `file://` URI.
fn file_uri(uri: &str) -> (String, bool) {
    if has_scheme(uri) {
        return (uri.to_owned(), false);
    }
    let path = uri.replace('\\', "/");
    let encoded = percent_encode_path(&path);
    if path.starts_with('/') {
        (format!("file://{encoded}"), false)
    } else if path.as_bytes().get(1) == Some(&b':') && path.as_bytes().get(2) == Some(&b'/') {
        (format!("file:///{encoded}"), false)
    } else {
        (encoded, true)
    }
}

fn has_scheme(uri: &str) -> bool {
    match uri.split_once(':') {
        // One letter before `:` is a Windows drive, not a scheme.
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The last segment of an ARN (`key/abcd` → `abcd`, `arn:aws:s3:::bucket` → `bucket`).
fn arn_name(arn: &str) -> String {
    arn.rsplit(['/', ':'])
        .find(|s| !s.is_empty())
        .unwrap_or(arn)
        .to_owned()
}

/// SARIF level of a severity: critical/high → error, medium → warning, low/info → note.
fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's `security-severity` score: its bands are critical > 9.0, high 7.0–8.9,
/// medium 4.0–6.9, low 0.1–3.9.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// `s3-classified-cmk` → `S3ClassifiedCmk`.
/// `kms-key-rotation` → `KmsKeyRotation`, for SARIF rule names.
pub(crate) fn camel_case(id: &str) -> String {
    id.split(['-', '_', '.'])
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

#[cfg(test)]
mod tests;
