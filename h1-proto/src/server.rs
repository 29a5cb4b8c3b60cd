//! The server role: requests in, responses out, one exchange at a time (RFC 9112 §9.3.2: a
//! server answers pipelined requests in order, so it reads the next request only after the
//! response to the current one is finished).

use crate::body::BodyDecoder;
use crate::config::Config;
use crate::conn::{
    Body, BodyStep, Encoder, Event, Inbound, Outbound, check_fields, fields_have_token,
};
use crate::error::{Error, UsageError};
use crate::head::{Field, Response, Version, reason_phrase};
use crate::parse::{Framing, Kind, keep_alive, request_framing};

/// The request being answered.
#[derive(Debug, Clone, Copy)]
struct Exchange {
    version: Version,
    head: bool,
    connect: bool,
    upgrade: bool,
    keep_alive: bool,
    expect_continue: bool,
    request_done: bool,
    switching: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Head,
    Body,
    /// The request is complete; the next is read once the response is finished.
    Paused,
    SwitchPending,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// No request to answer.
    Idle,
    /// A request head arrived; 1xx or the final response may be sent.
    AwaitingResponse,
    Body(Encoder),
    /// The response is finished and the connection is closing or switched.
    Done,
}

/// An HTTP/1.x server connection (sans-IO).
///
/// - input: [`handle_input`](Self::handle_input) and [`handle_eof`](Self::handle_eof);
/// - events: [`poll_event`](Self::poll_event) until it returns `Ok(None)`;
/// - commands: [`send_informational`](Self::send_informational),
///   [`send_response`](Self::send_response), [`send_data`](Self::send_data),
///   [`send_trailers`](Self::send_trailers), [`finish`](Self::finish);
/// - output: [`poll_transmit`](Self::poll_transmit) (or [`pending_transmit`](Self::pending_transmit)
///   and [`consume_transmit`](Self::consume_transmit)); close the transport when
///   [`should_close`](Self::should_close) says so and everything is sent.
///
/// A peer error from `poll_event` is sticky; answer it with [`Error::status`] through
/// `send_response` (the connection adds `Connection: close`) and close.
#[derive(Debug)]
pub struct ServerConnection {
    inbound: Inbound,
    outbound: Outbound,
    read: Read,
    write: Write,
    exchange: Option<Exchange>,
    head_in_use: bool,
    closing: bool,
    requests: u64,
}

impl ServerConnection {
    /// A connection with these limits and leniencies.
    pub fn new(config: Config) -> Self {
        Self {
            inbound: Inbound::new(config),
            outbound: Outbound::default(),
            read: Read::Head,
            write: Write::Idle,
            exchange: None,
            head_in_use: false,
            closing: false,
            requests: 0,
        }
    }

    /// Buffers received bytes; returns how many were taken (fewer when `Config::max_buffer`
    /// is reached: poll events, then offer the rest again). After an error or a switch, input
    /// is discarded.
    pub fn handle_input(&mut self, bytes: &[u8]) -> usize {
        if self.inbound.error.is_some() || self.read == Read::Done {
            return bytes.len();
        }
        self.inbound.accept(bytes)
    }

    /// The peer closed its sending side.
    pub fn handle_eof(&mut self) {
        self.inbound.eof = true;
    }

    /// The next event, `Ok(None)` when more input (or a response) is needed.
    pub fn poll_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        if let Some(error) = self.inbound.error {
            return Err(error);
        }
        match self.read {
            Read::Head => self.read_head(),
            Read::Body => match self.inbound.body_step()? {
                BodyStep::Data(a, b) => Ok(Some(Event::Data(
                    self.inbound.buf.get(a..b).unwrap_or_default(),
                ))),
                BodyStep::Trailers(start) => {
                    Ok(Some(Event::Trailers(self.inbound.trailers(start))))
                }
                BodyStep::End => {
                    self.read = Read::Paused;
                    if let Some(exchange) = self.exchange.as_mut() {
                        exchange.request_done = true;
                    }
                    if self.write == Write::Done || self.write == Write::Idle {
                        self.next_exchange();
                    }
                    Ok(Some(Event::EndOfMessage))
                }
                BodyStep::NeedMore => Ok(None),
            },
            Read::Paused | Read::Done => Ok(None),
            Read::SwitchPending => {
                self.read = Read::Done;
                let start = self.inbound.pos;
                self.inbound.pos = self.inbound.buf.len();
                Ok(Some(Event::Switched(
                    self.inbound.buf.get(start..).unwrap_or_default(),
                )))
            }
        }
    }

    fn read_head(&mut self) -> Result<Option<Event<'_>>, Error> {
        if self.head_in_use {
            self.inbound.head.reset();
            self.head_in_use = false;
        }
        let inbound = &mut self.inbound;
        let input = inbound.buf.get(inbound.pos..).unwrap_or_default();
        if input.is_empty() && inbound.eof {
            self.read = Read::Done;
            self.closing = true;
            return Ok(Some(Event::Closed));
        }
        let len = match inbound.head.parse(input, Kind::Request, &inbound.config) {
            Err(e) => return Err(inbound.fail(e)),
            Ok(None) if inbound.eof => return Err(inbound.fail(Error::IncompleteMessage)),
            Ok(None) => return Ok(None),
            Ok(Some(len)) => len,
        };
        let head = &inbound.head;
        let version = head.version();
        let (framing, close) = match request_framing(&head.info, version, &inbound.config) {
            Ok(decision) => decision,
            Err(e) => return Err(inbound.fail(e)),
        };
        let info = head.info;
        let input = inbound.buf.get(inbound.pos..).unwrap_or_default();
        let connect = head.method_is(input, b"CONNECT");
        let is_head = head.method_is(input, b"HEAD");
        self.exchange = Some(Exchange {
            version,
            head: is_head,
            connect,
            upgrade: info.upgrade && info.connection_upgrade,
            keep_alive: !close && keep_alive(&info, version),
            expect_continue: info.expect_continue && version == Version::Http11,
            request_done: false,
            switching: false,
        });
        self.inbound.body = Some(BodyDecoder::new(framing, &self.inbound.config));
        let start = self.inbound.pos;
        self.inbound.pos += len;
        self.read = Read::Body;
        self.write = Write::AwaitingResponse;
        self.head_in_use = true;
        self.requests += 1;
        let buf = self.inbound.buf.get(start..).unwrap_or_default();
        Ok(Some(Event::Request(self.inbound.head.request(buf))))
    }

    /// After both halves of an exchange: the next request, a switch, or the end.
    fn next_exchange(&mut self) {
        let Some(exchange) = self.exchange else {
            return;
        };
        if self.write != Write::Done || !exchange.request_done {
            return;
        }
        if exchange.switching {
            self.read = Read::SwitchPending;
            self.closing = false;
        } else if exchange.keep_alive && !self.closing {
            self.read = Read::Head;
            self.write = Write::Idle;
            self.exchange = None;
        } else {
            self.read = Read::Done;
            self.closing = true;
        }
    }

    /// Whether the request being answered asked for `100-continue` (RFC 9110 §10.1.1) and no
    /// 100 or final response was sent yet.
    pub fn expects_continue(&self) -> bool {
        self.exchange.is_some_and(|e| e.expect_continue) && self.write == Write::AwaitingResponse
    }

    /// How many request heads were received.
    pub fn requests_received(&self) -> u64 {
        self.requests
    }

    /// Sends a 1xx response (not 101; that is `send_response`): 100 Continue, 103 Early
    /// Hints, any number before the final response (RFC 9110 §15.2).
    pub fn send_informational(
        &mut self,
        status: u16,
        fields: &[Field<'_>],
    ) -> Result<(), UsageError> {
        if self.write != Write::AwaitingResponse || self.inbound.error.is_some() {
            return Err(UsageError::WrongState);
        }
        if !(100..200).contains(&status) || status == 101 {
            return Err(UsageError::InvalidStatus);
        }
        check_fields(fields)?;
        let exchange = self.exchange.ok_or(UsageError::WrongState)?;
        if exchange.version == Version::Http10 {
            return Err(UsageError::InformationalToHttp10);
        }
        self.put_status_line(status, "");
        self.outbound.put_fields(fields);
        self.outbound.put(b"\r\n");
        if let (100, Some(e)) = (status, self.exchange.as_mut()) {
            e.expect_continue = false;
        }
        Ok(())
    }

    fn put_status_line(&mut self, status: u16, reason: &str) {
        self.outbound.put(b"HTTP/1.1 ");
        self.outbound.put_decimal(u64::from(status));
        self.outbound.put(b" ");
        let reason = if reason.is_empty() {
            reason_phrase(status)
        } else {
            reason
        };
        self.outbound.put(reason.as_bytes());
        self.outbound.put(b"\r\n");
    }

    /// Sends the final response head (or 101 to an Upgrade request, or 2xx to CONNECT, which
    /// switch protocols once finished). The framing fields follow from `body`; the connection
    /// adds `Connection: close` or `keep-alive` as the exchange needs. After a peer error this
    /// sends the error response (any request context is gone; it always closes).
    pub fn send_response(&mut self, response: &Response<'_>, body: Body) -> Result<(), UsageError> {
        let errored = self.inbound.error.is_some();
        let allowed =
            self.write == Write::AwaitingResponse || (errored && self.write == Write::Idle);
        if !allowed {
            return Err(UsageError::WrongState);
        }
        let status = response.status;
        if !(100..1000).contains(&status) || (status < 200 && status != 101) {
            return Err(UsageError::InvalidStatus);
        }
        if response
            .reason
            .bytes()
            .any(|b| b < 0x20 && b != b'\t' || b == 0x7f)
        {
            return Err(UsageError::InvalidField);
        }
        check_fields(response.fields)?;
        let exchange = match self.exchange {
            Some(e) if !errored => e,
            _ => Exchange {
                version: Version::Http11,
                head: false,
                connect: false,
                upgrade: false,
                keep_alive: false,
                expect_continue: false,
                request_done: true,
                switching: false,
            },
        };
        let switching = (status == 101 && exchange.upgrade)
            || (exchange.connect && (200..300).contains(&status));
        if status == 101 && !switching {
            return Err(UsageError::InvalidStatus);
        }
        let no_body = status == 204 || status == 304 || exchange.head || switching || status < 200;
        let mut framing_length = None;
        let encoder = match body {
            _ if switching || status == 204 => Encoder::Nothing,
            Body::Length(n) if no_body => {
                framing_length = Some(n);
                Encoder::Nothing
            }
            _ if no_body => Encoder::Nothing,
            Body::Empty => {
                framing_length = Some(0);
                Encoder::Length(0)
            }
            Body::Length(n) => {
                framing_length = Some(n);
                Encoder::Length(n)
            }
            Body::Streaming if exchange.version == Version::Http11 => Encoder::Chunked,
            Body::Streaming => Encoder::Close,
        };
        let user_close = fields_have_token(response.fields, "connection", "close");
        let persistent =
            exchange.keep_alive && !user_close && encoder != Encoder::Close && !errored;
        self.put_status_line(status, response.reason);
        self.outbound.put_fields(response.fields);
        if let Some(n) = framing_length {
            self.outbound.put(b"Content-Length: ");
            self.outbound.put_decimal(n);
            self.outbound.put(b"\r\n");
        }
        if encoder == Encoder::Chunked {
            self.outbound.put(b"Transfer-Encoding: chunked\r\n");
        }
        if !switching && !persistent && !user_close {
            self.outbound.put(b"Connection: close\r\n");
        } else if persistent && exchange.version == Version::Http10 {
            self.outbound.put(b"Connection: keep-alive\r\n");
        }
        self.outbound.put(b"\r\n");
        let mut exchange = exchange;
        exchange.keep_alive = persistent;
        exchange.switching = switching;
        exchange.expect_continue = false;
        self.exchange = Some(exchange);
        self.write = Write::Body(encoder);
        Ok(())
    }

    /// Sends body bytes of the response.
    pub fn send_data(&mut self, data: &[u8]) -> Result<(), UsageError> {
        let Write::Body(mut encoder) = self.write else {
            return Err(UsageError::WrongState);
        };
        self.outbound.data(&mut encoder, data)?;
        self.write = Write::Body(encoder);
        Ok(())
    }

    /// Ends a chunked response with trailer fields (RFC 9112 §7.1.2).
    pub fn send_trailers(&mut self, trailers: &[Field<'_>]) -> Result<(), UsageError> {
        self.end(trailers)
    }

    /// Ends the response.
    pub fn finish(&mut self) -> Result<(), UsageError> {
        self.end(&[])
    }

    fn end(&mut self, trailers: &[Field<'_>]) -> Result<(), UsageError> {
        let Write::Body(encoder) = self.write else {
            return Err(UsageError::WrongState);
        };
        self.outbound.finish(encoder, trailers)?;
        self.write = Write::Done;
        let exchange = self.exchange.unwrap_or(Exchange {
            version: Version::Http11,
            head: false,
            connect: false,
            upgrade: false,
            keep_alive: false,
            expect_continue: false,
            request_done: true,
            switching: false,
        });
        if self.inbound.error.is_some() || !exchange.keep_alive && !exchange.switching {
            self.closing = true;
        }
        if !exchange.request_done {
            // The request body is still arriving and nobody will read it: the connection
            // cannot find the next request, so it closes (RFC 9112 §9.6).
            self.closing = true;
            self.read = Read::Done;
            self.inbound.body = None;
            return Ok(());
        }
        self.next_exchange();
        Ok(())
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

    /// Whether the transport should be closed once the pending bytes are sent.
    pub fn should_close(&self) -> bool {
        self.closing
    }

    /// Whether a request is complete and its response is not yet finished (the next request
    /// is not read until it is).
    pub fn is_paused(&self) -> bool {
        self.read == Read::Paused
    }

    /// Whether the response may still have a body, i.e. the framing when the head was sent.
    pub fn response_framing(&self) -> Option<Framing> {
        match self.write {
            Write::Body(Encoder::Length(n)) => Some(Framing::Length(n)),
            Write::Body(Encoder::Chunked) => Some(Framing::Chunked),
            Write::Body(Encoder::Close) => Some(Framing::CloseDelimited),
            Write::Body(Encoder::Nothing) => Some(Framing::Length(0)),
            _ => None,
        }
    }
}

impl Default for ServerConnection {
    fn default() -> Self {
        Self::new(Config::default())
    }
}
