//! Cedar rules: policies in `policies/**/*.cedar`, validated against
//! `policies/rampart.cedarschema`, evaluated behind the [`CedarBackend`] interface.
//!
//! Cedar is the rule language, not necessarily the hot loop (DESIGN.md): the reference
//! backend here calls cedar-policy's authorizer; a compiled backend that must agree with it
//! on every input can sit behind the same trait.

mod compiled;
mod entities;
mod evidence;
mod limits;
mod reference;
mod schema_index;
mod store;
mod value;

pub use compiled::CompiledBackend;
pub use reference::ReferenceBackend;
pub use store::{CedarRule, PolicyError, PolicyStore, BUNDLED_POLICIES, SCHEMA_TEXT};

use super::{Outcome, RuleContext};
use crate::model::Account;

/// Evaluates Cedar rules over a snapshot. Every backend must give the same outcomes.
pub trait CedarBackend {
    /// Evaluates the given rules, each as (active-rule index, rule id), and returns every
    /// outcome tagged with its rule's index: one per resource the rule applies to.
    fn evaluate(&self, cx: &RuleContext<'_>, rules: &[(usize, &str)]) -> Vec<(usize, Outcome)> {
        self.evaluate_accounts(cx, rules, &cx.snapshot.accounts)
    }

    /// As [`CedarBackend::evaluate`], over the resources of `accounts` only (accounts of
    /// `cx`'s snapshot): a streamed evaluation holds a few accounts whole at a time.
    fn evaluate_accounts(
        &self,
        cx: &RuleContext<'_>,
        rules: &[(usize, &str)],
        accounts: &[Account],
    ) -> Vec<(usize, Outcome)>;
}

#[cfg(test)]
mod tests;

/// Which backend evaluates Cedar rules. Both give the same outcomes (the differential
/// tests prove it); the compiled one is the fast path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CedarBackendKind {
    /// Policies compiled to native expression trees over the model (the default); policies
    /// outside the compiled subset fall back to the reference backend.
    #[default]
    Compiled,
    /// cedar-policy's `Authorizer` over entities built one account at a time.
    Reference,
}

impl std::str::FromStr for CedarBackendKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "compiled" => Ok(CedarBackendKind::Compiled),
            "reference" => Ok(CedarBackendKind::Reference),
            other => Err(format!(
                "unknown cedar backend `{other}` (expected `compiled` or `reference`)"
            )),
        }
    }
}
