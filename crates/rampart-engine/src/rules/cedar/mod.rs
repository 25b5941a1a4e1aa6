//! Cedar rules: policies in `policies/**/*.cedar`, validated against
//! `policies/rampart.cedarschema`, evaluated behind the [`CedarBackend`] interface.
//!
//! Cedar is the rule language, not necessarily the hot loop (DESIGN.md): the reference
//! backend here calls cedar-policy's authorizer; a compiled backend that must agree with it
//! on every input can sit behind the same trait.

mod entities;
mod limits;
mod reference;
mod schema_index;
mod store;

pub use reference::ReferenceBackend;
pub use store::{CedarRule, PolicyError, PolicyStore, BUNDLED_POLICIES, SCHEMA_TEXT};

use super::{Outcome, RuleContext};

/// Evaluates Cedar rules over a snapshot. Every backend must give the same outcomes.
pub trait CedarBackend {
    /// Evaluates the given rules, each as (active-rule index, rule id), and returns every
    /// outcome tagged with its rule's index: one per resource the rule applies to.
    fn evaluate(&self, cx: &RuleContext<'_>, rules: &[(usize, &str)]) -> Vec<(usize, Outcome)>;
}

#[cfg(test)]
mod tests;
