//! Reading rule documentation (Markdown with the headings *What it checks*, *Why it
//! matters*, *How to fix*, *Example*) for formats that want a summary or plain text.

/// The first paragraph of the doc's *What it checks* section, on one line.
///
/// The heading may be an ATX heading (`## What it checks`) or a line in emphasis
/// (`**What it checks**`, `*What it checks:* text…`).
pub(super) fn what_it_checks(doc: &str) -> Option<String> {
    let mut lines = doc.lines();
    let mut paragraph: Vec<&str> = Vec::new();
    for line in lines.by_ref() {
        if let Some((heading, rest)) = heading(line) {
            if heading.eq_ignore_ascii_case("what it checks") {
                if !rest.is_empty() {
                    paragraph.push(rest);
                }
                break;
            }
        }
    }
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            if paragraph.is_empty() {
                continue;
            }
            break;
        }
        if heading(line).is_some_and(|(_, rest)| rest.is_empty()) {
            break;
        }
        paragraph.push(line);
    }
    let text = paragraph.join(" ");
    (!text.is_empty()).then_some(text)
}

/// The heading a line opens, and any text after it on the same line.
fn heading(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if let Some(text) = line.strip_prefix('#') {
        let text = text.trim_start_matches('#').trim();
        return Some((text.trim_end_matches(':').trim(), ""));
    }
    for marker in ["**", "__", "*", "_"] {
        let Some(inner) = line.strip_prefix(marker) else {
            continue;
        };
        let Some(end) = inner.find(marker) else {
            continue;
        };
        let title = inner[..end].trim().trim_end_matches(':').trim();
        let rest = inner[end + marker.len()..].trim_start_matches(':').trim();
        if title.is_empty() {
            return None;
        }
        return Some((title, rest));
    }
    None
}

/// The doc as plain text: heading markers, strong emphasis, code spans and fences
/// removed, links written as `text (url)`.
pub(super) fn plain_text(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut in_fence = false;
    for line in doc.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(text) = trimmed.strip_prefix('#') {
            out.push_str(&inline(text.trim_start_matches('#').trim()));
        } else {
            out.push_str(&inline(line));
        }
        out.push('\n');
    }
    out.trim().to_owned()
}

/// Inline Markdown to text: `**x**`/`__x__` → x, `` `x` `` → x, `[x](u)` → `x (u)`.
fn inline(line: &str) -> String {
    let line = line.replace("**", "").replace("__", "").replace('`', "");
    let mut out = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let url_start = close + 2;
            after[url_start..].find(')').map(|end| {
                (
                    &after[..close],
                    &after[url_start..url_start + end],
                    url_start + end + 1,
                )
            })
        });
        match link {
            Some((text, url, consumed)) => {
                out.push_str(&rest[..open]);
                out.push_str(text);
                out.push_str(" (");
                out.push_str(url);
                out.push(')');
                rest = &after[consumed..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{KMS_DOC, S3_DOC};
    use super::*;

    #[test]
    fn first_paragraph_of_an_atx_section() {
        assert_eq!(
            what_it_checks(KMS_DOC).as_deref(),
            Some("Customer managed KMS keys have automatic rotation enabled.")
        );
    }

    #[test]
    fn first_paragraph_of_an_emphasis_section_on_the_same_line() {
        assert_eq!(
            what_it_checks(S3_DOC).as_deref(),
            Some("buckets holding `confidential` or `restricted` data use a customer managed key.")
        );
    }

    #[test]
    fn no_section_no_summary() {
        assert_eq!(what_it_checks(""), None);
        assert_eq!(what_it_checks("## Why it matters\n\nbecause\n"), None);
        assert_eq!(
            what_it_checks("## What it checks\n\n## Why it matters\n"),
            None
        );
    }

    #[test]
    fn plain_text_drops_markup() {
        let text = plain_text(KMS_DOC);
        assert!(text.starts_with("What it checks\n\nCustomer managed KMS keys"));
        assert!(!text.contains('#'));
        assert!(!text.contains("**"));
        assert!(!text.contains("```"));
        assert!(
            text.contains("AWS KMS best\npractices, rotating keys (https://docs.aws.amazon.com/")
        );
        assert!(text.contains("    aws kms enable-key-rotation --key-id KEY"));
        assert_eq!(inline("a [b] c [d](e"), "a [b] c [d](e");
        assert_eq!(inline("glob `arn:aws:kms:*`"), "glob arn:aws:kms:*");
    }
}
