//! WebSocket (RFC 6455) with permessage-deflate (RFC 7692) as a sans-IO state machine.
//!
//! - [`frame`]: frame headers (§5.2), decoded panic-free with "need more bytes" kept apart from
//!   "invalid"; [`apply_mask`] (§5.3), a portable block-at-a-time XOR.
//! - [`Connection`]: bytes in (any chunking) → [`Event`]s out (owned payloads), or
//!   [`EventRef`]s with payloads lent from the connection ([`Connection::poll_event_ref`], no
//!   allocation per message), or zero-copy with [`Connection::handle_input_in_place`] (unmasked
//!   in the caller's buffer, borrowed [`Message`]); commands write frames into the caller's buffer ([`FrameOutput`]: a `Vec<u8>`
//!   or a `wire_codec::Writer`). Fragmentation and reassembly with control frames interleaved, UTF-8
//!   checked incrementally and failing at the first bad byte, ping/pong, the close handshake,
//!   and configurable limits mapped to close codes 1002, 1007, 1008 and 1009.
//! - [`handshake`]: the opening handshake over a plain list of header fields, for an HTTP/1.1
//!   Upgrade or an HTTP/2 / HTTP/3 extended CONNECT (RFC 8441, RFC 9220). The frame layer
//!   assumes no HTTP version. With the `h1` feature (on by default), `h1` adapts h1-proto's
//!   heads: `ServerHandshake::accept_h1`, `ClientHandshake::verify_h1_response`.
//! - permessage-deflate: negotiation ([`DeflateConfig`], [`DeflateParams`]) is always built; the
//!   compression itself needs the `deflate` feature (on by default), which uses zlib-rs and
//!   therefore std. Window sizes 9–15 are honoured; an 8-bit compression window is declined.
//!
//! ```
//! use ws_proto::{Config, Connection, Event};
//!
//! // RFC 6455 §5.7: a masked "Hello" from a client, arriving in two pieces.
//! let frame = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
//! let mut server = Connection::server(Config::default());
//! assert_eq!(server.handle_input(&frame[..4]).unwrap(), 4);
//! assert_eq!(server.handle_input(&frame[4..]).unwrap(), 7);
//! assert_eq!(server.poll_event(), Some(Event::Text("Hello".into())));
//!
//! let mut out = Vec::new();
//! server.send_text("Hello", &mut out).unwrap();
//! assert_eq!(out, [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
//! ```
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

mod close;
mod connection;
#[cfg(feature = "deflate")]
mod deflate;
mod error;
mod extension;
pub mod frame;
pub mod fuzzing;
#[cfg(feature = "h1")]
pub mod h1;
pub mod handshake;
mod mask;
mod utf8;

pub use close::{CloseCode, CloseError, CloseFrame};
pub use connection::{
    Config, Connection, Event, EventRef, FrameOutput, MaskKeySource, Message, MessageKind, Role,
    State,
};
pub use error::{ConfigError, ProtocolError, SendError};
pub use extension::{
    DeflateConfig, DeflateNegotiationError, DeflateParams, ExtensionItem, ExtensionSyntaxError,
    MIN_COMPRESS_WINDOW_BITS, PERMESSAGE_DEFLATE, parse_extensions,
};
pub use frame::{FrameError, FrameHeader, OpCode};
pub use handshake::{
    Accepted, ClientHandshake, HandshakeError, Negotiated, ServerHandshake, Transport, accept_key,
};
pub use mask::apply_mask;
pub use utf8::{InvalidUtf8, Utf8Validator};
