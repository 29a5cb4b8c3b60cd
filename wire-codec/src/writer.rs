//! Encoding into buffers the caller owns.

use alloc::vec::Vec;

use crate::{BufferTooSmall, VarInt};

/// Somewhere an encoder can put bytes: a [`Writer`] over a fixed caller buffer, or a `Vec<u8>`
/// that grows. Every `put_*` writes the whole item or nothing.
pub trait Output {
    /// How many more bytes fit.
    fn remaining_capacity(&self) -> usize;

    /// Appends `bytes`, or writes nothing and fails if they do not all fit.
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall>;

    /// One byte.
    fn put_u8(&mut self, value: u8) -> Result<(), BufferTooSmall> {
        self.put_slice(&[value])
    }

    /// A big-endian `u16`.
    fn put_u16(&mut self, value: u16) -> Result<(), BufferTooSmall> {
        self.put_slice(&value.to_be_bytes())
    }

    /// The low 24 bits of `value`, big-endian (e.g. the HTTP/2 frame length, RFC 9113 §4.1).
    fn put_u24(&mut self, value: u32) -> Result<(), BufferTooSmall> {
        let [_, a, b, c] = value.to_be_bytes();
        self.put_slice(&[a, b, c])
    }

    /// A big-endian `u32`.
    fn put_u32(&mut self, value: u32) -> Result<(), BufferTooSmall> {
        self.put_slice(&value.to_be_bytes())
    }

    /// A big-endian `u64`.
    fn put_u64(&mut self, value: u64) -> Result<(), BufferTooSmall> {
        self.put_slice(&value.to_be_bytes())
    }

    /// A QUIC variable-length integer in its shortest form (RFC 9000 §16).
    fn put_varint(&mut self, value: VarInt) -> Result<(), BufferTooSmall> {
        let mut tmp = [0u8; VarInt::MAX_LEN];
        let len = value.encode(&mut tmp)?;
        self.put_slice(tmp.get(..len).unwrap_or_default())
    }
}

/// Writes into a slice the caller owns, tracking how much is filled.
///
/// ```
/// use wire_codec::{Output, Writer};
/// let mut buf = [0u8; 4];
/// let mut w = Writer::new(&mut buf);
/// w.put_u16(0xabcd).unwrap();
/// assert!(w.put_u24(1).is_err(), "three bytes do not fit in the two left");
/// w.put_u8(7).unwrap();
/// assert_eq!(w.written(), &[0xab, 0xcd, 7]);
/// ```
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    /// An empty writer over `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// How many bytes have been written.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// The bytes written so far, mutable: for filling in a field reserved earlier, such as a
    /// length, or for protecting a packet in place.
    pub fn written_mut(&mut self) -> &mut [u8] {
        self.buf.get_mut(..self.len).unwrap_or_default()
    }

    /// Ends the writer, handing back the written part of the buffer.
    pub fn into_written(self) -> &'a mut [u8] {
        self.buf.get_mut(..self.len).unwrap_or_default()
    }

    /// Reserves `n` bytes (zeroed) to fill in later through [`written_mut`](Self::written_mut),
    /// returning their offset.
    pub fn reserve(&mut self, n: usize) -> Result<usize, BufferTooSmall> {
        let offset = self.len;
        let available = self.remaining_capacity();
        let area = self
            .buf
            .get_mut(offset..)
            .and_then(|rest| rest.get_mut(..n))
            .ok_or(BufferTooSmall {
                needed: n,
                available,
            })?;
        area.fill(0);
        self.len += n;
        Ok(offset)
    }
}

impl Output for Writer<'_> {
    fn remaining_capacity(&self) -> usize {
        self.buf.len() - self.len
    }

    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall> {
        let available = self.remaining_capacity();
        let end = self.len + bytes.len();
        let Some(dst) = self.buf.get_mut(self.len..end) else {
            return Err(BufferTooSmall {
                needed: bytes.len(),
                available,
            });
        };
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Encodes straight into the buffer, without a temporary.
    #[inline]
    fn put_varint(&mut self, value: VarInt) -> Result<(), BufferTooSmall> {
        let rest = self.buf.get_mut(self.len..).unwrap_or_default();
        let len = value.encode(rest)?;
        self.len += len;
        Ok(())
    }
}

impl Output for Vec<u8> {
    fn remaining_capacity(&self) -> usize {
        isize::MAX.unsigned_abs() - self.len()
    }

    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reader;
    use proptest::prelude::*;

    #[test]
    fn a_full_writer_writes_nothing_of_an_item_that_does_not_fit() {
        let mut buf = [0xeeu8; 5];
        let mut w = Writer::new(&mut buf);
        w.put_u32(0x0102_0304).unwrap();
        assert_eq!(
            w.put_u16(0xffff),
            Err(BufferTooSmall {
                needed: 2,
                available: 1
            })
        );
        assert_eq!(w.len(), 4);
        assert_eq!(
            w.put_varint(VarInt::from_u32(100)),
            Err(BufferTooSmall {
                needed: 2,
                available: 1
            })
        );
        assert_eq!(buf, [1, 2, 3, 4, 0xee]);
    }

    #[test]
    fn reserved_bytes_are_filled_in_later() {
        let mut buf = [0xffu8; 8];
        let mut w = Writer::new(&mut buf);
        w.put_u8(0xaa).unwrap();
        let at = w.reserve(2).unwrap();
        w.put_slice(b"xyz").unwrap();
        let payload_len = (w.len() - at - 2) as u32;
        VarInt::from_u32(payload_len)
            .encode_with_len(2, &mut w.written_mut()[at..])
            .unwrap();
        assert_eq!(w.written(), &[0xaa, 0x40, 0x03, b'x', b'y', b'z']);
        assert!(w.reserve(3).is_err());
        assert_eq!(w.into_written().len(), 6);
    }

    proptest! {
        /// Whatever goes into a `Writer` comes out of a `Reader` the same, and a `Vec` output
        /// holds exactly the same bytes.
        #[test]
        fn writer_and_vec_agree_and_read_back(
            items in proptest::collection::vec((any::<u8>(), any::<u16>(), any::<u32>(), any::<u64>(), 0..=VarInt::MAX.into_inner()), 0..16)
        ) {
            let mut buf = [0u8; 16 * 26];
            let mut w = Writer::new(&mut buf);
            let mut v = Vec::new();
            for &(a, b, c, d, e) in &items {
                for out in [&mut w as &mut dyn Output, &mut v] {
                    out.put_u8(a).unwrap();
                    out.put_u16(b).unwrap();
                    out.put_u24(c & 0xff_ffff).unwrap();
                    out.put_u32(c).unwrap();
                    out.put_u64(d).unwrap();
                    out.put_varint(VarInt::from_u64(e).unwrap()).unwrap();
                }
            }
            prop_assert_eq!(w.written(), &v[..]);
            let mut r = Reader::new(&v);
            for &(a, b, c, d, e) in &items {
                prop_assert_eq!(r.read_u8(), Ok(a));
                prop_assert_eq!(r.read_u16(), Ok(b));
                prop_assert_eq!(r.read_u24(), Ok(c & 0xff_ffff));
                prop_assert_eq!(r.read_u32(), Ok(c));
                prop_assert_eq!(r.read_u64(), Ok(d));
                prop_assert_eq!(r.read_varint().map(VarInt::into_inner), Ok(e));
            }
            prop_assert!(r.is_empty());
        }
    }
}
