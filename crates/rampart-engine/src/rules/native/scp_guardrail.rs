//! The shared judgement of the guardrail SCP rules (`scp-deny-leave-organization`,
//! `scp-protect-audit-logging`, `scp-protect-security-services`, `scp-deny-root-user`):
//! an account's SCP chain, evaluated by the IAM evaluator, must refuse a set of actions in
//! every region workloads may use and in `us-east-1`, where global services are called.

use super::scp_guardrail_parity::{unread_policies, Unlimited};
use crate::facts::iam::{org_policy_chain, org_policy_ids, org_statement_path};
use crate::model::{Account, AccountStatus, Operation, OrgPolicyKind, Read, ResourceRef};
use crate::rules::{Evidence, Outcome, ResourceKey, RuleContext};
use rampart_iam::evaluate::Decision;

/// Always tried: global services (IAM, Organizations) are called in `us-east-1`.
const HOME_REGION: &str = "us-east-1";

/// What the guardrail rules read: the organization's SCPs and where they are attached.
pub(super) fn reads() -> Vec<Read> {
    [
        Operation::OrganizationsListPolicies,
        Operation::OrganizationsDescribePolicy,
        Operation::OrganizationsListTargetsForPolicy,
    ]
    .into_iter()
    .map(Read::Operation)
    .collect()
}

/// Who a guardrail is tried for.
#[derive(Debug, Clone, Copy)]
pub(super) enum Caller {
    /// A role of the account whose own policies allow everything (its administrator).
    Administrator,
    /// The account's root user.
    RootUser,
}

/// The outcome for `account`: fails naming each action (and region) its SCP chain lets
/// `caller` perform; `what` names the guardrail in messages. The management account, which
/// SCPs never restrict, and accounts that are not active get no outcome.
pub(super) fn judge(
    cx: &RuleContext<'_>,
    account: &Account,
    actions: &[&str],
    caller: Caller,
    what: &str,
    out: &mut Vec<Outcome>,
) {
    if account.status != AccountStatus::Active
        || account.id == cx.snapshot.organization.management_account_id
    {
        return;
    }
    let resource = ResourceKey::of(ResourceRef::of(account));
    if let Some(unknown) = unread_policies(cx.snapshot, &resource) {
        out.push(unknown);
        return;
    }
    let chain = match org_policy_chain(
        cx.snapshot,
        cx.facts,
        &account.id,
        OrgPolicyKind::ServiceControlPolicy,
    ) {
        Ok(chain) => chain,
        Err(e) => {
            out.push(
                Outcome::unknown(resource, format!("not assessable: {e}"))
                    .with("scp.parse_error", &e.to_string()),
            );
            return;
        }
    };
    let mut regions = cx.facts.parameters().workload_regions();
    if !regions.iter().any(|r| r == HOME_REGION) {
        regions.insert(0, HOME_REGION.to_owned());
    }
    let principal = match caller {
        Caller::Administrator => format!("arn:aws:iam::{}:role/rampart-probe", account.id),
        Caller::RootUser => format!("arn:aws:iam::{}:root", account.id),
    };
    let unlimited = Unlimited::new();
    let ids = org_policy_ids(
        cx.snapshot,
        cx.facts,
        &account.id,
        OrgPolicyKind::ServiceControlPolicy,
    );
    let mut open: Vec<String> = Vec::new();
    let mut evidence = Vec::new();
    for action in actions {
        let mut let_through: Vec<&str> = Vec::new();
        for r in &regions {
            let answer = unlimited.explain_as(
                cx.snapshot,
                account,
                &principal,
                chain.as_deref(),
                action,
                r,
            );
            if answer.decision == Decision::Allow {
                let_through.push(r);
            }
            // The statement that decided, in the home region (the others say the same
            // unless a region condition differs, which the message then names).
            if r == HOME_REGION || answer.decision == Decision::Allow {
                let deny = answer.matched.iter().find(|m| m.effect == "Deny");
                let path = format!("request[{action} in {r}]");
                evidence.push(match deny {
                    Some(m) => Evidence::new(
                        path,
                        serde_json::to_string(&org_statement_path(&ids, "scp", m))
                            .unwrap_or_default(),
                    ),
                    None => Evidence::of(path, &answer.decision),
                });
            }
        }
        if let_through.len() == regions.len() {
            open.push(format!("`{action}`"));
        } else if !let_through.is_empty() {
            open.push(format!("`{action}` in {}", let_through.join(", ")));
        }
    }
    let who = match caller {
        Caller::Administrator => "an administrator of the account",
        Caller::RootUser => "the account's root user",
    };
    let outcome = if open.is_empty() {
        Outcome::pass(
            resource,
            format!(
                "the account's SCP chain {what}: refuses {} to {who} in {}",
                actions.join(", "),
                regions.join(", ")
            ),
        )
    } else {
        let cause = if chain.is_none() {
            "the organization has no SCP"
        } else {
            "no SCP on the account's path denies"
        };
        Outcome::fail(resource, format!("{cause} {who} {}", open.join(", ")))
    };
    out.push(
        outcome
            .with("scp.policies_in_chain", &ids)
            .with_evidence(evidence),
    );
}
