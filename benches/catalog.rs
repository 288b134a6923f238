//! Loading a catalog of 1,000 manifests from a manifest path, as `integrations list` does with
//! a large INTEGRATIONS_MANIFEST_PATH: warm (validated manifests come from the cache) and cold
//! (every file parsed and validated, then cached), next to the built-in catalog.

use std::path::PathBuf;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use integrations::catalog::Catalog;

fn generated_catalog(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let manifests = dir.path().join("manifests");
    std::fs::create_dir_all(&manifests).unwrap();
    let stripe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/manifests/stripe.yaml"
    ))
    .unwrap();
    for i in 0..n {
        let id = format!("provider-{i:04}");
        let text = stripe
            .replacen("id: stripe", &format!("id: {id}"), 1)
            .replace("STRIPE_", &format!("P{i}_"));
        std::fs::write(manifests.join(format!("{id}.yaml")), text).unwrap();
    }
    (dir, manifests)
}

fn load_1000(c: &mut Criterion) {
    let (_keep, manifests) = generated_catalog(1000);
    let project = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    // SAFETY: set before any thread is spawned; the benchmark runs on this thread only.
    unsafe { std::env::set_var("INTEGRATIONS_CACHE_DIR", cache.path()) };
    let paths = vec![manifests];
    let builtin = Catalog::builtin().ids().count();
    let load = || {
        let catalog = Catalog::load_with_paths(project.path(), &paths).unwrap();
        assert_eq!(catalog.manifests().unwrap().len(), 1000 + builtin);
    };
    let mut group = c.benchmark_group("catalog");
    group.sample_size(20);
    load(); // fill the cache
    group.bench_function("1000 manifests, warm cache", |b| b.iter(load));
    group.bench_function("1000 manifests, cold (parse + validate + cache)", |b| {
        b.iter_batched(
            || {
                let fresh = tempfile::tempdir().unwrap();
                // SAFETY: as above.
                unsafe { std::env::set_var("INTEGRATIONS_CACHE_DIR", fresh.path()) };
                fresh
            },
            |fresh| {
                load();
                drop(fresh);
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("built-in catalog, every manifest parsed", |b| {
        b.iter(|| Catalog::builtin().manifests().unwrap().len())
    });
    group.finish();
}

criterion_group!(benches, load_1000);
criterion_main!(benches);
