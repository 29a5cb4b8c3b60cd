//! `wiretrace demo`: the articles' experiments, as far as the crates have come, run end to end
//! on loopback with every message shown.

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;

use crate::{Failure, fetch, fetch_h2, serve, ws};

/// The experiments still to come, each with what it needs.
const NOT_YET: [(&str, &str); 3] = [
    ("HTTP/1.1 over TLS 1.3 (rustls, ALPN)", "TLS in wiretrace"),
    (
        "HTTP/2 over TLS with 103 Early Hints",
        "h2 in wiretrace serve",
    ),
    ("HTTP/3 over our QUIC", "the QUIC connection, h3-proto"),
];

/// Runs what can run today and lists what is still to come.
pub fn run(out: &mut impl Write) -> Result<(), Failure> {
    writeln!(out, "wiretrace demo")?;
    writeln!(out)?;
    writeln!(
        out,
        "== QUIC variable-length integers (RFC 9000 §16), the samples of Appendix A.1"
    )?;
    let samples = [
        &[0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c][..],
        &[0x9d, 0x7f, 0x3e, 0x7d],
        &[0x7b, 0xbd],
        &[0x25],
        &[0x40, 0x25],
    ];
    crate::decode::varints(&samples.concat(), out)?;

    // The trace below is the client's view; the server stays quiet.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let shared = Arc::new(serve::Shared::silent());
    std::thread::spawn(move || serve::accept_loop(&listener, &shared));

    writeln!(out)?;
    writeln!(
        out,
        "== The page, its script and five API calls over HTTP/1.1 (server on {address})"
    )?;
    let mut paths = vec!["/".to_string(), "/client.js".to_string()];
    paths.extend((1..=5).map(|i| format!("/api/test?i={i}")));
    for path in &paths {
        writeln!(out)?;
        writeln!(out, "-- GET {path}")?;
        fetch::run(&format!("http://{address}{path}"), out)?;
    }
    writeln!(out)?;
    writeln!(out, "== Server-sent events over HTTP/1.1 (chunked)")?;
    writeln!(out)?;
    fetch::run(&format!("http://{address}/events"), out)?;

    writeln!(out)?;
    writeln!(
        out,
        "== Five parallel API calls on one HTTP/2 connection (h2c, prior knowledge)"
    )?;
    writeln!(out)?;
    fetch_h2::run(&format!("http://{address}/"), out)?;
    writeln!(out)?;
    writeln!(out, "== Server-sent events over HTTP/2")?;
    writeln!(out)?;
    fetch_h2::run(&format!("http://{address}/events"), out)?;

    writeln!(out)?;
    writeln!(
        out,
        "== WebSocket echo (RFC 6455) with permessage-deflate (RFC 7692), upgraded from HTTP/1.1"
    )?;
    writeln!(out)?;
    ws::fetch(&format!("ws://{address}/echo"), out)?;
    writeln!(out)?;
    writeln!(
        out,
        "== The same WebSocket echo over an HTTP/2 stream (extended CONNECT, RFC 8441)"
    )?;
    writeln!(out)?;
    ws::fetch_h2(&format!("ws://{address}/echo"), out)?;

    writeln!(out)?;
    writeln!(out, "== Still to come")?;
    for (experiment, needs) in NOT_YET {
        writeln!(out, "  [not yet] {experiment} (needs {needs})")?;
    }
    out.flush()?;
    Ok(())
}
