//! The vocabulary of what can be read: AWS services and the API operations collectors may
//! call and rules may declare they read.
//!
//! Collectors dispatch on [`Service`] with exhaustive matches, the read-only interceptor
//! allows exactly the [`Operation`]s collectors call, and a rule's `reads` are
//! [`Read`]s, so a typo is a compile error in Rust or a load error in a Cedar annotation,
//! never a read that silently matches no coverage gap.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An AWS service whose data the model holds, named by its IAM prefix.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// AWS Organizations.
    Organizations,
    /// AWS Security Token Service.
    Sts,
    /// AWS Identity and Access Management.
    Iam,
    /// AWS Key Management Service.
    Kms,
    /// Amazon EC2 and Amazon VPC.
    Ec2,
    /// Amazon S3.
    S3,
    /// Amazon RDS.
    Rds,
    /// AWS Certificate Manager.
    Acm,
    /// AWS CloudTrail.
    Cloudtrail,
    /// AWS Config.
    Config,
    /// Amazon Route 53 (hosted zones).
    Route53,
    /// Amazon Route 53 Resolver.
    Route53resolver,
    /// Elastic Load Balancing (application, network and gateway load balancers).
    Elasticloadbalancing,
    /// Amazon GuardDuty.
    Guardduty,
    /// AWS Security Hub.
    Securityhub,
    /// IAM Access Analyzer.
    #[serde(rename = "access-analyzer")]
    AccessAnalyzer,
    /// Amazon Macie.
    Macie2,
    /// AWS Resource Access Manager.
    Ram,
    /// AWS Account Management (alternate contacts).
    Account,
    /// AWS Direct Connect.
    Directconnect,
}

impl Service {
    /// Every service, in this order.
    pub const ALL: [Service; 20] = [
        Service::Organizations,
        Service::Sts,
        Service::Iam,
        Service::Kms,
        Service::Ec2,
        Service::S3,
        Service::Rds,
        Service::Acm,
        Service::Cloudtrail,
        Service::Config,
        Service::Route53,
        Service::Route53resolver,
        Service::Elasticloadbalancing,
        Service::Guardduty,
        Service::Securityhub,
        Service::AccessAnalyzer,
        Service::Macie2,
        Service::Ram,
        Service::Account,
        Service::Directconnect,
    ];

    /// The IAM service prefix (`kms`, `route53resolver`).
    pub fn prefix(self) -> &'static str {
        match self {
            Service::Organizations => "organizations",
            Service::Sts => "sts",
            Service::Iam => "iam",
            Service::Kms => "kms",
            Service::Ec2 => "ec2",
            Service::S3 => "s3",
            Service::Rds => "rds",
            Service::Acm => "acm",
            Service::Cloudtrail => "cloudtrail",
            Service::Config => "config",
            Service::Route53 => "route53",
            Service::Route53resolver => "route53resolver",
            Service::Elasticloadbalancing => "elasticloadbalancing",
            Service::Guardduty => "guardduty",
            Service::Securityhub => "securityhub",
            Service::AccessAnalyzer => "access-analyzer",
            Service::Macie2 => "macie2",
            Service::Ram => "ram",
            Service::Account => "account",
            Service::Directconnect => "directconnect",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

impl FromStr for Service {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Service::ALL
            .into_iter()
            .find(|v| v.prefix() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Service::ALL.iter().map(|v| v.prefix()).collect();
                format!(
                    "unknown service `{s}`, expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Which principal needs an operation's permission when `rampart collect` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionScope {
    /// The identity `rampart collect` runs as, in the management or delegated admin account.
    Management,
    /// The member role assumed in every account (and the caller in its own account).
    Member,
    /// No collector calls it (yet): rules may still declare that they read its data.
    NotCollected,
}

macro_rules! operations {
    ($($variant:ident = $service:ident $name:literal $(as $action:literal)?, $scope:ident;)*) => {
        /// An AWS API operation whose data the model holds: every one is a read
        /// (`List*`, `Get*`, `Describe*`, `Select*`, `Search*`, or `sts:AssumeRole`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Operation {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Operation {
            /// Every operation, grouped by service.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// `service:Operation`, as the API names it (the service is the IAM prefix).
            pub fn name(self) -> &'static str {
                match self {
                    $(Operation::$variant => $name,)*
                }
            }

            /// The service.
            pub fn service(self) -> Service {
                match self {
                    $(Operation::$variant => Service::$service,)*
                }
            }

            /// The IAM action a caller needs (it differs from the operation for a few S3
            /// calls).
            pub fn action(self) -> &'static str {
                match self {
                    $(Operation::$variant => operations!(@action $name $(, $action)?),)*
                }
            }

            /// Who needs the permission when collecting.
            pub fn scope(self) -> PermissionScope {
                match self {
                    $(Operation::$variant => PermissionScope::$scope,)*
                }
            }
        }
    };
    (@action $name:literal) => { $name };
    (@action $name:literal, $action:literal) => { $action };
}

operations! {
    StsGetCallerIdentity = Sts "sts:GetCallerIdentity", Management;
    StsAssumeRole = Sts "sts:AssumeRole", Management;
    OrganizationsDescribeOrganization = Organizations "organizations:DescribeOrganization", Management;
    OrganizationsListRoots = Organizations "organizations:ListRoots", Management;
    OrganizationsListOrganizationalUnitsForParent = Organizations "organizations:ListOrganizationalUnitsForParent", Management;
    OrganizationsListAccountsForParent = Organizations "organizations:ListAccountsForParent", Management;
    OrganizationsListTagsForResource = Organizations "organizations:ListTagsForResource", Management;
    OrganizationsListPolicies = Organizations "organizations:ListPolicies", Management;
    OrganizationsDescribePolicy = Organizations "organizations:DescribePolicy", Management;
    OrganizationsListTargetsForPolicy = Organizations "organizations:ListTargetsForPolicy", Management;
    OrganizationsListDelegatedAdministrators = Organizations "organizations:ListDelegatedAdministrators", Management;
    OrganizationsListDelegatedServicesForAccount = Organizations "organizations:ListDelegatedServicesForAccount", Management;
    ConfigSelectAggregateResourceConfig = Config "config:SelectAggregateResourceConfig", Management;
    IamGetAccountAuthorizationDetails = Iam "iam:GetAccountAuthorizationDetails", Member;
    IamGetAccountPasswordPolicy = Iam "iam:GetAccountPasswordPolicy", Member;
    IamListOpenIdConnectProviders = Iam "iam:ListOpenIDConnectProviders", Member;
    IamGetOpenIdConnectProvider = Iam "iam:GetOpenIDConnectProvider", Member;
    IamListSamlProviders = Iam "iam:ListSAMLProviders", Member;
    IamListAccessKeys = Iam "iam:ListAccessKeys", Member;
    IamGetAccessKeyLastUsed = Iam "iam:GetAccessKeyLastUsed", Member;
    IamGetLoginProfile = Iam "iam:GetLoginProfile", Member;
    IamListMfaDevices = Iam "iam:ListMFADevices", Member;
    IamGetCredentialReport = Iam "iam:GetCredentialReport", Member;
    KmsListKeys = Kms "kms:ListKeys", Member;
    KmsDescribeKey = Kms "kms:DescribeKey", Member;
    KmsGetKeyPolicy = Kms "kms:GetKeyPolicy", Member;
    KmsGetKeyRotationStatus = Kms "kms:GetKeyRotationStatus", Member;
    KmsListAliases = Kms "kms:ListAliases", Member;
    KmsListResourceTags = Kms "kms:ListResourceTags", Member;
    Ec2DescribeRegions = Ec2 "ec2:DescribeRegions", Member;
    Ec2DescribeVpcs = Ec2 "ec2:DescribeVpcs", Member;
    Ec2DescribeSubnets = Ec2 "ec2:DescribeSubnets", Member;
    Ec2DescribeRouteTables = Ec2 "ec2:DescribeRouteTables", Member;
    Ec2DescribeInternetGateways = Ec2 "ec2:DescribeInternetGateways", Member;
    Ec2DescribeNatGateways = Ec2 "ec2:DescribeNatGateways", Member;
    Ec2DescribeTransitGateways = Ec2 "ec2:DescribeTransitGateways", Member;
    Ec2DescribeTransitGatewayAttachments = Ec2 "ec2:DescribeTransitGatewayAttachments", Member;
    Ec2DescribeTransitGatewayRouteTables = Ec2 "ec2:DescribeTransitGatewayRouteTables", Member;
    Ec2GetTransitGatewayRouteTableAssociations = Ec2 "ec2:GetTransitGatewayRouteTableAssociations", Member;
    Ec2GetTransitGatewayRouteTablePropagations = Ec2 "ec2:GetTransitGatewayRouteTablePropagations", Member;
    Ec2SearchTransitGatewayRoutes = Ec2 "ec2:SearchTransitGatewayRoutes", Member;
    Ec2DescribeVpnConnections = Ec2 "ec2:DescribeVpnConnections", Member;
    Ec2DescribeSecurityGroups = Ec2 "ec2:DescribeSecurityGroups", Member;
    Ec2DescribeNetworkAcls = Ec2 "ec2:DescribeNetworkAcls", Member;
    Ec2DescribeFlowLogs = Ec2 "ec2:DescribeFlowLogs", Member;
    Ec2DescribeVpcEndpoints = Ec2 "ec2:DescribeVpcEndpoints", Member;
    Ec2DescribeVolumes = Ec2 "ec2:DescribeVolumes", Member;
    Ec2GetEbsEncryptionByDefault = Ec2 "ec2:GetEbsEncryptionByDefault", Member;
    Ec2GetEbsDefaultKmsKeyId = Ec2 "ec2:GetEbsDefaultKmsKeyId", Member;
    S3ListBuckets = S3 "s3:ListBuckets" as "s3:ListAllMyBuckets", Member;
    S3GetBucketLocation = S3 "s3:GetBucketLocation", Member;
    S3GetBucketEncryption = S3 "s3:GetBucketEncryption" as "s3:GetEncryptionConfiguration", Member;
    S3GetBucketPolicy = S3 "s3:GetBucketPolicy", Member;
    S3GetPublicAccessBlock = S3 "s3:GetPublicAccessBlock" as "s3:GetBucketPublicAccessBlock", Member;
    S3GetBucketTagging = S3 "s3:GetBucketTagging", Member;
    S3GetBucketVersioning = S3 "s3:GetBucketVersioning", Member;
    S3GetAccountPublicAccessBlock = S3 "s3:GetAccountPublicAccessBlock", Member;
    RdsDescribeDbInstances = Rds "rds:DescribeDBInstances", Member;
    RdsDescribeDbClusters = Rds "rds:DescribeDBClusters", Member;
    RdsListTagsForResource = Rds "rds:ListTagsForResource", NotCollected;
    ElbDescribeLoadBalancers = Elasticloadbalancing "elasticloadbalancing:DescribeLoadBalancers", Member;
    ElbDescribeListeners = Elasticloadbalancing "elasticloadbalancing:DescribeListeners", Member;
    AcmListCertificates = Acm "acm:ListCertificates", Member;
    AcmDescribeCertificate = Acm "acm:DescribeCertificate", Member;
    AcmListTagsForCertificate = Acm "acm:ListTagsForCertificate", Member;
    CloudtrailDescribeTrails = Cloudtrail "cloudtrail:DescribeTrails", Member;
    CloudtrailGetTrailStatus = Cloudtrail "cloudtrail:GetTrailStatus", Member;
    CloudtrailGetEventSelectors = Cloudtrail "cloudtrail:GetEventSelectors", Member;
    CloudtrailListTags = Cloudtrail "cloudtrail:ListTags", Member;
    ConfigDescribeConfigurationRecorders = Config "config:DescribeConfigurationRecorders", Member;
    ConfigDescribeConfigurationRecorderStatus = Config "config:DescribeConfigurationRecorderStatus", Member;
    ConfigDescribeConfigurationAggregators = Config "config:DescribeConfigurationAggregators", Member;
    Route53ListHostedZones = Route53 "route53:ListHostedZones", Member;
    Route53ListTagsForResources = Route53 "route53:ListTagsForResources", Member;
    Route53GetHostedZone = Route53 "route53:GetHostedZone", Member;
    Route53resolverListResolverRules = Route53resolver "route53resolver:ListResolverRules", Member;
    GuarddutyListDetectors = Guardduty "guardduty:ListDetectors", Member;
    GuarddutyGetDetector = Guardduty "guardduty:GetDetector", Member;
    SecurityhubDescribeHub = Securityhub "securityhub:DescribeHub", Member;
    AccessAnalyzerListAnalyzers = AccessAnalyzer "access-analyzer:ListAnalyzers", Member;
    Macie2GetMacieSession = Macie2 "macie2:GetMacieSession", Member;
    RamGetResourceShares = Ram "ram:GetResourceShares", Member;
    RamGetResourceShareAssociations = Ram "ram:GetResourceShareAssociations", Member;
    AccountGetAlternateContact = Account "account:GetAlternateContact", Member;
    DirectconnectDescribeConnections = Directconnect "directconnect:DescribeConnections", Member;
}

impl Operation {
    /// The operation named `service:Operation` (compared ignoring ASCII case, as IAM
    /// compares action names).
    pub fn find(name: &str) -> Option<Operation> {
        Operation::ALL
            .iter()
            .copied()
            .find(|o| o.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Operation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operation::find(s).ok_or_else(|| {
            let service = s.split_once(':').map_or(s, |(service, _)| service);
            let known: Vec<&str> = Operation::ALL
                .iter()
                .filter(|o| o.service().prefix() == service)
                .map(|o| o.name())
                .collect();
            if known.is_empty() {
                format!("unknown operation `{s}`")
            } else {
                format!(
                    "unknown operation `{s}`, expected one of {}",
                    known.join(", ")
                )
            }
        })
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Operation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Operation::from_str(&name).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Operation {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Operation".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
        schemars::json_schema!({
            "description": "An AWS API operation, `service:Operation`.",
            "type": "string",
            "enum": names,
        })
    }
}

/// What a rule reads: all of a service's data, or one operation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Read {
    /// Any data of the service: any gap of the service makes the rule `unknown`.
    Service(Service),
    /// One operation's data: only a gap of the whole service or of this operation does.
    Operation(Operation),
}

impl Read {
    /// The service read.
    pub fn service(self) -> Service {
        match self {
            Read::Service(s) => s,
            Read::Operation(o) => o.service(),
        }
    }
}

impl From<Service> for Read {
    fn from(s: Service) -> Self {
        Read::Service(s)
    }
}

impl From<Operation> for Read {
    fn from(o: Operation) -> Self {
        Read::Operation(o)
    }
}

impl fmt::Display for Read {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Read::Service(s) => s.fmt(f),
            Read::Operation(o) => o.fmt(f),
        }
    }
}

impl FromStr for Read {
    type Err = String;
    /// `kms` (a service) or `s3:GetBucketPolicy` (an operation).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains(':') {
            s.parse().map(Read::Operation)
        } else {
            s.parse().map(Read::Service)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_operation_is_a_read_of_its_service() {
        for o in Operation::ALL {
            let (service, name) = o.name().split_once(':').unwrap_or_default();
            assert_eq!(service, o.service().prefix(), "{o}");
            assert!(
                ["List", "Get", "Describe", "Select", "Search"]
                    .iter()
                    .any(|p| name.starts_with(p))
                    || *o == Operation::StsAssumeRole,
                "{o} is not a read"
            );
            let (action_service, _) = o.action().split_once(':').unwrap_or_default();
            assert_eq!(action_service, service, "{o}");
        }
    }

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = BTreeSet::new();
        for o in Operation::ALL {
            assert!(seen.insert(o.name().to_ascii_lowercase()), "{o} twice");
            assert_eq!(o.name().parse::<Operation>(), Ok(*o));
            let json = serde_json::to_string(o).unwrap_or_default();
            assert_eq!(serde_json::from_str::<Operation>(&json).ok(), Some(*o));
        }
        for s in Service::ALL {
            assert_eq!(s.prefix().parse::<Service>(), Ok(s));
            assert_eq!(
                serde_json::to_string(&s).ok(),
                Some(format!("\"{}\"", s.prefix())),
                "{s} serializes as its prefix"
            );
        }
    }

    #[test]
    fn reads_parse_services_and_operations_and_name_typos() {
        assert_eq!("kms".parse::<Read>(), Ok(Read::Service(Service::Kms)));
        assert_eq!(
            "s3:getbucketpolicy".parse::<Read>(),
            Ok(Read::Operation(Operation::S3GetBucketPolicy))
        );
        let typo = "s3:GetBucketPolicyy".parse::<Read>().unwrap_err();
        assert!(typo.contains("s3:GetBucketPolicy"), "{typo}");
        assert!("kmss"
            .parse::<Read>()
            .unwrap_err()
            .contains("unknown service"));
        assert!("lambda:ListFunctions".parse::<Read>().is_err());
    }
}
