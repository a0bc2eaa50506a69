//! Header detection on one candidate row (cells separated by tabs).
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| {
    spacebridge::fuzzing::header_row(text);
});
