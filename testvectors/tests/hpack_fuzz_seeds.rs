//! The HPACK fuzz targets' seeds (made from RFC 7541 Appendix C) run through the fuzzing entry
//! points, so the checks the fuzzer makes hold on them in every `cargo test`.

use std::path::Path;

use qpack_hpack::hpack::fuzzing;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

#[test]
fn decode_seeds() {
    let seeds = seeds("hpack_decode");
    assert!(seeds.len() >= 16);
    for seed in &seeds {
        fuzzing::decode(seed);
    }
}

/// The decode seeds are valid input: every block in them decodes without error (so the fuzzer
/// starts from deep states), settings changes (a 0xff length byte) included. The second and
/// third requests of C.3–C.6 alone reference entries of the first, so they are left out.
#[test]
fn decode_seeds_are_valid_blocks() {
    use qpack_hpack::hpack::{Decoder, DecoderConfig};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/hpack_decode");
    let (mut blocks, mut settings_changes) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let alone = name.strip_prefix("rfc7541-C.");
        if alone.is_some_and(|n| !n.starts_with('2') && (n.ends_with(".2") || n.ends_with(".3"))) {
            continue;
        }
        let seed = std::fs::read(&path).unwrap();
        let (size, mut rest) = seed.split_first_chunk::<2>().unwrap();
        let mut decoder = Decoder::new(
            DecoderConfig::default().with_max_table_size(usize::from(u16::from_be_bytes(*size))),
        );
        while let Some((&len, tail)) = rest.split_first() {
            if len == 0xff {
                let (size, tail) = tail.split_first_chunk::<2>().unwrap();
                decoder.set_max_table_size(usize::from(u16::from_be_bytes(*size)));
                settings_changes += 1;
                rest = tail;
                continue;
            }
            let (block, tail) = tail.split_at(usize::from(len));
            let fields = decoder.decode_to_vec(block).unwrap();
            assert!(!fields.is_empty());
            blocks += 1;
            rest = tail;
        }
    }
    assert!(
        blocks >= 24 && settings_changes >= 3,
        "{blocks} {settings_changes}"
    );
}

#[test]
fn roundtrip_seeds() {
    let seeds = seeds("hpack_roundtrip");
    assert!(seeds.len() >= 12);
    for seed in &seeds {
        fuzzing::roundtrip(seed);
    }
}
