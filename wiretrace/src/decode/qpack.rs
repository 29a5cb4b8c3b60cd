//! `decode qpack`: QPACK (RFC 9204).
//!
//! - `--qif-out FILE --table-size N --max-blocked B`: FILE is a QPACK offline-interop record
//!   file (`stream id: u64 BE | length: u32 BE | bytes`, stream 0 the encoder stream, every
//!   other record one field section). All records share one decoder; the sections are printed
//!   in stream-id order in `.qif` format (`name<TAB>value`, a blank line after each section), so
//!   `diff` against the encoder's input works.
//! - Otherwise the input (hex) is one encoded field section, decoded with an empty dynamic
//!   table: one `name<TAB>value` line per field.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use qpack_hpack::qpack::{Decoded, Decoder, DecoderSettings, Event, Field};

use crate::Failure;
use crate::input::InputArgs;

/// Arguments of `decode qpack`.
#[derive(Debug, clap::Args)]
pub struct QpackArgs {
    /// Decode this QPACK offline-interop record file and print its sections as a .qif.
    #[arg(long, value_name = "FILE")]
    pub qif_out: Option<PathBuf>,
    /// SETTINGS_QPACK_MAX_TABLE_CAPACITY of the decoder (with --qif-out; the interop files name
    /// it: `<name>.out.<table size>.<max blocked>.<ack mode>`).
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub table_size: u64,
    /// SETTINGS_QPACK_BLOCKED_STREAMS of the decoder (with --qif-out).
    #[arg(long, value_name = "B", default_value_t = 100)]
    pub max_blocked: u64,
    /// One encoded field section in hex (without --qif-out).
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs `decode qpack`.
pub fn run(args: &QpackArgs, out: &mut impl Write) -> Result<(), Failure> {
    match &args.qif_out {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            records_to_qif(&bytes, args.table_size, args.max_blocked, out)
        }
        None => section(&args.input.bytes()?, out),
    }
}

fn write_fields(fields: &[Field], out: &mut impl Write) -> Result<(), Failure> {
    for field in fields {
        out.write_all(&field.name)?;
        out.write_all(b"\t")?;
        out.write_all(&field.value)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One field section with an empty table.
pub fn section(bytes: &[u8], out: &mut impl Write) -> Result<(), Failure> {
    let mut decoder = Decoder::new(DecoderSettings {
        max_table_capacity: 0,
        max_blocked_streams: 0,
        ..DecoderSettings::default()
    });
    match decoder.decode_section(0, bytes) {
        Ok(Decoded::Fields(fields)) => write_fields(&fields, out),
        Ok(Decoded::Blocked) => Err(Failure("the section needs dynamic table entries".into())),
        Err(e) => Err(Failure(format!("{e} (error code {:#06x})", e.code()))),
    }
}

/// A record file through one decoder, printed as a .qif in stream-id order.
pub fn records_to_qif(
    bytes: &[u8],
    table_size: u64,
    max_blocked: u64,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut decoder = Decoder::new(DecoderSettings {
        max_table_capacity: table_size,
        max_blocked_streams: max_blocked,
        ..DecoderSettings::default()
    });
    // The interop files come from drafts in which the table started at its maximum capacity.
    decoder
        .assume_capacity(table_size)
        .map_err(|e| Failure(e.to_string()))?;
    let mut sections: BTreeMap<u64, Vec<Field>> = BTreeMap::new();
    let mut rest = bytes;
    let mut offset = 0usize;
    while !rest.is_empty() {
        let header = rest
            .get(..12)
            .ok_or_else(|| Failure(format!("@{offset}: truncated record header")))?;
        let (id, len) = header.split_at(8);
        let stream_id = u64::from_be_bytes(id.try_into().unwrap_or_default());
        let len = u32::from_be_bytes(len.try_into().unwrap_or_default()) as usize;
        let data = rest
            .get(12..12 + len)
            .ok_or_else(|| Failure(format!("@{offset}: truncated record of {len} bytes")))?;
        let fail = |e: qpack_hpack::qpack::Error| {
            Failure(format!(
                "@{offset}: stream {stream_id}: {e} (error code {:#06x})",
                e.code()
            ))
        };
        if stream_id == 0 {
            decoder.handle_encoder_stream(data).map_err(fail)?;
        } else if let Decoded::Fields(fields) =
            decoder.decode_section(stream_id, data).map_err(fail)?
        {
            sections.insert(stream_id, fields);
        }
        while let Some(event) = decoder.poll_event() {
            match event {
                Event::Unblocked { stream_id, fields } => {
                    sections.insert(stream_id, fields);
                }
                Event::Rejected { stream_id, error } => {
                    return Err(Failure(format!("stream {stream_id}: {error}")));
                }
                _ => {}
            }
        }
        rest = rest.get(12 + len..).unwrap_or_default();
        offset += 12 + len;
    }
    if decoder.blocked_streams() > 0 {
        return Err(Failure(format!(
            "{} stream(s) still blocked at the end of the file",
            decoder.blocked_streams()
        )));
    }
    for fields in sections.values() {
        write_fields(fields, out)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
