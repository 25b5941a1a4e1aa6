//! Cedar policy loading: `PolicyStore::from_sources` (what `--policies DIR` calls on each
//! file's text: size limits, parsing, annotations, validation against the schema, the
//! policy sets per resource type) and building the catalog never panic, overflow the stack
//! or hang, whatever the text.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use rampart_engine::rules::{Catalog, PolicyStore};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = [(PathBuf::from("policies/fuzz.cedar"), text.to_owned())];
    if let Ok(store) = PolicyStore::from_sources(sources) {
        let _ = Catalog::new(store);
    }
});
