//! RFC 9000 appendix vectors through `wire-codec`, and the transcription checked against the RFC.

use testvectors::{hex, rfc9000::VARINT_SAMPLES, shared};
use wire_codec::{Reader, VarInt};

#[test]
fn appendix_a1_varints_decode_and_encode_byte_exact() {
    for (encoded, value) in VARINT_SAMPLES {
        let bytes = hex(encoded);
        assert_eq!(
            VarInt::decode(&bytes),
            Ok((VarInt::from_u64(value).unwrap(), bytes.len())),
            "{encoded}"
        );
        let mut out = [0u8; 8];
        VarInt::from_u64(value)
            .unwrap()
            .encode_with_len(bytes.len(), &mut out)
            .unwrap();
        assert_eq!(&out[..bytes.len()], &bytes[..]);
    }
    // All five back to back through one Reader.
    let stream: Vec<u8> = VARINT_SAMPLES.iter().flat_map(|(e, _)| hex(e)).collect();
    let mut reader = Reader::new(&stream);
    for (_, value) in VARINT_SAMPLES {
        assert_eq!(reader.read_varint().unwrap().into_inner(), value);
    }
    assert!(reader.is_empty());
}

/// Reads the examples out of Appendix A.1's prose ("the eight-byte sequence 0xc2197c5eff14e88c
/// decodes to the decimal value 151,288,809,941,952,652; …") and compares them with ours.
#[test]
fn appendix_a1_transcription_matches_the_rfc_text() {
    let Some(text) = shared::rfc_text("rfc9000") else {
        return;
    };
    let start = text
        .find("Sample Variable-Length Integer Decoding Algorithm")
        .expect("Appendix A.1 figure caption");
    let end = start + text[start..].find("A.2.").expect("Appendix A.2 heading");
    let prose: String = text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // Each "0x…" is followed by "decodes to N", except the last, which the one before it
    // introduces with "(as does …".
    let mut found: Vec<(String, u64)> = Vec::new();
    let mut same_as_previous = false;
    for example in prose.split(" 0x").skip(1) {
        let encoded: String = example
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        let value = match example.split_once("decodes to ") {
            Some((_, after)) => {
                let after = after.strip_prefix("the decimal value ").unwrap_or(after);
                let digits: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',')
                    .filter(char::is_ascii_digit)
                    .collect();
                digits.parse::<u64>().unwrap()
            }
            None => {
                assert!(same_as_previous, "no value for 0x{encoded}");
                found.last().unwrap().1
            }
        };
        same_as_previous = example.contains("(as does");
        found.push((encoded, value));
    }
    let ours: Vec<(String, u64)> = VARINT_SAMPLES
        .iter()
        .map(|(e, v)| (e.to_string(), *v))
        .collect();
    assert_eq!(found, ours);
}
