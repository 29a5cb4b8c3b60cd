//! The HPACK decoder (RFC 7541 §3, §6).

use alloc::vec::Vec;
use wire_codec::{DecodeError, Reader};

use super::table::{DynamicTable, EntryMeta, join};
use super::{DEFAULT_TABLE_SIZE, ENTRY_OVERHEAD, Field, Header, static_table};
use crate::huffman::{self, HuffmanError};
use crate::prefix_int;

/// Limits of a [`Decoder`]. Every one is enforced while decoding, before allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecoderConfig {
    /// The SETTINGS_HEADER_TABLE_SIZE we advertised and the peer acknowledged: the largest
    /// dynamic table size update accepted (RFC 7541 §6.3). Default 4096.
    pub max_table_size: usize,
    /// The largest header list, counted as name + value + 32 per field (RFC 9113 §6.5.2
    /// SETTINGS_MAX_HEADER_LIST_SIZE). Default 64 KiB.
    pub max_header_list_size: usize,
    /// The most fields in one header block. Default 1024.
    pub max_fields: usize,
    /// The longest name or value, after Huffman decoding (a Huffman-coded string may take
    /// up to 30 bits per octet on the wire). Default 64 KiB.
    pub max_string_len: usize,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        Self {
            max_table_size: DEFAULT_TABLE_SIZE,
            max_header_list_size: 64 * 1024,
            max_fields: 1024,
            max_string_len: 64 * 1024,
        }
    }
}

impl DecoderConfig {
    /// The defaults with another acknowledged SETTINGS_HEADER_TABLE_SIZE.
    pub fn with_max_table_size(mut self, max_table_size: usize) -> Self {
        self.max_table_size = max_table_size;
        self
    }

    /// The defaults with another header list size limit.
    pub fn with_max_header_list_size(mut self, max_header_list_size: usize) -> Self {
        self.max_header_list_size = max_header_list_size;
        self
    }

    /// The defaults with another field count limit.
    pub fn with_max_fields(mut self, max_fields: usize) -> Self {
        self.max_fields = max_fields;
        self
    }

    /// The defaults with another string length limit.
    pub fn with_max_string_len(mut self, max_string_len: usize) -> Self {
        self.max_string_len = max_string_len;
        self
    }
}

/// What is wrong with a header block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The block ends inside a representation (RFC 7541 §3.2: a decoder must decode the block
    /// completely).
    #[error("header block ends inside a representation")]
    Truncated,
    /// A prefixed integer beyond 2^62 - 1 or over-long (RFC 7541 §5.1).
    #[error("integer too large (RFC 7541 §5.1)")]
    IntegerOverflow,
    /// Index 0, or an index past the end of the dynamic table (RFC 7541 §2.3.3).
    #[error("index {0} is not in the static or dynamic table (RFC 7541 §2.3.3)")]
    InvalidIndex(u64),
    /// An invalid Huffman-coded string (RFC 7541 §5.2).
    #[error("invalid Huffman string (RFC 7541 §5.2): {0}")]
    Huffman(HuffmanError),
    /// A string longer than [`DecoderConfig::max_string_len`].
    #[error("string of {len} bytes exceeds the limit of {limit}")]
    StringTooLong {
        /// Its (encoded) length.
        len: u64,
        /// The limit.
        limit: usize,
    },
    /// A dynamic table size update above the acknowledged SETTINGS_HEADER_TABLE_SIZE
    /// (RFC 7541 §6.3).
    #[error(
        "dynamic table size update to {size} exceeds SETTINGS_HEADER_TABLE_SIZE {max} (RFC 7541 §6.3)"
    )]
    TableSizeTooLarge {
        /// The size requested.
        size: u64,
        /// The acknowledged maximum.
        max: usize,
    },
    /// A dynamic table size update after a field representation (RFC 7541 §4.2).
    #[error("dynamic table size update after the start of the block (RFC 7541 §4.2)")]
    TableSizeUpdateNotAtStart,
    /// SETTINGS_HEADER_TABLE_SIZE was reduced below the table's maximum size and the next
    /// block did not start with a size update to at most the smallest value the setting took
    /// in between (RFC 7541 §4.2).
    #[error(
        "expected a dynamic table size update to at most {max} at the start of the block (RFC 7541 §4.2)"
    )]
    MissingTableSizeUpdate {
        /// The smallest value of the setting since the previous block.
        max: usize,
    },
    /// The decoded header list exceeds [`DecoderConfig::max_header_list_size`]. Not a
    /// compression error: the block was decoded to its end and the decoder remains usable.
    #[error("header list larger than {limit} bytes")]
    HeaderListTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The block has more fields than [`DecoderConfig::max_fields`]. Not a compression error,
    /// like [`HeaderListTooLarge`](Self::HeaderListTooLarge).
    #[error("more than {limit} header fields")]
    TooManyFields {
        /// The limit.
        limit: usize,
    },
}

/// HTTP/2's COMPRESSION_ERROR (RFC 9113 §7), the connection error for a bad header block.
pub const COMPRESSION_ERROR: u32 = 0x9;

/// A header block that failed to decode: what, and at which byte of the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{}: {kind} at byte {offset}", self.code_name())]
pub struct Error {
    kind: ErrorKind,
    offset: usize,
}

impl Error {
    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Offset in the block of the representation that failed (for a limit: the first field
    /// beyond it).
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Whether the decoder's state is lost: a COMPRESSION_ERROR that ends the connection
    /// (RFC 9113 §4.3). Limit errors are not: the block was decoded in full, the decoder
    /// stays in sync, and HTTP/2 answers the stream alone (e.g. with 431).
    pub const fn is_connection_error(&self) -> bool {
        !matches!(
            self.kind,
            ErrorKind::HeaderListTooLarge { .. } | ErrorKind::TooManyFields { .. }
        )
    }

    /// The HTTP/2 error code: COMPRESSION_ERROR for a connection error, else `None` (the
    /// stream's own response, such as 431, is the application's choice).
    pub const fn h2_error_code(&self) -> Option<u32> {
        if self.is_connection_error() {
            Some(COMPRESSION_ERROR)
        } else {
            None
        }
    }

    fn code_name(&self) -> &'static str {
        if self.is_connection_error() {
            "COMPRESSION_ERROR"
        } else {
            "header list limit"
        }
    }
}

/// The largest Huffman decoding buffer kept between blocks.
const SCRATCH_KEPT: usize = 4096;

/// Decodes HPACK header blocks, keeping the dynamic table between them (RFC 7541 §3).
///
/// A connection error ([`Error::is_connection_error`]) is sticky: every later call returns it.
#[derive(Debug)]
pub struct Decoder {
    config: DecoderConfig,
    table: DynamicTable,
    /// The setting went below the table's capacity since the last block: the next block must
    /// start with a size update to at most the smallest such value (RFC 7541 §4.2).
    required_update: Option<usize>,
    failed: Option<Error>,
    name_buf: Vec<u8>,
    value_buf: Vec<u8>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DecoderConfig::default())
    }
}

impl Decoder {
    /// A decoder with an empty dynamic table of `config.max_table_size`.
    pub fn new(config: DecoderConfig) -> Self {
        Self {
            table: DynamicTable::new(config.max_table_size),
            config,
            required_update: None,
            failed: None,
            name_buf: Vec::new(),
            value_buf: Vec::new(),
        }
    }

    /// The limits in force.
    pub const fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// The peer acknowledged a new SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.3). Lowering it
    /// below the current table's maximum requires the next block to start with a size update
    /// to at most the smallest value the setting took since then, even if it was raised again
    /// (RFC 7541 §4.2).
    pub fn set_max_table_size(&mut self, max_table_size: usize) {
        if max_table_size < self.table.capacity() {
            self.required_update = Some(
                self.required_update
                    .map_or(max_table_size, |smallest| smallest.min(max_table_size)),
            );
        }
        self.config.max_table_size = max_table_size;
    }

    /// Changes the header list size limit.
    pub fn set_max_header_list_size(&mut self, max_header_list_size: usize) {
        self.config.max_header_list_size = max_header_list_size;
    }

    /// The dynamic table's current size (RFC 7541 §4.1).
    pub fn table_size(&self) -> usize {
        self.table.size()
    }

    /// The dynamic table's current maximum size (as set by the last size update).
    pub fn table_capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The dynamic table's entries, newest (index 62) first.
    pub fn table_entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.table.iter().map(|e| (e.name(), e.value()))
    }

    /// Decodes one complete header block, handing each field to `emit` in order.
    ///
    /// On a limit error ([`ErrorKind::HeaderListTooLarge`], [`ErrorKind::TooManyFields`]) the
    /// block is still decoded to its end to keep the dynamic table in sync, but no field past
    /// the limit is emitted; the error comes at the end.
    pub fn decode(&mut self, block: &[u8], mut emit: impl FnMut(Field<'_>)) -> Result<(), Error> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let result = self.decode_block(block, &mut emit);
        // One large Huffman string must not pin its buffer for the connection's life.
        for buf in [&mut self.name_buf, &mut self.value_buf] {
            if buf.capacity() > SCRATCH_KEPT {
                *buf = Vec::new();
            }
        }
        if let Err(error) = result
            && error.is_connection_error()
        {
            self.failed = Some(error);
        }
        result
    }

    /// Decodes one header block into owned headers.
    pub fn decode_to_vec(&mut self, block: &[u8]) -> Result<Vec<Header>, Error> {
        let mut headers = Vec::new();
        self.decode(block, |field| headers.push(field.to_header()))?;
        Ok(headers)
    }

    fn decode_block(
        &mut self,
        block: &[u8],
        emit: &mut impl FnMut(Field<'_>),
    ) -> Result<(), Error> {
        let Self {
            config,
            table,
            required_update,
            name_buf,
            value_buf,
            ..
        } = self;
        let mut reader = Reader::new(block);
        let mut at_start = true;
        let mut list_size = 0usize;
        let mut fields = 0usize;
        let mut over_limit: Option<Error> = None;
        while let Ok(first) = reader.peek_u8() {
            let offset = reader.position();
            let fail = |kind| Error { kind, offset };
            if first & 0xe0 == 0x20 {
                // §6.3 Dynamic Table Size Update: only before the first field (§4.2).
                if !at_start {
                    return Err(fail(ErrorKind::TableSizeUpdateNotAtStart));
                }
                let size = integer(&mut reader, 5).map_err(fail)?;
                if size > config.max_table_size as u64 {
                    return Err(fail(ErrorKind::TableSizeTooLarge {
                        size,
                        max: config.max_table_size,
                    }));
                }
                table.set_capacity(size as usize);
                if required_update.is_some_and(|smallest| size <= smallest as u64) {
                    *required_update = None;
                }
                continue;
            }
            if at_start && let Some(smallest) = *required_update {
                return Err(fail(ErrorKind::MissingTableSizeUpdate { max: smallest }));
            }
            at_start = false;
            let field: Field<'_>;
            let mut index_it = false;
            if first & 0x80 != 0 {
                // §6.1 Indexed Header Field.
                let index = integer(&mut reader, 7).map_err(fail)?;
                let (name, value) =
                    lookup(table, index).ok_or(fail(ErrorKind::InvalidIndex(index)))?;
                field = Field::new(name, value);
            } else {
                // §6.2 Literal Header Field: with incremental indexing (01), never indexed
                // (0001), or without indexing (0000).
                let (prefix, sensitive) = if first & 0x40 != 0 {
                    index_it = true;
                    (6, false)
                } else {
                    (4, first & 0x10 != 0)
                };
                let index = integer(&mut reader, prefix).map_err(fail)?;
                let name = if index == 0 {
                    string(&mut reader, name_buf, config.max_string_len).map_err(fail)?
                } else {
                    lookup(table, index)
                        .ok_or(fail(ErrorKind::InvalidIndex(index)))?
                        .0
                };
                let value = string(&mut reader, value_buf, config.max_string_len).map_err(fail)?;
                field = Field {
                    name,
                    value,
                    sensitive,
                };
            }
            fields += 1;
            list_size =
                list_size.saturating_add(field.name.len() + field.value.len() + ENTRY_OVERHEAD);
            if over_limit.is_none() {
                if fields > config.max_fields {
                    over_limit = Some(fail(ErrorKind::TooManyFields {
                        limit: config.max_fields,
                    }));
                } else if list_size > config.max_header_list_size {
                    over_limit = Some(fail(ErrorKind::HeaderListTooLarge {
                        limit: config.max_header_list_size,
                    }));
                } else {
                    emit(field);
                }
            }
            if index_it {
                if table.fits(field.size()) {
                    let bytes = join(field.name, field.value);
                    table.insert(bytes, field.name.len(), EntryMeta::default());
                } else {
                    // §4.4: an entry larger than the table empties it.
                    table.clear();
                }
            }
        }
        match over_limit {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// Index space of §2.3.3: 1..=61 static, then the dynamic table, newest first.
#[inline]
fn lookup(table: &DynamicTable, index: u64) -> Option<(&[u8], &[u8])> {
    let index = usize::try_from(index).ok()?;
    if index <= static_table::STATIC_TABLE.len() {
        return static_table::get(index);
    }
    table
        .get(index - static_table::STATIC_TABLE.len() - 1)
        .map(|e| (e.name(), e.value()))
}

/// A prefixed integer (§5.1); running out of block is [`ErrorKind::Truncated`].
#[inline]
fn integer(reader: &mut Reader<'_>, prefix_bits: u8) -> Result<u64, ErrorKind> {
    prefix_int::decode(reader, prefix_bits).map_err(|e| match e {
        DecodeError::Incomplete(_) => ErrorKind::Truncated,
        DecodeError::Invalid(_) => ErrorKind::IntegerOverflow,
    })
}

/// A string literal (§5.2), borrowed from the block, or Huffman-decoded into `buf`. Its length
/// is checked against `limit` before anything is read or allocated: a raw string's directly,
/// a Huffman-coded one's against the most bytes `limit` octets take (30 bits each, §5.2),
/// and its decoded length while decoding.
#[inline]
fn string<'r: 'b, 'b>(
    reader: &mut Reader<'r>,
    buf: &'b mut Vec<u8>,
    limit: usize,
) -> Result<&'b [u8], ErrorKind> {
    let huffman_coded = reader.peek_u8().map_err(|_| ErrorKind::Truncated)? & 0x80 != 0;
    let len = integer(reader, 7)?;
    let too_long = ErrorKind::StringTooLong { len, limit };
    let len = usize::try_from(len).map_err(|_| too_long)?;
    let max_encoded = if huffman_coded {
        limit.saturating_mul(30).div_ceil(8)
    } else {
        limit
    };
    if len > max_encoded {
        return Err(too_long);
    }
    let bytes = reader.read_bytes(len).map_err(|_| ErrorKind::Truncated)?;
    if !huffman_coded {
        return Ok(bytes);
    }
    buf.clear();
    huffman::decode(bytes, limit, buf).map_err(|e| match e {
        HuffmanError::TooLong { .. } => ErrorKind::StringTooLong {
            len: len as u64,
            limit,
        },
        other => ErrorKind::Huffman(other),
    })?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// Review: one large Huffman-coded name and value must not leave their decoding buffers
    /// allocated for the rest of the connection.
    #[test]
    fn scratch_buffers_do_not_stay_large() {
        let mut decoder = Decoder::new(DecoderConfig::default().with_max_header_list_size(1 << 20));
        let mut coded = Vec::new();
        huffman::encode(&[b'a'; 60_000], &mut coded).unwrap();
        let mut block = vec![0x00];
        for _ in 0..2 {
            prefix_int::encode(&mut block, 0x80, 7, coded.len() as u64).unwrap();
            block.extend_from_slice(&coded);
        }
        let mut lens = (0, 0);
        decoder
            .decode(&block, |f| lens = (f.name.len(), f.value.len()))
            .unwrap();
        assert_eq!(lens, (60_000, 60_000));
        assert!(
            decoder.name_buf.capacity() <= SCRATCH_KEPT,
            "{}",
            decoder.name_buf.capacity()
        );
        assert!(decoder.value_buf.capacity() <= SCRATCH_KEPT);
    }
}
