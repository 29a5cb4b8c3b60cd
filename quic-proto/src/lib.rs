//! QUIC (RFC 9000, RFC 9001, RFC 9369) without IO: packets and frames, packet protection, and
//! later the connection and endpoint state machines in quinn-proto's shape.
//!
//! Status: the workspace foundation is in place; the wire format and packet protection land
//! with the quic-proto issue.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
