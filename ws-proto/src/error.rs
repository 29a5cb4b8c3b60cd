//! Errors: what the peer did wrong (mapped to close codes), and what the caller did wrong.

use wire_codec::BufferTooSmall;

use crate::close::{CloseCode, CloseError};
use crate::frame::FrameError;

/// The peer broke the protocol or a configured limit. The connection fails (RFC 6455 §7.1.7):
/// a close frame with [`close_code`](Self::close_code) is queued for
/// [`poll_transmit`](crate::Connection::poll_transmit), and the error is sticky.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A malformed frame header (§5.2, §5.5).
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// An RSV bit no negotiated extension defines, or RSV1 on a control or continuation frame
    /// (§5.2, RFC 7692 §6).
    #[error("reserved bit set")]
    ReservedBits,
    /// A client frame without a mask (§5.1).
    #[error("unmasked frame from a client")]
    UnmaskedFrame,
    /// A server frame with a mask (§5.1).
    #[error("masked frame from a server")]
    MaskedFrame,
    /// A continuation frame with no message to continue (§5.4).
    #[error("continuation frame outside a fragmented message")]
    UnexpectedContinuation,
    /// A new text or binary frame while a fragmented message is unfinished (§5.4).
    #[error("new message before the previous fragmented message ended")]
    ExpectedContinuation,
    /// Text that is not UTF-8 (§8.1).
    #[error("text message is not UTF-8")]
    InvalidUtf8,
    /// A bad close frame body (§5.5.1, §7.4).
    #[error(transparent)]
    Close(#[from] CloseError),
    /// A frame longer than `Config::max_frame_size`.
    #[error("frame of {0} bytes exceeds the frame size limit")]
    FrameTooLarge(u64),
    /// A message longer than `Config::max_message_size` (after inflation).
    #[error("message exceeds the message size limit")]
    MessageTooLarge,
    /// More fragments than `Config::max_fragments` in one message.
    #[error("message has too many fragments")]
    TooManyFragments,
    /// Compressed data that does not inflate (RFC 7692 §6.2).
    #[error("compressed message does not decompress")]
    Decompression,
}

impl ProtocolError {
    /// The close code this failure sends (RFC 6455 §7.4.1).
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Self::InvalidUtf8 | Self::Close(CloseError::InvalidReason) | Self::Decompression => {
                CloseCode::INVALID_PAYLOAD
            }
            Self::FrameTooLarge(_) | Self::MessageTooLarge => CloseCode::MESSAGE_TOO_BIG,
            Self::TooManyFragments => CloseCode::POLICY_VIOLATION,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
}

/// The caller asked for something the connection cannot do now. Nothing was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// A close frame was already sent, or the connection failed or closed.
    #[error("the connection is closing or closed")]
    Closed,
    /// A fragmented message started with `send_fragment` is unfinished.
    #[error("a fragmented message is in progress")]
    MessageInProgress,
    /// A control frame payload over 125 bytes (§5.5).
    #[error("control frame payload over 125 bytes")]
    ControlTooLong,
    /// A close code an endpoint may not send (§7.4).
    #[error("close code {0} may not be sent")]
    InvalidCloseCode(u16),
    /// The output buffer cannot hold the frames.
    #[error(transparent)]
    BufferTooSmall(#[from] BufferTooSmall),
}

/// A permessage-deflate configuration this build cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported permessage-deflate parameters: {0}")]
pub struct ConfigError(pub &'static str);
