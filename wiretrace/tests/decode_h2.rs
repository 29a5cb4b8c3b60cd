//! `wiretrace decode h2` as a user runs it, on bytes our h2-proto client wrote and on RFC 7541
//! header blocks.

mod common;

use common::hex;
use std::process::Command;

fn wiretrace(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(args)
        .output()
        .expect("run wiretrace");
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn client_connection_with_preface() {
    use h2_proto::{Config, Connection, Field};
    let mut conn = Connection::client(Config::default(), wire_codec::Instant::ZERO);
    let req = [
        (":method", "GET"),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", "/api/test"),
    ];
    conn.send_request(req.iter().map(|&f| Field::from(f)), true)
        .unwrap();
    conn.ping(*b"wiretrac").unwrap();
    let mut buf = vec![0u8; 4096];
    let n = conn.poll_transmit(wire_codec::Instant::ZERO, &mut buf);
    let (ok, out, err) = wiretrace(&["decode", "h2", "--client", &hex(&buf[..n])]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].contains("PREFACE"), "{out}");
    assert!(lines[2].contains("SETTINGS(0x4) stream=0"), "{out}");
    assert!(lines[2].contains("ENABLE_PUSH=0"), "{out}");
    assert!(
        lines[3].contains("HEADERS(0x1) stream=1 flags=0x05<END_STREAM,END_HEADERS>"),
        "{out}"
    );
    assert!(
        lines[3]
            .contains(":method: GET | :scheme: http | :authority: localhost | :path: /api/test |"),
        "{out}"
    );
    assert!(
        lines[4].contains("PING(0x6) stream=0 flags=0x00 len=8 data=7769726574726163"),
        "{out}"
    );
}

#[test]
fn server_frames_with_continuation_and_rfc7541_blocks() {
    // RFC 7541 C.6.1 (a response, Huffman-coded) split over HEADERS + CONTINUATION, then
    // DATA, RST_STREAM and GOAWAY.
    let block = "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3";
    let (a, b) = block.split_at(20);
    let mut input = String::new();
    input += &format!("{:06x}01000000000d{a}", a.len() / 2);
    input += &format!("{:06x}09040000000d{b}", b.len() / 2);
    input += "00000500010000000d68656c6c6f";
    input += "000004030000000003";
    input += "00000008";
    input += "0000080700000000000000000d0000000b";
    let (ok, out, err) = wiretrace(&["decode", "h2", "--server", &input]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].starts_with("@0") && lines[1].contains("HEADERS(0x1) stream=13 flags=0x00"),
        "{out}"
    );
    assert!(
        lines[2].contains("CONTINUATION(0x9) stream=13 flags=0x04<END_HEADERS>"),
        "{out}"
    );
    assert!(lines[2].contains(":status: 302 | cache-control: private | date: Mon, 21 Oct 2013 20:13:21 GMT | location: https://www.example.com |"), "{out}");
    assert!(
        lines[3].contains("DATA(0x0) stream=13 flags=0x01<END_STREAM> len=5 data=\"hello\""),
        "{out}"
    );
    assert!(
        lines[4].contains("RST_STREAM(0x3) stream=3") && lines[4].contains("error=CANCEL"),
        "{out}"
    );
    assert!(
        lines[5].contains("GOAWAY(0x7) stream=0")
            && lines[5].contains("last_stream=13 error=ENHANCE_YOUR_CALM"),
        "{out}"
    );
}

#[test]
fn truncated_input_is_an_error() {
    let (ok, _, err) = wiretrace(&["decode", "h2", "0000080600000000000102"]);
    assert!(!ok);
    assert!(err.contains("truncated PING frame"), "{err}");
}
