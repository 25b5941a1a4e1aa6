//! Live collection of the seeded emulator organization (11 accounts, 2 regions): wall-clock
//! time of one whole `collect` (organization, then every account, region and service).
//!
//! Needs `moto_server` in `.venv` (`scripts/test` installs it). The emulator's own speed
//! dominates: this measures rampart's scheduling and call count against a fixed server,
//! not AWS latency.

#![allow(clippy::expect_used, reason = "benchmark setup")]

#[path = "../../../tests/common/moto.rs"]
mod moto;

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use rampart_aws::{collect_blocking, CollectOptions, NoProgress, Regions};

fn bench(c: &mut Criterion) {
    let server = moto::Moto::start();
    server.seed(&[]);
    // Set once, before any thread starts: the SDK's standard credential and retry chain.
    for (key, value) in [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_MAX_ATTEMPTS", "2"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        std::env::set_var(key, value);
    }
    let options = CollectOptions {
        regions: Regions::List(vec!["eu-west-1".to_owned(), "us-east-1".to_owned()]),
        endpoint_url: Some(server.url.clone()),
        ..CollectOptions::default()
    };
    let first = collect_blocking(&options, Arc::new(NoProgress)).expect("collection");
    eprintln!(
        "seeded organization: {} accounts, {} API calls, {} gaps",
        first.snapshot.accounts.len(),
        first.summary.api_calls,
        first.summary.gaps
    );
    let mut group = c.benchmark_group("collect");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    group.bench_function("seeded_org_11_accounts_2_regions", |b| {
        b.iter(|| collect_blocking(&options, Arc::new(NoProgress)).expect("collection"));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
