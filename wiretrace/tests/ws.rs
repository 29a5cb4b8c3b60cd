//! WebSocket through `wiretrace serve` and `wiretrace fetch ws://`, against each other and
//! against real peers: python `websockets` as a client of our echo, node's `ws` package as a
//! server for our client. A missing peer is reported as SKIPPED, and fails under CI.

mod common;

use common::{Server, peer_available};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `wiretrace fetch` with `args`; its trace, after checking it succeeded.
fn fetch(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .arg("fetch")
        .args(args)
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

/// Runs a python `script` with one argument; its output, after checking it succeeded.
fn python(script: &str, argument: &str) -> String {
    let out = Command::new("python3")
        .args(["-c", script, argument])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
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
    let trace = fetch(&[&format!("ws://127.0.0.1:{}/echo", server.port)]);
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
    let stdout = python(PYTHON_CLIENT, &format!("ws://127.0.0.1:{}/", server.port));
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
    let trace = fetch(&[&format!("ws://127.0.0.1:{port}/")]);
    let _ = node.kill();
    let _ = node.wait();
    assert_echoed(&trace);
    assert!(trace.contains("permessage-deflate negotiated"), "{trace}");
}

#[test]
fn our_client_over_an_http2_extended_connect_stream() {
    let mut server = Server::start();
    let trace = fetch(&["--http2", &format!("ws://127.0.0.1:{}/echo", server.port)]);
    // RFC 8441: the server announced the setting, the client sent a CONNECT with :protocol,
    // and the answer is a 200 without Sec-WebSocket-Accept.
    assert!(trace.contains("ENABLE_CONNECT_PROTOCOL=1"), "{trace}");
    assert!(
        trace.contains(":method: CONNECT | :protocol: websocket"),
        "{trace}"
    );
    assert!(trace.contains("< :status: 200"), "{trace}");
    assert!(!trace.contains("sec-websocket-accept"), "{trace}");
    for echoed in [
        "* echo text: \"Hello, wiretrace!\"",
        "* echo text: \"ünïcödé ✓ text survives the echo\"",
        "* echo binary: deadbeef",
        "* peer closed: Some((1000",
        "permessage-deflate negotiated",
    ] {
        assert!(trace.contains(echoed), "{echoed} missing:\n{trace}");
    }
    let log = server.log_lines(5);
    assert!(
        log[0].ends_with("CONNECT /echo HTTP/2 stream=1 -> 200, WebSocket (permessage-deflate)"),
        "{log:?}"
    );
    assert_eq!(log[4], "conn=1 ws close Some(1000)", "{log:?}");
}

/// python `h2` as the HTTP/2 client, with WebSocket frames built by hand (masked, RFC 6455
/// §5.3): it waits for SETTINGS_ENABLE_CONNECT_PROTOCOL, opens the tunnel and reads the echo.
const PYTHON_H2_CLIENT: &str = r#"
import os, socket, struct, sys
import h2.connection, h2.config, h2.events, h2.settings

def frame(opcode, payload):
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + key + masked

sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
sock.sendall(conn.data_to_send())
stream, echoed, done = None, b"", False
while not done:
    data = sock.recv(65536)
    if not data:
        break
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.RemoteSettingsChanged) and stream is None:
            enabled = conn.remote_settings.get(h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL)
            print("enable_connect_protocol", enabled)
            stream = conn.get_next_available_stream_id()
            conn.send_headers(stream, [(":method", "CONNECT"), (":protocol", "websocket"),
                (":scheme", "http"), (":path", "/chat"), (":authority", "localhost"),
                ("sec-websocket-version", "13")])
            conn.send_data(stream, frame(0x1, "hello over h2".encode())
                + frame(0x8, struct.pack("!H", 1000)))
        elif isinstance(event, h2.events.ResponseReceived):
            print("status", dict(event.headers)[b":status"].decode())
        elif isinstance(event, h2.events.DataReceived):
            echoed += event.data
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            done = True
    sock.sendall(conn.data_to_send())
# Server frames are unmasked: opcode, 7-bit length, payload.
while echoed:
    opcode, length = echoed[0] & 0x0f, echoed[1] & 0x7f
    payload, echoed = echoed[2:2 + length], echoed[2 + length:]
    print("frame", opcode, payload.decode() if opcode == 1 else payload.hex())
"#;

#[test]
fn python_h2_client_gets_the_echo_over_extended_connect() {
    if !peer_available(
        "python h2",
        Command::new("python3").args(["-c", "import h2"]),
    ) {
        return;
    }
    let server = Server::start();
    let stdout = python(PYTHON_H2_CLIENT, &server.port.to_string());
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "enable_connect_protocol 1",
            "status 200",
            "frame 1 hello over h2",
            "frame 8 03e8",
        ],
        "{stdout}"
    );
}
