//! KMS keys.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{impl_resource, ResourceType, Source, Tags};

/// A KMS key with its policy and rotation state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// Key ARN.
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
    /// Key id (a UUID, or `mrk-…` for multi-Region keys).
    pub key_id: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …
    pub key_state: String,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, …
    pub key_spec: String,
    /// `ENCRYPT_DECRYPT`, `SIGN_VERIFY`, …
    pub key_usage: String,
    /// Whether it is a multi-Region key.
    #[serde(default)]
    pub multi_region: bool,
    /// Whether automatic rotation is on; absent when not read or not applicable.
    #[serde(default)]
    pub rotation_enabled: Option<bool>,
    /// The key policy; absent when it could not be read.
    #[serde(default)]
    pub policy: Option<crate::PolicyDocument>,
    /// Alias names (`alias/…`).
    #[serde(default)]
    pub aliases: Vec<String>,
}
impl_resource!(KmsKey, ResourceType::KmsKey);
