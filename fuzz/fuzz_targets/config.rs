//! The config file reader (TOML, profiles, unknown keys).
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| {
    spacebridge::fuzzing::config(text);
});
