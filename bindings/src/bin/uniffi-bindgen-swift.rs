//! The Swift-specific uniffi generator (headers, module maps, sources).
fn main() {
    uniffi::uniffi_bindgen_swift()
}
