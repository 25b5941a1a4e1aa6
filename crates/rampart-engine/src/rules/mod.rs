//! The rule engine: rule metadata, native and Cedar rules, and evaluation of a snapshot
//! into findings.

pub mod catalog;
pub mod cedar;
mod engine;
pub mod native;
mod outcome;
mod stream;
mod types;

#[cfg(test)]
mod evidence_tests;

pub use catalog::{Catalog, CatalogError, CatalogRule};
pub use cedar::{CedarBackendKind, PolicyStore};
pub use engine::{
    duplicate_warning, finding_order, phase_line, resident_bytes, rule_lines, status_rank, Engine,
    EngineError, Profile,
};
pub use outcome::Outcome;
pub use stream::{StreamError, StreamedEvaluation, DEFAULT_BATCH_BYTES};
pub use types::RuleMeta;

pub use crate::findings::{fingerprint, AppliedWaiver, Evaluation, Evidence, Finding, ResourceKey};
pub use crate::vocab::{did_you_mean, unknown_name, Area, RuleKind, Severity, Status};

use chrono::{DateTime, Utc};

use crate::facts::Facts;
use crate::model::Snapshot;

/// What a rule may read while it evaluates: the model, the derived facts and the time.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext<'a> {
    /// The snapshot under evaluation.
    pub snapshot: &'a Snapshot,
    /// Facts derived from it under the ruleset's parameters.
    pub facts: &'a Facts,
    /// "Now", from the caller's clock, so that results are reproducible.
    pub now: DateTime<Utc>,
}
