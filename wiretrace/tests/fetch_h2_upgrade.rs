//! `wiretrace fetch --http2-upgrade` (h2c by HTTP/1.1 Upgrade, RFC 7540 §3.2) against
//! `wiretrace serve`, against a server that answers the upgrade request with HTTP/2 bytes in
//! the same write as its 101, and against one that does not upgrade (stays on HTTP/1.1).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use common::Server;
use h2_proto::{Config, Connection, Event, Field, HeadersKind};
use wire_codec::Instant;

fn fetch(url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(["fetch", "--http2-upgrade", url])
        .output()
        .unwrap()
}

fn stdout_of(out: &Output) -> String {
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The two frame traces of the output: (client → server, server → client).
fn traces(stdout: &str) -> (&str, &str) {
    let (_, frames) = stdout.split_once("# HTTP/2, client → server").unwrap();
    frames.split_once("# HTTP/2, server → client").unwrap()
}

#[test]
fn upgrade_against_wiretrace_serve() {
    let mut server = Server::start();
    let out = fetch(&format!("http://127.0.0.1:{}/", server.port));
    let stdout = stdout_of(&out);
    // The HTTP/1.1 part: the upgrade request (RFC 7540 §3.2, §3.2.1) and the 101.
    for line in [
        "> GET /api/test?i=1 HTTP/1.1\\r",
        "> Connection: Upgrade, HTTP2-Settings\\r",
        "> Upgrade: h2c\\r",
        "< HTTP/1.1 101 Switching Protocols",
        "< Upgrade: h2c",
        "* switched to HTTP/2 (h2c): GET /api/test?i=1 is stream 1",
    ] {
        assert!(stdout.contains(line), "{line:?} in\n{stdout}");
    }
    let settings = stdout
        .lines()
        .find_map(|l| l.strip_prefix("> HTTP2-Settings: "))
        .unwrap()
        .trim_end_matches("\\r");
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(settings)
        .unwrap();
    assert_eq!(payload, Config::default().http2_settings_payload());
    // The upgraded request on stream 1, the other four on 3..9, one connection.
    for (stream, i) in [(1, 1), (3, 2), (5, 3), (7, 4), (9, 5)] {
        let line = format!("stream {stream} GET /api/test?i={i} -> 200");
        assert!(stdout.contains(&line), "{line:?} in\n{stdout}");
    }
    let (sent, received) = traces(&stdout);
    // Stream 1's request went out in HTTP/1.1: no HEADERS of ours on it, but the preface.
    assert!(sent.contains("PREFACE"), "{sent}");
    assert!(!sent.contains("HEADERS(0x1) stream=1 "), "{sent}");
    assert!(sent.contains("HEADERS(0x1) stream=3 "), "{sent}");
    assert!(
        received.contains("HEADERS(0x1) stream=1 ") && received.contains("DATA(0x0) stream=1 "),
        "{received}"
    );
    let log = server.log_lines(5);
    assert!(
        log[0].contains("GET /api/test?i=1 HTTP/2 stream=1"),
        "{log:?}"
    );
    assert!(log[4].contains("stream=9"), "{log:?}");
}

/// A server on `h2-proto` that writes its 101, its SETTINGS and the whole response to the
/// upgrade request in one write, then answers nothing else until the client closes.
fn eager_upgrade_server() -> (u16, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut head = Vec::new();
        let mut chunk = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut chunk).unwrap();
            assert!(n > 0);
            head.extend_from_slice(&chunk[..n]);
        }
        let head = String::from_utf8(head).unwrap();
        let settings = head
            .lines()
            .find_map(|l| l.strip_prefix("HTTP2-Settings: "))
            .unwrap();
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(settings)
            .unwrap();
        let now = Instant::ZERO;
        let mut h2 = Connection::server_upgrade(Config::default(), now, &payload).unwrap();
        let stream_1 = Connection::UPGRADE_STREAM;
        h2.send_headers(stream_1, [Field::from((":status", "200"))], false)
            .unwrap();
        h2.send_data(stream_1, b"eager body", true).unwrap();
        let mut reply =
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                .to_vec();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = h2.poll_transmit(now, &mut buf);
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
        }
        socket.write_all(&reply).unwrap();
        // Read the client's preface and GOAWAY; answer its SETTINGS.
        let mut seen = Vec::new();
        loop {
            let n = socket.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            h2.handle_input(&buf[..n], now).unwrap();
            while let Some(event) = h2.poll_event() {
                if let Event::Headers {
                    kind: HeadersKind::Request,
                    ..
                } = event
                {
                    seen.push("request");
                }
                if let Event::GoAway { .. } = event {
                    seen.push("goaway");
                }
            }
            loop {
                let n = h2.poll_transmit(now, &mut buf);
                if n == 0 {
                    break;
                }
                let _ = socket.write_all(&buf[..n]);
            }
        }
        seen.join(",")
    });
    (port, handle)
}

#[test]
fn bytes_after_the_101_head_are_http2() {
    let (port, server) = eager_upgrade_server();
    let out = fetch(&format!("http://127.0.0.1:{port}/only"));
    let stdout = stdout_of(&out);
    let after = stdout
        .lines()
        .find_map(|l| l.strip_prefix("* switched to HTTP/2 (h2c): GET /only is stream 1; "))
        .unwrap();
    let n: usize = after.split_once(' ').unwrap().0.parse().unwrap();
    assert!(n > 0, "the 101 and HTTP/2 came in one write: {stdout}");
    assert!(
        stdout.contains("stream 1 GET /only -> 200 (10 byte(s)) eager body"),
        "{stdout}"
    );
    let (_, received) = traces(&stdout);
    assert!(
        received.contains("DATA(0x0) stream=1 flags=0x01<END_STREAM>"),
        "{received}"
    );
    assert_eq!(
        server.join().unwrap(),
        "goaway",
        "no request besides stream 1"
    );
}

#[test]
fn a_server_that_does_not_upgrade_answers_on_http1() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut chunk = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut chunk).unwrap();
            assert!(n > 0);
            head.extend_from_slice(&chunk[..n]);
        }
        // RFC 9110 §7.8: a server MAY ignore Upgrade.
        socket
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nstill http/1\n")
            .unwrap();
        String::from_utf8(head).unwrap()
    });
    let out = fetch(&format!("http://127.0.0.1:{port}/"));
    let stdout = stdout_of(&out);
    let request = server.join().unwrap();
    assert!(request.contains("Upgrade: h2c\r\n"), "{request}");
    for line in [
        "* no upgrade: the server answered on HTTP/1.1",
        "< HTTP/1.1 200 OK",
        "still http/1",
        "* end of message: 13 body byte(s)",
        "* 4 more request(s) are for HTTP/2 only: not sent",
    ] {
        assert!(stdout.contains(line), "{line:?} in\n{stdout}");
    }
    assert!(!stdout.contains("# HTTP/2"), "{stdout}");
}

/// `nghttpd --no-tls` on a free loopback port serving `dir`, killed when dropped.
struct Nghttpd(std::process::Child);

impl Drop for Nghttpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nghttpd(dir: &std::path::Path) -> (Nghttpd, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("nghttpd")
        .args(["--no-tls", "--address=127.0.0.1", "-d"])
        .arg(dir)
        .arg(port.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Nghttpd(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (server, port);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nghttpd did not start on port {port}");
}

#[test]
fn nghttpd_refuses_the_upgrade_and_says_so() {
    if !common::peer_available(
        "nghttpd (Debian nghttp2-server)",
        Command::new("nghttpd").arg("--version"),
    ) {
        return;
    }
    let dir = std::env::temp_dir().join(format!("wiretrace-nghttpd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "from nghttpd\n").unwrap();
    let (_server, port) = nghttpd(&dir);
    let url = format!("http://127.0.0.1:{port}/index.html");
    // nghttpd 1.52 answers the HTTP/1.1 upgrade request with its HTTP/2 SETTINGS at once.
    let out = fetch(&url);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("answered with HTTP/2 frames") && stderr.contains("--http2"),
        "{stderr}"
    );
    // What the hint suggests works: prior knowledge.
    let out = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(["fetch", "--http2", &url])
        .output()
        .unwrap();
    let stdout = stdout_of(&out);
    assert!(
        stdout.contains("stream 1 GET /index.html -> 200 (13 byte(s)) from nghttpd"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
