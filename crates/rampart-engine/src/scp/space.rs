//! The space of requests the differential check decides: built from what the intents'
//! statements can tell apart, so that every branch of every condition is taken.

use std::collections::{BTreeMap, BTreeSet};

use rampart_iam::catalog::ActionCatalog;
use rampart_iam::ContextValue;

use super::intent::{exempt_principal, Intent};
use super::statement::ActionSet;
use super::verify::TriedRequest;

/// The requests the differential check decides: built from what the intents' statements
/// can tell apart, so that every branch of every condition is taken.
#[derive(Debug, Clone)]
pub struct RequestSpace {
    /// Actions: the intents' (wildcards expanded, a few per pattern), the examples', and a
    /// sample of the catalog.
    pub actions: Vec<String>,
    /// Callers (`{account}` stands for the account): the default, root, every exemption.
    pub principals: Vec<String>,
    /// Regions named anywhere, and one named nowhere.
    pub regions: Vec<String>,
    /// Resources: `*` and every resource the statements or examples name.
    pub resources: Vec<String>,
    /// Condition keys, the values tried for each (besides absent), and the actions of the
    /// statements that test the key (only those are tried with its values).
    pub keys: Vec<(String, Vec<ContextValue>, BTreeSet<String>)>,
    /// The actions of statements with resources other than `*`.
    pub resource_actions: BTreeSet<String>,
    /// The region of resource and condition variations: the examples' usual region.
    pub home_region: String,
}

/// Whether a statement's action element covers `action`.
fn covers(actions: &ActionSet, action: &str) -> bool {
    let any = actions
        .patterns()
        .iter()
        .any(|p| rampart_iam::wildcard::matches_ignore_case(p, action));
    match actions {
        ActionSet::Actions(_) => any,
        ActionSet::NotActions(_) => !any,
    }
}

/// Keys the principal and region already vary.
const IMPLIED_KEYS: [&str; 3] = [
    "aws:principalarn",
    "aws:requestedregion",
    "aws:principalaccount",
];

impl RequestSpace {
    /// The space of the intents' requests.
    pub fn new(intents: &[Intent], catalog: &ActionCatalog) -> RequestSpace {
        let mut actions: BTreeSet<String> = BTreeSet::new();
        let mut principals: BTreeSet<String> = BTreeSet::new();
        let mut regions: BTreeSet<String> = ["ap-southeast-2", "us-east-1"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut resources: BTreeSet<String> = BTreeSet::from(["*".to_owned()]);
        let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut multi: BTreeSet<String> = BTreeSet::new();
        principals.insert("arn:aws:iam::{account}:root".to_owned());
        let mut region_counts: BTreeMap<String, usize> = BTreeMap::new();
        for intent in intents {
            for e in intent.must_deny.iter().chain(&intent.must_allow) {
                *region_counts.entry(e.region.clone()).or_default() += 1;
                actions.insert(e.action.clone());
                principals.insert(e.principal.clone());
                regions.insert(e.region.clone());
                resources.insert(e.resource.clone());
            }
            for p in &intent.exempt {
                principals.insert(exempt_principal(p));
            }
            for s in intent.statements() {
                for pattern in s.actions.patterns() {
                    let expanded = catalog.expand(pattern);
                    // A wildcard's first, middle and last actions.
                    let middle = expanded.get(expanded.len() / 2);
                    for a in expanded
                        .first()
                        .into_iter()
                        .chain(middle)
                        .chain(expanded.last())
                    {
                        actions.insert((*a).to_owned());
                    }
                    if matches!(s.actions, ActionSet::NotActions(_)) && expanded.is_empty() {
                        actions.insert(pattern.clone());
                    }
                }
                for r in &s.resources {
                    if r != "*" {
                        resources.insert(exempt_principal(r));
                    }
                }
                for c in &s.conditions {
                    let key = c.key.to_ascii_lowercase();
                    if key == "aws:requestedregion" {
                        regions.extend(c.values.iter().cloned());
                    } else if key == "aws:principalaccount" {
                        for v in &c.values {
                            principals.insert(format!("arn:aws:iam::{v}:role/workload-admin"));
                        }
                    }
                    if !IMPLIED_KEYS.contains(&key.as_str()) {
                        keys.entry(c.key.clone())
                            .or_default()
                            .extend(c.values.iter().cloned());
                        if c.operator.starts_with("For") {
                            multi.insert(c.key.clone());
                        }
                    }
                }
            }
        }
        // A sample of the whole catalog, for what no intent names.
        let all = catalog.expand("*");
        for a in all.iter().step_by(997) {
            actions.insert((*a).to_owned());
        }
        let statements: Vec<_> = intents.iter().flat_map(Intent::statements).collect();
        let resource_actions: BTreeSet<String> = actions
            .iter()
            .filter(|a| {
                statements
                    .iter()
                    .any(|s| s.resources.iter().any(|r| r != "*") && covers(&s.actions, a))
            })
            .cloned()
            .collect();
        let keys = keys
            .into_iter()
            .map(|(k, values)| {
                let relevant: BTreeSet<String> = actions
                    .iter()
                    .filter(|a| {
                        statements.iter().any(|s| {
                            s.conditions.iter().any(|c| c.key == k) && covers(&s.actions, a)
                        })
                    })
                    .cloned()
                    .collect();
                let mut tried: Vec<ContextValue> = Vec::new();
                for v in &values {
                    if multi.contains(&k) {
                        tried.push(ContextValue::Multi(vec![v.clone()]));
                        tried.push(ContextValue::Multi(vec!["Name".to_owned(), v.clone()]));
                    } else {
                        tried.push(ContextValue::Single(v.clone()));
                        if let Ok(n) = v.parse::<i64>() {
                            tried.push(ContextValue::Single((n - 1).to_string()));
                            tried.push(ContextValue::Single((n + 1).to_string()));
                        }
                    }
                }
                if multi.contains(&k) {
                    tried.push(ContextValue::Multi(vec!["Name".to_owned()]));
                    tried.push(ContextValue::Multi(Vec::new()));
                } else if values.iter().all(|v| v == "true" || v == "false") {
                    tried.push(ContextValue::Single("true".to_owned()));
                    tried.push(ContextValue::Single("false".to_owned()));
                } else {
                    tried.push(ContextValue::Single("rampart-other".to_owned()));
                }
                tried.dedup();
                (k, tried, relevant)
            })
            .collect();
        RequestSpace {
            actions: actions.into_iter().collect(),
            principals: principals.into_iter().collect(),
            regions: regions.into_iter().collect(),
            resources: resources.into_iter().collect(),
            keys,
            resource_actions,
            home_region: region_counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map_or_else(|| "us-east-1".to_owned(), |(r, _)| r),
        }
    }

    /// Every request of the space made in `account`: each action by each caller in each
    /// region on `*`, then each action on each named resource, then each condition value
    /// one key at a time.
    pub fn requests<'s>(&'s self, account: &'s str) -> impl Iterator<Item = TriedRequest> + 's {
        let fill = move |s: &str| s.replace("{account}", account);
        let base =
            move |action: &str, principal: &str, region: &str, resource: &str| TriedRequest {
                account: account.to_owned(),
                principal: fill(principal),
                action: action.to_owned(),
                resource: fill(resource),
                region: region.to_owned(),
                context: BTreeMap::new(),
            };
        let plain = self.actions.iter().flat_map(move |a| {
            self.principals
                .iter()
                .flat_map(move |p| self.regions.iter().map(move |r| base(a, p, r, "*")))
        });
        let on_resources = self.resource_actions.iter().flat_map(move |a| {
            self.principals.iter().flat_map(move |p| {
                self.resources
                    .iter()
                    .filter(|r| *r != "*")
                    .map(move |res| base(a, p, &self.home_region, res))
            })
        });
        let with_keys = self.keys.iter().flat_map(move |(k, values, relevant)| {
            relevant.iter().flat_map(move |a| {
                self.principals.iter().flat_map(move |p| {
                    values.iter().map(move |v| {
                        let mut r = base(a, p, &self.home_region, "*");
                        r.context.insert(k.clone(), v.clone());
                        r
                    })
                })
            })
        });
        plain.chain(on_resources).chain(with_keys)
    }
}
