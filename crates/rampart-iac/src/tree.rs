//! The span-aware value tree shared by the JSON and YAML readers: every node and every
//! mapping key knows where it starts and ends in the file, so that a finding on a property
//! can name its line and column.

use std::collections::HashSet;
use std::fmt;

/// A place in a text: 1-based line and 1-based column, counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters (a TAB counts as one).
    pub column: u32,
}

impl Position {
    /// The position at `line`, `column`.
    pub const fn new(line: u32, column: u32) -> Self {
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A range of text: `start` is the first character, `end` the position just after the
/// last one (exclusive), both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// The first character.
    pub start: Position,
    /// Just after the last character.
    pub end: Position,
}

impl Span {
    /// The span from `start` to `end`.
    pub const fn new(start: Position, end: Position) -> Self {
        Span { start, end }
    }

    /// The span from this span's start to `other`'s end.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start, other.end.max(self.end))
    }
}

/// A syntax or structure error inside one text, before it is tied to a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {message}")]
pub struct ParseError {
    /// Where.
    pub position: Position,
    /// What is wrong, one line, lowercase.
    pub message: String,
}

impl ParseError {
    /// An error at `position`.
    pub fn new(position: Position, message: impl Into<String>) -> Self {
        ParseError {
            position,
            message: message.into(),
        }
    }
}

/// One value of a JSON or YAML document with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is written (a short-form intrinsic such as `!Ref X` from its tag).
    pub span: Span,
}

/// A JSON or YAML value. YAML plain scalars are typed as in the YAML 1.2 core schema;
/// numbers keep their text (`012345678901` stays an account id, not a lossy float).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// A JSON array or YAML sequence.
    Sequence(Vec<Node>),
    /// A JSON object or YAML mapping, in document order, keys unique.
    Mapping(Vec<Entry>),
}

/// One key of a mapping with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key (YAML scalar keys as written).
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Entry {
    /// The span from the key to the end of the value.
    pub fn span(&self) -> Span {
        self.key_span.to(self.value.span)
    }
}

impl Node {
    /// A node of `value` at `span`.
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    /// A short name of the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar's text: a string, a number as written, or a boolean (`true`/`false`).
    pub fn scalar_text(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s),
            Value::Bool(true) => Some("true"),
            Value::Bool(false) => Some("false"),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entry of `key`, if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?.iter().find(|e| e.key == key)
    }

    /// The value of `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The value at a path of mapping keys.
    pub fn pointer(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The intrinsic function this node calls — a mapping of one key that is `Ref`,
    /// `Condition` or `Fn::…` — with its name and argument.
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match self.as_mapping()? {
            [only] if is_intrinsic_name(&only.key) => Some((&only.key, &only.value)),
            _ => None,
        }
    }
}

/// Whether `key` names an intrinsic function in its long form.
pub fn is_intrinsic_name(key: &str) -> bool {
    key == "Ref" || key == "Condition" || key.starts_with("Fn::")
}

/// Refuses a mapping key already present, at the second key's position, in time linear in
/// the mapping's size (hostile input may hold a hundred thousand keys).
#[derive(Default)]
pub(crate) struct DuplicateKeys {
    seen: Option<HashSet<String>>,
}

/// Below this many keys a scan beats hashing.
const LINEAR_SCAN: usize = 16;

impl DuplicateKeys {
    /// Checks `key` against the `entries` already read (in the same order each call).
    pub(crate) fn check(
        &mut self,
        entries: &[Entry],
        key: &str,
        key_span: Span,
    ) -> Result<(), ParseError> {
        let duplicate = if entries.len() < LINEAR_SCAN {
            entries.iter().any(|e| e.key == key)
        } else {
            let seen = self
                .seen
                .get_or_insert_with(|| entries.iter().map(|e| e.key.clone()).collect());
            !seen.insert(key.to_owned())
        };
        if duplicate {
            return Err(ParseError::new(
                key_span.start,
                format!("duplicate key `{key}`"),
            ));
        }
        Ok(())
    }
}
