//! `rampart synth`: synthetic organizations for benchmarks and scale tests.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::output::write_tree;
use super::{write_output, InputError, OutputArgs};
use crate::synth::iac::{generate_templates, IacSpec};
use crate::synth::{generate, SynthSpec};

/// The file that marks a directory as a corpus `synth --iac` wrote (so it may replace it).
const IAC_MARKER: &str = ".rampart-synth-iac";

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
    /// Generate N CloudFormation templates (YAML and JSON, a controlled share of
    /// misconfigurations) for `rampart check` instead of a snapshot; needs --out-dir.
    #[arg(long, value_name = "N", requires = "out_dir", conflicts_with_all = ["accounts", "resources"])]
    pub iac: Option<usize>,
    /// The directory the --iac templates are written to (atomically; an existing one is
    /// replaced only when empty or written by `synth --iac`).
    #[arg(long, value_name = "DIR", requires = "iac", conflicts_with = "out")]
    pub out_dir: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `rampart synth`.
pub fn run(args: &SynthArgs) -> Result<ExitCode, InputError> {
    if let (Some(templates), Some(dir)) = (args.iac, &args.out_dir) {
        return write_corpus(templates, args.seed, dir);
    }
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

/// Writes a `synth --iac` corpus to `dir`.
fn write_corpus(templates: usize, seed: u64, dir: &Path) -> Result<ExitCode, InputError> {
    if templates == 0 {
        return Err(InputError("--iac must be at least 1".to_owned()));
    }
    let corpus = generate_templates(&IacSpec { templates, seed });
    let marker = format!("rampart synth --iac {templates} --seed {seed}\n");
    let files = corpus
        .iter()
        .map(|t| (t.path.as_str(), t.text.as_bytes()))
        .chain([(IAC_MARKER, marker.as_bytes())]);
    let replaceable = |d: &Path| {
        if d.join(IAC_MARKER).is_file() {
            Ok(())
        } else {
            Err(format!(
                "is not empty and was not written by `synth --iac` (no {IAC_MARKER}); not replacing it"
            ))
        }
    };
    write_tree(dir, files, replaceable, "template corpus")?;
    let yaml = corpus.iter().filter(|t| t.path.ends_with(".yaml")).count();
    let resources: usize = corpus.iter().map(|t| t.resources).sum();
    let bytes: usize = corpus.iter().map(|t| t.text.len()).sum();
    eprintln!(
        "rampart: wrote {templates} CloudFormation templates ({yaml} YAML, {} JSON; {resources} resources, {bytes} bytes) to {}",
        templates - yaml,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
