//! The dynamic table (RFC 7541 §2.3.2, §4).

use alloc::boxed::Box;
use alloc::collections::VecDeque;

use super::ENTRY_OVERHEAD;

/// One entry: name and value in one allocation, plus hashes the encoder looks up by.
#[derive(Debug)]
pub(crate) struct Entry {
    bytes: Box<[u8]>,
    name_len: usize,
    /// Hash of the name (0 where the owner does not look entries up).
    pub(crate) name_hash: u32,
    /// Hash of name and value (0 where unused).
    pub(crate) field_hash: u32,
    /// The encoder's hash chains: the id of the next older entry in the same name and field
    /// buckets.
    pub(crate) name_next: u64,
    pub(crate) field_next: u64,
}

/// What the encoder keeps per entry for its lookups; the decoder uses the default.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EntryMeta {
    pub(crate) name_hash: u32,
    pub(crate) field_hash: u32,
    pub(crate) name_next: u64,
    pub(crate) field_next: u64,
}

impl Entry {
    pub(crate) fn name(&self) -> &[u8] {
        self.bytes.get(..self.name_len).unwrap_or_default()
    }

    pub(crate) fn value(&self) -> &[u8] {
        self.bytes.get(self.name_len..).unwrap_or_default()
    }

    /// RFC 7541 §4.1: name + value + 32.
    pub(crate) fn size(&self) -> usize {
        self.bytes.len() + ENTRY_OVERHEAD
    }
}

/// The dynamic table: newest entry first, evicting the oldest to stay within `capacity`
/// (the maximum size in force, set by the last size update).
#[derive(Debug, Default)]
pub(crate) struct DynamicTable {
    entries: VecDeque<Entry>,
    size: usize,
    capacity: usize,
}

impl DynamicTable {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            size: 0,
            capacity,
        }
    }

    /// The sum of the entries' sizes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// The maximum size in force.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entry at 0-based `index` (0 is the newest; HPACK index 62).
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// RFC 7541 §4.3: a new maximum size evicts until the table fits.
    pub(crate) fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        self.evict_to(capacity);
    }

    fn evict_to(&mut self, limit: usize) {
        while self.size > limit {
            let Some(evicted) = self.entries.pop_back() else {
                self.size = 0;
                break;
            };
            self.size -= evicted.size();
        }
    }

    /// Removes every entry.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.size = 0;
    }

    /// Whether an entry of `size` would fit at all (RFC 7541 §4.4: a larger one empties the
    /// table and is not added).
    pub(crate) fn fits(&self, size: usize) -> bool {
        size <= self.capacity
    }

    /// RFC 7541 §4.4: evicts as needed, then adds `name: value` as the newest entry; an entry
    /// larger than the capacity empties the table. The caller copies `name` and `value` first
    /// if they may live in the table.
    pub(crate) fn insert(&mut self, bytes: Box<[u8]>, name_len: usize, meta: EntryMeta) {
        let size = bytes.len() + ENTRY_OVERHEAD;
        if size > self.capacity {
            self.clear();
            return;
        }
        self.evict_to(self.capacity - size);
        self.size += size;
        self.entries.push_front(Entry {
            bytes,
            name_len,
            name_hash: meta.name_hash,
            field_hash: meta.field_hash,
            name_next: meta.name_next,
            field_next: meta.field_next,
        });
    }
}

/// Name and value joined in one allocation, for [`DynamicTable::insert`].
pub(crate) fn join(name: &[u8], value: &[u8]) -> Box<[u8]> {
    let mut bytes = alloc::vec::Vec::with_capacity(name.len() + value.len());
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(value);
    bytes.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(table: &mut DynamicTable, name: &str, value: &str) {
        table.insert(
            join(name.as_bytes(), value.as_bytes()),
            name.len(),
            EntryMeta::default(),
        );
    }

    #[test]
    fn eviction_keeps_the_size_within_capacity() {
        let mut table = DynamicTable::new(100);
        add(&mut table, "a", "1"); // 34
        add(&mut table, "b", "2"); // 68
        add(&mut table, "c", "3"); // 102 > 100: "a" goes
        assert_eq!(table.len(), 2);
        assert_eq!(table.size(), 68);
        assert_eq!(table.get(0).unwrap().name(), b"c");
        assert_eq!(table.get(1).unwrap().value(), b"2");
        table.set_capacity(40);
        assert_eq!(table.len(), 1);
        add(&mut table, &"x".repeat(100), "");
        assert_eq!((table.len(), table.size()), (0, 0), "too large: empties");
        table.set_capacity(0);
        add(&mut table, "", "");
        assert_eq!(table.len(), 0);
    }

    /// §4.1 charges 32 bytes per entry; what an entry really costs (besides its bytes) must
    /// stay in that range, so a table full of tiny entries holds at most ~2.5x its size.
    #[test]
    fn entry_overhead_is_close_to_the_accounted_32_bytes() {
        assert!(core::mem::size_of::<Entry>() <= 48);
    }
}
