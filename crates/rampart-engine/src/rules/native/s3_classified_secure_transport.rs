//! `s3-classified-secure-transport`: buckets holding sensitive data deny requests that do
//! not use TLS.

use std::sync::OnceLock;

use rampart_iam::analysis::{
    action_representatives, resource_representatives, ContextSpace, KeyRole, PRINCIPAL_KEYS,
    STRANGER,
};
use rampart_iam::catalog::ActionCatalog;
use rampart_iam::evaluate::{Decision, PolicyInputs, Principal};
use rampart_iam::{ContextValue, Effect, Policy, RequestContext};

use super::access_probe::{self, Asker, Target};
use super::NativeRule;
use crate::model::{Account, Operation, Read, ResourceRef, ResourceType, S3Bucket};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

/// Most request contexts one bucket policy may need before the rule says unknown.
const CONTEXT_BUDGET: usize = 4096;

const DOC: &str = r#"## What it checks

For every S3 bucket whose effective data classification is sensitive (the ruleset's
`sensitive_classifications`; the level comes from the bucket's tag, else its account's,
else its OUs', else the ruleset default), whether the bucket policy explicitly denies
**every** request to the bucket and its objects made over plain HTTP.

The rule asks rampart's IAM evaluator rather than looking for a statement of a given
shape. A request over plain HTTP carries `aws:SecureTransport` = `false` and no TLS
version (`s3:TlsVersion` below every version: AWS documents a `Deny` on
`s3:TlsVersion` < `1.2` as enforcing HTTPS). The rule then tries, against the policy's
`Deny` statements:

- every S3 action that acts on a bucket or an object (from the AWS action catalog,
  grouped so that actions no statement tells apart are evaluated once);
- the bucket, an object name no statement mentions, and every object path the
  statements name (so `Resource` or `NotResource` lists that leave objects out are seen);
- principals outside the organization (with and without an organization of their own),
  of the bucket's account, and every principal, account or service the policy names;
- every combination of the values the statements' conditions compare other keys with
  (a VPC endpoint, a source IP range, a tag), plus absence and an unnamed value.

The bucket fails when one such request is not denied, and the message shows it: the
action, the resource, who, and the condition values that let it through. It passes when
all are denied. A sensitive bucket without a bucket policy fails; a policy that does not
parse, or whose conditions combine into more than 4,096 contexts, is unknown. Buckets
that are not sensitive get no finding.

## Why it matters

Amazon S3 accepts requests over both HTTP and HTTPS. The Amazon S3 User Guide ("Security
best practices for Amazon S3": *Enforce encryption of data in transit*) and the AWS
Security Reference Architecture recommend a bucket policy that denies any request where
`aws:SecureTransport` is `false`, so that sensitive data never crosses a network in
clear text, whichever client or SDK setting is used. AWS Security Hub checks the same
requirement as control S3.5 ("S3 general purpose buckets should require requests to use
SSL"), and CIS AWS Foundations 3.1.1 asks for it. A deny that names another bucket, only
the bucket and not its objects, a single action, or only requests from outside a VPC
endpoint leaves data readable and writable in clear text.

## How to fix

Add this statement to the bucket policy (with `aws s3api put-bucket-policy`, or in the
bucket's IaC), keeping the existing statements:

```json
{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
 "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"],
 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
```

To also require a minimum TLS version, add a similar statement with
`"Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}`.

## Example

Failing: bucket `payroll-exports` tagged `DataClassification=confidential` with no
bucket policy; or with a `Deny` on `aws:SecureTransport` = `false` for
`arn:aws:s3:::payroll-exports` only (objects are not covered), for `s3:GetObject` only,
or with an extra condition `StringNotEquals` `aws:SourceVpce` (requests through that
endpoint are not denied).

Passing: the same bucket with the `DenyInsecureTransport` statement above, or with
`"Action": "*"` and `"Resource": "arn:aws:s3:::payroll-*"`, which cover the same
requests.
"#;

/// The rule `s3-classified-secure-transport`.
pub struct S3ClassifiedSecureTransport;

impl NativeRule for S3ClassifiedSecureTransport {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "s3-classified-secure-transport".to_owned(),
            title: "S3 buckets with sensitive data deny requests over plain HTTP".to_owned(),
            area: Area::EncryptionInTransit,
            severity: Severity::High,
            remediation: "Add a bucket policy statement that denies `s3:*` on the bucket and \
                its objects to principal `*` when `aws:SecureTransport` is `false` (condition \
                `Bool`), with no other condition."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::S3Bucket],
            reads: vec![
                Read::Operation(Operation::S3GetBucketPolicy),
                Read::Operation(Operation::S3GetBucketTagging),
                Read::Operation(Operation::OrganizationsListTagsForResource),
            ],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        for bucket in &account.storage.s3_buckets {
            let level = cx
                .facts
                .classification(&bucket.account_id, &bucket.tags)
                .level;
            if cx.facts.is_sensitive(&level) {
                out.push(assess(cx, bucket, &level));
            }
        }
    }
}

/// An S3 action of the catalog: its name, whether it acts on a bucket, on an object.
type S3Action = (String, bool, bool);

/// S3 actions from the catalog that act on a bucket or an object.
fn s3_actions() -> Result<&'static [S3Action], String> {
    static ACTIONS: OnceLock<Result<Vec<S3Action>, String>> = OnceLock::new();
    ACTIONS
        .get_or_init(|| {
            let catalog = ActionCatalog::get().map_err(|e| e.to_string())?;
            Ok(catalog
                .expand_info("s3:*")
                .into_iter()
                .filter_map(|a| {
                    let on = |ty: &str| a.resource_types.iter().any(|r| r.name == ty);
                    let (bucket, object) = (on("bucket"), on("object"));
                    (bucket || object).then(|| (a.name.to_owned(), bucket, object))
                })
                .collect())
        })
        .as_deref()
        .map_err(Clone::clone)
}

fn assess(cx: &RuleContext<'_>, bucket: &S3Bucket, level: &str) -> Outcome {
    let resource = ResourceKey::of(ResourceRef::of(bucket));
    let Some(document) = &bucket.policy else {
        return Outcome::fail(
            resource,
            format!(
                "no bucket policy: requests over plain HTTP are not denied \
                 (classification `{level}`)"
            ),
        );
    };
    let policy = match access_probe::policy("bucket policy", document) {
        Ok(p) => p,
        Err(e) => return Outcome::unknown(resource, e),
    };
    match undenied_http_request(cx, bucket, policy) {
        Ok(None) => Outcome::pass(
            resource,
            format!(
                "bucket policy denies every request to the bucket and its objects over plain \
                 HTTP ({})",
                statements_label(policy)
            ),
        ),
        Ok(Some(request)) => {
            Outcome::fail(resource, format!("{request} (classification `{level}`)"))
        }
        Err(e) => Outcome::unknown(resource, e),
    }
}

/// The `Deny` statements, which alone decide whether a request is denied.
fn denies_of(policy: &Policy) -> Policy {
    Policy {
        version: policy.version.clone(),
        id: policy.id.clone(),
        statements: policy
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Deny)
            .cloned()
            .collect(),
    }
}

/// `statement 2 (`Sid` `DenyInsecureTransport`)`, or the count of `Deny` statements.
fn statements_label(policy: &Policy) -> String {
    let denies: Vec<String> = policy
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.effect == Effect::Deny)
        .map(|(i, s)| match &s.sid {
            Some(sid) if !sid.is_empty() => format!("statement {} (`Sid` `{sid}`)", i + 1),
            _ => format!("statement {}", i + 1),
        })
        .collect();
    match denies.as_slice() {
        [one] => format!("`Deny` {one}"),
        many => format!("`Deny` {}", many.join(", ")),
    }
}

/// A request over plain HTTP to the bucket or an object that the bucket policy does not
/// deny, described for a message; `None` when every request is denied.
fn undenied_http_request(
    cx: &RuleContext<'_>,
    bucket: &S3Bucket,
    policy: &Policy,
) -> Result<Option<String>, String> {
    let denies = denies_of(policy);
    if denies.statements.is_empty() {
        return Ok(Some(
            "bucket policy has no `Deny` statement: requests over plain HTTP are not denied"
                .to_owned(),
        ));
    }
    let actions = s3_actions().map_err(|e| format!("not assessable: {e}"))?;
    let objects = resource_representatives(&[&denies], &format!("{}/", bucket.arn));
    let names = actions.iter().map(|(name, _, _)| name.as_str());
    let representatives = action_representatives(&[&denies], names);
    let mut requests: Vec<(&str, String)> = Vec::new();
    for (name, on_bucket, on_object) in actions {
        if !representatives.contains(&name.as_str()) {
            continue;
        }
        if *on_bucket {
            requests.push((name, bucket.arn.clone()));
        }
        if *on_object {
            requests.extend(objects.iter().map(|o| (name.as_str(), o.clone())));
        }
    }

    let base = http_context(cx, bucket);
    // Keys of the principal come with each asker, keys of the bucket (`aws:ResourceTag/…`,
    // its account and organization) from the model; the requester chooses the rest.
    let role = |key: &str| {
        if PRINCIPAL_KEYS.contains(&key)
            || key.starts_with("aws:resource")
            || key == "s3:resourceaccount"
        {
            KeyRole::Fixed
        } else {
            KeyRole::Free
        }
    };
    let space = ContextSpace::new(&[&denies], base, role);
    let contexts = space.contexts(CONTEXT_BUDGET).map_err(|e| {
        format!(
            "not assessable: the bucket policy's `Deny` conditions are too many to analyze ({e})"
        )
    })?;
    let askers = askers(cx, bucket, &denies);
    let identity = [access_probe::allow_everything()];
    let inputs = PolicyInputs {
        identity: &identity,
        resource: Some(&denies),
        ..PolicyInputs::default()
    };
    let target = Target {
        account: &bucket.account_id,
        management_account: &cx.snapshot.organization.management_account_id,
    };
    let witness = access_probe::find_request(&inputs, &askers, &requests, &contexts, target, |e| {
        e.decision != Decision::ExplicitDeny
    });
    Ok(witness.map(|w| {
        let what = if w.resource == bucket.arn {
            "the bucket".to_owned()
        } else if w.resource.ends_with(STRANGER) {
            "its objects".to_owned()
        } else {
            format!("`{}`", w.resource)
        };
        format!(
            "bucket policy does not deny `{}` on {what} over plain HTTP by {}{}",
            w.action,
            w.asker.label,
            access_probe::describe_context(&w.context, space.free_keys())
        )
    }))
}

/// The context of a request over plain HTTP to the bucket: what the question fixes.
fn http_context(cx: &RuleContext<'_>, bucket: &S3Bucket) -> RequestContext {
    let mut context = RequestContext::new()
        .with("aws:SecureTransport", "false")
        .with("s3:TlsVersion", "0")
        .with("s3:ResourceAccount", &bucket.account_id);
    for (k, v) in &bucket.tags {
        context.insert(
            &format!("aws:ResourceTag/{k}"),
            ContextValue::Single(v.clone()),
        );
    }
    let org = access_probe::organization_context(cx.snapshot, cx.facts, &bucket.account_id);
    for (key, resource_key) in [
        ("aws:principalorgid", "aws:ResourceOrgID"),
        ("aws:principalorgpaths", "aws:ResourceOrgPaths"),
    ] {
        if let Some(v) = org.get(key) {
            context.insert(resource_key, v.clone());
        }
    }
    context
}

/// Who to try: principals outside the organization (with no organization, and with one of
/// their own), any principal of the bucket's account, and every principal, account or
/// service the `Deny` statements name.
fn askers(cx: &RuleContext<'_>, bucket: &S3Bucket, denies: &Policy) -> Vec<Asker> {
    let org = access_probe::organization_accounts(cx.snapshot);
    let partition = access_probe::partition(&bucket.arn);
    let outsider = access_probe::outsider_account(&org);
    let probe = |account: &str| format!("arn:{partition}:iam::{account}:role/rampart-probe");
    let member = |arn: String, account: &str, label: String| Asker {
        principal: Principal {
            arn,
            account: account.to_owned(),
            is_management_account: account == cx.snapshot.organization.management_account_id,
            ..Principal::default()
        },
        context: access_probe::organization_context(cx.snapshot, cx.facts, account),
        label,
    };
    let mut out = vec![
        Asker {
            principal: Principal {
                arn: probe(&outsider),
                account: outsider.clone(),
                ..Principal::default()
            },
            context: RequestContext::new(),
            label: "any principal outside the organization".to_owned(),
        },
        Asker {
            principal: Principal {
                arn: probe(&outsider),
                account: outsider.clone(),
                ..Principal::default()
            },
            context: RequestContext::new().with("aws:PrincipalOrgID", STRANGER),
            label: "any principal of another organization".to_owned(),
        },
        member(
            probe(&bucket.account_id),
            &bucket.account_id,
            "any principal of the bucket's account".to_owned(),
        ),
    ];
    for entry in rampart_iam::analysis::named_principal_entries(&[denies]) {
        if let Some(account) = access_probe::account_of(entry) {
            for arn in access_probe::probe_principals(denies, account, partition) {
                let label = access_probe::who(&arn);
                let label = if label == "any principal" {
                    format!("any principal of account {account}")
                } else {
                    label
                };
                if !out.iter().any(|a| a.principal.arn == arn) {
                    out.push(member(arn, account, label));
                }
            }
        } else if entry.ends_with(".amazonaws.com") && !out.iter().any(|a| a.principal.arn == entry)
        {
            out.push(Asker {
                principal: Principal {
                    arn: entry.to_owned(),
                    ..Principal::default()
                },
                context: RequestContext::new(),
                label: format!("service `{entry}`"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
