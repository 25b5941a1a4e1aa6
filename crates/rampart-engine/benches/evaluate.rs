//! Benchmarks of the snapshot pipeline: parsing the bundled sample, generating a synthetic
//! organization, and evaluating every bundled rule over it.
//!
//! `cargo bench --bench evaluate` (add `-- --test` for a quick smoke run).

#![allow(clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use rampart_engine::model::parse_snapshot;
use rampart_engine::rules::{Catalog, Engine};
use rampart_engine::ruleset::Ruleset;
use rampart_engine::synth::{generate, SynthSpec};

const SAMPLE: &str = include_str!("../../../fixtures/orgs/sample/snapshot.json");

/// 100k resources over 200 accounts: a large landing zone.
const SPEC_100K: SynthSpec = SynthSpec {
    accounts: 200,
    resources: 100_000,
    seed: 1,
};

fn parse_sample(c: &mut Criterion) {
    c.bench_function("parse_sample", |b| {
        b.iter(|| {
            parse_snapshot(
                black_box(SAMPLE),
                Path::new("fixtures/orgs/sample/snapshot.json"),
            )
            .expect("the sample parses")
        })
    });
}

fn synth_100k(c: &mut Criterion) {
    c.bench_function("synth_100k", |b| b.iter(|| generate(black_box(&SPEC_100K))));
}

fn evaluate_100k(c: &mut Criterion) {
    let catalog = Catalog::bundled().expect("the bundled catalog loads");
    let ruleset = Ruleset::bundled().expect("the bundled ruleset loads");
    let engine = Engine::new(&catalog, &ruleset).expect("the bundled ruleset fits the catalog");
    let snapshot = generate(&SPEC_100K);
    c.bench_function("evaluate_100k", |b| {
        b.iter(|| engine.evaluate(black_box(&snapshot), snapshot.taken_at))
    });
}

criterion_group!(small, parse_sample);
criterion_group! {
    name = large;
    // Each iteration takes a fraction of a second: ten samples are plenty.
    config = Criterion::default().sample_size(10);
    targets = synth_100k, evaluate_100k
}
criterion_main!(small, large);
