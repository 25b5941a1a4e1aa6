//! Outcomes (what a rule says of a resource) and findings (what reports print).

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Area, Severity, Status};
use crate::model::{Location, ResourceRef, ResourceType};

/// The identity and position of the thing a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceKey {
    /// The ARN, or for a scope that could not be read, `arn:aws:SERVICE:REGION:ACCOUNT:*`.
    pub arn: String,
    /// The resource type.
    pub resource_type: ResourceType,
    /// The owning account.
    pub account_id: String,
    /// The region, or `global`.
    pub region: String,
    /// Where it is declared, for resources read from files.
    pub location: Option<Location>,
}

impl ResourceKey {
    /// The key of a resource of the model.
    pub fn of(r: ResourceRef<'_>) -> ResourceKey {
        ResourceKey {
            arn: r.arn.to_owned(),
            resource_type: r.resource_type,
            account_id: r.account_id.to_owned(),
            region: r.region.to_owned(),
            location: r.source.location(),
        }
    }
}

/// What one rule concluded about one resource, before waivers and coverage are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The resource.
    pub resource: ResourceKey,
    /// `Pass`, `Fail` or `Unknown` (rules never produce `Waived`).
    pub status: Status,
    /// One sentence about this resource: what is wrong, or what was checked.
    pub message: String,
}

impl Outcome {
    /// A passing outcome.
    pub fn pass(resource: ResourceKey, message: impl Into<String>) -> Outcome {
        Outcome {
            resource,
            status: Status::Pass,
            message: message.into(),
        }
    }
    /// A failing outcome.
    pub fn fail(resource: ResourceKey, message: impl Into<String>) -> Outcome {
        Outcome {
            resource,
            status: Status::Fail,
            message: message.into(),
        }
    }
    /// An outcome that could not be assessed.
    pub fn unknown(resource: ResourceKey, message: impl Into<String>) -> Outcome {
        Outcome {
            resource,
            status: Status::Unknown,
            message: message.into(),
        }
    }
}

/// The waiver that turned a failure into `waived`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedWaiver {
    /// Why the exception is accepted.
    pub reason: String,
    /// Who accepted it.
    pub approver: String,
    /// Last day it applies.
    pub expires: NaiveDate,
    /// The resource glob that matched.
    pub resource: String,
}

/// One result of one rule on one resource, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule id.
    pub rule_id: Arc<str>,
    /// The rule title.
    pub title: Arc<str>,
    /// pass, fail, unknown or waived.
    pub status: Status,
    /// Effective severity (after ruleset overrides).
    pub severity: Severity,
    /// The rule's area.
    pub area: Area,
    /// The resource ARN.
    pub resource: String,
    /// The resource type (`AWS::S3::Bucket`).
    pub resource_type: &'static str,
    /// The owning account.
    pub account_id: String,
    /// The region, or `global`.
    pub region: String,
    /// What the rule found.
    pub message: String,
    /// Where the resource is declared, when it came from a file.
    pub location: Option<Location>,
    /// Stable identity of (rule, resource): the same across runs and message changes.
    pub fingerprint: String,
    /// The waiver applied, for `waived` findings.
    pub waiver: Option<AppliedWaiver>,
}

/// The stable fingerprint of a (rule, resource) pair: never a hash of the message, so
/// rewording a message does not reopen alerts in code scanning.
pub fn fingerprint(rule_id: &str, resource: &ResourceKey) -> String {
    let mut h = Sha256::new();
    for part in [
        "rampart/v1",
        rule_id,
        resource.arn.as_str(),
        resource.account_id.as_str(),
        resource.region.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}
