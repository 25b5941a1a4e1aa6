//! The auditor's evidence bundle (`rampart report`): every file of the bundle as
//! (path, bytes), and the manifest that hashes them.
//!
//! The bundle is built from a [`BundleInput`]: an [`Evaluation`] plus what an auditor needs
//! beside it (the snapshot's text or its digest, the ruleset's text, versions, and history
//! points for trends). The engine performs no I/O: the CLI reads the inputs, and writes the
//! files this returns into a temporary directory renamed into place. The same input gives
//! byte-identical files: the only time in the bundle is the evaluation time.
//!
//! Files: `index.html` (one self-contained page, [`html`]), `findings.csv`
//! ([`findings_csv`]), `findings.json` (the JSON report), `oscal/assessment-results.json`
//! ([`oscal`]), `ocsf/detection-findings.json` ([`ocsf`], optional), `snapshot.json` (or
//! only its digest in the manifest), `ruleset.toml`, `rules.md` (the rules'
//! documentation), and `manifest.json` ([`manifest`]).

pub mod controls;
pub mod findings_csv;
pub mod html;
pub mod manifest;
pub mod ocsf;
pub mod oscal;
mod resources;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{RenderOptions, ReportError};
use crate::findings::Evaluation;

pub use manifest::{verify, Manifest, Tampering, TamperingKind};

/// The manifest's file name, at the root of the bundle.
pub const MANIFEST: &str = "manifest.json";

/// The snapshot that was evaluated, as the bundle carries it.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotInput<'a> {
    /// SHA-256 of the snapshot's JSON text as read, hex: the manifest's snapshot digest.
    pub sha256: &'a str,
    /// The size of that text in bytes.
    pub size: u64,
    /// The text itself when it is at hand (not for a recorded run, whose history keeps
    /// only its digest): the page's resource records, and `snapshot.json` when copied.
    pub json: Option<&'a str>,
    /// Whether `snapshot.json` is copied into the bundle, or only its digest recorded.
    pub copy: bool,
}

impl<'a> SnapshotInput<'a> {
    /// The snapshot of this text.
    pub fn of_text(json: &'a str, sha256: &'a str, copy: bool) -> SnapshotInput<'a> {
        SnapshotInput {
            sha256,
            size: json.len() as u64,
            json: Some(json),
            copy,
        }
    }

    /// The text that `snapshot.json` holds, when the bundle carries a copy.
    pub fn copied(&self) -> Option<&'a str> {
        self.json.filter(|_| self.copy)
    }
}

/// One point of history, for trends (filled by the history subsystem; empty without it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    /// The run's id, as the history names it.
    pub run: String,
    /// When its snapshot was taken.
    pub taken_at: DateTime<Utc>,
    /// Findings passing.
    pub pass: usize,
    /// Findings failing.
    pub fail: usize,
    /// Findings not assessable.
    pub unknown: usize,
    /// Findings waived.
    pub waived: usize,
}

/// Everything a bundle is built from.
#[derive(Debug, Clone, Copy)]
pub struct BundleInput<'a> {
    /// The findings, rules, ruleset identity, coverage and notices.
    pub evaluation: &'a Evaluation,
    /// rampart's version, and the `--fail-on` threshold.
    pub options: RenderOptions<'a>,
    /// The evaluation time (waiver and certificate expiry were judged at it): the bundle's
    /// only time, so that the same inputs give the same bytes.
    pub evaluated_at: DateTime<Utc>,
    /// The snapshot evaluated; `None` when findings come from elsewhere (a recorded run
    /// whose snapshot is gone).
    pub snapshot: Option<SnapshotInput<'a>>,
    /// The ruleset's TOML text.
    pub ruleset_toml: &'a str,
    /// The embedded AWS action catalog's version.
    pub catalog_version: &'a str,
    /// Earlier runs, oldest first, for trends; empty when there is no history.
    pub trends: &'a [TrendPoint],
    /// Whether to add the OCSF Detection Finding file.
    pub ocsf: bool,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Relative path with `/` separators.
    pub path: String,
    /// The contents.
    pub bytes: Vec<u8>,
}

/// Every file of the bundle, the manifest last; paths are sorted otherwise.
pub fn bundle(input: &BundleInput<'_>) -> Result<Vec<BundleFile>, ReportError> {
    let evaluation = input.evaluation;
    // The snapshot as the bundle shows it (resource records, `snapshot.json`): every
    // credential-looking string redacted; `None` when it is not at hand or does not parse
    // (it was parsed once before, so it does).
    let snapshot = input
        .snapshot
        .and_then(|s| s.json)
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
        .map(|mut tree| {
            let redacted = crate::redact::redact_json(&mut tree);
            (tree, redacted)
        });
    let evidence = match &snapshot {
        Some((tree, _)) => resources::ResourceIndex::of_value(tree),
        None => resources::ResourceIndex::default(),
    };
    let view = controls::frameworks(evaluation);
    let mut files = vec![
        file("findings.csv", findings_csv::render(evaluation)?),
        file(
            "findings.json",
            super::json::render(evaluation, &input.options)?.into_bytes(),
        ),
        file(
            "index.html",
            html::render(input, &view, &evidence)?.into_bytes(),
        ),
        file(
            "oscal/assessment-results.json",
            oscal::render(input, &view)?.into_bytes(),
        ),
        file("rules.md", rules_markdown(evaluation).into_bytes()),
        file("ruleset.toml", input.ruleset_toml.as_bytes().to_vec()),
    ];
    if input.ocsf {
        files.push(file(
            "ocsf/detection-findings.json",
            ocsf::render(input)?.into_bytes(),
        ));
    }
    if let Some(json) = input.snapshot.and_then(|s| s.copied()) {
        // A byte-for-byte copy (its hash is the manifest's snapshot digest), unless a
        // credential had to be redacted: then the redacted tree, pretty-printed.
        let bytes = match &snapshot {
            Some((tree, true)) => super::to_pretty_json("snapshot", tree)?.into_bytes(),
            _ => json.as_bytes().to_vec(),
        };
        files.push(file("snapshot.json", bytes));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest::new(input, &files);
    files.push(file(MANIFEST, manifest.to_json()?.into_bytes()));
    Ok(files)
}

fn file(path: &str, bytes: Vec<u8>) -> BundleFile {
    BundleFile {
        path: path.to_owned(),
        bytes,
    }
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// RFC 3339 in UTC with seconds, as every file of the bundle writes times.
fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The documentation of every rule that ran, with its severity and controls.
fn rules_markdown(evaluation: &Evaluation) -> String {
    let mut out =
        String::from("# Rules\n\nThe rules of this evaluation, as the ruleset configured them.\n");
    for rule in &evaluation.rules {
        out.push_str(&format!(
            "\n---\n\n# `{}`: {}\n\n- area: `{}`\n- severity: `{}`\n- kind: `{}`\n",
            rule.id,
            rule.title,
            rule.area.as_str(),
            rule.severity.as_str(),
            rule.kind.as_str()
        ));
        for (framework, ids) in &rule.controls {
            out.push_str(&format!("- {framework}: {}\n", ids.join(", ")));
        }
        if !rule.reads.is_empty() {
            out.push_str(&format!("- reads: {}\n", rule.reads.join(", ")));
        }
        out.push('\n');
        if rule.doc.trim().is_empty() {
            out.push_str(&format!("{}\n", rule.remediation.trim()));
        } else {
            // Rule docs use `##` headings; nest them under the rule's own heading.
            for line in rule.doc.trim_end().lines() {
                if line.starts_with('#') {
                    out.push('#');
                }
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
