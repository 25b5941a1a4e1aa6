//! Data-driven rule tests: every `policies/**/*.tests.yaml` (beside its Cedar policy) and
//! `tests/rules/*.tests.yaml` (native rules) is a list of cases — an account fragment, and the
//! expected status per resource ARN — run through the real engine with the default ruleset
//! narrowed to the rule. A meta-test checks that every rule has failing and passing cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::collections::{BTreeMap, BTreeSet};

use rampart::model::parse_snapshot;
use rampart::rules::{Catalog, Engine};
use rampart::ruleset::Ruleset;

mod common;
use common::cases::{case_files, load, snapshot_json};

#[test]
fn every_rule_case_holds() {
    let catalog = Catalog::bundled().expect("bundled catalog");
    let base = Ruleset::bundled().expect("bundled ruleset");
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in case_files() {
        let file = load(&path);
        assert!(
            catalog.get(&file.rule).is_some(),
            "{}: unknown rule `{}`",
            path.display(),
            file.rule
        );
        let mut ruleset = base.clone();
        ruleset.rules.include = vec![file.rule.clone()];
        ruleset.rules.exclude.clear();
        ruleset.waivers.retain(|w| w.rule == file.rule);
        let engine = Engine::new(&catalog, &ruleset).expect("engine");
        for case in &file.cases {
            ran += 1;
            let text = snapshot_json(case).to_string();
            let snapshot = match parse_snapshot(&text, &path) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!(
                        "{} / {}: bad case snapshot: {e}",
                        path.display(),
                        case.name
                    ));
                    continue;
                }
            };
            let now = case
                .now
                .as_deref()
                .map(|t| t.parse().expect("case `now` is RFC 3339"))
                .unwrap_or(snapshot.taken_at);
            let evaluation = engine.evaluate(&snapshot, now);
            let at = format!("{} / {}", path.display(), case.name);
            // No silent dedup: the engine reports a rule that gave two outcomes for one
            // resource, and that is a failure here.
            for notice in &evaluation.notices {
                if notice.message.contains("more than one outcome") {
                    failures.push(format!("{at}: {}", notice.message));
                }
            }
            // Every finding is expected: an unexpected failure elsewhere in the case is not
            // missed.
            for f in &evaluation.findings {
                if !case.expect.contains_key(&f.resource) {
                    failures.push(format!(
                        "{at}: unexpected {} finding for `{}`: {}",
                        f.status, f.resource, f.message
                    ));
                }
            }
            // Every resource the rule assesses is named, or the case says the others get none.
            if case.others.is_none() {
                let meta = catalog.get(&file.rule).expect("known rule").meta();
                for r in snapshot.resources() {
                    if meta.resource_types.contains(&r.resource_type)
                        && !case.expect.contains_key(r.arn)
                    {
                        failures.push(format!(
                            "{at}: `{}` is not in `expect` (name its outcome, `none` included, \
                             or add `others: none`)",
                            r.arn
                        ));
                    }
                }
            }
            for (arn, expected) in &case.expect {
                let found: Vec<_> = evaluation
                    .findings
                    .iter()
                    .filter(|f| &f.resource == arn)
                    .collect();
                let actual = match found.as_slice() {
                    [] => "none".to_owned(),
                    [one] => one.status.to_string(),
                    many => format!("{} findings", many.len()),
                };
                if &actual != expected {
                    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
                    failures.push(format!(
                        "{at}: `{arn}` expected {expected}, got {actual} {messages:?}"
                    ));
                }
            }
        }
    }
    assert!(ran > 0, "no rule cases found");
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every rule: a unique id (the catalog rejects duplicates), a valid area (typed), the four
/// documentation headings, and at least one failing and one passing case.
#[test]
fn every_rule_has_docs_and_both_outcomes() {
    let catalog = Catalog::bundled().expect("bundled catalog");
    let mut outcomes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in case_files() {
        let file = load(&path);
        let seen = outcomes.entry(file.rule.clone()).or_default();
        for case in &file.cases {
            seen.extend(case.expect.values().cloned());
        }
    }
    let ruleset = Ruleset::bundled().expect("bundled ruleset");
    let guide = ruleset.frameworks.get("foundation-guide");
    let mut problems = Vec::new();
    for rule in catalog.rules() {
        let meta = rule.meta();
        if guide.is_none_or(|g| g.get(&meta.id).is_none_or(Vec::is_empty)) {
            problems.push(format!(
                "`{}`: no foundation-guide mapping in rulesets/default.toml",
                meta.id
            ));
        }
        for heading in [
            "## What it checks",
            "## Why it matters",
            "## How to fix",
            "## Example",
        ] {
            if !meta.doc.contains(heading) {
                problems.push(format!("`{}`: documentation lacks `{heading}`", meta.id));
            }
        }
        let seen = outcomes.get(&meta.id).cloned().unwrap_or_default();
        for needed in ["fail", "pass"] {
            if !seen.contains(needed) {
                problems.push(format!("`{}`: no case expecting `{needed}`", meta.id));
            }
        }
    }
    assert!(catalog.rules().len() >= 12, "expected at least 12 rules");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
