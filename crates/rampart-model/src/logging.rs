//! Audit logging: CloudTrail and AWS Config.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{impl_resource, ResourceType, Source, Tags};

/// An account's logging configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    /// CloudTrail trails visible from the account (organization trails included).
    #[serde(default)]
    pub cloudtrail_trails: Vec<CloudTrailTrail>,
    /// AWS Config recorders, one per region at most.
    #[serde(default)]
    pub config_recorders: Vec<ConfigRecorder>,
    /// AWS Config configuration aggregators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_aggregators: Vec<ConfigAggregator>,
}

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudTrailTrail {
    /// Trail ARN.
    pub arn: String,
    /// Owning account (for an organization trail, the account that created it).
    pub account_id: String,
    /// Home region.
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Trail name.
    pub name: String,
    /// Whether it logs every region.
    pub is_multi_region: bool,
    /// Whether it is an organization trail.
    #[serde(default)]
    pub is_organization_trail: bool,
    /// Whether it is logging now.
    pub is_logging: bool,
    /// Whether log file validation is on.
    #[serde(default)]
    pub log_file_validation: bool,
    /// The KMS key encrypting the logs, if any.
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// Destination bucket.
    pub s3_bucket_name: String,
    /// Which management events it logs (`All`, `ReadOnly`, `WriteOnly` or `None`); absent
    /// when its event selectors were not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_events: Option<String>,
    /// Number of data event selectors (basic or advanced).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub data_event_selectors: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
impl_resource!(CloudTrailTrail, ResourceType::CloudTrailTrail);

/// An AWS Config configuration recorder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    /// Synthesized ARN `arn:aws:config:REGION:ACCOUNT:configuration-recorder/NAME`.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Always empty: recorders have no tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Recorder name.
    pub name: String,
    /// Whether it is recording.
    pub recording: bool,
    /// Whether it records all supported resource types.
    #[serde(default)]
    pub all_supported: bool,
}
impl_resource!(ConfigRecorder, ResourceType::ConfigRecorder);

/// An AWS Config configuration aggregator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigAggregator {
    /// Aggregator ARN.
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
    /// Aggregator name.
    pub name: String,
    /// Whether it aggregates the whole organization (otherwise listed accounts).
    #[serde(default)]
    pub organization: bool,
    /// Whether it aggregates every region, current and future.
    #[serde(default)]
    pub all_regions: bool,
    /// The regions it aggregates, when not all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The accounts it aggregates, when not the organization.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_ids: Vec<String>,
}
