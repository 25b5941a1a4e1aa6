//! `rampart scp diff`: the SCPs attached today against the declared intents, and the
//! impact preview of the generated ones over recorded CloudTrail calls.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use super::scp::{load_and_generate, SourceArgs};
use super::{write_output, InputError};
use crate::scp::diff::{outcome_line, AccountDiff, DiffReport, IntentDiff, Status};
use crate::scp::impact::{CallImpact, Verdict};
use crate::scp::{parse_events, ImpactReport};

/// Arguments of `rampart scp diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// CloudTrail records (JSON lines, or a CloudTrail log file with `Records`): preview
    /// which of these calls the generated SCPs would deny. Fields read: eventSource,
    /// eventName, userIdentity (type, arn, sessionContext.sessionIssuer.arn),
    /// recipientAccountId, awsRegion, and resources[].ARN and errorCode when present.
    #[arg(long, short = 'e', value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when: `missing`, an intent is missing or narrower in some account; `impact`,
    /// the generated SCPs deny a recorded call that today's allow, whatever the values the
    /// record leaves open (`may be denied` calls are reported, not failed); `never`
    /// (default).
    #[arg(long, value_enum, default_value_t = DiffFailOn::Never)]
    pub fail_on: DiffFailOn,
    /// Write the result to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Output format of `scp diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A summary for people.
    Text,
    /// The diff (and the impact preview) as JSON.
    Json,
}

/// When `scp diff` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFailOn {
    /// Never: the diff is information.
    Never,
    /// An intent missing or narrower in some account.
    Missing,
    /// A recorded call the generated SCPs deny and today's do not.
    Impact,
}

/// Runs `rampart scp diff`.
pub fn run(args: &DiffArgs) -> Result<ExitCode, InputError> {
    // Read the events first: a bad file is an input error before any work.
    let events = match &args.events {
        Some(path) => {
            let text = crate::model::read_text(path)
                .map_err(|e| InputError(format!("{}: cannot read: {e}", path.display())))?;
            Some(parse_events(&text).map_err(|e| InputError(format!("{}: {e}", path.display())))?)
        }
        None => None,
    };
    let Some(g) = load_and_generate(&args.source)? else {
        return Ok(ExitCode::from(1));
    };
    let diff = g.diff();
    let impact = match events.as_deref() {
        Some(e) => Some(g.impact(e).map_err(InputError::from_display)?),
        None => None,
    };
    let events_name = args
        .events
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let text = match args.format {
        DiffFormat::Text => {
            let mut text = diff_text(&diff);
            if let Some(i) = &impact {
                text.push_str(&impact_text(i, &events_name));
            }
            text
        }
        DiffFormat::Json => {
            let value = serde_json::json!({ "diff": diff, "impact": impact });
            let mut text =
                serde_json::to_string_pretty(&value).map_err(InputError::from_display)?;
            text.push('\n');
            text
        }
    };
    // The diff quotes the attached SCPs (names, statements): redacted like reports.
    write_output(args.out.as_deref(), &crate::model::redact::redact(&text))?;
    let fail = match args.fail_on {
        DiffFailOn::Never => false,
        DiffFailOn::Missing => diff.lacking().next().is_some(),
        DiffFailOn::Impact => impact.as_ref().is_some_and(|i| {
            i.newly_denied
                .iter()
                .any(|c| matches!(c.planned, Verdict::Denied { .. }))
        }),
    };
    Ok(if fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn diff_text(d: &DiffReport) -> String {
    let mut out = String::new();
    let mut totals = [0usize; 5];
    for i in &d.intents {
        totals[i.status as usize] += 1;
        intent_text(&mut out, i);
    }
    let _ = writeln!(out, "\nattached Deny statements:");
    for s in &d.statements {
        let mut parts = Vec::new();
        if !s.enforces.is_empty() {
            parts.push(format!("enforces {}", s.enforces.join(", ")));
        }
        if !s.broader_than.is_empty() {
            parts.push(format!(
                "denies what {} must allow",
                s.broader_than.join(", ")
            ));
        }
        if parts.is_empty() {
            parts.push("serves no declared intent".to_owned());
        }
        let _ = writeln!(
            out,
            "  {} (attached to {}): {}",
            s.statement.label(),
            s.attached_to.join(", "),
            parts.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} intents: {} enforced, {} broader, {} narrower, {} missing, {} unknown",
        d.intents.len(),
        totals[Status::Enforced as usize],
        totals[Status::Broader as usize],
        totals[Status::Narrower as usize],
        totals[Status::Missing as usize],
        totals[Status::Unknown as usize],
    );
    out
}

fn intent_text(out: &mut String, i: &IntentDiff) {
    let counts: Vec<String> = i
        .counts()
        .iter()
        .map(|(status, n)| format!("{} in {n}", status.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "{} ({}): {} [{}]",
        i.intent,
        i.targets.join(", "),
        i.status.as_str().to_uppercase(),
        counts.join(", ")
    );
    let enforcers: std::collections::BTreeSet<String> = i
        .accounts
        .iter()
        .flat_map(|a| a.enforced_by.iter().map(|s| s.label()))
        .collect();
    if !enforcers.is_empty() {
        let list: Vec<String> = enforcers.into_iter().collect();
        let _ = writeln!(out, "  enforced by {}", list.join(", "));
    }
    // Accounts where the intent fares alike are told once.
    let mut groups: Vec<(String, Vec<&AccountDiff>)> = Vec::new();
    for a in i.accounts.iter().filter(|a| a.status != Status::Enforced) {
        let key = account_key(a);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(a),
            None => groups.push((key, vec![a])),
        }
    }
    for (_, accounts) in groups {
        account_text(out, &accounts);
    }
}

/// What an account's outcome looks like without the account: accounts with the same key
/// are reported together.
fn account_key(a: &AccountDiff) -> String {
    let mut key = format!(
        "{:?}|{:?}|{}|{}",
        a.status, a.reason, a.must_deny, a.must_allow
    );
    for o in a.not_denied.iter().chain(&a.denied) {
        let labels: Vec<String> = o.denied_by.iter().map(|s| s.label()).collect();
        let _ = write!(
            key,
            "|{}|{}|{}|{:?}|{}",
            o.note,
            o.request.action,
            o.request.region,
            o.decision,
            labels.join(",")
        );
    }
    key
}

/// At most this many example outcomes per group of accounts.
const SHOWN: usize = 3;

fn account_text(out: &mut String, accounts: &[&AccountDiff]) {
    let Some(a) = accounts.first() else {
        return;
    };
    let names: Vec<String> = accounts
        .iter()
        .map(|a| format!("{} ({})", a.account, a.name))
        .collect();
    let many = accounts.len() > 1;
    let _ = write!(out, "  {} in ", a.status.as_str());
    if many {
        let _ = write!(out, "{} accounts: ", accounts.len());
    }
    let _ = write!(out, "{}", names.join(", "));
    if let Some(reason) = &a.reason {
        let _ = writeln!(out, ": {reason}");
        return;
    }
    let _ = writeln!(
        out,
        "\n    {} of {} must-deny requests allowed, {} of {} must-allow requests denied{}",
        a.not_denied.len(),
        a.must_deny,
        a.denied.len(),
        a.must_allow,
        if many {
            format!(" (in {}, for example)", a.account)
        } else {
            String::new()
        }
    );
    for (label, list) in [("allowed", &a.not_denied), ("denied", &a.denied)] {
        for o in list.iter().take(SHOWN) {
            let _ = writeln!(out, "    {label}: {}", outcome_line(o));
        }
        if list.len() > SHOWN {
            let _ = writeln!(out, "    … and {} more", list.len() - SHOWN);
        }
    }
}

fn impact_text(i: &ImpactReport, file: &str) -> String {
    let mut out = String::new();
    let skipped: usize = i.skipped.iter().map(|s| s.count).sum();
    let (denied, maybe): (Vec<&CallImpact>, Vec<&CallImpact>) = i
        .newly_denied
        .iter()
        .partition(|c| matches!(c.planned, Verdict::Denied { .. }));
    let _ = writeln!(
        out,
        "\nimpact preview ({file}): {} records, {} distinct calls: the generated SCPs deny {} that today's allow, may deny {}, allow {} that today's deny; {} already denied, {} unaffected, {} unknown; {skipped} records skipped",
        i.events,
        i.calls,
        denied.len(),
        maybe.len(),
        i.newly_allowed.len(),
        i.already_denied,
        i.unaffected,
        i.unknown.len(),
    );
    for c in denied.iter().chain(&maybe).copied().chain(&i.unknown) {
        let _ = writeln!(out, "  {}", call_line(c, file));
    }
    if !i.newly_allowed.is_empty() {
        let _ = writeln!(
            out,
            "  the generated SCPs allow {} calls that today's deny:",
            i.newly_allowed.len()
        );
        for c in &i.newly_allowed {
            let _ = writeln!(out, "  {}", call_line(c, file));
        }
    }
    for s in &i.skipped {
        let _ = writeln!(out, "  skipped {} records: {}", s.count, s.reason);
    }
    out
}

fn call_line(c: &CallImpact, file: &str) -> String {
    let times = if c.count > 1 {
        format!(" (×{})", c.count)
    } else {
        String::new()
    };
    let on = c
        .resource
        .as_ref()
        .map(|r| format!(" on {r}"))
        .unwrap_or_default();
    let labels = |by: &[crate::scp::diff::StatementRef]| -> String {
        if by.is_empty() {
            String::new()
        } else {
            let l: Vec<String> = by.iter().map(|s| s.label()).collect();
            format!(" by {}", l.join(", "))
        }
    };
    let verdict = match (&c.planned, &c.today) {
        (_, Verdict::Unknown { reason }) | (Verdict::Unknown { reason }, _) => {
            format!("UNKNOWN: {reason}")
        }
        (Verdict::Denied { by }, _) => format!("DENIED{}", labels(by)),
        (Verdict::MayBeDenied { depends_on, by }, _) => format!(
            "MAY BE DENIED{}, depending on {}",
            labels(by),
            depends_on.join(", ")
        ),
        (Verdict::Allowed, Verdict::Denied { by }) => {
            format!("ALLOWED (denied today{})", labels(by))
        }
        (Verdict::Allowed, _) => "allowed".to_owned(),
    };
    let note = c
        .note
        .as_ref()
        .map(|n| format!(" [{n}]"))
        .unwrap_or_default();
    format!(
        "{file}:{}{times}: {} in {} by {}{on} in {}: {verdict}{note}",
        c.first.trim_start_matches("line "),
        c.action,
        c.account,
        c.principal,
        c.region
    )
}
