#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| h1_proto::fuzzing::client(data));
