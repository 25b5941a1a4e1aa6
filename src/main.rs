//! The `rampart` command; everything lives in the library (`rampart::cli`).

fn main() -> std::process::ExitCode {
    rampart::cli::main()
}

/// mimalloc rather than the system allocator: faster for the engine's many small
/// allocations, and its arenas take transparent huge pages (`.cargo/config.toml`), which
/// cuts the page faults of a large run by a factor of about 40.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
