//! The organization's role-assumption graph: which roles of the organization can assume a
//! role (`sts:AssumeRole`), decided by the IAM evaluator with everything AWS applies (the
//! assuming role's identity policies, boundary and SCP chain, and the target's trust
//! policy). Built once per evaluation, lazily: each role's assumers are computed the first
//! time a walk asks for them and shared by every later walk, whichever account's rule
//! started it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use rampart_iam::evaluate::{
    evaluate_in_context, prepare_context, Decision, PolicyInputs, Request,
};
use rampart_iam::{Policy, PrincipalMatch};

use super::iam::{parsed, role_policies, PrincipalPolicies};
use super::{lock, Facts};
use crate::model::{AccountStatus, IamRole, Snapshot};

/// A role of the snapshot: its account's index and its own.
pub type RoleAt = (usize, usize);

/// The roles that can assume one role, and those whose step could not be judged; `Err`
/// when the role's trust policy does not parse.
pub type Assumers = Result<AssumerSet, String>;

/// The roles that can assume one role. Kept for every role a walk reached, for the whole
/// evaluation: a role trusted by every account of a large organization has tens of
/// thousands of assumers, so each is two 32-bit indexes.
#[derive(Debug, Default)]
pub struct AssumerSet {
    /// The roles that can, in the order found (account id order).
    can: Vec<[u32; 2]>,
    /// The roles whose step could not be judged, and why (shared with the role's other
    /// steps: the reason is its own policies').
    unjudged: Vec<(RoleAt, Arc<str>)>,
}

impl AssumerSet {
    /// The roles that can assume the role.
    pub fn roles(&self) -> impl Iterator<Item = RoleAt> + '_ {
        self.can.iter().map(|&[a, r]| (a as usize, r as usize))
    }

    /// The roles whose step could not be judged, and why.
    pub fn unjudged(&self) -> &[(RoleAt, Arc<str>)] {
        &self.unjudged
    }
}

/// Roles' identity-side policies, kept by the caller for as long as it asks (one
/// account's walks): kept for the whole evaluation, the copies of every role's policies
/// would hold more memory than the snapshot's own documents.
pub type PolicyCache = HashMap<RoleAt, Result<PrincipalPolicies, Arc<str>>>;

/// The role-assumption graph of one snapshot, its edges decided on first use.
#[derive(Debug, Default)]
pub struct TrustGraph {
    /// Each role's assumers, once asked.
    assumers: Mutex<HashMap<RoleAt, Arc<Assumers>>>,
    /// Role ARN → where it is.
    by_arn: OnceLock<HashMap<String, RoleAt>>,
}

/// Whether a role takes part in the graph: not service-linked, in an active account.
fn in_graph(snapshot: &Snapshot, (a, _): RoleAt, role: &IamRole) -> bool {
    !role.service_linked && snapshot.accounts[a].status == AccountStatus::Active
}

impl TrustGraph {
    /// The role at `at`.
    pub fn role(snapshot: &Snapshot, (a, r): RoleAt) -> &IamRole {
        &snapshot.accounts[a].iam.roles[r]
    }

    /// Where the role with this ARN is.
    pub fn find(&self, snapshot: &Snapshot, arn: &str) -> Option<RoleAt> {
        self.by_arn
            .get_or_init(|| {
                let mut map = HashMap::new();
                for (a, account) in snapshot.accounts.iter().enumerate() {
                    for (r, role) in account.iam.roles.iter().enumerate() {
                        map.entry(role.arn.clone()).or_insert((a, r));
                    }
                }
                map
            })
            .get(arn)
            .copied()
    }

    /// The roles that can assume the role at `target`: the roles of the accounts its trust
    /// policy names and its own account's (every active account's when it names principals
    /// by wildcard), in account id order.
    pub fn assumers(
        &self,
        snapshot: &Snapshot,
        facts: &Facts,
        target: RoleAt,
        policies: &mut PolicyCache,
    ) -> Arc<Assumers> {
        if let Some(known) = lock(&self.assumers).get(&target) {
            return Arc::clone(known);
        }
        let computed = Arc::new(self.compute(snapshot, facts, target, policies));
        Arc::clone(lock(&self.assumers).entry(target).or_insert(computed))
    }

    fn compute(
        &self,
        snapshot: &Snapshot,
        facts: &Facts,
        target: RoleAt,
        policies: &mut PolicyCache,
    ) -> Assumers {
        let role = Self::role(snapshot, target);
        let trust = parsed("trust policy", &role.trust_policy)
            .map_err(|e| format!("`{}`: not assessable: {e}", role.arn))?;
        let organization = facts.organization();
        let accounts: Vec<usize> = match named(trust) {
            Some(mut named) => {
                named.insert(role.account_id.clone());
                named
                    .iter()
                    .filter_map(|a| organization.index_of(a))
                    .collect()
            }
            None => organization.by_id().map(|a| a.index).collect(),
        };
        let mut out = AssumerSet::default();
        for a in accounts {
            for r in 0..snapshot.accounts[a].iam.roles.len() {
                let candidate = Self::role(snapshot, (a, r));
                if !in_graph(snapshot, (a, r), candidate) || candidate.arn == role.arn {
                    continue;
                }
                match can_assume(snapshot, facts, policies, (a, r), role, trust) {
                    Ok(true) => out.can.push(compact((a, r))),
                    Ok(false) => {}
                    Err(e) => out.unjudged.push(((a, r), e)),
                }
            }
        }
        out.can.shrink_to_fit();
        Ok(out)
    }
}

/// A role's place in 32-bit indexes (a snapshot holds fewer than 4 billion accounts, and
/// an account fewer than 4 billion roles).
#[expect(
    clippy::cast_possible_truncation,
    reason = "indexes into the snapshot's lists, far below u32::MAX"
)]
fn compact((a, r): RoleAt) -> [u32; 2] {
    [a as u32, r as u32]
}

fn can_assume(
    snapshot: &Snapshot,
    facts: &Facts,
    cache: &mut PolicyCache,
    from: RoleAt,
    to: &IamRole,
    trust: &Policy,
) -> Result<bool, Arc<str>> {
    let policies = cache
        .entry(from)
        .or_insert_with(|| {
            let role = TrustGraph::role(snapshot, from);
            role_policies(snapshot, facts, &snapshot.accounts[from.0], role)
                .map_err(|e| Arc::from(format!("`{}`: {e}", role.arn)))
        })
        .as_ref()
        .map_err(Arc::clone)?;
    let account = &snapshot.accounts[from.0];
    let request = Request {
        action: "sts:AssumeRole".to_owned(),
        resource: to.arn.clone(),
        resource_account: to.account_id.clone(),
        resource_in_management_account: to.account_id
            == snapshot.organization.management_account_id,
        resource_is_aws_managed_key: false,
        context: organization_context(facts, &account.id),
    };
    let inputs = PolicyInputs {
        identity: &policies.identity,
        resource: Some(trust),
        boundary: policies.boundary.as_ref(),
        session: None,
        scp_chain: policies.scp_chain.as_deref(),
        rcp_chain: None,
    };
    let context = prepare_context(&policies.principal, &request);
    Ok(
        evaluate_in_context(&inputs, &policies.principal, &request, &context).decision
            == Decision::Allow,
    )
}

fn organization_context(facts: &Facts, account: &str) -> rampart_iam::RequestContext {
    facts
        .organization()
        .account(account)
        .map(|a| a.context.clone())
        .unwrap_or_default()
}

/// The accounts a trust policy names, or `None` when it names principals by wildcard
/// (`*`, an ARN with `*` as its account, or `NotPrincipal`), so that any account may match.
fn named(trust: &Policy) -> Option<BTreeSet<String>> {
    for s in &trust.statements {
        match &s.principal {
            Some(PrincipalMatch::NotPrincipal(_)) => return None,
            Some(PrincipalMatch::Principal(p))
                if p.any || p.aws.iter().any(|e| super::access::account_of(e).is_none()) =>
            {
                return None
            }
            _ => {}
        }
    }
    Some(super::access::named_accounts(trust))
}
