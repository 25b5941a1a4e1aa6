//! Loading rulesets, with did-you-mean for unknown keys.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Ruleset, RULESET_SCHEMA_VERSION};
use crate::vocab::did_you_mean;
use crate::vocab::line_column;

/// The bundled default ruleset's text.
pub const DEFAULT_RULESET: &str = include_str!("../../../../rulesets/default.toml");

/// Why a ruleset could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RulesetError {
    /// The file could not be read.
    #[error("{path}: cannot read ruleset: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path}:{line}:{column}: invalid ruleset: {message}")]
    Syntax {
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

/// Reads a ruleset file.
pub fn load_ruleset_file(path: &Path) -> Result<Ruleset, RulesetError> {
    let text = rampart_model::read_text(path).map_err(|source| RulesetError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_ruleset(&text, path)
}

/// Parses ruleset text; `path` is only used in messages.
pub fn parse_ruleset(text: &str, path: &Path) -> Result<Ruleset, RulesetError> {
    let mut ruleset: Ruleset = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        RulesetError::Syntax {
            path: path.to_owned(),
            line,
            column,
            message: with_suggestion(e.message().trim()),
        }
    })?;
    if let Some(version) = ruleset
        .schema_version
        .as_deref()
        .filter(|v| *v != RULESET_SCHEMA_VERSION)
    {
        let (line, column) = text
            .find("schema_version")
            .map_or((1, 1), |at| line_column(text, at));
        return Err(RulesetError::Syntax {
            path: path.to_owned(),
            line,
            column,
            message: format!(
                "unsupported `schema_version` `{version}`: this rampart reads ruleset schema \
                 `{RULESET_SCHEMA_VERSION}`"
            ),
        });
    }
    ruleset.sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    ruleset.text = text.to_owned();
    ruleset.path = Some(path.to_owned());
    Ok(ruleset)
}

/// Turns serde's "unknown field `x`, expected one of `a`, `b`" into a did-you-mean.
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some((given, expected)) = rest.split_once("`, expected ") else {
        return message.to_owned();
    };
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match did_you_mean(given, known.iter().copied()) {
        Some(best) => format!("unknown key `{given}`, did you mean `{best}`?"),
        None => format!("unknown key `{given}`, expected {expected}"),
    }
}
