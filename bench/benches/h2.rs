//! Criterion: HTTP/2 in memory, `h2-proto` against hyperium `h2` (see `bench::h2`).

use bench::h2;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn connections(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");

    let mut group = c.benchmark_group("h2-requests");
    group.throughput(Throughput::Elements(h2::REQUESTS as u64));
    group.bench_function("ours", |b| b.iter(h2::requests_ours));
    group.bench_function("h2", |b| b.iter(|| h2::requests_hyper(&rt)));
    group.finish();

    let body = bytes::Bytes::from(vec![0x5au8; h2::BULK_BYTES]);
    let mut group = c.benchmark_group("h2-bulk");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(h2::BULK_BYTES as u64));
    group.bench_function("ours", |b| b.iter(|| h2::bulk_ours(&body)));
    group.bench_function("h2", |b| b.iter(|| h2::bulk_hyper(&rt, &body)));
    group.finish();
}

criterion_group!(benches, connections);
criterion_main!(benches);
