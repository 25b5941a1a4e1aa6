//! A strict JSON reader (RFC 8259) into the span-aware tree. `rampart-iam`'s parser keeps
//! only start positions of values; rules on infrastructure code also want where a value and
//! a key end, so this one records both, working on bytes (a Terraform plan is often one
//! line of megabytes: columns are counted in characters as the bytes go by, never by
//! rescanning the line).

use crate::tree::{DuplicateKeys, Entry, Node, ParseError, Position, Span, Value};

/// How deep arrays and objects may nest; Terraform plans of nested modules reach ~20.
const MAX_DEPTH: usize = 128;

/// Parses one JSON document (surrounding whitespace allowed, nothing else).
pub fn parse_json(text: &str) -> Result<Node, ParseError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        column: 1,
    };
    reader.skip_whitespace();
    let node = reader.value(0)?;
    reader.skip_whitespace();
    if reader.at < reader.bytes.len() {
        return Err(reader.error("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    line: u32,
    column: u32,
}

impl Reader<'_> {
    fn position(&self) -> Position {
        Position::new(self.line, self.column)
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.position(), message)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Moves past one byte, counting a column per character (UTF-8 continuation bytes
    /// belong to the character before them).
    fn bump(&mut self) {
        if let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column = self.column.saturating_add(1);
            }
        }
    }

    fn found(&self) -> String {
        match self
            .text
            .get(self.at..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => format!("`{}`", c.escape_debug()),
            None => "the end of the input".to_owned(),
        }
    }

    fn expect(&mut self, want: u8) -> Result<(), ParseError> {
        if self.peek() == Some(want) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(format!(
                "expected `{}`, found {}",
                want as char,
                self.found()
            )))
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.position();
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b) if b == b'-' || b.is_ascii_digit() => Value::Number(self.number()?),
            _ => return Err(self.error(format!("expected a JSON value, found {}", self.found()))),
        };
        Ok(Node::new(value, Span::new(start, self.position())))
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            for _ in 0..word.len() {
                self.bump();
            }
            Ok(value)
        } else {
            Err(self.error(format!("invalid literal, expected `{word}`")))
        }
    }

    fn digits(&mut self) -> usize {
        let mut n = 0;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.bump();
            n += 1;
        }
        n
    }

    fn number(&mut self) -> Result<String, ParseError> {
        let start = self.at;
        let start_position = self.position();
        if self.peek() == Some(b'-') {
            self.bump();
        }
        let int_start = self.at;
        match self.digits() {
            0 => return Err(ParseError::new(start_position, "invalid number")),
            n if n > 1 && self.bytes[int_start] == b'0' => {
                return Err(ParseError::new(
                    start_position,
                    "invalid number: leading zero",
                ))
            }
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if self.digits() == 0 {
                return Err(self.error("invalid number: digits expected after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number: digits expected in the exponent"));
            }
        }
        Ok(self.text[start..self.at].to_owned())
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            // Copy the run of plain characters at once: slicing at ASCII bytes keeps UTF-8.
            let run = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.bump();
            }
            out.push_str(&self.text[run..self.at]);
            let position = self.position();
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.bump();
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.bump();
                            out.push(self.unicode_escape(position)?);
                            continue;
                        }
                        _ => return Err(ParseError::new(position, "invalid escape in string")),
                    };
                    self.bump();
                    out.push(escaped);
                }
                Some(_) => {
                    return Err(ParseError::new(
                        position,
                        "control character in string (escape it)",
                    ))
                }
            }
        }
    }

    fn hex4(&mut self, position: Position) -> Result<u32, ParseError> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| (b as char).to_digit(16))
                .ok_or_else(|| ParseError::new(position, "invalid `\\u` escape"))?;
            self.bump();
            n = n * 16 + digit;
        }
        Ok(n)
    }

    fn unicode_escape(&mut self, position: Position) -> Result<char, ParseError> {
        let bad = || ParseError::new(position, "invalid unicode escape");
        let first = self.hex4(position)?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.at..].starts_with(b"\\u") {
                return Err(bad());
            }
            self.bump();
            self.bump();
            let second = self.hex4(position)?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(bad());
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(bad)
    }

    /// After a `,`: the next item, or an error at the comma if the list closes instead.
    fn after_comma(&mut self, comma: Position, close: u8) -> Result<(), ParseError> {
        self.skip_whitespace();
        if self.peek() == Some(close) {
            return Err(ParseError::new(
                comma,
                format!("trailing comma before `{}`", close as char),
            ));
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(Value::Sequence(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    let comma = self.position();
                    self.bump();
                    self.after_comma(comma, b']')?;
                }
                Some(b']') => {
                    self.bump();
                    return Ok(Value::Sequence(items));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `]` in array, found {}",
                        self.found()
                    )))
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.expect(b'{')?;
        let mut entries: Vec<Entry> = Vec::new();
        let mut duplicates = DuplicateKeys::default();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(Value::Mapping(entries));
        }
        loop {
            let key_start = self.position();
            if self.peek() != Some(b'"') {
                return Err(self.error(format!(
                    "expected a string key in object, found {}",
                    self.found()
                )));
            }
            let key = self.string()?;
            let key_span = Span::new(key_start, self.position());
            duplicates.check(&entries, &key, key_span)?;
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            entries.push(Entry {
                key,
                key_span,
                value,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    let comma = self.position();
                    self.bump();
                    self.after_comma(comma, b'}')?;
                }
                Some(b'}') => {
                    self.bump();
                    return Ok(Value::Mapping(entries));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `}}` in object, found {}",
                        self.found()
                    )))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (u32, u32, String) {
        let e = parse_json(text).unwrap_err();
        (e.position.line, e.position.column, e.message)
    }

    #[test]
    fn spans_of_values_and_keys() {
        let node =
            parse_json("{\n\t\"a\": [1, -2.5e3, true, null, \"x\\u00e9\\n\"],\n\t\"é\": {}\n}")
                .unwrap();
        assert_eq!(
            node.span,
            Span::new(Position::new(1, 1), Position::new(4, 2))
        );
        let a = node.entry("a").unwrap();
        assert_eq!(
            a.key_span,
            Span::new(Position::new(2, 2), Position::new(2, 5))
        );
        let items = a.value.as_sequence().unwrap();
        assert_eq!(items[1].value, Value::Number("-2.5e3".to_owned()));
        assert_eq!(items[1].span.start, Position::new(2, 11));
        assert_eq!(items[1].span.end, Position::new(2, 17));
        assert_eq!(items[4].as_str(), Some("xé\n"));
        let e = node.entry("é").unwrap();
        // One column per character, not per byte.
        assert_eq!(e.key_span.end, Position::new(3, 5));
        assert_eq!(e.value.span.start, Position::new(3, 7));
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(
            err("{\n  \"a\": [1, 2,]\n}"),
            (2, 13, "trailing comma before `]`".to_owned())
        );
        assert_eq!(
            err("{\"a\": 1,\n}"),
            (1, 8, "trailing comma before `}`".to_owned())
        );
        assert_eq!(
            err("{\"a\": 1, \"a\": 2}"),
            (1, 10, "duplicate key `a`".to_owned())
        );
        assert!(parse_json("{\"a\": 1} x").is_err());
        assert!(parse_json("[01]").is_err());
        assert!(parse_json("\"\\ud800\"").is_err());
        assert!(parse_json("").is_err());
        assert!(parse_json("\"abc").is_err());
        assert!(parse_json("\"a\tb\"").is_err());
    }

    #[test]
    fn many_keys_and_duplicates_among_them() {
        let body: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let ok = format!("{{{}}}", body.join(", "));
        assert_eq!(parse_json(&ok).unwrap().as_mapping().unwrap().len(), 100);
        let bad = format!("{{{}, \"k42\": 0}}", body.join(", "));
        assert!(err(&bad).2.contains("duplicate key `k42`"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        assert!(err(&"[".repeat(100_000)).2.contains("nested too deeply"));
    }
}
