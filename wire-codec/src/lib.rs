//! Wire primitives shared by every protocol crate of the workspace.
//!
//! - [`VarInt`]: QUIC variable-length integers (RFC 9000 §16), used by QUIC, HTTP/3 and QPACK.
//! - [`Reader`]: a panic-free cursor that borrows its input. Running out of input is
//!   [`Incomplete`] ("need more bytes"), which a parser keeps distinct from "this is wrong"
//!   through [`DecodeError`].
//! - [`Writer`] and [`Output`]: encoding into a buffer the caller owns, failing with
//!   [`BufferTooSmall`] instead of growing or panicking.
//! - [`Instant`] and [`Duration`]: time as the IO layer passes it in. Protocol crates never read
//!   a clock.
//!
//! ```
//! use wire_codec::{Reader, VarInt, Writer, Output};
//!
//! let mut buf = [0u8; 8];
//! let mut w = Writer::new(&mut buf);
//! w.put_varint(VarInt::from_u32(15_293)).unwrap();
//! assert_eq!(w.written(), &[0x7b, 0xbd]);
//!
//! let mut r = Reader::new(&[0x7b, 0xbd, 0x40]);
//! assert_eq!(r.read_varint().unwrap().into_inner(), 15_293);
//! // A two-byte varint with only its first byte present: one more byte is needed.
//! assert_eq!(r.read_varint().unwrap_err().needed(), 1);
//! ```
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

mod error;
pub mod fuzzing;
mod reader;
mod time;
mod varint;
mod writer;

pub use error::{BufferTooSmall, DecodeError, Incomplete, VarIntTooLarge};
pub use reader::Reader;
pub use time::{Duration, Instant};
pub use varint::VarInt;
pub use writer::{Output, Writer};
