//! The incremental head parser (RFC 9112 §2–§5) and the framing decision (RFC 9112 §6.3).
//!
//! The parser is handed the whole head buffered so far on every call and resumes where it
//! stopped: complete lines are never looked at again and a partial line is scanned only past
//! what was already checked, so input arriving a byte at a time costs linear time.

use alloc::vec::Vec;

use crate::config::Config;
use crate::error::Error;
use crate::head::{
    FieldSpan, Fields, RequestHead, ResponseHead, Version, is_tchar, list_elements, trim_ows,
};

/// What a head is: it decides the start line and which leniencies apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Request,
    Response,
    Trailers,
}

/// How the body of a message is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Exactly this many bytes (0 for bodiless messages).
    Length(u64),
    /// The chunked transfer coding (RFC 9112 §7.1).
    Chunked,
    /// Until the connection closes (responses only).
    CloseDelimited,
    /// A CONNECT tunnel or a 101 switch: the bytes after the head are another protocol.
    Switch,
}

/// What the framing-relevant fields of a head said (collected while parsing).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HeadInfo {
    pub content_length: Option<u64>,
    pub te_present: bool,
    pub te_invalid: bool,
    pub te_unknown: bool,
    pub chunked_seen: bool,
    pub chunked_last: bool,
    pub hosts: u32,
    pub close: bool,
    pub keep_alive: bool,
    pub connection_upgrade: bool,
    pub upgrade: bool,
    pub expect_continue: bool,
}

/// The start line's parts, as offsets into the head.
#[derive(Debug, Clone, Copy, Default)]
struct StartLine {
    a: (u32, u32),
    b: (u32, u32),
    version: Option<Version>,
    status: u16,
}

/// The resumable state of one head being parsed.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeadParser {
    line_start: usize,
    scan: usize,
    start: Option<StartLine>,
    folded: bool,
    pub(crate) spans: Vec<FieldSpan>,
    pub(crate) info: HeadInfo,
}

/// Where the scan of a line stopped.
enum Eol {
    /// The line's content ends at `.0`; the next line starts at `.1`.
    Found(usize, usize),
    /// Need more input; resume scanning at `.0`.
    More(usize),
}

use crate::simd::{self, Level};

/// Finds the end of the line containing `from`, checking every byte on the way: HTAB is the only
/// control character a head line may hold (RFC 9110 §5.5), CR must be followed by LF, and a bare
/// LF ends a line only when `bare_lf` is allowed.
#[inline]
fn find_eol(buf: &[u8], mut i: usize, bare_lf: bool, level: Level) -> Result<Eol, Error> {
    loop {
        let at = loop {
            let Some(chunk) = buf.get(i..i.wrapping_add(32)) else {
                break None;
            };
            let Ok(chunk) = <&[u8; 32]>::try_from(chunk) else {
                break None;
            };
            let mask = simd::ctl_mask32(level, chunk);
            if mask != 0 {
                break Some(i + mask.trailing_zeros() as usize);
            }
            i += 32;
        };
        let at = match at {
            Some(at) => at,
            None => {
                // Fewer than 32 bytes left: one at a time.
                let rest = buf.get(i..).unwrap_or_default();
                match rest.iter().position(|&b| b < 0x20 || b == 0x7f) {
                    Some(k) => i + k,
                    None => return Ok(Eol::More(buf.len())),
                }
            }
        };
        match buf.get(at) {
            Some(b'\t') => i = at + 1,
            Some(b'\r') => {
                return match buf.get(at + 1) {
                    Some(b'\n') => Ok(Eol::Found(at, at + 2)),
                    Some(_) => Err(Error::BareCr),
                    None => Ok(Eol::More(at)),
                };
            }
            Some(b'\n') if bare_lf => return Ok(Eol::Found(at, at + 1)),
            Some(b'\n') => return Err(Error::BareLf),
            _ => return Err(Error::ControlCharacter),
        }
    }
}

fn span(start: usize, end: usize) -> (u32, u32) {
    // Heads are bounded by `max_head_size`, far below 4 GiB.
    (start as u32, end as u32)
}

#[inline(always)]
fn version(bytes: &[u8]) -> Result<Version, Error> {
    match bytes {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            match (major, minor) {
                (b'1', b'0') => Ok(Version::Http10),
                (b'1', _) => Ok(Version::Http11),
                _ => Err(Error::UnsupportedVersion),
            }
        }
        _ => Err(Error::InvalidVersion),
    }
}

impl HeadParser {
    pub(crate) fn reset(&mut self) {
        self.line_start = 0;
        self.scan = 0;
        self.start = None;
        self.folded = false;
        self.spans.clear();
        self.info = HeadInfo::default();
    }

    /// Parses what `buf` (the head so far, from its first byte) adds. `Ok(Some(len))` once the
    /// empty line ending the head is in, `len` counting it.
    pub(crate) fn parse(
        &mut self,
        buf: &[u8],
        kind: Kind,
        config: &Config,
    ) -> Result<Option<usize>, Error> {
        simd::parse_head(self, buf, kind, config)
    }

    #[inline(always)]
    pub(crate) fn parse_with(
        &mut self,
        buf: &[u8],
        kind: Kind,
        config: &Config,
        level: Level,
    ) -> Result<Option<usize>, Error> {
        let limit = match kind {
            Kind::Trailers => config.max_trailer_size,
            _ => config.max_head_size,
        };
        let too_large = match kind {
            Kind::Trailers => Error::TrailersTooLarge,
            _ => Error::HeadTooLarge,
        };
        let bare_lf = config.leniency.bare_lf_in_heads && kind != Kind::Trailers;
        loop {
            if self.start.is_some() && kind != Kind::Trailers && self.scan == self.line_start {
                self.clean_fields(buf, limit, config, level)?;
            }
            // Fast path: a fresh field line whose name and colon sit in the next 32 bytes.
            let mut colon = None;
            let mut from = self.scan;
            let mut found = None;
            if from == self.line_start && self.start.is_none() && kind == Kind::Request {
                let line = buf
                    .get(from..from.wrapping_add(32))
                    .and_then(|c| <&[u8; 32]>::try_from(c).ok())
                    .and_then(|c| simd::request_line(level, c));
                if let Some((method_end, target_end, cr)) = line {
                    let version = version(
                        buf.get(from + target_end + 1..from + cr)
                            .unwrap_or_default(),
                    )?;
                    if from + cr + 2 > limit {
                        return Err(too_large);
                    }
                    self.start = Some(StartLine {
                        a: span(from, from + method_end),
                        b: span(from + method_end + 1, from + target_end),
                        version: Some(version),
                        status: 0,
                    });
                    self.line_start = from + cr + 2;
                    self.scan = self.line_start;
                    continue;
                }
            }
            if buf.get(from..from.wrapping_add(2)) == Some(b"\r\n")
                && from == self.line_start
                && (self.start.is_some() || kind != Kind::Request)
            {
                found = Some((from, from + 2));
            } else if from == self.line_start && (self.start.is_some() || kind == Kind::Trailers) {
                let chunk = buf.get(from..from.wrapping_add(32));
                let start = chunk
                    .and_then(|c| <&[u8; 32]>::try_from(c).ok())
                    .and_then(|c| simd::field_start(level, c));
                if let Some((at, ctl)) = start {
                    colon = Some(at as usize);
                    // The first CTL after the colon: CRLF ends the line here; anything else
                    // (HTAB, or no CTL in the 32 bytes) continues in `find_eol`.
                    let after = ctl & !((2u64 << at) - 1) as u32;
                    if after == 0 {
                        from += 32;
                    } else {
                        from += after.trailing_zeros() as usize;
                        if buf.get(from..from + 2) == Some(b"\r\n") {
                            found = Some((from, from + 2));
                        }
                    }
                }
            }
            let (content_end, next) = match found {
                Some(eol) => eol,
                None => match find_eol(buf, from, bare_lf, level)? {
                    Eol::Found(content_end, next) => (content_end, next),
                    Eol::More(at) => {
                        if buf.len() > limit {
                            return Err(too_large);
                        }
                        self.scan = at;
                        return Ok(None);
                    }
                },
            };
            if next > limit {
                return Err(too_large);
            }
            let line_start = self.line_start;
            let line = buf.get(line_start..content_end).unwrap_or_default();
            self.line_start = next;
            self.scan = next;
            if kind != Kind::Trailers && self.start.is_none() {
                if line.is_empty() && kind == Kind::Request {
                    // RFC 9112 §2.2: ignore empty lines before a request line.
                    continue;
                }
                self.start = Some(match kind {
                    Kind::Request => request_line(line, line_start)?,
                    _ => status_line(line, line_start)?,
                });
                continue;
            }
            match line.first() {
                None => return Ok(Some(next)),
                Some(b' ' | b'\t') => self.fold(line, line_start, kind, config)?,
                Some(_) => self.field_line(line, line_start, kind, config, colon)?,
            }
        }
    }

    /// The common case in one tight loop: complete field lines at `self.line_start` of the form
    /// `token ":" SP* value CRLF` where the token and colon lie in the first 32 bytes and the
    /// value holds no CTL at all (so no HTAB to trim). Each such line gets exactly the checks
    /// and bookkeeping `field_line` gives it; at the first line that is anything else (the empty
    /// line, HTAB, obs-fold, bare CR or LF, a limit reached, too little input) it stops at that
    /// line's start and the general loop takes over, so errors come from one place.
    #[inline(always)]
    fn clean_fields(
        &mut self,
        buf: &[u8],
        limit: usize,
        config: &Config,
        level: Level,
    ) -> Result<(), Error> {
        loop {
            let start = self.line_start;
            let Some((colon, ctl)) = buf
                .get(start..start.wrapping_add(32))
                .and_then(|c| <&[u8; 32]>::try_from(c).ok())
                .and_then(|c| simd::field_start(level, c))
            else {
                return Ok(());
            };
            let colon = colon as usize;
            // The first CTL after the colon, 32 bytes at a time, then a byte at a time.
            let after = ctl & !((2u64 << colon) - 1) as u32;
            let cr = if after != 0 {
                start + after.trailing_zeros() as usize
            } else {
                let mut i = start + 32;
                loop {
                    let Some(chunk) = buf
                        .get(i..i.wrapping_add(32))
                        .and_then(|c| <&[u8; 32]>::try_from(c).ok())
                    else {
                        let rest = buf.get(i..).unwrap_or_default();
                        match rest.iter().position(|&b| b < 0x20 || b == 0x7f) {
                            Some(k) => break i + k,
                            None => return Ok(()),
                        }
                    };
                    let mask = simd::ctl_mask32(level, chunk);
                    if mask != 0 {
                        break i + mask.trailing_zeros() as usize;
                    }
                    i += 32;
                }
            };
            if buf.get(cr..cr.wrapping_add(2)) != Some(b"\r\n")
                || cr + 2 > limit
                || self.spans.len() >= config.max_fields
            {
                return Ok(());
            }
            let name_end = start + colon;
            let raw = buf.get(name_end + 1..cr).unwrap_or_default();
            let leading = raw.iter().position(|&b| b != b' ').unwrap_or(raw.len());
            let trimmed = raw.get(leading..).unwrap_or_default();
            let trailing = trimmed.iter().rev().position(|&b| b != b' ').unwrap_or(0);
            let value = trimmed.get(..trimmed.len() - trailing).unwrap_or_default();
            let value_start = name_end + 1 + leading;
            let value_end = value_start + value.len();
            let name = buf.get(start..name_end).unwrap_or_default();
            self.note(name, value)?;
            let (name_start, name_end) = span(start, name_end);
            let (value_start, value_end) = span(value_start, value_end);
            self.spans.push(FieldSpan {
                name_start,
                name_end,
                value_start,
                value_end,
            });
            self.line_start = cr + 2;
            self.scan = cr + 2;
        }
    }

    /// RFC 9112 §5.2: obs-fold continues the previous field's value.
    fn fold(
        &mut self,
        line: &[u8],
        line_start: usize,
        kind: Kind,
        config: &Config,
    ) -> Result<(), Error> {
        if kind != Kind::Response || !config.leniency.obs_fold_in_responses {
            return Err(Error::ObsFold);
        }
        let last = self.spans.last_mut().ok_or(Error::ObsFold)?;
        let rest = trim_ows(line);
        if !rest.is_empty() {
            let offset = rest.as_ptr() as usize - line.as_ptr() as usize;
            if last.value_start == last.value_end {
                last.value_start = (line_start + offset) as u32;
            }
            last.value_end = (line_start + offset + rest.len()) as u32;
            self.folded = true;
        }
        Ok(())
    }

    #[inline(always)]
    fn field_line(
        &mut self,
        line: &[u8],
        line_start: usize,
        kind: Kind,
        config: &Config,
        known_colon: Option<usize>,
    ) -> Result<(), Error> {
        if self.spans.len() >= config.max_fields {
            return Err(match kind {
                Kind::Trailers => Error::TrailersTooLarge,
                _ => Error::TooManyFields,
            });
        }
        let name_len = match known_colon {
            Some(colon) => colon,
            None => line.iter().take_while(|&&b| is_tchar(b)).count(),
        };
        let mut colon = name_len;
        match line.get(name_len) {
            Some(b':') if name_len > 0 => {}
            Some(b' ' | b'\t') if name_len > 0 => {
                if kind != Kind::Response || !config.leniency.whitespace_before_colon_in_responses {
                    return Err(Error::WhitespaceBeforeColon);
                }
                colon += line
                    .get(name_len..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&b| b == b' ' || b == b'\t')
                    .count();
                if line.get(colon) != Some(&b':') {
                    return Err(Error::InvalidFieldName);
                }
            }
            None if name_len > 0 => return Err(Error::MissingColon),
            _ => return Err(Error::InvalidFieldName),
        }
        let name = line.get(..name_len).unwrap_or_default();
        let raw_value = line.get(colon + 1..).unwrap_or_default();
        let value = trim_ows(raw_value);
        let leading = raw_value.len() - raw_value.trim_ascii_start().len();
        let value_start = line_start + colon + 1 + leading;
        if kind != Kind::Trailers {
            self.note(name, value)?;
        }
        let (name_start, name_end) = span(line_start, line_start + name_len);
        let (value_start, value_end) = span(value_start, value_start + value.len());
        self.spans.push(FieldSpan {
            name_start,
            name_end,
            value_start,
            value_end,
        });
        Ok(())
    }

    /// Collects what the framing decision needs (RFC 9112 §6, §9.3, RFC 9110 §10.1.1, §7.8).
    #[inline(always)]
    fn note(&mut self, name: &[u8], value: &[u8]) -> Result<(), Error> {
        let info = &mut self.info;
        match name.len() {
            4 if token_is(name, b"host") => info.hosts += 1,
            14 if token_is(name, b"content-length") => {
                info.content_length = Some(content_length(value, info.content_length)?);
            }
            17 if token_is(name, b"transfer-encoding") => {
                info.te_present = true;
                transfer_encoding(value, info);
            }
            10 if token_is(name, b"connection") => {
                for option in list_elements(value) {
                    if option.eq_ignore_ascii_case(b"close") {
                        info.close = true;
                    } else if option.eq_ignore_ascii_case(b"keep-alive") {
                        info.keep_alive = true;
                    } else if option.eq_ignore_ascii_case(b"upgrade") {
                        info.connection_upgrade = true;
                    }
                }
            }
            6 if token_is(name, b"expect") => {
                info.expect_continue |= value.eq_ignore_ascii_case(b"100-continue");
            }
            7 if token_is(name, b"upgrade") => info.upgrade = true,
            _ => {}
        }
        Ok(())
    }

    fn fields<'a>(&'a self, buf: &'a [u8]) -> Fields<'a> {
        Fields::new(buf, &self.spans)
    }

    /// The parsed request head; call after `parse` returned `Some`.
    #[inline]
    pub(crate) fn request<'a>(&'a self, buf: &'a [u8]) -> RequestHead<'a> {
        let start = self.start.unwrap_or_default();
        RequestHead {
            method: method_str(buf, start.a),
            target: ascii(buf, start.b),
            version: start.version.unwrap_or(Version::Http11),
            fields: self.fields(buf),
        }
    }

    /// The parsed response head; call after `parse` returned `Some`.
    pub(crate) fn response<'a>(&'a self, buf: &'a [u8]) -> ResponseHead<'a> {
        let start = self.start.unwrap_or_default();
        ResponseHead {
            version: start.version.unwrap_or(Version::Http11),
            status: start.status,
            reason: buf
                .get(start.b.0 as usize..start.b.1 as usize)
                .unwrap_or_default(),
            fields: self.fields(buf),
        }
    }

    /// The trailer fields; call after `parse` returned `Some`.
    pub(crate) fn trailers<'a>(&'a self, buf: &'a [u8]) -> Fields<'a> {
        self.fields(buf)
    }

    pub(crate) fn version(&self) -> Version {
        self.start
            .and_then(|s| s.version)
            .unwrap_or(Version::Http11)
    }

    pub(crate) fn status(&self) -> u16 {
        self.start.map(|s| s.status).unwrap_or(0)
    }

    pub(crate) fn method_is(&self, buf: &[u8], method: &[u8]) -> bool {
        let a = self.start.unwrap_or_default().a;
        buf.get(a.0 as usize..a.1 as usize) == Some(method)
    }

    /// Replaces the CR, LF and tabs inside folded values by spaces (RFC 9112 §5.2).
    pub(crate) fn unfold(&self, buf: &mut [u8]) {
        if !self.folded {
            return;
        }
        for span in &self.spans {
            if let Some(value) = buf.get_mut(span.value_start as usize..span.value_end as usize) {
                for b in value {
                    if matches!(*b, b'\r' | b'\n' | b'\t') {
                        *b = b' ';
                    }
                }
            }
        }
    }
}

/// Whether the field name `name` (a token) equals `lower` (lowercase letters and `-`) ignoring
/// ASCII case. Setting bit 0x20 maps onto a lowercase letter only that letter and its capital,
/// and onto `-` only `-` and CR, which no token holds; so for tokens this is exactly
/// `eq_ignore_ascii_case`, without a per-byte case conversion.
#[inline(always)]
fn token_is<const N: usize>(name: &[u8], lower: &[u8; N]) -> bool {
    let Ok(name) = <&[u8; N]>::try_from(name) else {
        return false;
    };
    let mut diff = 0u8;
    for (&a, &b) in name.iter().zip(lower) {
        diff |= (a | 0x20) ^ b;
    }
    diff == 0
}

/// The method as a string: the registered ones (RFC 9110 §9.3) without a UTF-8 check.
#[inline]
fn method_str(buf: &[u8], span: (u32, u32)) -> &str {
    match buf.get(span.0 as usize..span.1 as usize) {
        Some(b"GET") => "GET",
        Some(b"HEAD") => "HEAD",
        Some(b"POST") => "POST",
        Some(b"PUT") => "PUT",
        Some(b"DELETE") => "DELETE",
        Some(b"CONNECT") => "CONNECT",
        Some(b"OPTIONS") => "OPTIONS",
        Some(b"TRACE") => "TRACE",
        Some(b"PATCH") => "PATCH",
        _ => ascii(buf, span),
    }
}

#[inline]
fn ascii(buf: &[u8], (start, end): (u32, u32)) -> &str {
    // The parser accepted only ASCII here.
    core::str::from_utf8(buf.get(start as usize..end as usize).unwrap_or_default())
        .unwrap_or_default()
}

/// `method SP request-target SP HTTP-version` (RFC 9112 §3), single spaces only.
#[inline(always)]
fn request_line(line: &[u8], at: usize) -> Result<StartLine, Error> {
    let method_len = line.iter().take_while(|&&b| is_tchar(b)).count();
    match line.get(method_len) {
        Some(b' ') if method_len > 0 => {}
        None => return Err(Error::InvalidRequestLine),
        Some(_) => return Err(Error::InvalidMethod),
    }
    let rest = line.get(method_len + 1..).unwrap_or_default();
    let target_len = target_len(rest)?;
    if target_len == 0 || rest.get(target_len) != Some(&b' ') {
        return Err(Error::InvalidRequestLine);
    }
    let version = version(rest.get(target_len + 1..).unwrap_or_default())?;
    let target_start = at + method_len + 1;
    Ok(StartLine {
        a: span(at, at + method_len),
        b: span(target_start, target_start + target_len),
        version: Some(version),
        status: 0,
    })
}

/// The length of the request target at the start of `rest`: up to the first SP. The line holds
/// no CTL (checked while finding its end), so the only other bytes to refuse are non-ASCII
/// (RFC 9112 §3.2, RFC 3986 §2). Eight bytes at a time.
#[inline(always)]
fn target_len(rest: &[u8]) -> Result<usize, Error> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(word) = rest.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let x = w ^ (ONES * u64::from(b' '));
        if (x.wrapping_sub(ONES) & !x | w) & HIGHS != 0 {
            break;
        }
        i += 8;
    }
    let tail = rest.get(i..).unwrap_or_default();
    match tail.iter().position(|&b| b == b' ' || b >= 0x80) {
        Some(k) if tail.get(k) == Some(&b' ') => Ok(i + k),
        Some(_) => Err(Error::InvalidTarget),
        None => Ok(rest.len()),
    }
}

/// `HTTP-version SP 3DIGIT SP [reason-phrase]` (RFC 9112 §4); a missing space after the code of
/// an empty reason is tolerated, as no framing depends on it.
fn status_line(line: &[u8], at: usize) -> Result<StartLine, Error> {
    let (Some(v), Some(b' '), Some(code)) = (line.get(..8), line.get(8), line.get(9..12)) else {
        return Err(Error::InvalidStatusLine);
    };
    let version = version(v)?;
    let mut status = 0u16;
    for &d in code {
        if !d.is_ascii_digit() {
            return Err(Error::InvalidStatusLine);
        }
        status = status * 10 + u16::from(d - b'0');
    }
    if status < 100 {
        return Err(Error::InvalidStatusLine);
    }
    let reason_start = match line.get(12) {
        None => 12,
        Some(b' ') => 13,
        Some(_) => return Err(Error::InvalidStatusLine),
    };
    Ok(StartLine {
        a: span(at, at),
        b: span(at + reason_start, at + line.len()),
        version: Some(version),
        status,
    })
}

/// RFC 9112 §6.3 item 5: one decimal value, or a list of identical ones; no signs, no spaces
/// inside, no empty elements, no overflow.
fn content_length(value: &[u8], previous: Option<u64>) -> Result<u64, Error> {
    let mut result = previous;
    for element in value.split(|&b| b == b',') {
        let digits = trim_ows(element);
        if digits.is_empty() {
            return Err(Error::InvalidContentLength);
        }
        let mut n = 0u64;
        for &d in digits {
            if !d.is_ascii_digit() {
                return Err(Error::InvalidContentLength);
            }
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
                .ok_or(Error::InvalidContentLength)?;
        }
        match result {
            Some(existing) if existing != n => return Err(Error::InvalidContentLength),
            _ => result = Some(n),
        }
    }
    result.ok_or(Error::InvalidContentLength)
}

/// RFC 9112 §6.1: a list of transfer codings; chunked once, and last to frame the message.
fn transfer_encoding(value: &[u8], info: &mut HeadInfo) {
    let mut any = false;
    for coding in list_elements(value) {
        any = true;
        let (name, params) = match coding.iter().position(|&b| b == b';') {
            Some(p) => (
                trim_ows(coding.get(..p).unwrap_or_default()),
                Some(coding.get(p..).unwrap_or_default()),
            ),
            None => (coding, None),
        };
        if !crate::head::is_token(name) {
            info.te_invalid = true;
            continue;
        }
        if name.eq_ignore_ascii_case(b"chunked") {
            if info.chunked_seen || params.is_some() {
                info.te_invalid = true;
            }
            info.chunked_seen = true;
            info.chunked_last = true;
            continue;
        }
        info.chunked_last = false;
        let known = [
            &b"gzip"[..],
            b"x-gzip",
            b"deflate",
            b"compress",
            b"x-compress",
        ]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k));
        if !known {
            info.te_unknown = true;
        }
    }
    if !any {
        info.te_invalid = true;
    }
}

/// RFC 9112 §6.3 for a request; also checks Host (RFC 9112 §3.2). The `bool` is whether the
/// connection must close after this message.
pub(crate) fn request_framing(
    info: &HeadInfo,
    version: Version,
    config: &Config,
) -> Result<(Framing, bool), Error> {
    if info.hosts > 1 || (version == Version::Http11 && info.hosts != 1) {
        return Err(Error::InvalidHost);
    }
    if info.te_present {
        let close = te_checks(info, version, config)?;
        if info.te_unknown {
            return Err(Error::UnknownTransferCoding);
        }
        if !info.chunked_last {
            return Err(Error::InvalidTransferEncoding);
        }
        return Ok((Framing::Chunked, close));
    }
    Ok((Framing::Length(info.content_length.unwrap_or(0)), false))
}

fn te_checks(info: &HeadInfo, version: Version, config: &Config) -> Result<bool, Error> {
    if version == Version::Http10 {
        return Err(Error::TransferEncodingInHttp10);
    }
    if info.te_invalid {
        return Err(Error::InvalidTransferEncoding);
    }
    if info.content_length.is_some() {
        if !config.leniency.transfer_encoding_overrides_content_length {
            return Err(Error::ContentLengthWithTransferEncoding);
        }
        return Ok(true);
    }
    Ok(false)
}

/// RFC 9112 §6.3 for a response to a request with `method_head` / `method_connect`.
pub(crate) fn response_framing(
    info: &HeadInfo,
    version: Version,
    status: u16,
    method_head: bool,
    method_connect: bool,
    config: &Config,
) -> Result<(Framing, bool), Error> {
    if method_connect && (200..300).contains(&status) {
        return Ok((Framing::Switch, false));
    }
    if status < 200 || status == 204 || status == 304 || method_head {
        return Ok((Framing::Length(0), false));
    }
    if info.te_present {
        let close = te_checks(info, version, config)?;
        if info.chunked_last && !info.te_unknown {
            return Ok((Framing::Chunked, close));
        }
        return Ok((Framing::CloseDelimited, true));
    }
    match info.content_length {
        Some(n) => Ok((Framing::Length(n), false)),
        None => Ok((Framing::CloseDelimited, true)),
    }
}

/// A request head parsed on its own, with the framing of its body decided.
#[derive(Debug, Clone, Copy)]
pub struct ParsedRequest<'a> {
    /// The head.
    pub head: RequestHead<'a>,
    /// Its length in bytes, up to and including the empty line.
    pub head_len: usize,
    /// How its body is delimited.
    pub framing: Framing,
    /// Whether the connection stays open after this exchange, as far as the request decides.
    pub keep_alive: bool,
    /// `Expect: 100-continue` (RFC 9110 §10.1.1).
    pub expect_continue: bool,
}

/// A standalone, reusable request-head parser: the one the server connection runs, for callers
/// that bring their own connection handling (like `httparse`, but deciding the framing).
#[derive(Debug, Clone, Default)]
pub struct RequestParser {
    head: HeadParser,
    config: Config,
}

impl RequestParser {
    /// A parser with these limits and leniencies.
    pub fn new(config: Config) -> Self {
        Self {
            head: HeadParser::default(),
            config,
        }
    }

    /// Parses the head at the start of `buf`. `Ok(None)` means more bytes are needed: call
    /// again with the same bytes plus more, and what was checked is not checked again. After a
    /// complete head or an error, call [`RequestParser::reset`] before the next head.
    pub fn parse<'a>(&'a mut self, buf: &'a [u8]) -> Result<Option<ParsedRequest<'a>>, Error> {
        let Some(head_len) = self.head.parse(buf, Kind::Request, &self.config)? else {
            return Ok(None);
        };
        let info = &self.head.info;
        let version = self.head.version();
        let (framing, close) = request_framing(info, version, &self.config)?;
        let keep_alive = !close && keep_alive(info, version);
        Ok(Some(ParsedRequest {
            head: self.head.request(buf),
            head_len,
            framing,
            keep_alive,
            expect_continue: info.expect_continue && version == Version::Http11,
        }))
    }

    /// Forgets the previous head.
    pub fn reset(&mut self) {
        self.head.reset();
    }
}

/// RFC 9112 §9.3: persistence from the version and the Connection options.
pub(crate) fn keep_alive(info: &HeadInfo, version: Version) -> bool {
    match version {
        Version::Http11 => !info.close,
        Version::Http10 => info.keep_alive && !info.close,
    }
}
