//! The HPACK encoder (RFC 7541 §6, §7.1).

use alloc::vec::Vec;

use super::table::{DynamicTable, EntryMeta, join};
use super::{DEFAULT_TABLE_SIZE, Field, static_table};
use crate::{huffman, prefix_int};

/// When the encoder Huffman-codes a string (RFC 7541 §5.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum HuffmanPolicy {
    /// When the coded string is strictly shorter (the default).
    #[default]
    Shorter,
    /// Always (as RFC 7541 C.4 and C.6 do).
    Always,
    /// Never (as RFC 7541 C.3 and C.5 do).
    Never,
}

/// Which literals the encoder adds to the dynamic table (RFC 7541 §6.2.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexingPolicy {
    /// Fields likely to repeat (the default): not fields whose values rarely repeat on a
    /// connection and would only push useful entries out (`:path`, `content-length`, `age`,
    /// `etag`, `if-none-match`, `last-modified`), not `set-cookie` (kept out of the table like
    /// other credentials), nor entries larger than three quarters of the table, which would
    /// flush it. The list was measured on the hpack-test-case raw-data stories.
    #[default]
    Selective,
    /// Every literal that is not sensitive (as the examples of RFC 7541 Appendix C do).
    All,
    /// None: no dynamic table use at all.
    Nothing,
}

/// Settings of an [`Encoder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncoderConfig {
    /// The largest dynamic table we use, whatever the peer allows (memory the peer must
    /// spend on us). Default 4096.
    pub max_table_size: usize,
    /// When to Huffman-code.
    pub huffman: HuffmanPolicy,
    /// What to index.
    pub indexing: IndexingPolicy,
    /// A `cookie` value shorter than this is sent never indexed: short cookies are the ones a
    /// compression oracle can guess (RFC 7541 §7.1.3). Default 20.
    pub sensitive_cookie_len: usize,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        Self {
            max_table_size: DEFAULT_TABLE_SIZE,
            huffman: HuffmanPolicy::Shorter,
            indexing: IndexingPolicy::Selective,
            sensitive_cookie_len: 20,
        }
    }
}

impl EncoderConfig {
    /// With another Huffman policy.
    pub fn with_huffman(mut self, huffman: HuffmanPolicy) -> Self {
        self.huffman = huffman;
        self
    }

    /// With another indexing policy.
    pub fn with_indexing(mut self, indexing: IndexingPolicy) -> Self {
        self.indexing = indexing;
        self
    }

    /// With another cap on our dynamic table.
    pub fn with_max_table_size(mut self, max_table_size: usize) -> Self {
        self.max_table_size = max_table_size;
        self
    }
}

/// Size updates owed to the decoder at the start of the next block (RFC 7541 §4.2): the
/// smallest size since the last block, then the final one.
#[derive(Clone, Copy, Debug)]
struct PendingUpdate {
    smallest: usize,
    last: usize,
}

/// Encodes header lists into HPACK header blocks, keeping the dynamic table between them.
#[derive(Debug)]
pub struct Encoder {
    config: EncoderConfig,
    table: DynamicTable,
    pending: Option<PendingUpdate>,
    /// Entries inserted so far; entry ids count from 0, the newest is `inserted - 1`.
    inserted: u64,
    /// Hash chains over the dynamic table: per bucket, the id of the newest entry with a name
    /// (or name and value) hashing there; each entry links to the next older one. Evicted
    /// entries are always the oldest, so a walk stops at the first id no longer in the table
    /// and nothing is ever unlinked.
    name_heads: [u64; BUCKETS],
    field_heads: [u64; BUCKETS],
}

/// Buckets of each hash chain index: a 4096-byte table holds at most 128 entries.
const BUCKETS: usize = 256;
/// No entry.
const NONE: u64 = u64::MAX;

impl Default for Encoder {
    fn default() -> Self {
        Self::new(EncoderConfig::default())
    }
}

impl Encoder {
    /// An encoder for a peer with the initial SETTINGS_HEADER_TABLE_SIZE (4096). A
    /// `config.max_table_size` below that is announced at the start of the first block.
    pub fn new(config: EncoderConfig) -> Self {
        Self::with_table_size(config, DEFAULT_TABLE_SIZE)
    }

    /// An encoder whose peer's decoder starts with a table of `table_size` (both ends agreed
    /// on it out of band, as in RFC 7541 C.5 and C.6), so no size update is sent for it. Our
    /// table is `table_size` capped at `config.max_table_size`.
    pub fn with_table_size(config: EncoderConfig, table_size: usize) -> Self {
        let capacity = config.max_table_size.min(table_size);
        let pending = (capacity != table_size).then_some(PendingUpdate {
            smallest: capacity,
            last: capacity,
        });
        Self {
            config,
            table: DynamicTable::new(table_size),
            pending,
            inserted: 0,
            name_heads: [NONE; BUCKETS],
            field_heads: [NONE; BUCKETS],
        }
    }

    /// The peer's SETTINGS_HEADER_TABLE_SIZE changed (RFC 9113 §6.5.2): the next block starts
    /// with the size updates that follow it (RFC 7541 §4.2).
    pub fn set_peer_max_table_size(&mut self, peer_max: usize) {
        let size = peer_max.min(self.config.max_table_size);
        let smallest = match self.pending {
            Some(p) => p.smallest.min(size),
            None => size,
        };
        if self.pending.is_none() && size == self.table.capacity() {
            return;
        }
        self.pending = Some(PendingUpdate {
            smallest,
            last: size,
        });
    }

    /// The dynamic table's current size (RFC 7541 §4.1).
    pub fn table_size(&self) -> usize {
        self.table.size()
    }

    /// The dynamic table's maximum size in force.
    pub fn table_capacity(&self) -> usize {
        self.table.capacity()
    }

    /// Appends the header block of `fields` to `out`.
    pub fn encode<'f, I>(&mut self, fields: I, out: &mut Vec<u8>)
    where
        I: IntoIterator,
        I::Item: Into<Field<'f>>,
    {
        if let Some(PendingUpdate { smallest, last }) = self.pending.take() {
            if smallest < last {
                size_update(out, smallest);
                self.table.set_capacity(smallest);
            }
            size_update(out, last);
            self.table.set_capacity(last);
        }
        for field in fields {
            self.encode_field(field.into(), out);
        }
    }

    fn encode_field(&mut self, field: Field<'_>, out: &mut Vec<u8>) {
        let Field { name, value, .. } = field;
        let sensitive = field.sensitive || self.is_sensitive(name, value);
        let (static_exact, static_name) = static_table::find(name, value);
        if !sensitive && let Some(index) = static_exact {
            return indexed(out, index);
        }
        let indexing = self.config.indexing != IndexingPolicy::Nothing;
        let name_hash = hash(name);
        let field_hash = mix(name_hash, hash(value));
        let (dynamic_exact, dynamic_name) = if indexing {
            self.find_dynamic(name, value, name_hash, field_hash)
        } else {
            (None, None)
        };
        if !sensitive && let Some(index) = dynamic_exact {
            return indexed(out, index);
        }
        let name_index = static_name.or(dynamic_name).unwrap_or(0);
        if sensitive {
            // §6.2.3 Literal Header Field Never Indexed.
            self.literal(out, 0x10, 4, name_index, name, value);
        } else if indexing && self.should_index(name, field.size()) {
            // §6.2.1 Literal Header Field with Incremental Indexing.
            self.literal(out, 0x40, 6, name_index, name, value);
            self.insert(name, value, name_hash, field_hash, field.size());
        } else {
            // §6.2.2 Literal Header Field without Indexing.
            self.literal(out, 0x00, 4, name_index, name, value);
        }
    }

    /// RFC 7541 §7.1.3: credentials and short cookies are never indexed.
    fn is_sensitive(&self, name: &[u8], value: &[u8]) -> bool {
        match name {
            b"authorization" | b"proxy-authorization" => true,
            b"cookie" => value.len() < self.config.sensitive_cookie_len,
            _ => false,
        }
    }

    /// RFC 7541 §6.2.1 leaves the choice to the encoder; see [`IndexingPolicy::Selective`].
    fn should_index(&self, name: &[u8], size: usize) -> bool {
        match self.config.indexing {
            IndexingPolicy::All => true,
            IndexingPolicy::Nothing => false,
            IndexingPolicy::Selective => {
                size <= self.table.capacity() / 4 * 3
                    && !matches!(
                        name,
                        b":path"
                            | b"content-length"
                            | b"age"
                            | b"etag"
                            | b"if-none-match"
                            | b"last-modified"
                            | b"set-cookie"
                    )
            }
        }
    }

    /// RFC 7541 §4.4, keeping the hash chains.
    fn insert(&mut self, name: &[u8], value: &[u8], name_hash: u32, field_hash: u32, size: usize) {
        if !self.table.fits(size) {
            self.table.clear();
            return;
        }
        let name_bucket = name_hash as usize % BUCKETS;
        let field_bucket = field_hash as usize % BUCKETS;
        let meta = EntryMeta {
            name_hash,
            field_hash,
            name_next: self.name_heads[name_bucket],
            field_next: self.field_heads[field_bucket],
        };
        self.table.insert(join(name, value), name.len(), meta);
        let id = self.inserted;
        self.inserted += 1;
        self.name_heads[name_bucket] = id;
        self.field_heads[field_bucket] = id;
    }

    /// The HPACK index of `name: value` and of the newest entry named `name`, if in the
    /// dynamic table.
    fn find_dynamic(
        &self,
        name: &[u8],
        value: &[u8],
        name_hash: u32,
        field_hash: u32,
    ) -> (Option<usize>, Option<usize>) {
        let oldest = self.inserted - self.table.len() as u64;
        let static_len = static_table::STATIC_TABLE.len();
        let mut id = self.field_heads[field_hash as usize % BUCKETS];
        while id != NONE && id >= oldest {
            let position = (self.inserted - 1 - id) as usize;
            let Some(entry) = self.table.get(position) else {
                break;
            };
            if entry.field_hash == field_hash && entry.name() == name && entry.value() == value {
                let index = position + static_len + 1;
                return (Some(index), Some(index));
            }
            id = entry.field_next;
        }
        let mut id = self.name_heads[name_hash as usize % BUCKETS];
        while id != NONE && id >= oldest {
            let position = (self.inserted - 1 - id) as usize;
            let Some(entry) = self.table.get(position) else {
                break;
            };
            if entry.name_hash == name_hash && entry.name() == name {
                return (None, Some(position + static_len + 1));
            }
            id = entry.name_next;
        }
        (None, None)
    }

    fn literal(
        &self,
        out: &mut Vec<u8>,
        pattern: u8,
        prefix_bits: u8,
        name_index: usize,
        name: &[u8],
        value: &[u8],
    ) {
        integer(out, pattern, prefix_bits, name_index);
        if name_index == 0 {
            self.string(out, name);
        }
        self.string(out, value);
    }

    /// §5.2 String Literal, Huffman-coded as the policy says.
    fn string(&self, out: &mut Vec<u8>, s: &[u8]) {
        let coded_len = match self.config.huffman {
            HuffmanPolicy::Never => None,
            HuffmanPolicy::Always => Some(huffman::encoded_len(s)),
            HuffmanPolicy::Shorter => Some(huffman::encoded_len(s)).filter(|&len| len < s.len()),
        };
        match coded_len {
            Some(len) => {
                integer(out, 0x80, 7, len);
                // A `Vec` output always has room.
                let _ = huffman::encode(s, out);
            }
            None => {
                integer(out, 0x00, 7, s.len());
                out.extend_from_slice(s);
            }
        }
    }
}

/// §6.1 Indexed Header Field.
fn indexed(out: &mut Vec<u8>, index: usize) {
    integer(out, 0x80, 7, index);
}

/// §6.3 Dynamic Table Size Update.
fn size_update(out: &mut Vec<u8>, size: usize) {
    integer(out, 0x20, 5, size);
}

fn integer(out: &mut Vec<u8>, pattern: u8, prefix_bits: u8, value: usize) {
    // A `Vec` output always has room.
    let _ = prefix_int::encode(out, pattern, prefix_bits, value as u64);
}

/// A fast non-cryptographic hash (multiply-rotate over 8-byte words), only to skip most byte
/// comparisons in table lookups; collisions just cost a comparison.
#[inline]
fn hash(bytes: &[u8]) -> u32 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let mut word = [0u8; 8];
    let tail = chunks.remainder();
    if let Some(dst) = word.get_mut(..tail.len()) {
        dst.copy_from_slice(tail);
    }
    h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    (h >> 32) as u32
}

#[inline]
fn mix(a: u32, b: u32) -> u32 {
    ((u64::from(a) << 32 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as u32
}
