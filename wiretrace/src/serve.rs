//! `wiretrace serve`: the articles' routes on a TCP port, one thread per connection.
//!
//! Each accepted connection gets a handler chosen from its first bytes (peeked, not consumed):
//! today every connection is HTTP/1.x; HTTP/2 prior knowledge and others are added to
//! [`choose_handler`].

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use h1_proto::{Body, Event, Field, Response, ServerConnection};

use crate::Failure;
use crate::routes::{self, Reply};

/// What every connection shares: id counters and the log.
#[derive(Debug, Default)]
pub struct Shared {
    next_connection: AtomicU64,
    next_request: AtomicU64,
    log: Mutex<()>,
    silent: bool,
}

impl Shared {
    /// A new request id (unique across connections).
    pub fn request_id(&self) -> u64 {
        self.next_request.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// State for a server that logs nothing (the demo shows the client's view instead).
    pub fn silent() -> Self {
        Self {
            silent: true,
            ..Self::default()
        }
    }

    /// Writes one log line to stdout.
    pub fn log(&self, line: &str) {
        if self.silent {
            return;
        }
        let _guard = self.log.lock();
        let mut stdout = io::stdout().lock();
        let _ = writeln!(stdout, "{line}");
        let _ = stdout.flush();
    }
}

/// One accepted connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Its id, counted from 1, as the logs and `/api/test` show it.
    pub id: u64,
    /// The client's address.
    pub peer: SocketAddr,
    /// The shared state.
    pub shared: Arc<Shared>,
}

/// Serves one connection to its end.
pub type Handler = fn(TcpStream, &Connection) -> io::Result<()>;

/// Picks the protocol handler for a connection from its first bytes: HTTP/2 when they start
/// the h2c prior-knowledge preface (RFC 9113 §3.4), HTTP/1.x otherwise.
pub fn choose_handler(first_bytes: &[u8]) -> (&'static str, Handler) {
    if first_bytes.starts_with(crate::serve_h2::PREFACE_START) {
        ("h2c", crate::serve_h2::serve_h2)
    } else {
        ("http/1.1", serve_h1)
    }
}

/// Listens on `listen` and serves until killed.
/// With `quiet`, only the listening address is printed.
pub fn run(listen: SocketAddr, quiet: bool) -> Result<(), Failure> {
    let listener = TcpListener::bind(listen)?;
    let address = listener.local_addr()?;
    println!("listening on http://{address}/");
    let shared = Arc::new(if quiet {
        Shared::silent()
    } else {
        Shared::default()
    });
    accept_loop(&listener, &shared);
    Ok(())
}

/// Accepts connections on `listener` forever, each served on its own thread by the handler
/// [`choose_handler`] picks.
pub fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let Ok(peer) = stream.peer_addr() else {
            continue;
        };
        let connection = Connection {
            id: shared.next_connection.fetch_add(1, Ordering::Relaxed) + 1,
            peer,
            shared: Arc::clone(shared),
        };
        std::thread::spawn(move || {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
            let mut first = [0u8; 24];
            let n = stream.peek(&mut first).unwrap_or(0);
            let (name, handler) = choose_handler(&first[..n]);
            if let Err(e) = handler(stream, &connection) {
                connection.shared.log(&format!(
                    "conn={} {name} from {} ended: {e}",
                    connection.id, connection.peer
                ));
            }
        });
    }
}

/// The request being received.
struct Incoming {
    id: u64,
    method: String,
    target: String,
    version: &'static str,
    body: Vec<u8>,
}

/// Largest request body kept (the rest is counted, not stored).
const MAX_BODY: usize = 1 << 20;

fn flush(conn: &mut ServerConnection, stream: &mut TcpStream) -> io::Result<()> {
    let pending = conn.pending_transmit();
    if !pending.is_empty() {
        stream.write_all(pending)?;
        let n = pending.len();
        conn.consume_transmit(n);
    }
    Ok(())
}

/// The decoded `HTTP2-Settings` of a request asking for `Upgrade: h2c` (RFC 7540 §3.2): exactly
/// one such field, base64url without padding (§3.2.1), and `HTTP2-Settings` named in
/// `Connection`. Anything else is not an h2c upgrade and is answered over HTTP/1.1.
fn h2c_upgrade_settings(head: &h1_proto::RequestHead<'_>) -> Option<Vec<u8>> {
    use base64::Engine;
    if !head.fields.has_token("upgrade", "h2c")
        || !head.fields.has_token("connection", "http2-settings")
    {
        return None;
    }
    let mut values = head.fields.get_all("http2-settings");
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value.trim_ascii())
        .ok()
}

/// HTTP/1.x on one connection, with pipelining and keep-alive.
pub fn serve_h1(mut stream: TcpStream, connection: &Connection) -> io::Result<()> {
    let mut conn = ServerConnection::default();
    let mut buf = vec![0u8; 16 * 1024];
    let mut current: Option<Incoming> = None;
    let mut body_len = 0usize;
    // The verdict on a WebSocket Upgrade request, answered at its end of message.
    let mut websocket: Option<Result<ws_proto::Accepted, ws_proto::HandshakeError>> = None;
    // An `Upgrade: h2c` request's decoded HTTP2-Settings (RFC 7540 §3.2.1).
    let mut h2c_settings: Option<Vec<u8>> = None;
    // The HTTP/2 connection the 101 switched to.
    let mut h2c: Option<h2_proto::Connection> = None;
    loop {
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Request(head))) => {
                    current = Some(Incoming {
                        id: connection.shared.request_id(),
                        method: head.method.to_string(),
                        target: head.target.to_string(),
                        version: head.version.as_str(),
                        body: Vec::new(),
                    });
                    body_len = 0;
                    websocket = head.fields.has_token("upgrade", "websocket").then(|| {
                        ws_proto::ServerHandshake::new()
                            .deflate(crate::ws::deflate_config())
                            .accept_h1(&head)
                    });
                    h2c_settings = h2c_upgrade_settings(&head);
                    if conn.expects_continue() {
                        let _ = conn.send_informational(100, &[]);
                    }
                }
                Ok(Some(Event::Data(data))) => {
                    body_len += data.len();
                    if let Some(request) = current.as_mut() {
                        let room = MAX_BODY.saturating_sub(request.body.len());
                        request
                            .body
                            .extend_from_slice(&data[..data.len().min(room)]);
                    }
                }
                Ok(Some(Event::EndOfMessage)) if websocket.is_some() => {
                    let (status, fields) = match &websocket {
                        Some(Ok(accepted)) => (accepted.status, accepted.fields.clone()),
                        Some(Err(e)) => e.server_response(),
                        None => (400, Vec::new()),
                    };
                    let fields = ws_proto::h1::h1_fields(&fields);
                    let _ = conn.send_response(&Response::new(status, &fields), Body::Empty);
                    let _ = conn.finish();
                    if let Some(request) = current.take() {
                        connection.shared.log(&format!(
                            "conn={} req={} {} {} {} websocket upgrade -> {status}",
                            connection.id,
                            request.id,
                            request.method,
                            request.target,
                            request.version,
                        ));
                    }
                    if status != 101 {
                        websocket = None;
                    }
                }
                Ok(Some(Event::EndOfMessage)) if h2c_settings.is_some() => {
                    let settings = h2c_settings.take().unwrap_or_default();
                    match h2_proto::Connection::server_upgrade(
                        crate::serve_h2::config(),
                        crate::clock::now(),
                        &settings,
                    ) {
                        Ok(upgraded) => {
                            let fields = [
                                Field::new("Connection", b"Upgrade"),
                                Field::new("Upgrade", b"h2c"),
                            ];
                            let _ = conn.send_response(&Response::new(101, &fields), Body::Empty);
                            let _ = conn.finish();
                            h2c = Some(upgraded);
                        }
                        // Settings a SETTINGS frame could not carry: answer over HTTP/1.1.
                        Err(_) => {
                            if let Some(request) = current.take() {
                                respond(&mut conn, &mut stream, &request, connection)?;
                            }
                        }
                    }
                }
                Ok(Some(Event::EndOfMessage)) => {
                    if let Some(request) = current.take() {
                        let status = respond(&mut conn, &mut stream, &request, connection)?;
                        connection.shared.log(&format!(
                            "conn={} req={} {} {} {} body={} -> {status}",
                            connection.id,
                            request.id,
                            request.method,
                            request.target,
                            request.version,
                            body_len
                        ));
                    }
                }
                Ok(Some(Event::Switched(rest))) => {
                    let rest = rest.to_vec();
                    flush(&mut conn, &mut stream)?;
                    if let (Some(h2), Some(request)) = (h2c.take(), current.take()) {
                        let request = crate::serve_h2::Incoming {
                            id: request.id,
                            method: request.method,
                            path: request.target,
                            body_len: request.body.len(),
                        };
                        return crate::serve_h2::serve_upgraded(
                            stream, connection, h2, &rest, request,
                        );
                    }
                    return match websocket {
                        Some(Ok(accepted)) => {
                            crate::ws::echo(&mut stream, &accepted, rest, connection)
                        }
                        _ => Ok(()),
                    };
                }
                Ok(Some(Event::Closed)) | Ok(None) => break,
                Ok(Some(_)) => {}
                Err(e) => {
                    let status = e.status();
                    let message = format!("{e}\n");
                    let fields = [Field::new("Content-Type", b"text/plain")];
                    if conn
                        .send_response(
                            &Response::new(status, &fields),
                            Body::Length(message.len() as u64),
                        )
                        .is_ok()
                    {
                        let _ = conn.send_data(message.as_bytes());
                        let _ = conn.finish();
                    }
                    flush(&mut conn, &mut stream)?;
                    connection
                        .shared
                        .log(&format!("conn={} rejected: {e} -> {status}", connection.id));
                    return Ok(());
                }
            }
        }
        flush(&mut conn, &mut stream)?;
        if conn.should_close() {
            let _ = stream.shutdown(std::net::Shutdown::Write);
            return Ok(());
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            conn.handle_eof();
            continue;
        }
        let mut offered = &buf[..n];
        while !offered.is_empty() {
            let taken = conn.handle_input(offered);
            offered = &offered[taken..];
            if taken == 0 {
                // The buffer is full of pipelined requests: answer some first.
                break;
            }
        }
        if !offered.is_empty() {
            return Err(io::Error::other("input buffer full"));
        }
    }
}

/// Answers one request; returns the status sent.
fn respond(
    conn: &mut ServerConnection,
    stream: &mut TcpStream,
    request: &Incoming,
    connection: &Connection,
) -> io::Result<u16> {
    let method = request.method.as_str();
    let (status, content_type, body) = match routes::route(
        method,
        &request.target,
        request.body.len(),
        request.id,
        connection.id,
    ) {
        Reply::Events => return events(conn, stream).map(|()| 200),
        Reply::Static {
            status,
            content_type,
            body,
        } => (status, content_type, body),
    };
    let fields = [
        Field::new("Content-Type", content_type.as_bytes()),
        Field::new("Server", b"wiretrace"),
    ];
    conn.send_response(
        &Response::new(status, &fields),
        Body::Length(body.len() as u64),
    )
    .map_err(io::Error::other)?;
    if method != "HEAD" {
        conn.send_data(&body).map_err(io::Error::other)?;
    }
    conn.finish().map_err(io::Error::other)?;
    flush(conn, stream)?;
    Ok(status)
}

fn events(conn: &mut ServerConnection, stream: &mut TcpStream) -> io::Result<()> {
    let fields = [
        Field::new("Content-Type", routes::EVENT_STREAM.as_bytes()),
        Field::new("Cache-Control", b"no-cache"),
    ];
    conn.send_response(&Response::new(200, &fields), Body::Streaming)
        .map_err(io::Error::other)?;
    for event in routes::events() {
        // A HEAD answer has no body; `send_data` refuses it and nothing is lost.
        let _ = conn.send_data(&event);
        flush(conn, stream)?;
        std::thread::sleep(routes::EVENT_INTERVAL);
    }
    conn.finish().map_err(io::Error::other)?;
    flush(conn, stream)
}
