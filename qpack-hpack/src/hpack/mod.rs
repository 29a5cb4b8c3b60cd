//! HPACK: header compression for HTTP/2 (RFC 7541).
//!
//! - [`Decoder`]: one header block at a time (HEADERS plus its CONTINUATION frames, joined),
//!   with the dynamic table shared across blocks. Every limit is enforced while decoding,
//!   before allocating: the header list size (name + value + 32 per field, RFC 7541 §4.1 and
//!   RFC 9113 §6.5.2), the number of fields, and the length of each string. Fields are handed
//!   to a callback, borrowed from the input, the tables or a scratch buffer, so referencing one
//!   large entry thousands of times copies nothing.
//! - [`Encoder`]: indexes what is likely to repeat, Huffman-codes a string only when that is
//!   shorter, sends sensitive fields (authorization, short cookies, caller-marked) as never
//!   indexed, and follows the peer's SETTINGS_HEADER_TABLE_SIZE with size updates.
//!
//! ```
//! use qpack_hpack::hpack::{Decoder, DecoderConfig, Encoder, EncoderConfig, Field};
//!
//! let mut encoder = Encoder::new(EncoderConfig::default());
//! let mut block = Vec::new();
//! encoder.encode(
//!     [Field::new(b":method", b"GET"), Field::new(b"authorization", b"secret")],
//!     &mut block,
//! );
//! let mut decoder = Decoder::new(DecoderConfig::default());
//! let fields = decoder.decode_to_vec(&block).unwrap();
//! assert_eq!(fields[0].name, b":method");
//! assert!(fields[1].sensitive, "sent as never indexed");
//! ```

mod decoder;
mod encoder;
pub mod fuzzing;
mod static_table;
mod table;
#[cfg(test)]
mod tests;

pub use decoder::{Decoder, DecoderConfig, Error, ErrorKind};
pub use encoder::{Encoder, EncoderConfig, HuffmanPolicy, IndexingPolicy};
pub use static_table::STATIC_TABLE;

use alloc::vec::Vec;

/// The overhead RFC 7541 §4.1 charges per entry (and RFC 9113 §6.5.2 per field of a header
/// list) on top of its name and value.
pub const ENTRY_OVERHEAD: usize = 32;

/// The initial dynamic table size and SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.2).
pub const DEFAULT_TABLE_SIZE: usize = 4096;

/// A header field, borrowed: what the [`Decoder`] hands out and the [`Encoder`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Field<'a> {
    /// The name, as on the wire (HPACK does not validate it).
    pub name: &'a [u8],
    /// The value.
    pub value: &'a [u8],
    /// Never to be put in a compression table, by us or by intermediaries (RFC 7541 §7.1.3):
    /// decoded from a "never indexed" literal, or marked so by the caller of the encoder.
    pub sensitive: bool,
}

impl<'a> Field<'a> {
    /// A field the encoder may index.
    pub const fn new(name: &'a [u8], value: &'a [u8]) -> Self {
        Self {
            name,
            value,
            sensitive: false,
        }
    }

    /// A field the encoder must send as "never indexed" (RFC 7541 §6.2.3).
    pub const fn sensitive(name: &'a [u8], value: &'a [u8]) -> Self {
        Self {
            name,
            value,
            sensitive: true,
        }
    }

    /// Its size as RFC 7541 §4.1 counts it: name + value + 32.
    pub const fn size(&self) -> usize {
        self.name.len() + self.value.len() + ENTRY_OVERHEAD
    }

    /// An owned copy.
    pub fn to_header(&self) -> Header {
        Header {
            name: self.name.to_vec(),
            value: self.value.to_vec(),
            sensitive: self.sensitive,
        }
    }
}

/// An owned header field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Header {
    /// The name.
    pub name: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
    /// See [`Field::sensitive`].
    pub sensitive: bool,
}

impl Header {
    /// A borrowed view, e.g. to hand to the [`Encoder`].
    pub fn as_field(&self) -> Field<'_> {
        Field {
            name: &self.name,
            value: &self.value,
            sensitive: self.sensitive,
        }
    }
}

impl<'a> From<&'a Header> for Field<'a> {
    fn from(header: &'a Header) -> Self {
        header.as_field()
    }
}

impl<'a> From<(&'a [u8], &'a [u8])> for Field<'a> {
    fn from((name, value): (&'a [u8], &'a [u8])) -> Self {
        Field::new(name, value)
    }
}

impl<'a> From<(&'a str, &'a str)> for Field<'a> {
    fn from((name, value): (&'a str, &'a str)) -> Self {
        Field::new(name.as_bytes(), value.as_bytes())
    }
}
