//! rampart's engine: facts derived from a snapshot, rules (native and Cedar) selected and
//! configured by a ruleset, and the reports built from their findings. Evaluation performs
//! no I/O; loading reads only the files it is asked to (rulesets, Cedar policies). It never
//! builds the AWS SDK: collectors live in `rampart-aws`, the command line in `rampart`.
//!
//! Modules depend one way: `vocab` ← `ruleset` ← `facts` ← `rules` → `findings` ← `report`;
//! `capabilities` (the guidance's capabilities and the coverage matrix) sits on `vocab`;
//! `iac` maps infrastructure code (`rampart-iac`) into the model, and `check` evaluates it.
//! `iac_links` links live findings to their CloudFormation templates. `scp` (on `ruleset` and
//! `vocab`) compiles guardrail intents into SCPs and proves them with `rampart-iam`.

pub use rampart_model as model;

pub mod capabilities;
pub mod check;
pub mod facts;
pub mod findings;
pub mod iac;
pub mod iac_links;
pub mod policy_files;
/// Credential redaction (in the model crate, which the collectors share).
pub use rampart_model::redact;
pub mod report;
pub mod rules;
pub mod ruleset;
pub mod scp;
pub mod stream;
pub mod synth;
pub mod vocab;
