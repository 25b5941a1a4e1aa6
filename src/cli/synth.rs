//! `rampart synth`: synthetic organizations for benchmarks and scale tests.

use std::process::ExitCode;

use super::{write_output, InputError, OutputArgs};
use crate::synth::{generate, SynthSpec};

/// Arguments of `rampart synth`.
#[derive(Debug, Clone, clap::Args)]
pub struct SynthArgs {
    /// Number of accounts.
    #[arg(long, default_value_t = 50)]
    pub accounts: usize,
    /// Approximate number of resources.
    #[arg(long, default_value_t = 10_000)]
    pub resources: usize,
    /// Seed; the same arguments always give the same snapshot.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `rampart synth`.
pub fn run(args: &SynthArgs) -> Result<ExitCode, InputError> {
    if args.accounts == 0 {
        return Err(InputError("--accounts must be at least 1".to_owned()));
    }
    let snapshot = generate(&SynthSpec {
        accounts: args.accounts,
        resources: args.resources,
        seed: args.seed,
    });
    let mut text = serde_json::to_string(&snapshot).map_err(InputError::from_display)?;
    text.push('\n');
    write_output(args.output.out.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}
