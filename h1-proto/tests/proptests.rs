//! Property tests: serialize → parse round trips through both roles, split-anywhere
//! equivalence, the fuzz entry points, and a differential check against httparse.

use h1_proto::fuzzing::{Traced, client_trace, server_trace};
use h1_proto::{Body, ClientConnection, Config, Field, Request, Response, ServerConnection};
use proptest::prelude::*;

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    // Visible ASCII, obs-text and inner spaces; no leading or trailing whitespace.
    prop::collection::vec(prop_oneof![0x21u8..0x7f, 0x80u8..=0xff, Just(b' ')], 0..24).prop_map(
        |mut v| {
            while v.first() == Some(&b' ') {
                v.remove(0);
            }
            while v.last() == Some(&b' ') {
                v.pop();
            }
            v
        },
    )
}

fn fields() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop::collection::vec((token(), value()), 0..8).prop_map(|fields| {
        fields
            .into_iter()
            .filter(|(name, _)| {
                let n = name.to_ascii_lowercase();
                !matches!(
                    n.as_str(),
                    "host"
                        | "content-length"
                        | "transfer-encoding"
                        | "connection"
                        | "upgrade"
                        | "expect"
                )
            })
            .collect()
    })
}

fn body_kind() -> impl Strategy<Value = (Vec<Vec<u8>>, bool)> {
    (
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..5),
        any::<bool>(),
    )
}

fn as_fields(fields: &[(String, Vec<u8>)]) -> Vec<Field<'_>> {
    fields.iter().map(|(n, v)| Field::new(n, v)).collect()
}

/// A client request serialized by our client, with what the server must report.
fn request_bytes(
    method: &str,
    target: &str,
    extra: &[(String, Vec<u8>)],
    parts: &[Vec<u8>],
    chunked: bool,
) -> (Vec<u8>, Vec<Traced>) {
    let mut all = vec![("Host".to_string(), b"example.com".to_vec())];
    all.extend(extra.iter().cloned());
    let fields = as_fields(&all);
    let mut client = ClientConnection::default();
    let total: usize = parts.iter().map(Vec::len).sum();
    let body = if chunked {
        Body::Streaming
    } else {
        Body::Length(total as u64)
    };
    client
        .send_request(&Request::new(method, target, &fields), body)
        .unwrap();
    for p in parts {
        client.send_data(p).unwrap();
    }
    client.finish().unwrap();
    let wire = client.pending_transmit().to_vec();
    let mut expected_fields = all.clone();
    if chunked {
        expected_fields.push(("Transfer-Encoding".into(), b"chunked".to_vec()));
    } else {
        expected_fields.push(("Content-Length".into(), total.to_string().into_bytes()));
    }
    let mut expected = vec![Traced::Request(
        method.into(),
        target.into(),
        "HTTP/1.1".into(),
        expected_fields,
    )];
    if total > 0 {
        expected.push(Traced::Data(parts.concat()));
    }
    expected.push(Traced::End);
    (wire, expected)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn request_round_trip_and_split_anywhere(
        method in token(),
        target in "/[!-~]{0,20}",
        extra in fields(),
        (parts, chunked) in body_kind(),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let (wire, mut expected) = request_bytes(&method, &target, &extra, &parts, chunked);
        expected.push(Traced::Closed);
        let config = Config::default();
        prop_assert_eq!(&server_trace(&wire, &[], &config), &expected);
        prop_assert_eq!(&server_trace(&wire, &cuts, &config), &expected);
    }

    #[test]
    fn pipelined_requests_split_anywhere(
        extra in fields(),
        (parts, chunked) in body_kind(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let (a, mut expected) = request_bytes("POST", "/a", &extra, &parts, chunked);
        let (b, more) = request_bytes("GET", "/b", &[], &[], false);
        let wire = [a, b].concat();
        expected.extend(more);
        expected.push(Traced::Closed);
        let config = Config::default();
        prop_assert_eq!(&server_trace(&wire, &cuts, &config), &expected);
    }

    #[test]
    fn response_round_trip_and_split_anywhere(
        status in prop_oneof![Just(200u16), Just(201), Just(404), Just(500), 200u16..600],
        extra in fields(),
        (parts, streaming) in body_kind(),
        trailers in fields(),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut server = ServerConnection::default();
        server.handle_input(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        while server.poll_event().unwrap().is_some() {}
        let fields = as_fields(&extra);
        let total: usize = parts.iter().map(Vec::len).sum();
        let body = if streaming { Body::Streaming } else { Body::Length(total as u64) };
        server.send_response(&Response::new(status, &fields), body).unwrap();
        let no_body = status == 204 || status == 304;
        for p in &parts {
            let sent = server.send_data(p);
            if no_body && !p.is_empty() {
                prop_assert_eq!(sent, Err(h1_proto::UsageError::BodyTooLong));
            } else {
                sent.unwrap();
            }
        }
        let trailer_fields = as_fields(&trailers);
        if streaming && !no_body {
            server.send_trailers(&trailer_fields).unwrap();
        } else {
            server.finish().unwrap();
        }
        let wire = server.pending_transmit().to_vec();
        let config = Config::default();
        let whole = client_trace(&wire, &[], &["GET"], &config);
        prop_assert_eq!(&whole, &client_trace(&wire, &cuts, &["GET"], &config));
        let Traced::Response(got_status, got_fields) = &whole[0] else { panic!("{whole:?}") };
        prop_assert_eq!(*got_status, status);
        prop_assert_eq!(&got_fields[..extra.len()], &extra[..]);
        if !no_body && total > 0 {
            prop_assert_eq!(&whole[1], &Traced::Data(parts.concat()));
        }
        if streaming && !no_body && !trailers.is_empty() {
            prop_assert!(whole.contains(&Traced::Trailers(trailers.clone())));
        }
        prop_assert!(whole.contains(&Traced::End));
    }

    #[test]
    fn fuzz_entry_points_hold_on_random_input(data in prop::collection::vec(any::<u8>(), 0..300)) {
        h1_proto::fuzzing::server(&data);
        h1_proto::fuzzing::client(&data);
        h1_proto::fuzzing::sse(&data);
    }

    #[test]
    fn fuzz_entry_points_hold_on_mutated_messages(
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cuts in prop::collection::vec(any::<u8>(), 0..6),
    ) {
        let mut data = vec![(cuts.len() / 2) as u8];
        data.extend(&cuts);
        let mut message = b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\n".to_vec();
        for (at, byte) in flips {
            let at = at % message.len();
            message[at] = byte;
        }
        data.extend(&message);
        h1_proto::fuzzing::server(&data);
        h1_proto::fuzzing::client(&data);
    }

    #[test]
    fn agrees_with_httparse_on_heads_both_accept(
        method in token(),
        target in "/[!-~]{0,20}",
        minor in 0u8..2,
        extra in prop::collection::vec((token(), value()), 0..8),
    ) {
        let mut head = format!("{method} {target} HTTP/1.{minor}\r\nHost: a\r\n").into_bytes();
        for (n, v) in &extra {
            head.extend_from_slice(n.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(v);
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        differential(&head);
    }
}

/// Where both parsers accept a head, they agree on every part of it.
fn differential(head: &[u8]) {
    let ours = h1_proto::fuzzing::parse_request_head(head);
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    let theirs = match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => Some((
            req.method.unwrap().to_string(),
            req.path.unwrap().to_string(),
            req.version.unwrap(),
            req.headers
                .iter()
                .map(|h| (h.name.to_string(), h.value.to_vec()))
                .collect::<Vec<_>>(),
        )),
        _ => None,
    };
    if let (Some(ours), Some(theirs)) = (ours, theirs) {
        assert_eq!(ours, theirs);
    }
}

#[test]
fn httparse_benchmark_requests_agree() {
    differential(b"GET / HTTP/1.0\r\nHost: example.com\r\nCookie: session=60; user_id=1\r\n\r\n");
}

#[test]
fn fuzz_regression_connect_switch_split_byte_by_byte() {
    // A CONNECT tunnel whose switch happens while the rest is still arriving.
    let data = b"\x00CONNECT / HTTP/1.1\r\nHost: a'\n\r\n0-1\r\n\r\nG /chat HTTP/1.1\r\nHost: a\r\n\x0b\x00\x00\x00\x00\x00\x00\x00Connection";
    h1_proto::fuzzing::server(data);
}
