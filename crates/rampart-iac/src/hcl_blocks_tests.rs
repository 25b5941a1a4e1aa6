//! The `.tf` block scanner.

use super::*;

fn at(line: u32, column: u32) -> Position {
    Position::new(line, column)
}

fn heads(text: &str) -> Vec<(String, Vec<String>, Position)> {
    scan(text)
        .unwrap()
        .into_iter()
        .map(|b| (b.kind, b.labels, b.start))
        .collect()
}

fn labels(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn finds_top_level_blocks_with_their_positions() {
    let text = "terraform {\n  required_version = \">= 1.5\"\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n  tags = { a = \"b\" }\n}\n  data \"aws_iam_policy_document\" \"p\" {\n  statement {\n    actions = [\"s3:*\"]\n  }\n}\nmodule \"net\" { source = \"./net\" }\n";
    assert_eq!(
        heads(text),
        vec![
            ("terraform".to_owned(), vec![], at(1, 1)),
            (
                "resource".to_owned(),
                labels(&["aws_s3_bucket", "logs"]),
                at(5, 1)
            ),
            (
                "data".to_owned(),
                labels(&["aws_iam_policy_document", "p"]),
                at(9, 3)
            ),
            ("module".to_owned(), labels(&["net"]), at(14, 1)),
        ]
    );
    let blocks = scan(text).unwrap();
    assert_eq!(blocks[1].end, at(8, 1));
    assert_eq!(blocks[3].end, at(14, 33));
}

#[test]
fn braces_and_markers_in_comments_strings_and_heredocs_are_not_code() {
    let text = r#"# resource "aws_s3_bucket" "commented" {
// resource "x" "y" {
/* resource "aws_s3_bucket" "c" {
   } } */
resource "aws_iam_role" "r" {
  name = "a } { # // /* b"
  description = "${jsonencode({ a = "}" })} and %{ if true }x%{ endif } $${literal"
  escaped = "quote \" brace } "
  assume_role_policy = <<-EOT
    {
      "Statement": [] } } resource "aws_s3_bucket" "in_heredoc" {
    EOT
  policy = <<POLICY
}
POLICY
}
resource "aws_s3_bucket" "après" {
}
"#;
    assert_eq!(
        heads(text),
        vec![
            (
                "resource".to_owned(),
                labels(&["aws_iam_role", "r"]),
                at(5, 1)
            ),
            (
                "resource".to_owned(),
                labels(&["aws_s3_bucket", "après"]),
                at(17, 1)
            ),
        ]
    );
    // Columns count characters.
    let text = "/* é */ resource \"aws_kms_key\" \"k\" {}\n";
    assert_eq!(heads(text)[0].2, at(1, 9));
    // CRLF line ends and a byte order mark.
    let text = "\u{feff}resource \"a\" \"b\" {\r\n  x = <<EOT\r\n}\r\nEOT\r\n}\r\nresource \"c\" \"d\" {}\r\n";
    let found = heads(text);
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].2, at(6, 1));
}

#[test]
fn skips_directly_above_or_inside_a_block() {
    let text = "# rampart:skip=s3-classified-versioning written once, archived elsewhere\n// rampart:skip=a,b two rules, one reason\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\" # rampart:skip=c   inside, trailing\n}\n\n# rampart:skip=far separated by a blank line\n\nresource \"aws_s3_bucket\" \"other\" {\n}\n# rampart:skip=below-is-not-above of the next block only\nresource \"aws_kms_key\" \"k\" {\n  # rampart:skip=inside-nested on its own line\n}\n";
    let blocks = scan(text).unwrap();
    let skips: Vec<Vec<(&str, &str, Position)>> = blocks
        .iter()
        .map(|b| {
            b.skips
                .iter()
                .map(|s| (s.rule_id.as_str(), s.reason.as_str(), s.position))
                .collect()
        })
        .collect();
    assert_eq!(
        skips,
        vec![
            vec![
                (
                    "s3-classified-versioning",
                    "written once, archived elsewhere",
                    at(1, 1)
                ),
                ("a", "two rules, one reason", at(2, 1)),
                ("b", "two rules, one reason", at(2, 1)),
                ("c", "inside, trailing", at(4, 19)),
            ],
            vec![],
            vec![
                ("below-is-not-above", "of the next block only", at(11, 1)),
                ("inside-nested", "on its own line", at(13, 3)),
            ],
        ]
    );
    // A trailing comment on the line above is not a comment line above.
    let text = "locals { a = 1 } # rampart:skip=x not mine\nresource \"a\" \"b\" {}\n";
    assert!(scan(text).unwrap()[1].skips.is_empty());
    // A block comment between breaks the run.
    let text = "# rampart:skip=x not mine\n/* a\n b */\nresource \"a\" \"b\" {}\n";
    assert!(scan(text).unwrap()[0].skips.is_empty());
    // Comment text that merely mentions the marker is not a skip.
    let text = "# see rampart:skip=x docs\nresource \"a\" \"b\" {}\n";
    assert!(scan(text).unwrap()[0].skips.is_empty());
}

#[test]
fn a_skip_without_a_reason_or_rule_is_an_error_at_the_comment() {
    let e = scan("resource \"a\" \"b\" {\n  #   rampart:skip=s3-versioning   \n}\n").unwrap_err();
    assert_eq!(e.position, at(2, 3));
    assert_eq!(
        e.message,
        "the skip of `s3-versioning` needs a reason: `# rampart:skip=s3-versioning why it does not apply`"
    );
    let e = scan("// rampart:skip s3-versioning reason\n").unwrap_err();
    assert_eq!(e.position, at(1, 1));
    assert!(e.message.contains("names its rule"), "{}", e.message);
    let e = scan("# rampart:skip=a,,b reason\n").unwrap_err();
    assert!(e.message.contains("is not a rule id"), "{}", e.message);
}

#[test]
fn unterminated_constructs_are_errors_at_their_start() {
    for (text, position, message) in [
        ("x = \"abc\n", at(1, 5), "unterminated string"),
        (
            "a {\n  /* never closed\n",
            at(2, 3),
            "unterminated `/*` comment",
        ),
        (
            "x = <<EOT\nabc\n",
            at(1, 5),
            "unterminated heredoc: no line `EOT` closes it",
        ),
        ("x = \"${ { \"\n", at(1, 11), "unterminated string"),
    ] {
        let e = scan(text).unwrap_err();
        assert_eq!(
            (e.position, e.message.as_str()),
            (position, message),
            "{text:?}"
        );
    }
    // An unbalanced brace is not the scanner's concern: blocks before it are found.
    assert_eq!(
        scan("resource \"a\" \"b\" {}\nresource \"c\" \"d\" {\n")
            .unwrap()
            .len(),
        1
    );
}
