//! Reading snapshots, with errors that name the file and the position.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Snapshot, SCHEMA_VERSION};

/// Why a snapshot could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read.
    #[error("{path}: cannot read snapshot: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid JSON, or does not match the model.
    #[error("{path}:{line}:{column}: invalid snapshot: {message}")]
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
    /// The snapshot declares a format version this build does not read.
    #[error("{path}:{line}:{column}: unsupported schema_version `{found}` (this rampart reads `{SCHEMA_VERSION}`)")]
    Version {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The version found.
        found: String,
    },
    /// The snapshot parses but is inconsistent (duplicate ids, dangling parents, …).
    #[error("{path}: inconsistent snapshot: {message}")]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Reads and checks a snapshot file.
pub fn load_snapshot_file(path: &Path) -> Result<Snapshot, SnapshotError> {
    let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_snapshot(&text, path)
}

/// Parses and checks snapshot text; `path` is only used in error messages.
pub fn parse_snapshot(text: &str, path: &Path) -> Result<Snapshot, SnapshotError> {
    check_version(text, path)?;
    let snapshot: Snapshot = serde_json::from_str(text).map_err(|e| SnapshotError::Syntax {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    check_consistency(&snapshot).map_err(|message| SnapshotError::Inconsistent {
        path: path.to_owned(),
        message,
    })?;
    Ok(snapshot)
}

/// Checks the version before the full parse, so that a newer format is reported as such
/// rather than as an unknown field somewhere inside it.
fn check_version(text: &str, path: &Path) -> Result<(), SnapshotError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        schema_version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_str(text).map_err(|e| SnapshotError::Syntax {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let found = match probe.schema_version {
        Some(serde_json::Value::String(v)) if v == SCHEMA_VERSION => return Ok(()),
        Some(serde_json::Value::String(v)) => v,
        Some(other) => other.to_string(),
        None => {
            return Err(SnapshotError::Syntax {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: "missing field `schema_version`".to_owned(),
            })
        }
    };
    let (line, column) = position_of_key(text, "\"schema_version\"");
    Err(SnapshotError::Version {
        path: path.to_owned(),
        line,
        column,
        found,
    })
}

/// 1-based line and column of the first occurrence of `needle`, or 1:1.
fn position_of_key(text: &str, needle: &str) -> (usize, usize) {
    let Some(offset) = text.find(needle) else {
        return (1, 1);
    };
    line_column(text, offset)
}

/// Converts a byte offset into a 1-based line and a 1-based column counted in characters.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// serde_json appends " at line L column C"; the position is already in our prefix.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn check_consistency(s: &Snapshot) -> Result<(), String> {
    let org = &s.organization;
    let mut parents: HashSet<&str> = HashSet::from([org.root.id.as_str()]);
    for ou in &org.organizational_units {
        if !parents.insert(&ou.id) {
            return Err(format!("duplicate organizational unit `{}`", ou.id));
        }
    }
    for ou in &org.organizational_units {
        if !parents.contains(ou.parent_id.as_str()) {
            return Err(format!(
                "organizational unit `{}` has unknown parent `{}`",
                ou.id, ou.parent_id
            ));
        }
    }
    check_ou_cycles(s)?;
    let mut accounts = HashSet::new();
    for account in &s.accounts {
        if !accounts.insert(account.id.as_str()) {
            return Err(format!("duplicate account `{}`", account.id));
        }
        if !parents.contains(account.parent_id.as_str()) {
            return Err(format!(
                "account `{}` has unknown parent `{}`",
                account.id, account.parent_id
            ));
        }
        for r in account.resources() {
            if r.account_id != account.id {
                return Err(format!(
                    "resource `{}` is listed under account `{}` but says account_id `{}`",
                    r.arn, account.id, r.account_id
                ));
            }
        }
    }
    Ok(())
}

fn check_ou_cycles(s: &Snapshot) -> Result<(), String> {
    let org = &s.organization;
    for ou in &org.organizational_units {
        let mut current = ou.parent_id.as_str();
        for _ in 0..=org.organizational_units.len() {
            if current == org.root.id {
                break;
            }
            if current == ou.id {
                return Err(format!(
                    "organizational unit `{}` is its own ancestor",
                    ou.id
                ));
            }
            match org.ou(current) {
                Some(parent) => current = &parent.parent_id,
                None => break,
            }
        }
    }
    Ok(())
}
