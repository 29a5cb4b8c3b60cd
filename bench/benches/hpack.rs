//! Criterion: HPACK decode and encode over the hpack-test-case stories, ours against h2 (see
//! `bench::hpack` for what each side includes).

use bench::hpack;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn hpack_benches(c: &mut Criterion) {
    let Some((raw, encoded)) = hpack::corpus() else {
        eprintln!("SKIPPED: hpack-test-case corpus not found");
        return;
    };
    let streams: Vec<_> = encoded.iter().map(|s| hpack::frames(&s.blocks)).collect();
    let fields: u64 = encoded
        .iter()
        .flat_map(|s| &s.lists)
        .map(|l| l.len() as u64)
        .sum();
    let mut list = hpack::OwnedList::default();
    let mut group = c.benchmark_group("hpack-decode");
    group.throughput(Throughput::Elements(fields));
    group.bench_function("ours", |b| {
        b.iter(|| hpack::decode_ours(black_box(&streams), &mut list))
    });
    group.bench_function("h2", |b| b.iter(|| hpack::decode_h2(black_box(&streams)).1));
    group.finish();

    let prepared: Vec<Vec<_>> = raw
        .iter()
        .map(|s| s.lists.iter().map(hpack::prepare_h2).collect())
        .collect();
    let h2_lists: Vec<Vec<_>> = prepared
        .iter()
        .map(|s: &Vec<(hpack::H2List, hpack::HeaderList)>| {
            s.iter().map(|(h, _)| h.clone()).collect()
        })
        .collect();
    let our_lists: Vec<Vec<_>> = prepared
        .iter()
        .map(|s| s.iter().map(|(_, o)| o.clone()).collect())
        .collect();
    let fields: u64 = our_lists
        .iter()
        .flatten()
        .map(|l: &hpack::HeaderList| l.len() as u64)
        .sum();
    let mut out = Vec::new();
    let mut group = c.benchmark_group("hpack-encode");
    group.throughput(Throughput::Elements(fields));
    group.bench_function("ours", |b| {
        b.iter(|| hpack::encode_ours(black_box(&our_lists), &mut out))
    });
    group.bench_function("h2", |b| b.iter(|| hpack::encode_h2(black_box(&h2_lists))));
    group.finish();

    let (huffman, coded_bytes) = hpack::huffman_frames(&raw);
    let mut group = c.benchmark_group("hpack-huffman-decode");
    group.throughput(Throughput::Bytes(coded_bytes));
    group.bench_function("ours", |b| {
        b.iter(|| hpack::decode_ours(black_box(&huffman), &mut list))
    });
    group.bench_function("h2", |b| b.iter(|| hpack::decode_h2(black_box(&huffman)).1));
    group.finish();
}

criterion_group!(benches, hpack_benches);
criterion_main!(benches);
