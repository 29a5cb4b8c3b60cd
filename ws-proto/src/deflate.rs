//! The permessage-deflate payload transformation (RFC 7692 §7.2) over zlib-rs: raw DEFLATE,
//! flushed to a byte boundary with an empty stored block whose `00 00 ff ff` is stripped on send
//! and restored on receive.

use alloc::vec::Vec;

use zlib_rs::{Deflate, DeflateFlush, Inflate, InflateFlush, Status};

/// The tail a sync flush ends with (RFC 7692 §7.2.1 step 3, §7.2.2 step 1).
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Output is grown in steps of this much while (de)compressing.
const STEP: usize = 16 * 1024;

/// The sending side: one DEFLATE stream, reset per message without context takeover.
pub(crate) struct Compressor {
    stream: Deflate,
    no_context_takeover: bool,
}

/// Compression or decompression failed inside zlib-rs (for decompression: corrupt data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InflateFailure {
    /// The inflated message passed the size limit.
    TooLarge,
    /// Not valid DEFLATE data.
    Corrupt,
}

impl core::fmt::Debug for Compressor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Compressor")
            .field("no_context_takeover", &self.no_context_takeover)
            .finish_non_exhaustive()
    }
}

impl Compressor {
    /// `window_bits` must be 9–15 (negotiation never agrees to less).
    pub(crate) fn new(level: u8, window_bits: u8, no_context_takeover: bool) -> Self {
        let bits = window_bits.clamp(super::MIN_COMPRESS_WINDOW_BITS, 15);
        Self {
            stream: Deflate::new(i32::from(level.min(9)), false, bits),
            no_context_takeover,
        }
    }

    /// Compresses `input` as (part of) a message, appending to `out`. With `end_of_message`
    /// the data is sync-flushed and the `00 00 ff ff` tail stripped (§7.2.1); otherwise it is
    /// sync-flushed too, so a fragment is byte-aligned and complete, and the tail kept (the
    /// removal "MUST NOT be done" for non-final fragments).
    pub(crate) fn compress(&mut self, mut input: &[u8], out: &mut Vec<u8>, end_of_message: bool) {
        let begin = out.len();
        loop {
            let start = out.len();
            // About the deflate bound, so one pass usually suffices; the output is zero-filled
            // before zlib writes it, so the room stays close to what is needed.
            let room = (input.len() + input.len() / 8 + 64).min(STEP * 4);
            out.resize(start + room, 0);
            let (in_before, out_before) = (self.stream.total_in(), self.stream.total_out());
            let status = self.stream.compress(
                input,
                out.get_mut(start..).unwrap_or_default(),
                DeflateFlush::SyncFlush,
            );
            let consumed = (self.stream.total_in() - in_before) as usize;
            let produced = (self.stream.total_out() - out_before) as usize;
            out.truncate(start + produced);
            input = input.get(consumed..).unwrap_or_default();
            // Done when the input is used up and the flush did not fill the room given.
            let done = input.is_empty() && produced < room;
            if done || status.is_err() || (consumed == 0 && produced == 0) {
                break;
            }
        }
        if end_of_message {
            if out.len() >= begin + TAIL.len() && out.ends_with(&TAIL) {
                out.truncate(out.len() - TAIL.len());
            }
            // zlib emits nothing for a flush with nothing new: an empty stored block's header
            // byte stands in (§7.2.3.6), so the receiver's restored tail completes a block.
            if out.len() == begin {
                out.push(0x00);
            }
            if self.no_context_takeover {
                self.stream.reset();
            }
        }
    }
}

/// The receiving side: one inflate stream, reset per message when the peer does not take over
/// context, or when a block with BFINAL ended the stream (§7.2.3.4).
pub(crate) struct Decompressor {
    stream: Inflate,
    no_context_takeover: bool,
    stream_ended: bool,
}

impl core::fmt::Debug for Decompressor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decompressor")
            .field("no_context_takeover", &self.no_context_takeover)
            .finish_non_exhaustive()
    }
}

impl Decompressor {
    /// Always a 32 KiB window: a larger window than the peer's decodes the same (§7.2.2).
    pub(crate) fn new(no_context_takeover: bool) -> Self {
        Self {
            stream: Inflate::new(false, 15),
            no_context_takeover,
            stream_ended: false,
        }
    }

    /// Inflates a piece of a compressed message, appending to `out`, never letting `out` grow
    /// past `limit` (plus one step): a deflate bomb stops at the limit.
    pub(crate) fn decompress(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), InflateFailure> {
        while !self.stream_ended {
            let start = out.len();
            // One byte more than the limit allows, to tell "exactly full" from "too large".
            // Room grows with the input (and repeats while output fills it), so a trickle of
            // small pieces does not zero-fill a large area each time.
            let room = limit
                .saturating_sub(start)
                .saturating_add(1)
                .min(input.len().saturating_mul(4).clamp(256, STEP));
            out.resize(start + room, 0);
            let (in_before, out_before) = (self.stream.total_in(), self.stream.total_out());
            let status = self.stream.decompress(
                input,
                out.get_mut(start..).unwrap_or_default(),
                InflateFlush::SyncFlush,
            );
            let consumed = (self.stream.total_in() - in_before) as usize;
            let produced = (self.stream.total_out() - out_before) as usize;
            out.truncate(start + produced);
            input = input.get(consumed..).unwrap_or_default();
            if out.len() > limit {
                return Err(InflateFailure::TooLarge);
            }
            match status {
                Err(_) => return Err(InflateFailure::Corrupt),
                Ok(Status::StreamEnd) => self.stream_ended = true,
                Ok(_) if input.is_empty() && produced < room => return Ok(()),
                Ok(_) if consumed == 0 && produced == 0 => return Ok(()),
                Ok(_) => {}
            }
        }
        Ok(())
    }

    /// Ends a message: restores the stripped tail (§7.2.2) and resets the window where the
    /// peer does not take over context.
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>, limit: usize) -> Result<(), InflateFailure> {
        self.decompress(&TAIL, out, limit)?;
        if self.no_context_takeover || self.stream_ended {
            self.stream.reset(false);
            self.stream_ended = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_matches_rfc7692_and_context_takeover_shrinks_the_second() {
        let mut c = Compressor::new(6, 15, false);
        let mut first = Vec::new();
        c.compress(b"Hello", &mut first, true);
        assert_eq!(first, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
        let mut second = Vec::new();
        c.compress(b"Hello", &mut second, true);
        assert_eq!(second, [0xf2, 0x00, 0x11, 0x00, 0x00]);
        let mut d = Decompressor::new(false);
        let mut out = Vec::new();
        d.decompress(&first, &mut out, 100).unwrap();
        d.finish(&mut out, 100).unwrap();
        d.decompress(&second, &mut out, 100).unwrap();
        d.finish(&mut out, 100).unwrap();
        assert_eq!(out, b"HelloHello");
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let mut c = Compressor::new(9, 15, true);
        let mut bomb = Vec::new();
        c.compress(&alloc::vec![0u8; 10 << 20], &mut bomb, true);
        assert!(bomb.len() < 20_000);
        let mut d = Decompressor::new(true);
        let mut out = Vec::new();
        assert_eq!(
            d.decompress(&bomb, &mut out, 1 << 20),
            Err(InflateFailure::TooLarge)
        );
        assert!(out.len() <= (1 << 20) + 1);
    }
}
