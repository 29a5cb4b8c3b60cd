//! The base framing protocol (RFC 6455 §5.2): frame headers, decoded and encoded.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               |Masking-key, if MASK set to 1  |
//! +-------------------------------+-------------------------------+
//! ```

use wire_codec::{BufferTooSmall, DecodeError, Output, Reader};

/// The longest frame header: 2 bytes, a 64-bit length and a masking key.
pub const MAX_HEADER_LEN: usize = 14;

/// The largest payload of a control frame (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// A frame's opcode (RFC 6455 §5.2, §11.8). Reserved opcodes (3–7, 11–15) never become an
/// `OpCode`: they fail the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpCode {
    /// `0x0`: a continuation frame of a fragmented message.
    Continuation,
    /// `0x1`: the first frame of a text message.
    Text,
    /// `0x2`: the first frame of a binary message.
    Binary,
    /// `0x8`: connection close (§5.5.1).
    Close,
    /// `0x9`: ping (§5.5.2).
    Ping,
    /// `0xA`: pong (§5.5.3).
    Pong,
}

impl OpCode {
    /// The opcode of a 4-bit value, or `None` for a reserved one.
    pub const fn from_bits(bits: u8) -> Option<Self> {
        match bits {
            0x0 => Some(Self::Continuation),
            0x1 => Some(Self::Text),
            0x2 => Some(Self::Binary),
            0x8 => Some(Self::Close),
            0x9 => Some(Self::Ping),
            0xa => Some(Self::Pong),
            _ => None,
        }
    }

    /// The 4-bit wire value.
    pub const fn bits(self) -> u8 {
        match self {
            Self::Continuation => 0x0,
            Self::Text => 0x1,
            Self::Binary => 0x2,
            Self::Close => 0x8,
            Self::Ping => 0x9,
            Self::Pong => 0xa,
        }
    }

    /// Close, ping and pong: opcodes with the high bit set (RFC 6455 §5.5).
    pub const fn is_control(self) -> bool {
        self.bits() & 0x8 != 0
    }
}

/// A frame header that breaks RFC 6455 §5.2 or §5.5 whatever was negotiated. Each fails the
/// connection with 1002 (protocol error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// Opcodes 3–7 and 11–15 are reserved (§5.2).
    #[error("reserved opcode {0:#x}")]
    ReservedOpcode(u8),
    /// "The minimal number of bytes MUST be used to encode the length" (§5.2).
    #[error("payload length {0} not encoded in the minimal number of bytes")]
    NonMinimalLength(u64),
    /// "the most significant bit MUST be 0" of a 64-bit length (§5.2).
    #[error("64-bit payload length with the most significant bit set")]
    LengthHighBit,
    /// "All control frames MUST have a payload length of 125 bytes or less" (§5.5).
    #[error("control frame with a {0}-byte payload (at most 125)")]
    ControlTooLong(u64),
    /// "All control frames ... MUST NOT be fragmented" (§5.5).
    #[error("fragmented control frame")]
    FragmentedControl,
}

/// A decoded or to-be-encoded frame header (RFC 6455 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameHeader {
    /// The final fragment of a message.
    pub fin: bool,
    /// RSV1: "per-message compressed" under permessage-deflate (RFC 7692 §6).
    pub rsv1: bool,
    /// RSV2, unused by any extension here.
    pub rsv2: bool,
    /// RSV3, unused by any extension here.
    pub rsv3: bool,
    /// The opcode.
    pub opcode: OpCode,
    /// The masking key, present on every client-to-server frame (§5.3).
    pub mask: Option<[u8; 4]>,
    /// The payload length (after any extension's transformation).
    pub payload_len: u64,
}

impl FrameHeader {
    /// A final, unmasked frame with no RSV bits.
    pub const fn new(opcode: OpCode, payload_len: u64) -> Self {
        Self {
            fin: true,
            rsv1: false,
            rsv2: false,
            rsv3: false,
            opcode,
            mask: None,
            payload_len,
        }
    }

    /// Decodes a header from the start of `input`, returning it and its length. Truncated input
    /// is `Incomplete`; a header that breaks §5.2 or §5.5 is [`FrameError`].
    ///
    /// ```
    /// use ws_proto::{FrameHeader, OpCode};
    /// let (h, len) = FrameHeader::decode(&[0x81, 0x05, b'H']).unwrap();
    /// assert_eq!((h.opcode, h.fin, h.payload_len, len), (OpCode::Text, true, 5, 2));
    /// assert!(FrameHeader::decode(&[0x82, 0x7e, 0x01]).unwrap_err().is_incomplete());
    /// ```
    #[inline]
    pub fn decode(input: &[u8]) -> Result<(Self, usize), DecodeError<FrameError>> {
        let mut r = Reader::new(input);
        let [b0, b1] = r.read_array::<2>()?;
        let opcode_bits = b0 & 0x0f;
        let opcode =
            OpCode::from_bits(opcode_bits).ok_or(FrameError::ReservedOpcode(opcode_bits))?;
        let fin = b0 & 0x80 != 0;
        let payload_len = match b1 & 0x7f {
            126 => {
                let len = u64::from(r.read_u16()?);
                if len < 126 {
                    return Err(FrameError::NonMinimalLength(len).into());
                }
                len
            }
            127 => {
                let len = r.read_u64()?;
                if len >> 63 != 0 {
                    return Err(FrameError::LengthHighBit.into());
                }
                if len <= 0xffff {
                    return Err(FrameError::NonMinimalLength(len).into());
                }
                len
            }
            len => u64::from(len),
        };
        if opcode.is_control() {
            if payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(FrameError::ControlTooLong(payload_len).into());
            }
            if !fin {
                return Err(FrameError::FragmentedControl.into());
            }
        }
        let mask = if b1 & 0x80 != 0 {
            Some(r.read_array::<4>()?)
        } else {
            None
        };
        let header = Self {
            fin,
            rsv1: b0 & 0x40 != 0,
            rsv2: b0 & 0x20 != 0,
            rsv3: b0 & 0x10 != 0,
            opcode,
            mask,
            payload_len,
        };
        Ok((header, r.position()))
    }

    /// The encoded length of this header: 2 to 14 bytes.
    pub const fn encoded_len(&self) -> usize {
        let len = match self.payload_len {
            0..=125 => 2,
            126..=0xffff => 4,
            _ => 10,
        };
        if self.mask.is_some() { len + 4 } else { len }
    }

    /// The first header byte: FIN, RSV1–3 and the opcode.
    #[inline]
    pub const fn first_byte(&self) -> u8 {
        (self.fin as u8) << 7
            | (self.rsv1 as u8) << 6
            | (self.rsv2 as u8) << 5
            | (self.rsv3 as u8) << 4
            | self.opcode.bits()
    }

    /// Encodes the header into `buf`, returning its length (the minimal length encoding).
    #[inline]
    pub fn write(&self, buf: &mut [u8; MAX_HEADER_LEN]) -> usize {
        let b0 = self.first_byte();
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        buf[0] = b0;
        let mut len = match self.payload_len {
            n @ 0..=125 => {
                buf[1] = mask_bit | n as u8;
                2
            }
            n @ 126..=0xffff => {
                buf[1] = mask_bit | 126;
                let [a, b] = (n as u16).to_be_bytes();
                buf[2] = a;
                buf[3] = b;
                4
            }
            n => {
                buf[1] = mask_bit | 127;
                for (dst, src) in buf[2..10].iter_mut().zip(n.to_be_bytes()) {
                    *dst = src;
                }
                10
            }
        };
        if let Some(key) = self.mask {
            for (dst, src) in buf[len..len + 4].iter_mut().zip(key) {
                *dst = src;
            }
            len += 4;
        }
        len
    }

    /// Encodes the header into `out`.
    pub fn encode(&self, out: &mut impl Output) -> Result<(), BufferTooSmall> {
        let mut buf = [0u8; MAX_HEADER_LEN];
        let len = self.write(&mut buf);
        out.put_slice(buf.get(..len).unwrap_or_default())
    }
}

impl From<FrameError> for DecodeError<FrameError> {
    fn from(e: FrameError) -> Self {
        DecodeError::Invalid(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn opcode() -> impl Strategy<Value = OpCode> {
        prop_oneof![
            Just(OpCode::Continuation),
            Just(OpCode::Text),
            Just(OpCode::Binary),
            Just(OpCode::Close),
            Just(OpCode::Ping),
            Just(OpCode::Pong)
        ]
    }

    proptest! {
        #[test]
        fn headers_round_trip_and_truncations_are_incomplete(
            fin in any::<bool>(), rsv in 0u8..8, op in opcode(), mask in any::<Option<[u8; 4]>>(),
            len in prop_oneof![0u64..=125, 126u64..=0xffff, 0x1_0000u64..(1 << 63)],
        ) {
            let control = op.is_control();
            let header = FrameHeader {
                fin: fin || control, rsv1: rsv & 4 != 0, rsv2: rsv & 2 != 0, rsv3: rsv & 1 != 0,
                opcode: op, mask, payload_len: if control { len % 126 } else { len },
            };
            let mut out = Vec::new();
            header.encode(&mut out).unwrap();
            prop_assert_eq!(out.len(), header.encoded_len());
            prop_assert_eq!(FrameHeader::decode(&out), Ok((header, out.len())));
            for cut in 0..out.len() {
                prop_assert!(FrameHeader::decode(&out[..cut]).unwrap_err().is_incomplete());
            }
        }
    }

    #[test]
    fn non_minimal_lengths_and_the_high_bit_are_rejected() {
        let bad = |bytes: &[u8]| FrameHeader::decode(bytes).unwrap_err().invalid();
        assert_eq!(
            bad(&[0x82, 0x7e, 0x00, 0x7d]),
            Some(FrameError::NonMinimalLength(125))
        );
        assert_eq!(
            bad(&[0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff]),
            Some(FrameError::NonMinimalLength(0xffff))
        );
        assert_eq!(
            bad(&[0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            Some(FrameError::LengthHighBit)
        );
        assert_eq!(bad(&[0x83, 0x00]), Some(FrameError::ReservedOpcode(3)));
        assert_eq!(bad(&[0x8b, 0x00]), Some(FrameError::ReservedOpcode(0xb)));
        assert_eq!(bad(&[0x09, 0x00]), Some(FrameError::FragmentedControl));
        assert_eq!(
            bad(&[0x89, 0x7e, 0x00, 0x7e]),
            Some(FrameError::ControlTooLong(126))
        );
    }
}
