//! Policy documents: the parsed form of a JSON policy, with source positions.

use std::collections::BTreeMap;

use super::variables::{has_variables, Template};
use super::wildcard::Pattern;

/// A 1-based line and column in the policy's source text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// A list of patterns (actions, resources): `Action` or `NotAction`, etc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringSet {
    /// The element lists what matches (`Action`, `Resource`).
    Listed(Vec<String>),
    /// The element lists what does not match (`NotAction`, `NotResource`).
    Not(Vec<String>),
}

/// The principals of a statement, by kind. `*` alone is `any`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Principals {
    /// `"Principal": "*"` (or `{"AWS": "*"}`): everyone.
    pub any: bool,
    /// `AWS`: account ids, account root ARNs, role/user/session ARNs (may hold `*`).
    pub aws: Vec<String>,
    /// `Service`: service principals (`ec2.amazonaws.com`).
    pub service: Vec<String>,
    /// `Federated`: identity providers (`cognito-identity.amazonaws.com`, OIDC/SAML ARNs).
    pub federated: Vec<String>,
    /// `CanonicalUser`: S3 canonical user ids.
    pub canonical_user: Vec<String>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalMatch {
    /// The statement applies to these principals.
    Principal(Principals),
    /// The statement applies to everyone but these principals.
    NotPrincipal(Principals),
}

/// `ForAllValues:` / `ForAnyValue:` set qualifiers of a condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// Every value of the request key must match one of the condition's values.
    ForAllValues,
    /// At least one value of the request key must match one of the condition's values.
    ForAnyValue,
}

/// A condition operator as written, decomposed: `ForAnyValue:StringLikeIfExists` is
/// `{ qualifier: Some(ForAnyValue), base: "StringLike", if_exists: true }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// The set qualifier, if any.
    pub qualifier: Option<SetQualifier>,
    /// The base operator name as written (`StringEquals`, `NumericLessThan`, `Null`, …).
    pub base: String,
    /// Whether `IfExists` was appended.
    pub if_exists: bool,
}

/// One condition: an operator, a key, and the values the policy gives (OR-ed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator.
    pub operator: ConditionOperator,
    /// The condition key as written (`aws:SourceIp`).
    pub key: String,
    /// The policy's values; JSON booleans and numbers are kept as their text.
    pub values: Vec<String>,
    /// Where the key is in the source.
    pub position: Position,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` / `NotPrincipal` (resource, trust and key policies; absent in
    /// identity policies and SCPs).
    pub principal: Option<PrincipalMatch>,
    /// `Action` / `NotAction`.
    pub action: StringSet,
    /// `Resource` / `NotResource`; absent in trust policies.
    pub resource: Option<StringSet>,
    /// Conditions: every one must hold (AND across operators and keys).
    pub conditions: Vec<Condition>,
    /// Where the statement starts in the source.
    pub position: Position,
    /// `action` and `resource` compiled once for evaluation.
    pub matchers: StatementMatchers,
}

/// A statement's action and resource patterns, compiled when the policy is parsed so that
/// evaluation neither parses nor allocates for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementMatchers {
    /// `Action`/`NotAction` patterns, lowercased (actions match case-insensitively).
    pub actions: Vec<Pattern>,
    /// `Resource`/`NotResource` patterns (case-sensitive).
    pub resources: Vec<ResourceMatcher>,
}

/// One resource pattern: ready, or holding policy variables to expand per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceMatcher {
    /// No variables: the parsed pattern.
    Fixed(Pattern),
    /// With `${…}`: expanded against each request (when the policy version enables it).
    WithVariables(Template),
}

impl StatementMatchers {
    /// Compiles the patterns of `action` and `resource`.
    pub fn new(action: &StringSet, resource: Option<&StringSet>) -> Self {
        let list = |set: &StringSet| -> Vec<String> {
            match set {
                StringSet::Listed(v) | StringSet::Not(v) => v.clone(),
            }
        };
        StatementMatchers {
            actions: list(action)
                .iter()
                .map(|a| Pattern::parse(&a.to_lowercase()))
                .collect(),
            resources: resource
                .map(list)
                .unwrap_or_default()
                .into_iter()
                .map(|r| {
                    if has_variables(&r) {
                        ResourceMatcher::WithVariables(Template::parse(&r))
                    } else {
                        ResourceMatcher::Fixed(Pattern::parse(&r))
                    }
                })
                .collect(),
        }
    }
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `Version`, if present (`2012-10-17` enables policy variables).
    pub version: Option<String>,
    /// `Id`, if present.
    pub id: Option<String>,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Whether policy variables (`${…}`) are substituted: only with Version 2012-10-17.
    pub fn variables_enabled(&self) -> bool {
        self.version.as_deref() == Some("2012-10-17")
    }
}

/// Condition values grouped by operator then key, as the JSON has them; kept for
/// validators that report on the document's shape.
pub type ConditionBlock = BTreeMap<String, BTreeMap<String, Vec<String>>>;
