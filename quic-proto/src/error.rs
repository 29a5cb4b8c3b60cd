//! Transport error codes (RFC 9000 §20.1, RFC 9368 §10.2) and the typed errors of this crate.

use core::fmt;

/// A QUIC transport error code as carried in CONNECTION_CLOSE frames of type 0x1c
/// (RFC 9000 §20.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportErrorCode {
    /// 0x00: the connection is closing without error.
    NoError,
    /// 0x01: the endpoint hit an internal error.
    InternalError,
    /// 0x02: the server refuses the connection.
    ConnectionRefused,
    /// 0x03: more data was received than the advertised limits allow.
    FlowControlError,
    /// 0x04: a stream was opened beyond the permitted limit.
    StreamLimitError,
    /// 0x05: a frame arrived for a stream in a state that does not permit it.
    StreamStateError,
    /// 0x06: a final size changed, or data arrived past it.
    FinalSizeError,
    /// 0x07: a frame was badly formatted.
    FrameEncodingError,
    /// 0x08: transport parameters were malformed, invalid or missing.
    TransportParameterError,
    /// 0x09: more connection IDs than `active_connection_id_limit`.
    ConnectionIdLimitError,
    /// 0x0a: a protocol rule was broken that has no more specific code.
    ProtocolViolation,
    /// 0x0b: a Retry or NEW_TOKEN token was invalid.
    InvalidToken,
    /// 0x0c: the application closed the connection (carried in a 0x1c frame during the
    /// handshake).
    ApplicationError,
    /// 0x0d: too much data in CRYPTO frames.
    CryptoBufferExceeded,
    /// 0x0e: an error in key update.
    KeyUpdateError,
    /// 0x0f: the AEAD confidentiality or integrity limit was reached.
    AeadLimitReached,
    /// 0x10: no network path can carry the connection.
    NoViablePath,
    /// 0x11: version negotiation failed (RFC 9368 §10.2).
    VersionNegotiationError,
    /// 0x0100–0x01ff: a TLS alert, whose description is the low byte (RFC 9001 §4.8).
    Crypto(u8),
    /// Any other value: an extension's code, or one this crate does not know.
    Unknown(u64),
}

impl TransportErrorCode {
    /// The code's wire value.
    pub const fn to_u64(self) -> u64 {
        match self {
            Self::NoError => 0x00,
            Self::InternalError => 0x01,
            Self::ConnectionRefused => 0x02,
            Self::FlowControlError => 0x03,
            Self::StreamLimitError => 0x04,
            Self::StreamStateError => 0x05,
            Self::FinalSizeError => 0x06,
            Self::FrameEncodingError => 0x07,
            Self::TransportParameterError => 0x08,
            Self::ConnectionIdLimitError => 0x09,
            Self::ProtocolViolation => 0x0a,
            Self::InvalidToken => 0x0b,
            Self::ApplicationError => 0x0c,
            Self::CryptoBufferExceeded => 0x0d,
            Self::KeyUpdateError => 0x0e,
            Self::AeadLimitReached => 0x0f,
            Self::NoViablePath => 0x10,
            Self::VersionNegotiationError => 0x11,
            Self::Crypto(alert) => 0x100 | alert as u64,
            Self::Unknown(v) => v,
        }
    }

    /// The code for a wire value; every value maps to something.
    pub const fn from_u64(value: u64) -> Self {
        match value {
            0x00 => Self::NoError,
            0x01 => Self::InternalError,
            0x02 => Self::ConnectionRefused,
            0x03 => Self::FlowControlError,
            0x04 => Self::StreamLimitError,
            0x05 => Self::StreamStateError,
            0x06 => Self::FinalSizeError,
            0x07 => Self::FrameEncodingError,
            0x08 => Self::TransportParameterError,
            0x09 => Self::ConnectionIdLimitError,
            0x0a => Self::ProtocolViolation,
            0x0b => Self::InvalidToken,
            0x0c => Self::ApplicationError,
            0x0d => Self::CryptoBufferExceeded,
            0x0e => Self::KeyUpdateError,
            0x0f => Self::AeadLimitReached,
            0x10 => Self::NoViablePath,
            0x11 => Self::VersionNegotiationError,
            0x100..=0x1ff => Self::Crypto((value & 0xff) as u8),
            other => Self::Unknown(other),
        }
    }
}

impl fmt::Debug for TransportErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::NoError => "NO_ERROR",
            Self::InternalError => "INTERNAL_ERROR",
            Self::ConnectionRefused => "CONNECTION_REFUSED",
            Self::FlowControlError => "FLOW_CONTROL_ERROR",
            Self::StreamLimitError => "STREAM_LIMIT_ERROR",
            Self::StreamStateError => "STREAM_STATE_ERROR",
            Self::FinalSizeError => "FINAL_SIZE_ERROR",
            Self::FrameEncodingError => "FRAME_ENCODING_ERROR",
            Self::TransportParameterError => "TRANSPORT_PARAMETER_ERROR",
            Self::ConnectionIdLimitError => "CONNECTION_ID_LIMIT_ERROR",
            Self::ProtocolViolation => "PROTOCOL_VIOLATION",
            Self::InvalidToken => "INVALID_TOKEN",
            Self::ApplicationError => "APPLICATION_ERROR",
            Self::CryptoBufferExceeded => "CRYPTO_BUFFER_EXCEEDED",
            Self::KeyUpdateError => "KEY_UPDATE_ERROR",
            Self::AeadLimitReached => "AEAD_LIMIT_REACHED",
            Self::NoViablePath => "NO_VIABLE_PATH",
            Self::VersionNegotiationError => "VERSION_NEGOTIATION_ERROR",
            Self::Crypto(alert) => return write!(f, "CRYPTO_ERROR({alert:#04x})"),
            Self::Unknown(v) => return write!(f, "UNKNOWN({v:#x})"),
        };
        f.write_str(name)
    }
}

impl fmt::Display for TransportErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A violation found while decoding, with the transport error code the connection must close
/// with (RFC 9000 §12.4, §18, §19).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {reason}")]
pub struct TransportError {
    /// The code for CONNECTION_CLOSE.
    pub code: TransportErrorCode,
    /// The frame type that triggered it, when a frame did (CONNECTION_CLOSE's Frame Type).
    pub frame_type: Option<u64>,
    /// A short static explanation, usable as the Reason Phrase.
    pub reason: &'static str,
}

impl TransportError {
    /// FRAME_ENCODING_ERROR for `frame_type`.
    pub const fn frame_encoding(frame_type: u64, reason: &'static str) -> Self {
        Self {
            code: TransportErrorCode::FrameEncodingError,
            frame_type: Some(frame_type),
            reason,
        }
    }

    /// PROTOCOL_VIOLATION, optionally blaming a frame type.
    pub const fn protocol_violation(frame_type: Option<u64>, reason: &'static str) -> Self {
        Self {
            code: TransportErrorCode::ProtocolViolation,
            frame_type,
            reason,
        }
    }

    /// TRANSPORT_PARAMETER_ERROR.
    pub const fn transport_parameter(reason: &'static str) -> Self {
        Self {
            code: TransportErrorCode::TransportParameterError,
            frame_type: None,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wire_values_match_rfc_9000_section_20_1() {
        assert_eq!(TransportErrorCode::FrameEncodingError.to_u64(), 0x07);
        assert_eq!(TransportErrorCode::ProtocolViolation.to_u64(), 0x0a);
        assert_eq!(TransportErrorCode::NoViablePath.to_u64(), 0x10);
        assert_eq!(
            TransportErrorCode::from_u64(0x178),
            TransportErrorCode::Crypto(0x78)
        );
    }

    proptest! {
        #[test]
        fn every_value_round_trips(v in 0u64..(1 << 62)) {
            prop_assert_eq!(TransportErrorCode::from_u64(v).to_u64(), v);
        }
    }
}
