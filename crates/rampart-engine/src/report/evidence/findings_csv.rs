//! `findings.csv`: one row per finding, for spreadsheets and GRC imports.
//!
//! RFC 4180 (the `csv` crate's quoting), a header row, `\n` line ends; framework controls
//! in one column as `framework:control` separated by `; `; the evidence (the attributes the
//! rule read) in the last column as `path=value` separated by `; `.

use crate::findings::{Evaluation, Evidence};
use crate::report::{controls, ReportError};

/// The header row.
pub const COLUMNS: [&str; 19] = [
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
    "waiver_reason",
    "waiver_approver",
    "waiver_expires",
    "waiver_resource",
    "waiver_in_source",
    "controls",
    "evidence",
];

/// Renders every finding, in the evaluation's order.
pub fn render(evaluation: &Evaluation) -> Result<Vec<u8>, ReportError> {
    let fail = |e: csv::Error| ReportError::Csv(e.to_string());
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(COLUMNS).map_err(fail)?;
    for f in &evaluation.findings {
        let location = f
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}", l.uri, l.line, l.column))
            .unwrap_or_default();
        let controls = controls(evaluation, &f.rule_id)
            .iter()
            .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw}:{id}")))
            .collect::<Vec<_>>()
            .join("; ");
        let w = f.waiver.as_ref();
        let expires = w
            .and_then(|w| w.expires)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let evidence = Evidence::display(&f.evidence);
        let record: [&str; 19] = [
            &f.rule_id,
            &f.title,
            f.status.as_str(),
            f.severity.as_str(),
            f.area.as_str(),
            &f.resource,
            f.resource_type,
            &f.account_id,
            &f.region,
            &f.message,
            &location,
            &f.fingerprint,
            w.map_or("", |w| &w.reason),
            w.map_or("", |w| &w.approver),
            &expires,
            w.map_or("", |w| &w.resource),
            w.map_or("", |w| if w.in_source { "true" } else { "false" }),
            &controls,
            &evidence,
        ];
        writer.write_record(record).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| ReportError::Csv(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::super::fixtures;
    use super::*;

    #[test]
    fn one_row_per_finding_quoted_where_needed() {
        let eval = fixtures::evaluation();
        let bytes = render(&eval).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(reader.headers().unwrap().len(), COLUMNS.len());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), eval.findings.len());
        for (row, f) in rows.iter().zip(&eval.findings) {
            assert_eq!(&row[0], &*f.rule_id);
            assert_eq!(&row[9], f.message);
        }
        let waived = rows.iter().find(|r| &r[2] == "waived").unwrap();
        assert!(!waived[13].is_empty(), "approver");
        assert_eq!(&waived[14], "2027-06-30");
        assert!(rows.iter().any(|r| r[17].contains("nist-800-53-r5:SC-12")));
        let payroll = rows
            .iter()
            .find(|r| &r[5] == "arn:aws:s3:::payroll")
            .unwrap();
        assert_eq!(
            &payroll[18],
            "tags.Classification=\"restricted\"; encryption.algorithm=\"AES256\"; \
             encryption.kms_key_id=<absent>"
        );
    }
}
