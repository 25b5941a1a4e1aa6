//! `rampart history` (list, show, diff, trend, prune) and the recording of `scan` and
//! `evaluate --record` runs.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use rampart_history::{
    render, BundleContext, Clock, FixedClock, History, Prune, Recorded, RunInput, SystemClock,
};

use super::evaluate::FailOn;
use super::{write_output, Format, InputError, OutputArgs};
use crate::model::Snapshot;
use crate::report::{self, RenderOptions};
use crate::rules::{Evaluation, Status};

/// The environment variable that names the history database when `--db` does not.
pub const DB_ENV: &str = "RAMPART_DB";

/// Fixes the time runs are recorded at and `prune --older-than` counts from (RFC 3339):
/// for tests and reproducible replays.
const NOW_ENV: &str = "RAMPART_NOW";

/// A test hook: seconds to pause inside the recording transaction, before it commits, so
/// that a test can kill the process mid-recording.
const PAUSE_ENV: &str = "RAMPART_HISTORY_PAUSE_SECS";

/// Where the history lives.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// History database (SQLite). Default: $RAMPART_DB, else `history.sqlite` in the
    /// platform's data directory (`~/.local/share/rampart/` on Linux).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

impl DbArgs {
    /// The database path: `--db`, `$RAMPART_DB`, or the platform default.
    pub fn path(&self) -> Result<PathBuf, InputError> {
        if let Some(path) = &self.db {
            return Ok(path.clone());
        }
        if let Some(path) = std::env::var_os(DB_ENV).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
        directories::ProjectDirs::from("dev", "rampart", "rampart")
            .map(|dirs| dirs.data_dir().join("history.sqlite"))
            .ok_or_else(|| {
                InputError(format!(
                    "no home directory to keep the history in: pass --db PATH or set {DB_ENV}"
                ))
            })
    }

    /// Opens the database (creating and migrating it as needed).
    pub fn open(&self) -> Result<History, InputError> {
        History::open(&self.path()?).map_err(InputError::from_display)
    }
}

/// The clock runs are recorded by: the system's, or `$RAMPART_NOW`.
fn clock() -> Result<Box<dyn Clock>, InputError> {
    match std::env::var(NOW_ENV) {
        Ok(text) => {
            let now = DateTime::parse_from_rfc3339(&text).map_err(|e| {
                InputError(format!("{NOW_ENV}: `{text}` is not an RFC 3339 time: {e}"))
            })?;
            Ok(Box::new(FixedClock(now.with_timezone(&Utc))))
        }
        Err(_) => Ok(Box::new(SystemClock)),
    }
}

/// A history opened before a run, to record it after.
pub struct Recorder {
    history: History,
    command: &'static str,
}

impl Recorder {
    /// Opens the database first, so that a bad `--db` fails before a long collection.
    pub fn open(db: &DbArgs, command: &'static str) -> Result<Recorder, InputError> {
        Ok(Recorder {
            history: db.open()?,
            command,
        })
    }

    /// Records the run in one transaction, with what its evidence bundle needs
    /// (`rampart report --run`), and says so on stderr.
    pub fn record(
        mut self,
        snapshot: &Snapshot,
        evaluation: &Evaluation,
        bundle: BundleContext<'_>,
    ) -> Result<Recorded, InputError> {
        let digest =
            rampart_history::snapshot_digest(snapshot).map_err(InputError::from_display)?;
        let clock = clock()?;
        let pause = std::env::var(PAUSE_ENV)
            .ok()
            .and_then(|s| s.parse::<u64>().ok());
        let recorded = self
            .history
            .record(
                &RunInput {
                    command: self.command,
                    tool_version: env!("CARGO_PKG_VERSION"),
                    snapshot_digest: &digest,
                    evaluation,
                    bundle,
                },
                clock.as_ref(),
                || {
                    if let Some(secs) = pause {
                        eprintln!("rampart: {PAUSE_ENV}: pausing {secs} s inside the recording transaction");
                        std::thread::sleep(Duration::from_secs(secs));
                    }
                },
            )
            .map_err(InputError::from_display)?;
        let since = match recorded.previous {
            Some(previous) => format!(
                "{} new failures, {} resolved since run {previous}",
                recorded.new_failures.len(),
                recorded.resolved
            ),
            None => "the first run".to_owned(),
        };
        eprintln!(
            "rampart: recorded run {} in {} ({since})",
            recorded.run,
            self.history.path().display()
        );
        Ok(recorded)
    }
}

/// Whether a failure that `recorded` counts as new is at or above the threshold.
pub fn has_new_failures(evaluation: &Evaluation, recorded: &Recorded, fail_on: FailOn) -> bool {
    let Some(threshold) = fail_on.threshold() else {
        return false;
    };
    evaluation.findings.iter().any(|f| {
        f.status == Status::Fail
            && f.severity >= threshold
            && recorded.new_failures.binary_search(&f.fingerprint).is_ok()
    })
}

/// `rampart history` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum HistoryCommand {
    /// List the recorded runs, oldest first.
    List(ListArgs),
    /// Show one run: its provenance, summary, findings that are not passes and coverage gaps.
    Show(ShowArgs),
    /// What changed between two runs (default: the last two): new, resolved and changed
    /// findings, new coverage gaps.
    Diff(DiffArgs),
    /// Failing findings per area over the latest runs.
    Trend(TrendArgs),
    /// Delete old runs (and the findings no remaining run mentions).
    Prune(PruneArgs),
    /// One finding's timeline: first seen, last seen, resolved, and every change of its
    /// status with the run that recorded it.
    Finding(FindingArgs),
}

/// Output format of history commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    /// For people.
    Text,
    /// JSON.
    Json,
}

/// Flags every history command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    #[command(flatten)]
    pub db: DbArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `history list`.
#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `history show`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    /// The run: its id, `latest`, or `latest~N` (N runs before the latest).
    #[arg(value_name = "RUN", default_value = "latest")]
    pub run: String,
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `history finding`.
#[derive(Debug, Clone, clap::Args)]
pub struct FindingArgs {
    /// The finding's fingerprint (as `history show --format json`, the JSON report and
    /// SARIF's `partialFingerprints` give it), or a unique prefix of 8 characters or more.
    #[arg(value_name = "FINGERPRINT")]
    pub fingerprint: String,
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `history diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// The older run (id, `latest`, `latest~N`); default: the one before the latest.
    #[arg(value_name = "RUN_A")]
    pub from: Option<String>,
    /// The newer run; default: the latest.
    #[arg(value_name = "RUN_B")]
    pub to: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Output format; SARIF results carry `baselineState` (new, unchanged, updated, absent).
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 1 when a finding fails in RUN_B that did not in RUN_A, at or above `--fail-on`.
    #[arg(long)]
    pub fail_on_new: bool,
    /// The lowest severity `--fail-on-new` counts.
    #[arg(long, value_enum, default_value_t = FailOn::High, value_name = "SEVERITY")]
    pub fail_on: FailOn,
}

/// Arguments of `history trend`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrendArgs {
    /// How many of the latest runs.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub last: usize,
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `history prune`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).multiple(true).args(["keep", "older_than"])))]
pub struct PruneArgs {
    /// Keep the N latest runs.
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,
    /// Delete runs recorded more than this long ago: a number and a unit, `s`, `m`, `h`,
    /// `d` or `w` (`90d`). With `--keep` too, a run goes only when both let it go.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub older_than: Option<TimeDelta>,
    #[command(flatten)]
    pub common: Common,
}

fn parse_age(text: &str) -> Result<TimeDelta, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not an age such as `90d`"))?;
    let delta = match unit {
        "s" => TimeDelta::try_seconds(n),
        "m" => TimeDelta::try_minutes(n),
        "h" => TimeDelta::try_hours(n),
        "d" | "" => TimeDelta::try_days(n),
        "w" => TimeDelta::try_weeks(n),
        _ => None,
    };
    delta.ok_or_else(|| format!("`{text}` is not an age: use s, m, h, d or w (`90d`)"))
}

/// Runs a `rampart history` subcommand.
pub fn run(cmd: &HistoryCommand) -> Result<ExitCode, InputError> {
    let version = env!("CARGO_PKG_VERSION");
    let json_error = InputError::from_display;
    match cmd {
        HistoryCommand::List(args) => {
            let history = args.common.db.open()?;
            let runs = history.runs().map_err(InputError::from_display)?;
            let text = match args.common.format {
                HistoryFormat::Text => render::runs_text(&runs),
                HistoryFormat::Json => render::runs_json(version, &runs).map_err(json_error)?,
            };
            write_output(args.common.output.out.as_deref(), &text)?;
        }
        HistoryCommand::Show(args) => {
            let history = args.common.db.open()?;
            let id = history
                .resolve_run(&args.run)
                .map_err(InputError::from_display)?;
            let view = history.show(id).map_err(InputError::from_display)?;
            let text = match args.common.format {
                HistoryFormat::Text => render::show_text(&view),
                HistoryFormat::Json => render::show_json(version, &view).map_err(json_error)?,
            };
            write_output(args.common.output.out.as_deref(), &text)?;
        }
        HistoryCommand::Diff(args) => return diff(args),
        HistoryCommand::Finding(args) => {
            let history = args.common.db.open()?;
            let timeline = history
                .finding_timeline(&args.fingerprint)
                .map_err(InputError::from_display)?;
            let text = match args.common.format {
                HistoryFormat::Text => render::timeline_text(&timeline),
                HistoryFormat::Json => {
                    render::timeline_json(version, &timeline).map_err(json_error)?
                }
            };
            write_output(args.common.output.out.as_deref(), &text)?;
        }
        HistoryCommand::Trend(args) => {
            let history = args.common.db.open()?;
            let trend = history.trend(args.last).map_err(InputError::from_display)?;
            let text = match args.common.format {
                HistoryFormat::Text => render::trend_text(&trend),
                HistoryFormat::Json => render::trend_json(version, &trend).map_err(json_error)?,
            };
            write_output(args.common.output.out.as_deref(), &text)?;
        }
        HistoryCommand::Prune(args) => {
            let mut history = args.common.db.open()?;
            let older_than = match args.older_than {
                Some(age) => Some(
                    clock()?
                        .now()
                        .checked_sub_signed(age)
                        .ok_or_else(|| InputError("--older-than: the age is too large".into()))?,
                ),
                None => None,
            };
            let report = history
                .prune(Prune {
                    keep: args.keep,
                    older_than,
                })
                .map_err(InputError::from_display)?;
            let text = match args.common.format {
                HistoryFormat::Text => render::prune_text(&report),
                HistoryFormat::Json => render::prune_json(version, &report).map_err(json_error)?,
            };
            write_output(args.common.output.out.as_deref(), &text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(args: &DiffArgs) -> Result<ExitCode, InputError> {
    let history = args.db.open()?;
    let resolve = |name: &str| history.resolve_run(name).map_err(InputError::from_display);
    let (from, to) = match (&args.from, &args.to) {
        (Some(a), Some(b)) => (resolve(a)?, resolve(b)?),
        (Some(a), None) => (resolve(a)?, resolve("latest")?),
        _ => history.last_two().map_err(InputError::from_display)?,
    };
    let diff = history.diff(from, to).map_err(InputError::from_display)?;
    let version = env!("CARGO_PKG_VERSION");
    let text = match args.format {
        Format::Text => render::diff_text(&diff),
        Format::Json => render::diff_json(version, &diff).map_err(InputError::from_display)?,
        Format::Sarif => {
            let evaluation = render::diff_evaluation(&diff);
            let options = RenderOptions {
                tool_version: version,
                fail_on: args.fail_on.threshold(),
            };
            report::sarif::render(&evaluation, &options).map_err(InputError::from_display)?
        }
    };
    write_output(args.output.out.as_deref(), &text)?;
    let breaks = args.fail_on_new
        && args
            .fail_on
            .threshold()
            .is_some_and(|threshold| diff.new_failures().any(|e| e.finding.severity >= threshold));
    Ok(if breaks {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
