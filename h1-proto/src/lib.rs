//! HTTP/1.0 and HTTP/1.1 (RFC 9112) as sans-IO client and server state machines.
//!
//! Bytes in, events out: request and response heads borrowed from the input, body data framed
//! by Content-Length, chunked coding or connection close (RFC 9112 §6), trailers, 1xx responses
//! and protocol switches. Strict by default against request smuggling, with named leniencies.
//!
//! Status: the workspace foundation is in place; the parser and state machines land with the
//! h1-proto issue.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
