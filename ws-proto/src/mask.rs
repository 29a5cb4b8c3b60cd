//! Masking and unmasking of payload data (RFC 6455 §5.3).
//!
//! The XOR runs over 64- and 256-byte blocks of plain arrays, which the compiler turns into SIMD
//! loads and stores on every target that has them (SSE2, NEON, …) and into word-at-a-time code
//! on the others; short payloads go eight bytes at a time (whole-word stores, no byte loops).
//! Block loops start on a 64-byte boundary of the written memory, so no vector store straddles
//! two cache lines. One portable path, no intrinsics. With `std` on x86-64 the same safe loops
//! are also compiled for AVX2 and picked at run time (module `avx2`: the only `unsafe` here is
//! calling them after the CPU check).

/// Block size of the fast loop: two AVX2 or four SSE2/NEON registers, one cache line.
const BLOCK: usize = 64;

/// Four blocks: the step of the main loops (one append per run in `extend_masked_blocks`).
const RUN: usize = 4 * BLOCK;

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
    // Start the blocks on a 64-byte boundary, so no vector access straddles two cache lines.
    let misaligned = (data.as_ptr() as usize).wrapping_neg() % BLOCK;
    let (head, data) = data.split_at_mut(misaligned.min(data.len()));
    mask_words(head, key);
    let key = rotate(key, head.len());
    let wide4: [u8; RUN] = wide_key(key);
    let (runs, rest) = data.as_chunks_mut::<RUN>();
    for run in runs {
        for (b, k) in run.iter_mut().zip(wide4) {
            *b ^= k;
        }
    }
    let wide: [u8; BLOCK] = wide_key(key);
    let (blocks, tail) = rest.as_chunks_mut::<BLOCK>();
    for block in blocks {
        for (b, k) in block.iter_mut().zip(wide) {
            *b ^= k;
        }
    }
    // BLOCK is a multiple of 4, so the tail starts at mask offset 0.
    mask_words(tail, key);
}

/// The portable loop of [`extend_masked`] for payloads of a block or more: load, XOR and store
/// in one pass, a run (256 bytes) per append. Each append reloads and stores the vector's
/// length (the byte stores might alias it), so appending a block at a time made that
/// store-to-load chain the bottleneck; a bulk copy then an in-place XOR is two passes.
#[inline(always)]
fn extend_masked_blocks(out: &mut alloc::vec::Vec<u8>, payload: &[u8], key: [u8; 4]) {
    // Room for all of it (and the word stores' overshoot): the vector does not move below.
    out.reserve(payload.len() + 8);
    // Bring the destination to a 64-byte boundary first (a frame header of 2 to 14 bytes
    // leaves it anywhere), so no vector store straddles two cache lines.
    let end = (out.as_ptr() as usize).wrapping_add(out.len());
    let (head, payload) = payload.split_at((end.wrapping_neg() % BLOCK).min(payload.len()));
    extend_masked_words(out, head, key);
    let key = rotate(key, head.len());
    let wide4: [u8; RUN] = wide_key(key);
    let (runs, rest) = payload.as_chunks::<RUN>();
    for run in runs {
        let mut masked = *run;
        for (b, k) in masked.iter_mut().zip(wide4) {
            *b ^= k;
        }
        out.extend_from_slice(&masked);
    }
    let wide: [u8; BLOCK] = wide_key(key);
    let (blocks, tail) = rest.as_chunks::<BLOCK>();
    for block in blocks {
        let mut masked = *block;
        for (b, k) in masked.iter_mut().zip(wide) {
            *b ^= k;
        }
        out.extend_from_slice(&masked);
    }
    // BLOCK is a multiple of 4, so the tail starts at mask offset 0.
    extend_masked_words(out, tail, key);
}

/// The key repeated over `N` bytes (a multiple of 4).
#[inline(always)]
fn wide_key<const N: usize>(key: [u8; 4]) -> [u8; N] {
    let mut wide = [0u8; N];
    // Whole keys (one broadcast store each), not a byte loop: this runs on every call.
    for quad in wide.as_chunks_mut::<4>().0 {
        *quad = key;
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
    let wide = wide_word(key);
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
#[inline(always)]
pub(crate) fn extend_masked(out: &mut alloc::vec::Vec<u8>, payload: &[u8], key: [u8; 4]) {
    if payload.len() < BLOCK {
        // Short payloads, most messages: a few word stores, inline at the caller.
        extend_masked_words(out, payload, key);
    } else {
        extend_masked_long(out, payload, key);
    }
}

/// [`extend_masked`] for a block or more: the block loop, compiled for AVX2 where the CPU has
/// it.
#[inline(never)]
fn extend_masked_long(out: &mut alloc::vec::Vec<u8>, payload: &[u8], key: [u8; 4]) {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if avx2::extend_masked_blocks(out, payload, key) {
        return;
    }
    extend_masked_blocks(out, payload, key);
}

/// Appends a frame with a payload of at most 125 bytes: `head` (the first `head_len` of its
/// eight bytes are the header), then `payload` masked with `key` if there is one. Everything is
/// written as whole 8-byte words (the vector is truncated back after each overshoot), so a
/// short frame costs a handful of stores and no copy loop.
#[inline]
pub(crate) fn push_short_frame(
    out: &mut alloc::vec::Vec<u8>,
    head: [u8; 8],
    head_len: usize,
    payload: &[u8],
    key: Option<[u8; 4]>,
) {
    // Room for the frame plus the overshoot of the word stores.
    out.reserve(head.len() + payload.len() + 8);
    let start = out.len();
    out.extend_from_slice(&head);
    out.truncate(start + head_len);
    extend_masked_words(out, payload, key.unwrap_or_default());
}

/// Appends a short `payload` masked with `key` (all zero: copied as is) in 8-byte word stores:
/// whole words, then the last eight bytes stored over the end (rewriting a few identical bytes)
/// or, under eight bytes in all, one padded word cut back. No byte loop, no `memcpy` call.
#[inline(always)]
fn extend_masked_words(out: &mut alloc::vec::Vec<u8>, payload: &[u8], key: [u8; 4]) {
    out.reserve(payload.len() + 8);
    let end = out.len() + payload.len();
    let wide = wide_word(key);
    let (words, tail) = payload.as_chunks::<8>();
    for word in words {
        out.extend_from_slice(&(u64::from_ne_bytes(*word) ^ wide).to_ne_bytes());
    }
    if tail.is_empty() {
        return;
    }
    if let Some(last) = payload.last_chunk::<8>() {
        // The last eight bytes start a multiple of four before the length: the key rotated
        // by the length lines up with them.
        let wide = wide_word(rotate(key, payload.len()));
        out.truncate(end - 8);
        out.extend_from_slice(&(u64::from_ne_bytes(*last) ^ wide).to_ne_bytes());
    } else {
        let mut word = [0u8; 8];
        for (dst, src) in word.iter_mut().zip(tail) {
            *dst = *src;
        }
        out.extend_from_slice(&(u64::from_ne_bytes(word) ^ wide).to_ne_bytes());
        out.truncate(end);
    }
}

/// The key repeated over eight bytes: `[a, b, c, d, a, b, c, d]` in memory on either
/// endianness, since both halves are the same (one multiply, not eight byte moves).
#[inline(always)]
fn wide_word(key: [u8; 4]) -> u64 {
    u64::from(u32::from_ne_bytes(key)) * 0x1_0000_0001
}

/// The key as seen from `offset` bytes into the payload.
#[inline]
fn rotate(key: [u8; 4], offset: usize) -> [u8; 4] {
    // Byte `offset & 3` of the key moves to the front: a shift towards lower addresses.
    let shift = 8 * (offset as u32 & 3);
    let word = u32::from_ne_bytes(key);
    let rotated = if cfg!(target_endian = "little") {
        word.rotate_right(shift)
    } else {
        word.rotate_left(shift)
    };
    rotated.to_ne_bytes()
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

    proptest! {
        /// Every short frame (0–125 payload bytes), masked or not, after any prefix: the word
        /// stores and truncations leave exactly the header and the masked payload.
        #[test]
        fn short_frames_match_the_definition(
            len in 0usize..=125,
            key in any::<Option<[u8; 4]>>(),
            prefix in proptest::collection::vec(any::<u8>(), 0..9),
            seed in any::<u8>(),
        ) {
            let payload: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect();
            let header = crate::FrameHeader {
                mask: key,
                ..crate::FrameHeader::new(crate::OpCode::Binary, len as u64)
            };
            let mut expected = prefix.clone();
            header.encode(&mut expected).unwrap();
            let mut body = payload.clone();
            if let Some(key) = key {
                apply_mask_reference(&mut body, key, 0);
            }
            expected.extend_from_slice(&body);
            let mut head = [0u8; 8];
            let mut full = [0u8; crate::frame::MAX_HEADER_LEN];
            let head_len = header.write(&mut full);
            head[..head_len].copy_from_slice(&full[..head_len]);
            let mut out = prefix.clone();
            push_short_frame(&mut out, head, head_len, &payload, key);
            prop_assert_eq!(out, expected);
        }
    }

    #[test]
    fn rotate_moves_the_offset_byte_to_the_front() {
        let key = [1, 2, 3, 4];
        assert_eq!(rotate(key, 0), [1, 2, 3, 4]);
        assert_eq!(rotate(key, 1), [2, 3, 4, 1]);
        assert_eq!(rotate(key, 6), [3, 4, 1, 2]);
        assert_eq!(rotate(key, 7), [4, 1, 2, 3]);
        assert_eq!(wide_word(key).to_ne_bytes(), [1, 2, 3, 4, 1, 2, 3, 4]);
    }

    #[test]
    fn empty_is_fine() {
        let mut data: Vec<u8> = Vec::new();
        apply_mask(&mut data, [1, 2, 3, 4], 3);
        assert!(data.is_empty());
    }
}
