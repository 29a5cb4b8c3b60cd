//! WebSocket frames (RFC 6455 §5): decode+unmask and encode+mask of 20-byte and 16 KiB binary
//! messages, `ws-proto` against tungstenite and fastwebsockets on the same bytes, and the
//! unmasking loop alone against fastwebsockets'.
//!
//! Decoding is server-side (masked client frames in, whole messages out), every side reading
//! its input `READ_CHUNK` bytes at a time into its read buffer, as from a socket:
//! - `ws-decode`: ws-proto's zero-copy `handle_input_in_place` (unmasked in the read buffer,
//!   payloads borrowed from it, as tungstenite's and fastwebsockets' are shared slices of
//!   theirs);
//! - `ws-decode-lent`: `handle_input` + `poll_event_ref` (copied and unmasked into the
//!   connection's receive buffer, lent from there);
//! - `ws-decode-owned`: `handle_input` + `poll_event` (one `Vec` per message, owned by the
//!   caller).
//!
//! Encoding is client-side (messages in, masked frames out to a sink that drops them), every
//! side formatting each frame into its output buffer and handing it to the sink. Each side
//! starts a fresh connection per batch, so per-connection set-up is measured too.

use std::future::Future;
use std::io::{Read, Write};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::{Comparison, Lcg, race};
use ws_proto::{Config, Connection, Event, EventRef, FrameHeader};

/// A fixed masking key for every side, so all produce the same bytes.
const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// One workload: `count` messages of `size` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// Payload bytes per message.
    pub size: usize,
    /// Messages per batch (about 1 MiB of frames for large messages).
    pub count: usize,
}

/// 20-byte messages.
pub const SMALL: Workload = Workload {
    size: 20,
    count: 1000,
};
/// 16 KiB messages.
pub const LARGE: Workload = Workload {
    size: 16 << 10,
    count: 64,
};

/// Pseudo-random payload bytes.
pub fn payload(size: usize) -> Vec<u8> {
    let mut rng = Lcg::new(6455);
    (0..size).map(|_| rng.next_u64() as u8).collect()
}

/// `count` masked client frames of `payload`, encoded by our client.
pub fn client_frames(payload: &[u8], count: usize) -> Vec<u8> {
    let mut conn = Connection::client(Config::default(), || KEY);
    let mut out = Vec::new();
    for _ in 0..count {
        conn.send_binary(payload, &mut out).expect("Vec grows");
    }
    out
}

/// Bytes per read from the "socket": tungstenite's default read buffer size, which is what
/// `Replay` hands tungstenite per read (fastwebsockets reads at most its buffer's spare room).
/// Ours reads the same, so every side decodes from cache-sized pieces, as from a real socket.
pub const READ_CHUNK: usize = 128 << 10;

/// Decodes every message of `input` with ws-proto the zero-copy way: the bytes are read into
/// the caller's buffer (as from a socket; the peers copy into their read buffers too) and
/// unmasked there, each message borrowed from it. Reads are `READ_CHUNK` into an emptied buffer,
/// except when a frame is cut by the end of the last read: then just the bytes it still lacks
/// (its header says how many) are read right behind it, so nothing is ever moved (as
/// tungstenite's split-off read buffer and fastwebsockets' reserve-and-read do).
pub fn decode_ours(input: &[u8], buf: &mut Vec<u8>) -> u64 {
    let mut conn = Connection::server(Config::default());
    let mut total = 0u64;
    let mut src = input;
    let mut pos = 0;
    buf.clear();
    loop {
        while pos < buf.len() {
            match conn
                .handle_input_in_place(&mut buf[pos..])
                .expect("valid frames")
            {
                Some((message, used)) => {
                    total += message.len() as u64;
                    pos += used;
                }
                None => {
                    if !src.is_empty() && missing(&buf[pos..]) > 0 {
                        break; // read the rest of this frame
                    }
                    // Not a whole plain message: the general path takes it.
                    let used = conn.handle_input(&buf[pos..]).expect("valid frames");
                    while let Some(event) = conn.poll_event_ref() {
                        if let EventRef::Binary(data) = event {
                            total += data.len() as u64;
                        }
                    }
                    if used == 0 {
                        return total;
                    }
                    pos += used;
                }
            }
        }
        if src.is_empty() {
            return total;
        }
        if pos == buf.len() {
            buf.clear();
            pos = 0;
        }
        let want = match missing(&buf[pos..]) {
            0 => READ_CHUNK,
            n => n.min(READ_CHUNK),
        };
        let n = want.min(src.len());
        buf.extend_from_slice(&src[..n]);
        src = &src[n..];
    }
}

/// How many more bytes the frame at the start of `bytes` needs (0: it is all there, or
/// `bytes` is empty); for a cut header, enough for the longest header.
fn missing(bytes: &[u8]) -> usize {
    match FrameHeader::decode(bytes) {
        Ok((header, header_len)) => usize::try_from(header.payload_len)
            .unwrap_or(usize::MAX)
            .saturating_add(header_len)
            .saturating_sub(bytes.len()),
        Err(e) if e.is_incomplete() && !bytes.is_empty() => 14 - bytes.len().min(14),
        Err(_) => 0,
    }
}

/// Decodes every message of `input` with ws-proto's copying input (`handle_input`, for callers
/// that cannot lend a mutable buffer), read `READ_CHUNK` at a time into `buf`; with `lent` the
/// events borrow the connection's receive buffer (`poll_event_ref`, no allocation per
/// message), without it each event owns its payload (`poll_event`, one `Vec` per message).
/// Returns the payload bytes seen.
pub fn decode_ours_copying(input: &[u8], buf: &mut Vec<u8>, lent: bool) -> u64 {
    let mut conn = Connection::server(Config::default());
    let mut total = 0u64;
    for chunk in input.chunks(READ_CHUNK) {
        buf.clear();
        buf.extend_from_slice(chunk);
        let mut pos = 0;
        while pos < buf.len() {
            let used = conn.handle_input(&buf[pos..]).expect("valid frames");
            pos += used;
            if lent {
                while let Some(event) = conn.poll_event_ref() {
                    if let EventRef::Binary(data) = event {
                        total += data.len() as u64;
                    }
                }
            } else {
                while let Some(event) = conn.poll_event() {
                    if let Event::Binary(data) = event {
                        total += data.len() as u64;
                    }
                }
            }
            if used == 0 {
                return total;
            }
        }
    }
    total
}

/// A byte source replaying `data` once, and a sink that drops writes.
struct Replay<'a> {
    data: &'a [u8],
}

impl Read for Replay<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

impl Write for Replay<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl tokio::io::AsyncRead for Replay<'_> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = buf.remaining().min(self.data.len());
        buf.put_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for Replay<'_> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Runs a future whose IO is always ready (the in-memory `Replay`).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// Decodes `count` messages of `input` with tungstenite.
pub fn decode_tungstenite(input: &[u8], count: usize) -> u64 {
    let mut ws = tungstenite::WebSocket::from_raw_socket(
        Replay { data: input },
        tungstenite::protocol::Role::Server,
        None,
    );
    let mut total = 0u64;
    for _ in 0..count {
        if let tungstenite::Message::Binary(data) = ws.read().expect("valid frames") {
            total += data.len() as u64;
        }
    }
    total
}

/// Decodes `count` messages of `input` with fastwebsockets (which unmasks in place).
pub fn decode_fastwebsockets(input: &[u8], count: usize) -> u64 {
    let mut ws = fastwebsockets::WebSocket::after_handshake(
        Replay { data: input },
        fastwebsockets::Role::Server,
    );
    let mut total = 0u64;
    for _ in 0..count {
        let frame = block_on(ws.read_frame()).expect("valid frames");
        total += frame.payload.len() as u64;
    }
    total
}

/// Encodes `count` messages with ws-proto (client, masked) into `out`, handing each frame to
/// `sink` as soon as it is formatted and emptying `out` again, exactly the write pattern of
/// tungstenite's `FrameSocket` (format into its out-buffer, write to the stream, drain) and of
/// fastwebsockets (format into its write buffer, write); returns the bytes written.
pub fn encode_ours(payload: &[u8], count: usize, out: &mut Vec<u8>, sink: &mut Sink) -> u64 {
    let mut conn = Connection::client(Config::default(), || KEY);
    let mut total = 0u64;
    for _ in 0..count {
        out.clear();
        conn.send_binary(payload, out).expect("Vec grows");
        sink.write_all(out).expect("sink takes all");
        total += out.len() as u64;
    }
    total
}

/// A write side that keeps what it is given (to check the bytes) or drops it (as a socket
/// write would take it away), so the peers' own output buffers are what is measured.
#[derive(Default)]
pub struct Sink {
    /// Whether to keep the written bytes in `kept`.
    pub keep: bool,
    /// The bytes written while `keep` was set.
    pub kept: Vec<u8>,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.keep {
            self.kept.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Read for Sink {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Ok(0)
    }
}

/// Encodes `count` messages with tungstenite's own buffered write path (`FrameSocket::write`:
/// header and payload into its output buffer, masked there, handed to the stream), returning
/// the bytes written. (`Frame::format`, used before, copies the payload an extra time, which
/// tungstenite's `WebSocket` never does: that was unfair to tungstenite.)
pub fn encode_tungstenite(
    payload: &tungstenite::Bytes,
    count: usize,
    socket: &mut tungstenite::protocol::frame::FrameSocket<Sink>,
) -> u64 {
    use tungstenite::protocol::frame::Frame;
    use tungstenite::protocol::frame::coding::{Data, OpCode};
    let mut total = 0u64;
    for _ in 0..count {
        let mut frame = Frame::message(payload.clone(), OpCode::Data(Data::Binary), true);
        frame.header_mut().mask = Some(KEY);
        total += frame.len() as u64;
        socket.write(frame).expect("sink takes all");
    }
    socket.flush().expect("sink takes all");
    total
}

/// Encodes `count` messages with fastwebsockets' frame API (`Frame::mask`, which copies a
/// borrowed payload, then `Frame::write` into its write buffer `scratch`, as its
/// `WebSocket::write_frame` does), returning the bytes written; with `keep`, the frames are also
/// appended to `keep` for checking. (Before, every frame was copied once more into one output
/// buffer, work fastwebsockets itself does not do: that was unfair to it.)
pub fn encode_fastwebsockets(
    payload: &[u8],
    count: usize,
    scratch: &mut Vec<u8>,
    mut keep: Option<&mut Vec<u8>>,
) -> u64 {
    use fastwebsockets::{Frame, OpCode, Payload};
    let mut total = 0u64;
    for _ in 0..count {
        let mut frame = Frame::new(true, OpCode::Binary, Some(KEY), Payload::Borrowed(payload));
        frame.mask();
        let bytes = frame.write(scratch);
        total += bytes.len() as u64;
        if let Some(keep) = keep.as_mut() {
            keep.extend_from_slice(bytes);
        }
    }
    total
}

/// One of our decoders: input and read buffer in, payload bytes seen out.
type Decoder = fn(&[u8], &mut Vec<u8>) -> u64;

fn line(name: &str, peer: &str, (ours, theirs): (f64, f64), scale: f64, unit: &str) -> Comparison {
    Comparison {
        name: name.into(),
        peer: peer.into(),
        ours: ours / scale,
        theirs: theirs / scale,
        unit: unit.into(),
    }
}

/// `ws-decode`, `ws-decode-fastwebsockets`, `ws-encode` (20-byte messages) and their `-16k`
/// variants, `ws-decode-lent`, `ws-decode-owned` and `ws-encode-fastwebsockets`, and
/// `ws-unmask`.
pub fn compare() -> Vec<Comparison> {
    let mut lines = Vec::new();
    for (w, suffix) in [(SMALL, ""), (LARGE, "-16k")] {
        let data = payload(w.size);
        let input = client_frames(&data, w.count);
        let expected = (w.size * w.count) as u64;
        let mut buf = Vec::new();
        assert_eq!(decode_ours(&input, &mut buf), expected);
        assert_eq!(decode_ours_copying(&input, &mut buf, true), expected);
        assert_eq!(decode_ours_copying(&input, &mut buf, false), expected);
        assert_eq!(decode_tungstenite(&input, w.count), expected);
        assert_eq!(decode_fastwebsockets(&input, w.count), expected);
        // Small messages: millions of messages per second; large: GB/s of payload.
        let (items, scale, unit) = if w.size < 1024 {
            (w.count as u64, 1e6, "Mmsg/s")
        } else {
            (expected, 1e9, "GB/s")
        };
        let ours_decoders: [(&str, Decoder); 3] = [
            ("", decode_ours),
            ("-lent", |i, b| decode_ours_copying(i, b, true)),
            ("-owned", |i, b| decode_ours_copying(i, b, false)),
        ];
        for (variant, decode) in ours_decoders {
            let t = race(
                items,
                || decode(&input, &mut buf),
                || decode_tungstenite(&input, w.count),
            );
            lines.push(line(
                &format!("ws-decode{variant}{suffix}"),
                "tungstenite",
                t,
                scale,
                unit,
            ));
        }
        let f = race(
            items,
            || decode_ours(&input, &mut buf),
            || decode_fastwebsockets(&input, w.count),
        );
        lines.push(line(
            &format!("ws-decode-fastwebsockets{suffix}"),
            "fastwebsockets",
            f,
            scale,
            unit,
        ));

        let bytes = tungstenite::Bytes::from(data.clone());
        let (mut a, mut c, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
        let mut sink = Sink {
            keep: true,
            kept: Vec::new(),
        };
        let mut socket = tungstenite::protocol::frame::FrameSocket::new(Sink {
            keep: true,
            kept: Vec::new(),
        });
        encode_ours(&data, w.count, &mut a, &mut sink);
        encode_tungstenite(&bytes, w.count, &mut socket);
        encode_fastwebsockets(&data, w.count, &mut scratch, Some(&mut c));
        assert_eq!(sink.kept, input, "ours encodes the reference frames");
        sink = Sink::default();
        assert_eq!(
            socket.get_ref().kept,
            input,
            "tungstenite encodes the same frames"
        );
        assert_eq!(c, input, "fastwebsockets encodes the same frames");
        socket.get_mut().keep = false;
        let t = race(
            items,
            || encode_ours(&data, w.count, &mut a, &mut sink),
            || encode_tungstenite(&bytes, w.count, &mut socket),
        );
        lines.push(line(
            &format!("ws-encode{suffix}"),
            "tungstenite",
            t,
            scale,
            unit,
        ));
        let f = race(
            items,
            || encode_ours(&data, w.count, &mut a, &mut sink),
            || encode_fastwebsockets(&data, w.count, &mut scratch, None),
        );
        lines.push(line(
            &format!("ws-encode-fastwebsockets{suffix}"),
            "fastwebsockets",
            f,
            scale,
            unit,
        ));
    }
    // The XOR loop alone, on 16 KiB in place (both buffers from the allocator, so alignment is
    // whatever it gives either side).
    let mut ours_buf = payload(16 << 10);
    let mut their_buf = ours_buf.clone();
    let u = race(
        16 << 10,
        || {
            ws_proto::apply_mask(&mut ours_buf, KEY, 0);
            u64::from(ours_buf[0])
        },
        || {
            fastwebsockets::unmask(&mut their_buf, KEY);
            u64::from(their_buf[0])
        },
    );
    lines.push(line("ws-unmask", "fastwebsockets", u, 1e9, "GB/s"));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_sides_agree_on_the_benchmark_input() {
        for w in [SMALL, LARGE] {
            let data = payload(w.size);
            let input = client_frames(&data, w.count);
            let expected = (w.size * w.count) as u64;
            assert_eq!(decode_ours(&input, &mut Vec::new()), expected);
            assert_eq!(decode_ours_copying(&input, &mut Vec::new(), true), expected);
            assert_eq!(
                decode_ours_copying(&input, &mut Vec::new(), false),
                expected
            );
            assert_eq!(decode_tungstenite(&input, w.count), expected);
            assert_eq!(decode_fastwebsockets(&input, w.count), expected);
            let (mut a, mut c, mut s) = (Vec::new(), Vec::new(), Vec::new());
            let mut sink = Sink {
                keep: true,
                kept: Vec::new(),
            };
            let mut socket = tungstenite::protocol::frame::FrameSocket::new(Sink {
                keep: true,
                kept: Vec::new(),
            });
            let n = encode_ours(&data, w.count, &mut a, &mut sink);
            assert_eq!(n, input.len() as u64);
            encode_tungstenite(
                &tungstenite::Bytes::from(data.clone()),
                w.count,
                &mut socket,
            );
            encode_fastwebsockets(&data, w.count, &mut s, Some(&mut c));
            assert_eq!(sink.kept, input);
            assert_eq!(sink.kept, socket.get_ref().kept);
            assert_eq!(sink.kept, c);
        }
        let mut x = payload(100);
        let mut y = x.clone();
        ws_proto::apply_mask(&mut x, KEY, 0);
        fastwebsockets::unmask(&mut y, KEY);
        assert_eq!(x, y);
    }
}
