//! The QPACK encoder (RFC 9204 §2.1): field sections out, encoder stream out, the peer's
//! decoder stream in.
//!
//! Strategy, per section: first every field with a static exact match, or a dynamic exact match
//! the peer can use without blocking more streams than it allows (copied with Duplicate first
//! when it is about to be evicted, §2.1.1.1), so those entries are pinned before anything is
//! evicted; then, for each other field worth indexing, an insert, referenced at once when the
//! section may block and used by later sections once acknowledged when it may not; else a
//! literal with the best name reference. A field is worth indexing when it was seen recently,
//! or its name is new or has mostly repeated its values (large fields and `:path` need a real
//! repeat, or a name whose values nearly always repeat). Entries are evicted only once
//! acknowledged and no longer referenced by an unacknowledged section (§2.1.1); large entries
//! that keep being used are copied before they are (a second chance), and a small entry about
//! to be evicted that cannot be copied is referenced only if the section's inserts did not need
//! its room. When inserts find the table stuck behind entries the sections keep referencing at
//! its front, a Duplicate may evict its own original: the entry moves to the back for a byte
//! or two. Sensitive fields never enter the table and go out with the `N` bit. Each section's
//! Base is the one that makes its dynamic references shortest (relative or post-base,
//! §4.5.1.2).
//!
//! A section that may not block (SETTINGS_QPACK_BLOCKED_STREAMS = 0, the default of §5, or the
//! budget used up) references only acknowledged entries, so what it inserts costs a literal
//! too: it guesses only likely repeats, gives unknown names name-only entries, copies draining
//! entries while referencing the originals, and inserts only once the earlier inserts are
//! acknowledged.

use super::index::{HashIndex, same_bytes};
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
    /// The name, then the value: one allocation, one cache line for short fields.
    bytes: Vec<u8>,
    name_len: usize,
    name_hash: u64,
    exact_hash: u64,
    /// References from sections not yet acknowledged (RFC 9204 §2.1.1).
    refs: u32,
    /// Sections that found the field here since it was inserted or copied.
    hits: u32,
    /// Whether a Duplicate of the entry has been made (it need not be kept alive again).
    copied: bool,
    /// Whether it was inserted at the field's first sighting (a guess that it would repeat):
    /// its first hit is the evidence [`NameStats::returned`] counts.
    guessed: bool,
}

impl Entry {
    fn name(&self) -> &[u8] {
        self.bytes.get(..self.name_len).unwrap_or_default()
    }

    fn value(&self) -> &[u8] {
        self.bytes.get(self.name_len..).unwrap_or_default()
    }

    fn size(&self) -> u64 {
        entry_size(self.name_len, self.bytes.len() - self.name_len)
    }
}

/// A field's hashes, computed once per section, and what the dynamic table had for it then.
#[derive(Clone, Copy, Debug)]
struct Hashes {
    name: u64,
    exact: u64,
    /// The [`table_state`](Encoder::table_state) for which `exact_match` and `name_match` are
    /// the field's [`find`](Encoder::find) answer ([`NOT_FOUND`] for none); [`NOT_FOUND`] when
    /// not looked up. Each field is looked up two or three times per section, mostly with no
    /// insert in between.
    found_in: u64,
    exact_match: u64,
    name_match: u64,
}

/// No absolute index, no table state (it would take 2^63 inserts).
const NOT_FOUND: u64 = u64::MAX;

impl Default for Hashes {
    fn default() -> Self {
        Self {
            name: 0,
            exact: 0,
            found_in: NOT_FOUND,
            exact_match: NOT_FOUND,
            name_match: NOT_FOUND,
        }
    }
}

impl Hashes {
    /// The hashes of `field`, whose static table match is `static_match`: a name the static
    /// table has is hashed by its index there (the same name always finds the same index), so
    /// only other names are read.
    fn of(field: &Field, static_match: Option<Match>) -> Self {
        let name = match static_match {
            Some(Match::Name(i) | Match::Exact(i)) => {
                u64::from(static_table::name_index(i)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                    ^ 0x243f_6a88_85a3_08d3
            }
            None => name_hash(&field.name),
        };
        Self {
            name,
            exact: exact_hash(name, &field.value),
            ..Self::default()
        }
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

/// An entry this large (a fraction of the capacity) that proved itself is kept alive by a
/// Duplicate when it nears eviction: re-sending it would cost far more than the copy.
const KEEP_ALIVE_FRACTION: u64 = 8;
/// Hits (sections that found it) that make an entry proven.
const KEEP_ALIVE_HITS: u32 = 2;

/// An entry at most this fraction of the capacity that is about to be evicted and cannot be
/// copied is not pinned by a section that wants to insert: losing it costs little, while a
/// pinned entry at the front of a full table blocks every insert, section after section.
const UNPINNED_FRACTION: u64 = 16;

/// Whether a name's values each identify one resource: a new `:path` rarely comes again on the
/// connection, so only a seen repeat earns it an entry, never a guess from the name's history
/// (our HPACK encoder never indexes it; nghttp3 inserts none of the qifs' paths). The HPACK encoder's longer list
/// (`content-length`, `etag`, `last-modified`, …) was measured here too and left out: it helps
/// some qifs settings and hurts others as much.
fn transient_name(name: &[u8]) -> bool {
    name == b":path"
}

/// How a name's values have behaved so far.
#[derive(Clone, Copy, Debug, Default)]
struct NameStats {
    seen: u32,
    repeats: u32,
    /// Values seen for the first time (recently).
    fresh: u32,
    /// Values seen a second time: `returned / fresh` estimates whether a new value of the
    /// name comes again, which is what a guessed insert bets on.
    returned: u32,
}

/// What [`Encoder::worth_indexing`] advises for a field absent from the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Worth {
    No,
    /// Insert the field; `guess` when it was not seen before.
    Field {
        guess: bool,
    },
    /// Insert the name with an empty value, so later literals can name it in one byte.
    NameOnly,
}

/// For a section that may block, only entries over this size count as "large" (besides being
/// over a sixth of the capacity): in a small table nearly every field is a sixth of it, and
/// the table turns over within a few sections anyway, so the first-sight guess, which costs
/// such a section about a byte, is kept for them (tuned on the qifs inputs at capacities 256
/// and 512; no effect at 4096). A section that may not block pays a whole literal for a wrong
/// guess and keeps the plain sixth (measured: netbsd 512/0 1078 bytes with it, 1325 without).
const LARGE_MIN: u64 = 128;

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
    /// The newest entry of each field (by [`exact_hash`]) and of each name (by [`name_hash`]).
    by_field: HashIndex,
    by_name: HashIndex,
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
    /// When each large field was seen, as `inserted_bytes` then.
    large_seen_at: [u64; LARGE_HISTORY],
    large_history_next: usize,
    /// Sum of the sizes of all entries ever inserted: the clock by which the table turns over.
    inserted_bytes: u64,
    /// Per name (by hash): how often it was seen and how often its value was a repeat.
    names: BTreeMap<u64, NameStats>,
    /// The insert count when the current section started.
    section_start: u64,
    /// Sections encoded so far.
    sections: u64,
    /// The last section (by `sections`) in which a Duplicate may evict its own original (see
    /// [`rotation_makes_room`](Self::rotation_makes_room)).
    rotate_until: u64,
    error: Option<Error>,
    /// The allocations of `encode`'s per-section vectors, kept empty from section to section.
    spare_lines: Vec<Line<'static>>,
    spare_indexed: Vec<Indexed<'static>>,
}

/// Fields a section's vectors keep room for between sections (see `Encoder::spare_lines`).
const MAX_SPARE_FIELDS: usize = 256;

/// What the first pass of `encode` found for a field: its line if it is indexed, its static
/// table match and its hashes.
type Indexed<'a> = (Option<Line<'a>>, Option<Match>, Hashes);

/// An empty vector with the allocation of `v` (emptied), for elements of another lifetime:
/// the lines of a section borrow its fields, so their vector cannot be kept as it is. (The
/// standard library collects in place when the layouts agree, as they do here.)
fn recycle<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
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
    hash = (hash ^ tail_word(chunks.remainder()) ^ bytes.len() as u64).wrapping_mul(K);
    hash ^ hash >> 32
}

/// The up to 7 bytes of `rest` as a word, read in overlapping pieces rather than copied
/// (a copy of a variable length is a call, and reading it back stalls).
fn tail_word(rest: &[u8]) -> u64 {
    if let (Some(head), Some(tail)) = (rest.first_chunk::<4>(), rest.last_chunk::<4>()) {
        u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << 32
    } else if let (Some(&a), Some(&b), Some(&c)) =
        (rest.first(), rest.get(rest.len() / 2), rest.last())
    {
        u64::from(a) | u64::from(b) << 8 | u64::from(c) << 16
    } else {
        0
    }
}

fn name_hash(name: &[u8]) -> u64 {
    mix(0x243f_6a88_85a3_08d3, name)
}

/// A hash of the whole field, for exact-match lookups. Values can be long: four independent
/// lanes of 8 bytes each step, so the multiplications overlap.
fn exact_hash(name_hash: u64, value: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let seed = name_hash.rotate_left(23) ^ 0x1319_8a2e_0370_7344;
    let mut blocks = value.chunks_exact(32);
    let mut lanes = [
        seed,
        seed ^ K,
        seed.rotate_left(17),
        seed.rotate_left(41) ^ K,
    ];
    for block in &mut blocks {
        for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            *lane = (*lane ^ u64::from_le_bytes(bytes))
                .wrapping_mul(K)
                .rotate_left(29);
        }
    }
    let [a, b, c, d] = lanes;
    let folded = a ^ b.rotate_left(16) ^ c.rotate_left(32) ^ d.rotate_left(48);
    mix(folded, blocks.remainder()) ^ value.len() as u64
}

/// A hash of the field for the history of seen fields: the name's hash, the value's length
/// and up to 16 bytes from each end of the value. A collision only makes a field look
/// repeated, which costs compression, never correctness.
fn field_hash(name_hash: u64, value: &[u8]) -> u64 {
    let head = value.get(..16).unwrap_or(value);
    let tail = value.get(value.len().saturating_sub(16)..).unwrap_or(value);
    mix(mix(name_hash ^ value.len() as u64, head), tail)
}

/// Bytes of a typical index or length prefix, for [`line_estimate`].
const LINE_OVERHEAD: usize = 3;

/// About the most bytes a field line takes: its strings raw, with their lengths and index.
fn line_estimate(line: &Line<'_>) -> usize {
    match *line {
        Line::Static(_) | Line::Dynamic(_) => LINE_OVERHEAD,
        Line::StaticName(_, value, _) | Line::DynamicName(_, value, _) => {
            value.len().saturating_add(2 * LINE_OVERHEAD)
        }
        Line::Literal(name, value, _) => name
            .len()
            .saturating_add(value.len())
            .saturating_add(2 * LINE_OVERHEAD),
    }
}

/// Sections longer than this skip the Base search (`best_base`).
const MAX_BASE_SEARCH_LINES: usize = 128;

/// Bytes of a prefix integer (RFC 7541 §5.1) of `value` with an `n`-bit prefix: one, one more
/// when the prefix is full, and one more per 7 bits of the rest beyond the first 7, counted
/// without branches since the Base search calls this in its inner loop.
fn int_len(value: u64, n: u32) -> u64 {
    let max = (1u64 << n) - 1;
    let rest = value.saturating_sub(max);
    let rest_bits = u64::BITS - rest.leading_zeros();
    1 + u64::from(value >= max) + u64::from(rest_bits.saturating_sub(1) / 7)
}

/// [`refs_cost`] of a section's lines.
#[cfg(test)]
fn base_cost(lines: &[Line<'_>], ric: u64, base: u64) -> u64 {
    let refs: Vec<(u64, bool)> = lines.iter().filter_map(dynamic_ref).collect();
    refs_cost(&refs, ric, base)
}

/// A line's dynamic reference: (absolute index, whether only the name is referenced).
fn dynamic_ref(line: &Line<'_>) -> Option<(u64, bool)> {
    match *line {
        Line::Dynamic(abs) => Some((abs, false)),
        Line::DynamicName(abs, ..) => Some((abs, true)),
        _ => None,
    }
}

/// The bytes that depend on the Base: the prefix's Delta Base and the dynamic references
/// (from [`dynamic_ref`]).
fn refs_cost(refs: &[(u64, bool)], ric: u64, base: u64) -> u64 {
    let delta = if base >= ric {
        int_len(base - ric, 7)
    } else {
        int_len(ric - base - 1, 7)
    };
    refs.iter().fold(delta, |cost, &(abs, name)| {
        // Selects rather than branches: which way a reference goes varies unpredictably.
        let below = abs < base;
        let index = if below {
            base.wrapping_sub(1).wrapping_sub(abs)
        } else {
            abs.wrapping_sub(base)
        };
        // Prefix widths (§4.5.2–§4.5.5): relative 6 or 4 bits, post-base 4 or 3.
        let prefix = [[4, 6], [3, 4]][usize::from(name)][usize::from(below)];
        cost + int_len(index, prefix)
    })
}

/// The Base that makes the section shortest (RFC 9204 §4.5.1.2): references below it use
/// relative indices, the others post-base indices, each with its own prefix width, so a
/// Base among the referenced entries can shorten references to old and new entries alike.
/// When every reference already takes one byte with Base = RIC nothing can be shorter; else
/// the search is quadratic in the references, so long sections simply use Base = RIC.
fn best_base(lines: &[Line<'_>], ric: u64) -> u64 {
    if ric == 0 || lines.len() > MAX_BASE_SEARCH_LINES {
        return ric;
    }
    // One byte of Delta Base and one per reference is the least any Base costs: when Base =
    // RIC achieves it (the usual case), there is nothing to search.
    let (mut count, mut longer) = (0u64, false);
    for (abs, name) in lines.iter().filter_map(dynamic_ref) {
        count += 1;
        // Relative indices at Base = RIC, with 6-bit (indexed) or 4-bit (name) prefixes.
        longer |= ric - 1 - abs >= if name { 15 } else { 63 };
    }
    if !longer {
        return ric;
    }
    let refs: Vec<(u64, bool)> = lines.iter().filter_map(dynamic_ref).collect();
    let mut best = (refs_cost(&refs, ric, ric), ric);
    if best.0 == 1 + count {
        return ric;
    }
    for &(abs, _) in &refs {
        for base in [abs, abs + 1] {
            // Strictly shorter only: on a tie Base stays at the Required Insert Count.
            let cost = refs_cost(&refs, ric, base);
            if cost < best.0 {
                best = (cost, base);
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
            by_field: HashIndex::default(),
            by_name: HashIndex::default(),
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
            large_seen_at: [0; LARGE_HISTORY],
            large_history_next: 0,
            inserted_bytes: 0,
            names: BTreeMap::new(),
            section_start: 0,
            sections: 0,
            rotate_until: 0,
            error: None,
            spare_lines: Vec::new(),
            spare_indexed: Vec::new(),
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

    fn entry(&self, abs: u64) -> Option<&Entry> {
        let offset = usize::try_from(abs.checked_sub(self.evicted)?).ok()?;
        self.entries.get(offset)
    }

    fn entry_mut(&mut self, abs: u64) -> Option<&mut Entry> {
        let offset = usize::try_from(abs.checked_sub(self.evicted)?).ok()?;
        self.entries.get_mut(offset)
    }

    /// The newest entry matching the field exactly, and the newest with the same name.
    fn find(&self, hashes: Hashes, name: &[u8], value: &[u8]) -> (Option<u64>, Option<u64>) {
        if hashes.found_in == self.table_state() {
            // Looked up for this field in the table as it still is.
            let index = |abs| Some(abs).filter(|&abs| abs != NOT_FOUND);
            return (index(hashes.exact_match), index(hashes.name_match));
        }
        self.look_up(hashes, name, value)
    }

    /// [`Hashes::of`] the field, with what the table has for it.
    fn hashes_of(&self, field: &Field, static_match: Option<Match>) -> Hashes {
        let mut hashes = Hashes::of(field, static_match);
        let (exact, name) = self.look_up(hashes, &field.name, &field.value);
        hashes.found_in = self.table_state();
        hashes.exact_match = exact.unwrap_or(NOT_FOUND);
        hashes.name_match = name.unwrap_or(NOT_FOUND);
        hashes
    }

    /// What identifies the table's contents: `evicted + insert_count()`, since every insert
    /// and eviction makes it grow (and an absolute index always stands for the same entry).
    fn table_state(&self) -> u64 {
        self.evicted.wrapping_add(self.insert_count())
    }

    /// [`find`](Self::find) in the table.
    fn look_up(&self, hashes: Hashes, name: &[u8], value: &[u8]) -> (Option<u64>, Option<u64>) {
        if self.entries.is_empty() {
            return (None, None);
        }
        let exact = self.by_field.get(hashes.exact).filter(|&abs| {
            self.entry(abs)
                .is_some_and(|e| same_bytes(e.name(), name) && same_bytes(e.value(), value))
        });
        let name_match = self.by_name.get(hashes.name).filter(|&abs| {
            // The exact match's name was just compared.
            Some(abs) == exact || self.entry(abs).is_some_and(|e| same_bytes(e.name(), name))
        });
        (exact, name_match)
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
            if let Some(entry) = self.entries.pop_front() {
                self.size -= entry.size();
                self.by_field.remove(entry.exact_hash, self.evicted);
                self.by_name.remove(entry.name_hash, self.evicted);
                self.evicted += 1;
            }
        }
        true
    }

    /// Appends an entry of `bytes` (name then value).
    fn push_entry(&mut self, bytes: Vec<u8>, name_len: usize, hashes: Hashes) -> u64 {
        let entry = Entry {
            bytes,
            name_len,
            name_hash: hashes.name,
            exact_hash: hashes.exact,
            refs: 0,
            hits: 0,
            copied: false,
            guessed: false,
        };
        self.size += entry.size();
        self.inserted_bytes = self.inserted_bytes.saturating_add(entry.size());
        let abs = self.insert_count();
        self.by_field.insert(hashes.exact, abs);
        self.by_name.insert(hashes.name, abs);
        self.entries.push_back(entry);
        abs
    }

    /// Whether a field absent from the table is worth inserting: it was seen recently, or its
    /// name is new or has mostly had repeated values (so `:path`-like names, whose values
    /// rarely repeat, do not push useful entries out); a `transient` name (see
    /// [`transient_name`]) only when seen recently (or, as any name, when its values nearly
    /// always repeat).
    ///
    /// A section that may not block (`can_block` false, RFC 9204 §2.1.2) cannot reference
    /// what it inserts: the field goes literally as well, so an insert costs a whole literal
    /// more, not the one byte it costs when the section may block, and a guess must be
    /// likely right. There a new value is guessed only when the name is new or more than
    /// half of its new values came again (`returned / fresh`), never for a large field; and
    /// an unknown name whose value is not worth it gets a name-only entry (§4.3.3 with an
    /// empty value), which costs little and shortens every later literal of the name.
    fn worth_indexing(
        &mut self,
        name_hash: u64,
        value: &[u8],
        large: bool,
        needs_name: bool,
        transient: bool,
        can_block: bool,
    ) -> Worth {
        let repeat = self.seen_before(field_hash(name_hash, value), large);
        if self.names.len() >= MAX_NAMES && !self.names.contains_key(&name_hash) {
            self.names.clear();
        }
        let stats = self.names.entry(name_hash).or_default();
        // Values Huffman cannot shrink are mostly tokens and hashes, which rarely repeat.
        let random =
            || value.len() >= 16 && crate::huffman::encoded_len(value) * 10 >= value.len() * 9;
        // A new name, or one whose values mostly repeated, predicts a repeat; with no history
        // (`seen == 0`) only the first clause judges, so a random-looking first value is not
        // guessed at.
        let predicted = !transient
            && ((stats.seen == 0 && !random())
                || (stats.seen > 0
                    && stats.repeats.saturating_mul(4) >= stats.seen.saturating_mul(3)));
        // A name whose values nearly always repeat (a policy header, say) earns even a large
        // entry at first sight.
        let certain =
            stats.seen >= 4 && stats.repeats.saturating_mul(16) >= stats.seen.saturating_mul(15);
        // A name seen again with no name to refer to: an entry lets later literals name it by
        // reference.
        let anchor = needs_name && !large && stats.seen >= 1;
        let (fresh, returned) = (stats.fresh, stats.returned);
        stats.seen = stats.seen.saturating_add(1);
        if repeat {
            stats.repeats = stats.repeats.saturating_add(1);
            stats.returned = stats.returned.saturating_add(1);
        } else {
            stats.fresh = stats.fresh.saturating_add(1);
        }
        let insert = Worth::Field { guess: !repeat };
        if can_block {
            // A large entry evicts many others: only a value seen again, or almost sure to
            // be, earns one.
            return if repeat || certain || anchor || (predicted && !large) {
                insert
            } else {
                Worth::No
            };
        }
        let likely = !transient
            && !large
            && ((fresh == 0 && !random()) || returned.saturating_mul(2) > fresh);
        if repeat || likely {
            insert
        } else if anchor {
            Worth::NameOnly
        } else {
            Worth::No
        }
    }

    /// Counts a field found in the dynamic table (at `abs`) as a repeat of its name, and as
    /// a returned value when the entry was a guess found for the first time.
    fn note_repeat(&mut self, name_hash: u64, abs: u64) {
        let first_return = self.entry(abs).is_some_and(|e| e.guessed && e.hits == 0);
        if let Some(stats) = self.names.get_mut(&name_hash) {
            stats.seen = stats.seen.saturating_add(1);
            stats.repeats = stats.repeats.saturating_add(1);
            if first_return {
                stats.returned = stats.returned.saturating_add(1);
            }
        }
    }

    /// Remembers the field (in the history for its size); returns whether it was seen
    /// recently.
    fn seen_before(&mut self, field_hash: u64, large: bool) -> bool {
        if large {
            // A repeat only counts if an entry made at the first sighting could still be in
            // the table: more than a table's worth of inserts since, and it would be gone.
            let now = self.inserted_bytes;
            let seen = self
                .large_history
                .iter()
                .zip(&self.large_seen_at)
                .any(|(&h, &at)| h == field_hash && now - at <= self.capacity);
            let next = self.large_history_next;
            if let (Some(slot), Some(at)) = (
                self.large_history.get_mut(next),
                self.large_seen_at.get_mut(next),
            ) {
                (*slot, *at) = (field_hash, now);
            }
            self.large_history_next = (next + 1) % LARGE_HISTORY;
            return seen;
        }
        let (history, next) = (&mut self.history, &mut self.history_next);
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
        self.section_start = self.insert_count();
        self.sections += 1;
        let mut lines: Vec<Line<'_>> = recycle(core::mem::take(&mut self.spare_lines));
        lines.reserve(fields.len());
        let mut refs: Vec<u64> = Vec::new();
        // Exact matches first, so that they are pinned (or copied, if about to be evicted)
        // before inserts for the other fields make room.
        let mut indexed: Vec<Indexed<'_>> = recycle(core::mem::take(&mut self.spare_indexed));
        indexed.reserve(fields.len());
        let mut unpinned = Vec::new();
        for field in fields {
            let static_match = static_table::find(&field.name, &field.value);
            // Fields found in the static table need no dynamic lookup.
            let hashes = match static_match {
                Some(Match::Exact(_)) if !field.sensitive => Hashes::default(),
                _ => self.hashes_of(field, static_match),
            };
            let line = self.choose_indexed(
                field,
                static_match,
                hashes,
                can_block,
                &mut refs,
                &mut unpinned,
            );
            indexed.push((line, static_match, hashes));
        }
        for (field, &(line, static_match, hashes)) in fields.iter().zip(&indexed) {
            let line = match line {
                Some(line) => line,
                None => self.choose(field, static_match, hashes, can_block, &mut refs),
            };
            lines.push(line);
        }
        // Entries about to be evicted that could not be copied were left unpinned, so that
        // inserts could evict them rather than fail; reference those that survived, and send
        // the others again.
        if !unpinned.is_empty() {
            for ((field, &(found, static_match, hashes)), line) in
                fields.iter().zip(&indexed).zip(lines.iter_mut())
            {
                if let Some(Line::Dynamic(abs)) = found
                    && unpinned.contains(&abs)
                {
                    *line = if abs >= self.evicted {
                        self.hit(abs, &mut refs);
                        Line::Dynamic(abs)
                    } else {
                        self.choose(field, static_match, hashes, can_block, &mut refs)
                    };
                }
            }
        }
        let ric = refs.iter().max().map_or(0, |&max| max + 1);
        let base = best_base(&lines, ric);
        // Room for the section as it will most likely be (strings raw at worst), reserved
        // once rather than grown as the lines go out.
        out.reserve(lines.iter().fold(2 * LINE_OVERHEAD, |len, line| {
            len.saturating_add(line_estimate(line))
        }));
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
        // Kept for the next section, unless an unusually long section made them large.
        if lines.capacity() <= MAX_SPARE_FIELDS {
            self.spare_lines = recycle(lines);
            self.spare_indexed = recycle(indexed);
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

    /// References `abs` for a field found there.
    fn hit(&mut self, abs: u64, refs: &mut Vec<u64>) {
        if let Some(entry) = self.entry_mut(abs) {
            entry.hits = entry.hits.saturating_add(1);
        }
        self.reference(abs, refs);
    }

    /// Copies large, proven entries that near eviction (a second chance, as in CLOCK), so a
    /// field the peer keeps sending, just not in every section, is not sent again in full.
    /// The window is the one of [`is_draining`](Self::is_draining).
    fn keep_alive(&mut self) {
        if self.size < self.capacity * 13 / 16 {
            return;
        }
        let window = self.capacity * 3 / 16;
        let mut before = 0u64;
        let mut abs = self.evicted;
        while before < window {
            // Copies only evict entries in front of `abs`, so it stays in the table.
            let Some(entry) = self.entry(abs) else {
                break;
            };
            let size = entry.size();
            let proven = size * KEEP_ALIVE_FRACTION >= self.capacity
                && entry.hits >= KEEP_ALIVE_HITS
                && !entry.copied;
            if proven {
                // The copy evicts entries in front of this one: they no longer count.
                let size_then = self.size;
                if self.duplicate(abs, false).is_some() {
                    before = before.saturating_sub(size_then + size - self.size);
                }
            }
            before += size;
            abs += 1;
        }
    }

    fn reference(&mut self, abs: u64, refs: &mut Vec<u64>) {
        if let Some(entry) = self.entry_mut(abs) {
            entry.refs = entry.refs.saturating_add(1);
        }
        refs.push(abs);
    }

    /// The representation of a field found in the static table or, usable, in the dynamic
    /// table; `None` if it is in neither. A small entry about to be evicted that cannot be
    /// copied is left unreferenced and listed in `unpinned` (see [`UNPINNED_FRACTION`]).
    fn choose_indexed<'f>(
        &mut self,
        field: &'f Field,
        static_match: Option<Match>,
        hashes: Hashes,
        can_block: bool,
        refs: &mut Vec<u64>,
        unpinned: &mut Vec<u64>,
    ) -> Option<Line<'f>> {
        if field.sensitive {
            return None;
        }
        let (name, value) = (&field.name[..], &field.value[..]);
        if let Some(Match::Exact(i)) = static_match {
            return Some(Line::Static(u64::from(i)));
        }
        let abs = self
            .find(hashes, name, value)
            .0
            .filter(|&abs| self.usable(abs, can_block))?;
        self.note_repeat(hashes.name, abs);
        if self.is_draining(abs) {
            // A section that may not block references the acknowledged original; the copy
            // serves later sections once acknowledged.
            if let Some(copy) = self.duplicate(abs, can_block) {
                let used = if can_block { copy } else { abs };
                self.hit(used, refs);
                return Some(Line::Dynamic(used));
            }
            if self
                .entry(abs)
                .is_some_and(|e| e.size() * UNPINNED_FRACTION <= self.capacity)
            {
                unpinned.push(abs);
                return Some(Line::Dynamic(abs));
            }
        }
        self.hit(abs, refs);
        Some(Line::Dynamic(abs))
    }

    /// The representation of any field: what [`choose_indexed`](Self::choose_indexed) finds,
    /// else an insert worth making, else a literal with the best name reference.
    #[inline(always)]
    fn choose<'f>(
        &mut self,
        field: &'f Field,
        static_match: Option<Match>,
        hashes: Hashes,
        can_block: bool,
        refs: &mut Vec<u64>,
    ) -> Line<'f> {
        let (name, value, sensitive) = (&field.name[..], &field.value[..], field.sensitive);
        if let Some(Match::Exact(i)) = static_match
            && !sensitive
        {
            return Line::Static(u64::from(i));
        }
        let (exact, name_match) = self.find(hashes, name, value);
        if !sensitive {
            if let Some(abs) = exact.filter(|&abs| self.usable(abs, can_block)) {
                if self.is_draining(abs)
                    && let Some(copy) = self.duplicate(abs, can_block)
                {
                    let used = if can_block { copy } else { abs };
                    self.hit(used, refs);
                    return Line::Dynamic(used);
                }
                self.hit(abs, refs);
                return Line::Dynamic(abs);
            }
            let size = entry_size(name.len(), value.len());
            // A section that may not block uses only acknowledged entries (RFC 9204 §2.1.2):
            // while the inserts of earlier sections are not all acknowledged, more inserts
            // would only queue up unusable entries (a peer that never acknowledges would get
            // every insert for nothing), so the decoder's acknowledgments pace them.
            let paced = !can_block && self.known_received_count < self.section_start;
            // An entry may take up to three quarters of the table (nghttp3's bound too): in a
            // small table a field every section repeats (a user-agent in 256 bytes) is worth
            // most of it; 1/2 measured fb-req 256/100 127729 bytes, 3/4 107215 (5/8 and 7/8
            // the same), no other cell changed.
            let worth = if !paced && exact.is_none() && size <= self.capacity * 3 / 4 {
                self.worth_indexing(
                    hashes.name,
                    value,
                    // "Large": more than a sixth of the table (tuned on the qifs inputs, all
                    // sizes), and more than `LARGE_MIN` when the section may block.
                    size > if can_block {
                        (self.capacity / 6).max(LARGE_MIN)
                    } else {
                        self.capacity / 6
                    },
                    static_match.is_none() && name_match.is_none(),
                    transient_name(name),
                    can_block,
                )
            } else {
                Worth::No
            };
            if worth == Worth::NameOnly && self.make_room(entry_size(name.len(), 0)) {
                // Not referenced now (only sections that may not block get this advice):
                // later literals name it once it is acknowledged.
                write_insert_with_literal_name(&mut self.pending, name, b"");
                let hashes = Hashes {
                    name: hashes.name,
                    exact: exact_hash(hashes.name, b""),
                    ..Hashes::default()
                };
                self.push_entry(name.to_vec(), name.len(), hashes);
            }
            if let Worth::Field { guess } = worth {
                self.keep_alive();
                if self.make_room(size) {
                    let abs = self.insert(name, value, static_match, name_match, hashes);
                    if let Some(entry) = self.entry_mut(abs) {
                        entry.guessed = guess;
                    }
                    if can_block {
                        self.reference(abs, refs);
                        return Line::Dynamic(abs);
                    }
                    // Not referenced now: later sections use it once it is acknowledged.
                } else if self.rotation_makes_room(size, refs) {
                    // The entries in the way are ones this section found: let Duplicates
                    // move them to the back, this section and the next.
                    self.rotate_until = self.sections + 1;
                }
            }
        }
        // Re-look the name up: an insert above may have evicted the earlier match.
        let name_match = name_match
            .filter(|&abs| abs >= self.evicted && self.usable(abs, can_block))
            .filter(|&abs| match static_match {
                // A static name index above 14 takes two bytes in the 4-bit prefix of a
                // literal (§4.5.4); a recent entry with the name, one. It is taken only where
                // it cannot make the section block: acknowledged, or below a reference the
                // section already makes.
                Some(Match::Name(i) | Match::Exact(i)) => {
                    i >= 15
                        && self.insert_count() - 1 - abs < 15
                        && (abs < self.known_received_count || refs.iter().any(|&r| r >= abs))
                        && !self.is_draining(abs)
                }
                None => true,
            });
        if let Some(abs) = name_match {
            self.reference(abs, refs);
            return Line::DynamicName(abs, value, sensitive);
        }
        if let Some(Match::Name(i) | Match::Exact(i)) = static_match {
            return Line::StaticName(u64::from(i), value, sensitive);
        }
        Line::Literal(name, value, sensitive)
    }

    /// Duplicates `abs` (RFC 9204 §4.3.4) if room can be made without evicting it, or, when
    /// `may_evict_original` and the last sections had inserts refused for want of room that
    /// moving their found entries would have made (`rotate_until`), evicting it too: a new
    /// entry may reference an entry its own insertion evicts (§3.2.2), so the copy moves the
    /// entry from the front to the back for a byte or two, and the section references the
    /// copy. An unacknowledged entry is never copied: it cannot be evicted yet (§2.1.1).
    fn duplicate(&mut self, abs: u64, may_evict_original: bool) -> Option<u64> {
        if abs >= self.known_received_count {
            return None;
        }
        let offset = usize::try_from(abs.checked_sub(self.evicted)?).ok()?;
        let size = self.entries.get(offset)?.size();
        let relative = self.insert_count() - 1 - abs;
        // Pin the original while making room, so it survives to be copied.
        self.entry_mut(abs)?.refs += 1;
        let mut room = self.make_room(size);
        if let Some(entry) = self.entry_mut(abs) {
            entry.refs -= 1;
        }
        // What the copy is made of, taken before the original may go.
        let copy_of = |entry: &Entry| {
            let hashes = Hashes {
                name: entry.name_hash,
                exact: entry.exact_hash,
                ..Hashes::default()
            };
            (entry.bytes.clone(), entry.name_len, hashes)
        };
        let mut saved = None;
        if !room && may_evict_original && self.sections <= self.rotate_until {
            saved = self.entry(abs).map(copy_of);
            room = self.make_room(size);
        }
        if !room {
            return None;
        }
        let (bytes, name_len, hashes) = match saved {
            Some(saved) => saved,
            None => self.entry(abs).map(copy_of)?,
        };
        write_duplicate(&mut self.pending, relative);
        if let Some(original) = self.entry_mut(abs) {
            original.copied = true;
        }
        Some(self.push_entry(bytes, name_len, hashes))
    }

    /// Whether an entry of `size` would find room if the entries in the way that only this
    /// section references (`refs`) were moved to the back by a Duplicate each: then the
    /// table is stuck only because a section pins what it found at the front, and copying
    /// those entries when found (instead of pinning them) frees it (see
    /// [`duplicate`](Self::duplicate)). Only sections that may block use this: a section
    /// that may not block cannot reference a copy.
    fn rotation_makes_room(&self, size: u64, refs: &[u64]) -> bool {
        let mut free = self.capacity - self.size;
        for (offset, entry) in self.entries.iter().enumerate() {
            if free >= size {
                return true;
            }
            let abs = self.evicted + offset as u64;
            if abs >= self.known_received_count {
                return false;
            }
            let mine = refs.iter().filter(|&&r| r == abs).count() as u32;
            if entry.refs == 0 {
                free += entry.size();
            } else if entry.refs != mine {
                return false;
            }
        }
        free >= size
    }

    /// Inserts the field (room already made), naming it by reference when possible.
    fn insert(
        &mut self,
        name: &[u8],
        value: &[u8],
        static_match: Option<Match>,
        name_match: Option<u64>,
        hashes: Hashes,
    ) -> u64 {
        // References on the encoder stream never block and never pin (§2.1.1); the entry
        // may have been evicted by `make_room`, in which case the name goes by its static
        // index or literally.
        let name_match = name_match
            .filter(|&abs| abs >= self.evicted)
            .map(|abs| self.insert_count() - 1 - abs);
        match (static_match, name_match) {
            // A static name index above 62 takes two bytes in the 6-bit prefix (§4.3.2); a
            // recent entry with the name, one.
            (Some(Match::Name(i) | Match::Exact(i)), Some(relative))
                if i >= 63 && relative < 63 =>
            {
                write_insert_with_name_ref(&mut self.pending, false, relative, value)
            }
            (Some(Match::Name(i) | Match::Exact(i)), _) => {
                write_insert_with_name_ref(&mut self.pending, true, u64::from(i), value)
            }
            (None, Some(relative)) => {
                write_insert_with_name_ref(&mut self.pending, false, relative, value)
            }
            _ => write_insert_with_literal_name(&mut self.pending, name, value),
        }
        let mut bytes = Vec::with_capacity(name.len() + value.len());
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(value);
        self.push_entry(bytes, name.len(), hashes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qpack::{Decoded, Decoder, DecoderSettings, EncoderInstruction};
    use alloc::format;
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

    /// A new `:path` is not guessed into the table (unlike a new value of another name with a
    /// good history): it goes literally, and only a path seen again is inserted.
    #[test]
    fn a_path_is_inserted_only_once_it_repeats() {
        let (mut e, mut d) = pair(4096, 100);
        let mut stream = Vec::new();
        let paths = ["/a.css", "/b.js", "/a.css", "/a.css"];
        let mut inserts = Vec::new();
        for (i, path) in paths.iter().enumerate() {
            let stream_id = 4 * i as u64;
            let fields = vec![Field::new(":path", *path), Field::new("x-user", "u0")];
            let mut section = Vec::new();
            e.encode(stream_id, &fields, &mut section).unwrap();
            e.poll_encoder_stream(&mut stream);
            d.handle_encoder_stream(&stream).unwrap();
            stream.clear();
            let Decoded::Fields(got) = d.decode_section(stream_id, &section).unwrap() else {
                panic!("blocked");
            };
            assert_eq!(got, fields);
            let mut feedback = Vec::new();
            d.poll_decoder_stream(&mut feedback);
            e.handle_decoder_stream(&feedback).unwrap();
            inserts.push(e.insert_count());
        }
        // x-user, a new name, is guessed at once; :path "/a.css" waits for its repeat in
        // section 2, and is found in section 3.
        assert_eq!(inserts, [1, 1, 2, 2]);
        let fields: Vec<(&[u8], &[u8])> = e.entries.iter().map(|e| (e.name(), e.value())).collect();
        assert_eq!(
            fields,
            [(&b"x-user"[..], &b"u0"[..]), (b":path", b"/a.css")]
        );
    }

    #[test]
    fn a_literal_names_a_recent_entry_when_the_static_index_is_longer() {
        let (mut e, mut d) = pair(4096, 10);
        // `accept` is static index 29: two bytes in a literal's 4-bit prefix (§4.5.4).
        let first = vec![Field::new("accept", "text/html")];
        let mut section = Vec::new();
        e.encode(0, &first, &mut section).unwrap();
        let mut stream = Vec::new();
        e.poll_encoder_stream(&mut stream);
        d.handle_encoder_stream(&stream).unwrap();
        assert!(matches!(
            d.decode_section(0, &section),
            Ok(Decoded::Fields(_))
        ));
        let mut acks = Vec::new();
        d.poll_decoder_stream(&mut acks);
        e.handle_decoder_stream(&acks).unwrap();

        let second = vec![Field::sensitive("accept", "secret")];
        let mut section = Vec::new();
        e.encode(4, &second, &mut section).unwrap();
        // Prefix (2 bytes), then 01NT with N = 1, T = 0 (dynamic) and relative index 0.
        assert_eq!(section[2], 0b0110_0000, "{section:02x?}");
        let Ok(Decoded::Fields(got)) = d.decode_section(4, &section) else {
            panic!("not decoded");
        };
        assert_eq!(got, second);
    }

    /// Encodes each section, delivers the encoder stream, decodes (checking the fields), and
    /// feeds the decoder's acknowledgments back when `ack`; returns the section sizes.
    fn run(e: &mut Encoder, d: &mut Decoder, sections: &[Vec<Field>], ack: bool) -> Vec<usize> {
        let mut sizes = Vec::new();
        for (i, fields) in sections.iter().enumerate() {
            let stream_id = 4 * i as u64;
            let mut section = Vec::new();
            e.encode(stream_id, fields, &mut section).unwrap();
            let mut stream = Vec::new();
            e.poll_encoder_stream(&mut stream);
            d.handle_encoder_stream(&stream).unwrap();
            let Decoded::Fields(got) = d.decode_section(stream_id, &section).unwrap() else {
                panic!("blocked");
            };
            assert_eq!(&got, fields);
            let mut feedback = Vec::new();
            d.poll_decoder_stream(&mut feedback);
            if ack {
                e.handle_decoder_stream(&feedback).unwrap();
            }
            sizes.push(section.len());
        }
        sizes
    }

    /// With no blocking allowed, entries every section references still reach the front of a
    /// full table; they are copied on the way (the sections keep referencing the acknowledged
    /// originals), so inserts go on instead of failing behind them: 49 inserts here, where
    /// pinning them stopped at 12. (One that reaches the very front pinned cannot be copied
    /// without a literal; that is left, as it measured worse on the qifs inputs.)
    #[test]
    fn a_table_that_cannot_block_keeps_taking_inserts() {
        let (mut e, mut d) = pair(512, 0);
        let mut sections: Vec<Vec<Field>> = (0..60)
            .map(|i| {
                vec![
                    Field::new("user-agent", "Mozilla/5.0 (X11; Linux x86_64)"),
                    Field::new("accept-language", "en-US,en;q=0.5"),
                    // Each value comes in two sections in a row.
                    Field::new("x-request-group", format!("group-{}", i / 2)),
                ]
            })
            .collect();
        // Fields of the first section only: entries in front of the hot ones.
        sections[0].insert(0, Field::new("x-once", "a"));
        sections[0].insert(0, Field::new("x-first", "b"));
        run(&mut e, &mut d, &sections, true);
        assert!(
            e.insert_count() >= 40,
            "inserts stopped at {}",
            e.insert_count()
        );
        assert!(e.entries.iter().any(|x| x.value() == b"group-29"));
        // The two hot fields are still found.
        let mut section = Vec::new();
        e.encode(1000, &sections[1][..2], &mut section).unwrap();
        assert_eq!(section.len(), 2 + 2, "{section:02x?}");
    }

    /// With no blocking allowed and no acknowledgments, nothing inserted can ever be used:
    /// only the first section inserts, later ones wait for acknowledgments that never come.
    #[test]
    fn inserts_wait_for_acknowledgments_when_sections_cannot_block() {
        let (mut e, mut d) = pair(4096, 0);
        let sections: Vec<Vec<Field>> = (0..10)
            .map(|i| {
                vec![
                    Field::new("x-a", "1"),
                    Field::new("x-b", format!("v{}", i % 3)),
                ]
            })
            .collect();
        run(&mut e, &mut d, &sections, false);
        assert_eq!(e.insert_count(), 2, "only the first section's guesses");
        // Acknowledged, inserting resumes.
        let (mut e, mut d) = pair(4096, 0);
        run(&mut e, &mut d, &sections, true);
        assert!(e.insert_count() > 2);
    }

    /// A section that cannot block gives an unknown name with never-repeating values a
    /// name-only entry (not the whole field, which would cost a second literal each time),
    /// and later literals name it by reference.
    #[test]
    fn an_unknown_name_with_random_values_gets_a_name_only_entry() {
        let (mut e, mut d) = pair(4096, 0);
        let sections: Vec<Vec<Field>> = (0..4)
            // Bytes with long Huffman codes (RFC 7541 Appendix B): a random-looking value,
            // which is not guessed at even for a new name.
            .map(|i| {
                vec![Field::new(
                    "x-fb-debug",
                    format!("{i}~^|`{{}}<>~^|`{{}}<>~^|`{{}}<>"),
                )]
            })
            .collect();
        let sizes = run(&mut e, &mut d, &sections, true);
        let fields: Vec<(&[u8], &[u8])> = e.entries.iter().map(|x| (x.name(), x.value())).collect();
        assert_eq!(fields, [(&b"x-fb-debug"[..], &b""[..])]);
        // Literal with a dynamic name reference: 01NT with T = 0 (§4.5.4).
        assert!(sizes[3] < sizes[0], "{sizes:?}");
    }

    /// With blocking allowed but a table so small that each section's found entries fill its
    /// front, inserts are refused; the next sections move those entries to the back with a
    /// Duplicate that evicts its own original (RFC 9204 §3.2.2), so the inserts find room.
    #[test]
    fn entries_a_section_pins_at_the_front_are_moved_when_inserts_need_room() {
        let (mut e, mut d) = pair(256, 100);
        let hot = [
            Field::new("user-agent", "agent/1.0 (compatible)"),
            Field::new("accept-language", "en-US,en"),
        ];
        let sections: Vec<Vec<Field>> = (0..40)
            .map(|i| {
                let mut fields = hot.to_vec();
                fields.push(Field::new(
                    "referer",
                    format!("https://example.com/page/{}", i / 4),
                ));
                fields
            })
            .collect();
        run(&mut e, &mut d, &sections, true);
        // The hot entries survived (found in one byte each), and the last referer went in.
        let mut section = Vec::new();
        e.encode(1000, &hot, &mut section).unwrap();
        assert_eq!(section.len(), 2 + 2, "{section:02x?}");
        assert!(
            e.entries
                .iter()
                .any(|x| x.value() == b"https://example.com/page/9")
        );
    }

    /// An unacknowledged entry cannot be evicted (RFC 9204 §2.1.1), so copying it to keep it
    /// alive is wasted: with no acknowledgments no Duplicate is ever sent.
    #[test]
    fn unacknowledged_entries_are_not_copied() {
        let (mut e, mut d) = pair(1024, 100);
        // x-hot stays at the front while the table fills past the draining threshold with
        // room left for a copy.
        let sections: Vec<Vec<Field>> = (0..60)
            .map(|i| {
                vec![
                    Field::new("x-hot", "1"),
                    Field::new("x-new", format!("value-{}", i / 2)),
                ]
            })
            .collect();
        for (i, fields) in sections.iter().enumerate() {
            let mut section = Vec::new();
            e.encode(4 * i as u64, fields, &mut section).unwrap();
            let mut stream = Vec::new();
            e.poll_encoder_stream(&mut stream);
            d.handle_encoder_stream(&stream).unwrap();
            let mut reader = wire_codec::Reader::new(&stream);
            while !reader.is_empty() {
                let instruction = EncoderInstruction::decode(&mut reader, 1 << 16).unwrap();
                assert!(
                    !matches!(instruction, EncoderInstruction::Duplicate(_)),
                    "a Duplicate in section {i}"
                );
            }
        }
        assert!(e.insert_count() > 2);
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
