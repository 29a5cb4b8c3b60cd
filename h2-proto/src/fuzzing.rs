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
    let mut conn = match role {
        Role::Client => Connection::client(Config::default(), now),
        Role::Server => Connection::server(Config::default(), now),
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
        let fields: Vec<Field<'_>> = (0..(b >> 4))
            .filter_map(|i| {
                FIELDS.get(usize::from(a.wrapping_add(i.wrapping_mul(7))) % FIELDS.len())
            })
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
            14 => {
                now += Duration::from_millis(u64::from(a) * 100);
                conn.handle_timeout(now);
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
            conn.active_streams() <= 200,
            "MAX_CONCURRENT_STREAMS is enforced"
        );
        assert!(conn.remembered_closed_streams() <= 256);
        if sticky.is_some() {
            assert!(conn.handle_input(b"", now).is_err());
        }
    }
    while conn.poll_transmit(now, &mut out) > 0 {}
}
