//! Connection IDs (RFC 9000 §5.1): 0 to 20 bytes, stored inline.

use core::fmt;

/// A connection ID of at most [`ConnectionId::MAX_LEN`] bytes, held inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId {
    len: u8,
    bytes: [u8; ConnectionId::MAX_LEN],
}

/// A byte string longer than 20 bytes was offered as a connection ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("connection ID of {0} bytes is longer than 20")]
pub struct ConnectionIdTooLong(pub usize);

impl ConnectionId {
    /// The longest connection ID QUIC v1 and v2 allow (RFC 9000 §17.2).
    pub const MAX_LEN: usize = 20;
    /// The empty connection ID.
    pub const EMPTY: Self = Self {
        len: 0,
        bytes: [0; Self::MAX_LEN],
    };

    /// A connection ID holding `bytes`, if there are at most 20.
    #[inline]
    pub fn new(bytes: &[u8]) -> Result<Self, ConnectionIdTooLong> {
        let mut id = Self::EMPTY;
        let dst = id
            .bytes
            .get_mut(..bytes.len())
            .ok_or(ConnectionIdTooLong(bytes.len()))?;
        dst.copy_from_slice(bytes);
        id.len = bytes.len() as u8;
        Ok(id)
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// Its length in bytes.
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether it is zero-length.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for ConnectionId {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl core::ops::Deref for ConnectionId {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl fmt::Debug for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.as_slice() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_bytes_fit_twenty_one_do_not() {
        assert_eq!(ConnectionId::new(&[7; 20]).unwrap().len(), 20);
        assert_eq!(ConnectionId::new(&[7; 21]), Err(ConnectionIdTooLong(21)));
        assert!(ConnectionId::new(&[]).unwrap().is_empty());
    }
}
