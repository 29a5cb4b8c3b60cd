//! HTTP/2 connections (RFC 9113) in memory: `h2-proto` against hyperium `h2`.
//!
//! What each side includes, so the comparison is fair:
//! - `h2-requests`: per call, a fresh client↔server connection (preface, SETTINGS exchange)
//!   and [`REQUESTS`] GET requests in batches of [`BATCH`] concurrent streams, each answered
//!   `200` with the 6-byte body `hello!`, which the client reads to the end. h2 runs both
//!   ends as tokio tasks over a `tokio::io::duplex` on a current-thread runtime (its only
//!   mode); ours runs both state machines in one loop. Both sides HPACK-encode and decode every
//!   head and validate every message.
//! - `h2-bulk`: per call, one fresh connection and one request whose response carries
//!   [`BULK_BYTES`] of body in DATA frames, both sides with 1 MiB stream and connection
//!   windows and 16 KiB frames, the client returning the window as it reads. Both servers get
//!   the body as one `Bytes` (no copy on hand-over).
//! - The transport: h2 writes into the duplex pipe and reads out of it (two copies, as through
//!   a socket). Ours is moved the way an IO loop over a socket would: `poll_transmit_into`
//!   appends to a reused `BytesMut` (the one copy, standing for the socket read), the receiver
//!   gets it with `handle_input_bytes`, and DATA events are slices of it, handled before the
//!   next read. So the ratio includes our zero-copy receive path, by design.

use ::h2 as hyper_h2;
use bytes::{Bytes, BytesMut};
use h2_proto::{Config, Connection, Event, Field, HeadersKind, StreamId};
use wire_codec::Instant;

use crate::{Comparison, race};

/// Requests per call of `h2-requests`.
pub const REQUESTS: usize = 100;
/// Concurrent streams per batch.
pub const BATCH: usize = 10;
/// Body bytes per call of `h2-bulk`.
pub const BULK_BYTES: usize = 8 << 20;
const WINDOW: u32 = 1 << 20;
const T0: Instant = Instant::ZERO;
const BODY: &[u8] = b"hello!";

const GET: [(&str, &str); 4] = [
    (":method", "GET"),
    (":scheme", "http"),
    (":authority", "localhost"),
    (":path", "/api/test"),
];

/// Moves every byte `from` wants to send into `to`, `CHUNK` bytes at a time, the way an IO
/// layer reading a socket into a `BytesMut` hands data over: the receiver gets each chunk as
/// `Bytes` (DATA payloads are sliced from it, not copied), and `buf` reuses its allocation
/// once those slices are dropped.
fn pump(from: &mut Connection, to: &mut Connection, buf: &mut BytesMut) -> usize {
    let mut moved = 0;
    loop {
        let n = pump_once(from, to, buf);
        if n == 0 {
            return moved;
        }
        moved += n;
    }
}

/// One `CHUNK` of [`pump`].
fn pump_once(from: &mut Connection, to: &mut Connection, buf: &mut BytesMut) -> usize {
    buf.reserve(CHUNK);
    let n = from.poll_transmit_into(T0, &mut Appender(buf), CHUNK);
    if n > 0 {
        let _ = to.handle_input_bytes(buf.split().freeze(), T0);
    }
    n
}

/// `poll_transmit_into` appends to a `BytesMut` through this.
struct Appender<'a>(&'a mut BytesMut);

impl wire_codec::Output for Appender<'_> {
    fn remaining_capacity(&self) -> usize {
        usize::MAX - self.0.len()
    }

    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), wire_codec::BufferTooSmall> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// Bytes moved per `poll_transmit`.
const CHUNK: usize = 64 * 1024;

fn pair(config: Config) -> (Connection, Connection) {
    (
        Connection::client(config, T0),
        Connection::server(config, T0),
    )
}

/// Ours: `REQUESTS` GETs on a fresh connection; returns the body bytes the client read.
pub fn requests_ours() -> u64 {
    let (mut client, mut server) = pair(Config::default());
    let mut buf = BytesMut::with_capacity(CHUNK);
    let mut received = 0u64;
    let mut pending_body: Vec<StreamId> = Vec::new();
    for _ in 0..REQUESTS / BATCH {
        for _ in 0..BATCH {
            let _ = client.send_request(GET.iter().map(|&f| Field::from(f)), true);
        }
        let mut done = 0;
        while done < BATCH {
            pump(&mut client, &mut server, &mut buf);
            while let Some(event) = server.poll_event() {
                if let Event::Headers {
                    stream,
                    kind: HeadersKind::Request,
                    ..
                } = event
                {
                    let _ = server.send_headers(stream, [Field::new(b":status", b"200")], false);
                    pending_body.push(stream);
                }
            }
            for stream in pending_body.drain(..) {
                let _ = server.send_data(stream, BODY, true);
            }
            if pump(&mut server, &mut client, &mut buf) == 0 {
                break;
            }
            while let Some(event) = client.poll_event() {
                if let Event::Data {
                    data, end_stream, ..
                } = event
                {
                    received += data.len() as u64;
                    done += usize::from(end_stream);
                }
            }
        }
    }
    received
}

/// Ours: one response of `BULK_BYTES`; returns the body bytes the client read.
pub fn bulk_ours(body: &Bytes) -> u64 {
    let config = Config::default().with_windows(WINDOW, WINDOW);
    let (mut client, mut server) = pair(config);
    let mut buf = BytesMut::with_capacity(CHUNK);
    let _ = client.send_request(GET.iter().map(|&f| Field::from(f)), true);
    pump(&mut client, &mut server, &mut buf);
    let mut stream = None;
    while let Some(event) = server.poll_event() {
        if let Event::Headers { stream: s, .. } = event {
            stream = Some(s);
        }
    }
    let Some(stream) = stream else { return 0 };
    let _ = server.send_headers(stream, [Field::new(b":status", b"200")], false);
    let mut sent = 0usize;
    let mut received = 0u64;
    let mut finished = false;
    while !finished {
        if sent < BULK_BYTES {
            // Zero-copy hand-over, as h2's `send_data(Bytes)`.
            let rest = server
                .send_bytes(stream, body.slice(sent..), true)
                .unwrap_or_default();
            sent = BULK_BYTES - rest.len();
        }
        // One read at a time, its events handled before the next read, as an IO loop does
        // (so the read buffer is reclaimed instead of reallocated).
        let mut moved = 0;
        loop {
            let n = pump_once(&mut server, &mut client, &mut buf);
            if n == 0 {
                break;
            }
            moved += n;
            while let Some(event) = client.poll_event() {
                if let Event::Data {
                    data, end_stream, ..
                } = event
                {
                    received += data.len() as u64;
                    finished |= end_stream;
                }
            }
        }
        pump(&mut client, &mut server, &mut buf);
        while server.poll_event().is_some() {}
        if moved == 0 && !finished && server.send_capacity(stream) == 0 && sent == BULK_BYTES {
            break;
        }
    }
    received
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
}

async fn hyper_serve(io: tokio::io::DuplexStream, body: Bytes, window: Option<u32>) {
    let mut builder = hyper_h2::server::Builder::new();
    if let Some(w) = window {
        builder
            .initial_window_size(w)
            .initial_connection_window_size(w);
    }
    let Ok(mut conn) = builder.handshake::<_, Bytes>(io).await else {
        return;
    };
    while let Some(Ok((_, mut respond))) = conn.accept().await {
        let body = body.clone();
        tokio::spawn(async move {
            let Ok(mut send) = respond.send_response(http::Response::new(()), false) else {
                return;
            };
            let mut rest = body;
            while !rest.is_empty() {
                send.reserve_capacity(rest.len());
                let Some(Ok(cap)) = std::future::poll_fn(|cx| send.poll_capacity(cx)).await else {
                    return;
                };
                let piece = rest.split_to(cap.min(rest.len()));
                let _ = send.send_data(piece, rest.is_empty());
            }
        });
    }
}

async fn hyper_read(response: hyper_h2::client::ResponseFuture) -> u64 {
    let Ok(response) = response.await else {
        return 0;
    };
    let mut body = response.into_body();
    let mut n = 0u64;
    while let Some(Ok(chunk)) = body.data().await {
        n += chunk.len() as u64;
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    n
}

fn hyper_request() -> http::Request<()> {
    http::Request::builder()
        .uri("http://localhost/api/test")
        .body(())
        .unwrap_or_default()
}

/// hyperium h2: `REQUESTS` GETs on a fresh connection; returns the body bytes read.
pub fn requests_hyper(rt: &tokio::runtime::Runtime) -> u64 {
    rt.block_on(async {
        let (c, s) = tokio::io::duplex(64 * 1024);
        let server = tokio::spawn(hyper_serve(s, Bytes::from_static(BODY), None));
        let Ok((mut client, conn)) = hyper_h2::client::handshake(c).await else {
            return 0;
        };
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut received = 0;
        for _ in 0..REQUESTS / BATCH {
            let mut responses = Vec::with_capacity(BATCH);
            for _ in 0..BATCH {
                let Ok(ready) = client.clone().ready().await else {
                    return received;
                };
                client = ready;
                if let Ok((response, _)) = client.send_request(hyper_request(), true) {
                    responses.push(response);
                }
            }
            for response in responses {
                received += hyper_read(response).await;
            }
        }
        drop(client);
        let _ = driver.await;
        let _ = server.await;
        received
    })
}

/// hyperium h2: one response of `BULK_BYTES`; returns the body bytes read.
pub fn bulk_hyper(rt: &tokio::runtime::Runtime, body: &Bytes) -> u64 {
    rt.block_on(async {
        let (c, s) = tokio::io::duplex(256 * 1024);
        let server = tokio::spawn(hyper_serve(s, body.clone(), Some(WINDOW)));
        let mut builder = hyper_h2::client::Builder::new();
        builder
            .initial_window_size(WINDOW)
            .initial_connection_window_size(WINDOW);
        let Ok((client, conn)) = builder.handshake::<_, Bytes>(c).await else {
            return 0;
        };
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        let Ok(mut client) = client.ready().await else {
            return 0;
        };
        let received = match client.send_request(hyper_request(), true) {
            Ok((response, _)) => hyper_read(response).await,
            Err(_) => 0,
        };
        drop(client);
        let _ = driver.await;
        let _ = server.await;
        received
    })
}

/// `h2-requests` and `h2-bulk`.
pub fn compare() -> Vec<Comparison> {
    let rt = runtime();
    let expected = (REQUESTS * BODY.len()) as u64;
    assert_eq!(requests_ours(), expected, "ours answers every request");
    assert_eq!(requests_hyper(&rt), expected, "h2 answers every request");
    let (ours, theirs) = race(REQUESTS as u64, requests_ours, || requests_hyper(&rt));
    let requests = Comparison {
        name: "h2-requests".into(),
        peer: "h2".into(),
        ours: ours / 1e3,
        theirs: theirs / 1e3,
        unit: "kreq/s".into(),
    };

    let body = Bytes::from(vec![0x5au8; BULK_BYTES]);
    assert_eq!(
        bulk_ours(&body),
        BULK_BYTES as u64,
        "ours delivers the body"
    );
    assert_eq!(
        bulk_hyper(&rt, &body),
        BULK_BYTES as u64,
        "h2 delivers the body"
    );
    let (ours, theirs) = race(
        BULK_BYTES as u64,
        || bulk_ours(&body),
        || bulk_hyper(&rt, &body),
    );
    let bulk = Comparison {
        name: "h2-bulk".into(),
        peer: "h2".into(),
        ours: ours / 1e6,
        theirs: theirs / 1e6,
        unit: "MB/s".into(),
    };
    vec![requests, bulk]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_do_the_same_work() {
        let rt = runtime();
        assert_eq!(requests_ours(), (REQUESTS * BODY.len()) as u64);
        assert_eq!(requests_hyper(&rt), (REQUESTS * BODY.len()) as u64);
        let body = Bytes::from(vec![1u8; BULK_BYTES]);
        assert_eq!(bulk_ours(&body), BULK_BYTES as u64);
        assert_eq!(bulk_hyper(&rt, &body), BULK_BYTES as u64);
    }
}
