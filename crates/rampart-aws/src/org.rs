//! The organization: roots, OUs, accounts, tags, SCPs and RCPs, delegated administrators.
//! Read from the management account or a delegated administrator.

use rampart_model::Operation;
use std::collections::BTreeMap;

use aws_sdk_organizations::types::{PolicyType, TargetType};
use rampart_model::{
    AccountStatus, DelegatedAdministrator, OrgPolicy, OrgPolicyKind, Organization,
    OrganizationalUnit, PolicyDocument, Root, Source, Tags,
};

use crate::calls::Failure;
use crate::session::{client, Scope, Session};
use crate::CollectError;

/// An account as Organizations lists it.
#[derive(Debug, Clone)]
pub(crate) struct OrgAccount {
    pub(crate) id: String,
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) status: AccountStatus,
    pub(crate) parent_id: String,
    pub(crate) tags: Tags,
}

/// The organization's structure and its member accounts.
#[derive(Debug, Clone)]
pub(crate) struct OrgData {
    pub(crate) organization: Organization,
    pub(crate) accounts: Vec<OrgAccount>,
}

fn api(operation: Operation) -> Source {
    Source::Api {
        operation: operation.name().to_owned(),
    }
}

/// Reads the organization. Failing to describe it is fatal (nothing can be scoped without
/// it); failing to read parts of it records gaps on the `organizations` service, for every
/// account (`scope` is organization-wide) except where one account's data is missing.
pub(crate) async fn read(session: &Session, scope: Scope<'_>) -> Result<OrgData, CollectError> {
    let org = client!(session, aws_sdk_organizations, session.home_region());
    let described = org
        .describe_organization()
        .send()
        .await
        .map_err(|e| CollectError::Organization(Failure::of(&e).reason))?;
    let Some(o) = described.organization() else {
        return Err(CollectError::Organization(
            "DescribeOrganization returned no organization".to_owned(),
        ));
    };
    let org_id = o.id().unwrap_or_default().to_owned();
    let org_arn = o.arn().unwrap_or_default().to_owned();
    let management_account_id = o.master_account_id().unwrap_or_default().to_owned();

    let pages = org
        .list_roots()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| CollectError::Organization(Failure::of(&e).reason))?;
    let Some(root) = pages.iter().flat_map(|p| p.roots()).next() else {
        return Err(CollectError::Organization(
            "ListRoots returned no root".to_owned(),
        ));
    };
    let root_id = root.id().unwrap_or_default().to_owned();

    let mut root_model = Root {
        id: root_id.clone(),
        arn: root.arn().unwrap_or_default().to_owned(),
        name: root.name().unwrap_or("Root").to_owned(),
        tags: Tags::new(),
    };

    // Walk the OU tree breadth first, reading each parent's OUs and accounts.
    let mut ous = Vec::new();
    let mut accounts = Vec::new();
    let mut parents = vec![root_id.clone()];
    while let Some(parent) = parents.pop() {
        match org
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
        {
            Ok(pages) => {
                for ou in pages.iter().flat_map(|p| p.organizational_units()) {
                    let id = ou.id().unwrap_or_default().to_owned();
                    parents.push(id.clone());
                    ous.push(OrganizationalUnit {
                        id,
                        arn: ou.arn().unwrap_or_default().to_owned(),
                        name: ou.name().unwrap_or_default().to_owned(),
                        parent_id: parent.clone(),
                        tags: Tags::new(),
                    });
                }
            }
            Err(e) => scope.operation_gap(
                Operation::OrganizationsListOrganizationalUnitsForParent,
                Some(&parent),
                &Failure::of(&e),
            ),
        }
        match org
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
        {
            Ok(pages) => {
                for a in pages.iter().flat_map(|p| p.accounts()) {
                    accounts.push(OrgAccount {
                        id: a.id().unwrap_or_default().to_owned(),
                        arn: a.arn().unwrap_or_default().to_owned(),
                        name: a.name().unwrap_or_default().to_owned(),
                        email: a.email().map(str::to_owned),
                        status: account_status(a),
                        parent_id: parent.clone(),
                        tags: Tags::new(),
                    });
                }
            }
            Err(e) => scope.operation_gap(
                Operation::OrganizationsListAccountsForParent,
                Some(&parent),
                &Failure::of(&e),
            ),
        }
    }

    // Tags of the root, every OU and every account. Classification tags are inherited down
    // the tree, so a root or OU whose tags cannot be read is a gap for every account; an
    // account's own tags are a gap on that account only.
    let inherited_gap = |id: &str, failure: Failure| {
        let failure = Failure {
            reason: format!("tags of {id}: {}", failure.reason),
            ..failure
        };
        scope.operation_gap(TAGS, None, &failure);
    };
    match tags_of(&org, &root_id).await {
        Ok(tags) => root_model.tags = tags,
        Err(failure) => inherited_gap(&root_id, failure),
    }
    for ou in &mut ous {
        match tags_of(&org, &ou.id).await {
            Ok(tags) => ou.tags = tags,
            Err(failure) => inherited_gap(&ou.id, failure),
        }
    }
    for account in &mut accounts {
        match tags_of(&org, &account.id).await {
            Ok(tags) => account.tags = tags,
            Err(failure) => Scope {
                account_id: &account.id,
                ..scope
            }
            .operation_gap(TAGS, Some(&account.arn), &failure),
        }
    }

    let mut policies = Vec::new();
    for (filter, kind) in [
        (
            PolicyType::ServiceControlPolicy,
            OrgPolicyKind::ServiceControlPolicy,
        ),
        (
            PolicyType::ResourceControlPolicy,
            OrgPolicyKind::ResourceControlPolicy,
        ),
    ] {
        policies.extend(read_policies(&org, filter, kind, scope).await);
    }
    policies.sort_by(|a, b| a.id.cmp(&b.id));

    let delegated_administrators = read_delegated(&org, scope).await;

    ous.sort_by(|a, b| a.id.cmp(&b.id));
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(OrgData {
        organization: Organization {
            id: org_id,
            arn: org_arn,
            management_account_id,
            root: root_model,
            organizational_units: ous,
            policies,
            delegated_administrators,
        },
        accounts,
    })
}

#[allow(deprecated)] // `Status` is deprecated in favour of `State`; both are read.
fn account_status(a: &aws_sdk_organizations::types::Account) -> AccountStatus {
    use aws_sdk_organizations::types::{AccountState, AccountStatus as S};
    match (a.state(), a.status()) {
        (Some(AccountState::Suspended | AccountState::Closed), _) | (None, Some(S::Suspended)) => {
            AccountStatus::Suspended
        }
        (Some(AccountState::PendingClosure), _) | (None, Some(S::PendingClosure)) => {
            AccountStatus::PendingClosure
        }
        _ => AccountStatus::Active,
    }
}

const TAGS: Operation = Operation::OrganizationsListTagsForResource;

async fn tags_of(org: &aws_sdk_organizations::Client, id: &str) -> Result<Tags, Failure> {
    let tags = org
        .list_tags_for_resource()
        .resource_id(id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| Failure::of(&e))?;
    Ok(tags
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect())
}

async fn read_policies(
    org: &aws_sdk_organizations::Client,
    filter: PolicyType,
    kind: OrgPolicyKind,
    scope: Scope<'_>,
) -> Vec<OrgPolicy> {
    let summaries = match org
        .list_policies()
        .filter(filter)
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.policies())
            .cloned()
            .collect::<Vec<_>>(),
        Err(e) => {
            let failure = Failure::of(&e);
            // RCPs may simply not be enabled: that is no gap, there are none to read.
            if !failure.is("PolicyTypeNotEnabledException") {
                scope.operation_gap(Operation::OrganizationsListPolicies, None, &failure);
            }
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for summary in summaries {
        let id = summary.id().unwrap_or_default().to_owned();
        let arn = summary.arn().unwrap_or_default().to_owned();
        let document = match org.describe_policy().policy_id(&id).send().await {
            Ok(d) => {
                let content = d
                    .policy()
                    .and_then(|p| p.content())
                    .unwrap_or_default()
                    .to_owned();
                match serde_json::from_str::<serde_json::Value>(&content) {
                    Ok(v) => PolicyDocument::new(v),
                    Err(err) => {
                        scope.operation_gap(
                            Operation::OrganizationsDescribePolicy,
                            Some(&arn),
                            &Failure::from_code("MalformedPolicyDocument", &err.to_string()),
                        );
                        continue;
                    }
                }
            }
            Err(e) => {
                scope.operation_gap(
                    Operation::OrganizationsDescribePolicy,
                    Some(&arn),
                    &Failure::of(&e),
                );
                continue;
            }
        };
        let targets = match org
            .list_targets_for_policy()
            .policy_id(&id)
            .into_paginator()
            .send()
            .try_collect()
            .await
        {
            Ok(pages) => {
                let mut ids: Vec<String> = pages
                    .iter()
                    .flat_map(|p| p.targets())
                    .filter(|t| {
                        matches!(
                            t.r#type(),
                            Some(
                                TargetType::Root
                                    | TargetType::OrganizationalUnit
                                    | TargetType::Account
                            )
                        )
                    })
                    .filter_map(|t| t.target_id().map(str::to_owned))
                    .collect();
                ids.sort();
                ids
            }
            Err(e) => {
                scope.operation_gap(
                    Operation::OrganizationsListTargetsForPolicy,
                    Some(&arn),
                    &Failure::of(&e),
                );
                Vec::new()
            }
        };
        out.push(OrgPolicy {
            id,
            arn,
            name: summary.name().unwrap_or_default().to_owned(),
            kind,
            aws_managed: summary.aws_managed(),
            document,
            targets,
            source: api(Operation::OrganizationsDescribePolicy),
        });
    }
    out
}

async fn read_delegated(
    org: &aws_sdk_organizations::Client,
    scope: Scope<'_>,
) -> Vec<DelegatedAdministrator> {
    let admins = match org
        .list_delegated_administrators()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(a) => a,
        Err(e) => {
            scope.operation_gap(
                Operation::OrganizationsListDelegatedAdministrators,
                None,
                &Failure::of(&e),
            );
            return Vec::new();
        }
    };
    let mut by_account: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for admin in admins {
        let Some(id) = admin.id() else { continue };
        match org
            .list_delegated_services_for_account()
            .account_id(id)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
        {
            Ok(services) => {
                let mut principals: Vec<String> = services
                    .iter()
                    .filter_map(|s| s.service_principal().map(str::to_owned))
                    .collect();
                principals.sort();
                by_account.insert(id.to_owned(), principals);
            }
            Err(e) => scope.operation_gap(
                Operation::OrganizationsListDelegatedServicesForAccount,
                Some(id),
                &Failure::of(&e),
            ),
        }
    }
    by_account
        .into_iter()
        .map(|(account_id, service_principals)| DelegatedAdministrator {
            account_id,
            service_principals,
        })
        .collect()
}
