//! In-process interop with hyperium `h2` over a tokio duplex, both roles: our client against
//! its server, its client against our server. A small adapter shuttles bytes between our
//! sans-IO connection and the duplex.

mod common;

use std::collections::HashMap;

use bytes::Bytes;
use common::NOW;
use common::duplex::drive;
use h2_proto::{Config, Connection, Event, Field, HeadersKind, StreamId};
use tokio::io::DuplexStream;

fn body_of(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

async fn hyper_server(io: DuplexStream) {
    let mut conn = h2::server::handshake(io).await.unwrap();
    while let Some(request) = conn.accept().await {
        let (request, mut respond) = request.unwrap();
        tokio::spawn(async move {
            let path = request.uri().path().to_string();
            let mut body = request.into_body();
            let mut received = Vec::new();
            while let Some(chunk) = body.data().await {
                let chunk = chunk.unwrap();
                body.flow_control().release_capacity(chunk.len()).unwrap();
                received.extend_from_slice(&chunk);
            }
            let trailers = body.trailers().await.unwrap();
            let response = http::Response::builder()
                .status(200)
                .header("x-path", path.as_str())
                .header(
                    "x-trailer",
                    trailers
                        .and_then(|t| t.get("x-sum").cloned())
                        .unwrap_or(http::HeaderValue::from_static("none")),
                )
                .body(())
                .unwrap();
            let reply = if path == "/echo" {
                received
            } else {
                b"hello!".to_vec()
            };
            let mut send = respond.send_response(response, false).unwrap();
            // Respect flow control the way h2 users must.
            let mut rest = Bytes::from(reply);
            while !rest.is_empty() {
                send.reserve_capacity(rest.len());
                let cap = std::future::poll_fn(|cx| send.poll_capacity(cx))
                    .await
                    .unwrap()
                    .unwrap();
                let chunk = rest.split_to(cap.min(rest.len()));
                send.send_data(chunk, false).unwrap();
            }
            send.send_data(Bytes::new(), true).unwrap();
        });
    }
}

#[tokio::test]
async fn our_client_against_hyperium_server() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(hyper_server(theirs));
    let mut io = ours;
    let mut conn = Connection::client(Config::default(), NOW);

    let big = body_of(300_000);
    let get: [(&str, &str); 4] = [
        (":method", "GET"),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", "/"),
    ];
    let post: [(&str, &str); 5] = [
        (":method", "POST"),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", "/echo"),
        ("te", "trailers"),
    ];
    let mut gets = Vec::new();
    for _ in 0..5 {
        gets.push(
            conn.send_request(get.iter().map(|&(n, v)| Field::from((n, v))), true)
                .unwrap(),
        );
    }
    let echo = conn
        .send_request(post.iter().map(|&(n, v)| Field::from((n, v))), false)
        .unwrap();
    let mut offset = conn.send_data(echo, &big, false).unwrap();
    let mut trailers_sent = false;

    let mut bodies: HashMap<StreamId, Vec<u8>> = HashMap::new();
    let mut statuses: HashMap<StreamId, u16> = HashMap::new();
    let mut trailer_seen = String::new();
    let mut finished = 0;
    drive(&mut conn, &mut io, |conn, event| {
        match event {
            Event::Headers {
                stream,
                kind: HeadersKind::Response(status),
                headers,
                end_stream,
            } => {
                statuses.insert(stream, status);
                if let Some(h) = headers.iter().find(|h| h.name == b"x-trailer") {
                    trailer_seen = String::from_utf8(h.value.clone()).unwrap();
                }
                assert!(!end_stream);
            }
            Event::Data {
                stream,
                data,
                end_stream,
            } => {
                bodies.entry(stream).or_default().extend_from_slice(&data);
                if end_stream {
                    finished += 1;
                }
            }
            Event::SendCapacity { stream } if stream == echo && offset < big.len() => {}
            _ => {}
        }
        if offset < big.len() {
            offset += conn.send_data(echo, &big[offset..], false).unwrap();
        }
        if offset == big.len() && !trailers_sent {
            trailers_sent = true;
            conn.send_headers(echo, [Field::from(("x-sum", "300000"))], true)
                .unwrap();
        }
        finished == 6
    })
    .await;
    for id in &gets {
        assert_eq!(statuses[id], 200);
        assert_eq!(bodies[id], b"hello!");
    }
    assert_eq!(statuses[&echo], 200);
    assert_eq!(bodies[&echo].len(), big.len());
    assert!(bodies[&echo] == big, "echoed body intact");
    assert_eq!(trailer_seen, "300000", "the server saw our trailers");
    drop(io);
    server.await.unwrap();
}

#[tokio::test]
async fn hyperium_client_against_our_server() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let client = tokio::spawn(async move {
        let (client, connection) = h2::client::handshake(theirs).await.unwrap();
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let mut client = client.ready().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..5 {
            let request = http::Request::builder()
                .method("GET")
                .uri(format!("http://localhost/item/{i}"))
                .body(())
                .unwrap();
            let (response, _) = client.send_request(request, true).unwrap();
            tasks.push(tokio::spawn(async move {
                let response = response.await.unwrap();
                assert_eq!(response.status(), 200);
                let mut body = response.into_body();
                let mut all = Vec::new();
                while let Some(chunk) = body.data().await {
                    let chunk = chunk.unwrap();
                    body.flow_control().release_capacity(chunk.len()).unwrap();
                    all.extend_from_slice(&chunk);
                }
                all
            }));
            client = client.ready().await.unwrap();
        }
        // A large upload echoed back: flow control in both directions.
        let big = Bytes::from(body_of(500_000));
        let request = http::Request::builder()
            .method("POST")
            .uri("http://localhost/echo")
            .body(())
            .unwrap();
        let (response, mut send) = client.send_request(request, false).unwrap();
        let upload = big.clone();
        tokio::spawn(async move {
            let mut rest = upload;
            while !rest.is_empty() {
                send.reserve_capacity(rest.len());
                let cap = std::future::poll_fn(|cx| send.poll_capacity(cx))
                    .await
                    .unwrap()
                    .unwrap();
                let chunk = rest.split_to(cap.min(rest.len()));
                send.send_data(chunk, false).unwrap();
            }
            send.send_data(Bytes::new(), true).unwrap();
        });
        let response = response.await.unwrap();
        assert_eq!(response.status(), 200);
        let mut body = response.into_body();
        let mut echoed = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.unwrap();
            body.flow_control().release_capacity(chunk.len()).unwrap();
            echoed.extend_from_slice(&chunk);
        }
        let trailers = body.trailers().await.unwrap().expect("trailers");
        assert_eq!(trailers["x-length"], "500000");
        assert!(echoed == big, "echo intact");
        for (i, t) in tasks.into_iter().enumerate() {
            assert_eq!(t.await.unwrap(), format!("item {i}").into_bytes());
        }
    });

    let mut io = ours;
    let mut conn = Connection::server(Config::default(), NOW);
    struct Pending {
        body: Vec<u8>,
        sent: usize,
        path: String,
        responded: bool,
        request_done: bool,
    }
    let mut streams: HashMap<StreamId, Pending> = HashMap::new();
    let mut done = 0;
    drive(&mut conn, &mut io, |conn, event| {
        match event {
            Event::Headers {
                stream,
                kind: HeadersKind::Request,
                headers,
                end_stream,
            } => {
                let path = headers
                    .iter()
                    .find(|h| h.name == b":path")
                    .map(|h| String::from_utf8(h.value.clone()).unwrap())
                    .unwrap();
                streams.insert(
                    stream,
                    Pending {
                        body: Vec::new(),
                        sent: 0,
                        path,
                        responded: false,
                        request_done: end_stream,
                    },
                );
            }
            Event::Data {
                stream,
                data,
                end_stream,
            } => {
                let p = streams.get_mut(&stream).unwrap();
                p.body.extend_from_slice(&data);
                p.request_done = end_stream;
            }
            _ => {}
        }
        for (&stream, p) in streams.iter_mut() {
            if !p.request_done {
                continue;
            }
            if !p.responded {
                p.responded = true;
                if p.path != "/echo" {
                    p.body = format!("item {}", p.path.trim_start_matches("/item/")).into_bytes();
                }
                conn.send_headers(
                    stream,
                    [
                        Field::from((":status", "200")),
                        Field::from(("content-type", "text/plain")),
                    ],
                    false,
                )
                .unwrap();
            }
            if p.sent < p.body.len() {
                p.sent += conn.send_data(stream, &p.body[p.sent..], false).unwrap();
                if p.sent == p.body.len() {
                    let len = p.body.len().to_string();
                    conn.send_headers(stream, [Field::new(b"x-length", len.as_bytes())], true)
                        .unwrap();
                    done += 1;
                }
            }
        }
        done == 6 && conn.active_streams() == 0
    })
    .await;
    client.await.unwrap();
}

/// Our server's graceful two-step GOAWAY, and a cancelled request (RST_STREAM from the peer),
/// against hyperium's client.
#[tokio::test]
async fn our_graceful_shutdown_and_peer_cancel() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let client = tokio::spawn(async move {
        let (client, connection) = h2::client::handshake(theirs).await.unwrap();
        let driver = tokio::spawn(connection);
        let mut client = client.ready().await.unwrap();
        // A request whose response we never wait for: dropping it sends RST_STREAM(CANCEL).
        let slow = http::Request::builder()
            .uri("http://localhost/slow")
            .body(())
            .unwrap();
        let (response, _send) = client.send_request(slow, false).unwrap();
        client = client.ready().await.unwrap();
        drop(response);
        drop(_send);
        let fast = http::Request::builder()
            .uri("http://localhost/fast")
            .body(())
            .unwrap();
        let (response, _) = client.send_request(fast, true).unwrap();
        let response = response.await.unwrap();
        assert_eq!(response.status(), 204);
        drop(client);
        // The connection ends cleanly after the server's GOAWAY sequence.
        driver.await.unwrap().expect("clean close after GOAWAY");
    });
    let mut io = ours;
    let mut conn = Connection::server(Config::default(), NOW);
    let mut cancelled = false;
    let mut answered = false;
    drive(&mut conn, &mut io, |conn, event| {
        match event {
            Event::Headers {
                stream, headers, ..
            } => {
                let path = headers
                    .iter()
                    .find(|h| h.name == b":path")
                    .unwrap()
                    .value
                    .clone();
                if path == b"/fast" {
                    conn.send_headers(stream, [Field::from((":status", "204"))], true)
                        .unwrap();
                    answered = true;
                    conn.shutdown().unwrap();
                }
            }
            Event::StreamReset {
                code, remote: true, ..
            } => {
                assert_eq!(code, h2_proto::ErrorCode::CANCEL);
                cancelled = true;
            }
            _ => {}
        }
        answered && conn.is_finished()
    })
    .await;
    assert!(answered);
    assert!(cancelled, "the peer's RST_STREAM(CANCEL) arrived");
    drop(io);
    client.await.unwrap();
}

/// hyperium's server shutting down gracefully: our client sees GOAWAY with NO_ERROR after its
/// request completed.
#[tokio::test]
async fn peer_graceful_shutdown() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(async move {
        let mut conn = h2::server::handshake(theirs).await.unwrap();
        let (_, mut respond) = conn.accept().await.unwrap().unwrap();
        respond
            .send_response(
                http::Response::builder().status(200).body(()).unwrap(),
                true,
            )
            .unwrap();
        conn.graceful_shutdown();
        while let Some(r) = conn.accept().await {
            r.unwrap();
        }
    });
    let mut io = ours;
    let mut conn = Connection::client(Config::default(), NOW);
    let get: [(&str, &str); 4] = [
        (":method", "GET"),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", "/"),
    ];
    conn.send_request(get.map(Field::from), true).unwrap();
    let mut status = 0;
    let mut goaways = Vec::new();
    drive(&mut conn, &mut io, |_, event| {
        match event {
            Event::Headers {
                kind: HeadersKind::Response(s),
                ..
            } => status = s,
            Event::GoAway {
                last_stream_id,
                code,
                ..
            } => goaways.push((last_stream_id.value(), code)),
            _ => {}
        }
        status == 200 && goaways.iter().any(|&(last, _)| last == 1)
    })
    .await;
    assert_eq!(status, 200);
    assert!(
        goaways
            .iter()
            .all(|&(_, code)| code == h2_proto::ErrorCode::NO_ERROR),
        "{goaways:?}"
    );
    drop(io);
    server.await.unwrap();
}

/// Tiny windows on hyperium's side: our server may only send within them, and resumes on
/// every WINDOW_UPDATE (SendCapacity).
#[tokio::test]
async fn tiny_peer_windows() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let client = tokio::spawn(async move {
        let (client, connection) = h2::client::Builder::new()
            .initial_window_size(100)
            .initial_connection_window_size(65_535)
            .handshake::<_, Bytes>(theirs)
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut client = client.ready().await.unwrap();
        let request = http::Request::builder()
            .uri("http://localhost/big")
            .body(())
            .unwrap();
        let (response, _) = client.send_request(request, true).unwrap();
        let mut body = response.await.unwrap().into_body();
        let mut all = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.unwrap();
            assert!(chunk.len() <= 100, "never more than the stream window");
            body.flow_control().release_capacity(chunk.len()).unwrap();
            all.extend_from_slice(&chunk);
        }
        all
    });
    let mut io = ours;
    let mut conn = Connection::server(Config::default(), NOW);
    let big = body_of(20_000);
    let mut stream = None;
    let mut sent = 0;
    drive(&mut conn, &mut io, |conn, event| {
        if let Event::Headers { stream: s, .. } = event {
            conn.send_headers(s, [Field::from((":status", "200"))], false)
                .unwrap();
            stream = Some(s);
        }
        if let Some(s) = stream
            && sent < big.len()
        {
            let n = conn.send_data(s, &big[sent..], true).unwrap();
            assert!(n <= 100);
            sent += n;
        }
        sent == big.len() && conn.active_streams() == 0
    })
    .await;
    assert_eq!(client.await.unwrap(), big);
}

/// hyperium's server allows 2 concurrent streams: our client is told so by a typed error and
/// opens the rest as streams finish.
#[tokio::test]
async fn peer_concurrency_limit() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(async move {
        let mut conn = h2::server::Builder::new()
            .max_concurrent_streams(2)
            .handshake::<_, Bytes>(theirs)
            .await
            .unwrap();
        while let Some(r) = conn.accept().await {
            let (_, mut respond) = r.unwrap();
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                let mut send = respond
                    .send_response(http::Response::new(()), false)
                    .unwrap();
                send.send_data(Bytes::from_static(b"ok"), true).unwrap();
            });
        }
    });
    let mut io = ours;
    let mut conn = Connection::client(Config::default(), NOW);
    let get: [(&str, &str); 4] = [
        (":method", "GET"),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", "/"),
    ];
    let mut opened = 0;
    let mut done = 0;
    let mut refused = 0;
    let mut max_active = 0;
    drive(&mut conn, &mut io, |conn, event| {
        if let Event::Data {
            end_stream: true, ..
        } = event
        {
            done += 1;
        }
        while opened < 10 {
            match conn.send_request(get.map(Field::from), true) {
                Ok(_) => opened += 1,
                Err(h2_proto::UserError::StreamLimit) => {
                    refused += 1;
                    break;
                }
                Err(e) => panic!("{e}"),
            }
        }
        max_active = max_active.max(conn.active_streams());
        done == 10
    })
    .await;
    assert!(max_active <= 2, "{max_active}");
    assert!(refused > 0);
    drop(io);
    server.await.unwrap();
}
