#![no_main]
// Arbitrary bytes through the sync_request decoder: an error is fine, a panic is not.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    volunteer_domain::wire::decoders::sync_request(data);
});
