//! HTTP/2 (RFC 9113) as sans-IO client and server connection state machines.
//!
//! Frames (RFC 9113 §6), the stream state machine (§5.1), flow control (§5.2), HPACK through
//! `qpack-hpack`, RFC 9218 priorities, h2c by prior knowledge or by HTTP/1.1 Upgrade through
//! `h1-proto`, extended CONNECT (RFC 8441), and every known HTTP/2 denial-of-service class
//! bounded by a configurable limit.
//!
//! Status: the workspace foundation is in place; frames and connections land with the h2-proto
//! issue.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
