//! QUIC packets and frames through `quic-proto`: RFC 9000 Appendix A.2 and A.3, headers and
//! coalesced datagrams, proptest round trips of every frame and header type, and arbitrary
//! bytes that must never panic the decoders.

use proptest::prelude::*;
use quic_proto::crypto::Provider;
use quic_proto::crypto::ring::Ring;
use quic_proto::frame::{
    self, Ack, ConnectionClose, Dir, EcnCounts, Frame, Frames, NewConnectionId, Stream,
};
use quic_proto::packet::{self, Datagram, LongType, PacketBuilder, PacketError, PacketType};
use quic_proto::{ConnectionId, Side, TransportErrorCode, VarInt, Version, fuzzing, packet_number};
use testvectors::rfc9000::{PN_DECODING_SAMPLE, PN_ENCODING_SAMPLES};
use testvectors::shared;
use wire_codec::{Output, Writer};

#[test]
fn appendix_a2_packet_number_encoding() {
    for (largest_acked, pn, bits) in PN_ENCODING_SAMPLES {
        let len = packet_number::encoded_len(pn, Some(largest_acked));
        assert_eq!(len as u32 * 8, bits, "{pn:#x} after {largest_acked:#x}");
        let truncated = packet_number::truncate(pn, len);
        assert_eq!(
            packet_number::decode(truncated, len, Some(largest_acked)),
            pn
        );
    }
}

#[test]
fn appendix_a3_packet_number_decoding() {
    let (largest, truncated, bits, expected) = PN_DECODING_SAMPLE;
    assert_eq!(
        packet_number::decode(truncated, bits as usize / 8, Some(largest)),
        expected
    );
}

#[test]
fn appendix_a2_a3_transcription_matches_the_rfc_text() {
    let Some(text) = shared::rfc_text("rfc9000") else {
        return;
    };
    let prose: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(prose.contains(
        "received an acknowledgment for packet 0xabe8b3 and is sending a packet with a number of \
         0xac5c02"
    ));
    assert!(prose.contains("16 bits are required"));
    assert!(prose.contains("sending a packet with a number of 0xace8fe uses the 24-bit encoding"));
    assert!(prose.contains(
        "highest successfully authenticated packet had a packet number of 0xa82f30ea, then a \
         packet containing a 16-bit value of 0x9b32 will be decoded as 0xa82f9b32"
    ));
}

/// A v1 Initial, then a Handshake packet, then a 1-RTT packet in one datagram, then the zero
/// padding some clients append: three packets, the padding skipped quietly.
#[test]
fn coalesced_packets_and_trailing_padding() {
    let dcid = ConnectionId::new(&[0xab; 8]).unwrap();
    let scid = ConnectionId::new(&[0xcd; 5]).unwrap();
    let keys = Ring.initial_keys(Version::V1, &dcid, Side::Client).unwrap();
    let mut buf = vec![0u8; 1200];
    let mut w = Writer::new(&mut buf);
    for ty in [LongType::Initial { token: b"tok" }, LongType::Handshake] {
        let b = PacketBuilder::long(&mut w, ty, Version::V1, &dcid, &scid, 7, 2).unwrap();
        Frame::Ping.encode(&mut w).unwrap();
        b.finish(&mut w, &*keys.local.header, &*keys.local.packet)
            .unwrap();
    }
    let b = PacketBuilder::short(&mut w, &dcid, true, true, 9, 1).unwrap();
    Frame::Ping.encode(&mut w).unwrap();
    let short_len = b
        .finish(&mut w, &*keys.local.header, &*keys.local.packet)
        .unwrap();
    let used = w.len();
    // A short header runs to the end of the datagram, so trailing bytes after it would be part
    // of it: put the zero padding between the long packets instead.
    let (long_part, _) = buf.split_at(used - short_len);
    let mut datagram = long_part.to_vec();
    datagram.extend_from_slice(&[0u8; 40]);
    let mut packets = Datagram::new(&datagram, 8);
    let types: Vec<_> = packets.by_ref().map(|p| p.unwrap().1.ty).collect();
    assert_eq!(types, [PacketType::Initial, PacketType::Handshake]);
    assert_eq!(packets.skipped(), 40);

    // With the short packet last, all three parse, and the spin bit is readable.
    let all: Vec<_> = Datagram::new(&buf[..used], 8)
        .map(|p| p.unwrap().1)
        .collect();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].token(&buf[..]), b"tok");
    assert!(all[2].spin());

    // Open the Handshake packet (same keys here) and find its PING.
    let server = Ring.initial_keys(Version::V1, &dcid, Side::Server).unwrap();
    let mut copy = buf[..used].to_vec();
    let (range, header) = Datagram::new(&copy.clone(), 8).nth(1).unwrap().unwrap();
    let opened = packet::open(
        &mut copy[range],
        &header,
        &*server.remote.header,
        &*server.remote.packet,
        None,
    )
    .unwrap();
    assert_eq!(opened.pn, 7);
    assert_eq!(
        Frames::new(opened.payload, PacketType::Handshake).next(),
        Some(Ok(Frame::Ping))
    );
}

#[test]
fn header_rules() {
    // Fixed bit zero.
    let mut bad = vec![0x80, 0, 0, 0, 1, 0, 0, 0]; // long header, fixed bit clear
    assert_eq!(
        packet::parse_header(&bad, 0),
        Err(PacketError::FixedBitZero)
    );
    assert_eq!(
        packet::parse_header(&[0x00; 30], 8),
        Err(PacketError::FixedBitZero)
    );
    // A 21-byte connection ID in v1.
    bad = vec![0xc0, 0, 0, 0, 1, 21];
    bad.extend([0; 40]);
    assert_eq!(
        packet::parse_header(&bad, 0),
        Err(PacketError::ConnectionIdTooLong)
    );
    // Unknown version: reported with the IDs for Version Negotiation.
    let unknown = [0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 1, 9, 1, 8, 0, 0, 0];
    match packet::parse_header(&unknown, 0) {
        Err(PacketError::UnsupportedVersion {
            version,
            dcid,
            scid,
        }) => {
            assert!(version.is_reserved());
            assert_eq!(dcid.as_slice(), [9]);
            assert_eq!(scid.as_slice(), [8]);
        }
        other => panic!("{other:?}"),
    }
    // Length beyond the datagram.
    let mut long = vec![0xc0, 0, 0, 0, 1, 0, 0, 0, 0x40, 0x50];
    long.extend([0; 20]);
    assert_eq!(packet::parse_header(&long, 0), Err(PacketError::Truncated));
    // Version Negotiation round trip.
    let mut vn = Vec::new();
    let d = ConnectionId::new(&[1, 2]).unwrap();
    let s = ConnectionId::new(&[3]).unwrap();
    packet::write_version_negotiation(&mut vn, &d, &s, &[Version::V2, Version::V1], 0x3f).unwrap();
    let h = packet::parse_header(&vn, 0).unwrap();
    assert_eq!(h.ty, PacketType::VersionNegotiation);
    assert_eq!((h.dcid, h.scid), (s, d), "IDs swapped in the answer");
    assert_eq!(
        h.supported_versions(&vn).collect::<Vec<_>>(),
        [Version::V2, Version::V1]
    );
}

#[test]
fn v2_long_header_type_bits_are_rotated() {
    // RFC 9369 §3.2: Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00.
    for (ty, bits) in [
        (PacketType::Initial, 1),
        (PacketType::ZeroRtt, 2),
        (PacketType::Handshake, 3),
        (PacketType::Retry, 0),
    ] {
        assert_eq!(ty.long_type_bits(Version::V2), Some(bits));
        assert_eq!(PacketType::from_long_type_bits(bits, Version::V2), ty);
    }
}

#[test]
fn reserved_bits_after_decryption_are_a_protocol_violation() {
    let dcid = ConnectionId::new(&[1; 8]).unwrap();
    let client = Ring.initial_keys(Version::V1, &dcid, Side::Client).unwrap();
    let server = Ring.initial_keys(Version::V1, &dcid, Side::Server).unwrap();
    let mut buf = vec![0u8; 200];
    let mut w = Writer::new(&mut buf);
    let b = PacketBuilder::short(&mut w, &dcid, false, false, 3, 2).unwrap();
    w.written_mut()[0] |= 0x18; // reserved bits, set before protection
    Frame::Ping.encode(&mut w).unwrap();
    let len = b
        .finish(&mut w, &*client.local.header, &*client.local.packet)
        .unwrap();
    let header = packet::parse_header(&buf[..len], 8).unwrap();
    let err = packet::open(
        &mut buf[..len],
        &header,
        &*server.remote.header,
        &*server.remote.packet,
        Some(2),
    )
    .unwrap_err();
    assert_eq!(err, PacketError::ReservedBitsSet);
    assert_eq!(
        err.connection_error().unwrap().code,
        TransportErrorCode::ProtocolViolation
    );
}

fn varint() -> impl Strategy<Value = VarInt> {
    prop_oneof![
        (0u64..64).prop_map(|v| VarInt::from_u64(v).unwrap()),
        (0u64..(1 << 62)).prop_map(|v| VarInt::from_u64(v).unwrap()),
    ]
}

fn cid(min: usize) -> impl Strategy<Value = ConnectionId> {
    proptest::collection::vec(any::<u8>(), min..=20).prop_map(|b| ConnectionId::new(&b).unwrap())
}

/// Every frame type with arbitrary valid fields, as owned parts: (frame bytes source, builder).
#[derive(Debug, Clone)]
enum Owned {
    Ping,
    Ack(
        Vec<std::ops::RangeInclusive<u64>>,
        VarInt,
        Option<EcnCounts>,
    ),
    ResetStream(VarInt, VarInt, VarInt),
    StopSending(VarInt, VarInt),
    Crypto(u32, Vec<u8>),
    NewToken(Vec<u8>),
    Stream(VarInt, u32, bool, bool, Vec<u8>),
    MaxData(VarInt),
    MaxStreamData(VarInt, VarInt),
    MaxStreams(bool, u64),
    DataBlocked(VarInt),
    StreamDataBlocked(VarInt, VarInt),
    StreamsBlocked(bool, u64),
    NewConnectionId(u32, u32, ConnectionId, [u8; 16]),
    RetireConnectionId(VarInt),
    PathChallenge([u8; 8]),
    PathResponse([u8; 8]),
    Close(Option<VarInt>, VarInt, Vec<u8>),
    HandshakeDone,
    Datagram(bool, Vec<u8>),
}

fn ack_ranges() -> impl Strategy<Value = Vec<std::ops::RangeInclusive<u64>>> {
    (
        1_000_000u64..(1 << 40),
        proptest::collection::vec((0u64..1000, 0u64..1000), 1..20),
    )
        .prop_map(|(mut top, steps)| {
            let mut ranges = Vec::new();
            for (gap, len) in steps {
                let Some(low) = top.checked_sub(len) else {
                    break;
                };
                ranges.push(low..=top);
                match low.checked_sub(gap + 2) {
                    Some(next) => top = next,
                    None => break,
                }
            }
            ranges
        })
}

fn owned_frame() -> impl Strategy<Value = Owned> {
    let bytes = || proptest::collection::vec(any::<u8>(), 0..64);
    prop_oneof![
        Just(Owned::Ping),
        (
            ack_ranges(),
            varint(),
            proptest::option::of((varint(), varint(), varint()))
        )
            .prop_map(|(r, d, e)| Owned::Ack(
                r,
                d,
                e.map(|(ect0, ect1, ce)| EcnCounts { ect0, ect1, ce })
            )),
        (varint(), varint(), varint()).prop_map(|(a, b, c)| Owned::ResetStream(a, b, c)),
        (varint(), varint()).prop_map(|(a, b)| Owned::StopSending(a, b)),
        (any::<u32>(), bytes()).prop_map(|(o, d)| Owned::Crypto(o, d)),
        proptest::collection::vec(any::<u8>(), 1..64).prop_map(Owned::NewToken),
        (
            varint(),
            any::<u32>(),
            any::<bool>(),
            any::<bool>(),
            bytes()
        )
            .prop_map(|(i, o, f, l, d)| Owned::Stream(i, o, f, l, d)),
        varint().prop_map(Owned::MaxData),
        (varint(), varint()).prop_map(|(a, b)| Owned::MaxStreamData(a, b)),
        (any::<bool>(), 0u64..=(1 << 60)).prop_map(|(b, m)| Owned::MaxStreams(b, m)),
        varint().prop_map(Owned::DataBlocked),
        (varint(), varint()).prop_map(|(a, b)| Owned::StreamDataBlocked(a, b)),
        (any::<bool>(), 0u64..=(1 << 60)).prop_map(|(b, m)| Owned::StreamsBlocked(b, m)),
        (any::<u32>(), any::<u32>(), cid(1), any::<[u8; 16]>())
            .prop_map(|(s, r, c, t)| Owned::NewConnectionId(s.max(r), s.min(r), c, t)),
        varint().prop_map(Owned::RetireConnectionId),
        any::<[u8; 8]>().prop_map(Owned::PathChallenge),
        any::<[u8; 8]>().prop_map(Owned::PathResponse),
        (proptest::option::of(varint()), varint(), bytes())
            .prop_map(|(t, c, r)| Owned::Close(t, c, r)),
        Just(Owned::HandshakeDone),
        (any::<bool>(), bytes()).prop_map(|(l, d)| Owned::Datagram(l, d)),
    ]
}

/// Encodes the frame (ACK through `encode_ack`, the rest through `Frame::encode`).
fn encode_owned(o: &Owned, out: &mut Vec<u8>) {
    let v = |x: u64| VarInt::from_u64(x).unwrap();
    let f = match o {
        Owned::Ack(ranges, delay, ecn) => {
            frame::encode_ack(out, ranges, *delay, *ecn).unwrap();
            return;
        }
        Owned::Ping => Frame::Ping,
        Owned::ResetStream(a, b, c) => Frame::ResetStream {
            id: *a,
            error_code: *b,
            final_size: *c,
        },
        Owned::StopSending(a, b) => Frame::StopSending {
            id: *a,
            error_code: *b,
        },
        Owned::Crypto(o, d) => Frame::Crypto {
            offset: VarInt::from_u32(*o),
            data: d,
        },
        Owned::NewToken(t) => Frame::NewToken { token: t },
        Owned::Stream(id, off, fin, len, data) => Frame::Stream(Stream {
            id: *id,
            offset: VarInt::from_u32(*off),
            fin: *fin,
            has_length: *len,
            data,
        }),
        Owned::MaxData(x) => Frame::MaxData(*x),
        Owned::MaxStreamData(a, b) => Frame::MaxStreamData { id: *a, max: *b },
        Owned::MaxStreams(bi, m) => Frame::MaxStreams {
            dir: if *bi { Dir::Bi } else { Dir::Uni },
            max: v(*m),
        },
        Owned::DataBlocked(x) => Frame::DataBlocked(*x),
        Owned::StreamDataBlocked(a, b) => Frame::StreamDataBlocked { id: *a, limit: *b },
        Owned::StreamsBlocked(bi, m) => Frame::StreamsBlocked {
            dir: if *bi { Dir::Bi } else { Dir::Uni },
            limit: v(*m),
        },
        Owned::NewConnectionId(s, r, c, t) => Frame::NewConnectionId(NewConnectionId {
            sequence: VarInt::from_u32(*s),
            retire_prior_to: VarInt::from_u32(*r),
            id: *c,
            reset_token: *t,
        }),
        Owned::RetireConnectionId(s) => Frame::RetireConnectionId { sequence: *s },
        Owned::PathChallenge(d) => Frame::PathChallenge(*d),
        Owned::PathResponse(d) => Frame::PathResponse(*d),
        Owned::Close(t, c, r) => Frame::ConnectionClose(ConnectionClose {
            frame_type: *t,
            error_code: *c,
            reason: r,
        }),
        Owned::HandshakeDone => Frame::HandshakeDone,
        Owned::Datagram(l, d) => Frame::Datagram {
            has_length: *l,
            data: d,
        },
    };
    let before = out.len();
    f.encode(out).unwrap();
    assert_eq!(out.len() - before, f.encoded_len());
}

/// Checks that the decoded frame carries exactly the fields of `o`.
fn matches_owned(o: &Owned, f: &Frame<'_>) -> bool {
    match (o, f) {
        (Owned::Ack(ranges, delay, ecn), Frame::Ack(a)) => {
            let a: &Ack<'_> = a;
            a.ranges().collect::<Vec<_>>() == *ranges && a.delay == *delay && a.ecn == *ecn
        }
        (Owned::Stream(id, off, fin, _, data), Frame::Stream(s)) => {
            s.id == *id
                && s.offset.into_inner() == u64::from(*off)
                && s.fin == *fin
                && s.data == &data[..]
        }
        (Owned::Datagram(_, d), Frame::Datagram { data, .. }) => data == &&d[..],
        (Owned::Crypto(o, d), Frame::Crypto { offset, data }) => {
            offset.into_inner() == u64::from(*o) && data == &&d[..]
        }
        (Owned::Close(t, c, r), Frame::ConnectionClose(cc)) => {
            cc.frame_type == *t && cc.error_code == *c && cc.reason == &r[..]
        }
        _ => {
            let mut a = Vec::new();
            encode_owned(o, &mut a);
            let mut b = Vec::new();
            f.encode(&mut b).unwrap();
            a == b
        }
    }
}

fn allowed(o: &Owned) -> PacketType {
    match o {
        Owned::Ping | Owned::Ack(..) | Owned::Crypto(..) => PacketType::Initial,
        Owned::Close(Some(_), ..) => PacketType::Handshake,
        _ => PacketType::OneRtt,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every frame type round trips alone, and sequences of frames round trip in one payload
    /// (frames without a Length field only last).
    #[test]
    fn every_frame_round_trips(frames in proptest::collection::vec(owned_frame(), 1..8)) {
        for o in &frames {
            let mut buf = Vec::new();
            encode_owned(o, &mut buf);
            let ty = allowed(o);
            let decoded: Vec<_> = Frames::new(&buf, ty).collect::<Result<_, _>>().unwrap();
            prop_assert_eq!(decoded.len(), 1);
            prop_assert!(matches_owned(o, &decoded[0]), "{:?} vs {:?}", o, decoded[0]);
        }
        // All in one 1-RTT payload: keep only those allowed there and force lengths except last.
        let mut payload = Vec::new();
        let list: Vec<Owned> = frames
            .iter()
            .cloned()
            .map(|o| match o {
                Owned::Stream(i, off, f, _, d) => Owned::Stream(i, off, f, true, d),
                Owned::Datagram(_, d) => Owned::Datagram(true, d),
                other => other,
            })
            .collect();
        for o in &list {
            encode_owned(o, &mut payload);
        }
        let decoded: Vec<_> = Frames::new(&payload, PacketType::OneRtt).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(decoded.len(), list.len());
        for (o, f) in list.iter().zip(&decoded) {
            prop_assert!(matches_owned(o, f));
        }
    }

    /// Long and short headers of every kind round trip through build → protect → parse → open.
    #[test]
    fn every_header_type_round_trips(
        v2 in any::<bool>(),
        kind in 0u8..4,
        dcid in cid(0),
        scid in cid(0),
        token in proptest::collection::vec(any::<u8>(), 0..40),
        pn in 0u64..(1 << 32),
        pn_len in 1usize..=4,
        spin in any::<bool>(),
        key_phase in any::<bool>(),
        payload in proptest::collection::vec(any::<u8>(), 1..100),
    ) {
        let version = if v2 { Version::V2 } else { Version::V1 };
        let client = Ring.initial_keys(version, &dcid, Side::Client).unwrap();
        let server = Ring.initial_keys(version, &dcid, Side::Server).unwrap();
        let mut buf = vec![0u8; 400];
        let mut w = Writer::new(&mut buf);
        let (builder, ty) = match kind {
            0 => (PacketBuilder::long(&mut w, LongType::Initial { token: &token }, version, &dcid, &scid, pn, pn_len).unwrap(), PacketType::Initial),
            1 => (PacketBuilder::long(&mut w, LongType::ZeroRtt, version, &dcid, &scid, pn, pn_len).unwrap(), PacketType::ZeroRtt),
            2 => (PacketBuilder::long(&mut w, LongType::Handshake, version, &dcid, &scid, pn, pn_len).unwrap(), PacketType::Handshake),
            _ => (PacketBuilder::short(&mut w, &dcid, spin, key_phase, pn, pn_len).unwrap(), PacketType::OneRtt),
        };
        w.put_slice(&payload).unwrap();
        let len = builder.finish(&mut w, &*client.local.header, &*client.local.packet).unwrap();
        let header = packet::parse_header(&buf[..len], dcid.len()).unwrap();
        prop_assert_eq!(header.ty, ty);
        prop_assert_eq!(header.dcid, dcid);
        prop_assert_eq!(header.len, len);
        if ty.is_long() {
            prop_assert_eq!(header.version, version);
            prop_assert_eq!(header.scid, scid);
        } else {
            prop_assert_eq!(header.spin(), spin);
        }
        if ty == PacketType::Initial {
            prop_assert_eq!(header.token(&buf[..len]), &token[..]);
        }
        // The receiver has seen pn - 1 (or nothing at pn 0).
        let largest = pn.checked_sub(1);
        let opened = packet::open(&mut buf[..len], &header, &*server.remote.header, &*server.remote.packet, largest).unwrap();
        prop_assert_eq!(opened.pn, pn);
        prop_assert_eq!(opened.unmasked.pn_len, pn_len);
        if ty == PacketType::OneRtt {
            prop_assert_eq!(opened.unmasked.key_phase(), key_phase);
        }
        // Short payloads are padded with zeros up to the sample size.
        prop_assert_eq!(&opened.payload[..payload.len()], &payload[..]);
        prop_assert!(opened.payload[payload.len()..].iter().all(|&b| b == 0));
    }

    #[test]
    fn arbitrary_datagrams_never_panic(data in proptest::collection::vec(any::<u8>(), 0..1500)) {
        fuzzing::datagram(&data);
        fuzzing::unprotect(&data);
    }

    #[test]
    fn arbitrary_frames_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        fuzzing::frames(&data);
    }

    #[test]
    fn arbitrary_transport_parameters_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        fuzzing::transport_params(&data);
    }

    /// Mutated real Initials: one flipped byte anywhere never authenticates.
    #[test]
    fn a_flipped_byte_never_authenticates(at in 0usize..1200, bit in 0u8..8) {
        let v = testvectors::rfc9001::V1;
        let mut datagram = testvectors::hex(v.client_packet);
        datagram[at] ^= 1 << bit;
        let keys = Ring.initial_keys(Version::V1, &testvectors::hex(testvectors::rfc9001::CLIENT_DCID), Side::Server).unwrap();
        if let Some(Ok((range, header))) = Datagram::new(&datagram.clone(), 8).next() {
            let r = packet::open(&mut datagram[range], &header, &*keys.remote.header, &*keys.remote.packet, None);
            prop_assert!(r.is_err());
        }
    }
}

/// Key update (RFC 9001 §6): both ends move to the next generation of 1-RTT secrets; packets
/// sealed with the new keys open only with the new keys; header protection keys stay.
#[test]
fn key_update_moves_both_directions_to_the_next_generation() {
    use quic_proto::crypto::{CipherSuite, OneRttSecrets, Secret};
    let dcid = ConnectionId::new(&[5; 8]).unwrap();
    for suite in [
        CipherSuite::Aes128GcmSha256,
        CipherSuite::Aes256GcmSha384,
        CipherSuite::ChaCha20Poly1305Sha256,
    ] {
        let len = suite.secret_len();
        let mut client = OneRttSecrets {
            suite,
            version: Version::V1,
            client: Secret::new(&vec![1; len]).unwrap(),
            server: Secret::new(&vec![2; len]).unwrap(),
        };
        let mut server = client.clone();
        let hp = Ring.header_key(suite, Version::V1, &client.client).unwrap();
        let (old_send, _) = client.packet_keys(&Ring, Side::Client).unwrap();
        client.update(&Ring).unwrap();
        server.update(&Ring).unwrap();
        let (send, _) = client.packet_keys(&Ring, Side::Client).unwrap();
        let (_, old_recv) = OneRttSecrets {
            client: Secret::new(&vec![1; len]).unwrap(),
            server: Secret::new(&vec![2; len]).unwrap(),
            ..client.clone()
        }
        .packet_keys(&Ring, Side::Server)
        .unwrap();
        let (_, recv) = server.packet_keys(&Ring, Side::Server).unwrap();

        let seal = |key: &dyn quic_proto::crypto::PacketKey, phase: bool| {
            let mut buf = vec![0u8; 64];
            let mut w = Writer::new(&mut buf);
            let b = PacketBuilder::short(&mut w, &dcid, false, phase, 10, 2).unwrap();
            Frame::Ping.encode(&mut w).unwrap();
            let len = b.finish(&mut w, &*hp, key).unwrap();
            buf.truncate(len);
            buf
        };
        let open = |mut packet: Vec<u8>, key: &dyn quic_proto::crypto::PacketKey| {
            let header = packet::parse_header(&packet, 8).unwrap();
            packet::open(&mut packet, &header, &*hp, key, Some(9)).map(|o| o.unmasked.key_phase())
        };
        assert_eq!(open(seal(&*send, true), &*recv), Ok(true), "{suite:?}");
        assert!(open(seal(&*send, true), &*old_recv).is_err());
        assert_eq!(open(seal(&*old_send, false), &*old_recv), Ok(false));
        assert!(open(seal(&*old_send, false), &*recv).is_err());
    }
}
