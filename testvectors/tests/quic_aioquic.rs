//! Real packets from a real peer: aioquic (pip) produces a v1 and a v2 handshake's first
//! flights in memory (`quic_aioquic/peer.py`); we parse and decrypt them — the client Initial
//! with keys derived from its DCID, the server's Initial, its Handshake packet and the client's
//! 1-RTT packets with the secrets from aioquic's key log — and check the TLS messages and
//! transport parameters inside.
//!
//! Without python3 or aioquic the test prints `SKIPPED` and passes, except under `CI`.

use std::collections::BTreeMap;
use std::process::Command;

use quic_proto::crypto::ring::Ring;
use quic_proto::crypto::{CipherSuite, Provider, Secret};
use quic_proto::frame::{Frame, Frames};
use quic_proto::packet::{self, Datagram, PacketType};
use quic_proto::transport_params::TransportParameters;
use quic_proto::{ConnectionId, Side, Version};
use testvectors::hex;

struct Flight {
    original_dcid: Vec<u8>,
    client: Vec<Vec<u8>>,
    server: Vec<Vec<u8>>,
    client_second: Vec<Vec<u8>>,
    server_keylog: String,
    client_keylog: String,
}

fn skip(why: &str) -> Option<Flight> {
    let message = format!("SKIPPED: aioquic interop: {why}");
    assert!(
        std::env::var_os("CI").is_none(),
        "{message}; CI must have it"
    );
    eprintln!("{message}");
    None
}

fn run_peer(version: u32) -> Option<Flight> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/quic_aioquic/peer.py");
    let arg = if version == 1 { "1" } else { "2" };
    let output = match Command::new("python3").arg(script).arg(arg).output() {
        Ok(output) => output,
        Err(e) => return skip(&format!("python3 not runnable: {e}")),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No module named 'aioquic'") {
        return skip("aioquic not installed (pip install aioquic==1.7.2, see .ci/install-tools)");
    }
    assert!(output.status.success(), "peer.py failed: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["version"].as_u64(), Some(u64::from(version)));
    let list = |key: &str| -> Vec<Vec<u8>> {
        json[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| hex(d.as_str().unwrap()))
            .collect()
    };
    Some(Flight {
        original_dcid: hex(json["original_dcid"].as_str().unwrap()),
        client: list("client"),
        server: list("server"),
        client_second: list("client_second"),
        server_keylog: json["server_keylog"].as_str().unwrap().to_owned(),
        client_keylog: json["client_keylog"].as_str().unwrap().to_owned(),
    })
}

/// SSLKEYLOGFILE lines: label → secret (one connection per log here).
fn keylog(text: &str) -> BTreeMap<String, Vec<u8>> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let label = parts.next()?;
            let _client_random = parts.next()?;
            Some((label.to_owned(), hex(parts.next()?)))
        })
        .collect()
}

/// Decrypts every packet of `datagram` that `keys_for` has keys for, returning
/// (type, packet number, owned plaintext).
fn open_all(
    datagram: &[u8],
    local_cid_len: usize,
    keys_for: &dyn Fn(PacketType) -> Option<quic_proto::crypto::DirectionalKeys>,
) -> Vec<(PacketType, u64, Vec<u8>)> {
    let mut buf = datagram.to_vec();
    let mut out = Vec::new();
    for item in Datagram::new(datagram, local_cid_len) {
        let (range, header) = item.unwrap();
        let Some(keys) = keys_for(header.ty) else {
            continue;
        };
        let opened =
            packet::open(&mut buf[range], &header, &*keys.header, &*keys.packet, None).unwrap();
        out.push((header.ty, opened.pn, opened.payload.to_vec()));
    }
    out
}

/// The CRYPTO stream of some plaintexts, reassembled from offset 0 (in order here).
fn crypto_stream(plaintexts: &[&[u8]], ty: PacketType) -> Vec<u8> {
    let mut chunks = Vec::new();
    for payload in plaintexts {
        for frame in Frames::new(payload, ty) {
            if let Frame::Crypto { offset, data } = frame.unwrap() {
                chunks.push((offset.into_inner() as usize, data.to_vec()));
            }
        }
    }
    chunks.sort();
    let mut stream = Vec::new();
    for (offset, data) in chunks {
        assert!(offset <= stream.len(), "gap in CRYPTO stream");
        let skip = stream.len() - offset;
        if skip < data.len() {
            stream.extend_from_slice(&data[skip..]);
        }
    }
    stream
}

/// The TLS extensions of a ClientHello or EncryptedExtensions message: type → body.
fn extensions(message: &[u8]) -> BTreeMap<u16, Vec<u8>> {
    let be16 = |b: &[u8], i: usize| usize::from(u16::from_be_bytes([b[i], b[i + 1]]));
    let mut at = match message[0] {
        // ClientHello: type, length, version, random, session id, suites, compression.
        1 => {
            let mut at = 4 + 2 + 32;
            at += 1 + usize::from(message[at]);
            at += 2 + be16(message, at);
            at += 1 + usize::from(message[at]);
            at
        }
        // EncryptedExtensions: type, length.
        8 => 4,
        other => panic!("handshake message type {other}"),
    };
    let end = at + 2 + be16(message, at);
    at += 2;
    let mut out = BTreeMap::new();
    while at < end {
        let ty = be16(message, at) as u16;
        let len = be16(message, at + 2);
        out.insert(ty, message[at + 4..at + 4 + len].to_vec());
        at += 4 + len;
    }
    out
}

/// The cipher suite of a ServerHello (type 2).
fn server_hello_suite(message: &[u8]) -> CipherSuite {
    assert_eq!(message[0], 2, "ServerHello");
    let at = 4 + 2 + 32;
    let at = at + 1 + usize::from(message[at]);
    CipherSuite::from_tls_id(u16::from_be_bytes([message[at], message[at + 1]])).unwrap()
}

const QUIC_TRANSPORT_PARAMETERS: u16 = 0x39;
const ALPN: u16 = 0x10;

fn interop(version: Version) {
    let Some(flight) = run_peer(version.0) else {
        return;
    };

    // 1. The client's Initial, decrypted as a server (or Wireshark) would: keys from its DCID.
    let first = &flight.client[0];
    assert!(
        first.len() >= 1200,
        "client Initial datagrams are padded to 1200 bytes"
    );
    let (_, header) = Datagram::new(first, 0).next().unwrap().unwrap();
    assert_eq!(header.ty, PacketType::Initial);
    assert_eq!(header.version, version);
    assert_eq!(header.dcid.as_slice(), flight.original_dcid);
    let client_scid = header.scid;
    let server_initial = Ring
        .initial_keys(version, &flight.original_dcid, Side::Server)
        .unwrap();
    let opened = open_all(first, 0, &|ty| {
        (ty == PacketType::Initial).then(|| {
            Ring.initial_keys(version, &flight.original_dcid, Side::Server)
                .unwrap()
                .remote
        })
    });
    drop(server_initial);
    assert_eq!(opened[0].1, 0, "the first Initial is packet number 0");
    let payloads: Vec<&[u8]> = opened.iter().map(|(_, _, p)| p.as_slice()).collect();
    let hello = crypto_stream(&payloads, PacketType::Initial);
    assert_eq!(hello[0], 1, "ClientHello");
    let ext = extensions(&hello);
    assert!(ext[&ALPN].windows(2).any(|w| w == b"h3"));
    let params =
        TransportParameters::decode(&ext[&QUIC_TRANSPORT_PARAMETERS], Side::Client).unwrap();
    assert_eq!(params.initial_source_connection_id, Some(client_scid));
    assert_eq!(
        params.max_datagram_frame_size.map(|v| v.into_inner()),
        Some(1200)
    );
    if let Some(info) = &params.version_information {
        assert_eq!(info.chosen, version);
    }

    // 2. The server's flight: Initial (ServerHello) + Handshake (EncryptedExtensions, ...).
    let server_log = keylog(&flight.server_keylog);
    let mut suite = None;
    let mut server_scid = ConnectionId::EMPTY;
    let mut initial_plain = Vec::new();
    let mut handshake_plain = Vec::new();
    for datagram in &flight.server {
        for item in Datagram::new(datagram, 0) {
            let (_, h) = item.unwrap();
            assert_eq!(h.version, version);
            assert_eq!(
                h.dcid, client_scid,
                "the server answers to the client's SCID"
            );
            server_scid = h.scid;
        }
        for (ty, _, plain) in open_all(datagram, 0, &|ty| {
            (ty == PacketType::Initial).then(|| {
                Ring.initial_keys(version, &flight.original_dcid, Side::Client)
                    .unwrap()
                    .remote
            })
        }) {
            assert_eq!(ty, PacketType::Initial);
            initial_plain.push(plain);
        }
    }
    let server_hello = crypto_stream(
        &initial_plain.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        PacketType::Initial,
    );
    suite.get_or_insert(server_hello_suite(&server_hello));
    let suite = suite.unwrap();
    let hs_secret = Secret::new(&server_log["SERVER_HANDSHAKE_TRAFFIC_SECRET"]).unwrap();
    for datagram in &flight.server {
        for (ty, _, plain) in open_all(datagram, 0, &|ty| {
            (ty == PacketType::Handshake)
                .then(|| Ring.directional_keys(suite, version, &hs_secret).unwrap())
        }) {
            assert_eq!(ty, PacketType::Handshake);
            handshake_plain.push(plain);
        }
    }
    assert!(
        !handshake_plain.is_empty(),
        "the server's flight holds a Handshake packet"
    );
    let handshake = crypto_stream(
        &handshake_plain
            .iter()
            .map(Vec::as_slice)
            .collect::<Vec<_>>(),
        PacketType::Handshake,
    );
    let ee = extensions(&handshake);
    let server_params =
        TransportParameters::decode(&ee[&QUIC_TRANSPORT_PARAMETERS], Side::Server).unwrap();
    assert_eq!(
        server_params
            .original_destination_connection_id
            .as_ref()
            .map(|c| c.as_slice()),
        Some(flight.original_dcid.as_slice())
    );
    assert_eq!(
        server_params.initial_source_connection_id,
        Some(server_scid)
    );

    // 3. The client's second flight: Handshake (Finished) and 1-RTT packets, with the client's
    // key log; 1-RTT short headers carry the server's connection ID.
    let client_log = keylog(&flight.client_keylog);
    let client_hs = Secret::new(&client_log["CLIENT_HANDSHAKE_TRAFFIC_SECRET"]).unwrap();
    let client_1rtt = Secret::new(&client_log["CLIENT_TRAFFIC_SECRET_0"]).unwrap();
    let mut seen = Vec::new();
    for datagram in &flight.client_second {
        for (ty, _, plain) in open_all(datagram, server_scid.len(), &|ty| match ty {
            PacketType::Handshake => {
                Some(Ring.directional_keys(suite, version, &client_hs).unwrap())
            }
            PacketType::OneRtt => {
                Some(Ring.directional_keys(suite, version, &client_1rtt).unwrap())
            }
            _ => None,
        }) {
            let frames: Vec<_> = Frames::new(&plain, ty).collect::<Result<_, _>>().unwrap();
            if ty == PacketType::Handshake {
                let finished = crypto_stream(&[plain.as_slice()], ty);
                assert_eq!(finished[0], 20, "client Finished");
            }
            seen.push((ty, frames.len()));
        }
    }
    assert!(
        seen.iter().any(|(ty, _)| *ty == PacketType::Handshake),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|(ty, _)| *ty == PacketType::OneRtt),
        "{seen:?}"
    );
    eprintln!("aioquic {version}: suite {suite:?}, packets {seen:?}");
}

#[test]
fn aioquic_v1_handshake_packets_decode_and_decrypt() {
    interop(Version::V1);
}

#[test]
fn aioquic_v2_handshake_packets_decode_and_decrypt() {
    interop(Version::V2);
}

/// Key update against aioquic (RFC 9001 §6.1, RFC 9369 §3.3.2): for every suite in v1 and v2,
/// our next-generation secret equals aioquic's ("quic ku" / "quicv2 ku"), and a short-header
/// packet aioquic protected with the updated key (header protection unchanged) opens with our
/// next packet key and the first generation's header key, reporting key phase 1. Our own key
/// update test only checks that our derivation agrees with itself; this one catches a wrong
/// label or hash.
#[test]
fn aioquic_key_update_matches_ours() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/quic_aioquic/key_update.py"
    );
    let output = match Command::new("python3").arg(script).output() {
        Ok(output) => output,
        Err(e) => {
            skip(&format!("python3 not runnable: {e}"));
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No module named 'aioquic'") {
        skip("aioquic not installed (pip install aioquic==1.7.2, see .ci/install-tools)");
        return;
    }
    assert!(output.status.success(), "key_update.py failed: {stderr}");
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(cases.len(), 6);
    for case in cases {
        let version = Version(case["version"].as_u64().unwrap() as u32);
        let suite = CipherSuite::from_tls_id(case["suite"].as_u64().unwrap() as u16).unwrap();
        let secret = Secret::new(&hex(case["secret"].as_str().unwrap())).unwrap();
        let next = Ring.next_secret(suite, version, &secret).unwrap();
        assert_eq!(
            next.as_bytes(),
            hex(case["next_secret"].as_str().unwrap()),
            "{version} {suite:?}"
        );
        let mut packet = hex(case["packet"].as_str().unwrap());
        let header = packet::parse_header(&packet, 8).unwrap();
        assert_eq!(header.ty, PacketType::OneRtt);
        let hp = Ring.header_key(suite, version, &secret).unwrap();
        let old_key = Ring.packet_key(suite, version, &secret).unwrap();
        let new_key = Ring.packet_key(suite, version, &next).unwrap();
        let mut copy = packet.clone();
        assert!(
            packet::open(&mut copy, &header, &*hp, &*old_key, Some(0x1200)).is_err(),
            "{version} {suite:?}: the old key must not open an updated packet"
        );
        let opened = packet::open(&mut packet, &header, &*hp, &*new_key, Some(0x1200))
            .unwrap_or_else(|e| panic!("{version} {suite:?}: {e}"));
        assert_eq!(opened.pn, 0x1234);
        assert!(opened.unmasked.key_phase());
        let frames: Vec<_> = Frames::new(opened.payload, PacketType::OneRtt)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(frames, [Frame::Ping, Frame::Padding(40)]);
    }
}
