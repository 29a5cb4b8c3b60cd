//! Fuzzing entry points for QPACK (each `fuzz/fuzz_targets/qpack_*.rs` calls one; the same
//! checks run as proptests).
#![allow(
    clippy::panic,
    reason = "a failed check must stop the fuzzer with its reason"
)]

use super::{Decoded, Decoder, DecoderSettings, Encoder, EncoderSettings, Error, Event, Field};
use alloc::vec::Vec;

/// Splits `data` into the next `len`-prefixed chunk: one length byte, then up to that many
/// bytes.
fn next_chunk<'a>(data: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (&len, rest) = data.split_first()?;
    let len = usize::from(len).min(rest.len());
    let (chunk, rest) = rest.split_at(len);
    *data = rest;
    Some(chunk)
}

/// The decoder fed arbitrary encoder-stream chunks and field sections, interleaved as `data`
/// says (first byte: settings, its top bit starting the table at full capacity; then per step
/// a tag byte — low two bits 0/1 encoder stream, 2 field section, 3 cancel; the rest the stream
/// id — and a length-prefixed chunk). It must
/// never panic, keep every bound, and once it fails keep failing with the same error.
pub fn decoder(data: &[u8]) {
    let Some((&setup, mut data)) = data.split_first() else {
        return;
    };
    let settings = DecoderSettings {
        max_table_capacity: [0, 31, 64, 220, 4096][usize::from(setup % 5)],
        max_blocked_streams: u64::from(setup / 5 % 4),
        max_field_section_size: [64, 1024, 65536][usize::from(setup / 20 % 3)],
        max_string_len: 512,
        max_blocked_bytes: 2048,
    };
    let mut decoder = Decoder::new(settings);
    if setup & 0x80 != 0 {
        // As the offline-interop files need: the table starts at its maximum capacity.
        assert_eq!(decoder.assume_capacity(settings.max_table_capacity), Ok(()));
    }
    let mut failed: Option<Error> = None;
    while let Some((&tag, rest)) = data.split_first() {
        data = rest;
        let Some(chunk) = next_chunk(&mut data) else {
            break;
        };
        let stream_id = u64::from(tag >> 2);
        let result = match tag & 3 {
            0 | 1 => decoder.handle_encoder_stream(chunk),
            2 => decoder.decode_section(stream_id, chunk).map(|decoded| {
                if let Decoded::Fields(fields) = decoded {
                    let size: u64 = fields.iter().map(Field::size).sum();
                    assert!(size <= settings.max_field_section_size);
                }
            }),
            _ => {
                // Not a fallible input: a reset stream is the local side's decision.
                decoder.cancel_stream(stream_id);
                failed.map_or(Ok(()), Err)
            }
        };
        if let Some(previous) = failed {
            assert_eq!(result, Err(previous), "errors are sticky");
        } else if let Err(e) = result
            && e.is_connection_error()
        {
            failed = Some(e);
        }
        assert!(decoder.table().size() <= decoder.table().capacity());
        assert!(decoder.blocked_streams() as u64 <= settings.max_blocked_streams);
        while let Some(event) = decoder.poll_event() {
            if let Event::Unblocked { fields, .. } = event {
                let size: u64 = fields.iter().map(Field::size).sum();
                assert!(size <= settings.max_field_section_size);
            }
        }
        let mut out = Vec::new();
        decoder.poll_decoder_stream(&mut out);
    }
}

/// Encoder → decoder differential on arbitrary field lists and settings: every section the
/// encoder writes must decode, with the decoder's own settings, to exactly its fields, whether
/// the encoder stream arrives before or after the section and whether acknowledgments return.
pub fn round_trip(data: &[u8]) {
    let Some((&setup, mut data)) = data.split_first() else {
        return;
    };
    let capacity = [0u64, 40, 100, 256, 4096][usize::from(setup % 5)];
    let blocked = u64::from(setup / 5 % 3);
    let late_encoder_stream = setup & 0x40 != 0;
    let no_acks = setup & 0x80 != 0;
    let mut encoder = Encoder::new(EncoderSettings::new(capacity, blocked));
    let mut decoder = Decoder::new(DecoderSettings {
        max_table_capacity: capacity,
        max_blocked_streams: blocked,
        ..DecoderSettings::default()
    });
    let mut stream_id = 0u64;
    // Fields are drawn from a small alphabet so that repeats (and so the dynamic table) happen.
    while let Some(section) = next_chunk(&mut data) {
        let fields: Vec<Field> = section
            .chunks(3)
            .map(|c| {
                let [a, b, c] = [0, 1, 2].map(|i| c.get(i).copied().unwrap_or(0));
                let name: Vec<u8> = match a % 8 {
                    0 => b":path".to_vec(),
                    1 => b"cookie".to_vec(),
                    2 => b"x-custom".to_vec(),
                    n => alloc::vec![b'a' + n; usize::from(b % 40)],
                };
                let value = alloc::vec![b'0' + c % 10; usize::from(c / 10)];
                if b & 0x80 != 0 {
                    Field::sensitive(name, value)
                } else {
                    Field::new(name, value)
                }
            })
            .collect();
        let mut section_bytes = Vec::new();
        assert!(
            encoder
                .encode(stream_id, &fields, &mut section_bytes)
                .is_ok()
        );
        let mut stream = Vec::new();
        encoder.poll_encoder_stream(&mut stream);
        if !late_encoder_stream {
            assert_eq!(decoder.handle_encoder_stream(&stream), Ok(()));
        }
        let decoded = decoder.decode_section(stream_id, &section_bytes);
        if late_encoder_stream {
            assert_eq!(decoder.handle_encoder_stream(&stream), Ok(()));
        }
        let got = match decoded {
            Ok(Decoded::Fields(got)) => got,
            Ok(Decoded::Blocked) => match decoder.poll_event() {
                Some(Event::Unblocked {
                    stream_id: s,
                    fields,
                }) if s == stream_id => fields,
                other => panic!("section of stream {stream_id} stayed blocked: {other:?}"),
            },
            Err(e) => panic!("our decoder rejected our encoding: {e}"),
        };
        assert_eq!(got, fields);
        let mut feedback = Vec::new();
        decoder.poll_decoder_stream(&mut feedback);
        if !no_acks {
            assert_eq!(encoder.handle_decoder_stream(&feedback), Ok(()));
        }
        assert!(encoder.blocked_streams() as u64 <= blocked);
        stream_id += 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decoder_survives_arbitrary_input(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            decoder(&data);
        }

        /// Sections drawn from a structured generator: tags that mostly say "field section"
        /// or "encoder stream" with small chunks, so deeper states are reached.
        #[test]
        fn decoder_survives_structured_input(
            setup in any::<u8>(),
            steps in proptest::collection::vec(
                (0u8..16, proptest::collection::vec(any::<u8>(), 0..40)), 0..20),
        ) {
            let mut data = alloc::vec![setup];
            for (tag, chunk) in steps {
                data.push(tag);
                data.push(chunk.len() as u8);
                data.extend_from_slice(&chunk);
            }
            decoder(&data);
        }

        #[test]
        fn encoder_output_decodes_to_its_input(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            round_trip(&data);
        }
    }
}
