//! Data-driven rule tests: every `policies/**/*.tests.yaml` (beside its Cedar policy) and
//! `tests/rules/*.tests.yaml` (native rules) is a list of cases — an account fragment, and the
//! expected status per resource ARN — run through the real engine with the default ruleset
//! narrowed to the rule. A meta-test checks that every rule has failing and passing cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rampart::model::parse_snapshot;
use rampart::rules::{Catalog, Engine};
use rampart::ruleset::Ruleset;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    rule: String,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// Merged over the base account (objects merge key by key, arrays replace).
    #[serde(default)]
    account: Value,
    /// Extra accounts, each merged over a base account with a different id.
    #[serde(default)]
    other_accounts: Vec<Value>,
    /// Coverage gaps of the snapshot.
    #[serde(default)]
    coverage: Vec<Value>,
    /// Organization policies (SCPs, RCPs); `source` may be left out.
    #[serde(default)]
    organization_policies: Vec<Value>,
    /// Merged over the organization (`delegated_administrators`, `management_account_id`,
    /// …) like `account`; `organization_policies` is the way to give policies.
    #[serde(default)]
    organization: Value,
    /// Evaluation time (default 2026-11-20T06:00:00Z).
    #[serde(default)]
    now: Option<String>,
    /// The regions the collection was limited to (`rampart collect --regions`); by
    /// default every enabled region was read.
    #[serde(default)]
    collected_regions: Option<Vec<String>>,
    /// ARN → expected status (pass, fail, unknown, waived, or none for no finding). Every
    /// resource of a type the rule assesses must be listed, and every finding must be
    /// expected, unless `others: none` says the resources not listed get no finding.
    expect: BTreeMap<String, String>,
    /// `none`: resources the case does not list must get no finding.
    #[serde(default)]
    others: Option<Others>,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Others {
    None,
}

const ACCOUNT: &str = "111122223333";
const OTHER_ACCOUNTS: [&str; 3] = ["222233334444", "333344445555", "444455556666"];

fn base_account(id: &str) -> Value {
    json!({
        "id": id,
        "arn": format!("arn:aws:organizations::999999999999:account/o-test/{id}"),
        "account_id": id,
        "region": "global",
        "name": format!("account-{id}"),
        "status": "ACTIVE",
        "parent_id": "ou-test-prod",
        "tags": {"Environment": "prod", "DataClassification": "internal"},
        "source": {"kind": "api", "operation": "organizations:ListAccounts"},
        "enabled_regions": ["eu-west-1"]
    })
}

fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                    continue;
                }
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, p) if !p.is_null() => *b = p.clone(),
        _ => {}
    }
}

/// Gives every resource listed in the account the fields cases may leave out. (Flow logs are
/// not resources: they have no account or source of their own, and cases write them whole.)
fn fill_resources(account: &mut Value) {
    let id = account["id"].clone();
    let lists = [
        &["kms_keys"][..],
        &["iam", "roles"],
        &["iam", "users"],
        &["iam", "managed_policies"],
        &["storage", "s3_buckets"],
        &["storage", "ebs_encryption_defaults"],
        &["storage", "ebs_volumes"],
        &["storage", "rds_instances"],
        &["storage", "rds_clusters"],
        &["certificates", "acm"],
        &["network", "vpcs"],
        &["network", "subnets"],
        &["network", "security_groups"],
        &["network", "route_tables"],
        &["network", "internet_gateways"],
        &["network", "nat_gateways"],
        &["network", "transit_gateways"],
        &["network", "transit_gateway_attachments"],
        &["network", "vpn_connections"],
        &["network", "network_acls"],
        &["network", "vpc_endpoints"],
        &["network", "load_balancer_listeners"],
        &["network", "transit_gateway_route_tables"],
        &["network", "direct_connect_connections"],
        &["security_services"],
        &["resource_shares"],
        &["dns", "hosted_zones"],
        &["dns", "resolver_rules"],
        &["logging", "cloudtrail_trails"],
        &["logging", "config_recorders"],
    ];
    for path in lists {
        let mut node = Some(&mut *account);
        for key in path {
            node = node.and_then(|n| n.get_mut(*key));
        }
        let Some(items) = node.and_then(Value::as_array_mut) else {
            continue;
        };
        for item in items {
            let Some(obj) = item.as_object_mut() else {
                continue;
            };
            obj.entry("account_id").or_insert(id.clone());
            obj.entry("region").or_insert(json!("eu-west-1"));
            obj.entry("source")
                .or_insert(json!({"kind": "api", "operation": "test"}));
        }
    }
}

fn snapshot_json(case: &Case) -> Value {
    let mut account = base_account(ACCOUNT);
    merge(&mut account, &case.account);
    fill_resources(&mut account);
    let mut accounts = vec![account];
    for (patch, id) in case.other_accounts.iter().zip(OTHER_ACCOUNTS) {
        let mut other = base_account(id);
        merge(&mut other, patch);
        fill_resources(&mut other);
        accounts.push(other);
    }
    let policies: Vec<Value> = case
        .organization_policies
        .iter()
        .map(|p| {
            let mut p = p.clone();
            if let Some(obj) = p.as_object_mut() {
                obj.entry("source")
                    .or_insert(json!({"kind": "api", "operation": "organizations:DescribePolicy"}));
            }
            p
        })
        .collect();
    let mut organization = json!({
        "id": "o-test",
        "arn": "arn:aws:organizations::999999999999:organization/o-test",
        "management_account_id": "999999999999",
        "root": {"id": "r-test", "arn": "arn:aws:organizations::999999999999:root/o-test/r-test", "name": "Root"},
        "organizational_units": [
            {"id": "ou-test-workloads", "arn": "arn:aws:organizations::999999999999:ou/o-test/ou-test-workloads", "name": "Workloads", "parent_id": "r-test"},
            {"id": "ou-test-prod", "arn": "arn:aws:organizations::999999999999:ou/o-test/ou-test-prod", "name": "Prod", "parent_id": "ou-test-workloads"},
            {"id": "ou-test-sandbox", "arn": "arn:aws:organizations::999999999999:ou/o-test/ou-test-sandbox", "name": "Sandbox", "parent_id": "r-test"}
        ],
        "policies": policies
    });
    merge(&mut organization, &case.organization);
    json!({
        "schema_version": "1",
        "taken_at": "2026-11-20T06:00:00Z",
        "source": {"kind": "fixture", "description": "rule case", "regions": case.collected_regions},
        "organization": organization,
        "accounts": accounts,
        "coverage": case.coverage,
    })
}

fn case_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.to_string_lossy().ends_with(".tests.yaml") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("policies"), &mut files);
    walk(&root.join("tests/rules"), &mut files);
    files.sort();
    files
}

fn load(path: &Path) -> CaseFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_rule_case_holds() {
    let catalog = Catalog::bundled().expect("bundled catalog");
    let base = Ruleset::bundled().expect("bundled ruleset");
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in case_files() {
        let file = load(&path);
        assert!(
            catalog.get(&file.rule).is_some(),
            "{}: unknown rule `{}`",
            path.display(),
            file.rule
        );
        let mut ruleset = base.clone();
        ruleset.rules.include = vec![file.rule.clone()];
        ruleset.rules.exclude.clear();
        ruleset.waivers.retain(|w| w.rule == file.rule);
        let engine = Engine::new(&catalog, &ruleset).expect("engine");
        for case in &file.cases {
            ran += 1;
            let text = snapshot_json(case).to_string();
            let snapshot = match parse_snapshot(&text, &path) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!(
                        "{} / {}: bad case snapshot: {e}",
                        path.display(),
                        case.name
                    ));
                    continue;
                }
            };
            let now = case
                .now
                .as_deref()
                .map(|t| t.parse().expect("case `now` is RFC 3339"))
                .unwrap_or(snapshot.taken_at);
            let evaluation = engine.evaluate(&snapshot, now);
            let at = format!("{} / {}", path.display(), case.name);
            // No silent dedup: the engine reports a rule that gave two outcomes for one
            // resource, and that is a failure here.
            for notice in &evaluation.notices {
                if notice.message.contains("more than one outcome") {
                    failures.push(format!("{at}: {}", notice.message));
                }
            }
            // Every finding is expected: an unexpected failure elsewhere in the case is not
            // missed.
            for f in &evaluation.findings {
                if !case.expect.contains_key(&f.resource) {
                    failures.push(format!(
                        "{at}: unexpected {} finding for `{}`: {}",
                        f.status, f.resource, f.message
                    ));
                }
            }
            // Every resource the rule assesses is named, or the case says the others get none.
            if case.others.is_none() {
                let meta = catalog.get(&file.rule).expect("known rule").meta();
                for r in snapshot.resources() {
                    if meta.resource_types.contains(&r.resource_type)
                        && !case.expect.contains_key(r.arn)
                    {
                        failures.push(format!(
                            "{at}: `{}` is not in `expect` (name its outcome, `none` included, \
                             or add `others: none`)",
                            r.arn
                        ));
                    }
                }
            }
            for (arn, expected) in &case.expect {
                let found: Vec<_> = evaluation
                    .findings
                    .iter()
                    .filter(|f| &f.resource == arn)
                    .collect();
                let actual = match found.as_slice() {
                    [] => "none".to_owned(),
                    [one] => one.status.to_string(),
                    many => format!("{} findings", many.len()),
                };
                if &actual != expected {
                    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
                    failures.push(format!(
                        "{at}: `{arn}` expected {expected}, got {actual} {messages:?}"
                    ));
                }
            }
        }
    }
    assert!(ran > 0, "no rule cases found");
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every rule: a unique id (the catalog rejects duplicates), a valid area (typed), the four
/// documentation headings, and at least one failing and one passing case.
#[test]
fn every_rule_has_docs_and_both_outcomes() {
    let catalog = Catalog::bundled().expect("bundled catalog");
    let mut outcomes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in case_files() {
        let file = load(&path);
        let seen = outcomes.entry(file.rule.clone()).or_default();
        for case in &file.cases {
            seen.extend(case.expect.values().cloned());
        }
    }
    let ruleset = Ruleset::bundled().expect("bundled ruleset");
    let guide = ruleset.frameworks.get("foundation-guide");
    let mut problems = Vec::new();
    for rule in catalog.rules() {
        let meta = rule.meta();
        if guide.is_none_or(|g| g.get(&meta.id).is_none_or(Vec::is_empty)) {
            problems.push(format!(
                "`{}`: no foundation-guide mapping in rulesets/default.toml",
                meta.id
            ));
        }
        for heading in [
            "## What it checks",
            "## Why it matters",
            "## How to fix",
            "## Example",
        ] {
            if !meta.doc.contains(heading) {
                problems.push(format!("`{}`: documentation lacks `{heading}`", meta.id));
            }
        }
        let seen = outcomes.get(&meta.id).cloned().unwrap_or_default();
        for needed in ["fail", "pass"] {
            if !seen.contains(needed) {
                problems.push(format!("`{}`: no case expecting `{needed}`", meta.id));
            }
        }
    }
    assert!(catalog.rules().len() >= 12, "expected at least 12 rules");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
