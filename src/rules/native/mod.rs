//! Native rules: Rust code for what Cedar cannot express well (policy-document analysis,
//! checks across regions or accounts). One rule per file, named after its id; each file
//! starts with the rule's documentation, which `rampart rules explain` prints.

use super::{Outcome, RuleContext, RuleMeta};
use crate::model::Account;

/// A rule written in Rust.
pub trait NativeRule: Sync + Send {
    /// The rule's id, metadata and documentation.
    fn meta(&self) -> RuleMeta;

    /// Evaluates the rule over one account; the engine runs accounts in parallel.
    /// Emits one outcome per resource the rule applies to.
    fn evaluate(&self, cx: &RuleContext<'_>, account: &Account, out: &mut Vec<Outcome>);
}

/// Every native rule. The registry is this list: no inventory magic.
pub static NATIVE_RULES: &[&dyn NativeRule] = &[];
