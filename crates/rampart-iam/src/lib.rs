//! The IAM policy language: one parser and one evaluator for every policy kind (identity,
//! resource, trust, key, SCP, RCP, permissions boundary, session policy), following the
//! AWS policy evaluation logic. It depends on no other rampart crate: the engine translates
//! model data into policies and requests, and this crate stays reusable on its own.

pub mod analysis;
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
