//! The decoder's dynamic table (RFC 9204 §3.2) with absolute indexing (§3.2.4).

use super::{Reason, entry_size};
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Bytes charged per entry on top of name and value (RFC 9204 §3.2.1).
pub const ENTRY_OVERHEAD: u64 = 32;

/// A dynamic table entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: Vec<u8>,
    pub(crate) value: Vec<u8>,
}

impl Entry {
    pub(crate) fn size(&self) -> u64 {
        entry_size(self.name.len(), self.value.len())
    }
}

/// The dynamic table as the decoder sees it: entries in insertion order, addressed by absolute
/// index (0 for the first entry ever inserted, RFC 9204 §3.2.4), evicted oldest first.
#[derive(Clone, Debug, Default)]
pub struct DynamicTable {
    /// Oldest first.
    entries: VecDeque<Entry>,
    /// Absolute index of `entries[0]`: how many entries have been evicted.
    evicted: u64,
    /// Sum of entry sizes (RFC 9204 §3.2.1).
    size: u64,
    /// Current capacity (RFC 9204 §3.2.3).
    capacity: u64,
    /// SETTINGS_QPACK_MAX_TABLE_CAPACITY this side announced.
    max_capacity: u64,
}

impl DynamicTable {
    /// An empty table of capacity 0 that may grow to `max_capacity`.
    pub fn new(max_capacity: u64) -> Self {
        Self {
            max_capacity,
            ..Self::default()
        }
    }

    /// The total number of insertions so far (the Insert Count, RFC 9204 §2.1.4).
    pub fn insert_count(&self) -> u64 {
        self.evicted + self.entries.len() as u64
    }

    /// The current size in bytes (RFC 9204 §3.2.1).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The current capacity (RFC 9204 §3.2.3).
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// The maximum capacity: SETTINGS_QPACK_MAX_TABLE_CAPACITY.
    pub fn max_capacity(&self) -> u64 {
        self.max_capacity
    }

    /// MaxEntries = floor(MaxTableCapacity / 32) (RFC 9204 §4.5.1.1).
    pub fn max_entries(&self) -> u64 {
        self.max_capacity / ENTRY_OVERHEAD
    }

    /// Number of entries in the table.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at absolute index `index` as (name, value).
    pub fn get(&self, index: u64) -> Result<(&[u8], &[u8]), Reason> {
        self.entry(index).map(|e| (&e.name[..], &e.value[..]))
    }

    pub(crate) fn entry(&self, index: u64) -> Result<&Entry, Reason> {
        if index >= self.insert_count() {
            return Err(Reason::ReferenceBeyondInsertCount);
        }
        let Some(offset) = index.checked_sub(self.evicted) else {
            return Err(Reason::ReferenceEvicted);
        };
        usize::try_from(offset)
            .ok()
            .and_then(|o| self.entries.get(o))
            .ok_or(Reason::ReferenceBeyondInsertCount)
    }

    /// The absolute index of an encoder-stream relative index (RFC 9204 §3.2.5):
    /// Insert Count - 1 - relative.
    pub fn relative_to_absolute(&self, relative: u64) -> Result<u64, Reason> {
        self.insert_count()
            .checked_sub(1)
            .and_then(|last| last.checked_sub(relative))
            .ok_or(Reason::ReferenceBeyondInsertCount)
    }

    /// Set Dynamic Table Capacity (RFC 9204 §3.2.3, §4.3.1): evicts until the table fits.
    pub fn set_capacity(&mut self, capacity: u64) -> Result<(), Reason> {
        if capacity > self.max_capacity {
            return Err(Reason::CapacityTooLarge);
        }
        self.capacity = capacity;
        self.evict_to(capacity);
        Ok(())
    }

    /// Inserts an entry (RFC 9204 §3.2.2), evicting the oldest entries to make room.
    pub fn insert(&mut self, name: Vec<u8>, value: Vec<u8>) -> Result<(), Reason> {
        let entry = Entry { name, value };
        let size = entry.size();
        if size > self.capacity {
            return Err(Reason::EntryTooLarge);
        }
        self.evict_to(self.capacity - size);
        self.size += size;
        self.entries.push_back(entry);
        Ok(())
    }

    /// Evicts oldest entries until the size is at most `target`.
    fn evict_to(&mut self, target: u64) {
        while self.size > target {
            let Some(oldest) = self.entries.pop_front() else {
                break;
            };
            self.size -= oldest.size();
            self.evicted += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn insert_evicts_oldest_and_indexes_absolutely() {
        let mut t = DynamicTable::new(100);
        assert_eq!(t.insert(vec![b'a'], vec![b'b']), Err(Reason::EntryTooLarge));
        t.set_capacity(70).unwrap();
        t.insert(b"n1".to_vec(), b"v1".to_vec()).unwrap(); // 36
        t.insert(b"n2".to_vec(), b"v2".to_vec()).unwrap(); // evicts n1
        assert_eq!(t.insert_count(), 2);
        assert_eq!(t.len(), 1);
        assert_eq!(t.get(0), Err(Reason::ReferenceEvicted));
        assert_eq!(t.get(1), Ok((&b"n2"[..], &b"v2"[..])));
        assert_eq!(t.get(2), Err(Reason::ReferenceBeyondInsertCount));
        assert_eq!(t.relative_to_absolute(0), Ok(1));
        assert_eq!(
            t.relative_to_absolute(2),
            Err(Reason::ReferenceBeyondInsertCount)
        );
        assert_eq!(t.set_capacity(101), Err(Reason::CapacityTooLarge));
        t.set_capacity(0).unwrap();
        assert!(t.is_empty());
        assert_eq!(t.size(), 0);
    }

    #[test]
    fn capacity_that_holds_no_entry() {
        // MaxEntries = 0: every insert is too large, every RIC must be 0.
        let mut t = DynamicTable::new(31);
        assert_eq!(t.max_entries(), 0);
        t.set_capacity(31).unwrap();
        assert_eq!(t.insert(vec![], vec![]), Err(Reason::EntryTooLarge));
    }
}
