//! "Who can assume this role?" for the operating-model rules: the role's trust policy put
//! to the IAM evaluator (through [`access_probe::Probe`]) for principals of the
//! organization's accounts — generic ones, the ones the policy names, and the kinds of
//! principal a person signs in as — and for the account's SAML providers.
//!
//! Conditions of `Allow` statements on anything but the caller's identity are taken as
//! satisfiable ([`access_probe::keep_caller_conditions`]): an MFA or source-IP condition
//! narrows when a principal may assume the role, not who may.

use super::access_probe::{self, Probe};
use crate::model::IamRole;
use crate::rules::RuleContext;
use rampart_iam::{Policy, PrincipalMatch, RequestContext};

/// A person's IAM user, for accounts where the policy names none.
const PROBE_USER: &str = "user/rampart-probe-person";
/// An IAM Identity Center permission-set role: how people sign in to member accounts.
const PROBE_SSO_ROLE: &str =
    "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_rampart-probe_0000000000000000";

/// Someone who can assume a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assumer {
    /// The caller's account (or the role's, for a SAML provider).
    pub account: String,
    /// How messages name it: `any principal`, a principal's ARN, a SAML provider.
    pub who: String,
}

/// A role's trust policy, ready for questions.
pub(crate) struct RoleAssumers<'a> {
    cx: &'a RuleContext<'a>,
    role: &'a IamRole,
    trust: Policy,
    /// The accounts the trust policy can admit (`None`: any).
    admitted: Option<std::collections::BTreeSet<String>>,
    assume: Probe<'a>,
    saml: Probe<'a>,
}

impl<'a> RoleAssumers<'a> {
    /// The questions for `role`; `Err` is the message of an `unknown` outcome (the trust
    /// policy does not parse).
    pub(crate) fn new(cx: &'a RuleContext<'a>, role: &'a IamRole) -> Result<Self, String> {
        let trust = access_probe::policy("trust policy", &role.trust_policy)?;
        let management = &cx.snapshot.organization.management_account_id;
        Ok(RoleAssumers {
            cx,
            role,
            admitted: access_probe::admitted_accounts(trust),
            trust: access_probe::keep_caller_conditions(trust),
            assume: Probe::new("sts:AssumeRole", &role.arn, &role.account_id, management),
            saml: Probe::new(
                "sts:AssumeRoleWithSAML",
                &role.arn,
                &role.account_id,
                management,
            ),
        })
    }

    fn partition(&self) -> &str {
        access_probe::partition(&self.role.arn)
    }

    fn first(&self, account: &str, principals: &[String]) -> Option<Assumer> {
        if !self.may_admit(account) {
            return None;
        }
        let context = access_probe::organization_context(self.cx.snapshot, self.cx.facts, account);
        self.assume
            .first_allowed(&self.trust, principals, account, &context)
            .map(|p| Assumer {
                account: account.to_owned(),
                who: access_probe::who(p),
            })
    }

    /// Whether the trust policy can admit a principal of `account` at all: when it cannot,
    /// [`Self::in_account`] is `None` without asking.
    pub(crate) fn may_admit(&self, account: &str) -> bool {
        self.admitted.as_ref().is_none_or(|a| a.contains(account))
    }

    /// The first principal of `account` (generic, or named by the policy) that can assume
    /// the role (`sts:AssumeRole`).
    pub(crate) fn in_account(&self, account: &str) -> Option<Assumer> {
        let principals = access_probe::probe_principals(&self.trust, account, self.partition());
        self.first(account, &principals)
    }

    /// The first principal of any organization account that can assume the role, or the
    /// first of the account's SAML providers that can federate into it.
    pub(crate) fn anyone(&self) -> Option<Assumer> {
        access_probe::organization_accounts(self.cx.facts)
            .iter()
            .find_map(|a| self.in_account(a))
            .or_else(|| self.saml_provider())
    }

    /// The first person who can assume the role: an IAM user or an IAM Identity Center
    /// role of an organization account (generic, or named by the policy), or a SAML
    /// provider of the role's account (workforce federation).
    pub(crate) fn person(&self) -> Option<Assumer> {
        let partition = self.partition().to_owned();
        access_probe::organization_accounts(self.cx.facts)
            .iter()
            .find_map(|account| {
                let named = access_probe::probe_principals(&self.trust, account, &partition);
                let people: Vec<String> = [PROBE_USER, PROBE_SSO_ROLE]
                    .iter()
                    .map(|p| format!("arn:{partition}:iam::{account}:{p}"))
                    .chain(named.into_iter().filter(|arn| is_person(arn)))
                    .collect();
                self.first(account, &people)
            })
            .map(|mut a| {
                a.who = person_label(&a.who);
                a
            })
            .or_else(|| self.saml_provider())
    }

    /// The first SAML provider that can federate into the role: the role account's
    /// providers, and those the policy names (IAM Identity Center's
    /// `AWSSSO_…_DO_NOT_DELETE` provider is not always listed).
    fn saml_provider(&self) -> Option<Assumer> {
        let account = &self.role.account_id;
        let snapshot = self.cx.snapshot;
        let listed = self
            .cx
            .facts
            .organization()
            .index_of(account)
            .map(|i| &snapshot.accounts[i])
            .into_iter()
            .flat_map(|a| a.iam.saml_providers.iter().map(|p| p.arn.clone()));
        let named = self
            .trust
            .statements
            .iter()
            .filter_map(|s| match &s.principal {
                Some(PrincipalMatch::Principal(p)) => Some(p.federated.iter()),
                _ => None,
            })
            .flatten()
            .filter(|arn| {
                arn.contains(":saml-provider/")
                    && access_probe::account_of(arn) == Some(account.as_str())
            })
            .cloned();
        let mut providers: Vec<String> = listed.chain(named).collect();
        providers.sort();
        providers.dedup();
        let none = RequestContext::new();
        providers
            .into_iter()
            .find(|p| self.saml.allows(&self.trust, p, account, &none))
            .map(|p| Assumer {
                account: account.clone(),
                who: format!(
                    "people federated through SAML provider `{}`",
                    p.rsplit('/').next().unwrap_or(&p)
                ),
            })
    }
}

/// Whether a principal ARN is one people sign in as: an IAM user, or an IAM Identity
/// Center permission-set role.
fn is_person(arn: &str) -> bool {
    arn.contains(":user/") || arn.contains("AWSReservedSSO_")
}

/// The generic probes by what they stand for; principals the policy names by their ARN.
fn person_label(who: &str) -> String {
    if who.contains(PROBE_USER) {
        "any IAM user".to_owned()
    } else if who.contains(PROBE_SSO_ROLE) {
        "any IAM Identity Center (SSO) user".to_owned()
    } else {
        who.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SamlProvider;
    use crate::rules::native::iam_trust_cross_account_unconditioned::tests::{role, trust};
    use crate::rules::native::test_support::*;
    use serde_json::json;

    const OWN: &str = "222222222222";
    const BUILD: &str = "444444444444";

    fn ask(
        trust_policy: serde_json::Value,
        f: impl Fn(&RoleAssumers<'_>) -> Option<Assumer>,
    ) -> Option<String> {
        let r = role(OWN, "deploy", trust_policy);
        let mut own = account(OWN, Some("prod"));
        own.iam.saml_providers = vec![SamlProvider {
            arn: format!("arn:aws:iam::{OWN}:saml-provider/Okta"),
            account_id: OWN.to_owned(),
            region: "global".to_owned(),
            tags: Default::default(),
            source: api("iam:ListSAMLProviders"),
            name: "Okta".to_owned(),
            valid_until: None,
        }];
        own.iam.roles = vec![r];
        let s = snapshot(vec![own, account(BUILD, Some("builder"))]);
        let facts = crate::facts::Facts::derive(&s, &parameters());
        let cx = RuleContext {
            snapshot: &s,
            facts: &facts,
            now: now(),
        };
        let assumers = RoleAssumers::new(&cx, &s.accounts[0].iam.roles[0]).ok()?;
        f(&assumers).map(|a| format!("{} {}", a.account, a.who))
    }

    #[test]
    fn a_pipeline_role_is_no_person() {
        let pipeline = trust(
            json!({"AWS": format!("arn:aws:iam::{BUILD}:role/pipeline")}),
            None,
        );
        assert_eq!(ask(pipeline.clone(), |a| a.person()), None);
        assert_eq!(
            ask(pipeline, |a| a.anyone()).as_deref(),
            Some("444444444444 `arn:aws:iam::444444444444:role/pipeline`")
        );
    }

    #[test]
    fn account_trust_admits_users_and_sso_unless_the_arn_is_pinned() {
        let root = trust(json!({"AWS": format!("arn:aws:iam::{BUILD}:root")}), None);
        assert_eq!(
            ask(root, |a| a.person()).as_deref(),
            Some("444444444444 any IAM user")
        );
        let not_users =
            json!({"ArnNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::{BUILD}:user/*")}});
        let root = trust(
            json!({"AWS": format!("arn:aws:iam::{BUILD}:root")}),
            Some(not_users),
        );
        assert_eq!(
            ask(root, |a| a.person()).as_deref(),
            Some("444444444444 any IAM Identity Center (SSO) user")
        );
        let pinned = json!({"ArnEquals": {"aws:PrincipalArn": format!("arn:aws:iam::{BUILD}:role/pipeline")}});
        let root = trust(
            json!({"AWS": format!("arn:aws:iam::{BUILD}:root")}),
            Some(pinned),
        );
        assert_eq!(ask(root, |a| a.person()), None);
    }

    #[test]
    fn saml_federation_is_people() {
        let saml = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{OWN}:saml-provider/Okta")},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
        }]});
        assert_eq!(
            ask(saml, |a| a.person()).as_deref(),
            Some("222222222222 people federated through SAML provider `Okta`")
        );
    }
}
