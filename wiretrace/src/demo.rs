//! `wiretrace demo`: the articles' experiments, as far as the crates have come.

use std::io::Write;

use crate::Failure;

/// The experiments of the articles, each with what it needs.
const EXPERIMENTS: [(&str, &str); 7] = [
    ("the page and five API calls over HTTP/1.1", "h1-proto"),
    ("HTTP/1.1 over TLS 1.3 (rustls, ALPN)", "h1-proto"),
    ("HTTP/2 over TLS with 103 Early Hints", "h2-proto"),
    ("HTTP/3 over our QUIC", "quic-proto, h3-proto"),
    ("WebSocket echo", "ws-proto"),
    ("server-sent events over HTTP/1.1", "h1-proto"),
    ("server-sent events over HTTP/2", "h2-proto"),
];

/// Prints what can be shown today and what is still to come.
pub fn run(out: &mut impl Write) -> Result<(), Failure> {
    writeln!(out, "wiretrace demo")?;
    writeln!(out)?;
    writeln!(
        out,
        "QUIC variable-length integers (RFC 9000 §16), the samples of Appendix A.1:"
    )?;
    let samples = [
        &[0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c][..],
        &[0x9d, 0x7f, 0x3e, 0x7d],
        &[0x7b, 0xbd],
        &[0x25],
        &[0x40, 0x25],
    ];
    crate::decode::varints(&samples.concat(), out)?;
    writeln!(out)?;
    writeln!(out, "Experiments:")?;
    for (experiment, needs) in EXPERIMENTS {
        writeln!(out, "  [not yet] {experiment} (needs {needs})")?;
    }
    Ok(())
}
