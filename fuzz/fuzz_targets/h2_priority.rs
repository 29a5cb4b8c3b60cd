#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| h2_proto::fuzzing::priority_field(data));
