//! The evidence of a finding: the resource as the snapshot recorded it, found by ARN in
//! the snapshot's JSON (any object with a string `arn`), pretty-printed and bounded.

use std::collections::BTreeMap;

use serde_json::Value;

/// Past this many bytes a resource's record is cut in the HTML page (the whole record is
/// in `snapshot.json`).
pub const MAX_EVIDENCE: usize = 8 * 1024;

/// ARN → the resource's record, pretty JSON.
#[derive(Debug, Default)]
pub struct ResourceIndex {
    records: BTreeMap<String, String>,
}

impl ResourceIndex {
    /// Indexes every object with an `arn` in the snapshot's JSON; text that does not parse
    /// gives an empty index (the snapshot was parsed once before, so it does).
    #[cfg(test)]
    pub fn of(json: &str) -> ResourceIndex {
        match serde_json::from_str::<Value>(json) {
            Ok(value) => ResourceIndex::of_value(&value),
            Err(_) => ResourceIndex::default(),
        }
    }

    /// Indexes every object with an `arn` in the snapshot's JSON tree.
    pub fn of_value(value: &Value) -> ResourceIndex {
        let mut records = BTreeMap::new();
        collect(value, &mut records);
        ResourceIndex { records }
    }

    /// The record of a resource, if the snapshot has one.
    pub fn get(&self, arn: &str) -> Option<&str> {
        self.records.get(arn).map(String::as_str)
    }
}

fn collect(value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(arn)) = map.get("arn") {
                if !out.contains_key(arn) {
                    out.insert(arn.clone(), record(&own_attributes(value)));
                }
            }
            for v in map.values() {
                collect(v, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                collect(v, out);
            }
        }
        _ => {}
    }
}

/// A resource without the resources it contains (an account's buckets, a VPC's subnets):
/// each has its own record, so they are named by ARN.
fn own_attributes(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), own_attributes_child(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Inside a resource's attributes, a contained resource is its ARN.
fn own_attributes_child(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.get("arn").is_some_and(Value::is_string) => m["arn"].clone(),
        Value::Array(items)
            if !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.get("arn").is_some_and(Value::is_string)) =>
        {
            Value::Array(items.iter().map(|i| i["arn"].clone()).collect())
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), own_attributes_child(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Pretty JSON, cut at a line boundary past [`MAX_EVIDENCE`].
fn record(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    if text.len() <= MAX_EVIDENCE {
        return text;
    }
    let mut cut = String::new();
    for line in text.lines() {
        if cut.len() + line.len() > MAX_EVIDENCE {
            break;
        }
        cut.push_str(line);
        cut.push('\n');
    }
    cut.push_str("… (cut: the whole record is in snapshot.json)");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_resources_by_arn() {
        let json = r#"{"accounts":[{"id":"1","kms":{"keys":[{"arn":"arn:k","rotation":false}]}}]}"#;
        let index = ResourceIndex::of(json);
        let r = index.get("arn:k").unwrap();
        assert!(r.contains("\"rotation\": false"), "{r}");
        assert!(index.get("arn:x").is_none());
        assert!(ResourceIndex::of("not json").get("arn:k").is_none());
    }

    #[test]
    fn a_record_names_the_resources_it_contains_by_arn() {
        let json = r#"{"arn":"arn:acct","name":"a","s3":{"buckets":[{"arn":"arn:b","x":1}]},"key":{"arn":"arn:k"}}"#;
        let index = ResourceIndex::of(json);
        let account: Value = serde_json::from_str(index.get("arn:acct").unwrap()).unwrap();
        assert_eq!(
            account,
            serde_json::json!({"arn":"arn:acct","name":"a","s3":{"buckets":["arn:b"]},"key":"arn:k"})
        );
        assert!(index.get("arn:b").unwrap().contains("\"x\": 1"));
    }

    #[test]
    fn long_records_are_cut() {
        let big = serde_json::json!({"arn": "a", "items": vec!["x".repeat(100); 200]});
        let r = record(&big);
        assert!(r.len() < MAX_EVIDENCE + 100);
        assert!(r.ends_with("snapshot.json)"));
    }
}
