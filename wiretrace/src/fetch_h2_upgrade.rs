//! `wiretrace fetch --http2-upgrade http://…`: h2c by HTTP/1.1 Upgrade (RFC 7540 §3.2). The
//! first GET goes out as HTTP/1.1 with `Upgrade: h2c` and `HTTP2-Settings`; after
//! `101 Switching Protocols` it is HTTP/2 stream 1 and the other requests follow on the same
//! connection, traced like `fetch --http2`. A server that answers without upgrading is
//! answered on HTTP/1.1, as the protocol says (RFC 9110 §7.8: Upgrade cannot insist).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::Duration;

use h1_proto::{Body, ClientConnection, Event, Field, Request};
use h2_proto::frame::{FrameHeader, HEADER_LEN, kind};
use h2_proto::{Config, Connection as H2};

use crate::fetch::{Target, write_head, write_sent};
use crate::fetch_h2::{Answer, exchange, paths};
use crate::{Failure, clock};

/// Fetches with an h2c upgrade and writes the trace to `out`.
pub fn run(url: &str, out: &mut impl Write) -> Result<(), Failure> {
    let target = Target::parse(url, "http")?;
    let paths = paths(&target);
    let (first, others) = paths
        .split_first()
        .ok_or_else(|| Failure("nothing to fetch".into()))?;
    let mut stream = target.connect(Duration::from_secs(30))?;

    let config = Config::default();
    let settings = config.http2_settings();
    let fields = [
        Field::new("Host", target.authority.as_bytes()),
        Field::new("User-Agent", b"wiretrace"),
        Field::new("Accept", b"*/*"),
        // RFC 7540 §3.2.1: HTTP2-Settings is hop-by-hop, so Connection names it too.
        Field::new("Connection", b"Upgrade, HTTP2-Settings"),
        Field::new("Upgrade", b"h2c"),
        Field::new("HTTP2-Settings", settings.as_bytes()),
    ];
    let mut client = ClientConnection::default();
    let request_error = |e: h1_proto::UsageError| Failure(format!("request: {e}"));
    client
        .send_request(&Request::new("GET", first, &fields), Body::Empty)
        .map_err(request_error)?;
    client.finish().map_err(request_error)?;
    let request = client.pending_transmit().to_vec();
    client.consume_transmit(request.len());
    stream.write_all(&request)?;
    write_sent(out, &request)?;

    let mut buf = vec![0u8; 16 * 1024];
    let mut body = 0usize;
    // The first bytes of the answer, to recognise a server that only speaks HTTP/2.
    let mut start = Vec::new();
    loop {
        while let Some(event) = client
            .poll_event()
            .map_err(|e| not_http1(&start).unwrap_or_else(|| Failure(format!("response: {e}"))))?
        {
            match event {
                Event::Informational(head) => write_head(out, &head)?,
                Event::Switched(early) => {
                    writeln!(
                        out,
                        "* switched to HTTP/2 (h2c): GET {first} is stream 1; {} byte(s) after \
                         the 101 head are HTTP/2",
                        early.len()
                    )?;
                    writeln!(out)?;
                    let h2 = H2::client_upgrade(config, clock::now(), "GET");
                    let mut answers = BTreeMap::new();
                    answers.insert(H2::UPGRADE_STREAM, Answer::new(first));
                    return exchange(h2, stream, &target, others, answers, early, out);
                }
                Event::Response(head) => {
                    writeln!(out, "* no upgrade: the server answered on HTTP/1.1")?;
                    write_head(out, &head)?;
                }
                Event::Data(data) => {
                    body += data.len();
                    out.write_all(data)?;
                }
                Event::EndOfMessage => {
                    writeln!(out, "* end of message: {body} body byte(s)")?;
                    if !others.is_empty() {
                        writeln!(
                            out,
                            "* {} more request(s) are for HTTP/2 only: not sent",
                            others.len()
                        )?;
                    }
                    return Ok(());
                }
                Event::Closed => {
                    return Err(Failure("the server closed before responding".into()));
                }
                _ => {}
            }
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            client.handle_eof();
        }
        let room = HEADER_LEN.saturating_sub(start.len()).min(n);
        start.extend_from_slice(&buf[..room]);
        let mut offered = &buf[..n];
        while !offered.is_empty() {
            let taken = client.handle_input(offered);
            if taken == 0 {
                return Err(Failure("response head larger than the input buffer".into()));
            }
            offered = &offered[taken..];
        }
    }
}

/// A clearer failure when the answer starts with an HTTP/2 SETTINGS frame instead of an
/// HTTP/1.1 status line: the server ignored the upgrade and spoke HTTP/2 at once (nghttpd
/// does), so only prior knowledge works with it.
fn not_http1(start: &[u8]) -> Option<Failure> {
    let header = FrameHeader::decode(start).ok()?;
    (header.kind == kind::SETTINGS && header.stream_id.is_connection()).then(|| {
        Failure(
            "the server answered with HTTP/2 frames, not HTTP/1.1: it does not take \
             `Upgrade: h2c`; try --http2 (prior knowledge)"
                .into(),
        )
    })
}
