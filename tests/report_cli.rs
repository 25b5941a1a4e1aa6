//! `rampart report` end to end: the evidence bundle on the sample organization, its
//! manifest verified and tampering detected, atomic output and exit codes, the OSCAL file
//! validated by compliance-trestle, and the page opened in headless Chromium.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::repo_path;

fn rampart() -> Command {
    let mut cmd = Command::cargo_bin("rampart").expect("binary is built");
    cmd.env_remove("RAYON_NUM_THREADS");
    cmd
}

/// Writes the bundle of the sample organization into `dir`; the sample fails high rules.
fn bundle(dir: &Path, extra: &[&str]) {
    rampart()
        .arg("report")
        .arg("--out")
        .arg(dir)
        .args(extra)
        .assert()
        .code(1);
}

fn read_dir_sorted(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let rel = entry
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        out.push((rel, std::fs::read(&entry).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_sample_bundle_verifies_and_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    bundle(&a, &["--ocsf"]);
    bundle(&b, &["--ocsf"]);
    let files = read_dir_sorted(&a);
    assert_eq!(files, read_dir_sorted(&b), "same inputs, same bytes");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "findings.csv",
        "findings.json",
        "index.html",
        "manifest.json",
        "ocsf/detection-findings.json",
        "oscal/assessment-results.json",
        "rules.md",
        "ruleset.toml",
        "snapshot.json",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    // The sample, byte for byte, and the bundled ruleset.
    let sample = std::fs::read(repo_path("fixtures/orgs/sample/snapshot.json")).unwrap();
    assert_eq!(std::fs::read(a.join("snapshot.json")).unwrap(), sample);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "rampart-evidence/1");
    assert_eq!(manifest["evaluated_at"], manifest["snapshot"]["taken_at"]);
    assert_eq!(manifest["tool"]["version"], env!("CARGO_PKG_VERSION"));
    rampart()
        .args(["report", "verify"])
        .arg(&a)
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with("intact: "));
}

#[test]
fn tampering_is_reported_file_by_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    bundle(&dir, &[]);
    std::fs::write(dir.join("findings.csv"), "rule_id\n").unwrap();
    std::fs::remove_file(dir.join("rules.md")).unwrap();
    std::fs::write(dir.join("oscal/extra.json"), "{}").unwrap();
    let out = rampart()
        .args(["report", "verify"])
        .arg(&dir)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("findings.csv: modified"), "{out}");
    assert!(out.contains("rules.md: missing"), "{out}");
    assert!(
        out.contains("oscal/extra.json: not in the manifest"),
        "{out}"
    );
    assert!(out.contains("3 of the bundle's files"), "{out}");

    // No manifest: the bundle cannot be read (2), one line naming the file.
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let err = rampart()
        .args(["report", "verify"])
        .arg(&dir)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("manifest.json: cannot read"), "{err}");
}

#[test]
fn bad_input_is_exit_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("broken.json");
    std::fs::write(&bad, "{\"schema_version\": \"1\", \"taken_at\": 3").unwrap();
    let out = tmp.path().join("bundle");
    let err = rampart()
        .arg("report")
        .arg("--snapshot")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("broken.json"), "{err}");
    assert!(!out.exists());
    // Nothing left beside it either.
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");

    // A directory that is not a bundle is never replaced.
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    rampart()
        .arg("report")
        .arg("--out")
        .arg(&other)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an evidence bundle"));
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn an_earlier_bundle_is_replaced_and_never_exit_1_with_fail_on_never() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    bundle(&dir, &[]);
    std::fs::write(dir.join("stale.txt"), "old").unwrap();
    rampart()
        .arg("report")
        .arg("--out")
        .arg(&dir)
        .args(["--fail-on", "never", "--snapshot-copy", "digest"])
        .assert()
        .code(0);
    assert!(!dir.join("stale.txt").exists());
    assert!(!dir.join("snapshot.json").exists());
    rampart()
        .args(["report", "verify"])
        .arg(&dir)
        .assert()
        .code(0);
}

fn venv_python() -> PathBuf {
    repo_path(".venv/bin/python")
}

#[test]
fn oscal_assessment_results_load_in_compliance_trestle() {
    let python = venv_python();
    assert!(
        python.exists(),
        "{} is missing: run scripts/test, which installs compliance-trestle (requirements-test.txt) into .venv",
        python.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    bundle(&dir, &[]);
    let file = dir.join("oscal/assessment-results.json");
    let script = "import sys\n\
from trestle.oscal.assessment_results import AssessmentResults\n\
ar = AssessmentResults.oscal_read(__import__('pathlib').Path(sys.argv[1]))\n\
r = ar.results[0]\n\
print(len(r.observations or []), len(r.findings or []))\n";
    let out = Process::new(&python)
        .args(["-c", script])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "trestle refused {}:\n{}{}",
        file.display(),
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Vec<usize> = stdout
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(
        counts[0] > 0 && counts[1] > 0,
        "observations and findings: {stdout}"
    );
}

/// Chromium from the Debian package, which `scripts/test` installs when it can.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

#[test]
fn the_page_renders_in_headless_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED the_page_renders_in_headless_chromium_without_console_errors: no chromium on PATH \
             (scripts/test installs the Debian package `chromium` with apt-get when run as root)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    bundle(&dir, &[]);
    let url = format!("file://{}", dir.join("index.html").display());
    let profile = tmp.path().join("profile");
    let base = |cmd: &mut Process| {
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    };
    // The DOM after scripts ran: the script marks the page when it finished.
    let mut dump = Process::new(&browser);
    base(&mut dump);
    let out = dump.arg("--dump-dom").arg(&url).output().unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed:\n{log}");
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains("data-ready=\"true\""),
        "the page's script did not finish:\n{log}"
    );
    assert!(dom.contains("id=\"frameworks\""));

    // A screenshot for people (the CI log prints its path).
    let shot_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let shot = shot_dir.join("evidence-index.png");
    let _ = std::fs::remove_file(&shot);
    let mut screenshot = Process::new(&browser);
    base(&mut screenshot);
    let out = screenshot
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success() && shot.is_file(),
        "no screenshot:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    println!("screenshot: {}", shot.display());
}

#[test]
fn a_history_database_gives_the_bundle_its_trend() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    for now in ["2026-11-20T06:00:00Z", "2026-11-21T06:00:00Z"] {
        rampart()
            .args(["evaluate", "--record", "--fail-on", "never", "--db"])
            .arg(&db)
            .env("RAMPART_NOW", now)
            .assert()
            .code(0);
    }
    let out = dir.path().join("bundle");
    bundle(&out, &["--history", db.to_str().unwrap()]);
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("over 2 runs"),
        "the trend chart has both runs"
    );
    let rows = html
        .split("<section id=\"trends\"")
        .nth(1)
        .unwrap()
        .matches("<tr><td>")
        .count();
    assert_eq!(rows, 2);
    // A database that does not exist is an input error, and nothing is written.
    let missing = dir.path().join("none.sqlite");
    let other = dir.path().join("other");
    rampart()
        .arg("report")
        .arg("--out")
        .arg(&other)
        .arg("--history")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "none.sqlite: no history database",
        ));
    assert!(!other.exists());
    assert!(!missing.exists());
}

/// `report --run`: the bundle of a run recorded by `evaluate --record` equals the one
/// `report --snapshot` gives from the same snapshot: every file byte for byte but the page
/// (which shows resource records only when the snapshot's text is at hand) and so the
/// manifest's line for it (docs/evidence.md).
#[test]
fn a_recorded_runs_bundle_equals_the_snapshots_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("history.sqlite");
    let sample = repo_path("fixtures/orgs/sample/snapshot.json");
    rampart()
        .args(["evaluate", "--snapshot"])
        .arg(&sample)
        .args(["--record", "--fail-on", "never", "--format", "json", "--db"])
        .arg(&db)
        .env("RAMPART_NOW", "2026-01-02T03:00:00Z")
        .assert()
        .code(0);
    let (direct, run) = (tmp.path().join("direct"), tmp.path().join("run"));
    rampart()
        .args(["report", "--snapshot"])
        .arg(&sample)
        .args(["--snapshot-copy", "digest", "--ocsf", "--out"])
        .arg(&direct)
        .assert()
        .code(1);
    rampart()
        .args(["report", "--run", "latest", "--ocsf", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&run)
        .assert()
        .code(1);
    let (a, b) = (read_dir_sorted(&direct), read_dir_sorted(&run));
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if name == "index.html" || name == "manifest.json" {
            continue;
        }
        assert!(
            x == y,
            "{name} differs between report --snapshot and report --run"
        );
    }
    let manifest = |dir: &Path| -> Value {
        let mut m: Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        let files = m["files"].as_array_mut().unwrap();
        files.retain(|f| f["path"] != "index.html");
        m
    };
    assert_eq!(manifest(&direct), manifest(&run));
    rampart()
        .args(["report", "verify"])
        .arg(&run)
        .assert()
        .code(0);
    // The page still shows the resource of every finding of the run.
    let page = std::fs::read_to_string(run.join("index.html")).unwrap();
    let findings: Value =
        serde_json::from_slice(&std::fs::read(run.join("findings.json")).unwrap()).unwrap();
    for f in findings["findings"].as_array().unwrap() {
        // As the template escapes it (`/` is `&#x2f;` in HTML text).
        let arn = f["resource"].as_str().unwrap().replace('/', "&#x2f;");
        assert!(page.contains(&arn), "{arn} not on the page");
    }
}

/// A run recorded before the history kept evaluations: exit 2, naming the run and why,
/// and no bundle written.
#[test]
fn a_run_recorded_before_schema_3_cannot_be_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("old.sqlite");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(include_str!("data/history-schema-v1.sql"))
        .unwrap();
    let out = tmp.path().join("bundle");
    let assert = rampart()
        .args(["report", "--run", "1", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("run 1 cannot be reported"), "{stderr}");
    assert!(stderr.contains("before schema version 3"), "{stderr}");
    assert!(!out.exists());
    // A run that is not there, and a database that is not there.
    let missing = rampart()
        .args(["report", "--run", "7", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&missing.get_output().stderr).into_owned();
    assert!(stderr.contains("no run `7`"), "{stderr}");
    rampart()
        .args(["report", "--run", "1", "--db"])
        .arg(tmp.path().join("none.sqlite"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!tmp.path().join("none.sqlite").exists());
}

/// `report --ocsf`: every event of `ocsf/detection-findings.json` conforms to the vendored
/// subset of OCSF 1.3.0's Detection Finding class (tests/data/README.md), and there is one
/// per finding that is not a pass.
#[test]
fn ocsf_events_conform_to_the_detection_finding_class() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    bundle(&dir, &["--ocsf"]);
    let events: Value =
        serde_json::from_slice(&std::fs::read(dir.join("ocsf/detection-findings.json")).unwrap())
            .unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_path(
            "tests/data/ocsf-1.3.0-detection-finding.schema.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&events)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let findings: Value =
        serde_json::from_slice(&std::fs::read(dir.join("findings.json")).unwrap()).unwrap();
    let reported = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "pass")
        .count();
    assert_eq!(events.as_array().unwrap().len(), reported);
    // The subset is not vacuous: an event without its class is refused.
    let mut broken = events.clone();
    broken[0]["class_uid"] = Value::from(2001);
    broken[0]["finding_info"]
        .as_object_mut()
        .unwrap()
        .remove("uid");
    assert_eq!(validator.iter_errors(&broken).count(), 2);
}
