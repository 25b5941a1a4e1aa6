//! Native rules: Rust code for what Cedar cannot express well (policy-document analysis,
//! checks across regions or accounts). One rule per file, named after its id; each file
//! starts with the rule's documentation, which `rampart rules explain` prints.

mod access_probe;
mod account_environment_mapped;
mod cloudtrail_multi_region;
mod ebs_encryption_by_default;
mod iam_oidc_trust_unscoped;
mod iam_privilege_escalation;
mod iam_prod_role_assumable_from_nonprod;
mod iam_trust_cross_account_unconditioned;
mod iam_user_long_lived_keys;
mod kms_key_external_decrypt;
mod kms_key_policy_no_wildcard_principal;
mod s3_classified_secure_transport;
mod scp_guardrail_parity;
#[cfg(test)]
mod test_support;

pub use account_environment_mapped::AccountEnvironmentMapped;
pub use cloudtrail_multi_region::CloudTrailMultiRegion;
pub use ebs_encryption_by_default::EbsEncryptionByDefault;
pub use iam_oidc_trust_unscoped::IamOidcTrustUnscoped;
pub use iam_privilege_escalation::IamPrivilegeEscalation;
pub use iam_prod_role_assumable_from_nonprod::IamProdRoleAssumableFromNonprod;
pub use iam_trust_cross_account_unconditioned::IamTrustCrossAccountUnconditioned;
pub use iam_user_long_lived_keys::IamUserLongLivedKeys;
pub use kms_key_external_decrypt::KmsKeyExternalDecrypt;
pub use kms_key_policy_no_wildcard_principal::KmsKeyPolicyNoWildcardPrincipal;
pub use s3_classified_secure_transport::S3ClassifiedSecureTransport;
pub use scp_guardrail_parity::ScpGuardrailParity;

use super::{Outcome, RuleContext, RuleMeta};
use crate::model::Account;

/// A rule written in Rust.
pub trait NativeRule: Sync + Send {
    /// The rule's id, metadata and documentation.
    fn meta(&self) -> RuleMeta;

    /// Evaluates the rule over one account; the engine runs accounts in parallel.
    /// Emits one outcome per resource the rule applies to.
    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>);
}

/// Every native rule, sorted by id. The registry is this list: no inventory magic.
pub static NATIVE_RULES: &[&dyn NativeRule] = &[
    &AccountEnvironmentMapped,
    &CloudTrailMultiRegion,
    &EbsEncryptionByDefault,
    &IamOidcTrustUnscoped,
    &IamPrivilegeEscalation,
    &IamProdRoleAssumableFromNonprod,
    &IamTrustCrossAccountUnconditioned,
    &IamUserLongLivedKeys,
    &KmsKeyExternalDecrypt,
    &KmsKeyPolicyNoWildcardPrincipal,
    &S3ClassifiedSecureTransport,
    &ScpGuardrailParity,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleKind;

    const HEADINGS: [&str; 4] = [
        "## What it checks",
        "## Why it matters",
        "## How to fix",
        "## Example",
    ];

    #[test]
    fn registry_is_sorted_with_unique_kebab_case_ids() {
        let ids: Vec<String> = NATIVE_RULES.iter().map(|r| r.meta().id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "ids must be unique and sorted");
        for id in &ids {
            assert!(
                !id.is_empty()
                    && id.split('-').all(|part| !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
                "`{id}` is not kebab-case"
            );
        }
    }

    #[test]
    fn every_rule_has_complete_metadata_and_documentation() {
        for rule in NATIVE_RULES {
            let meta = rule.meta();
            let id = &meta.id;
            assert_eq!(meta.kind, RuleKind::Native, "{id}");
            assert_eq!(meta.location, None, "{id}");
            assert!(
                !meta.title.is_empty() && !meta.title.ends_with('.'),
                "{id}: title"
            );
            assert!(!meta.remediation.is_empty(), "{id}: remediation");
            assert!(!meta.resource_types.is_empty(), "{id}: resource types");
            assert!(!meta.reads.is_empty(), "{id}: reads");
            // A gap hiding the rule's own resources must make it unknown. (Accounts are the
            // snapshot's skeleton: a rule about an account reads what it checks there.)
            for ty in meta
                .resource_types
                .iter()
                .filter(|t| **t != crate::model::ResourceType::Account)
            {
                assert!(
                    meta.reads.iter().any(|r| r.service() == ty.service()),
                    "{id}: reads nothing of `{}`, the service of `{ty}`",
                    ty.service()
                );
            }
            // The headings, each once, in this order.
            let mut at = 0;
            for h in HEADINGS {
                assert_eq!(meta.doc.matches(h).count(), 1, "{id}: `{h}` once");
                let found = meta.doc.find(h).unwrap_or_default();
                assert!(found >= at, "{id}: `{h}` out of order");
                at = found;
            }
            assert_eq!(
                meta.doc.matches("\n## ").count() + 1,
                HEADINGS.len(),
                "{id}: other headings"
            );
        }
    }
}
