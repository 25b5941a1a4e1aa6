use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use serde_json::Value;

use super::super::fixtures;
use super::*;
use crate::vocab::Severity;

const SNAPSHOT: &str = r#"{"accounts":[{"id":"111122223333","keys":[{"arn":"arn:aws:kms:eu-west-1:111122223333:key/k1","rotation_enabled":false,"note":"<script>alert(1)</script>"}]}]}"#;

fn render_with(evaluation: &Evaluation, copy: bool, trends: &[TrendPoint]) -> Vec<BundleFile> {
    let sha256 = sha256_hex(SNAPSHOT.as_bytes());
    let input = BundleInput {
        evaluation,
        options: fixtures::options(Some(Severity::High)),
        evaluated_at: Utc.with_ymd_and_hms(2025, 6, 1, 8, 0, 0).unwrap(),
        snapshot: Some(SnapshotInput::of_text(SNAPSHOT, &sha256, copy)),
        ruleset_toml: "name = \"default\"\n",
        catalog_version: "0.0.1",
        trends,
        ocsf: true,
    };
    bundle(&input).unwrap()
}

fn render_fixture() -> Vec<BundleFile> {
    render_with(&fixtures::evaluation(), true, &[])
}

fn by_path(files: &[BundleFile]) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .map(|f| (f.path.clone(), f.bytes.clone()))
        .collect()
}

fn text<'a>(files: &'a [BundleFile], path: &str) -> &'a str {
    let f = files.iter().find(|f| f.path == path).unwrap();
    std::str::from_utf8(&f.bytes).unwrap()
}

#[test]
fn every_file_is_listed_and_the_manifest_is_last() {
    let files = render_fixture();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "findings.csv",
            "findings.json",
            "index.html",
            "ocsf/detection-findings.json",
            "oscal/assessment-results.json",
            "rules.md",
            "ruleset.toml",
            "snapshot.json",
            "manifest.json"
        ]
    );
    let manifest = Manifest::parse(&files.last().unwrap().bytes).unwrap();
    assert_eq!(manifest.files.len(), files.len() - 1);
    assert_eq!(manifest.evaluated_at, "2025-06-01T08:00:00Z");
    assert_eq!(manifest.tool.version, "0.1.0");
    assert_eq!(manifest.catalog_version, "0.0.1");
    let snapshot = manifest.snapshot.as_ref().unwrap();
    assert_eq!(snapshot.sha256, sha256_hex(SNAPSHOT.as_bytes()));
    assert_eq!(snapshot.path.as_deref(), Some("snapshot.json"));
    assert!(verify(&manifest, &by_path(&files)).is_empty());
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    assert_eq!(render_fixture(), render_fixture());
}

#[test]
fn tampering_is_detected_file_by_file() {
    let files = render_fixture();
    let manifest = Manifest::parse(&files.last().unwrap().bytes).unwrap();
    let mut tampered = by_path(&files);
    tampered.insert("findings.csv".to_owned(), b"rule_id\n".to_vec());
    tampered.remove("rules.md");
    tampered.insert("extra.txt".to_owned(), b"hello".to_vec());
    let found: Vec<(String, TamperingKind)> = verify(&manifest, &tampered)
        .into_iter()
        .map(|t| (t.path, t.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("extra.txt".to_owned(), TamperingKind::Unlisted),
            ("findings.csv".to_owned(), TamperingKind::Modified),
            ("rules.md".to_owned(), TamperingKind::Missing),
        ]
    );
    // A snapshot swapped together with its manifest entry still disagrees with the digest.
    let mut forged = manifest.clone();
    let entry = forged
        .files
        .iter_mut()
        .find(|f| f.path == "snapshot.json")
        .unwrap();
    entry.sha256 = sha256_hex(b"{}");
    entry.size = 2;
    let mut swapped = by_path(&files);
    swapped.insert("snapshot.json".to_owned(), b"{}".to_vec());
    let found = verify(&forged, &swapped);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, TamperingKind::SnapshotDigest);
}

#[test]
fn a_snapshot_too_large_to_copy_is_only_digested() {
    let files = render_with(&fixtures::evaluation(), false, &[]);
    assert!(files.iter().all(|f| f.path != "snapshot.json"));
    let manifest = Manifest::parse(&files.last().unwrap().bytes).unwrap();
    let snapshot = manifest.snapshot.unwrap();
    assert_eq!(snapshot.path, None);
    assert_eq!(snapshot.size, SNAPSHOT.len() as u64);
}

#[test]
fn manifests_of_another_format_are_refused() {
    let err = Manifest::parse(br#"{"format":"x"}"#).unwrap_err();
    assert!(err.starts_with("manifest.json:1:"), "{err}");
    let files = render_fixture();
    let mut v: Value = serde_json::from_slice(&files.last().unwrap().bytes).unwrap();
    v["format"] = Value::String("rampart-evidence/9".to_owned());
    let err = Manifest::parse(v.to_string().as_bytes()).unwrap_err();
    assert!(err.contains("unknown format `rampart-evidence/9`"), "{err}");
}

#[test]
fn oscal_ties_each_failure_to_its_controls() {
    let files = render_fixture();
    let v: Value = serde_json::from_str(text(&files, "oscal/assessment-results.json")).unwrap();
    let result = &v["assessment-results"]["results"][0];
    let eval = fixtures::evaluation();
    // One observation per finding, and one per rule without findings (none here).
    assert_eq!(
        result["observations"].as_array().unwrap().len(),
        eval.findings.len()
    );
    let findings = result["findings"].as_array().unwrap();
    let targets: Vec<&str> = findings
        .iter()
        .map(|f| f["target"]["target-id"].as_str().unwrap())
        .collect();
    // k1 fails kms-key-rotation (CIS 3.6, NIST SC-12); two failures map to no control.
    assert_eq!(
        targets,
        [
            "cis-aws-foundations-v3_3.6",
            "sc-12",
            "rampart_s3-classified-cmk",
            "rampart_tenancy-prod-trusts-dev"
        ]
    );
    assert!(findings
        .iter()
        .all(|f| f["target"]["status"]["state"] == "not-satisfied"));
}

#[test]
fn ocsf_events_skip_passes() {
    let files = render_fixture();
    let v: Value = serde_json::from_str(text(&files, "ocsf/detection-findings.json")).unwrap();
    let events = v.as_array().unwrap();
    assert_eq!(events.len(), 6);
    assert!(events.iter().all(|e| e["class_uid"] == 2004));
    assert!(events.iter().any(|e| e["status"] == "Suppressed"
        && e["unmapped"]["waiver"]["approver"] == "security@example.com"));
}

#[test]
fn html_escapes_what_it_shows() {
    let files = render_fixture();
    let html = text(&files, "index.html");
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)"));
    assert!(html.contains("HSM-backed key rotated manually"));
    assert!(
        !html.contains("http://") || html.contains("xmlns"),
        "no network reference"
    );
}

#[test]
fn trends_appear_only_with_history() {
    let eval = fixtures::evaluation();
    let without = render_with(&eval, true, &[]);
    assert!(text(&without, "index.html").contains("No history was given"));
    let points = [
        TrendPoint {
            run: "r1".to_owned(),
            taken_at: Utc.with_ymd_and_hms(2025, 5, 1, 8, 0, 0).unwrap(),
            pass: 10,
            fail: 4,
            unknown: 1,
            waived: 0,
        },
        TrendPoint {
            run: "r2".to_owned(),
            taken_at: Utc.with_ymd_and_hms(2025, 6, 1, 8, 0, 0).unwrap(),
            pass: 12,
            fail: 2,
            unknown: 1,
            waived: 1,
        },
    ];
    let with = render_with(&eval, true, &points);
    let html = text(&with, "index.html");
    assert!(
        html.contains("<polyline class=\"line fail\" points=\"0,27 100,34\">"),
        "{html}"
    );
}

/// The page's outline: each element with its id and classes, indented by depth; the text
/// of headings; the style and script left out. Content changes show in the other tests.
fn outline(html: &str) -> String {
    const VOID: &[&str] = &["meta", "link", "input", "br", "hr", "img"];
    let mut out = String::new();
    let mut depth = 0usize;
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').unwrap();
        let tag = &after[..end];
        rest = &after[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert!(depth > 0, "unbalanced </{name}>");
            depth -= 1;
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let attr = |key: &str| {
            let pat = format!(" {key}=\"");
            tag.find(&pat).map(|i| {
                let v = &tag[i + pat.len()..];
                v[..v.find('"').unwrap()].to_owned()
            })
        };
        let mut line = format!("{}{name}", "  ".repeat(depth));
        if let Some(id) = attr("id") {
            line.push_str(&format!("#{id}"));
        }
        if let Some(class) = attr("class") {
            line.push_str(&format!(".{}", class.replace(' ', ".")));
        }
        if let Some(role) = attr("role") {
            line.push_str(&format!(" [role={role}]"));
        }
        if matches!(name.as_str(), "h1" | "h2" | "h3" | "summary" | "caption") {
            let inner = &rest[..rest.find(&format!("</{name}>")).unwrap()];
            let text: String = strip_tags(inner);
            line.push_str(&format!(
                " \"{}\"",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
        out.push_str(&line);
        out.push('\n');
        if matches!(name.as_str(), "style" | "script") {
            rest = &rest[rest.find(&format!("</{name}>")).unwrap() + name.len() + 3..];
            continue;
        }
        if !VOID.contains(&name.as_str()) {
            depth += 1;
        }
    }
    assert_eq!(depth, 0, "unbalanced page");
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn html_structure() {
    let files = render_fixture();
    insta::assert_snapshot!(outline(text(&files, "index.html")));
}

#[test]
fn csv_and_rules_documentation() {
    let files = render_fixture();
    let csv = text(&files, "findings.csv");
    assert_eq!(
        csv.lines().count(),
        1 + fixtures::evaluation().findings.len()
    );
    let rules = text(&files, "rules.md");
    assert!(rules.contains("# `kms-key-rotation`"));
    assert!(rules.contains("### What it checks"), "{rules}");
    assert!(rules.contains("- nist-800-53-r5: SC-12"));
}
