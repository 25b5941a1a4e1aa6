//! Joining snapshots of one organization taken in parts (`--shard I/N` workers, or
//! separate collections of different accounts) into one.

use std::collections::BTreeMap;

use super::{Account, CoverageGap, Snapshot, SnapshotSource};

/// Why snapshots cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no snapshots to merge")]
    Empty,
    /// The snapshots describe different organizations.
    #[error("snapshot {index} is of organization `{found}`, the first of `{expected}`")]
    OtherOrganization {
        /// Position of the offending snapshot (0-based).
        index: usize,
        /// The first snapshot's organization.
        expected: String,
        /// This one's.
        found: String,
    },
    /// The same item appears twice with different content.
    #[error("conflicting duplicates: {what} `{id}` differs between snapshot {first} and snapshot {second}")]
    Conflict {
        /// What kind of item (`account`, `organizational unit`, `policy`).
        what: &'static str,
        /// Its id.
        id: String,
        /// Position of the first snapshot holding it.
        first: usize,
        /// Position of the second.
        second: usize,
    },
}

/// Merges snapshots of one organization. Accounts, OUs and organization policies are
/// joined by id; an item present in several snapshots must be identical there. Coverage
/// gaps are joined. The result is taken at the earliest `taken_at` (the oldest data it
/// holds) and lists its parts in `source.description`.
pub fn merge_snapshots(parts: Vec<Snapshot>) -> Result<Snapshot, MergeError> {
    let mut iter = parts.into_iter().enumerate();
    let Some((_, mut merged)) = iter.next() else {
        return Err(MergeError::Empty);
    };
    let mut count = 1;
    let mut accounts: BTreeMap<String, (usize, super::Account)> = merged
        .accounts
        .drain(..)
        .map(|a| (a.id.clone(), (0, a)))
        .collect();
    let mut ous: BTreeMap<String, usize> = merged
        .organization
        .organizational_units
        .iter()
        .map(|o| (o.id.clone(), 0))
        .collect();
    let mut policies: BTreeMap<String, usize> = merged
        .organization
        .policies
        .iter()
        .map(|p| (p.id.clone(), 0))
        .collect();
    let mut coverage: Vec<CoverageGap> = std::mem::take(&mut merged.coverage);
    for (index, part) in iter {
        count += 1;
        if part.organization.id != merged.organization.id {
            return Err(MergeError::OtherOrganization {
                index,
                expected: merged.organization.id.clone(),
                found: part.organization.id,
            });
        }
        merged.taken_at = merged.taken_at.min(part.taken_at);
        // Regions read: only those every part read (a region one part left out was not
        // read for that part's accounts).
        merged.source.regions = match (merged.source.regions.take(), part.source.regions) {
            (None, theirs) => theirs,
            (ours, None) => ours,
            (Some(ours), Some(theirs)) => {
                Some(ours.into_iter().filter(|r| theirs.contains(r)).collect())
            }
        };
        for ou in part.organization.organizational_units {
            match ous.get(&ou.id) {
                Some(&first) => {
                    let same = merged.organization.ou(&ou.id) == Some(&ou);
                    if !same {
                        return Err(conflict("organizational unit", &ou.id, first, index));
                    }
                }
                None => {
                    ous.insert(ou.id.clone(), index);
                    merged.organization.organizational_units.push(ou);
                }
            }
        }
        for policy in part.organization.policies {
            match policies.get(&policy.id) {
                Some(&first) => {
                    let existing = merged
                        .organization
                        .policies
                        .iter()
                        .find(|p| p.id == policy.id);
                    if existing != Some(&policy) {
                        return Err(conflict("policy", &policy.id, first, index));
                    }
                }
                None => {
                    policies.insert(policy.id.clone(), index);
                    merged.organization.policies.push(policy);
                }
            }
        }
        for account in part.accounts {
            match accounts.get(&account.id) {
                Some((first, existing)) if *existing != account => {
                    return Err(conflict("account", &account.id, *first, index));
                }
                Some(_) => {}
                None => {
                    accounts.insert(account.id.clone(), (index, account));
                }
            }
        }
        coverage.extend(part.coverage);
    }
    coverage.sort();
    coverage.dedup();
    merged.coverage = coverage;
    merged.accounts = accounts.into_values().map(|(_, a)| a).collect();
    merged
        .organization
        .organizational_units
        .sort_by(|a, b| a.id.cmp(&b.id));
    merged.organization.policies.sort_by(|a, b| a.id.cmp(&b.id));
    merged.source = SnapshotSource {
        kind: merged.source.kind,
        description: format!(
            "merged from {count} snapshots: {}",
            merged.source.description
        ),
        regions: merged.source.regions.clone(),
    };
    Ok(merged)
}

fn conflict(what: &'static str, id: &str, first: usize, second: usize) -> MergeError {
    MergeError::Conflict {
        what,
        id: id.to_owned(),
        first,
        second,
    }
}

impl Account {
    /// Adds `from`'s resources to this account (the same account described by two
    /// sources, e.g. two templates deployed to it). Lists are appended; a setting held
    /// once per account (password policy, credential report, account-level public access
    /// block) keeps this account's value when it has one. Identity and organization
    /// fields stay this account's. Every resource field is named, so a field added to the
    /// model does not compile until it is joined here.
    pub fn absorb(&mut self, from: Account) {
        let into = self;
        let Account {
            iam,
            kms_keys,
            network,
            storage,
            certificates,
            logging,
            dns,
            security_services,
            resource_shares,
            ..
        } = from;
        let super::Iam {
            roles,
            users,
            password_policy,
            managed_policies,
            oidc_providers,
            saml_providers,
            credential_report,
        } = iam;
        into.iam.roles.extend(roles);
        into.iam.users.extend(users);
        into.iam.password_policy = into.iam.password_policy.take().or(password_policy);
        into.iam.managed_policies.extend(managed_policies);
        into.iam.oidc_providers.extend(oidc_providers);
        into.iam.saml_providers.extend(saml_providers);
        into.iam.credential_report = into.iam.credential_report.take().or(credential_report);
        into.kms_keys.extend(kms_keys);
        let super::Network {
            vpcs,
            subnets,
            security_groups,
            flow_logs,
            route_tables,
            internet_gateways,
            nat_gateways,
            transit_gateways,
            transit_gateway_attachments,
            vpn_connections,
            network_acls,
            vpc_endpoints,
            load_balancer_listeners,
            transit_gateway_route_tables,
            direct_connect_connections,
        } = network;
        let n = &mut into.network;
        n.vpcs.extend(vpcs);
        n.subnets.extend(subnets);
        n.security_groups.extend(security_groups);
        n.flow_logs.extend(flow_logs);
        n.route_tables.extend(route_tables);
        n.internet_gateways.extend(internet_gateways);
        n.nat_gateways.extend(nat_gateways);
        n.transit_gateways.extend(transit_gateways);
        n.transit_gateway_attachments
            .extend(transit_gateway_attachments);
        n.vpn_connections.extend(vpn_connections);
        n.network_acls.extend(network_acls);
        n.vpc_endpoints.extend(vpc_endpoints);
        n.load_balancer_listeners.extend(load_balancer_listeners);
        n.transit_gateway_route_tables
            .extend(transit_gateway_route_tables);
        n.direct_connect_connections
            .extend(direct_connect_connections);
        let super::Storage {
            s3_buckets,
            ebs_encryption_defaults,
            ebs_volumes,
            rds_instances,
            rds_clusters,
            account_public_access_block,
        } = storage;
        let s = &mut into.storage;
        s.s3_buckets.extend(s3_buckets);
        s.ebs_encryption_defaults.extend(ebs_encryption_defaults);
        s.ebs_volumes.extend(ebs_volumes);
        s.rds_instances.extend(rds_instances);
        s.rds_clusters.extend(rds_clusters);
        s.account_public_access_block = s
            .account_public_access_block
            .take()
            .or(account_public_access_block);
        into.certificates.acm.extend(certificates.acm);
        into.logging
            .cloudtrail_trails
            .extend(logging.cloudtrail_trails);
        into.logging
            .config_recorders
            .extend(logging.config_recorders);
        into.logging
            .config_aggregators
            .extend(logging.config_aggregators);
        into.dns.hosted_zones.extend(dns.hosted_zones);
        into.dns.resolver_rules.extend(dns.resolver_rules);
        into.security_services.extend(security_services);
        into.resource_shares.extend(resource_shares);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample_snapshot;

    fn halves() -> (Snapshot, Snapshot) {
        let full = sample_snapshot().expect("sample");
        let mut a = full.clone();
        let mut b = full;
        let n = a.accounts.len() / 2;
        b.accounts = a.accounts.split_off(n);
        b.coverage.clear();
        (a, b)
    }

    #[test]
    fn halves_merge_back_into_the_whole() {
        let full = sample_snapshot().expect("sample");
        let (a, b) = halves();
        let merged = merge_snapshots(vec![b, a]).expect("merge");
        let mut expected = full.accounts.clone();
        expected.sort_by(|x, y| x.id.cmp(&y.id));
        assert_eq!(merged.accounts, expected);
        let mut gaps = full.coverage.clone();
        gaps.sort();
        assert_eq!(merged.coverage, gaps);
        assert_eq!(merged.organization.id, full.organization.id);
        assert!(merged
            .source
            .description
            .starts_with("merged from 2 snapshots"));
    }

    #[test]
    fn conflicting_duplicates_are_named() {
        let (a, mut b) = halves();
        let mut twin = a.accounts[0].clone();
        twin.name = "renamed".to_owned();
        b.accounts.push(twin);
        let err = merge_snapshots(vec![a.clone(), b]).expect_err("conflict");
        assert_eq!(
            err.to_string(),
            format!(
                "conflicting duplicates: account `{}` differs between snapshot 0 and snapshot 1",
                a.accounts[0].id
            )
        );
    }

    #[test]
    fn identical_duplicates_and_other_organizations() {
        let (a, _) = halves();
        let merged = merge_snapshots(vec![a.clone(), a.clone()]).expect("identical parts merge");
        assert_eq!(merged.accounts.len(), a.accounts.len());
        let mut other = a.clone();
        other.organization.id = "o-other".to_owned();
        assert!(matches!(
            merge_snapshots(vec![a, other]),
            Err(MergeError::OtherOrganization { index: 1, .. })
        ));
        assert_eq!(merge_snapshots(Vec::new()), Err(MergeError::Empty));
    }
}
