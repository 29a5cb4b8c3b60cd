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

/// Which vector instructions the CPU running us has (AVX2 is detected at run time, which
/// needs `std`; without it the baseline is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Baseline,
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    Avx2,
}

/// The best level for this CPU (std caches the answer).
#[inline]
pub(crate) fn detect() -> Level {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("bmi1") {
        return Level::Avx2;
    }
    Level::Baseline
}

/// `HeadParser::parse` compiled with AVX2 enabled, so that the vector helpers inline into it.
///
/// SAFETY (callers): `detect` must have returned `Level::Avx2` (which also means BMI1, for
/// `tzcnt` in the bit-mask scans).
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2,bmi1")]
pub(crate) unsafe fn parse_head_avx2(
    parser: &mut crate::parse::HeadParser,
    buf: &[u8],
    kind: crate::parse::Kind,
    config: &crate::config::Config,
) -> Result<Option<usize>, crate::error::Error> {
    parser.parse_with(buf, kind, config, Level::Avx2)
}

/// `HeadParser::parse` for the level of this CPU.
#[inline(always)]
pub(crate) fn parse_head(
    parser: &mut crate::parse::HeadParser,
    buf: &[u8],
    kind: crate::parse::Kind,
    config: &crate::config::Config,
) -> Result<Option<usize>, crate::error::Error> {
    match detect() {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: `detect` returned `Avx2`, so the CPU supports AVX2.
        Level::Avx2 => unsafe { parse_head_avx2(parser, buf, kind, config) },
        Level::Baseline => parser.parse_with(buf, kind, config, Level::Baseline),
    }
}

/// CTL mask of 32 bytes (only the lowest set bit is meaningful).
#[inline(always)]
pub(crate) fn ctl_mask32(level: Level, chunk: &[u8; 32]) -> u32 {
    match level {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: `Level::Avx2` is only returned by `detect` after the CPU reported AVX2.
        Level::Avx2 => unsafe { avx2::masks(chunk).ctl },
        Level::Baseline => {
            let (lo, hi) = chunk.split_at(16);
            let lo = ctl_mask16(lo.try_into().unwrap_or(&[0; 16]));
            if lo != 0 {
                lo
            } else {
                ctl_mask16(hi.try_into().unwrap_or(&[0; 16])) << 16
            }
        }
    }
}

/// The start of a field line in 32 bytes, when the whole name and its colon are in them: the
/// colon's offset (the name before it is a non-empty token) and the CTL mask of the 32 bytes.
/// `None` means "take the byte-by-byte path" (which also reports the errors).
#[inline(always)]
pub(crate) fn field_start(level: Level, chunk: &[u8; 32]) -> Option<(u32, u32)> {
    match level {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        Level::Avx2 => {
            // SAFETY: as in `ctl_mask32`.
            let m = unsafe { avx2::masks(chunk) };
            let colon = m.colon.trailing_zeros();
            let before = 1u32.checked_shl(colon).map_or(u32::MAX, |bit| bit - 1);
            (colon > 0 && colon < 32 && m.non_token & before == 0).then_some((colon, m.ctl))
        }
        Level::Baseline => {
            let _ = chunk;
            None
        }
    }
}

/// A request line that fits in 32 bytes with its CRLF: `(method end, target end, CR offset)`
/// when the method is a token, single spaces separate three parts, the target is visible
/// ASCII and the line has no other CTL. `None` means "take the byte-by-byte path".
#[inline(always)]
pub(crate) fn request_line(level: Level, chunk: &[u8; 32]) -> Option<(usize, usize, usize)> {
    match level {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        Level::Avx2 => {
            // SAFETY: as in `ctl_mask32`.
            let m = unsafe { avx2::masks(chunk) };
            let below = |n: u32| 1u32.checked_shl(n).map_or(u32::MAX, |bit| bit - 1);
            let method_end = m.space.trailing_zeros();
            let target_end = (m.space & !below(method_end + 1)).trailing_zeros();
            let cr = m.ctl.trailing_zeros();
            let target = below(target_end) & !below(method_end + 1);
            let ok = method_end > 0
                && m.non_token & below(method_end) == 0
                && target_end > method_end + 1
                && cr == target_end + 9
                && cr < 31
                && m.high & target == 0
                && chunk.get(cr as usize..cr as usize + 2) == Some(b"\r\n");
            ok.then_some((method_end as usize, target_end as usize, cr as usize))
        }
        Level::Baseline => {
            let _ = chunk;
            None
        }
    }
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx2 {
    use core::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_min_epu8,
        _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_setr_epi8,
        _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
    };

    pub(super) struct Masks {
        pub(super) ctl: u32,
        pub(super) colon: u32,
        pub(super) non_token: u32,
        pub(super) space: u32,
        pub(super) high: u32,
    }

    /// tchar (RFC 9110 §5.6.2) as a nibble lookup: byte `b` is a tchar when
    /// `LOW[b & 15] & HIGH[b >> 4] != 0`; each LOW entry has bit `h` set when `h << 4 | low`
    /// is a tchar, and HIGH[h] is `1 << h` for the ASCII half, 0 above.
    const fn low_table() -> [i8; 16] {
        let mut table = [0i8; 16];
        let mut low = 0;
        while low < 16 {
            let mut bits = 0u8;
            let mut high = 0;
            while high < 8 {
                if crate::head::is_tchar((high << 4 | low) as u8) {
                    bits |= 1 << high;
                }
                high += 1;
            }
            table[low] = bits as i8;
            low += 1;
        }
        table
    }
    const LOW: [i8; 16] = low_table();

    /// SAFETY (callers): the CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) unsafe fn masks(chunk: &[u8; 32]) -> Masks {
        // SAFETY: `chunk` is 32 readable bytes; the load is unaligned.
        let v = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>()) };
        let below_space = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1f)), v);
        let del = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x7f));
        let colon = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b':' as i8));
        let l = LOW;
        let low_table = _mm256_setr_epi8(
            l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10], l[11], l[12], l[13],
            l[14], l[15], l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10], l[11],
            l[12], l[13], l[14], l[15],
        );
        let high_table = _mm256_setr_epi8(
            1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, -128, 0,
            0, 0, 0, 0, 0, 0, 0,
        );
        let nibble = _mm256_set1_epi8(0x0f);
        let low = _mm256_and_si256(v, nibble);
        let high = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
        let token = _mm256_and_si256(
            _mm256_shuffle_epi8(low_table, low),
            _mm256_shuffle_epi8(high_table, high),
        );
        let non_token = _mm256_cmpeq_epi8(token, _mm256_setzero_si256());
        Masks {
            ctl: _mm256_movemask_epi8(_mm256_or_si256(below_space, del)) as u32,
            colon: _mm256_movemask_epi8(colon) as u32,
            non_token: _mm256_movemask_epi8(non_token) as u32,
            space: _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8))) as u32,
            high: _mm256_movemask_epi8(v) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::ctl_mask16;
    use crate::config::Config;
    use crate::parse::{HeadParser, Kind};
    use alloc::string::String;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn both_levels(input: &[u8], kind: Kind) {
        let config = Config::default();
        let mut fast = HeadParser::default();
        let mut slow = HeadParser::default();
        let a = fast.parse_with(input, kind, &config, super::detect());
        let b = slow.parse_with(input, kind, &config, super::Level::Baseline);
        assert_eq!(a, b, "{:?}", String::from_utf8_lossy(input));
        if let Ok(Some(_)) = a {
            assert_eq!(fast.spans, slow.spans);
            assert_eq!(
                alloc::format!("{:?}", fast.info),
                alloc::format!("{:?}", slow.info)
            );
        }
    }

    const PIECES: &[&[u8]] = &[
        b"GET",
        b" ",
        b"/x",
        b"HTTP/1.1",
        b"HTTP/1.0",
        b"\r\n",
        b"\n",
        b"\r",
        b"Host",
        b":",
        b"\t",
        b"a",
        b"\x00",
        b"\xff",
        b"@",
        b"Content-Length",
        b"Transfer-Encoding: chunked",
        b"0123456789abcdefghij",
        // Field lines for the clean-line loop: OWS around values, names in other cases.
        b"  ",
        b"Host: a ",
        b"CONTENT-length: 12",
        b"Connection:keep-alive, Upgrade",
        b"\r\nX-Long: 0123456789abcdefghij0123456789abcdefghij\r\n",
    ];

    proptest! {
        #[test]
        fn vector_paths_agree_with_the_byte_path(
            parts in prop::collection::vec(prop::sample::select(PIECES), 0..40),
            status in any::<bool>(),
        ) {
            let mut input: Vec<u8> = if status { b"HTTP/1.1 200 OK\r\n".to_vec() } else { Vec::new() };
            for p in parts {
                input.extend_from_slice(p);
            }
            both_levels(&input, if status { Kind::Response } else { Kind::Request });
            both_levels(&input, Kind::Trailers);
        }
    }

    #[test]
    fn clean_line_loop_agrees_with_the_byte_path() {
        let value = "v".repeat(70);
        let long_name = "N".repeat(40);
        let lines = [
            String::from("Host: example.com  \r\n"),
            alloc::format!("Cookie: {value}\r\n"),
            alloc::format!("Cookie:{value} \t\r\n"),
            alloc::format!("Cookie: {value}\tx\r\n"),
            alloc::format!("Cookie: {value}\rx\r\n"),
            alloc::format!("Cookie: {value}\nx\r\n"),
            alloc::format!("Cookie: {value}\x00\r\n"),
            alloc::format!("Cookie: {value}\x7f\r\n"),
            alloc::format!("{long_name}: x\r\n"),
            String::from("Content-Length: 5\r\n"),
            String::from("CONTENT-LENGTH: 5, 6\r\n"),
            String::from("Transfer-Encoding: chunked\r\n"),
            String::from("Empty:      \r\n"),
            String::from("Empty:\r\n"),
            String::from(" folded: x\r\n"),
            String::from("Bad name: x\r\n"),
            alloc::format!("X-A: {value}"),
        ];
        for a in &lines {
            for b in &lines {
                for end in ["\r\n", "", "\r"] {
                    let head = alloc::format!("GET / HTTP/1.1\r\n{a}{b}{end}");
                    both_levels(head.as_bytes(), Kind::Request);
                    let head = alloc::format!("HTTP/1.1 200 OK\r\n{a}{b}{end}");
                    both_levels(head.as_bytes(), Kind::Response);
                }
            }
        }
    }

    #[test]
    fn field_start_agrees_with_the_tables() {
        let level = super::detect();
        for b in 0..=255u8 {
            let mut chunk = *b"Name:value\r\nxxxxxxxxxxxxxxxxxxxx";
            chunk[1] = b;
            let expected = crate::head::is_tchar(b).then_some(4);
            let got = super::field_start(level, &chunk).map(|(colon, _)| colon);
            if level != super::Level::Baseline {
                assert_eq!(got, if b == b':' { Some(1) } else { expected }, "{b:#x}");
                assert_eq!(
                    super::ctl_mask32(level, &chunk).trailing_zeros(),
                    if b < 0x20 || b == 0x7f { 1 } else { 10 }
                );
            }
        }
    }

    #[test]
    fn lowest_bit_marks_the_first_ctl() {
        for first in 0..16 {
            for b in (0u8..0x20).chain([0x7f]) {
                let mut chunk = [b'a'; 16];
                chunk[first] = b;
                if first < 15 {
                    chunk[15] = b'\r';
                }
                assert_eq!(
                    ctl_mask16(&chunk).trailing_zeros() as usize,
                    first,
                    "{b:#x} at {first}"
                );
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
