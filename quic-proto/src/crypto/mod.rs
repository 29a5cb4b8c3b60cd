//! Packet protection (RFC 9001 §5) behind small traits, so that a connection can use any
//! crypto provider: [`PacketKey`] (AEAD), [`HeaderKey`] (header protection mask), and
//! [`Provider`] (key derivation from TLS secrets, Initial secrets, key update, the Retry
//! integrity tag).
//!
//! With the `ring` feature, [`ring::Ring`] implements them with ring's AEADs, its QUIC header
//! protection and its HKDF. With the `rustls` feature, the keys rustls's `quic` module hands
//! out during a handshake implement them too (see [`rustls`]).

#[cfg(feature = "ring")]
pub mod ring;
#[cfg(feature = "rustls")]
pub mod rustls;

use alloc::boxed::Box;

use crate::Side;
use crate::error::{TransportError, TransportErrorCode};
use crate::version::Version;

/// A cryptographic operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Authentication failed: wrong key, or a forged or damaged packet.
    #[error("AEAD authentication failed")]
    DecryptFailed,
    /// Encryption failed (input too long for the AEAD).
    #[error("AEAD encryption failed")]
    EncryptFailed,
    /// A header protection sample had the wrong length.
    #[error("header protection sample of the wrong length")]
    BadSample,
    /// Key material of the wrong length for the cipher suite.
    #[error("key material of the wrong length")]
    BadKeyMaterial,
    /// The cipher suite is not supported by this provider.
    #[error("cipher suite not supported")]
    UnsupportedSuite,
}

/// The TLS 1.3 cipher suites QUIC packet protection uses (RFC 9001 §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CipherSuite {
    /// TLS_AES_128_GCM_SHA256.
    Aes128GcmSha256,
    /// TLS_AES_256_GCM_SHA384.
    Aes256GcmSha384,
    /// TLS_CHACHA20_POLY1305_SHA256.
    ChaCha20Poly1305Sha256,
}

impl CipherSuite {
    /// The suite's TLS code point.
    pub const fn tls_id(self) -> u16 {
        match self {
            Self::Aes128GcmSha256 => 0x1301,
            Self::Aes256GcmSha384 => 0x1302,
            Self::ChaCha20Poly1305Sha256 => 0x1303,
        }
    }

    /// The suite for a TLS code point.
    pub const fn from_tls_id(id: u16) -> Option<Self> {
        match id {
            0x1301 => Some(Self::Aes128GcmSha256),
            0x1302 => Some(Self::Aes256GcmSha384),
            0x1303 => Some(Self::ChaCha20Poly1305Sha256),
            _ => None,
        }
    }

    /// The length of its traffic secrets (the hash length).
    pub const fn secret_len(self) -> usize {
        match self {
            Self::Aes256GcmSha384 => 48,
            _ => 32,
        }
    }

    /// The AEAD key length.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128GcmSha256 => 16,
            _ => 32,
        }
    }

    /// Packets that may be sealed with one key (RFC 9001 §6.6): 2^23 for AES-GCM; ChaCha20 has
    /// no practical limit (2^62).
    pub const fn confidentiality_limit(self) -> u64 {
        match self {
            Self::ChaCha20Poly1305Sha256 => 1 << 62,
            _ => 1 << 23,
        }
    }

    /// Packets that may fail authentication over a connection (RFC 9001 §6.6): 2^52 for
    /// AES-GCM, 2^36 for ChaCha20-Poly1305.
    pub const fn integrity_limit(self) -> u64 {
        match self {
            Self::ChaCha20Poly1305Sha256 => 1 << 36,
            _ => 1 << 52,
        }
    }
}

/// A traffic secret (up to 48 bytes, SHA-384), held inline.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    len: u8,
    bytes: [u8; 48],
}

impl Secret {
    /// A secret from its bytes; fails beyond 48 bytes.
    pub fn new(bytes: &[u8]) -> Result<Self, CryptoError> {
        let mut secret = Self {
            len: 0,
            bytes: [0; 48],
        };
        secret
            .bytes
            .get_mut(..bytes.len())
            .ok_or(CryptoError::BadKeyMaterial)?
            .copy_from_slice(bytes);
        secret.len = bytes.len() as u8;
        Ok(secret)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Secret({} bytes)", self.len)
    }
}

/// An AEAD key with its IV: seals and opens packet payloads (RFC 9001 §5.3).
pub trait PacketKey: Send + Sync {
    /// Encrypts `payload` in place with `header` as associated data and the nonce made from
    /// packet number `pn`, writing the tag into `tag` (exactly [`tag_len`](Self::tag_len)
    /// bytes).
    fn seal(
        &self,
        pn: u64,
        header: &[u8],
        payload: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError>;

    /// Decrypts `payload_and_tag` in place, returning the plaintext length (the plaintext is
    /// its first bytes). On failure the buffer's contents are unspecified.
    fn open(
        &self,
        pn: u64,
        header: &[u8],
        payload_and_tag: &mut [u8],
    ) -> Result<usize, CryptoError>;

    /// The AEAD tag length (16 for every QUIC v1/v2 suite).
    fn tag_len(&self) -> usize;

    /// Packets this key may seal (RFC 9001 §6.6).
    fn confidentiality_limit(&self) -> u64;

    /// Failed authentications tolerated over the connection (RFC 9001 §6.6).
    fn integrity_limit(&self) -> u64;
}

/// A header protection key (RFC 9001 §5.4).
pub trait HeaderKey: Send + Sync {
    /// The sample length (16 for every QUIC v1/v2 suite).
    fn sample_len(&self) -> usize;

    /// The 5-byte mask for `sample` (RFC 9001 §5.4.3, §5.4.4).
    fn mask(&self, sample: &[u8]) -> Result<[u8; 5], CryptoError>;
}

impl<T: PacketKey + ?Sized> PacketKey for Box<T> {
    fn seal(
        &self,
        pn: u64,
        header: &[u8],
        payload: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        (**self).seal(pn, header, payload, tag)
    }
    fn open(&self, pn: u64, header: &[u8], payload: &mut [u8]) -> Result<usize, CryptoError> {
        (**self).open(pn, header, payload)
    }
    fn tag_len(&self) -> usize {
        (**self).tag_len()
    }
    fn confidentiality_limit(&self) -> u64 {
        (**self).confidentiality_limit()
    }
    fn integrity_limit(&self) -> u64 {
        (**self).integrity_limit()
    }
}

impl<T: HeaderKey + ?Sized> HeaderKey for Box<T> {
    fn sample_len(&self) -> usize {
        (**self).sample_len()
    }
    fn mask(&self, sample: &[u8]) -> Result<[u8; 5], CryptoError> {
        (**self).mask(sample)
    }
}

/// The keys for one direction of one packet number space.
pub struct DirectionalKeys {
    /// Header protection.
    pub header: Box<dyn HeaderKey>,
    /// Payload protection.
    pub packet: Box<dyn PacketKey>,
}

impl core::fmt::Debug for DirectionalKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DirectionalKeys")
    }
}

/// Both directions' keys of one packet number space, from one endpoint's point of view.
#[derive(Debug)]
pub struct Keys {
    /// Seals what this endpoint sends.
    pub local: DirectionalKeys,
    /// Opens what the peer sends.
    pub remote: DirectionalKeys,
}

/// Derives packet protection keys: the part of a TLS stack QUIC needs beyond the handshake.
pub trait Provider: Send + Sync {
    /// The AEAD key for traffic `secret` of `suite` ("quic key"/"quic iv", or the v2 labels;
    /// RFC 9001 §5.1, RFC 9369 §3.3.2).
    fn packet_key(
        &self,
        suite: CipherSuite,
        version: Version,
        secret: &Secret,
    ) -> Result<Box<dyn PacketKey>, CryptoError>;

    /// The header protection key for traffic `secret` ("quic hp" / "quicv2 hp").
    fn header_key(
        &self,
        suite: CipherSuite,
        version: Version,
        secret: &Secret,
    ) -> Result<Box<dyn HeaderKey>, CryptoError>;

    /// The next generation's secret for key update ("quic ku" / "quicv2 ku", RFC 9001 §6.1).
    fn next_secret(
        &self,
        suite: CipherSuite,
        version: Version,
        secret: &Secret,
    ) -> Result<Secret, CryptoError>;

    /// The client and server Initial secrets for the client's first Destination Connection ID
    /// (RFC 9001 §5.2, RFC 9369 §3.3.1).
    fn initial_secrets(&self, version: Version, client_dcid: &[u8]) -> (Secret, Secret);

    /// The Retry Integrity Tag over the Retry pseudo-packet (RFC 9001 §5.8, RFC 9369 §3.3.3).
    fn retry_tag(&self, version: Version, pseudo_packet: &[u8]) -> Result<[u8; 16], CryptoError>;

    /// Both directions' keys for `secret`.
    fn directional_keys(
        &self,
        suite: CipherSuite,
        version: Version,
        secret: &Secret,
    ) -> Result<DirectionalKeys, CryptoError> {
        Ok(DirectionalKeys {
            header: self.header_key(suite, version, secret)?,
            packet: self.packet_key(suite, version, secret)?,
        })
    }

    /// The Initial keys of `side` for the client's first Destination Connection ID
    /// (AES-128-GCM, RFC 9001 §5.2).
    fn initial_keys(
        &self,
        version: Version,
        client_dcid: &[u8],
        side: Side,
    ) -> Result<Keys, CryptoError> {
        let (client, server) = self.initial_secrets(version, client_dcid);
        let (local, remote) = match side {
            Side::Client => (client, server),
            Side::Server => (server, client),
        };
        let suite = CipherSuite::Aes128GcmSha256;
        Ok(Keys {
            local: self.directional_keys(suite, version, &local)?,
            remote: self.directional_keys(suite, version, &remote)?,
        })
    }
}

/// The Initial salt of a version (RFC 9001 §5.2, RFC 9369 §3.3.1).
pub const fn initial_salt(version: Version) -> &'static [u8; 20] {
    if version.0 == Version::V2.0 {
        &[
            0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
            0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
        ]
    } else {
        &[
            0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
            0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
        ]
    }
}

/// The fixed key and nonce of the Retry Integrity Tag (RFC 9001 §5.8, RFC 9369 §3.3.3).
pub const fn retry_key_nonce(version: Version) -> (&'static [u8; 16], &'static [u8; 12]) {
    if version.0 == Version::V2.0 {
        (
            &[
                0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2, 0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c,
                0xcc, 0x92,
            ],
            &[
                0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c, 0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a,
            ],
        )
    } else {
        (
            &[
                0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a, 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68,
                0xc8, 0x4e,
            ],
            &[
                0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb,
            ],
        )
    }
}

/// The labels of HKDF-Expand-Label for packet protection in a version: key, iv, hp, ku
/// (RFC 9001 §5.1, §6.1; RFC 9369 §3.3.2).
pub const fn labels(version: Version) -> [&'static [u8]; 4] {
    if version.0 == Version::V2.0 {
        [b"quicv2 key", b"quicv2 iv", b"quicv2 hp", b"quicv2 ku"]
    } else {
        [b"quic key", b"quic iv", b"quic hp", b"quic ku"]
    }
}

/// The Retry pseudo-packet (RFC 9001 §5.8): the client's original Destination Connection ID,
/// length-prefixed, then the Retry packet without its tag. Writes into `out` and returns the
/// used part; `None` if `out` is too small.
pub fn retry_pseudo_packet<'o>(
    original_dcid: &[u8],
    retry_without_tag: &[u8],
    out: &'o mut [u8],
) -> Option<&'o [u8]> {
    let len = 1 + original_dcid.len() + retry_without_tag.len();
    let dst = out.get_mut(..len)?;
    let (prefix, rest) = dst.split_first_mut()?;
    *prefix = u8::try_from(original_dcid.len()).ok()?;
    let (cid, packet) = rest.split_at_mut(original_dcid.len());
    cid.copy_from_slice(original_dcid);
    packet.copy_from_slice(retry_without_tag);
    Some(dst)
}

/// Checks the integrity tag of a Retry `packet` (the whole packet, tag included) sent in
/// answer to a client whose first Destination Connection ID was `original_dcid`.
pub fn verify_retry(
    provider: &dyn Provider,
    version: Version,
    original_dcid: &[u8],
    packet: &[u8],
) -> bool {
    let Some(split) = packet.len().checked_sub(16) else {
        return false;
    };
    let (body, tag) = packet.split_at(split);
    // Retry packets fit a datagram; 1 + 20 + 65535 covers any.
    let mut buf = alloc::vec![0u8; 1 + original_dcid.len() + body.len()];
    let Some(pseudo) = retry_pseudo_packet(original_dcid, body, &mut buf) else {
        return false;
    };
    match provider.retry_tag(version, pseudo) {
        // Not secret-dependent: the tag is public; a plain comparison is fine.
        Ok(expected) => expected.as_slice() == tag,
        Err(_) => false,
    }
}

/// Packet keys for (sending, receiving).
pub type PacketKeyPair = (Box<dyn PacketKey>, Box<dyn PacketKey>);

/// 1-RTT secrets of both directions, for key update (RFC 9001 §6): each update replaces both
/// with their next generation. Header protection keys never change.
#[derive(Clone, Debug)]
pub struct OneRttSecrets {
    /// The negotiated suite.
    pub suite: CipherSuite,
    /// The QUIC version (it selects the "ku" label).
    pub version: Version,
    /// The client's current traffic secret.
    pub client: Secret,
    /// The server's current traffic secret.
    pub server: Secret,
}

impl OneRttSecrets {
    /// The packet keys of the current generation for `side`: (local, remote).
    pub fn packet_keys(
        &self,
        provider: &dyn Provider,
        side: Side,
    ) -> Result<PacketKeyPair, CryptoError> {
        let (local, remote) = match side {
            Side::Client => (&self.client, &self.server),
            Side::Server => (&self.server, &self.client),
        };
        Ok((
            provider.packet_key(self.suite, self.version, local)?,
            provider.packet_key(self.suite, self.version, remote)?,
        ))
    }

    /// Moves both secrets to the next generation (RFC 9001 §6.1).
    pub fn update(&mut self, provider: &dyn Provider) -> Result<(), CryptoError> {
        self.client = provider.next_secret(self.suite, self.version, &self.client)?;
        self.server = provider.next_secret(self.suite, self.version, &self.server)?;
        Ok(())
    }
}

/// What [`AeadUsage::on_seal`] asks of the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealVerdict {
    /// Keep sending with this key.
    Ok,
    /// The key is near its confidentiality limit: initiate a key update now (RFC 9001 §6.6).
    UpdateKeys,
    /// The limit is reached: no more packets may be sealed with this key; the connection must
    /// stop sending (or close) until a key update completes.
    Exhausted,
}

/// Counts packet protection use against the AEAD limits (RFC 9001 §6.6): packets sealed with
/// the current key (confidentiality) and packets that failed authentication over the whole
/// connection (integrity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AeadUsage {
    sealed: u64,
    failed_opens: u64,
    confidentiality_limit: u64,
    integrity_limit: u64,
    /// Fraction (in 1/16ths) of the confidentiality limit at which a key update is asked for.
    update_at: u64,
}

impl AeadUsage {
    /// Tracking against `suite`'s limits; a key update is requested at 15/16 of the
    /// confidentiality limit.
    pub const fn new(suite: CipherSuite) -> Self {
        Self::with_limits(suite.confidentiality_limit(), suite.integrity_limit())
    }

    /// Tracking against explicit limits (for tests, or a stricter policy).
    pub const fn with_limits(confidentiality_limit: u64, integrity_limit: u64) -> Self {
        Self {
            sealed: 0,
            failed_opens: 0,
            confidentiality_limit,
            integrity_limit,
            update_at: confidentiality_limit / 16 * 15,
        }
    }

    /// Records one packet sealed with the current key.
    pub fn on_seal(&mut self) -> SealVerdict {
        if self.sealed >= self.confidentiality_limit {
            return SealVerdict::Exhausted;
        }
        self.sealed += 1;
        if self.sealed >= self.update_at {
            SealVerdict::UpdateKeys
        } else {
            SealVerdict::Ok
        }
    }

    /// Records a packet that failed authentication; past the integrity limit the connection
    /// must close with AEAD_LIMIT_REACHED (RFC 9001 §6.6).
    pub fn on_open_failure(&mut self) -> Result<(), TransportError> {
        self.failed_opens = self.failed_opens.saturating_add(1);
        if self.failed_opens > self.integrity_limit {
            return Err(TransportError {
                code: TransportErrorCode::AeadLimitReached,
                frame_type: None,
                reason: "AEAD integrity limit reached",
            });
        }
        Ok(())
    }

    /// A key update took effect: the confidentiality count restarts for the new key; failed
    /// authentications keep counting (they span the connection).
    pub fn on_key_update(&mut self) {
        self.sealed = 0;
    }

    /// Packets sealed with the current key.
    pub const fn sealed(&self) -> u64 {
        self.sealed
    }

    /// Packets that failed authentication so far.
    pub const fn failed_opens(&self) -> u64 {
        self.failed_opens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_asks_for_update_then_stops_at_the_limit() {
        let mut usage = AeadUsage::with_limits(32, 2);
        for _ in 0..29 {
            assert_eq!(usage.on_seal(), SealVerdict::Ok);
        }
        assert_eq!(usage.on_seal(), SealVerdict::UpdateKeys);
        usage.on_seal();
        usage.on_seal();
        assert_eq!(usage.on_seal(), SealVerdict::Exhausted);
        usage.on_key_update();
        assert_eq!(usage.on_seal(), SealVerdict::Ok);
        assert!(usage.on_open_failure().is_ok());
        assert!(usage.on_open_failure().is_ok());
        assert_eq!(
            usage.on_open_failure().unwrap_err().code,
            TransportErrorCode::AeadLimitReached
        );
    }
}
