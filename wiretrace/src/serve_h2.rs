//! HTTP/2 over cleartext TCP behind `wiretrace serve`, with prior knowledge (RFC 9113 §3.3) or
//! after an HTTP/1.1 `Upgrade: h2c` (RFC 7540 §3.2): the same routes as HTTP/1.1, on h2-proto.
//! The server-sent event stream is written whole, as soon as it is asked for (the HTTP/1.1 side
//! paces it instead). A WebSocket extended CONNECT (RFC 8441) on any path gets the echo.

use std::collections::HashMap;
use std::io;
use std::net::TcpStream;

use h2_proto::{Config, Connection as H2, Event, Field, H2Error, HeadersKind, StreamId};
use ws_proto::{ServerHandshake, Transport};

use crate::clock;
use crate::h2_link::{Link, Received};
use crate::routes::{self, Reply};
use crate::serve::Connection;
use crate::ws::{Echo, deflate_config};

/// The client connection preface (RFC 9113 §3.4), enough of it to recognise h2c.
pub const PREFACE_START: &[u8] = b"PRI * HTTP/2.0\r\n";

/// A request whose body is still arriving.
pub struct Incoming {
    /// The request id in the logs and `/api/test`.
    pub id: u64,
    /// `:method`.
    pub method: String,
    /// `:path`.
    pub path: String,
    /// Body bytes received so far.
    pub body_len: usize,
}

/// The server's HTTP/2 settings: defaults, plus extended CONNECT for WebSocket (RFC 8441 §3).
pub fn config() -> Config {
    Config::default().with_connect_protocol(true)
}

/// Bytes waiting for the send windows, and whether the stream ends after them.
#[derive(Default)]
struct Outgoing {
    bytes: Vec<u8>,
    end_stream: bool,
}

/// Serves one h2c prior-knowledge connection to its end.
pub fn serve_h2(stream: TcpStream, connection: &Connection) -> io::Result<()> {
    let h2 = H2::server(config(), clock::now());
    run(stream, connection, h2, &[], None)
}

/// Serves a connection upgraded from HTTP/1.1: `h2` was made by `Connection::server_upgrade`,
/// `rest` holds the bytes after the upgrade request (the client preface starts there), and
/// `request` is the upgrade request itself, answered on stream 1.
pub fn serve_upgraded(
    stream: TcpStream,
    connection: &Connection,
    h2: H2,
    rest: &[u8],
    request: Incoming,
) -> io::Result<()> {
    run(stream, connection, h2, rest, Some(request))
}

fn run(
    stream: TcpStream,
    connection: &Connection,
    mut h2: H2,
    rest: &[u8],
    upgrade_request: Option<Incoming>,
) -> io::Result<()> {
    let mut incoming: HashMap<StreamId, Incoming> = HashMap::new();
    // Response bodies and echoes not yet accepted by the send windows.
    let mut unsent: HashMap<StreamId, Outgoing> = HashMap::new();
    // WebSocket echoes on extended CONNECT streams.
    let mut tunnels: HashMap<StreamId, Echo> = HashMap::new();
    if let Some(request) = upgrade_request {
        respond(&mut h2, StreamId::new(1), &request, connection, &mut unsent);
    }
    let log_error = |e: H2Error| {
        connection
            .shared
            .log(&format!("conn={} h2 error: {e}", connection.id))
    };
    let mut link = Link::new(h2, stream, false)?;
    if !rest.is_empty()
        && let Err(e) = link.feed(rest)
    {
        log_error(e);
    }
    loop {
        let now = link.tick();
        let h2 = &mut link.h2;
        while let Some(event) = h2.poll_event() {
            match event {
                Event::Headers {
                    stream: id,
                    kind: HeadersKind::Request,
                    headers,
                    end_stream,
                } => {
                    let pseudo = |name: &[u8]| {
                        headers
                            .iter()
                            .find(|h| h.name == name)
                            .map(|h| String::from_utf8_lossy(&h.value).into_owned())
                            .unwrap_or_default()
                    };
                    let request = Incoming {
                        id: connection.shared.request_id(),
                        method: pseudo(b":method"),
                        path: pseudo(b":path"),
                        body_len: 0,
                    };
                    if request.method == "CONNECT" {
                        let fields: Vec<(&[u8], &[u8])> = headers
                            .iter()
                            .map(|h| (h.name.as_slice(), h.value.as_slice()))
                            .collect();
                        open_tunnel(h2, id, &request, &fields, connection, &mut tunnels);
                    } else if end_stream {
                        respond(h2, id, &request, connection, &mut unsent);
                    } else {
                        incoming.insert(id, request);
                    }
                }
                Event::Data {
                    stream: id,
                    data,
                    end_stream,
                } => {
                    if let Some(echo) = tunnels.get_mut(&id) {
                        let outgoing = unsent.entry(id).or_default();
                        let result = echo.feed(&data, &mut outgoing.bytes, connection);
                        if result.is_err() || echo.is_closed() || end_stream {
                            tunnels.remove(&id);
                            outgoing.end_stream = true;
                        }
                        offer(h2, id, &mut unsent);
                        continue;
                    }
                    if let Some(request) = incoming.get_mut(&id) {
                        request.body_len += data.len();
                    }
                    if end_stream && let Some(request) = incoming.remove(&id) {
                        respond(h2, id, &request, connection, &mut unsent);
                    }
                }
                Event::Headers {
                    stream: id,
                    end_stream: true,
                    ..
                } => {
                    // Request trailers end the request.
                    if let Some(request) = incoming.remove(&id) {
                        respond(h2, id, &request, connection, &mut unsent);
                    }
                }
                Event::SendCapacity { stream: id } => offer(h2, id, &mut unsent),
                Event::StreamReset { stream: id, .. } => {
                    incoming.remove(&id);
                    unsent.remove(&id);
                    tunnels.remove(&id);
                }
                Event::ConnectionError(e) => connection
                    .shared
                    .log(&format!("conn={} h2 connection error: {e}", connection.id)),
                _ => {}
            }
        }
        link.flush(now)?;
        if link.h2.is_finished() {
            return Ok(());
        }
        match link.receive()? {
            Received::Closed => return Ok(()),
            Received::Quiet | Received::Fed(Ok(())) => {}
            // The GOAWAY is queued: the next turn sends it, then `is_finished`.
            Received::Fed(Err(e)) => log_error(e),
        }
    }
}

/// Answers a complete request through the shared routes.
fn respond(
    h2: &mut H2,
    id: StreamId,
    request: &Incoming,
    connection: &Connection,
    unsent: &mut HashMap<StreamId, Outgoing>,
) {
    let (status, content_type, body) = match routes::route(
        &request.method,
        &request.path,
        request.body_len,
        request.id,
        connection.id,
    ) {
        // Events are written at once here, in order.
        Reply::Events => (200, routes::EVENT_STREAM, routes::events().concat()),
        Reply::Static {
            status,
            content_type,
            body,
        } => (status, content_type, body),
    };
    connection.shared.log(&format!(
        "conn={} req={} {} {} HTTP/2 stream={} body={} -> {status}",
        connection.id, request.id, request.method, request.path, id, request.body_len
    ));
    let status_text = status.to_string();
    let length = body.len().to_string();
    let head_only = request.method == "HEAD" || body.is_empty();
    let fields = [
        Field::new(b":status", status_text.as_bytes()),
        Field::new(b"content-type", content_type.as_bytes()),
        Field::new(b"content-length", length.as_bytes()),
        Field::new(b"server", b"wiretrace"),
    ];
    if h2.send_headers(id, fields, head_only).is_err() || head_only {
        return;
    }
    unsent.insert(
        id,
        Outgoing {
            bytes: body,
            end_stream: true,
        },
    );
    offer(h2, id, unsent);
}

/// Answers a WebSocket extended CONNECT (RFC 8441 §4–§5): 200 and the echo, or 400.
fn open_tunnel(
    h2: &mut H2,
    id: StreamId,
    request: &Incoming,
    fields: &[(&[u8], &[u8])],
    connection: &Connection,
    tunnels: &mut HashMap<StreamId, Echo>,
) {
    let accepted = ServerHandshake::new()
        .transport(Transport::ExtendedConnect)
        .deflate(deflate_config())
        .accept("CONNECT", fields);
    let echo = accepted
        .as_ref()
        .map_err(ToString::to_string)
        .and_then(|a| {
            Echo::new(a)
                .map_err(|e| e.to_string())
                .map(|echo| (a, echo))
        });
    match echo {
        Ok((accepted, echo)) => {
            connection.shared.log(&format!(
                "conn={} req={} CONNECT {} HTTP/2 stream={} -> 200, WebSocket{}",
                connection.id,
                request.id,
                request.path,
                id,
                if accepted.negotiated.deflate.is_some() {
                    " (permessage-deflate)"
                } else {
                    ""
                }
            ));
            let status = accepted.status.to_string();
            let fields = [Field::new(b":status", status.as_bytes())]
                .into_iter()
                .chain(
                    accepted
                        .fields
                        .iter()
                        .map(|(n, v)| Field::new(n.as_bytes(), v.as_bytes())),
                );
            if h2.send_headers(id, fields, false).is_ok() {
                tunnels.insert(id, echo);
            }
        }
        Err(e) => {
            connection.shared.log(&format!(
                "conn={} req={} CONNECT {} HTTP/2 stream={} -> 400 ({e})",
                connection.id, request.id, request.path, id
            ));
            let _ = h2.send_headers(id, [Field::new(b":status", b"400")], true);
        }
    }
}

/// Offers what waits for stream `id` to the send windows.
fn offer(h2: &mut H2, id: StreamId, unsent: &mut HashMap<StreamId, Outgoing>) {
    let Some(outgoing) = unsent.get_mut(&id) else {
        return;
    };
    if outgoing.bytes.is_empty() && !outgoing.end_stream {
        return;
    }
    match h2.send_data(id, &outgoing.bytes, outgoing.end_stream) {
        Ok(taken) if taken == outgoing.bytes.len() => {
            outgoing.bytes.clear();
            if outgoing.end_stream {
                unsent.remove(&id);
            }
        }
        Ok(taken) => {
            outgoing.bytes.drain(..taken);
        }
        Err(_) => {
            unsent.remove(&id);
        }
    }
}
