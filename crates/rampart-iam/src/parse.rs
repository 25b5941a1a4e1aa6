//! From JSON text to a [`Policy`]: the grammar of IAM policy documents, with errors that
//! name the line and column.

use super::document::{
    Condition, ConditionOperator, Effect, Policy, Position, PrincipalMatch, Principals,
    SetQualifier, Statement, StatementMatchers, StringSet,
};
use super::json::{self, Json, Spanned};

/// Why a policy document is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}: {message}", position.line, position.column)]
pub struct PolicyParseError {
    /// Where.
    pub position: Position,
    /// What is wrong.
    pub message: String,
}

fn err<T>(position: Position, message: impl Into<String>) -> Result<T, PolicyParseError> {
    Err(PolicyParseError {
        position,
        message: message.into(),
    })
}

const TOP_KEYS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Parses a policy document from JSON text.
pub fn parse_policy(text: &str) -> Result<Policy, PolicyParseError> {
    let root = json::parse(text).map_err(|e| PolicyParseError {
        position: e.position,
        message: format!("invalid JSON: {}", e.message),
    })?;
    policy_from_json(&root)
}

/// Parses a policy document from an already-parsed JSON value (positions kept).
pub fn policy_from_json(root: &Spanned) -> Result<Policy, PolicyParseError> {
    let Json::Object(members) = &root.value else {
        return err(
            root.position,
            format!("a policy is a JSON object, not {}", root.value.kind()),
        );
    };
    check_keys(members, &TOP_KEYS, "policy")?;
    let mut policy = Policy {
        version: None,
        id: None,
        statements: Vec::new(),
    };
    let mut statement_seen = false;
    for (key, _, value) in members {
        match key.as_str() {
            "Version" => {
                let version = string(value, "Version")?;
                if version != "2012-10-17" && version != "2008-10-17" {
                    return err(
                        value.position,
                        format!(
                            "unknown `Version` `{version}` (expected `2012-10-17` or `2008-10-17`)"
                        ),
                    );
                }
                policy.version = Some(version);
            }
            "Id" => policy.id = Some(string(value, "Id")?),
            "Statement" => {
                statement_seen = true;
                match &value.value {
                    Json::Array(items) => {
                        for item in items {
                            policy.statements.push(statement(item)?);
                        }
                    }
                    Json::Object(_) => policy.statements.push(statement(value)?),
                    other => {
                        return err(
                            value.position,
                            format!(
                                "`Statement` must be an object or an array, not {}",
                                other.kind()
                            ),
                        )
                    }
                }
            }
            _ => {}
        }
    }
    if !statement_seen {
        return err(root.position, "missing `Statement`");
    }
    Ok(policy)
}

fn check_keys(
    members: &[(String, Position, Spanned)],
    known: &[&str],
    what: &str,
) -> Result<(), PolicyParseError> {
    for (key, position, _) in members {
        if !known.contains(&key.as_str()) {
            let hint = known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(key))
                .map_or_else(String::new, |k| {
                    format!(" (element names are case-sensitive: `{k}`)")
                });
            return err(*position, format!("unknown {what} element `{key}`{hint}"));
        }
    }
    Ok(())
}

fn string(value: &Spanned, what: &str) -> Result<String, PolicyParseError> {
    match &value.value {
        Json::String(s) => Ok(s.clone()),
        other => err(
            value.position,
            format!("`{what}` must be a string, not {}", other.kind()),
        ),
    }
}

/// A string or a non-empty array of strings.
fn string_list(value: &Spanned, what: &str) -> Result<Vec<String>, PolicyParseError> {
    match &value.value {
        Json::String(s) => Ok(vec![s.clone()]),
        Json::Array(items) if items.is_empty() => err(
            value.position,
            format!("`{what}` must not be an empty array"),
        ),
        Json::Array(items) => items.iter().map(|i| string(i, what)).collect(),
        other => err(
            value.position,
            format!(
                "`{what}` must be a string or an array of strings, not {}",
                other.kind()
            ),
        ),
    }
}

fn statement(value: &Spanned) -> Result<Statement, PolicyParseError> {
    let Json::Object(members) = &value.value else {
        return err(
            value.position,
            format!("a statement is an object, not {}", value.value.kind()),
        );
    };
    check_keys(members, &STATEMENT_KEYS, "statement")?;
    let get = |name: &str| {
        members
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, _, v)| v)
    };
    let sid = get("Sid").map(|v| string(v, "Sid")).transpose()?;
    let effect = match get("Effect") {
        None => return err(value.position, "statement has no `Effect`"),
        Some(v) => match string(v, "Effect")?.as_str() {
            "Allow" => Effect::Allow,
            "Deny" => Effect::Deny,
            other => {
                return err(
                    v.position,
                    format!("`Effect` must be `Allow` or `Deny`, not `{other}`"),
                )
            }
        },
    };
    let action = match (get("Action"), get("NotAction")) {
        (Some(_), Some(v)) => {
            return err(
                v.position,
                "a statement has `Action` or `NotAction`, not both",
            )
        }
        (Some(v), None) => StringSet::Listed(string_list(v, "Action")?),
        (None, Some(v)) => StringSet::Not(string_list(v, "NotAction")?),
        (None, None) => return err(value.position, "statement has no `Action` or `NotAction`"),
    };
    let resource = match (get("Resource"), get("NotResource")) {
        (Some(_), Some(v)) => {
            return err(
                v.position,
                "a statement has `Resource` or `NotResource`, not both",
            )
        }
        (Some(v), None) => Some(StringSet::Listed(string_list(v, "Resource")?)),
        (None, Some(v)) => Some(StringSet::Not(string_list(v, "NotResource")?)),
        (None, None) => None,
    };
    let principal = match (get("Principal"), get("NotPrincipal")) {
        (Some(_), Some(v)) => {
            return err(
                v.position,
                "a statement has `Principal` or `NotPrincipal`, not both",
            )
        }
        (Some(v), None) => Some(PrincipalMatch::Principal(principals(v, "Principal")?)),
        (None, Some(v)) => Some(PrincipalMatch::NotPrincipal(principals(v, "NotPrincipal")?)),
        (None, None) => None,
    };
    let conditions = match get("Condition") {
        Some(v) => conditions(v)?,
        None => Vec::new(),
    };
    let matchers = StatementMatchers::new(&action, resource.as_ref());
    Ok(Statement {
        matchers,
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
        position: value.position,
    })
}

fn principals(value: &Spanned, what: &str) -> Result<Principals, PolicyParseError> {
    let mut p = Principals::default();
    match &value.value {
        Json::String(s) if s == "*" => p.any = true,
        Json::String(s) => {
            return err(
                value.position,
                format!("`{what}` must be `\"*\"` or an object such as {{\"AWS\": …}}, not the string `{s}`"),
            )
        }
        Json::Object(members) => {
            check_keys(members, &["AWS", "Service", "Federated", "CanonicalUser"], what)?;
            for (key, _, v) in members {
                let list = string_list(v, &format!("{what}.{key}"))?;
                match key.as_str() {
                    "AWS" => {
                        if list.iter().any(|a| a == "*") {
                            p.any = true;
                        }
                        p.aws = list;
                    }
                    "Service" => p.service = list,
                    "Federated" => p.federated = list,
                    _ => p.canonical_user = list,
                }
            }
        }
        other => return err(value.position, format!("`{what}` must be `\"*\"` or an object, not {}", other.kind())),
    }
    Ok(p)
}

fn conditions(value: &Spanned) -> Result<Vec<Condition>, PolicyParseError> {
    let Json::Object(operators) = &value.value else {
        return err(
            value.position,
            format!("`Condition` must be an object, not {}", value.value.kind()),
        );
    };
    let mut out = Vec::new();
    for (op_name, op_position, keys) in operators {
        let operator = parse_operator(op_name, *op_position)?;
        let Json::Object(keys) = &keys.value else {
            return err(
                keys.position,
                format!(
                    "condition operator `{op_name}` must map to an object of keys, not {}",
                    keys.value.kind()
                ),
            );
        };
        for (key, key_position, values) in keys {
            let values = condition_values(values, key)?;
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values,
                position: *key_position,
            });
        }
    }
    Ok(out)
}

/// Condition values: strings, booleans and numbers (kept as text), alone or in an array.
fn condition_values(value: &Spanned, key: &str) -> Result<Vec<String>, PolicyParseError> {
    let scalar = |v: &Spanned| match &v.value {
        Json::String(s) | Json::Number(s) => Ok(s.clone()),
        Json::Bool(b) => Ok(b.to_string()),
        other => err(
            v.position,
            format!(
                "values of condition key `{key}` must be strings, numbers or booleans, not {}",
                other.kind()
            ),
        ),
    };
    match &value.value {
        Json::Array(items) => items.iter().map(scalar).collect(),
        _ => Ok(vec![scalar(value)?]),
    }
}

/// Splits `ForAnyValue:StringLikeIfExists` into its parts. The base name is kept as
/// written; whether it is a known operator is the validator's and evaluator's concern.
fn parse_operator(name: &str, position: Position) -> Result<ConditionOperator, PolicyParseError> {
    let (qualifier, rest) = match name.split_once(':') {
        Some(("ForAllValues", rest)) => (Some(SetQualifier::ForAllValues), rest),
        Some(("ForAnyValue", rest)) => (Some(SetQualifier::ForAnyValue), rest),
        Some((q, _)) => {
            return err(
                position,
                format!("unknown set qualifier `{q}` (expected `ForAllValues` or `ForAnyValue`)"),
            )
        }
        None => (None, name),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) if !base.is_empty() => (base, true),
        _ => (rest, false),
    };
    if base.is_empty() {
        return err(position, "empty condition operator");
    }
    Ok(ConditionOperator {
        qualifier,
        base: base.to_owned(),
        if_exists,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_object_or_array_and_string_or_list() {
        let p = parse_policy(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*"]}}"#,
        )
        .unwrap();
        assert_eq!(p.statements.len(), 1);
        assert_eq!(
            p.statements[0].action,
            StringSet::Listed(vec!["s3:GetObject".to_owned()])
        );
        assert!(p.variables_enabled());
    }

    #[test]
    fn principals_and_conditions() {
        let p = parse_policy(
            r#"{"Statement": [{"Sid": "x", "Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root"], "Service": "ec2.amazonaws.com"},
               "NotAction": "iam:*", "NotResource": "*",
               "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]}, "Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"s3:TlsVersion": 1.2}}}]}"#,
        )
        .unwrap();
        let s = &p.statements[0];
        assert_eq!(s.effect, Effect::Deny);
        let Some(PrincipalMatch::NotPrincipal(np)) = &s.principal else {
            panic!()
        };
        assert_eq!(np.service, vec!["ec2.amazonaws.com".to_owned()]);
        assert_eq!(s.conditions.len(), 3);
        assert_eq!(
            s.conditions[0].operator.qualifier,
            Some(SetQualifier::ForAnyValue)
        );
        assert_eq!(s.conditions[0].operator.base, "StringLike");
        assert!(s.conditions[0].operator.if_exists);
        assert_eq!(s.conditions[1].values, vec!["false".to_owned()]);
        assert_eq!(s.conditions[2].values, vec!["1.2".to_owned()]);
        assert!(!p.variables_enabled());
    }

    #[test]
    fn principal_star_forms() {
        for principal in [r#""*""#, r#"{"AWS": "*"}"#, r#"{"AWS": ["*"]}"#] {
            let text = format!(
                r#"{{"Statement": {{"Effect": "Allow", "Principal": {principal}, "Action": "kms:*"}}}}"#
            );
            let p = parse_policy(&text).unwrap();
            let Some(PrincipalMatch::Principal(pr)) = &p.statements[0].principal else {
                panic!()
            };
            assert!(pr.any, "{principal}");
        }
    }

    #[test]
    fn errors_with_positions() {
        let cases = [
            (
                r#"{"Statement": {"Effect": "allow", "Action": "*"}}"#,
                "`Effect` must be `Allow` or `Deny`",
                (1, 26),
            ),
            (
                r#"{"Statement": {"Effect": "Allow"}}"#,
                "no `Action`",
                (1, 15),
            ),
            (
                "{\"Statement\": [{\"Effect\": \"Allow\",\n \"action\": \"*\"}]}",
                "element names are case-sensitive: `Action`",
                (2, 2),
            ),
            (
                r#"{"Version": "2012-10-18", "Statement": []}"#,
                "unknown `Version`",
                (1, 13),
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}"#,
                "empty array",
                (1, 45),
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "arn:aws:iam::1:root"}}"#,
                "not the string",
                (1, 63),
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"ForEach:StringEquals": {"a": "b"}}}}"#,
                "unknown set qualifier",
                (1, 64),
            ),
            (r#"[]"#, "a policy is a JSON object", (1, 1)),
            (
                r#"{"Version": "2012-10-17"}"#,
                "missing `Statement`",
                (1, 1),
            ),
            (
                "{\"Statement\": {\"Effect\": \"Allow\",\n  \"Action\": \"*\",}}",
                "invalid JSON",
                (2, 17),
            ),
        ];
        for (text, needle, (line, column)) in cases {
            let e = parse_policy(text).unwrap_err();
            assert!(e.message.contains(needle), "{text}: {e}");
            assert_eq!(
                (e.position.line, e.position.column),
                (line, column),
                "{text}: {e}"
            );
        }
    }
}
