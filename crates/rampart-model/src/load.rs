//! Reading snapshots, with errors that name the file and the position.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Account, Snapshot, SCHEMA_VERSION};

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
    #[error("{path}:{line}:{column}: inconsistent snapshot: {message}")]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column of the offending value.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads a text file. Unlike [`std::fs::read_to_string`], bytes that are not UTF-8 give an
/// error that says where: "not UTF-8 text at line L, column C (byte B)", so that a binary
/// or mis-encoded file is named with a position like any other bad input.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    String::from_utf8(bytes).map_err(|e| {
        let (offset, line, column) = not_utf8_at(&e);
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text at line {line}, column {column} (byte {offset})"),
        )
    })
}

/// Where bytes stop being UTF-8: the byte offset, and its 1-based line and column.
pub(crate) fn not_utf8_at(e: &std::string::FromUtf8Error) -> (usize, usize, usize) {
    let offset = e.utf8_error().valid_up_to();
    let valid = std::str::from_utf8(&e.as_bytes()[..offset]).unwrap_or_default();
    let (line, column) = line_column(valid, offset);
    (offset, line, column)
}

/// Reads and checks a snapshot file.
pub fn load_snapshot_file(path: &Path) -> Result<Snapshot, SnapshotError> {
    load_snapshot_file_with_text(path).map(|(snapshot, _)| snapshot)
}

/// Reads and checks a snapshot file, and keeps its text (what a digest is taken of).
pub fn load_snapshot_file_with_text(path: &Path) -> Result<(Snapshot, String), SnapshotError> {
    let text = read_text(path).map_err(|source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    })?;
    let snapshot = parse_snapshot(&text, path)?;
    Ok((snapshot, text))
}

/// Parses and checks snapshot text, of either form (a JSON object, or the JSON-lines form
/// of `rampart snapshot lines`, whose accounts are parsed in parallel); `path` is only used
/// in error messages.
pub fn parse_snapshot(text: &str, path: &Path) -> Result<Snapshot, SnapshotError> {
    check_is_object(text, path)?;
    if let Some(head) = crate::lines::head_len(text) {
        return crate::lines::parse(text, head, path);
    }
    let snapshot = parse_object(text, path)?;
    check_consistency(&snapshot).map_err(|e| inconsistent(path, text, &e, 0))?;
    Ok(snapshot)
}

/// A snapshot's JSON object, of this version, not yet checked for consistency.
pub(crate) fn parse_object(text: &str, path: &Path) -> Result<Snapshot, SnapshotError> {
    // The text is read once when it is a snapshot of this version; the version is probed
    // on its own only to explain a failure (a newer format is reported as such, not as an
    // unknown field somewhere inside it).
    let snapshot: Snapshot = match serde_json::from_str(text) {
        Ok(snapshot) => snapshot,
        Err(e) => {
            check_version(text, path)?;
            return Err(syntax(path, &e));
        }
    };
    if snapshot.schema_version != SCHEMA_VERSION {
        check_version(text, path)?;
    }
    Ok(snapshot)
}

/// An inconsistency located in `text`, which starts `lines_before` lines into the file.
pub(crate) fn inconsistent(
    path: &Path,
    text: &str,
    e: &Inconsistency,
    lines_before: usize,
) -> SnapshotError {
    let (line, column) = e.position(text);
    SnapshotError::Inconsistent {
        path: path.to_owned(),
        line: line + lines_before,
        column,
        message: e.message.clone(),
    }
}

/// Checks the version alone, so that a newer format is reported as such rather than as an
/// unknown field somewhere inside it.
fn check_version(text: &str, path: &Path) -> Result<(), SnapshotError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        schema_version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_str(text).map_err(|e| syntax(path, &e))?;
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

/// A struct also deserializes from a JSON array (its fields in order): a snapshot is an
/// object, and anything else is rejected as such before it is parsed.
pub(crate) fn check_is_object(text: &str, path: &Path) -> Result<(), SnapshotError> {
    match text.char_indices().find(|(_, c)| !c.is_whitespace()) {
        Some((offset, c)) if c != '{' => {
            let (line, column) = line_column(text, offset);
            Err(SnapshotError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: "a snapshot is a JSON object (`{ \"schema_version\": … }`)".to_owned(),
            })
        }
        _ => Ok(()),
    }
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

/// A serde_json error at its position; serde_json counts the column before a line's first
/// character as 0, we count from 1.
pub(crate) fn syntax(path: &Path, e: &serde_json::Error) -> SnapshotError {
    SnapshotError::Syntax {
        path: path.to_owned(),
        line: e.line().max(1),
        column: e.column().max(1),
        message: strip_position(&e.to_string()),
    }
}

/// What makes a snapshot inconsistent, and the value to point at.
pub(crate) struct Inconsistency {
    pub(crate) message: String,
    /// The offending value, located as a JSON string in the text.
    value: String,
    /// Which occurrence of the value (0 = first; a duplicate is the second).
    occurrence: usize,
}

impl Inconsistency {
    fn new(message: String, value: &str, occurrence: usize) -> Self {
        Inconsistency {
            message,
            value: value.to_owned(),
            occurrence,
        }
    }

    /// Line and column of the offending value, or 1:1 when it cannot be found.
    pub(crate) fn position(&self, text: &str) -> (usize, usize) {
        let needle = format!("\"{}\"", self.value);
        text.match_indices(&needle)
            .nth(self.occurrence)
            .map_or((1, 1), |(offset, _)| line_column(text, offset))
    }
}

/// serde_json appends " at line L column C"; the position is already in our prefix.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn check_consistency(s: &Snapshot) -> Result<(), Inconsistency> {
    let mut check = Consistency::of(s)?;
    s.accounts.iter().try_for_each(|a| check.account(a, 1))
}

/// The checks of [`check_consistency`], an account at a time: what a reader of the
/// JSON-lines form runs as the accounts stream past.
pub(crate) struct Consistency {
    /// The root's and every OU's id.
    parents: HashSet<String>,
    /// The accounts seen so far.
    accounts: HashSet<String>,
}

impl Consistency {
    /// Checks the organization (duplicate and dangling OUs, cycles), and starts with no
    /// account seen.
    pub(crate) fn of(s: &Snapshot) -> Result<Consistency, Inconsistency> {
        let org = &s.organization;
        let mut parents = HashSet::from([org.root.id.clone()]);
        for ou in &org.organizational_units {
            if !parents.insert(ou.id.clone()) {
                let message = format!("duplicate organizational unit `{}`", ou.id);
                return Err(Inconsistency::new(message, &ou.id, 1));
            }
        }
        for ou in &org.organizational_units {
            if !parents.contains(ou.parent_id.as_str()) {
                let message = format!(
                    "organizational unit `{}` has unknown parent `{}`",
                    ou.id, ou.parent_id
                );
                return Err(Inconsistency::new(message, &ou.parent_id, 0));
            }
        }
        check_ou_cycles(s)?;
        Ok(Consistency {
            parents,
            accounts: HashSet::new(),
        })
    }

    /// Checks one more account. `duplicate` is which occurrence of its id a duplicate is
    /// pointed at in the text checked (1 in a whole snapshot; 0 in the account's own line).
    pub(crate) fn account(
        &mut self,
        account: &Account,
        duplicate: usize,
    ) -> Result<(), Inconsistency> {
        if !self.accounts.insert(account.id.clone()) {
            let message = format!("duplicate account `{}`", account.id);
            return Err(Inconsistency::new(message, &account.id, duplicate));
        }
        if !self.parents.contains(account.parent_id.as_str()) {
            let message = format!(
                "account `{}` has unknown parent `{}`",
                account.id, account.parent_id
            );
            return Err(Inconsistency::new(message, &account.parent_id, 0));
        }
        for r in account.resources() {
            if r.account_id != account.id {
                let message = format!(
                    "resource `{}` is listed under account `{}` but says account_id `{}`",
                    r.arn, account.id, r.account_id
                );
                return Err(Inconsistency::new(message, r.arn, 0));
            }
        }
        Ok(())
    }
}

fn check_ou_cycles(s: &Snapshot) -> Result<(), Inconsistency> {
    let org = &s.organization;
    for ou in &org.organizational_units {
        let mut current = ou.parent_id.as_str();
        for _ in 0..=org.organizational_units.len() {
            if current == org.root.id {
                break;
            }
            if current == ou.id {
                let message = format!("organizational unit `{}` is its own ancestor", ou.id);
                return Err(Inconsistency::new(message, &ou.id, 0));
            }
            match org.ou(current) {
                Some(parent) => current = &parent.parent_id,
                None => break,
            }
        }
    }
    Ok(())
}
