//! What resource control policies restrict ("Resource control policies (RCPs)", AWS
//! Organizations User Guide: the list of AWS services that support RCPs, and "Resources and
//! entities not restricted by RCPs").
//!
//! RCPs apply to the actions of the listed services only. They do not restrict:
//! resources in the management account; calls made by service-linked roles, nor a service
//! assuming its service-linked role (that role's trust policy); AWS managed KMS keys; and
//! the `kms:RetireGrant` permission.

/// The service prefixes whose actions RCPs apply to, sorted. From the page's list as read in
/// September 2026; AWS adds services over time, and a service missing here is one whose
/// RCPs are not applied — the reading that assumes less protection, never more.
const SUPPORTED_SERVICES: &[&str] = &[
    "aoss",
    "appconfig",
    "appstream",
    "autoscaling",
    "autoscaling-plans",
    "budgets",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "compute-optimizer",
    "cost-optimization-hub",
    "dax",
    "dsql",
    "dynamodb",
    "ecr",
    "ecr-public",
    "events",
    "firehose",
    "fis",
    "fms",
    "gamelift",
    "health",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "kms",
    "logs",
    "memorydb",
    "networkmonitor",
    "notifications",
    "opensearch",
    "pca-connector-ad",
    "personalize",
    "polly",
    "pricing",
    "resource-groups",
    "rolesanywhere",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "signin",
    "sqs",
    "sts",
    "support",
    "swf",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "transfer",
    "translate",
    "wafv2",
    "workspaces",
    "xray",
];

/// Whether RCPs apply to `action` (lowercased `service:Action`): its service supports RCPs
/// and it is not `kms:RetireGrant`.
pub(super) fn applies_to_action(action: &str) -> bool {
    let Some((service, _)) = action.split_once(':') else {
        return false;
    };
    action != "kms:retiregrant" && SUPPORTED_SERVICES.binary_search(&service).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_for_binary_search() {
        assert!(SUPPORTED_SERVICES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn listed_services_only_and_not_retire_grant() {
        assert!(applies_to_action("s3:getobject"));
        assert!(applies_to_action("sts:assumerole"));
        assert!(applies_to_action("kms:decrypt"));
        assert!(!applies_to_action("kms:retiregrant"));
        assert!(!applies_to_action("lambda:invokefunction"));
        assert!(!applies_to_action("sns:publish"));
        assert!(!applies_to_action("iam:createuser"));
        assert!(!applies_to_action("ec2:runinstances"));
    }
}
