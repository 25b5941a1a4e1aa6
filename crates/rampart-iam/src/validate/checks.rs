//! The validator's vocabulary: policy types, severities, and every check with its code.

use std::fmt;
use std::str::FromStr;

use crate::document::Position;

/// What a policy is attached to, which decides the elements it may have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyType {
    /// Attached to a user, group or role; no `Principal`.
    #[default]
    Identity,
    /// Attached to a resource (bucket, key, queue…); needs `Principal`.
    Resource,
    /// A role's trust policy; needs `Principal`, has no `Resource`.
    Trust,
    /// A service control policy; no `Principal`.
    Scp,
    /// A resource control policy; needs `Principal`.
    Rcp,
    /// A permissions boundary; no `Principal`.
    Boundary,
    /// A session policy passed to `AssumeRole*` or `GetFederationToken`; no `Principal`.
    Session,
}

impl PolicyType {
    /// Every policy type, in the order of [`PolicyType::as_str`]'s documentation.
    pub const ALL: [PolicyType; 7] = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::Trust,
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::Boundary,
        PolicyType::Session,
    ];

    /// The command-line name: `identity`, `resource`, `trust`, `scp`, `rcp`, `boundary`,
    /// `session`.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity",
            PolicyType::Resource => "resource",
            PolicyType::Trust => "trust",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
            PolicyType::Boundary => "boundary",
            PolicyType::Session => "session",
        }
    }

    /// The name in prose ("a role trust policy").
    pub fn description(self) -> &'static str {
        match self {
            PolicyType::Identity => "an identity-based policy",
            PolicyType::Resource => "a resource-based policy",
            PolicyType::Trust => "a role trust policy",
            PolicyType::Scp => "a service control policy",
            PolicyType::Rcp => "a resource control policy",
            PolicyType::Boundary => "a permissions boundary",
            PolicyType::Session => "a session policy",
        }
    }

    /// Whether every statement names its principals (`Principal`/`NotPrincipal`); the other
    /// types apply to the principal they are attached to and must not name one.
    pub fn requires_principal(self) -> bool {
        matches!(
            self,
            PolicyType::Resource | PolicyType::Trust | PolicyType::Rcp
        )
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PolicyType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PolicyType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("unknown policy type `{s}`"))
    }
}

/// How serious a finding is; ordered from the least to the most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The policy works, but can be simpler.
    Suggestion,
    /// The policy probably does not do what its author intends.
    Warning,
    /// IAM rejects the policy, or a part of it can never work.
    Error,
}

impl Severity {
    /// `error`, `warning` or `suggestion`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Suggestion => "suggestion",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check: its stable code, severity and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Stable kebab-case id (`unknown-action`).
    pub code: &'static str,
    /// The severity of its findings.
    pub severity: Severity,
    /// What it finds, in a few words.
    pub title: &'static str,
    /// Why it matters and how to fix it.
    pub help: &'static str,
}

/// One problem found in a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationFinding {
    /// The check's severity.
    pub severity: Severity,
    /// The check's code (see [`CHECKS`]).
    pub code: &'static str,
    /// What is wrong here, for people.
    pub message: String,
    /// Where, in the policy text.
    pub position: Position,
}

macro_rules! checks {
    ($($name:ident = $code:literal, $severity:ident, $title:literal, $help:literal;)*) => {
        $(
            #[doc = $title]
            pub const $name: Check = Check {
                code: $code,
                severity: Severity::$severity,
                title: $title,
                help: $help,
            };
        )*
        /// Every check, errors first.
        pub const CHECKS: &[Check] = &[$($name),*];
    };
}

checks! {
    JSON_SYNTAX = "json-syntax", Error, "The policy is not valid JSON",
        "Fix the JSON syntax at the position shown.";
    POLICY_SYNTAX = "policy-syntax", Error, "The policy does not follow the IAM policy grammar",
        "Fix the element at the position shown; element names are case-sensitive.";
    UNSUPPORTED_PRINCIPAL = "unsupported-principal", Error, "Principal in a policy type that does not allow it",
        "Identity-based policies, permissions boundaries, session policies and SCPs apply to the principal they are attached to: remove `Principal`/`NotPrincipal`.";
    MISSING_PRINCIPAL = "missing-principal", Error, "No principal in a policy type that needs one",
        "Resource-based policies, role trust policies and RCPs must say whom each statement applies to: add `Principal`.";
    ALLOW_WITH_NOT_PRINCIPAL = "allow-with-not-principal", Error, "Allow with NotPrincipal",
        "`Allow` with `NotPrincipal` grants access to every principal not listed, including anonymous users; name the principals with `Principal` instead.";
    INVALID_CONDITION_OPERATOR = "invalid-condition-operator", Error, "Unknown condition operator",
        "Use one of the IAM condition operators; a condition with an unknown operator never matches. `Null` takes neither `IfExists` nor a set qualifier.";
    DUPLICATE_SID = "duplicate-sid", Error, "Duplicate statement id",
        "IAM requires the `Sid` values of a policy to be unique: rename or remove one.";
    MISSING_RESOURCE = "missing-resource", Error, "Statement without Resource",
        "Add `Resource` (or `NotResource`); only role trust policies omit it.";
    UNSUPPORTED_RESOURCE = "unsupported-resource", Error, "Resource in a role trust policy",
        "A trust policy's resource is the role itself: remove `Resource`/`NotResource`.";
    INVALID_ACTION_FORMAT = "invalid-action-format", Error, "Action is not service:action",
        "Write actions as `service:ActionName` (wildcards allowed), or `*`.";
    UNKNOWN_SERVICE = "unknown-service", Warning, "Unknown service prefix",
        "No service in the action catalog has this prefix; check the spelling (the catalog may also predate a new service).";
    UNKNOWN_ACTION = "unknown-action", Warning, "Unknown action",
        "The service has no action of this name; check the spelling against the Service Authorization Reference.";
    ACTION_MATCHES_NOTHING = "action-matches-nothing", Warning, "Action pattern matches no action",
        "The wildcard pattern matches no action in the catalog, so the entry has no effect.";
    CONDITION_TYPE_MISMATCH = "condition-type-mismatch", Warning, "Condition operator does not fit the key's type",
        "Use an operator of the key's type (`String…` for strings, `Numeric…`, `Date…`, `Bool`, `IpAddress`, `Arn…`); a mismatched comparison does not match what it seems to.";
    QUALIFIER_ON_SINGLE_VALUED_KEY = "set-qualifier-on-single-valued-key", Warning, "Set qualifier on a single-valued key",
        "`ForAllValues:`/`ForAnyValue:` are for multivalued keys; on a single-valued key `ForAllValues` also matches when the key is absent. Remove the qualifier.";
    MISSING_SET_QUALIFIER = "missing-set-qualifier", Warning, "Multivalued key without a set qualifier",
        "Compare a multivalued key (such as `aws:TagKeys`) with `ForAnyValue:` or `ForAllValues:` to say whether some or all of its values must match.";
    ALLOW_NOT_ACTION_ALL_RESOURCES = "allow-not-action-all-resources", Warning, "Allow with NotAction on every resource",
        "`Allow` + `NotAction` with `Resource: \"*\"` grants every action not listed, including those of services added later; list the allowed actions instead.";
    ALLOW_NOT_RESOURCE = "allow-not-resource", Warning, "Allow with NotResource",
        "`Allow` + `NotResource` grants access to every resource not listed, including ones created later; list the allowed resources instead.";
    ALLOW_FOR_ALL_VALUES = "allow-for-all-values", Warning, "ForAllValues in an Allow statement",
        "`ForAllValues` holds when the key is absent or empty, so the statement allows requests without the key; add a `Null` condition with `false` for the key, or use `ForAnyValue`.";
    VARIABLE_BEFORE_ARN_RESOURCE = "variable-before-arn-resource", Warning, "Policy variable outside the resource part of an ARN",
        "Policy variables are supported only in the resource part of a resource ARN (after the account field).";
    VARIABLES_NEED_VERSION = "variables-need-version", Warning, "Policy variables without Version 2012-10-17",
        "IAM substitutes `${…}` only when the policy says `\"Version\": \"2012-10-17\"`; otherwise the variable is literal text.";
    CATALOG_UNAVAILABLE = "catalog-unavailable", Warning, "Action catalog unavailable",
        "The embedded action catalog could not be loaded, so actions and condition key types were not checked.";
    STATEMENT_NEVER_MATCHES = "statement-never-matches", Suggestion, "Statement that can never match",
        "The statement excludes every action or resource, or its conditions contradict each other: it has no effect. Remove or fix it.";
    REDUNDANT_STATEMENT = "redundant-statement", Suggestion, "Redundant statement",
        "Another statement already has this effect; remove the redundant one.";
    REDUNDANT_ACTION = "redundant-action", Suggestion, "Redundant action",
        "Another entry of the same statement already covers this action; remove it.";
    EMPTY_SID = "empty-sid", Suggestion, "Empty Sid",
        "Give the statement a meaningful `Sid` or remove the element.";
}
