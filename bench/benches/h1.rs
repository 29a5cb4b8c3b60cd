//! Criterion benches for HTTP/1.1: the same workloads as `compare`'s `h1-*` lines.

use bench::h1::{
    KITTYHELL, SHORT, chunked_body, chunked_httparse, chunked_ours, parse_httparse, parse_ours,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use h1_proto::{Config, RequestParser};
use std::hint::black_box;

fn parse(c: &mut Criterion) {
    let mut parser = RequestParser::new(Config::default());
    for (name, input) in [("kittyhell", KITTYHELL), ("short", SHORT)] {
        let mut group = c.benchmark_group(format!("h1-parse-{name}"));
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function("h1-proto", |b| {
            b.iter(|| parse_ours(&mut parser, black_box(input)))
        });
        group.bench_function("httparse", |b| b.iter(|| parse_httparse(black_box(input))));
        group.finish();
    }
}

fn chunked(c: &mut Criterion) {
    let body = chunked_body(64, 1024);
    let config = Config::default();
    let mut group = c.benchmark_group("h1-chunked");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("h1-proto", |b| {
        b.iter(|| chunked_ours(black_box(&body), &config))
    });
    group.bench_function("httparse", |b| {
        b.iter(|| chunked_httparse(black_box(&body)))
    });
    group.finish();
}

criterion_group!(benches, parse, chunked);
criterion_main!(benches);
