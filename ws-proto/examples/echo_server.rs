//! A WebSocket echo server on std::net: h1-proto reads the Upgrade request, ws-proto checks it,
//! answers 101 (negotiating permessage-deflate when offered) and echoes every message.
//!
//!     cargo run -p ws-proto --example echo_server -- 127.0.0.1:9001
//!     python3 -m websockets ws://127.0.0.1:9001/

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use h1_proto::{Body, Event as H1Event, Response, ServerConnection};
use ws_proto::h1::h1_fields;
use ws_proto::{
    Accepted, Config, Connection, DeflateConfig, Event, HandshakeError, ServerHandshake, State,
};

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let listener = TcpListener::bind(&addr)?;
    println!("listening on ws://{}/", listener.local_addr()?);
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            if let Err(e) = serve(stream) {
                eprintln!("connection ended: {e}");
            }
        });
    }
    Ok(())
}

fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    let config = DeflateConfig::default();
    let mut buf = vec![0u8; 64 * 1024];
    let Some((accepted, rest)) = handshake(&mut stream, &mut buf, config)? else {
        return Ok(());
    };
    let mut ws = Connection::server(Config::default());
    if let Some(params) = accepted.negotiated.deflate {
        ws = ws
            .with_deflate(params, &config)
            .map_err(std::io::Error::other)?;
    }
    // Echo until the close handshake completes.
    let mut input = rest;
    let mut out = Vec::new();
    loop {
        let result = ws.handle_input(&input);
        while let Some(event) = ws.poll_event() {
            let _ = match event {
                Event::Text(text) => ws.send_text(&text, &mut out),
                Event::Binary(data) => ws.send_binary(&data, &mut out),
                _ => Ok(()),
            };
        }
        let _ = ws.poll_transmit(&mut out); // pongs, the close reply, a failure's close
        stream.write_all(&out)?;
        out.clear();
        let used = result.map_err(std::io::Error::other)?;
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

/// The opening handshake: the accepted upgrade and the bytes that followed the request, or
/// `None` after answering a bad request.
fn handshake(
    stream: &mut TcpStream,
    buf: &mut [u8],
    config: DeflateConfig,
) -> std::io::Result<Option<(Accepted, Vec<u8>)>> {
    let server = ServerHandshake::new().deflate(config);
    let mut http = ServerConnection::new(h1_proto::Config::default());
    let mut verdict: Option<Result<Accepted, HandshakeError>> = None;
    loop {
        let n = stream.read(buf)?;
        if n == 0 {
            return Ok(None);
        }
        http.handle_input(&buf[..n]);
        loop {
            match http.poll_event() {
                Ok(Some(H1Event::Request(head))) => verdict = Some(server.accept_h1(&head)),
                // The request is complete: answer it (101, or 426 / 400).
                Ok(Some(H1Event::EndOfMessage)) => {
                    let (status, fields) = match &verdict {
                        Some(Ok(accepted)) => (accepted.status, accepted.fields.clone()),
                        Some(Err(e)) => e.server_response(),
                        None => (400, Vec::new()),
                    };
                    let fields = h1_fields(&fields);
                    let _ = http.send_response(&Response::new(status, &fields), Body::Empty);
                    let _ = http.finish();
                }
                Ok(Some(H1Event::Switched(rest))) => {
                    let rest = rest.to_vec();
                    stream.write_all(http.pending_transmit())?;
                    return Ok(verdict.and_then(Result::ok).map(|a| (a, rest)));
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        stream.write_all(http.pending_transmit())?;
        let sent = http.pending_transmit().len();
        http.consume_transmit(sent);
        if http.should_close() {
            return Ok(None);
        }
    }
}
