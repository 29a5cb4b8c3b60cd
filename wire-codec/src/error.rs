//! Error kinds shared by every decoder and encoder of the workspace.

use core::fmt;

/// The input ended before a complete item: at least [`needed`](Self::needed) more bytes are
/// required. This is not an error in the input, only a lack of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("incomplete input: at least {needed} more byte(s) needed")]
pub struct Incomplete {
    needed: usize,
}

impl Incomplete {
    /// "At least `needed` more bytes"; a `needed` of 0 is raised to 1.
    pub const fn new(needed: usize) -> Self {
        Self {
            needed: if needed == 0 { 1 } else { needed },
        }
    }

    /// A lower bound on how many more bytes the item needs (at least 1).
    pub const fn needed(self) -> usize {
        self.needed
    }
}

/// The result of decoding input that may be truncated: either more bytes are needed, or the
/// bytes present are invalid (`E`, the protocol's own error).
///
/// A parser returning `Result<T, DecodeError<E>>` can use `?` on every [`Reader`](crate::Reader)
/// call, since [`Incomplete`] converts into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DecodeError<E> {
    /// Not enough input yet; feed more and try again.
    Incomplete(Incomplete),
    /// The input is wrong; more bytes will not fix it.
    Invalid(E),
}

impl<E> DecodeError<E> {
    /// Whether this is "need more bytes" rather than an error in the input.
    pub const fn is_incomplete(&self) -> bool {
        matches!(self, Self::Incomplete(_))
    }

    /// The protocol error, if the input is invalid.
    pub fn invalid(self) -> Option<E> {
        match self {
            Self::Incomplete(_) => None,
            Self::Invalid(e) => Some(e),
        }
    }

    /// Maps the protocol error, leaving `Incomplete` as it is.
    pub fn map_invalid<F>(self, f: impl FnOnce(E) -> F) -> DecodeError<F> {
        match self {
            Self::Incomplete(i) => DecodeError::Incomplete(i),
            Self::Invalid(e) => DecodeError::Invalid(f(e)),
        }
    }
}

impl<E> From<Incomplete> for DecodeError<E> {
    fn from(incomplete: Incomplete) -> Self {
        Self::Incomplete(incomplete)
    }
}

impl<E: fmt::Display> fmt::Display for DecodeError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Incomplete(i) => i.fmt(f),
            Self::Invalid(e) => e.fmt(f),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for DecodeError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Incomplete(i) => Some(i),
            Self::Invalid(e) => Some(e),
        }
    }
}

/// An encoder ran out of room in the caller's buffer. Nothing of the item was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("output buffer too small: {needed} byte(s) needed, {available} available")]
pub struct BufferTooSmall {
    /// Bytes the item needs.
    pub needed: usize,
    /// Bytes that were left in the buffer.
    pub available: usize,
}

/// A value above 2^62 - 1 cannot be a QUIC variable-length integer (RFC 9000 §16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{0} does not fit in a QUIC variable-length integer (maximum 2^62 - 1)")]
pub struct VarIntTooLarge(pub u64);
