//! `rampart ruleset init`: a starting ruleset proposed from a snapshot — the environment of
//! each OU guessed from its name, the tag keys the organization actually uses, the network
//! and builder accounts — followed by the default ruleset's rule selection, severities and
//! framework mappings, so that the result loads as it is and can be edited from there.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::DEFAULT_RULESET;
use crate::model::{Snapshot, Tags};

/// Environment names guessed from OU names, most specific first: `PreProd` must not be
/// read as `prod`, nor `NonProd`.
const OU_ENVIRONMENTS: &[(&str, &[&str])] = &[
    (
        "preprod",
        &[
            "preprod",
            "pre-prod",
            "pre-production",
            "staging",
            "stage",
            "uat",
            "qa",
            "test",
            "nonprod",
            "non-prod",
        ],
    ),
    ("prod", &["prod", "production", "prd"]),
    ("dev", &["dev", "development"]),
    ("sandbox", &["sandbox", "sbx", "playground", "experiment"]),
    ("security", &["security", "audit", "log"]),
    (
        "infrastructure",
        &["infrastructure", "infra", "network", "shared"],
    ),
    (
        "builder",
        &[
            "deployment",
            "deployments",
            "build",
            "pipeline",
            "cicd",
            "tooling",
        ],
    ),
];

/// What a tag key may be for, by the words in it.
const TAG_KINDS: &[(&str, &[&str])] = &[
    (
        "classification_tags",
        &[
            "classification",
            "dataclass",
            "sensitivity",
            "confidentiality",
        ],
    ),
    ("environment_tags", &["environment", "env", "stage"]),
    ("owner_tags", &["owner", "team"]),
    (
        "workload_tags",
        &["workload", "application", "app", "project", "service"],
    ),
];

/// The environment an OU's name suggests.
fn environment_of_name(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    OU_ENVIRONMENTS.iter().find_map(|(env, names)| {
        names
            .iter()
            .any(|n| {
                lower == *n
                    || words.contains(n)
                    || lower.replace(['-', '_', ' '], "") == n.replace('-', "")
            })
            .then_some(*env)
    })
}

/// Which parameter a tag key belongs to, if any.
fn kind_of_key(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase().replace(['-', '_', ' ', ':'], "");
    TAG_KINDS.iter().find_map(|(kind, words)| {
        words
            .iter()
            .any(|w| lower == *w || (w.len() > 4 && lower.contains(w)))
            .then_some(*kind)
    })
}

/// A TOML string.
fn quoted(s: &str) -> String {
    format!("{:?}", s)
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The proposed ruleset's text for `snapshot`.
pub fn propose(snapshot: &Snapshot) -> String {
    let org = &snapshot.organization;
    // Tag keys by kind, with how many accounts, OUs and resources carry each.
    let mut seen: BTreeMap<&'static str, BTreeMap<String, usize>> = BTreeMap::new();
    let mut count = |tags: &Tags| {
        for key in tags.keys() {
            if let Some(kind) = kind_of_key(key) {
                *seen
                    .entry(kind)
                    .or_default()
                    .entry(key.clone())
                    .or_default() += 1;
            }
        }
    };
    count(&org.root.tags);
    for ou in &org.organizational_units {
        count(&ou.tags);
    }
    for r in snapshot.resources() {
        count(r.tags);
    }
    let defaults = super::Parameters::default();
    let keys_for = |kind: &str, default: &[String]| -> Vec<String> {
        let mut found: Vec<(&String, &usize)> = seen
            .get(kind)
            .map(|m| m.iter().collect())
            .unwrap_or_default();
        found.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut keys: Vec<String> = found.into_iter().map(|(k, _)| k.clone()).collect();
        for d in default {
            if !keys.contains(d) {
                keys.push(d.clone());
            }
        }
        keys
    };

    // OU paths and the environments their names suggest.
    let mut paths: Vec<(String, &'static str)> = Vec::new();
    for ou in &org.organizational_units {
        let Some(env) = environment_of_name(&ou.name) else {
            continue;
        };
        let mut names = vec![ou.name.as_str()];
        let mut parent = ou.parent_id.as_str();
        while let Some(p) = org.ou(parent) {
            names.push(&p.name);
            parent = &p.parent_id;
            if names.len() > org.organizational_units.len() {
                break;
            }
        }
        names.reverse();
        paths.push((names.join("/"), env));
    }
    paths.sort();

    let accounts_named = |words: &[&str]| -> Vec<String> {
        let mut names: BTreeSet<String> = BTreeSet::new();
        for a in &snapshot.accounts {
            let lower = a.name.to_ascii_lowercase();
            if words.iter().any(|w| lower.contains(w)) {
                names.insert(a.name.clone());
            }
        }
        names.into_iter().collect()
    };

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A starting ruleset for organization {} (`rampart ruleset init`, from a snapshot taken {}).\n\
         # Read the proposals, then edit: the tag keys below are those the organization uses\n\
         # (most used first, then rampart's defaults), and the environment of each OU is guessed\n\
         # from its name. Everything after the parameters is the bundled default ruleset's.\n",
        org.id,
        snapshot.taken_at.format("%Y-%m-%d")
    );
    let _ = writeln!(
        out,
        "schema_version = {}",
        quoted(super::RULESET_SCHEMA_VERSION)
    );
    let _ = writeln!(out, "name = {}", quoted(&format!("{}-proposed", org.id)));
    let _ = writeln!(
        out,
        "description = \"Proposed by rampart ruleset init; review before use\"\n"
    );
    let _ = writeln!(
        out,
        "[rules]\ninclude = [\"*\"]\nexclude = []\n\n[severity]\n"
    );
    let _ = writeln!(out, "[parameters]");
    let _ = writeln!(
        out,
        "classification_tags = {}",
        list(&keys_for(
            "classification_tags",
            &defaults.classification_tags
        ))
    );
    let _ = writeln!(
        out,
        "classification_levels = {}",
        list(&defaults.classification_levels)
    );
    let _ = writeln!(
        out,
        "default_classification = {}",
        quoted(&defaults.default_classification)
    );
    let _ = writeln!(
        out,
        "sensitive_classifications = {}",
        list(&defaults.sensitive_classifications)
    );
    let _ = writeln!(
        out,
        "owner_tags = {}",
        list(&keys_for("owner_tags", &defaults.owner_tags))
    );
    let _ = writeln!(
        out,
        "workload_tags = {}",
        list(&keys_for("workload_tags", &defaults.workload_tags))
    );
    let network = accounts_named(&["network"]);
    let _ = writeln!(
        out,
        "# Accounts whose name says so; ids or name globs.\nnetwork_accounts = {}",
        list(if network.is_empty() {
            &defaults.network_accounts
        } else {
            &network
        })
    );
    let builders = accounts_named(&["build", "pipeline", "deploy", "cicd"]);
    let _ = writeln!(out, "builder_accounts = {}\n", list(&builders));
    let _ = writeln!(out, "[parameters.environments]");
    let _ = writeln!(
        out,
        "tags = {}\n",
        list(&keys_for("environment_tags", &defaults.environments.tags))
    );
    for (path, env) in &paths {
        let _ = writeln!(
            out,
            "[[parameters.environments.ou]]\npath = {}\nenvironment = {}\n",
            quoted(path),
            quoted(env)
        );
    }
    // The default ruleset from its severities on: framework mappings and the rest.
    let tail = DEFAULT_RULESET
        .find("\n# Framework mappings")
        .map_or("", |i| &DEFAULT_RULESET[i..]);
    out.push_str(tail.trim_start_matches('\n'));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ruleset::parse_ruleset;

    #[test]
    fn ou_names_suggest_environments_without_confusing_preprod_with_prod() {
        assert_eq!(environment_of_name("PreProd"), Some("preprod"));
        assert_eq!(environment_of_name("Non-Prod"), Some("preprod"));
        assert_eq!(environment_of_name("Prod"), Some("prod"));
        assert_eq!(environment_of_name("Production Workloads"), Some("prod"));
        assert_eq!(environment_of_name("Sandbox"), Some("sandbox"));
        assert_eq!(environment_of_name("Deployments"), Some("builder"));
        assert_eq!(environment_of_name("Workloads"), None);
    }

    #[test]
    fn tag_keys_are_sorted_into_their_parameters() {
        assert_eq!(
            kind_of_key("data-classification"),
            Some("classification_tags")
        );
        assert_eq!(kind_of_key("Environment"), Some("environment_tags"));
        assert_eq!(kind_of_key("OwnerTeam"), Some("owner_tags"));
        assert_eq!(kind_of_key("Application"), Some("workload_tags"));
        assert_eq!(kind_of_key("CostCenter"), None);
    }

    #[test]
    fn the_proposal_for_the_sample_loads_and_maps_its_environments() {
        let snapshot = crate::model::sample_snapshot().unwrap();
        let text = propose(&snapshot);
        let ruleset = parse_ruleset(&text, Path::new("proposed.toml")).unwrap();
        let p = &ruleset.parameters;
        assert_eq!(p.classification_tags[0], "DataClassification");
        assert!(p.workload_tags.contains(&"Application".to_owned()));
        assert!(p.network_accounts.contains(&"network".to_owned()));
        assert!(p.builder_accounts.contains(&"builder".to_owned()));
        let envs: Vec<(&str, &str)> = p
            .environments
            .ou
            .iter()
            .map(|m| (m.path.as_str(), m.environment.as_str()))
            .collect();
        assert!(envs.contains(&("Workloads/Prod", "prod")), "{envs:?}");
        assert!(envs.contains(&("Workloads/PreProd", "preprod")), "{envs:?}");
        assert!(envs.contains(&("Deployments", "builder")), "{envs:?}");
        assert!(!ruleset.frameworks.is_empty());
    }
}
