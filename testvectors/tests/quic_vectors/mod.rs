//! The RFC 9001 / RFC 9369 Appendix A checks, shared by `tests/rfc9001.rs` (v1) and
//! `tests/rfc9369.rs` (v2): every value derived and every packet built and opened
//! byte-exact through `quic-proto`, and the transcription checked against the RFC text.

use quic_proto::ConnectionId;
use quic_proto::crypto::ring::Ring;
use quic_proto::crypto::{CipherSuite, HeaderKey, Provider, Secret, verify_retry};
use quic_proto::frame::{Frame, Frames};
use quic_proto::packet::{self, Datagram, LongType, PacketBuilder, PacketType};
use quic_proto::{Side, Version};
use testvectors::rfc9001::{
    CHACHA_PN, CLIENT_DCID, CLIENT_PN, PacketProtection, SERVER_PN, SERVER_SCID,
};
use testvectors::{hex, shared};
use wire_codec::{Output, Writer};

fn secret(text: &str) -> Secret {
    Secret::new(&hex(text)).unwrap()
}

pub fn keys(v: &PacketProtection) {
    let version = Version(v.version);
    let (client, server) = Ring.initial_secrets(version, &hex(CLIENT_DCID));
    assert_eq!(client.as_bytes(), hex(v.client_initial_secret));
    assert_eq!(server.as_bytes(), hex(v.server_initial_secret));
    let suite = CipherSuite::Aes128GcmSha256;
    let c = Ring.key_material(suite, version, &client).unwrap();
    assert_eq!(c.key(), hex(v.client_key));
    assert_eq!(c.iv.as_slice(), hex(v.client_iv));
    assert_eq!(c.hp(), hex(v.client_hp));
    let s = Ring.key_material(suite, version, &server).unwrap();
    assert_eq!(s.key(), hex(v.server_key));
    assert_eq!(s.iv.as_slice(), hex(v.server_iv));
    assert_eq!(s.hp(), hex(v.server_hp));
    // The masks of A.2 and A.3 from the derived header protection keys.
    let keys = Ring
        .initial_keys(version, &hex(CLIENT_DCID), Side::Client)
        .unwrap();
    let mask = keys.local.header.mask(&hex(v.client_sample)).unwrap();
    assert_eq!(mask.as_slice(), hex(v.client_mask));
    let mask = keys.remote.header.mask(&hex(v.server_sample)).unwrap();
    assert_eq!(mask.as_slice(), hex(v.server_mask));
}

/// Builds the A.2 client Initial with `keys` and returns the datagram.
fn build_client_initial(v: &PacketProtection, keys: &quic_proto::crypto::Keys) -> Vec<u8> {
    let mut buf = vec![0u8; 1200];
    let mut w = Writer::new(&mut buf);
    let dcid = ConnectionId::new(&hex(CLIENT_DCID)).unwrap();
    let builder = PacketBuilder::long(
        &mut w,
        LongType::Initial { token: &[] },
        Version(v.version),
        &dcid,
        &ConnectionId::EMPTY,
        CLIENT_PN,
        4,
    )
    .unwrap();
    w.put_slice(&hex(v.client_crypto_frame)).unwrap();
    builder.pad_to(&mut w, 1200, 16).unwrap();
    let len = builder
        .finish(&mut w, &*keys.local.header, &*keys.local.packet)
        .unwrap();
    assert_eq!(len, 1200);
    buf
}

pub fn client_initial(v: &PacketProtection) {
    let version = Version(v.version);
    let keys = Ring
        .initial_keys(version, &hex(CLIENT_DCID), Side::Client)
        .unwrap();
    let datagram = build_client_initial(v, &keys);
    assert_eq!(
        datagram,
        hex(v.client_packet),
        "protected client Initial, byte-exact"
    );
    assert_eq!(
        &datagram[..hex(v.client_protected_header).len()],
        hex(v.client_protected_header)
    );

    // The server's side: parse, unprotect, read the frames.
    let server = Ring
        .initial_keys(version, &hex(CLIENT_DCID), Side::Server)
        .unwrap();
    let mut datagram = datagram;
    let packets: Vec<_> = Datagram::new(&datagram, 8)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(packets.len(), 1);
    let (range, header) = packets[0].clone();
    assert_eq!(header.ty, PacketType::Initial);
    assert_eq!(header.version, version);
    assert_eq!(header.dcid.as_slice(), hex(CLIENT_DCID));
    assert!(header.scid.is_empty());
    assert_eq!(header.len, 1200);
    let packet = &mut datagram[range];
    let opened = packet::open(
        packet,
        &header,
        &*server.remote.header,
        &*server.remote.packet,
        None,
    )
    .unwrap();
    assert_eq!(opened.pn, CLIENT_PN);
    assert_eq!(opened.payload.len(), 1162);
    let frames: Vec<_> = Frames::new(opened.payload, PacketType::Initial)
        .collect::<Result<_, _>>()
        .unwrap();
    let crypto = hex(v.client_crypto_frame);
    assert_eq!(frames.len(), 2, "{frames:?}");
    match frames[0] {
        Frame::Crypto { offset, data } => {
            assert_eq!(offset.into_inner(), 0);
            assert_eq!(data.len(), 241);
            assert_eq!(data, &crypto[4..]);
            assert_eq!(data[0], 1, "a ClientHello");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(frames[1], Frame::Padding(1162 - crypto.len()));
    assert_eq!(&packet[..22], hex(v.client_header), "unprotected header");
}

#[allow(irrefutable_let_patterns)] // only TLS 1.3 suites without rustls's tls12 feature
pub fn client_initial_through_rustls(v: &PacketProtection) {
    let rustls::SupportedCipherSuite::Tls13(suite) =
        rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256
    else {
        panic!("TLS 1.3 suite")
    };
    let version = match v.version {
        1 => rustls::quic::Version::V1,
        _ => rustls::quic::Version::V2,
    };
    let keys = suite
        .quic_suite()
        .unwrap()
        .keys(&hex(CLIENT_DCID), rustls::Side::Client, version);
    let keys = quic_proto::crypto::rustls::keys(keys);
    assert_eq!(build_client_initial(v, &keys), hex(v.client_packet));
}

pub fn server_initial(v: &PacketProtection) {
    let version = Version(v.version);
    let client = Ring
        .initial_keys(version, &hex(CLIENT_DCID), Side::Client)
        .unwrap();
    let mut datagram = hex(v.server_packet);
    let (range, header) = Datagram::new(&datagram, 0).next().unwrap().unwrap();
    assert_eq!(header.ty, PacketType::Initial);
    assert_eq!(header.scid.as_slice(), hex(SERVER_SCID));
    assert!(header.dcid.is_empty());
    let packet = &mut datagram[range];
    let opened = packet::open(
        packet,
        &header,
        &*client.remote.header,
        &*client.remote.packet,
        None,
    )
    .unwrap();
    assert_eq!(opened.pn, SERVER_PN);
    assert_eq!(opened.payload, hex(v.server_payload).as_slice());
    let frames: Vec<_> = Frames::new(opened.payload, PacketType::Initial)
        .collect::<Result<_, _>>()
        .unwrap();
    let Frame::Ack(ack) = frames[0] else {
        panic!("{frames:?}")
    };
    assert_eq!(ack.ranges().collect::<Vec<_>>(), [0..=0]);
    assert!(matches!(frames[1], Frame::Crypto { data, .. } if data.len() == 90 && data[0] == 2));
    assert_eq!(&packet[..20], hex(v.server_header));

    // And the server builds the same bytes.
    let server = Ring
        .initial_keys(version, &hex(CLIENT_DCID), Side::Server)
        .unwrap();
    let expected = hex(v.server_packet);
    let mut buf = vec![0u8; expected.len()];
    let mut w = Writer::new(&mut buf);
    let scid = ConnectionId::new(&hex(SERVER_SCID)).unwrap();
    let builder = PacketBuilder::long(
        &mut w,
        LongType::Initial { token: &[] },
        version,
        &ConnectionId::EMPTY,
        &scid,
        SERVER_PN,
        2,
    )
    .unwrap();
    w.put_slice(&hex(v.server_payload)).unwrap();
    builder
        .finish(&mut w, &*server.local.header, &*server.local.packet)
        .unwrap();
    assert_eq!(buf, expected, "protected server Initial, byte-exact");
}

pub fn retry(v: &PacketProtection) {
    let version = Version(v.version);
    let packet = hex(v.retry_packet);
    let header = packet::parse_header(&packet, 0).unwrap();
    assert_eq!(header.ty, PacketType::Retry);
    assert_eq!(header.token(&packet), b"token");
    assert_eq!(header.scid.as_slice(), hex(SERVER_SCID));
    assert!(verify_retry(&Ring, version, &hex(CLIENT_DCID), &packet));
    // And the server writes the same bytes (the example's unused bits are all ones).
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    let len = packet::write_retry(
        &mut w,
        &Ring,
        version,
        &ConnectionId::EMPTY,
        &ConnectionId::new(&hex(SERVER_SCID)).unwrap(),
        b"token",
        &ConnectionId::new(&hex(CLIENT_DCID)).unwrap(),
        0x0f,
    )
    .unwrap();
    assert_eq!(&buf[..len], packet.as_slice(), "Retry written byte-exact");
    // Another original DCID, the other version, or any flipped bit fails.
    assert!(!verify_retry(&Ring, version, &[1, 2, 3, 4], &packet));
    let other = if version == Version::V1 {
        Version::V2
    } else {
        Version::V1
    };
    assert!(!verify_retry(&Ring, other, &hex(CLIENT_DCID), &packet));
    for i in 0..packet.len() {
        let mut bad = packet.clone();
        bad[i] ^= 0x01;
        assert!(
            !verify_retry(&Ring, version, &hex(CLIENT_DCID), &bad),
            "byte {i}"
        );
    }
}

pub fn chacha_short_header(v: &PacketProtection) {
    let version = Version(v.version);
    let suite = CipherSuite::ChaCha20Poly1305Sha256;
    let secret = secret(v.chacha_secret);
    let m = Ring.key_material(suite, version, &secret).unwrap();
    assert_eq!(m.key(), hex(v.chacha_key));
    assert_eq!(m.iv.as_slice(), hex(v.chacha_iv));
    assert_eq!(m.hp(), hex(v.chacha_hp));
    let ku = Ring.next_secret(suite, version, &secret).unwrap();
    assert_eq!(ku.as_bytes(), hex(v.chacha_ku));
    // The nonce: IV XOR the packet number.
    let mut nonce = m.iv;
    for (n, p) in nonce[4..].iter_mut().zip(CHACHA_PN.to_be_bytes()) {
        *n ^= p;
    }
    assert_eq!(nonce.as_slice(), hex(v.chacha_nonce));

    let keys = Ring.directional_keys(suite, version, &secret).unwrap();
    assert_eq!(
        keys.header.mask(&hex(v.chacha_sample)).unwrap().as_slice(),
        hex(v.chacha_mask)
    );
    let mut buf = [0u8; 21];
    let mut w = Writer::new(&mut buf);
    let builder =
        PacketBuilder::short(&mut w, &ConnectionId::EMPTY, false, false, CHACHA_PN, 3).unwrap();
    assert_eq!(w.written(), hex(v.chacha_unprotected_header));
    w.put_slice(&hex(v.chacha_plaintext)).unwrap();
    let len = builder
        .finish(&mut w, &*keys.header, &*keys.packet)
        .unwrap();
    assert_eq!(len, 21);
    assert_eq!(
        buf.as_slice(),
        hex(v.chacha_packet),
        "the 21-byte packet, byte-exact"
    );
    assert_eq!(&buf[4..], hex(v.chacha_ciphertext));

    // Open it as the client would, having seen the packet before it.
    let header = packet::parse_header(&buf, 0).unwrap();
    assert_eq!(header.ty, PacketType::OneRtt);
    let opened = packet::open(
        &mut buf,
        &header,
        &*keys.header,
        &*keys.packet,
        Some(CHACHA_PN - 1),
    )
    .unwrap();
    assert_eq!(opened.pn, CHACHA_PN);
    assert!(!opened.unmasked.key_phase());
    assert_eq!(opened.payload, [0x01]);
    assert_eq!(
        Frames::new(opened.payload, PacketType::OneRtt).next(),
        Some(Ok(Frame::Ping))
    );
}

/// Every value of the vector appears in the RFC's Appendix A (whitespace ignored), and the
/// vector's lengths are the ones the text states.
pub fn transcription(v: &PacketProtection) {
    let Some(text) = shared::rfc_text(v.rfc) else {
        return;
    };
    let start = text.rfind("Appendix A.  Sample Packet Protection").unwrap();
    let appendix: String = text[start..]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let fields = [
        v.initial_secret,
        v.client_initial_secret,
        v.client_key,
        v.client_iv,
        v.client_hp,
        v.server_initial_secret,
        v.server_key,
        v.server_iv,
        v.server_hp,
        v.client_crypto_frame,
        v.client_header,
        v.client_sample,
        v.client_mask,
        v.client_protected_header,
        v.client_packet,
        v.server_payload,
        v.server_header,
        v.server_sample,
        v.server_mask,
        v.server_protected_header,
        v.server_packet,
        v.retry_packet,
        v.chacha_secret,
        v.chacha_key,
        v.chacha_iv,
        v.chacha_hp,
        v.chacha_ku,
        v.chacha_nonce,
        v.chacha_unprotected_header,
        v.chacha_ciphertext,
        v.chacha_sample,
        v.chacha_mask,
        v.chacha_header,
        v.chacha_packet,
    ];
    for field in fields {
        let compact: String = field.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(appendix.contains(&compact), "{compact} not in {}", v.rfc);
    }
    assert_eq!(hex(v.client_packet).len(), 1200);
    assert_eq!(hex(v.chacha_packet).len(), 21);
    assert!(appendix.contains("packetnumberof654360564"));
}
