//! What the resolver answers: a known value, a list or map that may hold unknown values,
//! or `Unknown` with its reason and the resources the value refers to.

use std::fmt;

use crate::tree::Position;

/// A resolved value: known, partly known (a list or map holding unknown values), or unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Resolved>),
    /// A map, in document order.
    Map(Vec<(String, Resolved)>),
    /// `Ref: AWS::NoValue`: the property is removed (dropped from maps and lists).
    NoValue,
    /// Not known before deployment, or not decidable from the template and the context.
    Unknown(Unknown),
}

/// Why a value is unknown, and which resources it depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// The first reason met.
    pub reason: UnknownReason,
    /// Every resource of the template the value refers to, in order met, without repeats
    /// (`!Sub "arn:…:key/${DataKey}"` depends on the resource `DataKey`).
    pub references: Vec<ResourceReference>,
}

/// A resource a value refers to: `Ref` (no attribute) or `Fn::GetAtt`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceReference {
    /// The resource's logical id.
    pub logical_id: String,
    /// The attribute (`Arn`) for `Fn::GetAtt`; `None` for `Ref`.
    pub attribute: Option<String>,
}

/// Why a value is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownReason {
    /// `Ref` to a resource, or `Fn::GetAtt` of one: known only once it is created.
    Resource(ResourceReference),
    /// A parameter with neither a default nor a given value.
    Parameter(String),
    /// A parameter whose value Systems Manager supplies at deployment.
    SsmParameter(String),
    /// A pseudo parameter the context does not give.
    PseudoParameter(String),
    /// `Fn::ImportValue`: another stack's export.
    ImportValue,
    /// A condition that does not resolve statically.
    Condition(String),
    /// A function evaluated only by CloudFormation (`Fn::GetAZs`, `Fn::Cidr`,
    /// `Fn::Transform`, …), or one this resolver does not evaluate.
    NotEvaluated(String),
    /// A `Fn::ForEach` block (`AWS::LanguageExtensions`), not expanded.
    ForEach(String),
    /// A value a transform (SAM) creates that rampart does not reproduce: what it is.
    NotExpanded(String),
    /// The identifier of a `Fn::ForEach` loop whose collection is not decided.
    LoopItem {
        /// The loop's key (`Fn::ForEach::Buckets`).
        key: String,
        /// Why its collection is not known.
        reason: Box<UnknownReason>,
    },
    /// The function is written wrongly; CloudFormation would reject the template.
    Invalid {
        /// Where.
        position: Position,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for UnknownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnknownReason::Resource(ResourceReference {
                logical_id,
                attribute: None,
            }) => write!(f, "refers to resource `{logical_id}`"),
            UnknownReason::Resource(ResourceReference {
                logical_id,
                attribute: Some(attribute),
            }) => write!(f, "attribute `{attribute}` of resource `{logical_id}`"),
            UnknownReason::Parameter(name) => {
                write!(
                    f,
                    "parameter `{name}` has no default and no value was given"
                )
            }
            UnknownReason::SsmParameter(name) => {
                write!(
                    f,
                    "parameter `{name}` is read from Systems Manager at deployment"
                )
            }
            UnknownReason::PseudoParameter(name) => write!(f, "`{name}` was not given"),
            UnknownReason::ImportValue => write!(f, "imports another stack's export"),
            UnknownReason::Condition(name) => write!(f, "condition `{name}` is not decidable"),
            UnknownReason::NotEvaluated(function) => write!(f, "`{function}` is not evaluated"),
            UnknownReason::ForEach(key) => write!(f, "`{key}` is not expanded"),
            UnknownReason::NotExpanded(what) => write!(f, "{what}"),
            UnknownReason::LoopItem { key, reason } => {
                write!(
                    f,
                    "an item of `{key}`, whose collection is not decided ({reason})"
                )
            }
            UnknownReason::Invalid { position, message } => write!(f, "{position}: {message}"),
        }
    }
}

impl Unknown {
    pub(super) fn new(reason: UnknownReason) -> Self {
        let references = match &reason {
            UnknownReason::Resource(reference) => vec![reference.clone()],
            _ => Vec::new(),
        };
        Unknown { reason, references }
    }

    pub(super) fn add_references(&mut self, more: impl IntoIterator<Item = ResourceReference>) {
        for reference in more {
            if !self.references.contains(&reference) {
                self.references.push(reference);
            }
        }
    }
}

impl Resolved {
    /// Whether the value is known throughout (no unknown inside lists and maps).
    pub fn is_known(&self) -> bool {
        match self {
            Resolved::Unknown(_) => false,
            Resolved::List(items) => items.iter().all(Resolved::is_known),
            Resolved::Map(entries) => entries.iter().all(|(_, v)| v.is_known()),
            _ => true,
        }
    }

    /// The string, if the value is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Resolved::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key`, if this is a map that has it.
    pub fn get(&self, key: &str) -> Option<&Resolved> {
        match self {
            Resolved::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Every resource the value refers to (inside lists and maps too), without repeats.
    pub fn references(&self) -> Vec<ResourceReference> {
        let mut out = Unknown::new(UnknownReason::ImportValue);
        self.collect_references(&mut out);
        out.references
    }

    pub(super) fn collect_references(&self, out: &mut Unknown) {
        match self {
            Resolved::Unknown(u) => out.add_references(u.references.iter().cloned()),
            Resolved::List(items) => items.iter().for_each(|i| i.collect_references(out)),
            Resolved::Map(entries) => entries.iter().for_each(|(_, v)| v.collect_references(out)),
            _ => {}
        }
    }

    /// A scalar's text, as CloudFormation turns it into a string (`Fn::Join`, `Fn::Sub`).
    pub fn text(&self) -> Option<String> {
        match self {
            Resolved::String(s) | Resolved::Number(s) => Some(s.clone()),
            Resolved::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}
