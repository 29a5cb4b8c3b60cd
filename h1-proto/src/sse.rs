//! Server-sent events: the WHATWG `text/event-stream` format (HTML §9.2.5–§9.2.6), parsed
//! incrementally and serialized. Transport-agnostic: feed it the body bytes of an HTTP/1.1
//! response, or HTTP/2 / HTTP/3 DATA, split anywhere (inside a UTF-8 sequence too).

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// A dispatched event (HTML §9.2.6 "dispatch the event").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The event type; `message` when the stream named none.
    pub event: String,
    /// The data lines joined by LF.
    pub data: String,
    /// The last event ID at dispatch (it persists across events until changed).
    pub last_event_id: String,
}

/// The stream exceeded a configured limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// A line longer than `max_line`.
    #[error("event stream line longer than the configured limit")]
    LineTooLong,
    /// An event's data longer than `max_data`.
    #[error("event data larger than the configured limit")]
    DataTooLarge,
    /// Too many dispatched events not yet polled.
    #[error("too many events not yet polled")]
    TooManyEvents,
}

/// An incremental `text/event-stream` parser.
#[derive(Debug, Clone)]
pub struct SseParser {
    /// Bytes of the line being received (always less than a complete line).
    line: Vec<u8>,
    data: String,
    event_type: String,
    last_event_id: String,
    reconnection_time: Option<u64>,
    /// Bytes still deciding whether the stream starts with a BOM.
    bom_pending: bool,
    /// The previous line ended with CR: an LF right after belongs to it.
    after_cr: bool,
    events: VecDeque<SseEvent>,
    max_line: usize,
    max_data: usize,
    max_queued: usize,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new()
    }
}

const BOM: &[u8] = b"\xef\xbb\xbf";

impl SseParser {
    /// A parser with limits of 64 KiB per line, 1 MiB of data per event and 1024 queued
    /// events.
    pub fn new() -> Self {
        Self::with_limits(64 * 1024, 1024 * 1024, 1024)
    }

    /// A parser with these limits.
    pub fn with_limits(max_line: usize, max_data: usize, max_queued: usize) -> Self {
        Self {
            line: Vec::new(),
            data: String::new(),
            event_type: String::new(),
            last_event_id: String::new(),
            reconnection_time: None,
            bom_pending: true,
            after_cr: false,
            events: VecDeque::new(),
            max_line,
            max_data,
            max_queued,
        }
    }

    /// Feeds stream bytes; complete events become available from `poll_event`.
    pub fn handle_input(&mut self, mut input: &[u8]) -> Result<(), SseError> {
        if self.bom_pending {
            // The BOM may arrive split; hold up to its length before deciding.
            let have = self.line.len();
            let take = (BOM.len() - have).min(input.len());
            self.line
                .extend_from_slice(input.get(..take).unwrap_or_default());
            input = input.get(take..).unwrap_or_default();
            if !BOM.starts_with(&self.line) {
                self.bom_pending = false;
                let held = core::mem::take(&mut self.line);
                self.feed(&held)?;
            } else if self.line.len() == BOM.len() {
                self.bom_pending = false;
                self.line.clear();
            } else {
                return Ok(());
            }
        }
        self.feed(input)
    }

    fn feed(&mut self, mut input: &[u8]) -> Result<(), SseError> {
        while !input.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if let [b'\n', rest @ ..] = input {
                    input = rest;
                    continue;
                }
            }
            match input.iter().position(|&b| b == b'\r' || b == b'\n') {
                None => {
                    if self.line.len() + input.len() > self.max_line {
                        return Err(SseError::LineTooLong);
                    }
                    self.line.extend_from_slice(input);
                    return Ok(());
                }
                Some(end) => {
                    if self.line.len() + end > self.max_line {
                        return Err(SseError::LineTooLong);
                    }
                    self.after_cr = input.get(end) == Some(&b'\r');
                    let (content, rest) = input.split_at(end);
                    input = rest.get(1..).unwrap_or_default();
                    if self.line.is_empty() {
                        self.process_line(content)?;
                    } else {
                        let mut line = core::mem::take(&mut self.line);
                        line.extend_from_slice(content);
                        let result = self.process_line(&line);
                        line.clear();
                        self.line = line;
                        result?;
                    }
                }
            }
        }
        Ok(())
    }

    /// HTML §9.2.6: one complete line.
    fn process_line(&mut self, line: &[u8]) -> Result<(), SseError> {
        if line.is_empty() {
            return self.dispatch();
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(0) => return Ok(()),
            Some(colon) => {
                let value = line.get(colon + 1..).unwrap_or_default();
                let value = value.strip_prefix(b" ").unwrap_or(value);
                (line.get(..colon).unwrap_or_default(), value)
            }
            None => (line, &b""[..]),
        };
        let value = String::from_utf8_lossy(value);
        match name {
            b"event" => self.event_type = value.into_owned(),
            b"data" => {
                if self.data.len() + value.len() + 1 > self.max_data {
                    return Err(SseError::DataTooLarge);
                }
                self.data.push_str(&value);
                self.data.push('\n');
            }
            b"id" if !value.contains('\0') => self.last_event_id = value.into_owned(),
            b"retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Saturate absurd values rather than fail.
                self.reconnection_time = Some(value.parse().unwrap_or(u64::MAX));
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self) -> Result<(), SseError> {
        if self.data.is_empty() {
            self.event_type.clear();
            return Ok(());
        }
        if self.events.len() >= self.max_queued {
            return Err(SseError::TooManyEvents);
        }
        let mut data = core::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        let event = match core::mem::take(&mut self.event_type) {
            t if t.is_empty() => String::from("message"),
            t => t,
        };
        self.events.push_back(SseEvent {
            event,
            data,
            last_event_id: self.last_event_id.clone(),
        });
        Ok(())
    }

    /// The next dispatched event.
    pub fn poll_event(&mut self) -> Option<SseEvent> {
        self.events.pop_front()
    }

    /// The last event ID buffer (what a reconnect sends as `Last-Event-ID`).
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection time in milliseconds, once a `retry` field set it.
    pub fn reconnection_time(&self) -> Option<u64> {
        self.reconnection_time
    }

    /// The stream ended: an event not closed by a blank line is discarded (HTML §9.2.6).
    pub fn handle_eof(&mut self) {
        self.data.clear();
        self.event_type.clear();
        self.line.clear();
    }
}

/// A value that cannot be serialized: a line break in an event type or id, NUL in an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event type or id with a line break (or NUL in an id)")]
pub struct SseSerializeError;

/// Appends one event in `text/event-stream` form: `event:`, `id:` and `retry:` lines when
/// given, one `data:` line per line of `data` (CRLF, CR and LF all split), and the blank line
/// that dispatches it.
pub fn serialize_event(
    out: &mut Vec<u8>,
    event: Option<&str>,
    data: &str,
    id: Option<&str>,
    retry: Option<u64>,
) -> Result<(), SseSerializeError> {
    let breaks = |s: &str| s.contains(['\r', '\n']);
    if event.is_some_and(breaks) || id.is_some_and(|i| breaks(i) || i.contains('\0')) {
        return Err(SseSerializeError);
    }
    if let Some(event) = event {
        field(out, "event", event);
    }
    if let Some(id) = id {
        field(out, "id", id);
    }
    if let Some(retry) = retry {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = retry;
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || i == 0 {
                break;
            }
        }
        out.extend_from_slice(b"retry: ");
        out.extend_from_slice(digits.get(i..).unwrap_or_default());
        out.push(b'\n');
    }
    let mut rest = data;
    loop {
        match rest.find(['\r', '\n']) {
            None => {
                field(out, "data", rest);
                break;
            }
            Some(end) => {
                field(out, "data", rest.get(..end).unwrap_or_default());
                let skip = if rest.get(end..end + 2) == Some("\r\n") {
                    2
                } else {
                    1
                };
                rest = rest.get(end + skip..).unwrap_or_default();
            }
        }
    }
    out.push(b'\n');
    Ok(())
}

/// Appends a comment line (ignored by parsers; keeps idle connections alive). Line breaks in
/// `text` start new comment lines.
pub fn serialize_comment(out: &mut Vec<u8>, text: &str) {
    for line in text.split(['\r', '\n']) {
        out.push(b':');
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
}

fn field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}
