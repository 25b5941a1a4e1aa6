//! Rulesets: which rules run, their parameters, severity overrides, waivers and the
//! framework controls each rule maps to. Written in TOML (`rulesets/*.toml`).

pub mod init;
mod parse;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use parse::{load_ruleset_file, parse_ruleset, RulesetError, DEFAULT_RULESET};

use crate::vocab::Severity;

/// The version of the ruleset format this rampart reads (`schema_version = "1"`).
pub const RULESET_SCHEMA_VERSION: &str = "1";

/// A parsed ruleset.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ruleset {
    /// The ruleset format's version ([`RULESET_SCHEMA_VERSION`] when absent).
    #[serde(default)]
    pub schema_version: Option<String>,
    /// Short name, shown in reports.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Which rules run.
    #[serde(default)]
    pub rules: RuleSelection,
    /// Severity overrides by rule id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Parameters the rules read.
    #[serde(default)]
    pub parameters: Parameters,
    /// Accepted exceptions.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    /// Framework → rule id → control ids.
    #[serde(default)]
    pub frameworks: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// SHA-256 of the ruleset text, for reports; not part of the file.
    #[serde(skip)]
    pub sha256: String,
    /// The ruleset's text, as parsed (a recorded run keeps it for its evidence bundle);
    /// not part of the file.
    #[serde(skip)]
    pub text: String,
    /// The file it was read from, to point errors found after parsing (an unknown rule, a
    /// bad glob) at their line; not part of the file.
    #[serde(skip)]
    pub path: Option<std::path::PathBuf>,
}

impl Ruleset {
    /// `FILE:LINE:COL` of the first TOML string or key equal to `value` in the file the
    /// ruleset was read from; the file alone when the value is not found; the ruleset's
    /// name when it was not read from a file.
    pub fn locate(&self, value: &str) -> String {
        let Some(path) = &self.path else {
            return self.name.clone();
        };
        let text = self.text.as_str();
        let quoted = [format!("\"{value}\""), format!("'{value}'")];
        let bare = |at: usize| {
            // A bare key: at a line start (after indentation) and followed by `=` or `]`.
            let before = text[..at].rsplit('\n').next().unwrap_or("");
            let after = text[at + value.len()..].trim_start();
            before.trim().is_empty() && (after.starts_with('=') || after.starts_with(']'))
        };
        let offset = quoted
            .iter()
            .filter_map(|q| text.find(q.as_str()))
            .min()
            .or_else(|| text.match_indices(value).map(|(i, _)| i).find(|&i| bare(i)));
        match offset {
            Some(at) => {
                let (line, column) = crate::vocab::line_column(text, at);
                format!("{}:{line}:{column}", path.display())
            }
            None => path.display().to_string(),
        }
    }
}

/// Rule selection by id glob.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSelection {
    /// Globs of rule ids to run (`*` for all).
    #[serde(default = "all_rules")]
    pub include: Vec<String>,
    /// Globs of rule ids to leave out, applied after `include`.
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl Default for RuleSelection {
    fn default() -> Self {
        RuleSelection {
            include: all_rules(),
            exclude: Vec::new(),
        }
    }
}

fn all_rules() -> Vec<String> {
    vec!["*".to_owned()]
}

/// Parameters that rules and facts read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// The tag keys that carry a data classification, in the order they are looked for:
    /// organizations spell the key differently (`DataClassification`,
    /// `data-classification`, …). A single string is accepted (`classification_tag`).
    #[serde(
        default = "default_classification_tags",
        alias = "classification_tag",
        deserialize_with = "one_or_many"
    )]
    pub classification_tags: Vec<String>,
    /// Valid classification levels, least to most sensitive.
    #[serde(default = "default_levels")]
    pub classification_levels: Vec<String>,
    /// The classification of data with no tag on it, its account or its OUs.
    #[serde(default = "default_classification")]
    pub default_classification: String,
    /// Levels that count as sensitive for rules on "classified" data.
    #[serde(default = "default_sensitive")]
    pub sensitive_classifications: Vec<String>,
    /// Approved regions per classification level; a level not listed may be anywhere.
    #[serde(default)]
    pub approved_regions: BTreeMap<String, Vec<String>>,
    /// How accounts map to environments.
    #[serde(default)]
    pub environments: EnvironmentMapping,
    /// Certificates expiring within this many days fail.
    #[serde(default = "default_cert_days")]
    pub certificate_expiry_days: u32,
    /// Globs (`*`, `?`, ignoring case) of the role names that builder (pipeline) accounts
    /// may assume in production (`iam-prod-role-assumable-from-nonprod`).
    #[serde(default = "default_deployment_roles")]
    pub deployment_roles: Vec<String>,
    /// Environments whose accounts run workloads, where IAM users must not hold active
    /// access keys (`iam-user-long-lived-keys`).
    #[serde(default = "default_workload_environments")]
    pub workload_environments: Vec<String>,
    /// Sensitive actions whose SCP guardrails in dev and sandbox accounts must be at least
    /// those of production (`scp-guardrail-parity`).
    #[serde(default = "default_parity_actions")]
    pub parity_actions: Vec<String>,
    /// The environments held to production's SCP and RCP guardrails
    /// (`scp-guardrail-parity`, `rcp-guardrail-parity`).
    #[serde(default = "default_parity_environments")]
    pub parity_environments: Vec<String>,
    /// Globs (ignoring case) over the names of the roles the foundation administers
    /// accounts with (`foundation-role-trust-restricted`).
    #[serde(default = "default_foundation_roles")]
    pub foundation_roles: Vec<String>,
    /// The declared baseline: names (or ids) of the SCPs and RCPs every workload account
    /// must have on its path (`baseline-policy-drift`).
    #[serde(default)]
    pub baseline_policies: Vec<String>,
    /// The environments where the roles developers create must carry a permissions
    /// boundary (`iam-developer-roles-permissions-boundary`).
    #[serde(default = "default_boundary_environments")]
    pub boundary_environments: Vec<String>,
    /// Resource actions whose RCP data perimeter (outside principals, requests without
    /// TLS) in those environments must be at least production's (`rcp-guardrail-parity`).
    #[serde(default = "default_rcp_parity_actions")]
    pub rcp_parity_actions: Vec<String>,
    /// The tag keys that name a workload account's owning team, in the order looked for.
    #[serde(default = "default_owner_tags", deserialize_with = "one_or_many")]
    pub owner_tags: Vec<String>,
    /// The tag keys that name the workload (application) an account runs, in the order
    /// looked for: pre-production and production accounts of one workload share it.
    #[serde(default = "default_workload_tags", deserialize_with = "one_or_many")]
    pub workload_tags: Vec<String>,
    /// Ports that must not be reachable from anywhere (`0.0.0.0/0`, `::/0`).
    #[serde(default = "default_admin_ports")]
    pub admin_ports: Vec<u16>,
    /// The network hub accounts: ids, or globs over account names (ignoring case). VPN,
    /// Direct Connect, transit gateways, Resolver rules and private hosted zones live there.
    #[serde(default = "default_network_accounts")]
    pub network_accounts: Vec<String>,
    /// The builder (pipeline) accounts: ids, or globs over account names (ignoring case).
    /// Accounts whose environment is `builder` count too.
    #[serde(default)]
    pub builder_accounts: Vec<String>,
    /// The VPCs designated for internet ingress and egress: globs over VPC ids and `Name`
    /// tags (ignoring case). Internet gateways belong there only.
    #[serde(default = "default_internet_vpcs")]
    pub internet_vpcs: Vec<String>,
    /// Globs (ignoring case) of break-glass role names.
    #[serde(default = "default_break_glass_roles")]
    pub break_glass_roles: Vec<String>,
    /// Regions where production and pre-production workloads may run, which a region-deny
    /// guardrail must leave open; empty: every region of `approved_regions`.
    #[serde(default)]
    pub allowed_regions: Vec<String>,
    /// Most break-glass roles an account may have.
    #[serde(default = "default_max_break_glass_roles")]
    pub max_break_glass_roles: u32,
    /// The multi-region KMS keys the organization has decided on, by alias, key id or key
    /// ARN glob (ignoring case): any other multi-region key fails
    /// `kms-multi-region-key-declared`.
    #[serde(default)]
    pub multi_region_keys: Vec<String>,
    /// Globs (ignoring case) of the names of operations and monitoring roles, which must be
    /// read-only in production (`operations-role-read-only`).
    #[serde(default = "default_operations_roles")]
    pub operations_roles: Vec<String>,
    /// Service principals of the security services that a security account administers
    /// for the organization as delegated administrator (`security-services-delegated-admin`).
    #[serde(default = "default_security_services")]
    pub security_services: Vec<String>,
    /// Globs (ignoring case) of S3 bucket names that belong in the management account
    /// (billing and cost reports), besides the buckets trails deliver to
    /// (`management-account-no-workloads`).
    #[serde(default = "default_management_account_buckets")]
    pub management_account_buckets: Vec<String>,
    /// The alternate contact types (`SECURITY`, `OPERATIONS`, `BILLING`) every active
    /// account must have set (`alternate-contacts-set`), compared ignoring case.
    #[serde(default = "default_alternate_contact_types")]
    pub alternate_contact_types: Vec<String>,
}

impl Default for Parameters {
    fn default() -> Self {
        Parameters {
            classification_tags: default_classification_tags(),
            classification_levels: default_levels(),
            default_classification: default_classification(),
            sensitive_classifications: default_sensitive(),
            approved_regions: BTreeMap::new(),
            environments: EnvironmentMapping::default(),
            certificate_expiry_days: default_cert_days(),
            deployment_roles: default_deployment_roles(),
            workload_environments: default_workload_environments(),
            parity_actions: default_parity_actions(),
            parity_environments: default_parity_environments(),
            foundation_roles: default_foundation_roles(),
            baseline_policies: Vec::new(),
            boundary_environments: default_boundary_environments(),
            rcp_parity_actions: default_rcp_parity_actions(),
            owner_tags: default_owner_tags(),
            workload_tags: default_workload_tags(),
            admin_ports: default_admin_ports(),
            network_accounts: default_network_accounts(),
            builder_accounts: Vec::new(),
            internet_vpcs: default_internet_vpcs(),
            break_glass_roles: default_break_glass_roles(),
            allowed_regions: Vec::new(),
            max_break_glass_roles: default_max_break_glass_roles(),
            multi_region_keys: Vec::new(),
            operations_roles: default_operations_roles(),
            security_services: default_security_services(),
            management_account_buckets: default_management_account_buckets(),
            alternate_contact_types: default_alternate_contact_types(),
        }
    }
}

impl Parameters {
    /// The regions workloads may run in: `allowed_regions`, or every region of
    /// `approved_regions`, sorted.
    pub fn workload_regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = if self.allowed_regions.is_empty() {
            self.approved_regions.values().flatten().cloned().collect()
        } else {
            self.allowed_regions.clone()
        };
        regions.sort();
        regions.dedup();
        regions
    }

    /// The first of `keys` present in `tags`, with its value.
    pub fn tag<'t>(tags: &'t crate::model::Tags, keys: &[String]) -> Option<(&'t str, &'t str)> {
        keys.iter()
            .find_map(|k| tags.get_key_value(k))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A string or a list of strings, as a list.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
fn default_owner_tags() -> Vec<String> {
    strings(&["Owner", "owner", "Team", "team", "OwnerTeam", "owner-team"])
}
fn default_workload_tags() -> Vec<String> {
    strings(&[
        "Workload",
        "workload",
        "Application",
        "application",
        "App",
        "app",
        "Project",
    ])
}
/// SSH, RDP and WinRM.
fn default_admin_ports() -> Vec<u16> {
    vec![22, 3389, 5985, 5986]
}
fn default_network_accounts() -> Vec<String> {
    strings(&["network", "networking", "*-network", "network-*"])
}
fn default_internet_vpcs() -> Vec<String> {
    strings(&["*ingress*", "*egress*", "*inspection*", "*edge*"])
}
fn default_break_glass_roles() -> Vec<String> {
    strings(&[
        "*break-glass*",
        "*breakglass*",
        "*break_glass*",
        "*emergency-access*",
    ])
}
fn default_max_break_glass_roles() -> u32 {
    2
}
fn default_operations_roles() -> Vec<String> {
    strings(&["*operations*", "*monitoring*", "*readonly*", "*read-only*"])
}
/// GuardDuty, Security Hub, AWS Config and IAM Access Analyzer: the services the AWS
/// Security Reference Architecture administers from the security tooling account.
fn default_security_services() -> Vec<String> {
    strings(&[
        "guardduty.amazonaws.com",
        "securityhub.amazonaws.com",
        "config.amazonaws.com",
        "access-analyzer.amazonaws.com",
    ])
}
/// AWS writes to the security contact about abuse and security issues and to the
/// operations contact about service events; billing has its own channels.
fn default_alternate_contact_types() -> Vec<String> {
    strings(&["SECURITY", "OPERATIONS"])
}
/// Cost and Usage Reports and billing exports are delivered in the management account.
fn default_management_account_buckets() -> Vec<String> {
    strings(&["*billing*", "*cost-and-usage*", "*-cur-*", "cur-*"])
}

fn default_classification_tags() -> Vec<String> {
    [
        "DataClassification",
        "data-classification",
        "data_classification",
        "Classification",
        "classification",
    ]
    .map(str::to_owned)
    .to_vec()
}
fn default_levels() -> Vec<String> {
    ["public", "internal", "confidential", "restricted"]
        .map(str::to_owned)
        .to_vec()
}
fn default_classification() -> String {
    "internal".to_owned()
}
fn default_sensitive() -> Vec<String> {
    vec!["confidential".to_owned(), "restricted".to_owned()]
}
fn default_cert_days() -> u32 {
    30
}
/// The roles pipelines assume: named for deployment, and the CDK bootstrap roles that a
/// pipeline account assumes in its targets.
fn default_deployment_roles() -> Vec<String> {
    [
        "*deploy*",
        "cdk-*-file-publishing-role-*",
        "cdk-*-image-publishing-role-*",
        "cdk-*-lookup-role-*",
    ]
    .map(str::to_owned)
    .to_vec()
}
fn default_workload_environments() -> Vec<String> {
    ["prod", "preprod", "dev", "sandbox"]
        .map(str::to_owned)
        .to_vec()
}
fn default_boundary_environments() -> Vec<String> {
    ["dev", "sandbox"].map(str::to_owned).to_vec()
}
fn default_foundation_roles() -> Vec<String> {
    [
        "OrganizationAccountAccessRole",
        "AWSControlTowerExecution",
        "AWSCloudFormationStackSetExecutionRole",
        "stacksets-exec-*",
        "aws-controltower-*",
    ]
    .map(str::to_owned)
    .to_vec()
}
fn default_parity_environments() -> Vec<String> {
    ["preprod", "dev", "sandbox"].map(str::to_owned).to_vec()
}
fn default_rcp_parity_actions() -> Vec<String> {
    [
        "s3:GetObject",
        "s3:PutObject",
        "kms:Decrypt",
        "sts:AssumeRole",
        "secretsmanager:GetSecretValue",
        "sqs:SendMessage",
    ]
    .map(str::to_owned)
    .to_vec()
}
fn default_parity_actions() -> Vec<String> {
    [
        "organizations:LeaveOrganization",
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "config:StopConfigurationRecorder",
        "guardduty:DeleteDetector",
        "iam:CreateUser",
        "kms:ScheduleKeyDeletion",
        "ec2:DisableEbsEncryptionByDefault",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// How an account's environment is derived: an account tag first, then its OU path.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentMapping {
    /// The account tag keys that name the environment, in the order looked for
    /// (`Environment`, `environment`, …). A single string is accepted (`tag`).
    #[serde(
        default = "default_environment_tags",
        alias = "tag",
        deserialize_with = "one_or_many"
    )]
    pub tags: Vec<String>,
    /// Environment → tag values that mean it (`prod = ["prod", "production"]`).
    /// A tag value not listed here is used as it is, lowercased.
    #[serde(default)]
    pub tag_values: BTreeMap<String, Vec<String>>,
    /// OU paths (names from the root, `Workloads/Prod`) and their environment; the longest
    /// matching path wins, and a path covers the OUs below it.
    #[serde(default)]
    pub ou: Vec<OuEnvironment>,
}

impl Default for EnvironmentMapping {
    fn default() -> Self {
        EnvironmentMapping {
            tags: default_environment_tags(),
            tag_values: BTreeMap::new(),
            ou: Vec::new(),
        }
    }
}

fn default_environment_tags() -> Vec<String> {
    strings(&["Environment", "environment", "Env", "env", "Stage", "stage"])
}

/// One OU path → environment mapping.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OuEnvironment {
    /// OU names from the root, separated by `/`; `""` is the root itself.
    pub path: String,
    /// The environment of accounts under it.
    pub environment: String,
}

/// An accepted exception to a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule id it waives.
    pub rule: String,
    /// Glob over resource ARNs (`*` any run of characters, `?` one character).
    pub resource: String,
    /// Why the exception is accepted.
    pub reason: String,
    /// Who accepted it.
    pub approver: String,
    /// Last day it applies (inclusive, UTC): a TOML date (`2027-06-30`) or a string.
    #[serde(deserialize_with = "de_date")]
    pub expires: NaiveDate,
}

/// Accepts a TOML local date or an ISO 8601 date string.
fn de_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum DateInput {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match DateInput::deserialize(d)? {
        DateInput::Toml(dt) => match (dt.date, dt.time) {
            (Some(date), None) => date.to_string(),
            _ => {
                return Err(serde::de::Error::custom(
                    "expected a date such as 2027-06-30, without a time",
                ))
            }
        },
        DateInput::Text(s) => s,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|e| serde::de::Error::custom(format!("invalid date `{text}`: {e}")))
}

impl Ruleset {
    /// The bundled default ruleset (`rulesets/default.toml`, embedded in the binary).
    pub fn bundled() -> Result<Ruleset, RulesetError> {
        parse_ruleset(
            DEFAULT_RULESET,
            std::path::Path::new("rulesets/default.toml"),
        )
    }
}
