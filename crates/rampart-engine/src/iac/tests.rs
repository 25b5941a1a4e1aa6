//! The mapping of infrastructure code into the model.

use super::*;
use crate::ruleset::Ruleset;

fn template(uri: &str, text: &str) -> IacFile {
    let document = rampart_iac::parse_document(std::path::Path::new(uri), text.as_bytes())
        .unwrap()
        .unwrap();
    IacFile {
        uri: uri.to_owned(),
        document,
    }
}

fn build_one(files: &[IacFile]) -> IacModel {
    let ruleset = Ruleset::bundled().unwrap();
    build(
        files,
        &Context::none(),
        &ruleset.parameters,
        chrono::DateTime::UNIX_EPOCH,
    )
}

const BUCKETS: &str = r#"
Parameters:
  Env: {Type: String, Default: prod}
Resources:
  Key:
    Type: AWS::KMS::Key
  Data:
    Type: AWS::S3::Bucket
    Metadata:
      rampart:
        skip:
          - id: s3-classified-versioning
            reason: versioned by the backup vault
    Properties:
      BucketName: !Sub "orders-${Env}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
  Plain:
    Type: AWS::S3::Bucket
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt Data.Arn, !Sub "${Data.Arn}/*"]
            Condition: {Bool: {aws:SecureTransport: false}}
"#;

#[test]
fn references_resolve_to_the_identities_of_the_template_resources() {
    let model = build_one(&[template("stacks/app.yaml", BUCKETS)]);
    let snapshot = &model.snapshots[0];
    let account = &snapshot.accounts[0];
    assert_eq!(account.id, DEFAULT_ACCOUNT);
    // `Env` places the account in production.
    assert_eq!(
        account.tags.get("Environment").map(String::as_str),
        Some("prod")
    );
    let data = &account.storage.s3_buckets[0];
    assert_eq!(data.arn, "arn:aws:s3:::orders-prod");
    let key = &account.kms_keys[0];
    assert_eq!(
        data.encryption.as_ref().unwrap().kms_key_arn.as_deref(),
        Some(key.arn.as_str())
    );
    // The policy names the bucket by the same ARN.
    let policy = data.policy.as_ref().unwrap().text();
    assert!(policy.contains("arn:aws:s3:::orders-prod/*"), "{policy}");
    // An unnamed bucket is named after the file and logical id; SSE-S3 by default.
    let plain = &account.storage.s3_buckets[1];
    assert_eq!(plain.name, "stacks-app-yaml-Plain");
    assert_eq!(plain.encryption.as_ref().unwrap().sse_algorithm, "AES256");
    assert_eq!(
        data.source,
        crate::model::Source::File {
            uri: "stacks/app.yaml".into(),
            line: 7,
            column: 3
        }
    );
    // The key has KMS's default policy and no rotation.
    assert!(key.policy.is_some());
    assert_eq!(key.rotation_enabled, Some(false));
    assert_eq!(model.suppressions.len(), 1);
    assert_eq!(model.suppressions[0].arn, data.arn);
}

#[test]
fn undecided_values_are_gaps_on_the_resource_never_guesses() {
    let text = r#"
Parameters:
  Algo: {Type: String}
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: !Ref Algo}
  Disk:
    Type: AWS::EC2::Volume
    Properties: {Size: 10, AvailabilityZone: us-east-1a}
"#;
    let model = build_one(&[template("a.yaml", text)]);
    let snapshot = &model.snapshots[0];
    let bucket = &snapshot.accounts[0].storage.s3_buckets[0];
    assert_eq!(bucket.encryption, None);
    let gap = snapshot
        .coverage
        .iter()
        .find(|g| g.resource.as_deref() == Some("arn:aws:s3:::data"))
        .unwrap();
    assert_eq!(
        gap.operation,
        Some(crate::model::Operation::S3GetBucketEncryption)
    );
    assert!(gap.reason.contains("parameter `Algo`"), "{}", gap.reason);
    assert!(gap.reason.contains("a.yaml:11:"), "{}", gap.reason);
    // A volume without `Encrypted` depends on the account's default: unknown.
    assert!(snapshot.coverage.iter().any(|g| g.operation
        == Some(crate::model::Operation::Ec2DescribeVolumes)
        && g.reason.contains("EBS encryption by default")));
    // The account's environment is unknown, and so is the organization.
    assert!(snapshot
        .coverage
        .iter()
        .any(|g| g.operation == Some(crate::model::Operation::OrganizationsListTagsForResource)));
}

#[test]
fn resources_under_a_false_condition_are_not_created() {
    let text = r#"
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  ProdOnly:
    Type: AWS::S3::Bucket
    Condition: IsProd
  Always:
    Type: AWS::S3::Bucket
"#;
    let model = build_one(&[template("c.yaml", text)]);
    let buckets = &model.snapshots[0].accounts[0].storage.s3_buckets;
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].name, "c-yaml-Always");
}

#[test]
fn files_declaring_the_same_resource_are_evaluated_apart() {
    let a = template("a.yaml", BUCKETS);
    let b = template("b.yaml", BUCKETS);
    let other = template(
        "c.yaml",
        "Parameters:\n  Env: {Type: String, Default: prod}\nResources:\n  X:\n    Type: AWS::S3::Bucket\n",
    );
    let model = build_one(&[a, b, other]);
    // `orders-prod` is declared twice: two snapshots; c.yaml joins the first.
    assert_eq!(model.snapshots.len(), 2);
    let names = |i: usize| -> Vec<String> {
        model.snapshots[i].accounts[0]
            .storage
            .s3_buckets
            .iter()
            .map(|b| b.name.clone())
            .collect()
    };
    assert!(names(0).contains(&"c-yaml-X".to_owned()));
    assert!(!names(1).contains(&"c-yaml-X".to_owned()));
}

const NETWORK: &str = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: us-east-1a}
  Routes:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Routes}
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref Vpc}
  Entry:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 22, To: 22}}
  AclAssoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref Subnet, NetworkAclId: !Ref Acl}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: x, VpcId: !Ref Vpc}
  Out:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !GetAtt Sg.GroupId, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties: {VpcId: !Ref Vpc, ServiceName: !Sub "com.amazonaws.${AWS::Region}.s3"}
  Log:
    Type: AWS::EC2::FlowLog
    Properties: {ResourceId: !Ref Vpc, ResourceType: VPC, TrafficType: REJECT}
"#;

#[test]
fn network_resources_attach_to_what_they_name() {
    let model = build_one(&[template("net.yaml", NETWORK)]);
    let n = &model.snapshots[0].accounts[0].network;
    let vpc = &n.vpcs[0].vpc_id;
    let subnet = &n.subnets[0].subnet_id;
    let igw = &n.internet_gateways[0];
    assert_eq!(igw.attached_vpc_ids, vec![vpc.clone()]);
    let table = &n.route_tables[0];
    assert_eq!(table.subnet_ids, vec![subnet.clone()]);
    assert_eq!(
        table.routes,
        vec![crate::model::Route {
            destination: "0.0.0.0/0".into(),
            target: igw.internet_gateway_id.clone()
        }]
    );
    let acl = &n.network_acls[0];
    assert_eq!(acl.subnet_ids, vec![subnet.clone()]);
    // The entry (inbound by default) and the four `*` deny entries.
    let entry = &acl.entries[0];
    assert_eq!(
        (entry.rule_number, entry.egress, entry.protocol.as_str()),
        (100, false, "6")
    );
    assert_eq!((entry.from_port, entry.to_port), (Some(22), Some(22)));
    assert_eq!(acl.entries.len(), 5);
    // A standalone egress rule adds to the default allow-all, it does not replace it.
    let egress = n.security_groups[0].egress.as_ref().unwrap();
    assert_eq!(egress.len(), 2);
    assert_eq!(egress[0].source, "0.0.0.0/0");
    // An endpoint without a policy has the default full-access one.
    let endpoint = &n.vpc_endpoints[0];
    assert_eq!(endpoint.service_name, "com.amazonaws.us-east-1.s3");
    assert_eq!(endpoint.endpoint_type, "Gateway");
    assert!(endpoint.policy.is_some());
    assert_eq!(n.flow_logs[0].resource_id, *vpc);
    assert_eq!(n.flow_logs[0].traffic_type, "REJECT");
}

#[test]
fn undecided_attachments_are_gaps_on_what_they_may_attach_to() {
    let text = r#"
Parameters:
  Table: {Type: String}
Resources:
  Routes:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: vpc-1}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 0.0.0.0/0, GatewayId: igw-1}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24}
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: {Engine: aurora-mysql, StorageEncrypted: true}
  Member:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: aurora-mysql, DBClusterIdentifier: !Ref Cluster}
"#;
    let model = build_one(&[template("u.yaml", text)]);
    let snapshot = &model.snapshots[0];
    let table = &snapshot.accounts[0].network.route_tables[0];
    assert!(table.routes.is_empty());
    let gap = |arn: &str, op: crate::model::Operation| {
        snapshot
            .coverage
            .iter()
            .any(|g| g.resource.as_deref() == Some(arn) && g.operation == Some(op))
    };
    assert!(gap(
        &table.arn,
        crate::model::Operation::Ec2DescribeRouteTables
    ));
    // A subnet without a zone: EC2 picks one.
    let subnet = &snapshot.accounts[0].network.subnets[0];
    assert!(gap(
        &subnet.arn,
        crate::model::Operation::Ec2DescribeSubnets
    ));
    // The member is the cluster's, and its storage is the cluster's.
    let storage = &snapshot.accounts[0].storage;
    assert_eq!(
        storage.rds_clusters[0].members,
        vec![storage.rds_instances[0].identifier.clone()]
    );
    assert!(storage.rds_instances[0].storage_encrypted);
}

#[test]
fn config_dns_and_sharing_take_the_documented_defaults() {
    let text = r#"
Resources:
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties: {RoleARN: arn:aws:iam::000000000000:role/config}
  Zone:
    Type: AWS::Route53::HostedZone
    Properties:
      Name: corp.internal
      VPCs: [{VPCId: vpc-1, VPCRegion: us-east-1}]
  Share:
    Type: AWS::RAM::ResourceShare
    Properties: {Name: s, Principals: ["111122223333"]}
"#;
    let model = build_one(&[template("s.yaml", text)]);
    let account = &model.snapshots[0].accounts[0];
    let recorder = &account.logging.config_recorders[0];
    assert!(recorder.all_supported);
    assert!(!recorder.recording);
    assert!(model.snapshots[0].coverage.iter().any(|g| {
        g.resource.as_deref() == Some(recorder.arn.as_str())
            && g.operation
                == Some(crate::model::Operation::ConfigDescribeConfigurationRecorderStatus)
    }));
    let zone = &account.dns.hosted_zones[0];
    assert!(zone.private);
    assert_eq!(zone.name, "corp.internal.");
    assert_eq!(zone.vpc_associations.as_ref().map(Vec::len), Some(1));
    let share = &account.resource_shares[0];
    assert!(share.allow_external_principals);
    assert_eq!(share.principals, Some(vec!["111122223333".to_owned()]));
    assert_eq!(share.resources, Some(Vec::new()));
}

#[test]
fn transforms_expand_before_mapping_and_refused_templates_are_errors() {
    let expanded = build_one(&[template(
        "loops.yaml",
        r#"
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Parameters:
  Names: {Type: CommaDelimitedList, Default: "a,b"}
  Undecided: {Type: CommaDelimitedList}
Resources:
  Fn::ForEach::Buckets:
    - Name
    - !Ref Names
    - Bucket${Name}:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub "data-${Name}"
  Fn::ForEach::Workers:
    - Worker
    - !Ref Undecided
    - ${Worker}Function:
        Type: AWS::Serverless::Function
  Table:
    Type: AWS::Serverless::SimpleTable
"#,
    )]);
    let snapshot = &expanded.snapshots[0];
    let account = &snapshot.accounts[0];
    let buckets: Vec<&str> = account
        .storage
        .s3_buckets
        .iter()
        .map(|b| b.name.as_str())
        .collect();
    assert_eq!(buckets, ["data-a", "data-b"]);
    // The role of the undecided loop's function stands for every worker's.
    let role = &account.iam.roles[0];
    assert_eq!(role.name, "loops-yaml-${Worker}FunctionRole");
    assert!(role
        .attached_policy_arns
        .contains(&"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".to_owned()));
    // Its managed policy's published document is there, so the role is assessable.
    assert!(account
        .iam
        .managed_policy("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        .is_some());
    let messages: Vec<&str> = expanded
        .notices
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m
                .starts_with("`Fn::ForEach::Workers`: the code does not decide its collection")),
        "{messages:#?}"
    );
    assert!(
        messages.contains(&"1 AWS::Serverless::SimpleTable not expanded (the SAM transform expands functions only): what they create is not checked"),
        "{messages:#?}"
    );

    let refused = build_one(&[template(
        "twice.yaml",
        "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Topics:\n    - Name\n    - [a, a]\n    - Topic${Name}: {Type: AWS::SNS::Topic}\n",
    )]);
    let error = &refused.notices[0];
    assert_eq!(error.level, NoticeLevel::Error);
    let location = error.location.as_ref().unwrap();
    assert_eq!(
        (location.uri.as_str(), location.line, location.column),
        ("twice.yaml", 6, 7)
    );
    assert!(error.message.contains("`Topica` is declared twice"));
}
