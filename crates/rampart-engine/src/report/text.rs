//! A summary for a terminal: plain text, no colour codes, columns aligned.
//!
//! Values that come from the snapshot (names, tags, messages) are printed with their
//! control characters escaped, so a resource name cannot write escape sequences to the
//! terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::SecondsFormat;

use super::{source_description, RenderOptions, StatusCounts, Tally};
use crate::findings::{Evaluation, Finding};
use crate::model::Location;
use crate::vocab::{Severity, Status};

/// How many unknown findings are listed after the counts by rule.
const UNKNOWN_SHOWN: usize = 5;

/// Renders the terminal summary, ending with a newline.
pub fn render(evaluation: &Evaluation, options: &RenderOptions<'_>) -> String {
    let mut out = String::new();
    let findings = &evaluation.findings;
    let subject = match &evaluation.subject.taken_at {
        Some(at) => format!(
            "snapshot {} ({})",
            at.to_rfc3339_opts(SecondsFormat::Secs, true),
            clean(source_description(&evaluation.subject))
        ),
        None => clean(source_description(&evaluation.subject)),
    };
    line(
        &mut out,
        &format!(
            "rampart {} · ruleset {} · {subject}",
            options.tool_version,
            clean(&evaluation.ruleset.name),
        ),
    );
    out.push('\n');
    area_table(&mut out, &Tally::of(findings));
    failing(&mut out, findings);
    unknown(&mut out, findings);

    let waived = findings
        .iter()
        .filter(|f| f.status == Status::Waived)
        .count();
    if waived > 0 {
        out.push('\n');
        line(
            &mut out,
            &format!(
                "Waived: {} (accepted by ruleset waivers)",
                count(waived, "finding")
            ),
        );
    }
    coverage(&mut out, evaluation);
    notices(&mut out, evaluation);
    out.push('\n');
    line(&mut out, &verdict(findings, options.fail_on));
    out
}

/// One line per finding that is not a pass, compiler style, for findings about files:
/// `FILE:LINE:COL: severity[rule]: message` (the resource instead of the file when a
/// finding has no position); then the notices. Empty when there is nothing to say.
pub fn render_lines(evaluation: &Evaluation) -> String {
    let mut out = String::new();
    for n in &evaluation.notices {
        line(&mut out, &notice_line(n));
    }
    for f in evaluation
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
    {
        line(&mut out, &finding_line(f));
    }
    out
}

/// A notice, compiler style: `FILE:LINE:COL: level: message` (the file, and the position
/// when it names one).
pub fn notice_line(n: &crate::findings::Notice) -> String {
    let place = n
        .location
        .as_ref()
        .map_or_else(String::new, |l| format!("{}: ", position(l)));
    format!("{place}{}: {}", n.level.as_str(), clean(&n.message))
}

/// A finding, compiler style: `FILE:LINE:COL: severity[rule]: message`, the resource
/// instead of the file when it has no position.
pub fn finding_line(f: &Finding) -> String {
    let place = match &f.location {
        Some(l) => position(l),
        None => clean(&f.resource),
    };
    let label = match f.status {
        Status::Unknown => "unknown".to_owned(),
        Status::Waived => format!("{} (waived)", f.severity),
        Status::Fail | Status::Pass => f.severity.to_string(),
    };
    let baseline = match f.baseline_state {
        Some(crate::findings::BaselineState::Unchanged) => " (in baseline)",
        _ => "",
    };
    format!(
        "{place}: {label}{baseline}[{}]: {}",
        f.rule_id,
        clean(&f.message)
    )
}

/// Notices (expired waivers, files that could not be read), one a line.
fn notices(out: &mut String, evaluation: &Evaluation) {
    if evaluation.notices.is_empty() {
        return;
    }
    out.push('\n');
    for n in &evaluation.notices {
        let place = n
            .location
            .as_ref()
            .map_or_else(String::new, |l| format!("{}: ", position(l)));
        line(
            out,
            &format!("{}: {place}{}", n.level.as_str(), clean(&n.message)),
        );
    }
}

/// The table of counts by area, with a totals row.
fn area_table(out: &mut String, tally: &Tally) {
    const HEADERS: [&str; 5] = ["area", "pass", "fail", "unknown", "waived"];
    let cells = |c: &StatusCounts| [c.pass, c.fail, c.unknown, c.waived].map(|n| n.to_string());
    let mut rows: Vec<(&str, [String; 4])> = tally
        .by_area
        .iter()
        .map(|(area, c)| (area.as_str(), cells(c)))
        .collect();
    rows.push(("total", cells(&tally.by_status)));

    let first = rows
        .iter()
        .map(|(name, _)| name.len())
        .chain([HEADERS[0].len()])
        .max()
        .unwrap_or_default();
    let widths: [usize; 4] = std::array::from_fn(|i| {
        rows.iter()
            .map(|(_, c)| c[i].len())
            .chain([HEADERS[i + 1].len()])
            .max()
            .unwrap_or_default()
    });
    let row = |out: &mut String, name: &str, cells: [&str; 4]| {
        let mut text = format!("{name:<first$}");
        for (cell, width) in cells.iter().zip(widths) {
            let _ = write!(text, "  {cell:>width$}");
        }
        line(out, &text);
    };
    row(
        out,
        HEADERS[0],
        [HEADERS[1], HEADERS[2], HEADERS[3], HEADERS[4]],
    );
    for (name, c) in &rows {
        row(out, name, [&c[0], &c[1], &c[2], &c[3]].map(String::as_str));
    }
}

/// `FILE:LINE:COLUMN`, or `FILE` when the position is unknown (line 0).
fn position(l: &Location) -> String {
    if l.line > 0 {
        format!("{}:{}:{}", clean(&l.uri), l.line, l.column)
    } else {
        clean(&l.uri)
    }
}

/// Where a finding's resource is declared, under its message: `at FILE:LINE:COLUMN`.
fn declared_at(out: &mut String, indent: &str, f: &Finding) {
    if let Some(l) = &f.location {
        line(out, &format!("{indent}at {}", position(l)));
    }
}

/// Failing findings, most severe first, each with its message on the next line and where
/// it is declared, when known, on the line after.
fn failing(out: &mut String, findings: &[Finding]) {
    let mut failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    out.push('\n');
    if failing.is_empty() {
        line(out, "No failing findings");
        return;
    }
    // Stable: within a severity, the engine's order (rule, resource, region, account).
    failing.sort_by_key(|f| std::cmp::Reverse(f.severity));
    line(out, &format!("Failing findings ({})", failing.len()));
    let severity_width = "CRITICAL".len();
    let id_width = failing
        .iter()
        .map(|f| f.rule_id.len())
        .max()
        .unwrap_or_default();
    let indent = " ".repeat(2 + severity_width + 2);
    for f in failing {
        let severity = f.severity.as_str().to_ascii_uppercase();
        line(
            out,
            &format!(
                "  {severity:<severity_width$}  {:<id_width$}  {}  ({}, {})",
                f.rule_id,
                clean(&f.resource),
                clean(&f.account_id),
                clean(&f.region),
            ),
        );
        message(out, &indent, &f.message);
        declared_at(out, &indent, f);
    }
}

/// Unknown findings: a count by rule, then the first few.
fn unknown(out: &mut String, findings: &[Finding]) {
    let unknown: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Unknown)
        .collect();
    if unknown.is_empty() {
        return;
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &unknown {
        *by_rule.entry(&f.rule_id).or_default() += 1;
    }
    out.push('\n');
    line(out, &format!("Not assessable ({})", unknown.len()));
    let id_width = by_rule.keys().map(|k| k.len()).max().unwrap_or_default();
    for (rule, n) in &by_rule {
        line(out, &format!("  {rule:<id_width$}  {n}"));
    }
    let shown = unknown.len().min(UNKNOWN_SHOWN);
    if shown < unknown.len() {
        line(out, &format!("  first {shown}:"));
    }
    for f in unknown.iter().take(shown) {
        line(
            out,
            &format!(
                "  - {}  {}  ({}, {})",
                f.rule_id,
                clean(&f.resource),
                clean(&f.account_id),
                clean(&f.region)
            ),
        );
        message(out, "      ", &f.message);
        declared_at(out, "      ", f);
    }
}

/// What could not be read, one gap a line, columns aligned.
fn coverage(out: &mut String, evaluation: &Evaluation) {
    let gaps = &evaluation.coverage;
    if gaps.is_empty() {
        return;
    }
    out.push('\n');
    line(out, &format!("Coverage gaps ({})", gaps.len()));
    let rows: Vec<[String; 4]> = gaps
        .iter()
        .map(|g| {
            let reason = match &g.resource {
                Some(arn) => format!("{} ({arn})", g.reason),
                None => g.reason.clone(),
            };
            [
                g.account_id.as_str(),
                g.region.as_str(),
                g.service.prefix(),
                &reason,
            ]
            .map(clean)
        })
        .collect();
    let widths: [usize; 3] = std::array::from_fn(|i| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or_default()
    });
    for [account, region, service, reason] in &rows {
        line(
            out,
            &format!(
                "  {account:<a$}  {region:<r$}  {service:<s$}  {reason}",
                a = widths[0],
                r = widths[1],
                s = widths[2],
            ),
        );
    }
}

/// The last line: failing findings at or above the threshold, or all of them.
fn verdict(findings: &[Finding], fail_on: Option<Severity>) -> String {
    let failing = |min: Severity| {
        findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity >= min)
            .count()
    };
    match fail_on {
        Some(min) => format!(
            "{} at or above {min}",
            count(failing(min), "failing finding")
        ),
        None => count(failing(Severity::Info), "failing finding"),
    }
}

/// `1 finding`, `2 findings`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A message under its finding; every line of it indented.
fn message(out: &mut String, indent: &str, text: &str) {
    for l in text.lines() {
        line(out, &format!("{indent}{}", clean(l)));
    }
}

fn line(out: &mut String, text: &str) {
    out.push_str(text.trim_end());
    out.push('\n');
}

/// Control characters escaped (`\u{1b}`), so data cannot drive the terminal.
fn clean(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    fn render_fixture(fail_on: Option<Severity>) -> String {
        render(&fixtures::evaluation(), &fixtures::options(fail_on))
    }

    #[test]
    fn whole_summary() {
        let text = render_fixture(Some(Severity::High));
        let expected = "\
rampart 0.1.0 · ruleset default · snapshot 2025-06-01T08:00:00Z (sample organization)

area                       pass  fail  unknown  waived
encryption.at-rest            0     1        1       0
encryption.key-management     1     1        1       1
tenancy                       0     1        0       0
total                         1     3        2       1

Failing findings (3)
  CRITICAL  tenancy-prod-trusts-dev  arn:aws:iam::111122223333:role/deployer  (111122223333, global)
            role `deployer` trusts development account 999988887777
  HIGH      s3-classified-cmk        arn:aws:s3:::payroll  (111122223333, eu-west-1)
            bucket `payroll` (restricted) is encrypted with SSE-S3
            at templates/storage files.yaml:12:5
  MEDIUM    kms-key-rotation         arn:aws:kms:eu-west-1:111122223333:key/k1  (111122223333, eu-west-1)
            key `k1` has automatic rotation disabled

Not assessable (2)
  kms-key-rotation   1
  s3-classified-cmk  1
  - kms-key-rotation  arn:aws:kms:eu-west-1:444455556666:*  (444455556666, eu-west-1)
      not assessable: kms data for account 444455556666 region eu-west-1 could not be read (AccessDenied: kms:ListKeys)
  - s3-classified-cmk  arn:aws:s3:::reports  (111122223333, eu-west-1)
      bucket encryption could not be read

Waived: 1 finding (accepted by ruleset waivers)

Coverage gaps (1)
  444455556666  eu-west-1  kms  AccessDenied: kms:ListKeys

warning: waiver for `kms-key-rotation` on `arn:aws:kms:*` expired on 2025-01-01 (approved by a@example.com): the finding is reported as fail

2 failing findings at or above high
";
        assert_eq!(text, expected);
    }

    #[test]
    fn verdict_follows_fail_on() {
        assert!(render_fixture(None).ends_with("\n3 failing findings\n"));
        assert!(render_fixture(Some(Severity::Critical))
            .ends_with("\n1 failing finding at or above critical\n"));
        assert!(render_fixture(Some(Severity::Info))
            .ends_with("\n3 failing findings at or above info\n"));
    }

    #[test]
    fn no_escape_sequences_reach_the_terminal() {
        let mut eval = fixtures::evaluation();
        eval.findings[1].message = "red \u{1b}[31mkey\u{1b}[0m\nsecond line".to_owned();
        let text = render(&eval, &fixtures::options(Some(Severity::High)));
        assert!(!text.contains('\u{1b}'));
        assert!(
            text.contains("            red \\u{1b}[31mkey\\u{1b}[0m\n            second line\n")
        );
    }

    #[test]
    fn empty_evaluation() {
        let mut eval = fixtures::evaluation();
        eval.findings.clear();
        eval.notices.clear();
        eval.coverage.clear();
        let text = render(&eval, &fixtures::options(Some(Severity::High)));
        assert!(text.contains(
            "\narea   pass  fail  unknown  waived\ntotal     0     0        0       0\n"
        ));
        assert!(text.contains("\nNo failing findings\n"));
        assert!(!text.contains("Not assessable"));
        assert!(!text.contains("Coverage gaps"));
        assert!(text.ends_with("\n0 failing findings at or above high\n"));
    }

    #[test]
    fn many_unknowns_are_cut_short() {
        let mut eval = fixtures::evaluation();
        let template = eval.findings[0].clone();
        for i in 0..10 {
            let mut f = template.clone();
            f.resource = format!("arn:aws:kms:eu-west-1:444455556666:key/u{i}");
            eval.findings.push(f);
        }
        let text = render(&eval, &fixtures::options(Some(Severity::High)));
        assert!(text.contains("Not assessable (12)\n  kms-key-rotation   11\n"));
        assert!(text.contains("  first 5:\n"));
        assert_eq!(text.matches("\n  - ").count(), 5);
    }

    #[test]
    fn lines_name_file_positions_and_skip_passes() {
        let text = render_lines(&fixtures::evaluation());
        assert!(
            text.starts_with("warning: waiver for `kms-key-rotation`"),
            "{text}"
        );
        assert!(text.contains(
            "\ntemplates/storage files.yaml:12:5: high[s3-classified-cmk]: bucket `payroll` (restricted) is encrypted with SSE-S3\n"
        ));
        assert!(text.contains(
            "\narn:aws:kms:eu-west-1:111122223333:key/k3: medium (waived)[kms-key-rotation]"
        ));
        assert!(
            !text.contains("rotates every 365 days"),
            "passes are not listed"
        );
    }

    #[test]
    fn files_have_no_snapshot_time_in_the_heading() {
        let mut eval = fixtures::evaluation();
        eval.subject.taken_at = None;
        eval.subject.source.description = "3 policy files".to_owned();
        let text = render(&eval, &fixtures::options(None));
        assert!(
            text.starts_with("rampart 0.1.0 · ruleset default · 3 policy files\n"),
            "{text}"
        );
    }
}
