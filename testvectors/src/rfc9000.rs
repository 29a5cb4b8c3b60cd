//! RFC 9000 (QUIC transport) appendix vectors.

/// Appendix A.1: "Sample Variable-Length Integer Decoding" — encoded bytes (hex) and the value
/// they decode to. The last one is a non-minimal encoding of 37.
pub const VARINT_SAMPLES: [(&str, u64); 5] = [
    ("c2197c5eff14e88c", 151_288_809_941_952_652),
    ("9d7f3e7d", 494_878_333),
    ("7bbd", 15_293),
    ("25", 37),
    ("4025", 37),
];

/// Appendix A.2: "Sample Packet Number Encoding Algorithm" — (largest acknowledged, packet
/// number being sent, bits the encoding needs).
pub const PN_ENCODING_SAMPLES: [(u64, u64, u32); 2] =
    [(0xabe8b3, 0xac5c02, 16), (0xabe8b3, 0xace8fe, 24)];

/// Appendix A.3: "Sample Packet Number Decoding Algorithm" — (largest authenticated packet
/// number, truncated value, its bits, the decoded packet number).
pub const PN_DECODING_SAMPLE: (u64, u32, u32, u64) = (0xa82f30ea, 0x9b32, 16, 0xa82f9b32);
