//! The HTTP/2 connection, both roles, sans-IO (RFC 9113 §3 to §8).
//!
//! Method groups, in the order an IO loop uses them:
//!
//! - input: [`Connection::handle_input`] with bytes read from the transport and `now`;
//! - output: [`Connection::poll_event`] until `None`, then [`Connection::poll_transmit`] into
//!   the caller's buffer until it returns 0, and write those bytes to the transport;
//! - timers: [`Connection::poll_timeout`] / [`Connection::handle_timeout`] (the SETTINGS ACK
//!   timeout, RFC 9113 §6.5.3);
//! - commands: [`Connection::send_request`] (also extended CONNECT, RFC 8441),
//!   [`Connection::push_promise`] (server push, RFC 9113 §8.4), [`Connection::send_headers`],
//!   [`Connection::send_data`], [`Connection::reset`], [`Connection::ping`],
//!   [`Connection::shutdown`], [`Connection::go_away`], [`Connection::release_capacity`]; each
//!   returns a typed [`UserError`] for local misuse.
//!
//! Peer violations become [`H2Error`]s: a stream error resets the stream (RST_STREAM) and the
//! connection goes on; a connection error sends GOAWAY with its code and is sticky — every later
//! `handle_input` returns it.
//!
//! Outbound DATA is accepted by [`Connection::send_data`] only within the flow-control windows
//! (and a per-stream buffer limit), so nothing is ever buffered without bound; the rest is for
//! the application to offer again after [`Event::SendCapacity`].

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use bytes::Bytes;
use qpack_hpack::hpack::{self, Field, Header};
use wire_codec::{DecodeError, Duration, Instant, Output};

use crate::error::{ErrorCode, H2Error, Reason, Scope};
use crate::frame::{
    self, DEFAULT_MAX_FRAME_SIZE, Frame, FrameHeader, HEADER_LEN, MAX_MAX_FRAME_SIZE,
    MAX_WINDOW_SIZE, StreamId, flags, kind, setting,
};
use crate::http_fields::{Malformed, SectionChecker, SectionKind};
use crate::priority::Priority;
use crate::schedule::SendSchedule;
use crate::stream::{State, Transition};

mod prio;
mod push;
mod upgrade;

/// The client connection preface (RFC 9113 §3.4).
pub const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The protocol's initial window size, before any SETTINGS (RFC 9113 §6.9.2).
const DEFAULT_WINDOW: u32 = 65_535;

/// Which end of the connection this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Sends the preface and requests.
    Client,
    /// Answers requests.
    Server,
}

/// The SETTINGS we advertise (RFC 9113 §6.5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalSettings {
    /// SETTINGS_HEADER_TABLE_SIZE: our HPACK decoder's table size. Default 4096.
    pub header_table_size: u32,
    /// SETTINGS_MAX_CONCURRENT_STREAMS: streams the peer may open. Default 100 (as nghttp2).
    pub max_concurrent_streams: u32,
    /// SETTINGS_INITIAL_WINDOW_SIZE: each stream's receive window. Default 65 535.
    pub initial_window_size: u32,
    /// SETTINGS_MAX_FRAME_SIZE: the largest frame we accept. Default 16 384.
    pub max_frame_size: u32,
    /// SETTINGS_MAX_HEADER_LIST_SIZE: the largest decoded header list. Default 64 KiB.
    pub max_header_list_size: u32,
    /// SETTINGS_ENABLE_PUSH (client only): accept server push (RFC 9113 §8.4). Default off, as
    /// browsers do; a PUSH_PROMISE is then a connection error PROTOCOL_ERROR (§6.6).
    pub enable_push: bool,
    /// SETTINGS_ENABLE_CONNECT_PROTOCOL (server only, RFC 8441 §3): accept extended CONNECT
    /// requests (`:protocol`, e.g. WebSocket over HTTP/2). Default off.
    pub enable_connect_protocol: bool,
    /// SETTINGS_NO_RFC7540_PRIORITIES = 1 (RFC 9218 §2.1): we ignore RFC 7540 priority
    /// signals (we always do) and take RFC 9218 ones. Default on; off sends nothing.
    pub no_rfc7540_priorities: bool,
}

impl Default for LocalSettings {
    fn default() -> Self {
        Self {
            header_table_size: 4096,
            max_concurrent_streams: 100,
            initial_window_size: DEFAULT_WINDOW,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            max_header_list_size: 64 * 1024,
            enable_push: false,
            enable_connect_protocol: false,
            no_rfc7540_priorities: true,
        }
    }
}

/// Bounds against hostile peers, each mapped to a protocol error (defaults like nghttp2's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Most fields in one header block (the many-tiny-fields bomb). Default 1024.
    pub max_header_fields: usize,
    /// Most compressed bytes in one header block across CONTINUATION frames. Default 64 KiB.
    pub max_header_block_size: usize,
    /// Most CONTINUATION frames after one HEADERS (the 2024 CONTINUATION flood). Default 8,
    /// nghttp2's.
    pub max_continuation_frames: usize,
    /// Most frames we generate on our own (PING and SETTINGS ACKs, RST_STREAM) waiting to be
    /// transmitted: ping, settings and reset floods whose answers the peer does not read.
    /// Default 1000, nghttp2's.
    pub max_pending_control_frames: usize,
    /// Most parameters in one SETTINGS frame. Default 32, nghttp2's.
    pub max_settings_params: usize,
    /// Stream resets allowed in a burst, whichever side sends them: Rapid Reset
    /// (CVE-2023-44487) and MadeYouReset (CVE-2025-8671). Default 1000, nghttp2's.
    pub reset_burst: u32,
    /// Resets per second refilled into the burst allowance. Default 33, nghttp2's.
    pub reset_rate_per_sec: u32,
    /// DATA frames smaller than this (and without END_STREAM) count as tiny. Default 16.
    pub tiny_data_size: usize,
    /// Tiny DATA, empty HEADERS or CONTINUATION, priority signals (PRIORITY,
    /// PRIORITY_UPDATE) and frames of unknown types (work for us, nothing for the peer,
    /// RFC 9113 §10.5) allowed in a row; a DATA or header frame with content starts the count
    /// again. Default 1000.
    pub max_tiny_frames: u32,
    /// Closed streams remembered (to tell late frames from violations); older ones are
    /// forgotten. Default 256.
    pub max_closed_streams: usize,
    /// Outbound bytes buffered per stream, on top of the window bound. Default 1 MiB.
    pub max_send_buffer: usize,
    /// Most promised streams outstanding in reserved state (RFC 9113 §8.4), each way: a client
    /// refuses further PUSH_PROMISEs with RST_STREAM(CANCEL), a server's
    /// [`Connection::push_promise`] returns [`UserError::StreamLimit`]. Reserved streams do not
    /// count toward SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2), so this bounds their memory.
    /// Default 200, nghttp2's.
    pub max_reserved_streams: usize,
    /// Server: priorities from PRIORITY_UPDATE remembered for streams not yet opened (RFC 9218
    /// §7); further ones are dropped. Independently, idle prioritized plus active streams above
    /// SETTINGS_MAX_CONCURRENT_STREAMS are a connection error (§7.1). Default 100.
    pub max_idle_priorities: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_fields: 1024,
            max_header_block_size: 64 * 1024,
            max_continuation_frames: 8,
            max_pending_control_frames: 1000,
            max_settings_params: 32,
            reset_burst: 1000,
            reset_rate_per_sec: 33,
            tiny_data_size: 16,
            max_tiny_frames: 1000,
            max_closed_streams: 256,
            max_send_buffer: 1 << 20,
            max_reserved_streams: 200,
            max_idle_priorities: 100,
        }
    }
}

/// A connection's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// What we advertise.
    pub settings: LocalSettings,
    /// The connection-level receive window we keep open (raised from 65 535 by a
    /// WINDOW_UPDATE at start when larger). Default 65 535.
    pub connection_window: u32,
    /// Send WINDOW_UPDATE automatically once half a window has been delivered as events.
    /// When off, the application calls [`Connection::release_capacity`]. Default on.
    pub auto_window_update: bool,
    /// How long the peer has to acknowledge our SETTINGS (§6.5.3). Default 10 s.
    pub settings_timeout: Duration,
    /// DoS bounds.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            settings: LocalSettings::default(),
            connection_window: DEFAULT_WINDOW,
            auto_window_update: true,
            settings_timeout: Duration::from_secs(10),
            limits: Limits::default(),
        }
    }
}

impl Config {
    /// The defaults with other windows: each stream's and the connection's.
    pub fn with_windows(mut self, stream: u32, connection: u32) -> Self {
        self.settings.initial_window_size = stream.min(MAX_WINDOW_SIZE);
        self.connection_window = connection.min(MAX_WINDOW_SIZE);
        self
    }

    /// The defaults with another SETTINGS_MAX_CONCURRENT_STREAMS.
    pub fn with_max_concurrent_streams(mut self, max: u32) -> Self {
        self.settings.max_concurrent_streams = max;
        self
    }

    /// The defaults with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Automatic WINDOW_UPDATE on or off.
    pub fn with_auto_window_update(mut self, on: bool) -> Self {
        self.auto_window_update = on;
        self
    }

    /// Client: accept server push (SETTINGS_ENABLE_PUSH = 1, RFC 9113 §8.4) or not.
    pub fn with_push(mut self, on: bool) -> Self {
        self.settings.enable_push = on;
        self
    }

    /// Server: accept extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, RFC 8441) or not.
    pub fn with_connect_protocol(mut self, on: bool) -> Self {
        self.settings.enable_connect_protocol = on;
        self
    }
}

/// The peer's SETTINGS as last received (initial values from RFC 9113 §6.5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeerSettings {
    /// SETTINGS_HEADER_TABLE_SIZE.
    pub header_table_size: u32,
    /// SETTINGS_ENABLE_PUSH.
    pub enable_push: bool,
    /// SETTINGS_MAX_CONCURRENT_STREAMS (unlimited: `u32::MAX`).
    pub max_concurrent_streams: u32,
    /// SETTINGS_INITIAL_WINDOW_SIZE.
    pub initial_window_size: u32,
    /// SETTINGS_MAX_FRAME_SIZE.
    pub max_frame_size: u32,
    /// SETTINGS_MAX_HEADER_LIST_SIZE (unlimited: `u32::MAX`).
    pub max_header_list_size: u32,
    /// SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441): the peer (a server) accepts extended
    /// CONNECT.
    pub enable_connect_protocol: bool,
    /// SETTINGS_NO_RFC7540_PRIORITIES (RFC 9218 §2.1): the peer ignores RFC 7540 priority
    /// signals; from a server, also a hint that it acts on PRIORITY_UPDATE (§2.1.1).
    pub no_rfc7540_priorities: bool,
}

impl Default for PeerSettings {
    fn default() -> Self {
        Self {
            header_table_size: 4096,
            enable_push: true,
            max_concurrent_streams: u32::MAX,
            initial_window_size: DEFAULT_WINDOW,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            max_header_list_size: u32::MAX,
            enable_connect_protocol: false,
            no_rfc7540_priorities: false,
        }
    }
}

/// What a received header section is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeadersKind {
    /// A request (server side).
    Request,
    /// An informational (1xx) response, e.g. 103 Early Hints (client side).
    Informational(u16),
    /// The final response (client side).
    Response(u16),
    /// Trailers.
    Trailers,
}

/// What the connection reports to the application.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A header section arrived, validated (RFC 9113 §8.1, §8.3).
    Headers {
        /// The stream.
        stream: StreamId,
        /// What it is.
        kind: HeadersKind,
        /// The fields, pseudo-headers first.
        headers: Vec<Header>,
        /// The peer ended its side of the stream.
        end_stream: bool,
    },
    /// Body bytes arrived.
    Data {
        /// The stream.
        stream: StreamId,
        /// The bytes (padding removed).
        data: Bytes,
        /// The peer ended its side of the stream.
        end_stream: bool,
    },
    /// The stream was reset, by the peer (`remote`) or by us because of a stream error.
    StreamReset {
        /// The stream.
        stream: StreamId,
        /// The RST_STREAM code.
        code: ErrorCode,
        /// Whether the peer sent it.
        remote: bool,
    },
    /// The stream's send window grew: [`Connection::send_data`] may accept more.
    SendCapacity {
        /// The stream.
        stream: StreamId,
    },
    /// The peer's SETTINGS arrived (and were acknowledged).
    PeerSettings(PeerSettings),
    /// The peer acknowledged our SETTINGS.
    SettingsAcked,
    /// Client: the server promised a pushed response (PUSH_PROMISE, RFC 9113 §8.4) on
    /// `promised`, reserved (remote) now. The request fields were checked (§8.4.1: a complete
    /// request, method GET or HEAD, no content, `:authority` present); whether the server is
    /// authoritative for `:authority` is the application's call: when it is not, reset
    /// `promised` with PROTOCOL_ERROR (§8.4), and reset it with CANCEL when the push is not
    /// wanted (§8.4.2). Otherwise the response arrives as [`Event::Headers`] on `promised`.
    PushPromise {
        /// The client request the push is associated with.
        stream: StreamId,
        /// The reserved stream that will carry the pushed response.
        promised: StreamId,
        /// The promised request's fields, pseudo-headers first.
        headers: Vec<Header>,
    },
    /// The peer answered our PING.
    PingAck([u8; 8]),
    /// The peer sent GOAWAY: streams above `last_stream_id` were not processed.
    GoAway {
        /// The last stream the peer may process.
        last_stream_id: StreamId,
        /// Why.
        code: ErrorCode,
        /// Debug data.
        debug_data: Vec<u8>,
    },
    /// A connection error: GOAWAY has been queued and the connection is finished.
    ConnectionError(H2Error),
}

/// Local misuse of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum UserError {
    /// The command is for the other role.
    #[error("not allowed in this role")]
    WrongRole,
    /// No such stream, or it is closed.
    #[error("no open stream {0}")]
    UnknownStream(StreamId),
    /// The stream's state does not allow this (e.g. DATA after END_STREAM).
    #[error("stream {0} cannot send this now")]
    InvalidState(StreamId),
    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS is reached.
    #[error("peer's concurrent stream limit reached")]
    StreamLimit,
    /// Stream ids are used up; open a new connection.
    #[error("stream ids exhausted")]
    StreamIdsExhausted,
    /// GOAWAY was sent or received: no new streams.
    #[error("connection is going away")]
    GoingAway,
    /// The connection ended with an error.
    #[error("connection closed: {0}")]
    Closed(H2Error),
    /// The fields break HTTP/2 message rules.
    #[error("malformed fields: {0}")]
    Malformed(Malformed),
    /// Too many of our PINGs are unanswered.
    #[error("too many PINGs in flight")]
    TooManyPings,
    /// The fields exceed the peer's SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2).
    #[error("header list larger than the peer accepts")]
    HeaderListTooLarge,
    /// The client disabled server push (SETTINGS_ENABLE_PUSH = 0, RFC 9113 §6.6).
    #[error("the peer disabled server push")]
    PushDisabled,
    /// Extended CONNECT (`:protocol`) before the server sent SETTINGS_ENABLE_CONNECT_PROTOCOL
    /// = 1 (RFC 8441 §3); wait for [`Event::PeerSettings`].
    #[error("the peer has not enabled extended CONNECT")]
    ConnectProtocolDisabled,
}

/// How a stream we no longer track ended, to judge frames that arrive late (RFC 9113 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClosedBy {
    /// We sent RST_STREAM: frames in flight are ignored.
    LocalReset,
    /// The peer sent RST_STREAM: later frames are a stream error STREAM_CLOSED.
    PeerReset,
    /// Both sides ended with END_STREAM: later frames are a connection error STREAM_CLOSED.
    EndStream,
}

/// Where a stream's inbound message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecvPhase {
    /// Waiting for the request or (final) response head.
    Head,
    /// After the head: DATA or trailers.
    Body,
}

#[derive(Debug)]
struct Stream {
    state: State,
    recv_phase: RecvPhase,
    /// Our side sent its final (non-1xx) head.
    sent_final_head: bool,
    send_window: i64,
    recv_window: i64,
    /// Delivered bytes not yet returned to the peer with WINDOW_UPDATE.
    recv_unacked: u32,
    /// Accepted DATA not yet transmitted, as the application handed it over.
    send_queue: VecDeque<Bytes>,
    send_queued: usize,
    /// END_STREAM follows the buffered data.
    send_end: bool,
    /// Trailers to send after the buffered data (encoded only then, to keep HPACK order).
    send_trailers: Option<Vec<Header>>,
    /// Queued in `Connection::send_order`.
    scheduled: bool,
    /// What `send_order` schedules the stream's DATA with (RFC 9218).
    priority: Priority,
    content_length: Option<u64>,
    received: u64,
    /// The request was HEAD: its response's content-length says nothing about the body.
    head_request: bool,
    /// Client: the request was CONNECT (also extended, RFC 8441): a 2xx response opens a
    /// tunnel, whose content-length is ignored (RFC 9110 §8.6).
    connect_request: bool,
}

impl Stream {
    fn new(state: State, send_window: u32, recv_window: u32) -> Self {
        Self {
            state,
            recv_phase: RecvPhase::Head,
            sent_final_head: false,
            send_window: i64::from(send_window),
            recv_window: i64::from(recv_window),
            recv_unacked: 0,
            send_queue: VecDeque::new(),
            send_queued: 0,
            send_end: false,
            send_trailers: None,
            scheduled: false,
            priority: Priority::DEFAULT,
            content_length: None,
            received: 0,
            head_request: false,
            connect_request: false,
        }
    }

    fn queued(&self) -> usize {
        self.send_queued
    }
}

/// A header block being collected across CONTINUATION frames (§6.10).
#[derive(Debug)]
struct PendingBlock {
    stream: StreamId,
    /// PUSH_PROMISE's promised stream; `None` for HEADERS.
    promised: Option<StreamId>,
    end_stream: bool,
    self_dependent: bool,
    block: Vec<u8>,
    continuations: usize,
}

/// The frame that starts a field block we send (§4.3).
#[derive(Clone, Copy, Debug)]
enum BlockStart {
    /// HEADERS, ending the stream or not.
    Headers { end_stream: bool },
    /// PUSH_PROMISE reserving `promised` (§6.6).
    PushPromise { promised: StreamId },
}

/// The promised stream id that precedes the field block in PUSH_PROMISE (§6.6).
const PROMISED_ID_LEN: usize = 4;

/// Where the connection preface is (§3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Preface {
    /// Server: reading the client magic (bytes matched so far).
    Magic(usize),
    /// The peer's first frame must be SETTINGS.
    Settings,
    /// Done.
    Done,
}

/// Our graceful shutdown (§6.8): GOAWAY with 2^31 - 1, a PING, then the final GOAWAY.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shutdown {
    None,
    Draining([u8; 8]),
    Sent,
}

const SHUTDOWN_PING: [u8; 8] = *b"h2-drain";
const MAX_PINGS_IN_FLIGHT: usize = 16;

/// An HTTP/2 connection (RFC 9113), client or server, without IO.
#[derive(Debug)]
pub struct Connection {
    role: Role,
    config: Config,
    preface: Preface,
    peer: PeerSettings,
    /// Our SETTINGS sent and not yet acknowledged, with the ACK deadline of the oldest.
    unacked_settings: VecDeque<LocalSettings>,
    settings_deadline: Option<Instant>,
    /// Local settings in force (acknowledged).
    acked: LocalSettings,
    decoder: hpack::Decoder,
    encoder: hpack::Encoder,
    recv_buf: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    pending_control: usize,
    streams: BTreeMap<u32, Stream>,
    closed: VecDeque<(u32, ClosedBy)>,
    send_order: SendSchedule,
    /// RFC 9218 state: priorities for idle streams, the peer's first NO_RFC7540_PRIORITIES.
    priorities: prio::PriorityState,
    /// DATA accepted on all streams and not yet transmitted: within the connection window.
    send_queued_total: usize,
    next_local_id: u32,
    last_peer_id: u32,
    active_local: u32,
    active_peer: u32,
    /// Promised streams still reserved (RFC 9113 §5.1), by us (server) or the peer (client).
    reserved_local: usize,
    reserved_remote: usize,
    send_window: i64,
    recv_window: i64,
    recv_unacked: u32,
    block: Option<PendingBlock>,
    goaway_sent: Option<StreamId>,
    goaway_received: Option<StreamId>,
    shutdown: Shutdown,
    pings: VecDeque<[u8; 8]>,
    fatal: Option<H2Error>,
    events: VecDeque<Event>,
    reset_tokens: u32,
    reset_refill_at: Instant,
    tiny_frames: u32,
    now: Instant,
    scratch: Vec<u8>,
    /// The `Bytes` being processed by `handle_input_bytes`.
    input_owner: Option<Bytes>,
}

fn conn_err(code: ErrorCode, reason: Reason) -> H2Error {
    H2Error::connection(code, reason)
}

/// The SETTINGS parameters we send in our first SETTINGS frame (RFC 9113 §6.5.2), which are
/// also a client's `HTTP2-Settings` for an h2c upgrade.
fn advertised_settings(role: Role, s: &LocalSettings) -> Vec<(u16, u32)> {
    let params = [
        (setting::HEADER_TABLE_SIZE, s.header_table_size),
        (setting::ENABLE_PUSH, u32::from(s.enable_push)),
        (setting::MAX_CONCURRENT_STREAMS, s.max_concurrent_streams),
        (setting::INITIAL_WINDOW_SIZE, s.initial_window_size),
        (setting::MAX_FRAME_SIZE, s.max_frame_size),
        (setting::MAX_HEADER_LIST_SIZE, s.max_header_list_size),
        (setting::ENABLE_CONNECT_PROTOCOL, 1),
        (setting::NO_RFC7540_PRIORITIES, 1),
    ];
    // ENABLE_PUSH is the client's to send (§6.5.2), ENABLE_CONNECT_PROTOCOL the server's
    // and only when on (RFC 8441 §3: never 0 after 1).
    params
        .into_iter()
        .filter(|(id, _)| match *id {
            setting::ENABLE_PUSH => role == Role::Client,
            setting::ENABLE_CONNECT_PROTOCOL => role == Role::Server && s.enable_connect_protocol,
            setting::NO_RFC7540_PRIORITIES => s.no_rfc7540_priorities,
            _ => true,
        })
        .collect()
}

impl Connection {
    /// A client connection: the preface and our SETTINGS are queued for [`poll_transmit`].
    ///
    /// [`poll_transmit`]: Self::poll_transmit
    pub fn client(config: Config, now: Instant) -> Self {
        Self::new(Role::Client, config, now)
    }

    /// A server connection: our SETTINGS are queued; the client's preface is expected first.
    pub fn server(config: Config, now: Instant) -> Self {
        Self::new(Role::Server, config, now)
    }

    /// A server that takes over an HTTP/1.1 connection upgraded to h2c (RFC 7540 §3.2, kept
    /// for h2c by RFC 9113 §3.1): `http2_settings` is the base64url-decoded `HTTP2-Settings`
    /// header of the upgrade request, a SETTINGS frame payload (§3.2.1), put in force without
    /// an ACK (the 101 response acknowledges it). The upgrade request becomes stream 1,
    /// half-closed (remote): answer it with [`send_headers`](Self::send_headers) on
    /// [`StreamId`] 1 after writing the `101 Switching Protocols` response. The client's
    /// preface is still expected first on the wire.
    ///
    /// An invalid payload is the connection error a SETTINGS frame with it would be; the caller
    /// should then answer without upgrading.
    pub fn server_upgrade(
        config: Config,
        now: Instant,
        http2_settings: &[u8],
    ) -> Result<Self, H2Error> {
        let mut conn = Self::new(Role::Server, config, now);
        let too_long = || conn_err(ErrorCode::FRAME_SIZE_ERROR, Reason::BadFrameLength);
        let length = u32::try_from(http2_settings.len()).map_err(|_| too_long())?;
        if length > MAX_MAX_FRAME_SIZE {
            return Err(too_long());
        }
        // Framed as the SETTINGS frame it stands for, so the frame decoder validates it.
        let mut framed = Vec::with_capacity(HEADER_LEN + http2_settings.len());
        framed.extend_from_slice(length.to_be_bytes().get(1..).unwrap_or_default());
        framed.extend_from_slice(&[kind::SETTINGS, 0, 0, 0, 0, 0]);
        framed.extend_from_slice(http2_settings);
        let params = match frame::decode(&framed, MAX_MAX_FRAME_SIZE) {
            Ok((Frame::Settings { ack: false, params }, _)) => params,
            Ok(_) | Err(DecodeError::Incomplete(_)) => return Err(too_long()),
            Err(DecodeError::Invalid(e)) => return Err(e),
        };
        if http2_settings.len() / 6 > conn.config.limits.max_settings_params {
            return Err(conn_err(ErrorCode::ENHANCE_YOUR_CALM, Reason::Flood));
        }
        conn.apply_peer_settings(params.iter())?;
        conn.events.push_back(Event::PeerSettings(conn.peer));
        let mut stream = Stream::new(
            State::HalfClosedRemote,
            conn.peer.initial_window_size,
            conn.acked.initial_window_size,
        );
        stream.recv_phase = RecvPhase::Body;
        conn.streams.insert(1, stream);
        conn.last_peer_id = 1;
        conn.active_peer += 1;
        Ok(conn)
    }

    fn new(role: Role, config: Config, now: Instant) -> Self {
        let s = config.settings;
        let decoder = hpack::Decoder::new(
            hpack::DecoderConfig::default()
                .with_max_table_size(hpack::DEFAULT_TABLE_SIZE)
                .with_max_header_list_size(s.max_header_list_size as usize)
                .with_max_fields(config.limits.max_header_fields),
        );
        let mut conn = Self {
            role,
            config,
            preface: match role {
                Role::Client => Preface::Settings,
                Role::Server => Preface::Magic(0),
            },
            peer: PeerSettings::default(),
            unacked_settings: VecDeque::new(),
            settings_deadline: None,
            acked: LocalSettings {
                header_table_size: 4096,
                max_concurrent_streams: u32::MAX,
                initial_window_size: DEFAULT_WINDOW,
                max_frame_size: DEFAULT_MAX_FRAME_SIZE,
                max_header_list_size: u32::MAX,
                enable_push: false,
                enable_connect_protocol: false,
                no_rfc7540_priorities: false,
            },
            decoder,
            encoder: hpack::Encoder::new(hpack::EncoderConfig::default()),
            recv_buf: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            pending_control: 0,
            streams: BTreeMap::new(),
            closed: VecDeque::new(),
            send_order: SendSchedule::new(),
            priorities: prio::PriorityState::default(),
            send_queued_total: 0,
            next_local_id: match role {
                Role::Client => 1,
                Role::Server => 2,
            },
            last_peer_id: 0,
            active_local: 0,
            active_peer: 0,
            reserved_local: 0,
            reserved_remote: 0,
            send_window: i64::from(DEFAULT_WINDOW),
            recv_window: i64::from(DEFAULT_WINDOW),
            recv_unacked: 0,
            block: None,
            goaway_sent: None,
            goaway_received: None,
            shutdown: Shutdown::None,
            pings: VecDeque::new(),
            fatal: None,
            events: VecDeque::new(),
            reset_tokens: config.limits.reset_burst,
            reset_refill_at: now,
            tiny_frames: 0,
            now,
            scratch: Vec::new(),
            input_owner: None,
        };
        if role == Role::Client {
            conn.out.extend_from_slice(PREFACE);
        }
        let params = advertised_settings(role, &s);
        let _ = frame::encode_settings(&mut conn.out, &params);
        conn.unacked_settings.push_back(s);
        conn.settings_deadline = now.checked_add(config.settings_timeout);
        if config.connection_window > DEFAULT_WINDOW {
            let increment = config.connection_window - DEFAULT_WINDOW;
            conn.push_frame(&Frame::WindowUpdate {
                stream_id: StreamId::CONNECTION,
                increment,
            });
            conn.recv_window = i64::from(config.connection_window);
        }
        conn
    }

    /// Client or server.
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The peer's settings in force.
    pub const fn peer_settings(&self) -> &PeerSettings {
        &self.peer
    }

    /// The connection error that ended the connection, if any.
    pub const fn error(&self) -> Option<&H2Error> {
        self.fatal.as_ref()
    }

    /// Whether the connection is over (fatal error or both GOAWAYs done) and all output was
    /// transmitted: the IO layer may close the transport.
    pub fn is_finished(&self) -> bool {
        let drained = self.out_pos >= self.out.len();
        drained
            && (self.fatal.is_some()
                || (self.goaway_sent.is_some()
                    && self.shutdown != Shutdown::None
                    && !matches!(self.shutdown, Shutdown::Draining(_))
                    && self.streams.is_empty()))
    }

    /// Closed streams remembered to judge late frames (bounded by
    /// [`Limits::max_closed_streams`]).
    pub fn remembered_closed_streams(&self) -> usize {
        self.closed.len()
    }

    /// Streams currently open or half-closed.
    pub fn active_streams(&self) -> usize {
        self.streams.len()
    }

    // ---------------------------------------------------------------- input

    /// Feeds bytes read from the transport. Partial frames are buffered (at most one frame,
    /// bounded by our SETTINGS_MAX_FRAME_SIZE). Returns how many bytes were consumed (all of
    /// them), or the sticky connection error.
    pub fn handle_input(&mut self, input: &[u8], now: Instant) -> Result<usize, H2Error> {
        if let Some(e) = self.fatal {
            return Err(e);
        }
        self.now = now;
        let result = if self.recv_buf.is_empty() {
            let used = self.process(input);
            match used {
                Ok(used) => {
                    self.recv_buf
                        .extend_from_slice(input.get(used..).unwrap_or_default());
                    Ok(())
                }
                Err(e) => Err(e),
            }
        } else {
            // Complete the one pending frame from the front of `input` (copying only its
            // missing bytes), then go on with the rest of `input` without copying.
            let mut buf = core::mem::take(&mut self.recv_buf);
            let mut rest = input;
            if buf.len() < HEADER_LEN {
                let take = (HEADER_LEN - buf.len()).min(rest.len());
                buf.extend_from_slice(rest.get(..take).unwrap_or_default());
                rest = rest.get(take..).unwrap_or_default();
            }
            let result = match FrameHeader::decode(&buf) {
                Err(_) => Ok(()),
                Ok(header) => {
                    let total = HEADER_LEN + header.length as usize;
                    let max = self
                        .config
                        .settings
                        .max_frame_size
                        .max(self.acked.max_frame_size);
                    let take = if header.length > max {
                        0 // `process` reports FRAME_SIZE_ERROR from the header alone.
                    } else {
                        total.saturating_sub(buf.len()).min(rest.len())
                    };
                    buf.extend_from_slice(rest.get(..take).unwrap_or_default());
                    rest = rest.get(take..).unwrap_or_default();
                    match self.process(&buf) {
                        Ok(used) if used >= buf.len() => {
                            buf.clear();
                            if self.fatal.is_some() {
                                Ok(())
                            } else {
                                self.process(rest).map(|used| {
                                    buf.extend_from_slice(rest.get(used..).unwrap_or_default());
                                })
                            }
                        }
                        Ok(_) => Ok(()),
                        Err(e) => Err(e),
                    }
                }
            };
            self.recv_buf = buf;
            result
        };
        match result {
            Ok(()) => Ok(input.len()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Like [`handle_input`](Self::handle_input), but DATA payloads of frames complete in
    /// `input` are handed out as slices of it ([`Event::Data`] without a copy).
    pub fn handle_input_bytes(&mut self, input: Bytes, now: Instant) -> Result<usize, H2Error> {
        self.input_owner = Some(input.clone());
        let result = self.handle_input(&input, now);
        self.input_owner = None;
        result
    }

    /// `data` as `Bytes`: a slice of the input when it lies within it, else a copy.
    fn payload(&self, data: &[u8]) -> Bytes {
        if let Some(owner) = &self.input_owner {
            let base = owner.as_ptr() as usize;
            let start = data.as_ptr() as usize;
            if start >= base && start + data.len() <= base + owner.len() {
                let offset = start - base;
                return owner.slice(offset..offset + data.len());
            }
        }
        Bytes::copy_from_slice(data)
    }

    /// Processes whole frames from `input`, returning the bytes used.
    fn process(&mut self, input: &[u8]) -> Result<usize, H2Error> {
        let mut pos = 0;
        if let Preface::Magic(matched) = self.preface {
            let rest = input.get(pos..).unwrap_or_default();
            let want = PREFACE.get(matched..).unwrap_or_default();
            let n = want.len().min(rest.len());
            if rest.get(..n) != want.get(..n) {
                return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadPreface));
            }
            pos += n;
            if n < want.len() {
                self.preface = Preface::Magic(matched + n);
                return Ok(pos);
            }
            self.preface = Preface::Settings;
        }
        loop {
            let rest = input.get(pos..).unwrap_or_default();
            let max = self
                .config
                .settings
                .max_frame_size
                .max(self.acked.max_frame_size);
            match frame::decode(rest, max) {
                Ok((frame, used)) => {
                    pos += used;
                    self.handle_frame(frame)?;
                }
                Err(DecodeError::Incomplete(_)) => return Ok(pos),
                Err(DecodeError::Invalid(e)) => match e.scope {
                    Scope::Connection => return Err(e),
                    Scope::Stream(id) => {
                        if self.preface == Preface::Settings {
                            return Err(conn_err(
                                ErrorCode::PROTOCOL_ERROR,
                                Reason::SettingsNotFirst,
                            ));
                        }
                        if self.block.is_some() {
                            return Err(conn_err(
                                ErrorCode::PROTOCOL_ERROR,
                                Reason::ExpectedContinuation,
                            ));
                        }
                        // The frame is complete (its header said how long): skip it.
                        let len = FrameHeader::decode(rest)
                            .map(|h| h.length as usize)
                            .unwrap_or(0);
                        pos += HEADER_LEN + len;
                        self.stream_error(id, e.code, e.reason)?;
                    }
                },
            }
            if self.fatal.is_some() {
                return Ok(pos);
            }
        }
    }

    fn handle_frame(&mut self, frame: Frame<'_>) -> Result<(), H2Error> {
        if self.preface == Preface::Settings {
            if !matches!(frame, Frame::Settings { ack: false, .. }) {
                return Err(conn_err(
                    ErrorCode::PROTOCOL_ERROR,
                    Reason::SettingsNotFirst,
                ));
            }
            self.preface = Preface::Done;
        }
        // §6.10: nothing may interleave with a header block.
        if let Some(block) = &self.block {
            match frame {
                Frame::Continuation { stream_id, .. } if stream_id == block.stream => {}
                _ => {
                    return Err(conn_err(
                        ErrorCode::PROTOCOL_ERROR,
                        Reason::ExpectedContinuation,
                    ));
                }
            }
        }
        match frame {
            Frame::Data {
                stream_id,
                end_stream,
                padding,
                data,
            } => {
                let flow_len = match padding {
                    Some(p) => data.len() + 1 + usize::from(p),
                    None => data.len(),
                };
                self.on_data(stream_id, data, flow_len, end_stream)
            }
            Frame::Headers {
                stream_id,
                end_stream,
                end_headers,
                priority,
                fragment,
                ..
            } => {
                let head = PendingBlock {
                    stream: stream_id,
                    promised: None,
                    end_stream,
                    self_dependent: priority.is_some_and(|p| p.dependency == stream_id),
                    block: Vec::new(),
                    continuations: 0,
                };
                self.start_block(head, fragment, end_headers)
            }
            Frame::Continuation {
                end_headers,
                fragment,
                ..
            } => {
                let Some(mut pending) = self.block.take() else {
                    return Err(conn_err(
                        ErrorCode::PROTOCOL_ERROR,
                        Reason::UnexpectedContinuation,
                    ));
                };
                pending.continuations += 1;
                let limits = self.config.limits;
                if pending.continuations > limits.max_continuation_frames
                    || pending.block.len() + fragment.len() > limits.max_header_block_size
                {
                    return Err(conn_err(ErrorCode::ENHANCE_YOUR_CALM, Reason::Flood));
                }
                self.note_frame_size(fragment.len(), true);
                self.check_tiny()?;
                pending.block.extend_from_slice(fragment);
                if end_headers {
                    self.finish_block(&pending, &pending.block)
                } else {
                    self.block = Some(pending);
                    Ok(())
                }
            }
            // RFC 7540 priorities are validated by the decoder and otherwise unused (§5.3.2).
            Frame::Priority { .. } => self.note_effectless_frame(),
            // Ignored (§5.5), but a run of them with nothing else is a flood (§10.5).
            Frame::Unknown { .. } => self.note_effectless_frame(),
            Frame::PriorityUpdate {
                prioritized_id,
                field_value,
            } => {
                self.note_effectless_frame()?;
                self.on_priority_update(prioritized_id, field_value)
            }
            Frame::RstStream {
                stream_id,
                error_code,
            } => self.on_rst_stream(stream_id, error_code),
            Frame::Settings { ack: true, .. } => {
                self.on_settings_ack();
                Ok(())
            }
            Frame::Settings { ack: false, params } => {
                if params.as_bytes().len() / 6 > self.config.limits.max_settings_params {
                    return Err(conn_err(ErrorCode::ENHANCE_YOUR_CALM, Reason::Flood));
                }
                self.on_settings(params.iter())
            }
            Frame::PushPromise {
                stream_id,
                end_headers,
                promised_id,
                fragment,
                ..
            } => self.on_push_promise_frame(stream_id, end_headers, promised_id, fragment),
            Frame::Ping { ack: false, data } => self.push_control(&Frame::Ping { ack: true, data }),
            Frame::Ping { ack: true, data } => {
                self.on_ping_ack(data);
                Ok(())
            }
            Frame::GoAway {
                last_stream_id,
                error_code,
                debug_data,
            } => {
                self.on_goaway(last_stream_id, error_code, debug_data);
                Ok(())
            }
            Frame::WindowUpdate {
                stream_id,
                increment,
            } => self.on_window_update(stream_id, increment),
        }
    }

    /// The first frame of a field block, HEADERS or PUSH_PROMISE (§4.3): the whole block, or
    /// its start, kept until CONTINUATION frames complete it.
    fn start_block(
        &mut self,
        head: PendingBlock,
        fragment: &[u8],
        end_headers: bool,
    ) -> Result<(), H2Error> {
        self.note_frame_size(fragment.len(), true);
        self.check_tiny()?;
        if fragment.len() > self.config.limits.max_header_block_size {
            return Err(conn_err(
                ErrorCode::ENHANCE_YOUR_CALM,
                Reason::HeaderListTooLarge,
            ));
        }
        if end_headers {
            return self.finish_block(&head, fragment);
        }
        self.block = Some(PendingBlock {
            block: fragment.to_vec(),
            ..head
        });
        Ok(())
    }

    /// A complete field block that `head` started.
    fn finish_block(&mut self, head: &PendingBlock, block: &[u8]) -> Result<(), H2Error> {
        match head.promised {
            Some(promised) => self.on_push_promise(head.stream, promised, block),
            None => self.on_header_block(head.stream, head.end_stream, head.self_dependent, block),
        }
    }

    /// HPACK-decodes a complete field block. Decoding happens whatever becomes of the stream:
    /// the HPACK state is connection-wide (§4.3). A block over our header list limits is a
    /// stream error, reported as `Ok((_, true))`; other decoding errors end the connection.
    fn decode_block(&mut self, block: &[u8]) -> Result<(Vec<Header>, bool), H2Error> {
        let mut headers = Vec::new();
        let decoded = self
            .decoder
            .decode(block, |f: Field<'_>| headers.push(f.to_header()));
        match decoded {
            Ok(_) => Ok((headers, false)),
            Err(e) if e.is_connection_error() => {
                Err(conn_err(ErrorCode::COMPRESSION_ERROR, Reason::Compression))
            }
            Err(_) => Ok((headers, true)),
        }
    }

    /// Counts tiny frames in a row; a big enough one resets the count.
    fn note_frame_size(&mut self, len: usize, header_fragment: bool) {
        let tiny = if header_fragment {
            len == 0
        } else {
            len < self.config.limits.tiny_data_size
        };
        if tiny {
            self.tiny_frames = self.tiny_frames.saturating_add(1);
        } else {
            self.tiny_frames = 0;
        }
    }

    /// A frame that costs us work and asks nothing of us that the peer could be waiting for
    /// (priority signals, unknown types): counted as tiny, so a flood of them is bounded
    /// (§10.5).
    fn note_effectless_frame(&mut self) -> Result<(), H2Error> {
        self.tiny_frames = self.tiny_frames.saturating_add(1);
        self.check_tiny()
    }

    fn check_tiny(&self) -> Result<(), H2Error> {
        if self.tiny_frames > self.config.limits.max_tiny_frames {
            return Err(conn_err(ErrorCode::ENHANCE_YOUR_CALM, Reason::Flood));
        }
        Ok(())
    }

    /// Whether `id` has never been used (§5.1: idle), by either side's numbering.
    fn is_idle(&self, id: StreamId) -> bool {
        let local = match self.role {
            Role::Client => id.is_client_initiated(),
            Role::Server => id.is_server_initiated(),
        };
        if local {
            id.value() >= self.next_local_id
        } else {
            id.value() > self.last_peer_id
        }
    }

    /// §6.8: after our GOAWAY, frames on streams the peer starts above its last stream id
    /// are ignored (they crossed it on the wire); streams we track are not affected.
    fn ignored_after_goaway(&self, id: StreamId) -> bool {
        self.goaway_sent.is_some_and(|last| id > last)
            && self.is_peer_initiated(id)
            && !self.streams.contains_key(&id.value())
    }

    fn is_peer_initiated(&self, id: StreamId) -> bool {
        match self.role {
            Role::Client => id.is_server_initiated(),
            Role::Server => id.is_client_initiated(),
        }
    }

    fn closed_by(&self, id: StreamId) -> Option<ClosedBy> {
        self.closed
            .iter()
            .rev()
            .find(|(i, _)| *i == id.value())
            .map(|(_, by)| *by)
    }

    /// The right answer to a frame on a stream that is closed and forgotten (§5.1 closed).
    fn on_closed_stream_frame(&mut self, id: StreamId) -> Result<(), H2Error> {
        match self.closed_by(id) {
            Some(ClosedBy::LocalReset) => Ok(()),
            Some(ClosedBy::EndStream) => {
                Err(conn_err(ErrorCode::STREAM_CLOSED, Reason::StreamClosed))
            }
            Some(ClosedBy::PeerReset) | None => {
                self.stream_error(id, ErrorCode::STREAM_CLOSED, Reason::StreamClosed)
            }
        }
    }

    fn on_data(
        &mut self,
        id: StreamId,
        data: &[u8],
        flow_len: usize,
        end_stream: bool,
    ) -> Result<(), H2Error> {
        if end_stream {
            self.tiny_frames = 0;
        } else {
            self.note_frame_size(data.len(), false);
            self.check_tiny()?;
        }
        // §6.9: the connection window counts every DATA frame, whatever the stream's state.
        let flow = flow_len as i64;
        if flow > self.recv_window {
            return Err(conn_err(
                ErrorCode::FLOW_CONTROL_ERROR,
                Reason::FlowControlViolation,
            ));
        }
        self.recv_window -= flow;
        if self.ignored_after_goaway(id) {
            self.release_connection(flow_len);
            return Ok(());
        }
        if self.is_idle(id) {
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamState));
        }
        let padding = flow_len - data.len();
        let Some(stream) = self.streams.get_mut(&id.value()) else {
            self.release_connection(flow_len);
            return self.on_closed_stream_frame(id);
        };
        if matches!(stream.state, State::ReservedLocal | State::ReservedRemote) {
            // §5.1: no DATA on a reserved stream.
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamState));
        }
        if !stream.state.can_recv() || stream.recv_phase != RecvPhase::Body {
            let before_head = stream.recv_phase == RecvPhase::Head && stream.state.can_recv();
            self.release_connection(flow_len);
            if before_head {
                return self.stream_error(id, ErrorCode::PROTOCOL_ERROR, Reason::MalformedMessage);
            }
            return self.stream_error(id, ErrorCode::STREAM_CLOSED, Reason::StreamClosed);
        }
        if flow > stream.recv_window {
            self.release_connection(flow_len);
            return self.stream_error(
                id,
                ErrorCode::FLOW_CONTROL_ERROR,
                Reason::FlowControlViolation,
            );
        }
        stream.recv_window -= flow;
        stream.received = stream.received.saturating_add(data.len() as u64);
        let length_wrong = match stream.content_length {
            Some(n) if !stream.head_request => {
                stream.received > n || (end_stream && stream.received != n)
            }
            _ => false,
        };
        if length_wrong {
            self.release_connection(flow_len);
            return self.stream_error(id, ErrorCode::PROTOCOL_ERROR, Reason::MalformedMessage);
        }
        if !data.is_empty() || end_stream {
            let data = self.payload(data);
            self.events.push_back(Event::Data {
                stream: id,
                data,
                end_stream,
            });
        }
        // Padding is never delivered, so it is returned to the peer at once.
        if padding > 0 {
            self.release(id, padding, true);
        }
        if self.config.auto_window_update && !data.is_empty() {
            self.release(id, data.len(), true);
        }
        if end_stream {
            self.transition(id, Transition::RecvEndStream);
        }
        Ok(())
    }

    fn on_header_block(
        &mut self,
        id: StreamId,
        end_stream: bool,
        self_dependent: bool,
        block: &[u8],
    ) -> Result<(), H2Error> {
        let (headers, too_large) = self.decode_block(block)?;

        let exists = self.streams.contains_key(&id.value());
        if self.ignored_after_goaway(id) {
            return Ok(());
        }
        if !exists {
            if !self.is_idle(id) {
                return match self.closed_by(id) {
                    Some(ClosedBy::LocalReset) => Ok(()),
                    Some(ClosedBy::PeerReset) => {
                        self.stream_error(id, ErrorCode::STREAM_CLOSED, Reason::StreamClosed)
                    }
                    Some(ClosedBy::EndStream) => {
                        Err(conn_err(ErrorCode::STREAM_CLOSED, Reason::StreamClosed))
                    }
                    None if self.is_peer_initiated(id) => {
                        Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadNewStreamId))
                    }
                    None => self.stream_error(id, ErrorCode::STREAM_CLOSED, Reason::StreamClosed),
                };
            }
            // A new stream from the peer: only clients open streams with HEADERS (§8.4: pushed
            // streams are reserved by PUSH_PROMISE first).
            if self.role == Role::Client || !id.is_client_initiated() {
                return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadNewStreamId));
            }
            self.last_peer_id = id.value();
            if self.active_peer
                >= self
                    .acked
                    .max_concurrent_streams
                    .min(self.config.settings.max_concurrent_streams)
            {
                // §5.1.2: REFUSED_STREAM tells the client it may retry.
                self.remember_closed(id, ClosedBy::LocalReset);
                return self.send_reset(id, ErrorCode::REFUSED_STREAM, true);
            }
            let stream = Stream::new(
                State::Open,
                self.peer.initial_window_size,
                self.acked.initial_window_size,
            );
            self.streams.insert(id.value(), stream);
            self.active_peer += 1;
        }
        if self_dependent {
            return self.stream_error(id, ErrorCode::PROTOCOL_ERROR, Reason::SelfDependency);
        }
        // A pushed response's HEADERS opens its reserved stream (§8.4.2).
        if !self.accept_pushed_response(id)? {
            return Ok(());
        }
        let connect_protocol = self.config.settings.enable_connect_protocol;
        let Some(stream) = self.streams.get_mut(&id.value()) else {
            return Ok(());
        };
        if !stream.state.can_recv() {
            return self.stream_error(id, ErrorCode::STREAM_CLOSED, Reason::StreamClosed);
        }
        if too_large {
            return self.stream_error(id, ErrorCode::ENHANCE_YOUR_CALM, Reason::HeaderListTooLarge);
        }
        let section = match (self.role, stream.recv_phase) {
            (_, RecvPhase::Body) => SectionKind::Trailers,
            (Role::Server, RecvPhase::Head) => SectionKind::Request,
            (Role::Client, RecvPhase::Head) => SectionKind::Response,
        };
        let mut checker = SectionChecker::new(section);
        let mut valid = headers
            .iter()
            .try_for_each(|h| checker.field(&h.name, &h.value))
            .and_then(|()| checker.finish());
        let kind = match (section, &valid) {
            (SectionKind::Request, _) => HeadersKind::Request,
            (SectionKind::Trailers, _) => HeadersKind::Trailers,
            (SectionKind::Response, Ok(s)) => match s.status.unwrap_or(0) {
                // §8.6: 101 does not exist in HTTP/2.
                101 => {
                    valid = Err(Malformed::BadStatus);
                    HeadersKind::Informational(101)
                }
                status @ 100..=199 => HeadersKind::Informational(status),
                status => HeadersKind::Response(status),
            },
            (SectionKind::Response, Err(_)) => HeadersKind::Response(0),
        };
        // §8.1: trailers end the stream, and an informational response cannot.
        let ok = match (&valid, kind) {
            (Err(_), _) => false,
            // RFC 8441 §3, §4: `:protocol` only after we sent SETTINGS_ENABLE_CONNECT_PROTOCOL
            // (in our first SETTINGS, when configured).
            (Ok(s), HeadersKind::Request) if s.has_protocol && !connect_protocol => false,
            (Ok(_), HeadersKind::Trailers) => end_stream,
            (Ok(_), HeadersKind::Informational(_)) => !end_stream,
            (Ok(_), HeadersKind::Response(200..=299)) if stream.connect_request => true,
            (Ok(s), _) => {
                let no_body_expected =
                    stream.head_request || matches!(kind, HeadersKind::Response(204 | 304));
                !(end_stream && !no_body_expected && s.content_length.is_some_and(|n| n != 0))
            }
        };
        // RFC 9110 §8.6: "A client MUST ignore any Content-Length [...] received in a
        // successful response to CONNECT": DATA is the tunnel, not content.
        let tunnel = stream.connect_request && matches!(kind, HeadersKind::Response(200..=299));
        if !ok {
            return self.stream_error(id, ErrorCode::PROTOCOL_ERROR, Reason::MalformedMessage);
        }
        if let Ok(summary) = valid
            && matches!(kind, HeadersKind::Request | HeadersKind::Response(_))
        {
            stream.recv_phase = RecvPhase::Body;
            stream.content_length = summary.content_length.filter(|_| !tunnel);
            if kind == HeadersKind::Request {
                stream.head_request = summary.is_head;
                stream.priority = self.priorities.opened(id.value(), &headers);
            }
        }
        self.events.push_back(Event::Headers {
            stream: id,
            kind,
            headers,
            end_stream,
        });
        if end_stream {
            self.transition(id, Transition::RecvEndStream);
        }
        Ok(())
    }

    fn on_rst_stream(&mut self, id: StreamId, code: ErrorCode) -> Result<(), H2Error> {
        if self.ignored_after_goaway(id) {
            return Ok(());
        }
        if self.is_idle(id) {
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamState));
        }
        if !self.streams.contains_key(&id.value()) {
            return Ok(());
        }
        // Rapid Reset (CVE-2023-44487): peer resets spend the same allowance as ours.
        self.spend_reset_token()?;
        self.close_stream(id, ClosedBy::PeerReset);
        self.events.push_back(Event::StreamReset {
            stream: id,
            code,
            remote: true,
        });
        Ok(())
    }

    fn on_settings(&mut self, params: impl Iterator<Item = (u16, u32)>) -> Result<(), H2Error> {
        self.apply_peer_settings(params)?;
        self.settings_frame_applied();
        self.push_control(&Frame::Settings {
            ack: true,
            params: frame::SettingsParams::EMPTY,
        })?;
        self.events.push_back(Event::PeerSettings(self.peer));
        Ok(())
    }

    /// Puts the peer's SETTINGS values in force (§6.5.2), without acknowledging them.
    fn apply_peer_settings(
        &mut self,
        params: impl Iterator<Item = (u16, u32)>,
    ) -> Result<(), H2Error> {
        for (id, value) in params {
            match id {
                setting::HEADER_TABLE_SIZE => {
                    self.peer.header_table_size = value;
                    self.encoder.set_peer_max_table_size(value as usize);
                }
                setting::ENABLE_PUSH => {
                    if self.role == Role::Client && value != 0 {
                        return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadSettingValue));
                    }
                    self.peer.enable_push = value == 1;
                }
                setting::MAX_CONCURRENT_STREAMS => self.peer.max_concurrent_streams = value,
                setting::INITIAL_WINDOW_SIZE => {
                    // §6.9.2: the change applies to every stream's send window, and may make
                    // it negative.
                    let delta = i64::from(value) - i64::from(self.peer.initial_window_size);
                    self.peer.initial_window_size = value;
                    for (&sid, stream) in self.streams.iter_mut() {
                        let grown = stream.send_window + delta;
                        if grown > i64::from(MAX_WINDOW_SIZE) {
                            return Err(conn_err(
                                ErrorCode::FLOW_CONTROL_ERROR,
                                Reason::WindowOverflow,
                            ));
                        }
                        stream.send_window = grown;
                        if delta > 0 && stream.queued() > 0 && !stream.scheduled {
                            stream.scheduled = true;
                            self.send_order.push(sid, stream.priority);
                        }
                        // A grown window is send capacity like a WINDOW_UPDATE's (h2spec
                        // http2/6.9.2/1: a window raised from 0 by SETTINGS alone).
                        if delta > 0 && stream.send_window > 0 && stream.state.can_send() {
                            self.events.push_back(Event::SendCapacity {
                                stream: StreamId::new(sid),
                            });
                        }
                    }
                }
                setting::MAX_FRAME_SIZE => self.peer.max_frame_size = value,
                setting::MAX_HEADER_LIST_SIZE => self.peer.max_header_list_size = value,
                setting::ENABLE_CONNECT_PROTOCOL => {
                    // RFC 8441 §3: never 0 after 1.
                    if self.peer.enable_connect_protocol && value == 0 {
                        return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadSettingValue));
                    }
                    self.peer.enable_connect_protocol = value == 1;
                }
                setting::NO_RFC7540_PRIORITIES => self.on_no_rfc7540_priorities(value)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn on_settings_ack(&mut self) {
        // An ACK we did not ask for changes nothing.
        let Some(s) = self.unacked_settings.pop_front() else {
            return;
        };
        let delta = i64::from(s.initial_window_size) - i64::from(self.acked.initial_window_size);
        for stream in self.streams.values_mut() {
            stream.recv_window += delta;
        }
        self.decoder
            .set_max_table_size(s.header_table_size as usize);
        self.acked = s;
        self.settings_deadline = if self.unacked_settings.is_empty() {
            None
        } else {
            self.now.checked_add(self.config.settings_timeout)
        };
        self.events.push_back(Event::SettingsAcked);
    }

    fn on_ping_ack(&mut self, data: [u8; 8]) {
        if let Shutdown::Draining(token) = self.shutdown
            && token == data
        {
            // §6.8: one round trip later, every stream the client opened has arrived.
            self.shutdown = Shutdown::Sent;
            let last = StreamId::new(self.last_peer_id);
            self.queue_goaway(last, ErrorCode::NO_ERROR, b"");
            return;
        }
        if let Some(i) = self.pings.iter().position(|p| *p == data) {
            self.pings.remove(i);
            self.events.push_back(Event::PingAck(data));
        }
    }

    fn on_goaway(&mut self, last: StreamId, code: ErrorCode, debug: &[u8]) {
        let last = match self.goaway_received {
            // A second GOAWAY may only lower the last stream id.
            Some(prev) if prev < last => prev,
            _ => last,
        };
        self.goaway_received = Some(last);
        // Our streams above `last` were never processed: the application may retry them.
        let refused: Vec<u32> = self
            .streams
            .keys()
            .copied()
            .filter(|&id| id > last.value() && !self.is_peer_initiated(StreamId::new(id)))
            .collect();
        for id in refused {
            let id = StreamId::new(id);
            self.close_stream(id, ClosedBy::PeerReset);
            self.events.push_back(Event::StreamReset {
                stream: id,
                code: ErrorCode::REFUSED_STREAM,
                remote: true,
            });
        }
        self.events.push_back(Event::GoAway {
            last_stream_id: last,
            code,
            debug_data: debug.to_vec(),
        });
    }

    fn on_window_update(&mut self, id: StreamId, increment: u32) -> Result<(), H2Error> {
        let increment = i64::from(increment);
        if id.is_connection() {
            let grown = self.send_window + increment;
            if grown > i64::from(MAX_WINDOW_SIZE) {
                return Err(conn_err(
                    ErrorCode::FLOW_CONTROL_ERROR,
                    Reason::WindowOverflow,
                ));
            }
            let was_blocked = self.send_window <= 0;
            self.send_window = grown;
            if was_blocked {
                for (&sid, stream) in self.streams.iter_mut() {
                    if stream.state.can_send() {
                        if stream.queued() > 0 && !stream.scheduled {
                            stream.scheduled = true;
                            self.send_order.push(sid, stream.priority);
                        }
                        self.events.push_back(Event::SendCapacity {
                            stream: StreamId::new(sid),
                        });
                    }
                }
            }
            return Ok(());
        }
        if self.ignored_after_goaway(id) {
            return Ok(());
        }
        if self.is_idle(id) {
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamState));
        }
        let Some(stream) = self.streams.get_mut(&id.value()) else {
            return Ok(());
        };
        if stream.state == State::ReservedRemote {
            // §5.1 reserved (remote): only HEADERS, RST_STREAM and PRIORITY may arrive.
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamState));
        }
        let grown = stream.send_window + increment;
        if grown > i64::from(MAX_WINDOW_SIZE) {
            return self.stream_error(id, ErrorCode::FLOW_CONTROL_ERROR, Reason::WindowOverflow);
        }
        stream.send_window = grown;
        if stream.state.can_send() {
            if stream.queued() > 0 && !stream.scheduled {
                stream.scheduled = true;
                self.send_order.push(id.value(), stream.priority);
            }
            self.events.push_back(Event::SendCapacity { stream: id });
        }
        Ok(())
    }

    // ---------------------------------------------------------------- errors and closing

    /// A stream error (§5.4.2): RST_STREAM, the stream closed, the application told.
    fn stream_error(
        &mut self,
        id: StreamId,
        code: ErrorCode,
        _reason: Reason,
    ) -> Result<(), H2Error> {
        let known = self.streams.contains_key(&id.value());
        if known {
            self.close_stream(id, ClosedBy::LocalReset);
            self.events.push_back(Event::StreamReset {
                stream: id,
                code,
                remote: false,
            });
        }
        self.send_reset(id, code, true)
    }

    /// Queues RST_STREAM; `provoked` resets (answers to the peer's frames) spend the reset
    /// allowance (MadeYouReset, CVE-2025-8671).
    fn send_reset(&mut self, id: StreamId, code: ErrorCode, provoked: bool) -> Result<(), H2Error> {
        if provoked {
            self.spend_reset_token()?;
            self.push_control(&Frame::RstStream {
                stream_id: id,
                error_code: code,
            })
        } else {
            self.push_frame(&Frame::RstStream {
                stream_id: id,
                error_code: code,
            });
            Ok(())
        }
    }

    fn spend_reset_token(&mut self) -> Result<(), H2Error> {
        let limits = self.config.limits;
        let elapsed = self.now - self.reset_refill_at;
        let refill = elapsed
            .as_millis()
            .saturating_mul(u128::from(limits.reset_rate_per_sec))
            / 1000;
        if refill > 0 {
            let refill = u32::try_from(refill).unwrap_or(u32::MAX);
            self.reset_tokens = self
                .reset_tokens
                .saturating_add(refill)
                .min(limits.reset_burst);
            self.reset_refill_at = self.now;
        }
        if self.reset_tokens == 0 {
            return Err(conn_err(ErrorCode::ENHANCE_YOUR_CALM, Reason::Flood));
        }
        self.reset_tokens -= 1;
        Ok(())
    }

    fn remember_closed(&mut self, id: StreamId, by: ClosedBy) {
        if self.config.limits.max_closed_streams == 0 {
            return;
        }
        while self.closed.len() >= self.config.limits.max_closed_streams {
            self.closed.pop_front();
        }
        self.closed.push_back((id.value(), by));
    }

    fn close_stream(&mut self, id: StreamId, by: ClosedBy) {
        if let Some(stream) = self.streams.remove(&id.value()) {
            if stream.state == State::ReservedLocal {
                self.reserved_local = self.reserved_local.saturating_sub(1);
            } else if stream.state == State::ReservedRemote {
                self.reserved_remote = self.reserved_remote.saturating_sub(1);
            } else if self.is_peer_initiated(id) {
                self.active_peer = self.active_peer.saturating_sub(1);
            } else {
                self.active_local = self.active_local.saturating_sub(1);
            }
            // Unsent DATA is dropped and no longer holds connection window.
            self.send_queued_total = self.send_queued_total.saturating_sub(stream.send_queued);
            self.remember_closed(id, by);
        }
    }

    fn transition(&mut self, id: StreamId, transition: Transition) {
        let Some(stream) = self.streams.get_mut(&id.value()) else {
            return;
        };
        match stream.state.next(transition) {
            Ok(State::Closed) => self.close_stream(id, ClosedBy::EndStream),
            Ok(next) => stream.state = next,
            Err(_) => {}
        }
    }

    /// A connection error: GOAWAY with its code, sticky from now on.
    fn fail(&mut self, error: H2Error) -> H2Error {
        if self.fatal.is_none() {
            self.fatal = Some(error);
            let last = StreamId::new(self.last_peer_id);
            self.queue_goaway(last, error.code, b"");
            self.events.push_back(Event::ConnectionError(error));
            self.streams.clear();
            self.send_order.clear();
        }
        error
    }

    fn queue_goaway(&mut self, last: StreamId, code: ErrorCode, debug: &[u8]) {
        self.goaway_sent = Some(match self.goaway_sent {
            Some(prev) if prev < last => prev,
            _ => last,
        });
        self.push_frame(&Frame::GoAway {
            last_stream_id: last,
            error_code: code,
            debug_data: debug,
        });
    }

    fn push_frame(&mut self, frame: &Frame<'_>) {
        let _ = frame.encode(&mut self.out);
    }

    /// Queues a frame the peer made us send, within the pending-control bound.
    fn push_control(&mut self, frame: &Frame<'_>) -> Result<(), H2Error> {
        self.pending_control += 1;
        if self.pending_control > self.config.limits.max_pending_control_frames {
            return Err(conn_err(ErrorCode::ENHANCE_YOUR_CALM, Reason::Flood));
        }
        self.push_frame(frame);
        Ok(())
    }

    // ---------------------------------------------------------------- flow control

    fn release_connection(&mut self, n: usize) {
        self.release(StreamId::CONNECTION, n, false);
    }

    /// Returns `n` received bytes to the peer's windows, sending WINDOW_UPDATE once half a
    /// window is pending.
    fn release(&mut self, id: StreamId, n: usize, with_stream: bool) {
        let n = u32::try_from(n).unwrap_or(MAX_WINDOW_SIZE);
        self.recv_unacked = self.recv_unacked.saturating_add(n);
        let target = self.config.connection_window.max(DEFAULT_WINDOW);
        if self.recv_unacked >= target / 2 {
            let increment = self.recv_unacked;
            self.recv_unacked = 0;
            self.recv_window += i64::from(increment);
            self.push_frame(&Frame::WindowUpdate {
                stream_id: StreamId::CONNECTION,
                increment,
            });
        }
        if !with_stream {
            return;
        }
        let stream_target = self.acked.initial_window_size.max(1);
        let Some(stream) = self.streams.get_mut(&id.value()) else {
            return;
        };
        if !stream.state.can_recv() {
            return;
        }
        stream.recv_unacked = stream.recv_unacked.saturating_add(n);
        if stream.recv_unacked >= stream_target / 2 {
            let increment = stream.recv_unacked;
            stream.recv_unacked = 0;
            stream.recv_window += i64::from(increment);
            self.push_frame(&Frame::WindowUpdate {
                stream_id: id,
                increment,
            });
        }
    }

    /// Explicit consumption (with automatic WINDOW_UPDATE off): the application processed `n`
    /// bytes of the stream's data, which may now be sent again by the peer. Call it for every
    /// delivered byte, also after the stream closed: the connection window needs them back.
    pub fn release_capacity(&mut self, stream: StreamId, n: usize) -> Result<(), UserError> {
        if let Some(e) = self.fatal {
            return Err(UserError::Closed(e));
        }
        self.release(stream, n, true);
        Ok(())
    }

    /// How many DATA bytes [`send_data`](Self::send_data) would accept now on `stream`.
    pub fn send_capacity(&self, stream: StreamId) -> usize {
        let Some(s) = self.streams.get(&stream.value()) else {
            return 0;
        };
        if !s.state.can_send() || s.send_end {
            return 0;
        }
        let window = (s.send_window - s.queued() as i64)
            .min(self.send_window - self.send_queued_total as i64);
        let buffer = self
            .config
            .limits
            .max_send_buffer
            .saturating_sub(s.queued());
        usize::try_from(window.max(0)).unwrap_or(0).min(buffer)
    }

    // ---------------------------------------------------------------- commands

    fn check_open(&self) -> Result<(), UserError> {
        match self.fatal {
            Some(e) => Err(UserError::Closed(e)),
            None => Ok(()),
        }
    }

    /// Client: opens a stream with a request head (pseudo-headers first). With `end_stream`
    /// the request has no body. An extended CONNECT (`:method: CONNECT` with `:protocol`,
    /// `:scheme` and `:path`, RFC 8441 §4) needs the server's SETTINGS_ENABLE_CONNECT_PROTOCOL
    /// first ([`UserError::ConnectProtocolDisabled`]); its stream then carries DATA both ways.
    pub fn send_request<'f, I>(
        &mut self,
        fields: I,
        end_stream: bool,
    ) -> Result<StreamId, UserError>
    where
        I: IntoIterator,
        I::Item: Into<Field<'f>>,
    {
        self.check_open()?;
        if self.role != Role::Client {
            return Err(UserError::WrongRole);
        }
        if self.goaway_received.is_some() || self.goaway_sent.is_some() {
            return Err(UserError::GoingAway);
        }
        if self.active_local >= self.peer.max_concurrent_streams {
            return Err(UserError::StreamLimit);
        }
        if self.next_local_id > MAX_WINDOW_SIZE {
            return Err(UserError::StreamIdsExhausted);
        }
        let fields: Vec<Field<'f>> = fields.into_iter().map(Into::into).collect();
        let summary = check_fields(SectionKind::Request, &fields)?;
        if summary.has_protocol && !self.peer.enable_connect_protocol {
            return Err(UserError::ConnectProtocolDisabled);
        }
        self.check_list_size(&fields)?;
        let id = StreamId::new(self.next_local_id);
        self.next_local_id += 2;
        let mut stream = Stream::new(
            State::Open,
            self.peer.initial_window_size,
            self.acked.initial_window_size,
        );
        stream.head_request = summary.is_head;
        stream.connect_request = summary.is_connect;
        stream.sent_final_head = true;
        stream.priority = prio::request_priority(&fields);
        self.streams.insert(id.value(), stream);
        self.active_local += 1;
        self.encode_block(id, &fields, BlockStart::Headers { end_stream });
        if end_stream {
            self.transition(id, Transition::SendEndStream);
        }
        Ok(id)
    }

    /// Sends a header section on an open stream: a server's response (1xx informational ones
    /// first, e.g. 103 Early Hints), or trailers from either side once the head was sent
    /// (trailers always end the stream, and go out after any buffered DATA).
    pub fn send_headers<'f, I>(
        &mut self,
        stream: StreamId,
        fields: I,
        end_stream: bool,
    ) -> Result<(), UserError>
    where
        I: IntoIterator,
        I::Item: Into<Field<'f>>,
    {
        self.check_open()?;
        let fields: Vec<Field<'f>> = fields.into_iter().map(Into::into).collect();
        let Some(s) = self.streams.get(&stream.value()) else {
            return Err(UserError::UnknownStream(stream));
        };
        // A promised stream (reserved (local)) opens with its response (§8.4.2).
        let promised = s.state == State::ReservedLocal;
        if !(s.state.can_send() || promised) || s.send_end || s.send_trailers.is_some() {
            return Err(UserError::InvalidState(stream));
        }
        if s.sent_final_head {
            check_fields(SectionKind::Trailers, &fields)?;
            self.check_list_size(&fields)?;
            if s.queued() == 0 {
                self.encode_block(stream, &fields, BlockStart::Headers { end_stream: true });
                self.transition(stream, Transition::SendEndStream);
            } else if let Some(s) = self.streams.get_mut(&stream.value()) {
                s.send_trailers = Some(fields.iter().map(Field::to_header).collect());
            }
            return Ok(());
        }
        if self.role != Role::Server {
            return Err(UserError::WrongRole);
        }
        let summary = check_fields(SectionKind::Response, &fields)?;
        self.check_list_size(&fields)?;
        let informational = summary.status.is_some_and(|s| (100..200).contains(&s));
        if informational && end_stream {
            return Err(UserError::Malformed(Malformed::BadStatus));
        }
        if promised {
            self.open_pushed_stream(stream)?;
        }
        if let Some(s) = self.streams.get_mut(&stream.value()) {
            s.sent_final_head = !informational;
        }
        self.encode_block(stream, &fields, BlockStart::Headers { end_stream });
        if end_stream {
            self.transition(stream, Transition::SendEndStream);
        }
        Ok(())
    }

    /// Offers body bytes; returns how many were accepted (copied), which is bounded by the
    /// stream and connection send windows and the per-stream buffer limit (the rest: offer
    /// again after [`Event::SendCapacity`]). `end_stream` takes effect only when every byte
    /// was accepted.
    pub fn send_data(
        &mut self,
        stream: StreamId,
        data: &[u8],
        end_stream: bool,
    ) -> Result<usize, UserError> {
        let n = data.len().min(self.send_capacity(stream));
        let chunk = Bytes::copy_from_slice(data.get(..n).unwrap_or_default());
        self.send_bytes(stream, chunk, end_stream && n == data.len())
            .map(|_| n)
    }

    /// Like [`send_data`](Self::send_data) without copying: the accepted front of `data` is
    /// kept by reference; what was not accepted is returned (empty when all was taken, and
    /// only then does `end_stream` take effect).
    pub fn send_bytes(
        &mut self,
        stream: StreamId,
        mut data: Bytes,
        end_stream: bool,
    ) -> Result<Bytes, UserError> {
        self.check_open()?;
        let capacity = self.send_capacity(stream);
        let Some(s) = self.streams.get_mut(&stream.value()) else {
            return Err(UserError::UnknownStream(stream));
        };
        if !s.state.can_send() || s.send_end || !s.sent_final_head {
            return Err(UserError::InvalidState(stream));
        }
        let n = data.len().min(capacity);
        let rest = data.split_off(n);
        if n > 0 {
            s.send_queued += n;
            self.send_queued_total += n;
            s.send_queue.push_back(data);
        }
        if end_stream && rest.is_empty() {
            s.send_end = true;
        }
        if (n > 0 || s.send_end) && !s.scheduled {
            s.scheduled = true;
            self.send_order.push(stream.value(), s.priority);
        }
        Ok(rest)
    }

    /// Resets a stream with `code` (e.g. CANCEL).
    pub fn reset(&mut self, stream: StreamId, code: ErrorCode) -> Result<(), UserError> {
        self.check_open()?;
        if !self.streams.contains_key(&stream.value()) {
            return Err(UserError::UnknownStream(stream));
        }
        self.close_stream(stream, ClosedBy::LocalReset);
        let _ = self.send_reset(stream, code, false);
        Ok(())
    }

    /// Sends a PING; [`Event::PingAck`] reports the answer.
    pub fn ping(&mut self, data: [u8; 8]) -> Result<(), UserError> {
        self.check_open()?;
        if self.pings.len() >= MAX_PINGS_IN_FLIGHT {
            return Err(UserError::TooManyPings);
        }
        self.pings.push_back(data);
        self.push_frame(&Frame::Ping { ack: false, data });
        Ok(())
    }

    /// Graceful shutdown (§6.8). A server sends GOAWAY with the largest stream id and a PING;
    /// when the PING is answered, the final GOAWAY names the last stream it will process. A
    /// client sends one GOAWAY. Open streams run to completion either way.
    pub fn shutdown(&mut self) -> Result<(), UserError> {
        self.check_open()?;
        if self.shutdown != Shutdown::None {
            return Ok(());
        }
        match self.role {
            Role::Server => {
                self.shutdown = Shutdown::Draining(SHUTDOWN_PING);
                self.push_frame(&Frame::GoAway {
                    last_stream_id: StreamId::MAX,
                    error_code: ErrorCode::NO_ERROR,
                    debug_data: b"",
                });
                self.goaway_sent = Some(StreamId::MAX);
                self.push_frame(&Frame::Ping {
                    ack: false,
                    data: SHUTDOWN_PING,
                });
            }
            Role::Client => {
                self.shutdown = Shutdown::Sent;
                let last = StreamId::new(self.last_peer_id);
                self.queue_goaway(last, ErrorCode::NO_ERROR, b"");
            }
        }
        Ok(())
    }

    /// Ends the connection now with GOAWAY carrying `code`.
    pub fn go_away(&mut self, code: ErrorCode, debug_data: &[u8]) -> Result<(), UserError> {
        self.check_open()?;
        self.shutdown = Shutdown::Sent;
        let last = StreamId::new(self.last_peer_id);
        self.queue_goaway(last, code, debug_data);
        Ok(())
    }

    /// RFC 9113 §6.5.2: name + value + 32 per field, against the peer's limit.
    fn check_list_size(&self, fields: &[Field<'_>]) -> Result<(), UserError> {
        let size: usize = fields.iter().map(Field::size).sum();
        if size > self.peer.max_header_list_size as usize {
            return Err(UserError::HeaderListTooLarge);
        }
        Ok(())
    }

    /// HPACK-encodes `fields` and queues the frame that starts the block (HEADERS, or
    /// PUSH_PROMISE with its promised stream id) plus CONTINUATION frames, each within the
    /// peer's SETTINGS_MAX_FRAME_SIZE (§4.3, §6.2, §6.6, §6.10).
    fn encode_block(&mut self, stream: StreamId, fields: &[Field<'_>], start: BlockStart) {
        let mut block = core::mem::take(&mut self.scratch);
        block.clear();
        self.encoder.encode(fields.iter().copied(), &mut block);
        let max = (self.peer.max_frame_size as usize).max(PROMISED_ID_LEN + 1);
        let first_max = match start {
            BlockStart::Headers { .. } => max,
            BlockStart::PushPromise { .. } => max - PROMISED_ID_LEN,
        };
        let (first, rest) = block
            .split_at_checked(block.len().min(first_max))
            .unwrap_or_default();
        let end_headers = rest.is_empty();
        self.push_frame(&match start {
            BlockStart::Headers { end_stream } => Frame::Headers {
                stream_id: stream,
                end_stream,
                end_headers,
                padding: None,
                priority: None,
                fragment: first,
            },
            BlockStart::PushPromise { promised } => Frame::PushPromise {
                stream_id: stream,
                end_headers,
                padding: None,
                promised_id: promised,
                fragment: first,
            },
        });
        let mut chunks = rest.chunks(max).peekable();
        while let Some(chunk) = chunks.next() {
            self.push_frame(&Frame::Continuation {
                stream_id: stream,
                end_headers: chunks.peek().is_none(),
                fragment: chunk,
            });
        }
        self.scratch = block;
    }

    // ---------------------------------------------------------------- output

    /// Writes pending bytes into `buf`, returning how many. Call until it returns 0. DATA is
    /// written straight from the streams' buffers, within the peer's windows and frame size.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> usize {
        let limit = buf.len();
        let mut writer = wire_codec::Writer::new(buf);
        self.transmit(now, &mut writer, limit)
    }

    /// Like [`poll_transmit`](Self::poll_transmit), appending at most `limit` bytes to any
    /// [`Output`] (a `Vec<u8>`, or the IO layer's own buffer type: no zeroing first); with [`handle_input_bytes`](Self::handle_input_bytes)
    /// on the other side, an in-memory pair moves DATA with a single copy.
    pub fn poll_transmit_into(
        &mut self,
        now: Instant,
        out: &mut impl Output,
        limit: usize,
    ) -> usize {
        self.transmit(now, out, limit)
    }

    fn transmit(&mut self, now: Instant, out: &mut impl Output, limit: usize) -> usize {
        self.now = now;
        let limit = limit.min(out.remaining_capacity());
        let mut written = 0;
        loop {
            let pending = self.out.get(self.out_pos..).unwrap_or_default();
            let n = pending.len().min(limit - written);
            let _ = out.put_slice(pending.get(..n).unwrap_or_default());
            written += n;
            self.out_pos += n;
            if self.out_pos < self.out.len() {
                return written;
            }
            self.out.clear();
            self.out_pos = 0;
            self.pending_control = 0;
            if self.fatal.is_some() {
                return written;
            }
            match self.write_data(out, limit - written) {
                Some(n) => written += n,
                None => return written,
            }
        }
    }

    /// Writes one DATA frame from the next scheduled stream, or `None` when nothing can go.
    fn write_data(&mut self, out: &mut impl Output, space: usize) -> Option<usize> {
        if space <= HEADER_LEN {
            return None;
        }
        let mut tries = self.send_order.len();
        while tries > 0 {
            tries -= 1;
            let id = self.send_order.pop()?;
            let conn_window = self.send_window;
            let max_frame = self.peer.max_frame_size as usize;
            let Some(s) = self.streams.get_mut(&id) else {
                continue;
            };
            let queued = s.queued();
            let window = usize::try_from(s.send_window.min(conn_window).max(0)).unwrap_or(0);
            let n = queued.min(window).min(max_frame).min(space - HEADER_LEN);
            if n == 0 && !(queued == 0 && s.send_end) {
                // Blocked on a window: a WINDOW_UPDATE reschedules it.
                s.scheduled = false;
                continue;
            }
            let last = n == queued;
            let end_stream = last && s.send_end && s.send_trailers.is_none();
            let header = FrameHeader {
                length: n as u32,
                kind: kind::DATA,
                flags: if end_stream { flags::END_STREAM } else { 0 },
                stream_id: StreamId::new(id),
            };
            let _ = header.encode(out);
            let mut left = n;
            while left > 0 {
                let Some(front) = s.send_queue.front_mut() else {
                    break;
                };
                let take = left.min(front.len());
                let _ = out.put_slice(front.get(..take).unwrap_or_default());
                if take == front.len() {
                    s.send_queue.pop_front();
                } else {
                    let _ = front.split_to(take);
                }
                left -= take;
            }
            let written = HEADER_LEN + n;
            s.send_queued -= n;
            self.send_queued_total = self.send_queued_total.saturating_sub(n);
            s.send_window -= n as i64;
            self.send_window -= n as i64;
            if last {
                s.scheduled = false;
                let trailers = s.send_trailers.take();
                if let Some(trailers) = trailers {
                    let fields: Vec<Field<'_>> = trailers.iter().map(Header::as_field).collect();
                    let sid = StreamId::new(id);
                    self.encode_block(sid, &fields, BlockStart::Headers { end_stream: true });
                    self.transition(sid, Transition::SendEndStream);
                } else if end_stream {
                    self.transition(StreamId::new(id), Transition::SendEndStream);
                }
            } else {
                self.send_order.push(id, s.priority);
            }
            return Some(written);
        }
        None
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) wants to be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.fatal.is_some() {
            return None;
        }
        self.settings_deadline
    }

    /// Fires timers due at `now`: a SETTINGS ACK overdue is a connection error of type
    /// SETTINGS_TIMEOUT (§6.5.3).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        if self.fatal.is_some() {
            return;
        }
        if self.settings_deadline.is_some_and(|d| now >= d) {
            self.fail(conn_err(
                ErrorCode::SETTINGS_TIMEOUT,
                Reason::SettingsTimeout,
            ));
        }
    }
}

fn check_fields(
    kind: SectionKind,
    fields: &[Field<'_>],
) -> Result<crate::http_fields::SectionSummary, UserError> {
    let mut checker = SectionChecker::new(kind);
    for f in fields {
        checker
            .field(f.name, f.value)
            .map_err(UserError::Malformed)?;
    }
    checker.finish().map_err(UserError::Malformed)
}
