//! What a rule is: its identity, metadata, documentation and the data it reads.

use crate::model::{Location, Read, ResourceType};
use crate::vocab::{Area, RuleKind, Severity};

/// What a rule is: identity, metadata, documentation and the data it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable id, kebab-case (`s3-classified-cmk`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// The capability it checks.
    pub area: Area,
    /// Default severity (a ruleset may override it).
    pub severity: Severity,
    /// How to fix a failure, one paragraph.
    pub remediation: String,
    /// Markdown documentation with the headings *What it checks*, *Why it matters*,
    /// *How to fix* and *Example*.
    pub doc: String,
    /// Cedar or native.
    pub kind: RuleKind,
    /// The resource types it assesses.
    pub resource_types: Vec<ResourceType>,
    /// The services or operations whose data it needs; a coverage gap for one of them
    /// makes it `unknown`.
    pub reads: Vec<Read>,
    /// Where it is defined (the policy file, for Cedar rules).
    pub location: Option<Location>,
}
