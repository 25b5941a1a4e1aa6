//! The evidence of findings on the bundled sample organization: every finding of every
//! rule says what it read, and a few rules of each kind read exactly what they should.

use super::{Catalog, Engine, Evaluation, Finding};
use crate::ruleset::Ruleset;

fn sample_evaluation() -> Evaluation {
    let catalog = Catalog::bundled().expect("catalog");
    let ruleset = Ruleset::bundled().expect("ruleset");
    let snapshot = crate::model::sample_snapshot().expect("sample");
    let engine = Engine::new(&catalog, &ruleset).expect("engine");
    engine.evaluate(&snapshot, snapshot.taken_at)
}

/// `path=value` of a finding's evidence, one entry a line.
fn evidence_of(evaluation: &Evaluation, rule: &str, resource: &str) -> Vec<String> {
    let found: Vec<&Finding> = evaluation
        .findings
        .iter()
        .filter(|f| &*f.rule_id == rule && f.resource.ends_with(resource))
        .collect();
    assert_eq!(found.len(), 1, "one finding of `{rule}` on `…{resource}`");
    found[0]
        .evidence
        .iter()
        .map(|e| format!("{}={}", e.path, e.value))
        .collect()
}

#[test]
fn every_finding_of_the_sample_organization_has_evidence() {
    let evaluation = sample_evaluation();
    assert!(!evaluation.findings.is_empty());
    let without: Vec<String> = evaluation
        .findings
        .iter()
        .filter(|f| f.evidence.is_empty())
        .map(|f| format!("{} {} ({})", f.rule_id, f.resource, f.status))
        .collect();
    assert!(
        without.is_empty(),
        "findings without evidence:\n{}",
        without.join("\n")
    );
    for f in &evaluation.findings {
        assert!(f.evidence.len() <= crate::findings::Evidence::MAX_ENTRIES);
        for e in &f.evidence {
            assert!(!e.path.is_empty(), "{} {}", f.rule_id, f.resource);
            assert!(
                e.value.chars().count() <= crate::findings::Evidence::MAX_VALUE + 1,
                "{} {}: {}",
                f.rule_id,
                f.resource,
                e.path
            );
        }
    }
}

/// Evaluating twice gives the same evidence, in the same order.
#[test]
fn evidence_is_deterministic() {
    let (a, b) = (sample_evaluation(), sample_evaluation());
    let evidence = |e: &Evaluation| {
        e.findings
            .iter()
            .map(|f| f.evidence.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(evidence(&a), evidence(&b));
}

/// An attribute rule: the root user's row of the credential report.
#[test]
fn root_user_mfa_shows_the_credential_report_row() {
    assert_eq!(
        evidence_of(&sample_evaluation(), "root-user-mfa", "/123456789012"),
        [
            "iam.credential_report.root.mfa_active=false",
            "iam.credential_report.root.password_enabled=false",
            "iam.credential_report.root.active_access_keys=0",
            "iam.credential_report.root.active_signing_certificates=0",
        ]
    );
}

/// A Cedar rule: the attributes its policy reads, through the key entity, absent included.
#[test]
fn a_cedar_rule_shows_the_attributes_its_policy_reads() {
    let evaluation = sample_evaluation();
    assert_eq!(
        evidence_of(
            &evaluation,
            "s3-classified-cmk",
            ":::audit-athena-results-222233334444"
        ),
        [
            r#"encryption.algorithm="AES256""#,
            "encryption.kms_key.key_manager=<absent>",
            "sensitive=true",
        ]
    );
    assert_eq!(
        evidence_of(
            &evaluation,
            "s3-classified-cmk",
            ":::app-preprod-customer-data-777788889999"
        ),
        [
            r#"encryption.algorithm="aws:kms""#,
            r#"encryption.kms_key.key_manager="CUSTOMER""#,
            "sensitive=true",
        ]
    );
}

/// An SCP analysis: the statement that denies each request, by policy id and `Sid`.
#[test]
fn an_scp_guardrail_names_the_statement_that_denies() {
    let evidence = evidence_of(&sample_evaluation(), "scp-deny-root-user", "/777788889999");
    for action in [
        "ec2:RunInstances",
        "s3:DeleteBucket",
        "iam:CreateAccessKey",
        "kms:ScheduleKeyDeletion",
    ] {
        let entry = format!(
            r#"request[{action} in us-east-1]="scp[p-9r4t6y2u].statement[0:DenyRootUser]""#
        );
        assert!(evidence.contains(&entry), "{entry} in {evidence:#?}");
    }
    assert!(
        evidence[0].starts_with("scp.policies_in_chain="),
        "{evidence:#?}"
    );
}

/// A trust-graph rule: the edges of the chain that reaches the production role.
#[test]
fn a_trust_chain_shows_its_edges() {
    assert_eq!(
        evidence_of(
            &sample_evaluation(),
            "iam-prod-role-trust-chain",
            ":role/storefront-ops-automation"
        ),
        [
            r#"trust.edge[0]="arn:aws:iam::123456789012:role/sandbox-developer → arn:aws:iam::555566667777:role/platform-automation""#,
            r#"trust.edge[1]="arn:aws:iam::555566667777:role/platform-automation → arn:aws:iam::888899990000:role/storefront-ops-automation""#,
        ]
    );
}

/// A network rule: the VPC's blocks and the overlapping pair.
#[test]
fn a_cidr_overlap_shows_the_overlapping_pair() {
    assert_eq!(
        evidence_of(
            &sample_evaluation(),
            "vpc-cidr-no-overlap",
            "/vpc-038752fa93113e220"
        ),
        [
            r#"cidr_blocks=["10.20.0.0/16"]"#,
            r#"overlap[arn:aws:ec2:eu-west-1:888899990000:vpc/vpc-0e27a60ce2c63c02a]="10.20.0.0/16 overlaps 10.20.0.0/16""#,
        ]
    );
}
