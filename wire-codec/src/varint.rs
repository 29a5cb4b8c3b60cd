//! QUIC variable-length integers, RFC 9000 §16.
//!
//! The two high bits of the first byte give the encoded length (1, 2, 4 or 8 bytes); the other
//! bits hold the value in network byte order. Decoding accepts any length for any value
//! (non-minimal encodings are legal, RFC 9000 §16); encoding picks the shortest unless a length
//! is asked for.

use core::fmt;

use crate::{BufferTooSmall, Incomplete, VarIntTooLarge};

/// A QUIC variable-length integer: a value in `0..=2^62 - 1` (RFC 9000 §16).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VarInt(u64);

impl VarInt {
    /// The largest value: 2^62 - 1.
    pub const MAX: Self = Self((1 << 62) - 1);
    /// Zero.
    pub const ZERO: Self = Self(0);
    /// The longest encoding, in bytes.
    pub const MAX_LEN: usize = 8;

    /// Any `u32` fits.
    pub const fn from_u32(value: u32) -> Self {
        Self(value as u64)
    }

    /// `value` if it is at most [`VarInt::MAX`].
    pub const fn from_u64(value: u64) -> Result<Self, VarIntTooLarge> {
        if value <= Self::MAX.0 {
            Ok(Self(value))
        } else {
            Err(VarIntTooLarge(value))
        }
    }

    /// The value.
    pub const fn into_inner(self) -> u64 {
        self.0
    }

    /// Length of the shortest encoding: 1, 2, 4 or 8 bytes.
    pub const fn encoded_len(self) -> usize {
        match self.0 {
            0..0x40 => 1,
            0x40..0x4000 => 2,
            0x4000..0x4000_0000 => 4,
            _ => 8,
        }
    }

    /// Length of the encoding whose first byte is `first`, read from its two high bits.
    pub const fn len_from_first_byte(first: u8) -> usize {
        1 << (first >> 6)
    }

    /// Decodes one varint from the start of `input`, returning it and the bytes it took.
    /// Fails only when `input` is too short; every bit pattern is a valid varint.
    #[inline]
    pub fn decode(input: &[u8]) -> Result<(Self, usize), Incomplete> {
        let Some(&first) = input.first() else {
            return Err(Incomplete::new(1));
        };
        match first >> 6 {
            0 => Ok((Self(u64::from(first)), 1)),
            1 => take::<2>(input).map(|b| (Self(u64::from(u16::from_be_bytes(b) & 0x3fff)), 2)),
            2 => {
                take::<4>(input).map(|b| (Self(u64::from(u32::from_be_bytes(b) & 0x3fff_ffff)), 4))
            }
            _ => take::<8>(input).map(|b| (Self(u64::from_be_bytes(b) & Self::MAX.0), 8)),
        }
    }

    /// Encodes the shortest form into the start of `out`, returning the bytes written.
    #[inline]
    pub fn encode(self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let len = self.encoded_len();
        self.encode_with_len(len, out).map(|()| len)
    }

    /// Encodes in exactly `len` bytes (1, 2, 4 or 8), e.g. a length field reserved before its
    /// value is known. Fails if `out` is too short; `len` must be a valid length that holds the
    /// value, or nothing is written and the error reports `len` as needed with 0 available.
    #[inline]
    pub fn encode_with_len(self, len: usize, out: &mut [u8]) -> Result<(), BufferTooSmall> {
        if len < self.encoded_len() {
            return Err(BufferTooSmall {
                needed: len,
                available: 0,
            });
        }
        // The casts keep exactly the bits that fit, as `encoded_len` checked.
        match len {
            1 => put(out, [self.0 as u8]),
            2 => put(out, (0x4000 | self.0 as u16).to_be_bytes()),
            4 => put(out, (0x8000_0000 | self.0 as u32).to_be_bytes()),
            8 => put(out, (0xc000_0000_0000_0000 | self.0).to_be_bytes()),
            _ => Err(BufferTooSmall {
                needed: len,
                available: 0,
            }),
        }
    }
}

/// The first `N` bytes of `input`.
#[inline(always)]
fn take<const N: usize>(input: &[u8]) -> Result<[u8; N], Incomplete> {
    match input.first_chunk::<N>() {
        Some(bytes) => Ok(*bytes),
        None => Err(Incomplete::new(N - input.len())),
    }
}

/// Writes `bytes` at the start of `out`, or nothing if they do not fit.
#[inline(always)]
fn put<const N: usize>(out: &mut [u8], bytes: [u8; N]) -> Result<(), BufferTooSmall> {
    let available = out.len();
    match out.first_chunk_mut::<N>() {
        Some(dst) => {
            *dst = bytes;
            Ok(())
        }
        None => Err(BufferTooSmall {
            needed: N,
            available,
        }),
    }
}

impl From<u8> for VarInt {
    fn from(value: u8) -> Self {
        Self(value.into())
    }
}

impl From<u16> for VarInt {
    fn from(value: u16) -> Self {
        Self(value.into())
    }
}

impl From<u32> for VarInt {
    fn from(value: u32) -> Self {
        Self::from_u32(value)
    }
}

impl TryFrom<u64> for VarInt {
    type Error = VarIntTooLarge;
    fn try_from(value: u64) -> Result<Self, Self::Error> {
        Self::from_u64(value)
    }
}

impl TryFrom<usize> for VarInt {
    type Error = VarIntTooLarge;
    fn try_from(value: usize) -> Result<Self, Self::Error> {
        Self::from_u64(u64::try_from(value).unwrap_or(u64::MAX))
    }
}

impl From<VarInt> for u64 {
    fn from(value: VarInt) -> Self {
        value.0
    }
}

impl fmt::Display for VarInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RFC 9000 Appendix A.1 ("Sample Variable-Length Integer Decoding").
    const RFC9000_A1: [(&[u8], u64); 5] = [
        (
            &[0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c],
            151_288_809_941_952_652,
        ),
        (&[0x9d, 0x7f, 0x3e, 0x7d], 494_878_333),
        (&[0x7b, 0xbd], 15_293),
        (&[0x25], 37),
        (&[0x40, 0x25], 37),
    ];

    #[test]
    fn rfc9000_appendix_a1_decodes() {
        for (bytes, value) in RFC9000_A1 {
            assert_eq!(VarInt::decode(bytes), Ok((VarInt(value), bytes.len())));
        }
    }

    #[test]
    fn rfc9000_appendix_a1_encodes_minimal_and_fixed_length() {
        let mut buf = [0u8; 8];
        for (bytes, value) in RFC9000_A1 {
            let v = VarInt::from_u64(value).unwrap();
            v.encode_with_len(bytes.len(), &mut buf).unwrap();
            assert_eq!(&buf[..bytes.len()], bytes);
        }
        // 37 is minimal in one byte, so the shortest encoding of the last example is 0x25.
        assert_eq!(VarInt::from_u32(37).encode(&mut buf), Ok(1));
        assert_eq!(buf[0], 0x25);
    }

    #[test]
    fn boundaries_of_each_length() {
        let cases = [
            (0u64, 1usize),
            (63, 1),
            (64, 2),
            (16_383, 2),
            (16_384, 4),
            (1_073_741_823, 4),
            (1_073_741_824, 8),
            (VarInt::MAX.0, 8),
        ];
        for (value, len) in cases {
            let v = VarInt::from_u64(value).unwrap();
            assert_eq!(v.encoded_len(), len, "{value}");
            let mut buf = [0u8; 8];
            assert_eq!(v.encode(&mut buf), Ok(len));
            assert_eq!(VarInt::decode(&buf), Ok((v, len)));
        }
        assert_eq!(VarInt::from_u64(1 << 62), Err(VarIntTooLarge(1 << 62)));
        assert_eq!(VarInt::from_u64(u64::MAX), Err(VarIntTooLarge(u64::MAX)));
    }

    #[test]
    fn truncation_reports_how_much_is_missing() {
        assert_eq!(VarInt::decode(&[]), Err(Incomplete::new(1)));
        assert_eq!(VarInt::decode(&[0x40]), Err(Incomplete::new(1)));
        assert_eq!(VarInt::decode(&[0x80, 0]), Err(Incomplete::new(2)));
        assert_eq!(VarInt::decode(&[0xc0]), Err(Incomplete::new(7)));
    }

    #[test]
    fn encoding_rejects_short_buffers_and_lengths_that_cannot_hold_the_value() {
        let mut small = [0u8; 3];
        assert_eq!(
            VarInt::from_u32(20_000).encode(&mut small),
            Err(BufferTooSmall {
                needed: 4,
                available: 3
            })
        );
        assert_eq!(small, [0; 3], "nothing written on failure");
        let mut buf = [0u8; 8];
        assert!(VarInt::from_u32(64).encode_with_len(1, &mut buf).is_err());
        assert!(VarInt::from_u32(1).encode_with_len(3, &mut buf).is_err());
    }

    proptest! {
        #[test]
        fn every_value_round_trips_in_every_length_that_holds_it(value in 0..=VarInt::MAX.0) {
            let v = VarInt(value);
            for len in [1, 2, 4, 8] {
                let mut buf = [0u8; 8];
                if len < v.encoded_len() {
                    prop_assert!(v.encode_with_len(len, &mut buf).is_err());
                    continue;
                }
                v.encode_with_len(len, &mut buf).unwrap();
                prop_assert_eq!(VarInt::decode(&buf[..len]), Ok((v, len)));
                // With no bytes the length is unknown, so one byte is the honest minimum.
                prop_assert_eq!(VarInt::decode(&[]), Err(Incomplete::new(1)));
                for cut in 1..len {
                    prop_assert_eq!(VarInt::decode(&buf[..cut]), Err(Incomplete::new(len - cut)));
                }
            }
        }

        #[test]
        fn decoding_any_bytes_never_panics_and_reencodes(bytes in proptest::collection::vec(any::<u8>(), 0..10)) {
            if let Ok((v, len)) = VarInt::decode(&bytes) {
                let mut buf = [0u8; 8];
                v.encode_with_len(len, &mut buf).unwrap();
                prop_assert_eq!(&buf[..len], &bytes[..len]);
            }
        }
    }
}
