//! Interop over real sockets on 127.0.0.1: curl and python's h11 against our server, our
//! client against node's and python h11's servers. A missing peer is `SKIPPED` loudly locally
//! and fails under `CI`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use h1_proto::{Body, ClientConnection, Event, Field, Request, Response, ServerConnection};

/// Whether `program` runs; otherwise prints SKIPPED (and fails under CI).
fn available(program: &str, args: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let message = format!("SKIPPED: {program} {} is not available", args.join(" "));
        assert!(
            std::env::var_os("CI").is_none(),
            "{message}; CI must have it"
        );
        eprintln!("{message}");
    }
    ok
}

/// Our server on an OS-assigned port: every request is answered with
/// `<method> <target> <body length>`; `/chunked*` answers in chunks, with a trailer.
fn spawn_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

fn serve(mut stream: TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut conn = ServerConnection::default();
    let mut buf = [0u8; 4096];
    let mut request = (String::new(), String::new(), 0usize);
    loop {
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Request(head))) => {
                    request = (head.method.to_string(), head.target.to_string(), 0);
                    if conn.expects_continue() {
                        conn.send_informational(100, &[]).unwrap();
                    }
                }
                Ok(Some(Event::Data(d))) => request.2 += d.len(),
                Ok(Some(Event::EndOfMessage)) => {
                    let text = format!("{} {} {}\n", request.0, request.1, request.2);
                    let fields = [Field::new("Content-Type", b"text/plain")];
                    if request.1.starts_with("/chunked") {
                        conn.send_response(&Response::new(200, &fields), Body::Streaming)
                            .unwrap();
                        for piece in text.as_bytes().chunks(3) {
                            conn.send_data(piece).unwrap();
                        }
                        conn.send_trailers(&[Field::new("X-Checksum", b"42")])
                            .unwrap();
                    } else {
                        conn.send_response(
                            &Response::new(200, &fields),
                            Body::Length(text.len() as u64),
                        )
                        .unwrap();
                        if request.0 != "HEAD" {
                            conn.send_data(text.as_bytes()).unwrap();
                        }
                        conn.finish().unwrap();
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    let _ = conn.send_response(&Response::new(e.status(), &[]), Body::Empty);
                    let _ = conn.finish();
                    break;
                }
            }
        }
        let out = conn.pending_transmit().to_vec();
        conn.consume_transmit(out.len());
        if stream.write_all(&out).is_err() || conn.should_close() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => conn.handle_eof(),
            Ok(n) => assert_eq!(conn.handle_input(&buf[..n]), n),
        }
        if conn.should_close() {
            return;
        }
    }
}

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-s", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn curl_against_our_server() {
    if !available("curl", &["--version"]) {
        return;
    }
    let port = spawn_server();
    let base = format!("http://127.0.0.1:{port}");
    // Two URLs on one connection (curl reuses it), Content-Length and chunked with a trailer.
    let out = curl(&[&format!("{base}/a"), &format!("{base}/chunked")]);
    assert_eq!(out, "GET /a 0\nGET /chunked 0\n");
    // A chunked upload with Expect: 100-continue.
    let body = "x".repeat(100_000);
    let out = curl(&[
        "-H",
        "Transfer-Encoding: chunked",
        "-H",
        "Expect: 100-continue",
        "--data-binary",
        &body,
        &format!("{base}/upload"),
    ]);
    assert_eq!(out, "POST /upload 100000\n");
    // HTTP/1.0 and HEAD.
    let out = curl(&["--http1.0", "-i", &format!("{base}/old")]);
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.contains("Connection: close\r\n"), "{out}");
    assert!(out.ends_with("GET /old 0\n"), "{out}");
    let out = curl(&["-I", &format!("{base}/head")]);
    assert!(out.contains("Content-Length: 13\r\n"), "{out}");
    // curl's own verdict on a trailer: it prints it with -i when asked for trailers in the
    // output; here it must at least accept the body.
    let out = curl(&["-i", &format!("{base}/chunked-trailer")]);
    assert!(out.contains("Transfer-Encoding: chunked"), "{out}");
    assert!(out.contains("GET /chunked-trailer 0\n"), "{out}");
}

const H11_CLIENT: &str = r#"
import socket, sys, h11
port = int(sys.argv[1])
sock = socket.create_connection(("127.0.0.1", port))
conn = h11.Connection(h11.CLIENT)
results = []
for target, body in [("/one", None), ("/chunked-two", b"hello h11")]:
    headers = [("Host", "127.0.0.1")]
    if body is not None:
        headers.append(("Transfer-Encoding", "chunked"))
    sock.sendall(conn.send(h11.Request(method="POST" if body else "GET", target=target, headers=headers)))
    if body is not None:
        sock.sendall(conn.send(h11.Data(data=body[:5])))
        sock.sendall(conn.send(h11.Data(data=body[5:])))
    sock.sendall(conn.send(h11.EndOfMessage()))
    data = b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(sock.recv(4096))
            continue
        if type(event) is h11.Response:
            status = event.status_code
        elif type(event) is h11.Data:
            data += event.data
        elif type(event) is h11.EndOfMessage:
            trailers = [(k.decode(), v.decode()) for k, v in event.headers]
            break
    results.append((status, data.decode(), trailers))
    conn.start_next_cycle()
for r in results:
    print(r)
"#;

fn python_has_h11() -> bool {
    available("python3", &["-c", "import h11"])
}

#[test]
fn h11_client_against_our_server() {
    if !python_has_h11() {
        return;
    }
    let port = spawn_server();
    let out = Command::new("python3")
        .args(["-c", H11_CLIENT, &port.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "(200, 'GET /one 0\\n', [])\n(200, 'POST /chunked-two 9\\n', [('x-checksum', '42')])\n"
    );
}

/// Runs our client over `stream`: pipelined requests, then every event until all answered.
fn run_client(mut stream: TcpStream, requests: &[(&str, &str, Option<&[u8]>)]) -> Vec<String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut client = ClientConnection::default();
    let host = [Field::new("Host", b"127.0.0.1")];
    for (method, target, body) in requests {
        match body {
            Some(body) => {
                client
                    .send_request(&Request::new(method, target, &host), Body::Streaming)
                    .unwrap();
                client.send_data(body).unwrap();
            }
            None => client
                .send_request(&Request::new(method, target, &host), Body::Empty)
                .unwrap(),
        }
        client.finish().unwrap();
    }
    stream.write_all(client.pending_transmit()).unwrap();
    let mut log = Vec::new();
    let mut buf = [0u8; 4096];
    let mut answered = 0;
    while answered < requests.len() {
        loop {
            match client.poll_event().unwrap() {
                Some(Event::Response(head)) => log.push(format!("status {}", head.status)),
                Some(Event::Data(d)) => log.push(format!("data {}", String::from_utf8_lossy(d))),
                Some(Event::Trailers(t)) => {
                    for f in t.iter() {
                        log.push(format!(
                            "trailer {}: {}",
                            f.name.to_ascii_lowercase(),
                            String::from_utf8_lossy(f.value)
                        ));
                    }
                }
                Some(Event::EndOfMessage) => {
                    log.push("end".into());
                    answered += 1;
                }
                Some(other) => log.push(format!("{other:?}")),
                None => break,
            }
        }
        if answered == requests.len() {
            break;
        }
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            client.handle_eof();
        } else {
            client.handle_input(&buf[..n]);
        }
    }
    // Merge data pieces for a stable comparison.
    let mut merged: Vec<String> = Vec::new();
    for line in log {
        if let (Some(last), Some(rest)) = (merged.last_mut(), line.strip_prefix("data "))
            && last.starts_with("data ")
        {
            last.push_str(rest);
            continue;
        }
        merged.push(line);
    }
    merged
}

const NODE_SERVER: &str = r#"
const http = require('http');
const server = http.createServer((req, res) => {
  let n = 0;
  req.on('data', (d) => { n += d.length; });
  req.on('end', () => {
    const text = `${req.method} ${req.url} ${n}`;
    if (req.url.startsWith('/chunked')) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Trailer': 'X-Sum' });
      res.write(text.slice(0, 4));
      res.write(text.slice(4));
      res.addTrailers({ 'X-Sum': String(n) });
      res.end();
    } else {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    }
  });
});
server.listen(0, '127.0.0.1', () => { console.log(server.address().port); });
setTimeout(() => process.exit(0), 20000);
"#;

#[test]
fn our_client_against_node() {
    if !available("node", &["--version"]) {
        return;
    }
    let mut child = Command::new("node")
        .args(["-e", NODE_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().unwrap();
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let log = run_client(
        stream,
        &[
            ("GET", "/a", None),
            ("HEAD", "/b", None),
            ("POST", "/chunked", Some(b"12345")),
            ("GET", "/d", None),
        ],
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        log,
        [
            "status 200",
            "data GET /a 0",
            "end",
            "status 200",
            "end",
            "status 200",
            "data POST /chunked 5",
            "trailer x-sum: 5",
            "end",
            "status 200",
            "data GET /d 0",
            "end",
        ]
    );
}

const H11_SERVER: &str = r#"
import socket, h11
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
print(listener.getsockname()[1], flush=True)
listener.settimeout(20)
sock, _ = listener.accept()
conn = h11.Connection(h11.SERVER)
while True:
    event = conn.next_event()
    if event is h11.NEED_DATA:
        data = sock.recv(4096)
        conn.receive_data(data)
        if not data:
            break
        continue
    if type(event) is h11.Request:
        target = event.target.decode()
        size = 0
    elif type(event) is h11.Data:
        size += len(event.data)
    elif type(event) is h11.EndOfMessage:
        body = f"{target} {size}".encode()
        if target == "/informational":
            sock.sendall(conn.send(h11.InformationalResponse(status_code=103, headers=[("Link", "</a>")])))
        if target == "/chunked":
            sock.sendall(conn.send(h11.Response(status_code=200, headers=[("Transfer-Encoding", "chunked")])))
            sock.sendall(conn.send(h11.Data(data=body)))
            sock.sendall(conn.send(h11.EndOfMessage(headers=[("X-Done", "yes")])))
        else:
            sock.sendall(conn.send(h11.Response(status_code=200, headers=[("Content-Length", str(len(body)))])))
            sock.sendall(conn.send(h11.Data(data=body)))
            sock.sendall(conn.send(h11.EndOfMessage()))
        if conn.our_state is h11.MUST_CLOSE:
            break
        conn.start_next_cycle()
    elif type(event) is h11.ConnectionClosed:
        break
sock.close()
"#;

#[test]
fn our_client_against_an_h11_server() {
    if !python_has_h11() {
        return;
    }
    let mut child = Command::new("python3")
        .args(["-c", H11_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().unwrap();
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // h11 reads one request at a time but accepts pipelined bytes.
    let log = run_client(
        stream,
        &[
            ("GET", "/informational", None),
            ("POST", "/chunked", Some(b"abc")),
            ("GET", "/last", None),
        ],
    );
    let _ = child.kill();
    child.wait().unwrap();
    assert_eq!(
        log,
        [
            "Informational(ResponseHead { version: Http11, status: 103, reason: [], fields: [(\"Link\", \"</a>\")] })",
            "status 200",
            "data /informational 0",
            "end",
            "status 200",
            "data /chunked 3",
            "trailer x-done: yes",
            "end",
            "status 200",
            "data /last 0",
            "end",
        ]
    );
}
