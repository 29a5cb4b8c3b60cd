//! One function per fuzz target (`fuzz/fuzz_targets/quic_*.rs`); each checks invariants that
//! must hold for any input and panics (only) when one breaks. The same checks run as
//! proptests.

use alloc::vec::Vec;

use crate::Side;
use crate::frame::{Frame, Frames};
use crate::packet::{Datagram, PacketType};
use crate::transport_params::TransportParameters;

/// Datagram → packets → frames: every header parses or fails cleanly, ranges stay inside the
/// datagram, and the payload of each long-header packet decoded as frames of every packet type
/// never panics; every decoded frame re-encodes to its exact length.
pub fn datagram(data: &[u8]) {
    let local_cid_len = usize::from(data.first().copied().unwrap_or(0) % 21);
    if let Some(invariant) = crate::packet::InvariantLongHeader::parse(data) {
        let mut vn = Vec::new();
        assert!(invariant.write_version_negotiation(&mut vn, &[], 0).is_ok());
        let answer = crate::packet::InvariantLongHeader::parse(&vn);
        assert_eq!(
            answer.map(|a| (a.dcid, a.scid)),
            Some((invariant.scid, invariant.dcid))
        );
    }
    let mut packets = Datagram::new(data, local_cid_len);
    for item in &mut packets {
        let Ok((range, header)) = item else { break };
        assert!(range.end <= data.len() && range.start < range.end);
        assert!(header.pn_offset <= header.len);
        let packet = &data[range];
        let _ = header.token(packet);
        let _ = header.supported_versions(packet).count();
        // Treat what follows the header as plaintext frames.
        let payload = packet.get(header.pn_offset..).unwrap_or_default();
        frames(payload);
    }
    assert!(packets.skipped() <= data.len());
}

/// Frames of every packet type: decode never panics and every frame re-encodes to
/// `encoded_len` bytes that decode to the same frame.
pub fn frames(payload: &[u8]) {
    for ty in [
        PacketType::Initial,
        PacketType::ZeroRtt,
        PacketType::Handshake,
        PacketType::OneRtt,
    ] {
        for frame in Frames::new(payload, ty) {
            let Ok(frame) = frame else { break };
            let mut out = Vec::new();
            assert!(frame.encode(&mut out).is_ok());
            assert_eq!(out.len(), frame.encoded_len(), "{frame:?}");
            if !matches!(frame, Frame::Padding(_)) {
                let again = Frames::new(&out, ty).next();
                assert_eq!(again, Some(Ok(frame)));
            }
        }
    }
}

/// Transport parameters: decoding never panics, and whatever decodes re-encodes to
/// parameters that decode to the same value.
pub fn transport_params(data: &[u8]) {
    for sender in [Side::Client, Side::Server] {
        if let Ok(params) = TransportParameters::decode(data, sender) {
            let mut out = Vec::new();
            assert!(params.encode(&mut out).is_ok());
            assert_eq!(TransportParameters::decode(&out, sender), Ok(params));
        }
    }
}

/// Packet unprotection on arbitrary bytes with fixed keys (the RFC 9001 Appendix A Initial
/// keys): parsing and removing protection never panics, and nothing forged authenticates.
#[cfg(feature = "ring")]
pub fn unprotect(data: &[u8]) {
    use crate::crypto::Provider;
    use crate::crypto::ring::Ring;
    use crate::version::Version;

    let dcid = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];
    let mut buf = data.to_vec();
    let headers: Vec<_> = Datagram::new(data, 8).filter_map(Result::ok).collect();
    for (range, header) in headers {
        let version = if header.ty.is_long() {
            header.version
        } else {
            Version::V1
        };
        let Ok(keys) = Ring.initial_keys(version, &dcid, Side::Server) else {
            continue;
        };
        let Some(packet) = buf.get_mut(range) else {
            continue;
        };
        let opened = crate::packet::open(
            packet,
            &header,
            &*keys.remote.header,
            &*keys.remote.packet,
            None,
        );
        if let Ok(opened) = opened {
            let _ = Frames::new(opened.payload, header.ty).count();
        }
    }
}
