//! The evaluator: policies built from the fuzz input (statements, wildcards, `Not*`
//! elements, principals, condition operators and keys, policy variables), written as JSON
//! and read by `parse_policy` as any policy file is, then evaluated for a request also
//! built from the input, in every slot (identity, resource, boundary, session, SCP and RCP
//! chains). Evaluation never panics, and keeps its invariants:
//! - an explicit `Deny` that applied is never overridden: the decision is `explicit-deny`
//!   exactly when a matched statement is a `Deny`;
//! - an `Allow` decision names at least one matched `Allow`;
//! - adding a `Deny` statement anywhere never turns a denial into an `Allow`;
//! - an identity policy denying `*` on `*` denies every request;
//! - the same inputs give the same evaluation.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rampart_iam::evaluate::{evaluate, Decision, Evaluation, PolicyInputs, Principal, Request};
use rampart_iam::{parse_policy, ContextValue, Policy, RequestContext};
use serde_json::{json, Map, Value};

const ACTIONS: &[&str] = &[
    "*",
    "s3:*",
    "s3:GetObject",
    "s3:Get*",
    "s3:PutObject",
    "iam:PassRole",
    "sts:AssumeRole",
    "sts:TagSession",
    "kms:Decrypt",
    "kms:*",
    "ec2:RunInstances",
    "organizations:*",
    "S3:getobject",
    "s3:?etObject",
    "*:*",
    "lambda:InvokeFunction",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::111122223333:role/*",
    "arn:aws:iam::444455556666:role/aws-service-role/x/AWSServiceRoleForX",
    "arn:aws:kms:us-east-1:111122223333:key/k",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:s3:::*",
    "arn:*:s3:::b*",
    "arn:aws:lambda:us-east-1:111122223333:function:f",
];
const PRINCIPALS: &[&str] = &[
    "*",
    "111122223333",
    "444455556666",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/app/session",
    "arn:aws:iam::444455556666:role/*",
];
const SERVICES: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "s3.amazonaws.com",
];
const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotLike",
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateLessThan",
    "DateGreaterThan",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "Null",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringLike",
    "StringEqualsIfExists",
    "ArnLikeIfExists",
    "ForAnyValue:StringNotEquals",
    "ForAllValues:ArnLike",
    "BoolIfExists",
];
const KEYS: &[&str] = &[
    "aws:PrincipalTag/team",
    "aws:ResourceTag/team",
    "aws:RequestTag/team",
    "aws:TagKeys",
    "aws:SourceIp",
    "aws:username",
    "aws:userid",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:SecureTransport",
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceVpce",
    "s3:prefix",
    "s3:max-keys",
    "kms:ViaService",
    "sts:ExternalId",
    "aws:MultiFactorAuthPresent",
    "aws:CalledVia",
    "aws:PrincipalIsAWSService",
];
const VALUES: &[&str] = &[
    "",
    "*",
    "?",
    "a",
    "dev",
    "prod",
    "true",
    "false",
    "10",
    "-1",
    "1e3",
    "2024-01-01T00:00:00Z",
    "1700000000",
    "10.0.0.0/8",
    "192.168.1.1",
    "::1/128",
    "2001:db8::/32",
    "${aws:username}",
    "${aws:PrincipalTag/team}",
    "${*}",
    "${?}",
    "${$}",
    "${aws:username",
    "o-abc123",
    "arn:aws:iam::111122223333:role/*",
    "team",
    "aGVsbG8=",
    "home/${aws:username}/*",
];

/// A string: most often one of a vocabulary, sometimes raw bytes from the input.
#[derive(Debug, Arbitrary)]
enum Text {
    Known(u8),
    Raw(String),
}

impl Text {
    fn pick(&self, vocabulary: &[&str]) -> String {
        match self {
            Text::Known(i) => vocabulary[usize::from(*i) % vocabulary.len()].to_owned(),
            Text::Raw(s) => s.clone(),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum PrincipalElement {
    Star,
    Aws(Vec<Text>),
    Service(Vec<Text>),
    Federated(Text),
}

#[derive(Debug, Arbitrary)]
struct ConditionEntry {
    operator: Text,
    key: Text,
    values: Vec<Text>,
    single: bool,
}

#[derive(Debug, Arbitrary)]
struct StatementSpec {
    deny: bool,
    not_action: bool,
    actions: Vec<Text>,
    not_resource: bool,
    resources: Vec<Text>,
    principal: Option<(bool, PrincipalElement)>,
    conditions: Vec<ConditionEntry>,
}

#[derive(Debug, Arbitrary)]
struct DocumentSpec {
    statements: Vec<StatementSpec>,
    version_2008: bool,
}

#[derive(Debug, Arbitrary)]
struct Case {
    identity: Vec<DocumentSpec>,
    resource: Option<DocumentSpec>,
    boundary: Option<DocumentSpec>,
    session: Option<DocumentSpec>,
    scp: Option<Vec<Vec<DocumentSpec>>>,
    rcp: Option<Vec<Vec<DocumentSpec>>>,
    principal: Text,
    principal_is_service: bool,
    principal_account: Text,
    is_management_account: bool,
    is_service_linked_role: bool,
    principal_tags: Vec<(Text, Text)>,
    action: Text,
    resource_arn: Text,
    resource_account: Text,
    resource_in_management_account: bool,
    resource_is_aws_managed_key: bool,
    context: Vec<(Text, Vec<Text>, bool)>,
    /// Where to add an extra `Deny` statement, and the statement.
    extra_deny: (u8, StatementSpec),
}

fn list(items: &[Text], vocabulary: &[&str]) -> Value {
    match items {
        [one] => Value::String(one.pick(vocabulary)),
        _ => Value::Array(
            items
                .iter()
                .map(|t| Value::String(t.pick(vocabulary)))
                .collect(),
        ),
    }
}

fn statement_json(s: &StatementSpec, force_deny: bool) -> Value {
    let mut out = Map::new();
    let effect = if s.deny || force_deny {
        "Deny"
    } else {
        "Allow"
    };
    out.insert("Effect".into(), json!(effect));
    let action_key = if s.not_action { "NotAction" } else { "Action" };
    out.insert(action_key.into(), list(&s.actions, ACTIONS));
    let resource_key = if s.not_resource {
        "NotResource"
    } else {
        "Resource"
    };
    out.insert(resource_key.into(), list(&s.resources, RESOURCES));
    if let Some((not, principal)) = &s.principal {
        let value = match principal {
            PrincipalElement::Star => json!("*"),
            PrincipalElement::Aws(v) => json!({ "AWS": list(v, PRINCIPALS) }),
            PrincipalElement::Service(v) => json!({ "Service": list(v, SERVICES) }),
            PrincipalElement::Federated(t) => json!({ "Federated": t.pick(PRINCIPALS) }),
        };
        out.insert(
            if *not { "NotPrincipal" } else { "Principal" }.into(),
            value,
        );
    }
    if !s.conditions.is_empty() {
        let mut block: Map<String, Value> = Map::new();
        for c in &s.conditions {
            let values = if c.single && !c.values.is_empty() {
                Value::String(c.values[0].pick(VALUES))
            } else {
                Value::Array(
                    c.values
                        .iter()
                        .map(|v| Value::String(v.pick(VALUES)))
                        .collect(),
                )
            };
            let entry = block
                .entry(c.operator.pick(OPERATORS))
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = entry {
                keys.insert(c.key.pick(KEYS), values);
            }
        }
        out.insert("Condition".into(), Value::Object(block));
    }
    Value::Object(out)
}

/// The document as a policy file, parsed as one; `None` if the parser rejects it.
fn policy(doc: &DocumentSpec, extra: Option<&StatementSpec>) -> Option<Policy> {
    let mut statements: Vec<Value> = doc
        .statements
        .iter()
        .map(|s| statement_json(s, false))
        .collect();
    if let Some(extra) = extra {
        statements.push(statement_json(extra, true));
    }
    let version = if doc.version_2008 {
        "2008-10-17"
    } else {
        "2012-10-17"
    };
    let text = json!({ "Version": version, "Statement": statements }).to_string();
    parse_policy(&text).ok()
}

/// Every policy of a case, with the extra `Deny` added to slot `deny_in` when given.
struct Policies {
    identity: Vec<Policy>,
    resource: Option<Policy>,
    boundary: Option<Policy>,
    session: Option<Policy>,
    scp: Option<Vec<Vec<Policy>>>,
    rcp: Option<Vec<Vec<Policy>>>,
}

fn build(case: &Case, deny_in: Option<u8>) -> Option<Policies> {
    let extra = |slot: u8| (deny_in == Some(slot)).then_some(&case.extra_deny.1);
    let identity = case
        .identity
        .iter()
        .enumerate()
        .map(|(i, d)| policy(d, if i == 0 { extra(0) } else { None }))
        .collect::<Option<Vec<_>>>()?;
    let one = |d: &Option<DocumentSpec>, slot: u8| match d {
        Some(d) => policy(d, extra(slot)).map(Some),
        None => Some(None),
    };
    let chain = |c: &Option<Vec<Vec<DocumentSpec>>>, slot: u8| match c {
        Some(levels) => levels
            .iter()
            .enumerate()
            .map(|(l, docs)| {
                docs.iter()
                    .enumerate()
                    .map(|(i, d)| policy(d, if l == 0 && i == 0 { extra(slot) } else { None }))
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>()
            .map(Some),
        None => Some(None),
    };
    Some(Policies {
        identity,
        resource: one(&case.resource, 1)?,
        boundary: one(&case.boundary, 2)?,
        session: one(&case.session, 3)?,
        scp: chain(&case.scp, 4)?,
        rcp: chain(&case.rcp, 5)?,
    })
}

fn run(p: &Policies, principal: &Principal, request: &Request) -> Evaluation {
    let inputs = PolicyInputs {
        identity: &p.identity,
        resource: p.resource.as_ref(),
        boundary: p.boundary.as_ref(),
        session: p.session.as_ref(),
        scp_chain: p.scp.as_deref(),
        rcp_chain: p.rcp.as_deref(),
    };
    evaluate(&inputs, principal, request)
}

fn check_invariants(e: &Evaluation) {
    let denied = e.matched.iter().any(|m| m.effect == "Deny");
    assert_eq!(
        denied,
        e.decision == Decision::ExplicitDeny,
        "explicit deny and matched Deny disagree: {e:?}"
    );
    if e.decision == Decision::Allow {
        assert!(
            e.matched.iter().any(|m| m.effect == "Allow"),
            "allow with no matched Allow: {e:?}"
        );
    }
}

fuzz_target!(|case: Case| {
    let Some(policies) = build(&case, None) else {
        return;
    };
    let mut context = RequestContext::new();
    for (key, values, single) in &case.context {
        let value = if *single && values.len() == 1 {
            ContextValue::Single(values[0].pick(VALUES))
        } else {
            ContextValue::Multi(values.iter().map(|v| v.pick(VALUES)).collect())
        };
        context.insert(&key.pick(KEYS), value);
    }
    let principal = Principal {
        arn: case.principal.pick(if case.principal_is_service {
            SERVICES
        } else {
            PRINCIPALS
        }),
        account: case.principal_account.pick(PRINCIPALS),
        is_management_account: case.is_management_account,
        is_service_linked_role: case.is_service_linked_role,
        tags: case
            .principal_tags
            .iter()
            .map(|(k, v)| (k.pick(&["team", "env", "Team"]), v.pick(VALUES)))
            .collect(),
    };
    let request = Request {
        action: case.action.pick(ACTIONS),
        resource: case.resource_arn.pick(RESOURCES),
        resource_account: case.resource_account.pick(PRINCIPALS),
        resource_in_management_account: case.resource_in_management_account,
        resource_is_aws_managed_key: case.resource_is_aws_managed_key,
        context,
    };

    let first = run(&policies, &principal, &request);
    check_invariants(&first);
    assert_eq!(
        first,
        run(&policies, &principal, &request),
        "evaluation is not deterministic"
    );

    // A Deny added anywhere never turns a denial into an allow.
    if let Some(with_deny) = build(&case, Some(case.extra_deny.0 % 6)) {
        let second = run(&with_deny, &principal, &request);
        check_invariants(&second);
        if first.decision != Decision::Allow {
            assert_ne!(
                second.decision,
                Decision::Allow,
                "a Deny turned {first:?} into {second:?}"
            );
        }
    }

    // An identity policy denying everything denies every request.
    if let Ok(deny_all) = parse_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
    ) {
        let mut denied = Policies {
            identity: policies.identity.clone(),
            ..policies
        };
        denied.identity.push(deny_all);
        let third = run(&denied, &principal, &request);
        assert_eq!(
            third.decision,
            Decision::ExplicitDeny,
            "deny-all did not deny: {third:?}"
        );
    }
});
