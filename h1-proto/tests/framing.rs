//! RFC 9112 §6 framing and §9 connection management, through both connection roles.

use h1_proto::fuzzing::{Traced, client_trace, server_trace};
use h1_proto::{
    Body, ClientConnection, Config, Event, Field, Framing, Request, RequestParser, Response,
    ServerConnection, UsageError,
};

fn transmit(server: &mut ServerConnection) -> Vec<u8> {
    let out = server.pending_transmit().to_vec();
    server.consume_transmit(out.len());
    out
}

fn client_transmit(client: &mut ClientConnection) -> Vec<u8> {
    let out = client.pending_transmit().to_vec();
    client.consume_transmit(out.len());
    out
}

#[test]
fn bodiless_responses_by_method_and_status() {
    // RFC 9112 §6.3 items 1 and 2: HEAD, 1xx, 204 and 304 end at the head, whatever the
    // framing fields say; the bytes after them are the next response.
    let next = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    for (method, first) in [
        (
            "HEAD",
            &b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"[..],
        ),
        (
            "GET",
            b"HTTP/1.1 204 No Content\r\nContent-Length: 100\r\n\r\n",
        ),
        (
            "GET",
            b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
        ),
    ] {
        let mut input = first.to_vec();
        input.extend_from_slice(next);
        let trace = client_trace(&input, &[], &[method, "GET"], &Config::default());
        assert_eq!(trace[1], Traced::End, "{method} {trace:?}");
        assert_eq!(trace[3], Traced::Data(b"ok".to_vec()));
    }
}

#[test]
fn informational_responses_then_the_final_one() {
    let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
    let trace = client_trace(input, &[], &["GET"], &Config::default());
    assert_eq!(
        trace,
        [
            Traced::Response(100, vec![]),
            Traced::Response(
                103,
                vec![("Link".into(), b"</style.css>; rel=preload".to_vec())]
            ),
            Traced::Response(200, vec![("Content-Length".into(), b"1".to_vec())]),
            Traced::Data(b"x".to_vec()),
            Traced::End,
            Traced::Closed,
        ]
    );
}

#[test]
fn server_sends_any_number_of_1xx_and_expect_continue() {
    let mut server = ServerConnection::default();
    server.handle_input(
        b"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
    );
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::Request(_))
    ));
    assert!(server.expects_continue());
    assert!(server.poll_event().unwrap().is_none());
    server
        .send_informational(103, &[Field::new("Link", b"</a.js>; rel=preload")])
        .unwrap();
    server.send_informational(100, &[]).unwrap();
    assert!(!server.expects_continue());
    assert_eq!(
        transmit(&mut server),
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
    );
    server.handle_input(b"abc");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::Data(b"abc"))
    ));
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::EndOfMessage)
    ));
    assert_eq!(
        server.send_informational(101, &[]),
        Err(UsageError::InvalidStatus)
    );
    server
        .send_response(&Response::new(201, &[]), Body::Empty)
        .unwrap();
    server.finish().unwrap();
    assert_eq!(
        transmit(&mut server),
        b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
    );

    // Never a 1xx to an HTTP/1.0 client (RFC 9110 §15.2).
    let mut server = ServerConnection::default();
    server.handle_input(b"GET / HTTP/1.0\r\n\r\n");
    server.poll_event().unwrap();
    assert_eq!(
        server.send_informational(100, &[]),
        Err(UsageError::InformationalToHttp10)
    );
}

#[test]
fn early_final_response_to_expect_continue_closes() {
    let mut server = ServerConnection::default();
    server.handle_input(
        b"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n",
    );
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::Request(_))
    ));
    server
        .send_response(&Response::new(417, &[]), Body::Empty)
        .unwrap();
    server.finish().unwrap();
    assert!(server.should_close());
    // The unread body is never parsed as a request.
    server.handle_input(b"GET /admin HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(server.poll_event().unwrap().is_none());
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let input = b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: a\r\n\r\nPOST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut server = ServerConnection::default();
    server.handle_input(input);
    let mut wire = Vec::new();
    let mut targets = Vec::new();
    let mut methods = Vec::new();
    loop {
        match server.poll_event().unwrap() {
            Some(Event::Request(head)) => {
                targets.push(head.target.to_string());
                methods.push(head.method.to_string());
            }
            Some(Event::EndOfMessage) => {
                let target = targets.last().unwrap().clone();
                server
                    .send_response(&Response::new(200, &[]), Body::Length(target.len() as u64))
                    .unwrap();
                if methods.last().unwrap() != "HEAD" {
                    server.send_data(target.as_bytes()).unwrap();
                }
                server.finish().unwrap();
                wire.extend(transmit(&mut server));
            }
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(targets, ["/1", "/2", "/3", "/4"]);
    assert!(server.should_close());

    // The client matches the answers to its pipelined requests, HEAD included.
    let mut client = ClientConnection::default();
    let host = [Field::new("Host", b"a")];
    for method in ["GET", "HEAD", "GET", "GET"] {
        client
            .send_request(&Request::new(method, "/", &host), Body::Empty)
            .unwrap();
        client.finish().unwrap();
    }
    assert_eq!(client.requests_in_flight(), 4);
    client.handle_input(&wire);
    let mut bodies = Vec::new();
    let mut statuses = 0;
    while let Some(event) = client.poll_event().unwrap() {
        match event {
            Event::Response(_) => statuses += 1,
            Event::Data(d) => bodies.push(String::from_utf8(d.to_vec()).unwrap()),
            _ => {}
        }
    }
    // The HEAD response carries Content-Length: 2 but no body.
    assert_eq!(statuses, 4);
    assert_eq!(bodies, ["/1", "/3", "/4"]);
    assert!(
        client.should_close(),
        "the last response said Connection: close"
    );
}

#[test]
fn head_response_keeps_content_length_but_sends_no_body() {
    let mut server = ServerConnection::default();
    server.handle_input(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
    server.poll_event().unwrap();
    server.poll_event().unwrap();
    server
        .send_response(&Response::new(200, &[]), Body::Length(1234))
        .unwrap();
    assert_eq!(server.send_data(b"x"), Err(UsageError::BodyTooLong));
    server.finish().unwrap();
    assert_eq!(
        transmit(&mut server),
        b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
    );
}

#[test]
fn upgrade_hands_back_the_bytes_after_the_head() {
    let mut server = ServerConnection::default();
    server.handle_input(b"GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::Request(_))
    ));
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::EndOfMessage)
    ));
    let fields = [
        Field::new("Connection", b"Upgrade"),
        Field::new("Upgrade", b"websocket"),
    ];
    server
        .send_response(&Response::new(101, &fields), Body::Empty)
        .unwrap();
    server.finish().unwrap();
    assert_eq!(
        transmit(&mut server),
        b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
    );
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::Switched(b"\x81\x05hello"))
    ));
    assert!(!server.should_close());

    // The client sees the 101 and then the first bytes of the new protocol.
    let mut client = ClientConnection::default();
    let fields = [
        Field::new("Host", b"a"),
        Field::new("Connection", b"Upgrade"),
        Field::new("Upgrade", b"websocket"),
    ];
    client
        .send_request(&Request::new("GET", "/chat", &fields), Body::Empty)
        .unwrap();
    client.finish().unwrap();
    assert_eq!(
        client.send_request(&Request::new("GET", "/", &fields[..1]), Body::Empty),
        Err(UsageError::WrongState),
        "no pipelining behind an upgrade"
    );
    client.handle_input(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x02hi");
    assert!(
        matches!(client.poll_event().unwrap(), Some(Event::Informational(h)) if h.status == 101)
    );
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(Event::Switched(b"\x81\x02hi"))
    ));
    // Upgrade declined: 200 is an ordinary response.
    let mut server = ServerConnection::default();
    server
        .handle_input(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n");
    server.poll_event().unwrap();
    server.poll_event().unwrap();
    server
        .send_response(&Response::new(200, &[]), Body::Empty)
        .unwrap();
    server.finish().unwrap();
    assert!(!server.should_close());
    assert!(server.poll_event().unwrap().is_none());
}

#[test]
fn connect_tunnel() {
    let trace = client_trace(
        b"HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01",
        &[],
        &["CONNECT"],
        &Config::default(),
    );
    assert_eq!(
        trace,
        [
            Traced::Response(200, vec![]),
            Traced::Switched(b"\x16\x03\x01".to_vec())
        ]
    );
    let trace = client_trace(
        b"HTTP/1.1 407 Proxy Auth\r\nContent-Length: 1\r\n\r\nx",
        &[],
        &["CONNECT"],
        &Config::default(),
    );
    assert_eq!(trace[1], Traced::Data(b"x".to_vec()));
    let mut server = ServerConnection::default();
    server
        .handle_input(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03");
    server.poll_event().unwrap();
    server.poll_event().unwrap();
    server
        .send_response(&Response::new(200, &[]), Body::Empty)
        .unwrap();
    server.finish().unwrap();
    assert_eq!(transmit(&mut server), b"HTTP/1.1 200 OK\r\n\r\n");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(Event::Switched(b"\x16\x03"))
    ));
}

#[test]
fn close_delimited_and_keep_alive_responses() {
    let trace = client_trace(
        b"HTTP/1.1 200 OK\r\n\r\nuntil close",
        &[],
        &["GET"],
        &Config::default(),
    );
    assert_eq!(
        trace,
        [
            Traced::Response(200, vec![]),
            Traced::Data(b"until close".to_vec()),
            Traced::End
        ]
    );
    // HTTP/1.0 response with keep-alive to an HTTP/1.1 request: persistent.
    let mut client = ClientConnection::default();
    client
        .send_request(
            &Request::new("GET", "/", &[Field::new("Host", b"a")]),
            Body::Empty,
        )
        .unwrap();
    client.finish().unwrap();
    client.handle_input(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
    while client.poll_event().unwrap().is_some() {}
    assert!(!client.should_close());
    // Without keep-alive: not persistent, and no further request may be sent.
    client
        .send_request(
            &Request::new("GET", "/", &[Field::new("Host", b"a")]),
            Body::Empty,
        )
        .unwrap();
    client.finish().unwrap();
    client.handle_input(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    while client.poll_event().unwrap().is_some() {}
    assert!(client.should_close());
    assert_eq!(
        client.send_request(
            &Request::new("GET", "/", &[Field::new("Host", b"a")]),
            Body::Empty
        ),
        Err(UsageError::WrongState)
    );
}

#[test]
fn request_framing_decisions() {
    let mut parser = RequestParser::default();
    for (input, framing, keep_alive) in [
        (
            &b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"[..],
            Framing::Length(0),
            true,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n",
            Framing::Length(42),
            true,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            Framing::Chunked,
            true,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            Framing::Length(0),
            false,
        ),
        (b"GET / HTTP/1.0\r\n\r\n", Framing::Length(0), false),
        (
            b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            Framing::Length(0),
            true,
        ),
        (
            b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            Framing::Length(0),
            true,
        ),
        (
            b"GET / HTTP/1.9\r\nHost: a\r\n\r\n",
            Framing::Length(0),
            true,
        ),
    ] {
        parser.reset();
        let parsed = parser.parse(input).unwrap().unwrap();
        assert_eq!(parsed.head_len, input.len());
        assert_eq!(
            (parsed.framing, parsed.keep_alive),
            (framing, keep_alive),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn incremental_parse_resumes_without_rescanning() {
    let input = b"GET /a/long/path HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    let mut parser = RequestParser::default();
    for end in 0..input.len() {
        assert!(parser.parse(&input[..end]).unwrap().is_none(), "{end}");
    }
    let parsed = parser.parse(input).unwrap().unwrap();
    assert_eq!(parsed.head.fields.get("accept"), Some(&b"*/*"[..]));
    assert_eq!(parsed.head.fields.len(), 2);
}

#[test]
fn local_misuse_is_a_usage_error() {
    let mut client = ClientConnection::default();
    assert_eq!(
        client.send_request(&Request::new("GET", "/", &[]), Body::Empty),
        Err(UsageError::MissingHost)
    );
    let bad = [
        Field::new("Host", b"a"),
        Field::new("X", b"a\r\nInjected: 1"),
    ];
    assert_eq!(
        client.send_request(&Request::new("GET", "/", &bad), Body::Empty),
        Err(UsageError::InvalidField)
    );
    let framing = [Field::new("Host", b"a"), Field::new("Content-Length", b"1")];
    assert_eq!(
        client.send_request(&Request::new("GET", "/", &framing), Body::Empty),
        Err(UsageError::FramingField)
    );
    assert_eq!(
        client.send_request(&Request::new("GET", "/ x", &bad[..1]), Body::Empty),
        Err(UsageError::InvalidRequestLine)
    );
    client
        .send_request(&Request::new("POST", "/", &bad[..1]), Body::Length(2))
        .unwrap();
    assert_eq!(client.send_data(b"abc"), Err(UsageError::BodyTooLong));
    client.send_data(b"a").unwrap();
    assert_eq!(client.finish(), Err(UsageError::BodyTooShort));
    client.send_data(b"b").unwrap();
    assert_eq!(
        client.send_trailers(&[Field::new("T", b"1")]),
        Err(UsageError::TrailersNotAllowed)
    );
    client.finish().unwrap();
    assert_eq!(
        client_transmit(&mut client),
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab"
    );
    let mut server = ServerConnection::default();
    assert_eq!(
        server.send_response(&Response::new(200, &[]), Body::Empty),
        Err(UsageError::WrongState)
    );
}

#[test]
fn chunked_request_from_the_client_with_trailers() {
    let mut client = ClientConnection::default();
    client
        .send_request(
            &Request::new("POST", "/up", &[Field::new("Host", b"a")]),
            Body::Streaming,
        )
        .unwrap();
    client.send_data(b"hello ").unwrap();
    client.send_data(b"").unwrap();
    client.send_data(b"world").unwrap();
    client.send_trailers(&[Field::new("Digest", b"x")]).unwrap();
    let wire = client_transmit(&mut client);
    let trace = server_trace(&wire, &[], &Config::default());
    assert_eq!(trace[1], Traced::Data(b"hello world".to_vec()));
    assert_eq!(
        trace[2],
        Traced::Trailers(vec![("Digest".into(), b"x".to_vec())])
    );
    assert_eq!(trace[3], Traced::End);
}
