//! Server push with real peers over loopback sockets: node's `http2` (nghttp2 inside) server
//! pushing to our client and node's client receiving our pushes, and `nghttp -v` (nghttp2's
//! client) showing our PUSH_PROMISE, with and without `--no-push`.
//! Without the peer the tests print SKIPPED (and fail under `CI`).

mod common;

use std::net::TcpStream;
use std::process::Command;

use common::{
    NOW, connect, node, node_available, peer_available, request_head, serve_one_connection,
    spawn_server, succeeded, turn,
};
use h2_proto::{Config, Connection, Event, Field, HeadersKind, StreamId, UserError};

/// Our server for one connection: answers `/` with `main page` after promising
/// `/pushed.css` (when the client allows push). Returns each push attempt's result.
fn serve_one(mut socket: TcpStream) -> Vec<Result<StreamId, UserError>> {
    let mut conn = Connection::server(Config::default(), NOW);
    let mut attempts = Vec::new();
    let mut turns = 0;
    while turn(&mut conn, &mut socket) && turns < 1000 {
        turns += 1;
        while let Some(event) = conn.poll_event() {
            let Event::Headers {
                stream,
                kind: HeadersKind::Request,
                headers,
                ..
            } = event
            else {
                continue;
            };
            let authority = headers
                .iter()
                .find(|h| h.name == b":authority")
                .map(|h| h.value.clone())
                .unwrap_or_default();
            let promise = [
                Field::new(b":method", b"GET"),
                Field::new(b":scheme", b"http"),
                Field::new(b":authority", &authority),
                Field::new(b":path", b"/pushed.css"),
            ];
            let pushed = conn.push_promise(stream, promise);
            if let Ok(promised) = pushed {
                conn.send_headers(
                    promised,
                    [
                        Field::from((":status", "200")),
                        Field::from(("content-type", "text/css")),
                    ],
                    false,
                )
                .unwrap();
                conn.send_data(promised, b"body{color:red}", true).unwrap();
            }
            attempts.push(pushed);
            conn.send_headers(stream, [Field::from((":status", "200"))], false)
                .unwrap();
            conn.send_data(stream, b"main page", true).unwrap();
        }
    }
    attempts
}

#[test]
fn nghttp_receives_our_push() {
    if !peer_available("nghttp", &["--version"], "nghttp (nghttp2-client)") {
        return;
    }
    let (port, server) = serve_one_connection(serve_one);
    let out = Command::new("nghttp")
        .args(["-v", "-t", "10", &format!("http://127.0.0.1:{port}/")])
        .output()
        .unwrap();
    let stdout = succeeded(&out);
    let attempts = server.join().unwrap();
    assert!(matches!(attempts[..], [Ok(_)]), "{attempts:?}");
    // The frame trace: our PUSH_PROMISE on nghttp's request stream (13: nghttp first sends
    // PRIORITY frames for streams 3 to 11) promising stream 2, the promised request's fields
    // (nghttp prints them under the associated stream), and the pushed response on stream 2.
    assert!(
        stdout.contains("recv PUSH_PROMISE frame <length=29, flags=0x04, stream_id=13>"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(padlen=0, promised_stream_id=2)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("recv (stream_id=13) :path: /pushed.css"),
        "{stdout}"
    );
    assert!(
        stdout.contains("recv (stream_id=2) :status: 200"),
        "{stdout}"
    );
    assert!(
        stdout.contains("recv (stream_id=2) content-type: text/css"),
        "{stdout}"
    );
    assert!(stdout.contains("body{color:red}"), "{stdout}");
    assert!(
        stdout.contains("recv DATA frame <length=15, flags=0x01, stream_id=2>"),
        "{stdout}"
    );
    assert!(
        stdout.contains("recv DATA frame <length=9, flags=0x01, stream_id=13>"),
        "{stdout}"
    );
    assert!(!stdout.contains("RST_STREAM"), "{stdout}");
}

#[test]
fn nghttp_without_push_gets_no_promise() {
    if !peer_available("nghttp", &["--version"], "nghttp (nghttp2-client)") {
        return;
    }
    let (port, server) = serve_one_connection(serve_one);
    let out = Command::new("nghttp")
        .args([
            "-v",
            "--no-push",
            "-t",
            "10",
            &format!("http://127.0.0.1:{port}/"),
        ])
        .output()
        .unwrap();
    let stdout = succeeded(&out);
    assert!(stdout.contains("SETTINGS_ENABLE_PUSH(0x02):0"), "{stdout}");
    assert_eq!(server.join().unwrap(), [Err(UserError::PushDisabled)]);
    assert!(!stdout.contains("PUSH_PROMISE"), "{stdout}");
    assert!(
        stdout.contains("recv DATA frame <length=9, flags=0x01, stream_id=13>"),
        "{stdout}"
    );
}

#[test]
fn node_client_receives_our_push() {
    if !node_available() {
        return;
    }
    let script = r#"
const http2 = require('http2');
const session = http2.connect(`http://127.0.0.1:${process.argv[1]}`);
const got = [];
session.on('stream', (pushed, requestHeaders) => {
  let body = '';
  pushed.on('push', (h) => got.push(`push-status ${h[':status']}`));
  pushed.setEncoding('utf8');
  pushed.on('data', (d) => body += d);
  pushed.on('end', () => got.push(`pushed ${requestHeaders[':method']} ${requestHeaders[':path']} ${body}`));
});
const req = session.request({':path': '/'});
let main = '';
req.setEncoding('utf8');
req.on('data', (d) => main += d);
req.on('end', () => {
  setTimeout(() => {
    got.push(`main ${main}`);
    console.log(JSON.stringify(got));
    session.destroy();
    process.exit(0);
  }, 200);
});
setTimeout(() => process.exit(3), 15000);
"#;
    let (port, server) = serve_one_connection(serve_one);
    let out = node(script, &[port.to_string()]).output().unwrap();
    let stdout = succeeded(&out);
    assert!(matches!(server.join().unwrap()[..], [Ok(_)]));
    let line = stdout.trim();
    assert!(line.contains("\"push-status 200\""), "{line}");
    assert!(
        line.contains("\"pushed GET /pushed.css body{color:red}\""),
        "{line}"
    );
    assert!(line.contains("\"main main page\""), "{line}");
}

#[test]
fn our_client_receives_node_push() {
    if !node_available() {
        return;
    }
    let script = r#"
const http2 = require('http2');
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  stream.pushStream({':path': '/pushed.js'}, (err, push) => {
    if (err) throw err;
    push.respond({':status': 200, 'content-type': 'application/javascript'});
    push.end('console.log("pushed")');
  });
  stream.respond({':status': 200});
  stream.end('main from node');
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
setTimeout(() => process.exit(0), 15000);
"#;
    let (mut child, port) = spawn_server(&mut node(script, &[]));
    let mut socket = connect(port);
    let mut conn = Connection::client(Config::default().with_push(true), NOW);
    let authority = format!("127.0.0.1:{port}");
    let main = conn
        .send_request(request_head("GET", &authority, "/"), true)
        .unwrap();
    let mut promise = None;
    let mut pushed_status = None;
    let mut bodies: std::collections::HashMap<StreamId, Vec<u8>> = Default::default();
    let mut ended = 0;
    for _ in 0..1000 {
        if ended == 2 || !turn(&mut conn, &mut socket) {
            break;
        }
        while let Some(event) = conn.poll_event() {
            match event {
                Event::PushPromise {
                    stream,
                    promised,
                    headers,
                } => {
                    assert_eq!(stream, main);
                    let path = headers.iter().find(|h| h.name == b":path").unwrap();
                    assert_eq!(path.value, b"/pushed.js");
                    let authority_seen = headers.iter().find(|h| h.name == b":authority");
                    assert!(authority_seen.is_some(), "{headers:?}");
                    promise = Some(promised);
                }
                Event::Headers {
                    stream,
                    kind: HeadersKind::Response(status),
                    ..
                } if Some(stream) == promise => pushed_status = Some(status),
                Event::Data {
                    stream,
                    data,
                    end_stream,
                } => {
                    bodies.entry(stream).or_default().extend_from_slice(&data);
                    ended += usize::from(end_stream);
                }
                Event::StreamReset { stream, code, .. } => panic!("{stream:?} reset: {code}"),
                _ => {}
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let promised = promise.expect("node pushed");
    assert_eq!(promised, StreamId::new(2));
    assert_eq!(pushed_status, Some(200));
    assert_eq!(bodies[&promised], b"console.log(\"pushed\")");
    assert_eq!(bodies[&main], b"main from node");
}
