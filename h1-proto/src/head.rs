//! Message heads (RFC 9112 §2–§5): start lines and field lines, borrowed from the input.

use core::fmt;

/// The protocol version of a message (RFC 9112 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// HTTP/1.0 (RFC 1945).
    Http10,
    /// HTTP/1.1 (RFC 9112), also used for any higher 1.x minor version received.
    Http11,
}

impl Version {
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field line: a name (a token, RFC 9110 §5.1) and a value (RFC 9110 §5.5) without the
/// surrounding whitespace. Used both for parsed heads and for heads to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// The name as received (compare case-insensitively).
    pub name: &'a str,
    /// The value: visible ASCII, SP, HTAB and obs-text bytes.
    pub value: &'a [u8],
}

impl<'a> Field<'a> {
    /// A field from a name and a value.
    pub const fn new(name: &'a str, value: &'a [u8]) -> Self {
        Self { name, value }
    }
}

/// Offsets of one field line inside a head buffer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    pub(crate) name_start: u32,
    pub(crate) name_end: u32,
    pub(crate) value_start: u32,
    pub(crate) value_end: u32,
}

/// The field lines of a head or a trailer section, borrowed from the input.
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    buf: &'a [u8],
    spans: &'a [FieldSpan],
}

impl<'a> Fields<'a> {
    pub(crate) fn new(buf: &'a [u8], spans: &'a [FieldSpan]) -> Self {
        Self { buf, spans }
    }

    /// How many field lines.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The field lines in order.
    pub fn iter(&self) -> impl Iterator<Item = Field<'a>> + 'a {
        let buf = self.buf;
        self.spans.iter().map(move |span| field_at(buf, span))
    }

    /// The value of the first field named `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field named `name` (case-insensitive), in order.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        self.iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value)
    }

    /// Whether any comma-separated element of the fields named `name` equals `token`
    /// (both case-insensitive), e.g. `Connection: close`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name)
            .any(|value| list_elements(value).any(|e| e.eq_ignore_ascii_case(token.as_bytes())))
    }
}

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|field| {
                (
                    field.name,
                    alloc::string::String::from_utf8_lossy(field.value),
                )
            }))
            .finish()
    }
}

fn field_at<'a>(buf: &'a [u8], span: &FieldSpan) -> Field<'a> {
    let name = buf
        .get(span.name_start as usize..span.name_end as usize)
        .unwrap_or_default();
    let value = buf
        .get(span.value_start as usize..span.value_end as usize)
        .unwrap_or_default();
    // Names were checked to be tokens (ASCII), so this never falls back.
    Field {
        name: core::str::from_utf8(name).unwrap_or_default(),
        value,
    }
}

/// The elements of a comma-separated list (RFC 9110 §5.6.1), trimmed, empty ones skipped.
pub fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(trim_ows)
        .filter(|e| !e.is_empty())
}

/// `value` without leading and trailing SP and HTAB (OWS, RFC 9110 §5.6.3).
pub fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// A parsed request head (RFC 9112 §3).
#[derive(Debug, Clone, Copy)]
pub struct RequestHead<'a> {
    /// The method, a token (case-sensitive, RFC 9110 §9.1).
    pub method: &'a str,
    /// The request target as sent (RFC 9112 §3.2).
    pub target: &'a str,
    /// The version of the request.
    pub version: Version,
    /// The field lines.
    pub fields: Fields<'a>,
}

/// A parsed response head (RFC 9112 §4).
#[derive(Debug, Clone, Copy)]
pub struct ResponseHead<'a> {
    /// The version of the response.
    pub version: Version,
    /// The three-digit status code.
    pub status: u16,
    /// The reason phrase (may be empty; may hold obs-text).
    pub reason: &'a [u8],
    /// The field lines.
    pub fields: Fields<'a>,
}

/// A request to send (RFC 9112 §3). Framing fields (Content-Length, Transfer-Encoding) come
/// from the [`crate::Body`] given with it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The method, a token.
    pub method: &'a str,
    /// The request target, visible ASCII.
    pub target: &'a str,
    /// The version to send (HTTP/1.1 unless speaking to an HTTP/1.0 peer).
    pub version: Version,
    /// The field lines; an HTTP/1.1 request needs exactly one Host.
    pub fields: &'a [Field<'a>],
}

impl<'a> Request<'a> {
    /// An HTTP/1.1 request.
    pub const fn new(method: &'a str, target: &'a str, fields: &'a [Field<'a>]) -> Self {
        Self {
            method,
            target,
            version: Version::Http11,
            fields,
        }
    }
}

/// A response to send (RFC 9112 §4), always as HTTP/1.1 (RFC 9110 §2.5).
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    /// The status code, 100..=999.
    pub status: u16,
    /// The reason phrase; empty means the standard one for the status (RFC 9110 §15).
    pub reason: &'a str,
    /// The field lines.
    pub fields: &'a [Field<'a>],
}

impl<'a> Response<'a> {
    /// A response with the standard reason phrase.
    pub const fn new(status: u16, fields: &'a [Field<'a>]) -> Self {
        Self {
            status,
            reason: "",
            fields,
        }
    }
}

/// The standard reason phrase of a status code (RFC 9110 §15), or `""`.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        417 => "Expectation Failed",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// tchar (RFC 9110 §5.6.2).
pub(crate) const fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        i += 1;
    }
    table
};

/// Whether `s` is a non-empty token.
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Whether `value` may be sent as a field value: no CTL but HTAB (RFC 9110 §5.5).
pub(crate) fn is_valid_value(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}
