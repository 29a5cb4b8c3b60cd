//! HTTP message rules shared by HTTP/2 and HTTP/3: field name and value characters,
//! pseudo-header fields, connection-specific fields, `te`, `content-length`
//! (RFC 9113 §8.2 and §8.3, RFC 9114 §4.2 and §4.3, RFC 9110 §5.5 and §5.6.2).
//!
//! Written once for both protocols, on plain name/value byte slices and independent of HPACK
//! and QPACK types, so that it can move unchanged to a crate shared by `h2-proto` and
//! `h3-proto`. The only HTTP/2-specific bit is the name of the error type's users.

/// Why a field section is malformed (RFC 9113 §8.1.1, RFC 9114 §4.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// An empty field name.
    #[error("empty field name")]
    EmptyName,
    /// A field name with an uppercase letter (RFC 9113 §8.2.1).
    #[error("uppercase character in a field name")]
    UppercaseName,
    /// A field name with a character outside `tchar` (RFC 9110 §5.6.2).
    #[error("invalid character in a field name")]
    BadNameChar,
    /// A field value with NUL, CR or LF, or starting or ending with whitespace (RFC 9113 §8.2.1).
    #[error("invalid character in a field value")]
    BadValueChar,
    /// A connection-specific field such as `connection` or `transfer-encoding` (RFC 9113 §8.2.2).
    #[error("connection-specific field")]
    ConnectionSpecific,
    /// `te` with a value other than `trailers` (RFC 9113 §8.2.2).
    #[error("te other than trailers")]
    BadTe,
    /// A pseudo-header field unknown, misplaced after regular fields, repeated, or of the wrong
    /// message kind (RFC 9113 §8.3).
    #[error("invalid pseudo-header field")]
    BadPseudoHeader,
    /// A required pseudo-header field is missing or empty (RFC 9113 §8.3.1, §8.3.2).
    #[error("missing pseudo-header field")]
    MissingPseudoHeader,
    /// `:status` is not three digits (RFC 9113 §8.3.2).
    #[error("invalid :status")]
    BadStatus,
    /// `content-length` is not a number, or values disagree (RFC 9110 §8.6).
    #[error("invalid content-length")]
    BadContentLength,
    /// The DATA total differs from `content-length` (RFC 9113 §8.1.1).
    #[error("content-length does not match the body")]
    ContentLengthMismatch,
    /// A pseudo-header in trailers (RFC 9113 §8.1).
    #[error("pseudo-header field in trailers")]
    PseudoInTrailers,
    /// A promised (pushed) request whose method is not safe and cacheable, that has content,
    /// or that lacks `:authority` (RFC 9113 §8.4, §8.4.1; RFC 9114 §4.6).
    #[error("request cannot be pushed")]
    NotPushable,
}

/// RFC 9110 §5.6.2 `tchar`, lowercase only (uppercase is rejected separately).
const fn is_name_char(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`'
        | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z')
}

/// Checks a regular field name (not a pseudo-header): non-empty, lowercase `tchar` only.
pub fn check_name(name: &[u8]) -> Result<(), Malformed> {
    if name.is_empty() {
        return Err(Malformed::EmptyName);
    }
    for &b in name {
        if !is_name_char(b) {
            return Err(if b.is_ascii_uppercase() {
                Malformed::UppercaseName
            } else {
                Malformed::BadNameChar
            });
        }
    }
    Ok(())
}

/// Checks a field value (RFC 9113 §8.2.1): no NUL, CR or LF, no leading or trailing space or tab.
pub fn check_value(value: &[u8]) -> Result<(), Malformed> {
    if value.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
        return Err(Malformed::BadValueChar);
    }
    let ws = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    if ws(value.first()) || ws(value.last()) {
        return Err(Malformed::BadValueChar);
    }
    Ok(())
}

/// Whether `name` is a connection-specific field that HTTP/2 and HTTP/3 forbid
/// (RFC 9113 §8.2.2, RFC 9114 §4.2). `te` is checked by value in [`check_field`].
pub fn is_connection_specific(name: &[u8]) -> bool {
    matches!(
        name,
        b"connection" | b"proxy-connection" | b"keep-alive" | b"transfer-encoding" | b"upgrade"
    )
}

/// Checks one regular field: name, value, connection-specific fields and `te`.
pub fn check_field(name: &[u8], value: &[u8]) -> Result<(), Malformed> {
    check_name(name)?;
    check_value(value)?;
    if is_connection_specific(name) {
        return Err(Malformed::ConnectionSpecific);
    }
    if name == b"te" && !value.eq_ignore_ascii_case(b"trailers") {
        return Err(Malformed::BadTe);
    }
    Ok(())
}

/// Parses a `content-length` value: ASCII digits only, at most 19 of them.
pub fn parse_content_length(value: &[u8]) -> Result<u64, Malformed> {
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return Err(Malformed::BadContentLength);
    }
    Ok(value
        .iter()
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// Which kind of field section is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// Request header section (RFC 9113 §8.3.1).
    Request,
    /// Response header section, final or informational (RFC 9113 §8.3.2).
    Response,
    /// Trailers: no pseudo-header fields (RFC 9113 §8.1).
    Trailers,
}

/// What the checks learned about a valid field section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SectionSummary {
    /// `:status`, for responses.
    pub status: Option<u16>,
    /// `content-length`, when present.
    pub content_length: Option<u64>,
    /// `:method` is CONNECT.
    pub is_connect: bool,
    /// `:method` is HEAD (the response then has no body).
    pub is_head: bool,
    /// `:protocol` was present (extended CONNECT, RFC 8441 / RFC 9220).
    pub has_protocol: bool,
}

const METHOD: u8 = 1;
const SCHEME: u8 = 2;
const AUTHORITY: u8 = 4;
const PATH: u8 = 8;
const PROTOCOL: u8 = 16;
const STATUS: u8 = 32;

/// Checks a field section field by field, in order, then as a whole with [`finish`](Self::finish).
#[derive(Clone, Debug)]
pub struct SectionChecker {
    kind: SectionKind,
    seen: u8,
    regular_seen: bool,
    path_empty: bool,
    summary: SectionSummary,
}

impl SectionChecker {
    /// A checker for a section of `kind`.
    pub const fn new(kind: SectionKind) -> Self {
        Self {
            kind,
            seen: 0,
            regular_seen: false,
            path_empty: false,
            summary: SectionSummary {
                status: None,
                content_length: None,
                is_connect: false,
                is_head: false,
                has_protocol: false,
            },
        }
    }

    /// Checks the next field.
    pub fn field(&mut self, name: &[u8], value: &[u8]) -> Result<(), Malformed> {
        if let Some(pseudo) = name.strip_prefix(b":") {
            return self.pseudo(pseudo, value);
        }
        self.regular_seen = true;
        check_field(name, value)?;
        if name == b"content-length" {
            let n = parse_content_length(value)?;
            if self.summary.content_length.is_some_and(|old| old != n) {
                return Err(Malformed::BadContentLength);
            }
            self.summary.content_length = Some(n);
        }
        Ok(())
    }

    fn pseudo(&mut self, name: &[u8], value: &[u8]) -> Result<(), Malformed> {
        if self.kind == SectionKind::Trailers {
            return Err(Malformed::PseudoInTrailers);
        }
        if self.regular_seen {
            return Err(Malformed::BadPseudoHeader);
        }
        let bit = match (self.kind, name) {
            (SectionKind::Request, b"method") => METHOD,
            (SectionKind::Request, b"scheme") => SCHEME,
            (SectionKind::Request, b"authority") => AUTHORITY,
            (SectionKind::Request, b"path") => PATH,
            (SectionKind::Request, b"protocol") => PROTOCOL,
            (SectionKind::Response, b"status") => STATUS,
            _ => return Err(Malformed::BadPseudoHeader),
        };
        if self.seen & bit != 0 {
            return Err(Malformed::BadPseudoHeader);
        }
        self.seen |= bit;
        check_value(value)?;
        match bit {
            METHOD => {
                self.summary.is_connect = value == b"CONNECT";
                self.summary.is_head = value == b"HEAD";
                if value.is_empty() {
                    return Err(Malformed::MissingPseudoHeader);
                }
            }
            PATH => self.path_empty = value.is_empty(),
            PROTOCOL => self.summary.has_protocol = true,
            STATUS => {
                let [a, b, c] = value else {
                    return Err(Malformed::BadStatus);
                };
                if ![a, b, c].iter().all(|d| d.is_ascii_digit()) {
                    return Err(Malformed::BadStatus);
                }
                let n = |d: &u8| u16::from(d - b'0');
                self.summary.status = Some(n(a) * 100 + n(b) * 10 + n(c));
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks what only the whole section shows: required pseudo-header fields.
    pub fn finish(self) -> Result<SectionSummary, Malformed> {
        match self.kind {
            SectionKind::Trailers => {}
            SectionKind::Response => {
                if self.seen & STATUS == 0 {
                    return Err(Malformed::MissingPseudoHeader);
                }
            }
            SectionKind::Request => {
                if self.seen & METHOD == 0 {
                    return Err(Malformed::MissingPseudoHeader);
                }
                let s = &self.summary;
                if s.has_protocol && !s.is_connect {
                    return Err(Malformed::BadPseudoHeader);
                }
                if s.is_connect && !s.has_protocol {
                    // RFC 9113 §8.5: CONNECT has :authority and no :scheme or :path.
                    if self.seen & (SCHEME | PATH) != 0 {
                        return Err(Malformed::BadPseudoHeader);
                    }
                    if self.seen & AUTHORITY == 0 {
                        return Err(Malformed::MissingPseudoHeader);
                    }
                } else if self.seen & (SCHEME | PATH) != SCHEME | PATH || self.path_empty {
                    return Err(Malformed::MissingPseudoHeader);
                }
            }
        }
        Ok(self.summary)
    }
}

/// Checks a promised request of server push (RFC 9113 §8.4, §8.4.1; RFC 9114 §4.6): a valid
/// and complete request whose method is safe and cacheable (GET or HEAD: RFC 9110 §9.2.1 and
/// §9.2.3), without content (`content-length` absent or 0) and with the `:authority` the
/// server claims to be authoritative for. Whether it really is stays the application's call.
pub fn check_promised_request<'a>(
    fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<SectionSummary, Malformed> {
    let mut checker = SectionChecker::new(SectionKind::Request);
    let mut method_pushable = false;
    let mut has_authority = false;
    for (name, value) in fields {
        checker.field(name, value)?;
        match name {
            b":method" => method_pushable = matches!(value, b"GET" | b"HEAD"),
            b":authority" => has_authority = !value.is_empty(),
            _ => {}
        }
    }
    let summary = checker.finish()?;
    if !method_pushable || !has_authority || summary.content_length.is_some_and(|n| n != 0) {
        return Err(Malformed::NotPushable);
    }
    Ok(summary)
}

/// Checks a whole field section given as (name, value) pairs.
pub fn check_section<'a>(
    kind: SectionKind,
    fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<SectionSummary, Malformed> {
    let mut checker = SectionChecker::new(kind);
    for (name, value) in fields {
        checker.field(name, value)?;
    }
    checker.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn req(fields: &[(&str, &str)]) -> Result<SectionSummary, Malformed> {
        check_section(
            SectionKind::Request,
            fields.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())),
        )
    }

    const GET: [(&str, &str); 4] = [
        (":method", "GET"),
        (":scheme", "https"),
        (":authority", "example.org"),
        (":path", "/"),
    ];

    #[test]
    fn a_valid_request_passes() {
        let mut f = GET.to_vec();
        f.push(("te", "trailers"));
        f.push(("content-length", "0"));
        assert_eq!(req(&f).unwrap().content_length, Some(0));
    }

    #[test]
    fn request_violations_are_caught() {
        let with = |extra: (&'static str, &'static str)| {
            let mut f = GET.to_vec();
            f.push(extra);
            req(&f).unwrap_err()
        };
        assert_eq!(with(("Accept", "x")), Malformed::UppercaseName);
        assert_eq!(with(("connection", "close")), Malformed::ConnectionSpecific);
        assert_eq!(with(("te", "gzip")), Malformed::BadTe);
        assert_eq!(with((":path", "/again")), Malformed::BadPseudoHeader);
        assert_eq!(with((":status", "200")), Malformed::BadPseudoHeader);
        assert_eq!(with(("x", " lead")), Malformed::BadValueChar);
        assert_eq!(with(("x", "a\nb")), Malformed::BadValueChar);
        assert_eq!(with(("content-length", "1x")), Malformed::BadContentLength);
        let mut late = vec![("accept", "*/*")];
        late.extend(GET);
        assert_eq!(req(&late).unwrap_err(), Malformed::BadPseudoHeader);
        assert_eq!(req(&GET[..3]).unwrap_err(), Malformed::MissingPseudoHeader);
    }

    #[test]
    fn connect_rules() {
        assert!(req(&[(":method", "CONNECT"), (":authority", "h:443")]).is_ok());
        assert!(req(&[(":method", "CONNECT"), (":authority", "h"), (":path", "/")]).is_err());
        let ext = [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "https"),
            (":path", "/chat"),
            (":authority", "h"),
        ];
        assert!(req(&ext).unwrap().has_protocol);
    }

    #[test]
    fn extended_connect_needs_scheme_and_path() {
        // RFC 8441 §4: with :protocol, :scheme and :path are required (plain CONNECT forbids them).
        let base = [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":authority", "h"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut f = base.to_vec();
            f.extend_from_slice(extra);
            req(&f)
        };
        assert_eq!(with(&[(":path", "/")]), Err(Malformed::MissingPseudoHeader));
        assert_eq!(
            with(&[(":scheme", "https")]),
            Err(Malformed::MissingPseudoHeader)
        );
        assert!(with(&[(":scheme", "https"), (":path", "/chat")]).is_ok());
        // :protocol on anything but CONNECT is malformed.
        let mut get = GET.to_vec();
        get.push((":protocol", "websocket"));
        assert_eq!(req(&get), Err(Malformed::BadPseudoHeader));
    }

    #[test]
    fn promised_requests() {
        let promised = |f: &[(&str, &str)]| {
            check_promised_request(f.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())))
        };
        assert!(promised(&GET).is_ok());
        let mut head = GET.to_vec();
        head[0] = (":method", "HEAD");
        assert!(promised(&head).unwrap().is_head);
        let mut post = GET.to_vec();
        post[0] = (":method", "POST");
        assert_eq!(promised(&post), Err(Malformed::NotPushable));
        let mut with_body = GET.to_vec();
        with_body.push(("content-length", "5"));
        assert_eq!(promised(&with_body), Err(Malformed::NotPushable));
        with_body[4] = ("content-length", "0");
        assert!(promised(&with_body).is_ok());
        let no_authority = [GET[0], GET[1], GET[3]];
        assert_eq!(promised(&no_authority), Err(Malformed::NotPushable));
        assert_eq!(promised(&GET[..3]), Err(Malformed::MissingPseudoHeader));
    }

    #[test]
    fn responses_and_trailers() {
        let resp = |f: &[(&str, &str)]| {
            check_section(
                SectionKind::Response,
                f.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())),
            )
        };
        assert_eq!(resp(&[(":status", "103")]).unwrap().status, Some(103));
        assert_eq!(resp(&[(":status", "2000")]), Err(Malformed::BadStatus));
        assert_eq!(resp(&[("x", "y")]), Err(Malformed::MissingPseudoHeader));
        assert_eq!(
            check_section(SectionKind::Trailers, [(&b":status"[..], &b"200"[..])]),
            Err(Malformed::PseudoInTrailers)
        );
    }
}
