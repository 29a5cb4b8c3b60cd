//! Interop over loopback sockets with node's built-in `http2` module (a real peer, built on
//! nghttp2): node's client against our server, our client against node's server.
//! Without `node` the tests print SKIPPED (and fail under `CI`).

mod common;

use common::{
    NOW, connect, node, node_available, request_head, serve_one_connection, spawn_server,
    succeeded, turn,
};
use h2_proto::{Config, Connection, Event, Field, HeadersKind};

#[test]
fn node_client_against_our_server() {
    if !node_available() {
        return;
    }
    let (port, server) = serve_one_connection(|mut socket| {
        let mut conn = Connection::server(Config::default(), NOW);
        let mut bodies: std::collections::HashMap<_, usize> = Default::default();
        let mut served = 0;
        while turn(&mut conn, &mut socket) {
            while let Some(event) = conn.poll_event() {
                let (stream, end) = match event {
                    Event::Headers {
                        stream,
                        kind: HeadersKind::Request,
                        end_stream,
                        ..
                    } => {
                        bodies.insert(stream, 0);
                        (stream, end_stream)
                    }
                    Event::Data {
                        stream,
                        data,
                        end_stream,
                    } => {
                        *bodies.entry(stream).or_default() += data.len();
                        (stream, end_stream)
                    }
                    _ => continue,
                };
                if end {
                    let body = format!("got {} bytes on stream {stream}", bodies[&stream]);
                    conn.send_headers(stream, [Field::from((":status", "200"))], false)
                        .unwrap();
                    assert_eq!(
                        conn.send_data(stream, body.as_bytes(), true).unwrap(),
                        body.len()
                    );
                    served += 1;
                }
            }
        }
        served
    });
    let script = r#"
const http2 = require('http2');
const client = http2.connect('http://127.0.0.1:' + process.argv[1]);
client.on('error', (e) => { console.log('error', e.message); process.exit(1); });
let done = 0;
const paths = ['/a', '/b', '/c', '/upload'];
for (const p of paths) {
  const upload = p === '/upload';
  const req = client.request({ ':path': p, ':method': upload ? 'POST' : 'GET' });
  let body = '';
  req.on('response', (h) => { if (h[':status'] !== 200) { console.log('status', h[':status']); process.exit(1); } });
  req.on('data', (d) => body += d);
  req.on('end', () => { console.log(p + ' ' + body); if (++done === paths.length) client.close(); });
  if (upload) req.write(Buffer.alloc(300000, 7));
  req.end();
}
"#;
    let out = node(script, &[port.to_string()]).output().unwrap();
    let stdout = succeeded(&out);
    assert_eq!(server.join().unwrap(), 4);
    assert!(stdout.contains("/a got 0 bytes on stream 1"), "{stdout}");
    assert!(
        stdout.contains("/upload got 300000 bytes on stream 7"),
        "{stdout}"
    );
}

#[test]
fn our_client_against_node_server() {
    if !node_available() {
        return;
    }
    let script = r#"
const http2 = require('http2');
const server = http2.createServer((req, res) => {
  let n = 0;
  req.on('data', (d) => n += d.length);
  req.on('end', () => {
    res.setHeader('x-received', String(n));
    res.end(req.url === '/big' ? Buffer.alloc(200000, 1) : 'node says hi');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
setTimeout(() => process.exit(0), 20000);
"#;
    let (mut child, port) = spawn_server(&mut node(script, &[]));
    let mut socket = connect(port);
    let mut conn = Connection::client(Config::default(), NOW);
    let authority = format!("127.0.0.1:{port}");
    let head = |method, path| request_head(method, &authority, path);
    let small = conn.send_request(head("GET", "/"), true).unwrap();
    let big = conn.send_request(head("GET", "/big"), true).unwrap();
    let upload = conn.send_request(head("POST", "/up"), false).unwrap();
    let payload = vec![3u8; 50_000];
    assert_eq!(conn.send_data(upload, &payload, true).unwrap(), 50_000);
    let mut bodies: std::collections::HashMap<_, Vec<u8>> = Default::default();
    let mut received_header = String::new();
    let mut done = 0;
    for _ in 0..1000 {
        if done == 3 || !turn(&mut conn, &mut socket) {
            break;
        }
        while let Some(event) = conn.poll_event() {
            match event {
                Event::Headers {
                    stream,
                    kind: HeadersKind::Response(status),
                    headers,
                    ..
                } => {
                    assert_eq!(status, 200);
                    if stream == upload {
                        let h = headers.iter().find(|h| h.name == b"x-received").unwrap();
                        received_header = String::from_utf8(h.value.clone()).unwrap();
                    }
                }
                Event::Data {
                    stream,
                    data,
                    end_stream,
                } => {
                    bodies.entry(stream).or_default().extend_from_slice(&data);
                    done += usize::from(end_stream);
                }
                _ => {}
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(done, 3);
    assert_eq!(bodies[&small], b"node says hi");
    assert_eq!(bodies[&big].len(), 200_000);
    assert_eq!(received_header, "50000");
}
