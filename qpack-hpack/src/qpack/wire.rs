//! QPACK's primitives (RFC 9204 §4.1): prefixed integers and string literals, both as in
//! HPACK (RFC 7541 §5.1, §5.2) but with prefixes of any size. The integer and Huffman codecs
//! are the crate's shared ones ([`crate::prefix_int`], [`crate::huffman`]); this module only
//! places them in QPACK's bit layouts.

use super::Reason;
use alloc::vec::Vec;
use wire_codec::{DecodeError, Reader};

/// Reads a prefixed integer whose `prefix` low bits start in the next byte (RFC 9204 §4.1.1).
/// The bits above the prefix belong to the caller, who has peeked at them.
pub(super) fn read_int(r: &mut Reader<'_>, prefix: u8) -> Result<u64, DecodeError<Reason>> {
    crate::prefix_int::decode(r, prefix).map_err(|e| e.map_invalid(|_| Reason::IntegerTooLarge))
}

/// Writes `value` with a `prefix`-bit prefix; `flags` holds the bits above the prefix.
#[inline]
pub(super) fn write_int(out: &mut Vec<u8>, flags: u8, prefix: u8, value: u64) {
    // Most integers fit the prefix: one byte, written here without the general encoder.
    let mask = prefix_mask(prefix);
    if value < u64::from(mask) {
        out.push(flags & !mask | value as u8);
    } else {
        write_long_int(out, flags, prefix, value);
    }
}

/// [`write_int`] for a value that does not fit the prefix.
#[inline(never)]
fn write_long_int(out: &mut Vec<u8>, flags: u8, prefix: u8, value: u64) {
    // A `Vec` grows, so this cannot fail.
    let _ = crate::prefix_int::encode(out, flags, prefix, value);
}

/// The prefix's bits all set (`prefix` clamped into 1..=8, as `prefix_int` does).
#[inline]
fn prefix_mask(prefix: u8) -> u8 {
    ((1u16 << prefix.clamp(1, 8)) - 1) as u8
}

/// Reads a string literal (RFC 9204 §4.1.2) whose Huffman flag is the bit just above a
/// `prefix`-bit length. A string that decodes (or must decode) to more than `max_len` bytes is
/// [`Reason::StringTooLong`], found before its bytes are awaited or copied.
pub(super) fn read_string(
    r: &mut Reader<'_>,
    prefix: u8,
    max_len: usize,
) -> Result<Vec<u8>, DecodeError<Reason>> {
    let mut out = Vec::new();
    read_string_into(r, prefix, max_len, &mut out)?;
    Ok(out)
}

/// [`read_string`] appending to `out`; on error `out` may hold a partial string.
pub(super) fn read_string_into(
    r: &mut Reader<'_>,
    prefix: u8,
    max_len: usize,
    out: &mut Vec<u8>,
) -> Result<(), DecodeError<Reason>> {
    let huffman = r.peek_u8()? & (1 << prefix) != 0;
    let len = read_int(r, prefix)?;
    let len = usize::try_from(len).map_err(|_| DecodeError::Invalid(Reason::StringTooLong))?;
    if huffman {
        // Each Huffman code is at most 30 bits, so `len` coded bytes decode to at least
        // len * 8 / 30 bytes: a longer coded string cannot fit the limit.
        if len / 4 > max_len {
            return Err(DecodeError::Invalid(Reason::StringTooLong));
        }
        let bytes = r.read_bytes(len)?;
        crate::huffman::decode(bytes, max_len, out).map_err(|e| {
            DecodeError::Invalid(match e {
                crate::huffman::HuffmanError::TooLong { .. } => Reason::StringTooLong,
                _ => Reason::InvalidHuffman,
            })
        })?;
    } else {
        if len > max_len {
            return Err(DecodeError::Invalid(Reason::StringTooLong));
        }
        out.extend_from_slice(r.read_bytes(len)?);
    }
    Ok(())
}

/// Writes `s` as a string literal with a `prefix`-bit length and the Huffman flag just above
/// it, Huffman-coded only when that is shorter; `flags` holds the bits above the flag.
pub(super) fn write_string(out: &mut Vec<u8>, flags: u8, prefix: u8, s: &[u8]) {
    write_string_with(out, flags, prefix, s, true);
}

/// [`write_string`], with Huffman coding allowed or not.
pub(super) fn write_string_with(out: &mut Vec<u8>, flags: u8, prefix: u8, s: &[u8], huffman: bool) {
    let start = out.len();
    if huffman && !s.is_empty() {
        // Code first, after room for the raw length (the coded length, if shorter, takes no
        // more), then write the length: one pass over the string, not two. The coder needs
        // 8 bytes of slack after the string's length.
        let mask = usize::from(prefix_mask(prefix));
        let room = if s.len() < mask {
            1
        } else {
            crate::prefix_int::encoded_len(prefix, s.len() as u64)
        };
        out.resize(start + room + s.len() + 8, 0);
        let coded = out
            .get_mut(start + room..)
            .and_then(|buf| crate::huffman::encode_if_shorter(s, buf));
        if let Some(coded) = coded {
            let flags = flags | 1 << prefix;
            let used = if coded < mask {
                1
            } else {
                crate::prefix_int::encoded_len(prefix, coded as u64)
            };
            if used < room {
                // Rare: the length crossed a prefix boundary.
                out.copy_within(start + room..start + room + coded, start + used);
            }
            if used == 1 {
                // The usual case: the length fits the prefix.
                if let Some(first) = out.get_mut(start) {
                    *first = flags & !(mask as u8) | coded as u8;
                }
            } else if let Some(length) = out.get_mut(start..start + used) {
                let mut writer = wire_codec::Writer::new(length);
                // `used` bytes are exactly what the length takes.
                let _ = crate::prefix_int::encode(&mut writer, flags, prefix, coded as u64);
            }
            out.truncate(start + used + coded);
            return;
        }
        out.truncate(start);
    }
    write_int(out, flags, prefix, s.len() as u64);
    out.extend_from_slice(s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// The string literal by definition: Huffman when shorter, with its length before it.
    fn reference(flags: u8, prefix: u8, s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let coded = crate::huffman::encoded_len(s);
        if coded < s.len() {
            write_int(&mut out, flags | 1 << prefix, prefix, coded as u64);
            crate::huffman::encode(s, &mut out).unwrap();
        } else {
            write_int(&mut out, flags, prefix, s.len() as u64);
            out.extend_from_slice(s);
        }
        out
    }

    /// Lengths around every prefix boundary (where the coded length's prefix is shorter than
    /// the raw one's), strings that Huffman shrinks and strings it does not.
    #[test]
    fn strings_are_written_as_defined() {
        for prefix in [3u8, 4, 5, 7] {
            for len in 0..300 {
                for s in [
                    vec![b'a'; len],
                    (0..len).map(|i| (i * 97 + 200) as u8).collect(),
                ] {
                    let mut out = vec![0xaa];
                    write_string(&mut out, 0x80, prefix, &s);
                    let mut expected = vec![0xaa];
                    expected.extend(reference(0x80, prefix, &s));
                    assert_eq!(out, expected, "prefix {prefix}, {s:?}");
                }
            }
        }
    }
}
