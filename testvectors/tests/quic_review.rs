//! Hostile-input edges of `quic-proto` found or checked in review: header protection sample
//! bounds (RFC 9001 §5.4.2), frame field limits on both sides of each boundary (RFC 9000 §19),
//! transport parameter value rules on both sides of each boundary (RFC 9000 §18.2), and the
//! header protection mask bits (RFC 9001 §5.4.1).

use quic_proto::crypto::ring::Ring;
use quic_proto::crypto::{HeaderKey, Provider};
use quic_proto::frame::{Frame, Frames};
use quic_proto::packet::{self, Datagram, LongType, PacketBuilder, PacketError, PacketType};
use quic_proto::transport_params::TransportParameters;
use quic_proto::{ConnectionId, Side, TransportErrorCode, VarInt, Version};
use wire_codec::{Output, Writer};

fn varint(v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    out.put_varint(VarInt::from_u64(v).unwrap()).unwrap();
    out
}

fn frames(bytes: &[u8]) -> Result<Vec<Frame<'_>>, quic_proto::error::TransportError> {
    Frames::new(bytes, PacketType::OneRtt).collect()
}

fn frame_error(bytes: &[u8]) -> TransportErrorCode {
    frames(bytes).unwrap_err().code
}

/// A long-header packet whose Length ends before the 4 + 16 bytes the sample needs, followed
/// by more bytes of the datagram: the sample must come from this packet only, so it is
/// TooShortForSample, not a mask computed over the next packet's bytes.
#[test]
fn sample_never_reaches_past_the_packet() {
    let dcid = ConnectionId::new(&[3; 8]).unwrap();
    let keys = Ring.initial_keys(Version::V1, &dcid, Side::Server).unwrap();
    // Handshake, v1, DCID 8, SCID 0, Length 19: pn (1 byte) + 18 bytes, one short of pn+4+16.
    let mut datagram = vec![0xe0, 0, 0, 0, 1, 8];
    datagram.extend_from_slice(&dcid);
    datagram.push(0);
    datagram.push(19);
    datagram.extend([0x55; 19]);
    let first_len = datagram.len();
    datagram.extend([0x77; 200]); // a second packet-shaped tail
    let header = packet::parse_header(&datagram, 0).unwrap();
    assert_eq!(header.len, first_len);
    let mut copy = datagram.clone();
    assert_eq!(
        packet::remove_header_protection(&mut copy, &header, &*keys.remote.header),
        Err(PacketError::TooShortForSample)
    );
    assert_eq!(copy, datagram, "nothing unmasked on failure");
    // One byte more and the sample fits (authentication then fails, as it must).
    datagram[15] = 20;
    datagram.insert(16, 0x55);
    let header = packet::parse_header(&datagram, 0).unwrap();
    let err = packet::open(
        &mut datagram,
        &header,
        &*keys.remote.header,
        &*keys.remote.packet,
        None,
    )
    .unwrap_err();
    assert!(matches!(err, PacketError::Crypto(_)), "{err:?}");
}

/// Short headers: the sample starts 4 bytes after the packet number's start whatever the
/// packet number length, so a 1-RTT packet needs 1 + DCID + 4 + 16 bytes.
#[test]
fn short_packet_too_small_for_a_sample_is_discarded() {
    let keys = Ring
        .initial_keys(Version::V1, &[1; 8], Side::Server)
        .unwrap();
    for len in 0..29 {
        let mut packet = vec![0x40; len];
        let Ok(header) = packet::parse_header(&packet, 8) else {
            assert!(len < 9, "{len}");
            continue;
        };
        assert_eq!(
            packet::remove_header_protection(&mut packet, &header, &*keys.remote.header),
            Err(PacketError::TooShortForSample),
            "{len}"
        );
    }
    let mut packet = vec![0x40; 29];
    let header = packet::parse_header(&packet, 8).unwrap();
    assert!(packet::remove_header_protection(&mut packet, &header, &*keys.remote.header).is_ok());
}

/// RFC 9001 §5.4.1: the mask covers the low 4 bits of a long header's first byte and the low
/// 5 of a short header's; the form and fixed bits (and the spin bit) are never touched.
#[test]
fn header_protection_masks_4_bits_long_5_bits_short() {
    let dcid = ConnectionId::new(&[9; 8]).unwrap();
    let keys = Ring.initial_keys(Version::V1, &dcid, Side::Client).unwrap();
    let mut seen_long = 0u8;
    let mut seen_short = 0u8;
    for pn in 0..64u64 {
        for long in [true, false] {
            let mut buf = vec![0u8; 100];
            let mut w = Writer::new(&mut buf);
            let b = if long {
                PacketBuilder::long(
                    &mut w,
                    LongType::Handshake,
                    Version::V1,
                    &dcid,
                    &dcid,
                    pn,
                    1,
                )
                .unwrap()
            } else {
                PacketBuilder::short(&mut w, &dcid, true, false, pn, 1).unwrap()
            };
            Frame::Ping.encode(&mut w).unwrap();
            let unprotected_first = w.written()[0];
            b.finish(&mut w, &*keys.local.header, &*keys.local.packet)
                .unwrap();
            let diff = buf[0] ^ unprotected_first;
            if long {
                assert_eq!(diff & 0xf0, 0);
                seen_long |= diff;
            } else {
                assert_eq!(diff & 0xe0, 0, "form, fixed and spin bits untouched");
                seen_short |= diff;
            }
        }
    }
    // Over 64 packets every maskable bit was flipped at least once.
    assert_eq!(seen_long, 0x0f);
    assert_eq!(seen_short, 0x1f);
    let _: &dyn HeaderKey = &*keys.local.header;
}

/// STREAM and CRYPTO: offset + length may reach 2^62 - 1 but not 2^62 (RFC 9000 §19.6, §19.8).
#[test]
fn stream_and_crypto_end_at_2_62_minus_1() {
    const MAX: u64 = (1 << 62) - 1;
    // STREAM with OFF and LEN: id 0, offset, length, data.
    for (offset, data_len, ok) in [(MAX, 0, true), (MAX - 1, 1, true), (MAX, 1, false)] {
        let mut f = vec![0x0e, 0];
        f.extend(varint(offset));
        f.extend(varint(data_len));
        f.extend(vec![0xaa; data_len as usize]);
        assert_eq!(frames(&f).is_ok(), ok, "STREAM {offset} {data_len}");
        if !ok {
            assert_eq!(frame_error(&f), TransportErrorCode::FrameEncodingError);
        }
        // Without LEN: the data runs to the end.
        let mut f = vec![0x0c, 0];
        f.extend(varint(offset));
        f.extend(vec![0xaa; data_len as usize]);
        assert_eq!(
            frames(&f).is_ok(),
            ok,
            "STREAM (no LEN) {offset} {data_len}"
        );
        // CRYPTO.
        let mut f = vec![0x06];
        f.extend(varint(offset));
        f.extend(varint(data_len));
        f.extend(vec![0xaa; data_len as usize]);
        assert_eq!(frames(&f).is_ok(), ok, "CRYPTO {offset} {data_len}");
        if !ok {
            assert_eq!(frame_error(&f), TransportErrorCode::FrameEncodingError);
        }
    }
}

/// MAX_STREAMS and STREAMS_BLOCKED: 2^60 allowed, 2^60 + 1 a FRAME_ENCODING_ERROR (§19.11,
/// §19.14).
#[test]
fn stream_counts_end_at_2_60() {
    for ty in [0x12u8, 0x13, 0x16, 0x17] {
        let mut ok = vec![ty];
        ok.extend(varint(1 << 60));
        assert!(frames(&ok).is_ok(), "{ty:#x}");
        let mut bad = vec![ty];
        bad.extend(varint((1 << 60) + 1));
        assert_eq!(frame_error(&bad), TransportErrorCode::FrameEncodingError);
    }
}

/// NEW_CONNECTION_ID: length 1 and 20 fine, 0 and 21 not; Retire Prior To equal to the
/// Sequence Number fine, above it not; a truncated reset token is an error (§19.15).
#[test]
fn new_connection_id_bounds() {
    let ncid = |seq: u8, rpt: u8, len: u8, token: usize| {
        let mut f = vec![0x18, seq, rpt, len];
        f.extend(vec![0x11; usize::from(len)]);
        f.extend(vec![0x22; token]);
        f
    };
    assert!(frames(&ncid(3, 3, 1, 16)).is_ok());
    assert!(frames(&ncid(3, 0, 20, 16)).is_ok());
    for bad in [
        ncid(3, 0, 0, 16),
        ncid(3, 0, 21, 16),
        ncid(3, 4, 8, 16),
        ncid(3, 0, 8, 15),
    ] {
        assert_eq!(
            frame_error(&bad),
            TransportErrorCode::FrameEncodingError,
            "{bad:02x?}"
        );
    }
}

/// ACK: a range ending exactly at packet 0 is fine; one below it is a FRAME_ENCODING_ERROR
/// (§19.3.1), whether through the first range, a gap, or a range length.
#[test]
fn ack_ranges_reach_zero_but_not_below() {
    // largest 10, first range 10: 0..=10.
    assert!(frames(&[0x02, 10, 0, 0, 10]).is_ok());
    // largest 10, first range 2 (8..=10), gap 0 → next largest 6, length 6 → 0..=6.
    let ok = frames(&[0x02, 10, 0, 1, 2, 0, 6]).unwrap();
    let Frame::Ack(ack) = ok[0] else { panic!() };
    assert_eq!(ack.ranges().collect::<Vec<_>>(), [8..=10, 0..=6]);
    for bad in [
        &[0x02, 10, 0, 0, 11][..],      // first range below 0
        &[0x02, 10, 0, 1, 2, 0, 7][..], // second range's length below 0
        &[0x02, 10, 0, 1, 2, 7, 0][..], // gap below 0
    ] {
        assert_eq!(
            frame_error(bad),
            TransportErrorCode::FrameEncodingError,
            "{bad:02x?}"
        );
    }
    // Gap 6 from smallest 8: largest 0, length 0 → 0..=0, fine.
    assert!(frames(&[0x02, 10, 0, 1, 2, 6, 0]).is_ok());
}

/// A peer claiming 2^62 - 1 ACK ranges in a small packet costs a bounded amount of work and
/// fails as truncated; a long PADDING run is one frame.
#[test]
fn huge_counts_are_bounded_by_the_payload() {
    let mut ack = vec![0x02, 0x40, 100, 0];
    ack.extend(varint((1 << 62) - 1));
    ack.push(0);
    ack.extend([0, 0].repeat(40));
    assert_eq!(frame_error(&ack), TransportErrorCode::FrameEncodingError);
    let mut padded = vec![0u8; 65_000];
    padded.push(0x01);
    assert_eq!(
        frames(&padded).unwrap(),
        [Frame::Padding(65_000), Frame::Ping]
    );
    // Thousands of tiny coalesced packets: linear, all visited.
    let one = [0xe0, 0, 0, 0, 1, 0, 0, 1, 0];
    let datagram = one.repeat(7000);
    assert_eq!(Datagram::new(&datagram, 0).count(), 7000);
}

fn params(pairs: &[(u64, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, v) in pairs {
        out.extend(varint(*id));
        out.extend(varint(v.len() as u64));
        out.extend_from_slice(v);
    }
    out
}

/// §18.2 value rules on both sides of every boundary.
#[test]
fn transport_parameter_boundaries() {
    let decode = |pairs: &[(u64, &[u8])], side| TransportParameters::decode(&params(pairs), side);
    let ok = |id: u64, v: u64| decode(&[(id, &varint(v))], Side::Server).is_ok();
    assert!(ok(0x03, 1200) && !ok(0x03, 1199));
    assert!(ok(0x0a, 20) && !ok(0x0a, 21));
    assert!(ok(0x0b, (1 << 14) - 1) && !ok(0x0b, 1 << 14));
    assert!(ok(0x0e, 2) && !ok(0x0e, 1) && !ok(0x0e, 0));
    assert!(ok(0x08, 1 << 60) && !ok(0x08, (1 << 60) + 1));
    assert!(ok(0x09, 1 << 60) && !ok(0x09, (1 << 60) + 1));
    assert!(
        decode(&[(0x0c, &[])], Side::Client)
            .unwrap()
            .disable_active_migration
    );
    assert!(decode(&[(0x0c, &[0])], Side::Client).is_err());

    // preferred_address: 4 + 2 + 16 + 2 + 1 + CID + 16.
    let preferred = |cid_len: usize| {
        let mut v = vec![127, 0, 0, 1, 0x11, 0x5c];
        v.extend([0; 18]);
        v.push(cid_len as u8);
        v.extend(vec![7; cid_len]);
        v.extend([9; 16]);
        v
    };
    assert!(decode(&[(0x0d, &preferred(8))], Side::Server).is_ok());
    for bad in [preferred(0), preferred(21)] {
        let e = decode(&[(0x0d, &bad)], Side::Server).unwrap_err();
        assert_eq!(e.code, TransportErrorCode::TransportParameterError);
    }
    // Every server-only parameter is an error from a client, fine from a server.
    for (id, value) in [
        (0x00, vec![1, 2, 3, 4]),
        (0x02, vec![5; 16]),
        (0x0d, preferred(8)),
        (0x10, vec![6; 8]),
    ] {
        assert!(decode(&[(id, &value)], Side::Server).is_ok(), "{id:#x}");
        let e = decode(&[(id, &value)], Side::Client).unwrap_err();
        assert_eq!(
            e.code,
            TransportErrorCode::TransportParameterError,
            "{id:#x}"
        );
    }
}

/// Retry and Version Negotiation packets carry no packet protection: asking to remove it is
/// refused without touching the bytes (before the fix the Retry's first and "packet number"
/// bytes were XORed with a mask, corrupting the packet and its integrity tag check).
#[test]
fn retry_and_version_negotiation_are_not_unprotected() {
    let dcid = ConnectionId::new(&[4; 8]).unwrap();
    let keys = Ring.initial_keys(Version::V1, &dcid, Side::Client).unwrap();
    let mut retry = vec![0u8; 200];
    let mut w = Writer::new(&mut retry);
    let len = packet::write_retry(
        &mut w,
        &Ring,
        Version::V1,
        &dcid,
        &dcid,
        b"a retry token of some length",
        &dcid,
        0,
    )
    .unwrap();
    retry.truncate(len);
    let mut vn = Vec::new();
    packet::write_version_negotiation(&mut vn, &dcid, &dcid, &[Version::V1; 8], 0x40).unwrap();
    for original in [retry, vn] {
        let header = packet::parse_header(&original, 0).unwrap();
        let mut copy = original.clone();
        assert_eq!(
            packet::remove_header_protection(&mut copy, &header, &*keys.remote.header),
            Err(PacketError::NotProtected),
            "{:?}",
            header.ty
        );
        assert_eq!(
            packet::open(
                &mut copy,
                &header,
                &*keys.remote.header,
                &*keys.remote.packet,
                None
            )
            .unwrap_err(),
            PacketError::NotProtected
        );
        assert_eq!(copy, original);
    }
}

/// RFC 9000 §17.2: "servers SHOULD be able to read longer connection IDs from other QUIC
/// versions" to send Version Negotiation. `parse_header` refuses IDs over 20 bytes (it cannot
/// hold them); the invariant header (RFC 8999 §5.1) reads them and the answer echoes them.
#[test]
fn version_negotiation_for_an_unknown_version_with_long_ids() {
    let mut packet = vec![0xc5, 0x1a, 0x2a, 0x3a, 0x4a, 30];
    packet.extend([0xd1; 30]);
    packet.push(255);
    packet.extend([0x5c; 255]);
    packet.extend([0; 900]);
    assert_eq!(
        packet::parse_header(&packet, 0),
        Err(PacketError::ConnectionIdTooLong)
    );
    let invariant = packet::InvariantLongHeader::parse(&packet).unwrap();
    assert_eq!(invariant.version, Version(0x1a2a_3a4a));
    assert_eq!((invariant.dcid.len(), invariant.scid.len()), (30, 255));
    let mut vn = Vec::new();
    invariant
        .write_version_negotiation(&mut vn, &[Version::V1, Version::V2], 0x40)
        .unwrap();
    let answer = packet::InvariantLongHeader::parse(&vn).unwrap();
    assert_eq!(answer.version, Version::NEGOTIATION);
    assert_eq!((answer.dcid, answer.scid), (invariant.scid, invariant.dcid));
    assert_eq!(
        &vn[1 + 4 + 1 + 255 + 1 + 30..],
        [0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf]
    );
    // A short header or a truncated long header has no invariant long header.
    assert_eq!(packet::InvariantLongHeader::parse(&[0x40; 30]), None);
    assert_eq!(packet::InvariantLongHeader::parse(&packet[..40]), None);
    // IDs within 20 bytes read the same both ways.
    let short_ids = [0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 1, 9, 1, 8];
    let invariant = packet::InvariantLongHeader::parse(&short_ids).unwrap();
    assert_eq!((invariant.dcid, invariant.scid), (&[9][..], &[8][..]));
}
