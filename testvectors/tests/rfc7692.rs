//! RFC 7692 §7.2.3 examples through `ws-proto` (whose compression is zlib-rs), byte-exact, and
//! the transcription checked against the RFC text.

use testvectors::rfc7692::*;
use testvectors::{hex, shared};
use ws_proto::{Config, Connection, DeflateConfig, DeflateParams, Event, MessageKind};

fn client(params: DeflateParams) -> Connection {
    Connection::client(Config::default(), || [0; 4])
        .with_deflate(params, &DeflateConfig::default())
        .unwrap()
}

fn server(params: DeflateParams) -> Connection {
    Connection::server(Config::default())
        .with_deflate(params, &DeflateConfig::default())
        .unwrap()
}

fn frame(rsv1: bool, fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![
        u8::from(fin) << 7 | u8::from(rsv1) << 6 | opcode,
        payload.len() as u8,
    ];
    out.extend_from_slice(payload);
    out
}

fn receive(conn: &mut Connection, input: &[u8]) -> Vec<Event> {
    assert_eq!(conn.handle_input(input).unwrap(), input.len());
    std::iter::from_fn(|| conn.poll_event()).collect()
}

fn hello() -> Vec<Event> {
    vec![Event::Text("Hello".into())]
}

#[test]
fn one_block_frame_and_fragments_7_2_3_1() {
    let mut c = client(DeflateParams::default());
    assert_eq!(receive(&mut c, &hex(HELLO_FRAME)), hello());
    let fragments: Vec<u8> = HELLO_FRAGMENTS.iter().flat_map(|f| hex(f)).collect();
    assert_eq!(receive(&mut c, &fragments), hello());

    // Sending: the server's first "Hello" is exactly the example frame.
    let mut s = server(DeflateParams::default());
    let mut out = Vec::new();
    s.send_text("Hello", &mut out).unwrap();
    assert_eq!(out, hex(HELLO_FRAME));
    assert_eq!(&hex(HELLO_FLUSHED)[..7], &hex(HELLO_PAYLOAD)[..]);
}

#[test]
fn sharing_the_window_7_2_3_2() {
    let mut s = server(DeflateParams::default());
    let mut out = Vec::new();
    s.send_text("Hello", &mut out).unwrap();
    let first = out.len();
    s.send_text("Hello", &mut out).unwrap();
    assert_eq!(
        out[first..],
        frame(true, true, 1, &hex(HELLO_WITH_CONTEXT))[..]
    );
    let mut c = client(DeflateParams::default());
    assert_eq!(receive(&mut c, &out), [hello(), hello()].concat());

    // server_no_context_takeover: both messages compress to the same bytes.
    let params = DeflateParams {
        server_no_context_takeover: true,
        ..DeflateParams::default()
    };
    let mut s = server(params);
    let mut out = Vec::new();
    s.send_text("Hello", &mut out).unwrap();
    s.send_text("Hello", &mut out).unwrap();
    assert_eq!(out, [hex(HELLO_FRAME), hex(HELLO_FRAME)].concat());
    // An uncompressed message in between does not touch the window.
    let mut s = server(DeflateParams::default());
    let mut c = client(DeflateParams::default());
    let mut out = Vec::new();
    s.send_text("Hello", &mut out).unwrap();
    out.extend(frame(false, true, 1, b"plain"));
    s.send_text("Hello", &mut out).unwrap();
    assert_eq!(
        receive(&mut c, &out),
        [hello(), vec![Event::Text("plain".into())], hello()].concat()
    );
}

#[test]
fn stored_bfinal_and_two_block_payloads_7_2_3_3_to_5() {
    let mut c = client(DeflateParams::default());
    assert_eq!(receive(&mut c, &hex(HELLO_STORED_FRAME)), hello());
    // After a BFINAL block the stream is restarted; the next message still decodes.
    assert_eq!(
        receive(&mut c, &frame(true, true, 1, &hex(HELLO_BFINAL_PAYLOAD))),
        hello()
    );
    assert_eq!(receive(&mut c, &hex(HELLO_FRAME)), hello());
    assert_eq!(
        receive(
            &mut c,
            &frame(true, true, 1, &hex(HELLO_TWO_BLOCKS_PAYLOAD))
        ),
        hello()
    );
}

#[test]
fn empty_final_fragment_7_2_3_6() {
    // Sending data of unknown size: "Hello" in a non-final fragment keeps its sync-flush tail,
    // and the empty final fragment is the single byte 0x00.
    let mut s = server(DeflateParams {
        server_no_context_takeover: true,
        ..DeflateParams::default()
    });
    let mut out = Vec::new();
    s.send_fragment(MessageKind::Text, b"Hello", false, &mut out)
        .unwrap();
    assert_eq!(out, frame(true, false, 1, &hex(HELLO_FLUSHED)));
    let first = out.len();
    s.send_fragment(MessageKind::Text, b"", true, &mut out)
        .unwrap();
    assert_eq!(out[first..], frame(false, true, 0, &hex(EMPTY_BLOCK))[..]);
    let mut c = client(DeflateParams::default());
    assert_eq!(receive(&mut c, &out), hello());
}

#[test]
fn transcription_matches_the_rfc_text() {
    let Some(text) = shared::rfc_text("rfc7692") else {
        return;
    };
    let start = text.find("\n7.2.3.  Examples").expect("§7.2.3");
    let end = start
        + text[start..]
            .find("\n7.3.  Implementation Notes")
            .expect("§7.3");
    let section = text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut all: Vec<&str> = ALL.iter().map(|(h, _)| *h).collect();
    all.extend(HELLO_FRAGMENTS);
    for hex in all {
        let rendered = hex
            .split_whitespace()
            .map(|b| format!("0x{b}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(section.contains(&rendered), "{hex}");
    }
}
