//! WebSocket in wiretrace: the echo behind `serve` (any path that asks for an Upgrade) and the
//! client behind `fetch ws://…`, both on ws-proto with the handshake on h1-proto.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use h1_proto::{Body, ClientConnection, Event as H1Event, Field, Request};
use h2_proto::{
    Config as H2Config, Connection as H2, Event as H2Event, Field as H2Field, HeadersKind, StreamId,
};
use ws_proto::{
    Accepted, ClientHandshake, CloseCode, Config, Connection, DeflateConfig, Event, Negotiated,
    State, Transport,
};

use crate::decode::h2::frames as h2_frames;
use crate::decode::ws::{Sender, frames};
use crate::fetch::{Target, write_head};
use crate::h2_link::{Link, Received};
use crate::serve;
use crate::{Failure, clock};

/// The permessage-deflate parameters both sides offer and accept.
pub fn deflate_config() -> DeflateConfig {
    DeflateConfig::default()
}

/// The server side of the echo, over any transport: bytes from the client in, bytes to send
/// back out, until the close handshake completes.
pub struct Echo {
    ws: Connection,
    input: Vec<u8>,
}

impl Echo {
    /// The echo of a connection whose handshake `accepted` (compression if negotiated).
    pub fn new(accepted: &Accepted) -> io::Result<Self> {
        let mut ws = Connection::server(Config::default());
        if let Some(params) = accepted.negotiated.deflate {
            ws = ws
                .with_deflate(params, &deflate_config())
                .map_err(io::Error::other)?;
        }
        Ok(Self {
            ws,
            input: Vec::new(),
        })
    }

    /// Takes `bytes` from the client and appends to `out` what goes back: the echoes, pongs,
    /// the close reply, or the close that a protocol error sends (then the error is returned).
    pub fn feed(
        &mut self,
        bytes: &[u8],
        out: &mut Vec<u8>,
        connection: &serve::Connection,
    ) -> io::Result<()> {
        self.input.extend_from_slice(bytes);
        loop {
            let result = self.ws.handle_input(&self.input);
            while let Some(event) = self.ws.poll_event() {
                let log = |what: String| {
                    connection
                        .shared
                        .log(&format!("conn={} ws {what}", connection.id))
                };
                match event {
                    Event::Text(text) => {
                        log(format!("text {} byte(s)", text.len()));
                        let _ = self.ws.send_text(&text, out);
                    }
                    Event::Binary(data) => {
                        log(format!("binary {} byte(s)", data.len()));
                        let _ = self.ws.send_binary(&data, out);
                    }
                    Event::Close(frame) => log(format!("close {:?}", frame.map(|f| f.code.0))),
                    _ => {}
                }
            }
            let _ = self.ws.poll_transmit(out);
            let used = result.map_err(io::Error::other)?;
            self.input.drain(..used);
            // All is consumed but after the close frame, or when events were waiting.
            if self.input.is_empty() || self.is_closed() {
                return Ok(());
            }
        }
    }

    /// Whether the close handshake is complete.
    pub fn is_closed(&self) -> bool {
        self.ws.state() == State::Closed
    }
}

/// Echoes every text and binary message over an HTTP/1.1 Upgrade until the close handshake
/// completes. `rest` holds the bytes that followed the Upgrade request.
pub fn echo(
    stream: &mut TcpStream,
    accepted: &Accepted,
    rest: Vec<u8>,
    connection: &serve::Connection,
) -> io::Result<()> {
    let mut echo = Echo::new(accepted)?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut input = rest;
    loop {
        let result = echo.feed(&input, &mut out, connection);
        stream.write_all(&out)?;
        out.clear();
        result?;
        if echo.is_closed() {
            return Ok(());
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        input.clear();
        input.extend_from_slice(&buf[..n]);
    }
}

/// Random bytes from the standard library's per-process hasher keys (seeded by the OS): enough
/// for a handshake nonce and masking keys in a debugging tool.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x5753);
    hasher.finish()
}

/// A handshake nonce (`Sec-WebSocket-Key`, RFC 6455 §4.1).
fn nonce() -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&random_u64().to_be_bytes());
    key[8..].copy_from_slice(&random_u64().to_be_bytes());
    key
}

/// The client after a successful handshake, and the frames of the experiment it sends: a text,
/// a non-ASCII text, a binary message and the close, shown as `decode ws` shows them.
fn start_client(
    negotiated: &Negotiated,
    out: &mut impl Write,
) -> Result<(Connection, Vec<u8>), Failure> {
    writeln!(
        out,
        "* WebSocket open; permessage-deflate {}",
        match &negotiated.deflate {
            Some(params) => format!("negotiated: {params:?}"),
            None => "not negotiated".into(),
        }
    )?;
    let mut ws = Connection::client(Config::default(), || {
        let [a, b, c, d, ..] = random_u64().to_be_bytes();
        [a, b, c, d]
    });
    if let Some(params) = negotiated.deflate {
        ws = ws
            .with_deflate(params, &deflate_config())
            .map_err(|e| Failure(format!("deflate: {e}")))?;
    }
    let mut sent = Vec::new();
    ws.send_text("Hello, wiretrace!", &mut sent)
        .and_then(|()| ws.send_text("ünïcödé ✓ text survives the echo", &mut sent))
        .and_then(|()| ws.send_binary(&[0xde, 0xad, 0xbe, 0xef], &mut sent))
        .and_then(|()| ws.close(Some(CloseCode::NORMAL), "done", &mut sent))
        .map_err(|e| Failure(format!("send: {e}")))?;
    writeln!(out, "* sent {} byte(s):", sent.len())?;
    frames(&sent, Some(Sender::Client), out)?;
    Ok((ws, sent))
}

/// Prints the messages the echo sent back.
fn show_events(ws: &mut Connection, out: &mut impl Write) -> io::Result<()> {
    while let Some(event) = ws.poll_event() {
        match event {
            Event::Text(text) => writeln!(out, "* echo text: {text:?}")?,
            Event::Binary(data) => writeln!(out, "* echo binary: {}", super::decode::hex(&data))?,
            Event::Close(frame) => writeln!(
                out,
                "* peer closed: {:?}",
                frame.map(|f| (f.code.0, f.reason))
            )?,
            _ => {}
        }
    }
    Ok(())
}

/// `fetch ws://host:port/path`: the handshake, then a text, a non-ASCII text and a binary
/// message echoed back, then the close handshake; every frame is shown as `decode ws` shows it.
pub fn fetch(url: &str, out: &mut impl Write) -> Result<(), Failure> {
    let target = Target::parse(url, "ws")?;
    let (authority, path) = (target.authority.as_str(), target.path.as_str());
    let mut stream = target.connect(Duration::from_secs(30))?;

    let handshake = ClientHandshake::new(nonce()).deflate(deflate_config());
    let ws_fields = handshake.request_fields();
    let mut fields = vec![Field::new("Host", authority.as_bytes())];
    fields.extend(ws_proto::h1::h1_fields(&ws_fields));
    let mut http = ClientConnection::default();
    http.send_request(&Request::new("GET", path, &fields), Body::Empty)
        .map_err(|e| Failure(format!("request: {e}")))?;
    http.finish()
        .map_err(|e| Failure(format!("request: {e}")))?;
    let request = http.pending_transmit().to_vec();
    http.consume_transmit(request.len());
    stream.write_all(&request)?;
    for line in String::from_utf8_lossy(&request).lines() {
        writeln!(out, "> {line}")?;
    }

    // Read the 101 and take over the bytes after it.
    let mut buf = vec![0u8; 64 * 1024];
    let mut negotiated = None;
    let leftover: Vec<u8> = 'handshake: loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(Failure("connection closed during the handshake".into()));
        }
        http.handle_input(&buf[..n]);
        loop {
            match http.poll_event() {
                Ok(Some(H1Event::Informational(head) | H1Event::Response(head))) => {
                    write_head(out, &head)?;
                    negotiated = Some(
                        handshake
                            .verify_h1_response(&head)
                            .map_err(|e| Failure(format!("handshake: {e}")))?,
                    );
                }
                Ok(Some(H1Event::Switched(rest))) => break 'handshake rest.to_vec(),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => return Err(Failure(format!("handshake: {e}"))),
            }
        }
    };
    let negotiated = negotiated.ok_or_else(|| Failure("no response to the handshake".into()))?;
    let (mut ws, sent) = start_client(&negotiated, out)?;
    stream.write_all(&sent)?;

    let mut received = leftover.clone();
    let mut input = leftover;
    loop {
        let used = ws
            .handle_input(&input)
            .map_err(|e| Failure(format!("peer: {e}")))?;
        input.drain(..used);
        show_events(&mut ws, out)?;
        if ws.state() == State::Closed {
            break;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        received.extend_from_slice(&buf[..n]);
        input.extend_from_slice(&buf[..n]);
    }
    writeln!(out, "* received {} byte(s):", received.len())?;
    frames(&received, Some(Sender::Server), out)?;
    Ok(())
}

/// `fetch --http2 ws://host:port/path`: the same experiment over an HTTP/2 extended CONNECT
/// stream (RFC 8441) on h2c with prior knowledge: the server must announce
/// SETTINGS_ENABLE_CONNECT_PROTOCOL first (§3). Shows the WebSocket frames each way, then every
/// HTTP/2 frame that carried them.
pub fn fetch_h2(url: &str, out: &mut impl Write) -> Result<(), Failure> {
    let target = Target::parse(url, "ws")?;
    let stream = target.connect(Duration::from_secs(30))?;
    let mut link = Link::new(H2::client(H2Config::default(), clock::now()), stream, true)?;
    let handshake = ClientHandshake::new(nonce())
        .transport(Transport::ExtendedConnect)
        .deflate(deflate_config());

    let (mut ws_received, mut ws_input) = (Vec::new(), Vec::new());
    let mut tunnel: Option<StreamId> = None;
    let mut ws: Option<Connection> = None;
    let mut finished = false;
    let deadline = clock::now() + Duration::from_secs(30);
    while !finished {
        let now = link.tick();
        if now > deadline {
            return Err(Failure("no close handshake within 30 s".into()));
        }
        let h2 = &mut link.h2;
        while let Some(event) = h2.poll_event() {
            match event {
                H2Event::PeerSettings(settings) if tunnel.is_none() => {
                    if !settings.enable_connect_protocol {
                        return Err(Failure(
                            "the server does not allow extended CONNECT (RFC 8441 \
                             SETTINGS_ENABLE_CONNECT_PROTOCOL)"
                                .into(),
                        ));
                    }
                    let ws_fields = handshake.request_fields();
                    let fields = [
                        H2Field::new(b":method", b"CONNECT"),
                        H2Field::new(b":protocol", b"websocket"),
                        H2Field::new(b":scheme", b"http"),
                        H2Field::new(b":path", target.path.as_bytes()),
                        H2Field::new(b":authority", target.authority.as_bytes()),
                    ]
                    .into_iter()
                    .chain(
                        ws_fields
                            .iter()
                            .map(|(n, v)| H2Field::new(n.as_bytes(), v.as_bytes())),
                    );
                    let id = h2
                        .send_request(fields, false)
                        .map_err(|e| Failure(format!("CONNECT: {e}")))?;
                    writeln!(out, "> CONNECT {} on stream {id}", target.path)?;
                    for (name, value) in &ws_fields {
                        writeln!(out, "> {name}: {value}")?;
                    }
                    tunnel = Some(id);
                }
                H2Event::Headers {
                    stream: id,
                    kind: HeadersKind::Response(status),
                    headers,
                    ..
                } if Some(id) == tunnel => {
                    writeln!(out, "< :status: {status}")?;
                    let fields: Vec<(&[u8], &[u8])> = headers
                        .iter()
                        .filter(|h| !h.name.starts_with(b":"))
                        .map(|h| (h.name.as_slice(), h.value.as_slice()))
                        .collect();
                    for (name, value) in &fields {
                        writeln!(
                            out,
                            "< {}: {}",
                            String::from_utf8_lossy(name),
                            String::from_utf8_lossy(value)
                        )?;
                    }
                    let negotiated = handshake
                        .verify_response(status, &fields)
                        .map_err(|e| Failure(format!("handshake: {e}")))?;
                    let (client, sent) = start_client(&negotiated, out)?;
                    h2.send_data(id, &sent, false)
                        .ok()
                        .filter(|&taken| taken == sent.len())
                        .ok_or_else(|| Failure("the stream's send window is too small".into()))?;
                    ws = Some(client);
                }
                H2Event::Data {
                    stream: id,
                    data,
                    end_stream,
                } if Some(id) == tunnel => {
                    ws_received.extend_from_slice(&data);
                    ws_input.extend_from_slice(&data);
                    if let Some(ws) = ws.as_mut() {
                        let used = ws
                            .handle_input(&ws_input)
                            .map_err(|e| Failure(format!("peer: {e}")))?;
                        ws_input.drain(..used);
                        show_events(ws, out)?;
                        if ws.state() == State::Closed || end_stream {
                            // The close handshake is done: end our side of the stream too.
                            let _ = h2.send_data(id, &[], true);
                            let _ = h2.shutdown();
                            finished = true;
                        }
                    }
                }
                H2Event::StreamReset {
                    stream: id, code, ..
                } if Some(id) == tunnel => {
                    return Err(Failure(format!("the server reset the stream: {code:?}")));
                }
                H2Event::ConnectionError(e) => return Err(Failure(format!("connection: {e}"))),
                _ => {}
            }
        }
        link.flush(now)?;
        if finished {
            break;
        }
        match link.receive()? {
            Received::Closed => return Err(Failure("the server closed the connection".into())),
            Received::Quiet => {}
            Received::Fed(fed) => fed.map_err(|e| Failure(format!("connection: {e}")))?,
        }
    }
    writeln!(out, "* received {} byte(s):", ws_received.len())?;
    frames(&ws_received, Some(Sender::Server), out)?;
    writeln!(out)?;
    h2_frames(&link.sent, false, out)?;
    writeln!(out)?;
    h2_frames(&link.received, true, out)?;
    Ok(())
}
