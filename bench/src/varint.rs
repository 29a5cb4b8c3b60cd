//! QUIC varint decode and encode (RFC 9000 §16): `wire-codec` against `octets`, the byte-buffer
//! crate under cloudflare's quiche.

use crate::{Comparison, Lcg, race};
use wire_codec::{Output, Reader, VarInt, Writer};

/// Varints per input buffer.
pub const COUNT: usize = 4096;

/// `COUNT` values with an even mix of 1-, 2-, 4- and 8-byte encodings, as in a stream of QUIC
/// frames (small types and lengths, larger offsets and ids).
pub fn values() -> Vec<u64> {
    let mut rng = Lcg::new(9000);
    (0..COUNT)
        .map(|i| {
            let bits = [6, 14, 30, 62][i % 4];
            rng.next_u64() & ((1u64 << bits) - 1)
        })
        .collect()
}

/// The values encoded back to back in their shortest forms.
pub fn encoded(values: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    for &v in values {
        out.put_varint(VarInt::from_u64(v).expect("values fit"))
            .expect("Vec grows");
    }
    out
}

/// Decodes every varint of `input` with our `Reader`, returning their sum.
pub fn decode_ours(input: &[u8]) -> u64 {
    let mut reader = Reader::new(input);
    let mut sum = 0u64;
    while let Ok(v) = reader.read_varint() {
        sum = sum.wrapping_add(v.into_inner());
    }
    sum
}

/// Decodes every varint of `input` with `octets`, returning their sum.
pub fn decode_octets(input: &[u8]) -> u64 {
    let mut reader = octets::Octets::with_slice(input);
    let mut sum = 0u64;
    while let Ok(v) = reader.get_varint() {
        sum = sum.wrapping_add(v);
    }
    sum
}

/// Encodes `values` into `out` with our `Writer`, returning the bytes written.
pub fn encode_ours(values: &[u64], out: &mut [u8]) -> u64 {
    let mut writer = Writer::new(out);
    for &v in values {
        // The values were generated below 2^62, so `from_u64` cannot fail.
        let _ = writer.put_varint(VarInt::from_u64(v).unwrap_or(VarInt::MAX));
    }
    writer.len() as u64
}

/// Encodes `values` into `out` with `octets`, returning the bytes written.
pub fn encode_octets(values: &[u64], out: &mut [u8]) -> u64 {
    let mut writer = octets::OctetsMut::with_slice(out);
    for &v in values {
        let _ = writer.put_varint(v);
    }
    writer.off() as u64
}

/// `varint-decode` and `varint-encode`.
pub fn compare() -> Vec<Comparison> {
    let values = values();
    let input = encoded(&values);
    assert_eq!(decode_ours(&input), decode_octets(&input), "same sum");
    let (ours, theirs) = race(
        COUNT as u64,
        || decode_ours(&input),
        || decode_octets(&input),
    );
    let decode = Comparison {
        name: "varint-decode".into(),
        peer: "octets".into(),
        ours: ours / 1e6,
        theirs: theirs / 1e6,
        unit: "Mvarint/s".into(),
    };

    let mut out_ours = vec![0u8; input.len()];
    let mut out_theirs = vec![0u8; input.len()];
    encode_ours(&values, &mut out_ours);
    encode_octets(&values, &mut out_theirs);
    assert_eq!(out_ours, input, "ours encodes to the reference bytes");
    assert_eq!(out_theirs, input, "octets encodes to the same bytes");
    let (ours, theirs) = race(
        COUNT as u64,
        || encode_ours(&values, &mut out_ours),
        || encode_octets(&values, &mut out_theirs),
    );
    let encode = Comparison {
        name: "varint-encode".into(),
        peer: "octets".into(),
        ours: ours / 1e6,
        theirs: theirs / 1e6,
        unit: "Mvarint/s".into(),
    };
    vec![decode, encode]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_agree_on_the_benchmark_input() {
        let values = values();
        let input = encoded(&values);
        let expected = values.iter().fold(0u64, |a, &v| a.wrapping_add(v));
        assert_eq!(decode_ours(&input), expected);
        assert_eq!(decode_octets(&input), expected);
        let mut a = vec![0u8; input.len()];
        let mut b = vec![0u8; input.len()];
        assert_eq!(encode_ours(&values, &mut a), input.len() as u64);
        assert_eq!(encode_octets(&values, &mut b), input.len() as u64);
        assert_eq!(a, b);
    }
}
