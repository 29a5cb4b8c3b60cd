//! h2c by HTTP/1.1 Upgrade (RFC 7540 §3.2, kept for h2c by RFC 9113 §3.1) against real clients:
//! `nghttp -u` and `curl --http2` (both nghttp2-based). The HTTP/1.1 request head is parsed
//! with `h1-proto`; `HTTP2-Settings` goes to [`Connection::server_upgrade`]; the request becomes
//! stream 1 and is answered over HTTP/2 after `101 Switching Protocols`. Without the peer:
//! SKIPPED (fails under `CI`).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;

use common::{NOW, Served, peer_available, serve_connection, succeeded};
use h2_proto::{Config, Connection, StreamId};

/// base64url without padding (RFC 4648 §5), as `HTTP2-Settings` uses (RFC 7540 §3.2.1).
fn base64url_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            b'=' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

/// What the upgrade server saw: the HTTP/1.1 request's `HTTP2-Settings` bytes and the
/// requests served over HTTP/2 afterwards (stream 1 = the upgraded request).
struct Upgraded {
    settings: Vec<u8>,
    served: Vec<Served>,
}

/// Accepts one connection: HTTP/1.1 request head (h1-proto) → 101 → our h2 server.
fn upgrade_server() -> (u16, JoinHandle<Upgraded>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut buf = Vec::new();
        let mut parser = h1_proto::RequestParser::new(h1_proto::Config::default());
        let mut chunk = [0u8; 4096];
        let (request, settings, head_len) = loop {
            let n = socket.read(&mut chunk).unwrap();
            assert!(n > 0, "client closed before its request head");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(parsed) = parser.parse(&buf).unwrap() {
                let fields = parsed.head.fields;
                let upgrade = fields.get("upgrade").expect("an Upgrade header");
                assert!(upgrade.eq_ignore_ascii_case(b"h2c"), "Upgrade: {upgrade:?}");
                let settings = base64url_decode(fields.get("http2-settings").unwrap()).unwrap();
                let request = Served {
                    stream: StreamId::new(1),
                    method: parsed.head.method.to_string(),
                    path: parsed.head.target.to_string(),
                    ..Served::default()
                };
                assert!(
                    matches!(
                        parsed.framing,
                        h1_proto::Framing::Length(0) | h1_proto::Framing::Switch
                    ),
                    "no request body: {:?}",
                    parsed.framing
                );
                break (request, settings, parsed.head_len);
            }
        };
        let conn = Connection::server_upgrade(Config::default(), NOW, &settings).unwrap();
        socket
            .write_all(
                b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
            )
            .unwrap();
        // Bytes after the head (the client preface, if it raced ahead) belong to HTTP/2.
        let mut conn = conn;
        if buf.len() > head_len {
            conn.handle_input(&buf[head_len..], NOW).unwrap();
        }
        let stop = AtomicBool::new(false);
        let served = serve_connection(conn, socket, &stop, Some(request));
        Upgraded { settings, served }
    });
    (port, handle)
}

#[test]
fn nghttp_upgrade_against_our_server() {
    if !peer_available("nghttp", &["--version"], "nghttp (Debian nghttp2-client)") {
        return;
    }
    let (port, server) = upgrade_server();
    let base = format!("http://127.0.0.1:{port}");
    let out = Command::new("nghttp")
        .args(["--timeout=20", "-u", "-v"])
        .args([format!("{base}/first"), format!("{base}/second")])
        .output()
        .unwrap();
    let stdout = succeeded(&out);
    let upgraded = server.join().unwrap();
    // nghttp's PRIORITY frames (anchors 3..11 and one on the upgraded stream 1) are accepted;
    // its next request then opens stream 13.
    assert!(stdout.contains("HTTP Upgrade response"), "{stdout}");
    assert!(stdout.contains("HTTP Upgrade success"), "{stdout}");
    assert!(
        stdout.contains("GET /first got 0 bytes on stream 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("GET /second got 0 bytes on stream 13"),
        "{stdout}"
    );
    assert_eq!(stdout.matches(":status: 200").count(), 2, "{stdout}");
    assert!(!upgraded.settings.is_empty() && upgraded.settings.len() % 6 == 0);
    let paths: Vec<_> = upgraded.served.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths, ["/first", "/second"]);
}

#[test]
fn curl_http2_upgrade_against_our_server() {
    let has_http2 = Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("HTTP2"));
    if !has_http2 && !peer_available("curl-with-http2", &[], "curl with HTTP2 support") {
        return;
    }
    let (port, server) = upgrade_server();
    let out = Command::new("curl")
        .args(["-sS", "-v", "--max-time", "20", "--http2"])
        .args(["-w", "\n[%{http_version} %{response_code}]\n"])
        .arg(format!("http://127.0.0.1:{port}/up"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let upgraded = server.join().unwrap();
    assert!(stderr.contains("101 Switching Protocols"), "{stderr}");
    assert!(
        stdout.contains("GET /up got 0 bytes on stream 1"),
        "{stdout}"
    );
    assert!(stdout.contains("[2 200]"), "{stdout}");
    assert_eq!(upgraded.served.len(), 1);
}

// In-process checks of `Connection::server_upgrade` itself (no peer needed).

/// The frames in `bytes` (our server's output), decoded.
fn frames(bytes: &[u8]) -> Vec<h2_proto::Frame<'_>> {
    let mut rest = bytes;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (frame, used) = h2_proto::frame::decode(rest, 1 << 14).unwrap();
        out.push(frame);
        rest = &rest[used..];
    }
    out
}

/// A SETTINGS payload (RFC 9113 §6.5.1) from (id, value) pairs.
fn settings_payload(params: &[(u16, u32)]) -> Vec<u8> {
    params
        .iter()
        .flat_map(|(id, v)| id.to_be_bytes().into_iter().chain(v.to_be_bytes()))
        .collect()
}

#[test]
fn upgrade_settings_are_validated_like_a_settings_frame() {
    use h2_proto::ErrorCode;
    let code = |payload: &[u8]| {
        Connection::server_upgrade(Config::default(), NOW, payload)
            .err()
            .map(|e| e.code)
    };
    // §6.5: a length that is not a multiple of 6.
    assert_eq!(code(&[0, 4, 0, 0]), Some(ErrorCode::FRAME_SIZE_ERROR));
    // §6.5.2: ENABLE_PUSH other than 0/1, INITIAL_WINDOW_SIZE above 2^31-1, MAX_FRAME_SIZE
    // below 16 384.
    assert_eq!(
        code(&settings_payload(&[(0x2, 2)])),
        Some(ErrorCode::PROTOCOL_ERROR)
    );
    assert_eq!(
        code(&settings_payload(&[(0x4, 1 << 31)])),
        Some(ErrorCode::FLOW_CONTROL_ERROR)
    );
    assert_eq!(
        code(&settings_payload(&[(0x5, 100)])),
        Some(ErrorCode::PROTOCOL_ERROR)
    );
    // An empty payload is allowed (all defaults).
    assert_eq!(code(&[]), None);
}

#[test]
fn upgrade_applies_settings_without_ack_and_stream_1_is_half_closed_remote() {
    use h2_proto::{ErrorCode, Event, Field, Frame};
    let payload = settings_payload(&[(0x4, 100), (0x3, 7)]);
    let mut conn = Connection::server_upgrade(Config::default(), NOW, &payload).unwrap();
    assert_eq!(conn.peer_settings().initial_window_size, 100);
    assert_eq!(conn.peer_settings().max_concurrent_streams, 7);
    // The stream-1 send window is the upgrade's INITIAL_WINDOW_SIZE.
    let stream1 = StreamId::new(1);
    assert_eq!(conn.send_capacity(stream1), 100);
    conn.send_headers(stream1, [Field::from((":status", "200"))], false)
        .unwrap();
    assert_eq!(conn.send_data(stream1, &[7; 300], true).unwrap(), 100);

    // The client's preface arrives after the 101; then DATA on stream 1, which the client
    // half-closed with its HTTP/1.1 request: STREAM_CLOSED (RFC 9113 §5.1).
    let mut client = Connection::client(Config::default(), NOW);
    let mut preface = vec![0u8; 1024];
    let n = client.poll_transmit(NOW, &mut preface);
    conn.handle_input(&preface[..n], NOW).unwrap();
    conn.handle_input(&[0, 0, 1, 0, 0, 0, 0, 0, 1, b'x'], NOW)
        .unwrap();
    let mut out = vec![0u8; 4096];
    let n = conn.poll_transmit(NOW, &mut out);
    let sent = frames(&out[..n]);
    // Our SETTINGS first; exactly one SETTINGS ACK (for the preface SETTINGS, not the upgrade's).
    assert!(
        matches!(sent[0], Frame::Settings { ack: false, .. }),
        "{sent:?}"
    );
    let acks = sent
        .iter()
        .filter(|f| matches!(f, Frame::Settings { ack: true, .. }))
        .count();
    assert_eq!(acks, 1, "{sent:?}");
    assert!(
        sent.iter()
            .any(|f| matches!(f, Frame::Headers { stream_id, .. } if *stream_id == stream1))
    );
    assert!(
        sent.iter().any(|f| matches!(
            f,
            Frame::RstStream { stream_id, error_code } if *stream_id == stream1 && *error_code == ErrorCode::STREAM_CLOSED
        )),
        "{sent:?}"
    );
    let mut events = Vec::new();
    while let Some(e) = conn.poll_event() {
        events.push(e);
    }
    assert!(matches!(events[0], Event::PeerSettings(s) if s.initial_window_size == 100));
}
