//! The bundled sample organization, embedded in the binary.

use std::path::Path;

use super::{parse_snapshot, Snapshot, SnapshotError};

/// Where the sample lives in the repository (used in messages).
pub const SAMPLE_PATH: &str = "fixtures/orgs/sample/snapshot.json";

/// The sample organization's JSON text.
pub const SAMPLE_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/orgs/sample/snapshot.json"
));

/// The sample organization: a fictional landing zone with compliant and non-compliant
/// resources and coverage gaps.
pub fn sample_snapshot() -> Result<Snapshot, SnapshotError> {
    parse_snapshot(SAMPLE_JSON, Path::new(SAMPLE_PATH))
}
