//! `scp generate` on the sample organization: generation (resolve, merge, compact, pack),
//! the proof of the intents' examples, and the full proof with the differential check;
//! `scp diff` (the attached SCPs against the intents) and its impact preview over 10,000
//! CloudTrail records (560 distinct calls, from the sample records with varied callers).
//!
//! `cargo bench -p rampart-engine --bench scp`.

#![allow(clippy::expect_used, missing_docs, reason = "benchmark setup")]

use criterion::{criterion_group, criterion_main, Criterion};
use rampart_engine::scp::{generate, parse_events, Guardrails};

const EVENTS: &str = include_str!("../../../fixtures/cloudtrail/sample-events.jsonl");

fn bench(c: &mut Criterion) {
    let snapshot = rampart_engine::model::sample_snapshot().expect("sample");
    let ruleset = rampart_engine::ruleset::Ruleset::bundled().expect("ruleset");
    let guardrails = Guardrails::bundled().expect("guardrails");
    rampart_iam::catalog::ActionCatalog::get().expect("catalog");
    let mut group = c.benchmark_group("scp");
    group.sample_size(10);
    group.bench_function("generate", |b| {
        b.iter(|| generate(&snapshot, &guardrails, &ruleset.parameters, None).expect("fits"))
    });
    let g = generate(&snapshot, &guardrails, &ruleset.parameters, None).expect("fits");
    group.bench_function("prove_examples", |b| {
        b.iter(|| assert!(g.verify(false).expect("catalog").proven()))
    });
    group.bench_function("prove_with_differential", |b| {
        b.iter(|| assert!(g.verify(true).expect("catalog").proven()))
    });
    group.bench_function("diff", |b| b.iter(|| g.diff()));
    let lines: Vec<&str> = EVENTS.lines().collect();
    let records: String = (0..10_000)
        .map(|i| {
            let n = i % 40;
            lines[i % lines.len()]
                .replace("workload-admin", &format!("workload-admin-{n}"))
                .replace("app-deployer", &format!("app-deployer-{n}"))
                .replace("app-writer", &format!("app-writer-{n}"))
                + "\n"
        })
        .collect();
    group.bench_function("impact_10k_records", |b| {
        b.iter(|| {
            let events = parse_events(&records).expect("records");
            g.impact(&events).expect("catalog")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
