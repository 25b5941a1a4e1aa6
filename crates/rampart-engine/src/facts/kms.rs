//! What encrypts with which KMS key: every key reference of the snapshot's data stores,
//! trails and EBS defaults, indexed once per evaluation by the key ARN or alias ARN it
//! resolves to.

use std::collections::BTreeMap;

use super::Facts;
use crate::model::{Account, KmsKey, Snapshot};

/// Users of keys by the key or alias ARN their reference names.
pub(super) type KeyUsers = BTreeMap<String, Vec<String>>;

/// The index: each reference resolved against the account and region of the resource
/// that makes it (a bare key id or `alias/NAME` names a key of the same account and
/// region, as AWS resolves it).
pub(super) fn key_users(snapshot: &Snapshot) -> KeyUsers {
    let mut index: KeyUsers = BTreeMap::new();
    for a in &snapshot.accounts {
        add_key_users(&mut index, a);
    }
    index
}

/// Adds the key references of one account's resources to the index.
pub(super) fn add_key_users(index: &mut KeyUsers, a: &Account) {
    let mut add = |arn: &str, account: &str, region: &str, reference: &str, label: String| {
        let partition = arn
            .split(':')
            .nth(1)
            .filter(|p| !p.is_empty())
            .unwrap_or("aws");
        let resolved = if reference.starts_with("arn:") {
            reference.to_owned()
        } else if reference.starts_with("alias/") {
            format!("arn:{partition}:kms:{region}:{account}:{reference}")
        } else {
            format!("arn:{partition}:kms:{region}:{account}:key/{reference}")
        };
        index.entry(resolved).or_default().push(label);
    };
    let s = &a.storage;
    for b in &s.s3_buckets {
        if let Some(k) = b.encryption.as_ref().and_then(|e| e.kms_key_arn.as_deref()) {
            add(
                &b.arn,
                &b.account_id,
                &b.region,
                k,
                format!("bucket `{}`", b.name),
            );
        }
    }
    for v in &s.ebs_volumes {
        if let Some(k) = v.kms_key_arn.as_deref() {
            add(
                &v.arn,
                &v.account_id,
                &v.region,
                k,
                format!("volume `{}`", v.volume_id),
            );
        }
    }
    for d in &s.rds_instances {
        if let Some(k) = d.kms_key_arn.as_deref() {
            let label = format!("RDS instance `{}`", d.identifier);
            add(&d.arn, &d.account_id, &d.region, k, label);
        }
    }
    for d in s.ebs_encryption_defaults.iter().filter(|d| d.enabled) {
        if let Some(k) = d.kms_key_arn.as_deref() {
            let label = format!(
                "new EBS volumes of account `{}` in `{}`",
                d.account_id, d.region
            );
            add(&d.arn, &d.account_id, &d.region, k, label);
        }
    }
    for t in &a.logging.cloudtrail_trails {
        if let Some(k) = t.kms_key_arn.as_deref() {
            add(
                &t.arn,
                &t.account_id,
                &t.region,
                k,
                format!("trail `{}`", t.name),
            );
        }
    }
}

impl Facts {
    /// What encrypts with `key` (by its ARN or any of its aliases), as labels such as
    /// ``bucket `name` ``, sorted.
    pub fn key_users(&self, key: &KmsKey) -> Vec<&str> {
        let prefix = key
            .arn
            .split_once(":key/")
            .map_or(key.arn.as_str(), |(p, _)| p);
        let mut users: Vec<&str> = std::iter::once(key.arn.clone())
            .chain(key.aliases.iter().map(|a| format!("{prefix}:{a}")))
            .filter_map(|arn| self.key_users.get(&arn))
            .flatten()
            .map(String::as_str)
            .collect();
        users.sort_unstable();
        users.dedup();
        users
    }
}
