//! h2c (prior knowledge) over `std::net` on loopback: our server in a thread, our client
//! sending the articles' "5 parallel /api/test requests on one connection".
//!
//! `cargo run -p h2-proto --example loopback`
//!
//! The IO loop is the whole integration: read from the socket into `handle_input`, handle
//! events, write what `poll_transmit` gives. Both ends use blocking sockets with a short
//! read timeout, so the loop can also notice output produced by its own commands.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration as StdDuration;

use h2_proto::{Config, Connection, Event, Field, HeadersKind};
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
    while turn(&mut conn, &mut socket, now) {
        while let Some(event) = conn.poll_event() {
            if let Event::Headers {
                stream,
                kind: HeadersKind::Request,
                headers,
                ..
            } = event
            {
                let path = headers
                    .iter()
                    .find(|h| h.name == b":path")
                    .map(|h| String::from_utf8_lossy(&h.value).into_owned())
                    .unwrap_or_default();
                let body = format!("hello from {path} on stream {stream}\n");
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
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let server = std::thread::spawn(move || {
        if let Ok((socket, _)) = listener.accept() {
            let _ = socket.set_read_timeout(Some(StdDuration::from_millis(20)));
            serve(socket);
        }
    });

    let mut socket = TcpStream::connect(address)?;
    socket.set_read_timeout(Some(StdDuration::from_millis(20)))?;
    let now = Instant::ZERO;
    let mut conn = Connection::client(Config::default(), now);
    let authority = address.to_string();
    let request = [
        Field::new(b":method", b"GET"),
        Field::new(b":scheme", b"http"),
        Field::new(b":authority", authority.as_bytes()),
        Field::new(b":path", b"/api/test"),
    ];
    for _ in 0..5 {
        match conn.send_request(request, true) {
            Ok(stream) => println!("→ GET /api/test on stream {stream}"),
            Err(e) => eprintln!("request refused locally: {e}"),
        }
    }
    let mut done = 0;
    while done < 5 && turn(&mut conn, &mut socket, now) {
        while let Some(event) = conn.poll_event() {
            match event {
                Event::Headers {
                    stream,
                    kind: HeadersKind::Response(status),
                    ..
                } => println!("← {status} on stream {stream}"),
                Event::Data {
                    stream,
                    data,
                    end_stream,
                } => {
                    print!("← stream {stream}: {}", String::from_utf8_lossy(&data));
                    done += usize::from(end_stream);
                }
                _ => {}
            }
        }
    }
    // Graceful close: GOAWAY, flushed by one more turn, then the socket closes.
    let _ = conn.shutdown();
    turn(&mut conn, &mut socket, now);
    drop(socket);
    let _ = server.join();
    println!("done: {done} responses on one connection");
    Ok(())
}
