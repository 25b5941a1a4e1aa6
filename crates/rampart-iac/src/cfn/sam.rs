//! The SAM transform (`AWS::Serverless-2016-10-31`), for what rampart judges: an
//! `AWS::Serverless::Function` becomes an `AWS::Lambda::Function` and, unless it names a
//! `Role`, the execution role SAM creates for it (`{Function}Role`), as the published
//! transform builds it: trust to `lambda.amazonaws.com` (or the function's
//! `AssumeRolePolicyDocument`), `AWSLambdaBasicExecutionRole`, the X-Ray and VPC managed
//! policies when `Tracing` and `VpcConfig` are set, the managed policies of pull event
//! sources (SQS, Kinesis, DynamoDB, MSK), the dead-letter queue's policy, and `Policies`:
//! inline statements and managed policy ARNs. `Globals.Function` is merged into each
//! function first (mappings merged, lists concatenated, the function's value winning).
//!
//! What the transform adds that is not written out here — SAM policy templates
//! (`S3ReadPolicy`), managed policies given by name (SAM looks their ARNs up), the policies
//! of other event sources, destinations and connectors — is an `Fn::Rampart::NotExpanded`
//! value in the role's `Policies`, which the resolver reports as unknown with the reason:
//! the role's permissions are then unknown, never narrower than deployed. Generated nodes
//! carry the span of what they come from (the function's logical id, or its `Policies`).
//! Other serverless types (`Api`, `HttpApi`, `SimpleTable`, `StateMachine`, …) are kept
//! as written.

use std::collections::HashMap;

use super::resolve::NOT_EXPANDED;
use super::template::Template;
use crate::tree::{Entry, Node, ParseError, Span, Value};

/// The SAM transform.
pub const SERVERLESS: &str = "AWS::Serverless-2016-10-31";

const FUNCTION: &str = "AWS::Serverless::Function";

/// The managed policies SAM attaches for pull event sources, by event `Type`.
const EVENT_POLICIES: [(&str, &str); 4] = [
    ("SQS", "service-role/AWSLambdaSQSQueueExecutionRole"),
    ("Kinesis", "service-role/AWSLambdaKinesisExecutionRole"),
    ("DynamoDB", "service-role/AWSLambdaDynamoDBExecutionRole"),
    ("MSK", "service-role/AWSLambdaMSKExecutionRole"),
];

/// Event sources whose permissions SAM writes as inline policies not reproduced here.
const EVENT_INLINE: [&str; 3] = ["MQ", "SelfManagedKafka", "DocumentDB"];

impl Template {
    /// Whether [`Self::expand_serverless`] would change the template: it declares the SAM
    /// transform and has a function.
    pub fn has_functions_to_expand(&self) -> bool {
        self.has_transform(SERVERLESS)
            && self
                .resources
                .iter()
                .any(|r| r.resource_type.as_str() == FUNCTION)
    }

    /// The template with its `AWS::Serverless::Function`s expanded (when it declares the
    /// SAM transform); see the module documentation. An error names a generated role whose
    /// logical id is already declared.
    pub fn expand_serverless(&self) -> Result<Template, ParseError> {
        if !self.has_functions_to_expand() {
            return Ok(self.clone());
        }
        let globals = self.root.pointer(&["Globals", "Function"]);
        let connected = connector_sources(self);
        let mut root = self.root.clone();
        let mut stands_for = HashMap::new();
        if let Value::Mapping(sections) = &mut root.value {
            let Some(resources) = sections.iter_mut().find(|e| e.key == "Resources") else {
                return Ok(self.clone());
            };
            let Value::Mapping(entries) = &resources.value.value else {
                return Ok(self.clone());
            };
            let mut out = Vec::with_capacity(entries.len());
            for entry in entries {
                if entry.value.get("Type").and_then(Node::as_str) != Some(FUNCTION) {
                    out.push(entry.clone());
                    continue;
                }
                let function = Function::new(entry, globals, connected.contains(&entry.key));
                out.push(function.lambda());
                if let Some(role) = function.role() {
                    if let Some(r) = self.resource(&entry.key) {
                        if let Some(l) = &r.stands_for {
                            stands_for.insert(role.key.clone(), l.clone());
                        }
                    }
                    out.push(role);
                }
            }
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for e in &out {
                if let Some(first) = seen.insert(&e.key, e.key_span) {
                    return Err(ParseError::new(
                        e.key_span.start.max(first.start),
                        format!(
                            "`{}` is declared twice once the SAM transform creates the execution roles of functions",
                            e.key
                        ),
                    ));
                }
            }
            resources.value.value = Value::Mapping(out);
        }
        let mut template = Template::from_tree(self.syntax, root)?;
        template.undecided_loops = self.undecided_loops.clone();
        for resource in &mut template.resources {
            resource.stands_for = self
                .resource(&resource.logical_id)
                .and_then(|r| r.stands_for.clone())
                .or_else(|| stands_for.get(&resource.logical_id).cloned());
        }
        Ok(template)
    }
}

/// The logical ids of resources that are the source of a SAM connector (which adds
/// permissions to their role).
fn connector_sources(template: &Template) -> Vec<String> {
    let mut out = Vec::new();
    for r in &template.resources {
        if r.resource_type.as_str() == "AWS::Serverless::Connector" {
            if let Some(id) = r.property(&["Source", "Id"]).and_then(Node::as_str) {
                out.push(id.to_owned());
            }
        }
    }
    if let Some(resources) = template.root.get("Resources").and_then(Node::as_mapping) {
        for e in resources {
            if e.value.get("Connectors").is_some() {
                out.push(e.key.clone());
            }
        }
    }
    out
}

/// A serverless function, its properties merged with `Globals.Function`.
struct Function<'a> {
    entry: &'a Entry,
    properties: Node,
    connected: bool,
}

impl<'a> Function<'a> {
    fn new(entry: &'a Entry, globals: Option<&Node>, connected: bool) -> Self {
        let at = entry.key_span;
        let local = entry
            .value
            .get("Properties")
            .cloned()
            .unwrap_or_else(|| Node::new(Value::Mapping(Vec::new()), at));
        let properties = match globals {
            Some(globals) => merge(globals, &local),
            None => local,
        };
        Function {
            entry,
            properties,
            connected,
        }
    }

    /// A synthesized node at the function's logical id.
    fn node(&self, value: Value) -> Node {
        Node::new(value, self.entry.key_span)
    }

    fn text(&self, text: &str) -> Node {
        self.node(Value::String(text.to_owned()))
    }

    fn map(&self, entries: Vec<(&str, Node)>) -> Node {
        self.node(Value::Mapping(
            entries
                .into_iter()
                .map(|(k, v)| Entry {
                    key: k.to_owned(),
                    key_span: self.entry.key_span,
                    value: v,
                })
                .collect(),
        ))
    }

    fn property(&self, key: &str) -> Option<&Node> {
        self.properties.get(key)
    }

    /// The function as `AWS::Lambda::Function`, its attributes (`Condition`, `DependsOn`,
    /// `Metadata`) kept, its `Role` the generated one unless it names one.
    fn lambda(&self) -> Entry {
        let mut properties = self.properties.clone();
        if self.property("Role").is_none() {
            if let Value::Mapping(entries) = &mut properties.value {
                entries.push(Entry {
                    key: "Role".to_owned(),
                    key_span: self.entry.key_span,
                    value: self.map(vec![(
                        "Fn::GetAtt",
                        self.node(Value::Sequence(vec![
                            self.text(&self.role_id()),
                            self.text("Arn"),
                        ])),
                    )]),
                });
            }
        }
        let mut value = self.entry.value.clone();
        if let Value::Mapping(entries) = &mut value.value {
            for e in entries.iter_mut() {
                match e.key.as_str() {
                    "Type" => {
                        e.value = Node::new(
                            Value::String("AWS::Lambda::Function".to_owned()),
                            e.value.span,
                        )
                    }
                    "Properties" => e.value = properties.clone(),
                    _ => {}
                }
            }
            if !entries.iter().any(|e| e.key == "Properties") {
                entries.push(Entry {
                    key: "Properties".to_owned(),
                    key_span: self.entry.key_span,
                    value: properties,
                });
            }
        }
        Entry {
            key: self.entry.key.clone(),
            key_span: self.entry.key_span,
            value,
        }
    }

    fn role_id(&self) -> String {
        format!("{}Role", self.entry.key)
    }

    /// `arn:${AWS::Partition}:iam::aws:policy/NAME`, as SAM writes AWS managed policies.
    fn aws_managed(&self, name: &str) -> Node {
        self.map(vec![(
            "Fn::Sub",
            self.text(&format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}")),
        )])
    }

    fn not_expanded(&self, index: usize, at: Span, reason: String) -> Node {
        let name = format!("{}Policy{index}", self.role_id());
        let mut policy = self.map(vec![
            ("PolicyName", self.text(&name)),
            (
                "PolicyDocument",
                self.map(vec![(NOT_EXPANDED, self.text(&reason))]),
            ),
        ]);
        policy.span = at;
        policy
    }

    /// The execution role SAM creates, unless the function names its `Role`.
    fn role(&self) -> Option<Entry> {
        if self.property("Role").is_some() {
            return None;
        }
        let role_id = self.role_id();
        let trust = match self.property("AssumeRolePolicyDocument") {
            Some(document) => document.clone(),
            None => self.map(vec![
                ("Version", self.text("2012-10-17")),
                (
                    "Statement",
                    self.node(Value::Sequence(vec![self.map(vec![
                        (
                            "Action",
                            self.node(Value::Sequence(vec![self.text("sts:AssumeRole")])),
                        ),
                        ("Effect", self.text("Allow")),
                        (
                            "Principal",
                            self.map(vec![(
                                "Service",
                                self.node(Value::Sequence(vec![self.text("lambda.amazonaws.com")])),
                            )]),
                        ),
                    ])])),
                ),
            ]),
        };
        let mut managed = vec![self.aws_managed("service-role/AWSLambdaBasicExecutionRole")];
        if self.property("Tracing").is_some() {
            managed.push(self.aws_managed("AWSXrayWriteOnlyAccess"));
        }
        if self.property("VpcConfig").is_some() {
            managed.push(self.aws_managed("service-role/AWSLambdaVPCAccessExecutionRole"));
        }
        let mut inline = Vec::new();
        let policies_at = self
            .property("Policies")
            .map_or(self.entry.key_span, |p| p.span);
        let listed: Vec<Node> = match self.property("Policies").map(|p| &p.value) {
            None => Vec::new(),
            Some(Value::Sequence(items)) => items.clone(),
            Some(_) => self.property("Policies").cloned().into_iter().collect(),
        };
        for (index, item) in listed.into_iter().enumerate() {
            match classify(&item) {
                Policy::Statement => inline.push(self.map(vec![
                    ("PolicyName", self.text(&format!("{role_id}Policy{index}"))),
                    ("PolicyDocument", item),
                ])),
                Policy::Managed => {
                    if !managed.contains(&item) {
                        managed.push(item);
                    }
                }
                Policy::NotExpanded(reason) => {
                    inline.push(self.not_expanded(index, item.span, reason));
                }
            }
        }
        if let Some(queue) = self.property("DeadLetterQueue") {
            let action = match queue.get("Type").and_then(Node::as_str) {
                Some("SQS") => Some("sqs:SendMessage"),
                Some("SNS") => Some("sns:Publish"),
                _ => None,
            };
            match (action, queue.get("TargetArn")) {
                (Some(action), Some(target)) => inline.push(self.map(vec![
                    ("PolicyName", self.text("DeadLetterQueuePolicy")),
                    (
                        "PolicyDocument",
                        self.map(vec![
                            ("Version", self.text("2012-10-17")),
                            (
                                "Statement",
                                self.node(Value::Sequence(vec![self.map(vec![
                                    ("Action", self.text(action)),
                                    ("Resource", target.clone()),
                                    ("Effect", self.text("Allow")),
                                ])])),
                            ),
                        ]),
                    ),
                ])),
                _ => inline.push(self.not_expanded(
                    inline.len(),
                    queue.span,
                    "the dead-letter queue's policy (SAM transform) is not decided".to_owned(),
                )),
            }
        }
        for (name, event) in self
            .property("Events")
            .and_then(Node::as_mapping)
            .unwrap_or(&[])
            .iter()
            .map(|e| (&e.key, &e.value))
        {
            let kind = event.get("Type").and_then(Node::as_str).unwrap_or_default();
            if let Some((_, policy)) = EVENT_POLICIES.iter().find(|(t, _)| *t == kind) {
                let arn = self.aws_managed(policy);
                if !managed.contains(&arn) {
                    managed.push(arn);
                }
            } else if EVENT_INLINE.contains(&kind) {
                inline.push(self.not_expanded(
                    inline.len(),
                    event.span,
                    format!(
                        "the policy SAM writes for the `{kind}` event `{name}` is not expanded"
                    ),
                ));
            }
        }
        if let Some(config) = self.property("EventInvokeConfig") {
            if config.get("DestinationConfig").is_some() {
                inline.push(
                    self.not_expanded(
                        inline.len(),
                        config.span,
                        "the policies SAM writes for the function's destinations are not expanded"
                            .to_owned(),
                    ),
                );
            }
        }
        if self.connected {
            inline.push(self.not_expanded(
                inline.len(),
                self.entry.key_span,
                "the policies of SAM connectors from this function are not expanded".to_owned(),
            ));
        }
        let mut tags = vec![self.map(vec![
            ("Key", self.text("lambda:createdBy")),
            ("Value", self.text("SAM")),
        ])];
        if let Some(Value::Mapping(entries)) = self.property("Tags").map(|t| &t.value) {
            for e in entries {
                tags.push(Node::new(
                    Value::Mapping(vec![
                        Entry {
                            key: "Key".to_owned(),
                            key_span: e.key_span,
                            value: Node::new(Value::String(e.key.clone()), e.key_span),
                        },
                        Entry {
                            key: "Value".to_owned(),
                            key_span: e.key_span,
                            value: e.value.clone(),
                        },
                    ]),
                    e.span(),
                ));
            }
        }
        let mut properties = vec![
            ("AssumeRolePolicyDocument", trust),
            ("ManagedPolicyArns", self.node(Value::Sequence(managed))),
            ("Tags", self.node(Value::Sequence(tags))),
        ];
        if !inline.is_empty() {
            let mut policies = self.node(Value::Sequence(inline));
            policies.span = policies_at;
            properties.push(("Policies", policies));
        }
        if let Some(path) = self.property("RolePath") {
            properties.push(("Path", path.clone()));
        }
        if let Some(boundary) = self.property("PermissionsBoundary") {
            properties.push(("PermissionsBoundary", boundary.clone()));
        }
        let mut resource = vec![
            ("Type", self.text("AWS::IAM::Role")),
            ("Properties", self.map(properties)),
        ];
        // The role is created with the function: same condition, same skips.
        for attribute in ["Condition", "Metadata"] {
            if let Some(value) = self.entry.value.get(attribute) {
                resource.push((attribute, value.clone()));
            }
        }
        Some(Entry {
            key: role_id,
            key_span: self.entry.key_span,
            value: self.map(resource),
        })
    }
}

/// What an item of a function's `Policies` is, as SAM classifies it.
enum Policy {
    /// A policy document (`Statement`): an inline policy.
    Statement,
    /// A managed policy ARN, or a function giving one (`!Ref`, `!Sub`, `!If`).
    Managed,
    /// Something the transform turns into permissions not written out here.
    NotExpanded(String),
}

fn classify(item: &Node) -> Policy {
    match &item.value {
        Value::String(text) if text.starts_with("arn:") => Policy::Managed,
        Value::String(text) => Policy::NotExpanded(format!(
            "the managed policy `{text}` is named, not given by ARN: SAM looks its ARN up"
        )),
        Value::Mapping(_) => match item.intrinsic() {
            Some(("Fn::If", argument)) => {
                // The branches decide: documents are inline policies.
                let statement = argument
                    .as_sequence()
                    .is_some_and(|b| b.iter().skip(1).any(|n| n.get("Statement").is_some()));
                if statement {
                    Policy::NotExpanded(
                        "a policy document chosen by `Fn::If` in `Policies` (SAM transform) is not expanded".to_owned(),
                    )
                } else {
                    Policy::Managed
                }
            }
            Some(_) => Policy::Managed,
            None if item.get("Statement").is_some() => Policy::Statement,
            None => match item.as_mapping() {
                Some([only]) => Policy::NotExpanded(format!(
                    "the SAM policy template `{}` is not expanded",
                    only.key
                )),
                _ => Policy::NotExpanded(
                    "an item of `Policies` that is neither a document nor a managed policy"
                        .to_owned(),
                ),
            },
        },
        _ => Policy::NotExpanded(format!("a {} in `Policies`", item.kind())),
    }
}

/// `Globals` merged into a resource's properties: mappings key by key, lists concatenated
/// (the global items first), anything else (intrinsic functions included) the local value.
fn merge(global: &Node, local: &Node) -> Node {
    let is_plain_map = |n: &Node| n.as_mapping().is_some() && n.intrinsic().is_none();
    if is_plain_map(global) && is_plain_map(local) {
        let (Some(g), Some(l)) = (global.as_mapping(), local.as_mapping()) else {
            return local.clone();
        };
        let mut out: Vec<Entry> = g.to_vec();
        for entry in l {
            match out.iter_mut().find(|e| e.key == entry.key) {
                Some(existing) => {
                    existing.value = merge(&existing.value, &entry.value);
                    existing.key_span = entry.key_span;
                }
                None => out.push(entry.clone()),
            }
        }
        return Node::new(Value::Mapping(out), local.span);
    }
    match (&global.value, &local.value) {
        (Value::Sequence(g), Value::Sequence(l)) => Node::new(
            Value::Sequence(g.iter().chain(l).cloned().collect()),
            local.span,
        ),
        _ => local.clone(),
    }
}

#[cfg(test)]
#[path = "sam_tests.rs"]
mod tests;
