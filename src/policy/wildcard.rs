//! `*` and `?` wildcard matching, as IAM uses it in actions, resources and `…Like` operators.

/// Whether `text` matches `pattern`, where `*` matches any run of characters (including
/// none) and `?` exactly one. Case-sensitive; callers lowercase both sides for actions.
/// Linear in practice (greedy with one backtrack point), never exponential.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Case-insensitive [`matches`], for action names (`s3:GetObject` = `S3:getobject`).
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        matches(&pattern.to_ascii_lowercase(), &text.to_ascii_lowercase())
    } else {
        matches(&pattern.to_lowercase(), &text.to_lowercase())
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
    }

    #[test]
    fn case_rules() {
        assert!(!matches("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
        assert!(matches_ignore_case("S3:getobject", "s3:GetObject"));
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let text = "a".repeat(10_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!matches(&pattern, &text));
    }
}
