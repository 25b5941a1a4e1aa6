//! IAM: roles and users with their inline and attached policies, access keys and console
//! passwords, and customer managed policies.

use std::collections::BTreeMap;

use super::{policy_document, str_at, Mapped, Resolved};
use crate::model::{
    AccessKey, IamRole, IamUser, ManagedPolicy, Operation, PolicyDocument, GLOBAL_REGION,
};

const OP: Operation = Operation::IamGetAccountAuthorizationDetails;

/// Maps `t` if it is one of this module's types.
pub(super) fn map(m: &mut Mapped<'_, '_, '_>, t: &str) -> bool {
    match t {
        "aws_iam_role" => role(m),
        "aws_iam_user" => user(m),
        "aws_iam_policy" => policy(m),
        _ => false,
    }
}

/// Inline policies of the principal: its `inline_policy` blocks and the `*_policy`
/// resources naming it in `key`.
fn inline_policies(
    m: &mut Mapped<'_, '_, '_>,
    resource_type: &str,
    key: &str,
) -> BTreeMap<String, PolicyDocument> {
    let mut out = BTreeMap::new();
    for p in m.ctx.attached(resource_type, key, m.r) {
        let name = str_at(&p.values, "name").unwrap_or(&p.name).to_owned();
        match str_at(&p.values, "policy").and_then(policy_document) {
            Some(doc) => {
                out.insert(name, doc);
            }
            None => m.gap(GLOBAL_REGION, OP, "policy", p),
        }
    }
    for item in super::blocks(m.values(), "inline_policy") {
        if let (Some(n), Some(doc)) = (
            str_at(item, "name"),
            str_at(item, "policy").and_then(policy_document),
        ) {
            out.insert(n.to_owned(), doc);
        }
    }
    out
}

/// Managed policies attached to the principal: `*_policy_attachment` resources naming it
/// in `key`, `aws_iam_policy_attachment` listing it in `list_key`, and the role's own
/// `managed_policy_arns`. A policy of the plan whose document is known only after apply
/// makes the principal's permissions unknown too.
fn attached_policies(
    m: &mut Mapped<'_, '_, '_>,
    resource_type: &str,
    key: &str,
    list_key: &str,
) -> Vec<String> {
    let mut arns = Vec::new();
    let mut attachments = m.ctx.attached(resource_type, key, m.r);
    attachments.extend(
        m.ctx
            .attached_in_list("aws_iam_policy_attachment", list_key, m.r),
    );
    for a in attachments {
        match m.ctx.resolve(a, &["policy_arn"]) {
            Resolved::Known(arn) => arns.push(arn),
            Resolved::Unknown => m.gap(GLOBAL_REGION, OP, "policy_arn", a),
            Resolved::Absent => {}
        }
    }
    let (own, unknown) = m.ctx.resolve_list(m.r, "managed_policy_arns");
    if unknown {
        m.gap(GLOBAL_REGION, OP, "managed_policy_arns", m.r);
    }
    arns.extend(own);
    arns.sort();
    arns.dedup();
    for arn in &arns {
        let undecided = m.ctx.of_type("aws_iam_policy").iter().find(|p| {
            m.ctx.identity(p).is_some_and(|i| i.arn == *arn)
                && str_at(&p.values, "policy").is_none()
        });
        if let Some(p) = undecided {
            m.gap(GLOBAL_REGION, OP, "policy", p);
        }
    }
    arns
}

fn boundary(m: &mut Mapped<'_, '_, '_>) -> Option<String> {
    m.reference("permissions_boundary", GLOBAL_REGION, OP)
}

fn role(m: &mut Mapped<'_, '_, '_>) -> bool {
    let trust_policy = match str_at(m.values(), "assume_role_policy").and_then(policy_document) {
        Some(doc) => doc,
        None => {
            m.gap(GLOBAL_REGION, OP, "assume_role_policy", m.r);
            PolicyDocument::new(serde_json::json!({"Version": "2012-10-17", "Statement": []}))
        }
    };
    let inline_policies = inline_policies(m, "aws_iam_role_policy", "role");
    let attached_policy_arns =
        attached_policies(m, "aws_iam_role_policy_attachment", "role", "roles");
    let role = IamRole {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region: GLOBAL_REGION.to_owned(),
        tags: m.tags(),
        source: m.source(),
        name: m.id.name.clone(),
        path: str_at(m.values(), "path").unwrap_or("/").to_owned(),
        trust_policy,
        inline_policies,
        attached_policy_arns,
        permissions_boundary_arn: boundary(m),
        service_linked: false,
    };
    m.sink.account(m.target).iam.roles.push(role);
    true
}

fn user(m: &mut Mapped<'_, '_, '_>) -> bool {
    let inline_policies = inline_policies(m, "aws_iam_user_policy", "user");
    let attached_policy_arns =
        attached_policies(m, "aws_iam_user_policy_attachment", "user", "users");
    let now = m.sink.snapshot.taken_at;
    let access_keys = m
        .ctx
        .attached("aws_iam_access_key", "user", m.r)
        .iter()
        .map(|k| AccessKey {
            id: str_at(&k.values, "id")
                .map(str::to_owned)
                .unwrap_or_else(|| format!("AKIA{}", k.name.to_uppercase())),
            status: str_at(&k.values, "status").unwrap_or("Active").to_owned(),
            // A key the plan creates is new.
            created_at: now,
            last_used_at: None,
        })
        .collect();
    let console_access = !m
        .ctx
        .attached("aws_iam_user_login_profile", "user", m.r)
        .is_empty();
    let user = IamUser {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region: GLOBAL_REGION.to_owned(),
        tags: m.tags(),
        source: m.source(),
        name: m.id.name.clone(),
        access_keys,
        console_access,
        mfa_enabled: false,
        inline_policies,
        attached_policy_arns,
        permissions_boundary_arn: boundary(m),
    };
    m.sink.account(m.target).iam.users.push(user);
    true
}

fn policy(m: &mut Mapped<'_, '_, '_>) -> bool {
    let document = match str_at(m.values(), "policy").and_then(policy_document) {
        Some(doc) => doc,
        None => {
            m.gap(GLOBAL_REGION, OP, "policy", m.r);
            PolicyDocument::new(serde_json::json!({"Version": "2012-10-17", "Statement": []}))
        }
    };
    let policy = ManagedPolicy {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region: GLOBAL_REGION.to_owned(),
        tags: m.tags(),
        source: m.source(),
        name: m.id.name.clone(),
        aws_managed: false,
        document,
    };
    m.sink.account(m.target).iam.managed_policies.push(policy);
    true
}
