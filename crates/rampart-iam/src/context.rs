//! The request context: condition keys and their values.

use std::cmp::Ordering;

/// The value of one condition key in a request: one string, or several (multivalued keys
/// such as `aws:TagKeys`). An empty multivalued key is present with no values.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// A single value.
    Single(String),
    /// A multivalued key.
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice-like list.
    pub fn values(&self) -> Vec<&str> {
        self.as_ref().iter().collect()
    }

    /// The value, borrowed.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            ContextValue::Single(v) => ValueRef::Single(v),
            ContextValue::Multi(vs) => ValueRef::Multi(vs),
        }
    }
}

/// A condition key's value as a [`Lookup`] gives it: borrowed, never copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// A single value.
    Single(&'a str),
    /// A multivalued key (possibly with no values).
    Multi(&'a [String]),
}

impl<'a> ValueRef<'a> {
    /// Every value, in order.
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (single, multi) = match self {
            ValueRef::Single(v) => (Some(v), [].iter()),
            ValueRef::Multi(vs) => (None, vs.iter()),
        };
        single.into_iter().chain(multi.map(String::as_str))
    }
}

/// Where condition keys are looked up: a [`RequestContext`], or a view that lays the keys
/// AWS derives from the principal and the request over one without copying it
/// (`evaluate::evaluate`). Keys are case-insensitive.
pub trait Lookup {
    /// The value of `key`, if the request has it.
    fn lookup(&self, key: &str) -> Option<ValueRef<'_>>;
}

impl Lookup for RequestContext {
    fn lookup(&self, key: &str) -> Option<ValueRef<'_>> {
        self.get(key).map(ContextValue::as_ref)
    }
}

/// Condition keys of a request. Keys are case-insensitive (AWS documents condition key
/// names as case-insensitive), so they are stored lowercased; values keep their case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// Sorted by key; a few dozen keys at most, looked up without allocating.
    keys: Vec<(String, ContextValue)>,
}

/// `text` ASCII-lowercased into `buf`, without allocating; `None` when it does not fit or
/// is not ASCII (the caller then falls back to an allocating or comparing form).
pub(crate) fn ascii_lowercase_in<'b>(text: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let lower = buf.get_mut(..text.len()).filter(|_| text.is_ascii())?;
    lower.copy_from_slice(text.as_bytes());
    lower.make_ascii_lowercase();
    std::str::from_utf8(lower).ok()
}

/// Orders `a` against `b` as if both were ASCII-lowercased.
fn cmp_ignore_ascii_case(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a key (replacing any value it had).
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        let key = key.to_ascii_lowercase();
        match self.keys.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => self.keys[i].1 = value,
            Err(i) => self.keys.insert(i, (key, value)),
        }
    }

    /// Builder form of [`Self::insert`] for a single value.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.insert(key, ContextValue::Single(value.to_owned()));
        self
    }

    /// Builder form of [`Self::insert`] for a multivalued key.
    pub fn with_multi(mut self, key: &str, values: &[&str]) -> Self {
        self.insert(
            key,
            ContextValue::Multi(values.iter().map(|v| (*v).to_owned()).collect()),
        );
        self
    }

    /// The value of a key, if the request has it.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        // Keys of a tag form (`aws:RequestTag/Name`) keep the tag name's case in AWS
        // matching only for the prefix; both halves are compared case-insensitively here.
        // The stored keys are lowercase: lowercase the key once (on the stack, as condition
        // keys are short), then compare bytes.
        let mut buf = [0u8; 128];
        let found = match ascii_lowercase_in(key, &mut buf) {
            Some(lower) => self.keys.binary_search_by(|(k, _)| k.as_str().cmp(lower)),
            None => self
                .keys
                .binary_search_by(|(k, _)| cmp_ignore_ascii_case(k, key)),
        };
        found.ok().map(|i| &self.keys[i].1)
    }

    /// Every key and value, keys lowercased, sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.keys.iter().map(|(k, v)| (k.as_str(), v))
    }
}
