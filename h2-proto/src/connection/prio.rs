//! Extensible priorities on an HTTP/2 connection (RFC 9218): SETTINGS_NO_RFC7540_PRIORITIES
//! (§2.1), the request's `priority` field (§5), PRIORITY_UPDATE (§7.1), and the priority each
//! stream's DATA is scheduled with ([`SendSchedule`](crate::schedule::SendSchedule)).
//!
//! A server stream starts with the priority of a PRIORITY_UPDATE received while it was idle,
//! else of the request's `priority` field, else the defaults; a later PRIORITY_UPDATE or
//! [`Connection::set_priority`] replaces it (§7: the most recent signal wins). RFC 7540
//! priority signals (PRIORITY frames, HEADERS priority) are validated and otherwise ignored
//! (RFC 9113 §5.3.2).

use alloc::vec::Vec;

use qpack_hpack::hpack::{Field, Header};

use super::{Connection, Role, UserError, conn_err};
use crate::error::{ErrorCode, H2Error, Reason};
use crate::frame::{Frame, StreamId};
use crate::priority::{FIELD_NAME, Priority};

/// The connection's RFC 9218 state beyond each stream's priority.
#[derive(Debug, Default)]
pub(super) struct PriorityState {
    /// Server: priorities PRIORITY_UPDATE gave client streams still idle (§7: applied when they
    /// open), at most [`Limits::max_idle_priorities`](super::Limits::max_idle_priorities).
    idle: Vec<(u32, Priority)>,
    /// The peer's first SETTINGS frame has been applied.
    first_settings_done: bool,
    /// SETTINGS_NO_RFC7540_PRIORITIES as the peer's first SETTINGS frame sent it (§2.1).
    first_no_rfc7540: Option<bool>,
}

impl PriorityState {
    /// Server: the priority of client stream `id`, opened by a request with `headers`.
    pub(super) fn opened(&mut self, id: u32, headers: &[Header]) -> Priority {
        let mut updated = None;
        if !self.idle.is_empty() {
            // Opening `id` closes the client's idle streams below it (RFC 9113 §5.1.1).
            self.idle.retain(|&(stream, priority)| {
                if stream == id {
                    updated = Some(priority);
                }
                stream > id
            });
        }
        updated.unwrap_or_else(|| {
            Priority::parse_lines(
                headers
                    .iter()
                    .filter(|h| h.name == FIELD_NAME.as_bytes())
                    .map(|h| h.value.as_slice()),
            )
        })
    }
}

/// The priority a request's own `priority` field asks for (defaults without one).
pub(super) fn request_priority(fields: &[Field<'_>]) -> Priority {
    Priority::parse_lines(
        fields
            .iter()
            .filter(|f| f.name == FIELD_NAME.as_bytes())
            .map(|f| f.value),
    )
}

impl Connection {
    /// A PRIORITY_UPDATE frame (RFC 9218 §7.1). The frame decoder has checked that it came on
    /// stream 0 and names a stream other than 0.
    pub(super) fn on_priority_update(&mut self, id: StreamId, value: &[u8]) -> Result<(), H2Error> {
        let violation = || conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadPriorityUpdate);
        // "Servers MUST NOT send PRIORITY_UPDATE frames."
        if self.role == Role::Client {
            return Err(violation());
        }
        let priority = Priority::parse(value);
        if self.streams.contains_key(&id.value()) {
            self.reprioritize(id, priority);
            return Ok(());
        }
        if !self.is_idle(id) {
            // Closed: nothing more will be sent on it.
            return Ok(());
        }
        if !id.is_client_initiated() {
            // A push stream in the idle state.
            return Err(violation());
        }
        // Entries for streams the client has since skipped over are no longer idle (RFC 9113
        // §5.1.1), e.g. after a malformed request: they must not count below.
        let last_peer_id = self.last_peer_id;
        self.priorities.idle.retain(|&(s, _)| s > last_peer_id);
        if let Some(entry) = self
            .priorities
            .idle
            .iter_mut()
            .find(|(s, _)| *s == id.value())
        {
            entry.1 = priority;
            return Ok(());
        }
        // Prioritized idle streams plus active ones within SETTINGS_MAX_CONCURRENT_STREAMS.
        let max = self
            .acked
            .max_concurrent_streams
            .min(self.config.settings.max_concurrent_streams);
        let count = self.priorities.idle.len() as u64 + u64::from(self.active_peer) + 1;
        if count > u64::from(max) {
            return Err(violation());
        }
        // Beyond our own bound the signal is dropped: the stream gets its header's priority.
        if self.priorities.idle.len() < self.config.limits.max_idle_priorities {
            self.priorities.idle.push((id.value(), priority));
        }
        Ok(())
    }

    /// The peer's SETTINGS_NO_RFC7540_PRIORITIES (RFC 9218 §2.1): it "MUST [be sent] in the
    /// first SETTINGS frame", and "Senders MUST NOT change [its] value after the first SETTINGS
    /// frame". Changing a value the first SETTINGS frame carried is a connection error
    /// PROTOCOL_ERROR (the §2.1 MAY); a value first sent later is ignored, too late to matter
    /// (python `h2`, for one, can only send extra settings in a second SETTINGS frame).
    pub(super) fn on_no_rfc7540_priorities(&mut self, value: u32) -> Result<(), H2Error> {
        let on = value == 1;
        let state = &mut self.priorities;
        if !state.first_settings_done {
            state.first_no_rfc7540 = Some(on);
            self.peer.no_rfc7540_priorities = on;
            return Ok(());
        }
        if state.first_no_rfc7540.is_some_and(|first| first != on) {
            return Err(conn_err(ErrorCode::PROTOCOL_ERROR, Reason::BadSettingValue));
        }
        Ok(())
    }

    /// After a SETTINGS frame from the peer: the first one fixes SETTINGS_NO_RFC7540_PRIORITIES.
    pub(super) fn settings_frame_applied(&mut self) {
        self.priorities.first_settings_done = true;
    }

    /// Changes a stream's priority, moving it in the send schedule if it is there.
    fn reprioritize(&mut self, id: StreamId, priority: Priority) {
        let Some(stream) = self.streams.get_mut(&id.value()) else {
            return;
        };
        let old = core::mem::replace(&mut stream.priority, priority);
        if old != priority && stream.scheduled {
            self.send_order.remove(id.value(), old);
            self.send_order.push(id.value(), priority);
        }
    }

    /// Priorities from PRIORITY_UPDATE remembered for streams not yet opened (bounded by
    /// [`Limits::max_idle_priorities`](super::Limits::max_idle_priorities)).
    pub fn remembered_idle_priorities(&self) -> usize {
        self.priorities.idle.len()
    }

    /// The priority our DATA on `stream` is scheduled with, while the stream is open.
    pub fn priority(&self, stream: StreamId) -> Option<Priority> {
        self.streams.get(&stream.value()).map(|s| s.priority)
    }

    /// Sets the priority our DATA on `stream` is scheduled with (RFC 9218 §10: lower urgency
    /// first; non-incremental streams of one urgency one after the other in stream id order,
    /// incremental ones sharing the bandwidth).
    ///
    /// A server uses it to apply its own knowledge (§8): it replaces what the request's
    /// `priority` field or a PRIORITY_UPDATE asked for, and a later PRIORITY_UPDATE from the
    /// client replaces it in turn (§7: the most recent signal wins). A client schedules its
    /// request bodies with it (§9); a request's own `priority` field sets the initial value.
    pub fn set_priority(&mut self, stream: StreamId, priority: Priority) -> Result<(), UserError> {
        self.check_open()?;
        if !self.streams.contains_key(&stream.value()) {
            return Err(UserError::UnknownStream(stream));
        }
        self.reprioritize(stream, priority);
        Ok(())
    }

    /// Client: asks the server to (re)prioritize the response on `stream` with a
    /// PRIORITY_UPDATE frame (RFC 9218 §7.1). `stream` is one of ours that is open, a pushed
    /// stream, or the next stream [`send_request`](Self::send_request) will open (to signal its
    /// initial priority ahead of the request, §7). The `priority` field of the request is the
    /// other way to set the initial priority (§5).
    ///
    /// Servers that did not send SETTINGS_NO_RFC7540_PRIORITIES = 1 probably ignore the frame
    /// (§2.1.1: see [`PeerSettings::no_rfc7540_priorities`](super::PeerSettings)).
    pub fn send_priority_update(
        &mut self,
        stream: StreamId,
        priority: Priority,
    ) -> Result<(), UserError> {
        self.check_open()?;
        if self.role != Role::Client {
            return Err(UserError::WrongRole);
        }
        let next = stream.value() == self.next_local_id && stream.is_client_initiated();
        if next && self.active_local >= self.peer.max_concurrent_streams {
            // §7.1: prioritized idle streams count toward the server's limit.
            return Err(UserError::StreamLimit);
        }
        if !next && !self.streams.contains_key(&stream.value()) {
            return Err(UserError::UnknownStream(stream));
        }
        self.push_frame(&Frame::PriorityUpdate {
            prioritized_id: stream,
            field_value: priority.field_value().as_bytes(),
        });
        Ok(())
    }
}
