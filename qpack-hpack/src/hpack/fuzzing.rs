//! Entry points for the `fuzz` crate's HPACK targets (see the workspace's fuzzing convention);
//! they also run as tests.

use alloc::vec::Vec;

use super::{Decoder, DecoderConfig, Encoder, EncoderConfig, Field, HuffmanPolicy, IndexingPolicy};

/// `hpack_decode`: the first two bytes choose the acknowledged table size (0..=65535), the
/// rest is header blocks, each after a length byte, decoded in one context; a length byte of
/// 0xff instead announces a newly acknowledged table size in the next two bytes. Decoding must
/// never panic, stay within its limits, and keep connection errors sticky.
pub fn decode(data: &[u8]) {
    let Some((size, mut rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let mut largest_setting = usize::from(u16::from_be_bytes(*size));
    let config = DecoderConfig::default()
        .with_max_table_size(largest_setting)
        .with_max_header_list_size(16 * 1024)
        .with_max_string_len(4096);
    let mut decoder = Decoder::new(config);
    while let Some((&len, tail)) = rest.split_first() {
        if len == 0xff {
            let Some((size, tail)) = tail.split_first_chunk::<2>() else {
                return;
            };
            rest = tail;
            let size = usize::from(u16::from_be_bytes(*size));
            largest_setting = largest_setting.max(size);
            decoder.set_max_table_size(size);
            continue;
        }
        let len = usize::from(len).min(tail.len());
        let (block, tail) = tail.split_at(len);
        rest = tail;
        let mut total = 0usize;
        let result = decoder.decode(block, |field| total += field.size());
        assert!(total <= 16 * 1024);
        if result.is_ok() && total > 0 {
            // RFC 7541 §4.2: a field is decoded only once the table is within the setting.
            assert!(decoder.table_capacity() <= decoder.config().max_table_size);
        }
        assert!(decoder.table_size() <= decoder.table_capacity());
        assert!(decoder.table_capacity() <= largest_setting);
        if result.is_err_and(|e| e.is_connection_error()) {
            // Sticky: the same error again.
            assert_eq!(decoder.decode(&[], |_| ()), result);
            return;
        }
    }
}

/// `hpack_roundtrip`: the encoder's output for arbitrary header lists and settings decodes to
/// the same fields, sensitivity included.
pub fn roundtrip(data: &[u8]) {
    let Some((&settings, mut rest)) = data.split_first() else {
        return;
    };
    let huffman = match settings & 3 {
        0 => HuffmanPolicy::Always,
        1 => HuffmanPolicy::Never,
        _ => HuffmanPolicy::Shorter,
    };
    let indexing = match (settings >> 2) & 3 {
        0 => IndexingPolicy::All,
        1 => IndexingPolicy::Nothing,
        _ => IndexingPolicy::Selective,
    };
    let mut encoder = Encoder::new(
        EncoderConfig::default()
            .with_huffman(huffman)
            .with_indexing(indexing)
            .with_max_table_size(usize::from(settings >> 4) * 300),
    );
    let mut decoder = Decoder::new(DecoderConfig::default());
    // Blocks: a count byte, then per field a name length, value length, flags, bytes.
    while let Some((&count, tail)) = rest.split_first() {
        rest = tail;
        if count == 0xff {
            // A settings change between blocks.
            let Some((&size, tail)) = rest.split_first() else {
                return;
            };
            rest = tail;
            let size = usize::from(size) * 32;
            encoder.set_peer_max_table_size(size);
            decoder.set_max_table_size(size);
            continue;
        }
        let mut fields: Vec<(Vec<u8>, Vec<u8>, bool)> = Vec::new();
        for _ in 0..count % 32 {
            let Some(([name_len, value_len, flags], tail)) = rest.split_first_chunk::<3>() else {
                break;
            };
            let name_len = usize::from(*name_len % 64).min(tail.len());
            let (name, tail) = tail.split_at(name_len);
            let value_len = usize::from(*value_len).min(tail.len());
            let (value, tail) = tail.split_at(value_len);
            rest = tail;
            fields.push((name.to_vec(), value.to_vec(), flags & 1 != 0));
        }
        let mut block = Vec::new();
        encoder.encode(
            fields.iter().map(|(n, v, s)| Field {
                name: n,
                value: v,
                sensitive: *s,
            }),
            &mut block,
        );
        let decoded = decoder.decode_to_vec(&block);
        assert!(
            decoded.is_ok(),
            "our encoding failed to decode: {decoded:?}"
        );
        let Ok(decoded) = decoded else {
            return;
        };
        assert_eq!(decoded.len(), fields.len());
        for (got, (name, value, sensitive)) in decoded.iter().zip(&fields) {
            assert_eq!(&got.name, name);
            assert_eq!(&got.value, value);
            if *sensitive {
                assert!(got.sensitive);
            }
        }
        assert_eq!(decoder.table_size(), encoder.table_size());
        assert_eq!(decoder.table_capacity(), encoder.table_capacity());
    }
}
