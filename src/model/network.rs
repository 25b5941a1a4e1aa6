//! VPC networking.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{impl_resource, ResourceType, Source, Tags};

/// A VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    /// VPC ARN.
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
    /// VPC id.
    pub vpc_id: String,
    /// IPv4 CIDR blocks.
    pub cidr_blocks: Vec<String>,
    /// Whether it is the region's default VPC.
    #[serde(default)]
    pub is_default: bool,
}
impl_resource!(Vpc, ResourceType::Vpc);

/// A subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    /// Subnet ARN.
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
    /// Subnet id.
    pub subnet_id: String,
    /// The VPC it belongs to.
    pub vpc_id: String,
    /// IPv4 CIDR block.
    pub cidr_block: String,
    /// Availability zone.
    pub availability_zone: String,
    /// Whether instances get a public IP on launch.
    #[serde(default)]
    pub map_public_ip_on_launch: bool,
}
impl_resource!(Subnet, ResourceType::Subnet);

/// A security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    /// Security group ARN.
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
    /// Group id.
    pub group_id: String,
    /// Group name.
    pub name: String,
    /// The VPC it belongs to.
    pub vpc_id: String,
    /// Inbound rules.
    #[serde(default)]
    pub ingress: Vec<SecurityGroupRule>,
}
impl_resource!(SecurityGroup, ResourceType::SecurityGroup);

/// One inbound rule of a security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRule {
    /// `tcp`, `udp`, `icmp` or `-1` for all.
    pub protocol: String,
    /// First port of the range.
    pub from_port: i32,
    /// Last port of the range.
    pub to_port: i32,
    /// Source CIDR (IPv4 or IPv6) or security group id.
    pub source: String,
}

/// A VPC flow log (not a resource of its own in rules; it describes a VPC or subnet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowLog {
    /// Flow log id.
    pub flow_log_id: String,
    /// Region.
    pub region: String,
    /// The VPC, subnet or ENI it captures.
    pub resource_id: String,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: String,
    /// `cloud-watch-logs` or `s3`.
    pub destination_type: String,
}
