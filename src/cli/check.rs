//! `rampart check PATH…`: the catalog's rules over infrastructure code before merge —
//! CloudFormation templates, Terraform plans (`terraform show -json`) and policy files —
//! as text (compiler style, with the line of code), JSON or SARIF for code scanning.
//!
//! Files are found by walking the paths (`.git` skipped, `--exclude` honoured) and parsed
//! in parallel. A file that is not infrastructure code is skipped; one that looks like it
//! but does not parse is an error naming `file:line:column`, the other files are still
//! checked, and the run ends with exit code 2 unless `--parse-errors warn`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::evaluate::{load_rules, warn_of_left_out_results, FailOn, RuleArgs};
use super::{write_output, write_output_with, Format, InputError, OutputArgs};
use crate::check::{check_profiled, CheckInputs, CheckedPolicy};
use crate::findings::{BaselineState, Evaluation};
use crate::iac::{self, Context, IacFile, IacModel};
use crate::model::Location;
use crate::report::{text, RenderOptions};
use crate::rules::{phase_line, resident_bytes, Profile, Status};

/// What a file that does not parse does to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParseErrors {
    /// Report it, check the other files, and exit 2.
    Error,
    /// Report it as a warning; the findings alone decide the exit code.
    Warn,
}

/// Arguments of `rampart check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Files or directories: CloudFormation templates (YAML or JSON), Terraform plans
    /// (`terraform show -json plan.out > plan.json`) and IAM policy files. Directories are
    /// walked for `*.json`, `*.yaml`, `*.yml` and `*.template`, skipping `.git`.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Skip files and directories matching GLOB (repeatable): without `/` it matches any
    /// name (`node_modules`), with `/` the path below the argument (`cdk.out/**`).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Where the code is deployed: a snapshot (the organization around it) or a YAML file
    /// mapping paths to account, region, environment, classification and parameters
    /// (see `docs/check.md`). Without it, the environment and the organization are
    /// unknown, and the rules that need them say `unknown`.
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,
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
    /// Only failures not in this baseline (written by `--write-baseline`) fail the run;
    /// SARIF marks each result `new` or `unchanged`.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the failing and unknown findings' fingerprints to FILE as a baseline, for
    /// adopting rampart on code that already has findings.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// What a file that looks like infrastructure code but does not parse does.
    #[arg(long, value_enum, default_value_t = ParseErrors::Error, value_name = "MODE")]
    pub parse_errors: ParseErrors,
    /// Evaluation time, RFC 3339 (default: now). Certificate and waiver expiry are judged
    /// at this time.
    #[arg(long, value_name = "TIME")]
    pub now: Option<DateTime<Utc>>,
    /// Print where the run's time went to standard error: the wall time of each phase
    /// (reading and mapping the files, the evaluation's own phases, writing the report)
    /// and each native rule's CPU time, the costliest first.
    #[arg(long)]
    pub profile_rules: bool,
}

/// Runs `rampart check`.
pub fn run(args: &CheckArgs) -> Result<ExitCode, InputError> {
    let started = Instant::now();
    let profile = |phase: &str, since: Instant| {
        if args.profile_rules {
            eprintln!(
                "profile: {}",
                phase_line(phase, since.elapsed(), resident_bytes())
            );
        }
    };
    let (ruleset, catalog) = load_rules(&args.rules)?;
    let engine = super::engine(&catalog, &ruleset)?;
    let context = match &args.context {
        Some(path) => Context::load(path).map_err(InputError)?,
        None => Context::none(),
    };
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    profile("rules", started);
    let started = Instant::now();
    let discovery =
        crate::iac_parse::discover(&args.paths, &args.exclude).map_err(InputError::from_display)?;
    let root = std::env::current_dir().unwrap_or_default();
    let mut inputs = CheckInputs::default();
    for e in &discovery.errors {
        inputs.errors.push((e.to_string(), None));
    }
    let now = args.now.unwrap_or_else(Utc::now);
    let mut sources = BTreeMap::new();
    let mut model = iac::ModelBuilder::default();
    let mut mapped = 0;
    // Each file is parsed and mapped on a worker thread, and its tree dropped there: only
    // the models are kept, joined in file order. Files go in chunks, which bounds the
    // models waiting to be joined (each holds a copy of a snapshot `--context`).
    for chunk in discovery.files.chunks(READ_CHUNK) {
        let read: Vec<Read> = chunk
            .par_iter()
            .map(|path| read_file(path, &root, &context, &ruleset.parameters, now))
            .collect();
        for (path, read) in chunk.iter().zip(read) {
            match read {
                Read::NotCode => {}
                Read::Mapped { uri, model: m } => {
                    inputs.files += 1;
                    mapped += 1;
                    sources.insert(uri, path.clone());
                    model.add(m);
                }
                Read::Policy(policy) => {
                    inputs.files += 1;
                    sources.insert(policy.uri.clone(), path.clone());
                    inputs.policies.push(policy);
                }
                Read::Failed(e) => {
                    let location = match &e {
                        // The error's own file: a plan's `.tf` file may be the one at fault.
                        crate::iac_parse::IacError::Parse { error, path } => Some(Location {
                            uri: uri_of(&root, path),
                            line: error.position.line,
                            column: error.position.column,
                        }),
                        _ => None,
                    };
                    let message = match e {
                        crate::iac_parse::IacError::Parse { error, .. } => error.message,
                        other => other.to_string(),
                    };
                    inputs.errors.push((message, location));
                }
            }
        }
    }
    tracing::info!(
        "{} files found, {} read as infrastructure code, {} errors",
        discovery.files.len(),
        inputs.files,
        inputs.errors.len()
    );
    let model = model.finish();
    tracing::info!(
        "{} templates and plans mapped into {} snapshot(s) ({} resources)",
        mapped,
        model.snapshots.len(),
        model
            .snapshots
            .iter()
            .map(|s| s.resources().count())
            .sum::<usize>()
    );
    profile("read", started);
    let started = Instant::now();
    let (mut evaluation, evaluated) = check_profiled(&engine, &model, &inputs, now);
    if args.profile_rules {
        for line in evaluated.iter().flat_map(Profile::lines) {
            eprintln!("profile: {line}");
        }
    }
    profile("check", started);
    if args.parse_errors == ParseErrors::Warn {
        for n in &mut evaluation.notices {
            n.level = crate::findings::NoticeLevel::Warning;
        }
    }
    if let Some(baseline) = &baseline {
        baseline.mark(&mut evaluation);
    }
    if let Some(path) = &args.write_baseline {
        let text = Baseline::of(&evaluation).to_json()?;
        write_output(Some(path), &text)?;
    }
    let threshold = args.fail_on.threshold();
    let options = RenderOptions {
        tool_version: env!("CARGO_PKG_VERSION"),
        fail_on: threshold,
    };
    let out = args.output.out.as_deref();
    let started = Instant::now();
    // JSON and SARIF are written as they are serialized (a corpus of templates makes a
    // log of tens of megabytes); text is rendered first.
    match args.format {
        // The code excerpts quote source lines: redacted like the findings.
        Format::Text => write_output(
            out,
            &crate::model::redact::redact(&render_text(&evaluation, &sources, threshold)),
        )?,
        Format::Json => write_output_with(out, |w| {
            crate::report::json::write(&evaluation, &options, w)
        })?,
        Format::Sarif => {
            warn_of_left_out_results(&evaluation);
            write_output_with(out, |w| {
                crate::report::sarif::write(&evaluation, &options, w)
            })?;
        }
    }
    profile("write", started);
    if args.format != Format::Text || args.output.out.is_some() {
        for n in &evaluation.notices {
            eprintln!("{}", text::notice_line(n));
        }
    }
    let failing = threshold.is_some_and(|t| {
        evaluation.findings.iter().any(|f| {
            f.status == Status::Fail
                && f.severity >= t
                && f.baseline_state != Some(BaselineState::Unchanged)
        })
    });
    let code = if evaluation.incomplete() {
        ExitCode::from(2)
    } else if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process exits next, and the operating system takes the memory back at once:
    // freeing the model and the findings one allocation at a time costs tens of
    // milliseconds on a corpus of a thousand templates.
    std::mem::forget(model);
    std::mem::forget(evaluation);
    Ok(code)
}

/// How many files are read before their models are joined.
const READ_CHUNK: usize = 64;

/// One file, read.
enum Read {
    /// Not infrastructure code.
    NotCode,
    /// A template or plan, mapped into the model (its tree dropped).
    Mapped { uri: String, model: IacModel },
    /// A standalone policy file, for the policy validator.
    Policy(CheckedPolicy),
    /// Looks like infrastructure code but does not parse, or cannot be read.
    Failed(crate::iac_parse::IacError),
}

/// Parses the file at `path` and maps it into the model as `context` places it.
fn read_file(
    path: &Path,
    root: &Path,
    context: &Context,
    parameters: &crate::ruleset::Parameters,
    now: DateTime<Utc>,
) -> Read {
    match crate::iac_parse::parse_file(path) {
        Ok(None) => Read::NotCode,
        Ok(Some(crate::iac_parse::Document::Policy(p))) => Read::Policy(CheckedPolicy {
            uri: uri_of(root, path),
            text: p.text,
            tree: p.tree,
        }),
        Ok(Some(document)) => {
            let file = IacFile {
                uri: uri_of(root, path),
                document,
            };
            Read::Mapped {
                model: iac::map_file(&file, context, parameters, now),
                uri: file.uri,
            }
        }
        Err(e) => Read::Failed(e),
    }
}

/// The path as findings name it: relative to the working directory when below it, with
/// `/` separators (SARIF `%SRCROOT%`-relative URIs).
fn uri_of(root: &Path, path: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        root.join(path)
    };
    let shown = absolute.strip_prefix(root).unwrap_or(path);
    let text = shown
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| match c {
            // A path outside the root stays absolute: `/tmp/t.yaml`, not `//tmp/t.yaml`.
            std::path::Component::RootDir => "".into(),
            c => c.as_os_str().to_string_lossy(),
        })
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        path.display().to_string()
    } else {
        text
    }
}

/// Compiler-style lines with the line of code under each finding, then a summary.
fn render_text(
    evaluation: &Evaluation,
    sources: &BTreeMap<String, PathBuf>,
    threshold: Option<crate::rules::Severity>,
) -> String {
    let mut texts: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut out = String::new();
    for n in &evaluation.notices {
        out.push_str(&text::notice_line(n));
        out.push('\n');
    }
    for f in evaluation
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
    {
        out.push_str(&text::finding_line(f));
        out.push('\n');
        let Some(l) = &f.location else { continue };
        let text = texts.entry(l.uri.as_str()).or_insert_with(|| {
            // `.tf` files are not checked files but where plan resources are declared:
            // their URIs are relative to the working directory.
            sources
                .get(&l.uri)
                .cloned()
                .or_else(|| l.uri.ends_with(".tf").then(|| PathBuf::from(&l.uri)))
                .and_then(|p| std::fs::read(p).ok())
                .and_then(|b| crate::iac_parse::source::decode(&b).map(|t| t.into_owned()))
        });
        let line = usize::try_from(l.line.saturating_sub(1)).unwrap_or(usize::MAX);
        if let Some(code) = text.as_deref().and_then(|t| t.lines().nth(line)) {
            // Control characters (TABs included) become spaces so the caret lines up.
            let code: String = code
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            // A long line (a one-line plan) is shown around the column.
            let column = usize::try_from(l.column.saturating_sub(1)).unwrap_or(0);
            let skip = column.saturating_sub(40);
            let shown: String = code.chars().skip(skip).take(100).collect();
            let ellipsis = if skip > 0 { "…" } else { "" };
            out.push_str(&format!("    {ellipsis}{}\n", shown.trim_end()));
            let pad = " ".repeat(column - skip + usize::from(skip > 0));
            out.push_str(&format!("    {pad}^\n"));
        }
    }
    let count = |s: Status| evaluation.findings.iter().filter(|f| f.status == s).count();
    let new = evaluation
        .findings
        .iter()
        .filter(|f| f.baseline_state == Some(BaselineState::Unchanged))
        .count();
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&format!(
        "{}: {} failed, {} unknown (not decidable from code), {} waived, {} passed{}\n",
        evaluation.subject.source.description,
        count(Status::Fail),
        count(Status::Unknown),
        count(Status::Waived),
        count(Status::Pass),
        if new > 0 {
            format!("; {new} already in the baseline")
        } else {
            String::new()
        },
    ));
    if let Some(t) = threshold {
        out.push_str(&format!("failing at or above: {t}\n"));
    }
    out
}

/// Fingerprints of an earlier run's failing and unknown findings.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Baseline {
    /// Format version.
    version: u32,
    /// Each entry: the fingerprint and, for people reading the file, the rule and where.
    findings: Vec<BaselineEntry>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct BaselineEntry {
    fingerprint: String,
    rule_id: String,
    resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location: Option<String>,
}

impl Baseline {
    fn of(evaluation: &Evaluation) -> Baseline {
        let mut findings: Vec<BaselineEntry> = evaluation
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Unknown))
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.to_string(),
                resource: f.resource.clone(),
                location: f
                    .location
                    .as_ref()
                    .map(|l| format!("{}:{}:{}", l.uri, l.line, l.column)),
            })
            .collect();
        findings.sort();
        findings.dedup();
        Baseline {
            version: 1,
            findings,
        }
    }

    fn to_json(&self) -> Result<String, InputError> {
        serde_json::to_string_pretty(self)
            .map(|t| t + "\n")
            .map_err(InputError::from_display)
    }

    fn load(path: &Path) -> Result<Baseline, InputError> {
        let text = crate::model::read_text(path)
            .map_err(|e| InputError(format!("{}: {e}", path.display())))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            InputError(format!(
                "{}:{}:{}: not a rampart baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            ))
        })?;
        if baseline.version != 1 {
            return Err(InputError(format!(
                "{}: baseline version {} is not supported (this rampart writes version 1)",
                path.display(),
                baseline.version
            )));
        }
        Ok(baseline)
    }

    /// Marks each failing or unknown finding `new` or `unchanged`.
    fn mark(&self, evaluation: &mut Evaluation) {
        let known: BTreeSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        for f in &mut evaluation.findings {
            if matches!(f.status, Status::Fail | Status::Unknown) {
                f.baseline_state = Some(if known.contains(f.fingerprint.as_str()) {
                    BaselineState::Unchanged
                } else {
                    BaselineState::New
                });
            }
        }
    }
}
