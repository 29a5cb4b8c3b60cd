//! HTTP/1.0 and HTTP/1.1 (RFC 9112) as sans-IO client and server state machines, plus
//! server-sent events.
//!
//! Bytes in, events out: request and response heads borrowed from the input, body data framed
//! by Content-Length, chunked coding or connection close (RFC 9112 §6), trailers, 1xx responses
//! and protocol switches. Strict by default against request smuggling, with named leniencies
//! ([`Leniency`]) that never let two parsers disagree on where a message ends.
//!
//! ```
//! use h1_proto::{Body, Event, Field, Response, ServerConnection};
//!
//! let mut server = ServerConnection::default();
//! server.handle_input(b"GET /hello HTTP/1.1\r\nHost: example.com\r\n\r\n");
//! match server.poll_event()? {
//!     Some(Event::Request(head)) => assert_eq!(head.target, "/hello"),
//!     other => panic!("{other:?}"),
//! }
//! assert!(matches!(server.poll_event()?, Some(Event::EndOfMessage)));
//! let fields = [Field::new("Content-Type", b"text/plain")];
//! server.send_response(&Response::new(200, &fields), Body::Length(5)).unwrap();
//! server.send_data(b"hello").unwrap();
//! server.finish().unwrap();
//! assert!(server.pending_transmit().starts_with(b"HTTP/1.1 200 OK\r\n"));
//! # Ok::<(), h1_proto::Error>(())
//! ```
//!
//! Modules: [`parse`] (the incremental head parser and the framing decision, also usable on its
//! own as [`RequestParser`]), [`body`] (length, chunked and close-delimited bodies), the two
//! connection roles ([`ServerConnection`], [`ClientConnection`]), [`sse`] (`text/event-stream`).
//! HTTP/1.x has no timers of its own, so no method takes `now`: idle timeouts belong to the IO
//! layer.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

pub mod body;
mod client;
mod config;
mod conn;
mod error;
pub mod fuzzing;
mod head;
pub mod parse;
mod server;
mod simd;
pub mod sse;

pub use body::{BodyDecoder, BodyEvent};
pub use client::ClientConnection;
pub use config::{Config, Leniency};
pub use conn::{Body, Event};
pub use error::{Error, UsageError};
pub use head::{
    Field, Fields, Request, RequestHead, Response, ResponseHead, Version, is_token, list_elements,
    reason_phrase, trim_ows,
};
pub use parse::{Framing, ParsedRequest, RequestParser};
pub use server::ServerConnection;
