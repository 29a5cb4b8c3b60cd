#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| h2_proto::fuzzing::frame_decode(data));
