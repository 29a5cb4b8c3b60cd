//! Interop over loopback sockets with `nghttp` (Debian `nghttp2-client`, the nghttp2 reference
//! client) against our server, h2c by prior knowledge (`nghttp` uses it for `http://` unless
//! `-u`). Checks nghttp's `-v` frame trace: SETTINGS both ways, responses, DATA, trailers, and
//! that our server saw the requests. Without `nghttp`: SKIPPED (fails under `CI`).

mod common;

use std::process::Command;

use common::{BIG_BODY, Served, Server, peer_available};

fn nghttp() -> bool {
    peer_available("nghttp", &["--version"], "nghttp (Debian nghttp2-client)")
}

/// Runs `nghttp args…` with a 20 s timeout of its own; returns stdout, asserting success.
fn run(args: &[String]) -> String {
    let out = Command::new("nghttp")
        .arg("--timeout=20")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "nghttp {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn nghttp_get_against_our_server() {
    if !nghttp() {
        return;
    }
    let server = Server::start();
    let url = format!("http://127.0.0.1:{}/", server.port);
    let out = run(&["-v".into(), url]);
    let served = server.stop();
    // The -v trace: our SETTINGS, our ACK of nghttp's SETTINGS, the response and its body.
    for needle in [
        "recv SETTINGS frame <length=",
        "recv SETTINGS frame <length=0, flags=0x01, stream_id=0>",
        "send HEADERS frame <length=",
        ":status: 200",
        "content-type: text/plain",
        "recv DATA frame <length=",
        "GET / got 0 bytes on stream",
        "send GOAWAY frame",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert_eq!(served.len(), 1);
    assert_eq!(served[0].len(), 1);
    assert_eq!(served[0][0].path, "/");
}

#[test]
fn nghttp_several_uris_one_connection() {
    if !nghttp() {
        return;
    }
    let server = Server::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let urls = ["/a", "/big", "/trailers"].map(|p| format!("{base}{p}"));
    let mut args = vec!["-nv".to_string()];
    args.extend(urls);
    let out = run(&args);
    let served = server.stop();
    // nghttp also sends PRIORITY frames for idle streams 3..11 (its dependency tree anchors):
    // we must accept them without creating streams.
    assert!(out.contains("send PRIORITY frame"), "{out}");
    assert_eq!(out.matches(":status: 200").count(), 3, "{out}");
    // The response trailers on /trailers, and all of /big's 200 000 bytes (DATA lengths add up).
    let data_total: usize = out
        .lines()
        .filter_map(|l| l.split("recv DATA frame <length=").nth(1))
        .map(|rest| rest.split(',').next().unwrap().parse::<usize>().unwrap())
        .sum();
    let small = |path: &str, stream| {
        Served {
            stream,
            method: "GET".into(),
            path: path.into(),
            ..Served::default()
        }
        .response_body()
        .len()
    };
    assert_eq!(served.len(), 1, "one connection");
    let mut paths: Vec<_> = served[0].iter().map(|s| s.path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, ["/a", "/big", "/trailers"]);
    let stream_of = |p: &str| served[0].iter().find(|s| s.path == p).unwrap().stream;
    let trailers_len = small("/trailers", stream_of("/trailers"));
    assert!(
        out.contains(&format!("x-checksum: {trailers_len}")),
        "{out}"
    );
    assert_eq!(
        data_total,
        BIG_BODY + small("/a", stream_of("/a")) + small("/trailers", stream_of("/trailers")),
        "{out}"
    );
}

#[test]
fn nghttp_post_with_body_and_trailer() {
    if !nghttp() {
        return;
    }
    let body = std::env::temp_dir().join(format!("h2-peers-nghttp-{}.bin", std::process::id()));
    std::fs::write(&body, vec![b'b'; 100_000]).unwrap();
    let server = Server::start();
    let url = format!("http://127.0.0.1:{}/upload", server.port);
    let out = run(&[
        "-v".into(),
        "-d".into(),
        body.display().to_string(),
        "--trailer=x-request-trailer: yes".into(),
        url,
    ]);
    let served = server.stop();
    let _ = std::fs::remove_file(&body);
    assert!(out.contains(":status: 200"), "{out}");
    assert!(
        out.contains("POST /upload got 100000 bytes on stream"),
        "{out}"
    );
    // 100 000 bytes exceed the 65 535 initial window: our WINDOW_UPDATEs must reach nghttp.
    assert!(out.contains("recv WINDOW_UPDATE frame"), "{out}");
    assert_eq!(served.len(), 1);
    let upload = &served[0][0];
    assert_eq!(upload.body_len, 100_000);
    assert_eq!(
        upload.trailers,
        [("x-request-trailer".to_string(), "yes".to_string())]
    );
}
