//! Outcomes: what a rule says of a resource, before coverage gaps and waivers apply.

use crate::findings::ResourceKey;
use crate::vocab::Status;

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
