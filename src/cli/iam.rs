//! `rampart iam simulate`: the IAM evaluator for people and scripts.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use super::{write_output, InputError, OutputArgs};
use crate::policy::evaluate::{Evaluation, Principal, Request};
use crate::policy::simulate::{parse_input, run, SimulationCase};
use crate::policy::{parse_policy, ContextValue, Policy, RequestContext};

/// `rampart iam …`
#[derive(Debug, clap::Subcommand)]
pub enum IamCommand {
    /// Decide requests with the AWS policy evaluation logic (SCPs, RCPs, resource and
    /// identity policies, permissions boundaries, session policies).
    Simulate(SimulateArgs),
    /// Check policy documents for errors, risky patterns and redundancy, in the spirit of
    /// IAM Access Analyzer's policy validation.
    Validate(super::iam_validate::ValidateArgs),
    /// What each IAM role and user of a snapshot can do after SCPs, RCPs, boundaries and
    /// resource policies (default: the bundled sample organization).
    Effective(EffectiveArgs),
}

/// Arguments of `rampart iam effective`.
#[derive(Debug, Clone, clap::Args)]
pub struct EffectiveArgs {
    /// Snapshot JSON file (default: the bundled sample organization).
    #[arg(long, short = 's', value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Only this principal (role or user ARN).
    #[arg(long, value_name = "ARN")]
    pub principal: Option<String>,
    /// Only actions matching this pattern (`s3:*`, `iam:Pass*`).
    #[arg(long, value_name = "PATTERN")]
    pub action: Option<String>,
    /// Ruleset whose parameters derive the facts (default: the bundled one).
    #[arg(long, value_name = "FILE")]
    pub ruleset: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `rampart iam simulate`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// JSON file of one request object or an array of them (`-` for stdin); see the README.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["policy", "action"])]
    pub input: Option<PathBuf>,
    /// Identity-based policy files (the flag form, for people).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub policy: Vec<PathBuf>,
    /// Resource-based policy file.
    #[arg(long, value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// Permissions boundary file.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// The action, `service:Action`.
    #[arg(long, required_unless_present = "input")]
    pub action: Option<String>,
    /// The resource ARN.
    #[arg(long, default_value = "*")]
    pub resource: String,
    /// The caller's ARN.
    #[arg(
        long,
        default_value = "arn:aws:iam::123456789012:role/rampart-simulated"
    )]
    pub principal: String,
    /// The account that owns the resource (default: the caller's account).
    #[arg(long)]
    pub resource_account: Option<String>,
    /// A context key, `KEY=VALUE`; repeat a key for a multivalued key.
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = SimulateFormat::Json)]
    pub format: SimulateFormat,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Output format of `iam simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimulateFormat {
    /// JSON: one result object, or an array in input order.
    Json,
    /// One line per request.
    Text,
}

/// Runs `rampart iam …`.
pub fn run_command(cmd: &IamCommand) -> Result<ExitCode, InputError> {
    match cmd {
        IamCommand::Simulate(args) => simulate(args),
        IamCommand::Validate(args) => super::iam_validate::run(args),
        IamCommand::Effective(args) => effective(args),
    }
}

/// One principal's result: its permissions, or why they cannot be computed.
#[derive(Serialize)]
struct PrincipalResult {
    principal: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_assessable: Option<String>,
    summary: std::collections::BTreeMap<String, std::collections::BTreeMap<&'static str, usize>>,
    grants: Vec<crate::facts::iam::Grant>,
}

fn effective(args: &EffectiveArgs) -> Result<ExitCode, InputError> {
    use rayon::prelude::*;

    use crate::facts::iam::{effective_permissions, role_policies, user_policies, ActionSelector};
    use crate::facts::Facts;
    use crate::policy::catalog::ActionCatalog;

    let snapshot = super::evaluate::load_snapshot(args.snapshot.as_ref())?;
    let ruleset = match &args.ruleset {
        Some(path) => crate::ruleset::load_ruleset_file(path),
        None => crate::ruleset::Ruleset::bundled(),
    }
    .map_err(InputError::from_display)?;
    let facts = Facts::derive(&snapshot, &ruleset.parameters);
    let catalog = ActionCatalog::get().map_err(InputError::from_display)?;
    let wanted = |arn: &str| args.principal.as_deref().is_none_or(|p| p == arn);
    let mut principals = Vec::new();
    for account in &snapshot.accounts {
        for role in account.iam.roles.iter().filter(|r| wanted(&r.arn)) {
            principals.push((
                role.arn.clone(),
                role_policies(&snapshot, &facts, account, role),
            ));
        }
        for user in account.iam.users.iter().filter(|u| wanted(&u.arn)) {
            principals.push((
                user.arn.clone(),
                user_policies(&snapshot, &facts, account, user),
            ));
        }
    }
    if principals.is_empty() {
        if let Some(p) = &args.principal {
            return Err(InputError(format!(
                "no IAM role or user `{p}` in the snapshot"
            )));
        }
    }
    let results: Vec<PrincipalResult> = principals
        .par_iter()
        .map(|(arn, policies)| {
            let selector = args
                .action
                .as_deref()
                .map_or(ActionSelector::All, ActionSelector::Matching);
            let computed = policies
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|p| effective_permissions(&snapshot, &facts, catalog, p, selector));
            match computed {
                Ok(e) => PrincipalResult {
                    principal: arn.clone(),
                    not_assessable: None,
                    summary: e.summary(),
                    grants: e.grants,
                },
                Err(e) => PrincipalResult {
                    principal: arn.clone(),
                    not_assessable: Some(e.0),
                    summary: Default::default(),
                    grants: Vec::new(),
                },
            }
        })
        .collect();
    let rendered = match args.format {
        SimulateFormat::Json => {
            let mut s = serde_json::to_string_pretty(&results).map_err(InputError::from_display)?;
            s.push('\n');
            s
        }
        SimulateFormat::Text => {
            let mut out = String::new();
            for r in &results {
                match &r.not_assessable {
                    Some(reason) => {
                        out.push_str(&format!("{}\n  unknown: {reason}\n", r.principal))
                    }
                    None => {
                        let actions: usize = r.summary.values().flat_map(|m| m.values()).sum();
                        out.push_str(&format!(
                            "{}\n  {actions} actions in {} services\n",
                            r.principal,
                            r.summary.len()
                        ));
                        for (service, levels) in &r.summary {
                            let levels: Vec<String> =
                                levels.iter().map(|(l, n)| format!("{l} {n}")).collect();
                            out.push_str(&format!("  {service:<24} {}\n", levels.join(", ")));
                        }
                    }
                }
            }
            out
        }
    };
    write_output(args.output.out.as_deref(), &rendered)?;
    Ok(ExitCode::SUCCESS)
}

fn simulate(args: &SimulateArgs) -> Result<ExitCode, InputError> {
    let (cases, single) = match &args.input {
        Some(path) => {
            let (text, name) = read_input(path)?;
            parse_input(&text).map_err(|e| InputError(format!("{name}:{e}")))?
        }
        None => (vec![flag_case(args)?], true),
    };
    let results = run(&cases);
    let rendered = match args.format {
        SimulateFormat::Json => json(&results, single)?,
        SimulateFormat::Text => text(&cases, &results),
    };
    write_output(args.output.out.as_deref(), &rendered)?;
    Ok(ExitCode::SUCCESS)
}

fn read_input(path: &Path) -> Result<(String, String), InputError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| InputError(format!("<stdin>: cannot read: {e}")))?;
        return Ok((text, "<stdin>".to_owned()));
    }
    let text = crate::model::read_text(path)
        .map_err(|e| InputError(format!("{}: cannot read: {e}", path.display())))?;
    Ok((text, path.display().to_string()))
}

fn load_policy(path: &Path) -> Result<Policy, InputError> {
    let (text, name) = read_input(path)?;
    parse_policy(&text).map_err(|e| InputError(format!("{name}:{e}")))
}

fn flag_case(args: &SimulateArgs) -> Result<SimulationCase, InputError> {
    let account = account_of(&args.principal).unwrap_or_default();
    let mut context = RequestContext::new();
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for pair in &args.context {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(InputError(format!(
                "--context `{pair}`: expected KEY=VALUE"
            )));
        };
        match keys.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some((_, values)) => values.push(value.to_owned()),
            None => keys.push((key.to_owned(), vec![value.to_owned()])),
        }
    }
    for (key, mut values) in keys {
        let value = if values.len() == 1 {
            ContextValue::Single(values.remove(0))
        } else {
            ContextValue::Multi(values)
        };
        context.insert(&key, value);
    }
    let resource_account = args
        .resource_account
        .clone()
        .unwrap_or_else(|| account.clone());
    Ok(SimulationCase {
        identity: args
            .policy
            .iter()
            .map(|p| load_policy(p))
            .collect::<Result<_, _>>()?,
        resource: args
            .resource_policy
            .as_deref()
            .map(load_policy)
            .transpose()?,
        boundary: args.boundary.as_deref().map(load_policy).transpose()?,
        session: None,
        scp_chain: None,
        rcp_chain: None,
        principal: Principal {
            arn: args.principal.clone(),
            account,
            ..Principal::default()
        },
        request: Request {
            action: args.action.clone().unwrap_or_default(),
            resource: args.resource.clone(),
            resource_account,
            resource_in_management_account: false,
            resource_is_aws_managed_key: false,
            context,
        },
    })
}

/// The account id in an ARN (`arn:aws:iam::ACCOUNT:…`).
fn account_of(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then(|| account.to_owned())
}

fn json(results: &[Evaluation], single: bool) -> Result<String, InputError> {
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Out<'a> {
        One(&'a Evaluation),
        Many(&'a [Evaluation]),
    }
    let out = match (single, results) {
        (true, [one]) => Out::One(one),
        _ => Out::Many(results),
    };
    let mut text = serde_json::to_string_pretty(&out).map_err(InputError::from_display)?;
    text.push('\n');
    Ok(text)
}

fn text(cases: &[SimulationCase], results: &[Evaluation]) -> String {
    let mut out = String::new();
    for (case, result) in cases.iter().zip(results) {
        let decision = serde_json::to_value(result.decision)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push_str(&format!(
            "{decision:<13}  {} on {} by {}: {}\n",
            case.request.action, case.request.resource, case.principal.arn, result.reason
        ));
    }
    out
}
