//! Terraform plans (`terraform show -json PLANFILE`): the resources the plan would leave,
//! with their planned values as span-aware nodes of the plan file.
//!
//! What maps back to the configuration: the plan's `configuration` section names, for each
//! resource, the module call it sits in (and that call's `source`, the module directory)
//! and its `expressions` (references to other resources, kept as written). What does not:
//! file names and line numbers of `.tf` files, which Terraform's JSON plan format does not
//! carry. `config_location` is filled only when the configuration entry has a `range`
//! (`{"filename": …, "start": {"line": …}}`, the shape of Terraform's JSON diagnostics)
//! that a wrapper tool added; for plans straight from `terraform show -json` it is `None`.

use std::collections::HashMap;

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
    /// The `.tf` file and line, only when the plan holds them (see the module docs).
    pub location: Option<ConfigLocation>,
}

/// A place in a `.tf` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    /// The file, as the plan names it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
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
    for call in module_calls(&resource.address) {
        let call = module.pointer(&["module_calls", call])?;
        module_source = text(call, "source");
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
        Some(ConfigLocation {
            file: text(range, "filename")?,
            line: range
                .pointer(&["start", "line"])?
                .scalar_text()?
                .parse()
                .ok()?,
        })
    });
    Some(ResourceConfig {
        module_source,
        expressions: block.get("expressions").cloned(),
        location,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_calls_of_addresses() {
        assert!(module_calls("aws_s3_bucket.a").is_empty());
        assert_eq!(
            module_calls("module.a[\"x.y\"].module.b.aws_s3_bucket.this"),
            ["a", "b"]
        );
    }
}
