//! Reading the bytes to decode: hex from arguments, a file or stdin.

use std::io::Read;
use std::path::PathBuf;

use crate::Failure;

/// Where `decode` reads its input.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Hex bytes (whitespace is ignored). Without them, input comes from --file or stdin.
    pub hex: Vec<String>,
    /// Read the input from this file (`-` for stdin).
    #[arg(long, short)]
    pub file: Option<PathBuf>,
}

impl InputArgs {
    /// The input text: the arguments joined by spaces, the file, or stdin.
    pub fn text(&self) -> Result<String, Failure> {
        if !self.hex.is_empty() {
            if self.file.is_some() {
                return Err(Failure("give hex arguments or --file, not both".into()));
            }
            return Ok(self.hex.join(" "));
        }
        match &self.file {
            Some(path) if path.as_os_str() != "-" => std::fs::read_to_string(path)
                .map_err(|e| Failure(format!("{}: {e}", path.display()))),
            _ => {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text)?;
                Ok(text)
            }
        }
    }

    /// The input as bytes, all whitespace (newlines included) ignored.
    pub fn bytes(&self) -> Result<Vec<u8>, Failure> {
        parse_hex(&self.text()?)
    }
}

/// Hex digits with any whitespace between them. An odd digit count or another character is an
/// error that names its position.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    for (offset, c) in text.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        let digit = c
            .to_digit(16)
            .ok_or_else(|| Failure(format!("not a hex digit at character {offset}: {c:?}")))?
            as u8;
        match high.take() {
            None => high = Some(digit),
            Some(h) => bytes.push(h << 4 | digit),
        }
    }
    if high.is_some() {
        return Err(Failure("odd number of hex digits".into()));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_with_whitespace_and_newlines() {
        assert_eq!(
            parse_hex("c2 19\n7C\t5e\r\n").unwrap(),
            [0xc2, 0x19, 0x7c, 0x5e]
        );
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("0x12").is_err());
    }
}
