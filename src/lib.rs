//! rampart: policy-as-code compliance and guardrail analysis for AWS multi-account
//! foundations. This crate is the command line; the work is done by the workspace's
//! other crates, re-exported here under their module names. See ARCHITECTURE.md.

pub mod cli;

pub use rampart_engine::{
    capabilities, check, facts, findings, iac, iac_links, policy_files, report, rules, ruleset,
    scp, stream, synth, vocab,
};
pub use rampart_history as history;
pub use rampart_iac as iac_parse;
pub use rampart_iam as policy;
pub use rampart_model as model;
