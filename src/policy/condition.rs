//! Condition operators (placeholder: being written).

use super::{Condition, RequestContext};

/// Whether `condition` holds for the request. `variables` enables `${…}` substitution in
/// the condition's values (policy Version 2012-10-17).
pub fn evaluate(condition: &Condition, context: &RequestContext, variables: bool) -> bool {
    let _ = (condition, context, variables);
    false
}
