//! Joining snapshots of one organization taken in parts (`--shard I/N` workers, or
//! separate collections of different accounts) into one.

use std::collections::BTreeMap;

use super::{CoverageGap, Snapshot, SnapshotSource};

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
