//! `kms-key-policy-no-wildcard-principal`: no key policy gives every KMS action to anyone
//! without a condition.

use super::policy_doc::{self, Effect};
use super::NativeRule;
use crate::model::{Account, KmsKey, ResourceRef, ResourceType};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

/// Actions that grant every KMS operation (compared ignoring case).
const ALL_KMS_ACTIONS: [&str; 2] = ["kms:*", "*"];

const DOC: &str = r#"## What it checks

For every KMS key, whether its key policy has a statement that allows every KMS action
(`kms:*` or `*`) to every principal (`"Principal": "*"`, `{"AWS": "*"}`, or an `AWS` list
containing `"*"`) with no `Condition`. Such a statement fails the key. A key whose policy
was not read, or whose policy document is malformed, is reported as unknown.

The check recognizes this one shape; it does not evaluate `NotAction` or `NotPrincipal`,
nor grants of fewer actions: the IAM policy analysis covers those.

## Why it matters

The AWS KMS Developer Guide ("Key policies in AWS KMS" and "Security best practices for
AWS Key Management Service") says to follow least privilege in key policies and warns
that a key policy allowing `kms:*` to `"*"` lets any principal in any account use and
manage the key, including scheduling its deletion or changing its policy, unless a
condition narrows it. The AWS Security Reference Architecture keeps key administration
and key use with distinct, named principals. Because the key policy is the primary access
control for a KMS key, IAM policies and SCPs in your organization cannot narrow a grant
to principals outside it.

## How to fix

Replace the wildcard statement with statements naming the principals that administer
and use the key (the account root for IAM delegation, key administrator roles, the
workload roles), each with only the actions it needs. If the key must be reachable by
many principals of the organization, keep `"*"` only with a condition such as
`aws:PrincipalOrgID` or `kms:CallerAccount`, and `kms:ViaService` where the key serves
one service. Apply it with `aws kms put-key-policy`.

## Example

Failing:

```json
{"Statement": [{"Sid": "AllowAll", "Effect": "Allow", "Principal": {"AWS": "*"},
  "Action": "kms:*", "Resource": "*"}]}
```

Passing (the same grant limited to the organization):

```json
{"Statement": [{"Sid": "AllowOrg", "Effect": "Allow", "Principal": {"AWS": "*"},
  "Action": "kms:*", "Resource": "*",
  "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
```
"#;

/// The rule `kms-key-policy-no-wildcard-principal`.
pub struct KmsKeyPolicyNoWildcardPrincipal;

impl NativeRule for KmsKeyPolicyNoWildcardPrincipal {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "kms-key-policy-no-wildcard-principal".to_owned(),
            title:
                "KMS key policies do not allow every action to every principal without conditions"
                    .to_owned(),
            area: Area::EncryptionKeyManagement,
            severity: Severity::Critical,
            remediation: "Replace the statement that allows `kms:*` to `*` with statements \
                naming the key's administrators and users, or add a condition such as \
                `aws:PrincipalOrgID` that limits it to your organization."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::KmsKey],
            reads: vec!["kms".to_owned()],
            location: None,
        }
    }

    fn evaluate(&self, _cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        out.extend(account.kms_keys.iter().map(assess));
    }
}

fn assess(key: &KmsKey) -> Outcome {
    let resource = ResourceKey::of(ResourceRef::of(key));
    let Some(policy) = &key.policy else {
        return Outcome::unknown(resource, "the key policy was not read (`kms:GetKeyPolicy`)");
    };
    let doc = match policy_doc::document(policy) {
        Ok(doc) => doc,
        Err(problem) => {
            return Outcome::unknown(resource, format!("malformed key policy: {problem}"))
        }
    };
    let statements = match policy_doc::statements(&doc) {
        Ok(s) => s,
        Err(problem) => {
            return Outcome::unknown(resource, format!("malformed key policy: {problem}"))
        }
    };
    let open = statements.iter().find_map(|s| {
        let action = s.action_among(&ALL_KMS_ACTIONS)?;
        (s.effect == Effect::Allow && s.principal_is_anyone() && s.is_unconditional())
            .then_some((s, action))
    });
    match open {
        Some((s, action)) => Outcome::fail(
            resource,
            format!(
                "key policy {} allows `{action}` to principal `*` without conditions",
                s.label()
            ),
        ),
        None => Outcome::pass(
            resource,
            format!(
                "no key policy statement allows `kms:*` to principal `*` without conditions \
                 ({} statement{} read)",
                statements.len(),
                if statements.len() == 1 { "" } else { "s" }
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    const ACCOUNT: &str = "222222222222";

    fn outcome(policy: Option<serde_json::Value>) -> Outcome {
        let mut a = account(ACCOUNT, Some("prod"));
        a.kms_keys = vec![kms_key(ACCOUNT, "k1", policy)];
        let mut out = evaluate(&KmsKeyPolicyNoWildcardPrincipal, &snapshot(vec![a]));
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].resource.resource_type, ResourceType::KmsKey);
        out.remove(0)
    }

    fn root_statement() -> serde_json::Value {
        json!({"Sid": "EnableIAM", "Effect": "Allow",
               "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
               "Action": "kms:*", "Resource": "*"})
    }

    #[test]
    fn wildcard_grant_without_condition_fails() {
        for principal in [
            json!("*"),
            json!({"AWS": "*"}),
            json!({"AWS": ["arn:aws:iam::1:root", "*"]}),
        ] {
            let policy = json!({"Version": "2012-10-17", "Statement": [
                root_statement(),
                {"Sid": "AllowAll", "Effect": "Allow", "Principal": principal,
                 "Action": ["kms:Decrypt", "KMS:*"], "Resource": "*"}
            ]});
            assert_outcome(
                &outcome(Some(policy)),
                Status::Fail,
                &["key policy statement 2 (`Sid` `AllowAll`) allows `KMS:*` to principal `*` without conditions"],
            );
        }
    }

    #[test]
    fn single_statement_object_and_empty_condition_fail() {
        let policy = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
                                          "Resource": "*", "Condition": {}}});
        assert_outcome(
            &outcome(Some(policy)),
            Status::Fail,
            &["statement 1 allows `*` to principal `*`"],
        );
    }

    #[test]
    fn named_principals_conditions_and_denies_pass() {
        let policy = json!({"Statement": [
            root_statement(),
            {"Sid": "OrgOnly", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*",
             "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-test"}}},
            {"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"},
            {"Sid": "DecryptOnly", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
        ]});
        assert_outcome(
            &outcome(Some(policy)),
            Status::Pass,
            &["no key policy statement allows", "(4 statements read)"],
        );
    }

    #[test]
    fn string_encoded_policy_is_read() {
        let text = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}"#;
        assert_outcome(
            &outcome(Some(json!(text))),
            Status::Fail,
            &["statement 1 allows `kms:*`"],
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
    fn malformed_policy_is_unknown() {
        assert_outcome(
            &outcome(Some(json!({"Version": "2012-10-17"}))),
            Status::Unknown,
            &["malformed key policy", "no `Statement`"],
        );
        assert_outcome(
            &outcome(Some(json!(["not", "an", "object"]))),
            Status::Unknown,
            &["not a JSON object"],
        );
    }
}
