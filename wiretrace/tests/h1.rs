//! `wiretrace decode h1`, `serve` and `fetch` as a user runs them.

mod common;

use common::{Server, hex};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn wiretrace(args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn decode_requests_from_hex_one_event_per_line() {
    let input = b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n";
    let out = wiretrace(&["decode", "h1", "--request", &hex(input)], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "request POST /up HTTP/1.1\n  Host: a\n  Transfer-Encoding: chunked\ndata 3 \"abc\"\ntrailers\n  X-T: 1\nend-of-message\n\
         request GET /next HTTP/1.1\n  Host: a\nend-of-message\nclosed\n"
    );
}

#[test]
fn decode_responses_raw_from_stdin() {
    let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    let out = wiretrace(&["decode", "h1", "--response", "--raw"], input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "informational HTTP/1.1 100 Continue\nresponse HTTP/1.1 200 OK\n  Content-Length: 2\ndata 2 \"hi\"\nend-of-message\nclosed\n"
    );
}

#[test]
fn decode_reports_smuggling_with_its_status() {
    let input = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    let out = wiretrace(&["decode", "h1", "--raw"], input);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("both Content-Length and Transfer-Encoding"),
        "{stderr}"
    );
    assert!(stderr.contains("400"), "{stderr}");
}

/// Sends `request` on a fresh connection and reads until the server closes.
fn exchange(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8(response).unwrap()
}

#[test]
fn serve_routes_pipelined_on_one_connection() {
    let mut server = Server::start();
    let response = exchange(
        server.port,
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n\
          GET /client.js HTTP/1.1\r\nHost: a\r\n\r\n\
          GET /api/test?i=7 HTTP/1.1\r\nHost: a\r\n\r\n\
          POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello\
          GET /missing HTTP/1.1\r\nHost: a\r\n\r\n\
          GET /events HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    let statuses: Vec<&str> = response.matches("HTTP/1.1 ").map(|_| "").collect();
    assert_eq!(statuses.len(), 6, "{response}");
    assert!(response.contains("<!doctype html>"));
    assert!(response.contains("EventSource('/events')"));
    assert!(
        response.contains("{\"i\":7,\"request_id\":3,\"connection_id\":1}"),
        "{response}"
    );
    assert!(response.contains("received 5 byte(s)"));
    assert!(response.contains("HTTP/1.1 404 Not Found"));
    assert!(response.contains("Content-Type: text/event-stream"));
    assert!(response.contains("data: tick 5 ✓\n\n"));
    assert!(response.ends_with("event: done\ndata: bye\n\n\r\n0\r\n\r\n"));
    let log = server.log_lines(6);
    assert_eq!(log[0], "conn=1 req=1 GET / HTTP/1.1 body=0 -> 200");
    assert_eq!(log[3], "conn=1 req=4 POST / HTTP/1.1 body=5 -> 200");
    assert_eq!(log[4], "conn=1 req=5 GET /missing HTTP/1.1 body=0 -> 404");
}

#[test]
fn serve_many_connections_at_once() {
    let server = Server::start();
    let port = server.port;
    // Hold all connections open at the same time, then use them.
    let mut streams: Vec<TcpStream> = (0..16)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let mut connection_ids = Vec::new();
    for (i, stream) in streams.iter_mut().enumerate().rev() {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let request =
            format!("GET /api/test?i={i} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split("\r\n\r\n").nth(1).unwrap();
        assert!(body.starts_with(&format!("{{\"i\":{i},")), "{body}");
        let id = body
            .rsplit("\"connection_id\":")
            .next()
            .unwrap()
            .trim()
            .trim_end_matches('}')
            .to_string();
        connection_ids.push(id);
    }
    connection_ids.sort();
    connection_ids.dedup();
    assert_eq!(connection_ids.len(), 16, "each connection has its own id");
}

#[test]
fn serve_rejects_smuggling_and_reads_nothing_after() {
    let mut server = Server::start();
    let response = exchange(
        server.port,
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    assert!(
        response.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{response}"
    );
    assert!(response.contains("Connection: close\r\n"));
    assert_eq!(response.matches("HTTP/1.1").count(), 1);
    let log = server.log_lines(1);
    assert!(log[0].starts_with("conn=1 rejected:"), "{log:?}");
    assert!(log[0].ends_with("-> 400"), "{log:?}");
}

#[test]
fn fetch_prints_what_crossed_the_wire() {
    let server = Server::start();
    let url = format!("http://127.0.0.1:{}/api/test?i=3", server.port);
    let out = wiretrace(&["fetch", &url], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "> GET /api/test?i=3 HTTP/1.1\\r\n> Host: 127.0.0.1:{}\\r\n",
            server.port
        )),
        "{text}"
    );
    assert!(
        text.contains("< HTTP/1.1 200 OK\n< Content-Type: application/json\n"),
        "{text}"
    );
    assert!(
        text.contains("{\"i\":3,\"request_id\":1,\"connection_id\":1}"),
        "{text}"
    );
    assert!(text.contains("* end of message: 41 body byte(s)"), "{text}");

    let out = wiretrace(
        &["fetch", &format!("http://127.0.0.1:{}/events", server.port)],
        b"",
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("< Transfer-Encoding: chunked\n"), "{text}");
    assert!(
        text.contains("event message id=\"1\" data=\"tick 1 ✓\"\n"),
        "{text}"
    );
    assert!(
        text.contains("event done id=\"5\" data=\"bye\"\n"),
        "{text}"
    );
}
