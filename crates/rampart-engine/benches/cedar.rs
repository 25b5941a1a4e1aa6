//! The two Cedar backends on the whole bundled Cedar catalog over synthetic organizations:
//! the reference (cedar-policy's `Authorizer`, entities built one account at a time) and
//! the compiled one (expression trees over the model). Facts are derived once, outside the
//! measurement; each iteration evaluates every Cedar rule on every resource.
//!
//! `load` measures what every run pays first: parsing the bundled policies into rules and
//! compiling them (in-process, so after the first iteration; a fresh process also builds
//! the Cedar lexer's automaton, measured in docs/benchmarks-check.md).
//!
//! `cargo bench --bench cedar` (add `-- --test` for a quick smoke run).

#![allow(clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rampart_engine::facts::Facts;
use rampart_engine::rules::cedar::{CedarBackend, CompiledBackend, ReferenceBackend};
use rampart_engine::rules::{PolicyStore, RuleContext};
use rampart_engine::ruleset::Ruleset;
use rampart_engine::synth::{generate, SynthSpec};

fn backends(c: &mut Criterion) {
    let store = PolicyStore::bundled().expect("the bundled policies load");
    let ruleset = Ruleset::bundled().expect("the bundled ruleset loads");
    let ids: Vec<(usize, &str)> = store
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.id.as_str()))
        .collect();
    let mut group = c.benchmark_group("cedar");
    // Each iteration takes up to seconds: ten samples are plenty.
    group.sample_size(10);
    for (accounts, resources) in [(20, 10_000), (200, 100_000)] {
        let snapshot = generate(&SynthSpec {
            accounts,
            resources,
            seed: 1,
        });
        let facts = Facts::derive(&snapshot, &ruleset.parameters);
        let cx = RuleContext {
            snapshot: &snapshot,
            facts: &facts,
            now: snapshot.taken_at,
        };
        group.throughput(Throughput::Elements(resources as u64));
        let compiled = CompiledBackend::new(&store);
        group.bench_with_input(BenchmarkId::new("compiled", resources), &cx, |b, cx| {
            b.iter(|| compiled.evaluate(black_box(cx), &ids))
        });
        let reference = ReferenceBackend::new(&store);
        group.bench_with_input(BenchmarkId::new("reference", resources), &cx, |b, cx| {
            b.iter(|| reference.evaluate(black_box(cx), &ids))
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("cedar_load");
    group.bench_function("bundled_policies", |b| {
        b.iter(|| PolicyStore::bundled().expect("the bundled policies load"))
    });
    let store = PolicyStore::bundled().expect("the bundled policies load");
    group.bench_function("compile", |b| {
        b.iter(|| CompiledBackend::new(black_box(&store)))
    });
    group.finish();
}

criterion_group!(cedar, load, backends);
criterion_main!(cedar);
