//! `decode h2`: one direction of an HTTP/2 connection (RFC 9113), with or without the client
//! preface, as one line per frame: type, flags, stream id, and the decoded HPACK fields of
//! header blocks (joined across CONTINUATION frames).

use std::io::Write;

use h2_proto::connection::PREFACE;
use h2_proto::frame::{self, Frame, FrameHeader, MAX_MAX_FRAME_SIZE, kind, setting};
use qpack_hpack::hpack;
use wire_codec::DecodeError;

use crate::Failure;
use crate::input::InputArgs;

/// Arguments of `decode h2`.
#[derive(Debug, clap::Args)]
pub struct H2Args {
    /// The bytes are what the client sent (the preface is expected, though optional).
    #[arg(long, conflicts_with = "server")]
    pub client: bool,
    /// The bytes are what the server sent.
    #[arg(long)]
    pub server: bool,
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Decodes the input's frames.
pub fn run(args: &H2Args, out: &mut impl Write) -> Result<(), Failure> {
    frames(&args.input.bytes()?, args.server, out)
}

fn flag_names(kind: u8, flags: u8) -> String {
    let known: &[(u8, &str)] = match kind {
        kind::DATA => &[(0x1, "END_STREAM"), (0x8, "PADDED")],
        kind::HEADERS => &[
            (0x1, "END_STREAM"),
            (0x4, "END_HEADERS"),
            (0x8, "PADDED"),
            (0x20, "PRIORITY"),
        ],
        kind::SETTINGS | kind::PING => &[(0x1, "ACK")],
        kind::PUSH_PROMISE => &[(0x4, "END_HEADERS"), (0x8, "PADDED")],
        kind::CONTINUATION => &[(0x4, "END_HEADERS")],
        _ => &[],
    };
    let names: Vec<&str> = known
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    if names.is_empty() {
        format!("0x{flags:02x}")
    } else {
        format!("0x{flags:02x}<{}>", names.join(","))
    }
}

fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

/// One line per frame; a header block's fields are printed on the frame that ends it.
/// `from_server` only names the direction in the first line.
pub fn frames(bytes: &[u8], from_server: bool, out: &mut impl Write) -> Result<(), Failure> {
    let mut rest = bytes;
    let direction = if from_server {
        "server → client"
    } else {
        "client → server"
    };
    writeln!(out, "# HTTP/2, {direction}")?;
    if rest.starts_with(PREFACE) {
        writeln!(
            out,
            "@0    PREFACE \"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\""
        )?;
        rest = &rest[PREFACE.len()..];
    }
    // The table limit is the receiver's setting, not in this direction's bytes: be generous.
    let mut decoder = hpack::Decoder::new(
        hpack::DecoderConfig::default()
            .with_max_table_size(1 << 20)
            .with_max_header_list_size(1 << 24)
            .with_max_fields(1 << 16),
    );
    let mut block: Vec<u8> = Vec::new();
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        let header = FrameHeader::decode(rest).map_err(|e| {
            Failure(format!(
                "@{offset}: truncated frame header ({} more byte(s) needed)",
                e.needed()
            ))
        })?;
        let (frame, used) = match frame::decode(rest, MAX_MAX_FRAME_SIZE) {
            Ok(ok) => ok,
            Err(DecodeError::Incomplete(i)) => {
                return Err(Failure(format!(
                    "@{offset}: truncated {} frame ({} more byte(s) needed)",
                    kind::name(header.kind),
                    i.needed()
                )));
            }
            Err(DecodeError::Invalid(e)) => {
                writeln!(
                    out,
                    "@{offset:<4} {} stream={} len={} INVALID: {} ({:?}, {:?})",
                    kind::name(header.kind),
                    header.stream_id,
                    header.length,
                    e.code,
                    e.reason,
                    e.scope
                )?;
                rest = rest.get(9 + header.length as usize..).unwrap_or_default();
                continue;
            }
        };
        let mut line = format!(
            "@{offset:<4} {}(0x{:x}) stream={} flags={} len={}",
            kind::name(header.kind),
            header.kind,
            header.stream_id,
            flag_names(header.kind, header.flags),
            header.length
        );
        let mut fragment_end: Option<&[u8]> = None;
        let mut fragment_more: Option<&[u8]> = None;
        match frame {
            Frame::Data { data, padding, .. } => {
                line += &format!(" data=\"{}\"", printable(&data[..data.len().min(64)]));
                if data.len() > 64 {
                    line += "…";
                }
                if let Some(p) = padding {
                    line += &format!(" padding={p}");
                }
            }
            Frame::Headers {
                end_headers,
                priority,
                fragment,
                ..
            } => {
                if let Some(p) = priority {
                    line += &format!(
                        " depends_on={} exclusive={} weight={}",
                        p.dependency,
                        p.exclusive,
                        u16::from(p.weight) + 1
                    );
                }
                if end_headers {
                    fragment_end = Some(fragment)
                } else {
                    fragment_more = Some(fragment)
                }
            }
            Frame::PushPromise {
                end_headers,
                promised_id,
                fragment,
                ..
            } => {
                line += &format!(" promised={promised_id}");
                if end_headers {
                    fragment_end = Some(fragment)
                } else {
                    fragment_more = Some(fragment)
                }
            }
            Frame::Continuation {
                end_headers,
                fragment,
                ..
            } => {
                if end_headers {
                    fragment_end = Some(fragment)
                } else {
                    fragment_more = Some(fragment)
                }
            }
            Frame::Priority { priority, .. } => {
                line += &format!(
                    " depends_on={} exclusive={} weight={}",
                    priority.dependency,
                    priority.exclusive,
                    u16::from(priority.weight) + 1
                );
            }
            Frame::RstStream { error_code, .. } => line += &format!(" error={error_code}"),
            Frame::Settings { params, .. } => {
                for (id, value) in params.iter() {
                    line += &format!(" {}={value}", setting::name(id));
                    if id == setting::HEADER_TABLE_SIZE {
                        // Our own encoder-side table would follow this; for the decoder, the
                        // limit is the other side's, so nothing changes here.
                    }
                }
            }
            Frame::Ping { data, .. } => line += &format!(" data={}", super::hex(&data)),
            Frame::GoAway {
                last_stream_id,
                error_code,
                debug_data,
            } => {
                line += &format!(" last_stream={last_stream_id} error={error_code}");
                if !debug_data.is_empty() {
                    line += &format!(" debug={:?}", printable(debug_data));
                }
            }
            Frame::WindowUpdate { increment, .. } => line += &format!(" increment={increment}"),
            Frame::PriorityUpdate {
                prioritized_id,
                field_value,
            } => {
                line += &format!(
                    " prioritized={prioritized_id} priority={:?}",
                    printable(field_value)
                );
            }
            _ => line += &format!(" payload={}", super::hex(&rest[9..used])),
        }
        if let Some(f) = fragment_more {
            block.extend_from_slice(f);
        }
        if let Some(f) = fragment_end {
            block.extend_from_slice(f);
            let mut fields = Vec::new();
            let result = decoder.decode(&block, |field| {
                fields.push(format!(
                    "{}: {}",
                    printable(field.name),
                    printable(field.value)
                ));
            });
            block.clear();
            line += " |";
            for field in fields {
                line += &format!(" {field} |");
            }
            if let Err(e) = result {
                line += &format!(" HPACK ERROR: {e}");
            }
        }
        writeln!(out, "{line}")?;
        rest = &rest[used..];
    }
    Ok(())
}
