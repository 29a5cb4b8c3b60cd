//! Shared pieces of the loopback-socket interop tests: the peer check (SKIPPED locally,
//! failure under `CI`), the IO turn, and a small h2c (prior knowledge) server running our
//! [`Connection`] on a `std::net` listener inside the test process.
#![allow(dead_code)] // each test file uses a different subset

pub mod duplex;
pub mod script;

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration as StdDuration;

use h2_proto::{Config, Connection, Event, Field, Header, HeadersKind, StreamId};
use wire_codec::Instant;

pub const NOW: Instant = Instant::ZERO;

/// True when `program args…` runs successfully. Otherwise prints `SKIPPED: …` and returns
/// false, or fails when the `CI` environment variable is set (CI must have every peer).
pub fn peer_available(program: &str, args: &[&str], what: &str) -> bool {
    if Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    let message = format!(
        "SKIPPED: {what} not available (`{program} {}` failed)",
        args.join(" ")
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{message}; CI must have it (.ci/install-tools)"
    );
    eprintln!("\n*** {message} ***\n");
    false
}

/// python-hyper's `h2` for python3 (pip `h2`, pinned in `.ci/install-tools`).
pub fn python_h2() -> bool {
    peer_available(
        "python3",
        &["-c", "import h2"],
        "python h2 (pip install h2)",
    )
}

/// node, for its built-in `http2` module (nghttp2 inside).
pub fn node_available() -> bool {
    peer_available("node", &["--version"], "node (http2 module)")
}

/// `node -e script args…` with stdout piped (stderr too for `output()`).
pub fn node(script: &str, args: &[String]) -> Command {
    let mut command = Command::new("node");
    command
        .arg("-e")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped());
    command
}

/// `python3 -c script args…` with stdout piped (stderr too for `output()`).
pub fn python(script: &str, args: &[String]) -> Command {
    let mut command = Command::new("python3");
    command
        .arg("-c")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped());
    command
}

/// The start of a python h2 peer server: imports python `h2` and `sys` (slow: before the port
/// is printed, so the peer is ready when a client connects), listens on a free loopback port,
/// prints it (the line [`spawn_server`] reads) and accepts one connection as `sock`.
pub const PY_ACCEPT_ONE: &str = "
import socket, sys
import h2.connection, h2.config, h2.events
lsock = socket.socket()
lsock.bind(('127.0.0.1', 0))
lsock.listen(1)
print(lsock.getsockname()[1], flush=True)
lsock.settimeout(20)
sock, _ = lsock.accept()
";

/// Sends the bodies (and trailers) in `to_send` ({stream: [body, trailers]}) within the flow
/// control windows of python h2's `conn` (a trailers list or `None`).
pub const PY_PUMP: &str = r#"
def pump():
    for sid in list(to_send):
        body, trailers = to_send[sid]
        while body:
            n = min(len(body), conn.local_flow_control_window(sid), conn.max_outbound_frame_size)
            if n <= 0:
                break
            conn.send_data(sid, body[:n])
            body = body[n:]
        to_send[sid][0] = body
        if not body:
            if trailers:
                conn.send_headers(sid, trailers, end_stream=True)
            else:
                conn.end_stream(sid)
            del to_send[sid]
"#;

/// Starts a peer server that prints its port as the first line of its (piped) stdout; returns
/// the child, whose stdout still holds what follows, and the port.
pub fn spawn_server(command: &mut Command) -> (Child, u16) {
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.as_mut().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let port = String::from_utf8(line).unwrap().trim().parse().unwrap();
    (child, port)
}

/// A peer program's stdout, after checking that it succeeded (else fails with its stdout and
/// stderr).
pub fn succeeded(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Listens on 127.0.0.1 (a free port) and runs `serve` on a thread with the first accepted
/// connection, set up for [`turn`]; returns the port and the thread.
pub fn serve_one_connection<T: Send + 'static>(
    serve: impl FnOnce(TcpStream) -> T + Send + 'static,
) -> (u16, JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || serve(for_turns(listener.accept().unwrap().0)));
    (port, thread)
}

/// `socket` with the short read timeout [`turn`] relies on.
pub fn for_turns(socket: TcpStream) -> TcpStream {
    socket
        .set_read_timeout(Some(StdDuration::from_millis(20)))
        .unwrap();
    socket
}

/// A connection to a peer listening on 127.0.0.1:`port`, ready for [`turn`].
pub fn connect(port: u16) -> TcpStream {
    for_turns(TcpStream::connect(("127.0.0.1", port)).unwrap())
}

/// The pseudo-headers of a `method` request for http://`authority``path`.
pub fn request_head<'a>(method: &'a str, authority: &'a str, path: &'a str) -> [Field<'a>; 4] {
    [
        Field::new(b":method", method.as_bytes()),
        Field::new(b":scheme", b"http"),
        Field::new(b":authority", authority.as_bytes()),
        Field::new(b":path", path.as_bytes()),
    ]
}

/// The fields as (name, value) byte pairs, as ws-proto's handshake checks take them.
pub fn pairs(headers: &[Header]) -> Vec<(&[u8], &[u8])> {
    headers
        .iter()
        .map(|h| (&h.name[..], &h.value[..]))
        .collect()
}

/// An extended CONNECT (RFC 8441 §4, §5) for a WebSocket at http://`authority`/chat, plus
/// the fields of the WebSocket handshake (`ClientHandshake::request_fields`).
pub fn websocket_connect<'a>(
    authority: &'a str,
    handshake: &'a [(String, String)],
) -> Vec<Field<'a>> {
    let mut request = vec![
        Field::new(b":method", b"CONNECT"),
        Field::new(b":protocol", b"websocket"),
        Field::new(b":scheme", b"http"),
        Field::new(b":authority", authority.as_bytes()),
        Field::new(b":path", b"/chat"),
    ];
    request.extend(
        handshake
            .iter()
            .map(|(n, v)| Field::from((n.as_str(), v.as_str()))),
    );
    request
}

/// One IO turn: flush everything queued, then read what is there (20 ms read timeout on the
/// socket). False once the peer closed the socket. A connection error is a test failure.
pub fn turn(conn: &mut Connection, socket: &mut TcpStream) -> bool {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = conn.poll_transmit(NOW, &mut buf);
        if n == 0 {
            break;
        }
        if socket.write_all(&buf[..n]).is_err() {
            return false;
        }
    }
    match socket.read(&mut buf) {
        Ok(0) => false,
        Ok(n) => {
            if let Err(e) = conn.handle_input(&buf[..n], NOW) {
                panic!("connection error from peer input: {e}");
            }
            true
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => true,
        Err(_) => false,
    }
}

/// One request as our server saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Served {
    pub stream: StreamId,
    pub method: String,
    pub path: String,
    pub body_len: usize,
    /// Trailer fields (name, value), if the request had trailers.
    pub trailers: Vec<(String, String)>,
}

impl Served {
    /// The response body our server sends for this request.
    pub fn response_body(&self) -> Vec<u8> {
        if self.path == "/big" {
            return vec![b'x'; BIG_BODY];
        }
        format!(
            "{} {} got {} bytes on stream {}\n",
            self.method, self.path, self.body_len, self.stream
        )
        .into_bytes()
    }
}

/// Length of the `/big` response body (more than one 64 KiB window).
pub const BIG_BODY: usize = 200_000;

/// Our h2c server on 127.0.0.1, one thread per accepted connection, until [`Server::stop`].
/// Every request gets `200`, `content-type: text/plain`, the body of
/// [`Served::response_body`]; a request to `/trailers` also gets response trailers
/// `x-checksum: <body length>`.
pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<Vec<JoinHandle<Vec<Served>>>>>,
}

impl Server {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let acceptor = std::thread::spawn(move || {
            let mut connections = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((socket, _)) => {
                        socket.set_nonblocking(false).unwrap();
                        let flag = flag.clone();
                        connections.push(std::thread::spawn(move || serve(socket, &flag)));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(StdDuration::from_millis(5))
                    }
                    Err(e) => panic!("accept: {e}"),
                }
            }
            connections
        });
        Self {
            port,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// Stops accepting, waits for every connection to end, returns what each served (one
    /// list per connection, in accept order).
    pub fn stop(mut self) -> Vec<Vec<Served>> {
        self.stop.store(true, Ordering::Relaxed);
        let connections = self.acceptor.take().unwrap().join().unwrap();
        connections
            .into_iter()
            .map(|c| c.join().expect("server connection thread panicked"))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A response body still being sent (flow control): bytes, how far, trailers to end with.
struct Pending {
    body: Vec<u8>,
    sent: usize,
    trailers: bool,
}

fn serve(socket: TcpStream, stop: &AtomicBool) -> Vec<Served> {
    serve_connection(
        Connection::server(Config::default(), NOW),
        socket,
        stop,
        None,
    )
}

/// Sends the response head for `request` and queues its body (and trailers).
fn respond(conn: &mut Connection, pending: &mut HashMap<StreamId, Pending>, request: &Served) {
    conn.send_headers(
        request.stream,
        [
            Field::from((":status", "200")),
            Field::from(("content-type", "text/plain")),
        ],
        false,
    )
    .unwrap();
    pending.insert(
        request.stream,
        Pending {
            body: request.response_body(),
            sent: 0,
            trailers: request.path == "/trailers",
        },
    );
}

/// Runs our server `conn` on `socket` until the peer closes (or [`Server::stop`] and idle).
/// `upgraded` is the request that arrived over HTTP/1.1 before an h2c Upgrade (stream 1): it
/// is answered first.
pub fn serve_connection(
    mut conn: Connection,
    socket: TcpStream,
    stop: &AtomicBool,
    upgraded: Option<Served>,
) -> Vec<Served> {
    let mut socket = for_turns(socket);
    let mut open: HashMap<StreamId, Served> = HashMap::new();
    let mut pending: HashMap<StreamId, Pending> = HashMap::new();
    let mut served = Vec::new();
    if let Some(request) = upgraded {
        respond(&mut conn, &mut pending, &request);
        served.push(request);
    }
    // The peer closes when done; `stop` ends a connection the peer keeps open (idle).
    let mut idle_turns_after_stop = 0;
    while turn(&mut conn, &mut socket) {
        if stop.load(Ordering::Relaxed) {
            idle_turns_after_stop += 1;
            if idle_turns_after_stop > 100 {
                break;
            }
        }
        while let Some(event) = conn.poll_event() {
            let (stream, end) = match event {
                Event::Headers {
                    stream,
                    kind: HeadersKind::Request,
                    headers,
                    end_stream,
                } => {
                    let get = |name: &[u8]| {
                        headers
                            .iter()
                            .find(|h| h.name == name)
                            .map(|h| String::from_utf8_lossy(&h.value).into_owned())
                            .unwrap_or_default()
                    };
                    open.insert(
                        stream,
                        Served {
                            stream,
                            method: get(b":method"),
                            path: get(b":path"),
                            ..Served::default()
                        },
                    );
                    (stream, end_stream)
                }
                Event::Headers {
                    stream,
                    kind: HeadersKind::Trailers,
                    headers,
                    end_stream,
                } => {
                    if let Some(request) = open.get_mut(&stream) {
                        request.trailers = headers
                            .iter()
                            .map(|h| {
                                (
                                    String::from_utf8_lossy(&h.name).into_owned(),
                                    String::from_utf8_lossy(&h.value).into_owned(),
                                )
                            })
                            .collect();
                    }
                    (stream, end_stream)
                }
                Event::Data {
                    stream,
                    data,
                    end_stream,
                } => {
                    if let Some(request) = open.get_mut(&stream) {
                        request.body_len += data.len();
                    }
                    (stream, end_stream)
                }
                _ => continue,
            };
            if !end {
                continue;
            }
            let Some(request) = open.remove(&stream) else {
                continue;
            };
            respond(&mut conn, &mut pending, &request);
            served.push(request);
        }
        // Send what the windows allow; finish streams whose body is out.
        pending.retain(|&stream, p| {
            let rest = &p.body[p.sent..];
            // An error means the peer reset the stream: nothing more to send.
            let Ok(accepted) = conn.send_data(stream, rest, !p.trailers) else {
                return false;
            };
            p.sent += accepted;
            if p.sent < p.body.len() {
                return true;
            }
            if p.trailers {
                let length = p.body.len().to_string();
                conn.send_headers(stream, [Field::new(b"x-checksum", length.as_bytes())], true)
                    .unwrap();
            }
            false
        });
    }
    served
}
