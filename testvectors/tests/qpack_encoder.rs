//! Our QPACK encoder over the qifs inputs: every encoding decodes back to the same fields with
//! our decoder and with ls-qpack's (through python's `pylsqpack`), for every table capacity and
//! blocked-stream budget of the interop; and the compression ratio
//! (encoder-stream bytes + field-section bytes) ÷ (name + value bytes) is measured.

use qpack_hpack::qpack::{
    Decoded, Decoder, DecoderSettings, Encoder, EncoderSettings, Event, Field,
};
use std::collections::BTreeMap;
use std::process::Command;
use testvectors::rfc9204::{parse_encoded_name, parse_qif, parse_records, write_records};
use testvectors::shared;

type Section = Vec<(Vec<u8>, Vec<u8>)>;

const CAPACITIES: [u64; 4] = [0, 256, 512, 4096];
const BLOCKED: [u64; 2] = [0, 100];

/// One encoding of a qif: the record file (each section written *before* the encoder-stream
/// bytes it needs, so a decoder must hold it blocked) and the byte counts.
struct Encoding {
    records: Vec<(u64, Vec<u8>)>,
    encoder_stream_bytes: usize,
    section_bytes: usize,
}

/// Encodes `sections` on streams 4, 8, 12, … with our encoder, decoding each with our decoder
/// (which must reproduce it exactly) and returning the decoder's acknowledgments to the encoder
/// after each section, as if each were acknowledged at once.
fn encode(sections: &[Section], capacity: u64, blocked: u64) -> Encoding {
    encode_with(sections, capacity, blocked, Acks::Immediate)
}

/// When the decoder's stream reaches the encoder: the interop's ack modes 1 and 0.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Acks {
    /// After each section (ack mode 1).
    Immediate,
    /// Never (ack mode 0): the encoder never learns what the decoder received.
    Never,
}

/// [`encode`] with the given acknowledgment mode.
fn encode_with(sections: &[Section], capacity: u64, blocked: u64, acks: Acks) -> Encoding {
    let mut encoder = Encoder::new(EncoderSettings::new(capacity, blocked));
    let mut decoder = Decoder::new(DecoderSettings {
        max_table_capacity: capacity,
        max_blocked_streams: blocked,
        ..DecoderSettings::default()
    });
    let mut records = Vec::new();
    let (mut encoder_stream_bytes, mut section_bytes) = (0, 0);
    for (i, section) in sections.iter().enumerate() {
        let stream_id = 4 * (i as u64 + 1);
        let fields: Vec<Field> = section
            .iter()
            .map(|(n, v)| Field::new(n.clone(), v.clone()))
            .collect();
        let mut bytes = Vec::new();
        encoder.encode(stream_id, &fields, &mut bytes).unwrap();
        let mut stream = Vec::new();
        encoder.poll_encoder_stream(&mut stream);
        assert!(encoder.blocked_streams() as u64 <= blocked);
        encoder_stream_bytes += stream.len();
        section_bytes += bytes.len();
        let decoded = decoder.decode_section(stream_id, &bytes).unwrap();
        decoder.handle_encoder_stream(&stream).unwrap();
        let got = match decoded {
            Decoded::Fields(got) => got,
            Decoded::Blocked => match decoder.poll_event() {
                Some(Event::Unblocked { fields, .. }) => fields,
                other => panic!("stream {stream_id} still blocked: {other:?}"),
            },
        };
        assert_eq!(
            got, fields,
            "section {i}, capacity {capacity}, blocked {blocked}"
        );
        let mut feedback = Vec::new();
        decoder.poll_decoder_stream(&mut feedback);
        if acks == Acks::Immediate {
            encoder.handle_decoder_stream(&feedback).unwrap();
        }
        records.push((stream_id, bytes));
        if !stream.is_empty() {
            records.push((0, stream));
        }
    }
    Encoding {
        records,
        encoder_stream_bytes,
        section_bytes,
    }
}

fn qifs() -> Option<Vec<(String, Vec<Section>)>> {
    let dir = shared::corpus("qifs/qifs")?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "qif"))
        .collect();
    files.sort();
    Some(
        files
            .into_iter()
            .map(|p| {
                let name = p.file_stem().unwrap().to_str().unwrap().to_string();
                (name, parse_qif(&std::fs::read_to_string(&p).unwrap()))
            })
            .collect(),
    )
}

fn name_value_bytes(sections: &[Section]) -> usize {
    sections
        .iter()
        .flatten()
        .map(|(n, v)| n.len() + v.len())
        .sum()
}

/// The compression ratio of every qif at every setting, printed as a table. The issue's goals
/// at capacity 4096 and 100 blocked streams (fb-req ≤ 0.220, fb-resp ≤ 0.152, netbsd ≤ 0.150)
/// are reported; the assertions guard what has been reached (fb-req 0.2160 and fb-resp 0.1519
/// meet their goals; netbsd is at 0.1505, 863 bytes) against regressions. netbsd's 0.150 (860
/// bytes) is nghttp3's qpack-05 encoding, which has no Set Dynamic Table Capacity (both
/// qpack-05 encoders in the corpus insert at once); RFC 9204 §3.2.3 starts the table at zero
/// capacity, so the same encoding costs 863 bytes today (see `no_corpus_encoder_is_shorter`).
/// 860 is reachable only with hindsight: three of our inserts in the last two sections are
/// never used again (+1 byte each over a literal).
#[test]
fn compression_ratio_on_qifs() {
    let Some(qifs) = qifs() else {
        return;
    };
    let goals = [("fb-req", 0.220), ("fb-resp", 0.152), ("netbsd", 0.150)];
    let reached = [("fb-req", 0.2165), ("fb-resp", 0.152), ("netbsd", 0.1505)];
    println!("QPACK ratio (encoder stream + sections) / (name + value), immediate acks");
    for (name, sections) in &qifs {
        let plain = name_value_bytes(sections) as f64;
        let mut line = format!("{name:>16}");
        for capacity in CAPACITIES {
            for blocked in BLOCKED {
                let e = encode(sections, capacity, blocked);
                let ratio = (e.encoder_stream_bytes + e.section_bytes) as f64 / plain;
                line += &format!("  {capacity}/{blocked}={ratio:.4}");
                if capacity == 4096
                    && blocked == 100
                    && let Some((_, goal)) = goals.iter().find(|(n, _)| n == name)
                {
                    let (_, bound) = reached.iter().find(|(n, _)| n == name).unwrap();
                    if ratio > *goal {
                        println!("{name}: ratio {ratio:.4} misses the goal {goal}");
                    }
                    assert!(
                        ratio <= *bound,
                        "{name}: ratio {ratio:.4} regressed above {bound}"
                    );
                }
            }
        }
        println!("{line}");
    }
}

/// ls-qpack's encoder (pylsqpack) measured the same way, for comparison: printed, not asserted.
const PYLSQPACK_RATIOS: &str = r##"
import sys
import pylsqpack
for path in sys.argv[1:]:
    sections, current = [], []
    for line in open(path, "rb"):
        line = line.rstrip(b"\n")
        if line.startswith(b"#"):
            continue
        if not line:
            if current:
                sections.append(current)
            current = []
            continue
        name, _, value = line.partition(b"\t")
        current.append((name, value))
    if current:
        sections.append(current)
    plain = sum(len(n) + len(v) for s in sections for n, v in s)
    row = []
    for capacity in (0, 256, 512, 4096):
        for blocked in (0, 100):
            encoder = pylsqpack.Encoder()
            decoder = pylsqpack.Decoder(capacity, blocked)
            total = len(encoder.apply_settings(capacity, blocked))
            for i, section in enumerate(sections):
                stream_id = 4 * (i + 1)
                stream, block = encoder.encode(stream_id, section)
                total += len(stream) + len(block)
                decoder.feed_encoder(stream)
                control, _ = decoder.feed_header(stream_id, block)
                encoder.feed_decoder(control)
            row.append("%d/%d=%.3f" % (capacity, blocked, total / plain))
    print("%16s  %s" % (path.rsplit("/", 1)[-1][:-4], "  ".join(row)))
"##;

#[test]
fn pylsqpack_compression_ratio_for_comparison() {
    let Some(dir) = shared::corpus("qifs/qifs") else {
        return;
    };
    if !pylsqpack_available() {
        return;
    }
    let files: Vec<String> = ["fb-req", "fb-resp", "netbsd"]
        .iter()
        .map(|n| dir.join(format!("{n}.qif")).to_string_lossy().into_owned())
        .collect();
    let output = Command::new("python3")
        .args(["-c", PYLSQPACK_RATIOS])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    println!("pylsqpack (ls-qpack) ratio, same method:");
    print!("{}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 3);
}

/// Decodes a record file with pylsqpack and prints the sections in stream order as a qif.
const PYLSQPACK_DECODE: &str = r#"
import struct, sys
import pylsqpack
path, capacity, blocked = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
decoder = pylsqpack.Decoder(capacity, blocked)
sections = {}
pos = 0
while pos < len(data):
    stream_id, length = struct.unpack(">QI", data[pos:pos + 12])
    chunk = data[pos + 12:pos + 12 + length]
    pos += 12 + length
    if stream_id == 0:
        for unblocked in decoder.feed_encoder(chunk):
            sections[unblocked] = decoder.resume_header(unblocked)[1]
    else:
        try:
            sections[stream_id] = decoder.feed_header(stream_id, chunk)[1]
        except pylsqpack.StreamBlocked:
            pass
out = sys.stdout.buffer
for stream_id in sorted(sections):
    for name, value in sections[stream_id]:
        out.write(name + b"\t" + value + b"\n")
    out.write(b"\n")
"#;

fn pylsqpack_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pylsqpack"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let message = "SKIPPED: python3 with pylsqpack not found (pip install pylsqpack, see \
                       .ci/install-tools)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{message}; CI must have it"
        );
        eprintln!("{message}");
    }
    ok
}

/// Every qif at every setting, encoded by us with immediate acknowledgments and with none,
/// decodes with ls-qpack (pylsqpack) to the input.
#[test]
fn pylsqpack_decodes_our_encoding_of_every_qif() {
    let Some(qifs) = qifs() else {
        return;
    };
    if !pylsqpack_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("qpack-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut checked = 0;
    for (name, sections) in &qifs {
        let expected: String = sections
            .iter()
            .map(|s| {
                let mut text: String = s
                    .iter()
                    .map(|(n, v)| {
                        format!(
                            "{}\t{}\n",
                            String::from_utf8_lossy(n),
                            String::from_utf8_lossy(v)
                        )
                    })
                    .collect();
                text.push('\n');
                text
            })
            .collect();
        for (capacity, blocked, acks) in CAPACITIES.into_iter().flat_map(|c| {
            BLOCKED
                .into_iter()
                .flat_map(move |b| [(c, b, Acks::Immediate), (c, b, Acks::Never)])
        }) {
            let e = encode_with(sections, capacity, blocked, acks);
            let ack = u8::from(acks == Acks::Immediate);
            let path = dir.join(format!("{name}.out.{capacity}.{blocked}.{ack}"));
            std::fs::write(&path, write_records(&e.records)).unwrap();
            let output = Command::new("python3")
                .args(["-c", PYLSQPACK_DECODE])
                .arg(&path)
                .arg(capacity.to_string())
                .arg(blocked.to_string())
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{name} {capacity}/{blocked} ack mode {ack}: pylsqpack failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let got = String::from_utf8_lossy(&output.stdout);
            assert!(
                got == expected,
                "{name} {capacity}/{blocked} ack mode {ack}: pylsqpack decoded something else"
            );
            checked += 1;
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    println!("pylsqpack decoded {checked} encodings to their input");
}

/// The order of sections as the qif lists them is kept by stream id.
#[test]
fn sections_keep_their_order() {
    let sections: Vec<Section> = (0..5)
        .map(|i| vec![(b"x-n".to_vec(), format!("{i}").into_bytes())])
        .collect();
    let e = encode(&sections, 256, 100);
    let ids: BTreeMap<u64, usize> = e
        .records
        .iter()
        .filter(|(id, _)| *id != 0)
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    assert_eq!(ids.len(), 5);
}

/// The bytes of an encoded corpus file (encoder stream + sections), counted on the terms of RFC
/// 9204: the qpack-05 encoders in the corpus insert without first sending Set Dynamic Table
/// Capacity, which §3.2.3 requires (the table starts at capacity zero), so the bytes of that
/// instruction are added where it is missing.
fn corpus_encoding_bytes(records: &[(u64, Vec<u8>)], capacity: u64) -> usize {
    let total: usize = records.iter().map(|(_, bytes)| bytes.len()).sum();
    let first_instruction = records
        .iter()
        .find(|(id, bytes)| *id == 0 && !bytes.is_empty())
        .map(|(_, bytes)| bytes[0]);
    match first_instruction {
        // Set Dynamic Table Capacity: 001xxxxx (§4.3.1).
        Some(byte) if byte & 0xe0 != 0x20 => {
            total + qpack_hpack::prefix_int::encoded_len(5, capacity)
        }
        _ => total,
    }
}

/// The cells (qif, capacity, blocked streams, ack mode) where a corpus encoder's encoding is
/// still shorter than ours; every other cell is asserted no longer than every corpus
/// encoder's (some are exact ties: netbsd 4096/100 with nghttp3, the capacity-0 cells, and a
/// few ack-mode-0 cells). Why these are lost:
/// - ack mode 1: fb-req 512/100 (89748 bytes, nghttp3 89100), to nghttp3's eager indexing;
/// - ack mode 0 (the encoder never hears from the decoder), blocked 0: fb-resp 512/0,
///   fb-resp-hq 256/0 and 512/0, netbsd(-hq) 4096/0, by 2 to 31 bytes: the guesses of the
///   first section, which only acknowledgments would make usable (no dynamic table at all is
///   best there, and no encoder can know that up front);
/// - ack mode 0, blocked 100: fb-req(-hq) 256/100 and 512/100, fb-resp 256/100 and 512/100,
///   fb-resp-hq 512/100 and 4096/100: with no acknowledgments the 100 blocked streams are
///   spent once and for all, and the corpus encoders happen to spend them on sections that
///   gain more.
const KNOWN_LOSSES: &[(&str, u64, u64, u8)] = &[
    ("fb-req", 512, 100, 1),
    ("fb-req", 256, 100, 0),
    ("fb-req", 512, 100, 0),
    ("fb-req-hq", 256, 100, 0),
    ("fb-req-hq", 512, 100, 0),
    ("fb-resp", 256, 100, 0),
    ("fb-resp", 512, 0, 0),
    ("fb-resp", 512, 100, 0),
    ("fb-resp-hq", 256, 0, 0),
    ("fb-resp-hq", 512, 0, 0),
    ("fb-resp-hq", 512, 100, 0),
    ("fb-resp-hq", 4096, 100, 0),
    ("netbsd", 4096, 0, 0),
    ("netbsd-hq", 4096, 0, 0),
];

/// Our encoding of every qif at every setting against each encoder of the interop corpus
/// (ls-qpack, nghttp3), counted on equal terms ([`corpus_encoding_bytes`]) and by ack mode:
/// ours with immediate acknowledgments against their ack-mode-1 files, ours never fed the
/// decoder stream against their ack-mode-0 files. Printed as a table; asserted no longer at
/// every cell but the [`KNOWN_LOSSES`], which are printed with `LOSES` (and `now wins` once
/// they no longer lose).
#[test]
fn no_corpus_encoder_is_shorter() {
    let (Some(qifs), Some(dir)) = (qifs(), shared::corpus("qifs/encoded/qpack-05")) else {
        return;
    };
    let mut theirs: BTreeMap<(String, u64, u64, u8), BTreeMap<String, usize>> = BTreeMap::new();
    for encoder_dir in std::fs::read_dir(&dir).unwrap() {
        let encoder_dir = encoder_dir.unwrap().path();
        let encoder = encoder_dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        for file in std::fs::read_dir(&encoder_dir).unwrap() {
            let file = file.unwrap().path();
            let Some((name, capacity, blocked, ack)) =
                parse_encoded_name(file.file_name().unwrap().to_str().unwrap())
            else {
                continue;
            };
            let records = parse_records(&std::fs::read(&file).unwrap()).unwrap();
            let bytes = corpus_encoding_bytes(&records, capacity);
            theirs
                .entry((name, capacity, blocked, ack.min(1)))
                .or_default()
                .insert(encoder.clone(), bytes);
        }
    }
    println!(
        "bytes (encoder stream + sections), ours / corpus encoders on RFC 9204 terms; \
         a1 = immediate acks, a0 = none"
    );
    let (mut compared, mut asserted, mut losses) = (0, 0, Vec::new());
    for (name, sections) in &qifs {
        for capacity in CAPACITIES {
            for blocked in BLOCKED {
                let mut line = format!("{name:>16} {capacity:>4}/{blocked:<3}");
                for ack in [1u8, 0] {
                    let Some(peers) = theirs.get(&(name.clone(), capacity, blocked, ack)) else {
                        continue;
                    };
                    let acks = if ack == 1 {
                        Acks::Immediate
                    } else {
                        Acks::Never
                    };
                    let e = encode_with(sections, capacity, blocked, acks);
                    let ours = e.encoder_stream_bytes + e.section_bytes;
                    let list: Vec<String> = peers.iter().map(|(p, b)| format!("{p}={b}")).collect();
                    let lost = peers.values().any(|&bytes| ours > bytes);
                    line += &format!(
                        " | a{ack} ours={ours} {}{}",
                        list.join(" "),
                        if lost { " LOSES" } else { "" }
                    );
                    compared += 1;
                    let cell = (name.as_str(), capacity, blocked, ack);
                    if KNOWN_LOSSES.contains(&cell) {
                        if lost {
                            losses.push(format!("{name} {capacity}/{blocked} a{ack}"));
                        } else {
                            line += " (now wins: remove it from KNOWN_LOSSES)";
                        }
                    } else {
                        asserted += 1;
                        for (peer, &bytes) in peers {
                            assert!(
                                ours <= bytes,
                                "{name} {capacity}/{blocked} ack mode {ack}: ours {ours} \
                                 bytes, {peer} {bytes}"
                            );
                        }
                    }
                }
                println!("{line}");
            }
        }
    }
    println!(
        "{compared} cells compared, {asserted} asserted; lost: {}",
        losses.join(", ")
    );
    assert!(
        compared > 0,
        "no corpus encoding matched a qif and a setting"
    );
    assert_eq!(
        compared,
        asserted + KNOWN_LOSSES.len(),
        "every known loss is a cell of the corpus"
    );
}
