//! The QPACK encoder (RFC 9204 §2.1): field sections out, encoder stream out, the peer's
//! decoder stream in.
//!
//! Strategy, per section: first every field with a static exact match, or a dynamic exact match
//! the peer can use without blocking more streams than it allows (copied with Duplicate first
//! when it is about to be evicted, §2.1.1.1), so those entries are pinned before anything is
//! evicted; then, for each other field worth indexing, an insert, referenced at once when the
//! section may block and used by later sections once acknowledged when it may not; else a
//! literal with the best name reference. A field is worth indexing when it was seen recently,
//! or its name is new or has mostly repeated its values (large fields need a real repeat, or a
//! name whose values nearly always repeat). Entries are evicted only once acknowledged and no
//! longer referenced by an unacknowledged section (§2.1.1). Sensitive fields never enter the
//! table and go out with the `N` bit. Each section's Base is the one that makes its dynamic
//! references shortest (relative or post-base, §4.5.1.2).

use super::instruction::{
    DecoderInstruction, StreamBuffer, write_duplicate, write_insert_with_literal_name,
    write_insert_with_name_ref, write_set_capacity,
};
use super::section::{SectionPrefix, write};
use super::static_table::{self, Match};
use super::table::ENTRY_OVERHEAD;
use super::{Error, Field, Reason, entry_size};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

/// What the peer's decoder allows, and how much of it we use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncoderSettings {
    /// The peer's SETTINGS_QPACK_MAX_TABLE_CAPACITY (RFC 9204 §5).
    pub max_table_capacity: u64,
    /// The peer's SETTINGS_QPACK_BLOCKED_STREAMS (RFC 9204 §5).
    pub max_blocked_streams: u64,
    /// The capacity we set (clamped to `max_table_capacity`); 0 never uses the dynamic table.
    pub table_capacity: u64,
}

impl EncoderSettings {
    /// Uses all of what the peer allows.
    pub fn new(max_table_capacity: u64, max_blocked_streams: u64) -> Self {
        Self {
            max_table_capacity,
            max_blocked_streams,
            table_capacity: max_table_capacity,
        }
    }
}

/// An entry of the encoder's view of the dynamic table.
#[derive(Clone, Debug)]
struct Entry {
    name: Vec<u8>,
    value: Vec<u8>,
    name_hash: u64,
    /// References from sections not yet acknowledged (RFC 9204 §2.1.1).
    refs: u32,
}

impl Entry {
    fn size(&self) -> u64 {
        entry_size(self.name.len(), self.value.len())
    }
}

/// A section sent with a non-zero Required Insert Count, until acknowledged or cancelled.
#[derive(Clone, Debug)]
struct Outstanding {
    required_insert_count: u64,
    /// Absolute indices referenced (with repeats).
    refs: Vec<u64>,
}

/// One field line chosen for the section, serialized once the Base is known.
#[derive(Clone, Copy, Debug)]
enum Line<'a> {
    Static(u64),
    Dynamic(u64),
    StaticName(u64, &'a [u8], bool),
    DynamicName(u64, &'a [u8], bool),
    Literal(&'a [u8], &'a [u8], bool),
}

/// Fields remembered to decide what is worth inserting: a field is indexed the second time it
/// is seen, so values that never repeat do not push useful entries out.
const HISTORY: usize = 32;
/// Large fields remembered (see `Encoder::large_history`).
const LARGE_HISTORY: usize = 12;

/// How a name's values have behaved so far.
#[derive(Clone, Copy, Debug, Default)]
struct NameStats {
    seen: u32,
    repeats: u32,
}

/// Names remembered; beyond this the statistics start over (a peer-independent bound).
const MAX_NAMES: usize = 1024;

/// The QPACK encoder (RFC 9204 §2.1).
///
/// Inputs: [`encode`](Self::encode) for each field section, and
/// [`handle_decoder_stream`](Self::handle_decoder_stream) with the peer's decoder stream bytes
/// in any chunking. Output: [`poll_encoder_stream`](Self::poll_encoder_stream), the bytes to
/// send on our encoder stream, which must be sent before (or with) the sections that use them.
#[derive(Debug)]
pub struct Encoder {
    settings: EncoderSettings,
    entries: VecDeque<Entry>,
    /// The entries' name hashes, in the same order: a compact array to scan on lookups.
    name_hashes: VecDeque<u64>,
    /// Absolute index of `entries[0]`.
    evicted: u64,
    size: u64,
    capacity: u64,
    known_received_count: u64,
    outstanding: BTreeMap<u64, VecDeque<Outstanding>>,
    /// Streams in `outstanding` that may block the peer, kept current by `encode` and
    /// recounted when acknowledgments arrive.
    blocking_streams: usize,
    pending: Vec<u8>,
    decoder_stream: StreamBuffer,
    /// Hashes of recently seen fields (ring buffer).
    history: [u64; HISTORY],
    history_next: usize,
    /// The same for large fields, which are rarer, so that their repeats are seen from
    /// further apart.
    large_history: [u64; LARGE_HISTORY],
    large_history_next: usize,
    /// Per name (by hash): how often it was seen and how often its value was a repeat.
    names: BTreeMap<u64, NameStats>,
    error: Option<Error>,
}

/// A fast non-cryptographic hash of `bytes`, continued from `hash`, eight bytes per step
/// (only for table lookups; collisions are resolved by comparing the bytes).
fn mix(mut hash: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    let mut last = [0u8; 8];
    let rest = chunks.remainder();
    if let Some(dst) = last.get_mut(..rest.len()) {
        dst.copy_from_slice(rest);
    }
    hash = (hash ^ u64::from_le_bytes(last) ^ bytes.len() as u64).wrapping_mul(K);
    hash ^ hash >> 32
}

fn name_hash(name: &[u8]) -> u64 {
    mix(0x243f_6a88_85a3_08d3, name)
}

/// A hash of the field for the history of seen fields: the name's hash, the value's length
/// and up to 16 bytes from each end of the value. A collision only makes a field look
/// repeated, which costs compression, never correctness.
fn field_hash(name_hash: u64, value: &[u8]) -> u64 {
    let head = value.get(..16).unwrap_or(value);
    let tail = value.get(value.len().saturating_sub(16)..).unwrap_or(value);
    mix(mix(name_hash ^ value.len() as u64, head), tail)
}

/// Sections longer than this skip the Base search (`best_base`).
const MAX_BASE_SEARCH_LINES: usize = 128;

/// Bytes of a prefix integer (RFC 7541 §5.1) of `value` with an `n`-bit prefix.
fn int_len(value: u64, n: u32) -> u64 {
    let max = (1u64 << n) - 1;
    if value < max {
        return 1;
    }
    let mut rest = value - max;
    let mut len = 2;
    while rest >= 128 {
        rest >>= 7;
        len += 1;
    }
    len
}

/// The bytes that depend on the Base: the prefix's Delta Base and the dynamic references.
fn base_cost(lines: &[Line<'_>], ric: u64, base: u64) -> u64 {
    let delta = if base >= ric {
        int_len(base - ric, 7)
    } else {
        int_len(ric - base - 1, 7)
    };
    lines.iter().fold(delta, |cost, line| {
        cost + match *line {
            Line::Dynamic(abs) if abs < base => int_len(base - 1 - abs, 6),
            Line::Dynamic(abs) => int_len(abs - base, 4),
            Line::DynamicName(abs, ..) if abs < base => int_len(base - 1 - abs, 4),
            Line::DynamicName(abs, ..) => int_len(abs - base, 3),
            _ => 0,
        }
    })
}

/// The Base that makes the section shortest (RFC 9204 §4.5.1.2): references below it use
/// relative indices, the others post-base indices, each with its own prefix width, so a
/// Base among the referenced entries can shorten references to old and new entries alike.
/// The search is quadratic in the section's lines, so long sections simply use Base = RIC.
fn best_base(lines: &[Line<'_>], ric: u64) -> u64 {
    if ric == 0 || lines.len() > MAX_BASE_SEARCH_LINES {
        return ric;
    }
    let mut best = (base_cost(lines, ric, ric), ric);
    for line in lines {
        if let Line::Dynamic(abs) | Line::DynamicName(abs, ..) = *line {
            for base in [abs, abs + 1] {
                // Strictly shorter only: on a tie Base stays at the Required Insert Count.
                let cost = base_cost(lines, ric, base);
                if cost < best.0 {
                    best = (cost, base);
                }
            }
        }
    }
    best.1
}

impl Encoder {
    /// An encoder for a peer with `settings`; it queues Set Dynamic Table Capacity when it will
    /// use the dynamic table.
    pub fn new(settings: EncoderSettings) -> Self {
        let capacity = settings.table_capacity.min(settings.max_table_capacity);
        let mut pending = Vec::new();
        if capacity > 0 {
            write_set_capacity(&mut pending, capacity);
        }
        Self {
            settings,
            entries: VecDeque::new(),
            name_hashes: VecDeque::new(),
            evicted: 0,
            size: 0,
            capacity,
            known_received_count: 0,
            outstanding: BTreeMap::new(),
            blocking_streams: 0,
            pending,
            decoder_stream: StreamBuffer::default(),
            history: [0; HISTORY],
            history_next: 0,
            large_history: [0; LARGE_HISTORY],
            large_history_next: 0,
            names: BTreeMap::new(),
            error: None,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &EncoderSettings {
        &self.settings
    }

    /// Total inserts so far.
    pub fn insert_count(&self) -> u64 {
        self.evicted + self.entries.len() as u64
    }

    /// The Known Received Count (RFC 9204 §2.1.4).
    pub fn known_received_count(&self) -> u64 {
        self.known_received_count
    }

    /// Number of streams whose unacknowledged sections may block the peer (RFC 9204 §2.1.2).
    pub fn blocked_streams(&self) -> usize {
        self.blocking_streams
    }

    fn recount_blocking_streams(&mut self) {
        self.blocking_streams = self
            .outstanding
            .values()
            .filter(|sections| self.is_blocking(sections))
            .count();
    }

    fn is_blocking(&self, sections: &VecDeque<Outstanding>) -> bool {
        sections
            .iter()
            .any(|s| s.required_insert_count > self.known_received_count)
    }

    /// Appends the encoder-stream bytes to send; returns how many.
    pub fn poll_encoder_stream(&mut self, out: &mut Vec<u8>) -> usize {
        let n = self.pending.len();
        out.append(&mut self.pending);
        n
    }

    /// Consumes bytes of the peer's decoder stream (RFC 9204 §4.4), in any chunking.
    pub fn handle_decoder_stream(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut buffer = core::mem::take(&mut self.decoder_stream);
        // A decoder instruction is one prefix integer: at most 10 bytes.
        let result = buffer.feed(
            bytes,
            crate::prefix_int::MAX_LEN,
            DecoderInstruction::decode,
            |instruction| self.apply(instruction),
            Error::DecoderStream,
        );
        self.decoder_stream = buffer;
        if let Err(e) = result {
            self.error = Some(e);
        }
        self.recount_blocking_streams();
        result
    }

    fn apply(&mut self, instruction: DecoderInstruction) -> Result<(), Error> {
        let failed = Error::DecoderStream;
        match instruction {
            DecoderInstruction::SectionAcknowledgment(stream_id) => {
                let section = self
                    .outstanding
                    .get_mut(&stream_id)
                    .and_then(VecDeque::pop_front)
                    .ok_or(failed(Reason::UnexpectedAcknowledgment))?;
                if self
                    .outstanding
                    .get(&stream_id)
                    .is_some_and(VecDeque::is_empty)
                {
                    self.outstanding.remove(&stream_id);
                }
                self.release(&section.refs);
                self.known_received_count =
                    self.known_received_count.max(section.required_insert_count);
            }
            DecoderInstruction::StreamCancellation(stream_id) => {
                if let Some(sections) = self.outstanding.remove(&stream_id) {
                    for section in sections {
                        self.release(&section.refs);
                    }
                }
            }
            DecoderInstruction::InsertCountIncrement(increment) => {
                let known = self
                    .known_received_count
                    .checked_add(increment)
                    .filter(|&k| increment > 0 && k <= self.insert_count())
                    .ok_or(failed(Reason::InvalidIncrement))?;
                self.known_received_count = known;
            }
        }
        Ok(())
    }

    fn release(&mut self, refs: &[u64]) {
        for &abs in refs {
            if let Some(entry) = self.entry_mut(abs) {
                entry.refs = entry.refs.saturating_sub(1);
            }
        }
    }

    fn entry_mut(&mut self, abs: u64) -> Option<&mut Entry> {
        let offset = usize::try_from(abs.checked_sub(self.evicted)?).ok()?;
        self.entries.get_mut(offset)
    }

    /// The newest entry matching the field exactly, and the newest with the same name.
    fn find(&self, name_hash: u64, name: &[u8], value: &[u8]) -> (Option<u64>, Option<u64>) {
        let mut name_match = None;
        for (offset, _) in self
            .name_hashes
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, h)| **h == name_hash)
        {
            let Some(entry) = self.entries.get(offset) else {
                continue;
            };
            if entry.name != name {
                continue;
            }
            let abs = self.evicted + offset as u64;
            if entry.value == value {
                return (Some(abs), name_match.or(Some(abs)));
            }
            if name_match.is_none() {
                name_match = Some(abs);
            }
        }
        (None, name_match)
    }

    /// Whether the entry is close to eviction: referencing it would pin it and block inserts,
    /// so a copy is made instead (RFC 9204 §2.1.1.1).
    fn is_draining(&self, abs: u64) -> bool {
        // Nothing is near eviction while the table has room: copies made then only churn it
        // (13/16 tuned on the qifs inputs, like the window below).
        if self.size < self.capacity * 13 / 16 {
            return false;
        }
        let mut before = 0u64;
        for (offset, entry) in self.entries.iter().enumerate() {
            if self.evicted + offset as u64 == abs {
                // Within 3/16 of the capacity of the oldest entry, counted from where a copy
                // could be made room for (evicting its own size of older entries). Tuned on
                // the qifs inputs: earlier copies churn the table, later ones come too late.
                return before < self.capacity * 3 / 16 + entry.size();
            }
            before += entry.size();
        }
        false
    }

    /// Evicts what is needed for an entry of `size`, if only evictable entries (acknowledged,
    /// unreferenced) need to go; otherwise evicts nothing and returns false.
    fn make_room(&mut self, size: u64) -> bool {
        if size > self.capacity {
            return false;
        }
        let mut freed = 0u64;
        let mut count = 0usize;
        for (offset, entry) in self.entries.iter().enumerate() {
            if self.size - freed + size <= self.capacity {
                break;
            }
            let abs = self.evicted + offset as u64;
            if abs >= self.known_received_count || entry.refs > 0 {
                return false;
            }
            freed += entry.size();
            count += 1;
        }
        if self.size - freed + size > self.capacity {
            return false;
        }
        for _ in 0..count {
            self.name_hashes.pop_front();
            if let Some(entry) = self.entries.pop_front() {
                self.size -= entry.size();
                self.evicted += 1;
            }
        }
        true
    }

    fn push_entry(&mut self, name: &[u8], value: &[u8], name_hash: u64) -> u64 {
        let entry = Entry {
            name: name.to_vec(),
            value: value.to_vec(),
            name_hash,
            refs: 0,
        };
        self.size += entry.size();
        self.name_hashes.push_back(name_hash);
        self.entries.push_back(entry);
        self.insert_count() - 1
    }

    /// Whether a field absent from the table is worth inserting: it was seen recently, or its
    /// name is new or has mostly had repeated values (so `:path`-like names, whose values
    /// rarely repeat, do not push useful entries out).
    fn worth_indexing(
        &mut self,
        name_hash: u64,
        value: &[u8],
        large: bool,
        needs_name: bool,
    ) -> bool {
        let repeat = self.seen_before(field_hash(name_hash, value), large);
        if self.names.len() >= MAX_NAMES && !self.names.contains_key(&name_hash) {
            self.names.clear();
        }
        let stats = self.names.entry(name_hash).or_default();
        // Values Huffman cannot shrink are mostly tokens and hashes, which rarely repeat.
        let random =
            || value.len() >= 16 && crate::huffman::encoded_len(value) * 10 >= value.len() * 9;
        let predicted = (stats.seen == 0 && !random())
            || stats.repeats.saturating_mul(4) >= stats.seen.saturating_mul(3);
        // A name whose values nearly always repeat (a policy header, say) earns even a large
        // entry at first sight.
        let certain =
            stats.seen >= 4 && stats.repeats.saturating_mul(16) >= stats.seen.saturating_mul(15);
        // A name seen again with no name to refer to: an entry lets later literals name it by
        // reference.
        let anchor = needs_name && !large && stats.seen >= 1;
        stats.seen = stats.seen.saturating_add(1);
        if repeat {
            stats.repeats = stats.repeats.saturating_add(1);
        }
        // A large entry evicts many others: only a value seen again, or almost sure to be,
        // earns one.
        repeat || certain || anchor || (predicted && !large)
    }

    /// Counts a field found in the dynamic table as a repeat of its name.
    fn note_repeat(&mut self, name_hash: u64) {
        if let Some(stats) = self.names.get_mut(&name_hash) {
            stats.seen = stats.seen.saturating_add(1);
            stats.repeats = stats.repeats.saturating_add(1);
        }
    }

    /// Remembers the field (in the history for its size); returns whether it was seen
    /// recently.
    fn seen_before(&mut self, field_hash: u64, large: bool) -> bool {
        let (history, next): (&mut [u64], _) = if large {
            (&mut self.large_history, &mut self.large_history_next)
        } else {
            (&mut self.history, &mut self.history_next)
        };
        let seen = history.contains(&field_hash);
        if let Some(slot) = history.get_mut(*next) {
            *slot = field_hash;
        }
        *next = (*next + 1) % history.len();
        seen
    }

    /// Encodes one field section of `stream_id` into `out` (RFC 9204 §4.5); encoder-stream
    /// instructions it needs are queued for [`poll_encoder_stream`](Self::poll_encoder_stream).
    pub fn encode(
        &mut self,
        stream_id: u64,
        fields: &[Field],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let stream_blocking = self
            .outstanding
            .get(&stream_id)
            .is_some_and(|s| self.is_blocking(s));
        let can_block =
            stream_blocking || (self.blocking_streams as u64) < self.settings.max_blocked_streams;
        let mut lines: Vec<Line<'_>> = Vec::with_capacity(fields.len());
        let mut refs: Vec<u64> = Vec::new();
        // Exact matches first, so that they are pinned (or copied, if about to be evicted)
        // before inserts for the other fields make room.
        let mut indexed: Vec<(Option<Line<'_>>, Option<Match>)> = Vec::with_capacity(fields.len());
        for field in fields {
            let static_match = static_table::find(&field.name, &field.value);
            let line = self.choose_indexed(field, static_match, can_block, &mut refs);
            indexed.push((line, static_match));
        }
        for (field, (line, static_match)) in fields.iter().zip(indexed) {
            let line = match line {
                Some(line) => line,
                None => self.choose(field, static_match, can_block, &mut refs),
            };
            lines.push(line);
        }
        let ric = refs.iter().max().map_or(0, |&max| max + 1);
        let base = best_base(&lines, ric);
        let prefix = SectionPrefix {
            required_insert_count: ric,
            base,
        };
        prefix.encode(self.settings.max_table_capacity / ENTRY_OVERHEAD, out);
        for line in &lines {
            match *line {
                Line::Static(i) => write::indexed_static(out, i),
                Line::Dynamic(abs) => write::indexed_dynamic(out, base, abs),
                Line::StaticName(i, value, n) => write::static_name_ref(out, i, value, n, true),
                Line::DynamicName(abs, value, n) => {
                    write::dynamic_name_ref(out, base, abs, value, n, true)
                }
                Line::Literal(name, value, n) => write::literal_name(out, name, value, n, true),
            }
        }
        if ric > 0 {
            if !stream_blocking && ric > self.known_received_count {
                self.blocking_streams += 1;
            }
            self.outstanding
                .entry(stream_id)
                .or_default()
                .push_back(Outstanding {
                    required_insert_count: ric,
                    refs,
                });
        }
        Ok(())
    }

    /// Whether a section that may (or may not) block can reference `abs`.
    fn usable(&self, abs: u64, can_block: bool) -> bool {
        can_block || abs < self.known_received_count
    }

    fn reference(&mut self, abs: u64, refs: &mut Vec<u64>) {
        if let Some(entry) = self.entry_mut(abs) {
            entry.refs = entry.refs.saturating_add(1);
        }
        refs.push(abs);
    }

    /// The representation of a field found in the static table or, usable, in the dynamic
    /// table; `None` if it is in neither.
    fn choose_indexed<'f>(
        &mut self,
        field: &'f Field,
        static_match: Option<Match>,
        can_block: bool,
        refs: &mut Vec<u64>,
    ) -> Option<Line<'f>> {
        if field.sensitive {
            return None;
        }
        let (name, value) = (&field.name[..], &field.value[..]);
        if let Some(Match::Exact(i)) = static_match {
            return Some(Line::Static(u64::from(i)));
        }
        if self.entries.is_empty() {
            return None;
        }
        let name_hash = name_hash(name);
        let abs = self
            .find(name_hash, name, value)
            .0
            .filter(|&abs| self.usable(abs, can_block))?;
        self.note_repeat(name_hash);
        if can_block
            && self.is_draining(abs)
            && let Some(copy) = self.duplicate(abs)
        {
            self.reference(copy, refs);
            return Some(Line::Dynamic(copy));
        }
        self.reference(abs, refs);
        Some(Line::Dynamic(abs))
    }

    /// The representation of any field: what [`choose_indexed`](Self::choose_indexed) finds,
    /// else an insert worth making, else a literal with the best name reference.
    fn choose<'f>(
        &mut self,
        field: &'f Field,
        static_match: Option<Match>,
        can_block: bool,
        refs: &mut Vec<u64>,
    ) -> Line<'f> {
        let (name, value, sensitive) = (&field.name[..], &field.value[..], field.sensitive);
        if let Some(Match::Exact(i)) = static_match
            && !sensitive
        {
            return Line::Static(u64::from(i));
        }
        let name_hash = name_hash(name);
        let (exact, name_match) = if self.entries.is_empty() {
            (None, None)
        } else {
            self.find(name_hash, name, value)
        };
        if !sensitive {
            if let Some(abs) = exact.filter(|&abs| self.usable(abs, can_block)) {
                if can_block
                    && self.is_draining(abs)
                    && let Some(copy) = self.duplicate(abs)
                {
                    self.reference(copy, refs);
                    return Line::Dynamic(copy);
                }
                self.reference(abs, refs);
                return Line::Dynamic(abs);
            }
            let size = entry_size(name.len(), value.len());
            // "Large": more than a sixth of the table (tuned on the qifs inputs, all sizes).
            let worth = exact.is_none()
                && size <= self.capacity / 2
                && self.worth_indexing(
                    name_hash,
                    value,
                    size > self.capacity / 6,
                    static_match.is_none() && name_match.is_none(),
                );
            let room = worth && self.make_room(size);
            if room {
                let abs = self.insert(name, value, static_match, name_match, name_hash);
                if can_block {
                    self.reference(abs, refs);
                    return Line::Dynamic(abs);
                }
                // Not referenced now: later sections use it once it is acknowledged.
            }
        }
        if let Some(Match::Name(i) | Match::Exact(i)) = static_match {
            return Line::StaticName(u64::from(i), value, sensitive);
        }
        // Re-look the name up: an insert above may have evicted the earlier match.
        let name_match = name_match.filter(|&abs| abs >= self.evicted);
        if let Some(abs) = name_match.filter(|&abs| self.usable(abs, can_block)) {
            self.reference(abs, refs);
            return Line::DynamicName(abs, value, sensitive);
        }
        Line::Literal(name, value, sensitive)
    }

    /// Duplicates `abs` (RFC 9204 §4.3.4) if room can be made without evicting it.
    fn duplicate(&mut self, abs: u64) -> Option<u64> {
        let offset = usize::try_from(abs.checked_sub(self.evicted)?).ok()?;
        let size = self.entries.get(offset)?.size();
        // Pin the original while making room, so it survives to be copied.
        self.entry_mut(abs)?.refs += 1;
        let room = self.make_room(size);
        if let Some(entry) = self.entry_mut(abs) {
            entry.refs -= 1;
        }
        if !room {
            return None;
        }
        let relative = self.insert_count() - 1 - abs;
        write_duplicate(&mut self.pending, relative);
        let offset = usize::try_from(abs - self.evicted).ok()?;
        let entry = self.entries.get(offset)?.clone();
        Some(self.push_entry(&entry.name, &entry.value, entry.name_hash))
    }

    /// Inserts the field (room already made), naming it by reference when possible.
    fn insert(
        &mut self,
        name: &[u8],
        value: &[u8],
        static_match: Option<Match>,
        name_match: Option<u64>,
        name_hash: u64,
    ) -> u64 {
        match (static_match, name_match) {
            (Some(Match::Name(i) | Match::Exact(i)), _) => {
                write_insert_with_name_ref(&mut self.pending, true, u64::from(i), value)
            }
            // References on the encoder stream never block and never pin (§2.1.1); the entry
            // may have been evicted by `make_room`, in which case the name goes literally.
            (None, Some(abs)) if abs >= self.evicted => {
                let relative = self.insert_count() - 1 - abs;
                write_insert_with_name_ref(&mut self.pending, false, relative, value)
            }
            _ => write_insert_with_literal_name(&mut self.pending, name, value),
        }
        self.push_entry(name, value, name_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qpack::{Decoded, Decoder, DecoderSettings};
    use alloc::vec;

    fn pair(capacity: u64, blocked: u64) -> (Encoder, Decoder) {
        (
            Encoder::new(EncoderSettings::new(capacity, blocked)),
            Decoder::new(DecoderSettings {
                max_table_capacity: capacity,
                max_blocked_streams: blocked,
                ..DecoderSettings::default()
            }),
        )
    }

    #[test]
    fn decoder_stream_errors_are_typed_and_sticky() {
        let (mut e, _) = pair(4096, 10);
        assert_eq!(
            e.handle_decoder_stream(&[0x84]),
            Err(Error::DecoderStream(Reason::UnexpectedAcknowledgment))
        );
        assert!(e.encode(0, &[], &mut Vec::new()).is_err(), "sticky");
        let (mut e, _) = pair(4096, 10);
        assert_eq!(
            e.handle_decoder_stream(&[0x00]),
            Err(Error::DecoderStream(Reason::InvalidIncrement))
        );
        let (mut e, _) = pair(4096, 10);
        assert_eq!(
            e.handle_decoder_stream(&[0x01]),
            Err(Error::DecoderStream(Reason::InvalidIncrement)),
            "an increment beyond the inserts sent"
        );
        // Stream Cancellation for an unknown stream is harmless; any chunking works.
        let (mut e, _) = pair(4096, 10);
        for b in [0x7f, 0x81, 0x01] {
            assert_eq!(e.handle_decoder_stream(&[b]), Ok(()));
        }
    }

    /// Without acknowledgments, at most `blocked` streams reference unacknowledged entries;
    /// later sections still decode, from the static table and literals.
    #[test]
    fn blocked_budget_is_respected_without_acks() {
        let (mut e, mut d) = pair(4096, 2);
        let fields = vec![Field::new("x-a", "1"), Field::new("x-b", "2")];
        let mut held = Vec::new();
        for stream_id in [0u64, 4, 8, 12, 16] {
            let mut section = Vec::new();
            e.encode(stream_id, &fields, &mut section).unwrap();
            assert!(e.blocked_streams() <= 2);
            // The decoder gets each section before the encoder stream: the first two block.
            match d.decode_section(stream_id, &section).unwrap() {
                Decoded::Blocked => held.push(stream_id),
                Decoded::Fields(f) => assert_eq!(f, fields),
            }
        }
        assert_eq!(held.len(), 2);
        let mut stream = Vec::new();
        e.poll_encoder_stream(&mut stream);
        d.handle_encoder_stream(&stream).unwrap();
        while let Some(event) = d.poll_event() {
            let crate::qpack::Event::Unblocked { fields: f, .. } = event else {
                panic!("{event:?}");
            };
            assert_eq!(f, fields);
        }
    }

    /// Entries referenced by unacknowledged sections are never evicted: with a table that
    /// holds two entries and no acknowledgments, new fields go literally.
    #[test]
    fn referenced_entries_are_not_evicted() {
        let (mut e, mut d) = pair(100, 100);
        let mut stream = Vec::new();
        for (i, value) in ["aaaa", "bbbb", "cccc", "aaaa"].iter().enumerate() {
            let fields = vec![Field::new("x-long-name", *value)];
            let mut section = Vec::new();
            e.encode(4 * i as u64, &fields, &mut section).unwrap();
            e.poll_encoder_stream(&mut stream);
            d.handle_encoder_stream(&stream).unwrap();
            stream.clear();
            let Decoded::Fields(got) = d.decode_section(4 * i as u64, &section).unwrap() else {
                panic!("blocked");
            };
            assert_eq!(got, fields);
            assert!(e.size <= e.capacity);
        }
        // Nothing was acknowledged, so nothing could be evicted.
        assert_eq!(e.evicted, 0);
    }

    /// The Base search never does worse than Base = Required Insert Count, and uses a lower
    /// Base (post-base references) when that is shorter.
    #[test]
    fn base_is_chosen_to_shorten_references() {
        // Two old entries (relative indices ≥ 63 need two bytes) and nothing recent.
        let lines = [Line::Dynamic(0), Line::Dynamic(1), Line::Dynamic(2)];
        let ric = 100;
        let base = best_base(&lines, ric);
        assert!(base_cost(&lines, ric, base) < base_cost(&lines, ric, ric));
        assert!(base <= 3, "{base}");
        // Recent entries: Base = RIC is already best.
        let lines = [Line::Dynamic(98), Line::Dynamic(99)];
        assert_eq!(best_base(&lines, 100), 100);
        assert_eq!(best_base(&[], 0), 0);
        assert_eq!(int_len(62, 6), 1);
        assert_eq!(int_len(63, 6), 2);
        assert_eq!(int_len(63 + 128, 6), 3);
    }

    #[test]
    fn sensitive_fields_never_enter_the_table() {
        let (mut e, mut d) = pair(4096, 10);
        let fields = vec![Field::sensitive("authorization", "secret"); 3];
        let mut section = Vec::new();
        e.encode(0, &fields, &mut section).unwrap();
        assert_eq!(e.insert_count(), 0);
        let Decoded::Fields(got) = d.decode_section(0, &section).unwrap() else {
            panic!("blocked");
        };
        assert!(got.iter().all(|f| f.sensitive));
        assert_eq!(got, fields);
    }
}
