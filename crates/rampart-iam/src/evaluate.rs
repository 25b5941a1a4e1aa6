//! The AWS policy evaluation logic for one request.
//!
//! Order, after "Policy evaluation logic" in the IAM User Guide:
//! 1. an explicit `Deny` in any applicable policy (SCP, RCP, resource, identity, permissions
//!    boundary, session) denies;
//! 2. RCPs, when the resource's account is in an organization and is not the management
//!    account: every level (root, each OU, the account) must have an `Allow`. RCPs restrict
//!    only the services that support them, and never service-linked roles (as callers, or
//!    as roles a service assumes), AWS managed KMS keys or `kms:RetireGrant` (`rcp_scope`);
//! 3. SCPs, when the principal's account is in an organization, is not the management
//!    account, and the principal is not a service-linked role nor an AWS service: every
//!    level must allow;
//! 4. a resource-based policy that names the principal itself allows within the account
//!    (across accounts it only adds the resource owner's consent); an AWS service named in
//!    it needs nothing else;
//! 5. identity-based policies must allow; then the permissions boundary and the session
//!    policy, when present, must allow too (they only limit).
//!
//! KMS differs: a key policy is required, and identity policies count only when the key
//! policy allows the key's account ("Key policies in AWS KMS", Default key policy). So do
//! role trust policies (`sts:*` on a role): the trust policy must allow the principal even
//! within the account, an identity-based policy alone is not enough, and a user it names
//! still needs a permissions boundary, if it has one, that allows the action ("Update a role
//! trust policy").

use std::collections::BTreeMap;

use super::condition;
use super::context::{ascii_lowercase_in, Lookup, ValueRef};
use super::document::{Effect, Policy, ResourceMatcher, Statement, StringSet};
use super::{ContextValue, RequestContext};

mod principal;
mod rcp_scope;

use principal::{is_role_arn, is_service_linked_role_arn, principal_fit, PrincipalFit};

/// The policies that apply to one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyInputs<'a> {
    /// Identity-based policies of the principal (inline and managed).
    pub identity: &'a [Policy],
    /// The resource-based policy (bucket policy, key policy, trust policy, …).
    pub resource: Option<&'a Policy>,
    /// The principal's permissions boundary.
    pub boundary: Option<&'a Policy>,
    /// The session policy passed when the role was assumed.
    pub session: Option<&'a Policy>,
    /// SCPs by level, root first, the account last; `None` outside an organization.
    pub scp_chain: Option<&'a [Vec<Policy>]>,
    /// RCPs by level for the resource's account; `None` outside an organization.
    pub rcp_chain: Option<&'a [Vec<Policy>]>,
}

/// Who makes the request.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    /// ARN: a role, a role session (`arn:aws:sts::…:assumed-role/R/S`), a user, an
    /// account root, or a service principal name (`ec2.amazonaws.com`).
    pub arn: String,
    /// The principal's account.
    pub account: String,
    /// Whether the account is the organization's management account (SCPs do not apply).
    pub is_management_account: bool,
    /// Whether it is a service-linked role (SCPs do not apply).
    pub is_service_linked_role: bool,
    /// The principal's tags (they feed `aws:PrincipalTag/…`).
    pub tags: BTreeMap<String, String>,
}

impl Principal {
    /// Whether the caller is an AWS service principal (`ec2.amazonaws.com`): it belongs to
    /// no account, so no SCP applies to it, and a resource-based policy naming it is all it
    /// needs.
    pub fn is_service(&self) -> bool {
        is_service_name(&self.arn)
    }
}

/// `service.amazonaws.com` (or `.amazonaws.com.cn`): how policies name AWS services.
fn is_service_name(name: &str) -> bool {
    !name.starts_with("arn:") && name.contains(".amazonaws.com")
}

/// What is requested.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `service:Action`.
    pub action: String,
    /// The resource ARN (`*` for actions without a resource).
    pub resource: String,
    /// The account that owns the resource.
    pub resource_account: String,
    /// Whether the resource's account is the organization's management account (RCPs do
    /// not apply to it).
    pub resource_in_management_account: bool,
    /// Whether the resource is an AWS managed KMS key (RCPs do not apply to it).
    pub resource_is_aws_managed_key: bool,
    /// Condition keys of the request.
    pub context: RequestContext,
}

/// The final decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied by a `Deny` statement.
    ExplicitDeny,
    /// Denied because nothing (or not everything that must) allows it.
    ImplicitDeny,
}

/// Which kind of policy a statement is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// A resource-based policy.
    Resource,
    /// An identity-based policy.
    Identity,
    /// A permissions boundary.
    Boundary,
    /// A session policy.
    Session,
}

impl PolicyKind {
    fn name(self) -> &'static str {
        match self {
            PolicyKind::Scp => "SCP",
            PolicyKind::Rcp => "RCP",
            PolicyKind::Resource => "resource-based policy",
            PolicyKind::Identity => "identity-based policy",
            PolicyKind::Boundary => "permissions boundary",
            PolicyKind::Session => "session policy",
        }
    }
}

/// A statement that applied to the request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MatchedStatement {
    /// The kind of policy.
    pub policy: PolicyKind,
    /// For SCPs and RCPs, the level (0 = root); otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// Which document of its list (identity policies, the SCPs of a level).
    pub document: usize,
    /// The statement's index in its document.
    pub statement: usize,
    /// The statement's `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
}

/// The decision with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    /// allow, explicit-deny or implicit-deny.
    pub decision: Decision,
    /// One sentence saying why.
    pub reason: String,
    /// Every statement that applied, in evaluation order.
    pub matched: Vec<MatchedStatement>,
}

/// Evaluates one request against its policies.
pub fn evaluate(
    policies: &PolicyInputs<'_>,
    principal: &Principal,
    request: &Request,
) -> Evaluation {
    let context = Derived { principal, request };
    walk(policies, principal, request, &context)
}

/// [`evaluate`] with a context already made by [`prepare_context`]: callers that decide many
/// requests of one principal prepare its context once.
pub fn evaluate_in_context(
    policies: &PolicyInputs<'_>,
    principal: &Principal,
    request: &Request,
    context: &RequestContext,
) -> Evaluation {
    walk(policies, principal, request, context)
}

/// [`evaluate`] with condition keys looked up in `context`.
fn walk(
    policies: &PolicyInputs<'_>,
    principal: &Principal,
    request: &Request,
    context: &dyn Lookup,
) -> Evaluation {
    // Action patterns are compiled lowercase: lowercase the action once, on the stack.
    let mut buf = [0u8; 128];
    let owned;
    let action: &str = match ascii_lowercase_in(&request.action, &mut buf) {
        Some(lower) => lower,
        None => {
            owned = request.action.to_ascii_lowercase();
            &owned
        }
    };
    let has_boundary = policies.boundary.is_some();
    let mut matched = Vec::with_capacity(8);
    let mut cx = Walk {
        principal,
        request,
        action,
        context,
        has_boundary,
        matched: &mut matched,
    };
    // A request to assume a role (or tag or name its session) is decided by the role's
    // trust policy.
    let is_trust = action.starts_with("sts:") && is_role_arn(&request.resource);

    // Collect every applicable statement first: explicit denies anywhere win.
    let scps_apply = !principal.is_management_account
        && !principal.is_service_linked_role
        && !principal.is_service();
    // RCPs never restrict management-account resources, service-linked roles (calling, or
    // assumed by their service), AWS managed keys, nor the services that do not support them.
    let rcps_apply = || {
        let exempt = request.resource_in_management_account
            || principal.is_service_linked_role
            || request.resource_is_aws_managed_key
            || (is_trust && is_service_linked_role_arn(&request.resource));
        !exempt && rcp_scope::applies_to_action(action)
    };
    let scp = if scps_apply {
        policies.scp_chain.map(|c| cx.chain(PolicyKind::Scp, c))
    } else {
        None
    };
    let rcp = match policies.rcp_chain {
        Some(c) if rcps_apply() => Some(cx.chain(PolicyKind::Rcp, c)),
        _ => None,
    };
    let resource = policies.resource.map(|p| cx.resource_policy(p));
    let identity = cx.list(PolicyKind::Identity, policies.identity);
    let boundary = policies
        .boundary
        .map(|p| cx.list(PolicyKind::Boundary, std::slice::from_ref(p)));
    let session = policies
        .session
        .map(|p| cx.list(PolicyKind::Session, std::slice::from_ref(p)));

    if let Some(deny) = matched.iter().find(|m| m.effect == "Deny") {
        let reason = format!("explicitly denied by {}", describe(deny));
        return Evaluation {
            decision: Decision::ExplicitDeny,
            reason,
            matched,
        };
    }
    if let Some(Some(level)) = rcp
        .as_ref()
        .map(|levels| levels.iter().position(|allowed| !allowed))
    {
        return implicit(
            format!(
                "implicitly denied: no RCP at {} allows the request",
                level_name(level, rcp.as_ref().map_or(0, Vec::len))
            ),
            matched,
        );
    }
    if let Some(Some(level)) = scp
        .as_ref()
        .map(|levels| levels.iter().position(|allowed| !allowed))
    {
        return implicit(
            format!(
                "implicitly denied: no SCP at {} allows the action",
                level_name(level, scp.as_ref().map_or(0, Vec::len))
            ),
            matched,
        );
    }

    // An AWS service belongs to no account: a resource-based policy naming it decides, as
    // within an account.
    let same_account = principal.is_service() || principal.account == request.resource_account;
    let resource_fit = resource.unwrap_or(PrincipalFit::No);
    let is_kms = action.starts_with("kms:");
    let limits = Limits {
        boundary: boundary.unwrap_or(true),
        session: session.unwrap_or(true),
    };

    if is_kms {
        let has_key_policy = policies.resource.is_some();
        return kms_decision(
            has_key_policy,
            same_account,
            resource_fit,
            identity,
            limits.boundary && limits.session,
            matched,
        );
    }
    if is_trust {
        return trust_decision(
            policies.resource.is_some(),
            same_account,
            resource_fit,
            identity,
            has_boundary,
            limits,
            matched,
        );
    }

    if same_account {
        match resource_fit {
            // "Within the same account, resource-based policies that grant permissions to an
            // IAM user ARN or an assumed-role session ARN are not limited by an implicit deny
            // in an identity-based policy, permissions boundary or session policy."
            PrincipalFit::Exact => {
                return allow(
                    "allowed by the resource-based policy, which names the principal",
                    matched,
                );
            }
            // Naming the role ARN: not limited by identity policies, but boundaries and
            // session policies still apply.
            PrincipalFit::Role => {
                return role_grant(limits, "the resource-based policy names the role", matched);
            }
            PrincipalFit::Account | PrincipalFit::No => {}
        }
        return identity_decision(
            identity,
            limits,
            "allowed by an identity-based policy",
            matched,
        );
    }

    // Cross-account: the resource owner must consent, and the caller's account must allow.
    if resource_fit == PrincipalFit::No {
        return implicit(
            "implicitly denied: cross-account access needs the resource-based policy of the resource's account to allow the principal".to_owned(),
            matched,
        );
    }
    identity_decision(
        identity,
        limits,
        "allowed: the resource-based policy and an identity-based policy both allow (cross-account)",
        matched,
    )
}

/// Whether the permissions boundary and the session policy allow (each `true` when absent).
#[derive(Debug, Clone, Copy)]
struct Limits {
    boundary: bool,
    session: bool,
}

fn allow(reason: &str, matched: Vec<MatchedStatement>) -> Evaluation {
    Evaluation {
        decision: Decision::Allow,
        reason: reason.to_owned(),
        matched,
    }
}

fn implicit(reason: String, matched: Vec<MatchedStatement>) -> Evaluation {
    Evaluation {
        decision: Decision::ImplicitDeny,
        reason,
        matched,
    }
}

/// A grant to the role ARN: limited by the boundary and the session policy only.
fn role_grant(limits: Limits, grant: &str, matched: Vec<MatchedStatement>) -> Evaluation {
    match (limits.boundary, limits.session) {
        (true, true) => allow(&format!("allowed: {grant}"), matched),
        (false, _) => implicit(
            format!("implicitly denied: {grant}, but the permissions boundary does not allow the action"),
            matched,
        ),
        (true, false) => implicit(
            format!("implicitly denied: {grant}, but the session policy does not allow the action"),
            matched,
        ),
    }
}

/// A role's trust policy: it must allow the principal, even within the account ("IAM role
/// trust policies and KMS key policies are exceptions [...] because they must explicitly
/// allow access for principals").
fn trust_decision(
    has_trust_policy: bool,
    same_account: bool,
    trust_fit: PrincipalFit,
    identity: bool,
    has_boundary: bool,
    limits: Limits,
    matched: Vec<MatchedStatement>,
) -> Evaluation {
    if !has_trust_policy || trust_fit == PrincipalFit::No {
        return implicit(
            "implicitly denied: the role's trust policy does not allow the principal".to_owned(),
            matched,
        );
    }
    if !same_account {
        return identity_decision(
            identity,
            limits,
            "allowed: the role's trust policy and an identity-based policy both allow (cross-account)",
            matched,
        );
    }
    match trust_fit {
        // "If a user is listed as the principal in a role's trust policy but cannot assume
        // the role, check the user's permissions boundary. If a permissions boundary is set
        // for the user, then it must allow the sts:AssumeRole action."
        PrincipalFit::Exact if has_boundary && !limits.boundary => implicit(
            "implicitly denied: the role's trust policy names the principal, but its permissions boundary does not allow the action".to_owned(),
            matched,
        ),
        PrincipalFit::Exact => allow(
            "allowed by the role's trust policy, which names the principal",
            matched,
        ),
        PrincipalFit::Role => role_grant(limits, "the role's trust policy names the role", matched),
        // The trust policy names the account: its identity-based policies must allow.
        PrincipalFit::Account | PrincipalFit::No => identity_decision(
            identity,
            limits,
            "allowed: the role's trust policy trusts the account and an identity-based policy allows",
            matched,
        ),
    }
}

fn identity_decision(
    identity: bool,
    limits: Limits,
    allowed: &str,
    matched: Vec<MatchedStatement>,
) -> Evaluation {
    let (decision, reason) = if !identity {
        (
            Decision::ImplicitDeny,
            "implicitly denied: no identity-based policy allows the action".to_owned(),
        )
    } else if !limits.boundary {
        (
            Decision::ImplicitDeny,
            "implicitly denied: the permissions boundary does not allow the action".to_owned(),
        )
    } else if !limits.session {
        (
            Decision::ImplicitDeny,
            "implicitly denied: the session policy does not allow the action".to_owned(),
        )
    } else {
        (Decision::Allow, allowed.to_owned())
    };
    Evaluation {
        decision,
        reason,
        matched,
    }
}

/// KMS: the key policy decides whether identity policies count at all.
fn kms_decision(
    has_key_policy: bool,
    same_account: bool,
    key_policy_fit: PrincipalFit,
    identity: bool,
    limits_ok: bool,
    matched: Vec<MatchedStatement>,
) -> Evaluation {
    let implicit = |reason: &str, matched| Evaluation {
        decision: Decision::ImplicitDeny,
        reason: reason.to_owned(),
        matched,
    };
    if !has_key_policy {
        return implicit(
            "implicitly denied: a KMS key needs a key policy that allows the request",
            matched,
        );
    }
    match key_policy_fit {
        PrincipalFit::No => implicit(
            "implicitly denied: the key policy allows neither the principal nor its account",
            matched,
        ),
        PrincipalFit::Exact | PrincipalFit::Role if same_account => {
            if limits_ok {
                Evaluation {
                    decision: Decision::Allow,
                    reason: "allowed by the key policy, which names the principal".to_owned(),
                    matched,
                }
            } else {
                implicit(
                    "implicitly denied: the key policy allows the principal, but its permissions boundary or session policy does not",
                    matched,
                )
            }
        }
        // The key policy allows the account (the default key policy's delegation) or, across
        // accounts, the caller: identity-based policies must allow too.
        _ => identity_decision(
            identity,
            Limits {
                boundary: limits_ok,
                session: true,
            },
            "allowed: the key policy allows the account and an identity-based policy allows the principal",
            matched,
        ),
    }
}

fn level_name(level: usize, levels: usize) -> String {
    if level == 0 {
        "the root (level 0)".to_owned()
    } else if level + 1 == levels {
        format!("the account (level {level})")
    } else {
        format!("OU level {level}")
    }
}

fn describe(m: &MatchedStatement) -> String {
    let mut s = m.policy.name().to_owned();
    if let Some(level) = m.level {
        s.push_str(&format!(" at level {level}"));
    }
    s.push_str(&format!(
        " (document {}, statement {}",
        m.document, m.statement
    ));
    if let Some(sid) = &m.sid {
        s.push_str(&format!(", `{sid}`"));
    }
    s.push(')');
    s
}

/// The request's context with the keys AWS derives from the principal and the request,
/// where the caller did not set them: `aws:PrincipalArn`, `aws:PrincipalAccount`,
/// `aws:PrincipalTag/…`, `aws:username` (IAM users), `aws:ResourceAccount`; for an AWS
/// service, `aws:PrincipalServiceName` and `aws:PrincipalIsAWSService` instead of the ARN
/// and account. [`evaluate`] looks these keys up without making this copy.
pub fn prepare_context(principal: &Principal, request: &Request) -> RequestContext {
    let derived = Derived { principal, request };
    let mut context = request.context.clone();
    let tags = principal
        .tags
        .keys()
        .map(|k| std::borrow::Cow::Owned(format!("aws:PrincipalTag/{k}")));
    for key in DERIVED_KEYS
        .iter()
        .map(|k| std::borrow::Cow::Borrowed(*k))
        .chain(tags)
    {
        if context.get(&key).is_none() {
            if let Some(value) = derived.derived(&key) {
                context.insert(&key, ContextValue::Single(value.to_owned()));
            }
        }
    }
    context
}

/// The keys [`Derived`] adds besides `aws:PrincipalTag/…`.
const DERIVED_KEYS: [&str; 6] = [
    "aws:PrincipalServiceName",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:ResourceAccount",
    "aws:username",
];

/// The request's context with the keys AWS derives laid over it (see [`prepare_context`]),
/// looked up in place: deciding one request copies nothing.
struct Derived<'a> {
    principal: &'a Principal,
    request: &'a Request,
}

impl Derived<'_> {
    /// The derived value of `key` (any case), when the principal and request give it one.
    fn derived(&self, key: &str) -> Option<&str> {
        let principal = self.principal;
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        let value = if let Some(tag) = strip_prefix_ignore_ascii_case(key, "aws:PrincipalTag/") {
            // Tag keys compare case-insensitively, like every condition key; the first
            // (in byte order) tag with a value wins.
            principal
                .tags
                .iter()
                .find(|(k, v)| k.eq_ignore_ascii_case(tag) && !v.is_empty())
                .map(|(_, v)| v.as_str())
        } else if is("aws:ResourceAccount") {
            Some(self.request.resource_account.as_str())
        } else if is("aws:username") {
            principal
                .arn
                .split_once(":user/")
                .map(|(_, rest)| rest.rsplit('/').next().unwrap_or(rest))
        } else if principal.is_service() {
            if is("aws:PrincipalServiceName") {
                Some(principal.arn.as_str())
            } else if is("aws:PrincipalIsAWSService") {
                Some("true")
            } else {
                None
            }
        } else if is("aws:PrincipalArn") {
            Some(principal.arn.as_str())
        } else if is("aws:PrincipalAccount") {
            Some(principal.account.as_str())
        } else {
            None
        };
        value.filter(|v| !v.is_empty())
    }
}

impl Lookup for Derived<'_> {
    fn lookup(&self, key: &str) -> Option<ValueRef<'_>> {
        self.request
            .context
            .lookup(key)
            .or_else(|| self.derived(key).map(ValueRef::Single))
    }
}

/// `text` after `prefix`, the prefix compared ignoring ASCII case.
fn strip_prefix_ignore_ascii_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// State of one evaluation walk over the policies.
struct Walk<'a, 'm> {
    principal: &'a Principal,
    request: &'a Request,
    /// The action, lowercased once (action patterns are compiled lowercased).
    action: &'a str,
    context: &'a dyn Lookup,
    /// Whether the caller has a permissions boundary (a `Deny` with `NotPrincipal` always
    /// applies to it).
    has_boundary: bool,
    matched: &'m mut Vec<MatchedStatement>,
}

impl Walk<'_, '_> {
    /// Whether any statement of `docs` allows; records every applicable statement.
    fn list(&mut self, kind: PolicyKind, docs: &[Policy]) -> bool {
        self.level(kind, None, docs)
    }

    fn level(&mut self, kind: PolicyKind, level: Option<usize>, docs: &[Policy]) -> bool {
        let mut allowed = false;
        for (d, doc) in docs.iter().enumerate() {
            for (i, s) in doc.statements.iter().enumerate() {
                if self.applies(doc, s, false) {
                    self.record(kind, level, d, i, s);
                    allowed |= s.effect == Effect::Allow;
                }
            }
        }
        allowed
    }

    /// Per level, whether an `Allow` applies.
    fn chain(&mut self, kind: PolicyKind, levels: &[Vec<Policy>]) -> Vec<bool> {
        levels
            .iter()
            .enumerate()
            .map(|(level, docs)| self.level(kind, Some(level), docs))
            .collect()
    }

    /// How well the resource policy's allowing statements fit the caller (deny statements
    /// are recorded and win in [`evaluate`]).
    fn resource_policy(&mut self, doc: &Policy) -> PrincipalFit {
        let mut best = PrincipalFit::No;
        for (i, s) in doc.statements.iter().enumerate() {
            if !self.applies(doc, s, true) {
                continue;
            }
            self.record(PolicyKind::Resource, None, 0, i, s);
            if s.effect == Effect::Allow {
                best = best.max(self.fit(s));
            }
        }
        best
    }

    fn record(
        &mut self,
        kind: PolicyKind,
        level: Option<usize>,
        document: usize,
        statement: usize,
        s: &Statement,
    ) {
        self.matched.push(MatchedStatement {
            policy: kind,
            level,
            document,
            statement,
            sid: s.sid.clone(),
            effect: match s.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            },
        });
    }

    fn fit(&self, s: &Statement) -> PrincipalFit {
        principal_fit(
            s.principal.as_ref(),
            s.effect,
            self.principal,
            self.has_boundary,
        )
    }

    /// Whether a statement applies: principal (for resource policies), action, resource,
    /// and every condition.
    fn applies(&self, doc: &Policy, s: &Statement, check_principal: bool) -> bool {
        if check_principal && self.fit(s) == PrincipalFit::No {
            return false;
        }
        let vars = doc.variables_enabled();
        let action_hit = s.matchers.actions.iter().any(|p| p.matches(self.action));
        let action_ok = match &s.action {
            StringSet::Listed(_) => action_hit,
            StringSet::Not(_) => !action_hit,
        };
        if !action_ok {
            return false;
        }
        let resource = self.request.resource.as_str();
        let resource_hit = || {
            s.matchers.resources.iter().any(|m| match m {
                ResourceMatcher::Fixed(p) => p.matches(resource),
                ResourceMatcher::WithVariables(template) => template
                    .expand(self.context, vars)
                    .is_ok_and(|p| p.matches(resource)),
            })
        };
        let resource_ok = match &s.resource {
            None => true,
            Some(StringSet::Listed(_)) => resource_hit(),
            // An unresolvable variable in NotResource cannot exclude the resource.
            Some(StringSet::Not(_)) => !resource_hit(),
        };
        resource_ok
            && s.conditions
                .iter()
                .all(|c| condition::evaluate(c, self.context, vars))
    }
}

#[cfg(test)]
mod derived_tests;
