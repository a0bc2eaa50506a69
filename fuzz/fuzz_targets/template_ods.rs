//! The template reader on .ods content: the seed corpus is the .ods fixtures, and whatever the
//! fuzzer makes of them must load or fail with an error, never panic, hang or exhaust memory.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    spacebridge::fuzzing::template(bytes);
});
