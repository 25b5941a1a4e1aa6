//! The capabilities a pre-production and production foundation needs, from the guidance for
//! extending a landing zone, and the coverage matrix: which rules check each one.
//!
//! A ruleset maps rules to capabilities in `[frameworks.foundation-guide]` (rule id →
//! capability ids); the engine refuses an id that is not listed here, so the matrix cannot
//! count a typo as coverage.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::vocab::Area;

/// The framework whose control ids are capability ids.
pub const FOUNDATION_GUIDE: &str = "foundation-guide";

/// One capability of the guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    /// Stable id, the area's name or `area.detail`.
    pub id: &'static str,
    /// The area it belongs to.
    pub area: Area,
    /// What the guidance asks for, in a line.
    pub title: &'static str,
}

const fn cap(id: &'static str, area: Area, title: &'static str) -> Capability {
    Capability { id, area, title }
}

/// Every capability, in the guidance's order.
pub const CAPABILITIES: &[Capability] = &[
    cap(
        "governance",
        Area::Governance,
        "Governance: organization structure, delegated administration, required tags",
    ),
    cap(
        "data-classification",
        Area::DataClassification,
        "Data classification and compliance",
    ),
    cap(
        "encryption.at-rest",
        Area::EncryptionAtRest,
        "Encryption at rest",
    ),
    cap(
        "encryption.in-transit",
        Area::EncryptionInTransit,
        "Encryption in transit",
    ),
    cap(
        "encryption.key-management",
        Area::EncryptionKeyManagement,
        "Key management",
    ),
    cap(
        "encryption.certificate-management",
        Area::EncryptionCertificateManagement,
        "Certificate management",
    ),
    cap(
        "multi-region",
        Area::MultiRegion,
        "Multi-region: approved regions and regional guardrails",
    ),
    cap(
        "tenancy.environment-accounts",
        Area::Tenancy,
        "Account design: pre-production test, production and builder-services accounts",
    ),
    cap(
        "tenancy.grouping",
        Area::Tenancy,
        "Account design: grouping like workloads under environment OUs",
    ),
    cap(
        "network.vpc-design",
        Area::NetworkVpcDesign,
        "Networks: VPC design",
    ),
    cap(
        "network.on-premises",
        Area::NetworkOnPremises,
        "Networks: on-premises integration",
    ),
    cap("network.dns", Area::NetworkDns, "Networks: DNS integration"),
    cap(
        "network.internet",
        Area::NetworkInternet,
        "Networks: internet integration",
    ),
    cap(
        "promotion",
        Area::Promotion,
        "Workload promotion and release management",
    ),
    cap(
        "baseline",
        Area::Baseline,
        "Evolved foundation baseline management",
    ),
    cap(
        "operating-model.promotion",
        Area::OperatingModel,
        "Operating model: who does what in promotion",
    ),
    cap(
        "operating-model.production-operations",
        Area::OperatingModel,
        "Operating model: who does what in production operations",
    ),
    cap(
        "iam.scp",
        Area::IamScp,
        "IAM: enhanced service control policies",
    ),
    cap(
        "iam.workloads.runtimes",
        Area::IamWorkloads,
        "IAM for workloads: runtimes",
    ),
    cap(
        "iam.workloads.lifecycle",
        Area::IamWorkloads,
        "IAM for workloads: lifecycle management",
    ),
    cap(
        "iam.workloads.operations",
        Area::IamWorkloads,
        "IAM for workloads: operations and monitoring",
    ),
    cap(
        "iam.foundation",
        Area::IamFoundation,
        "IAM for the foundation",
    ),
    cap(
        "iam.dev-production-like",
        Area::IamScp,
        "Development accounts with production-like access controls",
    ),
];

/// The capability with this id.
pub fn capability(id: &str) -> Option<&'static Capability> {
    CAPABILITIES.iter().find(|c| c.id == id)
}

/// One row of the coverage matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The capability id.
    pub capability: &'static str,
    /// What it is.
    pub title: &'static str,
    /// Its area.
    pub area: Area,
    /// The rules that check it, sorted.
    pub rules: Vec<String>,
}

/// The coverage matrix of a `foundation-guide` mapping (rule id → capability ids), for the
/// rules in `enabled`: one row per capability, in guidance order.
pub fn matrix<'a>(
    mapping: Option<&BTreeMap<String, Vec<String>>>,
    enabled: impl IntoIterator<Item = &'a str>,
) -> Vec<Coverage> {
    let enabled: Vec<&str> = enabled.into_iter().collect();
    CAPABILITIES
        .iter()
        .map(|c| {
            let mut rules: Vec<String> = mapping
                .into_iter()
                .flatten()
                .filter(|(rule, caps)| {
                    enabled.contains(&rule.as_str()) && caps.iter().any(|id| id == c.id)
                })
                .map(|(rule, _)| rule.clone())
                .collect();
            rules.sort();
            Coverage {
                capability: c.id,
                title: c.title,
                area: c.area,
                rules,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_area_has_a_capability() {
        let mut ids: Vec<&str> = CAPABILITIES.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CAPABILITIES.len());
        for area in Area::ALL {
            assert!(
                CAPABILITIES.iter().any(|c| c.area == area),
                "no capability for `{area}`"
            );
        }
    }

    #[test]
    fn the_matrix_lists_enabled_rules_per_capability() {
        let mapping = BTreeMap::from([
            (
                "a".to_owned(),
                vec!["network.dns".to_owned(), "baseline".to_owned()],
            ),
            ("b".to_owned(), vec!["network.dns".to_owned()]),
            ("off".to_owned(), vec!["promotion".to_owned()]),
        ]);
        let m = matrix(Some(&mapping), ["b", "a"]);
        let row = |id: &str| m.iter().find(|r| r.capability == id).unwrap();
        assert_eq!(row("network.dns").rules, ["a", "b"]);
        assert_eq!(row("baseline").rules, ["a"]);
        assert!(
            row("promotion").rules.is_empty(),
            "disabled rules do not cover"
        );
        assert_eq!(m.len(), CAPABILITIES.len());
    }
}
