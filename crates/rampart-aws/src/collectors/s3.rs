//! S3: every bucket of the account (whatever its region: residency rules need the ones
//! outside the selected regions too), with location, default encryption, bucket policy,
//! public access block, tags and versioning.

use rampart_model::{BucketEncryption, PublicAccessBlock, S3Bucket};
use rampart_model::{Operation, Service};

use crate::calls::Failure;
use crate::session::{Scope, Session};
use crate::util::{api, decode_policy, tags};

/// Reads every bucket. A failed `ListBuckets` is a gap on `s3` in every region.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Vec<S3Bucket> {
    let home = session.home_region();
    let s3 = session.s3(&home);
    let all_regions = Scope {
        region: "*",
        ..scope
    };
    let buckets = match s3
        .list_buckets()
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.buckets())
            .filter_map(|b| Some((b.name()?.to_owned(), b.bucket_region().map(str::to_owned))))
            .collect::<Vec<_>>(),
        Err(e) => {
            all_regions.service_gap(Service::S3, Operation::S3ListBuckets, &Failure::of(&e));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (name, listed_region) in buckets {
        let arn = format!("arn:aws:s3:::{name}");
        let region = match listed_region {
            Some(r) if !r.is_empty() => r,
            _ => match s3.get_bucket_location().bucket(&name).send().await {
                Ok(l) => match l.location_constraint().map(|c| c.as_str()) {
                    None | Some("") => "us-east-1".to_owned(),
                    Some("EU") => "eu-west-1".to_owned(),
                    Some(other) => other.to_owned(),
                },
                Err(e) => {
                    all_regions.operation_gap(
                        Operation::S3GetBucketLocation,
                        Some(&arn),
                        &Failure::of(&e),
                    );
                    continue;
                }
            },
        };
        let here = Scope {
            region: &region,
            ..scope
        };
        let client = session.s3(&region);
        out.push(bucket(&client, name, arn, region.clone(), here).await);
    }
    out
}

async fn bucket(
    s3: &aws_sdk_s3::Client,
    name: String,
    arn: String,
    region: String,
    scope: Scope<'_>,
) -> S3Bucket {
    let encryption = match s3.get_bucket_encryption().bucket(&name).send().await {
        Ok(e) => {
            let rule = e
                .server_side_encryption_configuration()
                .and_then(|c| c.rules().first());
            let default = rule.and_then(|r| r.apply_server_side_encryption_by_default());
            Some(BucketEncryption {
                sse_algorithm: default
                    .map_or("none", |d| d.sse_algorithm().as_str())
                    .to_owned(),
                kms_key_arn: default
                    .and_then(|d| d.kms_master_key_id())
                    .map(str::to_owned),
                bucket_key_enabled: rule.and_then(|r| r.bucket_key_enabled()).unwrap_or(false),
            })
        }
        Err(e) => {
            let failure = Failure::of(&e);
            if failure.is("ServerSideEncryptionConfigurationNotFoundError") {
                Some(BucketEncryption {
                    sse_algorithm: "none".to_owned(),
                    kms_key_arn: None,
                    bucket_key_enabled: false,
                })
            } else {
                scope.operation_gap(Operation::S3GetBucketEncryption, Some(&arn), &failure);
                None
            }
        }
    };
    let policy = match s3.get_bucket_policy().bucket(&name).send().await {
        Ok(p) => match p.policy().map(decode_policy) {
            Some(Ok(doc)) => Some(doc),
            Some(Err(err)) => {
                scope.operation_gap(
                    Operation::S3GetBucketPolicy,
                    Some(&arn),
                    &Failure::from_code("MalformedPolicyDocument", &err),
                );
                None
            }
            None => None,
        },
        Err(e) => {
            let failure = Failure::of(&e);
            if !failure.is("NoSuchBucketPolicy") {
                scope.operation_gap(Operation::S3GetBucketPolicy, Some(&arn), &failure);
            }
            None
        }
    };
    let public_access_block = match s3.get_public_access_block().bucket(&name).send().await {
        Ok(p) => {
            let c = p.public_access_block_configuration();
            Some(PublicAccessBlock {
                block_public_acls: c.and_then(|c| c.block_public_acls()).unwrap_or(false),
                ignore_public_acls: c.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
                block_public_policy: c.and_then(|c| c.block_public_policy()).unwrap_or(false),
                restrict_public_buckets: c
                    .and_then(|c| c.restrict_public_buckets())
                    .unwrap_or(false),
            })
        }
        Err(e) => {
            let failure = Failure::of(&e);
            // Not configured is an error code, not a typed variant: nothing is blocked.
            if failure.is("NoSuchPublicAccessBlockConfiguration") {
                Some(PublicAccessBlock::default())
            } else {
                scope.operation_gap(Operation::S3GetPublicAccessBlock, Some(&arn), &failure);
                None
            }
        }
    };
    let bucket_tags = match s3.get_bucket_tagging().bucket(&name).send().await {
        Ok(t) => tags(t.tag_set().iter().map(|t| (t.key(), t.value()))),
        Err(e) => {
            let failure = Failure::of(&e);
            if !failure.is("NoSuchTagSet") {
                scope.operation_gap(Operation::S3GetBucketTagging, Some(&arn), &failure);
            }
            Default::default()
        }
    };
    let versioning = match s3.get_bucket_versioning().bucket(&name).send().await {
        Ok(v) => v.status().is_some_and(|s| s.as_str() == "Enabled"),
        Err(e) => {
            scope.operation_gap(
                Operation::S3GetBucketVersioning,
                Some(&arn),
                &Failure::of(&e),
            );
            false
        }
    };
    S3Bucket {
        arn,
        account_id: scope.account_id.to_owned(),
        region,
        tags: bucket_tags,
        source: api(Operation::S3ListBuckets),
        name,
        encryption,
        policy,
        public_access_block,
        versioning,
    }
}
