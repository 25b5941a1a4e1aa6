//! VPC networking: gateways, route tables, network ACLs, endpoints, transit gateways, VPN
//! connections and flow logs, with EC2's documented defaults.

use rampart_iac::cfn::Resolved;
use rampart_iac::cfn::Resource as CfnResource;

use super::{truthy, Identity, Mapper, Prop};
use crate::model::{
    FlowLog, InternetGateway, NatGateway, NetworkAcl, NetworkAclEntry, Operation, PolicyDocument,
    Route, RouteTable, Source, TransitGateway, TransitGatewayAttachment, VpcEndpoint,
    VpnConnection,
};

/// The properties of `AWS::EC2::Route` that name where traffic goes.
const ROUTE_TARGETS: [&str; 11] = [
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "VpcEndpointId",
    "EgressOnlyInternetGatewayId",
    "NetworkInterfaceId",
    "InstanceId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
];

/// The properties of `AWS::EC2::Route` that name which traffic it routes.
const ROUTE_DESTINATIONS: [&str; 3] = [
    "DestinationCidrBlock",
    "DestinationIpv6CidrBlock",
    "DestinationPrefixListId",
];

impl Mapper<'_, '_> {
    /// Maps a networking resource; `false` when `resource` is not one.
    pub(super) fn network_resource(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> bool {
        let account_id = self.target.account_id.clone();
        let region = region.to_owned();
        let arn = identity.arn.clone();
        let id = identity.reference.clone();
        match resource.resource_type.as_str() {
            "AWS::EC2::InternetGateway" => {
                let op = Operation::Ec2DescribeInternetGateways;
                let tags = self.tags(resource, identity, &region, op);
                let mut attached_vpc_ids = self
                    .attachments
                    .gateway_vpcs
                    .get(&id)
                    .cloned()
                    .unwrap_or_default();
                attached_vpc_ids.sort();
                attached_vpc_ids.dedup();
                let gateway = InternetGateway {
                    arn,
                    account_id,
                    region,
                    tags,
                    source,
                    internet_gateway_id: id,
                    attached_vpc_ids,
                };
                self.sink
                    .account(self.target)
                    .network
                    .internet_gateways
                    .push(gateway);
            }
            "AWS::EC2::RouteTable" => {
                let table = self.route_table(resource, identity, &region, source);
                self.sink
                    .account(self.target)
                    .network
                    .route_tables
                    .push(table);
            }
            "AWS::EC2::NatGateway" => {
                let op = Operation::Ec2DescribeNatGateways;
                let tags = self.tags(resource, identity, &region, op);
                let subnet_id = self.string(resource, &["SubnetId"]).unwrap_or_default();
                let vpc_id = self.vpc_of_subnet(&subnet_id).unwrap_or_default();
                let gateway = NatGateway {
                    arn,
                    account_id,
                    region,
                    tags,
                    source,
                    nat_gateway_id: id,
                    vpc_id,
                    subnet_id,
                    connectivity_type: self
                        .string(resource, &["ConnectivityType"])
                        .unwrap_or_else(|| "public".to_owned()),
                    state: "available".to_owned(),
                };
                self.sink
                    .account(self.target)
                    .network
                    .nat_gateways
                    .push(gateway);
            }
            "AWS::EC2::NetworkAcl" => {
                let acl = self.network_acl(resource, identity, &region, source);
                self.sink
                    .account(self.target)
                    .network
                    .network_acls
                    .push(acl);
            }
            "AWS::EC2::VPCEndpoint" => {
                let op = Operation::Ec2DescribeVpcEndpoints;
                let tags = self.tags(resource, identity, &region, op);
                let endpoint_type = self
                    .known(resource, identity, &region, &["VpcEndpointType"], op)
                    .and_then(|v| v.text())
                    .unwrap_or_else(|| "Gateway".to_owned());
                let service_name = self
                    .known(resource, identity, &region, &["ServiceName"], op)
                    .and_then(|v| v.text())
                    .unwrap_or_default();
                // Gateway and interface endpoints created without a policy get the default
                // policy, which allows everything.
                let policy = match resource.property(&["PolicyDocument"]) {
                    Some(_) => self.policy(resource, identity, &region, &["PolicyDocument"], op),
                    None if endpoint_type.eq_ignore_ascii_case("GatewayLoadBalancer") => None,
                    None => Some(PolicyDocument::new(serde_json::json!({
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "*",
                            "Resource": "*"
                        }]
                    }))),
                };
                let endpoint = VpcEndpoint {
                    arn,
                    account_id,
                    region,
                    tags,
                    source,
                    vpc_endpoint_id: id,
                    vpc_id: self.string(resource, &["VpcId"]).unwrap_or_default(),
                    service_name,
                    endpoint_type,
                    state: "available".to_owned(),
                    policy,
                };
                self.sink
                    .account(self.target)
                    .network
                    .vpc_endpoints
                    .push(endpoint);
            }
            "AWS::EC2::TransitGateway" => {
                let op = Operation::Ec2DescribeTransitGateways;
                let tags = self.tags(resource, identity, &region, op);
                let auto_accept_shared_attachments = self
                    .known(
                        resource,
                        identity,
                        &region,
                        &["AutoAcceptSharedAttachments"],
                        op,
                    )
                    .and_then(|v| v.text())
                    .is_some_and(|v| v.eq_ignore_ascii_case("enable"));
                let gateway = TransitGateway {
                    arn,
                    owner_id: account_id.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    transit_gateway_id: id,
                    state: "available".to_owned(),
                    auto_accept_shared_attachments,
                };
                self.sink
                    .account(self.target)
                    .network
                    .transit_gateways
                    .push(gateway);
            }
            "AWS::EC2::TransitGatewayAttachment" | "AWS::EC2::TransitGatewayVpcAttachment" => {
                let op = Operation::Ec2DescribeTransitGatewayAttachments;
                let tags = self.tags(resource, identity, &region, op);
                let transit_gateway_id = self
                    .known(resource, identity, &region, &["TransitGatewayId"], op)
                    .and_then(|v| v.text())
                    .unwrap_or_default();
                let vpc_id = self
                    .known(resource, identity, &region, &["VpcId"], op)
                    .and_then(|v| v.text())
                    .unwrap_or_default();
                let attachment = TransitGatewayAttachment {
                    arn,
                    resource_owner_id: account_id.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    attachment_id: id,
                    transit_gateway_id,
                    resource_type: "vpc".to_owned(),
                    resource_id: vpc_id,
                    state: "available".to_owned(),
                };
                self.sink
                    .account(self.target)
                    .network
                    .transit_gateway_attachments
                    .push(attachment);
            }
            "AWS::EC2::VPNConnection" => {
                let op = Operation::Ec2DescribeVpnConnections;
                let tags = self.tags(resource, identity, &region, op);
                let static_routes_only = self
                    .known(resource, identity, &region, &["StaticRoutesOnly"], op)
                    .is_some_and(|v| truthy(&v));
                let connection = VpnConnection {
                    arn,
                    account_id,
                    region,
                    tags,
                    source,
                    vpn_connection_id: id,
                    customer_gateway_id: self
                        .string(resource, &["CustomerGatewayId"])
                        .unwrap_or_default(),
                    vpn_gateway_id: self.string(resource, &["VpnGatewayId"]),
                    transit_gateway_id: self.string(resource, &["TransitGatewayId"]),
                    state: "available".to_owned(),
                    static_routes_only,
                };
                self.sink
                    .account(self.target)
                    .network
                    .vpn_connections
                    .push(connection);
            }
            "AWS::EC2::FlowLog" => self.flow_log(resource, &region, id),
            _ => return false,
        }
        true
    }

    /// The VPC of a subnet the template declares.
    fn vpc_of_subnet(&self, subnet_id: &str) -> Option<String> {
        let subnet = self.template.resources.iter().find(|r| {
            r.resource_type.as_str() == "AWS::EC2::Subnet"
                && self
                    .identities
                    .get(&r.logical_id)
                    .is_some_and(|i| i.reference == subnet_id)
        })?;
        self.string(subnet, &["VpcId"])
    }

    fn route_table(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> RouteTable {
        let op = Operation::Ec2DescribeRouteTables;
        let tags = self.tags(resource, identity, region, op);
        let mut routes = Vec::new();
        let declared = self
            .attachments
            .routes
            .get(&identity.reference)
            .cloned()
            .unwrap_or_default();
        for logical_id in declared {
            let Some(route) = self.template.resource(&logical_id) else {
                continue;
            };
            let destination = self.route_part(route, identity, region, &ROUTE_DESTINATIONS);
            let target = self.route_part(route, identity, region, &ROUTE_TARGETS);
            if let (Some(destination), Some(target)) = (destination, target) {
                routes.push(Route {
                    destination,
                    target,
                });
            }
        }
        let mut subnet_ids = self
            .attachments
            .route_table_subnets
            .get(&identity.reference)
            .cloned()
            .unwrap_or_default();
        subnet_ids.sort();
        subnet_ids.dedup();
        RouteTable {
            arn: identity.arn.clone(),
            account_id: self.target.account_id.clone(),
            region: region.to_owned(),
            tags,
            source,
            route_table_id: identity.reference.clone(),
            vpc_id: self.string(resource, &["VpcId"]).unwrap_or_default(),
            // The VPC's main route table is created with the VPC, never by a template.
            main: false,
            subnet_ids,
            routes,
        }
    }

    /// The first of `keys` a route sets; when it is undecided (or none is decided), a gap
    /// on the route table.
    fn route_part(
        &mut self,
        route: &CfnResource,
        table: &Identity,
        region: &str,
        keys: &[&str],
    ) -> Option<String> {
        for key in keys {
            match self.prop(route, &[key]) {
                Prop::Absent => continue,
                Prop::Known(v) => {
                    if let Some(text) = v.text() {
                        return Some(text);
                    }
                }
                Prop::Unknown(reason) => {
                    self.sink.unknown(
                        self.target,
                        region,
                        &table.arn,
                        Operation::Ec2DescribeRouteTables,
                        format!("route `{}`: `{key}` {reason}", route.logical_id),
                    );
                    return None;
                }
            }
        }
        None
    }

    fn network_acl(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> NetworkAcl {
        let op = Operation::Ec2DescribeNetworkAcls;
        let tags = self.tags(resource, identity, region, op);
        let mut entries = Vec::new();
        let declared = self
            .attachments
            .acl_entries
            .get(&identity.reference)
            .cloned()
            .unwrap_or_default();
        for logical_id in declared {
            let Some(entry) = self.template.resource(&logical_id) else {
                continue;
            };
            let Some(node) = &entry.properties else {
                continue;
            };
            let value = self.template.resolve(node, self.context);
            match acl_entry(&value) {
                Some(e) if value.is_known() => entries.push(e),
                _ => {
                    let reason = match self.known_or_unknown(value, Some(node)) {
                        Prop::Unknown(reason) => reason,
                        _ => "has no rule number, action or CIDR block".to_owned(),
                    };
                    self.sink.unknown(
                        self.target,
                        region,
                        &identity.arn,
                        op,
                        format!("entry `{logical_id}` {reason}"),
                    );
                }
            }
        }
        // Every network ACL ends with the `*` entries that deny what no other entry decides.
        for egress in [false, true] {
            for cidr in ["0.0.0.0/0", "::/0"] {
                entries.push(NetworkAclEntry {
                    rule_number: 32767,
                    egress,
                    action: "deny".to_owned(),
                    protocol: "-1".to_owned(),
                    cidr: cidr.to_owned(),
                    from_port: None,
                    to_port: None,
                });
            }
        }
        entries.sort_by_key(|e| (e.egress, e.rule_number));
        let mut subnet_ids = self
            .attachments
            .acl_subnets
            .get(&identity.reference)
            .cloned()
            .unwrap_or_default();
        subnet_ids.sort();
        subnet_ids.dedup();
        NetworkAcl {
            arn: identity.arn.clone(),
            account_id: self.target.account_id.clone(),
            region: region.to_owned(),
            tags,
            source,
            network_acl_id: identity.reference.clone(),
            vpc_id: self.string(resource, &["VpcId"]).unwrap_or_default(),
            is_default: false,
            subnet_ids,
            entries,
        }
    }

    /// A flow log, on the model's list of flow logs; one whose resource is undecided may
    /// capture any VPC of the template.
    fn flow_log(&mut self, resource: &CfnResource, region: &str, id: String) {
        let op = Operation::Ec2DescribeFlowLogs;
        let resource_id = match self.prop(resource, &["ResourceId"]) {
            Prop::Known(v) => v.text(),
            Prop::Unknown(reason) => {
                let vpcs: Vec<String> = self
                    .template
                    .resources
                    .iter()
                    .filter(|r| r.resource_type.as_str() == "AWS::EC2::VPC")
                    .filter_map(|r| self.identities.get(&r.logical_id))
                    .map(|i| i.arn.clone())
                    .collect();
                for vpc in vpcs {
                    self.sink.unknown(
                        self.target,
                        region,
                        &vpc,
                        op,
                        format!("flow log `{}`: `ResourceId` {reason}", resource.logical_id),
                    );
                }
                None
            }
            Prop::Absent => None,
        };
        let Some(resource_id) = resource_id else {
            return;
        };
        let flow_log = FlowLog {
            flow_log_id: id,
            region: region.to_owned(),
            resource_id,
            traffic_type: self
                .string(resource, &["TrafficType"])
                .unwrap_or_else(|| "ALL".to_owned()),
            destination_type: self
                .string(resource, &["LogDestinationType"])
                .unwrap_or_else(|| "cloud-watch-logs".to_owned()),
        };
        self.sink
            .account(self.target)
            .network
            .flow_logs
            .push(flow_log);
    }
}

/// One `AWS::EC2::NetworkAclEntry` in the model's form (`Egress` defaults to inbound);
/// `None` without a rule number, an action or a CIDR block.
fn acl_entry(entry: &Resolved) -> Option<NetworkAclEntry> {
    let text = |key: &str| entry.get(key).and_then(Resolved::text);
    let rule_number = text("RuleNumber")?.parse().ok()?;
    let action = text("RuleAction")?.to_ascii_lowercase();
    let cidr = text("CidrBlock").or_else(|| text("Ipv6CidrBlock"))?;
    let protocol = text("Protocol")?;
    let port = |key: &str| {
        entry
            .get("PortRange")
            .and_then(|r| r.get(key))
            .and_then(Resolved::text)
            .and_then(|p| p.parse().ok())
    };
    Some(NetworkAclEntry {
        rule_number,
        egress: entry.get("Egress").is_some_and(truthy),
        action,
        protocol,
        cidr,
        from_port: port("From"),
        to_port: port("To"),
    })
}
