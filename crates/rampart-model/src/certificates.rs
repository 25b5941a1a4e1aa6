//! ACM certificates.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{impl_resource, ResourceType, Source, Tags};

/// An ACM certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcmCertificate {
    /// Certificate ARN.
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
    /// Primary domain name.
    pub domain_name: String,
    /// `AMAZON_ISSUED`, `IMPORTED` or `PRIVATE`.
    pub certificate_type: String,
    /// `ISSUED`, `EXPIRED`, `PENDING_VALIDATION`, …
    pub status: String,
    /// `RSA_2048`, `EC_prime256v1`, …
    pub key_algorithm: String,
    /// End of validity; absent for certificates not yet issued.
    #[serde(default)]
    pub not_after: Option<DateTime<Utc>>,
    /// ARNs of the resources using it.
    #[serde(default)]
    pub in_use_by: Vec<String>,
    /// `ELIGIBLE` or `INELIGIBLE` for managed renewal.
    #[serde(default)]
    pub renewal_eligibility: Option<String>,
}
impl_resource!(AcmCertificate, ResourceType::AcmCertificate);
