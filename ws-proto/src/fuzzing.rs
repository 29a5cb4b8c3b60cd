//! Fuzzing entry points, one per target in `fuzz/`. Each checks properties that must hold for
//! any input; the same functions run as proptests below.

use alloc::vec::Vec;

use crate::{
    ClientHandshake, Config, Connection, DeflateConfig, Event, FrameHeader, ServerHandshake, State,
    parse_extensions,
};

/// The frame decoder in both roles, with and without permessage-deflate, fed `data` in pieces.
/// The first byte picks the role, compression and small limits; the second the chunk size.
/// Checks: no panic; consumption never exceeds the input; an error is sticky and queues a close
/// frame with its code; decoding the whole input at once (owned events) and in pieces (lent
/// events) gives the same events and the same close code.
pub fn frames(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Some((&split, input)) = rest.split_first() else {
        return;
    };
    let (whole_events, whole_error) = run(mode, input, input.len().max(1));
    let (piece_events, piece_error) = run(mode, input, usize::from(split % 17) + 1);
    assert_eq!(whole_events, piece_events, "chunking changed the events");
    let (in_place_events, in_place_error) = run_in_place(mode, input);
    assert_eq!(
        whole_events, in_place_events,
        "the in-place path changed the events"
    );
    assert_eq!(
        whole_error.map(|e| e.close_code()),
        in_place_error.map(|e| e.close_code()),
        "the in-place path changed the failure"
    );
    // Which of two faults in one compressed message shows first can depend on the chunking
    // (corrupt DEFLATE data after inflated bytes that are already not UTF-8), but not the
    // close code, nor whether the connection fails.
    assert_eq!(
        whole_error.map(|e| e.close_code()),
        piece_error.map(|e| e.close_code()),
        "chunking changed the failure"
    );
}

fn connection(mode: u8) -> Option<Connection> {
    let config = Config {
        max_frame_size: if mode & 4 != 0 { 300 } else { 1 << 20 },
        max_message_size: if mode & 8 != 0 { 1000 } else { 1 << 20 },
        max_fragments: if mode & 16 != 0 { 5 } else { 1000 },
        ..Config::default()
    };
    let conn = if mode & 1 != 0 {
        Connection::client(config, || [1, 2, 3, 4])
    } else {
        Connection::server(config)
    };
    #[cfg(feature = "deflate")]
    if mode & 2 != 0 {
        let params = crate::DeflateParams {
            server_no_context_takeover: mode & 32 != 0,
            client_no_context_takeover: mode & 64 != 0,
            ..Default::default()
        };
        return conn.with_deflate(params, &DeflateConfig::default()).ok();
    }
    Some(conn)
}

/// Decodes with `handle_input_in_place` first, falling back to `handle_input`.
fn run_in_place(mode: u8, input: &[u8]) -> (Vec<Event>, Option<crate::ProtocolError>) {
    let Some(mut conn) = connection(mode) else {
        return (Vec::new(), None);
    };
    let mut buf = input.to_vec();
    let mut events = Vec::new();
    let mut pos = 0;
    while let Some(rest) = buf.get_mut(pos..).filter(|r| !r.is_empty()) {
        match conn.handle_input_in_place(rest) {
            Ok(Some((message, used))) => {
                events.push(match message {
                    crate::Message::Text(t) => Event::Text(t.into()),
                    crate::Message::Binary(b) => Event::Binary(b.to_vec()),
                });
                pos += used;
            }
            Ok(None) => {
                let result = conn.handle_input(rest);
                events.extend(core::iter::from_fn(|| conn.poll_event()));
                match result {
                    Ok(0) => break,
                    Ok(used) => pos += used,
                    Err(e) => return (events, Some(e)),
                }
            }
            Err(e) => return (events, Some(e)),
        }
    }
    (events, None)
}

fn run(mode: u8, input: &[u8], chunk: usize) -> (Vec<Event>, Option<crate::ProtocolError>) {
    let Some(mut conn) = connection(mode) else {
        return (Vec::new(), None);
    };
    let mut events = Vec::new();
    let mut error = None;
    let mut pending = input;
    while !pending.is_empty() {
        let take = chunk.min(pending.len());
        let piece = pending.get(..take).unwrap_or_default();
        match conn.handle_input(piece) {
            Ok(used) => {
                assert!(used <= take);
                // Whole input: owned events; in pieces: lent ones, which must agree.
                if chunk >= input.len() {
                    events.extend(core::iter::from_fn(|| conn.poll_event()));
                } else {
                    while let Some(e) = conn.poll_event_ref() {
                        events.push(e.to_event());
                    }
                }
                if used == 0 {
                    assert!(matches!(conn.state(), State::CloseReceived | State::Closed));
                    break;
                }
                pending = pending.get(used..).unwrap_or_default();
            }
            Err(e) => {
                assert_eq!(conn.handle_input(b"x"), Err(e), "errors are sticky");
                let mut out = Vec::new();
                let _ = conn.poll_transmit(&mut out);
                let close = e.close_code().0.to_be_bytes();
                let decoded = FrameHeader::decode(&out);
                assert!(decoded.is_ok(), "the failure queues a close frame");
                if let Ok((header, len)) = decoded {
                    assert_eq!(header.opcode, crate::OpCode::Close);
                    let mut payload = out.get(len..).unwrap_or_default().to_vec();
                    if let Some(key) = header.mask {
                        crate::apply_mask(&mut payload, key, 0);
                    }
                    assert_eq!(payload, close);
                }
                while let Some(ev) = conn.poll_event() {
                    events.push(ev);
                }
                error = Some(e);
                break;
            }
        }
    }
    (events, error)
}

/// Handshake validation on arbitrary header fields: `data` is split into lines of `name:value`.
/// Checks: no panic; an accepted request's response is accepted by a client with the same key
/// (when the request carried a key a client would produce).
pub fn handshake(data: &[u8]) {
    let fields: Vec<(&[u8], &[u8])> = data
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            Some((line.get(..colon)?, line.get(colon + 1..)?))
        })
        .collect();
    let server = ServerHandshake::new()
        .protocols(&["chat"])
        .deflate(DeflateConfig::default());
    let _ = server.accept("GET", &fields);
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = parse_extensions(text);
        let _ = DeflateConfig::default().negotiate(&parse_extensions(text).unwrap_or_default());
    }
    // A client round trip with the fields appended as extra request fields.
    let client = ClientHandshake::new([9; 16]).deflate(DeflateConfig::default());
    let mut request: Vec<(Vec<u8>, Vec<u8>)> = client
        .request_fields()
        .into_iter()
        .map(|(n, v)| (n.into_bytes(), v.into_bytes()))
        .collect();
    request.push((b"Host".to_vec(), b"h".to_vec()));
    let accepted = server.accept("GET", &request);
    assert!(
        accepted.is_ok(),
        "a well-formed client request was rejected"
    );
    if let Ok(accepted) = accepted {
        assert!(
            client
                .verify_response(accepted.status, &accepted.fields)
                .is_ok()
        );
    }
    let _ = client.verify_response(101, &fields);
    let _ = FrameHeader::decode(data);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Found by the fuzzer: a compressed text message that inflates past the size limit with
    /// invalid UTF-8 before the limit. Inflated in one go it used to fail with 1009, in pieces
    /// with 1007; the UTF-8 fault comes first, so it is 1007 either way.
    #[test]
    fn regression_utf8_before_inflating_past_the_limit() {
        super::frames(&[
            255, 51, 193, 86, 147, 147, 147, 147, 254, 193, 49, 112, 112, 112, 112, 112, 112, 112,
            112, 112, 112, 112, 112, 112, 112, 112, 17, 255, 255, 112, 255, 255, 255, 255, 255,
            255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 65, 255, 255, 255, 255, 255,
            255, 255, 112, 112, 240, 112, 147, 112, 255, 255, 255, 255, 65, 255, 255, 255, 255,
            255, 255, 255, 112, 112, 112, 112, 147, 112, 112, 41, 112, 112, 112, 112, 112, 112,
            247, 16, 0, 59, 0,
        ]);
    }

    /// Found by the fuzzer: text that is already not UTF-8, then corrupt DEFLATE data, in one
    /// compressed message; the failure (1007) must not depend on the chunking.
    #[test]
    fn regression_utf8_before_corrupt_deflate() {
        super::frames(&[
            3, 1, 65, 3, 242, 72, 205, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 62, 255, 29, 43, 3,
            2, 255, 255, 255, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 65, 3,
            242, 128, 2, 0, 0, 0, 0, 0, 0, 0,
        ]);
    }

    proptest! {
        #[test]
        fn frames_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            super::frames(&data);
        }

        #[test]
        fn frames_in_any_chunking_with_deflate(tail in proptest::collection::vec(any::<u8>(), 0..64), split in any::<u8>()) {
            // Compressed client frames (RFC 7692 §7.2.3.1) followed by arbitrary bytes.
            let mut data = alloc::vec![3u8, split, 0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
            data.extend(tail);
            super::frames(&data);
        }

        #[test]
        fn handshake_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            super::handshake(&data);
        }
    }
}
