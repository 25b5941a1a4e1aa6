//! Coverage gaps: what a collector could not read, and why.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Operation, Read, Service};

/// Something that could not be read. Rules that need it report `unknown`, never `pass`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct CoverageGap {
    /// The account, or `*` for every account.
    pub account_id: String,
    /// The region, `global` for global services, or `*` for every region.
    pub region: String,
    /// The AWS service whose data is missing (`kms`, `s3`, `ec2`, …).
    pub service: Service,
    /// Why: the error code and message, e.g. `AccessDenied: kms:ListKeys`.
    pub reason: String,
    /// When only one resource's details are missing, its ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// When only one API operation's data is missing, `service:Operation`
    /// (`s3:GetBucketPolicy`); absent when nothing of the service could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
}

impl CoverageGap {
    /// Whether this gap hides data that `read` names, for a resource in
    /// `account_id`/`region` (with `arn`, when it is one resource).
    ///
    /// `read` is what a rule declares it reads: a service (`s3`: any of its data, so any gap
    /// of the service matters) or one operation's data (`s3:GetBucketPolicy`: only a gap of
    /// the whole service or of that operation matters). A gap for region `*` covers every
    /// region; a resource-scoped gap covers only that ARN.
    pub fn covers(&self, account_id: &str, region: &str, read: Read, arn: Option<&str>) -> bool {
        let operation = match read {
            Read::Service(_) => None,
            Read::Operation(op) => Some(op),
        };
        (self.account_id == "*" || self.account_id == account_id)
            && (self.region == "*" || self.region == region)
            && self.service == read.service()
            && match (self.operation, operation) {
                (Some(gap_op), Some(op)) => gap_op == op,
                _ => true,
            }
            && match (&self.resource, arn) {
                (Some(gap_arn), Some(arn)) => gap_arn == arn,
                (Some(_), None) => false,
                (None, _) => true,
            }
    }

    /// Whether nothing of the service could be read in the scope, so that resources may
    /// be missing from the snapshot altogether.
    pub fn hides_resources(&self) -> bool {
        self.resource.is_none() && self.operation.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::CoverageGap;
    use crate::{Operation, Read, Service};

    const S3: Read = Read::Service(Service::S3);
    const POLICY: Read = Read::Operation(Operation::S3GetBucketPolicy);

    fn gap(region: &str, operation: Option<Operation>, resource: Option<&str>) -> CoverageGap {
        CoverageGap {
            account_id: "111122223333".to_owned(),
            region: region.to_owned(),
            service: Service::S3,
            reason: "AccessDenied".to_owned(),
            resource: resource.map(str::to_owned),
            operation,
        }
    }

    #[test]
    fn whole_service_gap_covers_every_read_of_the_service() {
        let g = gap("eu-west-1", None, None);
        assert!(g.covers("111122223333", "eu-west-1", S3, Some("arn:aws:s3:::b")));
        assert!(g.covers("111122223333", "eu-west-1", POLICY, Some("arn:aws:s3:::b")));
        assert!(!g.covers("111122223333", "us-east-1", S3, None));
        assert!(!g.covers("999999999999", "eu-west-1", S3, None));
        assert!(!g.covers(
            "111122223333",
            "eu-west-1",
            Read::Service(Service::Kms),
            None
        ));
        assert!(gap("*", None, None).covers("111122223333", "global", S3, None));
        assert!(g.hides_resources());
    }

    #[test]
    fn operation_gap_covers_that_operation_and_broad_reads_only() {
        let g = gap("eu-west-1", Some(Operation::S3GetBucketPolicy), None);
        assert!(g.covers("111122223333", "eu-west-1", S3, None));
        assert!(g.covers("111122223333", "eu-west-1", POLICY, None));
        assert!(!g.covers(
            "111122223333",
            "eu-west-1",
            Read::Operation(Operation::S3GetBucketLocation),
            None
        ));
        assert!(!g.hides_resources());
    }

    #[test]
    fn resource_gap_covers_only_that_resource() {
        let g = gap("eu-west-1", None, Some("arn:aws:s3:::b"));
        assert!(g.covers("111122223333", "eu-west-1", S3, Some("arn:aws:s3:::b")));
        assert!(!g.covers("111122223333", "eu-west-1", S3, Some("arn:aws:s3:::c")));
        assert!(!g.covers("111122223333", "eu-west-1", S3, None));
        assert!(!g.hides_resources());
    }
}
