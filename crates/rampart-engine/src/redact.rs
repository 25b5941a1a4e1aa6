//! Redaction: free text that came from the data (messages naming tags, descriptions, error
//! reasons) may hold a credential someone put where it does not belong. [`redact`] replaces
//! what looks like one with `[REDACTED]` before it reaches an output.

use std::borrow::Cow;

/// What replaces a credential.
pub const REDACTED: &str = "[REDACTED]";

/// Keys whose value is a secret in `key=value` or `key: value` text.
const SECRET_KEYS: [&str; 10] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "aws_secret_access_key",
    "aws_session_token",
];

/// Prefixes of common token formats (GitHub, GitLab, Slack, Stripe, npm).
const TOKEN_PREFIXES: [&str; 9] = [
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "sk_live_",
    "npm_",
];

/// `text` with every credential-looking part replaced by [`REDACTED`]: private key blocks,
/// the values of `password=`-style pairs, AWS secret access keys (40 base64 characters
/// with upper case, lower case and a digit) and session tokens, and common token formats.
/// Access key ids (`AKIA…`) are identifiers, not secrets, and are kept.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut changed = false;
    let mut rest = text;
    // Private key blocks first: they span lines.
    while let Some(start) = rest.find("-----BEGIN") {
        let after = &rest[start..];
        let Some(header_end) = after[10..].find("-----").map(|i| i + 15) else {
            break;
        };
        if !after[..header_end].contains("PRIVATE KEY") {
            out.push_str(&rest[..start + header_end]);
            rest = &rest[start + header_end..];
            continue;
        }
        let end = after[header_end..]
            .find("-----END")
            .and_then(|e| {
                let tail = &after[header_end + e + 8..];
                tail.find("-----").map(|f| header_end + e + 8 + f + 5)
            })
            .unwrap_or(after.len());
        out.push_str(&rest[..start]);
        out.push_str(REDACTED);
        rest = &after[end..];
        changed = true;
    }
    out.push_str(rest);
    let words = redact_words(&out);
    match (changed, words) {
        (_, Some(w)) => Cow::Owned(w),
        (true, None) => Cow::Owned(out),
        (false, None) => Cow::Borrowed(text),
    }
}

/// Redacts word by word (words split at whitespace and quotes); `None` when nothing is.
fn redact_words(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut secret_value_next = false;
    for piece in text.split_inclusive(|c: char| c.is_whitespace() || "\"'`,;".contains(c)) {
        let (word, sep) = piece.split_at(
            piece
                .char_indices()
                .last()
                .filter(|(_, c)| c.is_whitespace() || "\"'`,;".contains(*c))
                .map_or(piece.len(), |(i, _)| i),
        );
        let redacted = if secret_value_next && !word.is_empty() {
            secret_value_next = false;
            Some(REDACTED.to_owned())
        } else {
            redact_word(word, &mut secret_value_next)
        };
        match redacted {
            Some(r) => {
                changed = true;
                out.push_str(&r);
            }
            None => out.push_str(word),
        }
        out.push_str(sep);
    }
    changed.then_some(out)
}

fn redact_word(word: &str, secret_value_next: &mut bool) -> Option<String> {
    // `key=value` or `key:value`, or `key=` / `key:` with the value in the next word.
    if let Some(i) = word.find(['=', ':']) {
        let key = word[..i].trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
        if SECRET_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k)) {
            if word.len() == i + 1 {
                *secret_value_next = true;
                return None;
            }
            return Some(format!("{}{REDACTED}", &word[..=i]));
        }
    }
    let core = word.trim_matches(|c: char| "()[]{}<>.".contains(c));
    if TOKEN_PREFIXES.iter().any(|p| core.starts_with(p)) && core.len() >= 20 {
        return Some(word.replace(core, REDACTED));
    }
    if looks_like_secret_key(core) || looks_like_session_token(core) {
        return Some(word.replace(core, REDACTED));
    }
    None
}

/// 40 characters of base64 with upper case, lower case and a digit: an AWS secret access
/// key (a hex digest has no upper case).
fn looks_like_secret_key(s: &str) -> bool {
    s.len() == 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        && s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// An STS session token: long base64 that starts as they do.
fn looks_like_session_token(s: &str) -> bool {
    s.len() >= 100
        && (s.starts_with("FwoG") || s.starts_with("IQoJ") || s.starts_with("AQoD"))
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+' || b == b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_and_identifiers_kept() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let text = format!("tag Note=`{secret}` on key AKIAIOSFODNN7EXAMPLE");
        let r = redact(&text);
        assert!(!r.contains(secret), "{r}");
        assert!(r.contains("AKIAIOSFODNN7EXAMPLE"), "{r}");
        for (input, gone) in [
            ("db password=hunter2 here", "hunter2"),
            ("Password: hunter2", "hunter2"),
            ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abc"),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
                "MIIEow",
            ),
        ] {
            let r = redact(input);
            assert!(!r.contains(gone), "{input} → {r}");
            assert!(r.contains(REDACTED), "{input} → {r}");
        }
        let token = format!("IQoJ{}", "b3JpZ2luX2VjE".repeat(10));
        assert!(!redact(&format!("session {token}")).contains(&token));
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for text in [
            "bucket `app-prod-reports` is not encrypted with a customer managed key",
            "fingerprint 0123456789abcdef0123456789abcdef01234567",
            "arn:aws:iam::111122223333:role/token-broker",
            "the account's password policy is weak",
        ] {
            assert!(matches!(redact(text), Cow::Borrowed(_)), "{text}");
        }
    }
}
