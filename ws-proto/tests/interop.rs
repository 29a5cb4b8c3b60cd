//! Interop over real sockets on 127.0.0.1 with python `websockets` and node's `ws`, both
//! directions, with and without permessage-deflate. The HTTP heads of the opening handshake are
//! parsed with httparse. A missing peer prints `SKIPPED` and passes, except under `CI`.
#![cfg(feature = "deflate")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ws_proto::{
    ClientHandshake, CloseCode, Config, Connection, DeflateConfig, Event, Negotiated,
    ServerHandshake, State,
};

const TIMEOUT: Duration = Duration::from_secs(20);

fn skip(why: &str) {
    let message = format!("SKIPPED: {why}");
    assert!(
        std::env::var_os("CI").is_none(),
        "{message}; CI must have it"
    );
    eprintln!("{message}");
}

fn node_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.ci/node_modules")
}

fn python_ok() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import websockets"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip("python3 with the websockets package is missing (.ci/install-tools installs it)");
    }
    ok
}

fn node_ok() -> bool {
    let ok = Command::new("node")
        .args(["-e", "require('ws')"])
        .env("NODE_PATH", node_path())
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip(
            "node with the ws package in .ci/node_modules is missing (.ci/install-tools installs it)",
        );
    }
    ok
}

/// Kills the child when dropped, so a failing test leaves no process behind.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const PYTHON_SERVER: &str = r#"
import asyncio, sys, websockets
async def echo(ws):
    async for m in ws:
        await ws.send(m)
async def main(compression):
    async with websockets.serve(echo, "127.0.0.1", 0, compression="deflate" if compression else None, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.sleep(30)
asyncio.run(main(sys.argv[1] == "1"))
"#;

const PYTHON_CLIENT: &str = r#"
import asyncio, sys, websockets
async def main(url, compression):
    async with websockets.connect(url, compression="deflate" if compression else None, max_size=None) as ws:
        for m in ["Hello", "κόσμε", bytes(range(256)), "x" * 200000, b"", ""]:
            await ws.send(m)
            r = await ws.recv()
            assert r == m, (type(r), len(r))
        await ws.send(["frag1", "frag2", "frag3"])
        assert await ws.recv() == "frag1frag2frag3"
        await (await ws.ping(b"p"))
        print("EXT", ws.response.headers.get("Sec-WebSocket-Extensions"), flush=True)
    assert ws.close_code == 1000, ws.close_code
asyncio.run(main(sys.argv[1], sys.argv[2] == "1"))
"#;

const NODE_SERVER: &str = r#"
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: process.argv[1] === '1' ? { threshold: 0 } : false });
wss.on('listening', () => console.log(wss.address().port));
wss.on('connection', ws => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
setTimeout(() => process.exit(0), 30000);
"#;

const NODE_CLIENT: &str = r#"
const WebSocket = require('ws');
const ws = new WebSocket(process.argv[1], { perMessageDeflate: process.argv[2] === '1' ? { threshold: 0 } : false });
const msgs = [['Hello', false], ['κόσμε', false], [Buffer.from([...Array(256).keys()]), true], ['x'.repeat(200000), false], ['', false]];
let i = 0;
function next() { if (i < msgs.length) ws.send(msgs[i][0], { binary: msgs[i][1] }); else ws.ping('p'); }
ws.on('open', () => { console.log('EXT', ws.extensions); next(); });
ws.on('message', (data, isBinary) => {
  const [m, bin] = msgs[i];
  const expected = Buffer.isBuffer(m) ? m : Buffer.from(m);
  if (isBinary !== bin || !data.equals(expected)) { console.error('mismatch at', i); process.exit(1); }
  i++; next();
});
ws.on('pong', d => { if (d.toString() !== 'p') process.exit(1); ws.close(1000, 'done'); });
ws.on('close', code => process.exit(code === 1000 ? 0 : 1));
ws.on('error', e => { console.error(e); process.exit(1); });
setTimeout(() => { console.error('timeout'); process.exit(1); }, 20000);
"#;

fn spawn_server(program: &str, args: &[&str]) -> (Peer, u16) {
    let mut child = Command::new(program)
        .args(args)
        .env("NODE_PATH", node_path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn peer");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("peer printed {line:?}"));
    (Peer(child), port)
}

/// A deterministic key source for tests (a real client uses a strong random source).
fn keys() -> impl FnMut() -> [u8; 4] + Send + 'static {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x as u32).to_be_bytes()
    }
}

/// Reads an HTTP head (up to the blank line); returns it and any bytes after it.
fn read_head(stream: &mut TcpStream) -> (Vec<u8>, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return (buf, rest);
        }
        let n = stream.read(&mut chunk).expect("read head");
        assert!(n > 0, "peer closed during the handshake");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Our client against a server at `port`: the handshake, then messages, a ping and the close.
fn run_our_client(port: u16, deflate: bool) -> Negotiated {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let config = DeflateConfig::default();
    let mut hs = ClientHandshake::new(*b"0123456789abcdef");
    if deflate {
        hs = hs.deflate(config);
    }
    let mut request = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for (name, value) in hs.request_fields() {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let (head, rest) = read_head(&mut stream);
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    response.parse(&head).unwrap();
    let fields: Vec<(&str, &[u8])> = response.headers.iter().map(|h| (h.name, h.value)).collect();
    let negotiated = hs.verify_response(response.code.unwrap(), &fields).unwrap();
    let mut conn = Connection::client(Config::default(), keys());
    if let Some(params) = negotiated.deflate {
        conn = conn.with_deflate(params, &config).unwrap();
    }
    let mut io = Io {
        stream,
        pending: rest,
        lent: false,
    };
    let big = "x".repeat(200_000);
    let binary: Vec<u8> = (0..=255).collect();
    let messages = [
        Event::Text("Hello".into()),
        Event::Text("κόσμε".into()),
        Event::Binary(binary),
        Event::Text(big),
        Event::Binary(vec![]),
        Event::Text(String::new()),
    ];
    for m in &messages {
        let mut out = Vec::new();
        match m {
            Event::Text(t) => conn.send_text(t, &mut out).unwrap(),
            Event::Binary(b) => conn.send_binary(b, &mut out).unwrap(),
            _ => unreachable!(),
        }
        io.stream.write_all(&out).unwrap();
        assert_eq!(&io.next_event(&mut conn), m);
    }
    // A fragmented message.
    let mut out = Vec::new();
    for (part, fin) in [("frag1", false), ("frag2", false), ("frag3", true)] {
        conn.send_fragment(ws_proto::MessageKind::Text, part.as_bytes(), fin, &mut out)
            .unwrap();
    }
    io.stream.write_all(&out).unwrap();
    assert_eq!(
        io.next_event(&mut conn),
        Event::Text("frag1frag2frag3".into())
    );
    // Ping, then the close handshake.
    out.clear();
    conn.send_ping(b"p", &mut out).unwrap();
    io.stream.write_all(&out).unwrap();
    assert_eq!(io.next_event(&mut conn), Event::Pong(b"p".to_vec()));
    out.clear();
    conn.close(Some(CloseCode::NORMAL), "done", &mut out)
        .unwrap();
    io.stream.write_all(&out).unwrap();
    match io.next_event(&mut conn) {
        Event::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::NORMAL),
        other => panic!("expected the close reply, got {other:?}"),
    }
    assert_eq!(conn.state(), State::Closed);
    negotiated
}

struct Io {
    stream: TcpStream,
    pending: Vec<u8>,
    /// Poll lent events (`poll_event_ref`, copied out here) instead of owned ones.
    lent: bool,
}

impl Io {
    /// The next event, reading from the socket as needed (and writing automatic replies).
    fn next_event(&mut self, conn: &mut Connection) -> Event {
        loop {
            let event = if self.lent {
                conn.poll_event_ref().map(|e| e.to_event())
            } else {
                conn.poll_event()
            };
            if let Some(event) = event {
                let mut out = Vec::new();
                conn.poll_transmit(&mut out).unwrap();
                self.stream.write_all(&out).unwrap();
                return event;
            }
            if self.pending.is_empty() {
                let mut chunk = [0u8; 65536];
                let n = self.stream.read(&mut chunk).expect("read");
                assert!(n > 0, "peer closed the connection");
                self.pending.extend_from_slice(&chunk[..n]);
            }
            let used = conn
                .handle_input(&self.pending)
                .expect("peer frames are valid");
            self.pending.drain(..used);
        }
    }
}

/// Our echo server for one connection on `listener`; returns what was negotiated.
fn run_our_server(listener: TcpListener, deflate: bool) -> Negotiated {
    let (mut stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let (head, rest) = read_head(&mut stream);
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    request.parse(&head).unwrap();
    let fields: Vec<(&str, &[u8])> = request.headers.iter().map(|h| (h.name, h.value)).collect();
    let config = DeflateConfig::default();
    let mut hs = ServerHandshake::new();
    if deflate {
        hs = hs.deflate(config);
    }
    let accepted = hs.accept(request.method.unwrap(), &fields).unwrap();
    let mut response = String::from("HTTP/1.1 101 Switching Protocols\r\n");
    for (name, value) in &accepted.fields {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    stream.write_all(response.as_bytes()).unwrap();
    let mut conn = Connection::server(Config::default());
    if let Some(params) = accepted.negotiated.deflate {
        conn = conn.with_deflate(params, &config).unwrap();
    }
    // Our server polls lent events, our client owned ones.
    let mut io = Io {
        stream,
        pending: rest,
        lent: true,
    };
    loop {
        let event = io.next_event(&mut conn);
        let mut out = Vec::new();
        match event {
            Event::Text(t) => conn.send_text(&t, &mut out).unwrap(),
            Event::Binary(b) => conn.send_binary(&b, &mut out).unwrap(),
            Event::Close(_) => {
                conn.poll_transmit(&mut out).unwrap();
                io.stream.write_all(&out).unwrap();
                assert_eq!(conn.state(), State::Closed);
                return accepted.negotiated;
            }
            _ => {}
        }
        io.stream.write_all(&out).unwrap();
    }
}

fn run_peer_client(program: &str, script: &str, deflate: bool) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || run_our_server(listener, deflate));
    let url = format!("ws://127.0.0.1:{port}/");
    let flag = if deflate { "1" } else { "0" };
    let args: Vec<&str> = match program {
        "python3" => vec!["-c", script, &url, flag],
        _ => vec!["-e", script, &url, flag],
    };
    let output = Command::new(program)
        .args(&args)
        .env("NODE_PATH", node_path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{program} client failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let negotiated = server.join().unwrap();
    assert_eq!(negotiated.deflate.is_some(), deflate, "{stdout}");
    assert_eq!(stdout.contains("permessage-deflate"), deflate, "{stdout}");
}

#[test]
fn python_websockets_server_with_our_client() {
    if !python_ok() {
        return;
    }
    for deflate in [false, true] {
        let (_peer, port) = spawn_server(
            "python3",
            &["-c", PYTHON_SERVER, if deflate { "1" } else { "0" }],
        );
        let negotiated = run_our_client(port, deflate);
        assert_eq!(negotiated.deflate.is_some(), deflate);
    }
}

#[test]
fn python_websockets_client_with_our_server() {
    if !python_ok() {
        return;
    }
    for deflate in [false, true] {
        run_peer_client("python3", PYTHON_CLIENT, deflate);
    }
}

#[test]
fn node_ws_server_with_our_client() {
    if !node_ok() {
        return;
    }
    for deflate in [false, true] {
        let (_peer, port) = spawn_server(
            "node",
            &["-e", NODE_SERVER, if deflate { "1" } else { "0" }],
        );
        let negotiated = run_our_client(port, deflate);
        assert_eq!(negotiated.deflate.is_some(), deflate);
    }
}

#[test]
fn node_ws_client_with_our_server() {
    if !node_ok() {
        return;
    }
    for deflate in [false, true] {
        run_peer_client("node", NODE_CLIENT, deflate);
    }
}
