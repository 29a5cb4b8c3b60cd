//! Masking and unmasking of payload data (RFC 6455 §5.3).
//!
//! The XOR runs over 64-byte blocks of plain arrays, which the compiler turns into SIMD loads and
//! stores on every target that has them (SSE2, NEON, …) and into word-at-a-time code on the
//! others; short payloads go eight bytes at a time. One portable path, no intrinsics. With `std`
//! on x86-64 the same safe loops are also compiled for AVX2 and picked at run time (module
//! `avx2`: the only `unsafe` here is calling them after the CPU check).

/// Block size of the fast loop: two AVX-512 or four SSE2/NEON registers.
const BLOCK: usize = 64;

/// XORs `data` with the masking `key`, where `data` starts `offset` bytes into the payload (so a
/// payload that arrives in pieces can be unmasked piece by piece). Masking and unmasking are the
/// same operation.
///
/// RFC 6455 §5.3: octet i of the transformed data is octet i of the original data XOR octet
/// `i MOD 4` of the masking key.
///
/// ```
/// let mut data = *b"Hello";
/// ws_proto::apply_mask(&mut data, [0x37, 0xfa, 0x21, 0x3d], 0);
/// assert_eq!(data, [0x7f, 0x9f, 0x4d, 0x51, 0x58]); // RFC 6455 §5.7
/// ```
#[inline]
pub fn apply_mask(data: &mut [u8], key: [u8; 4], offset: usize) {
    let key = rotate(key, offset);
    if data.len() < BLOCK {
        // Short payloads (most messages): a word at a time, no block set-up.
        mask_words(data, key);
        return;
    }
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if avx2::mask_blocks(data, key) {
        return;
    }
    mask_blocks(data, key);
}

/// The portable block loop of [`apply_mask`] for `data` at mask offset 0: plain arrays the
/// compiler vectorizes for whatever the build targets (SSE2 on x86-64 by default).
#[inline(always)]
fn mask_blocks(data: &mut [u8], key: [u8; 4]) {
    let wide = wide_key(key);
    let (blocks, tail) = data.as_chunks_mut::<BLOCK>();
    for block in blocks {
        for (b, k) in block.iter_mut().zip(wide) {
            *b ^= k;
        }
    }
    // BLOCK is a multiple of 4, so the tail starts at mask offset 0.
    mask_words(tail, key);
}

/// The portable loop of [`extend_masked`] for payloads of a block or more.
#[inline(always)]
fn extend_masked_blocks(out: &mut alloc::vec::Vec<u8>, payload: &[u8], key: [u8; 4]) {
    out.reserve(payload.len());
    let wide = wide_key(key);
    let (blocks, tail) = payload.as_chunks::<BLOCK>();
    for block in blocks {
        let mut masked = *block;
        for (b, k) in masked.iter_mut().zip(wide) {
            *b ^= k;
        }
        out.extend_from_slice(&masked);
    }
    // BLOCK is a multiple of 4, so the tail starts at mask offset 0.
    let start = out.len();
    out.extend_from_slice(tail);
    if let Some(copy) = out.get_mut(start..) {
        mask_words(copy, key);
    }
}

/// The key repeated over a block.
#[inline(always)]
fn wide_key(key: [u8; 4]) -> [u8; BLOCK] {
    let mut wide = [0u8; BLOCK];
    for (i, b) in wide.iter_mut().enumerate() {
        *b = key[i % 4];
    }
    wide
}

/// The same portable loops compiled for AVX2 (32-byte registers instead of SSE2's 16), chosen
/// at run time where std can ask the CPU. The code is the safe code above; only the call
/// needs `unsafe`, because running AVX2 instructions on a CPU without them is undefined.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[allow(unsafe_code)]
mod avx2 {
    /// [`super::mask_blocks`] compiled for AVX2, if the CPU has it; returns whether it ran.
    #[inline]
    pub(super) fn mask_blocks(data: &mut [u8], key: [u8; 4]) -> bool {
        if !std::is_x86_feature_detected!("avx2") {
            return false;
        }
        // SAFETY: the CPU was just found to support AVX2, the only requirement of an AVX2 build.
        unsafe { mask_blocks_with_avx2(data, key) };
        true
    }

    /// [`super::extend_masked_blocks`] compiled for AVX2, if the CPU has it; returns whether
    /// it ran.
    #[inline]
    pub(super) fn extend_masked_blocks(
        out: &mut alloc::vec::Vec<u8>,
        payload: &[u8],
        key: [u8; 4],
    ) -> bool {
        if !std::is_x86_feature_detected!("avx2") {
            return false;
        }
        // SAFETY: the CPU was just found to support AVX2, the only requirement here.
        unsafe { extend_masked_blocks_with_avx2(out, payload, key) };
        true
    }

    #[target_feature(enable = "avx2")]
    fn mask_blocks_with_avx2(data: &mut [u8], key: [u8; 4]) {
        super::mask_blocks(data, key);
    }

    #[target_feature(enable = "avx2")]
    fn extend_masked_blocks_with_avx2(out: &mut alloc::vec::Vec<u8>, payload: &[u8], key: [u8; 4]) {
        super::extend_masked_blocks(out, payload, key);
    }
}

/// XORs a short `data` (starting at mask offset 0) eight bytes at a time, then the last few
/// bytes one by one.
#[inline]
fn mask_words(data: &mut [u8], key: [u8; 4]) {
    let [a, b, c, d] = key;
    // The same 8 bytes in memory on either endianness, since both halves are the key.
    let wide = u64::from_ne_bytes([a, b, c, d, a, b, c, d]);
    let (words, rest) = data.as_chunks_mut::<8>();
    for word in words {
        *word = (u64::from_ne_bytes(*word) ^ wide).to_ne_bytes();
    }
    // Eight is a multiple of four: the rest starts at mask offset 0 too.
    let (quads, rest) = rest.as_chunks_mut::<4>();
    for quad in quads {
        *quad = (u32::from_ne_bytes(*quad) ^ u32::from_ne_bytes(key)).to_ne_bytes();
    }
    for (byte, k) in rest.iter_mut().zip(key) {
        *byte ^= k;
    }
}

/// Appends `payload` masked with `key` to `out` in one pass (load, XOR, store per block),
/// rather than copying and then masking the copy.
#[inline]
pub(crate) fn extend_masked(out: &mut alloc::vec::Vec<u8>, payload: &[u8], key: [u8; 4]) {
    if payload.len() < BLOCK {
        // Short payloads: copy, then mask the copy while it is in a register or L1.
        let start = out.len();
        out.extend_from_slice(payload);
        if let Some(copy) = out.get_mut(start..) {
            mask_words(copy, key);
        }
        return;
    }
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if avx2::extend_masked_blocks(out, payload, key) {
        return;
    }
    extend_masked_blocks(out, payload, key);
}

/// The key as seen from `offset` bytes into the payload.
#[inline]
fn rotate(key: [u8; 4], offset: usize) -> [u8; 4] {
    let o = offset & 3;
    [key[o], key[(o + 1) & 3], key[(o + 2) & 3], key[(o + 3) & 3]]
}

/// The byte-at-a-time definition, kept as the reference the fast path is tested against.
#[cfg(test)]
pub(crate) fn apply_mask_reference(data: &mut [u8], key: [u8; 4], offset: usize) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= key[(i + offset) % 4];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fast_path_matches_the_definition(
            data in proptest::collection::vec(any::<u8>(), 0..300),
            key in any::<[u8; 4]>(),
            offset in 0usize..8,
            split in 0usize..300,
        ) {
            let mut fast = data.clone();
            let split = split.min(fast.len());
            // Unmasking in two pieces at any split equals unmasking at once.
            let (a, b) = fast.split_at_mut(split);
            apply_mask(a, key, offset);
            apply_mask(b, key, offset + split);
            let mut slow = data.clone();
            apply_mask_reference(&mut slow, key, offset);
            prop_assert_eq!(&fast, &slow);
            apply_mask(&mut fast, key, offset);
            prop_assert_eq!(fast, data);
        }
    }

    proptest! {
        #[test]
        fn extend_masked_matches_the_definition(
            data in proptest::collection::vec(any::<u8>(), 0..300),
            key in any::<[u8; 4]>(),
            prefix in proptest::collection::vec(any::<u8>(), 0..5),
        ) {
            let mut out = prefix.clone();
            extend_masked(&mut out, &data, key);
            let mut expected = data.clone();
            apply_mask_reference(&mut expected, key, 0);
            prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
            prop_assert_eq!(&out[prefix.len()..], &expected[..]);
        }
    }

    proptest! {
        /// The portable loops, which the run-time dispatch skips on AVX2 machines.
        #[test]
        fn portable_path_matches_the_definition(
            data in proptest::collection::vec(any::<u8>(), 0..300),
            key in any::<[u8; 4]>(),
        ) {
            let mut fast = data.clone();
            mask_blocks(&mut fast, key);
            let mut expected = data.clone();
            apply_mask_reference(&mut expected, key, 0);
            prop_assert_eq!(&fast, &expected);
            let mut out = alloc::vec![7u8];
            extend_masked_blocks(&mut out, &data, key);
            prop_assert_eq!(&out[1..], &expected[..]);
        }
    }

    #[test]
    fn empty_is_fine() {
        let mut data: Vec<u8> = Vec::new();
        apply_mask(&mut data, [1, 2, 3, 4], 3);
        assert!(data.is_empty());
    }
}
