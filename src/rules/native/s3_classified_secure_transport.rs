//! `s3-classified-secure-transport`: buckets holding sensitive data deny requests that do
//! not use TLS.

use serde_json::Value;

use super::policy_doc::{self, Effect, Statement};
use super::NativeRule;
use crate::model::{Account, ResourceRef, ResourceType, S3Bucket};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

/// Actions that cover every S3 request (compared ignoring case).
const ALL_S3_ACTIONS: [&str; 2] = ["s3:*", "*"];
/// Operators under which `aws:SecureTransport` = `false` marks plain HTTP.
const BOOL_OPERATORS: [&str; 2] = ["Bool", "BoolIfExists"];
/// Operators under which `s3:TlsVersion` sets a minimum TLS version.
const TLS_OPERATORS: [&str; 2] = ["NumericLessThan", "NumericLessThanIfExists"];

const DOC: &str = r#"## What it checks

For every S3 bucket whose effective data classification is sensitive (the ruleset's
`sensitive_classifications`; the level comes from the bucket's tag, else its account's,
else its OUs', else the ruleset default), whether the bucket policy has a statement that:

- has `"Effect": "Deny"`,
- applies to every principal (`"*"`, `{"AWS": "*"}` or an `AWS` list containing `"*"`),
- covers every S3 action (`s3:*` or `*`), and
- has the condition `Bool` (or `BoolIfExists`) `aws:SecureTransport` = `false`, or
  `NumericLessThan` on `s3:TlsVersion` (a minimum TLS version, which also refuses HTTP).

A sensitive bucket without a bucket policy fails. A malformed bucket policy is reported
as unknown. Buckets that are not sensitive are not assessed.

## Why it matters

Amazon S3 accepts requests over both HTTP and HTTPS. The Amazon S3 User Guide ("Security
best practices for Amazon S3": *Enforce encryption of data in transit*) and the AWS
Security Reference Architecture recommend a bucket policy that denies any request where
`aws:SecureTransport` is `false`, so that sensitive data never crosses a network in
clear text, whichever client or SDK setting is used. AWS Security Hub checks the same
requirement as control S3.5 ("S3 general purpose buckets should require requests to use
SSL"). Data-classification policies usually make encryption in transit mandatory for
confidential and restricted data.

## How to fix

Add this statement to the bucket policy (with `aws s3api put-bucket-policy`, or in the
bucket's IaC), keeping the existing statements:

```json
{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
 "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"],
 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
```

To also require a minimum TLS version, add a similar statement with
`"Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}`.

## Example

Failing: bucket `payroll-exports` tagged `DataClassification=confidential` with no
bucket policy, or with a policy whose only `Deny` on `aws:SecureTransport` covers
`s3:GetObject`.

Passing: the same bucket with the `DenyInsecureTransport` statement above.
"#;

/// The rule `s3-classified-secure-transport`.
pub struct S3ClassifiedSecureTransport;

impl NativeRule for S3ClassifiedSecureTransport {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "s3-classified-secure-transport".to_owned(),
            title: "S3 buckets with sensitive data deny requests over plain HTTP".to_owned(),
            area: Area::EncryptionInTransit,
            severity: Severity::High,
            remediation: "Add a bucket policy statement that denies `s3:*` to principal `*` \
                when `aws:SecureTransport` is `false` (condition `Bool`)."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::S3Bucket],
            reads: vec![
                "s3:GetBucketPolicy".to_owned(),
                "s3:GetBucketTagging".to_owned(),
                "organizations:ListTagsForResource".to_owned(),
            ],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        for bucket in &account.storage.s3_buckets {
            let level = cx
                .facts
                .classification(&bucket.account_id, &bucket.tags)
                .level;
            if cx.facts.is_sensitive(&level) {
                out.push(assess(bucket, &level));
            }
        }
    }
}

fn assess(bucket: &S3Bucket, level: &str) -> Outcome {
    let resource = ResourceKey::of(ResourceRef::of(bucket));
    let Some(policy) = &bucket.policy else {
        return Outcome::fail(
            resource,
            format!(
                "no bucket policy: requests over plain HTTP are not denied \
                 (classification `{level}`)"
            ),
        );
    };
    let doc = match policy_doc::document(policy) {
        Ok(doc) => doc,
        Err(problem) => {
            return Outcome::unknown(resource, format!("malformed bucket policy: {problem}"))
        }
    };
    let statements = match policy_doc::statements(&doc) {
        Ok(s) => s,
        Err(problem) => {
            return Outcome::unknown(resource, format!("malformed bucket policy: {problem}"))
        }
    };
    let denying = |s: &&Statement<'_>| s.effect == Effect::Deny;
    let covers_all = |s: &&Statement<'_>| s.action_among(&ALL_S3_ACTIONS).is_some();
    if let Some((s, how)) = statements
        .iter()
        .filter(denying)
        .filter(|s| s.principal_is_anyone())
        .filter(covers_all)
        .find_map(|s| refused_transport(s).map(|how| (s, how)))
    {
        return Outcome::pass(
            resource,
            format!(
                "bucket policy {} denies `s3:*` to principal `*` {how}",
                s.label()
            ),
        );
    }
    // Name the statement that comes closest, so that the fix is obvious.
    let near = statements
        .iter()
        .filter(denying)
        .find(|s| refused_transport(s).is_some());
    let message = match near {
        Some(s) if !s.principal_is_anyone() => format!(
            "bucket policy {} denies plain HTTP only to some principals, not to `*` \
             (classification `{level}`)",
            s.label()
        ),
        Some(s) => format!(
            "bucket policy {} denies plain HTTP only for {}, not `s3:*` \
             (classification `{level}`)",
            s.label(),
            backticked(s.actions())
        ),
        None => format!(
            "bucket policy has no `Deny` statement for principal `*` on `s3:*` with \
             `aws:SecureTransport` = `false`: requests over plain HTTP are not denied \
             (classification `{level}`)"
        ),
    };
    Outcome::fail(resource, message)
}

/// How a statement's condition singles out requests without (recent) TLS, if it does:
/// `aws:SecureTransport` = `false`, or `s3:TlsVersion` below a minimum.
fn refused_transport(s: &Statement<'_>) -> Option<String> {
    if let Some(op) = BOOL_OPERATORS.iter().find(|op| {
        s.condition_values(&[**op], "aws:SecureTransport")
            .into_iter()
            .any(policy_doc::is_false)
    }) {
        return Some(format!("when `aws:SecureTransport` is `false` (`{op}`)"));
    }
    s.condition_values(&TLS_OPERATORS, "s3:TlsVersion")
        .first()
        .map(|v| match v {
            Value::String(s) => format!("when `s3:TlsVersion` is below `{s}`"),
            other => format!("when `s3:TlsVersion` is below `{other}`"),
        })
}

fn backticked(actions: &[&str]) -> String {
    if actions.is_empty() {
        return "no `Action`".to_owned();
    }
    actions
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Tags;
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    const ACCOUNT: &str = "222222222222";

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

    fn deny_http(action: Value, principal: Value, condition: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": principal,
             "Action": action, "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
             "Condition": condition}
        ]})
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
    fn deny_on_insecure_transport_passes_in_every_accepted_form() {
        let forms = [
            deny_http(
                json!("s3:*"),
                json!("*"),
                json!({"Bool": {"aws:SecureTransport": "false"}}),
            ),
            deny_http(
                json!(["S3:*"]),
                json!({"AWS": "*"}),
                json!({"Bool": {"aws:securetransport": false}}),
            ),
            deny_http(
                json!("*"),
                json!({"AWS": ["*"]}),
                json!({"BoolIfExists": {"aws:SecureTransport": ["false"]}}),
            ),
        ];
        for policy in forms {
            let out = outcomes(vec![confidential("b", Some(policy))], &[]);
            assert_outcome(
                outcome_for(&out, "arn:aws:s3:::b"),
                Status::Pass,
                &[
                    "statement 2 (`Sid` `DenyInsecureTransport`)",
                    "`aws:SecureTransport` is `false`",
                ],
            );
        }
    }

    #[test]
    fn minimum_tls_version_passes() {
        let policy = deny_http(
            json!("s3:*"),
            json!("*"),
            json!({"NumericLessThan": {"s3:TlsVersion": "1.2"}}),
        );
        let out = outcomes(vec![confidential("b", Some(policy))], &[]);
        assert_outcome(&out[0], Status::Pass, &["`s3:TlsVersion` is below `1.2`"]);
    }

    #[test]
    fn partial_denies_fail_naming_the_statement() {
        let narrow = deny_http(
            json!("s3:GetObject"),
            json!("*"),
            json!({"Bool": {"aws:SecureTransport": "false"}}),
        );
        let out = outcomes(vec![confidential("b", Some(narrow))], &[]);
        assert_outcome(
            &out[0],
            Status::Fail,
            &[
                "statement 2 (`Sid` `DenyInsecureTransport`)",
                "only for `s3:GetObject`",
            ],
        );

        let some = deny_http(
            json!("s3:*"),
            json!({"AWS": "arn:aws:iam::1:root"}),
            json!({"Bool": {"aws:SecureTransport": "false"}}),
        );
        let out = outcomes(vec![confidential("b", Some(some))], &[]);
        assert_outcome(&out[0], Status::Fail, &["only to some principals"]);

        let allow_only = deny_http(
            json!("s3:*"),
            json!("*"),
            json!({"Bool": {"aws:SecureTransport": "true"}}),
        );
        let out = outcomes(vec![confidential("b", Some(allow_only))], &[]);
        assert_outcome(
            &out[0],
            Status::Fail,
            &["has no `Deny` statement", "not denied"],
        );
    }

    #[test]
    fn malformed_policy_is_unknown() {
        let out = outcomes(
            vec![confidential("b", Some(json!({"Statement": "nope"})))],
            &[],
        );
        assert_outcome(
            &out[0],
            Status::Unknown,
            &["malformed bucket policy", "`Statement`"],
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
}
