//! `iam-prod-role-assumable-from-nonprod`: production roles cannot be assumed from
//! development, sandbox or (except deployment roles) builder accounts.

use super::access_probe::{self, Probe};
use super::NativeRule;
use crate::model::{Account, IamRole, Operation, Read, ResourceRef, ResourceType, Service};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};
use rampart_iam::wildcard;

/// Environments that must never reach production roles.
const NEVER: [&str; 2] = ["dev", "sandbox"];
/// The environment of pipeline accounts, which may reach deployment roles only.
const BUILDER: &str = "builder";

/// Condition keys (lowercased) of `Allow` statements that the probe's context decides:
/// they describe the calling account, not a choice of its principals.
const ACCOUNT_KEYS: [&str; 4] = [
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
];

const DOC: &str = r#"## What it checks

For every IAM role in a `prod` account (service-linked roles excepted), which other
accounts of the organization can assume it (`sts:AssumeRole`), by evaluating its trust
policy with rampart's IAM evaluator for principals of each account: a generic role of the
account and every role or user of it that the trust policy names. The role fails when an
account whose environment is `dev` or `sandbox` can assume it, or a `builder` account can
and the role is not a deployment role: its name matches none of the globs of the
ruleset's `deployment_roles` parameter (`*` any run of characters, `?` one, compared
ignoring case). The default names the roles pipelines assume: `*deploy*`, and the CDK
bootstrap roles `cdk-*-file-publishing-role-*`, `cdk-*-image-publishing-role-*` and
`cdk-*-lookup-role-*`.

The trust policy naming an account is taken as consent: the other account's own IAM
policies are assumed to allow the call. Conditions of `Allow` statements on the caller's
organization, OU path, account or ARN are evaluated; any other condition (external id,
MFA, source IP, tags) is taken as satisfiable by some principal of the account. `Deny`
statements are evaluated as written for the generic principal. An account whose
environment is not mapped and that can assume the role makes the outcome unknown. A
trust policy that does not parse is unknown.

## Why it matters

The AWS whitepaper "Organizing Your AWS Environment Using Multiple Accounts" separates
production from development and test so that "a compromise or mistake in a
non-production environment cannot affect production", with workloads promoted through
pipeline (deployment) accounts rather than by people. The AWS Well-Architected Security
Pillar (SEC01-BP01 "Separate workloads using accounts") and the AWS Deployment Pipeline
Reference Architecture give the pipeline account a narrow deployment role in each target
account and nothing more. A trust from a development or sandbox account lets anyone
with access there, where controls are looser, act in production.

## How to fix

Remove the development and sandbox accounts from the trust policy
(`aws iam update-assume-role-policy`). Let the builder account assume only the roles
that deploy, named so that `deployment_roles` matches them, and scope their trust with an
`aws:PrincipalArn` condition naming the pipeline's role. People reach production through
the organization's identity center permission sets, not from other accounts' roles.

## Example

Failing: `arn:aws:iam::111122223333:role/app-admin` in a production account trusts
`arn:aws:iam::222233334444:root`, a `dev` account.

Passing: `arn:aws:iam::111122223333:role/app-deploy` trusts only
`arn:aws:iam::333344445555:role/pipeline`, a `builder` account, and matches `*deploy*`.
"#;

/// The rule `iam-prod-role-assumable-from-nonprod`.
pub struct IamProdRoleAssumableFromNonprod;

impl NativeRule for IamProdRoleAssumableFromNonprod {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "iam-prod-role-assumable-from-nonprod".to_owned(),
            title: "Production roles cannot be assumed from development, sandbox or builder accounts, except deployment roles from builders".to_owned(),
            area: Area::Promotion,
            severity: Severity::High,
            remediation: "Remove development and sandbox accounts from the role's trust \
                policy; let builder accounts assume only deployment roles (named to match \
                the `deployment_roles` parameter)."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::IamRole],
            reads: vec![Read::Service(Service::Iam), Read::Operation(Operation::OrganizationsListAccountsForParent)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        if cx.facts.environment(&account.id) != Some("prod") {
            return;
        }
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
    let trust = access_probe::keep_allow_conditions(trust, |k| ACCOUNT_KEYS.contains(&k));
    let probe = Probe::new(
        "sts:AssumeRole",
        &role.arn,
        &role.account_id,
        &cx.snapshot.organization.management_account_id,
    );
    let deployment_globs = &cx.facts.parameters().deployment_roles;
    let deployment = deployment_globs
        .iter()
        .find(|g| wildcard::matches_ignore_case(g, &role.name));
    let partition = access_probe::partition(&role.arn);

    let mut forbidden = Vec::new();
    let mut builders = Vec::new();
    let mut unmapped = Vec::new();
    for other in &cx.snapshot.accounts {
        if other.id == role.account_id {
            continue;
        }
        let context = access_probe::organization_context(cx.snapshot, cx.facts, &other.id);
        let principals = access_probe::probe_principals(&trust, &other.id, partition);
        let Some(principal) = probe.first_allowed(&trust, &principals, &other.id, &context) else {
            continue;
        };
        let env = cx.facts.environment(&other.id);
        let entry = format!(
            "{} account {} ({})",
            env.unwrap_or("unmapped"),
            other.id,
            access_probe::who(principal)
        );
        match env {
            Some(e) if NEVER.contains(&e) => forbidden.push(entry),
            Some(BUILDER) if deployment.is_none() => forbidden.push(entry),
            Some(BUILDER) => builders.push(other.id.as_str()),
            None => unmapped.push(entry),
            Some(_) => {}
        }
    }
    if !forbidden.is_empty() {
        let builder_note =
            if deployment.is_none() && forbidden.iter().any(|f| f.starts_with(BUILDER)) {
                " (builder accounts may assume only deployment roles, matching `deployment_roles`)"
            } else {
                ""
            };
        return Outcome::fail(
            resource,
            format!(
                "production role can be assumed from {}{builder_note}",
                forbidden.join(", ")
            ),
        );
    }
    if !unmapped.is_empty() {
        return Outcome::unknown(
            resource,
            format!(
                "production role can be assumed from {}, whose environment is not mapped",
                unmapped.join(", ")
            ),
        );
    }
    match (builders.is_empty(), deployment) {
        (false, Some(glob)) => Outcome::pass(
            resource,
            format!(
                "only builder account{} {} can assume this deployment role (matches `{glob}`); \
                 no dev or sandbox account can",
                if builders.len() == 1 { "" } else { "s" },
                builders.join(", ")
            ),
        ),
        _ => Outcome::pass(
            resource,
            "no dev, sandbox or builder account can assume this production role",
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::rules::native::iam_trust_cross_account_unconditioned::tests::{role, trust};
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    const PROD: &str = "222222222222";
    const DEV: &str = "333333333333";
    const BUILD: &str = "444444444444";
    const PREPROD: &str = "555555555555";
    const LOOSE: &str = "666666666666";

    fn outcomes_for(role_name: &str, trust: Value) -> Vec<Outcome> {
        let mut prod = account(PROD, Some("prod"));
        prod.iam.roles = vec![role(PROD, role_name, trust)];
        // Dev roles are not assessed: the rule looks at production only.
        let mut dev = account(DEV, Some("dev"));
        dev.iam.roles = vec![role(DEV, "admin", json!({"Statement": []}))];
        let s = snapshot(vec![
            prod,
            dev,
            account(BUILD, Some("builder")),
            account(PREPROD, Some("preprod")),
            account(LOOSE, None),
        ]);
        evaluate(&IamProdRoleAssumableFromNonprod, &s)
    }

    fn outcome(role_name: &str, trust: Value) -> Outcome {
        let mut out = outcomes_for(role_name, trust);
        assert_eq!(out.len(), 1, "{out:#?}");
        out.remove(0)
    }

    fn root(account: &str) -> Value {
        json!({"AWS": format!("arn:aws:iam::{account}:root")})
    }

    #[test]
    fn dev_trust_fails_even_for_deployment_roles() {
        for name in ["app-admin", "app-deploy"] {
            assert_outcome(
                &outcome(name, trust(root(DEV), None)),
                Status::Fail,
                &["can be assumed from dev account 333333333333 (any principal)"],
            );
        }
        // A named dev role, with a condition the dev account's principals can meet.
        let named = json!({"AWS": format!("arn:aws:iam::{DEV}:role/ci")});
        let mfa = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
        assert_outcome(
            &outcome("app-admin", trust(named, Some(mfa))),
            Status::Fail,
            &["dev account 333333333333 (`arn:aws:iam::333333333333:role/ci`)"],
        );
    }

    #[test]
    fn builder_may_assume_deployment_roles_only() {
        assert_outcome(
            &outcome("app-admin", trust(root(BUILD), None)),
            Status::Fail,
            &["builder account 444444444444", "only deployment roles"],
        );
        assert_outcome(
            &outcome("App-Deploy", trust(root(BUILD), None)),
            Status::Pass,
            &["only builder account 444444444444", "matches `*deploy*`"],
        );
        assert_outcome(
            &outcome(
                "cdk-hnb659fds-file-publishing-role-222222222222-eu-west-1",
                trust(root(BUILD), None),
            ),
            Status::Pass,
            &["cdk-*-file-publishing-role-*"],
        );
    }

    #[test]
    fn organization_path_conditions_are_evaluated() {
        // Everyone in the organization: dev included.
        let org = json!({"StringEquals": {"aws:PrincipalOrgID": ORG_ID}});
        assert_outcome(
            &outcome("app-admin", trust(json!({"AWS": "*"}), Some(org))),
            Status::Fail,
            &["dev account 333333333333", "builder account 444444444444"],
        );
        // Only accounts under Workloads/Prod: none of the others is there.
        let prod_ou = json!({"ForAnyValue:StringLike": {
            "aws:PrincipalOrgPaths": format!("{ORG_ID}/r-root/{WORKLOADS_OU}/{PROD_OU}/*")}});
        assert_outcome(
            &outcome("app-admin", trust(json!({"AWS": "*"}), Some(prod_ou))),
            Status::Pass,
            &["no dev, sandbox or builder account"],
        );
    }

    #[test]
    fn preprod_own_account_and_services_pass() {
        for principal in [
            root(PREPROD),
            root(PROD),
            json!({"Service": "ecs-tasks.amazonaws.com"}),
        ] {
            assert_outcome(
                &outcome("app-admin", trust(principal, None)),
                Status::Pass,
                &["no dev, sandbox or builder account"],
            );
        }
    }

    #[test]
    fn unmapped_accounts_are_unknown_and_malformed_trust_too() {
        assert_outcome(
            &outcome("app-admin", trust(root(LOOSE), None)),
            Status::Unknown,
            &["unmapped account 666666666666", "not mapped"],
        );
        assert_outcome(
            &outcome("app-admin", json!({"Statement": "x"})),
            Status::Unknown,
            &["trust policy does not parse"],
        );
    }
}
