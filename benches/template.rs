//! Criterion benchmark of the template loader against a bare calamine read of the same sheet,
//! on a generated 10,000-space template (10 buildings × 10 floors × 100 spaces). The 100,000-
//! space figures in the README come from `examples/template_bench.rs`, which also measures
//! peak memory per process.

use calamine::{Reader, Xlsx};
use criterion::{Criterion, criterion_group, criterion_main};
use spacebridge::template::{self, LoadOptions, generate};

fn loading(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bench.xlsx");
    let shape = generate::Shape {
        buildings: 10,
        floors_per_building: 10,
        spaces_per_floor: 100,
    };
    generate::write(&path, shape).expect("the generated template is written");
    let mut group = c.benchmark_group("template 10k spaces");
    group.sample_size(20);
    group.bench_function("bare calamine read", |b| {
        b.iter(|| {
            let mut book: Xlsx<_> = calamine::open_workbook(&path).expect("opens");
            book.worksheet_range("Space Data")
                .expect("reads")
                .get_size()
        });
    });
    group.bench_function("parse + validate", |b| {
        b.iter(|| {
            template::load(&path, &LoadOptions::default())
                .expect("loads")
                .counts
        });
    });
    group.finish();
}

criterion_group!(benches, loading);
criterion_main!(benches);
