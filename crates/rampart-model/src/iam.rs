//! IAM principals and account settings.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{impl_resource, ResourceType, Source, Tags};

/// An account's IAM data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// Roles.
    #[serde(default)]
    pub roles: Vec<IamRole>,
    /// Users.
    #[serde(default)]
    pub users: Vec<IamUser>,
    /// The account password policy; absent when none is set or it could not be read.
    #[serde(default)]
    pub password_policy: Option<PasswordPolicy>,
    /// Managed policies: the account's customer managed policies and the AWS managed
    /// policies attached in it, each with its default version's document.
    #[serde(default)]
    pub managed_policies: Vec<ManagedPolicy>,
    /// OpenID Connect identity providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oidc_providers: Vec<OidcProvider>,
    /// SAML identity providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saml_providers: Vec<SamlProvider>,
    /// The IAM credential report (its last generated copy); absent when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_report: Option<CredentialReport>,
}

/// The IAM credential report: the credentials of the root user and every IAM user.
///
/// Only the report's flags and dates are kept; it holds no secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialReport {
    /// When AWS generated the report (RFC 3339).
    pub generated_at: String,
    /// The root user's row (`<root_account>`); absent when the report has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<CredentialReportRow>,
    /// The IAM users' rows.
    #[serde(default)]
    pub users: Vec<CredentialReportRow>,
}

/// One row of the credential report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialReportRow {
    /// The user name (`<root_account>` for the root user).
    pub user: String,
    /// The user's ARN.
    pub arn: String,
    /// Whether a console password is set; absent when the report says `not_supported`
    /// (root users of member accounts under centralized root access).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_enabled: Option<bool>,
    /// When the password was last used (RFC 3339), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_used: Option<String>,
    /// Whether an MFA device is active.
    #[serde(default)]
    pub mfa_active: bool,
    /// How many of the two access keys are active.
    #[serde(default)]
    pub active_access_keys: u8,
    /// When an active access key was last used (RFC 3339, the later of the two), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_last_used: Option<String>,
    /// How many of the two X.509 signing certificates are active.
    #[serde(default)]
    pub active_signing_certificates: u8,
}

/// A managed IAM policy and its default version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    /// Policy ARN (`arn:aws:iam::aws:policy/…` for AWS managed policies).
    pub arn: String,
    /// The account it was read in.
    pub account_id: String,
    /// Always `global`.
    pub region: String,
    /// Tags (customer managed policies only).
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Policy name.
    pub name: String,
    /// Whether AWS manages it.
    #[serde(default)]
    pub aws_managed: bool,
    /// The default version's document.
    pub document: crate::PolicyDocument,
}

impl Iam {
    /// A managed policy by ARN.
    pub fn managed_policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.managed_policies.iter().find(|p| p.arn == arn)
    }
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamRole {
    /// Role ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Always `global`.
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Role name.
    pub name: String,
    /// Role path.
    #[serde(default = "default_path")]
    pub path: String,
    /// The trust (assume-role) policy document.
    pub trust_policy: crate::PolicyDocument,
    /// Inline policies by name.
    #[serde(default)]
    pub inline_policies: std::collections::BTreeMap<String, crate::PolicyDocument>,
    /// ARNs of attached managed policies.
    #[serde(default)]
    pub attached_policy_arns: Vec<String>,
    /// ARN of the permissions boundary, if any.
    #[serde(default)]
    pub permissions_boundary_arn: Option<String>,
    /// Whether it is a service-linked role.
    #[serde(default)]
    pub service_linked: bool,
}
impl_resource!(IamRole, ResourceType::IamRole);

fn default_path() -> String {
    "/".to_owned()
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamUser {
    /// User ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Always `global`.
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// User name.
    pub name: String,
    /// Access keys and their age.
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Whether the user has a console password.
    #[serde(default)]
    pub console_access: bool,
    /// Whether an MFA device is enabled.
    #[serde(default)]
    pub mfa_enabled: bool,
    /// Inline policies by name.
    #[serde(default)]
    pub inline_policies: std::collections::BTreeMap<String, crate::PolicyDocument>,
    /// ARNs of attached managed policies.
    #[serde(default)]
    pub attached_policy_arns: Vec<String>,
    /// ARN of the permissions boundary, if any.
    #[serde(default)]
    pub permissions_boundary_arn: Option<String>,
}
impl_resource!(IamUser, ResourceType::IamUser);

/// An IAM access key (its secret is never read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    /// Access key id.
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used, if ever.
    #[serde(default)]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The account password policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Minimum password length.
    pub minimum_length: u32,
    /// Whether symbols are required.
    #[serde(default)]
    pub require_symbols: bool,
    /// Whether numbers are required.
    #[serde(default)]
    pub require_numbers: bool,
    /// Days before a password expires, if set.
    #[serde(default)]
    pub max_age_days: Option<u32>,
}

/// An IAM OpenID Connect identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcProvider {
    /// Provider ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region (always `global`).
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Issuer URL (without `https://`).
    pub url: String,
    /// Audiences (client ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_ids: Vec<String>,
}

/// An IAM SAML identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SamlProvider {
    /// Provider ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// Region (always `global`).
    pub region: String,
    /// Tags.
    #[serde(default)]
    pub tags: Tags,
    /// How it was read.
    pub source: Source,
    /// Provider name.
    pub name: String,
    /// When its metadata document expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
}
