//! HTTP/2 (RFC 9113) as sans-IO client and server connection state machines.
//!
//! - [`frame`]: the frames of RFC 9113 §6 (and PRIORITY_UPDATE, RFC 9218), a zero-copy decoder
//!   and an encoder into caller buffers, with §6's validation as typed [`H2Error`]s.
//! - [`connection`]: [`Connection`], both roles: preface, SETTINGS and their ACK timeout, the
//!   §5.1 stream states ([`stream`]), HPACK through `qpack-hpack`, message validation
//!   ([`http_fields`], shared with HTTP/3), flow control, GOAWAY, server push
//!   ([`Connection::push_promise`], [`Event::PushPromise`], RFC 9113 §8.4), extended CONNECT
//!   (RFC 8441, [`Config::with_connect_protocol`]: WebSocket over HTTP/2), and every known
//!   HTTP/2 denial-of-service class bounded by [`Limits`] (defaults like nghttp2's).
//! - [`priority`] and [`schedule`]: RFC 9218 extensible priorities — the `priority` field and
//!   PRIORITY_UPDATE value (shared with HTTP/3), and the order in which streams' DATA is sent
//!   (urgency, then incremental or not); see [`Connection::set_priority`] and
//!   [`Connection::send_priority_update`].
//! - [`fuzzing`]: the fuzz targets' entry points.
//!
//! ```
//! use h2_proto::{Config, Connection, Event, Field, HeadersKind};
//! use wire_codec::Instant;
//!
//! let now = Instant::ZERO;
//! let mut client = Connection::client(Config::default(), now);
//! let mut server = Connection::server(Config::default(), now);
//! let request = [(":method", "GET"), (":scheme", "https"), (":authority", "example.org"), (":path", "/")];
//! let stream = client.send_request(request.map(Field::from), true).unwrap();
//!
//! // The IO layer moves bytes: poll_transmit on one side, handle_input on the other.
//! let mut buf = [0u8; 4096];
//! let mut pump = |from: &mut Connection, to: &mut Connection| loop {
//!     let n = from.poll_transmit(now, &mut buf);
//!     if n == 0 { break }
//!     to.handle_input(&buf[..n], now).unwrap();
//! };
//! pump(&mut client, &mut server);
//! while let Some(event) = server.poll_event() {
//!     if let Event::Headers { stream, kind: HeadersKind::Request, .. } = event {
//!         server.send_headers(stream, [Field::from((":status", "200"))], false).unwrap();
//!         server.send_data(stream, b"hello!", true).unwrap(); // returns how much the window took
//!     }
//! }
//! pump(&mut server, &mut client);
//! let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
//! assert!(events.iter().any(|e| matches!(e, Event::Headers { kind: HeadersKind::Response(200), .. })));
//! assert!(events.iter().any(|e| matches!(e, Event::Data { stream: s, data, end_stream: true } if *s == stream && data == "hello!")));
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

pub mod connection;
pub mod error;
pub mod frame;
pub mod fuzzing;
pub mod http_fields;
pub mod priority;
pub mod schedule;
pub mod stream;

pub use connection::{
    Config, Connection, Event, HeadersKind, Limits, LocalSettings, PeerSettings, Role, UserError,
};
pub use error::{ErrorCode, H2Error, Reason, Scope};
pub use frame::{Frame, StreamId};
pub use priority::Priority;
pub use qpack_hpack::hpack::{Field, Header};
