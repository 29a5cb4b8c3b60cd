//! QUIC versions (RFC 9000 §15, RFC 9369 §3).

use core::fmt;

/// A 32-bit QUIC version number as carried in long headers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(pub u32);

impl Version {
    /// QUIC version 1 (RFC 9000).
    pub const V1: Self = Self(0x0000_0001);
    /// QUIC version 2 (RFC 9369 §3.1).
    pub const V2: Self = Self(0x6b33_43cf);
    /// The value of a Version Negotiation packet's version field (RFC 9000 §17.2.1).
    pub const NEGOTIATION: Self = Self(0);

    /// Whether this crate knows the version's packet types and keys (v1 and v2).
    pub const fn is_supported(self) -> bool {
        matches!(self, Self::V1 | Self::V2)
    }

    /// Whether this is a reserved version of the form `0x?a?a?a?a`, used to exercise version
    /// negotiation (RFC 9000 §15).
    pub const fn is_reserved(self) -> bool {
        self.0 & 0x0f0f_0f0f == 0x0a0a_0a0a
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::V1 => f.write_str("v1"),
            Self::V2 => f.write_str("v2"),
            Self(v) => write!(f, "{v:#010x}"),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
