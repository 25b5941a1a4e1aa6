//! Embeds the bundled Cedar policies (`policies/**/*.cedar`) in the binary, so that the
//! default run needs no files beside the executable.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    // Paths are relative to this crate's root, both in `rerun-if-changed` and in the
    // generated `include_str!`s (through CARGO_MANIFEST_DIR at compile time): a target
    // directory shared by several checkouts must never embed another checkout's files.
    // The names the store reports stay relative to the workspace root (`policies/…`).
    // The policies live at the workspace root (`policies/`), two levels above this crate.
    let root = Path::new("../..");
    println!("cargo:rerun-if-changed=../../policies");
    let mut files = Vec::new();
    collect(&root.join("policies"), &mut files);
    files.sort();
    let mut out = String::from(
        "/// `(path relative to the workspace root, contents)` of every bundled policy file.\n",
    );
    out.push_str("pub static BUNDLED_POLICIES: &[(&str, &str)] = &[\n");
    for file in &files {
        let from_crate = file.to_string_lossy().replace('\\', "/");
        let relative = file
            .strip_prefix(root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            out,
            "    ({relative:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{from_crate}\"))),"
        );
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("bundled_policies.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
        std::process::exit(1);
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "cedar") {
            println!("cargo:rerun-if-changed={}", path.display());
            files.push(path);
        }
    }
}
