//! Organization-scale access queries, shared by every IAM rule.
//!
//! A question about a resource policy ("which accounts of the organization can assume this
//! role, decrypt with this key?") is asked of one principal per account. Most accounts are
//! never named by the policy: for them the answer depends only on what AWS tells the
//! policy about the caller's account through its organization context (`aws:PrincipalOrgID`,
//! `aws:PrincipalOrgPaths`), so the accounts are grouped into **classes** of equal contexts
//! and the question is asked once per class — "any principal of a sandbox account" is one
//! question for every sandbox account the policy does not name on its own. An account the
//! policy names (its id appears in a literal), or any account when a literal could match
//! account ids by wildcard, is asked on its own.
//!
//! [`Organization`] is built once per evaluation in [`super::Facts::derive`]: the
//! organization's accounts, each account's context and class, and an account id outside
//! the organization.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::AccountFacts;
use crate::model::Snapshot;
use rampart_iam::{ContextValue, Effect, Policy, PrincipalMatch, RequestContext, StringSet};

/// How many items a message lists before it says how many more there are: messages name
/// the first few accounts, never every account of a large organization.
pub const LISTED: usize = 5;

/// `a, b, c`, or `a, b, c, d, e and 7 more` past [`LISTED`] items.
pub fn list_some<S: AsRef<str>>(items: &[S]) -> String {
    let shown: Vec<&str> = items.iter().take(LISTED).map(AsRef::as_ref).collect();
    let shown = shown.join(", ");
    if items.len() > LISTED {
        format!("{shown} and {} more", items.len() - LISTED)
    } else {
        shown
    }
}

/// One account of the snapshot, as access questions see it.
#[derive(Debug, Clone)]
pub struct OrgAccount {
    /// The account id.
    pub id: String,
    /// `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` of its principals.
    pub context: RequestContext,
    /// Its class: accounts with equal contexts share one.
    pub class: usize,
    /// Its index in the snapshot's accounts.
    pub index: usize,
}

/// The organization's accounts for access questions, built once per evaluation.
#[derive(Debug, Clone)]
pub struct Organization {
    /// The snapshot's accounts, in snapshot order.
    accounts: Vec<OrgAccount>,
    /// Account id → index into `accounts` (the first account with that id).
    index: HashMap<String, usize>,
    /// Indexes into `accounts`, sorted by account id (one per id).
    by_id: Vec<usize>,
    /// The members of each class, in snapshot order.
    classes: Vec<Vec<usize>>,
    /// Every account of the snapshot and the management account.
    members: BTreeSet<String>,
    /// An account id outside the organization.
    outsider: String,
}

impl Organization {
    pub(super) fn new(snapshot: &Snapshot, facts: &HashMap<String, AccountFacts>) -> Self {
        let mut accounts = Vec::with_capacity(snapshot.accounts.len());
        let mut index = HashMap::with_capacity(snapshot.accounts.len());
        let mut classes: Vec<Vec<usize>> = Vec::new();
        let mut class_of: HashMap<String, usize> = HashMap::new();
        for (i, account) in snapshot.accounts.iter().enumerate() {
            let context = context_of(snapshot, facts.get(&account.id));
            let key = format!("{context:?}");
            let class = *class_of.entry(key).or_insert_with(|| {
                classes.push(Vec::new());
                classes.len() - 1
            });
            classes[class].push(i);
            index.entry(account.id.clone()).or_insert(i);
            accounts.push(OrgAccount {
                id: account.id.clone(),
                context,
                class,
                index: i,
            });
        }
        let members: BTreeSet<String> = snapshot
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .chain(std::iter::once(
                snapshot.organization.management_account_id.clone(),
            ))
            .collect();
        let outsider = (0..1000u64)
            .map(|i| format!("{:012}", 999_999_999_999 - i))
            .find(|id| !members.contains(id))
            .unwrap_or_else(|| "000000000000".to_owned());
        let mut by_id: Vec<usize> = index.values().copied().collect();
        by_id.sort_by(|a, b| accounts[*a].id.cmp(&accounts[*b].id));
        Organization {
            accounts,
            index,
            by_id,
            classes,
            members,
            outsider,
        }
    }

    /// The snapshot's accounts, in snapshot order.
    pub fn accounts(&self) -> &[OrgAccount] {
        &self.accounts
    }

    /// One account of the snapshot.
    pub fn account(&self, id: &str) -> Option<&OrgAccount> {
        self.index.get(id).map(|&i| &self.accounts[i])
    }

    /// The index in the snapshot's accounts of the (first) account with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The snapshot's accounts sorted by id, one per id.
    pub fn by_id(&self) -> impl Iterator<Item = &OrgAccount> {
        self.by_id.iter().map(|&i| &self.accounts[i])
    }

    /// Every account of the snapshot and the management account.
    pub fn members(&self) -> &BTreeSet<String> {
        &self.members
    }

    /// An account id that is not in the organization, for "anyone outside it":
    /// `999999999999`, or the next lower id not in the organization.
    pub fn outsider(&self) -> &str {
        &self.outsider
    }

    /// The classes: each a list of accounts (indexes into [`Organization::accounts`]) with
    /// equal contexts.
    pub fn class_count(&self) -> usize {
        self.classes.len()
    }

    /// Asks `ask` about every account of the snapshot that `include` accepts, with the
    /// account's id and context: once per class for the accounts `audience` leaves generic,
    /// on its own for the others. Returns the accounts with an answer, in snapshot order.
    /// An answer given for a class stands for each of its generic members, so it must not
    /// name the account it was asked for.
    pub fn ask_each<T: Clone>(
        &self,
        audience: &Audience,
        include: impl Fn(&OrgAccount) -> bool,
        mut ask: impl FnMut(&OrgAccount) -> Option<T>,
    ) -> Vec<(&OrgAccount, T)> {
        let mut out: Vec<(usize, T)> = Vec::new();
        for members in &self.classes {
            let mut class_answer: Option<Option<T>> = None;
            for &i in members {
                let account = &self.accounts[i];
                if !include(account) {
                    continue;
                }
                let answer = if audience.is_generic(&account.id) {
                    class_answer.get_or_insert_with(|| ask(account)).clone()
                } else {
                    ask(account)
                };
                if let Some(a) = answer {
                    out.push((i, a));
                }
            }
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter()
            .map(|(i, a)| (&self.accounts[i], a))
            .collect()
    }
}

/// The condition keys AWS sets for a principal of an organization account:
/// `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` (`o-…/r-…/ou-…/`); none for an
/// account outside the organization.
fn context_of(snapshot: &Snapshot, facts: Option<&AccountFacts>) -> RequestContext {
    let mut context = RequestContext::new();
    let Some(account_facts) = facts else {
        return context;
    };
    let org = &snapshot.organization;
    let mut path = format!("{}/{}/", org.id, org.root.id);
    for ou in &account_facts.ou_ids {
        path.push_str(ou);
        path.push('/');
    }
    context.insert("aws:PrincipalOrgID", ContextValue::Single(org.id.clone()));
    context.insert("aws:PrincipalOrgPaths", ContextValue::Multi(vec![path]));
    context
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account of an `AWS` principal entry or condition value: an account id, or the
/// account field of an IAM or STS ARN.
pub fn account_of(entry: &str) -> Option<&str> {
    if is_account_id(entry) {
        return Some(entry);
    }
    let mut fields = entry.splitn(6, ':');
    let (Some("arn"), Some(_), Some("iam" | "sts"), Some(_), Some(account)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return None;
    };
    is_account_id(account).then_some(account)
}

/// The accounts whose principals `policy`'s `Allow` statements can admit: `None` when
/// they can admit any account's (`"Principal": "*"`, a `NotPrincipal`, an `AWS` entry with
/// a wildcard account, or a statement without a principal), else the accounts their `AWS`
/// principals name. Conditions only narrow a statement, so they add none. A question about
/// a principal of another account needs only be asked when this admits its account.
pub fn admitted_accounts(policy: &Policy) -> Option<BTreeSet<String>> {
    let mut accounts = BTreeSet::new();
    for statement in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let Some(PrincipalMatch::Principal(p)) = &statement.principal else {
            return None;
        };
        if p.any {
            return None;
        }
        for entry in &p.aws {
            accounts.insert(account_of(entry)?.to_owned());
        }
    }
    Some(accounts)
}

/// Every account the policy names: in `AWS` principals (of any statement) or in condition
/// values (`kms:CallerAccount`, `aws:PrincipalAccount`, ARNs in `aws:PrincipalArn`).
pub fn named_accounts(policy: &Policy) -> BTreeSet<String> {
    named_values(policy)
        .filter_map(account_of)
        .map(str::to_owned)
        .collect()
}

/// Every `AWS` principal entry (of `Principal` or `NotPrincipal`) and condition value of
/// the policy.
pub fn named_values(policy: &Policy) -> impl Iterator<Item = &str> {
    policy.statements.iter().flat_map(|s| {
        let principals = match &s.principal {
            Some(PrincipalMatch::Principal(p) | PrincipalMatch::NotPrincipal(p)) => {
                p.aws.as_slice()
            }
            None => &[],
        };
        principals
            .iter()
            .chain(s.conditions.iter().flat_map(|c| c.values.iter()))
            .map(String::as_str)
    })
}

/// Which accounts a policy can tell apart from the others of their class.
///
/// An account is *named* when its id appears in a literal of the policy (a principal, an
/// action or resource pattern, a condition value): only through such a literal can a
/// decision depend on the id. Every account is named when a literal could match account
/// ids by wildcard: a role or user ARN with `*` as its account, or a wildcard condition
/// value that could stand for an account id or an ARN's account.
#[derive(Debug, Clone)]
pub struct Audience {
    /// Every 12-digit window of the literals' digit runs.
    ids: HashSet<String>,
    /// The literals, for ids that are not 12 digits (tests, malformed input).
    literals: Vec<String>,
    every_account: bool,
}

impl Audience {
    /// The audience of `policy`.
    pub fn of(policy: &Policy) -> Self {
        let mut literals = Vec::new();
        let mut every_account = false;
        for s in &policy.statements {
            let list = |set: &StringSet| match set {
                StringSet::Listed(v) | StringSet::Not(v) => v.clone(),
            };
            if let Some(PrincipalMatch::Principal(p) | PrincipalMatch::NotPrincipal(p)) =
                &s.principal
            {
                for entry in p.aws.iter() {
                    every_account |= names_any_account(entry);
                }
                literals.extend(
                    p.aws
                        .iter()
                        .chain(&p.service)
                        .chain(&p.federated)
                        .chain(&p.canonical_user)
                        .cloned(),
                );
            }
            literals.extend(list(&s.action));
            if let Some(r) = &s.resource {
                literals.extend(list(r));
            }
            for c in &s.conditions {
                for v in &c.values {
                    every_account |= names_any_account(v) || wildcard_may_match_an_id(v);
                }
                literals.extend(c.values.iter().cloned());
            }
        }
        let mut ids = HashSet::new();
        for literal in &literals {
            for run in literal.split(|c: char| !c.is_ascii_digit()) {
                for w in 0..run.len().saturating_sub(11) {
                    ids.insert(run[w..w + 12].to_owned());
                }
            }
        }
        Audience {
            ids,
            literals,
            every_account,
        }
    }

    /// Whether a literal of the policy contains `account`.
    pub fn names(&self, account: &str) -> bool {
        if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
            self.ids.contains(account)
        } else {
            self.literals.iter().any(|l| l.contains(account))
        }
    }

    /// Whether the policy answers for `account` as for any other account of its class.
    pub fn is_generic(&self, account: &str) -> bool {
        !self.every_account && !self.names(account)
    }
}

/// A role or user ARN with `*` as its account: it names every account.
fn names_any_account(value: &str) -> bool {
    let mut fields = value.splitn(6, ':');
    matches!(
        (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next()
        ),
        (Some("arn"), Some(_), Some("iam"), Some(_), Some("*"), Some(rest))
            if rest.starts_with("role/") || rest.starts_with("user/")
    )
}

/// A wildcard condition value that could match an account id, or an ARN whose account
/// field holds a wildcard (`1111*`, `arn:aws:iam::11*:role/x`); `*` alone matches every
/// account alike, and organization ids and paths (`o-…`) name no account.
fn wildcard_may_match_an_id(value: &str) -> bool {
    if !value.contains(['*', '?']) || value == "*" || value.starts_with("o-") {
        return false;
    }
    if let Some(rest) = value.strip_prefix("arn:") {
        return rest
            .split(':')
            .nth(3)
            .is_none_or(|account| account.contains(['*', '?']) && account != "*");
    }
    value.starts_with(|c: char| c.is_ascii_digit() || c == '*' || c == '?')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn policy(v: serde_json::Value) -> Policy {
        rampart_iam::parse_policy(&v.to_string()).expect("valid policy")
    }

    #[test]
    fn named_accounts_are_asked_alone_and_the_others_by_class() {
        let p = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"},
             "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"StringLike": {"aws:PrincipalOrgPaths": "o-1/r-1/ou-1/*"}}}
        ]}));
        let a = Audience::of(&p);
        // Named explicitly: its own question, never merged with its class.
        assert!(a.names("111122223333"));
        assert!(!a.is_generic("111122223333"));
        // Matched only through its organization path: one question for the class.
        assert!(a.is_generic("222233334444"));
        // A window of a longer digit run counts: `contains` would find it.
        let long = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0111122223333999"}}}
        ]}));
        assert!(Audience::of(&long).names("111122223333"));
        assert!(Audience::of(&long).names("122223333999"));
        assert!(!Audience::of(&long).names("222233334444"));
    }

    #[test]
    fn wildcards_that_may_match_account_ids_name_every_account() {
        for value in [
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}),
            json!({"StringLike": {"aws:PrincipalAccount": "1111*"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::11*:role/x"}}),
        ] {
            let p = policy(json!({"Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": value}
            ]}));
            assert!(!Audience::of(&p).is_generic("222233334444"), "{value}");
        }
        for value in [
            json!({"StringLike": {"aws:PrincipalOrgPaths": "o-1/*"}}),
            json!({"StringLike": {"aws:PrincipalAccount": "*"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}}),
        ] {
            let p = policy(json!({"Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": value}
            ]}));
            assert!(Audience::of(&p).is_generic("222233334444"), "{value}");
        }
    }

    #[test]
    fn the_outsider_is_never_an_organization_account() {
        let snapshot = crate::model::sample_snapshot().expect("sample");
        let facts = super::super::Facts::derive(&snapshot, &crate::ruleset::Parameters::default());
        let org = facts.organization();
        assert!(!org.members().contains(org.outsider()));
        assert_eq!(org.outsider(), "999999999999");
        // Every account has a context and a class; equal contexts share a class.
        for a in org.accounts() {
            for b in org.accounts() {
                assert_eq!(a.class == b.class, a.context == b.context);
            }
        }
    }

    #[test]
    fn lists_stop_after_a_few() {
        assert_eq!(list_some(&["a", "b"]), "a, b");
        let many: Vec<String> = (0..8).map(|i| i.to_string()).collect();
        assert_eq!(list_some(&many), "0, 1, 2, 3, 4 and 3 more");
    }
}
