//! Fuzzing entry points: one function per `fuzz/fuzz_targets/h2_*.rs` target. The same checks
//! run as proptests.

use alloc::vec::Vec;

use crate::connection::Role;
use crate::frame::{self, MAX_MAX_FRAME_SIZE};

/// The frame decoder on raw bytes: never panics, and every frame it accepts re-encodes to bytes
/// that decode to the same frame (padding content aside, which is zeroed).
pub fn frame_decode(data: &[u8]) {
    let mut rest = data;
    let mut out = Vec::new();
    while let Ok((frame, used)) = frame::decode(rest, MAX_MAX_FRAME_SIZE) {
        out.clear();
        if frame.encode(&mut out).is_ok() {
            let again = frame::decode(&out, MAX_MAX_FRAME_SIZE);
            assert_eq!(
                again,
                Ok((frame, out.len())),
                "re-encoded frame decodes the same"
            );
        }
        rest = rest.get(used..).unwrap_or_default();
    }
}

/// The RFC 9218 Priority Field Value parser on raw bytes: never panics, a value that is not a
/// Dictionary means the defaults, the lenient and strict parsers agree, and what it yields
/// serializes to a value that parses back the same.
pub fn priority_field(data: &[u8]) {
    use crate::priority::{LOWEST_URGENCY, Params, Priority};
    let priority = Priority::parse(data);
    assert!(priority.urgency <= LOWEST_URGENCY);
    match Params::parse(data) {
        Ok(params) => assert_eq!(Priority::DEFAULT.merged(params), priority),
        Err(e) => {
            assert_eq!(priority, Priority::DEFAULT);
            assert!(e.offset <= data.len());
        }
    }
    let value = priority.field_value();
    assert_eq!(Priority::parse(value.as_bytes()), priority);
    // As two field lines, split anywhere.
    let cut = data.first().map_or(0, |&b| usize::from(b)) % (data.len() + 1);
    let lines = Priority::parse_lines([data.get(..cut), data.get(cut..)].into_iter().flatten());
    assert!(lines.urgency <= LOWEST_URGENCY);
}

/// A structure-aware connection fuzzer: `data` is read as a script of operations — frames of
/// every type from the peer (header blocks HPACK-encoded by a real encoder, with valid and
/// invalid fields), local commands, output drains and clock steps — run against a connection
/// in `role`. Checks: no panic, errors are sticky, and output and memory stay bounded.
pub fn connection(role: Role, data: &[u8]) {
    use crate::connection::{Config, Connection, PREFACE};
    use crate::error::ErrorCode;
    use crate::frame::{Frame, Priority, StreamId};
    use qpack_hpack::hpack::{Encoder, Field};
    use wire_codec::{Duration, Instant, Reader};

    const FIELDS: [(&[u8], &[u8]); 12] = [
        (b":method", b"GET"),
        (b":method", b"POST"),
        (b":scheme", b"https"),
        (b":authority", b"example.com"),
        (b":path", b"/"),
        (b":status", b"200"),
        (b":status", b"103"),
        (b"content-length", b"3"),
        (b"te", b"trailers"),
        (b"connection", b"close"),
        (b"X-Upper", b"1"),
        (b"accept", b"*/*"),
    ];

    let mut r = Reader::new(data);
    let mut now = Instant::ZERO;
    // Server push and extended CONNECT on for two inputs in three, so that both the enabled
    // paths and the refusals are reached.
    let features = !data.len().is_multiple_of(3);
    let config = Config::default()
        .with_push(features)
        .with_connect_protocol(features);
    // One input in five starts as after an h2c upgrade (RFC 7540 §3.2): stream 1 half-closed.
    let mut conn = match (role, data.len() % 5 == 4) {
        (Role::Client, false) => Connection::client(config, now),
        (Role::Server, false) => Connection::server(config, now),
        (Role::Client, true) => {
            Connection::client_upgrade(config, now, if features { "GET" } else { "HEAD" })
        }
        (Role::Server, true) => {
            Connection::server_upgrade(config, now, &config.http2_settings_payload())
                .unwrap_or_else(|_| Connection::server(config, now))
        }
    };
    let mut encoder = Encoder::default();
    let mut out = alloc::vec![0u8; 1 << 16];
    let mut input = Vec::new();
    // Usually a valid start (preface, SETTINGS), so that scripts reach deeper states.
    if r.peek_u8().unwrap_or(0) != 0xff {
        if role == Role::Server {
            input.extend_from_slice(PREFACE);
        }
        let _ = crate::frame::encode_settings(&mut input, &[]);
    }
    let mut sticky = None;
    while let Ok(op) = r.read_u8() {
        let a = r.read_u8().unwrap_or(0);
        let b = r.read_u8().unwrap_or(0);
        // Mostly odd (client-initiated) ids, sometimes any.
        let stream = if b & 0x40 != 0 {
            StreamId::new(u32::from(a % 16))
        } else {
            StreamId::new(u32::from(a % 16) * 2 + 1)
        };
        let end_stream = b & 1 != 0;
        let mut frame_bytes = Vec::new();
        // A valid head first for a quarter of the sections each (a request: GET https
        // example.com /; a response: 200), so that scripts open streams (pushed ones too, on
        // the even ids `b & 0x40` picks); then up to three arbitrary fields.
        let (template, count): (&[usize], u8) = match a >> 6 {
            2 => (&[0, 2, 3, 4], (b >> 4) & 3),
            3 => (&[5], (b >> 4) & 3),
            _ => (&[], b >> 4),
        };
        let generated =
            (0..count).map(|i| usize::from(a.wrapping_add(i.wrapping_mul(7))) % FIELDS.len());
        let fields: Vec<Field<'_>> = template
            .iter()
            .copied()
            .chain(generated)
            .filter_map(|i| FIELDS.get(i))
            .map(|&(n, v)| Field::new(n, v))
            .collect();
        let mut block = Vec::new();
        let body = r.read_bytes(usize::from(b % 24)).unwrap_or_default();
        match op % 16 {
            0 | 8 | 7 => {
                encoder.encode(fields.iter().copied(), &mut block);
                let f = if op % 16 == 7 {
                    Frame::Continuation {
                        stream_id: stream,
                        end_headers: end_stream,
                        fragment: &block,
                    }
                } else {
                    Frame::Headers {
                        stream_id: stream,
                        end_stream,
                        end_headers: op % 16 == 0,
                        padding: (b & 2 != 0).then_some(a % 4),
                        priority: (b & 4 != 0).then_some(Priority {
                            dependency: StreamId::new(u32::from(b % 8)),
                            exclusive: false,
                            weight: a,
                        }),
                        fragment: &block,
                    }
                };
                let _ = f.encode(&mut frame_bytes);
            }
            1 => {
                let _ = Frame::Data {
                    stream_id: stream,
                    end_stream,
                    padding: (b & 2 != 0).then_some(a),
                    data: body,
                }
                .encode(&mut frame_bytes);
            }
            2 => {
                let _ = Frame::RstStream {
                    stream_id: stream,
                    error_code: ErrorCode(u32::from(b % 14)),
                }
                .encode(&mut frame_bytes);
            }
            3 => {
                let value = u32::from_be_bytes([a, b, a, b]) >> (b % 32);
                let _ =
                    crate::frame::encode_settings(&mut frame_bytes, &[(u16::from(a % 10), value)]);
            }
            4 => {
                let _ = Frame::Settings {
                    ack: true,
                    params: crate::frame::SettingsParams::EMPTY,
                }
                .encode(&mut frame_bytes);
            }
            5 => {
                let _ = Frame::Ping {
                    ack: end_stream,
                    data: [a; 8],
                }
                .encode(&mut frame_bytes);
            }
            6 => {
                let inc = u32::from_be_bytes([a & 0x7f, b, a, b]).max(1);
                let _ = Frame::WindowUpdate {
                    stream_id: if b & 8 != 0 {
                        StreamId::CONNECTION
                    } else {
                        stream
                    },
                    increment: inc,
                }
                .encode(&mut frame_bytes);
            }
            9 => {
                let _ = Frame::GoAway {
                    last_stream_id: stream,
                    error_code: ErrorCode(u32::from(b % 14)),
                    debug_data: body,
                }
                .encode(&mut frame_bytes);
            }
            10 => {
                let _ = Frame::Priority {
                    stream_id: stream,
                    priority: Priority {
                        dependency: StreamId::new(u32::from(b % 16)),
                        exclusive: true,
                        weight: a,
                    },
                }
                .encode(&mut frame_bytes);
            }
            11 => frame_bytes.extend_from_slice(body),
            12 => {
                let _ = match role {
                    Role::Client if b & 8 != 0 => conn
                        .send_request(fields.iter().copied(), end_stream)
                        .map(|_| ()),
                    _ => conn.send_headers(stream, fields.iter().copied(), end_stream),
                };
                let _ = conn.send_data(stream, body, end_stream);
                if b & 16 != 0 {
                    let _ = conn.reset(stream, ErrorCode::CANCEL);
                }
                if b & 32 != 0 {
                    let _ = conn.shutdown();
                }
                let _ = conn.ping([b; 8]);
            }
            13 => while conn.poll_transmit(now, &mut out) > 0 {},
            15 if b & 8 != 0 => {
                // PUSH_PROMISE (§6.6) from the peer, promising even ids (and sometimes 0 or odd
                // ones); a server mostly gets none (it is always a connection error there).
                if role == Role::Client || b & 0x10 != 0 {
                    encoder.encode(fields.iter().copied(), &mut block);
                    let promised = u32::from(a % 16) * 2 + u32::from(b & 0x40 != 0);
                    let _ = Frame::PushPromise {
                        stream_id: stream,
                        end_headers: b & 2 == 0,
                        padding: (b & 4 != 0).then_some(a % 4),
                        promised_id: StreamId::new(promised),
                        fragment: &block,
                    }
                    .encode(&mut frame_bytes);
                }
                // Our server promising in turn, then opening the promised stream.
                if let Ok(promised) = conn.push_promise(stream, fields.iter().copied()) {
                    let status = [Field::new(b":status", b"200")];
                    let _ = conn.send_headers(promised, status, end_stream);
                    let _ = conn.send_data(promised, body, true);
                }
            }
            14 => {
                now += Duration::from_millis(u64::from(a) * 100);
                conn.handle_timeout(now);
            }
            _ if b & 0x80 != 0 => {
                // RFC 9218: a request whose `priority` field is the body bytes, PRIORITY_UPDATE
                // with them as its value, and the local priority commands.
                let mut request: Vec<Field<'_>> = FIELDS
                    .get(..5)
                    .unwrap_or_default()
                    .iter()
                    .map(|&(n, v)| Field::new(n, v))
                    .collect();
                request.push(Field::new(b"priority", body));
                encoder.encode(request.iter().copied(), &mut block);
                let _ = Frame::Headers {
                    stream_id: stream,
                    end_stream,
                    end_headers: true,
                    padding: None,
                    priority: None,
                    fragment: &block,
                }
                .encode(&mut frame_bytes);
                let _ = Frame::PriorityUpdate {
                    prioritized_id: StreamId::new(u32::from(a % 32)),
                    field_value: body,
                }
                .encode(&mut frame_bytes);
                let priority = crate::priority::Priority::parse(body);
                assert!(priority.urgency <= crate::priority::LOWEST_URGENCY);
                let _ = conn.set_priority(stream, priority);
                let _ = conn.send_priority_update(stream, priority);
            }
            _ => {
                let _ = Frame::Unknown {
                    kind: 0x20 | a,
                    flags: b,
                    stream_id: stream,
                    payload: body,
                }
                .encode(&mut frame_bytes);
            }
        }
        input.extend_from_slice(&frame_bytes);
        if input.is_empty() {
            continue;
        }
        // Feed in two pieces to exercise buffering of partial frames.
        let cut = usize::from(a) % (input.len() + 1);
        for piece in [input.get(..cut), input.get(cut..)].into_iter().flatten() {
            match conn.handle_input(piece, now) {
                Ok(n) => assert_eq!(n, piece.len()),
                Err(e) => {
                    if let Some(prev) = sticky {
                        assert_eq!(prev, e, "the first connection error is sticky");
                    }
                    sticky = Some(e);
                }
            }
        }
        input.clear();
        while conn.poll_event().is_some() {}
        assert!(
            conn.active_streams()
                .saturating_sub(conn.reserved_streams())
                <= 200,
            "MAX_CONCURRENT_STREAMS is enforced"
        );
        assert!(
            conn.reserved_streams() <= 200,
            "reserved streams are capped"
        );
        assert!(conn.remembered_closed_streams() <= 256);
        assert!(conn.remembered_idle_priorities() <= 100);
        if sticky.is_some() {
            assert!(conn.handle_input(b"", now).is_err());
        }
    }
    while conn.poll_transmit(now, &mut out) > 0 {}
}
