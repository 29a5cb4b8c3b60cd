//! HTTP/3 (RFC 9114) over any QUIC implementation: it consumes and produces stream bytes,
//! never packets, so it does not depend on `quic-proto`.
//!
//! Status: the workspace foundation is in place; HTTP/3 follows the QUIC connection work.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
