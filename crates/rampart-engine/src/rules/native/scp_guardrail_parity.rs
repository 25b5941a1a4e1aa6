//! `scp-guardrail-parity`: the SCPs of dev and sandbox accounts deny every sensitive action
//! that production's deny.

use std::collections::BTreeSet;

use super::access_probe::{self, count};
use super::NativeRule;
use crate::facts::iam::org_policy_chain;
use crate::model::{
    Account, AccountStatus, Operation, OrgPolicyKind, Read, ResourceRef, ResourceType, Service,
    Snapshot,
};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};
use rampart_iam::evaluate::{self, Decision, PolicyInputs, Principal, Request};
use rampart_iam::{Policy, RequestContext};

/// The environments held to production's guardrails.
const NONPROD: [&str; 2] = ["dev", "sandbox"];

/// Always tried: global services (IAM, Organizations) are called in `us-east-1`.
const HOME_REGION: &str = "us-east-1";

const DOC: &str = r#"## What it checks

For every `dev` and `sandbox` account, whether its service control policies deny at least
what production's deny, for the sensitive actions of the ruleset's `parity_actions`
parameter (default: leaving the organization, stopping or deleting CloudTrail, stopping
AWS Config, deleting the GuardDuty detector, creating IAM users, scheduling KMS key
deletion, turning off EBS encryption by default).

The SCP chain of each account (the SCPs attached to the root, to each OU on its path and
to the account) is evaluated with rampart's IAM evaluator for a generic role of the
account whose own policies allow everything, for each action, on every resource, in each
region of the ruleset's `approved_regions` (all levels together) and `us-east-1`. The
account fails when, for some action and region, a `prod` account's SCPs deny the call
and its own allow it; the message names the actions, the regions and the production
account. Exemptions written for named principals (`aws:PrincipalArn` of a break-glass
role) do not apply to the generic role, in production or elsewhere.

There is no outcome when the organization has no `prod` account. An SCP that does not
parse makes the outcome unknown, as does a gap in reading the organization's policies. When the snapshot holds no SCP at all,
none applies anywhere and every account passes.

## Why it matters

The AWS Organizations User Guide ("Service control policies", "SCP examples") and the AWS
Security Reference Architecture use SCPs as preventive guardrails that even account
administrators cannot bypass: keeping the account in the organization, protecting the
audit trail and security services, forbidding long-lived IAM users. The whitepaper
"Organizing Your AWS Environment Using Multiple Accounts" relaxes controls in development
and sandbox OUs for experimentation, but not the guardrails that protect the
organization: a development account that can stop CloudTrail, leave the organization
or create IAM users is where an intruder goes first, and production-like data often ends
up there. Dev accounts should have production's access controls for these actions.

## How to fix

Attach the SCP that denies the action in production to the OU above both (for example
`Workloads`, or the root), or attach it to the development and sandbox OUs as well
(`aws organizations attach-policy --policy-id p-… --target-id ou-…`). Relax only what
experimentation needs (instance types, regions for testing), not these actions.

## Example

Failing: SCP `protect-audit` (deny `cloudtrail:StopLogging`, `cloudtrail:DeleteTrail`) is
attached to OU `Workloads/Prod` only; account `222233334444` in `Workloads/Dev` can stop
its trail.

Passing: `protect-audit` is attached to `Workloads`, above both.
"#;

/// The rule `scp-guardrail-parity`.
pub struct ScpGuardrailParity;

impl NativeRule for ScpGuardrailParity {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "scp-guardrail-parity".to_owned(),
            title: "Dev and sandbox accounts have production's SCP guardrails on sensitive actions"
                .to_owned(),
            area: Area::IamScp,
            severity: Severity::High,
            remediation: "Attach the SCPs that deny these actions in production to an OU above \
                the development and sandbox accounts as well (or to the root)."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::Account],
            reads: vec![Read::Service(Service::Organizations)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        let env = cx.facts.environment(&account.id);
        if account.status != AccountStatus::Active || !env.is_some_and(|e| NONPROD.contains(&e)) {
            return;
        }
        let prods: Vec<&Account> = cx
            .snapshot
            .accounts
            .iter()
            .filter(|a| a.status == AccountStatus::Active)
            .filter(|a| cx.facts.environment(&a.id) == Some("prod"))
            .collect();
        if prods.is_empty() {
            return;
        }
        out.push(assess(cx, account, env.unwrap_or_default(), &prods));
    }
}

/// The organization's policies could not all be read: the comparison would be guesswork.
fn policy_gap(snapshot: &Snapshot) -> Option<String> {
    let management = &snapshot.organization.management_account_id;
    snapshot
        .coverage
        .iter()
        .find(|g| {
            g.service == Service::Organizations
                && (g.account_id == "*" || &g.account_id == management)
                && g.operation.is_none_or(|op| {
                    matches!(
                        op,
                        Operation::OrganizationsListPolicies
                            | Operation::OrganizationsDescribePolicy
                            | Operation::OrganizationsListTargetsForPolicy
                    )
                })
        })
        .map(|g| g.reason.clone())
}

/// The policies of an SCP check besides the chain: the account's own policies allow
/// everything (a resource policy too, as KMS requires one), so that only SCPs can deny.
struct Unlimited {
    identity: [Policy; 1],
    resource: Policy,
}

impl Unlimited {
    fn new() -> Self {
        Unlimited {
            identity: [access_probe::allow_everything()],
            resource: access_probe::allow_everyone(),
        }
    }

    /// Whether a generic role of `account` may call `action` in `region` under `chain`.
    fn allowed(
        &self,
        snapshot: &Snapshot,
        account: &Account,
        chain: Option<&[Vec<Policy>]>,
        action: &str,
        region: &str,
    ) -> bool {
        let inputs = PolicyInputs {
            identity: &self.identity,
            resource: Some(&self.resource),
            scp_chain: chain,
            ..PolicyInputs::default()
        };
        let principal = Principal {
            arn: format!("arn:aws:iam::{}:role/rampart-probe", account.id),
            account: account.id.clone(),
            is_management_account: account.id == snapshot.organization.management_account_id,
            ..Principal::default()
        };
        let request = Request {
            action: action.to_owned(),
            resource: "*".to_owned(),
            resource_account: account.id.clone(),
            resource_in_management_account: false,
            context: RequestContext::new()
                .with("aws:RequestedRegion", region)
                .with("aws:PrincipalOrgID", &snapshot.organization.id),
        };
        evaluate::evaluate(&inputs, &principal, &request).decision == Decision::Allow
    }
}

/// One guardrail production has and this account lacks.
struct Gap<'a> {
    action: &'a str,
    prod: &'a str,
    regions: Vec<&'a str>,
}

fn assess(cx: &RuleContext<'_>, account: &Account, env: &str, prods: &[&Account]) -> Outcome {
    let resource = ResourceKey::of(ResourceRef::of(account));
    if let Some(reason) = policy_gap(cx.snapshot) {
        return Outcome::unknown(
            resource,
            format!("the organization's policies were not all read: {reason}"),
        );
    }
    let scp_chain = |id: &str| {
        org_policy_chain(
            cx.snapshot,
            cx.facts,
            id,
            OrgPolicyKind::ServiceControlPolicy,
        )
    };
    let own = match scp_chain(&account.id) {
        Ok(c) => c,
        Err(e) => return Outcome::unknown(resource, format!("SCPs of this account: {e}")),
    };
    let mut prod_chains = Vec::new();
    for prod in prods {
        match scp_chain(&prod.id) {
            Ok(c) => prod_chains.push((*prod, c)),
            Err(e) => {
                return Outcome::unknown(resource, format!("SCPs of prod account {}: {e}", prod.id))
            }
        }
    }
    let params = cx.facts.parameters();
    let regions: BTreeSet<&str> = params
        .approved_regions
        .values()
        .flatten()
        .map(String::as_str)
        .chain(std::iter::once(HOME_REGION))
        .collect();

    let unlimited = Unlimited::new();
    let allowed = |account: &Account, chain: Option<&[Vec<Policy>]>, action: &str, region: &str| {
        unlimited.allowed(cx.snapshot, account, chain, action, region)
    };
    let mut gaps: Vec<Gap<'_>> = Vec::new();
    for action in &params.parity_actions {
        for region in &regions {
            if !allowed(account, own.as_deref(), action, region) {
                continue;
            }
            let Some((prod, _)) = prod_chains
                .iter()
                .find(|(p, chain)| !allowed(p, chain.as_deref(), action, region))
            else {
                continue;
            };
            match gaps
                .iter_mut()
                .find(|g| g.action == action && g.prod == prod.id)
            {
                Some(g) => g.regions.push(region),
                None => gaps.push(Gap {
                    action,
                    prod: &prod.id,
                    regions: vec![region],
                }),
            }
        }
    }
    if gaps.is_empty() {
        return Outcome::pass(
            resource,
            format!(
                "the SCPs of this {env} account deny every parity action that production's \
                 deny ({} in {} checked against {})",
                count(params.parity_actions.len(), "action"),
                count(regions.len(), "region"),
                count(prods.len(), "prod account")
            ),
        );
    }
    let listed: Vec<String> = gaps
        .iter()
        .map(|g| {
            let regions = if g.regions.len() == regions.len() {
                "every region checked".to_owned()
            } else {
                g.regions.join(", ")
            };
            format!(
                "`{}` (denied in prod account {}; allowed here in {regions})",
                g.action, g.prod
            )
        })
        .collect();
    Outcome::fail(
        resource,
        format!(
            "guardrails weaker than production's: the SCPs of this {env} account allow {}",
            listed.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::model::{CoverageGap, OrgPolicy};
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    const PROD: &str = "222222222222";
    const DEV: &str = "333333333333";
    const SANDBOX: &str = "444444444444";
    const DEV_OU: &str = "ou-root-dev";

    fn scp(id: &str, targets: &[&str], document: Value) -> OrgPolicy {
        OrgPolicy {
            id: id.to_owned(),
            arn: format!(
                "arn:aws:organizations::{MGMT}:policy/{ORG_ID}/service_control_policy/{id}"
            ),
            name: id.to_owned(),
            kind: OrgPolicyKind::ServiceControlPolicy,
            aws_managed: false,
            document: document.into(),
            targets: targets.iter().map(|t| (*t).to_owned()).collect(),
            source: api("organizations:DescribePolicy"),
        }
    }

    fn full_access() -> Value {
        json!({"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    }

    fn deny(actions: &[&str]) -> Value {
        json!({"Version": "2012-10-17",
               "Statement": [{"Effect": "Deny", "Action": actions, "Resource": "*"}]})
    }

    /// Prod under `Workloads/Prod`, dev under `Workloads/Dev`, sandbox under `Workloads`,
    /// with full access everywhere and `extra` SCPs.
    fn organization(extra: Vec<OrgPolicy>) -> Snapshot {
        let mut prod = account(PROD, Some("prod"));
        prod.parent_id = PROD_OU.to_owned();
        let mut dev = account(DEV, Some("dev"));
        dev.parent_id = DEV_OU.to_owned();
        let sandbox = account(SANDBOX, Some("sandbox"));
        let mut s = snapshot(vec![prod, dev, sandbox]);
        let mut dev_ou = s.organization.organizational_units[1].clone();
        dev_ou.id = DEV_OU.to_owned();
        dev_ou.name = "Dev".to_owned();
        s.organization.organizational_units.push(dev_ou);
        let everywhere = ["r-root", WORKLOADS_OU, PROD_OU, DEV_OU, PROD, DEV, SANDBOX];
        s.organization.policies = vec![scp("p-full", &everywhere, full_access())];
        s.organization.policies.extend(extra);
        s
    }

    fn outcome_of(out: &[Outcome], account: &str) -> Outcome {
        let arn = format!("arn:aws:organizations::{MGMT}:account/{ORG_ID}/{account}");
        outcome_for(out, &arn).clone()
    }

    #[test]
    fn a_deny_only_in_production_fails_dev_and_sandbox() {
        let protect = deny(&["cloudtrail:StopLogging", "iam:CreateUser"]);
        let s = organization(vec![scp("p-audit", &[PROD_OU], protect)]);
        let out = evaluate(&ScpGuardrailParity, &s);
        assert_eq!(out.len(), 2, "{out:#?}");
        for account in [DEV, SANDBOX] {
            assert_outcome(
                &outcome_of(&out, account),
                Status::Fail,
                &[
                    "guardrails weaker than production's",
                    "`cloudtrail:StopLogging` (denied in prod account 222222222222; allowed here in every region checked)",
                    "`iam:CreateUser`",
                ],
            );
        }
    }

    #[test]
    fn the_same_deny_above_both_passes() {
        let protect = deny(&["cloudtrail:*", "iam:CreateUser"]);
        let s = organization(vec![scp("p-audit", &[WORKLOADS_OU], protect)]);
        let out = evaluate(&ScpGuardrailParity, &s);
        for account in [DEV, SANDBOX] {
            assert_outcome(
                &outcome_of(&out, account),
                Status::Pass,
                &["8 actions in 1 region checked against 1 prod account"],
            );
        }
    }

    #[test]
    fn region_scoped_denies_name_their_regions_and_stricter_dev_passes() {
        let regional = json!({"Statement": [{"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion",
            "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]});
        let mut s = organization(vec![
            scp("p-kms", &[PROD_OU], regional),
            scp("p-dev-extra", &[DEV_OU], deny(&["kms:ScheduleKeyDeletion"])),
        ]);
        let mut params = parameters();
        params
            .approved_regions
            .insert("restricted".to_owned(), vec!["eu-west-1".to_owned()]);
        let facts = crate::facts::Facts::derive(&s, &params);
        let cx = RuleContext {
            snapshot: &s,
            facts: &facts,
            now: now(),
        };
        let mut out = Vec::new();
        for a in &s.accounts {
            ScpGuardrailParity.evaluate(&cx, a, &mut out);
        }
        assert_outcome(
            &outcome_of(&out, SANDBOX),
            Status::Fail,
            &["allowed here in us-east-1)"],
        );
        assert_outcome(&outcome_of(&out, DEV), Status::Pass, &["in 2 regions"]);

        // Without any prod account there is nothing to compare with.
        s.accounts.retain(|a| a.id != PROD);
        assert!(evaluate(&ScpGuardrailParity, &s).is_empty());
    }

    #[test]
    fn no_scps_at_all_pass() {
        let mut s = organization(Vec::new());
        s.organization.policies.clear();
        let out = evaluate(&ScpGuardrailParity, &s);
        assert_outcome(&outcome_of(&out, DEV), Status::Pass, &[]);
    }

    #[test]
    fn malformed_scps_and_unread_policies_are_unknown() {
        let s = organization(vec![scp("p-bad", &[PROD_OU], json!({"Statement": 1}))]);
        let out = evaluate(&ScpGuardrailParity, &s);
        assert_outcome(
            &outcome_of(&out, DEV),
            Status::Unknown,
            &["SCPs of prod account 222222222222: policy `p-bad` does not parse"],
        );

        let mut s = organization(Vec::new());
        s.coverage.push(CoverageGap {
            account_id: MGMT.to_owned(),
            region: "global".to_owned(),
            service: Service::Organizations,
            reason: "AccessDenied: organizations:ListPolicies".to_owned(),
            resource: None,
            operation: Some(Operation::OrganizationsListPolicies),
        });
        let out = evaluate(&ScpGuardrailParity, &s);
        assert_outcome(
            &outcome_of(&out, SANDBOX),
            Status::Unknown,
            &["AccessDenied: organizations:ListPolicies"],
        );
    }
}
