//! Test data from outside the workspace: RFC appendix vectors transcribed from the RFC text, and
//! loaders for the shared corpora (`../shared/corpora`) and RFC texts (`../shared/rfc`).
//!
//! A vector here is data only; the tests under `tests/` run it through the protocol crates and
//! check the transcription against the RFC text itself where the text makes that possible.

pub mod rfc6455;
pub mod rfc7541;
pub mod rfc7692;
pub mod rfc9000;
pub mod rfc9001;
pub mod rfc9112;
pub mod rfc9204;
pub mod rfc9369;
pub mod shared;

/// Decodes hex written with any whitespace in between (as RFC appendices print it).
///
/// # Panics
/// On a character that is neither a hex digit nor whitespace, or an odd digit count: vectors are
/// fixed test data, and a typo in one must stop the test.
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => panic!("not a hex digit: {:?}", char::from(b)),
        })
        .collect();
    assert!(digits.len().is_multiple_of(2), "odd number of hex digits");
    digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_ignores_whitespace_and_case() {
        assert_eq!(super::hex("c2 19\n7C5e"), [0xc2, 0x19, 0x7c, 0x5e]);
        assert_eq!(super::hex(""), Vec::<u8>::new());
    }

    #[test]
    #[should_panic(expected = "odd number")]
    fn hex_rejects_odd_length() {
        super::hex("abc");
    }
}
