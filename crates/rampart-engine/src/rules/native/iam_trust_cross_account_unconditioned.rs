//! `iam-trust-cross-account-unconditioned`: no role can be assumed from outside the
//! organization without an external id or an organization condition.

use super::access_probe::{self, Probe};
use super::NativeRule;
use crate::model::{Account, IamRole, Operation, Read, ResourceRef, ResourceType, Service};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};
use rampart_iam::RequestContext;

/// Condition keys (lowercased) that make a cross-account trust acceptable.
const SCOPING_KEYS: [&str; 3] = [
    "sts:externalid",
    "aws:principalorgid",
    "aws:principalorgpaths",
];

const DOC: &str = r#"## What it checks

For every IAM role (service-linked roles excepted), whether its trust policy lets a
principal outside the organization call `sts:AssumeRole` without a condition on
`sts:ExternalId`, `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths`. "Outside the
organization" is an account that is neither the role's own nor an account of the
snapshot's organization (its accounts and its management account).

The trust policy is evaluated with rampart's IAM evaluator for each account it names
(account ids, root ARNs, role and user ARNs) and for a principal of an arbitrary outside
account, which catches `"Principal": "*"` and `NotPrincipal`; the caller's own account is
taken to allow the call. Only the three conditions above count: any other condition of an
`Allow` statement (source IP, MFA, principal ARN, tags) is taken as satisfiable, while
`Deny` statements are evaluated as written. A trust policy that lets anyone assume the
role is reported with "critical" in the message. A trust policy that does not parse is
unknown. Resource control policies are not taken into account.

## Why it matters

The IAM User Guide ("Access to AWS accounts owned by third parties" and "The confused
deputy problem") says to require an external id, unique per customer, in the trust
policy of any role a third party assumes, so that the third party cannot be tricked into
using your role for another customer. "Security best practices in IAM" says to verify
public and cross-account access with IAM Access Analyzer, which reports roles trusted
outside the zone of trust (the organization). A role that any AWS account can assume
exposes every permission it has to the internet; the AWS Security Reference Architecture
uses `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` to keep trust within the
organization.

## How to fix

For a third party, add `"Condition": {"StringEquals": {"sts:ExternalId": "<id the
third party gave you>"}}` to the statement that trusts its account. For your own
principals, move the account into the organization or add an `aws:PrincipalOrgID`
condition. Replace `"Principal": "*"` with the accounts or roles that need the role. Apply
it with `aws iam update-assume-role-policy`.

## Example

Failing: a role trusting a vendor's account with no external id.

```json
{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
  "Action": "sts:AssumeRole"}]}
```

Passing: the same trust with the external id the vendor issued.

```json
{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
  "Action": "sts:AssumeRole",
  "Condition": {"StringEquals": {"sts:ExternalId": "7f3c1e0a-example"}}}]}
```
"#;

/// The rule `iam-trust-cross-account-unconditioned`.
pub struct IamTrustCrossAccountUnconditioned;

impl NativeRule for IamTrustCrossAccountUnconditioned {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "iam-trust-cross-account-unconditioned".to_owned(),
            title: "Roles cannot be assumed from outside the organization without an external id or organization condition".to_owned(),
            area: Area::IamWorkloads,
            severity: Severity::High,
            remediation: "Add an `sts:ExternalId` condition to statements trusting third-party \
                accounts, or an `aws:PrincipalOrgID` condition, and replace `\"Principal\": \
                \"*\"` with the principals that need the role."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::IamRole],
            reads: vec![Read::Service(Service::Iam), Read::Operation(Operation::OrganizationsListAccountsForParent)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        out.extend(
            account
                .iam
                .roles
                .iter()
                .filter(|r| !r.service_linked)
                .map(|r| assess(cx, r)),
        );
    }
}

fn assess(cx: &RuleContext<'_>, role: &IamRole) -> Outcome {
    let resource = ResourceKey::of(ResourceRef::of(role));
    let trust = match access_probe::policy("trust policy", &role.trust_policy) {
        Ok(p) => p,
        Err(e) => return Outcome::unknown(resource, e),
    };
    let org = access_probe::organization_accounts(cx.snapshot);
    let probe = Probe::new(
        "sts:AssumeRole",
        &role.arn,
        &role.account_id,
        &cx.snapshot.organization.management_account_id,
    );
    let unconditioned = access_probe::keep_allow_conditions(trust, |k| SCOPING_KEYS.contains(&k));
    let partition = access_probe::partition(&role.arn);
    let none = RequestContext::new();

    let outsider = access_probe::outsider_account(&org);
    let anyone = access_probe::probe_principals(&unconditioned, &outsider, partition);
    if probe.allows(&unconditioned, &anyone[0], &outsider, &none) {
        return Outcome::fail(
            resource,
            "critical: any AWS principal in any account can assume the role: its trust \
             policy allows `sts:AssumeRole` to `*` without an `sts:ExternalId`, \
             `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` condition",
        );
    }

    let external: Vec<String> = access_probe::named_accounts(trust)
        .into_iter()
        .filter(|a| a != &role.account_id && !org.contains(a.as_str()))
        .collect();
    let mut open = Vec::new();
    for account in &external {
        let principals = access_probe::probe_principals(&unconditioned, account, partition);
        if let Some(p) = probe.first_allowed(&unconditioned, &principals, account, &none) {
            open.push(format!("account {account} ({})", access_probe::who(p)));
        }
    }
    if !open.is_empty() {
        return Outcome::fail(
            resource,
            format!(
                "trust policy allows `sts:AssumeRole` from outside the organization without \
                 an `sts:ExternalId`, `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` \
                 condition: {}",
                open.join(", ")
            ),
        );
    }
    if external.is_empty() {
        Outcome::pass(
            resource,
            "the trust policy names no account outside the organization",
        )
    } else {
        Outcome::pass(
            resource,
            format!(
                "the trust policy names {} outside the organization ({}), none of which can \
                 assume the role without an `sts:ExternalId` or organization condition",
                access_probe::count(external.len(), "account"),
                external.join(", ")
            ),
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::model::Tags;
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    pub(crate) const OWN: &str = "222222222222";
    const SIBLING: &str = "333333333333";
    const VENDOR: &str = "444455556666";

    /// A role of `account` with this trust policy.
    pub(crate) fn role(account: &str, name: &str, trust: Value) -> IamRole {
        IamRole {
            arn: format!("arn:aws:iam::{account}:role/{name}"),
            account_id: account.to_owned(),
            region: "global".to_owned(),
            tags: Tags::new(),
            source: api("iam:GetAccountAuthorizationDetails"),
            name: name.to_owned(),
            path: "/".to_owned(),
            trust_policy: trust.into(),
            inline_policies: Default::default(),
            attached_policy_arns: Vec::new(),
            permissions_boundary_arn: None,
            service_linked: false,
        }
    }

    pub(crate) fn trust(principal: Value, condition: Option<Value>) -> Value {
        let mut s = json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
        if let Some(c) = condition {
            s["Condition"] = c;
        }
        json!({"Version": "2012-10-17", "Statement": [s]})
    }

    fn outcome(trust: Value) -> Outcome {
        let mut a = account(OWN, Some("prod"));
        a.iam.roles = vec![role(OWN, "r", trust)];
        let sibling = account(SIBLING, Some("dev"));
        let mut out = evaluate(
            &IamTrustCrossAccountUnconditioned,
            &snapshot(vec![a, sibling]),
        );
        assert_eq!(out.len(), 1, "{out:#?}");
        out.remove(0)
    }

    #[test]
    fn vendor_without_external_id_fails() {
        for principal in [
            json!({"AWS": format!("arn:aws:iam::{VENDOR}:root")}),
            json!({"AWS": VENDOR}),
            json!({"AWS": [format!("arn:aws:iam::{SIBLING}:root"), format!("arn:aws:iam::{VENDOR}:role/sync")]}),
        ] {
            assert_outcome(
                &outcome(trust(principal, None)),
                Status::Fail,
                &["from outside the organization", "account 444455556666 ("],
            );
        }
        // A condition that is not a scoping condition does not help.
        let mfa = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
        assert_outcome(
            &outcome(trust(json!({"AWS": VENDOR}), Some(mfa))),
            Status::Fail,
            &["condition: account 444455556666 (any principal)"],
        );
    }

    #[test]
    fn anyone_is_critical() {
        for principal in [json!("*"), json!({"AWS": "*"})] {
            assert_outcome(
                &outcome(trust(principal, None)),
                Status::Fail,
                &["critical: any AWS principal"],
            );
        }
        let account_only = json!({"StringEquals": {"aws:PrincipalAccount": VENDOR}});
        assert_outcome(
            &outcome(trust(json!("*"), Some(account_only))),
            Status::Fail,
            &["critical"],
        );
    }

    #[test]
    fn external_id_and_organization_conditions_pass() {
        for condition in [
            json!({"StringEquals": {"sts:ExternalId": "abc"}}),
            json!({"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}),
            json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-test/r-root/*"}}),
        ] {
            assert_outcome(
                &outcome(trust(json!({"AWS": VENDOR}), Some(condition.clone()))),
                Status::Pass,
                &["names 1 account outside the organization (444455556666)"],
            );
            assert_outcome(
                &outcome(trust(json!("*"), Some(condition))),
                Status::Pass,
                &[],
            );
        }
    }

    #[test]
    fn own_and_organization_accounts_and_services_pass() {
        for principal in [
            json!({"AWS": format!("arn:aws:iam::{OWN}:root")}),
            json!({"AWS": format!("arn:aws:iam::{SIBLING}:role/deployer")}),
            json!({"AWS": MGMT}),
            json!({"Service": "ec2.amazonaws.com"}),
        ] {
            assert_outcome(
                &outcome(trust(principal, None)),
                Status::Pass,
                &["names no account outside the organization"],
            );
        }
    }

    #[test]
    fn a_deny_on_the_vendor_passes() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:*"},
            {"Effect": "Deny", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"}
        ]});
        assert_outcome(
            &outcome(doc),
            Status::Pass,
            &["none of which can assume the role"],
        );
    }

    #[test]
    fn malformed_trust_is_unknown_and_service_linked_roles_are_skipped() {
        assert_outcome(
            &outcome(json!({"Statement": [{"Effect": "Permit", "Action": "sts:AssumeRole"}]})),
            Status::Unknown,
            &["trust policy does not parse"],
        );
        let mut a = account(OWN, Some("prod"));
        let mut slr = role(OWN, "AWSServiceRoleForSupport", trust(json!("*"), None));
        slr.service_linked = true;
        a.iam.roles = vec![slr];
        assert!(evaluate(&IamTrustCrossAccountUnconditioned, &snapshot(vec![a])).is_empty());
    }
}
