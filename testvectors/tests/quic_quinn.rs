//! Real packets from a second peer: quinn-proto (in process, no sockets) opens a connection;
//! we parse its first datagram, decrypt the Initial with keys derived from its DCID, and read
//! the ClientHello and quinn's transport parameters (which include GREASE ids) from CRYPTO.

use std::sync::Arc;
use std::time::Instant;

use quic_proto::crypto::Provider;
use quic_proto::crypto::ring::Ring;
use quic_proto::frame::{Frame, Frames};
use quic_proto::packet::{self, Datagram, PacketType};
use quic_proto::transport_params::TransportParameters;
use quic_proto::{Side, Version};

fn quinn_first_datagram() -> Vec<u8> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h3".to_vec()];
    let crypto = quinn_proto::crypto::rustls::QuicClientConfig::try_from(tls).unwrap();
    let mut config = quinn_proto::ClientConfig::new(Arc::new(crypto));
    let mut transport = quinn_proto::TransportConfig::default();
    transport.datagram_receive_buffer_size(Some(65536));
    config.transport_config(Arc::new(transport));
    let mut endpoint = quinn_proto::Endpoint::new(
        Arc::new(quinn_proto::EndpointConfig::default()),
        None,
        false,
        Some([7; 32]),
    );
    // quinn-proto's API takes a std Instant; this test is the IO side.
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    let (_, mut connection) = endpoint
        .connect(now, config, "127.0.0.1:4433".parse().unwrap(), "localhost")
        .unwrap();
    let mut buf = Vec::new();
    let transmit = connection.poll_transmit(now, 1, &mut buf).unwrap();
    buf.truncate(transmit.size);
    buf
}

#[test]
fn quinn_client_initial_decodes_and_decrypts() {
    let mut datagram = quinn_first_datagram();
    assert!(datagram.len() >= 1200);
    let packets: Vec<_> = Datagram::new(&datagram, 0)
        .collect::<Result<_, _>>()
        .unwrap();
    let (range, header) = packets[0].clone();
    assert_eq!(header.ty, PacketType::Initial);
    assert_eq!(header.version, Version::V1);
    let keys = Ring
        .initial_keys(Version::V1, &header.dcid, Side::Server)
        .unwrap();
    let opened = packet::open(
        &mut datagram[range],
        &header,
        &*keys.remote.header,
        &*keys.remote.packet,
        None,
    )
    .unwrap();
    assert_eq!(opened.pn, 0);
    let mut hello = Vec::new();
    for frame in Frames::new(opened.payload, PacketType::Initial) {
        if let Frame::Crypto { offset, data } = frame.unwrap() {
            assert_eq!(offset.into_inner() as usize, hello.len());
            hello.extend_from_slice(data);
        }
    }
    assert_eq!(hello[0], 1, "ClientHello");
    // Find the quic_transport_parameters extension (0x39) by walking the ClientHello.
    let be16 = |i: usize| usize::from(u16::from_be_bytes([hello[i], hello[i + 1]]));
    let mut at = 4 + 2 + 32;
    at += 1 + usize::from(hello[at]);
    at += 2 + be16(at);
    at += 1 + usize::from(hello[at]);
    let end = at + 2 + be16(at);
    at += 2;
    let mut params = None;
    while at < end {
        let (ty, len) = (be16(at), be16(at + 2));
        if ty == 0x39 {
            params = Some(hello[at + 4..at + 4 + len].to_vec());
        }
        at += 4 + len;
    }
    let raw = params.expect("quic_transport_parameters");
    let params = TransportParameters::decode(&raw, Side::Client).unwrap();
    assert_eq!(params.initial_source_connection_id, Some(header.scid));
    // quinn advertises at most u16::MAX, whatever its receive buffer.
    assert_eq!(
        params.max_datagram_frame_size.map(|v| v.into_inner()),
        Some(65535)
    );
    // quinn sends a reserved (GREASE) parameter, 31 * N + 27, which the decoder skipped.
    let mut reader = wire_codec::Reader::new(&raw);
    let mut ids = Vec::new();
    while !reader.is_empty() {
        ids.push(reader.read_varint().unwrap().into_inner());
        reader.read_varint_prefixed().unwrap();
    }
    assert!(
        ids.iter()
            .any(|id| id >= &27 && (id - 27).is_multiple_of(31)),
        "{ids:x?}"
    );
    assert!(params.initial_max_data.into_inner() > 0);
    // What we decoded re-encodes to parameters that decode the same (GREASE ids dropped).
    let mut again = Vec::new();
    params.encode(&mut again).unwrap();
    assert_eq!(
        TransportParameters::decode(&again, Side::Client).unwrap(),
        params
    );
}
