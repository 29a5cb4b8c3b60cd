//! WebSocket (RFC 6455) with permessage-deflate (RFC 7692) as a sans-IO state machine.
//!
//! The opening handshake runs on `h1-proto`; the frame layer assumes no HTTP version, so it also
//! runs over HTTP/2 (RFC 8441) and HTTP/3 (RFC 9220) extended CONNECT streams.
//!
//! Status: the workspace foundation is in place; framing and the handshake land with the
//! ws-proto issue.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
