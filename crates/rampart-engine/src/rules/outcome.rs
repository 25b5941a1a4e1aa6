//! Outcomes: what a rule says of a resource, before coverage gaps and waivers apply.

use std::borrow::Cow;

use serde::Serialize;

use crate::findings::{Evidence, ResourceKey};
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
    /// The attributes it read to decide, in the order it read them.
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    /// A passing outcome.
    pub fn pass(resource: ResourceKey, message: impl Into<String>) -> Outcome {
        Outcome {
            resource,
            status: Status::Pass,
            message: message.into(),
            evidence: Vec::new(),
        }
    }
    /// A failing outcome.
    pub fn fail(resource: ResourceKey, message: impl Into<String>) -> Outcome {
        Outcome {
            resource,
            status: Status::Fail,
            message: message.into(),
            evidence: Vec::new(),
        }
    }
    /// An outcome that could not be assessed.
    pub fn unknown(resource: ResourceKey, message: impl Into<String>) -> Outcome {
        Outcome {
            resource,
            status: Status::Unknown,
            message: message.into(),
            evidence: Vec::new(),
        }
    }

    /// Records an attribute read and its value (`None` is recorded as absent).
    #[must_use]
    pub fn with<T: Serialize + ?Sized>(
        mut self,
        path: impl Into<Cow<'static, str>>,
        value: &T,
    ) -> Outcome {
        self.evidence.push(Evidence::of(path, value));
        self
    }

    /// Records an attribute that was missing.
    #[must_use]
    pub fn with_absent(mut self, path: impl Into<Cow<'static, str>>) -> Outcome {
        self.evidence.push(Evidence::absent(path));
        self
    }

    /// Records evidence entries already built.
    #[must_use]
    pub fn with_evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Outcome {
        self.evidence.extend(evidence);
        self
    }
}
