//! Encoded field sections (RFC 9204 §4.5): the prefix with Required Insert Count and Base, and
//! the five field line representations.

use super::table::DynamicTable;
use super::wire::{read_int, read_string_into, write_int, write_string_with};
use super::{Error, Field, Reason, entry_size, static_table};
use alloc::vec::Vec;
use wire_codec::{DecodeError, Reader};

/// Encodes a Required Insert Count (RFC 9204 §4.5.1.1): 0 stays 0, otherwise
/// `RIC mod (2 * MaxEntries) + 1`. `max_entries` must be non-zero when `ric` is.
pub fn encode_required_insert_count(ric: u64, max_entries: u64) -> u64 {
    if ric == 0 {
        return 0;
    }
    match max_entries.checked_mul(2) {
        Some(full_range) if full_range > 0 => ric % full_range + 1,
        _ => ric.saturating_add(1),
    }
}

/// Decodes an encoded Required Insert Count (RFC 9204 §4.5.1.1) given MaxEntries and the
/// decoder's total number of inserts, undoing the wrap-around.
pub fn decode_required_insert_count(
    encoded: u64,
    max_entries: u64,
    total_inserts: u64,
) -> Result<u64, Reason> {
    if encoded == 0 {
        return Ok(0);
    }
    let full_range = max_entries
        .checked_mul(2)
        .ok_or(Reason::InvalidRequiredInsertCount)?;
    if encoded > full_range {
        return Err(Reason::InvalidRequiredInsertCount);
    }
    let max_value = total_inserts
        .checked_add(max_entries)
        .ok_or(Reason::InvalidRequiredInsertCount)?;
    let max_wrapped = max_value / full_range * full_range;
    let mut ric = max_wrapped + encoded - 1;
    if ric > max_value {
        if ric <= full_range {
            return Err(Reason::InvalidRequiredInsertCount);
        }
        ric -= full_range;
    }
    if ric == 0 {
        return Err(Reason::InvalidRequiredInsertCount);
    }
    Ok(ric)
}

/// The decoded prefix of a field section (RFC 9204 §4.5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionPrefix {
    /// The Required Insert Count (§4.5.1.1).
    pub required_insert_count: u64,
    /// The Base (§4.5.1.2).
    pub base: u64,
}

impl SectionPrefix {
    /// Decodes the prefix: encoded Required Insert Count (8+), then sign bit and Delta Base (7+).
    pub fn decode(
        r: &mut Reader<'_>,
        max_entries: u64,
        total_inserts: u64,
    ) -> Result<Self, DecodeError<Reason>> {
        let encoded = read_int(r, 8)?;
        let ric = decode_required_insert_count(encoded, max_entries, total_inserts)
            .map_err(DecodeError::Invalid)?;
        let negative = r.peek_u8()? & 0x80 != 0;
        let delta = read_int(r, 7)?;
        let base = if negative {
            // Base = RIC - Delta Base - 1, which must not be negative.
            ric.checked_sub(delta)
                .and_then(|b| b.checked_sub(1))
                .ok_or(DecodeError::Invalid(Reason::NegativeBase))?
        } else {
            ric.checked_add(delta)
                .ok_or(DecodeError::Invalid(Reason::IntegerTooLarge))?
        };
        Ok(Self {
            required_insert_count: ric,
            base,
        })
    }

    /// Appends the prefix with the given MaxEntries.
    pub fn encode(&self, max_entries: u64, out: &mut Vec<u8>) {
        let ric = self.required_insert_count;
        write_int(out, 0, 8, encode_required_insert_count(ric, max_entries));
        if self.base >= ric {
            write_int(out, 0x00, 7, self.base - ric);
        } else {
            write_int(out, 0x80, 7, ric - self.base - 1);
        }
    }
}

/// One field line representation (RFC 9204 §4.5.2–§4.5.6), with dynamic references already
/// made absolute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldLine {
    /// Indexed Field Line, static (§4.5.2, `T` = 1).
    IndexedStatic(u64),
    /// Indexed Field Line, dynamic (§4.5.2) or with Post-Base Index (§4.5.3): absolute index.
    IndexedDynamic(u64),
    /// Literal Field Line with Name Reference, static name (§4.5.4).
    StaticNameRef {
        /// Static index of the name.
        index: u64,
        /// The value.
        value: Vec<u8>,
        /// `N`: never index.
        never_indexed: bool,
    },
    /// Literal Field Line with (Post-Base) Name Reference, dynamic name (§4.5.4, §4.5.5):
    /// absolute index.
    DynamicNameRef {
        /// Absolute index of the name.
        index: u64,
        /// The value.
        value: Vec<u8>,
        /// `N`: never index.
        never_indexed: bool,
    },
    /// Literal Field Line with Literal Name (§4.5.6).
    LiteralName {
        /// The name.
        name: Vec<u8>,
        /// The value.
        value: Vec<u8>,
        /// `N`: never index.
        never_indexed: bool,
    },
}

/// Absolute index of a relative index in a field line: Base - 1 - index (RFC 9204 §3.2.5).
fn relative(base: u64, index: u64) -> Result<u64, Reason> {
    base.checked_sub(index)
        .and_then(|i| i.checked_sub(1))
        .ok_or(Reason::InvalidRelativeIndex)
}

/// Absolute index of a post-base index: Base + index (RFC 9204 §3.2.6).
fn post_base(base: u64, index: u64) -> Result<u64, Reason> {
    base.checked_add(index)
        .ok_or(Reason::ReferenceBeyondInsertCount)
}

/// Limits applied while decoding one field section.
#[derive(Clone, Copy, Debug)]
pub(super) struct SectionLimits {
    /// Maximum decoded size, name + value + 32 per field (RFC 9114 §4.2.2).
    pub(super) max_size: u64,
    /// Maximum length of one string.
    pub(super) max_string: usize,
}

/// Decodes the field lines after the prefix (RFC 9204 §4.5.2–§4.5.6) into fields, checking every
/// dynamic reference against the table and `prefix` and charging each field against `limits`
/// before copying it.
pub(super) fn decode_field_lines(
    r: &mut Reader<'_>,
    prefix: SectionPrefix,
    table: &DynamicTable,
    limits: SectionLimits,
) -> Result<Vec<Field>, Error> {
    let SectionPrefix {
        required_insert_count: ric,
        base,
    } = prefix;
    let failed = Error::DecompressionFailed;
    let mut fields = Vec::new();
    let mut size = 0u64;
    // The largest absolute index referenced, to check the Required Insert Count is exact.
    let mut needed_inserts = 0u64;
    let dynamic = |abs: u64, needed: &mut u64| -> Result<(&[u8], &[u8]), Error> {
        if abs >= ric {
            return Err(failed(Reason::ReferenceBeyondInsertCount));
        }
        *needed = (*needed).max(abs + 1);
        table.get(abs).map_err(failed)
    };
    let too_large = Error::FieldSectionTooLarge {
        limit: limits.max_size,
    };
    // Charges a field of known name and value lengths; fails before anything is copied.
    let charge = |size: &mut u64, name: usize, value: usize| -> Result<(), Error> {
        *size = size.saturating_add(entry_size(name, value));
        if *size > limits.max_size {
            return Err(too_large);
        }
        Ok(())
    };
    let string_limit = |size: u64| {
        // What the section may still hold, and never more than the string limit.
        let left = limits.max_size.saturating_sub(size);
        usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(limits.max_string)
    };
    // Incomplete inside a whole section means it was cut short.
    let invalid = |e: DecodeError<Reason>| match e {
        DecodeError::Incomplete(_) => failed(Reason::Truncated),
        DecodeError::Invalid(Reason::StringTooLong) => too_large,
        DecodeError::Invalid(reason) => failed(reason),
    };
    while !r.is_empty() {
        let first = r.peek_u8().map_err(|_| failed(Reason::Truncated))?;
        if first & 0x80 != 0 {
            // Indexed Field Line (§4.5.2): 1 T index(6+).
            let index = read_int(r, 6).map_err(invalid)?;
            let (name, value) = if first & 0x40 != 0 {
                static_table::get(index).ok_or(failed(Reason::InvalidStaticIndex))?
            } else {
                dynamic(relative(base, index).map_err(failed)?, &mut needed_inserts)?
            };
            charge(&mut size, name.len(), value.len())?;
            fields.push(Field {
                name: name.to_vec(),
                value: value.to_vec(),
                sensitive: false,
            });
        } else if first & 0x40 != 0 {
            // Literal Field Line with Name Reference (§4.5.4): 01 N T index(4+), value.
            let never_indexed = first & 0x20 != 0;
            let index = read_int(r, 4).map_err(invalid)?;
            let name = if first & 0x10 != 0 {
                static_table::get(index)
                    .ok_or(failed(Reason::InvalidStaticIndex))?
                    .0
            } else {
                dynamic(relative(base, index).map_err(failed)?, &mut needed_inserts)?.0
            };
            charge(&mut size, name.len(), 0)?;
            let mut value = Vec::new();
            read_string_into(r, 7, string_limit(size), &mut value).map_err(invalid)?;
            size = size.saturating_add(value.len() as u64);
            fields.push(Field {
                name: name.to_vec(),
                value,
                sensitive: never_indexed,
            });
        } else if first & 0x20 != 0 {
            // Literal Field Line with Literal Name (§4.5.6): 001 N H namelen(3+), name, value.
            let never_indexed = first & 0x10 != 0;
            charge(&mut size, 0, 0)?;
            let mut name = Vec::new();
            read_string_into(r, 3, string_limit(size), &mut name).map_err(invalid)?;
            size = size.saturating_add(name.len() as u64);
            let mut value = Vec::new();
            read_string_into(r, 7, string_limit(size), &mut value).map_err(invalid)?;
            size = size.saturating_add(value.len() as u64);
            fields.push(Field {
                name,
                value,
                sensitive: never_indexed,
            });
        } else if first & 0x10 != 0 {
            // Indexed Field Line with Post-Base Index (§4.5.3): 0001 index(4+).
            let index = read_int(r, 4).map_err(invalid)?;
            let abs = post_base(base, index).map_err(failed)?;
            let (name, value) = dynamic(abs, &mut needed_inserts)?;
            charge(&mut size, name.len(), value.len())?;
            fields.push(Field {
                name: name.to_vec(),
                value: value.to_vec(),
                sensitive: false,
            });
        } else {
            // Literal Field Line with Post-Base Name Reference (§4.5.5): 0000 N index(3+), value.
            let never_indexed = first & 0x08 != 0;
            let index = read_int(r, 3).map_err(invalid)?;
            let abs = post_base(base, index).map_err(failed)?;
            let name = dynamic(abs, &mut needed_inserts)?.0;
            charge(&mut size, name.len(), 0)?;
            let mut value = Vec::new();
            read_string_into(r, 7, string_limit(size), &mut value).map_err(invalid)?;
            size = size.saturating_add(value.len() as u64);
            fields.push(Field {
                name: name.to_vec(),
                value,
                sensitive: never_indexed,
            });
        }
        if size > limits.max_size {
            return Err(too_large);
        }
    }
    // §2.2.1: a Required Insert Count larger than needed MAY be treated as an error; every
    // encoder we know of sends the exact value, and a larger one would block for nothing.
    if needed_inserts != ric {
        return Err(failed(Reason::RequiredInsertCountTooLarge));
    }
    Ok(fields)
}

/// Writers for the representations, used by the encoder.
pub(super) mod write {
    use super::*;

    /// Indexed Field Line, static (§4.5.2).
    pub(in super::super) fn indexed_static(out: &mut Vec<u8>, index: u64) {
        write_int(out, 0xc0, 6, index);
    }

    /// Indexed Field Line, dynamic, or with Post-Base Index (§4.5.2, §4.5.3).
    pub(in super::super) fn indexed_dynamic(out: &mut Vec<u8>, base: u64, abs: u64) {
        if abs < base {
            write_int(out, 0x80, 6, base - 1 - abs);
        } else {
            write_int(out, 0x10, 4, abs - base);
        }
    }

    /// Literal Field Line with static Name Reference (§4.5.4).
    pub(in super::super) fn static_name_ref(
        out: &mut Vec<u8>,
        index: u64,
        value: &[u8],
        never_indexed: bool,
        huffman: bool,
    ) {
        let n = if never_indexed { 0x20 } else { 0 };
        write_int(out, 0x50 | n, 4, index);
        write_string_with(out, 0, 7, value, huffman);
    }

    /// Literal Field Line with dynamic (Post-Base) Name Reference (§4.5.4, §4.5.5).
    pub(in super::super) fn dynamic_name_ref(
        out: &mut Vec<u8>,
        base: u64,
        abs: u64,
        value: &[u8],
        never_indexed: bool,
        huffman: bool,
    ) {
        if abs < base {
            let n = if never_indexed { 0x20 } else { 0 };
            write_int(out, 0x40 | n, 4, base - 1 - abs);
        } else {
            let n = if never_indexed { 0x08 } else { 0 };
            write_int(out, n, 3, abs - base);
        }
        write_string_with(out, 0, 7, value, huffman);
    }

    /// Literal Field Line with Literal Name (§4.5.6).
    pub(in super::super) fn literal_name(
        out: &mut Vec<u8>,
        name: &[u8],
        value: &[u8],
        never_indexed: bool,
        huffman: bool,
    ) {
        let n = if never_indexed { 0x10 } else { 0 };
        write_string_with(out, 0x20 | n, 3, name, huffman);
        write_string_with(out, 0, 7, value, huffman);
    }
}

impl FieldLine {
    /// Appends the representation relative to `base`, strings Huffman-coded when shorter.
    pub fn encode(&self, base: u64, out: &mut Vec<u8>) {
        self.encode_with(base, out, true);
    }

    /// Appends the representation relative to `base`, with Huffman coding allowed or not.
    pub fn encode_with(&self, base: u64, out: &mut Vec<u8>, huffman: bool) {
        match self {
            Self::IndexedStatic(i) => write::indexed_static(out, *i),
            Self::IndexedDynamic(abs) => write::indexed_dynamic(out, base, *abs),
            Self::StaticNameRef {
                index,
                value,
                never_indexed,
            } => write::static_name_ref(out, *index, value, *never_indexed, huffman),
            Self::DynamicNameRef {
                index,
                value,
                never_indexed,
            } => write::dynamic_name_ref(out, base, *index, value, *never_indexed, huffman),
            Self::LiteralName {
                name,
                value,
                never_indexed,
            } => write::literal_name(out, name, value, *never_indexed, huffman),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9204 §4.5.1.1 wrap-around: every RIC within reach of the decoder's state decodes
    /// back, for several table sizes.
    #[test]
    fn required_insert_count_round_trips_across_wraps() {
        for max_entries in [1u64, 2, 3, 7, 128] {
            for total in 0..(6 * max_entries + 3) {
                // The encoder can reference at most MaxEntries entries back, and not beyond
                // what the decoder will eventually get (we test up to MaxEntries ahead).
                let low = (total + 1).saturating_sub(max_entries).max(1);
                for ric in low..=total + max_entries {
                    let encoded = encode_required_insert_count(ric, max_entries);
                    assert_eq!(
                        decode_required_insert_count(encoded, max_entries, total),
                        Ok(ric),
                        "max_entries {max_entries} total {total} ric {ric}"
                    );
                }
            }
        }
        assert_eq!(decode_required_insert_count(0, 0, 0), Ok(0));
        // MaxEntries = 0: any non-zero encoding is invalid.
        assert!(decode_required_insert_count(1, 0, 0).is_err());
        // Encoded above 2 * MaxEntries.
        assert!(decode_required_insert_count(9, 4, 0).is_err());
        // §4.5.1.1: would decode to 0 or into the invalid zone.
        assert!(decode_required_insert_count(1, 4, 0).is_err());
    }

    #[test]
    fn base_sign_bit() {
        let mut out = Vec::new();
        let p = SectionPrefix {
            required_insert_count: 4,
            base: 1,
        };
        p.encode(10, &mut out);
        assert_eq!(out, [5, 0x82]);
        let mut r = Reader::new(&out);
        assert_eq!(SectionPrefix::decode(&mut r, 10, 4), Ok(p));
        // Sign 1 with Delta Base = RIC - 1 gives Base 0; Delta Base = RIC is negative.
        let mut r = Reader::new(&[5, 0x83]);
        assert_eq!(SectionPrefix::decode(&mut r, 10, 4).unwrap().base, 0);
        let mut r = Reader::new(&[5, 0x84]);
        assert_eq!(
            SectionPrefix::decode(&mut r, 10, 4),
            Err(DecodeError::Invalid(Reason::NegativeBase))
        );
    }
}
