//! Size limits on Cedar policy text, checked before Cedar parses it.
//!
//! Cedar's parser, validator and evaluator recurse over the expression tree: 200 nested
//! parentheses or a chain of 1,000 `&&` overflow the stack of a debug build, which aborts
//! the process (no panic to catch). A policy file is user input, so rampart refuses text
//! deeper or larger than any real rule needs, with the position of the excess. The
//! bundled policies use at most 3 levels of brackets and 17 operators in one policy.

use std::path::Path;

use super::store::PolicyError;
use crate::vocab::line_column;

/// Brackets (`(`, `[`, `{`) open at once.
pub const MAX_DEPTH: usize = 32;
/// Operators (`&&`, `||`, comparisons, arithmetic, `.`, `!`, `in`, `has`, `like`, `is`,
/// `if`/`then`/`else`) in one policy: each is a node of the expression tree.
pub const MAX_OPERATORS: usize = 256;

/// Checks every policy of a file (text up to each `;` outside strings and comments).
pub fn check(path: &Path, text: &str) -> Result<(), PolicyError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut i = 0;
    let fail = |at: usize, message: String| {
        let (line, column) = line_column(text, at);
        Err(PolicyError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message,
        })
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' => {
                // A string literal: skip to its closing quote, past escapes.
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return fail(
                        i,
                        format!("brackets nested more than {MAX_DEPTH} deep: simplify the policy"),
                    );
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b';' => operators = 0,
            _ => {
                let word_start = c.is_ascii_alphabetic()
                    && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
                let operator = if word_start {
                    let end = bytes[i..]
                        .iter()
                        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                        .map_or(bytes.len(), |n| i + n);
                    let word = &text[i..end];
                    let is_op =
                        matches!(word, "in" | "has" | "like" | "is" | "if" | "then" | "else");
                    i = end - 1;
                    is_op
                } else if matches!(
                    (c, bytes.get(i + 1)),
                    (b'&', Some(b'&'))
                        | (b'|', Some(b'|'))
                        | (b'=' | b'!' | b'<' | b'>', Some(b'='))
                ) {
                    // A two-character operator is one operator.
                    i += 1;
                    true
                } else {
                    matches!(c, b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'.')
                };
                if operator {
                    operators += 1;
                    if operators > MAX_OPERATORS {
                        return fail(
                            i,
                            format!(
                                "more than {MAX_OPERATORS} operators in one policy: split it into several rules"
                            ),
                        );
                    }
                }
            }
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(text: &str) -> Result<(), String> {
        check(Path::new("p.cedar"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn real_policies_pass() {
        for (path, text) in super::super::store::BUNDLED_POLICIES {
            checked(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }

    #[test]
    fn deep_brackets_are_refused_at_the_first_excess() {
        let text = format!(
            "forbid (principal, action, resource)\nunless {{ {}true }};",
            "(".repeat(40)
        );
        let e = checked(&text).unwrap_err();
        // `(principal…)` closes before `{`, which is level 1; the 32nd `(` is level 32.
        assert!(
            e.starts_with("p.cedar:2:41: brackets nested more than 32 deep"),
            "{e}"
        );
    }

    #[test]
    fn long_operator_chains_are_refused_and_counted_per_policy() {
        let chain = |n: usize| vec!["resource.a"; n].join(" && ");
        // 100 `.` and 99 `&&`: 199 operators, twice, in two policies.
        let two = format!("forbid (principal, action, resource) unless {{ {} }};\nforbid (principal, action, resource) unless {{ {} }};", chain(100), chain(100));
        assert_eq!(checked(&two), Ok(()));
        let e = checked(&format!(
            "forbid (principal, action, resource) unless {{ {} }};",
            chain(200)
        ))
        .unwrap_err();
        assert!(e.contains("more than 256 operators in one policy"), "{e}");
    }

    #[test]
    fn strings_and_comments_do_not_count() {
        let text = format!(
            "// {}\n@message(\"{}\")\nforbid (principal, action, resource) unless {{ resource.name == \"{}\" }};",
            "(((".repeat(50),
            "&&".repeat(300),
            "\\\"((".repeat(50)
        );
        assert_eq!(checked(&text), Ok(()));
    }
}
