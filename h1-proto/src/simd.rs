//! The one vectorized scan of the head parser: finding CTL bytes 16 at a time.
//!
//! On x86-64 it uses SSE2, which every x86-64 CPU has (it is in the target's baseline, checked
//! at compile time by `cfg(target_feature = "sse2")`). Calling a `#[target_feature]` function
//! is `unsafe` in Rust even when the feature is enabled for the whole build, so this module
//! allows `unsafe_code` for exactly that call; the function itself takes no pointers (the
//! vector is built from two integer loads). Elsewhere a portable SWAR version runs.
#![allow(unsafe_code)]

/// A mask with bit `k` set when byte `k` of the 16 is a CTL (below 0x20, or 0x7f). Only the
/// lowest set bit is meaningful to callers.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
pub(crate) fn ctl_mask16(chunk: &[u8; 16]) -> u32 {
    // SAFETY: `sse2` is enabled for this compilation (the cfg above), so the CPU running this
    // code supports it; `sse2_ctl_mask16` has no other precondition.
    unsafe { sse2_ctl_mask16(chunk) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn sse2_ctl_mask16(chunk: &[u8; 16]) -> u32 {
    use core::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x,
        _mm_set1_epi8,
    };
    let (lo, hi) = chunk.split_at(8);
    let lo = u64::from_le_bytes(lo.try_into().unwrap_or([0; 8]));
    let hi = u64::from_le_bytes(hi.try_into().unwrap_or([0; 8]));
    let v = _mm_set_epi64x(hi as i64, lo as i64);
    // Unsigned `v <= 0x1f` as `min(v, 0x1f) == v`.
    let below_space = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
    let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f));
    _mm_movemask_epi8(_mm_or_si128(below_space, del)) as u32
}

/// The portable form: SWAR over two 64-bit words. The lowest set bit is exact (the borrow of
/// the subtraction only spreads upwards).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
pub(crate) fn ctl_mask16(chunk: &[u8; 16]) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pack = |bytes: &[u8]| {
        let w = u64::from_le_bytes(bytes.try_into().unwrap_or([0; 8]));
        let below_space = w.wrapping_sub(ONES * 0x20) & !w;
        let x = w ^ (ONES * 0x7f);
        let del = x.wrapping_sub(ONES) & !x;
        let bits = (below_space | del) & HIGHS;
        if bits == 0 {
            0
        } else {
            1u32 << (bits.trailing_zeros() / 8)
        }
    };
    let (lo, hi) = chunk.split_at(8);
    let lo = pack(lo);
    if lo != 0 { lo } else { pack(hi) << 8 }
}

#[cfg(test)]
mod tests {
    use super::ctl_mask16;

    #[test]
    fn lowest_bit_marks_the_first_ctl() {
        for first in 0..16 {
            for b in (0u8..0x20).chain([0x7f]) {
                let mut chunk = [b'a'; 16];
                chunk[first] = b;
                if first < 15 {
                    chunk[15] = b'\r';
                }
                assert_eq!(ctl_mask16(&chunk).trailing_zeros() as usize, first, "{b:#x} at {first}");
            }
        }
        let mut clean = [0u8; 16];
        for (i, c) in clean.iter_mut().enumerate() {
            *c = 0x20 + i as u8 * 13 % 0x5f;
        }
        clean[3] = 0x80;
        clean[4] = 0xff;
        assert_eq!(ctl_mask16(&clean), 0);
    }
}
