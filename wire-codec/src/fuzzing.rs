//! Entry points for the `fuzz` crate: each fuzz target is one call into here, so the checks live
//! next to the code they check and also run as ordinary tests.

use crate::{Incomplete, Reader, VarInt, Writer};

/// Decodes varints from `data` until it runs out. Each must re-encode to the same bytes at the
/// same length, and to a shortest form no longer than that; truncation must be reported exactly.
pub fn varint(data: &[u8]) {
    let mut rest = data;
    loop {
        match VarInt::decode(rest) {
            Ok((value, len)) => {
                let mut buf = [0u8; VarInt::MAX_LEN];
                assert!(value.encode_with_len(len, &mut buf).is_ok());
                assert_eq!(buf.get(..len), rest.get(..len));
                assert!(value.encoded_len() <= len);
                rest = rest.get(len..).unwrap_or_default();
            }
            Err(incomplete) => {
                let expected = match rest.first() {
                    None => 1,
                    Some(&b) => VarInt::len_from_first_byte(b) - rest.len(),
                };
                assert_eq!(incomplete, Incomplete::new(expected));
                return;
            }
        }
    }
}

/// Interprets the first bytes of `data` as a list of reads to run on a [`Reader`] over the rest,
/// checking that no read panics, that failed reads consume nothing, and that what the reader
/// returns is what the input holds; everything read is written back through a [`Writer`] and
/// must equal the consumed input.
pub fn reader(data: &[u8]) {
    let Some((&op_count, rest)) = data.split_first() else {
        return;
    };
    let (ops, input) = rest.split_at(usize::from(op_count).min(rest.len()));
    // Everything read is echoed into a 256-byte buffer.
    let input = input.get(..256).unwrap_or(input);
    let mut reader = Reader::new(input);
    let mut echo = [0u8; 256];
    let mut writer = Writer::new(&mut echo);
    for &op in ops {
        let before = reader;
        let read: Result<(), Incomplete> = match op % 8 {
            0 => reader.read_u8().map(|v| put(&mut writer, &[v])),
            1 => reader
                .read_u16()
                .map(|v| put(&mut writer, &v.to_be_bytes())),
            2 => reader
                .read_u24()
                .map(|v| put(&mut writer, v.to_be_bytes().get(1..).unwrap_or_default())),
            3 => reader
                .read_u32()
                .map(|v| put(&mut writer, &v.to_be_bytes())),
            4 => reader
                .read_u64()
                .map(|v| put(&mut writer, &v.to_be_bytes())),
            5 => {
                let start = reader.peek_rest();
                reader.read_varint().map(|_| {
                    // Non-minimal encodings are legal: echo the bytes, not a re-encoding.
                    put(
                        &mut writer,
                        start
                            .get(..reader.position() - before.position())
                            .unwrap_or_default(),
                    )
                })
            }
            6 => reader
                .read_bytes(usize::from(op >> 3))
                .map(|b| put(&mut writer, b)),
            _ => {
                let start = reader.peek_rest();
                reader.read_varint_prefixed().map(|_| {
                    put(
                        &mut writer,
                        start
                            .get(..reader.position() - before.position())
                            .unwrap_or_default(),
                    )
                })
            }
        };
        if read.is_err() {
            assert_eq!(reader, before);
        }
        assert_eq!(reader.position() + reader.remaining(), input.len());
    }
    assert_eq!(
        writer.written(),
        input.get(..reader.position()).unwrap_or_default()
    );
}

fn put(writer: &mut Writer<'_>, bytes: &[u8]) {
    use crate::Output;
    // The echo buffer holds 256 bytes and `input` is no longer than that.
    assert!(writer.put_slice(bytes).is_ok());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varint_entry_point_holds_on_arbitrary_input(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            varint(&data);
        }

        #[test]
        fn reader_entry_point_holds_on_arbitrary_input(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            reader(&data);
        }
    }
}
