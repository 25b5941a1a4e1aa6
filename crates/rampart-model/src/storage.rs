//! Data stores: S3, EBS and RDS.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{impl_resource, ResourceType, Source, Tags};

/// An S3 bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Bucket {
    /// Bucket ARN (`arn:aws:s3:::NAME`).
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// The bucket's location.
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Bucket name.
    pub name: String,
    /// Default encryption; absent when it could not be read.
    #[serde(default)]
    pub encryption: Option<BucketEncryption>,
    /// The bucket policy; absent when the bucket has none.
    #[serde(default)]
    pub policy: Option<crate::PolicyDocument>,
    /// Public access block; absent when it could not be read (not configured = all false).
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlock>,
    /// Whether versioning is enabled.
    #[serde(default)]
    pub versioning: bool,
}
impl_resource!(S3Bucket, ResourceType::S3Bucket);

/// A bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`, or `none`.
    pub sse_algorithm: String,
    /// The KMS key ARN for SSE-KMS; absent means the AWS managed key `aws/s3`.
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// Whether S3 Bucket Keys are enabled.
    #[serde(default)]
    pub bucket_key_enabled: bool,
}

/// The four public access block settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    /// BlockPublicAcls.
    pub block_public_acls: bool,
    /// IgnorePublicAcls.
    pub ignore_public_acls: bool,
    /// BlockPublicPolicy.
    pub block_public_policy: bool,
    /// RestrictPublicBuckets.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// Whether all four settings are on.
    pub fn all(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}

/// EBS encryption by default in one account and region.
///
/// AWS has no ARN for this setting; rampart uses
/// `arn:aws:ec2:REGION:ACCOUNT:ebs-encryption-by-default`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsEncryptionDefault {
    /// Synthesized ARN (see the type's documentation).
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Always empty: the setting has no tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Whether new volumes are encrypted by default.
    pub enabled: bool,
    /// The default KMS key, if not `aws/ebs`.
    #[serde(default)]
    pub kms_key_arn: Option<String>,
}
impl_resource!(EbsEncryptionDefault, ResourceType::EbsEncryptionDefault);

/// An EBS volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsVolume {
    /// Volume ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Volume id.
    pub volume_id: String,
    /// Whether it is encrypted.
    pub encrypted: bool,
    /// The KMS key, when encrypted.
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// Size in GiB.
    #[serde(default)]
    pub size_gib: u32,
}
impl_resource!(EbsVolume, ResourceType::EbsVolume);

/// An RDS DB instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsDbInstance {
    /// Instance ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// DB instance identifier.
    pub identifier: String,
    /// Engine (`postgres`, `mysql`, …).
    pub engine: String,
    /// Whether storage is encrypted.
    pub storage_encrypted: bool,
    /// The KMS key, when encrypted.
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// Whether it is publicly accessible.
    #[serde(default)]
    pub publicly_accessible: bool,
}
impl_resource!(RdsDbInstance, ResourceType::RdsDbInstance);

/// An RDS DB cluster (Aurora, or a Multi-AZ DB cluster): its storage is the cluster's, and
/// its member instances are [`RdsDbInstance`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsDbCluster {
    /// Cluster ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// DB cluster identifier.
    pub identifier: String,
    /// Engine (`aurora-postgresql`, `aurora-mysql`, `postgres`, …).
    pub engine: String,
    /// Whether storage is encrypted.
    pub storage_encrypted: bool,
    /// The KMS key, when encrypted.
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// The identifiers of its member instances.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}
impl_resource!(RdsDbCluster, ResourceType::RdsDbCluster);
