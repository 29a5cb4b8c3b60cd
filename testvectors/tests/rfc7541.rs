//! RFC 7541 (HPACK) vectors through `qpack-hpack`: Appendix C byte-exact in both directions,
//! and the transcriptions (Appendix A, B and C) checked against the RFC text itself.

use qpack_hpack::hpack::{
    Decoder, DecoderConfig, Encoder, EncoderConfig, Field, HuffmanPolicy, IndexingPolicy,
    STATIC_TABLE,
};
use qpack_hpack::{huffman, prefix_int};
use testvectors::rfc7541::{EXAMPLES, Example, INTEGERS, sequences};
use testvectors::{hex, shared};

fn fields(example: &Example) -> Vec<(Vec<u8>, Vec<u8>)> {
    example
        .headers
        .iter()
        .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

fn check_decoded(decoder: &mut Decoder, example: &Example) {
    let decoded = decoder
        .decode_to_vec(&hex(example.encoded))
        .unwrap_or_else(|e| panic!("{}: {e}", example.section));
    let got: Vec<(Vec<u8>, Vec<u8>)> = decoded.into_iter().map(|h| (h.name, h.value)).collect();
    assert_eq!(got, fields(example), "{}", example.section);
    let table: Vec<(&[u8], &[u8])> = decoder.table_entries().collect();
    let expected: Vec<(&[u8], &[u8])> = example
        .table
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .collect();
    assert_eq!(table, expected, "{} dynamic table", example.section);
    assert_eq!(
        decoder.table_size(),
        example.table_size,
        "{}",
        example.section
    );
}

#[test]
fn c1_integers_byte_exact() {
    for (value, prefix, encoded) in INTEGERS {
        let bytes = hex(encoded);
        let mut out = Vec::new();
        prefix_int::encode(&mut out, 0, prefix, value).unwrap();
        assert_eq!(out, bytes);
        assert_eq!(
            prefix_int::decode_slice(&bytes, prefix),
            Ok((value, bytes.len()))
        );
    }
}

#[test]
fn c2_single_representations_decode_and_encode_byte_exact() {
    for example in &EXAMPLES[..4] {
        check_decoded(&mut Decoder::default(), example);
    }
    // C.2.1 literal with indexing; C.2.2 without indexing (`:path` is not worth indexing);
    // C.2.3 never indexed (the caller marks the password sensitive); C.2.4 indexed.
    let config = EncoderConfig::default().with_huffman(HuffmanPolicy::Never);
    for (example, indexing, sensitive) in [
        (&EXAMPLES[0], IndexingPolicy::All, false),
        (&EXAMPLES[1], IndexingPolicy::Selective, false),
        (&EXAMPLES[2], IndexingPolicy::All, true),
        (&EXAMPLES[3], IndexingPolicy::All, false),
    ] {
        let mut encoder = Encoder::new(config.with_indexing(indexing));
        let (name, value) = example.headers[0];
        let mut out = Vec::new();
        encoder.encode(
            [Field {
                name: name.as_bytes(),
                value: value.as_bytes(),
                sensitive,
            }],
            &mut out,
        );
        assert_eq!(out, hex(example.encoded), "{}", example.section);
        assert_eq!(encoder.table_size(), example.table_size);
    }
}

#[test]
fn c3_to_c6_sequences_decode_and_encode_byte_exact() {
    for (section, huffman_coded, table_size, examples) in sequences() {
        let mut decoder = Decoder::new(DecoderConfig::default().with_max_table_size(table_size));
        let huffman = if huffman_coded {
            HuffmanPolicy::Always
        } else {
            HuffmanPolicy::Never
        };
        let mut encoder = Encoder::with_table_size(
            EncoderConfig::default()
                .with_huffman(huffman)
                .with_indexing(IndexingPolicy::All)
                .with_max_table_size(table_size),
            table_size,
        );
        for example in examples {
            check_decoded(&mut decoder, example);
            let mut out = Vec::new();
            encoder.encode(example.headers.iter().copied(), &mut out);
            assert_eq!(out, hex(example.encoded), "{section}: {}", example.section);
            assert_eq!(encoder.table_size(), example.table_size);
        }
    }
}

/// Our default encoder (Huffman when shorter, selective indexing) is at least as compact as the
/// RFC's encodings and decodes back to the same lists.
#[test]
fn default_encoder_on_the_appendix_c_lists() {
    for (section, _, table_size, examples) in sequences() {
        let mut decoder = Decoder::new(DecoderConfig::default().with_max_table_size(table_size));
        let mut encoder = Encoder::with_table_size(
            EncoderConfig::default().with_max_table_size(table_size),
            table_size,
        );
        for example in examples {
            let mut out = Vec::new();
            encoder.encode(example.headers.iter().copied(), &mut out);
            let decoded = decoder.decode_to_vec(&out).unwrap();
            let got: Vec<(Vec<u8>, Vec<u8>)> =
                decoded.into_iter().map(|h| (h.name, h.value)).collect();
            assert_eq!(got, fields(example), "{section}");
        }
    }
}

/// The RFC text with page breaks removed.
fn rfc_lines() -> Option<Vec<String>> {
    let text = shared::rfc_text("rfc7541")?;
    Some(
        text.lines()
            .map(|l| l.replace('\u{c}', ""))
            .filter(|l| {
                let footer = l.starts_with("Peon & Ruellan") && l.trim_end().ends_with(']');
                let header = l.starts_with("RFC 7541") && l.trim_end().ends_with("May 2015");
                !footer && !header
            })
            .collect(),
    )
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?}")) + start.len();
    let to = from + text[from..].find(end).unwrap_or_else(|| panic!("{end:?}"));
    &text[from..to]
}

#[test]
fn appendix_c_transcription_matches_the_rfc_text() {
    let Some(lines) = rfc_lines() else { return };
    let text = lines.join("\n");
    let appendix = &text[text.find("\nC.2.1.  Literal").unwrap()..];
    for example in &EXAMPLES {
        let heading = format!("\n{}.  ", example.section);
        let start = appendix.find(&heading).unwrap() + heading.len();
        let end = appendix[start..]
            .find("\nC.")
            .map_or(appendix.len(), |e| start + e);
        let section = &appendix[start..end];
        let list = between(
            section,
            "Header list to encode:",
            "Hex dump of encoded data:",
        );
        let headers: Vec<(&str, &str)> = list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| l.split_once(": ").unwrap())
            .collect();
        assert_eq!(headers, example.headers, "{}", example.section);
        let dump = between(section, "Hex dump of encoded data:", "Decoding process:");
        let encoded: String = dump
            .lines()
            .filter_map(|l| l.split_once('|'))
            .map(|(h, _)| h.split_whitespace().collect::<String>())
            .collect();
        assert_eq!(encoded, example.encoded, "{}", example.section);
        if section.contains("Dynamic table (after decoding): empty.") {
            assert!(example.table.is_empty());
            assert_eq!(example.table_size, 0);
            continue;
        }
        let dump = between(
            section,
            "Dynamic Table (after decoding):",
            "Decoded header list:",
        );
        let mut entries: Vec<String> = Vec::new();
        let mut size = None;
        for line in dump.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(rest) = line.strip_prefix("Table size:") {
                size = Some(rest.trim().parse::<usize>().unwrap());
            } else if line.starts_with('[') {
                entries.push(line.split_once(") ").unwrap().1.to_string());
            } else {
                let last = entries.last_mut().unwrap();
                last.push(' ');
                last.push_str(line);
            }
        }
        let expected: Vec<String> = example
            .table
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect();
        assert_eq!(entries, expected, "{}", example.section);
        assert_eq!(size, Some(example.table_size), "{}", example.section);
    }
    // C.1's examples are prose and bit diagrams; their headings name the values transcribed.
    assert!(text.contains("C.1.1.  Example 1: Encoding 10 Using a 5-Bit Prefix"));
    assert!(text.contains("C.1.2.  Example 2: Encoding 1337 Using a 5-Bit Prefix"));
    assert!(text.contains("C.1.3.  Example 3: Encoding 42 Starting at an Octet Boundary"));
}

#[test]
fn appendix_b_huffman_table_matches_the_rfc_text() {
    let Some(lines) = rfc_lines() else { return };
    let start = lines
        .iter()
        .position(|l| l.starts_with("Appendix B.  Huffman Code"))
        .unwrap();
    let mut rows = Vec::new();
    for line in &lines[start..] {
        // "    ' ' ( 32)  |010100                                       14  [ 6]"
        // "(NNN)" then the bits after a bar; '(' is symbol 40 and '|' symbol 124.
        let Some((symbol, bar)) = line.match_indices(')').find_map(|(close, _)| {
            let open = line[..close].rfind('(')?;
            let symbol = line[open + 1..close].trim().parse::<usize>().ok()?;
            let after = &line[close + 1..];
            let bits = after.trim_start().strip_prefix('|')?;
            Some((symbol, line.len() - bits.len() - 1))
        }) else {
            continue;
        };
        let fields: Vec<&str> = line[bar..].split_whitespace().collect();
        let [bits, code, len @ ..] = &fields[..] else {
            continue;
        };
        let bits: String = bits.chars().filter(|c| *c == '0' || *c == '1').collect();
        let code = u32::from_str_radix(code, 16).unwrap();
        let len: String = len.concat();
        let len: u8 = len.trim_matches(['[', ']']).trim().parse().unwrap();
        assert_eq!(symbol, rows.len(), "rows in order");
        assert_eq!(bits.len(), usize::from(len));
        assert_eq!(u32::from_str_radix(&bits, 2).unwrap(), code);
        rows.push((code, len));
        if symbol == 256 {
            break;
        }
    }
    assert_eq!(rows.len(), 257);
    assert_eq!(rows, huffman::CODES);
}

#[test]
fn appendix_a_static_table_matches_the_rfc_text() {
    let Some(lines) = rfc_lines() else { return };
    let text = lines.join("\n");
    let table = between(
        &text,
        "Table 1 lists the predefined",
        "Table 1: Static Table Entries",
    );
    let rows: Vec<(usize, String, String)> = table
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let index = cells.get(1)?.parse().ok()?;
            Some((index, cells[2].to_string(), cells[3].to_string()))
        })
        .collect();
    assert_eq!(rows.len(), 61);
    for (i, (index, name, value)) in rows.iter().enumerate() {
        assert_eq!(*index, i + 1);
        assert_eq!(STATIC_TABLE[i].0, name.as_bytes());
        assert_eq!(STATIC_TABLE[i].1, value.as_bytes());
    }
}

/// RFC 7541 §5.2 on all 256 octets: each alone, all in a row, in both directions.
#[test]
fn all_256_octets_through_huffman() {
    let all: Vec<u8> = (0..=255).collect();
    let mut encoded = Vec::new();
    huffman::encode(&all, &mut encoded).unwrap();
    let bits: usize = huffman::CODES[..256].iter().map(|c| usize::from(c.1)).sum();
    assert_eq!(encoded.len(), bits.div_ceil(8));
    let mut decoded = Vec::new();
    huffman::decode(&encoded, 256, &mut decoded).unwrap();
    assert_eq!(decoded, all);
    for octet in 0..=255u8 {
        let mut one = Vec::new();
        huffman::encode(&[octet], &mut one).unwrap();
        let mut back = Vec::new();
        huffman::decode(&one, 1, &mut back).unwrap();
        assert_eq!(back, [octet]);
    }
}
