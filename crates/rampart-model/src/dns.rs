//! DNS: Route 53 hosted zones and Route 53 Resolver rules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{impl_resource, ResourceType, Source, Tags};

/// An account's DNS configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    /// Route 53 hosted zones (global).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosted_zones: Vec<HostedZone>,
    /// Route 53 Resolver rules, per region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolver_rules: Vec<ResolverRule>,
}

impl Dns {
    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.hosted_zones.is_empty() && self.resolver_rules.is_empty()
    }
}

/// A Route 53 hosted zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostedZone {
    /// Hosted zone ARN (`arn:aws:route53:::hostedzone/ID`).
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region (always `global`).
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Hosted zone id (without the `/hostedzone/` prefix).
    pub zone_id: String,
    /// Domain name, with the trailing dot.
    pub name: String,
    /// Whether it is a private zone (resolvable only from associated VPCs).
    #[serde(default)]
    pub private: bool,
    /// Number of record sets.
    #[serde(default)]
    pub record_count: i64,
    /// The VPCs a private zone is associated with; absent for public zones and when not
    /// read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_associations: Option<Vec<HostedZoneVpc>>,
}

/// A VPC that a private hosted zone answers in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostedZoneVpc {
    /// VPC id.
    pub vpc_id: String,
    /// The VPC's region.
    pub region: String,
}

impl_resource!(HostedZone, ResourceType::HostedZone);

/// A Route 53 Resolver rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolverRule {
    /// Resolver rule ARN.
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
    /// Resolver rule id.
    pub rule_id: String,
    /// The domain it applies to.
    pub domain_name: String,
    /// `FORWARD`, `SYSTEM` or `RECURSIVE`.
    pub rule_type: String,
    /// Target IP addresses (`ip:port`) it forwards to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_ips: Vec<String>,
    /// The outbound endpoint it forwards through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolver_endpoint_id: Option<String>,
    /// The account that owns it (rules can be shared through RAM).
    pub owner_id: String,
    /// `NOT_SHARED`, `SHARED_WITH_ME` or `SHARED_BY_ME`.
    pub share_status: String,
}

impl_resource!(ResolverRule, ResourceType::ResolverRule);
