//! Bad input never panics: arbitrary bytes, YAML- and JSON-shaped noise, and every prefix
//! of every fixture are an error or `None`, and whatever parses resolves.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

mod common;

use proptest::prelude::*;
use rampart_iac::cfn::ResolveContext;
use rampart_iac::{parse_document, Document};

/// Parses and, for templates, resolves every resource's properties.
fn exercise(bytes: &[u8]) {
    if let Ok(Some(Document::CloudFormation(t))) = parse_document("input".as_ref(), bytes) {
        let context = ResolveContext::new();
        for resource in &t.resources {
            if let Some(properties) = &resource.properties {
                let _ = t.resolve(properties, &context);
            }
        }
        for condition in &t.conditions {
            let _ = t.evaluate_condition(&condition.name, &context);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        exercise(&bytes);
    }

    #[test]
    fn yaml_and_json_shaped_noise(text in "[ \t\n{}\\[\\],:\"'!&*#|>?%@`a-zA-Z0-9.\\-]{0,300}") {
        exercise(text.as_bytes());
        exercise(format!("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      P: {text}\n").as_bytes());
        exercise(format!("{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {text}").as_bytes());
    }

    #[test]
    fn intrinsic_soup(
        functions in proptest::collection::vec(
            prop_oneof![
                Just("!Ref"), Just("!Sub"), Just("!GetAtt"), Just("!If"), Just("!Join"),
                Just("!Select"), Just("!Split"), Just("!FindInMap"), Just("!Base64"),
                Just("!Cidr"), Just("!Equals"), Just("!And"), Just("!Or"), Just("!Not"),
                Just("!Condition"), Just("!Length"),
            ],
            1..6,
        ),
        operand in prop_oneof![Just("[A, [1, 2], B]"), Just("A.B"), Just("'${A}-${!B}-${C.D}'"), Just("[0, [x]]"), Just("[',', 'a,b']")],
    ) {
        // Each function wraps the one before: `!If [!Join [A, A, A], A, !Join [A, A, A]]`.
        let value = functions
            .iter()
            .fold(operand.to_owned(), |inner, f| format!("{f} [{inner}, A, {inner}]"));
        let text = format!(
            "Parameters:\n  A:\n    Type: String\n    Default: a\nConditions:\n  C: !Equals [!Ref A, a]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      P: {value}\n      Q: [{value}]\n"
        );
        exercise(text.as_bytes());
    }
}

#[test]
fn every_prefix_of_every_fixture() {
    for file in [
        "cloudformation/data-bucket.yaml",
        "cloudformation/data-bucket.json",
        "cloudformation/for-each.yaml",
        "terraform/plan.json",
    ] {
        let text = std::fs::read_to_string(common::fixture(file)).unwrap();
        for (i, _) in text.char_indices().step_by(7) {
            exercise(&text.as_bytes()[..i]);
        }
    }
}
