//! `rampart evaluate`: rules over a snapshot, reported as text, JSON or SARIF.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use rampart_iac::{Document, IacError};

use super::history::{has_new_failures, DbArgs, Recorder};
use super::{write_output, write_output_with, Format, InputError, OutputArgs};
use crate::findings::{Notice, NoticeLevel};
use crate::iac_links::{self, TemplateIndex};
use crate::model::{
    load_snapshot_file, sample_snapshot, Location, Snapshot, SAMPLE_JSON, SAMPLE_PATH,
};
use crate::report::{self, RenderOptions};
use crate::rules::{
    phase_line, resident_bytes, Catalog, Engine, Evaluation, PolicyStore, Severity, Status,
};
use crate::ruleset::{load_ruleset_file, Ruleset};
use rampart_history::{BundleContext, SnapshotText};

/// Threshold for exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Critical failures only.
    Critical,
    /// High or critical.
    High,
    /// Medium and above.
    Medium,
    /// Low and above.
    Low,
    /// Never exit 1 for failures.
    Never,
}

impl FailOn {
    /// The lowest severity that counts, or `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Never => None,
        }
    }
}

/// Where the rules and their configuration come from.
#[derive(Debug, Clone, clap::Args)]
pub struct RuleArgs {
    /// Ruleset TOML file (default: the bundled `rulesets/default.toml`).
    #[arg(long, value_name = "FILE")]
    pub ruleset: Option<PathBuf>,
    /// Directory of Cedar policies to use instead of the bundled ones (`*.cedar`,
    /// recursively), validated against the bundled Cedar schema.
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,
}

/// Arguments of `rampart evaluate`.
#[derive(Debug, Clone, clap::Args)]
pub struct EvaluateArgs {
    /// Snapshot JSON file (default: the bundled sample organization, embedded in the binary).
    #[arg(long, short = 's', value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Record the run in the history database (`rampart history`).
    #[arg(long)]
    pub record: bool,
    /// Evaluate a snapshot of the JSON-lines form (`rampart snapshot lines`) a batch of
    /// accounts at a time, so that memory holds the organization's index (IAM, keys,
    /// buckets, VPCs) and one batch, not every account whole; findings wait in temporary
    /// files (under `TMPDIR`) until the report is written. The JSON report is the same
    /// bytes as without it. `--format json` only; not with `--record` or `--iac`.
    #[arg(long)]
    pub stream: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub recording: RecordFlags,
}

/// Where and how a run is recorded (shared by `evaluate --record` and `scan`).
#[derive(Debug, Clone, clap::Args)]
pub struct RecordFlags {
    #[command(flatten)]
    pub db: DbArgs,
    /// Exit 1 only for failures at or above `--fail-on` that the previous recorded run did
    /// not have (the first run: every failure), for alerting on what is new.
    #[arg(long)]
    pub fail_on_new: bool,
}

/// Loads the ruleset and the rule catalog.
pub fn load_rules(args: &RuleArgs) -> Result<(Ruleset, Catalog), InputError> {
    let ruleset = match &args.ruleset {
        Some(path) => load_ruleset_file(path),
        None => Ruleset::bundled(),
    }
    .map_err(InputError::from_display)?;
    let policies = match &args.policies {
        Some(dir) => PolicyStore::from_dir(dir),
        None => PolicyStore::bundled(),
    }
    .map_err(InputError::from_display)?;
    let catalog = Catalog::new(policies).map_err(InputError::from_display)?;
    Ok((ruleset, catalog))
}

/// Loads the snapshot named on the command line, or the bundled sample, with the digest and
/// size of its text when `digest` (what a recorded run's evidence bundle names it by),
/// taken while the text is parsed.
fn load_snapshot_digest(
    path: Option<&PathBuf>,
    digest: bool,
) -> Result<(Snapshot, Option<SnapshotText>), InputError> {
    match path {
        Some(path) => {
            let text = crate::model::read_text(path).map_err(|source| {
                InputError::from_display(crate::model::SnapshotError::Io {
                    path: path.clone(),
                    source,
                })
            })?;
            let (snapshot, digest) = rayon::join(
                || crate::model::parse_snapshot(&text, path),
                || digest.then(|| snapshot_text(&text)),
            );
            Ok((snapshot.map_err(InputError::from_display)?, digest))
        }
        None => Ok((
            load_snapshot(None)?,
            digest.then(|| snapshot_text(SAMPLE_JSON)),
        )),
    }
}

/// The digest and size of a snapshot's JSON text.
pub fn snapshot_text(text: &str) -> SnapshotText {
    SnapshotText {
        sha256: crate::report::evidence::sha256_hex(text.as_bytes()),
        size: text.len() as u64,
    }
}

/// What a recorded run keeps for its evidence bundle besides the evaluation.
pub fn bundle_context<'a>(
    evaluated_at: DateTime<Utc>,
    ruleset: &'a crate::ruleset::Ruleset,
    catalog_version: &'a str,
    snapshot: Option<&'a SnapshotText>,
) -> BundleContext<'a> {
    BundleContext {
        evaluated_at,
        catalog_version,
        snapshot,
        ruleset_toml: &ruleset.text,
    }
}

/// The embedded AWS action catalog's version.
pub fn catalog_version() -> Result<String, InputError> {
    crate::policy::catalog::ActionCatalog::embedded_info()
        .map(|info| info.version.to_string())
        .map_err(InputError::from_display)
}

/// Loads the snapshot named on the command line, or the bundled sample.
pub fn load_snapshot(path: Option<&PathBuf>) -> Result<Snapshot, InputError> {
    match path {
        Some(path) => load_snapshot_file(path).map_err(InputError::from_display),
        None => {
            eprintln!(
                "rampart: evaluating the bundled sample organization ({SAMPLE_PATH}, embedded); pass --snapshot FILE for your own"
            );
            sample_snapshot().map_err(InputError::from_display)
        }
    }
}

/// How a snapshot is evaluated and reported (shared by `evaluate` and `scan`).
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 1 when a failing finding has this severity or higher.
    #[arg(long, value_enum, default_value_t = FailOn::High, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Also exit 1 when a finding is `unknown` (data missing) at or above `--fail-on`.
    #[arg(long)]
    pub fail_on_unknown: bool,
    /// Evaluation time, RFC 3339 (default: the snapshot's `taken_at`, so that results are
    /// reproducible). Certificate expiry and waiver expiry are judged at this time.
    #[arg(long, value_name = "TIME")]
    pub now: Option<DateTime<Utc>>,
    /// CloudFormation templates: a file, or a directory searched recursively for `.json`,
    /// `.yaml`, `.yml` and `.template` files (repeatable). A finding about a resource that
    /// CloudFormation deployed (tagged `aws:cloudformation:stack-name` and
    /// `aws:cloudformation:logical-id`) then points at the resource's logical id in its
    /// stack's template, as FILE:LINE:COLUMN with FILE relative to PATH (in SARIF, the
    /// result's physical location). The stack's template is the file named after the stack
    /// (STACK.yaml, any case), else the one named like the start or the end of the stack's
    /// name (NAME-… or …-NAME, the longest NAME winning), else the only template declaring
    /// the resource; never a guess between two. Stacks without a template and templates
    /// that do not parse are warnings.
    #[arg(long, value_name = "PATH")]
    pub iac: Vec<PathBuf>,
    /// Print where the run's time went to standard error: the wall time of each phase
    /// (loading the snapshot, the evaluation's own phases, writing the report) and each
    /// native rule's CPU time, the costliest first.
    #[arg(long)]
    pub profile_rules: bool,
}

/// The templates read from `--iac`, and the warnings reading them gave.
#[derive(Debug)]
pub struct Templates {
    index: TemplateIndex,
    notices: Vec<Notice>,
}

impl Templates {
    /// The templates' resources, to link findings to.
    pub fn index(&self) -> &TemplateIndex {
        &self.index
    }

    /// The warnings reading them gave.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// Reads the CloudFormation templates under `--iac`, or `None` without `--iac`. A path that
/// does not exist is an input error; a file that does not parse, a warning.
pub fn load_templates(paths: &[PathBuf]) -> Result<Option<Templates>, InputError> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut notices = Vec::new();
    let mut seen = BTreeSet::new();
    // (file, its name in findings: relative to the `--iac` path it was found under).
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for root in paths {
        if !root.exists() {
            return Err(InputError(format!(
                "{}: no such file or directory (--iac)",
                root.display()
            )));
        }
        let found = rampart_iac::discover(std::slice::from_ref(root), &[])
            .map_err(InputError::from_display)?;
        notices.extend(
            found
                .errors
                .iter()
                .map(|e| Notice::warning(format!("--iac: {e}"))),
        );
        for file in found.files {
            if seen.insert(file.clone()) {
                let uri = uri_under(root, &file);
                files.push((file, uri));
            }
        }
    }
    let paths: Vec<PathBuf> = files.iter().map(|(path, _)| path.clone()).collect();
    let mut templates = Vec::new();
    for ((_, parsed), (_, uri)) in rampart_iac::parse_all(&paths).into_iter().zip(&files) {
        match parsed {
            Ok(Some(Document::CloudFormation(template))) => templates.push((uri.clone(), template)),
            // Plans, policies and other files: nothing to link to.
            Ok(_) => {}
            Err(IacError::Parse { error, .. }) => notices.push(Notice {
                level: NoticeLevel::Warning,
                message: format!("not read, so nothing is linked to it: {}", error.message),
                location: Some(Location {
                    uri: uri.clone(),
                    line: error.position.line,
                    column: error.position.column,
                }),
            }),
            Err(e) => notices.push(Notice::warning(format!("--iac: {e}"))),
        }
    }
    if templates.is_empty() {
        notices.push(Notice::warning(
            "--iac: no CloudFormation template found, so no finding is linked to one",
        ));
    }
    let index = TemplateIndex::new(templates.iter().map(|(uri, t)| (uri.clone(), t)));
    Ok(Some(Templates { index, notices }))
}

/// `file` as findings name it: relative to the `--iac` directory it was found under, with
/// `/` separators; as given when the path named the file itself.
fn uri_under(root: &Path, file: &Path) -> String {
    match file.strip_prefix(root) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        _ if cfg!(windows) => file.to_string_lossy().replace('\\', "/"),
        _ => file.to_string_lossy().into_owned(),
    }
}

/// Runs `rampart evaluate`.
pub fn run(args: &EvaluateArgs) -> Result<ExitCode, InputError> {
    // Rules load first: a bad ruleset is reported before a large snapshot is read.
    let (ruleset, catalog) = load_rules(&args.report.rules)?;
    let engine = super::engine(&catalog, &ruleset)?;
    let templates = load_templates(&args.report.iac)?;
    if args.recording.fail_on_new && !args.record {
        return Err(InputError(
            "--fail-on-new compares with the recorded history: add --record".into(),
        ));
    }
    if args.stream {
        return run_streamed(args, &engine);
    }
    let recorder = if args.record {
        Some(Recorder::open(&args.recording.db, "evaluate")?)
    } else {
        None
    };
    let started = std::time::Instant::now();
    let (snapshot, text) = load_snapshot_digest(args.snapshot.as_ref(), args.record)?;
    if args.report.profile_rules {
        eprintln!(
            "profile: {}",
            phase_line("load", started.elapsed(), resident_bytes())
        );
    }
    let code = evaluate_and_report(
        &snapshot,
        &engine,
        &args.report,
        templates.as_ref(),
        recorder
            .zip(text)
            .map(|(r, text)| (r, args.recording.fail_on_new, text)),
    );
    // As for the evaluation: the process exits next (see `evaluate_and_report`).
    std::mem::forget(snapshot);
    code
}

/// Runs `rampart evaluate --stream`.
fn run_streamed(args: &EvaluateArgs, engine: &Engine<'_>) -> Result<ExitCode, InputError> {
    let refuse = |what: &str| {
        Err(InputError(format!(
            "--stream {what} (it never holds every finding in memory)"
        )))
    };
    let Some(path) = &args.snapshot else {
        return refuse("reads a snapshot file of the JSON-lines form: add --snapshot FILE");
    };
    if args.report.format != Format::Json {
        return refuse("writes --format json only");
    }
    if args.record {
        return refuse("cannot --record");
    }
    if !args.report.iac.is_empty() {
        return refuse("cannot link findings to --iac templates");
    }
    let streamed = crate::stream::evaluate(
        engine,
        path,
        args.report.now,
        crate::rules::DEFAULT_BATCH_BYTES,
    )
    .map_err(InputError::from_display)?;
    if args.report.profile_rules {
        for line in streamed.profile_lines() {
            eprintln!("profile: {line}");
        }
    }
    for notice in streamed.notices() {
        eprintln!("{}", report::text::notice_line(notice));
    }
    let threshold = args.report.fail_on.threshold();
    let options = RenderOptions {
        tool_version: env!("CARGO_PKG_VERSION"),
        fail_on: threshold,
    };
    let started = std::time::Instant::now();
    write_output_with(args.report.output.out.as_deref(), |w| {
        streamed.write_json(&options, w)
    })?;
    if args.report.profile_rules {
        eprintln!(
            "profile: {}",
            phase_line("write", started.elapsed(), resident_bytes())
        );
    }
    Ok(match threshold {
        Some(t) if streamed.breaks(t, args.report.fail_on_unknown) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// Evaluates a snapshot, links its findings to the `--iac` templates if given, records the
/// run if a recorder is given (with whether only new failures fail the run, and the digest
/// of the snapshot's text), and writes the report.
pub fn evaluate_and_report(
    snapshot: &Snapshot,
    engine: &Engine<'_>,
    args: &ReportArgs,
    templates: Option<&Templates>,
    recorder: Option<(Recorder, bool, SnapshotText)>,
) -> Result<ExitCode, InputError> {
    let now = args.now.unwrap_or(snapshot.taken_at);
    let (mut evaluation, profile) = engine.evaluate_profiled(snapshot, now);
    if args.profile_rules {
        for line in profile.lines() {
            eprintln!("profile: {line}");
        }
    }
    if let Some(templates) = templates {
        let notices = iac_links::link(&mut evaluation, snapshot, &templates.index);
        evaluation.add_notices(templates.notices.iter().cloned().chain(notices));
    }
    for notice in &evaluation.notices {
        eprintln!("{}", report::text::notice_line(notice));
    }
    let threshold = args.fail_on.threshold();
    let options = RenderOptions {
        tool_version: env!("CARGO_PKG_VERSION"),
        fail_on: threshold,
    };
    // JSON is streamed to its destination (it is the large one); the others are rendered
    // first, so that a report that cannot be rendered leaves nothing recorded.
    let rendered = match args.format {
        Format::Json => None,
        format => Some(render(&evaluation, format, &options)?),
    };
    // Recorded before the report is written: a run that could not be recorded fails
    // without output, and one that was is reported.
    let new_only = match recorder {
        Some((recorder, fail_on_new, text)) => {
            let catalog = catalog_version()?;
            let bundle = bundle_context(now, engine.ruleset(), &catalog, Some(&text));
            let recorded = recorder.record(snapshot, &evaluation, bundle)?;
            fail_on_new.then(|| has_new_failures(&evaluation, &recorded, args.fail_on))
        }
        None => None,
    };
    let started = std::time::Instant::now();
    match rendered {
        Some(text) => write_output(args.output.out.as_deref(), &text)?,
        None => write_output_with(args.output.out.as_deref(), |w| {
            report::json::write(&evaluation, &options, w)
        })?,
    }
    if args.profile_rules {
        eprintln!(
            "profile: {}",
            phase_line("write", started.elapsed(), resident_bytes())
        );
    }
    let code = match new_only {
        Some(true) => ExitCode::from(1),
        Some(false) => ExitCode::SUCCESS,
        None => exit_code(&evaluation, threshold, args.fail_on_unknown),
    };
    // The process exits next, and the operating system takes the memory back at once:
    // freeing millions of findings one by one would cost seconds at scale.
    std::mem::forget(evaluation);
    Ok(code)
}

/// An evaluation in one of the output formats.
pub fn render(
    evaluation: &Evaluation,
    format: Format,
    options: &RenderOptions<'_>,
) -> Result<String, InputError> {
    Ok(match format {
        Format::Text => report::text::render(evaluation, options),
        Format::Json => {
            report::json::render(evaluation, options).map_err(InputError::from_display)?
        }
        Format::Sarif => {
            warn_of_left_out_results(evaluation);
            report::sarif::render(evaluation, options).map_err(InputError::from_display)?
        }
    })
}

/// Says on standard error how many results a SARIF log leaves out (GitHub's limit).
pub fn warn_of_left_out_results(evaluation: &Evaluation) {
    let reported = evaluation
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .count();
    if reported > report::sarif::MAX_RESULTS {
        eprintln!(
            "warning: {} results were left out of the SARIF log: GitHub code scanning rejects runs with more than {} (the most serious are kept; --format json has them all)",
            reported - report::sarif::MAX_RESULTS,
            report::sarif::MAX_RESULTS
        );
    }
}

/// 1 when a failing (or, if asked, unknown) finding is at or above the threshold.
pub fn exit_code(
    evaluation: &Evaluation,
    threshold: Option<Severity>,
    fail_on_unknown: bool,
) -> ExitCode {
    let Some(threshold) = threshold else {
        return ExitCode::SUCCESS;
    };
    let breaks = evaluation.findings.iter().any(|f| {
        f.severity >= threshold
            && (f.status == Status::Fail || (fail_on_unknown && f.status == Status::Unknown))
    });
    if breaks {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_files_are_named_relative_to_their_iac_directory() {
        let root = Path::new("infra/cfn");
        assert_eq!(
            uri_under(root, &root.join("stacks").join("net.yaml")),
            "stacks/net.yaml"
        );
        // A file named itself keeps the name it was given.
        assert_eq!(uri_under(root, root), "infra/cfn");
        let absolute = Path::new("/srv/templates/net.yaml");
        assert_eq!(uri_under(absolute, absolute), "/srv/templates/net.yaml");
    }
}
