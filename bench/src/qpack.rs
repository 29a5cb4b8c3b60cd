//! QPACK (RFC 9204) encode and decode over the qifs corpus inputs: `qpack-hpack` against the
//! `ls-qpack` crate (bindings to the C ls-qpack), and the compression both achieve.
//!
//! The `ls-qpack` crate's encoder cannot read a decoder stream, so every comparison runs without
//! acknowledgments, for both sides: capacity 4096, 100 blocked streams, sections on streams 4,
//! 8, 12, … and the encoder stream delivered before each section. The crate also encodes each
//! field into a fixed 1024-byte buffer and fails (and stays wedged) on longer ones, so fields of
//! more than [`MAX_FIELD`] bytes (8 of fb-req's 4 917, none elsewhere) are left out of the
//! input, for both sides.

use crate::{Comparison, race};
use ls_qpack::StreamId;
use qpack_hpack::qpack::{Decoded, Decoder, DecoderSettings, Encoder, EncoderSettings, Field};
use testvectors::rfc9204::parse_qif;

/// Table capacity of every comparison.
pub const CAPACITY: u64 = 4096;
/// Blocked streams of every comparison.
pub const BLOCKED: u64 = 100;

/// Longest name + value kept in the inputs (see the module doc).
pub const MAX_FIELD: usize = 900;

/// A qif's sections as fields.
pub type Sections = Vec<Vec<Field>>;

/// The qifs inputs the goals name (`fb-req`, `fb-resp`, `netbsd`), or none (after a
/// loud SKIPPED) when the corpus is absent.
pub fn inputs() -> Vec<(String, Sections)> {
    let Some(dir) = testvectors::shared::corpus("qifs/qifs") else {
        return Vec::new();
    };
    ["fb-req", "fb-resp", "netbsd"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(format!("{name}.qif")))
                .unwrap_or_else(|e| panic!("{name}.qif: {e}"));
            let sections = parse_qif(&text)
                .into_iter()
                .map(|s| {
                    s.into_iter()
                        .filter(|(n, v)| n.len() + v.len() <= MAX_FIELD)
                        .map(|(n, v)| Field::new(n, v))
                        .collect()
                })
                .collect();
            (name.to_string(), sections)
        })
        .collect()
}

/// Name + value bytes of all sections.
pub fn plain_bytes(sections: &Sections) -> usize {
    sections
        .iter()
        .flatten()
        .map(|f| f.name.len() + f.value.len())
        .sum()
}

/// One encoding as records: (stream id, bytes), stream 0 the encoder stream, each encoder-stream
/// chunk before the section that needs it.
pub type Records = Vec<(u64, Vec<u8>)>;

/// Encodes every section with our encoder; returns the records.
pub fn encode_ours(sections: &Sections) -> Records {
    let mut encoder = Encoder::new(EncoderSettings::new(CAPACITY, BLOCKED));
    let mut records = Vec::with_capacity(2 * sections.len());
    for (i, fields) in sections.iter().enumerate() {
        let stream_id = 4 * (i as u64 + 1);
        let mut section = Vec::new();
        // Our encoder fails only on misuse, which this loop cannot cause.
        let _ = encoder.encode(stream_id, fields, &mut section);
        let mut stream = Vec::new();
        if encoder.poll_encoder_stream(&mut stream) > 0 {
            records.push((0, stream));
        }
        records.push((stream_id, section));
    }
    records
}

/// The sections as the `ls-qpack` crate takes them: `(name, value)` string pairs (the qifs are
/// UTF-8), made once, outside any timing, as our `Field`s are.
pub fn peer_input(sections: &Sections) -> Vec<Vec<(&str, &str)>> {
    sections
        .iter()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    (
                        std::str::from_utf8(&f.name).expect("qifs are UTF-8"),
                        std::str::from_utf8(&f.value).expect("qifs are UTF-8"),
                    )
                })
                .collect()
        })
        .collect()
}

/// Encodes every section with ls-qpack; returns the records.
pub fn encode_peer(sections: &Sections) -> Records {
    encode_peer_input(&peer_input(sections))
}

/// [`encode_peer`] from [`peer_input`].
pub fn encode_peer_input(sections: &[Vec<(&str, &str)>]) -> Records {
    let mut encoder = ls_qpack::encoder::Encoder::new();
    let mut records = Vec::with_capacity(2 * sections.len() + 1);
    let sdtc = encoder
        .configure(CAPACITY as u32, CAPACITY as u32, BLOCKED as u32)
        .expect("ls-qpack accepts the settings");
    records.push((0, sdtc.data().to_vec()));
    for (i, fields) in sections.iter().enumerate() {
        let stream_id = 4 * (i as u64 + 1);
        let (section, stream) = encoder
            .encode_all(StreamId::new(stream_id), fields.iter().copied())
            .expect("ls-qpack encodes the qifs")
            .take();
        if !stream.is_empty() {
            records.push((0, stream.into_vec()));
        }
        records.push((stream_id, section.into_vec()));
    }
    records
}

/// Decodes records with our decoder; returns the number of fields.
pub fn decode_ours(records: &Records) -> u64 {
    let mut decoder = Decoder::new(DecoderSettings {
        max_table_capacity: CAPACITY,
        max_blocked_streams: BLOCKED,
        ..DecoderSettings::default()
    });
    let mut fields = 0u64;
    for (stream_id, bytes) in records {
        if *stream_id == 0 {
            decoder
                .handle_encoder_stream(bytes)
                .expect("valid encoder stream");
        } else if let Ok(Decoded::Fields(f)) = decoder.decode_section(*stream_id, bytes) {
            fields += f.len() as u64;
        }
    }
    fields
}

/// Decodes records with ls-qpack; returns the number of fields.
pub fn decode_peer(records: &Records) -> u64 {
    let mut decoder = ls_qpack::decoder::Decoder::new(CAPACITY as u32, BLOCKED as u32);
    let mut fields = 0u64;
    for (stream_id, bytes) in records {
        if *stream_id == 0 {
            decoder.feed(bytes).expect("valid encoder stream");
        } else if let Ok(output) = decoder.decode(StreamId::new(*stream_id), bytes) {
            fields += output.take().map_or(0, |f| f.len() as u64);
        }
    }
    fields
}

fn wire_bytes(records: &Records) -> usize {
    records.iter().map(|(_, b)| b.len()).sum()
}

/// `qpack-decode`, `qpack-encode` (MB/s of name + value bytes, over all three inputs) and one
/// `qpack-ratio-<file>` line per input (compression factor, name + value ÷ wire bytes, so that
/// `ratio=` is the peer's compression ratio ÷ ours).
pub fn compare() -> Vec<Comparison> {
    let inputs = inputs();
    if inputs.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let plain: usize = inputs.iter().map(|(_, s)| plain_bytes(s)).sum();
    let total_fields: u64 = inputs
        .iter()
        .map(|(_, s)| s.iter().flatten().count() as u64)
        .sum();

    // Decode the peer's encoding with both decoders: identical input.
    let peer_records: Vec<Records> = inputs.iter().map(|(_, s)| encode_peer(s)).collect();
    let ours_count: u64 = peer_records.iter().map(decode_ours).sum();
    let peer_count: u64 = peer_records.iter().map(decode_peer).sum();
    assert_eq!(ours_count, total_fields, "our decoder decodes every field");
    assert_eq!(peer_count, total_fields, "ls-qpack decodes every field");
    let (ours, theirs) = race(
        plain as u64,
        || peer_records.iter().map(decode_ours).sum(),
        || peer_records.iter().map(decode_peer).sum(),
    );
    lines.push(Comparison {
        name: "qpack-decode".into(),
        peer: "ls-qpack".into(),
        ours: ours / 1e6,
        theirs: theirs / 1e6,
        unit: "MB/s".into(),
    });

    // Both encoders start from their API's input form, made beforehand.
    let peer_inputs: Vec<_> = inputs.iter().map(|(_, s)| peer_input(s)).collect();
    let (ours, theirs) = race(
        plain as u64,
        || {
            inputs
                .iter()
                .map(|(_, s)| encode_ours(s).len() as u64)
                .sum()
        },
        || {
            peer_inputs
                .iter()
                .map(|s| encode_peer_input(s).len() as u64)
                .sum()
        },
    );
    lines.push(Comparison {
        name: "qpack-encode".into(),
        peer: "ls-qpack".into(),
        ours: ours / 1e6,
        theirs: theirs / 1e6,
        unit: "MB/s".into(),
    });

    for (name, sections) in &inputs {
        let plain = plain_bytes(sections) as f64;
        let ours_records = encode_ours(sections);
        assert_eq!(
            decode_peer(&ours_records),
            sections.iter().flatten().count() as u64,
            "ls-qpack decodes our encoding of {name}"
        );
        lines.push(Comparison {
            name: format!("qpack-ratio-{name}"),
            peer: "ls-qpack".into(),
            ours: plain / wire_bytes(&ours_records) as f64,
            theirs: plain / wire_bytes(&encode_peer(sections)) as f64,
            unit: "x".into(),
        });
    }
    lines
}
