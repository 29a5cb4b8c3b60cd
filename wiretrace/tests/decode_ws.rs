//! `wiretrace decode ws` as a user runs it, on the RFC 6455 §5.7 and RFC 7692 §7.2.3 frames.

use std::process::{Command, Output};

use testvectors::rfc6455::SECTION_5_7_FRAMES;
use testvectors::rfc7692::{HELLO_FRAGMENTS, HELLO_FRAME};

fn wiretrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(args)
        .output()
        .expect("run wiretrace")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn server_frames_of_section_5_7() {
    let input: Vec<&str> = [0, 2, 3, 4]
        .iter()
        .map(|&i| SECTION_5_7_FRAMES[i].1)
        .collect();
    let out = wiretrace(&[&["decode", "ws", "--server"][..], &input].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            "@0 FIN=1 RSV=000 opcode=text(0x1) MASK=- len=5 \"Hello\"",
            "@7 FIN=0 RSV=000 opcode=text(0x1) MASK=- len=3 \"Hel\"",
            "@12 FIN=1 RSV=000 opcode=cont(0x0) MASK=- len=2 \"lo\"",
            "@16 FIN=1 RSV=000 opcode=ping(0x9) MASK=- len=5 \"Hello\"",
        ]
    );
}

#[test]
fn client_frames_are_unmasked_and_must_be_masked() {
    let masked = SECTION_5_7_FRAMES[1].1;
    let out = wiretrace(&[
        "decode",
        "ws",
        "--client",
        masked,
        "88 82 00 00 00 00 03 e8",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("MASK=37fa213d") && stdout.contains("\"Hello\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("opcode=close(0x8)") && stdout.contains("code=1000"),
        "{stdout}"
    );
    // An unmasked frame from a client fails.
    let out = wiretrace(&["decode", "ws", "--client", SECTION_5_7_FRAMES[0].1]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unmasked frame from a client"));
    // A masked one from a server fails.
    let out = wiretrace(&["decode", "ws", "--server", masked]);
    assert!(!out.status.success());
}

#[test]
fn compressed_frames_show_rsv1_and_bad_frames_fail() {
    let out = wiretrace(&[&["decode", "ws", HELLO_FRAME][..], &HELLO_FRAGMENTS].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("RSV=100") && stdout.contains("compressed f248cdc9c90700"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 3);
    for (bad, why) in [
        ("83 00", "reserved opcode"),
        ("82 7e 00 05", "minimal"),
        ("09 00", "fragmented control"),
        ("81 05 48 65", "truncated payload"),
        ("81", "truncated frame header"),
    ] {
        let out = wiretrace(&["decode", "ws", bad]);
        assert!(!out.status.success(), "{bad}");
        assert!(
            text(&out.stderr).contains(why),
            "{bad}: {}",
            text(&out.stderr)
        );
    }
}
