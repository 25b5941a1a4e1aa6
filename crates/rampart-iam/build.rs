//! Indexes the embedded AWS action catalog (`data/catalog/actions.json.gz`) at build time
//! and writes it in the compact form of `src/catalog/compact.rs` (`OUT_DIR/catalog.bin`
//! and `OUT_DIR/catalog-strings.txt`, included by `src/catalog/mod.rs`): decompressing,
//! parsing and indexing 22,000 actions took most of a small `rampart check`'s run when it
//! happened at start-up.
//!
//! The indexing and the encoding are the library's own code (`src/catalog/`, compiled here
//! too), so the embedded catalog is what `ActionCatalog::from_gzip` builds from the same
//! file; a unit test compares the two. Data the library cannot read fails the build.

use std::io::Read as _;
use std::path::PathBuf;

// The library's catalog modules, compiled into the build script: they refer to each other
// as `super::…`, which here is this script's root.
#[allow(
    dead_code,
    reason = "the build script uses only the indexing and the encoding"
)]
#[path = "src/catalog/compact.rs"]
mod compact;
#[allow(
    dead_code,
    reason = "the build script uses only the indexing and the encoding"
)]
#[path = "src/catalog/global_keys.rs"]
mod global_keys;
#[allow(
    dead_code,
    reason = "the build script uses only the indexing and the encoding"
)]
#[path = "src/catalog/index.rs"]
mod index;
#[allow(
    dead_code,
    reason = "the build script uses only the indexing and the encoding"
)]
#[path = "src/catalog/model.rs"]
mod model;

const DATA: &str = "data/catalog/actions.json.gz";

fn main() {
    println!("cargo:rerun-if-changed={DATA}");
    for module in ["compact", "global_keys", "index", "model"] {
        println!("cargo:rerun-if-changed=src/catalog/{module}.rs");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let written = load().and_then(|catalog| {
        let compact = compact::encode(&catalog);
        std::fs::write(out.join("catalog-strings.txt"), compact.strings)
            .and_then(|()| std::fs::write(out.join("catalog.bin"), compact.data))
            .map_err(|e| format!("cannot write to {}: {e}", out.display()))
    });
    if let Err(e) = written {
        println!("cargo:warning={DATA}: {e}");
        std::process::exit(1);
    }
}

fn load() -> Result<index::ActionCatalog, String> {
    let bytes = std::fs::read(DATA).map_err(|e| e.to_string())?;
    let mut json = Vec::with_capacity(bytes.len() * 12);
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut json)
        .map_err(|e| format!("not valid gzip: {e}"))?;
    let raw: model::RawCatalog =
        serde_json::from_slice(&json).map_err(|e| format!("not a valid catalog: {e}"))?;
    Ok(index::index(raw))
}
