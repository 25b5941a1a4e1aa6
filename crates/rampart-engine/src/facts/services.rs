//! Security service facts: where an organization-wide IAM Access Analyzer analyzer covers
//! every account, and an account's state of a service in a region.

use std::collections::BTreeMap;

use super::Facts;
use crate::model::{Account, SecurityServiceKind, SecurityServiceStatus, Snapshot};

/// Regions with an active organization analyzer, each with the account that owns it (the
/// first in snapshot order).
pub(super) type OrganizationAnalyzers = BTreeMap<String, String>;

/// The regions where an active IAM Access Analyzer analyzer has the organization as its
/// zone of trust.
pub(super) fn organization_analyzers(snapshot: &Snapshot) -> OrganizationAnalyzers {
    let mut out = OrganizationAnalyzers::new();
    for s in snapshot.accounts.iter().flat_map(|a| &a.security_services) {
        if s.service == SecurityServiceKind::AccessAnalyzer && s.enabled && s.organization_wide {
            out.entry(s.region.clone())
                .or_insert_with(|| s.account_id.clone());
        }
    }
    out
}

/// The account's status entry for `service` in `region`, if it was read.
pub fn status<'a>(
    account: &'a Account,
    service: SecurityServiceKind,
    region: &str,
) -> Option<&'a SecurityServiceStatus> {
    account
        .security_services
        .iter()
        .find(|s| s.service == service && s.region == region)
}

impl Facts {
    /// The account owning an active organization-wide IAM Access Analyzer analyzer in
    /// `region`, if the snapshot holds one.
    pub fn organization_analyzer(&self, region: &str) -> Option<&str> {
        self.org_analyzers.get(region).map(String::as_str)
    }
}
