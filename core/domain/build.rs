//! Embeds every working-day calendar file (`calendar/YYYY.txt`): a year is
//! added by adding its file, with no change to the code.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("calendar");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut years: Vec<(String, String)> = fs::read_dir(&dir)
        .expect("core/domain/calendar exists")
        .map(|e| e.expect("readable calendar directory").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            let year = p
                .file_stem()
                .expect("a .txt file has a stem")
                .to_string_lossy()
                .into_owned();
            (year, p.display().to_string())
        })
        .collect();
    years.sort();
    let entries: String = years
        .iter()
        .map(|(year, path)| format!("    ({year:?}, include_str!({path:?})),\n"))
        .collect();
    let out =
        Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("calendar_files.rs");
    fs::write(
        out,
        format!("/// (year, file text) of every calendar file.\npub(crate) const FILES: &[(&str, &str)] = &[\n{entries}];\n"),
    )
    .expect("OUT_DIR is writable");
}
