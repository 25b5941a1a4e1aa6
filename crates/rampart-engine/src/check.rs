//! `rampart check`: the catalog's rules over infrastructure code, as one [`Evaluation`].
//!
//! The code's model ([`crate::iac`]) is evaluated like any snapshot; only findings about
//! resources declared in the checked files are kept (not the placeholder accounts, nor a
//! context snapshot's live resources). In-source suppressions turn a failing or unknown
//! finding into `waived`, with the written reason. Standalone policy files go through the
//! policy validator, and files that looked like infrastructure code but did not parse are
//! error notices naming `file:line:column`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rampart_iam::validate::PolicyType;

use crate::findings::{AppliedWaiver, Evaluation, Finding, Notice, NoticeLevel, Subject};
use crate::iac::IacModel;
use crate::model::{Location, ResourceType, SnapshotSource, SnapshotSourceKind};
use crate::policy_files::{validate_files, PolicyFile};
use crate::rules::{Engine, Profile};
use crate::vocab::Status;

/// A standalone policy file found by the walk.
#[derive(Debug, Clone)]
pub struct CheckedPolicy {
    /// The file as findings name it.
    pub uri: String,
    /// Its text.
    pub text: String,
    /// Its tree, to tell a resource policy (with `Principal`) from an identity policy.
    pub tree: rampart_iac::Node,
}

impl CheckedPolicy {
    /// A policy with a `Principal` or `NotPrincipal` in a statement is a resource policy;
    /// anything else is read as an identity policy. The IAM parser decides, with the
    /// language's own rules; a file it rejects is judged by its tree, so that the validator
    /// reports its errors against the kind the author meant.
    pub fn kind(&self) -> PolicyType {
        let resource = match rampart_iam::parse_policy(&self.text) {
            Ok(policy) => policy.statements.iter().any(|s| s.principal.is_some()),
            Err(_) => {
                let has_principal = |s: &rampart_iac::Node| {
                    s.get("Principal").is_some() || s.get("NotPrincipal").is_some()
                };
                match self.tree.get("Statement") {
                    Some(list) => match list.as_sequence() {
                        Some(items) => items.iter().any(has_principal),
                        None => has_principal(list),
                    },
                    None => false,
                }
            }
        };
        if resource {
            PolicyType::Resource
        } else {
            PolicyType::Identity
        }
    }
}

/// What `rampart check` read.
#[derive(Debug, Clone, Default)]
pub struct CheckInputs {
    /// Standalone policy files.
    pub policies: Vec<CheckedPolicy>,
    /// Files that could not be read, one line each (`file:line:column: message`), with the
    /// location when known.
    pub errors: Vec<(String, Option<Location>)>,
    /// How many files were checked (templates, plans and policies).
    pub files: usize,
}

/// Evaluates the code's model with `engine` and folds in policy files and errors.
pub fn check(
    engine: &Engine<'_>,
    model: &IacModel,
    inputs: &CheckInputs,
    now: DateTime<Utc>,
) -> Evaluation {
    check_profiled(engine, model, inputs, now).0
}

/// [`check`], and where the evaluation's time went: the engine's profile summed over the
/// model's snapshots (`None` when there was none to evaluate).
pub fn check_profiled(
    engine: &Engine<'_>,
    model: &IacModel,
    inputs: &CheckInputs,
    now: DateTime<Utc>,
) -> (Evaluation, Option<Profile>) {
    let account_type = ResourceType::Account.name();
    let mut evaluation: Option<Evaluation> = None;
    let mut profile: Option<Profile> = None;
    for snapshot in &model.snapshots {
        let (mut part, took) = engine.evaluate_profiled(snapshot, now);
        match &mut profile {
            None => profile = Some(took),
            Some(all) => all.absorb(took),
        }
        part.findings
            .retain(|f| f.location.is_some() && f.resource_type != account_type);
        match &mut evaluation {
            None => evaluation = Some(part),
            Some(all) => {
                all.findings.extend(part.findings);
                all.notices.extend(part.notices);
                all.coverage.extend(part.coverage);
            }
        }
    }
    let mut evaluation =
        evaluation.unwrap_or_else(|| engine.evaluate(&crate::iac::empty_snapshot(now), now));
    evaluation.coverage.sort();
    evaluation.coverage.dedup();
    apply_suppressions(&mut evaluation.findings, model);

    // Policy files, by kind, through the validator.
    let mut by_kind: BTreeMap<PolicyType, Vec<PolicyFile>> = BTreeMap::new();
    for p in &inputs.policies {
        by_kind.entry(p.kind()).or_default().push(PolicyFile {
            name: p.uri.clone(),
            text: Ok(p.text.clone()),
        });
    }
    for (kind, files) in by_kind {
        let mut validated = validate_files(&files, kind);
        // The engine's findings were redacted as it made them; the validator's are here.
        validated.findings.iter_mut().for_each(Finding::redact);
        evaluation.findings.extend(validated.findings);
        for rule in validated.rules {
            if evaluation.rule(&rule.id).is_none() {
                let at = evaluation
                    .rules
                    .binary_search_by(|r| r.id.cmp(&rule.id))
                    .unwrap_or_else(|i| i);
                evaluation.rules.insert(at, rule);
            }
        }
        evaluation.notices.extend(validated.notices);
    }
    evaluation.findings.sort_by(|a, b| {
        (&a.location, &*a.rule_id, &a.resource).cmp(&(&b.location, &*b.rule_id, &b.resource))
    });

    evaluation.notices.extend(model.notices.iter().cloned());
    for (message, location) in &inputs.errors {
        evaluation.notices.push(Notice {
            level: NoticeLevel::Error,
            message: message.clone(),
            location: location.clone(),
        });
    }
    evaluation.notices.sort();
    evaluation.notices.dedup();
    // A category of its own in code scanning, apart from live scans' uploads.
    evaluation.ruleset.name = format!("check/{}", evaluation.ruleset.name);
    evaluation.subject = Subject {
        taken_at: None,
        source: SnapshotSource {
            kind: SnapshotSourceKind::Iac,
            description: format!(
                "{} infrastructure-code file{}",
                inputs.files,
                if inputs.files == 1 { "" } else { "s" }
            ),
            regions: None,
        },
    };
    // Templates and policy files may hold credentials (a hard-coded password): none
    // leaves in a message, notice or evidence (each finding was redacted as it was made).
    evaluation.redact_all_but_findings();
    (evaluation, profile)
}

/// Failing and unknown findings a suppression names become `waived`, with its reason.
fn apply_suppressions(findings: &mut [Finding], model: &IacModel) {
    for f in findings {
        if !matches!(f.status, Status::Fail | Status::Unknown) {
            continue;
        }
        let Some(s) = model
            .suppressions
            .iter()
            .find(|s| s.arn == f.resource && *s.rule_id == *f.rule_id)
        else {
            continue;
        };
        f.status = Status::Waived;
        f.waiver = Some(Box::new(AppliedWaiver {
            reason: s.reason.clone(),
            approver: format!(
                "suppressed in source at {}:{}:{}",
                s.location.uri, s.location.line, s.location.column
            ),
            expires: None,
            resource: f.resource.clone(),
            in_source: true,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(text: &str) -> PolicyType {
        CheckedPolicy {
            uri: "p.json".to_owned(),
            text: text.to_owned(),
            tree: rampart_iac::json::parse_json(text).unwrap(),
        }
        .kind()
    }

    #[test]
    fn a_policy_naming_a_principal_is_a_resource_policy() {
        // A single statement object, a list, `NotPrincipal`: the parser's reading.
        let single = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}"#;
        let listed = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]}"#;
        let identity = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        assert_eq!(kind_of(single), PolicyType::Resource);
        assert_eq!(kind_of(listed), PolicyType::Resource);
        assert_eq!(kind_of(identity), PolicyType::Identity);
    }

    #[test]
    fn a_policy_the_parser_rejects_keeps_the_kind_its_author_meant() {
        // `Effect: Permit` is invalid; the `Principal` still says "resource policy", so the
        // validator reports the error against that kind.
        let invalid = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        assert_eq!(kind_of(invalid), PolicyType::Resource);
        assert_eq!(kind_of(r#"{"Version":"2012-10-17"}"#), PolicyType::Identity);
    }
}
