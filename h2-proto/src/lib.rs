//! HTTP/2 (RFC 9113) as sans-IO client and server connection state machines.
//!
//! Frames (RFC 9113 §6), the stream state machine (§5.1), flow control (§5.2), HPACK through
//! `qpack-hpack`, and every known HTTP/2 denial-of-service class bounded by a configurable
//! limit.
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
pub mod stream;

pub use connection::{
    Config, Connection, Event, HeadersKind, Limits, LocalSettings, PeerSettings, Role, UserError,
};
pub use error::{ErrorCode, H2Error, Reason, Scope};
pub use frame::{Frame, StreamId};
pub use qpack_hpack::hpack::{Field, Header};
