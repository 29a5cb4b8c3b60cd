//! The client side of h2c by HTTP/1.1 Upgrade (RFC 7540 §3.2): `Config::http2_settings` and
//! `Connection::client_upgrade`, in process against our own `Connection::server_upgrade` and
//! against hand-made server frames. Real servers: tests/interop_upgrade_client.rs.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::script::*;
use h2_proto::connection::PREFACE;
use h2_proto::frame::{self, setting};
use h2_proto::{
    Config, Connection, ErrorCode, Event, Field, Frame, HeadersKind, StreamId, UserError,
};

const STREAM_1: StreamId = Connection::UPGRADE_STREAM;

/// The frames of `bytes` (after the client magic, if present).
fn frames(bytes: &[u8]) -> Vec<Frame<'_>> {
    let mut rest = bytes.strip_prefix(PREFACE.as_slice()).unwrap_or(bytes);
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (frame, used) = frame::decode(rest, frame::MAX_MAX_FRAME_SIZE).unwrap();
        out.push(frame);
        rest = &rest[used..];
    }
    out
}

fn request(path: &str) -> [Field<'_>; 4] {
    [
        Field::new(b":method", b"GET"),
        Field::new(b":scheme", b"http"),
        Field::new(b":authority", b"a.example"),
        Field::new(b":path", path.as_bytes()),
    ]
}

/// A client upgraded with `config` and the server that accepted its `HTTP2-Settings`, as after
/// the 101: nothing has crossed the wire in HTTP/2 yet.
fn upgraded_pair(config: Config, method: &str) -> (Connection, Connection) {
    let payload = URL_SAFE_NO_PAD.decode(config.http2_settings()).unwrap();
    let server = Connection::server_upgrade(Config::default(), T0, &payload).unwrap();
    let client = Connection::client_upgrade(config, T0, method);
    (client, server)
}

#[test]
fn http2_settings_is_the_preface_settings_in_base64url() {
    for config in [
        Config::default(),
        Config::default()
            .with_windows(1 << 20, 1 << 24)
            .with_push(true),
        Config::default().with_max_concurrent_streams(7),
    ] {
        // The same payload as the SETTINGS frame of the preface, from either constructor.
        for mut conn in [
            Connection::client(config, T0),
            Connection::client_upgrade(config, T0, "GET"),
        ] {
            let bytes = drain(&mut conn);
            assert!(
                bytes.starts_with(PREFACE),
                "the preface is still sent (§3.5)"
            );
            let Frame::Settings { ack: false, params } = frames(&bytes)[0] else {
                panic!("SETTINGS first");
            };
            assert_eq!(params.as_bytes(), config.http2_settings_payload());
        }
        // base64url (RFC 4648 §5) without padding (RFC 7540 §3.2.1).
        let value = config.http2_settings();
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{value}"
        );
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&value).unwrap(),
            config.http2_settings_payload()
        );
    }
    // The values a server reads from it (a 7-parameter payload is 42 bytes = 56 characters).
    let config = Config::default().with_windows(100_000, 65_535);
    let payload = config.http2_settings_payload();
    let params: Vec<(u16, u32)> = payload
        .chunks(6)
        .map(|p| {
            (
                u16::from_be_bytes([p[0], p[1]]),
                u32::from_be_bytes([p[2], p[3], p[4], p[5]]),
            )
        })
        .collect();
    assert!(params.contains(&(setting::INITIAL_WINDOW_SIZE, 100_000)));
    assert!(
        params.contains(&(setting::ENABLE_PUSH, 0)),
        "clients send it"
    );
    assert!(
        !params
            .iter()
            .any(|p| p.0 == setting::ENABLE_CONNECT_PROTOCOL)
    );
    assert_eq!(
        config.http2_settings().len(),
        (payload.len() * 8).div_ceil(6)
    );
}

#[test]
fn stream_1_is_the_upgrade_request_half_closed_local() {
    let (mut client, mut server) = upgraded_pair(Config::default(), "GET");
    assert_eq!(client.active_streams(), 1);
    // §3.2: the request was completed in HTTP/1.1; nothing more may be sent on stream 1.
    assert_eq!(
        client.send_data(STREAM_1, b"more", true),
        Err(UserError::InvalidState(STREAM_1))
    );
    assert_eq!(
        client.send_headers(STREAM_1, [Field::from(("x-trailer", "1"))], true),
        Err(UserError::InvalidState(STREAM_1))
    );
    // The next request is stream 3.
    let second = client.send_request(request("/second"), true).unwrap();
    assert_eq!(second, StreamId::new(3));

    pump(&mut client, &mut server);
    let server_events = events(&mut server);
    assert!(
        server_events
            .iter()
            .any(|e| matches!(e, Event::Headers { stream, kind: HeadersKind::Request, .. } if *stream == second)),
        "{server_events:?}"
    );
    for stream in [STREAM_1, second] {
        server
            .send_headers(stream, [Field::from((":status", "200"))], false)
            .unwrap();
        server.send_data(stream, b"hello", true).unwrap();
    }
    pump(&mut server, &mut client);
    let got = events(&mut client);
    assert!(
        got.iter().any(|e| matches!(
            e,
            Event::Headers { stream, kind: HeadersKind::Response(200), end_stream: false, .. }
                if *stream == STREAM_1
        )),
        "{got:?}"
    );
    assert!(
        got.iter().any(|e| matches!(
            e,
            Event::Data { stream, data, end_stream: true } if *stream == STREAM_1 && data == "hello"
        )),
        "{got:?}"
    );
    assert!(
        got.iter().any(
            |e| matches!(e, Event::Data { stream, end_stream: true, .. } if *stream == second)
        )
    );
    // Exactly one SETTINGS ACK: the one for the preface (the 101 acknowledged the upgrade's).
    assert_eq!(
        got.iter()
            .filter(|e| matches!(e, Event::SettingsAcked))
            .count(),
        1
    );
    assert!(!got.iter().any(|e| matches!(e, Event::StreamReset { .. })));
    // Half-closed (local) + END_STREAM from the server: closed.
    assert_eq!(client.active_streams(), 0);
    // A graceful end names no server stream; the server had processed stream 1 and 3.
    client.shutdown().unwrap();
    pump(&mut client, &mut server);
    assert!(
        events(&mut server)
            .iter()
            .any(|e| matches!(e, Event::GoAway { .. }))
    );
}

#[test]
fn upgrade_settings_are_in_force_before_the_preface_is_acknowledged() {
    // A stream window larger than the protocol's 65 535: the server may fill it on stream 1
    // as soon as it took HTTP2-Settings, before it acknowledges our preface SETTINGS.
    // (No automatic WINDOW_UPDATE: the window alone must hold the body.)
    let config = Config::default()
        .with_windows(300_000, 1 << 20)
        .with_auto_window_update(false);
    let (mut client, mut server) = upgraded_pair(config, "GET");
    pump(&mut client, &mut server); // our preface, SETTINGS and connection WINDOW_UPDATE
    server
        .send_headers(STREAM_1, [Field::from((":status", "200"))], false)
        .unwrap();
    let body = vec![7u8; 250_000];
    assert_eq!(server.send_data(STREAM_1, &body, true).unwrap(), body.len());
    let sent = drain(&mut server);
    // Withhold the server's SETTINGS ACK: stream 1's window must not depend on it.
    let mut without_ack = Vec::new();
    for f in frames(&sent) {
        if !matches!(f, Frame::Settings { ack: true, .. }) {
            f.encode(&mut without_ack).unwrap();
        }
    }
    assert!(without_ack.len() < sent.len(), "the server did send an ACK");
    client.handle_input(&without_ack, T0).unwrap();
    let got = events(&mut client);
    assert!(!got.iter().any(|e| matches!(
        e,
        Event::StreamReset { .. } | Event::ConnectionError(_) | Event::SettingsAcked
    )));
    let received: usize = got
        .iter()
        .map(|e| match e {
            Event::Data { stream, data, .. } if *stream == STREAM_1 => data.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(received, body.len());

    // The same bytes overflow the window of a client that did not take the 101 as an ACK.
    let mut plain = Connection::client(config, T0);
    let _ = drain(&mut plain);
    let _ = plain.send_request(request("/"), true).unwrap();
    let _ = drain(&mut plain);
    plain.handle_input(&without_ack, T0).unwrap();
    let plain_events = events(&mut plain);
    assert!(
        plain_events.iter().any(|e| matches!(
            e,
            Event::StreamReset { stream, code: ErrorCode::FLOW_CONTROL_ERROR, remote: false }
                if *stream == STREAM_1
        )),
        "control: 250 000 bytes exceed the unacknowledged 65 535 window: {plain_events:?}"
    );
}

#[test]
fn a_head_upgrade_response_has_no_body() {
    // RFC 9110 §9.3.2: content-length describes the GET response; END_STREAM on the head is
    // right for HEAD, malformed (§8.1.1) after GET.
    for (method, malformed) in [("HEAD", false), ("GET", true)] {
        let (mut client, mut server) = upgraded_pair(Config::default(), method);
        pump(&mut client, &mut server);
        server
            .send_headers(
                STREAM_1,
                [
                    Field::from((":status", "200")),
                    Field::from(("content-length", "1234")),
                ],
                true,
            )
            .unwrap();
        pump(&mut server, &mut client);
        let got = events(&mut client);
        let reset = got.iter().any(|e| {
            matches!(e, Event::StreamReset { stream, code: ErrorCode::PROTOCOL_ERROR, .. } if *stream == STREAM_1)
        });
        assert_eq!(reset, malformed, "{method}: {got:?}");
        let headers = got.iter().any(|e| {
            matches!(e, Event::Headers { stream, kind: HeadersKind::Response(200), end_stream: true, .. } if *stream == STREAM_1)
        });
        assert_eq!(headers, !malformed, "{method}: {got:?}");
    }
}

#[test]
fn stream_1_answers_follow_the_stream_rules() {
    // DATA before the response head on stream 1 is malformed (§8.1).
    let (mut client, mut server) = upgraded_pair(Config::default(), "GET");
    pump(&mut client, &mut server);
    pump(&mut server, &mut client);
    let mut bytes = Vec::new();
    Frame::Data {
        stream_id: STREAM_1,
        end_stream: false,
        padding: None,
        data: b"early",
    }
    .encode(&mut bytes)
    .unwrap();
    client.handle_input(&bytes, T0).unwrap();
    assert!(events(&mut client).iter().any(|e| matches!(
        e,
        Event::StreamReset { stream, code: ErrorCode::PROTOCOL_ERROR, remote: false } if *stream == STREAM_1
    )));

    // A GOAWAY that did not process stream 1 refuses it (the application may retry it).
    let (mut client, _) = upgraded_pair(Config::default(), "GET");
    let mut bytes = Vec::new();
    frame::encode_settings(&mut bytes, &[]).unwrap();
    Frame::GoAway {
        last_stream_id: StreamId::CONNECTION,
        error_code: ErrorCode::NO_ERROR,
        debug_data: b"",
    }
    .encode(&mut bytes)
    .unwrap();
    client.handle_input(&bytes, T0).unwrap();
    assert!(events(&mut client).iter().any(|e| matches!(
        e,
        Event::StreamReset { stream, code: ErrorCode::REFUSED_STREAM, remote: true } if *stream == STREAM_1
    )));
    assert_eq!(client.active_streams(), 0);
}

#[test]
fn the_upgrade_response_may_come_with_pushes() {
    // §8.4: PUSH_PROMISE on stream 1, open from the server's side (half-closed (remote)) and
    // half-closed (local) on ours, like any request's stream.
    let (mut client, mut server) = upgraded_pair(Config::default().with_push(true), "GET");
    pump(&mut client, &mut server);
    let promised = server
        .push_promise(
            STREAM_1,
            [
                Field::new(b":method", b"GET"),
                Field::new(b":scheme", b"http"),
                Field::new(b":authority", b"a.example"),
                Field::new(b":path", b"/style.css"),
            ],
        )
        .unwrap();
    server
        .send_headers(STREAM_1, [Field::from((":status", "200"))], true)
        .unwrap();
    server
        .send_headers(promised, [Field::from((":status", "200"))], false)
        .unwrap();
    server.send_data(promised, b"body{}", true).unwrap();
    pump(&mut server, &mut client);
    let got = events(&mut client);
    assert!(
        got.iter().any(|e| matches!(
            e,
            Event::PushPromise { stream, promised: p, .. } if *stream == STREAM_1 && *p == promised
        )),
        "{got:?}"
    );
    assert!(
        got.iter().any(
            |e| matches!(e, Event::Data { stream, data, end_stream: true } if *stream == promised && data == "body{}")
        ),
        "{got:?}"
    );
    assert_eq!(client.active_streams(), 0);
}
