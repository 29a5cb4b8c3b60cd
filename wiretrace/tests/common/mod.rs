//! What the wiretrace integration tests share: a `wiretrace serve` child process on a free
//! loopback port, and the check for an external peer (SKIPPED loudly when it is missing, a
//! failure under CI).

#![allow(dead_code, reason = "each test file uses part of this")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Lower-case hex without separators, as `wiretrace decode` takes it.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `wiretrace serve --listen 127.0.0.1:0`, killed when dropped.
pub struct Server {
    child: Child,
    /// The port it listens on, read from its first log line.
    pub port: u16,
    /// Its log, one line per request.
    pub log: BufReader<std::process::ChildStdout>,
}

impl Server {
    pub fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut log = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        log.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Server { child, port, log }
    }

    /// The next `n` log lines.
    pub fn log_lines(&mut self, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| {
                let mut line = String::new();
                self.log.read_line(&mut line).unwrap();
                line.trim_end().to_string()
            })
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `check` (a command that exits 0 when the peer is installed) succeeds; if not, says
/// so loudly, and fails under CI.
pub fn peer_available(name: &str, check: &mut Command) -> bool {
    let ok = check
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let message = format!("SKIPPED: {name} is not installed (bash .ci/install-tools)");
        assert!(
            std::env::var_os("CI").is_none(),
            "{message}; CI must have it"
        );
        eprintln!("{message}");
    }
    ok
}
