//! The guardrail intent vocabulary: what a foundation declares it wants prevented, and
//! how each intent becomes SCP statements and the requests that prove it.
//!
//! Every intent denies; it names the targets it applies to and the principals it exempts
//! (`ArnNotLike aws:PrincipalArn`: SCPs have no `Principal`). Every kind brings must-deny
//! and must-allow example requests, and a declaration may add its own. The action lists
//! are checked against the catalog by a test.

use std::fmt;

use rampart_iam::ContextValue;

use super::org::Target;
use super::statement::{ActionSet, ConditionClause, ScpStatement};

/// The kinds of intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntentKind {
    /// Deny `organizations:LeaveOrganization`.
    DenyLeaveOrganization,
    /// Deny disabling or changing CloudTrail, Config, GuardDuty, Security Hub and IAM
    /// Access Analyzer.
    ProtectSecurityServices,
    /// Deny every action to the root user of member accounts.
    DenyRootUser,
    /// Deny actions outside the allowed regions, global services exempted.
    RegionDeny,
    /// Deny S3 object writes not encrypted with SSE-KMS.
    S3RequireKms,
    /// Deny creating unencrypted EBS volumes.
    EbsRequireEncryption,
    /// Deny creating unencrypted RDS instances and clusters.
    RdsRequireEncryption,
    /// Deny KMS key deletion with a waiting period shorter than `min_days`.
    KmsDeletionWindow,
    /// Deny changes to the foundation roles, except by exempt (foundation) principals.
    ProtectFoundationRoles,
    /// Deny creating IAM users and access keys.
    DenyIamUsers,
    /// Deny internet gateways, VPC peering and public-sharing changes outside the network
    /// account(s).
    NetworkBoundary,
    /// Deny setting or removing classification tags, except by exempt principals.
    ProtectClassificationTags,
    /// Deny the listed actions (the escape hatch: its examples are the declaration's own).
    DenyActions,
}

impl IntentKind {
    /// Every kind, in documentation order.
    pub const ALL: [IntentKind; 13] = [
        IntentKind::DenyLeaveOrganization,
        IntentKind::ProtectSecurityServices,
        IntentKind::DenyRootUser,
        IntentKind::RegionDeny,
        IntentKind::S3RequireKms,
        IntentKind::EbsRequireEncryption,
        IntentKind::RdsRequireEncryption,
        IntentKind::KmsDeletionWindow,
        IntentKind::ProtectFoundationRoles,
        IntentKind::DenyIamUsers,
        IntentKind::NetworkBoundary,
        IntentKind::ProtectClassificationTags,
        IntentKind::DenyActions,
    ];

    /// The name in `kind = "…"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IntentKind::DenyLeaveOrganization => "deny-leave-organization",
            IntentKind::ProtectSecurityServices => "protect-security-services",
            IntentKind::DenyRootUser => "deny-root-user",
            IntentKind::RegionDeny => "region-deny",
            IntentKind::S3RequireKms => "s3-require-kms",
            IntentKind::EbsRequireEncryption => "ebs-require-encryption",
            IntentKind::RdsRequireEncryption => "rds-require-encryption",
            IntentKind::KmsDeletionWindow => "kms-deletion-window",
            IntentKind::ProtectFoundationRoles => "protect-foundation-roles",
            IntentKind::DenyIamUsers => "deny-iam-users",
            IntentKind::NetworkBoundary => "network-boundary",
            IntentKind::ProtectClassificationTags => "protect-classification-tags",
            IntentKind::DenyActions => "deny-actions",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<IntentKind> {
        IntentKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind-specific parameters it takes (every kind takes `targets` and `exempt`).
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            IntentKind::ProtectSecurityServices => &["services"],
            IntentKind::RegionDeny => &["allowed_regions", "global_services"],
            IntentKind::KmsDeletionWindow => &["min_days"],
            IntentKind::ProtectFoundationRoles => &["roles"],
            IntentKind::NetworkBoundary => &["network_accounts"],
            IntentKind::ProtectClassificationTags => &["tag_keys"],
            IntentKind::DenyActions => &["actions"],
            _ => &[],
        }
    }
}

impl fmt::Display for IntentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The services `protect-security-services` covers, with the actions that disable,
/// delete, or change them, and a read that must stay allowed.
pub const SECURITY_SERVICES: &[(&str, &[&str], &str)] = &[
    (
        "cloudtrail",
        &[
            "cloudtrail:DeleteEventDataStore",
            "cloudtrail:DeleteTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:PutInsightSelectors",
            "cloudtrail:StopEventDataStoreIngestion",
            "cloudtrail:StopLogging",
            "cloudtrail:UpdateEventDataStore",
            "cloudtrail:UpdateTrail",
        ],
        "cloudtrail:LookupEvents",
    ),
    (
        "config",
        &[
            "config:DeleteConfigurationAggregator",
            "config:DeleteConfigurationRecorder",
            "config:DeleteDeliveryChannel",
            "config:DeleteRetentionConfiguration",
            "config:DeleteServiceLinkedConfigurationRecorder",
            "config:PutConfigurationRecorder",
            "config:PutDeliveryChannel",
            "config:PutRetentionConfiguration",
            "config:StopConfigurationRecorder",
        ],
        "config:DescribeConfigurationRecorders",
    ),
    (
        "guardduty",
        &[
            "guardduty:DeleteDetector",
            "guardduty:DeleteMembers",
            "guardduty:DeletePublishingDestination",
            "guardduty:DisassociateFromAdministratorAccount",
            "guardduty:DisassociateFromMasterAccount",
            "guardduty:DisassociateMembers",
            "guardduty:StopMonitoringMembers",
            "guardduty:UpdateDetector",
            "guardduty:UpdatePublishingDestination",
        ],
        "guardduty:GetFindings",
    ),
    (
        "securityhub",
        &[
            "securityhub:BatchDisableStandards",
            "securityhub:DeleteMembers",
            "securityhub:DisableImportFindingsForProduct",
            "securityhub:DisableSecurityHub",
            "securityhub:DisableSecurityHubV2",
            "securityhub:DisassociateFromAdministratorAccount",
            "securityhub:DisassociateFromMasterAccount",
            "securityhub:DisassociateMembers",
        ],
        "securityhub:GetFindings",
    ),
    (
        "access-analyzer",
        &[
            "access-analyzer:ApplyArchiveRule",
            "access-analyzer:CreateArchiveRule",
            "access-analyzer:DeleteAnalyzer",
            "access-analyzer:UpdateArchiveRule",
        ],
        "access-analyzer:ListAnalyzers",
    ),
];

/// The global services a region deny exempts by default, after the AWS Organizations
/// example "Deny access to AWS based on the requested AWS Region": their endpoints are in
/// `us-east-1` (or answer every region), so denying by region would break them.
pub const GLOBAL_SERVICES: &[&str] = &[
    "a4b:*",
    "access-analyzer:*",
    "account:*",
    "acm:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "budgets:*",
    "ce:*",
    "chime:*",
    "cloudfront:*",
    "config:*",
    "cur:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "fms:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "importexport:*",
    "kms:*",
    "mobileanalytics:*",
    "networkmanager:*",
    "organizations:*",
    "pricing:*",
    "route53-recovery-cluster:*",
    "route53-recovery-control-config:*",
    "route53-recovery-readiness:*",
    "route53:*",
    "route53domains:*",
    "s3:CreateMultiRegionAccessPoint",
    "s3:DeleteMultiRegionAccessPoint",
    "s3:DescribeMultiRegionAccessPointOperation",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketLocation",
    "s3:GetMultiRegionAccessPoint",
    "s3:GetMultiRegionAccessPointPolicy",
    "s3:GetMultiRegionAccessPointPolicyStatus",
    "s3:GetStorageLensConfiguration",
    "s3:GetStorageLensDashboard",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:ListStorageLensConfigurations",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutMultiRegionAccessPointPolicy",
    "shield:*",
    "sso:*",
    "sts:*",
    "support:*",
    "supportplans:*",
    "trustedadvisor:*",
    "waf-regional:*",
    "waf:*",
    "wafv2:*",
    "wellarchitected:*",
];

/// What `protect-foundation-roles` denies on the named roles.
pub const FOUNDATION_ROLE_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
];

/// What `deny-iam-users` denies.
pub const IAM_USER_ACTIONS: &[&str] = &["iam:CreateAccessKey", "iam:CreateUser"];

/// What `network-boundary` denies outside the network account(s).
pub const NETWORK_ACTIONS: &[&str] = &[
    "ec2:AcceptVpcPeeringConnection",
    "ec2:AttachInternetGateway",
    "ec2:CreateEgressOnlyInternetGateway",
    "ec2:CreateInternetGateway",
    "ec2:CreateVpcPeeringConnection",
    "ec2:DisableImageBlockPublicAccess",
    "ec2:DisableSnapshotBlockPublicAccess",
    "ec2:ModifyVpcBlockPublicAccessOptions",
    "s3:PutAccountPublicAccessBlock",
];

/// `region-deny` examples use the first of these regions the intent does not allow.
const FOREIGN_REGIONS: &[&str] = &["ap-southeast-2", "sa-east-1", "af-south-1", "me-south-1"];

/// A resolved intent's parameters (defaults filled in).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntentParams {
    /// `protect-security-services`: services (prefixes) covered.
    pub services: Vec<String>,
    /// `region-deny`: regions left open.
    pub allowed_regions: Vec<String>,
    /// `region-deny`: `NotAction` patterns of global services.
    pub global_services: Vec<String>,
    /// `protect-foundation-roles`: role names (globs).
    pub roles: Vec<String>,
    /// `network-boundary`: the network account ids.
    pub network_accounts: Vec<String>,
    /// `protect-classification-tags`: the tag keys.
    pub tag_keys: Vec<String>,
    /// `kms-deletion-window`: the shortest waiting period allowed, in days.
    pub min_days: u32,
    /// `deny-actions`: the action patterns.
    pub actions: Vec<String>,
}

/// One request of an intent's proof; `{account}` in the principal and resource stands for
/// the account the request is tried in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExampleRequest {
    /// `service:Action`.
    pub action: String,
    /// The resource ARN (`*` when the action has none).
    pub resource: String,
    /// The caller's ARN.
    pub principal: String,
    /// `aws:RequestedRegion`.
    pub region: String,
    /// Other condition keys, sorted by key.
    pub context: Vec<(String, ContextValue)>,
    /// Why the request is there.
    pub note: String,
    /// Only tried in these accounts (the principal's own account, for a request that only
    /// makes sense there); empty: every account below the intent's targets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub only_accounts: Vec<String>,
    /// Never tried in these accounts (those the intent exempts by account).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub except_accounts: Vec<String>,
}

impl ExampleRequest {
    /// Whether the request is tried in `account` (see `only_accounts`, `except_accounts`).
    pub fn applies_in(&self, account: &str) -> bool {
        (self.only_accounts.is_empty() || self.only_accounts.iter().any(|a| a == account))
            && !self.except_accounts.iter().any(|a| a == account)
    }

    /// A request with the default principal and region and no other keys.
    pub fn new(action: &str, defaults: &ExampleDefaults, note: &str) -> ExampleRequest {
        ExampleRequest {
            action: action.to_owned(),
            resource: "*".to_owned(),
            principal: defaults.principal.clone(),
            region: defaults.region.clone(),
            context: Vec::new(),
            note: note.to_owned(),
            only_accounts: Vec::new(),
            except_accounts: Vec::new(),
        }
    }

    fn with(mut self, key: &str, value: &str) -> Self {
        self.context
            .push((key.to_owned(), ContextValue::Single(value.to_owned())));
        self.context.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    fn with_multi(mut self, key: &str, values: &[&str]) -> Self {
        self.context.push((
            key.to_owned(),
            ContextValue::Multi(values.iter().map(|v| (*v).to_owned()).collect()),
        ));
        self.context.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    fn by(mut self, principal: &str) -> Self {
        principal.clone_into(&mut self.principal);
        self
    }

    fn on(mut self, resource: &str) -> Self {
        resource.clone_into(&mut self.resource);
        self
    }

    fn in_region(mut self, region: &str) -> Self {
        region.clone_into(&mut self.region);
        self
    }
}

/// The principal and region of examples that do not name theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleDefaults {
    /// The caller (`{account}` is the account).
    pub principal: String,
    /// The region.
    pub region: String,
}

/// A guardrail intent, resolved against the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Its id (unique in the declaration).
    pub id: String,
    /// Its kind.
    pub kind: IntentKind,
    /// What it is for, in a sentence.
    pub description: String,
    /// Where it attaches (a target below another target of the same intent is dropped: the
    /// deny is inherited).
    pub targets: Vec<Target>,
    /// Principal ARN patterns exempted.
    pub exempt: Vec<String>,
    /// Kind-specific parameters.
    pub params: IntentParams,
    /// Requests that must be denied in every account below its targets.
    pub must_deny: Vec<ExampleRequest>,
    /// Requests that must stay allowed there.
    pub must_allow: Vec<ExampleRequest>,
}

impl Intent {
    /// The statements that enforce the intent, before merging and compaction.
    pub fn statements(&self) -> Vec<ScpStatement> {
        let p = &self.params;
        let star = || vec!["*".to_owned()];
        let exempt: Vec<ConditionClause> = if self.exempt.is_empty() {
            Vec::new()
        } else {
            vec![ConditionClause::exempt(&self.exempt)]
        };
        let with = |extra: Vec<ConditionClause>| {
            let mut c = exempt.clone();
            c.extend(extra);
            c
        };
        let id = self.id.as_str();
        let deny = |actions: ActionSet, conditions: Vec<ConditionClause>| {
            ScpStatement::new(id, actions, star(), conditions)
        };
        let values = |items: &[String]| items.to_vec();
        match self.kind {
            IntentKind::DenyLeaveOrganization => vec![deny(
                ActionSet::actions(["organizations:LeaveOrganization"]),
                with(vec![]),
            )],
            IntentKind::ProtectSecurityServices => {
                let actions = SECURITY_SERVICES
                    .iter()
                    .filter(|(s, _, _)| p.services.iter().any(|x| x == s))
                    .flat_map(|(_, a, _)| a.iter().copied());
                vec![deny(ActionSet::actions(actions), with(vec![]))]
            }
            IntentKind::DenyRootUser => vec![deny(
                ActionSet::actions(["*"]),
                with(vec![ConditionClause::new(
                    "ArnLike",
                    "aws:PrincipalArn",
                    ["arn:aws:iam::*:root".to_owned()],
                )]),
            )],
            IntentKind::RegionDeny => vec![deny(
                ActionSet::NotActions(p.global_services.iter().cloned().collect()),
                with(vec![ConditionClause::new(
                    "StringNotEquals",
                    "aws:RequestedRegion",
                    values(&p.allowed_regions),
                )]),
            )],
            IntentKind::S3RequireKms => vec![deny(
                ActionSet::actions(["s3:PutObject"]),
                with(vec![ConditionClause::new(
                    "StringNotEquals",
                    "s3:x-amz-server-side-encryption",
                    ["aws:kms".to_owned(), "aws:kms:dsse".to_owned()],
                )]),
            )],
            IntentKind::EbsRequireEncryption => vec![deny(
                ActionSet::actions(["ec2:CreateVolume"]),
                with(vec![ConditionClause::new(
                    "Bool",
                    "ec2:Encrypted",
                    ["false".to_owned()],
                )]),
            )],
            IntentKind::RdsRequireEncryption => vec![deny(
                ActionSet::actions(["rds:CreateDBCluster", "rds:CreateDBInstance"]),
                with(vec![ConditionClause::new(
                    "Bool",
                    "rds:StorageEncrypted",
                    ["false".to_owned()],
                )]),
            )],
            IntentKind::KmsDeletionWindow => vec![deny(
                ActionSet::actions(["kms:ScheduleKeyDeletion"]),
                with(vec![ConditionClause::new(
                    "NumericLessThan",
                    "kms:ScheduleKeyDeletionPendingWindowInDays",
                    [p.min_days.to_string()],
                )]),
            )],
            IntentKind::ProtectFoundationRoles => vec![ScpStatement::new(
                id,
                ActionSet::actions(FOUNDATION_ROLE_ACTIONS.iter().copied()),
                p.roles
                    .iter()
                    .map(|r| format!("arn:aws:iam::*:role/{r}"))
                    .collect(),
                with(vec![]),
            )],
            IntentKind::DenyIamUsers => vec![deny(
                ActionSet::actions(IAM_USER_ACTIONS.iter().copied()),
                with(vec![]),
            )],
            IntentKind::NetworkBoundary => vec![deny(
                ActionSet::actions(NETWORK_ACTIONS.iter().copied()),
                with(vec![ConditionClause::new(
                    "StringNotEquals",
                    "aws:PrincipalAccount",
                    values(&p.network_accounts),
                )]),
            )],
            IntentKind::ProtectClassificationTags => vec![deny(
                ActionSet::actions(["*"]),
                with(vec![ConditionClause::new(
                    "ForAnyValue:StringEquals",
                    "aws:TagKeys",
                    values(&p.tag_keys),
                )]),
            )],
            IntentKind::DenyActions => vec![deny(
                ActionSet::actions(p.actions.iter().map(String::as_str)),
                with(vec![]),
            )],
        }
    }
}

/// The must-deny and must-allow requests every intent of a kind brings.
pub fn builtin_examples(
    kind: IntentKind,
    p: &IntentParams,
    d: &ExampleDefaults,
) -> (Vec<ExampleRequest>, Vec<ExampleRequest>) {
    let r = |action: &str, note: &str| ExampleRequest::new(action, d, note);
    match kind {
        IntentKind::DenyLeaveOrganization => (
            vec![r(
                "organizations:LeaveOrganization",
                "an account leaves the organization",
            )],
            vec![r(
                "organizations:DescribeOrganization",
                "reading the organization stays allowed",
            )],
        ),
        IntentKind::ProtectSecurityServices => {
            let chosen = SECURITY_SERVICES
                .iter()
                .filter(|(s, _, _)| p.services.iter().any(|x| x == s));
            let mut deny = Vec::new();
            let mut allow = Vec::new();
            for (service, actions, read) in chosen {
                if let Some(first) = actions.iter().find(|a| {
                    a.contains(":Stop") || a.contains(":Delete") || a.contains(":Disable")
                }) {
                    deny.push(r(first, &format!("{service} is switched off")));
                }
                allow.push(r(
                    read,
                    &format!("{service} findings and state stay readable"),
                ));
            }
            (deny, allow)
        }
        IntentKind::DenyRootUser => (
            vec![r("s3:ListAllMyBuckets", "the root user acts").by("arn:aws:iam::{account}:root")],
            vec![r("s3:ListAllMyBuckets", "a role does the same")],
        ),
        IntentKind::RegionDeny => {
            let foreign = FOREIGN_REGIONS
                .iter()
                .find(|f| !p.allowed_regions.iter().any(|a| a == *f))
                .copied()
                .unwrap_or("ap-southeast-2");
            let open = p
                .allowed_regions
                .first()
                .map_or(d.region.as_str(), String::as_str);
            (
                vec![
                    r("ec2:RunInstances", "an instance in a region not allowed").in_region(foreign)
                ],
                vec![
                    r("ec2:RunInstances", "an instance in an allowed region").in_region(open),
                    r("iam:ListRoles", "a global service, called in us-east-1")
                        .in_region("us-east-1"),
                ],
            )
        }
        IntentKind::S3RequireKms => (
            vec![
                r("s3:PutObject", "an object written with SSE-S3")
                    .on("arn:aws:s3:::data-{account}/report.csv")
                    .with("s3:x-amz-server-side-encryption", "AES256"),
                r(
                    "s3:PutObject",
                    "an object written without an encryption header",
                )
                .on("arn:aws:s3:::data-{account}/report.csv"),
            ],
            vec![r("s3:PutObject", "an object written with SSE-KMS")
                .on("arn:aws:s3:::data-{account}/report.csv")
                .with("s3:x-amz-server-side-encryption", "aws:kms")],
        ),
        IntentKind::EbsRequireEncryption => (
            vec![r("ec2:CreateVolume", "an unencrypted volume").with("ec2:Encrypted", "false")],
            vec![r("ec2:CreateVolume", "an encrypted volume").with("ec2:Encrypted", "true")],
        ),
        IntentKind::RdsRequireEncryption => (
            vec![
                r("rds:CreateDBInstance", "an unencrypted database")
                    .with("rds:StorageEncrypted", "false"),
                r("rds:CreateDBCluster", "an unencrypted cluster")
                    .with("rds:StorageEncrypted", "false"),
            ],
            vec![r("rds:CreateDBInstance", "an encrypted database")
                .with("rds:StorageEncrypted", "true")],
        ),
        IntentKind::KmsDeletionWindow => {
            let short = p.min_days.saturating_sub(1).max(1).to_string();
            (
                vec![r(
                    "kms:ScheduleKeyDeletion",
                    "a key deleted after too short a wait",
                )
                .with("kms:ScheduleKeyDeletionPendingWindowInDays", &short)],
                vec![r(
                    "kms:ScheduleKeyDeletion",
                    "a key deleted after the full wait",
                )
                .with(
                    "kms:ScheduleKeyDeletionPendingWindowInDays",
                    &p.min_days.to_string(),
                )],
            )
        }
        IntentKind::ProtectFoundationRoles => {
            let role = p
                .roles
                .first()
                .map_or("OrganizationAccountAccessRole", String::as_str);
            let role = role.replace(['*', '?'], "x");
            (
                vec![r("iam:DeleteRole", "a workload deletes a foundation role")
                    .on(&format!("arn:aws:iam::{{account}}:role/{role}"))],
                vec![r("iam:DeleteRole", "a workload deletes its own role")
                    .on("arn:aws:iam::{account}:role/workload-app")],
            )
        }
        IntentKind::DenyIamUsers => (
            vec![
                r("iam:CreateUser", "an IAM user is created")
                    .on("arn:aws:iam::{account}:user/alice"),
                r("iam:CreateAccessKey", "an access key is created")
                    .on("arn:aws:iam::{account}:user/alice"),
            ],
            vec![r("iam:CreateRole", "roles are still created")
                .on("arn:aws:iam::{account}:role/workload-app")],
        ),
        IntentKind::NetworkBoundary => {
            let mut allow = vec![r(
                "ec2:CreateVpc",
                "VPCs are still created in workload accounts",
            )];
            if !p.network_accounts.is_empty() {
                let mut edge = r(
                    "ec2:CreateInternetGateway",
                    "the network account builds the internet edge",
                );
                edge.only_accounts = p.network_accounts.clone();
                allow.push(edge);
            }
            let mut deny = vec![
                r(
                    "ec2:CreateInternetGateway",
                    "a workload account opens to the internet",
                ),
                r(
                    "ec2:CreateVpcPeeringConnection",
                    "a workload account peers a VPC",
                ),
            ];
            for d in &mut deny {
                d.except_accounts = p.network_accounts.clone();
            }
            (deny, allow)
        }
        IntentKind::ProtectClassificationTags => {
            let key = p
                .tag_keys
                .first()
                .map_or("DataClassification", String::as_str);
            (
                vec![
                    r(
                        "ec2:CreateTags",
                        "a workload relabels a resource's classification",
                    )
                    .with_multi("aws:TagKeys", &[key]),
                    r("ec2:DeleteTags", "a workload removes a classification tag")
                        .with_multi("aws:TagKeys", &["Name", key]),
                ],
                vec![r("ec2:CreateTags", "other tags stay free")
                    .with_multi("aws:TagKeys", &["Name"])],
            )
        }
        IntentKind::DenyActions => (Vec::new(), Vec::new()),
    }
}

/// An exempt principal pattern made concrete for an account: the account field's `*`
/// becomes the account id, other wildcards a letter.
pub fn exempt_principal(pattern: &str) -> String {
    let mut parts: Vec<String> = pattern.splitn(6, ':').map(str::to_owned).collect();
    if parts.len() == 6 && parts[4] == "*" {
        "{account}".clone_into(&mut parts[4]);
    }
    parts.join(":").replace(['*', '?'], "x")
}

/// The must-allow requests that prove the exemptions: each exempt principal making the
/// intent's first must-deny request.
pub fn exemption_examples(intent: &Intent) -> Vec<ExampleRequest> {
    let Some(first) = intent.must_deny.first() else {
        return Vec::new();
    };
    if intent.kind == IntentKind::DenyRootUser {
        // The root user is denied whoever else is exempt.
        return Vec::new();
    }
    intent
        .exempt
        .iter()
        .map(|pattern| {
            let mut r = first.clone().by(&exempt_principal(pattern));
            r.note = format!("exempt principal `{pattern}`: {}", first.note);
            r
        })
        .collect()
}
