//! Body decoding (RFC 9112 §6, §7.1): by length, chunked, or until close.

use crate::config::Config;
use crate::error::Error;
use crate::head::{Fields, is_tchar};
use crate::parse::{Framing, HeadParser, Kind};

/// What [`BodyDecoder::decode`] found at the front of its input.
#[derive(Debug, Clone, Copy)]
pub enum BodyEvent<'a> {
    /// Body bytes (already stripped of chunk framing).
    Data(&'a [u8]),
    /// The trailer section of a chunked body (RFC 9112 §7.1.2), when it has fields.
    Trailers(Fields<'a>),
    /// The body is complete.
    End,
    /// More input is needed.
    NeedMore,
}

/// Where the chunked decoder is (RFC 9112 §7.1 grammar).
/// [`BodyEvent`] as offsets into the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Raw {
    /// `(start, len)` in the input.
    Data(usize, usize),
    Trailers(usize),
    End,
    NeedMore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Hex digits of the size.
    Size {
        digits: usize,
    },
    /// Whitespace after the size or an extension value, before `;`.
    PreSemi,
    /// After `;`, before the extension name.
    PreName,
    Name,
    /// Whitespace after the extension name.
    PostName,
    /// After `=`.
    PreValue,
    Value,
    Quoted,
    QuotedEscape,
    PostQuoted,
    /// CR of the chunk line seen.
    SizeLf,
    Data,
    DataCr,
    DataLf,
    Trailers,
    TrailersDone,
}

#[derive(Debug, Clone)]
enum State {
    Length,
    Close,
    Chunked(Chunk),
    Done,
}

/// Decodes one message body. The caller drops the consumed bytes from the front of its buffer
/// and presents the rest (plus new input) on the next call.
#[derive(Debug, Clone)]
pub struct BodyDecoder {
    state: State,
    /// Bytes left: of the body (by length) or of the current chunk.
    remaining: u64,
    line_len: usize,
    extensions: usize,
    max_chunk_line: usize,
    max_extensions: usize,
    trailers: HeadParser,
    config: Config,
}

impl BodyDecoder {
    /// A decoder for a body framed as `framing` (`Switch` decodes as an empty body).
    pub fn new(framing: Framing, config: &Config) -> Self {
        let (state, remaining) = match framing {
            Framing::Length(0) | Framing::Switch => (State::Done, 0),
            Framing::Length(n) => (State::Length, n),
            Framing::Chunked => (State::Chunked(Chunk::Size { digits: 0 }), 0),
            Framing::CloseDelimited => (State::Close, 0),
        };
        Self {
            state,
            remaining,
            line_len: 0,
            extensions: 0,
            max_chunk_line: config.max_chunk_line,
            max_extensions: config.max_chunk_extensions,
            trailers: HeadParser::default(),
            config: config.clone(),
        }
    }

    /// Whether the body is complete.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Whether the body runs until the connection closes.
    pub fn is_close_delimited(&self) -> bool {
        matches!(self.state, State::Close)
    }

    /// Decodes from the front of `input`; `eof` says the peer closed its side. Returns how many
    /// bytes of `input` were consumed and what they held.
    #[inline]
    pub fn decode<'a>(
        &'a mut self,
        input: &'a [u8],
        eof: bool,
    ) -> Result<(usize, BodyEvent<'a>), Error> {
        let (consumed, raw) = self.decode_raw(input, eof)?;
        Ok((consumed, self.event(input, consumed, raw)))
    }

    /// Builds the event of a `decode_raw` result over the same input.
    #[inline]
    pub(crate) fn event<'a>(&'a self, input: &'a [u8], consumed: usize, raw: Raw) -> BodyEvent<'a> {
        match raw {
            Raw::Data(start, len) => {
                let _ = consumed;
                BodyEvent::Data(input.get(start..start + len).unwrap_or_default())
            }
            Raw::Trailers(start) => BodyEvent::Trailers(
                self.trailers
                    .trailers(input.get(start..).unwrap_or_default()),
            ),
            Raw::End => BodyEvent::End,
            Raw::NeedMore => BodyEvent::NeedMore,
        }
    }

    /// `decode` as offsets: data is the `len` bytes before `consumed`; trailers start at the
    /// given offset.
    #[inline]
    pub(crate) fn decode_raw(&mut self, input: &[u8], eof: bool) -> Result<(usize, Raw), Error> {
        match self.state {
            State::Done => Ok((0, Raw::End)),
            State::Length => {
                if self.remaining == 0 {
                    self.state = State::Done;
                    return Ok((0, Raw::End));
                }
                let n = clamp(self.remaining, input.len());
                if n == 0 {
                    return if eof {
                        Err(Error::IncompleteMessage)
                    } else {
                        Ok((0, Raw::NeedMore))
                    };
                }
                self.remaining -= n as u64;
                Ok((n, Raw::Data(0, n)))
            }
            State::Close => {
                if input.is_empty() {
                    if eof {
                        self.state = State::Done;
                        return Ok((0, Raw::End));
                    }
                    return Ok((0, Raw::NeedMore));
                }
                Ok((input.len(), Raw::Data(0, input.len())))
            }
            State::Chunked(_) => self.chunked(input, eof),
        }
    }

    #[inline]
    fn chunked(&mut self, input: &[u8], eof: bool) -> Result<(usize, Raw), Error> {
        let mut i = 0;
        loop {
            let State::Chunked(chunk) = self.state else {
                return Ok((i, Raw::End));
            };
            match chunk {
                Chunk::Data => {
                    let rest = input.get(i..).unwrap_or_default();
                    let n = clamp(self.remaining, rest.len());
                    if n == 0 {
                        break;
                    }
                    self.remaining -= n as u64;
                    let mut consumed = i + n;
                    if self.remaining == 0 {
                        self.state = State::Chunked(Chunk::DataCr);
                        // Take the CRLF and the next chunk line now when they are here, so
                        // that the next call starts in the data.
                        if let Some(next) = self.next_chunk_line(input, consumed) {
                            consumed = next;
                        }
                    }
                    return Ok((consumed, Raw::Data(i, n)));
                }
                Chunk::Trailers => {
                    let rest = input.get(i..).unwrap_or_default();
                    match self.trailers.parse(rest, Kind::Trailers, &self.config)? {
                        None => break,
                        Some(len) => {
                            self.state = State::Chunked(Chunk::TrailersDone);
                            if self.trailers.spans.is_empty() {
                                self.state = State::Done;
                                return Ok((i + len, Raw::End));
                            }
                            return Ok((i + len, Raw::Trailers(i)));
                        }
                    }
                }
                Chunk::TrailersDone => {
                    self.state = State::Done;
                    return Ok((i, Raw::End));
                }
                Chunk::Size { digits: 0 } if self.line_len == 0 => {
                    // Fast path for the common `HEX CRLF` line; anything else goes byte by byte.
                    if let Some(next) = self.size_line(input, i) {
                        i = next;
                        continue;
                    }
                    let Some(&b) = input.get(i) else { break };
                    i += 1;
                    self.state = State::Chunked(self.chunk_byte(chunk, b)?);
                }
                Chunk::DataCr if input.get(i..i + 2) == Some(b"\r\n") => {
                    i += 2;
                    self.line_len = 0;
                    self.state = State::Chunked(Chunk::Size { digits: 0 });
                }
                _ => {
                    let Some(&b) = input.get(i) else { break };
                    i += 1;
                    self.state = State::Chunked(self.chunk_byte(chunk, b)?);
                }
            }
        }
        if eof {
            return Err(Error::IncompleteMessage);
        }
        Ok((i, Raw::NeedMore))
    }

    /// A plain `HEX CRLF` chunk line at `at` (at most 16 digits, so no overflow): sets the
    /// size and the state, returning where the line ends. Anything else is left to the
    /// byte-by-byte path.
    #[inline]
    fn size_line(&mut self, input: &[u8], at: usize) -> Option<usize> {
        let rest = input.get(at..)?;
        // One pass: value and digit count together, from a table.
        let mut size = 0u64;
        let mut digits = 0;
        for &b in rest.iter().take(16) {
            let d = HEX[usize::from(b)];
            if d > 15 {
                break;
            }
            size = size << 4 | u64::from(d);
            digits += 1;
        }
        if digits == 0 || rest.get(digits..digits + 2) != Some(b"\r\n") {
            return None;
        }
        self.remaining = size;
        self.line_len = 0;
        self.state = State::Chunked(if size == 0 {
            self.trailers.reset();
            Chunk::Trailers
        } else {
            Chunk::Data
        });
        Some(at + digits + 2)
    }

    /// The CRLF after chunk data at `at` and the next plain chunk line, when both are in.
    #[inline]
    fn next_chunk_line(&mut self, input: &[u8], at: usize) -> Option<usize> {
        if input.get(at..at + 2) != Some(b"\r\n") {
            return None;
        }
        self.size_line(input, at + 2)
    }

    /// One byte of a chunk line or of the CRLF after chunk data.
    fn chunk_byte(&mut self, chunk: Chunk, b: u8) -> Result<Chunk, Error> {
        if matches!(chunk, Chunk::DataCr) {
            return match b {
                b'\r' => Ok(Chunk::DataLf),
                b'\n' => Err(Error::BareLf),
                _ => Err(Error::InvalidChunkEnd),
            };
        }
        if matches!(chunk, Chunk::DataLf) {
            return match b {
                b'\n' => {
                    self.line_len = 0;
                    Ok(Chunk::Size { digits: 0 })
                }
                _ => Err(Error::BareCr),
            };
        }
        self.line_len += 1;
        if self.line_len > self.max_chunk_line {
            return Err(Error::ChunkExtensionTooLarge);
        }
        if !matches!(chunk, Chunk::Size { .. } | Chunk::SizeLf) {
            self.extensions += 1;
            if self.extensions > self.max_extensions {
                return Err(Error::ChunkExtensionTooLarge);
            }
        }
        let ows = b == b' ' || b == b'\t';
        let next = match chunk {
            Chunk::Size { digits } => {
                if let Some(d) = hex_value(b) {
                    self.remaining = self
                        .remaining
                        .checked_mul(16)
                        .and_then(|r| r.checked_add(u64::from(d)))
                        .ok_or(Error::InvalidChunkSize)?;
                    return Ok(Chunk::Size { digits: digits + 1 });
                }
                if digits == 0 {
                    return Err(Error::InvalidChunkSize);
                }
                match b {
                    b'\r' => Chunk::SizeLf,
                    b';' => Chunk::PreName,
                    b' ' | b'\t' => Chunk::PreSemi,
                    b'\n' => return Err(Error::BareLf),
                    _ => return Err(Error::InvalidChunkSize),
                }
            }
            Chunk::SizeLf => {
                if b != b'\n' {
                    return Err(Error::BareCr);
                }
                if self.remaining == 0 {
                    self.trailers.reset();
                    Chunk::Trailers
                } else {
                    Chunk::Data
                }
            }
            Chunk::PreSemi if ows => Chunk::PreSemi,
            Chunk::PreSemi if b == b';' => Chunk::PreName,
            Chunk::PreName if ows => Chunk::PreName,
            Chunk::PreName if is_tchar(b) => Chunk::Name,
            Chunk::Name if is_tchar(b) => Chunk::Name,
            Chunk::Name | Chunk::PostName if ows => Chunk::PostName,
            Chunk::Name | Chunk::PostName if b == b'=' => Chunk::PreValue,
            Chunk::PreValue if ows => Chunk::PreValue,
            Chunk::PreValue if b == b'"' => Chunk::Quoted,
            Chunk::PreValue if is_tchar(b) => Chunk::Value,
            Chunk::Value if is_tchar(b) => Chunk::Value,
            Chunk::Quoted if b == b'"' => Chunk::PostQuoted,
            Chunk::Quoted if b == b'\\' => Chunk::QuotedEscape,
            Chunk::Quoted if b == b'\t' || (b >= 0x20 && b != 0x7f) => Chunk::Quoted,
            Chunk::QuotedEscape if b == b'\t' || (b >= 0x20 && b != 0x7f) => Chunk::Quoted,
            Chunk::Value | Chunk::PostQuoted if ows => Chunk::PreSemi,
            Chunk::Name | Chunk::PostName | Chunk::Value | Chunk::PostQuoted if b == b';' => {
                Chunk::PreName
            }
            Chunk::Name | Chunk::PostName | Chunk::Value | Chunk::PostQuoted if b == b'\r' => {
                Chunk::SizeLf
            }
            _ if b == b'\n' => return Err(Error::BareLf),
            _ => return Err(Error::InvalidChunkExtension),
        };
        Ok(next)
    }
}

#[inline]
fn clamp(remaining: u64, available: usize) -> usize {
    usize::try_from(remaining).map_or(available, |r| r.min(available))
}

/// `hex_value` as a table: the digit's value, or 0xff for a byte that is no HEXDIG.
static HEX: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 256 {
        if let Some(d) = hex_value(i as u8) {
            table[i] = d;
        }
        i += 1;
    }
    table
};

const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
