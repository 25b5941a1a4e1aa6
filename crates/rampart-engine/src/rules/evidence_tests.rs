//! The evidence of findings on the bundled sample organization: every finding of every
//! rule says what it read, and a few rules of each kind read exactly what they should.

use super::{Catalog, Engine, Evaluation, Finding};
use crate::ruleset::Ruleset;

fn sample_evaluation() -> Evaluation {
    let catalog = Catalog::bundled().expect("catalog");
    let ruleset = Ruleset::bundled().expect("ruleset");
    let snapshot = crate::model::sample_snapshot().expect("sample");
    let engine = Engine::new(&catalog, &ruleset).expect("engine");
    engine.evaluate(&snapshot, snapshot.taken_at)
}

/// `path=value` of a finding's evidence, one entry a line.
fn evidence_of(evaluation: &Evaluation, rule: &str, resource: &str) -> Vec<String> {
    let found: Vec<&Finding> = evaluation
        .findings
        .iter()
        .filter(|f| &*f.rule_id == rule && f.resource.ends_with(resource))
        .collect();
    assert_eq!(found.len(), 1, "one finding of `{rule}` on `…{resource}`");
    found[0]
        .evidence
        .iter()
        .map(|e| format!("{}={}", e.path, e.value))
        .collect()
}

#[test]
fn every_finding_of_the_sample_organization_has_evidence() {
    let evaluation = sample_evaluation();
    assert!(!evaluation.findings.is_empty());
    let without: Vec<String> = evaluation
        .findings
        .iter()
        .filter(|f| f.evidence.is_empty())
        .map(|f| format!("{} {} ({})", f.rule_id, f.resource, f.status))
        .collect();
    assert!(
        without.is_empty(),
        "findings without evidence:\n{}",
        without.join("\n")
    );
    for f in &evaluation.findings {
        assert!(f.evidence.len() <= crate::findings::Evidence::MAX_ENTRIES);
        for e in &f.evidence {
            assert!(!e.path.is_empty(), "{} {}", f.rule_id, f.resource);
            assert!(
                e.value.chars().count() <= crate::findings::Evidence::MAX_VALUE + 1,
                "{} {}: {}",
                f.rule_id,
                f.resource,
                e.path
            );
        }
    }
}

/// Evaluating twice gives the same evidence, in the same order.
#[test]
fn evidence_is_deterministic() {
    let (a, b) = (sample_evaluation(), sample_evaluation());
    let evidence = |e: &Evaluation| {
        e.findings
            .iter()
            .map(|f| f.evidence.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(evidence(&a), evidence(&b));
}
