//! The organization's structure: root, organizational units and organization policies.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Source, Tags};

/// An AWS Organizations organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Organization id (`o-…`).
    pub id: String,
    /// Organization ARN.
    pub arn: String,
    /// The management account's id.
    pub management_account_id: String,
    /// The root of the OU tree.
    pub root: Root,
    /// Every OU, in any order; the tree is given by `parent_id`.
    #[serde(default)]
    pub organizational_units: Vec<OrganizationalUnit>,
    /// Service control policies and resource control policies.
    #[serde(default)]
    pub policies: Vec<OrgPolicy>,
    /// Member accounts registered as delegated administrators, with their services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegated_administrators: Vec<DelegatedAdministrator>,
}

/// A delegated administrator account and the services it administers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegatedAdministrator {
    /// The member account.
    pub account_id: String,
    /// Service principals it is delegated administrator for (`config.amazonaws.com`, …).
    pub service_principals: Vec<String>,
}

/// The organization root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Root {
    /// Root id (`r-…`).
    pub id: String,
    /// Root ARN.
    pub arn: String,
    /// Display name, usually `Root`.
    pub name: String,
    /// Tags on the root.
    #[serde(default)]
    pub tags: Tags,
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationalUnit {
    /// OU id (`ou-…`).
    pub id: String,
    /// OU ARN.
    pub arn: String,
    /// Display name.
    pub name: String,
    /// Id of the parent: the root or another OU.
    pub parent_id: String,
    /// Tags on the OU.
    #[serde(default)]
    pub tags: Tags,
}

/// The kind of an organization policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrgPolicyKind {
    /// A service control policy.
    ServiceControlPolicy,
    /// A resource control policy.
    ResourceControlPolicy,
}

/// A service or resource control policy and where it is attached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPolicy {
    /// Policy id (`p-…`).
    pub id: String,
    /// Policy ARN.
    pub arn: String,
    /// Display name.
    pub name: String,
    /// SCP or RCP.
    pub kind: OrgPolicyKind,
    /// Whether AWS manages it (e.g. `FullAWSAccess`).
    #[serde(default)]
    pub aws_managed: bool,
    /// The policy document, as JSON.
    pub document: crate::PolicyDocument,
    /// Ids of the root, OUs and accounts it is attached to.
    #[serde(default)]
    pub targets: Vec<String>,
    /// How it was read.
    pub source: Source,
}

impl Organization {
    /// Looks up an OU by id.
    pub fn ou(&self, id: &str) -> Option<&OrganizationalUnit> {
        self.organizational_units.iter().find(|ou| ou.id == id)
    }
}
