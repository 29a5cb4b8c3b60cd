//! `wiretrace decode quic` as a user runs it: the RFC 9001 / RFC 9369 sample packets, and a
//! real aioquic handshake decrypted with its key log.

use std::process::{Command, Output};

use testvectors::rfc9001::{CLIENT_DCID, V1};
use testvectors::rfc9369::V2;

fn wiretrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(args)
        .output()
        .expect("run wiretrace")
}

fn compact(hex: &str) -> String {
    hex.split_whitespace().collect()
}

fn trace(args: &[&str]) -> String {
    let out = wiretrace(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn client_initials_are_decrypted_from_their_dcid() {
    for (v, version) in [(V1, "v1"), (V2, "v2")] {
        let out = trace(&["decode", "quic", &compact(v.client_packet)]);
        let expected = format!(
            "packet 0 at offset 0: Initial {version} dcid=8394c8f03e515708 scid= token= (0 bytes) \
             size=1200 length=1182 pn=2 pn_len=4 (decrypted with client Initial keys from DCID \
             8394c8f03e515708)\n"
        );
        assert!(out.starts_with(&expected), "{out}");
        assert!(out.contains("  CRYPTO offset=0 len=241 (ClientHello; transport parameters: initial_scid=8394c8f03e515708"), "{out}");
        assert!(out.ends_with("  PADDING x917\n"), "{out}");
    }
}

#[test]
fn server_initial_needs_the_original_dcid() {
    let packet = compact(V1.server_packet);
    let out = trace(&["decode", "quic", &packet]);
    assert!(
        out.contains("pn=? (protected: no key authenticates it)"),
        "{out}"
    );
    let out = trace(&["decode", "quic", "--initial-dcid", CLIENT_DCID, &packet]);
    assert!(
        out.contains("pn=1 pn_len=2 (decrypted with server Initial keys"),
        "{out}"
    );
    assert!(
        out.contains(
            "  ACK largest=0 delay=0 ranges=[0-0]\n  CRYPTO offset=0 len=90 (ServerHello)\n"
        ),
        "{out}"
    );
}

#[test]
fn retry_tag_is_checked() {
    for v in [V1, V2] {
        let packet = compact(v.retry_packet);
        let out = trace(&["decode", "quic", "--initial-dcid", CLIENT_DCID, &packet]);
        assert!(
            out.contains("Retry") && out.contains("token=746f6b656e"),
            "{out}"
        );
        assert!(out.contains("(tag valid)"), "{out}");
        let out = trace(&["decode", "quic", "--initial-dcid", "0102", &packet]);
        assert!(out.contains("(tag INVALID)"), "{out}");
    }
}

#[test]
fn short_header_with_a_key_log() {
    let dir = std::env::temp_dir().join(format!("wiretrace-quic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (v, version) in [(V1, "v1"), (V2, "v2")] {
        let log = dir.join(format!("keylog-{version}.txt"));
        std::fs::write(
            &log,
            format!(
                "SERVER_TRAFFIC_SECRET_0 {} {}\n",
                "00".repeat(32),
                compact(v.chacha_secret)
            ),
        )
        .unwrap();
        let packet = compact(v.chacha_packet);
        // Without the earlier packet number, the 3-byte truncated number is not enough.
        let out = trace(&["decode", "quic", "--keylog", log.to_str().unwrap(), &packet]);
        assert!(out.contains("pn=?"), "{out}");
        // Short headers carry no version: v1 and v2 labels are both tried.
        let out = trace(&[
            "decode",
            "quic",
            "--keylog",
            log.to_str().unwrap(),
            "--largest-pn",
            "654360563",
            &packet,
        ]);
        assert_eq!(
            out,
            format!(
                "packet 0 at offset 0: OneRtt spin=0 dcid= size=21 pn=654360564 pn_len=3 \
                 key_phase=0 (decrypted with SERVER_TRAFFIC_SECRET_0, ChaCha20Poly1305Sha256, \
                 {version})\n  PING\n"
            )
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A 1-RTT packet sealed after one key update (RFC 9001 §6): the next-generation packet key,
/// the original header protection key, Key Phase 1.
#[test]
fn key_updates_are_followed() {
    use quic_proto::ConnectionId;
    use quic_proto::crypto::ring::Ring;
    use quic_proto::crypto::{CipherSuite, Provider, Secret};
    use quic_proto::frame::Frame;
    use quic_proto::packet::PacketBuilder;
    use wire_codec::Writer;

    let suite = CipherSuite::Aes128GcmSha256;
    let version = quic_proto::Version::V1;
    let secret = Secret::new(&[0x33; 32]).unwrap();
    let next = Ring.next_secret(suite, version, &secret).unwrap();
    let header_key = Ring.header_key(suite, version, &secret).unwrap();
    let packet_key = Ring.packet_key(suite, version, &next).unwrap();
    let dcid = ConnectionId::new(&[0xd1; 8]).unwrap();
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    let builder = PacketBuilder::short(&mut w, &dcid, false, true, 5, 1).unwrap();
    Frame::Ping.encode(&mut w).unwrap();
    let len = builder.finish(&mut w, &*header_key, &*packet_key).unwrap();
    let packet: String = buf[..len].iter().map(|b| format!("{b:02x}")).collect();

    let dir = std::env::temp_dir().join(format!("wiretrace-ku-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("keylog.txt");
    std::fs::write(
        &log,
        format!(
            "CLIENT_TRAFFIC_SECRET_0 {} {}\n",
            "00".repeat(32),
            "33".repeat(32)
        ),
    )
    .unwrap();
    let out = trace(&["decode", "quic", "--keylog", log.to_str().unwrap(), &packet]);
    assert!(
        out.starts_with("packet 0 at offset 0: OneRtt spin=0 dcid=d1d1d1d1d1d1d1d1"),
        "{out}"
    );
    assert!(out.contains("pn=5 pn_len=1 key_phase=1 (decrypted with CLIENT_TRAFFIC_SECRET_0 after 1 key update(s), Aes128GcmSha256, v1)"), "{out}");
    assert!(out.ends_with("  PING\n  PADDING x2\n"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn trailing_bytes_and_garbage() {
    let mut packet = compact(V1.server_packet);
    packet.push_str(&"00".repeat(20));
    let out = trace(&["decode", "quic", "--initial-dcid", CLIENT_DCID, &packet]);
    assert!(
        out.ends_with("20 trailing bytes after the last packet skipped (fixed bit is zero)\n"),
        "{out}"
    );
    let out = trace(&["decode", "quic", "0000"]);
    assert_eq!(out, "not a QUIC packet at offset 0: fixed bit is zero\n");
}

/// aioquic's first flights, decrypted with its key log as Wireshark would.
#[test]
fn aioquic_handshake_with_key_log() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testvectors/tests/quic_aioquic/peer.py"
    );
    let output = match Command::new("python3").arg(script).arg("1").output() {
        Ok(o) if o.status.success() => o,
        other => {
            let message = format!("SKIPPED: aioquic peer not runnable: {other:?}");
            assert!(
                std::env::var_os("CI").is_none(),
                "{message}; CI must have it"
            );
            eprintln!("{message}");
            return;
        }
    };
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let dir = std::env::temp_dir().join(format!("wiretrace-aioquic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("keylog.txt");
    let both = format!(
        "{}{}",
        json["client_keylog"].as_str().unwrap(),
        json["server_keylog"].as_str().unwrap()
    );
    std::fs::write(&log, both).unwrap();
    let log = log.to_str().unwrap();
    let odcid = json["original_dcid"].as_str().unwrap();

    let client = json["client"][0].as_str().unwrap();
    let out = trace(&["decode", "quic", client]);
    assert!(
        out.contains("Initial v1") && out.contains("(ClientHello"),
        "{out}"
    );

    let server = json["server"][0].as_str().unwrap();
    let out = trace(&[
        "decode",
        "quic",
        "--keylog",
        log,
        "--initial-dcid",
        odcid,
        server,
    ]);
    assert!(out.contains("(ServerHello)"), "{out}");
    assert!(out.contains("Handshake v1"), "{out}");
    assert!(
        out.contains("decrypted with SERVER_HANDSHAKE_TRAFFIC_SECRET, Aes256GcmSha384"),
        "{out}"
    );
    assert!(out.contains("(EncryptedExtensions)"), "{out}");

    let second: Vec<&str> = json["client_second"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let out = trace(&[
        "decode",
        "quic",
        "--keylog",
        log,
        "--initial-dcid",
        odcid,
        second[0],
    ]);
    assert!(
        out.contains("decrypted with CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
        "{out}"
    );
    assert!(out.contains("(Finished)"), "{out}");
    assert!(
        out.contains("OneRtt") && out.contains("decrypted with CLIENT_TRAFFIC_SECRET_0"),
        "{out}"
    );
    assert!(!out.contains("pn=?"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
