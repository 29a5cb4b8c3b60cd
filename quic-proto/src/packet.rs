//! QUIC packets (RFC 9000 §17, RFC 9369 §3.2): parsing the unprotected parts of long and short
//! headers, walking the packets coalesced in one datagram (RFC 9000 §12.2), removing and
//! applying packet protection (RFC 9001 §5), and building packets into caller buffers.
//!
//! Parsing never copies the packet: [`Header`] holds offsets into the datagram plus the
//! connection IDs (inline, at most 20 bytes). Unprotecting works in place on the mutable
//! packet bytes, so a connection decrypts straight into the receive buffer.

use core::ops::Range;

use wire_codec::{BufferTooSmall, Output, Reader, VarInt, Writer};

use crate::cid::ConnectionId;
use crate::crypto::{CryptoError, HeaderKey, PacketKey};
use crate::error::TransportError;
use crate::packet_number;
use crate::version::Version;

/// The packet types (RFC 9000 §17).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// Initial (long header, RFC 9000 §17.2.2).
    Initial,
    /// 0-RTT (long header, RFC 9000 §17.2.3).
    ZeroRtt,
    /// Handshake (long header, RFC 9000 §17.2.4).
    Handshake,
    /// Retry (long header, RFC 9000 §17.2.5).
    Retry,
    /// Version Negotiation (RFC 9000 §17.2.1).
    VersionNegotiation,
    /// 1-RTT (short header, RFC 9000 §17.3.1).
    OneRtt,
}

impl PacketType {
    /// The packet number space the type belongs to; `None` for Retry and Version Negotiation,
    /// which carry no packet number.
    pub const fn space(self) -> Option<SpaceId> {
        match self {
            Self::Initial => Some(SpaceId::Initial),
            Self::Handshake => Some(SpaceId::Handshake),
            Self::ZeroRtt | Self::OneRtt => Some(SpaceId::Data),
            Self::Retry | Self::VersionNegotiation => None,
        }
    }

    /// The two Long Packet Type bits for this type in `version` (RFC 9000 §17.2, RFC 9369
    /// §3.2, where v2 rotates them).
    pub const fn long_type_bits(self, version: Version) -> Option<u8> {
        let v1 = match self {
            Self::Initial => 0,
            Self::ZeroRtt => 1,
            Self::Handshake => 2,
            Self::Retry => 3,
            Self::VersionNegotiation | Self::OneRtt => return None,
        };
        Some(if version.0 == Version::V2.0 {
            (v1 + 1) & 3
        } else {
            v1
        })
    }

    /// The type named by the Long Packet Type bits in `version`.
    pub const fn from_long_type_bits(bits: u8, version: Version) -> Self {
        let v1 = if version.0 == Version::V2.0 {
            bits.wrapping_sub(1) & 3
        } else {
            bits & 3
        };
        match v1 {
            0 => Self::Initial,
            1 => Self::ZeroRtt,
            2 => Self::Handshake,
            _ => Self::Retry,
        }
    }

    /// Whether packets of this type carry a long header.
    pub const fn is_long(self) -> bool {
        !matches!(self, Self::OneRtt)
    }
}

/// The three packet number spaces (RFC 9000 §12.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpaceId {
    /// Initial packets.
    Initial,
    /// Handshake packets.
    Handshake,
    /// 0-RTT and 1-RTT packets.
    Data,
}

/// Why the bytes at some offset of a datagram do not form a packet this endpoint can process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    /// The packet ends before its header or its Length says it should.
    #[error("packet truncated")]
    Truncated,
    /// The fixed bit (0x40) is zero (RFC 9000 §17.2, §17.3.1).
    #[error("fixed bit is zero")]
    FixedBitZero,
    /// A connection ID is longer than 20 bytes in a version that allows at most 20. For a
    /// version this crate does not implement, [`InvariantLongHeader`] still reads the IDs to
    /// answer with Version Negotiation.
    #[error("connection ID longer than 20 bytes")]
    ConnectionIdTooLong,
    /// A long header of a version this crate does not implement; the endpoint may answer with
    /// Version Negotiation (RFC 9000 §6).
    #[error("unsupported version {version}")]
    UnsupportedVersion {
        /// The version.
        version: Version,
        /// The Destination Connection ID, to echo in Version Negotiation.
        dcid: ConnectionId,
        /// The Source Connection ID, to echo in Version Negotiation.
        scid: ConnectionId,
    },
    /// A Version Negotiation packet whose version list is empty or not a multiple of 4 bytes.
    #[error("malformed Version Negotiation packet")]
    BadVersionNegotiation,
    /// A packet too short to hold the 4 + 16 bytes header protection samples (RFC 9001
    /// §5.4.2).
    #[error("packet too short for a header protection sample")]
    TooShortForSample,
    /// Retry and Version Negotiation packets carry no packet protection (RFC 9000 §17.2.1,
    /// §17.2.5); there is nothing to remove.
    #[error("Retry and Version Negotiation packets are not protected")]
    NotProtected,
    /// Packet protection could not be removed (wrong keys, or a forged or damaged packet).
    #[error("packet protection: {0}")]
    Crypto(#[from] CryptoError),
    /// The packet decrypted, but its reserved bits are not zero (RFC 9000 §17.2, §17.3.1): a
    /// PROTOCOL_VIOLATION.
    #[error("reserved header bits are set")]
    ReservedBitsSet,
}

impl PacketError {
    /// The connection error this packet causes, if any: only [`PacketError::ReservedBitsSet`]
    /// is fatal; every other failure means the packet is discarded.
    pub const fn connection_error(&self) -> Option<TransportError> {
        match self {
            Self::ReservedBitsSet => Some(TransportError::protocol_violation(
                None,
                "reserved header bits set",
            )),
            _ => None,
        }
    }
}

/// The parts of a packet's header readable before protection is removed (RFC 9000 §17).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The packet type.
    pub ty: PacketType,
    /// The first byte as received (still masked for protected packets).
    pub first: u8,
    /// The version; [`Version::NEGOTIATION`] for Version Negotiation, and for short headers the
    /// value is meaningless ([`Version::NEGOTIATION`]).
    pub version: Version,
    /// Destination Connection ID.
    pub dcid: ConnectionId,
    /// Source Connection ID (empty for short headers).
    pub scid: ConnectionId,
    /// The token of an Initial or Retry packet, as a range of the packet bytes.
    pub token: Range<usize>,
    /// Where the (protected) packet number starts; 0 for Retry and Version Negotiation.
    pub pn_offset: usize,
    /// The whole packet's length in the datagram.
    pub len: usize,
}

impl Header {
    /// The token bytes of an Initial or Retry packet (empty otherwise); `packet` is the packet
    /// this header was parsed from.
    pub fn token<'a>(&self, packet: &'a [u8]) -> &'a [u8] {
        packet.get(self.token.clone()).unwrap_or_default()
    }

    /// The spin bit of a short header (RFC 9000 §17.4); the bit is not protected.
    pub const fn spin(&self) -> bool {
        matches!(self.ty, PacketType::OneRtt) && self.first & 0x20 != 0
    }

    /// The versions a Version Negotiation packet lists.
    pub fn supported_versions<'a>(&self, packet: &'a [u8]) -> impl Iterator<Item = Version> + 'a {
        let list = if self.ty == PacketType::VersionNegotiation {
            packet.get(self.token.clone()).unwrap_or_default()
        } else {
            &[]
        };
        list.chunks_exact(4)
            .map(|c| Version(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
    }

    /// The Retry Integrity Tag of a Retry packet (RFC 9001 §5.8).
    pub fn retry_integrity_tag(&self, packet: &[u8]) -> Option<[u8; 16]> {
        if self.ty != PacketType::Retry {
            return None;
        }
        let start = self.len.checked_sub(16)?;
        packet.get(start..self.len)?.try_into().ok()
    }
}

/// Parses the header of the packet at the start of `bytes`. `local_cid_len` is the length of
/// the connection IDs this endpoint issues, needed to find the end of a short header's
/// Destination Connection ID (RFC 9000 §17.3).
#[inline]
pub fn parse_header(bytes: &[u8], local_cid_len: usize) -> Result<Header, PacketError> {
    let mut r = Reader::new(bytes);
    let first = r.read_u8().map_err(|_| PacketError::Truncated)?;
    if first & 0x80 == 0 {
        if first & 0x40 == 0 {
            return Err(PacketError::FixedBitZero);
        }
        let dcid = r
            .read_bytes(local_cid_len)
            .map_err(|_| PacketError::Truncated)?;
        let dcid = ConnectionId::new(dcid).map_err(|_| PacketError::ConnectionIdTooLong)?;
        let pn_offset = r.position();
        return Ok(Header {
            ty: PacketType::OneRtt,
            first,
            version: Version::NEGOTIATION,
            dcid,
            scid: ConnectionId::EMPTY,
            token: 0..0,
            pn_offset,
            len: bytes.len(),
        });
    }
    let version = Version(r.read_u32().map_err(|_| PacketError::Truncated)?);
    let dcid_len = usize::from(r.read_u8().map_err(|_| PacketError::Truncated)?);
    let dcid = r.read_bytes(dcid_len).map_err(|_| PacketError::Truncated)?;
    let scid_len = usize::from(r.read_u8().map_err(|_| PacketError::Truncated)?);
    let scid = r.read_bytes(scid_len).map_err(|_| PacketError::Truncated)?;
    let (dcid, scid) = match (ConnectionId::new(dcid), ConnectionId::new(scid)) {
        (Ok(d), Ok(s)) => (d, s),
        _ => return Err(PacketError::ConnectionIdTooLong),
    };
    if version == Version::NEGOTIATION {
        let start = r.position();
        let list_len = r.remaining();
        if list_len == 0 || !list_len.is_multiple_of(4) {
            return Err(PacketError::BadVersionNegotiation);
        }
        return Ok(Header {
            ty: PacketType::VersionNegotiation,
            first,
            version,
            dcid,
            scid,
            token: start..bytes.len(),
            pn_offset: 0,
            len: bytes.len(),
        });
    }
    if !version.is_supported() {
        return Err(PacketError::UnsupportedVersion {
            version,
            dcid,
            scid,
        });
    }
    if first & 0x40 == 0 {
        return Err(PacketError::FixedBitZero);
    }
    let ty = PacketType::from_long_type_bits((first >> 4) & 3, version);
    let mut header = Header {
        ty,
        first,
        version,
        dcid,
        scid,
        token: 0..0,
        pn_offset: 0,
        len: bytes.len(),
    };
    match ty {
        PacketType::Retry => {
            let start = r.position();
            let end = bytes.len().checked_sub(16).ok_or(PacketError::Truncated)?;
            if end < start {
                return Err(PacketError::Truncated);
            }
            header.token = start..end;
            return Ok(header);
        }
        PacketType::Initial => {
            let token_len = r.read_varint().map_err(|_| PacketError::Truncated)?;
            let token_len =
                usize::try_from(token_len.into_inner()).map_err(|_| PacketError::Truncated)?;
            let start = r.position();
            r.skip(token_len).map_err(|_| PacketError::Truncated)?;
            header.token = start..r.position();
        }
        _ => {}
    }
    let length = r.read_varint().map_err(|_| PacketError::Truncated)?;
    let length = usize::try_from(length.into_inner()).map_err(|_| PacketError::Truncated)?;
    header.pn_offset = r.position();
    if length > r.remaining() {
        return Err(PacketError::Truncated);
    }
    header.len = header.pn_offset + length;
    Ok(header)
}

/// The packets coalesced in one UDP datagram (RFC 9000 §12.2), as an iterator of
/// `(range of the datagram, header)`.
///
/// An error in the first packet is returned (the whole datagram is then unusable). Bytes after
/// a good packet that do not parse as a packet — the zero padding some clients append after
/// a coalesced Initial, for instance — end the iteration quietly and are counted in
/// [`Datagram::skipped`]; so are later packets whose Destination Connection ID differs from
/// the first's, which RFC 9000 §12.2 says to ignore.
#[derive(Clone, Debug)]
pub struct Datagram<'a> {
    bytes: &'a [u8],
    pos: usize,
    local_cid_len: usize,
    first_dcid: Option<ConnectionId>,
    skipped: usize,
    done: bool,
}

impl<'a> Datagram<'a> {
    /// Walks the packets of `bytes`; see [`parse_header`] for `local_cid_len`.
    pub const fn new(bytes: &'a [u8], local_cid_len: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            local_cid_len,
            first_dcid: None,
            skipped: 0,
            done: false,
        }
    }

    /// Bytes ignored so far: trailing bytes that form no packet, and packets for another
    /// connection ID.
    pub const fn skipped(&self) -> usize {
        self.skipped
    }
}

impl Iterator for Datagram<'_> {
    type Item = Result<(Range<usize>, Header), PacketError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            if rest.is_empty() {
                self.done = true;
                return None;
            }
            let start = self.pos;
            match parse_header(rest, self.local_cid_len) {
                Ok(mut header) => {
                    let end = start + header.len;
                    self.pos = end;
                    // Offsets relative to the datagram's packet, which starts at 0 of its
                    // own slice: callers index `&datagram[range]` with them.
                    header.len = end - start;
                    match self.first_dcid {
                        None => self.first_dcid = Some(header.dcid),
                        Some(first) if first != header.dcid => {
                            self.skipped += end - start;
                            continue;
                        }
                        Some(_) => {}
                    }
                    return Some(Ok((start..end, header)));
                }
                Err(error) => {
                    self.done = true;
                    if self.first_dcid.is_none() {
                        return Some(Err(error));
                    }
                    self.skipped += rest.len();
                    return None;
                }
            }
        }
    }
}

/// The header bits and packet number recovered by removing header protection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unmasked {
    /// The unprotected first byte.
    pub first: u8,
    /// The packet number length, 1–4.
    pub pn_len: usize,
    /// The truncated packet number as sent.
    pub truncated_pn: u32,
}

impl Unmasked {
    /// The Key Phase bit of a short header (RFC 9001 §6).
    pub const fn key_phase(&self) -> bool {
        self.first & 0x80 == 0 && self.first & 0x04 != 0
    }

    /// Whether the reserved bits are set (0x0c long, 0x18 short): after successful decryption
    /// this is a PROTOCOL_VIOLATION (RFC 9000 §17.2).
    pub const fn reserved_bits_set(&self) -> bool {
        let mask = if self.first & 0x80 != 0 { 0x0c } else { 0x18 };
        self.first & mask != 0
    }
}

/// Where the header protection sample starts: 4 bytes after the packet number's start,
/// whatever the packet number's length (RFC 9001 §5.4.2).
#[inline]
fn sample_range(pn_offset: usize, sample_len: usize) -> Range<usize> {
    let start = pn_offset + 4;
    start..start + sample_len
}

/// Removes header protection from `packet` (exactly one packet, as [`Header::len`] bytes),
/// in place (RFC 9001 §5.4).
#[inline]
pub fn remove_header_protection(
    packet: &mut [u8],
    header: &Header,
    key: &dyn HeaderKey,
) -> Result<Unmasked, PacketError> {
    if header.ty.space().is_none() {
        return Err(PacketError::NotProtected);
    }
    // Only this packet's bytes: the sample must not reach into a coalesced packet after it.
    let packet = packet.get_mut(..header.len).ok_or(PacketError::Truncated)?;
    let sample = packet
        .get(sample_range(header.pn_offset, key.sample_len()))
        .ok_or(PacketError::TooShortForSample)?;
    let mask = key.mask(sample)?;
    let first = packet.first_mut().ok_or(PacketError::Truncated)?;
    let bits = if *first & 0x80 != 0 { 0x0f } else { 0x1f };
    *first ^= mask[0] & bits;
    let first = *first;
    let pn_len = usize::from(first & 0x03) + 1;
    let pn_bytes = packet
        .get_mut(header.pn_offset..header.pn_offset + pn_len)
        .ok_or(PacketError::Truncated)?;
    let mut truncated_pn = 0u32;
    for (byte, m) in pn_bytes.iter_mut().zip(&mask[1..]) {
        *byte ^= m;
        truncated_pn = truncated_pn << 8 | u32::from(*byte);
    }
    Ok(Unmasked {
        first,
        pn_len,
        truncated_pn,
    })
}

/// Decrypts the payload of `packet` in place once header protection is off, returning the
/// plaintext frames. `pn` is the full packet number ([`packet_number::decode`]).
#[inline]
pub fn decrypt_payload<'a>(
    packet: &'a mut [u8],
    header: &Header,
    unmasked: &Unmasked,
    pn: u64,
    key: &dyn PacketKey,
) -> Result<&'a mut [u8], PacketError> {
    if header.ty.space().is_none() {
        return Err(PacketError::NotProtected);
    }
    let header_len = header.pn_offset + unmasked.pn_len;
    let packet = packet.get_mut(..header.len).ok_or(PacketError::Truncated)?;
    if header_len > packet.len() {
        return Err(PacketError::Truncated);
    }
    let (aad, payload) = packet.split_at_mut(header_len);
    let plain_len = key.open(pn, aad, payload)?;
    payload.get_mut(..plain_len).ok_or(PacketError::Truncated)
}

/// A packet with protection removed.
#[derive(Debug)]
pub struct Opened<'a> {
    /// The full packet number.
    pub pn: u64,
    /// The unprotected header bits.
    pub unmasked: Unmasked,
    /// The plaintext payload: frames, for [`crate::frame::Frames`].
    pub payload: &'a mut [u8],
}

/// Removes header and payload protection from one packet (RFC 9001 §5): the usual path for
/// Initial and Handshake packets, and for 1-RTT when no key update is pending. `largest_pn`
/// is the largest packet number processed so far in the packet's space.
#[inline]
pub fn open<'a>(
    packet: &'a mut [u8],
    header: &Header,
    header_key: &dyn HeaderKey,
    packet_key: &dyn PacketKey,
    largest_pn: Option<u64>,
) -> Result<Opened<'a>, PacketError> {
    let unmasked = remove_header_protection(packet, header, header_key)?;
    let pn = packet_number::decode(unmasked.truncated_pn, unmasked.pn_len, largest_pn);
    let payload = decrypt_payload(packet, header, &unmasked, pn, packet_key)?;
    if unmasked.reserved_bits_set() {
        return Err(PacketError::ReservedBitsSet);
    }
    Ok(Opened {
        pn,
        unmasked,
        payload,
    })
}

/// What a long-header packet being built is.
#[derive(Clone, Copy, Debug)]
pub enum LongType<'t> {
    /// Initial, with its token (empty for a client without one, and always for a server).
    Initial {
        /// The token from Retry or NEW_TOKEN.
        token: &'t [u8],
    },
    /// 0-RTT.
    ZeroRtt,
    /// Handshake.
    Handshake,
}

/// Why a packet could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The buffer is too small.
    #[error(transparent)]
    BufferTooSmall(#[from] BufferTooSmall),
    /// The payload is too long for the Length field reserved for it.
    #[error("payload too long for the packet's Length field")]
    PayloadTooLong,
    /// Sealing failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// A packet being written into a [`Writer`]: the header goes in first, then the caller writes
/// frames, then [`PacketBuilder::finish`] fills in the Length, adds padding if the packet is
/// too short for a header protection sample, and protects the packet in place.
#[derive(Clone, Copy, Debug)]
pub struct PacketBuilder {
    start: usize,
    /// Offset and width of the reserved Length field (long headers only).
    length_field: Option<(usize, usize)>,
    pn_offset: usize,
    pn_len: usize,
    pn: u64,
}

impl PacketBuilder {
    /// Writes a long header (RFC 9000 §17.2) of `ty` and `version`; packet number `pn` goes in
    /// `pn_len` bytes (1–4, see [`packet_number::encoded_len`]).
    #[allow(clippy::too_many_arguments)]
    pub fn long(
        w: &mut Writer<'_>,
        ty: LongType<'_>,
        version: Version,
        dcid: &ConnectionId,
        scid: &ConnectionId,
        pn: u64,
        pn_len: usize,
    ) -> Result<Self, BuildError> {
        let start = w.len();
        let pn_len = pn_len.clamp(1, 4);
        let packet_type = match ty {
            LongType::Initial { .. } => PacketType::Initial,
            LongType::ZeroRtt => PacketType::ZeroRtt,
            LongType::Handshake => PacketType::Handshake,
        };
        let bits = packet_type.long_type_bits(version).unwrap_or(0);
        w.put_u8(0xc0 | bits << 4 | (pn_len - 1) as u8)?;
        w.put_u32(version.0)?;
        w.put_u8(dcid.len() as u8)?;
        w.put_slice(dcid)?;
        w.put_u8(scid.len() as u8)?;
        w.put_slice(scid)?;
        if let LongType::Initial { token } = ty {
            let len = VarInt::try_from(token.len()).map_err(|_| BuildError::PayloadTooLong)?;
            w.put_varint(len)?;
            w.put_slice(token)?;
        }
        // Two bytes hold lengths up to 16383, enough for any datagram that fits a buffer of
        // that size; larger buffers get four.
        let width = if w.remaining_capacity() <= 16383 {
            2
        } else {
            4
        };
        let length_at = w.reserve(width)?;
        let pn_offset = w.len();
        put_packet_number(w, pn, pn_len)?;
        Ok(Self {
            start,
            length_field: Some((length_at, width)),
            pn_offset,
            pn_len,
            pn,
        })
    }

    /// Writes a short header (RFC 9000 §17.3.1).
    #[inline]
    pub fn short(
        w: &mut Writer<'_>,
        dcid: &ConnectionId,
        spin: bool,
        key_phase: bool,
        pn: u64,
        pn_len: usize,
    ) -> Result<Self, BuildError> {
        let start = w.len();
        let pn_len = pn_len.clamp(1, 4);
        w.put_u8(0x40 | u8::from(spin) << 5 | u8::from(key_phase) << 2 | (pn_len - 1) as u8)?;
        w.put_slice(dcid)?;
        let pn_offset = w.len();
        put_packet_number(w, pn, pn_len)?;
        Ok(Self {
            start,
            length_field: None,
            pn_offset,
            pn_len,
            pn,
        })
    }

    /// Where the header ends and the frames start.
    pub const fn payload_offset(&self) -> usize {
        self.pn_offset + self.pn_len
    }

    /// Appends PADDING so that the finished packet (with a `tag_len`-byte tag) is `total`
    /// bytes long from its first byte; does nothing if it is already that long.
    pub fn pad_to(
        &self,
        w: &mut Writer<'_>,
        total: usize,
        tag_len: usize,
    ) -> Result<(), BufferTooSmall> {
        let target = self.start + total;
        let now = w.len() + tag_len;
        if target > now {
            w.reserve(target - now)?;
        }
        Ok(())
    }

    /// Finishes the packet: pads it to the minimum size for header protection sampling,
    /// fills in the Length, seals the payload and masks the header. Returns the packet's
    /// length.
    pub fn finish(
        self,
        w: &mut Writer<'_>,
        header_key: &dyn HeaderKey,
        packet_key: &dyn PacketKey,
    ) -> Result<usize, BuildError> {
        let tag_len = packet_key.tag_len();
        // The sample starts 4 bytes after the packet number and needs `sample_len` bytes
        // (RFC 9001 §5.4.2): pad with PADDING frames (zeros) when the packet is shorter.
        let min_end = self.pn_offset + 4 + header_key.sample_len();
        let end_with_tag = w.len() + tag_len;
        if end_with_tag < min_end {
            w.reserve(min_end - end_with_tag)?;
        }
        w.reserve(tag_len)?;
        let end = w.len();
        let packet = w
            .written_mut()
            .get_mut(self.start..end)
            .ok_or(BuildError::PayloadTooLong)?;
        self.protect(packet, header_key, packet_key)
    }

    /// Protects a packet whose frames are already in place: `packet` starts at the packet's
    /// first byte (where the header was written) and ends after room for the tag, with the
    /// frames between `payload_offset() - start` and the tag. Fills in the Length of a long
    /// header, seals the payload and masks the header. This is [`PacketBuilder::finish`]
    /// without the writer, for callers that wrote the frames into the buffer by other means;
    /// the packet must be long enough for the header protection sample (RFC 9001 §5.4.2).
    #[inline]
    pub fn protect(
        &self,
        packet: &mut [u8],
        header_key: &dyn HeaderKey,
        packet_key: &dyn PacketKey,
    ) -> Result<usize, BuildError> {
        let tag_len = packet_key.tag_len();
        let len = packet.len();
        let pn_offset = self.pn_offset - self.start;
        let header_len = self.payload_offset() - self.start;
        let payload_len = len
            .checked_sub(header_len + tag_len)
            .ok_or(BuildError::PayloadTooLong)?;
        if let Some((at, width)) = self.length_field {
            let length =
                VarInt::try_from(len - pn_offset).map_err(|_| BuildError::PayloadTooLong)?;
            let field = packet
                .get_mut(at - self.start..)
                .ok_or(BuildError::PayloadTooLong)?;
            length
                .encode_with_len(width, field)
                .map_err(|_| BuildError::PayloadTooLong)?;
        }
        let (header, body) = packet.split_at_mut(header_len);
        let (payload, tag) = body.split_at_mut(payload_len);
        packet_key.seal(self.pn, header, payload, tag)?;
        let sample = packet
            .get(sample_range(pn_offset, header_key.sample_len()))
            .ok_or(BuildError::PayloadTooLong)?;
        let mask = header_key.mask(sample)?;
        let (first, rest) = packet.split_first_mut().ok_or(BuildError::PayloadTooLong)?;
        let bits = if *first & 0x80 != 0 { 0x0f } else { 0x1f };
        *first ^= mask[0] & bits;
        let pn_bytes = rest
            .get_mut(pn_offset - 1..pn_offset - 1 + self.pn_len)
            .ok_or(BuildError::PayloadTooLong)?;
        for (byte, m) in pn_bytes.iter_mut().zip(&mask[1..]) {
            *byte ^= m;
        }
        Ok(len)
    }
}

/// The low `pn_len` bytes of `pn`, big-endian.
#[inline]
fn put_packet_number(w: &mut Writer<'_>, pn: u64, pn_len: usize) -> Result<(), BufferTooSmall> {
    let bytes = packet_number::truncate(pn, pn_len).to_be_bytes();
    w.put_slice(bytes.get(4 - pn_len..).unwrap_or_default())
}

/// Writes a Version Negotiation packet (RFC 9000 §17.2.1) answering a packet with `dcid` and
/// `scid` (they are swapped here), listing `versions`. `unused` fills the first byte's
/// unused bits (RFC 9000 says to set them randomly; the caller supplies the randomness).
pub fn write_version_negotiation(
    out: &mut impl Output,
    dcid: &ConnectionId,
    scid: &ConnectionId,
    versions: &[Version],
    unused: u8,
) -> Result<(), BufferTooSmall> {
    write_vn(out, dcid, scid, versions, unused)
}

/// The version-independent part of a long header (RFC 8999 §5.1): the version and connection
/// IDs of up to 255 bytes. Other versions may use IDs longer than v1's 20 bytes, and a server
/// "SHOULD be able to read longer connection IDs from other QUIC versions" to answer them with
/// Version Negotiation (RFC 9000 §17.2); [`parse_header`] reports such packets as
/// [`PacketError::ConnectionIdTooLong`], and this reads their IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvariantLongHeader<'a> {
    /// The version.
    pub version: Version,
    /// Destination Connection ID (0–255 bytes).
    pub dcid: &'a [u8],
    /// Source Connection ID (0–255 bytes).
    pub scid: &'a [u8],
}

impl<'a> InvariantLongHeader<'a> {
    /// Reads the invariant fields of the long header at the start of `bytes`; `None` for a
    /// short header or too few bytes.
    pub fn parse(bytes: &'a [u8]) -> Option<Self> {
        let mut r = Reader::new(bytes);
        if r.read_u8().ok()? & 0x80 == 0 {
            return None;
        }
        let version = Version(r.read_u32().ok()?);
        let dcid_len = usize::from(r.read_u8().ok()?);
        let dcid = r.read_bytes(dcid_len).ok()?;
        let scid_len = usize::from(r.read_u8().ok()?);
        let scid = r.read_bytes(scid_len).ok()?;
        Some(Self {
            version,
            dcid,
            scid,
        })
    }

    /// Writes the Version Negotiation packet answering this header (IDs swapped, RFC 9000
    /// §17.2.1), listing `versions`; see [`write_version_negotiation`] for `unused`.
    pub fn write_version_negotiation(
        &self,
        out: &mut impl Output,
        versions: &[Version],
        unused: u8,
    ) -> Result<(), BufferTooSmall> {
        write_vn(out, self.dcid, self.scid, versions, unused)
    }
}

/// Version Negotiation with IDs of up to 255 bytes (longer ones are cut, which only a caller
/// building an [`InvariantLongHeader`] by hand can cause).
fn write_vn(
    out: &mut impl Output,
    dcid: &[u8],
    scid: &[u8],
    versions: &[Version],
    unused: u8,
) -> Result<(), BufferTooSmall> {
    let dcid = dcid.get(..dcid.len().min(255)).unwrap_or_default();
    let scid = scid.get(..scid.len().min(255)).unwrap_or_default();
    out.put_u8(0x80 | unused)?;
    out.put_u32(0)?;
    out.put_u8(scid.len() as u8)?;
    out.put_slice(scid)?;
    out.put_u8(dcid.len() as u8)?;
    out.put_slice(dcid)?;
    for v in versions {
        out.put_u32(v.0)?;
    }
    Ok(())
}

/// Writes a Retry packet (RFC 9000 §17.2.5) with its integrity tag (RFC 9001 §5.8, RFC 9369
/// §3.3.3): `dcid` is the client's Source Connection ID, `scid` the server's new connection
/// ID, `original_dcid` the Destination Connection ID of the client's Initial. `unused` fills
/// the four unused bits of the first byte. Returns the packet's length.
#[allow(clippy::too_many_arguments)]
pub fn write_retry(
    w: &mut Writer<'_>,
    provider: &dyn crate::crypto::Provider,
    version: Version,
    dcid: &ConnectionId,
    scid: &ConnectionId,
    token: &[u8],
    original_dcid: &ConnectionId,
    unused: u8,
) -> Result<usize, BuildError> {
    let start = w.len();
    let bits = PacketType::Retry.long_type_bits(version).unwrap_or(0);
    w.put_u8(0xc0 | bits << 4 | (unused & 0x0f))?;
    w.put_u32(version.0)?;
    w.put_u8(dcid.len() as u8)?;
    w.put_slice(dcid)?;
    w.put_u8(scid.len() as u8)?;
    w.put_slice(scid)?;
    w.put_slice(token)?;
    let body = w.written().get(start..).unwrap_or_default();
    // The pseudo-packet: the original DCID, length-prefixed, then the Retry without its tag.
    let mut pseudo = alloc::vec::Vec::with_capacity(1 + original_dcid.len() + body.len());
    pseudo.push(original_dcid.len() as u8);
    pseudo.extend_from_slice(original_dcid);
    pseudo.extend_from_slice(body);
    let tag = provider.retry_tag(version, &pseudo)?;
    w.put_slice(&tag)?;
    Ok(w.len() - start)
}

impl PacketBuilder {
    /// How many bytes of frames still fit in `w` once the `tag_len`-byte tag is added.
    pub fn frame_space(&self, w: &Writer<'_>, tag_len: usize) -> usize {
        w.remaining_capacity().saturating_sub(tag_len)
    }
}
