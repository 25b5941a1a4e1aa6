//! Coverage gaps: what a collector could not read, and why.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Something that could not be read. Rules that need it report `unknown`, never `pass`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct CoverageGap {
    /// The account, or `*` for every account.
    pub account_id: String,
    /// The region, `global` for global services, or `*` for every region.
    pub region: String,
    /// The AWS service prefix whose data is missing (`kms`, `s3`, `ec2`, …).
    pub service: String,
    /// Why: the error code and message, e.g. `AccessDenied: kms:ListKeys`.
    pub reason: String,
    /// When only one resource's details are missing, its ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl CoverageGap {
    /// Whether this gap hides data of `service` for a resource in `account_id`/`region`.
    ///
    /// A gap for region `*` covers every region; a resource-scoped gap covers only that ARN.
    pub fn covers(&self, account_id: &str, region: &str, service: &str, arn: Option<&str>) -> bool {
        (self.account_id == "*" || self.account_id == account_id)
            && (self.region == "*" || self.region == region)
            && self.service == service
            && match (&self.resource, arn) {
                (Some(gap_arn), Some(arn)) => gap_arn == arn,
                (Some(_), None) => false,
                (None, _) => true,
            }
    }
}
