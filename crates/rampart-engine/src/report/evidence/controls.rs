//! The framework view: the ruleset's mappings (framework → control → rules) with one
//! status per control, from the findings of its rules.
//!
//! A control fails when any of its rules' findings fails; otherwise it is unknown when one
//! is unknown (never pass: data was missing); otherwise waived when one is waived; pass
//! when every finding passes; and *not assessed* when its rules found nothing in scope.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::findings::Evaluation;
use crate::report::StatusCounts;

/// One framework's controls, in natural order (`1.8` before `1.10`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkView {
    /// The ruleset's id (`nist-800-53-r5`).
    pub id: String,
    /// A title for people.
    pub title: String,
    /// Its controls.
    pub controls: Vec<ControlView>,
    /// How many controls have each status.
    pub counts: ControlCounts,
}

/// A control with the rules mapped to it and its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlView {
    /// The control id as the ruleset writes it (`SC-28`, `2.1.1`).
    pub id: String,
    /// An HTML id for the control.
    pub anchor: String,
    /// The control's status.
    pub status: ControlStatus,
    /// Findings by status, over its rules.
    pub counts: StatusCounts,
    /// Its rules, sorted.
    pub rules: Vec<String>,
}

/// The status of a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    /// A finding of one of its rules fails.
    Fail,
    /// None fails, and one could not be assessed.
    Unknown,
    /// None fails or is unknown, and one is waived.
    Waived,
    /// Every finding passes.
    Pass,
    /// Its rules found nothing in scope.
    NotAssessed,
}

impl ControlStatus {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Fail => "fail",
            ControlStatus::Unknown => "unknown",
            ControlStatus::Waived => "waived",
            ControlStatus::Pass => "pass",
            ControlStatus::NotAssessed => "not-assessed",
        }
    }

    fn of(counts: &StatusCounts) -> ControlStatus {
        if counts.fail > 0 {
            ControlStatus::Fail
        } else if counts.unknown > 0 {
            ControlStatus::Unknown
        } else if counts.waived > 0 {
            ControlStatus::Waived
        } else if counts.pass > 0 {
            ControlStatus::Pass
        } else {
            ControlStatus::NotAssessed
        }
    }
}

/// How many controls of a framework have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ControlCounts {
    /// Failing controls.
    pub fail: usize,
    /// Controls not assessable.
    pub unknown: usize,
    /// Waived controls.
    pub waived: usize,
    /// Passing controls.
    pub pass: usize,
    /// Controls whose rules found nothing in scope.
    pub not_assessed: usize,
}

/// A title for the frameworks of the bundled ruleset; other ids are their own title.
pub fn framework_title(id: &str) -> String {
    match id {
        "foundation-guide" => "Foundation guide capabilities".to_owned(),
        "cis-aws-foundations-v3" => "CIS AWS Foundations Benchmark v3.0.0 (subset)".to_owned(),
        "nist-800-53-r5" => "NIST SP 800-53 Rev. 5 (subset)".to_owned(),
        other => other.to_owned(),
    }
}

/// Every framework the rules that ran map to, sorted by id.
pub fn frameworks(evaluation: &Evaluation) -> Vec<FrameworkView> {
    let mut by_rule: BTreeMap<&str, StatusCounts> = BTreeMap::new();
    for f in &evaluation.findings {
        by_rule.entry(&f.rule_id).or_default().add(f.status);
    }
    // framework → control → rules
    let mut mapped: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for rule in &evaluation.rules {
        for (framework, ids) in &rule.controls {
            for id in ids {
                mapped
                    .entry(framework)
                    .or_default()
                    .entry(id)
                    .or_default()
                    .push(&rule.id);
            }
        }
    }
    mapped
        .into_iter()
        .map(|(framework, controls)| {
            let mut controls: Vec<ControlView> = controls
                .into_iter()
                .map(|(id, mut rules)| {
                    rules.sort_unstable();
                    rules.dedup();
                    let mut counts = StatusCounts::default();
                    for r in &rules {
                        if let Some(c) = by_rule.get(r) {
                            counts.pass += c.pass;
                            counts.fail += c.fail;
                            counts.unknown += c.unknown;
                            counts.waived += c.waived;
                        }
                    }
                    ControlView {
                        id: id.to_owned(),
                        anchor: format!("ctl-{framework}-{}", anchor_part(id)),
                        status: ControlStatus::of(&counts),
                        counts,
                        rules: rules.into_iter().map(str::to_owned).collect(),
                    }
                })
                .collect();
            controls.sort_by_cached_key(|c| natural_key(&c.id));
            let mut counts = ControlCounts::default();
            for c in &controls {
                match c.status {
                    ControlStatus::Fail => counts.fail += 1,
                    ControlStatus::Unknown => counts.unknown += 1,
                    ControlStatus::Waived => counts.waived += 1,
                    ControlStatus::Pass => counts.pass += 1,
                    ControlStatus::NotAssessed => counts.not_assessed += 1,
                }
            }
            FrameworkView {
                id: framework.to_owned(),
                title: framework_title(framework),
                controls,
                counts,
            }
        })
        .collect()
}

/// The status of a rule's findings taken together, as for a control.
pub fn rule_status(evaluation: &Evaluation, rule_id: &str) -> ControlStatus {
    let mut counts = StatusCounts::default();
    for f in evaluation
        .findings
        .iter()
        .filter(|f| &*f.rule_id == rule_id)
    {
        counts.add(f.status);
    }
    ControlStatus::of(&counts)
}

/// Letters, digits, `-`, `_` and `.` kept; anything else `_`.
pub(crate) fn anchor_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Numbers compare as numbers, and before text: `1.8` < `1.10` < `AC-6` < `AC-6(10)` <
/// `AC-17`.
fn natural_key(id: &str) -> Vec<(bool, u64, String)> {
    let mut key = Vec::new();
    let mut chars = id.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n = 0u64;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(u64::from(d));
                chars.next();
            }
            key.push((false, n, String::new()));
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek().filter(|c| !c.is_ascii_digit()) {
                s.push(c);
                chars.next();
            }
            key.push((true, 0, s));
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::super::super::fixtures;
    use super::*;

    #[test]
    fn natural_order_of_control_ids() {
        let mut ids = vec!["1.10", "1.8", "AC-6(10)", "AC-17", "AC-6", "2.1.1", "1.2"];
        ids.sort_by_key(|a| natural_key(a));
        assert_eq!(
            ids,
            ["1.2", "1.8", "1.10", "2.1.1", "AC-6", "AC-6(10)", "AC-17"]
        );
    }

    #[test]
    fn a_control_fails_before_it_is_unknown_waived_or_passes() {
        let eval = fixtures::evaluation();
        let view = frameworks(&eval);
        let nist = view.iter().find(|f| f.id == "nist-800-53-r5").unwrap();
        let sc12 = nist.controls.iter().find(|c| c.id == "SC-12").unwrap();
        assert_eq!(sc12.rules, ["kms-key-rotation"]);
        // kms-key-rotation has one finding of each status in the fixture.
        assert_eq!(sc12.status, ControlStatus::Fail);
        let counts = StatusCounts {
            pass: 2,
            fail: 0,
            unknown: 0,
            waived: 1,
        };
        assert_eq!(ControlStatus::of(&counts), ControlStatus::Waived);
        assert_eq!(
            ControlStatus::of(&StatusCounts::default()),
            ControlStatus::NotAssessed
        );
        assert_eq!(
            ControlStatus::of(&StatusCounts {
                pass: 3,
                unknown: 1,
                ..StatusCounts::default()
            }),
            ControlStatus::Unknown
        );
    }
}
