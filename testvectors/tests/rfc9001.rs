//! RFC 9001 Appendix A (QUIC v1 packet protection) byte-exact through `quic-proto`.

mod quic_vectors;

use testvectors::rfc9001::V1;

#[test]
fn a1_keys() {
    quic_vectors::keys(&V1);
}

#[test]
fn a2_client_initial_is_protected_into_the_exact_datagram() {
    quic_vectors::client_initial(&V1);
}

#[test]
fn a2_client_initial_with_rustls_keys() {
    quic_vectors::client_initial_through_rustls(&V1);
}

#[test]
fn a3_server_initial() {
    quic_vectors::server_initial(&V1);
}

#[test]
fn a4_retry_integrity_tag() {
    quic_vectors::retry(&V1);
}

#[test]
fn a5_chacha20_short_header_packet() {
    quic_vectors::chacha_short_header(&V1);
}

#[test]
fn transcription_matches_the_rfc_text() {
    quic_vectors::transcription(&V1);
}
