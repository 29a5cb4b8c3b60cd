//! The WebSocket connection after the opening handshake (RFC 6455 §5–§7), sans-IO.
//!
//! # Method groups, in polling order
//! - input: [`Connection::handle_input`] takes bytes in any chunking and returns how many it
//!   consumed: all of them, except after the peer's close frame (the rest is not WebSocket
//!   data, hand it back to the transport) or when the queued events hold 32 KiB or more (poll
//!   them, then feed the rest).
//! - events: [`Connection::poll_event`] (owned payloads) or [`Connection::poll_event_ref`]
//!   (payloads lent from the connection's buffer, no allocation per message) until `None`.
//! - output: [`Connection::poll_transmit`] writes queued control frames (automatic pong, the
//!   close reply, the close after a failure).
//! - commands: `send_*` and [`Connection::close`] write frames straight into the caller's
//!   buffer; a client masks each frame with a key from the caller's key source.
//!
//! The frame layer assumes no HTTP version: it runs the same over an HTTP/1.1 Upgrade, an
//! HTTP/2 extended CONNECT stream (RFC 8441) or an HTTP/3 one (RFC 9220).

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use wire_codec::{BufferTooSmall, DecodeError, Output};

use crate::close::{CloseCode, CloseFrame};
use crate::error::{ProtocolError, SendError};
use crate::frame::{FrameHeader, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, OpCode};
use crate::mask::apply_mask;
use crate::utf8::Utf8Validator;

/// Which end of the connection this is: it decides masking (RFC 6455 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Masks every frame it sends; rejects masked frames.
    Client,
    /// Sends unmasked frames; rejects unmasked ones.
    Server,
}

/// Limits and behaviour. Every limit the peer can push against is here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Largest frame payload accepted (16 MiB): larger fails with 1009.
    pub max_frame_size: u64,
    /// Largest message accepted, after inflation (64 MiB): larger fails with 1009.
    pub max_message_size: usize,
    /// Most fragments in one message (131 072): more fails with 1008. Empty fragments count, so
    /// a flood of them stays bounded.
    pub max_fragments: usize,
    /// Answer each ping with a pong automatically (the latest 16 unanswered, §5.5.3).
    pub auto_pong: bool,
    /// Answer the peer's close frame automatically, echoing its code (§5.5.1).
    pub auto_close: bool,
    /// Split outgoing messages into frames of at most this many payload bytes (none: one frame
    /// per message).
    pub max_send_frame_size: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_frame_size: 16 << 20,
            max_message_size: 64 << 20,
            max_fragments: 1 << 17,
            auto_pong: true,
            auto_close: true,
            max_send_frame_size: None,
        }
    }
}

/// Where the close handshake stands (RFC 6455 §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Data flows both ways.
    Open,
    /// We sent a close frame and wait for the peer's.
    Closing,
    /// The peer's close frame arrived; ours is not sent yet.
    CloseReceived,
    /// Both close frames crossed, or the connection failed: close the transport.
    Closed,
}

/// What the peer sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A complete text message, valid UTF-8.
    Text(String),
    /// A complete binary message.
    Binary(Vec<u8>),
    /// A ping; with `Config::auto_pong` polling it queues the pong.
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// The peer's close frame (`None`: no status code). With `Config::auto_close` polling it
    /// queues the reply.
    Close(Option<CloseFrame>),
}

/// What the peer sent, with the payload lent from the connection's receive buffer: valid until
/// the next call on the connection (see [`Connection::poll_event_ref`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventRef<'a> {
    /// A complete text message, valid UTF-8.
    Text(&'a str),
    /// A complete binary message.
    Binary(&'a [u8]),
    /// A ping; with `Config::auto_pong` polling it queues the pong.
    Ping(&'a [u8]),
    /// A pong.
    Pong(&'a [u8]),
    /// The peer's close frame (`None`: no status code). With `Config::auto_close` polling it
    /// queues the reply.
    Close(Option<CloseFrame>),
}

impl EventRef<'_> {
    /// The same event with its payload copied out.
    pub fn to_event(&self) -> Event {
        match self {
            Self::Text(t) => Event::Text((*t).into()),
            Self::Binary(b) => Event::Binary(b.to_vec()),
            Self::Ping(b) => Event::Ping(b.to_vec()),
            Self::Pong(b) => Event::Pong(b.to_vec()),
            Self::Close(c) => Event::Close(c.clone()),
        }
    }
}

/// A whole message borrowed from the caller's buffer (see
/// [`Connection::handle_input_in_place`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// UTF-8 text.
    Text(&'a str),
    /// Bytes.
    Binary(&'a [u8]),
}

impl Message<'_> {
    /// The payload's length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Self::Text(t) => t.len(),
            Self::Binary(b) => b.len(),
        }
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A data message's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// UTF-8 text.
    Text,
    /// Bytes.
    Binary,
}

/// Messages up to this size that arrive whole in one input are queued in the connection's
/// receive buffer (lent by `poll_event_ref`, copied out by `poll_event`); larger ones and
/// reassembled ones get a buffer of their own, which `poll_event` hands over without a copy.
/// Small, because text in the receive buffer is UTF-8-checked again when polled (safe Rust
/// has no unchecked `&str`): for a short message that costs less than the allocation saved.
const LENT_MAX: usize = 1024;

/// The most buffer capacity kept for reuse between messages, in all (so one huge message does
/// not pin its memory for the connection's lifetime): room for the few large messages one
/// `handle_input` queues within its event budget.
const SPARE_MAX: usize = 2 * EVENT_BUDGET;

/// A queued event.
#[derive(Debug)]
enum Queued {
    /// The payload is the next `len` bytes of `Connection::lent`, already checked (text is
    /// valid UTF-8).
    Lent { kind: LentKind, len: usize },
    /// An event with its own buffer.
    Owned(Event),
}

/// The kinds of event whose payload can sit in the receive buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LentKind {
    Text,
    Binary,
    Ping,
    Pong,
}

/// Unanswered pings kept for automatic pongs (each at most 125 bytes).
const MAX_PENDING_PONGS: usize = 16;

/// What each queued event counts for, beyond its payload.
const EVENT_OVERHEAD: usize = 64;

/// Queued events holding this many bytes stop `handle_input` until they are polled (a message
/// in progress still completes). Small enough that the payloads the caller frees are reused by
/// the allocator instead of going back to the OS; large enough for hundreds of small messages
/// per call.
const EVENT_BUDGET: usize = 32 * 1024;

/// The receive side's position in the byte stream.
#[derive(Clone, Copy, Debug)]
enum Recv {
    /// Between frames; up to 13 bytes of an incomplete header are held.
    Header {
        buf: [u8; MAX_HEADER_LEN],
        len: usize,
    },
    /// Inside a frame's payload, `done` bytes in (for the mask offset).
    Payload {
        header: FrameHeader,
        remaining: u64,
        done: usize,
    },
}

/// A data message being reassembled.
#[derive(Debug)]
struct Assembly {
    kind: MessageKind,
    compressed: bool,
    fragments: usize,
    data: Vec<u8>,
    utf8: Utf8Validator,
    /// Whether `utf8` has seen every byte so far (skipped for a message that arrives whole).
    incremental: bool,
}

/// A message being sent in fragments with `send_fragment`.
#[derive(Clone, Copy, Debug)]
struct Sending {
    compressed: bool,
}

/// A source of masking keys for a client: the caller's strong random source (RFC 6455 §5.3
/// asks for unpredictable keys; the protocol crate has no OS randomness of its own).
pub type MaskKeySource = Box<dyn FnMut() -> [u8; 4] + Send>;

/// A WebSocket connection after the opening handshake. See the module doc for the method groups.
pub struct Connection {
    role: Role,
    config: Config,
    state: State,
    recv: Recv,
    message: Option<Assembly>,
    control: Vec<u8>,
    events: VecDeque<Queued>,
    queued_bytes: usize,
    /// Payloads of `Queued::Lent` events, in queue order, from `lent_head` on (the bytes before
    /// it were polled and are dropped on the next `handle_input`).
    lent: Vec<u8>,
    lent_head: usize,
    /// The owned event `poll_event_ref` lends from, kept until the next call.
    lent_event: Option<Event>,
    /// Empty message buffers to reuse (from lent events, at most `SPARE_MAX` in all), so large
    /// messages stop allocating too.
    spare: Vec<Vec<u8>>,
    pending_pongs: VecDeque<Vec<u8>>,
    pending_close: Option<Vec<u8>>,
    close_sent: bool,
    error: Option<ProtocolError>,
    mask_keys: Option<MaskKeySource>,
    sending: Option<Sending>,
    scratch: Vec<u8>,
    #[cfg(feature = "deflate")]
    deflate: Option<Deflate>,
}

/// The negotiated permessage-deflate state of a connection.
#[cfg(feature = "deflate")]
#[derive(Debug)]
struct Deflate {
    compressor: crate::deflate::Compressor,
    decompressor: crate::deflate::Decompressor,
    min_compress_len: usize,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A server connection.
    pub fn server(config: Config) -> Self {
        Self::new(Role::Server, config, None)
    }

    /// A client connection, masking with keys from `mask_keys` (RFC 6455 §5.3).
    pub fn client(config: Config, mask_keys: impl FnMut() -> [u8; 4] + Send + 'static) -> Self {
        Self::new(Role::Client, config, Some(Box::new(mask_keys)))
    }

    fn new(role: Role, config: Config, mask_keys: Option<MaskKeySource>) -> Self {
        Self {
            role,
            config,
            state: State::Open,
            recv: Recv::Header {
                buf: [0; MAX_HEADER_LEN],
                len: 0,
            },
            message: None,
            control: Vec::new(),
            events: VecDeque::new(),
            queued_bytes: 0,
            lent: Vec::new(),
            lent_head: 0,
            lent_event: None,
            spare: Vec::new(),
            pending_pongs: VecDeque::new(),
            pending_close: None,
            close_sent: false,
            error: None,
            mask_keys,
            sending: None,
            scratch: Vec::new(),
            #[cfg(feature = "deflate")]
            deflate: None,
        }
    }

    /// Enables permessage-deflate with the parameters the handshake agreed (RFC 7692 §7.1);
    /// `config` supplies the level and the minimum length to compress.
    #[cfg(feature = "deflate")]
    pub fn with_deflate(
        mut self,
        params: crate::DeflateParams,
        config: &crate::DeflateConfig,
    ) -> Result<Self, crate::ConfigError> {
        let (own_bits, own_no_takeover, peer_no_takeover) = match self.role {
            Role::Client => (
                params.client_max_window_bits,
                params.client_no_context_takeover,
                params.server_no_context_takeover,
            ),
            Role::Server => (
                params.server_max_window_bits,
                params.server_no_context_takeover,
                params.client_no_context_takeover,
            ),
        };
        let own_bits = own_bits.unwrap_or(15);
        if !(crate::MIN_COMPRESS_WINDOW_BITS..=15).contains(&own_bits) {
            return Err(crate::ConfigError(
                "compression window must be 9 to 15 bits",
            ));
        }
        self.deflate = Some(Deflate {
            compressor: crate::deflate::Compressor::new(config.level, own_bits, own_no_takeover),
            decompressor: crate::deflate::Decompressor::new(peer_no_takeover),
            min_compress_len: config.min_compress_len,
        });
        Ok(self)
    }

    /// This end's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Where the close handshake stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The failure that ended the connection, if any.
    pub fn error(&self) -> Option<ProtocolError> {
        self.error
    }

    /// Whether permessage-deflate is on.
    pub fn is_compressed(&self) -> bool {
        #[cfg(feature = "deflate")]
        return self.deflate.is_some();
        #[cfg(not(feature = "deflate"))]
        false
    }

    // ---------------------------------------------------------------- input

    /// Consumes bytes from the peer (any chunking), queueing events. Returns how many bytes
    /// were consumed; see the module doc for when that is fewer than given. A protocol
    /// violation fails the connection: the close frame is queued for `poll_transmit`, and every
    /// later call returns the same error.
    pub fn handle_input(&mut self, input: &[u8]) -> Result<usize, ProtocolError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.consume(input) {
            Ok(used) => Ok(used),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn consume(&mut self, input: &[u8]) -> Result<usize, ProtocolError> {
        // Drop the polled payloads once they are at least half the receive buffer (all of it
        // in the usual case that every event was polled): bounded memory, amortized moves.
        if self.lent_head > 0 && self.lent_head >= self.lent.len() / 2 {
            self.lent.drain(..self.lent_head);
            self.lent_head = 0;
        }
        self.reclaim_lent_event();
        let mut pos = 0;
        let budget = EVENT_BUDGET;
        while pos < input.len()
            && self.queued_bytes < budget
            && matches!(self.state, State::Open | State::Closing)
        {
            let rest = input.get(pos..).unwrap_or_default();
            match self.recv {
                Recv::Header { mut buf, len } => {
                    let decoded = if len == 0 {
                        let decoded = FrameHeader::decode(rest);
                        if let Ok((header, header_len)) = decoded
                            && let Some(used) = self.whole_message(&header, header_len, rest)?
                        {
                            pos += used;
                            continue;
                        }
                        decoded.map(|(h, n)| (h, n, n))
                    } else {
                        let take = (MAX_HEADER_LEN - len).min(rest.len());
                        if let (Some(dst), Some(src)) =
                            (buf.get_mut(len..len + take), rest.get(..take))
                        {
                            dst.copy_from_slice(src);
                        }
                        FrameHeader::decode(buf.get(..len + take).unwrap_or_default())
                            .map(|(h, n)| (h, n, n.saturating_sub(len)))
                    };
                    match decoded {
                        Ok((header, _, used)) => {
                            pos += used;
                            self.start_frame(header, input.len() - pos)?;
                        }
                        Err(DecodeError::Incomplete(_)) => {
                            // Hold what there is (at most 13 bytes) and wait for more.
                            let take = (MAX_HEADER_LEN - len).min(rest.len());
                            if let (Some(dst), Some(src)) =
                                (buf.get_mut(len..len + take), rest.get(..take))
                            {
                                dst.copy_from_slice(src);
                            }
                            self.recv = Recv::Header {
                                buf,
                                len: len + take,
                            };
                            pos += take;
                        }
                        Err(DecodeError::Invalid(e)) => return Err(e.into()),
                    }
                }
                Recv::Payload {
                    header,
                    remaining,
                    done,
                } => {
                    let take = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(rest.len());
                    let chunk = rest.get(..take).unwrap_or_default();
                    pos += take;
                    let remaining = remaining - take as u64;
                    self.payload(&header, chunk, done, remaining == 0)?;
                    if remaining == 0 {
                        self.end_frame(&header)?;
                    } else {
                        self.recv = Recv::Payload {
                            header,
                            remaining,
                            done: done + take,
                        };
                    }
                }
            }
        }
        Ok(pos)
    }

    /// Zero-copy input: when `input` starts with a whole unfragmented, uncompressed data
    /// frame, unmasks it in place and returns the message borrowed from `input` with the bytes
    /// it used. Returns `None` (and leaves `input` untouched) for anything else — a partial
    /// frame, a fragment, a control or compressed frame, or a frame the connection must reject
    /// — which [`handle_input`](Self::handle_input) then takes, with the same bytes.
    ///
    /// ```
    /// use ws_proto::{Config, Connection, Message};
    /// let mut buf = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    /// let mut server = Connection::server(Config::default());
    /// let (message, used) = server.handle_input_in_place(&mut buf).unwrap().unwrap();
    /// assert_eq!((message, used), (Message::Text("Hello"), 11));
    /// ```
    pub fn handle_input_in_place<'a>(
        &mut self,
        input: &'a mut [u8],
    ) -> Result<Option<(Message<'a>, usize)>, ProtocolError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let idle = matches!(self.recv, Recv::Header { len: 0, .. })
            && matches!(self.state, State::Open | State::Closing)
            && self.message.is_none();
        if !idle {
            return Ok(None);
        }
        let Ok((header, header_len)) = FrameHeader::decode(input) else {
            return Ok(None);
        };
        if !self.is_plain_message(&header) {
            return Ok(None);
        }
        let Ok(len) = usize::try_from(header.payload_len) else {
            return Ok(None);
        };
        let end = header_len.saturating_add(len);
        let Some(payload) = input.get_mut(header_len..end) else {
            return Ok(None);
        };
        if let Some(key) = header.mask {
            apply_mask(payload, key, 0);
        }
        let payload: &'a [u8] = payload;
        let message = if header.opcode == OpCode::Text {
            match core::str::from_utf8(payload) {
                Ok(text) => Message::Text(text),
                Err(_) => return Err(self.fail(ProtocolError::InvalidUtf8)),
            }
        } else {
            Message::Binary(payload)
        };
        Ok(Some((message, end)))
    }

    /// Whether a frame header starts a message that arrives whole in one frame and passes
    /// every check of `start_frame`.
    #[inline]
    fn is_plain_message(&self, header: &FrameHeader) -> bool {
        let masked_ok = match self.role {
            Role::Server => header.mask.is_some(),
            Role::Client => header.mask.is_none(),
        };
        header.fin
            && !(header.rsv1 || header.rsv2 || header.rsv3)
            && matches!(header.opcode, OpCode::Text | OpCode::Binary)
            && self.message.is_none()
            && masked_ok
            && header.payload_len <= self.config.max_frame_size
            && header.payload_len <= self.config.max_message_size as u64
    }

    /// The fast path: an unfragmented, uncompressed message wholly inside `rest` becomes an
    /// event in one copy, without the reassembly state. Returns the bytes used, or `None` to
    /// take the general path (which also reports any error the header carries).
    #[inline]
    fn whole_message(
        &mut self,
        header: &FrameHeader,
        header_len: usize,
        rest: &[u8],
    ) -> Result<Option<usize>, ProtocolError> {
        if !self.is_plain_message(header) {
            return Ok(None);
        }
        let Ok(len) = usize::try_from(header.payload_len) else {
            return Ok(None);
        };
        let end = header_len.saturating_add(len);
        let Some(payload) = rest.get(header_len..end) else {
            return Ok(None);
        };
        let text = header.opcode == OpCode::Text;
        if len <= LENT_MAX {
            // Into the receive buffer, copied and unmasked in one pass over the input.
            let start = self.lent.len();
            match header.mask {
                Some(key) => crate::mask::extend_masked(&mut self.lent, payload, key),
                None => self.lent.extend_from_slice(payload),
            }
            if text && core::str::from_utf8(self.lent.get(start..).unwrap_or_default()).is_err() {
                self.lent.truncate(start);
                return Err(ProtocolError::InvalidUtf8);
            }
            let kind = if text {
                LentKind::Text
            } else {
                LentKind::Binary
            };
            self.push_lent(kind, len);
            return Ok(Some(end));
        }
        // A buffer of its own (reused if one was handed back), filled in one pass.
        let mut data = self.spare.pop().unwrap_or_default();
        match header.mask {
            Some(key) => crate::mask::extend_masked(&mut data, payload, key),
            None => data.extend_from_slice(payload),
        }
        let event = if text {
            Event::Text(String::from_utf8(data).map_err(|_| ProtocolError::InvalidUtf8)?)
        } else {
            Event::Binary(data)
        };
        self.push(event);
        Ok(Some(end))
    }

    /// Checks a frame header against the connection's state (§5.1–§5.5, RFC 7692 §6).
    /// `available` is how many payload bytes the current input still holds.
    fn start_frame(&mut self, header: FrameHeader, available: usize) -> Result<(), ProtocolError> {
        match (self.role, header.mask.is_some()) {
            (Role::Server, false) => return Err(ProtocolError::UnmaskedFrame),
            (Role::Client, true) => return Err(ProtocolError::MaskedFrame),
            _ => {}
        }
        let first_data_frame = matches!(header.opcode, OpCode::Text | OpCode::Binary);
        if header.rsv2
            || header.rsv3
            || (header.rsv1 && !(first_data_frame && self.is_compressed()))
        {
            return Err(ProtocolError::ReservedBits);
        }
        if header.payload_len > self.config.max_frame_size {
            return Err(ProtocolError::FrameTooLarge(header.payload_len));
        }
        let len = usize::try_from(header.payload_len)
            .map_err(|_| ProtocolError::FrameTooLarge(header.payload_len))?;
        match header.opcode {
            OpCode::Close | OpCode::Ping | OpCode::Pong => self.control.clear(),
            OpCode::Continuation => {
                let max = self.config.max_fragments;
                let message = self
                    .message
                    .as_mut()
                    .ok_or(ProtocolError::UnexpectedContinuation)?;
                message.fragments += 1;
                if message.fragments > max {
                    return Err(ProtocolError::TooManyFragments);
                }
                if !message.compressed {
                    self.reserve_message(len)?;
                }
            }
            OpCode::Text | OpCode::Binary => {
                if self.message.is_some() {
                    return Err(ProtocolError::ExpectedContinuation);
                }
                let kind = if header.opcode == OpCode::Text {
                    MessageKind::Text
                } else {
                    MessageKind::Binary
                };
                // A message that arrives whole in this input is validated once, at its end.
                let whole = header.fin && len <= available;
                self.message = Some(Assembly {
                    kind,
                    compressed: header.rsv1,
                    fragments: 1,
                    data: self.spare.pop().unwrap_or_default(),
                    utf8: Utf8Validator::new(),
                    incremental: !whole || header.rsv1,
                });
                if !header.rsv1 {
                    self.reserve_message(len)?;
                }
            }
        }
        if len == 0 {
            self.payload(&header, &[], 0, true)?;
            return self.end_frame(&header);
        }
        self.recv = Recv::Payload {
            header,
            remaining: header.payload_len,
            done: 0,
        };
        Ok(())
    }

    /// Checks the size limit before an uncompressed frame's payload arrives, and reserves room.
    fn reserve_message(&mut self, len: usize) -> Result<(), ProtocolError> {
        let limit = self.config.max_message_size;
        let message = self
            .message
            .as_mut()
            .ok_or(ProtocolError::UnexpectedContinuation)?;
        let total = message.data.len().saturating_add(len);
        if total > limit {
            return Err(ProtocolError::MessageTooLarge);
        }
        message.data.reserve(len);
        Ok(())
    }

    /// Takes one piece of a frame's payload, `done` bytes into it.
    fn payload(
        &mut self,
        header: &FrameHeader,
        chunk: &[u8],
        done: usize,
        _last: bool,
    ) -> Result<(), ProtocolError> {
        if header.opcode.is_control() {
            let start = self.control.len();
            self.control.extend_from_slice(chunk);
            if let (Some(key), Some(data)) = (header.mask, self.control.get_mut(start..)) {
                apply_mask(data, key, done);
            }
            return Ok(());
        }
        let limit = self.config.max_message_size;
        let message = self
            .message
            .as_mut()
            .ok_or(ProtocolError::UnexpectedContinuation)?;
        let start = message.data.len();
        if message.compressed {
            #[cfg(feature = "deflate")]
            {
                let deflate = self.deflate.as_mut().ok_or(ProtocolError::ReservedBits)?;
                self.scratch.clear();
                self.scratch.extend_from_slice(chunk);
                if let Some(key) = header.mask {
                    apply_mask(&mut self.scratch, key, done);
                }
                let inflated =
                    deflate
                        .decompressor
                        .decompress(&self.scratch, &mut message.data, limit);
                inflated.map_err(|e| inflate_failure(message, start, limit, e))?;
            }
            #[cfg(not(feature = "deflate"))]
            return Err(ProtocolError::ReservedBits);
        } else {
            message.data.extend_from_slice(chunk);
            if let (Some(key), Some(data)) = (header.mask, message.data.get_mut(start..)) {
                apply_mask(data, key, done);
            }
        }
        if message.kind == MessageKind::Text && message.incremental {
            message
                .utf8
                .feed(message.data.get(start..).unwrap_or_default())
                .map_err(|_| ProtocolError::InvalidUtf8)?;
        }
        let _ = limit;
        Ok(())
    }

    /// A frame's payload is complete.
    fn end_frame(&mut self, header: &FrameHeader) -> Result<(), ProtocolError> {
        self.recv = Recv::Header {
            buf: [0; MAX_HEADER_LEN],
            len: 0,
        };
        match header.opcode {
            OpCode::Ping | OpCode::Pong => {
                self.lent.extend_from_slice(&self.control);
                let kind = if header.opcode == OpCode::Ping {
                    LentKind::Ping
                } else {
                    LentKind::Pong
                };
                self.push_lent(kind, self.control.len());
            }
            OpCode::Close => {
                let frame = CloseFrame::parse(&self.control)?;
                match self.state {
                    State::Open => self.state = State::CloseReceived,
                    _ => self.state = State::Closed,
                }
                self.push(Event::Close(frame));
            }
            OpCode::Text | OpCode::Binary | OpCode::Continuation => {
                if header.fin {
                    self.finish_message()?;
                }
            }
        }
        Ok(())
    }

    fn finish_message(&mut self) -> Result<(), ProtocolError> {
        let Some(mut message) = self.message.take() else {
            return Err(ProtocolError::UnexpectedContinuation);
        };
        if message.compressed {
            #[cfg(feature = "deflate")]
            if let Some(deflate) = self.deflate.as_mut() {
                let start = message.data.len();
                let limit = self.config.max_message_size;
                let inflated = deflate.decompressor.finish(&mut message.data, limit);
                inflated.map_err(|e| inflate_failure(&mut message, start, limit, e))?;
                if message.kind == MessageKind::Text {
                    message
                        .utf8
                        .feed(message.data.get(start..).unwrap_or_default())
                        .map_err(|_| ProtocolError::InvalidUtf8)?;
                }
            }
        }
        let event = match message.kind {
            MessageKind::Binary => Event::Binary(message.data),
            MessageKind::Text => {
                if message.incremental {
                    message
                        .utf8
                        .finish()
                        .map_err(|_| ProtocolError::InvalidUtf8)?;
                }
                Event::Text(
                    String::from_utf8(message.data).map_err(|_| ProtocolError::InvalidUtf8)?,
                )
            }
        };
        self.push(event);
        Ok(())
    }

    fn push(&mut self, event: Event) {
        self.queued_bytes += event_size(&event);
        self.events.push_back(Queued::Owned(event));
    }

    /// Queues an event whose payload was just appended to `lent`.
    fn push_lent(&mut self, kind: LentKind, len: usize) {
        self.queued_bytes += EVENT_OVERHEAD + len;
        self.events.push_back(Queued::Lent { kind, len });
    }

    /// Fails the connection: queues a close frame with the error's code (unless one was sent)
    /// and makes the error sticky (RFC 6455 §7.1.7).
    fn fail(&mut self, e: ProtocolError) -> ProtocolError {
        self.error = Some(e);
        self.message = None;
        self.pending_pongs.clear();
        if !self.close_sent {
            self.pending_close = Some(e.close_code().0.to_be_bytes().to_vec());
        }
        self.state = State::Closed;
        e
    }

    // ---------------------------------------------------------------- events

    /// The next event, in the order the frames arrived, owning its payload.
    ///
    /// Automatic replies are queued as their event is polled, so whatever the caller sends in
    /// answer to earlier events goes out before them: a pong after the echo of the message
    /// before its ping, the close reply after everything else.
    pub fn poll_event(&mut self) -> Option<Event> {
        let queued = self.events.pop_front()?;
        let event = match queued {
            Queued::Owned(event) => event,
            Queued::Lent { kind, len } => {
                let payload = self.take_lent(len);
                match kind {
                    // Checked on receipt; a safe conversion needs the check again.
                    LentKind::Text => {
                        Event::Text(core::str::from_utf8(payload).unwrap_or_default().into())
                    }
                    LentKind::Binary => Event::Binary(payload.to_vec()),
                    LentKind::Ping => Event::Ping(payload.to_vec()),
                    LentKind::Pong => Event::Pong(payload.to_vec()),
                }
            }
        };
        self.queued_bytes = self.queued_bytes.saturating_sub(event_size(&event));
        match &event {
            Event::Ping(payload) => self.auto_pong(payload),
            Event::Close(frame) => self.auto_close(frame.as_ref()),
            _ => {}
        }
        Some(event)
    }

    /// The next event like [`poll_event`](Self::poll_event), with the payload lent from the
    /// connection instead of copied out: valid until the next call on the connection. Small
    /// messages that arrive whole sit in one receive buffer and large ones reuse the buffer of
    /// the message lent before, so a steady stream of messages allocates nothing.
    ///
    /// ```
    /// use ws_proto::{Config, Connection, EventRef};
    /// let frame = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    /// let mut server = Connection::server(Config::default());
    /// server.handle_input(&frame).unwrap();
    /// assert_eq!(server.poll_event_ref(), Some(EventRef::Text("Hello")));
    /// assert_eq!(server.poll_event_ref(), None);
    /// ```
    pub fn poll_event_ref(&mut self) -> Option<EventRef<'_>> {
        self.reclaim_lent_event();
        let queued = self.events.pop_front()?;
        match queued {
            Queued::Lent { kind, len } => {
                self.queued_bytes = self.queued_bytes.saturating_sub(EVENT_OVERHEAD + len);
                if kind == LentKind::Ping && self.config.auto_pong && !self.close_sent {
                    let start = self.lent_head;
                    let ping = self.lent.get(start..start + len).unwrap_or_default();
                    let pong = ping.to_vec();
                    self.auto_pong(&pong);
                }
                let payload = self.take_lent(len);
                Some(match kind {
                    // Checked on receipt; a safe conversion needs the check again.
                    LentKind::Text => {
                        EventRef::Text(core::str::from_utf8(payload).unwrap_or_default())
                    }
                    LentKind::Binary => EventRef::Binary(payload),
                    LentKind::Ping => EventRef::Ping(payload),
                    LentKind::Pong => EventRef::Pong(payload),
                })
            }
            Queued::Owned(event) => {
                self.queued_bytes = self.queued_bytes.saturating_sub(event_size(&event));
                match &event {
                    Event::Ping(payload) => self.auto_pong(payload),
                    Event::Close(frame) => self.auto_close(frame.as_ref()),
                    _ => {}
                }
                let event = self.lent_event.insert(event);
                Some(match event {
                    Event::Text(t) => EventRef::Text(t),
                    Event::Binary(b) => EventRef::Binary(b),
                    Event::Ping(b) => EventRef::Ping(b),
                    Event::Pong(b) => EventRef::Pong(b),
                    Event::Close(c) => EventRef::Close(c.clone()),
                })
            }
        }
    }

    /// Keeps the buffer of the owned event lent last (the lend is over) for a later large
    /// message.
    #[inline(always)]
    fn reclaim_lent_event(&mut self) {
        if self.lent_event.is_some() {
            self.reclaim_lent_buffer();
        }
    }

    fn reclaim_lent_buffer(&mut self) {
        let data = match self.lent_event.take() {
            Some(Event::Binary(data)) => data,
            Some(Event::Text(text)) => text.into_bytes(),
            _ => return,
        };
        let kept: usize = self.spare.iter().map(Vec::capacity).sum();
        if kept + data.capacity() <= SPARE_MAX {
            let mut data = data;
            data.clear();
            self.spare.push(data);
        }
    }

    /// The next `len` bytes of the receive buffer.
    fn take_lent(&mut self, len: usize) -> &[u8] {
        let start = self.lent_head;
        self.lent_head = start + len;
        self.lent.get(start..start + len).unwrap_or_default()
    }

    /// Queues the automatic pong for a polled ping.
    fn auto_pong(&mut self, payload: &[u8]) {
        if self.config.auto_pong && !self.close_sent {
            // Unanswered pings beyond the bound are answered only by the latest pong,
            // which §5.5.3 allows; a ping flood cannot grow the queue.
            if self.pending_pongs.len() >= MAX_PENDING_PONGS {
                self.pending_pongs.pop_front();
            }
            self.pending_pongs.push_back(payload.to_vec());
        }
    }

    /// Queues the automatic close reply for a polled close.
    fn auto_close(&mut self, frame: Option<&CloseFrame>) {
        if self.config.auto_close && self.state == State::CloseReceived && !self.close_sent {
            // Echo the code (§5.5.1); no code gets an empty close.
            let reply = frame.map(|f| f.code.0.to_be_bytes().to_vec());
            self.pending_close = Some(reply.unwrap_or_default());
        }
    }

    // ---------------------------------------------------------------- output

    /// Writes queued control frames (automatic pong, the close reply or the failure's close)
    /// into `out`, returning how many bytes were written; a frame that does not fit stays
    /// queued.
    pub fn poll_transmit(&mut self, out: &mut impl FrameOutput) -> Result<usize, BufferTooSmall> {
        let mut written = 0;
        while !self.close_sent
            && let Some(pong) = self.pending_pongs.pop_front()
        {
            match self.put_frame(out, OpCode::Pong, true, false, &pong) {
                Ok(n) => written += n,
                Err(e) => {
                    self.pending_pongs.push_front(pong);
                    return Err(e);
                }
            }
        }
        if let Some(close) = self.pending_close.take() {
            match self.put_frame(out, OpCode::Close, true, false, &close) {
                Ok(n) => {
                    written += n;
                    self.close_sent = true;
                    self.state = match self.state {
                        State::Open => State::Closing,
                        _ => State::Closed,
                    };
                }
                Err(e) => {
                    self.pending_close = Some(close);
                    return Err(e);
                }
            }
        }
        Ok(written)
    }

    /// Whether `poll_transmit` has something to write.
    pub fn wants_transmit(&self) -> bool {
        self.pending_close.is_some() || (!self.pending_pongs.is_empty() && !self.close_sent)
    }

    // ---------------------------------------------------------------- commands

    /// Sends a text message (compressed when permessage-deflate is on, split per
    /// `Config::max_send_frame_size`).
    pub fn send_text(&mut self, text: &str, out: &mut impl FrameOutput) -> Result<(), SendError> {
        self.send_message(MessageKind::Text, text.as_bytes(), out)
    }

    /// Sends a binary message.
    pub fn send_binary(
        &mut self,
        data: &[u8],
        out: &mut impl FrameOutput,
    ) -> Result<(), SendError> {
        self.send_message(MessageKind::Binary, data, out)
    }

    /// Sends a whole message. For `Text`, `payload` must be UTF-8 (use `send_text`).
    #[inline]
    pub fn send_message(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        out: &mut impl FrameOutput,
    ) -> Result<(), SendError> {
        let opcode = match kind {
            MessageKind::Text => OpCode::Text,
            MessageKind::Binary => OpCode::Binary,
        };
        let one_plain_frame = !self.close_sent
            && self.state != State::Closed
            && self.sending.is_none()
            && !self.should_compress(payload.len())
            && self
                .config
                .max_send_frame_size
                .is_none_or(|n| n == 0 || payload.len() <= n);
        if !one_plain_frame {
            return self.send_message_general(opcode, payload, out);
        }
        // The common case, one uncompressed frame: straight into `out`.
        let mut header = FrameHeader::new(opcode, payload.len() as u64);
        if self.role == Role::Client {
            header.mask = Some([0; 4]);
        }
        let needed = header.encoded_len() + payload.len();
        if out.remaining_capacity() < needed {
            return Err(BufferTooSmall {
                needed,
                available: out.remaining_capacity(),
            }
            .into());
        }
        if let Some(source) = self.mask_keys.as_mut()
            && self.role == Role::Client
        {
            header.mask = Some(source());
        }
        out.put_frame(&header, payload)?;
        Ok(())
    }

    /// `send_message` when the message is compressed, split, or refused.
    #[inline(never)]
    fn send_message_general(
        &mut self,
        opcode: OpCode,
        payload: &[u8],
        out: &mut impl FrameOutput,
    ) -> Result<(), SendError> {
        self.check_can_send_data()?;
        if self.sending.is_some() {
            return Err(SendError::MessageInProgress);
        }
        let compress = self.should_compress(payload.len());
        let frame_size = self.config.max_send_frame_size.filter(|&n| n > 0);
        // A bound on the bytes this writes, checked before anything changes (stored deflate
        // blocks add 5 bytes per 64 KiB; the margin covers headers and the flush).
        let body_bound = if compress {
            payload.len() + payload.len() / 8 + 64
        } else {
            payload.len()
        };
        let frames = frame_size.map_or(1, |n| body_bound.div_ceil(n).max(1));
        let needed = body_bound + frames * MAX_HEADER_LEN;
        if out.remaining_capacity() < needed {
            return Err(BufferTooSmall {
                needed,
                available: out.remaining_capacity(),
            }
            .into());
        }
        let mut body = core::mem::take(&mut self.scratch);
        let data: &[u8] = if compress {
            body.clear();
            self.compress(payload, &mut body, true);
            &body
        } else {
            payload
        };
        let result = match frame_size {
            Some(size) if data.len() > size => {
                let mut result = Ok(0);
                let count = data.len().div_ceil(size);
                for (i, piece) in data.chunks(size).enumerate() {
                    let op = if i == 0 { opcode } else { OpCode::Continuation };
                    result = self.put_frame(out, op, i + 1 == count, compress && i == 0, piece);
                    if result.is_err() {
                        break;
                    }
                }
                result
            }
            _ => self.put_frame(out, opcode, true, compress, data),
        };
        self.scratch = body;
        result.map(|_| ()).map_err(SendError::from)
    }

    /// Sends one fragment of a message whose size is not known up front (§5.4): the first call
    /// sets `kind`, later ones continue it, and `fin` ends it. With permessage-deflate every
    /// fragment is compressed through the same stream, RSV1 on the first only.
    pub fn send_fragment(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        fin: bool,
        out: &mut impl FrameOutput,
    ) -> Result<(), SendError> {
        self.check_can_send_data()?;
        let (opcode, compressed, first) = match self.sending {
            Some(s) => (OpCode::Continuation, s.compressed, false),
            None => (
                match kind {
                    MessageKind::Text => OpCode::Text,
                    MessageKind::Binary => OpCode::Binary,
                },
                self.is_compressed(),
                true,
            ),
        };
        let bound = if compressed {
            payload.len() + payload.len() / 8 + 64
        } else {
            payload.len()
        } + MAX_HEADER_LEN;
        if out.remaining_capacity() < bound {
            return Err(BufferTooSmall {
                needed: bound,
                available: out.remaining_capacity(),
            }
            .into());
        }
        let mut body = core::mem::take(&mut self.scratch);
        let data: &[u8] = if compressed {
            body.clear();
            self.compress(payload, &mut body, fin);
            &body
        } else {
            payload
        };
        let result = self.put_frame(out, opcode, fin, compressed && first, data);
        self.scratch = body;
        self.sending = if fin {
            None
        } else {
            Some(Sending { compressed })
        };
        result.map(|_| ()).map_err(SendError::from)
    }

    /// Sends a ping (payload at most 125 bytes).
    pub fn send_ping(
        &mut self,
        payload: &[u8],
        out: &mut impl FrameOutput,
    ) -> Result<(), SendError> {
        self.send_control(OpCode::Ping, payload, out)
    }

    /// Sends an unsolicited pong, or a pong of your own when `auto_pong` is off.
    pub fn send_pong(
        &mut self,
        payload: &[u8],
        out: &mut impl FrameOutput,
    ) -> Result<(), SendError> {
        self.send_control(OpCode::Pong, payload, out)
    }

    /// Starts (or, after the peer's close, completes) the close handshake (§7.1.2). `None`
    /// sends a close frame without a status code; a reason needs a code.
    pub fn close(
        &mut self,
        code: Option<CloseCode>,
        reason: &str,
        out: &mut impl FrameOutput,
    ) -> Result<(), SendError> {
        if self.close_sent || self.state == State::Closed {
            return Err(SendError::Closed);
        }
        let payload = match code {
            Some(code) if code.is_valid_on_wire() => CloseFrame {
                code,
                reason: reason.into(),
            }
            .payload(),
            Some(code) => return Err(SendError::InvalidCloseCode(code.0)),
            None => Vec::new(),
        };
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(SendError::ControlTooLong);
        }
        self.put_frame(out, OpCode::Close, true, false, &payload)?;
        self.pending_close = None;
        self.close_sent = true;
        self.state = match self.state {
            State::Open => State::Closing,
            _ => State::Closed,
        };
        Ok(())
    }

    fn send_control(
        &mut self,
        opcode: OpCode,
        payload: &[u8],
        out: &mut impl FrameOutput,
    ) -> Result<(), SendError> {
        if self.close_sent || self.state == State::Closed {
            return Err(SendError::Closed);
        }
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(SendError::ControlTooLong);
        }
        self.put_frame(out, opcode, true, false, payload)?;
        Ok(())
    }

    fn check_can_send_data(&self) -> Result<(), SendError> {
        if self.close_sent || self.state == State::Closed {
            Err(SendError::Closed)
        } else {
            Ok(())
        }
    }

    fn should_compress(&self, len: usize) -> bool {
        #[cfg(feature = "deflate")]
        return self
            .deflate
            .as_ref()
            .is_some_and(|d| len >= d.min_compress_len);
        #[cfg(not(feature = "deflate"))]
        {
            let _ = len;
            false
        }
    }

    fn compress(&mut self, payload: &[u8], body: &mut Vec<u8>, end_of_message: bool) {
        #[cfg(feature = "deflate")]
        if let Some(deflate) = self.deflate.as_mut() {
            deflate.compressor.compress(payload, body, end_of_message);
        }
        #[cfg(not(feature = "deflate"))]
        let _ = (payload, body, end_of_message);
    }

    /// Writes one frame, masked with a fresh key when this is a client. Checks room first, so
    /// nothing is written on failure.
    #[inline]
    fn put_frame(
        &mut self,
        out: &mut impl FrameOutput,
        opcode: OpCode,
        fin: bool,
        rsv1: bool,
        payload: &[u8],
    ) -> Result<usize, BufferTooSmall> {
        let mut header = FrameHeader::new(opcode, payload.len() as u64);
        header.fin = fin;
        header.rsv1 = rsv1;
        if self.role == Role::Client {
            header.mask = Some([0; 4]);
        }
        let total = header.encoded_len() + payload.len();
        if out.remaining_capacity() < total {
            return Err(BufferTooSmall {
                needed: total,
                available: out.remaining_capacity(),
            });
        }
        header.mask = match self.mask_keys.as_mut() {
            Some(source) if self.role == Role::Client => Some(source()),
            _ => None,
        };
        out.put_frame(&header, payload)?;
        Ok(total)
    }
}

/// Where frames are written: a [`wire_codec::Output`] that can also append a payload masked.
/// Implemented for `Vec<u8>` (word stores straight into the vector, no staging) and
/// [`wire_codec::Writer`] (copy, then mask the copy in place).
pub trait FrameOutput: Output {
    /// Appends `payload` XOR-ed with `key` (RFC 6455 §5.3), or nothing if it does not fit.
    fn put_masked(&mut self, payload: &[u8], key: [u8; 4]) -> Result<(), BufferTooSmall>;

    /// Appends a whole frame: `header` (its `payload_len` must be `payload.len()`), then
    /// `payload`, masked with the header's key if it has one. Checks room first, so nothing is
    /// written on failure.
    fn put_frame(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<(), BufferTooSmall> {
        let mut head = [0u8; MAX_HEADER_LEN];
        let head_len = header.write(&mut head);
        let needed = head_len + payload.len();
        if self.remaining_capacity() < needed {
            return Err(BufferTooSmall {
                needed,
                available: self.remaining_capacity(),
            });
        }
        self.put_slice(head.get(..head_len).unwrap_or_default())?;
        match header.mask {
            Some(key) => self.put_masked(payload, key),
            None => self.put_slice(payload),
        }
    }
}

impl FrameOutput for Vec<u8> {
    fn put_masked(&mut self, payload: &[u8], key: [u8; 4]) -> Result<(), BufferTooSmall> {
        crate::mask::extend_masked(self, payload, key);
        Ok(())
    }

    #[inline]
    fn put_frame(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<(), BufferTooSmall> {
        if let Ok(len @ 0..=125) = u8::try_from(payload.len()) {
            // Most messages: a 2-byte header (6 with the key), written as one word.
            let b0 = header.first_byte();
            let (head, head_len) = match header.mask {
                Some([a, b, c, d]) => ([b0, 0x80 | len, a, b, c, d, 0, 0], 6),
                None => ([b0, len, 0, 0, 0, 0, 0, 0], 2),
            };
            crate::mask::push_short_frame(self, head, head_len, payload, header.mask);
            return Ok(());
        }
        let mut head = [0u8; MAX_HEADER_LEN];
        let head_len = header.write(&mut head);
        // Straight into the vector: one reservation, no staging copy.
        self.reserve(head_len + payload.len());
        self.extend_from_slice(head.get(..head_len).unwrap_or_default());
        match header.mask {
            Some(key) => crate::mask::extend_masked(self, payload, key),
            None => self.extend_from_slice(payload),
        }
        Ok(())
    }
}

impl FrameOutput for wire_codec::Writer<'_> {
    fn put_masked(&mut self, payload: &[u8], key: [u8; 4]) -> Result<(), BufferTooSmall> {
        let start = self.len();
        self.put_slice(payload)?;
        apply_mask(
            self.written_mut().get_mut(start..).unwrap_or_default(),
            key,
            0,
        );
        Ok(())
    }
}

fn event_size(event: &Event) -> usize {
    EVENT_OVERHEAD
        + match event {
            Event::Text(t) => t.len(),
            Event::Binary(b) | Event::Ping(b) | Event::Pong(b) => b.len(),
            Event::Close(_) => 0,
        }
}

/// Why inflating a message failed. A text message that outgrew the limit fails with 1007
/// instead when the bytes inflated within the limit already hold invalid UTF-8: that fault came
/// first (text fails fast, RFC 6455 §8.1), however the input was chunked.
#[cfg(feature = "deflate")]
fn inflate_failure(
    message: &mut Assembly,
    start: usize,
    limit: usize,
    e: crate::deflate::InflateFailure,
) -> ProtocolError {
    let error = inflate_error(e);
    if error == ProtocolError::MessageTooLarge && message.kind == MessageKind::Text {
        let within = message
            .data
            .get(start..limit.max(start))
            .unwrap_or_default();
        if message.utf8.feed(within).is_err() {
            return ProtocolError::InvalidUtf8;
        }
    }
    error
}

#[cfg(feature = "deflate")]
fn inflate_error(e: crate::deflate::InflateFailure) -> ProtocolError {
    match e {
        crate::deflate::InflateFailure::TooLarge => ProtocolError::MessageTooLarge,
        crate::deflate::InflateFailure::Corrupt => ProtocolError::Decompression,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::apply_mask_reference;
    use alloc::vec;
    use proptest::prelude::*;

    /// One message as a client sends it: `(opcode, payload, fragments)`.
    type Msg = (OpCode, Vec<u8>, usize);

    fn message() -> impl Strategy<Value = Msg> {
        // Around LENT_MAX (receive buffer or own buffer) and the 64-byte masking block.
        let size = prop_oneof![
            0usize..30,
            60usize..200,
            LENT_MAX - 8..LENT_MAX + 8,
            5000usize..20_000
        ];
        (0u8..6, size, 1usize..4, any::<u8>()).prop_map(|(kind, size, fragments, seed)| {
            let opcode = match kind {
                0 | 1 => OpCode::Binary,
                2 | 3 => OpCode::Text,
                4 => OpCode::Ping,
                _ => OpCode::Pong,
            };
            let payload = match opcode {
                // Multi-byte characters, so fragments split them.
                OpCode::Text => "aé€𝄞".repeat(size / 10 + 1).into_bytes(),
                _ => (0..size).map(|i| (i as u8).wrapping_mul(seed)).collect(),
            };
            let fragments = if opcode.is_control() { 1 } else { fragments };
            let payload = if opcode.is_control() {
                payload
                    .get(..size.min(MAX_CONTROL_PAYLOAD))
                    .unwrap()
                    .to_vec()
            } else {
                payload
            };
            (opcode, payload, fragments)
        })
    }

    /// Masked client frames, built from the header codec and the reference mask (not from
    /// `Connection`'s own send path).
    fn client_frames(messages: &[Msg]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, (opcode, payload, fragments)) in messages.iter().enumerate() {
            let piece = payload.len().div_ceil(*fragments).max(1);
            let pieces: Vec<&[u8]> = if payload.is_empty() {
                vec![&[]]
            } else {
                payload.chunks(piece).collect()
            };
            for (j, piece) in pieces.iter().enumerate() {
                let key = [i as u8, j as u8, 0x5a, 0xa5];
                let header = FrameHeader {
                    fin: j + 1 == pieces.len(),
                    mask: Some(key),
                    ..FrameHeader::new(
                        if j == 0 {
                            *opcode
                        } else {
                            OpCode::Continuation
                        },
                        piece.len() as u64,
                    )
                };
                header.encode(&mut out).unwrap();
                let mut body = piece.to_vec();
                apply_mask_reference(&mut body, key, 0);
                out.extend_from_slice(&body);
            }
        }
        out
    }

    fn expected_event((opcode, payload, _): &Msg) -> Event {
        match opcode {
            OpCode::Text => Event::Text(String::from_utf8(payload.clone()).unwrap()),
            OpCode::Binary => Event::Binary(payload.clone()),
            OpCode::Ping => Event::Ping(payload.clone()),
            _ => Event::Pong(payload.clone()),
        }
    }

    proptest! {
        /// Lent events equal owned ones (and the messages sent) under any chunking, also
        /// when the caller leaves events unpolled between inputs; the receive buffer stays
        /// bounded meanwhile.
        #[test]
        fn lent_events_equal_owned_events(
            messages in proptest::collection::vec(message(), 1..12),
            chunk in prop_oneof![1usize..40, 1000usize..70_000],
            lag in 0usize..3,
        ) {
            let input = client_frames(&messages);
            let expected: Vec<Event> = messages.iter().map(expected_event).collect();

            let mut owned = Connection::server(Config::default());
            let mut owned_events = Vec::new();
            let mut rest = &input[..];
            while !rest.is_empty() {
                let used = owned.handle_input(&rest[..chunk.min(rest.len())]).unwrap();
                owned_events.extend(core::iter::from_fn(|| owned.poll_event()));
                rest = &rest[used..];
            }
            prop_assert_eq!(&owned_events, &expected);

            let mut lent = Connection::server(Config::default());
            let mut lent_events = Vec::new();
            let mut rest = &input[..];
            while !rest.is_empty() {
                let used = lent.handle_input(&rest[..chunk.min(rest.len())]).unwrap();
                prop_assert!(lent.lent.len() <= 2 * (EVENT_BUDGET + LENT_MAX + 200));
                // Leave `lag` events queued (unless nothing was consumed).
                let keep = if used == 0 { 0 } else { lag };
                while lent.events.len() > keep {
                    let event = lent.poll_event_ref().unwrap();
                    lent_events.push(event.to_event());
                }
                rest = &rest[used..];
            }
            while let Some(event) = lent.poll_event_ref() {
                lent_events.push(event.to_event());
            }
            prop_assert_eq!(&lent_events, &expected);
            // Both answered every ping with the same pongs.
            let (mut a, mut b) = (Vec::new(), Vec::new());
            owned.poll_transmit(&mut a).unwrap();
            lent.poll_transmit(&mut b).unwrap();
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn invalid_utf8_in_a_small_message_fails_and_queues_nothing() {
        let mut server = Connection::server(Config::default());
        let frames = client_frames(&[
            (OpCode::Binary, b"ok".to_vec(), 1),
            (OpCode::Text, vec![0x61, 0xff], 1),
        ]);
        assert_eq!(
            server.handle_input(&frames),
            Err(ProtocolError::InvalidUtf8)
        );
        assert_eq!(server.poll_event_ref(), Some(EventRef::Binary(b"ok")));
        assert_eq!(server.poll_event_ref(), None);
    }

    #[test]
    fn large_lent_messages_reuse_one_buffer() {
        let mut server = Connection::server(Config::default());
        let big = vec![7u8; 16 << 10];
        let message = (OpCode::Binary, big.clone(), 1);
        let frames = client_frames(&[message.clone(), message.clone(), message]);
        let mut seen = Vec::new();
        let mut rest = &frames[..];
        while !rest.is_empty() {
            // Two 16 KiB messages fill the 32 KiB event budget: poll, then feed the rest.
            rest = &rest[server.handle_input(rest).unwrap()..];
            while let Some(event) = server.poll_event_ref() {
                let EventRef::Binary(data) = event else {
                    panic!("binary expected");
                };
                assert_eq!(data, &big[..]);
                seen.push(data.as_ptr() as usize);
            }
        }
        assert_eq!(seen.len(), 3);
        // The third message was received into the buffer lent for an earlier one.
        assert!(seen[..2].contains(&seen[2]), "{seen:x?}");
    }
}
