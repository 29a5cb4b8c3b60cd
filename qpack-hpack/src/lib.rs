//! Field compression for HTTP/2 and HTTP/3: HPACK (RFC 7541) and QPACK (RFC 9204).
//!
//! Decoders enforce their limits while decoding, before allocating, so a decompression bomb
//! fails cleanly; QPACK encoder and decoder streams are sans-IO state machines that accept
//! stream bytes in any chunking.
//!
//! - [`hpack`]: HPACK decoder and encoder (RFC 7541).
//! - [`qpack`]: QPACK decoder and encoder with the dynamic table, and the encoder- and
//!   decoder-stream instructions (RFC 9204).
//! - [`prefix_int`] and [`huffman`]: the prefixed integers (RFC 7541 §5.1) and Huffman code
//!   (RFC 7541 §5.2, Appendix B) that HPACK and QPACK share.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

pub mod hpack;
pub mod huffman;
pub mod prefix_int;
pub mod qpack;
