//! What both roles share: the input buffer and the body encoder.

use alloc::vec::Vec;

use crate::body::{BodyDecoder, Raw};
use crate::config::Config;
use crate::error::{Error, UsageError};
use crate::head::{Field, Fields, RequestHead, ResponseHead, is_token, is_valid_value};
use crate::parse::HeadParser;

/// What a connection reports, in order. Borrowed from the connection's input buffer until the
/// next call on the connection.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A request head (server).
    Request(RequestHead<'a>),
    /// A 1xx response head (client), e.g. 100 Continue, 103 Early Hints or 101 Switching
    /// Protocols; any number may precede the final response.
    Informational(ResponseHead<'a>),
    /// A final response head (client).
    Response(ResponseHead<'a>),
    /// Body bytes, framing removed.
    Data(&'a [u8]),
    /// The trailer fields of a chunked body (RFC 9112 §7.1.2).
    Trailers(Fields<'a>),
    /// The message is complete.
    EndOfMessage,
    /// The connection switched protocols (101 Switching Protocols, or a 2xx answer to CONNECT):
    /// these are the bytes received after the HTTP/1.1 message, the first bytes of the new
    /// protocol. The connection is now the caller's; HTTP/1.1 reads and writes nothing more.
    Switched(&'a [u8]),
    /// The peer closed the connection at a message boundary.
    Closed,
}

/// How much body a message to send carries; the framing fields follow from it (RFC 9112 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// No body (a request without framing fields; a response with `Content-Length: 0`).
    Empty,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// A length not known in advance: chunked to an HTTP/1.1 peer, else until close.
    Streaming,
}

/// The read side: buffered input and where processing stands.
#[derive(Debug)]
pub(crate) struct Inbound {
    pub(crate) buf: Vec<u8>,
    /// Start of the unprocessed bytes.
    pub(crate) pos: usize,
    pub(crate) eof: bool,
    pub(crate) error: Option<Error>,
    pub(crate) head: HeadParser,
    pub(crate) body: Option<BodyDecoder>,
    pub(crate) config: Config,
}

/// A step of the body, as offsets into `Inbound::buf`.
pub(crate) enum BodyStep {
    Data(usize, usize),
    Trailers(usize),
    End,
    NeedMore,
}

impl Inbound {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            buf: Vec::new(),
            pos: 0,
            eof: false,
            error: None,
            head: HeadParser::default(),
            body: None,
            config,
        }
    }

    /// Buffers input up to `max_buffer`, returning how much was taken.
    pub(crate) fn accept(&mut self, bytes: &[u8]) -> usize {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let room = self
            .config
            .max_buffer
            .max(self.config.max_head_size)
            .saturating_sub(self.buf.len());
        let n = room.min(bytes.len());
        self.buf
            .extend_from_slice(bytes.get(..n).unwrap_or_default());
        n
    }

    pub(crate) fn unprocessed(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    pub(crate) fn fail(&mut self, error: Error) -> Error {
        self.error = Some(error);
        self.body = None;
        error
    }

    /// Advances the current body by one step.
    pub(crate) fn body_step(&mut self) -> Result<BodyStep, Error> {
        let Some(decoder) = self.body.as_mut() else {
            return Ok(BodyStep::End);
        };
        let input = self.buf.get(self.pos..).unwrap_or_default();
        let (consumed, raw) = match decoder.decode_raw(input, self.eof) {
            Ok(step) => step,
            Err(e) => return Err(self.fail(e)),
        };
        let start = self.pos;
        self.pos += consumed;
        Ok(match raw {
            Raw::Data(at, len) => BodyStep::Data(start + at, start + at + len),
            Raw::Trailers(at) => BodyStep::Trailers(start + at),
            Raw::End => {
                self.body = None;
                BodyStep::End
            }
            Raw::NeedMore => BodyStep::NeedMore,
        })
    }

    /// The trailer fields of a `BodyStep::Trailers(start)`.
    pub(crate) fn trailers(&self, start: usize) -> Fields<'_> {
        let input = self.buf.get(start..).unwrap_or_default();
        match &self.body {
            Some(decoder) => match decoder.event(input, 0, Raw::Trailers(0)) {
                crate::body::BodyEvent::Trailers(fields) => fields,
                _ => Fields::new(&[], &[]),
            },
            None => Fields::new(&[], &[]),
        }
    }
}

/// How the body of the message being sent is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoder {
    Length(u64),
    Chunked,
    Close,
    /// No body may follow (HEAD and 304 answers, 204, 1xx).
    Nothing,
}

/// The write side's transmit buffer and body encoder.
#[derive(Debug, Default)]
pub(crate) struct Outbound {
    pub(crate) out: Vec<u8>,
    pub(crate) sent: usize,
}

impl Outbound {
    pub(crate) fn pending(&self) -> &[u8] {
        self.out.get(self.sent..).unwrap_or_default()
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.sent = self.sent.saturating_add(n).min(self.out.len());
        if self.sent == self.out.len() {
            self.out.clear();
            self.sent = 0;
        }
    }

    pub(crate) fn poll(&mut self, buf: &mut [u8]) -> usize {
        let pending = self.pending();
        let n = pending.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), pending.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        n
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    pub(crate) fn put_decimal(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
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
        self.put(digits.get(i..).unwrap_or_default());
    }

    pub(crate) fn put_hex(&mut self, mut n: u64) {
        let mut digits = [0u8; 16];
        let mut i = digits.len();
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                *d = b"0123456789abcdef"[(n & 0xf) as usize];
            }
            n >>= 4;
            if n == 0 || i == 0 {
                break;
            }
        }
        self.put(digits.get(i..).unwrap_or_default());
    }

    pub(crate) fn put_field(&mut self, name: &str, value: &[u8]) {
        self.put(name.as_bytes());
        self.put(b": ");
        self.put(value);
        self.put(b"\r\n");
    }

    pub(crate) fn put_fields(&mut self, fields: &[Field<'_>]) {
        for field in fields {
            self.put_field(field.name, field.value);
        }
    }

    /// Body bytes under `encoder`, which tracks what is left.
    pub(crate) fn data(&mut self, encoder: &mut Encoder, data: &[u8]) -> Result<(), UsageError> {
        match encoder {
            Encoder::Length(remaining) => {
                let len = data.len() as u64;
                if len > *remaining {
                    return Err(UsageError::BodyTooLong);
                }
                *remaining -= len;
                self.put(data);
            }
            Encoder::Chunked => {
                // An empty chunk would end the body (RFC 9112 §7.1).
                if !data.is_empty() {
                    self.put_hex(data.len() as u64);
                    self.put(b"\r\n");
                    self.put(data);
                    self.put(b"\r\n");
                }
            }
            Encoder::Close => self.put(data),
            Encoder::Nothing if data.is_empty() => {}
            Encoder::Nothing => return Err(UsageError::BodyTooLong),
        }
        Ok(())
    }

    /// Ends the body: the last chunk with `trailers`, or a check that the length was met.
    pub(crate) fn finish(
        &mut self,
        encoder: Encoder,
        trailers: &[Field<'_>],
    ) -> Result<(), UsageError> {
        match encoder {
            Encoder::Length(0) | Encoder::Close | Encoder::Nothing if trailers.is_empty() => Ok(()),
            Encoder::Length(0) | Encoder::Close | Encoder::Nothing => {
                Err(UsageError::TrailersNotAllowed)
            }
            Encoder::Length(_) => Err(UsageError::BodyTooShort),
            Encoder::Chunked => {
                check_fields(trailers)?;
                self.put(b"0\r\n");
                self.put_fields(trailers);
                self.put(b"\r\n");
                Ok(())
            }
        }
    }
}

/// Local fields to send: tokens for names, no CR, LF or other CTL in values, and no framing
/// fields (those follow from [`Body`]).
pub(crate) fn check_fields(fields: &[Field<'_>]) -> Result<(), UsageError> {
    for field in fields {
        if !is_token(field.name.as_bytes()) || !is_valid_value(field.value) {
            return Err(UsageError::InvalidField);
        }
        if field.name.eq_ignore_ascii_case("content-length")
            || field.name.eq_ignore_ascii_case("transfer-encoding")
        {
            return Err(UsageError::FramingField);
        }
    }
    Ok(())
}

/// Whether any of `fields` named `name` lists `token`.
pub(crate) fn fields_have_token(fields: &[Field<'_>], name: &str, token: &str) -> bool {
    fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case(name))
        .any(|f| {
            crate::head::list_elements(f.value).any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
        })
}
