//! The ruleset loader: `parse_ruleset` (what `load_ruleset_file` calls on the file's text)
//! and the engine's checks of a ruleset against the rule catalog (`Engine::new`: rule ids,
//! include/exclude globs, waiver globs) never panic, whatever the bytes.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rampart_engine::rules::{Catalog, Engine, PolicyStore};

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let store = match PolicyStore::bundled() {
            Ok(store) => store,
            Err(e) => panic!("the bundled policies do not load: {e}"),
        };
        match Catalog::new(store) {
            Ok(catalog) => catalog,
            Err(e) => panic!("the bundled catalog does not build: {e}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ruleset) = rampart_engine::ruleset::parse_ruleset(text, Path::new("ruleset.toml")) {
        let _ = Engine::new(catalog(), &ruleset);
    }
});
