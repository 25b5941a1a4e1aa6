//! rampart: policy-as-code compliance and guardrail analysis for AWS multi-account
//! foundations. See ARCHITECTURE.md for the map of the modules.

pub mod facts;
pub mod model;
pub mod rules;
pub mod ruleset;
