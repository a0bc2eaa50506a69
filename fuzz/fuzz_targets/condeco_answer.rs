//! The Condeco client's JSON decoding: pages, the token and its lifetime, messages.
#![no_main]

libfuzzer_sys::fuzz_target!(|body: &[u8]| {
    spacebridge::fuzzing::condeco_answer(body);
});
