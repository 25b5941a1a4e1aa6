//! Networking: VPCs, subnets, security groups and their rules, gateways, route tables and
//! routes, network ACLs, endpoints, flow logs, transit gateways, VPN connections and load
//! balancer listeners.

use super::{block, blocks, bool_at, number_at, policy_document, str_at, Mapped, Resolved};
use crate::model::{
    FlowLog, InternetGateway, LoadBalancerListener, NatGateway, NetworkAcl, NetworkAclEntry,
    Operation, Route, RouteTable, SecurityGroup, SecurityGroupRule, Subnet, Tags, TransitGateway,
    TransitGatewayAttachment, Vpc, VpcEndpoint, VpnConnection,
};

/// Maps `t` if it is one of this module's types.
pub(super) fn map(m: &mut Mapped<'_, '_, '_>, t: &str) -> bool {
    match t {
        "aws_security_group" => security_group(m),
        "aws_vpc" => {
            let region = m.region();
            let cidr = m.reference("cidr_block", &region, Operation::Ec2DescribeVpcs);
            let vpc = Vpc {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region,
                tags: m.tags(),
                source: m.source(),
                vpc_id: m.id.id.clone(),
                cidr_blocks: cidr.into_iter().collect(),
                is_default: false,
            };
            m.sink.account(m.target).network.vpcs.push(vpc);
            true
        }
        "aws_subnet" => {
            let region = m.region();
            let op = Operation::Ec2DescribeSubnets;
            let subnet = Subnet {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: region.clone(),
                tags: m.tags(),
                source: m.source(),
                subnet_id: m.id.id.clone(),
                vpc_id: m.text("vpc_id"),
                cidr_block: m.reference("cidr_block", &region, op).unwrap_or_default(),
                availability_zone: m.text("availability_zone"),
                map_public_ip_on_launch: m.flag("map_public_ip_on_launch", false, &region, op),
            };
            m.sink.account(m.target).network.subnets.push(subnet);
            true
        }
        "aws_internet_gateway" => {
            let mut attached_vpc_ids: Vec<String> = Vec::new();
            attached_vpc_ids.extend(Some(m.text("vpc_id")).filter(|v| !v.is_empty()));
            for a in m.ctx.attached(
                "aws_internet_gateway_attachment",
                "internet_gateway_id",
                m.r,
            ) {
                if let Resolved::Known(vpc) = m.ctx.resolve(a, &["vpc_id"]) {
                    attached_vpc_ids.push(vpc);
                }
            }
            attached_vpc_ids.sort();
            attached_vpc_ids.dedup();
            let gateway = InternetGateway {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: m.region(),
                tags: m.tags(),
                source: m.source(),
                internet_gateway_id: m.id.id.clone(),
                attached_vpc_ids,
            };
            m.sink
                .account(m.target)
                .network
                .internet_gateways
                .push(gateway);
            true
        }
        "aws_route_table" => route_table(m),
        "aws_nat_gateway" => {
            let subnet_id = m.text("subnet_id");
            // The VPC is the subnet's.
            let vpc_id = m
                .ctx
                .of_type("aws_subnet")
                .iter()
                .find(|s| m.ctx.identity(s).is_some_and(|i| i.id == subnet_id))
                .and_then(|s| match m.ctx.resolve(s, &["vpc_id"]) {
                    Resolved::Known(v) => Some(v),
                    _ => None,
                })
                .unwrap_or_default();
            let gateway = NatGateway {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: m.region(),
                tags: m.tags(),
                source: m.source(),
                nat_gateway_id: m.id.id.clone(),
                vpc_id,
                subnet_id,
                connectivity_type: str_at(m.values(), "connectivity_type")
                    .unwrap_or("public")
                    .to_owned(),
                state: "available".to_owned(),
            };
            m.sink.account(m.target).network.nat_gateways.push(gateway);
            true
        }
        "aws_network_acl" => network_acl(m),
        "aws_vpc_endpoint" => {
            let region = m.region();
            let op = Operation::Ec2DescribeVpcEndpoints;
            let policy = match str_at(m.values(), "policy") {
                Some(text) => policy_document(text),
                None => {
                    if Mapped::after_unknown(m.r, "policy") {
                        m.gap(&region, op, "policy", m.r);
                    }
                    None
                }
            };
            let endpoint = VpcEndpoint {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region,
                tags: m.tags(),
                source: m.source(),
                vpc_endpoint_id: m.id.id.clone(),
                vpc_id: m.text("vpc_id"),
                service_name: m.text("service_name"),
                endpoint_type: str_at(m.values(), "vpc_endpoint_type")
                    .unwrap_or("Gateway")
                    .to_owned(),
                state: "available".to_owned(),
                policy,
            };
            m.sink
                .account(m.target)
                .network
                .vpc_endpoints
                .push(endpoint);
            true
        }
        "aws_flow_log" => {
            let resource_id = ["vpc_id", "subnet_id", "eni_id", "transit_gateway_id"]
                .iter()
                .map(|k| m.text(k))
                .find(|v| !v.is_empty())
                .unwrap_or_default();
            let log = FlowLog {
                flow_log_id: m.id.id.clone(),
                region: m.region(),
                resource_id,
                traffic_type: str_at(m.values(), "traffic_type")
                    .unwrap_or("ALL")
                    .to_owned(),
                destination_type: str_at(m.values(), "log_destination_type")
                    .unwrap_or("cloud-watch-logs")
                    .to_owned(),
            };
            m.sink.account(m.target).network.flow_logs.push(log);
            // Not a resource of its own: nothing to suppress on.
            false
        }
        "aws_ec2_transit_gateway" => {
            let gateway = TransitGateway {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: m.region(),
                tags: m.tags(),
                source: m.source(),
                transit_gateway_id: m.id.id.clone(),
                owner_id: m.account(),
                state: "available".to_owned(),
                auto_accept_shared_attachments: str_at(
                    m.values(),
                    "auto_accept_shared_attachments",
                ) == Some("enable"),
            };
            m.sink
                .account(m.target)
                .network
                .transit_gateways
                .push(gateway);
            true
        }
        "aws_ec2_transit_gateway_vpc_attachment" => {
            let attachment = TransitGatewayAttachment {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: m.region(),
                tags: m.tags(),
                source: m.source(),
                attachment_id: m.id.id.clone(),
                transit_gateway_id: m.text("transit_gateway_id"),
                resource_type: "vpc".to_owned(),
                resource_id: m.text("vpc_id"),
                resource_owner_id: m.account(),
                state: "available".to_owned(),
            };
            m.sink
                .account(m.target)
                .network
                .transit_gateway_attachments
                .push(attachment);
            true
        }
        "aws_vpn_connection" => {
            let optional =
                |m: &Mapped<'_, '_, '_>, k: &str| Some(m.text(k)).filter(|v| !v.is_empty());
            let connection = VpnConnection {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: m.region(),
                tags: m.tags(),
                source: m.source(),
                vpn_connection_id: m.id.id.clone(),
                customer_gateway_id: m.text("customer_gateway_id"),
                vpn_gateway_id: optional(m, "vpn_gateway_id"),
                transit_gateway_id: optional(m, "transit_gateway_id"),
                state: "available".to_owned(),
                static_routes_only: bool_at(m.values(), "static_routes_only").unwrap_or(false),
            };
            m.sink
                .account(m.target)
                .network
                .vpn_connections
                .push(connection);
            true
        }
        "aws_lb_listener" | "aws_alb_listener" => listener(m),
        _ => false,
    }
}

fn security_group(m: &mut Mapped<'_, '_, '_>) -> bool {
    let mut ingress = rules(m.values().get("ingress"));
    let mut egress = rules(m.values().get("egress"));
    for kind in [
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
    ] {
        for rule in m.ctx.attached(kind, "security_group_id", m.r) {
            let direction = match kind {
                "aws_vpc_security_group_ingress_rule" => "ingress",
                "aws_vpc_security_group_egress_rule" => "egress",
                _ => str_at(&rule.values, "type").unwrap_or("ingress"),
            };
            let mut peers = standalone_rule(&rule.values);
            if bool_at(&rule.values, "self") == Some(true) {
                peers.extend(standalone_rule_to(&rule.values, m.id.id.clone()));
            }
            // A peer group of the plan, known only after apply, is its identity.
            for key in ["source_security_group_id", "referenced_security_group_id"] {
                if str_at(&rule.values, key).is_none() {
                    if let Resolved::Known(group) = m.ctx.resolve(rule, &[key]) {
                        peers.extend(standalone_rule_to(&rule.values, group));
                    }
                }
            }
            if direction == "egress" {
                egress.extend(peers);
            } else {
                ingress.extend(peers);
            }
        }
    }
    let region = m.region();
    for key in ["ingress", "egress"] {
        if Mapped::after_unknown(m.r, key) && m.values().get(key).is_none() {
            m.gap(&region, Operation::Ec2DescribeSecurityGroups, key, m.r);
        }
    }
    let group = SecurityGroup {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region,
        tags: m.tags(),
        source: m.source(),
        group_id: m.id.id.clone(),
        name: m.id.name.clone(),
        vpc_id: m.text("vpc_id"),
        ingress,
        // Terraform removes the default allow-all egress: `egress` is what the code says.
        egress: Some(egress),
    };
    m.sink.account(m.target).network.security_groups.push(group);
    true
}

/// `ingress`/`egress` blocks of `aws_security_group`, one model rule per peer.
fn rules(node: Option<&rampart_iac::Node>) -> Vec<SecurityGroupRule> {
    let Some(items) = node.and_then(rampart_iac::Node::as_sequence) else {
        return Vec::new();
    };
    items.iter().flat_map(standalone_rule).collect()
}

fn protocol_and_ports(rule: &rampart_iac::Node) -> (String, i32, i32) {
    let protocol = str_at(rule, "protocol")
        .or_else(|| str_at(rule, "ip_protocol"))
        .unwrap_or("-1");
    let protocol = match protocol {
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "all" => "-1",
        other => other,
    }
    .to_lowercase();
    let port = |key: &str| {
        number_at(rule, key)
            .and_then(|p| i32::try_from(p).ok())
            .unwrap_or(-1)
    };
    if protocol == "-1" {
        (protocol, -1, -1)
    } else {
        (protocol, port("from_port"), port("to_port"))
    }
}

fn standalone_rule_to(rule: &rampart_iac::Node, peer: String) -> Vec<SecurityGroupRule> {
    let (protocol, from_port, to_port) = protocol_and_ports(rule);
    vec![SecurityGroupRule {
        protocol,
        from_port,
        to_port,
        source: peer,
    }]
}

fn standalone_rule(rule: &rampart_iac::Node) -> Vec<SecurityGroupRule> {
    let mut peers: Vec<String> = Vec::new();
    for key in [
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "prefix_list_ids",
        "security_groups",
    ] {
        if let Some(items) = rule.get(key).and_then(rampart_iac::Node::as_sequence) {
            peers.extend(
                items
                    .iter()
                    .filter_map(rampart_iac::Node::as_str)
                    .map(str::to_owned),
            );
        }
    }
    for key in [
        "cidr_ipv4",
        "cidr_ipv6",
        "referenced_security_group_id",
        "prefix_list_id",
        "source_security_group_id",
    ] {
        if let Some(v) = str_at(rule, key) {
            peers.push(v.to_owned());
        }
    }
    peers
        .into_iter()
        .flat_map(|peer| standalone_rule_to(rule, peer))
        .collect()
}

/// The target keys of a route, in the order AWS reports one.
const ROUTE_TARGETS: &[&str] = &[
    "gateway_id",
    "nat_gateway_id",
    "transit_gateway_id",
    "vpc_peering_connection_id",
    "vpc_endpoint_id",
    "network_interface_id",
    "egress_only_gateway_id",
    "local_gateway_id",
    "carrier_gateway_id",
    "core_network_arn",
];

/// A route of `owner` at `path` (a `route` block, or an `aws_route`'s own values).
fn route(
    m: &mut Mapped<'_, '_, '_>,
    owner: &rampart_iac::terraform::PlanResource,
    path: &[&str],
    destination_keys: &[&str],
) -> Option<Route> {
    let resolve = |m: &Mapped<'_, '_, '_>, k: &str| {
        let p: Vec<&str> = path.iter().copied().chain([k]).collect();
        m.ctx.resolve(owner, &p)
    };
    let destination = destination_keys.iter().find_map(|k| match resolve(m, k) {
        Resolved::Known(v) => Some(v),
        _ => None,
    })?;
    let mut target = None;
    for k in ROUTE_TARGETS {
        match resolve(m, k) {
            Resolved::Known(v) => {
                target = Some(v);
                break;
            }
            Resolved::Unknown => {
                let region = m.region();
                m.gap(&region, Operation::Ec2DescribeRouteTables, k, owner);
                return None;
            }
            Resolved::Absent => {}
        }
    }
    Some(Route {
        destination,
        target: target?,
    })
}

fn route_table(m: &mut Mapped<'_, '_, '_>) -> bool {
    let vpc_id = m.text("vpc_id");
    let mut routes = Vec::new();
    // The local route AWS gives every route table.
    if let Some(vpc) = m
        .ctx
        .of_type("aws_vpc")
        .iter()
        .find(|v| m.ctx.identity(v).is_some_and(|i| i.id == vpc_id))
    {
        if let Resolved::Known(cidr) = m.ctx.resolve(vpc, &["cidr_block"]) {
            routes.push(Route {
                destination: cidr,
                target: "local".to_owned(),
            });
        }
    }
    let r = m.r;
    let destinations = [
        "cidr_block",
        "ipv6_cidr_block",
        "destination_prefix_list_id",
    ];
    for i in 0..blocks(m.values(), "route").len() {
        let index = i.to_string();
        routes.extend(route(m, r, &["route", &index], &destinations));
    }
    let standalone = [
        "destination_cidr_block",
        "destination_ipv6_cidr_block",
        "destination_prefix_list_id",
    ];
    for extra in m.ctx.attached("aws_route", "route_table_id", r) {
        routes.extend(route(m, extra, &[], &standalone));
    }
    let mut subnet_ids: Vec<String> = m
        .ctx
        .attached("aws_route_table_association", "route_table_id", r)
        .iter()
        .filter_map(|a| match m.ctx.resolve(a, &["subnet_id"]) {
            Resolved::Known(s) => Some(s),
            _ => None,
        })
        .collect();
    subnet_ids.sort();
    subnet_ids.dedup();
    let main = !m
        .ctx
        .attached("aws_main_route_table_association", "route_table_id", r)
        .is_empty();
    let table = RouteTable {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region: m.region(),
        tags: m.tags(),
        source: m.source(),
        route_table_id: m.id.id.clone(),
        vpc_id,
        main,
        subnet_ids,
        routes,
    };
    m.sink.account(m.target).network.route_tables.push(table);
    true
}

/// A network ACL protocol as the API gives it: an IP protocol number, `-1` for all.
fn acl_protocol(protocol: &str) -> String {
    match protocol.to_lowercase().as_str() {
        "tcp" => "6".to_owned(),
        "udp" => "17".to_owned(),
        "icmp" => "1".to_owned(),
        "all" | "-1" => "-1".to_owned(),
        other => other.to_owned(),
    }
}

fn acl_entry(
    node: &rampart_iac::Node,
    egress: bool,
    number_key: &str,
    action_key: &str,
) -> Option<NetworkAclEntry> {
    let protocol = acl_protocol(str_at(node, "protocol").unwrap_or("-1"));
    let port = |k: &str| number_at(node, k).and_then(|p| i32::try_from(p).ok());
    let ports = protocol == "6" || protocol == "17";
    Some(NetworkAclEntry {
        rule_number: i32::try_from(number_at(node, number_key)?).ok()?,
        egress,
        action: str_at(node, action_key)?.to_lowercase(),
        cidr: str_at(node, "cidr_block")
            .filter(|c| !c.is_empty())
            .or_else(|| str_at(node, "ipv6_cidr_block"))?
            .to_owned(),
        from_port: if ports { port("from_port") } else { None },
        to_port: if ports { port("to_port") } else { None },
        protocol,
    })
}

fn network_acl(m: &mut Mapped<'_, '_, '_>) -> bool {
    let region = m.region();
    let op = Operation::Ec2DescribeNetworkAcls;
    let mut entries = Vec::new();
    for (key, egress) in [("ingress", false), ("egress", true)] {
        if Mapped::after_unknown(m.r, key) && m.values().get(key).is_none() {
            m.gap(&region, op, key, m.r);
        }
        entries.extend(
            blocks(m.values(), key)
                .iter()
                .filter_map(|e| acl_entry(e, egress, "rule_no", "action")),
        );
    }
    for rule in m
        .ctx
        .attached("aws_network_acl_rule", "network_acl_id", m.r)
    {
        let egress = bool_at(&rule.values, "egress").unwrap_or(false);
        entries.extend(acl_entry(
            &rule.values,
            egress,
            "rule_number",
            "rule_action",
        ));
    }
    // The rule every network ACL ends with.
    for egress in [false, true] {
        entries.push(NetworkAclEntry {
            rule_number: 32767,
            egress,
            action: "deny".to_owned(),
            protocol: "-1".to_owned(),
            cidr: "0.0.0.0/0".to_owned(),
            from_port: None,
            to_port: None,
        });
    }
    entries.sort_by_key(|e| (e.egress, e.rule_number));
    let (mut subnet_ids, unknown) = m.ctx.resolve_list(m.r, "subnet_ids");
    if unknown {
        m.gap(&region, op, "subnet_ids", m.r);
    }
    for a in m
        .ctx
        .attached("aws_network_acl_association", "network_acl_id", m.r)
    {
        if let Resolved::Known(s) = m.ctx.resolve(a, &["subnet_id"]) {
            subnet_ids.push(s);
        }
    }
    subnet_ids.sort();
    subnet_ids.dedup();
    let acl = NetworkAcl {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region,
        tags: m.tags(),
        source: m.source(),
        network_acl_id: m.id.id.clone(),
        vpc_id: m.text("vpc_id"),
        is_default: false,
        subnet_ids,
        entries,
    };
    m.sink.account(m.target).network.network_acls.push(acl);
    true
}

fn listener(m: &mut Mapped<'_, '_, '_>) -> bool {
    let region = m.region();
    let op = Operation::ElbDescribeListeners;
    let load_balancer_arn = m
        .reference("load_balancer_arn", &region, op)
        .unwrap_or_default();
    let balancer = m
        .ctx
        .of_type("aws_lb")
        .iter()
        .chain(m.ctx.of_type("aws_alb"))
        .find(|b| {
            m.ctx
                .identity(b)
                .is_some_and(|i| i.arn == load_balancer_arn)
        })
        .copied();
    let load_balancer_type = balancer
        .and_then(|b| str_at(&b.values, "load_balancer_type"))
        .unwrap_or("application")
        .to_owned();
    let scheme = match balancer.and_then(|b| bool_at(&b.values, "internal")) {
        Some(true) => "internal",
        _ => "internet-facing",
    }
    .to_owned();
    let protocol = str_at(m.values(), "protocol")
        .map(str::to_uppercase)
        .unwrap_or_else(|| {
            if load_balancer_type == "application" {
                "HTTP"
            } else {
                "TCP"
            }
            .to_owned()
        });
    let actions = blocks(m.values(), "default_action");
    let redirects_to_https = !actions.is_empty()
        && actions.iter().all(|a| {
            str_at(a, "type") == Some("redirect")
                && block(a, "redirect")
                    .and_then(|r| str_at(r, "protocol"))
                    .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
        });
    let load_balancer_name = balancer
        .and_then(|b| m.ctx.identity(b))
        .map(|i| i.name.clone())
        .unwrap_or_else(|| {
            load_balancer_arn
                .split('/')
                .nth(2)
                .unwrap_or_default()
                .to_owned()
        });
    let listener = LoadBalancerListener {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region,
        tags: Tags::new(),
        source: m.source(),
        load_balancer_arn,
        load_balancer_name,
        load_balancer_type,
        scheme,
        port: number_at(m.values(), "port")
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(0),
        protocol,
        ssl_policy: str_at(m.values(), "ssl_policy")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        redirects_to_https,
    };
    m.sink
        .account(m.target)
        .network
        .load_balancer_listeners
        .push(listener);
    true
}
