//! The documents of AWS managed policies that code attaches without declaring them, as AWS
//! publishes them, so that a role's permissions are assessable from code alone. Only
//! policies whose document is stable and small are listed: any other AWS managed policy
//! stays unread, and the role that attaches it unknown.

use crate::model::{Account, ManagedPolicy, PolicyDocument, Source, Tags, GLOBAL_REGION};

/// `AWSLambdaBasicExecutionRole`: the policy SAM attaches to every function role.
const LAMBDA_BASIC_EXECUTION: &str =
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

fn published(arn: &str) -> Option<(&'static str, serde_json::Value)> {
    match arn {
        LAMBDA_BASIC_EXECUTION => Some((
            "AWSLambdaBasicExecutionRole",
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "*"
                }]
            }),
        )),
        _ => None,
    }
}

/// Adds to `account` the published document of each AWS managed policy its roles and
/// users attach, when the account does not hold it already (a context snapshot's copy).
pub(crate) fn add_published(account: &mut Account) {
    let attached: Vec<String> = account
        .iam
        .roles
        .iter()
        .flat_map(|r| r.attached_policy_arns.iter())
        .chain(
            account
                .iam
                .users
                .iter()
                .flat_map(|u| u.attached_policy_arns.iter()),
        )
        .cloned()
        .collect();
    for arn in attached {
        if account.iam.managed_policy(&arn).is_some() {
            continue;
        }
        if let Some((name, document)) = published(&arn) {
            account.iam.managed_policies.push(ManagedPolicy {
                arn: arn.clone(),
                account_id: account.id.clone(),
                region: GLOBAL_REGION.to_owned(),
                tags: Tags::new(),
                // Not declared in the code: what `iam:GetPolicyVersion` returns for it.
                source: Source::Api {
                    operation: "iam:GetPolicyVersion".to_owned(),
                },
                name: name.to_owned(),
                aws_managed: true,
                document: PolicyDocument::new(document),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_policies_are_published() {
        assert!(published(LAMBDA_BASIC_EXECUTION).is_some());
        assert!(published("arn:aws:iam::aws:policy/AdministratorAccess").is_none());
    }
}
