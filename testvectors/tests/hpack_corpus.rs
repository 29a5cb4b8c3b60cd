//! The hpack-test-case corpus (`../shared/corpora/hpack-test-case`): every implementation's
//! encoding of every story decodes to exactly its headers; our encoding of every `raw-data`
//! story is compact (wire bytes ÷ name+value bytes ≤ 0.310, nghttp2's level) and decodes back
//! with our decoder and with python's `hpack`.

use std::path::{Path, PathBuf};
use std::process::Command;

use qpack_hpack::hpack::{Decoder, DecoderConfig, Encoder, Field};
use serde_json::Value;
use testvectors::{hex, shared};

type Headers = Vec<(String, String)>;

/// One case of a story: the table size in force, the wire bytes (absent in raw-data), headers.
struct Case {
    table_size: usize,
    wire: Option<Vec<u8>>,
    headers: Headers,
}

fn load_story(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| Case {
            table_size: case["header_table_size"].as_u64().unwrap_or(4096) as usize,
            wire: case["wire"].as_str().map(hex),
            headers: case["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let (name, value) = h.as_object().unwrap().iter().next().unwrap();
                    (name.clone(), value.as_str().unwrap().to_string())
                })
                .collect(),
        })
        .collect()
}

fn stories(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn decode_all(decoder: &mut Decoder, block: &[u8]) -> Result<Headers, String> {
    let mut headers = Vec::new();
    decoder
        .decode(block, |f| {
            headers.push((
                String::from_utf8_lossy(f.name).into_owned(),
                String::from_utf8_lossy(f.value).into_owned(),
            ))
        })
        .map_err(|e| e.to_string())?;
    Ok(headers)
}

#[test]
fn every_story_of_every_implementation_decodes_to_its_headers() {
    let Some(root) = shared::corpus("hpack-test-case") else {
        return;
    };
    let mut implementations: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("raw-data"))
        .collect();
    implementations.sort();
    assert!(implementations.len() >= 5, "{implementations:?}");
    let (mut stories_passed, mut cases_passed, mut failures) = (0, 0, Vec::new());
    for implementation in &implementations {
        for story in stories(implementation) {
            let mut decoder = Decoder::new(DecoderConfig::default());
            let mut ok = true;
            for (seqno, case) in load_story(&story).iter().enumerate() {
                decoder.set_max_table_size(case.table_size);
                let result = decode_all(&mut decoder, case.wire.as_deref().unwrap());
                if result.as_ref() != Ok(&case.headers) {
                    failures.push(format!("{} case {seqno}: {result:?}", story.display()));
                    ok = false;
                    break;
                }
                cases_passed += 1;
            }
            stories_passed += usize::from(ok);
        }
    }
    eprintln!(
        "hpack-test-case: {stories_passed} stories, {cases_passed} cases decoded exactly ({} implementations)",
        implementations.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(stories_passed, implementations.len() * 32);
}

/// One story's header lists, each with our encoding of it.
type EncodedStory = (PathBuf, Vec<(Headers, Vec<u8>)>);

/// Our default encoding of every raw-data story, one encoder context per story.
fn encode_raw_data(root: &Path) -> Vec<EncodedStory> {
    stories(&root.join("raw-data"))
        .into_iter()
        .map(|story| {
            let mut encoder = Encoder::default();
            let blocks = load_story(&story)
                .into_iter()
                .map(|case| {
                    let mut block = Vec::new();
                    encoder.encode(
                        case.headers
                            .iter()
                            .map(|(n, v)| Field::new(n.as_bytes(), v.as_bytes())),
                        &mut block,
                    );
                    (case.headers, block)
                })
                .collect();
            (story, blocks)
        })
        .collect()
}

#[test]
fn our_encoding_of_raw_data_is_compact_and_decodes_back() {
    let Some(root) = shared::corpus("hpack-test-case") else {
        return;
    };
    let encoded = encode_raw_data(&root);
    assert_eq!(encoded.len(), 32);
    let (mut wire, mut plain) = (0usize, 0usize);
    for (story, blocks) in &encoded {
        let mut decoder = Decoder::default();
        for (headers, block) in blocks {
            wire += block.len();
            plain += headers
                .iter()
                .map(|(n, v)| n.len() + v.len())
                .sum::<usize>();
            assert_eq!(
                decode_all(&mut decoder, block).as_ref(),
                Ok(headers),
                "{}",
                story.display()
            );
        }
    }
    let ratio = wire as f64 / plain as f64;
    eprintln!("raw-data: {wire} wire bytes / {plain} name+value bytes = {ratio:.4}");
    assert!(
        ratio <= 0.310,
        "compression ratio {ratio:.4} above nghttp2's 0.310"
    );
}

/// Decodes our encodings with python-hyper's `hpack` (the decoder of python `h2`).
#[test]
fn our_encoding_of_raw_data_decodes_with_python_hpack() {
    let Some(root) = shared::corpus("hpack-test-case") else {
        return;
    };
    let probe = Command::new("python3")
        .args(["-c", "import hpack; print(hpack.__version__)"])
        .output();
    let available = probe.as_ref().is_ok_and(|o| o.status.success());
    if !available {
        let message = "SKIPPED: python3 with the `hpack` module is missing (pip install hpack; .ci/install-tools installs it)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{message}; CI must have it"
        );
        eprintln!("{message}");
        return;
    }
    let encoded = encode_raw_data(&root);
    // One story per line: the hex blocks; python prints one JSON list of header lists per line.
    let input: String = encoded
        .iter()
        .map(|(_, blocks)| {
            let hexes: Vec<Value> = blocks
                .iter()
                .map(|(_, b)| Value::String(b.iter().map(|x| format!("{x:02x}")).collect()))
                .collect();
            Value::Array(hexes).to_string() + "\n"
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("hpack-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input_path = dir.join("blocks.jsonl");
    std::fs::write(&input_path, input).unwrap();
    let script = r#"
import json, sys, hpack
for line in open(sys.argv[1]):
    decoder = hpack.Decoder()
    decoder.max_header_list_size = 1 << 24
    out = []
    for block in json.loads(line):
        out.append([[n, v] for n, v in decoder.decode(bytes.fromhex(block), raw=False)])
    print(json.dumps(out))
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(&input_path)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        output.status.success(),
        "python hpack failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), encoded.len());
    let mut blocks_checked = 0;
    for ((story, blocks), line) in encoded.iter().zip(lines) {
        let decoded: Vec<Headers> = serde_json::from_str(line).unwrap();
        assert_eq!(decoded.len(), blocks.len());
        for ((headers, _), theirs) in blocks.iter().zip(decoded) {
            assert_eq!(&theirs, headers, "{}", story.display());
            blocks_checked += 1;
        }
    }
    eprintln!("python hpack decoded all {blocks_checked} of our raw-data blocks");
}
