//! Encoder-stream (RFC 9204 §4.3) and decoder-stream (§4.4) instructions.

use super::Reason;
use super::wire::{read_int, read_string, write_int, write_string, write_string_with};
use alloc::vec::Vec;
use wire_codec::{DecodeError, Reader};

/// An instruction on the encoder stream (RFC 9204 §4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncoderInstruction {
    /// Set Dynamic Table Capacity (§4.3.1): `001` + capacity (5+).
    SetCapacity(u64),
    /// Insert with Name Reference (§4.3.2): `1 T` + name index (6+), value. A dynamic index is
    /// relative to the Insert Count (§3.2.5).
    InsertWithNameRef {
        /// `T`: the index is into the static table.
        is_static: bool,
        /// The static index, or the relative dynamic index.
        index: u64,
        /// The value.
        value: Vec<u8>,
    },
    /// Insert with Literal Name (§4.3.3): `01 H` + name length (5+), name, value.
    InsertWithLiteralName {
        /// The name.
        name: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// Duplicate (§4.3.4): `000` + relative index (5+).
    Duplicate(u64),
}

impl EncoderInstruction {
    /// Decodes one instruction. On `Incomplete` nothing is consumed. Strings longer than
    /// `max_string` are [`Reason::StringTooLong`].
    pub fn decode(r: &mut Reader<'_>, max_string: usize) -> Result<Self, DecodeError<Reason>> {
        let mut attempt = *r;
        let first = attempt.peek_u8()?;
        let instruction = if first & 0x80 != 0 {
            let is_static = first & 0x40 != 0;
            let index = read_int(&mut attempt, 6)?;
            // Known bad before the value arrives (RFC 9204 §3.1).
            if is_static && super::static_table::get(index).is_none() {
                return Err(DecodeError::Invalid(Reason::InvalidStaticIndex));
            }
            let value = read_string(&mut attempt, 7, max_string)?;
            Self::InsertWithNameRef {
                is_static,
                index,
                value,
            }
        } else if first & 0x40 != 0 {
            let name = read_string(&mut attempt, 5, max_string)?;
            let value = read_string(&mut attempt, 7, max_string)?;
            Self::InsertWithLiteralName { name, value }
        } else if first & 0x20 != 0 {
            Self::SetCapacity(read_int(&mut attempt, 5)?)
        } else {
            Self::Duplicate(read_int(&mut attempt, 5)?)
        };
        *r = attempt;
        Ok(instruction)
    }

    /// Appends the instruction to `out` (strings Huffman-coded when shorter).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::InsertWithNameRef { .. } | Self::InsertWithLiteralName { .. } => {
                self.encode_with(out, true)
            }
            Self::SetCapacity(capacity) => write_set_capacity(out, *capacity),
            Self::Duplicate(index) => write_duplicate(out, *index),
        }
    }

    /// Appends the instruction with its strings never Huffman-coded (as the RFC 9204
    /// Appendix B examples are), or Huffman-coded when shorter.
    pub fn encode_with(&self, out: &mut Vec<u8>, huffman: bool) {
        match self {
            Self::InsertWithNameRef {
                is_static,
                index,
                value,
            } => {
                write_int(out, if *is_static { 0xc0 } else { 0x80 }, 6, *index);
                write_string_with(out, 0, 7, value, huffman);
            }
            Self::InsertWithLiteralName { name, value } => {
                write_string_with(out, 0x40, 5, name, huffman);
                write_string_with(out, 0, 7, value, huffman);
            }
            other => other.encode(out),
        }
    }
}

/// Set Dynamic Table Capacity (RFC 9204 §4.3.1).
pub(super) fn write_set_capacity(out: &mut Vec<u8>, capacity: u64) {
    write_int(out, 0x20, 5, capacity);
}

/// Insert with Name Reference (RFC 9204 §4.3.2).
pub(super) fn write_insert_with_name_ref(
    out: &mut Vec<u8>,
    is_static: bool,
    index: u64,
    value: &[u8],
) {
    write_int(out, if is_static { 0xc0 } else { 0x80 }, 6, index);
    write_string(out, 0, 7, value);
}

/// Insert with Literal Name (RFC 9204 §4.3.3).
pub(super) fn write_insert_with_literal_name(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    write_string(out, 0x40, 5, name);
    write_string(out, 0, 7, value);
}

/// Duplicate (RFC 9204 §4.3.4).
pub(super) fn write_duplicate(out: &mut Vec<u8>, relative_index: u64) {
    write_int(out, 0x00, 5, relative_index);
}

/// An instruction on the decoder stream (RFC 9204 §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecoderInstruction {
    /// Section Acknowledgment (§4.4.1): `1` + stream id (7+).
    SectionAcknowledgment(u64),
    /// Stream Cancellation (§4.4.2): `01` + stream id (6+).
    StreamCancellation(u64),
    /// Insert Count Increment (§4.4.3): `00` + increment (6+).
    InsertCountIncrement(u64),
}

impl DecoderInstruction {
    /// Decodes one instruction; on `Incomplete` nothing is consumed.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError<Reason>> {
        let mut attempt = *r;
        let first = attempt.peek_u8()?;
        let instruction = if first & 0x80 != 0 {
            Self::SectionAcknowledgment(read_int(&mut attempt, 7)?)
        } else if first & 0x40 != 0 {
            Self::StreamCancellation(read_int(&mut attempt, 6)?)
        } else {
            Self::InsertCountIncrement(read_int(&mut attempt, 6)?)
        };
        *r = attempt;
        Ok(instruction)
    }

    /// Appends the instruction to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            Self::SectionAcknowledgment(id) => write_int(out, 0x80, 7, id),
            Self::StreamCancellation(id) => write_int(out, 0x40, 6, id),
            Self::InsertCountIncrement(n) => write_int(out, 0x00, 6, n),
        }
    }
}

/// Accumulates stream bytes and hands out whole instructions, keeping at most `limit` bytes of
/// a partial instruction.
#[derive(Clone, Debug, Default)]
pub(super) struct StreamBuffer {
    partial: Vec<u8>,
}

impl StreamBuffer {
    /// Bytes of a partial instruction held.
    #[cfg(test)]
    pub(super) fn held(&self) -> usize {
        self.partial.len()
    }

    /// Runs `parse` over the held bytes followed by `input`, one whole instruction at a time,
    /// calling `handle` on each; keeps the trailing partial instruction, failing with
    /// [`Reason::InstructionTooLarge`] if it exceeds `limit`.
    pub(super) fn feed<T, E>(
        &mut self,
        input: &[u8],
        limit: usize,
        mut parse: impl FnMut(&mut Reader<'_>) -> Result<T, DecodeError<Reason>>,
        mut handle: impl FnMut(T) -> Result<(), E>,
        wrap: impl Fn(Reason) -> E,
    ) -> Result<(), E> {
        // Complete the held partial instruction first, byte-exactly: take only as much of
        // `input` as it needs, so the rest can be parsed in place without copying.
        let mut input = input;
        while !self.partial.is_empty() {
            let Some((&byte, rest)) = input.split_first() else {
                return Ok(());
            };
            self.partial.push(byte);
            input = rest;
            let mut r = Reader::new(&self.partial);
            match parse(&mut r) {
                Ok(item) => {
                    self.partial.clear();
                    handle(item)?;
                }
                Err(DecodeError::Incomplete(needed)) => {
                    if self.partial.len().saturating_add(needed.needed()) > limit {
                        return Err(wrap(Reason::InstructionTooLarge));
                    }
                    // Copy what is surely needed in one go.
                    let take = needed.needed().saturating_sub(1).min(input.len());
                    let (now, rest) = input.split_at(take);
                    self.partial.extend_from_slice(now);
                    input = rest;
                }
                Err(DecodeError::Invalid(reason)) => return Err(wrap(reason)),
            }
        }
        let mut r = Reader::new(input);
        loop {
            if r.is_empty() {
                return Ok(());
            }
            let before = r;
            match parse(&mut r) {
                Ok(item) => handle(item)?,
                Err(DecodeError::Incomplete(needed)) => {
                    let rest = before.peek_rest();
                    if rest.len().saturating_add(needed.needed()) > limit {
                        return Err(wrap(Reason::InstructionTooLarge));
                    }
                    self.partial.extend_from_slice(rest);
                    return Ok(());
                }
                Err(DecodeError::Invalid(reason)) => return Err(wrap(reason)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn encoder_instructions_round_trip_in_any_chunking() {
        let instructions = vec![
            EncoderInstruction::SetCapacity(220),
            EncoderInstruction::InsertWithNameRef {
                is_static: true,
                index: 0,
                value: b"www.example.com".to_vec(),
            },
            EncoderInstruction::InsertWithLiteralName {
                name: b"custom-key".to_vec(),
                value: b"custom-value".to_vec(),
            },
            EncoderInstruction::Duplicate(2),
            EncoderInstruction::InsertWithNameRef {
                is_static: false,
                index: 300,
                value: vec![b'x'; 200],
            },
        ];
        let mut bytes = Vec::new();
        for i in &instructions {
            i.encode(&mut bytes);
        }
        for chunk in 1..=bytes.len() {
            let mut buffer = StreamBuffer::default();
            let mut got = Vec::new();
            for piece in bytes.chunks(chunk) {
                buffer
                    .feed(
                        piece,
                        1000,
                        |r| EncoderInstruction::decode(r, 1000),
                        |i| {
                            got.push(i);
                            Ok::<_, Reason>(())
                        },
                        |r| r,
                    )
                    .unwrap();
            }
            assert_eq!(got, instructions, "chunk {chunk}");
            assert_eq!(buffer.held(), 0);
        }
    }

    #[test]
    fn partial_instruction_beyond_the_limit_fails() {
        let mut buffer = StreamBuffer::default();
        // Insert with literal name announcing a 100-byte name, limit 50.
        let r = buffer.feed(
            &[0x5f, 0x45, b'a'],
            50,
            |r| EncoderInstruction::decode(r, 1000),
            |_| Ok::<_, Reason>(()),
            |r| r,
        );
        assert_eq!(r, Err(Reason::InstructionTooLarge));
    }

    #[test]
    fn decoder_instructions_round_trip() {
        for i in [
            DecoderInstruction::SectionAcknowledgment(4),
            DecoderInstruction::SectionAcknowledgment(1 << 40),
            DecoderInstruction::StreamCancellation(8),
            DecoderInstruction::InsertCountIncrement(1),
        ] {
            let mut bytes = Vec::new();
            i.encode(&mut bytes);
            let mut r = Reader::new(&bytes);
            assert_eq!(DecoderInstruction::decode(&mut r), Ok(i));
            assert!(r.is_empty());
        }
        let mut bytes = Vec::new();
        DecoderInstruction::SectionAcknowledgment(4).encode(&mut bytes);
        assert_eq!(bytes, [0x84]);
    }
}
