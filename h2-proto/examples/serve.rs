//! A minimal h2c (prior knowledge) server over `std::net`, for trying real clients by hand:
//!
//!     cargo run -p h2-proto --example serve -- 8080 3     # port, connections to serve
//!     curl --http2-prior-knowledge http://127.0.0.1:8080/hello
//!
//! `GET` and `POST` on any path answer `200` with a short text body (a POST's body length is
//! echoed). One thread per connection; the IO loop is the same as in `loopback.rs`.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration as StdDuration;

use h2_proto::{Config, Connection, Event, Field, HeadersKind, StreamId};
use wire_codec::Instant;

/// One turn of the IO loop: flush output, then read what is available (or time out).
/// Returns false when the peer closed the socket.
fn turn(conn: &mut Connection, socket: &mut TcpStream, now: Instant) -> bool {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = conn.poll_transmit(now, &mut buf);
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
            if let Err(e) = conn.handle_input(&buf[..n], now) {
                eprintln!("connection error: {e}");
                return false;
            }
            true
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => true,
        Err(_) => false,
    }
}

fn serve(mut socket: TcpStream) {
    let now = Instant::ZERO;
    let mut conn = Connection::server(Config::default(), now);
    // Requests whose body is still arriving: path and bytes so far.
    let mut open: HashMap<StreamId, (String, usize)> = HashMap::new();
    while turn(&mut conn, &mut socket, now) {
        while let Some(event) = conn.poll_event() {
            let (stream, finished) = match event {
                Event::Headers {
                    stream,
                    kind: HeadersKind::Request,
                    headers,
                    end_stream,
                } => {
                    let path = headers
                        .iter()
                        .find(|h| h.name == b":path")
                        .map(|h| String::from_utf8_lossy(&h.value).into_owned())
                        .unwrap_or_default();
                    open.insert(stream, (path, 0));
                    (stream, end_stream)
                }
                Event::Data {
                    stream,
                    data,
                    end_stream,
                } => {
                    if let Some(entry) = open.get_mut(&stream) {
                        entry.1 += data.len();
                    }
                    (stream, end_stream)
                }
                Event::Headers {
                    stream, end_stream, ..
                } => (stream, end_stream),
                _ => continue,
            };
            if finished && let Some((path, received)) = open.remove(&stream) {
                let body = format!(
                    "hello from {path} on stream {stream} ({received} body bytes received)\n"
                );
                let length = body.len().to_string();
                let response = [
                    Field::new(b":status", b"200"),
                    Field::new(b"content-type", b"text/plain"),
                    Field::new(b"content-length", length.as_bytes()),
                ];
                if conn.send_headers(stream, response, false).is_ok() {
                    let _ = conn.send_data(stream, body.as_bytes(), true);
                }
            }
        }
        if conn.is_finished() {
            break;
        }
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let connections: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    println!(
        "listening on http://{} (h2c prior knowledge)",
        listener.local_addr()?
    );
    let mut threads = Vec::new();
    for socket in listener.incoming().take(connections) {
        let socket = socket?;
        socket.set_read_timeout(Some(StdDuration::from_millis(20)))?;
        threads.push(std::thread::spawn(move || serve(socket)));
    }
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}
