// The h2spec-equivalent suite's harness and server cases, shared (by `include!`) by
// `h2-proto/tests/h2spec.rs` (the server in-process, and over TCP behind a socket loop),
// `h2-proto/tests/h2spec_client.rs` (the harness in the server role, against our client) and
// `wiretrace/tests/h2spec_serve.rs` (the real `wiretrace serve`). See `h2spec.rs`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::rc::Rc;
use std::time::Duration as StdDuration;

use h2_proto::{Config, Connection, Event, Field, HeadersKind, StreamId};
use qpack_hpack::hpack::{Decoder, DecoderConfig, Encoder, EncoderConfig, IndexingPolicy};
use wire_codec::Instant;

const NOW: Instant = Instant::ZERO;

// Frame types and flags (RFC 9113 §6), as h2spec's Go framer writes them.
const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const PRIORITY: u8 = 0x2;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PUSH_PROMISE: u8 = 0x5;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const WINDOW_UPDATE: u8 = 0x8;
const CONTINUATION: u8 = 0x9;

const END_STREAM: u8 = 0x1;
const ACK: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY_FLAG: u8 = 0x20;

// SETTINGS identifiers (RFC 9113 §6.5.2).
const HEADER_TABLE_SIZE: u16 = 0x1;
const ENABLE_PUSH: u16 = 0x2;
const MAX_CONCURRENT_STREAMS: u16 = 0x3;
const INITIAL_WINDOW_SIZE: u16 = 0x4;
const MAX_FRAME_SIZE: u16 = 0x5;
const MAX_HEADER_LIST_SIZE: u16 = 0x6;

// Error codes (RFC 9113 §7).
const NO_ERROR: u32 = 0x0;
const PROTOCOL_ERROR: u32 = 0x1;
const FLOW_CONTROL_ERROR: u32 = 0x3;
const STREAM_CLOSED: u32 = 0x5;
const FRAME_SIZE_ERROR: u32 = 0x6;
const REFUSED_STREAM: u32 = 0x7;
const CANCEL: u32 = 0x8;
const COMPRESSION_ERROR: u32 = 0x9;

/// h2spec's `DefaultWindowSize` and `DefaultFrameSize`.
const DEFAULT_WINDOW: i64 = 65_535;
const DEFAULT_FRAME_SIZE: usize = 16_384;
/// h2spec's `--max-header-length` default: the value length of its dummy header fields.
const MAX_HEADER_LEN: usize = 4000;
/// The response body of the application behind the server (h2spec skips some flow-control
/// cases when the body is shorter than 5 bytes).
const RESPONSE_BODY: &[u8] = b"hello from h2-proto\n";

type Outcome = Result<(), String>;

// ------------------------------------------------------------------ the server under test

/// How bytes reach the server and come back: in-process or over a socket.
trait Transport {
    /// Bytes the client writes, one write per call (h2spec writes each frame, and sometimes
    /// a frame's header and payload, separately).
    fn write(&mut self, bytes: &[u8]);
    /// What the client reads next.
    fn read(&mut self) -> Read;
}

enum Read {
    Bytes(Vec<u8>),
    /// The server closed the connection.
    Closed,
    /// Nothing more arrives (h2spec: its read timeout).
    Timeout,
}

/// The application behind the server, as `wiretrace serve` answers: a request (once its
/// body, if any, has ended) gets `200`, `content-type`, `content-length` and [`RESPONSE_BODY`]
/// (no body for HEAD), the body offered again whenever the send window grows.
#[derive(Default)]
struct App {
    /// Requests whose body is still arriving: stream → method.
    open: HashMap<StreamId, String>,
    /// Response bodies not yet taken by the send windows.
    unsent: HashMap<StreamId, Vec<u8>>,
}

impl App {
    fn run(&mut self, conn: &mut Connection) {
        while let Some(event) = conn.poll_event() {
            match event {
                Event::Headers {
                    stream,
                    kind: HeadersKind::Request,
                    headers,
                    end_stream,
                } => {
                    let method = headers
                        .iter()
                        .find(|h| h.name == b":method")
                        .map(|h| String::from_utf8_lossy(&h.value).into_owned())
                        .unwrap_or_default();
                    if end_stream {
                        self.respond(conn, stream, &method);
                    } else {
                        self.open.insert(stream, method);
                    }
                }
                Event::Headers {
                    stream,
                    end_stream: true,
                    ..
                }
                | Event::Data {
                    stream,
                    end_stream: true,
                    ..
                } => {
                    if let Some(method) = self.open.remove(&stream) {
                        self.respond(conn, stream, &method);
                    }
                }
                Event::SendCapacity { stream } => self.offer(conn, stream),
                Event::StreamReset { stream, .. } => {
                    self.open.remove(&stream);
                    self.unsent.remove(&stream);
                }
                _ => {}
            }
        }
    }

    fn respond(&mut self, conn: &mut Connection, stream: StreamId, method: &str) {
        let length = RESPONSE_BODY.len().to_string();
        let head_only = method == "HEAD";
        let fields = [
            Field::new(b":status", b"200"),
            Field::new(b"content-type", b"text/plain"),
            Field::new(b"content-length", length.as_bytes()),
        ];
        if conn.send_headers(stream, fields, head_only).is_ok() && !head_only {
            self.unsent.insert(stream, RESPONSE_BODY.to_vec());
            self.offer(conn, stream);
        }
    }

    fn offer(&mut self, conn: &mut Connection, stream: StreamId) {
        let Some(body) = self.unsent.get_mut(&stream) else {
            return;
        };
        match conn.send_data(stream, body, true) {
            Ok(taken) if taken == body.len() => {
                self.unsent.remove(&stream);
            }
            Ok(taken) => {
                body.drain(..taken);
            }
            Err(_) => {
                self.unsent.remove(&stream);
            }
        }
    }
}

/// `Connection::server` with default settings, fed each client write as one `handle_input`
/// (or in `chunk`-byte pieces; or, with `chunk` 0, all writes since the last read as one
/// `handle_input`, as a busy socket coalesces them), its application run after every call. "Closed" is what the IO layer does once
/// `is_finished` (a connection error's GOAWAY transmitted); "timeout" is no more output.
struct InProcess {
    conn: Connection,
    app: App,
    /// Each write is fed in `handle_input` calls of at most this many bytes; 0: coalesced.
    chunk: usize,
    /// Coalesced writes not yet fed.
    pending: Vec<u8>,
}

impl InProcess {
    fn new(chunk: usize, config: Config) -> Self {
        Self {
            conn: Connection::server(config, NOW),
            app: App::default(),
            chunk,
            pending: Vec::new(),
        }
    }
}

impl Transport for InProcess {
    fn write(&mut self, bytes: &[u8]) {
        if self.chunk == 0 {
            self.pending.extend_from_slice(bytes);
            return;
        }
        let app = &mut self.app;
        feed(&mut self.conn, bytes, self.chunk, |conn| app.run(conn));
    }

    fn read(&mut self) -> Read {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            let app = &mut self.app;
            feed(&mut self.conn, &pending, usize::MAX, |conn| app.run(conn));
        }
        transmitted(&mut self.conn)
    }
}

/// Feeds a peer's write to `conn` in `handle_input` calls of at most `chunk` bytes, calling
/// `after` after each.
fn feed(conn: &mut Connection, bytes: &[u8], chunk: usize, mut after: impl FnMut(&mut Connection)) {
    for piece in bytes.chunks(chunk) {
        // A connection error is sticky and its GOAWAY queued; the peer reads it next.
        let _ = conn.handle_input(piece, NOW);
        after(conn);
    }
}

/// What the peer reads from `conn`: everything it has queued; else, once `is_finished`, a
/// closed connection; else a timeout.
fn transmitted(conn: &mut Connection) -> Read {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = conn.poll_transmit(NOW, &mut buf);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    if !out.is_empty() {
        Read::Bytes(out)
    } else if conn.is_finished() {
        Read::Closed
    } else {
        Read::Timeout
    }
}

/// A loopback socket to a server thread.
struct Tcp {
    socket: TcpStream,
}

impl Transport for Tcp {
    fn write(&mut self, bytes: &[u8]) {
        // The server may have closed already; h2spec ignores write errors too.
        let _ = self.socket.write_all(bytes);
    }

    fn read(&mut self) -> Read {
        let mut buf = vec![0u8; 64 * 1024];
        match self.socket.read(&mut buf) {
            Ok(0) => Read::Closed,
            Ok(n) => Read::Bytes(buf[..n].to_vec()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Read::Timeout
            }
            Err(_) => Read::Closed, // ECONNRESET counts as closed for h2spec
        }
    }
}

/// Where the server under test is; opens client connections to it (h2spec dials once per
/// case, plus once more to measure the response body for the flow-control cases). Every
/// connection logs into `log`, shown when a case fails.
struct Target {
    /// `None`: in-process; `Some(port)`: a loopback socket.
    port: Option<u16>,
    /// In-process: the largest `handle_input` call a client write is split into; 0: writes
    /// coalesced until the client reads.
    chunk: usize,
    /// In-process: the server's configuration.
    config: Config,
    log: Rc<RefCell<Vec<String>>>,
}

impl Target {
    fn in_process() -> Self {
        Self::in_process_split(usize::MAX)
    }

    /// In-process, every client write fed in pieces of `chunk` bytes (partial frames), or
    /// with `chunk` 0 all writes between two reads in one piece.
    fn in_process_split(chunk: usize) -> Self {
        Self {
            port: None,
            chunk,
            config: Config::default(),
            log: Rc::default(),
        }
    }

    fn tcp(port: u16) -> Self {
        Self {
            port: Some(port),
            chunk: usize::MAX,
            config: Config::default(),
            log: Rc::default(),
        }
    }

    fn connect(&self) -> Client {
        let Some(port) = self.port else {
            let server = InProcess::new(self.chunk, self.config);
            return Client::new(Box::new(server), "127.0.0.1", self.log.clone());
        };
        let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
        socket.set_nodelay(true).unwrap();
        // h2spec waits 2 s by default; the server here answers within milliseconds, and a
        // timeout only ever decides a failing case.
        socket
            .set_read_timeout(Some(StdDuration::from_millis(500)))
            .unwrap();
        Client::new(
            Box::new(Tcp { socket }),
            &format!("127.0.0.1:{port}"),
            self.log.clone(),
        )
    }
}

// ------------------------------------------------------------------ h2spec's client

/// A frame received from the server.
#[derive(Clone, Debug)]
struct Frame {
    kind: u8,
    flags: u8,
    stream: u32,
    payload: Vec<u8>,
    /// For HEADERS (or the CONTINUATION that ends its block): the decoded fields.
    fields: Option<Vec<(String, String)>>,
}

impl Frame {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn u32_at(&self, at: usize) -> u32 {
        self.payload
            .get(at..at + 4)
            .map_or(u32::MAX, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The error code of RST_STREAM or GOAWAY.
    fn error_code(&self) -> u32 {
        match self.kind {
            RST_STREAM => self.u32_at(0),
            GOAWAY => self.u32_at(4),
            _ => u32::MAX,
        }
    }

    fn describe(&self) -> String {
        let name = h2_proto::frame::kind::name(self.kind);
        let mut s = format!(
            "{name} (length:{}, flags:0x{:02x}, stream_id:{})",
            self.payload.len(),
            self.flags,
            self.stream
        );
        if matches!(self.kind, RST_STREAM | GOAWAY) {
            s += &format!(" error_code:{}", error_name(self.error_code()));
        }
        if let Some(fields) = &self.fields {
            s += &format!(" {fields:?}");
        }
        s
    }
}

fn error_name(code: u32) -> String {
    h2_proto::ErrorCode(code)
        .name()
        .map_or_else(|| format!("0x{code:x}"), str::to_owned)
}

#[derive(Clone, Debug)]
enum Ev {
    Frame(Frame),
    Closed,
    Timeout,
}

impl Ev {
    fn describe(&self) -> String {
        match self {
            Ev::Frame(f) => f.describe(),
            Ev::Closed => "connection closed".into(),
            Ev::Timeout => "timeout".into(),
        }
    }
}

/// The parameters of a HEADERS frame (Go's `http2.HeadersFrameParam`).
#[derive(Default)]
struct Headers {
    stream: u32,
    end_stream: bool,
    end_headers: bool,
    block: Vec<u8>,
    pad_length: u8,
    /// (dependency, exclusive, weight); all zero means no PRIORITY flag, as in Go.
    priority: (u32, bool, u8),
}

/// h2spec's `spec.Conn` over a [`Transport`]: frame writers (Go's framer with illegal writes
/// allowed), an HPACK encoder keeping its dynamic table across blocks, a decoder for the
/// server's blocks, window bookkeeping that answers DATA with WINDOW_UPDATE like h2spec's,
/// and a log of everything for failure messages.
struct Client {
    transport: Box<dyn Transport>,
    authority: String,
    inbuf: Vec<u8>,
    /// Set once the transport closed or timed out: every later read gives it again.
    ended: Option<Ev>,
    encoder: Encoder,
    decoder: Decoder,
    /// The block of a HEADERS frame from the server awaiting its CONTINUATION.
    partial_block: Vec<u8>,
    /// The server's SETTINGS.
    settings: HashMap<u16, u32>,
    windows: HashMap<u32, i64>,
    log: Rc<RefCell<Vec<String>>>,
}

impl Client {
    fn new(transport: Box<dyn Transport>, authority: &str, log: Rc<RefCell<Vec<String>>>) -> Self {
        log.borrow_mut()
            .push(format!("-- new connection to {authority}"));
        Self {
            transport,
            authority: authority.to_owned(),
            inbuf: Vec::new(),
            ended: None,
            encoder: Encoder::new(EncoderConfig::default().with_indexing(IndexingPolicy::All)),
            decoder: Decoder::new(DecoderConfig::default()),
            partial_block: Vec::new(),
            settings: HashMap::new(),
            windows: HashMap::from([(0, DEFAULT_WINDOW)]),
            log,
        }
    }

    // ---- writing

    fn send(&mut self, bytes: &[u8]) {
        self.log
            .borrow_mut()
            .push(format!("[send] {} raw bytes", bytes.len()));
        self.transport.write(bytes);
    }

    fn write_frame(&mut self, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
        let len = payload.len() as u32;
        let mut bytes = Vec::with_capacity(9 + payload.len());
        bytes.extend_from_slice(&len.to_be_bytes()[1..]);
        bytes.push(kind);
        bytes.push(flags);
        bytes.extend_from_slice(&stream.to_be_bytes());
        bytes.extend_from_slice(payload);
        let frame = Frame {
            kind,
            flags,
            stream,
            payload: payload.to_vec(),
            fields: None,
        };
        self.log
            .borrow_mut()
            .push(format!("[send] {}", frame.describe()));
        self.transport.write(&bytes);
    }

    fn write_data(&mut self, stream: u32, end_stream: bool, data: &[u8]) {
        let flags = if end_stream { END_STREAM } else { 0 };
        self.write_frame(DATA, flags, stream, data);
    }

    fn write_data_padded(&mut self, stream: u32, end_stream: bool, data: &[u8], pad: &[u8]) {
        let flags = PADDED | if end_stream { END_STREAM } else { 0 };
        let payload = [&[pad.len() as u8][..], data, pad].concat();
        self.write_frame(DATA, flags, stream, &payload);
    }

    fn write_headers(&mut self, p: Headers) {
        let mut flags = 0;
        let mut payload = Vec::new();
        if p.end_stream {
            flags |= END_STREAM;
        }
        if p.end_headers {
            flags |= END_HEADERS;
        }
        if p.pad_length != 0 {
            flags |= PADDED;
            payload.push(p.pad_length);
        }
        let (dependency, exclusive, weight) = p.priority;
        if p.priority != (0, false, 0) {
            flags |= PRIORITY_FLAG;
            let word = dependency | if exclusive { 0x8000_0000 } else { 0 };
            payload.extend_from_slice(&word.to_be_bytes());
            payload.push(weight);
        }
        payload.extend_from_slice(&p.block);
        payload.resize(payload.len() + usize::from(p.pad_length), 0);
        self.write_frame(HEADERS, flags, p.stream, &payload);
    }

    /// HEADERS with the common request fields, END_HEADERS set.
    fn write_request(&mut self, stream: u32, method: &str, end_stream: bool) {
        let mut headers = self.common_headers();
        headers[0].1 = method.to_owned();
        let block = self.encode_headers(&headers);
        self.write_headers(Headers {
            stream,
            end_stream,
            end_headers: true,
            block,
            ..Headers::default()
        });
    }

    fn write_priority(&mut self, stream: u32, dependency: u32, exclusive: bool, weight: u8) {
        let word = dependency | if exclusive { 0x8000_0000 } else { 0 };
        let payload = [&word.to_be_bytes()[..], &[weight]].concat();
        self.write_frame(PRIORITY, 0, stream, &payload);
    }

    fn write_rst_stream(&mut self, stream: u32, code: u32) {
        self.write_frame(RST_STREAM, 0, stream, &code.to_be_bytes());
    }

    fn write_settings(&mut self, settings: &[(u16, u32)]) {
        let payload: Vec<u8> = settings
            .iter()
            .flat_map(|(id, value)| [&id.to_be_bytes()[..], &value.to_be_bytes()].concat())
            .collect();
        self.write_frame(SETTINGS, 0, 0, &payload);
    }

    fn write_settings_ack(&mut self) {
        self.write_frame(SETTINGS, ACK, 0, &[]);
    }

    fn write_push_promise(&mut self, stream: u32, promised: u32, end_headers: bool, block: &[u8]) {
        let flags = if end_headers { END_HEADERS } else { 0 };
        let payload = [&promised.to_be_bytes()[..], block].concat();
        self.write_frame(PUSH_PROMISE, flags, stream, &payload);
    }

    fn write_ping(&mut self, ack: bool, data: [u8; 8]) {
        self.write_frame(PING, if ack { ACK } else { 0 }, 0, &data);
    }

    fn write_goaway(&mut self, last_stream: u32, code: u32, debug: &[u8]) {
        let payload = [&last_stream.to_be_bytes()[..], &code.to_be_bytes(), debug].concat();
        self.write_frame(GOAWAY, 0, 0, &payload);
    }

    fn write_window_update(&mut self, stream: u32, increment: u32) {
        self.write_frame(WINDOW_UPDATE, 0, stream, &increment.to_be_bytes());
    }

    fn write_continuation(&mut self, stream: u32, end_headers: bool, block: &[u8]) {
        let flags = if end_headers { END_HEADERS } else { 0 };
        self.write_frame(CONTINUATION, flags, stream, block);
    }

    // ---- header blocks

    /// h2spec's `CommonHeaders`: `:method GET`, `:scheme http`, `:path /`, `:authority`.
    fn common_headers(&self) -> Vec<(String, String)> {
        [
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", self.authority.as_str()),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .to_vec()
    }

    /// Encodes with the connection's HPACK context (indexing every literal, Huffman when
    /// shorter, like Go's encoder).
    fn encode_headers(&mut self, headers: &[(String, String)]) -> Vec<u8> {
        let mut block = Vec::new();
        self.encoder.encode(
            headers
                .iter()
                .map(|(n, v)| Field::new(n.as_bytes(), v.as_bytes())),
            &mut block,
        );
        block
    }

    /// Go's `SetMaxDynamicTableSize`: the next block starts with a size update.
    fn set_max_dynamic_table_size(&mut self, size: usize) {
        self.encoder.set_peer_max_table_size(size);
    }

    fn max_frame_size(&self) -> usize {
        self.settings
            .get(&MAX_FRAME_SIZE)
            .map_or(DEFAULT_FRAME_SIZE, |v| *v as usize)
    }

    // ---- reading

    /// The next event (h2spec's `WaitEvent`); a read timeout or close ends the connection
    /// for the client. DATA is answered with WINDOW_UPDATE when a window runs out.
    fn wait_event(&mut self) -> Ev {
        loop {
            if let Some(frame) = self.take_frame() {
                self.log
                    .borrow_mut()
                    .push(format!("[recv] {}", frame.describe()));
                if frame.kind == DATA {
                    self.update_windows(frame.stream, frame.payload.len() as i64);
                }
                return Ev::Frame(frame);
            }
            if let Some(end) = &self.ended {
                return end.clone();
            }
            match self.transport.read() {
                Read::Bytes(bytes) => self.inbuf.extend_from_slice(&bytes),
                Read::Closed => {
                    self.ended = Some(Ev::Closed);
                    self.log
                        .borrow_mut()
                        .push("[recv] connection closed".into());
                    return Ev::Closed;
                }
                Read::Timeout => {
                    self.ended = Some(Ev::Timeout);
                    self.log.borrow_mut().push("[recv] timeout".into());
                    return Ev::Timeout;
                }
            }
        }
    }

    fn take_frame(&mut self) -> Option<Frame> {
        if self.inbuf.len() < 9 {
            return None;
        }
        let b = &self.inbuf;
        let len = u32::from_be_bytes([0, b[0], b[1], b[2]]) as usize;
        if b.len() < 9 + len {
            return None;
        }
        let mut frame = Frame {
            kind: b[3],
            flags: b[4],
            stream: u32::from_be_bytes([b[5], b[6], b[7], b[8]]) & 0x7fff_ffff,
            payload: b[9..9 + len].to_vec(),
            fields: None,
        };
        self.inbuf.drain(..9 + len);
        if matches!(frame.kind, HEADERS | CONTINUATION) {
            let mut fragment = &frame.payload[..];
            if frame.kind == HEADERS {
                if frame.has(PADDED) {
                    let pad = usize::from(fragment[0]);
                    fragment = &fragment[1..fragment.len() - pad];
                }
                if frame.has(PRIORITY_FLAG) {
                    fragment = &fragment[5..];
                }
            }
            self.partial_block.extend_from_slice(fragment);
            if frame.has(END_HEADERS) {
                let block = std::mem::take(&mut self.partial_block);
                let fields = self
                    .decoder
                    .decode_to_vec(&block)
                    .unwrap_or_else(|e| panic!("the server's header block does not decode: {e}"));
                frame.fields = Some(
                    fields
                        .iter()
                        .map(|h| {
                            (
                                String::from_utf8_lossy(&h.name).into_owned(),
                                String::from_utf8_lossy(&h.value).into_owned(),
                            )
                        })
                        .collect(),
                );
            }
        }
        Some(frame)
    }

    /// h2spec's `updateWindowSize`.
    fn update_windows(&mut self, stream: u32, len: i64) {
        for id in [stream, 0] {
            let window = self.windows.entry(id).or_insert(DEFAULT_WINDOW);
            *window -= len;
            if *window <= 0 {
                let increment = DEFAULT_WINDOW - *window;
                *window += increment;
                self.write_window_update(id, increment as u32);
            }
        }
    }

    /// h2spec's `WaitEventByType`: the first frame of `kind`, others skipped.
    fn wait_event_by_type(&mut self, kind: u8) -> Result<Frame, String> {
        loop {
            match self.wait_event() {
                Ev::Frame(f) if f.kind == kind => return Ok(f),
                Ev::Frame(_) => {}
                other => return Err(format!("no frame of type 0x{kind:x}: {}", other.describe())),
            }
        }
    }

    /// Client connection preface, SETTINGS (INITIAL_WINDOW_SIZE 65535), then frames until
    /// the server's SETTINGS (acknowledged) and the ACK of ours have both arrived.
    fn handshake(&mut self) -> Outcome {
        self.send(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        self.write_settings(&[(INITIAL_WINDOW_SIZE, DEFAULT_WINDOW as u32)]);
        let (mut local, mut remote) = (false, false);
        while !(local && remote) {
            match self.wait_event() {
                Ev::Frame(f) if f.kind == SETTINGS && f.has(ACK) => local = true,
                Ev::Frame(f) if f.kind == SETTINGS => {
                    remote = true;
                    for pair in f.payload.chunks_exact(6) {
                        let id = u16::from_be_bytes([pair[0], pair[1]]);
                        let value = u32::from_be_bytes([pair[2], pair[3], pair[4], pair[5]]);
                        self.settings.insert(id, value);
                    }
                    self.write_settings_ack();
                }
                Ev::Frame(_) => {}
                other => return Err(format!("handshake failed: {}", other.describe())),
            }
        }
        Ok(())
    }

    // ---- verifiers (h2spec's spec/verifier.go)

    /// A connection error: GOAWAY with one of `codes`, then the connection closes (RFC 9113
    /// §5.4.1). h2spec also passes a plain close, or a close after a GOAWAY with another code,
    /// and does not wait for the close after the GOAWAY; we do.
    fn verify_connection_error(&mut self, codes: &[u32]) -> Outcome {
        loop {
            match self.wait_event() {
                Ev::Frame(f) if f.kind == GOAWAY => {
                    check_code(&f, codes, "GOAWAY")?;
                    return self.verify_connection_close();
                }
                Ev::Frame(_) => {}
                other => {
                    return Err(format!(
                        "expected GOAWAY ({}), got {}",
                        names(codes),
                        other.describe()
                    ));
                }
            }
        }
    }

    /// A stream error: RST_STREAM (or GOAWAY) with one of `codes`. RST_STREAM NO_ERROR (a
    /// server ending a stream after its response) is skipped; h2spec also passes a close.
    fn verify_stream_error(&mut self, codes: &[u32]) -> Outcome {
        loop {
            match self.wait_event() {
                Ev::Frame(f) if f.kind == RST_STREAM && f.error_code() == NO_ERROR => {}
                Ev::Frame(f) if f.kind == RST_STREAM => return check_code(&f, codes, "RST_STREAM"),
                Ev::Frame(f) if f.kind == GOAWAY => return check_code(&f, codes, "GOAWAY"),
                Ev::Frame(_) => {}
                other => {
                    return Err(format!(
                        "expected RST_STREAM or GOAWAY ({}), got {}",
                        names(codes),
                        other.describe()
                    ));
                }
            }
        }
    }

    /// The connection closes (after whatever frames).
    fn verify_connection_close(&mut self) -> Outcome {
        loop {
            match self.wait_event() {
                Ev::Closed => return Ok(()),
                Ev::Frame(_) => {}
                Ev::Timeout => return Err("expected the connection to close, got timeout".into()),
            }
        }
    }

    /// The stream ends: DATA or HEADERS with END_STREAM, or RST_STREAM NO_ERROR.
    fn verify_stream_close(&mut self) -> Outcome {
        loop {
            match self.wait_event() {
                Ev::Frame(f) if matches!(f.kind, DATA | HEADERS) && f.has(END_STREAM) => {
                    return Ok(());
                }
                Ev::Frame(f) if f.kind == RST_STREAM && f.error_code() == NO_ERROR => {
                    return Ok(());
                }
                Ev::Frame(_) => {}
                other => {
                    return Err(format!(
                        "expected the stream to close, got {}",
                        other.describe()
                    ));
                }
            }
        }
    }

    /// The first HEADERS frame is on `stream`; we also require it to be a response.
    fn verify_headers_frame(&mut self, stream: u32) -> Outcome {
        let f = self.wait_event_by_type(HEADERS)?;
        if f.stream != stream {
            return Err(format!(
                "expected HEADERS on stream {stream}, got {}",
                f.describe()
            ));
        }
        let is_response = f
            .fields
            .as_ref()
            .is_some_and(|fields| fields.first().is_some_and(|(n, _)| n == ":status"));
        if !is_response {
            return Err(format!("expected a response HEADERS, got {}", f.describe()));
        }
        Ok(())
    }

    /// The first SETTINGS frame is an ACK.
    fn verify_settings_ack(&mut self) -> Outcome {
        let f = self.wait_event_by_type(SETTINGS)?;
        if f.has(ACK) && f.payload.is_empty() {
            Ok(())
        } else {
            Err(format!("expected SETTINGS with ACK, got {}", f.describe()))
        }
    }

    /// The first PING frame is an ACK carrying `data`.
    fn verify_ping_ack(&mut self, data: [u8; 8]) -> Outcome {
        let f = self.wait_event_by_type(PING)?;
        if f.has(ACK) && f.payload == data {
            Ok(())
        } else {
            Err(format!(
                "expected PING ACK with {data:?}, got {} {:?}",
                f.describe(),
                f.payload
            ))
        }
    }

    /// A PING ACK carrying `data`, or the connection closes.
    fn verify_ping_ack_or_close(&mut self, data: [u8; 8]) -> Outcome {
        loop {
            match self.wait_event() {
                Ev::Closed => return Ok(()),
                Ev::Frame(f) if f.kind == PING && f.has(ACK) && f.payload == data => return Ok(()),
                Ev::Frame(_) => {}
                Ev::Timeout => return Err("expected PING ACK or close, got timeout".into()),
            }
        }
    }

    /// Some frame of `kind` arrives.
    fn verify_event_type(&mut self, kind: u8) -> Outcome {
        self.wait_event_by_type(kind).map(|_| ())
    }

    /// The first DATA frame has exactly `len` bytes (the flow-control cases).
    fn verify_data_length(&mut self, stream: u32, len: usize) -> Outcome {
        let f = self.wait_event_by_type(DATA)?;
        if f.stream == stream && f.payload.len() == len {
            Ok(())
        } else {
            Err(format!(
                "expected DATA (length:{len}, stream_id:{stream}), got {}",
                f.describe()
            ))
        }
    }
}

fn check_code(f: &Frame, codes: &[u32], what: &str) -> Outcome {
    if codes.contains(&f.error_code()) {
        Ok(())
    } else {
        Err(format!(
            "expected {what} with {}, got {}",
            names(codes),
            f.describe()
        ))
    }
}

fn names(codes: &[u32]) -> String {
    codes
        .iter()
        .map(|&c| error_name(c))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// h2spec's `DummyHeaders`: `x-dummy<i>` with [`MAX_HEADER_LEN`] × `x`.
fn dummy_headers(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("x-dummy{i}"), "x".repeat(MAX_HEADER_LEN)))
        .collect()
}

fn field(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// h2spec's `ServerDataLength`: the response body length of `GET /` on a fresh connection.
fn server_data_length(target: &Target) -> Result<usize, String> {
    let mut c = target.connect();
    c.handshake()?;
    c.write_request(1, "GET", true);
    let mut len = 0;
    loop {
        match c.wait_event() {
            Ev::Frame(f) if f.kind == DATA => {
                len += f.payload.len();
                if f.has(END_STREAM) {
                    return Ok(len);
                }
            }
            Ev::Frame(f) if f.kind == HEADERS && f.has(END_STREAM) => return Ok(len),
            Ev::Frame(_) => {}
            other => {
                return Err(format!(
                    "unable to get server data length: {}",
                    other.describe()
                ));
            }
        }
    }
}

// ------------------------------------------------------------------ the cases

/// One h2spec case: its id, whether h2spec runs it only with `--strict`, and its body.
struct Case {
    id: &'static str,
    strict: bool,
    run: fn(&Target) -> Outcome,
}

/// Runs a case; a failure shows the id, the reason and the frame log.
/// With `H2SPEC_TRACE` set, every case's frame log is printed (`--nocapture`).
fn check(target: &Target, case: &Case) -> Outcome {
    target.log.borrow_mut().clear();
    let outcome = (case.run)(target);
    if std::env::var_os("H2SPEC_TRACE").is_some() {
        println!(
            "== {} {:?}\n{}",
            case.id,
            outcome,
            target.log.borrow().join("\n")
        );
    }
    outcome.map_err(|reason| {
        format!(
            "h2spec {} failed: {reason}\n{}",
            case.id,
            target.log.borrow().join("\n")
        )
    })
}

/// Calls `$then!` with every case: `<test name> = "<h2spec id>"` (`, strict` for the case
/// h2spec runs only with `--strict`). `<group>_<section>__<n>` is h2spec's
/// `<group>/<section>/<n>`.
macro_rules! for_each_case {
    ($then:ident) => {
        $then! {

        generic_1__1 = "generic/1/1";
        generic_2__1 = "generic/2/1";
        generic_2__2 = "generic/2/2";
        generic_2__3 = "generic/2/3";
        generic_2__4 = "generic/2/4";
        generic_2__5 = "generic/2/5";
        generic_3_1__1 = "generic/3.1/1";
        generic_3_1__2 = "generic/3.1/2";
        generic_3_1__3 = "generic/3.1/3";
        generic_3_2__1 = "generic/3.2/1";
        generic_3_2__2 = "generic/3.2/2";
        generic_3_2__3 = "generic/3.2/3";
        generic_3_3__1 = "generic/3.3/1";
        generic_3_3__2 = "generic/3.3/2";
        generic_3_3__3 = "generic/3.3/3";
        generic_3_3__4 = "generic/3.3/4";
        generic_3_3__5 = "generic/3.3/5";
        generic_3_4__1 = "generic/3.4/1";
        generic_3_5__1 = "generic/3.5/1";
        generic_3_7__1 = "generic/3.7/1";
        generic_3_8__1 = "generic/3.8/1";
        generic_3_9__1 = "generic/3.9/1";
        generic_3_9__2 = "generic/3.9/2";
        generic_3_10__1 = "generic/3.10/1";
        generic_3_10__2 = "generic/3.10/2";
        generic_4__1 = "generic/4/1";
        generic_4__2 = "generic/4/2";
        generic_4__3 = "generic/4/3";
        generic_4__4 = "generic/4/4";
        generic_5__1 = "generic/5/1";
        generic_5__2 = "generic/5/2";
        generic_5__3 = "generic/5/3";
        generic_5__4 = "generic/5/4";
        generic_5__5 = "generic/5/5";
        generic_5__6 = "generic/5/6";
        generic_5__7 = "generic/5/7";
        generic_5__8 = "generic/5/8";
        generic_5__9 = "generic/5/9";
        generic_5__10 = "generic/5/10";
        generic_5__11 = "generic/5/11";
        generic_5__12 = "generic/5/12";
        generic_5__13 = "generic/5/13";
        generic_5__14 = "generic/5/14";
        generic_5__15 = "generic/5/15";
        http2_3_5__1 = "http2/3.5/1";
        http2_3_5__2 = "http2/3.5/2";
        http2_4_1__1 = "http2/4.1/1";
        http2_4_1__2 = "http2/4.1/2";
        http2_4_1__3 = "http2/4.1/3";
        http2_4_2__1 = "http2/4.2/1";
        http2_4_2__2 = "http2/4.2/2";
        http2_4_2__3 = "http2/4.2/3";
        http2_4_3__1 = "http2/4.3/1";
        http2_4_3__2 = "http2/4.3/2";
        http2_4_3__3 = "http2/4.3/3";
        http2_5_1__1 = "http2/5.1/1";
        http2_5_1__2 = "http2/5.1/2";
        http2_5_1__3 = "http2/5.1/3";
        http2_5_1__4 = "http2/5.1/4";
        http2_5_1__5 = "http2/5.1/5";
        http2_5_1__6 = "http2/5.1/6";
        http2_5_1__7 = "http2/5.1/7";
        http2_5_1__8 = "http2/5.1/8";
        http2_5_1__9 = "http2/5.1/9";
        http2_5_1__10 = "http2/5.1/10";
        http2_5_1__11 = "http2/5.1/11";
        http2_5_1__12 = "http2/5.1/12";
        http2_5_1__13 = "http2/5.1/13";
        http2_5_1_1__1 = "http2/5.1.1/1";
        http2_5_1_1__2 = "http2/5.1.1/2";
        http2_5_1_2__1 = "http2/5.1.2/1";
        http2_5_3_1__1 = "http2/5.3.1/1";
        http2_5_3_1__2 = "http2/5.3.1/2";
        http2_5_4_1__1 = "http2/5.4.1/1";
        http2_5_4_1__2 = "http2/5.4.1/2", strict;
        http2_5_5__1 = "http2/5.5/1";
        http2_5_5__2 = "http2/5.5/2";
        http2_6_1__1 = "http2/6.1/1";
        http2_6_1__2 = "http2/6.1/2";
        http2_6_1__3 = "http2/6.1/3";
        http2_6_2__1 = "http2/6.2/1";
        http2_6_2__2 = "http2/6.2/2";
        http2_6_2__3 = "http2/6.2/3";
        http2_6_2__4 = "http2/6.2/4";
        http2_6_3__1 = "http2/6.3/1";
        http2_6_3__2 = "http2/6.3/2";
        http2_6_4__1 = "http2/6.4/1";
        http2_6_4__2 = "http2/6.4/2";
        http2_6_4__3 = "http2/6.4/3";
        http2_6_5__1 = "http2/6.5/1";
        http2_6_5__2 = "http2/6.5/2";
        http2_6_5__3 = "http2/6.5/3";
        http2_6_5_2__1 = "http2/6.5.2/1";
        http2_6_5_2__2 = "http2/6.5.2/2";
        http2_6_5_2__3 = "http2/6.5.2/3";
        http2_6_5_2__4 = "http2/6.5.2/4";
        http2_6_5_2__5 = "http2/6.5.2/5";
        http2_6_5_3__1 = "http2/6.5.3/1";
        http2_6_5_3__2 = "http2/6.5.3/2";
        http2_6_7__1 = "http2/6.7/1";
        http2_6_7__2 = "http2/6.7/2";
        http2_6_7__3 = "http2/6.7/3";
        http2_6_7__4 = "http2/6.7/4";
        http2_6_8__1 = "http2/6.8/1";
        http2_6_9__1 = "http2/6.9/1";
        http2_6_9__2 = "http2/6.9/2";
        http2_6_9__3 = "http2/6.9/3";
        http2_6_9_1__1 = "http2/6.9.1/1";
        http2_6_9_1__2 = "http2/6.9.1/2";
        http2_6_9_1__3 = "http2/6.9.1/3";
        http2_6_9_2__1 = "http2/6.9.2/1";
        http2_6_9_2__2 = "http2/6.9.2/2";
        http2_6_9_2__3 = "http2/6.9.2/3";
        http2_6_10__1 = "http2/6.10/1";
        http2_6_10__2 = "http2/6.10/2";
        http2_6_10__3 = "http2/6.10/3";
        http2_6_10__4 = "http2/6.10/4";
        http2_6_10__5 = "http2/6.10/5";
        http2_6_10__6 = "http2/6.10/6";
        http2_7__1 = "http2/7/1";
        http2_7__2 = "http2/7/2";
        http2_8_1__1 = "http2/8.1/1";
        http2_8_1_2__1 = "http2/8.1.2/1";
        http2_8_1_2_1__1 = "http2/8.1.2.1/1";
        http2_8_1_2_1__2 = "http2/8.1.2.1/2";
        http2_8_1_2_1__3 = "http2/8.1.2.1/3";
        http2_8_1_2_1__4 = "http2/8.1.2.1/4";
        http2_8_1_2_2__1 = "http2/8.1.2.2/1";
        http2_8_1_2_2__2 = "http2/8.1.2.2/2";
        http2_8_1_2_3__1 = "http2/8.1.2.3/1";
        http2_8_1_2_3__2 = "http2/8.1.2.3/2";
        http2_8_1_2_3__3 = "http2/8.1.2.3/3";
        http2_8_1_2_3__4 = "http2/8.1.2.3/4";
        http2_8_1_2_3__5 = "http2/8.1.2.3/5";
        http2_8_1_2_3__6 = "http2/8.1.2.3/6";
        http2_8_1_2_3__7 = "http2/8.1.2.3/7";
        http2_8_1_2_6__1 = "http2/8.1.2.6/1";
        http2_8_1_2_6__2 = "http2/8.1.2.6/2";
        http2_8_2__1 = "http2/8.2/1";
        hpack_2_3_3__1 = "hpack/2.3.3/1";
        hpack_2_3_3__2 = "hpack/2.3.3/2";
        hpack_4_2__1 = "hpack/4.2/1";
        hpack_5_2__1 = "hpack/5.2/1";
        hpack_5_2__2 = "hpack/5.2/2";
        hpack_5_2__3 = "hpack/5.2/3";
        hpack_6_1__1 = "hpack/6.1/1";
        hpack_6_3__1 = "hpack/6.3/1";
        }
    };
}

/// Builds [`CASES`] from the list.
macro_rules! case_table {
    ($($name:ident = $id:literal $(, $strict:ident)?;)*) => {
        /// Every h2spec server case, in h2spec's order.
        const CASES: &[Case] = &[
            $(Case { id: $id, strict: case_table!(@strict $($strict)?), run: cases::$name },)*
        ];
    };
    (@strict strict) => { true };
    (@strict) => { false };
}

for_each_case!(case_table);

/// The case bodies, in h2spec's order. Each comment gives h2spec's description.
#[allow(non_snake_case)]
mod cases {
    use super::*;

    /// HEADERS on stream 1 carrying the common request fields followed by `rep` (the hpack
    /// and generic/5 cases append one representation to the common block).
    fn request_with(c: &mut Client, prefix: &[u8], rep: &[u8]) {
        let headers = c.common_headers();
        let block = [prefix, &c.encode_headers(&headers), rep].concat();
        c.write_headers(Headers {
            stream: 1,
            end_stream: true,
            end_headers: true,
            block,
            ..Headers::default()
        });
    }

    /// HEADERS on stream 1: the common fields with `edit` applied, END_HEADERS set.
    fn request_edited(
        c: &mut Client,
        end_stream: bool,
        edit: impl FnOnce(&mut Vec<(String, String)>),
    ) {
        let mut headers = c.common_headers();
        edit(&mut headers);
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 1,
            end_stream,
            end_headers: true,
            block,
            ..Headers::default()
        });
    }

    /// A raw frame header, then its payload, in two writes (h2spec's `conn.Send` pairs).
    fn send_raw(c: &mut Client, header: &[u8], payload: &[u8]) {
        c.send(header);
        c.send(payload);
    }

    fn connected(t: &Target) -> Result<Client, String> {
        let mut c = t.connect();
        c.handshake()?;
        Ok(c)
    }

    const H2SPEC: [u8; 8] = *b"h2spec\0\0";

    // ------------------------------------------------------------ generic

    /// Sends a client connection preface: the server's first frame is SETTINGS (not an ACK).
    pub fn generic_1__1(t: &Target) -> Outcome {
        let mut c = t.connect();
        c.send(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        c.write_settings(&[(INITIAL_WINDOW_SIZE, DEFAULT_WINDOW as u32)]);
        match c.wait_event() {
            Ev::Frame(f) if f.kind == SETTINGS && !f.has(ACK) => Ok(()),
            other => Err(format!(
                "expected SETTINGS (flags:0x00), got {}",
                other.describe()
            )),
        }
    }

    /// Sends a PRIORITY frame on idle stream: accepted (PING still answered).
    pub fn generic_2__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_priority(1, 0, false, 255);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// Sends a WINDOW_UPDATE frame on half-closed (remote) stream: accepted, and the 1-byte
    /// window it opens carries DATA.
    pub fn generic_2__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 0)]);
        c.write_request(1, "GET", true);
        c.write_window_update(1, 1);
        c.verify_event_type(DATA)
    }

    /// Sends a PRIORITY frame on half-closed (remote) stream: accepted.
    pub fn generic_2__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 0)]);
        c.write_request(1, "GET", true);
        c.write_priority(1, 0, false, 255);
        c.write_window_update(1, 1);
        c.verify_event_type(DATA)
    }

    /// Sends a RST_STREAM frame on half-closed (remote) stream: accepted.
    pub fn generic_2__4(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.write_rst_stream(1, CANCEL);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack_or_close([0; 8])
    }

    /// Sends a PRIORITY frame on closed stream: accepted.
    pub fn generic_2__5(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.verify_stream_close()?;
        c.write_priority(1, 0, false, 255);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// Sends a DATA frame.
    pub fn generic_3_1__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "POST", false);
        c.write_data(1, true, b"test");
        c.verify_headers_frame(1)
    }

    /// Sends multiple DATA frames.
    pub fn generic_3_1__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "POST", false);
        c.write_data(1, false, b"test");
        c.write_data(1, true, b"test");
        c.verify_headers_frame(1)
    }

    /// Sends a DATA frame with padding.
    pub fn generic_3_1__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "POST", false);
        c.write_data_padded(1, true, b"test", &[0; 5]);
        c.verify_headers_frame(1)
    }

    /// Sends a HEADERS frame.
    pub fn generic_3_2__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.verify_headers_frame(1)
    }

    /// Sends a HEADERS frame with padding.
    pub fn generic_3_2__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 1,
            end_stream: true,
            end_headers: true,
            block,
            pad_length: 8,
            ..Headers::default()
        });
        c.verify_headers_frame(1)
    }

    /// Sends a HEADERS frame with priority.
    pub fn generic_3_2__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 1,
            end_stream: true,
            end_headers: true,
            block,
            priority: (0, false, 255),
            ..Headers::default()
        });
        c.verify_headers_frame(1)
    }

    /// PRIORITY (`stream`, dependency, exclusive, weight), then a GET on stream 1.
    fn priority_then_request(
        t: &Target,
        stream: u32,
        dependency: u32,
        exclusive: bool,
        weight: u8,
    ) -> Outcome {
        let mut c = connected(t)?;
        c.write_priority(stream, dependency, exclusive, weight);
        c.write_request(1, "GET", true);
        c.verify_headers_frame(1)
    }

    /// Sends a PRIORITY frame with priority 1.
    pub fn generic_3_3__1(t: &Target) -> Outcome {
        priority_then_request(t, 1, 0, false, 0)
    }

    /// Sends a PRIORITY frame with priority 256.
    pub fn generic_3_3__2(t: &Target) -> Outcome {
        priority_then_request(t, 1, 0, false, 255)
    }

    /// Sends a PRIORITY frame with stream dependency (stream 3 on stream 1).
    pub fn generic_3_3__3(t: &Target) -> Outcome {
        priority_then_request(t, 3, 1, false, 0)
    }

    /// Sends a PRIORITY frame with exclusive.
    pub fn generic_3_3__4(t: &Target) -> Outcome {
        priority_then_request(t, 1, 0, true, 0)
    }

    /// Sends a PRIORITY frame for an idle stream, then send a HEADER frame for a lower
    /// stream ID: PRIORITY does not open stream 3, so stream 1 may still be opened.
    pub fn generic_3_3__5(t: &Target) -> Outcome {
        priority_then_request(t, 3, 0, false, 255)
    }

    /// Sends a RST_STREAM frame.
    pub fn generic_3_4__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", false);
        c.write_rst_stream(1, CANCEL);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack_or_close([0; 8])
    }

    /// Sends a SETTINGS frame (all six defined parameters): acknowledged.
    pub fn generic_3_5__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_settings(&[
            (HEADER_TABLE_SIZE, 4096),
            (ENABLE_PUSH, 1),
            (MAX_CONCURRENT_STREAMS, 100),
            (INITIAL_WINDOW_SIZE, 65535),
            (MAX_FRAME_SIZE, 16384),
            (MAX_HEADER_LIST_SIZE, 100),
        ]);
        c.verify_settings_ack()
    }

    /// Sends a PING frame.
    pub fn generic_3_7__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_ping(false, H2SPEC);
        c.verify_ping_ack(H2SPEC)
    }

    /// Sends a GOAWAY frame: the server may still answer PING, or close.
    pub fn generic_3_8__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_goaway(0, NO_ERROR, b"h2spec");
        c.write_ping(false, H2SPEC);
        c.verify_ping_ack_or_close(H2SPEC)
    }

    /// Sends a WINDOW_UPDATE frame with stream ID 0.
    pub fn generic_3_9__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_window_update(0, 1);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// Sends a WINDOW_UPDATE frame with stream ID 1.
    pub fn generic_3_9__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.write_window_update(1, 1);
        c.verify_headers_frame(1)
    }

    /// Sends a CONTINUATION frame (the block split after 5 bytes).
    pub fn generic_3_10__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 1,
            end_stream: true,
            end_headers: false,
            block: block[..5].to_vec(),
            ..Headers::default()
        });
        c.write_continuation(1, true, &block[5..]);
        c.verify_headers_frame(1)
    }

    /// Sends multiple CONTINUATION frames.
    pub fn generic_3_10__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 1,
            end_stream: true,
            end_headers: false,
            block: block[..5].to_vec(),
            ..Headers::default()
        });
        c.write_continuation(1, false, &block[5..10]);
        c.write_continuation(1, true, &block[10..]);
        c.verify_headers_frame(1)
    }

    /// Sends a GET request.
    pub fn generic_4__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.verify_headers_frame(1)
    }

    /// Sends a HEAD request.
    pub fn generic_4__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "HEAD", true);
        c.verify_headers_frame(1)
    }

    /// Sends a POST request.
    pub fn generic_4__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "POST", false);
        c.write_data(1, true, b"test");
        c.verify_headers_frame(1)
    }

    /// Sends a POST request with trailers.
    pub fn generic_4__4(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        request_edited(&mut c, false, |h| {
            h[0].1 = "POST".into();
            h.push(field("trailer", "x-test"));
        });
        c.write_data(1, false, b"test");
        let block = c.encode_headers(&[field("x-test", "ok")]);
        c.write_headers(Headers {
            stream: 1,
            end_stream: true,
            end_headers: true,
            block,
            ..Headers::default()
        });
        c.verify_headers_frame(1)
    }

    /// generic/5: the common block plus one representation, which the server must accept.
    fn accepts_representation(t: &Target, rep: &[u8]) -> Outcome {
        let mut c = connected(t)?;
        request_with(&mut c, &[], rep);
        c.verify_headers_frame(1)
    }

    /// Sends a indexed header field representation (index 58, `user-agent`).
    pub fn generic_5__1(t: &Target) -> Outcome {
        accepts_representation(t, b"\xba")
    }

    /// Sends a literal header field with incremental indexing - indexed name (h2spec's bytes
    /// are a new Huffman-coded name `user-agent: h2spec`).
    pub fn generic_5__2(t: &Target) -> Outcome {
        accepts_representation(
            t,
            b"\x40\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4",
        )
    }

    /// Sends a literal header field with incremental indexing - indexed name (with Huffman
    /// coding) (h2spec's bytes: a new plain name `user-agent: h2spec`).
    pub fn generic_5__3(t: &Target) -> Outcome {
        accepts_representation(t, b"\x40\x0auser-agent\x06h2spec")
    }

    /// Sends a literal header field with incremental indexing - new name (`x-test: h2spec`).
    pub fn generic_5__4(t: &Target) -> Outcome {
        accepts_representation(t, b"\x40\x06x-test\x06h2spec")
    }

    /// Sends a literal header field with incremental indexing - new name (with Huffman
    /// coding).
    pub fn generic_5__5(t: &Target) -> Outcome {
        accepts_representation(t, b"\x40\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4")
    }

    /// Sends a literal header field without indexing - indexed name.
    pub fn generic_5__6(t: &Target) -> Outcome {
        accepts_representation(t, b"\x00\x0auser-agent\x06h2spec")
    }

    /// Sends a literal header field without indexing - indexed name (with Huffman coding).
    pub fn generic_5__7(t: &Target) -> Outcome {
        accepts_representation(
            t,
            b"\x00\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4",
        )
    }

    /// Sends a literal header field without indexing - new name.
    pub fn generic_5__8(t: &Target) -> Outcome {
        accepts_representation(t, b"\x00\x06x-test\x06h2spec")
    }

    /// Sends a literal header field without indexing - new name (huffman encoded).
    pub fn generic_5__9(t: &Target) -> Outcome {
        accepts_representation(t, b"\x00\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4")
    }

    /// Sends a literal header field never indexed - indexed name.
    pub fn generic_5__10(t: &Target) -> Outcome {
        accepts_representation(t, b"\x10\x0auser-agent\x06h2spec")
    }

    /// Sends a literal header field never indexed - indexed name (huffman encoded).
    pub fn generic_5__11(t: &Target) -> Outcome {
        accepts_representation(
            t,
            b"\x10\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4",
        )
    }

    /// Sends a literal header field never indexed - new name (h2spec sends the Huffman-coded
    /// bytes here too).
    pub fn generic_5__12(t: &Target) -> Outcome {
        accepts_representation(t, b"\x10\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4")
    }

    /// Sends a literal header field never indexed - new name (huffman encoded).
    pub fn generic_5__13(t: &Target) -> Outcome {
        accepts_representation(t, b"\x10\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4")
    }

    /// Sends a dynamic table size update (128, at the start of the block).
    pub fn generic_5__14(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.set_max_dynamic_table_size(128);
        request_with(&mut c, &[], &[]);
        c.verify_headers_frame(1)
    }

    /// Sends multiple dynamic table size update (128, then 4096).
    pub fn generic_5__15(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        request_with(&mut c, b"\x3f\x61\x3f\xe1\x1f", &[]);
        c.verify_headers_frame(1)
    }

    // ------------------------------------------------------------ http2

    /// 3.5 Sends client connection preface.
    pub fn http2_3_5__1(t: &Target) -> Outcome {
        generic_1__1(t)
    }

    /// 3.5 Sends invalid connection preface: PROTOCOL_ERROR.
    pub fn http2_3_5__2(t: &Target) -> Outcome {
        let mut c = t.connect();
        c.send(b"INVALID CONNECTION PREFACE\r\n\r\n");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 4.1 Sends a frame with unknown type: ignored.
    pub fn http2_4_1__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x08\x16\x00\x00\x00\x00\x00", &[0; 8]);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// 4.1 Sends a frame with undefined flag (a PING with flags 0x16): answered.
    pub fn http2_4_1__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x08\x06\x16\x00\x00\x00\x00", &[0; 8]);
        c.verify_event_type(PING)
    }

    /// 4.1 Sends a frame with reserved field bit (stream id 0x80000000 is stream 0).
    pub fn http2_4_1__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x08\x06\x16\x80\x00\x00\x00", &[0; 8]);
        c.verify_event_type(PING)
    }

    /// 4.2 Sends a DATA frame with 2^14 octets in length.
    pub fn http2_4_2__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "POST", false);
        let data = vec![b'x'; c.max_frame_size()];
        c.write_data(1, true, &data);
        c.verify_headers_frame(1)
    }

    /// 4.2 Sends a large size DATA frame that exceeds the SETTINGS_MAX_FRAME_SIZE.
    pub fn http2_4_2__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "POST", false);
        let data = vec![b'x'; c.max_frame_size() + 1];
        c.write_data(1, true, &data);
        c.verify_stream_error(&[FRAME_SIZE_ERROR])
    }

    /// 4.2 Sends a large size HEADERS frame that exceeds the SETTINGS_MAX_FRAME_SIZE (five
    /// 4000-byte fields): a connection error, the block may not be skipped (HPACK state).
    pub fn http2_4_2__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        request_edited(&mut c, true, |h| h.extend(dummy_headers(5)));
        c.verify_connection_error(&[FRAME_SIZE_ERROR])
    }

    /// 4.3 Sends invalid header block fragment (a literal cut after its first byte).
    pub fn http2_4_3__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.send(b"\x00\x00\x01\x01\x05\x00\x00\x00\x01\x40");
        c.verify_connection_error(&[COMPRESSION_ERROR])
    }

    /// HEADERS on stream 1 without END_HEADERS (`method`, END_STREAM as given).
    fn open_header_block(c: &mut Client, method: &str, end_stream: bool) {
        let mut headers = c.common_headers();
        headers[0].1 = method.to_owned();
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 1,
            end_stream,
            end_headers: false,
            block,
            ..Headers::default()
        });
    }

    /// CONTINUATION carrying one dummy field.
    fn dummy_continuation(c: &mut Client, stream: u32, end_headers: bool) {
        let block = c.encode_headers(&dummy_headers(1));
        c.write_continuation(stream, end_headers, &block);
    }

    /// 4.3 Sends a PRIORITY frame while sending the header blocks.
    pub fn http2_4_3__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        open_header_block(&mut c, "GET", false);
        c.write_priority(1, 0, false, 255);
        dummy_continuation(&mut c, 1, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 4.3 Sends a HEADERS frame to another stream while sending the header blocks.
    pub fn http2_4_3__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        open_header_block(&mut c, "GET", false);
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 3,
            end_stream: true,
            end_headers: true,
            block,
            ..Headers::default()
        });
        dummy_continuation(&mut c, 1, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1 idle: Sends a DATA frame.
    pub fn http2_5_1__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_data(1, true, b"test");
        c.verify_stream_error(&[PROTOCOL_ERROR, STREAM_CLOSED])
    }

    /// 5.1 idle: Sends a RST_STREAM frame.
    pub fn http2_5_1__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_rst_stream(1, CANCEL);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1 idle: Sends a WINDOW_UPDATE frame.
    pub fn http2_5_1__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_window_update(1, 100);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1 idle: Sends a CONTINUATION frame.
    pub fn http2_5_1__4(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_continuation(1, true, &block);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1 half closed (remote): Sends a DATA frame.
    pub fn http2_5_1__5(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.write_data(1, true, b"test");
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 5.1 half closed (remote): Sends a HEADERS frame.
    pub fn http2_5_1__6(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.write_request(1, "GET", true);
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 5.1 half closed (remote): Sends a CONTINUATION frame (after a complete block).
    pub fn http2_5_1__7(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 1,
            end_stream: true,
            end_headers: true,
            block: block.clone(),
            ..Headers::default()
        });
        c.write_continuation(1, true, &block);
        c.verify_stream_error(&[STREAM_CLOSED, PROTOCOL_ERROR])
    }

    /// 5.1 closed: Sends a DATA frame after sending RST_STREAM frame.
    pub fn http2_5_1__8(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", false);
        c.write_rst_stream(1, CANCEL);
        c.write_data(1, true, b"test");
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 5.1 closed: Sends a HEADERS frame after sending RST_STREAM frame.
    pub fn http2_5_1__9(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", false);
        c.write_rst_stream(1, CANCEL);
        c.write_request(1, "GET", true);
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 5.1 closed: Sends a CONTINUATION frame after sending RST_STREAM frame.
    pub fn http2_5_1__10(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", false);
        c.write_rst_stream(1, CANCEL);
        dummy_continuation(&mut c, 1, true);
        c.verify_stream_error(&[STREAM_CLOSED, PROTOCOL_ERROR])
    }

    /// 5.1 closed: Sends a DATA frame (after the response ended the stream).
    pub fn http2_5_1__11(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.verify_stream_close()?;
        c.write_data(1, true, b"test");
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 5.1 closed: Sends a HEADERS frame (after the response ended the stream): a connection
    /// error STREAM_CLOSED (RFC 9113 §5.1, "closed").
    pub fn http2_5_1__12(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.verify_stream_close()?;
        c.write_request(1, "GET", true);
        c.verify_connection_error(&[STREAM_CLOSED])
    }

    /// 5.1 closed: Sends a CONTINUATION frame.
    pub fn http2_5_1__13(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        c.verify_stream_close()?;
        dummy_continuation(&mut c, 1, true);
        c.verify_connection_error(&[STREAM_CLOSED, PROTOCOL_ERROR])
    }

    /// 5.1.1 Sends even-numbered stream identifier.
    pub fn http2_5_1_1__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(2, "GET", true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1.1 Sends stream identifier that is numerically smaller than previous.
    pub fn http2_5_1_1__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(5, "GET", true);
        c.write_request(3, "GET", true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1.2 Sends HEADERS frames that causes their advertised concurrent stream limit to be
    /// exceeded (responses held back by a zero window keep the streams open; one HEADERS
    /// block, encoded once, sent on max + 1 streams).
    pub fn http2_5_1_2__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let Some(&max) = c.settings.get(&MAX_CONCURRENT_STREAMS) else {
            return Err("the server sent no SETTINGS_MAX_CONCURRENT_STREAMS (h2spec skips)".into());
        };
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 0)]);
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        for i in 0..=max {
            c.write_headers(Headers {
                stream: 1 + 2 * i,
                end_stream: true,
                end_headers: true,
                block: block.clone(),
                ..Headers::default()
            });
        }
        c.verify_stream_error(&[PROTOCOL_ERROR, REFUSED_STREAM])
    }

    /// 5.3.1 Sends HEADERS frame that depends on itself. RFC 7540 §5.3.1 made this a stream
    /// error PROTOCOL_ERROR. RFC 9113 deprecates RFC 7540 priorities (§5.3.2) and drops the
    /// rule without forbidding the check; h2-proto keeps the stream error (issue 6: "RFC 7540
    /// PRIORITY frames parsed and validated, self-dependency is a stream error"; nghttp2 does
    /// the same), which is what h2spec expects.
    pub fn http2_5_3_1__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_headers(Headers {
            stream: 1,
            end_stream: true,
            end_headers: true,
            block,
            priority: (1, false, 255),
            ..Headers::default()
        });
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 5.3.1 Sends PRIORITY frame that depend on itself (on an idle stream; RFC 7540 vs 9113
    /// as above).
    pub fn http2_5_3_1__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_priority(1, 1, false, 255);
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 5.4.1 Sends an invalid PING frame for connection close (PING on stream 3).
    pub fn http2_5_4_1__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x08\x06\x00\x00\x00\x00\x03", &[0; 8]);
        c.verify_connection_close()
    }

    /// 5.4.1 Sends an invalid PING frame to receive GOAWAY frame (h2spec `--strict` only).
    pub fn http2_5_4_1__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x08\x06\x00\x00\x00\x00\x03", &[0; 8]);
        let f = c.wait_event_by_type(GOAWAY)?;
        check_code(&f, &[PROTOCOL_ERROR], "GOAWAY")
    }

    /// 5.5 Sends an unknown extension frame.
    pub fn http2_5_5__1(t: &Target) -> Outcome {
        http2_4_1__1(t)
    }

    /// 5.5 Sends an unknown extension frame in the middle of a header block.
    pub fn http2_5_5__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        open_header_block(&mut c, "GET", true);
        send_raw(&mut c, b"\x00\x00\x08\x16\x00\x00\x00\x00\x00", &[0; 8]);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.1 Sends a DATA frame with 0x0 stream identifier.
    pub fn http2_6_1__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_data(0, true, b"test");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.1 Sends a DATA frame on the stream that is not in "open" or "half-closed (local)"
    /// state.
    pub fn http2_6_1__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "POST", true);
        c.write_data(1, true, b"test");
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 6.1 Sends a DATA frame with invalid pad length (6 bytes of padding in a 5-byte payload).
    pub fn http2_6_1__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        request_edited(&mut c, false, |h| {
            h[0].1 = "POST".into();
            h.push(field("content-length", "4"));
        });
        send_raw(&mut c, b"\x00\x00\x05\x00\x09\x00\x00\x00\x01", b"\x06Test");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.2 Sends a HEADERS frame without the END_HEADERS flag, and a PRIORITY frame.
    pub fn http2_6_2__1(t: &Target) -> Outcome {
        http2_4_3__2(t)
    }

    /// 6.2 Sends a HEADERS frame to another stream while sending a HEADERS frame.
    pub fn http2_6_2__2(t: &Target) -> Outcome {
        http2_4_3__3(t)
    }

    /// 6.2 Sends a HEADERS frame with 0x0 stream identifier.
    pub fn http2_6_2__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(0, "GET", true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.2 Sends a HEADERS frame with invalid pad length (pad length above the payload). RFC
    /// 9113 §6.2 makes it a connection error; h2spec accepts a stream error too.
    pub fn http2_6_2__4(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        let mut header = *b"\x00\x00\x00\x01\x0d\x00\x00\x00\x01";
        header[2] = (block.len() + 1) as u8;
        c.send(&header);
        c.send(&[(block.len() + 2) as u8]);
        c.send(&block);
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 6.3 Sends a PRIORITY frame with 0x0 stream identifier.
    pub fn http2_6_3__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_priority(0, 0, false, 255);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.3 Sends a PRIORITY frame with a length other than 5 octets.
    pub fn http2_6_3__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        send_raw(
            &mut c,
            b"\x00\x00\x04\x02\x00\x00\x00\x00\x01",
            b"\x80\x00\x00\x01",
        );
        c.verify_stream_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.4 Sends a RST_STREAM frame with 0x0 stream identifier.
    pub fn http2_6_4__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_rst_stream(0, CANCEL);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.4 Sends a RST_STREAM frame on a idle stream.
    pub fn http2_6_4__2(t: &Target) -> Outcome {
        http2_5_1__2(t)
    }

    /// 6.4 Sends a RST_STREAM frame with a length other than 4 octets.
    pub fn http2_6_4__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        send_raw(
            &mut c,
            b"\x00\x00\x03\x03\x00\x00\x00\x00\x01",
            b"\x00\x00\x00",
        );
        c.verify_stream_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.5 Sends a SETTINGS frame with ACK flag and payload.
    pub fn http2_6_5__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x01\x04\x01\x00\x00\x00\x00", b"\x00");
        c.verify_connection_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.5 Sends a SETTINGS frame with a stream identifier other than 0x0.
    pub fn http2_6_5__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(
            &mut c,
            b"\x00\x00\x06\x04\x00\x00\x00\x00\x01",
            b"\x00\x03\x00\x00\x00\x64",
        );
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.5 Sends a SETTINGS frame with a length other than a multiple of 6 octets.
    pub fn http2_6_5__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(
            &mut c,
            b"\x00\x00\x03\x04\x00\x00\x00\x00\x00",
            b"\x00\x03\x00",
        );
        c.verify_stream_error(&[PROTOCOL_ERROR, FRAME_SIZE_ERROR])
    }

    fn settings_error(t: &Target, setting: (u16, u32), code: u32) -> Outcome {
        let mut c = connected(t)?;
        c.write_settings(&[setting]);
        c.verify_connection_error(&[code])
    }

    /// 6.5.2 SETTINGS_ENABLE_PUSH (0x2): Sends the value other than 0 or 1.
    pub fn http2_6_5_2__1(t: &Target) -> Outcome {
        settings_error(t, (ENABLE_PUSH, 2), PROTOCOL_ERROR)
    }

    /// 6.5.2 SETTINGS_INITIAL_WINDOW_SIZE (0x4): Sends the value above the maximum flow
    /// control window size.
    pub fn http2_6_5_2__2(t: &Target) -> Outcome {
        settings_error(t, (INITIAL_WINDOW_SIZE, 1 << 31), FLOW_CONTROL_ERROR)
    }

    /// 6.5.2 SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value below the initial value.
    pub fn http2_6_5_2__3(t: &Target) -> Outcome {
        settings_error(t, (MAX_FRAME_SIZE, 16383), PROTOCOL_ERROR)
    }

    /// 6.5.2 SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value above the maximum allowed frame
    /// size.
    pub fn http2_6_5_2__4(t: &Target) -> Outcome {
        settings_error(t, (MAX_FRAME_SIZE, 1 << 24), PROTOCOL_ERROR)
    }

    /// 6.5.2 Sends a SETTINGS frame with unknown identifier: ignored.
    pub fn http2_6_5_2__5(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_settings(&[(0xff, 1)]);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// Fails unless the server's response body is at least `min` bytes (h2spec skips then).
    fn require_body(t: &Target, min: usize) -> Outcome {
        let len = server_data_length(t)?;
        if len < min {
            return Err(format!(
                "response body of {len} bytes, {min} needed (h2spec skips)"
            ));
        }
        Ok(())
    }

    /// 6.5.3 Sends multiple values of SETTINGS_INITIAL_WINDOW_SIZE (100 then 1 in one frame):
    /// the last one is in force, so the first DATA has 1 byte.
    pub fn http2_6_5_3__1(t: &Target) -> Outcome {
        require_body(t, 1)?;
        let mut c = connected(t)?;
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 100), (INITIAL_WINDOW_SIZE, 1)]);
        c.verify_settings_ack()?;
        c.write_request(1, "GET", true);
        c.verify_data_length(1, 1)
    }

    /// 6.5.3 Sends a SETTINGS frame without ACK flag: acknowledged.
    pub fn http2_6_5_3__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_settings(&[(ENABLE_PUSH, 0)]);
        c.verify_settings_ack()
    }

    /// 6.7 Sends a PING frame.
    pub fn http2_6_7__1(t: &Target) -> Outcome {
        generic_3_7__1(t)
    }

    /// 6.7 Sends a PING frame with ACK: not answered; the next PING is.
    pub fn http2_6_7__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_ping(true, *b"invalid\0");
        c.write_ping(false, H2SPEC);
        c.verify_ping_ack(H2SPEC)
    }

    /// 6.7 Sends a PING frame with a stream identifier field value other than 0x0.
    pub fn http2_6_7__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x08\x06\x00\x00\x00\x00\x01", &[0; 8]);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.7 Sends a PING frame with a length field value other than 8.
    pub fn http2_6_7__4(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x06\x06\x00\x00\x00\x00\x00", &[0; 6]);
        c.verify_connection_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.8 Sends a GOAWAY frame with a stream identifier other than 0x0.
    pub fn http2_6_8__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(&mut c, b"\x00\x00\x08\x07\x00\x00\x00\x00\x01", &[0; 8]);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.9 Sends a WINDOW_UPDATE frame with a flow control window increment of 0.
    pub fn http2_6_9__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_window_update(0, 0);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.9 Sends a WINDOW_UPDATE frame with a flow control window increment of 0 on a stream.
    pub fn http2_6_9__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", false);
        c.write_window_update(1, 0);
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 6.9 Sends a WINDOW_UPDATE frame with a length other than 4 octets.
    pub fn http2_6_9__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(
            &mut c,
            b"\x00\x00\x03\x08\x00\x00\x00\x00\x00",
            b"\x00\x00\x01",
        );
        c.verify_connection_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.9.1 Sends SETTINGS frame to set the initial window size to 1 and sends HEADERS frame.
    pub fn http2_6_9_1__1(t: &Target) -> Outcome {
        require_body(t, 1)?;
        let mut c = connected(t)?;
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 1)]);
        c.verify_settings_ack()?;
        c.write_request(1, "GET", true);
        c.verify_data_length(1, 1)
    }

    /// 6.9.1 Sends multiple WINDOW_UPDATE frames increasing the flow control window to above
    /// 2^31-1: the first GOAWAY is FLOW_CONTROL_ERROR.
    pub fn http2_6_9_1__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_window_update(0, 0x7fff_ffff);
        c.write_window_update(0, 0x7fff_ffff);
        let f = c.wait_event_by_type(GOAWAY)?;
        check_code(&f, &[FLOW_CONTROL_ERROR], "GOAWAY")
    }

    /// 6.9.1 Sends multiple WINDOW_UPDATE frames increasing the flow control window to above
    /// 2^31-1 on a stream: the first RST_STREAM is FLOW_CONTROL_ERROR on that stream.
    pub fn http2_6_9_1__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", false);
        c.write_window_update(1, 0x7fff_ffff);
        c.write_window_update(1, 0x7fff_ffff);
        let f = c.wait_event_by_type(RST_STREAM)?;
        if f.stream != 1 {
            return Err(format!(
                "expected RST_STREAM on stream 1, got {}",
                f.describe()
            ));
        }
        check_code(&f, &[FLOW_CONTROL_ERROR], "RST_STREAM")
    }

    /// 6.9.2 Changes SETTINGS_INITIAL_WINDOW_SIZE after sending HEADERS frame (0, then 1):
    /// the open stream's window grows by the difference.
    pub fn http2_6_9_2__1(t: &Target) -> Outcome {
        require_body(t, 1)?;
        let mut c = connected(t)?;
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 0)]);
        c.verify_settings_ack()?;
        c.write_request(1, "GET", true);
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 1)]);
        c.verify_data_length(1, 1)
    }

    /// 6.9.2 Sends a SETTINGS frame for window size to be negative (3, 3 bytes sent, then 2:
    /// the window is -1, and WINDOW_UPDATE 2 lets 1 byte through).
    pub fn http2_6_9_2__2(t: &Target) -> Outcome {
        require_body(t, 5)?;
        let mut c = connected(t)?;
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 3)]);
        c.verify_settings_ack()?;
        c.write_request(1, "GET", true);
        c.verify_event_type(DATA)?;
        c.write_settings(&[(INITIAL_WINDOW_SIZE, 2)]);
        c.verify_settings_ack()?;
        c.write_window_update(1, 2);
        c.verify_data_length(1, 1)
    }

    /// 6.9.2 Sends a SETTINGS_INITIAL_WINDOW_SIZE settings with an exceeded maximum window
    /// size value.
    pub fn http2_6_9_2__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        send_raw(
            &mut c,
            b"\x00\x00\x06\x04\x00\x00\x00\x00\x00",
            b"\x00\x04\x80\x00\x00\x00",
        );
        c.verify_connection_error(&[FLOW_CONTROL_ERROR])
    }

    /// 6.10 Sends multiple CONTINUATION frames preceded by a HEADERS frame.
    pub fn http2_6_10__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        open_header_block(&mut c, "GET", true);
        dummy_continuation(&mut c, 1, false);
        dummy_continuation(&mut c, 1, true);
        c.verify_headers_frame(1)
    }

    /// 6.10 Sends a CONTINUATION frame followed by any frame other than CONTINUATION.
    pub fn http2_6_10__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        open_header_block(&mut c, "POST", false);
        dummy_continuation(&mut c, 1, false);
        c.write_data(1, true, b"test");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.10 Sends a CONTINUATION frame with 0x0 stream identifier.
    pub fn http2_6_10__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        open_header_block(&mut c, "GET", true);
        dummy_continuation(&mut c, 0, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.10 Sends a CONTINUATION frame preceded by a HEADERS frame with END_HEADERS flag.
    pub fn http2_6_10__4(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "GET", true);
        dummy_continuation(&mut c, 1, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.10 Sends a CONTINUATION frame preceded by a CONTINUATION frame with END_HEADERS flag.
    pub fn http2_6_10__5(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        open_header_block(&mut c, "GET", true);
        dummy_continuation(&mut c, 1, true);
        dummy_continuation(&mut c, 1, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.10 Sends a CONTINUATION frame preceded by a DATA frame.
    pub fn http2_6_10__6(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        open_header_block(&mut c, "POST", false);
        c.write_data(1, true, b"test");
        dummy_continuation(&mut c, 1, false);
        dummy_continuation(&mut c, 0, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 7 Sends a GOAWAY frame with unknown error code: treated like any other code.
    pub fn http2_7__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_goaway(0, 0xff, &[]);
        c.write_ping(false, H2SPEC);
        c.verify_ping_ack_or_close(H2SPEC)
    }

    /// 7 Sends a RST_STREAM frame with unknown error code.
    pub fn http2_7__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        c.write_request(1, "POST", false);
        c.write_rst_stream(1, 0xff);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack_or_close([0; 8])
    }

    /// POST on stream 1, 4 bytes of DATA, then a second HEADERS block `fields` with
    /// `end_stream`.
    fn post_then_trailers(c: &mut Client, fields: &[(String, String)], end_stream: bool) {
        c.write_request(1, "POST", false);
        c.write_data(1, false, b"test");
        let block = c.encode_headers(fields);
        c.write_headers(Headers {
            stream: 1,
            end_stream,
            end_headers: true,
            block,
            ..Headers::default()
        });
    }

    /// 8.1 Sends a second HEADERS frame without the END_STREAM flag (RFC 9113 §8.1: trailers
    /// must end the stream).
    pub fn http2_8_1__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        post_then_trailers(&mut c, &[field("x-test", "ok")], false);
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// A request with the common fields edited by `edit`: a malformed request, so a stream
    /// error PROTOCOL_ERROR (RFC 9113 §8.1.1).
    fn malformed(
        t: &Target,
        end_stream: bool,
        edit: impl FnOnce(&mut Vec<(String, String)>),
    ) -> Outcome {
        let mut c = connected(t)?;
        request_edited(&mut c, end_stream, edit);
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 8.1.2 Sends a HEADERS frame that contains the header field name in uppercase letters.
    pub fn http2_8_1_2__1(t: &Target) -> Outcome {
        malformed(t, true, |h| h.push(field("X-TEST", "ok")))
    }

    /// 8.1.2.1 Sends a HEADERS frame that contains a unknown pseudo-header field.
    pub fn http2_8_1_2_1__1(t: &Target) -> Outcome {
        malformed(t, true, |h| h.push(field(":test", "ok")))
    }

    /// 8.1.2.1 Sends a HEADERS frame that contains the pseudo-header field defined for
    /// response.
    pub fn http2_8_1_2_1__2(t: &Target) -> Outcome {
        malformed(t, true, |h| h.push(field(":status", "200")))
    }

    /// 8.1.2.1 Sends a HEADERS frame that contains a pseudo-header field as trailers (h2spec
    /// sends that trailer block without END_STREAM).
    pub fn http2_8_1_2_1__3(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        post_then_trailers(&mut c, &[field(":method", "POST")], false);
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 8.1.2.1 Sends a HEADERS frame that contains a pseudo-header field that appears in a
    /// header block after a regular header field.
    pub fn http2_8_1_2_1__4(t: &Target) -> Outcome {
        malformed(t, true, |h| h.insert(0, field("x-test", "ok")))
    }

    /// 8.1.2.2 Sends a HEADERS frame that contains the connection-specific header field.
    pub fn http2_8_1_2_2__1(t: &Target) -> Outcome {
        malformed(t, true, |h| h.push(field("connection", "keep-alive")))
    }

    /// 8.1.2.2 Sends a HEADERS frame that contains the TE header field with any value other
    /// than "trailers".
    pub fn http2_8_1_2_2__2(t: &Target) -> Outcome {
        malformed(t, true, |h| {
            h.push(field("trailers", "test"));
            h.push(field("te", "trailers, deflate"));
        })
    }

    /// 8.1.2.3 Sends a HEADERS frame with empty ":path" pseudo-header field.
    pub fn http2_8_1_2_3__1(t: &Target) -> Outcome {
        malformed(t, true, |h| h[2].1.clear())
    }

    /// 8.1.2.3 Sends a HEADERS frame that omits ":method" pseudo-header field (h2spec's block
    /// omits `:scheme` as well: it encodes `:path` and `:authority` only).
    pub fn http2_8_1_2_3__2(t: &Target) -> Outcome {
        malformed(t, true, |h| {
            h.drain(..2);
        })
    }

    /// 8.1.2.3 Sends a HEADERS frame that omits ":scheme" pseudo-header field.
    pub fn http2_8_1_2_3__3(t: &Target) -> Outcome {
        malformed(t, true, |h| {
            h.remove(1);
        })
    }

    /// 8.1.2.3 Sends a HEADERS frame that omits ":path" pseudo-header field.
    pub fn http2_8_1_2_3__4(t: &Target) -> Outcome {
        malformed(t, true, |h| {
            h.remove(2);
        })
    }

    /// 8.1.2.3 Sends a HEADERS frame with duplicated ":method" pseudo-header field.
    pub fn http2_8_1_2_3__5(t: &Target) -> Outcome {
        malformed(t, true, |h| h.push(h[0].clone()))
    }

    /// 8.1.2.3 Sends a HEADERS frame with duplicated ":scheme" pseudo-header field.
    pub fn http2_8_1_2_3__6(t: &Target) -> Outcome {
        malformed(t, true, |h| h.push(h[1].clone()))
    }

    /// 8.1.2.3 Sends a HEADERS frame with duplicated ":path" pseudo-header field.
    pub fn http2_8_1_2_3__7(t: &Target) -> Outcome {
        malformed(t, true, |h| h.push(h[2].clone()))
    }

    /// 8.1.2.6 Sends a HEADERS frame with the "content-length" header field which does not
    /// equal the DATA frame payload length.
    pub fn http2_8_1_2_6__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        request_edited(&mut c, false, |h| {
            h[0].1 = "POST".into();
            h.push(field("content-length", "1"));
        });
        c.write_data(1, true, b"test");
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 8.1.2.6 Sends a HEADERS frame with the "content-length" header field which does not
    /// equal the sum of the multiple DATA frames payload length.
    pub fn http2_8_1_2_6__2(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        request_edited(&mut c, false, |h| {
            h[0].1 = "POST".into();
            h.push(field("content-length", "1"));
        });
        c.write_data(1, false, b"test");
        c.write_data(1, true, b"test");
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 8.2 Sends a PUSH_PROMISE frame (a client must not push, RFC 9113 §8.4).
    pub fn http2_8_2__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let headers = c.common_headers();
        let block = c.encode_headers(&headers);
        c.write_push_promise(1, 3, true, &block);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    // ------------------------------------------------------------ hpack

    /// hpack: the common block plus `rep` must be a connection error COMPRESSION_ERROR.
    fn compression_error(t: &Target, prefix: &[u8], rep: &[u8]) -> Outcome {
        let mut c = connected(t)?;
        request_with(&mut c, prefix, rep);
        c.verify_connection_error(&[COMPRESSION_ERROR])
    }

    /// 2.3.3 Sends a indexed header field representation with invalid index (70; the table
    /// holds 61 static entries and `:authority`).
    pub fn hpack_2_3_3__1(t: &Target) -> Outcome {
        compression_error(t, &[], b"\xc6")
    }

    /// 2.3.3 Sends a literal header field representation with invalid index (name index 70).
    pub fn hpack_2_3_3__2(t: &Target) -> Outcome {
        compression_error(t, &[], b"\x7f\x07\x00")
    }

    /// 4.2 Sends a dynamic table size update at the end of header block.
    pub fn hpack_4_2__1(t: &Target) -> Outcome {
        compression_error(t, &[], b"\x21")
    }

    /// 5.2 Sends a Huffman-encoded string literal representation with padding longer than 7
    /// bits.
    pub fn hpack_5_2__1(t: &Target) -> Outcome {
        compression_error(t, &[], b"\x00\x85\xf2\xb2\x4a\x84\xff\x84\x49\x50\x9f\xff")
    }

    /// 5.2 Sends a Huffman-encoded string literal representation padded by zero.
    pub fn hpack_5_2__2(t: &Target) -> Outcome {
        compression_error(t, &[], b"\x00\x85\xf2\xb2\x4a\x84\xff\x83\x49\x50\x90")
    }

    /// 5.2 Sends a Huffman-encoded string literal representation containing the EOS symbol.
    pub fn hpack_5_2__3(t: &Target) -> Outcome {
        compression_error(
            t,
            &[],
            b"\x00\x85\xf2\xb2\x4a\x84\xff\x87\x49\x51\xff\xff\xff\xfa\x7f",
        )
    }

    /// 6.1 Sends a indexed header field representation with index 0.
    pub fn hpack_6_1__1(t: &Target) -> Outcome {
        compression_error(t, &[], b"\x80")
    }

    /// 6.3 Sends a dynamic table size update larger than the value of
    /// SETTINGS_HEADER_TABLE_SIZE (the server's, 4096 when it sends none), at the start.
    pub fn hpack_6_3__1(t: &Target) -> Outcome {
        let mut c = connected(t)?;
        let max = c.settings.get(&HEADER_TABLE_SIZE).copied().unwrap_or(4096);
        // A 5-bit-prefix integer (RFC 7541 §5.1) with the 001 pattern of a size update.
        let size = u64::from(max) + 1;
        let rep = if size < 31 {
            vec![0x20 | size as u8]
        } else {
            let mut rest = size - 31;
            let mut rep = vec![0x20 | 31];
            while rest >= 128 {
                rep.push(0x80 | (rest & 0x7f) as u8);
                rest >>= 7;
            }
            rep.push(rest as u8);
            rep
        };
        request_with(&mut c, &rep, &[]);
        c.verify_connection_error(&[COMPRESSION_ERROR])
    }
}
