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

/// 10k resources over 10 accounts: `scripts/bench`'s smallest organization.
const SPEC_10K: SynthSpec = SynthSpec {
    accounts: 10,
    resources: 10_000,
    seed: 7,
};

/// 100k resources over 100 accounts: a large landing zone (about 1,000 resources per
/// account, as `scripts/bench` generates them).
const SPEC_100K: SynthSpec = SynthSpec {
    accounts: 100,
    resources: 100_000,
    seed: 7,
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

fn evaluate_at(c: &mut Criterion, name: &str, spec: &SynthSpec) {
    let catalog = Catalog::bundled().expect("the bundled catalog loads");
    let ruleset = Ruleset::bundled().expect("the bundled ruleset loads");
    let engine = Engine::new(&catalog, &ruleset).expect("the bundled ruleset fits the catalog");
    let snapshot = generate(spec);
    c.bench_function(name, |b| {
        b.iter(|| engine.evaluate(black_box(&snapshot), snapshot.taken_at))
    });
}

fn evaluate_10k(c: &mut Criterion) {
    evaluate_at(c, "evaluate_10k", &SPEC_10K);
}

fn evaluate_100k(c: &mut Criterion) {
    evaluate_at(c, "evaluate_100k", &SPEC_100K);
}

criterion_group!(small, parse_sample);
criterion_group! {
    name = large;
    // Each iteration takes a fraction of a second: ten samples are plenty.
    config = Criterion::default().sample_size(10);
    targets = synth_100k, evaluate_10k, evaluate_100k
}
criterion_main!(small, large);
