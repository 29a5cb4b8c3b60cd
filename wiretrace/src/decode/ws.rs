//! `decode ws`: one direction's WebSocket frames (RFC 6455 §5.2) → one line per frame with
//! FIN, RSV bits, opcode, mask, length and payload, like Wireshark's WebSocket view.

use std::io::Write;

use wire_codec::DecodeError;
use ws_proto::{CloseFrame, FrameHeader, OpCode, apply_mask};

use super::hex;
use crate::Failure;
use crate::input::InputArgs;

/// Arguments of `decode ws`.
#[derive(Debug, clap::Args)]
pub struct WsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The frames were sent by a client: each must be masked (RFC 6455 §5.1).
    #[arg(long, conflicts_with = "server")]
    pub client: bool,
    /// The frames were sent by a server: none may be masked.
    #[arg(long)]
    pub server: bool,
}

/// Decodes the input's frames.
pub fn run(args: &WsArgs, out: &mut impl Write) -> Result<(), Failure> {
    let sender = match (args.client, args.server) {
        (true, _) => Some(Sender::Client),
        (_, true) => Some(Sender::Server),
        _ => None,
    };
    frames(&args.input.bytes()?, sender, out)
}

/// Which side sent the frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// Masked frames.
    Client,
    /// Unmasked frames.
    Server,
}

/// One line per frame; a malformed or truncated frame ends the trace with an error.
pub fn frames(bytes: &[u8], sender: Option<Sender>, out: &mut impl Write) -> Result<(), Failure> {
    let mut offset = 0;
    while offset < bytes.len() {
        let rest = &bytes[offset..];
        let (header, header_len) = match FrameHeader::decode(rest) {
            Ok(decoded) => decoded,
            Err(DecodeError::Incomplete(i)) => {
                return Err(Failure(format!(
                    "@{offset}: truncated frame header ({} more byte(s) needed)",
                    i.needed()
                )));
            }
            Err(DecodeError::Invalid(e)) => {
                return Err(Failure(format!("@{offset}: {e} (close 1002)")));
            }
        };
        match (sender, header.mask) {
            (Some(Sender::Client), None) => {
                return Err(Failure(format!(
                    "@{offset}: unmasked frame from a client (close 1002)"
                )));
            }
            (Some(Sender::Server), Some(_)) => {
                return Err(Failure(format!(
                    "@{offset}: masked frame from a server (close 1002)"
                )));
            }
            _ => {}
        }
        let len = usize::try_from(header.payload_len).unwrap_or(usize::MAX);
        let available = rest.len() - header_len;
        if available < len {
            return Err(Failure(format!(
                "@{offset}: truncated payload ({} of {len} byte(s))",
                available
            )));
        }
        let mut payload = rest[header_len..header_len + len].to_vec();
        if let Some(key) = header.mask {
            apply_mask(&mut payload, key, 0);
        }
        let mask = header.mask.map_or_else(|| "-".to_string(), |key| hex(&key));
        writeln!(
            out,
            "@{offset:<5} FIN={} RSV={}{}{} opcode={:<12} MASK={mask:<8} len={len:<6} {}",
            u8::from(header.fin),
            u8::from(header.rsv1),
            u8::from(header.rsv2),
            u8::from(header.rsv3),
            opcode_name(header.opcode),
            describe(&header, &payload),
        )?;
        offset += header_len + len;
    }
    Ok(())
}

fn opcode_name(opcode: OpCode) -> String {
    let name = match opcode {
        OpCode::Continuation => "cont",
        OpCode::Text => "text",
        OpCode::Binary => "binary",
        OpCode::Close => "close",
        OpCode::Ping => "ping",
        OpCode::Pong => "pong",
    };
    format!("{name}({:#x})", opcode.bits())
}

/// The payload: text quoted, a close frame's code and reason, anything else (and compressed
/// data) in hex.
fn describe(header: &FrameHeader, payload: &[u8]) -> String {
    if header.rsv1 {
        return format!("compressed {}", hex(payload));
    }
    match header.opcode {
        OpCode::Close => match CloseFrame::parse(payload) {
            Ok(None) => "(no status code)".into(),
            Ok(Some(frame)) => format!("code={} reason={:?}", frame.code.0, frame.reason),
            Err(e) => format!("{e}: {}", hex(payload)),
        },
        OpCode::Text | OpCode::Continuation | OpCode::Ping | OpCode::Pong
            if !payload.is_empty() =>
        {
            match std::str::from_utf8(payload) {
                Ok(text) if text.chars().all(|c| !c.is_control() || c == '\n') => {
                    format!("{text:?}")
                }
                _ => hex(payload),
            }
        }
        _ => hex(payload),
    }
}
