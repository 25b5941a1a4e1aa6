//! The command line: parsing, dispatch, exit codes and output files.
//!
//! Exit codes, for every command: 0 success and nothing at or above `--fail-on`;
//! 1 findings at or above `--fail-on`; 2 usage or input error.

/// `eprintln!` through the redactor: every message rampart prints to standard error (errors
/// quoting an input, notices, summaries) leaves without a credential-looking value
/// (`docs/security.md`). Defined before the submodules, so it is the one they use.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::cli::print_stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` through the redactor, as `eprintln!`.
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::cli::print_stderr(&format!($($arg)*))
    };
}

mod catalog;
mod check;
mod collect;
mod completions;
mod evaluate;
mod history;
mod iam;
mod iam_validate;
mod output;
mod report;
mod rules;
mod ruleset;
mod scp;
mod scp_diff;
mod snapshot;
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use output::{write_output, write_output_with};

/// An error that ends the run with exit code 2; its message is one line naming the input.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

impl InputError {
    /// Wraps any error's one-line message.
    pub fn from_display(e: impl std::fmt::Display) -> InputError {
        InputError(e.to_string())
    }
}

/// Selects the Cedar backend: `compiled` (the default) or `reference` (cedar-policy's
/// authorizer). Both give the same findings; the reference one is the semantics' definition.
pub const CEDAR_BACKEND_ENV: &str = "RAMPART_CEDAR_BACKEND";

/// The engine for a catalog and a ruleset, its Cedar backend from `$RAMPART_CEDAR_BACKEND`.
pub fn engine<'c>(
    catalog: &'c crate::rules::Catalog,
    ruleset: &'c crate::ruleset::Ruleset,
) -> Result<crate::rules::Engine<'c>, InputError> {
    let backend = match std::env::var(CEDAR_BACKEND_ENV) {
        Ok(name) if !name.is_empty() => name
            .parse()
            .map_err(|e| InputError(format!("${CEDAR_BACKEND_ENV}: {e}")))?,
        _ => crate::rules::CedarBackendKind::default(),
    };
    Ok(crate::rules::Engine::new(catalog, ruleset)
        .map_err(InputError::from_display)?
        .with_cedar_backend(backend))
}

/// Policy-as-code compliance and guardrail analyzer for AWS multi-account foundations.
#[derive(Debug, Parser)]
#[command(name = "rampart", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Log more (repeat for more detail); logs go to stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate the rules over a snapshot (default: the bundled sample organization).
    Evaluate(evaluate::EvaluateArgs),
    /// Check infrastructure code before merge: CloudFormation, Terraform plans, policies.
    Check(check::CheckArgs),
    /// Read a live AWS organization (read-only) into a snapshot.
    Collect(collect::CollectArgs),
    /// Collect a live AWS organization and evaluate it in one run.
    Scan(collect::ScanArgs),
    /// List rules and show their documentation.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Ruleset tools: propose a starting ruleset from a snapshot.
    #[command(subcommand)]
    Ruleset(ruleset::RulesetCommand),
    /// The embedded AWS action catalog: its source, and action wildcard expansion.
    Catalog(catalog::CatalogArgs),
    /// The IAM policy evaluator: simulate requests against policies.
    #[command(subcommand)]
    Iam(iam::IamCommand),
    /// Service control policies from the declared guardrails: generate (packed into AWS
    /// quotas, ready for Terraform or CloudFormation) and verify (proven by the evaluator).
    #[command(subcommand)]
    Scp(scp::ScpCommand),
    /// Scan history: recorded runs, what changed between them, trends, pruning.
    #[command(subcommand)]
    History(history::HistoryCommand),
    /// The auditor's evidence bundle: HTML, CSV, JSON, OSCAL, hashed manifest (`report
    /// verify DIR` checks one).
    Report(report::ReportArgs),
    /// Snapshot tools: the JSON Schema, validation, merging shards.
    #[command(subcommand)]
    Snapshot(snapshot::SnapshotCommand),
    /// Generate a synthetic organization snapshot (for benchmarks and scale tests).
    Synth(synth::SynthArgs),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Write man pages for rampart and every subcommand.
    Man(completions::ManArgs),
}

/// `rampart --version`: the tool's version, and those of the formats and data it reads.
fn long_version() -> String {
    let catalog = match rampart_iam::catalog::ActionCatalog::embedded_info() {
        Ok(i) => {
            format!(
                "{} {} (AWS documentation of {}; {} services, {} actions)",
                i.package, i.version, i.data_date, i.services, i.actions
            )
        }
        Err(e) => format!("unavailable ({e})"),
    };
    format!(
        "{}\nsnapshot schema {}\nruleset schema {}\naction catalog {catalog}",
        env!("CARGO_PKG_VERSION"),
        crate::model::SCHEMA_VERSION,
        crate::ruleset::RULESET_SCHEMA_VERSION,
    )
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let mut command = Cli::command();
    // The long version loads the action catalog: only when it is asked for.
    if std::env::args_os().skip(1).any(|a| a == "--version") {
        command = command.long_version(long_version());
    }
    let parsed = command
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with success, usage errors with code 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Evaluate(args) => evaluate::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Collect(args) => collect::run_collect(&args, cli.verbose),
        Command::Scan(args) => collect::run_scan(&args, cli.verbose),
        Command::Rules(cmd) => rules::run(&cmd),
        Command::Ruleset(cmd) => ruleset::run(&cmd),
        Command::Catalog(args) => catalog::run(&args),
        Command::Iam(cmd) => iam::run_command(&cmd),
        Command::Scp(cmd) => scp::run(&cmd),
        Command::History(cmd) => history::run(&cmd),
        Command::Report(args) => report::run(&args),
        Command::Snapshot(cmd) => snapshot::run(&cmd),
        Command::Synth(args) => synth::run(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => completions::man(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(verbose: u8) {
    // rampart's own logs first; the AWS SDK's (every request) only from -vvv.
    let level = match verbose {
        0 => "warn",
        1 => "warn,rampart=info,rampart_aws=info",
        2 => "warn,rampart=debug,rampart_aws=debug",
        3 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAMPART_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| RedactedStderr)
        .without_time()
        .try_init();
}

/// Writes `text` to standard error with every credential-looking value redacted.
pub fn print_stderr(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr()
        .lock()
        .write_all(crate::model::redact::redact(text).as_bytes());
}

/// Standard error through the redactor, for the log lines: rampart's, and the AWS SDK's
/// from `-vvv` (requests and responses, which carry session tokens and the credentials
/// `sts:AssumeRole` returns). The formatter writes each event whole, in one call.
struct RedactedStderr;

impl std::io::Write for RedactedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        print_stderr(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary for people.
    Text,
    /// The full result as JSON.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

/// Where results go: stdout, or a file written atomically.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Write the result to FILE (atomically: a temporary file renamed into place).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}
