//! Masking and unmasking of payload data (RFC 6455 §5.3).
//!
//! The XOR runs over 32-byte blocks of plain arrays, which the compiler turns into SIMD loads and
//! stores on every target that has them (SSE2, AVX2, NEON, …) and into word-at-a-time code on
//! the others: one portable path, no `unsafe`, no target-specific intrinsics.

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
        // Short payloads (most messages): no block set-up.
        for (i, b) in data.iter_mut().enumerate() {
            *b ^= key[i & 3];
        }
        return;
    }
    let mut wide = [0u8; BLOCK];
    for (i, b) in wide.iter_mut().enumerate() {
        *b = key[i % 4];
    }
    let (blocks, tail) = data.as_chunks_mut::<BLOCK>();
    for block in blocks {
        for (b, k) in block.iter_mut().zip(wide) {
            *b ^= k;
        }
    }
    for (b, k) in tail.iter_mut().zip(wide) {
        *b ^= k;
    }
}

/// Appends `payload` masked with `key` to `out` in one pass (load, XOR, store per block),
/// rather than copying and then masking the copy.
#[inline]
pub(crate) fn extend_masked(out: &mut alloc::vec::Vec<u8>, payload: &[u8], key: [u8; 4]) {
    out.reserve(payload.len());
    let mut wide = [0u8; BLOCK];
    for (i, b) in wide.iter_mut().enumerate() {
        *b = key[i % 4];
    }
    let (blocks, tail) = payload.as_chunks::<BLOCK>();
    for block in blocks {
        let mut masked = *block;
        for (b, k) in masked.iter_mut().zip(wide) {
            *b ^= k;
        }
        out.extend_from_slice(&masked);
    }
    // BLOCK is a multiple of 4, so the tail starts at mask offset 0.
    out.extend(tail.iter().zip(wide).map(|(b, k)| b ^ k));
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

    #[test]
    fn empty_is_fine() {
        let mut data: Vec<u8> = Vec::new();
        apply_mask(&mut data, [1, 2, 3, 4], 3);
        assert!(data.is_empty());
    }
}
