//! Frame encoding and decoding (RFC 9113 §4, §6): round trips, validation, hostile bytes.

use h2_proto::frame::{
    self, DEFAULT_MAX_FRAME_SIZE, Frame, MAX_MAX_FRAME_SIZE, Priority, StreamId,
};
use h2_proto::{ErrorCode, Scope};
use proptest::prelude::*;
use wire_codec::DecodeError;

fn encode(frame: &Frame<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    frame.encode(&mut out).unwrap();
    out
}

fn err(bytes: &[u8]) -> h2_proto::H2Error {
    match frame::decode(bytes, DEFAULT_MAX_FRAME_SIZE) {
        Err(DecodeError::Invalid(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn raw(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = (payload.len() as u32).to_be_bytes()[1..].to_vec();
    v.push(kind);
    v.push(flags);
    v.extend_from_slice(&stream.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

#[test]
fn settings_frame_matches_rfc_layout() {
    let mut out = Vec::new();
    frame::encode_settings(&mut out, &[(3, 100), (4, 65535)]).unwrap();
    assert_eq!(
        out,
        [
            0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 4, 0, 0, 0xff, 0xff
        ]
    );
    let (f, n) = frame::decode(&out, DEFAULT_MAX_FRAME_SIZE).unwrap();
    assert_eq!(n, out.len());
    let Frame::Settings { ack: false, params } = f else {
        panic!("{f:?}")
    };
    assert_eq!(params.iter().collect::<Vec<_>>(), [(3, 100), (4, 65535)]);
}

#[test]
fn incomplete_is_not_invalid() {
    let bytes = encode(&Frame::Ping {
        ack: false,
        data: *b"12345678",
    });
    for cut in 0..bytes.len() {
        assert!(
            frame::decode(&bytes[..cut], DEFAULT_MAX_FRAME_SIZE)
                .unwrap_err()
                .is_incomplete()
        );
    }
}

#[test]
fn validation_per_section_6() {
    let conn = |e: h2_proto::H2Error, code| {
        assert_eq!(e.scope, Scope::Connection, "{e:?}");
        assert_eq!(e.code, code, "{e:?}");
    };
    // §4.2: larger than SETTINGS_MAX_FRAME_SIZE, reported from the header alone.
    let big = raw(0, 0, 1, &vec![0; 16385]);
    conn(err(&big[..9]), ErrorCode::FRAME_SIZE_ERROR);
    // §6.1: DATA on stream 0, padding too long.
    conn(err(&raw(0, 0, 0, b"x")), ErrorCode::PROTOCOL_ERROR);
    conn(err(&raw(0, 0x8, 1, &[3, 1, 2])), ErrorCode::PROTOCOL_ERROR);
    conn(err(&raw(0, 0x8, 1, &[])), ErrorCode::FRAME_SIZE_ERROR);
    // Pad length equal to the rest is fine: all padding, no data.
    let b = raw(0, 0x8, 1, &[2, 0, 0]);
    let (f, _) = frame::decode(&b, DEFAULT_MAX_FRAME_SIZE).unwrap();
    assert_eq!(
        f,
        Frame::Data {
            stream_id: StreamId::new(1),
            end_stream: false,
            padding: Some(2),
            data: &[]
        }
    );
    // §6.2: HEADERS on 0; PRIORITY flag with too short a payload.
    conn(err(&raw(1, 0x4, 0, b"\x82")), ErrorCode::PROTOCOL_ERROR);
    conn(err(&raw(1, 0x24, 1, &[0, 0])), ErrorCode::FRAME_SIZE_ERROR);
    // §6.3: PRIORITY of the wrong length is a stream error; self-dependency too.
    let e = err(&raw(2, 0, 3, &[0; 4]));
    assert_eq!(
        (e.scope, e.code),
        (Scope::Stream(StreamId::new(3)), ErrorCode::FRAME_SIZE_ERROR)
    );
    let e = err(&raw(2, 0, 3, &[0, 0, 0, 3, 16]));
    assert_eq!(
        (e.scope, e.code),
        (Scope::Stream(StreamId::new(3)), ErrorCode::PROTOCOL_ERROR)
    );
    conn(err(&raw(2, 0, 0, &[0; 5])), ErrorCode::PROTOCOL_ERROR);
    // §6.4
    conn(err(&raw(3, 0, 1, &[0; 3])), ErrorCode::FRAME_SIZE_ERROR);
    conn(err(&raw(3, 0, 0, &[0; 4])), ErrorCode::PROTOCOL_ERROR);
    // §6.5
    conn(err(&raw(4, 0, 1, &[])), ErrorCode::PROTOCOL_ERROR);
    conn(
        err(&raw(4, 1, 0, &[0, 1, 0, 0, 0, 0])),
        ErrorCode::FRAME_SIZE_ERROR,
    );
    conn(err(&raw(4, 0, 0, &[0; 5])), ErrorCode::FRAME_SIZE_ERROR);
    conn(
        err(&raw(4, 0, 0, &[0, 2, 0, 0, 0, 2])),
        ErrorCode::PROTOCOL_ERROR,
    );
    conn(
        err(&raw(4, 0, 0, &[0, 4, 0x80, 0, 0, 0])),
        ErrorCode::FLOW_CONTROL_ERROR,
    );
    conn(
        err(&raw(4, 0, 0, &[0, 5, 0, 0, 0x3f, 0xff])),
        ErrorCode::PROTOCOL_ERROR,
    );
    conn(
        err(&raw(4, 0, 0, &[0, 5, 1, 0, 0, 0])),
        ErrorCode::PROTOCOL_ERROR,
    );
    // Unknown settings are ignored (§6.5.2).
    assert!(
        frame::decode(
            &raw(4, 0, 0, &[0xff, 0xff, 1, 2, 3, 4]),
            DEFAULT_MAX_FRAME_SIZE
        )
        .is_ok()
    );
    // §6.6
    conn(err(&raw(5, 4, 0, &[0, 0, 0, 2])), ErrorCode::PROTOCOL_ERROR);
    conn(err(&raw(5, 4, 1, &[0, 0])), ErrorCode::FRAME_SIZE_ERROR);
    // §6.7
    conn(err(&raw(6, 0, 1, &[0; 8])), ErrorCode::PROTOCOL_ERROR);
    conn(err(&raw(6, 0, 0, &[0; 7])), ErrorCode::FRAME_SIZE_ERROR);
    conn(err(&raw(6, 0, 0, &[0; 9])), ErrorCode::FRAME_SIZE_ERROR);
    // §6.8
    conn(err(&raw(7, 0, 1, &[0; 8])), ErrorCode::PROTOCOL_ERROR);
    conn(err(&raw(7, 0, 0, &[0; 7])), ErrorCode::FRAME_SIZE_ERROR);
    // §6.9: zero increment is a stream error on a stream, a connection error on 0.
    let e = err(&raw(8, 0, 5, &[0; 4]));
    assert_eq!(
        (e.scope, e.code),
        (Scope::Stream(StreamId::new(5)), ErrorCode::PROTOCOL_ERROR)
    );
    conn(err(&raw(8, 0, 0, &[0; 4])), ErrorCode::PROTOCOL_ERROR);
    conn(
        err(&raw(8, 0, 0, &[0, 0, 0, 1, 0])),
        ErrorCode::FRAME_SIZE_ERROR,
    );
    // §6.10
    conn(err(&raw(9, 4, 0, b"")), ErrorCode::PROTOCOL_ERROR);
    // RFC 9218 §7.1
    conn(
        err(&raw(0x10, 0, 1, &[0, 0, 0, 1])),
        ErrorCode::PROTOCOL_ERROR,
    );
    conn(
        err(&raw(0x10, 0, 0, &[0, 0, 0, 0])),
        ErrorCode::PROTOCOL_ERROR,
    );
    conn(err(&raw(0x10, 0, 0, &[0, 0])), ErrorCode::FRAME_SIZE_ERROR);
}

#[test]
fn unknown_types_and_flags_are_ignored() {
    let b = raw(0xfa, 0xff, 7, b"abc");
    let (f, n) = frame::decode(&b, DEFAULT_MAX_FRAME_SIZE).unwrap();
    assert_eq!(n, 12);
    assert_eq!(
        f,
        Frame::Unknown {
            kind: 0xfa,
            flags: 0xff,
            stream_id: StreamId::new(7),
            payload: b"abc"
        }
    );
    // Unknown flag bits (0x2, 0x10, 0x40, 0x80) on PING do not change its meaning.
    let b = raw(6, 0xf2, 0, &[1; 8]);
    let (f, _) = frame::decode(&b, DEFAULT_MAX_FRAME_SIZE).unwrap();
    assert_eq!(
        f,
        Frame::Ping {
            ack: false,
            data: [1; 8]
        }
    );
    // The reserved bit of the stream id is ignored (§4.1).
    let b = raw(0, 1, 0x8000_0003, b"x");
    let (f, _) = frame::decode(&b, DEFAULT_MAX_FRAME_SIZE).unwrap();
    assert_eq!(f.stream_id(), StreamId::new(3));
}

fn arb_frame(
    kind: u8,
    stream: u32,
    bits: u8,
    pad: Option<u8>,
    code: u32,
    body: &[u8],
) -> Frame<'_> {
    let stream_id = StreamId::new(stream.max(1));
    let priority = Priority {
        dependency: StreamId::new(stream.wrapping_add(1)),
        exclusive: bits & 2 != 0,
        weight: bits,
    };
    match kind % 12 {
        0 => Frame::Data {
            stream_id,
            end_stream: bits & 1 != 0,
            padding: pad,
            data: body,
        },
        1 => Frame::Headers {
            stream_id,
            end_stream: bits & 1 != 0,
            end_headers: bits & 4 != 0,
            padding: pad,
            priority: (bits & 8 != 0).then_some(priority),
            fragment: body,
        },
        2 => Frame::Priority {
            stream_id,
            priority: Priority {
                dependency: StreamId::new(stream_id.value() ^ 1),
                ..priority
            },
        },
        3 => Frame::RstStream {
            stream_id,
            error_code: ErrorCode(code),
        },
        4 => Frame::Ping {
            ack: bits & 1 != 0,
            data: code.to_be_bytes().repeat(2).try_into().unwrap(),
        },
        5 => Frame::GoAway {
            last_stream_id: StreamId::new(stream),
            error_code: ErrorCode(code),
            debug_data: body,
        },
        6 => Frame::WindowUpdate {
            stream_id: StreamId::new(stream),
            increment: (code & 0x7fff_ffff).max(1),
        },
        7 => Frame::Continuation {
            stream_id,
            end_headers: bits & 4 != 0,
            fragment: body,
        },
        8 => Frame::PushPromise {
            stream_id,
            end_headers: bits & 4 != 0,
            padding: pad,
            promised_id: StreamId::new(code),
            fragment: body,
        },
        9 => Frame::PriorityUpdate {
            prioritized_id: stream_id,
            field_value: body,
        },
        10 => Frame::Unknown {
            kind: 0x20 | bits,
            flags: bits,
            stream_id: StreamId::new(stream),
            payload: body,
        },
        _ => Frame::Settings {
            ack: true,
            params: frame::decode(&[0, 0, 0, 4, 1, 0, 0, 0, 0], 16384)
                .map(|(f, _)| match f {
                    Frame::Settings { params, .. } => params,
                    _ => unreachable!(),
                })
                .unwrap(),
        },
    }
}

proptest! {
    #[test]
    fn frames_round_trip(
        kind in 0u8..12, stream in 0u32..0x8000_0000, bits in any::<u8>(),
        pad in proptest::option::of(any::<u8>()), code in any::<u32>(),
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let frame = arb_frame(kind, stream, bits, pad, code, &body);
        let bytes = encode(&frame);
        prop_assert_eq!(bytes.len(), 9 + frame.payload_len());
        let (back, used) = frame::decode(&bytes, MAX_MAX_FRAME_SIZE).unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back, frame);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        h2_proto::fuzzing::frame_decode(&data);
    }

    #[test]
    fn frame_shaped_bytes_never_panic(kind in 0u8..12, flags in any::<u8>(), stream in any::<u32>(), payload in proptest::collection::vec(any::<u8>(), 0..64)) {
        h2_proto::fuzzing::frame_decode(&raw(kind, flags, stream, &payload));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn server_connection_survives_arbitrary_scripts(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        h2_proto::fuzzing::connection(h2_proto::Role::Server, &data);
    }

    #[test]
    fn client_connection_survives_arbitrary_scripts(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        h2_proto::fuzzing::connection(h2_proto::Role::Client, &data);
    }
}

/// A client's byte stream (preface, SETTINGS, requests with bodies, padding, trailers, PING) and
/// the events a server produces from it in one piece.
fn recorded_client_stream() -> Vec<u8> {
    use h2_proto::{Config, Connection, Field};
    use wire_codec::Instant;
    let mut client = Connection::client(Config::default(), Instant::ZERO);
    let post = [
        (":method", "POST"),
        (":scheme", "https"),
        (":authority", "a"),
        (":path", "/up"),
    ];
    for i in 0..3u8 {
        let s = client.send_request(post.map(Field::from), false).unwrap();
        client.send_data(s, &vec![i; 20_000], false).unwrap();
        client
            .send_headers(s, [Field::from(("x-done", "yes"))], true)
            .unwrap();
    }
    client.ping(*b"12345678").unwrap();
    let mut bytes = Vec::new();
    let mut buf = [0u8; 1000];
    loop {
        let n = client.poll_transmit(Instant::ZERO, &mut buf);
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    bytes
}

fn server_events(pieces: &[&[u8]], as_bytes: bool) -> Vec<h2_proto::Event> {
    use h2_proto::{Config, Connection};
    use wire_codec::Instant;
    let mut server = Connection::server(Config::default(), Instant::ZERO);
    for piece in pieces {
        if as_bytes {
            server
                .handle_input_bytes(bytes::Bytes::copy_from_slice(piece), Instant::ZERO)
                .unwrap();
        } else {
            server.handle_input(piece, Instant::ZERO).unwrap();
        }
    }
    std::iter::from_fn(|| server.poll_event()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_split_of_the_input_gives_the_same_events(cuts in proptest::collection::vec(any::<u16>(), 0..40), as_bytes in any::<bool>()) {
        let stream = recorded_client_stream();
        let whole = server_events(&[&stream], false);
        prop_assert!(whole.len() > 10);
        let mut points: Vec<usize> = cuts.iter().map(|&c| usize::from(c) % (stream.len() + 1)).collect();
        points.push(0);
        points.push(stream.len());
        points.sort_unstable();
        let pieces: Vec<&[u8]> = points.windows(2).map(|w| &stream[w[0]..w[1]]).collect();
        prop_assert_eq!(server_events(&pieces, as_bytes), whole);
    }
}
