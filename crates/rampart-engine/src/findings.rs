//! Findings and evaluations: what every reporter reads, and all it reads.
//!
//! An [`Evaluation`] is self-contained: the findings, the metadata of the rules that ran
//! (with their effective severity and framework controls), the ruleset's identity, what
//! was evaluated, notices and coverage gaps. `evaluate`, `iam validate` and `check` each
//! build one, and the same reporters render them all.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{CoverageGap, Location, ResourceRef, ResourceType, SnapshotSource};
use crate::vocab::{Area, RuleKind, Severity, Status};

/// The identity and position of the thing a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceKey {
    /// The ARN, or for a scope that could not be read, `arn:aws:SERVICE:REGION:ACCOUNT:*`.
    pub arn: String,
    /// The resource type.
    pub resource_type: ResourceType,
    /// The owning account.
    pub account_id: String,
    /// The region, or `global`.
    pub region: String,
    /// Where it is declared, for resources read from files.
    pub location: Option<Location>,
}

impl ResourceKey {
    /// The key of a resource of the model.
    pub fn of(r: ResourceRef<'_>) -> ResourceKey {
        ResourceKey {
            arn: r.arn.to_owned(),
            resource_type: r.resource_type,
            account_id: r.account_id.to_owned(),
            region: r.region.to_owned(),
            location: r.source.location(),
        }
    }
}

/// The waiver that turned a failure into `waived`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    /// Why the exception is accepted.
    pub reason: String,
    /// Who accepted it.
    pub approver: String,
    /// Last day it applies; `None` for a suppression written in the code itself, which
    /// lasts as long as the code says so.
    pub expires: Option<NaiveDate>,
    /// The resource glob that matched (the resource itself, for an in-source suppression).
    pub resource: String,
    /// Whether it is written in the checked code (`Metadata.rampart.skip`, a Terraform
    /// comment) rather than in the ruleset's waivers.
    pub in_source: bool,
}

/// One result of one rule on one resource, as reports show it.
///
/// It serializes and deserializes (with the rest of an [`Evaluation`]) so that the history
/// can keep a run's whole evaluation and rebuild its evidence bundle later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule id.
    #[serde(deserialize_with = "arc_str")]
    pub rule_id: Arc<str>,
    /// The rule title.
    #[serde(deserialize_with = "arc_str")]
    pub title: Arc<str>,
    /// pass, fail, unknown or waived.
    pub status: Status,
    /// Effective severity (after ruleset overrides).
    pub severity: Severity,
    /// The rule's area.
    pub area: Area,
    /// The resource ARN.
    pub resource: String,
    /// The resource type (`AWS::S3::Bucket`).
    #[serde(deserialize_with = "resource_type_name")]
    pub resource_type: TypeName,
    /// The owning account.
    pub account_id: String,
    /// The region, or `global`.
    pub region: String,
    /// What the rule found.
    pub message: String,
    /// Where the resource is declared: its position when it came from a file, or for a live
    /// resource its logical id in its CloudFormation template (`iac_links`).
    pub location: Option<Location>,
    /// Stable identity of (rule, resource): the same across runs and message changes.
    pub fingerprint: String,
    /// The waiver applied, for `waived` findings (boxed: most findings have none, and a
    /// run holds millions).
    pub waiver: Option<Box<AppliedWaiver>>,
    /// Compared with a baseline (`check --baseline`), when one was given.
    #[serde(default)]
    pub baseline_state: Option<BaselineState>,
    /// The attributes the rule read to decide, in the order it read them (at most
    /// [`Evidence::MAX_ENTRIES`]). Absent from runs recorded before evidence existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// One attribute a rule read to reach a finding: where it is, and what it held.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// Where the attribute is, relative to the resource (`encryption.kms_key_id`), or the
    /// organization fact that decided (`scp[p-123].statement[0]`, `trust.edge[0]`).
    pub path: Cow<'static, str>,
    /// The JSON text of the value read, at most [`Evidence::MAX_VALUE`] characters (then
    /// ending in `…`), or [`Evidence::ABSENT`] when the attribute was missing.
    pub value: String,
}

impl Evidence {
    /// The value of an attribute that was not there.
    pub const ABSENT: &'static str = "<absent>";
    /// The longest value kept, in characters; a longer one is cut and ends in `…`.
    pub const MAX_VALUE: usize = 256;
    /// The most entries a finding keeps; the last one then says how many were left out.
    pub const MAX_ENTRIES: usize = 16;

    /// Evidence from a path and the JSON text of a value (cut to [`Evidence::MAX_VALUE`]).
    pub fn new(path: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Evidence {
        Evidence {
            path: path.into(),
            value: bounded(value.into()),
        }
    }

    /// Evidence of a value: its JSON text, or [`Evidence::ABSENT`] for `null` (a `None`).
    pub fn of<T: Serialize + ?Sized>(path: impl Into<Cow<'static, str>>, value: &T) -> Evidence {
        let text = match serde_json::to_string(value) {
            Ok(text) if text == "null" => Evidence::ABSENT.to_owned(),
            Ok(text) => text,
            Err(e) => format!("<unserializable: {e}>"),
        };
        Evidence::new(path, text)
    }

    /// Evidence that an attribute is missing.
    pub fn absent(path: impl Into<Cow<'static, str>>) -> Evidence {
        Evidence::new(path, Evidence::ABSENT)
    }

    /// Drops repeated entries (keeping the first) and bounds the list to
    /// [`Evidence::MAX_ENTRIES`], the last entry then counting those left out.
    pub fn bound(list: &mut Vec<Evidence>) {
        if list.len() > 1 {
            let mut seen = std::collections::HashSet::new();
            list.retain(|e| seen.insert((e.path.clone(), e.value.clone())));
        }
        if list.len() > Evidence::MAX_ENTRIES {
            let left_out = list.len() - (Evidence::MAX_ENTRIES - 1);
            list.truncate(Evidence::MAX_ENTRIES - 1);
            list.push(Evidence::new("…", format!("<{left_out} more>")));
        }
    }

    /// `path=value`, as the CSV and text forms show one entry.
    pub fn display(list: &[Evidence]) -> String {
        list.iter()
            .map(|e| format!("{}={}", e.path, e.value))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A value cut to [`Evidence::MAX_VALUE`] characters, ending in `…` when cut.
fn bounded(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(Evidence::MAX_VALUE) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// A resource type's name. An alias rather than `&'static str` written out, so that serde's
/// derive does not borrow it from the input (which would tie every deserialized
/// [`Evaluation`] to `'static` input): [`resource_type_name`] maps it to a static name.
type TypeName = &'static str;

fn arc_str<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    String::deserialize(d).map(Arc::from)
}

/// A resource type name read back: the model's types are `'static` already; any other name
/// (a policy file, a type of a checked template) is interned once.
fn resource_type_name<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static OTHERS: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let name = String::deserialize(d)?;
    if let Some(t) = ResourceType::ALL.iter().find(|t| t.name() == name) {
        return Ok(t.name());
    }
    let mut others = OTHERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let others = others.get_or_insert_with(HashSet::new);
    if let Some(known) = others.get(name.as_str()) {
        return Ok(known);
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    others.insert(leaked);
    Ok(leaked)
}

/// A finding's state against a baseline of an earlier run (SARIF `baselineState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline.
    Unchanged,
    /// In the baseline with another status or message.
    Updated,
    /// In the baseline, gone now.
    Absent,
}

impl BaselineState {
    /// The SARIF name.
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Updated => "updated",
            BaselineState::Absent => "absent",
        }
    }
}

/// The stable fingerprint of a (rule, resource) pair: never a hash of the message, so
/// rewording a message does not reopen alerts in code scanning.
pub fn fingerprint(rule_id: &str, resource: &ResourceKey) -> String {
    let mut h = Sha256::new();
    for part in [
        "rampart/v1",
        rule_id,
        resource.arn.as_str(),
        resource.account_id.as_str(),
        resource.region.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

/// A rule as reports show it: its metadata after the ruleset's overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    /// Stable id, kebab-case.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// The capability it checks.
    pub area: Area,
    /// Effective severity (after ruleset overrides).
    pub severity: Severity,
    /// Cedar or native (or a check of another tool, such as the policy validator).
    pub kind: RuleKind,
    /// How to fix a failure, one paragraph.
    pub remediation: String,
    /// Markdown documentation (*What it checks*, *Why it matters*, *How to fix*,
    /// *Example*); may be empty.
    pub doc: String,
    /// Where it is defined, for rules loaded from files.
    pub location: Option<Location>,
    /// Framework → control ids the ruleset maps it to.
    pub controls: BTreeMap<String, Vec<String>>,
    /// Extra SARIF tags (beyond `security`, the area and the kind).
    pub tags: Vec<String>,
    /// What it reads of the model (services and API operations, as the vocabulary writes
    /// them): the evidence an auditor is shown beside each finding's resource record.
    pub reads: Vec<String>,
}

/// Which ruleset (or checker configuration) produced an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesetIdentity {
    /// Its name; also the SARIF category (`rampart/NAME/`).
    pub name: String,
    /// SHA-256 of its text, hex.
    pub sha256: String,
}

/// What was evaluated: a snapshot's provenance, or the files checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// When the data was read (a snapshot's `taken_at`); `None` for files.
    pub taken_at: Option<DateTime<Utc>>,
    /// The producer and a description.
    pub source: SnapshotSource,
}

/// How serious a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NoticeLevel {
    /// Something the user should know (an expired waiver); the run succeeded.
    Warning,
    /// Input that could not be analyzed (an unreadable file); the run is incomplete.
    Error,
}

impl NoticeLevel {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeLevel::Warning => "warning",
            NoticeLevel::Error => "error",
        }
    }
}

/// A message about the run that is not a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Notice {
    /// Warning or error.
    pub level: NoticeLevel,
    /// One line.
    pub message: String,
    /// The file it is about, if any.
    pub location: Option<Location>,
}

impl Notice {
    /// A warning without a location.
    pub fn warning(message: impl Into<String>) -> Notice {
        Notice {
            level: NoticeLevel::Warning,
            message: message.into(),
            location: None,
        }
    }
}

/// Everything reporters read about one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The ruleset (or checker configuration).
    pub ruleset: RulesetIdentity,
    /// What was evaluated.
    pub subject: Subject,
    /// The rules that ran, sorted by id.
    pub rules: Vec<RuleInfo>,
    /// Findings sorted by (rule id, resource, region, account).
    pub findings: Vec<Finding>,
    /// Things the user should know that are not findings, sorted.
    pub notices: Vec<Notice>,
    /// What could not be read, sorted.
    pub coverage: Vec<CoverageGap>,
}

impl Evaluation {
    /// A rule that ran, by id.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }

    /// Whether an input could not be analyzed (an error notice).
    pub fn incomplete(&self) -> bool {
        self.notices.iter().any(|n| n.level == NoticeLevel::Error)
    }

    /// Redacts every text that quotes the data (finding messages and evidence, notices,
    /// coverage gap reasons, the subject's description; `crate::redact`): the one pass
    /// between an evaluation and every report, history row and bundle built from it.
    /// Idempotent; text without a credential is not copied. Notices stay sorted (a
    /// redacted notice may sort elsewhere).
    pub fn redact(&mut self) {
        use rayon::prelude::*;
        self.findings.par_iter_mut().for_each(Finding::redact);
        self.redact_all_but_findings();
    }

    /// [`Evaluation::redact`] for an evaluation whose findings were each redacted as they
    /// were made ([`Finding::redact`]): the engine's, whose millions of findings are then
    /// not walked again.
    pub(crate) fn redact_all_but_findings(&mut self) {
        let mut notices_changed = false;
        for n in &mut self.notices {
            notices_changed |= redact_in_place(&mut n.message);
        }
        if notices_changed {
            self.notices.sort();
            self.notices.dedup();
        }
        for gap in &mut self.coverage {
            redact_in_place(&mut gap.reason);
        }
        redact_in_place(&mut self.subject.source.description);
    }

    /// Adds notices, keeping the notices sorted and without repeats.
    pub fn add_notices(&mut self, notices: impl IntoIterator<Item = Notice>) {
        self.notices.extend(notices);
        self.notices.sort();
        self.notices.dedup();
    }
}

impl Finding {
    /// Redacts what the finding quotes of the data: its message and evidence values.
    pub(crate) fn redact(&mut self) {
        redact_in_place(&mut self.message);
        for e in &mut self.evidence {
            redact_in_place(&mut e.value);
        }
    }
}

/// Redacts `text` in place; whether it changed.
fn redact_in_place(text: &mut String) -> bool {
    match crate::redact::redact(text) {
        Cow::Borrowed(_) => false,
        Cow::Owned(r) => {
            *text = r;
            true
        }
    }
}

#[cfg(test)]
mod evidence_tests {
    use super::*;

    /// A million resources make about three million findings, each held until the report
    /// is written: the inline part stays small (what is rare, a waiver, is boxed).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_finding_stays_small() {
        assert!(
            std::mem::size_of::<Finding>() <= 240,
            "{} bytes",
            std::mem::size_of::<Finding>()
        );
    }

    #[test]
    fn a_missing_value_is_absent_and_others_are_json_text() {
        assert_eq!(Evidence::of("a", &None::<String>).value, Evidence::ABSENT);
        assert_eq!(Evidence::of("a", &Some("x")).value, r#""x""#);
        assert_eq!(Evidence::of("a", &true).value, "true");
        assert_eq!(Evidence::of("a", &["p", "q"]).value, r#"["p","q"]"#);
    }

    #[test]
    fn long_values_are_cut_with_an_ellipsis() {
        let long = "é".repeat(Evidence::MAX_VALUE * 2);
        let e = Evidence::new("p", long);
        assert_eq!(e.value.chars().count(), Evidence::MAX_VALUE + 1);
        assert!(e.value.ends_with('…'));
        let short = Evidence::new("p", "x".repeat(Evidence::MAX_VALUE));
        assert!(!short.value.ends_with('…'));
    }

    #[test]
    fn lists_lose_repeats_and_are_bounded_with_a_count_of_the_rest() {
        let mut list: Vec<Evidence> = (0..40)
            .map(|i| Evidence::of(format!("p{}", i % 30), &(i % 30)))
            .collect();
        Evidence::bound(&mut list);
        assert_eq!(list.len(), Evidence::MAX_ENTRIES);
        assert_eq!(list[0].path, "p0");
        let last = &list[Evidence::MAX_ENTRIES - 1];
        assert_eq!(last.path, "…");
        assert_eq!(
            last.value,
            format!("<{} more>", 30 - (Evidence::MAX_ENTRIES - 1))
        );
    }

    /// History rows written before findings had evidence still load.
    #[test]
    fn a_finding_without_evidence_loads_and_serializes_without_it() {
        let json = r#"{"rule_id":"r","title":"t","status":"fail","severity":"high",
            "area":"governance","resource":"arn:aws:s3:::b","resource_type":"AWS::S3::Bucket",
            "account_id":"1","region":"global","message":"m","location":null,
            "fingerprint":"f","waiver":null}"#;
        let f: Finding = serde_json::from_str(json).expect("old finding");
        assert!(f.evidence.is_empty());
        let text = serde_json::to_string(&f).expect("serialize");
        assert!(!text.contains("evidence"), "{text}");
        let mut with = f.clone();
        with.evidence = vec![Evidence::absent("encryption.kms_key_id")];
        let back: Finding = serde_json::from_str(&serde_json::to_string(&with).expect("serialize"))
            .expect("round trip");
        assert_eq!(back, with);
    }
}
