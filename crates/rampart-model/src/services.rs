//! Account-wide services: the security services' enablement, RAM shares and the account's
//! alternate contacts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{impl_resource, ResourceType, Service, Source, Tags};

/// A regional security service whose enablement rampart reads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityServiceKind {
    /// Amazon GuardDuty (a detector in the region).
    Guardduty,
    /// AWS Security Hub (the hub is enabled in the region).
    Securityhub,
    /// IAM Access Analyzer (an active analyzer in the region).
    AccessAnalyzer,
    /// Amazon Macie (a session in the region).
    Macie,
}

impl SecurityServiceKind {
    /// Every kind, in this order.
    pub const ALL: [SecurityServiceKind; 4] = [
        SecurityServiceKind::Guardduty,
        SecurityServiceKind::Securityhub,
        SecurityServiceKind::AccessAnalyzer,
        SecurityServiceKind::Macie,
    ];

    /// The IAM service prefix (`guardduty`, `access-analyzer`).
    pub fn prefix(self) -> &'static str {
        match self {
            SecurityServiceKind::Guardduty => "guardduty",
            SecurityServiceKind::Securityhub => "securityhub",
            SecurityServiceKind::AccessAnalyzer => "access-analyzer",
            SecurityServiceKind::Macie => "macie2",
        }
    }

    /// The model's service (what its coverage gaps name).
    pub fn service(self) -> Service {
        match self {
            SecurityServiceKind::Guardduty => Service::Guardduty,
            SecurityServiceKind::Securityhub => Service::Securityhub,
            SecurityServiceKind::AccessAnalyzer => Service::AccessAnalyzer,
            SecurityServiceKind::Macie => Service::Macie2,
        }
    }

    /// The service principal that a delegated administrator is registered for.
    pub fn service_principal(self) -> &'static str {
        match self {
            SecurityServiceKind::Guardduty => "guardduty.amazonaws.com",
            SecurityServiceKind::Securityhub => "securityhub.amazonaws.com",
            SecurityServiceKind::AccessAnalyzer => "access-analyzer.amazonaws.com",
            SecurityServiceKind::Macie => "macie.amazonaws.com",
        }
    }

    /// The product name.
    pub fn title(self) -> &'static str {
        match self {
            SecurityServiceKind::Guardduty => "GuardDuty",
            SecurityServiceKind::Securityhub => "Security Hub",
            SecurityServiceKind::AccessAnalyzer => "IAM Access Analyzer",
            SecurityServiceKind::Macie => "Macie",
        }
    }
}

/// Whether one security service is on in one account and region.
///
/// AWS has no ARN for this state; rampart uses
/// `arn:aws:SERVICE:REGION:ACCOUNT:rampart-enablement` with the service's IAM prefix
/// (`arn:aws:guardduty:eu-west-1:111122223333:rampart-enablement`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityServiceStatus {
    /// Synthesized ARN (see the type's documentation).
    pub arn: String,
    /// The account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Always empty.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Which service.
    pub service: SecurityServiceKind,
    /// Whether it is on: a detector that is `ENABLED`, a subscribed hub, an `ACTIVE`
    /// analyzer, an `ENABLED` Macie session.
    pub enabled: bool,
    /// Whether what is on covers the whole organization (an organization analyzer of
    /// IAM Access Analyzer, read in the account that owns it).
    #[serde(default)]
    pub organization_wide: bool,
    /// The detector id, hub ARN or analyzer names, when on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
impl_resource!(SecurityServiceStatus, ResourceType::SecurityService);

/// An AWS RAM resource share owned by the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceShare {
    /// Resource share ARN.
    pub arn: String,
    /// The owning account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Share name.
    pub name: String,
    /// `ACTIVE`, `PENDING`, `FAILED`, `DELETING` or `DELETED`.
    pub status: String,
    /// Whether principals outside the organization may be added.
    #[serde(default)]
    pub allow_external_principals: bool,
    /// Who it is shared with (associated or associating): account ids, OU or organization
    /// ARNs, or IAM principal ARNs; absent when the associations could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principals: Option<Vec<String>>,
    /// The ARNs of the shared resources; absent when they could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<String>>,
}
impl_resource!(ResourceShare, ResourceType::ResourceShare);

/// One alternate contact of an account (only whether it is set and whom it names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlternateContact {
    /// `SECURITY`, `OPERATIONS` or `BILLING`.
    pub contact_type: String,
    /// The contact's name.
    #[serde(default)]
    pub name: String,
    /// The contact's email address.
    #[serde(default)]
    pub email_address: String,
}
