//! The QPACK decoder (RFC 9204 §2.2): the peer's encoder stream in, field sections in, decoder
//! stream out, blocked sections held until their inserts arrive.

use super::instruction::{DecoderInstruction, EncoderInstruction, StreamBuffer};
use super::section::{SectionLimits, SectionPrefix, decode_field_lines};
use super::table::DynamicTable;
use super::{Error, Field, Reason, static_table};
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;
use wire_codec::{DecodeError, Reader};

/// The decoder's settings: what it announces to the peer and the local limits it enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecoderSettings {
    /// SETTINGS_QPACK_MAX_TABLE_CAPACITY we announce (RFC 9204 §5). Default 4096.
    pub max_table_capacity: u64,
    /// SETTINGS_QPACK_BLOCKED_STREAMS we announce (RFC 9204 §5): one more blocked stream is a
    /// QPACK_DECOMPRESSION_FAILED. Default 100.
    pub max_blocked_streams: u64,
    /// Largest decoded field section, name + value + 32 per field (RFC 9114 §4.2.2, what
    /// SETTINGS_MAX_FIELD_SECTION_SIZE announces). Default 64 KiB.
    pub max_field_section_size: u64,
    /// Longest single name or value in a field section. Default 64 KiB.
    pub max_string_len: usize,
    /// Total bytes of blocked sections held, each charged its length + 64. Default 256 KiB.
    pub max_blocked_bytes: usize,
}

impl Default for DecoderSettings {
    fn default() -> Self {
        Self {
            max_table_capacity: 4096,
            max_blocked_streams: 100,
            max_field_section_size: 64 * 1024,
            max_string_len: 64 * 1024,
            max_blocked_bytes: 256 * 1024,
        }
    }
}

/// The outcome of [`Decoder::decode_section`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// The section's fields, in order.
    Fields(Vec<Field>),
    /// The section needs inserts not yet received (RFC 9204 §2.1.2): it is held and comes out
    /// of [`Decoder::poll_event`] once they arrive.
    Blocked,
}

/// What the decoder reports on its own, for sections that were blocked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A blocked section of `stream_id` became decodable.
    Unblocked {
        /// The stream the section belongs to.
        stream_id: u64,
        /// Its fields, in order.
        fields: Vec<Field>,
    },
    /// A blocked section of `stream_id` was decoded but rejected by a per-stream limit
    /// ([`Error::FieldSectionTooLarge`]); the connection goes on.
    Rejected {
        /// The stream the section belongs to.
        stream_id: u64,
        /// Why.
        error: Error,
    },
}

/// A section waiting for inserts.
#[derive(Clone, Debug)]
struct BlockedSection {
    stream_id: u64,
    required_insert_count: u64,
    bytes: Vec<u8>,
}

/// The QPACK decoder (RFC 9204 §2.2).
///
/// Inputs: [`handle_encoder_stream`](Self::handle_encoder_stream) with the peer's encoder
/// stream bytes in any chunking, [`decode_section`](Self::decode_section) with each complete
/// encoded field section (an HTTP/3 HEADERS frame payload), and
/// [`cancel_stream`](Self::cancel_stream) when a request stream is reset. Outputs:
/// [`poll_event`](Self::poll_event) for sections released from blocking, and
/// [`poll_decoder_stream`](Self::poll_decoder_stream) for the bytes to send on our decoder
/// stream. A connection error is sticky: every later call returns it.
#[derive(Debug)]
pub struct Decoder {
    settings: DecoderSettings,
    table: DynamicTable,
    encoder_stream: StreamBuffer,
    blocked: VecDeque<BlockedSection>,
    /// Blocked sections per stream: its length is the number of blocked streams.
    blocked_per_stream: BTreeMap<u64, usize>,
    /// Bytes charged for the blocked sections (their length plus a per-section overhead).
    blocked_bytes: usize,
    events: VecDeque<Event>,
    /// Decoder instructions not yet handed out (Section Acknowledgments, Stream
    /// Cancellations); Insert Count Increments are added when polled.
    pending: Vec<u8>,
    /// The Known Received Count as the encoder will see it once `pending` is sent
    /// (RFC 9204 §2.1.4).
    known_received_count: u64,
    error: Option<Error>,
}

impl Decoder {
    /// A decoder announcing `settings`.
    pub fn new(settings: DecoderSettings) -> Self {
        Self {
            table: DynamicTable::new(settings.max_table_capacity),
            settings,
            encoder_stream: StreamBuffer::default(),
            blocked: VecDeque::new(),
            blocked_per_stream: BTreeMap::new(),
            blocked_bytes: 0,
            events: VecDeque::new(),
            pending: Vec::new(),
            known_received_count: 0,
            error: None,
        }
    }

    /// Sets the table capacity as if the encoder had sent Set Dynamic Table Capacity.
    ///
    /// RFC 9204 starts every table at capacity 0 (§3.2.3); the QPACK offline-interop files
    /// (`qifs`), made with drafts in which the table started at its maximum, need this with
    /// the maximum capacity. Fails above SETTINGS_QPACK_MAX_TABLE_CAPACITY.
    pub fn assume_capacity(&mut self, capacity: u64) -> Result<(), Error> {
        self.table.set_capacity(capacity).map_err(Error::Local)
    }

    /// The settings.
    pub fn settings(&self) -> &DecoderSettings {
        &self.settings
    }

    /// The dynamic table.
    pub fn table(&self) -> &DynamicTable {
        &self.table
    }

    /// Number of streams with a blocked section.
    pub fn blocked_streams(&self) -> usize {
        self.blocked_per_stream.len()
    }

    fn check(&self) -> Result<(), Error> {
        self.error.map_or(Ok(()), Err)
    }

    fn fail(&mut self, error: Error) -> Error {
        if error.is_connection_error() {
            self.error = Some(error);
        }
        error
    }

    /// Consumes bytes of the peer's encoder stream (RFC 9204 §4.3), in any chunking, and
    /// releases the blocked sections the new inserts complete (see [`poll_event`]).
    ///
    /// [`poll_event`]: Self::poll_event
    pub fn handle_encoder_stream(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.check()?;
        let result = self.process_encoder_stream(bytes);
        let result = result.and_then(|()| self.release_unblocked());
        result.map_err(|e| self.fail(e))
    }

    fn process_encoder_stream(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let max_capacity = usize::try_from(self.settings.max_table_capacity).unwrap_or(usize::MAX);
        // Any valid instruction carries an entry no larger than the capacity; Huffman coding
        // can stretch its strings to 30/8 of that, plus a few integer bytes.
        let limit = max_capacity.saturating_mul(4).saturating_add(64);
        let table = &mut self.table;
        self.encoder_stream.feed(
            bytes,
            limit,
            |r| EncoderInstruction::decode(r, max_capacity),
            |instruction| apply_encoder_instruction(table, instruction),
            Error::EncoderStream,
        )
    }

    /// Decodes one complete encoded field section of `stream_id` (RFC 9204 §4.5). A section
    /// that needs inserts not yet received is held ([`Decoded::Blocked`]), within
    /// SETTINGS_QPACK_BLOCKED_STREAMS.
    pub fn decode_section(&mut self, stream_id: u64, bytes: &[u8]) -> Result<Decoded, Error> {
        self.check()?;
        let result = self.decode_section_inner(stream_id, bytes);
        result.map_err(|e| self.fail(e))
    }

    fn decode_section_inner(&mut self, stream_id: u64, bytes: &[u8]) -> Result<Decoded, Error> {
        let mut r = Reader::new(bytes);
        let prefix =
            SectionPrefix::decode(&mut r, self.table.max_entries(), self.table.insert_count())
                .map_err(|e| {
                    Error::DecompressionFailed(match e {
                        DecodeError::Incomplete(_) => Reason::Truncated,
                        DecodeError::Invalid(reason) => reason,
                    })
                })?;
        let stream_blocked = self.blocked_per_stream.contains_key(&stream_id);
        if prefix.required_insert_count > self.table.insert_count() || stream_blocked {
            if !stream_blocked && self.blocked_streams() as u64 >= self.settings.max_blocked_streams
            {
                // §2.1.2: more blocked streams than promised.
                return Err(Error::DecompressionFailed(Reason::TooManyBlockedStreams));
            }
            let held = self.blocked_bytes.saturating_add(held_size(bytes));
            if held > self.settings.max_blocked_bytes {
                return Err(Error::ExcessiveLoad(Reason::BlockedBytesLimit));
            }
            self.blocked_bytes = held;
            *self.blocked_per_stream.entry(stream_id).or_default() += 1;
            self.blocked.push_back(BlockedSection {
                stream_id,
                required_insert_count: prefix.required_insert_count,
                bytes: bytes.to_vec(),
            });
            return Ok(Decoded::Blocked);
        }
        self.finish_section(stream_id, prefix, &mut r)
            .map(Decoded::Fields)
    }

    /// Decodes the field lines of a section whose inserts have all arrived, and queues its
    /// acknowledgment (RFC 9204 §4.4.1) or, if a per-stream limit rejected it, its
    /// cancellation (§4.4.2).
    fn finish_section(
        &mut self,
        stream_id: u64,
        prefix: SectionPrefix,
        r: &mut Reader<'_>,
    ) -> Result<Vec<Field>, Error> {
        let limits = SectionLimits {
            max_size: self.settings.max_field_section_size,
            max_string: self.settings.max_string_len,
        };
        let result = decode_field_lines(r, prefix, &self.table, limits);
        let ric = prefix.required_insert_count;
        match &result {
            Ok(_) if ric > 0 => {
                DecoderInstruction::SectionAcknowledgment(stream_id).encode(&mut self.pending);
                self.known_received_count = self.known_received_count.max(ric);
            }
            Err(Error::FieldSectionTooLarge { .. }) if ric > 0 => {
                DecoderInstruction::StreamCancellation(stream_id).encode(&mut self.pending);
            }
            _ => {}
        }
        result
    }

    /// Decodes, in arrival order, every blocked section whose Required Insert Count has been
    /// reached, keeping each stream's sections in order.
    fn release_unblocked(&mut self) -> Result<(), Error> {
        let insert_count = self.table.insert_count();
        if !self
            .blocked
            .iter()
            .any(|s| s.required_insert_count <= insert_count)
        {
            return Ok(());
        }
        let mut still_blocked: VecDeque<BlockedSection> = VecDeque::new();
        // Streams with a section still blocked: their later sections wait behind it.
        let mut waiting: BTreeSet<u64> = BTreeSet::new();
        while let Some(section) = self.blocked.pop_front() {
            if waiting.contains(&section.stream_id) || section.required_insert_count > insert_count
            {
                waiting.insert(section.stream_id);
                still_blocked.push_back(section);
                continue;
            }
            self.blocked_bytes = self.blocked_bytes.saturating_sub(held_size(&section.bytes));
            if let Some(count) = self.blocked_per_stream.get_mut(&section.stream_id) {
                *count -= 1;
                if *count == 0 {
                    self.blocked_per_stream.remove(&section.stream_id);
                }
            }
            let mut r = Reader::new(&section.bytes);
            let prefix = SectionPrefix::decode(&mut r, self.table.max_entries(), insert_count)
                .map_err(|e| {
                    Error::DecompressionFailed(e.invalid().unwrap_or(Reason::Truncated))
                })?;
            match self.finish_section(section.stream_id, prefix, &mut r) {
                Ok(fields) => self.events.push_back(Event::Unblocked {
                    stream_id: section.stream_id,
                    fields,
                }),
                Err(error @ Error::FieldSectionTooLarge { .. }) => {
                    self.events.push_back(Event::Rejected {
                        stream_id: section.stream_id,
                        error,
                    })
                }
                Err(error) => return Err(error),
            }
        }
        self.blocked = still_blocked;
        Ok(())
    }

    /// The stream was reset or its reading abandoned (RFC 9204 §2.2.2.2): drops its blocked
    /// sections and queues a Stream Cancellation.
    pub fn cancel_stream(&mut self, stream_id: u64) {
        if self.blocked_per_stream.remove(&stream_id).is_some() {
            self.blocked.retain(|s| s.stream_id != stream_id);
            self.blocked_bytes = self.blocked.iter().map(|s| held_size(&s.bytes)).sum();
        }
        // §4.4.2: a decoder whose maximum capacity is zero may omit it.
        if self.settings.max_table_capacity > 0 {
            DecoderInstruction::StreamCancellation(stream_id).encode(&mut self.pending);
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Appends the decoder-stream bytes to send (RFC 9204 §4.4): queued acknowledgments and
    /// cancellations, then an Insert Count Increment for inserts not yet acknowledged. Returns
    /// how many bytes were appended.
    pub fn poll_decoder_stream(&mut self, out: &mut Vec<u8>) -> usize {
        let start = out.len();
        out.append(&mut self.pending);
        let insert_count = self.table.insert_count();
        if insert_count > self.known_received_count {
            DecoderInstruction::InsertCountIncrement(insert_count - self.known_received_count)
                .encode(out);
            self.known_received_count = insert_count;
        }
        out.len() - start
    }
}

/// What a held section is charged against `max_blocked_bytes`: its bytes and the bookkeeping
/// around them, so that many tiny sections cannot hold more memory than the limit says.
fn held_size(bytes: &[u8]) -> usize {
    bytes.len().saturating_add(64)
}

/// Applies one encoder instruction to the table (RFC 9204 §4.3).
fn apply_encoder_instruction(
    table: &mut DynamicTable,
    instruction: EncoderInstruction,
) -> Result<(), Error> {
    let failed = Error::EncoderStream;
    match instruction {
        EncoderInstruction::SetCapacity(capacity) => table.set_capacity(capacity),
        EncoderInstruction::InsertWithNameRef {
            is_static: true,
            index,
            value,
        } => {
            let (name, _) = static_table::get(index).ok_or(failed(Reason::InvalidStaticIndex))?;
            table.insert(name.to_vec(), value)
        }
        EncoderInstruction::InsertWithNameRef {
            is_static: false,
            index,
            value,
        } => {
            // The name is copied first: the insert may evict the entry it names (§3.2.2).
            let abs = table.relative_to_absolute(index).map_err(failed)?;
            let name = table.get(abs).map_err(failed)?.0.to_vec();
            table.insert(name, value)
        }
        EncoderInstruction::InsertWithLiteralName { name, value } => table.insert(name, value),
        EncoderInstruction::Duplicate(index) => {
            let abs = table.relative_to_absolute(index).map_err(failed)?;
            let (name, value) = table.get(abs).map_err(failed)?;
            let (name, value) = (name.to_vec(), value.to_vec());
            table.insert(name, value)
        }
    }
    .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qpack::{Encoder, EncoderSettings, instruction::EncoderInstruction};
    use alloc::vec;

    fn settings(capacity: u64, blocked: u64) -> DecoderSettings {
        DecoderSettings {
            max_table_capacity: capacity,
            max_blocked_streams: blocked,
            ..DecoderSettings::default()
        }
    }

    fn insert_literal(name: &[u8], value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        EncoderInstruction::InsertWithLiteralName {
            name: name.to_vec(),
            value: value.to_vec(),
        }
        .encode(&mut out);
        out
    }

    /// A section with Required Insert Count `ric` (MaxEntries 3, capacity 100) indexing the
    /// newest entry.
    fn section_needing(ric: u64) -> Vec<u8> {
        let mut out = Vec::new();
        SectionPrefix {
            required_insert_count: ric,
            base: ric,
        }
        .encode(3, &mut out);
        out.push(0x80); // Indexed, dynamic, relative index 0.
        out
    }

    #[test]
    fn blocked_streams_limit_is_exact() {
        let mut d = Decoder::new(settings(100, 2));
        let mut capacity = Vec::new();
        EncoderInstruction::SetCapacity(100).encode(&mut capacity);
        d.handle_encoder_stream(&capacity).unwrap();
        assert_eq!(
            d.decode_section(4, &section_needing(1)),
            Ok(Decoded::Blocked)
        );
        // A second section of the same stream does not count as another blocked stream.
        assert_eq!(
            d.decode_section(4, &section_needing(1)),
            Ok(Decoded::Blocked)
        );
        assert_eq!(
            d.decode_section(8, &section_needing(1)),
            Ok(Decoded::Blocked)
        );
        assert_eq!(d.blocked_streams(), 2);
        assert_eq!(
            d.decode_section(12, &section_needing(1)),
            Err(Error::DecompressionFailed(Reason::TooManyBlockedStreams))
        );
        // Sticky.
        assert!(d.handle_encoder_stream(&[]).is_err());
    }

    /// Many tiny sections on one blocked stream: each is charged its overhead, so the
    /// held memory stays within `max_blocked_bytes`.
    #[test]
    fn many_tiny_blocked_sections_hit_the_byte_limit() {
        let mut d = Decoder::new(DecoderSettings {
            max_blocked_bytes: 2048,
            ..settings(100, 1)
        });
        let mut capacity = Vec::new();
        EncoderInstruction::SetCapacity(100).encode(&mut capacity);
        d.handle_encoder_stream(&capacity).unwrap();
        let mut accepted = 0;
        let error = loop {
            match d.decode_section(4, &section_needing(1)) {
                Ok(Decoded::Blocked) => accepted += 1,
                other => break other,
            }
        };
        assert_eq!(error, Err(Error::ExcessiveLoad(Reason::BlockedBytesLimit)));
        assert_eq!(accepted, 2048 / (3 + 64));
    }

    #[test]
    fn blocked_sections_are_released_in_order_and_acknowledged() {
        let mut d = Decoder::new(settings(100, 2));
        let mut stream = Vec::new();
        EncoderInstruction::SetCapacity(100).encode(&mut stream);
        d.handle_encoder_stream(&stream).unwrap();
        assert_eq!(
            d.decode_section(4, &section_needing(1)),
            Ok(Decoded::Blocked)
        );
        assert_eq!(
            d.decode_section(8, &section_needing(2)),
            Ok(Decoded::Blocked)
        );
        let first = insert_literal(b"a", b"1");
        // Split in the middle of the instruction: nothing is released until it is whole.
        d.handle_encoder_stream(&first[..2]).unwrap();
        assert_eq!(d.poll_event(), None);
        d.handle_encoder_stream(&first[2..]).unwrap();
        assert_eq!(
            d.poll_event(),
            Some(Event::Unblocked {
                stream_id: 4,
                fields: vec![Field::new("a", "1")]
            })
        );
        assert_eq!(d.poll_event(), None);
        d.handle_encoder_stream(&insert_literal(b"b", b"2"))
            .unwrap();
        assert_eq!(
            d.poll_event(),
            Some(Event::Unblocked {
                stream_id: 8,
                fields: vec![Field::new("b", "2")]
            })
        );
        let mut out = Vec::new();
        d.poll_decoder_stream(&mut out);
        // Section Acknowledgments for 4 and 8; they cover both inserts, so no increment.
        assert_eq!(out, [0x84, 0x88]);
    }

    #[test]
    fn cancelled_stream_is_dropped_and_announced() {
        let mut d = Decoder::new(settings(100, 1));
        let mut stream = Vec::new();
        EncoderInstruction::SetCapacity(100).encode(&mut stream);
        d.handle_encoder_stream(&stream).unwrap();
        assert_eq!(
            d.decode_section(4, &section_needing(1)),
            Ok(Decoded::Blocked)
        );
        d.cancel_stream(4);
        assert_eq!(d.blocked_streams(), 0);
        d.handle_encoder_stream(&insert_literal(b"a", b"1"))
            .unwrap();
        assert_eq!(d.poll_event(), None);
        let mut out = Vec::new();
        d.poll_decoder_stream(&mut out);
        // Stream Cancellation, then an Insert Count Increment of 1.
        assert_eq!(out, [0x44, 0x01]);
    }

    /// One 100-byte entry referenced a thousand times: the limit stops it after a few
    /// fields, before the copies are made, and the connection survives.
    #[test]
    fn decompression_bomb_fails_cleanly() {
        let mut d = Decoder::new(DecoderSettings {
            max_table_capacity: 4096,
            max_field_section_size: 1000,
            ..DecoderSettings::default()
        });
        let mut stream = Vec::new();
        EncoderInstruction::SetCapacity(4096).encode(&mut stream);
        stream.extend(insert_literal(b"x", &[b'y'; 100]));
        d.handle_encoder_stream(&stream).unwrap();
        let mut section = Vec::new();
        SectionPrefix {
            required_insert_count: 1,
            base: 1,
        }
        .encode(128, &mut section);
        section.extend(core::iter::repeat_n(0x80, 1000));
        assert_eq!(
            d.decode_section(4, &section),
            Err(Error::FieldSectionTooLarge { limit: 1000 })
        );
        assert!(
            !d.decode_section(4, &section)
                .unwrap_err()
                .is_connection_error()
        );
        // Stream Cancellation for the rejected section.
        let mut out = Vec::new();
        d.poll_decoder_stream(&mut out);
        assert_eq!(out.first(), Some(&0x44));
        // A small section still decodes.
        let mut small = Vec::new();
        SectionPrefix {
            required_insert_count: 1,
            base: 1,
        }
        .encode(128, &mut small);
        small.push(0x80);
        assert!(matches!(d.decode_section(8, &small), Ok(Decoded::Fields(f)) if f.len() == 1));
    }

    #[test]
    fn long_strings_are_refused_before_they_arrive() {
        let mut d = Decoder::new(DecoderSettings {
            max_string_len: 10,
            ..DecoderSettings::default()
        });
        // Literal with literal name, name length 1000 announced, no bytes yet.
        let mut section = vec![0, 0];
        crate::prefix_int::encode(&mut section, 0x20, 3, 1000).unwrap();
        assert_eq!(
            d.decode_section(4, &section),
            Err(Error::FieldSectionTooLarge { limit: 64 * 1024 })
        );
        // On the encoder stream, an entry larger than the maximum capacity is refused as soon
        // as its length is known, and a partial instruction is never buffered beyond the bound.
        let mut d = Decoder::new(settings(64, 0));
        let mut stream = Vec::new();
        crate::prefix_int::encode(&mut stream, 0x40, 5, 1 << 20).unwrap();
        assert_eq!(
            d.handle_encoder_stream(&stream),
            Err(Error::EncoderStream(Reason::StringTooLong))
        );
    }

    #[test]
    fn encoder_stream_errors() {
        let mut d = Decoder::new(settings(100, 0));
        let mut s = Vec::new();
        EncoderInstruction::SetCapacity(101).encode(&mut s);
        assert_eq!(
            d.handle_encoder_stream(&s),
            Err(Error::EncoderStream(Reason::CapacityTooLarge))
        );
        let mut d = Decoder::new(settings(100, 0));
        // Insert before any capacity: the entry does not fit capacity 0.
        assert_eq!(
            d.handle_encoder_stream(&insert_literal(b"a", b"b")),
            Err(Error::EncoderStream(Reason::EntryTooLarge))
        );
        let mut d = Decoder::new(settings(100, 0));
        let mut s = Vec::new();
        EncoderInstruction::SetCapacity(100).encode(&mut s);
        EncoderInstruction::InsertWithNameRef {
            is_static: false,
            index: 0,
            value: b"v".to_vec(),
        }
        .encode(&mut s);
        assert_eq!(
            d.handle_encoder_stream(&s),
            Err(Error::EncoderStream(Reason::ReferenceBeyondInsertCount))
        );
    }

    /// MaxEntries = 0: every section must have Required Insert Count 0.
    #[test]
    fn zero_capacity_decoder() {
        let mut d = Decoder::new(settings(0, 0));
        assert!(matches!(
            d.decode_section(0, &[0, 0, 0xd1]),
            Ok(Decoded::Fields(_))
        ));
        assert_eq!(
            d.decode_section(4, &[1, 0]),
            Err(Error::DecompressionFailed(
                Reason::InvalidRequiredInsertCount
            ))
        );
    }

    /// Our encoder with a zero-capacity peer never touches the dynamic table.
    #[test]
    fn encoder_for_zero_capacity_uses_static_and_literals() {
        let mut e = Encoder::new(EncoderSettings::new(0, 0));
        let mut out = Vec::new();
        e.encode(
            0,
            &[Field::new(":method", "GET"), Field::new("x", "y")],
            &mut out,
        )
        .unwrap();
        let mut stream = Vec::new();
        assert_eq!(e.poll_encoder_stream(&mut stream), 0);
        let mut d = Decoder::new(settings(0, 0));
        assert_eq!(
            d.decode_section(0, &out),
            Ok(Decoded::Fields(vec![
                Field::new(":method", "GET"),
                Field::new("x", "y")
            ]))
        );
    }
}
