//! Packet number encoding and decoding (RFC 9000 §17.1, Appendix A.2 and A.3).

/// The largest packet number (RFC 9000 §12.3).
pub const MAX: u64 = (1 << 62) - 1;

/// How many bytes (1–4) to send packet number `pn` in, given the largest packet number the
/// peer has acknowledged (`None` before any acknowledgment): enough for twice the range of
/// unacknowledged numbers (RFC 9000 §17.1, Appendix A.2).
pub fn encoded_len(pn: u64, largest_acked: Option<u64>) -> usize {
    let unacked = match largest_acked {
        Some(acked) => pn.saturating_sub(acked),
        None => pn.saturating_add(1),
    };
    // Bits for `unacked`, plus one for the sign of the window: twice the range.
    let bits = u64::BITS - unacked.leading_zeros() + 1;
    bits.div_ceil(8).clamp(1, 4) as usize
}

/// The low `len` bytes of `pn`, as written on the wire (big-endian, `len` in 1..=4).
#[inline]
pub fn truncate(pn: u64, len: usize) -> u32 {
    match len {
        1 => (pn & 0xff) as u32,
        2 => (pn & 0xffff) as u32,
        3 => (pn & 0xff_ffff) as u32,
        _ => (pn & 0xffff_ffff) as u32,
    }
}

/// The full packet number closest to the next expected one (`largest_pn + 1`) whose low
/// `len` bytes are `truncated` (RFC 9000 Appendix A.3). `largest_pn` is the largest packet
/// number successfully processed in the space, `None` if none yet.
#[inline]
pub fn decode(truncated: u32, len: usize, largest_pn: Option<u64>) -> u64 {
    let expected = largest_pn.map_or(0, |pn| pn.saturating_add(1));
    let bits = 8 * len.clamp(1, 4) as u32;
    let win = 1u64 << bits;
    let half = win / 2;
    let mask = win - 1;
    let candidate = (expected & !mask) | u64::from(truncated);
    // The RFC's pseudocode, written so that nothing can overflow or underflow. Its
    // `candidate <= expected - hwin` is signed: with `expected == half` it holds for candidate
    // 0, so the guard is `>=`, not `>`.
    if expected >= half && candidate <= expected - half && candidate < (1 << 62) - win {
        candidate + win
    } else if candidate > expected.saturating_add(half) && candidate >= win {
        candidate - win
    } else {
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn appendix_a2_examples() {
        // "29,519 (0x734f) outstanding packet numbers ... 16 bits are required."
        assert_eq!(encoded_len(0xac5c02, Some(0xabe8b3)), 2);
        // "... 0xace8fe ... 24 bits"
        assert_eq!(encoded_len(0xace8fe, Some(0xabe8b3)), 3);
    }

    #[test]
    fn appendix_a3_example() {
        assert_eq!(decode(0x9b32, 2, Some(0xa82f30ea)), 0xa82f9b32);
    }

    /// RFC 9000 Appendix A.3's pseudocode, literally, in signed arithmetic wide enough that
    /// nothing overflows.
    fn reference_decode(truncated: u32, len: usize, largest_pn: Option<u64>) -> u64 {
        let expected = largest_pn.map_or(0, |pn| i128::from(pn) + 1);
        let win = 1i128 << (8 * len);
        let hwin = win / 2;
        let mask = win - 1;
        let candidate = (expected & !mask) | i128::from(truncated);
        let pn = if candidate <= expected - hwin && candidate < (1 << 62) - win {
            candidate + win
        } else if candidate > expected + hwin && candidate >= win {
            candidate - win
        } else {
            candidate
        };
        pn as u64
    }

    #[test]
    fn window_edge_follows_the_pseudocode() {
        // Expected 128 with a 1-byte number 0: candidate 0 is exactly half a window below
        // the expected number, and the pseudocode (`candidate <= expected - hwin`) moves it up
        // a window, to 256.
        assert_eq!(reference_decode(0, 1, Some(127)), 256);
        assert_eq!(decode(0, 1, Some(127)), 256);
        assert_eq!(decode(0, 2, Some(0x7fff)), 0x1_0000);
    }

    proptest! {
        #[test]
        fn decode_matches_the_appendix_a3_pseudocode(
            truncated in prop_oneof![0u32..3, any::<u32>()],
            len in 1usize..=4,
            largest in proptest::option::of(prop_oneof![0u64..1 << 17, 0u64..MAX]),
            edge in 0u64..3,
        ) {
            let win = 1u64 << (8 * len);
            let truncated = (u64::from(truncated) & (win - 1)) as u32;
            // Some cases sit on the first window's edge, where an off-by-one shows.
            let largest = if edge == 0 { Some(win / 2 - 1) } else { largest };
            prop_assert_eq!(
                decode(truncated, len, largest),
                reference_decode(truncated, len, largest)
            );
        }

        #[test]
        fn truncation_recovers_the_number(largest in 0u64..(1 << 40), gap in 1u64..(1 << 20)) {
            let pn = largest + gap;
            let len = encoded_len(pn, Some(largest));
            prop_assert_eq!(decode(truncate(pn, len), len, Some(largest)), pn);
        }

        #[test]
        fn decode_never_panics(t: u32, len in 0usize..8, largest: Option<u64>) {
            let _ = decode(t, len, largest);
        }
    }
}
