//! Terraform plans (`terraform show -json PLANFILE`): the resources the plan would leave,
//! with their planned values as span-aware nodes of the plan file.
//!
//! What maps back to the configuration: the plan's `configuration` section names, for each
//! resource, the module call it sits in (and that call's `source`, the module directory)
//! and its `expressions` (references to other resources, kept as written). What does not:
//! file names and line numbers of `.tf` files, which Terraform's JSON plan format does not
//! carry. `config.location` comes from the configuration entry's `range`
//! (`{"filename": …, "start": {"line": …}}`, the shape of Terraform's JSON diagnostics) when
//! a wrapper tool added one, and from [`Plan::locate_blocks`], which finds each block in
//! the configuration's `.tf` files (the root module's directory, and the directories of
//! module calls with a local `source`) with the `rampart:skip` comments written on it (see
//! [`crate::hcl_blocks`]).

use std::collections::{BTreeSet, HashMap};

use crate::hcl_blocks::{self, Skip};
use crate::tree::{Node, ParseError, Span, Value};

/// A Terraform plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// `format_version` of the JSON plan format.
    pub format_version: String,
    /// `terraform_version`, if given.
    pub terraform_version: Option<String>,
    /// The resources of `planned_values` (or, without it, of `resource_changes`), root
    /// module first, then child modules depth first, each in plan order.
    pub resources: Vec<PlanResource>,
}

/// Whether a resource is managed or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceMode {
    /// A `resource` block.
    Managed,
    /// A `data` block.
    Data,
}

/// One resource instance of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanResource {
    /// The instance address (`module.logs.aws_s3_bucket.this["a"]`).
    pub address: String,
    /// The module address (`module.logs`), `None` in the root module.
    pub module_address: Option<String>,
    /// Managed or data.
    pub mode: ResourceMode,
    /// The resource type (`aws_s3_bucket`).
    pub resource_type: String,
    /// The name in its module (`this`).
    pub name: String,
    /// `count` or `for_each` key, if any.
    pub index: Option<Node>,
    /// The provider (`registry.terraform.io/hashicorp/aws`).
    pub provider: String,
    /// The planned attribute values (absent attributes are unknown until apply).
    pub values: Node,
    /// Where the resource is in the plan file.
    pub span: Span,
    /// The actions planned for it (`create`, `update`, `delete`, `no-op`, …), from
    /// `resource_changes`.
    pub actions: Vec<String>,
    /// `change.after_unknown`: which attributes are known only after apply.
    pub after_unknown: Option<Node>,
    /// Its block in the configuration, if the plan holds one.
    pub config: Option<ResourceConfig>,
}

/// A resource's block as the plan's `configuration` section describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceConfig {
    /// The `source` of the module call the resource sits in (`./modules/logs`); `None` in
    /// the root module.
    pub module_source: Option<String>,
    /// The block's `expressions` (constant values and references), if given.
    pub expressions: Option<Node>,
    /// The `.tf` file and line, when the plan holds them (see the module docs) or
    /// [`Plan::locate_blocks`] found the block.
    pub location: Option<ConfigLocation>,
    /// The directory of the module's `.tf` files relative to the root module's (`""` for
    /// the root module, `modules/logs` for a call with `source = "./modules/logs"`), when
    /// every module call on the way has a local source.
    pub module_dir: Option<String>,
    /// The rules skipped by `rampart:skip` comments on the block.
    pub skips: Vec<Skip>,
}

/// A place in a `.tf` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    /// The file, relative to the root module's directory (`modules/logs/main.tf`).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (1 when the plan's `range` gives none).
    pub column: u32,
}

/// A `.tf` file of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TfFile {
    /// The file, relative to the root module's directory, `/`-separated.
    pub path: String,
    /// Its text.
    pub text: String,
}

fn error(node: &Node, message: impl Into<String>) -> ParseError {
    ParseError::new(node.span.start, message)
}

fn text(node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(Node::as_str).map(str::to_owned)
}

fn required(node: &Node, key: &str, what: &str) -> Result<String, ParseError> {
    text(node, key).ok_or_else(|| error(node, format!("{what} has no string `{key}`")))
}

fn list<'a>(node: &'a Node, key: &str) -> Result<&'a [Node], ParseError> {
    match node.get(key) {
        None
        | Some(Node {
            value: Value::Null, ..
        }) => Ok(&[]),
        Some(value) => value.as_sequence().ok_or_else(|| {
            error(
                value,
                format!("`{key}` must be a list, found {}", value.kind()),
            )
        }),
    }
}

impl Plan {
    /// Reads a plan from its tree.
    pub fn from_tree(root: &Node) -> Result<Plan, ParseError> {
        let format_version = root
            .get("format_version")
            .and_then(Node::scalar_text)
            .map(str::to_owned)
            .ok_or_else(|| error(root, "a plan needs a `format_version`"))?;
        let changes = list(root, "resource_changes")?;
        let mut resources = Vec::new();
        match root.pointer(&["planned_values", "root_module"]) {
            Some(module) => walk_module(module, None, &mut resources, 0)?,
            None => {
                for change in changes {
                    let after = change.pointer(&["change", "after"]);
                    resources.push(resource(change, after, text(change, "module_address"))?);
                }
            }
        }
        let configuration = root.pointer(&["configuration", "root_module"]);
        let by_address: HashMap<&str, &Node> = changes
            .iter()
            .filter_map(|c| Some((c.get("address")?.as_str()?, c)))
            .collect();
        for resource in &mut resources {
            if let Some(change) = by_address.get(resource.address.as_str()) {
                resource.actions = change
                    .pointer(&["change", "actions"])
                    .and_then(Node::as_sequence)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect();
                resource.after_unknown = change.pointer(&["change", "after_unknown"]).cloned();
            }
            resource.config = configuration.and_then(|c| config_of(c, resource));
        }
        Ok(Plan {
            format_version,
            terraform_version: text(root, "terraform_version"),
            resources,
        })
    }
}

impl Plan {
    /// The directories (relative to the root module's) whose `.tf` files declare the plan's
    /// resources: the root module's (`""`) and those of local module calls.
    pub fn module_dirs(&self) -> BTreeSet<String> {
        self.resources
            .iter()
            .filter_map(|r| r.config.as_ref()?.module_dir.clone())
            .collect()
    }

    /// Finds each resource's block (`resource "TYPE" "NAME" {`, `data …`) in `files` (the
    /// `.tf` files of [`Plan::module_dirs`]), for its location (the block's keyword, with
    /// its column, in place of a `range` the plan may give) and its skips. A file that does not scan (an unterminated string, a skip without a
    /// reason) is an error, returned with the file's path.
    pub fn locate_blocks(&mut self, files: &[TfFile]) -> Result<(), (String, ParseError)> {
        // (module dir, mode, type, name) → (file, block).
        let mut blocks = HashMap::new();
        for file in files {
            let dir = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            for block in hcl_blocks::scan(&file.text).map_err(|e| (file.path.clone(), e))? {
                let mode = match block.kind.as_str() {
                    "resource" => ResourceMode::Managed,
                    "data" => ResourceMode::Data,
                    _ => continue,
                };
                if let [resource_type, name] = &block.labels[..] {
                    blocks
                        .entry((dir.to_owned(), mode, resource_type.clone(), name.clone()))
                        .or_insert((file.path.clone(), block));
                }
            }
        }
        for resource in &mut self.resources {
            if resource.config.is_none() && resource.module_address.is_none() {
                // A plan without a `configuration`: root module resources are still found.
                resource.config = Some(ResourceConfig {
                    module_source: None,
                    expressions: None,
                    location: None,
                    module_dir: Some(String::new()),
                    skips: Vec::new(),
                });
            }
            let Some(config) = &mut resource.config else {
                continue;
            };
            let Some(dir) = &config.module_dir else {
                continue;
            };
            let key = (
                dir.clone(),
                resource.mode,
                resource.resource_type.clone(),
                resource.name.clone(),
            );
            if let Some((path, block)) = blocks.get(&key) {
                config.location = Some(ConfigLocation {
                    file: path.clone(),
                    line: block.start.line,
                    column: block.start.column,
                });
                config.skips = block.skips.clone();
            }
        }
        Ok(())
    }
}

/// `base` joined with a module source (`./x`, `../y`), `.` and `..` resolved lexically
/// (`..` above the root module's directory is kept).
fn join_dir(base: &str, source: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Whether a module source is a local path (Terraform's rule: it starts with `./` or `../`).
fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// How deep modules may nest (the tree's own limit is higher; this keeps the walk bounded).
const MAX_MODULE_DEPTH: usize = 64;

fn walk_module(
    module: &Node,
    address: Option<String>,
    out: &mut Vec<PlanResource>,
    depth: usize,
) -> Result<(), ParseError> {
    if depth > MAX_MODULE_DEPTH {
        return Err(error(module, "modules nested too deeply"));
    }
    for item in list(module, "resources")? {
        out.push(resource(item, item.get("values"), address.clone())?);
    }
    for child in list(module, "child_modules")? {
        walk_module(child, text(child, "address"), out, depth + 1)?;
    }
    Ok(())
}

fn resource(
    item: &Node,
    values: Option<&Node>,
    module_address: Option<String>,
) -> Result<PlanResource, ParseError> {
    let what = "a resource";
    let address = required(item, "address", what)?;
    let mode = match text(item, "mode").as_deref() {
        Some("managed") | None => ResourceMode::Managed,
        Some("data") => ResourceMode::Data,
        Some(other) => return Err(error(item, format!("unknown resource mode `{other}`"))),
    };
    Ok(PlanResource {
        module_address,
        mode,
        resource_type: required(item, "type", what)?,
        name: required(item, "name", what)?,
        index: item.get("index").cloned(),
        provider: text(item, "provider_name").unwrap_or_default(),
        values: values
            .cloned()
            .unwrap_or_else(|| Node::new(Value::Null, item.span)),
        span: item.span,
        actions: Vec::new(),
        after_unknown: None,
        config: None,
        address,
    })
}

/// The module call names of an address, outermost first, instance keys dropped.
fn module_calls(address: &str) -> Vec<&str> {
    let mut calls = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        calls.push(&after[..end]);
        let mut next = &after[end..];
        if next.starts_with('[') {
            // Instance keys may hold dots (`["a.b"]`): skip to the closing bracket.
            next = next.find(']').map_or("", |i| &next[i + 1..]);
        }
        rest = next.strip_prefix('.').unwrap_or("");
    }
    calls
}

fn config_of(root_module: &Node, resource: &PlanResource) -> Option<ResourceConfig> {
    let mut module = root_module;
    let mut module_source = None;
    let mut module_dir = Some(String::new());
    for call in module_calls(&resource.address) {
        let call = module.pointer(&["module_calls", call])?;
        module_source = text(call, "source");
        module_dir = match (module_dir, module_source.as_deref()) {
            (Some(dir), Some(source)) if is_local(source) => Some(join_dir(&dir, source)),
            _ => None,
        };
        module = call.get("module")?;
    }
    let local_address = match resource.mode {
        ResourceMode::Managed => format!("{}.{}", resource.resource_type, resource.name),
        ResourceMode::Data => format!("data.{}.{}", resource.resource_type, resource.name),
    };
    let block = list(module, "resources")
        .ok()?
        .iter()
        .find(|r| r.get("address").and_then(Node::as_str) == Some(&local_address))?;
    let location = block.get("range").and_then(|range| {
        let number = |key: &str| -> Option<u32> {
            range.pointer(&["start", key])?.scalar_text()?.parse().ok()
        };
        Some(ConfigLocation {
            file: text(range, "filename")?,
            line: number("line")?,
            column: number("column").unwrap_or(1),
        })
    });
    Some(ResourceConfig {
        module_source,
        expressions: block.get("expressions").cloned(),
        location,
        module_dir,
        skips: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_directories_join_local_sources() {
        assert_eq!(join_dir("", "./modules/logs"), "modules/logs");
        assert_eq!(join_dir("modules/logs", "../kms/"), "modules/kms");
        assert_eq!(join_dir("", "../shared"), "../shared");
        assert_eq!(join_dir("a", "./b/./c"), "a/b/c");
        assert!(is_local("./x") && is_local("../x"));
        assert!(!is_local("terraform-aws-modules/kms/aws") && !is_local("git::https://x"));
    }

    #[test]
    fn module_calls_of_addresses() {
        assert!(module_calls("aws_s3_bucket.a").is_empty());
        assert_eq!(
            module_calls("module.a[\"x.y\"].module.b.aws_s3_bucket.this"),
            ["a", "b"]
        );
    }
}
