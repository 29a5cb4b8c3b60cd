//! `Sec-WebSocket-Extensions` (RFC 6455 §9.1) and permessage-deflate's parameters and their
//! negotiation (RFC 7692 §7.1). Parsing and negotiation need no compression library; the
//! compressor itself is in the `deflate` feature.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The registered extension name (RFC 7692 §7).
pub const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

/// One element of an extension list: `name *( ";" param [ "=" value ] )`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionItem {
    /// The extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// Parameters in order, values unquoted.
    pub params: Vec<(String, Option<String>)>,
}

/// A `Sec-WebSocket-Extensions` value that breaks the grammar of RFC 6455 §9.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed Sec-WebSocket-Extensions value")]
pub struct ExtensionSyntaxError;

/// Parses one `Sec-WebSocket-Extensions` field value (a comma-separated list; empty elements are
/// skipped as the HTTP list rule allows).
///
/// ```
/// let items = ws_proto::parse_extensions("permessage-deflate; client_max_window_bits, x; a=\"1\"").unwrap();
/// assert_eq!(items[0].name, "permessage-deflate");
/// assert_eq!(items[0].params, [("client_max_window_bits".into(), None)]);
/// assert_eq!(items[1].params, [("a".into(), Some("1".into()))]);
/// ```
pub fn parse_extensions(value: &str) -> Result<Vec<ExtensionItem>, ExtensionSyntaxError> {
    let mut items = Vec::new();
    let mut p = Parser { rest: value };
    loop {
        p.skip_ows();
        if p.eat(',') {
            continue;
        }
        if p.rest.is_empty() {
            return Ok(items);
        }
        let name = p.token()?;
        let mut params = Vec::new();
        loop {
            p.skip_ows();
            if !p.eat(';') {
                break;
            }
            p.skip_ows();
            let key = p.token()?;
            p.skip_ows();
            let value = if p.eat('=') {
                p.skip_ows();
                Some(if p.rest.starts_with('"') {
                    p.quoted()?
                } else {
                    p.token()?.to_string()
                })
            } else {
                None
            };
            params.push((key.to_ascii_lowercase(), value));
        }
        items.push(ExtensionItem {
            name: name.to_ascii_lowercase(),
            params,
        });
        p.skip_ows();
        if !p.rest.is_empty() && !p.eat(',') {
            return Err(ExtensionSyntaxError);
        }
    }
}

struct Parser<'a> {
    rest: &'a str,
}

impl<'a> Parser<'a> {
    fn skip_ows(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// RFC 9110 §5.6.2 token.
    fn token(&mut self) -> Result<&'a str, ExtensionSyntaxError> {
        let end = self
            .rest
            .find(|c: char| !is_tchar(c))
            .unwrap_or(self.rest.len());
        if end == 0 {
            return Err(ExtensionSyntaxError);
        }
        let (token, rest) = self.rest.split_at(end);
        self.rest = rest;
        Ok(token)
    }

    /// RFC 9110 §5.6.4 quoted-string, unescaped.
    fn quoted(&mut self) -> Result<String, ExtensionSyntaxError> {
        let mut out = String::new();
        let mut chars = self.rest.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = self.rest.get(i + 1..).unwrap_or_default();
                    return Ok(out);
                }
                '\\' => out.push(chars.next().ok_or(ExtensionSyntaxError)?.1),
                c if c == '\t' || (' '..='~').contains(&c) => out.push(c),
                _ => return Err(ExtensionSyntaxError),
            }
        }
        Err(ExtensionSyntaxError)
    }
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// How this endpoint wants permessage-deflate: what a client offers, or what a server accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Compression level, 0 (store) to 9 (smallest); 6 by default, zlib's default.
    pub level: u8,
    /// Client: ask the server not to take over context. Server: always require it of itself.
    pub server_no_context_takeover: bool,
    /// Client: do not take over context (and say so). Server: require it of the client.
    pub client_no_context_takeover: bool,
    /// Client: the largest window the server may compress with. Server: the largest window it
    /// compresses with (9–15; an 8-bit compression window cannot be honoured and is declined).
    pub server_max_window_bits: Option<u8>,
    /// Client: the largest window it compresses with. Server: the largest window it asks the
    /// client to use, when the client offers `client_max_window_bits`.
    pub client_max_window_bits: Option<u8>,
    /// Messages shorter than this are sent uncompressed (RSV1 clear), where deflate only adds
    /// bytes.
    pub min_compress_len: usize,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        Self {
            level: 6,
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: None,
            client_max_window_bits: None,
            min_compress_len: 0,
        }
    }
}

/// The smallest window zlib-rs can compress with: zlib refuses an 8-bit raw deflate window
/// (and an 8-bit zlib window silently becomes 9), so 8 is declined rather than pretended.
pub const MIN_COMPRESS_WINDOW_BITS: u8 = 9;

/// The agreed parameters of a negotiated permessage-deflate (RFC 7692 §7.1), as the server's
/// response states them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeflateParams {
    /// The server starts each message with an empty window.
    pub server_no_context_takeover: bool,
    /// The client starts each message with an empty window.
    pub client_no_context_takeover: bool,
    /// The server compresses with at most 2^n bytes of window.
    pub server_max_window_bits: Option<u8>,
    /// The client compresses with at most 2^n bytes of window.
    pub client_max_window_bits: Option<u8>,
}

/// Why an offer is declined or a response is unacceptable (RFC 7692 §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeflateNegotiationError {
    /// A parameter not defined by RFC 7692.
    #[error("unknown permessage-deflate parameter")]
    UnknownParameter,
    /// The same parameter twice.
    #[error("duplicate permessage-deflate parameter")]
    DuplicateParameter,
    /// A value that is not what the parameter allows (e.g. window bits outside 8–15).
    #[error("invalid permessage-deflate parameter value")]
    InvalidValue,
    /// A configuration this endpoint cannot honour (an 8-bit compression window, or a response
    /// parameter the offer did not allow).
    #[error("unsupported permessage-deflate configuration")]
    Unsupported,
}

/// Parameters as written in an offer or a response, before negotiation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct RawParams {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: present without a value (allowed in an offer only).
    client_max_window_bits: Option<Option<u8>>,
}

impl RawParams {
    fn parse(params: &[(String, Option<String>)]) -> Result<Self, DeflateNegotiationError> {
        use DeflateNegotiationError as E;
        let mut raw = Self::default();
        let mut seen = [false; 4];
        for (key, value) in params {
            let slot = match key.as_str() {
                "server_no_context_takeover" => 0,
                "client_no_context_takeover" => 1,
                "server_max_window_bits" => 2,
                "client_max_window_bits" => 3,
                _ => return Err(E::UnknownParameter),
            };
            if core::mem::replace(&mut seen[slot], true) {
                return Err(E::DuplicateParameter);
            }
            match (slot, value) {
                (0, None) => raw.server_no_context_takeover = true,
                (1, None) => raw.client_no_context_takeover = true,
                (2, Some(v)) => raw.server_max_window_bits = Some(window_bits(v)?),
                (3, None) => raw.client_max_window_bits = Some(None),
                (3, Some(v)) => raw.client_max_window_bits = Some(Some(window_bits(v)?)),
                _ => return Err(E::InvalidValue),
            }
        }
        Ok(raw)
    }
}

/// "a decimal integer value without leading zeroes between 8 to 15, inclusive" (§7.1.2).
fn window_bits(value: &str) -> Result<u8, DeflateNegotiationError> {
    let ok = !value.is_empty()
        && !value.starts_with('0')
        && value.bytes().all(|b| b.is_ascii_digit())
        && value.len() <= 2;
    match value.parse::<u8>() {
        Ok(bits @ 8..=15) if ok => Ok(bits),
        _ => Err(DeflateNegotiationError::InvalidValue),
    }
}

impl DeflateConfig {
    /// The client's offer, a `Sec-WebSocket-Extensions` value. `client_max_window_bits` is
    /// always offered (bare, or with the configured value) so the server may limit our window.
    pub fn offer(&self) -> String {
        let mut out = String::from(PERMESSAGE_DEFLATE);
        if self.server_no_context_takeover {
            out.push_str("; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            out.push_str("; client_no_context_takeover");
        }
        if let Some(bits) = self.server_max_window_bits {
            out.push_str(&format!("; server_max_window_bits={bits}"));
        }
        match self.client_max_window_bits {
            Some(bits) => out.push_str(&format!("; client_max_window_bits={bits}")),
            None => out.push_str("; client_max_window_bits"),
        }
        out
    }

    /// Server: answers one offer's parameters, or declines it (RFC 7692 §7.1).
    pub fn accept_offer(
        &self,
        params: &[(String, Option<String>)],
    ) -> Result<DeflateParams, DeflateNegotiationError> {
        let offer = RawParams::parse(params)?;
        let own_limit = self.server_max_window_bits.unwrap_or(15).min(15);
        let server_max_window_bits = match offer.server_max_window_bits {
            Some(bits) => Some(bits.min(own_limit)),
            None if own_limit < 15 => Some(own_limit),
            None => None,
        };
        if server_max_window_bits.is_some_and(|bits| bits < MIN_COMPRESS_WINDOW_BITS) {
            return Err(DeflateNegotiationError::Unsupported);
        }
        let client_max_window_bits =
            match (offer.client_max_window_bits, self.client_max_window_bits) {
                (None, _) => None,
                (Some(offered), Some(ours)) => Some(offered.unwrap_or(15).min(ours)),
                (Some(_), None) => None,
            };
        Ok(DeflateParams {
            server_no_context_takeover: offer.server_no_context_takeover
                || self.server_no_context_takeover,
            client_no_context_takeover: offer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits,
        })
    }

    /// Server: picks the first acceptable permessage-deflate offer of the client's
    /// `Sec-WebSocket-Extensions` items, if any.
    pub fn negotiate(&self, offers: &[ExtensionItem]) -> Option<DeflateParams> {
        offers
            .iter()
            .filter(|item| item.name == PERMESSAGE_DEFLATE)
            .find_map(|item| self.accept_offer(&item.params).ok())
    }

    /// Client: checks the server's response parameters against what [`offer`](Self::offer)
    /// sent; a failure must fail the connection (RFC 7692 §7).
    pub fn check_response(
        &self,
        params: &[(String, Option<String>)],
    ) -> Result<DeflateParams, DeflateNegotiationError> {
        use DeflateNegotiationError as E;
        let response = RawParams::parse(params)?;
        let client_max_window_bits = match response.client_max_window_bits {
            None => None,
            Some(None) => return Err(E::InvalidValue),
            Some(Some(bits)) => Some(bits),
        };
        if let (Some(ours), Some(offered)) =
            (response.server_max_window_bits, self.server_max_window_bits)
            && ours > offered
        {
            return Err(E::Unsupported);
        }
        if self.server_no_context_takeover && !response.server_no_context_takeover {
            return Err(E::Unsupported);
        }
        let own_window = client_max_window_bits
            .unwrap_or(15)
            .min(self.client_max_window_bits.unwrap_or(15));
        if own_window < MIN_COMPRESS_WINDOW_BITS {
            return Err(E::Unsupported);
        }
        Ok(DeflateParams {
            server_no_context_takeover: response.server_no_context_takeover,
            client_no_context_takeover: response.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits: response.server_max_window_bits,
            client_max_window_bits: Some(own_window)
                .filter(|&b| b < 15)
                .or(client_max_window_bits),
        })
    }
}

impl DeflateParams {
    /// The server's response, a `Sec-WebSocket-Extensions` value.
    pub fn response(&self) -> String {
        let mut out = String::from(PERMESSAGE_DEFLATE);
        if self.server_no_context_takeover {
            out.push_str("; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            out.push_str("; client_no_context_takeover");
        }
        if let Some(bits) = self.server_max_window_bits {
            out.push_str(&format!("; server_max_window_bits={bits}"));
        }
        if let Some(bits) = self.client_max_window_bits {
            out.push_str(&format!("; client_max_window_bits={bits}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(value: &str) -> Vec<(String, Option<String>)> {
        parse_extensions(value).unwrap().remove(0).params
    }

    #[test]
    fn grammar() {
        assert!(parse_extensions("").unwrap().is_empty());
        assert!(parse_extensions(" , ,").unwrap().is_empty());
        let items = parse_extensions("a;b=\"x\\\"y\" ,c").unwrap();
        assert_eq!(items[0].params, [("b".into(), Some("x\"y".into()))]);
        assert_eq!(items[1].name, "c");
        for bad in ["a;", "a;=1", "a b", "a;b=\"x", "a;b=", ";a", "a;b=\"\x01\""] {
            assert_eq!(parse_extensions(bad), Err(ExtensionSyntaxError), "{bad:?}");
        }
    }

    #[test]
    fn server_declines_what_rfc7692_says_to_decline() {
        let server = DeflateConfig::default();
        for bad in [
            "permessage-deflate; foo",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=010",
            "permessage-deflate; client_max_window_bits=08",
            "permessage-deflate; server_no_context_takeover=1",
            // An 8-bit window for our own compressor cannot be honoured by zlib.
            "permessage-deflate; server_max_window_bits=8",
        ] {
            assert!(server.accept_offer(&params(bad)).is_err(), "{bad}");
        }
        let agreed = server
            .accept_offer(&params(
                "permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\"",
            ))
            .unwrap();
        assert_eq!(agreed.server_max_window_bits, Some(10));
        assert_eq!(agreed.client_max_window_bits, None);
        assert_eq!(
            agreed.response(),
            "permessage-deflate; server_max_window_bits=10"
        );
        // The fallback offer of RFC 7692 §7.1.3 takes the second element when the first is bad.
        let offers =
            parse_extensions("permessage-deflate; server_max_window_bits=8, permessage-deflate")
                .unwrap();
        assert_eq!(server.negotiate(&offers), Some(DeflateParams::default()));
    }

    #[test]
    fn client_rejects_bad_responses() {
        let client = DeflateConfig {
            server_max_window_bits: Some(10),
            ..DeflateConfig::default()
        };
        for bad in [
            "permessage-deflate; server_max_window_bits=11",
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; client_max_window_bits=8",
            "permessage-deflate; x=1",
        ] {
            assert!(client.check_response(&params(bad)).is_err(), "{bad}");
        }
        let ok = client
            .check_response(&params(
                "permessage-deflate; server_max_window_bits=9; client_max_window_bits=12; client_no_context_takeover",
            ))
            .unwrap();
        assert_eq!(ok.client_max_window_bits, Some(12));
        assert!(ok.client_no_context_takeover);
    }
}
