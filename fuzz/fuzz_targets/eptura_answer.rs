//! The Eptura Workplace client's JSON decoding of every answer it reads.
#![no_main]

libfuzzer_sys::fuzz_target!(|body: &[u8]| {
    spacebridge::fuzzing::eptura_answer(body);
});
