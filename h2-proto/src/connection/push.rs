//! Server push (RFC 9113 §8.4): PUSH_PROMISE sent by a server, received by a client that
//! enabled push, and the reserved streams of §5.1 in between.
//!
//! A server promises a request on an open client stream with [`Connection::push_promise`]; the
//! promised stream is reserved (local) until [`Connection::send_headers`] sends the pushed
//! response, which makes it half-closed (remote) and counts it toward the client's
//! SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2). A client reports a promise as
//! [`Event::PushPromise`]; the stream is reserved (remote) until the response HEADERS arrive,
//! and the client may reset it (CANCEL) at any time. Reserved streams are bounded by
//! [`Limits::max_reserved_streams`](super::Limits::max_reserved_streams) on both sides.

use alloc::vec::Vec;

use qpack_hpack::hpack::Field;

use super::{
    BlockStart, ClosedBy, Connection, Event, PendingBlock, Role, Stream, UserError, conn_err,
};
use crate::error::{ErrorCode, H2Error, Reason};
use crate::frame::{MAX_WINDOW_SIZE, StreamId};
use crate::http_fields::check_promised_request;
use crate::stream::{State, Transition};

impl Connection {
    /// Server: promises a pushed response to `request` on the open client `stream`
    /// (PUSH_PROMISE, RFC 9113 §6.6, §8.4) and returns the promised stream, reserved (local).
    /// Send the response on it with [`send_headers`](Self::send_headers) and
    /// [`send_data`](Self::send_data), preferably after promising and before the associated
    /// response's body refers to it (§8.4.1).
    ///
    /// `request` must be a complete request with a safe, cacheable method (GET or HEAD), no
    /// content, and an `:authority` this server is authoritative for (§8.4, §8.4.1).
    /// Errors: [`UserError::PushDisabled`] when the client sent SETTINGS_ENABLE_PUSH = 0,
    /// [`UserError::InvalidState`] when `stream` is not open or half-closed (remote) from our
    /// side, [`UserError::StreamLimit`] when
    /// [`Limits::max_reserved_streams`](super::Limits::max_reserved_streams) promises are
    /// outstanding.
    pub fn push_promise<'f, I>(
        &mut self,
        stream: StreamId,
        request: I,
    ) -> Result<StreamId, UserError>
    where
        I: IntoIterator,
        I::Item: Into<Field<'f>>,
    {
        self.check_open()?;
        if self.role != Role::Server {
            return Err(UserError::WrongRole);
        }
        if !self.peer.enable_push {
            return Err(UserError::PushDisabled);
        }
        if self.goaway_received.is_some() || self.goaway_sent.is_some() {
            return Err(UserError::GoingAway);
        }
        let Some(associated) = self.streams.get(&stream.value()) else {
            return Err(UserError::UnknownStream(stream));
        };
        // §6.6: only on a client stream that is open or half-closed (remote).
        if !stream.is_client_initiated()
            || !matches!(associated.state, State::Open | State::HalfClosedRemote)
        {
            return Err(UserError::InvalidState(stream));
        }
        if self.reserved_local >= self.config.limits.max_reserved_streams {
            return Err(UserError::StreamLimit);
        }
        if self.next_local_id > MAX_WINDOW_SIZE {
            return Err(UserError::StreamIdsExhausted);
        }
        let fields: Vec<Field<'f>> = request.into_iter().map(Into::into).collect();
        let summary = check_promised_request(fields.iter().map(|f| (f.name, f.value)))
            .map_err(UserError::Malformed)?;
        self.check_list_size(&fields)?;
        let promised = StreamId::new(self.next_local_id);
        self.next_local_id += 2;
        self.reserve(promised, State::ReservedLocal, summary.is_head);
        self.encode_block(stream, &fields, BlockStart::PushPromise { promised });
        Ok(promised)
    }

    /// Promised streams still reserved: by us (server) or by the peer (client).
    pub fn reserved_streams(&self) -> usize {
        match self.role {
            Role::Server => self.reserved_local,
            Role::Client => self.reserved_remote,
        }
    }

    /// A PUSH_PROMISE frame arrived (§6.6): only a client that enabled push accepts it.
    pub(super) fn on_push_promise_frame(
        &mut self,
        stream: StreamId,
        end_headers: bool,
        promised: StreamId,
        fragment: &[u8],
    ) -> Result<(), H2Error> {
        // §8.4: a client cannot push; §6.6: push disabled by our SETTINGS_ENABLE_PUSH = 0.
        if self.role == Role::Server || !self.config.settings.enable_push {
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::PushNotAllowed));
        }
        let head = PendingBlock {
            stream,
            promised: Some(promised),
            end_stream: false,
            self_dependent: false,
            block: Vec::new(),
            continuations: 0,
        };
        self.start_block(head, fragment, end_headers)
    }

    /// A complete PUSH_PROMISE field block on `associated`, reserving `promised` (§6.6, §8.4).
    pub(super) fn on_push_promise(
        &mut self,
        associated: StreamId,
        promised: StreamId,
        block: &[u8],
    ) -> Result<(), H2Error> {
        let (headers, too_large) = self.decode_block(block)?;
        // §6.6: the promised id must be a new server stream id.
        if !promised.is_server_initiated() || !self.is_idle(promised) {
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadNewStreamId));
        }
        let associated_open = associated.is_client_initiated()
            && self
                .streams
                .get(&associated.value())
                .is_some_and(|s| matches!(s.state, State::Open | State::HalfClosedLocal));
        if !associated_open {
            // §6.6: a promise may still arrive after we reset the associated stream; it
            // reserves the stream all the same, so it is reset too.
            if associated.is_client_initiated()
                && self.closed_by(associated) == Some(ClosedBy::LocalReset)
            {
                self.last_peer_id = promised.value();
                return self.refuse_promise(promised, ErrorCode::CANCEL);
            }
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamState));
        }
        if self.ignored_after_goaway(promised) {
            // §6.8: streams the peer starts above our GOAWAY's last id are ignored.
            return Ok(());
        }
        self.last_peer_id = promised.value();
        if too_large {
            return self.refuse_promise(promised, ErrorCode::ENHANCE_YOUR_CALM);
        }
        // §8.4.1: a complete request, safe and cacheable, without content.
        let Ok(summary) =
            check_promised_request(headers.iter().map(|h| (&h.name[..], &h.value[..])))
        else {
            return self.refuse_promise(promised, ErrorCode::PROTOCOL_ERROR);
        };
        if self.reserved_remote >= self.config.limits.max_reserved_streams {
            return self.refuse_promise(promised, ErrorCode::CANCEL);
        }
        self.reserve(promised, State::ReservedRemote, summary.is_head);
        self.events.push_back(Event::PushPromise {
            stream: associated,
            promised,
            headers,
        });
        Ok(())
    }

    /// Tracks `promised` in a reserved `state` (§5.1), its request HEAD or not.
    fn reserve(&mut self, promised: StreamId, state: State, head_request: bool) {
        let mut reserved = Stream::new(
            state,
            self.peer.initial_window_size,
            self.acked.initial_window_size,
        );
        reserved.head_request = head_request;
        self.streams.insert(promised.value(), reserved);
        match state {
            State::ReservedLocal => self.reserved_local += 1,
            _ => self.reserved_remote += 1,
        }
    }

    /// Resets a promised stream the application never saw (a provoked reset: it spends the
    /// reset allowance, MadeYouReset).
    fn refuse_promise(&mut self, promised: StreamId, code: ErrorCode) -> Result<(), H2Error> {
        self.remember_closed(promised, ClosedBy::LocalReset);
        self.send_reset(promised, code, true)
    }

    /// HEADERS on stream `id`: on a stream we promised, a connection error (§5.1 reserved
    /// (local)); on a stream the peer promised, the pushed response, which opens it as
    /// half-closed (local) if our SETTINGS_MAX_CONCURRENT_STREAMS allows (§5.1.2, §8.4.2).
    /// Returns whether the HEADERS are to be processed.
    pub(super) fn accept_pushed_response(&mut self, id: StreamId) -> Result<bool, H2Error> {
        let Some(stream) = self.streams.get_mut(&id.value()) else {
            return Ok(true);
        };
        match stream.state {
            State::ReservedLocal => {
                Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadStreamState))
            }
            State::ReservedRemote => {
                let limit = self
                    .acked
                    .max_concurrent_streams
                    .min(self.config.settings.max_concurrent_streams);
                if self.active_peer >= limit {
                    // §5.1.2: HEADERS beyond our advertised limit.
                    self.stream_error(id, ErrorCode::REFUSED_STREAM, Reason::TooManyStreams)?;
                    return Ok(false);
                }
                if let Ok(next) = stream.state.next(Transition::RecvHeaders) {
                    stream.state = next;
                }
                self.reserved_remote = self.reserved_remote.saturating_sub(1);
                self.active_peer += 1;
                Ok(true)
            }
            _ => Ok(true),
        }
    }

    /// Sending the pushed response's HEADERS on promised `id`: reserved (local) becomes
    /// half-closed (remote), which counts toward the client's SETTINGS_MAX_CONCURRENT_STREAMS
    /// (§5.1.2); [`UserError::StreamLimit`] when it is reached (send later, or reset it).
    pub(super) fn open_pushed_stream(&mut self, id: StreamId) -> Result<(), UserError> {
        if self.active_local >= self.peer.max_concurrent_streams {
            return Err(UserError::StreamLimit);
        }
        let Some(stream) = self.streams.get_mut(&id.value()) else {
            return Err(UserError::UnknownStream(id));
        };
        if let Ok(next) = stream.state.next(Transition::SendHeaders) {
            stream.state = next;
        }
        self.reserved_local = self.reserved_local.saturating_sub(1);
        self.active_local += 1;
        Ok(())
    }
}
