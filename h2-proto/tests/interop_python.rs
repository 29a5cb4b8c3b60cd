//! Interop over loopback sockets with python-hyper's `h2` (pip `h2`, pinned in
//! `.ci/install-tools`): a python `h2` client (plain socket, prior knowledge) against our
//! server, and our client against a python `h2` server. Several streams, request bodies beyond
//! one flow-control window, trailers both ways. Without python `h2`: SKIPPED (fails under `CI`).

mod common;

use common::{
    BIG_BODY, NOW, PY_ACCEPT_ONE, PY_PUMP, Server, connect, python, python_h2, request_head,
    spawn_server, succeeded, turn,
};
use h2_proto::{Config, Connection, Event, Field, HeadersKind};
use std::collections::HashMap;

/// A sans-IO python h2 client over a plain socket: GET /a, GET /big, POST /upload (100 000
/// bytes, sent as the windows allow), POST /trailers (body + request trailers). Prints one line
/// per finished stream: `path status body-length trailers body-prefix`.
const PY_CLIENT: &str = r#"
import socket, sys
import h2.connection, h2.config, h2.events
port = int(sys.argv[1])
sock = socket.create_connection(('127.0.0.1', port))
sock.settimeout(10)
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
auth = '127.0.0.1:%d' % port
def head(method, path):
    return [(':method', method), (':scheme', 'http'), (':authority', auth), (':path', path)]
paths = {}
to_send = {}  # stream -> [remaining body, trailers or None]
for method, path, body, trailers in [
        ('GET', '/a', b'', None),
        ('GET', '/big', b'', None),
        ('POST', '/upload', b'u' * 100000, None),
        ('POST', '/trailers', b'hello trailers', [('x-request-trailer', 'yes')])]:
    sid = conn.get_next_available_stream_id()
    paths[sid] = path
    conn.send_headers(sid, head(method, path), end_stream=not body)
    if body:
        to_send[sid] = [body, trailers]
responses = {}
done = 0
while done < len(paths):
    pump()
    sock.sendall(conn.data_to_send())
    data = sock.recv(65536)
    if not data:
        print('server closed early'); sys.exit(1)
    for ev in conn.receive_data(data):
        if isinstance(ev, h2.events.ResponseReceived):
            responses[ev.stream_id] = {'status': dict(ev.headers)[b':status'].decode(), 'body': b'', 'trailers': ''}
        elif isinstance(ev, h2.events.DataReceived):
            responses[ev.stream_id]['body'] += ev.data
            conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.TrailersReceived):
            responses[ev.stream_id]['trailers'] = ','.join('%s=%s' % (k.decode(), v.decode()) for k, v in ev.headers)
        elif isinstance(ev, h2.events.StreamEnded):
            r = responses[ev.stream_id]
            print(paths[ev.stream_id], r['status'], len(r['body']), r['trailers'] or '-', r['body'][:60].decode().strip())
            done += 1
        elif isinstance(ev, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
            print('unexpected', ev); sys.exit(1)
conn.close_connection()
sock.sendall(conn.data_to_send())
sock.close()
"#;

#[test]
fn python_h2_client_against_our_server() {
    if !python_h2() {
        return;
    }
    let server = Server::start();
    let out = python(&[PY_PUMP, PY_CLIENT].concat(), &[server.port.to_string()])
        .output()
        .unwrap();
    let served = server.stop();
    let stdout = succeeded(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    let expect = [
        "/a 200 31 - GET /a got 0 bytes on stream 1",
        &format!("/big 200 {BIG_BODY} - "),
        "/upload 200 42 - POST /upload got 100000 bytes on stream 5",
        "/trailers 200 40 x-checksum=40 POST /trailers got 14 bytes on stream 7",
    ];
    for line in expect {
        assert!(
            lines.iter().any(|l| l.starts_with(line.trim_end())),
            "missing {line:?} in:\n{stdout}"
        );
    }
    assert_eq!(served.len(), 1, "one connection");
    let trailers = &served[0]
        .iter()
        .find(|s| s.path == "/trailers")
        .unwrap()
        .trailers;
    assert_eq!(
        trailers,
        &[("x-request-trailer".to_string(), "yes".to_string())]
    );
}

/// A python h2 server: accepts one connection, answers each request `200` with
/// `x-received: <request body length>` and the body `python: <method> <path> <n>` (or 150 000
/// bytes for `/big`, sent as the windows allow), plus response trailers when the request had
/// trailers. Prints its port first.
const PY_SERVER: &str = r#"
sock.settimeout(20)
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
conn.initiate_connection()
requests = {}
to_send = {}
while True:
    pump()
    sock.sendall(conn.data_to_send())
    data = sock.recv(65536)
    if not data:
        break
    for ev in conn.receive_data(data):
        if isinstance(ev, h2.events.RequestReceived):
            h = dict(ev.headers)
            requests[ev.stream_id] = {'method': h[b':method'].decode(), 'path': h[b':path'].decode(), 'n': 0, 'trailers': False}
        elif isinstance(ev, h2.events.DataReceived):
            requests[ev.stream_id]['n'] += len(ev.data)
            conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.TrailersReceived):
            requests[ev.stream_id]['trailers'] = dict(ev.headers).get(b'x-sum', b'').decode()
        elif isinstance(ev, h2.events.StreamEnded):
            r = requests[ev.stream_id]
            body = b'p' * 150000 if r['path'] == '/big' else ('python: %s %s %d' % (r['method'], r['path'], r['n'])).encode()
            conn.send_headers(ev.stream_id, [(':status', '200'), ('x-received', str(r['n']))])
            trailers = [('x-echo-sum', r['trailers'])] if r['trailers'] else None
            to_send[ev.stream_id] = [body, trailers]
        elif isinstance(ev, h2.events.ConnectionTerminated):
            sock.sendall(conn.data_to_send())
            sys.exit(0)
"#;

#[test]
fn our_client_against_python_h2_server() {
    if !python_h2() {
        return;
    }
    let (mut child, port) = spawn_server(&mut python(
        &[PY_ACCEPT_ONE, PY_PUMP, PY_SERVER].concat(),
        &[],
    ));
    let mut socket = connect(port);
    let mut conn = Connection::client(Config::default(), NOW);
    let authority = format!("127.0.0.1:{port}");
    let head = |method, path| request_head(method, &authority, path);
    let small = conn.send_request(head("GET", "/small"), true).unwrap();
    let big = conn.send_request(head("GET", "/big"), true).unwrap();
    let upload = conn.send_request(head("POST", "/up"), false).unwrap();
    let with_trailers = conn.send_request(head("POST", "/t"), false).unwrap();
    assert_eq!(conn.send_data(with_trailers, b"abc", false).unwrap(), 3);
    conn.send_headers(with_trailers, [Field::from(("x-sum", "6"))], true)
        .unwrap();
    // 90 000 bytes: more than the 65 535 initial windows, so WINDOW_UPDATE from python matters.
    let payload = vec![3u8; 90_000];
    let mut offered = 0;
    let mut bodies: HashMap<_, Vec<u8>> = HashMap::new();
    let mut received: HashMap<_, String> = HashMap::new();
    let mut trailers: HashMap<_, Vec<(Vec<u8>, Vec<u8>)>> = HashMap::new();
    let mut done = 0;
    for _ in 0..1000 {
        if offered < payload.len() {
            offered += conn.send_data(upload, &payload[offered..], true).unwrap();
        }
        if done == 4 || !turn(&mut conn, &mut socket) {
            break;
        }
        while let Some(event) = conn.poll_event() {
            let end = match event {
                Event::Headers {
                    stream,
                    kind: HeadersKind::Response(status),
                    headers,
                    end_stream,
                } => {
                    assert_eq!(status, 200);
                    let h = headers.iter().find(|h| h.name == b"x-received").unwrap();
                    received.insert(stream, String::from_utf8(h.value.clone()).unwrap());
                    end_stream
                }
                Event::Headers {
                    stream,
                    kind: HeadersKind::Trailers,
                    headers,
                    end_stream,
                } => {
                    trailers.insert(
                        stream,
                        headers.into_iter().map(|h| (h.name, h.value)).collect(),
                    );
                    end_stream
                }
                Event::Data {
                    stream,
                    data,
                    end_stream,
                } => {
                    bodies.entry(stream).or_default().extend_from_slice(&data);
                    end_stream
                }
                Event::StreamReset { stream, code, .. } => panic!("{stream} reset: {code:?}"),
                _ => continue,
            };
            done += usize::from(end);
        }
    }
    conn.shutdown().unwrap();
    let _ = turn(&mut conn, &mut socket);
    drop(socket);
    let status = child.wait().unwrap();
    let lengths: Vec<_> = bodies.iter().map(|(s, b)| (*s, b.len())).collect();
    assert_eq!(
        done, 4,
        "finished streams; body lengths so far {lengths:?}, sent {offered}"
    );
    assert!(status.success(), "python server failed");
    assert_eq!(bodies[&small], b"python: GET /small 0");
    assert_eq!(bodies[&big].len(), 150_000);
    assert_eq!(bodies[&upload], b"python: POST /up 90000");
    assert_eq!(received[&upload], "90000");
    assert_eq!(bodies[&with_trailers], b"python: POST /t 3");
    assert_eq!(
        trailers[&with_trailers],
        vec![(b"x-echo-sum".to_vec(), b"6".to_vec())]
    );
}
