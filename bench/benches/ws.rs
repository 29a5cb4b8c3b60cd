//! Criterion benches of the `compare` workloads for WebSocket frames.

use bench::ws::{
    LARGE, SMALL, Sink, client_frames, decode_fastwebsockets, decode_ours, decode_ours_copying,
    decode_tungstenite, encode_fastwebsockets, encode_ours, encode_tungstenite, payload,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn ws(c: &mut Criterion) {
    for w in [SMALL, LARGE] {
        let data = payload(w.size);
        let input = client_frames(&data, w.count);
        let mut group = c.benchmark_group(format!("ws-{}B", w.size));
        group.throughput(Throughput::Bytes((w.size * w.count) as u64));
        let mut buf = Vec::new();
        group.bench_function("decode/ws-proto", |b| {
            b.iter(|| decode_ours(&input, &mut buf))
        });
        group.bench_function("decode/ws-proto-lent", |b| {
            b.iter(|| decode_ours_copying(&input, &mut buf, true))
        });
        group.bench_function("decode/ws-proto-owned", |b| {
            b.iter(|| decode_ours_copying(&input, &mut buf, false))
        });
        group.bench_function("decode/tungstenite", |b| {
            b.iter(|| decode_tungstenite(&input, w.count))
        });
        group.bench_function("decode/fastwebsockets", |b| {
            b.iter(|| decode_fastwebsockets(&input, w.count))
        });
        let (mut out, mut sink) = (Vec::new(), Sink::default());
        group.bench_function("encode/ws-proto", |b| {
            b.iter(|| encode_ours(&data, w.count, &mut out, &mut sink))
        });
        let bytes = tungstenite::Bytes::from(data.clone());
        let mut socket = tungstenite::protocol::frame::FrameSocket::new(Sink::default());
        group.bench_function("encode/tungstenite", |b| {
            b.iter(|| encode_tungstenite(&bytes, w.count, &mut socket))
        });
        let mut scratch = Vec::new();
        group.bench_function("encode/fastwebsockets", |b| {
            b.iter(|| encode_fastwebsockets(&data, w.count, &mut scratch, None))
        });
        group.finish();
    }
}

criterion_group!(benches, ws);
criterion_main!(benches);
