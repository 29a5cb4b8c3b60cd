//! The [`Provider`] built on ring: AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305 for
//! payloads, ring's QUIC header protection (`ring::aead::quic`) for masks, and ring's HKDF for
//! key derivation. Only the HKDF-Expand-Label framing (RFC 8446 §7.1) is written here.

use alloc::boxed::Box;

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf;

use super::{
    CipherSuite, CryptoError, HeaderKey, PacketKey, Provider, Secret, initial_salt, labels,
    retry_key_nonce,
};
use crate::version::Version;

/// Packet protection with ring.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ring;

/// An output length for ring's HKDF.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf_alg(suite: CipherSuite) -> hkdf::Algorithm {
    match suite {
        CipherSuite::Aes256GcmSha384 => hkdf::HKDF_SHA384,
        _ => hkdf::HKDF_SHA256,
    }
}

/// HKDF-Expand-Label(secret, label, "", out.len()) (RFC 8446 §7.1), filling `out`.
fn expand_label(prk: &hkdf::Prk, label: &[u8], out: &mut [u8]) -> Result<(), CryptoError> {
    let length = u16::try_from(out.len())
        .map_err(|_| CryptoError::BadKeyMaterial)?
        .to_be_bytes();
    let label_len = [u8::try_from(6 + label.len()).map_err(|_| CryptoError::BadKeyMaterial)?];
    let info: [&[u8]; 5] = [&length, &label_len, b"tls13 ", label, &[0]];
    prk.expand(&info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| CryptoError::BadKeyMaterial)
}

fn prk_for(suite: CipherSuite, secret: &Secret) -> hkdf::Prk {
    hkdf::Prk::new_less_safe(hkdf_alg(suite), secret.as_bytes())
}

/// A payload key: ring's AEAD key and the IV the nonce is made from (RFC 9001 §5.3).
pub struct RingPacketKey {
    key: LessSafeKey,
    iv: [u8; 12],
    suite: CipherSuite,
}

impl RingPacketKey {
    /// A key from raw key and IV bytes.
    pub fn new(suite: CipherSuite, key: &[u8], iv: [u8; 12]) -> Result<Self, CryptoError> {
        let alg = match suite {
            CipherSuite::Aes128GcmSha256 => &aead::AES_128_GCM,
            CipherSuite::Aes256GcmSha384 => &aead::AES_256_GCM,
            CipherSuite::ChaCha20Poly1305Sha256 => &aead::CHACHA20_POLY1305,
        };
        let key = UnboundKey::new(alg, key).map_err(|_| CryptoError::BadKeyMaterial)?;
        Ok(Self {
            key: LessSafeKey::new(key),
            iv,
            suite,
        })
    }

    /// The IV XOR the packet number, left-padded (RFC 9001 §5.3).
    fn nonce(&self, pn: u64) -> Nonce {
        let mut nonce = self.iv;
        for (n, p) in nonce[4..].iter_mut().zip(pn.to_be_bytes()) {
            *n ^= p;
        }
        Nonce::assume_unique_for_key(nonce)
    }
}

impl PacketKey for RingPacketKey {
    #[inline]
    fn seal(
        &self,
        pn: u64,
        header: &[u8],
        payload: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        let computed = self
            .key
            .seal_in_place_separate_tag(self.nonce(pn), Aad::from(header), payload)
            .map_err(|_| CryptoError::EncryptFailed)?;
        if tag.len() != computed.as_ref().len() {
            return Err(CryptoError::EncryptFailed);
        }
        tag.copy_from_slice(computed.as_ref());
        Ok(())
    }

    #[inline]
    fn open(&self, pn: u64, header: &[u8], payload: &mut [u8]) -> Result<usize, CryptoError> {
        self.key
            .open_in_place(self.nonce(pn), Aad::from(header), payload)
            .map(|plain| plain.len())
            .map_err(|_| CryptoError::DecryptFailed)
    }

    fn tag_len(&self) -> usize {
        16
    }

    fn confidentiality_limit(&self) -> u64 {
        self.suite.confidentiality_limit()
    }

    fn integrity_limit(&self) -> u64 {
        self.suite.integrity_limit()
    }
}

/// A header protection key: ring's AES-ECB or ChaCha20 mask (RFC 9001 §5.4.3, §5.4.4).
pub struct RingHeaderKey(aead::quic::HeaderProtectionKey);

impl RingHeaderKey {
    /// A key from raw bytes.
    pub fn new(suite: CipherSuite, key: &[u8]) -> Result<Self, CryptoError> {
        let alg = match suite {
            CipherSuite::Aes128GcmSha256 => &aead::quic::AES_128,
            CipherSuite::Aes256GcmSha384 => &aead::quic::AES_256,
            CipherSuite::ChaCha20Poly1305Sha256 => &aead::quic::CHACHA20,
        };
        aead::quic::HeaderProtectionKey::new(alg, key)
            .map(Self)
            .map_err(|_| CryptoError::BadKeyMaterial)
    }
}

impl HeaderKey for RingHeaderKey {
    fn sample_len(&self) -> usize {
        16
    }

    #[inline]
    fn mask(&self, sample: &[u8]) -> Result<[u8; 5], CryptoError> {
        self.0.new_mask(sample).map_err(|_| CryptoError::BadSample)
    }
}

/// The raw packet protection material of a traffic secret, for tests and tracing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMaterial {
    /// The AEAD key (16 or 32 bytes used).
    pub key: [u8; 32],
    /// The key's length.
    pub key_len: usize,
    /// The IV.
    pub iv: [u8; 12],
    /// The header protection key (first `key_len` bytes used).
    pub hp: [u8; 32],
}

impl KeyMaterial {
    /// The AEAD key bytes.
    pub fn key(&self) -> &[u8] {
        self.key.get(..self.key_len).unwrap_or_default()
    }

    /// The header protection key bytes.
    pub fn hp(&self) -> &[u8] {
        self.hp.get(..self.key_len).unwrap_or_default()
    }
}

impl Ring {
    /// Derives key, IV and header protection key from a traffic secret (RFC 9001 §5.1).
    pub fn key_material(
        &self,
        suite: CipherSuite,
        version: Version,
        secret: &Secret,
    ) -> Result<KeyMaterial, CryptoError> {
        let prk = prk_for(suite, secret);
        let [key_label, iv_label, hp_label, _] = labels(version);
        let key_len = suite.key_len();
        let mut material = KeyMaterial {
            key: [0; 32],
            key_len,
            iv: [0; 12],
            hp: [0; 32],
        };
        expand_label(&prk, key_label, &mut material.key[..key_len])?;
        expand_label(&prk, iv_label, &mut material.iv)?;
        expand_label(&prk, hp_label, &mut material.hp[..key_len])?;
        Ok(material)
    }
}

impl Provider for Ring {
    fn packet_key(
        &self,
        suite: CipherSuite,
        version: Version,
        secret: &Secret,
    ) -> Result<Box<dyn PacketKey>, CryptoError> {
        let m = self.key_material(suite, version, secret)?;
        Ok(Box::new(RingPacketKey::new(suite, m.key(), m.iv)?))
    }

    fn header_key(
        &self,
        suite: CipherSuite,
        version: Version,
        secret: &Secret,
    ) -> Result<Box<dyn HeaderKey>, CryptoError> {
        let m = self.key_material(suite, version, secret)?;
        Ok(Box::new(RingHeaderKey::new(suite, m.hp())?))
    }

    fn next_secret(
        &self,
        suite: CipherSuite,
        version: Version,
        secret: &Secret,
    ) -> Result<Secret, CryptoError> {
        let mut next = [0u8; 48];
        let len = suite.secret_len();
        let out = next.get_mut(..len).ok_or(CryptoError::BadKeyMaterial)?;
        expand_label(&prk_for(suite, secret), labels(version)[3], out)?;
        Secret::new(out)
    }

    fn initial_secrets(&self, version: Version, client_dcid: &[u8]) -> (Secret, Secret) {
        let initial =
            hkdf::Salt::new(hkdf::HKDF_SHA256, initial_salt(version)).extract(client_dcid);
        let mut client = [0u8; 32];
        let mut server = [0u8; 32];
        // 32-byte outputs of SHA-256 HKDF with short labels cannot fail.
        let _ = expand_label(&initial, b"client in", &mut client);
        let _ = expand_label(&initial, b"server in", &mut server);
        (
            Secret::new(&client).unwrap_or_else(|_| empty_secret()),
            Secret::new(&server).unwrap_or_else(|_| empty_secret()),
        )
    }

    fn retry_tag(&self, version: Version, pseudo_packet: &[u8]) -> Result<[u8; 16], CryptoError> {
        let (key, nonce) = retry_key_nonce(version);
        let key =
            UnboundKey::new(&aead::AES_128_GCM, key).map_err(|_| CryptoError::BadKeyMaterial)?;
        let tag = LessSafeKey::new(key)
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(pseudo_packet),
                &mut [],
            )
            .map_err(|_| CryptoError::EncryptFailed)?;
        tag.as_ref()
            .try_into()
            .map_err(|_| CryptoError::EncryptFailed)
    }
}

fn empty_secret() -> Secret {
    Secret {
        len: 0,
        bytes: [0; 48],
    }
}
