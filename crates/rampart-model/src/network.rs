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
    /// Outbound rules (`source` is then the destination); absent when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress: Option<Vec<SecurityGroupRule>>,
}
impl_resource!(SecurityGroup, ResourceType::SecurityGroup);

/// One rule of a security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRule {
    /// `tcp`, `udp`, `icmp` or `-1` for all.
    pub protocol: String,
    /// First port of the range.
    pub from_port: i32,
    /// Last port of the range.
    pub to_port: i32,
    /// The peer: for inbound rules the source, for outbound rules the destination (a CIDR,
    /// IPv4 or IPv6, a security group id, or a prefix list id).
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

/// A route table and its routes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    /// Route table ARN.
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
    /// Route table id.
    pub route_table_id: String,
    /// The VPC.
    pub vpc_id: String,
    /// Whether it is the VPC's main route table.
    #[serde(default)]
    pub main: bool,
    /// Subnets explicitly associated with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    /// Routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
}

impl_resource!(RouteTable, ResourceType::RouteTable);

/// One route of a route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Destination CIDR block or prefix list id.
    pub destination: String,
    /// Target: `local`, or a gateway, NAT gateway, transit gateway, peering or endpoint id.
    pub target: String,
}

/// An internet gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InternetGateway {
    /// Internet gateway ARN.
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
    /// Internet gateway id.
    pub internet_gateway_id: String,
    /// VPCs it is attached to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attached_vpc_ids: Vec<String>,
}

impl_resource!(InternetGateway, ResourceType::InternetGateway);

/// A NAT gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatGateway {
    /// NAT gateway ARN.
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
    /// NAT gateway id.
    pub nat_gateway_id: String,
    /// The VPC.
    pub vpc_id: String,
    /// The subnet it sits in.
    pub subnet_id: String,
    /// `public` or `private`.
    pub connectivity_type: String,
    /// `available`, `pending`, `deleted`, …
    pub state: String,
}

impl_resource!(NatGateway, ResourceType::NatGateway);

/// A transit gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGateway {
    /// Transit gateway ARN.
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
    /// Transit gateway id.
    pub transit_gateway_id: String,
    /// The account that owns it (it may be shared into this account).
    pub owner_id: String,
    /// `available`, `pending`, `deleted`, …
    pub state: String,
    /// Whether attachment requests from other accounts are accepted automatically.
    #[serde(default)]
    pub auto_accept_shared_attachments: bool,
}

impl_resource!(TransitGateway, ResourceType::TransitGateway);

/// A transit gateway attachment (VPC, VPN, peering, Direct Connect gateway…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGatewayAttachment {
    /// Attachment ARN.
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
    /// Attachment id.
    pub attachment_id: String,
    /// The transit gateway.
    pub transit_gateway_id: String,
    /// `vpc`, `vpn`, `peering`, `direct-connect-gateway`, `connect`, …
    pub resource_type: String,
    /// The attached resource (VPC id, VPN connection id, …).
    pub resource_id: String,
    /// The account that owns the attached resource.
    pub resource_owner_id: String,
    /// `available`, `pendingAcceptance`, `deleted`, …
    pub state: String,
}

impl_resource!(
    TransitGatewayAttachment,
    ResourceType::TransitGatewayAttachment
);

/// A site-to-site VPN connection to on-premises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnConnection {
    /// VPN connection ARN.
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
    /// VPN connection id.
    pub vpn_connection_id: String,
    /// The customer gateway (the on-premises side).
    pub customer_gateway_id: String,
    /// The virtual private gateway, when it ends on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpn_gateway_id: Option<String>,
    /// The transit gateway, when it ends on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_id: Option<String>,
    /// `available`, `pending`, `deleted`, …
    pub state: String,
    /// Whether only static routes are used (no BGP).
    #[serde(default)]
    pub static_routes_only: bool,
}

impl_resource!(VpnConnection, ResourceType::VpnConnection);

/// A network ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAcl {
    /// Network ACL ARN.
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
    /// Network ACL id.
    pub network_acl_id: String,
    /// The VPC.
    pub vpc_id: String,
    /// Whether it is the VPC's default network ACL.
    #[serde(default)]
    pub is_default: bool,
    /// Subnets it is associated with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    /// Entries, in rule-number order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<NetworkAclEntry>,
}

impl_resource!(NetworkAcl, ResourceType::NetworkAcl);

/// One entry of a network ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAclEntry {
    /// Rule number (32767 is the default deny).
    pub rule_number: i32,
    /// Whether it applies to outbound traffic.
    pub egress: bool,
    /// `allow` or `deny`.
    pub action: String,
    /// IP protocol number, `-1` for all.
    pub protocol: String,
    /// IPv4 or IPv6 CIDR block.
    pub cidr: String,
    /// First port, when the protocol has ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    /// Last port, when the protocol has ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
}

/// A VPC endpoint (gateway or interface).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcEndpoint {
    /// VPC endpoint ARN.
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
    /// VPC endpoint id.
    pub vpc_endpoint_id: String,
    /// The VPC.
    pub vpc_id: String,
    /// Service name, e.g. `com.amazonaws.eu-west-1.s3`.
    pub service_name: String,
    /// `Gateway`, `Interface` or `GatewayLoadBalancer`.
    pub endpoint_type: String,
    /// `available`, `pending`, `deleted`, …
    pub state: String,
    /// The endpoint policy, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::PolicyDocument>,
}

impl_resource!(VpcEndpoint, ResourceType::VpcEndpoint);

/// A listener of an application, network or gateway load balancer: how clients connect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerListener {
    /// Listener ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Tags (listeners are read without theirs).
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// The load balancer's ARN.
    pub load_balancer_arn: String,
    /// The load balancer's name.
    pub load_balancer_name: String,
    /// `application`, `network` or `gateway`.
    pub load_balancer_type: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// The port clients connect to.
    pub port: u16,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP` or `GENEVE`.
    pub protocol: String,
    /// The TLS security policy (`ELBSecurityPolicy-TLS13-1-2-2021-06`), for `HTTPS` and
    /// `TLS` listeners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
    /// Whether every request is answered by a redirect to `HTTPS` (the default action).
    #[serde(default)]
    pub redirects_to_https: bool,
}

impl_resource!(LoadBalancerListener, ResourceType::LoadBalancerListener);

/// A transit gateway route table: which attachments use it and where it sends traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGatewayRouteTable {
    /// Route table ARN.
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
    /// Route table id.
    pub route_table_id: String,
    /// The transit gateway.
    pub transit_gateway_id: String,
    /// Whether new attachments are associated with it by default.
    #[serde(default)]
    pub default_association: bool,
    /// Whether new attachments propagate to it by default.
    #[serde(default)]
    pub default_propagation: bool,
    /// The attachments associated with it (whose traffic it routes); absent when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associations: Option<Vec<String>>,
    /// The attachments that propagate their routes into it; absent when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagations: Option<Vec<String>>,
    /// Its routes; absent when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<TransitGatewayRoute>>,
}
impl_resource!(
    TransitGatewayRouteTable,
    ResourceType::TransitGatewayRouteTable
);

/// One route of a transit gateway route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGatewayRoute {
    /// Destination CIDR (or prefix list id).
    pub destination: String,
    /// `static` or `propagated`.
    pub route_type: String,
    /// `active` or `blackhole`.
    pub state: String,
    /// The attachments traffic goes to (none for a blackhole).
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

/// An AWS Direct Connect connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectConnectConnection {
    /// Connection ARN (`arn:aws:directconnect:REGION:ACCOUNT:dxcon/ID`).
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
    /// Connection id (`dxcon-…`).
    pub connection_id: String,
    /// Connection name.
    pub name: String,
    /// `ordering`, `requested`, `pending`, `available`, `down`, `deleting`, `deleted`,
    /// `rejected` or `unknown`.
    pub state: String,
    /// The Direct Connect location.
    #[serde(default)]
    pub location: String,
    /// Bandwidth (`1Gbps`).
    #[serde(default)]
    pub bandwidth: String,
}
impl_resource!(
    DirectConnectConnection,
    ResourceType::DirectConnectConnection
);
