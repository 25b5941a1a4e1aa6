//! Deterministic synthetic organizations for benchmarks and scale tests (`rampart synth`).
//!
//! [`generate`] builds a valid [`Snapshot`] of a landing-zone-shaped organization (Security,
//! Infrastructure, Workloads/{PreProd,Prod}, Sandbox) with a requested number of accounts
//! and resources. Settings are mostly compliant, with roughly 10–20% violations spread over
//! the bundled rules, so that evaluation does realistic work. The same [`SynthSpec`] always
//! gives the same snapshot: randomness comes from a seeded splitmix64, never from the
//! clock, and the work is linear in the number of resources.

mod account;
pub mod iac;
mod rng;
#[cfg(test)]
mod tests;

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{
    CoverageGap, OrgPolicy, OrgPolicyKind, Organization, OrganizationalUnit, PolicyDocument, Root,
    Service, Snapshot, SnapshotSource, SnapshotSourceKind, Source, Tags, SCHEMA_VERSION,
};
use account::AccountPlan;
use rng::{mix, Rng};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SynthSpec {
    /// Number of accounts, the management account included (at least one is generated).
    pub accounts: usize,
    /// Total number of resources, the accounts themselves included.
    pub resources: usize,
    /// Seed of the generator: equal specs give equal snapshots.
    pub seed: u64,
}

/// The three regions synthetic resources live in, with their relative weights.
const REGIONS: [&str; 3] = ["eu-west-1", "eu-central-1", "us-east-1"];
const REGION_WEIGHTS: [u32; 3] = [5, 3, 2];

/// `taken_at` of every synthetic snapshot (2026-11-20T06:00:00Z), so that output does not
/// depend on the clock.
const TAKEN_AT_UNIX: i64 = 1_795_154_400;

/// The OU tree: name, parent (index into this table), the environment its accounts carry,
/// the classification levels its accounts are tagged with, its classification tag, and
/// how many resources its accounts hold relative to the others.
struct OuPlan {
    name: &'static str,
    parent: Option<usize>,
    environment: &'static str,
    levels: &'static [&'static str],
    tag: Option<&'static str>,
    weight: u64,
}

const SECURITY: usize = 0;
const INFRASTRUCTURE: usize = 1;
const PREPROD: usize = 3;
const PROD: usize = 4;
const SANDBOX: usize = 5;

const OUS: [OuPlan; 6] = [
    OuPlan {
        name: "Security",
        parent: None,
        environment: "security",
        levels: &["confidential", "restricted"],
        tag: Some("confidential"),
        weight: 2,
    },
    OuPlan {
        name: "Infrastructure",
        parent: None,
        environment: "infrastructure",
        levels: &["internal"],
        tag: None,
        weight: 3,
    },
    OuPlan {
        name: "Workloads",
        parent: None,
        environment: "",
        levels: &[],
        tag: None,
        weight: 0,
    },
    OuPlan {
        name: "PreProd",
        parent: Some(2),
        environment: "preprod",
        levels: &["internal", "confidential"],
        tag: None,
        weight: 3,
    },
    OuPlan {
        name: "Prod",
        parent: Some(2),
        environment: "prod",
        levels: &["internal", "confidential", "confidential", "restricted"],
        tag: Some("confidential"),
        weight: 5,
    },
    OuPlan {
        name: "Sandbox",
        parent: None,
        environment: "sandbox",
        levels: &["public", "internal"],
        tag: None,
        weight: 1,
    },
];

/// Where member accounts beyond the first few go: PreProd, Prod, Sandbox, Infrastructure,
/// Security.
const MEMBER_OUS: [usize; 5] = [PREPROD, PROD, SANDBOX, INFRASTRUCTURE, SECURITY];
const MEMBER_OU_WEIGHTS: [u32; 5] = [30, 45, 15, 6, 4];

/// Shared state of one generation: the random stream and the id counter.
struct Gen {
    rng: Rng,
    salt: u64,
    counter: u64,
    /// VPCs generated so far; each gets the next /20 of 10.0.0.0/8.
    vpcs: u64,
    taken_at: DateTime<Utc>,
    management_account_id: String,
}

impl Gen {
    /// A fresh 64-bit id, unique within the snapshot (the counter goes through a bijection).
    fn unique(&mut self) -> u64 {
        self.counter += 1;
        mix(self.counter ^ self.salt)
    }

    /// An AWS-style resource id: `prefix-0` and 16 hex digits (`vpc-0123…`).
    fn aws_id(&mut self, prefix: &str) -> String {
        format!("{prefix}-0{:016x}", self.unique())
    }

    /// A unique version-4-shaped UUID.
    fn uuid(&mut self) -> String {
        let a = self.unique();
        let b = mix(a ^ 0x5851_F42D_4C95_7F2D);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    fn region(&mut self) -> &'static str {
        REGIONS[self.rng.weighted(&REGION_WEIGHTS)]
    }
}

/// Generates a synthetic organization. Deterministic in `spec`; linear in its sizes.
pub fn generate(spec: &SynthSpec) -> Snapshot {
    let mut rng = Rng::new(spec.seed);
    let org_suffix = lower_alnum(rng.next_u64(), 10);
    let org_id = format!("o-{org_suffix}");
    let root_id = format!("r-{}", lower_alnum(rng.next_u64(), 4));
    let account_count = spec.accounts.max(1);
    // 12-digit account ids, consecutive from a seed-dependent base; unique by construction.
    let id_base = 100_000_000_000u64 + (spec.seed % 800) * 1_000_000_000;
    let management_account_id = format!("{id_base:012}");
    let mut g = Gen {
        rng,
        salt: mix(spec.seed ^ 0xA076_1D64_78BD_642F),
        counter: 0,
        vpcs: 0,
        taken_at: DateTime::UNIX_EPOCH + TimeDelta::seconds(TAKEN_AT_UNIX),
        management_account_id: management_account_id.clone(),
    };

    let ou_ids: Vec<String> = OUS
        .iter()
        .map(|_| format!("ou-{}-{}", &root_id[2..], lower_alnum(g.rng.next_u64(), 8)))
        .collect();
    let organizational_units = OUS
        .iter()
        .zip(&ou_ids)
        .map(|(ou, id)| OrganizationalUnit {
            id: id.clone(),
            arn: format!("arn:aws:organizations::{management_account_id}:ou/{org_id}/{id}"),
            name: ou.name.to_owned(),
            parent_id: ou
                .parent
                .map_or_else(|| root_id.clone(), |p| ou_ids[p].clone()),
            tags: ou
                .tag
                .map(|level| Tags::from([("DataClassification".to_owned(), level.to_owned())]))
                .unwrap_or_default(),
        })
        .collect();

    let plans = plan_accounts(&mut g, account_count, id_base);
    let quotas = resource_quotas(&plans, spec.resources.saturating_sub(account_count));
    let mut coverage = Vec::new();
    let accounts = plans
        .iter()
        .zip(quotas)
        .map(|(plan, quota)| {
            let parent_id = plan
                .ou
                .map_or_else(|| root_id.clone(), |i| ou_ids[i].clone());
            account::generate(&mut g, plan, &org_id, parent_id, quota, &mut coverage)
        })
        .collect();
    coverage.sort();

    Snapshot {
        schema_version: SCHEMA_VERSION.to_owned(),
        taken_at: g.taken_at,
        source: SnapshotSource {
            kind: SnapshotSourceKind::Synthetic,
            description: format!(
                "rampart synth --accounts {} --resources {} --seed {}",
                spec.accounts, spec.resources, spec.seed
            ),
            regions: None,
        },
        organization: Organization {
            arn: format!("arn:aws:organizations::{management_account_id}:organization/{org_id}"),
            management_account_id: management_account_id.clone(),
            root: Root {
                arn: format!(
                    "arn:aws:organizations::{management_account_id}:root/{org_id}/{root_id}"
                ),
                id: root_id.clone(),
                name: "Root".to_owned(),
                tags: Tags::new(),
            },
            organizational_units,
            policies: org_policies(&management_account_id, &org_id, &root_id, &ou_ids),
            delegated_administrators: Vec::new(),
            id: org_id,
        },
        accounts,
        coverage,
    }
}

/// Decides each account's OU, name and tags. The first accounts are the landing zone's
/// own (management, audit, log-archive, network, shared-services); the rest are members.
fn plan_accounts(g: &mut Gen, count: usize, id_base: u64) -> Vec<AccountPlan> {
    const CORE: [(&str, Option<usize>); 5] = [
        ("management", None),
        ("audit", Some(SECURITY)),
        ("log-archive", Some(SECURITY)),
        ("network", Some(INFRASTRUCTURE)),
        ("shared-services", Some(INFRASTRUCTURE)),
    ];
    (0..count)
        .map(|i| {
            let (name, ou) = match CORE.get(i) {
                Some(&(name, ou)) => (name.to_owned(), ou),
                None => {
                    let ou = MEMBER_OUS[g.rng.weighted(&MEMBER_OU_WEIGHTS)];
                    (format!("{}-{i:05}", OUS[ou].environment), Some(ou))
                }
            };
            let mut tags = Tags::new();
            let (environment, levels): (&str, &[&str]) = match ou {
                Some(ou) => (OUS[ou].environment, OUS[ou].levels),
                None => ("management", &["internal"]),
            };
            // A few accounts miss their tags or carry values outside the vocabulary.
            if !g.rng.percent(4) {
                tags.insert("Environment".to_owned(), environment.to_owned());
            }
            let level = g.rng.pick(levels);
            match g.rng.below(100) {
                0..=3 => {}
                4 => {
                    tags.insert("DataClassification".to_owned(), "secret".to_owned());
                }
                _ => {
                    tags.insert("DataClassification".to_owned(), level.to_owned());
                }
            }
            tags.insert(
                "CostCenter".to_owned(),
                format!("CC-{}", 1000 + g.rng.below(90) * 10),
            );
            let weight = ou.map_or(1, |ou| OUS[ou].weight);
            AccountPlan {
                id: format!("{:012}", id_base + i as u64),
                name,
                ou,
                level,
                tags,
                weight,
            }
        })
        .collect()
}

/// Splits `budget` resources over the accounts in proportion to their weights, exactly.
fn resource_quotas(plans: &[AccountPlan], budget: usize) -> Vec<usize> {
    let total: u128 = plans
        .iter()
        .map(|p| u128::from(p.weight))
        .sum::<u128>()
        .max(1);
    let budget_wide = budget as u128;
    let mut quotas: Vec<usize> = plans
        .iter()
        .map(|p| (budget_wide * u128::from(p.weight) / total) as usize)
        .collect();
    let assigned: usize = quotas.iter().sum();
    let len = quotas.len().max(1);
    for i in 0..budget.saturating_sub(assigned) {
        if let Some(q) = quotas.get_mut(i % len) {
            *q += 1;
        }
    }
    quotas
}

/// FullAWSAccess everywhere, a deny-leave SCP at the root, a region guardrail on the
/// non-production OUs, and a secure-transport RCP.
fn org_policies(mgmt: &str, org_id: &str, root_id: &str, ou_ids: &[String]) -> Vec<OrgPolicy> {
    let source = || Source::Synthetic;
    let custom_arn =
        |kind: &str, id: &str| format!("arn:aws:organizations::{mgmt}:policy/{org_id}/{kind}/{id}");
    let all_targets: Vec<String> = std::iter::once(root_id.to_owned())
        .chain(ou_ids.iter().cloned())
        .collect();
    vec![
        OrgPolicy {
            id: "p-FullAWSAccess".to_owned(),
            arn: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
                .to_owned(),
            name: "FullAWSAccess".to_owned(),
            kind: OrgPolicyKind::ServiceControlPolicy,
            aws_managed: true,
            document: PolicyDocument::new(serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
            })),
            targets: all_targets,
            source: source(),
        },
        OrgPolicy {
            id: "p-denyleave".to_owned(),
            arn: custom_arn("service_control_policy", "p-denyleave"),
            name: "DenyLeaveOrganization".to_owned(),
            kind: OrgPolicyKind::ServiceControlPolicy,
            aws_managed: false,
            document: PolicyDocument::new(serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Deny",
                    "Action": "organizations:LeaveOrganization",
                    "Resource": "*"
                }]
            })),
            targets: vec![root_id.to_owned()],
            source: source(),
        },
        OrgPolicy {
            id: "p-regions".to_owned(),
            arn: custom_arn("service_control_policy", "p-regions"),
            name: "RestrictRegions".to_owned(),
            kind: OrgPolicyKind::ServiceControlPolicy,
            aws_managed: false,
            document: PolicyDocument::new(serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*",
                                  "cloudfront:*", "route53:*", "kms:*", "acm:*"],
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": REGIONS}}
                }]
            })),
            targets: [PREPROD, SANDBOX]
                .iter()
                .filter_map(|&i| ou_ids.get(i).cloned())
                .collect(),
            source: source(),
        },
        OrgPolicy {
            id: "p-tlsonly".to_owned(),
            arn: custom_arn("resource_control_policy", "p-tlsonly"),
            name: "EnforceSecureTransport".to_owned(),
            kind: OrgPolicyKind::ResourceControlPolicy,
            aws_managed: false,
            document: PolicyDocument::new(serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["s3:*", "kms:*", "sqs:*", "secretsmanager:*", "sts:*"],
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}
                }]
            })),
            targets: vec![root_id.to_owned()],
            source: source(),
        },
    ]
}

/// `len` (at most 12) lowercase letters and digits from `bits`, for `o-…` and `ou-…` ids.
fn lower_alnum(mut bits: u64, len: usize) -> String {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| {
            let c = ALPHABET[(bits % 36) as usize];
            bits /= 36;
            char::from(c)
        })
        .collect()
}

/// A coverage gap for one account, region and service.
fn gap(account_id: &str, region: &str, service: Service, reason: String) -> CoverageGap {
    CoverageGap {
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        service,
        reason,
        resource: None,
        operation: None,
    }
}
