//! `Fn::ForEach` loops (the `AWS::LanguageExtensions` transform) expanded in the tree, as
//! CloudFormation expands them before it reads the template: in `Resources` (resource
//! properties included), `Conditions` and `Outputs`, loops nested in loops, `${Identifier}`
//! and `&{Identifier}` (non-alphanumerics removed) in keys and `Fn::Sub` strings, and
//! `Ref: Identifier` in values. A generated node keeps the span of the loop body's node it
//! is copied from, so a finding on `BucketA` points into the loop.
//!
//! A collection the template and the context do not decide (a parameter without a default,
//! `Fn::ImportValue`) cannot be enumerated, and is never guessed: the loop body is kept
//! once, its identifier unbound, and the resources it declares *stand for* every resource
//! the loop creates ([`Resource::stands_for`](super::Resource)); a value depending on the
//! identifier resolves to `Unknown`. Two generated keys that are equal are an error at the
//! second, as CloudFormation refuses the template.

use std::collections::HashMap;

use super::resolve::resolve;
use super::resolved::{Resolved, Unknown, UnknownReason};
use super::template::{Template, FOR_EACH};
use super::ResolveContext;
use crate::tree::{Entry, Node, ParseError, Span, Value};

/// The transform that brings `Fn::ForEach`.
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

/// At most this many keys are generated in one template: CloudFormation allows 500
/// resources, and a hostile template must not expand without bound.
const MAX_GENERATED: usize = 10_000;

/// How deep loops may nest (CloudFormation allows five levels below the outermost).
const MAX_NESTING: usize = 16;

/// A loop whose collection the template and the context do not decide.
#[derive(Debug, Clone, PartialEq)]
pub struct UndecidedLoop {
    /// The loop's key (`Fn::ForEach::Buckets`).
    pub key: String,
    /// The loop's identifier.
    pub identifier: String,
    /// From the key to the end of the loop.
    pub span: Span,
    /// Why the collection is not known.
    pub reason: Unknown,
}

impl Template {
    /// Whether the template declares transform `name`.
    pub fn has_transform(&self, name: &str) -> bool {
        self.transform.iter().any(|t| t == name)
    }

    /// Whether [`Self::expand_for_each`] would change the template: it declares
    /// `AWS::LanguageExtensions` and has a loop.
    pub fn has_loops_to_expand(&self) -> bool {
        self.has_transform(LANGUAGE_EXTENSIONS) && contains_loop(&self.root)
    }

    /// The template with its `Fn::ForEach` loops expanded (when it declares
    /// `AWS::LanguageExtensions`), the collections resolved with `context`: resources,
    /// conditions and outputs as CloudFormation creates them, resources of undecided loops
    /// kept once and marked (see the module documentation). An error names the position
    /// of what CloudFormation would refuse: a generated logical id declared twice, a
    /// collection that is not a list of strings, a loop written wrongly.
    pub fn expand_for_each(&self, context: &ResolveContext) -> Result<Template, ParseError> {
        if !self.has_loops_to_expand() {
            return Ok(self.clone());
        }
        let mut expander = Expander {
            scratch: self.clone(),
            context,
            generated: 0,
            undecided: Vec::new(),
            stands_for: HashMap::new(),
        };
        let mut root = self.root.clone();
        if let Value::Mapping(entries) = &mut root.value {
            for entry in entries.iter_mut() {
                let level = match entry.key.as_str() {
                    "Resources" => Level::Resources,
                    "Conditions" | "Outputs" => Level::Other,
                    _ => continue,
                };
                if entry.value.as_mapping().is_some() {
                    entry.value = expander.mapping(&entry.value, &[], level, None)?;
                }
            }
        }
        let mut template = Template::from_tree(self.syntax, root)?;
        for resource in &mut template.resources {
            if let Some(index) = expander.stands_for.get(&resource.logical_id) {
                resource.stands_for = expander.undecided.get(*index).cloned();
            }
        }
        template.undecided_loops = expander.undecided;
        Ok(template)
    }
}

/// Whether a `Fn::ForEach` key appears anywhere below `node`.
fn contains_loop(node: &Node) -> bool {
    match &node.value {
        Value::Mapping(entries) => entries
            .iter()
            .any(|e| e.key.starts_with(FOR_EACH) || contains_loop(&e.value)),
        Value::Sequence(items) => items.iter().any(contains_loop),
        _ => false,
    }
}

/// Where a mapping is: the keys of `Resources` are logical ids (a resource of an undecided
/// loop stands for the loop's resources); elsewhere keys are names or properties.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Resources,
    Other,
}

/// An identifier in scope: its value, or `None` when its loop's collection is undecided.
type Binding = (String, Option<String>);

struct Expander<'a> {
    /// The template as written, for parameters and mappings; its `undecided_loops` grow
    /// as loops are met, so that a nested collection naming an undecided identifier is
    /// unknown too.
    scratch: Template,
    context: &'a ResolveContext,
    generated: usize,
    undecided: Vec<UndecidedLoop>,
    /// Logical id → index in `undecided` of the loop it stands for.
    stands_for: HashMap<String, usize>,
}

impl Expander<'_> {
    /// A mapping with its loops expanded and identifiers substituted in its keys; `within`
    /// is the undecided loop (index) the entries are generated by, if any.
    fn mapping(
        &mut self,
        node: &Node,
        bindings: &[Binding],
        level: Level,
        within: Option<usize>,
    ) -> Result<Node, ParseError> {
        let Some(entries) = node.as_mapping() else {
            return self.value(node, bindings);
        };
        let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
        let mut seen: HashMap<String, Span> = HashMap::new();
        for entry in entries {
            if entry.key.starts_with(FOR_EACH) {
                let generated = self.for_each(entry, bindings, level, within)?;
                for g in generated {
                    push_unique(&mut out, &mut seen, g)?;
                }
            } else {
                let key = substitute(&entry.key, bindings);
                let mut value = self.value(&entry.value, bindings)?;
                if level == Level::Resources {
                    value = self.static_condition(value)?;
                    if let Some(index) = within {
                        self.stands_for.insert(key.clone(), index);
                    }
                }
                push_unique(
                    &mut out,
                    &mut seen,
                    Entry {
                        key,
                        key_span: entry.key_span,
                        value,
                    },
                )?;
            }
        }
        if level == Level::Resources {
            // A loop's name must not be a logical id of the section.
            for entry in entries {
                if let Some(name) = entry.key.strip_prefix(FOR_EACH) {
                    if let Some(at) = seen.get(name) {
                        return Err(ParseError::new(
                            entry.key_span.start,
                            format!(
                                "the loop name `{name}` is also the logical id declared at {}",
                                at.start
                            ),
                        ));
                    }
                }
            }
        }
        Ok(Node::new(Value::Mapping(out), node.span))
    }

    /// The entries one loop generates.
    fn for_each(
        &mut self,
        entry: &Entry,
        bindings: &[Binding],
        level: Level,
        within: Option<usize>,
    ) -> Result<Vec<Entry>, ParseError> {
        let shape = || {
            ParseError::new(
                entry.value.span.start,
                format!(
                    "`{}` must be a list `[Identifier, Collection, {{OutputKey: Value}}]`",
                    entry.key
                ),
            )
        };
        let Some([identifier, collection, output]) = entry.value.as_sequence() else {
            return Err(shape());
        };
        let Some(identifier) = identifier.as_str() else {
            return Err(shape());
        };
        if output.as_mapping().is_none() {
            return Err(shape());
        }
        if bindings.len() >= MAX_NESTING {
            return Err(ParseError::new(
                entry.key_span.start,
                format!("`{}`: loops nested more than {MAX_NESTING} deep", entry.key),
            ));
        }
        if bindings.iter().any(|(name, _)| name == identifier) {
            return Err(ParseError::new(
                entry.value.span.start,
                format!(
                    "`{}`: the identifier `{identifier}` is already the identifier of an enclosing loop",
                    entry.key
                ),
            ));
        }
        let collection = self.value(collection, bindings)?;
        let items = match self.collection(&entry.key, &collection)? {
            Ok(items) => items,
            Err(reason) => {
                // Not enumerable: the body once, its identifier unbound.
                let index = self.undecided.len();
                let undecided = UndecidedLoop {
                    key: entry.key.clone(),
                    identifier: identifier.to_owned(),
                    span: entry.span(),
                    reason,
                };
                self.undecided.push(undecided.clone());
                self.scratch.undecided_loops.push(undecided);
                if level == Level::Other {
                    // Properties or outputs it would generate are not known: the loop is
                    // kept as written, which the resolver reports as unknown.
                    return Ok(vec![Entry {
                        key: entry.key.clone(),
                        key_span: entry.key_span,
                        value: entry.value.clone(),
                    }]);
                }
                let mut scope = bindings.to_vec();
                scope.push((identifier.to_owned(), None));
                let body = self.mapping(output, &scope, level, within.or(Some(index)))?;
                return Ok(into_entries(body));
            }
        };
        let mut out = Vec::new();
        for item in items {
            let mut scope = bindings.to_vec();
            scope.push((identifier.to_owned(), Some(item)));
            let body = self.mapping(output, &scope, level, within)?;
            let entries = into_entries(body);
            self.generated += entries.len();
            if self.generated > MAX_GENERATED {
                return Err(ParseError::new(
                    entry.key_span.start,
                    format!(
                        "`{}`: the loops generate more than {MAX_GENERATED} keys",
                        entry.key
                    ),
                ));
            }
            out.extend(entries);
        }
        Ok(out)
    }

    /// The items of a collection (its identifiers already substituted): `Ok(Ok(items))`,
    /// `Ok(Err(why))` when the code does not decide it, `Err` when CloudFormation would
    /// refuse it.
    fn collection(
        &self,
        key: &str,
        collection: &Node,
    ) -> Result<Result<Vec<String>, Unknown>, ParseError> {
        let not_strings = |found: &str| {
            ParseError::new(
                collection.span.start,
                format!("the collection of `{key}` must be a list of strings, found {found}"),
            )
        };
        match resolve(&self.scratch, collection, self.context) {
            Resolved::List(items) => {
                let mut texts = Vec::with_capacity(items.len());
                for item in &items {
                    match item {
                        Resolved::Unknown(u) => return Ok(Err(u.clone())),
                        other => match other.text() {
                            Some(text) => texts.push(text),
                            None if !other.is_known() => {
                                return Ok(Err(Unknown::new(UnknownReason::ForEach(
                                    key.to_owned(),
                                ))))
                            }
                            None => return Err(not_strings("a list holding a list or a mapping")),
                        },
                    }
                }
                Ok(Ok(texts))
            }
            Resolved::Unknown(u) => Ok(Err(u)),
            Resolved::String(_) | Resolved::Number(_) | Resolved::Bool(_) => {
                Err(not_strings("a single value"))
            }
            Resolved::Null | Resolved::NoValue => Err(not_strings("null")),
            Resolved::Map(_) => Err(not_strings("a mapping")),
        }
    }

    /// A value with the identifiers in scope substituted: `Ref: Identifier` becomes the
    /// item, `${Identifier}` and `&{Identifier}` in `Fn::Sub` strings and in keys are
    /// replaced, `Ref` and `Fn::GetAtt` naming a resource through `Fn::Sub` name it
    /// directly, and loops in mappings are expanded.
    fn value(&mut self, node: &Node, bindings: &[Binding]) -> Result<Node, ParseError> {
        match &node.value {
            Value::Sequence(items) => {
                let items = items
                    .iter()
                    .map(|i| self.value(i, bindings))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Node::new(Value::Sequence(items), node.span))
            }
            Value::Mapping(_) if !bindings.is_empty() => match node.intrinsic() {
                Some(("Ref", argument)) => self.reference(node, argument, bindings),
                Some(("Fn::Sub", argument)) => Ok(sub(node, argument, bindings, self)?),
                Some(("Fn::GetAtt", argument)) => self.get_att(node, argument, bindings),
                _ => self.mapping(node, bindings, Level::Other, None),
            },
            Value::Mapping(_) => self.mapping(node, bindings, Level::Other, None),
            _ => Ok(node.clone()),
        }
    }

    fn reference(
        &mut self,
        node: &Node,
        argument: &Node,
        bindings: &[Binding],
    ) -> Result<Node, ParseError> {
        if let Some(name) = argument.as_str() {
            return Ok(match lookup(bindings, name) {
                Some(Some(item)) => Node::new(Value::String(item.to_owned()), node.span),
                _ => node.clone(),
            });
        }
        let argument = self.value(argument, bindings)?;
        Ok(intrinsic(node, "Ref", self.name_of(argument)))
    }

    fn get_att(
        &mut self,
        node: &Node,
        argument: &Node,
        bindings: &[Binding],
    ) -> Result<Node, ParseError> {
        let argument = self.value(argument, bindings)?;
        let argument = match argument.value {
            Value::Sequence(mut items) if items.len() == 2 => {
                let first = items.remove(0);
                items.insert(0, self.name_of(first));
                Node::new(Value::Sequence(items), argument.span)
            }
            _ => argument,
        };
        Ok(intrinsic(node, "Fn::GetAtt", argument))
    }

    /// A logical id given by a function (`!Sub 'Subnet${Zone}'`), as a name when it
    /// resolves, or when only identifiers of undecided loops remain in it (the name of the
    /// resource standing for that loop's resources).
    fn name_of(&self, node: Node) -> Node {
        if node.intrinsic().is_none() {
            return node;
        }
        if let Some((
            "Fn::Sub",
            Node {
                value: Value::String(text),
                ..
            },
        )) = node.intrinsic()
        {
            let undecided = |name: &str| {
                self.scratch
                    .undecided_loops
                    .iter()
                    .any(|l| l.identifier == name)
            };
            if placeholders(text).iter().all(|p| undecided(p)) {
                return Node::new(Value::String(text.clone()), node.span);
            }
        }
        match resolve(&self.scratch, &node, self.context).text() {
            Some(text) => Node::new(Value::String(text), node.span),
            None => node,
        }
    }

    /// A resource whose `Condition` is a function (`!FindInMap [Map, !Ref Id, Condition,
    /// DefaultValue: !Ref AWS::NoValue]`) gets the condition's name, or none.
    fn static_condition(&self, mut resource: Node) -> Result<Node, ParseError> {
        let Value::Mapping(entries) = &mut resource.value else {
            return Ok(resource);
        };
        let Some(position) = entries.iter().position(|e| e.key == "Condition") else {
            return Ok(resource);
        };
        let condition = &entries[position].value;
        if condition.intrinsic().is_none() {
            return Ok(resource);
        }
        match resolve(&self.scratch, condition, self.context) {
            Resolved::NoValue => {
                entries.remove(position);
            }
            resolved => {
                if let Some(name) = resolved.text() {
                    let span = condition.span;
                    entries[position].value = Node::new(Value::String(name), span);
                }
            }
        }
        Ok(resource)
    }
}

fn sub(
    node: &Node,
    argument: &Node,
    bindings: &[Binding],
    expander: &mut Expander<'_>,
) -> Result<Node, ParseError> {
    let argument = match &argument.value {
        Value::String(text) => {
            Node::new(Value::String(substitute_sub(text, bindings)), argument.span)
        }
        Value::Sequence(items) => {
            let mut items = items.clone();
            if let Some(Node {
                value: Value::String(text),
                ..
            }) = items.first_mut()
            {
                *text = substitute_sub(text, bindings);
            }
            for variables in items.iter_mut().skip(1) {
                *variables = expander.value(variables, bindings)?;
            }
            Node::new(Value::Sequence(items), argument.span)
        }
        _ => expander.value(argument, bindings)?,
    };
    Ok(intrinsic(node, "Fn::Sub", argument))
}

/// `{name: argument}` at `node`'s span, the key where `node`'s is.
fn intrinsic(node: &Node, name: &str, argument: Node) -> Node {
    let key_span = node
        .as_mapping()
        .and_then(|e| e.first())
        .map_or(node.span, |e| e.key_span);
    Node::new(
        Value::Mapping(vec![Entry {
            key: name.to_owned(),
            key_span,
            value: argument,
        }]),
        node.span,
    )
}

fn into_entries(node: Node) -> Vec<Entry> {
    match node.value {
        Value::Mapping(entries) => entries,
        _ => Vec::new(),
    }
}

/// Adds a generated entry, refusing a key already present (at the second one).
fn push_unique(
    out: &mut Vec<Entry>,
    seen: &mut HashMap<String, Span>,
    entry: Entry,
) -> Result<(), ParseError> {
    if let Some(first) = seen.get(&entry.key) {
        return Err(ParseError::new(
            entry.key_span.start,
            format!(
                "`{}` is declared twice once `Fn::ForEach` is expanded (first at {})",
                entry.key, first.start
            ),
        ));
    }
    seen.insert(entry.key.clone(), entry.key_span);
    out.push(entry);
    Ok(())
}

/// The value bound to `name`: `Some(Some(item))`, `Some(None)` if its loop is undecided,
/// `None` if `name` is no identifier in scope.
fn lookup<'b>(bindings: &'b [Binding], name: &str) -> Option<Option<&'b str>> {
    bindings
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_deref())
}

/// `${Identifier}` and `&{Identifier}` replaced in a key by the items in scope (`&{}`
/// without the item's non-alphanumeric characters); unbound identifiers stay as written.
fn substitute(text: &str, bindings: &[Binding]) -> String {
    replace_placeholders(text, bindings, false)
}

/// The same in a `Fn::Sub` string, where an unbound `&{Identifier}` becomes
/// `${Identifier}` so that the resolver reports it unknown rather than as literal text.
fn substitute_sub(text: &str, bindings: &[Binding]) -> String {
    replace_placeholders(text, bindings, true)
}

fn replace_placeholders(text: &str, bindings: &[Binding], in_sub: bool) -> String {
    if bindings.is_empty() || !(text.contains("${") || text.contains("&{")) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['$', '&']) {
        let (before, at) = rest.split_at(open);
        out.push_str(before);
        let sigil = &at[..1];
        let replaced = at[1..]
            .strip_prefix('{')
            .and_then(|after| {
                after
                    .find('}')
                    .map(|close| (&after[..close], &after[close + 1..]))
            })
            .and_then(|(name, tail)| lookup(bindings, name).map(|v| (name, v, tail)));
        match replaced {
            Some((_, Some(item), tail)) => {
                if sigil == "&" {
                    out.extend(item.chars().filter(char::is_ascii_alphanumeric));
                } else {
                    out.push_str(item);
                }
                rest = tail;
            }
            Some((name, None, tail)) => {
                out.push_str(if in_sub { "$" } else { sigil });
                out.push('{');
                out.push_str(name);
                out.push('}');
                rest = tail;
            }
            None => {
                out.push_str(sigil);
                rest = &at[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The names of the `${…}` placeholders of a `Fn::Sub` string (`${!Literal}` excepted).
fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("${") {
        let after = &rest[open + 2..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.starts_with('!') {
            out.push(name);
        }
        rest = &after[close + 1..];
    }
    out
}

#[cfg(test)]
#[path = "for_each_tests.rs"]
mod tests;
