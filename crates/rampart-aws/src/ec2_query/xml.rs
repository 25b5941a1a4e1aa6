//! A small element tree for EC2 Query responses.
//!
//! EC2 answers in plain XML: elements and text, lists as `<xxxSet><item>…</item></xxxSet>`,
//! no attributes that matter and no mixed content. A tree read once and then queried by
//! name keeps each response shape's reader short. It is built on `xmlparser`, which
//! `aws-smithy-xml` already compiles into the tree; that crate's scoped decoder needs to
//! know in advance whether an element holds text or children, which a generic tree cannot.

use std::borrow::Cow;
use std::fmt;

use xmlparser::{ElementEnd, Token, Tokenizer};

/// An element: its local name (namespace prefix dropped), its own text, its children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) children: Vec<Element>,
}

/// A response that is not well-formed XML, or holds a value of the wrong type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlError(pub(crate) String);

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for XmlError {}

fn err(message: impl Into<String>) -> XmlError {
    XmlError(message.into())
}

/// Parses a whole document into its root element.
pub(crate) fn parse(xml: &str) -> Result<Element, XmlError> {
    let mut open: Vec<Element> = Vec::new();
    let mut root = None;
    for token in Tokenizer::from(xml) {
        match token.map_err(|e| err(format!("malformed XML: {e}")))? {
            Token::ElementStart { local, .. } => {
                if root.is_some() {
                    return Err(err("malformed XML: content after the root element"));
                }
                open.push(Element {
                    name: local.as_str().to_owned(),
                    ..Element::default()
                });
            }
            Token::ElementEnd { end, .. } => {
                let closing = match end {
                    ElementEnd::Open => continue,
                    ElementEnd::Close(_, local) => Some(local.as_str()),
                    ElementEnd::Empty => None,
                };
                let element = open
                    .pop()
                    .ok_or_else(|| err("malformed XML: unbalanced close tag"))?;
                if closing.is_some_and(|name| name != element.name) {
                    return Err(err(format!(
                        "malformed XML: `{}` closed by `{}`",
                        element.name,
                        closing.unwrap_or_default()
                    )));
                }
                match open.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Token::Text { text } => {
                if let Some(element) = open.last_mut() {
                    element.text.push_str(&unescape(text.as_str())?);
                }
            }
            Token::Cdata { text, .. } => {
                if let Some(element) = open.last_mut() {
                    element.text.push_str(text.as_str());
                }
            }
            _ => {}
        }
    }
    if let Some(element) = open.last() {
        return Err(err(format!(
            "malformed XML: `{}` is not closed",
            element.name
        )));
    }
    root.ok_or_else(|| err("malformed XML: no root element"))
}

/// Resolves the predefined entities and character references.
fn unescape(text: &str) -> Result<Cow<'_, str>, XmlError> {
    if !text.contains('&') {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .find(';')
            .ok_or_else(|| err("malformed XML: unterminated entity"))?;
        let entity = &after[..end];
        let resolved = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| err(format!("malformed XML: unknown entity `&{entity};`")))?
            }
        };
        out.push(resolved);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the child named `name`, when there is one (empty when it is empty).
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The `<item>` entries of the list child named `name` (none when it is absent).
    pub(crate) fn items<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Element> + 'a {
        self.child(name)
            .into_iter()
            .flat_map(|list| list.children.iter())
            .filter(|item| item.name == "item")
    }

    /// The child named `name` as a boolean: exactly `true` or `false`, as the SDK reads it.
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, XmlError> {
        self.text(name)
            .map(|text| match text {
                "true" => Ok(true),
                "false" => Ok(false),
                other => Err(err(format!("`{name}` is not a boolean: `{other}`"))),
            })
            .transpose()
    }

    /// The child named `name` as a 32-bit integer.
    pub(crate) fn int(&self, name: &str) -> Result<Option<i32>, XmlError> {
        self.text(name)
            .map(|text| {
                text.parse()
                    .map_err(|_| err(format!("`{name}` is not an integer: `{text}`")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_text_and_items() {
        let doc = parse(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeThingsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>r-1</requestId>
    <thingSet>
        <item><id>a</id><flag>true</flag><n>-1</n><empty/></item>
        <item><id>b &amp; &lt;c&gt; &#233;&#x41;</id><flag>false</flag><n></n></item>
        <notAnItem/>
    </thingSet>
    <note><![CDATA[<raw>]]></note>
</DescribeThingsResponse>"#,
        )
        .unwrap();
        assert_eq!(doc.name, "DescribeThingsResponse");
        assert_eq!(doc.text("requestId"), Some("r-1"));
        let items: Vec<&Element> = doc.items("thingSet").collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].text("id"), Some("a"));
        assert_eq!(items[0].text("empty"), Some(""));
        assert_eq!(items[0].text("missing"), None);
        assert_eq!(items[0].boolean("flag"), Ok(Some(true)));
        assert_eq!(items[0].int("n"), Ok(Some(-1)));
        assert_eq!(items[1].text("id"), Some("b & <c> éA"));
        assert_eq!(items[1].boolean("flag"), Ok(Some(false)));
        assert_eq!(items[1].boolean("missing"), Ok(None));
        assert!(items[1].int("n").is_err(), "an empty integer is unreadable");
        assert!(items[1].boolean("id").is_err());
        assert_eq!(doc.items("missingSet").count(), 0);
        assert_eq!(doc.text("note"), Some("<raw>"));
    }

    #[test]
    fn prefixed_names_are_read_by_local_name() {
        let doc = parse(r#"<ec2:R xmlns:ec2="urn:x"><ec2:a>1</ec2:a></ec2:R>"#).unwrap();
        assert_eq!(doc.name, "R");
        assert_eq!(doc.text("a"), Some("1"));
    }

    #[test]
    fn malformed_documents_are_errors() {
        for bad in [
            "",
            "not xml",
            "<a><b></a>",
            "<a>",
            "<a></a><b></b>",
            "<a>&bogus;</a>",
            "<a>&amp</a>",
            "<html><body>500 Internal Server Error",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
