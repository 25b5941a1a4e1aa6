//! `*` and `?` wildcard matching, as IAM uses it in actions, resources and `…Like` operators.
//!
//! A [`Pattern`] is a sequence of parts: literal text, `*` (any run of characters) and `?`
//! (exactly one character). Parsing plain text turns every `*` and `?` into a wildcard;
//! policy variables ([`super::variables`]) build patterns whose substituted text stays
//! literal, so `${*}` yields a `*` that matches only an asterisk.

use std::fmt;

/// One part of a [`Pattern`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PatternPart {
    /// Text that must appear as is (never empty once in a [`Pattern`]).
    Literal(String),
    /// `*`: any run of characters, including none.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
}

/// A wildcard pattern: literal text, `*` and `?`, normalized so that literals are merged and
/// runs of `*` collapse to one (`**` matches what `*` matches).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Pattern {
    parts: Vec<PatternPart>,
}

impl Pattern {
    /// Parses plain pattern text (no policy variables): `*` and `?` are wildcards, every
    /// other character is literal.
    pub fn parse(text: &str) -> Self {
        let mut pattern = Self::default();
        let mut literal_start = 0;
        for (i, c) in text.char_indices() {
            let wildcard = match c {
                '*' => PatternPart::AnyRun,
                '?' => PatternPart::AnyOne,
                _ => continue,
            };
            pattern.push_literal(&text[literal_start..i]);
            pattern.push(wildcard);
            literal_start = i + c.len_utf8();
        }
        pattern.push_literal(&text[literal_start..]);
        pattern
    }

    /// A pattern that matches exactly `text`, wildcard characters included.
    pub fn literal(text: &str) -> Self {
        let mut pattern = Self::default();
        pattern.push_literal(text);
        pattern
    }

    /// Builds a pattern from parts, normalizing them.
    pub fn from_parts(parts: impl IntoIterator<Item = PatternPart>) -> Self {
        let mut pattern = Self::default();
        for part in parts {
            pattern.push(part);
        }
        pattern
    }

    /// Appends a part, keeping the pattern normalized.
    pub fn push(&mut self, part: PatternPart) {
        match part {
            PatternPart::Literal(text) => self.push_literal(&text),
            PatternPart::AnyRun => {
                if self.parts.last() != Some(&PatternPart::AnyRun) {
                    self.parts.push(PatternPart::AnyRun);
                }
            }
            PatternPart::AnyOne => self.parts.push(PatternPart::AnyOne),
        }
    }

    /// [`Self::push`] of a borrowed part.
    pub fn push_ref(&mut self, part: &PatternPart) {
        match part {
            PatternPart::Literal(text) => self.push_literal(text),
            other => self.push(other.clone()),
        }
    }

    /// Appends literal text (a no-op for the empty string).
    pub fn push_literal(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(PatternPart::Literal(last)) = self.parts.last_mut() {
            last.push_str(text);
        } else {
            self.parts.push(PatternPart::Literal(text.to_owned()));
        }
    }

    /// The normalized parts.
    pub fn parts(&self) -> &[PatternPart] {
        &self.parts
    }

    /// The text this pattern matches, if it has no wildcard (it then matches only that).
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [PatternPart::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// Whether `text` matches the whole pattern. Case-sensitive.
    ///
    /// The pattern is cut at each `*` into fixed-width segments; the first is anchored at
    /// the start, the last at the end, and each middle one is placed at its leftmost match,
    /// which is always a safe choice since what follows only needs room to the right. No
    /// backtracking across segments: O(text × pattern) at worst, never exponential.
    pub fn matches(&self, text: &str) -> bool {
        let mut segments = self.parts.split(|p| *p == PatternPart::AnyRun);
        let Some(first) = segments.next() else {
            return text.is_empty();
        };
        let Some(mut pos) = match_segment_at(first, text, 0) else {
            return false;
        };
        // Every segment but the last is placed at its leftmost match; the last is held
        // back one step, so that no list of segments is built.
        let mut pending: Option<&[PatternPart]> = None;
        for segment in segments {
            if let Some(middle) = pending {
                match find_segment(middle, text, pos) {
                    Some(end) => pos = end,
                    None => return false,
                }
            }
            pending = Some(segment);
        }
        let Some(last) = pending else {
            // No `*`: the single segment must cover the whole text.
            return pos == text.len();
        };
        // The last segment has a fixed width in characters: it must end at the text's end.
        let Some(start) = start_of_suffix(text, segment_width(last)) else {
            return false;
        };
        start >= pos && match_segment_at(last, text, start) == Some(text.len())
    }

    /// Case-insensitive [`Self::matches`] (Unicode lowercase on both sides).
    pub fn matches_ignore_case(&self, text: &str) -> bool {
        self.to_lowercase().matches(&text.to_lowercase())
    }

    /// Splits at the literal `separator` characters, into at most `n` patterns (the last
    /// keeps any further separators). Used for ARNs, compared component by component.
    pub fn splitn_literal(&self, n: usize, separator: char) -> Vec<Pattern> {
        let mut pieces = vec![Pattern::default()];
        for part in &self.parts {
            let PatternPart::Literal(text) = part else {
                if let Some(current) = pieces.last_mut() {
                    current.push(part.clone());
                }
                continue;
            };
            let mut rest = text.as_str();
            while pieces.len() < n {
                let Some((before, after)) = rest.split_once(separator) else {
                    break;
                };
                if let Some(current) = pieces.last_mut() {
                    current.push_literal(before);
                }
                pieces.push(Pattern::default());
                rest = after;
            }
            if let Some(current) = pieces.last_mut() {
                current.push_literal(rest);
            }
        }
        pieces
    }

    fn to_lowercase(&self) -> Self {
        Self::from_parts(self.parts.iter().map(|p| match p {
            PatternPart::Literal(text) => PatternPart::Literal(text.to_lowercase()),
            other => other.clone(),
        }))
    }
}

impl fmt::Display for Pattern {
    /// Policy syntax: wildcards as `*`/`?`, literal `*`, `?`, `$` as `${*}`, `${?}`, `${$}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                PatternPart::AnyRun => f.write_str("*")?,
                PatternPart::AnyOne => f.write_str("?")?,
                PatternPart::Literal(text) => {
                    for c in text.chars() {
                        match c {
                            '*' | '?' | '$' => write!(f, "${{{c}}}")?,
                            _ => write!(f, "{c}")?,
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Width in characters of a `*`-free segment.
fn segment_width(segment: &[PatternPart]) -> usize {
    segment
        .iter()
        .map(|p| match p {
            PatternPart::Literal(text) => text.chars().count(),
            _ => 1,
        })
        .sum()
}

/// The byte offset where the last `width` characters of `text` start.
fn start_of_suffix(text: &str, width: usize) -> Option<usize> {
    if width == 0 {
        return Some(text.len());
    }
    text.char_indices().rev().nth(width - 1).map(|(i, _)| i)
}

/// Matches a `*`-free segment at byte offset `pos`; the byte offset after it on success.
fn match_segment_at(segment: &[PatternPart], text: &str, mut pos: usize) -> Option<usize> {
    for part in segment {
        let rest = text.get(pos..)?;
        match part {
            PatternPart::Literal(literal) => {
                if !rest.starts_with(literal.as_str()) {
                    return None;
                }
                pos += literal.len();
            }
            PatternPart::AnyOne => pos += rest.chars().next()?.len_utf8(),
            PatternPart::AnyRun => return None,
        }
    }
    Some(pos)
}

/// The end of the leftmost match of a `*`-free segment at or after byte offset `from`.
fn find_segment(segment: &[PatternPart], text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    if let Some(PatternPart::Literal(head)) = segment.first() {
        // Only where the leading literal occurs can the segment start. Occurrences may
        // overlap (`aa` in `aaa`), so each search resumes one character after the last.
        let mut start = from;
        while let Some(i) = text.get(start..)?.find(head.as_str()) {
            let at = start + i;
            if let Some(end) = match_segment_at(segment, text, at) {
                return Some(end);
            }
            start = at + text[at..].chars().next()?.len_utf8();
        }
        return None;
    }
    rest.char_indices()
        .map(|(i, _)| from + i)
        .chain(std::iter::once(text.len()))
        .find_map(|start| match_segment_at(segment, text, start))
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters (including
/// none) and `?` exactly one. Case-sensitive; see [`Pattern::matches`] for the cost.
pub fn matches(pattern: &str, text: &str) -> bool {
    Pattern::parse(pattern).matches(text)
}

/// Case-insensitive [`matches`], for action names (`s3:GetObject` = `S3:getobject`).
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        matches(&pattern.to_ascii_lowercase(), &text.to_ascii_lowercase())
    } else {
        Pattern::parse(pattern).matches_ignore_case(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("*", ""));
        assert!(matches("*", "anything"));
        assert!(matches("s3:Get*", "s3:GetObject"));
        assert!(!matches("s3:Get*", "s3:PutObject"));
        assert!(matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b"));
        assert!(!matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!matches("*a*b*c*", "xxaxxcxxbxx"));
        assert!(matches("**", "x"));
        assert!(!matches("abc", "abcd"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
    }

    #[test]
    fn anchoring_of_first_and_last_segments() {
        // The last segment must end exactly at the end, even when it also occurs earlier.
        assert!(matches("*ab", "abab"));
        assert!(!matches("*ab", "abax"));
        assert!(matches("a*a", "aa"));
        assert!(!matches("a*a", "a"));
        assert!(matches("?*?", "ab"));
        assert!(!matches("?*?", "a"));
        assert!(matches("*?", "x"));
        assert!(!matches("*?", ""));
        assert!(matches("a*b*a", "abba"));
        assert!(matches("*b*", "b"));
        // Overlapping occurrences of a middle segment's leading literal.
        assert!(matches("*aa?c*", "aaaxc"));
        assert!(matches("x*aa?c", "xaaaxc"));
    }

    #[test]
    fn multibyte_characters_count_as_one() {
        assert!(matches("caf?", "café"));
        assert!(matches("?", "é"));
        assert!(!matches("??", "é"));
        assert!(matches("*é", "cafe\u{301}é"));
    }

    #[test]
    fn case_rules() {
        assert!(!matches("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
        assert!(matches_ignore_case("S3:getobject", "s3:GetObject"));
        assert!(matches_ignore_case("ÉTÉ*", "été-2024"));
        assert!(Pattern::parse("Ab*").matches_ignore_case("aBC"));
    }

    #[test]
    fn literal_parts_are_not_wildcards() {
        // What `${*}` and `${?}` produce: the characters themselves, not wildcards.
        let mut p = Pattern::parse("a");
        p.push_literal("*?");
        p.push(PatternPart::AnyRun);
        assert!(p.matches("a*?"));
        assert!(p.matches("a*?zzz"));
        assert!(!p.matches("abc"));
        assert_eq!(Pattern::literal("*").as_literal(), Some("*"));
        assert!(!Pattern::literal("*").matches("x"));
        assert_eq!(p.to_string(), "a${*}${?}*");
    }

    #[test]
    fn normalization() {
        let p = Pattern::parse("a**b");
        assert_eq!(
            p.parts(),
            &[
                PatternPart::Literal("a".into()),
                PatternPart::AnyRun,
                PatternPart::Literal("b".into())
            ]
        );
        assert_eq!(Pattern::parse("abc").as_literal(), Some("abc"));
        assert_eq!(Pattern::parse("").as_literal(), Some(""));
        assert_eq!(Pattern::parse("a?").as_literal(), None);
    }

    #[test]
    fn split_on_literal_separators_only() {
        let p = Pattern::parse("arn:aws:iam::*:role/a:b");
        let pieces: Vec<String> = p
            .splitn_literal(6, ':')
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(pieces, ["arn", "aws", "iam", "", "*", "role/a:b"]);
        assert_eq!(Pattern::parse("*").splitn_literal(6, ':').len(), 1);
    }

    /// Reference matcher: dynamic programming over (pattern, text) prefixes.
    fn reference(pattern: &str, text: &str) -> bool {
        let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
        let mut row = vec![false; t.len() + 1];
        row[0] = true;
        for &pc in &p {
            let mut next = vec![false; t.len() + 1];
            for j in 0..=t.len() {
                next[j] = match pc {
                    '*' => row[j] || (j > 0 && next[j - 1]),
                    '?' => j > 0 && row[j - 1],
                    c => j > 0 && row[j - 1] && t[j - 1] == c,
                };
            }
            row = next;
        }
        row[t.len()]
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_reference(pattern in "[ab*?]{0,8}", text in "[ab]{0,10}") {
            proptest::prop_assert_eq!(matches(&pattern, &text), reference(&pattern, &text));
        }
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let text = "a".repeat(10_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!matches(&pattern, &text));
        // Many `?` between stars, and a near miss at the very end.
        let text = format!("{}c", "ab".repeat(20_000));
        let pattern = format!("{}d", "*a?".repeat(40));
        let started = std::time::Instant::now();
        assert!(!matches(&pattern, &text));
        assert!(matches(&format!("{}c", "*a?".repeat(40)), &text));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
