//! QPACK (RFC 9204): field compression for HTTP/3.
//!
//! - [`Decoder`]: consumes the peer encoder's stream ([`Decoder::handle_encoder_stream`], any
//!   chunking) and encoded field sections ([`Decoder::decode_section`]); a section that needs
//!   inserts not yet received is held as blocked and comes out of [`Decoder::poll_event`] once
//!   they arrive. Decoder-stream instructions are written by [`Decoder::poll_decoder_stream`].
//! - [`Encoder`]: encodes field sections ([`Encoder::encode`]) using the static and the dynamic
//!   table, writes encoder-stream instructions ([`Encoder::poll_encoder_stream`]) and consumes the
//!   peer decoder's stream ([`Encoder::handle_decoder_stream`]).
//!
//! Both sides are sans-IO: bytes in, bytes out, no clock. Every buffer the peer can grow is
//! bounded by a setting, and every peer error is an [`Error`] whose [`Error::code`] is the
//! HTTP/3 error code to close the connection (or reset the stream) with.

mod decoder;
mod encoder;
pub mod fuzzing;
mod index;
mod instruction;
mod section;
pub mod static_table;
mod table;
mod wire;

pub use decoder::{Decoded, Decoder, DecoderSettings, Event};
pub use encoder::{Encoder, EncoderSettings};
pub use instruction::{DecoderInstruction, EncoderInstruction};
pub use section::{
    FieldLine, SectionPrefix, decode_required_insert_count, encode_required_insert_count,
};
pub use table::{DynamicTable, ENTRY_OVERHEAD};

use alloc::vec::Vec;

/// One field (a name and a value), as decoded from or handed to QPACK.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Field {
    /// The field name (lowercase in HTTP/3, but QPACK does not check).
    pub name: Vec<u8>,
    /// The field value.
    pub value: Vec<u8>,
    /// Whether the field must never be put into a dynamic table, here or by an intermediary
    /// (the `N` bit of the literal representations, RFC 9204 §4.5.4). The decoder sets it as
    /// received; the encoder never indexes such a field.
    pub sensitive: bool,
}

impl Field {
    /// A field that may be indexed.
    pub fn new(name: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            sensitive: false,
        }
    }

    /// A field that must never be indexed (RFC 9204 §4.5.4, `N` bit).
    pub fn sensitive(name: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Self {
        Self {
            sensitive: true,
            ..Self::new(name, value)
        }
    }

    /// The size of the field as charged against a field-section size limit and as a table
    /// entry: name + value + 32 (RFC 9204 §3.2.1, RFC 9114 §4.2.2).
    pub fn size(&self) -> u64 {
        entry_size(self.name.len(), self.value.len())
    }
}

/// name + value + 32, saturating (RFC 9204 §3.2.1).
pub(crate) fn entry_size(name_len: usize, value_len: usize) -> u64 {
    (name_len as u64)
        .saturating_add(value_len as u64)
        .saturating_add(ENTRY_OVERHEAD)
}

/// HTTP/3 error codes QPACK errors map to (RFC 9204 §6, RFC 9114 §8.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `QPACK_DECOMPRESSION_FAILED` (0x0200): a field section could not be decoded.
    DecompressionFailed = 0x0200,
    /// `QPACK_ENCODER_STREAM_ERROR` (0x0201): an encoder instruction could not be processed.
    EncoderStreamError = 0x0201,
    /// `QPACK_DECODER_STREAM_ERROR` (0x0202): a decoder instruction could not be processed.
    DecoderStreamError = 0x0202,
    /// `H3_EXCESSIVE_LOAD` (0x0107): the peer made us exceed a local resource limit.
    ExcessiveLoad = 0x0107,
}

/// What exactly was wrong, inside an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// A prefix integer does not fit in 62 bits (RFC 7541 §5.1).
    #[error("integer too large")]
    IntegerTooLarge,
    /// A Huffman-coded string is invalid (RFC 7541 §5.2).
    #[error("invalid Huffman code")]
    InvalidHuffman,
    /// A string is longer than the configured limit.
    #[error("string longer than the limit")]
    StringTooLong,
    /// The representation ended before its last byte.
    #[error("truncated representation")]
    Truncated,
    /// The encoded Required Insert Count is impossible (RFC 9204 §4.5.1.1).
    #[error("invalid Required Insert Count")]
    InvalidRequiredInsertCount,
    /// Sign bit 1 with Delta Base ≥ Required Insert Count (RFC 9204 §4.5.1.2).
    #[error("negative Base")]
    NegativeBase,
    /// A static table index beyond the table (RFC 9204 §3.1).
    #[error("invalid static table index")]
    InvalidStaticIndex,
    /// A dynamic reference at or above the Required Insert Count or the Insert Count
    /// (RFC 9204 §2.2.3).
    #[error("reference to an entry not inserted")]
    ReferenceBeyondInsertCount,
    /// A relative index that points before the first entry ever inserted (Base - 1 - index
    /// < 0, RFC 9204 §3.2.5).
    #[error("relative index beyond the Base")]
    InvalidRelativeIndex,
    /// A reference to an evicted entry (RFC 9204 §2.2.3).
    #[error("reference to an evicted entry")]
    ReferenceEvicted,
    /// The section referenced no entry as recent as its Required Insert Count implies
    /// (RFC 9204 §2.2.1, which allows treating this as an error).
    #[error("Required Insert Count larger than needed")]
    RequiredInsertCountTooLarge,
    /// More blocked streams than SETTINGS_QPACK_BLOCKED_STREAMS allows (RFC 9204 §2.1.2).
    #[error("too many blocked streams")]
    TooManyBlockedStreams,
    /// A second field section on a stream that already has one blocked.
    #[error("section while the stream is blocked")]
    StreamAlreadyBlocked,
    /// A capacity above SETTINGS_QPACK_MAX_TABLE_CAPACITY (RFC 9204 §4.3.1).
    #[error("capacity above the maximum")]
    CapacityTooLarge,
    /// An entry larger than the table capacity (RFC 9204 §3.2.2).
    #[error("entry larger than the table capacity")]
    EntryTooLarge,
    /// An insert would evict an entry that is not evictable (encoder side, local).
    #[error("no room for the entry")]
    NoRoom,
    /// An Insert Count Increment of zero or beyond the inserts sent (RFC 9204 §4.4.3).
    #[error("invalid Insert Count Increment")]
    InvalidIncrement,
    /// A Section Acknowledgment for a stream with nothing to acknowledge (RFC 9204 §4.4.1).
    #[error("unexpected Section Acknowledgment")]
    UnexpectedAcknowledgment,
    /// A stream id beyond 2^62 - 1.
    #[error("invalid stream id")]
    InvalidStreamId,
    /// A partial instruction longer than the configured buffer.
    #[error("instruction larger than the buffer limit")]
    InstructionTooLarge,
    /// Held bytes of blocked sections beyond the configured limit.
    #[error("blocked sections exceed the buffer limit")]
    BlockedBytesLimit,
    /// The decoded field section exceeds the configured size limit (RFC 9114 §4.2.2).
    #[error("field section larger than the limit")]
    FieldSectionTooLarge,
}

/// A QPACK error: which stream is at fault (by its error code) and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field section could not be decoded (RFC 9204 §6): connection error
    /// `QPACK_DECOMPRESSION_FAILED`.
    #[error("QPACK_DECOMPRESSION_FAILED: {0}")]
    DecompressionFailed(Reason),
    /// The peer's encoder stream is invalid (RFC 9204 §6): `QPACK_ENCODER_STREAM_ERROR`.
    #[error("QPACK_ENCODER_STREAM_ERROR: {0}")]
    EncoderStream(Reason),
    /// The peer's decoder stream is invalid (RFC 9204 §6): `QPACK_DECODER_STREAM_ERROR`.
    #[error("QPACK_DECODER_STREAM_ERROR: {0}")]
    DecoderStream(Reason),
    /// A field section decodes to more than the configured limit. This is a stream error
    /// (the request is rejected, e.g. with 431), not a connection error; the table state is
    /// intact.
    #[error("field section larger than {limit} bytes")]
    FieldSectionTooLarge {
        /// The configured limit (name + value + 32 per field).
        limit: u64,
    },
    /// The peer made us buffer more than a configured limit: `H3_EXCESSIVE_LOAD`.
    #[error("H3_EXCESSIVE_LOAD: {0}")]
    ExcessiveLoad(Reason),
    /// Local misuse of the encoder (not a peer error).
    #[error("local misuse: {0}")]
    Local(Reason),
}

impl Error {
    /// The HTTP/3 error code (RFC 9204 §6; `H3_EXCESSIVE_LOAD` for local limits).
    pub fn code(&self) -> u64 {
        self.error_code() as u64
    }

    /// The error code as an enum.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::DecompressionFailed(_) => ErrorCode::DecompressionFailed,
            Self::EncoderStream(_) => ErrorCode::EncoderStreamError,
            Self::DecoderStream(_) => ErrorCode::DecoderStreamError,
            Self::FieldSectionTooLarge { .. } | Self::ExcessiveLoad(_) | Self::Local(_) => {
                ErrorCode::ExcessiveLoad
            }
        }
    }

    /// Whether the whole connection must close (every QPACK error but a too-large field
    /// section and local misuse).
    pub fn is_connection_error(&self) -> bool {
        !matches!(self, Self::FieldSectionTooLarge { .. } | Self::Local(_))
    }
}
