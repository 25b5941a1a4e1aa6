//! The `rampart synth`, `snapshot validate` and `evaluate --format json` paths at scale,
//! built without the AWS SDK (the engine alone compiles in a fraction of the binary's time):
//!
//! ```sh
//! cargo run --release -p rampart-engine --example scale -- synth RESOURCES ACCOUNTS SEED OUT
//! cargo run --release -p rampart-engine --example scale -- parse SNAPSHOT
//! cargo run --release -p rampart-engine --example scale -- evaluate SNAPSHOT OUT [--profile]
//! ```
//!
//! `evaluate` loads the bundled ruleset and rules, then the snapshot, evaluates it and writes
//! the JSON report, as `rampart evaluate --snapshot SNAPSHOT --format json --out OUT` does;
//! `--profile` prints where the time went to standard error.

#![allow(clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::Instant;

use rampart_engine::model::load_snapshot_file;
use rampart_engine::report::{json, RenderOptions};
use rampart_engine::rules::{Catalog, Engine};
use rampart_engine::ruleset::Ruleset;
use rampart_engine::synth::{generate, SynthSpec};
use rampart_engine::vocab::Severity;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).expect("missing argument");
    match arg(0) {
        "synth" => {
            let spec = SynthSpec {
                resources: arg(1).parse().expect("resources"),
                accounts: arg(2).parse().expect("accounts"),
                seed: arg(3).parse().expect("seed"),
            };
            let mut text = serde_json::to_string(&generate(&spec)).expect("serializes");
            text.push('\n');
            std::fs::write(arg(4), text).expect("writes");
        }
        "parse" => {
            load_snapshot_file(Path::new(arg(1))).expect("valid snapshot");
        }
        "evaluate" => {
            let profile = args.iter().any(|a| a == "--profile");
            let catalog = Catalog::bundled().expect("the bundled catalog loads");
            let ruleset = Ruleset::bundled().expect("the bundled ruleset loads");
            let engine = Engine::new(&catalog, &ruleset).expect("the ruleset fits the catalog");
            let started = Instant::now();
            let snapshot = load_snapshot_file(Path::new(arg(1))).expect("valid snapshot");
            let loaded = started.elapsed();
            let (evaluation, timings) = engine.evaluate_profiled(&snapshot, snapshot.taken_at);
            let started = Instant::now();
            let options = RenderOptions {
                tool_version: env!("CARGO_PKG_VERSION"),
                fail_on: Some(Severity::High),
            };
            let text = json::render(&evaluation, &options).expect("renders");
            std::fs::write(arg(2), text).expect("writes");
            if profile {
                eprintln!(
                    "profile: load      {:>10.1} ms (wall)",
                    loaded.as_secs_f64() * 1e3
                );
                for line in timings.lines() {
                    eprintln!("profile: {line}");
                }
                eprintln!(
                    "profile: render    {:>10.1} ms (wall)",
                    started.elapsed().as_secs_f64() * 1e3
                );
            }
        }
        other => panic!("unknown command `{other}`: synth, parse or evaluate"),
    }
}
