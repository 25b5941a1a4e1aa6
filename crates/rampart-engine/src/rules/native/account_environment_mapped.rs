//! `account-environment-mapped`: every active account belongs to a known environment.

use super::NativeRule;
use crate::model::{Account, AccountStatus, Read, ResourceRef, ResourceType, Service};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

const DOC: &str = r#"## What it checks

For every active account, whether rampart can tell which environment it belongs to
(`prod`, `preprod`, `dev`, …): either from the account's environment tag (the ruleset's
`parameters.environments.tag`, with `tag_values` normalizing synonyms) or from the
ruleset's OU path mapping (`parameters.environments.ou`, the longest matching path
wins). An account that neither gives an environment fails. Suspended and closing accounts
are not assessed.

## Why it matters

The AWS whitepaper "Organizing Your AWS Environment Using Multiple Accounts" groups
workload accounts into OUs by environment (for example `Workloads/Prod` and
`Workloads/Test`) so that guardrails can differ between production and non-production,
and the AWS Security Reference Architecture applies controls per OU. Every environment
rule of rampart (encryption by default in pre-production and production, tenancy
separation, promotion paths) depends on knowing an account's environment: an unmapped
account silently escapes all of them.

## How to fix

Move the account into the OU that matches its environment, add an OU path to
`[[parameters.environments.ou]]` in the ruleset, or tag the account with the environment
tag (`aws organizations tag-resource --resource-id ACCOUNT_ID --tags
Key=Environment,Value=prod`).

## Example

Failing: account `555555555555` sits in OU `Workloads/Experiments`, which no OU mapping
of the ruleset names, and has no `Environment` tag.

Passing: the same account moved to `Workloads/Prod` (mapped to `prod`), or tagged
`Environment=production` (normalized to `prod`).
"#;

/// The rule `account-environment-mapped`.
pub struct AccountEnvironmentMapped;

impl NativeRule for AccountEnvironmentMapped {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "account-environment-mapped".to_owned(),
            title: "Every active account maps to an environment".to_owned(),
            area: Area::Governance,
            severity: Severity::Medium,
            remediation: "Place the account in an OU that the ruleset maps to an environment \
                (`[[parameters.environments.ou]]`), add a mapping for its OU, or tag the \
                account with the environment tag."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::Account],
            reads: vec![Read::Service(Service::Organizations)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        if account.status != AccountStatus::Active {
            return;
        }
        let resource = ResourceKey::of(ResourceRef::of(account));
        let Some(facts) = cx.facts.account(&account.id) else {
            out.push(Outcome::unknown(
                resource,
                format!("no facts were derived for account `{}`", account.id),
            ));
            return;
        };
        let ou_path = if facts.ou_path.is_empty() {
            "the root".to_owned()
        } else {
            format!("OU path `{}`", facts.ou_path)
        };
        let tag_key = cx.facts.parameters().environments.tag.as_deref();
        let tag_value = tag_key.and_then(|k| account.tags.get(k));
        out.push(match (&facts.environment, tag_key, tag_value) {
            (Some(env), Some(key), Some(value)) => Outcome::pass(
                resource,
                format!("account is in environment `{env}` (tag `{key}` = `{value}`)"),
            ),
            (Some(env), _, _) => Outcome::pass(
                resource,
                format!("account is in environment `{env}` (mapped from {ou_path})"),
            ),
            (None, Some(key), _) => Outcome::fail(
                resource,
                format!(
                    "account in {ou_path} has no environment: no OU mapping of the ruleset \
                     matches and the account has no `{key}` tag"
                ),
            ),
            (None, None, _) => Outcome::fail(
                resource,
                format!(
                    "account in {ou_path} has no environment: no OU mapping of the ruleset \
                     matches and the ruleset names no environment tag"
                ),
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    fn one(account: Account) -> Outcome {
        let mut out = evaluate(&AccountEnvironmentMapped, &snapshot(vec![account]));
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].resource.resource_type, ResourceType::Account);
        out.remove(0)
    }

    #[test]
    fn unmapped_account_fails_naming_its_ou_path() {
        assert_outcome(
            &one(account("555555555555", None)),
            Status::Fail,
            &[
                "OU path `Workloads`",
                "no OU mapping",
                "no `Environment` tag",
            ],
        );
    }

    #[test]
    fn account_directly_under_the_root_says_so() {
        let mut a = account("555555555555", None);
        a.parent_id = "r-root".to_owned();
        assert_outcome(
            &one(a),
            Status::Fail,
            &["account in the root has no environment"],
        );
    }

    #[test]
    fn tagged_account_passes_with_the_normalized_environment() {
        assert_outcome(
            &one(account("222222222222", Some("production"))),
            Status::Pass,
            &["environment `prod`", "tag `Environment` = `production`"],
        );
    }

    #[test]
    fn account_in_a_mapped_ou_passes() {
        let mut a = account("222222222222", None);
        a.parent_id = PROD_OU.to_owned();
        assert_outcome(
            &one(a),
            Status::Pass,
            &["environment `prod`", "OU path `Workloads/Prod`"],
        );
    }

    #[test]
    fn account_without_facts_is_unknown() {
        // Facts derived from another snapshot know nothing of the account.
        let facts = crate::facts::Facts::derive(&snapshot(Vec::new()), &parameters());
        let s = snapshot(vec![account("555555555555", None)]);
        let cx = RuleContext {
            snapshot: &s,
            facts: &facts,
            now: now(),
        };
        let mut out = Vec::new();
        AccountEnvironmentMapped.evaluate(&cx, &s.accounts[0], &mut out);
        assert_eq!(out.len(), 1);
        assert_outcome(&out[0], Status::Unknown, &["no facts", "`555555555555`"]);
    }

    #[test]
    fn suspended_accounts_are_not_assessed() {
        let mut a = account("555555555555", None);
        a.status = AccountStatus::Suspended;
        assert!(evaluate(&AccountEnvironmentMapped, &snapshot(vec![a])).is_empty());
    }
}
