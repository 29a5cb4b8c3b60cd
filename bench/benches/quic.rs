//! Criterion: QUIC packet protection (ours against raw ring AES-128-GCM) and frame
//! encode/decode of a typical ACK+STREAM 1-RTT payload, in packets per second.

use bench::quic;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn seal_open(c: &mut Criterion) {
    let mut group = c.benchmark_group("quic-seal-open");
    group.throughput(Throughput::Elements(1));
    let mut ours = quic::Ours::new();
    group.bench_function("ours", |b| b.iter(|| black_box(ours.seal_open())));
    let mut peer = quic::RawRing::new();
    group.bench_function("ring", |b| b.iter(|| black_box(peer.seal_open())));
    group.finish();
}

fn frames(c: &mut Criterion) {
    let payload = quic::ack_stream_payload();
    let data = vec![0x61u8; 1100];
    let mut out = Vec::with_capacity(quic::PACKET);
    let mut group = c.benchmark_group("quic-frames-ack-stream");
    group.throughput(Throughput::Elements(1));
    group.bench_function("encode", |b| {
        b.iter(|| quic::frames_encode(black_box(&data), &mut out))
    });
    group.bench_function("decode", |b| {
        b.iter(|| quic::frames_decode(black_box(&payload)))
    });
    group.finish();
}

criterion_group!(benches, seal_open, frames);
criterion_main!(benches);
