//! `--source config-aggregator NAME`: resources read through an AWS Config aggregator with
//! `SelectAggregateResourceConfig`, AWS's own organization-wide inventory, instead of every
//! account's APIs. The organization's structure still comes from Organizations.
//!
//! Covered resource types ([`COVERED`]): S3 buckets (with encryption, policy, public access
//! block, versioning and tags from the supplementary configuration), KMS keys, EBS
//! volumes, VPCs, subnets, security groups, IAM roles, users and managed policies, ACM
//! certificates and CloudTrail trails.
//!
//! What Config does not record becomes coverage gaps, for every selected account
//! ([`NOT_COVERED`]): KMS key policies and rotation, IAM access keys and password policy,
//! trail status and event selectors, EBS encryption by default, enabled regions, the other
//! network resources, Config recorders, Route 53, Resolver, RDS and load balancers. Rules that need them report
//! `unknown`; `--source live` reads them.

use std::collections::BTreeMap;

use rampart_model::{
    Account, AcmCertificate, BucketEncryption, CloudTrailTrail, CoverageGap, EbsVolume, IamRole,
    IamUser, KmsKey, ManagedPolicy, Operation, PolicyDocument, PublicAccessBlock, Read, S3Bucket,
    SecurityGroup, SecurityGroupRule, Service, Subnet, Tags, Vpc, GLOBAL_REGION,
};
use serde_json::Value;

use crate::calls::Failure;
use crate::org::OrgAccount;
use crate::session::{client, Gaps, Session};
use crate::util::{decode_policy, tags};

/// The AWS Config resource types read from the aggregator, each mapped into the model by
/// one arm of an exhaustive match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    /// `AWS::S3::Bucket`.
    S3Bucket,
    /// `AWS::KMS::Key`.
    KmsKey,
    /// `AWS::EC2::Volume`.
    Ec2Volume,
    /// `AWS::EC2::VPC`.
    Ec2Vpc,
    /// `AWS::EC2::Subnet`.
    Ec2Subnet,
    /// `AWS::EC2::SecurityGroup`.
    Ec2SecurityGroup,
    /// `AWS::IAM::Role`.
    IamRole,
    /// `AWS::IAM::User`.
    IamUser,
    /// `AWS::IAM::Policy`.
    IamPolicy,
    /// `AWS::ACM::Certificate`.
    AcmCertificate,
    /// `AWS::CloudTrail::Trail`.
    CloudTrailTrail,
}

/// Every covered resource type, in query order.
pub const COVERED: [ConfigType; 11] = [
    ConfigType::S3Bucket,
    ConfigType::KmsKey,
    ConfigType::Ec2Volume,
    ConfigType::Ec2Vpc,
    ConfigType::Ec2Subnet,
    ConfigType::Ec2SecurityGroup,
    ConfigType::IamRole,
    ConfigType::IamUser,
    ConfigType::IamPolicy,
    ConfigType::AcmCertificate,
    ConfigType::CloudTrailTrail,
];

impl ConfigType {
    /// The resource type as AWS Config names it.
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::S3Bucket => "AWS::S3::Bucket",
            ConfigType::KmsKey => "AWS::KMS::Key",
            ConfigType::Ec2Volume => "AWS::EC2::Volume",
            ConfigType::Ec2Vpc => "AWS::EC2::VPC",
            ConfigType::Ec2Subnet => "AWS::EC2::Subnet",
            ConfigType::Ec2SecurityGroup => "AWS::EC2::SecurityGroup",
            ConfigType::IamRole => "AWS::IAM::Role",
            ConfigType::IamUser => "AWS::IAM::User",
            ConfigType::IamPolicy => "AWS::IAM::Policy",
            ConfigType::AcmCertificate => "AWS::ACM::Certificate",
            ConfigType::CloudTrailTrail => "AWS::CloudTrail::Trail",
        }
    }

    /// The service whose data it is (coverage gaps name it).
    pub fn service(self) -> Service {
        match self {
            ConfigType::S3Bucket => Service::S3,
            ConfigType::KmsKey => Service::Kms,
            ConfigType::Ec2Volume
            | ConfigType::Ec2Vpc
            | ConfigType::Ec2Subnet
            | ConfigType::Ec2SecurityGroup => Service::Ec2,
            ConfigType::IamRole | ConfigType::IamUser | ConfigType::IamPolicy => Service::Iam,
            ConfigType::AcmCertificate => Service::Acm,
            ConfigType::CloudTrailTrail => Service::Cloudtrail,
        }
    }

    /// Global (IAM) resources are kept whatever regions were asked for.
    fn is_global(self) -> bool {
        self.service() == Service::Iam
    }
}

/// What AWS Config does not record (a gap in every selected account): single operations'
/// data, or whole services.
pub const NOT_COVERED: &[Read] = &[
    Read::Operation(Operation::KmsGetKeyPolicy),
    Read::Operation(Operation::KmsGetKeyRotationStatus),
    Read::Operation(Operation::IamListAccessKeys),
    Read::Operation(Operation::IamGetAccountPasswordPolicy),
    Read::Operation(Operation::IamListOpenIdConnectProviders),
    Read::Operation(Operation::IamListSamlProviders),
    Read::Operation(Operation::CloudtrailGetTrailStatus),
    Read::Operation(Operation::CloudtrailGetEventSelectors),
    Read::Operation(Operation::Ec2GetEbsEncryptionByDefault),
    Read::Operation(Operation::Ec2DescribeRegions),
    Read::Operation(Operation::Ec2DescribeRouteTables),
    Read::Operation(Operation::Ec2DescribeInternetGateways),
    Read::Operation(Operation::Ec2DescribeNatGateways),
    Read::Operation(Operation::Ec2DescribeTransitGateways),
    Read::Operation(Operation::Ec2DescribeTransitGatewayAttachments),
    Read::Operation(Operation::Ec2DescribeVpnConnections),
    Read::Operation(Operation::Ec2DescribeNetworkAcls),
    Read::Operation(Operation::Ec2DescribeFlowLogs),
    Read::Operation(Operation::Ec2DescribeVpcEndpoints),
    Read::Service(Service::Config),
    Read::Service(Service::Route53),
    Read::Service(Service::Route53resolver),
    Read::Service(Service::Rds),
    Read::Service(Service::Elasticloadbalancing),
];

const SELECT: Operation = Operation::ConfigSelectAggregateResourceConfig;

/// Reads the selected accounts' resources from the aggregator.
pub(crate) async fn collect(
    session: &Session,
    aggregator: &str,
    selected: &[OrgAccount],
    regions: &crate::Regions,
    gaps: &Gaps,
) -> Vec<Account> {
    let config = client!(session, aws_sdk_config, session.home_region());
    let mut accounts: BTreeMap<String, Account> = selected
        .iter()
        .map(|a| (a.id.clone(), crate::empty_account(a)))
        .collect();
    let wanted_region = |r: &str| match regions {
        crate::Regions::Enabled => true,
        crate::Regions::List(list) => list.iter().any(|x| x == r) || r == GLOBAL_REGION,
    };
    for resource_type in COVERED {
        let expression = format!(
            "SELECT resourceId, resourceName, resourceType, accountId, awsRegion, arn, tags, \
             configuration, supplementaryConfiguration WHERE resourceType = '{}'",
            resource_type.name()
        );
        let results = config
            .select_aggregate_resource_config()
            .configuration_aggregator_name(aggregator)
            .expression(expression)
            .limit(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
        match results {
            Ok(items) => {
                for text in items {
                    match serde_json::from_str::<Value>(&text) {
                        Ok(item) => {
                            let account_id = item["accountId"].as_str().unwrap_or_default();
                            let region = item["awsRegion"].as_str().unwrap_or_default();
                            if let Some(account) = accounts.get_mut(account_id) {
                                if wanted_region(region) || resource_type.is_global() {
                                    add(account, resource_type, &item, gaps);
                                }
                            }
                        }
                        Err(err) => gaps.push(CoverageGap {
                            account_id: "*".to_owned(),
                            region: "*".to_owned(),
                            service: resource_type.service(),
                            reason: format!("{SELECT}: unreadable result: {err}"),
                            resource: None,
                            operation: None,
                        }),
                    }
                }
            }
            Err(e) => {
                let failure = Failure::of(&e);
                for account in selected {
                    gaps.push(CoverageGap {
                        account_id: account.id.clone(),
                        region: "*".to_owned(),
                        service: resource_type.service(),
                        reason: format!("{SELECT} ({}): {}", resource_type.name(), failure.reason),
                        resource: None,
                        operation: None,
                    });
                }
            }
        }
    }
    for account in selected {
        for what in NOT_COVERED {
            let operation = match what {
                Read::Operation(op) => Some(*op),
                Read::Service(_) => None,
            };
            gaps.push(CoverageGap {
                account_id: account.id.clone(),
                region: "*".to_owned(),
                service: what.service(),
                reason: "not recorded by AWS Config: read with --source live".to_owned(),
                resource: None,
                operation,
            });
        }
    }
    let mut out: Vec<Account> = accounts.into_values().collect();
    for account in &mut out {
        crate::sort_account(account);
    }
    out
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

fn boolean(v: &Value, key: &str) -> bool {
    match &v[key] {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Config's tags: an object, or a list of `{key, value}` (both occur).
fn config_tags(v: &Value) -> Tags {
    match v {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        Value::Array(list) => tags(list.iter().filter_map(|t| {
            Some((
                t["key"].as_str().or(t["Key"].as_str())?,
                t["value"]
                    .as_str()
                    .or(t["Value"].as_str())
                    .unwrap_or_default(),
            ))
        })),
        _ => Tags::new(),
    }
}

/// A policy that Config stores as a (possibly URL-encoded) string, or as JSON.
fn policy(v: &Value) -> Option<PolicyDocument> {
    match v {
        Value::String(s) if !s.is_empty() => decode_policy(s).ok(),
        Value::Object(_) => Some(PolicyDocument::new(v.clone())),
        _ => None,
    }
}

fn source() -> rampart_model::Source {
    crate::util::api(SELECT)
}

/// Adds one aggregator result to its account.
fn add(account: &mut Account, resource_type: ConfigType, item: &Value, gaps: &Gaps) {
    let c = &item["configuration"];
    let supplementary = &item["supplementaryConfiguration"];
    let account_id = account.id.clone();
    let region = text(item, "awsRegion");
    let arn = text(item, "arn");
    let item_tags = config_tags(&item["tags"]);
    match resource_type {
        ConfigType::S3Bucket => {
            let rule = &supplementary["ServerSideEncryptionConfiguration"]["rules"][0];
            let default = &rule["applyServerSideEncryptionByDefault"];
            let encryption = Some(BucketEncryption {
                sse_algorithm: default["sseAlgorithm"]
                    .as_str()
                    .unwrap_or("none")
                    .to_owned(),
                kms_key_arn: default["kmsMasterKeyID"].as_str().map(str::to_owned),
                bucket_key_enabled: boolean(rule, "bucketKeyEnabled"),
            });
            let pab = &supplementary["PublicAccessBlockConfiguration"];
            let public_access_block = Some(PublicAccessBlock {
                block_public_acls: boolean(pab, "blockPublicAcls"),
                ignore_public_acls: boolean(pab, "ignorePublicAcls"),
                block_public_policy: boolean(pab, "blockPublicPolicy"),
                restrict_public_buckets: boolean(pab, "restrictPublicBuckets"),
            });
            let name = c["name"]
                .as_str()
                .map_or_else(|| text(item, "resourceName"), str::to_owned);
            account.storage.s3_buckets.push(S3Bucket {
                arn: if arn.is_empty() {
                    format!("arn:aws:s3:::{name}")
                } else {
                    arn
                },
                account_id,
                region,
                tags: item_tags,
                source: source(),
                policy: policy(&supplementary["BucketPolicy"]["policyText"]),
                versioning: supplementary["BucketVersioningConfiguration"]["status"] == "Enabled",
                name,
                encryption,
                public_access_block,
            });
        }
        ConfigType::KmsKey => account.kms_keys.push(KmsKey {
            arn,
            account_id,
            region,
            tags: item_tags,
            source: source(),
            key_id: text(c, "keyId"),
            key_manager: c["keyManager"].as_str().unwrap_or("CUSTOMER").to_owned(),
            key_state: c["keyState"].as_str().unwrap_or("Unknown").to_owned(),
            key_spec: c["keySpec"]
                .as_str()
                .or(c["customerMasterKeySpec"].as_str())
                .unwrap_or("SYMMETRIC_DEFAULT")
                .to_owned(),
            key_usage: c["keyUsage"]
                .as_str()
                .unwrap_or("ENCRYPT_DECRYPT")
                .to_owned(),
            multi_region: boolean(c, "multiRegion"),
            rotation_enabled: None,
            policy: None,
            aliases: Vec::new(),
        }),
        ConfigType::Ec2Volume => account.storage.ebs_volumes.push(EbsVolume {
            arn: if arn.is_empty() {
                format!(
                    "arn:aws:ec2:{region}:{account_id}:volume/{}",
                    text(c, "volumeId")
                )
            } else {
                arn
            },
            account_id,
            region,
            tags: item_tags,
            source: source(),
            volume_id: text(c, "volumeId"),
            encrypted: boolean(c, "encrypted"),
            kms_key_arn: c["kmsKeyId"].as_str().map(str::to_owned),
            size_gib: c["size"]
                .as_u64()
                .and_then(|s| u32::try_from(s).ok())
                .unwrap_or(0),
        }),
        ConfigType::Ec2Vpc => {
            let mut cidr_blocks: Vec<String> = c["cidrBlockAssociationSet"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|a| a["cidrBlock"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if cidr_blocks.is_empty() {
                cidr_blocks.extend(c["cidrBlock"].as_str().map(str::to_owned));
            }
            cidr_blocks.sort();
            cidr_blocks.dedup();
            account.network.vpcs.push(Vpc {
                arn,
                account_id,
                region,
                tags: item_tags,
                source: source(),
                vpc_id: text(c, "vpcId"),
                cidr_blocks,
                is_default: boolean(c, "isDefault"),
            });
        }
        ConfigType::Ec2Subnet => account.network.subnets.push(Subnet {
            arn,
            account_id,
            region,
            tags: item_tags,
            source: source(),
            subnet_id: text(c, "subnetId"),
            vpc_id: text(c, "vpcId"),
            cidr_block: text(c, "cidrBlock"),
            availability_zone: text(c, "availabilityZone"),
            map_public_ip_on_launch: boolean(c, "mapPublicIpOnLaunch"),
        }),
        ConfigType::Ec2SecurityGroup => {
            let ingress = c["ipPermissions"]
                .as_array()
                .map(|perms| perms.iter().flat_map(sg_rules).collect())
                .unwrap_or_default();
            let egress = c["ipPermissionsEgress"]
                .as_array()
                .map(|perms| perms.iter().flat_map(sg_rules).collect());
            account.network.security_groups.push(SecurityGroup {
                arn,
                account_id,
                region,
                tags: item_tags,
                source: source(),
                group_id: text(c, "groupId"),
                name: text(c, "groupName"),
                vpc_id: text(c, "vpcId"),
                ingress,
                egress,
            });
        }
        ConfigType::IamRole => {
            let Some(trust_policy) = policy(&c["assumeRolePolicyDocument"]) else {
                unreadable(
                    gaps,
                    &account_id,
                    Service::Iam,
                    &arn,
                    "assumeRolePolicyDocument",
                );
                return;
            };
            let path = c["path"].as_str().unwrap_or("/").to_owned();
            account.iam.roles.push(IamRole {
                arn,
                account_id,
                region: GLOBAL_REGION.to_owned(),
                tags: config_tags(&c["tags"]),
                source: source(),
                name: text(c, "roleName"),
                service_linked: path.starts_with("/aws-service-role/"),
                path,
                trust_policy,
                inline_policies: inline(&c["rolePolicyList"]),
                attached_policy_arns: attached(&c["attachedManagedPolicies"]),
                permissions_boundary_arn: c["permissionsBoundary"]["permissionsBoundaryArn"]
                    .as_str()
                    .map(str::to_owned),
            });
        }
        ConfigType::IamUser => account.iam.users.push(IamUser {
            arn,
            account_id,
            region: GLOBAL_REGION.to_owned(),
            tags: config_tags(&c["tags"]),
            source: source(),
            name: text(c, "userName"),
            access_keys: Vec::new(),
            console_access: false,
            mfa_enabled: false,
            inline_policies: inline(&c["userPolicyList"]),
            attached_policy_arns: attached(&c["attachedManagedPolicies"]),
            permissions_boundary_arn: c["permissionsBoundary"]["permissionsBoundaryArn"]
                .as_str()
                .map(str::to_owned),
        }),
        ConfigType::IamPolicy => {
            let versions = c["policyVersionList"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let Some(document) = versions
                .iter()
                .find(|v| boolean(v, "isDefaultVersion"))
                .and_then(|v| policy(&v["document"]))
            else {
                unreadable(gaps, &account_id, Service::Iam, &arn, "policyVersionList");
                return;
            };
            account.iam.managed_policies.push(ManagedPolicy {
                aws_managed: arn.contains(":iam::aws:policy/"),
                arn,
                account_id,
                region: GLOBAL_REGION.to_owned(),
                tags: item_tags,
                source: source(),
                name: text(c, "policyName"),
                document,
            });
        }
        ConfigType::AcmCertificate => account.certificates.acm.push(AcmCertificate {
            arn,
            account_id,
            region,
            tags: item_tags,
            source: source(),
            domain_name: text(c, "domainName"),
            certificate_type: c["type"].as_str().unwrap_or("AMAZON_ISSUED").to_owned(),
            status: c["status"].as_str().unwrap_or("UNKNOWN").to_owned(),
            key_algorithm: c["keyAlgorithm"].as_str().unwrap_or("UNKNOWN").to_owned(),
            not_after: c["notAfter"]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&chrono::Utc))
                .or_else(|| {
                    c["notAfter"]
                        .as_i64()
                        .and_then(chrono::DateTime::from_timestamp_millis)
                }),
            in_use_by: {
                let mut list: Vec<String> = c["inUseBy"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                list.sort();
                list
            },
            renewal_eligibility: c["renewalEligibility"].as_str().map(str::to_owned),
        }),
        ConfigType::CloudTrailTrail => account.logging.cloudtrail_trails.push(CloudTrailTrail {
            arn: c["trailARN"].as_str().map_or(arn, str::to_owned),
            account_id,
            region,
            tags: item_tags,
            source: source(),
            name: text(c, "name"),
            is_multi_region: boolean(c, "isMultiRegionTrail"),
            is_organization_trail: boolean(c, "isOrganizationTrail"),
            // Not in AWS Config: recorded as a `cloudtrail:GetTrailStatus` gap.
            is_logging: false,
            log_file_validation: boolean(c, "logFileValidationEnabled"),
            kms_key_arn: c["kmsKeyId"].as_str().map(str::to_owned),
            s3_bucket_name: text(c, "s3BucketName"),
            management_events: None,
            data_event_selectors: 0,
        }),
    }
}

fn unreadable(gaps: &Gaps, account_id: &str, service: Service, arn: &str, field: &str) {
    gaps.push(CoverageGap {
        account_id: account_id.to_owned(),
        region: GLOBAL_REGION.to_owned(),
        service,
        reason: format!("{SELECT}: `{field}` missing or unreadable"),
        resource: Some(arn.to_owned()),
        operation: None,
    });
}

fn inline(list: &Value) -> BTreeMap<String, PolicyDocument> {
    list.as_array()
        .map(|l| {
            l.iter()
                .filter_map(|p| {
                    Some((
                        p["policyName"].as_str()?.to_owned(),
                        policy(&p["policyDocument"])?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn attached(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|p| p["policyArn"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn sg_rules(p: &Value) -> Vec<SecurityGroupRule> {
    let protocol = p["ipProtocol"].as_str().unwrap_or("-1").to_owned();
    let port = |k: &str| {
        p[k].as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .unwrap_or(-1)
    };
    let (from_port, to_port) = if protocol == "-1" {
        (-1, -1)
    } else {
        (port("fromPort"), port("toPort"))
    };
    let list = |k: &str, field: &str| -> Vec<String> {
        p[k].as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|r| r[field].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut sources = list("ipv4Ranges", "cidrIp");
    sources.extend(list("ipRanges", "cidrIp"));
    sources.extend(list("ipv6Ranges", "cidrIpv6"));
    sources.extend(list("userIdGroupPairs", "groupId"));
    sources.dedup();
    sources
        .into_iter()
        .map(|source| SecurityGroupRule {
            protocol: protocol.clone(),
            from_port,
            to_port,
            source,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! moto does not implement `SelectAggregateResourceConfig` (HTTP 500), so the mapping
    //! is tested on recorded results, in the shape AWS Config returns them (each result
    //! is one JSON string; fields as in the AWS Config resource schemas).

    use super::*;
    use rampart_model::{AccountStatus, Source};

    fn account() -> Account {
        crate::empty_account(&OrgAccount {
            id: "111122223333".to_owned(),
            arn: "arn:aws:organizations::999999999999:account/o-x/111122223333".to_owned(),
            name: "app-prod".to_owned(),
            email: None,
            status: AccountStatus::Active,
            parent_id: "ou-x".to_owned(),
            tags: Tags::new(),
        })
    }

    fn recorded(name: &str) -> Value {
        let text = match name {
            "bucket" => {
                r#"{"resourceId":"data-bucket","resourceName":"data-bucket","resourceType":"AWS::S3::Bucket","accountId":"111122223333","awsRegion":"eu-west-1","arn":"arn:aws:s3:::data-bucket","tags":[{"key":"DataClassification","value":"restricted"}],"configuration":{"name":"data-bucket","owner":{"id":"abc"},"creationDate":"2025-01-02T03:04:05.000Z"},"supplementaryConfiguration":{"BucketPolicy":{"policyText":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::data-bucket/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"},"PublicAccessBlockConfiguration":{"blockPublicAcls":true,"ignorePublicAcls":true,"blockPublicPolicy":true,"restrictPublicBuckets":true},"ServerSideEncryptionConfiguration":{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"aws:kms","kmsMasterKeyID":"arn:aws:kms:eu-west-1:111122223333:key/k1"},"bucketKeyEnabled":true}]},"BucketVersioningConfiguration":{"status":"Enabled","isMfaDeleteEnabled":null}}}"#
            }
            "role" => {
                r#"{"resourceId":"AROA1","resourceName":"deploy","resourceType":"AWS::IAM::Role","accountId":"111122223333","awsRegion":"global","arn":"arn:aws:iam::111122223333:role/deploy","tags":[],"configuration":{"path":"/","roleName":"deploy","roleId":"AROA1","arn":"arn:aws:iam::111122223333:role/deploy","assumeRolePolicyDocument":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A444455556666%3Aroot%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D","instanceProfileList":[],"rolePolicyList":[{"policyName":"inline","policyDocument":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}],"attachedManagedPolicies":[{"policyName":"ReadOnlyAccess","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}],"permissionsBoundary":null,"tags":[{"key":"team","value":"platform"}]}}"#
            }
            "key" => {
                r#"{"resourceId":"k1","resourceType":"AWS::KMS::Key","accountId":"111122223333","awsRegion":"eu-west-1","arn":"arn:aws:kms:eu-west-1:111122223333:key/k1","tags":{"owner":"data"},"configuration":{"keyId":"k1","arn":"arn:aws:kms:eu-west-1:111122223333:key/k1","enabled":true,"keyUsage":"ENCRYPT_DECRYPT","keyState":"Enabled","origin":"AWS_KMS","keyManager":"CUSTOMER","customerMasterKeySpec":"SYMMETRIC_DEFAULT","multiRegion":false},"supplementaryConfiguration":{}}"#
            }
            "sg" => {
                r#"{"resourceId":"sg-1","resourceType":"AWS::EC2::SecurityGroup","accountId":"111122223333","awsRegion":"eu-west-1","arn":"arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1","tags":[],"configuration":{"groupId":"sg-1","groupName":"web","vpcId":"vpc-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}],"ipRanges":["0.0.0.0/0"],"ipv6Ranges":[],"userIdGroupPairs":[]}]}}"#
            }
            "volume" => {
                r#"{"resourceId":"vol-1","resourceType":"AWS::EC2::Volume","accountId":"111122223333","awsRegion":"eu-west-1","arn":"arn:aws:ec2:eu-west-1:111122223333:volume/vol-1","tags":[],"configuration":{"volumeId":"vol-1","size":8,"encrypted":false,"kmsKeyId":null}}"#
            }
            "trail" => {
                r#"{"resourceId":"org-trail","resourceType":"AWS::CloudTrail::Trail","accountId":"111122223333","awsRegion":"us-east-1","arn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail","tags":[],"configuration":{"name":"org-trail","s3BucketName":"logs","isMultiRegionTrail":true,"homeRegion":"us-east-1","trailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail","logFileValidationEnabled":true,"isOrganizationTrail":true}}"#
            }
            "certificate" => {
                r#"{"resourceId":"c1","resourceType":"AWS::ACM::Certificate","accountId":"111122223333","awsRegion":"eu-west-1","arn":"arn:aws:acm:eu-west-1:111122223333:certificate/c1","tags":[],"configuration":{"domainName":"app.example.com","type":"AMAZON_ISSUED","status":"ISSUED","keyAlgorithm":"RSA-2048","notAfter":1893456000000,"inUseBy":["arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/1"],"renewalEligibility":"ELIGIBLE"}}"#
            }
            _ => "null",
        };
        serde_json::from_str(text).expect("recorded result is JSON")
    }

    #[test]
    fn buckets_keep_their_supplementary_configuration() {
        let mut a = account();
        let gaps = Gaps::default();
        add(&mut a, ConfigType::S3Bucket, &recorded("bucket"), &gaps);
        let b = &a.storage.s3_buckets[0];
        assert_eq!(b.name, "data-bucket");
        assert_eq!(b.region, "eu-west-1");
        assert_eq!(
            b.tags.get("DataClassification").map(String::as_str),
            Some("restricted")
        );
        let e = b.encryption.as_ref().expect("encryption");
        assert_eq!(e.sse_algorithm, "aws:kms");
        assert_eq!(
            e.kms_key_arn.as_deref(),
            Some("arn:aws:kms:eu-west-1:111122223333:key/k1")
        );
        assert!(e.bucket_key_enabled && b.versioning);
        assert!(b.public_access_block.is_some_and(|p| p.all()));
        assert_eq!(
            b.policy.as_ref().expect("policy").raw()["Statement"][0]["Effect"],
            "Deny"
        );
        assert_eq!(
            b.source,
            Source::Api {
                operation: SELECT.name().to_owned()
            }
        );
        assert!(gaps.take().is_empty());
    }

    #[test]
    fn roles_decode_url_encoded_documents() {
        let mut a = account();
        let gaps = Gaps::default();
        add(&mut a, ConfigType::IamRole, &recorded("role"), &gaps);
        let r = &a.iam.roles[0];
        assert_eq!(r.name, "deploy");
        assert_eq!(r.region, GLOBAL_REGION);
        assert_eq!(
            r.trust_policy.raw()["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::444455556666:root"
        );
        assert_eq!(
            r.inline_policies["inline"].raw()["Statement"][0]["Action"],
            "s3:GetObject"
        );
        assert_eq!(
            r.attached_policy_arns,
            ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
        );
        assert_eq!(r.tags.get("team").map(String::as_str), Some("platform"));
        assert!(r.permissions_boundary_arn.is_none());
        assert!(gaps.take().is_empty());
    }

    #[test]
    fn a_role_without_a_readable_trust_policy_is_a_gap_not_a_role() {
        let mut a = account();
        let gaps = Gaps::default();
        let mut role = recorded("role");
        role["configuration"]["assumeRolePolicyDocument"] = Value::String("%7Bbroken".to_owned());
        add(&mut a, ConfigType::IamRole, &role, &gaps);
        assert!(a.iam.roles.is_empty());
        let gap = gaps.take().pop().expect("gap");
        assert_eq!(
            gap.resource.as_deref(),
            Some("arn:aws:iam::111122223333:role/deploy")
        );
        assert_eq!(gap.service, Service::Iam);
    }

    #[test]
    fn keys_volumes_groups_trails_and_certificates_map() {
        let mut a = account();
        let gaps = Gaps::default();
        for (ty, name) in [
            (ConfigType::KmsKey, "key"),
            (ConfigType::Ec2Volume, "volume"),
            (ConfigType::Ec2SecurityGroup, "sg"),
            (ConfigType::CloudTrailTrail, "trail"),
            (ConfigType::AcmCertificate, "certificate"),
        ] {
            add(&mut a, ty, &recorded(name), &gaps);
        }
        let k = &a.kms_keys[0];
        assert_eq!(
            (k.key_manager.as_str(), k.key_spec.as_str()),
            ("CUSTOMER", "SYMMETRIC_DEFAULT")
        );
        assert_eq!(k.tags.get("owner").map(String::as_str), Some("data"));
        assert!(
            k.policy.is_none() && k.rotation_enabled.is_none(),
            "not in Config: unread"
        );
        let v = &a.storage.ebs_volumes[0];
        assert!(!v.encrypted && v.kms_key_arn.is_none() && v.size_gib == 8);
        let sg = &a.network.security_groups[0];
        assert_eq!(
            sg.ingress.len(),
            1,
            "ipv4Ranges and the legacy ipRanges name one source"
        );
        assert_eq!(
            (sg.ingress[0].from_port, sg.ingress[0].source.as_str()),
            (22, "0.0.0.0/0")
        );
        let t = &a.logging.cloudtrail_trails[0];
        assert!(t.is_organization_trail && t.is_multi_region && t.log_file_validation);
        let c = &a.certificates.acm[0];
        assert_eq!(
            c.not_after.map(|t| t.to_rfc3339()).as_deref(),
            Some("2030-01-01T00:00:00+00:00")
        );
        assert_eq!(c.in_use_by.len(), 1);
        assert!(gaps.take().is_empty());
    }
}
