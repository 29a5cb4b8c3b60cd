#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qpack_hpack::qpack::fuzzing::decoder(data));
