use std::path::Path;

use super::*;
use crate::model::parse_snapshot;
use crate::ruleset::{EnvironmentMapping, OuEnvironment};

fn snapshot() -> Snapshot {
    let text = r#"{
      "schema_version": "1",
      "taken_at": "2026-11-20T06:00:00Z",
      "source": {"kind": "fixture", "description": "facts"},
      "organization": {
        "id": "o-x", "arn": "arn:aws:organizations::111111111111:organization/o-x",
        "management_account_id": "111111111111",
        "root": {"id": "r-x", "arn": "arn:aws:organizations::111111111111:root/o-x/r-x", "name": "Root",
                 "tags": {"DataClassification": "internal"}},
        "organizational_units": [
          {"id": "ou-w", "arn": "a", "name": "Workloads", "parent_id": "r-x"},
          {"id": "ou-p", "arn": "b", "name": "Prod", "parent_id": "ou-w", "tags": {"DataClassification": "confidential"}},
          {"id": "ou-s", "arn": "c", "name": "Sandbox", "parent_id": "r-x"}
        ]
      },
      "accounts": [
        {"id": "222222222222", "arn": "x", "account_id": "222222222222", "region": "global", "name": "prod",
         "status": "ACTIVE", "parent_id": "ou-p", "source": {"kind": "synthetic"}},
        {"id": "333333333333", "arn": "y", "account_id": "333333333333", "region": "global", "name": "tagged",
         "status": "ACTIVE", "parent_id": "ou-p", "source": {"kind": "synthetic"},
         "tags": {"Environment": "Production", "DataClassification": "restricted"}},
        {"id": "444444444444", "arn": "z", "account_id": "444444444444", "region": "global", "name": "sandbox",
         "status": "ACTIVE", "parent_id": "ou-s", "source": {"kind": "synthetic"},
         "tags": {"DataClassification": "top-secret"}}
      ]
    }"#;
    parse_snapshot(text, Path::new("facts.json")).expect("valid test snapshot")
}

fn params() -> Parameters {
    Parameters {
        environments: EnvironmentMapping {
            tags: vec!["Environment".to_owned()],
            tag_values: [("prod".to_owned(), vec!["production".to_owned()])].into(),
            ou: vec![
                OuEnvironment {
                    path: "Workloads".to_owned(),
                    environment: "workload".to_owned(),
                },
                OuEnvironment {
                    path: "Workloads/Prod".to_owned(),
                    environment: "prod".to_owned(),
                },
            ],
        },
        ..Parameters::default()
    }
}

#[test]
fn environment_from_longest_ou_path_then_tag() {
    let facts = Facts::derive(&snapshot(), &params());
    assert_eq!(facts.environment("222222222222"), Some("prod"));
    assert_eq!(
        facts.account("222222222222").map(|a| a.ou_path.as_str()),
        Some("Workloads/Prod")
    );
    // The tag wins and is mapped through tag_values, case-insensitively.
    assert_eq!(facts.environment("333333333333"), Some("prod"));
    // No mapping and no tag: unknown, not a guess.
    assert_eq!(facts.environment("444444444444"), None);
    assert_eq!(facts.environment("999999999999"), None);
}

#[test]
fn ou_path_prefix_matches_whole_names_only() {
    let mut p = params();
    p.environments.ou = vec![OuEnvironment {
        path: "Work".to_owned(),
        environment: "w".to_owned(),
    }];
    let facts = Facts::derive(&snapshot(), &p);
    assert_eq!(facts.environment("222222222222"), None);
}

#[test]
fn classification_precedence_resource_account_ou_default() {
    let facts = Facts::derive(&snapshot(), &params());
    let tags = |v: &str| Tags::from([("DataClassification".to_owned(), v.to_owned())]);

    let own = facts.classification("222222222222", &tags("public"));
    assert_eq!(
        (own.level.as_str(), own.source),
        ("public", ClassificationSource::Resource)
    );

    let account = facts.classification("333333333333", &Tags::new());
    assert_eq!(
        (account.level.as_str(), account.source),
        ("restricted", ClassificationSource::Account)
    );

    let ou = facts.classification("222222222222", &Tags::new());
    assert_eq!(
        (ou.level.as_str(), ou.source),
        ("confidential", ClassificationSource::OrganizationalUnit)
    );

    // The sandbox account's own tag is invalid: skipped, remembered, and the root's tag applies.
    let root = facts.classification("444444444444", &Tags::new());
    assert_eq!(
        (root.level.as_str(), root.source),
        ("internal", ClassificationSource::OrganizationalUnit)
    );
    assert_eq!(root.invalid_tag.as_deref(), Some("top-secret"));
}

#[test]
fn invalid_resource_tag_falls_back_and_is_flagged() {
    let facts = Facts::derive(&snapshot(), &params());
    let tags = Tags::from([("DataClassification".to_owned(), "Confidential".to_owned())]);
    let c = facts.classification("222222222222", &tags);
    assert_eq!(c.level, "confidential");
    assert_eq!(c.source, ClassificationSource::OrganizationalUnit);
    assert_eq!(c.invalid_tag.as_deref(), Some("Confidential"));
}

#[test]
fn default_when_nothing_is_tagged() {
    let mut s = snapshot();
    s.organization.root.tags.clear();
    for ou in &mut s.organization.organizational_units {
        ou.tags.clear();
    }
    let facts = Facts::derive(&s, &params());
    let c = facts.classification("222222222222", &Tags::new());
    assert_eq!(
        (c.level.as_str(), c.source),
        ("internal", ClassificationSource::Default)
    );
}

#[test]
fn account_roles_and_tags_come_from_the_parameters() {
    let snapshot = crate::model::sample_snapshot().unwrap();
    let mut params = params();
    params.builder_accounts = vec!["999900001111".to_owned()];
    let facts = Facts::derive(&snapshot, &params);
    let by_name = |name: &str| {
        snapshot
            .accounts
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no account `{name}`"))
    };
    assert!(facts.is_network_account(by_name("network")));
    assert!(!facts.is_network_account(by_name("app-prod")));
    assert!(facts.is_builder_account(snapshot.account("999900001111").unwrap()));
    let mut tags = crate::model::Tags::new();
    tags.insert("team".to_owned(), "payments".to_owned());
    tags.insert("Owner".to_owned(), "platform".to_owned());
    assert_eq!(
        Parameters::tag(&tags, &params.owner_tags),
        Some(("Owner", "platform")),
        "the first key of the list wins"
    );
}

mod vpc_overlaps {
    use proptest::prelude::*;

    use super::network::{AddressRange, OrgVpcRanges, VpcRanges};

    /// A CIDR block: IPv4 mostly (in a small space, so that blocks collide and nest), some
    /// IPv6, and the odd bare address.
    fn block() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => (0u8..4, 0u8..=255, 8u32..=32).prop_map(|(a, b, p)| format!("10.{a}.{b}.0/{p}")),
            1 => (0u16..4, 16u32..=128).prop_map(|(a, p)| format!("2001:db8:{a}::/{p}")),
            1 => (0u8..4, 0u8..=255).prop_map(|(a, b)| format!("10.{a}.{b}.7")),
            1 => Just("0.0.0.0/0".to_owned()),
        ]
    }

    proptest! {
        /// The index finds exactly the VPCs that comparing every pair finds.
        #[test]
        fn the_index_agrees_with_comparing_every_pair(
            vpcs in prop::collection::vec(prop::collection::vec(block(), 1..3), 1..40),
            query in prop::collection::vec(block(), 1..3),
        ) {
            let vpcs: Vec<VpcRanges> = vpcs
                .iter()
                .enumerate()
                .map(|(i, blocks)| VpcRanges {
                    arn: format!("vpc-{i}"),
                    account_id: "111111111111".to_owned(),
                    ranges: blocks.iter().filter_map(|b| AddressRange::parse(b)).collect(),
                })
                .collect();
            let query: Vec<AddressRange> =
                query.iter().filter_map(|b| AddressRange::parse(b)).collect();
            let expected: Vec<usize> = vpcs
                .iter()
                .enumerate()
                .filter(|(_, v)| v.ranges.iter().any(|o| query.iter().any(|q| q.overlaps(o))))
                .map(|(i, _)| i)
                .collect();
            let index = OrgVpcRanges::from_vpcs(vpcs);
            prop_assert_eq!(index.overlapping(&query), expected);
        }
    }
}
