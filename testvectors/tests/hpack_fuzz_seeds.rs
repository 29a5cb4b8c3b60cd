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

#[test]
fn roundtrip_seeds() {
    let seeds = seeds("hpack_roundtrip");
    assert!(seeds.len() >= 12);
    for seed in &seeds {
        fuzzing::roundtrip(seed);
    }
}
