//! A small JSON parser that keeps the position of every value, so that policy errors can
//! name a line and column (serde_json does not expose spans). Strict RFC 8259, with a
//! nesting limit so that hostile input cannot exhaust the stack.

use super::document::Position;

/// How deep arrays and objects may nest; real policies nest four levels.
const MAX_DEPTH: usize = 64;

/// A JSON value with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    /// The value.
    pub value: Json,
    /// Where it starts.
    pub position: Position,
}

/// A JSON value. Numbers keep their text (policies compare them as strings or parse them
/// per operator); objects keep their member order and positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Spanned>),
    /// An object: (key, key position, value), in document order.
    Object(Vec<(String, Position, Spanned)>),
}

impl Json {
    /// A short name of the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// A syntax error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}: {message}", position.line, position.column)]
pub struct JsonError {
    /// Where.
    pub position: Position,
    /// What is wrong.
    pub message: String,
}

/// Parses one JSON document (surrounding whitespace allowed, nothing else).
pub fn parse(text: &str) -> Result<Spanned, JsonError> {
    let mut p = Parser {
        chars: text.char_indices().peekable(),
        line: 1,
        column: 1,
    };
    p.skip_whitespace();
    let value = p.value(0)?;
    p.skip_whitespace();
    if p.peek().is_some() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: u32,
    column: u32,
}

impl Parser<'_> {
    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            position: self.position(),
            message: message.into(),
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn expect(&mut self, want: char) -> Result<(), JsonError> {
        match self.peek() {
            Some(c) if c == want => {
                self.bump();
                Ok(())
            }
            Some(c) => Err(self.error(format!("expected `{want}`, found `{c}`"))),
            None => Err(self.error(format!("expected `{want}`, found the end of the input"))),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(' ' | '\t' | '\n' | '\r') = self.peek() {
            self.bump();
        }
    }

    fn value(&mut self, depth: usize) -> Result<Spanned, JsonError> {
        let position = self.position();
        let value = match self.peek() {
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => Json::String(self.string()?),
            Some('t') => self.literal("true", Json::Bool(true))?,
            Some('f') => self.literal("false", Json::Bool(false))?,
            Some('n') => self.literal("null", Json::Null)?,
            Some(c) if c == '-' || c.is_ascii_digit() => Json::Number(self.number()?),
            Some(c) => return Err(self.error(format!("expected a JSON value, found `{c}`"))),
            None => return Err(self.error("expected a JSON value, found the end of the input")),
        };
        Ok(Spanned { value, position })
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, JsonError> {
        let start = self.position();
        for want in word.chars() {
            if self.peek() != Some(want) {
                return Err(JsonError {
                    position: start,
                    message: format!("invalid literal, expected `{word}`"),
                });
            }
            self.bump();
        }
        Ok(value)
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.position();
        let mut text = String::new();
        let take_digits = |p: &mut Self, text: &mut String| {
            let mut n = 0;
            while let Some(c) = p.peek().filter(char::is_ascii_digit) {
                text.push(c);
                p.bump();
                n += 1;
            }
            n
        };
        if self.peek() == Some('-') {
            text.push('-');
            self.bump();
        }
        let int_start = text.len();
        if take_digits(self, &mut text) == 0 {
            return Err(JsonError {
                position: start,
                message: "invalid number".to_owned(),
            });
        }
        if text[int_start..].starts_with('0') && text.len() - int_start > 1 {
            return Err(JsonError {
                position: start,
                message: "invalid number: leading zero".to_owned(),
            });
        }
        if self.peek() == Some('.') {
            text.push('.');
            self.bump();
            if take_digits(self, &mut text) == 0 {
                return Err(self.error("invalid number: digits expected after `.`"));
            }
        }
        if let Some(e @ ('e' | 'E')) = self.peek() {
            text.push(e);
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek() {
                text.push(sign);
                self.bump();
            }
            if take_digits(self, &mut text) == 0 {
                return Err(self.error("invalid number: digits expected in the exponent"));
            }
        }
        Ok(text)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            let position = self.position();
            match self.bump() {
                None => return Err(self.error("unterminated string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('/') => out.push('/'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('u') => out.push(self.unicode_escape(position)?),
                    _ => {
                        return Err(JsonError {
                            position,
                            message: "invalid escape in string".to_owned(),
                        })
                    }
                },
                Some(c) if (c as u32) < 0x20 => {
                    return Err(JsonError {
                        position,
                        message: "control character in string (escape it)".to_owned(),
                    })
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn hex4(&mut self, position: Position) -> Result<u32, JsonError> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = self.bump().and_then(|c| c.to_digit(16)).ok_or(JsonError {
                position,
                message: "invalid `\\u` escape".to_owned(),
            })?;
            n = n * 16 + digit;
        }
        Ok(n)
    }

    fn unicode_escape(&mut self, position: Position) -> Result<char, JsonError> {
        let bad = || JsonError {
            position,
            message: "invalid unicode escape".to_owned(),
        };
        let first = self.hex4(position)?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.bump() != Some('\\') || self.bump() != Some('u') {
                return Err(bad());
            }
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

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.expect('[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]` in array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.expect('{')?;
        let mut members: Vec<(String, Position, Spanned)> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            let key_position = self.position();
            if self.peek() != Some('"') {
                return Err(self.error("expected a string key in object"));
            }
            let key = self.string()?;
            if members.iter().any(|(k, _, _)| *k == key) {
                return Err(JsonError {
                    position: key_position,
                    message: format!("duplicate key `{key}`"),
                });
            }
            self.skip_whitespace();
            self.expect(':')?;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            members.push((key, key_position, value));
            self.skip_whitespace();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}` in object")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_positions() {
        let v = parse("{\n  \"a\": [1, -2.5e3, true, null, \"x\\u00e9\\n\"]\n}").unwrap();
        let Json::Object(members) = &v.value else {
            panic!()
        };
        assert_eq!(members[0].0, "a");
        assert_eq!(members[0].1, Position { line: 2, column: 3 });
        let Json::Array(items) = &members[0].2.value else {
            panic!()
        };
        assert_eq!(items[1].value, Json::Number("-2.5e3".to_owned()));
        assert_eq!(items[4].value, Json::String("xé\n".to_owned()));
        assert_eq!(
            items[4].position,
            Position {
                line: 2,
                column: 32
            }
        );
    }

    #[test]
    fn errors_name_the_position() {
        let e = parse("{\n  \"a\": [1, 2,]\n}").unwrap_err();
        assert_eq!((e.position.line, e.position.column), (2, 14));
        let e = parse("{\"a\": 1, \"a\": 2}").unwrap_err();
        assert!(e.message.contains("duplicate key `a`"));
        assert!(parse("{\"a\": 1} x").is_err());
        assert!(parse("[01]").is_err());
        assert!(parse("\"\\ud800\"").is_err());
        assert!(parse("").is_err());
        assert!(parse("\"abc").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(parse(&text)
            .unwrap_err()
            .message
            .contains("nested too deeply"));
    }

    #[test]
    fn surrogate_pairs() {
        let v = parse("\"\\ud83d\\ude00\"").unwrap();
        assert_eq!(v.value, Json::String("😀".to_owned()));
    }
}
