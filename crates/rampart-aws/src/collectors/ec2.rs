//! EC2 and VPC networking in one region: VPCs, subnets, route tables, gateways, transit
//! gateways, VPN connections, security groups, network ACLs, flow logs, VPC endpoints, EBS
//! volumes and EBS encryption by default. Also the account's enabled regions.
//!
//! Read through [`crate::ec2_query`] (not `aws-sdk-ec2`, too big to compile within the
//! build's memory budget). Each response shape has its own reader below, which yields
//! exactly what the SDK's types gave: an element that is present but empty is an empty
//! string, an absent one takes the same default as before.

use rampart_model::{
    EbsEncryptionDefault, EbsVolume, FlowLog, InternetGateway, NatGateway, Network, NetworkAcl,
    NetworkAclEntry, Route, RouteTable, SecurityGroup, SecurityGroupRule, Subnet, Tags,
    TransitGateway, TransitGatewayAttachment, Vpc, VpcEndpoint, VpnConnection,
};
use rampart_model::{Operation, Service};

use crate::calls::Failure;
use crate::ec2_query::{unreadable, Ec2, Element, Params, XmlError};
use crate::session::{Scope, Session};
use crate::util::{api, decode_policy};

/// What one region's EC2 reads produce.
#[derive(Debug, Default)]
pub(crate) struct Ec2Region {
    pub(crate) network: Network,
    pub(crate) ebs_default: Option<EbsEncryptionDefault>,
    pub(crate) volumes: Vec<EbsVolume>,
}

/// The regions enabled in the account (opted in, or not needing opt-in).
pub(crate) async fn enabled_regions(session: &Session) -> Result<Vec<String>, Failure> {
    let ec2 = Ec2::new(session, &session.home_region());
    let out = ec2
        .call(
            Operation::Ec2DescribeRegions,
            Params::default().with("AllRegions", "false"),
        )
        .await?;
    Ok(regions(&out))
}

/// The enabled region names of a `DescribeRegions` response, sorted.
pub(crate) fn regions(out: &Element) -> Vec<String> {
    let mut regions: Vec<String> = out
        .items("regionInfo")
        .filter(|r| r.text("optInStatus") != Some("not-opted-in"))
        .filter_map(|r| r.text("regionName").map(str::to_owned))
        .collect();
    regions.sort();
    regions.dedup();
    regions
}

/// Where the resources being read live: names their ARNs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place<'a> {
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
}

impl Place<'_> {
    fn arn(&self, kind: &str, id: &str) -> String {
        format!("arn:aws:ec2:{}:{}:{kind}/{id}", self.region, self.account)
    }

    fn ebs_default_arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:{}:ebs-encryption-by-default",
            self.region, self.account
        )
    }
}

fn text(e: &Element, name: &str) -> String {
    e.text(name).unwrap_or_default().to_owned()
}

fn tags(e: &Element) -> Tags {
    e.items("tagSet")
        .filter_map(|t| Some((t.text("key")?.to_owned(), text(t, "value"))))
        .collect()
}

/// Reads every `<item>` of a paginated call, recording an operation gap on failure.
async fn describe(
    ec2: &Ec2,
    scope: &Scope<'_>,
    operation: Operation,
    list: &str,
) -> Option<Vec<Element>> {
    match ec2.describe(operation, list).await {
        Ok(items) => Some(items),
        Err(failure) => {
            scope.operation_gap(operation, None, &failure);
            None
        }
    }
}

/// Reads each item with `read`; a value the SDK could not have parsed makes the whole
/// response unreadable, as it did there.
fn read_all<T>(
    scope: &Scope<'_>,
    operation: Operation,
    items: Option<Vec<Element>>,
    place: Place<'_>,
    read: fn(&Element, Place<'_>) -> Result<T, XmlError>,
) -> Vec<T> {
    let Some(items) = items else {
        return Vec::new();
    };
    match items
        .iter()
        .map(|item| read(item, place))
        .collect::<Result<Vec<T>, XmlError>>()
    {
        Ok(values) => values,
        Err(e) => {
            scope.operation_gap(operation, None, &unreadable(&e));
            Vec::new()
        }
    }
}

/// Reads the region. If VPCs cannot be described, the whole `ec2` service is a gap here.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Ec2Region {
    let ec2 = Ec2::new(session, scope.region);
    let place = Place {
        account: scope.account_id,
        region: scope.region,
    };
    let mut out = Ec2Region::default();
    let vpcs = match ec2.describe(Operation::Ec2DescribeVpcs, "vpcSet").await {
        Ok(items) => items
            .iter()
            .map(|v| vpc(v, place))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| unreadable(&e)),
        Err(e) => Err(e),
    };
    let n = &mut out.network;
    n.vpcs = match vpcs {
        Ok(vpcs) => vpcs,
        Err(failure) => {
            scope.service_gap(Service::Ec2, Operation::Ec2DescribeVpcs, &failure);
            return out;
        }
    };
    macro_rules! read {
        ($op:expr, $list:literal, $read:expr) => {{
            let items = describe(&ec2, &scope, $op, $list).await;
            read_all(&scope, $op, items, place, $read)
        }};
    }
    n.subnets = read!(Operation::Ec2DescribeSubnets, "subnetSet", subnet);
    n.route_tables = read!(
        Operation::Ec2DescribeRouteTables,
        "routeTableSet",
        route_table
    );
    n.internet_gateways = read!(
        Operation::Ec2DescribeInternetGateways,
        "internetGatewaySet",
        internet_gateway
    );
    n.nat_gateways = read!(
        Operation::Ec2DescribeNatGateways,
        "natGatewaySet",
        nat_gateway
    );
    n.transit_gateways = read!(
        Operation::Ec2DescribeTransitGateways,
        "transitGatewaySet",
        transit_gateway
    );
    n.transit_gateway_attachments = read!(
        Operation::Ec2DescribeTransitGatewayAttachments,
        "transitGatewayAttachments",
        transit_gateway_attachment
    );
    // DescribeVpnConnections has no pagination.
    let vpn = Operation::Ec2DescribeVpnConnections;
    n.vpn_connections = match ec2.call(vpn, Params::default()).await {
        Ok(page) => {
            let items = page.items("vpnConnectionSet").cloned().collect();
            read_all(&scope, vpn, Some(items), place, vpn_connection)
        }
        Err(e) => {
            scope.operation_gap(vpn, None, &e);
            Vec::new()
        }
    };
    n.security_groups = read!(
        Operation::Ec2DescribeSecurityGroups,
        "securityGroupInfo",
        security_group
    );
    n.network_acls = read!(
        Operation::Ec2DescribeNetworkAcls,
        "networkAclSet",
        network_acl
    );
    n.flow_logs = read!(Operation::Ec2DescribeFlowLogs, "flowLogSet", flow_log);
    let endpoints = read!(
        Operation::Ec2DescribeVpcEndpoints,
        "vpcEndpointSet",
        vpc_endpoint
    );
    for (endpoint, policy_error) in endpoints {
        if let Some(err) = policy_error {
            scope.operation_gap(
                Operation::Ec2DescribeVpcEndpoints,
                Some(&endpoint.arn),
                &Failure::from_code("MalformedPolicyDocument", &err),
            );
        }
        n.vpc_endpoints.push(endpoint);
    }
    n.transit_gateway_route_tables = super::transit_gateway::route_tables(&ec2, &scope).await;
    out.volumes = read!(Operation::Ec2DescribeVolumes, "volumeSet", volume);
    out.ebs_default = ebs_default(&ec2, &scope, place).await;

    // Sorted with the rest of the account (`sort_account`).
    out
}

/// EBS encryption by default, and its key when it is on.
async fn ebs_default(
    ec2: &Ec2,
    scope: &Scope<'_>,
    place: Place<'_>,
) -> Option<EbsEncryptionDefault> {
    let by_default = Operation::Ec2GetEbsEncryptionByDefault;
    let enabled = match ec2.call(by_default, Params::default()).await {
        Ok(out) => out
            .boolean("ebsEncryptionByDefault")
            .map_err(|e| unreadable(&e)),
        Err(e) => Err(e),
    };
    let enabled = match enabled {
        Ok(enabled) => enabled.unwrap_or(false),
        Err(e) => {
            scope.operation_gap(by_default, None, &e);
            return None;
        }
    };
    let kms_key_arn = if enabled {
        let key = Operation::Ec2GetEbsDefaultKmsKeyId;
        match ec2.call(key, Params::default()).await {
            Ok(k) => default_kms_key(&k),
            Err(e) => {
                // Only this setting's key is unknown, not the region's EC2 data.
                scope.operation_gap(key, Some(&place.ebs_default_arn()), &e);
                None
            }
        }
    } else {
        None
    };
    Some(EbsEncryptionDefault {
        arn: place.ebs_default_arn(),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: Tags::new(),
        source: api(by_default),
        enabled,
        kms_key_arn,
    })
}

/// The default EBS key of a `GetEbsDefaultKmsKeyId` response; none for the AWS managed key.
pub(crate) fn default_kms_key(out: &Element) -> Option<String> {
    out.text("kmsKeyId")
        .filter(|k| *k != "alias/aws/ebs")
        .map(str::to_owned)
}

pub(crate) fn vpc(v: &Element, place: Place<'_>) -> Result<Vpc, XmlError> {
    let id = text(v, "vpcId");
    let mut cidr_blocks: Vec<String> = v
        .items("cidrBlockAssociationSet")
        .filter_map(|a| a.text("cidrBlock").map(str::to_owned))
        .collect();
    if cidr_blocks.is_empty() {
        cidr_blocks.extend(v.text("cidrBlock").map(str::to_owned));
    }
    cidr_blocks.sort();
    cidr_blocks.dedup();
    Ok(Vpc {
        arn: place.arn("vpc", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(v),
        source: api(Operation::Ec2DescribeVpcs),
        is_default: v.boolean("isDefault")?.unwrap_or(false),
        cidr_blocks,
        vpc_id: id,
    })
}

pub(crate) fn subnet(s: &Element, place: Place<'_>) -> Result<Subnet, XmlError> {
    let id = text(s, "subnetId");
    Ok(Subnet {
        arn: s
            .text("subnetArn")
            .map_or_else(|| place.arn("subnet", &id), str::to_owned),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(s),
        source: api(Operation::Ec2DescribeSubnets),
        vpc_id: text(s, "vpcId"),
        cidr_block: text(s, "cidrBlock"),
        availability_zone: text(s, "availabilityZone"),
        map_public_ip_on_launch: s.boolean("mapPublicIpOnLaunch")?.unwrap_or(false),
        subnet_id: id,
    })
}

/// Route targets in the order the collector has always preferred them.
const ROUTE_TARGETS: &[&str] = &[
    "gatewayId",
    "natGatewayId",
    "transitGatewayId",
    "vpcPeeringConnectionId",
    "networkInterfaceId",
    "instanceId",
    "egressOnlyInternetGatewayId",
    "localGatewayId",
    "carrierGatewayId",
    "coreNetworkArn",
];

pub(crate) fn route_table(t: &Element, place: Place<'_>) -> Result<RouteTable, XmlError> {
    let id = text(t, "routeTableId");
    let mut subnet_ids: Vec<String> = t
        .items("associationSet")
        .filter_map(|a| a.text("subnetId").map(str::to_owned))
        .collect();
    subnet_ids.sort();
    let routes = t
        .items("routeSet")
        .map(|r| Route {
            destination: [
                "destinationCidrBlock",
                "destinationIpv6CidrBlock",
                "destinationPrefixListId",
            ]
            .into_iter()
            .find_map(|name| r.text(name))
            .unwrap_or_default()
            .to_owned(),
            target: ROUTE_TARGETS
                .iter()
                .find_map(|name| r.text(name))
                .unwrap_or("unknown")
                .to_owned(),
        })
        .collect();
    let mut main = false;
    for a in t.items("associationSet") {
        main |= a.boolean("main")?.unwrap_or(false);
    }
    Ok(RouteTable {
        arn: place.arn("route-table", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(t),
        source: api(Operation::Ec2DescribeRouteTables),
        vpc_id: text(t, "vpcId"),
        main,
        subnet_ids,
        routes,
        route_table_id: id,
    })
}

pub(crate) fn internet_gateway(g: &Element, place: Place<'_>) -> Result<InternetGateway, XmlError> {
    let id = text(g, "internetGatewayId");
    let mut attached: Vec<String> = g
        .items("attachmentSet")
        .filter_map(|a| a.text("vpcId").map(str::to_owned))
        .collect();
    attached.sort();
    Ok(InternetGateway {
        arn: place.arn("internet-gateway", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(g),
        source: api(Operation::Ec2DescribeInternetGateways),
        attached_vpc_ids: attached,
        internet_gateway_id: id,
    })
}

pub(crate) fn nat_gateway(g: &Element, place: Place<'_>) -> Result<NatGateway, XmlError> {
    let id = text(g, "natGatewayId");
    Ok(NatGateway {
        arn: place.arn("natgateway", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(g),
        source: api(Operation::Ec2DescribeNatGateways),
        vpc_id: text(g, "vpcId"),
        subnet_id: text(g, "subnetId"),
        connectivity_type: g.text("connectivityType").unwrap_or("public").to_owned(),
        state: g.text("state").unwrap_or("unknown").to_owned(),
        nat_gateway_id: id,
    })
}

pub(crate) fn transit_gateway(g: &Element, place: Place<'_>) -> Result<TransitGateway, XmlError> {
    let id = text(g, "transitGatewayId");
    Ok(TransitGateway {
        arn: g
            .text("transitGatewayArn")
            .map_or_else(|| place.arn("transit-gateway", &id), str::to_owned),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(g),
        source: api(Operation::Ec2DescribeTransitGateways),
        owner_id: g.text("ownerId").unwrap_or(place.account).to_owned(),
        state: g.text("state").unwrap_or("unknown").to_owned(),
        auto_accept_shared_attachments: g
            .child("options")
            .and_then(|o| o.text("autoAcceptSharedAttachments"))
            == Some("enable"),
        transit_gateway_id: id,
    })
}

pub(crate) fn transit_gateway_attachment(
    a: &Element,
    place: Place<'_>,
) -> Result<TransitGatewayAttachment, XmlError> {
    let id = text(a, "transitGatewayAttachmentId");
    Ok(TransitGatewayAttachment {
        arn: place.arn("transit-gateway-attachment", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(a),
        source: api(Operation::Ec2DescribeTransitGatewayAttachments),
        transit_gateway_id: text(a, "transitGatewayId"),
        resource_type: a.text("resourceType").unwrap_or("unknown").to_owned(),
        resource_id: text(a, "resourceId"),
        resource_owner_id: a
            .text("resourceOwnerId")
            .unwrap_or(place.account)
            .to_owned(),
        state: a.text("state").unwrap_or("unknown").to_owned(),
        attachment_id: id,
    })
}

pub(crate) fn vpn_connection(c: &Element, place: Place<'_>) -> Result<VpnConnection, XmlError> {
    let id = text(c, "vpnConnectionId");
    let static_routes_only = match c.child("options") {
        Some(options) => options.boolean("staticRoutesOnly")?.unwrap_or(false),
        None => false,
    };
    Ok(VpnConnection {
        arn: place.arn("vpn-connection", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(c),
        source: api(Operation::Ec2DescribeVpnConnections),
        customer_gateway_id: text(c, "customerGatewayId"),
        vpn_gateway_id: c.text("vpnGatewayId").map(str::to_owned),
        transit_gateway_id: c.text("transitGatewayId").map(str::to_owned),
        state: c.text("state").unwrap_or("unknown").to_owned(),
        static_routes_only,
        vpn_connection_id: id,
    })
}

pub(crate) fn security_group(g: &Element, place: Place<'_>) -> Result<SecurityGroup, XmlError> {
    let id = text(g, "groupId");
    let mut ingress = Vec::new();
    for permission in g.items("ipPermissions") {
        ingress.extend(rules(permission)?);
    }
    let mut egress = Vec::new();
    for permission in g.items("ipPermissionsEgress") {
        egress.extend(rules(permission)?);
    }
    Ok(SecurityGroup {
        arn: g
            .text("securityGroupArn")
            .map_or_else(|| place.arn("security-group", &id), str::to_owned),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(g),
        source: api(Operation::Ec2DescribeSecurityGroups),
        name: text(g, "groupName"),
        vpc_id: text(g, "vpcId"),
        ingress,
        egress: Some(egress),
        group_id: id,
    })
}

/// One model rule per peer (source or destination) of a permission.
fn rules(p: &Element) -> Result<Vec<SecurityGroupRule>, XmlError> {
    let protocol = p.text("ipProtocol").unwrap_or("-1").to_owned();
    let (from, to) = (p.int("fromPort")?, p.int("toPort")?);
    let (from_port, to_port) = if protocol == "-1" {
        (-1, -1)
    } else {
        (from.unwrap_or(-1), to.unwrap_or(-1))
    };
    let sources = p
        .items("ipRanges")
        .filter_map(|r| r.text("cidrIp"))
        .chain(p.items("ipv6Ranges").filter_map(|r| r.text("cidrIpv6")))
        .chain(p.items("groups").filter_map(|g| g.text("groupId")))
        .chain(
            p.items("prefixListIds")
                .filter_map(|l| l.text("prefixListId")),
        );
    Ok(sources
        .map(|source| SecurityGroupRule {
            protocol: protocol.clone(),
            from_port,
            to_port,
            source: source.to_owned(),
        })
        .collect())
}

pub(crate) fn network_acl(a: &Element, place: Place<'_>) -> Result<NetworkAcl, XmlError> {
    let id = text(a, "networkAclId");
    let mut subnet_ids: Vec<String> = a
        .items("associationSet")
        .filter_map(|s| s.text("subnetId").map(str::to_owned))
        .collect();
    subnet_ids.sort();
    let mut entries = Vec::new();
    for e in a.items("entrySet") {
        let ports = e.child("portRange");
        entries.push(NetworkAclEntry {
            rule_number: e.int("ruleNumber")?.unwrap_or(32767),
            egress: e.boolean("egress")?.unwrap_or(false),
            action: e.text("ruleAction").unwrap_or("deny").to_owned(),
            protocol: e.text("protocol").unwrap_or("-1").to_owned(),
            cidr: e
                .text("cidrBlock")
                .or(e.text("ipv6CidrBlock"))
                .unwrap_or_default()
                .to_owned(),
            from_port: ports.map(|p| p.int("from")).transpose()?.flatten(),
            to_port: ports.map(|p| p.int("to")).transpose()?.flatten(),
        });
    }
    entries.sort_by_key(|e| (e.egress, e.rule_number));
    Ok(NetworkAcl {
        arn: place.arn("network-acl", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(a),
        source: api(Operation::Ec2DescribeNetworkAcls),
        vpc_id: text(a, "vpcId"),
        is_default: a.boolean("default")?.unwrap_or(false),
        subnet_ids,
        entries,
        network_acl_id: id,
    })
}

pub(crate) fn flow_log(l: &Element, place: Place<'_>) -> Result<FlowLog, XmlError> {
    Ok(FlowLog {
        flow_log_id: text(l, "flowLogId"),
        region: place.region.to_owned(),
        resource_id: text(l, "resourceId"),
        traffic_type: l.text("trafficType").unwrap_or("ALL").to_owned(),
        destination_type: l
            .text("logDestinationType")
            .unwrap_or("cloud-watch-logs")
            .to_owned(),
    })
}

/// A VPC endpoint, and why its policy could not be read when it could not.
pub(crate) fn vpc_endpoint(
    e: &Element,
    place: Place<'_>,
) -> Result<(VpcEndpoint, Option<String>), XmlError> {
    let id = text(e, "vpcEndpointId");
    let (policy, policy_error) = match e.text("policyDocument").map(decode_policy) {
        Some(Ok(doc)) => (Some(doc), None),
        Some(Err(err)) => (None, Some(err)),
        None => (None, None),
    };
    let endpoint = VpcEndpoint {
        arn: place.arn("vpc-endpoint", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(e),
        source: api(Operation::Ec2DescribeVpcEndpoints),
        vpc_id: text(e, "vpcId"),
        service_name: text(e, "serviceName"),
        endpoint_type: e.text("vpcEndpointType").unwrap_or("Gateway").to_owned(),
        state: e.text("state").unwrap_or("unknown").to_owned(),
        policy,
        vpc_endpoint_id: id,
    };
    Ok((endpoint, policy_error))
}

pub(crate) fn volume(v: &Element, place: Place<'_>) -> Result<EbsVolume, XmlError> {
    let id = text(v, "volumeId");
    Ok(EbsVolume {
        arn: place.arn("volume", &id),
        account_id: place.account.to_owned(),
        region: place.region.to_owned(),
        tags: tags(v),
        source: api(Operation::Ec2DescribeVolumes),
        encrypted: v.boolean("encrypted")?.unwrap_or(false),
        kms_key_arn: v.text("kmsKeyId").map(str::to_owned),
        size_gib: v
            .int("size")?
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(0),
        volume_id: id,
    })
}

#[cfg(test)]
#[path = "ec2_tests.rs"]
mod tests;
