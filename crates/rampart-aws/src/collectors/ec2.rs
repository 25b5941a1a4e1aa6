//! EC2 and VPC networking in one region: VPCs, subnets, route tables, gateways, transit
//! gateways, VPN connections, security groups, network ACLs, flow logs, VPC endpoints, EBS
//! volumes and EBS encryption by default. Also the account's enabled regions.

use aws_sdk_ec2::types::{IpPermission, Tag};
use rampart_model::{
    EbsEncryptionDefault, EbsVolume, FlowLog, InternetGateway, NatGateway, Network, NetworkAcl,
    NetworkAclEntry, Route, RouteTable, SecurityGroup, SecurityGroupRule, Subnet, Tags,
    TransitGateway, TransitGatewayAttachment, Vpc, VpcEndpoint, VpnConnection,
};
use rampart_model::{Operation, Service};

use crate::calls::Failure;
use crate::session::{client, Scope, Session};
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
    let ec2 = client!(session, aws_sdk_ec2, session.home_region());
    let out = ec2
        .describe_regions()
        .all_regions(false)
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| !matches!(r.opt_in_status(), Some("not-opted-in")))
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

fn ec2_tags(list: &[Tag]) -> Tags {
    list.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

/// Runs a paginated describe call, recording an operation gap on failure.
macro_rules! describe {
    ($scope:expr, $op:expr, $req:expr) => {
        match $req.into_paginator().items().send().try_collect().await {
            Ok(items) => Some(items),
            Err(e) => {
                $scope.operation_gap($op, None, &Failure::of(&e));
                None
            }
        }
    };
}

/// Reads the region. If VPCs cannot be described, the whole `ec2` service is a gap here.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Ec2Region {
    let ec2 = client!(session, aws_sdk_ec2, scope.region);
    let (account, region) = (scope.account_id, scope.region);
    let arn = |kind: &str, id: &str| format!("arn:aws:ec2:{region}:{account}:{kind}/{id}");
    let mut out = Ec2Region::default();
    let vpcs = match ec2
        .describe_vpcs()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(v) => v,
        Err(e) => {
            scope.service_gap(Service::Ec2, Operation::Ec2DescribeVpcs, &Failure::of(&e));
            return out;
        }
    };
    let n = &mut out.network;
    for v in vpcs {
        let id = v.vpc_id().unwrap_or_default().to_owned();
        let mut cidr_blocks: Vec<String> = v
            .cidr_block_association_set()
            .iter()
            .filter_map(|a| a.cidr_block().map(str::to_owned))
            .collect();
        if cidr_blocks.is_empty() {
            cidr_blocks.extend(v.cidr_block().map(str::to_owned));
        }
        cidr_blocks.sort();
        cidr_blocks.dedup();
        n.vpcs.push(Vpc {
            arn: arn("vpc", &id),
            account_id: account.to_owned(),
            region: region.to_owned(),
            tags: ec2_tags(v.tags()),
            source: api(Operation::Ec2DescribeVpcs),
            is_default: v.is_default().unwrap_or(false),
            cidr_blocks,
            vpc_id: id,
        });
    }
    if let Some(subnets) = describe!(scope, Operation::Ec2DescribeSubnets, ec2.describe_subnets()) {
        for s in subnets {
            let id = s.subnet_id().unwrap_or_default().to_owned();
            n.subnets.push(Subnet {
                arn: s
                    .subnet_arn()
                    .map_or_else(|| arn("subnet", &id), str::to_owned),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(s.tags()),
                source: api(Operation::Ec2DescribeSubnets),
                vpc_id: s.vpc_id().unwrap_or_default().to_owned(),
                cidr_block: s.cidr_block().unwrap_or_default().to_owned(),
                availability_zone: s.availability_zone().unwrap_or_default().to_owned(),
                map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
                subnet_id: id,
            });
        }
    }
    if let Some(tables) = describe!(
        scope,
        Operation::Ec2DescribeRouteTables,
        ec2.describe_route_tables()
    ) {
        for t in tables {
            let id = t.route_table_id().unwrap_or_default().to_owned();
            let mut subnet_ids: Vec<String> = t
                .associations()
                .iter()
                .filter_map(|a| a.subnet_id().map(str::to_owned))
                .collect();
            subnet_ids.sort();
            let routes = t
                .routes()
                .iter()
                .map(|r| Route {
                    destination: r
                        .destination_cidr_block()
                        .or(r.destination_ipv6_cidr_block())
                        .or(r.destination_prefix_list_id())
                        .unwrap_or_default()
                        .to_owned(),
                    target: r
                        .gateway_id()
                        .or(r.nat_gateway_id())
                        .or(r.transit_gateway_id())
                        .or(r.vpc_peering_connection_id())
                        .or(r.network_interface_id())
                        .or(r.instance_id())
                        .or(r.egress_only_internet_gateway_id())
                        .or(r.local_gateway_id())
                        .or(r.carrier_gateway_id())
                        .or(r.core_network_arn())
                        .unwrap_or("unknown")
                        .to_owned(),
                })
                .collect();
            n.route_tables.push(RouteTable {
                arn: arn("route-table", &id),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(t.tags()),
                source: api(Operation::Ec2DescribeRouteTables),
                vpc_id: t.vpc_id().unwrap_or_default().to_owned(),
                main: t.associations().iter().any(|a| a.main().unwrap_or(false)),
                subnet_ids,
                routes,
                route_table_id: id,
            });
        }
    }
    if let Some(igws) = describe!(
        scope,
        Operation::Ec2DescribeInternetGateways,
        ec2.describe_internet_gateways()
    ) {
        for g in igws {
            let id = g.internet_gateway_id().unwrap_or_default().to_owned();
            let mut attached: Vec<String> = g
                .attachments()
                .iter()
                .filter_map(|a| a.vpc_id().map(str::to_owned))
                .collect();
            attached.sort();
            n.internet_gateways.push(InternetGateway {
                arn: arn("internet-gateway", &id),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(g.tags()),
                source: api(Operation::Ec2DescribeInternetGateways),
                attached_vpc_ids: attached,
                internet_gateway_id: id,
            });
        }
    }
    if let Some(nats) = describe!(
        scope,
        Operation::Ec2DescribeNatGateways,
        ec2.describe_nat_gateways()
    ) {
        for g in nats {
            let id = g.nat_gateway_id().unwrap_or_default().to_owned();
            n.nat_gateways.push(NatGateway {
                arn: arn("natgateway", &id),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(g.tags()),
                source: api(Operation::Ec2DescribeNatGateways),
                vpc_id: g.vpc_id().unwrap_or_default().to_owned(),
                subnet_id: g.subnet_id().unwrap_or_default().to_owned(),
                connectivity_type: g
                    .connectivity_type()
                    .map_or("public", |c| c.as_str())
                    .to_owned(),
                state: g.state().map_or("unknown", |s| s.as_str()).to_owned(),
                nat_gateway_id: id,
            });
        }
    }
    if let Some(tgws) = describe!(
        scope,
        Operation::Ec2DescribeTransitGateways,
        ec2.describe_transit_gateways()
    ) {
        for g in tgws {
            let id = g.transit_gateway_id().unwrap_or_default().to_owned();
            n.transit_gateways.push(TransitGateway {
                arn: g
                    .transit_gateway_arn()
                    .map_or_else(|| arn("transit-gateway", &id), str::to_owned),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(g.tags()),
                source: api(Operation::Ec2DescribeTransitGateways),
                owner_id: g.owner_id().unwrap_or(account).to_owned(),
                state: g.state().map_or("unknown", |s| s.as_str()).to_owned(),
                auto_accept_shared_attachments: g
                    .options()
                    .and_then(|o| o.auto_accept_shared_attachments())
                    .is_some_and(|v| v.as_str() == "enable"),
                transit_gateway_id: id,
            });
        }
    }
    if let Some(atts) = describe!(
        scope,
        Operation::Ec2DescribeTransitGatewayAttachments,
        ec2.describe_transit_gateway_attachments()
    ) {
        for a in atts {
            let id = a
                .transit_gateway_attachment_id()
                .unwrap_or_default()
                .to_owned();
            n.transit_gateway_attachments
                .push(TransitGatewayAttachment {
                    arn: arn("transit-gateway-attachment", &id),
                    account_id: account.to_owned(),
                    region: region.to_owned(),
                    tags: ec2_tags(a.tags()),
                    source: api(Operation::Ec2DescribeTransitGatewayAttachments),
                    transit_gateway_id: a.transit_gateway_id().unwrap_or_default().to_owned(),
                    resource_type: a
                        .resource_type()
                        .map_or("unknown", |t| t.as_str())
                        .to_owned(),
                    resource_id: a.resource_id().unwrap_or_default().to_owned(),
                    resource_owner_id: a.resource_owner_id().unwrap_or(account).to_owned(),
                    state: a.state().map_or("unknown", |s| s.as_str()).to_owned(),
                    attachment_id: id,
                });
        }
    }
    // DescribeVpnConnections has no pagination.
    match ec2.describe_vpn_connections().send().await {
        Ok(out) => {
            for c in out.vpn_connections() {
                let id = c.vpn_connection_id().unwrap_or_default().to_owned();
                n.vpn_connections.push(VpnConnection {
                    arn: arn("vpn-connection", &id),
                    account_id: account.to_owned(),
                    region: region.to_owned(),
                    tags: ec2_tags(c.tags()),
                    source: api(Operation::Ec2DescribeVpnConnections),
                    customer_gateway_id: c.customer_gateway_id().unwrap_or_default().to_owned(),
                    vpn_gateway_id: c.vpn_gateway_id().map(str::to_owned),
                    transit_gateway_id: c.transit_gateway_id().map(str::to_owned),
                    state: c.state().map_or("unknown", |s| s.as_str()).to_owned(),
                    static_routes_only: c
                        .options()
                        .and_then(|o| o.static_routes_only())
                        .unwrap_or(false),
                    vpn_connection_id: id,
                });
            }
        }
        Err(e) => scope.operation_gap(Operation::Ec2DescribeVpnConnections, None, &Failure::of(&e)),
    }
    if let Some(groups) = describe!(
        scope,
        Operation::Ec2DescribeSecurityGroups,
        ec2.describe_security_groups()
    ) {
        for g in groups {
            let id = g.group_id().unwrap_or_default().to_owned();
            n.security_groups.push(SecurityGroup {
                arn: g
                    .security_group_arn()
                    .map_or_else(|| arn("security-group", &id), str::to_owned),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(g.tags()),
                source: api(Operation::Ec2DescribeSecurityGroups),
                name: g.group_name().unwrap_or_default().to_owned(),
                vpc_id: g.vpc_id().unwrap_or_default().to_owned(),
                ingress: g.ip_permissions().iter().flat_map(rules).collect(),
                group_id: id,
            });
        }
    }
    if let Some(acls) = describe!(
        scope,
        Operation::Ec2DescribeNetworkAcls,
        ec2.describe_network_acls()
    ) {
        for a in acls {
            let id = a.network_acl_id().unwrap_or_default().to_owned();
            let mut subnet_ids: Vec<String> = a
                .associations()
                .iter()
                .filter_map(|s| s.subnet_id().map(str::to_owned))
                .collect();
            subnet_ids.sort();
            let mut entries: Vec<NetworkAclEntry> = a
                .entries()
                .iter()
                .map(|e| NetworkAclEntry {
                    rule_number: e.rule_number().unwrap_or(32767),
                    egress: e.egress().unwrap_or(false),
                    action: e.rule_action().map_or("deny", |r| r.as_str()).to_owned(),
                    protocol: e.protocol().unwrap_or("-1").to_owned(),
                    cidr: e
                        .cidr_block()
                        .or(e.ipv6_cidr_block())
                        .unwrap_or_default()
                        .to_owned(),
                    from_port: e.port_range().and_then(|p| p.from()),
                    to_port: e.port_range().and_then(|p| p.to()),
                })
                .collect();
            entries.sort_by_key(|e| (e.egress, e.rule_number));
            n.network_acls.push(NetworkAcl {
                arn: arn("network-acl", &id),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(a.tags()),
                source: api(Operation::Ec2DescribeNetworkAcls),
                vpc_id: a.vpc_id().unwrap_or_default().to_owned(),
                is_default: a.is_default().unwrap_or(false),
                subnet_ids,
                entries,
                network_acl_id: id,
            });
        }
    }
    if let Some(logs) = describe!(
        scope,
        Operation::Ec2DescribeFlowLogs,
        ec2.describe_flow_logs()
    ) {
        for l in logs {
            n.flow_logs.push(FlowLog {
                flow_log_id: l.flow_log_id().unwrap_or_default().to_owned(),
                region: region.to_owned(),
                resource_id: l.resource_id().unwrap_or_default().to_owned(),
                traffic_type: l.traffic_type().map_or("ALL", |t| t.as_str()).to_owned(),
                destination_type: l
                    .log_destination_type()
                    .map_or("cloud-watch-logs", |t| t.as_str())
                    .to_owned(),
            });
        }
    }
    if let Some(endpoints) = describe!(
        scope,
        Operation::Ec2DescribeVpcEndpoints,
        ec2.describe_vpc_endpoints()
    ) {
        for e in endpoints {
            let id = e.vpc_endpoint_id().unwrap_or_default().to_owned();
            let policy = match e.policy_document().map(decode_policy) {
                Some(Ok(doc)) => Some(doc),
                Some(Err(err)) => {
                    scope.operation_gap(
                        Operation::Ec2DescribeVpcEndpoints,
                        Some(&arn("vpc-endpoint", &id)),
                        &Failure::from_code("MalformedPolicyDocument", &err),
                    );
                    None
                }
                None => None,
            };
            n.vpc_endpoints.push(VpcEndpoint {
                arn: arn("vpc-endpoint", &id),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(e.tags()),
                source: api(Operation::Ec2DescribeVpcEndpoints),
                vpc_id: e.vpc_id().unwrap_or_default().to_owned(),
                service_name: e.service_name().unwrap_or_default().to_owned(),
                endpoint_type: e
                    .vpc_endpoint_type()
                    .map_or("Gateway", |t| t.as_str())
                    .to_owned(),
                state: e.state().map_or("unknown", |s| s.as_str()).to_owned(),
                policy,
                vpc_endpoint_id: id,
            });
        }
    }
    if let Some(volumes) = describe!(scope, Operation::Ec2DescribeVolumes, ec2.describe_volumes()) {
        for v in volumes {
            let id = v.volume_id().unwrap_or_default().to_owned();
            out.volumes.push(EbsVolume {
                arn: arn("volume", &id),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: ec2_tags(v.tags()),
                source: api(Operation::Ec2DescribeVolumes),
                encrypted: v.encrypted().unwrap_or(false),
                kms_key_arn: v.kms_key_id().map(str::to_owned),
                size_gib: v.size().and_then(|s| u32::try_from(s).ok()).unwrap_or(0),
                volume_id: id,
            });
        }
    }
    match ec2.get_ebs_encryption_by_default().send().await {
        Ok(r) => {
            let enabled = r.ebs_encryption_by_default().unwrap_or(false);
            let kms_key_arn = if enabled {
                match ec2.get_ebs_default_kms_key_id().send().await {
                    Ok(k) => k
                        .kms_key_id()
                        .filter(|k| *k != "alias/aws/ebs")
                        .map(str::to_owned),
                    Err(e) => {
                        // Only this setting's key is unknown, not the region's EC2 data.
                        scope.operation_gap(
                            Operation::Ec2GetEbsDefaultKmsKeyId,
                            Some(&format!(
                                "arn:aws:ec2:{region}:{account}:ebs-encryption-by-default"
                            )),
                            &Failure::of(&e),
                        );
                        None
                    }
                }
            } else {
                None
            };
            out.ebs_default = Some(EbsEncryptionDefault {
                arn: format!("arn:aws:ec2:{region}:{account}:ebs-encryption-by-default"),
                account_id: account.to_owned(),
                region: region.to_owned(),
                tags: Tags::new(),
                source: api(Operation::Ec2GetEbsEncryptionByDefault),
                enabled,
                kms_key_arn,
            });
        }
        Err(e) => scope.operation_gap(
            Operation::Ec2GetEbsEncryptionByDefault,
            None,
            &Failure::of(&e),
        ),
    }

    // Sorted with the rest of the account (`sort_account`).
    out
}

/// One model rule per source of an ingress permission.
fn rules(p: &IpPermission) -> Vec<SecurityGroupRule> {
    let protocol = p.ip_protocol().unwrap_or("-1").to_owned();
    let (from_port, to_port) = if protocol == "-1" {
        (-1, -1)
    } else {
        (p.from_port().unwrap_or(-1), p.to_port().unwrap_or(-1))
    };
    let sources = p
        .ip_ranges()
        .iter()
        .filter_map(|r| r.cidr_ip())
        .chain(p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6()))
        .chain(p.user_id_group_pairs().iter().filter_map(|g| g.group_id()))
        .chain(
            p.prefix_list_ids()
                .iter()
                .filter_map(|l| l.prefix_list_id()),
        );
    sources
        .map(|source| SecurityGroupRule {
            protocol: protocol.clone(),
            from_port,
            to_port,
            source: source.to_owned(),
        })
        .collect()
}
