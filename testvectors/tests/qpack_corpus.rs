//! The QPACK offline-interop corpus (`corpora/qifs`): every encoding by ls-qpack and nghttp3
//! decodes to its `.qif` input, and each file of `encoded/errors` gets the verdict RFC 9204
//! itself gives it.

use qpack_hpack::qpack::{Decoded, Decoder, DecoderSettings, Error, ErrorCode, Event, Reason};
use std::collections::BTreeMap;
use testvectors::rfc9204::{APPENDIX_B, Step, parse_encoded_name, parse_qif, parse_records};
use testvectors::shared;

type Section = Vec<(Vec<u8>, Vec<u8>)>;

/// Decodes a record file the way the interop describes: stream 0 is the encoder stream, every
/// other record one field section; blocked sections are released as inserts arrive. Returns
/// the sections by stream id.
fn decode_records(
    records: &[(u64, Vec<u8>)],
    settings: DecoderSettings,
) -> Result<BTreeMap<u64, Section>, Error> {
    let mut decoder = Decoder::new(settings);
    // The interop files predate Set Dynamic Table Capacity being required: their tables
    // start at the maximum.
    decoder.assume_capacity(settings.max_table_capacity)?;
    let mut sections = BTreeMap::new();
    let pairs = |fields: Vec<qpack_hpack::qpack::Field>| -> Section {
        fields.into_iter().map(|f| (f.name, f.value)).collect()
    };
    for (stream_id, bytes) in records {
        if *stream_id == 0 {
            decoder.handle_encoder_stream(bytes)?;
        } else if let Decoded::Fields(fields) = decoder.decode_section(*stream_id, bytes)? {
            sections.insert(*stream_id, pairs(fields));
        }
        while let Some(event) = decoder.poll_event() {
            match event {
                Event::Unblocked { stream_id, fields } => {
                    sections.insert(stream_id, pairs(fields));
                }
                Event::Rejected { error, .. } => return Err(error),
                _ => {}
            }
        }
    }
    assert_eq!(decoder.blocked_streams(), 0, "sections left blocked");
    Ok(sections)
}

#[test]
fn every_encoded_file_decodes_to_its_qif() {
    let Some(root) = shared::corpus("qifs") else {
        return;
    };
    let mut passed = 0;
    let mut total = 0;
    let mut implementations: Vec<_> = std::fs::read_dir(root.join("encoded/qpack-05"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    implementations.sort();
    for dir in implementations {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let file_name = file.file_name().unwrap().to_str().unwrap().to_string();
            let (qif, capacity, blocked, _ack) =
                parse_encoded_name(&file_name).unwrap_or_else(|| panic!("{file_name}"));
            total += 1;
            let records = parse_records(&std::fs::read(&file).unwrap()).expect("records");
            let settings = DecoderSettings {
                max_table_capacity: capacity,
                max_blocked_streams: blocked,
                ..DecoderSettings::default()
            };
            let got = decode_records(&records, settings)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let expected: Vec<Section> = if qif == "examples" {
                // RFC 9204 Appendix B as a record file. The corpus's draft-examples.qif is
                // from an earlier draft (it has www.ietf.org where the RFC has
                // www.example.com), so the RFC's own fields are the reference.
                APPENDIX_B
                    .iter()
                    .flat_map(|(_, steps)| steps.iter())
                    .filter_map(|step| match step {
                        Step::Section { fields, .. } => Some(
                            fields
                                .iter()
                                .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            } else {
                let text = std::fs::read_to_string(root.join(format!("qifs/{qif}.qif"))).unwrap();
                parse_qif(&text)
            };
            let got: Vec<Section> = got.into_values().collect();
            assert_eq!(
                got.len(),
                expected.len(),
                "{}: section count",
                file.display()
            );
            for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                assert_eq!(g, e, "{}: section {i}", file.display());
            }
            passed += 1;
        }
    }
    println!("qifs corpus: {passed}/{total} encoded files decode to their input");
    assert_eq!(passed, total);
    assert!(
        total >= 190,
        "expected the whole corpus, found {total} files"
    );
}

/// Decodes an error file with a decoder of capacity 4096 and 100 blocked streams.
fn judge(records: &[(u64, Vec<u8>)]) -> Result<BTreeMap<u64, Section>, Error> {
    decode_records(records, DecoderSettings::default())
}

/// `encoded/errors/errN`, each judged against RFC 9204 (they were written for an early draft,
/// and two of them are valid under the RFC). The record layout is the interop's: stream 0 is
/// the encoder stream, stream 1 a field section.
#[test]
fn error_files_judged_against_rfc_9204() {
    let Some(root) = shared::corpus("qifs/encoded/errors") else {
        return;
    };
    let failed = |reason| Err::<(), _>(Error::DecompressionFailed(reason));
    let verdicts: &[(&str, Result<(), Error>, &str)] = &[
        (
            "err1",
            failed(Reason::Truncated),
            "section `ff`: the Required Insert Count's 8-bit prefix is all ones, so a \
             continuation byte must follow (RFC 7541 §5.1) and the section ends: truncated, \
             QPACK_DECOMPRESSION_FAILED (§6)",
        ),
        (
            "err2",
            failed(Reason::Truncated),
            "section `00`: Required Insert Count 0, then no Sign/Delta Base byte (§4.5.1): \
             truncated prefix",
        ),
        (
            "err3",
            failed(Reason::Truncated),
            "section `00 ff`: Sign 1 and a 7-bit Delta Base prefix of all ones needing a \
             continuation that is missing: truncated",
        ),
        (
            "err4",
            failed(Reason::NegativeBase),
            "section `00 81`: Required Insert Count 0 with Sign 1 and Delta Base 1: Base = \
             0 - 1 - 1 < 0, invalid per §4.5.1.2 (RIC ≤ Delta Base with Sign 1)",
        ),
        (
            "err5",
            failed(Reason::InvalidRelativeIndex),
            "section `00 00 41`: Literal Field Line with Name Reference to dynamic relative \
             index 1 with Base 0: absolute index 0 - 1 - 1 < 0 names no entry (§3.2.5), and \
             any dynamic reference with Required Insert Count 0 is at or above it (§2.2.3): \
             QPACK_DECOMPRESSION_FAILED",
        ),
        (
            "err6",
            failed(Reason::Truncated),
            "section `00 00 27`: Literal Field Line with Literal Name whose 3-bit name length \
             prefix is all ones: continuation missing, truncated",
        ),
        (
            "err7",
            failed(Reason::Truncated),
            "section `00 00 51 ff`: literal with static name :path, then a Huffman value whose \
             7-bit length prefix is all ones: continuation missing, truncated",
        ),
        (
            "err8",
            failed(Reason::Truncated),
            "section `00 00 bf`: Indexed Field Line, dynamic, 6-bit index prefix all ones: \
             continuation missing, truncated (and any dynamic reference with RIC 0 is invalid)",
        ),
        (
            "err9",
            Ok(()),
            "section `00 00 c0`: Indexed Field Line, static index 0 = `:authority` with an \
             empty value. Valid under RFC 9204 (Appendix A has 99 entries); QPACK does not \
             judge HTTP semantics (§1 leaves that to HTTP/3)",
        ),
        (
            "err10",
            Ok(()),
            "section `00 00 fe`: Indexed Field Line, static index 62 = `x-xss-protection: 1; \
             mode=block`. Valid under RFC 9204 (the early draft's static table was smaller)",
        ),
        (
            "err11",
            Err(Error::EncoderStream(Reason::ReferenceBeyondInsertCount)),
            "encoder stream `01`: Duplicate of relative index 1 with an empty table: a \
             reference to an entry that does not exist, QPACK_ENCODER_STREAM_ERROR (§4.3.4, \
             §6)",
        ),
        (
            "err12",
            Err(Error::EncoderStream(Reason::InvalidStaticIndex)),
            "encoder stream `ff 80 ff ff ff ff 01`: Insert with Name Reference, static, index \
             63 + 127·(2^7+2^14+2^21+2^28) + 2^35, far beyond the 99-entry static table: \
             QPACK_ENCODER_STREAM_ERROR (§3.1), known before the value arrives",
        ),
    ];
    let mut files: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        verdicts.len(),
        "a new error file needs a verdict"
    );
    for (name, expected, why) in verdicts {
        let records = parse_records(&std::fs::read(root.join(name)).unwrap()).expect(name);
        let got = judge(&records);
        match (expected, &got) {
            (Ok(()), Ok(sections)) => assert_eq!(sections.len(), 1, "{name}: {why}"),
            (Err(e), Err(g)) => {
                assert_eq!(g, e, "{name}: {why}");
                let code = if name == &"err11" || name == &"err12" {
                    ErrorCode::EncoderStreamError
                } else {
                    ErrorCode::DecompressionFailed
                };
                assert_eq!(g.error_code(), code, "{name}");
            }
            _ => panic!("{name}: expected {expected:?}, got {got:?}: {why}"),
        }
    }
    let ok = |name: &str| judge(&parse_records(&std::fs::read(root.join(name)).unwrap()).unwrap());
    assert_eq!(
        ok("err9").unwrap()[&1],
        vec![(b":authority".to_vec(), Vec::new())]
    );
    assert_eq!(
        ok("err10").unwrap()[&1],
        vec![(b"x-xss-protection".to_vec(), b"1; mode=block".to_vec())]
    );
}

/// The encoder stream of real encodings fed in pieces of 1 to 7 bytes decodes the same: the
/// decoder accepts any chunking.
#[test]
fn encoder_stream_in_small_pieces() {
    let Some(root) = shared::corpus("qifs") else {
        return;
    };
    for (file, qif) in [
        ("ls-qpack/netbsd.out.4096.100.0", "netbsd"),
        ("nghttp3/netbsd-hq.out.512.100.1", "netbsd-hq"),
        ("ls-qpack/fb-resp.out.256.100.1", "fb-resp"),
    ] {
        let (_, capacity, blocked, _) =
            parse_encoded_name(file.rsplit('/').next().unwrap()).unwrap();
        let records =
            parse_records(&std::fs::read(root.join("encoded/qpack-05").join(file)).unwrap())
                .unwrap();
        let mut piece = 0usize;
        let chunked: Vec<(u64, Vec<u8>)> = records
            .iter()
            .flat_map(|(id, bytes)| {
                if *id != 0 {
                    return vec![(*id, bytes.clone())];
                }
                let mut out = Vec::new();
                let mut rest = &bytes[..];
                while !rest.is_empty() {
                    piece = piece % 7 + 1;
                    let (now, later) = rest.split_at(piece.min(rest.len()));
                    out.push((0, now.to_vec()));
                    rest = later;
                }
                out
            })
            .collect();
        let settings = DecoderSettings {
            max_table_capacity: capacity,
            max_blocked_streams: blocked,
            ..DecoderSettings::default()
        };
        let got: Vec<Section> = decode_records(&chunked, settings)
            .unwrap()
            .into_values()
            .collect();
        let text = std::fs::read_to_string(root.join(format!("qifs/{qif}.qif"))).unwrap();
        assert_eq!(got, parse_qif(&text), "{file}");
    }
}
