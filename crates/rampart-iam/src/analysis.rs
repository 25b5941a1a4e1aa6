//! Questions about every request, answered by evaluating representative ones.
//!
//! "Is any request over plain HTTP to this bucket left undenied?" ranges over infinitely
//! many requests. A policy's decision depends on a condition key only through comparisons
//! with the literal values its conditions name, so for each key a few representative
//! values reach every outcome those comparisons can have: the key absent; each literal
//! (wildcards filled in); a value equal to none of them; for numbers and dates, each
//! literal's neighbours; for IP ranges, an address inside each range and one outside all
//! of them; for multivalued keys, the empty set, single values, and the literals with a
//! stranger. [`ContextSpace`] is the product of those values over the keys a question
//! leaves free; [`action_representatives`] and [`resource_representatives`] do the same
//! for actions and resources. Callers evaluate each combination with
//! [`crate::evaluate::evaluate`] and look for a witness.
//!
//! The space grows as the product of the keys' candidates; past a budget, [`ContextSpace`]
//! refuses rather than sampling, so a caller says "not assessable" instead of guessing.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, Duration, NaiveDate};

use super::context::{ContextValue, RequestContext};
use super::document::{Policy, PrincipalMatch, StringSet};

/// A value no policy names: stands for "anything else".
pub const STRANGER: &str = "rampart-unmatched-value";

/// Condition keys AWS sets from the principal making the request. A question fixes them by
/// choosing its principals, so [`ContextSpace`] never enumerates them. Lowercase.
pub const PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
];

/// How a question treats one condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// The requester chooses it: every representative value is tried.
    Free,
    /// The question determines it: the base context's value, or absent.
    Fixed,
    /// The requester cannot take any value the policy names (a VPC endpoint of the
    /// organization, for a principal outside it): absent, or a value named nowhere.
    Foreign,
}

/// Condition keys naming where a request comes from in a network: a principal outside the
/// organization cannot send requests from its VPCs and endpoints. Lowercase.
pub const NETWORK_KEYS: &[&str] = &["aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip"];

/// The space is larger than the caller's budget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{combinations} combinations of condition values over {keys} keys exceed the analysis budget of {budget}")]
pub struct TooComplex {
    /// Combinations the keys' candidates make.
    pub combinations: u128,
    /// Keys enumerated.
    pub keys: usize,
    /// The budget.
    pub budget: usize,
}

/// The representative request contexts of a question.
#[derive(Debug, Clone, Default)]
pub struct ContextSpace {
    /// What every context has: the keys the question fixes.
    base: RequestContext,
    /// Free keys (lowercase) and their candidates (`None`: absent), sorted by key.
    free: Vec<(String, Vec<Option<ContextValue>>)>,
}

impl ContextSpace {
    /// The keys the conditions of `policies` read, except those `base` sets and those
    /// `role` (given the lowercase key) says the question fixes (absent unless `base` sets
    /// them). Each free key gets the representative values its conditions call for; a
    /// foreign key only absence and a value no policy names.
    pub fn new(policies: &[&Policy], base: RequestContext, role: impl Fn(&str) -> KeyRole) -> Self {
        let mut keys: BTreeMap<String, KeyUse> = BTreeMap::new();
        for policy in policies {
            for s in &policy.statements {
                for c in &s.conditions {
                    let key = c.key.to_ascii_lowercase();
                    if base.get(&key).is_some() {
                        continue;
                    }
                    let key_role = role(&key);
                    if key_role == KeyRole::Fixed {
                        continue;
                    }
                    let entry = keys.entry(key).or_default();
                    entry.multi |= c.operator.qualifier.is_some();
                    if key_role == KeyRole::Free {
                        for value in &c.values {
                            entry.add(&c.operator.base, value);
                        }
                    }
                }
            }
        }
        let free = keys
            .into_iter()
            .map(|(key, key_use)| (key, key_use.candidates()))
            .collect();
        ContextSpace { base, free }
    }

    /// How many contexts the space holds.
    pub fn size(&self) -> u128 {
        self.free
            .iter()
            .fold(1u128, |n, (_, c)| n.saturating_mul(c.len() as u128))
    }

    /// The free keys, lowercase.
    pub fn free_keys(&self) -> impl Iterator<Item = &str> {
        self.free.iter().map(|(k, _)| k.as_str())
    }

    /// Every context of the space, or [`TooComplex`] when there are more than `budget`.
    pub fn contexts(&self, budget: usize) -> Result<Vec<RequestContext>, TooComplex> {
        let size = self.size();
        if size > budget as u128 {
            return Err(TooComplex {
                combinations: size,
                keys: self.free.len(),
                budget,
            });
        }
        let mut out = vec![self.base.clone()];
        for (key, candidates) in &self.free {
            let mut next = Vec::with_capacity(out.len() * candidates.len());
            for context in &out {
                for candidate in candidates {
                    let mut c = context.clone();
                    if let Some(value) = candidate {
                        c.insert(key, value.clone());
                    }
                    next.push(c);
                }
            }
            out = next;
        }
        Ok(out)
    }
}

/// The values one key is compared with, by kind of comparison.
#[derive(Debug, Default)]
struct KeyUse {
    /// Used with `ForAllValues:`/`ForAnyValue:`: a multivalued key.
    multi: bool,
    /// Representative single values, in first-seen order, without duplicates.
    values: Vec<String>,
    /// Whether an IP range was named (an address outside every range is then needed).
    ip: bool,
}

impl KeyUse {
    fn push(&mut self, value: String) {
        if !self.values.contains(&value) {
            self.values.push(value);
        }
    }

    /// Representatives for one literal of an operator.
    fn add(&mut self, operator: &str, literal: &str) {
        if literal.contains("${") {
            // A policy variable's value comes from the request: the stranger and the
            // other literals stand in for it.
            return;
        }
        if operator.starts_with("Numeric") {
            if let Ok(n) = literal.parse::<f64>() {
                // One step of the literal's last decimal place either side.
                let decimals = literal.split_once('.').map_or(0, |(_, f)| f.len()).min(9);
                let step = 10f64.powi(-(decimals as i32));
                for v in [n - step, n, n + step] {
                    self.push(format!("{v:.decimals$}"));
                }
                return;
            }
        }
        if operator.starts_with("Date") {
            for v in neighbouring_dates(literal) {
                self.push(v);
            }
            return;
        }
        if operator == "Bool" {
            self.push("true".to_owned());
            self.push("false".to_owned());
            return;
        }
        if operator.ends_with("IpAddress") {
            self.ip = true;
            if let Some(inside) = first_address(literal) {
                self.push(inside);
            }
            return;
        }
        if operator == "Null" {
            // Present with any value, or absent: the stranger and absence cover it.
            return;
        }
        // String and ARN operators, and binary values: the literal itself, and with its
        // wildcards filled (which `…Like` patterns match and `…Equals` do not).
        self.push(literal.to_owned());
        if literal.contains(['*', '?']) {
            self.push(literal.replace(['*', '?'], "x"));
        }
    }

    fn candidates(mut self) -> Vec<Option<ContextValue>> {
        if self.ip {
            self.push("192.0.2.123".to_owned());
            self.push("2001:db8::7".to_owned());
        } else {
            self.push(STRANGER.to_owned());
        }
        let mut out = vec![None];
        if self.multi {
            out.push(Some(ContextValue::Multi(Vec::new())));
            for v in &self.values {
                out.push(Some(ContextValue::Multi(vec![v.clone()])));
            }
            if self.values.len() > 1 {
                // Every named value with a stranger: holds for `ForAnyValue`, fails
                // `ForAllValues`.
                out.push(Some(ContextValue::Multi(self.values.clone())));
            }
        } else {
            out.extend(
                self.values
                    .into_iter()
                    .map(|v| Some(ContextValue::Single(v))),
            );
        }
        out
    }
}

/// A date literal and the instants just before and after it, in its own format (epoch
/// seconds or ISO 8601).
fn neighbouring_dates(literal: &str) -> Vec<String> {
    if let Ok(epoch) = literal.parse::<i64>() {
        return [epoch - 1, epoch, epoch + 1]
            .iter()
            .map(i64::to_string)
            .collect();
    }
    let parsed = DateTime::parse_from_rfc3339(literal)
        .map(|d| d.to_utc())
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(literal, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        });
    match parsed {
        Some(t) => [t - Duration::seconds(1), t, t + Duration::seconds(1)]
            .iter()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect(),
        None => vec![literal.to_owned()],
    }
}

/// The first address of a CIDR block (or the address itself).
fn first_address(literal: &str) -> Option<String> {
    let address = literal.split('/').next()?;
    address.parse::<IpAddr>().ok().map(|a| a.to_string())
}

/// One representative of each group of `candidates` that the statements of `policies`
/// cannot tell apart: two actions matched by exactly the same `Action`/`NotAction`
/// elements get the same decision in every request, so evaluating one of them suffices.
pub fn action_representatives<'a>(
    policies: &[&Policy],
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    action_groups(policies, candidates)
        .into_iter()
        .filter_map(|g| g.first().copied())
        .collect()
}

/// `candidates` grouped by which `Action`/`NotAction` elements of `policies` match them,
/// in the order each group is first seen; the first member of a group stands for it.
pub fn action_groups<'a>(
    policies: &[&Policy],
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<Vec<&'a str>> {
    let mut index: BTreeMap<Vec<bool>, usize> = BTreeMap::new();
    let mut groups: Vec<Vec<&'a str>> = Vec::new();
    for action in candidates {
        let lower = action.to_ascii_lowercase();
        let signature: Vec<bool> = policies
            .iter()
            .flat_map(|p| &p.statements)
            .map(|s| s.matchers.actions.iter().any(|p| p.matches(&lower)))
            .collect();
        match index.get(&signature) {
            Some(&i) => groups[i].push(action),
            None => {
                index.insert(signature, groups.len());
                groups.push(vec![action]);
            }
        }
    }
    groups
}

/// Resource ARNs to try for "any object of this bucket" and the like: `base` followed by
/// a name no policy mentions, and by each path the policies' `Resource`/`NotResource`
/// patterns give after `prefix` (wildcards filled in), so that a statement naming some
/// objects but not others is noticed.
pub fn resource_representatives(policies: &[&Policy], prefix: &str) -> Vec<String> {
    let mut out = vec![format!("{prefix}{STRANGER}")];
    for s in policies.iter().flat_map(|p| &p.statements) {
        let patterns = match &s.resource {
            Some(StringSet::Listed(v) | StringSet::Not(v)) => v.as_slice(),
            None => &[],
        };
        for pattern in patterns {
            // The part after the bucket-like prefix, whatever the pattern's own prefix.
            let tail = match pattern.split_once(prefix) {
                Some((_, tail)) => tail.to_owned(),
                None => match (prefix.rsplit_once('/'), pattern.split_once('/')) {
                    (Some(_), Some((_, tail))) => tail.to_owned(),
                    _ => continue,
                },
            };
            if tail.contains("${") {
                continue;
            }
            let filled = format!("{prefix}{}", tail.replace(['*', '?'], "x"));
            if !out.contains(&filled) {
                out.push(filled);
            }
        }
    }
    out
}

/// Every account id the principal elements of `policies` name, or their conditions'
/// values (`aws:PrincipalAccount`, ARNs in `aws:PrincipalArn`), for principals to try.
pub fn named_principal_entries<'a>(policies: &[&'a Policy]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for s in policies.iter().flat_map(|p| &p.statements) {
        let principals = match &s.principal {
            Some(PrincipalMatch::Principal(p) | PrincipalMatch::NotPrincipal(p)) => {
                p.aws.iter().chain(&p.service).chain(&p.federated)
            }
            None => continue,
        };
        for entry in principals.chain(s.conditions.iter().flat_map(|c| &c.values)) {
            if !out.contains(&entry.as_str()) {
                out.push(entry);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_policy;

    fn policy(text: &str) -> Policy {
        parse_policy(text).unwrap()
    }

    #[test]
    fn each_key_gets_absence_literals_and_a_stranger() {
        let p = policy(
            r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]},
                              "Bool": {"aws:SecureTransport": "false"}}}]}"#,
        );
        let base = RequestContext::new().with("aws:SecureTransport", "false");
        let space = ContextSpace::new(&[&p], base, |_| KeyRole::Free);
        assert_eq!(space.free_keys().collect::<Vec<_>>(), ["aws:sourcevpce"]);
        let contexts = space.contexts(100).unwrap();
        assert_eq!(contexts.len(), 4, "absent, vpce-1, vpce-2, a stranger");
        assert!(contexts
            .iter()
            .all(|c| c.get("aws:securetransport").is_some()));
        assert!(contexts.iter().any(|c| c.get("aws:SourceVpce").is_none()));
    }

    #[test]
    fn numbers_dates_and_addresses_get_their_neighbours() {
        let p = policy(
            r#"{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
                "NumericLessThan": {"s3:TlsVersion": "1.2"},
                "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
                "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}"#,
        );
        let space = ContextSpace::new(&[&p], RequestContext::new(), |_| KeyRole::Free);
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, c) in &space.free {
            found.insert(
                k.clone(),
                c.iter()
                    .flatten()
                    .flat_map(|v| v.values())
                    .map(str::to_owned)
                    .collect(),
            );
        }
        assert_eq!(found["s3:tlsversion"], ["1.1", "1.2", "1.3", STRANGER]);
        assert_eq!(
            found["aws:currenttime"],
            [
                "2025-12-31T23:59:59Z",
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:01Z",
                STRANGER
            ]
        );
        assert_eq!(
            found["aws:sourceip"],
            ["10.0.0.0", "192.0.2.123", "2001:db8::7"]
        );
    }

    #[test]
    fn fixed_keys_and_budget() {
        let p = policy(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "aws:PrincipalTag/team": "a"},
                              "ForAnyValue:StringLike": {"aws:TagKeys": ["env*", "team"]}}}]}"#,
        );
        let role = |k: &str| {
            if PRINCIPAL_KEYS.contains(&k) {
                KeyRole::Fixed
            } else {
                KeyRole::Free
            }
        };
        let space = ContextSpace::new(&[&p], RequestContext::new(), role);
        assert_eq!(
            space.free_keys().collect::<Vec<_>>(),
            ["aws:principaltag/team", "aws:tagkeys"]
        );
        // team: absent, "a", stranger; tag keys: absent, [], 4 singles, all of them.
        assert_eq!(space.size(), 3 * 7);
        let err = space.contexts(10).unwrap_err();
        assert_eq!(err.combinations, 21);
        assert!(err.to_string().contains("budget of 10"), "{err}");
    }

    #[test]
    fn foreign_keys_are_absent_or_unnamed() {
        let p = policy(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]}"#,
        );
        let role = |k: &str| {
            if NETWORK_KEYS.contains(&k) {
                KeyRole::Foreign
            } else {
                KeyRole::Free
            }
        };
        let contexts = ContextSpace::new(&[&p], RequestContext::new(), role)
            .contexts(10)
            .unwrap();
        assert_eq!(contexts.len(), 2);
        assert!(contexts.iter().all(|c| c
            .get("aws:sourcevpce")
            .is_none_or(|v| v.values() == [STRANGER])));
    }

    #[test]
    fn actions_the_policy_cannot_tell_apart_share_a_representative() {
        let p = policy(
            r#"{"Statement": [
                {"Effect": "Deny", "Principal": "*", "Action": "s3:Get*", "Resource": "*"},
                {"Effect": "Deny", "Principal": "*", "NotAction": "s3:PutObject", "Resource": "*"}]}"#,
        );
        let reps = action_representatives(
            &[&p],
            [
                "s3:GetObject",
                "s3:GetBucketPolicy",
                "s3:PutObject",
                "s3:DeleteObject",
            ],
        );
        assert_eq!(reps, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
        let groups = action_groups(
            &[&p],
            ["s3:GetObject", "s3:PutObject", "s3:GetBucketPolicy"],
        );
        assert_eq!(
            groups,
            [
                vec!["s3:GetObject", "s3:GetBucketPolicy"],
                vec!["s3:PutObject"]
            ]
        );
    }

    #[test]
    fn resources_cover_named_paths_and_a_stranger() {
        let p = policy(
            r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "NotResource": ["arn:aws:s3:::b/public/*", "arn:aws:s3:::*/logs/*"]}]}"#,
        );
        assert_eq!(
            resource_representatives(&[&p], "arn:aws:s3:::b/"),
            [
                format!("arn:aws:s3:::b/{STRANGER}"),
                "arn:aws:s3:::b/public/x".to_owned(),
                "arn:aws:s3:::b/logs/x".to_owned()
            ]
        );
    }
}
