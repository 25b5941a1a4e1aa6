//! "Who can do this?": resource-based policies (trust, key) evaluated with the IAM
//! evaluator for representative principals of an account, the way the native IAM rules
//! ask it.
//!
//! A probe is a principal of one account: a generic role (`role/rampart-probe`), plus
//! every role or user the policy names for that account, in its `Principal` element or in
//! a condition value (`aws:PrincipalArn`), with wildcards filled in. The principal's own
//! account is assumed to allow the action (an identity policy allowing everything), so the
//! decision is the resource policy's.
//!
//! Conditions of `Allow` statements that a rule does not keep are removed before
//! evaluating: they are taken as satisfiable by some principal or request (an MFA session,
//! a source IP, a tag, an encryption context). `Deny` statements keep every condition and
//! are evaluated with the probe's context.

use std::collections::BTreeSet;

use crate::facts::iam::parsed;
use crate::facts::Facts;
use crate::model::{IamRole, KmsKey, PolicyDocument, ResourceRef, Snapshot};
use crate::rules::{Evidence, Outcome, ResourceKey};
use rampart_iam::evaluate::{
    evaluate, Decision, Evaluation, PolicyInputs, PolicyKind, Principal, Request,
};
use rampart_iam::{
    ContextValue, Effect, Policy, PrincipalMatch, Principals, RequestContext, Statement,
    StatementMatchers, StringSet,
};

/// The role name of the generic probe principal of an account.
const PROBE_ROLE: &str = "rampart-probe";

/// The parsed policy of a document, or the message of an `unknown` outcome naming `what`
/// (`trust policy`, `key policy`) and the position of the problem.
pub(crate) fn policy<'d>(what: &str, doc: &'d PolicyDocument) -> Result<&'d Policy, String> {
    parsed(what, doc).map_err(|e| format!("not assessable: {e}"))
}

/// A role's trust policy, or the `unknown` outcome for the role saying why it cannot be read.
pub(crate) fn trust_policy(role: &IamRole) -> Result<&Policy, Box<Outcome>> {
    policy("trust policy", &role.trust_policy).map_err(|e| {
        Box::new(
            Outcome::unknown(ResourceKey::of(ResourceRef::of(role)), e)
                .with_evidence(document_evidence("trust_policy", Some(&role.trust_policy))),
        )
    })
}

/// A policy document's statements as evidence, each its JSON (`trust_policy.statement[0]`);
/// absent when the document was not read.
pub(crate) fn document_evidence(prefix: &str, doc: Option<&PolicyDocument>) -> Vec<Evidence> {
    let Some(doc) = doc else {
        return vec![Evidence::absent(prefix.to_owned())];
    };
    match doc.raw().get("Statement") {
        Some(serde_json::Value::Array(statements)) => statements
            .iter()
            .enumerate()
            .map(|(i, s)| Evidence::of(format!("{prefix}.statement[{i}]"), s))
            .collect(),
        Some(one) => vec![Evidence::of(format!("{prefix}.statement[0]"), one)],
        None => vec![Evidence::of(prefix.to_owned(), doc.raw())],
    }
}

/// A key's policy, or the `unknown` outcome for the key: not read, or does not parse.
pub(crate) fn key_policy(key: &KmsKey) -> Result<&Policy, Box<Outcome>> {
    let unknown =
        |message: String| Outcome::unknown(ResourceKey::of(ResourceRef::of(key)), message);
    let document = key.policy.as_ref().ok_or_else(|| {
        Box::new(
            unknown("the key policy was not read (`kms:GetKeyPolicy`)".to_owned())
                .with_absent("key_policy"),
        )
    })?;
    policy("key policy", document).map_err(|e| {
        Box::new(unknown(e).with_evidence(document_evidence("key_policy", Some(document))))
    })
}

/// An identity-based policy that allows every action on every resource: the caller's
/// side of a cross-account request, so that the resource policy decides.
pub(crate) fn allow_everything() -> Policy {
    allow_all(None)
}

/// A resource-based policy that allows every action on every resource to everyone: with
/// [`allow_everything`], only the SCPs and RCPs can deny (a KMS request needs a key
/// policy that allows it).
pub(crate) fn allow_everyone() -> Policy {
    allow_all(Some(PrincipalMatch::Principal(Principals {
        any: true,
        ..Principals::default()
    })))
}

fn allow_all(principal: Option<PrincipalMatch>) -> Policy {
    let action = StringSet::Listed(vec!["*".to_owned()]);
    let resource = StringSet::Listed(vec!["*".to_owned()]);
    Policy {
        version: Some("2012-10-17".to_owned()),
        id: None,
        statements: vec![Statement {
            sid: None,
            effect: Effect::Allow,
            principal,
            matchers: StatementMatchers::new(&action, Some(&resource)),
            action,
            resource: Some(resource),
            conditions: Vec::new(),
            position: Default::default(),
        }],
    }
}

/// `policy` with the conditions of its `Allow` statements limited to the keys `keep`
/// accepts (keys compare ignoring ASCII case, as AWS compares them). `Deny` statements
/// are unchanged.
pub(crate) fn keep_allow_conditions(policy: &Policy, keep: impl Fn(&str) -> bool) -> Policy {
    let mut out = policy.clone();
    for s in &mut out.statements {
        if s.effect == Effect::Allow {
            s.conditions
                .retain(|c| keep(c.key.to_ascii_lowercase().as_str()));
        }
    }
    out
}

/// Condition keys (lowercased) that describe the calling principal's account and
/// identity: the probe's context decides them, so a trust policy keeps them when its other
/// `Allow` conditions are taken as satisfiable.
pub(crate) const CALLER_KEYS: [&str; 4] = [
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
];

/// `policy` keeping, in its `Allow` statements, only conditions on the caller
/// ([`CALLER_KEYS`]): who can make the request, whatever else the request carries.
pub(crate) fn keep_caller_conditions(policy: &Policy) -> Policy {
    keep_allow_conditions(policy, |k| CALLER_KEYS.contains(&k))
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`); `aws` when it has none.
pub(crate) fn partition(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

pub(crate) use crate::facts::access::{account_of, admitted_accounts};

pub(crate) use crate::facts::access::{named_accounts, named_values};

/// The principals to try for `account`: the generic probe role, and every role or user
/// ARN of that account the policy names (in `Principal` or in a condition value), with
/// `*` and `?` replaced so that the ARN matches the pattern it came from. A role or user
/// ARN with `*` as its account names every account, this one included.
pub(crate) fn probe_principals(policy: &Policy, account: &str, partition: &str) -> Vec<String> {
    let mut arns = vec![format!("arn:{partition}:iam::{account}:role/{PROBE_ROLE}")];
    for value in named_values(policy) {
        let Some(arn) = instantiate(value, account) else {
            continue;
        };
        if !arns.contains(&arn) {
            arns.push(arn);
        }
    }
    arns
}

/// A role or user ARN of `account` matching `pattern`, if it names one.
fn instantiate(pattern: &str, account: &str) -> Option<String> {
    let fields: Vec<&str> = pattern.splitn(6, ':').collect();
    let [arn, partition, service, _region, pattern_account, rest] = fields.as_slice() else {
        return None;
    };
    let principal = rest.starts_with("role/") || rest.starts_with("user/");
    if *arn != "arn" || *service != "iam" || !principal {
        return None;
    }
    if *pattern_account != account && *pattern_account != "*" {
        return None;
    }
    let rest = rest.replace(['*', '?'], "x");
    Some(format!("arn:{partition}:iam::{account}:{rest}"))
}

/// How messages name a probe principal that was allowed: the generic role stands for any
/// principal of its account; a principal the policy names is shown by its ARN.
pub(crate) fn who(principal: &str) -> String {
    if principal.ends_with(&format!(":role/{PROBE_ROLE}")) {
        "any principal".to_owned()
    } else {
        format!("`{principal}`")
    }
}

/// The accounts of the organization: every account of the snapshot and the management
/// account (derived once, in the facts).
pub(crate) fn organization_accounts(facts: &Facts) -> &BTreeSet<String> {
    facts.organization().members()
}

/// An account id that is not in the organization, for "anyone outside it":
/// `999999999999`, or the next lower id not in the organization.
pub(crate) fn outsider_account(facts: &Facts) -> &str {
    facts.organization().outsider()
}

pub(crate) use crate::facts::iam::organization_context;

/// One request to put to a resource policy, for many principals.
#[derive(Debug, Clone)]
pub(crate) struct Probe<'a> {
    /// The action.
    action: &'a str,
    /// The resource's ARN.
    resource: &'a str,
    /// The resource's account.
    resource_account: &'a str,
    /// The organization's management account (SCPs and RCPs do not apply to it).
    management_account: &'a str,
    /// The caller's side: [`allow_everything`], made once.
    identity: [Policy; 1],
}

impl<'a> Probe<'a> {
    /// A probe of `action` on `resource`, owned by `resource_account`.
    pub(crate) fn new(
        action: &'a str,
        resource: &'a str,
        resource_account: &'a str,
        management_account: &'a str,
    ) -> Self {
        Probe {
            action,
            resource,
            resource_account,
            management_account,
            identity: [allow_everything()],
        }
    }

    /// Whether `principal` (an ARN of `account`) is allowed by `policy` as the resource
    /// policy, its own account allowing everything, with this request context. An
    /// `Allow` statement of `policy` must apply: a role's trust policy and a key policy
    /// are required even within their account, where an identity policy alone would do
    /// for other resources.
    pub(crate) fn allows(
        &self,
        policy: &Policy,
        principal: &str,
        account: &str,
        context: &RequestContext,
    ) -> bool {
        let inputs = PolicyInputs {
            identity: &self.identity,
            resource: Some(policy),
            ..PolicyInputs::default()
        };
        let principal = Principal {
            arn: principal.to_owned(),
            account: account.to_owned(),
            is_management_account: account == self.management_account,
            ..Principal::default()
        };
        let request = Request {
            action: self.action.to_owned(),
            resource: self.resource.to_owned(),
            resource_account: self.resource_account.to_owned(),
            resource_in_management_account: self.resource_account == self.management_account,
            resource_is_aws_managed_key: false,
            context: context.clone(),
        };
        let evaluation = evaluate(&inputs, &principal, &request);
        evaluation.decision == Decision::Allow
            && evaluation
                .matched
                .iter()
                .any(|m| m.policy == PolicyKind::Resource && m.effect == "Allow")
    }

    /// The first of `principals` (ARNs of `account`) that `policy` allows.
    pub(crate) fn first_allowed<'p>(
        &self,
        policy: &Policy,
        principals: &'p [String],
        account: &str,
        context: &RequestContext,
    ) -> Option<&'p str> {
        principals
            .iter()
            .find(|p| self.allows(policy, p, account, context))
            .map(String::as_str)
    }
}

/// A principal to put a question to: who it is for the evaluator, the condition keys AWS
/// sets for it beyond those the evaluator derives (its organization, `kms:CallerAccount`),
/// and how messages name it.
#[derive(Debug, Clone)]
pub(crate) struct Asker {
    /// The evaluator's principal.
    pub principal: Principal,
    /// Keys bound to the principal.
    pub context: RequestContext,
    /// `any principal of an account outside the organization`, `` `arn:…` ``.
    pub label: String,
}

/// A request a question found: the first one for which the predicate held.
#[derive(Debug, Clone)]
pub(crate) struct Witness<'a> {
    /// Who makes it.
    pub asker: &'a Asker,
    /// The action.
    pub action: &'a str,
    /// The resource ARN.
    pub resource: &'a str,
    /// The request's context, principal keys included.
    pub context: RequestContext,
    /// The evaluator's answer.
    pub evaluation: Evaluation,
}

/// Where the requests of a question go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    /// The account that owns the resource.
    pub account: &'a str,
    /// The organization's management account (SCPs and RCPs do not apply to it).
    pub management_account: &'a str,
    /// Whether the resource is an AWS managed KMS key (RCPs do not apply to it).
    pub aws_managed_key: bool,
}

impl<'a> Target<'a> {
    /// The requests to `key`.
    pub(crate) fn key(snapshot: &'a Snapshot, key: &'a KmsKey) -> Self {
        Target {
            account: &key.account_id,
            management_account: &snapshot.organization.management_account_id,
            aws_managed_key: key.key_manager == "AWS",
        }
    }
}

/// The most condition contexts a key policy question tries before it says `unknown`.
pub(crate) const KEY_CONTEXT_BUDGET: usize = 4096;

/// The representative contexts of a key policy's conditions (`role` says which keys the
/// question fixes), or the message of an `unknown` outcome when they are too many.
pub(crate) fn key_policy_contexts(
    policy: &Policy,
    role: impl Fn(&str) -> rampart_iam::analysis::KeyRole,
) -> Result<(rampart_iam::analysis::ContextSpace, Vec<RequestContext>), String> {
    let space = rampart_iam::analysis::ContextSpace::new(&[policy], RequestContext::new(), role);
    let contexts = space.contexts(KEY_CONTEXT_BUDGET).map_err(|e| {
        format!("not assessable: the key policy's conditions are too many to analyze ({e})")
    })?;
    Ok((space, contexts))
}

/// Whether an evaluation allows the request through an `Allow` statement of the resource
/// policy (a key policy must grant, even within its account).
pub(crate) fn allowed_by_resource_policy(e: &Evaluation) -> bool {
    e.decision == Decision::Allow
        && e.matched
            .iter()
            .any(|m| m.policy == PolicyKind::Resource && m.effect == "Allow")
}

/// The first request, over every asker, (action, resource) pair and context, whose
/// evaluation under `inputs` satisfies `found`. Contexts come from
/// [`rampart_iam::analysis::ContextSpace`]; the asker's own keys are added to each.
pub(crate) fn find_request<'a>(
    inputs: &PolicyInputs<'_>,
    askers: &'a [Asker],
    requests: &'a [(&'a str, String)],
    contexts: &[RequestContext],
    target: Target<'_>,
    found: impl Fn(&Evaluation) -> bool,
) -> Option<Witness<'a>> {
    for asker in askers {
        for base in contexts {
            let mut context = base.clone();
            for (k, v) in asker.context.iter() {
                context.insert(k, v.clone());
            }
            for (action, resource) in requests {
                let request = Request {
                    action: (*action).to_owned(),
                    resource: resource.clone(),
                    resource_account: target.account.to_owned(),
                    resource_in_management_account: target.account == target.management_account,
                    resource_is_aws_managed_key: target.aws_managed_key,
                    context: context.clone(),
                };
                let evaluation = evaluate(inputs, &asker.principal, &request);
                if found(&evaluation) {
                    return Some(Witness {
                        asker,
                        action,
                        resource,
                        context,
                        evaluation,
                    });
                }
            }
        }
    }
    None
}

/// The free keys of a witness's context, as messages show them: `` with `aws:SourceVpce` =
/// `vpce-1` `` or `` without `aws:SourceVpce` ``; empty when no key is free.
pub(crate) fn describe_context<'k>(
    context: &RequestContext,
    free: impl IntoIterator<Item = &'k str>,
) -> String {
    let parts: Vec<String> = free
        .into_iter()
        .map(|key| match context.get(key) {
            Some(ContextValue::Single(v)) => format!("`{key}` = `{v}`"),
            Some(ContextValue::Multi(vs)) if vs.is_empty() => format!("`{key}` empty"),
            Some(ContextValue::Multi(vs)) => format!(
                "`{key}` = [{}]",
                vs.iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!("no `{key}`"),
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" with {}", parts.join(", "))
    }
}

/// `n thing` or `n things`.
pub(crate) fn count(n: usize, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn policy(v: Value) -> Policy {
        rampart_iam::parse_policy(&v.to_string()).expect("valid policy")
    }

    #[test]
    fn documents_that_do_not_parse_name_the_position() {
        let doc = PolicyDocument::new(json!({"Version": "2012-10-17"}));
        let err = super::policy("key policy", &doc).expect_err("no statement");
        assert!(
            err.starts_with("not assessable: key policy does not parse (line "),
            "{err}"
        );
        assert!(err.contains("Statement"), "{err}");
    }

    #[test]
    fn accounts_of_entries_and_condition_values() {
        assert_eq!(account_of("111122223333"), Some("111122223333"));
        assert_eq!(
            account_of("arn:aws:iam::111122223333:root"),
            Some("111122223333")
        );
        assert_eq!(
            account_of("arn:aws-cn:sts::111122223333:assumed-role/r/s"),
            Some("111122223333")
        );
        assert_eq!(account_of("arn:aws:iam::*:role/x"), None);
        assert_eq!(account_of("arn:aws:s3:::bucket"), None);
        assert_eq!(account_of("AROAEXAMPLE"), None);
        let p = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]},
             "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": ["222233334444"]},
                           "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::333344445555:role/ci-*"}}}
        ]}));
        let named: Vec<String> = named_accounts(&p).into_iter().collect();
        assert_eq!(named, ["111122223333", "222233334444", "333344445555"]);
    }

    #[test]
    fn probes_fill_in_wildcards_of_named_principals() {
        let p = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333344445555:user/deployer"},
             "Action": "sts:AssumeRole",
             "Condition": {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::333344445555:role/ci-*",
                                                            "arn:aws:iam::*:role/Admin"]}}}
        ]}));
        assert_eq!(
            probe_principals(&p, "333344445555", "aws"),
            [
                "arn:aws:iam::333344445555:role/rampart-probe",
                "arn:aws:iam::333344445555:user/deployer",
                "arn:aws:iam::333344445555:role/ci-x",
                "arn:aws:iam::333344445555:role/Admin",
            ]
        );
        assert_eq!(
            probe_principals(&p, "444455556666", "aws"),
            [
                "arn:aws:iam::444455556666:role/rampart-probe",
                "arn:aws:iam::444455556666:role/Admin"
            ]
        );
    }

    #[test]
    fn messages_name_named_principals_only() {
        assert_eq!(
            who("arn:aws:iam::111122223333:role/rampart-probe"),
            "any principal"
        );
        assert_eq!(
            who("arn:aws:iam::111122223333:role/ci"),
            "`arn:aws:iam::111122223333:role/ci`"
        );
    }

    #[test]
    fn only_allow_conditions_are_removed() {
        let p = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                           "StringEquals": {"STS:ExternalId": "x"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
        ]}));
        let kept = keep_allow_conditions(&p, |k| k == "sts:externalid");
        assert_eq!(kept.statements[0].conditions.len(), 1);
        assert_eq!(kept.statements[0].conditions[0].key, "STS:ExternalId");
        assert_eq!(kept.statements[1].conditions.len(), 1);
    }

    #[test]
    fn probe_decides_cross_account_with_the_resource_policy() {
        let p = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "222233334444"}, "Action": "sts:AssumeRole"}
        ]}));
        let probe = Probe::new(
            "sts:AssumeRole",
            "arn:aws:iam::111122223333:role/r",
            "111122223333",
            "999999999999",
        );
        let none = RequestContext::new();
        let trusted = probe_principals(&p, "222233334444", "aws");
        assert!(probe
            .first_allowed(&p, &trusted, "222233334444", &none)
            .is_some());
        let other = probe_principals(&p, "333344445555", "aws");
        assert!(probe
            .first_allowed(&p, &other, "333344445555", &none)
            .is_none());
    }

    #[test]
    fn within_the_account_the_resource_policy_must_still_allow() {
        let p = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/x"},
             "Action": "sts:TagSession"}
        ]}));
        let probe = Probe::new(
            "sts:AssumeRoleWithWebIdentity",
            "arn:aws:iam::111122223333:role/r",
            "111122223333",
            "999999999999",
        );
        let provider = "arn:aws:iam::111122223333:oidc-provider/x";
        let none = RequestContext::new();
        assert!(!probe.allows(&p, provider, "111122223333", &none));
        let tag = Probe {
            action: "sts:TagSession",
            ..probe.clone()
        };
        assert!(tag.allows(&p, provider, "111122223333", &none));
    }
}
