//! Interop over loopback sockets with `curl --http2-prior-knowledge` (libcurl on nghttp2)
//! against our server: several URLs in one run, a POST body beyond one flow-control window,
//! response trailers. Without `curl` (or without its HTTP2 feature): SKIPPED (fails under `CI`).

mod common;

use std::process::Command;

use common::{BIG_BODY, Server, peer_available};

fn curl() -> bool {
    let has_http2 = Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("HTTP2"));
    if has_http2 {
        return true;
    }
    peer_available("curl-with-http2", &[], "curl with HTTP2 support")
}

/// Runs curl with a 20 s limit and HTTP/2 prior knowledge; returns (stdout, stderr).
fn run(args: &[String]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "--http2-prior-knowledge"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "curl {args:?} failed:\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

#[test]
fn curl_several_urls_against_our_server() {
    if !curl() {
        return;
    }
    let server = Server::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    // -w prints the negotiated version and status after each transfer.
    let mut args = vec![
        "-v".to_string(),
        "-w".into(),
        "\n[%{http_version} %{response_code} %{size_download}]\n".into(),
    ];
    // curl before 8.0 fails every reuse of a prior-knowledge connection with "(16) Error in
    // the HTTP2 framing layer" (curl/curl#10634, fixed by curl/curl#10643 in 8.0.0), whatever
    // the server: there, each URL gets its own connection.
    let reuse_works = curl_major() >= 8;
    if !reuse_works {
        eprintln!("curl < 8: one connection per URL (curl/curl#10634)");
        args.extend(["--parallel".into(), "--parallel-immediate".into()]);
    }
    args.extend(["/one", "/big", "/two"].map(|p| format!("{base}{p}")));
    let (out, err) = run(&args);
    let served = server.stop();
    assert_eq!(out.matches("[2 200 ").count(), 3, "{out}\n{err}");
    assert!(out.contains("GET /one got 0 bytes on stream 1"), "{out}");
    assert!(out.contains(&format!("[2 200 {BIG_BODY}]")), "{out}");
    assert!(out.contains("GET /two got 0 bytes on stream"), "{out}");
    let mut paths: Vec<_> = served.iter().flatten().map(|s| s.path.clone()).collect();
    paths.sort();
    assert_eq!(paths, ["/big", "/one", "/two"], "{err}");
    if reuse_works {
        assert_eq!(served.len(), 1, "one connection for all URLs:\n{err}");
    }
}

/// curl's major version (0 if unknown).
fn curl_major() -> u32 {
    let out = Command::new("curl").arg("--version").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn curl_post_body_and_trailers_against_our_server() {
    if !curl() {
        return;
    }
    let server = Server::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let body = std::env::temp_dir().join(format!("h2-peers-curl-{}.bin", std::process::id()));
    std::fs::write(&body, vec![b'c'; 150_000]).unwrap();
    let (out, err) = run(&[
        "-v".into(),
        "--data-binary".into(),
        format!("@{}", body.display()),
        format!("{base}/upload"),
    ]);
    let _ = std::fs::remove_file(&body);
    assert!(
        out.contains("POST /upload got 150000 bytes on stream 1"),
        "{out}\n{err}"
    );
    // Response trailers: curl -v shows them as received header lines after the body.
    let (out, err) = run(&[
        "-v".into(),
        "-d".into(),
        "x=1".into(),
        format!("{base}/trailers"),
    ]);
    let served = server.stop();
    assert!(
        out.contains("POST /trailers got 3 bytes on stream 1"),
        "{out}"
    );
    // "POST /trailers got 3 bytes on stream 1\n" is 39 bytes.
    assert!(err.contains("x-checksum: 39"), "{err}");
    let uploads: Vec<_> = served
        .iter()
        .flatten()
        .map(|s| (s.path.clone(), s.body_len))
        .collect();
    assert!(
        uploads.contains(&("/upload".into(), 150_000)),
        "{uploads:?}"
    );
}
