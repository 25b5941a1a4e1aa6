//! OSCAL assessment results (NIST OSCAL 1.1.2, the `assessment-results` model that FedRAMP
//! and GRC tools read).
//!
//! One result for the evaluation; in it, one observation per finding (a rule's result on
//! a resource, with the resource as subject and its evidence: the finding in
//! `findings.json` and the resource's record in `snapshot.json`) and one per rule that
//! found nothing in scope; and one OSCAL finding per failure and control the ruleset maps
//! its rule to (`not-satisfied`), tied to the failure's observation. NIST SP 800-53
//! control ids are written as the NIST OSCAL catalog writes them (`AC-6(10)` →
//! `ac-6.10`); other frameworks' as `FRAMEWORK_CONTROL` (`cis-aws-foundations-v3_2.1.1`).
//! UUIDs are derived from what they name (SHA-256, version 5 layout), so the same input
//! gives the same document.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::controls::FrameworkView;
use super::{timestamp, BundleInput};
use crate::findings::Finding;
use crate::report::{to_pretty_json, ReportError};
use crate::vocab::Status;

/// The OSCAL version written.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of rampart's props.
pub const NS: &str = "https://github.com/rampart-dev/rampart/ns/oscal";

/// Renders `oscal/assessment-results.json`.
pub fn render(
    input: &BundleInput<'_>,
    frameworks: &[FrameworkView],
) -> Result<String, ReportError> {
    let evaluation = input.evaluation;
    let at = timestamp(&input.evaluated_at);
    let subject = super::super::source_description(&evaluation.subject);
    let seed = format!(
        "{}\0{}\0{}",
        evaluation.ruleset.sha256,
        at,
        input.snapshot.map(|s| s.sha256).unwrap_or_default()
    );
    let uuid = |parts: &[&str]| derived_uuid(&seed, parts);

    let mut observations = Vec::new();
    let mut findings = Vec::new();
    let with_findings: BTreeSet<&str> = evaluation.findings.iter().map(|f| &*f.rule_id).collect();
    for f in &evaluation.findings {
        let obs_uuid = uuid(&["observation", &f.fingerprint]);
        observations.push(observation(
            input,
            f,
            &obs_uuid,
            &at,
            &uuid(&["subject", &f.resource]),
        ));
        if f.status != Status::Fail {
            continue;
        }
        let targets = targets(evaluation, f);
        for (framework, control, target) in targets {
            findings.push(json!({
                "uuid": uuid(&["finding", &f.fingerprint, &target]),
                "title": line(&format!("{control} not satisfied: {} on {}", f.rule_id, f.resource)),
                "description": text(&f.message),
                "props": [
                    prop("framework", &framework),
                    prop("control", &control),
                    prop("rule-id", &f.rule_id),
                    prop("severity", f.severity.as_str()),
                ],
                "target": {
                    "type": "objective-id",
                    "target-id": target,
                    "status": { "state": "not-satisfied" },
                },
                "related-observations": [{ "observation-uuid": obs_uuid }],
            }));
        }
    }
    for rule in evaluation
        .rules
        .iter()
        .filter(|r| !with_findings.contains(r.id.as_str()))
    {
        observations.push(json!({
            "uuid": uuid(&["observation", "rule", &rule.id]),
            "title": line(&format!("{}: no resource in scope", rule.id)),
            "description": text(&format!("The rule `{}` ({}) ran and found no resource in its scope.", rule.id, rule.title)),
            "props": [prop("rule-id", &rule.id), prop("status", "not-assessed")],
            "methods": ["TEST"],
            "collected": at,
        }));
    }

    let selections: Vec<Value> = frameworks
        .iter()
        .map(|fw| {
            json!({
                "description": text(&format!("{} ({})", fw.title, fw.id)),
                "include-controls": fw.controls.iter().map(|c| json!({"control-id": control_token(&fw.id, &c.id)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut result = json!({
        "uuid": uuid(&["result"]),
        "title": line(&format!("rampart evaluation of {subject}")),
        "description": text(&format!(
            "Rules of the ruleset `{}` (sha256 {}) evaluated over {subject}: {} findings from {} rules.",
            evaluation.ruleset.name,
            evaluation.ruleset.sha256,
            evaluation.findings.len(),
            evaluation.rules.len()
        )),
        "start": at,
        "end": at,
        "reviewed-controls": {
            "control-selections": if selections.is_empty() {
                vec![json!({"description": "No framework mappings in the ruleset.", "include-all": {}})]
            } else {
                selections
            },
        },
    });
    if let Value::Object(map) = &mut result {
        if !observations.is_empty() {
            map.insert("observations".to_owned(), Value::Array(observations));
        }
        if !findings.is_empty() {
            map.insert("findings".to_owned(), Value::Array(findings));
        }
    }
    let document = json!({
        "assessment-results": {
            "uuid": uuid(&["assessment-results"]),
            "metadata": {
                "title": line(&format!("rampart assessment results: {subject}")),
                "last-modified": at,
                "version": input.options.tool_version,
                "oscal-version": OSCAL_VERSION,
                "props": [
                    prop("ruleset", &evaluation.ruleset.name),
                    prop("ruleset-sha256", &evaluation.ruleset.sha256),
                    prop("tool-version", input.options.tool_version),
                ],
            },
            // The rules and their configuration stand for the assessment plan.
            "import-ap": { "href": "../ruleset.toml" },
            "results": [result],
        }
    });
    to_pretty_json("oscal", &document)
}

fn observation(
    input: &BundleInput<'_>,
    f: &Finding,
    uuid: &str,
    at: &str,
    subject_uuid: &str,
) -> Value {
    let mut evidence = vec![json!({
        "href": "../findings.json",
        "description": text(&format!("The finding with fingerprint {} in findings.json.", f.fingerprint)),
    })];
    if input.snapshot.and_then(|s| s.copied()).is_some() {
        evidence.push(json!({
            "href": "../snapshot.json",
            "description": text(&format!("The record of {} in the evaluated snapshot.", f.resource)),
        }));
    }
    // The attributes the rule read, one relevant-evidence each: the path and the JSON
    // text of the value as props (machine-readable), and a sentence for people.
    evidence.extend(f.evidence.iter().map(|e| {
        json!({
            "description": text(&format!("The rule read `{}`: {}", e.path, e.value)),
            "props": [prop("evidence-path", &e.path), prop("evidence-value", &e.value)],
        })
    }));
    let mut props = vec![
        prop("rule-id", &f.rule_id),
        prop("status", f.status.as_str()),
        prop("severity", f.severity.as_str()),
        prop("area", f.area.as_str()),
        prop("fingerprint", &f.fingerprint),
    ];
    if let Some(w) = &f.waiver {
        props.push(prop("waiver-approver", &w.approver));
        if let Some(expires) = w.expires {
            props.push(prop("waiver-expires", &expires.to_string()));
        }
    }
    let mut obs = json!({
        "uuid": uuid,
        "title": line(&format!("{} on {}: {}", f.rule_id, f.resource, f.status.as_str())),
        "description": text(&f.message),
        "props": props,
        "methods": ["TEST"],
        "types": ["finding"],
        "subjects": [{
            "subject-uuid": subject_uuid,
            "type": "resource",
            "title": line(&f.resource),
            "props": [
                prop("resource-type", f.resource_type),
                prop("account-id", &f.account_id),
                prop("region", &f.region),
            ],
        }],
        "relevant-evidence": evidence,
        "collected": at,
    });
    if let (Some(w), Value::Object(map)) = (&f.waiver, &mut obs) {
        map.insert(
            "remarks".to_owned(),
            Value::String(text(&format!("Waived by {}: {}", w.approver, w.reason))),
        );
    }
    obs
}

/// (framework, control, OSCAL target id) of a failure's controls; one rampart target when
/// its rule maps to none.
fn targets(evaluation: &crate::findings::Evaluation, f: &Finding) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Some(rule) = evaluation.rule(&f.rule_id) {
        for (framework, ids) in &rule.controls {
            for id in ids {
                out.push((framework.clone(), id.clone(), control_token(framework, id)));
            }
        }
    }
    if out.is_empty() {
        out.push((
            "rampart".to_owned(),
            f.rule_id.to_string(),
            format!("rampart_{}", super::controls::anchor_part(&f.rule_id)),
        ));
    }
    out
}

/// A control id as an OSCAL token: NIST SP 800-53 as the NIST catalog writes it, others
/// prefixed with their framework.
pub fn control_token(framework: &str, id: &str) -> String {
    if framework.starts_with("nist-800-53") {
        // `AC-6(10)` → `ac-6.10`.
        let mut out = String::new();
        for c in id.chars() {
            match c {
                '(' => out.push('.'),
                ')' => {}
                c => out.extend(c.to_lowercase()),
            }
        }
        out
    } else {
        format!("{framework}_{}", super::controls::anchor_part(id))
    }
}

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": line(value) })
}

/// One line without surrounding blanks, never empty (OSCAL's string type).
fn line(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        "-".to_owned()
    } else {
        joined
    }
}

/// Text without surrounding blanks, never empty (OSCAL markup).
fn text(s: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        "-".to_owned()
    } else {
        t.to_owned()
    }
}

/// A version-5-layout UUID from SHA-256 of the seed and parts.
fn derived_uuid(seed: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"rampart/oscal\0");
    h.update(seed.as_bytes());
    for p in parts {
        h.update([0]);
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_as_oscal_tokens() {
        assert_eq!(control_token("nist-800-53-r5", "AC-6(10)"), "ac-6.10");
        assert_eq!(control_token("nist-800-53-r5", "SC-28"), "sc-28");
        assert_eq!(
            control_token("cis-aws-foundations-v3", "2.1.1"),
            "cis-aws-foundations-v3_2.1.1"
        );
    }

    #[test]
    fn uuids_are_derived_and_well_formed() {
        let a = derived_uuid("s", &["x"]);
        assert_eq!(a, derived_uuid("s", &["x"]));
        assert_ne!(a, derived_uuid("s", &["y"]));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
