//! Extensible priorities (RFC 9218): the urgency and incremental parameters carried by the
//! `priority` header field (§5) and by PRIORITY_UPDATE frames (§7), parsed as a Structured
//! Fields Dictionary (RFC 8941 §3.2, §4.2) and serialized back.
//!
//! Like [`http_fields`](crate::http_fields), this module is the HTTP rules shared by HTTP/2 and
//! HTTP/3: it works on plain byte slices, knows nothing about frames or HPACK/QPACK, and can move
//! unchanged to a crate that `h3-proto` also uses (its PRIORITY_UPDATE, RFC 9218 §7.2, carries
//! the same Priority Field Value).
//!
//! Only as much of RFC 8941 as RFC 9218 needs is interpreted, but the whole Dictionary grammar
//! is checked: a value that is not a valid Dictionary means "use the defaults" (RFC 9218 §4
//! applies its rules only "where the Dictionary is successfully parsed"); unknown keys, values
//! out of range or of another type, and parameters on members are ignored (§4).
//!
//! ```
//! use h2_proto::priority::Priority;
//!
//! let p = Priority::parse(b"u=5, i");
//! assert_eq!(p, Priority::new(5, true));
//! assert_eq!(p.field_value().as_str(), "u=5, i");
//! assert_eq!(Priority::parse(b"u=9, i=?0"), Priority::default()); // out of range: ignored
//! assert_eq!(Priority::parse(b"u=1,,"), Priority::default()); // not a Dictionary: defaults
//! ```

use core::fmt;

use alloc::vec::Vec;

/// The default urgency (RFC 9218 §4.1).
pub const DEFAULT_URGENCY: u8 = 3;

/// The lowest precedence urgency, for background tasks (RFC 9218 §4.1); 0 is the highest.
pub const LOWEST_URGENCY: u8 = 7;

/// The name of the Priority header field (RFC 9218 §5).
pub const FIELD_NAME: &str = "priority";

/// A response's priority (RFC 9218 §4): urgency 0 (first) to 7 (last), and whether the client
/// processes it incrementally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Priority {
    /// Urgency, 0 to 7 (RFC 9218 §4.1). Default 3.
    pub urgency: u8,
    /// Incremental (RFC 9218 §4.2): the response is useful in parts, so responses of the same
    /// urgency may share the bandwidth. Default false.
    pub incremental: bool,
}

impl Default for Priority {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Priority {
    /// `u=3`, not incremental: what a request without priority parameters gets (RFC 9218 §4).
    pub const DEFAULT: Self = Self {
        urgency: DEFAULT_URGENCY,
        incremental: false,
    };

    /// A priority; an urgency above 7 is taken as 7.
    pub const fn new(urgency: u8, incremental: bool) -> Self {
        let urgency = if urgency > LOWEST_URGENCY {
            LOWEST_URGENCY
        } else {
            urgency
        };
        Self {
            urgency,
            incremental,
        }
    }

    /// The priority a request's `priority` field value or a PRIORITY_UPDATE's Priority Field
    /// Value asks for: parameters it omits or that are invalid take their defaults, and a value
    /// that is not a Structured Fields Dictionary means all defaults (never an error).
    pub fn parse(value: &[u8]) -> Self {
        Self::DEFAULT.merged(Params::parse(value).unwrap_or_default())
    }

    /// Like [`parse`](Self::parse) for a field sent as several field lines, which are one value
    /// joined with commas (RFC 8941 §4.2, RFC 9110 §5.3).
    pub fn parse_lines<'a>(lines: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut lines = lines.into_iter();
        let Some(first) = lines.next() else {
            return Self::DEFAULT;
        };
        let Some(second) = lines.next() else {
            return Self::parse(first);
        };
        let mut joined: Vec<u8> = Vec::with_capacity(first.len() + second.len() + 2);
        joined.extend_from_slice(first);
        for line in core::iter::once(second).chain(lines) {
            joined.extend_from_slice(b", ");
            joined.extend_from_slice(line);
        }
        Self::parse(&joined)
    }

    /// This priority with the parameters present in `params` replacing its own: how a
    /// PRIORITY_UPDATE-free merge of a server's `priority` response field into the client's
    /// request priority works (RFC 9218 §8: an absent parameter keeps the client's value).
    pub fn merged(self, params: Params) -> Self {
        Self {
            urgency: params.urgency.unwrap_or(self.urgency),
            incremental: params.incremental.unwrap_or(self.incremental),
        }
    }

    /// The Priority Field Value, serialized as RFC 8941 §4.1 says, parameters equal to their
    /// defaults left out: `u=5, i`, `i`, `u=0`, or empty for the defaults (then send no
    /// `priority` field at all; an empty PRIORITY_UPDATE value means the defaults).
    pub fn field_value(&self) -> FieldValue {
        let mut value = FieldValue {
            bytes: [0; FieldValue::CAPACITY],
            len: 0,
        };
        if self.urgency != DEFAULT_URGENCY {
            value.push(b"u=");
            value.push(&[b'0' + self.urgency.min(LOWEST_URGENCY)]);
        }
        if self.incremental {
            if value.len > 0 {
                value.push(b", ");
            }
            value.push(b"i");
        }
        value
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field_value().as_str())
    }
}

/// A serialized Priority Field Value (at most `u=N, i`), without allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldValue {
    bytes: [u8; FieldValue::CAPACITY],
    len: u8,
}

impl FieldValue {
    const CAPACITY: usize = 6;

    fn push(&mut self, part: &[u8]) {
        for &b in part {
            if let Some(slot) = self.bytes.get_mut(usize::from(self.len)) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// The value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// The value as text (always ASCII).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// Whether it is empty (the default priority).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The priority parameters a Priority Field Value actually sets: `None` where the parameter is
/// absent, or present with a value RFC 9218 §4 says to ignore (out of range, wrong type).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Params {
    /// `u`, an Integer 0 to 7.
    pub urgency: Option<u8>,
    /// `i`, a Boolean.
    pub incremental: Option<bool>,
}

/// A Priority Field Value that is not a Structured Fields Dictionary (RFC 8941 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("not a structured fields dictionary (at byte {offset})")]
pub struct ParseError {
    /// Where parsing failed.
    pub offset: usize,
}

impl Params {
    /// Parses `value` as an RFC 8941 Dictionary (§4.2 with field type "dictionary") and picks
    /// `u` and `i` from it. A key seen twice keeps its last value (§4.2.2).
    pub fn parse(value: &[u8]) -> Result<Self, ParseError> {
        let mut parser = Parser {
            input: value,
            pos: 0,
        };
        parser.skip_sp();
        let mut urgency = None;
        let mut incremental = None;
        while !parser.at_end() {
            let key = parser.key()?;
            let member = if parser.eat(b'=') {
                parser.item_or_inner_list()?
            } else {
                parser.parameters()?;
                Value::Boolean(true)
            };
            match key {
                b"u" => urgency = Some(member),
                b"i" => incremental = Some(member),
                _ => {}
            }
            parser.skip_ows();
            if parser.at_end() {
                break;
            }
            if !parser.eat(b',') {
                return Err(parser.error());
            }
            parser.skip_ows();
            if parser.at_end() {
                // A trailing comma.
                return Err(parser.error());
            }
        }
        Ok(Self {
            urgency: match urgency {
                Some(Value::Integer(n)) => u8::try_from(n).ok().filter(|&u| u <= LOWEST_URGENCY),
                _ => None,
            },
            incremental: match incremental {
                Some(Value::Boolean(b)) => Some(b),
                _ => None,
            },
        })
    }
}

/// A member value, as far as RFC 9218 cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value {
    Integer(i64),
    Boolean(bool),
    /// Decimal, String, Token, Byte Sequence, or an Inner List.
    Other,
}

/// RFC 8941 §4.2's parsing algorithms over ASCII bytes.
struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self) -> ParseError {
        ParseError { offset: self.pos }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn next(&mut self) -> Result<u8, ParseError> {
        let b = self.peek().ok_or(self.error())?;
        self.pos += 1;
        Ok(b)
    }

    fn skip_sp(&mut self) {
        while self.eat(b' ') {}
    }

    /// OWS: SP and HTAB (RFC 8941 §4.2.2 between members).
    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// §4.2.3.3 Parsing a Key: `( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )`.
    fn key(&mut self) -> Result<&'a [u8], ParseError> {
        let start = self.pos;
        if !matches!(self.peek(), Some(b'a'..=b'z' | b'*')) {
            return Err(self.error());
        }
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')
        ) {
            self.pos += 1;
        }
        Ok(self.input.get(start..self.pos).unwrap_or_default())
    }

    /// §4.2.1.1 Parsing an Item or Inner List.
    fn item_or_inner_list(&mut self) -> Result<Value, ParseError> {
        if self.peek() == Some(b'(') {
            self.inner_list()?;
            Ok(Value::Other)
        } else {
            self.item()
        }
    }

    /// §4.2.1.2 Parsing an Inner List.
    fn inner_list(&mut self) -> Result<(), ParseError> {
        self.pos += 1; // "("
        while !self.at_end() {
            self.skip_sp();
            if self.eat(b')') {
                return self.parameters();
            }
            self.item()?;
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return Err(self.error());
            }
        }
        Err(self.error())
    }

    /// §4.2.3 Parsing an Item: a Bare Item and its Parameters (which RFC 9218 ignores).
    fn item(&mut self) -> Result<Value, ParseError> {
        let value = self.bare_item()?;
        self.parameters()?;
        Ok(value)
    }

    /// §4.2.3.2 Parsing Parameters.
    fn parameters(&mut self) -> Result<(), ParseError> {
        while self.eat(b';') {
            self.skip_sp();
            self.key()?;
            if self.eat(b'=') {
                self.bare_item()?;
            }
        }
        Ok(())
    }

    /// §4.2.3.1 Parsing a Bare Item.
    fn bare_item(&mut self) -> Result<Value, ParseError> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'*') => self.token(),
            Some(b':') => self.byte_sequence(),
            Some(b'?') => self.boolean(),
            _ => Err(self.error()),
        }
    }

    /// §4.2.4 Parsing an Integer or Decimal.
    fn number(&mut self) -> Result<Value, ParseError> {
        let negative = self.eat(b'-');
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error());
        }
        let mut integer: i64 = 0;
        let mut digits = 0usize;
        let mut decimal_at: Option<usize> = None;
        while let Some(b) = self.peek() {
            match b {
                b'0'..=b'9' => {
                    digits += 1;
                    if decimal_at.is_none() {
                        // At most 15 digits (checked below), so this cannot overflow.
                        integer = integer
                            .saturating_mul(10)
                            .saturating_add(i64::from(b - b'0'));
                    }
                }
                b'.' if decimal_at.is_none() => {
                    if digits > 12 {
                        return Err(self.error());
                    }
                    decimal_at = Some(digits);
                }
                _ => break,
            }
            self.pos += 1;
            // The length limits count the characters of input_number, "." included.
            let len = digits + usize::from(decimal_at.is_some());
            if (decimal_at.is_none() && len > 15) || len > 16 {
                return Err(self.error());
            }
        }
        match decimal_at {
            None => Ok(Value::Integer(if negative { -integer } else { integer })),
            Some(integer_digits) => {
                let fraction = digits - integer_digits;
                if fraction == 0 || fraction > 3 {
                    return Err(self.error());
                }
                Ok(Value::Other)
            }
        }
    }

    /// §4.2.5 Parsing a String.
    fn string(&mut self) -> Result<Value, ParseError> {
        self.pos += 1; // DQUOTE
        loop {
            let b = self.next()?;
            // An escape: only DQUOTE and "\\" may follow.
            if b == b'\\' && !matches!(self.next()?, b'"' | b'\\') {
                return Err(ParseError {
                    offset: self.pos - 1,
                });
            }
            match b {
                b'\\' => {}
                b'"' => return Ok(Value::Other),
                0x00..=0x1f | 0x7f..=0xff => {
                    return Err(ParseError {
                        offset: self.pos - 1,
                    });
                }
                _ => {}
            }
        }
    }

    /// §4.2.6 Parsing a Token: `( ALPHA / "*" ) *( tchar / ":" / "/" )`.
    fn token(&mut self) -> Result<Value, ParseError> {
        self.pos += 1;
        while let Some(b) = self.peek() {
            let tchar = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&b);
            if !tchar {
                break;
            }
            self.pos += 1;
        }
        Ok(Value::Other)
    }

    /// §4.2.7 Parsing a Byte Sequence: base64 characters between colons (the content is not
    /// needed, so it is only checked, not decoded).
    fn byte_sequence(&mut self) -> Result<Value, ParseError> {
        self.pos += 1; // ":"
        loop {
            match self.next()? {
                b':' => return Ok(Value::Other),
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => {}
                _ => {
                    return Err(ParseError {
                        offset: self.pos - 1,
                    });
                }
            }
        }
    }

    /// §4.2.8 Parsing a Boolean.
    fn boolean(&mut self) -> Result<Value, ParseError> {
        self.pos += 1; // "?"
        match self.next()? {
            b'1' => Ok(Value::Boolean(true)),
            b'0' => Ok(Value::Boolean(false)),
            _ => Err(ParseError {
                offset: self.pos - 1,
            }),
        }
    }
}
