//! `cloudtrail-multi-region`: every active account is covered by a multi-region trail that
//! is logging and validates its log files.

use std::collections::BTreeMap;

use super::NativeRule;
use crate::model::{
    Account, AccountStatus, CloudTrailTrail, Read, ResourceRef, ResourceType, Service,
};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

const DOC: &str = r#"## What it checks

For every active account, whether a CloudTrail trail records its activity in every
region with integrity protection: a trail that is multi-region, is logging, and has log
file validation on. Either the account's own trail or an organization trail meets it (an
organization trail, created in the management or delegated administrator account, logs
every member account). Otherwise the account fails, with what is missing: no trail at
all, a trail that is not logging, single-region, or without log file validation.

If no such trail was found and CloudTrail data of the account (or of the management
account, where organization trails live) could not be read, the outcome is unknown.
Suspended and closing accounts are not assessed.

## Why it matters

The AWS Security Reference Architecture logs every account of the organization with an
organization trail delivered to the Log Archive account, and the AWS CloudTrail User
Guide ("Security best practices in AWS CloudTrail") recommends a multi-Region trail so
that activity in Regions you do not use is recorded too, and log file integrity
validation so that tampering with delivered logs can be detected. AWS Security Hub checks
these as controls CloudTrail.1 ("CloudTrail should be enabled and configured with at
least one multi-Region trail") and CloudTrail.4 ("CloudTrail log file validation should
be enabled"). Without them, incident response has no reliable record of who did what.

## How to fix

Create an organization trail from the management account (or the CloudTrail delegated
administrator): `aws cloudtrail create-trail --name org-trail --s3-bucket-name BUCKET
--is-organization-trail --is-multi-region-trail --enable-log-file-validation`, then
`aws cloudtrail start-logging --name org-trail`. AWS Control Tower sets one up for
enrolled accounts. For an existing trail, run `aws cloudtrail update-trail` with
`--is-multi-region-trail --enable-log-file-validation` and `start-logging` if it is
stopped.

## Example

Failing: account `222222222222` has one trail, `local`, in `us-east-1` only, and the
organization has no organization trail.

Passing: the management account has `org-trail`, an organization trail that is
multi-region, logging and validating log files; it covers every member account.
"#;

/// The rule `cloudtrail-multi-region`.
pub struct CloudTrailMultiRegion;

impl NativeRule for CloudTrailMultiRegion {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "cloudtrail-multi-region".to_owned(),
            title: "Every active account is logged by a multi-region CloudTrail trail with log file validation".to_owned(),
            area: Area::Baseline,
            severity: Severity::High,
            remediation: "Create an organization trail that is multi-region and has log file \
                validation on, and make sure it is logging (`aws cloudtrail create-trail \
                --is-organization-trail --is-multi-region-trail --enable-log-file-validation`, \
                then `start-logging`)."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::Account],
            reads: vec![Read::Service(Service::Cloudtrail)],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        if account.status != AccountStatus::Active {
            return;
        }
        let resource = ResourceKey::of(ResourceRef::of(account));
        let own = &account.logging.cloudtrail_trails;
        if let Some(t) = own.iter().find(|t| missing(t).is_empty()) {
            let kind = if t.is_organization_trail {
                "organization trail"
            } else {
                "trail"
            };
            out.push(Outcome::pass(
                resource,
                format!(
                    "{kind} `{}` (`{}`) is multi-region, logging and validates log files",
                    t.name, t.arn
                ),
            ));
            return;
        }
        let org_trails = || {
            cx.snapshot
                .accounts
                .iter()
                .flat_map(|a| &a.logging.cloudtrail_trails)
                .filter(|t| t.is_organization_trail)
        };
        if let Some(t) = org_trails().find(|t| missing(t).is_empty()) {
            out.push(Outcome::pass(
                resource,
                format!(
                    "organization trail `{}` of account `{}` (`{}`) covers the account: it is \
                     multi-region, logging and validates log files",
                    t.name, t.account_id, t.arn
                ),
            ));
            return;
        }

        // Nothing complete: say what each trail that could cover the account lacks. An
        // organization trail also shows in member accounts, hence the map by ARN.
        let candidates: BTreeMap<&str, &CloudTrailTrail> = own
            .iter()
            .chain(org_trails())
            .map(|t| (t.arn.as_str(), t))
            .collect();
        let problem = if candidates.is_empty() {
            "no CloudTrail trail: the account has no trail and the organization has no \
             organization trail"
                .to_owned()
        } else {
            let described: Vec<String> = candidates
                .values()
                .map(|t| {
                    let kind = if t.is_organization_trail {
                        "organization trail"
                    } else {
                        "trail"
                    };
                    format!("{kind} `{}` {}", t.name, missing(t).join(", "))
                })
                .collect();
            format!(
                "no trail is multi-region, logging and validating log files: {}",
                described.join("; ")
            )
        };
        let management = cx.snapshot.organization.management_account_id.as_str();
        let gap = cx.snapshot.coverage.iter().find(|g| {
            g.service == Service::Cloudtrail
                && (g.account_id == "*" || g.account_id == account.id || g.account_id == management)
        });
        out.push(match gap {
            Some(g) => Outcome::unknown(
                resource,
                format!(
                    "{problem}, but CloudTrail data of account `{}` region `{}` could not be \
                     read ({})",
                    g.account_id, g.region, g.reason
                ),
            ),
            None => Outcome::fail(resource, problem),
        });
    }
}

/// What a trail lacks to count, as phrases; empty when it counts.
fn missing(t: &CloudTrailTrail) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !t.is_multi_region {
        out.push("is single-region");
    }
    if !t.is_logging {
        out.push("is not logging");
    }
    if !t.log_file_validation {
        out.push("has log file validation off");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CoverageGap;
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    const MEMBER: &str = "222222222222";

    fn arn(id: &str) -> String {
        format!("arn:aws:organizations::{MGMT}:account/{ORG_ID}/{id}")
    }

    #[test]
    fn account_without_any_trail_fails() {
        let out = evaluate(
            &CloudTrailMultiRegion,
            &snapshot(vec![account(MEMBER, Some("prod"))]),
        );
        assert_eq!(out.len(), 1);
        assert_outcome(
            &out[0],
            Status::Fail,
            &["no CloudTrail trail", "no organization trail"],
        );
        assert_eq!(out[0].resource.resource_type, ResourceType::Account);
        assert_eq!(out[0].resource.arn, arn(MEMBER));
    }

    #[test]
    fn incomplete_trails_fail_saying_what_is_missing() {
        let mut a = account(MEMBER, Some("prod"));
        let mut local = trail(MEMBER, "local");
        local.is_multi_region = false;
        local.log_file_validation = false;
        let mut stopped = trail(MEMBER, "stopped");
        stopped.is_logging = false;
        a.logging.cloudtrail_trails = vec![local, stopped];
        let out = evaluate(&CloudTrailMultiRegion, &snapshot(vec![a]));
        assert_outcome(
            &out[0],
            Status::Fail,
            &[
                "trail `local` is single-region, has log file validation off",
                "trail `stopped` is not logging",
            ],
        );
    }

    #[test]
    fn own_complete_trail_passes() {
        let mut a = account(MEMBER, Some("prod"));
        a.logging.cloudtrail_trails = vec![trail(MEMBER, "main")];
        let out = evaluate(&CloudTrailMultiRegion, &snapshot(vec![a]));
        assert_outcome(
            &out[0],
            Status::Pass,
            &["trail `main`", "multi-region, logging"],
        );
    }

    #[test]
    fn organization_trail_in_the_management_account_covers_members() {
        let mut mgmt = account(MGMT, None);
        let mut org_trail = trail(MGMT, "org-trail");
        org_trail.is_organization_trail = true;
        mgmt.logging.cloudtrail_trails = vec![org_trail];
        let members = (2..=3).map(|n| account(&n.to_string().repeat(12), Some("dev")));
        let accounts: Vec<Account> = std::iter::once(mgmt).chain(members).collect();
        let out = evaluate(&CloudTrailMultiRegion, &snapshot(accounts));
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|o| o.status == Status::Pass), "{out:#?}");
        assert_outcome(
            outcome_for(&out, &arn("333333333333")),
            Status::Pass,
            &["organization trail `org-trail` of account `111111111111`"],
        );
    }

    #[test]
    fn a_non_organization_trail_elsewhere_does_not_count() {
        let mut mgmt = account(MGMT, None);
        mgmt.logging.cloudtrail_trails = vec![trail(MGMT, "mgmt-only")];
        let out = evaluate(
            &CloudTrailMultiRegion,
            &snapshot(vec![mgmt, account(MEMBER, None)]),
        );
        assert_outcome(
            outcome_for(&out, &arn(MGMT)),
            Status::Pass,
            &["`mgmt-only`"],
        );
        assert_outcome(
            outcome_for(&out, &arn(MEMBER)),
            Status::Fail,
            &["no CloudTrail trail"],
        );
    }

    #[test]
    fn unread_cloudtrail_data_makes_a_failure_unknown() {
        let mut s = snapshot(vec![account(MEMBER, Some("prod"))]);
        s.coverage.push(CoverageGap {
            account_id: MEMBER.to_owned(),
            region: "eu-west-1".to_owned(),
            service: crate::model::Service::Cloudtrail,
            reason: "AccessDenied: cloudtrail:DescribeTrails".to_owned(),
            resource: None,
            operation: None,
        });
        let out = evaluate(&CloudTrailMultiRegion, &s);
        assert_outcome(
            &out[0],
            Status::Unknown,
            &["could not be read", "AccessDenied"],
        );
    }

    #[test]
    fn suspended_accounts_are_not_assessed() {
        let mut a = account(MEMBER, Some("prod"));
        a.status = AccountStatus::Suspended;
        assert!(evaluate(&CloudTrailMultiRegion, &snapshot(vec![a])).is_empty());
    }
}
