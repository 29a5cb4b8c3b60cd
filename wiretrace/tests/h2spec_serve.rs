//! h2spec's server cases against the real `wiretrace serve` over loopback TCP: the harness and
//! cases of h2-proto's h2spec-equivalent suite (`h2-proto/tests/h2spec.rs`, included below),
//! each case on fresh connections to the h2c prior-knowledge path (h2-proto behind the IO
//! loop and routes of `serve_h2.rs`).

#![allow(dead_code, reason = "the suite's in-process parts are not used here")]

include!("../../h2-proto/tests/common/h2spec_suite.rs");

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `wiretrace serve --quiet` on a free loopback port, killed when dropped.
struct Serve {
    child: Child,
    port: u16,
}

impl Serve {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
            .args(["serve", "--listen", "127.0.0.1:0", "--quiet"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Self { child, port }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Cases `wiretrace serve` cannot pass because its port also serves HTTP/1.1: h2spec
/// `http2/3.5/2` sends `INVALID CONNECTION PREFACE\r\n\r\n`, which is not the h2c preface, so
/// the HTTP/1.1 side answers `400 Bad Request` and closes (real h2spec, reading that as a frame
/// header, fails the case too). The in-process suite passes it: `Connection::server` sends
/// GOAWAY PROTOCOL_ERROR.
const SHARED_PORT_EXCEPTIONS: &[&str] = &["http2/3.5/2"];

#[test]
fn h2spec_cases_against_wiretrace_serve() {
    let serve = Serve::start();
    let target = Target::tcp(serve.port);
    let runnable: Vec<&Case> = CASES
        .iter()
        .filter(|c| !SHARED_PORT_EXCEPTIONS.contains(&c.id))
        .collect();
    let failures: Vec<String> = runnable
        .iter()
        .filter_map(|case| check(&target, case).err())
        .collect();
    println!(
        "h2spec-equivalent against wiretrace serve: {}/{} cases ({} not applicable: {:?})",
        runnable.len() - failures.len(),
        CASES.len(),
        SHARED_PORT_EXCEPTIONS.len(),
        SHARED_PORT_EXCEPTIONS
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
