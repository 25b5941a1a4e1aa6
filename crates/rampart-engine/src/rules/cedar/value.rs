//! Attribute values as both backends see them: what `entities.rs` reads from the model,
//! turned into Cedar entities by the reference backend and read in place by the compiled
//! one. Equality, ordering and rendering follow Cedar's.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A Cedar value: borrowed from the model where it can be.
#[derive(Debug, Clone)]
pub(crate) enum Value<'a> {
    Bool(bool),
    Long(i64),
    String(Cow<'a, str>),
    Entity(Uid<'a>),
    /// Elements in any order, duplicates allowed: equality is set equality, as in Cedar.
    Set(Arc<[Value<'a>]>),
    /// Fields sorted by name, names unique.
    Record(Arc<[(Cow<'a, str>, Value<'a>)]>),
}

/// An entity reference: `Type::"id"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uid<'a> {
    pub ty: Cow<'a, str>,
    pub id: Cow<'a, str>,
}

impl<'a> Uid<'a> {
    pub(crate) fn new(ty: impl Into<Cow<'a, str>>, id: impl Into<Cow<'a, str>>) -> Uid<'a> {
        Uid {
            ty: ty.into(),
            id: id.into(),
        }
    }
}

/// As Cedar prints an entity uid in its messages: `Type::"id"`, the id escaped.
impl fmt::Display for Uid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::\"{}\"", self.ty, self.id.escape_debug())
    }
}

impl<'a> Value<'a> {
    pub(crate) fn string_set<I, S>(items: I) -> Value<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        Value::Set(items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    /// A record from fields in any order; a later field of the same name wins.
    pub(crate) fn record(mut fields: Vec<(Cow<'a, str>, Value<'a>)>) -> Value<'a> {
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        fields.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(later, earlier);
                true
            } else {
                false
            }
        });
        Value::Record(fields.into())
    }

    /// The field of a record (fields are sorted).
    pub(crate) fn field<'v>(
        fields: &'v [(Cow<'a, str>, Value<'a>)],
        name: &str,
    ) -> Option<&'v Value<'a>> {
        fields
            .binary_search_by(|(k, _)| k.as_ref().cmp(name))
            .ok()
            .map(|i| &fields[i].1)
    }

    /// The type as Cedar names it in type errors.
    pub(crate) fn type_name(&self) -> String {
        match self {
            Value::Bool(_) => "bool".to_owned(),
            Value::Long(_) => "long".to_owned(),
            Value::String(_) => "string".to_owned(),
            Value::Set(_) => "set".to_owned(),
            Value::Record(_) => "record".to_owned(),
            Value::Entity(uid) => format!("(entity of type `{}`)", uid.ty),
        }
    }

    /// Rank of the kind in Cedar's value order (literals before sets before records;
    /// among literals bool < long < string < entity).
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Value::Bool(_) => 0,
            Value::Long(_) => 1,
            Value::String(_) => 2,
            Value::Entity(_) => 3,
            Value::Set(_) => 4,
            Value::Record(_) => 5,
        }
    }

    /// Cedar's total order on values, used to print sets as Cedar does.
    fn cedar_cmp(&self, other: &Value<'_>) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Long(a), Value::Long(b)) => a.cmp(b),
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Entity(a), Value::Entity(b)) => (&a.ty, &a.id).cmp(&(&b.ty, &b.id)),
            (Value::Set(a), Value::Set(b)) => {
                let (a, b) = (sorted_unique(a), sorted_unique(b));
                for (x, y) in a.iter().zip(&b) {
                    let o = x.cedar_cmp(y);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Value::Record(a), Value::Record(b)) => {
                for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                    let o = ka.cmp(kb).then_with(|| va.cedar_cmp(vb));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.len().cmp(&b.len())
            }
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// A set's elements in Cedar's order, without duplicates.
fn sorted_unique<'v, 'a>(items: &'v [Value<'a>]) -> Vec<&'v Value<'a>> {
    let mut items: Vec<&Value<'a>> = items.iter().collect();
    items.sort_by(|a, b| a.cedar_cmp(b));
    items.dedup_by(|a, b| a == b);
    items
}

impl PartialEq<Value<'_>> for Value<'_> {
    fn eq(&self, other: &Value<'_>) -> bool {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Long(a), Value::Long(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Entity(a), Value::Entity(b)) => a.ty == b.ty && a.id == b.id,
            (Value::Set(a), Value::Set(b)) => {
                a.iter().all(|x| b.iter().any(|y| x == y))
                    && b.iter().all(|y| a.iter().any(|x| x == y))
            }
            (Value::Record(a), Value::Record(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && va == vb)
            }
            _ => false,
        }
    }
}

/// As Cedar's `EvalResult` prints (sets in Cedar's order, strings quoted and escaped).
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Long(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "\"{}\"", s.escape_debug()),
            Value::Entity(uid) => write!(f, "{uid}"),
            Value::Set(items) => {
                let items = sorted_unique(items);
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Record(fields) => {
                write!(f, "{{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "\"{}\": {v}", k.escape_debug())?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// How a value reads in a finding's message: strings, numbers and booleans bare, an
/// entity by its id, anything else as Cedar prints it.
pub(crate) fn render(value: &Value<'_>) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Long(n) => n.to_string(),
        Value::Entity(uid) => uid.id.to_string(),
        other => other.to_string(),
    }
}

/// Fills a rule's `@message` template: `{a.b}` placeholders read through `lookup`, `?` for
/// a path that does not resolve.
pub(crate) fn fill_message(
    template: &str,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> String {
    let mut message = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        message.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            message.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let path = &after[..close];
        message.push_str(&lookup(path).unwrap_or_else(|| "?".to_owned()));
        rest = &after[close + 1..];
    }
    message.push_str(rest);
    message
}
