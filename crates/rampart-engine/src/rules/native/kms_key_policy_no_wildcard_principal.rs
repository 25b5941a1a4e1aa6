//! `kms-key-policy-no-wildcard-principal`: no key policy lets a principal of any AWS
//! account use or manage the key.

use std::sync::OnceLock;

use rampart_iam::analysis::{
    action_groups, ContextSpace, KeyRole, NETWORK_KEYS, PRINCIPAL_KEYS, STRANGER,
};
use rampart_iam::catalog::ActionCatalog;
use rampart_iam::evaluate::{Decision, PolicyInputs, PolicyKind, Principal};
use rampart_iam::{ContextValue, Policy, RequestContext};

use super::access_probe::{self, Asker, Target};
use super::NativeRule;
use crate::model::{Account, KmsKey, Read, ResourceRef, ResourceType, Service};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

/// Most request contexts one key policy may need before the rule says unknown.
const CONTEXT_BUDGET: usize = 4096;

const DOC: &str = r#"## What it checks

For every KMS key, whether its key policy lets a principal of **any** AWS account (one
outside the organization that the policy does not name) perform a KMS action on the key.

The rule asks rampart's IAM evaluator rather than looking for a statement of a given
shape. It puts to the key policy, as the resource policy with the caller's own account
allowing everything, every KMS action that acts on a key (from the AWS action catalog,
grouped so that actions no statement tells apart are evaluated once), made by a principal
of an account outside the organization, with no organization or with one of its own, with
`kms:CallerAccount` and `aws:PrincipalAccount` set to that account. Every other condition
key the policy reads takes each value its conditions compare it with, an unnamed value,
or none, in every combination; the caller cannot come from the organization's VPCs or
VPC endpoints (`aws:SourceVpc`, `aws:SourceVpce`, `aws:VpcSourceIp` take no value the
policy names). The key fails when one such request is allowed by an `Allow` statement of
the key policy, and the message shows the action and the condition values that let it
through. So `"Principal": "*"`, `{"AWS": "*"}`, a `NotPrincipal` deny that spares
everyone, or a condition anyone can satisfy (`aws:PrincipalArn` like `*`, `Null` on
`aws:PrincipalOrgID`, `kms:ViaService` alone) fail alike; a grant limited by
`kms:CallerAccount`, `aws:PrincipalOrgID`, `aws:PrincipalAccount` or to named principals
passes. Grants to accounts outside the organization that the policy names are the
subject of `kms-key-external-decrypt`.

A key whose policy was not read or does not parse, or whose conditions combine into more
than 4,096 contexts, is unknown.

## Why it matters

The AWS KMS Developer Guide ("Key policies in AWS KMS" and "Security best practices for
AWS Key Management Service") says to follow least privilege in key policies and warns
that a key policy allowing actions to `"*"` lets any principal in any account use the
key, or manage it (schedule its deletion, change its policy), unless a condition narrows
it to your accounts. Because the key policy is the primary access control for a KMS key,
IAM policies and SCPs in your organization cannot narrow a grant to principals outside it.

## How to fix

Replace the open statement with statements naming the principals that administer and use
the key (the account root for IAM delegation, key administrator roles, the workload
roles), each with only the actions it needs. If the key must be reachable by many
principals of the organization, keep `"*"` only with a condition such as
`aws:PrincipalOrgID` or `kms:CallerAccount`, and `kms:ViaService` where the key serves
one service. Apply it with `aws kms put-key-policy`.

## Example

Failing:

```json
{"Statement": [{"Sid": "AllowAll", "Effect": "Allow", "Principal": {"AWS": "*"},
  "Action": "kms:*", "Resource": "*"}]}
```

Passing (the same grant limited to the organization):

```json
{"Statement": [{"Sid": "AllowOrg", "Effect": "Allow", "Principal": {"AWS": "*"},
  "Action": "kms:*", "Resource": "*",
  "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
```
"#;

/// The rule `kms-key-policy-no-wildcard-principal`.
pub struct KmsKeyPolicyNoWildcardPrincipal;

impl NativeRule for KmsKeyPolicyNoWildcardPrincipal {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "kms-key-policy-no-wildcard-principal".to_owned(),
            title: "KMS key policies do not let principals of any AWS account use the key"
                .to_owned(),
            area: Area::EncryptionKeyManagement,
            severity: Severity::Critical,
            remediation: "Replace the statement that allows KMS actions to `*` with statements \
                naming the key's administrators and users, or add a condition such as \
                `aws:PrincipalOrgID` or `kms:CallerAccount` that limits it to your \
                organization."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::KmsKey],
            reads: vec![Read::Service(Service::Kms)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        out.extend(account.kms_keys.iter().map(|k| assess(cx, k)));
    }
}

/// KMS actions that act on a key, from the catalog.
fn key_actions() -> Result<&'static [String], String> {
    static ACTIONS: OnceLock<Result<Vec<String>, String>> = OnceLock::new();
    ACTIONS
        .get_or_init(|| {
            let catalog = ActionCatalog::get().map_err(|e| e.to_string())?;
            Ok(catalog
                .expand_info("kms:*")
                .into_iter()
                .filter(|a| a.resource_types.iter().any(|r| r.name == "key"))
                .map(|a| a.name.to_owned())
                .collect())
        })
        .as_deref()
        .map_err(Clone::clone)
}

fn assess(cx: &RuleContext<'_>, key: &KmsKey) -> Outcome {
    let resource = ResourceKey::of(ResourceRef::of(key));
    let Some(document) = &key.policy else {
        return Outcome::unknown(resource, "the key policy was not read (`kms:GetKeyPolicy`)");
    };
    let policy = match access_probe::policy("key policy", document) {
        Ok(p) => p,
        Err(e) => return Outcome::unknown(resource, e),
    };
    match open_request(cx, key, policy) {
        Ok(None) => Outcome::pass(
            resource,
            "no KMS action on the key is allowed to principals of accounts outside the \
             organization that the key policy does not name",
        ),
        Ok(Some(request)) => Outcome::fail(resource, request),
        Err(e) => Outcome::unknown(resource, e),
    }
}

/// A KMS request by a principal of any account that the key policy allows, described for
/// a message; `None` when there is none.
fn open_request(
    cx: &RuleContext<'_>,
    key: &KmsKey,
    policy: &Policy,
) -> Result<Option<String>, String> {
    let actions = key_actions().map_err(|e| format!("not assessable: {e}"))?;
    let groups = action_groups(&[policy], actions.iter().map(String::as_str));
    let requests: Vec<(&str, String)> = groups
        .iter()
        .filter_map(|g| g.first())
        .map(|a| (*a, key.arn.clone()))
        .collect();

    let org = access_probe::organization_accounts(cx.snapshot);
    let outsider = access_probe::outsider_account(&org);
    let principal = Principal {
        arn: format!(
            "arn:{}:iam::{outsider}:role/rampart-probe",
            access_probe::partition(&key.arn)
        ),
        account: outsider.clone(),
        ..Principal::default()
    };
    let caller = RequestContext::new().with("kms:CallerAccount", &outsider);
    let mut in_other_org = caller.clone();
    in_other_org.insert(
        "aws:PrincipalOrgID",
        ContextValue::Single(STRANGER.to_owned()),
    );
    let askers = [
        Asker {
            principal: principal.clone(),
            context: caller,
            label: "any AWS account".to_owned(),
        },
        Asker {
            principal,
            context: in_other_org,
            label: "any AWS account in another organization".to_owned(),
        },
    ];

    let role = |key: &str| {
        if PRINCIPAL_KEYS.contains(&key) || key.starts_with("aws:resource") {
            KeyRole::Fixed
        } else if NETWORK_KEYS.contains(&key) {
            KeyRole::Foreign
        } else {
            KeyRole::Free
        }
    };
    let space = ContextSpace::new(&[policy], RequestContext::new(), role);
    let contexts = space.contexts(CONTEXT_BUDGET).map_err(|e| {
        format!("not assessable: the key policy's conditions are too many to analyze ({e})")
    })?;
    let identity = [access_probe::allow_everything()];
    let inputs = PolicyInputs {
        identity: &identity,
        resource: Some(policy),
        ..PolicyInputs::default()
    };
    let target = Target {
        account: &key.account_id,
        management_account: &cx.snapshot.organization.management_account_id,
    };
    let allowed = |e: &rampart_iam::evaluate::Evaluation| {
        e.decision == Decision::Allow
            && e.matched
                .iter()
                .any(|m| m.policy == PolicyKind::Resource && m.effect == "Allow")
    };
    let witness =
        access_probe::find_request(&inputs, &askers, &requests, &contexts, target, allowed);
    Ok(witness.map(|w| {
        // Every action the same request opens, group by group, for the message.
        let open: Vec<&str> = groups
            .iter()
            .filter(|g| {
                let one = [(g[0], key.arn.clone())];
                access_probe::find_request(
                    &inputs,
                    std::slice::from_ref(w.asker),
                    &one,
                    std::slice::from_ref(&w.context),
                    target,
                    allowed,
                )
                .is_some()
            })
            .flat_map(|g| g.iter().copied())
            .collect();
        let what = if open.len() == actions.len() {
            "every KMS action".to_owned()
        } else {
            let example = open
                .iter()
                .find(|a| **a == "kms:Decrypt")
                .unwrap_or(&w.action);
            format!(
                "{} (such as `{example}`)",
                access_probe::count(open.len(), "KMS action")
            )
        };
        let statement = w
            .evaluation
            .matched
            .iter()
            .find(|m| m.policy == PolicyKind::Resource && m.effect == "Allow")
            .map(|m| match &m.sid {
                Some(sid) if !sid.is_empty() => {
                    format!("statement {} (`Sid` `{sid}`)", m.statement + 1)
                }
                _ => format!("statement {}", m.statement + 1),
            })
            .unwrap_or_default();
        format!(
            "key policy {statement} allows {what} to principals of {}{}",
            w.asker.label,
            access_probe::describe_context(&w.context, space.free_keys())
        )
    }))
}

#[cfg(test)]
mod tests;
