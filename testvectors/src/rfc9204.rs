//! RFC 9204 (QPACK) Appendix B examples, transcribed from the RFC text, and loaders for the
//! QPACK offline-interop corpus (`corpora/qifs`).

/// One exchange of an Appendix B example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Bytes on the encoder stream (hex).
    Encoder(&'static str),
    /// An encoded field section on a request stream (hex) and the fields it decodes to.
    Section {
        /// The request stream.
        stream_id: u64,
        /// The encoded field section.
        hex: &'static str,
        /// The decoded fields, in order.
        fields: &'static [(&'static str, &'static str)],
    },
    /// Bytes on the decoder stream (hex).
    Decoder(&'static str),
    /// The decoder's table after the steps so far: (absolute index, name, value), oldest first,
    /// and the table size.
    Table(&'static [(u64, &'static str, &'static str)], u64),
}

/// The maximum table capacity the Appendix B decoder announces: the examples set capacity 220
/// and encode Required Insert Counts with MaxEntries = 220 / 32 = 6.
pub const MAX_TABLE_CAPACITY: u64 = 220;

/// RFC 9204 Appendix B.1–B.5, in order, as (section title, steps). All share one encoder and
/// one decoder.
pub const APPENDIX_B: &[(&str, &[Step])] = &[
    (
        "B.1.  Literal Field Line with Name Reference",
        &[Step::Section {
            stream_id: 0,
            hex: "0000 510b 2f69 6e64 6578 2e68 746d 6c",
            fields: &[(":path", "/index.html")],
        }],
    ),
    (
        "B.2.  Dynamic Table",
        &[
            Step::Encoder(
                "3fbd01 c00f 7777 772e 6578 616d 706c 652e 636f 6d \
                 c10c 2f73 616d 706c 652f 7061 7468",
            ),
            Step::Table(
                &[
                    (0, ":authority", "www.example.com"),
                    (1, ":path", "/sample/path"),
                ],
                106,
            ),
            Step::Section {
                stream_id: 4,
                hex: "0381 10 11",
                fields: &[(":authority", "www.example.com"), (":path", "/sample/path")],
            },
            Step::Decoder("84"),
        ],
    ),
    (
        "B.3.  Speculative Insert",
        &[
            Step::Encoder("4a63 7573 746f 6d2d 6b65 790c 6375 7374 6f6d 2d76 616c 7565"),
            Step::Table(
                &[
                    (0, ":authority", "www.example.com"),
                    (1, ":path", "/sample/path"),
                    (2, "custom-key", "custom-value"),
                ],
                160,
            ),
            Step::Decoder("01"),
        ],
    ),
    (
        "B.4.  Duplicate Instruction, Stream Cancellation",
        &[
            Step::Encoder("02"),
            Step::Table(
                &[
                    (0, ":authority", "www.example.com"),
                    (1, ":path", "/sample/path"),
                    (2, "custom-key", "custom-value"),
                    (3, ":authority", "www.example.com"),
                ],
                217,
            ),
            Step::Section {
                stream_id: 8,
                hex: "0500 80 c1 81",
                fields: &[
                    (":authority", "www.example.com"),
                    (":path", "/"),
                    ("custom-key", "custom-value"),
                ],
            },
            Step::Decoder("48"),
        ],
    ),
    (
        "B.5.  Dynamic Table Insert, Eviction",
        &[
            Step::Encoder("810d 6375 7374 6f6d 2d76 616c 7565 32"),
            Step::Table(
                &[
                    (1, ":path", "/sample/path"),
                    (2, "custom-key", "custom-value"),
                    (3, ":authority", "www.example.com"),
                    (4, "custom-key", "custom-value2"),
                ],
                215,
            ),
        ],
    ),
];

/// Parses a `.qif` file: `name<TAB>value` lines, a blank line between sections, `#` comments.
pub fn parse_qif(text: &str) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut sections = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !current.is_empty() {
                sections.push(std::mem::take(&mut current));
            }
            continue;
        }
        let (name, value) = line.split_once('\t').unwrap_or((line, ""));
        current.push((name.as_bytes().to_vec(), value.as_bytes().to_vec()));
    }
    if !current.is_empty() {
        sections.push(current);
    }
    sections
}

/// Parses an offline-interop record file: `stream id: u64 BE | length: u32 BE | bytes`,
/// repeated. `None` if the file is truncated.
pub fn parse_records(bytes: &[u8]) -> Option<Vec<(u64, Vec<u8>)>> {
    let mut records = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (id, after) = rest.split_first_chunk::<8>()?;
        let (len, after) = after.split_first_chunk::<4>()?;
        let len = u32::from_be_bytes(*len) as usize;
        if after.len() < len {
            return None;
        }
        let (data, after) = after.split_at(len);
        records.push((u64::from_be_bytes(*id), data.to_vec()));
        rest = after;
    }
    Some(records)
}

/// Writes records in the offline-interop format.
pub fn write_records(records: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, data) in records {
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// The settings of an encoded corpus file from its name
/// (`<name>.out.<capacity>.<blocked>.<ack mode>`): (qif name, capacity, blocked streams, ack
/// mode).
pub fn parse_encoded_name(file_name: &str) -> Option<(String, u64, u64, u8)> {
    let mut parts = file_name.rsplitn(4, '.');
    let ack = parts.next()?.parse().ok()?;
    let blocked = parts.next()?.parse().ok()?;
    let capacity = parts.next()?.parse().ok()?;
    let name = parts.next()?.strip_suffix(".out")?.to_string();
    Some((name, capacity, blocked, ack))
}
