//! `rampart snapshot schema|validate`: the model's published schema and a checker.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{write_output, InputError, OutputArgs};
use crate::model::{load_snapshot_file, merge_snapshots, ResourceType, Snapshot};

/// `rampart snapshot …`
#[derive(Debug, clap::Subcommand)]
pub enum SnapshotCommand {
    /// Print the JSON Schema of the snapshot format (also at `schemas/snapshot.schema.json`).
    Schema {
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Check a snapshot file; print resource counts per type and its coverage gaps.
    Validate {
        /// The snapshot JSON file.
        file: PathBuf,
    },
    /// Write a snapshot in the JSON-lines form (the snapshot on its first line, then one
    /// account per line), which `evaluate --stream` reads an account at a time and every
    /// command loads with its accounts parsed in parallel.
    Lines {
        /// The snapshot file (either form).
        file: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Join snapshots of one organization (e.g. from `--shard I/N` workers) into one;
    /// an account, OU or policy present twice with different content is an error.
    Merge {
        /// The snapshot files.
        #[arg(required = true, num_args = 1..)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// The JSON Schema of [`Snapshot`], pretty-printed with a trailing newline.
pub fn schema_json() -> String {
    let schema = crate::model::snapshot_schema();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Runs `rampart snapshot …`.
pub fn run(cmd: &SnapshotCommand) -> Result<ExitCode, InputError> {
    match cmd {
        SnapshotCommand::Schema { output } => write_output(output.out.as_deref(), &schema_json())?,
        SnapshotCommand::Validate { file } => {
            let snapshot = load_snapshot_file(file).map_err(InputError::from_display)?;
            // Gap reasons quote the data: redacted like every report.
            write_output(
                None,
                &crate::model::redact::redact(&summary(file, &snapshot)),
            )?;
        }
        SnapshotCommand::Lines { file, output } => {
            let snapshot = load_snapshot_file(file).map_err(InputError::from_display)?;
            super::write_output_with(output.out.as_deref(), |w| {
                crate::model::write_snapshot_lines(&snapshot, w)
            })?;
        }
        SnapshotCommand::Merge { files, output } => {
            let parts = files
                .iter()
                .map(|f| load_snapshot_file(f).map_err(InputError::from_display))
                .collect::<Result<Vec<_>, _>>()?;
            let merged = merge_snapshots(parts).map_err(|e| {
                // Name files, not positions, in the message.
                let mut message = e.to_string();
                for (i, f) in files.iter().enumerate().rev() {
                    message = message.replace(&format!("snapshot {i}"), &f.display().to_string());
                }
                InputError(message)
            })?;
            // Every snapshot rampart writes is redacted (`docs/security.md`).
            let mut text = crate::model::redact::to_redacted_json(&merged)
                .map_err(InputError::from_display)?;
            text.push('\n');
            write_output(output.out.as_deref(), &text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(file: &std::path::Path, s: &Snapshot) -> String {
    let mut out = format!(
        "{}: valid snapshot (schema_version {}, taken at {}, source {:?}: {})\n",
        file.display(),
        s.schema_version,
        s.taken_at.to_rfc3339(),
        s.source.kind,
        s.source.description
    );
    out.push_str(&format!(
        "organization {} · {} organizational units · {} accounts · {} organization policies\n\nresources by type:\n",
        s.organization.id,
        s.organization.organizational_units.len(),
        s.accounts.len(),
        s.organization.policies.len()
    ));
    let mut total = 0;
    for ty in ResourceType::ALL {
        let n: usize = s.accounts.iter().map(|a| a.resource_count(ty)).sum();
        total += n;
        if n > 0 {
            out.push_str(&format!("  {:<40} {n:>8}\n", ty.name()));
        }
    }
    out.push_str(&format!("  {:<40} {total:>8}\n\n", "total"));
    if s.coverage.is_empty() {
        out.push_str("coverage gaps: none\n");
    } else {
        out.push_str(&format!("coverage gaps: {}\n", s.coverage.len()));
        let mut gaps = s.coverage.clone();
        gaps.sort();
        for g in gaps {
            let scope = g
                .resource
                .as_deref()
                .map_or_else(String::new, |r| format!(" {r}"));
            out.push_str(&format!(
                "  account {} region {} service {}{scope}: {}\n",
                g.account_id, g.region, g.service, g.reason
            ));
        }
    }
    out
}
