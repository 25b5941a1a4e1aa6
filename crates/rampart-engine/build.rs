//! Embeds the bundled Cedar policies (`policies/**/*.cedar`) in the binary, so that the
//! default run needs no files beside the executable, and writes the native rule registry:
//! one module per file of `src/rules/native/` that defines a `RULE`, and `NATIVE_RULES`
//! listing them by id.

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
    write("bundled_policies.rs", &out);
    write("native_rules.rs", &native_rules());
}

fn write(name: &str, text: &str) {
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join(name);
    if let Err(e) = std::fs::write(&dest, text) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
        std::process::exit(1);
    }
}

/// The registry of native rules: the stems of every `src/rules/native/*.rs` that defines
/// `pub(crate) const RULE`, in file-name order (which is id order), as a macro that hands
/// them to a callback, `native_rule_modules!(declare)`. `src/rules/native/mod.rs` declares
/// the modules and `NATIVE_RULES` from them: the generated file names modules only, never
/// a path, so a target directory shared by several checkouts cannot compile one
/// checkout's rule files into another (a `mod` written in a file under `OUT_DIR` would
/// resolve there, and an absolute `#[path]` would name the checkout that ran this script).
fn native_rules() -> String {
    const MARKER: &str = "pub(crate) const RULE: &dyn NativeRule";
    let dir = Path::new("src/rules/native");
    println!("cargo:rerun-if-changed=src/rules/native");
    let mut modules: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                .filter(|p| {
                    println!("cargo:rerun-if-changed={}", p.display());
                    std::fs::read_to_string(p)
                        .is_ok_and(|text| text.lines().any(|l| l.starts_with(MARKER)))
                })
                .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    modules.sort();
    let mut out = String::from(
        "/// Hands the module name of every native rule file, sorted, to `$declare` (written by\n\
         /// `build.rs`).\nmacro_rules! native_rule_modules {\n    ($declare:ident) => {\n        $declare!(\n",
    );
    for m in &modules {
        let _ = writeln!(out, "            {m},");
    }
    out.push_str("        );\n    };\n}\n");
    out
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
