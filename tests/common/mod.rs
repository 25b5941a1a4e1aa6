//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test crate uses a different subset")]

pub mod cases;

use std::path::Path;

use serde_json::Value;

/// Validates a SARIF log against `tests/data/sarif-schema-2.1.0.json` (draft-04, formats
/// checked). The errors name the JSON pointer of the offending value.
pub fn validate_sarif(text: &str) -> Result<(), Vec<String>> {
    let instance: Value = serde_json::from_str(text).map_err(|e| vec![format!("not JSON: {e}")])?;
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema_text = std::fs::read_to_string(&schema_path)
        .map_err(|e| vec![format!("{}: {e}", schema_path.display())])?;
    let schema: Value = serde_json::from_str(&schema_text)
        .map_err(|e| vec![format!("{}: {e}", schema_path.display())])?;
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| vec![format!("invalid schema: {e}")])?;
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// What `--profile-rules` printed to standard error: the phases with a wall time, in
/// order, and how many rule lines followed.
pub fn profile(stderr: &str) -> (Vec<&str>, usize) {
    let lines: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("profile: "))
        .collect();
    let phases = lines
        .iter()
        .filter(|l| l.contains(" ms (wall)"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let rules = lines.iter().filter(|l| l.starts_with("rule ")).count();
    (phases, rules)
}

/// The path of a file in the repository.
pub fn repo_path(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

pub mod collect;
pub mod moto;
// `fault_proxy.rs` (the fault-injecting proxy) is included by `collect_faults.rs` alone:
// it brings its own unit tests and dependency (`socket2`).
