//! The top-level blocks of Terraform `.tf` files, and the `rampart:skip` comments on them.
//!
//! A plan names each resource by its address, not by its place in a `.tf` file; this scanner
//! finds `resource "TYPE" "NAME" {` (and every other top-level block) so that findings can
//! name the block's file, line and column. It is not an HCL parser: it only lexes what can
//! hide a brace or a comment marker — comments (`#`, `//`, `/* */`), quoted strings with
//! their `${…}`/`%{…}` templates (which may nest strings and braces), and heredocs
//! (`<<EOT`, `<<-EOT`) — and counts braces. Columns count characters, as the JSON and YAML
//! readers do.
//!
//! A suppression is a line comment directly above a block (in the run of comment lines
//! that ends on the line before it) or anywhere inside it:
//! `# rampart:skip=RULE_ID reason text` (or `//`; several ids separated by commas). A skip
//! without a reason, or without a rule id, is an error at the comment.

use std::collections::BTreeSet;

use crate::tree::{ParseError, Position};

/// A top-level block (`resource "aws_s3_bucket" "logs" { … }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The block type (`resource`, `data`, `module`, `locals`, …).
    pub kind: String,
    /// Its labels (`aws_s3_bucket`, `logs`).
    pub labels: Vec<String>,
    /// Where the block type keyword starts.
    pub start: Position,
    /// Where its closing brace is.
    pub end: Position,
    /// The `rampart:skip` comments above it or inside it, in file order.
    pub skips: Vec<Skip>,
}

/// A rule skipped by a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The rule id.
    pub rule_id: String,
    /// Why, as written.
    pub reason: String,
    /// Where the comment starts (its `#` or `//`).
    pub position: Position,
}

/// A line comment.
#[derive(Debug)]
struct Comment {
    /// The text after `#` or `//`.
    text: String,
    position: Position,
    /// Whether nothing but blanks precedes it on its line.
    own_line: bool,
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    /// A quoted string without templates (a label).
    Label(String),
    /// A string with templates, a number, an operator: anything that is not a label.
    Other,
    Open,
    Close,
    Newline,
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
    line: u32,
    column: u32,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn position(&self) -> Position {
        Position::new(self.line, self.column)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn rest_of_line(&mut self) -> String {
        let mut text = String::new();
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                break;
            }
            text.push(c);
            self.bump();
        }
        text.trim_end_matches('\r').to_owned()
    }

    /// A quoted string, the opening quote consumed; `Some(text)` when it holds no template.
    fn string(&mut self, start: Position) -> Result<Option<String>, ParseError> {
        let mut text = String::new();
        let mut plain = true;
        loop {
            match self.bump() {
                None | Some('\n') => return Err(ParseError::new(start, "unterminated string")),
                Some('"') => return Ok(plain.then_some(text)),
                Some('\\') => {
                    if let Some(c) = self.bump() {
                        text.push(c);
                    }
                }
                Some(c @ ('$' | '%')) if self.peek(0) == Some(c) && self.peek(1) == Some('{') => {
                    // `$${` and `%%{` are a literal `${` and `%{`.
                    self.bump();
                    text.push(c);
                }
                Some('$' | '%') if self.peek(0) == Some('{') => {
                    self.bump();
                    plain = false;
                    self.template(start)?;
                }
                Some(c) => text.push(c),
            }
        }
    }

    /// The inside of `${…}` or `%{…}`, the opening brace consumed.
    fn template(&mut self, start: Position) -> Result<(), ParseError> {
        let mut depth = 1usize;
        while depth > 0 {
            let here = self.position();
            match self.bump() {
                None => return Err(ParseError::new(start, "unterminated template in a string")),
                Some('{') => depth += 1,
                Some('}') => depth -= 1,
                Some('"') => {
                    self.string(here)?;
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A heredoc after `<<` (or `<<-`) and its marker: the lines up to the closing marker.
    fn heredoc(&mut self, start: Position, marker: &str) -> Result<(), ParseError> {
        self.rest_of_line();
        loop {
            if self.bump().is_none() {
                return Err(ParseError::new(
                    start,
                    format!("unterminated heredoc: no line `{marker}` closes it"),
                ));
            }
            let line = self.rest_of_line();
            if line.trim() == marker {
                return Ok(());
            }
        }
    }

    /// The heredoc marker after `<<` at the cursor (`EOT` in `<<-EOT\n`), if it is one.
    fn heredoc_marker(&self) -> Option<String> {
        let mut i = 2;
        if self.peek(i) == Some('-') {
            i += 1;
        }
        let mut marker = String::new();
        while let Some(c) = self.peek(i) {
            if c.is_alphanumeric() || c == '_' || (c == '-' && !marker.is_empty()) {
                marker.push(c);
                i += 1;
            } else {
                break;
            }
        }
        let end = self.peek(i);
        let at_line_end =
            end.is_none_or(|c| c == '\n') || (end == Some('\r') && self.peek(i + 1) == Some('\n'));
        (!marker.is_empty() && at_line_end).then_some(marker)
    }
}

/// Lexes `text` into the tokens that matter and its line comments.
fn lex(text: &str) -> Result<Lexed, ParseError> {
    let mut lx = Lexer {
        chars: text.trim_start_matches('\u{feff}').chars().collect(),
        at: 0,
        line: 1,
        column: 1,
    };
    let mut tokens = Vec::new();
    let mut comments = Vec::new();
    let mut block_comment_lines = BTreeSet::new();
    let mut line_has_code = false;
    while let Some(c) = lx.peek(0) {
        let start = lx.position();
        match c {
            '\n' => {
                lx.bump();
                tokens.push((Token::Newline, start));
                line_has_code = false;
            }
            c if c.is_whitespace() => {
                lx.bump();
            }
            '#' => {
                lx.bump();
                comments.push(Comment {
                    text: lx.rest_of_line(),
                    position: start,
                    own_line: !line_has_code,
                });
            }
            '/' if lx.peek(1) == Some('/') => {
                lx.bump();
                lx.bump();
                comments.push(Comment {
                    text: lx.rest_of_line(),
                    position: start,
                    own_line: !line_has_code,
                });
            }
            '/' if lx.peek(1) == Some('*') => {
                lx.bump();
                lx.bump();
                loop {
                    match lx.bump() {
                        None => return Err(ParseError::new(start, "unterminated `/*` comment")),
                        Some('*') if lx.peek(0) == Some('/') => {
                            lx.bump();
                            break;
                        }
                        Some(_) => {}
                    }
                }
                // Its lines are not blank: a skip above it is not directly above what
                // follows it.
                block_comment_lines.extend(start.line..=lx.line);
                line_has_code = true;
            }
            '"' => {
                lx.bump();
                let token = match lx.string(start)? {
                    Some(label) => Token::Label(label),
                    None => Token::Other,
                };
                tokens.push((token, start));
                line_has_code = true;
            }
            '<' if lx.peek(1) == Some('<') => match lx.heredoc_marker() {
                Some(marker) => {
                    lx.heredoc(start, &marker)?;
                    tokens.push((Token::Other, start));
                    line_has_code = true;
                }
                None => {
                    lx.bump();
                    lx.bump();
                    tokens.push((Token::Other, start));
                    line_has_code = true;
                }
            },
            '{' | '}' => {
                lx.bump();
                tokens.push((if c == '{' { Token::Open } else { Token::Close }, start));
                line_has_code = true;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut ident = String::new();
                while let Some(c) = lx.peek(0) {
                    if c.is_alphanumeric() || c == '_' || c == '-' {
                        ident.push(c);
                        lx.bump();
                    } else {
                        break;
                    }
                }
                tokens.push((Token::Ident(ident), start));
                line_has_code = true;
            }
            _ => {
                lx.bump();
                tokens.push((Token::Other, start));
                line_has_code = true;
            }
        }
    }
    Ok(Lexed {
        tokens,
        comments,
        block_comment_lines,
    })
}

/// What the lexer keeps of a file.
struct Lexed {
    tokens: Vec<(Token, Position)>,
    comments: Vec<Comment>,
    /// The lines a `/* */` comment spans.
    block_comment_lines: BTreeSet<u32>,
}

/// The top-level blocks of a `.tf` file with their skips, in file order. An unterminated
/// string, heredoc or comment, or a `rampart:skip` without a rule id or a reason, is an
/// error at its position.
pub fn scan(text: &str) -> Result<Vec<Block>, ParseError> {
    let Lexed {
        tokens,
        comments,
        block_comment_lines,
    } = lex(text)?;
    let mut skips = Vec::new();
    for comment in &comments {
        skips.extend(
            parse_skip(comment)?
                .into_iter()
                .map(|skip| (skip, comment.own_line)),
        );
    }
    let mut blocks: Vec<Block> = Vec::new();
    let mut depth = 0usize;
    // The tokens of the current top-level line, to read a block header from.
    let mut header: Vec<&(Token, Position)> = Vec::new();
    let mut open: Option<Block> = None;
    for token in &tokens {
        match &token.0 {
            Token::Open => {
                if depth == 0 {
                    open = block_header(&header);
                    header.clear();
                }
                depth += 1;
            }
            Token::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(mut block) = open.take() {
                        block.end = token.1;
                        blocks.push(block);
                    }
                }
            }
            Token::Newline if depth == 0 => header.clear(),
            _ if depth == 0 => header.push(token),
            _ => {}
        }
    }
    // Lines holding code (or a block comment), to find the comment run above a block.
    let mut code_lines: BTreeSet<u32> = tokens
        .iter()
        .filter(|(t, _)| *t != Token::Newline)
        .map(|(_, p)| p.line)
        .collect();
    code_lines.extend(block_comment_lines);
    let comment_lines: BTreeSet<u32> = comments
        .iter()
        .filter(|c| c.own_line)
        .map(|c| c.position.line)
        .collect();
    for block in &mut blocks {
        let mut first_above = block.start.line;
        while first_above > 1
            && comment_lines.contains(&(first_above - 1))
            && !code_lines.contains(&(first_above - 1))
        {
            first_above -= 1;
        }
        block.skips = skips
            .iter()
            .filter(|(skip, own_line)| {
                let line = skip.position.line;
                (*own_line && line >= first_above && line < block.start.line)
                    || (line >= block.start.line && line <= block.end.line)
            })
            .map(|(skip, _)| skip.clone())
            .collect();
    }
    Ok(blocks)
}

/// `IDENT (LABEL | IDENT)* {` at the top level.
fn block_header(header: &[&(Token, Position)]) -> Option<Block> {
    let ((Token::Ident(kind), start), labels) = header.split_first().map(|(f, r)| (*f, r))? else {
        return None;
    };
    let labels = labels
        .iter()
        .map(|(t, _)| match t {
            Token::Label(l) | Token::Ident(l) => Some(l.clone()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Block {
        kind: kind.clone(),
        labels,
        start: *start,
        end: *start,
        skips: Vec::new(),
    })
}

/// The skips a comment writes (`rampart:skip=ID[,ID…] reason`), none if it writes none.
fn parse_skip(comment: &Comment) -> Result<Vec<Skip>, ParseError> {
    let text = comment.text.trim();
    let Some(rest) = text.strip_prefix("rampart:skip") else {
        return Ok(Vec::new());
    };
    let error = |message: String| ParseError::new(comment.position, message);
    let Some(rest) = rest.strip_prefix('=') else {
        return Err(error(
            "a skip names its rule: `# rampart:skip=RULE_ID reason`".to_owned(),
        ));
    };
    let (ids, reason) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(ids, reason)| (ids, reason.trim()));
    let ids: Vec<&str> = ids.split(',').map(str::trim).collect();
    if ids.iter().any(|id| {
        id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }) {
        return Err(error(format!(
            "`{ids}` is not a rule id (a skip is `# rampart:skip=RULE_ID reason`)",
            ids = ids.join(",")
        )));
    }
    if reason.is_empty() {
        return Err(error(format!(
            "the skip of `{}` needs a reason: `# rampart:skip={} why it does not apply`",
            ids.join(","),
            ids.join(",")
        )));
    }
    Ok(ids
        .into_iter()
        .map(|id| Skip {
            rule_id: id.to_owned(),
            reason: reason.to_owned(),
            position: comment.position,
        })
        .collect())
}

#[cfg(test)]
#[path = "hcl_blocks_tests.rs"]
mod tests;
