//! The normalized model: one `Snapshot` of an organization, whatever produced it.
//!
//! Collectors (live AWS, IaC files, the synthetic generator) write this model; every later
//! stage reads it. It is a plain JSON document with a published JSON Schema
//! (`schemas/snapshot.schema.json`), versioned by [`SCHEMA_VERSION`].
//!
//! Conventions:
//! - every resource has `arn`, `account_id`, `region`, `tags` and `source`;
//! - a facet typed `Option<…>` that is absent was not read; the snapshot's `coverage`
//!   says why, and rules that need it report `unknown`;
//! - global resources (IAM, the account itself) use the region [`GLOBAL_REGION`].

mod account;
mod certificates;
mod coverage;
mod dns;
mod iam;
mod kms;
mod lines;
mod load;
mod logging;
mod merge;
mod network;
mod organization;
mod policy_document;
pub mod redact;
mod resource;
mod sample;
mod services;
mod storage;
mod vocabulary;

pub use account::{Account, AccountStatus, Certificates, Network, Storage, TypedResource};
pub use certificates::AcmCertificate;
pub use coverage::CoverageGap;
pub use dns::{Dns, HostedZone, HostedZoneVpc, ResolverRule};
pub use iam::{
    AccessKey, CredentialReport, CredentialReportRow, Iam, IamRole, IamUser, ManagedPolicy,
    OidcProvider, PasswordPolicy, SamlProvider,
};
pub use kms::KmsKey;
pub use lines::{write_snapshot_lines, SnapshotLines};
pub use load::{
    line_column, load_snapshot_file, load_snapshot_file_with_text, parse_snapshot, read_text,
    SnapshotError,
};
pub use logging::{CloudTrailTrail, ConfigAggregator, ConfigRecorder, Logging};
pub use merge::{merge_snapshots, MergeError};
pub use network::{
    DirectConnectConnection, FlowLog, InternetGateway, LoadBalancerListener, NatGateway,
    NetworkAcl, NetworkAclEntry, Route, RouteTable, SecurityGroup, SecurityGroupRule, Subnet,
    TransitGateway, TransitGatewayAttachment, TransitGatewayRoute, TransitGatewayRouteTable, Vpc,
    VpcEndpoint, VpnConnection,
};
pub use organization::{
    DelegatedAdministrator, OrgPolicy, OrgPolicyKind, Organization, OrganizationalUnit, Root,
};
pub use policy_document::PolicyDocument;
use resource::impl_resource;
pub use resource::{Location, Resource, ResourceRef, ResourceType, Source, Tags};
pub use sample::{sample_snapshot, SAMPLE_JSON, SAMPLE_PATH};
pub use services::{AlternateContact, ResourceShare, SecurityServiceKind, SecurityServiceStatus};
pub use storage::{
    BucketEncryption, EbsEncryptionDefault, EbsVolume, PublicAccessBlock, RdsDbCluster,
    RdsDbInstance, S3Bucket,
};
pub use vocabulary::{Operation, PermissionScope, Read, Service};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The snapshot format version this build reads and writes.
pub const SCHEMA_VERSION: &str = "1";

/// Region name used for global resources (IAM, accounts, organization policies).
pub const GLOBAL_REGION: &str = "global";

/// A point-in-time picture of an organization: structure, resources and what could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "rampart snapshot")]
pub struct Snapshot {
    /// Format version; a reader rejects versions it does not know.
    pub schema_version: String,
    /// When the data was read (RFC 3339, UTC).
    pub taken_at: DateTime<Utc>,
    /// What produced the snapshot.
    pub source: SnapshotSource,
    /// The organization's structure and its organization policies.
    pub organization: Organization,
    /// Every account with the resources read from it.
    pub accounts: Vec<Account>,
    /// What could not be read: rules that need it report `unknown`.
    #[serde(default)]
    pub coverage: Vec<CoverageGap>,
}

/// Where a snapshot came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSource {
    /// The kind of producer.
    pub kind: SnapshotSourceKind,
    /// Free text: profile, management account, repository path, generator settings.
    pub description: String,
    /// The regions that were read, when the collection was limited to a list; absent when
    /// every enabled region of each account was. Regional data outside the list was not
    /// read, so rules judging it say `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
}

impl SnapshotSource {
    /// Whether regional data of `region` was read (subject to coverage gaps).
    pub fn read_region(&self, region: &str) -> bool {
        self.regions
            .as_ref()
            .is_none_or(|regions| regions.iter().any(|r| r == region))
    }
}

/// The producer of a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SnapshotSourceKind {
    /// Read from live AWS APIs.
    Live,
    /// Read through an AWS Config aggregator.
    ConfigAggregator,
    /// Built from infrastructure-as-code and policy files.
    Iac,
    /// A hand-written fixture such as the bundled sample organization.
    Fixture,
    /// Generated by `rampart synth`.
    Synthetic,
}

/// The JSON Schema of [`Snapshot`] (`rampart snapshot schema`, `schemas/snapshot.schema.json`).
pub fn snapshot_schema() -> schemars::Schema {
    schemars::schema_for!(Snapshot)
}

impl Snapshot {
    /// Looks up an account by id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Every resource of the snapshot, account by account, in document order.
    pub fn resources(&self) -> impl Iterator<Item = ResourceRef<'_>> {
        self.accounts.iter().flat_map(Account::resources)
    }

    /// The gap that kept the organization's policies (or their attachments) from being
    /// all read, if any: a judgement on them would be guesswork.
    pub fn org_policies_gap(&self) -> Option<&CoverageGap> {
        let management = &self.organization.management_account_id;
        self.coverage.iter().find(|g| {
            g.service == Service::Organizations
                && (g.account_id == "*" || &g.account_id == management)
                && g.operation.is_none_or(|op| {
                    matches!(
                        op,
                        Operation::OrganizationsListPolicies
                            | Operation::OrganizationsDescribePolicy
                            | Operation::OrganizationsListTargetsForPolicy
                    )
                })
        })
    }
}
