//! QUIC packet protection and frames (RFC 9000, RFC 9001): `quic-proto` against raw ring.
//!
//! `quic-seal-open`: build, seal and header-protect a 1200-byte 1-RTT packet, then parse it,
//! remove header protection and open it — against ring's AES-128-GCM sealing and opening the
//! same payload in the same buffer without any QUIC framing (the ceiling: the AEAD alone).

use crate::{Comparison, race};
use quic_proto::ConnectionId;
use quic_proto::VarInt;
use quic_proto::crypto::ring::{Ring, RingPacketKey};
use quic_proto::crypto::{CipherSuite, DirectionalKeys, Provider, Secret};
use quic_proto::frame::{self, Frame, Frames, Stream};
use quic_proto::packet::{self, PacketBuilder, PacketType};
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use wire_codec::Writer;

/// The datagram size of the benchmark.
pub const PACKET: usize = 1200;
/// The Destination Connection ID length (as quinn and quiche use by default: 8 and 16–20).
pub const DCID_LEN: usize = 8;

/// Our side: 1-RTT keys for AES-128-GCM, both directions the same secret.
pub struct Ours {
    keys: DirectionalKeys,
    dcid: ConnectionId,
    buf: Vec<u8>,
    pn: u64,
}

impl Ours {
    /// Keys from a fixed secret.
    pub fn new() -> Self {
        let secret = Secret::new(&[0x42; 32]).expect("32 bytes");
        let keys = Ring
            .directional_keys(
                CipherSuite::Aes128GcmSha256,
                quic_proto::Version::V1,
                &secret,
            )
            .expect("keys");
        Self {
            keys,
            dcid: ConnectionId::new(&[7; DCID_LEN]).expect("8 bytes"),
            buf: vec![0u8; PACKET],
            pn: 0,
        }
    }

    /// One packet sealed and opened; returns the payload length opened.
    pub fn seal_open(&mut self) -> u64 {
        self.pn += 1;
        let mut w = Writer::new(&mut self.buf);
        let Ok(builder) = PacketBuilder::short(&mut w, &self.dcid, false, false, self.pn, 2) else {
            return 0;
        };
        // The frames fill the space up to the tag, already in the buffer as in the ring
        // side (a connection writes its STREAM data there).
        let Ok(len) = builder.protect(&mut self.buf, &*self.keys.header, &*self.keys.packet) else {
            return 0;
        };
        let packet = &mut self.buf[..len];
        let Ok(header) = packet::parse_header(packet, DCID_LEN) else {
            return 0;
        };
        match packet::open(
            packet,
            &header,
            &*self.keys.header,
            &*self.keys.packet,
            Some(self.pn - 1),
        ) {
            Ok(opened) => opened.payload.len() as u64,
            Err(_) => 0,
        }
    }
}

impl Default for Ours {
    fn default() -> Self {
        Self::new()
    }
}

/// The ceiling: ring's AES-128-GCM on the same buffer size, sealing and opening the payload of
/// a packet with its header as associated data, no header protection, no parsing.
pub struct RawRing {
    key: LessSafeKey,
    iv: [u8; 12],
    buf: Vec<u8>,
    pn: u64,
}

impl RawRing {
    /// A key of the same strength.
    pub fn new() -> Self {
        let key = UnboundKey::new(&AES_128_GCM, &[0x42; 16]).expect("16-byte key");
        Self {
            key: LessSafeKey::new(key),
            iv: [9; 12],
            buf: vec![0u8; PACKET],
            pn: 0,
        }
    }

    /// One payload sealed and opened; returns the payload length opened.
    pub fn seal_open(&mut self) -> u64 {
        self.pn += 1;
        let header_len = 1 + DCID_LEN + 2;
        let nonce = self.nonce_for(self.pn);
        let (header, body) = self.buf.split_at_mut(header_len);
        let (payload, tag_space) = body.split_at_mut(body.len() - 16);
        let Ok(tag) = self
            .key
            .seal_in_place_separate_tag(nonce, Aad::from(&*header), payload)
        else {
            return 0;
        };
        tag_space.copy_from_slice(tag.as_ref());
        let nonce = self.nonce_for(self.pn);
        let (header, body) = self.buf.split_at_mut(header_len);
        match self.key.open_in_place(nonce, Aad::from(&*header), body) {
            Ok(plain) => plain.len() as u64,
            Err(_) => 0,
        }
    }

    fn nonce_for(&self, pn: u64) -> Nonce {
        let mut nonce = self.iv;
        for (n, p) in nonce[4..].iter_mut().zip(pn.to_be_bytes()) {
            *n ^= p;
        }
        Nonce::assume_unique_for_key(nonce)
    }
}

impl Default for RawRing {
    fn default() -> Self {
        Self::new()
    }
}

/// A typical 1-RTT payload of a bulk sender: an ACK with three ranges and one STREAM frame
/// filling the rest of a 1200-byte packet.
pub fn ack_stream_payload() -> Vec<u8> {
    let data = vec![0x61u8; 1100];
    let mut out = Vec::with_capacity(PACKET);
    encode_ack_stream(&data, &mut out);
    out
}

fn encode_ack_stream(data: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let ranges = [900_000u64..=900_120, 899_000..=899_950, 898_000..=898_900];
    let _ = frame::encode_ack(out, &ranges, VarInt::from_u32(25), None);
    let _ = Frame::Stream(Stream {
        id: VarInt::from_u32(4),
        offset: VarInt::from_u32(1_048_576),
        fin: false,
        has_length: false,
        data,
    })
    .encode(out);
}

/// Encodes the ACK+STREAM payload into `out` (reused), returning its length.
pub fn frames_encode(data: &[u8], out: &mut Vec<u8>) -> u64 {
    encode_ack_stream(data, out);
    out.len() as u64
}

/// Decodes the frames of `payload`, returning a checksum of what was decoded.
pub fn frames_decode(payload: &[u8]) -> u64 {
    let mut sum = 0u64;
    for frame in Frames::new(payload, PacketType::OneRtt) {
        match frame {
            Ok(Frame::Ack(ack)) => sum += ack.ranges().map(|r| r.end() - r.start()).sum::<u64>(),
            Ok(Frame::Stream(s)) => sum += s.data.len() as u64 + s.offset.into_inner(),
            Ok(_) => sum += 1,
            Err(_) => return 0,
        }
    }
    sum
}

/// A raw `RingPacketKey` for the criterion bench.
pub fn packet_key() -> RingPacketKey {
    RingPacketKey::new(CipherSuite::Aes128GcmSha256, &[0x42; 16], [9; 12]).expect("key")
}

/// `quic-seal-open`.
pub fn compare() -> Vec<Comparison> {
    let mut ours = Ours::new();
    let mut peer = RawRing::new();
    assert_eq!(ours.seal_open(), peer.seal_open(), "same payload size");
    let (o, p) = race(1, || ours.seal_open(), || peer.seal_open());
    vec![Comparison {
        name: "quic-seal-open".into(),
        peer: "ring".into(),
        ours: o / 1e3,
        theirs: p / 1e3,
        unit: "kpkt/s".into(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_process_the_same_payload() {
        let mut ours = Ours::new();
        let mut peer = RawRing::new();
        // 1200 - (1 + 8 + 2) header - 16 tag.
        assert_eq!(ours.seal_open(), 1173);
        assert_eq!(peer.seal_open(), 1173);
    }

    #[test]
    fn the_frame_workload_round_trips() {
        let payload = ack_stream_payload();
        assert!(payload.len() < PACKET);
        let expected = 120 + 950 + 900 + 1100 + 1_048_576;
        assert_eq!(frames_decode(&payload), expected);
    }
}
