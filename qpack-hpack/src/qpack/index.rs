//! A map from 64-bit hashes to absolute indices, for the encoder's table lookups: open
//! addressing with linear probing and backward-shift deletion, grown as entries are added, so
//! a lookup costs a probe or two instead of a scan of the table.

use alloc::vec;
use alloc::vec::Vec;

/// Marks an empty slot (no absolute index gets that large: it would take 2^64 inserts).
const EMPTY: u64 = u64::MAX;

/// Hash → absolute index of the newest entry with that hash. Collisions of different keys on
/// one hash are the caller's to resolve (by comparing the entry's bytes).
#[derive(Clone, Debug, Default)]
pub(super) struct HashIndex {
    /// (key, absolute index); `EMPTY` index = free slot. The length is 0 or a power of two.
    slots: Vec<(u64, u64)>,
    len: usize,
}

impl HashIndex {
    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    fn home(&self, key: u64) -> usize {
        // The keys are already well mixed.
        (key as usize) & self.mask()
    }

    /// The absolute index stored for `key`.
    pub(super) fn get(&self, key: u64) -> Option<u64> {
        let mask = self.mask();
        let mut i = self.home(key);
        for _ in 0..self.slots.len() {
            let &(k, abs) = self.slots.get(i)?;
            if abs == EMPTY {
                return None;
            }
            if k == key {
                return Some(abs);
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Stores `abs` for `key`, replacing what was there.
    pub(super) fn insert(&mut self, key: u64, abs: u64) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.mask();
        let mut i = self.home(key);
        for _ in 0..self.slots.len() {
            let Some(slot) = self.slots.get_mut(i) else {
                return;
            };
            if slot.1 == EMPTY {
                *slot = (key, abs);
                self.len += 1;
                return;
            }
            if slot.0 == key {
                slot.1 = abs;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Removes `key` if it still maps to `abs` (a newer entry may have taken it over).
    pub(super) fn remove(&mut self, key: u64, abs: u64) {
        let mask = self.mask();
        let mut i = self.home(key);
        let mut found = None;
        for _ in 0..self.slots.len() {
            let Some(&(k, v)) = self.slots.get(i) else {
                return;
            };
            if v == EMPTY {
                return;
            }
            if k == key {
                if v == abs {
                    found = Some(i);
                }
                break;
            }
            i = (i + 1) & mask;
        }
        let Some(mut hole) = found else {
            return;
        };
        // Backward shift: move later slots of the probe run into the hole when their home
        // allows, so that lookups never stop early at it.
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let Some(&(k, v)) = self.slots.get(j) else {
                break;
            };
            if v == EMPTY {
                break;
            }
            let home = self.home(k);
            // Whether `home` lies cyclically in (hole, j]: then the entry stays.
            let stays = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !stays {
                if let Some(slot) = self.slots.get_mut(hole) {
                    *slot = (k, v);
                }
                hole = j;
            }
        }
        if let Some(slot) = self.slots.get_mut(hole) {
            *slot = (0, EMPTY);
        }
        self.len -= 1;
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = core::mem::replace(&mut self.slots, vec![(0, EMPTY); size]);
        self.len = 0;
        for (key, abs) in old {
            if abs != EMPTY {
                self.insert(key, abs);
            }
        }
    }
}

/// Whether `a` and `b` are equal. Names and values are mostly short: up to 16 bytes are
/// compared as two overlapping words (four bytes or single bytes below 8) instead of by a call
/// to `memcmp`; longer ones screen their first word before it.
#[inline]
pub(super) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |w: &[u8; 8]| u64::from_ne_bytes(*w);
    let half = |w: &[u8; 4]| u32::from_ne_bytes(*w);
    if let (Some(a_head), Some(b_head), Some(a_tail), Some(b_tail)) = (
        a.first_chunk::<8>(),
        b.first_chunk::<8>(),
        a.last_chunk::<8>(),
        b.last_chunk::<8>(),
    ) {
        if word(a_head) != word(b_head) {
            return false;
        }
        return if a.len() <= 16 {
            word(a_tail) == word(b_tail)
        } else {
            a == b
        };
    }
    if let (Some(a_head), Some(b_head), Some(a_tail), Some(b_tail)) = (
        a.first_chunk::<4>(),
        b.first_chunk::<4>(),
        a.last_chunk::<4>(),
        b.last_chunk::<4>(),
    ) {
        return half(a_head) == half(b_head) && half(a_tail) == half(b_tail);
    }
    // Three bytes at most: the first, middle and last are all of them.
    let mid = a.len() / 2;
    a.first() == b.first() && a.get(mid) == b.get(mid) && a.last() == b.last()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        /// `same_bytes` is `==`, for every length around its word sizes, on equal slices and
        /// on slices that differ in one byte anywhere.
        #[test]
        fn same_bytes_is_equality(a in proptest::collection::vec(0u8..4, 0..40), flip: usize, other: Vec<u8>) {
            prop_assert!(same_bytes(&a, &a.clone()));
            let mut b = a.clone();
            if !b.is_empty() {
                let i = flip % b.len();
                b[i] ^= 1;
                prop_assert!(!same_bytes(&a, &b));
            }
            prop_assert_eq!(same_bytes(&a, &other), a == other);
        }
    }

    proptest! {
        /// Behaves as a map under any mix of inserts and removals, including keys that share
        /// their home slot (small key space) and probe runs that wrap around.
        #[test]
        fn behaves_as_a_map(ops in proptest::collection::vec((0u8..3, 0u64..40, 0u64..5), 0..400)) {
            let mut index = HashIndex::default();
            let mut model = BTreeMap::new();
            for (op, key, abs) in ops {
                // Spread some keys far apart, keep others in one home slot.
                let key = if key % 2 == 0 { key << 40 } else { key };
                match op {
                    0 | 1 => {
                        index.insert(key, abs);
                        model.insert(key, abs);
                    }
                    _ => {
                        index.remove(key, abs);
                        if model.get(&key) == Some(&abs) {
                            model.remove(&key);
                        }
                    }
                }
                for k in 0..40u64 {
                    let k = if k % 2 == 0 { k << 40 } else { k };
                    prop_assert_eq!(index.get(k), model.get(&k).copied());
                }
            }
        }
    }
}
