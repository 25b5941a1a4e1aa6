//! Derived attributes: each account's place in the organization and environment, and each
//! resource's effective data classification.
//!
//! Facts read only the snapshot and the ruleset's parameters; they are computed once per
//! evaluation and shared read-only by every rule.

pub mod access;
pub mod iam;
pub mod kms;
pub mod network;
pub mod services;
pub mod trust;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::model::{Account, AccountStatus, IamRole, OrgPolicyKind, Snapshot, Tags};
use crate::ruleset::{OuEnvironment, Parameters};

/// The environment of security accounts (audit / security tooling, log archive): the
/// accounts the AWS Security Reference Architecture administers security services from.
pub const SECURITY_ENVIRONMENT: &str = "security";

/// The environment of production accounts.
pub const PRODUCTION_ENVIRONMENT: &str = "prod";

/// Where an account stands between production and non-production, for the rules that keep
/// the two apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage<'a> {
    /// Environment `prod`.
    Production,
    /// A workload environment other than `prod` (`workload_environments`): pre-production,
    /// development, sandbox.
    NonProduction(&'a str),
    /// Any other environment (security, infrastructure, management, builder).
    Other(&'a str),
    /// In the snapshot without an environment.
    Unmapped,
    /// Not in the snapshot.
    Unread,
}

/// Where an effective classification came from, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClassificationSource {
    /// The resource's own tag.
    Resource,
    /// The owning account's tag.
    Account,
    /// The nearest OU (or the root) with the tag.
    OrganizationalUnit,
    /// The ruleset's default: nothing on the path is tagged.
    Default,
}

impl ClassificationSource {
    /// The lowercase name used in Cedar attributes and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ClassificationSource::Resource => "resource",
            ClassificationSource::Account => "account",
            ClassificationSource::OrganizationalUnit => "ou",
            ClassificationSource::Default => "default",
        }
    }
}

/// A resource's effective data classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The effective level (one of the ruleset's levels).
    pub level: String,
    /// Where it came from.
    pub source: ClassificationSource,
    /// A tag value found on the path that is not a valid level (the first one, most
    /// specific first); such a tag is skipped when looking for the effective level.
    pub invalid_tag: Option<String>,
}

/// What is known about one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFacts {
    /// The account's environment, or `None` when the mapping says nothing.
    pub environment: Option<String>,
    /// OU names from the root to the account's parent, joined with `/` (`Workloads/Prod`).
    pub ou_path: String,
    /// OU ids from the root's child down to the account's parent.
    pub ou_ids: Vec<String>,
    /// Classification inherited by the account's resources (account tag > OU tags > default).
    pub inherited: Classification,
    /// The account's own classification tag value, if any.
    pub own_tag: Option<String>,
}

/// What the facts read of a whole account that its cut-down form ([`Gathered::cut`]) no
/// longer holds, gathered an account at a time for a streamed evaluation.
#[derive(Debug, Default)]
pub struct Gathered {
    key_users: kms::KeyUsers,
}

impl Gathered {
    /// Gathers from one more whole account.
    pub fn add(&mut self, account: &Account) {
        kms::add_key_users(&mut self.key_users, account);
    }

    /// Cuts an account down to what rules read of other accounts than the one they
    /// assess, and facts of the whole organization: its identity, IAM, keys, buckets,
    /// VPCs, gateways, DNS, logging and services stay; its subnets, security groups,
    /// route tables, network ACLs, endpoints, load balancer listeners, NAT gateways,
    /// volumes, databases and certificates go (only rules assessing the account itself
    /// read them, and the facts that do, [`Gathered::add`] has read).
    pub fn cut(account: &mut Account) {
        let n = &mut account.network;
        n.subnets = Vec::new();
        n.security_groups = Vec::new();
        n.route_tables = Vec::new();
        n.network_acls = Vec::new();
        n.vpc_endpoints = Vec::new();
        n.load_balancer_listeners = Vec::new();
        n.nat_gateways = Vec::new();
        let s = &mut account.storage;
        s.ebs_volumes = Vec::new();
        s.rds_instances = Vec::new();
        s.rds_clusters = Vec::new();
        account.certificates.acm = Vec::new();
    }
}

/// Facts for the whole snapshot.
#[derive(Debug, Clone)]
pub struct Facts {
    accounts: HashMap<String, AccountFacts>,
    params: Parameters,
    vpc_ranges: network::OrgVpcRanges,
    key_users: kms::KeyUsers,
    org_analyzers: services::OrganizationAnalyzers,
    organization: access::Organization,
    /// SCP and RCP chains, indexed on first use.
    chains: [OnceLock<iam::ChainIndex>; 2],
    /// The snapshot's bucket and key policies, indexed on first use.
    resource_policies: Arc<OnceLock<iam::ResourcePolicyIndex>>,
    /// Who can assume which role, decided on first use.
    trust: Arc<trust::TrustGraph>,
}

impl Facts {
    /// Derives the facts of a snapshot under the given parameters.
    pub fn derive(snapshot: &Snapshot, params: &Parameters) -> Facts {
        let accounts = snapshot
            .accounts
            .iter()
            .map(|account| (account.id.clone(), account_facts(snapshot, account, params)))
            .collect();
        let organization = access::Organization::new(snapshot, &accounts);
        Facts {
            accounts,
            params: params.clone(),
            vpc_ranges: network::OrgVpcRanges::new(snapshot),
            key_users: kms::key_users(snapshot),
            org_analyzers: services::organization_analyzers(snapshot),
            organization,
            chains: Default::default(),
            resource_policies: Arc::default(),
            trust: Arc::default(),
        }
    }

    /// Derives the facts of a streamed snapshot: `index` holds every account cut down to
    /// what other accounts' rules read ([`Gathered::cut`]), and `gathered`, what the facts
    /// needed of the whole accounts as they streamed past.
    pub fn derive_streamed(index: &Snapshot, params: &Parameters, gathered: Gathered) -> Facts {
        let mut facts = Facts::derive(index, params);
        facts.key_users = gathered.key_users;
        facts
    }

    /// The snapshot's bucket and key policies, indexed once by the accounts they can grant
    /// to.
    pub fn resource_policies(&self, snapshot: &Snapshot) -> &iam::ResourcePolicyIndex {
        self.resource_policies
            .get_or_init(|| iam::ResourcePolicyIndex::new(snapshot, self))
    }

    /// The organization's role-assumption graph, its edges decided on first use and shared
    /// by every rule and account.
    pub fn trust_graph(&self) -> &trust::TrustGraph {
        &self.trust
    }

    /// Every account's chain of organization policies of `kind`, computed once.
    pub fn policy_chains(&self, snapshot: &Snapshot, kind: OrgPolicyKind) -> &iam::ChainIndex {
        let slot = match kind {
            OrgPolicyKind::ServiceControlPolicy => &self.chains[0],
            OrgPolicyKind::ResourceControlPolicy => &self.chains[1],
        };
        slot.get_or_init(|| iam::ChainIndex::new(snapshot, self, kind))
    }

    /// The organization's accounts for access questions: their contexts and classes.
    pub fn organization(&self) -> &access::Organization {
        &self.organization
    }

    /// The facts of one account; `None` for an account not in the snapshot.
    pub fn account(&self, account_id: &str) -> Option<&AccountFacts> {
        self.accounts.get(account_id)
    }

    /// The environment of an account (`None` when unmapped or unknown).
    pub fn environment(&self, account_id: &str) -> Option<&str> {
        self.account(account_id)?.environment.as_deref()
    }

    /// Whether the account's environment is one of `environments` (never, when unmapped).
    pub fn environment_in(&self, account_id: &str, environments: &[&str]) -> bool {
        self.environment(account_id)
            .is_some_and(|e| environments.contains(&e))
    }

    /// Whether the account is production, non-production or neither.
    pub fn stage(&self, account_id: &str) -> Stage<'_> {
        let Some(facts) = self.account(account_id) else {
            return Stage::Unread;
        };
        match facts.environment.as_deref() {
            None => Stage::Unmapped,
            Some(env) => self.stage_of(env),
        }
    }

    /// Whether an environment is production, non-production or neither (as
    /// [`Facts::stage`] says of an account's).
    pub fn stage_of<'e>(&self, environment: &'e str) -> Stage<'e> {
        if environment == PRODUCTION_ENVIRONMENT {
            Stage::Production
        } else if self
            .params
            .workload_environments
            .iter()
            .any(|w| w == environment)
        {
            Stage::NonProduction(environment)
        } else {
            Stage::Other(environment)
        }
    }

    /// Whether `account` is active and its environment is one of `environments`: the
    /// scope of the rules that judge some environments only.
    pub fn is_active_in(&self, account: &Account, environments: &[&str]) -> bool {
        account.status == AccountStatus::Active && self.environment_in(&account.id, environments)
    }

    /// The effective classification of a resource with `tags` in `account_id`:
    /// resource tag > account tag > OU tag (nearest first) > ruleset default.
    pub fn classification(&self, account_id: &str, tags: &Tags) -> Classification {
        let inherited = self.account(account_id).map(|a| &a.inherited);
        match Parameters::tag(tags, &self.params.classification_tags).map(|(_, v)| v) {
            Some(value) if self.is_level(value) => Classification {
                level: value.to_owned(),
                source: ClassificationSource::Resource,
                invalid_tag: None,
            },
            own => {
                let mut c = inherited
                    .cloned()
                    .unwrap_or_else(|| self.default_classification());
                if let Some(bad) = own {
                    c.invalid_tag = Some(bad.to_owned());
                }
                c
            }
        }
    }

    /// Whether `account` is a network hub account: its id or name matches
    /// `network_accounts`.
    pub fn is_network_account(&self, account: &Account) -> bool {
        matches_account(&self.params.network_accounts, account)
    }

    /// Whether `account` is a builder (pipeline) account: its environment is `builder`, or
    /// its id or name matches `builder_accounts`.
    pub fn is_builder_account(&self, account: &Account) -> bool {
        self.environment(&account.id) == Some("builder")
            || matches_account(&self.params.builder_accounts, account)
    }

    /// Whether the account is a security account (its environment is `security`: in the
    /// default mapping, the Security OU's audit / security tooling and log archive
    /// accounts).
    pub fn is_security_account(&self, account_id: &str) -> bool {
        self.environment(account_id) == Some(SECURITY_ENVIRONMENT)
    }

    /// The account's break-glass roles: roles whose name matches `break_glass_roles`
    /// (service-linked roles excepted).
    pub fn break_glass_roles<'a>(&self, account: &'a Account) -> Vec<&'a IamRole> {
        self.roles_named(account, &self.params.break_glass_roles)
    }

    /// The account's roles whose name matches one of `globs` (ignoring case),
    /// service-linked roles excepted.
    pub fn roles_named<'a>(&self, account: &'a Account, globs: &[String]) -> Vec<&'a IamRole> {
        account
            .iam
            .roles
            .iter()
            .filter(|r| !r.service_linked)
            .filter(|r| {
                globs
                    .iter()
                    .any(|g| rampart_iam::wildcard::matches_ignore_case(g, &r.name))
            })
            .collect()
    }

    /// The account's owning team (the first `owner_tags` key it has), if any.
    pub fn owner<'a>(&self, account: &'a Account) -> Option<&'a str> {
        Parameters::tag(&account.tags, &self.params.owner_tags).map(|(_, v)| v)
    }

    /// The workload the account runs (the first `workload_tags` key it has), if any.
    pub fn workload<'a>(&self, account: &'a Account) -> Option<&'a str> {
        Parameters::tag(&account.tags, &self.params.workload_tags).map(|(_, v)| v)
    }

    /// Whether a level is sensitive under the ruleset.
    pub fn is_sensitive(&self, level: &str) -> bool {
        self.params
            .sensitive_classifications
            .iter()
            .any(|l| l == level)
    }

    /// The parameters the facts were derived with.
    pub fn parameters(&self) -> &Parameters {
        &self.params
    }

    fn is_level(&self, value: &str) -> bool {
        self.params.classification_levels.iter().any(|l| l == value)
    }

    fn default_classification(&self) -> Classification {
        Classification {
            level: self.params.default_classification.clone(),
            source: ClassificationSource::Default,
            invalid_tag: None,
        }
    }
}

fn account_facts(snapshot: &Snapshot, account: &Account, params: &Parameters) -> AccountFacts {
    let org = &snapshot.organization;
    // Walk up from the parent to the root; the path is bounded by the OU count, and the
    // loader has rejected cycles.
    let mut chain = Vec::new();
    let mut current = account.parent_id.as_str();
    while let Some(ou) = org.ou(current) {
        chain.push(ou);
        current = &ou.parent_id;
        if chain.len() > org.organizational_units.len() {
            break;
        }
    }
    chain.reverse();
    let ou_path = chain
        .iter()
        .map(|ou| ou.name.as_str())
        .collect::<Vec<_>>()
        .join("/");
    let ou_ids = chain.iter().map(|ou| ou.id.clone()).collect();

    let keys = &params.classification_tags;
    let value_of = |tags: &Tags| Parameters::tag(tags, keys).map(|(_, v)| v.to_owned());
    let is_level = |v: &String| params.classification_levels.contains(v);
    let own_tag = value_of(&account.tags);
    // Most specific first: the account, then OUs nearest first, then the root.
    let candidates = std::iter::once((ClassificationSource::Account, own_tag.clone()))
        .chain(
            chain
                .iter()
                .rev()
                .map(|ou| (ClassificationSource::OrganizationalUnit, value_of(&ou.tags))),
        )
        .chain(std::iter::once((
            ClassificationSource::OrganizationalUnit,
            value_of(&org.root.tags),
        )));
    let mut invalid_tag = None;
    let mut inherited = None;
    for (source, value) in candidates {
        match value {
            Some(v) if is_level(&v) => {
                inherited = Some((v, source));
                break;
            }
            Some(v) if invalid_tag.is_none() => invalid_tag = Some(v),
            _ => {}
        }
    }
    let (level, source) = inherited.unwrap_or_else(|| {
        (
            params.default_classification.clone(),
            ClassificationSource::Default,
        )
    });
    AccountFacts {
        environment: environment_of(account, &ou_path, params),
        ou_path,
        ou_ids,
        inherited: Classification {
            level,
            source,
            invalid_tag,
        },
        own_tag,
    }
}

/// Whether an account's id equals, or its name matches (a glob, ignoring case), one of
/// `selectors`.
fn matches_account(selectors: &[String], account: &Account) -> bool {
    selectors
        .iter()
        .any(|s| s == &account.id || rampart_iam::wildcard::matches_ignore_case(s, &account.name))
}

/// The account tag wins over the OU mapping: it is the more specific statement.
fn environment_of(account: &Account, ou_path: &str, params: &Parameters) -> Option<String> {
    if let Some(tagged) = tagged_environment(account, params) {
        return Some(tagged.environment);
    }
    ou_environment(ou_path, params).map(|m| m.environment.clone())
}

/// An environment an account's tag names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedEnvironment<'a> {
    /// The tag key found (the first of the mapping's `tags` present).
    pub key: &'a str,
    /// Its value, as written.
    pub value: &'a str,
    /// The environment it means (through `tag_values`, else the value lowercased).
    pub environment: String,
}

/// The environment an account's own tag names, if it has one of the mapping's tag keys.
pub fn tagged_environment<'a>(
    account: &'a Account,
    params: &Parameters,
) -> Option<TaggedEnvironment<'a>> {
    environment_tag(&account.tags, params)
}

/// The environment that `tags` name with one of the mapping's tag keys (on an account, or
/// on a resource that states its own environment).
pub fn environment_tag<'a>(tags: &'a Tags, params: &Parameters) -> Option<TaggedEnvironment<'a>> {
    let mapping = &params.environments;
    let (key, value) = Parameters::tag(tags, &mapping.tags)?;
    let mapped = mapping
        .tag_values
        .iter()
        .find(|(_, values)| values.iter().any(|v| v.eq_ignore_ascii_case(value)))
        .map(|(env, _)| env.clone());
    Some(TaggedEnvironment {
        key,
        value,
        environment: mapped.unwrap_or_else(|| value.to_lowercase()),
    })
}

/// The OU mapping that applies to an OU path (names from the root, `Workloads/Prod`): the
/// longest mapped path that is the path itself or above it.
pub fn ou_environment<'p>(ou_path: &str, params: &'p Parameters) -> Option<&'p OuEnvironment> {
    params
        .environments
        .ou
        .iter()
        .filter(|m| {
            m.path.is_empty()
                || ou_path == m.path
                || ou_path
                    .strip_prefix(m.path.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|m| m.path.len())
}

/// A facts cache's lock: a thread that panicked holding it left a cache that is still
/// consistent (entries are inserted whole), so the poison is ignored.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(test)]
mod tests;
