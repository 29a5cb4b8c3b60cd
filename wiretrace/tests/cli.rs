//! The `wiretrace` binary as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn wiretrace(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wiretrace");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn decode_varint_from_arguments_ignores_whitespace() {
    let out = wiretrace(&["decode", "varint", "7b bd", "40", "25", "25"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "@0    7bbd              2 byte(s)  15293\n\
         @2    4025              2 byte(s)  37  (non-minimal; shortest is 1 byte(s))\n\
         @4    25                1 byte(s)  37\n"
    );
}

#[test]
fn decode_varint_from_stdin_and_file() {
    let out = wiretrace(&["decode", "varint"], "c2197c5e\nff14e88c\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("151288809941952652"));

    let path = std::env::temp_dir().join(format!("wiretrace-cli-{}.hex", std::process::id()));
    std::fs::write(&path, "9d 7f 3e 7d\n").unwrap();
    let out = wiretrace(&["decode", "varint", "--file", path.to_str().unwrap()], "");
    std::fs::remove_file(&path).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("494878333"));
}

#[test]
fn truncated_or_malformed_input_fails_with_a_message() {
    let out = wiretrace(&["decode", "varint", "25 c0 00"], "");
    assert!(!out.status.success());
    assert!(stdout(&out).contains("37"), "what decoded is still shown");
    assert!(
        stderr(&out).contains("6 more byte(s) needed"),
        "{}",
        stderr(&out)
    );

    let out = wiretrace(&["decode", "varint", "2g"], "");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a hex digit"), "{}", stderr(&out));
}

#[test]
fn protocols_that_do_not_exist_yet_fail_and_say_so() {
    let out = wiretrace(&["decode", "h3", "00"], "");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not implemented yet"),
        "{}",
        stderr(&out)
    );
    let out = wiretrace(&["decode", "smtp", "00"], "");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unrecognized subcommand"));
    // `serve` runs HTTP/1.1 now (h1-proto); its tests are in tests/h1.rs.
    let out = wiretrace(&["fetch", "gopher://127.0.0.1/"], "");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unsupported scheme"));
}

#[test]
fn demo_runs_and_shows_the_rfc_samples() {
    let out = wiretrace(&["demo"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("151288809941952652"));
    assert!(text.contains("15293"));
    // The WebSocket echo runs twice: upgraded from HTTP/1.1, and over an HTTP/2 stream.
    assert!(
        text.contains("< HTTP/1.1 101 Switching Protocols"),
        "{text}"
    );
    assert!(
        text.contains(":method: CONNECT | :protocol: websocket"),
        "{text}"
    );
    assert_eq!(
        text.matches("* echo text: \"Hello, wiretrace!\"").count(),
        2,
        "{text}"
    );
}
