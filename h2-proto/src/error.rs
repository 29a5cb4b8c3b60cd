//! Error codes (RFC 9113 §7) and the typed errors of frames and connections.

use core::fmt;

use crate::frame::StreamId;

/// An HTTP/2 error code (RFC 9113 §7). Unknown codes are kept as they are: §7 says they "MUST
/// NOT trigger any special behavior", but a trace wants to show them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorCode(pub u32);

impl ErrorCode {
    /// Graceful shutdown, or no error.
    pub const NO_ERROR: Self = Self(0x0);
    /// An unspecific protocol error.
    pub const PROTOCOL_ERROR: Self = Self(0x1);
    /// An unexpected internal error.
    pub const INTERNAL_ERROR: Self = Self(0x2);
    /// The peer violated flow control.
    pub const FLOW_CONTROL_ERROR: Self = Self(0x3);
    /// SETTINGS were not acknowledged in time.
    pub const SETTINGS_TIMEOUT: Self = Self(0x4);
    /// A frame arrived on a half-closed or closed stream.
    pub const STREAM_CLOSED: Self = Self(0x5);
    /// A frame had an invalid size.
    pub const FRAME_SIZE_ERROR: Self = Self(0x6);
    /// The stream was refused before any application processing.
    pub const REFUSED_STREAM: Self = Self(0x7);
    /// The stream is no longer needed.
    pub const CANCEL: Self = Self(0x8);
    /// The field compression context cannot be maintained.
    pub const COMPRESSION_ERROR: Self = Self(0x9);
    /// The CONNECT tunnel was reset or abnormally closed.
    pub const CONNECT_ERROR: Self = Self(0xa);
    /// The peer exhibits behaviour that might be generating excessive load.
    pub const ENHANCE_YOUR_CALM: Self = Self(0xb);
    /// The transport does not meet minimum security requirements.
    pub const INADEQUATE_SECURITY: Self = Self(0xc);
    /// HTTP/1.1 must be used instead.
    pub const HTTP_1_1_REQUIRED: Self = Self(0xd);

    /// The RFC's name for the code, if it is one of the defined codes.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x0 => "NO_ERROR",
            0x1 => "PROTOCOL_ERROR",
            0x2 => "INTERNAL_ERROR",
            0x3 => "FLOW_CONTROL_ERROR",
            0x4 => "SETTINGS_TIMEOUT",
            0x5 => "STREAM_CLOSED",
            0x6 => "FRAME_SIZE_ERROR",
            0x7 => "REFUSED_STREAM",
            0x8 => "CANCEL",
            0x9 => "COMPRESSION_ERROR",
            0xa => "CONNECT_ERROR",
            0xb => "ENHANCE_YOUR_CALM",
            0xc => "INADEQUATE_SECURITY",
            0xd => "HTTP_1_1_REQUIRED",
            _ => return None,
        })
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:x}", self.0),
        }
    }
}

/// How far an error reaches (RFC 9113 §5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A connection error (§5.4.1): the connection ends with GOAWAY.
    Connection,
    /// A stream error (§5.4.2): only this stream ends, with RST_STREAM.
    Stream(StreamId),
}

/// What exactly was wrong; the wire carries only the [`ErrorCode`], this is for logs and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// The frame is longer than SETTINGS_MAX_FRAME_SIZE allows (§4.2).
    FrameTooLarge,
    /// The frame's length is wrong for its type (§6).
    BadFrameLength,
    /// The padding is as long as the payload or longer (§6.1).
    BadPadding,
    /// A frame that needs a stream id arrived on stream 0, or the reverse (§6).
    BadStreamId,
    /// A SETTINGS value is out of range (§6.5.2).
    BadSettingValue,
    /// A stream depends on itself (§5.3.1).
    SelfDependency,
    /// A PRIORITY_UPDATE RFC 9218 §7.1 forbids: received by a client, for an idle push
    /// stream, or for more idle streams than SETTINGS_MAX_CONCURRENT_STREAMS allows.
    BadPriorityUpdate,
    /// A WINDOW_UPDATE increment of 0 (§6.9).
    ZeroWindowIncrement,
    /// A window grew past 2^31 - 1 (§6.9.1).
    WindowOverflow,
    /// DATA beyond the advertised flow-control window (§6.9).
    FlowControlViolation,
    /// The client connection preface was wrong (§3.4).
    BadPreface,
    /// The first frame from the peer was not SETTINGS (§3.4).
    SettingsNotFirst,
    /// A frame other than CONTINUATION interrupted a header block (§6.10).
    ExpectedContinuation,
    /// CONTINUATION without a header block in progress (§6.10).
    UnexpectedContinuation,
    /// A frame not allowed in the stream's state (§5.1).
    BadStreamState,
    /// A frame on a closed stream (§5.1).
    StreamClosed,
    /// A stream id went backwards or had the wrong parity (§5.1.1).
    BadNewStreamId,
    /// The peer opened more streams than SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2).
    TooManyStreams,
    /// PUSH_PROMISE where push is not allowed (§8.4).
    PushNotAllowed,
    /// The header block could not be decompressed (§4.3).
    Compression,
    /// The header list is larger than allowed.
    HeaderListTooLarge,
    /// A malformed message (§8.1.1): pseudo-headers, fields, content-length.
    MalformedMessage,
    /// SETTINGS were not acknowledged in time (§6.5.3).
    SettingsTimeout,
    /// The peer is flooding us (CVE-2019-9512 ff., CVE-2023-44487, CVE-2025-8671).
    Flood,
    /// The peer sent a GOAWAY and then opened a stream.
    AfterGoAway,
    /// The peer ended the connection with GOAWAY.
    PeerGoAway,
    /// The peer reset the stream.
    PeerReset,
    /// The local side reset the stream.
    LocalReset,
}

/// A violation by the peer: the [`ErrorCode`] to send, how far it reaches, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{code} ({reason:?}) on {scope:?}")]
pub struct H2Error {
    /// The code sent in GOAWAY or RST_STREAM.
    pub code: ErrorCode,
    /// Connection or stream error.
    pub scope: Scope,
    /// Why.
    pub reason: Reason,
}

impl H2Error {
    /// A connection error.
    pub const fn connection(code: ErrorCode, reason: Reason) -> Self {
        Self {
            code,
            scope: Scope::Connection,
            reason,
        }
    }

    /// A stream error.
    pub const fn stream(stream: StreamId, code: ErrorCode, reason: Reason) -> Self {
        Self {
            code,
            scope: Scope::Stream(stream),
            reason,
        }
    }

    /// Whether the whole connection is lost.
    pub const fn is_connection_error(&self) -> bool {
        matches!(self.scope, Scope::Connection)
    }
}
