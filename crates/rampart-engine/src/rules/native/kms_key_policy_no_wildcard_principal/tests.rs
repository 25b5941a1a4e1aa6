//! Equivalent and non-equivalent forms of an open key policy, as organizations write them.

use serde_json::{json, Value};

use super::*;
use crate::rules::native::test_support::*;
use crate::rules::Status;

const ACCOUNT: &str = "222222222222";

fn outcome(policy: Option<Value>) -> Outcome {
    let mut a = account(ACCOUNT, Some("prod"));
    a.kms_keys = vec![kms_key(ACCOUNT, "k1", policy)];
    let mut out = evaluate(&KmsKeyPolicyNoWildcardPrincipal, &snapshot(vec![a]));
    assert_eq!(out.len(), 1, "{out:#?}");
    assert_eq!(out[0].resource.resource_type, ResourceType::KmsKey);
    out.remove(0)
}

fn root_statement() -> Value {
    json!({"Sid": "EnableIAM", "Effect": "Allow",
           "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
           "Action": "kms:*", "Resource": "*"})
}

fn with(statements: Value) -> Option<Value> {
    let mut all = vec![root_statement()];
    match statements {
        Value::Array(items) => all.extend(items),
        one => all.push(one),
    }
    Some(json!({"Version": "2012-10-17", "Statement": all}))
}

#[test]
fn open_grants_fail_in_every_form() {
    let forms = [
        json!({"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
        json!({"Sid": "AllowAll", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"}),
        json!({"Sid": "AllowAll", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]},
               "Action": ["kms:Decrypt", "KMS:*"], "Resource": "*", "Condition": {}}),
        // Everything but deletion is still everything that matters.
        json!({"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "NotAction": "kms:ScheduleKeyDeletion",
               "Resource": "*"}),
        // Conditions anyone satisfies.
        json!({"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {"StringLike": {"aws:PrincipalArn": "*"}}}),
        json!({"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}}),
        json!({"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*",
               "Condition": {"Null": {"aws:PrincipalOrgID": "false"}}}),
        // Any account's S3 requests can use the key.
        json!({"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}),
    ];
    for (i, statement) in forms.into_iter().enumerate() {
        let out = outcome(with(statement));
        assert_outcome(
            &out,
            Status::Fail,
            &[
                "key policy statement 2 (`Sid` `AllowAll`) allows ",
                "to principals of any AWS account",
            ],
        );
        assert!(!out.message.is_empty(), "form {i}");
    }
}

#[test]
fn the_message_shows_the_condition_values_that_open_the_key() {
    let out = outcome(with(
        json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
        "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}),
    ));
    assert_outcome(
        &out,
        Status::Fail,
        &[
            "allows 1 KMS action (such as `kms:Decrypt`)",
            "with `kms:viaservice` = `s3.us-east-1.amazonaws.com`",
        ],
    );
}

#[test]
fn grants_limited_to_the_organization_pass() {
    let forms = [
        json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
               "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}}),
        json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*",
               "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}),
        json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
               "Condition": {"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, "333333333333"]}}}),
        // AWS managed key policies: the caller's account and a service.
        json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"],
               "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT,
                                              "kms:ViaService": "ebs.us-east-1.amazonaws.com"}}}),
        // Open, but a deny closes it to everyone outside the organization.
        json!([{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
               {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}}]),
        // Only through the organization's VPC endpoint.
        json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}}),
        // A named role of another account is `kms-key-external-decrypt`'s business.
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/partner"},
               "Action": "kms:Decrypt", "Resource": "*"}),
        // A deny to everyone is not a grant.
        json!({"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
    ];
    for (i, statement) in forms.into_iter().enumerate() {
        let out = outcome(with(statement));
        assert_eq!(out.status, Status::Pass, "form {i}: {out:#?}");
    }
    assert_outcome(
        &outcome(with(json!([]))),
        Status::Pass,
        &["no KMS action on the key is allowed to principals of accounts outside"],
    );
}

#[test]
fn string_encoded_policy_is_read() {
    let text = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}"#;
    assert_outcome(
        &outcome(Some(json!(text))),
        Status::Fail,
        &["statement 1 allows every KMS action to principals of any AWS account"],
    );
}

#[test]
fn policy_not_read_is_unknown() {
    assert_outcome(
        &outcome(None),
        Status::Unknown,
        &["key policy was not read"],
    );
}

#[test]
fn malformed_policy_is_unknown_naming_the_position() {
    assert_outcome(
        &outcome(Some(json!({"Version": "2012-10-17"}))),
        Status::Unknown,
        &["key policy does not parse (line 1, column 1", "`Statement`"],
    );
    assert_outcome(
        &outcome(Some(json!(["not", "an", "object"]))),
        Status::Unknown,
        &["key policy does not parse", "not an array"],
    );
}
