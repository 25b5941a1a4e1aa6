//! A small reader of IAM policy documents for native rules that look for one statement
//! shape (an unconditional wildcard grant, a deny on plain HTTP).
//!
//! It does not evaluate policies: wildcard matching of actions and resources, `NotAction`,
//! `NotPrincipal` and the evaluation order belong to the IAM evaluator. Rules using this
//! module say in their documentation which shapes they recognize.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// One statement of a policy document, with the parts rules look at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement<'a> {
    /// 1-based position in the document, as messages show it.
    pub number: usize,
    /// The `Sid`, if any.
    pub sid: Option<&'a str>,
    /// The `Effect`.
    pub effect: Effect,
    /// The `Principal` element, if any (`NotPrincipal` is not read).
    principal: Option<&'a Value>,
    /// The `Action` element's values (`NotAction` is not read).
    actions: Vec<&'a str>,
    /// The `Condition` block, if any.
    condition: Option<&'a Map<String, Value>>,
}

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

/// The document itself: collectors store policies as JSON values, but APIs such as
/// `kms:GetKeyPolicy` return them as strings, which may end up stored as they came.
pub(crate) fn document(policy: &Value) -> Result<Cow<'_, Value>, String> {
    match policy {
        Value::String(text) => serde_json::from_str(text)
            .map(Cow::Owned)
            .map_err(|e| format!("policy document is not valid JSON ({e})")),
        other => Ok(Cow::Borrowed(other)),
    }
}

/// The statements of a document, or what makes it malformed.
pub(crate) fn statements(doc: &Value) -> Result<Vec<Statement<'_>>, String> {
    let Value::Object(doc) = doc else {
        return Err("policy document is not a JSON object".to_owned());
    };
    let raw: Vec<&Value> = match doc.get("Statement") {
        None => return Err("policy document has no `Statement`".to_owned()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        Some(_) => return Err("`Statement` is neither an object nor an array".to_owned()),
    };
    raw.into_iter()
        .enumerate()
        .map(|(i, value)| statement(i + 1, value))
        .collect()
}

fn statement(number: usize, value: &Value) -> Result<Statement<'_>, String> {
    let Value::Object(s) = value else {
        return Err(format!("statement {number} is not a JSON object"));
    };
    let sid = match s.get("Sid") {
        None => None,
        Some(Value::String(sid)) => Some(sid.as_str()),
        Some(_) => return Err(format!("statement {number}: `Sid` is not a string")),
    };
    let effect = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        Some(other) => {
            return Err(format!(
                "statement {number}: `Effect` is `{other}`, expected `Allow` or `Deny`"
            ))
        }
        None => return Err(format!("statement {number} has no string `Effect`")),
    };
    let actions = match s.get("Action") {
        None => Vec::new(),
        Some(v) => string_list(v).ok_or_else(|| {
            format!("statement {number}: `Action` is not a string or a list of strings")
        })?,
    };
    let condition = match s.get("Condition") {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => Some(c),
        Some(_) => return Err(format!("statement {number}: `Condition` is not an object")),
    };
    Ok(Statement {
        number,
        sid,
        effect,
        principal: s.get("Principal"),
        actions,
        condition,
    })
}

/// A string, or an array of strings, as a list.
fn string_list(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

impl<'a> Statement<'a> {
    /// `statement 2 (`Sid` `AllowAll`)`, or `statement 2` without a `Sid`.
    pub fn label(&self) -> String {
        match self.sid {
            Some(sid) if !sid.is_empty() => format!("statement {} (`Sid` `{sid}`)", self.number),
            _ => format!("statement {}", self.number),
        }
    }

    /// Whether `Principal` is anyone: `"*"`, `{"AWS": "*"}` or `{"AWS": [.., "*", ..]}`.
    pub fn principal_is_anyone(&self) -> bool {
        match self.principal {
            Some(Value::String(p)) => p == "*",
            Some(Value::Object(p)) => p
                .get("AWS")
                .and_then(string_list)
                .is_some_and(|ids| ids.contains(&"*")),
            _ => false,
        }
    }

    /// The first value of `Action` equal (ignoring case) to one of `wanted`.
    pub fn action_among(&self, wanted: &[&str]) -> Option<&'a str> {
        self.actions
            .iter()
            .copied()
            .find(|a| wanted.iter().any(|w| a.eq_ignore_ascii_case(w)))
    }

    /// The `Action` values.
    pub fn actions(&self) -> &[&'a str] {
        &self.actions
    }

    /// Whether the statement has no condition (no `Condition`, or an empty one).
    pub fn is_unconditional(&self) -> bool {
        self.condition.is_none_or(Map::is_empty)
    }

    /// The values of condition `key` under any of `operators` (both matched ignoring
    /// case), with arrays flattened.
    pub fn condition_values(&self, operators: &[&str], key: &str) -> Vec<&'a Value> {
        let Some(condition) = self.condition else {
            return Vec::new();
        };
        condition
            .iter()
            .filter(|(op, _)| operators.iter().any(|o| op.eq_ignore_ascii_case(o)))
            .filter_map(|(_, block)| block.as_object())
            .flat_map(|block| block.iter())
            .filter(|(k, _)| k.eq_ignore_ascii_case(key))
            .flat_map(|(_, v)| match v {
                Value::Array(items) => items.iter().collect::<Vec<_>>(),
                single => vec![single],
            })
            .collect()
    }
}

/// Whether a condition value means boolean false: `false` or `"false"` (any case).
pub(crate) fn is_false(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::String(s) => s.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn statement_may_be_an_object_and_fields_strings() {
        let doc = json!({"Statement": {"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "kms:*"}});
        let s = statements(&doc).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].effect, Effect::Allow);
        assert!(s[0].principal_is_anyone());
        assert_eq!(s[0].action_among(&["KMS:*"]), Some("kms:*"));
        assert!(s[0].is_unconditional());
        assert_eq!(s[0].label(), "statement 1 (`Sid` `A`)");
    }

    #[test]
    fn principal_forms() {
        let anyone = |p: Value| {
            let doc = json!({"Statement": [{"Effect": "Allow", "Principal": p}]});
            statements(&doc).unwrap()[0].principal_is_anyone()
        };
        assert!(anyone(json!("*")));
        assert!(anyone(json!({"AWS": "*"})));
        assert!(anyone(
            json!({"AWS": ["arn:aws:iam::111122223333:root", "*"]})
        ));
        assert!(!anyone(json!({"AWS": "arn:aws:iam::111122223333:root"})));
        assert!(!anyone(json!({"Service": "cloudtrail.amazonaws.com"})));
    }

    #[test]
    fn malformed_documents_say_what_is_wrong() {
        let err = |doc: Value| statements(&doc).unwrap_err();
        assert_eq!(err(json!([])), "policy document is not a JSON object");
        assert_eq!(
            err(json!({"Version": "2012-10-17"})),
            "policy document has no `Statement`"
        );
        assert!(err(json!({"Statement": [1]})).contains("statement 1 is not a JSON object"));
        assert!(err(json!({"Statement": [{"Effect": "allow"}]})).contains("`Effect` is `allow`"));
        assert!(err(json!({"Statement": [{"Effect": "Allow", "Action": 3}]})).contains("`Action`"));
    }

    #[test]
    fn string_encoded_documents_are_parsed() {
        let stored = json!(r#"{"Statement": []}"#);
        let doc = document(&stored).unwrap();
        assert!(statements(&doc).unwrap().is_empty());
        assert!(document(&json!("{not json")).is_err());
    }

    #[test]
    fn condition_values_match_keys_and_operators_ignoring_case() {
        let doc = json!({"Statement": [{"Effect": "Deny", "Condition": {
            "bool": {"AWS:SecureTransport": ["true", false]},
            "StringEquals": {"aws:SecureTransport": "nope"}
        }}]});
        let s = &statements(&doc).unwrap()[0];
        let values = s.condition_values(&["Bool"], "aws:SecureTransport");
        assert_eq!(values, vec![&json!("true"), &json!(false)]);
        assert!(values.iter().any(|v| is_false(v)));
        assert!(!s.is_unconditional());
    }
}
