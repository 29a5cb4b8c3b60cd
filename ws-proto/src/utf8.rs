//! Incremental UTF-8 validation across fragments (RFC 6455 §8.1), failing at the first byte
//! that can no longer start or continue valid UTF-8, even mid-character.

/// Validates a byte stream that arrives in pieces. Up to 3 bytes of an incomplete character are
/// carried from one piece to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Utf8Validator {
    pending: [u8; 4],
    pending_len: u8,
}

/// The bytes are not UTF-8 (RFC 3629), and no further bytes can make them so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid UTF-8")]
pub struct InvalidUtf8;

impl Utf8Validator {
    /// A validator at the start of a stream.
    pub const fn new() -> Self {
        Self {
            pending: [0; 4],
            pending_len: 0,
        }
    }

    /// Checks the next piece. Fails as soon as a byte makes the stream invalid: a truncated
    /// character at the end of `data` is carried, not an error.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<(), InvalidUtf8> {
        if self.pending_len > 0 {
            let have = usize::from(self.pending_len);
            let want = char_len(self.pending[0]);
            let take = want.saturating_sub(have).min(data.len());
            let (head, rest) = data.split_at(take);
            let end = have + take;
            if let Some(slot) = self.pending.get_mut(have..end) {
                slot.copy_from_slice(head);
            }
            self.pending_len = end as u8;
            match core::str::from_utf8(self.pending.get(..end).unwrap_or_default()) {
                Ok(_) => self.pending_len = 0,
                Err(e) if e.error_len().is_some() => return Err(InvalidUtf8),
                Err(_) => return Ok(()), // still incomplete, and `data` is used up
            }
            data = rest;
        }
        match core::str::from_utf8(data) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_some() => Err(InvalidUtf8),
            Err(e) => {
                let tail = data.get(e.valid_up_to()..).unwrap_or_default();
                if let Some(slot) = self.pending.get_mut(..tail.len()) {
                    slot.copy_from_slice(tail);
                }
                self.pending_len = tail.len() as u8;
                Ok(())
            }
        }
    }

    /// Ends the stream: a character still incomplete is an error.
    pub fn finish(&mut self) -> Result<(), InvalidUtf8> {
        let complete = self.pending_len == 0;
        *self = Self::new();
        if complete { Ok(()) } else { Err(InvalidUtf8) }
    }
}

/// The length of a UTF-8 sequence from its lead byte (only called on lead bytes `from_utf8`
/// reported as the start of a valid but incomplete sequence).
fn char_len(lead: u8) -> usize {
    match lead {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split_validate(data: &[u8], splits: &[usize]) -> Result<(), InvalidUtf8> {
        let mut v = Utf8Validator::new();
        let mut start = 0;
        for &s in splits {
            let s = s.clamp(start, data.len());
            v.feed(&data[start..s])?;
            start = s;
        }
        v.feed(&data[start..])?;
        v.finish()
    }

    proptest! {
        #[test]
        fn agrees_with_std_at_any_split(
            data in proptest::collection::vec(prop_oneof![any::<u8>(), 0x80u8..0xc0, 0xe0u8..0xf5], 0..40),
            mut splits in proptest::collection::vec(0usize..40, 0..6),
        ) {
            splits.sort_unstable();
            prop_assert_eq!(split_validate(&data, &splits).is_ok(), core::str::from_utf8(&data).is_ok());
        }

        #[test]
        fn valid_text_passes_at_any_split(text in ".*", mut splits in proptest::collection::vec(0usize..64, 0..6)) {
            splits.sort_unstable();
            prop_assert!(split_validate(text.as_bytes(), &splits).is_ok());
        }
    }

    #[test]
    fn fails_fast_inside_a_character() {
        // U+10FFFF is the last code point: F4 8F BF BF. F4 90 is already beyond it.
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(&[b'a', 0xf4]), Ok(()));
        assert_eq!(v.feed(&[0x90]), Err(InvalidUtf8));
        // A surrogate (ED A0 80) fails at its second byte.
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(&[0xed]), Ok(()));
        assert_eq!(v.feed(&[0xa0]), Err(InvalidUtf8));
        // An overlong (C0 80) fails at its first byte.
        assert_eq!(Utf8Validator::new().feed(&[0xc0]), Err(InvalidUtf8));
        // A truncated character is only an error at the end.
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(&[0xe2, 0x82]), Ok(()));
        assert_eq!(v.finish(), Err(InvalidUtf8));
    }
}
