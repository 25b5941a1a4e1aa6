//! From a file's bytes to its tree: the text encoding (UTF-8 with or without a byte order
//! mark, UTF-16 with one, as Windows editors and PowerShell's `Out-File` write) and the
//! syntax (JSON or YAML).

use std::borrow::Cow;

use crate::json::parse_json;
use crate::tree::{Node, ParseError};
use crate::yaml::parse_yaml;

/// The syntax a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// JSON (strict: no comments, no trailing commas).
    Json,
    /// YAML 1.2.
    Yaml,
}

/// The text of `bytes`, or `None` if they are not text in an encoding read here (then the
/// file is not infrastructure code).
pub fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest).ok().map(Cow::Borrowed),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes).map(Cow::Owned),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes).map(Cow::Owned),
        _ => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
    let (pairs, rest) = bytes.as_chunks::<2>();
    if !rest.is_empty() {
        return None;
    }
    char::decode_utf16(pairs.iter().map(|&pair| unit(pair)))
        .collect::<Result<String, _>>()
        .ok()
}

/// The syntax of `text`: JSON when it opens with `{` or `[`, YAML otherwise. Deciding up
/// front, rather than trying YAML (a superset of JSON) first, keeps JSON errors in JSON's
/// terms and reads JSON indented with TABs, which YAML forbids.
pub fn syntax_of(text: &str) -> Syntax {
    match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => Syntax::Json,
        _ => Syntax::Yaml,
    }
}

/// Parses `text` into its tree.
pub fn parse_text(text: &str) -> Result<(Syntax, Node), ParseError> {
    let syntax = syntax_of(text);
    let node = match syntax {
        Syntax::Json => parse_json(text)?,
        Syntax::Yaml => parse_yaml(text)?,
    };
    Ok((syntax, node))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBF{}").as_deref(), Some("{}"));
        assert_eq!(decode(b"\xFF\xFE{\0}\0").as_deref(), Some("{}"));
        assert_eq!(decode(b"\xFE\xFF\0{\0}").as_deref(), Some("{}"));
        assert_eq!(decode(b"\xFF\xFE{\0}"), None);
        assert_eq!(decode(b"\xFF\xFE\x00\xD8"), None);
        assert_eq!(decode(b"\x89PNG\xFF"), None);
    }

    #[test]
    fn syntax() {
        assert_eq!(syntax_of("\n\t{\"a\": 1}"), Syntax::Json);
        assert_eq!(syntax_of("a: {}"), Syntax::Yaml);
    }
}
