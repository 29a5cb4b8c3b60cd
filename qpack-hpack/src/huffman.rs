//! The HPACK Huffman code (RFC 7541 §5.2, Appendix B), shared by HPACK and QPACK
//! (RFC 9204 §4.1.2).
//!
//! Decoding is table-driven: one lookup in a 2048-entry table decodes any code of up to 11 bits
//! (every symbol that is common in header fields), longer codes fall back to the canonical
//! ranges of the code. The decoder rejects what §5.2 forbids: the EOS symbol inside a string,
//! padding longer than 7 bits, and padding that is not the most significant bits of EOS (all
//! ones).
//!
//! ```
//! use qpack_hpack::huffman;
//!
//! // RFC 7541 §C.4.1: "www.example.com".
//! let mut encoded = Vec::new();
//! huffman::encode(b"www.example.com", &mut encoded).unwrap();
//! assert_eq!(encoded, [0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff]);
//! assert_eq!(huffman::encoded_len(b"www.example.com"), 12);
//! let mut decoded = Vec::new();
//! huffman::decode(&encoded, usize::MAX, &mut decoded).unwrap();
//! assert_eq!(decoded, b"www.example.com");
//! ```

mod table;

use alloc::vec::Vec;
use wire_codec::{BufferTooSmall, Output};

pub use table::CODES;

/// The EOS symbol's index in [`CODES`].
pub const EOS: usize = 256;

/// A Huffman-coded string that RFC 7541 §5.2 forbids, or one longer than the caller allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum HuffmanError {
    /// The EOS symbol appears inside the string (§5.2: "MUST be treated as a decoding error").
    #[error("Huffman-coded string contains the EOS symbol")]
    EosInString,
    /// The string ends with more than 7 bits that are not a whole symbol.
    #[error("Huffman padding longer than 7 bits")]
    PaddingTooLong,
    /// The bits after the last symbol are not all ones (the prefix of EOS).
    #[error("Huffman padding is not all ones")]
    PaddingNotOnes,
    /// The decoded string would be longer than the caller's limit.
    #[error("Huffman-decoded string longer than the limit of {limit} bytes")]
    TooLong {
        /// The limit that was exceeded.
        limit: usize,
    },
}

/// Bits looked up at once by the decoder's primary table: up to two symbols per lookup.
const LOOKUP_BITS: u32 = 13;

/// Primary decoding table, indexed by the next 13 bits. An entry packs the symbols those bits
/// start with: bits 0..8 the first symbol, 8..16 the second, 16..21 the first code's length,
/// 21..26 the length of all its symbols' codes, 26..28 how many symbols (0: the first code is
/// longer than 13 bits).
static DECODE: [u32; 1 << LOOKUP_BITS] = build_decode_table();

/// The symbol a code of at most `max_len` bits at the top of `bits` (a `width`-bit value)
/// stands for, as `(symbol, length)`; (0, 0) if none.
const fn short_symbol(
    bits: u32,
    width: u32,
    max_len: u32,
    (order, ranges): &([u16; 257], [LengthRange; 31]),
) -> (u32, u32) {
    let mut len = 1;
    while len <= max_len && len <= width {
        let code = bits >> (width - len);
        let range = ranges[len as usize];
        if code >= range.first && code - range.first < range.count {
            let symbol = order[range.offset as usize + (code - range.first) as usize];
            return (symbol as u32, len);
        }
        len += 1;
    }
    (0, 0)
}

const fn build_decode_table() -> [u32; 1 << LOOKUP_BITS] {
    let mut table = [0u32; 1 << LOOKUP_BITS];
    let code = build_by_code();
    let mut bits = 0u32;
    while bits < 1 << LOOKUP_BITS {
        let (first, len1) = short_symbol(bits, LOOKUP_BITS, LOOKUP_BITS, &code);
        if len1 != 0 {
            let rest = bits & ((1 << (LOOKUP_BITS - len1)) - 1);
            let (second, len2) = short_symbol(rest, LOOKUP_BITS - len1, LOOKUP_BITS - len1, &code);
            let count = if len2 != 0 { 2 } else { 1 };
            // With one symbol, `len2` is 0 and the total is the first code's length.
            table[bits as usize] =
                first | (second << 8) | (len1 << 16) | ((len1 + len2) << 21) | (count << 26);
        }
        bits += 1;
    }
    table
}

/// The canonical structure of the code, for codes longer than the primary table: per bit length,
/// the first code, how many codes, and where their symbols start in [`BY_CODE`].
#[derive(Clone, Copy)]
struct LengthRange {
    first: u32,
    count: u32,
    offset: u16,
}

/// Symbols ordered by (length, code). RFC 7541's code is canonical: within a length, codes are
/// consecutive and ascend with the symbol (checked by a test).
static BY_CODE: [u16; 257] = build_by_code().0;
static RANGES: [LengthRange; 31] = build_by_code().1;

const fn build_by_code() -> ([u16; 257], [LengthRange; 31]) {
    let mut order = [0u16; 257];
    let mut ranges = [LengthRange {
        first: 0,
        count: 0,
        offset: 0,
    }; 31];
    let mut filled = 0usize;
    let mut len = 1;
    while len <= 30 {
        let mut symbol = 0;
        ranges[len].offset = filled as u16;
        while symbol <= EOS {
            let (code, l) = CODES[symbol];
            if l as usize == len {
                if ranges[len].count == 0 {
                    ranges[len].first = code;
                }
                ranges[len].count += 1;
                order[filled] = symbol as u16;
                filled += 1;
            }
            symbol += 1;
        }
        len += 1;
    }
    (order, ranges)
}

/// The number of bytes `input` takes Huffman-coded, padding included.
#[inline]
pub fn encoded_len(input: &[u8]) -> usize {
    let bits: usize = input
        .iter()
        .map(|&b| usize::from(ENCODE_LEN[usize::from(b)]))
        .sum();
    bits.div_ceil(8)
}

/// Code lengths of symbols 0..=255, as a compact table for [`encoded_len`].
static ENCODE_LEN: [u8; 256] = {
    let mut lens = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        lens[i] = CODES[i].1;
        i += 1;
    }
    lens
};

/// The code of each octet with its length in one word: the code from bit 8, the length in the
/// low byte (below 64, so that a shift by the whole word shifts by the length).
static PACKED: [u64; 256] = {
    let mut packed = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        packed[i] = (CODES[i].0 as u64) << 8 | CODES[i].1 as u64;
        i += 1;
    }
    packed
};

/// The codes of two ASCII octets joined, indexed by [`pair_index`]: the joined code from bit
/// 8, its length in the low byte; pairs longer than [`PAIR_MAX`] bits have the length
/// [`PAIR_ESCAPE`] and no code. Text octets have codes of 5 to 8 bits, so nearly every pair
/// of them is here: the coder takes two octets per lookup. Octets above 0x7f have codes of 19
/// to 28 bits (RFC 7541 Appendix B), too long to join anyway, so they are left out: 64 KiB rather than 256.
static PAIRS: [u32; 1 << 14] = {
    let mut pairs = [0u32; 1 << 14];
    let mut index = 0;
    while index < 1 << 14 {
        let (first, second) = (CODES[index & 0x7f], CODES[index >> 7]);
        let len = first.1 as u32 + second.1 as u32;
        pairs[index] = if len <= PAIR_MAX {
            (first.0 << second.1 | second.0) << 8 | len
        } else {
            PAIR_ESCAPE
        };
        index += 1;
    }
    pairs
};

/// The [`PAIRS`] index of two ASCII octets (the first in the low bits).
#[inline(always)]
fn pair_index([first, second]: [u8; 2]) -> usize {
    (usize::from(first) | usize::from(second) << 7) & 0x3fff
}

/// Whether any of the octets is above 0x7f (not in [`PAIRS`]).
#[inline(always)]
fn any_above_ascii(octets: &[u8]) -> bool {
    octets.iter().fold(0, |all, &octet| all | octet) & 0x80 != 0
}

/// The longest joined code in [`PAIRS`] (what fits above its length byte).
const PAIR_MAX: u32 = 24;

/// The length of a pair not in [`PAIRS`]: more than a word's room for four pairs (56 bits)
/// on its own, and four of them still add up within the length byte.
const PAIR_ESCAPE: u32 = 60;

/// Huffman-codes `input` into `out`, padding the last byte with ones (§5.2). Writes the whole
/// string or nothing.
pub fn encode<O: Output + ?Sized>(input: &[u8], out: &mut O) -> Result<(), BufferTooSmall> {
    let available = out.remaining_capacity();
    // Codes are at most 30 bits: only an output that might not hold that many is measured
    // against the exact length (a `Vec` never is).
    if available < input.len().saturating_mul(30).div_ceil(8) {
        let needed = encoded_len(input);
        if needed > available {
            return Err(BufferTooSmall { needed, available });
        }
    }
    let mut sink = ChunkSink {
        chunk: [0u8; CHUNK + 8],
        pos: 0,
        out,
        result: Ok(()),
    };
    code(input, &mut sink, usize::MAX);
    sink.flush();
    sink.result
}

/// [`encode`] appended to a `Vec`, without computing the length first; returns the bytes
/// appended.
#[cfg(test)]
pub(crate) fn encode_appending(input: &[u8], out: &mut Vec<u8>) -> usize {
    let start = out.len();
    // Most strings shrink; the 8 bytes are for the coder's word stores.
    out.reserve(input.len() + 8);
    code(input, out, usize::MAX);
    out.len() - start
}

/// Huffman-codes `input` into the start of `buf` if that is shorter than `input` (the choice
/// RFC 7541 §5.2 leaves to the encoder), returning the coded length; `None` when it is not
/// shorter, with `buf` holding part of the code. `buf` needs `input.len() + 8` bytes, since
/// the coder stores whole words; with fewer, the answer is `None`.
///
/// One pass: the coder gives up as soon as it has written as many bytes as `input` has,
/// rather than measuring the code first.
#[inline]
pub(crate) fn encode_if_shorter(input: &[u8], buf: &mut [u8]) -> Option<usize> {
    if buf.len() < input.len().saturating_add(8) {
        return None;
    }
    let mut sink = SliceSink { buf, pos: 0 };
    code(input, &mut sink, input.len());
    // A store that did not fit the buffer was at or past `input.len()`, and `pos` counts it.
    Some(sink.pos).filter(|&len| len < input.len())
}

/// Where [`code`] puts the coded bytes.
trait Sink {
    /// Appends the first `whole` bytes of `word` (at most 8).
    fn store(&mut self, word: [u8; 8], whole: usize);

    /// How many bytes have been stored.
    fn stored(&self) -> usize;
}

/// Writes into a slice at a position: one bounds check and one 8-byte copy per store.
struct SliceSink<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl Sink for SliceSink<'_> {
    #[inline]
    fn store(&mut self, word: [u8; 8], whole: usize) {
        if let Some(slot) = self.buf.get_mut(self.pos..self.pos + 8) {
            slot.copy_from_slice(&word);
        }
        self.pos += whole;
    }

    #[inline]
    fn stored(&self) -> usize {
        self.pos
    }
}

/// Appends to the vector: the whole word, then drops the bytes that are not complete yet
/// (no copy of a variable length, no branch on it).
#[cfg(test)]
impl Sink for Vec<u8> {
    #[inline]
    fn store(&mut self, word: [u8; 8], whole: usize) {
        self.extend_from_slice(&word);
        self.truncate(self.len() - (8 - whole));
    }

    #[inline]
    fn stored(&self) -> usize {
        self.len()
    }
}

/// Whole bytes gathered before they are handed to an [`Output`].
const CHUNK: usize = 64;

/// Gathers the coded bytes in a small buffer for an [`Output`].
struct ChunkSink<'a, O: Output + ?Sized> {
    chunk: [u8; CHUNK + 8],
    /// Below `CHUNK - 8` between stores (the buffer is handed on past it), so an 8-byte store
    /// always fits.
    pos: usize,
    out: &'a mut O,
    result: Result<(), BufferTooSmall>,
}

impl<O: Output + ?Sized> ChunkSink<'_, O> {
    fn flush(&mut self) {
        if self.result.is_ok() {
            self.result = self
                .out
                .put_slice(self.chunk.get(..self.pos).unwrap_or_default());
        }
        self.pos = 0;
    }
}

impl<O: Output + ?Sized> Sink for ChunkSink<'_, O> {
    #[inline]
    fn store(&mut self, word: [u8; 8], whole: usize) {
        let at = self.pos % CHUNK;
        if let Some(slot) = self.chunk.get_mut(at..at + 8) {
            slot.copy_from_slice(&word);
        }
        self.pos = at + whole;
        if self.pos > CHUNK - 8 {
            self.flush();
        }
    }

    /// Not tracked: the output measures itself.
    #[inline]
    fn stored(&self) -> usize {
        0
    }
}

/// Huffman-codes `input` into `sink`, the last byte padded with ones (§5.2); stops early, with
/// the code unfinished, once `limit` bytes are stored.
///
/// Eight symbols at a time: their codes joined in one word, which goes to the accumulator in
/// one shift when, as nearly always, they fit with the bits pending; then the top of the
/// accumulator goes to the sink as 8 bytes of which the whole ones are kept: no branch on "a
/// byte is complete", which would be mispredicted about every other symbol.
#[inline]
fn code(input: &[u8], sink: &mut impl Sink, limit: usize) {
    let mut coder = Coder { acc: 0, bits: 0 };
    let (octets, rest) = input.as_chunks::<8>();
    for octet in octets {
        if sink.stored() >= limit {
            return;
        }
        coder.add_octet(octet, sink);
    }
    if !rest.is_empty() {
        coder.add_rest(rest, sink);
    }
    if coder.bits > 0 {
        let pad = 8 - coder.bits;
        let last = ((coder.acc << pad) as u8) | ((1u8 << pad) - 1);
        sink.store([last, 0, 0, 0, 0, 0, 0, 0], 1);
    }
}

/// Bits not yet stored, aligned to the least significant end.
struct Coder {
    acc: u64,
    /// How many: fewer than 8 after each store.
    bits: u32,
}

impl Coder {
    /// Adds the codes of the last 1 to 7 `symbols` and stores: joined first (two per lookup
    /// in [`PAIRS`], the odd one in [`PACKED`]) when they fit the word with the bits pending
    /// (at most 56 bits), else one by one.
    #[inline(always)]
    fn add_rest(&mut self, symbols: &[u8], sink: &mut impl Sink) {
        if any_above_ascii(symbols) {
            self.add_one_by_one(symbols, sink);
            return;
        }
        let (pairs, odd) = symbols.as_chunks::<2>();
        let mut joined = 0u64;
        // The lengths add up in the low byte (3 pairs of at most 60 and one octet of at most
        // 30: no carry out).
        let mut sum = 0u64;
        for pair in pairs {
            let packed = PAIRS[pair_index(*pair)];
            // The shift takes the length from the low bits. Bits shifted out are garbage
            // only when the total is too long to be used.
            joined = joined.wrapping_shl(packed) | u64::from(packed >> 8);
            sum = sum.wrapping_add(u64::from(packed));
        }
        if let Some(&byte) = odd.first() {
            let packed = PACKED[usize::from(byte)];
            joined = joined.wrapping_shl(packed as u32) | packed >> 8;
            sum = sum.wrapping_add(packed);
        }
        self.add_joined(joined, (sum & 0xff) as u32, symbols, sink);
    }

    /// [`add_rest`](Self::add_rest) for 8 symbols, all in pairs.
    #[inline(always)]
    fn add_octet(&mut self, octet: &[u8; 8], sink: &mut impl Sink) {
        if u64::from_le_bytes(*octet) & 0x8080_8080_8080_8080 != 0 {
            self.add_one_by_one(octet, sink);
            return;
        }
        let mut joined = 0u64;
        // The lengths add up in the low byte (4 of at most 60: no carry out).
        let mut sum = 0u32;
        for pair in octet.as_chunks::<2>().0 {
            let packed = PAIRS[pair_index(*pair)];
            // As in `add_rest`: the shift takes the length from the low bits.
            joined = joined.wrapping_shl(packed) | u64::from(packed >> 8);
            sum = sum.wrapping_add(packed);
        }
        self.add_joined(joined, sum & 0xff, octet, sink);
    }

    /// Adds the `joined` codes of `symbols` (`total` bits) and stores when they fit the word
    /// with the bits pending (at most 56 bits), else codes `symbols` one by one.
    #[inline(always)]
    fn add_joined(&mut self, joined: u64, total: u32, symbols: &[u8], sink: &mut impl Sink) {
        if total <= 56 {
            self.acc = (self.acc << total) | joined;
            self.bits += total;
            self.store(sink);
        } else {
            self.add_one_by_one(symbols, sink);
        }
    }

    /// [`add_rest`](Self::add_rest) for codes too long to join: rare, and kept out of line so
    /// that the fast path's loop keeps its state in registers.
    #[cold]
    #[inline(never)]
    fn add_one_by_one(&mut self, symbols: &[u8], sink: &mut impl Sink) {
        for &byte in symbols {
            let (code, len) = CODES[usize::from(byte)];
            self.push(code, u32::from(len), sink);
        }
    }

    /// Adds one code (at most 30 bits to fewer than 8: they fit) and stores.
    #[inline]
    fn push(&mut self, code: u32, len: u32, sink: &mut impl Sink) {
        self.acc = (self.acc << len) | u64::from(code);
        self.bits += len;
        self.store(sink);
    }

    /// Stores the whole bytes among the pending bits (there are at least 5 bits).
    #[inline]
    fn store(&mut self, sink: &mut impl Sink) {
        sink.store(
            (self.acc << (64 - self.bits)).to_be_bytes(),
            (self.bits / 8) as usize,
        );
        self.bits %= 8;
    }
}

/// Decodes the Huffman-coded `input`, appending to `out`; fails with [`HuffmanError::TooLong`]
/// rather than append more than `max_len` bytes. On error, `out` may hold part of the string.
pub fn decode(input: &[u8], max_len: usize, out: &mut Vec<u8>) -> Result<(), HuffmanError> {
    // Every code is at least 5 bits, which bounds the output before decoding; the buffer never
    // grows beyond `max_len` (plus two bytes of slack for two-symbol writes).
    let start = out.len();
    let room = (input.len().saturating_mul(8) / 5).min(max_len);
    out.resize(start.saturating_add(room).saturating_add(2), 0);
    let result = decode_into(input, out.get_mut(start..).unwrap_or_default(), room);
    let written = *result.as_ref().unwrap_or(&0);
    out.truncate(start + written);
    match result {
        Ok(_) => Ok(()),
        Err(DecodeFailure::TooLong) => Err(HuffmanError::TooLong { limit: max_len }),
        Err(DecodeFailure::Invalid(e)) => Err(e),
    }
}

enum DecodeFailure {
    TooLong,
    Invalid(HuffmanError),
}

/// Decodes into `buf` (at least `room + 2` bytes), returning how many bytes were decoded, at
/// most `room`.
#[inline]
fn decode_into(input: &[u8], buf: &mut [u8], room: usize) -> Result<usize, DecodeFailure> {
    let mut n = 0usize;
    // Unread bits, aligned to the most significant end of `acc`.
    let mut acc: u64 = 0;
    let mut bits: u32 = 0;
    let mut rest = input;
    loop {
        refill(&mut acc, &mut bits, &mut rest);
        let exhausted = rest.is_empty();
        // Codes of up to 13 bits, up to two per lookup: with at least 13 bits buffered, every
        // symbol an entry names lies within them.
        while bits >= LOOKUP_BITS && n + 2 <= room {
            let entry = DECODE[(acc >> (64 - LOOKUP_BITS)) as usize];
            let count = entry >> 26;
            if count == 0 {
                break;
            }
            // Both bytes are written; the second counts only for a two-symbol entry.
            if let Some([a, b]) = buf.get_mut(n..n + 2) {
                *a = entry as u8;
                *b = (entry >> 8) as u8;
            }
            let len = (entry >> 21) & 0x1f;
            n += count as usize;
            acc <<= len;
            bits -= len;
        }
        if !exhausted && bits < 30 {
            continue;
        }
        // A code longer than 13 bits (with all of it buffered: at least 30 bits, or the end
        // of the input), the last few bits of the input, or the output limit: one symbol with
        // every check.
        if bits == 0 {
            return Ok(n);
        }
        let entry = DECODE[(acc >> (64 - LOOKUP_BITS)) as usize];
        let first_len = (entry >> 16) & 0x1f;
        let (symbol, len) = if entry >> 26 != 0 && first_len <= bits {
            (entry & 0xff, first_len)
        } else if bits <= LOOKUP_BITS {
            // The usual end of a string: fewer bits than the next code needs.
            return check_padding(acc, bits)
                .map(|()| n)
                .map_err(DecodeFailure::Invalid);
        } else {
            match decode_long(acc, bits) {
                Some((symbol, _)) if usize::from(symbol) == EOS => {
                    return Err(DecodeFailure::Invalid(HuffmanError::EosInString));
                }
                Some((symbol, len)) => (u32::from(symbol), len),
                // No whole symbol in what is left: the input is exhausted (otherwise at least
                // 30 bits would be buffered), so these bits are padding.
                None => {
                    return check_padding(acc, bits)
                        .map(|()| n)
                        .map_err(DecodeFailure::Invalid);
                }
            }
        };
        if n >= room {
            return Err(DecodeFailure::TooLong);
        }
        if let Some(slot) = buf.get_mut(n) {
            *slot = symbol as u8;
        }
        n += 1;
        acc <<= len;
        bits -= len;
    }
}

/// Moves whole bytes from `rest` into the free low bits of `acc`.
#[inline(always)]
fn refill(acc: &mut u64, bits: &mut u32, rest: &mut &[u8]) {
    if let Some(chunk) = rest.first_chunk::<8>() {
        let take = (64 - *bits) / 8;
        if take == 0 {
            return;
        }
        let filled = *bits + 8 * take;
        let mut fresh = u64::from_be_bytes(*chunk) >> *bits;
        if filled < 64 {
            // Drop the part of the word beyond the bytes taken.
            fresh &= !(u64::MAX >> filled);
        }
        *acc |= fresh;
        *bits = filled;
        *rest = rest.get(take as usize..).unwrap_or_default();
    } else {
        // Fewer than 8 bytes left: as many as fit, through one zero-padded word.
        let take = (((64 - *bits) / 8) as usize).min(rest.len());
        let mut word = [0u8; 8];
        if let (Some(dst), Some(src)) = (word.get_mut(..take), rest.get(..take)) {
            dst.copy_from_slice(src);
        }
        if take > 0 {
            *acc |= u64::from_be_bytes(word) >> *bits;
            *bits += 8 * take as u32;
            *rest = rest.get(take..).unwrap_or_default();
        }
    }
}

/// The symbol the top bits of `acc` start with, among codes longer than the primary table's,
/// if one fits within `bits`.
#[inline(never)]
fn decode_long(acc: u64, bits: u32) -> Option<(u16, u32)> {
    for len in LOOKUP_BITS + 1..=bits.min(30) {
        let Some(range) = RANGES.get(len as usize) else {
            break;
        };
        let code = (acc >> (64 - len)) as u32;
        // Canonical code: a code of this length if below the end of its range.
        if code.wrapping_sub(range.first) < range.count {
            let index = usize::from(range.offset) + (code - range.first) as usize;
            return BY_CODE.get(index).map(|&symbol| (symbol, len));
        }
    }
    None
}

/// §5.2: what is left after the last symbol must be at most 7 bits, all ones.
fn check_padding(acc: u64, bits: u32) -> Result<(), HuffmanError> {
    if bits > 7 {
        return Err(HuffmanError::PaddingTooLong);
    }
    if bits == 0 {
        return Ok(());
    }
    let ones = (1u64 << bits) - 1;
    if acc >> (64 - bits) != ones {
        return Err(HuffmanError::PaddingNotOnes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    fn round_trip(input: &[u8]) -> Vec<u8> {
        let mut encoded = Vec::new();
        encode(input, &mut encoded).unwrap();
        assert_eq!(encoded.len(), encoded_len(input));
        let mut decoded = Vec::new();
        decode(&encoded, usize::MAX, &mut decoded).unwrap();
        decoded
    }

    #[test]
    fn the_code_is_canonical() {
        let mut next_first = 0u32;
        for (len, &range) in RANGES.iter().enumerate().skip(1) {
            if range.count > 0 {
                assert_eq!(range.first, next_first, "length {len}");
            }
            next_first = (next_first + range.count) << 1;
            for i in 0..range.count {
                let symbol = BY_CODE[range.offset as usize + i as usize];
                assert_eq!(CODES[symbol as usize], (range.first + i, len as u8));
            }
        }
        assert_eq!(CODES[EOS], (0x3fff_ffff, 30));
    }

    #[test]
    fn all_256_octets_round_trip_alone_and_together() {
        for b in 0..=255u8 {
            assert_eq!(round_trip(&[b]), [b]);
            assert_eq!(round_trip(&[b, b, b]), [b, b, b]);
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(round_trip(&all), all);
        let reversed: Vec<u8> = (0..=255).rev().collect();
        assert_eq!(round_trip(&reversed), reversed);
    }

    #[test]
    fn eos_inside_a_string_is_rejected() {
        // 'a' (00011, 5 bits) then EOS (30 ones), padded with ones: 35 bits -> 5 bytes.
        let bits: u64 = (0b00011u64 << 35) | (0x3fff_ffffu64 << 5) | 0b11111;
        let bytes = &bits.to_be_bytes()[3..];
        let mut out = Vec::new();
        assert_eq!(decode(bytes, 100, &mut out), Err(HuffmanError::EosInString));
        // EOS alone, padded.
        let mut out = Vec::new();
        assert_eq!(
            decode(&[0xff, 0xff, 0xff, 0xff], 100, &mut out),
            Err(HuffmanError::EosInString)
        );
    }

    #[test]
    fn padding_rules() {
        let mut out = Vec::new();
        // Eight ones: padding longer than 7 bits.
        assert_eq!(
            decode(&[0xff], 10, &mut out),
            Err(HuffmanError::PaddingTooLong)
        );
        // 'a' (00011) followed by 000: padding not ones.
        assert_eq!(
            decode(&[0b0001_1000], 10, &mut out),
            Err(HuffmanError::PaddingNotOnes)
        );
        // 'a' followed by 111: fine.
        out.clear();
        assert_eq!(decode(&[0b0001_1111], 10, &mut out), Ok(()));
        assert_eq!(out, b"a");
        // An empty string is valid.
        out.clear();
        assert_eq!(decode(&[], 10, &mut out), Ok(()));
        assert!(out.is_empty());
        // A 13-bit code cut after 8 bits is padding longer than 7 (not all ones either).
        assert!(decode(&[0xff, 0xff, 0xff, 0xfe], 10, &mut out).is_err());
    }

    #[test]
    fn the_length_limit_is_enforced() {
        let mut encoded = Vec::new();
        encode(&[b'a'; 100], &mut encoded).unwrap();
        let mut out = Vec::new();
        assert_eq!(
            decode(&encoded, 99, &mut out),
            Err(HuffmanError::TooLong { limit: 99 })
        );
        out.clear();
        assert_eq!(decode(&encoded, 100, &mut out), Ok(()));
        let mut out = vec![b'x'; 5];
        assert_eq!(decode(&encoded, 100, &mut out), Ok(()));
        assert_eq!(out.len(), 105, "the limit counts appended bytes only");
    }

    #[test]
    fn encoding_into_a_small_buffer_writes_nothing() {
        let mut buf = [0u8; 4];
        let mut w = wire_codec::Writer::new(&mut buf);
        assert!(encode(b"www.example.com", &mut w).is_err());
        assert!(w.is_empty());
        let long = vec![b'z'; 1000];
        let mut buf = vec![0u8; encoded_len(&long)];
        let mut w = wire_codec::Writer::new(&mut buf);
        encode(&long, &mut w).unwrap();
        let mut decoded = Vec::new();
        decode(w.written(), usize::MAX, &mut decoded).unwrap();
        assert_eq!(decoded, long);
    }

    proptest! {
        #[test]
        fn arbitrary_strings_round_trip(input: Vec<u8>) {
            prop_assert_eq!(round_trip(&input), input);
        }

        /// The coder appending to a `Vec` writes what `encode` writes, after whatever the
        /// vector held, and `encode` into a fixed buffer does too.
        #[test]
        fn every_way_to_encode_agrees(prefix: Vec<u8>, input: Vec<u8>) {
            let mut expected = prefix.clone();
            encode(&input, &mut expected).unwrap();
            let mut out = prefix.clone();
            let appended = encode_appending(&input, &mut out);
            prop_assert_eq!(&out, &expected);
            prop_assert_eq!(appended, encoded_len(&input));
            let mut buf = vec![0u8; encoded_len(&input)];
            let mut writer = wire_codec::Writer::new(&mut buf);
            encode(&input, &mut writer).unwrap();
            prop_assert_eq!(&buf[..], &expected[prefix.len()..]);
            // Into a slice, only when shorter than the input.
            let mut buf = vec![0u8; input.len() + 8];
            match encode_if_shorter(&input, &mut buf) {
                Some(len) => {
                    prop_assert_eq!(len, encoded_len(&input));
                    prop_assert_eq!(&buf[..len], &expected[prefix.len()..]);
                }
                None => prop_assert!(encoded_len(&input) >= input.len()),
            }
            prop_assert_eq!(encode_if_shorter(&input, &mut buf[1..]), None);
        }

        /// Text that Huffman coding shrinks (but for a symbol or two), of every length around
        /// the coder's 8-symbol steps, is coded into a slice exactly as defined.
        #[test]
        fn short_text_codes_into_a_slice(input in "[a-z0-9./=-]{0,40}") {
            let input = input.as_bytes();
            let mut expected = Vec::new();
            encode(input, &mut expected).unwrap();
            let mut buf = vec![0u8; input.len() + 8];
            let coded = encode_if_shorter(input, &mut buf);
            if expected.len() >= input.len() {
                prop_assert_eq!(coded, None);
            } else {
                prop_assert_eq!(coded, Some(expected.len()));
                prop_assert_eq!(&buf[..expected.len()], &expected[..]);
            }
        }

        /// The limit fails exactly the strings longer than it, whatever their length.
        #[test]
        fn the_limit_is_exact(input: Vec<u8>, limit in 0usize..300) {
            let mut encoded = Vec::new();
            encode(&input, &mut encoded).unwrap();
            let mut out = Vec::new();
            let result = decode(&encoded, limit, &mut out);
            if input.len() <= limit {
                prop_assert_eq!(result, Ok(()));
                prop_assert_eq!(out, input);
            } else {
                prop_assert_eq!(result, Err(HuffmanError::TooLong { limit }));
                prop_assert!(out.len() <= limit);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic_and_valid_ones_re_encode(input: Vec<u8>) {
            let mut out = Vec::new();
            if decode(&input, usize::MAX, &mut out).is_ok() {
                // A valid encoding is the unique encoding of what it decodes to.
                let mut again = Vec::new();
                encode(&out, &mut again).unwrap();
                prop_assert_eq!(again, input);
            }
        }
    }
}
