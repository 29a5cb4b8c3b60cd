//! Prefixed integers (RFC 7541 §5.1), shared by HPACK and QPACK (RFC 9204 §4.1.1).
//!
//! An integer starts in the low `N` bits of a first byte whose high `8 - N` bits belong to the
//! representation (flags, pattern). A value below `2^N - 1` fits in the prefix; larger values fill
//! the prefix with ones and continue in 7-bit groups, least significant first, with the high bit
//! of each byte set while more follow.
//!
//! Decoding is bounded: values above [`MAX_VALUE`] (2^62 - 1, the largest QPACK must handle,
//! RFC 9204 §4.1.1) and encodings with more continuation bytes than such a value needs are
//! errors, so a stream of `0x80` bytes cannot keep the decoder busy. Truncated input is
//! [`Incomplete`], never a panic.
//!
//! ```
//! use qpack_hpack::prefix_int;
//! use wire_codec::Reader;
//!
//! // RFC 7541 §C.1.2: 1337 with a 5-bit prefix, flag bits 0b010 above it.
//! let mut out = Vec::new();
//! prefix_int::encode(&mut out, 0b0100_0000, 5, 1337).unwrap();
//! assert_eq!(out, [0x5f, 0x9a, 0x0a]);
//! let mut reader = Reader::new(&out);
//! assert_eq!(prefix_int::decode(&mut reader, 5), Ok(1337));
//! // A lone first byte whose prefix is all ones needs more input.
//! assert!(prefix_int::decode(&mut Reader::new(&[0x3f]), 6).unwrap_err().is_incomplete());
//! ```

use wire_codec::{BufferTooSmall, DecodeError, Incomplete, Output, Reader};

/// The largest value decoded: 2^62 - 1 (RFC 9204 §4.1.1 requires 62 bits; HPACK needs less).
pub const MAX_VALUE: u64 = (1 << 62) - 1;

/// The most bytes an encoding of a value up to [`MAX_VALUE`] takes: the prefix byte and nine
/// 7-bit continuation bytes.
pub const MAX_LEN: usize = 10;

/// A prefixed integer that no valid peer sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum IntegerError {
    /// The value exceeds [`MAX_VALUE`], or its encoding has more continuation bytes than any
    /// value up to it needs (zero-padded groups included).
    #[error("prefixed integer too large or over-long (more than 2^62 - 1)")]
    Overflow,
}

/// The mask of an `prefix_bits`-bit prefix. `prefix_bits` is clamped into 1..=8.
#[inline]
const fn prefix_mask(prefix_bits: u8) -> u8 {
    let bits = if prefix_bits == 0 {
        1
    } else if prefix_bits > 8 {
        8
    } else {
        prefix_bits
    };
    (((1u16) << bits) - 1) as u8
}

/// Decodes an integer with an `prefix_bits`-bit prefix (1..=8; other values are clamped) from
/// the reader, ignoring the first byte's bits above the prefix (the caller reads them with
/// [`Reader::peek_u8`]). Consumes nothing unless it succeeds.
#[inline]
pub fn decode(reader: &mut Reader<'_>, prefix_bits: u8) -> Result<u64, DecodeError<IntegerError>> {
    // Most integers fit in their prefix: one byte, no loop.
    let mask = prefix_mask(prefix_bits);
    if let Ok(first) = reader.peek_u8()
        && first & mask < mask
    {
        reader.skip(1)?;
        return Ok(u64::from(first & mask));
    }
    let (value, len) = decode_slice(reader.peek_rest(), prefix_bits)?;
    // `decode_slice` checked that `len` bytes are present.
    reader.skip(len)?;
    Ok(value)
}

/// Decodes an integer from the start of `input` (see [`decode`]), returning it and the number of
/// bytes it took.
#[inline]
pub fn decode_slice(
    input: &[u8],
    prefix_bits: u8,
) -> Result<(u64, usize), DecodeError<IntegerError>> {
    let mask = prefix_mask(prefix_bits);
    let Some((&first, rest)) = input.split_first() else {
        return Err(Incomplete::new(1).into());
    };
    let prefix = first & mask;
    if prefix < mask {
        return Ok((u64::from(prefix), 1));
    }
    let mut value = u64::from(mask);
    let mut shift = 0u32;
    for (i, &byte) in rest.iter().enumerate() {
        // Nine groups carry 63 bits, enough for any value up to MAX_VALUE; a tenth is over-long.
        if i >= MAX_LEN - 1 {
            return Err(DecodeError::Invalid(IntegerError::Overflow));
        }
        let group = u64::from(byte & 0x7f);
        value = value
            .checked_add(group << shift)
            .filter(|v| *v <= MAX_VALUE)
            .ok_or(DecodeError::Invalid(IntegerError::Overflow))?;
        if byte & 0x80 == 0 {
            return Ok((value, i + 2));
        }
        shift += 7;
    }
    if rest.len() >= MAX_LEN - 1 {
        return Err(DecodeError::Invalid(IntegerError::Overflow));
    }
    Err(Incomplete::new(1).into())
}

/// How many bytes [`encode`] writes for `value` with an `prefix_bits`-bit prefix.
#[inline]
pub const fn encoded_len(prefix_bits: u8, value: u64) -> usize {
    let mask = prefix_mask(prefix_bits) as u64;
    if value < mask {
        return 1;
    }
    let mut rest = value - mask;
    let mut len = 2;
    while rest >= 0x80 {
        rest >>= 7;
        len += 1;
    }
    len
}

/// Encodes `value` with an `prefix_bits`-bit prefix (1..=8; other values are clamped); `flags`
/// supplies the first byte's bits above the prefix (its prefix bits are ignored). Writes the
/// whole integer or nothing.
#[inline]
pub fn encode<O: Output + ?Sized>(
    out: &mut O,
    flags: u8,
    prefix_bits: u8,
    value: u64,
) -> Result<(), BufferTooSmall> {
    let mask = prefix_mask(prefix_bits);
    let flags = flags & !mask;
    if value < u64::from(mask) {
        return out.put_u8(flags | value as u8);
    }
    let mut buf = [0u8; 11];
    let mut len = 1;
    buf[0] = flags | mask;
    let mut rest = value - u64::from(mask);
    for slot in buf.iter_mut().skip(1) {
        len += 1;
        if rest < 0x80 {
            *slot = rest as u8;
            break;
        }
        *slot = (rest as u8 & 0x7f) | 0x80;
        rest >>= 7;
    }
    out.put_slice(buf.get(..len).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// RFC 7541 §C.1.1–C.1.3.
    #[test]
    fn rfc_7541_c1_examples() {
        for (value, prefix, bytes) in [
            (10u64, 5u8, &[0x0au8][..]),
            (1337, 5, &[0x1f, 0x9a, 0x0a]),
            (42, 8, &[0x2a]),
        ] {
            let mut out = Vec::new();
            encode(&mut out, 0, prefix, value).unwrap();
            assert_eq!(out, bytes);
            assert_eq!(encoded_len(prefix, value), bytes.len());
            assert_eq!(decode_slice(bytes, prefix), Ok((value, bytes.len())));
        }
    }

    #[test]
    fn a_lone_full_prefix_is_incomplete_not_a_panic() {
        for prefix in 1..=8u8 {
            let byte = prefix_mask(prefix);
            let mut reader = Reader::new(core::slice::from_ref(&byte));
            assert_eq!(decode(&mut reader, prefix), Err(Incomplete::new(1).into()));
            assert_eq!(reader.position(), 0);
        }
        assert_eq!(decode_slice(&[0x3f], 6), Err(Incomplete::new(1).into()));
        assert_eq!(
            decode_slice(&[0x3f, 0xff, 0xff], 6),
            Err(Incomplete::new(1).into())
        );
        assert_eq!(decode_slice(&[], 6), Err(Incomplete::new(1).into()));
    }

    #[test]
    fn overlong_and_overflowing_integers_are_errors() {
        // Zero-valued continuation groups forever: rejected after nine.
        let mut padded = [0x80u8; 20];
        padded[0] = 0x1f;
        assert_eq!(
            decode_slice(&padded, 5),
            Err(DecodeError::Invalid(IntegerError::Overflow))
        );
        // Nine continuation bytes that are all 0x80 then more: already over-long at the tenth.
        assert_eq!(
            decode_slice(&padded[..10], 5),
            Err(DecodeError::Invalid(IntegerError::Overflow))
        );
        // 2^62 - 1 decodes; 2^62 does not.
        let mut out = Vec::new();
        encode(&mut out, 0, 8, MAX_VALUE).unwrap();
        assert_eq!(out.len(), MAX_LEN);
        assert_eq!(decode_slice(&out, 8), Ok((MAX_VALUE, MAX_LEN)));
        let mut too_big = Vec::new();
        encode(&mut too_big, 0, 8, MAX_VALUE + 1).unwrap();
        assert_eq!(
            decode_slice(&too_big, 8),
            Err(DecodeError::Invalid(IntegerError::Overflow))
        );
        let max = [0xff; 12];
        assert_eq!(
            decode_slice(&max, 1),
            Err(DecodeError::Invalid(IntegerError::Overflow))
        );
    }

    #[test]
    fn flags_above_the_prefix_are_kept_and_ignored() {
        let mut out = Vec::new();
        encode(&mut out, 0xff, 4, 3).unwrap();
        assert_eq!(out, [0xf3]);
        assert_eq!(decode_slice(&out, 4), Ok((3, 1)));
        let mut buf = [0u8; 2];
        let mut w = wire_codec::Writer::new(&mut buf);
        assert!(encode(&mut w, 0, 4, 1_000_000).is_err());
        assert!(w.is_empty(), "nothing written on failure");
    }

    proptest! {
        #[test]
        fn every_value_and_prefix_round_trips(value in 0..=MAX_VALUE, prefix in 1u8..=8, flags: u8, tail: Vec<u8>) {
            let mut out = Vec::new();
            encode(&mut out, flags, prefix, value).unwrap();
            prop_assert_eq!(out.len(), encoded_len(prefix, value));
            prop_assert_eq!(out[0] & !prefix_mask(prefix), flags & !prefix_mask(prefix));
            let len = out.len();
            // Every truncation is Incomplete.
            for cut in 0..len {
                prop_assert!(decode_slice(&out[..cut], prefix).unwrap_err().is_incomplete());
            }
            out.extend_from_slice(&tail);
            prop_assert_eq!(decode_slice(&out, prefix), Ok((value, len)));
        }

        #[test]
        fn arbitrary_bytes_never_panic(input: Vec<u8>, prefix in 0u8..=10) {
            if let Ok((value, len)) = decode_slice(&input, prefix) {
                prop_assert!(value <= MAX_VALUE);
                prop_assert!(len <= MAX_LEN && len <= input.len());
            }
        }
    }
}
