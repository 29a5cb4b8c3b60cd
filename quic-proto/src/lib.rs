//! QUIC (RFC 9000, RFC 9001, RFC 9369) without IO: the wire layer under a connection.
//!
//! - [`packet`]: long and short headers, Version Negotiation, Retry, coalesced packets in one
//!   datagram, and building packets into caller buffers (RFC 9000 §17).
//! - [`packet_number`]: truncation and recovery of packet numbers (RFC 9000 §17.1, Appendix A).
//! - [`frame`]: every frame of RFC 9000 §19 plus DATAGRAM (RFC 9221), decoded without copying
//!   (frames borrow the packet payload) and encoded through [`wire_codec::Output`].
//! - [`transport_params`]: RFC 9000 §18, RFC 9368 `version_information`, RFC 9221
//!   `max_datagram_frame_size`.
//! - [`crypto`]: packet protection (RFC 9001 §5) behind small traits, the Initial secrets of
//!   QUIC v1 and v2, the Retry integrity tag, key update and the AEAD usage limits; with the
//!   `ring` feature a provider built on ring, and with `rustls` adapters for the keys rustls's
//!   `quic` module hands out during a handshake.
//!
//! The connection and endpoint state machines (quinn-proto's shape) build on this layer.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

pub mod cid;
pub mod crypto;
pub mod error;
pub mod frame;
pub mod fuzzing;
pub mod packet;
pub mod packet_number;
pub mod transport_params;
pub mod version;

pub use cid::ConnectionId;
pub use error::TransportErrorCode;
pub use frame::Frame;
pub use packet::PacketType;
pub use version::Version;
pub use wire_codec::VarInt;

/// Which end of a connection: the one that sent the first Initial, or the one that answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The endpoint that opened the connection.
    Client,
    /// The endpoint that accepted it.
    Server,
}

impl Side {
    /// The other end.
    pub const fn peer(self) -> Self {
        match self {
            Self::Client => Self::Server,
            Self::Server => Self::Client,
        }
    }
}
