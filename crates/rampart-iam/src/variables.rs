//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, any context key in
//! `${…}`, with an optional default (`${aws:username, 'anonymous'}`), and the special
//! `${*}`, `${?}`, `${$}` that stand for the literal characters.
//!
//! AWS substitutes variables only in policies whose `Version` is `2012-10-17`; in older
//! policies `${…}` is plain text ("IAM policy elements: Variables and tags",
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>).
//! A key that is not in the request (and has no default) leaves the variable "effectively
//! null" (same page, "Policy variables with no value"): a `Resource` or `NotResource` entry
//! holding it matches no resource, and in a condition nothing equals or is like it, so the
//! inverted operators (`StringNotEquals`, `StringNotLike`, `ArnNotLike`, …) match
//! ([`Unresolved::NoValue`]). A multivalued key cannot be a variable ("Single-valued vs.
//! multivalued context keys"): [`Unresolved::Unusable`], which decides nothing.
//!
//! Substituted values are literal: a `*` in a tag value matches only `*`. (AWS does not say;
//! IAM names and tag values cannot hold `*` or `?`, so this only matters for odd keys.)

use std::borrow::Cow;

use super::context::{Lookup, ValueRef};
use super::wildcard::Pattern;

/// A piece of a value after substitution: text from the policy (whose `*`/`?` are
/// wildcards in patterns), or text from the request (always literal).
enum Piece<'a> {
    Policy(&'a str),
    Substituted(&'a str),
}

/// Why a value's variables could not be substituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// A variable names a key the request does not have, and gives no default: its value
    /// is "effectively null" ("Policy variables with no value"). Nothing equals or is like
    /// it, so `StringEquals` does not match and `StringNotEquals` does.
    NoValue,
    /// A variable cannot stand for any value: a multivalued key, or a malformed `${…}`.
    Unusable,
}

/// Expands the variables of `text` into a wildcard pattern: the policy's own `*` and `?`
/// are wildcards, substituted text (and `${*}`, `${?}`, `${$}`) is literal. With `enabled`
/// false (policy Version other than 2012-10-17) the text is parsed as is. `None` when a
/// variable cannot be resolved: the value then matches nothing.
pub fn expand<C: Lookup + ?Sized>(text: &str, context: &C, enabled: bool) -> Option<Pattern> {
    expand_pattern(text, context, enabled).ok()
}

/// [`expand`], telling why a value could not be expanded.
pub fn expand_pattern<C: Lookup + ?Sized>(
    text: &str,
    context: &C,
    enabled: bool,
) -> Result<Pattern, Unresolved> {
    if !enabled || !text.contains("${") {
        return Ok(Pattern::parse(text));
    }
    let mut pattern = Pattern::default();
    for piece in substitute(text, context)? {
        match piece {
            Piece::Policy(raw) => {
                for part in Pattern::parse(raw).parts() {
                    pattern.push(part.clone());
                }
            }
            Piece::Substituted(value) => pattern.push_literal(value),
        }
    }
    Ok(pattern)
}

/// Expands the variables of `text` into a plain string, for operators without wildcards
/// (`StringEquals`, `Bool`): every character is literal. `None` when a variable cannot be
/// resolved.
pub fn expand_literal<'a, C: Lookup + ?Sized>(
    text: &'a str,
    context: &C,
    enabled: bool,
) -> Option<Cow<'a, str>> {
    expand_text(text, context, enabled).ok()
}

/// [`expand_literal`], telling why a value could not be expanded.
pub fn expand_text<'a, C: Lookup + ?Sized>(
    text: &'a str,
    context: &C,
    enabled: bool,
) -> Result<Cow<'a, str>, Unresolved> {
    // Most values hold no variable: borrow them (evaluation is allocation-sensitive).
    if !enabled || !text.contains("${") {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    for piece in substitute(text, context)? {
        match piece {
            Piece::Policy(s) | Piece::Substituted(s) => out.push_str(s),
        }
    }
    Ok(Cow::Owned(out))
}

/// A value with policy variables (a `Resource` with `${aws:username}`), parsed once so that
/// each request only substitutes: [`Template::expand`] gives what [`expand_pattern`] gives
/// for the same text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The text as written (used as is when variables are disabled).
    text: String,
    /// The text split into policy text and variables, in order.
    pieces: Vec<TemplatePiece>,
}

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum TemplatePiece {
    /// Policy text, parsed (its `*` and `?` are wildcards).
    Policy(Pattern),
    /// `${*}`, `${?}`, `${$}`: the character, literal.
    Special(&'static str),
    /// A context key and its default.
    Key {
        name: String,
        default: Option<String>,
    },
    /// A malformed `${…}`: the value cannot be expanded.
    Malformed,
}

impl Template {
    /// Parses `text`'s variables.
    pub fn parse(text: &str) -> Self {
        let mut pieces = Vec::new();
        let mut policy = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some((variable, len)) = parse_variable(after) else {
                policy.push_str(&rest[..start + 2]);
                rest = after;
                continue;
            };
            policy.push_str(&rest[..start]);
            pieces.push(TemplatePiece::Policy(Pattern::parse(&std::mem::take(
                &mut policy,
            ))));
            pieces.push(match variable {
                Some(Variable::Special(c)) => TemplatePiece::Special(match c {
                    "*" => "*",
                    "?" => "?",
                    _ => "$",
                }),
                Some(Variable::Key { name, default }) => TemplatePiece::Key {
                    name: name.to_owned(),
                    default: default.map(str::to_owned),
                },
                None => TemplatePiece::Malformed,
            });
            rest = &after[len..];
        }
        policy.push_str(rest);
        pieces.push(TemplatePiece::Policy(Pattern::parse(&policy)));
        Self {
            text: text.to_owned(),
            pieces,
        }
    }

    /// The pattern this template stands for in a request: [`expand_pattern`] of its text.
    pub fn expand<C: Lookup + ?Sized>(
        &self,
        context: &C,
        enabled: bool,
    ) -> Result<Pattern, Unresolved> {
        if !enabled {
            return Ok(Pattern::parse(&self.text));
        }
        let mut pattern = Pattern::default();
        for piece in &self.pieces {
            match piece {
                TemplatePiece::Policy(p) => {
                    for part in p.parts() {
                        pattern.push_ref(part);
                    }
                }
                TemplatePiece::Special(c) => pattern.push_literal(c),
                TemplatePiece::Key { name, default } => {
                    let variable = Variable::Key {
                        name,
                        default: default.as_deref(),
                    };
                    pattern.push_literal(resolve(&variable, context)?);
                }
                TemplatePiece::Malformed => return Err(Unresolved::Unusable),
            }
        }
        Ok(pattern)
    }
}

/// Whether `text` contains something `${…}`-shaped that [`expand`] would substitute.
pub fn has_variables(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        if parse_variable(&rest[start + 2..]).is_some() {
            return true;
        }
        rest = &rest[start + 2..];
    }
    false
}

/// Splits `text` into policy text and substituted values.
fn substitute<'a, C: Lookup + ?Sized>(
    text: &'a str,
    context: &'a C,
) -> Result<Vec<Piece<'a>>, Unresolved> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some((variable, len)) = parse_variable(after) else {
            // No closing brace: not a variable, the text stays as written.
            pieces.push(Piece::Policy(&rest[..start + 2]));
            rest = after;
            continue;
        };
        pieces.push(Piece::Policy(&rest[..start]));
        let variable = variable.ok_or(Unresolved::Unusable)?;
        pieces.push(Piece::Substituted(resolve(&variable, context)?));
        rest = &after[len..];
    }
    pieces.push(Piece::Policy(rest));
    Ok(pieces)
}

/// A parsed `${…}`.
#[derive(Debug, PartialEq, Eq)]
enum Variable<'a> {
    /// `${*}`, `${?}`, `${$}`: the character itself.
    Special(&'a str),
    /// A context key, with the default used when the request does not have it.
    Key {
        name: &'a str,
        default: Option<&'a str>,
    },
}

/// Parses the text after `${`. `None`: there is no closing `}` (plain text). `Some((None,
/// len))`: a malformed variable (empty key, unquoted default), which cannot resolve.
fn parse_variable(after: &str) -> Option<(Option<Variable<'_>>, usize)> {
    for special in ["*", "?", "$"] {
        if after
            .strip_prefix(special)
            .is_some_and(|r| r.starts_with('}'))
        {
            return Some((Some(Variable::Special(special)), 2));
        }
    }
    let end_of_name = after.find(['}', ','])?;
    let name = after[..end_of_name].trim();
    if after[end_of_name..].starts_with('}') {
        let variable = (!name.is_empty()).then_some(Variable::Key {
            name,
            default: None,
        });
        return Some((variable, end_of_name + 1));
    }
    // `, 'default'}`: AWS documents a comma and a space, then the value in single quotes.
    let after_comma = &after[end_of_name + 1..];
    let quoted = after_comma.trim_start();
    let Some(body) = quoted.strip_prefix('\'') else {
        let close = after_comma.find('}')?;
        return Some((None, end_of_name + 1 + close + 1));
    };
    let Some(end_quote) = body.find('\'') else {
        let close = after_comma.find('}')?;
        return Some((None, end_of_name + 1 + close + 1));
    };
    let default = &body[..end_quote];
    let tail = &body[end_quote + 1..];
    let consumed_before_tail = after.len() - tail.len();
    let trimmed = tail.trim_start();
    if trimmed.starts_with('}') && !name.is_empty() {
        let len = consumed_before_tail + (tail.len() - trimmed.len()) + 1;
        return Some((
            Some(Variable::Key {
                name,
                default: Some(default),
            }),
            len,
        ));
    }
    let close = tail.find('}')?;
    Some((None, consumed_before_tail + close + 1))
}

/// The text a variable stands for in this request.
fn resolve<'a, C: Lookup + ?Sized>(
    variable: &Variable<'a>,
    context: &'a C,
) -> Result<&'a str, Unresolved> {
    match variable {
        Variable::Special(c) => Ok(*c),
        Variable::Key { name, default } => match context.lookup(name) {
            Some(ValueRef::Single(value)) => Ok(value),
            // A multivalued key is present but unusable: the default does not apply.
            Some(ValueRef::Multi(_)) => Err(Unresolved::Unusable),
            None => default.ok_or(Unresolved::NoValue),
        },
    }
}

#[cfg(test)]
mod tests;
