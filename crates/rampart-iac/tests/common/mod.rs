//! Helpers shared by the fixture tests.

#![allow(dead_code, reason = "each test binary uses some of the helpers")]

use std::path::PathBuf;

use rampart_iac::cfn::Template;
use rampart_iac::terraform::Plan;
use rampart_iac::{parse_file, Document, Node, Position, Value};

/// A file of `fixtures/iac/`.
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/iac")
        .join(relative)
}

/// The document of a fixture that must parse.
pub fn document(relative: &str) -> Document {
    parse_file(&fixture(relative))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("{relative} is not classified as infrastructure code"))
}

/// The template of a fixture.
pub fn template(relative: &str) -> Template {
    match document(relative) {
        Document::CloudFormation(t) => t,
        other => panic!("{relative} is {:?}", other.kind()),
    }
}

/// The plan of a fixture.
pub fn plan(relative: &str) -> Plan {
    match document(relative) {
        Document::TerraformPlan(p) => p,
        other => panic!("{relative} is {:?}", other.kind()),
    }
}

/// Where `needle` first occurs in `text`, in characters.
pub fn position_of(text: &str, needle: &str) -> Position {
    let at = text.find(needle).unwrap_or_else(|| panic!("no `{needle}`"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Position::new(line as u32, column as u32)
}

/// `node` with every span zeroed, to compare trees written differently.
pub fn without_spans(node: &Node) -> Node {
    let value = match &node.value {
        Value::Sequence(items) => Value::Sequence(items.iter().map(without_spans).collect()),
        Value::Mapping(entries) => Value::Mapping(
            entries
                .iter()
                .map(|e| rampart_iac::Entry {
                    key: e.key.clone(),
                    key_span: Default::default(),
                    value: without_spans(&e.value),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node::new(value, Default::default())
}
