#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| h2_proto::fuzzing::connection(
    h2_proto::Role::Client,
    data
));
