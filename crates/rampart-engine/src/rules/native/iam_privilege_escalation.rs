//! `iam-privilege-escalation`: IAM roles and users that can raise their own privileges.

use super::NativeRule;
use crate::facts::iam::{
    role_policies, user_policies, ActionSelector, EffectivePermissions, PermissionsAnalysis,
    PrincipalPolicies,
};
use crate::model::{Account, Read, ResourceRef, Service};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};
use rampart_iam::catalog::ActionCatalog;
use rampart_iam::{Effect, StringSet};

/// Known escalation paths: each is a set of actions that together let a principal obtain
/// permissions it does not have (after Rhino Security Labs' published IAM escalation
/// methods, and the AWS IAM User Guide's warnings on `iam:PassRole` and policy versions).
const PATHS: &[(&str, &[&str])] = &[
    (
        "create a new default version of a managed policy",
        &["iam:CreatePolicyVersion"],
    ),
    (
        "switch a managed policy to an older, broader version",
        &["iam:SetDefaultPolicyVersion"],
    ),
    (
        "attach any managed policy to a user",
        &["iam:AttachUserPolicy"],
    ),
    (
        "attach any managed policy to a group",
        &["iam:AttachGroupPolicy"],
    ),
    (
        "attach any managed policy to a role",
        &["iam:AttachRolePolicy"],
    ),
    ("write an inline policy on a user", &["iam:PutUserPolicy"]),
    ("write an inline policy on a group", &["iam:PutGroupPolicy"]),
    ("write an inline policy on a role", &["iam:PutRolePolicy"]),
    (
        "add a user to a more privileged group",
        &["iam:AddUserToGroup"],
    ),
    (
        "create access keys for another user",
        &["iam:CreateAccessKey"],
    ),
    (
        "create a console password for another user",
        &["iam:CreateLoginProfile"],
    ),
    (
        "change another user's console password",
        &["iam:UpdateLoginProfile"],
    ),
    (
        "rewrite a role's trust policy and assume it",
        &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
    ),
    (
        "remove or replace its own permissions boundary",
        &["iam:DeleteRolePermissionsBoundary"],
    ),
    (
        "replace a role's permissions boundary",
        &["iam:PutRolePermissionsBoundary"],
    ),
    (
        "pass a privileged role to a new EC2 instance",
        &["iam:PassRole", "ec2:RunInstances"],
    ),
    (
        "pass a privileged role to a new Lambda function and invoke it",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
    ),
    (
        "replace the code of an existing Lambda function",
        &["lambda:UpdateFunctionCode"],
    ),
    (
        "pass a privileged role to a CloudFormation stack",
        &["iam:PassRole", "cloudformation:CreateStack"],
    ),
    (
        "pass a privileged role to a Glue development endpoint",
        &["iam:PassRole", "glue:CreateDevEndpoint"],
    ),
    (
        "pass a privileged role to an ECS task",
        &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
    ),
    (
        "pass a privileged role to a Data Pipeline",
        &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
    ),
];

const DOC: &str = r#"## What it checks

For every IAM role and user (service-linked roles excepted), whether its effective
permissions — identity policies, narrowed by its permissions boundary and the SCPs above
its account, plus what bucket and key policies of the snapshot grant it — include every
action of a known privilege-escalation path: creating or restoring policy versions;
attaching or writing policies on users, groups or roles; adding users to groups; creating
access keys or console passwords for other users; rewriting a trust policy and assuming the
role; removing a permissions boundary; or passing a role to compute it then controls (EC2,
Lambda, CloudFormation, Glue, ECS, Data Pipeline). A principal whose identity policies
grant `*` on `*` without conditions is already an administrator and passes with a note;
govern such roles with other controls. A principal whose policies were not all read (a
managed policy missing from the snapshot) is unknown.

## Why it matters

The IAM User Guide ("Security best practices in IAM", "Granting a user permissions to pass
a role to an AWS service") warns that `iam:PassRole` and policy-management actions let a
principal reach any permission a role or policy holds. Least privilege for workload and
foundation roles only holds when no role can rewrite its own permissions.

## How to fix

Remove the policy-management actions from workload roles, or scope them: restrict
`iam:PassRole` to named roles with `iam:PassedToService`, limit `iam:Attach*Policy` and
`iam:Put*Policy` with a permissions boundary condition (`iam:PermissionsBoundary`), and
deny `iam:DeleteRolePermissionsBoundary` and `iam:CreatePolicyVersion` through an SCP.

## Example

Failing: a deploy role with `{"Effect": "Allow", "Action": ["iam:PassRole",
"lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}`. Passing: the same
role with `iam:PassRole` limited to `arn:aws:iam::111122223333:role/app-runtime` and a
condition `{"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}` — the rule
still lists the path while the passed role itself could be privileged, so keep such roles
narrow.
"#;

/// The rule `iam-privilege-escalation`.
pub struct IamPrivilegeEscalation;

/// This file's rule, for the registry (`NATIVE_RULES`, generated by `build.rs`).
pub(crate) const RULE: &dyn NativeRule = &IamPrivilegeEscalation;

impl NativeRule for IamPrivilegeEscalation {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "iam-privilege-escalation".to_owned(),
            title: "IAM principals cannot escalate their own privileges".to_owned(),
            area: Area::IamWorkloads,
            severity: Severity::High,
            remediation: "Remove or scope the policy-management and iam:PassRole actions of the path; deny boundary removal and policy versioning through SCPs".to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![crate::model::ResourceType::IamRole, crate::model::ResourceType::IamUser],
            reads: vec![Read::Service(Service::Iam), Read::Service(Service::Organizations), Read::Service(Service::S3), Read::Service(Service::Kms)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        // Nothing to judge: the catalog is not read (most templates declare no principal).
        if account.iam.users.is_empty() && account.iam.roles.iter().all(|r| r.service_linked) {
            return;
        }
        let catalog = match ActionCatalog::get() {
            Ok(c) => c,
            Err(e) => {
                for r in account
                    .iam
                    .roles
                    .iter()
                    .map(ResourceRef::of)
                    .chain(account.iam.users.iter().map(ResourceRef::of))
                {
                    out.push(
                        Outcome::unknown(
                            ResourceKey::of(r),
                            format!("the action catalog is unavailable: {e}"),
                        )
                        .with("catalog.error", &e.to_string()),
                    );
                }
                return;
            }
        };
        let actions: Vec<&str> = {
            let mut all: Vec<&str> = PATHS.iter().flat_map(|(_, a)| a.iter().copied()).collect();
            all.sort_unstable();
            all.dedup();
            all
        };
        let roles = account
            .iam
            .roles
            .iter()
            .filter(|r| !r.service_linked)
            .map(|r| {
                (
                    ResourceRef::of(r),
                    role_policies(cx.snapshot, cx.facts, account, r),
                )
            });
        let users = account.iam.users.iter().map(|u| {
            (
                ResourceRef::of(u),
                user_policies(cx.snapshot, cx.facts, account, u),
            )
        });
        let analysis =
            PermissionsAnalysis::new(cx.snapshot, cx.facts, catalog, ActionSelector::Only(&actions));
        for (r, policies) in roles.chain(users) {
            let key = ResourceKey::of(r);
            let policies = match policies {
                Ok(p) => p,
                Err(e) => {
                    out.push(
                        Outcome::unknown(key, format!("not assessable: {e}"))
                            .with("policies.error", &e.0),
                    );
                    continue;
                }
            };
            if is_administrator(&policies) {
                out.push(
                    Outcome::pass(
                        key,
                        "has administrator access (`*` on `*`): escalation paths do not apply",
                    )
                    .with("identity_policies.allow_all_unconditioned", &true),
                );
                continue;
            }
            match analysis.of(&policies) {
                Err(e) => out.push(
                    Outcome::unknown(key, format!("not assessable: {e}"))
                        .with("effective_permissions.error", &e.to_string()),
                ),
                Ok(effective) => out.push(judge(key, &effective)),
            }
        }
    }
}

/// An unconditioned `Allow` of `*` on `*` in the identity policies.
fn is_administrator(p: &PrincipalPolicies) -> bool {
    p.identity.iter().flat_map(|d| &d.statements).any(|s| {
        s.effect == Effect::Allow
            && s.conditions.is_empty()
            && matches!(&s.action, StringSet::Listed(a) if a.iter().any(|x| x == "*"))
            && matches!(&s.resource, Some(StringSet::Listed(r)) if r.iter().any(|x| x == "*"))
    })
}

fn judge(key: ResourceKey, effective: &EffectivePermissions) -> Outcome {
    let granted = |action: &str| {
        effective
            .grants
            .iter()
            .any(|g| g.action.eq_ignore_ascii_case(action))
    };
    let open: Vec<String> = PATHS
        .iter()
        .filter(|(_, actions)| actions.iter().all(|a| granted(a)))
        .map(|(what, actions)| format!("{what} (`{}`)", actions.join("`, `")))
        .collect();
    let mut granted_actions: Vec<&str> = PATHS
        .iter()
        .flat_map(|(_, actions)| actions.iter().copied())
        .filter(|a| granted(a))
        .collect();
    granted_actions.sort_unstable();
    granted_actions.dedup();
    let outcome = if open.is_empty() {
        Outcome::pass(key, "no known privilege-escalation path is granted")
    } else {
        Outcome::fail(key, format!("can {}", open.join("; ")))
    };
    outcome
        .with("effective_permissions.escalation_actions_granted", &granted_actions)
        .with("facts.escalation_paths_open", &open)
}
