//! The input side of `rampart check PATH…`: infrastructure code — CloudFormation templates
//! (JSON or YAML), Terraform plans (`terraform show -json`) and standalone IAM policy
//! files — parsed into a span-aware, typed form, so that the same rules as live scans can
//! judge it before merge and name the file, line and column of what they find.
//!
//! The flow: [`discover()`] lists the files, [`parse_all`] reads them in parallel; each file
//! is decoded ([`source`]), parsed into a [`Node`] tree where every value and key has its
//! [`Span`], classified ([`classify_tree`]) and read into a [`Document`]. Templates resolve
//! intrinsic functions through [`cfn::resolve`]. This crate depends on no engine and no
//! AWS SDK: the engine maps a [`Document`] into its model.

pub mod cfn;
pub mod discover;
pub mod hcl_blocks;
pub mod json;
pub mod source;
pub mod terraform;
pub mod tree;
pub mod yaml;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use cfn::{resolve, ResolveContext, Resolved, Template};
pub use discover::{discover, Discovery};
pub use source::Syntax;
pub use terraform::{Plan, PlanResource};
pub use tree::{Entry, Node, ParseError, Position, Span, Value};

/// A file that could not be read as infrastructure code, for people:
/// `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IacError {
    /// The file looks like infrastructure code but is not valid.
    #[error("{}:{}: {}", path.display(), error.position, error.message)]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and what.
        error: ParseError,
    },
    /// The file or directory could not be read.
    #[error("{}: {message}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// An exclude pattern is not a valid glob.
    #[error("invalid exclude pattern `{pattern}`: {message}")]
    Exclude {
        /// The pattern.
        pattern: String,
        /// Why.
        message: String,
    },
}

/// What kind of infrastructure code a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A CloudFormation template.
    CloudFormation,
    /// A Terraform plan in JSON.
    TerraformPlan,
    /// A standalone IAM policy document.
    Policy,
}

/// A standalone policy document, for `rampart-iam`'s validator (which reads the text).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFile {
    /// The decoded text (byte order mark removed, UTF-16 converted).
    pub text: String,
    /// The span-aware tree.
    pub tree: Node,
}

/// One file of infrastructure code, read.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one document per file, most of them templates: boxing would save nothing"
)]
pub enum Document {
    /// A CloudFormation template.
    CloudFormation(Template),
    /// A Terraform plan.
    TerraformPlan(Plan),
    /// A standalone IAM policy document.
    Policy(PolicyFile),
}

impl Document {
    /// The kind of the document.
    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::CloudFormation(_) => DocumentKind::CloudFormation,
            Document::TerraformPlan(_) => DocumentKind::TerraformPlan,
            Document::Policy(_) => DocumentKind::Policy,
        }
    }
}

/// What a parsed tree holds: a template (`AWSTemplateFormatVersion`, or `Resources` with a
/// `Type` or a `Fn::ForEach` loop), a plan (`format_version` with `planned_values` or `resource_changes`), a policy
/// (`Statement`, in JSON), or `None` (not infrastructure code).
pub fn classify_tree(syntax: Syntax, root: &Node) -> Option<DocumentKind> {
    root.as_mapping()?;
    let has = |key: &str| root.get(key).is_some();
    let typed_resources = root
        .get("Resources")
        .and_then(Node::as_mapping)
        .is_some_and(|resources| {
            resources
                .iter()
                .any(|r| r.value.get("Type").is_some() || r.key.starts_with("Fn::ForEach::"))
        });
    if has("AWSTemplateFormatVersion") || typed_resources {
        Some(DocumentKind::CloudFormation)
    } else if has("format_version") && (has("planned_values") || has("resource_changes")) {
        Some(DocumentKind::TerraformPlan)
    } else if has("Statement") && syntax == Syntax::Json {
        Some(DocumentKind::Policy)
    } else {
        None
    }
}

/// Whether a text that does not parse looks like infrastructure code: then its syntax
/// error is reported; otherwise the file is some other JSON or YAML, skipped.
fn looks_like_iac(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("Type"))
        || (text.contains("format_version")
            && (text.contains("planned_values") || text.contains("resource_changes")))
        || (text.contains("\"Statement\"") && source::syntax_of(text) == Syntax::Json)
}

/// The decoded text, syntax and tree of a file that is infrastructure code, with its kind.
struct Classified {
    text: String,
    syntax: Syntax,
    tree: Node,
    kind: DocumentKind,
}

fn classify_bytes(path: &Path, bytes: &[u8]) -> Result<Option<Classified>, IacError> {
    let Some(text) = source::decode(bytes) else {
        // Not text: a binary file is skipped, but a template with one mis-encoded byte (a
        // Latin-1 `é`) is an error at that byte, never silently left unchecked.
        let lossy = String::from_utf8_lossy(bytes);
        if !looks_like_iac(&lossy) {
            return Ok(None);
        }
        let valid = match std::str::from_utf8(bytes) {
            Ok(all) => all,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
        };
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let position = tree::Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        );
        return Err(IacError::Parse {
            path: path.to_owned(),
            error: ParseError::new(
                position,
                "not UTF-8 (or UTF-16 with a byte order mark) text",
            ),
        });
    };
    match source::parse_text(&text) {
        Ok((syntax, tree)) => Ok(classify_tree(syntax, &tree).map(|kind| Classified {
            text: text.into_owned(),
            syntax,
            tree,
            kind,
        })),
        Err(error) if looks_like_iac(&text) => Err(IacError::Parse {
            path: path.to_owned(),
            error,
        }),
        Err(_) => Ok(None),
    }
}

/// The kind of infrastructure code `bytes` (the content of `path`) hold, `None` if they
/// are not infrastructure code; an error if they look like it but do not parse.
pub fn classify(path: &Path, bytes: &[u8]) -> Result<Option<DocumentKind>, IacError> {
    Ok(classify_bytes(path, bytes)?.map(|c| c.kind))
}

/// Reads `bytes` (the content of `path`) into a document, `None` if they are not
/// infrastructure code.
pub fn parse_document(path: &Path, bytes: &[u8]) -> Result<Option<Document>, IacError> {
    let Some(classified) = classify_bytes(path, bytes)? else {
        return Ok(None);
    };
    let at = |error: ParseError| IacError::Parse {
        path: path.to_owned(),
        error,
    };
    let document = match classified.kind {
        DocumentKind::CloudFormation => Document::CloudFormation(
            Template::from_tree(classified.syntax, classified.tree).map_err(at)?,
        ),
        DocumentKind::TerraformPlan => {
            Document::TerraformPlan(Plan::from_tree(&classified.tree).map_err(at)?)
        }
        DocumentKind::Policy => Document::Policy(PolicyFile {
            text: classified.text,
            tree: classified.tree,
        }),
    };
    Ok(Some(document))
}

/// Reads the file at `path` into a document, `None` if it is not infrastructure code. A
/// plan's resources are found in the `.tf` files beside it (see [`read_tf_files`]); a `.tf`
/// file that does not scan is an error naming it.
pub fn parse_file(path: &Path) -> Result<Option<Document>, IacError> {
    let bytes = std::fs::read(path).map_err(|e| IacError::Read {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let mut document = parse_document(path, &bytes)?;
    if let Some(Document::TerraformPlan(plan)) = &mut document {
        let root = path.parent().unwrap_or(Path::new(""));
        let files = read_tf_files(plan, root)?;
        plan.locate_blocks(&files)
            .map_err(|(file, error)| IacError::Parse {
                path: root.join(file),
                error,
            })?;
    }
    Ok(document)
}

/// The `.tf` files of a plan's modules ([`Plan::module_dirs`]) below `root`, the directory
/// of the root module (the plan file's), in path order. A directory that is not there (the
/// plan checked away from its configuration) has none.
pub fn read_tf_files(plan: &Plan, root: &Path) -> Result<Vec<terraform::TfFile>, IacError> {
    let mut files = Vec::new();
    for dir in plan.module_dirs() {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                let name = e.file_name().to_str()?.to_owned();
                (name.ends_with(".tf") && e.file_type().ok()?.is_file()).then_some(name)
            })
            .collect();
        names.sort();
        for name in names {
            let relative = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            let path = root.join(&relative);
            let bytes = std::fs::read(&path).map_err(|e| IacError::Read {
                path: path.clone(),
                message: e.to_string(),
            })?;
            let Some(text) = source::decode(&bytes) else {
                return Err(IacError::Read {
                    path,
                    message: "not UTF-8 or UTF-16 text".to_owned(),
                });
            };
            files.push(terraform::TfFile {
                path: relative,
                text: text.into_owned(),
            });
        }
    }
    Ok(files)
}

/// Reads every file in parallel; the results are in the order of `paths` whatever the
/// number of threads.
pub fn parse_all(paths: &[PathBuf]) -> Vec<(PathBuf, Result<Option<Document>, IacError>)> {
    paths
        .par_iter()
        .map(|path| (path.clone(), parse_file(path)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn shared_types_are_send_and_sync() {
        assert_send_sync::<Document>();
        assert_send_sync::<IacError>();
        assert_send_sync::<ResolveContext>();
        assert_send_sync::<Resolved>();
    }
}
