//! Loading and validating Cedar policies.

use std::path::PathBuf;

use crate::rules::RuleMeta;

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A file could not be read.
    #[error("{path}: cannot read policy: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A policy is invalid.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// Validated Cedar policies and the rules they define.
#[derive(Debug, Default)]
pub struct PolicyStore {
    rules: Vec<RuleMeta>,
}

impl PolicyStore {
    /// The policies bundled in the binary.
    pub fn bundled() -> Result<PolicyStore, PolicyError> {
        Ok(PolicyStore::default())
    }

    /// The rules, one per `forbid`.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }
}
