//! The articles' examples: an HTTP/1.0 session, HTTP/1.1 with Content-Length and with chunked
//! coding, and server-sent events split inside multi-byte UTF-8 characters.

use h1_proto::fuzzing::{Traced, client_trace, server_trace};
use h1_proto::sse::{SseEvent, SseParser};
use h1_proto::{
    Body, ClientConnection, Config, Event, Field, Request, Response, ServerConnection, Version,
};

fn drain(server: &mut ServerConnection) -> Vec<u8> {
    let out = server.pending_transmit().to_vec();
    server.consume_transmit(out.len());
    out
}

#[test]
fn http10_session_without_keep_alive_closes_after_one_exchange() {
    let mut server = ServerConnection::default();
    server.handle_input(b"GET /index.html HTTP/1.0\r\nUser-Agent: NCSA_Mosaic/2.0\r\n\r\n");
    let Some(Event::Request(head)) = server.poll_event().unwrap() else {
        panic!("request")
    };
    assert_eq!(
        (head.method, head.target, head.version),
        ("GET", "/index.html", Version::Http10)
    );
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::EndOfMessage)
    ));
    // Length unknown: to an HTTP/1.0 client the body runs until close.
    server
        .send_response(
            &Response::new(200, &[Field::new("Content-Type", b"text/html")]),
            Body::Streaming,
        )
        .unwrap();
    server.send_data(b"<html>hi</html>").unwrap();
    server.finish().unwrap();
    assert_eq!(
        drain(&mut server),
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>hi</html>"
    );
    assert!(server.should_close());

    // The client side of the same session: a close-delimited body ends at EOF.
    let trace = client_trace(
        b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>hi</html>",
        &[],
        &["GET"],
        &Config::default(),
    );
    assert_eq!(
        trace,
        [
            Traced::Response(200, vec![("Content-Type".into(), b"text/html".to_vec())]),
            Traced::Data(b"<html>hi</html>".to_vec()),
            Traced::End,
        ]
    );
}

#[test]
fn http10_keep_alive_serves_two_requests() {
    let mut server = ServerConnection::default();
    let two = b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n";
    server.handle_input(two);
    assert!(matches!(server.poll_event().unwrap(), Some(Event::Request(h)) if h.target == "/a"));
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::EndOfMessage)
    ));
    assert!(
        server.poll_event().unwrap().is_none(),
        "paused until answered"
    );
    server
        .send_response(&Response::new(200, &[]), Body::Length(2))
        .unwrap();
    server.send_data(b"ok").unwrap();
    server.finish().unwrap();
    assert_eq!(
        drain(&mut server),
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"
    );
    assert!(!server.should_close());
    assert!(matches!(server.poll_event().unwrap(), Some(Event::Request(h)) if h.target == "/b"));
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::EndOfMessage)
    ));
    server
        .send_response(&Response::new(200, &[]), Body::Length(0))
        .unwrap();
    server.finish().unwrap();
    assert!(drain(&mut server).ends_with(b"Connection: close\r\n\r\n"));
    assert!(server.should_close());
}

#[test]
fn http11_content_length_exchange() {
    let mut client = ClientConnection::default();
    let fields = [
        Field::new("Host", b"example.com"),
        Field::new("Content-Type", b"text/plain"),
    ];
    client
        .send_request(&Request::new("POST", "/echo", &fields), Body::Length(5))
        .unwrap();
    client.send_data(b"hello").unwrap();
    client.finish().unwrap();
    let request = client.pending_transmit().to_vec();
    client.consume_transmit(request.len());
    assert_eq!(
        request,
        b"POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
    );

    let trace = server_trace(&request, &[], &Config::default());
    assert_eq!(
        trace,
        [
            Traced::Request(
                "POST".into(),
                "/echo".into(),
                "HTTP/1.1".into(),
                vec![
                    ("Host".into(), b"example.com".to_vec()),
                    ("Content-Type".into(), b"text/plain".to_vec()),
                    ("Content-Length".into(), b"5".to_vec()),
                ]
            ),
            Traced::Data(b"hello".to_vec()),
            Traced::End,
            Traced::Closed,
        ]
    );

    client.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!");
    assert!(matches!(client.poll_event().unwrap(), Some(Event::Response(h)) if h.status == 200));
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(Event::Data(b"Hello, world!"))
    ));
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(Event::EndOfMessage)
    ));
    assert!(!client.should_close());
}

#[test]
fn http11_chunked_exchange_with_trailers() {
    let mut server = ServerConnection::default();
    server.handle_input(b"GET /stream HTTP/1.1\r\nHost: example.com\r\n\r\n");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::Request(_))
    ));
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::EndOfMessage)
    ));
    server
        .send_response(&Response::new(200, &[]), Body::Streaming)
        .unwrap();
    for part in [&b"Wiki"[..], b"pedia", b" in\r\n\r\nchunks."] {
        server.send_data(part).unwrap();
    }
    server
        .send_trailers(&[Field::new("Expires", b"never")])
        .unwrap();
    let wire = drain(&mut server);
    assert_eq!(
        wire,
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
           4\r\nWiki\r\n5\r\npedia\r\ne\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n"[..]
    );
    assert!(!server.should_close());

    let trace = client_trace(&wire, &[], &["GET"], &Config::default());
    assert_eq!(
        trace,
        [
            Traced::Response(200, vec![("Transfer-Encoding".into(), b"chunked".to_vec())]),
            Traced::Data(b"Wikipedia in\r\n\r\nchunks.".to_vec()),
            Traced::Trailers(vec![("Expires".into(), b"never".to_vec())]),
            Traced::End,
            Traced::Closed,
        ]
    );
}

fn sse_events(chunks: &[&[u8]]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for chunk in chunks {
        parser.handle_input(chunk).unwrap();
        while let Some(e) = parser.poll_event() {
            events.push(e);
        }
    }
    events
}

#[test]
fn sse_split_inside_multibyte_utf8_characters() {
    let stream =
        "\u{feff}event: greeting\r\ndata: héllo wörld 🎉\rdata: 日本語\n\nid: 42\ndata: ✓\n\n"
            .as_bytes();
    let whole = sse_events(&[stream]);
    assert_eq!(
        whole,
        [
            SseEvent {
                event: "greeting".into(),
                data: "héllo wörld 🎉\n日本語".into(),
                last_event_id: String::new(),
            },
            SseEvent {
                event: "message".into(),
                data: "✓".into(),
                last_event_id: "42".into(),
            },
        ]
    );
    // Every split, inside the BOM, the emoji and the CJK characters included.
    for cut in 0..=stream.len() {
        let (a, b) = stream.split_at(cut);
        assert_eq!(sse_events(&[a, b]), whole, "split at {cut}");
    }
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(sse_events(&bytes), whole);
}

#[test]
fn sse_spec_examples() {
    // HTML §9.2.6's examples: comments, multi-line data, ids, and a field without a colon.
    let events = sse_events(&[b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"]);
    let data: Vec<_> = events
        .iter()
        .map(|e| (e.data.as_str(), e.last_event_id.as_str()))
        .collect();
    assert_eq!(
        data,
        [
            ("first event", "1"),
            ("second event", ""),
            (" third event", "")
        ]
    );
    let events = sse_events(&[b"data\n\ndata\ndata\n\ndata:\n"]);
    assert_eq!(
        events.iter().map(|e| e.data.as_str()).collect::<Vec<_>>(),
        ["", "\n"]
    );
    let events = sse_events(&[b"data:test\n\ndata: test\n\n"]);
    assert_eq!(events[0].data, events[1].data);
    let mut parser = SseParser::new();
    parser.handle_input(b"retry: 2500\nretry: x\n\n").unwrap();
    assert_eq!(parser.reconnection_time(), Some(2500));
    assert!(parser.poll_event().is_none());
}

#[test]
fn sse_round_trip_through_the_serializer() {
    let mut out = Vec::new();
    h1_proto::sse::serialize_comment(&mut out, "keep-alive");
    h1_proto::sse::serialize_event(
        &mut out,
        Some("tick"),
        "line one\r\nline two\rthree",
        Some("7"),
        Some(1000),
    )
    .unwrap();
    assert_eq!(
        out,
        b":keep-alive\nevent: tick\nid: 7\nretry: 1000\ndata: line one\ndata: line two\ndata: three\n\n"
    );
    let events = sse_events(&[&out]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data, "line one\nline two\nthree");
    assert!(h1_proto::sse::serialize_event(&mut out, Some("a\nb"), "", None, None).is_err());
}
