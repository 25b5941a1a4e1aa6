//! `rampart scp generate|verify|diff`: the declared guardrails compiled into SCPs that fit AWS
//! quotas, proven by rampart's IAM evaluator before anyone attaches them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use super::evaluate::load_snapshot;
use super::{write_output, InputError};
use crate::model::redact::redact;
use crate::ruleset::{load_ruleset_file, Ruleset};
use crate::scp::verify::{Counterexample, Expectation};
use crate::scp::{
    self, load_guardrails_file, parse_quota_profile, render, Generation, Guardrails, ProofReport,
    ScpError,
};

/// `rampart scp …`
#[derive(Debug, clap::Subcommand)]
pub enum ScpCommand {
    /// Compile the guardrail intents into SCPs packed into the quotas, prove them, and write
    /// one policy JSON per SCP, `plan.json`, Terraform and CloudFormation to `--out DIR`.
    /// Exit 1 (and nothing written) when the intents do not fit or the proof fails.
    Generate(GenerateArgs),
    /// Prove the SCPs the guardrails generate: every intent's must-deny requests denied and
    /// must-allow requests allowed in every account below its targets, and packing
    /// changing no decision. Exit 1 with the counterexample request when a check fails.
    Verify(VerifyArgs),
    /// Compare the SCPs attached today with the intents: per intent and account, whether
    /// they enforce it (proven like `verify`), deny more (broader) or less (narrower), or
    /// miss it; which attached statements serve which intent. With `--events`, an impact
    /// preview: which recorded CloudTrail calls the generated SCPs would deny.
    Diff(super::scp_diff::DiffArgs),
}

/// Where the organization, the parameters, the intents and the quotas come from.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// Snapshot JSON file (default: the bundled sample organization). SCPs attached in it
    /// count against the per-target quota, except those the guardrails replace.
    #[arg(long, short = 's', value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Ruleset whose parameters give intent defaults (foundation roles, classification tag
    /// keys, network accounts, regions) (default: the bundled one).
    #[arg(long, value_name = "FILE")]
    pub ruleset: Option<PathBuf>,
    /// Guardrail intents (default: the bundled `guardrails/default.toml`, written for the
    /// sample organization).
    #[arg(long, short = 'g', value_name = "FILE")]
    pub guardrails: Option<PathBuf>,
    /// A TOML file with a `[quotas]` table (`max_policy_chars`, `max_policies_per_target`)
    /// overriding the guardrails' quotas.
    #[arg(long, value_name = "FILE")]
    pub quota_profile: Option<PathBuf>,
}

/// Arguments of `rampart scp generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output directory (created if needed); each file is written atomically.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
    /// Write without proving (not recommended).
    #[arg(long)]
    pub no_verify: bool,
    /// Skip the differential check of packing (the intents' examples are still proven).
    #[arg(long)]
    pub no_differential: bool,
}

/// Arguments of `rampart scp verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ProofFormat::Text)]
    pub format: ProofFormat,
    /// Skip the differential check of packing (the intents' examples are still proven).
    #[arg(long)]
    pub no_differential: bool,
}

/// Output format of `scp verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProofFormat {
    /// A summary for people; failures with their counterexample request.
    Text,
    /// The proof report as JSON.
    Json,
}

/// Runs `rampart scp …`.
pub fn run(cmd: &ScpCommand) -> Result<ExitCode, InputError> {
    match cmd {
        ScpCommand::Generate(args) => generate(args),
        ScpCommand::Verify(args) => verify(args),
        ScpCommand::Diff(args) => super::scp_diff::run(args),
    }
}

/// Generates, or says why not: `Ok(None)` when the intents do not fit (reported on stderr).
pub(super) fn load_and_generate(args: &SourceArgs) -> Result<Option<Generation>, InputError> {
    let snapshot = load_snapshot(args.snapshot.as_ref())?;
    let ruleset = match &args.ruleset {
        Some(path) => load_ruleset_file(path),
        None => Ruleset::bundled(),
    }
    .map_err(InputError::from_display)?;
    let guardrails = match &args.guardrails {
        Some(path) => load_guardrails_file(path),
        None => Guardrails::bundled(),
    }
    .map_err(InputError::from_display)?;
    let quotas = match &args.quota_profile {
        Some(path) => {
            let text = crate::model::read_text(path).map_err(|e| {
                InputError(format!(
                    "{}: cannot read quota profile: {e}",
                    path.display()
                ))
            })?;
            Some(parse_quota_profile(&text, path).map_err(InputError::from_display)?)
        }
        None => None,
    };
    match scp::generate(&snapshot, &guardrails, &ruleset.parameters, quotas.as_ref()) {
        Ok(g) => Ok(Some(g)),
        Err(ScpError::DoesNotFit(e)) => {
            eprintln!("error: {e}");
            Ok(None)
        }
        Err(e) => Err(InputError::from_display(e)),
    }
}

fn generate(args: &GenerateArgs) -> Result<ExitCode, InputError> {
    let started = Instant::now();
    let Some(g) = load_and_generate(&args.source)? else {
        return Ok(ExitCode::from(1));
    };
    let generated = started.elapsed();
    let proof = if args.no_verify {
        None
    } else {
        Some(
            g.verify(!args.no_differential)
                .map_err(InputError::from_display)?,
        )
    };
    let total = started.elapsed();
    if let Some(p) = proof.as_ref().filter(|p| !p.proven()) {
        eprint!("{}", failures_text(p));
        eprintln!(
            "error: the proof failed: nothing was written to {}",
            args.out.display()
        );
        return Ok(ExitCode::from(1));
    }
    let files = render::files(&g.plan, &g.intents, proof.as_ref());
    write_files(&args.out, &files)?;
    // The plan names the organization's OUs and attached policies: redacted like reports.
    print!("{}", redact(&plan_text(&g)));
    if let Some(p) = &proof {
        print!("{}", proof_summary(p));
    }
    println!("wrote {} files to {}", files.len(), args.out.display());
    eprintln!(
        "rampart: generated in {:.2} s, proven in {:.2} s",
        generated.as_secs_f64(),
        (total - generated).as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, InputError> {
    let started = Instant::now();
    let Some(g) = load_and_generate(&args.source)? else {
        return Ok(ExitCode::from(1));
    };
    let report = g
        .verify(!args.no_differential)
        .map_err(InputError::from_display)?;
    match args.format {
        ProofFormat::Text => {
            let mut text = failures_text(&report);
            text.push_str(&plan_text(&g));
            text.push_str(&proof_summary(&report));
            write_output(None, &redact(&text))?;
        }
        ProofFormat::Json => {
            let mut text =
                serde_json::to_string_pretty(&report).map_err(InputError::from_display)?;
            text.push('\n');
            write_output(None, &redact(&text))?;
        }
    }
    eprintln!(
        "rampart: generated and proven in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(if report.proven() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes every file under `dir`, each atomically.
/// Writes the generated files as the directory `dir`, all or nothing: a previous output
/// (a directory holding `plan.json`) is replaced once the new one is complete.
fn write_files(dir: &Path, files: &[render::OutputFile]) -> Result<(), InputError> {
    super::output::write_tree(
        dir,
        files.iter().map(|f| (f.path.as_str(), f.text.as_bytes())),
        |existing| {
            if existing.join("plan.json").is_file() {
                Ok(())
            } else {
                Err(
                    "exists and is not the output of `rampart scp generate` (no plan.json); \
                     not replacing it"
                        .to_owned(),
                )
            }
        },
        "generated SCPs",
    )
}

/// One line per generated SCP: target, name, size against the quota, slots.
fn plan_text(g: &Generation) -> String {
    let q = &g.plan.quotas;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} SCPs for {} targets (quotas: {} characters per SCP, {} SCPs per target)",
        g.plan.policies().count(),
        g.plan.targets.len(),
        q.max_policy_chars,
        q.max_policies_per_target
    );
    for t in &g.plan.targets {
        let _ = writeln!(
            out,
            "  {} ({}): {} of {} SCPs attached after, intents: {}",
            t.target.path,
            t.target.id,
            t.kept.len().max(1) + t.policies.len(),
            q.max_policies_per_target,
            t.intents.join(", ")
        );
        for p in &t.policies {
            let _ = writeln!(
                out,
                "    {:<34} {:>5} / {} characters ({:>3}%)",
                p.name,
                p.chars,
                q.max_policy_chars,
                p.chars * 100 / q.max_policy_chars.max(1)
            );
        }
    }
    out
}

fn proof_summary(p: &ProofReport) -> String {
    let mut out = String::new();
    let deny: usize = p.intents.iter().map(|i| i.must_deny).sum();
    let allow: usize = p.intents.iter().map(|i| i.must_allow).sum();
    let _ = writeln!(
        out,
        "proof: {} intents, {deny} must-deny and {allow} must-allow checks, {} documents, {} differential requests: {}",
        p.intents.len(),
        p.documents,
        p.differential_requests,
        if p.proven() {
            "proven".to_owned()
        } else {
            format!("{} FAILED", p.failures.len())
        }
    );
    out
}

fn failures_text(p: &ProofReport) -> String {
    let mut out = String::new();
    for f in &p.failures {
        let _ = writeln!(out, "FAILED {}", failure_line(f));
        if let Some(r) = &f.request {
            let request = serde_json::to_string(r).unwrap_or_default();
            let _ = writeln!(out, "  counterexample: {request}");
        }
    }
    out
}

fn failure_line(f: &Counterexample) -> String {
    let what = match f.expected {
        Expectation::MustDeny => "must-deny",
        Expectation::MustAllow => "must-allow",
        Expectation::SameAsUnpacked => "packing",
        Expectation::Document => "document",
    };
    format!("{what} `{}`: {}", f.subject, f.message)
}
