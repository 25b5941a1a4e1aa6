#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;
use serde_json::json;

const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Each pattern: the input, and the part that must be gone.
#[test]
fn each_pattern_is_redacted() {
    let session = format!("IQoJb3JpZ2luX2VjE{}", "Ab1".repeat(40));
    let cases: Vec<(String, &str)> = vec![
        (format!("tag Note=`{SECRET_KEY}`"), SECRET_KEY),
        (format!("aws_secret_access_key = {SECRET_KEY}"), SECRET_KEY),
        (format!("session {session} end"), &session),
        ("db password=hunter2 here".into(), "hunter2"),
        ("Password: hunter2".into(), "hunter2"),
        ("DB_PASSWORD=\"hunter2\"".into(), "hunter2"),
        (r#"{"client_secret": "s3cr3tvalue"}"#.into(), "s3cr3tvalue"),
        (r#"{"SessionToken":"abcdefgh"}"#.into(), "abcdefgh"),
        ("api_key=abc123def".into(), "abc123def"),
        ("postgres://app:hunter2@db.internal:5432/app".into(), "hunter2"),
        (
            "token ghp_abcdefghijklmnopqrstuvwxyz0123456789".into(),
            "ghp_abc",
        ),
        ("github_pat_11ABCDEFG0123456789_abcdefghij".into(), "github_pat_"),
        ("glpat-abcdefghij0123456789".into(), "glpat-"),
        ("xoxb-1234567890-abcdefghij".into(), "xoxb-"),
        ("sk_live_abcdefghij0123456789".into(), "sk_live_"),
        ("npm_abcdefghijklmnopqrstuvwxyz0123456789".into(), "npm_"),
        ("AIzaSyA-abcdefghijklmnopqrstuvwxyz01234".into(), "AIza"),
        (
            "bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N".into(),
            "eyJhbGci",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- after".into(),
            "MIIEow",
        ),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk\\n-----END OPENSSH PRIVATE KEY-----".into(),
            "b3BlbnNzaC1rZXk",
        ),
        // A block cut short (a bounded evidence value) is redacted to the end.
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhki…".into(), "MIIEvQ"),
    ];
    for (input, gone) in &cases {
        let r = redact(input);
        assert!(!r.contains(gone), "{input} → {r}");
        assert!(r.contains(REDACTED), "{input} → {r}");
        // Idempotent: a redacted text is left as it is.
        assert_eq!(redact(&r), r, "{input}");
    }
    // What surrounds a credential stays.
    assert_eq!(
        redact("db password=hunter2 here"),
        "db password=[REDACTED] here"
    );
    assert!(
        redact("-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY----- after")
            .ends_with(" after")
    );
    assert_eq!(
        redact("postgres://app:hunter2@db:5432"),
        "postgres://app:[REDACTED]@db:5432"
    );
}

/// Near misses: identifiers and ordinary text are not credentials.
#[test]
fn identifiers_and_ordinary_text_are_untouched() {
    for text in [
        "bucket `app-prod-reports` is not encrypted with a customer managed key",
        // Access key ids are identifiers (CloudTrail shows them): kept.
        "access key AKIAIOSFODNN7EXAMPLE of user `ci` is 400 days old",
        "ASIAY34FZKBOKMUTVV7A",
        // A 40-hex commit id or SHA-1: no upper case.
        "fingerprint 0123456789abcdef0123456789abcdef01234567",
        "sha256 9807af0e638c12e753aa1b4e601791bf2a8f71274023c8bbeec12fc149950857",
        "arn:aws:iam::111122223333:role/token-broker",
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf",
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "role can call `secretsmanager:GetSecretValue` and `sts:GetSessionToken`",
        "the account's password policy is weak",
        "account 111122223333 is classified `secret`",
        "tag DataClassification=secret",
        "PasswordPolicy.MinimumPasswordLength: 14",
        "Condition StringEquals aws:PrincipalOrgID=o-a1b2c3d4e5",
        "https://example.com:8443/path",
        "arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
    ] {
        assert_eq!(redact(text), text, "{text}");
    }
    assert!(matches!(redact("a short message"), Cow::Borrowed(_)));
}

#[test]
fn json_trees_are_redacted_by_value_and_by_key() {
    let mut v = json!({
        "arn": "arn:aws:s3:::bucket",
        "tags": {
            "DbPassword": "hunter2",
            "Note": format!("key {SECRET_KEY}"),
            "Owner": "team-a",
            "ghp_abcdefghijklmnopqrstuvwxyz0123": "x",
        },
        "items": ["ok", "password=hunter2"],
        "password_enabled": true,
        "count": 3,
    });
    assert!(redact_json(&mut v));
    let text = v.to_string();
    assert!(
        !text.contains("hunter2") && !text.contains(SECRET_KEY) && !text.contains("ghp_"),
        "{text}"
    );
    assert_eq!(v["tags"]["Owner"], "team-a");
    assert_eq!(v["tags"]["DbPassword"], REDACTED);
    assert_eq!(v["password_enabled"], true);
    assert_eq!(v["arn"], "arn:aws:s3:::bucket");
    // Key order is kept.
    let keys: Vec<&String> = v["tags"].as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "DbPassword");
    assert!(!redact_json(&mut v), "a second pass changes nothing");
    let mut clean = json!({"name": "app", "arn": "arn:aws:iam::1:role/x"});
    assert!(!redact_json(&mut clean));
}

#[test]
fn secret_keys_are_recognized() {
    for key in [
        "password",
        "DbPassword",
        "client_secret",
        "SessionToken",
        "API_KEY",
        "SecretAccessKey",
        "SecretString",
    ] {
        assert!(is_secret_key(key), "{key}");
    }
    for key in [
        "password_policy",
        "PasswordLastUsed",
        "KeyId",
        "Name",
        "secret_arn",
        "token_count",
    ] {
        assert!(!is_secret_key(key), "{key}");
    }
}

/// [`Shape::of`] as first written, a byte at a time with no table: the reference the
/// table-driven scan must agree with.
fn reference_shape(text: &str) -> (bool, bool, usize, bool) {
    let (mut token, mut base64) = (0, 0);
    let mut classes = [false; 3];
    let mut prev = 0u8;
    let (mut separator, mut kv_separator, mut token_run, mut mixed) = (false, false, 0, false);
    for &b in text.as_bytes() {
        let is_base64 = b.is_ascii_alphanumeric() || b == b'/' || b == b'+';
        if is_base64 {
            base64 += 1;
            classes[0] |= b.is_ascii_uppercase();
            classes[1] |= b.is_ascii_lowercase();
            classes[2] |= b.is_ascii_digit();
        } else {
            base64 = 0;
            classes = [false; 3];
        }
        mixed |= base64 >= 40 && classes == [true; 3];
        token = if is_base64 || b == b'_' || b == b'-' {
            token + 1
        } else {
            0
        };
        token_run = token_run.max(token);
        separator |= b == b'=' || b == b':';
        kv_separator |= b == b'='
            || (b == b':' && (prev == b'"' || prev == b'\''))
            || (prev == b':' && (b.is_ascii_whitespace() || !b.is_ascii()));
        prev = b;
    }
    (separator, kv_separator, token_run, mixed)
}

proptest::proptest! {
    #[test]
    fn the_table_driven_scan_agrees_with_the_reference(
        text in "([A-Za-z0-9]{0,50}|[/+_=:'\" \t-]|é|\\PC){0,30}"
    ) {
        let s = Shape::of(&text);
        proptest::prop_assert_eq!(
            (s.separator, s.kv_separator, s.token_run, s.mixed_base64_run),
            reference_shape(&text)
        );
    }
}
