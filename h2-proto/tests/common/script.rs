//! The in-memory tests' side of the wire: raw frames to feed a [`Connection`], the frames it
//! wrote, its events, and moving bytes between two connections.

use h2_proto::connection::PREFACE;
use h2_proto::frame::{self, Frame, StreamId, kind};
use h2_proto::{Config, Connection, ErrorCode, Event, Field, H2Error};
use wire_codec::Instant;

/// The one instant of these tests: nothing here depends on time passing.
pub const T0: Instant = Instant::ZERO;

/// A frame as the connection wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Out {
    pub kind: u8,
    pub flags: u8,
    pub stream: u32,
    pub payload: Vec<u8>,
}

impl Out {
    /// The error code of RST_STREAM or GOAWAY.
    pub fn code(&self) -> u32 {
        let at = if self.kind == kind::GOAWAY { 4 } else { 0 };
        u32::from_be_bytes(self.payload[at..at + 4].try_into().unwrap())
    }
}

/// Everything `conn` has to send, as bytes (the client magic included).
pub fn drain(conn: &mut Connection) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Large enough that no DATA frame is cut short by the end of the buffer.
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = conn.poll_transmit(T0, &mut buf);
        if n == 0 {
            return bytes;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
}

/// Everything `conn` has to send, as frames (after the client magic, if any).
pub fn output(conn: &mut Connection) -> Vec<Out> {
    let bytes = drain(conn);
    let mut rest = bytes.strip_prefix(&PREFACE[..]).unwrap_or(&bytes[..]);
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let header = frame::FrameHeader::decode(rest).unwrap();
        let len = header.length as usize;
        frames.push(Out {
            kind: header.kind,
            flags: header.flags,
            stream: header.stream_id.value(),
            payload: rest[9..9 + len].to_vec(),
        });
        rest = &rest[9 + len..];
    }
    frames
}

pub fn events(conn: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| conn.poll_event()).collect()
}

/// Moves everything `from` has to send into `to`; returns how many bytes.
pub fn pump(from: &mut Connection, to: &mut Connection) -> usize {
    let bytes = drain(from);
    to.handle_input(&bytes, T0).unwrap();
    bytes.len()
}

/// The GOAWAY's error code, if the frames hold one.
pub fn goaway(frames: &[Out]) -> Option<u32> {
    frames
        .iter()
        .find(|f| f.kind == kind::GOAWAY)
        .map(Out::code)
}

/// The first RST_STREAM's error code on `stream`, if any.
pub fn rst_code(frames: &[Out], stream: u32) -> Option<u32> {
    frames
        .iter()
        .find(|f| f.kind == kind::RST_STREAM && f.stream == stream)
        .map(Out::code)
}

/// `input` is a connection error with `code`: GOAWAY carries it, and it is sticky.
pub fn expect_conn_error(conn: &mut Connection, input: &[u8], code: ErrorCode) -> H2Error {
    let err = conn.handle_input(input, T0).unwrap_err();
    assert_eq!(err.code, code, "{err:?}");
    assert!(err.is_connection_error());
    assert_eq!(goaway(&output(conn)), Some(code.0));
    assert_eq!(conn.handle_input(b"", T0).unwrap_err(), err);
    err
}

pub fn fields<'a>(f: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = Field<'a>> {
    f.iter().map(|&f| Field::from(f))
}

pub fn enc(frame: &Frame<'_>) -> Vec<u8> {
    let mut v = Vec::new();
    frame.encode(&mut v).unwrap();
    v
}

pub fn settings(params: &[(u16, u32)]) -> Vec<u8> {
    let mut v = Vec::new();
    frame::encode_settings(&mut v, params).unwrap();
    v
}

pub fn settings_ack() -> Vec<u8> {
    enc(&Frame::Settings {
        ack: true,
        params: frame::SettingsParams::EMPTY,
    })
}

pub fn data(stream: u32, body: &[u8], end_stream: bool) -> Vec<u8> {
    enc(&Frame::Data {
        stream_id: StreamId::new(stream),
        end_stream,
        padding: None,
        data: body,
    })
}

pub fn rst(stream: u32, code: ErrorCode) -> Vec<u8> {
    enc(&Frame::RstStream {
        stream_id: StreamId::new(stream),
        error_code: code,
    })
}

pub fn window_update(stream: u32, increment: u32) -> Vec<u8> {
    enc(&Frame::WindowUpdate {
        stream_id: StreamId::new(stream),
        increment,
    })
}

/// A GET of `/` on `a.example`, pseudo-headers only.
pub const GET: [(&str, &str); 4] = [
    (":method", "GET"),
    (":scheme", "https"),
    (":authority", "a.example"),
    (":path", "/"),
];

/// Our client and our server with these configurations, after the SETTINGS exchange, their
/// events drained.
pub fn pair(client_config: Config, server_config: Config) -> (Connection, Connection) {
    let mut client = Connection::client(client_config, T0);
    let mut server = Connection::server(server_config, T0);
    pump(&mut client, &mut server);
    pump(&mut server, &mut client);
    pump(&mut client, &mut server);
    events(&mut client);
    events(&mut server);
    (client, server)
}
