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
