//! RFC 6455 §5.7 examples and the §1.3 handshake sample through `ws-proto`, byte-exact, and the
//! transcription checked against the RFC text.

use testvectors::rfc6455::{SAMPLE_KEY, SECTION_5_7_FRAMES, SECTION_5_7_LONG_HEADERS};
use testvectors::{hex, shared};
use ws_proto::{Config, Connection, Event, FrameHeader, MessageKind, OpCode};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn frame(i: usize) -> Vec<u8> {
    hex(SECTION_5_7_FRAMES[i].1)
}

fn events(conn: &mut Connection, input: &[u8]) -> Vec<Event> {
    assert_eq!(conn.handle_input(input).unwrap(), input.len());
    std::iter::from_fn(|| conn.poll_event()).collect()
}

#[test]
fn section_5_7_frames_decode_byte_by_byte_and_whole() {
    for split in [1, 2, 3, 100] {
        // Unmasked frames come from a server, so a client decodes them; masked from a client.
        let mut client = Connection::client(Config::default(), || KEY);
        let mut server = Connection::server(Config::default());
        let mut got = Vec::new();
        for i in [0, 2, 3, 4] {
            for piece in frame(i).chunks(split) {
                got.extend(events(&mut client, piece));
            }
        }
        assert_eq!(
            got,
            [
                Event::Text("Hello".into()),
                Event::Text("Hello".into()),
                Event::Ping(b"Hello".to_vec())
            ]
        );
        let mut got = Vec::new();
        for i in [1, 5] {
            for piece in frame(i).chunks(split) {
                got.extend(events(&mut server, piece));
            }
        }
        assert_eq!(
            got,
            [Event::Text("Hello".into()), Event::Pong(b"Hello".to_vec())]
        );
    }
}

#[test]
fn section_5_7_frames_encode_byte_exact() {
    let mut server = Connection::server(Config::default());
    let mut out = Vec::new();
    server.send_text("Hello", &mut out).unwrap();
    assert_eq!(out, frame(0));

    let mut client = Connection::client(Config::default(), || KEY);
    out.clear();
    client.send_text("Hello", &mut out).unwrap();
    assert_eq!(out, frame(1));

    out.clear();
    server
        .send_fragment(MessageKind::Text, b"Hel", false, &mut out)
        .unwrap();
    assert_eq!(out, frame(2));
    out.clear();
    server
        .send_fragment(MessageKind::Text, b"lo", true, &mut out)
        .unwrap();
    assert_eq!(out, frame(3));

    out.clear();
    server.send_ping(b"Hello", &mut out).unwrap();
    assert_eq!(out, frame(4));

    // The client answers the unmasked ping with exactly the masked pong of the example.
    assert_eq!(
        events(&mut client, &frame(4)),
        [Event::Ping(b"Hello".to_vec())]
    );
    out.clear();
    client.poll_transmit(&mut out).unwrap();
    assert_eq!(out, frame(5));
}

#[test]
fn section_5_7_long_headers() {
    for (header, len) in SECTION_5_7_LONG_HEADERS {
        let bytes = hex(header);
        let (decoded, used) = FrameHeader::decode(&bytes).unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(decoded, FrameHeader::new(OpCode::Binary, len));
        let mut out = Vec::new();
        decoded.encode(&mut out).unwrap();
        assert_eq!(out, bytes);

        let mut client = Connection::client(Config::default(), || KEY);
        let mut input = bytes.clone();
        input.extend((0..len).map(|i| i as u8));
        assert_eq!(
            events(&mut client, &input),
            [Event::Binary((0..len).map(|i| i as u8).collect())]
        );
        let mut server = Connection::server(Config::default());
        out.clear();
        server
            .send_binary(&vec![0; len as usize], &mut out)
            .unwrap();
        assert_eq!(&out[..bytes.len()], &bytes[..]);
    }
}

#[test]
fn section_1_3_accept_key() {
    assert_eq!(ws_proto::accept_key(SAMPLE_KEY.0.as_bytes()), SAMPLE_KEY.1);
}

/// Every vector above appears in §5.7 as "0x81 0x05 0x48 …".
#[test]
fn transcription_matches_the_rfc_text() {
    let Some(text) = shared::rfc_text("rfc6455") else {
        return;
    };
    let start = text.find("\n5.7.  Examples").expect("§5.7");
    let end = start + text[start..].find("\n5.8.  Extensibility").expect("§5.8");
    let section = text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let rendered = |hex: &str| {
        hex.split_whitespace()
            .map(|b| format!("0x{b}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (name, bytes, _) in SECTION_5_7_FRAMES {
        assert!(section.contains(&rendered(bytes)), "{name}: {bytes}");
    }
    for (header, _) in SECTION_5_7_LONG_HEADERS {
        assert!(section.contains(&rendered(header)), "{header}");
    }
    for value in [SAMPLE_KEY.0, SAMPLE_KEY.1] {
        assert!(text.contains(value), "{value}");
    }
}
