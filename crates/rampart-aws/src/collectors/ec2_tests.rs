//! Each response shape the collector reads, from XML written after the EC2 API reference's
//! examples: every field the model takes, present, empty and absent.

use super::*;
use crate::ec2_query::parse_success;

const PLACE: Place<'static> = Place {
    account: "111122223333",
    region: "eu-west-1",
};

const PLACE_PAIR: (&str, &str) = ("111122223333", "eu-west-1");

/// The `<item>`s of `list` in a successful `action` response.
fn items(action: &str, list: &str, xml: &str) -> Vec<Element> {
    let root = parse_success(action, xml.as_bytes()).unwrap();
    root.items(list).cloned().collect()
}

fn read<T>(
    action: &str,
    list: &str,
    xml: &str,
    read: fn(&Element, Place<'_>) -> Result<T, XmlError>,
) -> Vec<T> {
    items(action, list, xml)
        .iter()
        .map(|item| read(item, PLACE).unwrap())
        .collect()
}

fn tags_of(pairs: &[(&str, &str)]) -> Tags {
    crate::util::tags(pairs.iter().copied())
}

#[test]
fn regions_skip_those_not_opted_in() {
    let root = parse_success(
        "DescribeRegions",
        br#"<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <regionInfo>
      <item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>
      <item><regionName>ap-east-1</regionName><optInStatus>not-opted-in</optInStatus></item>
      <item><regionName>af-south-1</regionName><optInStatus>opted-in</optInStatus></item>
      <item><regionName>eu-west-1</regionName></item>
      <item><regionName>us-east-1</regionName></item>
      <item><optInStatus>opted-in</optInStatus></item>
   </regionInfo>
</DescribeRegionsResponse>"#,
    )
    .unwrap();
    assert_eq!(regions(&root), ["af-south-1", "eu-west-1", "us-east-1"]);
    let empty = parse_success(
        "DescribeRegions",
        b"<DescribeRegionsResponse><regionInfo/></DescribeRegionsResponse>",
    )
    .unwrap();
    assert!(regions(&empty).is_empty());
}

#[test]
fn vpcs() {
    let vpcs = read(
        "DescribeVpcs",
        "vpcSet",
        r#"<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <vpcSet>
        <item>
            <vpcId>vpc-0a60eb65b4EXAMPLE</vpcId>
            <ownerId>111122223333</ownerId>
            <state>available</state>
            <cidrBlock>10.0.0.0/16</cidrBlock>
            <cidrBlockAssociationSet>
                <item><cidrBlock>10.1.0.0/16</cidrBlock><associationId>vpc-cidr-assoc-1</associationId></item>
                <item><cidrBlock>10.0.0.0/16</cidrBlock><cidrBlockState><state>associated</state></cidrBlockState></item>
                <item><cidrBlock>10.1.0.0/16</cidrBlock></item>
            </cidrBlockAssociationSet>
            <tagSet>
                <item><key>Name</key><value>prod &amp; shared</value></item>
                <item><key>empty</key><value/></item>
                <item><key>no-value</key></item>
                <item><value>no key</value></item>
            </tagSet>
            <instanceTenancy>default</instanceTenancy>
            <isDefault>false</isDefault>
        </item>
        <item>
            <vpcId>vpc-default</vpcId>
            <cidrBlock>172.31.0.0/16</cidrBlock>
            <isDefault>true</isDefault>
        </item>
        <item/>
    </vpcSet>
    <nextToken>token-2</nextToken>
</DescribeVpcsResponse>"#,
        vpc,
    );
    assert_eq!(vpcs.len(), 3);
    let v = &vpcs[0];
    assert_eq!(v.vpc_id, "vpc-0a60eb65b4EXAMPLE");
    assert_eq!(
        v.arn,
        "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0a60eb65b4EXAMPLE"
    );
    assert_eq!((v.account_id.as_str(), v.region.as_str()), PLACE_PAIR);
    assert_eq!(v.cidr_blocks, ["10.0.0.0/16", "10.1.0.0/16"]);
    assert!(!v.is_default);
    assert_eq!(
        v.tags,
        tags_of(&[("Name", "prod & shared"), ("empty", ""), ("no-value", "")])
    );
    assert_eq!(v.source, api(Operation::Ec2DescribeVpcs));
    // Without associations, the primary CIDR block stands in.
    assert_eq!(vpcs[1].cidr_blocks, ["172.31.0.0/16"]);
    assert!(vpcs[1].is_default);
    assert!(vpcs[1].tags.is_empty());
    // Nothing at all: the SDK's defaults.
    assert_eq!(vpcs[2].vpc_id, "");
    assert_eq!(vpcs[2].arn, "arn:aws:ec2:eu-west-1:111122223333:vpc/");
    assert!(vpcs[2].cidr_blocks.is_empty());
}

#[test]
fn unreadable_values_are_errors_not_defaults() {
    let bad = items(
        "DescribeVpcs",
        "vpcSet",
        "<DescribeVpcsResponse><vpcSet><item><isDefault>yes</isDefault></item></vpcSet></DescribeVpcsResponse>",
    );
    let err = vpc(&bad[0], PLACE).unwrap_err();
    assert_eq!(
        unreadable(&err).reason,
        "unreadable response (HTTP 200): `isDefault` is not a boolean: `yes`"
    );
    let bad = items(
        "DescribeVolumes",
        "volumeSet",
        "<DescribeVolumesResponse><volumeSet><item><size>big</size></item></volumeSet></DescribeVolumesResponse>",
    );
    assert!(volume(&bad[0], PLACE).is_err());
    // The wrong root element is the wrong response.
    assert!(parse_success("DescribeVpcs", b"<DescribeSubnetsResponse/>").is_err());
    assert!(parse_success("DescribeVpcs", b"<DescribeVpcsResponse>").is_err());
}

#[test]
fn subnets() {
    let subnets = read(
        "DescribeSubnets",
        "subnetSet",
        r#"<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>a5266c3e-2b7a-4434-971e-317bEXAMPLE</requestId>
  <subnetSet>
    <item>
      <subnetId>subnet-1234567890abcdef0</subnetId>
      <subnetArn>arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-1234567890abcdef0</subnetArn>
      <state>available</state>
      <vpcId>vpc-0a60eb65b4EXAMPLE</vpcId>
      <cidrBlock>10.0.1.0/24</cidrBlock>
      <availableIpAddressCount>251</availableIpAddressCount>
      <availabilityZone>eu-west-1a</availabilityZone>
      <defaultForAz>false</defaultForAz>
      <mapPublicIpOnLaunch>true</mapPublicIpOnLaunch>
      <tagSet><item><key>tier</key><value>public</value></item></tagSet>
    </item>
    <item>
      <subnetId>subnet-old</subnetId>
      <vpcId>vpc-1</vpcId>
    </item>
  </subnetSet>
</DescribeSubnetsResponse>"#,
        subnet,
    );
    let s = &subnets[0];
    assert_eq!(s.subnet_id, "subnet-1234567890abcdef0");
    assert_eq!(
        s.arn,
        "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-1234567890abcdef0"
    );
    assert_eq!(s.vpc_id, "vpc-0a60eb65b4EXAMPLE");
    assert_eq!(s.cidr_block, "10.0.1.0/24");
    assert_eq!(s.availability_zone, "eu-west-1a");
    assert!(s.map_public_ip_on_launch);
    assert_eq!(s.tags, tags_of(&[("tier", "public")]));
    // No ARN in the response: synthesized.
    assert_eq!(
        subnets[1].arn,
        "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-old"
    );
    assert!(!subnets[1].map_public_ip_on_launch);
    assert_eq!(subnets[1].cidr_block, "");
}

#[test]
fn route_tables() {
    let tables = read(
        "DescribeRouteTables",
        "routeTableSet",
        r#"<DescribeRouteTablesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>6f570b0b-9c18-4b07-bdec-73740dcf861aEXAMPLE</requestId>
   <routeTableSet>
      <item>
         <routeTableId>rtb-1122334455667788a</routeTableId>
         <vpcId>vpc-1</vpcId>
         <ownerId>111122223333</ownerId>
         <routeSet>
            <item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin></item>
            <item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><natGatewayId>nat-1</natGatewayId></item>
            <item><destinationIpv6CidrBlock>::/0</destinationIpv6CidrBlock><egressOnlyInternetGatewayId>eigw-1</egressOnlyInternetGatewayId></item>
            <item><destinationPrefixListId>pl-63a5400a</destinationPrefixListId><gatewayId>vpce-1</gatewayId></item>
            <item><destinationCidrBlock>10.9.0.0/16</destinationCidrBlock><transitGatewayId>tgw-1</transitGatewayId></item>
            <item><destinationCidrBlock>10.8.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>pcx-1</vpcPeeringConnectionId></item>
            <item><destinationCidrBlock>10.7.0.0/16</destinationCidrBlock><instanceOwnerId>1</instanceOwnerId><networkInterfaceId>eni-1</networkInterfaceId><instanceId>i-1</instanceId></item>
            <item><destinationCidrBlock>10.6.0.0/16</destinationCidrBlock><coreNetworkArn>arn:aws:networkmanager::1:core-network/cn-1</coreNetworkArn></item>
            <item><destinationCidrBlock>10.5.0.0/16</destinationCidrBlock><state>blackhole</state></item>
         </routeSet>
         <associationSet>
            <item><routeTableAssociationId>rtbassoc-1</routeTableAssociationId><routeTableId>rtb-1122334455667788a</routeTableId><subnetId>subnet-b</subnetId><main>false</main></item>
            <item><routeTableAssociationId>rtbassoc-2</routeTableAssociationId><subnetId>subnet-a</subnetId><main>false</main></item>
            <item><routeTableAssociationId>rtbassoc-3</routeTableAssociationId><main>true</main></item>
         </associationSet>
         <propagatingVgwSet/>
         <tagSet/>
      </item>
      <item><routeTableId>rtb-bare</routeTableId></item>
   </routeTableSet>
</DescribeRouteTablesResponse>"#,
        route_table,
    );
    let t = &tables[0];
    assert_eq!(t.route_table_id, "rtb-1122334455667788a");
    assert_eq!(
        t.arn,
        "arn:aws:ec2:eu-west-1:111122223333:route-table/rtb-1122334455667788a"
    );
    assert_eq!(t.vpc_id, "vpc-1");
    assert!(t.main);
    assert_eq!(t.subnet_ids, ["subnet-a", "subnet-b"]);
    let routes: Vec<(&str, &str)> = t
        .routes
        .iter()
        .map(|r| (r.destination.as_str(), r.target.as_str()))
        .collect();
    assert_eq!(
        routes,
        [
            ("10.0.0.0/16", "local"),
            ("0.0.0.0/0", "nat-1"),
            ("::/0", "eigw-1"),
            ("pl-63a5400a", "vpce-1"),
            ("10.9.0.0/16", "tgw-1"),
            ("10.8.0.0/16", "pcx-1"),
            ("10.7.0.0/16", "eni-1"),
            ("10.6.0.0/16", "arn:aws:networkmanager::1:core-network/cn-1"),
            ("10.5.0.0/16", "unknown"),
        ]
    );
    assert!(t.tags.is_empty());
    let bare = &tables[1];
    assert!(!bare.main && bare.routes.is_empty() && bare.subnet_ids.is_empty());
}

#[test]
fn internet_and_nat_gateways() {
    let igws = read(
        "DescribeInternetGateways",
        "internetGatewaySet",
        r#"<DescribeInternetGatewaysResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <internetGatewaySet>
      <item>
         <internetGatewayId>igw-0d0fb496b3EXAMPLE</internetGatewayId>
         <ownerId>111122223333</ownerId>
         <attachmentSet>
            <item><vpcId>vpc-b</vpcId><state>available</state></item>
            <item><vpcId>vpc-a</vpcId><state>attached</state></item>
         </attachmentSet>
         <tagSet><item><key>Name</key><value>igw</value></item></tagSet>
      </item>
      <item><internetGatewayId>igw-detached</internetGatewayId><attachmentSet/></item>
   </internetGatewaySet>
</DescribeInternetGatewaysResponse>"#,
        internet_gateway,
    );
    assert_eq!(igws[0].internet_gateway_id, "igw-0d0fb496b3EXAMPLE");
    assert_eq!(
        igws[0].arn,
        "arn:aws:ec2:eu-west-1:111122223333:internet-gateway/igw-0d0fb496b3EXAMPLE"
    );
    assert_eq!(igws[0].attached_vpc_ids, ["vpc-a", "vpc-b"]);
    assert_eq!(igws[0].tags, tags_of(&[("Name", "igw")]));
    assert!(igws[1].attached_vpc_ids.is_empty());

    let nats = read(
        "DescribeNatGateways",
        "natGatewaySet",
        r#"<DescribeNatGatewaysResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>bfed02c6-dae9-47c0-86a2-example</requestId>
    <natGatewaySet>
        <item>
            <createTime>2019-11-25T14:00:55.416Z</createTime>
            <natGatewayAddressSet><item><allocationId>eipalloc-1</allocationId><publicIp>198.18.125.129</publicIp></item></natGatewayAddressSet>
            <natGatewayId>nat-05dba92075d71c408</natGatewayId>
            <state>available</state>
            <subnetId>subnet-7b16de0c</subnetId>
            <vpcId>vpc-1a2b3c4d</vpcId>
            <connectivityType>private</connectivityType>
            <tagSet><item><key>env</key><value>prod</value></item></tagSet>
        </item>
        <item><natGatewayId>nat-old</natGatewayId></item>
    </natGatewaySet>
    <nextToken/>
</DescribeNatGatewaysResponse>"#,
        nat_gateway,
    );
    let g = &nats[0];
    assert_eq!(g.nat_gateway_id, "nat-05dba92075d71c408");
    assert_eq!(
        g.arn,
        "arn:aws:ec2:eu-west-1:111122223333:natgateway/nat-05dba92075d71c408"
    );
    assert_eq!(
        (g.vpc_id.as_str(), g.subnet_id.as_str()),
        ("vpc-1a2b3c4d", "subnet-7b16de0c")
    );
    assert_eq!(
        (g.connectivity_type.as_str(), g.state.as_str()),
        ("private", "available")
    );
    assert_eq!(g.tags, tags_of(&[("env", "prod")]));
    // Absent: public (the API's default) and an unknown state.
    assert_eq!(
        (nats[1].connectivity_type.as_str(), nats[1].state.as_str()),
        ("public", "unknown")
    );
}

#[test]
fn transit_gateways_and_attachments() {
    let tgws = read(
        "DescribeTransitGateways",
        "transitGatewaySet",
        r#"<DescribeTransitGatewaysResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>1a2b3c4d</requestId>
    <transitGatewaySet>
        <item>
            <creationTime>2019-07-10T14:02:12.000Z</creationTime>
            <description>shared</description>
            <options>
                <amazonSideAsn>64516</amazonSideAsn>
                <autoAcceptSharedAttachments>enable</autoAcceptSharedAttachments>
                <defaultRouteTableAssociation>enable</defaultRouteTableAssociation>
                <dnsSupport>enable</dnsSupport>
            </options>
            <ownerId>444455556666</ownerId>
            <state>available</state>
            <transitGatewayArn>arn:aws:ec2:eu-west-1:444455556666:transit-gateway/tgw-0262a0e521EXAMPLE</transitGatewayArn>
            <transitGatewayId>tgw-0262a0e521EXAMPLE</transitGatewayId>
            <tagSet/>
        </item>
        <item>
            <transitGatewayId>tgw-own</transitGatewayId>
            <options><autoAcceptSharedAttachments>disable</autoAcceptSharedAttachments></options>
        </item>
    </transitGatewaySet>
</DescribeTransitGatewaysResponse>"#,
        transit_gateway,
    );
    let g = &tgws[0];
    assert_eq!(g.transit_gateway_id, "tgw-0262a0e521EXAMPLE");
    assert_eq!(
        g.arn,
        "arn:aws:ec2:eu-west-1:444455556666:transit-gateway/tgw-0262a0e521EXAMPLE"
    );
    assert_eq!(g.owner_id, "444455556666");
    assert_eq!(g.state, "available");
    assert!(g.auto_accept_shared_attachments);
    let own = &tgws[1];
    assert_eq!(
        own.arn,
        "arn:aws:ec2:eu-west-1:111122223333:transit-gateway/tgw-own"
    );
    assert_eq!(
        own.owner_id, "111122223333",
        "the reading account by default"
    );
    assert_eq!(own.state, "unknown");
    assert!(!own.auto_accept_shared_attachments);

    let atts = read(
        "DescribeTransitGatewayAttachments",
        "transitGatewayAttachments",
        r#"<DescribeTransitGatewayAttachmentsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>9a3c3e5f</requestId>
    <transitGatewayAttachments>
        <item>
            <association><state>associated</state><transitGatewayRouteTableId>tgw-rtb-1</transitGatewayRouteTableId></association>
            <creationTime>2019-07-17T16:04:27.000Z</creationTime>
            <resourceId>vpc-0065acced4EXAMPLE</resourceId>
            <resourceOwnerId>777788889999</resourceOwnerId>
            <resourceType>vpc</resourceType>
            <state>available</state>
            <transitGatewayAttachmentId>tgw-attach-0b3b2b1c1EXAMPLE</transitGatewayAttachmentId>
            <transitGatewayId>tgw-02f776b1a7EXAMPLE</transitGatewayId>
            <transitGatewayOwnerId>111122223333</transitGatewayOwnerId>
            <tagSet><item><key>Name</key><value>spoke</value></item></tagSet>
        </item>
        <item><transitGatewayAttachmentId>tgw-attach-min</transitGatewayAttachmentId></item>
    </transitGatewayAttachments>
    <nextToken>eyJ2IjoiMSJ9</nextToken>
</DescribeTransitGatewayAttachmentsResponse>"#,
        transit_gateway_attachment,
    );
    let a = &atts[0];
    assert_eq!(a.attachment_id, "tgw-attach-0b3b2b1c1EXAMPLE");
    assert_eq!(
        a.arn,
        "arn:aws:ec2:eu-west-1:111122223333:transit-gateway-attachment/tgw-attach-0b3b2b1c1EXAMPLE"
    );
    assert_eq!(a.transit_gateway_id, "tgw-02f776b1a7EXAMPLE");
    assert_eq!(
        (a.resource_type.as_str(), a.resource_id.as_str()),
        ("vpc", "vpc-0065acced4EXAMPLE")
    );
    assert_eq!(a.resource_owner_id, "777788889999");
    assert_eq!(a.state, "available");
    assert_eq!(a.tags, tags_of(&[("Name", "spoke")]));
    let min = &atts[1];
    assert_eq!(
        (
            min.resource_type.as_str(),
            min.resource_owner_id.as_str(),
            min.state.as_str()
        ),
        ("unknown", "111122223333", "unknown")
    );
}

#[test]
fn vpn_connections() {
    let vpns = read(
        "DescribeVpnConnections",
        "vpnConnectionSet",
        r#"<DescribeVpnConnectionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
  <vpnConnectionSet>
    <item>
      <vpnConnectionId>vpn-44a8938f</vpnConnectionId>
      <state>available</state>
      <customerGatewayConfiguration>&lt;?xml version="1.0" encoding="UTF-8"?&gt;&lt;vpn_connection/&gt;</customerGatewayConfiguration>
      <type>ipsec.1</type>
      <customerGatewayId>cgw-b4dc3961</customerGatewayId>
      <vpnGatewayId>vgw-8db04f81</vpnGatewayId>
      <options><staticRoutesOnly>true</staticRoutesOnly></options>
      <routes/>
      <vgwTelemetry><item><outsideIpAddress>72.21.209.192</outsideIpAddress><status>DOWN</status></item></vgwTelemetry>
      <tagSet><item><key>Name</key><value>dc</value></item></tagSet>
    </item>
    <item>
      <vpnConnectionId>vpn-tgw</vpnConnectionId>
      <customerGatewayId>cgw-2</customerGatewayId>
      <transitGatewayId>tgw-1</transitGatewayId>
      <state>pending</state>
    </item>
  </vpnConnectionSet>
</DescribeVpnConnectionsResponse>"#,
        vpn_connection,
    );
    let c = &vpns[0];
    assert_eq!(c.vpn_connection_id, "vpn-44a8938f");
    assert_eq!(
        c.arn,
        "arn:aws:ec2:eu-west-1:111122223333:vpn-connection/vpn-44a8938f"
    );
    assert_eq!(c.customer_gateway_id, "cgw-b4dc3961");
    assert_eq!(c.vpn_gateway_id.as_deref(), Some("vgw-8db04f81"));
    assert_eq!(c.transit_gateway_id, None);
    assert_eq!(c.state, "available");
    assert!(c.static_routes_only);
    assert_eq!(c.tags, tags_of(&[("Name", "dc")]));
    let t = &vpns[1];
    assert_eq!(t.vpn_gateway_id, None);
    assert_eq!(t.transit_gateway_id.as_deref(), Some("tgw-1"));
    assert!(!t.static_routes_only);
}

/// Security groups, network ACLs, flow logs, VPC endpoints and EBS: what the guardrail rules
/// read most.
#[path = "ec2_tests_controls.rs"]
mod controls;
