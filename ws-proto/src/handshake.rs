//! The opening handshake (RFC 6455 §4) over a plain list of header fields, so it serves an
//! HTTP/1.1 Upgrade (§4.1, §4.2) and an extended CONNECT over HTTP/2 (RFC 8441 §4) or HTTP/3
//! (RFC 9220 §3) alike. The HTTP layer (h1-proto, h2-proto, h3-proto or any other) parses and
//! writes the heads; this module decides what the fields must say.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::extension::{DeflateConfig, DeflateParams, PERMESSAGE_DEFLATE, parse_extensions};

/// Appended to the key before hashing (RFC 6455 §1.3).
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The only version this implements (RFC 6455 §4.1, §11.6).
pub const VERSION: &str = "13";

/// A header field: name and value.
pub type Field = (String, String);

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key ++ GUID)) (§4.2.2).
///
/// ```
/// assert_eq!(ws_proto::accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(key: &[u8]) -> String {
    let mut sha1 = sha1_smol::Sha1::new();
    sha1.update(key);
    sha1.update(GUID.as_bytes());
    STANDARD.encode(sha1.digest().bytes())
}

/// Which HTTP carries the handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// HTTP/1.1 `GET` with `Upgrade: websocket`, answered by `101` (RFC 6455 §4).
    Http1Upgrade,
    /// HTTP/2 or HTTP/3 extended `CONNECT` with `:protocol = websocket`, answered by `200`
    /// (RFC 8441 §5, RFC 9220 §3): no Upgrade, Connection, Key or Accept fields.
    ExtendedConnect,
}

/// Why a handshake failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// An HTTP/1.0 request: the handshake needs HTTP/1.1 or higher (§4.1).
    #[error("the opening handshake needs HTTP/1.1 or higher")]
    HttpVersion,
    /// Not a `GET` (HTTP/1.1) or `CONNECT` (extended CONNECT).
    #[error("method must be GET (or CONNECT over HTTP/2 and HTTP/3)")]
    Method,
    /// A required field is missing or says something else (its name).
    #[error("missing or wrong {0} header")]
    Field(&'static str),
    /// `Sec-WebSocket-Key` is not base64 of 16 bytes.
    #[error("Sec-WebSocket-Key is not 16 bytes of base64")]
    Key,
    /// `Sec-WebSocket-Version` is not 13: the server answers 426 with
    /// `Sec-WebSocket-Version: 13` (§4.2.2, §4.4).
    #[error("unsupported WebSocket version")]
    Version,
    /// The response status is not 101 (or 200 for extended CONNECT).
    #[error("server answered {0}, not a protocol switch")]
    Status(u16),
    /// `Sec-WebSocket-Accept` does not match the key.
    #[error("Sec-WebSocket-Accept does not match the key")]
    Accept,
    /// The server chose a subprotocol the client did not offer.
    #[error("server chose a subprotocol that was not offered")]
    Protocol,
    /// The server's extensions are not what was offered, or break RFC 7692 §7.
    #[error("server's extensions are not acceptable")]
    Extensions,
}

impl HandshakeError {
    /// The response a server sends for this failure: 426 with `Sec-WebSocket-Version: 13` for a
    /// version mismatch, 400 otherwise (405 for the method).
    pub fn server_response(&self) -> (u16, Vec<Field>) {
        match self {
            Self::Version => (426, vec![("Sec-WebSocket-Version".into(), VERSION.into())]),
            Self::Method => (405, Vec::new()),
            _ => (400, Vec::new()),
        }
    }
}

/// The negotiated result of a handshake.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Negotiated {
    /// The subprotocol both agreed on.
    pub protocol: Option<String>,
    /// permessage-deflate's agreed parameters, when negotiated.
    pub deflate: Option<DeflateParams>,
}

/// The client side: builds the request fields and verifies the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHandshake {
    key: String,
    protocols: Vec<String>,
    deflate: Option<DeflateConfig>,
    transport: Transport,
}

impl ClientHandshake {
    /// A handshake with `key`, 16 random bytes from the caller's strong random source (§4.1).
    pub fn new(key: [u8; 16]) -> Self {
        Self {
            key: STANDARD.encode(key),
            protocols: Vec::new(),
            deflate: None,
            transport: Transport::Http1Upgrade,
        }
    }

    /// Offers these subprotocols, in order of preference.
    pub fn protocols(mut self, protocols: &[&str]) -> Self {
        self.protocols = protocols.iter().map(|p| p.to_string()).collect();
        self
    }

    /// Offers permessage-deflate.
    pub fn deflate(mut self, config: DeflateConfig) -> Self {
        self.deflate = Some(config);
        self
    }

    /// Runs over an extended CONNECT (HTTP/2 or HTTP/3) instead of an HTTP/1.1 Upgrade.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// The `Sec-WebSocket-Key` value.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The WebSocket fields of the request. The HTTP layer adds the method (`GET`, or `CONNECT`
    /// with `:protocol: websocket`), the target and `Host`/`:authority`. Over extended CONNECT
    /// the names are lowercase, as HTTP/2 and HTTP/3 require (RFC 9113 §8.2.1, RFC 9114 §4.2).
    pub fn request_fields(&self) -> Vec<Field> {
        let mut fields = Vec::new();
        if self.transport == Transport::Http1Upgrade {
            fields.push(("Upgrade".into(), "websocket".into()));
            fields.push(("Connection".into(), "Upgrade".into()));
            fields.push(("Sec-WebSocket-Key".into(), self.key.clone()));
        }
        fields.push(("Sec-WebSocket-Version".into(), VERSION.into()));
        if !self.protocols.is_empty() {
            fields.push(("Sec-WebSocket-Protocol".into(), self.protocols.join(", ")));
        }
        if let Some(deflate) = &self.deflate {
            fields.push(("Sec-WebSocket-Extensions".into(), deflate.offer()));
        }
        lowercase_for(self.transport, &mut fields);
        fields
    }

    /// Verifies the server's response (§4.1, client steps 1–6).
    pub fn verify_response<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        status: u16,
        fields: &[(N, V)],
    ) -> Result<Negotiated, HandshakeError> {
        let expected_status = match self.transport {
            Transport::Http1Upgrade => 101,
            Transport::ExtendedConnect => 200,
        };
        if status != expected_status {
            return Err(HandshakeError::Status(status));
        }
        if self.transport == Transport::Http1Upgrade {
            if !has_token(fields, "upgrade", "websocket") {
                return Err(HandshakeError::Field("Upgrade"));
            }
            if !has_token(fields, "connection", "upgrade") {
                return Err(HandshakeError::Field("Connection"));
            }
            let accept = single(fields, "sec-websocket-accept").ok_or(HandshakeError::Accept)?;
            if accept.trim_ascii() != accept_key(self.key.as_bytes()).as_bytes() {
                return Err(HandshakeError::Accept);
            }
        }
        let protocol = match single_str(fields, "sec-websocket-protocol")? {
            None => None,
            Some(p) if self.protocols.iter().any(|o| o == p) => Some(p.to_string()),
            Some(_) => return Err(HandshakeError::Protocol),
        };
        let mut deflate = None;
        for value in values(fields, "sec-websocket-extensions") {
            let value = core::str::from_utf8(value).map_err(|_| HandshakeError::Extensions)?;
            for item in parse_extensions(value).map_err(|_| HandshakeError::Extensions)? {
                let config = self.deflate.as_ref().ok_or(HandshakeError::Extensions)?;
                if item.name != PERMESSAGE_DEFLATE || deflate.is_some() {
                    return Err(HandshakeError::Extensions);
                }
                deflate = Some(
                    config
                        .check_response(&item.params)
                        .map_err(|_| HandshakeError::Extensions)?,
                );
            }
        }
        Ok(Negotiated { protocol, deflate })
    }
}

/// The server side: validates a request and builds the response fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerHandshake {
    protocols: Vec<String>,
    deflate: Option<DeflateConfig>,
    transport: Option<Transport>,
}

/// An accepted request: the response to send and what was agreed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// 101 (HTTP/1.1) or 200 (extended CONNECT).
    pub status: u16,
    /// The response's WebSocket fields.
    pub fields: Vec<Field>,
    /// What was agreed.
    pub negotiated: Negotiated,
}

impl ServerHandshake {
    /// A server supporting no subprotocol and no extension, over HTTP/1.1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Subprotocols this server speaks, in order of preference.
    pub fn protocols(mut self, protocols: &[&str]) -> Self {
        self.protocols = protocols.iter().map(|p| p.to_string()).collect();
        self
    }

    /// Accepts permessage-deflate offers (RFC 7692 §7.1).
    pub fn deflate(mut self, config: DeflateConfig) -> Self {
        self.deflate = Some(config);
        self
    }

    /// Runs over an extended CONNECT (HTTP/2 or HTTP/3) instead of an HTTP/1.1 Upgrade.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Validates a request (§4.2.1) and builds the response (§4.2.2). `method` is the request
    /// method; for extended CONNECT the HTTP layer has already checked `:protocol`.
    pub fn accept<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        method: &str,
        fields: &[(N, V)],
    ) -> Result<Accepted, HandshakeError> {
        let transport = self.transport.unwrap_or(Transport::Http1Upgrade);
        let mut response = Vec::new();
        match transport {
            Transport::Http1Upgrade => {
                if method != "GET" {
                    return Err(HandshakeError::Method);
                }
                if single(fields, "host").is_none() {
                    return Err(HandshakeError::Field("Host"));
                }
                if !has_token(fields, "upgrade", "websocket") {
                    return Err(HandshakeError::Field("Upgrade"));
                }
                if !has_token(fields, "connection", "upgrade") {
                    return Err(HandshakeError::Field("Connection"));
                }
            }
            Transport::ExtendedConnect => {
                if method != "CONNECT" {
                    return Err(HandshakeError::Method);
                }
                // RFC 8441 §5: `:protocol` names websocket (checked here too when the HTTP
                // layer passes its pseudo-header fields along).
                if let Some(protocol) = single(fields, ":protocol")
                    && !protocol.eq_ignore_ascii_case(b"websocket")
                {
                    return Err(HandshakeError::Field(":protocol"));
                }
            }
        }
        match single(fields, "sec-websocket-version") {
            Some(v) if v.trim_ascii() == VERSION.as_bytes() => {}
            _ => return Err(HandshakeError::Version),
        }
        if transport == Transport::Http1Upgrade {
            let key = single(fields, "sec-websocket-key").ok_or(HandshakeError::Key)?;
            let key = key.trim_ascii();
            match STANDARD.decode(key) {
                Ok(raw) if raw.len() == 16 => {}
                _ => return Err(HandshakeError::Key),
            }
            response.push(("Upgrade".into(), "websocket".into()));
            response.push(("Connection".into(), "Upgrade".into()));
            response.push(("Sec-WebSocket-Accept".into(), accept_key(key)));
        }
        let mut negotiated = Negotiated::default();
        let offered: Vec<&str> = values(fields, "sec-websocket-protocol")
            .filter_map(|v| core::str::from_utf8(v).ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        if let Some(chosen) = self
            .protocols
            .iter()
            .find(|p| offered.contains(&p.as_str()))
        {
            response.push(("Sec-WebSocket-Protocol".into(), chosen.clone()));
            negotiated.protocol = Some(chosen.clone());
        }
        if let Some(config) = &self.deflate {
            let mut items = Vec::new();
            for value in values(fields, "sec-websocket-extensions") {
                // A malformed extension list is not fatal: it only declines the extensions.
                if let Some(parsed) = core::str::from_utf8(value)
                    .ok()
                    .and_then(|v| parse_extensions(v).ok())
                {
                    items.extend(parsed);
                }
            }
            if let Some(params) = config.negotiate(&items) {
                response.push(("Sec-WebSocket-Extensions".into(), params.response()));
                negotiated.deflate = Some(params);
            }
        }
        let status = match transport {
            Transport::Http1Upgrade => 101,
            Transport::ExtendedConnect => 200,
        };
        lowercase_for(transport, &mut response);
        Ok(Accepted {
            status,
            fields: response,
            negotiated,
        })
    }
}

/// Lowercases field names for HTTP/2 and HTTP/3 (RFC 9113 §8.2.1, RFC 9114 §4.2).
fn lowercase_for(transport: Transport, fields: &mut [Field]) {
    if transport == Transport::ExtendedConnect {
        for (name, _) in fields {
            name.make_ascii_lowercase();
        }
    }
}

/// Every value of the field `name` (lower case).
fn values<'a, N: AsRef<[u8]>, V: AsRef<[u8]>>(
    fields: &'a [(N, V)],
    name: &'a str,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    fields
        .iter()
        .filter(move |(n, _)| n.as_ref().eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, v)| v.as_ref())
}

/// The value of a field that must appear at most once.
fn single<'a, N: AsRef<[u8]>, V: AsRef<[u8]>>(
    fields: &'a [(N, V)],
    name: &'a str,
) -> Option<&'a [u8]> {
    let mut all = values(fields, name);
    let first = all.next()?;
    if all.next().is_some() {
        None
    } else {
        Some(first)
    }
}

fn single_str<'a, N: AsRef<[u8]>, V: AsRef<[u8]>>(
    fields: &'a [(N, V)],
    name: &'a str,
) -> Result<Option<&'a str>, HandshakeError> {
    let mut all = values(fields, name);
    let Some(first) = all.next() else {
        return Ok(None);
    };
    if all.next().is_some() {
        return Err(HandshakeError::Protocol);
    }
    let value = core::str::from_utf8(first).map_err(|_| HandshakeError::Protocol)?;
    Ok(Some(value.trim()))
}

/// Whether any `name` field lists `token` (comma-separated, case-insensitive).
fn has_token<N: AsRef<[u8]>, V: AsRef<[u8]>>(fields: &[(N, V)], name: &str, token: &str) -> bool {
    values(fields, name).any(|v| {
        v.split(|&b| b == b',')
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = vec![
            ("Host".into(), "server.example.com".into()),
            ("Upgrade".into(), "websocket".into()),
            ("Connection".into(), "Upgrade".into()),
            (
                "Sec-WebSocket-Key".into(),
                "dGhlIHNhbXBsZSBub25jZQ==".into(),
            ),
            ("Sec-WebSocket-Version".into(), "13".into()),
        ];
        for (n, v) in extra {
            fields.retain(|(name, _)| !name.eq_ignore_ascii_case(n));
            if !v.is_empty() {
                fields.push((n.to_string(), v.to_string()));
            }
        }
        fields
    }

    #[test]
    fn rfc6455_section_1_3_example() {
        let accepted = ServerHandshake::new()
            .protocols(&["chat"])
            .accept(
                "GET",
                &request(&[("Sec-WebSocket-Protocol", "chat, superchat")]),
            )
            .unwrap();
        assert_eq!(accepted.status, 101);
        assert!(accepted.fields.contains(&(
            "Sec-WebSocket-Accept".into(),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".into()
        )));
        assert_eq!(accepted.negotiated.protocol.as_deref(), Some("chat"));
    }

    #[test]
    fn server_rejections() {
        let server = ServerHandshake::new();
        let err = server
            .accept("GET", &request(&[("Sec-WebSocket-Version", "8")]))
            .unwrap_err();
        assert_eq!(err, HandshakeError::Version);
        assert_eq!(
            err.server_response(),
            (426, vec![("Sec-WebSocket-Version".into(), "13".into())])
        );
        assert_eq!(
            server.accept("POST", &request(&[])).unwrap_err(),
            HandshakeError::Method
        );
        assert_eq!(
            server
                .accept("GET", &request(&[("Upgrade", "h2c")]))
                .unwrap_err(),
            HandshakeError::Field("Upgrade")
        );
        assert_eq!(
            server
                .accept("GET", &request(&[("Connection", "close")]))
                .unwrap_err(),
            HandshakeError::Field("Connection")
        );
        assert_eq!(
            server
                .accept("GET", &request(&[("Sec-WebSocket-Key", "c2hvcnQ=")]))
                .unwrap_err(),
            HandshakeError::Key
        );
        assert_eq!(
            server.accept("GET", &request(&[("Host", "")])).unwrap_err(),
            HandshakeError::Field("Host")
        );
        // Tokens are case-insensitive and may share a list.
        assert!(
            server
                .accept(
                    "GET",
                    &request(&[
                        ("Connection", "keep-alive, UPGRADE"),
                        ("Upgrade", "WebSocket")
                    ])
                )
                .is_ok()
        );
    }

    #[test]
    fn client_and_server_agree_and_client_rejects_bad_responses() {
        let client = ClientHandshake::new(*b"the sample nonce")
            .protocols(&["a", "b"])
            .deflate(DeflateConfig::default());
        assert_eq!(client.key(), "dGhlIHNhbXBsZSBub25jZQ==");
        let mut req = client.request_fields();
        req.push(("Host".into(), "x".into()));
        let accepted = ServerHandshake::new()
            .protocols(&["b"])
            .deflate(DeflateConfig::default())
            .accept("GET", &req)
            .unwrap();
        let negotiated = client.verify_response(101, &accepted.fields).unwrap();
        assert_eq!(negotiated, accepted.negotiated);
        assert_eq!(negotiated.protocol.as_deref(), Some("b"));
        assert!(negotiated.deflate.is_some());

        let with = |name: &str, value: &str| {
            let mut f = accepted.fields.clone();
            f.retain(|(n, _)| n != name);
            if !value.is_empty() {
                f.push((name.into(), value.into()));
            }
            f
        };
        assert_eq!(
            client.verify_response(200, &accepted.fields),
            Err(HandshakeError::Status(200))
        );
        assert_eq!(
            client.verify_response(101, &with("Sec-WebSocket-Accept", "x")),
            Err(HandshakeError::Accept)
        );
        assert_eq!(
            client.verify_response(101, &with("Sec-WebSocket-Protocol", "c")),
            Err(HandshakeError::Protocol)
        );
        assert_eq!(
            client.verify_response(101, &with("Sec-WebSocket-Extensions", "x-other")),
            Err(HandshakeError::Extensions)
        );
        assert_eq!(
            client.verify_response(101, &with("Upgrade", "")),
            Err(HandshakeError::Field("Upgrade"))
        );
    }

    #[test]
    fn extended_connect_has_no_key_or_accept() {
        let client = ClientHandshake::new([7; 16])
            .transport(Transport::ExtendedConnect)
            .protocols(&["chat"]);
        let req = client.request_fields();
        assert!(req.iter().all(|(n, _)| {
            !n.eq_ignore_ascii_case("Sec-WebSocket-Key") && !n.eq_ignore_ascii_case("Upgrade")
        }));
        // RFC 9113 §8.2.1: lowercase names only over HTTP/2 (and HTTP/3).
        assert!(req.iter().all(|(n, _)| *n == n.to_ascii_lowercase()));
        assert!(req.contains(&("sec-websocket-version".into(), "13".into())));
        let server = ServerHandshake::new()
            .transport(Transport::ExtendedConnect)
            .protocols(&["chat"]);
        let accepted = server.accept("CONNECT", &req).unwrap();
        assert_eq!(accepted.status, 200);
        assert!(
            accepted
                .fields
                .iter()
                .all(|(n, _)| *n == n.to_ascii_lowercase() && n != "sec-websocket-accept")
        );
        assert_eq!(
            client
                .verify_response(200, &accepted.fields)
                .unwrap()
                .protocol
                .as_deref(),
            Some("chat")
        );
        // RFC 8441 §5: a 200, and `:protocol: websocket` when the HTTP layer passes it on.
        assert_eq!(
            client.verify_response(101, &accepted.fields),
            Err(HandshakeError::Status(101))
        );
        let mut other = req.clone();
        other.push((":protocol".into(), "connect-udp".into()));
        assert_eq!(
            server.accept("CONNECT", &other),
            Err(HandshakeError::Field(":protocol"))
        );
        other.pop();
        other.push((":protocol".into(), "websocket".into()));
        assert!(server.accept("CONNECT", &other).is_ok());
        assert_eq!(server.accept("GET", &req), Err(HandshakeError::Method));
    }
}
