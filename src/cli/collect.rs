//! `rampart collect` (a live organization into a snapshot) and `rampart scan` (collect, then
//! evaluate, in one run).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rampart_aws::calls::{operations, PermissionScope};
use rampart_aws::{
    CollectOptions, Collected, Event, NoProgress, Progress, Regions, ResourceSource, Selection,
    Shard, Summary, DEFAULT_CALL_TIMEOUT, DEFAULT_CONCURRENCY, DEFAULT_MEMBER_ROLE,
};
use serde_json::json;

use super::evaluate::{evaluate_and_report, load_rules, load_templates, RecordFlags, ReportArgs};
use super::history::Recorder;
use super::{write_output, InputError, OutputArgs};

/// How and what to collect (shared by `collect` and `scan`).
#[derive(Debug, Clone, clap::Args)]
pub struct CollectFlags {
    /// Named profile from the AWS config files (default: the standard credential chain:
    /// environment, profile, SSO, web identity, instance metadata).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Regions to read: a comma-separated list, or `enabled` for every region enabled in
    /// each account.
    #[arg(long, value_name = "REGIONS", default_value = "enabled")]
    pub regions: String,
    /// Role assumed in each member account (a read-only audit role is recommended; see
    /// `--print-audit-policy`).
    #[arg(long, value_name = "NAME", default_value = DEFAULT_MEMBER_ROLE)]
    pub member_role: String,
    /// Read only these accounts (comma-separated ids).
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        conflicts_with = "ous"
    )]
    pub accounts: Vec<String>,
    /// Read only the accounts under these OUs or the root (comma-separated ids), at any depth.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub ous: Vec<String>,
    /// Read shard I of N (accounts whose id is I modulo N); `auto/N` takes I from
    /// JOB_COMPLETION_INDEX (Kubernetes) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch). Join the
    /// parts with `rampart snapshot merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Reads in flight at once (one read = one service in one account and region).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Send every AWS call to this endpoint (an emulator); AWS_ENDPOINT_URL also works.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Abandon one attempt of an AWS call after SECS seconds (then retried while attempts
    /// remain; a call with its retries gives up after five times SECS): what is left
    /// unread is a coverage gap.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_CALL_TIMEOUT.as_secs_f64())]
    pub call_timeout: f64,
    /// Where resources come from: `live` (every account's APIs, the default) or
    /// `config-aggregator NAME` (an AWS Config organization aggregator in the calling
    /// account; the organization's structure still comes from Organizations).
    #[arg(long, value_name = "SOURCE", num_args = 1..=2, default_values_t = ["live".to_owned()])]
    pub source: Vec<String>,
    /// Also write the run summary (accounts, regions, services, gaps, API calls by
    /// operation, time) as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary_out: Option<PathBuf>,
}

/// Arguments of `rampart collect`.
#[derive(Debug, Clone, clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub flags: CollectFlags,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Print the IAM policies of a read-only audit role (exactly the actions rampart calls)
    /// and exit without collecting.
    #[arg(long)]
    pub print_audit_policy: bool,
}

/// Arguments of `rampart scan`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub flags: CollectFlags,
    /// Also write the collected snapshot to FILE.
    #[arg(long, value_name = "FILE")]
    pub snapshot_out: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub recording: RecordFlags,
    /// Do not record the run in the history database.
    #[arg(long, conflicts_with = "fail_on_new")]
    pub no_record: bool,
}

/// Runs `rampart collect`.
pub fn run_collect(args: &CollectArgs, verbose: u8) -> Result<ExitCode, InputError> {
    if args.print_audit_policy {
        write_output(args.output.out.as_deref(), &audit_policies())?;
        return Ok(ExitCode::SUCCESS);
    }
    let options = options(&args.flags)?;
    let collected = collect(&options, verbose)?;
    let json = snapshot_json(&collected)?;
    write_output(args.output.out.as_deref(), &json)?;
    finish(&args.flags, &collected)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `rampart scan`.
pub fn run_scan(args: &ScanArgs, verbose: u8) -> Result<ExitCode, InputError> {
    // Rules and templates load before the collection so that a bad ruleset or `--iac` path
    // fails in seconds, not after it.
    let (ruleset, catalog) = load_rules(&args.report.rules)?;
    let engine = super::engine(&catalog, &ruleset)?;
    let templates = load_templates(&args.report.iac)?;
    let options = options(&args.flags)?;
    let recorder = if args.no_record {
        None
    } else {
        Some(Recorder::open(&args.recording.db, "scan")?)
    };
    let collected = collect(&options, verbose)?;
    // The snapshot's text, for `--snapshot-out` and for the digest a recorded run's
    // evidence bundle names it by (the same bytes `--snapshot-out` writes).
    let json = match (&args.snapshot_out, &recorder) {
        (None, None) => None,
        _ => Some(snapshot_json(&collected)?),
    };
    if let (Some(path), Some(json)) = (&args.snapshot_out, &json) {
        write_output(Some(path), json)?;
    }
    finish(&args.flags, &collected)?;
    evaluate_and_report(
        &collected.snapshot,
        &engine,
        &args.report,
        templates.as_ref(),
        recorder.map(|r| {
            let text = super::evaluate::snapshot_text(json.as_deref().unwrap_or_default());
            (r, args.recording.fail_on_new, text)
        }),
    )
}

fn snapshot_json(collected: &Collected) -> Result<String, InputError> {
    let mut json =
        serde_json::to_string_pretty(&collected.snapshot).map_err(InputError::from_display)?;
    json.push('\n');
    Ok(json)
}

/// Prints the summary and writes `--summary-out`.
fn finish(flags: &CollectFlags, collected: &Collected) -> Result<(), InputError> {
    eprint!(
        "{}",
        render_summary(&collected.snapshot, &collected.summary)
    );
    if let Some(path) = &flags.summary_out {
        let mut json =
            serde_json::to_string_pretty(&collected.summary).map_err(InputError::from_display)?;
        json.push('\n');
        write_output(Some(path), &json)?;
    }
    Ok(())
}

fn collect(options: &CollectOptions, verbose: u8) -> Result<Collected, InputError> {
    let progress: Arc<dyn Progress> = if std::io::stderr().is_terminal() && verbose == 0 {
        Arc::new(Bars::new())
    } else {
        Arc::new(NoProgress)
    };
    let result = rampart_aws::collect_blocking(options, progress.clone());
    drop(progress);
    result.map_err(|e| InputError(format!("collect: {e}")))
}

/// Turns the flags into collector options, rejecting what cannot work.
fn options(flags: &CollectFlags) -> Result<CollectOptions, InputError> {
    let regions = if flags.regions.trim() == "enabled" {
        Regions::Enabled
    } else {
        let list: Vec<String> = flags
            .regions
            .split(',')
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        if list.is_empty() {
            return Err(InputError(
                "--regions: expected a comma-separated list of regions or `enabled`".to_owned(),
            ));
        }
        if let Some(bad) = list.iter().find(|r| !looks_like_region(r)) {
            return Err(InputError(format!(
                "--regions: `{bad}` is not a region name (like eu-west-1)"
            )));
        }
        let mut list = list;
        list.sort();
        list.dedup();
        Regions::List(list)
    };
    let selection = if !flags.accounts.is_empty() {
        if let Some(bad) = flags
            .accounts
            .iter()
            .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(InputError(format!(
                "--accounts: `{bad}` is not a 12-digit account id"
            )));
        }
        Selection::Accounts(flags.accounts.clone())
    } else if !flags.ous.is_empty() {
        Selection::Ous(flags.ous.clone())
    } else {
        Selection::All
    };
    let shard = flags
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, |var| std::env::var(var).ok()))
        .transpose()
        .map_err(InputError)?;
    if flags.concurrency == 0 {
        return Err(InputError("--concurrency must be at least 1".to_owned()));
    }
    let call_timeout = Duration::try_from_secs_f64(flags.call_timeout)
        .ok()
        .filter(|t| !t.is_zero() && *t <= Duration::from_secs(3600))
        .ok_or_else(|| {
            InputError(format!(
                "--call-timeout `{}`: expected seconds, more than 0 and at most 3600",
                flags.call_timeout
            ))
        })?;
    let source = match flags.source.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["live"] => ResourceSource::Live,
        ["config-aggregator", name] if !name.is_empty() => {
            ResourceSource::ConfigAggregator(name.to_owned())
        }
        ["config-aggregator"] => {
            return Err(InputError(
                "--source config-aggregator needs the aggregator's name: --source config-aggregator NAME"
                    .to_owned(),
            ))
        }
        _ => {
            return Err(InputError(format!(
                "--source `{}`: expected `live` or `config-aggregator NAME`",
                flags.source.join(" ")
            )))
        }
    };
    if flags.member_role.is_empty() || flags.member_role.contains(['/', ':', ' ']) {
        return Err(InputError(format!(
            "--member-role `{}`: expected a role name (no path or ARN)",
            flags.member_role
        )));
    }
    Ok(CollectOptions {
        profile: flags.profile.clone(),
        regions,
        member_role: flags.member_role.clone(),
        selection,
        shard,
        concurrency: flags.concurrency,
        endpoint_url: flags.endpoint_url.clone(),
        source,
        call_timeout,
    })
}

/// `xx-name-N` (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`).
fn looks_like_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| !p.is_empty())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

/// The one-screen end-of-run summary.
fn render_summary(snapshot: &rampart_model::Snapshot, s: &Summary) -> String {
    let secs = Duration::from_millis(s.duration_ms).as_secs_f64();
    let mut out = format!(
        "rampart collect: organization {} (management account {})\n",
        snapshot.organization.id, snapshot.organization.management_account_id
    );
    out.push_str(&format!(
        "  accounts   {} read of {} selected ({} in the organization)\n",
        s.accounts_read, s.accounts_selected, s.organization_accounts
    ));
    if !s.unreadable_accounts.is_empty() {
        out.push_str(&format!(
            "             nothing could be read from {} (see the gaps)\n",
            s.unreadable_accounts.join(", ")
        ));
    }
    out.push_str(&format!(
        "  regions    {}\n",
        if s.regions.is_empty() {
            "none".to_owned()
        } else {
            s.regions.join(", ")
        }
    ));
    out.push_str(&format!("  services   {}\n", s.services.join(", ")));
    out.push_str(&format!(
        "  reads      {} (service × account × region), {} with gaps\n",
        s.reads, s.reads_with_gaps
    ));
    out.push_str(&format!(
        "  gaps       {} recorded in the snapshot's `coverage` (rules that need them say unknown)\n",
        s.gaps
    ));
    let width = s.gaps_by_service.keys().map(String::len).max().unwrap_or(0);
    for (service, g) in &s.gaps_by_service {
        let accounts = if g.accounts == 1 {
            "account"
        } else {
            "accounts"
        };
        let others = match g.reasons {
            0 | 1 => String::new(),
            2 => " (and 1 other reason)".to_owned(),
            n => format!(" (and {} other reasons)", n - 1),
        };
        out.push_str(&format!(
            "             {service:<width$} {:>4} in {} {accounts}: {}{others}\n",
            g.gaps,
            g.accounts,
            shorten(&g.reason, 120)
        ));
    }
    let mut by_service: std::collections::BTreeMap<&str, u64> = Default::default();
    for (op, n) in &s.calls_by_operation {
        *by_service
            .entry(op.split_once(':').map_or(op.as_str(), |(s, _)| s))
            .or_default() += n;
    }
    let per_service: Vec<String> = by_service.iter().map(|(k, v)| format!("{k} {v}")).collect();
    out.push_str(&format!(
        "  API calls  {} in {secs:.1} s ({})\n",
        s.api_calls,
        per_service.join(", ")
    ));
    out
}

/// `text` cut to `max` characters, with `…` when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// The audit role's policies, generated from the operations the collectors can issue.
fn audit_policies() -> String {
    let actions = |scope: PermissionScope| {
        let mut list: Vec<&str> = operations()
            .filter(|o| o.scope() == scope)
            .map(|o| o.action())
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    };
    let doc = json!({
        "management": {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "RampartReadOrganization",
                "Effect": "Allow",
                "Action": actions(PermissionScope::Management),
                "Resource": "*"
            }]
        },
        "member": {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "RampartReadAccount",
                "Effect": "Allow",
                "Action": actions(PermissionScope::Member),
                "Resource": "*"
            }]
        }
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Progress bars on a terminal: accounts, and reads (service × account × region).
struct Bars {
    accounts: ProgressBar,
    reads: ProgressBar,
    planned: Mutex<u64>,
}

impl Bars {
    fn new() -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let accounts = multi.add(ProgressBar::new(0).with_style(style.clone()));
        accounts.set_prefix("accounts");
        let reads = multi.add(ProgressBar::new(0).with_style(style));
        reads.set_prefix("reads");
        accounts.enable_steady_tick(Duration::from_millis(200));
        Bars {
            accounts,
            reads,
            planned: Mutex::new(0),
        }
    }
}

impl Progress for Bars {
    fn event(&self, event: Event) {
        match event {
            Event::Planned { accounts } => self.accounts.set_length(accounts as u64),
            Event::AccountStarted { account_id, reads } => {
                let mut planned = self.planned.lock().unwrap_or_else(PoisonError::into_inner);
                *planned += reads as u64;
                self.reads.set_length(*planned);
                self.accounts.set_message(account_id);
            }
            Event::ReadDone { .. } => self.reads.inc(1),
            Event::AccountDone { .. } => self.accounts.inc(1),
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.accounts.finish_and_clear();
        self.reads.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_are_checked() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-4",
            "us-gov-west-1",
        ] {
            assert!(looks_like_region(ok), "{ok}");
        }
        for bad in ["useast1", "EU-west-1", "eu-west", "eu--1", "eu-west-x"] {
            assert!(!looks_like_region(bad), "{bad}");
        }
    }

    #[test]
    fn audit_policy_lists_only_reads_split_by_principal() {
        let doc: serde_json::Value = serde_json::from_str(&audit_policies()).expect("json");
        let member = doc["member"]["Statement"][0]["Action"]
            .as_array()
            .expect("member actions");
        assert!(member.iter().any(|a| a == "s3:GetEncryptionConfiguration"));
        assert!(member.iter().all(|a| {
            let name = a
                .as_str()
                .unwrap_or_default()
                .split(':')
                .nth(1)
                .unwrap_or_default();
            ["List", "Get", "Describe", "Search"]
                .iter()
                .any(|p| name.starts_with(p))
        }));
        let management = doc["management"]["Statement"][0]["Action"]
            .as_array()
            .expect("management actions");
        assert!(management.iter().any(|a| a == "sts:AssumeRole"));
        assert!(management
            .iter()
            .any(|a| a == "organizations:ListAccountsForParent"));
    }
}
