//! `rampart iam validate FILE…`: IAM Access Analyzer–style checks of policy documents
//! ([`crate::policy::validate`]), as text for people, JSON for scripts and SARIF for code
//! scanning.
//!
//! Each file is validated on its own. A file that cannot be read is reported and the walk
//! continues; the run then ends with exit code 2 (ripgrep). Otherwise the exit code is 1
//! when a finding is at or above `--fail-on`, else 0. Output is deterministic: files in
//! argument order, findings by position.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use serde_json::Value;
use serde_sarif::sarif::{
    Invocation, Location, Message, MultiformatMessageString, Notification, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};

use super::{write_output, Format, InputError, OutputArgs};
use crate::policy::validate::{validate, Check, PolicyType, Severity, ValidationFinding, CHECKS};
use crate::report::sarif::{
    artifact_location as artifact, camel_case, FINGERPRINT_KEY, INFORMATION_URI, SCHEMA_URI,
};

/// The code of the finding for a file that cannot be read (not a policy check).
const UNREADABLE_FILE: &str = "unreadable-file";

/// Arguments of `rampart iam validate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    /// Policy documents (JSON); `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// What the policies are attached to: decides whether statements need `Principal`.
    #[arg(long, value_enum, default_value_t = PolicyTypeArg::Identity)]
    pub policy_type: PolicyTypeArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with code 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--policy-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyTypeArg {
    /// Identity-based policy (user, group, role): no `Principal`.
    Identity,
    /// Resource-based policy (bucket, key, queue…): `Principal` required.
    Resource,
    /// Role trust policy: `Principal` required, no `Resource`.
    Trust,
    /// Service control policy: no `Principal`.
    Scp,
    /// Resource control policy: `Principal` required.
    Rcp,
    /// Permissions boundary: no `Principal`.
    Boundary,
    /// Session policy: no `Principal`.
    Session,
}

impl From<PolicyTypeArg> for PolicyType {
    fn from(arg: PolicyTypeArg) -> Self {
        match arg {
            PolicyTypeArg::Identity => PolicyType::Identity,
            PolicyTypeArg::Resource => PolicyType::Resource,
            PolicyTypeArg::Trust => PolicyType::Trust,
            PolicyTypeArg::Scp => PolicyType::Scp,
            PolicyTypeArg::Rcp => PolicyType::Rcp,
            PolicyTypeArg::Boundary => PolicyType::Boundary,
            PolicyTypeArg::Session => PolicyType::Session,
        }
    }
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Suggestion,
    /// Never (exit code 0 unless a file cannot be read).
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Suggestion => Some(Severity::Suggestion),
            FailOn::Never => None,
        }
    }
}

/// One file's outcome.
struct FileReport {
    /// The path as given (`<stdin>` for `-`).
    name: String,
    /// The text, for fingerprints; empty when unreadable.
    text: String,
    findings: Vec<ValidationFinding>,
    /// Why the file could not be read.
    unreadable: Option<String>,
}

/// Runs `rampart iam validate`.
pub fn run(args: &ValidateArgs) -> Result<ExitCode, InputError> {
    let kind = PolicyType::from(args.policy_type);
    let reports: Vec<FileReport> = args.files.iter().map(|p| check_file(p, kind)).collect();
    let rendered = match args.format {
        Format::Text => text(&reports),
        Format::Json => json(&reports)?,
        Format::Sarif => sarif(&reports, kind)?,
    };
    write_output(args.output.out.as_deref(), &rendered)?;
    let unreadable = reports.iter().any(|r| r.unreadable.is_some());
    if unreadable && (args.format != Format::Text || args.output.out.is_some()) {
        // The text report already says so on stdout; elsewhere, say it where people look.
        for r in &reports {
            if let Some(e) = &r.unreadable {
                eprintln!("error: {}: {e}", r.name);
            }
        }
    }
    let failing = args.fail_on.threshold().is_some_and(|threshold| {
        reports
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.severity >= threshold)
    });
    Ok(if unreadable {
        ExitCode::from(2)
    } else if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn check_file(path: &Path, kind: PolicyType) -> FileReport {
    let (name, read) = if path == Path::new("-") {
        let mut text = String::new();
        let read = std::io::stdin().read_to_string(&mut text).map(|_| text);
        ("<stdin>".to_owned(), read)
    } else {
        (path.display().to_string(), std::fs::read_to_string(path))
    };
    match read {
        Ok(text) => FileReport {
            name,
            findings: validate(&text, kind),
            text,
            unreadable: None,
        },
        Err(e) => FileReport {
            name,
            text: String::new(),
            findings: Vec::new(),
            unreadable: Some(format!("cannot read: {e}")),
        },
    }
}

/// `FILE:LINE:COL: severity[code]: message`, one finding a line.
fn text(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        if let Some(e) = &r.unreadable {
            out.push_str(&format!("{}: error[{UNREADABLE_FILE}]: {e}\n", r.name));
        }
        for f in &r.findings {
            out.push_str(&format!(
                "{}:{}:{}: {}[{}]: {}\n",
                r.name, f.position.line, f.position.column, f.severity, f.code, f.message
            ));
        }
    }
    out
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    file: &'a str,
    /// `null` for a file that cannot be read.
    line: Option<u32>,
    column: Option<u32>,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
}

/// An array of `{file, line, column, severity, code, message}`.
fn json(reports: &[FileReport]) -> Result<String, InputError> {
    let mut records = Vec::new();
    for r in reports {
        if let Some(e) = &r.unreadable {
            records.push(JsonFinding {
                file: &r.name,
                line: None,
                column: None,
                severity: Severity::Error.as_str(),
                code: UNREADABLE_FILE,
                message: e,
            });
        }
        records.extend(r.findings.iter().map(|f| JsonFinding {
            file: &r.name,
            line: Some(f.position.line),
            column: Some(f.position.column),
            severity: f.severity.as_str(),
            code: f.code,
            message: &f.message,
        }));
    }
    let mut text = serde_json::to_string_pretty(&records).map_err(InputError::from_display)?;
    text.push('\n');
    Ok(text)
}

/// A SARIF 2.1.0 log: the checks as rules, findings as results, unreadable files as
/// tool execution notifications (the file was not analyzed, which is not a finding).
fn sarif(reports: &[FileReport], kind: PolicyType) -> Result<String, InputError> {
    let rules: Vec<ReportingDescriptor> = CHECKS.iter().map(descriptor).collect();
    let mut results = Vec::new();
    for r in reports {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for f in &r.findings {
            let fingerprint = fingerprint(r, f, &mut seen);
            results.push(result(r, f, fingerprint));
        }
    }
    let notifications: Vec<Notification> = reports
        .iter()
        .filter_map(|r| {
            let e = r.unreadable.as_ref()?;
            Some(
                Notification::builder()
                    .message(Message::builder().text(format!("{}: {e}", r.name)).build())
                    .level("error")
                    .locations(vec![Location::builder()
                        .physical_location(
                            PhysicalLocation::builder()
                                .artifact_location(artifact(&r.name))
                                .build(),
                        )
                        .build()])
                    .build(),
            )
        })
        .collect();
    let invocation = if notifications.is_empty() {
        Invocation::builder().execution_successful(true).build()
    } else {
        Invocation::builder()
            .execution_successful(false)
            .tool_execution_notifications(notifications)
            .build()
    };
    let version = env!("CARGO_PKG_VERSION");
    let driver = ToolComponent::builder()
        .name("rampart")
        .version(version)
        .semantic_version(version)
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        // One code scanning category per policy type, replaced on each upload.
        .automation_details(
            RunAutomationDetails::builder()
                .id(format!("rampart/iam-validate/{kind}/"))
                .build(),
        )
        .column_kind("unicodeCodePoints")
        .invocations(vec![invocation])
        .properties(
            PropertyBag::builder()
                .additional_properties(BTreeMap::from([(
                    "policy_type".to_owned(),
                    Value::from(kind.as_str()),
                )]))
                .build(),
        )
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version("2.1.0")
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).map_err(InputError::from_display)?;
    text.push('\n');
    Ok(text)
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Suggestion => ResultLevel::Note,
    }
}

fn descriptor(check: &Check) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(check.code)
        .name(camel_case(check.code))
        .short_description(
            MultiformatMessageString::builder()
                .text(check.title)
                .build(),
        )
        .full_description(MultiformatMessageString::builder().text(check.help).build())
        .help(MultiformatMessageString::builder().text(check.help).build())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(level(check.severity).to_string())
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec!["iam".to_owned(), "policy-validation".to_owned()])
                .build(),
        )
        .build()
}

fn result(r: &FileReport, f: &ValidationFinding, fingerprint: String) -> SarifResult {
    let region = Region::builder()
        .start_line(i64::from(f.position.line))
        .start_column(i64::from(f.position.column))
        .build();
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact(&r.name))
                .region(region)
                .build(),
        )
        .build();
    let builder = SarifResult::builder()
        .rule_id(f.code)
        .level(level(f.severity))
        .message(Message::builder().text(f.message.clone()).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_owned(), fingerprint)]));
    match CHECKS.iter().position(|c| c.code == f.code) {
        Some(i) => builder.rule_index(i64::try_from(i).unwrap_or(-1)).build(),
        None => builder.build(),
    }
}

/// A stable fingerprint: the check, the file, and the trimmed text of the finding's line
/// (with its occurrence count), so that moving a statement or rewording a message does not
/// reopen an alert.
fn fingerprint(
    r: &FileReport,
    f: &ValidationFinding,
    seen: &mut BTreeMap<String, usize>,
) -> String {
    let line = usize::try_from(f.position.line)
        .ok()
        .and_then(|n| r.text.lines().nth(n.saturating_sub(1)))
        .unwrap_or_default()
        .trim();
    let key = format!("{}\0{line}", f.code);
    let n = seen.entry(key.clone()).or_insert(0);
    *n += 1;
    let mut h = Sha256::new();
    for part in ["rampart/iam-validate/v1", &r.name, &key, &n.to_string()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str, text: &str) -> FileReport {
        FileReport {
            name: name.to_owned(),
            text: text.to_owned(),
            findings: validate(text, PolicyType::Identity),
            unreadable: None,
        }
    }

    const BAD: &str = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\",\n \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"}}";

    #[test]
    fn text_lines_name_file_line_column_severity_and_code() {
        let out = text(&[report("p.json", BAD)]);
        assert!(
            out.starts_with("p.json:2:12: warning[unknown-action]: unknown action `s3:GetObjekt`"),
            "{out}"
        );
    }

    #[test]
    fn unreadable_files_are_findings_in_text_and_json() {
        let r = FileReport {
            name: "gone.json".to_owned(),
            text: String::new(),
            findings: Vec::new(),
            unreadable: Some("cannot read: not found".to_owned()),
        };
        assert_eq!(
            text(std::slice::from_ref(&r)),
            "gone.json: error[unreadable-file]: cannot read: not found\n"
        );
        let v: Value = serde_json::from_str(&json(&[r]).unwrap()).unwrap();
        assert_eq!(v[0]["code"], "unreadable-file");
        assert_eq!(v[0]["line"], Value::Null);
    }

    #[test]
    fn sarif_locations_and_fingerprints() {
        let out = sarif(&[report("policies/p.json", BAD)], PolicyType::Identity).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        let result = &v["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "unknown-action");
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uri"], "policies/p.json");
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][index]["id"],
            "unknown-action"
        );
        // Moving the statement down a line keeps the fingerprint.
        let moved = format!("\n{BAD}");
        let again = sarif(&[report("policies/p.json", &moved)], PolicyType::Identity).unwrap();
        let w: Value = serde_json::from_str(&again).unwrap();
        assert_eq!(
            result["partialFingerprints"],
            w["runs"][0]["results"][0]["partialFingerprints"]
        );
        assert_eq!(
            artifact_uri("/abs/my policy.json"),
            "file:///abs/my%20policy.json"
        );
    }

    fn artifact_uri(name: &str) -> String {
        artifact(name).uri.unwrap_or_default()
    }

    #[test]
    fn fail_on_thresholds() {
        assert_eq!(FailOn::Never.threshold(), None);
        assert!(FailOn::Warning.threshold() < FailOn::Error.threshold());
        assert_eq!(
            camel_case("set-qualifier-on-single-valued-key"),
            "SetQualifierOnSingleValuedKey"
        );
    }
}
