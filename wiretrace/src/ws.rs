//! WebSocket in wiretrace: the echo behind `serve` (any path that asks for an Upgrade) and the
//! client behind `fetch ws://…`, both on ws-proto with the handshake on h1-proto.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use h1_proto::{Body, ClientConnection, Event as H1Event, Field, Request};
use ws_proto::{
    Accepted, ClientHandshake, CloseCode, Config, Connection, DeflateConfig, Event, State,
};

use crate::Failure;
use crate::decode::ws::{Sender, frames};
use crate::fetch::Target;
use crate::serve;

/// The permessage-deflate parameters both sides offer and accept.
pub fn deflate_config() -> DeflateConfig {
    DeflateConfig::default()
}

/// Echoes every text and binary message until the close handshake completes. `rest` holds the
/// bytes that followed the Upgrade request.
pub fn echo(
    stream: &mut TcpStream,
    accepted: &Accepted,
    rest: Vec<u8>,
    connection: &serve::Connection,
) -> io::Result<()> {
    let mut ws = Connection::server(Config::default());
    if let Some(params) = accepted.negotiated.deflate {
        ws = ws
            .with_deflate(params, &deflate_config())
            .map_err(io::Error::other)?;
    }
    let mut input = rest;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let result = ws.handle_input(&input);
        while let Some(event) = ws.poll_event() {
            match event {
                Event::Text(text) => {
                    connection.shared.log(&format!(
                        "conn={} ws text {} byte(s)",
                        connection.id,
                        text.len()
                    ));
                    let _ = ws.send_text(&text, &mut out);
                }
                Event::Binary(data) => {
                    connection.shared.log(&format!(
                        "conn={} ws binary {} byte(s)",
                        connection.id,
                        data.len()
                    ));
                    let _ = ws.send_binary(&data, &mut out);
                }
                Event::Close(frame) => connection.shared.log(&format!(
                    "conn={} ws close {:?}",
                    connection.id,
                    frame.map(|f| f.code.0)
                )),
                _ => {}
            }
        }
        // Pongs, the close reply, or the close that a protocol error sends.
        let _ = ws.poll_transmit(&mut out);
        stream.write_all(&out)?;
        out.clear();
        let used = result.map_err(io::Error::other)?;
        input.drain(..used);
        if ws.state() == State::Closed {
            return Ok(());
        }
        if input.is_empty() {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            input.extend_from_slice(&buf[..n]);
        }
    }
}

/// Random bytes from the standard library's per-process hasher keys (seeded by the OS): enough
/// for a handshake nonce and masking keys in a debugging tool.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x5753);
    hasher.finish()
}

/// `fetch ws://host:port/path`: the handshake, then a text, a non-ASCII text and a binary
/// message echoed back, then the close handshake; every frame is shown as `decode ws` shows it.
pub fn fetch(url: &str, out: &mut impl Write) -> Result<(), Failure> {
    let target = Target::parse(url, "ws")?;
    let (authority, path) = (target.authority.as_str(), target.path.as_str());
    let mut stream = target.connect(Duration::from_secs(30))?;

    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&random_u64().to_be_bytes());
    key[8..].copy_from_slice(&random_u64().to_be_bytes());
    let handshake = ClientHandshake::new(key).deflate(deflate_config());
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
                    writeln!(
                        out,
                        "< {} {} {}",
                        head.version,
                        head.status,
                        String::from_utf8_lossy(head.reason)
                    )?;
                    for field in head.fields.iter() {
                        writeln!(
                            out,
                            "< {}: {}",
                            field.name,
                            String::from_utf8_lossy(field.value)
                        )?;
                    }
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
    stream.write_all(&sent)?;

    let mut received = leftover.clone();
    let mut input = leftover;
    loop {
        let used = ws
            .handle_input(&input)
            .map_err(|e| Failure(format!("peer: {e}")))?;
        input.drain(..used);
        while let Some(event) = ws.poll_event() {
            match event {
                Event::Text(text) => writeln!(out, "* echo text: {text:?}")?,
                Event::Binary(data) => {
                    writeln!(out, "* echo binary: {}", super::decode::hex(&data))?
                }
                Event::Close(frame) => writeln!(
                    out,
                    "* peer closed: {:?}",
                    frame.map(|f| (f.code.0, f.reason))
                )?,
                _ => {}
            }
        }
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
