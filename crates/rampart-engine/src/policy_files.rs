//! Standalone policy documents checked by the IAM policy validator (`rampart iam
//! validate`, and the policy files `rampart check` finds), as an [`Evaluation`] that the
//! shared reporters render like any other.
//!
//! The validator's severities map onto rampart's: error → high, warning → medium,
//! suggestion → low. A file that could not be read is an error notice naming it, not a
//! finding. Pure: the caller reads the files.

use std::collections::BTreeMap;
use std::sync::Arc;

use rampart_iam::validate::{validate, Check, PolicyType, Severity as CheckSeverity, CHECKS};
use sha2::{Digest, Sha256};

use crate::findings::{
    Evaluation, Finding, Notice, NoticeLevel, RuleInfo, RulesetIdentity, Subject,
};
use crate::model::{Location, SnapshotSource, SnapshotSourceKind};
use crate::vocab::{Area, RuleKind, Severity, Status};

/// The `resource_type` of findings about a policy file.
pub const POLICY_FILE_TYPE: &str = "rampart::PolicyFile";

/// One input: its name as the user gave it, and its text or why it could not be read.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The path as given (`<stdin>` for standard input).
    pub name: String,
    /// The text, or the reason it could not be read (one line).
    pub text: Result<String, String>,
}

/// rampart's severity for a validator severity.
pub fn severity(s: CheckSeverity) -> Severity {
    match s {
        CheckSeverity::Error => Severity::High,
        CheckSeverity::Warning => Severity::Medium,
        CheckSeverity::Suggestion => Severity::Low,
    }
}

/// The area of a policy kind's findings: organization policies are SCP guardrails,
/// everything else is IAM for workloads.
fn area(kind: PolicyType) -> Area {
    match kind {
        PolicyType::Scp | PolicyType::Rcp => Area::IamScp,
        _ => Area::IamWorkloads,
    }
}

fn rule_info(check: &Check, kind: PolicyType) -> RuleInfo {
    RuleInfo {
        id: check.code.to_owned(),
        title: check.title.to_owned(),
        area: area(kind),
        severity: severity(check.severity),
        kind: RuleKind::Native,
        remediation: check.help.to_owned(),
        doc: String::new(),
        location: None,
        controls: BTreeMap::new(),
        tags: vec!["iam".to_owned(), "policy-validation".to_owned()],
        reads: Vec::new(),
    }
}

/// Validates each file as a policy of `kind`; findings keep the files' order and, within a
/// file, the validator's order (by position).
pub fn validate_files(files: &[PolicyFile], kind: PolicyType) -> Evaluation {
    let mut rules: Vec<RuleInfo> = CHECKS.iter().map(|c| rule_info(c, kind)).collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let titles: BTreeMap<&str, Arc<str>> = CHECKS
        .iter()
        .map(|c| (c.code, Arc::from(c.title)))
        .collect();
    let mut findings = Vec::new();
    let mut notices = Vec::new();
    for file in files {
        let text = match &file.text {
            Ok(text) => text,
            Err(reason) => {
                notices.push(Notice {
                    level: NoticeLevel::Error,
                    message: reason.clone(),
                    location: Some(Location {
                        uri: file.name.clone(),
                        line: 0,
                        column: 0,
                    }),
                });
                continue;
            }
        };
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for f in validate(text, kind) {
            let line_text = usize::try_from(f.position.line)
                .ok()
                .and_then(|n| text.lines().nth(n.saturating_sub(1)))
                .unwrap_or_default()
                .trim();
            let fingerprint = fingerprint(&file.name, f.code, line_text, &mut seen);
            findings.push(Finding {
                rule_id: Arc::from(f.code),
                title: titles
                    .get(f.code)
                    .cloned()
                    .unwrap_or_else(|| Arc::from(f.code)),
                status: Status::Fail,
                severity: severity(f.severity),
                area: area(kind),
                resource: file.name.clone(),
                resource_type: POLICY_FILE_TYPE,
                account_id: String::new(),
                region: String::new(),
                message: f.message,
                location: Some(Location {
                    uri: file.name.clone(),
                    line: f.position.line,
                    column: f.position.column,
                }),
                fingerprint,
                waiver: None,
                baseline_state: None,
                evidence: Vec::new(),
            });
        }
    }
    let read = files.iter().filter(|f| f.text.is_ok()).count();
    let mut evaluation = Evaluation {
        ruleset: RulesetIdentity {
            name: format!("iam-validate/{kind}"),
            sha256: hex::encode(Sha256::digest(
                CHECKS
                    .iter()
                    .map(|c| format!("{}:{}\n", c.code, c.severity.as_str()))
                    .collect::<String>(),
            )),
        },
        subject: Subject {
            taken_at: None,
            source: SnapshotSource {
                kind: SnapshotSourceKind::Iac,
                description: format!(
                    "{read} {kind} policy file{}",
                    if read == 1 { "" } else { "s" }
                ),
                regions: None,
            },
        },
        rules,
        findings,
        notices,
        coverage: Vec::new(),
    };
    // Messages may quote a policy's values.
    evaluation.redact();
    evaluation
}

/// A stable fingerprint: the check, the file, and the trimmed text of the finding's line
/// (with its occurrence count), so that moving a statement or rewording a message does not
/// reopen an alert.
fn fingerprint(file: &str, code: &str, line: &str, seen: &mut BTreeMap<String, usize>) -> String {
    let key = format!("{code}\0{line}");
    let n = seen.entry(key.clone()).or_insert(0);
    *n += 1;
    let mut h = Sha256::new();
    for part in ["rampart/iam-validate/v1", file, &key, &n.to_string()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAD: &str = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\",\n \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"}}";

    fn file(name: &str, text: &str) -> PolicyFile {
        PolicyFile {
            name: name.to_owned(),
            text: Ok(text.to_owned()),
        }
    }

    #[test]
    fn findings_name_the_file_position_and_check() {
        let eval = validate_files(&[file("p.json", BAD)], PolicyType::Identity);
        let f = &eval.findings[0];
        assert_eq!(&*f.rule_id, "unknown-action");
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.status, Status::Fail);
        let l = f.location.as_ref().unwrap();
        assert_eq!((l.uri.as_str(), l.line, l.column), ("p.json", 2, 12));
        assert!(eval.rule("unknown-action").is_some());
        assert!(eval.rules.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(eval.ruleset.name, "iam-validate/identity");
        assert_eq!(eval.subject.taken_at, None);
    }

    #[test]
    fn fingerprints_survive_moving_the_statement() {
        let a = validate_files(&[file("p.json", BAD)], PolicyType::Identity);
        let b = validate_files(
            &[file("p.json", &format!("\n\n{BAD}"))],
            PolicyType::Identity,
        );
        assert_eq!(a.findings[0].fingerprint, b.findings[0].fingerprint);
        let c = validate_files(&[file("q.json", BAD)], PolicyType::Identity);
        assert_ne!(a.findings[0].fingerprint, c.findings[0].fingerprint);
    }

    #[test]
    fn unreadable_files_are_error_notices() {
        let gone = PolicyFile {
            name: "gone.json".to_owned(),
            text: Err("cannot read: not found".to_owned()),
        };
        let eval = validate_files(&[gone, file("p.json", BAD)], PolicyType::Scp);
        assert!(eval.incomplete());
        assert_eq!(eval.notices[0].message, "cannot read: not found");
        assert_eq!(eval.findings[0].area, Area::IamScp);
        assert_eq!(eval.subject.source.description, "1 scp policy file");
    }
}
