//! `rampart check --context FILE`: where checked code is deployed.
//!
//! Either a snapshot (`rampart collect` output: the organization the code joins), or a
//! small YAML (or JSON) file:
//!
//! ```yaml
//! snapshot: org.json          # optional: the organization around the code
//! defaults:                   # optional: every file not matched below
//!   account: "111122223333"
//!   region: eu-west-1
//!   environment: dev
//! files:                      # first match wins; globs over the file's path as reported
//!   - path: "stacks/prod/**"
//!     account: "444455556666"
//!     environment: prod
//!     classification: confidential
//!     region: eu-west-1
//!     parameters: { Env: prod } # CloudFormation parameter values
//! ```
//!
//! Unknown keys are errors naming their position.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use rampart_iac::{Node, Position, Value};

use super::{DEFAULT_ACCOUNT, DEFAULT_REGION};
use crate::model::Snapshot;

/// A context file that cannot be used: `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}: {message}", path.display(), position)]
pub struct ContextError {
    /// The file.
    pub path: PathBuf,
    /// Where.
    pub position: Position,
    /// What is wrong.
    pub message: String,
}

/// Where one file is deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The account id.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The account's environment, when known.
    pub environment: Option<String>,
    /// The account's data classification, when known.
    pub classification: Option<String>,
    /// CloudFormation parameter values.
    pub parameters: BTreeMap<String, String>,
    /// What placed the file (the context file, or `default`), for the account's source.
    pub origin: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TargetSpec {
    account: Option<String>,
    region: Option<String>,
    environment: Option<String>,
    classification: Option<String>,
    parameters: BTreeMap<String, String>,
}

impl TargetSpec {
    /// `self`, with what it leaves open taken from `defaults`.
    fn over(&self, defaults: &TargetSpec) -> TargetSpec {
        let mut parameters = defaults.parameters.clone();
        parameters.extend(self.parameters.clone());
        TargetSpec {
            account: self.account.clone().or_else(|| defaults.account.clone()),
            region: self.region.clone().or_else(|| defaults.region.clone()),
            environment: self
                .environment
                .clone()
                .or_else(|| defaults.environment.clone()),
            classification: self
                .classification
                .clone()
                .or_else(|| defaults.classification.clone()),
            parameters,
        }
    }
}

/// Where checked files are deployed, and what surrounds them.
#[derive(Debug, Clone, Default)]
pub struct Context {
    origin: String,
    snapshot: Option<Snapshot>,
    defaults: TargetSpec,
    files: Vec<(GlobMatcher, TargetSpec)>,
}

impl Context {
    /// No context: every file in the placeholder account, in `us-east-1`, environment and
    /// organization unknown.
    pub fn none() -> Context {
        Context {
            origin: "default".to_owned(),
            ..Context::default()
        }
    }

    /// The snapshot around the code, if given.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    /// Where the file `uri` is deployed.
    pub fn target(&self, uri: &str) -> Target {
        let spec = self
            .files
            .iter()
            .find(|(glob, _)| glob.is_match(uri))
            .map_or_else(|| self.defaults.clone(), |(_, s)| s.over(&self.defaults));
        Target {
            account_id: spec.account.unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned()),
            region: spec.region.unwrap_or_else(|| DEFAULT_REGION.to_owned()),
            environment: spec.environment,
            classification: spec.classification,
            parameters: spec.parameters,
            origin: self.origin.clone(),
        }
    }

    /// Reads a context file: a snapshot, or the YAML/JSON mapping of the module docs.
    pub fn load(path: &Path) -> Result<Context, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = rampart_iac::source::decode(&bytes)
            .ok_or_else(|| format!("{}: not UTF-8 or UTF-16 text", path.display()))?;
        let (_, root) = rampart_iac::source::parse_text(&text).map_err(|e| {
            ContextError {
                path: path.to_owned(),
                position: e.position,
                message: e.message,
            }
            .to_string()
        })?;
        let origin = path.display().to_string();
        if root.get("schema_version").is_some() && root.get("organization").is_some() {
            let snapshot = crate::model::parse_snapshot(&text, path).map_err(|e| e.to_string())?;
            return Ok(Context {
                origin,
                snapshot: Some(snapshot),
                ..Context::default()
            });
        }
        Self::from_tree(path, &root, origin).map_err(|e| e.to_string())
    }

    fn from_tree(path: &Path, root: &Node, origin: String) -> Result<Context, ContextError> {
        let err = |node: &Node, message: String| ContextError {
            path: path.to_owned(),
            position: node.span.start,
            message,
        };
        let entries = root
            .as_mapping()
            .ok_or_else(|| err(root, "a context is a mapping (or a snapshot)".to_owned()))?;
        let mut context = Context {
            origin,
            ..Context::default()
        };
        for entry in entries {
            match entry.key.as_str() {
                "snapshot" => {
                    let file = entry
                        .value
                        .as_str()
                        .ok_or_else(|| err(&entry.value, "`snapshot` is a file path".into()))?;
                    let file = path.parent().unwrap_or(Path::new(".")).join(file);
                    let snapshot =
                        crate::model::load_snapshot_file(&file).map_err(|e| ContextError {
                            path: path.to_owned(),
                            position: entry.value.span.start,
                            message: e.to_string(),
                        })?;
                    context.snapshot = Some(snapshot);
                }
                "defaults" => context.defaults = spec(path, &entry.value, false)?.1,
                "files" => {
                    let items = entry
                        .value
                        .as_sequence()
                        .ok_or_else(|| err(&entry.value, "`files` is a list".into()))?;
                    for item in items {
                        let (glob, spec) = spec(path, item, true)?;
                        let glob = glob.ok_or_else(|| err(item, "missing `path`".into()))?;
                        context.files.push((glob, spec));
                    }
                }
                other => {
                    return Err(ContextError {
                        path: path.to_owned(),
                        position: entry.key_span.start,
                        message: format!(
                            "unknown key `{other}` (expected snapshot, defaults or files)"
                        ),
                    })
                }
            }
        }
        Ok(context)
    }
}

/// One target specification, with its `path` glob when `with_path`.
fn spec(
    path: &Path,
    node: &Node,
    with_path: bool,
) -> Result<(Option<GlobMatcher>, TargetSpec), ContextError> {
    let err = |node: &Node, position: Option<Position>, message: String| ContextError {
        path: path.to_owned(),
        position: position.unwrap_or(node.span.start),
        message,
    };
    let entries = node
        .as_mapping()
        .ok_or_else(|| err(node, None, "expected a mapping".into()))?;
    let mut glob = None;
    let mut out = TargetSpec::default();
    for entry in entries {
        let value = &entry.value;
        let text = || {
            value
                .scalar_text()
                .map(str::to_owned)
                .ok_or_else(|| err(value, None, format!("`{}` is a string", entry.key)))
        };
        match entry.key.as_str() {
            "path" if with_path => {
                let pattern = text()?;
                let matcher = Glob::new(&pattern)
                    .map_err(|e| err(value, None, format!("invalid glob `{pattern}`: {e}")))?
                    .compile_matcher();
                glob = Some(matcher);
            }
            "account" => {
                let account = text()?;
                if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(
                        value,
                        None,
                        format!("`{account}` is not a 12-digit account id (quote it in YAML)"),
                    ));
                }
                out.account = Some(account);
            }
            "region" => out.region = Some(text()?),
            "environment" => out.environment = Some(text()?),
            "classification" => out.classification = Some(text()?),
            "parameters" => {
                let params = value
                    .as_mapping()
                    .ok_or_else(|| err(value, None, "`parameters` is a mapping".into()))?;
                for p in params {
                    let v = match &p.value.value {
                        Value::Sequence(items) => items
                            .iter()
                            .map(|i| i.scalar_text().unwrap_or_default())
                            .collect::<Vec<_>>()
                            .join(","),
                        _ => p.value.scalar_text().map(str::to_owned).ok_or_else(|| {
                            err(&p.value, None, format!("parameter `{}` is a string", p.key))
                        })?,
                    };
                    out.parameters.insert(p.key.clone(), v);
                }
            }
            other => {
                let expected = if with_path {
                    "path, account, region, environment, classification or parameters"
                } else {
                    "account, region, environment, classification or parameters"
                };
                return Err(err(
                    value,
                    Some(entry.key_span.start),
                    format!("unknown key `{other}` (expected {expected})"),
                ));
            }
        }
    }
    Ok((glob, out))
}
