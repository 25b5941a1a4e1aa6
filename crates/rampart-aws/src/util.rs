//! Small conversions shared by the collectors.

use chrono::{DateTime, Utc};
use rampart_model::{Operation, PolicyDocument, Source, Tags};

/// Provenance of a value read by `operation`.
pub(crate) fn api(operation: Operation) -> Source {
    Source::Api {
        operation: operation.name().to_owned(),
    }
}

/// An SDK timestamp as UTC.
pub(crate) fn utc(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// Tags from `(key, value)` pairs.
pub(crate) fn tags<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Tags {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Tags from a JSON list of `{"key": …, "value": …}` objects (RAM, Direct Connect).
pub(crate) fn json_tags(list: Option<&serde_json::Value>) -> Tags {
    list.and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                t.get("key")?.as_str()?.to_owned(),
                t.get("value")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            ))
        })
        .collect()
}

/// Parses a policy document as IAM returns it: URL-encoded from AWS (RFC 3986), plain JSON
/// from some emulators and from other services.
pub(crate) fn decode_policy(text: &str) -> Result<PolicyDocument, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str(text)
            .map(PolicyDocument::new)
            .map_err(|e| e.to_string());
    }
    let decoded = percent_decode(text)?;
    serde_json::from_str(&decoded)
        .map(PolicyDocument::new)
        .map_err(|e| e.to_string())
}

/// Decodes `%XX` escapes (UTF-8). `+` is kept: IAM encodes spaces as `%20`.
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("invalid percent escape at byte {i}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| format!("decoded policy is not UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_decode_plain_and_url_encoded() {
        let plain = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(decode_policy(plain), decode_policy(encoded));
        assert_eq!(
            decode_policy("%7B%22a%22%3A%22x%20y%2Bz%22%7D")
                .ok()
                .map(|d| d.raw().clone()),
            Some(serde_json::json!({"a": "x y+z"}))
        );
        assert!(decode_policy("%7B%2").is_err());
        assert!(decode_policy("not json").is_err());
    }

    #[test]
    fn timestamps_convert_to_utc() {
        let t = aws_smithy_types::DateTime::from_secs(1_700_000_000);
        assert_eq!(
            utc(&t).map(|d| d.to_rfc3339()),
            Some("2023-11-14T22:13:20+00:00".to_owned())
        );
    }
}
