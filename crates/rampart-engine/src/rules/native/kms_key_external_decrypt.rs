//! `kms-key-external-decrypt`: no account outside the organization can decrypt with a
//! customer managed KMS key.

use std::collections::{BTreeSet, HashMap};

use super::access_probe::{self, Probe};
use super::NativeRule;
use crate::model::{Account, KmsKey, Operation, Read, ResourceRef, ResourceType, Service};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};
use rampart_iam::{ContextValue, Policy, RequestContext};

/// Condition keys (lowercased) of `Allow` statements that the probes decide: the calling
/// account, its place in the organization, and the service the call comes through.
const KEPT_KEYS: [&str; 6] = [
    "kms:calleraccount",
    "kms:viaservice",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
];

/// Services tried as `kms:ViaService` (`SERVICE.REGION.amazonaws.com`) when a direct call
/// is not allowed: those that most often use customer managed keys for their callers.
const VIA_SERVICES: [&str; 10] = [
    "s3",
    "ec2",
    "rds",
    "dynamodb",
    "secretsmanager",
    "ssm",
    "sqs",
    "sns",
    "lambda",
    "logs",
];

const DOC: &str = r#"## What it checks

For every enabled or disabled customer managed KMS key used for encryption
(`ENCRYPT_DECRYPT`), which accounts other than the key's own can call `kms:Decrypt` with
it, by evaluating the key policy with rampart's IAM evaluator for principals of:

- an arbitrary account outside the organization (it stands for "anyone", and catches
  `"Principal": "*"`), and every account outside the organization that the key policy
  names, in a principal or a condition value;
- every other account of the organization, with the `aws:PrincipalOrgID` and
  `aws:PrincipalOrgPaths` its principals have.

Each is tried with `kms:CallerAccount` set to the caller's account, first as a direct
call, then through a service (`kms:ViaService` = `s3.REGION.amazonaws.com`, then EC2,
RDS, DynamoDB, Secrets Manager, Systems Manager, SQS, SNS, Lambda and CloudWatch Logs).
The caller's own account is taken to allow the call. Conditions on the caller's account,
organization, OU path, ARN and on the service are evaluated; any other condition of an
`Allow` statement (encryption context, grant constraints, source IP) is taken as
satisfiable by the caller. The key fails when an account outside the organization can
decrypt, directly or through a service (which the message says); it passes otherwise,
and the message lists the organization's accounts that can decrypt and how. A key whose
policy was not read or does not parse is unknown. AWS managed keys and signing or MAC
keys are not assessed. Grants are not read.

## Why it matters

The AWS KMS Developer Guide ("Allowing users in other accounts to use a KMS key") says
cross-account use needs both the key policy and the other account's IAM policies, so the
key policy is where your organization decides which accounts are trusted; once it
trusts an outside account, no SCP of yours can take that back. The AWS Security
Reference Architecture and the data perimeter guidance ("Building a data perimeter on
AWS") keep keys usable only by identities of the organization (`aws:PrincipalOrgID`),
and the KMS best practices recommend `kms:ViaService` and `kms:CallerAccount` to narrow
who can use a key and how. Data encrypted under a key that outsiders can decrypt is only
as confidential as those outsiders.

## How to fix

Remove the outside account from the key policy, or, when sharing with a partner is
intended and approved, waive the finding for that key. Replace `"Principal": "*"`
grants with the organization's accounts, or keep them with an
`"aws:PrincipalOrgID"` condition and, where the key serves one service, `kms:ViaService`.
Apply it with `aws kms put-key-policy`.

## Example

Failing: the key policy allows `kms:Decrypt` to `arn:aws:iam::444455556666:root`, an
account that is not in the organization.

Passing: the key policy allows `kms:Decrypt` to `{"AWS": "*"}` with
`"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}`; the message lists the
organization's accounts that can decrypt.
"#;

/// The rule `kms-key-external-decrypt`.
pub struct KmsKeyExternalDecrypt;

impl NativeRule for KmsKeyExternalDecrypt {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "kms-key-external-decrypt".to_owned(),
            title:
                "No account outside the organization can decrypt with a customer managed KMS key"
                    .to_owned(),
            area: Area::EncryptionKeyManagement,
            severity: Severity::High,
            remediation: "Remove accounts outside the organization from the key policy, and \
                limit `\"Principal\": \"*\"` grants with an `aws:PrincipalOrgID` condition."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::KmsKey],
            reads: vec![
                Read::Service(Service::Kms),
                Read::Operation(Operation::OrganizationsListAccountsForParent),
            ],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        let mut keys = account
            .kms_keys
            .iter()
            .filter(|k| k.key_manager == "CUSTOMER" && k.key_usage == "ENCRYPT_DECRYPT")
            .peekable();
        if keys.peek().is_none() {
            return;
        }
        // The other accounts and their organization contexts, made once for all keys.
        let others: Vec<OtherAccount<'_>> = cx
            .snapshot
            .accounts
            .iter()
            .filter(|a| a.id != account.id)
            .map(|a| {
                let context = access_probe::organization_context(cx.snapshot, cx.facts, &a.id);
                OtherAccount {
                    id: &a.id,
                    class: format!("{context:?}"),
                    context,
                }
            })
            .collect();
        out.extend(keys.map(|k| assess(cx, k, &others)));
    }
}

/// Another account of the organization, with its organization context.
struct OtherAccount<'a> {
    id: &'a str,
    context: RequestContext,
    /// The context as text: accounts with equal contexts answer alike.
    class: String,
}

/// How an account can decrypt with the key.
enum Access {
    /// With a direct call, as this principal.
    Direct(String),
    /// Only through these services.
    Via(Vec<&'static str>),
}

impl Access {
    fn describe(&self) -> String {
        match self {
            Access::Direct(p) => format!("directly ({})", access_probe::who(p)),
            Access::Via(services) => {
                let names: Vec<String> = services.iter().map(|s| format!("`{s}`")).collect();
                format!("via {} (`kms:ViaService`)", names.join(", "))
            }
        }
    }
}

fn assess(cx: &RuleContext<'_>, key: &KmsKey, others: &[OtherAccount<'_>]) -> Outcome {
    let resource = ResourceKey::of(ResourceRef::of(key));
    let Some(document) = &key.policy else {
        return Outcome::unknown(resource, "the key policy was not read (`kms:GetKeyPolicy`)");
    };
    let policy = match access_probe::policy("key policy", document) {
        Ok(p) => p,
        Err(e) => return Outcome::unknown(resource, e),
    };
    let org = access_probe::organization_accounts(cx.snapshot);
    let policy = access_probe::keep_allow_conditions(policy, |k| KEPT_KEYS.contains(&k));
    let probe = Probe::new(
        "kms:Decrypt",
        &key.arn,
        &key.account_id,
        &cx.snapshot.organization.management_account_id,
    );
    let decrypt = |account: &str, base: RequestContext| access(&probe, &policy, key, account, base);

    // Outside the organization: anyone, then the accounts the policy names.
    let anyone = access_probe::outsider_account(&org);
    let mut outside: Vec<String> = Vec::new();
    if let Some(a) = decrypt(&anyone, RequestContext::new()) {
        outside.push(format!("any AWS account, {}", a.describe()));
    }
    let named: BTreeSet<String> = access_probe::named_accounts(&policy)
        .into_iter()
        .filter(|a| a != &key.account_id && !org.contains(a.as_str()))
        .collect();
    if outside.is_empty() {
        for account in &named {
            if let Some(a) = decrypt(account, RequestContext::new()) {
                outside.push(format!("{account} {}", a.describe()));
            }
        }
    }

    // Accounts grouped by how they can decrypt, in the order first seen. An account the
    // policy never mentions is probed only through the generic principal, so its answer
    // depends only on its organization context: one evaluation serves every such account
    // with the same context (organizations have hundreds of accounts, snapshots thousands
    // of keys).
    let partition = access_probe::partition(&key.arn);
    let mut by_context: HashMap<&str, Option<String>> = HashMap::new();
    // A principal pattern with `*` as its account names every account: then no account is
    // generic. (An account no literal of the policy contains matches only such patterns.)
    let names_every_account =
        access_probe::probe_principals(&policy, "000000000000", partition).len() > 1;
    let mut inside: Vec<(String, Vec<&str>)> = Vec::new();
    for other in others {
        let generic = !names_every_account && !access_probe::mentions(&policy, other.id);
        let how = if generic {
            by_context
                .entry(other.class.as_str())
                .or_insert_with(|| decrypt(other.id, other.context.clone()).map(|a| a.describe()))
                .clone()
        } else {
            decrypt(other.id, other.context.clone()).map(|a| a.describe())
        };
        let Some(how) = how else {
            continue;
        };
        match inside.iter_mut().find(|(h, _)| *h == how) {
            Some((_, accounts)) => accounts.push(other.id),
            None => inside.push((how, vec![&other.id])),
        }
    }
    let inside = if inside.is_empty() {
        "no other account of the organization can".to_owned()
    } else {
        let groups: Vec<String> = inside
            .iter()
            .map(|(how, accounts)| format!("{} {how}", accounts.join(", ")))
            .collect();
        format!("organization accounts that can: {}", groups.join("; "))
    };

    if outside.is_empty() {
        Outcome::pass(
            resource,
            format!("no account outside the organization can decrypt with the key; {inside}"),
        )
    } else {
        Outcome::fail(
            resource,
            format!(
                "accounts outside the organization can decrypt with the key: {}; {inside}",
                outside.join(", ")
            ),
        )
    }
}

/// Whether principals of `account` can decrypt, and how.
fn access(
    probe: &Probe<'_>,
    policy: &Policy,
    key: &KmsKey,
    account: &str,
    mut context: RequestContext,
) -> Option<Access> {
    let principals =
        access_probe::probe_principals(policy, account, access_probe::partition(&key.arn));
    context.insert(
        "kms:CallerAccount",
        ContextValue::Single(account.to_owned()),
    );
    if let Some(p) = probe.first_allowed(policy, &principals, account, &context) {
        return Some(Access::Direct(p.to_owned()));
    }
    let via: Vec<&'static str> = VIA_SERVICES
        .into_iter()
        .filter(|service| {
            let mut context = context.clone();
            context.insert(
                "kms:ViaService",
                ContextValue::Single(format!("{service}.{}.amazonaws.com", key.region)),
            );
            probe
                .first_allowed(policy, &principals, account, &context)
                .is_some()
        })
        .collect();
    (!via.is_empty()).then_some(Access::Via(via))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    const OWN: &str = "222222222222";
    const SIBLING: &str = "333333333333";
    const VENDOR: &str = "444455556666";

    fn owner_statement() -> Value {
        json!({"Sid": "Owner", "Effect": "Allow",
               "Principal": {"AWS": format!("arn:aws:iam::{OWN}:root")},
               "Action": "kms:*", "Resource": "*"})
    }

    fn with(statement: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": [owner_statement(), statement]})
    }

    fn decrypt(principal: Value, condition: Option<Value>) -> Value {
        let mut s = json!({"Effect": "Allow", "Principal": principal,
                           "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"});
        if let Some(c) = condition {
            s["Condition"] = c;
        }
        with(s)
    }

    fn outcomes(key: KmsKey) -> Vec<Outcome> {
        let mut a = account(OWN, Some("prod"));
        a.kms_keys = vec![key];
        evaluate(
            &KmsKeyExternalDecrypt,
            &snapshot(vec![a, account(SIBLING, Some("dev"))]),
        )
    }

    fn outcome(policy: Option<Value>) -> Outcome {
        let mut out = outcomes(kms_key(OWN, "k1", policy));
        assert_eq!(out.len(), 1, "{out:#?}");
        out.remove(0)
    }

    #[test]
    fn outside_accounts_fail() {
        assert_outcome(
            &outcome(Some(decrypt(json!({"AWS": VENDOR}), None))),
            Status::Fail,
            &[
                "outside the organization can decrypt with the key: 444455556666 directly (any principal)",
                "no other account of the organization can",
            ],
        );
        assert_outcome(
            &outcome(Some(decrypt(json!("*"), None))),
            Status::Fail,
            &[
                "any AWS account, directly",
                "organization accounts that can: 333333333333 directly",
            ],
        );
        // A grant through a service only is still external use.
        let via = json!({"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}});
        assert_outcome(
            &outcome(Some(decrypt(json!({"AWS": VENDOR}), Some(via)))),
            Status::Fail,
            &["444455556666 via `s3` (`kms:ViaService`)"],
        );
        // An outside account named only in a condition.
        let caller = json!({"StringEquals": {"kms:CallerAccount": VENDOR}});
        assert_outcome(
            &outcome(Some(decrypt(json!({"AWS": "*"}), Some(caller)))),
            Status::Fail,
            &["444455556666 directly"],
        );
    }

    #[test]
    fn organization_only_grants_pass_and_list_the_accounts() {
        let org = json!({"StringEquals": {"aws:PrincipalOrgID": ORG_ID}});
        assert_outcome(
            &outcome(Some(decrypt(json!({"AWS": "*"}), Some(org)))),
            Status::Pass,
            &[
                "no account outside the organization",
                "333333333333 directly",
            ],
        );
        let via = json!({"StringEquals": {"kms:CallerAccount": SIBLING,
            "kms:ViaService": ["ec2.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"]}});
        assert_outcome(
            &outcome(Some(decrypt(json!({"AWS": "*"}), Some(via)))),
            Status::Pass,
            &["333333333333 via `ec2`, `rds` (`kms:ViaService`)"],
        );
        assert_outcome(
            &outcome(Some(with(json!({"Effect": "Allow",
                "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:Decrypt",
                "Resource": "*"})))),
            Status::Pass,
            &["no other account of the organization can"],
        );
    }

    #[test]
    fn a_deny_for_outsiders_passes() {
        let policy = json!({"Statement": [
            owner_statement(),
            {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}}
        ]});
        assert_outcome(
            &outcome(Some(policy)),
            Status::Pass,
            &["organization accounts that can: 333333333333 directly"],
        );
    }

    #[test]
    fn unreadable_policies_are_unknown_and_other_keys_are_skipped() {
        assert_outcome(&outcome(None), Status::Unknown, &["not read"]);
        assert_outcome(
            &outcome(Some(json!({"Statement": [{"Effect": "Allow"}]}))),
            Status::Unknown,
            &["key policy does not parse"],
        );
        let mut aws = kms_key(OWN, "aws", Some(decrypt(json!("*"), None)));
        aws.key_manager = "AWS".to_owned();
        assert!(outcomes(aws).is_empty());
        let mut signing = kms_key(OWN, "sign", Some(decrypt(json!("*"), None)));
        signing.key_usage = "SIGN_VERIFY".to_owned();
        assert!(outcomes(signing).is_empty());
    }
}
