//! WebSocket through `wiretrace serve` and `wiretrace fetch ws://`, against each other and
//! against real peers: python `websockets` as a client of our echo, node's `ws` package as a
//! server for our client. A missing peer is reported as SKIPPED, and fails under CI.

mod common;

use common::{Server, peer_available};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn fetch(url: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(["fetch", url])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn assert_echoed(trace: &str) {
    assert!(
        trace.contains("< HTTP/1.1 101 Switching Protocols"),
        "{trace}"
    );
    assert!(
        trace.contains("* echo text: \"Hello, wiretrace!\""),
        "{trace}"
    );
    assert!(
        trace.contains("* echo text: \"ünïcödé ✓ text survives the echo\""),
        "{trace}"
    );
    assert!(trace.contains("* echo binary: deadbeef"), "{trace}");
    assert!(trace.contains("* peer closed: Some((1000"), "{trace}");
}

#[test]
fn our_client_against_our_echo_with_compression() {
    let server = Server::start();
    let trace = fetch(&format!("ws://127.0.0.1:{}/echo", server.port));
    assert_echoed(&trace);
    assert!(trace.contains("permessage-deflate negotiated"), "{trace}");
    // Every data frame we sent was compressed: RSV1 set on each (RFC 7692 §6).
    assert_eq!(trace.matches("RSV=100").count(), 6, "{trace}");
}

const PYTHON_CLIENT: &str = r#"
import asyncio, sys
from websockets.asyncio.client import connect

async def main(url):
    for compression in ("deflate", None):
        async with connect(url, compression=compression) as ws:
            for message in ["hello", "ünïcödé ✓", "x" * 100000, b"\x00\xff" * 3000]:
                await ws.send(message)
                echo = await asyncio.wait_for(ws.recv(), 10)
                assert echo == message, (compression, len(message))
            negotiated = ws.response.headers.get("Sec-WebSocket-Extensions")
            assert (negotiated is not None) == (compression is not None), negotiated
        print("ok", compression, negotiated)

asyncio.run(main(sys.argv[1]))
"#;

#[test]
fn python_websockets_client_against_our_echo() {
    if !peer_available(
        "python websockets",
        Command::new("python3").args(["-c", "import websockets"]),
    ) {
        return;
    }
    let server = Server::start();
    let out = Command::new("python3")
        .args([
            "-c",
            PYTHON_CLIENT,
            &format!("ws://127.0.0.1:{}/", server.port),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ok deflate permessage-deflate"), "{stdout}");
    assert!(stdout.contains("ok None None"), "{stdout}");
}

const NODE_SERVER: &str = r#"
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
wss.on('listening', () => console.log(wss.address().port));
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
setTimeout(() => process.exit(0), 20000);
"#;

#[test]
fn our_client_against_node_ws_server() {
    let node_modules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.ci/node_modules");
    if !peer_available(
        "node ws package",
        Command::new("node")
            .env("NODE_PATH", &node_modules)
            .args(["-e", "require('ws')"]),
    ) {
        return;
    }
    let mut node = Command::new("node")
        .env("NODE_PATH", &node_modules)
        .args(["-e", NODE_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(node.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let trace = fetch(&format!("ws://127.0.0.1:{port}/"));
    let _ = node.kill();
    let _ = node.wait();
    assert_echoed(&trace);
    assert!(trace.contains("permessage-deflate negotiated"), "{trace}");
}
