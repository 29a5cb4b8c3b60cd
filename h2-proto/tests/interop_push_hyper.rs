//! Server push and extended CONNECT against hyperium `h2` (in process, over a tokio duplex),
//! both roles: its client receives our server's push and ours receives its server's; a
//! WebSocket (ws-proto frames) over extended CONNECT from its client to our server and from
//! our client to its server.

mod common;

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use bytes::Bytes;
use common::duplex::drive;
use common::{NOW, websocket_connect};
use h2_proto::{Config, Connection, Event, Field, HeadersKind, StreamId};
use ws_proto::handshake::{ClientHandshake, ServerHandshake, Transport};

const LIMIT: StdDuration = StdDuration::from_secs(20);

fn get<'a>(headers: &'a [qpack_hpack::hpack::Header], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|h| h.name == name.as_bytes())
        .map(|h| &h.value[..])
}

// ------------------------------------------------------------------ server push

#[tokio::test]
async fn hyperium_client_receives_our_push() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let client = tokio::spawn(async move {
        let (mut send, connection) = h2::client::Builder::new()
            .enable_push(true)
            .handshake::<_, Bytes>(theirs)
            .await
            .unwrap();
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let request = http::Request::get("http://localhost/").body(()).unwrap();
        let (mut response, _) = send.send_request(request, true).unwrap();
        let mut pushes = response.push_promises();
        let response = response.await.unwrap();
        assert_eq!(response.status(), 200);
        let mut body = response.into_body();
        let mut main = Vec::new();
        while let Some(chunk) = body.data().await {
            main.extend_from_slice(&chunk.unwrap());
        }
        let mut pushed = Vec::new();
        while let Some(push) = pushes.push_promise().await {
            let (request, response) = push.unwrap().into_parts();
            let response = response.await.unwrap();
            let status = response.status().as_u16();
            let mut body = response.into_body();
            let mut bytes = Vec::new();
            while let Some(chunk) = body.data().await {
                bytes.extend_from_slice(&chunk.unwrap());
            }
            pushed.push((
                request.method().to_string(),
                request.uri().to_string(),
                status,
                bytes,
            ));
        }
        (main, pushed)
    });

    let mut io = ours;
    let mut conn = Connection::server(Config::default(), NOW);
    let run = drive(&mut conn, &mut io, |conn, event| {
        if let Event::Headers {
            stream,
            kind: HeadersKind::Request,
            ..
        } = event
        {
            assert!(conn.peer_settings().enable_push);
            for (path, body) in [("/style.css", "p{}"), ("/app.js", "go()")] {
                let request = [
                    (":method", "GET"),
                    (":scheme", "http"),
                    (":authority", "localhost"),
                    (":path", path),
                ];
                let promised = conn.push_promise(stream, request.map(Field::from)).unwrap();
                conn.send_headers(promised, [Field::from((":status", "200"))], false)
                    .unwrap();
                conn.send_data(promised, body.as_bytes(), true).unwrap();
            }
            conn.send_headers(stream, [Field::from((":status", "200"))], false)
                .unwrap();
            conn.send_data(stream, b"<html>", true).unwrap();
        }
        false
    });
    tokio::time::timeout(LIMIT, run).await.unwrap();
    drop(io);
    let (main, pushed) = tokio::time::timeout(LIMIT, client).await.unwrap().unwrap();
    assert_eq!(main, b"<html>");
    assert_eq!(
        pushed,
        [
            (
                "GET".into(),
                "http://localhost/style.css".into(),
                200,
                b"p{}".to_vec()
            ),
            (
                "GET".into(),
                "http://localhost/app.js".into(),
                200,
                b"go()".to_vec()
            ),
        ]
    );
}

#[tokio::test]
async fn our_client_receives_hyperium_push() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(async move {
        let mut connection = h2::server::handshake(theirs).await.unwrap();
        while let Some(request) = connection.accept().await {
            let (_request, mut respond) = request.unwrap();
            let promise = http::Request::get("http://localhost/pushed.css")
                .body(())
                .unwrap();
            let mut pushed = respond.push_request(promise).unwrap();
            let mut stream = pushed
                .send_response(http::Response::new(()), false)
                .unwrap();
            stream
                .send_data(Bytes::from_static(b"pushed body"), true)
                .unwrap();
            let mut main = respond
                .send_response(http::Response::new(()), false)
                .unwrap();
            main.send_data(Bytes::from_static(b"main body"), true)
                .unwrap();
        }
    });

    let mut io = ours;
    let mut conn = Connection::client(Config::default().with_push(true), NOW);
    let request = [
        (":method", "GET"),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", "/"),
    ];
    let main = conn.send_request(request.map(Field::from), true).unwrap();
    let mut promised = None;
    let mut statuses = HashMap::new();
    let mut bodies: HashMap<StreamId, Vec<u8>> = HashMap::new();
    let mut ended = 0;
    let run = drive(&mut conn, &mut io, |_, event| {
        match event {
            Event::PushPromise {
                stream,
                promised: p,
                headers,
            } => {
                assert_eq!(stream, main);
                assert_eq!(get(&headers, ":path"), Some(&b"/pushed.css"[..]));
                assert_eq!(get(&headers, ":authority"), Some(&b"localhost"[..]));
                promised = Some(p);
            }
            Event::Headers {
                stream,
                kind: HeadersKind::Response(status),
                ..
            } => {
                statuses.insert(stream, status);
            }
            Event::Data {
                stream,
                data,
                end_stream,
            } => {
                bodies.entry(stream).or_default().extend_from_slice(&data);
                ended += usize::from(end_stream);
            }
            _ => {}
        }
        ended == 2
    });
    tokio::time::timeout(LIMIT, run).await.unwrap();
    let promised = promised.expect("a push promise");
    assert!(promised.is_server_initiated());
    assert_eq!(statuses[&promised], 200);
    assert_eq!(statuses[&main], 200);
    assert_eq!(bodies[&promised], b"pushed body");
    assert_eq!(bodies[&main], b"main body");
    assert_eq!(conn.active_streams(), 0);
    drop(io);
    let _ = tokio::time::timeout(LIMIT, server).await;
}

// ------------------------------------------------------------------ extended CONNECT + WebSocket

/// The WebSocket echo both servers run: every text message comes back as `echo: <text>`.
fn ws_echo(ws: &mut ws_proto::Connection, input: &[u8], out: &mut Vec<u8>) {
    ws.handle_input(input).unwrap();
    while let Some(event) = ws.poll_event() {
        if let ws_proto::Event::Text(text) = event {
            ws.send_text(&format!("echo: {text}"), out).unwrap();
        }
    }
    ws.poll_transmit(out).unwrap(); // the automatic close reply
}

fn mask_keys() -> impl FnMut() -> [u8; 4] + Send + 'static {
    let mut n = 0u32;
    move || {
        n = n.wrapping_mul(2_654_435_761).wrapping_add(1);
        n.to_be_bytes()
    }
}

#[tokio::test]
async fn hyperium_client_runs_a_websocket_over_our_extended_connect() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let client = tokio::spawn(async move {
        let (send, connection) = h2::client::handshake(theirs).await.unwrap();
        tokio::spawn(async move {
            let _ = connection.await;
        });
        // RFC 8441 §3: only after the server's SETTINGS_ENABLE_CONNECT_PROTOCOL.
        let mut send = send.ready().await.unwrap();
        for _ in 0..500 {
            if send.is_extended_connect_protocol_enabled() {
                break;
            }
            tokio::time::sleep(StdDuration::from_millis(2)).await;
        }
        assert!(send.is_extended_connect_protocol_enabled());
        let handshake =
            ClientHandshake::new(*b"hyperium-client!").transport(Transport::ExtendedConnect);
        let mut request = http::Request::builder()
            .method(http::Method::CONNECT)
            .uri("http://localhost/chat")
            .extension(h2::ext::Protocol::from_static("websocket"));
        for (name, value) in handshake.request_fields() {
            request = request.header(name, value);
        }
        let (response, mut tunnel) = send.send_request(request.body(()).unwrap(), false).unwrap();
        let response = response.await.unwrap();
        let fields: Vec<(String, Vec<u8>)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect();
        handshake
            .verify_response(response.status().as_u16(), &fields)
            .unwrap();
        let mut body = response.into_body();
        let mut ws = ws_proto::Connection::client(ws_proto::Config::default(), mask_keys());
        let mut out = Vec::new();
        ws.send_text("one", &mut out).unwrap();
        ws.send_text("two", &mut out).unwrap();
        ws.close(Some(ws_proto::CloseCode(1000)), "done", &mut out)
            .unwrap();
        tunnel
            .send_data(Bytes::from(std::mem::take(&mut out)), false)
            .unwrap();
        let mut got = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.unwrap();
            let _ = body.flow_control().release_capacity(chunk.len());
            ws.handle_input(&chunk).unwrap();
            while let Some(event) = ws.poll_event() {
                got.push(event);
            }
        }
        tunnel.send_data(Bytes::new(), true).unwrap();
        (got, ws.state())
    });

    let mut io = ours;
    let mut conn = Connection::server(Config::default().with_connect_protocol(true), NOW);
    let mut ws = ws_proto::Connection::server(ws_proto::Config::default());
    let mut tunnel = None;
    let mut ended = false;
    let run = drive(&mut conn, &mut io, |conn, event| {
        let mut out = Vec::new();
        match event {
            Event::Headers {
                stream,
                kind: HeadersKind::Request,
                headers,
                ..
            } => {
                assert_eq!(get(&headers, ":protocol"), Some(&b"websocket"[..]));
                assert_eq!(get(&headers, ":path"), Some(&b"/chat"[..]));
                let pairs = common::pairs(&headers);
                let accepted = ServerHandshake::new()
                    .transport(Transport::ExtendedConnect)
                    .accept("CONNECT", &pairs)
                    .unwrap();
                let status = accepted.status.to_string();
                let mut response = vec![Field::from((":status", status.as_str()))];
                response.extend(
                    accepted
                        .fields
                        .iter()
                        .map(|(n, v)| Field::from((n.as_str(), v.as_str()))),
                );
                conn.send_headers(stream, response, false).unwrap();
                tunnel = Some(stream);
            }
            Event::Data { stream, data, .. } if Some(stream) == tunnel && !ended => {
                ws_echo(&mut ws, &data, &mut out);
                // After the close handshake our side of the stream ends too.
                ended = ws.state() == ws_proto::State::Closed;
                assert_eq!(conn.send_data(stream, &out, ended).unwrap(), out.len());
            }
            _ => {}
        }
        false
    });
    tokio::time::timeout(LIMIT, run).await.unwrap();
    drop(io);
    let (got, state) = tokio::time::timeout(LIMIT, client).await.unwrap().unwrap();
    assert_eq!(got[0], ws_proto::Event::Text("echo: one".into()));
    assert_eq!(got[1], ws_proto::Event::Text("echo: two".into()));
    assert!(matches!(&got[2], ws_proto::Event::Close(Some(c)) if c.code.0 == 1000));
    assert_eq!(state, ws_proto::State::Closed);
}

#[tokio::test]
async fn our_client_runs_a_websocket_over_hyperium_extended_connect() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(async move {
        let mut connection = h2::server::Builder::new()
            .enable_connect_protocol()
            .handshake::<_, Bytes>(theirs)
            .await
            .unwrap();
        let (request, mut respond) = connection.accept().await.unwrap().unwrap();
        tokio::spawn(async move {
            // Keep the connection going while the tunnel runs.
            while let Some(r) = connection.accept().await {
                drop(r);
            }
        });
        assert_eq!(request.method(), http::Method::CONNECT);
        let protocol = request.extensions().get::<h2::ext::Protocol>().cloned();
        assert_eq!(protocol.as_ref().map(|p| p.as_str()), Some("websocket"));
        let fields: Vec<(String, Vec<u8>)> = request
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect();
        let accepted = ServerHandshake::new()
            .transport(Transport::ExtendedConnect)
            .accept("CONNECT", &fields)
            .unwrap();
        let mut response = http::Response::builder().status(accepted.status);
        for (name, value) in &accepted.fields {
            response = response.header(name, value);
        }
        let mut tunnel = respond
            .send_response(response.body(()).unwrap(), false)
            .unwrap();
        let mut body = request.into_body();
        let mut ws = ws_proto::Connection::server(ws_proto::Config::default());
        let mut ended = false;
        // Until the client ends its side of the stream.
        while let Some(chunk) = body.data().await {
            let chunk = chunk.unwrap();
            let _ = body.flow_control().release_capacity(chunk.len());
            if ended {
                continue;
            }
            let mut out = Vec::new();
            ws_echo(&mut ws, &chunk, &mut out);
            ended = ws.state() == ws_proto::State::Closed;
            if !out.is_empty() || ended {
                tunnel.send_data(Bytes::from(out), ended).unwrap();
            }
        }
    });

    let mut io = ours;
    let mut conn = Connection::client(Config::default(), NOW);
    let handshake =
        ClientHandshake::new(*b"our-h2-client-16").transport(Transport::ExtendedConnect);
    let extra = handshake.request_fields();
    let mut ws = ws_proto::Connection::client(ws_proto::Config::default(), mask_keys());
    let mut tunnel = None;
    let mut got = Vec::new();
    let run = drive(&mut conn, &mut io, |conn, event| {
        let mut out = Vec::new();
        match event {
            Event::PeerSettings(settings) if tunnel.is_none() => {
                assert!(settings.enable_connect_protocol);
                let request = websocket_connect("localhost", &extra);
                tunnel = Some(conn.send_request(request, false).unwrap());
            }
            Event::Headers {
                kind: HeadersKind::Response(status),
                headers,
                ..
            } => {
                let pairs = common::pairs(&headers);
                handshake.verify_response(status, &pairs).unwrap();
                ws.send_text("ping over h2", &mut out).unwrap();
                ws.send_binary(&[7u8; 30_000], &mut out).unwrap();
                ws.close(Some(ws_proto::CloseCode(1000)), "", &mut out)
                    .unwrap();
                let stream = tunnel.unwrap();
                assert_eq!(conn.send_data(stream, &out, false).unwrap(), out.len());
            }
            Event::Data {
                stream,
                data,
                end_stream,
            } => {
                ws.handle_input(&data).unwrap();
                got.extend(std::iter::from_fn(|| ws.poll_event()));
                if end_stream {
                    conn.send_data(stream, b"", true).unwrap();
                    return true;
                }
            }
            _ => {}
        }
        false
    });
    tokio::time::timeout(LIMIT, run).await.unwrap();
    assert_eq!(got[0], ws_proto::Event::Text("echo: ping over h2".into()));
    assert!(
        matches!(&got[1], ws_proto::Event::Close(Some(c)) if c.code.0 == 1000),
        "{got:?}"
    );
    assert_eq!(ws.state(), ws_proto::State::Closed);
    drop(io);
    tokio::time::timeout(LIMIT, server).await.unwrap().unwrap();
}
