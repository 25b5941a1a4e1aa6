//! rampart: policy-as-code compliance and guardrail analysis for AWS multi-account
//! foundations. See ARCHITECTURE.md for the map of the modules.

pub mod cli;
pub mod facts;
pub use rampart_model as model;
pub mod policy;
pub mod report;
pub mod rules;
pub mod ruleset;
pub mod synth;
