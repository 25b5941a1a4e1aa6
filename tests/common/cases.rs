//! The rule cases (`policies/**/*.tests.yaml`, `tests/rules/*.tests.yaml`): their model and
//! the snapshot each case stands for. `rule_cases.rs` checks their expectations;
//! `rule_honesty.rs` takes data away from them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub rule: String,
    pub cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    /// Merged over the base account (objects merge key by key, arrays replace).
    #[serde(default)]
    pub account: Value,
    /// Extra accounts, each merged over a base account with a different id.
    #[serde(default)]
    pub other_accounts: Vec<Value>,
    /// Coverage gaps of the snapshot.
    #[serde(default)]
    pub coverage: Vec<Value>,
    /// Organization policies (SCPs, RCPs); `source` may be left out.
    #[serde(default)]
    pub organization_policies: Vec<Value>,
    /// Merged over the organization (`delegated_administrators`, `management_account_id`,
    /// …) like `account`; `organization_policies` is the way to give policies.
    #[serde(default)]
    pub organization: Value,
    /// Evaluation time (default 2026-11-20T06:00:00Z).
    #[serde(default)]
    pub now: Option<String>,
    /// The regions the collection was limited to (`rampart collect --regions`); by
    /// default every enabled region was read.
    #[serde(default)]
    pub collected_regions: Option<Vec<String>>,
    /// ARN → expected status (pass, fail, unknown, waived, or none for no finding). Every
    /// resource of a type the rule assesses must be listed, and every finding must be
    /// expected, unless `others: none` says the resources not listed get no finding.
    pub expect: BTreeMap<String, String>,
    /// `none`: resources the case does not list must get no finding.
    #[serde(default)]
    pub others: Option<Others>,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Others {
    None,
}

pub const ACCOUNT: &str = "111122223333";
pub const OTHER_ACCOUNTS: [&str; 3] = ["222233334444", "333344445555", "444455556666"];

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

pub fn snapshot_json(case: &Case) -> Value {
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

pub fn case_files() -> Vec<PathBuf> {
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

pub fn load(path: &Path) -> CaseFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
