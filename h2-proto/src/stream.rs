//! The stream state machine of RFC 9113 §5.1, as an explicit transition table.
//!
//! ```text
//!                              +--------+
//!                      send PP |        | recv PP
//!                     ,--------+  idle  +--------.
//!                    /         |        |         \
//!                   v          +--------+          v
//!            +----------+          |           +----------+
//!            |          |          | send H /  |          |
//!     ,------+ reserved |          | recv H    | reserved +------.
//!     |      | (local)  |          |           | (remote) |      |
//!     |      +---+------+          v           +------+---+      |
//!     |          |             +--------+             |          |
//!     |          |     recv ES |        | send ES     |          |
//!     |   send H |     ,-------+  open  +-------.     | recv H   |
//!     |          |    /        |        |        \    |          |
//!     |          v   v         +---+----+         v   v          |
//!     |      +----------+          |           +----------+      |
//!     |      |   half-  |          |           |   half-  |      |
//!     |      |  closed  |          | send R /  |  closed  |      |
//!     |      | (remote) |          | recv R    | (local)  |      |
//!     |      +----+-----+          |           +-----+----+      |
//!     |           |                |                 |           |
//!     |           | send ES /      |       recv ES / |           |
//!     |           | send R /       v        send R / |           |
//!     |           | recv R     +--------+   recv R   |           |
//!     | send R /  `----------->|        |<-----------'  send R / |
//!     | recv R                 | closed |               recv R   |
//!     `----------------------->|        |<-----------------------'
//!                              +--------+
//! ```

/// A stream's state (RFC 9113 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Not yet used.
    Idle,
    /// Promised by us with PUSH_PROMISE.
    ReservedLocal,
    /// Promised by the peer with PUSH_PROMISE.
    ReservedRemote,
    /// Both sides may send.
    Open,
    /// We sent END_STREAM; the peer may still send.
    HalfClosedLocal,
    /// The peer sent END_STREAM; we may still send.
    HalfClosedRemote,
    /// Done.
    Closed,
}

/// What happens to a stream: the labels of the §5.1 diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transition {
    /// `send H`: we send HEADERS.
    SendHeaders,
    /// `recv H`: the peer sends HEADERS.
    RecvHeaders,
    /// `send PP`: we reserve the stream with PUSH_PROMISE.
    SendPushPromise,
    /// `recv PP`: the peer reserves the stream with PUSH_PROMISE.
    RecvPushPromise,
    /// `send ES`: we send END_STREAM.
    SendEndStream,
    /// `recv ES`: the peer sends END_STREAM.
    RecvEndStream,
    /// `send R`: we send RST_STREAM.
    SendReset,
    /// `recv R`: the peer sends RST_STREAM.
    RecvReset,
}

/// A transition the diagram does not have for the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NotAllowed {
    /// The state.
    pub state: State,
    /// The transition attempted.
    pub transition: Transition,
}

impl State {
    /// All states, for exhaustive tests.
    pub const ALL: [State; 7] = [
        State::Idle,
        State::ReservedLocal,
        State::ReservedRemote,
        State::Open,
        State::HalfClosedLocal,
        State::HalfClosedRemote,
        State::Closed,
    ];

    /// The state after `transition`, exactly as the §5.1 diagram draws it. HEADERS in `open`
    /// or half-closed states (trailers, informational responses) leave the state alone; their
    /// END_STREAM is a separate `send ES`/`recv ES`.
    pub const fn next(self, transition: Transition) -> Result<State, NotAllowed> {
        use State::*;
        use Transition::*;
        let next = match (self, transition) {
            (Idle, SendHeaders | RecvHeaders) => Open,
            (Idle, SendPushPromise) => ReservedLocal,
            (Idle, RecvPushPromise) => ReservedRemote,
            (ReservedLocal, SendHeaders) => HalfClosedRemote,
            (ReservedRemote, RecvHeaders) => HalfClosedLocal,
            (ReservedLocal | ReservedRemote, SendReset | RecvReset) => Closed,
            (Open, SendHeaders | RecvHeaders) => Open,
            (Open, SendEndStream) => HalfClosedLocal,
            (Open, RecvEndStream) => HalfClosedRemote,
            (Open | HalfClosedLocal | HalfClosedRemote, SendReset | RecvReset) => Closed,
            (HalfClosedLocal, RecvHeaders) => HalfClosedLocal,
            (HalfClosedLocal, RecvEndStream) => Closed,
            (HalfClosedRemote, SendHeaders) => HalfClosedRemote,
            (HalfClosedRemote, SendEndStream) => Closed,
            // §5.1 closed: sending RST_STREAM on a closed stream is allowed (and harmless).
            (Closed, SendReset) => Closed,
            (state, transition) => return Err(NotAllowed { state, transition }),
        };
        Ok(next)
    }

    /// Whether we may send DATA or HEADERS.
    pub const fn can_send(self) -> bool {
        matches!(self, State::Open | State::HalfClosedRemote)
    }

    /// Whether the peer may send DATA or HEADERS.
    pub const fn can_recv(self) -> bool {
        matches!(self, State::Open | State::HalfClosedLocal)
    }

    /// Whether the stream counts toward SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2).
    pub const fn is_active(self) -> bool {
        matches!(
            self,
            State::Open | State::HalfClosedLocal | State::HalfClosedRemote
        )
    }
}
