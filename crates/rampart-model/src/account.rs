//! An account and everything read from it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    impl_resource, AcmCertificate, AlternateContact, CloudTrailTrail, ConfigRecorder,
    DirectConnectConnection, Dns, EbsEncryptionDefault, EbsVolume, FlowLog, HostedZone, Iam,
    IamRole, IamUser, InternetGateway, KmsKey, LoadBalancerListener, Logging, NatGateway,
    NetworkAcl, PublicAccessBlock, RdsDbCluster, RdsDbInstance, ResolverRule, ResourceRef,
    ResourceShare, ResourceType, RouteTable, S3Bucket, SecurityGroup, SecurityServiceStatus,
    Source, Subnet, Tags, TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable, Vpc,
    VpcEndpoint, VpnConnection,
};

/// The lifecycle state of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    /// In use.
    Active,
    /// Suspended.
    Suspended,
    /// Closing.
    PendingClosure,
}

/// A member (or the management) account of the organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// 12-digit account id.
    pub id: String,
    /// Account ARN (`arn:aws:organizations::MGMT:account/o-…/ID`).
    pub arn: String,
    /// Same as `id`; present so that every resource has `account_id`.
    pub account_id: String,
    /// Always `global`.
    pub region: String,
    /// Account name.
    pub name: String,
    /// Root email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Lifecycle state.
    pub status: AccountStatus,
    /// Id of the parent OU or root.
    pub parent_id: String,
    /// Tags on the account.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Regions enabled for the account; absent when they could not be read.
    #[serde(default)]
    pub enabled_regions: Option<Vec<String>>,
    /// IAM principals and settings.
    #[serde(default)]
    pub iam: Iam,
    /// KMS keys in every region read.
    #[serde(default)]
    pub kms_keys: Vec<KmsKey>,
    /// VPCs and their parts.
    #[serde(default)]
    pub network: Network,
    /// Data stores.
    #[serde(default)]
    pub storage: Storage,
    /// TLS certificates.
    #[serde(default)]
    pub certificates: Certificates,
    /// Audit logging.
    #[serde(default)]
    pub logging: Logging,
    /// Route 53 hosted zones and Resolver rules.
    #[serde(default, skip_serializing_if = "Dns::is_empty")]
    pub dns: Dns,
    /// GuardDuty, Security Hub, IAM Access Analyzer and Macie: one entry per service and
    /// region read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_services: Vec<SecurityServiceStatus>,
    /// AWS RAM resource shares the account owns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_shares: Vec<ResourceShare>,
    /// The alternate contacts that are set; absent when they could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_contacts: Option<Vec<AlternateContact>>,
}
impl_resource!(Account, ResourceType::Account);

/// An account's network configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// VPCs.
    #[serde(default)]
    pub vpcs: Vec<Vpc>,
    /// Subnets.
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    /// Security groups.
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    /// VPC flow logs.
    #[serde(default)]
    pub flow_logs: Vec<FlowLog>,
    /// Route tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<RouteTable>,
    /// Internet gateways.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internet_gateways: Vec<InternetGateway>,
    /// NAT gateways.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nat_gateways: Vec<NatGateway>,
    /// Transit gateways owned by or shared with the account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transit_gateways: Vec<TransitGateway>,
    /// Transit gateway attachments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transit_gateway_attachments: Vec<TransitGatewayAttachment>,
    /// Site-to-site VPN connections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpn_connections: Vec<VpnConnection>,
    /// Network ACLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_acls: Vec<NetworkAcl>,
    /// VPC endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpc_endpoints: Vec<VpcEndpoint>,
    /// Load balancer listeners.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_listeners: Vec<LoadBalancerListener>,
    /// Transit gateway route tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transit_gateway_route_tables: Vec<TransitGatewayRouteTable>,
    /// Direct Connect connections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub direct_connect_connections: Vec<DirectConnectConnection>,
}

/// An account's data stores.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// S3 buckets owned by the account.
    #[serde(default)]
    pub s3_buckets: Vec<S3Bucket>,
    /// EBS encryption-by-default, one entry per region read.
    #[serde(default)]
    pub ebs_encryption_defaults: Vec<EbsEncryptionDefault>,
    /// EBS volumes.
    #[serde(default)]
    pub ebs_volumes: Vec<EbsVolume>,
    /// RDS DB instances.
    #[serde(default)]
    pub rds_instances: Vec<RdsDbInstance>,
    /// RDS DB clusters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rds_clusters: Vec<RdsDbCluster>,
    /// The account-level S3 Block Public Access (S3 Control); absent when not read. An
    /// account without one reads as nothing blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_public_access_block: Option<PublicAccessBlock>,
}

/// An account's certificates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certificates {
    /// ACM certificates.
    #[serde(default)]
    pub acm: Vec<AcmCertificate>,
}

/// A borrowed resource with its concrete type, for code that needs type-specific fields.
#[derive(Debug, Clone, Copy)]
pub enum TypedResource<'a> {
    /// The account itself.
    Account(&'a Account),
    /// An IAM role.
    IamRole(&'a IamRole),
    /// An IAM user.
    IamUser(&'a IamUser),
    /// A KMS key.
    KmsKey(&'a KmsKey),
    /// An S3 bucket.
    S3Bucket(&'a S3Bucket),
    /// EBS encryption by default in one region.
    EbsEncryptionDefault(&'a EbsEncryptionDefault),
    /// An EBS volume.
    EbsVolume(&'a EbsVolume),
    /// An RDS instance.
    RdsDbInstance(&'a RdsDbInstance),
    /// An ACM certificate.
    AcmCertificate(&'a AcmCertificate),
    /// A VPC.
    Vpc(&'a Vpc),
    /// A subnet.
    Subnet(&'a Subnet),
    /// A security group.
    SecurityGroup(&'a SecurityGroup),
    /// A CloudTrail trail.
    CloudTrailTrail(&'a CloudTrailTrail),
    /// A Config recorder.
    ConfigRecorder(&'a ConfigRecorder),
    /// A route table.
    RouteTable(&'a RouteTable),
    /// An internet gateway.
    InternetGateway(&'a InternetGateway),
    /// A NAT gateway.
    NatGateway(&'a NatGateway),
    /// A transit gateway.
    TransitGateway(&'a TransitGateway),
    /// A transit gateway attachment.
    TransitGatewayAttachment(&'a TransitGatewayAttachment),
    /// A site-to-site VPN connection.
    VpnConnection(&'a VpnConnection),
    /// A network ACL.
    NetworkAcl(&'a NetworkAcl),
    /// A VPC endpoint.
    VpcEndpoint(&'a VpcEndpoint),
    /// A Route 53 hosted zone.
    HostedZone(&'a HostedZone),
    /// A Route 53 Resolver rule.
    ResolverRule(&'a ResolverRule),
    /// A load balancer listener.
    LoadBalancerListener(&'a LoadBalancerListener),
    /// A transit gateway route table.
    TransitGatewayRouteTable(&'a TransitGatewayRouteTable),
    /// A Direct Connect connection.
    DirectConnectConnection(&'a DirectConnectConnection),
    /// A security service's state in one region.
    SecurityService(&'a SecurityServiceStatus),
    /// A RAM resource share.
    ResourceShare(&'a ResourceShare),
    /// An RDS DB cluster.
    RdsDbCluster(&'a RdsDbCluster),
}

impl<'a> TypedResource<'a> {
    /// The common fields.
    pub fn view(self) -> ResourceRef<'a> {
        match self {
            TypedResource::Account(r) => ResourceRef::of(r),
            TypedResource::IamRole(r) => ResourceRef::of(r),
            TypedResource::IamUser(r) => ResourceRef::of(r),
            TypedResource::KmsKey(r) => ResourceRef::of(r),
            TypedResource::S3Bucket(r) => ResourceRef::of(r),
            TypedResource::EbsEncryptionDefault(r) => ResourceRef::of(r),
            TypedResource::EbsVolume(r) => ResourceRef::of(r),
            TypedResource::RdsDbInstance(r) => ResourceRef::of(r),
            TypedResource::AcmCertificate(r) => ResourceRef::of(r),
            TypedResource::Vpc(r) => ResourceRef::of(r),
            TypedResource::Subnet(r) => ResourceRef::of(r),
            TypedResource::SecurityGroup(r) => ResourceRef::of(r),
            TypedResource::CloudTrailTrail(r) => ResourceRef::of(r),
            TypedResource::ConfigRecorder(r) => ResourceRef::of(r),
            TypedResource::RouteTable(r) => ResourceRef::of(r),
            TypedResource::InternetGateway(r) => ResourceRef::of(r),
            TypedResource::NatGateway(r) => ResourceRef::of(r),
            TypedResource::TransitGateway(r) => ResourceRef::of(r),
            TypedResource::TransitGatewayAttachment(r) => ResourceRef::of(r),
            TypedResource::VpnConnection(r) => ResourceRef::of(r),
            TypedResource::NetworkAcl(r) => ResourceRef::of(r),
            TypedResource::VpcEndpoint(r) => ResourceRef::of(r),
            TypedResource::HostedZone(r) => ResourceRef::of(r),
            TypedResource::LoadBalancerListener(r) => ResourceRef::of(r),
            TypedResource::ResolverRule(r) => ResourceRef::of(r),
            TypedResource::TransitGatewayRouteTable(r) => ResourceRef::of(r),
            TypedResource::DirectConnectConnection(r) => ResourceRef::of(r),
            TypedResource::SecurityService(r) => ResourceRef::of(r),
            TypedResource::ResourceShare(r) => ResourceRef::of(r),
            TypedResource::RdsDbCluster(r) => ResourceRef::of(r),
        }
    }
}

impl Account {
    /// Every resource of the account, the account itself first, in document order.
    pub fn resources(&self) -> impl Iterator<Item = ResourceRef<'_>> {
        self.typed_resources().map(TypedResource::view)
    }

    /// Every resource of the account with its concrete type, in the order of [`Self::resources`].
    pub fn typed_resources(&self) -> impl Iterator<Item = TypedResource<'_>> {
        use TypedResource as T;
        let n = &self.network;
        let s = &self.storage;
        std::iter::once(T::Account(self))
            .chain(self.iam.roles.iter().map(T::IamRole))
            .chain(self.iam.users.iter().map(T::IamUser))
            .chain(self.kms_keys.iter().map(T::KmsKey))
            .chain(s.s3_buckets.iter().map(T::S3Bucket))
            .chain(
                s.ebs_encryption_defaults
                    .iter()
                    .map(T::EbsEncryptionDefault),
            )
            .chain(s.ebs_volumes.iter().map(T::EbsVolume))
            .chain(s.rds_instances.iter().map(T::RdsDbInstance))
            .chain(s.rds_clusters.iter().map(T::RdsDbCluster))
            .chain(self.certificates.acm.iter().map(T::AcmCertificate))
            .chain(n.vpcs.iter().map(T::Vpc))
            .chain(n.subnets.iter().map(T::Subnet))
            .chain(n.security_groups.iter().map(T::SecurityGroup))
            .chain(
                self.logging
                    .cloudtrail_trails
                    .iter()
                    .map(T::CloudTrailTrail),
            )
            .chain(self.logging.config_recorders.iter().map(T::ConfigRecorder))
            .chain(n.route_tables.iter().map(T::RouteTable))
            .chain(n.internet_gateways.iter().map(T::InternetGateway))
            .chain(n.nat_gateways.iter().map(T::NatGateway))
            .chain(n.transit_gateways.iter().map(T::TransitGateway))
            .chain(
                n.transit_gateway_attachments
                    .iter()
                    .map(T::TransitGatewayAttachment),
            )
            .chain(n.vpn_connections.iter().map(T::VpnConnection))
            .chain(n.network_acls.iter().map(T::NetworkAcl))
            .chain(n.vpc_endpoints.iter().map(T::VpcEndpoint))
            .chain(self.dns.hosted_zones.iter().map(T::HostedZone))
            .chain(self.dns.resolver_rules.iter().map(T::ResolverRule))
            .chain(
                n.load_balancer_listeners
                    .iter()
                    .map(T::LoadBalancerListener),
            )
            .chain(
                n.transit_gateway_route_tables
                    .iter()
                    .map(T::TransitGatewayRouteTable),
            )
            .chain(
                n.direct_connect_connections
                    .iter()
                    .map(T::DirectConnectConnection),
            )
            .chain(self.security_services.iter().map(T::SecurityService))
            .chain(self.resource_shares.iter().map(T::ResourceShare))
    }

    /// The number of resources of each type in this account (the account itself included).
    pub fn resource_count(&self, ty: ResourceType) -> usize {
        let n = &self.network;
        let s = &self.storage;
        match ty {
            ResourceType::Account => 1,
            ResourceType::IamRole => self.iam.roles.len(),
            ResourceType::IamUser => self.iam.users.len(),
            ResourceType::KmsKey => self.kms_keys.len(),
            ResourceType::S3Bucket => s.s3_buckets.len(),
            ResourceType::EbsEncryptionDefault => s.ebs_encryption_defaults.len(),
            ResourceType::EbsVolume => s.ebs_volumes.len(),
            ResourceType::RdsDbInstance => s.rds_instances.len(),
            ResourceType::AcmCertificate => self.certificates.acm.len(),
            ResourceType::Vpc => n.vpcs.len(),
            ResourceType::Subnet => n.subnets.len(),
            ResourceType::SecurityGroup => n.security_groups.len(),
            ResourceType::CloudTrailTrail => self.logging.cloudtrail_trails.len(),
            ResourceType::ConfigRecorder => self.logging.config_recorders.len(),
            ResourceType::RouteTable => n.route_tables.len(),
            ResourceType::InternetGateway => n.internet_gateways.len(),
            ResourceType::NatGateway => n.nat_gateways.len(),
            ResourceType::TransitGateway => n.transit_gateways.len(),
            ResourceType::TransitGatewayAttachment => n.transit_gateway_attachments.len(),
            ResourceType::VpnConnection => n.vpn_connections.len(),
            ResourceType::NetworkAcl => n.network_acls.len(),
            ResourceType::VpcEndpoint => n.vpc_endpoints.len(),
            ResourceType::HostedZone => self.dns.hosted_zones.len(),
            ResourceType::ResolverRule => self.dns.resolver_rules.len(),
            ResourceType::LoadBalancerListener => n.load_balancer_listeners.len(),
            ResourceType::TransitGatewayRouteTable => n.transit_gateway_route_tables.len(),
            ResourceType::DirectConnectConnection => n.direct_connect_connections.len(),
            ResourceType::SecurityService => self.security_services.len(),
            ResourceType::ResourceShare => self.resource_shares.len(),
            ResourceType::RdsDbCluster => s.rds_clusters.len(),
        }
    }
}
