//! Builders for the native rules' tests: a minimal organization (root → `Workloads` OU →
//! accounts), resources read through the API, and evaluation of one rule over it.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::NativeRule;
use crate::facts::Facts;
use crate::model::{
    Account, AccountStatus, CloudTrailTrail, EbsEncryptionDefault, KmsKey, Organization,
    OrganizationalUnit, PolicyDocument, Root, S3Bucket, Snapshot, SnapshotSource,
    SnapshotSourceKind, Source, Tags,
};
use crate::rules::{Outcome, RuleContext, Status};
use crate::ruleset::{EnvironmentMapping, OuEnvironment, Parameters};

/// The management account of the test organization.
pub const MGMT: &str = "111111111111";
/// The organization id.
pub const ORG_ID: &str = "o-test";
/// The id of the `Workloads` OU, every account's default parent.
pub const WORKLOADS_OU: &str = "ou-root-workloads";
/// The id of the `Workloads/Prod` OU, which the parameters map to `prod`.
pub const PROD_OU: &str = "ou-root-prod";

/// The fixed evaluation time.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A source as the live collector records it.
pub fn api(operation: &str) -> Source {
    Source::Api {
        operation: operation.to_owned(),
    }
}

/// Tags from pairs.
pub fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// An active account under `Workloads`, tagged `Environment=env` when `env` is given,
/// with `us-east-1` and `eu-west-1` enabled.
pub fn account(id: &str, env: Option<&str>) -> Account {
    Account {
        id: id.to_owned(),
        arn: format!("arn:aws:organizations::{MGMT}:account/{ORG_ID}/{id}"),
        account_id: id.to_owned(),
        region: "global".to_owned(),
        name: format!("account-{id}"),
        email: None,
        status: AccountStatus::Active,
        parent_id: WORKLOADS_OU.to_owned(),
        tags: env.map(|e| tags(&[("Environment", e)])).unwrap_or_default(),
        source: api("organizations:ListAccounts"),
        enabled_regions: Some(vec!["us-east-1".to_owned(), "eu-west-1".to_owned()]),
        iam: Default::default(),
        kms_keys: Vec::new(),
        network: Default::default(),
        storage: Default::default(),
        certificates: Default::default(),
        logging: Default::default(),
        dns: Default::default(),
        security_services: Vec::new(),
        resource_shares: Vec::new(),
        alternate_contacts: None,
    }
}

/// A snapshot of the test organization with these accounts.
pub fn snapshot(accounts: Vec<Account>) -> Snapshot {
    let ou = |id: &str, name: &str, parent: &str| OrganizationalUnit {
        id: id.to_owned(),
        arn: format!("arn:aws:organizations::{MGMT}:ou/{ORG_ID}/{id}"),
        name: name.to_owned(),
        parent_id: parent.to_owned(),
        tags: Tags::new(),
    };
    Snapshot {
        schema_version: crate::model::SCHEMA_VERSION.to_owned(),
        taken_at: now(),
        source: SnapshotSource {
            kind: SnapshotSourceKind::Fixture,
            description: "native rule tests".to_owned(),
            regions: None,
        },
        organization: Organization {
            id: ORG_ID.to_owned(),
            arn: format!("arn:aws:organizations::{MGMT}:organization/{ORG_ID}"),
            management_account_id: MGMT.to_owned(),
            root: Root {
                id: "r-root".to_owned(),
                arn: format!("arn:aws:organizations::{MGMT}:root/{ORG_ID}/r-root"),
                name: "Root".to_owned(),
                tags: Tags::new(),
            },
            organizational_units: vec![
                ou(WORKLOADS_OU, "Workloads", "r-root"),
                ou(PROD_OU, "Prod", WORKLOADS_OU),
            ],
            policies: Vec::new(),
            delegated_administrators: Vec::new(),
        },
        accounts,
        coverage: Vec::new(),
    }
}

/// Parameters with the default classification and an environment mapping: the
/// `Environment` tag (`production` → `prod`), else OU `Workloads/Prod` → `prod`.
pub fn parameters() -> Parameters {
    Parameters {
        environments: EnvironmentMapping {
            tags: vec!["Environment".to_owned()],
            tag_values: [("prod".to_owned(), vec!["production".to_owned()])]
                .into_iter()
                .collect(),
            ou: vec![OuEnvironment {
                path: "Workloads/Prod".to_owned(),
                environment: "prod".to_owned(),
            }],
        },
        ..Parameters::default()
    }
}

/// Runs `rule` over every account of `snapshot`, as the engine does, without coverage
/// or waivers.
pub fn evaluate(rule: &dyn NativeRule, snapshot: &Snapshot) -> Vec<Outcome> {
    let facts = Facts::derive(snapshot, &parameters());
    let cx = RuleContext {
        snapshot,
        facts: &facts,
        now: now(),
    };
    let mut out = Vec::new();
    for account in &snapshot.accounts {
        rule.evaluate(&cx, account, &mut out);
    }
    out
}

/// The outcome for the resource with this ARN; panics (in tests) when there is none or
/// more than one.
pub fn outcome_for<'a>(outcomes: &'a [Outcome], arn: &str) -> &'a Outcome {
    let found: Vec<&Outcome> = outcomes.iter().filter(|o| o.resource.arn == arn).collect();
    assert_eq!(found.len(), 1, "one outcome for `{arn}` in {outcomes:#?}");
    found[0]
}

/// Asserts the status and that the message contains every fragment.
pub fn assert_outcome(outcome: &Outcome, status: Status, fragments: &[&str]) {
    assert_eq!(outcome.status, status, "{outcome:#?}");
    for f in fragments {
        assert!(
            outcome.message.contains(f),
            "message `{}` lacks `{f}`",
            outcome.message
        );
    }
}

/// A customer managed KMS key in `us-east-1` with this policy.
pub fn kms_key(account_id: &str, key_id: &str, policy: Option<Value>) -> KmsKey {
    KmsKey {
        arn: format!("arn:aws:kms:us-east-1:{account_id}:key/{key_id}"),
        account_id: account_id.to_owned(),
        region: "us-east-1".to_owned(),
        tags: Tags::new(),
        source: api("kms:DescribeKey"),
        key_id: key_id.to_owned(),
        key_manager: "CUSTOMER".to_owned(),
        key_state: "Enabled".to_owned(),
        key_spec: "SYMMETRIC_DEFAULT".to_owned(),
        key_usage: "ENCRYPT_DECRYPT".to_owned(),
        multi_region: false,
        rotation_enabled: Some(true),
        policy: policy.map(PolicyDocument::new),
        aliases: Vec::new(),
    }
}

/// An S3 bucket in `eu-west-1` with these tags and policy.
pub fn bucket(account_id: &str, name: &str, tags: Tags, policy: Option<Value>) -> S3Bucket {
    S3Bucket {
        arn: format!("arn:aws:s3:::{name}"),
        account_id: account_id.to_owned(),
        region: "eu-west-1".to_owned(),
        tags,
        source: api("s3:ListBuckets"),
        name: name.to_owned(),
        encryption: None,
        policy: policy.map(PolicyDocument::new),
        public_access_block: None,
        versioning: false,
    }
}

/// The EBS encryption-by-default setting of an account in a region.
pub fn ebs_default(account_id: &str, region: &str, enabled: bool) -> EbsEncryptionDefault {
    EbsEncryptionDefault {
        arn: format!("arn:aws:ec2:{region}:{account_id}:ebs-encryption-by-default"),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::new(),
        source: api("ec2:GetEbsEncryptionByDefault"),
        enabled,
        kms_key_arn: None,
    }
}

/// A trail in `us-east-1` that is multi-region, logging and validating log files.
pub fn trail(account_id: &str, name: &str) -> CloudTrailTrail {
    CloudTrailTrail {
        arn: format!("arn:aws:cloudtrail:us-east-1:{account_id}:trail/{name}"),
        account_id: account_id.to_owned(),
        region: "us-east-1".to_owned(),
        tags: Tags::new(),
        source: api("cloudtrail:DescribeTrails"),
        name: name.to_owned(),
        is_multi_region: true,
        is_organization_trail: false,
        is_logging: true,
        log_file_validation: true,
        kms_key_arn: None,
        s3_bucket_name: "audit-logs".to_owned(),
        management_events: None,
        data_event_selectors: 0,
    }
}
