//! CloudFormation templates into the model.
//!
//! Each resource gets an identity first (its physical name when the template gives one,
//! else [`default_name`]), so that `Ref` and `Fn::GetAtt` between resources resolve to the
//! names and ARNs the model uses. Then each modelled type reads its properties with
//! CloudFormation's defaults; a property the template does not decide becomes a coverage
//! gap on the resource for the API data it stands for. Resources whose `Condition` is
//! statically false are not created and not mapped.

use std::collections::BTreeMap;

use rampart_iac::cfn::Resource as CfnResource;
use rampart_iac::cfn::{PseudoParameter, ResolveContext, Resolved, ResourceReference, Template};
use rampart_iac::Node;

mod network;
mod services;
mod transforms;

use super::{default_name, InlineSuppression, Sink, Target};
use crate::model::{
    AcmCertificate, BucketEncryption, CloudTrailTrail, EbsVolume, IamRole, IamUser, KmsKey,
    LoadBalancerListener, Location, ManagedPolicy, Operation, PolicyDocument, PublicAccessBlock,
    RdsDbCluster, RdsDbInstance, S3Bucket, SecurityGroup, SecurityGroupRule, Source, Subnet, Tags,
    Vpc, GLOBAL_REGION,
};

/// How one resource type is named and referred to.
struct Kind {
    /// The property holding the physical name, if any.
    name_property: Option<&'static str>,
}

fn kind(cfn_type: &str) -> Option<Kind> {
    let name_property = match cfn_type {
        "AWS::S3::Bucket" => Some("BucketName"),
        "AWS::IAM::Role" => Some("RoleName"),
        "AWS::IAM::User" => Some("UserName"),
        "AWS::IAM::ManagedPolicy" => Some("ManagedPolicyName"),
        "AWS::RDS::DBInstance" => Some("DBInstanceIdentifier"),
        "AWS::RDS::DBCluster" => Some("DBClusterIdentifier"),
        "AWS::CloudTrail::Trail" => Some("TrailName"),
        "AWS::EC2::SecurityGroup" => Some("GroupName"),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => Some("Name"),
        "AWS::Config::ConfigurationRecorder" => Some("Name"),
        "AWS::RAM::ResourceShare" => Some("Name"),
        "AWS::KMS::Key"
        | "AWS::KMS::Alias"
        | "AWS::EC2::Volume"
        | "AWS::EC2::VPC"
        | "AWS::EC2::Subnet"
        | "AWS::CertificateManager::Certificate"
        | "AWS::ElasticLoadBalancingV2::Listener"
        | "AWS::EC2::InternetGateway"
        | "AWS::EC2::RouteTable"
        | "AWS::EC2::NatGateway"
        | "AWS::EC2::NetworkAcl"
        | "AWS::EC2::VPCEndpoint"
        | "AWS::EC2::TransitGateway"
        | "AWS::EC2::TransitGatewayAttachment"
        | "AWS::EC2::TransitGatewayVpcAttachment"
        | "AWS::EC2::VPNConnection"
        | "AWS::EC2::FlowLog"
        | "AWS::Route53::HostedZone"
        | "AWS::Route53Resolver::ResolverRule" => None,
        _ => return None,
    };
    Some(Kind { name_property })
}

/// The identity of a modelled resource: what `Ref` and `Fn::GetAtt` give, and its ARN.
#[derive(Debug, Clone)]
struct Identity {
    arn: String,
    /// `Ref`.
    reference: String,
    /// `Fn::GetAtt` attributes.
    attributes: BTreeMap<&'static str, String>,
}

/// EC2 resources: the CloudFormation type, the ARN's resource path, the id's prefix (the
/// resource's `Ref` is `PREFIX-ID`, its ARN `arn:aws:ec2:REGION:ACCOUNT:PATH/PREFIX-ID`)
/// and the `Fn::GetAtt` attribute that also gives the id.
const EC2_IDS: &[(&str, &str, &str, Option<&str>)] = &[
    ("AWS::EC2::Volume", "volume", "vol", None),
    ("AWS::EC2::VPC", "vpc", "vpc", Some("VpcId")),
    ("AWS::EC2::Subnet", "subnet", "subnet", Some("SubnetId")),
    (
        "AWS::EC2::SecurityGroup",
        "security-group",
        "sg",
        Some("GroupId"),
    ),
    (
        "AWS::EC2::InternetGateway",
        "internet-gateway",
        "igw",
        Some("InternetGatewayId"),
    ),
    (
        "AWS::EC2::RouteTable",
        "route-table",
        "rtb",
        Some("RouteTableId"),
    ),
    (
        "AWS::EC2::NatGateway",
        "natgateway",
        "nat",
        Some("NatGatewayId"),
    ),
    ("AWS::EC2::NetworkAcl", "network-acl", "acl", Some("Id")),
    ("AWS::EC2::VPCEndpoint", "vpc-endpoint", "vpce", Some("Id")),
    (
        "AWS::EC2::TransitGateway",
        "transit-gateway",
        "tgw",
        Some("Id"),
    ),
    (
        "AWS::EC2::TransitGatewayAttachment",
        "transit-gateway-attachment",
        "tgw-attach",
        Some("Id"),
    ),
    (
        "AWS::EC2::TransitGatewayVpcAttachment",
        "transit-gateway-attachment",
        "tgw-attach",
        Some("Id"),
    ),
    (
        "AWS::EC2::VPNConnection",
        "vpn-connection",
        "vpn",
        Some("VpnConnectionId"),
    ),
    ("AWS::EC2::FlowLog", "vpc-flow-log", "fl", Some("Id")),
];

fn identity(cfn_type: &str, name: &str, target: &Target) -> Identity {
    let (account, region) = (&target.account_id, &target.region);
    let id = name.to_lowercase();
    let mut attributes = BTreeMap::new();
    if let Some((_, path, prefix, attribute)) = EC2_IDS.iter().find(|(t, ..)| *t == cfn_type) {
        let ec2_id = format!("{prefix}-{id}");
        if let Some(attribute) = attribute {
            attributes.insert(*attribute, ec2_id.clone());
        }
        let arn = format!("arn:aws:ec2:{region}:{account}:{path}/{ec2_id}");
        attributes.insert("Arn", arn.clone());
        return Identity {
            arn,
            reference: ec2_id,
            attributes,
        };
    }
    let (arn, reference) = match cfn_type {
        "AWS::Route53::HostedZone" => {
            let zone: String = id
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_uppercase();
            let zone = format!("Z{zone}");
            attributes.insert("Id", zone.clone());
            (format!("arn:aws:route53:::hostedzone/{zone}"), zone)
        }
        "AWS::Route53Resolver::ResolverRule" => {
            let rule = format!("rslvr-rr-{id}");
            attributes.insert("ResolverRuleId", rule.clone());
            (
                format!("arn:aws:route53resolver:{region}:{account}:resolver-rule/{rule}"),
                rule,
            )
        }
        "AWS::Config::ConfigurationRecorder" => (
            format!("arn:aws:config:{region}:{account}:configuration-recorder/{name}"),
            name.to_owned(),
        ),
        "AWS::RAM::ResourceShare" => {
            let arn = format!("arn:aws:ram:{region}:{account}:resource-share/{id}");
            (arn.clone(), arn)
        }
        "AWS::S3::Bucket" => {
            let arn = format!("arn:aws:s3:::{name}");
            attributes.insert("DomainName", format!("{name}.s3.amazonaws.com"));
            (arn, name.to_owned())
        }
        "AWS::IAM::Role" => {
            attributes.insert("RoleId", format!("AROA{}", id.to_uppercase()));
            (
                format!("arn:aws:iam::{account}:role/{name}"),
                name.to_owned(),
            )
        }
        "AWS::IAM::User" => (
            format!("arn:aws:iam::{account}:user/{name}"),
            name.to_owned(),
        ),
        "AWS::IAM::ManagedPolicy" => {
            let arn = format!("arn:aws:iam::{account}:policy/{name}");
            (arn.clone(), arn)
        }
        "AWS::KMS::Key" => {
            attributes.insert("KeyId", id.clone());
            (format!("arn:aws:kms:{region}:{account}:key/{id}"), id)
        }
        "AWS::KMS::Alias" => (
            format!("arn:aws:kms:{region}:{account}:{name}"),
            name.to_owned(),
        ),
        "AWS::RDS::DBInstance" => (format!("arn:aws:rds:{region}:{account}:db:{id}"), id),
        "AWS::RDS::DBCluster" => (format!("arn:aws:rds:{region}:{account}:cluster:{id}"), id),
        "AWS::CloudTrail::Trail" => (
            format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}"),
            name.to_owned(),
        ),
        "AWS::CertificateManager::Certificate" => {
            let arn = format!("arn:aws:acm:{region}:{account}:certificate/{id}");
            (arn.clone(), arn)
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let arn = format!(
                "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id}"
            );
            attributes.insert("LoadBalancerName", name.to_owned());
            (arn.clone(), arn)
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            let arn = format!(
                "arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{id}/{id}/{id}"
            );
            (arn.clone(), arn)
        }
        _ => (
            format!("arn:aws:cloudformation:{region}:{account}:resource/{name}"),
            name.to_owned(),
        ),
    };
    attributes.insert("Arn", arn.clone());
    Identity {
        arn,
        reference,
        attributes,
    }
}

/// A template's resources in the model.
pub(super) fn map(sink: &mut Sink<'_>, uri: &str, template: &Template, target: &Target) {
    let mut context = ResolveContext::new()
        .with_pseudo(PseudoParameter::AccountId, target.account_id.clone())
        .with_pseudo(PseudoParameter::Region, target.region.clone())
        .with_pseudo(PseudoParameter::Partition, "aws")
        .with_pseudo(PseudoParameter::UrlSuffix, "amazonaws.com")
        .with_pseudo(PseudoParameter::StackName, default_name(uri, "stack"));
    for (name, value) in &target.parameters {
        context = context.with_parameter(name.clone(), value.clone());
    }
    let Some(expanded) = transforms::apply(sink, uri, template, &context) else {
        return;
    };
    let template = &expanded;
    // An `Environment`-like parameter places the account in an environment when the
    // context does not.
    let mut target = target.clone();
    if target.environment.is_none() {
        target.environment = environment_parameter(sink, template, &context);
    }
    // Identities first, so that references resolve to them.
    let mut identities = BTreeMap::new();
    for resource in &template.resources {
        let cfn_type = resource.resource_type.as_str();
        let Some(kind) = kind(cfn_type) else { continue };
        let name = kind
            .name_property
            .and_then(|p| resource.property(&[p]))
            .map(|node| template.resolve(node, &context))
            .and_then(|r| r.text())
            .unwrap_or_else(|| default_name(uri, &resource.logical_id));
        let identity = identity(cfn_type, &name, &target);
        context = context.with_resource(
            ResourceReference {
                logical_id: resource.logical_id.clone(),
                attribute: None,
            },
            identity.reference.clone(),
        );
        for (attribute, value) in &identity.attributes {
            context = context.with_resource(
                ResourceReference {
                    logical_id: resource.logical_id.clone(),
                    attribute: Some((*attribute).to_owned()),
                },
                value.clone(),
            );
        }
        identities.insert(resource.logical_id.clone(), identity);
    }
    let mut mapper = Mapper {
        sink,
        uri,
        template,
        context: &context,
        target: &target,
        identities: &identities,
        attachments: Attachments::default(),
    };
    // Attachments (bucket policies, role policies, ingress rules) before what they attach to.
    for resource in &template.resources {
        if mapper.created(resource) {
            mapper.collect_attachment(resource);
        }
    }
    for resource in &template.resources {
        if !mapper.created(resource) {
            continue;
        }
        let Some(identity) = identities.get(&resource.logical_id) else {
            continue;
        };
        let mapped = mapper.resource(resource, identity);
        if mapped {
            for s in &resource.suppressions {
                mapper.sink.suppress(InlineSuppression {
                    arn: identity.arn.clone(),
                    rule_id: s.rule_id.clone(),
                    reason: s.reason.clone(),
                    location: location(uri, s.span.start),
                });
            }
        }
    }
}

/// The environment named by a parameter `Environment`, `Env` or `Stage` (the ruleset's
/// environment tag keys), when it resolves.
fn environment_parameter(
    sink: &Sink<'_>,
    template: &Template,
    context: &ResolveContext,
) -> Option<String> {
    let keys = &sink.parameters().environments.tags;
    template
        .parameters
        .iter()
        .filter(|p| keys.iter().any(|k| k.eq_ignore_ascii_case(&p.name)))
        .find_map(|p| {
            let node = Node::new(
                rampart_iac::Value::Mapping(vec![rampart_iac::Entry {
                    key: "Ref".to_owned(),
                    key_span: p.span,
                    value: Node::new(rampart_iac::Value::String(p.name.clone()), p.span),
                }]),
                p.span,
            );
            template.resolve(&node, context).text()
        })
        .map(|value| {
            let tags: Tags = [(keys.first().cloned().unwrap_or_default(), value.clone())]
                .into_iter()
                .collect();
            crate::facts::environment_tag(&tags, sink.parameters()).map_or(value, |t| t.environment)
        })
}

fn location(uri: &str, at: rampart_iac::Position) -> Location {
    Location {
        uri: uri.to_owned(),
        line: at.line,
        column: at.column,
    }
}

/// What other resources attach to a modelled one.
#[derive(Default)]
struct Attachments {
    /// Bucket name → its policy resource.
    bucket_policies: BTreeMap<String, String>,
    /// Role name → inline policies (name, logical id of the policy resource).
    role_policies: BTreeMap<String, Vec<(String, String)>>,
    /// Role name → managed policy ARNs attached from `AWS::IAM::ManagedPolicy.Roles`.
    role_managed: BTreeMap<String, Vec<String>>,
    /// Group id → ingress rules from `AWS::EC2::SecurityGroupIngress`.
    ingress: BTreeMap<String, Vec<String>>,
    /// Key id or ARN → aliases.
    aliases: BTreeMap<String, Vec<String>>,
    /// Group id → egress rules from `AWS::EC2::SecurityGroupEgress`.
    egress: BTreeMap<String, Vec<String>>,
    /// Internet gateway id → VPC ids (`AWS::EC2::VPCGatewayAttachment`).
    gateway_vpcs: BTreeMap<String, Vec<String>>,
    /// Route table id → `AWS::EC2::Route` resources.
    routes: BTreeMap<String, Vec<String>>,
    /// Route table id → subnet ids (`AWS::EC2::SubnetRouteTableAssociation`).
    route_table_subnets: BTreeMap<String, Vec<String>>,
    /// Network ACL id → `AWS::EC2::NetworkAclEntry` resources.
    acl_entries: BTreeMap<String, Vec<String>>,
    /// Network ACL id → subnet ids (`AWS::EC2::SubnetNetworkAclAssociation`).
    acl_subnets: BTreeMap<String, Vec<String>>,
    /// DB cluster identifier (lowercase) → member instance identifiers.
    cluster_members: BTreeMap<String, Vec<String>>,
    /// Whether the template declares a Config delivery channel.
    delivery_channel: bool,
    /// Attachments whose target the code does not decide: the type they may attach to, the
    /// data they hide, and why.
    undecided: Vec<(&'static str, Operation, String)>,
}

/// A resource that attaches to another by naming it in a property, recorded under the
/// target's id in one of [`Attachments`]' lists.
struct Link {
    /// The attaching resource's type.
    from: &'static str,
    /// The property naming the target.
    target: &'static str,
    /// The target's type and the data an undecided target hides: every resource of that
    /// type may be the one attached to.
    target_type: &'static str,
    op: Operation,
    /// What is recorded: the attaching resource itself (`None`), or the id this property
    /// names (the subnet of an association).
    member: Option<&'static str>,
    list: fn(&mut Attachments) -> &mut BTreeMap<String, Vec<String>>,
}

const LINKS: &[Link] = &[
    Link {
        from: "AWS::EC2::SecurityGroupIngress",
        target: "GroupId",
        target_type: "AWS::EC2::SecurityGroup",
        op: Operation::Ec2DescribeSecurityGroups,
        member: None,
        list: |a| &mut a.ingress,
    },
    Link {
        from: "AWS::EC2::SecurityGroupEgress",
        target: "GroupId",
        target_type: "AWS::EC2::SecurityGroup",
        op: Operation::Ec2DescribeSecurityGroups,
        member: None,
        list: |a| &mut a.egress,
    },
    Link {
        from: "AWS::EC2::VPCGatewayAttachment",
        target: "InternetGatewayId",
        target_type: "AWS::EC2::InternetGateway",
        op: Operation::Ec2DescribeInternetGateways,
        member: Some("VpcId"),
        list: |a| &mut a.gateway_vpcs,
    },
    Link {
        from: "AWS::EC2::Route",
        target: "RouteTableId",
        target_type: "AWS::EC2::RouteTable",
        op: Operation::Ec2DescribeRouteTables,
        member: None,
        list: |a| &mut a.routes,
    },
    Link {
        from: "AWS::EC2::SubnetRouteTableAssociation",
        target: "RouteTableId",
        target_type: "AWS::EC2::RouteTable",
        op: Operation::Ec2DescribeRouteTables,
        member: Some("SubnetId"),
        list: |a| &mut a.route_table_subnets,
    },
    Link {
        from: "AWS::EC2::NetworkAclEntry",
        target: "NetworkAclId",
        target_type: "AWS::EC2::NetworkAcl",
        op: Operation::Ec2DescribeNetworkAcls,
        member: None,
        list: |a| &mut a.acl_entries,
    },
    Link {
        from: "AWS::EC2::SubnetNetworkAclAssociation",
        target: "NetworkAclId",
        target_type: "AWS::EC2::NetworkAcl",
        op: Operation::Ec2DescribeNetworkAcls,
        member: Some("SubnetId"),
        list: |a| &mut a.acl_subnets,
    },
];

struct Mapper<'a, 's> {
    sink: &'a mut Sink<'s>,
    uri: &'a str,
    template: &'a Template,
    context: &'a ResolveContext,
    target: &'a Target,
    identities: &'a BTreeMap<String, Identity>,
    attachments: Attachments,
}

/// A property's value: absent, known, or not decided by the template (why, and where).
enum Prop {
    Absent,
    Known(Resolved),
    Unknown(String),
}

impl Mapper<'_, '_> {
    /// Whether the resource is created: its condition is not statically false.
    fn created(&self, resource: &CfnResource) -> bool {
        match &resource.condition {
            Some(name) => self
                .template
                .evaluate_condition(name, self.context)
                .unwrap_or(true),
            None => true,
        }
    }

    fn prop(&self, resource: &CfnResource, path: &[&str]) -> Prop {
        let Some(node) = resource.property(path) else {
            // A parent may be an intrinsic function that yields the mapping.
            if path.len() > 1 {
                if let Prop::Known(parent) = self.prop(resource, &path[..path.len() - 1]) {
                    return match parent.get(path[path.len() - 1]) {
                        Some(v) => self.known_or_unknown(v.clone(), node_of(resource)),
                        None => Prop::Absent,
                    };
                }
            }
            // A loop left in the properties may generate it.
            if let Some(key) = resource.unexpanded_property_loop() {
                return Prop::Unknown(format!(
                    "not decided by the code: `{key}` in `{}` may set it",
                    resource.logical_id
                ));
            }
            return Prop::Absent;
        };
        let value = self.template.resolve(node, self.context);
        if matches!(value, Resolved::NoValue) {
            return Prop::Absent;
        }
        self.known_or_unknown(value, Some(node))
    }

    fn known_or_unknown(&self, value: Resolved, node: Option<&Node>) -> Prop {
        if value.is_known() {
            return Prop::Known(value);
        }
        let reason = first_reason(&value).unwrap_or_else(|| "not known".to_owned());
        let at = node.map_or(String::new(), |n| {
            format!(
                " ({}:{}:{})",
                self.uri, n.span.start.line, n.span.start.column
            )
        });
        Prop::Unknown(format!("not decided by the code{at}: {reason}"))
    }

    /// A known property, or `None`; an undecided one is recorded as a gap for `operation`.
    fn known(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        path: &[&str],
        operation: Operation,
    ) -> Option<Resolved> {
        match self.prop(resource, path) {
            Prop::Absent => None,
            Prop::Known(v) => Some(v),
            Prop::Unknown(reason) => {
                self.sink.unknown(
                    self.target,
                    region,
                    &identity.arn,
                    operation,
                    format!("`{}` {reason}", path.join(".")),
                );
                None
            }
        }
    }

    fn string(&self, resource: &CfnResource, path: &[&str]) -> Option<String> {
        match self.prop(resource, path) {
            Prop::Known(v) => v.text(),
            _ => None,
        }
    }

    fn tags(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        op: Operation,
    ) -> Tags {
        self.tags_at(resource, identity, region, &["Tags"], op)
    }

    /// The tags under `path` (`Tags`, or `HostedZoneTags`).
    fn tags_at(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        path: &[&str],
        op: Operation,
    ) -> Tags {
        let mut tags = Tags::new();
        let key = path.join(".");
        // A tag whose value is undecided matters only when its key carries the
        // classification or environment; others are left out.
        let value = match self.prop(resource, path) {
            Prop::Unknown(reason) => match resource
                .property(path)
                .map(|n| self.template.resolve(n, self.context))
            {
                Some(Resolved::List(items)) => {
                    let params = self.sink.parameters();
                    let relevant = |k: &str| {
                        params
                            .classification_tags
                            .iter()
                            .chain(&params.environments.tags)
                            .any(|t| t == k)
                    };
                    let decisive =
                        items
                            .iter()
                            .any(|i| match i.get("Key").and_then(Resolved::text) {
                                Some(k) => {
                                    relevant(&k) && !i.get("Value").is_some_and(Resolved::is_known)
                                }
                                None => true,
                            });
                    if decisive {
                        self.sink.unknown(
                            self.target,
                            region,
                            &identity.arn,
                            op,
                            format!("`{key}` {reason}"),
                        );
                    }
                    Some(Resolved::List(
                        items.into_iter().filter(Resolved::is_known).collect(),
                    ))
                }
                _ => {
                    self.sink.unknown(
                        self.target,
                        region,
                        &identity.arn,
                        op,
                        format!("`{key}` {reason}"),
                    );
                    None
                }
            },
            Prop::Known(v) => Some(v),
            Prop::Absent => None,
        };
        match value {
            Some(Resolved::List(items)) => {
                for item in items {
                    if let (Some(k), Some(v)) = (
                        item.get("Key").and_then(Resolved::text),
                        item.get("Value").and_then(Resolved::text),
                    ) {
                        tags.insert(k, v);
                    }
                }
            }
            // `AWS::SSM::Parameter`-style maps.
            Some(Resolved::Map(entries)) => {
                for (k, v) in entries {
                    if let Some(v) = v.text() {
                        tags.insert(k, v);
                    }
                }
            }
            _ => {}
        }
        tags
    }

    fn source(&self, resource: &CfnResource) -> Source {
        Source::File {
            uri: self.uri.to_owned(),
            line: resource.id_span.start.line,
            column: resource.id_span.start.column,
        }
    }

    /// An ARN (or id) a property refers to: a known string, resolved through the identities.
    fn reference(&self, resource: &CfnResource, path: &[&str]) -> Option<String> {
        self.string(resource, path)
    }

    fn policy(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        path: &[&str],
        op: Operation,
    ) -> Option<PolicyDocument> {
        let value = self.known(resource, identity, region, path, op)?;
        let json = match &value {
            // Policies given as JSON text.
            Resolved::String(text) => serde_json::from_str(text).ok()?,
            other => to_json(other),
        };
        Some(PolicyDocument::new(json))
    }

    /// The id an attachment names in `path`; when the code does not decide it, every
    /// resource of `target_type` may be the one it attaches to, and is unknown for `op`.
    fn attached_to(
        &mut self,
        resource: &CfnResource,
        path: &[&str],
        target_type: &'static str,
        op: Operation,
    ) -> Option<String> {
        self.attached_all(resource, path, target_type, op)
            .into_iter()
            .next()
    }

    /// The ids a list property names (`Roles`); when the code does not decide the list,
    /// every resource of `target_type` may be one of them, and is unknown for `op`.
    fn attached_all(
        &mut self,
        resource: &CfnResource,
        path: &[&str],
        target_type: &'static str,
        op: Operation,
    ) -> Vec<String> {
        match self.prop(resource, path) {
            Prop::Known(Resolved::List(items)) => items.iter().filter_map(Resolved::text).collect(),
            Prop::Known(v) => v.text().into_iter().collect(),
            Prop::Absent => Vec::new(),
            Prop::Unknown(reason) => {
                self.attachments.undecided.push((
                    target_type,
                    op,
                    format!("`{}.{}` {reason}", resource.logical_id, path.join(".")),
                ));
                Vec::new()
            }
        }
    }

    /// Records `resource` under the target its `link.target` property names. Without that
    /// property the resource attaches to something rampart does not model (a VPN gateway's
    /// `AWS::EC2::VPCGatewayAttachment` has no internet gateway).
    fn collect_link(&mut self, resource: &CfnResource, link: &Link) {
        if resource.property(&[link.target]).is_none() {
            return;
        }
        let target = self.attached_to(resource, &[link.target], link.target_type, link.op);
        let member = match link.member {
            None => Some(resource.logical_id.clone()),
            Some(path) => self.attached_to(resource, &[path], link.target_type, link.op),
        };
        if let (Some(target), Some(member)) = (target, member) {
            (link.list)(&mut self.attachments)
                .entry(target)
                .or_default()
                .push(member);
        }
    }

    fn collect_attachment(&mut self, resource: &CfnResource) {
        let cfn_type = resource.resource_type.as_str();
        if let Some(link) = LINKS.iter().find(|l| l.from == cfn_type) {
            return self.collect_link(resource, link);
        }
        match cfn_type {
            "AWS::S3::BucketPolicy" => {
                let (bucket, op) = ("AWS::S3::Bucket", Operation::S3GetBucketPolicy);
                if let Some(bucket) = self.attached_to(resource, &["Bucket"], bucket, op) {
                    self.attachments
                        .bucket_policies
                        .insert(bucket, resource.logical_id.clone());
                }
            }
            "AWS::IAM::Policy" | "AWS::IAM::RolePolicy" => {
                let name = self
                    .string(resource, &["PolicyName"])
                    .unwrap_or_else(|| resource.logical_id.clone());
                let (role, op) = (
                    "AWS::IAM::Role",
                    Operation::IamGetAccountAuthorizationDetails,
                );
                let roles = match resource.resource_type.as_str() {
                    "AWS::IAM::RolePolicy" => self
                        .attached_to(resource, &["RoleName"], role, op)
                        .into_iter()
                        .collect(),
                    _ => self.attached_all(resource, &["Roles"], role, op),
                };
                for role in roles {
                    self.attachments
                        .role_policies
                        .entry(role)
                        .or_default()
                        .push((name.clone(), resource.logical_id.clone()));
                }
            }
            "AWS::IAM::ManagedPolicy" => {
                let (role, op) = (
                    "AWS::IAM::Role",
                    Operation::IamGetAccountAuthorizationDetails,
                );
                let roles = self.attached_all(resource, &["Roles"], role, op);
                if let Some(identity) = self.identities.get(&resource.logical_id) {
                    for role in roles {
                        self.attachments
                            .role_managed
                            .entry(role)
                            .or_default()
                            .push(identity.arn.clone());
                    }
                }
            }
            "AWS::RDS::DBInstance" => {
                let op = Operation::RdsDescribeDbClusters;
                let cluster = "AWS::RDS::DBCluster";
                if resource.property(&["DBClusterIdentifier"]).is_some() {
                    if let (Some(id), Some(identity)) = (
                        self.attached_to(resource, &["DBClusterIdentifier"], cluster, op),
                        self.identities.get(&resource.logical_id),
                    ) {
                        self.attachments
                            .cluster_members
                            .entry(id.to_lowercase())
                            .or_default()
                            .push(identity.reference.clone());
                    }
                }
            }
            "AWS::Config::DeliveryChannel" => self.attachments.delivery_channel = true,
            "AWS::KMS::Alias" => {
                let (key, op) = ("AWS::KMS::Key", Operation::KmsListAliases);
                if let (Some(key), Some(alias)) = (
                    self.attached_to(resource, &["TargetKeyId"], key, op),
                    self.string(resource, &["AliasName"]),
                ) {
                    self.attachments.aliases.entry(key).or_default().push(alias);
                }
            }
            _ => {}
        }
    }

    /// The strings of a known list property (or a single string); an undecided one is a
    /// gap for `operation`, and no string.
    fn known_strings(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        path: &[&str],
        operation: Operation,
    ) -> Vec<String> {
        match self.known(resource, identity, region, path, operation) {
            Some(Resolved::List(items)) => items.iter().filter_map(Resolved::text).collect(),
            Some(v) => v.text().into_iter().collect(),
            None => Vec::new(),
        }
    }

    /// Whether the template's DB cluster `identifier` encrypts its storage; `None` when the
    /// template does not declare it or does not decide.
    fn cluster_storage_encrypted(&self, identifier: &str) -> Option<bool> {
        let cluster = self.template.resources.iter().find(|r| {
            r.resource_type.as_str() == "AWS::RDS::DBCluster"
                && self
                    .identities
                    .get(&r.logical_id)
                    .is_some_and(|i| i.reference == identifier.to_lowercase())
        })?;
        match self.prop(cluster, &["StorageEncrypted"]) {
            Prop::Known(v) => Some(truthy(&v)),
            Prop::Absent => Some(cluster.property(&["KmsKeyId"]).is_some()),
            Prop::Unknown(_) => None,
        }
    }

    /// Maps one resource; `false` when its type is not modelled.
    fn resource(&mut self, resource: &CfnResource, identity: &Identity) -> bool {
        let region = self.target.region.clone();
        let source = self.source(resource);
        let account_id = self.target.account_id.clone();
        let cfn_type = resource.resource_type.as_str();
        let undecided: Vec<(Operation, String)> = self
            .attachments
            .undecided
            .iter()
            .filter(|(t, _, _)| *t == cfn_type)
            .map(|(_, op, reason)| (*op, reason.clone()))
            .collect();
        // IAM resources are global in the model: their gaps must be too, to cover them.
        let gap_region = if cfn_type.starts_with("AWS::IAM::") {
            GLOBAL_REGION
        } else {
            region.as_str()
        };
        for (op, reason) in undecided {
            self.sink
                .unknown(self.target, gap_region, &identity.arn, op, reason);
        }
        if self.network_resource(resource, identity, &region, source.clone())
            || self.service_resource(resource, identity, &region, source.clone())
        {
            return true;
        }
        match cfn_type {
            "AWS::S3::Bucket" => {
                let bucket = self.s3_bucket(resource, identity, &region, source);
                self.sink
                    .account(self.target)
                    .storage
                    .s3_buckets
                    .push(bucket);
            }
            "AWS::KMS::Key" => {
                let key = self.kms_key(resource, identity, &region, source);
                self.sink.account(self.target).kms_keys.push(key);
            }
            "AWS::IAM::Role" => {
                let role = self.iam_role(resource, identity, source);
                self.sink.account(self.target).iam.roles.push(role);
            }
            "AWS::IAM::User" => {
                let op = Operation::IamGetAccountAuthorizationDetails;
                let tags = self.tags(resource, identity, GLOBAL_REGION, op);
                let inline = self.inline_policies(resource, identity, GLOBAL_REGION, op);
                let user = IamUser {
                    arn: identity.arn.clone(),
                    account_id,
                    region: GLOBAL_REGION.to_owned(),
                    tags,
                    source,
                    name: identity.reference.clone(),
                    access_keys: Vec::new(),
                    console_access: resource.property(&["LoginProfile"]).is_some(),
                    mfa_enabled: false,
                    inline_policies: inline,
                    attached_policy_arns: self.known_strings(
                        resource,
                        identity,
                        GLOBAL_REGION,
                        &["ManagedPolicyArns"],
                        op,
                    ),
                    permissions_boundary_arn: self.reference(resource, &["PermissionsBoundary"]),
                };
                self.sink.account(self.target).iam.users.push(user);
            }
            "AWS::IAM::ManagedPolicy" => {
                let op = Operation::IamGetAccountAuthorizationDetails;
                let Some(document) =
                    self.policy(resource, identity, GLOBAL_REGION, &["PolicyDocument"], op)
                else {
                    return false;
                };
                let policy = ManagedPolicy {
                    arn: identity.arn.clone(),
                    account_id,
                    region: GLOBAL_REGION.to_owned(),
                    tags: Tags::new(),
                    source,
                    name: identity
                        .reference
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    aws_managed: false,
                    document,
                };
                self.sink
                    .account(self.target)
                    .iam
                    .managed_policies
                    .push(policy);
            }
            "AWS::EC2::Volume" => {
                let op = Operation::Ec2DescribeVolumes;
                let tags = self.tags(resource, identity, &region, op);
                let encrypted = match self.known(resource, identity, &region, &["Encrypted"], op) {
                    Some(v) => truthy(&v),
                    None => {
                        if resource.property(&["Encrypted"]).is_none() {
                            self.sink.unknown(
                                self.target,
                                &region,
                                &identity.arn,
                                op,
                                "`Encrypted` is not set: the volume is encrypted only if the account's EBS encryption by default is on".to_owned(),
                            );
                        }
                        false
                    }
                };
                let volume = EbsVolume {
                    arn: identity.arn.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    volume_id: identity.reference.clone(),
                    encrypted,
                    kms_key_arn: self.reference(resource, &["KmsKeyId"]),
                    size_gib: self
                        .string(resource, &["Size"])
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0),
                };
                self.sink
                    .account(self.target)
                    .storage
                    .ebs_volumes
                    .push(volume);
            }
            "AWS::RDS::DBInstance" => {
                let op = Operation::RdsDescribeDbInstances;
                let tags = self.tags(resource, identity, &region, op);
                let cluster = self.string(resource, &["DBClusterIdentifier"]);
                let storage_encrypted = match self.known(
                    resource,
                    identity,
                    &region,
                    &["StorageEncrypted"],
                    op,
                ) {
                    Some(v) => truthy(&v),
                    // A cluster member's storage is the cluster's.
                    None => match &cluster {
                        Some(cluster) => match self.cluster_storage_encrypted(cluster) {
                            Some(encrypted) => encrypted,
                            None => {
                                self.sink.unknown(
                                        self.target,
                                        &region,
                                        &identity.arn,
                                        op,
                                        format!("the instance's storage is its cluster's, and the code does not declare whether the cluster `{cluster}` encrypts it"),
                                    );
                                false
                            }
                        },
                        None => resource.property(&["KmsKeyId"]).is_some(),
                    },
                };
                let publicly_accessible = match self.known(
                    resource,
                    identity,
                    &region,
                    &["PubliclyAccessible"],
                    op,
                ) {
                    Some(v) => truthy(&v),
                    None => {
                        if resource.property(&["PubliclyAccessible"]).is_none()
                            && resource.property(&["DBSubnetGroupName"]).is_none()
                            && cluster.is_none()
                        {
                            self.sink.unknown(self.target, &region, &identity.arn, op,
                                "neither `PubliclyAccessible` nor `DBSubnetGroupName` is set: the instance is public if the default VPC has an internet gateway".to_owned());
                        }
                        false
                    }
                };
                let instance = RdsDbInstance {
                    arn: identity.arn.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    identifier: identity.reference.clone(),
                    engine: self.string(resource, &["Engine"]).unwrap_or_default(),
                    storage_encrypted,
                    kms_key_arn: self.reference(resource, &["KmsKeyId"]),
                    publicly_accessible,
                };
                self.sink
                    .account(self.target)
                    .storage
                    .rds_instances
                    .push(instance);
            }
            "AWS::RDS::DBCluster" => {
                let op = Operation::RdsDescribeDbClusters;
                let tags = self.tags(resource, identity, &region, op);
                let storage_encrypted =
                    match self.known(resource, identity, &region, &["StorageEncrypted"], op) {
                        Some(v) => truthy(&v),
                        None => resource.property(&["KmsKeyId"]).is_some(),
                    };
                let cluster = RdsDbCluster {
                    arn: identity.arn.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    identifier: identity.reference.clone(),
                    engine: self.string(resource, &["Engine"]).unwrap_or_default(),
                    storage_encrypted,
                    kms_key_arn: self.reference(resource, &["KmsKeyId"]),
                    members: self
                        .attachments
                        .cluster_members
                        .get(&identity.reference.to_lowercase())
                        .cloned()
                        .unwrap_or_default(),
                };
                self.sink
                    .account(self.target)
                    .storage
                    .rds_clusters
                    .push(cluster);
            }
            "AWS::EC2::SecurityGroup" => {
                let group = self.security_group(resource, identity, &region, source);
                self.sink
                    .account(self.target)
                    .network
                    .security_groups
                    .push(group);
            }
            "AWS::EC2::VPC" => {
                let op = Operation::Ec2DescribeVpcs;
                let tags = self.tags(resource, identity, &region, op);
                let cidr = self
                    .known(resource, identity, &region, &["CidrBlock"], op)
                    .and_then(|v| v.text());
                let vpc = Vpc {
                    arn: identity.arn.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    vpc_id: identity.reference.clone(),
                    cidr_blocks: cidr.into_iter().collect(),
                    is_default: false,
                };
                self.sink.account(self.target).network.vpcs.push(vpc);
            }
            "AWS::EC2::Subnet" => {
                let op = Operation::Ec2DescribeSubnets;
                let tags = self.tags(resource, identity, &region, op);
                let availability_zone = self
                    .known(resource, identity, &region, &["AvailabilityZone"], op)
                    .and_then(|v| v.text());
                // An `AvailabilityZoneId` names a zone whose name differs between accounts.
                if resource.property(&["AvailabilityZone"]).is_none() {
                    self.sink.unknown(
                        self.target,
                        &region,
                        &identity.arn,
                        op,
                        "`AvailabilityZone` is not set: EC2 picks the subnet's availability zone (or maps `AvailabilityZoneId` to a name per account)".to_owned(),
                    );
                }
                let subnet = Subnet {
                    arn: identity.arn.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    subnet_id: identity.reference.clone(),
                    vpc_id: self.string(resource, &["VpcId"]).unwrap_or_default(),
                    cidr_block: self.string(resource, &["CidrBlock"]).unwrap_or_default(),
                    availability_zone: availability_zone.unwrap_or_default(),
                    map_public_ip_on_launch: self
                        .string(resource, &["MapPublicIpOnLaunch"])
                        .is_some_and(|s| s == "true"),
                };
                self.sink.account(self.target).network.subnets.push(subnet);
            }
            "AWS::CloudTrail::Trail" => {
                let op = Operation::CloudtrailDescribeTrails;
                let tags = self.tags(resource, identity, &region, op);
                let flag = |m: &mut Self, p: &str| {
                    m.known(resource, identity, &region, &[p], op)
                        .is_some_and(|v| truthy(&v))
                };
                let is_multi_region = flag(self, "IsMultiRegionTrail");
                let is_organization_trail = flag(self, "IsOrganizationTrail");
                let log_file_validation = flag(self, "EnableLogFileValidation");
                let is_logging = match self.known(resource, identity, &region, &["IsLogging"], op) {
                    Some(v) => truthy(&v),
                    None => true,
                };
                let trail = CloudTrailTrail {
                    arn: identity.arn.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    name: identity.reference.clone(),
                    is_multi_region,
                    is_organization_trail,
                    is_logging,
                    log_file_validation,
                    kms_key_arn: self.reference(resource, &["KMSKeyId"]),
                    s3_bucket_name: self.string(resource, &["S3BucketName"]).unwrap_or_default(),
                    management_events: None,
                    data_event_selectors: 0,
                };
                self.sink
                    .account(self.target)
                    .logging
                    .cloudtrail_trails
                    .push(trail);
            }
            "AWS::CertificateManager::Certificate" => {
                let op = Operation::AcmDescribeCertificate;
                let tags = self.tags(resource, identity, &region, op);
                let key_algorithm = self
                    .string(resource, &["KeyAlgorithm"])
                    .unwrap_or_else(|| "RSA_2048".to_owned());
                let certificate = AcmCertificate {
                    arn: identity.arn.clone(),
                    account_id,
                    region,
                    tags,
                    source,
                    domain_name: self.string(resource, &["DomainName"]).unwrap_or_default(),
                    certificate_type: if resource.property(&["CertificateAuthorityArn"]).is_some() {
                        "PRIVATE".to_owned()
                    } else {
                        "AMAZON_ISSUED".to_owned()
                    },
                    status: "PENDING_VALIDATION".to_owned(),
                    key_algorithm,
                    not_after: None,
                    in_use_by: Vec::new(),
                    renewal_eligibility: None,
                };
                self.sink
                    .account(self.target)
                    .certificates
                    .acm
                    .push(certificate);
            }
            "AWS::ElasticLoadBalancingV2::Listener" => {
                let op = Operation::ElbDescribeListeners;
                let protocol = self
                    .known(resource, identity, &region, &["Protocol"], op)
                    .and_then(|v| v.text())
                    .unwrap_or_default();
                let port = self
                    .string(resource, &["Port"])
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0);
                let redirects_to_https = match self.prop(resource, &["DefaultActions"]) {
                    Prop::Known(Resolved::List(actions)) => {
                        actions.iter().all(|a| {
                            a.get("Type").and_then(Resolved::as_str) == Some("redirect")
                                && a.get("RedirectConfig")
                                    .and_then(|c| c.get("Protocol"))
                                    .and_then(Resolved::as_str)
                                    == Some("HTTPS")
                        }) && !actions.is_empty()
                    }
                    Prop::Unknown(reason) => {
                        self.sink.unknown(
                            self.target,
                            &region,
                            &identity.arn,
                            op,
                            format!("`DefaultActions` {reason}"),
                        );
                        false
                    }
                    _ => false,
                };
                let load_balancer_arn = self
                    .string(resource, &["LoadBalancerArn"])
                    .unwrap_or_default();
                let balancer = self.template.resources.iter().find(|r| {
                    self.identities
                        .get(&r.logical_id)
                        .is_some_and(|i| i.arn == load_balancer_arn)
                });
                let scheme = balancer
                    .and_then(|b| self.string(b, &["Scheme"]))
                    .unwrap_or_else(|| "internet-facing".to_owned());
                let load_balancer_type = balancer
                    .and_then(|b| self.string(b, &["Type"]))
                    .unwrap_or_else(|| "application".to_owned());
                let listener = LoadBalancerListener {
                    arn: identity.arn.clone(),
                    account_id,
                    region,
                    tags: Tags::new(),
                    source,
                    load_balancer_name: load_balancer_arn
                        .split('/')
                        .nth(2)
                        .unwrap_or_default()
                        .to_owned(),
                    load_balancer_arn,
                    load_balancer_type,
                    scheme,
                    port,
                    protocol,
                    ssl_policy: self.string(resource, &["SslPolicy"]),
                    redirects_to_https,
                };
                self.sink
                    .account(self.target)
                    .network
                    .load_balancer_listeners
                    .push(listener);
            }
            _ => return false,
        }
        true
    }

    fn s3_bucket(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> S3Bucket {
        let tags = self.tags(resource, identity, region, Operation::S3GetBucketTagging);
        // Since January 2023 every bucket without a configuration encrypts with SSE-S3.
        let encryption = match self.known(
            resource,
            identity,
            region,
            &["BucketEncryption", "ServerSideEncryptionConfiguration"],
            Operation::S3GetBucketEncryption,
        ) {
            Some(Resolved::List(rules)) => rules.first().map(|rule| {
                let default = rule.get("ServerSideEncryptionByDefault");
                BucketEncryption {
                    sse_algorithm: default
                        .and_then(|d| d.get("SSEAlgorithm"))
                        .and_then(Resolved::text)
                        .unwrap_or_else(|| "AES256".to_owned()),
                    kms_key_arn: default
                        .and_then(|d| d.get("KMSMasterKeyID"))
                        .and_then(Resolved::text),
                    bucket_key_enabled: rule.get("BucketKeyEnabled").is_some_and(truthy),
                }
            }),
            Some(_) => None,
            None if resource.property(&["BucketEncryption"]).is_none() => Some(BucketEncryption {
                sse_algorithm: "AES256".to_owned(),
                kms_key_arn: None,
                bucket_key_enabled: false,
            }),
            None => None,
        };
        let pab_op = Operation::S3GetPublicAccessBlock;
        let public_access_block = match self.known(
            resource,
            identity,
            region,
            &["PublicAccessBlockConfiguration"],
            pab_op,
        ) {
            Some(config) => Some(PublicAccessBlock {
                block_public_acls: config.get("BlockPublicAcls").is_some_and(truthy),
                ignore_public_acls: config.get("IgnorePublicAcls").is_some_and(truthy),
                block_public_policy: config.get("BlockPublicPolicy").is_some_and(truthy),
                restrict_public_buckets: config.get("RestrictPublicBuckets").is_some_and(truthy),
            }),
            // New buckets block all public access by default (April 2023).
            None if resource
                .property(&["PublicAccessBlockConfiguration"])
                .is_none() =>
            {
                Some(PublicAccessBlock {
                    block_public_acls: true,
                    ignore_public_acls: true,
                    block_public_policy: true,
                    restrict_public_buckets: true,
                })
            }
            None => None,
        };
        let versioning = self
            .known(
                resource,
                identity,
                region,
                &["VersioningConfiguration", "Status"],
                Operation::S3GetBucketVersioning,
            )
            .and_then(|v| v.text())
            .is_some_and(|s| s == "Enabled");
        let policy = match self
            .attachments
            .bucket_policies
            .get(&identity.reference)
            .cloned()
        {
            Some(logical_id) => match self.template.resource(&logical_id) {
                Some(policy_resource) => self.policy(
                    policy_resource,
                    identity,
                    region,
                    &["PolicyDocument"],
                    Operation::S3GetBucketPolicy,
                ),
                None => None,
            },
            None => None,
        };
        S3Bucket {
            arn: identity.arn.clone(),
            account_id: self.target.account_id.clone(),
            region: region.to_owned(),
            tags,
            source,
            name: identity.reference.clone(),
            encryption,
            policy,
            public_access_block,
            versioning,
        }
    }

    fn kms_key(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> KmsKey {
        let tags = self.tags(resource, identity, region, Operation::KmsListResourceTags);
        let describe = Operation::KmsDescribeKey;
        let enabled = self
            .known(resource, identity, region, &["Enabled"], describe)
            .is_none_or(|v| truthy(&v));
        let key_spec = self
            .known(resource, identity, region, &["KeySpec"], describe)
            .and_then(|v| v.text())
            .unwrap_or_else(|| "SYMMETRIC_DEFAULT".to_owned());
        let key_usage = self
            .known(resource, identity, region, &["KeyUsage"], describe)
            .and_then(|v| v.text())
            .unwrap_or_else(|| "ENCRYPT_DECRYPT".to_owned());
        let multi_region = self
            .known(resource, identity, region, &["MultiRegion"], describe)
            .is_some_and(|v| truthy(&v));
        let rotation_enabled = match self.prop(resource, &["EnableKeyRotation"]) {
            Prop::Absent => Some(false),
            Prop::Known(v) => Some(truthy(&v)),
            Prop::Unknown(reason) => {
                self.sink.unknown(
                    self.target,
                    region,
                    &identity.arn,
                    Operation::KmsGetKeyRotationStatus,
                    format!("`EnableKeyRotation` {reason}"),
                );
                None
            }
        };
        let policy = match resource.property(&["KeyPolicy"]) {
            None => Some(super::default_key_policy(&self.target.account_id)),
            Some(_) => self.policy(
                resource,
                identity,
                region,
                &["KeyPolicy"],
                Operation::KmsGetKeyPolicy,
            ),
        };
        let mut aliases = self
            .attachments
            .aliases
            .get(&identity.reference)
            .cloned()
            .unwrap_or_default();
        aliases.extend(
            self.attachments
                .aliases
                .get(&identity.arn)
                .cloned()
                .unwrap_or_default(),
        );
        aliases.sort();
        aliases.dedup();
        KmsKey {
            arn: identity.arn.clone(),
            account_id: self.target.account_id.clone(),
            region: region.to_owned(),
            tags,
            source,
            key_id: identity.reference.clone(),
            key_manager: "CUSTOMER".to_owned(),
            key_state: if enabled { "Enabled" } else { "Disabled" }.to_owned(),
            key_spec,
            key_usage,
            multi_region,
            rotation_enabled,
            policy,
            aliases,
        }
    }

    fn inline_policies(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        op: Operation,
    ) -> BTreeMap<String, PolicyDocument> {
        let mut out = BTreeMap::new();
        if let Some(Resolved::List(items)) =
            self.known(resource, identity, region, &["Policies"], op)
        {
            for (i, item) in items.iter().enumerate() {
                let name = item
                    .get("PolicyName")
                    .and_then(Resolved::text)
                    .unwrap_or_else(|| format!("policy-{i}"));
                if let Some(doc) = item.get("PolicyDocument") {
                    let json = match doc {
                        Resolved::String(text) => serde_json::from_str(text).unwrap_or_default(),
                        other => to_json(other),
                    };
                    out.insert(name, PolicyDocument::new(json));
                }
            }
        }
        out
    }

    fn iam_role(&mut self, resource: &CfnResource, identity: &Identity, source: Source) -> IamRole {
        let op = Operation::IamGetAccountAuthorizationDetails;
        let region = GLOBAL_REGION;
        let tags = self.tags(resource, identity, region, op);
        let trust_policy = self
            .policy(
                resource,
                identity,
                region,
                &["AssumeRolePolicyDocument"],
                op,
            )
            .unwrap_or_else(|| {
                PolicyDocument::new(serde_json::json!({"Version": "2012-10-17", "Statement": []}))
            });
        let mut inline_policies = self.inline_policies(resource, identity, region, op);
        let attached = self
            .attachments
            .role_policies
            .get(&identity.reference)
            .cloned()
            .unwrap_or_default();
        for (name, logical_id) in attached {
            if let Some(policy_resource) = self.template.resource(&logical_id) {
                if let Some(doc) =
                    self.policy(policy_resource, identity, region, &["PolicyDocument"], op)
                {
                    inline_policies.insert(name, doc);
                }
            }
        }
        let mut attached_policy_arns =
            self.known_strings(resource, identity, region, &["ManagedPolicyArns"], op);
        attached_policy_arns.extend(
            self.attachments
                .role_managed
                .get(&identity.reference)
                .cloned()
                .unwrap_or_default(),
        );
        attached_policy_arns.sort();
        attached_policy_arns.dedup();
        IamRole {
            arn: identity.arn.clone(),
            account_id: self.target.account_id.clone(),
            region: region.to_owned(),
            tags,
            source,
            name: identity.reference.clone(),
            path: self
                .string(resource, &["Path"])
                .unwrap_or_else(|| "/".to_owned()),
            trust_policy,
            inline_policies,
            attached_policy_arns,
            permissions_boundary_arn: self.reference(resource, &["PermissionsBoundary"]),
            service_linked: false,
        }
    }

    fn security_group(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> SecurityGroup {
        let op = Operation::Ec2DescribeSecurityGroups;
        let tags = self.tags(resource, identity, region, op);
        let mut ingress = Vec::new();
        if let Some(Resolved::List(rules)) =
            self.known(resource, identity, region, &["SecurityGroupIngress"], op)
        {
            ingress.extend(rules.iter().flat_map(sg_rules));
        }
        ingress.extend(self.standalone_rules(identity, region, Direction::Ingress));
        // Without `SecurityGroupEgress`, CloudFormation keeps the default allow-all egress;
        // `AWS::EC2::SecurityGroupEgress` resources add to it, they do not replace it.
        let mut egress = match self.known(resource, identity, region, &["SecurityGroupEgress"], op)
        {
            Some(Resolved::List(rules)) => rules.iter().flat_map(sg_rules).collect(),
            _ => vec![SecurityGroupRule {
                protocol: "-1".to_owned(),
                from_port: -1,
                to_port: -1,
                source: "0.0.0.0/0".to_owned(),
            }],
        };
        egress.extend(self.standalone_rules(identity, region, Direction::Egress));
        SecurityGroup {
            arn: identity.arn.clone(),
            account_id: self.target.account_id.clone(),
            region: region.to_owned(),
            tags,
            source,
            group_id: identity.reference.clone(),
            name: self
                .string(resource, &["GroupName"])
                .unwrap_or_else(|| identity.reference.clone()),
            vpc_id: self.string(resource, &["VpcId"]).unwrap_or_default(),
            ingress,
            egress: Some(egress),
        }
    }

    /// The rules `AWS::EC2::SecurityGroupIngress` or `…Egress` resources add to a group; one
    /// the code does not decide is a gap on the group.
    fn standalone_rules(
        &mut self,
        identity: &Identity,
        region: &str,
        direction: Direction,
    ) -> Vec<SecurityGroupRule> {
        let attached = match direction {
            Direction::Ingress => &self.attachments.ingress,
            Direction::Egress => &self.attachments.egress,
        };
        let logical_ids = attached
            .get(&identity.reference)
            .cloned()
            .unwrap_or_default();
        let mut rules = Vec::new();
        for logical_id in logical_ids {
            let Some(r) = self.template.resource(&logical_id) else {
                continue;
            };
            let Some(node) = &r.properties else { continue };
            match self.template.resolve(node, self.context) {
                v if v.is_known() => rules.extend(sg_rules(&v)),
                v => {
                    let reason = first_reason(&v).unwrap_or_else(|| "not known".to_owned());
                    self.sink.unknown(
                        self.target,
                        region,
                        &identity.arn,
                        Operation::Ec2DescribeSecurityGroups,
                        format!(
                            "{} rule `{logical_id}` is not decided by the code ({}:{}:{}): {reason}",
                            direction.name(),
                            self.uri,
                            node.span.start.line,
                            node.span.start.column
                        ),
                    );
                }
            }
        }
        rules
    }
}

/// Which way a security group rule applies.
#[derive(Debug, Clone, Copy)]
enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn name(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

fn node_of(resource: &CfnResource) -> Option<&Node> {
    resource.properties.as_ref()
}

/// One security group rule in the model's form (one per peer).
fn sg_rules(rule: &Resolved) -> Vec<SecurityGroupRule> {
    let protocol = rule
        .get("IpProtocol")
        .and_then(Resolved::text)
        .unwrap_or_else(|| "-1".to_owned());
    let protocol = match protocol.as_str() {
        "6" => "tcp".to_owned(),
        "17" => "udp".to_owned(),
        "1" => "icmp".to_owned(),
        "all" => "-1".to_owned(),
        other => other.to_lowercase(),
    };
    let port = |key: &str| {
        rule.get(key)
            .and_then(Resolved::text)
            .and_then(|p| p.parse().ok())
    };
    let (from_port, to_port) = if protocol == "-1" {
        (-1, -1)
    } else {
        (port("FromPort").unwrap_or(-1), port("ToPort").unwrap_or(-1))
    };
    [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourcePrefixListId",
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
    ]
    .iter()
    .filter_map(|k| rule.get(k).and_then(Resolved::text))
    .map(|source| SecurityGroupRule {
        protocol: protocol.clone(),
        from_port,
        to_port,
        source,
    })
    .collect()
}

fn truthy(value: &Resolved) -> bool {
    match value {
        Resolved::Bool(b) => *b,
        other => other.text().is_some_and(|t| t.eq_ignore_ascii_case("true")),
    }
}

/// The first unknown's reason inside a value.
fn first_reason(value: &Resolved) -> Option<String> {
    match value {
        Resolved::Unknown(u) => Some(u.reason.to_string()),
        Resolved::List(items) => items.iter().find_map(first_reason),
        Resolved::Map(entries) => entries.iter().find_map(|(_, v)| first_reason(v)),
        _ => None,
    }
}

/// A known value as JSON (numbers as written; unknowns, which callers exclude, as null).
fn to_json(value: &Resolved) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Resolved::Null | Resolved::NoValue | Resolved::Unknown(_) => J::Null,
        Resolved::Bool(b) => J::Bool(*b),
        Resolved::Number(n) => serde_json::from_str(n).unwrap_or_else(|_| J::String(n.clone())),
        Resolved::String(s) => J::String(s.clone()),
        Resolved::List(items) => J::Array(
            items
                .iter()
                .filter(|i| !matches!(i, Resolved::NoValue))
                .map(to_json)
                .collect(),
        ),
        Resolved::Map(entries) => J::Object(
            entries
                .iter()
                .filter(|(_, v)| !matches!(v, Resolved::NoValue))
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
    }
}
