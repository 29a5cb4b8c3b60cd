//! Transport parameters (RFC 9000 §18), with `version_information` (RFC 9368 §3),
//! `max_datagram_frame_size` (RFC 9221 §3) and `grease_quic_bit` (RFC 9287 §3).
//!
//! Decoding skips unknown and GREASE ids (`31 * N + 27`, RFC 9000 §18.1), rejects duplicates of
//! known ids, checks every value against §18.2, and rejects server-only parameters sent by a
//! client — all as TRANSPORT_PARAMETER_ERROR.

use alloc::vec::Vec;

use wire_codec::{BufferTooSmall, Output, Reader, VarInt};

use crate::Side;
use crate::cid::ConnectionId;
use crate::error::TransportError;
use crate::version::Version;

/// Transport parameter ids.
pub mod ids {
    /// original_destination_connection_id.
    pub const ORIGINAL_DESTINATION_CONNECTION_ID: u64 = 0x00;
    /// max_idle_timeout.
    pub const MAX_IDLE_TIMEOUT: u64 = 0x01;
    /// stateless_reset_token.
    pub const STATELESS_RESET_TOKEN: u64 = 0x02;
    /// max_udp_payload_size.
    pub const MAX_UDP_PAYLOAD_SIZE: u64 = 0x03;
    /// initial_max_data.
    pub const INITIAL_MAX_DATA: u64 = 0x04;
    /// initial_max_stream_data_bidi_local.
    pub const INITIAL_MAX_STREAM_DATA_BIDI_LOCAL: u64 = 0x05;
    /// initial_max_stream_data_bidi_remote.
    pub const INITIAL_MAX_STREAM_DATA_BIDI_REMOTE: u64 = 0x06;
    /// initial_max_stream_data_uni.
    pub const INITIAL_MAX_STREAM_DATA_UNI: u64 = 0x07;
    /// initial_max_streams_bidi.
    pub const INITIAL_MAX_STREAMS_BIDI: u64 = 0x08;
    /// initial_max_streams_uni.
    pub const INITIAL_MAX_STREAMS_UNI: u64 = 0x09;
    /// ack_delay_exponent.
    pub const ACK_DELAY_EXPONENT: u64 = 0x0a;
    /// max_ack_delay.
    pub const MAX_ACK_DELAY: u64 = 0x0b;
    /// disable_active_migration.
    pub const DISABLE_ACTIVE_MIGRATION: u64 = 0x0c;
    /// preferred_address.
    pub const PREFERRED_ADDRESS: u64 = 0x0d;
    /// active_connection_id_limit.
    pub const ACTIVE_CONNECTION_ID_LIMIT: u64 = 0x0e;
    /// initial_source_connection_id.
    pub const INITIAL_SOURCE_CONNECTION_ID: u64 = 0x0f;
    /// retry_source_connection_id.
    pub const RETRY_SOURCE_CONNECTION_ID: u64 = 0x10;
    /// version_information (RFC 9368 §3).
    pub const VERSION_INFORMATION: u64 = 0x11;
    /// max_datagram_frame_size (RFC 9221 §3).
    pub const MAX_DATAGRAM_FRAME_SIZE: u64 = 0x20;
    /// grease_quic_bit (RFC 9287 §3).
    pub const GREASE_QUIC_BIT: u64 = 0x2ab2;
}

/// The server's preferred address (RFC 9000 §18.2, §9.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreferredAddress {
    /// IPv4 address (all zero: none).
    pub ipv4: [u8; 4],
    /// IPv4 port.
    pub ipv4_port: u16,
    /// IPv6 address (all zero: none).
    pub ipv6: [u8; 16],
    /// IPv6 port.
    pub ipv6_port: u16,
    /// The connection ID to use on the new address (non-empty).
    pub connection_id: ConnectionId,
    /// Its stateless reset token.
    pub reset_token: [u8; 16],
}

/// `version_information` (RFC 9368 §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionInformation {
    /// The version in use.
    pub chosen: Version,
    /// The versions the sender supports (clients) or accepts (servers), by preference.
    pub available: Vec<Version>,
}

/// Transport parameters, with RFC 9000 §18.2's defaults for those absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportParameters {
    /// original_destination_connection_id (server only).
    pub original_destination_connection_id: Option<ConnectionId>,
    /// max_idle_timeout in milliseconds; 0 disables it.
    pub max_idle_timeout: VarInt,
    /// stateless_reset_token (server only).
    pub stateless_reset_token: Option<[u8; 16]>,
    /// max_udp_payload_size, at least 1200; default 65527.
    pub max_udp_payload_size: VarInt,
    /// initial_max_data.
    pub initial_max_data: VarInt,
    /// initial_max_stream_data_bidi_local.
    pub initial_max_stream_data_bidi_local: VarInt,
    /// initial_max_stream_data_bidi_remote.
    pub initial_max_stream_data_bidi_remote: VarInt,
    /// initial_max_stream_data_uni.
    pub initial_max_stream_data_uni: VarInt,
    /// initial_max_streams_bidi, at most 2^60.
    pub initial_max_streams_bidi: VarInt,
    /// initial_max_streams_uni, at most 2^60.
    pub initial_max_streams_uni: VarInt,
    /// ack_delay_exponent, at most 20; default 3.
    pub ack_delay_exponent: VarInt,
    /// max_ack_delay in milliseconds, below 2^14; default 25.
    pub max_ack_delay: VarInt,
    /// disable_active_migration.
    pub disable_active_migration: bool,
    /// preferred_address (server only).
    pub preferred_address: Option<PreferredAddress>,
    /// active_connection_id_limit, at least 2; default 2.
    pub active_connection_id_limit: VarInt,
    /// initial_source_connection_id.
    pub initial_source_connection_id: Option<ConnectionId>,
    /// retry_source_connection_id (server only).
    pub retry_source_connection_id: Option<ConnectionId>,
    /// version_information (RFC 9368).
    pub version_information: Option<VersionInformation>,
    /// max_datagram_frame_size (RFC 9221); `None`: DATAGRAM frames not supported.
    pub max_datagram_frame_size: Option<VarInt>,
    /// grease_quic_bit (RFC 9287): the sender accepts packets with the fixed bit cleared.
    pub grease_quic_bit: bool,
}

impl Default for TransportParameters {
    fn default() -> Self {
        Self {
            original_destination_connection_id: None,
            max_idle_timeout: VarInt::ZERO,
            stateless_reset_token: None,
            max_udp_payload_size: VarInt::from_u32(65527),
            initial_max_data: VarInt::ZERO,
            initial_max_stream_data_bidi_local: VarInt::ZERO,
            initial_max_stream_data_bidi_remote: VarInt::ZERO,
            initial_max_stream_data_uni: VarInt::ZERO,
            initial_max_streams_bidi: VarInt::ZERO,
            initial_max_streams_uni: VarInt::ZERO,
            ack_delay_exponent: VarInt::from_u32(3),
            max_ack_delay: VarInt::from_u32(25),
            disable_active_migration: false,
            preferred_address: None,
            active_connection_id_limit: VarInt::from_u32(2),
            initial_source_connection_id: None,
            retry_source_connection_id: None,
            version_information: None,
            max_datagram_frame_size: None,
            grease_quic_bit: false,
        }
    }
}

fn err(reason: &'static str) -> TransportError {
    TransportError::transport_parameter(reason)
}

fn single_varint(value: &[u8]) -> Result<VarInt, TransportError> {
    let mut r = Reader::new(value);
    let v = r
        .read_varint()
        .map_err(|_| err("truncated integer parameter"))?;
    if !r.is_empty() {
        return Err(err("integer parameter with trailing bytes"));
    }
    Ok(v)
}

fn cid(value: &[u8]) -> Result<ConnectionId, TransportError> {
    ConnectionId::new(value).map_err(|_| err("connection ID parameter longer than 20 bytes"))
}

impl TransportParameters {
    /// Decodes the parameters `sender` sent (RFC 9000 §18).
    pub fn decode(bytes: &[u8], sender: Side) -> Result<Self, TransportError> {
        let mut params = Self::default();
        // Known ids seen so far, to reject duplicates (bit i for id i; bits 32+ for the
        // extension ids).
        let mut seen = 0u64;
        let mut r = Reader::new(bytes);
        while !r.is_empty() {
            let id = r
                .read_varint()
                .map_err(|_| err("truncated parameter id"))?
                .into_inner();
            let value = r
                .read_varint_prefixed()
                .map_err(|_| err("truncated parameter value"))?;
            let bit = match id {
                0x00..=0x11 => 1u64 << id,
                ids::MAX_DATAGRAM_FRAME_SIZE => 1 << 32,
                ids::GREASE_QUIC_BIT => 1 << 33,
                // Unknown and GREASE ids are ignored (RFC 9000 §18.1).
                _ => continue,
            };
            if seen & bit != 0 {
                return Err(err("duplicate transport parameter"));
            }
            seen |= bit;
            if sender == Side::Client
                && matches!(
                    id,
                    ids::ORIGINAL_DESTINATION_CONNECTION_ID
                        | ids::STATELESS_RESET_TOKEN
                        | ids::PREFERRED_ADDRESS
                        | ids::RETRY_SOURCE_CONNECTION_ID
                )
            {
                return Err(err("server-only transport parameter sent by a client"));
            }
            params.set(id, value)?;
        }
        Ok(params)
    }

    fn set(&mut self, id: u64, value: &[u8]) -> Result<(), TransportError> {
        match id {
            ids::ORIGINAL_DESTINATION_CONNECTION_ID => {
                self.original_destination_connection_id = Some(cid(value)?);
            }
            ids::MAX_IDLE_TIMEOUT => self.max_idle_timeout = single_varint(value)?,
            ids::STATELESS_RESET_TOKEN => {
                let token = value
                    .try_into()
                    .map_err(|_| err("stateless_reset_token not 16 bytes"))?;
                self.stateless_reset_token = Some(token);
            }
            ids::MAX_UDP_PAYLOAD_SIZE => {
                let v = single_varint(value)?;
                if v.into_inner() < 1200 {
                    return Err(err("max_udp_payload_size below 1200"));
                }
                self.max_udp_payload_size = v;
            }
            ids::INITIAL_MAX_DATA => self.initial_max_data = single_varint(value)?,
            ids::INITIAL_MAX_STREAM_DATA_BIDI_LOCAL => {
                self.initial_max_stream_data_bidi_local = single_varint(value)?;
            }
            ids::INITIAL_MAX_STREAM_DATA_BIDI_REMOTE => {
                self.initial_max_stream_data_bidi_remote = single_varint(value)?;
            }
            ids::INITIAL_MAX_STREAM_DATA_UNI => {
                self.initial_max_stream_data_uni = single_varint(value)?;
            }
            ids::INITIAL_MAX_STREAMS_BIDI | ids::INITIAL_MAX_STREAMS_UNI => {
                let v = single_varint(value)?;
                if v.into_inner() > 1 << 60 {
                    return Err(err("initial_max_streams above 2^60"));
                }
                if id == ids::INITIAL_MAX_STREAMS_BIDI {
                    self.initial_max_streams_bidi = v;
                } else {
                    self.initial_max_streams_uni = v;
                }
            }
            ids::ACK_DELAY_EXPONENT => {
                let v = single_varint(value)?;
                if v.into_inner() > 20 {
                    return Err(err("ack_delay_exponent above 20"));
                }
                self.ack_delay_exponent = v;
            }
            ids::MAX_ACK_DELAY => {
                let v = single_varint(value)?;
                if v.into_inner() >= 1 << 14 {
                    return Err(err("max_ack_delay of 2^14 or more"));
                }
                self.max_ack_delay = v;
            }
            ids::DISABLE_ACTIVE_MIGRATION => {
                if !value.is_empty() {
                    return Err(err("disable_active_migration with a value"));
                }
                self.disable_active_migration = true;
            }
            ids::PREFERRED_ADDRESS => self.preferred_address = Some(decode_preferred(value)?),
            ids::ACTIVE_CONNECTION_ID_LIMIT => {
                let v = single_varint(value)?;
                if v.into_inner() < 2 {
                    return Err(err("active_connection_id_limit below 2"));
                }
                self.active_connection_id_limit = v;
            }
            ids::INITIAL_SOURCE_CONNECTION_ID => {
                self.initial_source_connection_id = Some(cid(value)?);
            }
            ids::RETRY_SOURCE_CONNECTION_ID => self.retry_source_connection_id = Some(cid(value)?),
            ids::VERSION_INFORMATION => {
                // RFC 9368 §4: a length that is not a positive multiple of 4, or a Chosen
                // Version of 0, is a TRANSPORT_PARAMETER_ERROR.
                if value.is_empty() || !value.len().is_multiple_of(4) {
                    return Err(err("version_information not a multiple of 4 bytes"));
                }
                let mut versions = value
                    .chunks_exact(4)
                    .map(|c| Version(u32::from_be_bytes([c[0], c[1], c[2], c[3]])));
                let chosen = versions.next().unwrap_or(Version::NEGOTIATION);
                if chosen == Version::NEGOTIATION {
                    return Err(err("version_information with Chosen Version 0"));
                }
                let available: Vec<Version> = versions.collect();
                if available.contains(&Version::NEGOTIATION) {
                    return Err(err("version_information lists version 0"));
                }
                self.version_information = Some(VersionInformation { chosen, available });
            }
            ids::MAX_DATAGRAM_FRAME_SIZE => {
                self.max_datagram_frame_size = Some(single_varint(value)?);
            }
            ids::GREASE_QUIC_BIT => {
                if !value.is_empty() {
                    return Err(err("grease_quic_bit with a value"));
                }
                self.grease_quic_bit = true;
            }
            _ => {}
        }
        Ok(())
    }

    /// Encodes every parameter that differs from its default (and every present optional one).
    pub fn encode(&self, out: &mut impl Output) -> Result<(), BufferTooSmall> {
        let d = Self::default();
        if let Some(c) = &self.original_destination_connection_id {
            emit(out, ids::ORIGINAL_DESTINATION_CONNECTION_ID, c)?;
        }
        emit_varint(
            out,
            ids::MAX_IDLE_TIMEOUT,
            self.max_idle_timeout,
            d.max_idle_timeout,
        )?;
        if let Some(t) = &self.stateless_reset_token {
            emit(out, ids::STATELESS_RESET_TOKEN, t)?;
        }
        let integers = [
            (
                ids::MAX_UDP_PAYLOAD_SIZE,
                self.max_udp_payload_size,
                d.max_udp_payload_size,
            ),
            (
                ids::INITIAL_MAX_DATA,
                self.initial_max_data,
                d.initial_max_data,
            ),
            (
                ids::INITIAL_MAX_STREAM_DATA_BIDI_LOCAL,
                self.initial_max_stream_data_bidi_local,
                d.initial_max_stream_data_bidi_local,
            ),
            (
                ids::INITIAL_MAX_STREAM_DATA_BIDI_REMOTE,
                self.initial_max_stream_data_bidi_remote,
                d.initial_max_stream_data_bidi_remote,
            ),
            (
                ids::INITIAL_MAX_STREAM_DATA_UNI,
                self.initial_max_stream_data_uni,
                d.initial_max_stream_data_uni,
            ),
            (
                ids::INITIAL_MAX_STREAMS_BIDI,
                self.initial_max_streams_bidi,
                d.initial_max_streams_bidi,
            ),
            (
                ids::INITIAL_MAX_STREAMS_UNI,
                self.initial_max_streams_uni,
                d.initial_max_streams_uni,
            ),
            (
                ids::ACK_DELAY_EXPONENT,
                self.ack_delay_exponent,
                d.ack_delay_exponent,
            ),
            (ids::MAX_ACK_DELAY, self.max_ack_delay, d.max_ack_delay),
        ];
        for (id, v, default) in integers {
            emit_varint(out, id, v, default)?;
        }
        if self.disable_active_migration {
            emit(out, ids::DISABLE_ACTIVE_MIGRATION, &[])?;
        }
        if let Some(p) = &self.preferred_address {
            let mut buf = [0u8; 61];
            let len = encode_preferred(p, &mut buf);
            emit(
                out,
                ids::PREFERRED_ADDRESS,
                buf.get(..len).unwrap_or_default(),
            )?;
        }
        emit_varint(
            out,
            ids::ACTIVE_CONNECTION_ID_LIMIT,
            self.active_connection_id_limit,
            d.active_connection_id_limit,
        )?;
        if let Some(c) = &self.initial_source_connection_id {
            emit(out, ids::INITIAL_SOURCE_CONNECTION_ID, c)?;
        }
        if let Some(c) = &self.retry_source_connection_id {
            emit(out, ids::RETRY_SOURCE_CONNECTION_ID, c)?;
        }
        if let Some(info) = &self.version_information {
            let mut value = Vec::with_capacity(4 * (1 + info.available.len()));
            value.extend_from_slice(&info.chosen.0.to_be_bytes());
            for v in &info.available {
                value.extend_from_slice(&v.0.to_be_bytes());
            }
            emit(out, ids::VERSION_INFORMATION, &value)?;
        }
        if let Some(size) = self.max_datagram_frame_size {
            let mut buf = [0u8; 8];
            let len = size.encode(&mut buf)?;
            emit(
                out,
                ids::MAX_DATAGRAM_FRAME_SIZE,
                buf.get(..len).unwrap_or_default(),
            )?;
        }
        if self.grease_quic_bit {
            emit(out, ids::GREASE_QUIC_BIT, &[])?;
        }
        Ok(())
    }
}

/// One parameter: id, length, value.
fn emit(out: &mut impl Output, id: u64, value: &[u8]) -> Result<(), BufferTooSmall> {
    out.put_varint(VarInt::from_u64(id).unwrap_or(VarInt::MAX))?;
    out.put_varint(VarInt::from_u32(value.len() as u32))?;
    out.put_slice(value)
}

/// An integer parameter, unless it has its default value.
fn emit_varint(
    out: &mut impl Output,
    id: u64,
    value: VarInt,
    default: VarInt,
) -> Result<(), BufferTooSmall> {
    if value == default {
        return Ok(());
    }
    let mut buf = [0u8; 8];
    let len = value.encode(&mut buf)?;
    emit(out, id, buf.get(..len).unwrap_or_default())
}

fn decode_preferred(value: &[u8]) -> Result<PreferredAddress, TransportError> {
    let trunc = |_| err("truncated preferred_address");
    let mut r = Reader::new(value);
    let ipv4 = r.read_array().map_err(trunc)?;
    let ipv4_port = r.read_u16().map_err(trunc)?;
    let ipv6 = r.read_array().map_err(trunc)?;
    let ipv6_port = r.read_u16().map_err(trunc)?;
    let len = usize::from(r.read_u8().map_err(trunc)?);
    let connection_id = cid(r.read_bytes(len).map_err(trunc)?)?;
    if connection_id.is_empty() {
        return Err(err("preferred_address with a zero-length connection ID"));
    }
    let reset_token = r.read_array().map_err(trunc)?;
    if !r.is_empty() {
        return Err(err("preferred_address with trailing bytes"));
    }
    Ok(PreferredAddress {
        ipv4,
        ipv4_port,
        ipv6,
        ipv6_port,
        connection_id,
        reset_token,
    })
}

fn encode_preferred(p: &PreferredAddress, buf: &mut [u8; 61]) -> usize {
    let mut out = wire_codec::Writer::new(buf);
    // 61 bytes hold the largest preferred_address; the puts cannot fail.
    let _ = out.put_slice(&p.ipv4);
    let _ = out.put_u16(p.ipv4_port);
    let _ = out.put_slice(&p.ipv6);
    let _ = out.put_u16(p.ipv6_port);
    let _ = out.put_u8(p.connection_id.len() as u8);
    let _ = out.put_slice(&p.connection_id);
    let _ = out.put_slice(&p.reset_token);
    out.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportErrorCode;

    fn params(pairs: &[(u64, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (id, v) in pairs {
            out.put_varint(VarInt::from_u64(*id).unwrap()).unwrap();
            out.put_varint(VarInt::from_u32(v.len() as u32)).unwrap();
            out.put_slice(v).unwrap();
        }
        out
    }

    #[test]
    fn grease_and_unknown_are_skipped_duplicates_rejected() {
        let bytes = params(&[
            (27, b"xyz"),
            (31 * 5 + 27, &[]),
            (0x04, &[0x44, 0x00]),
            (0x1234, &[1]),
        ]);
        let p = TransportParameters::decode(&bytes, Side::Client).unwrap();
        assert_eq!(p.initial_max_data.into_inner(), 0x400);
        let dup = params(&[(0x04, &[1]), (0x04, &[2])]);
        let e = TransportParameters::decode(&dup, Side::Server).unwrap_err();
        assert_eq!(e.code, TransportErrorCode::TransportParameterError);
    }

    #[test]
    fn section_18_2_values_are_validated() {
        for bad in [
            params(&[(0x03, &[0x44, 0xaf])]),       // max_udp_payload_size 1199
            params(&[(0x0a, &[21])]),               // ack_delay_exponent 21
            params(&[(0x0b, &[0x80, 0, 0x40, 0])]), // max_ack_delay 2^14
            params(&[(0x0e, &[1])]),                // active_connection_id_limit 1
            params(&[(0x0c, &[0])]),                // disable_active_migration with a value
            params(&[(0x02, &[0; 15])]),            // reset token of 15 bytes
            params(&[(0x11, &[0, 0, 0, 0])]),       // chosen version 0
            params(&[(0x11, &[0, 0, 0, 1, 0])]),    // not a multiple of 4
            params(&[(0x0f, &[0; 21])]),            // 21-byte connection ID
        ] {
            assert!(
                TransportParameters::decode(&bad, Side::Server).is_err(),
                "{bad:02x?}"
            );
        }
        // Server-only parameters from a client.
        let odcid = params(&[(0x00, &[1, 2, 3, 4])]);
        assert!(TransportParameters::decode(&odcid, Side::Client).is_err());
        assert!(TransportParameters::decode(&odcid, Side::Server).is_ok());
    }

    #[test]
    fn full_set_round_trips() {
        let p = TransportParameters {
            original_destination_connection_id: Some(ConnectionId::new(&[1; 8]).unwrap()),
            max_idle_timeout: VarInt::from_u32(30_000),
            stateless_reset_token: Some([9; 16]),
            max_udp_payload_size: VarInt::from_u32(1472),
            initial_max_data: VarInt::from_u32(1 << 20),
            initial_max_streams_bidi: VarInt::from_u32(100),
            disable_active_migration: true,
            preferred_address: Some(PreferredAddress {
                ipv4: [127, 0, 0, 1],
                ipv4_port: 4433,
                ipv6: [0; 16],
                ipv6_port: 0,
                connection_id: ConnectionId::new(&[7; 20]).unwrap(),
                reset_token: [3; 16],
            }),
            version_information: Some(VersionInformation {
                chosen: Version::V1,
                available: alloc::vec![Version::V2, Version::V1],
            }),
            max_datagram_frame_size: Some(VarInt::from_u32(65535)),
            grease_quic_bit: true,
            ..TransportParameters::default()
        };
        let mut buf = Vec::new();
        p.encode(&mut buf).unwrap();
        assert_eq!(TransportParameters::decode(&buf, Side::Server).unwrap(), p);
    }
}
