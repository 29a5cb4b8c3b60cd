//! Decoder errors, limits and bombs; encoder behaviour; encoder→decoder properties.

use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

use super::*;

type Decoded = Result<Vec<(Vec<u8>, Vec<u8>)>, Error>;

fn decode(decoder: &mut Decoder, block: &[u8]) -> Decoded {
    decoder
        .decode_to_vec(block)
        .map(|h| h.into_iter().map(|h| (h.name, h.value)).collect())
}

fn kind(result: Decoded) -> ErrorKind {
    result.unwrap_err().kind()
}

#[test]
fn truncated_blocks_are_compression_errors_never_panics() {
    // RFC 7541 C.3.1, cut everywhere.
    let block = [
        0x82, 0x86, 0x84, 0x41, 0x0f, b'w', b'w', b'w', b'.', b'e', b'x', b'a', b'm', b'p', b'l',
        b'e', b'.', b'c', b'o', b'm',
    ];
    for cut in 4..block.len() {
        let result = decode(&mut Decoder::default(), &block[..cut]);
        let error = result.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Truncated, "cut at {cut}");
        assert_eq!(error.offset(), 3);
        assert_eq!(error.h2_error_code(), Some(0x9));
    }
    // A lone 0x3f: a size update whose integer needs more bytes; a lone 0x7f, 0xff likewise.
    for lone in [0x3f, 0x7f, 0xff, 0x1f, 0x0f] {
        assert_eq!(
            kind(decode(&mut Decoder::default(), &[lone])),
            ErrorKind::Truncated
        );
    }
    assert_eq!(
        kind(decode(
            &mut Decoder::default(),
            &[
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ]
        )),
        ErrorKind::IntegerOverflow
    );
}

#[test]
fn invalid_indices() {
    assert_eq!(
        kind(decode(&mut Decoder::default(), &[0x80])),
        ErrorKind::InvalidIndex(0)
    );
    assert_eq!(
        kind(decode(&mut Decoder::default(), &[0xbe])),
        ErrorKind::InvalidIndex(62),
        "empty dynamic table"
    );
    // Literal with an indexed name past the table.
    assert_eq!(
        kind(decode(&mut Decoder::default(), &[0x7f, 0x00, 0x00])),
        ErrorKind::InvalidIndex(63)
    );
    let mut decoder = Decoder::default();
    assert_eq!(
        decode(&mut decoder, &[0x40, 0x01, b'a', 0x01, b'b', 0xbe]).unwrap(),
        vec![
            (b"a".to_vec(), b"b".to_vec()),
            (b"a".to_vec(), b"b".to_vec())
        ]
    );
    assert_eq!(
        kind(decode(&mut decoder, &[0xbf])),
        ErrorKind::InvalidIndex(63)
    );
    // Sticky.
    assert_eq!(
        kind(decode(&mut decoder, &[0x82])),
        ErrorKind::InvalidIndex(63)
    );
}

#[test]
fn table_size_updates_only_at_the_start_and_within_the_setting() {
    let mut decoder = Decoder::default();
    // Two updates at the start are fine (§4.2: the smallest, then the final size).
    assert!(decode(&mut decoder, &[0x20, 0x3f, 0xe1, 0x1f, 0x82]).is_ok());
    assert_eq!(decoder.table_capacity(), 4096);
    assert_eq!(
        kind(decode(&mut Decoder::default(), &[0x82, 0x20])),
        ErrorKind::TableSizeUpdateNotAtStart
    );
    // 4097 > 4096.
    assert_eq!(
        kind(decode(&mut Decoder::default(), &[0x3f, 0xe2, 0x1f])),
        ErrorKind::TableSizeTooLarge {
            size: 4097,
            max: 4096
        }
    );
    // Lowering the setting requires an update at the start of the next block.
    let mut decoder = Decoder::default();
    decoder.set_max_table_size(100);
    assert_eq!(
        kind(decode(&mut decoder, &[0x82])),
        ErrorKind::MissingTableSizeUpdate { max: 100 }
    );
    let mut decoder = Decoder::default();
    decode(&mut decoder, &[0x40, 0x01, b'a', 0x01, b'b']).unwrap();
    decoder.set_max_table_size(0);
    assert_eq!(decode(&mut decoder, &[0x20, 0x82]).unwrap().len(), 1);
    assert_eq!(decoder.table_size(), 0);
    // Raising it needs no update; an update up to the new value is accepted.
    decoder.set_max_table_size(8192);
    assert!(decode(&mut decoder, &[0x82]).is_ok());
    assert!(decode(&mut decoder, &[0x3f, 0xe1, 0x3f]).is_ok());
    assert_eq!(decoder.table_capacity(), 8192);
}

#[test]
fn huffman_errors_are_compression_errors() {
    // Literal value, Huffman, 4 bytes of all ones: EOS.
    assert_eq!(
        kind(decode(
            &mut Decoder::default(),
            &[0x01, 0x84, 0xff, 0xff, 0xff, 0xff]
        )),
        ErrorKind::Huffman(crate::huffman::HuffmanError::EosInString)
    );
    assert_eq!(
        kind(decode(&mut Decoder::default(), &[0x01, 0x81, 0xff])),
        ErrorKind::Huffman(crate::huffman::HuffmanError::PaddingTooLong)
    );
    assert_eq!(
        kind(decode(&mut Decoder::default(), &[0x01, 0x81, 0x18])),
        ErrorKind::Huffman(crate::huffman::HuffmanError::PaddingNotOnes)
    );
}

#[test]
fn strings_are_limited_before_reading_or_allocating() {
    let mut decoder = Decoder::new(DecoderConfig::default().with_max_string_len(10));
    // A literal name claiming 2^40 bytes: rejected from its length alone.
    let mut block = vec![0x40];
    crate::prefix_int::encode(&mut block, 0, 7, 1 << 40).unwrap();
    assert_eq!(
        kind(decode(&mut decoder, &block)),
        ErrorKind::StringTooLong {
            len: 1 << 40,
            limit: 10
        }
    );
    // 11 'a's Huffman-coded in 7 bytes: within the encoded limit, over it decoded.
    let mut decoder = Decoder::new(DecoderConfig::default().with_max_string_len(10));
    let mut coded = Vec::new();
    crate::huffman::encode(&[b'a'; 11], &mut coded).unwrap();
    let mut block = vec![0x01, 0x80 | coded.len() as u8];
    block.extend_from_slice(&coded);
    assert!(matches!(
        kind(decode(&mut decoder, &block)),
        ErrorKind::StringTooLong { limit: 10, .. }
    ));
}

/// One 4000-byte entry referenced 10 000 times: the list size limit stops emission at once,
/// the block is still decoded to its end, and the decoder stays usable.
#[test]
fn bomb_one_large_entry_referenced_thousands_of_times() {
    let mut block = vec![0x40, 0x01, b'x'];
    crate::prefix_int::encode(&mut block, 0, 7, 3900).unwrap();
    block.extend_from_slice(&[b'v'; 3900]);
    block.extend(core::iter::repeat_n(0xbe, 10_000));
    let mut decoder = Decoder::default();
    let mut emitted = 0usize;
    let mut bytes = 0usize;
    let error = decoder
        .decode(&block, |f| {
            emitted += 1;
            bytes += f.size();
        })
        .unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::HeaderListTooLarge { limit: 64 * 1024 }
    );
    assert!(!error.is_connection_error());
    assert_eq!(error.h2_error_code(), None);
    assert!(bytes <= 64 * 1024);
    assert_eq!(emitted, 16, "16 fields of 3933 bytes fit in 64 KiB");
    assert!(error.to_string().contains("header list"));
    // Still in sync: the entry is still there.
    assert_eq!(decode(&mut decoder, &[0xbe]).unwrap()[0].1.len(), 3900);
}

/// 100 000 one-byte fields: the field count cap stops emission; nothing is allocated per field.
#[test]
fn bomb_thousands_of_tiny_fields() {
    let block = vec![0x82; 100_000];
    let mut decoder = Decoder::default();
    let mut emitted = 0;
    let error = decoder.decode(&block, |_| emitted += 1).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooManyFields { limit: 1024 });
    assert_eq!(error.offset(), 1024);
    assert_eq!(emitted, 1024);
    // Empty literal names and values cost 32 each against the list size.
    let mut decoder = Decoder::new(DecoderConfig::default().with_max_fields(usize::MAX));
    let block: Vec<u8> = core::iter::repeat_n([0x00, 0x00, 0x00], 10_000)
        .flatten()
        .collect();
    let error = decoder.decode(&block, |_| ()).unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::HeaderListTooLarge { limit: 64 * 1024 }
    );
    assert_eq!(error.offset(), 2048 * 3);
}

#[test]
fn never_indexed_is_reported_and_sensitive_fields_stay_out_of_the_table() {
    let mut encoder = Encoder::default();
    let mut block = Vec::new();
    encoder.encode(
        [
            Field::new(b"authorization", b"Basic Zm9vOmJhcg=="),
            Field::new(b"cookie", b"id=1"),
            Field::new(b"cookie", b"a-long-cookie-value-that-is-not-guessable"),
            Field::sensitive(b"x-token", b"abc"),
            Field::new(b"x-token", b"public"),
        ],
        &mut block,
    );
    let decoded = Decoder::default().decode_to_vec(&block).unwrap();
    let sensitive: Vec<bool> = decoded.iter().map(|h| h.sensitive).collect();
    assert_eq!(sensitive, [true, true, false, true, false]);
    // Only the long cookie and the public x-token were indexed.
    assert_eq!(encoder.table_size(), 6 + 41 + 32 + 7 + 6 + 32);
}

#[test]
fn the_encoder_follows_settings_changes_with_size_updates() {
    let mut encoder = Encoder::default();
    let mut decoder = Decoder::default();
    let mut block = Vec::new();
    encoder.encode([Field::new(b"x-a", b"1")], &mut block);
    decode(&mut decoder, &block).unwrap();
    // The peer lowers its setting to 0 then raises it to 1000 before our next block.
    encoder.set_peer_max_table_size(0);
    encoder.set_peer_max_table_size(1000);
    decoder.set_max_table_size(0);
    decoder.set_max_table_size(1000);
    block.clear();
    encoder.encode([Field::new(b"x-a", b"1")], &mut block);
    assert_eq!(
        &block[..3],
        &[0x20, 0x3f, 0xc9],
        "update to 0, then to 1000"
    );
    decode(&mut decoder, &block).unwrap();
    assert_eq!(encoder.table_capacity(), 1000);
    assert_eq!(decoder.table_capacity(), 1000);
    // An unchanged setting sends nothing.
    encoder.set_peer_max_table_size(1000);
    block.clear();
    encoder.encode([Field::new(b"x-a", b"1")], &mut block);
    assert_eq!(block, [0xbe]);
    // Our own cap below the default is announced in the first block.
    let mut small = Encoder::new(EncoderConfig::default().with_max_table_size(256));
    block.clear();
    small.encode([Field::new(b"x-a", b"1")], &mut block);
    assert_eq!(&block[..3], &[0x3f, 0xe1, 0x01]);
}

#[test]
fn huffman_is_used_only_when_shorter() {
    let mut block = Vec::new();
    Encoder::default().encode([Field::new(b"x-bin", b"\x00\x01\x02")], &mut block);
    // Name "x-bin" is shorter Huffman-coded; the binary value is not.
    let value_at = block.len() - 4;
    assert_eq!(block[value_at], 0x03, "raw value, length 3");
}

/// A header list of arbitrary names and values.
fn header_list() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>, bool)>> {
    let name = prop_oneof![
        Just(b":path".to_vec()),
        Just(b"cookie".to_vec()),
        Just(b"x-custom".to_vec()),
        Just(b"content-type".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
    ];
    let value = prop_oneof![
        Just(b"text/html".to_vec()),
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::collection::vec(any::<u8>(), 0..700),
    ];
    proptest::collection::vec((name, value, any::<bool>()), 0..12)
}

proptest! {
    /// Arbitrary header lists and settings changes, through our encoder and decoder in every
    /// policy: the same fields come back and both tables stay identical.
    #[test]
    fn encoder_and_decoder_agree(
        blocks in proptest::collection::vec((header_list(), proptest::option::of(0usize..5000)), 1..8),
        max_table_size in 0usize..5000,
        policy in 0u8..9,
    ) {
        let config = EncoderConfig::default()
            .with_max_table_size(max_table_size)
            .with_huffman([HuffmanPolicy::Shorter, HuffmanPolicy::Always, HuffmanPolicy::Never][usize::from(policy % 3)])
            .with_indexing([IndexingPolicy::Selective, IndexingPolicy::All, IndexingPolicy::Nothing][usize::from(policy / 3)]);
        let mut encoder = Encoder::new(config);
        let mut decoder = Decoder::new(DecoderConfig::default().with_max_header_list_size(1 << 20));
        for (list, settings) in blocks {
            if let Some(size) = settings {
                encoder.set_peer_max_table_size(size);
                decoder.set_max_table_size(size);
            }
            let mut block = Vec::new();
            encoder.encode(list.iter().map(|(n, v, s)| Field { name: n, value: v, sensitive: *s }), &mut block);
            let decoded = decoder.decode_to_vec(&block).unwrap();
            prop_assert_eq!(decoded.len(), list.len());
            for (got, (n, v, s)) in decoded.iter().zip(&list) {
                prop_assert_eq!(&got.name, n);
                prop_assert_eq!(&got.value, v);
                prop_assert!(!*s || got.sensitive);
            }
            prop_assert_eq!(decoder.table_size(), encoder.table_size());
            prop_assert!(encoder.table_size() <= encoder.table_capacity());
            let ours: Vec<(&[u8], &[u8])> = decoder.table_entries().collect();
            prop_assert!(ours.len() * 32 <= decoder.table_capacity());
        }
    }

    /// Arbitrary bytes never panic the decoder, under any table size.
    #[test]
    fn arbitrary_blocks_never_panic(blocks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 1..4), size in 0usize..5000) {
        let mut decoder = Decoder::new(DecoderConfig::default().with_max_table_size(size));
        for block in blocks {
            let _ = decoder.decode(&block, |_| ());
            prop_assert!(decoder.table_size() <= decoder.table_capacity());
        }
    }

    #[test]
    fn fuzz_entry_points_hold(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        fuzzing::decode(&data);
        fuzzing::roundtrip(&data);
    }
}

/// Review: strings of exactly the limit pass and one byte more fail, raw and Huffman-coded,
/// as names and as values; the limit counts decoded bytes, so a Huffman encoding longer than
/// the limit (binary octets take up to 30 bits) is fine when it decodes within it.
#[test]
fn string_limit_is_exact_for_raw_and_huffman_strings() {
    const LIMIT: usize = 20;
    fn literal(name: &[u8], value: &[u8], huffman: bool) -> Vec<u8> {
        let mut block = vec![0x00];
        for s in [name, value] {
            if huffman {
                let mut coded = Vec::new();
                crate::huffman::encode(s, &mut coded).unwrap();
                crate::prefix_int::encode(&mut block, 0x80, 7, coded.len() as u64).unwrap();
                block.extend_from_slice(&coded);
            } else {
                crate::prefix_int::encode(&mut block, 0, 7, s.len() as u64).unwrap();
                block.extend_from_slice(s);
            }
        }
        block
    }
    for huffman in [false, true] {
        // 0x00 takes 13 bits Huffman-coded: 20 of them are 33 bytes on the wire.
        for byte in [b'a', 0x00] {
            for len in [0, LIMIT - 1, LIMIT, LIMIT + 1] {
                let s = vec![byte; len];
                for (name, value) in [(&s[..], &b"v"[..]), (&b"n"[..], &s[..])] {
                    let mut decoder =
                        Decoder::new(DecoderConfig::default().with_max_string_len(LIMIT));
                    let result = decode(&mut decoder, &literal(name, value, huffman));
                    let what = (huffman, byte, len, name.len());
                    if len <= LIMIT {
                        assert_eq!(
                            result,
                            Ok(vec![(name.to_vec(), value.to_vec())]),
                            "{what:?}"
                        );
                    } else {
                        assert!(
                            matches!(kind(result), ErrorKind::StringTooLong { limit: LIMIT, .. }),
                            "{what:?}"
                        );
                    }
                }
            }
        }
    }
    // A Huffman length beyond what LIMIT octets can take (30 bits each) fails from its
    // length alone, before a byte of it is read.
    let mut block = vec![0x00];
    crate::prefix_int::encode(&mut block, 0x80, 7, 1 << 40).unwrap();
    let mut decoder = Decoder::new(DecoderConfig::default().with_max_string_len(LIMIT));
    assert_eq!(
        kind(decode(&mut decoder, &block)),
        ErrorKind::StringTooLong {
            len: 1 << 40,
            limit: LIMIT
        }
    );
}

/// Review: RFC 7541 §4.2 — when SETTINGS_HEADER_TABLE_SIZE went down and up again between
/// blocks, "the smallest maximum table size that occurs in that interval MUST be signaled".
#[test]
fn settings_lowered_then_raised_require_the_smallest_size_update() {
    let setup = || {
        let mut decoder = Decoder::default();
        decode(&mut decoder, &[0x40, 0x01, b'a', 0x01, b'b']).unwrap();
        decoder.set_max_table_size(100);
        decoder.set_max_table_size(4096);
        decoder
    };
    // Only the final size: the smallest (100) was not signalled.
    assert_eq!(
        kind(decode(&mut setup(), &[0x3f, 0xe1, 0x1f, 0x82])),
        ErrorKind::MissingTableSizeUpdate { max: 100 }
    );
    // No update at all.
    assert_eq!(
        kind(decode(&mut setup(), &[0x82])),
        ErrorKind::MissingTableSizeUpdate { max: 100 }
    );
    // The smallest (or less), then the final size: accepted.
    for block in [
        &[0x3f, 0x45, 0x3f, 0xe1, 0x1f, 0x82][..],
        &[0x20, 0x3f, 0xe1, 0x1f, 0x82],
    ] {
        let mut decoder = setup();
        assert_eq!(decode(&mut decoder, block).unwrap().len(), 1);
        assert_eq!(decoder.table_capacity(), 4096);
    }
    // An update to the smallest alone is fine too; the entry (34 bytes) survives a 100 cap.
    let mut decoder = setup();
    assert_eq!(decode(&mut decoder, &[0x3f, 0x45, 0xbe]).unwrap().len(), 1);
    // Lowered twice: the lower of the two is required.
    let mut decoder = setup();
    decoder.set_max_table_size(50);
    decoder.set_max_table_size(4096);
    assert_eq!(
        kind(decode(&mut decoder, &[0x3f, 0x45, 0x82])),
        ErrorKind::MissingTableSizeUpdate { max: 50 }
    );
    // An empty block keeps the requirement for the next one.
    let mut decoder = setup();
    assert!(decode(&mut decoder, &[]).is_ok());
    assert_eq!(
        kind(decode(&mut decoder, &[0x82])),
        ErrorKind::MissingTableSizeUpdate { max: 100 }
    );
}

/// Review: every prefixed integer of every representation — indexed (7-bit prefix), literal
/// with indexing (6), without / never indexed (4), size update (5), string length (7) — cut
/// short is Truncated, over-long is IntegerOverflow, and 2^62 - 1 is a typed error, never a
/// panic or a huge allocation.
#[test]
fn every_prefix_integer_is_bounded() {
    // (first byte's pattern, prefix bits, what the largest value is rejected as)
    let max = crate::prefix_int::MAX_VALUE;
    let cases: [(&[u8], u8, ErrorKind); 5] = [
        (&[0x80], 7, ErrorKind::InvalidIndex(max)),
        (&[0x40], 6, ErrorKind::InvalidIndex(max)),
        (&[0x00], 4, ErrorKind::InvalidIndex(max)),
        (&[0x10], 4, ErrorKind::InvalidIndex(max)),
        (
            &[0x20],
            5,
            ErrorKind::TableSizeTooLarge {
                size: max,
                max: 4096,
            },
        ),
    ];
    for (pattern, prefix, largest) in cases {
        let mut block = Vec::new();
        crate::prefix_int::encode(&mut block, pattern[0], prefix, max).unwrap();
        assert_eq!(kind(decode(&mut Decoder::default(), &block)), largest);
        for cut in 1..block.len() {
            assert_eq!(
                kind(decode(&mut Decoder::default(), &block[..cut])),
                ErrorKind::Truncated,
                "{pattern:?} cut at {cut}"
            );
        }
        let mut overlong = vec![pattern[0] | ((1u8 << prefix) - 1)];
        overlong.extend_from_slice(&[0x80; 9]);
        overlong.push(0x00);
        assert_eq!(
            kind(decode(&mut Decoder::default(), &overlong)),
            ErrorKind::IntegerOverflow
        );
        // 2^62 - 1 plus one more continuation byte's worth.
        block.pop();
        block.push(0xff);
        block.push(0x01);
        assert_eq!(
            kind(decode(&mut Decoder::default(), &block)),
            ErrorKind::IntegerOverflow
        );
    }
    // String lengths (7-bit prefix, raw and Huffman): the largest is too long, cut is truncated.
    for h in [0x00, 0x80] {
        let mut block = vec![0x00];
        crate::prefix_int::encode(&mut block, h, 7, max).unwrap();
        assert_eq!(
            kind(decode(&mut Decoder::default(), &block)),
            ErrorKind::StringTooLong {
                len: max,
                limit: 64 * 1024
            }
        );
        assert_eq!(
            kind(decode(&mut Decoder::default(), &block[..4])),
            ErrorKind::Truncated
        );
        // A length the block does not hold: truncated, and nothing allocated for it.
        assert_eq!(
            kind(decode(
                &mut Decoder::default(),
                &[0x00, h | 0x7f, 0x80, 0x01]
            )),
            ErrorKind::Truncated
        );
    }
}

/// Review: RFC 7541 §4.1 counts name + value + 32; §4.4: an entry exactly the table's size
/// fits (evicting everything else), one byte more empties the table and is not added, and a
/// table full of empty entries holds capacity / 32 of them.
#[test]
fn entry_size_accounting_at_the_table_boundary() {
    // 100-byte table; "ab": value of 66 bytes is exactly 100.
    let literal = |value_len: usize| {
        let mut block = vec![0x3f, 0x45, 0x40, 0x02, b'a', b'b'];
        crate::prefix_int::encode(&mut block, 0, 7, value_len as u64).unwrap();
        block.extend(core::iter::repeat_n(b'v', value_len));
        block
    };
    let mut decoder = Decoder::default();
    decode(&mut decoder, &[0x3f, 0x45, 0x40, 0x00, 0x00]).unwrap();
    assert_eq!(decoder.table_size(), 32, "an empty entry costs 32");
    decode(&mut decoder, &literal(66)).unwrap();
    assert_eq!(
        (decoder.table_size(), decoder.table_entries().count()),
        (100, 1)
    );
    assert_eq!(decode(&mut decoder, &[0xbe]).unwrap()[0].1.len(), 66);
    decode(&mut decoder, &literal(67)).unwrap();
    assert_eq!(
        (decoder.table_size(), decoder.table_entries().count()),
        (0, 0)
    );
    assert_eq!(
        kind(decode(&mut decoder, &[0xbe])),
        ErrorKind::InvalidIndex(62)
    );
    // Empty entries: 4096 / 32 = 128 at most, however many are sent.
    let mut decoder = Decoder::default();
    let block: Vec<u8> = core::iter::repeat_n([0x40, 0x00, 0x00], 1000)
        .flatten()
        .collect();
    let _ = decoder.decode(&block, |_| ());
    assert_eq!(
        (decoder.table_size(), decoder.table_entries().count()),
        (4096, 128)
    );
}
