//! The uniffi bindings generator, built from this crate's pinned uniffi.
fn main() {
    uniffi::uniffi_bindgen_main()
}
