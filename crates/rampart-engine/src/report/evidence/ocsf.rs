//! OCSF Detection Finding events (OCSF 1.3.0, class 2004) for security data lakes
//! (Security Lake, Athena): one event per failing, unknown or waived finding, as a JSON
//! array. Passes are left out: a data lake queries what needs attention.

use serde_json::{json, Value};

use super::BundleInput;
use crate::findings::Finding;
use crate::report::{controls, to_pretty_json, ReportError};
use crate::vocab::{Severity, Status};

/// The OCSF schema version written.
pub const OCSF_VERSION: &str = "1.3.0";

/// Renders `ocsf/detection-findings.json`.
pub fn render(input: &BundleInput<'_>) -> Result<String, ReportError> {
    let time = input.evaluated_at.timestamp_millis();
    let events: Vec<Value> = input
        .evaluation
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .map(|f| event(input, f, time))
        .collect();
    to_pretty_json("ocsf", &events)
}

fn event(input: &BundleInput<'_>, f: &Finding, time: i64) -> Value {
    let (status_id, status) = match f.status {
        // Waived: suppressed (OCSF status 3); failing and unknown: new (1).
        Status::Waived => (3, "Suppressed"),
        _ => (1, "New"),
    };
    let controls: Vec<String> = controls(input.evaluation, &f.rule_id)
        .iter()
        .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw}:{id}")))
        .collect();
    json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id(f.severity),
        "severity": f.severity.as_str(),
        "status_id": status_id,
        "status": status,
        "time": time,
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "rampart",
                "vendor_name": "rampart",
                "version": input.options.tool_version,
            },
        },
        "finding_info": {
            "uid": f.fingerprint,
            "title": f.title.as_ref(),
            "desc": f.message,
            "types": [f.area.as_str()],
            "analytic": { "uid": f.rule_id.as_ref(), "name": f.title.as_ref(), "type_id": 1, "type": "Rule" },
            "related_analytics": controls.iter().map(|c| json!({"name": c, "type_id": 99, "type": "Other"})).collect::<Vec<_>>(),
        },
        "cloud": {
            "provider": "AWS",
            "account": { "uid": f.account_id, "type_id": 10, "type": "AWS Account" },
            "region": f.region,
        },
        "resources": [{
            "uid": f.resource,
            "type": f.resource_type,
            "region": f.region,
            "cloud_partition": "aws",
        }],
        "unmapped": {
            "rampart_status": f.status.as_str(),
            "evidence": f.evidence,
            "waiver": f.waiver.as_ref().map(|w| json!({
                "reason": w.reason,
                "approver": w.approver,
                "expires": w.expires.map(|d| d.to_string()),
            })),
        },
    })
}

/// OCSF severity ids: 1 informational … 5 critical.
fn severity_id(s: Severity) -> u8 {
    match s {
        Severity::Info => 1,
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}
