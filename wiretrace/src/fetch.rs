//! `wiretrace fetch http://…`: one GET over HTTP/1.1, printing what crossed the wire: the
//! request bytes (`>`), the response head (`<`), the body, and server-sent events as parsed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use h1_proto::sse::SseParser;
use h1_proto::{Body, ClientConnection, Event, Field, Request, ResponseHead};

use crate::Failure;

/// Where a `fetch` goes: the parts of a `scheme://host[:port]/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `host[:port]`, as the Host header (or `:authority`) carries it.
    pub authority: String,
    /// The path and query, `/` when the URL has none.
    pub path: String,
    /// `host:port` to connect to (port 80 when the URL names none).
    pub address: String,
}

impl Target {
    /// Parses `url`, which must start with `scheme://`.
    pub fn parse(url: &str, scheme: &str) -> Result<Self, Failure> {
        let rest = url
            .strip_prefix(scheme)
            .and_then(|rest| rest.strip_prefix("://"))
            .ok_or_else(|| Failure(format!("fetch {url}: only {scheme}:// is supported here")))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(Failure(format!("fetch {url}: no host")));
        }
        let address = if authority.contains(':') {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        Ok(Self {
            authority: authority.to_string(),
            path: path.to_string(),
            address,
        })
    }

    /// A TCP connection to the target whose reads time out after `read_timeout`.
    pub fn connect(&self, read_timeout: Duration) -> Result<TcpStream, Failure> {
        let stream = TcpStream::connect(&self.address)
            .map_err(|e| Failure(format!("{}: {e}", self.address)))?;
        stream.set_read_timeout(Some(read_timeout))?;
        Ok(stream)
    }
}

fn escape_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace('\r', "\\r")
}

/// Writes `bytes` sent as one `>` line per line.
pub fn write_sent(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    for line in bytes.split(|&b| b == b'\n') {
        if !line.is_empty() {
            writeln!(out, "> {}", escape_line(line))?;
        }
    }
    Ok(())
}

/// Writes a response head as `<` lines: status line, fields, blank line.
pub fn write_head(out: &mut impl Write, head: &ResponseHead<'_>) -> std::io::Result<()> {
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
    writeln!(out, "<")
}

/// Fetches `url` and writes the trace to `out`.
pub fn run(url: &str, out: &mut impl Write) -> Result<(), Failure> {
    let target = Target::parse(url, "http")?;
    let (authority, path) = (&target.authority, &target.path);
    let mut stream = target.connect(Duration::from_secs(30))?;
    let mut client = ClientConnection::default();
    let fields = [
        Field::new("Host", authority.as_bytes()),
        Field::new("User-Agent", b"wiretrace"),
        Field::new("Accept", b"*/*"),
    ];
    client
        .send_request(&Request::new("GET", path, &fields), Body::Empty)
        .map_err(|e| Failure(format!("request: {e}")))?;
    client
        .finish()
        .map_err(|e| Failure(format!("request: {e}")))?;
    let request = client.pending_transmit().to_vec();
    client.consume_transmit(request.len());
    stream.write_all(&request)?;
    write_sent(out, &request)?;

    let mut buf = vec![0u8; 16 * 1024];
    let mut received = 0usize;
    let mut body = 0usize;
    let mut sse: Option<SseParser> = None;
    loop {
        loop {
            match client.poll_event() {
                Ok(Some(Event::Informational(head) | Event::Response(head))) => {
                    write_head(out, &head)?;
                    let event_stream = head
                        .fields
                        .get("content-type")
                        .is_some_and(|v| v.starts_with(b"text/event-stream"));
                    if head.status >= 200 && event_stream {
                        sse = Some(SseParser::new());
                    }
                }
                Ok(Some(Event::Data(data))) => {
                    body += data.len();
                    match sse.as_mut() {
                        Some(parser) => {
                            parser
                                .handle_input(data)
                                .map_err(|e| Failure(e.to_string()))?;
                            while let Some(event) = parser.poll_event() {
                                writeln!(
                                    out,
                                    "event {} id={:?} data={:?}",
                                    event.event, event.last_event_id, event.data
                                )?;
                            }
                        }
                        None => out.write_all(data)?,
                    }
                }
                Ok(Some(Event::Trailers(trailers))) => {
                    for field in trailers.iter() {
                        writeln!(
                            out,
                            "< (trailer) {}: {}",
                            field.name,
                            String::from_utf8_lossy(field.value)
                        )?;
                    }
                }
                Ok(Some(Event::EndOfMessage)) => {
                    writeln!(
                        out,
                        "* end of message: {body} body byte(s), {received} byte(s) received"
                    )?;
                    return Ok(());
                }
                Ok(Some(Event::Closed)) => {
                    return Err(Failure("the server closed before responding".into()));
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => return Err(Failure(format!("response: {e}"))),
            }
        }
        let n = stream.read(&mut buf)?;
        received += n;
        if n == 0 {
            client.handle_eof();
        } else {
            let mut offered = &buf[..n];
            while !offered.is_empty() {
                let taken = client.handle_input(offered);
                offered = &offered[taken..];
                if taken == 0 {
                    return Err(Failure("response head larger than the input buffer".into()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn targets_parse_with_default_port_and_path() {
        let t = Target::parse("http://example.com", "http").unwrap();
        assert_eq!(
            (t.authority.as_str(), t.path.as_str(), t.address.as_str()),
            ("example.com", "/", "example.com:80")
        );
        let t = Target::parse("ws://127.0.0.1:9001/echo?x=1", "ws").unwrap();
        assert_eq!(
            (t.authority.as_str(), t.path.as_str(), t.address.as_str()),
            ("127.0.0.1:9001", "/echo?x=1", "127.0.0.1:9001")
        );
        assert!(Target::parse("http:///path", "http").is_err(), "no host");
        assert!(Target::parse("ws://a/", "http").is_err(), "other scheme");
        assert!(
            Target::parse("httpx://a/", "http").is_err(),
            "scheme prefix only"
        );
    }
}
