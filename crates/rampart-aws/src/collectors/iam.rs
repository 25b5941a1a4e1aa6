//! IAM: `GetAccountAuthorizationDetails` (roles, users, groups, managed policies), the
//! password policy, identity providers, access keys and their last use, console access, MFA.

use rampart_model::{Operation, Service};
use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::types::{EntityType, ManagedPolicyDetail, PolicyDetail};
use rampart_model::{
    AccessKey, Iam, IamRole, IamUser, ManagedPolicy, OidcProvider, PasswordPolicy, PolicyDocument,
    SamlProvider, GLOBAL_REGION,
};

use crate::calls::Failure;
use crate::session::{client, Scope, Session};
use crate::util::{api, decode_policy, tags, utc};

const GAAD: Operation = Operation::IamGetAccountAuthorizationDetails;

/// A group's inline policies (name, document) and attached managed policy ARNs.
type GroupPolicies = (Vec<(String, PolicyDocument)>, Vec<String>);

/// Reads the account's IAM data. A failed `GetAccountAuthorizationDetails` is a gap on the
/// whole `iam` service; later per-entity failures are gaps on their operation and resource.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Iam {
    let iam = client!(session, aws_sdk_iam, session.home_region());
    let pages = match iam
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::LocalManagedPolicy)
        .filter(EntityType::AwsManagedPolicy)
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages,
        Err(e) => {
            scope.service_gap(Service::Iam, GAAD, &Failure::of(&e));
            return Iam::default();
        }
    };
    let account = scope.account_id;
    let mut out = Iam::default();
    let mut groups: BTreeMap<String, GroupPolicies> = BTreeMap::new();
    let mut policies: Vec<&ManagedPolicyDetail> = Vec::new();
    for page in &pages {
        for g in page.group_detail_list() {
            let name = g.group_name().unwrap_or_default().to_owned();
            let arn = g.arn().unwrap_or_default();
            let inline = inline(g.group_policy_list(), arn, scope);
            let attached = g
                .attached_managed_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_owned))
                .collect();
            groups.insert(name, (inline, attached));
        }
        policies.extend(page.policies());
    }
    for page in &pages {
        for r in page.role_detail_list() {
            let arn = r.arn().unwrap_or_default().to_owned();
            let trust_policy = match r.assume_role_policy_document().map(decode_policy) {
                Some(Ok(doc)) => doc,
                Some(Err(err)) => {
                    scope.operation_gap(
                        GAAD,
                        Some(&arn),
                        &Failure::from_code("MalformedPolicyDocument", &err),
                    );
                    continue;
                }
                None => PolicyDocument::new(
                    serde_json::json!({"Version": "2012-10-17", "Statement": []}),
                ),
            };
            let path = r.path().unwrap_or("/").to_owned();
            let mut attached: Vec<String> = r
                .attached_managed_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_owned))
                .collect();
            attached.sort();
            out.roles.push(IamRole {
                account_id: account.to_owned(),
                region: GLOBAL_REGION.to_owned(),
                tags: tags(r.tags().iter().map(|t| (t.key(), t.value()))),
                source: api(GAAD),
                name: r.role_name().unwrap_or_default().to_owned(),
                service_linked: path.starts_with("/aws-service-role/"),
                path,
                trust_policy,
                inline_policies: inline(r.role_policy_list(), &arn, scope)
                    .into_iter()
                    .collect(),
                attached_policy_arns: attached,
                permissions_boundary_arn: r
                    .permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(str::to_owned),
                arn,
            });
        }
        for u in page.user_detail_list() {
            let arn = u.arn().unwrap_or_default().to_owned();
            let mut inline_policies: BTreeMap<String, PolicyDocument> =
                inline(u.user_policy_list(), &arn, scope)
                    .into_iter()
                    .collect();
            let mut attached: BTreeSet<String> = u
                .attached_managed_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_owned))
                .collect();
            // Group policies apply to the user: folded in, named after their group.
            for group in u.group_list() {
                if let Some((group_inline, group_attached)) = groups.get(group) {
                    for (name, doc) in group_inline {
                        inline_policies.insert(format!("group/{group}/{name}"), doc.clone());
                    }
                    attached.extend(group_attached.iter().cloned());
                }
            }
            out.users.push(IamUser {
                account_id: account.to_owned(),
                region: GLOBAL_REGION.to_owned(),
                tags: tags(u.tags().iter().map(|t| (t.key(), t.value()))),
                source: api(GAAD),
                name: u.user_name().unwrap_or_default().to_owned(),
                access_keys: Vec::new(),
                console_access: false,
                mfa_enabled: false,
                inline_policies,
                attached_policy_arns: attached.into_iter().collect(),
                permissions_boundary_arn: u
                    .permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(str::to_owned),
                arn,
            });
        }
    }

    // AWS managed policies are kept only when something in the account uses them.
    let used: BTreeSet<&str> = out
        .roles
        .iter()
        .flat_map(|r| {
            r.attached_policy_arns
                .iter()
                .chain(&r.permissions_boundary_arn)
        })
        .chain(out.users.iter().flat_map(|u| {
            u.attached_policy_arns
                .iter()
                .chain(&u.permissions_boundary_arn)
        }))
        .map(String::as_str)
        .collect();
    let mut managed = Vec::new();
    for p in policies {
        let arn = p.arn().unwrap_or_default();
        let aws_managed = arn.contains(":iam::aws:policy/");
        if aws_managed && !used.contains(arn) {
            continue;
        }
        let Some(version) = p
            .policy_version_list()
            .iter()
            .find(|v| v.is_default_version())
        else {
            continue;
        };
        match version.document().map(decode_policy) {
            Some(Ok(document)) => managed.push(ManagedPolicy {
                arn: arn.to_owned(),
                account_id: account.to_owned(),
                region: GLOBAL_REGION.to_owned(),
                tags: Default::default(),
                source: api(GAAD),
                name: p.policy_name().unwrap_or_default().to_owned(),
                aws_managed,
                document,
            }),
            Some(Err(err)) => scope.operation_gap(
                GAAD,
                Some(arn),
                &Failure::from_code("MalformedPolicyDocument", &err),
            ),
            None => {}
        }
    }
    out.managed_policies = managed;

    for user in &mut out.users {
        user_details(&iam, user, scope).await;
    }
    out.password_policy = password_policy(&iam, scope).await;
    out.oidc_providers = oidc_providers(&iam, scope).await;
    out.saml_providers = saml_providers(&iam, scope).await;
    out.credential_report = super::account::credential_report(&iam, scope).await;

    out
}

fn inline(
    list: &[PolicyDetail],
    owner_arn: &str,
    scope: Scope<'_>,
) -> Vec<(String, PolicyDocument)> {
    let mut out = Vec::new();
    for p in list {
        let name = p.policy_name().unwrap_or_default().to_owned();
        match p.policy_document().map(decode_policy) {
            Some(Ok(doc)) => out.push((name, doc)),
            Some(Err(err)) => scope.operation_gap(
                GAAD,
                Some(owner_arn),
                &Failure::from_code("MalformedPolicyDocument", &format!("{name}: {err}")),
            ),
            None => {}
        }
    }
    out
}

async fn user_details(iam: &aws_sdk_iam::Client, user: &mut IamUser, scope: Scope<'_>) {
    match iam
        .list_access_keys()
        .user_name(&user.name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(keys) => {
            for k in keys {
                let id = k.access_key_id().unwrap_or_default().to_owned();
                let last_used_at = match iam
                    .get_access_key_last_used()
                    .access_key_id(&id)
                    .send()
                    .await
                {
                    Ok(out) => out
                        .access_key_last_used()
                        .and_then(|l| l.last_used_date())
                        .and_then(utc),
                    Err(e) => {
                        scope.operation_gap(
                            Operation::IamGetAccessKeyLastUsed,
                            Some(&user.arn),
                            &Failure::of(&e),
                        );
                        None
                    }
                };
                let Some(created_at) = k.create_date().and_then(utc) else {
                    continue;
                };
                user.access_keys.push(AccessKey {
                    id,
                    status: k.status().map_or("Active", |s| s.as_str()).to_owned(),
                    created_at,
                    last_used_at,
                });
            }
            user.access_keys.sort_by(|a, b| a.id.cmp(&b.id));
        }
        Err(e) => scope.operation_gap(
            Operation::IamListAccessKeys,
            Some(&user.arn),
            &Failure::of(&e),
        ),
    }
    match iam.get_login_profile().user_name(&user.name).send().await {
        Ok(_) => user.console_access = true,
        Err(e) => {
            let failure = Failure::of(&e);
            if !failure.is("NoSuchEntity") {
                scope.operation_gap(Operation::IamGetLoginProfile, Some(&user.arn), &failure);
            }
        }
    }
    match iam
        .list_mfa_devices()
        .user_name(&user.name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(devices) => user.mfa_enabled = !devices.is_empty(),
        Err(e) => scope.operation_gap(
            Operation::IamListMfaDevices,
            Some(&user.arn),
            &Failure::of(&e),
        ),
    }
}

async fn password_policy(iam: &aws_sdk_iam::Client, scope: Scope<'_>) -> Option<PasswordPolicy> {
    match iam.get_account_password_policy().send().await {
        Ok(out) => out.password_policy().map(|p| PasswordPolicy {
            minimum_length: p
                .minimum_password_length()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(8),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            max_age_days: p
                .max_password_age()
                .filter(|_| p.expire_passwords())
                .and_then(|n| u32::try_from(n).ok()),
        }),
        Err(e) => {
            let failure = Failure::of(&e);
            // NoSuchEntity: no password policy is set (IAM's defaults apply).
            if !failure.is("NoSuchEntity") {
                scope.operation_gap(Operation::IamGetAccountPasswordPolicy, None, &failure);
            }
            None
        }
    }
}

async fn oidc_providers(iam: &aws_sdk_iam::Client, scope: Scope<'_>) -> Vec<OidcProvider> {
    let list = match iam.list_open_id_connect_providers().send().await {
        Ok(out) => out,
        Err(e) => {
            scope.operation_gap(
                Operation::IamListOpenIdConnectProviders,
                None,
                &Failure::of(&e),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for entry in list.open_id_connect_provider_list() {
        let Some(arn) = entry.arn() else { continue };
        match iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
        {
            Ok(p) => {
                let mut client_ids = p.client_id_list().to_vec();
                client_ids.sort();
                out.push(OidcProvider {
                    arn: arn.to_owned(),
                    account_id: scope.account_id.to_owned(),
                    region: GLOBAL_REGION.to_owned(),
                    tags: tags(p.tags().iter().map(|t| (t.key(), t.value()))),
                    source: api(Operation::IamGetOpenIdConnectProvider),
                    url: p
                        .url()
                        .unwrap_or_default()
                        .trim_start_matches("https://")
                        .to_owned(),
                    client_ids,
                });
            }
            Err(e) => scope.operation_gap(
                Operation::IamGetOpenIdConnectProvider,
                Some(arn),
                &Failure::of(&e),
            ),
        }
    }
    out
}

async fn saml_providers(iam: &aws_sdk_iam::Client, scope: Scope<'_>) -> Vec<SamlProvider> {
    match iam.list_saml_providers().send().await {
        Ok(list) => list
            .saml_provider_list()
            .iter()
            .filter_map(|p| {
                let arn = p.arn()?;
                Some(SamlProvider {
                    arn: arn.to_owned(),
                    account_id: scope.account_id.to_owned(),
                    region: GLOBAL_REGION.to_owned(),
                    tags: Default::default(),
                    source: api(Operation::IamListSamlProviders),
                    name: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
                    valid_until: p.valid_until().and_then(utc),
                })
            })
            .collect(),
        Err(e) => {
            scope.operation_gap(Operation::IamListSamlProviders, None, &Failure::of(&e));
            Vec::new()
        }
    }
}
