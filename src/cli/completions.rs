//! `rampart completions SHELL` and `rampart man --out DIR`: shell completions and man
//! pages generated from the CLI definition itself, so they never drift from it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::CommandFactory;

use super::{write_output, Cli, InputError};

/// Arguments of `rampart completions`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `rampart man`.
#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// Directory for `rampart.1` and one page per subcommand (`rampart-scp-diff.1`);
    /// created if needed, each file written atomically.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
}

/// Prints the completion script of `args.shell` to standard output.
pub fn completions(args: &CompletionsArgs) -> Result<ExitCode, InputError> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "rampart", &mut script);
    let text = String::from_utf8(script).map_err(InputError::from_display)?;
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the man pages.
pub fn man(args: &ManArgs) -> Result<ExitCode, InputError> {
    std::fs::create_dir_all(&args.out).map_err(|e| {
        InputError(format!(
            "{}: cannot create directory: {e}",
            args.out.display()
        ))
    })?;
    let mut cmd = Cli::command();
    cmd.build();
    let mut written = 0;
    write_pages(&cmd, "rampart", &args.out, &mut written)?;
    println!("wrote {written} man pages to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes the page of `cmd` as `name.1`, then those of its subcommands.
fn write_pages(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut usize,
) -> Result<(), InputError> {
    let page = cmd.clone().name(name.to_owned());
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(InputError::from_display)?;
    let text = String::from_utf8(roff).map_err(InputError::from_display)?;
    write_output(Some(&dir.join(format!("{name}.1"))), &text)?;
    *written += 1;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
