//! The resolver: a node of a template, intrinsic functions evaluated where the template
//! and the context decide them, `Unknown` with the reason (and the resources the value
//! depends on) everywhere else. It never guesses: a parameter without a default nor a
//! given value, a pseudo parameter the context does not give, an attribute of a resource
//! created at deployment, all stay unknown.

use std::collections::BTreeMap;

use super::resolved::{Resolved, ResourceReference, Unknown, UnknownReason};
use super::template::{Parameter, Template, FOR_EACH};
use crate::tree::{Node, Value};

/// A function only rampart's own transforms write (`sam.rs`): a value the transform
/// creates but rampart does not reproduce; its argument says what. It resolves to
/// `Unknown`.
pub(crate) const NOT_EXPANDED: &str = "Fn::Rampart::NotExpanded";

/// How deep intrinsic functions and conditions may nest before the resolver gives up
/// (conditions that refer to each other in a cycle end here).
const MAX_DEPTH: usize = 64;

/// A pseudo parameter of CloudFormation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PseudoParameter {
    /// `AWS::AccountId`.
    AccountId,
    /// `AWS::NotificationARNs`.
    NotificationArns,
    /// `AWS::Partition`.
    Partition,
    /// `AWS::Region`.
    Region,
    /// `AWS::StackId`.
    StackId,
    /// `AWS::StackName`.
    StackName,
    /// `AWS::URLSuffix`.
    UrlSuffix,
}

impl PseudoParameter {
    /// Every pseudo parameter with a value (`AWS::NoValue` removes a property instead).
    pub const ALL: [PseudoParameter; 7] = [
        PseudoParameter::AccountId,
        PseudoParameter::NotificationArns,
        PseudoParameter::Partition,
        PseudoParameter::Region,
        PseudoParameter::StackId,
        PseudoParameter::StackName,
        PseudoParameter::UrlSuffix,
    ];

    /// The name as a template writes it (`AWS::Region`).
    pub fn name(self) -> &'static str {
        match self {
            PseudoParameter::AccountId => "AWS::AccountId",
            PseudoParameter::NotificationArns => "AWS::NotificationARNs",
            PseudoParameter::Partition => "AWS::Partition",
            PseudoParameter::Region => "AWS::Region",
            PseudoParameter::StackId => "AWS::StackId",
            PseudoParameter::StackName => "AWS::StackName",
            PseudoParameter::UrlSuffix => "AWS::URLSuffix",
        }
    }

    /// The pseudo parameter named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// What the resolver may know beyond the template: parameter values (`--parameters`) and
/// pseudo parameters (the target account and region).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolveContext {
    /// Parameter values by name, as given on a command line (lists comma-separated).
    pub parameters: BTreeMap<String, String>,
    /// Pseudo parameter values.
    pub pseudo: BTreeMap<PseudoParameter, String>,
    /// Values given to resource references (`Ref` and `Fn::GetAtt`): the identities a
    /// checker assigns to the template's resources (names, ARNs), so that a policy naming
    /// `!GetAtt DataKey.Arn` names that key. A reference not listed stays unknown.
    pub resources: BTreeMap<ResourceReference, String>,
}

impl ResolveContext {
    /// A context that knows nothing beyond the template.
    pub fn new() -> Self {
        Self::default()
    }

    /// With the value of parameter `name`.
    pub fn with_parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.insert(name.into(), value.into());
        self
    }

    /// With the value of a resource reference (`attribute: None` for `Ref`).
    pub fn with_resource(mut self, reference: ResourceReference, value: impl Into<String>) -> Self {
        self.resources.insert(reference, value.into());
        self
    }

    /// With the value of a pseudo parameter.
    pub fn with_pseudo(mut self, parameter: PseudoParameter, value: impl Into<String>) -> Self {
        self.pseudo.insert(parameter, value.into());
        self
    }
}

/// Resolves `node` of `template`.
pub fn resolve(template: &Template, node: &Node, context: &ResolveContext) -> Resolved {
    Resolver { template, context }.value(node, 0)
}

impl Template {
    /// Resolves `node` of this template (see [`resolve`]).
    pub fn resolve(&self, node: &Node, context: &ResolveContext) -> Resolved {
        resolve(self, node, context)
    }

    /// Decides condition `name`: `Ok(true/false)`, or `Err` with why it cannot.
    pub fn evaluate_condition(
        &self,
        name: &str,
        context: &ResolveContext,
    ) -> Result<bool, Unknown> {
        Resolver {
            template: self,
            context,
        }
        .named_condition(name, None, 0)
    }
}

struct Resolver<'a> {
    template: &'a Template,
    context: &'a ResolveContext,
}

/// The first unknown of `values`, with the references of all of them; `None` if all known.
fn first_unknown<'v>(values: impl IntoIterator<Item = &'v Resolved>) -> Option<Unknown> {
    let mut first: Option<Unknown> = None;
    let mut all = Unknown::new(UnknownReason::ImportValue);
    for value in values {
        value.collect_references(&mut all);
        if first.is_none() {
            first = find_unknown(value).cloned();
        }
    }
    first.map(|mut u| {
        u.add_references(all.references);
        u
    })
}

fn find_unknown(value: &Resolved) -> Option<&Unknown> {
    match value {
        Resolved::Unknown(u) => Some(u),
        Resolved::List(items) => items.iter().find_map(find_unknown),
        Resolved::Map(entries) => entries.iter().find_map(|(_, v)| find_unknown(v)),
        _ => None,
    }
}

fn invalid(node: &Node, message: impl Into<String>) -> Resolved {
    Resolved::Unknown(invalid_unknown(node, message))
}

fn invalid_unknown(node: &Node, message: impl Into<String>) -> Unknown {
    Unknown::new(UnknownReason::Invalid {
        position: node.span.start,
        message: message.into(),
    })
}

impl Resolver<'_> {
    fn value(&self, node: &Node, depth: usize) -> Resolved {
        if depth > MAX_DEPTH {
            return invalid(node, "intrinsic functions nested too deeply");
        }
        let depth = depth + 1;
        match &node.value {
            Value::Null => Resolved::Null,
            Value::Bool(b) => Resolved::Bool(*b),
            Value::Number(n) => Resolved::Number(n.clone()),
            Value::String(s) => Resolved::String(s.clone()),
            Value::Sequence(items) => Resolved::List(
                items
                    .iter()
                    .map(|i| self.value(i, depth))
                    .filter(|v| *v != Resolved::NoValue)
                    .collect(),
            ),
            Value::Mapping(entries) => match node.intrinsic() {
                // `Condition` is a function only inside conditions; elsewhere it is a key.
                Some((name, argument)) if name != "Condition" => {
                    self.function(name, argument, depth)
                }
                _ => Resolved::Map(
                    entries
                        .iter()
                        .map(|e| {
                            let value = if e.key.starts_with(FOR_EACH) {
                                Resolved::Unknown(Unknown::new(UnknownReason::ForEach(
                                    e.key.clone(),
                                )))
                            } else {
                                self.value(&e.value, depth)
                            };
                            (e.key.clone(), value)
                        })
                        .filter(|(_, v)| *v != Resolved::NoValue)
                        .collect(),
                ),
            },
        }
    }

    fn function(&self, name: &str, argument: &Node, depth: usize) -> Resolved {
        match name {
            "Ref" => match argument.as_str() {
                Some(target) => self.reference(target, argument, depth),
                None => invalid(argument, "`Ref` takes a name"),
            },
            "Fn::GetAtt" => self.get_att(argument, depth),
            "Fn::Sub" => self.sub(argument, depth),
            "Fn::Join" => self.join(argument, depth),
            "Fn::Select" => self.select(argument, depth),
            "Fn::Split" => self.split(argument, depth),
            "Fn::FindInMap" => self.find_in_map(argument, depth),
            "Fn::If" => self.if_(argument, depth),
            "Fn::Base64" => match self.value(argument, depth) {
                Resolved::String(s) => Resolved::String(base64(s.as_bytes())),
                Resolved::Unknown(u) => Resolved::Unknown(u),
                _ => invalid(argument, "`Fn::Base64` takes a string"),
            },
            "Fn::Length" => match self.value(argument, depth) {
                Resolved::List(items) => Resolved::Number(items.len().to_string()),
                Resolved::Unknown(u) => Resolved::Unknown(u),
                _ => invalid(argument, "`Fn::Length` takes a list"),
            },
            NOT_EXPANDED => Resolved::Unknown(Unknown::new(UnknownReason::NotExpanded(
                argument
                    .as_str()
                    .unwrap_or("a value of a transform")
                    .to_owned(),
            ))),
            "Fn::ImportValue" => {
                let mut unknown = Unknown::new(UnknownReason::ImportValue);
                unknown.add_references(self.value(argument, depth).references());
                Resolved::Unknown(unknown)
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                match self.condition_function(name, argument, depth) {
                    Ok(b) => Resolved::Bool(b),
                    Err(u) => Resolved::Unknown(u),
                }
            }
            other => {
                let mut unknown = Unknown::new(UnknownReason::NotEvaluated(other.to_owned()));
                unknown.add_references(self.value(argument, depth).references());
                Resolved::Unknown(unknown)
            }
        }
    }

    fn reference(&self, target: &str, at: &Node, depth: usize) -> Resolved {
        if target == "AWS::NoValue" {
            return Resolved::NoValue;
        }
        if let Some(pseudo) = PseudoParameter::from_name(target) {
            return match self.context.pseudo.get(&pseudo) {
                Some(value) if pseudo == PseudoParameter::NotificationArns => list_of(value),
                Some(value) => Resolved::String(value.clone()),
                None => Resolved::Unknown(Unknown::new(UnknownReason::PseudoParameter(
                    target.to_owned(),
                ))),
            };
        }
        if let Some(parameter) = self.template.parameter(target) {
            return self.parameter(parameter, depth);
        }
        if let Some(undecided) = self
            .template
            .undecided_loops
            .iter()
            .find(|l| l.identifier == target)
        {
            return Resolved::Unknown(Unknown::new(UnknownReason::LoopItem {
                key: undecided.key.clone(),
                reason: Box::new(undecided.reason.reason.clone()),
            }));
        }
        // Resources generated by a loop that is not expanded are not known by name.
        if self.template.resource(target).is_some()
            || !self.template.for_each.is_empty()
            || !self.template.undecided_loops.is_empty()
        {
            return self.resource_value(ResourceReference {
                logical_id: target.to_owned(),
                attribute: None,
            });
        }
        invalid(
            at,
            format!("`Ref` to `{target}`, which is neither a parameter nor a resource"),
        )
    }

    fn parameter(&self, parameter: &Parameter, depth: usize) -> Resolved {
        if parameter.is_from_ssm() {
            return Resolved::Unknown(Unknown::new(UnknownReason::SsmParameter(
                parameter.name.clone(),
            )));
        }
        let value = match (
            self.context.parameters.get(&parameter.name),
            &parameter.default,
        ) {
            (Some(given), _) => Resolved::String(given.clone()),
            (None, Some(default)) => self.value(default, depth),
            (None, None) => {
                return Resolved::Unknown(Unknown::new(UnknownReason::Parameter(
                    parameter.name.clone(),
                )))
            }
        };
        match value.text() {
            Some(text) if parameter.is_list() => list_of(&text),
            Some(text) if parameter.parameter_type.trim() == "Number" => Resolved::Number(text),
            Some(text) => Resolved::String(text),
            None => value,
        }
    }

    fn get_att(&self, argument: &Node, depth: usize) -> Resolved {
        let (logical_id, attribute) = match (argument.as_str(), argument.as_sequence()) {
            (Some(text), _) => match text.split_once('.') {
                Some((id, attribute)) => (id.to_owned(), Resolved::String(attribute.to_owned())),
                None => return invalid(argument, "`Fn::GetAtt` takes `Resource.Attribute`"),
            },
            (_, Some([id, attribute])) => match id.as_str() {
                Some(id) => (id.to_owned(), self.value(attribute, depth)),
                None => return invalid(id, "`Fn::GetAtt` takes a resource's logical id"),
            },
            _ => return invalid(argument, "`Fn::GetAtt` takes `[Resource, Attribute]`"),
        };
        let reference = ResourceReference {
            logical_id,
            attribute: attribute.text(),
        };
        self.resource_value(reference)
    }

    /// The value the context gives a resource reference, or unknown.
    fn resource_value(&self, reference: ResourceReference) -> Resolved {
        match self.context.resources.get(&reference) {
            Some(value) => Resolved::String(value.clone()),
            None => Resolved::Unknown(Unknown::new(UnknownReason::Resource(reference))),
        }
    }

    fn sub(&self, argument: &Node, depth: usize) -> Resolved {
        let (text_node, variables) = match argument.as_sequence() {
            Some([text, variables]) => (text, Some(variables)),
            Some(_) => {
                return invalid(
                    argument,
                    "`Fn::Sub` takes a string or `[String, {Variables}]`",
                )
            }
            None => (argument, None),
        };
        let Some(text) = text_node.as_str() else {
            return invalid(text_node, "`Fn::Sub` takes a string");
        };
        let mut out = String::new();
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("${") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let name = &after[..close];
            rest = &after[close + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = match variables.and_then(|v| v.get(name)) {
                Some(node) => self.value(node, depth),
                None => match name.split_once('.') {
                    Some((id, attribute)) if self.template.parameter(name).is_none() => self
                        .resource_value(ResourceReference {
                            logical_id: id.to_owned(),
                            attribute: Some(attribute.to_owned()),
                        }),
                    _ => self.reference(name, text_node, depth),
                },
            };
            match value.text() {
                Some(text) => out.push_str(&text),
                None if matches!(value, Resolved::Unknown(_)) => {}
                None => {
                    return invalid(
                        text_node,
                        format!("`${{{name}}}` in `Fn::Sub` is not a string"),
                    )
                }
            }
            parts.push(value);
        }
        out.push_str(rest);
        match first_unknown(&parts) {
            Some(unknown) => Resolved::Unknown(unknown),
            None => Resolved::String(out),
        }
    }

    /// The arguments of a function that takes a list of `n`.
    fn arguments<'n>(
        &self,
        argument: &'n Node,
        n: usize,
        function: &str,
    ) -> Result<&'n [Node], Unknown> {
        match argument.as_sequence() {
            Some(items) if items.len() == n => Ok(items),
            _ => Err(invalid_unknown(
                argument,
                format!("`{function}` takes a list of {n}"),
            )),
        }
    }

    fn join(&self, argument: &Node, depth: usize) -> Resolved {
        let [delimiter, list] = match self.arguments(argument, 2, "Fn::Join") {
            Ok([d, l]) => [d, l],
            Ok(_) => return invalid(argument, "`Fn::Join` takes a list of 2"),
            Err(u) => return Resolved::Unknown(u),
        };
        let delimiter = self.value(delimiter, depth);
        let list = self.value(list, depth);
        if let Some(unknown) = first_unknown([&delimiter, &list]) {
            return Resolved::Unknown(unknown);
        }
        let (Some(delimiter), Resolved::List(items)) = (delimiter.text(), &list) else {
            return invalid(argument, "`Fn::Join` takes a delimiter and a list");
        };
        let texts: Option<Vec<String>> = items.iter().map(Resolved::text).collect();
        match texts {
            Some(texts) => Resolved::String(texts.join(&delimiter)),
            None => invalid(argument, "`Fn::Join` joins strings"),
        }
    }

    fn select(&self, argument: &Node, depth: usize) -> Resolved {
        let (index_node, list) = match self.arguments(argument, 2, "Fn::Select") {
            Ok([i, l]) => (i, l),
            Ok(_) => return invalid(argument, "`Fn::Select` takes a list of 2"),
            Err(u) => return Resolved::Unknown(u),
        };
        let index = self.value(index_node, depth);
        let list = self.value(list, depth);
        if let Resolved::Unknown(u) = &index {
            return Resolved::Unknown(u.clone());
        }
        let Some(index) = index.text().and_then(|t| t.parse::<usize>().ok()) else {
            return invalid(index_node, "`Fn::Select` takes an index");
        };
        match list {
            // Only the selected item matters: the others may stay unknown.
            Resolved::List(mut items) if index < items.len() => items.swap_remove(index),
            Resolved::List(items) => invalid(
                index_node,
                format!(
                    "`Fn::Select` index {index} is out of a list of {}",
                    items.len()
                ),
            ),
            Resolved::Unknown(u) => Resolved::Unknown(u),
            _ => invalid(argument, "`Fn::Select` selects from a list"),
        }
    }

    fn split(&self, argument: &Node, depth: usize) -> Resolved {
        let (delimiter, source) = match self.arguments(argument, 2, "Fn::Split") {
            Ok([d, s]) => (self.value(d, depth), self.value(s, depth)),
            Ok(_) => return invalid(argument, "`Fn::Split` takes a list of 2"),
            Err(u) => return Resolved::Unknown(u),
        };
        if let Some(unknown) = first_unknown([&delimiter, &source]) {
            return Resolved::Unknown(unknown);
        }
        match (delimiter.text(), source.text()) {
            (Some(d), Some(s)) if !d.is_empty() => Resolved::List(
                s.split(d.as_str())
                    .map(|p| Resolved::String(p.to_owned()))
                    .collect(),
            ),
            _ => invalid(argument, "`Fn::Split` takes a delimiter and a string"),
        }
    }

    fn find_in_map(&self, argument: &Node, depth: usize) -> Resolved {
        let items = match argument.as_sequence() {
            Some(items) if items.len() == 3 || items.len() == 4 => items,
            _ => return invalid(argument, "`Fn::FindInMap` takes `[Map, TopKey, SecondKey]`"),
        };
        let keys: Vec<Resolved> = items[..3].iter().map(|k| self.value(k, depth)).collect();
        if let Some(unknown) = first_unknown(&keys) {
            return Resolved::Unknown(unknown);
        }
        let Some(keys) = keys
            .iter()
            .map(Resolved::text)
            .collect::<Option<Vec<String>>>()
        else {
            return invalid(argument, "`Fn::FindInMap` takes names");
        };
        let found = self
            .template
            .mapping(&keys[0])
            .and_then(|map| map.get(&keys[1]))
            .and_then(|top| top.get(&keys[2]));
        // `AWS::LanguageExtensions` adds a fourth argument: `{DefaultValue: …}`.
        let default = items.get(3).and_then(|d| d.get("DefaultValue"));
        match found.or(default) {
            Some(node) => self.value(node, depth),
            None => invalid(
                argument,
                format!(
                    "`Fn::FindInMap`: no `{}` › `{}` › `{}` in `Mappings`",
                    keys[0], keys[1], keys[2]
                ),
            ),
        }
    }

    fn if_(&self, argument: &Node, depth: usize) -> Resolved {
        let (condition, then, otherwise) = match self.arguments(argument, 3, "Fn::If") {
            Ok([c, t, o]) => (c, t, o),
            Ok(_) => return invalid(argument, "`Fn::If` takes a list of 3"),
            Err(u) => return Resolved::Unknown(u),
        };
        let Some(name) = condition.as_str() else {
            return invalid(condition, "`Fn::If` takes a condition name");
        };
        match self.named_condition(name, Some(condition), depth) {
            Ok(true) => self.value(then, depth),
            Ok(false) => self.value(otherwise, depth),
            Err(mut unknown) => {
                unknown.add_references(self.value(then, depth).references());
                unknown.add_references(self.value(otherwise, depth).references());
                Resolved::Unknown(unknown)
            }
        }
    }

    fn named_condition(
        &self,
        name: &str,
        at: Option<&Node>,
        depth: usize,
    ) -> Result<bool, Unknown> {
        let Some(expression) = self.template.condition(name) else {
            let message = format!("no condition `{name}` in `Conditions`");
            return Err(match at {
                Some(node) => invalid_unknown(node, message),
                None => Unknown::new(UnknownReason::Condition(name.to_owned())),
            });
        };
        if depth > MAX_DEPTH {
            return Err(invalid_unknown(
                expression,
                "conditions nested too deeply or in a cycle",
            ));
        }
        self.condition(expression, depth + 1)
            .map_err(|mut unknown| {
                // Report the condition by name unless its expression is written wrongly.
                if !matches!(unknown.reason, UnknownReason::Invalid { .. }) {
                    unknown.reason = UnknownReason::Condition(name.to_owned());
                }
                unknown
            })
    }

    fn condition(&self, node: &Node, depth: usize) -> Result<bool, Unknown> {
        match node.intrinsic() {
            Some(("Condition", argument)) => match argument.as_str() {
                Some(name) => self.named_condition(name, Some(argument), depth),
                None => Err(invalid_unknown(
                    argument,
                    "`Condition` takes a condition name",
                )),
            },
            Some((name, argument)) => self.condition_function(name, argument, depth),
            None => match self.value(node, depth) {
                Resolved::Bool(b) => Ok(b),
                Resolved::String(s) if s == "true" || s == "false" => Ok(s == "true"),
                Resolved::Unknown(u) => Err(u),
                _ => Err(invalid_unknown(
                    node,
                    "a condition must be a boolean function",
                )),
            },
        }
    }

    fn condition_function(
        &self,
        name: &str,
        argument: &Node,
        depth: usize,
    ) -> Result<bool, Unknown> {
        if depth > MAX_DEPTH {
            return Err(invalid_unknown(argument, "conditions nested too deeply"));
        }
        let operands = argument
            .as_sequence()
            .ok_or_else(|| invalid_unknown(argument, format!("`{name}` takes a list")))?;
        match name {
            "Fn::Equals" => {
                let [a, b] = operands else {
                    return Err(invalid_unknown(argument, "`Fn::Equals` takes a list of 2"));
                };
                let (a, b) = (self.value(a, depth), self.value(b, depth));
                if let Some(unknown) = first_unknown([&a, &b]) {
                    return Err(unknown);
                }
                Ok(match (a.text(), b.text()) {
                    (Some(a), Some(b)) => a == b,
                    _ => a == b,
                })
            }
            "Fn::Not" => match operands {
                [only] => self.condition(only, depth).map(|b| !b),
                _ => Err(invalid_unknown(argument, "`Fn::Not` takes a list of 1")),
            },
            "Fn::And" | "Fn::Or" => {
                // `And` is false if any operand is, `Or` true if any is, whatever the others.
                let decisive = name == "Fn::Or";
                let mut undecided = None;
                for operand in operands {
                    match self.condition(operand, depth) {
                        Ok(b) if b == decisive => return Ok(decisive),
                        Ok(_) => {}
                        Err(u) => {
                            undecided.get_or_insert(u);
                        }
                    }
                }
                undecided.map_or(Ok(!decisive), Err)
            }
            other => Err(Unknown::new(UnknownReason::NotEvaluated(other.to_owned()))),
        }
    }
}

fn list_of(text: &str) -> Resolved {
    Resolved::List(
        text.split(',')
            .map(|s| Resolved::String(s.to_owned()))
            .collect(),
    )
}

/// Standard base64 with padding, as `Fn::Base64` encodes.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"#!/bin/bash\n"), "IyEvYmluL2Jhc2gK");
    }
}
