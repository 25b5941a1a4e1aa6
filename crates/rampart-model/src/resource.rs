//! What every resource has in common, and a borrowed view over any resource.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Operation, Service};

/// Resource tags, sorted by key so that output is deterministic.
pub type Tags = BTreeMap<String, String>;

/// How a resource was read: the API call, or the file position it was declared at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Source {
    /// Read from an AWS API, e.g. `s3:GetBucketEncryption`.
    Api {
        /// `service:Operation` of the call that read it.
        operation: String,
    },
    /// Declared in a file (IaC or policy), with a 1-based position.
    File {
        /// Path or URI of the file, relative to the scanned root where possible.
        uri: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
    },
    /// Made up by `rampart synth`.
    Synthetic,
}

/// A position in a file, as findings and SARIF report it.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct Location {
    /// Path or URI of the file.
    pub uri: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Source {
    /// The file position, when the resource came from a file.
    pub fn location(&self) -> Option<Location> {
        match self {
            Source::File { uri, line, column } => Some(Location {
                uri: uri.clone(),
                line: *line,
                column: *column,
            }),
            Source::Api { .. } | Source::Synthetic => None,
        }
    }
}

/// The kinds of resource in the model, named as in CloudFormation where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    /// An AWS account (`AWS::Organizations::Account`).
    Account,
    /// An IAM role.
    IamRole,
    /// An IAM user.
    IamUser,
    /// A KMS key.
    KmsKey,
    /// An S3 bucket.
    S3Bucket,
    /// The EBS encryption-by-default setting of one account in one region.
    EbsEncryptionDefault,
    /// An EBS volume.
    EbsVolume,
    /// An RDS DB instance.
    RdsDbInstance,
    /// An ACM certificate.
    AcmCertificate,
    /// A VPC.
    Vpc,
    /// A VPC subnet.
    Subnet,
    /// A VPC security group.
    SecurityGroup,
    /// A CloudTrail trail.
    CloudTrailTrail,
    /// An AWS Config configuration recorder.
    ConfigRecorder,
    /// A route table.
    RouteTable,
    /// An internet gateway.
    InternetGateway,
    /// A NAT gateway.
    NatGateway,
    /// A transit gateway.
    TransitGateway,
    /// A transit gateway attachment.
    TransitGatewayAttachment,
    /// A site-to-site VPN connection.
    VpnConnection,
    /// A network ACL.
    NetworkAcl,
    /// A VPC endpoint.
    VpcEndpoint,
    /// A Route 53 hosted zone.
    HostedZone,
    /// A Route 53 Resolver rule.
    ResolverRule,
    /// A listener of an application, network or gateway load balancer.
    LoadBalancerListener,
    /// A transit gateway route table.
    TransitGatewayRouteTable,
    /// A Direct Connect connection.
    DirectConnectConnection,
    /// Whether a security service (GuardDuty, Security Hub, IAM Access Analyzer, Macie) is
    /// on in one account and region.
    SecurityService,
    /// An AWS RAM resource share.
    ResourceShare,
    /// An RDS DB cluster.
    RdsDbCluster,
}

impl ResourceType {
    /// Every resource type, in a fixed order.
    pub const ALL: [ResourceType; 30] = [
        ResourceType::Account,
        ResourceType::IamRole,
        ResourceType::IamUser,
        ResourceType::KmsKey,
        ResourceType::S3Bucket,
        ResourceType::EbsEncryptionDefault,
        ResourceType::EbsVolume,
        ResourceType::RdsDbInstance,
        ResourceType::AcmCertificate,
        ResourceType::Vpc,
        ResourceType::Subnet,
        ResourceType::SecurityGroup,
        ResourceType::CloudTrailTrail,
        ResourceType::ConfigRecorder,
        ResourceType::RouteTable,
        ResourceType::InternetGateway,
        ResourceType::NatGateway,
        ResourceType::TransitGateway,
        ResourceType::TransitGatewayAttachment,
        ResourceType::VpnConnection,
        ResourceType::NetworkAcl,
        ResourceType::VpcEndpoint,
        ResourceType::HostedZone,
        ResourceType::ResolverRule,
        ResourceType::LoadBalancerListener,
        ResourceType::TransitGatewayRouteTable,
        ResourceType::DirectConnectConnection,
        ResourceType::SecurityService,
        ResourceType::ResourceShare,
        ResourceType::RdsDbCluster,
    ];

    /// The CloudFormation-style type name (`AWS::S3::Bucket`).
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::Account => "AWS::Organizations::Account",
            ResourceType::IamRole => "AWS::IAM::Role",
            ResourceType::IamUser => "AWS::IAM::User",
            ResourceType::KmsKey => "AWS::KMS::Key",
            ResourceType::S3Bucket => "AWS::S3::Bucket",
            ResourceType::EbsEncryptionDefault => "AWS::EC2::EBSEncryptionByDefault",
            ResourceType::EbsVolume => "AWS::EC2::Volume",
            ResourceType::RdsDbInstance => "AWS::RDS::DBInstance",
            ResourceType::AcmCertificate => "AWS::CertificateManager::Certificate",
            ResourceType::Vpc => "AWS::EC2::VPC",
            ResourceType::Subnet => "AWS::EC2::Subnet",
            ResourceType::SecurityGroup => "AWS::EC2::SecurityGroup",
            ResourceType::CloudTrailTrail => "AWS::CloudTrail::Trail",
            ResourceType::ConfigRecorder => "AWS::Config::ConfigurationRecorder",
            ResourceType::RouteTable => "AWS::EC2::RouteTable",
            ResourceType::InternetGateway => "AWS::EC2::InternetGateway",
            ResourceType::NatGateway => "AWS::EC2::NatGateway",
            ResourceType::TransitGateway => "AWS::EC2::TransitGateway",
            ResourceType::TransitGatewayAttachment => "AWS::EC2::TransitGatewayAttachment",
            ResourceType::VpnConnection => "AWS::EC2::VPNConnection",
            ResourceType::NetworkAcl => "AWS::EC2::NetworkAcl",
            ResourceType::VpcEndpoint => "AWS::EC2::VPCEndpoint",
            ResourceType::HostedZone => "AWS::Route53::HostedZone",
            ResourceType::ResolverRule => "AWS::Route53Resolver::ResolverRule",
            ResourceType::LoadBalancerListener => "AWS::ElasticLoadBalancingV2::Listener",
            ResourceType::TransitGatewayRouteTable => "AWS::EC2::TransitGatewayRouteTable",
            ResourceType::DirectConnectConnection => "AWS::DirectConnect::Connection",
            ResourceType::SecurityService => "AWS::SecurityServices::Enablement",
            ResourceType::ResourceShare => "AWS::RAM::ResourceShare",
            ResourceType::RdsDbCluster => "AWS::RDS::DBCluster",
        }
    }

    /// The Cedar entity type that represents it (`Aws::S3Bucket`).
    pub fn cedar_type(self) -> &'static str {
        match self {
            ResourceType::Account => "Org::Account",
            ResourceType::IamRole => "Aws::IamRole",
            ResourceType::IamUser => "Aws::IamUser",
            ResourceType::KmsKey => "Aws::KmsKey",
            ResourceType::S3Bucket => "Aws::S3Bucket",
            ResourceType::EbsEncryptionDefault => "Aws::EbsEncryptionDefault",
            ResourceType::EbsVolume => "Aws::EbsVolume",
            ResourceType::RdsDbInstance => "Aws::RdsDbInstance",
            ResourceType::AcmCertificate => "Aws::AcmCertificate",
            ResourceType::Vpc => "Aws::Vpc",
            ResourceType::Subnet => "Aws::Subnet",
            ResourceType::SecurityGroup => "Aws::SecurityGroup",
            ResourceType::CloudTrailTrail => "Aws::CloudTrailTrail",
            ResourceType::ConfigRecorder => "Aws::ConfigRecorder",
            ResourceType::RouteTable => "Aws::RouteTable",
            ResourceType::InternetGateway => "Aws::InternetGateway",
            ResourceType::NatGateway => "Aws::NatGateway",
            ResourceType::TransitGateway => "Aws::TransitGateway",
            ResourceType::TransitGatewayAttachment => "Aws::TransitGatewayAttachment",
            ResourceType::VpnConnection => "Aws::VpnConnection",
            ResourceType::NetworkAcl => "Aws::NetworkAcl",
            ResourceType::VpcEndpoint => "Aws::VpcEndpoint",
            ResourceType::HostedZone => "Aws::HostedZone",
            ResourceType::ResolverRule => "Aws::ResolverRule",
            ResourceType::LoadBalancerListener => "Aws::LoadBalancerListener",
            ResourceType::TransitGatewayRouteTable => "Aws::TransitGatewayRouteTable",
            ResourceType::DirectConnectConnection => "Aws::DirectConnectConnection",
            ResourceType::SecurityService => "Aws::SecurityService",
            ResourceType::ResourceShare => "Aws::ResourceShare",
            ResourceType::RdsDbCluster => "Aws::RdsDbCluster",
        }
    }

    /// The AWS service whose APIs read it; coverage gaps name services this way.
    pub fn service(self) -> Service {
        match self {
            ResourceType::Account => Service::Organizations,
            ResourceType::IamRole | ResourceType::IamUser => Service::Iam,
            ResourceType::KmsKey => Service::Kms,
            ResourceType::S3Bucket => Service::S3,
            ResourceType::EbsEncryptionDefault
            | ResourceType::EbsVolume
            | ResourceType::Vpc
            | ResourceType::Subnet
            | ResourceType::SecurityGroup
            | ResourceType::RouteTable
            | ResourceType::InternetGateway
            | ResourceType::NatGateway
            | ResourceType::TransitGateway
            | ResourceType::TransitGatewayAttachment
            | ResourceType::VpnConnection
            | ResourceType::NetworkAcl
            | ResourceType::VpcEndpoint
            | ResourceType::TransitGatewayRouteTable => Service::Ec2,
            ResourceType::DirectConnectConnection => Service::Directconnect,
            // Each status names its own service in its gaps; the type's home is GuardDuty.
            ResourceType::SecurityService => Service::Guardduty,
            ResourceType::ResourceShare => Service::Ram,
            ResourceType::HostedZone => Service::Route53,
            ResourceType::ResolverRule => Service::Route53resolver,
            ResourceType::LoadBalancerListener => Service::Elasticloadbalancing,
            ResourceType::RdsDbInstance | ResourceType::RdsDbCluster => Service::Rds,
            ResourceType::AcmCertificate => Service::Acm,
            ResourceType::CloudTrailTrail => Service::Cloudtrail,
            ResourceType::ConfigRecorder => Service::Config,
        }
    }

    /// The operations that list resources of this type: when one of them fails for a
    /// whole account and region, the scope's resources of this type are missing from the
    /// snapshot altogether (the engine then reports the scope `unknown` for the rules over
    /// them).
    pub fn listed_by(self) -> &'static [Operation] {
        use Operation as O;
        match self {
            ResourceType::Account => &[O::OrganizationsListAccountsForParent],
            ResourceType::IamRole | ResourceType::IamUser => {
                &[O::IamGetAccountAuthorizationDetails]
            }
            ResourceType::KmsKey => &[O::KmsListKeys],
            ResourceType::S3Bucket => &[O::S3ListBuckets],
            ResourceType::EbsEncryptionDefault => &[O::Ec2GetEbsEncryptionByDefault],
            ResourceType::EbsVolume => &[O::Ec2DescribeVolumes],
            ResourceType::RdsDbInstance => &[O::RdsDescribeDbInstances],
            ResourceType::AcmCertificate => &[O::AcmListCertificates],
            ResourceType::Vpc => &[O::Ec2DescribeVpcs],
            ResourceType::Subnet => &[O::Ec2DescribeSubnets],
            ResourceType::SecurityGroup => &[O::Ec2DescribeSecurityGroups],
            ResourceType::CloudTrailTrail => &[O::CloudtrailDescribeTrails],
            // Recorders whose status could not be read are not kept.
            ResourceType::ConfigRecorder => &[
                O::ConfigDescribeConfigurationRecorders,
                O::ConfigDescribeConfigurationRecorderStatus,
            ],
            ResourceType::RouteTable => &[O::Ec2DescribeRouteTables],
            ResourceType::InternetGateway => &[O::Ec2DescribeInternetGateways],
            ResourceType::NatGateway => &[O::Ec2DescribeNatGateways],
            ResourceType::TransitGateway => &[O::Ec2DescribeTransitGateways],
            ResourceType::TransitGatewayAttachment => &[O::Ec2DescribeTransitGatewayAttachments],
            ResourceType::VpnConnection => &[O::Ec2DescribeVpnConnections],
            ResourceType::NetworkAcl => &[O::Ec2DescribeNetworkAcls],
            ResourceType::VpcEndpoint => &[O::Ec2DescribeVpcEndpoints],
            ResourceType::HostedZone => &[O::Route53ListHostedZones],
            ResourceType::ResolverRule => &[O::Route53resolverListResolverRules],
            ResourceType::LoadBalancerListener => {
                &[O::ElbDescribeLoadBalancers, O::ElbDescribeListeners]
            }
            ResourceType::TransitGatewayRouteTable => &[O::Ec2DescribeTransitGatewayRouteTables],
            ResourceType::DirectConnectConnection => &[O::DirectconnectDescribeConnections],
            ResourceType::SecurityService => &[
                O::GuarddutyListDetectors,
                O::GuarddutyGetDetector,
                O::SecurityhubDescribeHub,
                O::AccessAnalyzerListAnalyzers,
                O::Macie2GetMacieSession,
            ],
            ResourceType::ResourceShare => &[O::RamGetResourceShares],
            ResourceType::RdsDbCluster => &[O::RdsDescribeDbClusters],
        }
    }

    /// The operations that read one listed resource of this type and without which the
    /// resource is not kept: when one fails, the snapshot has a gap on the resource's ARN
    /// and no such resource (the engine then reports that ARN `unknown` for the rules over
    /// the type, rather than nothing).
    pub fn described_by(self) -> &'static [Operation] {
        match self {
            ResourceType::KmsKey => &[Operation::KmsDescribeKey],
            _ => &[],
        }
    }

    /// Whether `service`'s APIs read resources of this type: [`Self::service`], and for a
    /// [`ResourceType::SecurityService`] each of the four services whose entries it holds.
    pub fn read_by(self, service: Service) -> bool {
        match self {
            ResourceType::SecurityService => crate::SecurityServiceKind::ALL
                .iter()
                .any(|k| k.service() == service),
            other => other.service() == service,
        }
    }

    /// The service that read one resource of this type, given its ARN: the ARN's service
    /// for a [`ResourceType::SecurityService`] entry, [`Self::service`] otherwise.
    pub fn service_of(self, arn: &str) -> Service {
        if self == ResourceType::SecurityService {
            if let Some(service) = arn
                .split(':')
                .nth(2)
                .and_then(|prefix| prefix.parse::<Service>().ok())
            {
                return service;
            }
        }
        self.service()
    }

    /// Parses a CloudFormation-style name or a Cedar entity type name.
    pub fn parse(name: &str) -> Option<ResourceType> {
        ResourceType::ALL
            .into_iter()
            .find(|t| t.name() == name || t.cedar_type() == name)
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What every resource of the model exposes.
pub trait Resource {
    /// The resource type.
    const TYPE: ResourceType;
    /// The ARN (synthesized in a documented form where AWS has none).
    fn arn(&self) -> &str;
    /// The owning account.
    fn account_id(&self) -> &str;
    /// The region, or [`super::GLOBAL_REGION`].
    fn region(&self) -> &str;
    /// The resource's own tags.
    fn tags(&self) -> &Tags;
    /// How it was read.
    fn source(&self) -> &Source;
}

/// A borrowed view of any resource, for code that treats resources alike.
#[derive(Debug, Clone, Copy)]
pub struct ResourceRef<'a> {
    /// The resource type.
    pub resource_type: ResourceType,
    /// The ARN.
    pub arn: &'a str,
    /// The owning account.
    pub account_id: &'a str,
    /// The region, or [`super::GLOBAL_REGION`].
    pub region: &'a str,
    /// The resource's own tags.
    pub tags: &'a Tags,
    /// How it was read.
    pub source: &'a Source,
}

impl<'a> ResourceRef<'a> {
    /// A view of a typed resource.
    pub fn of<R: Resource>(r: &'a R) -> Self {
        ResourceRef {
            resource_type: R::TYPE,
            arn: r.arn(),
            account_id: r.account_id(),
            region: r.region(),
            tags: r.tags(),
            source: r.source(),
        }
    }
}

/// Implements [`Resource`] for a struct with the common fields.
macro_rules! impl_resource {
    ($ty:ty, $kind:expr) => {
        impl $crate::Resource for $ty {
            const TYPE: $crate::ResourceType = $kind;
            fn arn(&self) -> &str {
                &self.arn
            }
            fn account_id(&self) -> &str {
                &self.account_id
            }
            fn region(&self) -> &str {
                &self.region
            }
            fn tags(&self) -> &$crate::Tags {
                &self.tags
            }
            fn source(&self) -> &$crate::Source {
                &self.source
            }
        }
    };
}
pub(crate) use impl_resource;

#[cfg(test)]
mod tests {
    use super::ResourceType;

    #[test]
    fn every_type_is_listed_by_operations_of_a_service_that_reads_it() {
        for t in ResourceType::ALL {
            assert!(!t.listed_by().is_empty(), "{t}");
            for op in t.listed_by() {
                assert!(t.read_by(op.service()), "{t} listed by {op}");
            }
        }
    }
}
