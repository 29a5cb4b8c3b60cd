//! A minimal HTTP/1.1 server over `std::net`: `cargo run -p h1-proto --example std_server`,
//! then `curl -i http://127.0.0.1:8081/anything`. The IO loop: read → `handle_input` →
//! `poll_event` until `None` → write `pending_transmit` → close when `should_close`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use h1_proto::{Body, Event, Field, Response, ServerConnection};

fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    let mut conn = ServerConnection::default();
    let mut buf = [0u8; 8192];
    let mut target = String::new();
    loop {
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Request(head))) => target = head.target.to_string(),
                Ok(Some(Event::EndOfMessage)) => {
                    let body = format!("you asked for {target}\n");
                    let fields = [Field::new("Content-Type", b"text/plain")];
                    let response = Response::new(200, &fields);
                    conn.send_response(&response, Body::Length(body.len() as u64))
                        .map_err(std::io::Error::other)?;
                    conn.send_data(body.as_bytes())
                        .map_err(std::io::Error::other)?;
                    conn.finish().map_err(std::io::Error::other)?;
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    // Answer with the status the error maps to; the connection then closes.
                    let _ = conn.send_response(&Response::new(e.status(), &[]), Body::Empty);
                    let _ = conn.finish();
                    break;
                }
            }
        }
        let out = conn.pending_transmit();
        stream.write_all(out)?;
        let sent = out.len();
        conn.consume_transmit(sent);
        if conn.should_close() {
            return Ok(());
        }
        match stream.read(&mut buf)? {
            0 => conn.handle_eof(),
            n => {
                conn.handle_input(&buf[..n]);
            }
        }
    }
}

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:8081")?;
    println!("listening on http://{}/", listener.local_addr()?);
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || serve(stream));
    }
    Ok(())
}
