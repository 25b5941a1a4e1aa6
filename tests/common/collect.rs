//! Running the real `rampart` binary against the emulator (directly, or through the fault
//! proxy): the collector tests' shared steps.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "test support")]

use std::path::Path;
use std::process::Command;

use rampart::model::{load_snapshot_file, Snapshot};
use serde_json::Value;

/// The regions `tests/moto/seed.py` seeds and the tests collect.
pub const REGIONS: &str = "eu-west-1,us-east-1";

/// The real binary, sending every call to `endpoint` with the given credentials.
pub fn rampart(endpoint: &str, key: &str, secret: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rampart"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        // The emulator answers unimplemented calls with HTTP 500, which the SDK retries
        // as transient; two attempts keep the test quick.
        .env("AWS_MAX_ATTEMPTS", "2")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

/// A finished run.
pub struct Run {
    /// Its exit code (-1 when killed).
    pub code: i32,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs a command to its end.
pub fn run(mut cmd: Command) -> Run {
    let out = cmd.output().expect("rampart runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Makes `cmd` (from [`rampart`]) a `rampart collect` of [`REGIONS`] into `DIR/NAME.json`,
/// its summary into `DIR/NAME.summary.json`.
pub fn collect_args(cmd: &mut Command, dir: &Path, name: &str, extra: &[&str]) {
    cmd.args(["collect", "--regions", REGIONS, "--out"])
        .arg(dir.join(format!("{name}.json")))
        .arg("--summary-out")
        .arg(dir.join(format!("{name}.summary.json")))
        .args(extra);
}

/// [`collect_args`] run, which must succeed; the snapshot it wrote.
pub fn collect(
    endpoint: &str,
    key: &str,
    secret: &str,
    dir: &Path,
    name: &str,
    extra: &[&str],
) -> Snapshot {
    let mut cmd = rampart(endpoint, key, secret);
    collect_args(&mut cmd, dir, name, extra);
    let r = run(cmd);
    assert_eq!(r.code, 0, "collect {name} failed: {}", r.stderr);
    assert!(
        r.stderr.contains("rampart collect: organization o-"),
        "{}",
        r.stderr
    );
    load_snapshot_file(&dir.join(format!("{name}.json"))).expect("the collected snapshot loads")
}

/// The summary `collect NAME` wrote.
pub fn summary(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(format!("{name}.summary.json"))).expect("summary");
    serde_json::from_str(&text).expect("summary is JSON")
}

/// The id of a seeded account, by its name in the seed's manifest.
pub fn account_id(manifest: &Value, name: &str) -> String {
    manifest["accounts"][name].as_str().expect(name).to_owned()
}

/// Every operation the run issued is a listed read: the read-only proof, end to end.
pub fn assert_read_only(summary: &Value) {
    let calls = summary["calls_by_operation"].as_object().expect("calls");
    assert!(!calls.is_empty());
    for op in calls.keys() {
        assert!(
            rampart_aws::calls::is_allowed(op),
            "{op} is not in calls::operations()"
        );
        assert!(
            rampart_aws::calls::is_read_operation(op),
            "{op} is not a read"
        );
    }
}

/// Findings of a JSON report.
pub fn findings(report: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(report).expect("report is JSON");
    v["findings"].as_array().expect("findings").clone()
}

/// The findings of `rampart evaluate` on a collected snapshot (JSON, never failing).
pub fn evaluate(snapshot: &Path) -> Vec<Value> {
    let mut cmd = rampart("http://127.0.0.1:1", "testing", "testing");
    cmd.args(["evaluate", "--snapshot"]).arg(snapshot).args([
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    findings(&r.stdout)
}
