//! `wiretrace decode <protocol>`: bytes in, a readable trace out. One module per protocol.

mod h1;
pub mod h2;
mod hpack;
mod qpack;
mod quic;
mod varint;
pub mod ws;

pub use varint::varints;

use std::io::Write;

use crate::Failure;
use crate::input::InputArgs;

/// The protocols `decode` knows.
#[derive(Debug, clap::Subcommand)]
pub enum Protocol {
    /// QUIC variable-length integers back to back (RFC 9000 §16).
    Varint(InputArgs),
    /// HPACK header blocks (RFC 7541).
    Hpack(hpack::HpackArgs),
    /// QPACK field sections and encoder/decoder streams (RFC 9204).
    Qpack(qpack::QpackArgs),
    /// One direction of an HTTP/1.x connection (RFC 9112).
    H1(h1::Args),
    /// One direction of an HTTP/2 connection (RFC 9113).
    H2(h2::H2Args),
    /// One direction of WebSocket frames (RFC 6455).
    Ws(ws::WsArgs),
    /// One UDP payload of QUIC packets (RFC 9000).
    Quic(quic::QuicArgs),
    /// HTTP/3 frames of one stream (RFC 9114).
    H3(InputArgs),
}

/// Decodes the input of `protocol` and writes its trace to `out`.
pub fn run(protocol: Protocol, out: &mut impl Write) -> Result<(), Failure> {
    let not_yet = |name: &str, krate: &str| {
        Err(Failure(format!(
            "decode {name}: not implemented yet ({krate} has no decoder yet)"
        )))
    };
    match protocol {
        Protocol::Varint(input) => varint::run(&input, out),
        Protocol::Hpack(args) => hpack::run(&args, out),
        Protocol::Qpack(args) => qpack::run(&args, out),
        Protocol::H1(args) => h1::run(&args, out),
        Protocol::H2(args) => h2::run(&args, out),
        Protocol::Ws(args) => ws::run(&args, out),
        Protocol::Quic(args) => quic::run(&args, out),
        Protocol::H3(_) => not_yet("h3", "h3-proto"),
    }
}

/// Lower-case hex without separators.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
