//! The client role: requests out, responses in, matched in order (RFC 9112 §9.3.2), so a
//! pipelined HEAD request's response is known to have no body.

use alloc::collections::VecDeque;

use crate::body::BodyDecoder;
use crate::config::Config;
use crate::conn::{
    Body, BodyStep, Encoder, Event, Inbound, Outbound, check_fields, fields_have_token,
};
use crate::error::{Error, UsageError};
use crate::head::{Field, Request, Version, is_token};
use crate::parse::{Framing, Kind, keep_alive, response_framing};

/// A request sent and not yet answered.
#[derive(Debug, Clone, Copy)]
struct Pending {
    head: bool,
    connect: bool,
    upgrade: bool,
    keep_alive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Head,
    Body { close_after: bool },
    SwitchPending,
    Done,
}

/// An HTTP/1.x client connection (sans-IO), with pipelining.
///
/// - commands: [`send_request`](Self::send_request), [`send_data`](Self::send_data),
///   [`send_trailers`](Self::send_trailers), [`finish`](Self::finish);
/// - output: [`poll_transmit`](Self::poll_transmit) (or `pending_transmit` + `consume_transmit`);
/// - input: [`handle_input`](Self::handle_input), [`handle_eof`](Self::handle_eof);
/// - events: [`poll_event`](Self::poll_event) until `Ok(None)`: for each request, any number
///   of [`Event::Informational`], then [`Event::Response`], body events and
///   [`Event::EndOfMessage`].
#[derive(Debug)]
pub struct ClientConnection {
    inbound: Inbound,
    outbound: Outbound,
    pending: VecDeque<Pending>,
    read: Read,
    /// The body encoder of the request being sent.
    sending: Option<Encoder>,
    /// No further request may be sent (close, upgrade or CONNECT requested).
    last_request_sent: bool,
    head_in_use: bool,
    closing: bool,
}

impl ClientConnection {
    /// A connection with these limits and leniencies.
    pub fn new(config: Config) -> Self {
        Self {
            inbound: Inbound::new(config),
            outbound: Outbound::default(),
            pending: VecDeque::new(),
            read: Read::Head,
            sending: None,
            last_request_sent: false,
            head_in_use: false,
            closing: false,
        }
    }

    /// Sends a request head. The framing fields follow from `body`; `Host` is required once in
    /// an HTTP/1.1 request (RFC 9112 §3.2). Requests may be pipelined: the next may be sent
    /// as soon as this one is finished.
    pub fn send_request(&mut self, request: &Request<'_>, body: Body) -> Result<(), UsageError> {
        if self.sending.is_some() || self.last_request_sent || self.read == Read::Done {
            return Err(UsageError::WrongState);
        }
        if !is_token(request.method.as_bytes())
            || request.target.is_empty()
            || !request.target.bytes().all(|b| (0x21..0x7f).contains(&b))
        {
            return Err(UsageError::InvalidRequestLine);
        }
        check_fields(request.fields)?;
        let hosts = request
            .fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("host"))
            .count();
        if hosts > 1 || (request.version == Version::Http11 && hosts != 1) {
            return Err(UsageError::MissingHost);
        }
        let (encoder, length) = match body {
            Body::Empty => (Encoder::Length(0), None),
            Body::Length(n) => (Encoder::Length(n), Some(n)),
            Body::Streaming if request.version == Version::Http11 => (Encoder::Chunked, None),
            Body::Streaming => return Err(UsageError::WrongState),
        };
        let close = fields_have_token(request.fields, "connection", "close");
        let keep_alive = match request.version {
            Version::Http11 => !close,
            Version::Http10 => {
                !close && fields_have_token(request.fields, "connection", "keep-alive")
            }
        };
        let connect = request.method == "CONNECT";
        let upgrade = fields_have_token(request.fields, "connection", "upgrade")
            && request
                .fields
                .iter()
                .any(|f| f.name.eq_ignore_ascii_case("upgrade"));
        let out = &mut self.outbound;
        out.put(request.method.as_bytes());
        out.put(b" ");
        out.put(request.target.as_bytes());
        out.put(b" ");
        out.put(request.version.as_str().as_bytes());
        out.put(b"\r\n");
        out.put_fields(request.fields);
        if let Some(n) = length {
            out.put(b"Content-Length: ");
            out.put_decimal(n);
            out.put(b"\r\n");
        }
        if encoder == Encoder::Chunked {
            out.put(b"Transfer-Encoding: chunked\r\n");
        }
        out.put(b"\r\n");
        self.pending.push_back(Pending {
            head: request.method == "HEAD",
            connect,
            upgrade,
            keep_alive,
        });
        self.last_request_sent = !keep_alive || connect || upgrade;
        self.sending = Some(encoder);
        Ok(())
    }

    /// Sends body bytes of the current request.
    pub fn send_data(&mut self, data: &[u8]) -> Result<(), UsageError> {
        let encoder = self.sending.as_mut().ok_or(UsageError::WrongState)?;
        self.outbound.data(encoder, data)
    }

    /// Ends a chunked request with trailer fields.
    pub fn send_trailers(&mut self, trailers: &[Field<'_>]) -> Result<(), UsageError> {
        let encoder = self.sending.ok_or(UsageError::WrongState)?;
        self.outbound.finish(encoder, trailers)?;
        self.sending = None;
        Ok(())
    }

    /// Ends the current request.
    pub fn finish(&mut self) -> Result<(), UsageError> {
        self.send_trailers(&[])
    }

    /// Requests sent whose final response has not arrived yet.
    pub fn requests_in_flight(&self) -> usize {
        self.pending.len()
    }

    /// Buffers received bytes; returns how many were taken (see
    /// [`crate::ServerConnection::handle_input`]).
    pub fn handle_input(&mut self, bytes: &[u8]) -> usize {
        if self.inbound.error.is_some() || self.read == Read::Done {
            return bytes.len();
        }
        self.inbound.accept(bytes)
    }

    /// The peer closed its sending side (this ends a close-delimited response).
    pub fn handle_eof(&mut self) {
        self.inbound.eof = true;
    }

    /// The next event, `Ok(None)` when more input is needed.
    pub fn poll_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        if let Some(error) = self.inbound.error {
            return Err(error);
        }
        match self.read {
            Read::Head => self.read_head(),
            Read::Body { close_after } => match self.inbound.body_step()? {
                BodyStep::Data(a, b) => Ok(Some(Event::Data(
                    self.inbound.buf.get(a..b).unwrap_or_default(),
                ))),
                BodyStep::Trailers(start) => {
                    Ok(Some(Event::Trailers(self.inbound.trailers(start))))
                }
                BodyStep::End => {
                    if close_after {
                        self.read = Read::Done;
                        self.closing = true;
                    } else {
                        self.read = Read::Head;
                    }
                    Ok(Some(Event::EndOfMessage))
                }
                BodyStep::NeedMore => Ok(None),
            },
            Read::SwitchPending => {
                self.read = Read::Done;
                let start = self.inbound.pos;
                self.inbound.pos = self.inbound.buf.len();
                Ok(Some(Event::Switched(
                    self.inbound.buf.get(start..).unwrap_or_default(),
                )))
            }
            Read::Done => Ok(None),
        }
    }

    fn read_head(&mut self) -> Result<Option<Event<'_>>, Error> {
        if self.head_in_use {
            self.inbound.head.reset();
            self.head_in_use = false;
        }
        let Some(&request) = self.pending.front() else {
            if !self.inbound.unprocessed().is_empty() {
                return Err(self.inbound.fail(Error::UnexpectedData));
            }
            if self.inbound.eof {
                self.read = Read::Done;
                self.closing = true;
                return Ok(Some(Event::Closed));
            }
            return Ok(None);
        };
        let inbound = &mut self.inbound;
        let input = inbound.buf.get(inbound.pos..).unwrap_or_default();
        if input.is_empty() && inbound.eof {
            // The server closed before answering: no response is coming.
            self.read = Read::Done;
            self.closing = true;
            return Ok(Some(Event::Closed));
        }
        let len = match inbound.head.parse(input, Kind::Response, &inbound.config) {
            Err(e) => return Err(inbound.fail(e)),
            Ok(None) if inbound.eof => return Err(inbound.fail(Error::IncompleteMessage)),
            Ok(None) => return Ok(None),
            Ok(Some(len)) => len,
        };
        let start = inbound.pos;
        inbound.pos += len;
        self.head_in_use = true;
        if let Some(head_bytes) = inbound.buf.get_mut(start..start + len) {
            inbound.head.unfold(head_bytes);
        }
        let status = inbound.head.status();
        let version = inbound.head.version();
        let informational = status < 200;
        if informational {
            if status == 101 {
                if !request.upgrade {
                    return Err(inbound.fail(Error::UnexpectedSwitch));
                }
                self.pending.pop_front();
                self.read = Read::SwitchPending;
            }
        } else {
            let decision = response_framing(
                &inbound.head.info,
                version,
                status,
                request.head,
                request.connect,
                &inbound.config,
            );
            let (framing, close) = match decision {
                Ok(decision) => decision,
                Err(e) => return Err(inbound.fail(e)),
            };
            self.pending.pop_front();
            if framing == Framing::Switch {
                self.read = Read::SwitchPending;
            } else {
                let persistent =
                    !close && request.keep_alive && keep_alive(&inbound.head.info, version);
                inbound.body = Some(BodyDecoder::new(framing, &inbound.config));
                self.read = Read::Body {
                    close_after: !persistent,
                };
                if !persistent {
                    self.last_request_sent = true;
                }
            }
        }
        let buf = self.inbound.buf.get(start..).unwrap_or_default();
        let head = self.inbound.head.response(buf);
        Ok(Some(if informational {
            Event::Informational(head)
        } else {
            Event::Response(head)
        }))
    }

    /// Bytes to send, moved into `buf`; returns how many.
    pub fn poll_transmit(&mut self, buf: &mut [u8]) -> usize {
        self.outbound.poll(buf)
    }

    /// Bytes to send, without copying; report what was sent with `consume_transmit`.
    pub fn pending_transmit(&self) -> &[u8] {
        self.outbound.pending()
    }

    /// Marks `n` bytes of `pending_transmit` as sent.
    pub fn consume_transmit(&mut self, n: usize) {
        self.outbound.consume(n);
    }

    /// Whether the transport should be closed (the response was close-delimited or not
    /// persistent, or the server closed).
    pub fn should_close(&self) -> bool {
        self.closing
    }
}

impl Default for ClientConnection {
    fn default() -> Self {
        Self::new(Config::default())
    }
}
