//! A panic-free cursor over borrowed input.

use crate::{Incomplete, VarInt};

/// A cursor over borrowed bytes. Every read either returns a value, borrowed from the input
/// where it is bytes, or [`Incomplete`] with how much more input the read needs; a failed read
/// consumes nothing. It never panics.
///
/// `Reader` is `Copy`: to try a parse that may need more input, copy the reader, parse from the
/// copy, and store it back only on success.
///
/// ```
/// use wire_codec::Reader;
/// let input = [0x00, 0x05, b'h', b'e', b'l', b'l', b'o', 0xff];
/// let mut r = Reader::new(&input);
/// let len = usize::from(r.read_u16().unwrap());
/// assert_eq!(r.read_bytes(len).unwrap(), b"hello");
/// assert_eq!(r.position(), 7);
/// assert!(r.read_u16().is_err());
/// assert_eq!(r.remaining(), 1, "a failed read consumes nothing");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reader<'a> {
    rest: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `input`.
    pub const fn new(input: &'a [u8]) -> Self {
        Self {
            rest: input,
            position: 0,
        }
    }

    /// Bytes consumed so far.
    pub const fn position(&self) -> usize {
        self.position
    }

    /// Bytes not yet consumed.
    pub const fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Whether every byte has been consumed.
    pub const fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The bytes not yet consumed, without consuming them.
    pub const fn peek_rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The next byte, without consuming it.
    pub fn peek_u8(&self) -> Result<u8, Incomplete> {
        self.rest.first().copied().ok_or(Incomplete::new(1))
    }

    /// Consumes `n` bytes and returns them, borrowed from the input.
    #[inline]
    pub fn read_bytes(&mut self, n: usize) -> Result<&'a [u8], Incomplete> {
        if n > self.rest.len() {
            return Err(Incomplete::new(n - self.rest.len()));
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        self.position += n;
        Ok(taken)
    }

    /// Consumes `N` bytes into an array.
    #[inline]
    pub fn read_array<const N: usize>(&mut self) -> Result<[u8; N], Incomplete> {
        let Some((array, rest)) = self.rest.split_first_chunk::<N>() else {
            return Err(Incomplete::new(N - self.rest.len()));
        };
        self.rest = rest;
        self.position += N;
        Ok(*array)
    }

    /// Consumes every remaining byte.
    pub fn read_rest(&mut self) -> &'a [u8] {
        let rest = self.rest;
        self.position += rest.len();
        self.rest = &[];
        rest
    }

    /// Consumes `n` bytes without looking at them.
    pub fn skip(&mut self, n: usize) -> Result<(), Incomplete> {
        self.read_bytes(n).map(|_| ())
    }

    /// Consumes the next `n` bytes and returns a reader over just them, for a length-delimited
    /// item. The sub-reader counts its positions from 0.
    pub fn split(&mut self, n: usize) -> Result<Reader<'a>, Incomplete> {
        self.read_bytes(n).map(Reader::new)
    }

    /// One byte.
    #[inline]
    pub fn read_u8(&mut self) -> Result<u8, Incomplete> {
        self.read_array::<1>().map(|[b]| b)
    }

    /// A big-endian (network order) `u16`.
    #[inline]
    pub fn read_u16(&mut self) -> Result<u16, Incomplete> {
        self.read_array().map(u16::from_be_bytes)
    }

    /// A big-endian 24-bit integer (e.g. the HTTP/2 frame length, RFC 9113 §4.1).
    #[inline]
    pub fn read_u24(&mut self) -> Result<u32, Incomplete> {
        self.read_array::<3>()
            .map(|[a, b, c]| u32::from_be_bytes([0, a, b, c]))
    }

    /// A big-endian `u32`.
    #[inline]
    pub fn read_u32(&mut self) -> Result<u32, Incomplete> {
        self.read_array().map(u32::from_be_bytes)
    }

    /// A big-endian `u64`.
    #[inline]
    pub fn read_u64(&mut self) -> Result<u64, Incomplete> {
        self.read_array().map(u64::from_be_bytes)
    }

    /// A QUIC variable-length integer (RFC 9000 §16).
    #[inline]
    pub fn read_varint(&mut self) -> Result<VarInt, Incomplete> {
        let (value, len) = VarInt::decode(self.rest)?;
        // `decode` checked that `len` bytes are present.
        self.rest = self.rest.get(len..).unwrap_or_default();
        self.position += len;
        Ok(value)
    }

    /// A varint length followed by that many bytes (QUIC's and HTTP/3's length-prefixed
    /// fields). A length beyond `usize` is reported as needing more input than can exist.
    pub fn read_varint_prefixed(&mut self) -> Result<&'a [u8], Incomplete> {
        let mut attempt = *self;
        let len = attempt.read_varint()?.into_inner();
        let len = usize::try_from(len).map_err(|_| Incomplete::new(usize::MAX))?;
        let bytes = attempt.read_bytes(len)?;
        *self = attempt;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    #[test]
    fn fixed_width_integers_are_big_endian() {
        let input = [
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
        ];
        let mut r = Reader::new(&input);
        assert_eq!(r.read_u8(), Ok(0x01));
        assert_eq!(r.read_u16(), Ok(0x0203));
        assert_eq!(r.read_u24(), Ok(0x04_0506));
        assert_eq!(r.read_u32(), Ok(0x0708_090a));
        assert_eq!(r.read_u64(), Ok(0x0b0c_0d0e_0f10_1112));
        assert!(r.is_empty());
        assert_eq!(r.position(), 18);
    }

    #[test]
    fn truncated_reads_report_the_shortfall_and_consume_nothing() {
        let mut r = Reader::new(&[0xaa, 0xbb]);
        assert_eq!(r.read_u32(), Err(Incomplete::new(2)));
        assert_eq!(r.read_u24(), Err(Incomplete::new(1)));
        assert_eq!(r.read_bytes(10), Err(Incomplete::new(8)));
        assert_eq!(r.position(), 0);
        assert_eq!(r.read_u16(), Ok(0xaabb));
        assert_eq!(r.peek_u8(), Err(Incomplete::new(1)));
        assert_eq!(r.read_u8(), Err(Incomplete::new(1)));
    }

    #[test]
    fn varint_prefixed_bytes_are_all_or_nothing() {
        let mut r = Reader::new(&[0x03, b'a', b'b']);
        assert_eq!(r.read_varint_prefixed(), Err(Incomplete::new(1)));
        assert_eq!(r.position(), 0);
        let mut r = Reader::new(&[0x03, b'a', b'b', b'c', 0x00]);
        assert_eq!(r.read_varint_prefixed(), Ok(&b"abc"[..]));
        assert_eq!(r.read_varint_prefixed(), Ok(&b""[..]));
        assert!(r.is_empty());
        // A length no buffer can hold is "need more", never an overflow.
        let mut r = Reader::new(&[0xff; 8]);
        assert!(r.read_varint_prefixed().is_err());
    }

    #[test]
    fn split_gives_an_independent_reader_over_the_item() {
        let mut r = Reader::new(&[2, 0xde, 0xad, 0x07]);
        let len = usize::from(r.read_u8().unwrap());
        let mut item = r.split(len).unwrap();
        assert_eq!(item.read_u16(), Ok(0xdead));
        assert!(item.is_empty());
        assert_eq!(r.read_rest(), &[0x07]);
        assert_eq!(r.position(), 4);
    }

    /// One operation of the model test below.
    #[derive(Clone, Debug)]
    enum Op {
        U8,
        U16,
        U24,
        U32,
        U64,
        VarInt,
        Bytes(usize),
        Skip(usize),
        Prefixed,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::U8),
            Just(Op::U16),
            Just(Op::U24),
            Just(Op::U32),
            Just(Op::U64),
            Just(Op::VarInt),
            (0usize..20).prop_map(Op::Bytes),
            (0usize..20).prop_map(Op::Skip),
            Just(Op::Prefixed),
        ]
    }

    proptest! {
        /// Any sequence of reads over any input never panics, keeps `position + remaining`
        /// equal to the input length, and consumes nothing when it fails.
        #[test]
        fn reads_never_panic_and_fail_atomically(
            input in proptest::collection::vec(any::<u8>(), 0..64),
            ops in proptest::collection::vec(op(), 0..32),
        ) {
            let mut r = Reader::new(&input);
            for op in ops {
                let before = r;
                let ok = match op {
                    Op::U8 => r.read_u8().is_ok(),
                    Op::U16 => r.read_u16().is_ok(),
                    Op::U24 => r.read_u24().is_ok(),
                    Op::U32 => r.read_u32().is_ok(),
                    Op::U64 => r.read_u64().is_ok(),
                    Op::VarInt => r.read_varint().is_ok(),
                    Op::Bytes(n) => r.read_bytes(n).is_ok(),
                    Op::Skip(n) => r.skip(n).is_ok(),
                    Op::Prefixed => r.read_varint_prefixed().is_ok(),
                };
                if !ok {
                    prop_assert_eq!(r, before);
                }
                prop_assert_eq!(r.position() + r.remaining(), input.len());
                prop_assert_eq!(r.peek_rest(), &input[r.position()..]);
            }
        }

        /// Reading a sequence of varints back gives exactly what was written.
        #[test]
        fn varint_sequences_round_trip(values in proptest::collection::vec(0..=VarInt::MAX.into_inner(), 0..32)) {
            let mut buf = Vec::new();
            for &v in &values {
                let mut tmp = [0u8; 8];
                let n = VarInt::from_u64(v).unwrap().encode(&mut tmp).unwrap();
                buf.extend_from_slice(&tmp[..n]);
            }
            let mut r = Reader::new(&buf);
            for &v in &values {
                prop_assert_eq!(r.read_varint().unwrap().into_inner(), v);
            }
            prop_assert!(r.is_empty());
        }
    }
}
