//! Hand-built inputs for the reporters' unit tests: three rules (one with a Markdown
//! doc, one with an emphasis-style doc, one with none) and findings of every status.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::RenderOptions;
use crate::findings::{
    fingerprint, AppliedWaiver, Evaluation, Evidence, Finding, Notice, ResourceKey, RuleInfo,
    RulesetIdentity, Subject,
};
use crate::model::{Location, ResourceType, Snapshot};
use crate::vocab::{Area, RuleKind, Severity, Status};

pub(super) const KMS_DOC: &str = "\
## What it checks

Customer managed KMS keys have automatic
rotation enabled.

Keys pending deletion are skipped.

## Why it matters

Rotation limits the data encrypted under one key version (see the **AWS KMS best
practices**, [rotating keys](https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html)).

## How to fix

```sh
aws kms enable-key-rotation --key-id KEY
```
";

pub(super) const S3_DOC: &str = "\
**What it checks:** buckets holding `confidential` or `restricted` data use a customer
managed key.

**Why it matters**

Only a CMK lets you control who may decrypt.
";

/// A snapshot with no accounts: its provenance and coverage make the evaluation's.
fn snapshot() -> Snapshot {
    let value = serde_json::json!({
        "schema_version": "1",
        "taken_at": "2025-06-01T08:00:00Z",
        "source": { "kind": "fixture", "description": "sample organization" },
        "organization": {
            "id": "o-abc123",
            "arn": "arn:aws:organizations::111122223333:organization/o-abc123",
            "management_account_id": "111122223333",
            "root": {
                "id": "r-ab12",
                "arn": "arn:aws:organizations::111122223333:root/o-abc123/r-ab12",
                "name": "Root"
            }
        },
        "accounts": [],
        "coverage": [{
            "account_id": "444455556666",
            "region": "eu-west-1",
            "service": "kms",
            "reason": "AccessDenied: kms:ListKeys"
        }]
    });
    serde_json::from_value(value).unwrap()
}

fn rule(
    id: &str,
    title: &str,
    area: Area,
    severity: Severity,
    kind: RuleKind,
    doc: &str,
) -> RuleInfo {
    let mut controls = BTreeMap::new();
    if id == "kms-key-rotation" {
        controls.insert("nist-800-53-r5".to_owned(), vec!["SC-12".to_owned()]);
        controls.insert("cis-aws-foundations-v3".to_owned(), vec!["3.6".to_owned()]);
    }
    RuleInfo {
        id: id.to_owned(),
        title: title.to_owned(),
        area,
        severity,
        kind,
        remediation: format!("fix {id}"),
        doc: doc.to_owned(),
        location: None,
        controls,
        tags: Vec::new(),
        reads: vec!["kms:ListKeys".to_owned()],
    }
}

/// Three rules, sorted by id; the KMS rule maps to NIST SC-12 and CIS 3.6.
pub(super) fn rules() -> Vec<RuleInfo> {
    vec![
        rule(
            "kms-key-rotation",
            "KMS keys rotate automatically",
            Area::EncryptionKeyManagement,
            Severity::Medium,
            RuleKind::Cedar,
            KMS_DOC,
        ),
        rule(
            "s3-classified-cmk",
            "Classified buckets use a customer managed key",
            Area::EncryptionAtRest,
            Severity::High,
            RuleKind::Native,
            S3_DOC,
        ),
        rule(
            "tenancy-prod-trusts-dev",
            "Production roles do not trust development accounts",
            Area::Tenancy,
            Severity::Critical,
            RuleKind::Native,
            "",
        ),
    ]
}

fn finding(
    meta: &RuleInfo,
    status: Status,
    arn: &str,
    account_id: &str,
    region: &str,
    message: &str,
) -> Finding {
    let key = ResourceKey {
        arn: arn.to_owned(),
        resource_type: ResourceType::KmsKey,
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        location: None,
    };
    Finding {
        rule_id: Arc::from(meta.id.as_str()),
        title: Arc::from(meta.title.as_str()),
        status,
        severity: meta.severity,
        area: meta.area,
        resource: arn.to_owned(),
        resource_type: ResourceType::KmsKey.name(),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        message: message.to_owned(),
        location: None,
        fingerprint: fingerprint(&meta.id, &key),
        waiver: None,
        baseline_state: None,
        evidence: Vec::new(),
    }
}

/// [`evaluation`] with `extra` more findings, copies of its own on other resources, the
/// passes made failures (so that every copy is a SARIF result too): enough to cross a
/// parallel writer's chunk and window boundaries.
pub(super) fn evaluation_with(extra: usize) -> Evaluation {
    let mut eval = evaluation();
    let own = eval.findings.clone();
    for i in 0..extra {
        let mut f = own[i % own.len()].clone();
        f.resource = format!("{}-{i}", f.resource);
        if f.status == Status::Pass {
            f.status = Status::Fail;
        }
        eval.findings.push(f);
    }
    eval
}

/// Findings of every status over [`rules`], sorted as the engine sorts them.
pub(crate) fn evaluation() -> Evaluation {
    let rules = rules();
    let (kms, s3, tenancy) = (&rules[0], &rules[1], &rules[2]);
    let key = |n: &str| format!("arn:aws:kms:eu-west-1:111122223333:key/{n}");
    let mut waived = finding(
        kms,
        Status::Waived,
        &key("k3"),
        "111122223333",
        "eu-west-1",
        "rotation is disabled",
    );
    waived.waiver = Some(Box::new(AppliedWaiver {
        reason: "HSM-backed key rotated manually".to_owned(),
        approver: "security@example.com".to_owned(),
        expires: NaiveDate::from_ymd_opt(2027, 6, 30),
        in_source: false,
        resource: "arn:aws:kms:eu-west-1:111122223333:key/k3".to_owned(),
    }));
    let mut payroll = finding(
        s3,
        Status::Fail,
        "arn:aws:s3:::payroll",
        "111122223333",
        "eu-west-1",
        "bucket `payroll` (restricted) is encrypted with SSE-S3",
    );
    payroll.resource_type = ResourceType::S3Bucket.name();
    payroll.evidence = vec![
        Evidence::of("tags.Classification", "restricted"),
        Evidence::of("encryption.algorithm", "AES256"),
        Evidence::absent("encryption.kms_key_id"),
    ];
    payroll.location = Some(Location {
        uri: "templates/storage files.yaml".to_owned(),
        line: 12,
        column: 5,
    });
    let mut reports = finding(
        s3,
        Status::Unknown,
        "arn:aws:s3:::reports",
        "111122223333",
        "eu-west-1",
        "bucket encryption could not be read",
    );
    reports.resource_type = ResourceType::S3Bucket.name();
    reports.evidence = vec![Evidence::of(
        "coverage.s3:GetBucketEncryption",
        "AccessDenied: <not authorized> & \"more\"",
    )];
    let mut role = finding(
        tenancy,
        Status::Fail,
        "arn:aws:iam::111122223333:role/deployer",
        "111122223333",
        "global",
        "role `deployer` trusts development account 999988887777",
    );
    role.resource_type = ResourceType::IamRole.name();
    role.evidence = vec![Evidence::of(
        "trust_policy.statement[0].principal",
        &serde_json::json!({"AWS": "arn:aws:iam::999988887777:root"}),
    )];
    let snapshot = snapshot();
    Evaluation {
        ruleset: RulesetIdentity {
            name: "default".to_owned(),
            sha256: "5e1f".to_owned(),
        },
        subject: Subject {
            taken_at: Some(snapshot.taken_at),
            source: snapshot.source,
        },
        rules: rules.clone(),
        findings: vec![
            finding(kms, Status::Unknown, "arn:aws:kms:eu-west-1:444455556666:*", "444455556666", "eu-west-1",
                "not assessable: kms data for account 444455556666 region eu-west-1 could not be read (AccessDenied: kms:ListKeys)"),
            finding(kms, Status::Fail, &key("k1"), "111122223333", "eu-west-1", "key `k1` has automatic rotation disabled"),
            finding(kms, Status::Pass, &key("k2"), "111122223333", "eu-west-1", "key `k2` rotates every 365 days"),
            waived,
            payroll,
            reports,
            role,
        ],
        notices: vec![Notice::warning("waiver for `kms-key-rotation` on `arn:aws:kms:*` expired on 2025-01-01 (approved by a@example.com): the finding is reported as fail")],
        coverage: snapshot.coverage,
    }
}

/// The options every reporter test renders with.
pub(super) fn options(fail_on: Option<Severity>) -> RenderOptions<'static> {
    RenderOptions {
        tool_version: "0.1.0",
        fail_on,
    }
}
