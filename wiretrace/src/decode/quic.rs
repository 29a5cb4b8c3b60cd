//! `decode quic`: one UDP payload of QUIC packets (RFC 9000 §12.2, §17).
//!
//! Every packet's header is listed (type, version, connection IDs, token, length, packet
//! number). Initial packets are decrypted with keys derived from their Destination Connection
//! ID, as Wireshark does (a client's Initial; a server's needs the client's original DCID,
//! `--initial-dcid`). Handshake, 0-RTT and 1-RTT packets are decrypted with the secrets of an
//! SSLKEYLOGFILE (`--keylog`); the cipher suite is found by trying those that fit the secret's
//! length, a short header's version by trying v1's and v2's labels, and 1-RTT packets sent after
//! key updates by trying the next generations of the secret (RFC 9001 §6). Decrypted packets
//! have their frames listed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use quic_proto::crypto::ring::Ring;
use quic_proto::crypto::{CipherSuite, DirectionalKeys, Provider, Secret, verify_retry};
use quic_proto::frame::{Frame, Frames};
use quic_proto::packet::{self, Header, PacketError, PacketType};
use quic_proto::transport_params::TransportParameters;
use quic_proto::{Side, Version};

use super::hex;
use crate::Failure;
use crate::input::{InputArgs, parse_hex};

/// Arguments of `decode quic`.
#[derive(Debug, clap::Args)]
pub struct QuicArgs {
    /// An SSLKEYLOGFILE with the connection's secrets, to decrypt Handshake, 0-RTT and 1-RTT
    /// packets.
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// The client's original Destination Connection ID (hex), to decrypt a server's Initial.
    #[arg(long, value_name = "HEX")]
    pub initial_dcid: Option<String>,
    /// The length of short headers' Destination Connection ID. Default: that of a long header
    /// earlier in the datagram, else the one that decrypts with the key log, else 8.
    #[arg(long, value_name = "N")]
    pub dcid_len: Option<usize>,
    /// The largest packet number already received in the packets' space, to recover full
    /// packet numbers from truncated ones (RFC 9000 §17.1); default: none received yet.
    #[arg(long, value_name = "PN")]
    pub largest_pn: Option<u64>,
    /// The UDP payload in hex.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs `decode quic`.
pub fn run(args: &QuicArgs, out: &mut impl Write) -> Result<(), Failure> {
    let secrets = match &args.keylog {
        Some(path) => keylog(
            &std::fs::read_to_string(path)
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?,
        ),
        None => BTreeMap::new(),
    };
    let initial_dcid = args.initial_dcid.as_deref().map(parse_hex).transpose()?;
    let options = Options {
        initial_dcid: initial_dcid.as_deref(),
        dcid_len: args.dcid_len,
        largest_pn: args.largest_pn,
    };
    let trace = decode(&args.input.bytes()?, &secrets, &options);
    out.write_all(trace.as_bytes())?;
    Ok(())
}

/// The secrets of an SSLKEYLOGFILE by label (`CLIENT_HANDSHAKE_TRAFFIC_SECRET`, ...); with
/// several connections in the file, the last one's win.
pub fn keylog(text: &str) -> BTreeMap<String, Vec<u8>> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (label, _client_random, secret) = (parts.next()?, parts.next()?, parts.next()?);
            Some((label.to_owned(), parse_hex(secret).ok()?))
        })
        .collect()
}

/// The key log labels of a packet type, client-written first.
fn labels(ty: PacketType) -> &'static [&'static str] {
    match ty {
        PacketType::Handshake => &[
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        ],
        PacketType::ZeroRtt => &["CLIENT_EARLY_TRAFFIC_SECRET"],
        PacketType::OneRtt => &["CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"],
        _ => &[],
    }
}

/// Key updates tried for 1-RTT packets the current secrets do not open.
const KEY_UPDATES_TRIED: usize = 3;

/// Candidate keys for a packet: (description, keys).
fn candidates(
    header: &Header,
    secrets: &BTreeMap<String, Vec<u8>>,
    initial_dcid: Option<&[u8]>,
) -> Vec<(String, DirectionalKeys)> {
    let version = header.version_or_v1();
    let mut out = Vec::new();
    if header.ty == PacketType::Initial {
        let mut dcids = vec![(header.dcid.to_vec(), "client")];
        if let Some(d) = initial_dcid {
            dcids.push((d.to_vec(), "server"));
        }
        for (dcid, who) in dcids {
            if let Ok(keys) = Ring.initial_keys(version, &dcid, Side::Server) {
                out.push((
                    format!("client Initial keys from DCID {}", hex(&dcid)),
                    keys.remote,
                ));
            }
            if let Ok(keys) = Ring.initial_keys(version, &dcid, Side::Client) {
                if who == "server" {
                    out.insert(
                        0,
                        (
                            format!("server Initial keys from DCID {}", hex(&dcid)),
                            keys.remote,
                        ),
                    );
                } else {
                    out.push((
                        format!("server Initial keys from DCID {}", hex(&dcid)),
                        keys.remote,
                    ));
                }
            }
        }
        return out;
    }
    // Short headers carry no version: try v1's labels, then v2's.
    let versions: &[Version] = if header.ty.is_long() {
        &[header.version]
    } else {
        &[Version::V1, Version::V2]
    };
    for label in labels(header.ty) {
        let Some(secret) = secrets.get(*label).and_then(|s| Secret::new(s).ok()) else {
            continue;
        };
        let suites: &[CipherSuite] = if secret.as_bytes().len() == 48 {
            &[CipherSuite::Aes256GcmSha384]
        } else {
            &[
                CipherSuite::Aes128GcmSha256,
                CipherSuite::ChaCha20Poly1305Sha256,
            ]
        };
        for &version in versions {
            for &suite in suites {
                if let Ok(keys) = Ring.directional_keys(suite, version, &secret) {
                    let name = match header.ty.is_long() {
                        true => format!("{label}, {suite:?}"),
                        false => format!("{label}, {suite:?}, {version}"),
                    };
                    out.push((name, keys));
                }
                // 1-RTT after key updates (RFC 9001 §6): the packet key moves to the next
                // generation, the header protection key stays.
                if header.ty == PacketType::OneRtt {
                    let mut next = secret.clone();
                    for generation in 1..=KEY_UPDATES_TRIED {
                        let Ok(n) = Ring.next_secret(suite, version, &next) else {
                            break;
                        };
                        next = n;
                        let (Ok(header_key), Ok(packet)) = (
                            Ring.header_key(suite, version, &secret),
                            Ring.packet_key(suite, version, &next),
                        ) else {
                            break;
                        };
                        out.push((
                            format!(
                                "{label} after {generation} key update(s), {suite:?}, {version}"
                            ),
                            DirectionalKeys {
                                header: header_key,
                                packet,
                            },
                        ));
                    }
                }
            }
        }
    }
    out
}

trait VersionOrV1 {
    fn version_or_v1(&self) -> Version;
}

impl VersionOrV1 for Header {
    /// Short headers carry no version; the key derivation of v1 is the usual guess.
    fn version_or_v1(&self) -> Version {
        if self.ty.is_long() {
            self.version
        } else {
            Version::V1
        }
    }
}

/// Tries each candidate key on a copy of the packet; the first that authenticates wins.
fn try_open(
    packet: &[u8],
    header: &Header,
    candidates: &[(String, DirectionalKeys)],
    largest_pn: Option<u64>,
) -> Option<(String, u64, usize, bool, Vec<u8>)> {
    for (what, keys) in candidates {
        let mut copy = packet.to_vec();
        if let Ok(opened) =
            packet::open(&mut copy, header, &*keys.header, &*keys.packet, largest_pn)
        {
            return Some((
                what.clone(),
                opened.pn,
                opened.unmasked.pn_len,
                opened.unmasked.key_phase(),
                opened.payload.to_vec(),
            ));
        }
    }
    None
}

/// What `decode` knows beyond the payload and the key log.
#[derive(Debug, Default, Clone, Copy)]
pub struct Options<'a> {
    /// The client's original Destination Connection ID.
    pub initial_dcid: Option<&'a [u8]>,
    /// Short headers' DCID length.
    pub dcid_len: Option<usize>,
    /// The largest packet number received before.
    pub largest_pn: Option<u64>,
}

/// The trace of one UDP payload.
pub fn decode(
    datagram: &[u8],
    secrets: &BTreeMap<String, Vec<u8>>,
    options: &Options<'_>,
) -> String {
    let Options {
        initial_dcid,
        dcid_len,
        largest_pn,
    } = *options;
    let mut s = String::new();
    let mut pos = 0;
    let mut index = 0;
    let mut long_dcid_len = None;
    while pos < datagram.len() {
        let rest = &datagram[pos..];
        let short = rest[0] & 0x80 == 0;
        let len_guess = if short {
            dcid_len
                .or(long_dcid_len)
                .or_else(|| guess_dcid_len(rest, secrets, largest_pn))
                .unwrap_or(8)
        } else {
            0
        };
        let header = match packet::parse_header(rest, len_guess) {
            Ok(h) => h,
            Err(e) => {
                if index == 0 {
                    let _ = writeln!(s, "not a QUIC packet at offset {pos}: {}", describe(&e));
                } else {
                    let _ = writeln!(
                        s,
                        "{} trailing bytes after the last packet skipped ({})",
                        rest.len(),
                        describe(&e)
                    );
                }
                break;
            }
        };
        let packet = &rest[..header.len];
        if header.ty.is_long() {
            long_dcid_len = Some(header.dcid.len());
        }
        let _ = write!(s, "packet {index} at offset {pos}: {:?}", header.ty);
        if header.ty.is_long() {
            let _ = write!(s, " {}", header.version);
        } else {
            let _ = write!(s, " spin={}", u8::from(header.spin()));
        }
        let _ = write!(s, " dcid={}", hex(&header.dcid));
        if header.ty.is_long() {
            let _ = write!(s, " scid={}", hex(&header.scid));
        }
        match header.ty {
            PacketType::Initial => {
                let token = header.token(packet);
                let _ = write!(s, " token={} ({} bytes)", hex(token), token.len());
            }
            PacketType::Retry => {
                let _ = write!(s, " token={}", hex(header.token(packet)));
                if let Some(tag) = header.retry_integrity_tag(packet) {
                    let _ = write!(s, " integrity_tag={}", hex(&tag));
                }
                if let Some(odcid) = initial_dcid {
                    let valid = verify_retry(&Ring, header.version, odcid, packet);
                    let _ = write!(s, " ({})", if valid { "tag valid" } else { "tag INVALID" });
                }
            }
            PacketType::VersionNegotiation => {
                let versions: Vec<String> = header
                    .supported_versions(packet)
                    .map(|v| v.to_string())
                    .collect();
                let _ = write!(s, " versions=[{}]", versions.join(", "));
            }
            _ => {}
        }
        let _ = write!(s, " size={}", header.len);
        if matches!(
            header.ty,
            PacketType::Initial | PacketType::ZeroRtt | PacketType::Handshake
        ) {
            let _ = write!(s, " length={}", header.len - header.pn_offset);
        }
        if matches!(
            header.ty,
            PacketType::Retry | PacketType::VersionNegotiation
        ) {
            let _ = writeln!(s);
        } else {
            let keys = candidates(&header, secrets, initial_dcid);
            match try_open(packet, &header, &keys, largest_pn) {
                Some((what, pn, pn_len, key_phase, payload)) => {
                    let _ = write!(s, " pn={pn} pn_len={pn_len}");
                    if !header.ty.is_long() {
                        let _ = write!(s, " key_phase={}", u8::from(key_phase));
                    }
                    let _ = writeln!(s, " (decrypted with {what})");
                    frames(&mut s, &payload, header.ty);
                }
                None => {
                    let why = if keys.is_empty() {
                        "no keys"
                    } else {
                        "no key authenticates it"
                    };
                    let _ = writeln!(s, " pn=? (protected: {why})");
                }
            }
        }
        pos += header.len;
        index += 1;
    }
    s
}

/// For a short header with unknown DCID length: the length whose keys authenticate.
fn guess_dcid_len(
    packet: &[u8],
    secrets: &BTreeMap<String, Vec<u8>>,
    largest_pn: Option<u64>,
) -> Option<usize> {
    (0..=20).find(|&len| {
        let Ok(header) = packet::parse_header(packet, len) else {
            return false;
        };
        let keys = candidates(&header, secrets, None);
        !keys.is_empty() && try_open(packet, &header, &keys, largest_pn).is_some()
    })
}

fn describe(e: &PacketError) -> String {
    e.to_string()
}

/// One line per frame, indented.
fn frames(s: &mut String, payload: &[u8], ty: PacketType) {
    for frame in Frames::new(payload, ty) {
        let frame = match frame {
            Ok(f) => f,
            Err(e) => {
                let _ = writeln!(s, "  error: {e} (code {:#x})", e.code.to_u64());
                return;
            }
        };
        let _ = write!(s, "  ");
        match frame {
            Frame::Padding(n) => {
                let _ = write!(s, "PADDING x{n}");
            }
            Frame::Ping => s.push_str("PING"),
            Frame::Ack(ack) => {
                let ranges: Vec<String> = ack
                    .ranges()
                    .map(|r| format!("{}-{}", r.start(), r.end()))
                    .collect();
                let _ = write!(
                    s,
                    "ACK largest={} delay={} ranges=[{}]",
                    ack.largest,
                    ack.delay,
                    ranges.join(", ")
                );
                if let Some(ecn) = ack.ecn {
                    let _ = write!(s, " ecn=({}, {}, {})", ecn.ect0, ecn.ect1, ecn.ce);
                }
            }
            Frame::ResetStream {
                id,
                error_code,
                final_size,
            } => {
                let _ = write!(
                    s,
                    "RESET_STREAM id={id} error={error_code} final_size={final_size}"
                );
            }
            Frame::StopSending { id, error_code } => {
                let _ = write!(s, "STOP_SENDING id={id} error={error_code}");
            }
            Frame::Crypto { offset, data } => {
                let _ = write!(s, "CRYPTO offset={offset} len={}", data.len());
                if offset.into_inner() == 0 {
                    let _ = write!(s, " {}", tls_message(data));
                }
            }
            Frame::NewToken { token } => {
                let _ = write!(s, "NEW_TOKEN {}", hex(token));
            }
            Frame::Stream(st) => {
                let _ = write!(
                    s,
                    "STREAM id={} offset={} len={}{}",
                    st.id,
                    st.offset,
                    st.data.len(),
                    if st.fin { " fin" } else { "" }
                );
            }
            Frame::MaxData(v) => {
                let _ = write!(s, "MAX_DATA {v}");
            }
            Frame::MaxStreamData { id, max } => {
                let _ = write!(s, "MAX_STREAM_DATA id={id} max={max}");
            }
            Frame::MaxStreams { dir, max } => {
                let _ = write!(s, "MAX_STREAMS {dir:?} {max}");
            }
            Frame::DataBlocked(v) => {
                let _ = write!(s, "DATA_BLOCKED {v}");
            }
            Frame::StreamDataBlocked { id, limit } => {
                let _ = write!(s, "STREAM_DATA_BLOCKED id={id} limit={limit}");
            }
            Frame::StreamsBlocked { dir, limit } => {
                let _ = write!(s, "STREAMS_BLOCKED {dir:?} {limit}");
            }
            Frame::NewConnectionId(n) => {
                let _ = write!(
                    s,
                    "NEW_CONNECTION_ID seq={} retire_prior_to={} cid={} reset_token={}",
                    n.sequence,
                    n.retire_prior_to,
                    hex(&n.id),
                    hex(&n.reset_token)
                );
            }
            Frame::RetireConnectionId { sequence } => {
                let _ = write!(s, "RETIRE_CONNECTION_ID seq={sequence}");
            }
            Frame::PathChallenge(d) => {
                let _ = write!(s, "PATH_CHALLENGE {}", hex(&d));
            }
            Frame::PathResponse(d) => {
                let _ = write!(s, "PATH_RESPONSE {}", hex(&d));
            }
            Frame::ConnectionClose(c) => {
                match c.transport_code() {
                    Some(code) => {
                        let _ = write!(s, "CONNECTION_CLOSE {code}");
                    }
                    None => {
                        let _ = write!(s, "CONNECTION_CLOSE application error={}", c.error_code);
                    }
                }
                let _ = write!(s, " reason={:?}", String::from_utf8_lossy(c.reason));
            }
            Frame::HandshakeDone => s.push_str("HANDSHAKE_DONE"),
            Frame::Datagram { data, .. } => {
                let _ = write!(s, "DATAGRAM len={}", data.len());
            }
        }
        s.push('\n');
    }
}

/// A short description of the TLS handshake message starting a CRYPTO stream, with the QUIC
/// transport parameters of a ClientHello when they are in this frame.
fn tls_message(data: &[u8]) -> String {
    let name = match data.first() {
        Some(1) => "ClientHello",
        Some(2) => "ServerHello",
        Some(8) => "EncryptedExtensions",
        Some(11) => "Certificate",
        Some(15) => "CertificateVerify",
        Some(20) => "Finished",
        _ => return String::new(),
    };
    let mut text = format!("({name}");
    if let Some(params) = client_hello_params(data) {
        let _ = write!(
            text,
            "; transport parameters: initial_scid={} max_idle_timeout={} initial_max_data={}",
            params
                .initial_source_connection_id
                .map(|c| hex(&c))
                .unwrap_or_default(),
            params.max_idle_timeout,
            params.initial_max_data
        );
    }
    text.push(')');
    text
}

/// The quic_transport_parameters extension of a complete ClientHello.
fn client_hello_params(m: &[u8]) -> Option<TransportParameters> {
    let be16 = |i: usize| {
        Some(usize::from(u16::from_be_bytes([
            *m.get(i)?,
            *m.get(i + 1)?,
        ])))
    };
    if m.first() != Some(&1) {
        return None;
    }
    let mut at = 4 + 2 + 32;
    at += 1 + usize::from(*m.get(at)?);
    at += 2 + be16(at)?;
    at += 1 + usize::from(*m.get(at)?);
    let end = at + 2 + be16(at)?;
    at += 2;
    while at + 4 <= end {
        let (ty, len) = (be16(at)?, be16(at + 2)?);
        if ty == 0x39 {
            return TransportParameters::decode(m.get(at + 4..at + 4 + len)?, Side::Client).ok();
        }
        at += 4 + len;
    }
    None
}
