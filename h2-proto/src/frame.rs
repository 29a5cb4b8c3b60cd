//! HTTP/2 frames (RFC 9113 §4 and §6, plus PRIORITY_UPDATE from RFC 9218 §7.1): a zero-copy
//! decoder that borrows payloads from the input, and an encoder into any [`Output`].
//!
//! The decoder validates everything a frame says about itself (length, padding, stream id,
//! setting values) and reports a violation as an [`H2Error`] with its RFC 9113 §7 code and its
//! scope (connection or stream); rules that depend on connection state live in the connection.
//! Unknown frame types are returned as [`Frame::Unknown`] and unknown flags are ignored (§4.1,
//! §5.5).

use wire_codec::{BufferTooSmall, DecodeError, Output, Reader};

use crate::error::{ErrorCode, H2Error, Reason};

/// The frame header length (RFC 9113 §4.1).
pub const HEADER_LEN: usize = 9;
/// The initial and smallest SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2).
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 1 << 14;
/// The largest SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2).
pub const MAX_MAX_FRAME_SIZE: u32 = (1 << 24) - 1;
/// The largest flow-control window (RFC 9113 §6.9.1).
pub const MAX_WINDOW_SIZE: u32 = (1 << 31) - 1;

/// A stream identifier (RFC 9113 §5.1.1): 31 bits, the reserved bit cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct StreamId(u32);

impl StreamId {
    /// Stream 0, the connection.
    pub const CONNECTION: Self = Self(0);
    /// The largest stream id.
    pub const MAX: Self = Self(MAX_WINDOW_SIZE);

    /// The id with the reserved bit masked off.
    pub const fn new(id: u32) -> Self {
        Self(id & MAX_WINDOW_SIZE)
    }

    /// The id as a number.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// Whether this is stream 0.
    pub const fn is_connection(self) -> bool {
        self.0 == 0
    }

    /// Client-initiated streams are odd (§5.1.1).
    pub const fn is_client_initiated(self) -> bool {
        self.0 % 2 == 1
    }

    /// Server-initiated (pushed) streams are even and non-zero (§5.1.1).
    pub const fn is_server_initiated(self) -> bool {
        self.0 != 0 && self.0.is_multiple_of(2)
    }
}

impl core::fmt::Display for StreamId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

/// Frame type codes (RFC 9113 §6, RFC 9218 §7.1).
pub mod kind {
    /// DATA (§6.1).
    pub const DATA: u8 = 0x0;
    /// HEADERS (§6.2).
    pub const HEADERS: u8 = 0x1;
    /// PRIORITY (§6.3).
    pub const PRIORITY: u8 = 0x2;
    /// RST_STREAM (§6.4).
    pub const RST_STREAM: u8 = 0x3;
    /// SETTINGS (§6.5).
    pub const SETTINGS: u8 = 0x4;
    /// PUSH_PROMISE (§6.6).
    pub const PUSH_PROMISE: u8 = 0x5;
    /// PING (§6.7).
    pub const PING: u8 = 0x6;
    /// GOAWAY (§6.8).
    pub const GOAWAY: u8 = 0x7;
    /// WINDOW_UPDATE (§6.9).
    pub const WINDOW_UPDATE: u8 = 0x8;
    /// CONTINUATION (§6.10).
    pub const CONTINUATION: u8 = 0x9;
    /// PRIORITY_UPDATE (RFC 9218 §7.1).
    pub const PRIORITY_UPDATE: u8 = 0x10;

    /// The frame type's name, for traces.
    pub const fn name(kind: u8) -> &'static str {
        match kind {
            DATA => "DATA",
            HEADERS => "HEADERS",
            PRIORITY => "PRIORITY",
            RST_STREAM => "RST_STREAM",
            SETTINGS => "SETTINGS",
            PUSH_PROMISE => "PUSH_PROMISE",
            PING => "PING",
            GOAWAY => "GOAWAY",
            WINDOW_UPDATE => "WINDOW_UPDATE",
            CONTINUATION => "CONTINUATION",
            PRIORITY_UPDATE => "PRIORITY_UPDATE",
            _ => "UNKNOWN",
        }
    }
}

/// Frame flags (RFC 9113 §6).
pub mod flags {
    /// END_STREAM on DATA and HEADERS.
    pub const END_STREAM: u8 = 0x1;
    /// ACK on SETTINGS and PING.
    pub const ACK: u8 = 0x1;
    /// END_HEADERS on HEADERS, PUSH_PROMISE and CONTINUATION.
    pub const END_HEADERS: u8 = 0x4;
    /// PADDED on DATA, HEADERS and PUSH_PROMISE.
    pub const PADDED: u8 = 0x8;
    /// PRIORITY on HEADERS.
    pub const PRIORITY: u8 = 0x20;
}

/// SETTINGS parameter identifiers (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1).
pub mod setting {
    /// SETTINGS_HEADER_TABLE_SIZE.
    pub const HEADER_TABLE_SIZE: u16 = 0x1;
    /// SETTINGS_ENABLE_PUSH.
    pub const ENABLE_PUSH: u16 = 0x2;
    /// SETTINGS_MAX_CONCURRENT_STREAMS.
    pub const MAX_CONCURRENT_STREAMS: u16 = 0x3;
    /// SETTINGS_INITIAL_WINDOW_SIZE.
    pub const INITIAL_WINDOW_SIZE: u16 = 0x4;
    /// SETTINGS_MAX_FRAME_SIZE.
    pub const MAX_FRAME_SIZE: u16 = 0x5;
    /// SETTINGS_MAX_HEADER_LIST_SIZE.
    pub const MAX_HEADER_LIST_SIZE: u16 = 0x6;
    /// SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441).
    pub const ENABLE_CONNECT_PROTOCOL: u16 = 0x8;
    /// SETTINGS_NO_RFC7540_PRIORITIES (RFC 9218).
    pub const NO_RFC7540_PRIORITIES: u16 = 0x9;

    /// The parameter's name, for traces.
    pub const fn name(id: u16) -> &'static str {
        match id {
            HEADER_TABLE_SIZE => "HEADER_TABLE_SIZE",
            ENABLE_PUSH => "ENABLE_PUSH",
            MAX_CONCURRENT_STREAMS => "MAX_CONCURRENT_STREAMS",
            INITIAL_WINDOW_SIZE => "INITIAL_WINDOW_SIZE",
            MAX_FRAME_SIZE => "MAX_FRAME_SIZE",
            MAX_HEADER_LIST_SIZE => "MAX_HEADER_LIST_SIZE",
            ENABLE_CONNECT_PROTOCOL => "ENABLE_CONNECT_PROTOCOL",
            NO_RFC7540_PRIORITIES => "NO_RFC7540_PRIORITIES",
            _ => "UNKNOWN",
        }
    }
}

/// The 9-byte frame header (RFC 9113 §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// Payload length (24 bits).
    pub length: u32,
    /// Frame type.
    pub kind: u8,
    /// Flags, unknown ones included.
    pub flags: u8,
    /// Stream id, reserved bit cleared.
    pub stream_id: StreamId,
}

impl FrameHeader {
    /// Reads a header; incomplete below 9 bytes.
    pub fn decode(input: &[u8]) -> Result<Self, wire_codec::Incomplete> {
        let mut r = Reader::new(input);
        let length = r.read_u24()?;
        let kind = r.read_u8()?;
        let flags = r.read_u8()?;
        let stream_id = StreamId::new(r.read_u32()?);
        Ok(Self {
            length,
            kind,
            flags,
            stream_id,
        })
    }

    /// Writes the header.
    pub fn encode(&self, out: &mut impl Output) -> Result<(), BufferTooSmall> {
        let mut b = [0u8; HEADER_LEN];
        let [_, l0, l1, l2] = self.length.to_be_bytes();
        b[0] = l0;
        b[1] = l1;
        b[2] = l2;
        b[3] = self.kind;
        b[4] = self.flags;
        b[5..].copy_from_slice(&self.stream_id.value().to_be_bytes());
        out.put_slice(&b)
    }

    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// RFC 7540 priority information (RFC 9113 §5.3.2, §6.3), parsed and validated only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Priority {
    /// The stream depended on.
    pub dependency: StreamId,
    /// The E flag.
    pub exclusive: bool,
    /// Weight minus one, as on the wire.
    pub weight: u8,
}

impl Priority {
    fn decode(r: &mut Reader<'_>) -> Result<Self, wire_codec::Incomplete> {
        let word = r.read_u32()?;
        let weight = r.read_u8()?;
        Ok(Self {
            dependency: StreamId::new(word),
            exclusive: word & 0x8000_0000 != 0,
            weight,
        })
    }

    fn to_bytes(self) -> [u8; 5] {
        let word = self.dependency.value() | if self.exclusive { 0x8000_0000 } else { 0 };
        let [a, b, c, d] = word.to_be_bytes();
        [a, b, c, d, self.weight]
    }
}

/// SETTINGS parameters as they appear on the wire, borrowed (RFC 9113 §6.5.1). Every value has
/// been checked against its range by the decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettingsParams<'a>(&'a [u8]);

impl<'a> SettingsParams<'a> {
    /// No parameters (a SETTINGS ACK).
    pub const EMPTY: SettingsParams<'static> = SettingsParams(&[]);

    /// The raw payload (a multiple of 6 bytes).
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The (identifier, value) pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u16, u32)> + 'a {
        self.0.chunks_exact(6).map(|c| {
            let mut r = Reader::new(c);
            (r.read_u16().unwrap_or(0), r.read_u32().unwrap_or(0))
        })
    }
}

/// One decoded frame; payloads borrow from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame<'a> {
    /// DATA (§6.1).
    Data {
        /// The stream.
        stream_id: StreamId,
        /// END_STREAM.
        end_stream: bool,
        /// Pad length, when PADDED.
        padding: Option<u8>,
        /// The data, padding removed.
        data: &'a [u8],
    },
    /// HEADERS (§6.2).
    Headers {
        /// The stream.
        stream_id: StreamId,
        /// END_STREAM.
        end_stream: bool,
        /// END_HEADERS.
        end_headers: bool,
        /// Pad length, when PADDED.
        padding: Option<u8>,
        /// Priority fields, when PRIORITY.
        priority: Option<Priority>,
        /// The field block fragment.
        fragment: &'a [u8],
    },
    /// PRIORITY (§6.3).
    Priority {
        /// The stream.
        stream_id: StreamId,
        /// Its priority.
        priority: Priority,
    },
    /// RST_STREAM (§6.4).
    RstStream {
        /// The stream.
        stream_id: StreamId,
        /// Why.
        error_code: ErrorCode,
    },
    /// SETTINGS (§6.5).
    Settings {
        /// ACK (the payload is then empty).
        ack: bool,
        /// The parameters.
        params: SettingsParams<'a>,
    },
    /// PUSH_PROMISE (§6.6).
    PushPromise {
        /// The associated stream.
        stream_id: StreamId,
        /// END_HEADERS.
        end_headers: bool,
        /// Pad length, when PADDED.
        padding: Option<u8>,
        /// The reserved stream.
        promised_id: StreamId,
        /// The field block fragment.
        fragment: &'a [u8],
    },
    /// PING (§6.7).
    Ping {
        /// ACK.
        ack: bool,
        /// Opaque data.
        data: [u8; 8],
    },
    /// GOAWAY (§6.8).
    GoAway {
        /// The last stream the sender may have processed.
        last_stream_id: StreamId,
        /// Why.
        error_code: ErrorCode,
        /// Additional debug data.
        debug_data: &'a [u8],
    },
    /// WINDOW_UPDATE (§6.9).
    WindowUpdate {
        /// The stream, or 0 for the connection.
        stream_id: StreamId,
        /// The increment (1 to 2^31 - 1).
        increment: u32,
    },
    /// CONTINUATION (§6.10).
    Continuation {
        /// The stream.
        stream_id: StreamId,
        /// END_HEADERS.
        end_headers: bool,
        /// The field block fragment.
        fragment: &'a [u8],
    },
    /// PRIORITY_UPDATE (RFC 9218 §7.1).
    PriorityUpdate {
        /// The stream whose priority changes.
        prioritized_id: StreamId,
        /// The Priority Field Value (RFC 9218 §4), ASCII.
        field_value: &'a [u8],
    },
    /// A frame of an unknown type, to be ignored (§5.5).
    Unknown {
        /// Its type.
        kind: u8,
        /// Its flags.
        flags: u8,
        /// Its stream.
        stream_id: StreamId,
        /// Its payload.
        payload: &'a [u8],
    },
}

fn conn(code: ErrorCode, reason: Reason) -> DecodeError<H2Error> {
    DecodeError::Invalid(H2Error::connection(code, reason))
}

/// Splits off padding (§6.1): the Pad Length byte, then data, then that many padding bytes.
fn unpad<'a>(
    header: &FrameHeader,
    payload: &'a [u8],
) -> Result<(Option<u8>, &'a [u8]), DecodeError<H2Error>> {
    if !header.has(flags::PADDED) {
        return Ok((None, payload));
    }
    let Some((&pad, rest)) = payload.split_first() else {
        return Err(conn(ErrorCode::FRAME_SIZE_ERROR, Reason::BadFrameLength));
    };
    // "If the length of the padding is the length of the frame payload or greater": the pad
    // length byte counts toward the payload, so `pad` must be below `rest.len()` + 1.
    let Some(body_len) = rest.len().checked_sub(usize::from(pad)) else {
        return Err(conn(ErrorCode::PROTOCOL_ERROR, Reason::BadPadding));
    };
    Ok((Some(pad), rest.get(..body_len).unwrap_or_default()))
}

/// Checks every SETTINGS value against its allowed range (§6.5.2, RFC 8441 §3, RFC 9218 §2.1).
fn check_settings(payload: &[u8]) -> Result<(), DecodeError<H2Error>> {
    for (id, value) in SettingsParams(payload).iter() {
        match id {
            setting::ENABLE_PUSH
            | setting::ENABLE_CONNECT_PROTOCOL
            | setting::NO_RFC7540_PRIORITIES
                if value > 1 =>
            {
                return Err(conn(ErrorCode::PROTOCOL_ERROR, Reason::BadSettingValue));
            }
            setting::INITIAL_WINDOW_SIZE if value > MAX_WINDOW_SIZE => {
                return Err(conn(ErrorCode::FLOW_CONTROL_ERROR, Reason::BadSettingValue));
            }
            setting::MAX_FRAME_SIZE
                if !(DEFAULT_MAX_FRAME_SIZE..=MAX_MAX_FRAME_SIZE).contains(&value) =>
            {
                return Err(conn(ErrorCode::PROTOCOL_ERROR, Reason::BadSettingValue));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Decodes one frame from the start of `input`, returning it and the bytes it took.
///
/// `max_frame_size` is the SETTINGS_MAX_FRAME_SIZE we advertised; a longer frame is a
/// connection error of type FRAME_SIZE_ERROR (§4.2), reported as soon as its header is read.
/// A stream error leaves the connection usable: the frame's bytes
/// ([`HEADER_LEN`] + its length, see [`FrameHeader`]) are then to be skipped.
pub fn decode(
    input: &[u8],
    max_frame_size: u32,
) -> Result<(Frame<'_>, usize), DecodeError<H2Error>> {
    let header = FrameHeader::decode(input)?;
    if header.length > max_frame_size {
        return Err(conn(ErrorCode::FRAME_SIZE_ERROR, Reason::FrameTooLarge));
    }
    let len = header.length as usize;
    let mut r = Reader::new(input);
    r.skip(HEADER_LEN)?;
    let payload = r.read_bytes(len)?;
    let frame = decode_payload(&header, payload)?;
    Ok((frame, HEADER_LEN + len))
}

/// Decodes a frame whose header and complete payload are known.
pub fn decode_payload<'a>(
    header: &FrameHeader,
    payload: &'a [u8],
) -> Result<Frame<'a>, DecodeError<H2Error>> {
    let stream_id = header.stream_id;
    let on_stream = !stream_id.is_connection();
    let need_stream = || {
        if on_stream {
            Ok(())
        } else {
            Err(conn(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamId))
        }
    };
    let need_connection = || {
        if on_stream {
            Err(conn(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamId))
        } else {
            Ok(())
        }
    };
    let bad_length = |code| Err(conn(code, Reason::BadFrameLength));
    let mut r = Reader::new(payload);
    let frame = match header.kind {
        kind::DATA => {
            need_stream()?;
            let (padding, data) = unpad(header, payload)?;
            Frame::Data {
                stream_id,
                end_stream: header.has(flags::END_STREAM),
                padding,
                data,
            }
        }
        kind::HEADERS => {
            need_stream()?;
            let (padding, body) = unpad(header, payload)?;
            let mut body = Reader::new(body);
            let priority = if header.has(flags::PRIORITY) {
                match Priority::decode(&mut body) {
                    Ok(p) => Some(p),
                    Err(_) => return bad_length(ErrorCode::FRAME_SIZE_ERROR),
                }
            } else {
                None
            };
            Frame::Headers {
                stream_id,
                end_stream: header.has(flags::END_STREAM),
                end_headers: header.has(flags::END_HEADERS),
                padding,
                priority,
                fragment: body.read_rest(),
            }
        }
        kind::PRIORITY => {
            need_stream()?;
            if payload.len() != 5 {
                // §6.3: a stream error, since PRIORITY changes no connection state.
                return Err(DecodeError::Invalid(H2Error::stream(
                    stream_id,
                    ErrorCode::FRAME_SIZE_ERROR,
                    Reason::BadFrameLength,
                )));
            }
            let priority = Priority::decode(&mut r)?;
            if priority.dependency == stream_id {
                return Err(DecodeError::Invalid(H2Error::stream(
                    stream_id,
                    ErrorCode::PROTOCOL_ERROR,
                    Reason::SelfDependency,
                )));
            }
            Frame::Priority {
                stream_id,
                priority,
            }
        }
        kind::RST_STREAM => {
            need_stream()?;
            if payload.len() != 4 {
                return bad_length(ErrorCode::FRAME_SIZE_ERROR);
            }
            Frame::RstStream {
                stream_id,
                error_code: ErrorCode(r.read_u32()?),
            }
        }
        kind::SETTINGS => {
            need_connection()?;
            let ack = header.has(flags::ACK);
            if (ack && !payload.is_empty()) || !payload.len().is_multiple_of(6) {
                return bad_length(ErrorCode::FRAME_SIZE_ERROR);
            }
            check_settings(payload)?;
            Frame::Settings {
                ack,
                params: SettingsParams(payload),
            }
        }
        kind::PUSH_PROMISE => {
            need_stream()?;
            let (padding, body) = unpad(header, payload)?;
            let mut body = Reader::new(body);
            let Ok(promised) = body.read_u32() else {
                return bad_length(ErrorCode::FRAME_SIZE_ERROR);
            };
            Frame::PushPromise {
                stream_id,
                end_headers: header.has(flags::END_HEADERS),
                padding,
                promised_id: StreamId::new(promised),
                fragment: body.read_rest(),
            }
        }
        kind::PING => {
            need_connection()?;
            let Ok(data) = r.read_array::<8>() else {
                return bad_length(ErrorCode::FRAME_SIZE_ERROR);
            };
            if !r.is_empty() {
                return bad_length(ErrorCode::FRAME_SIZE_ERROR);
            }
            Frame::Ping {
                ack: header.has(flags::ACK),
                data,
            }
        }
        kind::GOAWAY => {
            need_connection()?;
            let (Ok(last), Ok(code)) = (r.read_u32(), r.read_u32()) else {
                return bad_length(ErrorCode::FRAME_SIZE_ERROR);
            };
            Frame::GoAway {
                last_stream_id: StreamId::new(last),
                error_code: ErrorCode(code),
                debug_data: r.read_rest(),
            }
        }
        kind::WINDOW_UPDATE => {
            if payload.len() != 4 {
                return bad_length(ErrorCode::FRAME_SIZE_ERROR);
            }
            let increment = r.read_u32()? & MAX_WINDOW_SIZE;
            if increment == 0 {
                // §6.9: a stream error on a stream, a connection error on the connection.
                let error = if on_stream {
                    H2Error::stream(
                        stream_id,
                        ErrorCode::PROTOCOL_ERROR,
                        Reason::ZeroWindowIncrement,
                    )
                } else {
                    H2Error::connection(ErrorCode::PROTOCOL_ERROR, Reason::ZeroWindowIncrement)
                };
                return Err(DecodeError::Invalid(error));
            }
            Frame::WindowUpdate {
                stream_id,
                increment,
            }
        }
        kind::CONTINUATION => {
            need_stream()?;
            Frame::Continuation {
                stream_id,
                end_headers: header.has(flags::END_HEADERS),
                fragment: payload,
            }
        }
        kind::PRIORITY_UPDATE => {
            need_connection()?;
            let Ok(id) = r.read_u32() else {
                return bad_length(ErrorCode::FRAME_SIZE_ERROR);
            };
            let prioritized_id = StreamId::new(id);
            if prioritized_id.is_connection() {
                return Err(conn(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamId));
            }
            Frame::PriorityUpdate {
                prioritized_id,
                field_value: r.read_rest(),
            }
        }
        other => Frame::Unknown {
            kind: other,
            flags: header.flags,
            stream_id,
            payload,
        },
    };
    Ok(frame)
}

fn padded_len(body: usize, padding: Option<u8>) -> usize {
    match padding {
        Some(p) => body + 1 + usize::from(p),
        None => body,
    }
}

fn put_padding(out: &mut impl Output, padding: Option<u8>) -> Result<(), BufferTooSmall> {
    if let Some(p) = padding {
        const ZEROS: [u8; 256] = [0; 256];
        out.put_slice(ZEROS.get(..usize::from(p)).unwrap_or_default())?;
    }
    Ok(())
}

impl Frame<'_> {
    /// The frame's type code.
    pub const fn kind(&self) -> u8 {
        match self {
            Self::Data { .. } => kind::DATA,
            Self::Headers { .. } => kind::HEADERS,
            Self::Priority { .. } => kind::PRIORITY,
            Self::RstStream { .. } => kind::RST_STREAM,
            Self::Settings { .. } => kind::SETTINGS,
            Self::PushPromise { .. } => kind::PUSH_PROMISE,
            Self::Ping { .. } => kind::PING,
            Self::GoAway { .. } => kind::GOAWAY,
            Self::WindowUpdate { .. } => kind::WINDOW_UPDATE,
            Self::Continuation { .. } => kind::CONTINUATION,
            Self::PriorityUpdate { .. } => kind::PRIORITY_UPDATE,
            Self::Unknown { kind, .. } => *kind,
        }
    }

    /// The stream the frame is on (0 for connection-level frames).
    pub const fn stream_id(&self) -> StreamId {
        match self {
            Self::Data { stream_id, .. }
            | Self::Headers { stream_id, .. }
            | Self::Priority { stream_id, .. }
            | Self::RstStream { stream_id, .. }
            | Self::PushPromise { stream_id, .. }
            | Self::WindowUpdate { stream_id, .. }
            | Self::Continuation { stream_id, .. }
            | Self::Unknown { stream_id, .. } => *stream_id,
            Self::Settings { .. }
            | Self::Ping { .. }
            | Self::GoAway { .. }
            | Self::PriorityUpdate { .. } => StreamId::CONNECTION,
        }
    }

    /// The payload length this frame encodes to.
    pub fn payload_len(&self) -> usize {
        match self {
            Self::Data { padding, data, .. } => padded_len(data.len(), *padding),
            Self::Headers {
                padding,
                priority,
                fragment,
                ..
            } => padded_len(
                fragment.len() + if priority.is_some() { 5 } else { 0 },
                *padding,
            ),
            Self::Priority { .. } => 5,
            Self::RstStream { .. } | Self::WindowUpdate { .. } => 4,
            Self::Settings { params, .. } => params.as_bytes().len(),
            Self::PushPromise {
                padding, fragment, ..
            } => padded_len(4 + fragment.len(), *padding),
            Self::Ping { .. } => 8,
            Self::GoAway { debug_data, .. } => 8 + debug_data.len(),
            Self::Continuation { fragment, .. } => fragment.len(),
            Self::PriorityUpdate { field_value, .. } => 4 + field_value.len(),
            Self::Unknown { payload, .. } => payload.len(),
        }
    }

    fn flags(&self) -> u8 {
        let set = |on: bool, flag: u8| if on { flag } else { 0 };
        match self {
            Self::Data {
                end_stream,
                padding,
                ..
            } => set(*end_stream, flags::END_STREAM) | set(padding.is_some(), flags::PADDED),
            Self::Headers {
                end_stream,
                end_headers,
                padding,
                priority,
                ..
            } => {
                set(*end_stream, flags::END_STREAM)
                    | set(*end_headers, flags::END_HEADERS)
                    | set(padding.is_some(), flags::PADDED)
                    | set(priority.is_some(), flags::PRIORITY)
            }
            Self::Settings { ack, .. } | Self::Ping { ack, .. } => set(*ack, flags::ACK),
            Self::PushPromise {
                end_headers,
                padding,
                ..
            } => set(*end_headers, flags::END_HEADERS) | set(padding.is_some(), flags::PADDED),
            Self::Continuation { end_headers, .. } => set(*end_headers, flags::END_HEADERS),
            Self::Unknown { flags, .. } => *flags,
            _ => 0,
        }
    }

    /// Encodes the whole frame into `out`, or nothing if it does not fit. The caller keeps the
    /// payload within the peer's SETTINGS_MAX_FRAME_SIZE; a payload above 2^24 - 1 bytes fails.
    pub fn encode(&self, out: &mut impl Output) -> Result<(), BufferTooSmall> {
        let len = self.payload_len();
        let needed = HEADER_LEN + len;
        if len > MAX_MAX_FRAME_SIZE as usize || out.remaining_capacity() < needed {
            return Err(BufferTooSmall {
                needed,
                available: out.remaining_capacity(),
            });
        }
        FrameHeader {
            length: len as u32,
            kind: self.kind(),
            flags: self.flags(),
            stream_id: self.stream_id(),
        }
        .encode(out)?;
        match self {
            Self::Data { padding, data, .. } => {
                if let Some(p) = padding {
                    out.put_u8(*p)?;
                }
                out.put_slice(data)?;
                put_padding(out, *padding)?;
            }
            Self::Headers {
                padding,
                priority,
                fragment,
                ..
            } => {
                if let Some(p) = padding {
                    out.put_u8(*p)?;
                }
                if let Some(p) = priority {
                    out.put_slice(&p.to_bytes())?;
                }
                out.put_slice(fragment)?;
                put_padding(out, *padding)?;
            }
            Self::Priority { priority, .. } => out.put_slice(&priority.to_bytes())?,
            Self::RstStream { error_code, .. } => out.put_u32(error_code.0)?,
            Self::Settings { params, .. } => out.put_slice(params.as_bytes())?,
            Self::PushPromise {
                padding,
                promised_id,
                fragment,
                ..
            } => {
                if let Some(p) = padding {
                    out.put_u8(*p)?;
                }
                out.put_u32(promised_id.value())?;
                out.put_slice(fragment)?;
                put_padding(out, *padding)?;
            }
            Self::Ping { data, .. } => out.put_slice(data)?,
            Self::GoAway {
                last_stream_id,
                error_code,
                debug_data,
            } => {
                out.put_u32(last_stream_id.value())?;
                out.put_u32(error_code.0)?;
                out.put_slice(debug_data)?;
            }
            Self::WindowUpdate { increment, .. } => out.put_u32(*increment)?,
            Self::Continuation { fragment, .. } => out.put_slice(fragment)?,
            Self::PriorityUpdate {
                prioritized_id,
                field_value,
            } => {
                out.put_u32(prioritized_id.value())?;
                out.put_slice(field_value)?;
            }
            Self::Unknown { payload, .. } => out.put_slice(payload)?,
        }
        Ok(())
    }
}

/// Encodes a SETTINGS frame carrying `params` (§6.5.1).
pub fn encode_settings(out: &mut impl Output, params: &[(u16, u32)]) -> Result<(), BufferTooSmall> {
    let len = params.len() * 6;
    let needed = HEADER_LEN + len;
    if out.remaining_capacity() < needed {
        return Err(BufferTooSmall {
            needed,
            available: out.remaining_capacity(),
        });
    }
    FrameHeader {
        length: len as u32,
        kind: kind::SETTINGS,
        flags: 0,
        stream_id: StreamId::CONNECTION,
    }
    .encode(out)?;
    for &(id, value) in params {
        out.put_u16(id)?;
        out.put_u32(value)?;
    }
    Ok(())
}
