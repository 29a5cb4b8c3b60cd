//! Criterion: QUIC varint decode and encode, ours against `octets`.

use bench::varint;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn varints(c: &mut Criterion) {
    let values = varint::values();
    let input = varint::encoded(&values);
    let mut out = vec![0u8; input.len()];

    let mut group = c.benchmark_group("varint-decode");
    group.throughput(Throughput::Elements(varint::COUNT as u64));
    group.bench_function("ours", |b| {
        b.iter(|| varint::decode_ours(black_box(&input)))
    });
    group.bench_function("octets", |b| {
        b.iter(|| varint::decode_octets(black_box(&input)))
    });
    group.finish();

    let mut group = c.benchmark_group("varint-encode");
    group.throughput(Throughput::Elements(varint::COUNT as u64));
    group.bench_function("ours", |b| {
        b.iter(|| varint::encode_ours(black_box(&values), &mut out))
    });
    group.bench_function("octets", |b| {
        b.iter(|| varint::encode_octets(black_box(&values), &mut out))
    });
    group.finish();
}

criterion_group!(benches, varints);
criterion_main!(benches);
