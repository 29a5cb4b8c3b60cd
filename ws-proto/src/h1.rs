//! The opening handshake over h1-proto's heads (RFC 6455 §4.1 and §4.2 on RFC 9112): the field
//! checks stay in [`crate::handshake`]; this only adapts h1-proto's parsed heads and the fields
//! it sends. After the 101, h1-proto's `Event::Switched(rest)` hands over the first WebSocket
//! bytes: feed them to [`crate::Connection::handle_input`].

use alloc::vec::Vec;

use h1_proto::{Field, RequestHead, ResponseHead, Version};

use crate::handshake::{Accepted, ClientHandshake, HandshakeError, Negotiated, ServerHandshake};

impl ServerHandshake {
    /// Validates a request head parsed by h1-proto: an HTTP/1.1 (or higher) GET (§4.2.1), then
    /// the WebSocket fields as [`accept`](Self::accept) checks them.
    pub fn accept_h1(&self, head: &RequestHead<'_>) -> Result<Accepted, HandshakeError> {
        if head.version < Version::Http11 {
            return Err(HandshakeError::HttpVersion);
        }
        let fields: Vec<(&str, &[u8])> = head.fields.iter().map(|f| (f.name, f.value)).collect();
        self.accept(head.method, &fields)
    }
}

impl ClientHandshake {
    /// Verifies a response head parsed by h1-proto (§4.1).
    pub fn verify_h1_response(
        &self,
        head: &ResponseHead<'_>,
    ) -> Result<Negotiated, HandshakeError> {
        let fields: Vec<(&str, &[u8])> = head.fields.iter().map(|f| (f.name, f.value)).collect();
        self.verify_response(head.status, &fields)
    }
}

/// Header fields as h1-proto sends them (for `h1_proto::Request::new` or
/// `h1_proto::Response::new`), borrowing `fields`.
pub fn h1_fields(fields: &[crate::handshake::Field]) -> Vec<Field<'_>> {
    fields
        .iter()
        .map(|(name, value)| Field::new(name, value.as_bytes()))
        .collect()
}
