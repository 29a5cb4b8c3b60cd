//! Frames (RFC 9000 §19, RFC 9221 §4): a zero-copy decoder over a packet's plaintext payload
//! and encoders into any [`Output`].
//!
//! [`Frames`] iterates the frames of one packet, checking each against the packet types it may
//! appear in (RFC 9000 Table 3, §12.4) and every field rule of §19; a violation ends the
//! iteration with a [`TransportError`] carrying FRAME_ENCODING_ERROR or PROTOCOL_VIOLATION.
//! Frames borrow data (STREAM, CRYPTO, DATAGRAM payloads, tokens, reasons, ACK ranges) from the
//! payload.

use core::ops::RangeInclusive;

use wire_codec::{BufferTooSmall, Output, Reader, VarInt};

use crate::cid::ConnectionId;
use crate::error::{TransportError, TransportErrorCode};
use crate::packet::PacketType;

/// Frame type values (RFC 9000 §19, Table 3; RFC 9221 §4).
pub mod types {
    /// PADDING.
    pub const PADDING: u64 = 0x00;
    /// PING.
    pub const PING: u64 = 0x01;
    /// ACK.
    pub const ACK: u64 = 0x02;
    /// ACK with ECN counts.
    pub const ACK_ECN: u64 = 0x03;
    /// RESET_STREAM.
    pub const RESET_STREAM: u64 = 0x04;
    /// STOP_SENDING.
    pub const STOP_SENDING: u64 = 0x05;
    /// CRYPTO.
    pub const CRYPTO: u64 = 0x06;
    /// NEW_TOKEN.
    pub const NEW_TOKEN: u64 = 0x07;
    /// STREAM (0x08–0x0f, low bits OFF, LEN, FIN).
    pub const STREAM: u64 = 0x08;
    /// MAX_DATA.
    pub const MAX_DATA: u64 = 0x10;
    /// MAX_STREAM_DATA.
    pub const MAX_STREAM_DATA: u64 = 0x11;
    /// MAX_STREAMS (bidirectional).
    pub const MAX_STREAMS_BIDI: u64 = 0x12;
    /// MAX_STREAMS (unidirectional).
    pub const MAX_STREAMS_UNI: u64 = 0x13;
    /// DATA_BLOCKED.
    pub const DATA_BLOCKED: u64 = 0x14;
    /// STREAM_DATA_BLOCKED.
    pub const STREAM_DATA_BLOCKED: u64 = 0x15;
    /// STREAMS_BLOCKED (bidirectional).
    pub const STREAMS_BLOCKED_BIDI: u64 = 0x16;
    /// STREAMS_BLOCKED (unidirectional).
    pub const STREAMS_BLOCKED_UNI: u64 = 0x17;
    /// NEW_CONNECTION_ID.
    pub const NEW_CONNECTION_ID: u64 = 0x18;
    /// RETIRE_CONNECTION_ID.
    pub const RETIRE_CONNECTION_ID: u64 = 0x19;
    /// PATH_CHALLENGE.
    pub const PATH_CHALLENGE: u64 = 0x1a;
    /// PATH_RESPONSE.
    pub const PATH_RESPONSE: u64 = 0x1b;
    /// CONNECTION_CLOSE (transport).
    pub const CONNECTION_CLOSE: u64 = 0x1c;
    /// CONNECTION_CLOSE (application).
    pub const APPLICATION_CLOSE: u64 = 0x1d;
    /// HANDSHAKE_DONE.
    pub const HANDSHAKE_DONE: u64 = 0x1e;
    /// DATAGRAM without Length (RFC 9221 §4).
    pub const DATAGRAM: u64 = 0x30;
    /// DATAGRAM with Length.
    pub const DATAGRAM_LEN: u64 = 0x31;
}

/// The largest stream offset plus length (RFC 9000 §19.8): 2^62 - 1.
const MAX_OFFSET: u64 = (1 << 62) - 1;
/// The largest stream count in MAX_STREAMS and STREAMS_BLOCKED (RFC 9000 §19.11): 2^60.
const MAX_STREAM_COUNT: u64 = 1 << 60;

/// Whether a frame of `frame_type` may appear in a packet of type `packet` (RFC 9000 Table 3,
/// RFC 9221 §4). Version Negotiation and Retry carry no frames.
pub const fn allowed_in(frame_type: u64, packet: PacketType) -> bool {
    use PacketType as P;
    let (initial, zero_rtt, handshake, one_rtt) = match frame_type {
        // I H 0 1
        types::PADDING | types::PING | types::CONNECTION_CLOSE => (true, true, true, true),
        // I H _ 1
        types::ACK | types::ACK_ECN | types::CRYPTO => (true, false, true, true),
        // _ _ _ 1
        types::NEW_TOKEN | types::PATH_RESPONSE | types::HANDSHAKE_DONE => {
            (false, false, false, true)
        }
        // _ _ 0 1: every other frame of RFC 9000 §19, and DATAGRAM
        0x04..=0x05 | 0x08..=0x1a | types::APPLICATION_CLOSE | 0x30..=0x31 => {
            (false, true, false, true)
        }
        _ => (false, false, false, false),
    };
    match packet {
        P::Initial => initial,
        P::ZeroRtt => zero_rtt,
        P::Handshake => handshake,
        P::OneRtt => one_rtt,
        P::Retry | P::VersionNegotiation => false,
    }
}

/// Stream direction in MAX_STREAMS and STREAMS_BLOCKED.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    /// Bidirectional streams.
    Bi,
    /// Unidirectional streams.
    Uni,
}

/// ECN counts of an ACK frame of type 0x03 (RFC 9000 §19.3.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EcnCounts {
    /// Packets received with ECT(0).
    pub ect0: VarInt,
    /// Packets received with ECT(1).
    pub ect1: VarInt,
    /// Packets received with ECN-CE.
    pub ce: VarInt,
}

/// An ACK frame (RFC 9000 §19.3). The additional ranges stay encoded, borrowed from the
/// packet; [`Ack::ranges`] walks every acknowledged range, largest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack<'a> {
    /// Largest Acknowledged.
    pub largest: u64,
    /// ACK Delay, in units of 2^ack_delay_exponent microseconds.
    pub delay: VarInt,
    /// First ACK Range: packets below `largest` acknowledged contiguously.
    pub first_range: u64,
    /// Number of (Gap, ACK Range Length) pairs in `encoded_ranges`.
    pub range_count: u64,
    /// The encoded (Gap, ACK Range Length) pairs.
    pub encoded_ranges: &'a [u8],
    /// ECN counts (frame type 0x03).
    pub ecn: Option<EcnCounts>,
}

impl<'a> Ack<'a> {
    /// Every acknowledged range, largest first (RFC 9000 §19.3.1). The decoder has checked
    /// that no packet number goes negative, so the iterator yields exactly `range_count + 1`
    /// ranges.
    pub fn ranges(&self) -> AckRanges<'a> {
        AckRanges {
            reader: Reader::new(self.encoded_ranges),
            next: Some(self.largest.saturating_sub(self.first_range)..=self.largest),
        }
    }
}

/// Iterator over an ACK frame's ranges.
#[derive(Clone, Debug)]
pub struct AckRanges<'a> {
    reader: Reader<'a>,
    next: Option<RangeInclusive<u64>>,
}

impl Iterator for AckRanges<'_> {
    type Item = RangeInclusive<u64>;

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next.take()?;
        if let (Ok(gap), Ok(len)) = (self.reader.read_varint(), self.reader.read_varint()) {
            let largest = current
                .start()
                .checked_sub(gap.into_inner())
                .and_then(|v| v.checked_sub(2));
            if let Some(largest) = largest
                && let Some(smallest) = largest.checked_sub(len.into_inner())
            {
                self.next = Some(smallest..=largest);
            }
        }
        Some(current)
    }
}

/// A STREAM frame (RFC 9000 §19.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream<'a> {
    /// Stream ID.
    pub id: VarInt,
    /// Offset of `data` in the stream (0 when the OFF bit is clear).
    pub offset: VarInt,
    /// FIN: `data` ends the stream.
    pub fin: bool,
    /// Whether the frame carries a Length field; without one it runs to the end of the packet,
    /// so it must be the packet's last frame.
    pub has_length: bool,
    /// Stream Data.
    pub data: &'a [u8],
}

/// A NEW_CONNECTION_ID frame (RFC 9000 §19.15).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewConnectionId {
    /// Sequence Number.
    pub sequence: VarInt,
    /// Retire Prior To.
    pub retire_prior_to: VarInt,
    /// Connection ID (1–20 bytes).
    pub id: ConnectionId,
    /// Stateless Reset Token.
    pub reset_token: [u8; 16],
}

/// A CONNECTION_CLOSE frame (RFC 9000 §19.19).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionClose<'a> {
    /// `Some(frame type)` for a transport close (0x1c); `None` for an application close (0x1d).
    pub frame_type: Option<VarInt>,
    /// Error Code: a [`TransportErrorCode`] for 0x1c, an application code for 0x1d.
    pub error_code: VarInt,
    /// Reason Phrase (UTF-8 by intent, not checked).
    pub reason: &'a [u8],
}

impl ConnectionClose<'_> {
    /// The transport error code of a 0x1c frame.
    pub fn transport_code(&self) -> Option<TransportErrorCode> {
        self.frame_type
            .map(|_| TransportErrorCode::from_u64(self.error_code.into_inner()))
    }
}

/// One frame (RFC 9000 §19, RFC 9221 §4), borrowing its data from the packet payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A run of PADDING frames (each one zero byte), merged: the run's length.
    Padding(usize),
    /// PING.
    Ping,
    /// ACK (types 0x02 and 0x03).
    Ack(Ack<'a>),
    /// RESET_STREAM.
    ResetStream {
        /// Stream ID.
        id: VarInt,
        /// Application Protocol Error Code.
        error_code: VarInt,
        /// Final Size.
        final_size: VarInt,
    },
    /// STOP_SENDING.
    StopSending {
        /// Stream ID.
        id: VarInt,
        /// Application Protocol Error Code.
        error_code: VarInt,
    },
    /// CRYPTO.
    Crypto {
        /// Offset in the crypto stream.
        offset: VarInt,
        /// Crypto Data.
        data: &'a [u8],
    },
    /// NEW_TOKEN (token non-empty).
    NewToken {
        /// Token.
        token: &'a [u8],
    },
    /// STREAM (types 0x08–0x0f).
    Stream(Stream<'a>),
    /// MAX_DATA.
    MaxData(VarInt),
    /// MAX_STREAM_DATA.
    MaxStreamData {
        /// Stream ID.
        id: VarInt,
        /// Maximum Stream Data.
        max: VarInt,
    },
    /// MAX_STREAMS (types 0x12, 0x13).
    MaxStreams {
        /// Which streams.
        dir: Dir,
        /// Maximum Streams (at most 2^60).
        max: VarInt,
    },
    /// DATA_BLOCKED.
    DataBlocked(VarInt),
    /// STREAM_DATA_BLOCKED.
    StreamDataBlocked {
        /// Stream ID.
        id: VarInt,
        /// Maximum Stream Data.
        limit: VarInt,
    },
    /// STREAMS_BLOCKED (types 0x16, 0x17).
    StreamsBlocked {
        /// Which streams.
        dir: Dir,
        /// Maximum Streams (at most 2^60).
        limit: VarInt,
    },
    /// NEW_CONNECTION_ID.
    NewConnectionId(NewConnectionId),
    /// RETIRE_CONNECTION_ID.
    RetireConnectionId {
        /// Sequence Number.
        sequence: VarInt,
    },
    /// PATH_CHALLENGE.
    PathChallenge([u8; 8]),
    /// PATH_RESPONSE.
    PathResponse([u8; 8]),
    /// CONNECTION_CLOSE (types 0x1c, 0x1d).
    ConnectionClose(ConnectionClose<'a>),
    /// HANDSHAKE_DONE.
    HandshakeDone,
    /// DATAGRAM (types 0x30, 0x31; RFC 9221).
    Datagram {
        /// Whether the frame carries a Length field (type 0x31).
        has_length: bool,
        /// Datagram Data.
        data: &'a [u8],
    },
}

impl Frame<'_> {
    /// The frame's type value (for STREAM, with its OFF/LEN/FIN bits; for a PADDING run, 0).
    pub fn frame_type(&self) -> u64 {
        match self {
            Self::Padding(_) => types::PADDING,
            Self::Ping => types::PING,
            Self::Ack(ack) => {
                if ack.ecn.is_some() {
                    types::ACK_ECN
                } else {
                    types::ACK
                }
            }
            Self::ResetStream { .. } => types::RESET_STREAM,
            Self::StopSending { .. } => types::STOP_SENDING,
            Self::Crypto { .. } => types::CRYPTO,
            Self::NewToken { .. } => types::NEW_TOKEN,
            Self::Stream(s) => {
                types::STREAM
                    | u64::from(s.offset.into_inner() != 0) << 2
                    | u64::from(s.has_length) << 1
                    | u64::from(s.fin)
            }
            Self::MaxData(_) => types::MAX_DATA,
            Self::MaxStreamData { .. } => types::MAX_STREAM_DATA,
            Self::MaxStreams { dir: Dir::Bi, .. } => types::MAX_STREAMS_BIDI,
            Self::MaxStreams { dir: Dir::Uni, .. } => types::MAX_STREAMS_UNI,
            Self::DataBlocked(_) => types::DATA_BLOCKED,
            Self::StreamDataBlocked { .. } => types::STREAM_DATA_BLOCKED,
            Self::StreamsBlocked { dir: Dir::Bi, .. } => types::STREAMS_BLOCKED_BIDI,
            Self::StreamsBlocked { dir: Dir::Uni, .. } => types::STREAMS_BLOCKED_UNI,
            Self::NewConnectionId(_) => types::NEW_CONNECTION_ID,
            Self::RetireConnectionId { .. } => types::RETIRE_CONNECTION_ID,
            Self::PathChallenge(_) => types::PATH_CHALLENGE,
            Self::PathResponse(_) => types::PATH_RESPONSE,
            Self::ConnectionClose(c) => {
                if c.frame_type.is_some() {
                    types::CONNECTION_CLOSE
                } else {
                    types::APPLICATION_CLOSE
                }
            }
            Self::HandshakeDone => types::HANDSHAKE_DONE,
            Self::Datagram { has_length, .. } => {
                if *has_length {
                    types::DATAGRAM_LEN
                } else {
                    types::DATAGRAM
                }
            }
        }
    }

    /// Whether receiving this frame makes the packet ack-eliciting (RFC 9000 §13.2.1): all
    /// but ACK, PADDING and CONNECTION_CLOSE.
    pub fn is_ack_eliciting(&self) -> bool {
        !matches!(
            self,
            Self::Ack(_) | Self::Padding(_) | Self::ConnectionClose(_)
        )
    }

    /// Encodes the frame. A [`Frame::Stream`] or [`Frame::Datagram`] without a Length field
    /// must be the last frame of its packet.
    pub fn encode(&self, out: &mut impl Output) -> Result<(), BufferTooSmall> {
        let ty = VarInt::from_u32(self.frame_type() as u32);
        match self {
            Self::Padding(n) => {
                for _ in 0..*n {
                    out.put_u8(0)?;
                }
            }
            Self::Ping | Self::HandshakeDone => out.put_varint(ty)?,
            Self::Ack(ack) => {
                out.put_varint(ty)?;
                out.put_varint(varint(ack.largest))?;
                out.put_varint(ack.delay)?;
                out.put_varint(varint(ack.range_count))?;
                out.put_varint(varint(ack.first_range))?;
                out.put_slice(ack.encoded_ranges)?;
                if let Some(ecn) = &ack.ecn {
                    out.put_varint(ecn.ect0)?;
                    out.put_varint(ecn.ect1)?;
                    out.put_varint(ecn.ce)?;
                }
            }
            Self::ResetStream {
                id,
                error_code,
                final_size,
            } => put_all(out, &[ty, *id, *error_code, *final_size])?,
            Self::StopSending { id, error_code } => put_all(out, &[ty, *id, *error_code])?,
            Self::Crypto { offset, data } => {
                put_all(out, &[ty, *offset, len_varint(data)])?;
                out.put_slice(data)?;
            }
            Self::NewToken { token } => {
                put_all(out, &[ty, len_varint(token)])?;
                out.put_slice(token)?;
            }
            Self::Stream(s) => {
                out.put_varint(ty)?;
                out.put_varint(s.id)?;
                if s.offset.into_inner() != 0 {
                    out.put_varint(s.offset)?;
                }
                if s.has_length {
                    out.put_varint(len_varint(s.data))?;
                }
                out.put_slice(s.data)?;
            }
            Self::MaxData(v) | Self::DataBlocked(v) => put_all(out, &[ty, *v])?,
            Self::MaxStreamData { id, max: v } | Self::StreamDataBlocked { id, limit: v } => {
                put_all(out, &[ty, *id, *v])?;
            }
            Self::MaxStreams { max: v, .. } | Self::StreamsBlocked { limit: v, .. } => {
                put_all(out, &[ty, *v])?;
            }
            Self::NewConnectionId(n) => {
                put_all(out, &[ty, n.sequence, n.retire_prior_to])?;
                out.put_u8(n.id.len() as u8)?;
                out.put_slice(&n.id)?;
                out.put_slice(&n.reset_token)?;
            }
            Self::RetireConnectionId { sequence } => put_all(out, &[ty, *sequence])?,
            Self::PathChallenge(data) | Self::PathResponse(data) => {
                out.put_varint(ty)?;
                out.put_slice(data)?;
            }
            Self::ConnectionClose(c) => {
                out.put_varint(ty)?;
                out.put_varint(c.error_code)?;
                if let Some(frame_type) = c.frame_type {
                    out.put_varint(frame_type)?;
                }
                out.put_varint(len_varint(c.reason))?;
                out.put_slice(c.reason)?;
            }
            Self::Datagram { has_length, data } => {
                out.put_varint(ty)?;
                if *has_length {
                    out.put_varint(len_varint(data))?;
                }
                out.put_slice(data)?;
            }
        }
        Ok(())
    }

    /// The encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        let v = |x: VarInt| x.encoded_len();
        let n = |x: u64| varint(x).encoded_len();
        let bytes = |d: &[u8]| n(d.len() as u64) + d.len();
        if let Self::Padding(count) = self {
            return *count;
        }
        let ty = n(self.frame_type());
        ty + match self {
            Self::Padding(_) => 0,
            Self::Ping | Self::HandshakeDone => 0,
            Self::Ack(a) => {
                n(a.largest)
                    + v(a.delay)
                    + n(a.range_count)
                    + n(a.first_range)
                    + a.encoded_ranges.len()
                    + a.ecn.map_or(0, |e| v(e.ect0) + v(e.ect1) + v(e.ce))
            }
            Self::ResetStream {
                id,
                error_code,
                final_size,
            } => v(*id) + v(*error_code) + v(*final_size),
            Self::StopSending { id, error_code } => v(*id) + v(*error_code),
            Self::Crypto { offset, data } => v(*offset) + bytes(data),
            Self::NewToken { token } => bytes(token),
            Self::Stream(s) => {
                let offset = if s.offset.into_inner() != 0 {
                    v(s.offset)
                } else {
                    0
                };
                let len = if s.has_length {
                    n(s.data.len() as u64)
                } else {
                    0
                };
                v(s.id) + offset + len + s.data.len()
            }
            Self::MaxData(x) | Self::DataBlocked(x) => v(*x),
            Self::MaxStreamData { id, max: x } | Self::StreamDataBlocked { id, limit: x } => {
                v(*id) + v(*x)
            }
            Self::MaxStreams { max: x, .. } | Self::StreamsBlocked { limit: x, .. } => v(*x),
            Self::NewConnectionId(c) => v(c.sequence) + v(c.retire_prior_to) + 1 + c.id.len() + 16,
            Self::RetireConnectionId { sequence } => v(*sequence),
            Self::PathChallenge(_) | Self::PathResponse(_) => 8,
            Self::ConnectionClose(c) => {
                v(c.error_code) + c.frame_type.map_or(0, v) + bytes(c.reason)
            }
            Self::Datagram { has_length, data } => {
                if *has_length {
                    bytes(data)
                } else {
                    data.len()
                }
            }
        }
    }
}

fn varint(v: u64) -> VarInt {
    VarInt::from_u64(v).unwrap_or(VarInt::MAX)
}

fn len_varint(data: &[u8]) -> VarInt {
    varint(data.len() as u64)
}

fn put_all(out: &mut impl Output, values: &[VarInt]) -> Result<(), BufferTooSmall> {
    values.iter().try_for_each(|v| out.put_varint(*v))
}

/// Encodes an ACK frame from acknowledged ranges given largest first, each as
/// `smallest..=largest`, non-overlapping and non-adjacent (RFC 9000 §19.3). Ranges that are
/// out of order are an encoder misuse and produce nothing but [`AckEncodeError`].
pub fn encode_ack(
    out: &mut impl Output,
    ranges: &[RangeInclusive<u64>],
    delay: VarInt,
    ecn: Option<EcnCounts>,
) -> Result<(), AckEncodeError> {
    let (first, rest) = ranges.split_first().ok_or(AckEncodeError::Ranges)?;
    let ty = if ecn.is_some() {
        types::ACK_ECN
    } else {
        types::ACK
    };
    out.put_varint(varint(ty))?;
    out.put_varint(VarInt::from_u64(*first.end()).map_err(|_| AckEncodeError::Ranges)?)?;
    out.put_varint(delay)?;
    out.put_varint(varint(rest.len() as u64))?;
    let first_len = first
        .end()
        .checked_sub(*first.start())
        .ok_or(AckEncodeError::Ranges)?;
    out.put_varint(varint(first_len))?;
    let mut smallest = *first.start();
    for range in rest {
        // Gap: packets between this range and the previous one, minus one (§19.3.1).
        let gap = smallest
            .checked_sub(*range.end())
            .and_then(|d| d.checked_sub(2))
            .ok_or(AckEncodeError::Ranges)?;
        let len = range
            .end()
            .checked_sub(*range.start())
            .ok_or(AckEncodeError::Ranges)?;
        out.put_varint(varint(gap))?;
        out.put_varint(varint(len))?;
        smallest = *range.start();
    }
    if let Some(ecn) = ecn {
        put_all(out, &[ecn.ect0, ecn.ect1, ecn.ce])?;
    }
    Ok(())
}

/// [`encode_ack`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AckEncodeError {
    /// No ranges, or ranges not strictly descending with gaps.
    #[error("ACK ranges empty, unordered or adjacent")]
    Ranges,
    /// The output is full.
    #[error(transparent)]
    BufferTooSmall(#[from] BufferTooSmall),
}

/// The frames of one packet payload, decoded in order without copying (RFC 9000 §12.4).
///
/// Yields `Err` once, on the first violation, then stops. An empty payload is itself a
/// PROTOCOL_VIOLATION (a packet must contain frames, §12.4).
#[derive(Clone, Debug)]
pub struct Frames<'a> {
    reader: Reader<'a>,
    packet: PacketType,
    started: bool,
    failed: bool,
}

impl<'a> Frames<'a> {
    /// The frames of `payload`, the plaintext of a packet of type `packet`.
    pub const fn new(payload: &'a [u8], packet: PacketType) -> Self {
        Self {
            reader: Reader::new(payload),
            packet,
            started: false,
            failed: false,
        }
    }

    fn decode_next(&mut self) -> Result<Frame<'a>, TransportError> {
        let r = &mut self.reader;
        let start = r.peek_rest();
        let ty_var = r
            .read_varint()
            .map_err(|_| TransportError::frame_encoding(0, "truncated frame type"))?;
        let ty = ty_var.into_inner();
        let used = start.len() - r.remaining();
        if used != ty_var.encoded_len() {
            // RFC 9000 §12.4: frame types use the shortest encoding.
            return Err(TransportError::protocol_violation(
                Some(ty),
                "frame type not minimally encoded",
            ));
        }
        if !allowed_in(ty, self.packet) {
            let known = matches!(ty, 0x00..=0x1e | 0x30..=0x31);
            return Err(if known {
                TransportError::protocol_violation(
                    Some(ty),
                    "frame not allowed in this packet type",
                )
            } else {
                TransportError::frame_encoding(ty, "unknown frame type")
            });
        }
        let trunc = |_| TransportError::frame_encoding(ty, "truncated frame");
        let frame = match ty {
            types::PADDING => {
                let mut n = 1;
                while r.peek_u8() == Ok(0) {
                    let _ = r.read_u8();
                    n += 1;
                }
                Frame::Padding(n)
            }
            types::PING => Frame::Ping,
            types::ACK | types::ACK_ECN => Frame::Ack(decode_ack(r, ty)?),
            types::RESET_STREAM => Frame::ResetStream {
                id: r.read_varint().map_err(trunc)?,
                error_code: r.read_varint().map_err(trunc)?,
                final_size: r.read_varint().map_err(trunc)?,
            },
            types::STOP_SENDING => Frame::StopSending {
                id: r.read_varint().map_err(trunc)?,
                error_code: r.read_varint().map_err(trunc)?,
            },
            types::CRYPTO => {
                let offset = r.read_varint().map_err(trunc)?;
                let data = r.read_varint_prefixed().map_err(trunc)?;
                if offset.into_inner().saturating_add(data.len() as u64) > MAX_OFFSET {
                    return Err(TransportError::frame_encoding(ty, "CRYPTO beyond 2^62-1"));
                }
                Frame::Crypto { offset, data }
            }
            types::NEW_TOKEN => {
                let token = r.read_varint_prefixed().map_err(trunc)?;
                if token.is_empty() {
                    return Err(TransportError::frame_encoding(ty, "empty NEW_TOKEN"));
                }
                Frame::NewToken { token }
            }
            0x08..=0x0f => {
                let id = r.read_varint().map_err(trunc)?;
                let offset = if ty & 0x04 != 0 {
                    r.read_varint().map_err(trunc)?
                } else {
                    VarInt::ZERO
                };
                let has_length = ty & 0x02 != 0;
                let data = if has_length {
                    r.read_varint_prefixed().map_err(trunc)?
                } else {
                    r.read_rest()
                };
                if offset.into_inner().saturating_add(data.len() as u64) > MAX_OFFSET {
                    return Err(TransportError::frame_encoding(ty, "STREAM beyond 2^62-1"));
                }
                Frame::Stream(Stream {
                    id,
                    offset,
                    fin: ty & 0x01 != 0,
                    has_length,
                    data,
                })
            }
            types::MAX_DATA => Frame::MaxData(r.read_varint().map_err(trunc)?),
            types::MAX_STREAM_DATA => Frame::MaxStreamData {
                id: r.read_varint().map_err(trunc)?,
                max: r.read_varint().map_err(trunc)?,
            },
            types::MAX_STREAMS_BIDI | types::MAX_STREAMS_UNI => {
                let max = r.read_varint().map_err(trunc)?;
                if max.into_inner() > MAX_STREAM_COUNT {
                    return Err(TransportError::frame_encoding(ty, "MAX_STREAMS above 2^60"));
                }
                Frame::MaxStreams {
                    dir: if ty == types::MAX_STREAMS_BIDI {
                        Dir::Bi
                    } else {
                        Dir::Uni
                    },
                    max,
                }
            }
            types::DATA_BLOCKED => Frame::DataBlocked(r.read_varint().map_err(trunc)?),
            types::STREAM_DATA_BLOCKED => Frame::StreamDataBlocked {
                id: r.read_varint().map_err(trunc)?,
                limit: r.read_varint().map_err(trunc)?,
            },
            types::STREAMS_BLOCKED_BIDI | types::STREAMS_BLOCKED_UNI => {
                let limit = r.read_varint().map_err(trunc)?;
                if limit.into_inner() > MAX_STREAM_COUNT {
                    return Err(TransportError::frame_encoding(
                        ty,
                        "STREAMS_BLOCKED above 2^60",
                    ));
                }
                Frame::StreamsBlocked {
                    dir: if ty == types::STREAMS_BLOCKED_BIDI {
                        Dir::Bi
                    } else {
                        Dir::Uni
                    },
                    limit,
                }
            }
            types::NEW_CONNECTION_ID => {
                let sequence = r.read_varint().map_err(trunc)?;
                let retire_prior_to = r.read_varint().map_err(trunc)?;
                let len = usize::from(r.read_u8().map_err(trunc)?);
                if len == 0 || len > ConnectionId::MAX_LEN {
                    return Err(TransportError::frame_encoding(
                        ty,
                        "connection ID length not in 1..=20",
                    ));
                }
                let id = ConnectionId::new(r.read_bytes(len).map_err(trunc)?)
                    .map_err(|_| TransportError::frame_encoding(ty, "connection ID too long"))?;
                let reset_token = r.read_array::<16>().map_err(trunc)?;
                if retire_prior_to > sequence {
                    return Err(TransportError::frame_encoding(
                        ty,
                        "Retire Prior To above Sequence Number",
                    ));
                }
                Frame::NewConnectionId(NewConnectionId {
                    sequence,
                    retire_prior_to,
                    id,
                    reset_token,
                })
            }
            types::RETIRE_CONNECTION_ID => Frame::RetireConnectionId {
                sequence: r.read_varint().map_err(trunc)?,
            },
            types::PATH_CHALLENGE => Frame::PathChallenge(r.read_array().map_err(trunc)?),
            types::PATH_RESPONSE => Frame::PathResponse(r.read_array().map_err(trunc)?),
            types::CONNECTION_CLOSE | types::APPLICATION_CLOSE => {
                let error_code = r.read_varint().map_err(trunc)?;
                let frame_type = if ty == types::CONNECTION_CLOSE {
                    Some(r.read_varint().map_err(trunc)?)
                } else {
                    None
                };
                let reason = r.read_varint_prefixed().map_err(trunc)?;
                Frame::ConnectionClose(ConnectionClose {
                    frame_type,
                    error_code,
                    reason,
                })
            }
            types::HANDSHAKE_DONE => Frame::HandshakeDone,
            types::DATAGRAM | types::DATAGRAM_LEN => {
                let has_length = ty == types::DATAGRAM_LEN;
                let data = if has_length {
                    r.read_varint_prefixed().map_err(trunc)?
                } else {
                    r.read_rest()
                };
                Frame::Datagram { has_length, data }
            }
            _ => return Err(TransportError::frame_encoding(ty, "unknown frame type")),
        };
        Ok(frame)
    }
}

fn decode_ack<'a>(r: &mut Reader<'a>, ty: u64) -> Result<Ack<'a>, TransportError> {
    let trunc = |_| TransportError::frame_encoding(ty, "truncated ACK");
    let negative = TransportError::frame_encoding(ty, "ACK range below packet number 0");
    let largest = r.read_varint().map_err(trunc)?.into_inner();
    let delay = r.read_varint().map_err(trunc)?;
    let range_count = r.read_varint().map_err(trunc)?.into_inner();
    let first_range = r.read_varint().map_err(trunc)?.into_inner();
    let mut smallest = largest.checked_sub(first_range).ok_or(negative)?;
    let ranges_start = r.peek_rest();
    // Each pair takes at least two bytes, so the loop is bounded by the payload size.
    for _ in 0..range_count {
        let gap = r.read_varint().map_err(trunc)?.into_inner();
        let len = r.read_varint().map_err(trunc)?.into_inner();
        let range_largest = smallest
            .checked_sub(gap)
            .and_then(|v| v.checked_sub(2))
            .ok_or(negative)?;
        smallest = range_largest.checked_sub(len).ok_or(negative)?;
    }
    let used = ranges_start.len() - r.remaining();
    let encoded_ranges = ranges_start.get(..used).unwrap_or_default();
    let ecn = if ty == types::ACK_ECN {
        Some(EcnCounts {
            ect0: r.read_varint().map_err(trunc)?,
            ect1: r.read_varint().map_err(trunc)?,
            ce: r.read_varint().map_err(trunc)?,
        })
    } else {
        None
    };
    Ok(Ack {
        largest,
        delay,
        first_range,
        range_count,
        encoded_ranges,
        ecn,
    })
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, TransportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if !self.started {
            self.started = true;
            if self.reader.is_empty() {
                self.failed = true;
                return Some(Err(TransportError::protocol_violation(
                    None,
                    "packet without frames",
                )));
            }
        }
        if self.reader.is_empty() {
            return None;
        }
        let result = self.decode_next();
        if result.is_err() {
            self.failed = true;
        }
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn decode_all(bytes: &[u8], packet: PacketType) -> Result<Vec<Frame<'_>>, TransportError> {
        Frames::new(bytes, packet).collect()
    }

    #[test]
    fn table_3_is_enforced() {
        // HANDSHAKE_DONE in a Handshake packet: PROTOCOL_VIOLATION.
        let err = decode_all(&[0x1e], PacketType::Handshake).unwrap_err();
        assert_eq!(err.code, TransportErrorCode::ProtocolViolation);
        // ACK is not allowed in 0-RTT; STREAM is not allowed in Initial.
        assert!(decode_all(&[0x02, 0, 0, 0, 0], PacketType::ZeroRtt).is_err());
        assert!(decode_all(&[0x08, 0], PacketType::Initial).is_err());
        assert!(decode_all(&[0x08, 0], PacketType::ZeroRtt).is_ok());
        // DATAGRAM: 0-RTT and 1-RTT only.
        assert!(decode_all(&[0x30], PacketType::Initial).is_err());
        assert!(decode_all(&[0x30, 1, 2], PacketType::OneRtt).is_ok());
    }

    #[test]
    fn unknown_type_and_truncation_are_frame_encoding_errors() {
        let err = decode_all(&[0x21], PacketType::OneRtt).unwrap_err();
        assert_eq!(err.code, TransportErrorCode::FrameEncodingError);
        let err = decode_all(&[0x06, 0x00, 0x05, 1, 2], PacketType::Initial).unwrap_err();
        assert_eq!(err.code, TransportErrorCode::FrameEncodingError);
        assert_eq!(err.frame_type, Some(0x06));
    }

    #[test]
    fn empty_payload_and_padded_type_are_protocol_violations() {
        let err = decode_all(&[], PacketType::OneRtt).unwrap_err();
        assert_eq!(err.code, TransportErrorCode::ProtocolViolation);
        // PING encoded in two bytes.
        let err = decode_all(&[0x40, 0x01], PacketType::OneRtt).unwrap_err();
        assert_eq!(err.code, TransportErrorCode::ProtocolViolation);
    }

    #[test]
    fn ack_ranges_walk_and_negative_ranges_fail() {
        let mut buf = Vec::new();
        encode_ack(
            &mut buf,
            &[90..=100, 50..=80, 0..=10],
            VarInt::from_u32(7),
            None,
        )
        .unwrap();
        let frames = decode_all(&buf, PacketType::OneRtt).unwrap();
        let Frame::Ack(ack) = frames[0] else {
            panic!("{frames:?}")
        };
        let ranges: Vec<_> = ack.ranges().collect();
        assert_eq!(ranges, [90..=100, 50..=80, 0..=10]);
        // Largest 5, first range 6: packet -1.
        let err = decode_all(&[0x02, 5, 0, 0, 6], PacketType::OneRtt).unwrap_err();
        assert_eq!(err.code, TransportErrorCode::FrameEncodingError);
        // A second range below zero.
        let err = decode_all(&[0x02, 5, 0, 1, 1, 3, 0], PacketType::OneRtt).unwrap_err();
        assert_eq!(err.code, TransportErrorCode::FrameEncodingError);
    }

    #[test]
    fn field_limits() {
        // MAX_STREAMS 2^60 + 1.
        let mut buf = alloc::vec![0x12];
        buf.put_varint(VarInt::from_u64((1 << 60) + 1).unwrap())
            .unwrap();
        assert!(decode_all(&buf, PacketType::OneRtt).is_err());
        // NEW_CONNECTION_ID with a zero-length ID.
        let mut ncid = alloc::vec![0x18, 1, 0, 0];
        ncid.extend([0u8; 16]);
        assert!(decode_all(&ncid, PacketType::OneRtt).is_err());
        // Retire Prior To above Sequence Number.
        let mut ncid = alloc::vec![0x18, 1, 2, 1, 9];
        ncid.extend([0u8; 16]);
        assert!(decode_all(&ncid, PacketType::OneRtt).is_err());
        // Empty NEW_TOKEN.
        assert!(decode_all(&[0x07, 0], PacketType::OneRtt).is_err());
    }
}
