//! Benchmarks of `rampart check`'s pipeline in process: reading a corpus of 1,000
//! CloudFormation templates (`scripts/gen_iac_corpus.py`, the corpus the peer comparison
//! uses), mapping them into the model and evaluating every bundled rule; the same for the
//! corpus `rampart synth --iac 1000` writes; and for one small template.
//!
//! `cargo bench -p rampart-engine --bench check`. The corpus is generated into a temporary
//! directory with Python 3 (standard library only), or read from `RAMPART_IAC_CORPUS`.
//! Whole-process figures against peer tools (wall time, peak RSS): `scripts/bench-check-peers`.

#![allow(clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::DateTime;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rampart_engine::check::{check, CheckInputs};
use rampart_engine::iac::{build, Context, IacFile};
use rampart_engine::rules::{Catalog, Engine};
use rampart_engine::ruleset::Ruleset;

const SMALL: &str = "../../fixtures/iac/repo/stacks/app.yaml";

fn corpus() -> (Option<tempfile::TempDir>, PathBuf) {
    if let Some(dir) = std::env::var_os("RAMPART_IAC_CORPUS") {
        return (None, PathBuf::from(dir));
    }
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let out = tmp.path().join("corpus");
    let status = std::process::Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/gen_iac_corpus.py"))
        .arg(&out)
        .args(["-n", "1000"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(status.success(), "the corpus generator failed");
    (Some(tmp), out)
}

/// Discovery, parsing, mapping and evaluation: what `rampart check DIR` does before
/// rendering.
fn run(engine: &Engine<'_>, ruleset: &Ruleset, paths: &[PathBuf]) -> usize {
    let discovery = rampart_iac::discover(paths, &[]).expect("discovery");
    let files: Vec<IacFile> = rampart_iac::parse_all(&discovery.files)
        .into_iter()
        .filter_map(|(path, parsed)| {
            Some(IacFile {
                uri: path.display().to_string(),
                document: parsed.ok()??,
            })
        })
        .collect();
    let now = DateTime::UNIX_EPOCH;
    let model = build(&files, &Context::none(), &ruleset.parameters, now);
    let inputs = CheckInputs {
        files: files.len(),
        ..CheckInputs::default()
    };
    check(engine, &model, &inputs, now).findings.len()
}

fn check_corpus(c: &mut Criterion) {
    let ruleset = Ruleset::bundled().expect("bundled ruleset");
    let catalog = Catalog::bundled().expect("bundled catalog");
    let engine = Engine::new(&catalog, &ruleset).expect("engine");
    let (_keep, dir) = corpus();
    let templates = rampart_iac::discover(std::slice::from_ref(&dir), &[])
        .expect("discovery")
        .files
        .len();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(templates as u64));
    group.bench_function("corpus_1000_templates", |b| {
        b.iter(|| run(&engine, &ruleset, black_box(std::slice::from_ref(&dir))))
    });
    let synth = tempfile::tempdir().expect("a temporary directory");
    let corpus =
        rampart_engine::synth::iac::generate_templates(&rampart_engine::synth::iac::IacSpec {
            templates: 1000,
            seed: 1,
        });
    for t in &corpus {
        let path = synth.path().join(&t.path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
        std::fs::write(&path, &t.text).expect("a template");
    }
    let synth_dir = synth.path().to_path_buf();
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("synth_iac_1000_templates", |b| {
        b.iter(|| {
            run(
                &engine,
                &ruleset,
                black_box(std::slice::from_ref(&synth_dir)),
            )
        })
    });
    group.throughput(Throughput::Elements(1));
    let small = Path::new(env!("CARGO_MANIFEST_DIR")).join(SMALL);
    group.bench_function("one_small_template", |b| {
        b.iter(|| run(&engine, &ruleset, black_box(std::slice::from_ref(&small))))
    });
    group.finish();
}

criterion_group!(benches, check_corpus);
criterion_main!(benches);
