use serde_json::{json, Value};

use super::*;
use crate::model::{IamRole, Snapshot};
use crate::rules::native::iam_trust_cross_account_unconditioned::tests::{role, trust};
use crate::rules::native::test_support::*;
use crate::rules::Status;

const PROD: &str = "222222222222";
const BUILD: &str = "444444444444";
const DEV: &str = "555555555555";

fn arn(account: &str, name: &str) -> Value {
    json!({"AWS": format!("arn:aws:iam::{account}:role/{name}")})
}

/// A prod account with these roles, a builder account, and a dev account.
fn organization(roles: Vec<IamRole>) -> Snapshot {
    let mut prod = account(PROD, Some("prod"));
    prod.iam.roles = roles;
    snapshot(vec![prod, account(BUILD, Some("builder")), account(DEV, Some("dev"))])
}

fn outcome(s: &Snapshot) -> Outcome {
    let out = evaluate(&ProdDeployedFromBuilderAccount, s);
    assert_eq!(out.len(), 1, "only prod accounts are assessed: {out:#?}");
    out[0].clone()
}

#[test]
fn a_deployment_role_the_builder_can_assume_passes() {
    let s = organization(vec![
        role(PROD, "app-admin", trust(arn(BUILD, "pipeline"), None)),
        role(PROD, "Prod-Deploy", trust(arn(BUILD, "pipeline"), None)),
    ]);
    assert_outcome(
        &outcome(&s),
        Status::Pass,
        &[
            "deployed from builder account account-444444444444 (444444444444)",
            "`arn:aws:iam::444444444444:role/pipeline` can assume deployment role `Prod-Deploy`",
        ],
    );
    // An organization path condition naming the builder's OU holds for it.
    let scoped = json!({"StringLike": {"aws:PrincipalOrgPaths": format!("{ORG_ID}/r-root/{WORKLOADS_OU}/*")}});
    let s = organization(vec![role(PROD, "deploy", trust(json!({"AWS": "*"}), Some(scoped)))]);
    assert_outcome(&outcome(&s), Status::Pass, &["any principal can assume"]);
}

#[test]
fn a_deployment_role_trusted_only_from_production_fails_naming_who() {
    let s = organization(vec![role(
        PROD,
        "prod-deploy",
        trust(arn(PROD, "jenkins"), None),
    )]);
    assert_outcome(
        &outcome(&s),
        Status::Fail,
        &[
            "no deployment role can be assumed from builder account account-444444444444",
            "`prod-deploy` can be assumed from 222222222222 (`arn:aws:iam::222222222222:role/jenkins`)",
        ],
    );
    // A condition on the caller's account that excludes the builder is evaluated.
    let only_dev = json!({"StringEquals": {"aws:PrincipalAccount": DEV}});
    let s = organization(vec![role(
        PROD,
        "prod-deploy",
        trust(json!({"AWS": "*"}), Some(only_dev)),
    )]);
    assert_outcome(
        &outcome(&s),
        Status::Fail,
        &["`prod-deploy` can be assumed from 555555555555 (any principal)"],
    );
}

#[test]
fn no_deployment_role_or_no_builder_fails() {
    let s = organization(vec![role(PROD, "app-admin", trust(arn(BUILD, "x"), None))]);
    assert_outcome(
        &outcome(&s),
        Status::Fail,
        &["no deployment role (no role name matches `deployment_roles`: `*deploy*`"],
    );
    // A builder account that is also a workload account is not dedicated.
    let mut prod = account(PROD, Some("prod"));
    prod.iam.roles = vec![role(PROD, "deploy", trust(arn(DEV, "ci"), None))];
    let s = snapshot(vec![prod, account(DEV, Some("dev"))]);
    let facts_params = {
        let mut p = parameters();
        p.builder_accounts = vec![DEV.to_owned()];
        p
    };
    let facts = crate::facts::Facts::derive(&s, &facts_params);
    let cx = RuleContext {
        snapshot: &s,
        facts: &facts,
        now: now(),
    };
    let mut out = Vec::new();
    ProdDeployedFromBuilderAccount.evaluate(&cx, &s.accounts[0], &mut out);
    assert_outcome(
        &out[0],
        Status::Fail,
        &["the organization has no dedicated builder account"],
    );
}

#[test]
fn an_unreadable_trust_is_unknown_unless_another_role_passes() {
    let broken = role(PROD, "old-deploy", json!({"Statement": "x"}));
    let s = organization(vec![broken.clone()]);
    assert_outcome(
        &outcome(&s),
        Status::Unknown,
        &["`old-deploy` (not assessable: trust policy does not parse"],
    );
    let s = organization(vec![
        broken,
        role(PROD, "new-deploy", trust(arn(BUILD, "pipeline"), None)),
    ]);
    assert_outcome(&outcome(&s), Status::Pass, &["`new-deploy`"]);
}
