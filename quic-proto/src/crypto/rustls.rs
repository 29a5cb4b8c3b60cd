//! Adapters for the keys rustls's `quic` module produces (`rustls::quic::Keys`,
//! `DirectionalKeys`, `PacketKeySet`): a connection driving a rustls QUIC handshake hands them
//! straight to this crate's packet functions.

use alloc::boxed::Box;

use ::rustls::quic as rq;

use super::{CryptoError, DirectionalKeys, HeaderKey, Keys, PacketKey};

/// A rustls packet key as a [`PacketKey`].
pub struct RustlsPacketKey(pub Box<dyn rq::PacketKey>);

/// A rustls header protection key as a [`HeaderKey`].
pub struct RustlsHeaderKey(pub Box<dyn rq::HeaderProtectionKey>);

impl PacketKey for RustlsPacketKey {
    fn seal(
        &self,
        pn: u64,
        header: &[u8],
        payload: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        let computed = self
            .0
            .encrypt_in_place(pn, header, payload)
            .map_err(|_| CryptoError::EncryptFailed)?;
        if tag.len() != computed.as_ref().len() {
            return Err(CryptoError::EncryptFailed);
        }
        tag.copy_from_slice(computed.as_ref());
        Ok(())
    }

    fn open(&self, pn: u64, header: &[u8], payload: &mut [u8]) -> Result<usize, CryptoError> {
        self.0
            .decrypt_in_place(pn, header, payload)
            .map(<[u8]>::len)
            .map_err(|_| CryptoError::DecryptFailed)
    }

    fn tag_len(&self) -> usize {
        self.0.tag_len()
    }

    fn confidentiality_limit(&self) -> u64 {
        self.0.confidentiality_limit()
    }

    fn integrity_limit(&self) -> u64 {
        self.0.integrity_limit()
    }
}

impl HeaderKey for RustlsHeaderKey {
    fn sample_len(&self) -> usize {
        self.0.sample_len()
    }

    /// rustls applies masks rather than exposing them: apply one to a short-header first
    /// byte announcing a 4-byte packet number, and to four zero bytes, and read the mask
    /// back (the low five bits of its first byte are all a header ever uses).
    fn mask(&self, sample: &[u8]) -> Result<[u8; 5], CryptoError> {
        let mut first = 0x03u8;
        let mut pn = [0u8; 4];
        self.0
            .encrypt_in_place(sample, &mut first, &mut pn)
            .map_err(|_| CryptoError::BadSample)?;
        Ok([first ^ 0x03, pn[0], pn[1], pn[2], pn[3]])
    }
}

/// One direction's rustls keys as this crate's.
pub fn directional(keys: rq::DirectionalKeys) -> DirectionalKeys {
    DirectionalKeys {
        header: Box::new(RustlsHeaderKey(keys.header)),
        packet: Box::new(RustlsPacketKey(keys.packet)),
    }
}

/// Both directions' rustls keys (e.g. from `KeyChange::Handshake`) as this crate's.
pub fn keys(keys: rq::Keys) -> Keys {
    Keys {
        local: directional(keys.local),
        remote: directional(keys.remote),
    }
}

/// A rustls 1-RTT key generation (from `Secrets::next_packet_keys`, for key update) as
/// (sending, receiving) packet keys.
pub fn packet_key_set(set: rq::PacketKeySet) -> super::PacketKeyPair {
    (
        Box::new(RustlsPacketKey(set.local)),
        Box::new(RustlsPacketKey(set.remote)),
    )
}
