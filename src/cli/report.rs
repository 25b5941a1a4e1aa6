//! `rampart report`: the auditor's evidence bundle, written as one directory atomically;
//! `rampart report verify DIR`: its files against its manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::evaluate::{exit_code, load_templates, FailOn, RuleArgs};
use super::history::DbArgs;
use super::InputError;
use crate::iac_links;
use crate::model::{parse_snapshot, SAMPLE_JSON, SAMPLE_PATH};
use crate::report::evidence::{
    self, BundleFile, BundleInput, Manifest, SnapshotInput, TrendPoint, MANIFEST,
};
use crate::report::{self, RenderOptions};
use crate::rules::{Catalog, PolicyStore};
use crate::ruleset::{parse_ruleset, DEFAULT_RULESET};
use rampart_history::History;

/// Arguments of `rampart report`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    command: Option<ReportCommand>,
    #[command(flatten)]
    bundle: BundleArgs,
}

#[derive(Debug, clap::Subcommand)]
enum ReportCommand {
    /// Recompute every file's SHA-256 and size against the bundle's manifest.json: exit 0
    /// when intact, 1 when a file was modified, removed or added (each named), 2 when the
    /// bundle cannot be read.
    Verify {
        /// The bundle directory.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// How much of the snapshot the bundle carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SnapshotCopy {
    /// A copy up to 64 MiB, only its digest above.
    Auto,
    /// Always a copy (`snapshot.json`).
    Full,
    /// Only its digest, in the manifest.
    Digest,
}

/// Above this size, `--snapshot-copy auto` records only the snapshot's digest.
const AUTO_COPY_LIMIT: usize = 64 * 1024 * 1024;

/// Arguments of the bundle itself.
#[derive(Debug, Clone, clap::Args)]
struct BundleArgs {
    /// Snapshot JSON file (default: the bundled sample organization, embedded in the binary).
    #[arg(long, short = 's', value_name = "FILE")]
    snapshot: Option<PathBuf>,
    /// A run recorded in the history (`evaluate --record`, `scan`): its id, `latest` or
    /// `latest~N`. The bundle is built from the evaluation the history kept, so it equals
    /// the one `report` gave from the same evaluation (see docs/evidence.md for what
    /// differs); runs recorded before history schema 3 kept none and are refused.
    #[arg(long, value_name = "RUN", conflicts_with_all = ["snapshot", "ruleset", "policies", "iac", "now", "snapshot_copy"])]
    run: Option<String>,
    /// With `--run`: the history database it is in.
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    rules: RuleArgs,
    /// The bundle directory: created, or replaced when it holds an earlier bundle; written
    /// in a temporary directory beside it and renamed into place, so it is never partial.
    #[arg(long, short = 'o', value_name = "DIR", required = true)]
    out: Option<PathBuf>,
    /// Exit 1 when a failing finding has this severity or higher (the bundle is written).
    #[arg(long, value_enum, default_value_t = FailOn::High, value_name = "SEVERITY")]
    fail_on: FailOn,
    /// Also exit 1 when a finding is `unknown` at or above `--fail-on`.
    #[arg(long)]
    fail_on_unknown: bool,
    /// Evaluation time, RFC 3339 (default: the snapshot's `taken_at`): also the bundle's
    /// only time, so the same inputs give byte-identical bundles.
    #[arg(long, value_name = "TIME")]
    now: Option<DateTime<Utc>>,
    /// CloudFormation templates to link findings to (as `rampart evaluate --iac`).
    #[arg(long, value_name = "PATH")]
    iac: Vec<PathBuf>,
    /// Copy the snapshot into the bundle (`snapshot.json`) or record only its digest.
    #[arg(long, value_enum, default_value_t = SnapshotCopy::Auto)]
    snapshot_copy: SnapshotCopy,
    /// Also write OCSF Detection Finding events (`ocsf/detection-findings.json`).
    #[arg(long)]
    ocsf: bool,
    /// A history database (`rampart history`): the bundle shows the trend of its last
    /// runs (at most 30). It must exist; it is only read.
    #[arg(long, value_name = "PATH")]
    history: Option<PathBuf>,
}

/// At most this many runs in a bundle's trends.
const TREND_RUNS: usize = 30;

/// The trend of the last runs recorded in `path`.
fn trends(path: &Path) -> Result<Vec<TrendPoint>, InputError> {
    if !path.is_file() {
        return Err(InputError(format!(
            "{}: no history database (record runs with `rampart evaluate --record --db {0}`)",
            path.display()
        )));
    }
    let history = History::open(path).map_err(InputError::from_display)?;
    let runs = history.runs().map_err(InputError::from_display)?;
    let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let mut points: Vec<TrendPoint> = runs
        .iter()
        .map(|r| TrendPoint {
            run: r.id.to_string(),
            taken_at: r.taken_at.unwrap_or(r.recorded_at),
            pass: count(r.summary.pass),
            fail: count(r.summary.fail),
            unknown: count(r.summary.unknown),
            waived: count(r.summary.waived),
        })
        .collect();
    points.sort_by_key(|p| p.run.parse::<i64>().unwrap_or(0));
    let skip = points.len().saturating_sub(TREND_RUNS);
    Ok(points.split_off(skip))
}

/// Runs `rampart report …`.
pub fn run(args: &ReportArgs) -> Result<ExitCode, InputError> {
    match &args.command {
        Some(ReportCommand::Verify { dir }) => verify(dir),
        None => generate(&args.bundle),
    }
}

fn generate(args: &BundleArgs) -> Result<ExitCode, InputError> {
    let Some(out) = args.out.as_deref() else {
        return Err(InputError("--out DIR is required".to_owned()));
    };
    if let Some(run) = &args.run {
        return generate_run(args, run, out);
    }
    // Rules first: a bad ruleset is reported before a large snapshot is read.
    let ruleset_text = match &args.rules.ruleset {
        Some(path) => crate::model::read_text(path)
            .map_err(|e| InputError(format!("{}: cannot read: {e}", path.display())))?,
        None => DEFAULT_RULESET.to_owned(),
    };
    let ruleset_path = args
        .rules
        .ruleset
        .clone()
        .unwrap_or_else(|| PathBuf::from("rulesets/default.toml"));
    let ruleset = parse_ruleset(&ruleset_text, &ruleset_path).map_err(InputError::from_display)?;
    let policies = match &args.rules.policies {
        Some(dir) => PolicyStore::from_dir(dir),
        None => PolicyStore::bundled(),
    }
    .map_err(InputError::from_display)?;
    let catalog = Catalog::new(policies).map_err(InputError::from_display)?;
    let engine = super::engine(&catalog, &ruleset)?;
    let templates = load_templates(&args.iac)?;

    let snapshot_text = match &args.snapshot {
        Some(path) => crate::model::read_text(path)
            .map_err(|e| InputError(format!("{}: cannot read: {e}", path.display())))?,
        None => {
            eprintln!(
                "rampart: reporting on the bundled sample organization ({SAMPLE_PATH}, embedded); pass --snapshot FILE for your own"
            );
            SAMPLE_JSON.to_owned()
        }
    };
    let snapshot_path = args
        .snapshot
        .clone()
        .unwrap_or_else(|| PathBuf::from(SAMPLE_PATH));
    let snapshot =
        parse_snapshot(&snapshot_text, &snapshot_path).map_err(InputError::from_display)?;

    let now = args.now.unwrap_or(snapshot.taken_at);
    let mut evaluation = engine.evaluate(&snapshot, now);
    if let Some(templates) = &templates {
        let notices = iac_links::link(&mut evaluation, &snapshot, templates.index());
        evaluation.add_notices(templates.notices().iter().cloned().chain(notices));
    }
    for notice in &evaluation.notices {
        eprintln!("{}", report::text::notice_line(notice));
    }
    let copy = match args.snapshot_copy {
        SnapshotCopy::Full => true,
        SnapshotCopy::Digest => false,
        SnapshotCopy::Auto => snapshot_text.len() <= AUTO_COPY_LIMIT,
    };
    let catalog_version = super::evaluate::catalog_version()?;
    let digest = super::evaluate::snapshot_text(&snapshot_text).sha256;
    let trends = match &args.history {
        Some(path) => trends(path)?,
        None => Vec::new(),
    };
    let input = BundleInput {
        evaluation: &evaluation,
        options: RenderOptions {
            tool_version: env!("CARGO_PKG_VERSION"),
            fail_on: args.fail_on.threshold(),
        },
        evaluated_at: now,
        snapshot: Some(SnapshotInput::of_text(&snapshot_text, &digest, copy)),
        ruleset_toml: &ruleset_text,
        catalog_version: &catalog_version,
        trends: &trends,
        ocsf: args.ocsf,
    };
    write(args, out, &input)
}

/// `report --run RUN`: the bundle of a recorded run, from the evaluation the history kept.
fn generate_run(args: &BundleArgs, run: &str, out: &Path) -> Result<ExitCode, InputError> {
    let path = args.db.path()?;
    if !path.is_file() {
        return Err(InputError(format!(
            "{}: no history database (record runs with `rampart evaluate --record --db {0}`)",
            path.display()
        )));
    }
    let history = History::open(&path).map_err(InputError::from_display)?;
    let id = history.resolve_run(run).map_err(InputError::from_display)?;
    let recorded = history.run(id).map_err(InputError::from_display)?;
    let stored = history.stored_run(id).map_err(InputError::from_display)?;
    drop(history);
    let trends = match &args.history {
        Some(path) => trends(path)?,
        None => Vec::new(),
    };
    let input = BundleInput {
        evaluation: &stored.evaluation,
        // The rampart that evaluated the run, as its own `report` would have named it.
        options: RenderOptions {
            tool_version: &recorded.tool_version,
            fail_on: args.fail_on.threshold(),
        },
        evaluated_at: stored.evaluated_at,
        snapshot: stored.snapshot.as_ref().map(|s| SnapshotInput {
            sha256: &s.sha256,
            size: s.size,
            json: None,
            copy: false,
        }),
        ruleset_toml: &stored.ruleset_toml,
        catalog_version: &stored.catalog_version,
        trends: &trends,
        ocsf: args.ocsf,
    };
    write(args, out, &input)
}

/// Builds the bundle, writes it atomically, and gives the exit code of its findings.
fn write(args: &BundleArgs, out: &Path, input: &BundleInput<'_>) -> Result<ExitCode, InputError> {
    let files = evidence::bundle(input).map_err(InputError::from_display)?;
    write_bundle(out, &files)?;
    let manifest = files.iter().find(|f| f.path == MANIFEST);
    eprintln!(
        "rampart: wrote {} files to {} (manifest.json sha256 {})",
        files.len(),
        out.display(),
        manifest.map_or_else(String::new, |m| evidence::sha256_hex(&m.bytes))
    );
    Ok(exit_code(
        input.evaluation,
        input.options.fail_on,
        args.fail_on_unknown,
    ))
}

/// Writes the bundle into a temporary directory beside `out`, then renames it into place;
/// an earlier bundle at `out` is replaced only once the new one is complete.
fn write_bundle(out: &Path, files: &[BundleFile]) -> Result<(), InputError> {
    super::output::write_tree(
        out,
        files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())),
        |dir| {
            if dir.join(MANIFEST).is_file() {
                Ok(())
            } else {
                Err(format!(
                    "exists and is not an evidence bundle (no {MANIFEST}); not replacing it"
                ))
            }
        },
        "evidence bundle",
    )
}

fn verify(dir: &Path) -> Result<ExitCode, InputError> {
    let manifest_path = dir.join(MANIFEST);
    let bytes = std::fs::read(&manifest_path)
        .map_err(|e| InputError(format!("{}: cannot read: {e}", manifest_path.display())))?;
    let manifest =
        Manifest::parse(&bytes).map_err(|e| InputError(format!("{}/{e}", dir.display())))?;
    let mut files = BTreeMap::new();
    read_tree(dir, dir, &mut files)?;
    let tampered = evidence::verify(&manifest, &files);
    if tampered.is_empty() {
        println!(
            "intact: {} files match {} (sha256 {})",
            manifest.files.len(),
            manifest_path.display(),
            evidence::sha256_hex(&bytes)
        );
        return Ok(ExitCode::SUCCESS);
    }
    for t in &tampered {
        println!(
            "tampered: {}: {}",
            dir.join(&t.path).display(),
            t.kind.as_str()
        );
    }
    println!(
        "{} of the bundle's files do not match {}",
        tampered.len(),
        manifest_path.display()
    );
    Ok(ExitCode::from(1))
}

/// Every file under `dir`, by path relative to `root` with `/` separators.
fn read_tree(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), InputError> {
    let unreadable =
        |p: &Path, e: std::io::Error| InputError(format!("{}: cannot read: {e}", p.display()));
    for entry in std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))? {
        let path = entry.map_err(|e| unreadable(dir, e))?.path();
        if path.is_dir() {
            read_tree(root, &path, out)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, e))?;
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(relative, bytes);
        }
    }
    Ok(())
}
