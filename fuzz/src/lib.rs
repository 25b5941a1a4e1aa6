//! What the fuzz targets share: the path `rampart check` takes through a file's bytes.

use std::path::Path;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use rampart_engine::iac::{self, Context, IacFile};
use rampart_engine::ruleset::Ruleset;
use rampart_iac::cfn::ResolveContext;
use rampart_iac::Document;

/// The bundled ruleset: its parameters say which tags carry an account's environment.
pub fn bundled_ruleset() -> &'static Ruleset {
    static RULESET: OnceLock<Ruleset> = OnceLock::new();
    RULESET.get_or_init(|| match Ruleset::bundled() {
        Ok(ruleset) => ruleset,
        Err(e) => panic!("the bundled ruleset does not load: {e}"),
    })
}

/// Reads `bytes` as `rampart check` reads a file (`rampart_iac::parse_document`), then
/// resolves every template property and condition and maps the document into the model
/// (`rampart_engine::iac::map_file`), as the check command does before evaluating rules.
pub fn check_iac_bytes(name: &str, bytes: &[u8]) {
    let Ok(Some(document)) = rampart_iac::parse_document(Path::new(name), bytes) else {
        return;
    };
    if let Document::CloudFormation(template) = &document {
        let context = ResolveContext::new();
        for resource in &template.resources {
            if let Some(properties) = &resource.properties {
                let _ = template.resolve(properties, &context);
            }
        }
        for condition in &template.conditions {
            let _ = template.evaluate_condition(&condition.name, &context);
        }
    }
    let file = IacFile {
        uri: name.to_owned(),
        document,
    };
    let taken_at = DateTime::<Utc>::UNIX_EPOCH;
    let model = iac::map_file(
        &file,
        &Context::none(),
        &bundled_ruleset().parameters,
        taken_at,
    );
    // Whatever was mapped must be a snapshot the loader accepts back.
    for snapshot in &model.snapshots {
        let _ = serde_json::to_string(snapshot);
    }
}
