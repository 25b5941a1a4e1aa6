//! `iam-oidc-trust-unscoped`: roles trusted by an OIDC provider (GitHub Actions, EKS,
//! GitLab, …) are limited to the expected subjects.

use super::access_probe::{self, Probe};
use super::NativeRule;
use crate::model::{Account, IamRole, Read, ResourceRef, ResourceType, Service};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};
use rampart_iam::{Effect, Policy, PrincipalMatch, RequestContext};

const ACTION: &str = "sts:AssumeRoleWithWebIdentity";

/// The GitHub Actions token issuer (GitHub Enterprise Cloud adds `/<enterprise>`).
const GITHUB: &str = "token.actions.githubusercontent.com";

/// A subject no real trust should accept: a repository of an unrelated organization for
/// GitHub, an arbitrary string for other providers.
const GITHUB_PROBE_SUBJECT: &str = "repo:rampart-probe-org/rampart-probe-repo:ref:refs/heads/main";
const PROBE_SUBJECT: &str = "rampart-probe:unrelated-subject";

const DOC: &str = r#"## What it checks

For every IAM role whose trust policy allows `sts:AssumeRoleWithWebIdentity` to an OIDC
identity provider (`"Federated": "arn:aws:iam::ACCOUNT:oidc-provider/HOST"`), whether the
trust limits the token's subject with a condition on the provider's `sub` key
(`HOST:sub`, e.g. `token.actions.githubusercontent.com:sub`). The role fails when:

- a token with an unrelated subject would be accepted: there is no `sub` condition, or
  it matches anything (`*`, `repo:*`). The trust policy is evaluated with rampart's IAM
  evaluator for such a token, other conditions (`aud`, …) being taken as satisfied,
  since whoever controls a token of the provider also controls those claims;
- for GitHub Actions, a `StringLike` value of the `sub` condition has a wildcard in its
  repository part, the `ORG/REPO` of `repo:ORG/REPO:…` (`repo:org/*:*`,
  `repo:org/app-*:*`): any repository of the organization, including ones created later
  by any member, could assume the role. A wildcard after the repository
  (`repo:org/app:*`, any branch, tag or environment of that repository) passes.

Roles with no web-identity trust from an OIDC provider have no outcome, nor do public
identity providers named without an ARN (`cognito-identity.amazonaws.com`,
`accounts.google.com`). A trust policy that does not parse is unknown.

## Why it matters

The IAM User Guide ("Creating a role for web identity or OpenID Connect Federation",
"Configuring a role for GitHub OIDC identity provider") says that without a `sub`
condition "any GitHub user or repository could assume the role", and to limit
`token.actions.githubusercontent.com:sub` to your organization and repository, with
`StringLike` wildcards only where needed. GitHub's "Security hardening your deployments"
guide recommends scoping the trust to a repository and, for deployments, an environment
or branch. Tokens of a shared issuer (GitHub, GitLab.com, Terraform Cloud) are available
to anyone with an account there, so an unscoped trust gives the role to the internet.

## How to fix

Add a `sub` condition naming the repository, and the branch or environment that deploys:
`"StringEquals": {"token.actions.githubusercontent.com:sub":
"repo:my-org/my-app:environment:production"}` (or `StringLike` with
`repo:my-org/my-app:*`), keep `"token.actions.githubusercontent.com:aud":
"sts.amazonaws.com"`, and apply it with `aws iam update-assume-role-policy`. For EKS, name
the service account: `"oidc.eks.REGION.amazonaws.com/id/ID:sub":
"system:serviceaccount:NAMESPACE:NAME"`.

## Example

Failing (any repository of `my-org`):

```json
{"Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}}]}
```

Passing: the same with `"repo:my-org/my-app:ref:refs/heads/main"`.
"#;

/// The rule `iam-oidc-trust-unscoped`.
pub struct IamOidcTrustUnscoped;

impl NativeRule for IamOidcTrustUnscoped {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "iam-oidc-trust-unscoped".to_owned(),
            title: "Roles trusted by an OIDC provider are limited to the expected subjects"
                .to_owned(),
            area: Area::IamWorkloads,
            severity: Severity::High,
            remediation: "Add a condition on the provider's `sub` key naming the repository \
                (and branch or environment) or service account that may assume the role, \
                without wildcards in the repository name."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::IamRole],
            reads: vec![Read::Service(Service::Iam)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        let management = cx.snapshot.organization.management_account_id.as_str();
        out.extend(
            account
                .iam
                .roles
                .iter()
                .filter(|r| !r.service_linked)
                .filter_map(|r| assess(r, management)),
        );
    }
}

/// An OIDC provider named in a trust policy.
struct Provider<'a> {
    arn: &'a str,
    /// `HOST[/PATH]`: the prefix of the provider's condition keys.
    issuer: &'a str,
    account: &'a str,
}

impl Provider<'_> {
    fn sub_key(&self) -> String {
        format!("{}:sub", self.issuer)
    }
    fn is_github(&self) -> bool {
        self.issuer == GITHUB || self.issuer.starts_with(&format!("{GITHUB}/"))
    }
}

fn providers<'a>(trust: &'a Policy, role: &'a IamRole) -> Vec<Provider<'a>> {
    let mut found: Vec<Provider<'a>> = Vec::new();
    for s in trust
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let Some(PrincipalMatch::Principal(p)) = &s.principal else {
            continue;
        };
        for arn in &p.federated {
            let Some((head, issuer)) = arn.split_once(":oidc-provider/") else {
                continue;
            };
            if found.iter().any(|f| f.arn == arn) {
                continue;
            }
            let account = head
                .rsplit(':')
                .next()
                .filter(|a| !a.is_empty())
                .unwrap_or(&role.account_id);
            found.push(Provider {
                arn,
                issuer,
                account,
            });
        }
    }
    found
}

fn assess(role: &IamRole, management: &str) -> Option<Outcome> {
    let resource = ResourceKey::of(ResourceRef::of(role));
    let trust = match access_probe::policy("trust policy", &role.trust_policy) {
        Ok(p) => p,
        Err(e) => return Some(Outcome::unknown(resource, e)),
    };
    let probe = Probe::new(ACTION, &role.arn, &role.account_id, management);
    let unconditioned = access_probe::keep_allow_conditions(trust, |_| false);
    let none = RequestContext::new();
    let trusted: Vec<Provider<'_>> = providers(trust, role)
        .into_iter()
        .filter(|p| probe.allows(&unconditioned, p.arn, p.account, &none))
        .collect();
    if trusted.is_empty() {
        return None;
    }

    let mut problems = Vec::new();
    let mut scopes = Vec::new();
    for provider in &trusted {
        let key = provider.sub_key().to_ascii_lowercase();
        let sub_only = access_probe::keep_allow_conditions(trust, |k| k == key);
        let subject = if provider.is_github() {
            GITHUB_PROBE_SUBJECT
        } else {
            PROBE_SUBJECT
        };
        let token = RequestContext::new().with(&provider.sub_key(), subject);
        if probe.allows(&sub_only, provider.arn, provider.account, &token) {
            problems.push(format!(
                "`{}` can assume it with any subject: no `{}` condition limits the token",
                provider.issuer,
                provider.sub_key()
            ));
            continue;
        }
        let values = sub_values(trust, provider, &probe, &key);
        let wide: Vec<&str> = values
            .iter()
            .filter(|(op, v)| provider.is_github() && op == "StringLike" && repo_wildcard(v))
            .map(|(_, v)| v.as_str())
            .collect();
        if wide.is_empty() {
            let shown: Vec<String> = values.iter().map(|(_, v)| format!("`{v}`")).collect();
            scopes.push(format!(
                "`{}` limited by `{}` to {}",
                provider.issuer,
                provider.sub_key(),
                if shown.is_empty() {
                    "subjects the policy names".to_owned()
                } else {
                    shown.join(", ")
                }
            ));
        } else {
            let shown: Vec<String> = wide.iter().map(|v| format!("`{v}`")).collect();
            problems.push(format!(
                "`{}` subject {} matches any repository of the organization (wildcard in the \
                 repository name)",
                provider.sub_key(),
                shown.join(", ")
            ));
        }
    }
    Some(if problems.is_empty() {
        Outcome::pass(
            resource,
            format!("web identity trust is scoped: {}", scopes.join("; ")),
        )
    } else {
        Outcome::fail(
            resource,
            format!("web identity trust is not scoped: {}", problems.join("; ")),
        )
    })
}

/// The (operator, value) pairs of `sub` conditions in the `Allow` statements that trust
/// the provider for web identity.
fn sub_values(
    trust: &Policy,
    provider: &Provider<'_>,
    probe: &Probe<'_>,
    key: &str,
) -> Vec<(String, String)> {
    let none = RequestContext::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for s in trust
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        // Whether this statement alone, its conditions aside, trusts the provider.
        let alone = Policy {
            version: trust.version.clone(),
            id: None,
            statements: vec![s.clone()],
        };
        let alone = access_probe::keep_allow_conditions(&alone, |_| false);
        if !probe.allows(&alone, provider.arn, provider.account, &none) {
            continue;
        }
        for c in &s.conditions {
            if c.key.to_ascii_lowercase() != key || c.operator.base.contains("Not") {
                continue;
            }
            for v in &c.values {
                let pair = (c.operator.base.clone(), v.clone());
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
        }
    }
    out
}

/// Whether a GitHub subject pattern has a wildcard in its `ORG/REPO` part.
fn repo_wildcard(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("repo:") else {
        return false;
    };
    let repo = rest.split(':').next().unwrap_or(rest);
    repo.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::rules::native::iam_trust_cross_account_unconditioned::tests::{role, OWN};
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    fn github() -> String {
        format!("arn:aws:iam::{OWN}:oidc-provider/{GITHUB}")
    }

    fn web_trust(provider: &str, condition: Option<Value>) -> Value {
        let mut s = json!({"Effect": "Allow", "Principal": {"Federated": provider},
                           "Action": "sts:AssumeRoleWithWebIdentity"});
        if let Some(c) = condition {
            s["Condition"] = c;
        }
        json!({"Version": "2012-10-17", "Statement": [s]})
    }

    fn outcomes(trust: Value) -> Vec<Outcome> {
        let mut a = account(OWN, Some("prod"));
        a.iam.roles = vec![role(OWN, "ci", trust)];
        evaluate(&IamOidcTrustUnscoped, &snapshot(vec![a]))
    }

    fn outcome(trust: Value) -> Outcome {
        let mut out = outcomes(trust);
        assert_eq!(out.len(), 1, "{out:#?}");
        out.remove(0)
    }

    fn sub(op: &str, value: Value) -> Value {
        json!({op: {"token.actions.githubusercontent.com:sub": value,
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})
    }

    #[test]
    fn missing_or_open_subject_fails() {
        let aud_only = json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}});
        for condition in [
            None,
            Some(aud_only),
            Some(sub("StringLike", json!("*"))),
            Some(sub("StringLike", json!("repo:*"))),
        ] {
            assert_outcome(
                &outcome(web_trust(&github(), condition)),
                Status::Fail,
                &["`token.actions.githubusercontent.com` can assume it with any subject"],
            );
        }
    }

    #[test]
    fn wildcard_in_the_repository_fails() {
        for value in [
            "repo:my-org/*",
            "repo:my-org/*:*",
            "repo:my-org/app-*:ref:refs/heads/main",
        ] {
            assert_outcome(
                &outcome(web_trust(&github(), Some(sub("StringLike", json!(value))))),
                Status::Fail,
                &["matches any repository of the organization", value],
            );
        }
        // One wide value among narrow ones is enough.
        let values = json!(["repo:my-org/app:ref:refs/heads/main", "repo:my-org/*"]);
        assert_outcome(
            &outcome(web_trust(&github(), Some(sub("StringLike", values)))),
            Status::Fail,
            &["`repo:my-org/*`"],
        );
    }

    #[test]
    fn repository_scoped_subjects_pass() {
        for (op, value) in [
            ("StringLike", "repo:my-org/app:*"),
            ("StringEquals", "repo:my-org/app:environment:production"),
            ("StringLike", "repo:my-org/app:ref:refs/heads/release-*"),
        ] {
            assert_outcome(
                &outcome(web_trust(&github(), Some(sub(op, json!(value))))),
                Status::Pass,
                &["web identity trust is scoped", value],
            );
        }
    }

    #[test]
    fn other_providers_need_a_sub_condition() {
        let eks =
            format!("arn:aws:iam::{OWN}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC");
        assert_outcome(
            &outcome(web_trust(&eks, None)),
            Status::Fail,
            &["`oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub`"],
        );
        let scoped = json!({"StringEquals": {
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:app:api"}});
        assert_outcome(
            &outcome(web_trust(&eks, Some(scoped))),
            Status::Pass,
            &["`system:serviceaccount:app:api`"],
        );
    }

    #[test]
    fn roles_without_web_identity_trust_have_no_outcome() {
        let plain = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        assert!(outcomes(plain).is_empty());
        // The provider named only for another action.
        let other = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Federated": github()}, "Action": "sts:TagSession"}]});
        assert!(outcomes(other).is_empty());
        let cognito = web_trust("cognito-identity.amazonaws.com", None);
        assert!(outcomes(cognito).is_empty());
    }

    #[test]
    fn malformed_trust_is_unknown() {
        assert_outcome(
            &outcome(json!("not json")),
            Status::Unknown,
            &["trust policy does not parse"],
        );
    }
}
