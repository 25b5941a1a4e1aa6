//! The snapshot loader: the text `load_snapshot_file` reads (UTF-8 checked as `read_text`
//! does) goes through `parse_snapshot`, which never panics; what loads serializes again.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(snapshot) = rampart_model::parse_snapshot(text, Path::new("snapshot.json")) {
        let _ = serde_json::to_string(&snapshot);
    }
});
