//! The response shapes of the controls: security groups, network ACLs, flow logs, VPC
//! endpoints, EBS volumes and encryption by default.

use super::*;

#[test]
fn security_groups() {
    let groups = read(
        "DescribeSecurityGroups",
        "securityGroupInfo",
        r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <securityGroupInfo>
      <item>
         <ownerId>111122223333</ownerId>
         <groupId>sg-1a2b3c4d</groupId>
         <groupName>WebServers</groupName>
         <groupDescription>Web Servers</groupDescription>
         <vpcId>vpc-614cc409</vpcId>
         <securityGroupArn>arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1a2b3c4d</securityGroupArn>
         <ipPermissions>
            <item>
               <ipProtocol>tcp</ipProtocol>
               <fromPort>80</fromPort>
               <toPort>80</toPort>
               <groups/>
               <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp><description>web</description></item><item><cidrIp>10.0.0.0/8</cidrIp></item></ipRanges>
               <ipv6Ranges><item><cidrIpv6>::/0</cidrIpv6></item></ipv6Ranges>
               <prefixListIds/>
            </item>
            <item>
               <ipProtocol>-1</ipProtocol>
               <fromPort>0</fromPort>
               <toPort>65535</toPort>
               <groups><item><userId>111122223333</userId><groupId>sg-self</groupId></item></groups>
               <prefixListIds><item><prefixListId>pl-12345</prefixListId></item></prefixListIds>
            </item>
            <item>
               <ipProtocol>udp</ipProtocol>
               <ipRanges><item><cidrIp>192.0.2.0/24</cidrIp></item></ipRanges>
            </item>
            <item><ipRanges><item><cidrIp>198.51.100.0/24</cidrIp></item></ipRanges></item>
         </ipPermissions>
         <ipPermissionsEgress>
            <item><ipProtocol>-1</ipProtocol><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item>
         </ipPermissionsEgress>
         <tagSet><item><key>role</key><value>web</value></item></tagSet>
      </item>
      <item><groupId>sg-bare</groupId><groupName>default</groupName></item>
   </securityGroupInfo>
</DescribeSecurityGroupsResponse>"#,
        security_group,
    );
    let g = &groups[0];
    assert_eq!(g.group_id, "sg-1a2b3c4d");
    assert_eq!(
        g.arn,
        "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1a2b3c4d"
    );
    assert_eq!(g.name, "WebServers");
    assert_eq!(g.vpc_id, "vpc-614cc409");
    assert_eq!(g.tags, tags_of(&[("role", "web")]));
    let rules: Vec<(&str, i32, i32, &str)> = g
        .ingress
        .iter()
        .map(|r| {
            (
                r.protocol.as_str(),
                r.from_port,
                r.to_port,
                r.source.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("tcp", 80, 80, "0.0.0.0/0"),
            ("tcp", 80, 80, "10.0.0.0/8"),
            ("tcp", 80, 80, "::/0"),
            // All traffic: the ports do not apply.
            ("-1", -1, -1, "sg-self"),
            ("-1", -1, -1, "pl-12345"),
            ("udp", -1, -1, "192.0.2.0/24"),
            ("-1", -1, -1, "198.51.100.0/24"),
        ],
        "ingress only: egress permissions are not rules here"
    );
    let bare = &groups[1];
    assert_eq!(
        bare.arn,
        "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-bare"
    );
    assert!(bare.ingress.is_empty());
    assert_eq!(bare.vpc_id, "");
}

/// Egress, rule number, action, protocol, CIDR and ports of a network ACL entry.
type AclEntry<'a> = (
    bool,
    i32,
    &'a str,
    &'a str,
    &'a str,
    Option<i32>,
    Option<i32>,
);

#[test]
fn network_acls() {
    let acls = read(
        "DescribeNetworkAcls",
        "networkAclSet",
        r#"<DescribeNetworkAclsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <networkAclSet>
   <item>
     <networkAclId>acl-5566953c</networkAclId>
     <vpcId>vpc-5266953b</vpcId>
     <default>true</default>
     <entrySet>
       <item><ruleNumber>32767</ruleNumber><protocol>-1</protocol><ruleAction>deny</ruleAction><egress>true</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>
       <item><ruleNumber>100</ruleNumber><protocol>6</protocol><ruleAction>allow</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock><portRange><from>22</from><to>22</to></portRange></item>
       <item><ruleNumber>90</ruleNumber><protocol>17</protocol><ruleAction>deny</ruleAction><egress>false</egress><ipv6CidrBlock>::/0</ipv6CidrBlock><portRange><from>53</from></portRange></item>
       <item><ruleNumber>100</ruleNumber><protocol>-1</protocol><ruleAction>allow</ruleAction><egress>true</egress><cidrBlock>10.0.0.0/8</cidrBlock></item>
       <item/>
     </entrySet>
     <associationSet>
       <item><networkAclAssociationId>aclassoc-2</networkAclAssociationId><networkAclId>acl-5566953c</networkAclId><subnetId>subnet-b</subnetId></item>
       <item><networkAclAssociationId>aclassoc-1</networkAclAssociationId><subnetId>subnet-a</subnetId></item>
     </associationSet>
     <tagSet/>
   </item>
   </networkAclSet>
</DescribeNetworkAclsResponse>"#,
        network_acl,
    );
    let a = &acls[0];
    assert_eq!(a.network_acl_id, "acl-5566953c");
    assert_eq!(
        a.arn,
        "arn:aws:ec2:eu-west-1:111122223333:network-acl/acl-5566953c"
    );
    assert_eq!(a.vpc_id, "vpc-5266953b");
    assert!(a.is_default);
    assert_eq!(a.subnet_ids, ["subnet-a", "subnet-b"]);
    let entries: Vec<AclEntry<'_>> = a
        .entries
        .iter()
        .map(|e| {
            (
                e.egress,
                e.rule_number,
                e.action.as_str(),
                e.protocol.as_str(),
                e.cidr.as_str(),
                e.from_port,
                e.to_port,
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (false, 90, "deny", "17", "::/0", Some(53), None),
            (false, 100, "allow", "6", "0.0.0.0/0", Some(22), Some(22)),
            // An entry with nothing: the collector's defaults.
            (false, 32767, "deny", "-1", "", None, None),
            (true, 100, "allow", "-1", "10.0.0.0/8", None, None),
            (true, 32767, "deny", "-1", "0.0.0.0/0", None, None),
        ]
    );
}

#[test]
fn flow_logs() {
    let logs = read(
        "DescribeFlowLogs",
        "flowLogSet",
        r#"<DescribeFlowLogsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>3cb46f23-099e-4bf0-891c-EXAMPLE</requestId>
    <flowLogSet>
        <item>
            <deliverLogsErrorMessage>Access error</deliverLogsErrorMessage>
            <resourceId>vpc-1a2b3c4d</resourceId>
            <deliverLogsStatus>FAILED</deliverLogsStatus>
            <flowLogStatus>ACTIVE</flowLogStatus>
            <creationTime>2015-05-19T08:48:59Z</creationTime>
            <logGroupName>FlowLogsForSubnetA</logGroupName>
            <trafficType>REJECT</trafficType>
            <flowLogId>fl-1a2b3c4d</flowLogId>
            <logDestinationType>s3</logDestinationType>
        </item>
        <item><flowLogId>fl-defaults</flowLogId><resourceId>subnet-1</resourceId></item>
    </flowLogSet>
</DescribeFlowLogsResponse>"#,
        flow_log,
    );
    let logs: Vec<String> = logs
        .iter()
        .map(|l| {
            let (id, region, resource) = (&l.flow_log_id, &l.region, &l.resource_id);
            format!(
                "{id} {region} {resource} {} {}",
                l.traffic_type, l.destination_type
            )
        })
        .collect();
    assert_eq!(
        logs,
        [
            "fl-1a2b3c4d eu-west-1 vpc-1a2b3c4d REJECT s3",
            // Absent: all traffic, to CloudWatch Logs (the API's defaults).
            "fl-defaults eu-west-1 subnet-1 ALL cloud-watch-logs",
        ]
    );
}

#[test]
fn vpc_endpoints() {
    let endpoints = read(
        "DescribeVpcEndpoints",
        "vpcEndpointSet",
        r#"<DescribeVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>19a9ff46-7df6-49b8-9726-3df27527089d</requestId>
    <vpcEndpointSet>
        <item>
            <creationTimestamp>2015-05-15T09:40:50Z</creationTimestamp>
            <policyDocument>{&quot;Version&quot;:&quot;2008-10-17&quot;,&quot;Statement&quot;:[{&quot;Sid&quot;:&quot;&quot;,&quot;Effect&quot;:&quot;Allow&quot;,&quot;Principal&quot;:&quot;*&quot;,&quot;Action&quot;:&quot;*&quot;,&quot;Resource&quot;:&quot;*&quot;}]}</policyDocument>
            <routeTableIdSet><item>rtb-4e5ef02b</item></routeTableIdSet>
            <serviceName>com.amazonaws.eu-west-1.s3</serviceName>
            <state>available</state>
            <vpcEndpointId>vpce-9b15e2f2</vpcEndpointId>
            <vpcEndpointType>Gateway</vpcEndpointType>
            <vpcId>vpc-1a2b3c4d</vpcId>
            <tagSet><item><key>Name</key><value>s3</value></item></tagSet>
        </item>
        <item>
            <vpcEndpointId>vpce-iface</vpcEndpointId>
            <vpcEndpointType>Interface</vpcEndpointType>
            <serviceName>com.amazonaws.eu-west-1.kms</serviceName>
            <policyDocument>%7B%22Statement%22%3A%5B%5D%7D</policyDocument>
        </item>
        <item>
            <vpcEndpointId>vpce-bad</vpcEndpointId>
            <policyDocument>{not json</policyDocument>
        </item>
    </vpcEndpointSet>
</DescribeVpcEndpointsResponse>"#,
        vpc_endpoint,
    );
    let (e, error) = &endpoints[0];
    assert_eq!(error, &None);
    assert_eq!(e.vpc_endpoint_id, "vpce-9b15e2f2");
    assert_eq!(
        e.arn,
        "arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint/vpce-9b15e2f2"
    );
    assert_eq!(e.vpc_id, "vpc-1a2b3c4d");
    assert_eq!(e.service_name, "com.amazonaws.eu-west-1.s3");
    assert_eq!(e.endpoint_type, "Gateway");
    assert_eq!(e.state, "available");
    assert_eq!(e.tags, tags_of(&[("Name", "s3")]));
    assert_eq!(
        e.policy
            .as_ref()
            .map(|p| p.raw()["Statement"][0]["Principal"].clone()),
        Some(serde_json::json!("*"))
    );
    let (iface, error) = &endpoints[1];
    assert_eq!(error, &None);
    assert_eq!(iface.endpoint_type, "Interface");
    assert_eq!(iface.state, "unknown");
    assert_eq!(
        iface.policy.as_ref().map(|p| p.raw().clone()),
        Some(serde_json::json!({"Statement": []})),
        "URL-encoded policies are decoded"
    );
    let (bad, error) = &endpoints[2];
    assert!(bad.policy.is_none());
    assert!(error.is_some(), "a policy that does not parse is a gap");
    assert_eq!(bad.endpoint_type, "Gateway");
}

#[test]
fn volumes() {
    let volumes = read(
        "DescribeVolumes",
        "volumeSet",
        r#"<DescribeVolumesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <volumeSet>
      <item>
         <volumeId>vol-1234567890abcdef0</volumeId>
         <size>80</size>
         <snapshotId/>
         <availabilityZone>eu-west-1a</availabilityZone>
         <status>in-use</status>
         <createTime>YYYY-MM-DDTHH:MM:SS.SSSZ</createTime>
         <attachmentSet><item><volumeId>vol-1234567890abcdef0</volumeId><instanceId>i-1</instanceId><device>/dev/sdh</device><status>attached</status><deleteOnTermination>false</deleteOnTermination></item></attachmentSet>
         <volumeType>gp3</volumeType>
         <encrypted>true</encrypted>
         <kmsKeyId>arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab</kmsKeyId>
         <tagSet><item><key>data</key><value>confidential</value></item></tagSet>
      </item>
      <item><volumeId>vol-plain</volumeId><size>-5</size><encrypted>false</encrypted></item>
      <item><volumeId>vol-min</volumeId></item>
   </volumeSet>
</DescribeVolumesResponse>"#,
        volume,
    );
    let v = &volumes[0];
    assert_eq!(v.volume_id, "vol-1234567890abcdef0");
    assert_eq!(
        v.arn,
        "arn:aws:ec2:eu-west-1:111122223333:volume/vol-1234567890abcdef0"
    );
    assert!(v.encrypted);
    assert_eq!(
        v.kms_key_arn.as_deref(),
        Some("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    assert_eq!(v.size_gib, 80);
    assert_eq!(v.tags, tags_of(&[("data", "confidential")]));
    assert_eq!(v.source, api(Operation::Ec2DescribeVolumes));
    assert!(!volumes[1].encrypted);
    assert_eq!(volumes[1].size_gib, 0, "a negative size is no size");
    assert_eq!(volumes[2].kms_key_arn, None);
    assert_eq!(volumes[2].size_gib, 0);
}

#[test]
fn ebs_encryption_by_default_and_its_key() {
    let on = parse_success(
        "GetEbsEncryptionByDefault",
        br#"<GetEbsEncryptionByDefaultResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>5e9ec7b8-EXAMPLE</requestId>
    <ebsEncryptionByDefault>true</ebsEncryptionByDefault>
    <sseType>sse-ebs</sseType>
</GetEbsEncryptionByDefaultResponse>"#,
    )
    .unwrap();
    assert_eq!(on.boolean("ebsEncryptionByDefault"), Ok(Some(true)));
    let key = |xml: &str| {
        default_kms_key(&parse_success("GetEbsDefaultKmsKeyId", xml.as_bytes()).unwrap())
    };
    assert_eq!(
        key("<GetEbsDefaultKmsKeyIdResponse><requestId>1</requestId><kmsKeyId>arn:aws:kms:eu-west-1:111122223333:key/k-1</kmsKeyId></GetEbsDefaultKmsKeyIdResponse>"),
        Some("arn:aws:kms:eu-west-1:111122223333:key/k-1".to_owned())
    );
    // The AWS managed key is no customer key.
    assert_eq!(
        key("<GetEbsDefaultKmsKeyIdResponse><kmsKeyId>alias/aws/ebs</kmsKeyId></GetEbsDefaultKmsKeyIdResponse>"),
        None
    );
    assert_eq!(key("<GetEbsDefaultKmsKeyIdResponse/>"), None);
}
