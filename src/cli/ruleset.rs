//! `rampart ruleset init`: a starting ruleset proposed from a snapshot.

use std::path::PathBuf;
use std::process::ExitCode;

use super::evaluate::load_snapshot;
use super::{write_output, InputError, OutputArgs};
use crate::ruleset::{init::propose, parse_ruleset};

/// `rampart ruleset …`
#[derive(Debug, clap::Subcommand)]
pub enum RulesetCommand {
    /// Write a starting ruleset for an organization: the environment of each OU guessed
    /// from its name, the tag keys it uses, its network and builder accounts, and the
    /// default ruleset's rules and framework mappings.
    Init {
        /// The organization's snapshot (default: the bundled sample).
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// Runs `rampart ruleset …`.
pub fn run(cmd: &RulesetCommand) -> Result<ExitCode, InputError> {
    match cmd {
        RulesetCommand::Init { snapshot, output } => {
            let snapshot = load_snapshot(snapshot.as_ref())?;
            // The proposal quotes tag values: none that looks like a credential.
            let text = crate::model::redact::redact(&propose(&snapshot)).into_owned();
            // What is written must load: a proposal that does not is a bug, not a file.
            parse_ruleset(&text, std::path::Path::new("proposed ruleset"))
                .map_err(InputError::from_display)?;
            write_output(output.out.as_deref(), &text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
