//! The client side of h2c by HTTP/1.1 Upgrade (RFC 7540 §3.2; RFC 9113 §3.1 deprecates the
//! `h2c` token, and servers such as nghttpd no longer accept it, but curl, nghttp and python
//! `h2` still speak it).
//!
//! The exchange, with the HTTP/1.1 part done by the caller (e.g. with `h1-proto`):
//!
//! 1. Send an ordinary HTTP/1.1 request with `Connection: Upgrade, HTTP2-Settings`,
//!    `Upgrade: h2c` and `HTTP2-Settings: ` [`Config::http2_settings`] (§3.2.1). A request body,
//!    if any, must be sent whole in HTTP/1.1 first (§3.2), so a GET, HEAD or OPTIONS without
//!    one is the usual choice.
//! 2. A response other than `101 Switching Protocols` means the server stays on HTTP/1.1: it
//!    is the answer to the request, read as usual.
//! 3. After the 101 head, [`Connection::client_upgrade`] with the same [`Config`] takes over;
//!    the bytes that followed the head on the wire are HTTP/2 and go to
//!    [`Connection::handle_input`]. The response to the upgrade request arrives on
//!    [`Connection::UPGRADE_STREAM`] (stream 1) as [`Event::Headers`](super::Event::Headers)
//!    and DATA, like any other; new requests get streams 3, 5, …

use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wire_codec::Instant;

use super::{Config, Connection, Role, Stream, advertised_settings};
use crate::frame::StreamId;
use crate::stream::State;

impl Config {
    /// The SETTINGS frame payload a client advertises with this configuration (RFC 9113
    /// §6.5.1: 6 bytes per parameter): the one its preface carries, and the content of the
    /// `HTTP2-Settings` field before base64url encoding (RFC 7540 §3.2.1).
    pub fn http2_settings_payload(&self) -> Vec<u8> {
        advertised_settings(Role::Client, &self.settings)
            .into_iter()
            .flat_map(|(id, value)| id.to_be_bytes().into_iter().chain(value.to_be_bytes()))
            .collect()
    }

    /// The value of the `HTTP2-Settings` request field of an h2c upgrade (RFC 7540 §3.2.1):
    /// [`http2_settings_payload`](Self::http2_settings_payload) in base64url without
    /// padding (RFC 4648 §5).
    pub fn http2_settings(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.http2_settings_payload())
    }
}

impl Connection {
    /// Stream 1: after an h2c upgrade, the HTTP/1.1 request that asked for it (RFC 7540 §3.2).
    pub const UPGRADE_STREAM: StreamId = StreamId::new(1);

    /// A client that takes over an HTTP/1.1 connection after the server answered its
    /// `Upgrade: h2c` request with `101 Switching Protocols` (RFC 7540 §3.2). `config` must be
    /// the one whose [`Config::http2_settings`] the request carried: the 101 acknowledged those
    /// settings (§3.2.1), so they are in force at once — the response may use them before the
    /// server acknowledges the SETTINGS of our preface, which is still sent first (§3.5).
    ///
    /// The upgrade request is stream 1 ([`Connection::UPGRADE_STREAM`]), half-closed (local):
    /// it was sent whole in HTTP/1.1, so only its response arrives there. `request_method` is
    /// that request's method: a `HEAD` response has no body whatever its content-length
    /// (RFC 9110 §9.3.2). The next request opens stream 3. Bytes the server sent after the
    /// 101 head go to [`handle_input`](Self::handle_input).
    pub fn client_upgrade(config: Config, now: Instant, request_method: &str) -> Self {
        let mut conn = Self::new(Role::Client, config, now);
        conn.acked = config.settings;
        conn.decoder
            .set_max_table_size(config.settings.header_table_size as usize);
        let mut stream = Stream::new(
            State::HalfClosedLocal,
            conn.peer.initial_window_size,
            conn.acked.initial_window_size,
        );
        stream.sent_final_head = true;
        stream.head_request = request_method == "HEAD";
        conn.streams.insert(Self::UPGRADE_STREAM.value(), stream);
        conn.active_local += 1;
        conn.next_local_id = 3;
        conn
    }
}
