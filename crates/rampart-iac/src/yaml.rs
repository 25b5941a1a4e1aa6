//! A YAML reader into the span-aware tree, on `saphyr-parser`'s event stream (the events
//! carry start and end markers and tags; see `Cargo.toml`). CloudFormation's short-form
//! tags become the long-form mappings they stand for, so that the template model and the
//! resolver see one shape whichever form was written.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as Markers, Tag};

use crate::tree::{DuplicateKeys, Entry, Node, ParseError, Position, Span, Value};

/// How deep sequences and mappings may nest.
const MAX_DEPTH: usize = 128;

/// How many nodes aliases may copy in all, so that nested aliases ("billion laughs")
/// cannot exhaust memory.
const ALIAS_BUDGET: usize = 1_000_000;

/// The short-form tags of CloudFormation and the long-form keys they stand for.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("If", "Fn::If"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("FindInMap", "Fn::FindInMap"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("ImportValue", "Fn::ImportValue"),
    ("GetAZs", "Fn::GetAZs"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
];

/// Parses one YAML document; a stream of several documents is an error (a template is one).
pub fn parse_yaml(text: &str) -> Result<Node, ParseError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, markers) = event
            .map_err(|e| ParseError::new(position(e.marker()), e.info().trim_end_matches('.')))?;
        builder.event(event, markers)?;
    }
    Ok(builder.root.unwrap_or_else(|| {
        Node::new(
            Value::Null,
            Span::new(Position::new(1, 1), Position::new(1, 1)),
        )
    }))
}

fn position(marker: &Marker) -> Position {
    let line = u32::try_from(marker.line()).unwrap_or(u32::MAX);
    let column = u32::try_from(marker.col()).unwrap_or(u32::MAX - 1) + 1;
    Position::new(line, column)
}

fn span(markers: Markers) -> Span {
    Span::new(position(&markers.start), position(&markers.end))
}

enum Collection {
    Sequence(Vec<Node>),
    Mapping {
        entries: Vec<Entry>,
        key: Option<(String, Span)>,
        duplicates: DuplicateKeys,
    },
}

struct Frame {
    collection: Collection,
    start: Position,
    anchor: usize,
    tag: Option<Tag>,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget_used: usize,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, markers: Markers) -> Result<(), ParseError> {
        let at = span(markers);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(ParseError::new(
                        at.start,
                        "more than one YAML document (a template is one document)",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if self.awaiting_key() {
                    return self.key(text.into_owned(), at);
                }
                let node = scalar(text, style, tag.as_deref(), at)?;
                self.complete(node, anchor)?;
            }
            Event::Alias(id) => {
                let (node, size) = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| ParseError::new(at.start, "alias to an unknown anchor"))?;
                self.alias_budget_used += size;
                if self.alias_budget_used > ALIAS_BUDGET {
                    return Err(ParseError::new(
                        at.start,
                        "aliases expand to too many values",
                    ));
                }
                if self.awaiting_key() {
                    let key = node
                        .scalar_text()
                        .map(str::to_owned)
                        .ok_or_else(|| ParseError::new(at.start, "mapping keys must be scalars"))?;
                    return self.key(key, at);
                }
                self.deliver(Node { span: at, ..node })?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Collection::Sequence(Vec::new()), at, anchor, tag)?;
            }
            Event::MappingStart(anchor, tag) => {
                let mapping = Collection::Mapping {
                    entries: Vec::new(),
                    key: None,
                    duplicates: DuplicateKeys::default(),
                };
                self.open(mapping, at, anchor, tag)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(at)?,
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }

    fn awaiting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                collection: Collection::Mapping { key: None, .. },
                ..
            })
        )
    }

    fn key(&mut self, key: String, at: Span) -> Result<(), ParseError> {
        if let Some(Frame {
            collection:
                Collection::Mapping {
                    entries,
                    key: pending,
                    duplicates,
                },
            ..
        }) = self.stack.last_mut()
        {
            duplicates.check(entries, &key, at)?;
            *pending = Some((key, at));
        }
        Ok(())
    }

    fn open(
        &mut self,
        collection: Collection,
        at: Span,
        anchor: usize,
        tag: Option<Cow<'_, Tag>>,
    ) -> Result<(), ParseError> {
        if self.awaiting_key() {
            return Err(ParseError::new(at.start, "mapping keys must be scalars"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::new(at.start, "nested too deeply"));
        }
        self.stack.push(Frame {
            collection,
            start: at.start,
            anchor,
            tag: tag.map(Cow::into_owned),
        });
        Ok(())
    }

    fn close(&mut self, at: Span) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame.collection {
            Collection::Sequence(items) => Value::Sequence(items),
            Collection::Mapping { entries, .. } => Value::Mapping(entries),
        };
        // A flow collection ends at its bracket; a block one, whose end event has an empty
        // span wherever the next token is, ends with its last value.
        let end = if at.start == at.end {
            last_end(&value).unwrap_or(frame.start)
        } else {
            at.end
        };
        let node = Node::new(value, Span::new(frame.start, end));
        let node = tagged(node, frame.tag.as_ref())?;
        self.complete(node, frame.anchor)
    }

    /// Records an anchored node for later aliases, then hands the node to its parent.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        if anchor != 0 {
            let size = count(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.deliver(node)
    }

    fn deliver(&mut self, node: Node) -> Result<(), ParseError> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame {
                collection: Collection::Sequence(items),
                ..
            }) => items.push(node),
            Some(Frame {
                collection: Collection::Mapping { entries, key, .. },
                ..
            }) => match key.take() {
                Some((key, key_span)) => entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                }),
                None => {
                    return Err(ParseError::new(
                        node.span.start,
                        "mapping keys must be scalars",
                    ))
                }
            },
        }
        Ok(())
    }
}

fn last_end(value: &Value) -> Option<Position> {
    match value {
        Value::Sequence(items) => items.last().map(|n| n.span.end),
        Value::Mapping(entries) => entries.last().map(|e| e.value.span.end.max(e.key_span.end)),
        _ => None,
    }
}

/// How many nodes a value holds, itself included.
fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Sequence(items) => items.iter().map(count).sum(),
        Value::Mapping(entries) => entries.iter().map(|e| count(&e.value)).sum(),
        _ => 0,
    }
}

const CORE_SCHEMA: &str = "tag:yaml.org,2002:";

fn scalar(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    at: Span,
) -> Result<Node, ParseError> {
    let as_string = style != ScalarStyle::Plain
        || tag.is_some_and(|t| t.handle == CORE_SCHEMA && t.suffix == "str")
        // A short-form operand is its text (`!Ref 123` names something called "123").
        || tag.is_some_and(|t| t.handle == "!");
    let value = if as_string {
        Value::String(text.into_owned())
    } else {
        plain(text)
    };
    tagged(Node::new(value, at), tag)
}

/// Types a plain scalar by the YAML 1.2 core schema.
fn plain(text: Cow<'_, str>) -> Value {
    match &*text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t if is_number(t) => Value::Number(text.into_owned()),
        _ => Value::String(text.into_owned()),
    }
}

fn is_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(octal) = text.strip_prefix("0o") {
        return !octal.is_empty() && octal.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Applies a node's tag: a CloudFormation short form becomes its long-form mapping, a core
/// schema tag keeps the node, any other tag is an error.
fn tagged(node: Node, tag: Option<&Tag>) -> Result<Node, ParseError> {
    let Some(tag) = tag else {
        return Ok(node);
    };
    if tag.handle == CORE_SCHEMA {
        return Ok(node);
    }
    let long = (tag.handle == "!")
        .then(|| SHORT_FORMS.iter().find(|(short, _)| *short == tag.suffix))
        .flatten();
    let Some((_, long)) = long else {
        return Err(ParseError::new(
            node.span.start,
            format!("unknown tag `{tag}`"),
        ));
    };
    let span = node.span;
    let argument = match (*long, node.value) {
        // `!GetAtt Resource.Attribute` is `{"Fn::GetAtt": ["Resource", "Attribute"]}`; the
        // attribute may itself hold dots (`Endpoint.Address`).
        ("Fn::GetAtt", Value::String(text)) => match text.split_once('.') {
            Some((resource, attribute)) => Node::new(
                Value::Sequence(vec![
                    Node::new(Value::String(resource.to_owned()), span),
                    Node::new(Value::String(attribute.to_owned()), span),
                ]),
                span,
            ),
            None => Node::new(Value::String(text), span),
        },
        (_, value) => Node::new(value, span),
    };
    Ok(Node::new(
        Value::Mapping(vec![Entry {
            key: (*long).to_owned(),
            key_span: span,
            value: argument,
        }]),
        span,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, column: u32) -> Position {
        Position::new(line, column)
    }

    #[test]
    fn block_spans() {
        let node = parse_yaml("a:\n  b: 1\n  c: [x, 'y']\nd: {e: f}\n").unwrap();
        let a = node.entry("a").unwrap();
        assert_eq!(a.key_span, Span::new(pos(1, 1), pos(1, 2)));
        assert_eq!(a.value.span, Span::new(pos(2, 3), pos(3, 14)));
        let c = a.value.get("c").unwrap();
        assert_eq!(c.span, Span::new(pos(3, 6), pos(3, 14)));
        assert_eq!(
            c.as_sequence().unwrap()[1].span,
            Span::new(pos(3, 10), pos(3, 13))
        );
        assert_eq!(
            a.value.get("b").unwrap().value,
            Value::Number("1".to_owned())
        );
        assert_eq!(
            node.get("d").unwrap().span,
            Span::new(pos(4, 4), pos(4, 10))
        );
    }

    #[test]
    fn short_forms_are_long_forms() {
        let node = parse_yaml(
            "a: !Ref X\nb: !GetAtt R.Endpoint.Address\nc: !If [C, 1, 2]\nd: !Sub '${X}'\ne: !Condition C\n",
        )
        .unwrap();
        assert_eq!(node.get("a").unwrap().intrinsic().unwrap().0, "Ref");
        let (name, arg) = node.get("b").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::GetAtt");
        let parts: Vec<_> = arg
            .as_sequence()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(parts, ["R", "Endpoint.Address"]);
        assert_eq!(node.get("c").unwrap().intrinsic().unwrap().0, "Fn::If");
        assert_eq!(
            node.get("d").unwrap().intrinsic().unwrap().1.as_str(),
            Some("${X}")
        );
        assert_eq!(node.get("e").unwrap().intrinsic().unwrap().0, "Condition");
        assert!(parse_yaml("a: !Bogus x")
            .unwrap_err()
            .message
            .contains("unknown tag `!Bogus`"));
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let node = parse_yaml(
            "a: 012345678901\nb: 'true'\nc: yes\nd: ~\ne: !!str 5\nf: 1.5e3\ng: 1.2.3\n",
        )
        .unwrap();
        assert_eq!(
            node.get("a").unwrap().value,
            Value::Number("012345678901".to_owned())
        );
        assert_eq!(node.get("b").unwrap().as_str(), Some("true"));
        assert_eq!(node.get("c").unwrap().as_str(), Some("yes"));
        assert_eq!(node.get("d").unwrap().value, Value::Null);
        assert_eq!(node.get("e").unwrap().as_str(), Some("5"));
        assert_eq!(
            node.get("f").unwrap().value,
            Value::Number("1.5e3".to_owned())
        );
        assert_eq!(node.get("g").unwrap().as_str(), Some("1.2.3"));
    }

    #[test]
    fn duplicates_aliases_and_documents() {
        let e = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\n").unwrap_err();
        assert_eq!(
            (e.position, e.message.as_str()),
            (pos(4, 3), "duplicate key `c`")
        );
        let node = parse_yaml("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(node.get("b").unwrap().get("k").unwrap().as_str(), Some("v"));
        assert!(parse_yaml("a: 1\n---\nb: 2\n").is_err());
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        assert!(parse_yaml(laughs).unwrap_err().message.contains("too many"));
        assert!(parse_yaml("? [a]\n: b\n").is_err());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse_yaml("a: b\n  c: d\n").unwrap_err();
        assert_eq!(e.position.line, 2);
        assert_eq!(parse_yaml("").unwrap().value, Value::Null);
    }
}
