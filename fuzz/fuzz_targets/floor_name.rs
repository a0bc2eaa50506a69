//! Floor-name parsing ("Level 3" → 3, "B1" → -1) and the Condeco name rules.
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| {
    spacebridge::fuzzing::floor_name(text);
});
