//! Loading a catalog of 1,000 manifests: parse and validate every file from a manifest path,
//! as `integrations list` does with a large INTEGRATIONS_MANIFEST_PATH.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
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
    let paths = vec![manifests];
    let mut group = c.benchmark_group("catalog");
    group.sample_size(20);
    group.bench_function("load and validate 1000 manifests", |b| {
        b.iter(|| {
            let catalog = Catalog::load_with_paths(project.path(), &paths).unwrap();
            assert_eq!(
                catalog.manifests().unwrap().len(),
                1000 + Catalog::builtin().ids().count()
            );
        })
    });
    group.bench_function("builtin catalog: parse every manifest", |b| {
        b.iter(|| Catalog::builtin().manifests().unwrap().len())
    });
    let stripe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/manifests/stripe.yaml"
    ))
    .unwrap();
    group.bench_function("parse stripe x1000", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                integrations::manifest::parse(&stripe, std::path::Path::new("x.yaml")).unwrap();
            }
        })
    });
    group.bench_function("parse to json value x1000", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                let _: serde_json::Value = serde_saphyr::from_str(&stripe).unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, load_1000);
criterion_main!(benches);
