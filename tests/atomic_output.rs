//! Nothing lost: a run killed (SIGKILL) while it computes or writes its output leaves the
//! previous output byte for byte, and the next run succeeds. Leftovers are only
//! `.rampart-…` temporaries, which no run reads. (The history database has its own test:
//! `history_cli.rs`, a recording killed inside its transaction.)

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::repo_path;

fn command(args: &[&str], out: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("rampart"));
    cmd.current_dir(repo_path("."))
        .args(args)
        .arg("--out")
        .arg(out)
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("RAMPART_OUTPUT_PAUSE_SECS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Runs to completion; rampart's exit codes 0 and 1 both mean an output was written.
fn complete(args: &[&str], out: &Path) {
    let output = command(args, out).output().unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every file under `path` (or `path` itself), by relative name.
fn contents(path: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if path.is_file() {
        out.insert(PathBuf::new(), std::fs::read(path).unwrap());
        return out;
    }
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                let rel = p.strip_prefix(path).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn kill(mut child: Child) {
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, yet it succeeded");
}

/// Where to kill a run.
#[derive(Debug, Clone, Copy)]
enum Point {
    /// Right after it starts: still reading and computing.
    Start,
    /// While its temporary output is being written (it exists, and is not yet renamed).
    Writing,
    /// Once the temporary output is complete and flushed, just before the rename (the
    /// test hook `RAMPART_OUTPUT_PAUSE_SECS` holds it there).
    BeforeRename,
}

/// Kills a run of `args` at `point`. Returns whether it was killed there (a `Writing` kill
/// may come too late on a fast machine: then the run finished, and says so).
fn run_killed(args: &[&str], out: &Path, point: Point) -> bool {
    let mut cmd = command(args, out);
    if let Point::BeforeRename = point {
        cmd.env("RAMPART_OUTPUT_PAUSE_SECS", "120");
    }
    let mut child = cmd.spawn().unwrap();
    match point {
        Point::Start => {
            std::thread::sleep(Duration::from_millis(20));
        }
        Point::Writing => {
            let dir = out.parent().unwrap();
            let started = Instant::now();
            loop {
                if temporaries(dir).iter().any(|t| t.is_file()) {
                    break;
                }
                if child.try_wait().unwrap().is_some()
                    || started.elapsed() > Duration::from_secs(300)
                {
                    return false;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        Point::BeforeRename => {
            let stderr = child.stderr.take().unwrap();
            let paused = BufReader::new(stderr)
                .lines()
                .any(|line| line.is_ok_and(|l| l.contains("pausing")));
            assert!(
                paused,
                "{args:?}: never reached its pause before the rename"
            );
        }
    }
    kill(child);
    true
}

/// The `.rampart-…` temporaries in `dir`.
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".rampart-"))
        })
        .collect()
}

/// A previous output at `out` survives a run killed at each point; then a run completes
/// and gives what a run into an empty place gives.
fn survives_kills(args_before: &[&str], args: &[&str], name: &str, points: &[Point]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join(name);
    complete(args_before, &out);
    let previous = contents(&out);
    assert!(!previous.is_empty());
    let mut killed_writing = false;
    for point in points {
        let killed = run_killed(args, &out, *point);
        if let Point::Writing = point {
            killed_writing |= killed;
        }
        if killed {
            assert!(
                contents(&out) == previous,
                "{args:?}: killed at {point:?}, the previous output changed"
            );
        }
        // Nothing but the output and `.rampart-…` temporaries.
        for entry in std::fs::read_dir(tmp.path()).unwrap().flatten() {
            let p = entry.path();
            assert!(
                p == out || temporaries(tmp.path()).contains(&p),
                "{args:?}: killed at {point:?}, left {}",
                p.display()
            );
        }
    }
    if points.iter().any(|p| matches!(p, Point::Writing)) {
        assert!(killed_writing, "{args:?}: never killed while writing");
    }
    complete(args, &out);
    let fresh = tmp.path().join("fresh");
    complete(args, &fresh);
    assert!(
        contents(&out) == contents(&fresh),
        "{args:?}: the run after the kills differs from a fresh one"
    );
    assert!(
        contents(&out) != previous,
        "{args:?}: the test needs two different outputs"
    );
}

#[test]
fn a_killed_synth_leaves_the_previous_snapshot() {
    // Tens of megabytes: long enough to be killed while writing.
    let big = [
        "synth",
        "--accounts",
        "40",
        "--resources",
        "150000",
        "--seed",
        "2",
    ];
    survives_kills(
        &["synth", "--accounts", "2", "--resources", "100"],
        &big,
        "snapshot.json",
        &[
            Point::Start,
            Point::Writing,
            Point::Writing,
            Point::Writing,
            Point::BeforeRename,
        ],
    );
}

#[test]
fn a_killed_evaluate_leaves_the_previous_findings() {
    survives_kills(
        &["evaluate", "--format", "text", "--fail-on", "never"],
        &["evaluate", "--format", "sarif", "--fail-on", "never"],
        "findings.sarif",
        &[Point::Start, Point::BeforeRename],
    );
}

#[test]
fn a_killed_report_leaves_the_previous_bundle() {
    survives_kills(
        &["report"],
        &["report", "--ocsf"],
        "bundle",
        &[Point::Start, Point::BeforeRename],
    );
}

#[test]
fn a_killed_scp_generate_leaves_the_previous_files() {
    survives_kills(
        &["scp", "generate", "--no-differential", "--no-verify"],
        &["scp", "generate", "--no-differential"],
        "scps",
        &[Point::Start, Point::BeforeRename],
    );
}
