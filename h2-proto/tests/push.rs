//! Server push (RFC 9113 §8.4): our server against our client, and each against a scripted
//! peer writing raw frames for the violations: push disabled, bad stream ids, promises on
//! streams in the wrong state, unsafe promised requests, frames on reserved streams, the
//! concurrency limit counting pushed streams, the reserved-stream cap, and cancellation.

mod common;

use common::script::*;
use h2_proto::connection::{Limits, PREFACE};
use h2_proto::frame::{self, Frame, StreamId, kind, setting};
use h2_proto::http_fields::Malformed;
use h2_proto::{Config, Connection, ErrorCode, Event, HeadersKind, UserError};
use qpack_hpack::hpack;

const CSS: [(&str, &str); 4] = [
    (":method", "GET"),
    (":scheme", "https"),
    (":authority", "a.example"),
    (":path", "/style.css"),
];

fn id(n: u32) -> StreamId {
    StreamId::new(n)
}

/// The server's side of a request on stream 1 (GET /), still open for the response.
fn requested(client: &mut Connection, server: &mut Connection) -> StreamId {
    let stream = client.send_request(fields(&GET), true).unwrap();
    pump(client, server);
    assert!(events(server).iter().any(|e| matches!(
        e,
        Event::Headers { stream: s, kind: HeadersKind::Request, .. } if *s == stream
    )));
    stream
}

#[test]
fn our_server_pushes_to_our_client() {
    let (mut client, mut server) = pair(Config::default().with_push(true), Config::default());
    assert!(server.peer_settings().enable_push);
    let stream = requested(&mut client, &mut server);

    let promised = server.push_promise(stream, fields(&CSS)).unwrap();
    assert_eq!(promised, id(2));
    assert_eq!(server.reserved_streams(), 1);
    // The associated response first, then the pushed one.
    server
        .send_headers(stream, fields(&[(":status", "200")]), false)
        .unwrap();
    server
        .send_data(stream, b"<link href=style.css>", true)
        .unwrap();
    server
        .send_headers(
            promised,
            fields(&[(":status", "200"), ("content-type", "text/css")]),
            false,
        )
        .unwrap();
    assert_eq!(server.reserved_streams(), 0);
    assert_eq!(server.send_data(promised, b"p{}", true).unwrap(), 3);
    pump(&mut server, &mut client);

    let got = events(&mut client);
    let promise = got
        .iter()
        .find_map(|e| match e {
            Event::PushPromise {
                stream: s,
                promised: p,
                headers,
            } => Some((*s, *p, headers)),
            _ => None,
        })
        .expect("a PushPromise event");
    assert_eq!((promise.0, promise.1), (stream, promised));
    let path = promise.2.iter().find(|h| &h.name[..] == b":path").unwrap();
    assert_eq!(&path.value[..], b"/style.css");
    let pushed_head = got.iter().position(|e| {
        matches!(e, Event::Headers { stream: s, kind: HeadersKind::Response(200), .. } if *s == promised)
    });
    let pushed_body = got.iter().position(|e| {
        matches!(e, Event::Data { stream: s, data, end_stream: true } if *s == promised && data == "p{}")
    });
    assert!(
        pushed_head.is_some() && pushed_body > pushed_head,
        "{got:?}"
    );
    // The promise came before anything on the promised stream.
    let promise_at = got
        .iter()
        .position(|e| matches!(e, Event::PushPromise { .. }));
    assert!(promise_at < pushed_head);
    assert_eq!(client.reserved_streams(), 0);
    assert_eq!(client.active_streams(), 0, "both streams closed");
    assert_eq!(server.active_streams(), 0);
}

#[test]
fn large_promised_requests_use_continuation_and_head_pushes_have_no_body() {
    let (mut client, mut server) = pair(Config::default().with_push(true), Config::default());
    let stream = requested(&mut client, &mut server);
    let big = "x".repeat(40_000);
    let mut head = CSS.to_vec();
    head[0] = (":method", "HEAD");
    head.push(("x-big", &big));
    let promised = server.push_promise(stream, fields(&head)).unwrap();
    server
        .send_headers(
            promised,
            fields(&[(":status", "200"), ("content-length", "1234")]),
            true,
        )
        .unwrap();
    server
        .send_headers(stream, fields(&[(":status", "204")]), true)
        .unwrap();
    pump(&mut server, &mut client);
    let got = events(&mut client);
    assert!(
        got.iter()
            .any(|e| matches!(e, Event::PushPromise { headers, .. }
        if headers.iter().any(|h| &h.name[..] == b"x-big" && h.value.len() == 40_000)))
    );
    // A HEAD response says content-length 1234 and has no body: fine (§8.1.1).
    assert!(got.iter().any(
        |e| matches!(e, Event::Headers { stream: s, end_stream: true, .. } if *s == promised)
    ));
    assert!(
        !got.iter().any(|e| matches!(e, Event::StreamReset { .. })),
        "{got:?}"
    );
}

#[test]
fn push_is_refused_when_the_client_disabled_it() {
    let (mut client, mut server) = pair(Config::default(), Config::default());
    assert!(
        !server.peer_settings().enable_push,
        "clients send ENABLE_PUSH = 0 by default"
    );
    let stream = requested(&mut client, &mut server);
    assert_eq!(
        server.push_promise(stream, fields(&CSS)),
        Err(UserError::PushDisabled)
    );
}

#[test]
fn push_promise_misuse_is_a_typed_error() {
    let (mut client, mut server) = pair(Config::default().with_push(true), Config::default());
    let stream = requested(&mut client, &mut server);
    assert_eq!(
        client.push_promise(stream, fields(&CSS)),
        Err(UserError::WrongRole)
    );
    let mut post = CSS.to_vec();
    post[0] = (":method", "POST");
    assert_eq!(
        server.push_promise(stream, fields(&post)),
        Err(UserError::Malformed(Malformed::NotPushable))
    );
    let mut with_body = CSS.to_vec();
    with_body.push(("content-length", "3"));
    assert_eq!(
        server.push_promise(stream, fields(&with_body)),
        Err(UserError::Malformed(Malformed::NotPushable))
    );
    assert_eq!(
        server.push_promise(stream, fields(&CSS[..3])),
        Err(UserError::Malformed(Malformed::MissingPseudoHeader))
    );
    assert_eq!(
        server.push_promise(id(3), fields(&CSS)),
        Err(UserError::UnknownStream(id(3)))
    );
    // Not on a promised (server) stream, and not once the response is complete.
    let promised = server.push_promise(stream, fields(&CSS)).unwrap();
    assert_eq!(
        server.push_promise(promised, fields(&CSS)),
        Err(UserError::InvalidState(promised))
    );
    server
        .send_headers(stream, fields(&[(":status", "200")]), true)
        .unwrap();
    assert_eq!(
        server.push_promise(stream, fields(&CSS)),
        Err(UserError::UnknownStream(stream))
    );
    // No DATA on a reserved stream before its HEADERS.
    assert_eq!(
        server.send_data(promised, b"x", false),
        Err(UserError::InvalidState(promised))
    );
}

#[test]
fn the_client_cancels_a_promised_stream() {
    let (mut client, mut server) = pair(Config::default().with_push(true), Config::default());
    let stream = requested(&mut client, &mut server);
    let promised = server.push_promise(stream, fields(&CSS)).unwrap();
    let in_flight = server.push_promise(stream, fields(&GET)).unwrap();
    pump(&mut server, &mut client);
    assert_eq!(
        events(&mut client)
            .iter()
            .filter(|e| matches!(e, Event::PushPromise { .. }))
            .count(),
        2
    );
    client.reset(promised, ErrorCode::CANCEL).unwrap();
    client.reset(in_flight, ErrorCode::CANCEL).unwrap();
    assert_eq!(client.reserved_streams(), 0);
    // One response was already in flight: the client ignores it.
    server
        .send_headers(in_flight, fields(&[(":status", "200")]), false)
        .unwrap();
    server.send_data(in_flight, b"late", true).unwrap();
    pump(&mut server, &mut client);
    let late = events(&mut client);
    assert!(
        !late
            .iter()
            .any(|e| matches!(e, Event::Headers { .. } | Event::Data { .. })),
        "{late:?}"
    );
    // The other promise is withdrawn on the server, which can no longer answer it.
    pump(&mut client, &mut server);
    assert!(events(&mut server).contains(&Event::StreamReset {
        stream: promised,
        code: ErrorCode::CANCEL,
        remote: true
    }));
    assert_eq!(server.reserved_streams(), 0);
    assert_eq!(
        server.send_headers(promised, fields(&[(":status", "200")]), true),
        Err(UserError::UnknownStream(promised))
    );
}

#[test]
fn pushed_streams_count_toward_the_clients_concurrency_limit() {
    // Server side: the client allows one concurrent (server-initiated) stream.
    let client_config = Config::default()
        .with_push(true)
        .with_max_concurrent_streams(1);
    let (mut client, mut server) = pair(client_config, Config::default());
    let stream = requested(&mut client, &mut server);
    let first = server.push_promise(stream, fields(&CSS)).unwrap();
    let second = server.push_promise(stream, fields(&GET)).unwrap();
    // Reserved streams do not count (§5.1.2); opening the second while the first runs does.
    server
        .send_headers(first, fields(&[(":status", "200")]), false)
        .unwrap();
    assert_eq!(
        server.send_headers(second, fields(&[(":status", "200")]), false),
        Err(UserError::StreamLimit)
    );
    server.send_data(first, b"a", true).unwrap();
    pump(&mut server, &mut client); // the first push closes once its END_STREAM is out
    server
        .send_headers(second, fields(&[(":status", "200")]), true)
        .unwrap();
    pump(&mut server, &mut client);
    let got = events(&mut client);
    assert_eq!(
        got.iter()
            .filter(|e| matches!(
                e,
                Event::Headers {
                    kind: HeadersKind::Response(200),
                    ..
                }
            ))
            .count(),
        2,
        "{got:?}"
    );
}

#[test]
fn reserved_streams_are_capped_on_the_server() {
    let mut limits = Limits::default();
    limits.max_reserved_streams = 2;
    let (mut client, mut server) = pair(
        Config::default().with_push(true),
        Config::default().with_limits(limits),
    );
    let stream = requested(&mut client, &mut server);
    let first = server.push_promise(stream, fields(&CSS)).unwrap();
    server.push_promise(stream, fields(&CSS)).unwrap();
    assert_eq!(
        server.push_promise(stream, fields(&CSS)),
        Err(UserError::StreamLimit)
    );
    // Opening one frees a reservation.
    server
        .send_headers(first, fields(&[(":status", "200")]), true)
        .unwrap();
    server.push_promise(stream, fields(&CSS)).unwrap();
}

// ------------------------------------------------------------------ scripted peer

/// A scripted server: its HPACK encoder.
struct Peer(hpack::Encoder);

impl Peer {
    fn block(&mut self, f: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        self.0.encode(fields(f), &mut out);
        out
    }

    fn push_promise(&mut self, stream: u32, promised: u32, f: &[(&str, &str)]) -> Vec<u8> {
        let block = self.block(f);
        enc(&Frame::PushPromise {
            stream_id: id(stream),
            end_headers: true,
            padding: None,
            promised_id: id(promised),
            fragment: &block,
        })
    }

    fn headers(&mut self, stream: u32, f: &[(&str, &str)], end_stream: bool) -> Vec<u8> {
        let block = self.block(f);
        enc(&Frame::Headers {
            stream_id: id(stream),
            end_stream,
            end_headers: true,
            padding: None,
            priority: None,
            fragment: &block,
        })
    }
}

/// A client with `config` after the SETTINGS exchange with a scripted server, with a GET
/// open on stream 1 (half-closed (local)).
fn client_with(config: Config) -> (Connection, Peer) {
    let mut conn = Connection::client(config, T0);
    let sent = output(&mut conn);
    let ours = sent.iter().find(|f| f.kind == kind::SETTINGS).unwrap();
    let push = ours
        .payload
        .chunks(6)
        .find(|p| u16::from_be_bytes([p[0], p[1]]) == setting::ENABLE_PUSH)
        .map(|p| u32::from_be_bytes([p[2], p[3], p[4], p[5]]));
    assert_eq!(push, Some(u32::from(config.settings.enable_push)));
    let mut input = settings(&[]);
    input.extend(enc(&Frame::Settings {
        ack: true,
        params: frame::SettingsParams::EMPTY,
    }));
    conn.handle_input(&input, T0).unwrap();
    conn.send_request(fields(&GET), true).unwrap();
    output(&mut conn);
    events(&mut conn);
    (conn, Peer(hpack::Encoder::default()))
}

fn push_client() -> (Connection, Peer) {
    client_with(Config::default().with_push(true))
}

#[test]
fn push_promise_when_disabled_or_to_a_server_is_a_connection_error() {
    let (mut client, mut peer) = client_with(Config::default());
    let pp = peer.push_promise(1, 2, &CSS);
    expect_conn_error(&mut client, &pp, ErrorCode::PROTOCOL_ERROR);

    // §8.4: a client cannot push.
    let mut server = Connection::server(Config::default(), T0);
    let mut input = PREFACE.to_vec();
    input.extend(settings(&[]));
    input.extend(Peer(hpack::Encoder::default()).headers(1, &GET, false));
    server.handle_input(&input, T0).unwrap();
    output(&mut server);
    let pp = Peer(hpack::Encoder::default()).push_promise(1, 2, &CSS);
    expect_conn_error(&mut server, &pp, ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn promised_stream_ids_must_be_new_and_even() {
    for promised in [3, 0] {
        let (mut client, mut peer) = push_client();
        let pp = peer.push_promise(1, promised, &CSS);
        expect_conn_error(&mut client, &pp, ErrorCode::PROTOCOL_ERROR);
    }
    // Reusing (or going below) a promised id.
    let (mut client, mut peer) = push_client();
    client
        .handle_input(&peer.push_promise(1, 4, &CSS), T0)
        .unwrap();
    let again = peer.push_promise(1, 2, &CSS);
    expect_conn_error(&mut client, &again, ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn push_promise_on_a_stream_neither_open_nor_half_closed_local() {
    // §6.6: idle, a server stream, a stream closed normally: connection errors.
    for associated in [3u32, 2] {
        let (mut client, mut peer) = push_client();
        let pp = peer.push_promise(associated, 4, &CSS);
        expect_conn_error(&mut client, &pp, ErrorCode::PROTOCOL_ERROR);
    }
    let (mut client, mut peer) = push_client();
    client
        .handle_input(&peer.headers(1, &[(":status", "204")], true), T0)
        .unwrap();
    let pp = peer.push_promise(1, 2, &CSS);
    expect_conn_error(&mut client, &pp, ErrorCode::PROTOCOL_ERROR);

    // But after we reset the associated stream, a promise in flight is handled: the promised
    // stream is reset (CANCEL) and the HPACK context stays in sync.
    let (mut client, mut peer) = push_client();
    client.reset(id(1), ErrorCode::CANCEL).unwrap();
    output(&mut client);
    let mut input = peer.push_promise(1, 2, &CSS);
    input.extend(peer.headers(2, &[(":status", "200")], false));
    client.handle_input(&input, T0).unwrap();
    let frames = output(&mut client);
    assert_eq!(rst_code(&frames, 2), Some(ErrorCode::CANCEL.0));
    assert!(frames.iter().all(|f| f.kind != kind::GOAWAY));
    assert!(
        events(&mut client)
            .iter()
            .all(|e| !matches!(e, Event::PushPromise { .. } | Event::Headers { .. }))
    );
    // A new request still works with the same HPACK context.
    let s = client.send_request(fields(&GET), true).unwrap();
    client
        .handle_input(&peer.headers(s.value(), &[(":status", "200")], true), T0)
        .unwrap();
    assert!(events(&mut client).iter().any(|e| matches!(
        e,
        Event::Headers {
            kind: HeadersKind::Response(200),
            ..
        }
    )));
}

#[test]
fn unsafe_or_incomplete_promised_requests_reset_the_promised_stream() {
    let mut post = CSS.to_vec();
    post[0] = (":method", "POST");
    let mut with_body = CSS.to_vec();
    with_body.push(("content-length", "10"));
    let no_authority = vec![CSS[0], CSS[1], CSS[3]];
    let bad_field = vec![CSS[0], CSS[1], CSS[2], CSS[3], ("connection", "close")];
    for request in [post, with_body, no_authority, bad_field] {
        let (mut client, mut peer) = push_client();
        let mut input = peer.push_promise(1, 2, &request);
        // The connection goes on: the next promise is fine.
        input.extend(peer.push_promise(1, 4, &CSS));
        client.handle_input(&input, T0).unwrap();
        let frames = output(&mut client);
        assert_eq!(
            rst_code(&frames, 2),
            Some(ErrorCode::PROTOCOL_ERROR.0),
            "{request:?}"
        );
        let got = events(&mut client);
        assert!(
            matches!(&got[..], [Event::PushPromise { promised, .. }] if *promised == id(4)),
            "{got:?}"
        );
    }
}

#[test]
fn only_headers_rst_and_priority_on_a_reserved_remote_stream() {
    let data = enc(&Frame::Data {
        stream_id: id(2),
        end_stream: false,
        padding: None,
        data: b"x",
    });
    let window_update = enc(&Frame::WindowUpdate {
        stream_id: id(2),
        increment: 10,
    });
    for frame in [data, window_update] {
        let (mut client, mut peer) = push_client();
        client
            .handle_input(&peer.push_promise(1, 2, &CSS), T0)
            .unwrap();
        expect_conn_error(&mut client, &frame, ErrorCode::PROTOCOL_ERROR);
    }
    // RST_STREAM from the server withdraws the promise.
    let (mut client, mut peer) = push_client();
    client
        .handle_input(&peer.push_promise(1, 2, &CSS), T0)
        .unwrap();
    assert_eq!(client.reserved_streams(), 1);
    let rst = enc(&Frame::RstStream {
        stream_id: id(2),
        error_code: ErrorCode::CANCEL,
    });
    client.handle_input(&rst, T0).unwrap();
    assert_eq!(client.reserved_streams(), 0);
}

#[test]
fn pushed_headers_beyond_our_concurrency_limit_are_refused() {
    let (mut client, mut peer) = client_with(
        Config::default()
            .with_push(true)
            .with_max_concurrent_streams(1),
    );
    let mut input = peer.push_promise(1, 2, &CSS);
    input.extend(peer.push_promise(1, 4, &CSS));
    input.extend(peer.headers(2, &[(":status", "200")], false));
    input.extend(peer.headers(4, &[(":status", "200")], false));
    client.handle_input(&input, T0).unwrap();
    let frames = output(&mut client);
    assert_eq!(rst_code(&frames, 4), Some(ErrorCode::REFUSED_STREAM.0));
    assert_eq!(rst_code(&frames, 2), None);
    let got = events(&mut client);
    assert!(got.contains(&Event::StreamReset {
        stream: id(4),
        code: ErrorCode::REFUSED_STREAM,
        remote: false
    }));
    // When stream 2 is done, another pushed response fits.
    let mut input = enc(&Frame::Data {
        stream_id: id(2),
        end_stream: true,
        padding: None,
        data: b"",
    });
    input.extend(peer.push_promise(1, 6, &CSS));
    input.extend(peer.headers(6, &[(":status", "200")], true));
    client.handle_input(&input, T0).unwrap();
    assert!(rst_code(&output(&mut client), 6).is_none());
}

#[test]
fn reserved_streams_are_capped_on_the_client() {
    let mut limits = Limits::default();
    limits.max_reserved_streams = 3;
    let (mut client, mut peer) = client_with(Config::default().with_push(true).with_limits(limits));
    let mut input = Vec::new();
    for promised in (2..=200).step_by(2) {
        input.extend(peer.push_promise(1, promised, &CSS));
    }
    client.handle_input(&input, T0).unwrap();
    assert_eq!(client.reserved_streams(), 3);
    let frames = output(&mut client);
    let cancelled = frames
        .iter()
        .filter(|f| f.kind == kind::RST_STREAM && f.code() == ErrorCode::CANCEL.0)
        .count();
    assert_eq!(cancelled, 97);
    assert_eq!(
        events(&mut client)
            .iter()
            .filter(|e| matches!(e, Event::PushPromise { .. }))
            .count(),
        3
    );
}

/// §6.8: after our GOAWAY the server's new streams above its last stream id are ignored —
/// a promise crossing it on the wire, and the pushed response's HEADERS and DATA after it —
/// while the streams below it run to completion.
#[test]
fn promises_crossing_our_goaway_are_ignored_with_their_frames() {
    let (mut client, mut peer) = push_client();
    client.go_away(ErrorCode::NO_ERROR, b"").unwrap();
    output(&mut client);
    let mut input = peer.push_promise(1, 2, &CSS);
    input.extend(peer.headers(2, &[(":status", "200")], false));
    input.extend(enc(&Frame::Data {
        stream_id: id(2),
        end_stream: true,
        padding: None,
        data: b"pushed",
    }));
    input.extend(peer.headers(1, &[(":status", "200")], true));
    client.handle_input(&input, T0).unwrap();
    assert!(client.error().is_none());
    let got = events(&mut client);
    assert!(
        matches!(
            &got[..],
            [Event::Headers { stream, kind: HeadersKind::Response(200), end_stream: true, .. }]
                if *stream == id(1)
        ),
        "{got:?}"
    );
    assert_eq!(client.reserved_streams(), 0);
    // The GOAWAY we sent is not re-sent with a higher last stream id.
    assert!(output(&mut client).iter().all(|f| f.kind != kind::GOAWAY));
}

#[test]
fn push_promise_across_continuation_frames() {
    let (mut client, mut peer) = push_client();
    let block = peer.block(&CSS);
    let (a, b) = block.split_at(block.len() / 2);
    let mut input = enc(&Frame::PushPromise {
        stream_id: id(1),
        end_headers: false,
        padding: Some(3),
        promised_id: id(2),
        fragment: a,
    });
    input.extend(enc(&Frame::Continuation {
        stream_id: id(1),
        end_headers: true,
        fragment: b,
    }));
    // Any split of the input gives the same result.
    for cut in [1, 9, 12, input.len() - 1] {
        let (mut client, _) = push_client();
        client.handle_input(&input[..cut], T0).unwrap();
        client.handle_input(&input[cut..], T0).unwrap();
        assert!(
            matches!(&events(&mut client)[..], [Event::PushPromise { promised, .. }] if *promised == id(2))
        );
    }
    client.handle_input(&input, T0).unwrap();
    assert_eq!(client.reserved_streams(), 1);
    // Another frame interleaved with the promise's CONTINUATION is a connection error.
    let (mut client, mut peer) = push_client();
    let block = peer.block(&CSS);
    let mut input = enc(&Frame::PushPromise {
        stream_id: id(1),
        end_headers: false,
        padding: None,
        promised_id: id(2),
        fragment: &block,
    });
    input.extend(peer.headers(1, &[(":status", "200")], true));
    expect_conn_error(&mut client, &input, ErrorCode::PROTOCOL_ERROR);
}
