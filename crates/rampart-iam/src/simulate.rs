//! `rampart iam simulate`: requests with their policies in, decisions out.
//!
//! The input is one request object or an array of them:
//! `{"policies": {"identity": [DOC…], "resource": DOC|null, "boundary": DOC|null,
//! "session": DOC|null, "scp_chain": [[DOC…]…]|null, "rcp_chain": [[DOC…]…]|null},
//! "principal": {"arn", "account", "is_management_account", "is_service_linked_role", "tags"},
//! "request": {"action", "resource", "resource_account", "resource_is_aws_managed_key",
//! "context": {KEY: "v" | ["v", …]}}}`. An AWS service principal is given by its name
//! (`"arn": "ec2.amazonaws.com"`) and has no `account`.
//! It is read with positions, so that every error names the line and column.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::document::{Policy, Position};
use super::evaluate::{evaluate, Evaluation, PolicyInputs, Principal, Request};
use super::json::{self, Json, Spanned};
use super::parse::policy_from_json;
use super::{ContextValue, RequestContext};

/// One request to simulate, with its policies.
#[derive(Debug, Clone, Default)]
pub struct SimulationCase {
    /// Identity-based policies.
    pub identity: Vec<Policy>,
    /// Resource-based policy.
    pub resource: Option<Policy>,
    /// Permissions boundary.
    pub boundary: Option<Policy>,
    /// Session policy.
    pub session: Option<Policy>,
    /// SCPs by level, or `None` outside an organization.
    pub scp_chain: Option<Vec<Vec<Policy>>>,
    /// RCPs by level, or `None` outside an organization.
    pub rcp_chain: Option<Vec<Vec<Policy>>>,
    /// The caller.
    pub principal: Principal,
    /// The request.
    pub request: Request,
}

impl SimulationCase {
    /// Evaluates the case.
    pub fn evaluate(&self) -> Evaluation {
        let inputs = PolicyInputs {
            identity: &self.identity,
            resource: self.resource.as_ref(),
            boundary: self.boundary.as_ref(),
            session: self.session.as_ref(),
            scp_chain: self.scp_chain.as_deref(),
            rcp_chain: self.rcp_chain.as_deref(),
        };
        evaluate(&inputs, &self.principal, &self.request)
    }
}

/// Why simulation input is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}: {message}", position.line, position.column)]
pub struct SimulationInputError {
    /// Where.
    pub position: Position,
    /// What is wrong.
    pub message: String,
}

fn fail<T>(position: Position, message: impl Into<String>) -> Result<T, SimulationInputError> {
    Err(SimulationInputError {
        position,
        message: message.into(),
    })
}

/// Parses simulation input: one request object, or an array of them. `single` tells
/// which it was, so that output mirrors input.
pub fn parse_input(text: &str) -> Result<(Vec<SimulationCase>, bool), SimulationInputError> {
    let root = json::parse(text).map_err(|e| SimulationInputError {
        position: e.position,
        message: format!("invalid JSON: {}", e.message),
    })?;
    match &root.value {
        Json::Array(items) => Ok((items.iter().map(case).collect::<Result<_, _>>()?, false)),
        Json::Object(_) => Ok((vec![case(&root)?], true)),
        other => fail(
            root.position,
            format!(
                "expected a request object or an array of them, not {}",
                other.kind()
            ),
        ),
    }
}

/// Evaluates cases in parallel; results are in input order.
pub fn run(cases: &[SimulationCase]) -> Vec<Evaluation> {
    cases.par_iter().map(SimulationCase::evaluate).collect()
}

type Members<'a> = &'a [(String, Position, Spanned)];

fn object<'a>(
    v: &'a Spanned,
    what: &str,
    known: &[&str],
) -> Result<Members<'a>, SimulationInputError> {
    let Json::Object(members) = &v.value else {
        return fail(
            v.position,
            format!("`{what}` must be an object, not {}", v.value.kind()),
        );
    };
    for (key, position, _) in members {
        if !known.contains(&key.as_str()) {
            let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            return fail(
                *position,
                format!(
                    "unknown field `{key}` in `{what}`, expected one of {}",
                    expected.join(", ")
                ),
            );
        }
    }
    Ok(members)
}

fn field<'a>(members: Members<'a>, name: &str) -> Option<&'a Spanned> {
    members
        .iter()
        .find(|(k, _, _)| k == name)
        .map(|(_, _, v)| v)
        .filter(|v| v.value != Json::Null)
}

fn text(v: &Spanned, what: &str) -> Result<String, SimulationInputError> {
    match &v.value {
        Json::String(s) => Ok(s.clone()),
        other => fail(
            v.position,
            format!("`{what}` must be a string, not {}", other.kind()),
        ),
    }
}

fn required(
    members: Members<'_>,
    name: &str,
    parent: &Spanned,
    what: &str,
) -> Result<String, SimulationInputError> {
    match field(members, name) {
        Some(v) => text(v, &format!("{what}.{name}")),
        None => fail(parent.position, format!("`{what}` needs `{name}`")),
    }
}

fn flag(members: Members<'_>, name: &str) -> Result<bool, SimulationInputError> {
    match field(members, name) {
        None => Ok(false),
        Some(Spanned {
            value: Json::Bool(b),
            ..
        }) => Ok(*b),
        Some(v) => fail(
            v.position,
            format!("`{name}` must be true or false, not {}", v.value.kind()),
        ),
    }
}

fn policy(v: &Spanned) -> Result<Policy, SimulationInputError> {
    policy_from_json(v).map_err(|e| SimulationInputError {
        position: e.position,
        message: format!("invalid policy: {}", e.message),
    })
}

fn policy_list(v: &Spanned, what: &str) -> Result<Vec<Policy>, SimulationInputError> {
    match &v.value {
        Json::Array(items) => items.iter().map(policy).collect(),
        other => fail(
            v.position,
            format!(
                "`{what}` must be an array of policies, not {}",
                other.kind()
            ),
        ),
    }
}

fn chain(v: &Spanned, what: &str) -> Result<Vec<Vec<Policy>>, SimulationInputError> {
    match &v.value {
        Json::Array(levels) => levels.iter().map(|l| policy_list(l, what)).collect(),
        other => fail(
            v.position,
            format!(
                "`{what}` must be an array of levels (arrays of policies), not {}",
                other.kind()
            ),
        ),
    }
}

fn case(v: &Spanned) -> Result<SimulationCase, SimulationInputError> {
    let top = object(v, "request object", &["policies", "principal", "request"])?;
    let mut c = SimulationCase::default();
    if let Some(p) = field(top, "policies") {
        let members = object(
            p,
            "policies",
            &[
                "identity",
                "resource",
                "boundary",
                "session",
                "scp_chain",
                "rcp_chain",
            ],
        )?;
        if let Some(v) = field(members, "identity") {
            c.identity = policy_list(v, "policies.identity")?;
        }
        c.resource = field(members, "resource").map(policy).transpose()?;
        c.boundary = field(members, "boundary").map(policy).transpose()?;
        c.session = field(members, "session").map(policy).transpose()?;
        c.scp_chain = field(members, "scp_chain")
            .map(|v| chain(v, "policies.scp_chain"))
            .transpose()?;
        c.rcp_chain = field(members, "rcp_chain")
            .map(|v| chain(v, "policies.rcp_chain"))
            .transpose()?;
    }
    let Some(p) = field(top, "principal") else {
        return fail(v.position, "a request object needs `principal`");
    };
    let members = object(
        p,
        "principal",
        &[
            "arn",
            "account",
            "is_management_account",
            "is_service_linked_role",
            "tags",
        ],
    )?;
    let arn = required(members, "arn", p, "principal")?;
    let is_service = Principal {
        arn: arn.clone(),
        ..Principal::default()
    }
    .is_service();
    // A service principal belongs to no account; every other principal needs one.
    let account = match (field(members, "account"), is_service) {
        (Some(v), _) => text(v, "principal.account")?,
        (None, true) => String::new(),
        (None, false) => return fail(p.position, "`principal` needs `account`"),
    };
    c.principal = Principal {
        arn,
        account,
        is_management_account: flag(members, "is_management_account")?,
        is_service_linked_role: flag(members, "is_service_linked_role")?,
        tags: match field(members, "tags") {
            None => BTreeMap::new(),
            Some(t) => {
                let Json::Object(tags) = &t.value else {
                    return fail(t.position, "`principal.tags` must be an object of strings");
                };
                tags.iter()
                    .map(|(k, _, v)| Ok((k.clone(), text(v, &format!("principal.tags.{k}"))?)))
                    .collect::<Result<_, SimulationInputError>>()?
            }
        },
    };
    let Some(r) = field(top, "request") else {
        return fail(v.position, "a request object needs `request`");
    };
    let members = object(
        r,
        "request",
        &[
            "action",
            "resource",
            "resource_account",
            "resource_is_aws_managed_key",
            "context",
        ],
    )?;
    let resource = match field(members, "resource") {
        Some(v) => text(v, "request.resource")?,
        None => "*".to_owned(),
    };
    let resource_account = match field(members, "resource_account") {
        Some(v) => text(v, "request.resource_account")?,
        None => c.principal.account.clone(),
    };
    let mut context = RequestContext::new();
    if let Some(ctx) = field(members, "context") {
        let Json::Object(keys) = &ctx.value else {
            return fail(ctx.position, "`request.context` must be an object");
        };
        for (key, _, value) in keys {
            let value = match &value.value {
                Json::String(s) => ContextValue::Single(s.clone()),
                Json::Array(items) => ContextValue::Multi(
                    items
                        .iter()
                        .map(|i| text(i, &format!("request.context.{key}")))
                        .collect::<Result<_, _>>()?,
                ),
                other => {
                    return fail(
                        value.position,
                        format!(
                            "context key `{key}` must be a string or an array of strings, not {}",
                            other.kind()
                        ),
                    )
                }
            };
            context.insert(key, value);
        }
    }
    c.request = Request {
        action: required(members, "action", r, "request")?,
        resource_in_management_account: c.principal.is_management_account
            && resource_account == c.principal.account,
        resource_is_aws_managed_key: flag(members, "resource_is_aws_managed_key")?,
        resource,
        resource_account,
        context,
    };
    Ok(c)
}
