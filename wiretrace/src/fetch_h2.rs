//! `wiretrace fetch --http2 http://…`: requests over h2c with prior knowledge (RFC 9113 §3.3)
//! on one connection, then every frame that crossed the wire in each direction, decoded.
//!
//! Without a path (or with `/`) it runs the articles' experiment: five parallel
//! `/api/test?i=N` requests on one connection.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use h2_proto::{Config, Connection as H2, Event, Field, H2Error, HeadersKind, StreamId};

use crate::decode::h2::frames;
use crate::fetch::Target;
use crate::h2_link::{Link, Received};
use crate::{Failure, clock};

/// One request's answer.
#[derive(Default)]
pub struct Answer {
    path: String,
    status: Option<u16>,
    body: Vec<u8>,
    done: bool,
}

impl Answer {
    /// The answer to a GET of `path`, still to come.
    pub fn new(path: &str) -> Self {
        Self {
            path: path.to_string(),
            ..Self::default()
        }
    }
}

/// The paths to GET: the URL's, or the articles' five parallel `/api/test?i=N` for `/`.
pub fn paths(target: &Target) -> Vec<String> {
    if target.path == "/" {
        (1..=5).map(|i| format!("/api/test?i={i}")).collect()
    } else {
        vec![target.path.clone()]
    }
}

/// Fetches over HTTP/2 and writes the trace to `out`.
pub fn run(url: &str, out: &mut impl Write) -> Result<(), Failure> {
    let target = Target::parse(url, "http")?;
    // The link below sets the short reads it needs.
    let stream = target.connect(Duration::from_secs(30))?;
    let h2 = H2::client(Config::default(), clock::now());
    exchange(
        h2,
        stream,
        &target,
        &paths(&target),
        BTreeMap::new(),
        &[],
        out,
    )
}

/// Sends a GET of each of `paths` on `h2`, runs the connection until those and the requests
/// already in `answers` (an upgrade's stream 1) are answered, then writes a summary and every
/// frame each way. `early` holds HTTP/2 bytes already read from `stream`.
pub fn exchange(
    h2: H2,
    stream: TcpStream,
    target: &Target,
    paths: &[String],
    mut answers: BTreeMap<StreamId, Answer>,
    early: &[u8],
    out: &mut impl Write,
) -> Result<(), Failure> {
    let (authority, address) = (&target.authority, &target.address);
    let mut link = Link::new(h2, stream, true)?;
    let h2 = &mut link.h2;
    for path in paths {
        let fields = [
            Field::new(b":method", b"GET"),
            Field::new(b":scheme", b"http"),
            Field::new(b":authority", authority.as_bytes()),
            Field::new(b":path", path.as_bytes()),
            Field::new(b"user-agent", b"wiretrace"),
        ];
        let id = h2
            .send_request(fields, true)
            .map_err(|e| Failure(format!("request {path}: {e}")))?;
        answers.insert(id, Answer::new(path));
    }

    let connection_error = |e: H2Error| Failure(format!("connection: {e}"));
    link.feed(early).map_err(connection_error)?;
    let deadline = clock::now() + Duration::from_secs(30);
    let mut shutting_down = false;
    loop {
        let now = link.tick();
        if now > deadline {
            return Err(Failure("no complete answer within 30 s".into()));
        }
        let h2 = &mut link.h2;
        while let Some(event) = h2.poll_event() {
            match event {
                Event::Headers {
                    stream,
                    kind: HeadersKind::Response(status),
                    end_stream,
                    ..
                } => {
                    if let Some(answer) = answers.get_mut(&stream) {
                        answer.status = Some(status);
                        answer.done |= end_stream;
                    }
                }
                Event::Data {
                    stream,
                    data,
                    end_stream,
                } => {
                    if let Some(answer) = answers.get_mut(&stream) {
                        answer.body.extend_from_slice(&data);
                        answer.done |= end_stream;
                    }
                }
                Event::Headers {
                    stream,
                    end_stream: true,
                    ..
                } => {
                    if let Some(answer) = answers.get_mut(&stream) {
                        answer.done = true;
                    }
                }
                Event::StreamReset { stream, .. } => {
                    if let Some(answer) = answers.get_mut(&stream) {
                        answer.done = true;
                    }
                }
                Event::ConnectionError(e) => return Err(Failure(format!("connection: {e}"))),
                _ => {}
            }
        }
        if !shutting_down && answers.values().all(|a| a.done) {
            // A client's graceful end: one GOAWAY (RFC 9113 §6.8).
            let _ = h2.shutdown();
            shutting_down = true;
        }
        link.flush(now)?;
        if shutting_down {
            break;
        }
        match link.receive()? {
            Received::Closed => break,
            Received::Quiet => {}
            Received::Fed(fed) => fed.map_err(connection_error)?,
        }
    }

    writeln!(
        out,
        "{} request(s) on one HTTP/2 connection to {address}:",
        answers.len()
    )?;
    for (id, answer) in &answers {
        writeln!(
            out,
            "  stream {id} GET {} -> {} ({} byte(s)) {}",
            answer.path,
            answer
                .status
                .map_or("no response".into(), |s| s.to_string()),
            answer.body.len(),
            String::from_utf8_lossy(&answer.body).trim_end()
        )?;
    }
    writeln!(out)?;
    frames(&link.sent, false, out)?;
    writeln!(out)?;
    frames(&link.received, true, out)?;
    if answers.values().any(|a| a.status.is_none()) {
        return Err(Failure("a request got no response".into()));
    }
    Ok(())
}
