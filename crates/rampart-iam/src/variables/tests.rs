//! Policy variables, each test naming the AWS rule it checks ("IAM policy elements:
//! Variables and tags").

use proptest::prelude::*;

use super::*;
use crate::RequestContext;

fn ctx() -> RequestContext {
    RequestContext::new()
        .with("aws:username", "alice")
        .with("aws:userid", "AIDAEXAMPLE")
        .with("aws:PrincipalTag/team", "blue")
        .with("aws:ResourceTag/owner", "alice")
        .with_multi("aws:TagKeys", &["a", "b"])
}

fn literal(text: &str) -> Option<String> {
    expand_literal(text, &ctx(), true).map(|c| c.into_owned())
}

#[test]
fn keys_are_substituted_case_insensitively() {
    // "Key names are case-insensitive": `${AWS:UserName}` is `${aws:username}`.
    assert_eq!(
        literal("home/${aws:username}/").as_deref(),
        Some("home/alice/")
    );
    assert_eq!(literal("${AWS:UserName}").as_deref(), Some("alice"));
    assert_eq!(literal("${aws:userid}").as_deref(), Some("AIDAEXAMPLE"));
    assert_eq!(
        literal("${aws:PrincipalTag/team}-${aws:ResourceTag/owner}").as_deref(),
        Some("blue-alice")
    );
}

#[test]
fn absent_keys_use_the_default_or_fail() {
    // "Specifying default values": `${key, 'default'}` when the request lacks the key.
    assert_eq!(
        literal("${aws:TokenIssueTime, 'never'}").as_deref(),
        Some("never")
    );
    assert_eq!(
        literal("${aws:username, 'anonymous'}").as_deref(),
        Some("alice")
    );
    assert_eq!(
        literal("${aws:TokenIssueTime,'x y'}").as_deref(),
        Some("x y")
    );
    assert_eq!(
        literal("a${aws:TokenIssueTime, ''}b").as_deref(),
        Some("ab")
    );
    // "not present … any attempt to match it fails".
    assert_eq!(literal("${aws:TokenIssueTime}"), None);
    assert_eq!(
        expand("arn:aws:s3:::b/${aws:PrincipalTag/missing}/*", &ctx(), true),
        None
    );
}

#[test]
fn multivalued_keys_cannot_be_variables() {
    // "You cannot use a multivalued condition key as a policy variable", default or not.
    assert_eq!(literal("${aws:TagKeys}"), None);
    assert_eq!(literal("${aws:TagKeys, 'x'}"), None);
}

#[test]
fn special_variables_are_literal_characters() {
    // `${*}`, `${?}`, `${$}` stand for characters that otherwise have special meaning.
    assert_eq!(literal("a${*}b${?}c${$}d").as_deref(), Some("a*b?c$d"));
    let p = expand("report${*}-*", &ctx(), true).unwrap();
    assert!(p.matches("report*-2024"));
    assert!(!p.matches("report1-2024"));
    let p = expand("file${?}", &ctx(), true).unwrap();
    assert!(p.matches("file?"));
    assert!(!p.matches("filex"));
}

#[test]
fn policy_wildcards_stay_wildcards_around_variables() {
    let p = expand("arn:aws:s3:::bucket/${aws:username}/*", &ctx(), true).unwrap();
    assert!(p.matches("arn:aws:s3:::bucket/alice/notes.txt"));
    assert!(!p.matches("arn:aws:s3:::bucket/bob/notes.txt"));
}

#[test]
fn substituted_values_are_literal() {
    let c = RequestContext::new().with("aws:PrincipalTag/prefix", "a*");
    let p = expand("${aws:PrincipalTag/prefix}", &c, true).unwrap();
    assert!(p.matches("a*"));
    assert!(!p.matches("abc"));
}

#[test]
fn disabled_variables_are_plain_text() {
    // Without Version 2012-10-17 "variables … are treated as literal strings".
    assert_eq!(
        expand_literal("${aws:username}", &ctx(), false).as_deref(),
        Some("${aws:username}")
    );
    let p = expand("home/${aws:username}", &ctx(), false).unwrap();
    assert!(p.matches("home/${aws:username}"));
    assert!(!p.matches("home/alice"));
}

#[test]
fn malformed_variables() {
    // No closing brace: not a variable at all.
    assert_eq!(
        literal("cost${aws:username").as_deref(),
        Some("cost${aws:username")
    );
    assert_eq!(literal("price $5").as_deref(), Some("price $5"));
    // Closed but malformed (empty key, unquoted default): cannot resolve.
    assert_eq!(literal("${}"), None);
    assert_eq!(literal("${aws:username, anonymous}"), None);
    assert!(has_variables("x${aws:username}"));
    assert!(has_variables("${*}"));
    assert!(!has_variables("no ${ closing"));
    // A default may hold a closing brace.
    assert_eq!(literal("${aws:missing, 'a}b'}!").as_deref(), Some("a}b!"));
}

proptest! {
    /// A template parsed once expands as the text expands each time, whatever the mix of
    /// policy text, wildcards, variables (known, unknown, multivalued, with defaults) and
    /// malformed or unclosed `${`.
    #[test]
    fn a_parsed_template_expands_as_its_text(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "arn:aws:s3:::b/", "*", "?", "/", "${aws:username}", "${AWS:PrincipalTag/Team}",
                "${aws:TagKeys}", "${aws:missing}", "${aws:missing, 'dflt'}", "${*}", "${?}",
                "${$}", "${}", "${aws:x, dflt}", "${", "}", "$", "${aws:username",
            ]),
            0..8,
        ),
        enabled in any::<bool>(),
    ) {
        let text = pieces.concat();
        let context = ctx();
        prop_assert_eq!(
            Template::parse(&text).expand(&context, enabled),
            expand_pattern(&text, &context, enabled),
            "{}", text
        );
    }
}
