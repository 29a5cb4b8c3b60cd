//! Close frames (RFC 6455 §5.5.1, §7.4).

use alloc::string::String;
use alloc::vec::Vec;

/// A close status code (RFC 6455 §7.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: normal closure.
    pub const NORMAL: Self = Self(1000);
    /// 1001: going away (server shutting down, page navigated away).
    pub const GOING_AWAY: Self = Self(1001);
    /// 1002: protocol error.
    pub const PROTOCOL_ERROR: Self = Self(1002);
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: Self = Self(1003);
    /// 1005: no status code was present (never sent on the wire).
    pub const NO_STATUS: Self = Self(1005);
    /// 1006: closed abnormally, without a close frame (never sent on the wire).
    pub const ABNORMAL: Self = Self(1006);
    /// 1007: data inconsistent with the message type (e.g. non-UTF-8 text).
    pub const INVALID_PAYLOAD: Self = Self(1007);
    /// 1008: a message that violates the endpoint's policy.
    pub const POLICY_VIOLATION: Self = Self(1008);
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: Self = Self(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: Self = Self(1010);
    /// 1011: the server met an unexpected condition.
    pub const INTERNAL_ERROR: Self = Self(1011);

    /// Whether a peer may send this code in a close frame: 1000–1003, 1007–1014 (the IANA
    /// registry's 1012–1014 included) and 3000–4999. 0–999, 1004–1006, 1015, 1016–2999 and 5000
    /// and above are a protocol error on the wire (§7.4.1, §7.4.2).
    pub const fn is_valid_on_wire(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        Self(code)
    }
}

/// The body of a close frame: a status code and a UTF-8 reason.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CloseFrame {
    /// The status code.
    pub code: CloseCode,
    /// The reason, at most 123 bytes so the frame stays within 125.
    pub reason: String,
}

/// A close frame's payload that breaks §5.5.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CloseError {
    /// A 1-byte body cannot hold the 2-byte code (§5.5.1): 1002.
    #[error("close frame with a 1-byte body")]
    OneByteBody,
    /// A code the peer may not send (§7.4): 1002.
    #[error("close code {0} may not be sent on the wire")]
    InvalidCode(u16),
    /// The reason is not UTF-8 (§5.5.1): 1007.
    #[error("close reason is not UTF-8")]
    InvalidReason,
}

impl CloseFrame {
    /// Parses a close frame's (unmasked) payload: empty means "no status code".
    pub fn parse(payload: &[u8]) -> Result<Option<Self>, CloseError> {
        match payload {
            [] => Ok(None),
            [_] => Err(CloseError::OneByteBody),
            [a, b, reason @ ..] => {
                let code = CloseCode(u16::from_be_bytes([*a, *b]));
                if !code.is_valid_on_wire() {
                    return Err(CloseError::InvalidCode(code.0));
                }
                let reason = core::str::from_utf8(reason).map_err(|_| CloseError::InvalidReason)?;
                Ok(Some(Self {
                    code,
                    reason: reason.into(),
                }))
            }
        }
    }

    /// The payload: the code in network order, then the reason.
    pub fn payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.reason.len());
        out.extend_from_slice(&self.code.0.to_be_bytes());
        out.extend_from_slice(self.reason.as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_codes_are_exactly_the_issue_list() {
        for code in 0..=u16::MAX {
            let allowed = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
            assert_eq!(CloseCode(code).is_valid_on_wire(), allowed, "{code}");
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            let payload = u16::to_be_bytes(code);
            assert_eq!(
                CloseFrame::parse(&payload),
                Err(CloseError::InvalidCode(code))
            );
        }
    }

    #[test]
    fn reason_must_be_utf8() {
        assert_eq!(
            CloseFrame::parse(&[
                0x03, 0xe8, 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed,
                0xa0, 0x80
            ]),
            Err(CloseError::InvalidReason)
        );
        let frame = CloseFrame::parse(&[0x03, 0xe8, b'o', b'k'])
            .unwrap()
            .unwrap();
        assert_eq!(frame.code, CloseCode::NORMAL);
        assert_eq!(frame.reason, "ok");
        assert_eq!(frame.payload(), [0x03, 0xe8, b'o', b'k']);
        assert_eq!(CloseFrame::parse(&[3]), Err(CloseError::OneByteBody));
        assert_eq!(CloseFrame::parse(&[]), Ok(None));
    }
}
