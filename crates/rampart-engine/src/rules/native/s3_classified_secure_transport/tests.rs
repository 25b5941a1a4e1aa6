//! Equivalent and non-equivalent forms of "deny plain HTTP", as organizations write them.

use serde_json::{json, Value};

use super::*;
use crate::model::Tags;
use crate::rules::native::test_support::*;
use crate::rules::Status;

const ACCOUNT: &str = "222222222222";
const B: &str = "arn:aws:s3:::b";
const OBJECTS: &str = "arn:aws:s3:::b/*";

fn outcomes(buckets: Vec<S3Bucket>, account_tags: &[(&str, &str)]) -> Vec<Outcome> {
    let mut a = account(ACCOUNT, Some("prod"));
    a.tags.extend(tags(account_tags));
    a.storage.s3_buckets = buckets;
    evaluate(&S3ClassifiedSecureTransport, &snapshot(vec![a]))
}

fn confidential(name: &str, policy: Option<Value>) -> S3Bucket {
    bucket(
        ACCOUNT,
        name,
        tags(&[("DataClassification", "confidential")]),
        policy,
    )
}

/// The outcome for bucket `b` with a policy of these statements (after an Allow).
fn outcome(statements: Value) -> Outcome {
    let mut all = vec![json!({"Sid": "ReadOnly", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
        "Action": "s3:GetObject", "Resource": OBJECTS})];
    match statements {
        Value::Array(items) => all.extend(items),
        one => all.push(one),
    }
    let policy = json!({"Version": "2012-10-17", "Statement": all});
    let mut out = outcomes(vec![confidential("b", Some(policy))], &[]);
    assert_eq!(out.len(), 1, "{out:#?}");
    out.remove(0)
}

fn deny(action: Value, resource: Value, condition: Value) -> Value {
    json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
           "Action": action, "Resource": resource, "Condition": condition})
}

fn http_false() -> Value {
    json!({"Bool": {"aws:SecureTransport": "false"}})
}

#[test]
fn the_textbook_statement_passes_naming_it() {
    let out = outcome(deny(json!("s3:*"), json!([B, OBJECTS]), http_false()));
    assert_outcome(
        &out,
        Status::Pass,
        &[
            "denies every request to the bucket and its objects over plain HTTP",
            "statement 2 (`Sid` `DenyInsecureTransport`)",
        ],
    );
}

#[test]
fn equivalent_forms_pass() {
    let forms = [
        // Every action, every resource.
        deny(json!("*"), json!("*"), http_false()),
        // A wildcard resource covering the bucket and its objects.
        deny(json!("s3:*"), json!("arn:aws:s3:::b*"), http_false()),
        // Case and list forms; `{"AWS": "*"}`; a JSON boolean; `BoolIfExists`.
        json!({"Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["S3:*"],
               "Resource": [B, OBJECTS],
               "Condition": {"BoolIfExists": {"aws:securetransport": false}}}),
        // Bucket and objects in two statements.
        json!([
            deny(json!("s3:*"), json!(B), http_false()),
            deny(json!("s3:*"), json!(OBJECTS), http_false())
        ]),
        // NotAction of another service's actions covers every S3 action.
        json!({"Effect": "Deny", "Principal": "*", "NotAction": "iam:*",
               "Resource": [B, OBJECTS], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
        // NotResource naming another bucket.
        json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
               "NotResource": "arn:aws:s3:::other/*",
               "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
        // A minimum TLS version, which AWS documents as enforcing HTTPS.
        deny(
            json!("s3:*"),
            json!([B, OBJECTS]),
            json!({"NumericLessThan": {"s3:TlsVersion": "1.2"}}),
        ),
        // A condition on the bucket's own tag, which the bucket has.
        deny(
            json!("s3:*"),
            json!([B, OBJECTS]),
            json!({"Bool": {"aws:SecureTransport": "false"},
                    "StringEquals": {"aws:ResourceTag/DataClassification": "confidential"}}),
        ),
    ];
    for (i, statements) in forms.into_iter().enumerate() {
        let out = outcome(statements);
        assert_eq!(out.status, Status::Pass, "form {i}: {out:#?}");
    }
}

#[test]
fn a_deny_naming_another_bucket_fails() {
    let out = outcome(deny(
        json!("s3:*"),
        json!(["arn:aws:s3:::other", "arn:aws:s3:::other/*"]),
        http_false(),
    ));
    assert_outcome(
        &out,
        Status::Fail,
        &["does not deny `s3:", "over plain HTTP", "`confidential`"],
    );
}

#[test]
fn a_deny_on_the_bucket_but_not_its_objects_fails() {
    let out = outcome(deny(json!("s3:*"), json!(B), http_false()));
    assert_outcome(&out, Status::Fail, &["on its objects over plain HTTP"]);
    assert!(out.message.contains("`s3:"), "{out:#?}");
}

#[test]
fn a_deny_of_a_single_action_fails() {
    let out = outcome(deny(
        json!("s3:GetObject"),
        json!([B, OBJECTS]),
        http_false(),
    ));
    assert_outcome(&out, Status::Fail, &["does not deny `s3:"]);
    assert!(!out.message.contains("`s3:GetObject`"), "{out:#?}");
}

#[test]
fn a_deny_only_outside_a_vpc_endpoint_fails_naming_the_endpoint() {
    let out = outcome(deny(
        json!("s3:*"),
        json!([B, OBJECTS]),
        json!({"Bool": {"aws:SecureTransport": "false"},
               "StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
    ));
    assert_outcome(
        &out,
        Status::Fail,
        &["over plain HTTP", "with `aws:sourcevpce` = `vpce-1a2b3c4d`"],
    );
}

#[test]
fn denies_that_spare_some_principals_fail_naming_them() {
    // Only one account's principals.
    let out = outcome(
        json!({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
        "Action": "s3:*", "Resource": [B, OBJECTS], "Condition": http_false()}),
    );
    assert_outcome(
        &out,
        Status::Fail,
        &["by any principal outside the organization"],
    );
    // Everyone but a named role.
    let out = outcome(json!({"Effect": "Deny",
        "NotPrincipal": {"AWS": "arn:aws:iam::222222222222:role/legacy-batch"},
        "Action": "s3:*", "Resource": [B, OBJECTS], "Condition": http_false()}));
    assert_outcome(
        &out,
        Status::Fail,
        &["by `arn:aws:iam::222222222222:role/legacy-batch`"],
    );
    // Everyone outside the organization: its own principals may use HTTP.
    let out = outcome(deny(
        json!("s3:*"),
        json!([B, OBJECTS]),
        json!({"Bool": {"aws:SecureTransport": "false"},
               "StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}),
    ));
    assert_outcome(
        &out,
        Status::Fail,
        &["by any principal of the bucket's account"],
    );
}

#[test]
fn denies_that_spare_some_objects_or_requests_fail() {
    let out = outcome(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "NotResource": "arn:aws:s3:::b/public/*", "Condition": http_false()}));
    assert_outcome(&out, Status::Fail, &["on `arn:aws:s3:::b/public/x`"]);
    // The wrong polarity denies HTTPS, not HTTP.
    let out = outcome(deny(
        json!("s3:*"),
        json!([B, OBJECTS]),
        json!({"Bool": {"aws:SecureTransport": "true"}}),
    ));
    assert_eq!(out.status, Status::Fail, "{out:#?}");
    // A condition on a tag the bucket does not have.
    let out = outcome(deny(
        json!("s3:*"),
        json!([B, OBJECTS]),
        json!({"Bool": {"aws:SecureTransport": "false"},
               "StringEquals": {"aws:ResourceTag/Team": "payments"}}),
    ));
    assert_eq!(out.status, Status::Fail, "{out:#?}");
    // An Allow that mentions HTTP denies nothing.
    let out = outcome(
        json!({"Effect": "Allow", "Principal": "*", "Action": "s3:*",
        "Resource": [B, OBJECTS], "Condition": {"Bool": {"aws:SecureTransport": "true"}}}),
    );
    assert_outcome(&out, Status::Fail, &["has no `Deny` statement"]);
}

#[test]
fn sensitive_bucket_without_policy_fails() {
    let out = outcomes(vec![confidential("no-policy", None)], &[]);
    assert_eq!(out.len(), 1);
    assert_outcome(
        outcome_for(&out, "arn:aws:s3:::no-policy"),
        Status::Fail,
        &[
            "no bucket policy: requests over plain HTTP are not denied",
            "`confidential`",
        ],
    );
}

#[test]
fn a_policy_stored_as_text_reads_like_an_object() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        deny(json!("s3:*"), json!([B, OBJECTS]), http_false())]});
    let out = outcomes(
        vec![confidential("b", Some(json!(policy.to_string())))],
        &[],
    );
    assert_eq!(out[0].status, Status::Pass, "{out:#?}");
}

#[test]
fn malformed_policy_is_unknown_naming_the_position() {
    let out = outcomes(
        vec![confidential("b", Some(json!({"Statement": "nope"})))],
        &[],
    );
    assert_outcome(
        &out[0],
        Status::Unknown,
        &[
            "bucket policy does not parse (line 2, column",
            "`Statement`",
        ],
    );
}

#[test]
fn conditions_too_many_to_analyze_are_unknown() {
    let values =
        |prefix: &str| -> Vec<String> { (0..20).map(|i| format!("{prefix}-{i}")).collect() };
    let out = outcome(deny(
        json!("s3:*"),
        json!([B, OBJECTS]),
        json!({"Bool": {"aws:SecureTransport": "false"},
               "StringNotEquals": {"aws:SourceVpce": values("vpce"), "aws:SourceVpc": values("vpc"),
                                   "aws:userAgent": values("agent")}}),
    ));
    assert_outcome(
        &out,
        Status::Unknown,
        &["too many to analyze", "budget of 4096"],
    );
}

#[test]
fn only_sensitive_buckets_are_assessed() {
    let public = bucket(
        ACCOUNT,
        "public-site",
        tags(&[("DataClassification", "public")]),
        None,
    );
    let untagged = bucket(ACCOUNT, "untagged", Tags::new(), None);
    // Default classification `internal` is not sensitive.
    assert!(outcomes(vec![public.clone(), untagged.clone()], &[]).is_empty());
    // A `restricted` account makes its untagged buckets sensitive; the public one stays out.
    let out = outcomes(
        vec![public, untagged],
        &[("DataClassification", "restricted")],
    );
    assert_eq!(out.len(), 1, "{out:#?}");
    assert_outcome(
        outcome_for(&out, "arn:aws:s3:::untagged"),
        Status::Fail,
        &["`restricted`"],
    );
}
