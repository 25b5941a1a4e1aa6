//! Redaction: free text that came from the data (tags, names, descriptions, policy
//! condition values, error reasons) may hold a credential someone put where it does not
//! belong. [`redact`] replaces what looks like one with [`REDACTED`]; [`redact_json`] does
//! it to every string of a JSON tree (a snapshot rampart writes, the evidence bundle's copy).
//!
//! What is redacted (`docs/security.md`): private key blocks (PEM), the value after a
//! secret-named key (`password=…`, `"client_secret": "…"`, `DB_PASSWORD: …`), the password
//! of a URL (`https://user:…@host`), AWS secret access keys (40 base64 characters with
//! upper case, lower case and a digit), long base64 blobs (100 characters or more: STS
//! session tokens), and common token formats (GitHub, GitLab, Slack, Stripe, npm, Google API
//! keys, JSON Web Tokens). Kept on purpose: access key ids (`AKIA…`, `ASIA…`: identifiers
//! that CloudTrail and the IAM console show, which rules report on), ARNs, account ids,
//! KMS key ids (UUIDs) and hex digests such as commit ids (no upper case).
//!
//! Every pattern is compiled once, and runs only on text that has what it needs, found in
//! one byte scan ([`Shape`]): a `-----BEGIN`, a `://`, a long enough run of token or base64
//! characters, or a separator and a secret word. The usual finding message runs none.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex};
use serde_json::Value;

/// What replaces a credential.
pub const REDACTED: &str = "[REDACTED]";

/// A key that names a secret: it ends with a secret word (any case, any prefix).
const SECRET_KEY_NAME: &str = concat!(
    r"[a-z0-9_.-]*(?:password|passwd|passphrase|pwd|secret|secret[_-]?(?:access[_-]?)?key",
    r"|secret[_-]?string|secret[_-]?value|token|api[_-]?key|private[_-]?key|credentials?)"
);

/// Compiles a constant pattern.
#[expect(
    clippy::expect_used,
    reason = "constant patterns, covered by the tests"
)]
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

// Each pattern is compiled on its first use, and only a text that passes its pre-check
// uses it: a run that redacts nothing compiles none (compiling them all costs about as
// much as the rest of a one-template `check`).

/// A PEM private key block, to its end marker or the end of the text (a cut value).
static PEM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?s:.*?)(?:-----END[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\z)",
    )
});

/// A secret-named key, its separator, then the value (group `value`). The key ends with a
/// secret word; `:` counts only before white space or after a quoted key, so that
/// `secretsmanager:GetSecretValue` and ARNs are left alone.
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)(?P<key>{SECRET_KEY_NAME}\b)(?P<sep>\s*=\s*["']?|["']?:\s+["']?|["']:\s*["']?)(?P<value>[^\s"',;&{{}}\[\]]+)"#
    ))
});

/// `scheme://user:password@`.
static URL_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?P<head>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s/@]+@"));

/// Known token formats.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}",
        r"|xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{30,}",
        r"|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
    ))
});

/// What every known token format starts with (the pre-check of [`TOKEN`]).
const TOKEN_STARTS: [&str; 12] = [
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xox",
    "k_live_",
    "npm_",
    "AIza",
    "eyJ",
];

/// A run of base64 characters long enough to be a secret key or a session token.
static BASE64_RUN: LazyLock<Regex> = LazyLock::new(|| re(r"[A-Za-z0-9/+]{40,}={0,2}"));

/// `text` with every credential-looking part replaced by [`REDACTED`] (see the module
/// documentation for the patterns). Borrowed when nothing is.
pub fn redact(text: &str) -> Cow<'_, str> {
    let shape = Shape::of(text);
    let mut out = Cow::Borrowed(text);
    // Each pattern runs only on text that has what it needs: most text needs none.
    if text.contains("-----BEGIN") {
        replace(&mut out, &PEM, |_| REDACTED.to_owned());
    }
    if shape.separator && text.contains("://") {
        replace(&mut out, &URL_PASSWORD, |c| {
            format!("{}{REDACTED}@", &c["head"])
        });
    }
    if shape.token_run >= 11 && TOKEN_STARTS.iter().any(|t| text.contains(t)) {
        replace(&mut out, &TOKEN, |_| REDACTED.to_owned());
    }
    if shape.mixed_base64_run {
        replace(&mut out, &BASE64_RUN, |c| {
            let run = &c[0];
            if looks_like_secret_key(run) || looks_like_blob(run) {
                REDACTED.to_owned()
            } else {
                run.to_owned()
            }
        });
    }
    if shape.kv_separator && SECRET_WORD.is_match(text) {
        replace(&mut out, &KEY_VALUE, |c| {
            format!("{}{}{REDACTED}", &c["key"], &c["sep"])
        });
    }
    out
}

/// Words one of which every secret-named key holds (any case): the pre-check of
/// [`KEY_VALUE`], all searched for in one pass.
static SECRET_WORD: LazyLock<AhoCorasick> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "constant words, covered by the tests")]
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "pass",
            "pwd",
            "secret",
            "token",
            "api",
            "private",
            "credential",
        ])
        .expect("valid words")
});

/// What a text has, found in one byte scan: the pre-check of each pattern.
struct Shape {
    /// A `=` or `:`: URLs need one.
    separator: bool,
    /// What a key/value pair needs between key and value: a `=`, a `:` before white space
    /// (or a non-ASCII character, which may be white space) or after a quote.
    kv_separator: bool,
    /// The longest run of token characters (letters, digits, `_`, `-`, `/`, `+`).
    token_run: usize,
    /// A run of 40 base64 characters or more (letters, digits, `/`, `+`) with upper case,
    /// lower case and a digit: what a secret key or a token needs (a hex digest has no
    /// upper case).
    mixed_base64_run: bool,
}

/// Byte classes for [`Shape::of`], one table lookup per byte.
const UPPER: u8 = 1;
const LOWER: u8 = 2;
const DIGIT: u8 = 4;
/// `/` and `+`: base64, not alphanumeric.
const B64_SYMBOL: u8 = 8;
/// `_` and `-`: token characters, not base64.
const TOKEN_SYMBOL: u8 = 16;
/// `=` and `:`.
const SEPARATOR: u8 = 32;
const BASE64: u8 = UPPER | LOWER | DIGIT | B64_SYMBOL;
const TOKEN_CHAR: u8 = BASE64 | TOKEN_SYMBOL;

static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_lowercase() {
            LOWER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if c == b'/' || c == b'+' {
            B64_SYMBOL
        } else if c == b'_' || c == b'-' {
            TOKEN_SYMBOL
        } else if c == b'=' || c == b':' {
            SEPARATOR
        } else {
            0
        };
        b += 1;
    }
    table
};

impl Shape {
    fn of(text: &str) -> Shape {
        let bytes = text.as_bytes();
        let mut shape = Shape {
            separator: false,
            kv_separator: false,
            token_run: 0,
            mixed_base64_run: false,
        };
        let (mut token, mut base64) = (0usize, 0usize);
        // The classes seen in the current base64 run (upper, lower, digit bits).
        let mut seen = 0u8;
        let mut prev = 0u8;
        for &b in bytes {
            let class = CLASSES[usize::from(b)];
            if class & BASE64 != 0 {
                base64 += 1;
                seen |= class;
                shape.mixed_base64_run |=
                    base64 >= 40 && seen & (UPPER | LOWER | DIGIT) == UPPER | LOWER | DIGIT;
            } else {
                base64 = 0;
                seen = 0;
            }
            if class & TOKEN_CHAR != 0 {
                token += 1;
                shape.token_run = shape.token_run.max(token);
            } else {
                token = 0;
            }
            if class == SEPARATOR {
                shape.separator = true;
                shape.kv_separator |= b == b'=' || prev == b'"' || prev == b'\'';
            } else if prev == b':' && (b.is_ascii_whitespace() || !b.is_ascii()) {
                shape.kv_separator = true;
            }
            prev = b;
        }
        shape
    }
}

/// Replaces every match of `re` in `text` (allocating only when there is one).
fn replace(text: &mut Cow<'_, str>, re: &Regex, with: impl Fn(&Captures<'_>) -> String) {
    if let Cow::Owned(new) = re.replace_all(text, |c: &Captures<'_>| with(c)) {
        if new != **text {
            *text = Cow::Owned(new);
        }
    }
}

/// 40 characters of base64 with upper case, lower case and a digit: an AWS secret access
/// key (a hex digest has no upper case).
fn looks_like_secret_key(run: &str) -> bool {
    run.len() == 40 && mixed_classes(run)
}

/// 100 base64 characters or more with upper case, lower case and a digit: an STS session
/// token, or another encoded secret.
fn looks_like_blob(run: &str) -> bool {
    run.len() >= 100 && mixed_classes(run)
}

fn mixed_classes(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// Whether an object key names a secret (`password`, `DbPassword`, `client_secret`,
/// `SessionToken`, …): its string value is redacted whole.
pub fn is_secret_key(key: &str) -> bool {
    static WHOLE: LazyLock<Regex> = LazyLock::new(|| {
        #[expect(clippy::expect_used, reason = "a constant pattern")]
        Regex::new(&format!("(?i)^{SECRET_KEY_NAME}$")).expect("a valid pattern")
    });
    WHOLE.is_match(key)
}

/// Redacts every string of a JSON tree in place (keys too), and a string value whose key
/// names a secret whole. Returns whether anything changed.
pub fn redact_json(value: &mut Value) -> bool {
    match value {
        Value::String(s) => {
            if let Cow::Owned(r) = redact(s) {
                *s = r;
                true
            } else {
                false
            }
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, v| redact_json(v) | c),
        Value::Object(map) => {
            let mut changed = false;
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(s) if is_secret_key(key) && !s.is_empty() && s != REDACTED => {
                        *s = REDACTED.to_owned();
                        changed = true;
                    }
                    _ => changed |= redact_json(v),
                }
            }
            if map.keys().any(|k| matches!(redact(k), Cow::Owned(_))) {
                let entries = std::mem::take(map);
                *map = entries
                    .into_iter()
                    .map(|(k, v)| (redact(&k).into_owned(), v))
                    .collect();
                changed = true;
            }
            changed
        }
        _ => false,
    }
}

/// Redacts a snapshot in place (through its JSON tree, so that no field is forgotten): what
/// a collector applies before its snapshot leaves it. Returns whether anything changed; an
/// error only if the redacted tree no longer reads as a snapshot (a redacted value in a
/// typed field, which no pattern produces).
pub fn redact_snapshot(snapshot: &mut crate::Snapshot) -> serde_json::Result<bool> {
    let mut tree = serde_json::to_value(&*snapshot)?;
    if !redact_json(&mut tree) {
        return Ok(false);
    }
    *snapshot = serde_json::from_value(tree)?;
    Ok(true)
}

/// `value` as pretty JSON with every credential-looking string redacted: how rampart
/// writes a snapshot (and the collection summary).
pub fn to_redacted_json<T: serde::Serialize>(value: &T) -> serde_json::Result<String> {
    let mut tree = serde_json::to_value(value)?;
    redact_json(&mut tree);
    serde_json::to_string_pretty(&tree)
}

#[cfg(test)]
mod tests;
