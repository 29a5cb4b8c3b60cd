//! `decode varint`: QUIC variable-length integers back to back (RFC 9000 §16).

use std::io::Write;

use wire_codec::{Reader, VarInt};

use super::hex;
use crate::Failure;
use crate::input::InputArgs;

/// Decodes the input's varints.
pub fn run(input: &InputArgs, out: &mut impl Write) -> Result<(), Failure> {
    varints(&input.bytes()?, out)
}

/// One line per varint: offset, encoded bytes, length and value; a truncated last varint is an
/// error naming how many bytes it lacks.
pub fn varints(bytes: &[u8], out: &mut impl Write) -> Result<(), Failure> {
    let mut reader = Reader::new(bytes);
    while !reader.is_empty() {
        let offset = reader.position();
        let start = reader.peek_rest();
        match reader.read_varint() {
            Ok(value) => {
                let len = reader.position() - offset;
                let minimal = if value.encoded_len() < len {
                    format!(
                        "  (non-minimal; shortest is {} byte(s))",
                        value.encoded_len()
                    )
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "@{offset:<4} {:<16}  {len} byte(s)  {value}{minimal}",
                    hex(&start[..len])
                )?;
            }
            Err(incomplete) => {
                return Err(Failure(format!(
                    "@{offset}: truncated varint {} ({}-byte encoding, {} more byte(s) needed)",
                    hex(start),
                    VarInt::len_from_first_byte(start[0]),
                    incomplete.needed()
                )));
            }
        }
    }
    Ok(())
}
