use std::collections::HashSet;
use std::error::Error;
use std::path::Path;

use super::{generate, SynthSpec};
use crate::model::{parse_snapshot, ResourceType, SnapshotSourceKind};

type TestResult = Result<(), Box<dyn Error>>;

const SAMPLE: &str = include_str!("../../../../fixtures/orgs/sample/snapshot.json");

#[test]
fn sample_fixture_loads() -> TestResult {
    let snapshot = parse_snapshot(SAMPLE, Path::new("fixtures/orgs/sample/snapshot.json"))?;
    assert_eq!(snapshot.source.kind, SnapshotSourceKind::Fixture);
    assert_eq!(snapshot.organization.id, "o-a1b2c3d4e5");
    assert_eq!(snapshot.accounts.len(), 13);
    assert_eq!(snapshot.coverage.len(), 3);
    let resources = snapshot.resources().count();
    assert!((120..=800).contains(&resources), "{resources} resources");
    for ty in ResourceType::ALL {
        assert!(
            snapshot.resources().any(|r| r.resource_type == ty),
            "the sample has no {ty}"
        );
    }
    Ok(())
}

/// The fixture is written in rampart's own serialization, so re-serializing it is a no-op
/// (and a diff of a regenerated fixture shows only real changes).
#[test]
fn sample_fixture_is_canonical() -> TestResult {
    let snapshot = parse_snapshot(SAMPLE, Path::new("fixtures/orgs/sample/snapshot.json"))?;
    let text = serde_json::to_string_pretty(&snapshot)? + "\n";
    if text != SAMPLE {
        let _ = std::fs::write(
            std::env::temp_dir().join("rampart-sample-canonical.json"),
            &text,
        );
    }
    assert!(
        text == SAMPLE,
        "re-serialized sample differs (written to the temp dir as rampart-sample-canonical.json); \
         fix scripts/gen_sample.py to write the model's field order"
    );
    Ok(())
}

#[test]
fn same_spec_same_snapshot() {
    let spec = SynthSpec {
        accounts: 12,
        resources: 3_000,
        seed: 7,
    };
    assert_eq!(generate(&spec), generate(&spec));
    let other = generate(&SynthSpec { seed: 8, ..spec });
    assert_ne!(generate(&spec), other);
}

#[test]
fn resource_count_is_close_to_requested() {
    for (accounts, resources, seed) in [(1, 50, 1), (5, 1_000, 2), (40, 20_000, 3), (300, 5_000, 4)]
    {
        let snapshot = generate(&SynthSpec {
            accounts,
            resources,
            seed,
        });
        assert_eq!(snapshot.accounts.len(), accounts);
        let count = snapshot.resources().count();
        let tolerance = resources / 20;
        assert!(
            count.abs_diff(resources) <= tolerance,
            "{count} resources for {resources} requested"
        );
    }
}

#[test]
fn degenerate_specs_are_valid() -> TestResult {
    for (accounts, resources) in [(0, 0), (1, 0), (3, 1), (10, 10), (2, 9)] {
        let snapshot = generate(&SynthSpec {
            accounts,
            resources,
            seed: 0,
        });
        let text = serde_json::to_string(&snapshot)?;
        parse_snapshot(&text, Path::new("synth.json"))?;
    }
    Ok(())
}

#[test]
fn round_trips_through_json_and_the_loader() -> TestResult {
    let snapshot = generate(&SynthSpec {
        accounts: 25,
        resources: 10_000,
        seed: 42,
    });
    let text = serde_json::to_string(&snapshot)?;
    let parsed = parse_snapshot(&text, Path::new("synth.json"))?;
    assert_eq!(parsed, snapshot);
    Ok(())
}

#[test]
fn arns_are_unique_and_every_type_appears() {
    let snapshot = generate(&SynthSpec {
        accounts: 20,
        resources: 20_000,
        seed: 3,
    });
    let mut seen = HashSet::new();
    for r in snapshot.resources() {
        assert!(seen.insert(r.arn), "duplicate ARN {}", r.arn);
    }
    for ty in [
        ResourceType::Account,
        ResourceType::IamRole,
        ResourceType::KmsKey,
        ResourceType::S3Bucket,
        ResourceType::EbsEncryptionDefault,
        ResourceType::EbsVolume,
        ResourceType::RdsDbInstance,
        ResourceType::AcmCertificate,
        ResourceType::Vpc,
        ResourceType::Subnet,
        ResourceType::SecurityGroup,
        ResourceType::CloudTrailTrail,
    ] {
        assert!(
            snapshot.resources().any(|r| r.resource_type == ty),
            "no {ty}"
        );
    }
}

/// Roughly 10–20% of the checked settings are violations, so evaluation has work to do.
#[test]
fn violations_are_a_minority() {
    let snapshot = generate(&SynthSpec {
        accounts: 30,
        resources: 30_000,
        seed: 11,
    });
    let (mut checked, mut violations) = (0usize, 0usize);
    let mut count = |bad: bool| {
        checked += 1;
        violations += usize::from(bad);
    };
    for a in &snapshot.accounts {
        a.storage
            .ebs_volumes
            .iter()
            .for_each(|v| count(!v.encrypted));
        a.storage
            .rds_instances
            .iter()
            .for_each(|d| count(!d.storage_encrypted));
        a.storage
            .ebs_encryption_defaults
            .iter()
            .for_each(|d| count(!d.enabled));
        for b in &a.storage.s3_buckets {
            count(!b.public_access_block.is_some_and(|p| p.all()));
        }
        for k in a.kms_keys.iter().filter(|k| k.key_manager == "CUSTOMER") {
            count(k.key_spec == "SYMMETRIC_DEFAULT" && k.rotation_enabled == Some(false));
        }
    }
    let share = violations as f64 / checked as f64;
    assert!((0.05..=0.25).contains(&share), "violation share {share}");
}
