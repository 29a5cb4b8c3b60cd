//! `wiretrace decode qpack` as a user runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn wiretrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(args)
        .output()
        .expect("run wiretrace")
}

/// The qifs corpus, or `None` after a loud SKIPPED (a failure under CI).
fn qifs() -> Option<PathBuf> {
    let dir = match std::env::var_os("SANSIO_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
    .join("corpora/qifs");
    if dir.exists() {
        return Some(dir);
    }
    let message = format!("SKIPPED: {} not found", dir.display());
    assert!(
        std::env::var_os("CI").is_none(),
        "{message}; CI must have it"
    );
    eprintln!("{message}");
    None
}

/// The output is byte-identical to the encoder's input, for files of both implementations
/// and with sections that must be held blocked (blocked streams 100, no acknowledgments).
#[test]
fn qif_out_reproduces_the_input() {
    let Some(dir) = qifs() else {
        return;
    };
    for (file, table, blocked, qif) in [
        ("ls-qpack/fb-req.out.4096.100.0", "4096", "100", "fb-req"),
        ("nghttp3/netbsd.out.4096.100.0", "4096", "100", "netbsd"),
        ("nghttp3/fb-resp-hq.out.256.0.1", "256", "0", "fb-resp-hq"),
        ("ls-qpack/netbsd-hq.out.0.0.0", "0", "0", "netbsd-hq"),
    ] {
        let path = dir.join("encoded/qpack-05").join(file);
        let out = wiretrace(&[
            "decode",
            "qpack",
            "--qif-out",
            path.to_str().unwrap(),
            "--table-size",
            table,
            "--max-blocked",
            blocked,
        ]);
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = std::fs::read(dir.join(format!("qifs/{qif}.qif"))).unwrap();
        assert!(
            out.stdout == expected,
            "{file}: output differs from {qif}.qif"
        );
    }
}

/// RFC 9204 Appendix B as a record file, with the section of stream 8 moved before the
/// inserts it needs (as a network may deliver it): it decodes with one blocked stream allowed
/// and is QPACK_DECOMPRESSION_FAILED with none (§2.1.2).
#[test]
fn qif_out_holds_blocked_sections_and_enforces_the_setting() {
    let Some(dir) = qifs() else {
        return;
    };
    let bytes =
        std::fs::read(dir.join("encoded/qpack-05/examples/examples.out.220.100.1")).unwrap();
    let mut records = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let len = u32::from_be_bytes(rest[8..12].try_into().unwrap()) as usize;
        records.push(rest[..12 + len].to_vec());
        rest = &rest[12 + len..];
    }
    // 4, 0, 8, 0, 0, 12, 0 → 4, 8, 0, 0, 0, 12, 0.
    assert_eq!(records.len(), 7);
    records.swap(1, 2);
    let path = std::env::temp_dir().join(format!("wiretrace-qpack-{}.out", std::process::id()));
    std::fs::write(&path, records.concat()).unwrap();
    let run = |blocked: &str| {
        wiretrace(&[
            "decode",
            "qpack",
            "--qif-out",
            path.to_str().unwrap(),
            "--table-size",
            "220",
            "--max-blocked",
            blocked,
        ])
    };
    let out = run("1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ":path\t/index.html\n\n\
         :authority\twww.example.com\n:path\t/sample/path\n\n\
         :authority\twww.example.com\n:path\t/\ncustom-key\tcustom-value\n\n"
    );
    let out = run("0");
    std::fs::remove_file(&path).unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("QPACK_DECOMPRESSION_FAILED"), "{stderr}");
    assert!(stderr.contains("0x0200"), "{stderr}");
}

/// Hex mode: RFC 9204 Appendix B.1's section, and one with static references.
#[test]
fn hex_section_with_an_empty_table() {
    let out = wiretrace(&["decode", "qpack", "0000 510b 2f69 6e64 6578 2e68 746d 6c"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), ":path\t/index.html\n");
    let out = wiretrace(&["decode", "qpack", "0000 d1 d7 c1"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ":method\tGET\n:scheme\thttps\n:path\t/\n"
    );
}

/// A dynamic reference with an empty table, and a truncated section, fail with the RFC error.
#[test]
fn hex_section_errors_name_the_rfc_error() {
    for (hex, reason) in [
        ("0000 80", "QPACK_DECOMPRESSION_FAILED"),
        ("00", "truncated"),
    ] {
        let out = wiretrace(&["decode", "qpack", hex]);
        assert!(!out.status.success(), "{hex}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason), "{hex}: {stderr}");
    }
}
