//! `iam-user-long-lived-keys`: IAM users in workload accounts hold no active access keys.

use super::access_probe::count;
use super::NativeRule;
use crate::model::{AccessKey, Account, IamUser, Read, ResourceRef, ResourceType, Service};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

const DOC: &str = r#"## What it checks

For every IAM user in an account whose environment is one of the ruleset's
`workload_environments` (default `prod`, `preprod`, `dev`, `sandbox`), whether the user
has an access key with status `Active`. Each active key fails the user, with its id, its
creation date, its age at evaluation time and when it was last used. A user whose keys
are all inactive, or who has none, passes. Accounts of other environments (security,
infrastructure, builder) are not assessed; in an account whose environment is not
mapped, a user with an active key is unknown.

## Why it matters

The IAM User Guide ("Security best practices in IAM") says to "require human users to use
federation with an identity provider to access AWS using temporary credentials" and to
"require workloads to use temporary credentials with IAM roles". Long-lived access keys
do not expire, are copied into laptops, CI variables and code, and are the most common
source of leaked AWS credentials; the CIS AWS Foundations Benchmark (1.12–1.14) asks that
unused keys be removed and the rest rotated. In workload accounts, applications run with
roles (instance profiles, task roles, IRSA) and people through IAM Identity Center, so an
IAM user's key is never needed there.

## How to fix

Find what uses the key (`aws iam get-access-key-last-used --access-key-id ID`, CloudTrail
events for the key), move it to a role (an instance profile, an ECS task role, IAM Roles
Anywhere for workloads outside AWS, OIDC federation for CI), then deactivate and delete
the key (`aws iam update-access-key --status Inactive`, `aws iam delete-access-key`). An
SCP denying `iam:CreateAccessKey` in workload OUs keeps new ones from appearing.

## Example

Failing: user `ci-deployer` in a `prod` account has key `AKIAIOSFODNN7EXAMPLE`, `Active`,
created 2024-03-01 (457 days old).

Passing: the key was deactivated (`Inactive`), or the user has no access key.
"#;

/// The rule `iam-user-long-lived-keys`.
pub struct IamUserLongLivedKeys;

impl NativeRule for IamUserLongLivedKeys {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "iam-user-long-lived-keys".to_owned(),
            title: "IAM users in workload accounts have no active access keys".to_owned(),
            area: Area::IamFoundation,
            severity: Severity::Medium,
            remediation: "Move whatever uses the key to an IAM role (instance profile, task \
                role, OIDC federation, IAM Roles Anywhere), then deactivate and delete the \
                access key."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::IamUser],
            reads: vec![Read::Service(Service::Iam)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        let environment = cx.facts.environment(&account.id);
        let workload = match environment {
            Some(env) => cx
                .facts
                .parameters()
                .workload_environments
                .iter()
                .any(|w| w == env),
            None => false,
        };
        if environment.is_some() && !workload {
            return;
        }
        for user in &account.iam.users {
            out.push(assess(cx, user, environment));
        }
    }
}

fn is_active(key: &AccessKey) -> bool {
    key.status.eq_ignore_ascii_case("Active")
}

fn assess(cx: &RuleContext<'_>, user: &IamUser, environment: Option<&str>) -> Outcome {
    let resource = ResourceKey::of(ResourceRef::of(user));
    let active: Vec<&AccessKey> = user.access_keys.iter().filter(|k| is_active(k)).collect();
    if active.is_empty() {
        let inactive = user.access_keys.len();
        return Outcome::pass(
            resource,
            if inactive == 0 {
                "the user has no access key".to_owned()
            } else {
                format!("the user has no active access key ({} inactive)", inactive)
            },
        );
    }
    let keys: Vec<String> = active
        .iter()
        .map(|k| {
            let age = (cx.now - k.created_at).num_days().max(0);
            let used = match k.last_used_at {
                Some(t) => format!("last used {}", t.format("%Y-%m-%d")),
                None => "never used".to_owned(),
            };
            format!(
                "`{}` created {} ({}, {used})",
                k.id,
                k.created_at.format("%Y-%m-%d"),
                count(usize::try_from(age).unwrap_or(usize::MAX), "day") + " old"
            )
        })
        .collect();
    let subject = format!(
        "active long-lived access key{} {}",
        if keys.len() == 1 { "" } else { "s" },
        keys.join(", ")
    );
    match environment {
        Some(env) => Outcome::fail(
            resource,
            format!("IAM user in a `{env}` account has {subject}"),
        ),
        None => Outcome::unknown(
            resource,
            format!(
                "IAM user has {subject}, but the account's environment is not mapped, so it \
                 is not known to be a workload account"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};

    use super::*;
    use crate::model::Tags;
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    const ACCOUNT: &str = "222222222222";

    fn key(id: &str, status: &str, days_old: i64) -> AccessKey {
        AccessKey {
            id: id.to_owned(),
            status: status.to_owned(),
            created_at: now() - Duration::days(days_old),
            last_used_at: None,
        }
    }

    fn user(name: &str, keys: Vec<AccessKey>) -> IamUser {
        IamUser {
            arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
            account_id: ACCOUNT.to_owned(),
            region: "global".to_owned(),
            tags: Tags::new(),
            source: api("iam:GetAccountAuthorizationDetails"),
            name: name.to_owned(),
            access_keys: keys,
            console_access: false,
            mfa_enabled: false,
            inline_policies: Default::default(),
            attached_policy_arns: Vec::new(),
            permissions_boundary_arn: None,
        }
    }

    fn outcomes(env: Option<&str>, users: Vec<IamUser>) -> Vec<Outcome> {
        let mut a = account(ACCOUNT, env);
        a.iam.users = users;
        evaluate(&IamUserLongLivedKeys, &snapshot(vec![a]))
    }

    #[test]
    fn active_keys_in_workload_accounts_fail() {
        let mut used = key("AKIAUSED", "Active", 10);
        used.last_used_at = Some(now() - Duration::days(1));
        let out = outcomes(
            Some("prod"),
            vec![user(
                "ci",
                vec![
                    key("AKIAOLD", "Active", 400),
                    key("AKIAGONE", "Inactive", 900),
                    used,
                ],
            )],
        );
        assert_eq!(out.len(), 1);
        assert_outcome(
            &out[0],
            Status::Fail,
            &[
                "IAM user in a `prod` account has active long-lived access keys",
                "`AKIAOLD` created 2024-04-27 (400 days old, never used)",
                "`AKIAUSED` created 2025-05-22 (10 days old, last used 2025-05-31)",
            ],
        );
        assert!(!out[0].message.contains("AKIAGONE"));
        for env in ["dev", "sandbox", "preprod", "production"] {
            let out = outcomes(Some(env), vec![user("u", vec![key("AKIA1", "active", 1)])]);
            assert_outcome(&out[0], Status::Fail, &["(1 day old, never used)"]);
        }
    }

    #[test]
    fn users_without_active_keys_pass() {
        let out = outcomes(
            Some("dev"),
            vec![
                user("a", vec![]),
                user("b", vec![key("AKIAX", "Inactive", 3)]),
            ],
        );
        assert_outcome(&out[0], Status::Pass, &["no access key"]);
        assert_outcome(
            &out[1],
            Status::Pass,
            &["no active access key (1 inactive)"],
        );
    }

    #[test]
    fn other_environments_are_not_assessed_and_unmapped_ones_are_unknown() {
        let keyed = || vec![user("u", vec![key("AKIA1", "Active", 1)])];
        assert!(outcomes(Some("security"), keyed()).is_empty());
        assert!(outcomes(Some("builder"), keyed()).is_empty());
        let out = outcomes(None, keyed());
        assert_outcome(&out[0], Status::Unknown, &["environment is not mapped"]);
        let out = outcomes(None, vec![user("u", vec![])]);
        assert_outcome(&out[0], Status::Pass, &[]);
    }

    #[test]
    fn keys_created_after_now_are_zero_days_old() {
        let mut k = key("AKIAF", "Active", 0);
        k.created_at = Utc::now().max(now()) + Duration::days(5);
        let out = outcomes(Some("prod"), vec![user("u", vec![k])]);
        assert_outcome(&out[0], Status::Fail, &["(0 days old"]);
    }
}
