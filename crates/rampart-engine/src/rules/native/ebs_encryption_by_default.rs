//! `ebs-encryption-by-default`: every enabled region of a pre-production or production
//! account encrypts new EBS volumes by default.

use std::collections::BTreeSet;

use super::NativeRule;
use crate::model::{Account, Operation, Read, ResourceRef, ResourceType};
use crate::rules::{Area, Outcome, ResourceKey, RuleContext, RuleKind, RuleMeta, Severity};

/// The environments this rule applies to.
const ENVIRONMENTS: [&str; 2] = ["preprod", "prod"];

const DOC: &str = r#"## What it checks

For every account whose environment is `preprod` or `prod`, and for every region enabled
in that account, that EBS encryption by default is turned on. A region whose setting was
not read is reported as unknown, as is an account whose enabled regions could not be read.
Accounts of other environments are not assessed.

## Why it matters

The AWS Security Reference Architecture and the Amazon EBS User Guide ("Encryption by
default") recommend turning on encryption by default in every Region so that every new
volume and snapshot copy is encrypted, whoever creates it and however it is created. The
setting is per account and per Region: a Region left off (often one enabled later) is
where unencrypted volumes appear. AWS Security Hub checks the same setting as control
EC2.7 ("EBS default encryption should be enabled").

## How to fix

In each enabled Region of the account, run
`aws ec2 enable-ebs-encryption-by-default --region REGION` (optionally with
`aws ec2 modify-ebs-default-kms-key-id` to use a customer managed key), or set it
organization-wide with an AWS Control Tower control or a declarative policy. Existing
unencrypted volumes are not changed: copy their snapshots with encryption and replace them.

## Example

Failing: account `222222222222` (environment `prod`) has `eu-west-1` enabled and
`GetEbsEncryptionByDefault` returns `false` there.

Passing: the same account returns `true` in every enabled Region.
"#;

/// The rule `ebs-encryption-by-default`.
pub struct EbsEncryptionByDefault;

impl NativeRule for EbsEncryptionByDefault {
    fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: "ebs-encryption-by-default".to_owned(),
            title: "EBS encryption by default is on in every enabled region of pre-production and production accounts".to_owned(),
            area: Area::EncryptionAtRest,
            severity: Severity::High,
            remediation: "Turn on EBS encryption by default in every enabled region \
                (`aws ec2 enable-ebs-encryption-by-default --region REGION`), or enforce it \
                for the organization with a Control Tower control or a declarative policy."
                .to_owned(),
            doc: DOC.to_owned(),
            kind: RuleKind::Native,
            resource_types: vec![ResourceType::EbsEncryptionDefault, ResourceType::Account],
            reads: vec![
                Read::Operation(Operation::Ec2GetEbsEncryptionByDefault),
                Read::Operation(Operation::Ec2DescribeRegions),
            ],
            location: None,
        }
    }

    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>) {
        let Some(env) = cx.facts.environment(&account.id) else {
            return;
        };
        if !ENVIRONMENTS.contains(&env) {
            return;
        }
        let Some(regions) = &account.enabled_regions else {
            out.push(Outcome::unknown(
                ResourceKey::of(ResourceRef::of(account)),
                format!(
                    "enabled regions of `{env}` account `{}` could not be read: EBS \
                     encryption by default cannot be checked region by region",
                    account.id
                ),
            ));
            return;
        };
        let settings = &account.storage.ebs_encryption_defaults;
        let regions: BTreeSet<&str> = regions.iter().map(String::as_str).collect();
        for region in regions {
            let outcome = match settings.iter().find(|s| s.region == region) {
                Some(s) if s.enabled => {
                    let key = match &s.kms_key_arn {
                        Some(arn) => format!("key `{arn}`"),
                        None => "the AWS managed key `aws/ebs`".to_owned(),
                    };
                    Outcome::pass(
                        ResourceKey::of(ResourceRef::of(s)),
                        format!(
                            "new EBS volumes in `{region}` are encrypted by default with {key}"
                        ),
                    )
                }
                Some(s) => Outcome::fail(
                    ResourceKey::of(ResourceRef::of(s)),
                    format!(
                        "new EBS volumes in `{region}` of `{env}` account `{}` are not encrypted \
                         by default: EBS encryption by default is off",
                        account.id
                    ),
                ),
                None => Outcome::unknown(
                    ResourceKey {
                        arn: format!(
                            "arn:aws:ec2:{region}:{}:ebs-encryption-by-default",
                            account.id
                        ),
                        resource_type: ResourceType::EbsEncryptionDefault,
                        account_id: account.id.clone(),
                        region: region.to_owned(),
                        location: None,
                    },
                    format!(
                        "the EBS encryption-by-default setting was not read for enabled region \
                         `{region}` (`ec2:GetEbsEncryptionByDefault`)"
                    ),
                ),
            };
            out.push(outcome);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::native::test_support::*;
    use crate::rules::Status;

    fn ebs_arn(account: &str, region: &str) -> String {
        format!("arn:aws:ec2:{region}:{account}:ebs-encryption-by-default")
    }

    #[test]
    fn one_outcome_per_enabled_region_of_prod_accounts() {
        let mut prod = account("222222222222", Some("production"));
        prod.storage.ebs_encryption_defaults = vec![
            ebs_default("222222222222", "us-east-1", true),
            ebs_default("222222222222", "eu-west-1", false),
            // Not an enabled region: not assessed.
            ebs_default("222222222222", "ap-south-1", false),
        ];
        let out = evaluate(&EbsEncryptionByDefault, &snapshot(vec![prod]));
        assert_eq!(out.len(), 2, "{out:#?}");
        assert_outcome(
            outcome_for(&out, &ebs_arn("222222222222", "us-east-1")),
            Status::Pass,
            &["in `us-east-1` are encrypted by default", "`aws/ebs`"],
        );
        let fail = outcome_for(&out, &ebs_arn("222222222222", "eu-west-1"));
        assert_outcome(
            fail,
            Status::Fail,
            &[
                "is off",
                "in `eu-west-1` of `prod` account `222222222222` are not encrypted",
            ],
        );
        assert_eq!(
            fail.resource.resource_type,
            ResourceType::EbsEncryptionDefault
        );
        assert_eq!(fail.resource.region, "eu-west-1");
    }

    #[test]
    fn missing_region_setting_is_unknown_with_a_synthesized_key() {
        let mut preprod = account("333333333333", Some("preprod"));
        preprod.storage.ebs_encryption_defaults =
            vec![ebs_default("333333333333", "us-east-1", true)];
        let out = evaluate(&EbsEncryptionByDefault, &snapshot(vec![preprod]));
        let unknown = outcome_for(&out, &ebs_arn("333333333333", "eu-west-1"));
        assert_outcome(unknown, Status::Unknown, &["not read", "`eu-west-1`"]);
        assert_eq!(
            unknown.resource.resource_type,
            ResourceType::EbsEncryptionDefault
        );
        assert_eq!(unknown.resource.region, "eu-west-1");
        assert_eq!(unknown.resource.location, None);
    }

    #[test]
    fn unread_enabled_regions_make_the_account_unknown() {
        let mut prod = account("222222222222", Some("prod"));
        prod.enabled_regions = None;
        prod.storage.ebs_encryption_defaults = vec![ebs_default("222222222222", "us-east-1", true)];
        let out = evaluate(&EbsEncryptionByDefault, &snapshot(vec![prod.clone()]));
        assert_eq!(out.len(), 1);
        assert_outcome(
            &out[0],
            Status::Unknown,
            &["enabled regions", "could not be read"],
        );
        assert_eq!(out[0].resource.arn, prod.arn);
        assert_eq!(out[0].resource.resource_type, ResourceType::Account);
    }

    #[test]
    fn other_environments_are_not_assessed() {
        let mut dev = account("444444444444", Some("dev"));
        dev.storage.ebs_encryption_defaults = vec![ebs_default("444444444444", "us-east-1", false)];
        let unmapped = account("555555555555", None);
        let out = evaluate(&EbsEncryptionByDefault, &snapshot(vec![dev, unmapped]));
        assert!(out.is_empty(), "{out:#?}");
    }

    #[test]
    fn environment_from_the_ou_mapping_counts() {
        let mut prod = account("666666666666", None);
        prod.parent_id = PROD_OU.to_owned();
        prod.enabled_regions = Some(vec!["us-east-1".to_owned()]);
        prod.storage.ebs_encryption_defaults =
            vec![ebs_default("666666666666", "us-east-1", false)];
        let out = evaluate(&EbsEncryptionByDefault, &snapshot(vec![prod]));
        assert_eq!(out.len(), 1);
        assert_outcome(&out[0], Status::Fail, &["is off", "in `us-east-1`"]);
    }
}
