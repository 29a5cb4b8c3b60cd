//! `decode hpack`: HPACK header blocks (RFC 7541), one per input line in hex, all decoded in
//! one decoder context, in order.

use std::io::Write;

use qpack_hpack::hpack::{Decoder, DecoderConfig, Field};

use crate::Failure;
use crate::input::{InputArgs, parse_hex};

/// Arguments of `decode hpack`.
#[derive(Debug, clap::Args)]
pub struct HpackArgs {
    /// Where the blocks come from: each input line is one header block in hex (blank lines
    /// are skipped); hex arguments form one block.
    #[command(flatten)]
    pub input: InputArgs,
    /// The SETTINGS_HEADER_TABLE_SIZE in force: the dynamic table's initial and largest size.
    #[arg(long, default_value_t = 4096)]
    pub max_table_size: usize,
    /// One JSON array of {"name": …, "value": …} per block, one block per line.
    #[arg(long)]
    pub json: bool,
}

/// Decodes the input's blocks.
pub fn run(args: &HpackArgs, out: &mut impl Write) -> Result<(), Failure> {
    blocks(&args.input.text()?, args.max_table_size, args.json, out)
}

/// Decodes each non-blank line of `text` as one header block, sharing one decoder. Text
/// output is `name: value` lines with a blank line between blocks; JSON output is one array
/// per line. A decoding error names the line, the RFC error and the byte offset in the block.
pub fn blocks(
    text: &str,
    max_table_size: usize,
    json: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut decoder = Decoder::new(DecoderConfig::default().with_max_table_size(max_table_size));
    let mut first = true;
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_number = number + 1;
        let block =
            parse_hex(line).map_err(|Failure(e)| Failure(format!("line {line_number}: {e}")))?;
        let mut fields: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        decoder
            .decode(&block, |f: Field<'_>| {
                fields.push((f.name.to_vec(), f.value.to_vec()))
            })
            .map_err(|e| Failure(format!("line {line_number}: {e}")))?;
        if json {
            let objects: Vec<String> = fields
                .iter()
                .map(|(n, v)| {
                    format!(
                        "{{\"name\":{},\"value\":{}}}",
                        json_string(n),
                        json_string(v)
                    )
                })
                .collect();
            writeln!(out, "[{}]", objects.join(","))?;
        } else {
            if !first {
                writeln!(out)?;
            }
            for (name, value) in &fields {
                writeln!(out, "{}: {}", text_of(name), text_of(value))?;
            }
        }
        first = false;
    }
    Ok(())
}

/// UTF-8 as it is; anything else, and control characters, as `\xNN`.
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.chars().any(char::is_control) => s.to_string(),
        _ => bytes
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) && b != b'\\' {
                    char::from(b).to_string()
                } else {
                    format!("\\x{b:02x}")
                }
            })
            .collect(),
    }
}

/// A JSON string literal (invalid UTF-8 replaced by U+FFFD).
fn json_string(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for c in String::from_utf8_lossy(bytes).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_control_bytes_are_escaped() {
        assert_eq!(text_of(b"text/html"), "text/html");
        assert_eq!(text_of("caf\u{e9}".as_bytes()), "caf\u{e9}");
        assert_eq!(text_of(b"a\x00b\xff\\"), "a\\x00b\\xff\\x5c");
        assert_eq!(json_string(b"a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }

    #[test]
    fn never_indexed_fields_print_like_others_and_limits_fail_the_block() {
        // C.2.3: never indexed "password: secret".
        let mut out = Vec::new();
        blocks(
            "100870617373776f726406736563726574\n",
            4096,
            false,
            &mut out,
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "password: secret\n");
        // 2000 indexed fields exceed the default field cap of 1024.
        let mut out = Vec::new();
        let error = blocks(&"82".repeat(2000), 4096, true, &mut out).unwrap_err();
        assert!(
            error.0.contains("more than 1024 header fields"),
            "{}",
            error.0
        );
        assert!(out.is_empty());
    }
}
