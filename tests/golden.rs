//! Golden outputs of the sample organization in every format: one change in a finding
//! shows in all of them. Update with `cargo insta review` (or `INSTA_UPDATE=always`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::collections::{BTreeMap, BTreeSet};

use rampart::model::sample_snapshot;
use rampart::report::{json, sarif, text, RenderOptions};
use rampart::rules::{Area, Catalog, Engine, Evaluation, Severity, Status};
use rampart::ruleset::Ruleset;

mod common;
use common::repo_path;

fn evaluate() -> Evaluation {
    let catalog = Catalog::bundled().expect("catalog");
    let ruleset = Ruleset::bundled().expect("ruleset");
    let engine = Engine::new(&catalog, &ruleset).expect("engine");
    let snapshot = sample_snapshot().expect("sample");
    engine.evaluate(&snapshot, snapshot.taken_at)
}

fn render(format: &str) -> String {
    let evaluation = evaluate();
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

/// Rules with one finding per organization: one organization shows one outcome, so their
/// other outcome is shown by their case file (`tests/rules/<id>.tests.yaml`) instead.
const ONE_OUTCOME_PER_ORGANIZATION: [(&str, &str); 3] = [
    (
        "cloudtrail-organization-trail",
        "one finding, on the management account: the sample has no organization trail (fail)",
    ),
    (
        "management-account-no-workloads",
        "assesses the management account alone: the sample's holds no workloads (pass)",
    ),
    (
        "security-services-delegated-admin",
        "one finding, on the management account: Config is delegated to shared-services (fail)",
    ),
];

#[test]
fn sample_exercises_every_rule_both_ways_and_every_area() {
    let evaluation = evaluate();
    let mut outcomes: BTreeMap<&str, BTreeSet<Status>> = BTreeMap::new();
    let mut areas: BTreeSet<Area> = BTreeSet::new();
    for f in &evaluation.findings {
        outcomes.entry(&f.rule_id).or_default().insert(f.status);
        areas.insert(f.area);
    }
    let allowed: BTreeMap<&str, &str> = ONE_OUTCOME_PER_ORGANIZATION.into_iter().collect();
    let mut one_way = Vec::new();
    for rule in &evaluation.rules {
        let seen = outcomes.get(rule.id.as_str()).cloned().unwrap_or_default();
        let both = seen.contains(&Status::Pass)
            && (seen.contains(&Status::Fail) || seen.contains(&Status::Waived));
        if both {
            assert!(
                !allowed.contains_key(rule.id.as_str()),
                "`{}` is exercised both ways now: take it off the allow-list",
                rule.id
            );
        } else if allowed.contains_key(rule.id.as_str()) {
            let cases = repo_path(&format!(
                "tests/rules/{}.tests.yaml",
                rule.id.replace('-', "_")
            ));
            let text = std::fs::read_to_string(&cases).expect("the rule's case file");
            assert!(
                text.contains(": pass") && text.contains(": fail"),
                "{} shows no pass and fail case",
                cases.display()
            );
        } else {
            one_way.push(format!("{} {seen:?}", rule.id));
        }
    }
    assert!(
        one_way.is_empty(),
        "rules the sample does not exercise both ways (a pass and a fail or waived finding): {one_way:#?}"
    );
    let silent: Vec<&str> = Area::ALL
        .iter()
        .filter(|a| !areas.contains(a))
        .map(|a| a.as_str())
        .collect();
    assert!(silent.is_empty(), "areas without findings: {silent:?}");
}
