//! The template model: parameters, mappings, conditions, resources (with their inline
//! suppressions) and `Fn::ForEach` blocks, read from the span-aware tree.

use super::for_each::UndecidedLoop;
use crate::source::Syntax;
use crate::tree::{Entry, Node, ParseError, Span, Value};

/// A CloudFormation template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The syntax it is written in.
    pub syntax: Syntax,
    /// `AWSTemplateFormatVersion`, if given.
    pub format_version: Option<String>,
    /// `Description`, if given.
    pub description: Option<String>,
    /// `Transform`: the macros applied before deployment (`AWS::Serverless-2016-10-31`,
    /// `AWS::LanguageExtensions`, …), in order.
    pub transform: Vec<String>,
    /// `Parameters`, in document order.
    pub parameters: Vec<Parameter>,
    /// `Mappings`: each map's name and its two-level value.
    pub mappings: Vec<Named>,
    /// `Conditions`: each condition's name and its expression.
    pub conditions: Vec<Named>,
    /// `Resources`, in document order, `Fn::ForEach` blocks excepted.
    pub resources: Vec<Resource>,
    /// `Fn::ForEach` blocks of `Resources` (`AWS::LanguageExtensions`) as written, before
    /// [`Template::expand_for_each`]; empty after it.
    pub for_each: Vec<ForEach>,
    /// After [`Template::expand_for_each`]: the loops whose collection the code does not
    /// decide, whose identifiers resolve to `Unknown`.
    pub undecided_loops: Vec<UndecidedLoop>,
    /// `Outputs`, in document order.
    pub outputs: Vec<Named>,
    /// The whole document.
    pub root: Node,
}

/// A named entry of a section (a mapping, a condition, an output).
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// The name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The value.
    pub node: Node,
}

/// A template parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The parameter's name.
    pub name: String,
    /// `Type` (`String`, `Number`, `CommaDelimitedList`, `AWS::SSM::Parameter::Value<…>`, …).
    pub parameter_type: String,
    /// `Default`, if given.
    pub default: Option<Node>,
    /// `NoEcho: true`.
    pub no_echo: bool,
    /// From the name to the end of the declaration.
    pub span: Span,
}

impl Parameter {
    /// Whether the value is a list (`CommaDelimitedList`, `List<…>`).
    pub fn is_list(&self) -> bool {
        let t = self.parameter_type.trim();
        t == "CommaDelimitedList" || t.starts_with("List<")
    }

    /// Whether the value is read from Systems Manager at deployment: the template's default
    /// and the given value are a parameter's name, never its value.
    pub fn is_from_ssm(&self) -> bool {
        self.parameter_type
            .trim()
            .starts_with("AWS::SSM::Parameter::Value<")
    }
}

/// The type of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    /// A resource type of AWS (`AWS::S3::Bucket`, `Alexa::ASK::Skill`).
    Aws(String),
    /// A custom resource (`Custom::Name`), backed by a Lambda function or SNS topic.
    Custom(String),
    /// Anything else: modules (`Org::Service::Thing::MODULE`), `Rain::Module`, third-party
    /// registry types. Kept as resources of an unknown type, never an error.
    Unknown(String),
}

impl ResourceType {
    /// Classifies a `Type` value.
    pub fn parse(text: &str) -> Self {
        let parts: Vec<&str> = text.split("::").collect();
        match parts.as_slice() {
            ["AWS" | "Alexa", service, resource] if !service.is_empty() && !resource.is_empty() => {
                ResourceType::Aws(text.to_owned())
            }
            ["Custom", name] if !name.is_empty() => ResourceType::Custom(text.to_owned()),
            _ => ResourceType::Unknown(text.to_owned()),
        }
    }

    /// The type as written.
    pub fn as_str(&self) -> &str {
        match self {
            ResourceType::Aws(t) | ResourceType::Custom(t) | ResourceType::Unknown(t) => t,
        }
    }
}

/// A resource of `Resources`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The logical id.
    pub logical_id: String,
    /// `Type`.
    pub resource_type: ResourceType,
    /// From the logical id to the end of the resource.
    pub span: Span,
    /// Where the logical id is written.
    pub id_span: Span,
    /// Where the `Type` value is written.
    pub type_span: Span,
    /// `Properties`, if given.
    pub properties: Option<Node>,
    /// `Metadata`, if given.
    pub metadata: Option<Node>,
    /// `Condition`: the condition the resource is created under.
    pub condition: Option<String>,
    /// `DependsOn`, as a list.
    pub depends_on: Vec<String>,
    /// Rules skipped for this resource (`Metadata.rampart.skip`).
    pub suppressions: Vec<Suppression>,
    /// Declared in the body of a `Fn::ForEach` loop whose collection the code does not
    /// decide: the resource stands for every resource the loop creates (maybe none), its
    /// logical id as written in the loop (`Bucket${Name}`).
    pub stands_for: Option<UndecidedLoop>,
}

impl Resource {
    /// The value of the property at a path of keys (`["BucketEncryption",
    /// "ServerSideEncryptionConfiguration"]`).
    pub fn property(&self, path: &[&str]) -> Option<&Node> {
        self.properties.as_ref()?.pointer(path)
    }

    /// The key of a `Fn::ForEach` loop left in the properties (its collection undecided,
    /// or the transform not declared): the properties it generates are not known.
    pub fn unexpanded_property_loop(&self) -> Option<&str> {
        fn find(node: &Node) -> Option<&str> {
            match &node.value {
                Value::Mapping(entries) => entries.iter().find_map(|e| {
                    if e.key.starts_with(FOR_EACH) {
                        Some(e.key.as_str())
                    } else {
                        find(&e.value)
                    }
                }),
                Value::Sequence(items) => items.iter().find_map(find),
                _ => None,
            }
        }
        find(self.properties.as_ref()?)
    }
}

/// A rule skipped for one resource: `Metadata: {rampart: {skip: [{id: RULE, reason: TEXT}]}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The rule id.
    pub rule_id: String,
    /// Why (required).
    pub reason: String,
    /// Where the skip is written.
    pub span: Span,
}

/// A `Fn::ForEach::Name: [Identifier, Collection, {OutputKey: Value}]` block, unexpanded.
#[derive(Debug, Clone, PartialEq)]
pub struct ForEach {
    /// The key as written (`Fn::ForEach::Topics`).
    pub key: String,
    /// The loop's identifier.
    pub identifier: String,
    /// The collection iterated over (a list or an intrinsic function).
    pub collection: Node,
    /// The output template: keys holding `${Identifier}` and their values.
    pub output: Node,
    /// From the key to the end of the block.
    pub span: Span,
}

/// The prefix of a `Fn::ForEach` key.
pub(crate) const FOR_EACH: &str = "Fn::ForEach::";

impl Template {
    /// Reads a template from its tree.
    pub fn from_tree(syntax: Syntax, root: Node) -> Result<Template, ParseError> {
        let mut template = Template {
            syntax,
            format_version: optional_string(&root, "AWSTemplateFormatVersion")?,
            description: optional_string(&root, "Description")?,
            transform: transform(&root)?,
            parameters: Vec::new(),
            mappings: named(&root, "Mappings")?,
            conditions: named(&root, "Conditions")?,
            resources: Vec::new(),
            for_each: Vec::new(),
            undecided_loops: Vec::new(),
            outputs: named(&root, "Outputs")?,
            root: Node::new(Value::Null, root.span),
        };
        for parameter in named(&root, "Parameters")? {
            template.parameters.push(parameter_of(parameter)?);
        }
        for entry in section(&root, "Resources")?.unwrap_or(&[]) {
            if entry.key.starts_with(FOR_EACH) {
                template.for_each.push(for_each(entry)?);
            } else {
                template.resources.push(resource(entry)?);
            }
        }
        template.root = root;
        Ok(template)
    }

    /// The resource of `logical_id`.
    pub fn resource(&self, logical_id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.logical_id == logical_id)
    }

    /// The parameter `name`.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// The condition `name`'s expression.
    pub fn condition(&self, name: &str) -> Option<&Node> {
        find(&self.conditions, name)
    }

    /// The map `name` of `Mappings`.
    pub fn mapping(&self, name: &str) -> Option<&Node> {
        find(&self.mappings, name)
    }
}

fn find<'a>(named: &'a [Named], name: &str) -> Option<&'a Node> {
    named.iter().find(|n| n.name == name).map(|n| &n.node)
}

fn error(node: &Node, message: String) -> ParseError {
    ParseError::new(node.span.start, message)
}

fn optional_string(node: &Node, key: &str) -> Result<Option<String>, ParseError> {
    match node.get(key) {
        None => Ok(None),
        Some(value) => value
            .scalar_text()
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| {
                error(
                    value,
                    format!("`{key}` must be a string, found {}", value.kind()),
                )
            }),
    }
}

/// A section that must be a mapping (`Resources`, `Parameters`, …), if present.
fn section<'a>(root: &'a Node, key: &str) -> Result<Option<&'a [Entry]>, ParseError> {
    match root.get(key) {
        None => Ok(None),
        Some(node) => node.as_mapping().map(Some).ok_or_else(|| {
            error(
                node,
                format!("`{key}` must be a mapping, found {}", node.kind()),
            )
        }),
    }
}

fn named(root: &Node, key: &str) -> Result<Vec<Named>, ParseError> {
    Ok(section(root, key)?
        .unwrap_or(&[])
        .iter()
        .map(|e| Named {
            name: e.key.clone(),
            name_span: e.key_span,
            node: e.value.clone(),
        })
        .collect())
}

fn transform(root: &Node) -> Result<Vec<String>, ParseError> {
    let Some(node) = root.get("Transform") else {
        return Ok(Vec::new());
    };
    // A transform is a name, or `{Name: AWS::Include, Parameters: …}`.
    let name = |n: &Node| {
        n.as_str()
            .or_else(|| n.get("Name").and_then(Node::as_str))
            .map(str::to_owned)
            .ok_or_else(|| {
                error(
                    n,
                    format!("a `Transform` must be a name, found {}", n.kind()),
                )
            })
    };
    match node.as_sequence() {
        Some(items) => items.iter().map(name).collect(),
        None => Ok(vec![name(node)?]),
    }
}

fn parameter_of(named: Named) -> Result<Parameter, ParseError> {
    let Named {
        name,
        name_span,
        node,
    } = named;
    if node.as_mapping().is_none() {
        return Err(error(
            &node,
            format!(
                "parameter `{name}` must be a mapping, found {}",
                node.kind()
            ),
        ));
    }
    let parameter_type = optional_string(&node, "Type")?.ok_or_else(|| {
        ParseError::new(name_span.start, format!("parameter `{name}` has no `Type`"))
    })?;
    let no_echo = matches!(
        node.get("NoEcho").map(|n| &n.value),
        Some(Value::Bool(true))
    ) || node.get("NoEcho").and_then(Node::as_str) == Some("true");
    Ok(Parameter {
        span: name_span.to(node.span),
        default: node.get("Default").cloned(),
        name,
        parameter_type,
        no_echo,
    })
}

fn resource(entry: &Entry) -> Result<Resource, ParseError> {
    let id = &entry.key;
    let node = &entry.value;
    if node.as_mapping().is_none() {
        return Err(error(
            node,
            format!("resource `{id}` must be a mapping, found {}", node.kind()),
        ));
    }
    let type_node = node.get("Type").ok_or_else(|| {
        ParseError::new(
            entry.key_span.start,
            format!("resource `{id}` has no `Type`"),
        )
    })?;
    let type_name = type_node.as_str().ok_or_else(|| {
        error(
            type_node,
            format!(
                "the `Type` of resource `{id}` must be a string, found {}",
                type_node.kind()
            ),
        )
    })?;
    let metadata = node.get("Metadata").cloned();
    Ok(Resource {
        logical_id: id.clone(),
        resource_type: ResourceType::parse(type_name),
        span: entry.span(),
        id_span: entry.key_span,
        type_span: type_node.span,
        properties: node.get("Properties").cloned(),
        condition: optional_string(node, "Condition")?,
        depends_on: depends_on(node)?,
        suppressions: match &metadata {
            Some(metadata) => suppressions(metadata)?,
            None => Vec::new(),
        },
        metadata,
        stands_for: None,
    })
}

fn depends_on(resource: &Node) -> Result<Vec<String>, ParseError> {
    let Some(node) = resource.get("DependsOn") else {
        return Ok(Vec::new());
    };
    let items = node.as_sequence().unwrap_or(std::slice::from_ref(node));
    items
        .iter()
        .map(|item| {
            item.as_str().map(str::to_owned).ok_or_else(|| {
                error(
                    item,
                    format!("`DependsOn` must name resources, found {}", item.kind()),
                )
            })
        })
        .collect()
}

/// `Metadata.rampart.skip`: a list of `{id, reason}`; a skip without a reason is an error,
/// so that every suppression says why in review.
fn suppressions(metadata: &Node) -> Result<Vec<Suppression>, ParseError> {
    let Some(rampart) = metadata.get("rampart") else {
        return Ok(Vec::new());
    };
    let Some(skip) = rampart.get("skip") else {
        return Err(error(
            rampart,
            "`rampart` metadata must hold `skip`".to_owned(),
        ));
    };
    let items = skip.as_sequence().ok_or_else(|| {
        error(
            skip,
            format!(
                "`skip` must be a list of `{{id, reason}}`, found {}",
                skip.kind()
            ),
        )
    })?;
    items.iter().map(suppression).collect()
}

fn suppression(item: &Node) -> Result<Suppression, ParseError> {
    let entries = item.as_mapping().ok_or_else(|| {
        error(
            item,
            format!(
                "a skip must be a mapping `{{id, reason}}`, found {}",
                item.kind()
            ),
        )
    })?;
    if let Some(extra) = entries.iter().find(|e| e.key != "id" && e.key != "reason") {
        return Err(ParseError::new(
            extra.key_span.start,
            format!(
                "unknown key `{}` in a skip (expected `id` and `reason`)",
                extra.key
            ),
        ));
    }
    let text = |key: &str| item.get(key).and_then(Node::scalar_text).map(str::trim);
    let rule_id = text("id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| error(item, "a skip needs the rule's `id`".to_owned()))?;
    let reason = text("reason")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| error(item, format!("the skip of `{rule_id}` needs a `reason`")))?;
    Ok(Suppression {
        rule_id: rule_id.to_owned(),
        reason: reason.to_owned(),
        span: item.span,
    })
}

fn for_each(entry: &Entry) -> Result<ForEach, ParseError> {
    let shape = || {
        error(
            &entry.value,
            format!(
                "`{}` must be a list `[Identifier, Collection, {{OutputKey: Value}}]`",
                entry.key
            ),
        )
    };
    let [identifier, collection, output] = entry.value.as_sequence().ok_or_else(shape)? else {
        return Err(shape());
    };
    let identifier = identifier.as_str().ok_or_else(shape)?;
    if output.as_mapping().is_none() {
        return Err(shape());
    }
    Ok(ForEach {
        key: entry.key.clone(),
        identifier: identifier.to_owned(),
        collection: collection.clone(),
        output: output.clone(),
        span: entry.span(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_yaml;

    fn template(text: &str) -> Result<Template, ParseError> {
        Template::from_tree(Syntax::Yaml, parse_yaml(text).unwrap())
    }

    #[test]
    fn resource_types() {
        assert_eq!(
            ResourceType::parse("AWS::S3::Bucket"),
            ResourceType::Aws("AWS::S3::Bucket".into())
        );
        assert!(matches!(
            ResourceType::parse("Custom::Foo"),
            ResourceType::Custom(_)
        ));
        assert!(matches!(
            ResourceType::parse("Rain::Module"),
            ResourceType::Unknown(_)
        ));
        assert!(matches!(
            ResourceType::parse("Org::S3::Bucket::MODULE"),
            ResourceType::Unknown(_)
        ));
        assert!(matches!(
            ResourceType::parse("AWS::S3"),
            ResourceType::Unknown(_)
        ));
    }

    #[test]
    fn structure_errors_name_the_position() {
        let e = template("Resources:\n  A:\n    Properties: {}\n").unwrap_err();
        assert_eq!((e.position.line, e.position.column), (2, 3));
        assert_eq!(e.message, "resource `A` has no `Type`");
        let e = template("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    DependsOn: {x: 1}\n")
            .unwrap_err();
        assert_eq!(e.position.line, 4);
        let e = template("Resources: [a]\n").unwrap_err();
        assert!(e.message.contains("`Resources` must be a mapping"));
    }

    #[test]
    fn suppressions() {
        let t = template(
            "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Metadata:\n      rampart:\n        skip:\n          - id: s3-versioning\n            reason: logs bucket\n",
        )
        .unwrap();
        assert_eq!(t.resources[0].suppressions[0].rule_id, "s3-versioning");
        assert_eq!(t.resources[0].suppressions[0].span.start.line, 7);
        let e = template(
            "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Metadata:\n      rampart:\n        skip:\n          - id: s3-versioning\n",
        )
        .unwrap_err();
        assert_eq!(e.message, "the skip of `s3-versioning` needs a `reason`");
        assert_eq!((e.position.line, e.position.column), (7, 13));
        let e = template(
            "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Metadata: {rampart: {skip: [{id: x, reson: y}]}}\n",
        )
        .unwrap_err();
        assert!(e.message.contains("unknown key `reson`"));
    }
}
