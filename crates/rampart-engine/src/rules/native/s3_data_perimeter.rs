//! `s3-data-perimeter`: no principal outside the organization can read the objects of a
//! bucket holding sensitive data.

use rampart_iam::analysis::{
    resource_representatives, ContextSpace, KeyRole, NETWORK_KEYS, PRINCIPAL_KEYS, STRANGER,
};
use rampart_iam::evaluate::{Decision, Evaluation, PolicyInputs, Principal};
use rampart_iam::{ContextValue, Policy, RequestContext};

use super::access_probe::{self, Asker, Target};
use super::s3_classified_secure_transport::bucket_context;
use super::NativeRule;
use crate::facts::iam::org_policy_chain;
use crate::model::{
    Account, KmsKey, Operation, OrgPolicyKind, Read, ResourceRef, ResourceType, S3Bucket,
};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

/// Most request contexts one question may need before the rule says unknown.
const CONTEXT_BUDGET: usize = 4096;

/// Organization reads whose gaps may hide an RCP: without it, a `fail` may be wrong.
const RCP_READS: [Operation; 3] = [
    Operation::OrganizationsListPolicies,
    Operation::OrganizationsDescribePolicy,
    Operation::OrganizationsListTargetsForPolicy,
];

const DOC: &str = r#"## What it checks

For every S3 bucket whose effective data classification is sensitive (the ruleset's
`sensitive_classifications`), whether a principal outside the organization can read its
objects. Reading an object takes two permissions, and rampart's IAM evaluator is asked
both questions:

1. `s3:GetObject` on the bucket's objects (an object name no statement mentions, and every
   object path the statements name), decided by the bucket policy and the resource
   control policies (RCPs) on the path of the bucket's account;
2. for a bucket whose default encryption is SSE-KMS with a customer managed key,
   `kms:Decrypt` with that key through S3 (`kms:ViaService` = `s3.REGION.amazonaws.com`,
   `kms:CallerAccount` = the caller's account), decided by the key policy and the RCPs of
   the key's account. Objects under SSE-S3 need no key permission; under the AWS managed
   key `aws/s3` only principals of the bucket's account can decrypt.

The principals asked are: any principal of an account outside the organization (it
stands for anyone, `"Principal": "*"` and anonymous requests included), the same with an
organization of its own (`aws:PrincipalOrgID` set to another organization), and every
account outside the organization that the bucket policy names. Their own account is taken
to allow the request. Conditions are tried with every representative value the policies
compare them with; an outside principal cannot send requests from the organization's VPCs
or endpoints (`aws:SourceVpc`, `aws:SourceVpce`). SCPs do not apply to principals outside
the organization, so they play no part.

The bucket fails when one such principal can do both, and the message shows the request.
It passes when none can: the bucket policy and RCPs deny them `s3:GetObject`, or the key
policy does not let them decrypt. A bucket policy or key policy that does not parse, a key
policy that was not read, a KMS key that is not in the snapshot, or conditions too many to
analyze make the bucket unknown; so does a failure when the organization's policies were
not all read (an RCP may deny). S3 ACLs and S3 Block Public Access are not taken into
account (rampart assumes ACLs are disabled, the default for new buckets; `RestrictPublicBuckets`
is judged by `s3-classified-public-access-block`), nor are access points. Default
encryption is judged; objects written with another key are not seen.

## Why it matters

A data perimeter keeps an organization's sensitive data readable only by its own
identities ("Building a data perimeter on AWS", AWS whitepaper; AWS Security Reference
Architecture). For S3, the bucket policy and the RCPs decide who may call `GetObject`, and
for SSE-KMS the key policy decides who may decrypt what was stored; a grant to `*`
without an `aws:PrincipalOrgID` condition, or to a partner account, puts confidential
data one request away from people the organization does not control. Checking both
layers together tells an exposed bucket (readable and decryptable) from one that a
customer managed key still protects.

## How to fix

Limit the bucket policy's grants to the organization
(`"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-…"}}`) and remove outside
accounts, or attach an RCP to the OU that denies `s3:*` to principals outside the
organization (`StringNotEqualsIfExists` `aws:PrincipalOrgID`, with `aws:PrincipalIsAWSService`
excepted). Encrypt sensitive buckets with a customer managed key whose policy trusts only
the organization's accounts. When sharing with a partner is approved, waive the finding for
that bucket.

## Example

Failing: `payments-exports` (restricted, SSE-S3) allows `s3:GetObject` to
`arn:aws:iam::444455556666:root`, an account outside the organization. Passing: the same
bucket allowing `"Principal": "*"` with an `aws:PrincipalOrgID` condition, or allowing the
partner account while its SSE-KMS key's policy does not.
"#;

/// The rule `s3-data-perimeter`.
pub struct S3DataPerimeter;

/// This file's rule, for the registry (`NATIVE_RULES`, generated by `build.rs`).
pub(crate) const RULE: &dyn NativeRule = &S3DataPerimeter;

impl NativeRule for S3DataPerimeter {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "s3-data-perimeter".to_owned(),
            title: "No principal outside the organization can read sensitive S3 data".to_owned(),
            area: Area::DataClassification,
            severity: Severity::Critical,
            remediation: "Limit the bucket policy to the organization (`aws:PrincipalOrgID`), \
                remove outside accounts, or deny outsiders with an RCP; encrypt with a \
                customer managed key that only the organization can use."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::S3Bucket],
            reads: vec![
                Read::Operation(Operation::S3GetBucketPolicy),
                Read::Operation(Operation::S3GetBucketEncryption),
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
                let resource = ResourceKey::of(ResourceRef::of(bucket));
                out.push(match assess(cx, bucket) {
                    Ok(Verdict::Closed(why)) => Outcome::pass(
                        resource,
                        format!("no principal outside the organization can read the objects ({level}): {why}"),
                    ),
                    Ok(Verdict::Open(how)) => match rcp_gap(cx) {
                        Some(reason) => Outcome::unknown(
                            resource,
                            format!("{how}, unless an RCP that was not read denies it ({reason})"),
                        ),
                        None => Outcome::fail(resource, format!("{how} ({level} bucket)")),
                    },
                    Err(e) => Outcome::unknown(resource, e),
                }
.with("classification", &level)
.with_evidence(access_probe::document_evidence("policy", bucket.policy.as_ref())));
            }
        }
    }
}

/// What the two questions concluded.
enum Verdict {
    /// Nobody outside can read, and why.
    Closed(String),
    /// Someone outside can read, and how.
    Open(String),
}

/// How a bucket's objects are encrypted, for the second question.
enum Encryption<'s> {
    /// SSE-S3 (or no default encryption): reading needs no key permission.
    None,
    /// The AWS managed key `aws/s3`: only the bucket's account can use it.
    AwsManaged,
    /// A customer managed key of the snapshot.
    Key(&'s KmsKey),
}

fn assess(cx: &RuleContext<'_>, bucket: &S3Bucket) -> Result<Verdict, String> {
    let Some(document) = &bucket.policy else {
        return Ok(Verdict::Closed(
            "the bucket has no bucket policy, so no other account is granted access".to_owned(),
        ));
    };
    let policy = access_probe::policy("bucket policy", document)?;
    let rcps = org_policy_chain(
        cx.snapshot,
        cx.facts,
        &bucket.account_id,
        OrgPolicyKind::ResourceControlPolicy,
    )
    .map_err(|e| format!("not assessable: {e}"))?;
    let askers = askers(cx, bucket, policy);

    // Question 1: who outside can call `s3:GetObject`.
    let mut documents: Vec<&Policy> = vec![policy];
    documents.extend(rcps.iter().flatten().flatten());
    let space = ContextSpace::new(&documents, bucket_context(cx, bucket), role);
    let contexts = space.contexts(CONTEXT_BUDGET).map_err(|e| {
        format!("not assessable: the policies' conditions are too many to analyze ({e})")
    })?;
    let objects = resource_representatives(&documents, &format!("{}/", bucket.arn));
    let requests: Vec<(&str, String)> = objects.into_iter().map(|o| ("s3:GetObject", o)).collect();
    let identity = [access_probe::allow_everything()];
    let inputs = PolicyInputs {
        identity: &identity,
        resource: Some(policy),
        rcp_chain: rcps.as_deref(),
        ..PolicyInputs::default()
    };
    let target = Target {
        account: &bucket.account_id,
        management_account: &cx.snapshot.organization.management_account_id,
        aws_managed_key: false,
    };
    let allowed = |e: &Evaluation| e.decision == Decision::Allow;
    let readers: Vec<(&Asker, String)> = askers
        .iter()
        .filter_map(|asker| {
            let one = std::slice::from_ref(asker);
            access_probe::find_request(&inputs, one, &requests, &contexts, target, allowed).map(
                |w| {
                    let object = if w.resource.ends_with(STRANGER) {
                        "its objects".to_owned()
                    } else {
                        format!("`{}`", w.resource)
                    };
                    let how = format!(
                        "{} can call `s3:GetObject` on {object}{}",
                        asker.label,
                        access_probe::describe_context(&w.context, space.free_keys())
                    );
                    (asker, how)
                },
            )
        })
        .collect();
    let Some((_, first)) = readers.first() else {
        return Ok(Verdict::Closed(
            "the bucket policy and RCPs allow them no `s3:GetObject`".to_owned(),
        ));
    };

    // Question 2: can those readers decrypt what they read.
    let key = match encryption(cx, bucket)? {
        Encryption::None => {
            return Ok(Verdict::Open(format!(
                "{first}, and the objects need no key permission (SSE-S3)"
            )))
        }
        Encryption::AwsManaged => {
            return Ok(Verdict::Closed(format!(
                "{first}, but the objects are encrypted with the AWS managed key `aws/s3`, \
                 which only the bucket's account can use"
            )))
        }
        Encryption::Key(key) => key,
    };
    let key_policy = access_probe::key_policy(key).map_err(|o| o.message)?;
    let key_rcps = org_policy_chain(
        cx.snapshot,
        cx.facts,
        &key.account_id,
        OrgPolicyKind::ResourceControlPolicy,
    )
    .map_err(|e| format!("not assessable: {e}"))?;
    let mut key_documents: Vec<&Policy> = vec![key_policy];
    key_documents.extend(key_rcps.iter().flatten().flatten());
    let via = format!("s3.{}.amazonaws.com", bucket.region);
    // The encryption context (`aws:s3:arn`) stays free: the object read decides it.
    let base = RequestContext::new().with("kms:ViaService", &via);
    let key_role = |k: &str| {
        if k == "kms:viaservice" {
            KeyRole::Fixed
        } else {
            role(k)
        }
    };
    let (key_space, key_contexts) = {
        let space = ContextSpace::new(&key_documents, base, key_role);
        let contexts = space.contexts(CONTEXT_BUDGET).map_err(|e| {
            format!("not assessable: the key policy's conditions are too many to analyze ({e})")
        })?;
        (space, contexts)
    };
    let key_inputs = PolicyInputs {
        identity: &identity,
        resource: Some(key_policy),
        rcp_chain: key_rcps.as_deref(),
        ..PolicyInputs::default()
    };
    let key_target = Target::key(cx.snapshot, key);
    let decrypt = [("kms:Decrypt", key.arn.clone())];
    for (asker, how) in &readers {
        let mut caller = (*asker).clone();
        caller.context.insert(
            "kms:CallerAccount",
            ContextValue::Single(asker.principal.account.clone()),
        );
        let one = std::slice::from_ref(&caller);
        if let Some(w) = access_probe::find_request(
            &key_inputs,
            one,
            &decrypt,
            &key_contexts,
            key_target,
            access_probe::allowed_by_resource_policy,
        ) {
            return Ok(Verdict::Open(format!(
                "{how}, and can decrypt with key `{}` through S3{}",
                key.arn,
                access_probe::describe_context(&w.context, key_space.free_keys())
            )));
        }
    }
    Ok(Verdict::Closed(format!(
        "{first}, but the policy of key `{}` (SSE-KMS) does not let them decrypt",
        key.arn
    )))
}

/// Which keys a question fixes: the principal's (each asker brings them) and the
/// bucket's; an outside principal cannot send requests from the organization's networks.
fn role(key: &str) -> KeyRole {
    if PRINCIPAL_KEYS.contains(&key) || key.starts_with("aws:resource") || key == "s3:resourceaccount"
    {
        KeyRole::Fixed
    } else if NETWORK_KEYS.contains(&key) {
        KeyRole::Foreign
    } else {
        KeyRole::Free
    }
}

/// Principals outside the organization: any (with no organization, and with one of their
/// own), and those of every outside account the bucket policy names.
fn askers(cx: &RuleContext<'_>, bucket: &S3Bucket, policy: &Policy) -> Vec<Asker> {
    let org = access_probe::organization_accounts(cx.facts);
    let partition = access_probe::partition(&bucket.arn);
    let outsider = access_probe::outsider_account(cx.facts).to_owned();
    let principal = |arn: String, account: &str| Principal {
        arn,
        account: account.to_owned(),
        ..Principal::default()
    };
    let probe = format!("arn:{partition}:iam::{outsider}:role/rampart-probe");
    let mut out = vec![
        Asker {
            principal: principal(probe.clone(), &outsider),
            context: RequestContext::new(),
            label: "any principal outside the organization".to_owned(),
        },
        Asker {
            principal: principal(probe, &outsider),
            context: RequestContext::new().with("aws:PrincipalOrgID", STRANGER),
            label: "any principal of another organization".to_owned(),
        },
    ];
    for account in access_probe::named_accounts(policy) {
        if org.contains(account.as_str()) {
            continue;
        }
        for arn in access_probe::probe_principals(policy, &account, partition) {
            let label = match access_probe::who(&arn).as_str() {
                "any principal" => format!("any principal of outside account {account}"),
                named => named.to_owned(),
            };
            if !out.iter().any(|a| a.principal.arn == arn) {
                out.push(Asker {
                    principal: principal(arn, &account),
                    context: RequestContext::new(),
                    label,
                });
            }
        }
    }
    out
}

/// How the bucket's objects are encrypted by default, with the key resolved in the
/// snapshot (a bare key id or alias names a key of the bucket's account and region).
fn encryption<'s>(cx: &RuleContext<'s>, bucket: &S3Bucket) -> Result<Encryption<'s>, String> {
    let Some(e) = &bucket.encryption else {
        return Err("the bucket's default encryption was not read".to_owned());
    };
    if !e.sse_algorithm.starts_with("aws:kms") {
        return Ok(Encryption::None);
    }
    let Some(reference) = e.kms_key_arn.as_deref() else {
        return Ok(Encryption::AwsManaged);
    };
    let partition = access_probe::partition(&bucket.arn);
    let arn = if reference.starts_with("arn:") {
        reference.to_owned()
    } else if reference.starts_with("alias/") {
        format!("arn:{partition}:kms:{}:{}:{reference}", bucket.region, bucket.account_id)
    } else {
        format!("arn:{partition}:kms:{}:{}:key/{reference}", bucket.region, bucket.account_id)
    };
    if arn.ends_with(":alias/aws/s3") {
        return Ok(Encryption::AwsManaged);
    }
    let key = cx
        .snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.kms_keys)
        .find(|k| {
            k.arn == arn
                || arn.split_once(":alias/").is_some_and(|(prefix, alias)| {
                    k.arn.starts_with(&format!("{prefix}:key/"))
                        && k.aliases.iter().any(|a| a.strip_prefix("alias/") == Some(alias))
                })
        });
    match key {
        Some(k) if k.key_manager == "AWS" => Ok(Encryption::AwsManaged),
        Some(k) => Ok(Encryption::Key(k)),
        None => Err(format!(
            "the bucket's KMS key `{reference}` is not in the snapshot: who can decrypt is not known"
        )),
    }
}

/// Why the organization's policies may be incomplete: the reason of a gap hiding them.
fn rcp_gap<'s>(cx: &RuleContext<'s>) -> Option<&'s str> {
    cx.snapshot
        .coverage
        .iter()
        .find(|g| {
            g.service == crate::model::Service::Organizations
                && g.resource.is_none()
                && g.operation.is_none_or(|op| RCP_READS.contains(&op))
        })
        .map(|g| g.reason.as_str())
}
