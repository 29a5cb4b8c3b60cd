//! Autobahn groups 12 and 13 (permessage-deflate) equivalents. The peer's compression is
//! flate2 (miniz_oxide), independent of our zlib-rs; window limits are checked by inflating our
//! output with zlib-rs restricted to exactly the agreed window.
#![cfg(feature = "deflate")]

mod common;

use common::*;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use ws_proto::{
    ClientHandshake, Config, Connection, DeflateConfig, DeflateParams, Event, ServerHandshake,
};

/// The peer's side of permessage-deflate, on flate2.
struct Peer {
    compress: Compress,
    decompress: Decompress,
    reset_compress: bool,
    reset_decompress: bool,
}

impl Peer {
    fn new(own_no_context_takeover: bool, other_no_context_takeover: bool) -> Self {
        Self {
            compress: Compress::new(Compression::new(6), false),
            decompress: Decompress::new(false),
            reset_compress: own_no_context_takeover,
            reset_decompress: other_no_context_takeover,
        }
    }

    fn deflate(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() + 64);
        let mut input = data;
        loop {
            let before_in = self.compress.total_in();
            out.reserve(4096 + input.len());
            self.compress
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .unwrap();
            input = &input[(self.compress.total_in() - before_in) as usize..];
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
        }
        assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
        out.truncate(out.len() - 4);
        if self.reset_compress {
            self.compress.reset();
        }
        out
    }

    fn inflate(&mut self, data: &[u8]) -> Vec<u8> {
        let input = [data, &[0, 0, 0xff, 0xff]].concat();
        let mut out = Vec::with_capacity(data.len() * 4 + 64);
        let mut consumed = 0;
        loop {
            let before_in = self.decompress.total_in();
            out.reserve(out.capacity().max(4096));
            self.decompress
                .decompress_vec(&input[consumed..], &mut out, FlushDecompress::Sync)
                .unwrap();
            consumed += (self.decompress.total_in() - before_in) as usize;
            if consumed == input.len() && out.len() < out.capacity() {
                break;
            }
        }
        if self.reset_decompress {
            self.decompress.reset(false);
        }
        out
    }
}

/// Payloads of the 12.x groups: compressible text, incompressible bytes, repetitive bytes.
fn payload(kind: usize, len: usize, seed: u64) -> Vec<u8> {
    match kind {
        0 => {
            let text = "The WebSocket Protocol enables two-way communication between a client \
                        running untrusted code in a controlled environment to a remote host. ";
            text.bytes()
                .cycle()
                .skip(seed as usize % 50)
                .take(len)
                .collect()
        }
        1 => {
            let mut x = seed | 1;
            (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect()
        }
        _ => (0..len).map(|i| (i / 100) as u8).collect(),
    }
}

fn deflate_server(params: DeflateParams) -> Connection {
    Connection::server(Config::default())
        .with_deflate(params, &DeflateConfig::default())
        .unwrap()
}

/// Sends `messages` from a flate2 peer to our echo server and checks the echoes, decompressed
/// by the peer, match.
fn run_group_12(params: DeflateParams, kind: usize, len: usize, messages: usize) {
    let mut peer = Peer::new(
        params.client_no_context_takeover,
        params.server_no_context_takeover,
    );
    let mut server = deflate_server(params);
    for i in 0..messages {
        let data = payload(kind, len, i as u64);
        let opcode = if kind == 0 { 1 } else { 2 };
        let compressed = peer.deflate(&data);
        let input = raw(true, 4, opcode, &compressed, true);
        let mut out = Vec::new();
        for chunk in input.chunks(1 + (i * 37) % 3000) {
            assert_eq!(server.handle_input(chunk).unwrap(), chunk.len());
            while let Some(event) = server.poll_event() {
                match event {
                    Event::Text(t) => server.send_text(&t, &mut out).unwrap(),
                    Event::Binary(b) => server.send_binary(&b, &mut out).unwrap(),
                    other => panic!("{other:?}"),
                }
            }
        }
        let frames = parse(&out);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].rsv, 4, "RSV1 on the compressed message");
        assert_eq!(frames[0].opcode, opcode);
        assert_eq!(
            peer.inflate(&frames[0].payload),
            data,
            "12.x kind {kind} len {len} #{i}"
        );
    }
}

#[test]
fn group_12_deflate_payloads_of_every_size() {
    for kind in 0..3 {
        for len in [
            16usize, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072,
        ] {
            let messages = if len >= 65536 { 2 } else { 6 };
            run_group_12(DeflateParams::default(), kind, len, messages);
        }
    }
}

#[test]
fn group_12_fragmented_and_interleaved() {
    // A compressed message split over frames (RSV1 on the first only) with a ping between.
    let params = DeflateParams::default();
    let mut peer = Peer::new(false, false);
    let mut server = deflate_server(params);
    let data = payload(0, 5000, 3);
    let compressed = peer.deflate(&data);
    let (a, b) = compressed.split_at(compressed.len() / 2);
    let input = [
        raw(false, 4, 1, a, true),
        cf(true, 9, b"p"),
        raw(true, 0, 0, b, true),
    ]
    .concat();
    let used = server.handle_input(&input).unwrap();
    assert_eq!(used, input.len());
    assert_eq!(server.poll_event(), Some(Event::Ping(b"p".to_vec())));
    assert_eq!(
        server.poll_event(),
        Some(Event::Text(String::from_utf8(data).unwrap()))
    );
    // RSV1 on a continuation frame, or on a control frame, fails with 1002.
    for bad in [
        [raw(false, 4, 1, a, true), raw(true, 4, 0, b, true)].concat(),
        raw(true, 4, 9, b"", true),
    ] {
        let o = echo_with(deflate_server(params), &bad, usize::MAX);
        o.assert_failed(1002);
    }
    // Corrupt DEFLATE data fails with 1007.
    let o = echo_with(
        deflate_server(params),
        &raw(true, 4, 2, &[0xff, 0xff, 0xff], true),
        1,
    );
    o.assert_failed(1007);
    // Compressed text that inflates to invalid UTF-8 fails with 1007.
    let bad_text = Peer::new(true, true).deflate(&[b'a', 0xc0, 0x80]);
    echo_with(deflate_server(params), &raw(true, 4, 1, &bad_text, true), 1).assert_failed(1007);
}

#[test]
fn group_12_deflate_bomb_is_bounded() {
    let config = Config {
        max_message_size: 1 << 20,
        ..Config::default()
    };
    let bomb = Peer::new(true, true).deflate(&vec![0u8; 4 << 20]);
    assert!(bomb.len() < 10_000);
    let server = Connection::server(config)
        .with_deflate(DeflateParams::default(), &DeflateConfig::default())
        .unwrap();
    let o = echo_with(server, &raw(true, 4, 2, &bomb, true), 4096);
    o.assert_failed(1009);
}

/// Inflates a sequence of compressed payloads with zlib-rs limited to `window_bits`: fails if a
/// back-reference reaches beyond the window.
fn inflate_with_window(payloads: &[Vec<u8>], window_bits: u8, reset_each: bool) -> Vec<Vec<u8>> {
    let mut inflate = zlib_rs::Inflate::new(false, window_bits);
    let mut messages = Vec::new();
    for p in payloads {
        let input = [&p[..], &[0, 0, 0xff, 0xff]].concat();
        let mut out = vec![0u8; 1 << 20];
        let before = inflate.total_out();
        inflate
            .decompress(&input, &mut out, zlib_rs::InflateFlush::SyncFlush)
            .unwrap_or_else(|e| panic!("window {window_bits}: {e:?}"));
        out.truncate((inflate.total_out() - before) as usize);
        messages.push(out);
        if reset_each {
            inflate.reset(false);
        }
    }
    messages
}

/// Feeds all of `input`, polling events between calls as the contract asks.
fn feed_all(conn: &mut Connection, mut input: &[u8]) -> Vec<Event> {
    let mut events = Vec::new();
    while !input.is_empty() {
        let used = conn.handle_input(input).unwrap();
        events.extend(std::iter::from_fn(|| conn.poll_event()));
        assert!(used > 0);
        input = &input[used..];
    }
    events
}

#[test]
fn group_13_parameter_combinations() {
    // (case, client config, server config): the client's offer and the server's policy.
    let d = DeflateConfig::default();
    let combos: Vec<(&str, DeflateConfig, DeflateConfig)> = vec![
        ("13.1 defaults", d, d),
        (
            "13.2 client_no_context_takeover",
            DeflateConfig {
                client_no_context_takeover: true,
                ..d
            },
            d,
        ),
        (
            "13.3 client_max_window_bits=9",
            DeflateConfig {
                client_max_window_bits: Some(9),
                ..d
            },
            d,
        ),
        (
            "13.4 client_max_window_bits=15",
            DeflateConfig {
                client_max_window_bits: Some(15),
                ..d
            },
            d,
        ),
        (
            "13.5 no takeover + window 9",
            DeflateConfig {
                client_no_context_takeover: true,
                client_max_window_bits: Some(9),
                ..d
            },
            d,
        ),
        (
            "13.6 no takeover + window 15",
            DeflateConfig {
                client_no_context_takeover: true,
                client_max_window_bits: Some(15),
                ..d
            },
            d,
        ),
        (
            "13.7 server window 9",
            DeflateConfig {
                server_max_window_bits: Some(9),
                ..d
            },
            d,
        ),
        (
            "13.7 server no takeover",
            DeflateConfig {
                server_no_context_takeover: true,
                ..d
            },
            d,
        ),
        (
            "13.x server limits the client",
            d,
            DeflateConfig {
                client_max_window_bits: Some(10),
                server_max_window_bits: Some(11),
                ..d
            },
        ),
        (
            "13.x server forbids takeover",
            d,
            DeflateConfig {
                client_no_context_takeover: true,
                server_no_context_takeover: true,
                ..d
            },
        ),
    ];
    for (case, client_config, server_config) in combos {
        let client_hs = ClientHandshake::new([5; 16]).deflate(client_config);
        let mut request = client_hs.request_fields();
        request.push(("Host".into(), "localhost".into()));
        let accepted = ServerHandshake::new()
            .deflate(server_config)
            .accept("GET", &request)
            .unwrap();
        let agreed = client_hs.verify_response(101, &accepted.fields).unwrap();
        let params = agreed.deflate.expect(case);
        assert_eq!(
            Some(params),
            accepted.negotiated.deflate.map(|p| DeflateParams {
                client_no_context_takeover: p.client_no_context_takeover
                    || client_config.client_no_context_takeover,
                client_max_window_bits: params.client_max_window_bits,
                ..p
            }),
            "{case}"
        );
        let mut client = Connection::client(Config::default(), || [9, 8, 7, 6])
            .with_deflate(params, &client_config)
            .unwrap();
        let mut server = Connection::server(Config::default())
            .with_deflate(accepted.negotiated.deflate.unwrap(), &server_config)
            .unwrap();
        let messages: Vec<Vec<u8>> = (0..12)
            .map(|i| payload(i % 3, 3000 + i * 700, i as u64))
            .collect();
        let mut to_server = Vec::new();
        let mut to_client = Vec::new();
        for m in &messages {
            client.send_binary(m, &mut to_server).unwrap();
            server.send_binary(m, &mut to_client).unwrap();
        }
        let got_server = feed_all(&mut server, &to_server);
        let got_client = feed_all(&mut client, &to_client);
        let expected: Vec<Event> = messages.iter().map(|m| Event::Binary(m.clone())).collect();
        assert!(got_server == expected, "{case}: server got other messages");
        assert!(got_client == expected, "{case}: client got other messages");
        // Each side stayed within its agreed window and context rules.
        let client_payloads: Vec<Vec<u8>> =
            parse(&to_server).into_iter().map(|f| f.payload).collect();
        let server_payloads: Vec<Vec<u8>> =
            parse(&to_client).into_iter().map(|f| f.payload).collect();
        let client_window = params.client_max_window_bits.unwrap_or(15);
        let server_window = params.server_max_window_bits.unwrap_or(15);
        assert_eq!(
            inflate_with_window(
                &client_payloads,
                client_window,
                params.client_no_context_takeover
            ),
            messages,
            "{case}"
        );
        assert_eq!(
            inflate_with_window(
                &server_payloads,
                server_window,
                params.server_no_context_takeover
            ),
            messages,
            "{case}"
        );
    }
}

#[test]
fn group_13_declined_offers() {
    // An 8-bit server window cannot be honoured by zlib: the offer is declined, and the
    // fallback offer (RFC 7692 §7.1.3) accepted.
    let request = [
        ("Host", "h"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
        (
            "Sec-WebSocket-Extensions",
            "permessage-deflate; server_max_window_bits=8",
        ),
    ];
    let server = ServerHandshake::new().deflate(DeflateConfig::default());
    let accepted = server.accept("GET", &request).unwrap();
    assert_eq!(accepted.negotiated.deflate, None);
    assert!(
        accepted
            .fields
            .iter()
            .all(|(n, _)| n != "Sec-WebSocket-Extensions")
    );
    let mut with_fallback = request;
    with_fallback[5].1 =
        "permessage-deflate; server_max_window_bits=8, permessage-deflate; client_max_window_bits";
    let accepted = server.accept("GET", &with_fallback).unwrap();
    assert_eq!(accepted.negotiated.deflate, Some(DeflateParams::default()));
    // Without an agreed extension, RSV1 is a protocol error.
    echo_with(
        Connection::server(Config::default()),
        &raw(
            true,
            4,
            1,
            &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
            true,
        ),
        1,
    )
    .assert_failed(1002);
}
