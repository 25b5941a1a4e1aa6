//! Effective permissions: what a principal of the snapshot can do after SCPs, RCPs,
//! permissions boundaries and resource-based policies, computed with `policy::evaluate`.
//!
//! A permission is a (action, resource pattern) pair. Candidate actions are the catalog
//! actions that the principal's `Allow` statements name (identity policies, and resource
//! policies of the snapshot's buckets and keys); candidate resources are the `Resource`
//! patterns of those statements, evaluated as written (`arn:aws:s3:::data/*` stands for
//! every object under `data/`). Requests carry no condition keys beyond those AWS derives
//! from the principal, `aws:SecureTransport` (TLS) and, for a request denied without it,
//! `aws:RequestedRegion` set to each region the organization works in; so a grant that
//! needs more context (`aws:SourceIp`, MFA…) is not counted: what is listed is what the
//! principal can do without conditions, in the regions it may use.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use super::access::Audience;
use super::{lock, Facts};
use crate::model::{Account, IamRole, IamUser, OrgPolicyKind, PolicyDocument, Snapshot};
use rampart_iam::catalog::{AccessLevel, ActionCatalog};
use rampart_iam::evaluate::{evaluate, Decision, PolicyInputs, Principal, Request};
use rampart_iam::wildcard::Pattern;
use rampart_iam::{ContextValue, Effect, Policy, RequestContext, StringSet};

/// The policies that govern one IAM principal of the snapshot.
#[derive(Debug, Clone)]
pub struct PrincipalPolicies {
    /// The principal.
    pub principal: Principal,
    /// Inline and attached managed policies.
    pub identity: Vec<Policy>,
    /// The permissions boundary.
    pub boundary: Option<Policy>,
    /// SCPs by level (root, OUs, account), or `None` when the organization has none;
    /// shared by the principals of accounts with the same chain.
    pub scp_chain: SharedChain,
}

/// Why a principal's permissions cannot be computed: data that was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotAssessable(pub String);

/// The parsed policy of a document, or why it cannot be read: the document named, with the
/// line and column of the problem in its text.
pub fn parsed<'d>(what: &str, doc: &'d PolicyDocument) -> Result<&'d Policy, NotAssessable> {
    doc.policy().map_err(|e| {
        NotAssessable(format!(
            "{what} does not parse (line {}, column {} of the document): {}",
            e.position.line, e.position.column, e.message
        ))
    })
}

fn parse(what: &str, doc: &PolicyDocument) -> Result<Policy, NotAssessable> {
    parsed(what, doc).cloned()
}

/// The request AWS would see from a principal of `account` using TLS, with the
/// organization's keys when the account is a member ([`organization_context`]), which
/// data-perimeter policies read. Nothing else is assumed.
pub fn request_context(snapshot: &Snapshot, facts: &Facts, account: &str) -> RequestContext {
    let mut context = organization_context(snapshot, facts, account);
    context.insert(
        "aws:SecureTransport",
        ContextValue::Single("true".to_owned()),
    );
    context
}

/// The condition keys AWS sets for a principal of an organization account:
/// `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` (`o-…/r-…/ou-…/`); none for an
/// account outside the organization.
pub fn organization_context(_snapshot: &Snapshot, facts: &Facts, account: &str) -> RequestContext {
    facts
        .organization()
        .account(account)
        .map(|a| a.context.clone())
        .unwrap_or_default()
}

/// The organization policies of `kind` that apply to `account`, level by level: the
/// root, each OU from the top, the account. `None` when the snapshot has no policy of
/// that kind (the policy type is not enabled, or none was read).
pub fn org_policy_chain(
    snapshot: &Snapshot,
    facts: &Facts,
    account_id: &str,
    kind: OrgPolicyKind,
) -> Result<Option<Vec<Vec<Policy>>>, NotAssessable> {
    let policies: Vec<_> = snapshot
        .organization
        .policies
        .iter()
        .filter(|p| p.kind == kind)
        .collect();
    if policies.is_empty() {
        return Ok(None);
    }
    chain_targets(snapshot, facts, account_id)
        .into_iter()
        .map(|target| {
            policies
                .iter()
                .filter(|p| p.targets.iter().any(|t| t == target))
                .map(|p| parse(&format!("policy `{}`", p.name), &p.document))
                .collect()
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The organization policies of `kind` that apply to `account_id`, as
/// [`org_policy_chain`] gives them, from the chains computed once per evaluation
/// ([`Facts::policy_chains`]) for an account of the snapshot.
pub fn shared_chain(
    snapshot: &Snapshot,
    facts: &Facts,
    account_id: &str,
    kind: OrgPolicyKind,
) -> Result<SharedChain, NotAssessable> {
    match facts.policy_chains(snapshot, kind).chain(account_id) {
        Some((_, chain)) => chain,
        None => Ok(org_policy_chain(snapshot, facts, account_id, kind)?.map(Arc::from)),
    }
}

/// A policy chain shared by every account whose chain holds the same policies at the same
/// levels.
pub type SharedChain = Option<Arc<[Vec<Policy>]>>;

/// Every account's organization policy chain of one kind, computed once per evaluation
/// ([`Facts::policy_chains`]): accounts whose chains hold the same policies share one
/// chain and one id, so that a question put to a chain is asked once per distinct chain.
#[derive(Debug, Clone, Default)]
pub struct ChainIndex {
    /// Account id → chain id.
    by_account: HashMap<String, usize>,
    /// By chain id: the chain or why it cannot be read, and what its policies name.
    chains: Vec<(Result<SharedChain, NotAssessable>, Vec<Audience>)>,
}

impl ChainIndex {
    pub(super) fn new(snapshot: &Snapshot, facts: &Facts, kind: OrgPolicyKind) -> Self {
        let mut index = ChainIndex::default();
        let mut by_key: HashMap<Vec<Vec<usize>>, usize> = HashMap::new();
        let policies: Vec<(usize, &crate::model::OrgPolicy)> = snapshot
            .organization
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == kind)
            .collect();
        for account in &snapshot.accounts {
            let key: Vec<Vec<usize>> = chain_targets(snapshot, facts, &account.id)
                .iter()
                .map(|target| {
                    policies
                        .iter()
                        .filter(|(_, p)| p.targets.iter().any(|t| t == target))
                        .map(|(i, _)| *i)
                        .collect()
                })
                .collect();
            let id = *by_key.entry(key).or_insert_with(|| {
                let chain: Result<SharedChain, NotAssessable> =
                    org_policy_chain(snapshot, facts, &account.id, kind).map(|c| c.map(Arc::from));
                let audiences = match &chain {
                    Ok(Some(levels)) => levels.iter().flatten().map(Audience::of).collect(),
                    _ => Vec::new(),
                };
                index.chains.push((chain, audiences));
                index.chains.len() - 1
            });
            index.by_account.entry(account.id.clone()).or_insert(id);
        }
        index
    }

    /// The chain of an account of the snapshot, with its id: `None` for an account not in
    /// the snapshot.
    pub fn chain(&self, account_id: &str) -> Option<(usize, Result<SharedChain, NotAssessable>)> {
        let id = *self.by_account.get(account_id)?;
        Some((id, self.chains[id].0.clone()))
    }

    /// Whether a policy of the chain `id` names `account` (so that a question about a
    /// principal of that account is not the same as for another account with this chain).
    pub fn names(&self, id: usize, account: &str) -> bool {
        self.chains
            .get(id)
            .is_some_and(|(_, audiences)| audiences.iter().any(|a| !a.is_generic(account)))
    }
}

/// The ids of the organization policies of `kind` that apply to `account_id`, level by
/// level and in the order of [`org_policy_chain`]'s documents, so that a matched statement's
/// (level, document) names its policy.
pub fn org_policy_ids<'s>(
    snapshot: &'s Snapshot,
    facts: &Facts,
    account_id: &str,
    kind: OrgPolicyKind,
) -> Vec<Vec<&'s str>> {
    chain_targets(snapshot, facts, account_id)
        .into_iter()
        .map(|target| {
            snapshot
                .organization
                .policies
                .iter()
                .filter(|p| p.kind == kind && p.targets.iter().any(|t| t == target))
                .map(|p| p.id.as_str())
                .collect()
        })
        .collect()
}

/// Where a matched statement of an organization policy is, as evidence names it:
/// `scp[p-123].statement[0]` (with the `Sid` when it has one).
pub fn org_statement_path(
    ids: &[Vec<&str>],
    kind: &str,
    m: &rampart_iam::evaluate::MatchedStatement,
) -> String {
    let id = m
        .level
        .and_then(|l| ids.get(l))
        .and_then(|docs| docs.get(m.document))
        .copied()
        .unwrap_or("?");
    match &m.sid {
        Some(sid) => format!("{kind}[{id}].statement[{}:{sid}]", m.statement),
        None => format!("{kind}[{id}].statement[{}]", m.statement),
    }
}

/// The targets whose policies apply to an account, level by level: the root, each OU
/// from the top, the account.
fn chain_targets<'a>(
    snapshot: &'a Snapshot,
    facts: &'a Facts,
    account_id: &'a str,
) -> Vec<&'a str> {
    let mut targets = vec![snapshot.organization.root.id.as_str()];
    if let Some(f) = facts.account(account_id) {
        targets.extend(f.ou_ids.iter().map(String::as_str));
    }
    targets.push(account_id);
    targets
}

fn managed(account: &Account, arn: &str) -> Result<Policy, NotAssessable> {
    let policy = account
        .iam
        .managed_policy(arn)
        .ok_or_else(|| NotAssessable(format!("managed policy `{arn}` was not read")))?;
    parse(&format!("managed policy `{arn}`"), &policy.document)
}

/// What [`role_policies`] and [`user_policies`] read of a role or a user.
struct IdentityParts<'a> {
    arn: &'a str,
    tags: &'a std::collections::BTreeMap<String, String>,
    inline: &'a BTreeMap<String, PolicyDocument>,
    attached: &'a [String],
    boundary: Option<&'a str>,
    service_linked: bool,
}

fn principal_policies(
    snapshot: &Snapshot,
    facts: &Facts,
    account: &Account,
    parts: IdentityParts<'_>,
) -> Result<PrincipalPolicies, NotAssessable> {
    let mut identity = Vec::new();
    for (name, doc) in parts.inline {
        identity.push(parse(&format!("inline policy `{name}`"), doc)?);
    }
    for arn in parts.attached {
        identity.push(managed(account, arn)?);
    }
    Ok(PrincipalPolicies {
        principal: Principal {
            arn: parts.arn.to_owned(),
            account: account.id.clone(),
            is_management_account: account.id == snapshot.organization.management_account_id,
            is_service_linked_role: parts.service_linked,
            tags: parts.tags.clone(),
        },
        identity,
        boundary: parts
            .boundary
            .map(|arn| managed(account, arn))
            .transpose()?,
        scp_chain: shared_chain(
            snapshot,
            facts,
            &account.id,
            OrgPolicyKind::ServiceControlPolicy,
        )?,
    })
}

/// The policies of a role.
pub fn role_policies(
    snapshot: &Snapshot,
    facts: &Facts,
    account: &Account,
    role: &IamRole,
) -> Result<PrincipalPolicies, NotAssessable> {
    let parts = IdentityParts {
        arn: &role.arn,
        tags: &role.tags,
        inline: &role.inline_policies,
        attached: &role.attached_policy_arns,
        boundary: role.permissions_boundary_arn.as_deref(),
        service_linked: role.service_linked,
    };
    principal_policies(snapshot, facts, account, parts)
}

/// The policies of a user.
pub fn user_policies(
    snapshot: &Snapshot,
    facts: &Facts,
    account: &Account,
    user: &IamUser,
) -> Result<PrincipalPolicies, NotAssessable> {
    let parts = IdentityParts {
        arn: &user.arn,
        tags: &user.tags,
        inline: &user.inline_policies,
        attached: &user.attached_policy_arns,
        boundary: user.permissions_boundary_arn.as_deref(),
        service_linked: false,
    };
    principal_policies(snapshot, facts, account, parts)
}

/// Where a permission comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrantSource {
    /// The principal's identity-based policies.
    Identity,
    /// A resource-based policy (bucket or key policy) of the snapshot.
    ResourcePolicy,
}

/// One thing a principal can do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Grant {
    /// `service:Action`, in the catalog's casing.
    pub action: String,
    /// The action's access level.
    pub access_level: AccessLevel,
    /// The resource pattern it is allowed on.
    pub resource: String,
    /// Where the allow comes from.
    pub source: GrantSource,
}

/// A principal's effective permissions.
#[derive(Debug, Clone, Serialize)]
pub struct EffectivePermissions {
    /// The principal's ARN.
    pub principal: String,
    /// Every grant, sorted.
    pub grants: Vec<Grant>,
}

impl EffectivePermissions {
    /// Grant counts by service and access level.
    pub fn summary(&self) -> BTreeMap<String, BTreeMap<&'static str, usize>> {
        let mut out: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for g in &self.grants {
            if !seen.insert(&g.action) {
                continue;
            }
            let service = g.action.split(':').next().unwrap_or_default().to_owned();
            *out.entry(service)
                .or_default()
                .entry(g.access_level.as_str())
                .or_default() += 1;
        }
        out
    }

    /// Whether the principal can perform an action of this access level on any resource.
    pub fn has_access_level(&self, level: AccessLevel) -> bool {
        self.grants.iter().any(|g| g.access_level == level)
    }
}

/// Which actions to consider.
#[derive(Debug, Clone, Copy)]
pub enum ActionSelector<'a> {
    /// Every action of the catalog.
    All,
    /// Actions matching a wildcard pattern (`s3:*`).
    Matching(&'a str),
    /// Exactly these actions (catalog casing): the cheap form for rules.
    Only(&'a [&'a str]),
}

/// An [`ActionSelector`] ready for matching: its patterns compiled once, not per statement.
enum Selection<'a> {
    All,
    /// The filter, lowercased (actions match case-insensitively).
    Matching(Pattern),
    /// Each action lowercased, with the action as given.
    Only(Vec<(String, &'a str)>),
}

impl<'a> Selection<'a> {
    fn new(selector: ActionSelector<'a>) -> Self {
        match selector {
            ActionSelector::All => Selection::All,
            ActionSelector::Matching(filter) => {
                Selection::Matching(Pattern::parse(&filter.to_lowercase()))
            }
            ActionSelector::Only(list) => {
                Selection::Only(list.iter().map(|a| (a.to_lowercase(), *a)).collect())
            }
        }
    }

    /// The catalog actions a policy pattern names, within the selection; `compiled` is the
    /// pattern lowercased and parsed (as [`StatementMatchers`] holds it).
    fn expand<'c>(
        &self,
        catalog: &'c ActionCatalog,
        pattern: &str,
        compiled: &Pattern,
    ) -> Vec<&'c str> {
        match self {
            Selection::All => catalog.expand(pattern),
            Selection::Matching(filter) => catalog
                .expand(pattern)
                .into_iter()
                .filter(|a| filter.matches(&a.to_lowercase()))
                .collect(),
            Selection::Only(list) => list
                .iter()
                .filter(|(lower, _)| compiled.matches(lower))
                .filter_map(|(_, a)| catalog.action(a).map(|i| i.name))
                .collect(),
        }
    }
}

/// The effective permissions of one principal, for the selected actions. To ask for many
/// principals of one snapshot, use a [`PermissionsAnalysis`]: it reads the snapshot's
/// resource policies once.
pub fn effective_permissions(
    snapshot: &Snapshot,
    facts: &Facts,
    catalog: &ActionCatalog,
    policies: &PrincipalPolicies,
    selector: ActionSelector<'_>,
) -> Result<EffectivePermissions, NotAssessable> {
    PermissionsAnalysis::new(snapshot, facts, catalog, selector).of(policies)
}

/// Where a bucket or key policy of the snapshot is: its account's index, and the bucket's
/// or the key's.
#[derive(Debug, Clone, Copy)]
enum PolicyAt {
    Bucket(usize, usize),
    Key(usize, usize),
}

impl PolicyAt {
    /// What it is (`bucket policy`), the resource's ARN, the owner's id and the document.
    fn read(self, snapshot: &Snapshot) -> Option<(&'static str, &str, &str, &PolicyDocument)> {
        match self {
            PolicyAt::Bucket(a, i) => {
                let account = snapshot.accounts.get(a)?;
                let b = account.storage.s3_buckets.get(i)?;
                Some(("bucket policy", &b.arn, &account.id, b.policy.as_ref()?))
            }
            PolicyAt::Key(a, i) => {
                let account = snapshot.accounts.get(a)?;
                let k = account.kms_keys.get(i)?;
                Some(("key policy", &k.arn, &account.id, k.policy.as_ref()?))
            }
        }
    }
}

/// The snapshot's bucket and key policies, indexed once per evaluation
/// ([`Facts::resource_policies`]) by the accounts whose principals they can grant to: a
/// policy of another account grants a principal nothing unless one of its `Allow`
/// statements admits the principal's account (cross-account access needs the owner's
/// consent), so a principal's permissions read only its own account's policies and those
/// that admit it.
#[derive(Debug, Default)]
pub struct ResourcePolicyIndex {
    /// In account order (buckets, then keys), up to the first that does not parse.
    entries: Vec<PolicyAt>,
    /// The first reason the policies cannot all be used, in that order: a policy that does
    /// not parse, or the RCPs of a policy's account.
    error: Option<NotAssessable>,
    /// Entries by account: those it owns and those naming it in an `Allow` principal.
    by_account: HashMap<String, Vec<usize>>,
    /// Entries that may admit any account.
    anyone: Vec<usize>,
    /// The ARNs of the snapshot's AWS managed keys: RCPs do not apply to them.
    aws_managed_keys: HashSet<String>,
    /// Each selection's candidate grants by entry, computed on first use.
    candidates: Mutex<HashMap<String, Arc<SelectionCandidates>>>,
}

/// The candidate grants of every entry under one selection, shared by every principal.
#[derive(Debug)]
struct SelectionCandidates {
    /// By entry, computed on first use.
    entries: Vec<OnceLock<OwnedCandidates>>,
    /// The entries that may admit any account and name a selected action: the only ones of
    /// `anyone` a principal must read (a policy that names none grants nothing selected,
    /// whatever its conditions and RCPs), so that a principal does not scan every such
    /// policy of the organization.
    anyone_granting: OnceLock<Vec<usize>>,
    /// By account, the entries that may grant to its principals and name a selected
    /// action, in order: what each of its principals reads (an account of many principals
    /// and many policies of its own filters them once, not once per principal).
    granting: Mutex<HashMap<String, Arc<[usize]>>>,
}

impl SelectionCandidates {
    /// The entries granting to `account`'s principals, computed by `compute` on first use.
    fn granting(&self, account: &str, compute: impl FnOnce() -> Vec<usize>) -> Arc<[usize]> {
        if let Some(found) = lock(&self.granting).get(account) {
            return Arc::clone(found);
        }
        // Computed outside the lock (two threads may both compute it; the same list).
        let computed: Arc<[usize]> = compute().into();
        Arc::clone(
            lock(&self.granting)
                .entry(account.to_owned())
                .or_insert(computed),
        )
    }
}

/// Candidate grants of one resource policy, owned so that every account's analysis shares
/// them.
type OwnedCandidates = Vec<(String, BTreeSet<String>)>;

impl ResourcePolicyIndex {
    pub(super) fn new(snapshot: &Snapshot, facts: &Facts) -> Self {
        let mut index = ResourcePolicyIndex::default();
        let rcps = facts.policy_chains(snapshot, OrgPolicyKind::ResourceControlPolicy);
        index.aws_managed_keys = snapshot
            .accounts
            .iter()
            .flat_map(|a| &a.kms_keys)
            .filter(|k| k.key_manager == "AWS")
            .map(|k| k.arn.clone())
            .collect();
        'accounts: for (a, account) in snapshot.accounts.iter().enumerate() {
            let buckets = (0..account.storage.s3_buckets.len()).map(|i| PolicyAt::Bucket(a, i));
            let keys = (0..account.kms_keys.len()).map(|i| PolicyAt::Key(a, i));
            for at in buckets.chain(keys) {
                let Some((kind, arn, owner, doc)) = at.read(snapshot) else {
                    continue;
                };
                let policy = match parsed(&format!("{kind} of `{arn}`"), doc) {
                    Ok(p) => p,
                    Err(e) => {
                        index.error.get_or_insert(e);
                        break 'accounts;
                    }
                };
                if let Some((_, Err(e))) = rcps.chain(owner) {
                    index.error.get_or_insert(e);
                }
                let n = index.entries.len();
                index.entries.push(at);
                index
                    .by_account
                    .entry(owner.to_owned())
                    .or_default()
                    .push(n);
                match super::access::admitted_accounts(policy) {
                    None => index.anyone.push(n),
                    Some(accounts) => {
                        for other in accounts.into_iter().filter(|o| o != owner) {
                            index.by_account.entry(other).or_default().push(n);
                        }
                    }
                }
            }
        }
        index
    }

    /// The entries that may grant to a principal of `account`, in order: its own, those
    /// naming it, and of those admitting anyone, the ones in `anyone_granting`.
    fn for_account(&self, account: &str, anyone_granting: &[usize]) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .by_account
            .get(account)
            .into_iter()
            .flatten()
            .chain(anyone_granting)
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The candidate grants of every entry under one selection (`key` names it).
    fn candidates(&self, key: &str) -> Arc<SelectionCandidates> {
        let mut map = lock(&self.candidates);
        Arc::clone(map.entry(key.to_owned()).or_insert_with(|| {
            Arc::new(SelectionCandidates {
                entries: self.entries.iter().map(|_| OnceLock::new()).collect(),
                anyone_granting: OnceLock::new(),
                granting: Mutex::default(),
            })
        }))
    }
}

/// Candidate grants: catalog action → the resource patterns it is named with.
type Candidates<'c> = BTreeMap<&'c str, BTreeSet<String>>;

/// Effective permissions of the principals of one snapshot, for one selection of actions.
///
/// What the snapshot's bucket and key policies name (their candidate grants) is the same
/// for every principal: it is collected once per evaluation and selection
/// ([`Facts::resource_policies`]), and a principal reads only the policies that can grant
/// to its account.
pub struct PermissionsAnalysis<'s, 'c, 'a> {
    snapshot: &'s Snapshot,
    facts: &'s Facts,
    catalog: &'c ActionCatalog,
    selection: Selection<'a>,
    /// The selection as text: the key of its candidates in the shared index.
    selection_key: String,
}

impl<'s, 'c, 'a> PermissionsAnalysis<'s, 'c, 'a> {
    /// An analysis of `snapshot` for the actions `selector` selects.
    pub fn new(
        snapshot: &'s Snapshot,
        facts: &'s Facts,
        catalog: &'c ActionCatalog,
        selector: ActionSelector<'a>,
    ) -> Self {
        PermissionsAnalysis {
            snapshot,
            facts,
            catalog,
            selection: Selection::new(selector),
            selection_key: format!("{selector:?}"),
        }
    }

    /// The effective permissions of one principal of the snapshot.
    pub fn of(&self, policies: &PrincipalPolicies) -> Result<EffectivePermissions, NotAssessable> {
        let (snapshot, facts, catalog) = (self.snapshot, self.facts, self.catalog);
        let principal = &policies.principal;
        let mut grants = BTreeSet::new();

        // Identity grants: every action an Allow statement names, on each of its resources.
        let mut candidates = Candidates::new();
        for doc in &policies.identity {
            collect_candidates(catalog, &self.selection, doc, None, &mut candidates);
        }
        let empty = request_context(snapshot, facts, &principal.account);
        let mut regions = facts.parameters().workload_regions();
        if !regions.iter().any(|r| r == "us-east-1") {
            regions.push("us-east-1".to_owned());
        }
        let rcp_chain = |account: &str| {
            shared_chain(
                snapshot,
                facts,
                account,
                OrgPolicyKind::ResourceControlPolicy,
            )
        };
        let own_rcps = rcp_chain(&principal.account)?;
        let decide = |action: &str,
                      resource: &str,
                      account: &str,
                      resource_policy: Option<&Policy>,
                      rcps: Option<&[Vec<Policy>]>| {
            let request = Request {
                action: action.to_owned(),
                resource: resource.to_owned(),
                resource_account: account.to_owned(),
                resource_in_management_account: account
                    == snapshot.organization.management_account_id,
                resource_is_aws_managed_key: facts
                    .resource_policies(snapshot)
                    .aws_managed_keys
                    .contains(resource),
                context: empty.clone(),
            };
            let inputs = PolicyInputs {
                identity: &policies.identity,
                resource: resource_policy,
                boundary: policies.boundary.as_ref(),
                session: None,
                scp_chain: policies.scp_chain.as_deref(),
                rcp_chain: rcps,
            };
            let allowed = |request: &Request| {
                evaluate(&inputs, principal, request).decision == Decision::Allow
            };
            // Every real request names a region (`aws:RequestedRegion`): a request denied
            // without one is asked again in each region the account may use (and us-east-1,
            // where global services answer), so that a region-deny guardrail does not hide
            // what the principal can do where it is allowed to work.
            allowed(&request)
                || regions.iter().any(|region| {
                    let mut asked = request.clone();
                    asked.context = empty.clone().with("aws:RequestedRegion", region.as_str());
                    allowed(&asked)
                })
        };
        for (action, resources) in &candidates {
            let Some(info) = catalog.action(action) else {
                continue;
            };
            for resource in resources {
                if decide(
                    action,
                    resource,
                    &principal.account,
                    None,
                    own_rcps.as_deref(),
                ) {
                    grants.insert(Grant {
                        action: info.name.to_owned(),
                        access_level: info.access_level,
                        resource: resource.clone(),
                        source: GrantSource::Identity,
                    });
                }
            }
        }

        // Resource-policy grants: bucket and key policies of the snapshot that allow this
        // principal something its identity policies alone do not. A document that does not
        // parse may grant anything: the permissions are not assessable rather than computed
        // without it.
        let index = facts.resource_policies(snapshot);
        if let Some(e) = &index.error {
            return Err(e.clone());
        }
        let shared = index.candidates(&self.selection_key);
        // An entry's owner, policy and candidate grants; `None` when it cannot be read.
        let entry = |n: usize| {
            let (_, arn, owner, doc) = index.entries[n].read(snapshot)?;
            let policy = doc.policy().ok()?;
            let candidates = shared.entries[n].get_or_init(|| {
                let mut candidates = Candidates::new();
                collect_candidates(catalog, &self.selection, policy, Some(arn), &mut candidates);
                candidates
                    .into_iter()
                    .map(|(a, r)| (a.to_owned(), r))
                    .collect()
            });
            Some((owner, policy, candidates))
        };
        let anyone_granting = shared.anyone_granting.get_or_init(|| {
            index
                .anyone
                .iter()
                .copied()
                .filter(|&n| entry(n).is_some_and(|(_, _, c)| !c.is_empty()))
                .collect()
        });
        // A policy that cannot be read, or names no selected action, grants nothing here
        // whatever its RCPs.
        let granting = shared.granting(&principal.account, || {
            index
                .for_account(&principal.account, anyone_granting)
                .into_iter()
                .filter(|&n| entry(n).is_some_and(|(_, _, c)| !c.is_empty()))
                .collect()
        });
        for &n in granting.iter() {
            let Some((owner, policy, entry_candidates)) = entry(n) else {
                continue;
            };
            let rcps = rcp_chain(owner)?;
            for (action, resources) in entry_candidates {
                let Some(info) = catalog.action(action) else {
                    continue;
                };
                for resource in resources {
                    let with = decide(action, resource, owner, Some(policy), rcps.as_deref());
                    let listed = grants
                        .iter()
                        .any(|g: &Grant| g.action == info.name && g.resource == *resource);
                    if with && !listed {
                        // The resource policy's grant only when the identity policies alone
                        // do not allow it: a same-account resource they reach through a
                        // wider pattern is theirs.
                        let identity_alone = decide(action, resource, owner, None, rcps.as_deref());
                        grants.insert(Grant {
                            action: info.name.to_owned(),
                            access_level: info.access_level,
                            resource: resource.clone(),
                            source: if identity_alone {
                                GrantSource::Identity
                            } else {
                                GrantSource::ResourcePolicy
                            },
                        });
                    }
                }
            }
        }
        Ok(EffectivePermissions {
            principal: principal.arn.clone(),
            grants: grants.into_iter().collect(),
        })
    }
}

/// Adds (action → resources) for every Allow statement of `doc`. For resource policies
/// (`owner` = the resource's ARN), `*` resources stand for the resource itself.
fn collect_candidates<'c>(
    catalog: &'c ActionCatalog,
    selection: &Selection<'_>,
    doc: &Policy,
    owner: Option<&str>,
    out: &mut Candidates<'c>,
) {
    for s in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let actions: Vec<&str> = match &s.action {
            StringSet::Listed(patterns) => patterns
                .iter()
                .enumerate()
                .flat_map(|(i, p)| {
                    // The statement's compiled pattern, unless it was built without them.
                    let compiled = match s.matchers.actions.get(i) {
                        Some(c) if s.matchers.actions.len() == patterns.len() => Cow::Borrowed(c),
                        _ => Cow::Owned(Pattern::parse(&p.to_lowercase())),
                    };
                    selection.expand(catalog, p, &compiled)
                })
                .collect(),
            StringSet::Not(_) => selection.expand(catalog, "*", &Pattern::parse("*")),
        };
        let resources: Vec<String> = match (&s.resource, owner) {
            (Some(StringSet::Listed(r)), Some(arn)) => r
                .iter()
                .map(|x| if x == "*" { arn.to_owned() } else { x.clone() })
                .collect(),
            (Some(StringSet::Listed(r)), None) => r.clone(),
            (_, Some(arn)) => vec![arn.to_owned()],
            (_, None) => vec!["*".to_owned()],
        };
        for a in actions {
            out.entry(a).or_default().extend(resources.iter().cloned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample's `DataPerimeter` RCP denies S3 and KMS to principals outside the
    /// organization (`StringNotEqualsIfExists aws:PrincipalOrgID`): the organization's own
    /// principals keep their access.
    #[test]
    fn principals_of_the_organization_pass_its_data_perimeter() {
        const BUCKET: &str = "arn:aws:s3:::app-prod-reports-888899990000";
        let grants = grants_after(
            |json| {
                app_prod(json)["iam"]["roles"][0]["inline_policies"] = serde_json::json!({"r": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                   "Resource": format!("{BUCKET}/*")}]}});
            },
            &["s3:GetObject"],
        );
        assert!(
            grants.iter().any(|g| g.resource == format!("{BUCKET}/*")),
            "{grants:#?}"
        );
    }

    /// One analysis asked for every principal answers what a fresh one answers for each,
    /// and the resource policies' candidate grants are collected once per selection.
    #[test]
    fn a_shared_analysis_answers_like_a_fresh_one() {
        let snapshot = crate::model::sample_snapshot().expect("sample");
        let facts = Facts::derive(&snapshot, &crate::ruleset::Parameters::default());
        let catalog = ActionCatalog::get().expect("catalog");
        let only = [
            "iam:PassRole",
            "s3:GetObject",
            "kms:Decrypt",
            "sts:AssumeRole",
        ];
        let selectors = [
            ActionSelector::All,
            ActionSelector::Matching("s3:*"),
            ActionSelector::Only(&only),
        ];
        let mut from_resource_policies = 0;
        for selector in selectors {
            let shared = PermissionsAnalysis::new(&snapshot, &facts, catalog, selector);
            for account in &snapshot.accounts {
                let roles = account
                    .iam
                    .roles
                    .iter()
                    .map(|r| role_policies(&snapshot, &facts, account, r));
                let users = account
                    .iam
                    .users
                    .iter()
                    .map(|u| user_policies(&snapshot, &facts, account, u));
                for policies in roles.chain(users).filter_map(Result::ok) {
                    let fresh =
                        effective_permissions(&snapshot, &facts, catalog, &policies, selector)
                            .map(|e| e.grants);
                    let reused = shared.of(&policies).map(|e| e.grants);
                    assert_eq!(fresh, reused, "{}", policies.principal.arn);
                    from_resource_policies += reused
                        .iter()
                        .flatten()
                        .filter(|g| g.source == GrantSource::ResourcePolicy)
                        .count();
                }
            }
            let index = facts.resource_policies(&snapshot);
            assert!(index.error.is_none());
            let candidates = index.candidates(&shared.selection_key);
            assert!(candidates
                .entries
                .iter()
                .any(|c| c.get().is_some_and(|c| !c.is_empty())));
        }
        assert!(
            from_resource_policies > 0,
            "the sample has grants from resource policies"
        );
    }

    /// Account 888899990000 of a snapshot's JSON.
    fn app_prod(json: &mut serde_json::Value) -> &mut serde_json::Value {
        json["accounts"]
            .as_array_mut()
            .expect("accounts")
            .iter_mut()
            .find(|a| a["id"] == "888899990000")
            .expect("app-prod")
    }

    /// The sample with `edit` applied to its JSON, and the grants of the first role of
    /// account 888899990000 for `actions`.
    fn grants_after(edit: impl FnOnce(&mut serde_json::Value), actions: &[&str]) -> Vec<Grant> {
        let mut json: serde_json::Value =
            serde_json::from_str(crate::model::SAMPLE_JSON).expect("sample");
        edit(&mut json);
        let snapshot =
            crate::model::parse_snapshot(&json.to_string(), std::path::Path::new("sample.json"))
                .expect("valid");
        let facts = Facts::derive(&snapshot, &crate::ruleset::Parameters::default());
        let catalog = ActionCatalog::get().expect("catalog");
        let account = snapshot.account("888899990000").expect("app-prod");
        let policies =
            role_policies(&snapshot, &facts, account, &account.iam.roles[0]).expect("role");
        effective_permissions(
            &snapshot,
            &facts,
            catalog,
            &policies,
            ActionSelector::Only(actions),
        )
        .expect("assessable")
        .grants
    }

    /// A same-account bucket policy that does not name the principal grants it nothing:
    /// what its identity policy reaches through a wider pattern stays the identity's.
    #[test]
    fn a_bucket_policy_naming_others_is_not_the_source_of_a_grant() {
        const BUCKET: &str = "arn:aws:s3:::app-prod-customer-uploads-888899990000";
        let grants = grants_after(
            |json| {
                let account = app_prod(json);
                account["iam"]["roles"][0]["inline_policies"] = serde_json::json!({"read": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                   "Resource": format!("{BUCKET}/*")}]}});
                account["storage"]["s3_buckets"][0]["policy"] = serde_json::json!({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow",
                                   "Principal": {"AWS": "arn:aws:iam::555566667777:role/reader"},
                                   "Action": "s3:GetObject",
                                   "Resource": format!("{BUCKET}/reports/*")}]});
            },
            &["s3:GetObject"],
        );
        let reports: Vec<&Grant> = grants
            .iter()
            .filter(|g| g.resource.starts_with(&format!("{BUCKET}/reports/")))
            .collect();
        assert!(!reports.is_empty(), "{grants:#?}");
        assert!(
            reports.iter().all(|g| g.source == GrantSource::Identity),
            "{reports:#?}"
        );
    }

    /// RCPs do not apply to AWS managed keys: an RCP that denies `kms:Decrypt` to every
    /// principal stops it on a customer managed key, not on an AWS managed one.
    #[test]
    fn rcps_do_not_restrict_aws_managed_keys() {
        const CUSTOMER: &str =
            "arn:aws:kms:eu-west-1:888899990000:key/262c86fa-8a6d-5797-825a-653bd581dd59";
        const AWS: &str =
            "arn:aws:kms:eu-west-1:888899990000:key/d41b7096-d8a4-5718-97fe-d4495ad8b03e";
        let grants = grants_after(
            |json| {
                // An RCP on the root that denies decryption to everyone.
                let mut rcp = json["organization"]["policies"]
                    .as_array()
                    .expect("policies")
                    .iter()
                    .find(|p| p["name"] == "EnforceSecureTransport")
                    .expect("an RCP")
                    .clone();
                rcp["id"] = serde_json::json!("p-nodecrypt");
                rcp["name"] = serde_json::json!("NoDecrypt");
                rcp["document"] = serde_json::json!({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt",
                    "Resource": "*"}]});
                json["organization"]["policies"]
                    .as_array_mut()
                    .expect("policies")
                    .push(rcp);
                let account = app_prod(json);
                account["iam"]["roles"][0]["inline_policies"] = serde_json::json!({"decrypt": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}});
                let open = serde_json::json!({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::888899990000:root"},
                    "Action": "kms:*", "Resource": "*"}]});
                for key in account["kms_keys"].as_array_mut().expect("keys") {
                    if key["arn"] == AWS || key["arn"] == CUSTOMER {
                        key["policy"] = open.clone();
                    }
                }
            },
            &["kms:Decrypt"],
        );
        let on = |key: &str| grants.iter().any(|g| g.resource == key);
        assert!(on(AWS), "{grants:#?}");
        assert!(!on(CUSTOMER), "{grants:#?}");
    }
}
