//! Golden outputs of the sample organization in every format: one change in a finding
//! shows in all of them. Update with `cargo insta review` (or `INSTA_UPDATE=always`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use rampart::model::sample_snapshot;
use rampart::report::{json, sarif, text, RenderOptions};
use rampart::rules::{Catalog, Engine, Severity};
use rampart::ruleset::Ruleset;

fn render(format: &str) -> String {
    let catalog = Catalog::bundled().expect("catalog");
    let ruleset = Ruleset::bundled().expect("ruleset");
    let engine = Engine::new(&catalog, &ruleset).expect("engine");
    let snapshot = sample_snapshot().expect("sample");
    let evaluation = engine.evaluate(&snapshot, snapshot.taken_at);
    let options = RenderOptions {
        tool_version: "0.0.0-test",
        fail_on: Some(Severity::High),
    };
    match format {
        "text" => text::render(&evaluation, &options),
        "json" => json::render(&evaluation, &options).expect("json"),
        _ => sarif::render(&evaluation, &options).expect("sarif"),
    }
}

#[test]
fn sample_text() {
    insta::assert_snapshot!("sample_text", render("text"));
}

#[test]
fn sample_json() {
    insta::assert_snapshot!("sample_json", render("json"));
}

#[test]
fn sample_sarif() {
    insta::assert_snapshot!("sample_sarif", render("sarif"));
}
