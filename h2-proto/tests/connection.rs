//! The connection state machine against a scripted peer that writes raw frames: every §5.1
//! transition, stream id rules, validation, flow control, errors, and the DoS bounds.

mod common;

use common::script::*;
use h2_proto::connection::{Limits, PREFACE};
use h2_proto::frame::{self, Frame, StreamId, kind, setting};
use h2_proto::stream::{State, Transition};
use h2_proto::{Config, Connection, ErrorCode, Event, Field, HeadersKind, Reason, UserError};
use qpack_hpack::hpack;
use wire_codec::Duration;

/// The scripted peer: its own HPACK encoder, and the bytes it sends.
struct Peer {
    enc: hpack::Encoder,
    dec: hpack::Decoder,
}

impl Peer {
    fn new() -> Self {
        Self {
            enc: hpack::Encoder::default(),
            dec: hpack::Decoder::default(),
        }
    }

    fn block(&mut self, fields: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        self.enc
            .encode(fields.iter().map(|&(n, v)| Field::from((n, v))), &mut out);
        out
    }

    fn headers(&mut self, stream: u32, fields: &[(&str, &str)], end_stream: bool) -> Vec<u8> {
        let block = self.block(fields);
        enc(&Frame::Headers {
            stream_id: StreamId::new(stream),
            end_stream,
            end_headers: true,
            padding: None,
            priority: None,
            fragment: &block,
        })
    }
}

const POST: [(&str, &str); 4] = [
    (":method", "POST"),
    (":scheme", "https"),
    (":authority", "a.example"),
    (":path", "/up"),
];

/// A server after the preface and the SETTINGS exchange, its output drained.
fn server_with(config: Config) -> (Connection, Peer) {
    let mut conn = Connection::server(config, T0);
    let mut input = PREFACE.to_vec();
    input.extend(settings(&[]));
    input.extend(settings_ack());
    conn.handle_input(&input, T0).unwrap();
    output(&mut conn);
    events(&mut conn);
    (conn, Peer::new())
}

fn server() -> (Connection, Peer) {
    server_with(Config::default())
}

/// A client after the SETTINGS exchange.
fn client() -> (Connection, Peer) {
    let mut conn = Connection::client(Config::default(), T0);
    output(&mut conn);
    let mut input = settings(&[]);
    input.extend(settings_ack());
    conn.handle_input(&input, T0).unwrap();
    output(&mut conn);
    events(&mut conn);
    (conn, Peer::new())
}

// ------------------------------------------------------------------ §5.1 transitions

#[test]
fn transition_table_is_the_rfc_diagram() {
    use State::*;
    use Transition::*;
    let allowed = [
        (Idle, SendHeaders, Open),
        (Idle, RecvHeaders, Open),
        (Idle, SendPushPromise, ReservedLocal),
        (Idle, RecvPushPromise, ReservedRemote),
        (ReservedLocal, SendHeaders, HalfClosedRemote),
        (ReservedLocal, SendReset, Closed),
        (ReservedLocal, RecvReset, Closed),
        (ReservedRemote, RecvHeaders, HalfClosedLocal),
        (ReservedRemote, SendReset, Closed),
        (ReservedRemote, RecvReset, Closed),
        (Open, SendHeaders, Open),
        (Open, RecvHeaders, Open),
        (Open, SendEndStream, HalfClosedLocal),
        (Open, RecvEndStream, HalfClosedRemote),
        (Open, SendReset, Closed),
        (Open, RecvReset, Closed),
        (HalfClosedLocal, RecvHeaders, HalfClosedLocal),
        (HalfClosedLocal, RecvEndStream, Closed),
        (HalfClosedLocal, SendReset, Closed),
        (HalfClosedLocal, RecvReset, Closed),
        (HalfClosedRemote, SendHeaders, HalfClosedRemote),
        (HalfClosedRemote, SendEndStream, Closed),
        (HalfClosedRemote, SendReset, Closed),
        (HalfClosedRemote, RecvReset, Closed),
        (Closed, SendReset, Closed),
    ];
    let all_transitions = [
        SendHeaders,
        RecvHeaders,
        SendPushPromise,
        RecvPushPromise,
        SendEndStream,
        RecvEndStream,
        SendReset,
        RecvReset,
    ];
    for state in State::ALL {
        for t in all_transitions {
            let expected = allowed
                .iter()
                .find(|(s, tr, _)| *s == state && *tr == t)
                .map(|(_, _, n)| *n);
            assert_eq!(state.next(t).ok(), expected, "{state:?} --{t:?}-->");
        }
    }
}

#[test]
fn server_stream_idle_open_half_closed_remote_closed() {
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    let ev = events(&mut conn);
    assert!(
        matches!(
            &ev[0],
            Event::Headers {
                kind: HeadersKind::Request,
                end_stream: false,
                ..
            }
        ),
        "{ev:?}"
    );
    conn.handle_input(&data(1, b"abc", true), T0).unwrap(); // recv ES: half-closed (remote)
    assert_eq!(
        events(&mut conn),
        [Event::Data {
            stream: StreamId::new(1),
            data: bytes::Bytes::from_static(b"abc"),
            end_stream: true
        }]
    );
    // Half-closed (remote): more DATA is a stream error STREAM_CLOSED.
    conn.handle_input(&data(1, b"x", false), T0).unwrap();
    assert_eq!(
        rst_code(&output(&mut conn), 1),
        Some(ErrorCode::STREAM_CLOSED.0)
    );

    conn.handle_input(&peer.headers(3, &GET, true), T0).unwrap();
    events(&mut conn);
    let s3 = StreamId::new(3);
    conn.send_headers(s3, [Field::from((":status", "200"))], false)
        .unwrap();
    assert_eq!(conn.send_data(s3, b"hello", true).unwrap(), 5); // send ES: closed
    let out = output(&mut conn);
    assert_eq!(out.last().unwrap().kind, kind::DATA);
    assert_eq!(out.last().unwrap().flags & 1, 1);
    assert_eq!(conn.active_streams(), 0);
    assert_eq!(
        conn.send_data(s3, b"more", false),
        Err(UserError::UnknownStream(s3))
    );
    // Closed after END_STREAM both ways: a new frame is a connection error STREAM_CLOSED.
    expect_conn_error(
        &mut conn,
        &data(3, b"late", false),
        ErrorCode::STREAM_CLOSED,
    );
}

#[test]
fn client_stream_open_half_closed_local_closed() {
    let (mut conn, mut peer) = client();
    let id = conn
        .send_request(GET.iter().map(|&f| Field::from(f)), true)
        .unwrap();
    assert_eq!(id, StreamId::new(1));
    let out = output(&mut conn);
    assert_eq!((out[0].kind, out[0].flags & 0x5), (kind::HEADERS, 0x5));
    // Half-closed (local): the response may still arrive.
    assert_eq!(
        conn.send_data(id, b"x", false),
        Err(UserError::InvalidState(id))
    );
    conn.handle_input(
        &peer.headers(
            1,
            &[(":status", "103"), ("link", "</s.css>; rel=preload")],
            false,
        ),
        T0,
    )
    .unwrap();
    conn.handle_input(
        &peer.headers(1, &[(":status", "200"), ("content-length", "2")], false),
        T0,
    )
    .unwrap();
    conn.handle_input(&data(1, b"ok", true), T0).unwrap();
    let ev = events(&mut conn);
    assert!(
        matches!(
            ev[0],
            Event::Headers {
                kind: HeadersKind::Informational(103),
                ..
            }
        ),
        "{ev:?}"
    );
    assert!(matches!(
        ev[1],
        Event::Headers {
            kind: HeadersKind::Response(200),
            ..
        }
    ));
    assert!(matches!(
        ev[2],
        Event::Data {
            end_stream: true,
            ..
        }
    ));
    assert_eq!(conn.active_streams(), 0, "closed");
}

#[test]
fn resets_close_streams_both_ways() {
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    conn.handle_input(&rst(1, ErrorCode::CANCEL), T0).unwrap(); // recv R
    let ev = events(&mut conn);
    assert!(ev.contains(&Event::StreamReset {
        stream: StreamId::new(1),
        code: ErrorCode::CANCEL,
        remote: true
    }));
    assert_eq!(conn.active_streams(), 0);
    // After the peer's RST_STREAM, DATA is a stream error STREAM_CLOSED.
    conn.handle_input(&data(1, b"x", false), T0).unwrap();
    assert_eq!(
        rst_code(&output(&mut conn), 1),
        Some(ErrorCode::STREAM_CLOSED.0)
    );

    conn.handle_input(&peer.headers(3, &POST, false), T0)
        .unwrap();
    conn.reset(StreamId::new(3), ErrorCode::INTERNAL_ERROR)
        .unwrap(); // send R
    assert_eq!(
        rst_code(&output(&mut conn), 3),
        Some(ErrorCode::INTERNAL_ERROR.0)
    );
    // Frames in flight after our RST_STREAM are ignored (but DATA still counts for the
    // connection window).
    conn.handle_input(&data(3, b"in flight", true), T0).unwrap();
    assert!(output(&mut conn).iter().all(|f| f.kind != kind::RST_STREAM));
}

#[test]
fn idle_stream_rules() {
    let (mut conn, _) = server();
    expect_conn_error(&mut conn, &data(1, b"x", false), ErrorCode::PROTOCOL_ERROR);
    let (mut conn, _) = server();
    expect_conn_error(
        &mut conn,
        &rst(5, ErrorCode::CANCEL),
        ErrorCode::PROTOCOL_ERROR,
    );
    let (mut conn, _) = server();
    expect_conn_error(&mut conn, &window_update(7, 1), ErrorCode::PROTOCOL_ERROR);
    // PRIORITY is allowed on an idle stream.
    let (mut conn, _) = server();
    let prio = enc(&Frame::Priority {
        stream_id: StreamId::new(9),
        priority: frame::Priority {
            dependency: StreamId::new(0),
            exclusive: false,
            weight: 15,
        },
    });
    conn.handle_input(&prio, T0).unwrap();
    assert!(output(&mut conn).is_empty());
}

#[test]
fn push_promise_is_refused_since_push_is_disabled() {
    let (mut conn, mut peer) = client();
    conn.send_request(GET.iter().map(|&f| Field::from(f)), true)
        .unwrap();
    let block = peer.block(&GET);
    let pp = enc(&Frame::PushPromise {
        stream_id: StreamId::new(1),
        end_headers: true,
        padding: None,
        promised_id: StreamId::new(2),
        fragment: &block,
    });
    expect_conn_error(&mut conn, &pp, ErrorCode::PROTOCOL_ERROR);
}

// ------------------------------------------------------------------ preface, ids, settings

#[test]
fn preface_and_settings_first() {
    let mut conn = Connection::server(Config::default(), T0);
    let mut bad = PREFACE.to_vec();
    bad[3] = b'X';
    expect_conn_error(&mut conn, &bad, ErrorCode::PROTOCOL_ERROR);

    let mut conn = Connection::server(Config::default(), T0);
    // The preface may arrive in pieces.
    conn.handle_input(&PREFACE[..5], T0).unwrap();
    conn.handle_input(&PREFACE[5..], T0).unwrap();
    expect_conn_error(
        &mut conn,
        &enc(&Frame::Ping {
            ack: false,
            data: [0; 8],
        }),
        ErrorCode::PROTOCOL_ERROR,
    );

    let mut conn = Connection::client(Config::default(), T0);
    let out = output(&mut conn);
    assert_eq!(out[0].kind, kind::SETTINGS);
    let enable_push = out[0].payload.chunks(6).find(|c| c[..2] == [0, 2]).unwrap();
    assert_eq!(enable_push[5], 0, "the client disables push");
}

#[test]
fn settings_ack_timeout() {
    let mut conn = Connection::server(Config::default(), T0);
    let mut input = PREFACE.to_vec();
    input.extend(settings(&[]));
    conn.handle_input(&input, T0).unwrap();
    let out = output(&mut conn);
    assert!(
        out.iter().any(|f| f.kind == kind::SETTINGS && f.flags == 1),
        "we ACK theirs"
    );
    let deadline = conn.poll_timeout().unwrap();
    assert_eq!(deadline, T0 + Duration::from_secs(10));
    conn.handle_timeout(T0 + Duration::from_secs(9));
    assert!(conn.error().is_none());
    conn.handle_timeout(deadline);
    assert_eq!(
        goaway(&output(&mut conn)),
        Some(ErrorCode::SETTINGS_TIMEOUT.0)
    );
    assert_eq!(conn.error().unwrap().code, ErrorCode::SETTINGS_TIMEOUT);

    // Acknowledged in time: no timer.
    let (conn, _) = server();
    assert_eq!(conn.poll_timeout(), None);
}

#[test]
fn stream_id_rules() {
    let (mut conn, mut peer) = server();
    let h = peer.headers(2, &GET, true);
    expect_conn_error(&mut conn, &h, ErrorCode::PROTOCOL_ERROR); // even id from a client
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(5, &GET, true), T0).unwrap();
    let h = peer.headers(3, &GET, true);
    expect_conn_error(&mut conn, &h, ErrorCode::PROTOCOL_ERROR); // went backwards
}

#[test]
fn max_concurrent_streams_refuses_extra_streams() {
    let (mut conn, mut peer) = server_with(Config::default().with_max_concurrent_streams(2));
    for id in [1, 3, 5] {
        conn.handle_input(&peer.headers(id, &POST, false), T0)
            .unwrap();
    }
    let out = output(&mut conn);
    assert_eq!(rst_code(&out, 5), Some(ErrorCode::REFUSED_STREAM.0));
    assert_eq!(rst_code(&out, 1), None);
    assert_eq!(conn.active_streams(), 2);
    // The refused stream's HPACK state was kept: the next request decodes fine.
    conn.handle_input(&data(1, b"", true), T0).unwrap();
    conn.handle_input(&rst(3, ErrorCode::CANCEL), T0).unwrap();
    conn.handle_input(&peer.headers(7, &POST, true), T0)
        .unwrap();
    assert!(
        events(&mut conn)
            .iter()
            .any(|e| matches!(e, Event::Headers { stream, .. } if stream.value() == 7))
    );
}

#[test]
fn peer_settings_limits_are_obeyed() {
    let (mut conn, _) = client();
    conn.handle_input(&settings(&[(setting::MAX_CONCURRENT_STREAMS, 1)]), T0)
        .unwrap();
    conn.send_request(GET.iter().map(|&f| Field::from(f)), false)
        .unwrap();
    assert_eq!(
        conn.send_request(GET.iter().map(|&f| Field::from(f)), false),
        Err(UserError::StreamLimit)
    );
    // A server may not enable push.
    let (mut conn, _) = client();
    expect_conn_error(
        &mut conn,
        &settings(&[(setting::ENABLE_PUSH, 1)]),
        ErrorCode::PROTOCOL_ERROR,
    );
}

// ------------------------------------------------------------------ header blocks and messages

#[test]
fn header_block_across_continuation() {
    let (mut conn, mut peer) = server();
    let block = peer.block(&[
        (":method", "GET"),
        (":scheme", "https"),
        (":authority", "a.example"),
        (":path", "/long"),
        ("x-a", &"v".repeat(100)),
    ]);
    let (a, rest) = block.split_at(3);
    let (b, c) = rest.split_at(40);
    let mut input = enc(&Frame::Headers {
        stream_id: StreamId::new(1),
        end_stream: true,
        end_headers: false,
        padding: Some(4),
        priority: None,
        fragment: a,
    });
    input.extend(enc(&Frame::Continuation {
        stream_id: StreamId::new(1),
        end_headers: false,
        fragment: b,
    }));
    input.extend(enc(&Frame::Continuation {
        stream_id: StreamId::new(1),
        end_headers: true,
        fragment: c,
    }));
    // Byte by byte: frames split anywhere.
    for byte in &input {
        conn.handle_input(std::slice::from_ref(byte), T0).unwrap();
    }
    let ev = events(&mut conn);
    let Event::Headers {
        headers,
        end_stream: true,
        ..
    } = &ev[0]
    else {
        panic!("{ev:?}")
    };
    assert_eq!(headers[3].value, b"/long");
    assert_eq!(headers[4].value.len(), 100);

    // Anything else in the middle of a block is a connection error.
    let (mut conn, mut peer) = server();
    let block = peer.block(&GET);
    let mut input = enc(&Frame::Headers {
        stream_id: StreamId::new(1),
        end_stream: true,
        end_headers: false,
        padding: None,
        priority: None,
        fragment: &block[..2],
    });
    input.extend(enc(&Frame::Ping {
        ack: false,
        data: [0; 8],
    }));
    expect_conn_error(&mut conn, &input, ErrorCode::PROTOCOL_ERROR);
    let (mut conn, _) = server();
    expect_conn_error(
        &mut conn,
        &enc(&Frame::Continuation {
            stream_id: StreamId::new(1),
            end_headers: true,
            fragment: b"",
        }),
        ErrorCode::PROTOCOL_ERROR,
    );
}

fn malformed_request(fields: &[(&str, &str)], end_stream: bool, then: &[u8]) -> Option<u32> {
    let (mut conn, mut peer) = server();
    let mut input = peer.headers(1, fields, end_stream);
    input.extend_from_slice(then);
    conn.handle_input(&input, T0).unwrap();
    rst_code(&output(&mut conn), 1)
}

#[test]
fn message_validation_resets_the_stream() {
    let with = |extra: (&'static str, &'static str)| {
        let mut f = GET.to_vec();
        f.push(extra);
        malformed_request(&f, true, &[])
    };
    let p = Some(ErrorCode::PROTOCOL_ERROR.0);
    assert_eq!(with(("X-Upper", "1")), p);
    assert_eq!(with(("connection", "keep-alive")), p);
    assert_eq!(with(("transfer-encoding", "chunked")), p);
    assert_eq!(with(("te", "gzip")), p);
    assert_eq!(with(("te", "trailers")), None);
    assert_eq!(with(("x", "bad\u{0}value")), p);
    assert_eq!(with((":unknown", "1")), p);
    assert_eq!(malformed_request(&GET[..3], true, &[]), p, "no :path");
    let websocket = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":authority", "a"),
        (":path", "/chat"),
    ];
    assert_eq!(
        malformed_request(&websocket, false, &[]),
        p,
        "extended CONNECT was not enabled"
    );
    assert_eq!(
        malformed_request(
            &[(":method", "CONNECT"), (":authority", "a.example:443")],
            false,
            &[]
        ),
        None
    );
    // content-length against the DATA total.
    let mut post = POST.to_vec();
    post.push(("content-length", "5"));
    assert_eq!(malformed_request(&post, false, &data(1, b"1234", true)), p);
    assert_eq!(
        malformed_request(&post, false, &data(1, b"123456", false)),
        p
    );
    assert_eq!(
        malformed_request(&post, false, &data(1, b"12345", true)),
        None
    );
    assert_eq!(
        malformed_request(&post, true, &[]),
        p,
        "content-length 5 and no body"
    );
    // Trailers: no pseudo-headers, and they must end the stream.
    let mut peer = Peer::new();
    let (mut conn, _) = server();
    let mut input = peer.headers(1, &POST, false);
    input.extend(peer.headers(1, &[(":path", "/x")], true));
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(rst_code(&output(&mut conn), 1), p);
    let mut peer = Peer::new();
    let (mut conn, _) = server();
    let mut input = peer.headers(1, &POST, false);
    input.extend(peer.headers(1, &[("x-checksum", "1")], false));
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(rst_code(&output(&mut conn), 1), p);
    let mut peer = Peer::new();
    let (mut conn, _) = server();
    let mut input = peer.headers(1, &POST, false);
    input.extend(peer.headers(1, &[("x-checksum", "1")], true));
    conn.handle_input(&input, T0).unwrap();
    let ev = events(&mut conn);
    assert!(matches!(
        ev[1],
        Event::Headers {
            kind: HeadersKind::Trailers,
            end_stream: true,
            ..
        }
    ));
}

#[test]
fn local_misuse_is_a_typed_error() {
    let (mut conn, _) = client();
    let bad = [(":method", "GET"), (":path", "/"), ("Host", "x")];
    assert!(matches!(
        conn.send_request(bad.iter().map(|&f| Field::from(f)), true),
        Err(UserError::Malformed(_))
    ));
    let (mut conn, mut peer) = server();
    assert_eq!(
        conn.send_request(GET.iter().map(|&f| Field::from(f)), true),
        Err(UserError::WrongRole)
    );
    conn.handle_input(&peer.headers(1, &GET, true), T0).unwrap();
    assert!(
        conn.send_data(StreamId::new(1), b"x", false).is_err(),
        "no response head yet"
    );
    assert!(matches!(
        conn.send_headers(StreamId::new(1), [Field::from((":status", "103"))], true),
        Err(UserError::Malformed(_))
    ));
}

// ------------------------------------------------------------------ flow control

#[test]
fn inbound_flow_control() {
    let (mut conn, mut peer) = server_with(Config::default().with_auto_window_update(false));
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    let chunk = vec![0u8; 16_384];
    for _ in 0..3 {
        conn.handle_input(&data(1, &chunk, false), T0).unwrap();
    }
    conn.handle_input(&data(1, &chunk[..16_383], false), T0)
        .unwrap(); // exactly 65 535
    assert!(
        output(&mut conn)
            .iter()
            .all(|f| f.kind != kind::WINDOW_UPDATE),
        "manual mode sends nothing"
    );
    expect_conn_error(
        &mut conn,
        &data(1, b"x", false),
        ErrorCode::FLOW_CONTROL_ERROR,
    );

    // Explicit consumption opens the windows again.
    let (mut conn, mut peer) = server_with(Config::default().with_auto_window_update(false));
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    conn.handle_input(&data(1, &chunk, false), T0).unwrap();
    conn.handle_input(&data(1, &chunk, false), T0).unwrap();
    conn.release_capacity(StreamId::new(1), 32_768).unwrap();
    let out = output(&mut conn);
    let updates: Vec<_> = out
        .iter()
        .filter(|f| f.kind == kind::WINDOW_UPDATE)
        .map(|f| (f.stream, f.code()))
        .collect();
    assert_eq!(updates, [(0, 32_768), (1, 32_768)]);

    // Automatic mode: WINDOW_UPDATE once half a window was delivered.
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    conn.handle_input(&data(1, &chunk, false), T0).unwrap();
    assert!(output(&mut conn).is_empty());
    conn.handle_input(&data(1, &chunk, false), T0).unwrap();
    assert_eq!(
        output(&mut conn)
            .iter()
            .filter(|f| f.kind == kind::WINDOW_UPDATE)
            .count(),
        2
    );

    // Padding counts toward the window.
    let (mut conn, mut peer) = server_with(Config::default().with_auto_window_update(false));
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    let padded = enc(&Frame::Data {
        stream_id: StreamId::new(1),
        end_stream: false,
        padding: Some(255),
        data: &chunk[..16_000],
    });
    for _ in 0..4 {
        conn.handle_input(&padded, T0).unwrap();
    }
    // 4 × 16 256 = 65 024 of 65 535: 511 more bytes fit, 512 do not.
    conn.handle_input(&data(1, &chunk[..511], false), T0)
        .unwrap();
    expect_conn_error(
        &mut conn,
        &data(1, b"x", false),
        ErrorCode::FLOW_CONTROL_ERROR,
    );
}

#[test]
fn outbound_data_stays_within_windows() {
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &GET, true), T0).unwrap();
    let s = StreamId::new(1);
    conn.send_headers(s, [Field::from((":status", "200"))], false)
        .unwrap();
    let body = vec![7u8; 100_000];
    let accepted = conn.send_data(s, &body, true).unwrap();
    assert_eq!(accepted, 65_535, "only the initial window is accepted");
    assert_eq!(conn.send_capacity(s), 0);
    let out = output(&mut conn);
    let sent: usize = out
        .iter()
        .filter(|f| f.kind == kind::DATA)
        .map(|f| f.payload.len())
        .sum();
    assert_eq!(sent, 65_535);
    assert!(
        out.iter()
            .filter(|f| f.kind == kind::DATA)
            .all(|f| f.payload.len() <= 16_384),
        "peer's max frame size"
    );
    // The peer shrinks INITIAL_WINDOW_SIZE: the stream window goes negative (§6.9.2).
    conn.handle_input(&settings(&[(setting::INITIAL_WINDOW_SIZE, 1000)]), T0)
        .unwrap();
    conn.handle_input(&window_update(0, 100_000), T0).unwrap();
    conn.handle_input(&window_update(1, 64_535), T0).unwrap();
    assert_eq!(
        conn.send_capacity(s),
        0,
        "window is back at 0 after -64 535 + 64 535"
    );
    conn.handle_input(&window_update(1, 500), T0).unwrap();
    events(&mut conn);
    assert_eq!(conn.send_capacity(s), 500);
    assert_eq!(conn.send_data(s, &body[accepted..], true).unwrap(), 500);
}

#[test]
fn window_update_overflow() {
    let (mut conn, _) = server();
    expect_conn_error(
        &mut conn,
        &window_update(0, 0x7fff_ffff),
        ErrorCode::FLOW_CONTROL_ERROR,
    );
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    conn.handle_input(&window_update(1, 0x7fff_ffff), T0)
        .unwrap();
    assert_eq!(
        rst_code(&output(&mut conn), 1),
        Some(ErrorCode::FLOW_CONTROL_ERROR.0)
    );
    // INITIAL_WINDOW_SIZE pushing an open stream past 2^31 - 1.
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    conn.handle_input(&window_update(1, 0x7fff_ffff - 65_535), T0)
        .unwrap();
    expect_conn_error(
        &mut conn,
        &settings(&[(setting::INITIAL_WINDOW_SIZE, 65_536)]),
        ErrorCode::FLOW_CONTROL_ERROR,
    );
}

// ------------------------------------------------------------------ ping, goaway

#[test]
fn ping_is_acknowledged() {
    let (mut conn, _) = server();
    conn.handle_input(
        &enc(&Frame::Ping {
            ack: false,
            data: *b"12345678",
        }),
        T0,
    )
    .unwrap();
    let out = output(&mut conn);
    assert_eq!(
        out,
        [Out {
            kind: kind::PING,
            flags: 1,
            stream: 0,
            payload: b"12345678".to_vec()
        }]
    );
    conn.ping(*b"abcdefgh").unwrap();
    output(&mut conn);
    conn.handle_input(
        &enc(&Frame::Ping {
            ack: true,
            data: *b"abcdefgh",
        }),
        T0,
    )
    .unwrap();
    assert_eq!(events(&mut conn), [Event::PingAck(*b"abcdefgh")]);
}

#[test]
fn graceful_shutdown_two_steps() {
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    conn.shutdown().unwrap();
    let out = output(&mut conn);
    assert_eq!(out[0].kind, kind::GOAWAY);
    assert_eq!(
        u32::from_be_bytes(out[0].payload[..4].try_into().unwrap()),
        0x7fff_ffff
    );
    assert_eq!(out[1].kind, kind::PING);
    // A request in flight before the client saw the GOAWAY is still accepted.
    conn.handle_input(&peer.headers(3, &GET, true), T0).unwrap();
    conn.handle_input(
        &enc(&Frame::Ping {
            ack: true,
            data: out[1].payload.clone().try_into().unwrap(),
        }),
        T0,
    )
    .unwrap();
    let out = output(&mut conn);
    assert_eq!(out[0].kind, kind::GOAWAY);
    assert_eq!(
        u32::from_be_bytes(out[0].payload[..4].try_into().unwrap()),
        3
    );
    // Streams above the final last id are ignored; stream 1 finishes normally.
    conn.handle_input(&peer.headers(5, &GET, true), T0).unwrap();
    let ev = events(&mut conn);
    assert!(
        !ev.iter()
            .any(|e| matches!(e, Event::Headers { stream, .. } if stream.value() == 5))
    );
    conn.handle_input(&data(1, b"done", true), T0).unwrap();
    conn.send_headers(StreamId::new(1), [Field::from((":status", "204"))], true)
        .unwrap();
    conn.send_headers(StreamId::new(3), [Field::from((":status", "204"))], true)
        .unwrap();
    output(&mut conn);
    assert!(conn.is_finished());
}

/// §6.8: after our GOAWAY, every frame on a stream the client opened above its last stream
/// id (crossing the GOAWAY on the wire) is ignored, not a protocol violation; stream 1 carries
/// on.
#[test]
fn frames_on_streams_above_our_goaway_are_ignored() {
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    conn.go_away(ErrorCode::NO_ERROR, b"").unwrap();
    assert_eq!(goaway(&output(&mut conn)), Some(ErrorCode::NO_ERROR.0));
    events(&mut conn);
    let mut input = peer.headers(3, &POST, false);
    input.extend(data(3, b"body", false));
    input.extend(window_update(3, 100));
    input.extend(rst(3, ErrorCode::CANCEL));
    input.extend(data(1, b"done", true));
    conn.handle_input(&input, T0).unwrap();
    assert!(conn.error().is_none());
    let ev = events(&mut conn);
    assert!(
        matches!(&ev[..], [Event::Data { stream, end_stream: true, .. }] if stream.value() == 1),
        "{ev:?}"
    );
}

#[test]
fn goaway_from_peer_refuses_unprocessed_streams() {
    let (mut conn, _) = client();
    let a = conn
        .send_request(GET.iter().map(|&f| Field::from(f)), true)
        .unwrap();
    let b = conn
        .send_request(GET.iter().map(|&f| Field::from(f)), true)
        .unwrap();
    conn.handle_input(
        &enc(&Frame::GoAway {
            last_stream_id: a,
            error_code: ErrorCode::NO_ERROR,
            debug_data: b"",
        }),
        T0,
    )
    .unwrap();
    let ev = events(&mut conn);
    assert!(ev.contains(&Event::StreamReset {
        stream: b,
        code: ErrorCode::REFUSED_STREAM,
        remote: true
    }));
    assert!(matches!(ev.last(), Some(Event::GoAway { .. })));
    assert_eq!(
        conn.send_request(GET.iter().map(|&f| Field::from(f)), true),
        Err(UserError::GoingAway)
    );
}

// ------------------------------------------------------------------ DoS bounds

#[test]
fn rapid_reset_is_bounded() {
    // CVE-2023-44487: open and reset streams as fast as possible.
    let (mut conn, mut peer) = server();
    let mut input = Vec::new();
    for i in 0..1500u32 {
        let id = 2 * i + 1;
        input.extend(peer.headers(id, &GET, false));
        input.extend(rst(id, ErrorCode::CANCEL));
    }
    let err = conn.handle_input(&input, T0).unwrap_err();
    assert_eq!(
        (err.code, err.reason),
        (ErrorCode::ENHANCE_YOUR_CALM, Reason::Flood)
    );
    assert_eq!(
        goaway(&output(&mut conn)),
        Some(ErrorCode::ENHANCE_YOUR_CALM.0)
    );
    // The same traffic spread over time stays within the refill rate.
    let (mut conn, mut peer) = server();
    for i in 0..1500u32 {
        let id = 2 * i + 1;
        let now = T0 + Duration::from_millis(u64::from(i) * 40);
        let mut input = peer.headers(id, &GET, false);
        input.extend(rst(id, ErrorCode::CANCEL));
        conn.handle_input(&input, now).unwrap();
        output(&mut conn);
    }
}

#[test]
fn made_you_reset_is_bounded() {
    // CVE-2025-8671: frames that make us reset (here WINDOW_UPDATE overflow) count too.
    let (mut conn, mut peer) = server();
    let mut input = Vec::new();
    for i in 0..1500u32 {
        let id = 2 * i + 1;
        input.extend(peer.headers(id, &POST, false));
        input.extend(window_update(id, 0x7fff_ffff));
    }
    let err = conn.handle_input(&input, T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn continuation_flood_is_bounded() {
    let (mut conn, mut peer) = server();
    let block = peer.block(&GET);
    let mut input = enc(&Frame::Headers {
        stream_id: StreamId::new(1),
        end_stream: true,
        end_headers: false,
        padding: None,
        priority: None,
        fragment: &block,
    });
    for _ in 0..100 {
        input.extend(enc(&Frame::Continuation {
            stream_id: StreamId::new(1),
            end_headers: false,
            fragment: b"",
        }));
    }
    expect_conn_error(&mut conn, &input, ErrorCode::ENHANCE_YOUR_CALM);
    // Large CONTINUATIONs: bounded by the block size limit, not buffered forever.
    let (mut conn, _) = server();
    let junk = vec![0x40u8; 16_000];
    let mut input = enc(&Frame::Headers {
        stream_id: StreamId::new(1),
        end_stream: true,
        end_headers: false,
        padding: None,
        priority: None,
        fragment: &junk,
    });
    for _ in 0..5 {
        input.extend(enc(&Frame::Continuation {
            stream_id: StreamId::new(1),
            end_headers: false,
            fragment: &junk,
        }));
    }
    expect_conn_error(&mut conn, &input, ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn ping_and_settings_floods_are_bounded() {
    // The peer never reads our ACKs: pending answers are bounded.
    let (mut conn, _) = server();
    let ping = enc(&Frame::Ping {
        ack: false,
        data: [1; 8],
    });
    let flood: Vec<u8> = ping.repeat(1001);
    expect_conn_error(&mut conn, &flood, ErrorCode::ENHANCE_YOUR_CALM);
    let (mut conn, _) = server();
    let flood: Vec<u8> = settings(&[(setting::MAX_CONCURRENT_STREAMS, 10)]).repeat(1001);
    expect_conn_error(&mut conn, &flood, ErrorCode::ENHANCE_YOUR_CALM);
    // Reading them in between is fine.
    let (mut conn, _) = server();
    for _ in 0..3000 {
        conn.handle_input(&ping, T0).unwrap();
        output(&mut conn);
    }
    // Too many parameters in one SETTINGS frame.
    let (mut conn, _) = server();
    let many: Vec<(u16, u32)> = (0..33).map(|i| (0x100 + i, 0)).collect();
    expect_conn_error(&mut conn, &settings(&many), ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn empty_and_tiny_data_floods_are_bounded() {
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    let flood = data(1, b"", false).repeat(1001);
    expect_conn_error(&mut conn, &flood, ErrorCode::ENHANCE_YOUR_CALM);
    let (mut conn, mut peer) = server_with(Config::default().with_windows(1 << 20, 1 << 20));
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    let flood = data(1, b"x", false).repeat(1001);
    expect_conn_error(&mut conn, &flood, ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn unknown_frame_floods_are_bounded() {
    // RFC 9113 §5.5: a frame of an unknown type (0xbe here, one byte of payload) is ignored;
    // a run of them with no real work in between is a flood (§10.5).
    let unknown = |stream: u8| vec![0, 0, 1, 0xbe, 0, 0, 0, 0, stream, 0x5a];
    let (mut conn, mut peer) = server();
    let mut input: Vec<u8> = (0..1000).flat_map(|i| unknown(i as u8 % 7)).collect();
    // A request with content in between starts the count again.
    input.extend(peer.headers(1, &POST, false));
    input.extend((0..1000).flat_map(|_| unknown(1)));
    conn.handle_input(&input, T0).unwrap();
    assert!(output(&mut conn).iter().all(|f| f.kind != kind::GOAWAY));
    expect_conn_error(&mut conn, &unknown(0), ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn reset_flood_on_closed_streams_is_bounded() {
    // RST_STREAM on forgotten streams is ignored and costs nothing to keep.
    let (mut conn, _) = server();
    let flood = rst(1, ErrorCode::CANCEL);
    expect_conn_error(&mut conn, &flood, ErrorCode::PROTOCOL_ERROR); // idle
    // DATA on a closed stream makes us reset: counted.
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    conn.handle_input(&rst(1, ErrorCode::CANCEL), T0).unwrap();
    let flood = data(1, b"x", false).repeat(1100);
    let err = conn.handle_input(&flood, T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn closed_stream_memory_is_bounded() {
    let (mut conn, mut peer) = server();
    for i in 0..5000u32 {
        let id = 2 * i + 1;
        conn.handle_input(&peer.headers(id, &GET, true), T0)
            .unwrap();
        conn.send_headers(StreamId::new(id), [Field::from((":status", "204"))], true)
            .unwrap();
        output(&mut conn);
        events(&mut conn);
    }
    assert_eq!(conn.active_streams(), 0);
    assert!(conn.remembered_closed_streams() <= Limits::default().max_closed_streams);
}

#[test]
fn hpack_bombs_hit_the_limits() {
    // Many tiny fields: the field count cap (a stream error; HPACK stays in sync).
    let mut limits = Limits::default();
    limits.max_header_fields = 50;
    let (mut conn, mut peer) = server_with(Config::default().with_limits(limits));
    let mut fields = GET.to_vec();
    fields.extend(std::iter::repeat_n(("a", ""), 60));
    conn.handle_input(&peer.headers(1, &fields, true), T0)
        .unwrap();
    assert_eq!(
        rst_code(&output(&mut conn), 1),
        Some(ErrorCode::ENHANCE_YOUR_CALM.0)
    );
    conn.handle_input(&peer.headers(3, &GET, true), T0).unwrap();
    assert!(
        events(&mut conn)
            .iter()
            .any(|e| matches!(e, Event::Headers { stream, .. } if stream.value() == 3))
    );

    // One big value referenced many times: the header list size limit (32 bytes per field
    // counted too).
    let (mut conn, mut peer) = server();
    let big = "v".repeat(3000);
    let mut fields = GET.to_vec();
    fields.extend(std::iter::repeat_n(("x-big", big.as_str()), 30));
    conn.handle_input(&peer.headers(1, &fields, true), T0)
        .unwrap();
    assert_eq!(
        rst_code(&output(&mut conn), 1),
        Some(ErrorCode::ENHANCE_YOUR_CALM.0)
    );

    // A corrupt block is a COMPRESSION_ERROR.
    let (mut conn, _) = server();
    let bad = enc(&Frame::Headers {
        stream_id: StreamId::new(1),
        end_stream: true,
        end_headers: true,
        padding: None,
        priority: None,
        fragment: &[
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ],
    });
    expect_conn_error(&mut conn, &bad, ErrorCode::COMPRESSION_ERROR);
    let _ = peer.dec.table_size();
}

#[test]
fn frame_size_limit_is_enforced() {
    let (mut conn, _) = server();
    let big = vec![0u8; 16_385];
    let frame = data(1, &big, false);
    // Rejected from the header alone, before the payload arrives.
    expect_conn_error(&mut conn, &frame[..9], ErrorCode::FRAME_SIZE_ERROR);
}

#[test]
fn large_header_blocks_are_split_into_continuation() {
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &GET, true), T0).unwrap();
    let big = "x".repeat(40_000);
    let fields = [
        Field::from((":status", "200")),
        Field::from(("x-big", big.as_str())),
    ];
    conn.send_headers(StreamId::new(1), fields, true).unwrap();
    let out = output(&mut conn);
    assert_eq!(out[0].kind, kind::HEADERS);
    assert_eq!(out[0].flags & 0x4, 0, "no END_HEADERS on the first frame");
    assert_eq!(out[0].flags & 0x1, 0x1, "END_STREAM stays on HEADERS");
    assert!(out.iter().all(|f| f.payload.len() <= 16_384));
    let last = out.last().unwrap();
    assert_eq!((last.kind, last.flags), (kind::CONTINUATION, 0x4));
    let block: Vec<u8> = out.iter().flat_map(|f| f.payload.clone()).collect();
    let decoded = peer.dec.decode_to_vec(&block).unwrap();
    assert_eq!(decoded[1].value.len(), 40_000);
}

#[test]
fn peer_header_list_limit_is_respected() {
    let (mut conn, _) = client();
    conn.handle_input(&settings(&[(setting::MAX_HEADER_LIST_SIZE, 200)]), T0)
        .unwrap();
    let long = "v".repeat(100);
    let mut fields: Vec<Field> = GET.iter().map(|&f| Field::from(f)).collect();
    fields.push(Field::from(("x-long", long.as_str())));
    assert_eq!(
        conn.send_request(fields, true),
        Err(UserError::HeaderListTooLarge)
    );
}

#[test]
fn data_moves_without_copies() {
    let (mut conn, mut peer) = server();
    conn.handle_input(&peer.headers(1, &POST, false), T0)
        .unwrap();
    events(&mut conn);
    let input = bytes::Bytes::from(data(1, b"zero-copy payload", true));
    conn.handle_input_bytes(input.clone(), T0).unwrap();
    let ev = events(&mut conn);
    let Event::Data { data, .. } = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(data, "zero-copy payload");
    assert_eq!(
        data.as_ptr(),
        input[9..].as_ptr(),
        "a slice of the input, not a copy"
    );

    // Send side: what is not accepted comes back.
    conn.send_headers(StreamId::new(1), [Field::from((":status", "200"))], false)
        .unwrap();
    let body = bytes::Bytes::from(vec![1u8; 70_000]);
    let rest = conn.send_bytes(StreamId::new(1), body, true).unwrap();
    assert_eq!(rest.len(), 70_000 - 65_535);
    let mut sink = Vec::new();
    while conn.poll_transmit_into(T0, &mut sink, 10_000) > 0 {}
    assert!(sink.len() > 65_535);
}
