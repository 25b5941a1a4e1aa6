//! `iam effective` over the sample organization: an administrator (every catalog action)
//! and a scoped deploy role, after SCPs, RCPs, boundaries and resource policies.
//!
//! `cargo bench -p rampart-engine --bench effective`.

#![allow(clippy::expect_used, missing_docs, reason = "benchmark setup")]

use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    // `iam effective` over the sample organization: an administrator (every catalog action)
    // and a scoped deploy role, after SCPs, RCPs, boundaries and resource policies.
    let snapshot = rampart_engine::model::sample_snapshot().expect("sample");
    let ruleset = rampart_engine::ruleset::Ruleset::bundled().expect("ruleset");
    let facts = rampart_engine::facts::Facts::derive(&snapshot, &ruleset.parameters);
    let catalog = rampart_iam::catalog::ActionCatalog::get().expect("catalog");
    let account = snapshot.account("888899990000").expect("app-prod account");
    let mut effective = c.benchmark_group("iam_effective");
    effective.sample_size(10);
    for name in ["OrganizationAccountAccessRole", "prod-deploy"] {
        let role = account
            .iam
            .roles
            .iter()
            .find(|r| r.name == name)
            .expect("sample role");
        let policies = rampart_engine::facts::iam::role_policies(&snapshot, &facts, account, role)
            .expect("policies");
        effective.bench_function(name, |b| {
            b.iter(|| {
                rampart_engine::facts::iam::effective_permissions(
                    &snapshot,
                    &facts,
                    catalog,
                    &policies,
                    rampart_engine::facts::iam::ActionSelector::All,
                )
            })
        });
    }
    effective.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
