//! `decode h1`: one direction of an HTTP/1.x connection (RFC 9112) → its events, one per line.

use std::io::{Read, Write};

use h1_proto::{
    Body, ClientConnection, Config, Event, Field, Fields, Leniency, Request, ResponseHead,
    ServerConnection,
};

use crate::Failure;
use crate::input::InputArgs;

/// Arguments of `decode h1`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// The bytes are requests (client to server).
    #[arg(long, conflicts_with = "response")]
    pub request: bool,
    /// The bytes are responses (server to client), each answering a GET.
    #[arg(long)]
    pub response: bool,
    /// The input is the raw bytes, not hex.
    #[arg(long)]
    pub raw: bool,
    /// Accept what the named leniencies allow (bare LF, obs-fold, ...).
    #[arg(long)]
    pub lenient: bool,
}

/// Decodes the input and writes its events.
pub fn run(args: &Args, out: &mut impl Write) -> Result<(), Failure> {
    let bytes = if args.raw {
        match &args.input.file {
            Some(path) if path.as_os_str() != "-" => {
                std::fs::read(path).map_err(|e| Failure(format!("{}: {e}", path.display())))?
            }
            _ if !args.input.hex.is_empty() => args.input.hex.join(" ").into_bytes(),
            _ => {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes)?;
                bytes
            }
        }
    } else {
        args.input.bytes()?
    };
    let mut config = Config::default();
    if args.lenient {
        config = config.with_leniency(Leniency::all());
    }
    let response = args.response || (!args.request && bytes.starts_with(b"HTTP/"));
    if response {
        responses(&bytes, config, out)
    } else {
        requests(&bytes, config, out)
    }
}

fn text(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

fn fields(fields: Fields<'_>, out: &mut impl Write) -> std::io::Result<()> {
    for field in fields.iter() {
        writeln!(out, "  {}: {}", field.name, text(field.value))?;
    }
    Ok(())
}

/// Writes one event; returns false when decoding stops.
fn event(event: Event<'_>, out: &mut impl Write) -> std::io::Result<bool> {
    match event {
        Event::Request(head) => {
            writeln!(
                out,
                "request {} {} {}",
                head.method, head.target, head.version
            )?;
            fields(head.fields, out)?;
        }
        Event::Informational(head) => response_line("informational", &head, out)?,
        Event::Response(head) => response_line("response", &head, out)?,
        Event::Data(data) => writeln!(out, "data {} \"{}\"", data.len(), text(data))?,
        Event::Trailers(trailers) => {
            writeln!(out, "trailers")?;
            fields(trailers, out)?;
        }
        Event::EndOfMessage => writeln!(out, "end-of-message")?,
        Event::Switched(rest) => {
            writeln!(
                out,
                "switched-protocols, {} byte(s) follow \"{}\"",
                rest.len(),
                text(rest)
            )?;
            return Ok(false);
        }
        Event::Closed => {
            writeln!(out, "closed")?;
            return Ok(false);
        }
        _ => writeln!(out, "{event:?}")?,
    }
    Ok(true)
}

fn response_line(kind: &str, head: &ResponseHead<'_>, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{kind} {} {} {}",
        head.version,
        head.status,
        text(head.reason)
    )?;
    fields(head.fields, out)
}

fn requests(bytes: &[u8], config: Config, out: &mut impl Write) -> Result<(), Failure> {
    let mut server = ServerConnection::new(config);
    let mut rest = bytes;
    loop {
        let taken = server.handle_input(rest);
        rest = &rest[taken..];
        if rest.is_empty() {
            server.handle_eof();
        }
        let mut answer = false;
        loop {
            match server.poll_event() {
                Ok(Some(e)) => {
                    let end = matches!(e, Event::EndOfMessage);
                    if !event(e, out)? {
                        return Ok(());
                    }
                    if end {
                        answer = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(Failure(format!("error: {e} (answer with {})", e.status())));
                }
            }
        }
        if answer {
            // Let the next pipelined request be read.
            let _ = server.send_response(&h1_proto::Response::new(200, &[]), Body::Empty);
            let _ = server.finish();
            if server.should_close() {
                if !rest.is_empty() || server.poll_event().is_ok_and(|e| e.is_some()) {
                    writeln!(out, "connection closes; the remaining bytes are not read")?;
                }
                return Ok(());
            }
        } else if rest.is_empty() && taken == 0 {
            return Ok(());
        }
    }
}

fn responses(bytes: &[u8], config: Config, out: &mut impl Write) -> Result<(), Failure> {
    let mut client = ClientConnection::new(config);
    // One GET per response the bytes could hold.
    let count = bytes.windows(7).filter(|w| *w == b"HTTP/1.").count().max(1);
    let host = [Field::new("Host", b"decode")];
    for _ in 0..count {
        if client
            .send_request(&Request::new("GET", "/", &host), Body::Empty)
            .is_err()
        {
            break;
        }
        let _ = client.finish();
    }
    let mut rest = bytes;
    loop {
        let taken = client.handle_input(rest);
        rest = &rest[taken..];
        if rest.is_empty() {
            client.handle_eof();
        }
        loop {
            match client.poll_event() {
                Ok(Some(e)) => {
                    if !event(e, out)? {
                        return Ok(());
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(Failure(format!("error: {e}"))),
            }
        }
        if rest.is_empty() || taken == 0 {
            return Ok(());
        }
    }
}
