//! Data stores and keys: S3 buckets and the account's Block Public Access, KMS keys and
//! aliases, EBS volumes and encryption by default, RDS instances and clusters.

use super::{block, bool_at, policy_document, str_at, Mapped, Resolved};
use crate::model::{
    BucketEncryption, EbsEncryptionDefault, EbsVolume, KmsKey, Operation, PublicAccessBlock,
    RdsDbCluster, RdsDbInstance, S3Bucket, Tags,
};

/// Maps `t` if it is one of this module's types.
pub(super) fn map(m: &mut Mapped<'_, '_, '_>, t: &str) -> bool {
    match t {
        "aws_s3_bucket" => bucket(m),
        "aws_kms_key" => key(m),
        "aws_ebs_volume" => volume(m),
        "aws_db_instance" => db_instance(m),
        "aws_rds_cluster" => cluster(m),
        "aws_ebs_encryption_by_default" => {
            let region = m.region();
            let enabled = m.flag(
                "enabled",
                true,
                &region,
                Operation::Ec2GetEbsEncryptionByDefault,
            );
            let kms = m.ctx.of_type("aws_ebs_default_kms_key").first().copied();
            let kms_key_arn = match kms {
                Some(k) => {
                    m.reference_of(k, "key_arn", &region, Operation::Ec2GetEbsDefaultKmsKeyId)
                }
                None => None,
            };
            let setting = EbsEncryptionDefault {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region,
                tags: Tags::new(),
                source: m.source(),
                enabled,
                kms_key_arn,
            };
            m.sink
                .account(m.target)
                .storage
                .ebs_encryption_defaults
                .push(setting);
            true
        }
        "aws_s3_account_public_access_block" => {
            // Each setting defaults to false; the setting is the account's, not a resource.
            let v = m.values();
            let flag = |k: &str| bool_at(v, k).unwrap_or(false);
            let pab = PublicAccessBlock {
                block_public_acls: flag("block_public_acls"),
                ignore_public_acls: flag("ignore_public_acls"),
                block_public_policy: flag("block_public_policy"),
                restrict_public_buckets: flag("restrict_public_buckets"),
            };
            m.sink.account(m.target).storage.account_public_access_block = Some(pab);
            false
        }
        _ => false,
    }
}

fn bucket(m: &mut Mapped<'_, '_, '_>) -> bool {
    let (r, region) = (m.r, m.region());
    // Encryption: the separate resource, else the legacy inline block, else SSE-S3.
    let sse = m.ctx.attached(
        "aws_s3_bucket_server_side_encryption_configuration",
        "bucket",
        r,
    );
    let (rule, rule_owner, rule_path): (_, _, Vec<&str>) = match sse.first() {
        Some(s) => (
            block(&s.values, "rule"),
            *s,
            vec!["rule", "0", "apply_server_side_encryption_by_default", "0"],
        ),
        None => (
            block(m.values(), "server_side_encryption_configuration")
                .and_then(|c| block(c, "rule")),
            r,
            vec![
                "server_side_encryption_configuration",
                "0",
                "rule",
                "0",
                "apply_server_side_encryption_by_default",
                "0",
            ],
        ),
    };
    let encryption = Some(match rule {
        Some(rule) => {
            let default = block(rule, "apply_server_side_encryption_by_default");
            let mut key_path = rule_path.clone();
            key_path.push("kms_master_key_id");
            let kms_key_arn = match m.ctx.resolve(rule_owner, &key_path) {
                Resolved::Known(k) => Some(k),
                Resolved::Unknown => {
                    m.gap(
                        &region,
                        Operation::S3GetBucketEncryption,
                        "kms_master_key_id",
                        rule_owner,
                    );
                    None
                }
                Resolved::Absent => None,
            };
            BucketEncryption {
                sse_algorithm: default
                    .and_then(|d| str_at(d, "sse_algorithm"))
                    .unwrap_or("AES256")
                    .to_owned(),
                kms_key_arn,
                bucket_key_enabled: bool_at(rule, "bucket_key_enabled").unwrap_or(false),
            }
        }
        None => BucketEncryption {
            sse_algorithm: "AES256".to_owned(),
            kms_key_arn: None,
            bucket_key_enabled: false,
        },
    });
    let pab = m
        .ctx
        .attached("aws_s3_bucket_public_access_block", "bucket", r);
    let public_access_block = Some(match pab.first() {
        Some(p) => PublicAccessBlock {
            block_public_acls: bool_at(&p.values, "block_public_acls").unwrap_or(false),
            ignore_public_acls: bool_at(&p.values, "ignore_public_acls").unwrap_or(false),
            block_public_policy: bool_at(&p.values, "block_public_policy").unwrap_or(false),
            restrict_public_buckets: bool_at(&p.values, "restrict_public_buckets").unwrap_or(false),
        },
        // New buckets block all public access by default (April 2023).
        None => PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        },
    });
    let versioning = m
        .ctx
        .attached("aws_s3_bucket_versioning", "bucket", r)
        .first()
        .and_then(|v| block(&v.values, "versioning_configuration"))
        .and_then(|c| str_at(c, "status"))
        .map(|s| s == "Enabled")
        .or_else(|| block(m.values(), "versioning").and_then(|v| bool_at(v, "enabled")))
        .unwrap_or(false);
    let mut policy = None;
    for p in m.ctx.attached("aws_s3_bucket_policy", "bucket", r) {
        match str_at(&p.values, "policy") {
            Some(text) => policy = policy_document(text),
            None if Mapped::after_unknown(p, "policy") => {
                m.gap(&region, Operation::S3GetBucketPolicy, "policy", p);
            }
            None => {}
        }
    }
    let bucket = S3Bucket {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region,
        tags: m.tags(),
        source: m.source(),
        name: m.id.name.clone(),
        encryption,
        policy,
        public_access_block,
        versioning,
    };
    m.sink.account(m.target).storage.s3_buckets.push(bucket);
    true
}

fn key(m: &mut Mapped<'_, '_, '_>) -> bool {
    let region = m.region();
    let v = m.values();
    let policy = match str_at(v, "policy") {
        Some(text) => policy_document(text),
        None if Mapped::after_unknown(m.r, "policy") => {
            m.gap(&region, Operation::KmsGetKeyPolicy, "policy", m.r);
            None
        }
        None => Some(super::super::default_key_policy(&m.target.account_id)),
    };
    let mut aliases: Vec<String> = Vec::new();
    for alias in m.ctx.attached("aws_kms_alias", "target_key_id", m.r) {
        match str_at(&alias.values, "name") {
            Some(name) => aliases.push(name.to_owned()),
            // `name_prefix`: the name is chosen at apply.
            None => m.gap(&region, Operation::KmsListAliases, "name", alias),
        }
    }
    aliases.sort();
    aliases.dedup();
    let rotation_enabled = Some(m.flag(
        "enable_key_rotation",
        false,
        &region,
        Operation::KmsGetKeyRotationStatus,
    ));
    let key = KmsKey {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region,
        tags: m.tags(),
        source: m.source(),
        key_id: m.id.id.clone(),
        key_manager: "CUSTOMER".to_owned(),
        key_state: if bool_at(v, "is_enabled").unwrap_or(true) {
            "Enabled"
        } else {
            "Disabled"
        }
        .to_owned(),
        key_spec: str_at(v, "customer_master_key_spec")
            .unwrap_or("SYMMETRIC_DEFAULT")
            .to_owned(),
        key_usage: str_at(v, "key_usage")
            .unwrap_or("ENCRYPT_DECRYPT")
            .to_owned(),
        multi_region: bool_at(v, "multi_region").unwrap_or(false),
        rotation_enabled,
        policy,
        aliases,
    };
    m.sink.account(m.target).kms_keys.push(key);
    true
}

fn volume(m: &mut Mapped<'_, '_, '_>) -> bool {
    let region = m.region();
    let op = Operation::Ec2DescribeVolumes;
    let encrypted = match bool_at(m.values(), "encrypted") {
        Some(b) => b,
        None => {
            // The plan's own `aws_ebs_encryption_by_default` decides it when it is on.
            let by_default = m
                .ctx
                .of_type("aws_ebs_encryption_by_default")
                .iter()
                .any(|d| bool_at(&d.values, "enabled").unwrap_or(true));
            if !by_default {
                let arn = m.id.arn.clone();
                m.sink.unknown(m.target, &region, &arn, op,
                    format!("`encrypted` of `{}` is not set: the volume is encrypted only if the account's EBS encryption by default is on", m.r.address));
            }
            by_default
        }
    };
    let volume = EbsVolume {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region: region.clone(),
        tags: m.tags(),
        source: m.source(),
        volume_id: m.id.id.clone(),
        encrypted,
        kms_key_arn: m.reference("kms_key_id", &region, op),
        size_gib: super::number_at(m.values(), "size")
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(0),
    };
    m.sink.account(m.target).storage.ebs_volumes.push(volume);
    true
}

fn db_instance(m: &mut Mapped<'_, '_, '_>) -> bool {
    let region = m.region();
    let op = Operation::RdsDescribeDbInstances;
    let storage_encrypted = m.flag("storage_encrypted", false, &region, op);
    let publicly_accessible = m.flag("publicly_accessible", false, &region, op);
    let instance = RdsDbInstance {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region: region.clone(),
        tags: m.tags(),
        source: m.source(),
        identifier: m.id.id.clone(),
        engine: str_at(m.values(), "engine").unwrap_or_default().to_owned(),
        storage_encrypted,
        kms_key_arn: m.reference("kms_key_id", &region, op),
        publicly_accessible,
    };
    m.sink
        .account(m.target)
        .storage
        .rds_instances
        .push(instance);
    true
}

fn cluster(m: &mut Mapped<'_, '_, '_>) -> bool {
    let region = m.region();
    let op = Operation::RdsDescribeDbClusters;
    // Serverless v1 clusters are always encrypted.
    let serverless = str_at(m.values(), "engine_mode") == Some("serverless");
    let storage_encrypted = m.flag("storage_encrypted", serverless, &region, op) || serverless;
    let mut members: Vec<String> = m
        .ctx
        .attached("aws_rds_cluster_instance", "cluster_identifier", m.r)
        .iter()
        .filter_map(|i| m.ctx.identity(i).map(|id| id.id.clone()))
        .collect();
    members.sort();
    members.dedup();
    let cluster = RdsDbCluster {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region: region.clone(),
        tags: m.tags(),
        source: m.source(),
        identifier: m.id.id.clone(),
        engine: str_at(m.values(), "engine").unwrap_or("aurora").to_owned(),
        storage_encrypted,
        kms_key_arn: m.reference("kms_key_id", &region, op),
        members,
    };
    m.sink.account(m.target).storage.rds_clusters.push(cluster);
    true
}
