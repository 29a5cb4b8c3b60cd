//! Criterion: QPACK encode and decode over the qifs inputs, ours against `ls-qpack`.

use bench::qpack;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn qpack(c: &mut Criterion) {
    for (name, sections) in qpack::inputs() {
        let plain = qpack::plain_bytes(&sections) as u64;
        let records = qpack::encode_peer(&sections);
        let peer_input = qpack::peer_input(&sections);

        let mut group = c.benchmark_group(format!("qpack-decode-{name}"));
        group.throughput(Throughput::Bytes(plain));
        group.bench_function("ours", |b| {
            b.iter(|| qpack::decode_ours(black_box(&records)))
        });
        group.bench_function("ls-qpack", |b| {
            b.iter(|| qpack::decode_peer(black_box(&records)))
        });
        group.finish();

        let mut group = c.benchmark_group(format!("qpack-encode-{name}"));
        group.throughput(Throughput::Bytes(plain));
        group.bench_function("ours", |b| {
            b.iter(|| qpack::encode_ours(black_box(&sections)))
        });
        group.bench_function("ls-qpack", |b| {
            b.iter(|| qpack::encode_peer_input(black_box(&peer_input)))
        });
        group.finish();
    }
}

criterion_group!(benches, qpack);
criterion_main!(benches);
