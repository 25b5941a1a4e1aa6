//! Cedar rules: policies in `policies/**/*.cedar`, validated against
//! `policies/rampart.cedarschema`, evaluated behind the [`CedarBackend`] interface.

mod store;

pub use store::{PolicyError, PolicyStore};

use super::{Outcome, RuleContext};

/// Evaluates the Cedar rules over a snapshot. Backends must agree on every input.
pub trait CedarBackend {
    /// Evaluates the given rules (active-rule index, rule id) and returns, per index, the
    /// outcomes for every resource each rule applies to.
    fn evaluate(&self, cx: &RuleContext<'_>, rules: &[(usize, &str)]) -> Vec<(usize, Outcome)>;
}

/// The reference backend: cedar-policy's own authorizer.
pub struct ReferenceBackend<'p> {
    #[allow(dead_code)]
    store: &'p PolicyStore,
}

impl<'p> ReferenceBackend<'p> {
    /// A backend over the policies of `store`.
    pub fn new(store: &'p PolicyStore) -> Self {
        ReferenceBackend { store }
    }
}

impl CedarBackend for ReferenceBackend<'_> {
    fn evaluate(&self, _cx: &RuleContext<'_>, _rules: &[(usize, &str)]) -> Vec<(usize, Outcome)> {
        Vec::new()
    }
}
