//! The `rampart` command; everything lives in the library (`rampart::cli`).

fn main() -> std::process::ExitCode {
    rampart::cli::main()
}
