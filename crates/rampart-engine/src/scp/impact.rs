//! The impact preview of `rampart scp diff --events`: which recent calls, read from
//! CloudTrail, the generated SCPs would have denied.
//!
//! The events are JSON lines (one CloudTrail record per line) or a CloudTrail log file
//! (`{"Records": […]}`). Of each record rampart reads a documented subset: `eventSource`,
//! `eventName`, `recipientAccountId`, `awsRegion`, `userIdentity` (`type`, `arn`, and
//! `sessionContext.sessionIssuer.arn` for role sessions), and, when present,
//! `resources[].ARN` and `errorCode`.
//!
//! A record carries no request parameters, so a statement that reads a condition key the
//! event does not set (`s3:x-amz-server-side-encryption`), or names resources when the
//! event names none, could go either way. Each call is therefore decided for every
//! representative value of what the event leaves open ([`rampart_iam::analysis`]):
//! `denied` when every one is denied, `may-be-denied` when some are, `allowed` when none
//! is. Calls are decided under the SCPs attached today and under the chain the plan
//! leaves (the kept SCPs and the generated ones), so a call already denied today is told
//! apart from a newly denied one.

use std::collections::{BTreeMap, BTreeSet};

use rampart_iam::analysis::{ContextSpace, KeyRole, PRINCIPAL_KEYS, STRANGER};
use rampart_iam::catalog::ActionCatalog;
use rampart_iam::evaluate::{evaluate_in_context, prepare_context, Decision, Principal, Request};
use rampart_iam::{ContextValue, Policy, RequestContext, StringSet};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::diff::{deny_statements, AttachedChains, Origin, StatementRef};
use super::org::OrgTree;
use super::verify::{Baseline, Chains};

/// How many combinations of open values one call is decided for, at most.
const BUDGET: usize = 4096;

/// A record that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct EventsError {
    /// `line N` or `line N, column C` (JSON lines), `record N` (a log file).
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// Who made a call, as far as SCPs care.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "arn")]
pub enum Caller {
    /// A principal of the account: a role, a user, or the root user.
    Principal(String),
    /// No SCP applies: why (an AWS service, a service-linked role, another account).
    Exempt(String),
}

/// One record, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudTrailEvent {
    /// `line N` or `record N`.
    pub location: String,
    /// `service:Action`, from `eventSource` and `eventName`.
    pub action: String,
    /// Who called.
    pub caller: Caller,
    /// `recipientAccountId`.
    pub account: String,
    /// `awsRegion`.
    pub region: String,
    /// The first of `resources[].ARN`, if any.
    pub resource: Option<String>,
    /// `errorCode`, if any (`AccessDenied`: the call failed already).
    pub error_code: Option<String>,
}

/// Reads JSON lines or a CloudTrail log file.
pub fn parse_events(text: &str) -> Result<Vec<CloudTrailEvent>, EventsError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        if let Ok(Value::Object(file)) = serde_json::from_str::<Value>(text) {
            if let Some(records) = file.get("Records") {
                let Value::Array(records) = records else {
                    return Err(EventsError {
                        location: "line 1".to_owned(),
                        message: "`Records` is not an array".to_owned(),
                    });
                };
                return records
                    .iter()
                    .enumerate()
                    .map(|(i, r)| read_event(r, format!("record {}", i + 1)))
                    .collect();
            }
        }
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|e| EventsError {
            location: format!("line {}, column {}", i + 1, e.column()),
            message: format!("not a JSON record: {e}"),
        })?;
        out.push(read_event(&value, format!("line {}", i + 1))?);
    }
    Ok(out)
}

fn read_event(record: &Value, location: String) -> Result<CloudTrailEvent, EventsError> {
    let field = |name: &str| -> Result<String, EventsError> {
        match record.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(_) => Err(EventsError {
                location: location.clone(),
                message: format!("`{name}` is not a non-empty string"),
            }),
            None => Err(EventsError {
                location: location.clone(),
                message: format!("`{name}` is missing"),
            }),
        }
    };
    if !record.is_object() {
        return Err(EventsError {
            location,
            message: "a record is a JSON object".to_owned(),
        });
    }
    let action = action_of(&field("eventSource")?, &field("eventName")?);
    let account = field("recipientAccountId")?;
    let region = field("awsRegion")?;
    let identity = record.get("userIdentity").ok_or_else(|| EventsError {
        location: location.clone(),
        message: "`userIdentity` is missing".to_owned(),
    })?;
    let caller = caller_of(identity).map_err(|message| EventsError {
        location: location.clone(),
        message,
    })?;
    let resource = record
        .get("resources")
        .and_then(Value::as_array)
        .and_then(|r| r.iter().find_map(|r| r.get("ARN")?.as_str()))
        .map(str::to_owned);
    let error_code = record
        .get("errorCode")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(CloudTrailEvent {
        location,
        action,
        caller,
        account,
        region,
        resource,
        error_code,
    })
}

/// CloudTrail event names that are not the IAM action the call is authorized as (the S3
/// User Guide's "Amazon S3 CloudTrail events" and the actions' reference).
const RENAMED: &[(&str, &str, &str)] = &[
    ("s3", "ListBuckets", "ListAllMyBuckets"),
    ("s3", "HeadBucket", "ListBucket"),
    ("s3", "ListObjects", "ListBucket"),
    ("s3", "ListObjectsV2", "ListBucket"),
    ("s3", "ListObjectVersions", "ListBucketVersions"),
    ("s3", "HeadObject", "GetObject"),
    ("s3", "CopyObject", "PutObject"),
    ("s3", "CreateMultipartUpload", "PutObject"),
    ("s3", "UploadPart", "PutObject"),
    ("s3", "CompleteMultipartUpload", "PutObject"),
    ("s3", "DeleteObjects", "DeleteObject"),
    ("s3", "GetBucketEncryption", "GetEncryptionConfiguration"),
    ("s3", "PutBucketEncryption", "PutEncryptionConfiguration"),
    ("s3", "DeleteBucketEncryption", "PutEncryptionConfiguration"),
];

/// `service:Action` from an event's source and name: `monitoring` is CloudWatch's
/// prefix, `email` SES's; Lambda's event names carry an API version
/// (`UpdateFunctionConfiguration20150331v2`).
fn action_of(source: &str, name: &str) -> String {
    let service = source
        .strip_suffix(".amazonaws.com")
        .unwrap_or(source)
        .rsplit('.')
        .next()
        .unwrap_or(source);
    let prefix = match service {
        "monitoring" => "cloudwatch",
        "email" => "ses",
        other => other,
    };
    if let Some((_, _, action)) = RENAMED.iter().find(|(p, n, _)| *p == prefix && *n == name) {
        return format!("{prefix}:{action}");
    }
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == 'v');
    let name = if name.len() - trimmed.len() >= 8 && trimmed.len() > 1 {
        let date = &name[trimmed.len()..];
        if date
            .get(..8)
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
        {
            trimmed
        } else {
            name
        }
    } else {
        name
    };
    format!("{prefix}:{name}")
}

/// The caller: the role of a role session (its issuer's ARN keeps the role's path), a
/// user, the root user; AWS services, service-linked roles and other accounts' callers
/// are exempt from the account's SCPs.
fn caller_of(identity: &Value) -> Result<Caller, String> {
    let kind = identity.get("type").and_then(Value::as_str).unwrap_or("");
    if matches!(kind, "AWSService" | "AWSAccount") {
        return Ok(Caller::Exempt(format!(
            "a caller of type {kind}: the account's SCPs do not apply"
        )));
    }
    let issuer = identity
        .pointer("/sessionContext/sessionIssuer/arn")
        .and_then(Value::as_str);
    let arn = match (issuer, identity.get("arn").and_then(Value::as_str)) {
        (Some(issuer), _) if issuer.contains(":role/") => issuer.to_owned(),
        (_, Some(arn)) => role_of_session(arn).unwrap_or_else(|| arn.to_owned()),
        (_, None) => return Err("`userIdentity.arn` is missing".to_owned()),
    };
    let role_name = arn.split_once(":role/").map(|(_, path)| path);
    if role_name.is_some_and(|p| {
        p.starts_with("aws-service-role/")
            || p.rsplit('/')
                .next()
                .is_some_and(|n| n.starts_with("AWSServiceRoleFor"))
    }) {
        return Ok(Caller::Exempt(
            "a service-linked role: SCPs do not apply".to_owned(),
        ));
    }
    Ok(Caller::Principal(arn))
}

/// `arn:aws:sts::A:assumed-role/R/S` → `arn:aws:iam::A:role/R` (the path is not in a
/// session's ARN).
fn role_of_session(arn: &str) -> Option<String> {
    let (head, rest) = arn.split_once(":assumed-role/")?;
    let role = rest.split('/').next()?;
    let head = head.replacen(":sts:", ":iam:", 1);
    Some(format!("{head}:role/{role}"))
}

/// What a chain decides for a call, over the values the event leaves open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Verdict {
    /// Denied whatever the open values.
    Denied {
        /// The `Deny` statements that applied (none: no SCP allows it).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        by: Vec<StatementRef>,
    },
    /// Denied for some open values, allowed for others.
    MayBeDenied {
        /// What the event leaves open that decides (condition keys, the resource).
        depends_on: Vec<String>,
        /// The statements that deny when it does.
        by: Vec<StatementRef>,
    },
    /// Allowed whatever the open values.
    Allowed,
    /// Not decided.
    Unknown {
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// Whether the call is denied for some open values.
    pub fn may_deny(&self) -> bool {
        matches!(self, Verdict::Denied { .. } | Verdict::MayBeDenied { .. })
    }
}

/// The same call, made one or more times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallImpact {
    /// Where it first appears.
    pub first: String,
    /// How many records make it.
    pub count: usize,
    /// The account.
    pub account: String,
    /// The caller.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The region.
    pub region: String,
    /// The resource, when the event names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Set when the action is not in the action catalog: only wildcard statements can
    /// match it, and it may not be an action that IAM authorizes at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Under the SCPs attached today.
    pub today: Verdict,
    /// Under the plan's SCPs.
    pub planned: Verdict,
}

/// Records no SCP applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Why.
    pub reason: String,
    /// How many records.
    pub count: usize,
}

/// The impact preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImpactReport {
    /// Records read.
    pub events: usize,
    /// Distinct calls decided.
    pub calls: usize,
    /// Calls the plan denies that today's SCPs do not (or may not) deny, and calls the
    /// plan may deny: what would break. Sorted by account, principal, action.
    pub newly_denied: Vec<CallImpact>,
    /// Calls denied today already that the plan still denies (or may deny).
    pub already_denied: usize,
    /// Calls today's SCPs deny that the plan allows (a replaced SCP denied them, or an
    /// exemption lets them through).
    pub newly_allowed: Vec<CallImpact>,
    /// Calls neither denies.
    pub unaffected: usize,
    /// Calls not decided.
    pub unknown: Vec<CallImpact>,
    /// Records no SCP applies to, by reason.
    pub skipped: Vec<Skipped>,
}

/// Decides every call of `events` under today's SCPs and the plan's.
pub fn preview(
    events: &[CloudTrailEvent],
    catalog: &ActionCatalog,
    org: &OrgTree,
    attached: &AttachedChains<'_>,
    planned: &Chains<'_>,
) -> ImpactReport {
    type Key = (String, String, String, String, Option<String>);
    let mut calls: BTreeMap<Key, (String, usize)> = BTreeMap::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for e in events {
        let principal = match &e.caller {
            Caller::Exempt(reason) => {
                *skipped.entry(reason.clone()).or_default() += 1;
                continue;
            }
            Caller::Principal(arn) => arn,
        };
        if e.account == org.management_account_id {
            *skipped
                .entry("the management account: SCPs do not apply".to_owned())
                .or_default() += 1;
            continue;
        }
        if !org.accounts.iter().any(|a| a.id == e.account) {
            *skipped
                .entry("not an active member account of the organization".to_owned())
                .or_default() += 1;
            continue;
        }
        let key = (
            e.account.clone(),
            principal.clone(),
            e.action.clone(),
            e.region.clone(),
            e.resource.clone(),
        );
        calls
            .entry(key)
            .or_insert_with(|| (e.location.clone(), 0))
            .1 += 1;
    }
    let baseline = Baseline::new();
    let decided: Vec<CallImpact> = calls
        .into_par_iter()
        .map(
            |((account, principal, action, region, resource), (first, count))| {
                let call = Call {
                    account: &account,
                    principal: &principal,
                    action: &action,
                    region: &region,
                    resource: resource.as_deref(),
                };
                let levels = org.levels(&account);
                let today = match attached.chain(&levels) {
                    Ok((chain, sources)) => call.judge(&chain, &sources, &baseline),
                    Err(reason) => Verdict::Unknown { reason },
                };
                let planned = match planned.packed_with_sources(&levels) {
                    Ok((chain, sources)) => call.judge(&chain, &sources, &baseline),
                    Err(reason) => Verdict::Unknown { reason },
                };
                let note = catalog
                    .action(&action)
                    .is_none()
                    .then(|| format!("`{action}` is not in the action catalog"));
                CallImpact {
                    first,
                    count,
                    account,
                    principal,
                    action,
                    region,
                    resource,
                    note,
                    today,
                    planned,
                }
            },
        )
        .collect();
    let mut report = ImpactReport {
        events: events.len(),
        calls: decided.len(),
        newly_denied: Vec::new(),
        already_denied: 0,
        newly_allowed: Vec::new(),
        unaffected: 0,
        unknown: Vec::new(),
        skipped: skipped
            .into_iter()
            .map(|(reason, count)| Skipped { reason, count })
            .collect(),
    };
    for c in decided {
        match (&c.today, &c.planned) {
            (_, Verdict::Unknown { .. }) | (Verdict::Unknown { .. }, _) => report.unknown.push(c),
            (Verdict::Denied { .. }, Verdict::Allowed) => report.newly_allowed.push(c),
            (Verdict::Denied { .. }, _) => report.already_denied += 1,
            (_, p) if p.may_deny() => report.newly_denied.push(c),
            _ => report.unaffected += 1,
        }
    }
    report
}

struct Call<'a> {
    account: &'a str,
    principal: &'a str,
    action: &'a str,
    region: &'a str,
    resource: Option<&'a str>,
}

impl Call<'_> {
    /// The verdict of `chain` over every representative of what the event leaves open.
    fn judge(
        &self,
        chain: &[Vec<Policy>],
        sources: &[Vec<Option<Origin<'_>>>],
        baseline: &Baseline,
    ) -> Verdict {
        // Only the statements of this action can decide it: the open values are theirs.
        let relevant = statements_for(chain, self.action);
        let policies: Vec<&Policy> = relevant.iter().collect();
        let service = self.action.split(':').next().unwrap_or("");
        let resources = match self.resource {
            Some(r) => vec![r.to_owned()],
            None => candidate_resources(&policies, service, self.region, self.account),
        };
        let principal = Principal {
            arn: self.principal.to_owned(),
            account: self.account.to_owned(),
            ..Principal::default()
        };
        let mut base = RequestContext::new();
        base.insert(
            "aws:RequestedRegion",
            ContextValue::Single(self.region.to_owned()),
        );
        let request = |resource: &str| Request {
            action: self.action.to_owned(),
            resource: resource.to_owned(),
            resource_account: self.account.to_owned(),
            resource_in_management_account: false,
            resource_is_aws_managed_key: false,
            context: base.clone(),
        };
        let space = ContextSpace::new(
            &policies,
            prepare_context(&principal, &request("*")),
            |key| {
                if PRINCIPAL_KEYS.contains(&key) {
                    KeyRole::Fixed
                } else {
                    KeyRole::Free
                }
            },
        );
        let contexts = match space.contexts(BUDGET / resources.len().max(1)) {
            Ok(c) => c,
            Err(e) => {
                return Verdict::Unknown {
                    reason: format!("the call cannot be decided: {e}"),
                }
            }
        };
        let inputs = baseline.inputs(chain, self.action);
        // The statements that denied in some evaluation, and those that denied in all.
        let mut some: BTreeSet<StatementRef> = BTreeSet::new();
        let mut every: Option<BTreeSet<StatementRef>> = None;
        // Denials per resource tried.
        let mut per_resource = Vec::with_capacity(resources.len());
        for resource in &resources {
            let request = request(resource);
            let mut denied = 0usize;
            for context in &contexts {
                let e = evaluate_in_context(&inputs, &principal, &request, context);
                if e.decision != Decision::Allow {
                    denied += 1;
                    let by: BTreeSet<StatementRef> =
                        deny_statements(&e.matched, sources).into_iter().collect();
                    some.extend(by.iter().cloned());
                    every = Some(match every {
                        Some(all) => all.intersection(&by).cloned().collect(),
                        None => by,
                    });
                }
            }
            per_resource.push(denied);
        }
        if per_resource.iter().all(|d| *d == 0) {
            Verdict::Allowed
        } else if per_resource.iter().all(|d| *d == contexts.len()) {
            Verdict::Denied {
                by: every.unwrap_or_default().into_iter().collect(),
            }
        } else {
            let mut depends_on: Vec<String> = Vec::new();
            if per_resource.iter().any(|d| *d != 0 && *d != contexts.len()) {
                depends_on.extend(space.free_keys().map(str::to_owned));
            }
            if per_resource.iter().any(|d| *d != per_resource[0]) {
                depends_on.push("the resource".to_owned());
            }
            Verdict::MayBeDenied {
                depends_on,
                by: some.into_iter().collect(),
            }
        }
    }
}

/// The documents of `chain`, each with only the statements whose `Action`/`NotAction`
/// covers `action`.
fn statements_for(chain: &[Vec<Policy>], action: &str) -> Vec<Policy> {
    let action = action.to_ascii_lowercase();
    chain
        .iter()
        .flatten()
        .map(|p| Policy {
            statements: p
                .statements
                .iter()
                .filter(|s| {
                    let listed = s.matchers.actions.iter().any(|m| m.matches(&action));
                    match s.action {
                        StringSet::Listed(_) => listed,
                        StringSet::Not(_) => !listed,
                    }
                })
                .cloned()
                .collect(),
            ..p.clone()
        })
        .filter(|p| !p.statements.is_empty())
        .collect()
}

/// Resources to try when the event names none: one no statement names, and each
/// `Resource`/`NotResource` pattern of the chain with its wildcards filled in.
fn candidate_resources(
    policies: &[&Policy],
    service: &str,
    region: &str,
    account: &str,
) -> Vec<String> {
    let mut out = vec![format!("arn:aws:{service}:{region}:{account}:{STRANGER}")];
    for s in policies.iter().flat_map(|p| &p.statements) {
        let patterns = match &s.resource {
            Some(StringSet::Listed(v) | StringSet::Not(v)) => v.as_slice(),
            None => &[],
        };
        for pattern in patterns {
            if pattern == "*" || pattern.contains("${") {
                continue;
            }
            let filled = pattern.replace(['*', '?'], "x");
            if !out.contains(&filled) {
                out.push(filled);
            }
        }
    }
    out
}
