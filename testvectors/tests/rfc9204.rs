//! RFC 9204 Appendix A (static table) and Appendix B (examples) through `qpack_hpack::qpack`,
//! with both transcriptions checked against the RFC text.

use qpack_hpack::qpack::{
    Decoded, Decoder, DecoderInstruction, DecoderSettings, EncoderInstruction, FieldLine,
    SectionPrefix, static_table,
};
use testvectors::rfc9204::{APPENDIX_B, MAX_TABLE_CAPACITY, Step};
use testvectors::{hex, shared};
use wire_codec::Reader;

fn fields_of(list: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    list.iter()
        .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

fn pairs(fields: &[qpack_hpack::qpack::Field]) -> Vec<(Vec<u8>, Vec<u8>)> {
    fields
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect()
}

fn check_table(decoder: &Decoder, entries: &[(u64, &str, &str)], size: u64, title: &str) {
    let table = decoder.table();
    assert_eq!(table.size(), size, "{title}: size");
    assert_eq!(table.len(), entries.len(), "{title}: entries");
    for &(abs, name, value) in entries {
        assert_eq!(
            table.get(abs),
            Ok((name.as_bytes(), value.as_bytes())),
            "{title}: entry {abs}"
        );
    }
}

/// The decoder side of Appendix B: every encoder-stream chunk and section decodes as the RFC
/// shows, the table matches after each step, and the decoder stream carries exactly the
/// instructions of the example. In B.4 the encoder-stream packet is delayed: the section
/// arrives first, blocks, and the stream is cancelled (0x48) before the Duplicate arrives.
#[test]
fn appendix_b_decoder_byte_exact() {
    let mut decoder = Decoder::new(DecoderSettings {
        max_table_capacity: MAX_TABLE_CAPACITY,
        ..DecoderSettings::default()
    });
    for (title, steps) in APPENDIX_B {
        let delayed = title.starts_with("B.4");
        let mut held_encoder_bytes = None;
        for step in *steps {
            match *step {
                Step::Encoder(h) if delayed => held_encoder_bytes = Some(hex(h)),
                Step::Encoder(h) => decoder.handle_encoder_stream(&hex(h)).unwrap(),
                Step::Table(entries, size) if !delayed => {
                    check_table(&decoder, entries, size, title)
                }
                Step::Table(..) => {}
                Step::Section {
                    stream_id,
                    hex: h,
                    fields,
                } => {
                    let decoded = decoder.decode_section(stream_id, &hex(h)).unwrap();
                    if delayed {
                        assert_eq!(decoded, Decoded::Blocked, "{title}");
                        assert_eq!(decoder.blocked_streams(), 1);
                        // Decode a copy once the Duplicate has arrived, to check the fields.
                        let mut replica = Decoder::new(*decoder.settings());
                        for (_, earlier) in APPENDIX_B.iter().take(3) {
                            for s in *earlier {
                                if let Step::Encoder(e) = s {
                                    replica.handle_encoder_stream(&hex(e)).unwrap();
                                }
                            }
                        }
                        replica
                            .handle_encoder_stream(held_encoder_bytes.as_deref().unwrap())
                            .unwrap();
                        let Ok(Decoded::Fields(got)) = replica.decode_section(stream_id, &hex(h))
                        else {
                            panic!("{title}: replica failed");
                        };
                        assert_eq!(pairs(&got), fields_of(fields), "{title}");
                        decoder.cancel_stream(stream_id);
                        assert_eq!(decoder.blocked_streams(), 0);
                    } else {
                        let Decoded::Fields(got) = decoded else {
                            panic!("{title}: blocked");
                        };
                        assert_eq!(pairs(&got), fields_of(fields), "{title}");
                    }
                }
                Step::Decoder(h) => {
                    let mut out = Vec::new();
                    decoder.poll_decoder_stream(&mut out);
                    assert_eq!(out, hex(h), "{title}: decoder stream");
                }
            }
        }
        if let Some(bytes) = held_encoder_bytes {
            decoder.handle_encoder_stream(&bytes).unwrap();
            assert_eq!(decoder.poll_event(), None, "the cancelled section is gone");
            for step in *steps {
                if let Step::Table(entries, size) = *step {
                    check_table(&decoder, entries, size, title);
                }
            }
        }
    }
}

/// The same bytes fed one byte at a time on the encoder stream give the same table.
#[test]
fn appendix_b_encoder_stream_in_single_bytes() {
    let mut decoder = Decoder::new(DecoderSettings {
        max_table_capacity: MAX_TABLE_CAPACITY,
        ..DecoderSettings::default()
    });
    let mut last_table = None;
    for (_, steps) in APPENDIX_B {
        for step in *steps {
            match *step {
                Step::Encoder(h) => {
                    for b in hex(h) {
                        decoder.handle_encoder_stream(&[b]).unwrap();
                    }
                }
                Step::Table(entries, size) => last_table = Some((entries, size)),
                _ => {}
            }
        }
    }
    let (entries, size) = last_table.unwrap();
    check_table(&decoder, entries, size, "B.5 byte by byte");
}

/// The encoder side: our instruction and representation writers produce the example's bytes
/// (the examples use no Huffman coding).
#[test]
fn appendix_b_encoder_byte_exact() {
    let max_entries = MAX_TABLE_CAPACITY / 32;
    let section = |ric: u64, base: u64, lines: &[FieldLine]| {
        let mut out = Vec::new();
        SectionPrefix {
            required_insert_count: ric,
            base,
        }
        .encode(max_entries, &mut out);
        for line in lines {
            line.encode_with(base, &mut out, false);
        }
        out
    };
    let encoder = |instructions: &[EncoderInstruction]| {
        let mut out = Vec::new();
        for i in instructions {
            i.encode_with(&mut out, false);
        }
        out
    };
    let decoder = |i: DecoderInstruction| {
        let mut out = Vec::new();
        i.encode(&mut out);
        out
    };
    // B.1
    assert_eq!(
        section(
            0,
            0,
            &[FieldLine::StaticNameRef {
                index: 1,
                value: b"/index.html".to_vec(),
                never_indexed: false
            }]
        ),
        hex("0000 510b 2f69 6e64 6578 2e68 746d 6c")
    );
    // B.2
    assert_eq!(
        encoder(&[
            EncoderInstruction::SetCapacity(220),
            EncoderInstruction::InsertWithNameRef {
                is_static: true,
                index: 0,
                value: b"www.example.com".to_vec()
            },
            EncoderInstruction::InsertWithNameRef {
                is_static: true,
                index: 1,
                value: b"/sample/path".to_vec()
            },
        ]),
        hex("3fbd01 c00f 7777 772e 6578 616d 706c 652e 636f 6d c10c 2f73 616d 706c 652f 7061 7468")
    );
    assert_eq!(
        section(
            2,
            0,
            &[FieldLine::IndexedDynamic(0), FieldLine::IndexedDynamic(1)]
        ),
        hex("0381 10 11")
    );
    assert_eq!(
        decoder(DecoderInstruction::SectionAcknowledgment(4)),
        hex("84")
    );
    // B.3
    assert_eq!(
        encoder(&[EncoderInstruction::InsertWithLiteralName {
            name: b"custom-key".to_vec(),
            value: b"custom-value".to_vec()
        }]),
        hex("4a63 7573 746f 6d2d 6b65 790c 6375 7374 6f6d 2d76 616c 7565")
    );
    assert_eq!(
        decoder(DecoderInstruction::InsertCountIncrement(1)),
        hex("01")
    );
    // B.4
    assert_eq!(encoder(&[EncoderInstruction::Duplicate(2)]), hex("02"));
    assert_eq!(
        section(
            4,
            4,
            &[
                FieldLine::IndexedDynamic(3),
                FieldLine::IndexedStatic(1),
                FieldLine::IndexedDynamic(2)
            ]
        ),
        hex("0500 80 c1 81")
    );
    assert_eq!(
        decoder(DecoderInstruction::StreamCancellation(8)),
        hex("48")
    );
    // B.5
    assert_eq!(
        encoder(&[EncoderInstruction::InsertWithNameRef {
            is_static: false,
            index: 1,
            value: b"custom-value2".to_vec()
        }]),
        hex("810d 6375 7374 6f6d 2d76 616c 7565 32")
    );
}

/// The hex of each Appendix B step appears, in order, in the RFC text (matched on the hex
/// column with whitespace removed), so a transcription typo cannot go unnoticed.
#[test]
fn appendix_b_transcription_matches_the_rfc_text() {
    let Some(text) = shared::rfc_text("rfc9204") else {
        return;
    };
    let start = text.find("B.1.  Literal Field Line with Name Reference\n\n   The encoder");
    let start = start.expect("Appendix B.1");
    let end = start
        + text[start..]
            .find("Appendix C.  Sample")
            .expect("Appendix C");
    // The data column: what precedes " | " on each line, in order.
    let mut data = String::new();
    for line in text[start..end].lines() {
        if let Some((left, _)) = line.split_once('|') {
            let left = left.trim();
            if left.chars().all(|c| c.is_ascii_hexdigit() || c == ' ') {
                data.extend(left.chars().filter(|c| !c.is_whitespace()));
            }
        }
    }
    let mut ours = String::new();
    for (title, steps) in APPENDIX_B {
        assert!(text[start..end].contains(title), "{title}");
        for step in *steps {
            let h = match step {
                Step::Encoder(h) | Step::Decoder(h) => *h,
                Step::Section { hex, .. } => *hex,
                Step::Table(..) => continue,
            };
            ours.extend(h.chars().filter(|c| !c.is_whitespace()));
        }
    }
    assert_eq!(ours, data);
}

/// Appendix A re-read from the RFC text: every row, with values wrapped over several lines
/// joined back (a break after '-' or '/' joins directly, any other with a space).
#[test]
fn static_table_matches_the_rfc_text() {
    let Some(text) = shared::rfc_text("rfc9204") else {
        return;
    };
    let start = text
        .find("Appendix A.  Static Table\n\n")
        .expect("Appendix A");
    let end = start
        + text[start..]
            .find("Table 4: Static Table")
            .expect("caption");
    let mut rows: Vec<(String, String)> = Vec::new();
    for line in text[start..end].lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() != 5 || cells[1] == "Index" {
            continue;
        }
        let (index, name, value) = (cells[1], cells[2], cells[3]);
        if !index.is_empty() {
            assert_eq!(index.parse::<usize>().unwrap(), rows.len());
            rows.push((name.to_string(), value.to_string()));
        } else {
            let row = rows.last_mut().unwrap();
            row.0.push_str(name);
            if !(row.1.ends_with('-') || row.1.ends_with('/')) {
                row.1.push(' ');
            }
            row.1.push_str(value);
        }
    }
    assert_eq!(rows.len(), static_table::LEN);
    for (i, (name, value)) in rows.iter().enumerate() {
        let (n, v) = static_table::ENTRIES[i];
        assert_eq!((n, v), (name.as_bytes(), value.as_bytes()), "entry {i}");
    }
}

/// A decoder-instruction stream of the appendix parsed back (both directions of §4.4).
#[test]
fn decoder_instructions_of_appendix_b_parse() {
    let bytes = hex("84 01 48");
    let mut r = Reader::new(&bytes);
    let mut got = Vec::new();
    while !r.is_empty() {
        got.push(DecoderInstruction::decode(&mut r).unwrap());
    }
    assert_eq!(
        got,
        [
            DecoderInstruction::SectionAcknowledgment(4),
            DecoderInstruction::InsertCountIncrement(1),
            DecoderInstruction::StreamCancellation(8)
        ]
    );
}
