//! `rampart iam validate FILE…`: IAM Access Analyzer–style checks of policy documents
//! ([`crate::policy::validate`]), as text for people, JSON for scripts and SARIF for code
//! scanning.
//!
//! Each file is validated on its own. A file that cannot be read, or that is not a policy
//! document at all (not JSON, or JSON that does not follow the policy grammar: the
//! `json-syntax` and `policy-syntax` findings), is bad input: it is reported, the walk
//! continues, a one-line `error: FILE:LINE:COL: …` goes to stderr and the run ends with exit
//! code 2 (ripgrep), whatever `--fail-on` says. Otherwise the exit code is 1 when a finding
//! is at or above `--fail-on`, else 0. Output is deterministic: files in argument order,
//! findings by position.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::evaluate::render;
use super::{write_output, Format, InputError, OutputArgs};
use crate::policy::validate::{PolicyType, Severity as CheckSeverity};
use crate::policy_files::{self, validate_files, PolicyFile};
use crate::report::{text, RenderOptions};
use crate::rules::Status;

/// Arguments of `rampart iam validate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    /// Policy documents (JSON); `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// What the policies are attached to: decides whether statements need `Principal`.
    #[arg(long, value_enum, default_value_t = PolicyTypeArg::Identity)]
    pub policy_type: PolicyTypeArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with code 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--policy-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyTypeArg {
    /// Identity-based policy (user, group, role): no `Principal`.
    Identity,
    /// Resource-based policy (bucket, key, queue…): `Principal` required.
    Resource,
    /// Role trust policy: `Principal` required, no `Resource`.
    Trust,
    /// Service control policy: no `Principal`.
    Scp,
    /// Resource control policy: `Principal` required.
    Rcp,
    /// Permissions boundary: no `Principal`.
    Boundary,
    /// Session policy: no `Principal`.
    Session,
}

impl From<PolicyTypeArg> for PolicyType {
    fn from(arg: PolicyTypeArg) -> Self {
        match arg {
            PolicyTypeArg::Identity => PolicyType::Identity,
            PolicyTypeArg::Resource => PolicyType::Resource,
            PolicyTypeArg::Trust => PolicyType::Trust,
            PolicyTypeArg::Scp => PolicyType::Scp,
            PolicyTypeArg::Rcp => PolicyType::Rcp,
            PolicyTypeArg::Boundary => PolicyType::Boundary,
            PolicyTypeArg::Session => PolicyType::Session,
        }
    }
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Suggestion,
    /// Never (exit code 0 unless a file cannot be read).
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<crate::rules::Severity> {
        let check = match self {
            FailOn::Error => CheckSeverity::Error,
            FailOn::Warning => CheckSeverity::Warning,
            FailOn::Suggestion => CheckSeverity::Suggestion,
            FailOn::Never => return None,
        };
        Some(policy_files::severity(check))
    }
}

/// The checks that mean "this is not a policy document": exit code 2.
const UNPARSED: [&str; 2] = [
    crate::policy::validate::JSON_SYNTAX.code,
    crate::policy::validate::POLICY_SYNTAX.code,
];

/// Runs `rampart iam validate`.
pub fn run(args: &ValidateArgs) -> Result<ExitCode, InputError> {
    let kind = PolicyType::from(args.policy_type);
    let files: Vec<PolicyFile> = args.files.iter().map(|p| read_file(p)).collect();
    let evaluation = validate_files(&files, kind);
    let threshold = args.fail_on.threshold();
    let rendered = match args.format {
        // One line per finding, compiler style: what editors and CI logs link to.
        Format::Text => text::render_lines(&evaluation),
        format => render(
            &evaluation,
            format,
            &RenderOptions {
                tool_version: env!("CARGO_PKG_VERSION"),
                fail_on: threshold,
            },
        )?,
    };
    write_output(args.output.out.as_deref(), &rendered)?;
    if evaluation.incomplete() && (args.format != Format::Text || args.output.out.is_some()) {
        // The text report already says so on stdout; elsewhere, say it where people look.
        for n in &evaluation.notices {
            let file = n.location.as_ref().map_or("", |l| l.uri.as_str());
            eprintln!("error: {file}: {}", n.message);
        }
    }
    // A document that does not parse is bad input, not a finding about a policy.
    let unparsed: Vec<_> = evaluation
        .findings
        .iter()
        .filter(|f| UNPARSED.contains(&&*f.rule_id))
        .collect();
    for f in &unparsed {
        let at = f.location.as_ref().map_or_else(String::new, |l| {
            format!("{}:{}:{}: ", l.uri, l.line, l.column)
        });
        eprintln!("error: {at}{}", f.message);
    }
    let failing = threshold.is_some_and(|threshold| {
        evaluation
            .findings
            .iter()
            .any(|f| f.status == Status::Fail && f.severity >= threshold)
    });
    Ok(if evaluation.incomplete() || !unparsed.is_empty() {
        ExitCode::from(2)
    } else if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_file(path: &Path) -> PolicyFile {
    let (name, read) = if path == Path::new("-") {
        let mut text = String::new();
        let read = std::io::stdin().read_to_string(&mut text).map(|_| text);
        ("<stdin>".to_owned(), read)
    } else {
        (path.display().to_string(), crate::model::read_text(path))
    };
    PolicyFile {
        name,
        text: read.map_err(|e| format!("cannot read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_thresholds() {
        assert_eq!(FailOn::Never.threshold(), None);
        assert!(FailOn::Warning.threshold() < FailOn::Error.threshold());
        assert!(FailOn::Suggestion.threshold() < FailOn::Warning.threshold());
    }
}
