//! IAM policy documents as the snapshot stores them, parsed once into the IAM policy
//! language's [`Policy`].
//!
//! Collectors store a document as a JSON object, or as its text when an API returns it so
//! (`kms:GetKeyPolicy`) and it was kept as it came. Both forms read alike: every rule and
//! fact goes through [`PolicyDocument::policy`], which parses on first use and caches the
//! result (or the error, with its line and column) for every later reader.

use std::borrow::Cow;
use std::sync::OnceLock;

use rampart_iam::{parse_policy, Policy, PolicyParseError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A policy document: the JSON object or text as read, and its parse, made once.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(description = "An IAM policy document: a JSON object, or its text as a string")]
pub struct PolicyDocument {
    raw: Value,
    #[serde(skip)]
    #[schemars(skip)]
    parsed: OnceLock<Result<Policy, PolicyParseError>>,
}

impl PartialEq for PolicyDocument {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl From<Value> for PolicyDocument {
    fn from(raw: Value) -> Self {
        PolicyDocument::new(raw)
    }
}

impl PolicyDocument {
    /// A document from what was read: a JSON object, or a string holding its text.
    pub fn new(raw: Value) -> Self {
        PolicyDocument {
            raw,
            parsed: OnceLock::new(),
        }
    }

    /// The document as stored.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The document's text: the stored string, or the stored JSON pretty-printed (the
    /// text that parse errors' lines and columns refer to).
    pub fn text(&self) -> Cow<'_, str> {
        match &self.raw {
            Value::String(text) => Cow::Borrowed(text),
            other => Cow::Owned(serde_json::to_string_pretty(other).unwrap_or_default()),
        }
    }

    /// The parsed policy, or why the document is not a valid policy (with the line and
    /// column in [`Self::text`]). Parsed on the first call, then cached.
    pub fn policy(&self) -> Result<&Policy, &PolicyParseError> {
        self.parsed
            .get_or_init(|| parse_policy(&self.text()))
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const DOC: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;

    #[test]
    fn objects_and_text_parse_alike_and_serialize_as_stored() {
        let object = PolicyDocument::new(serde_json::from_str(DOC).unwrap());
        let text = PolicyDocument::new(json!(DOC));
        // Equal but for source positions (the object is read from its pretty-printed text).
        let shape = |d: &PolicyDocument| {
            let p = d.policy().unwrap();
            p.statements
                .iter()
                .map(|s| (s.effect, s.action.clone(), s.resource.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&object), shape(&text));
        assert_eq!(serde_json::to_value(&text).unwrap(), json!(DOC));
        assert_eq!(
            serde_json::to_value(&object).unwrap(),
            serde_json::from_str::<Value>(DOC).unwrap()
        );
        let back: PolicyDocument = serde_json::from_value(json!(DOC)).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn errors_name_the_position_in_the_document_text() {
        let doc = PolicyDocument::new(json!({"Statement": [{"Effect": "allow"}]}));
        let err = doc.policy().unwrap_err();
        assert!(err.message.contains("Effect"), "{err}");
        let line = doc
            .text()
            .lines()
            .nth(err.position.line as usize - 1)
            .map(str::to_owned);
        assert!(line.unwrap_or_default().contains("allow"), "{err}");
        // Cached: the same error again.
        assert!(std::ptr::eq(err, doc.policy().unwrap_err()));
        let quoted = PolicyDocument::new(json!("{not json"));
        assert!(quoted
            .policy()
            .unwrap_err()
            .message
            .contains("invalid JSON"));
    }

    #[test]
    fn documents_are_shared_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<PolicyDocument>();
    }
}
