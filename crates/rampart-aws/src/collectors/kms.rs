//! KMS: keys, key policies, rotation, aliases and tags, in one region.

use rampart_model::{Operation, Service};
use std::collections::BTreeMap;

use aws_sdk_kms::types::KeyManagerType;
use rampart_model::KmsKey;

use crate::calls::Failure;
use crate::session::{client, Scope, Session};
use crate::util::{api, decode_policy, tags};

/// Errors that mean an operation does not apply to a key (asymmetric, HMAC, imported key
/// material, custom key store, pending deletion): not a gap, there is nothing to read.
const NOT_APPLICABLE: &[&str] = &[
    "UnsupportedOperationException",
    "KMSInvalidStateException",
    "NotFoundException",
];

/// Reads every key of the region.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Vec<KmsKey> {
    let kms = client!(session, aws_sdk_kms, scope.region);
    let keys = match kms
        .list_keys()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(keys) => keys,
        Err(e) => {
            scope.service_gap(Service::Kms, Operation::KmsListKeys, &Failure::of(&e));
            return Vec::new();
        }
    };
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    match kms
        .list_aliases()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(list) => {
            for a in list {
                if let (Some(key), Some(name)) = (a.target_key_id(), a.alias_name()) {
                    aliases
                        .entry(key.to_owned())
                        .or_default()
                        .push(name.to_owned());
                }
            }
        }
        Err(e) => scope.operation_gap(Operation::KmsListAliases, None, &Failure::of(&e)),
    }

    let mut out = Vec::new();
    for key in keys {
        let Some(key_id) = key.key_id() else { continue };
        let arn = key.key_arn().unwrap_or(key_id).to_owned();
        let meta = match kms.describe_key().key_id(key_id).send().await {
            Ok(d) => match d.key_metadata() {
                Some(m) => m.clone(),
                None => continue,
            },
            Err(e) => {
                scope.operation_gap(Operation::KmsDescribeKey, Some(&arn), &Failure::of(&e));
                continue;
            }
        };
        let customer = meta.key_manager() == Some(&KeyManagerType::Customer);
        let policy = match kms
            .get_key_policy()
            .key_id(key_id)
            .policy_name("default")
            .send()
            .await
        {
            Ok(p) => match p.policy().map(decode_policy) {
                Some(Ok(doc)) => Some(doc),
                Some(Err(err)) => {
                    scope.operation_gap(
                        Operation::KmsGetKeyPolicy,
                        Some(&arn),
                        &Failure::from_code("MalformedPolicyDocument", &err),
                    );
                    None
                }
                None => None,
            },
            Err(e) => {
                scope.operation_gap(Operation::KmsGetKeyPolicy, Some(&arn), &Failure::of(&e));
                None
            }
        };
        // Rotation applies to symmetric customer managed keys; AWS managed keys rotate yearly.
        let rotation_enabled = if customer {
            match kms.get_key_rotation_status().key_id(key_id).send().await {
                Ok(r) => Some(r.key_rotation_enabled()),
                Err(e) => {
                    let failure = Failure::of(&e);
                    if !NOT_APPLICABLE.iter().any(|c| failure.is(c)) {
                        scope.operation_gap(
                            Operation::KmsGetKeyRotationStatus,
                            Some(&arn),
                            &failure,
                        );
                    }
                    None
                }
            }
        } else {
            None
        };
        let key_tags = if customer {
            match kms
                .list_resource_tags()
                .key_id(key_id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
            {
                Ok(t) => tags(t.iter().map(|t| (t.tag_key(), t.tag_value()))),
                Err(e) => {
                    scope.operation_gap(
                        Operation::KmsListResourceTags,
                        Some(&arn),
                        &Failure::of(&e),
                    );
                    Default::default()
                }
            }
        } else {
            Default::default()
        };
        let mut key_aliases = aliases.remove(meta.key_id()).unwrap_or_default();
        key_aliases.sort();
        out.push(KmsKey {
            arn,
            account_id: scope.account_id.to_owned(),
            region: scope.region.to_owned(),
            tags: key_tags,
            source: api(Operation::KmsDescribeKey),
            key_id: meta.key_id().to_owned(),
            key_manager: meta
                .key_manager()
                .map_or("CUSTOMER", |m| m.as_str())
                .to_owned(),
            key_state: meta
                .key_state()
                .map_or("Unknown", |s| s.as_str())
                .to_owned(),
            key_spec: meta
                .key_spec()
                .map_or("SYMMETRIC_DEFAULT", |s| s.as_str())
                .to_owned(),
            key_usage: meta
                .key_usage()
                .map_or("ENCRYPT_DECRYPT", |u| u.as_str())
                .to_owned(),
            multi_region: meta.multi_region().unwrap_or(false),
            rotation_enabled,
            policy,
            aliases: key_aliases,
        });
    }
    out
}
