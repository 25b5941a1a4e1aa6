//! The IAM policy language: one parser and one evaluator for every policy kind (identity,
//! resource, trust, key, SCP, RCP, permissions boundary, session policy), following the
//! AWS policy evaluation logic. Self-contained (it reads no other rampart module), so that
//! it can become its own crate.

pub mod catalog;
pub mod condition;
pub mod context;
pub mod document;
pub mod evaluate;
pub mod json;
pub mod parse;
pub mod simulate;
pub mod validate;
pub mod variables;
pub mod wildcard;

pub use context::{ContextValue, RequestContext};
pub use document::{
    Condition, ConditionOperator, Effect, Policy, PrincipalMatch, Principals, ResourceMatcher,
    SetQualifier, Statement, StatementMatchers, StringSet,
};
pub use parse::{parse_policy, PolicyParseError};
