//! `manifest.json`: every file of the bundle with its SHA-256 and size, the versions and
//! digests that identify the run, and its time; and [`verify`], which recomputes them.
//!
//! The manifest proves the files unchanged since it was written; it does not prove who
//! wrote it (sign `manifest.json`, or record its digest, for that: `docs/evidence.md`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{sha256_hex, timestamp, BundleFile, BundleInput, MANIFEST};
use crate::report::ReportError;

/// The manifest's format id; [`verify`] refuses any other.
pub const FORMAT: &str = "rampart-evidence/1";

/// What `manifest.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The tool that wrote the bundle.
    pub tool: Tool,
    /// The evaluation time (RFC 3339): the bundle's only time.
    pub evaluated_at: String,
    /// The ruleset's name and the SHA-256 of its text.
    pub ruleset: Ruleset,
    /// The embedded AWS action catalog's version.
    pub catalog_version: String,
    /// The snapshot evaluated; `None` when there was none.
    pub snapshot: Option<SnapshotDigest>,
    /// Every other file, sorted by path.
    pub files: Vec<FileEntry>,
}

/// The tool's name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// `rampart`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A ruleset's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ruleset {
    /// Its name.
    pub name: String,
    /// SHA-256 of its text.
    pub sha256: String,
}

/// The snapshot's digest, whether or not the bundle holds a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotDigest {
    /// SHA-256 of its JSON text.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was taken.
    pub taken_at: Option<String>,
    /// `snapshot.json` when copied into the bundle, `None` when only digested.
    pub path: Option<String>,
    /// Whether the copy is the snapshot with its credential-looking strings redacted
    /// (`docs/security.md`), so that its own digest (in `files`) is not the snapshot's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Relative path, `/`-separated.
    pub path: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

impl FileEntry {
    fn of(path: &str, bytes: &[u8]) -> FileEntry {
        FileEntry {
            path: path.to_owned(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        }
    }
}

impl Manifest {
    /// The manifest of these files (the manifest itself excluded).
    pub fn new(input: &BundleInput<'_>, files: &[BundleFile]) -> Manifest {
        let evaluation = input.evaluation;
        Manifest {
            format: FORMAT.to_owned(),
            tool: Tool {
                name: "rampart".to_owned(),
                version: input.options.tool_version.to_owned(),
            },
            evaluated_at: timestamp(&input.evaluated_at),
            ruleset: Ruleset {
                name: evaluation.ruleset.name.clone(),
                sha256: evaluation.ruleset.sha256.clone(),
            },
            catalog_version: input.catalog_version.to_owned(),
            snapshot: input.snapshot.map(|s| SnapshotDigest {
                sha256: s.sha256.to_owned(),
                size: s.size,
                taken_at: evaluation.subject.taken_at.as_ref().map(timestamp),
                path: s.copied().map(|_| "snapshot.json".to_owned()),
                redacted: s.copied().is_some()
                    && files
                        .iter()
                        .any(|f| f.path == "snapshot.json" && sha256_hex(&f.bytes) != s.sha256),
            }),
            files: files
                .iter()
                .filter(|f| f.path != MANIFEST)
                .map(|f| FileEntry::of(&f.path, &f.bytes))
                .collect(),
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> Result<String, ReportError> {
        crate::report::to_pretty_json("manifest", self)
    }

    /// Parses `manifest.json`; the error is one line.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| {
            let message = e.to_string();
            let message = message
                .rfind(" at line ")
                .map_or(message.as_str(), |i| &message[..i]);
            format!(
                "{MANIFEST}:{}:{}: not a rampart evidence manifest: {message}",
                e.line().max(1),
                e.column().max(1)
            )
        })?;
        if manifest.format != FORMAT {
            return Err(format!(
                "{MANIFEST}: unknown format `{}`, expected `{FORMAT}`",
                manifest.format
            ));
        }
        Ok(manifest)
    }
}

/// How a file differs from the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TamperingKind {
    /// Listed, not present.
    Missing,
    /// Present with other contents (digest or size).
    Modified,
    /// Present, not listed.
    Unlisted,
    /// `snapshot.json`'s digest is not the manifest's snapshot digest.
    SnapshotDigest,
}

impl TamperingKind {
    /// A few words.
    pub fn as_str(self) -> &'static str {
        match self {
            TamperingKind::Missing => "missing",
            TamperingKind::Modified => "modified",
            TamperingKind::Unlisted => "not in the manifest",
            TamperingKind::SnapshotDigest => "does not match the manifest's snapshot digest",
        }
    }
}

/// One file that is not as the manifest says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tampering {
    /// The file.
    pub path: String,
    /// How it differs.
    pub kind: TamperingKind,
}

/// Compares the bundle's files (path → bytes, `manifest.json` excluded) with the
/// manifest; empty when intact. Sorted by path.
pub fn verify(manifest: &Manifest, files: &BTreeMap<String, Vec<u8>>) -> Vec<Tampering> {
    let mut out = Vec::new();
    let listed: BTreeMap<&str, &FileEntry> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    for (path, entry) in &listed {
        match files.get(*path) {
            None => out.push(Tampering {
                path: (*path).to_owned(),
                kind: TamperingKind::Missing,
            }),
            Some(bytes) => {
                if FileEntry::of(path, bytes) != **entry {
                    out.push(Tampering {
                        path: (*path).to_owned(),
                        kind: TamperingKind::Modified,
                    });
                }
            }
        }
    }
    for path in files.keys().filter(|p| p.as_str() != MANIFEST) {
        if !listed.contains_key(path.as_str()) {
            out.push(Tampering {
                path: path.clone(),
                kind: TamperingKind::Unlisted,
            });
        }
    }
    if let Some(snapshot) = &manifest.snapshot {
        if let Some(path) = &snapshot.path {
            let copy = listed.get(path.as_str());
            // A redacted copy differs from the snapshot by design; `files` still hashes it.
            let differs =
                copy.is_some_and(|f| f.sha256 != snapshot.sha256 || f.size != snapshot.size);
            if copy.is_none() || (differs && !snapshot.redacted) {
                out.push(Tampering {
                    path: path.clone(),
                    kind: TamperingKind::SnapshotDigest,
                });
            }
        }
    }
    out.sort();
    out
}
