#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| quic_proto::fuzzing::unprotect(data));
