//! Extended CONNECT (RFC 8441): SETTINGS_ENABLE_CONNECT_PROTOCOL both ways, `:protocol`
//! accepted only by a server that enabled it, the client waiting for the setting, and a
//! WebSocket (ws-proto's frames and handshake) running over the tunnel between our client and
//! our server.

mod common;

use common::script::*;
use h2_proto::connection::PREFACE;
use h2_proto::frame::{self, Frame, StreamId, kind, setting};
use h2_proto::{Config, Connection, ErrorCode, Event, Field, HeadersKind, UserError};
use qpack_hpack::hpack;
use ws_proto::handshake::{ClientHandshake, ServerHandshake, Transport};

const WS: [(&str, &str); 5] = [
    (":method", "CONNECT"),
    (":protocol", "websocket"),
    (":scheme", "https"),
    (":authority", "a.example"),
    (":path", "/chat"),
];

/// Our SETTINGS parameters as written on the wire.
fn sent_settings(conn: &mut Connection) -> Vec<(u16, u32)> {
    let mut bytes = vec![0u8; 4096];
    let n = conn.poll_transmit(T0, &mut bytes);
    let mut rest = bytes[..n].strip_prefix(&PREFACE[..]).unwrap_or(&bytes[..n]);
    let (Frame::Settings { ack: false, params }, used) = frame::decode(rest, 16_384).unwrap()
    else {
        panic!("SETTINGS first")
    };
    rest = &rest[used..];
    let _ = rest;
    params.iter().collect()
}

#[test]
fn the_setting_is_sent_only_by_a_server_that_enables_it() {
    let has = |params: &[(u16, u32)]| {
        params
            .iter()
            .find(|(id, _)| *id == setting::ENABLE_CONNECT_PROTOCOL)
            .map(|p| p.1)
    };
    let enabled = Config::default().with_connect_protocol(true);
    assert_eq!(
        has(&sent_settings(&mut Connection::server(enabled, T0))),
        Some(1)
    );
    assert_eq!(
        has(&sent_settings(&mut Connection::server(
            Config::default(),
            T0
        ))),
        None
    );
    // A client never sends it (RFC 8441 §3: its receipt by a server has no meaning).
    assert_eq!(
        has(&sent_settings(&mut Connection::client(enabled, T0))),
        None
    );
}

#[test]
fn the_client_waits_for_the_servers_setting() {
    let mut client = Connection::client(Config::default(), T0);
    let mut server = Connection::server(Config::default().with_connect_protocol(true), T0);
    assert!(!client.peer_settings().enable_connect_protocol);
    assert_eq!(
        client.send_request(fields(&WS), false),
        Err(UserError::ConnectProtocolDisabled)
    );
    pump(&mut client, &mut server);
    pump(&mut server, &mut client);
    assert!(events(&mut client).iter().any(|e| matches!(
        e,
        Event::PeerSettings(s) if s.enable_connect_protocol
    )));
    client.send_request(fields(&WS), false).unwrap();

    // A server that did not enable it: still refused locally.
    let (mut client, _) = pair(Config::default(), Config::default());
    assert_eq!(
        client.send_request(fields(&WS), false),
        Err(UserError::ConnectProtocolDisabled)
    );
}

#[test]
fn the_tunnel_carries_data_both_ways() {
    let (mut client, mut server) = pair(
        Config::default(),
        Config::default().with_connect_protocol(true),
    );
    let stream = client.send_request(fields(&WS), false).unwrap();
    pump(&mut client, &mut server);
    let got = events(&mut server);
    let [
        Event::Headers {
            stream: s,
            kind: HeadersKind::Request,
            headers,
            end_stream: false,
        },
    ] = &got[..]
    else {
        panic!("{got:?}")
    };
    assert_eq!(*s, stream);
    assert!(
        headers
            .iter()
            .any(|h| &h.name[..] == b":protocol" && &h.value[..] == b"websocket")
    );
    server
        .send_headers(stream, fields(&[(":status", "200")]), false)
        .unwrap();
    server.send_data(stream, b"from server", false).unwrap();
    pump(&mut server, &mut client);
    client.send_data(stream, b"from client", false).unwrap();
    pump(&mut client, &mut server);
    let got = events(&mut client);
    assert!(matches!(
        &got[0],
        Event::Headers {
            kind: HeadersKind::Response(200),
            end_stream: false,
            ..
        }
    ));
    assert!(
        matches!(&got[1], Event::Data { data, end_stream: false, .. } if data == "from server")
    );
    assert!(
        matches!(&events(&mut server)[..], [Event::Data { data, .. }] if data == "from client")
    );
    // Both sides end the tunnel.
    client.send_data(stream, b"", true).unwrap();
    server.send_data(stream, b"", true).unwrap();
    pump(&mut client, &mut server);
    pump(&mut server, &mut client);
    assert_eq!(client.active_streams(), 0);
    assert_eq!(server.active_streams(), 0);
}

/// An extended CONNECT from `client`, answered by `server` with the `response` head and
/// `body`; returns the stream and the client's events.
fn connect_answered(
    client: &mut Connection,
    server: &mut Connection,
    response: &[(&str, &str)],
    body: &[u8],
    end_stream: bool,
) -> (StreamId, Vec<Event>) {
    let stream = client.send_request(fields(&WS), false).unwrap();
    pump(client, server);
    events(server);
    server
        .send_headers(stream, fields(response), false)
        .unwrap();
    server.send_data(stream, body, end_stream).unwrap();
    pump(server, client);
    (stream, events(client))
}

/// RFC 9110 §8.6: "A client MUST ignore any Content-Length or Transfer-Encoding header fields
/// received in a successful response to CONNECT": the tunnel's DATA is not response content,
/// however much of it flows. Other responses keep their content-length checks.
#[test]
fn a_successful_connect_response_has_no_content_length() {
    let (mut client, mut server) = pair(
        Config::default(),
        Config::default().with_connect_protocol(true),
    );
    let ok = [(":status", "200"), ("content-length", "0")];
    let (_, got) = connect_answered(&mut client, &mut server, &ok, b"tunnel bytes", false);
    assert!(
        matches!(
            &got[..],
            [
                Event::Headers { kind: HeadersKind::Response(200), .. },
                Event::Data { data, end_stream: false, .. },
            ] if data == "tunnel bytes"
        ),
        "{got:?}"
    );
    assert!(client.error().is_none());
    // A refusal (4xx) is an ordinary response: its content-length still counts.
    let refused = [(":status", "404"), ("content-length", "2")];
    let (stream, got) = connect_answered(&mut client, &mut server, &refused, b"not found", true);
    assert!(
        got.contains(&Event::StreamReset {
            stream,
            code: ErrorCode::PROTOCOL_ERROR,
            remote: false
        }),
        "{got:?}"
    );
}

/// A raw client: HPACK encoder plus the preface and SETTINGS.
fn raw_request(server: &mut Connection, request: &[(&str, &str)]) -> Vec<u8> {
    let mut input = PREFACE.to_vec();
    frame::encode_settings(&mut input, &[]).unwrap();
    let mut block = Vec::new();
    hpack::Encoder::default().encode(fields(request), &mut block);
    Frame::Headers {
        stream_id: StreamId::new(1),
        end_stream: false,
        end_headers: true,
        padding: None,
        priority: None,
        fragment: &block,
    }
    .encode(&mut input)
    .unwrap();
    server.handle_input(&input, T0).unwrap();
    let mut out = vec![0u8; 4096];
    let n = server.poll_transmit(T0, &mut out);
    out.truncate(n);
    out
}

/// The RST_STREAM code on stream 1 in `out`, if any.
fn rst_on_1(out: &[u8]) -> Option<ErrorCode> {
    let mut rest = out;
    while let Ok((frame, used)) = frame::decode(rest, 16_384) {
        if let Frame::RstStream {
            stream_id,
            error_code,
        } = frame
            && stream_id.value() == 1
        {
            return Some(error_code);
        }
        rest = &rest[used..];
    }
    None
}

#[test]
fn protocol_is_malformed_unless_enabled_and_well_formed() {
    let enabled = Config::default().with_connect_protocol(true);
    // Not enabled: malformed (RFC 8441 §3), a stream error.
    let mut server = Connection::server(Config::default(), T0);
    assert_eq!(
        rst_on_1(&raw_request(&mut server, &WS)),
        Some(ErrorCode::PROTOCOL_ERROR)
    );
    // Enabled: accepted.
    let mut server = Connection::server(enabled, T0);
    assert_eq!(rst_on_1(&raw_request(&mut server, &WS)), None);
    assert!(events(&mut server).iter().any(|e| matches!(
        e,
        Event::Headers {
            kind: HeadersKind::Request,
            ..
        }
    )));
    // Enabled, but without :path or :scheme (§4), or :protocol on a GET: malformed.
    let no_path = [WS[0], WS[1], WS[2], WS[3]];
    let no_scheme = [WS[0], WS[1], WS[3], WS[4]];
    let get = [(":method", "GET"), WS[1], WS[2], WS[3], WS[4]];
    for request in [&no_path[..], &no_scheme[..], &get[..]] {
        let mut server = Connection::server(enabled, T0);
        assert_eq!(
            rst_on_1(&raw_request(&mut server, request)),
            Some(ErrorCode::PROTOCOL_ERROR),
            "{request:?}"
        );
    }
}

#[test]
fn the_setting_cannot_be_withdrawn() {
    let mut client = Connection::client(Config::default(), T0);
    let mut input = Vec::new();
    frame::encode_settings(&mut input, &[(setting::ENABLE_CONNECT_PROTOCOL, 1)]).unwrap();
    client.handle_input(&input, T0).unwrap();
    assert!(client.peer_settings().enable_connect_protocol);
    let mut again = Vec::new();
    frame::encode_settings(&mut again, &[(setting::ENABLE_CONNECT_PROTOCOL, 0)]).unwrap();
    let err = client.handle_input(&again, T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::PROTOCOL_ERROR);
    assert!(err.is_connection_error());
    // A value other than 0 or 1 is a connection error too.
    let mut client = Connection::client(Config::default(), T0);
    let mut two = Vec::new();
    frame::encode_settings(&mut two, &[(setting::ENABLE_CONNECT_PROTOCOL, 2)]).unwrap();
    assert_eq!(
        client.handle_input(&two, T0).unwrap_err().code,
        ErrorCode::PROTOCOL_ERROR
    );
    let _ = kind::SETTINGS;
}

// ------------------------------------------------------------------ WebSocket over it

/// What one side of the WebSocket got.
fn ws_events(ws: &mut ws_proto::Connection) -> Vec<ws_proto::Event> {
    std::iter::from_fn(|| ws.poll_event()).collect()
}

/// Feeds DATA events of `stream` to `ws`; returns whether END_STREAM came.
fn feed(conn: &mut Connection, stream: StreamId, ws: &mut ws_proto::Connection) -> bool {
    let mut ended = false;
    for event in events(conn) {
        if let Event::Data {
            stream: s,
            data,
            end_stream,
        } = event
        {
            assert_eq!(s, stream);
            ws.handle_input(&data).unwrap();
            ended |= end_stream;
        }
    }
    ended
}

/// Sends whatever `ws` wrote into `out` as DATA (all of it fits the windows here).
fn flush(conn: &mut Connection, stream: StreamId, out: &mut Vec<u8>) {
    let mut rest = &out[..];
    while !rest.is_empty() {
        let n = conn.send_data(stream, rest, false).unwrap();
        assert!(n > 0, "window exhausted");
        rest = &rest[n..];
    }
    out.clear();
}

#[test]
fn websocket_runs_over_our_extended_connect() {
    let (mut client, mut server) = pair(
        Config::default(),
        Config::default().with_connect_protocol(true),
    );

    // The opening handshake (RFC 8441 §5).
    let handshake = ClientHandshake::new(*b"0123456789abcdef")
        .transport(Transport::ExtendedConnect)
        .protocols(&["chat"]);
    let extra = handshake.request_fields();
    let mut request: Vec<(&str, &str)> = WS.to_vec();
    request.extend(extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let stream = client.send_request(fields(&request), false).unwrap();
    pump(&mut client, &mut server);
    let got = events(&mut server);
    let [Event::Headers { headers, .. }] = &got[..] else {
        panic!("{got:?}")
    };
    let pairs = common::pairs(headers);
    assert!(pairs.contains(&(&b":protocol"[..], &b"websocket"[..])));
    assert!(pairs.contains(&(&b"sec-websocket-version"[..], &b"13"[..])));
    assert!(!pairs.iter().any(|(n, _)| *n == b"sec-websocket-key"));
    let accepted = ServerHandshake::new()
        .transport(Transport::ExtendedConnect)
        .protocols(&["chat"])
        .accept("CONNECT", &pairs)
        .unwrap();
    assert_eq!(accepted.status, 200);
    let mut response = vec![(":status".to_string(), accepted.status.to_string())];
    response.extend(accepted.fields.iter().cloned());
    server
        .send_headers(
            stream,
            response
                .iter()
                .map(|(n, v)| Field::from((n.as_str(), v.as_str()))),
            false,
        )
        .unwrap();
    pump(&mut server, &mut client);
    let got = events(&mut client);
    let [
        Event::Headers {
            kind: HeadersKind::Response(200),
            headers,
            end_stream: false,
            ..
        },
    ] = &got[..]
    else {
        panic!("{got:?}")
    };
    let pairs = common::pairs(headers);
    let negotiated = handshake.verify_response(200, &pairs).unwrap();
    assert_eq!(negotiated.protocol.as_deref(), Some("chat"));

    // WebSocket frames over the stream's DATA, both ways.
    let mut keys = 0u8;
    let mut ws_client = ws_proto::Connection::client(ws_proto::Config::default(), move || {
        keys = keys.wrapping_add(1);
        [keys, 1, 2, 3]
    });
    let mut ws_server = ws_proto::Connection::server(ws_proto::Config::default());
    let mut out = Vec::new();
    ws_client.send_text("hello over h2", &mut out).unwrap();
    let big: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
    ws_client.send_binary(&big, &mut out).unwrap();
    flush(&mut client, stream, &mut out);
    pump(&mut client, &mut server);
    feed(&mut server, stream, &mut ws_server);
    let got = ws_events(&mut ws_server);
    assert_eq!(
        got,
        [
            ws_proto::Event::Text("hello over h2".into()),
            ws_proto::Event::Binary(big.clone())
        ]
    );
    ws_server
        .send_text("echo: hello over h2", &mut out)
        .unwrap();
    flush(&mut server, stream, &mut out);
    pump(&mut server, &mut client);
    feed(&mut client, stream, &mut ws_client);
    assert_eq!(
        ws_events(&mut ws_client),
        [ws_proto::Event::Text("echo: hello over h2".into())]
    );

    // The close handshake, then both ends of the stream.
    ws_client
        .close(Some(ws_proto::CloseCode(1000)), "bye", &mut out)
        .unwrap();
    flush(&mut client, stream, &mut out);
    pump(&mut client, &mut server);
    feed(&mut server, stream, &mut ws_server);
    assert!(
        matches!(&ws_events(&mut ws_server)[..], [ws_proto::Event::Close(Some(c))] if c.code.0 == 1000)
    );
    ws_server.poll_transmit(&mut out).unwrap(); // the close reply
    server.send_data(stream, &out, true).unwrap();
    out.clear();
    pump(&mut server, &mut client);
    assert!(
        feed(&mut client, stream, &mut ws_client),
        "server ended the stream"
    );
    assert!(matches!(
        &ws_events(&mut ws_client)[..],
        [ws_proto::Event::Close(Some(_))]
    ));
    assert_eq!(ws_client.state(), ws_proto::State::Closed);
    client.send_data(stream, b"", true).unwrap();
    pump(&mut client, &mut server);
    assert_eq!(client.active_streams(), 0);
    assert_eq!(server.active_streams(), 0);
}
