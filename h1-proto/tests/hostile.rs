//! Hostile input: every request-smuggling class we know of. Each one is a typed error with the
//! status code to answer, the connection closes after the answer, and nothing behind the bad
//! message is ever read as another request.

use h1_proto::fuzzing::{Traced, client_trace, server_trace};
use h1_proto::{Body, Config, Error, Event, Leniency, Response, ServerConnection};

/// A second request smuggled behind the first: it must never surface.
const SMUGGLED: &[u8] = b"GET /admin HTTP/1.1\r\nHost: a\r\n\r\n";

fn request_with(head_fields: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!("POST / HTTP/1.1\r\nHost: a\r\n{head_fields}\r\n").into_bytes();
    r.extend_from_slice(body);
    r.extend_from_slice(SMUGGLED);
    r
}

/// Runs `input` whole and byte by byte; both must end in `error` with `status`, and no
/// request for /admin may appear.
fn rejects(input: &[u8], error: Error, status: u16) {
    let config = Config::default();
    let every: Vec<usize> = (0..input.len()).collect();
    for trace in [
        server_trace(input, &[], &config),
        server_trace(input, &every, &config),
    ] {
        assert!(
            !trace
                .iter()
                .any(|t| matches!(t, Traced::Request(_, target, _, _) if target == "/admin")),
            "smuggled request surfaced: {trace:?}"
        );
        assert_eq!(
            trace.last(),
            Some(&Traced::Error(format!("{error:?}"), status)),
            "input {:?}: {trace:?}",
            String::from_utf8_lossy(input)
        );
    }
    assert_eq!(error.status(), status);
}

#[test]
fn cl_te_and_te_cl() {
    // CL.TE and TE.CL: both framings present is refused outright.
    for fields in [
        "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n",
    ] {
        rejects(
            &request_with(fields, b"0\r\n\r\nG"),
            Error::ContentLengthWithTransferEncoding,
            400,
        );
    }
}

#[test]
fn transfer_encoding_obfuscations() {
    let cases: &[(&str, Error, u16)] = &[
        (
            "Transfer-Encoding : chunked\r\n",
            Error::WhitespaceBeforeColon,
            400,
        ),
        (
            "Transfer-Encoding\t: chunked\r\n",
            Error::WhitespaceBeforeColon,
            400,
        ),
        (" Transfer-Encoding: chunked\r\n", Error::ObsFold, 400),
        (
            "Transfer-Encoding: chunked, x\r\n",
            Error::UnknownTransferCoding,
            501,
        ),
        (
            "Transfer-Encoding: chunked, gzip\r\n",
            Error::InvalidTransferEncoding,
            400,
        ),
        (
            "Transfer-Encoding: \"chunked\"\r\n",
            Error::InvalidTransferEncoding,
            400,
        ),
        (
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            Error::InvalidTransferEncoding,
            400,
        ),
        (
            "Transfer-Encoding: chunked, chunked\r\n",
            Error::InvalidTransferEncoding,
            400,
        ),
        (
            "Transfer-Encoding: xchunked\r\n",
            Error::UnknownTransferCoding,
            501,
        ),
        (
            "Transfer-Encoding: chunked;q=1\r\n",
            Error::InvalidTransferEncoding,
            400,
        ),
        (
            "Transfer-Encoding: identity\r\n",
            Error::UnknownTransferCoding,
            501,
        ),
        (
            "Transfer-Encoding:\r\n",
            Error::InvalidTransferEncoding,
            400,
        ),
        ("Transfer-Encoding: x\r\n :chunked\r\n", Error::ObsFold, 400),
        (
            "Transfer-Encoding: gzip\r\n",
            Error::InvalidTransferEncoding,
            400,
        ),
        (
            "Transfer-Encoding: chunk\x00ed\r\n",
            Error::ControlCharacter,
            400,
        ),
        (
            "Transfer-Encoding: chunked\x0b\r\n",
            Error::ControlCharacter,
            400,
        ),
    ];
    for (fields, error, status) in cases {
        rejects(&request_with(fields, b"0\r\n\r\n"), *error, *status);
    }
    // Transfer-Encoding in HTTP/1.0: the framing is faulty (RFC 9112 §6.1).
    let mut input = b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec();
    input.extend_from_slice(SMUGGLED);
    rejects(&input, Error::TransferEncodingInHttp10, 400);
}

#[test]
fn content_length_variants() {
    let cases: &[&str] = &[
        "Content-Length: +1\r\n",
        "Content-Length: -1\r\n",
        "Content-Length: 1 2\r\n",
        "Content-Length: 0x1\r\n",
        "Content-Length: 1, 2\r\n",
        "Content-Length: 1\r\nContent-Length: 2\r\n",
        "Content-Length: \r\n",
        "Content-Length: 1,\r\n",
        "Content-Length: 99999999999999999999\r\n",
        "Content-Length: 1_0\r\n",
    ];
    for fields in cases {
        rejects(
            &request_with(fields, b"x"),
            Error::InvalidContentLength,
            400,
        );
    }
    // Identical duplicates fold into one value (RFC 9112 §6.3 item 5).
    let trace = server_trace(
        &request_with("Content-Length: 1, 1\r\nContent-Length: 1\r\n", b"x"),
        &[],
        &Config::default(),
    );
    assert!(trace.contains(&Traced::Data(b"x".to_vec())));
    assert!(
        trace
            .iter()
            .any(|t| matches!(t, Traced::Request(_, target, _, _) if target == "/admin"))
    );
}

#[test]
fn chunk_size_tricks() {
    let cases: &[(&[u8], Error)] = &[
        (b"0x1\r\nx\r\n0\r\n\r\n", Error::InvalidChunkSize),
        (b"+1\r\nx\r\n0\r\n\r\n", Error::InvalidChunkSize),
        (b"-1\r\nx\r\n0\r\n\r\n", Error::InvalidChunkSize),
        (b"1_0\r\nx\r\n0\r\n\r\n", Error::InvalidChunkSize),
        (b"\r\nx\r\n0\r\n\r\n", Error::InvalidChunkSize),
        (b"10000000000000000\r\n", Error::InvalidChunkSize),
        (b"fffffffffffffffff\r\n", Error::InvalidChunkSize),
        (b"1\nx\r\n0\r\n\r\n", Error::BareLf),
        (b"1\rx\r\n0\r\n\r\n", Error::BareCr),
        (b"1\r\nx\n0\r\n\r\n", Error::BareLf),
        (b"1\r\nxx\r\n0\r\n\r\n", Error::InvalidChunkEnd),
        (b"1\r\nx\r\r\n0\r\n\r\n", Error::BareCr),
        (b"1 \r\nx\r\n0\r\n\r\n", Error::InvalidChunkExtension),
        (b"1;\r\nx\r\n0\r\n\r\n", Error::InvalidChunkExtension),
        (b"1;a=\"b\r\nx\r\n0\r\n\r\n", Error::InvalidChunkExtension),
        (b"1;a\x00\r\nx\r\n0\r\n\r\n", Error::InvalidChunkExtension),
        (b"1\r\nx\r\n0\r\nTrailer: a\n\r\n", Error::BareLf),
        (b"1\r\nx\r\n0\r\n\r", Error::BareCr),
    ];
    for (body, error) in cases {
        rejects(
            &request_with("Transfer-Encoding: chunked\r\n", body),
            *error,
            400,
        );
    }
    // Well-formed extensions (tokens, quoted strings, whitespace) are accepted and skipped.
    let body = b"1 ; name=value ;q=\"a \\\" b\"\r\nx\r\n0;last\r\n\r\n";
    let trace = server_trace(
        &request_with("Transfer-Encoding: chunked\r\n", body),
        &[],
        &Config::default(),
    );
    assert!(trace.contains(&Traced::Data(b"x".to_vec())), "{trace:?}");
}

#[test]
fn bare_cr_lf_nul_and_bad_names_in_heads() {
    let cases: &[(&[u8], Error)] = &[
        (b"GET / HTTP/1.1\rHost: a\r\n\r\n", Error::BareCr),
        (b"GET / HTTP/1.1\nHost: a\r\n\r\n", Error::BareLf),
        (b"GET / HTTP/1.1\r\nHost: a\n\r\n", Error::BareLf),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
            Error::BareCr,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n",
            Error::ControlCharacter,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n",
            Error::InvalidFieldName,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n",
            Error::WhitespaceBeforeColon,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
            Error::MissingColon,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nX(y): z\r\n\r\n",
            Error::InvalidFieldName,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n folded\r\n\r\n",
            Error::ObsFold,
        ),
        (
            b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            Error::InvalidRequestLine,
        ),
        (b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", Error::InvalidVersion),
        (
            b"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
            Error::ControlCharacter,
        ),
        (
            b"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n",
            Error::InvalidTarget,
        ),
        (b"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", Error::InvalidMethod),
        (b"GET / http/1.1\r\nHost: a\r\n\r\n", Error::InvalidVersion),
        (b"GET /\r\n\r\n", Error::InvalidRequestLine),
        (b"GET / HTTP/1.1\r\n\r\n", Error::InvalidHost),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            Error::InvalidHost,
        ),
        (b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", Error::ObsFold),
    ];
    for (head, error) in cases {
        let mut input = head.to_vec();
        input.extend_from_slice(SMUGGLED);
        rejects(&input, *error, 400);
    }
    let mut input = b"GET / HTTP/2.0\r\nHost: a\r\n\r\n".to_vec();
    input.extend_from_slice(SMUGGLED);
    rejects(&input, Error::UnsupportedVersion, 505);
}

#[test]
fn floods_hit_limits() {
    let config = Config::default();
    // Header flood: too many fields → 431.
    let mut head = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for i in 0..config.max_fields {
        head.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    rejects(&head, Error::TooManyFields, 431);
    // One huge field → 431, without waiting for the line to end.
    let mut head = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
    head.resize(config.max_head_size + 10, b'a');
    rejects(&head, Error::HeadTooLarge, 431);
    // Chunk-extension flood: one long line, and many short ones.
    let mut body = b"1;".to_vec();
    body.resize(config.max_chunk_line + 10, b'a');
    rejects(
        &request_with("Transfer-Encoding: chunked\r\n", &body),
        Error::ChunkExtensionTooLarge,
        400,
    );
    let mut body = Vec::new();
    for _ in 0..(config.max_chunk_extensions / 100 + 2) {
        body.extend_from_slice(b"1;");
        body.extend_from_slice(&[b'e'; 100]);
        body.extend_from_slice(b"\r\nx\r\n");
    }
    rejects(
        &request_with("Transfer-Encoding: chunked\r\n", &body),
        Error::ChunkExtensionTooLarge,
        400,
    );
    // Trailer flood.
    let mut body = b"0\r\n".to_vec();
    for i in 0..2000 {
        body.extend_from_slice(format!("T-{i}: v\r\n").as_bytes());
    }
    body.extend_from_slice(b"\r\n");
    rejects(
        &request_with("Transfer-Encoding: chunked\r\n", &body),
        Error::TrailersTooLarge,
        400,
    );
}

#[test]
fn an_error_is_answered_with_its_status_and_the_connection_closes() {
    let mut server = ServerConnection::default();
    let mut input =
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    input.extend_from_slice(SMUGGLED);
    server.handle_input(&input);
    let error = server.poll_event().unwrap_err();
    assert_eq!(error, Error::ContentLengthWithTransferEncoding);
    // Sticky: the same error again, and input after it is discarded.
    assert_eq!(server.poll_event().unwrap_err(), error);
    assert_eq!(server.handle_input(SMUGGLED), SMUGGLED.len());
    server
        .send_response(&Response::new(error.status(), &[]), Body::Length(11))
        .unwrap();
    server.send_data(b"bad request").unwrap();
    server.finish().unwrap();
    assert_eq!(
        server.pending_transmit(),
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\nbad request"
    );
    assert!(server.should_close());
    assert!(server.poll_event().is_err());
}

#[test]
fn leniencies_never_allow_smuggling() {
    let config = Config::default().with_leniency(Leniency::all());
    // Bare LF in heads is allowed, but never in chunk lines.
    let trace = server_trace(b"GET / HTTP/1.1\nHost: a\n\n", &[], &config);
    assert!(
        matches!(trace.first(), Some(Traced::Request(..))),
        "{trace:?}"
    );
    let input = request_with("Transfer-Encoding: chunked\r\n", b"1\nx\r\n0\r\n\r\n");
    let trace = server_trace(&input, &[], &config);
    assert_eq!(trace.last(), Some(&Traced::Error("BareLf".into(), 400)));
    // Whitespace before the colon and obs-fold stay errors in requests.
    let input = request_with("Transfer-Encoding : chunked\r\n", b"0\r\n\r\n");
    assert_eq!(
        server_trace(&input, &[], &config).last(),
        Some(&Traced::Error("WhitespaceBeforeColon".into(), 400))
    );
    // TE over CL: the body is chunked and the connection closes after it, so the bytes
    // behind it are never parsed as a request.
    let input = request_with(
        "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n",
        b"0\r\n\r\n",
    );
    let trace = server_trace(&input, &[], &config);
    assert!(trace.contains(&Traced::End));
    assert!(
        !trace
            .iter()
            .any(|t| matches!(t, Traced::Request(_, target, _, _) if target == "/admin"))
    );
}

#[test]
fn lenient_responses_fold_and_strip_whitespace() {
    let config = Config::default().with_leniency(Leniency::all());
    let response =
        b"HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nServer : old\r\nContent-Length: 1\r\n\r\nx";
    let trace = client_trace(response, &[], &["GET"], &config);
    assert_eq!(
        trace[0],
        Traced::Response(
            200,
            vec![
                ("X-Long".into(), b"a    b".to_vec()),
                ("Server".into(), b"old".to_vec()),
                ("Content-Length".into(), b"1".to_vec()),
            ]
        )
    );
    // Strict by default.
    let trace = client_trace(response, &[], &["GET"], &Config::default());
    assert_eq!(trace, [Traced::Error("ObsFold".into(), 400)]);
}

#[test]
fn responses_smuggling_in_the_client() {
    let config = Config::default();
    // A response with both CL and TE is refused; with an unknown coding it runs until close.
    let trace = client_trace(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        &[],
        &["GET"],
        &config,
    );
    assert_eq!(
        trace,
        [Traced::Error(
            "ContentLengthWithTransferEncoding".into(),
            400
        )]
    );
    let trace = client_trace(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabcHTTP/1.1 200 OK\r\n\r\n",
        &[],
        &["GET", "GET"],
        &config,
    );
    assert_eq!(trace.len(), 3, "{trace:?}");
    assert_eq!(
        trace[1],
        Traced::Data(b"abcHTTP/1.1 200 OK\r\n\r\n".to_vec())
    );
    // A response nobody asked for.
    let mut client = h1_proto::ClientConnection::default();
    client.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(client.poll_event().unwrap_err(), Error::UnexpectedData);
    // 101 without an Upgrade request.
    let trace = client_trace(
        b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
        &[],
        &["GET"],
        &config,
    );
    assert_eq!(trace, [Traced::Error("UnexpectedSwitch".into(), 400)]);
}

#[test]
fn incomplete_messages_at_eof() {
    for input in [
        &b"GET / HTTP/1.1\r\nHost: a\r\n"[..],
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabc",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc",
    ] {
        let trace = server_trace(input, &[], &Config::default());
        assert_eq!(
            trace.last(),
            Some(&Traced::Error("IncompleteMessage".into(), 400)),
            "{trace:?}"
        );
    }
    let mut server = ServerConnection::default();
    server.handle_eof();
    assert!(matches!(server.poll_event().unwrap(), Some(Event::Closed)));
    assert!(server.should_close());
}
