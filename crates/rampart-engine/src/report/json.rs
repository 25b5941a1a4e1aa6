//! The JSON report: provenance, a summary, and every finding with its framework controls.
//!
//! Key order is fixed by the structs below (and an ordered map for the summary), so the
//! same input always gives the same bytes.

use chrono::{DateTime, NaiveDate, Utc};

use serde::Serialize;

use super::{
    controls, write_in_parallel, Controls, OrderedMap, RenderOptions, ReportError, StatusCounts,
    Tally,
};
use crate::findings::{Evaluation, Finding, Notice};
use crate::model::{CoverageGap, SnapshotSource};
use crate::vocab::{Area, Severity, Status};

/// Renders the JSON report ([`Layout`]), with a trailing newline.
pub fn render(evaluation: &Evaluation, options: &RenderOptions<'_>) -> Result<String, ReportError> {
    let mut out = Vec::new();
    write(evaluation, options, &mut out).map_err(|e| ReportError::Serialize {
        format: "json",
        source: serde_json::Error::io(e),
    })?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Writes the JSON report to `out` as it is serialized: the bytes of [`render`] without
/// holding them (at a million resources the report is gigabytes).
///
/// The findings, one a line, are rendered in parallel a window at a time and written in
/// order: the head (everything before them) is serialized with an empty list, which is
/// then opened up.
pub fn write(
    evaluation: &Evaluation,
    options: &RenderOptions<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut head, Layout::default());
    JsonReport::new(evaluation, options).serialize(&mut serializer)?;
    let Some(open) = head.strip_suffix(EMPTY_FINDINGS_TAIL) else {
        return Err(std::io::Error::other(
            "the JSON report's head does not end in its findings",
        ));
    };
    out.write_all(open)?;
    out.write_all(b"[")?;
    write_in_parallel(
        out,
        &evaluation.findings,
        (WRITE_WINDOW, WRITE_CHUNK),
        |chunk| finding_lines(evaluation, chunk),
    )?;
    out.write_all(if evaluation.findings.is_empty() {
        b"]\n}\n"
    } else {
        b"\n  ]\n}\n"
    })
}

/// How the head of a report ends when its findings are an empty list (the last member of
/// the root object).
const EMPTY_FINDINGS_TAIL: &[u8] = b"[]\n}";
/// Findings rendered before any is written: a bound on the memory the rendered lines take.
const WRITE_WINDOW: usize = 1 << 16;
/// Findings a thread renders at a time.
const WRITE_CHUNK: usize = 1 << 10;

/// `findings`, each on its own line as the report's layout writes an element of a
/// top-level list (`,\n    ` then the finding without spaces).
fn finding_lines(evaluation: &Evaluation, findings: &[Finding]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(findings.len() * 768);
    for f in findings {
        finding_line(evaluation, f, &mut out)?;
    }
    Ok(out)
}

/// Appends one finding of `evaluation`'s rules as the report writes it after another one
/// (`,\n    ` then the finding on one line); the first finding of a report goes without
/// the comma.
pub(crate) fn finding_line(
    evaluation: &Evaluation,
    f: &Finding,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let controls = controls(evaluation, &f.rule_id);
    out.extend_from_slice(b",\n    ");
    serde_json::to_writer(&mut *out, &JsonFinding::new(f, controls)).map_err(std::io::Error::from)
}

/// Writes the JSON report of an evaluation whose findings were rendered elsewhere: `head`
/// has none, `tally` counts them, and `body` writes their lines ([`finding_line`], the
/// first one without its comma), `findings` of them. The bytes are [`write`]'s for the
/// evaluation holding them.
pub(crate) fn write_with_body(
    head: &Evaluation,
    tally: Tally,
    options: &RenderOptions<'_>,
    findings: usize,
    body: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut text = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut text, Layout::default());
    JsonReport::with_tally(head, options, tally).serialize(&mut serializer)?;
    let Some(open) = text.strip_suffix(EMPTY_FINDINGS_TAIL) else {
        return Err(std::io::Error::other(
            "the JSON report's head does not end in its findings",
        ));
    };
    out.write_all(open)?;
    out.write_all(b"[")?;
    body(out)?;
    out.write_all(if findings == 0 {
        b"]\n}\n"
    } else {
        b"\n  ]\n}\n"
    })
}

/// The report's layout: indented by two spaces per level, as serde_json's pretty printer
/// does, except that each element of a top-level list (a finding, a notice, a coverage
/// gap) and each value nested three objects deep (an area's counts in the summary) is
/// written on one line without spaces. The file reads top down, `grep` finds a finding
/// whole, and a million findings are a quarter fewer bytes than fully indented.
#[derive(Default)]
struct Layout {
    /// Containers open around the next token.
    depth: usize,
    /// Bit `d - 1` set when the container at level `d` is a list (the root is level 1).
    lists: u64,
    /// Whether the innermost indented container has a value yet.
    has_value: bool,
}

impl Layout {
    /// Enough spaces for the deepest indented line.
    const SPACES: &'static [u8] = b"\n        ";

    /// Whether the values of the innermost open container are indented: the root, the
    /// top-level members, and their members unless they are list elements.
    fn indented(&self) -> bool {
        match self.depth {
            0..=2 => true,
            3 => self.lists & 0b10 == 0,
            _ => false,
        }
    }

    /// A new line indented to `level`.
    fn newline<W: ?Sized + std::io::Write>(writer: &mut W, level: usize) -> std::io::Result<()> {
        writer.write_all(&Self::SPACES[..1 + 2 * level])
    }

    fn begin<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        open: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        if let Some(bit) = self.depth.checked_sub(1).filter(|b| *b < 64) {
            if open == b"[" {
                self.lists |= 1 << bit;
            } else {
                self.lists &= !(1 << bit);
            }
        }
        self.has_value = false;
        writer.write_all(open)
    }

    fn end<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        close: &[u8],
    ) -> std::io::Result<()> {
        if self.indented() && self.has_value {
            Self::newline(writer, self.depth - 1)?;
        }
        self.depth -= 1;
        writer.write_all(close)
    }

    fn item<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if self.indented() {
            if !first {
                writer.write_all(b",")?;
            }
            Self::newline(writer, self.depth)
        } else if first {
            Ok(())
        } else {
            writer.write_all(b",")
        }
    }
}

impl serde_json::ser::Formatter for Layout {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.begin(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.end(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.begin(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.end(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(if self.indented() { b": " } else { b":" })
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The report; `F`, its findings: the empty list [`write`] fills, or (in tests) the
/// findings themselves.
#[derive(Serialize)]
struct JsonReport<'a, F = Findings> {
    tool: Tool<'a>,
    ruleset: Ruleset<'a>,
    snapshot: Snapshot<'a>,
    summary: Summary<'a>,
    notices: Vec<JsonNotice<'a>>,
    coverage: &'a [CoverageGap],
    findings: F,
}

/// The findings of [`render`]'s head: an empty list, which [`write`] fills.
struct Findings;

impl Serialize for Findings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(std::iter::empty::<()>())
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
    controls: &'a Controls,
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
        JsonReport::with_tally(evaluation, options, Tally::of(&evaluation.findings))
    }

    /// The report of `evaluation` with its findings counted in `tally`.
    fn with_tally(
        evaluation: &'a Evaluation,
        options: &RenderOptions<'a>,
        tally: Tally,
    ) -> JsonReport<'a> {
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
            findings: Findings,
        }
    }
}

impl<'a> JsonFinding<'a> {
    fn new(f: &'a Finding, controls: &'a Controls) -> JsonFinding<'a> {
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

    /// The whole report serialized at once, findings included: what [`write`] wrote
    /// before it rendered findings in parallel.
    type Whole<'a> = JsonReport<'a, Vec<JsonFinding<'a>>>;

    impl<'a> Whole<'a> {
        fn new(eval: &'a Evaluation, options: &RenderOptions<'a>) -> Self {
            let head = JsonReport::<Findings>::new(eval, options);
            JsonReport {
                tool: head.tool,
                ruleset: head.ruleset,
                snapshot: head.snapshot,
                summary: head.summary,
                notices: head.notices,
                coverage: head.coverage,
                findings: eval
                    .findings
                    .iter()
                    .map(|f| JsonFinding::new(f, controls(eval, &f.rule_id)))
                    .collect(),
            }
        }

        fn layout(&self) -> String {
            let mut out = Vec::new();
            let mut serializer =
                serde_json::Serializer::with_formatter(&mut out, Layout::default());
            self.serialize(&mut serializer).unwrap();
            out.push(b'\n');
            String::from_utf8(out).unwrap()
        }
    }

    /// Findings rendered in parallel, over several chunks and windows, give the bytes of
    /// the report serialized whole; and so do none.
    #[test]
    fn findings_written_in_parallel_are_the_report_serialized_whole() {
        let eval = fixtures::evaluation();
        let options = fixtures::options(Some(Severity::High));
        let many = fixtures::evaluation_with(WRITE_WINDOW + 3 * WRITE_CHUNK + 7);
        for e in [
            eval.clone(),
            many,
            Evaluation {
                findings: Vec::new(),
                ..eval
            },
        ] {
            assert_eq!(
                render(&e, &options).unwrap(),
                Whole::new(&e, &options).layout()
            );
        }
    }

    #[test]
    fn deterministic() {
        assert_eq!(render_fixture(), render_fixture());
    }

    #[test]
    fn the_layout_holds_the_same_data_with_one_finding_per_line() {
        let eval = fixtures::evaluation();
        let options = fixtures::options(Some(Severity::High));
        let text = render(&eval, &options).unwrap();
        let pretty = serde_json::to_string_pretty(&Whole::new(&eval, &options)).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            serde_json::from_str::<Value>(&pretty).unwrap()
        );
        assert!(
            text.starts_with("{\n  \"tool\": {\n    \"name\": \"rampart\",\n"),
            "{text}"
        );
        // Each finding is one line of its own, four spaces in, and reads alone.
        let findings: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("    {\"rule_id\":"))
            .collect();
        assert_eq!(findings.len(), eval.findings.len(), "{text}");
        for (line, finding) in findings.iter().zip(&eval.findings) {
            let v: Value = serde_json::from_str(line.trim().trim_end_matches(',')).unwrap();
            assert_eq!(v["fingerprint"], finding.fingerprint.as_str());
        }
        // An empty list stays on its line.
        let mut empty = eval.clone();
        empty.findings.clear();
        let text = render(&empty, &options).unwrap();
        assert!(text.contains("\n  \"findings\": []\n}"), "{text}");
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
