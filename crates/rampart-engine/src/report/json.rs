//! The JSON report: provenance, a summary, and every finding with its framework controls.
//!
//! Key order is fixed by the structs below (and an ordered map for the summary), so the
//! same input always gives the same bytes.

use chrono::{DateTime, NaiveDate, Utc};
use std::io::Write as _;

use serde::Serialize;

use super::{
    controls, to_pretty_json, Controls, OrderedMap, RenderOptions, ReportError, StatusCounts, Tally,
};
use crate::findings::{Evaluation, Finding, Notice};
use crate::model::{CoverageGap, SnapshotSource};
use crate::vocab::{Area, Severity, Status};

/// Renders the JSON report: pretty-printed, with a trailing newline.
pub fn render(evaluation: &Evaluation, options: &RenderOptions<'_>) -> Result<String, ReportError> {
    to_pretty_json("json", &JsonReport::new(evaluation, options))
}

/// Writes the JSON report to `out` as it is serialized, finding by finding: the bytes of
/// [`render`] without holding them (at a million resources the report is gigabytes).
pub fn write(
    evaluation: &Evaluation,
    options: &RenderOptions<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // serde_json writes a token at a time (a quote, a key, two spaces of indentation):
    // buffered here, each is a copy into a buffer this function knows the type of rather
    // than a call through `out`'s vtable.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, &JsonReport::new(evaluation, options))?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

#[derive(Serialize)]
struct JsonReport<'a> {
    tool: Tool<'a>,
    ruleset: Ruleset<'a>,
    snapshot: Snapshot<'a>,
    summary: Summary<'a>,
    notices: Vec<JsonNotice<'a>>,
    coverage: &'a [CoverageGap],
    findings: Findings<'a>,
}

/// The findings, each turned into its JSON form only as it is serialized.
struct Findings<'a>(&'a Evaluation);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let evaluation = self.0;
        serializer.collect_seq(
            evaluation
                .findings
                .iter()
                .map(|f| JsonFinding::new(f, controls(evaluation, &f.rule_id))),
        )
    }
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Ruleset<'a> {
    name: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct Snapshot<'a> {
    /// `null` when files were checked rather than a snapshot.
    taken_at: Option<&'a DateTime<Utc>>,
    source: &'a SnapshotSource,
}

#[derive(Serialize)]
struct JsonNotice<'a> {
    level: &'static str,
    message: &'a str,
    location: Option<JsonLocation<'a>>,
}

impl<'a> JsonNotice<'a> {
    fn new(n: &'a Notice) -> JsonNotice<'a> {
        JsonNotice {
            level: n.level.as_str(),
            message: &n.message,
            location: n.location.as_ref().map(JsonLocation::new),
        }
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    total: usize,
    by_status: StatusCounts,
    by_area: OrderedMap<'a, StatusCounts>,
    by_severity: OrderedMap<'a, StatusCounts>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    title: &'a str,
    status: Status,
    severity: Severity,
    area: Area,
    resource: &'a str,
    resource_type: &'a str,
    account_id: &'a str,
    region: &'a str,
    message: &'a str,
    location: Option<JsonLocation<'a>>,
    fingerprint: &'a str,
    waiver: Option<JsonWaiver<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<crate::findings::BaselineState>,
    controls: Controls<'a>,
    /// The attributes the rule read; omitted when it recorded none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    evidence: &'a [crate::findings::Evidence],
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    uri: &'a str,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonWaiver<'a> {
    reason: &'a str,
    approver: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<NaiveDate>,
    resource: &'a str,
    in_source: bool,
}

impl<'a> JsonLocation<'a> {
    fn new(l: &'a crate::model::Location) -> JsonLocation<'a> {
        JsonLocation {
            uri: &l.uri,
            line: l.line,
            column: l.column,
        }
    }
}

impl<'a> JsonReport<'a> {
    fn new(evaluation: &'a Evaluation, options: &RenderOptions<'a>) -> JsonReport<'a> {
        let tally = Tally::of(&evaluation.findings);
        JsonReport {
            tool: Tool {
                name: "rampart",
                version: options.tool_version,
            },
            ruleset: Ruleset {
                name: &evaluation.ruleset.name,
                sha256: &evaluation.ruleset.sha256,
            },
            snapshot: Snapshot {
                taken_at: evaluation.subject.taken_at.as_ref(),
                source: &evaluation.subject.source,
            },
            summary: Summary {
                total: tally.by_status.total(),
                by_status: tally.by_status,
                by_area: OrderedMap(
                    tally
                        .by_area
                        .iter()
                        .map(|(a, c)| (a.as_str(), *c))
                        .collect(),
                ),
                by_severity: OrderedMap(
                    tally
                        .by_severity
                        .iter()
                        .map(|(s, c)| (s.as_str(), *c))
                        .collect(),
                ),
            },
            notices: evaluation.notices.iter().map(JsonNotice::new).collect(),
            coverage: &evaluation.coverage,
            findings: Findings(evaluation),
        }
    }
}

impl<'a> JsonFinding<'a> {
    fn new(f: &'a Finding, controls: Controls<'a>) -> JsonFinding<'a> {
        JsonFinding {
            rule_id: &f.rule_id,
            title: &f.title,
            status: f.status,
            severity: f.severity,
            area: f.area,
            resource: &f.resource,
            resource_type: f.resource_type,
            account_id: &f.account_id,
            region: &f.region,
            message: &f.message,
            location: f.location.as_ref().map(JsonLocation::new),
            fingerprint: &f.fingerprint,
            waiver: f.waiver.as_ref().map(|w| JsonWaiver {
                reason: &w.reason,
                approver: &w.approver,
                expires: w.expires,
                resource: &w.resource,
                in_source: w.in_source,
            }),
            baseline_state: f.baseline_state,
            controls,
            evidence: &f.evidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::fixtures;
    use super::*;

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    /// Parses JSON keeping key order, whatever serde_json's features.
    fn ordered_keys(text: &str, pointer: &str) -> Vec<String> {
        // With `preserve_order` (enabled by this crate) `Value` keeps document order;
        // check it is on, so the order asserts below mean something.
        let v: Value = serde_json::from_str(r#"{"b":1,"a":2}"#).unwrap();
        assert_eq!(keys(&v), ["b", "a"]);
        let v: Value = serde_json::from_str(text).unwrap();
        keys(v.pointer(pointer).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    fn render_fixture() -> String {
        render(
            &fixtures::evaluation(),
            &fixtures::options(Some(Severity::High)),
        )
        .unwrap()
    }

    #[test]
    fn top_level_and_finding_keys_are_fixed() {
        let text = render_fixture();
        assert!(text.ends_with("}\n"));
        assert_eq!(
            ordered_keys(&text, ""),
            ["tool", "ruleset", "snapshot", "summary", "notices", "coverage", "findings"]
        );
        assert_eq!(ordered_keys(&text, "/tool"), ["name", "version"]);
        assert_eq!(ordered_keys(&text, "/snapshot"), ["taken_at", "source"]);
        assert_eq!(
            ordered_keys(&text, "/summary"),
            ["total", "by_status", "by_area", "by_severity"]
        );
        assert_eq!(
            ordered_keys(&text, "/findings/0"),
            [
                "rule_id",
                "title",
                "status",
                "severity",
                "area",
                "resource",
                "resource_type",
                "account_id",
                "region",
                "message",
                "location",
                "fingerprint",
                "waiver",
                "controls"
            ]
        );
        assert_eq!(
            ordered_keys(&text, "/findings/4/location"),
            ["uri", "line", "column"]
        );
        assert_eq!(
            ordered_keys(&text, "/findings/3/waiver"),
            ["reason", "approver", "expires", "resource", "in_source"]
        );
    }

    #[test]
    fn summary_counts_with_zeros_and_fixed_order() {
        let text = render_fixture();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["tool"]["name"], "rampart");
        assert_eq!(v["snapshot"]["taken_at"], "2025-06-01T08:00:00Z");
        assert_eq!(v["snapshot"]["source"]["kind"], "fixture");
        let summary = &v["summary"];
        assert_eq!(summary["total"], 7);
        assert_eq!(
            summary["by_status"],
            serde_json::json!({"pass": 1, "fail": 3, "unknown": 2, "waived": 1})
        );
        assert_eq!(
            ordered_keys(&text, "/summary/by_area"),
            ["encryption.at-rest", "encryption.key-management", "tenancy"]
        );
        assert_eq!(
            ordered_keys(&text, "/summary/by_severity"),
            ["critical", "high", "medium", "low", "info"]
        );
        assert_eq!(
            summary["by_severity"]["info"],
            serde_json::json!({"pass": 0, "fail": 0, "unknown": 0, "waived": 0})
        );
        assert_eq!(
            summary["by_area"]["encryption.key-management"],
            serde_json::json!({"pass": 1, "fail": 1, "unknown": 1, "waived": 1})
        );
    }

    #[test]
    fn findings_carry_controls_location_and_waiver() {
        let v: Value = serde_json::from_str(&render_fixture()).unwrap();
        let findings = v["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 7);
        assert_eq!(
            findings[1]["controls"],
            serde_json::json!({"cis-aws-foundations-v3": ["3.6"], "nist-800-53-r5": ["SC-12"]})
        );
        assert_eq!(findings[6]["controls"], serde_json::json!({}));
        assert_eq!(findings[1]["location"], Value::Null);
        assert_eq!(findings[1]["waiver"], Value::Null);
        assert_eq!(
            findings[4]["location"],
            serde_json::json!({"uri": "templates/storage files.yaml", "line": 12, "column": 5})
        );
        assert_eq!(findings[3]["status"], "waived");
        assert_eq!(findings[3]["waiver"]["expires"], "2027-06-30");
        assert_eq!(findings[4]["area"], "encryption.at-rest");
        assert_eq!(findings[4]["resource_type"], "AWS::S3::Bucket");
        assert_eq!(v["coverage"][0]["service"], "kms");
        assert!(v["coverage"][0].get("resource").is_none());
        assert_eq!(v["notices"][0]["level"], "warning");
        assert_eq!(v["notices"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn deterministic() {
        assert_eq!(render_fixture(), render_fixture());
    }

    #[test]
    fn streaming_writes_the_rendered_bytes() {
        let mut streamed = Vec::new();
        write(
            &fixtures::evaluation(),
            &fixtures::options(Some(Severity::High)),
            &mut streamed,
        )
        .unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), render_fixture());
    }

    #[test]
    fn files_have_no_snapshot_time() {
        let mut eval = fixtures::evaluation();
        eval.subject.taken_at = None;
        let text = render(&eval, &fixtures::options(None)).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["snapshot"]["taken_at"], Value::Null);
    }
}
