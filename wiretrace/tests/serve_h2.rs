//! `wiretrace serve` speaking h2c with prior knowledge (RFC 9113 §3.3) on the same port as
//! HTTP/1.1, against real clients: curl `--http2-prior-knowledge` and node's built-in `http2`.
//! A missing peer is reported as SKIPPED, and fails under CI.

mod common;

use common::{Server, peer_available};
use std::process::Command;

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn curl_prior_knowledge_and_http1_on_one_port() {
    if !peer_available("curl", Command::new("curl").arg("--version")) {
        return;
    }
    let server = Server::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let h2 = [
        "--http2-prior-knowledge",
        "-w",
        "\\n%{http_version} %{http_code}",
    ];

    let out = curl(&[&h2[..], &[&format!("{base}/api/test?i=3")]].concat());
    assert!(out.contains("{\"i\":3,"), "{out}");
    assert!(out.ends_with("\n2 200"), "{out}");

    let out = curl(&[&h2[..], &["-d", "hello", &format!("{base}/")]].concat());
    assert!(out.starts_with("received 5 byte(s)"), "{out}");
    assert!(out.ends_with("\n2 200"), "{out}");

    let out = curl(&[&h2[..], &[&format!("{base}/events")]].concat());
    assert_eq!(out.matches("data: tick").count(), 5, "{out}");
    assert!(out.contains("event: done\ndata: bye"), "{out}");

    let out = curl(&[&h2[..], &[&format!("{base}/missing")]].concat());
    assert!(out.ends_with("\n2 404"), "{out}");

    // The same port still speaks HTTP/1.1 to a client without prior knowledge.
    let out = curl(&["-w", "\\n%{http_version}", &format!("{base}/api/test?i=4")]);
    assert!(out.ends_with("\n1.1"), "{out}");
}

/// The articles' experiment: five parallel `/api/test` requests on one HTTP/2 connection.
const NODE_CLIENT: &str = r#"
const http2 = require('http2');
const session = http2.connect(process.argv[1]);
session.on('error', (e) => { console.error(e); process.exit(1); });
const one = (i) => new Promise((resolve, reject) => {
  const req = session.request({ ':path': '/api/test?i=' + i });
  let status = 0, body = '';
  req.on('response', (h) => { status = h[':status']; });
  req.setEncoding('utf8');
  req.on('data', (d) => { body += d; });
  req.on('end', () => resolve({ status, body: JSON.parse(body) }));
  req.on('error', reject);
});
Promise.all([1, 2, 3, 4, 5].map(one)).then((results) => {
  console.log(JSON.stringify(results));
  session.close();
}).catch((e) => { console.error(e); process.exit(1); });
"#;

#[test]
fn node_http2_client_five_parallel_requests_on_one_connection() {
    if !peer_available("node", Command::new("node").arg("--version")) {
        return;
    }
    let server = Server::start();
    let out = Command::new("node")
        .args([
            "-e",
            NODE_CLIENT,
            &format!("http://127.0.0.1:{}", server.port),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Five answers, i = 1..5 in order, all 200, all on the same connection.
    let results = stdout.trim();
    for i in 1..=5 {
        assert!(
            results.contains(&format!("{{\"status\":200,\"body\":{{\"i\":{i},")),
            "{results}"
        );
    }
    let connection_ids: Vec<&str> = results
        .split("\"connection_id\":")
        .skip(1)
        .map(|rest| rest.split('}').next().unwrap())
        .collect();
    assert_eq!(connection_ids.len(), 5, "{results}");
    assert!(
        connection_ids.iter().all(|id| *id == connection_ids[0]),
        "one connection: {results}"
    );
}

#[test]
fn our_h2_client_five_parallel_requests_with_a_frame_trace() {
    let server = Server::start();
    let out = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args([
            "fetch",
            "--http2",
            &format!("http://127.0.0.1:{}", server.port),
        ])
        .output()
        .unwrap();
    let trace = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{trace}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        trace.starts_with("5 request(s) on one HTTP/2 connection"),
        "{trace}"
    );
    for (stream, i) in [(1, 1), (3, 2), (5, 3), (7, 4), (9, 5)] {
        assert!(
            trace.contains(&format!("stream {stream} GET /api/test?i={i} -> 200")),
            "{trace}"
        );
    }
    // Both directions decoded: the preface, SETTINGS both ways, five HEADERS each way (HPACK
    // fields shown), five DATA frames from the server, and our GOAWAY.
    assert!(trace.contains("PREFACE"), "{trace}");
    assert_eq!(trace.matches("HEADERS(0x1)").count(), 10, "{trace}");
    assert_eq!(trace.matches("DATA(0x0)").count(), 5, "{trace}");
    assert_eq!(trace.matches("| :status: 200 |").count(), 5, "{trace}");
    assert!(trace.contains("GOAWAY(0x7)"), "{trace}");
}

#[test]
fn curl_upgrades_to_h2c() {
    if !peer_available("curl", Command::new("curl").arg("--version")) {
        return;
    }
    let server = Server::start();
    // `--http2` on http:// asks for `Upgrade: h2c` with HTTP2-Settings (RFC 7540 §3.2).
    let out = curl(&[
        "--http2",
        "-w",
        "\\n%{http_version} %{http_code}",
        &format!("http://127.0.0.1:{}/api/test?i=9", server.port),
    ]);
    assert!(out.contains("{\"i\":9,"), "{out}");
    assert!(out.ends_with("\n2 200"), "{out}");
}

#[test]
fn nghttp_prior_knowledge_and_upgrade() {
    if !peer_available(
        "nghttp (nghttp2-client)",
        Command::new("nghttp").arg("--version"),
    ) {
        return;
    }
    let server = Server::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let nghttp = |args: &[&str]| {
        let out = Command::new("nghttp").args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "nghttp {args:?}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    // Three requests on one prior-knowledge connection.
    let out = nghttp(&[
        "-nv",
        &format!("{base}/api/test?i=1"),
        &format!("{base}/client.js"),
        &format!("{base}/"),
    ]);
    assert!(out.matches("recv (stream_id=").count() >= 3, "{out}");
    assert_eq!(out.matches(":status: 200").count(), 3, "{out}");
    assert!(out.contains("recv SETTINGS frame"), "{out}");
    // Upgrade from HTTP/1.1.
    let out = nghttp(&["-uv", &format!("{base}/api/test?i=8")]);
    assert!(out.contains("HTTP/1.1 101 Switching Protocols"), "{out}");
    assert!(out.contains(":status: 200"), "{out}");
    assert!(out.contains("{\"i\":8,"), "{out}");
}
