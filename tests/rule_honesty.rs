//! Honesty: for every rule of the catalog, data it reads that could not be read never makes
//! it say `pass`.
//!
//! Generic over the catalog: each rule declares what it reads (`RuleMeta::reads`). For each
//! read, the data it stands for is taken out of a snapshot where the rule decides (every
//! rule case, and the sample organization) and the coverage gap a collector records for that
//! failure is added, scoped as the collector scopes it (an IAM read in one account is
//! `ACCOUNT/global`, a KMS read is one gap per region, the organization's reads are `*/*`,
//! an account's tags are a gap on the account's ARN). The rule is evaluated again, and a
//! finding it had decided (pass or fail) may then be `unknown`, or gone with its resource,
//! but never:
//!
//! - `pass` where it was `fail` (wherever the finding is: data missing in one account must
//!   not clear a finding in another), nor
//! - `pass` on a resource of an account whose data the rule read is missing (unless the gap
//!   hides another of the rule's resource types, a different service's resources, which
//!   the engine reports as a scope-level `unknown`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use rampart::findings::Finding;
use rampart::model::{parse_snapshot, Operation, Read, Service, SAMPLE_JSON};
use rampart::rules::{Catalog, CatalogRule, Engine, RuleMeta};
use rampart::ruleset::Ruleset;
use rampart::vocab::Status;
use serde_json::{json, Map, Value};

mod common;
use common::cases::{case_files, load, snapshot_json};

/// What of an account one operation reads, as the snapshot's JSON holds it (paths from the
/// account object).
enum Data {
    /// A list of resources: the items go.
    Items(&'static [&'static str]),
    /// The security-service statuses of one service (`security_services[].service`).
    SecurityService(&'static str),
    /// One field of each item of a list: it goes ([`unread`]).
    Field(&'static [&'static str], &'static str),
    /// A field of the account: it goes.
    Value(&'static [&'static str]),
}

/// The data each member-account operation fills.
fn data_of(op: Operation) -> Vec<Data> {
    use Data::{Field, Items, SecurityService, Value};
    use Operation as O;
    match op {
        O::IamGetAccountAuthorizationDetails => vec![
            Items(&["iam", "roles"]),
            Items(&["iam", "users"]),
            Items(&["iam", "managed_policies"]),
        ],
        O::IamGetAccountPasswordPolicy => vec![Value(&["iam", "password_policy"])],
        O::IamListOpenIdConnectProviders | O::IamGetOpenIdConnectProvider => {
            vec![Items(&["iam", "oidc_providers"])]
        }
        O::IamListSamlProviders => vec![Items(&["iam", "saml_providers"])],
        O::IamListAccessKeys => vec![Field(&["iam", "users"], "access_keys")],
        O::IamGetLoginProfile => vec![Field(&["iam", "users"], "console_access")],
        O::IamListMfaDevices => vec![Field(&["iam", "users"], "mfa_enabled")],
        O::IamGetCredentialReport => vec![Value(&["iam", "credential_report"])],
        O::KmsListKeys | O::KmsDescribeKey => vec![Items(&["kms_keys"])],
        O::KmsGetKeyPolicy => vec![Field(&["kms_keys"], "policy")],
        O::KmsGetKeyRotationStatus => vec![Field(&["kms_keys"], "rotation_enabled")],
        O::KmsListAliases => vec![Field(&["kms_keys"], "aliases")],
        O::KmsListResourceTags => vec![Field(&["kms_keys"], "tags")],
        O::Ec2DescribeRegions => vec![Value(&["enabled_regions"])],
        O::Ec2DescribeVpcs => vec![Items(&["network", "vpcs"])],
        O::Ec2DescribeSubnets => vec![Items(&["network", "subnets"])],
        O::Ec2DescribeRouteTables => vec![Items(&["network", "route_tables"])],
        O::Ec2DescribeInternetGateways => vec![Items(&["network", "internet_gateways"])],
        O::Ec2DescribeNatGateways => vec![Items(&["network", "nat_gateways"])],
        O::Ec2DescribeTransitGateways => vec![Items(&["network", "transit_gateways"])],
        O::Ec2DescribeTransitGatewayAttachments => {
            vec![Items(&["network", "transit_gateway_attachments"])]
        }
        O::Ec2DescribeTransitGatewayRouteTables => {
            vec![Items(&["network", "transit_gateway_route_tables"])]
        }
        O::Ec2GetTransitGatewayRouteTableAssociations => vec![Field(
            &["network", "transit_gateway_route_tables"],
            "associations",
        )],
        O::Ec2GetTransitGatewayRouteTablePropagations => vec![Field(
            &["network", "transit_gateway_route_tables"],
            "propagations",
        )],
        O::Ec2SearchTransitGatewayRoutes => {
            vec![Field(
                &["network", "transit_gateway_route_tables"],
                "routes",
            )]
        }
        O::Ec2DescribeVpnConnections => vec![Items(&["network", "vpn_connections"])],
        O::Ec2DescribeSecurityGroups => vec![Items(&["network", "security_groups"])],
        O::Ec2DescribeNetworkAcls => vec![Items(&["network", "network_acls"])],
        O::Ec2DescribeFlowLogs => vec![Items(&["network", "flow_logs"])],
        O::Ec2DescribeVpcEndpoints => vec![Items(&["network", "vpc_endpoints"])],
        O::Ec2DescribeVolumes => vec![Items(&["storage", "ebs_volumes"])],
        O::Ec2GetEbsEncryptionByDefault => vec![Items(&["storage", "ebs_encryption_defaults"])],
        O::Ec2GetEbsDefaultKmsKeyId => {
            vec![Field(
                &["storage", "ebs_encryption_defaults"],
                "kms_key_arn",
            )]
        }
        O::S3ListBuckets | O::S3GetBucketLocation => vec![Items(&["storage", "s3_buckets"])],
        O::S3GetBucketEncryption => vec![Field(&["storage", "s3_buckets"], "encryption")],
        O::S3GetBucketPolicy => vec![Field(&["storage", "s3_buckets"], "policy")],
        O::S3GetPublicAccessBlock => {
            vec![Field(&["storage", "s3_buckets"], "public_access_block")]
        }
        O::S3GetBucketTagging => vec![Field(&["storage", "s3_buckets"], "tags")],
        O::S3GetBucketVersioning => vec![Field(&["storage", "s3_buckets"], "versioning")],
        O::S3GetAccountPublicAccessBlock => {
            vec![Value(&["storage", "account_public_access_block"])]
        }
        O::RdsDescribeDbInstances => vec![Items(&["storage", "rds_instances"])],
        O::RdsDescribeDbClusters => vec![Items(&["storage", "rds_clusters"])],
        O::RdsListTagsForResource => vec![
            Field(&["storage", "rds_instances"], "tags"),
            Field(&["storage", "rds_clusters"], "tags"),
        ],
        O::ElbDescribeLoadBalancers | O::ElbDescribeListeners => {
            vec![Items(&["network", "load_balancer_listeners"])]
        }
        O::AcmListCertificates | O::AcmDescribeCertificate => {
            vec![Items(&["certificates", "acm"])]
        }
        O::AcmListTagsForCertificate => vec![Field(&["certificates", "acm"], "tags")],
        O::CloudtrailDescribeTrails => vec![Items(&["logging", "cloudtrail_trails"])],
        O::CloudtrailGetTrailStatus => {
            vec![Field(&["logging", "cloudtrail_trails"], "is_logging")]
        }
        O::CloudtrailGetEventSelectors => vec![
            Field(&["logging", "cloudtrail_trails"], "management_events"),
            Field(&["logging", "cloudtrail_trails"], "data_event_selectors"),
        ],
        O::CloudtrailListTags => vec![Field(&["logging", "cloudtrail_trails"], "tags")],
        O::ConfigDescribeConfigurationRecorders => {
            vec![Items(&["logging", "config_recorders"])]
        }
        O::ConfigDescribeConfigurationRecorderStatus => {
            vec![Field(&["logging", "config_recorders"], "recording")]
        }
        O::ConfigDescribeConfigurationAggregators => {
            vec![Items(&["logging", "config_aggregators"])]
        }
        O::Route53ListHostedZones => vec![Items(&["dns", "hosted_zones"])],
        O::Route53ListTagsForResources => vec![Field(&["dns", "hosted_zones"], "tags")],
        O::Route53GetHostedZone => vec![Field(&["dns", "hosted_zones"], "vpc_associations")],
        O::Route53resolverListResolverRules => vec![Items(&["dns", "resolver_rules"])],
        O::GuarddutyListDetectors | O::GuarddutyGetDetector => {
            vec![SecurityService("guardduty")]
        }
        O::SecurityhubDescribeHub => vec![SecurityService("securityhub")],
        O::AccessAnalyzerListAnalyzers => vec![SecurityService("access-analyzer")],
        O::Macie2GetMacieSession => vec![SecurityService("macie")],
        O::RamGetResourceShares => vec![Items(&["resource_shares"])],
        O::RamGetResourceShareAssociations => vec![
            Field(&["resource_shares"], "principals"),
            Field(&["resource_shares"], "resources"),
        ],
        O::AccountGetAlternateContact => vec![Value(&["alternate_contacts"])],
        O::DirectconnectDescribeConnections => {
            vec![Items(&["network", "direct_connect_connections"])]
        }
        // Read from the management account or fatal: handled by `org_drops`, or never a
        // rule's data.
        _ => Vec::new(),
    }
}

/// Where a collector records an account's gaps for `service`: once for the global
/// services, per region for the others.
fn gap_regions(service: Service, account: &Value) -> Vec<String> {
    match service {
        Service::Iam | Service::Route53 | Service::Account => vec!["global".to_owned()],
        Service::S3 => vec!["*".to_owned()],
        _ => {
            let mut regions: BTreeSet<String> = account["enabled_regions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect();
            collect_regions(account, &mut regions);
            regions.remove("global");
            regions.into_iter().collect()
        }
    }
}

/// Every `region` of the resources an account holds.
fn collect_regions(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(region)) = map.get("region") {
                out.insert(region.clone());
            }
            map.values().for_each(|v| collect_regions(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_regions(v, out)),
        _ => {}
    }
}

fn at_mut<'v>(value: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |v, key| v.get_mut(*key))
}

fn drop_data(account: &mut Value, data: &Data) {
    match data {
        Data::Items(path) => {
            if let Some(items) = at_mut(account, path).and_then(Value::as_array_mut) {
                items.clear();
            }
        }
        Data::SecurityService(kind) => {
            if let Some(items) = account
                .get_mut("security_services")
                .and_then(Value::as_array_mut)
            {
                items.retain(|s| s["service"] != *kind);
            }
        }
        Data::Field(path, field) => {
            if let Some(items) = at_mut(account, path).and_then(Value::as_array_mut) {
                for item in items {
                    if let Some(value) = item.get_mut(*field) {
                        *value = unread(field, value);
                    }
                }
            }
        }
        Data::Value(path) => {
            let (last, parent) = path.split_last().expect("a path");
            if let Some(obj) = at_mut(account, parent).and_then(Value::as_object_mut) {
                obj.remove(*last);
            }
        }
    }
}

/// What a collector that did not check its errors would store for a field it could not
/// read: nothing, false, zero, or "not read" where the model has an option.
fn unread(field: &str, value: &Value) -> Value {
    match value {
        Value::Bool(_) => json!(false),
        Value::Array(_) => json!([]),
        Value::Number(_) => json!(0),
        Value::Object(_) if field == "tags" => json!({}),
        _ => Value::Null,
    }
}

fn gap(account: &str, region: &str, read: Read, resource: Option<&str>, why: &str) -> Value {
    let mut g = Map::new();
    g.insert("account_id".into(), json!(account));
    g.insert("region".into(), json!(region));
    g.insert("service".into(), json!(read.service().prefix()));
    g.insert("reason".into(), json!(format!("AccessDenied: {why}")));
    if let Some(arn) = resource {
        g.insert("resource".into(), json!(arn));
    }
    if let Read::Operation(op) = read {
        g.insert("operation".into(), json!(op.name()));
    }
    Value::Object(g)
}

/// One way the data a read stands for can be missing: the snapshot without it, and which
/// accounts' resources it concerns (`None`: every account).
struct Loss {
    what: String,
    snapshot: Value,
    accounts: Option<BTreeSet<String>>,
    /// The gaps hide whole resources of this service (a service-level read).
    hides: Option<Service>,
}

fn accounts_of(snapshot: &Value) -> Vec<Value> {
    snapshot["accounts"].as_array().cloned().unwrap_or_default()
}

fn push_gaps(snapshot: &mut Value, gaps: Vec<Value>) {
    let list = snapshot
        .as_object_mut()
        .expect("a snapshot object")
        .entry("coverage")
        .or_insert_with(|| json!([]));
    list.as_array_mut()
        .expect("coverage is a list")
        .extend(gaps);
}

/// The ways `read` can be missing from `snapshot`: in each account in turn
/// (`per_account`), or in every account at once.
fn losses(snapshot: &Value, read: Read, per_account: bool) -> Vec<Loss> {
    let service = read.service();
    if service == Service::Organizations {
        return org_losses(snapshot, read);
    }
    let ops: Vec<Operation> = match read {
        Read::Service(s) => Operation::ALL
            .iter()
            .copied()
            .filter(|o| o.service() == s)
            .collect(),
        Read::Operation(op) => vec![op],
    };
    let ids: Vec<String> = accounts_of(snapshot)
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_owned))
        .collect();
    let scopes: Vec<Vec<String>> = if per_account {
        ids.iter().map(|id| vec![id.clone()]).collect()
    } else {
        vec![ids]
    };
    scopes
        .into_iter()
        .map(|scope| {
            let mut s = snapshot.clone();
            let mut gaps = Vec::new();
            for account in s["accounts"].as_array_mut().expect("accounts").iter_mut() {
                let id = account["id"].as_str().unwrap_or_default().to_owned();
                if !scope.contains(&id) {
                    continue;
                }
                for region in gap_regions(service, account) {
                    gaps.push(gap(&id, &region, read, None, &read.to_string()));
                }
                for op in &ops {
                    for data in data_of(*op) {
                        drop_data(account, &data);
                    }
                }
            }
            push_gaps(&mut s, gaps);
            Loss {
                what: format!("{read} in {}", scope.join(", ")),
                snapshot: s,
                accounts: Some(scope.into_iter().collect()),
                hides: matches!(read, Read::Service(_)).then_some(service),
            }
        })
        .collect()
}

/// The organization's reads: the collector reads them from the management account and
/// records their gaps for every account (`*`), except an account's own tags (a gap on the
/// account) and a parent's children (a gap on the parent).
fn org_losses(snapshot: &Value, read: Read) -> Vec<Loss> {
    use Operation as O;
    let everywhere = |what: &str, change: &dyn Fn(&mut Value)| {
        let mut s = snapshot.clone();
        change(&mut s);
        push_gaps(&mut s, vec![gap("*", "*", read, None, what)]);
        Loss {
            what: format!("{read} ({what})"),
            snapshot: s,
            accounts: None,
            hides: matches!(read, Read::Service(_)).then_some(Service::Organizations),
        }
    };
    let clear = |s: &mut Value, path: &[&str]| {
        if let Some(v) = at_mut(s, path) {
            *v = json!([]);
        }
    };
    let clear_each = |s: &mut Value, path: &[&str], field: &str| {
        if let Some(items) = at_mut(s, path).and_then(Value::as_array_mut) {
            for item in items {
                item[field] = json!([]);
            }
        }
    };
    let untag_tree = |s: &mut Value| {
        s["organization"]["root"]["tags"] = json!({});
        if let Some(ous) =
            at_mut(s, &["organization", "organizational_units"]).and_then(Value::as_array_mut)
        {
            for ou in ous {
                ou["tags"] = json!({});
            }
        }
    };
    let mut out = Vec::new();
    let ops: Vec<Operation> = match read {
        Read::Service(_) => {
            out.push(everywhere("every organizations read", &|s| {
                clear(s, &["organization", "policies"]);
                clear(s, &["organization", "delegated_administrators"]);
                untag_tree(s);
                for a in s["accounts"].as_array_mut().expect("accounts") {
                    a["tags"] = json!({});
                }
            }));
            return out;
        }
        Read::Operation(op) => vec![op],
    };
    for op in ops {
        match op {
            O::OrganizationsListPolicies | O::OrganizationsDescribePolicy => {
                out.push(everywhere("policies", &|s| {
                    clear(s, &["organization", "policies"]);
                }));
            }
            O::OrganizationsListTargetsForPolicy => out.push(everywhere("targets", &|s| {
                clear_each(s, &["organization", "policies"], "targets");
            })),
            O::OrganizationsListDelegatedAdministrators => {
                out.push(everywhere("delegated administrators", &|s| {
                    clear(s, &["organization", "delegated_administrators"]);
                }));
            }
            O::OrganizationsListDelegatedServicesForAccount => {
                out.push(everywhere("delegated services", &|s| {
                    clear_each(
                        s,
                        &["organization", "delegated_administrators"],
                        "service_principals",
                    );
                }));
            }
            O::OrganizationsListTagsForResource => {
                out.push(everywhere("tags of the root and OUs", &untag_tree));
                for account in accounts_of(snapshot) {
                    let id = account["id"].as_str().unwrap_or_default().to_owned();
                    let arn = account["arn"].as_str().unwrap_or_default().to_owned();
                    let mut s = snapshot.clone();
                    for a in s["accounts"].as_array_mut().expect("accounts") {
                        if a["id"] == id.as_str() {
                            a["tags"] = json!({});
                        }
                    }
                    push_gaps(
                        &mut s,
                        vec![gap(&id, "*", read, Some(&arn), "tags of the account")],
                    );
                    out.push(Loss {
                        what: format!("{read} of account {id}"),
                        snapshot: s,
                        accounts: Some(BTreeSet::from([id])),
                        hides: None,
                    });
                }
            }
            O::OrganizationsListAccountsForParent => {
                let parents: BTreeSet<String> = accounts_of(snapshot)
                    .iter()
                    .filter_map(|a| a["parent_id"].as_str().map(str::to_owned))
                    .collect();
                for parent in parents {
                    let mut s = snapshot.clone();
                    let gone: BTreeSet<String> = accounts_of(snapshot)
                        .iter()
                        .filter(|a| a["parent_id"] == parent.as_str())
                        .filter_map(|a| a["id"].as_str().map(str::to_owned))
                        .collect();
                    s["accounts"]
                        .as_array_mut()
                        .expect("accounts")
                        .retain(|a| a["parent_id"] != parent.as_str());
                    push_gaps(
                        &mut s,
                        vec![gap("*", "*", read, Some(&parent), "accounts of a parent")],
                    );
                    out.push(Loss {
                        what: format!("{read} of {parent}"),
                        snapshot: s,
                        accounts: Some(gone),
                        hides: None,
                    });
                }
            }
            // Failing to read the organization itself is fatal to a collection; the OU
            // tree's gaps keep the accounts of the parent that was read.
            _ => {}
        }
    }
    out
}

struct Checker<'c> {
    catalog: &'c Catalog,
    base: Ruleset,
    problems: BTreeSet<String>,
    checked: BTreeMap<String, usize>,
}

impl Checker<'_> {
    /// Evaluates `rules` (ids) on `snapshot`.
    fn evaluate(
        &self,
        rules: &[&str],
        snapshot: &Value,
        now: Option<DateTime<Utc>>,
    ) -> Vec<Finding> {
        let mut ruleset = self.base.clone();
        ruleset.rules.include = rules.iter().map(|r| (*r).to_owned()).collect();
        ruleset.rules.exclude.clear();
        ruleset.waivers.clear();
        let engine = Engine::new(self.catalog, &ruleset).expect("engine");
        let text = snapshot.to_string();
        let parsed = parse_snapshot(&text, Path::new("honesty.json"))
            .unwrap_or_else(|e| panic!("{rules:?}: the snapshot without data does not load: {e}"));
        let now = now.unwrap_or(parsed.taken_at);
        engine.evaluate(&parsed, now).findings
    }

    /// Takes each read of `rules` away from `snapshot` in turn and checks their findings.
    /// (Rules are independent: evaluating several at once gives each its own findings.)
    fn check(
        &mut self,
        rules: &[&CatalogRule],
        at: &str,
        snapshot: &Value,
        now: Option<DateTime<Utc>>,
        per_account: bool,
    ) {
        let ids: Vec<&str> = rules.iter().map(|r| r.meta().id.as_str()).collect();
        let before: BTreeMap<String, Finding> = self
            .evaluate(&ids, snapshot, now)
            .into_iter()
            .filter(|f| matches!(f.status, Status::Pass | Status::Fail))
            .map(|f| (f.fingerprint.clone(), f))
            .collect();
        // The rules that decide somewhere, by the data they read.
        let mut by_read: BTreeMap<Read, Vec<&RuleMeta>> = BTreeMap::new();
        for rule in rules {
            let meta = rule.meta();
            if before.values().any(|f| *f.rule_id == *meta.id) {
                for read in &meta.reads {
                    by_read.entry(*read).or_default().push(meta);
                }
            }
        }
        for (read, metas) in by_read {
            let ids: Vec<&str> = metas.iter().map(|m| m.id.as_str()).collect();
            for loss in losses(snapshot, read, per_account) {
                for id in &ids {
                    *self.checked.entry((*id).to_owned()).or_default() += 1;
                }
                for after in self.evaluate(&ids, &loss.snapshot, now) {
                    let Some(was) = before.get(&after.fingerprint) else {
                        continue;
                    };
                    if after.status != Status::Pass {
                        continue;
                    }
                    let meta = metas
                        .iter()
                        .find(|m| *m.id == *after.rule_id)
                        .expect("a rule evaluated");
                    let concerned = loss
                        .accounts
                        .as_ref()
                        .is_none_or(|a| a.contains(&after.account_id));
                    let problem = if was.status == Status::Fail {
                        Some("fail turned pass")
                    } else if concerned && !other_type(meta, &after, loss.hides) {
                        Some("still pass")
                    } else {
                        None
                    };
                    if let Some(problem) = problem {
                        self.problems.insert(format!(
                            "`{}` {at}: without {}: `{}` {problem}: {}",
                            meta.id, loss.what, after.resource, after.message
                        ));
                    }
                }
            }
        }
    }
}

/// A gap hiding another of the rule's resource types (another service's resources) says
/// nothing about this finding's resource: the engine reports it as a scope-level unknown.
fn other_type(meta: &RuleMeta, finding: &Finding, hides: Option<Service>) -> bool {
    let Some(service) = hides else {
        return false;
    };
    let own = meta
        .resource_types
        .iter()
        .find(|t| t.name() == finding.resource_type)
        .map(|t| t.service_of(&finding.resource));
    own.is_some_and(|own| own != service) && meta.resource_types.iter().any(|t| t.read_by(service))
}

#[test]
fn missing_data_never_makes_a_rule_pass() {
    let catalog = Catalog::bundled().expect("bundled catalog");
    let mut checker = Checker {
        catalog: &catalog,
        base: Ruleset::bundled().expect("bundled ruleset"),
        problems: BTreeSet::new(),
        checked: BTreeMap::new(),
    };
    // Every rule case, one account at a time.
    for path in case_files() {
        let file = load(&path);
        let rule = catalog.get(&file.rule).expect("known rule");
        for case in &file.cases {
            let now = case
                .now
                .as_deref()
                .map(|t| t.parse().expect("case `now` is RFC 3339"));
            let at = format!(
                "{} / {}",
                path.file_name().unwrap_or_default().to_string_lossy(),
                case.name
            );
            checker.check(&[rule], &at, &snapshot_json(case), now, true);
        }
    }
    // The sample organization, every account at once.
    let sample: Value = serde_json::from_str(SAMPLE_JSON).expect("sample");
    let every: Vec<&CatalogRule> = catalog.rules().iter().collect();
    checker.check(&every, "sample", &sample, None, false);

    let unchecked: Vec<&str> = catalog
        .rules()
        .iter()
        .map(|r| r.meta().id.as_str())
        .filter(|id| !checker.checked.contains_key(*id))
        .collect();
    assert!(
        unchecked.is_empty(),
        "rules never checked (no read, or no decided finding in any fixture): {unchecked:?}"
    );
    assert!(
        checker.problems.is_empty(),
        "{} finding(s) pass without the data they need:\n{}",
        checker.problems.len(),
        checker.problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}
