//! `rampart scp diff`: what the SCPs attached today already enforce of the declared
//! intents, per account.
//!
//! Each intent is proven against the chain of SCPs attached now (every level from the root
//! to the account, nothing replaced) exactly as [`super::verify`] proves the generated
//! ones: its must-deny requests should be denied, its must-allow requests allowed. A deny
//! counts whether a `Deny` statement or a missing `Allow` (an allow-list SCP) causes it.
//! The statements that decided each request say which attached statements enforce which
//! intent, which deny more than an intent allows, and which serve no declared intent.
//!
//! Honest results: when the organization's policies were not all read, when an attached
//! SCP does not parse, or when a level shows no SCP (AWS requires one on every root, OU
//! and account, so its attachments were not read), the account's status is `unknown`.

use std::collections::{BTreeMap, BTreeSet};

use rampart_iam::evaluate::{Decision, MatchedStatement, PolicyKind};
use rampart_iam::{Effect, Policy};
use serde::Serialize;

use super::intent::{ExampleRequest, Intent};
use super::org::{MemberAccount, OrgTree};
use super::verify::{
    allow_all, decision_name, evaluate_tried, proof_accounts, tried, Baseline, TriedRequest,
    STAND_IN_ACCOUNT,
};

/// How far the attached SCPs enforce an intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every must-deny request denied and every must-allow request allowed.
    Enforced,
    /// Enforced, but some must-allow request is denied too: the attached SCPs deny more.
    Broader,
    /// Some must-deny requests denied, not all: the attached SCPs deny less.
    Narrower,
    /// No must-deny request denied.
    Missing,
    /// The attached SCPs could not all be read.
    Unknown,
}

impl Status {
    /// The word in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enforced => "enforced",
            Status::Broader => "broader",
            Status::Narrower => "narrower",
            Status::Missing => "missing",
            Status::Unknown => "unknown",
        }
    }

    /// The status of an intent over its accounts: one word for all of them, `narrower`
    /// when some lack it, `unknown` when only unread ones keep it from `enforced`.
    fn combine(statuses: &BTreeSet<Status>) -> Status {
        let only = |s: Status| statuses.iter().all(|x| *x == s);
        if statuses.is_empty() || only(Status::Enforced) {
            Status::Enforced
        } else if only(Status::Missing) {
            Status::Missing
        } else if statuses.contains(&Status::Missing) || statuses.contains(&Status::Narrower) {
            Status::Narrower
        } else if statuses.contains(&Status::Broader) {
            Status::Broader
        } else {
            Status::Unknown
        }
    }
}

/// An attached SCP statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StatementRef {
    /// The SCP's name.
    pub policy: String,
    /// The SCP's id.
    pub policy_id: String,
    /// The statement's index in the SCP.
    pub statement: usize,
    /// Its `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl StatementRef {
    /// `Policy#2 (Sid)`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) => format!("{}#{} ({sid})", self.policy, self.statement),
            None => format!("{}#{}", self.policy, self.statement),
        }
    }
}

/// An example request and what the attached SCPs decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleOutcome {
    /// The request.
    pub request: TriedRequest,
    /// Why the intent has it.
    pub note: String,
    /// The decision.
    pub decision: Decision,
    /// The `Deny` statements that applied (none for an implicit deny or an allow).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denied_by: Vec<StatementRef>,
}

/// One intent in one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountDiff {
    /// The account id ([`STAND_IN_ACCOUNT`] for a target without accounts).
    pub account: String,
    /// Its name.
    pub name: String,
    /// How far the attached SCPs enforce the intent here.
    pub status: Status,
    /// Why the status is `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Must-deny requests tried.
    pub must_deny: usize,
    /// Must-allow requests tried.
    pub must_allow: usize,
    /// Must-deny requests the attached SCPs allow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_denied: Vec<ExampleOutcome>,
    /// Must-allow requests the attached SCPs deny.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denied: Vec<ExampleOutcome>,
    /// The statements that deny its must-deny requests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enforced_by: Vec<StatementRef>,
}

/// One intent over its accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntentDiff {
    /// The intent's id.
    pub intent: String,
    /// Its kind.
    pub kind: String,
    /// Its targets' paths.
    pub targets: Vec<String>,
    /// Its status over every account (see [`Status`]).
    pub status: Status,
    /// Per account, sorted by id.
    pub accounts: Vec<AccountDiff>,
}

impl IntentDiff {
    /// How many accounts have each status.
    pub fn counts(&self) -> BTreeMap<Status, usize> {
        let mut out = BTreeMap::new();
        for a in &self.accounts {
            *out.entry(a.status).or_insert(0) += 1;
        }
        out
    }
}

/// What one attached `Deny` statement does for the intents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementDiff {
    /// The statement.
    pub statement: StatementRef,
    /// Where its SCP is attached (target paths).
    pub attached_to: Vec<String>,
    /// Intents whose must-deny requests it denies.
    pub enforces: Vec<String>,
    /// Intents whose must-allow requests it denies: it is broader than they allow.
    pub broader_than: Vec<String>,
}

/// The result of [`diff`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffReport {
    /// Per intent, in declaration order.
    pub intents: Vec<IntentDiff>,
    /// Every `Deny` statement of the attached SCPs, by policy name and index.
    pub statements: Vec<StatementDiff>,
}

impl DiffReport {
    /// Intents whose status is `missing` or `narrower` somewhere.
    pub fn lacking(&self) -> impl Iterator<Item = &IntentDiff> {
        self.intents
            .iter()
            .filter(|i| matches!(i.status, Status::Missing | Status::Narrower))
    }
}

/// The SCP chains attached today.
pub struct AttachedChains<'a> {
    org: &'a OrgTree,
    /// Each attached SCP's parsed document, or why it does not parse.
    parsed: BTreeMap<&'a str, Result<Policy, String>>,
    full_access: Policy,
}

/// Where a document of a chain comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The SCP's name.
    pub name: &'a str,
    /// The SCP's id (a generated SCP's name).
    pub id: &'a str,
}

/// A chain with, level by level, where each document comes from (`None`: a
/// FullAWSAccess that stands in for what a new account gets).
pub type Chain<'a> = (Vec<Vec<Policy>>, Vec<Vec<Option<Origin<'a>>>>);

impl<'a> AttachedChains<'a> {
    /// The chains of `org`.
    pub fn new(org: &'a OrgTree) -> Self {
        let parsed = org
            .attached
            .iter()
            .map(|p| {
                let policy = p.document.policy().cloned().map_err(|e| {
                    format!(
                        "attached SCP `{}` does not parse (line {}, column {}): {}",
                        p.name, e.position.line, e.position.column, e.message
                    )
                });
                (p.id.as_str(), policy)
            })
            .collect();
        AttachedChains {
            org,
            parsed,
            full_access: allow_all(),
        }
    }

    /// The chain of an account's levels, or why it cannot be known.
    pub fn chain(&self, levels: &[String]) -> Result<Chain<'a>, String> {
        if let Some(reason) = &self.org.unread {
            return Err(reason.clone());
        }
        let mut docs = Vec::with_capacity(levels.len());
        let mut sources = Vec::with_capacity(levels.len());
        for level in levels {
            let mut level_docs = Vec::new();
            let mut level_sources = Vec::new();
            for p in self.org.attached_to(level) {
                match self.parsed.get(p.id.as_str()) {
                    Some(Ok(policy)) => level_docs.push(policy.clone()),
                    Some(Err(e)) => return Err(e.clone()),
                    None => return Err(format!("attached SCP `{}` was not read", p.name)),
                }
                level_sources.push(Some(Origin {
                    name: &p.name,
                    id: &p.id,
                }));
            }
            if level_docs.is_empty() {
                if level != STAND_IN_ACCOUNT {
                    return Err(format!(
                        "no SCP is attached to `{}` in the snapshot; AWS requires one on every \
                         root, OU and account, so its attachments were not read",
                        self.org
                            .targets
                            .get(level)
                            .map_or(level.as_str(), |t| &t.path)
                    ));
                }
                // A new account gets FullAWSAccess.
                level_docs.push(self.full_access.clone());
                level_sources.push(None);
            }
            docs.push(level_docs);
            sources.push(level_sources);
        }
        Ok((docs, sources))
    }
}

/// The `Deny` SCP statements that applied, as references to the attached SCPs.
pub fn deny_statements(
    matched: &[MatchedStatement],
    sources: &[Vec<Option<Origin<'_>>>],
) -> Vec<StatementRef> {
    let mut out: Vec<StatementRef> = matched
        .iter()
        .filter(|m| m.policy == PolicyKind::Scp && m.effect == "Deny")
        .filter_map(|m| {
            let origin = (*sources.get(m.level?)?.get(m.document)?)?;
            Some(StatementRef {
                policy: origin.name.to_owned(),
                policy_id: origin.id.to_owned(),
                statement: m.statement,
                sid: m.sid.clone(),
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Compares the attached SCPs with the intents (see the module documentation).
pub fn diff(intents: &[Intent], org: &OrgTree) -> DiffReport {
    let chains = AttachedChains::new(org);
    let baseline = Baseline::new();
    let intents: Vec<IntentDiff> = intents
        .iter()
        .map(|intent| {
            let accounts: Vec<AccountDiff> = proof_accounts(intent, org)
                .iter()
                .map(|account| account_diff(intent, account, &chains, &baseline))
                .collect();
            let statuses: BTreeSet<Status> = accounts.iter().map(|a| a.status).collect();
            IntentDiff {
                intent: intent.id.clone(),
                kind: intent.kind.as_str().to_owned(),
                targets: intent.targets.iter().map(|t| t.path.clone()).collect(),
                status: Status::combine(&statuses),
                accounts,
            }
        })
        .collect();
    let statements = statement_diffs(org, &intents);
    DiffReport {
        intents,
        statements,
    }
}

fn account_diff(
    intent: &Intent,
    account: &MemberAccount,
    chains: &AttachedChains<'_>,
    baseline: &Baseline,
) -> AccountDiff {
    let mut out = AccountDiff {
        account: account.id.clone(),
        name: account.name.clone(),
        status: Status::Unknown,
        reason: None,
        must_deny: 0,
        must_allow: 0,
        not_denied: Vec::new(),
        denied: Vec::new(),
        enforced_by: Vec::new(),
    };
    let (chain, sources) = match chains.chain(&account.levels) {
        Ok(c) => c,
        Err(reason) => {
            out.reason = Some(reason);
            return out;
        }
    };
    let decide = |example: &ExampleRequest| {
        let request = tried(example, &account.id);
        let e = evaluate_tried(&chain, baseline, &request);
        ExampleOutcome {
            request,
            note: example.note.clone(),
            decision: e.decision,
            denied_by: deny_statements(&e.matched, &sources),
        }
    };
    let applies = |e: &&ExampleRequest| e.applies_in(&account.id);
    let mut enforced = BTreeSet::new();
    for outcome in intent.must_deny.iter().filter(applies).map(decide) {
        out.must_deny += 1;
        if outcome.decision == Decision::Allow {
            out.not_denied.push(outcome);
        } else {
            enforced.extend(outcome.denied_by);
        }
    }
    for outcome in intent.must_allow.iter().filter(applies).map(decide) {
        out.must_allow += 1;
        if outcome.decision != Decision::Allow {
            out.denied.push(outcome);
        }
    }
    out.enforced_by = enforced.into_iter().collect();
    out.status = if out.not_denied.len() == out.must_deny && out.must_deny > 0 {
        Status::Missing
    } else if !out.not_denied.is_empty() {
        Status::Narrower
    } else if !out.denied.is_empty() {
        Status::Broader
    } else {
        Status::Enforced
    };
    out
}

/// Every `Deny` statement of the attached SCPs with the intents it enforces and those it
/// is broader than.
fn statement_diffs(org: &OrgTree, intents: &[IntentDiff]) -> Vec<StatementDiff> {
    let mut enforces: BTreeMap<(&str, usize), BTreeSet<&str>> = BTreeMap::new();
    let mut broader: BTreeMap<(&str, usize), BTreeSet<&str>> = BTreeMap::new();
    for i in intents {
        for a in &i.accounts {
            for s in &a.enforced_by {
                enforces
                    .entry((s.policy_id.as_str(), s.statement))
                    .or_default()
                    .insert(&i.intent);
            }
            for s in a.denied.iter().flat_map(|o| &o.denied_by) {
                broader
                    .entry((s.policy_id.as_str(), s.statement))
                    .or_default()
                    .insert(&i.intent);
            }
        }
    }
    let mut out = Vec::new();
    for scp in &org.attached {
        let Ok(policy) = scp.document.policy() else {
            continue;
        };
        for (index, s) in policy.statements.iter().enumerate() {
            if s.effect != Effect::Deny {
                continue;
            }
            let key = (scp.id.as_str(), index);
            let names = |m: &BTreeMap<(&str, usize), BTreeSet<&str>>| -> Vec<String> {
                m.get(&key)
                    .map(|set| set.iter().map(|s| (*s).to_owned()).collect())
                    .unwrap_or_default()
            };
            out.push(StatementDiff {
                statement: StatementRef {
                    policy: scp.name.clone(),
                    policy_id: scp.id.clone(),
                    statement: index,
                    sid: s.sid.clone(),
                },
                attached_to: scp
                    .targets
                    .iter()
                    .map(|t| org.targets.get(t).map_or(t.clone(), |t| t.path.clone()))
                    .collect(),
                enforces: names(&enforces),
                broader_than: names(&broader),
            });
        }
    }
    out
}

/// One line for an example's outcome: `ec2:RunInstances in ap-south-1 by role/x: allowed`.
pub fn outcome_line(o: &ExampleOutcome) -> String {
    let by = if o.denied_by.is_empty() {
        String::new()
    } else {
        let labels: Vec<String> = o.denied_by.iter().map(StatementRef::label).collect();
        format!(" by {}", labels.join(", "))
    };
    format!(
        "{} on {} in {} as {}: {}{by} ({})",
        o.request.action,
        o.request.resource,
        o.request.region,
        o.request.principal,
        decision_name(o.decision),
        o.note
    )
}
