//! A minimal HTTP/1.1 client over `std::net`:
//! `cargo run -p h1-proto --example std_client -- 127.0.0.1:8081 /path`.

use std::io::{Read, Write};
use std::net::TcpStream;

use h1_proto::{Body, ClientConnection, Event, Field, Request};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let address = args.next().unwrap_or_else(|| "127.0.0.1:8081".into());
    let path = args.next().unwrap_or_else(|| "/".into());
    let mut stream = TcpStream::connect(&address)?;
    let mut client = ClientConnection::default();
    let fields = [
        Field::new("Host", address.as_bytes()),
        Field::new("Connection", b"close"),
    ];
    client.send_request(&Request::new("GET", &path, &fields), Body::Empty)?;
    client.finish()?;
    stream.write_all(client.pending_transmit())?;
    let mut buf = [0u8; 8192];
    loop {
        while let Some(event) = client.poll_event()? {
            match event {
                Event::Response(head) => println!("{} {}", head.version, head.status),
                Event::Data(data) => print!("{}", String::from_utf8_lossy(data)),
                Event::EndOfMessage => return Ok(()),
                _ => {}
            }
        }
        match stream.read(&mut buf)? {
            0 => client.handle_eof(),
            n => {
                client.handle_input(&buf[..n]);
            }
        }
    }
}
