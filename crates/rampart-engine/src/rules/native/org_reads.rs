//! What the snapshot could not read of the organization itself: rules that compare
//! accounts (a workload's pre-production account, the builder account) must not conclude
//! that an account is missing, or untagged, when it was not read. Also which accounts are
//! the organization's dedicated builder accounts.

use crate::model::{
    Account, AccountStatus, CoverageGap, Operation, Read, Service, Snapshot, GLOBAL_REGION,
};
use crate::rules::RuleContext;

/// The gap that hid this account's tags (`organizations:ListTagsForResource`), if any.
pub(crate) fn tags_gap<'s>(snapshot: &'s Snapshot, account: &Account) -> Option<&'s CoverageGap> {
    let read = Read::Operation(Operation::OrganizationsListTagsForResource);
    snapshot
        .coverage
        .iter()
        .find(|g| g.covers(&account.id, GLOBAL_REGION, read, Some(&account.arn)))
}

/// A gap that may have left accounts out of the snapshot: the OU tree or the accounts of
/// some parent were not listed, or nothing of Organizations could be read.
pub(crate) fn accounts_gap(snapshot: &Snapshot) -> Option<&CoverageGap> {
    snapshot.coverage.iter().find(|g| {
        g.service == Service::Organizations
            && match g.operation {
                Some(op) => matches!(
                    op,
                    Operation::OrganizationsListAccountsForParent
                        | Operation::OrganizationsListOrganizationalUnitsForParent
                ),
                None => g.resource.is_none(),
            }
    })
}

/// The dedicated builder (pipeline) accounts of the organization: active accounts that
/// `Facts::is_builder_account` counts, other than the management account, whose
/// environment is not a workload environment.
pub(crate) fn dedicated_builders<'s>(cx: &RuleContext<'s>) -> Vec<&'s Account> {
    let params = cx.facts.parameters();
    let management = &cx.snapshot.organization.management_account_id;
    cx.snapshot
        .accounts
        .iter()
        .filter(|a| a.status == AccountStatus::Active && &a.id != management)
        .filter(|a| cx.facts.is_builder_account(a))
        .filter(|a| {
            cx.facts
                .environment(&a.id)
                .is_none_or(|env| !params.workload_environments.iter().any(|w| w == env))
        })
        .collect()
}

/// The gap that hid the account's IAM (roles, policies), if any.
pub(crate) fn iam_gap<'s>(snapshot: &'s Snapshot, account: &Account) -> Option<&'s CoverageGap> {
    snapshot.coverage.iter().find(|g| {
        (g.account_id == account.id || g.account_id == "*")
            && g.service == Service::Iam
            && g.resource.is_none()
    })
}
