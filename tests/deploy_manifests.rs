//! The manifests under `deploy/` parse (YAML or JSON), and every rampart command line in
//! them is one this rampart accepts: each is run with `--help` appended, which clap answers
//! only after it has matched every subcommand and flag before it (an unknown one is exit 2).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

mod common;
use common::repo_path;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every document of a manifest file, as JSON values.
fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => {
            vec![serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))]
        }
        Some("yaml" | "yml") => serde_yaml_ng::Deserializer::from_str(&text)
            .map(|doc| {
                Value::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            })
            .collect(),
        _ => panic!("{}: not YAML or JSON", path.display()),
    }
}

/// The rampart command lines (arguments after `rampart`) a manifest runs: a container of a
/// rampart image without `command` runs its `args` (the image's entrypoint is rampart);
/// shell text (`sh -c`) runs each `rampart …` between `;`, `&&`, `||` and newlines.
fn command_lines(value: &Value, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            let image = map.get("image").and_then(Value::as_str).unwrap_or_default();
            let strings = |v: Option<&Value>| -> Vec<String> {
                v.and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            if image.contains("rampart") && map.get("command").is_none() {
                let args = strings(map.get("args"));
                if !args.is_empty() {
                    out.push(args);
                }
            }
            for v in map.values() {
                command_lines(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| command_lines(v, out)),
        Value::String(text) => {
            for segment in text
                .split(['\n', ';'])
                .flat_map(|s| s.split("&&"))
                .flat_map(|s| s.split("||"))
            {
                let words: Vec<&str> = segment.split_whitespace().collect();
                // `rampart` alone is a name (`serviceAccountName: rampart`), not a command.
                if words.len() > 1 && words[0] == "rampart" {
                    out.push(words[1..].iter().map(|w| substitute(w)).collect());
                }
            }
        }
        _ => {}
    }
}

/// Shell variables as a scheduler would fill them in (`${SHARDS}` is a number).
fn substitute(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, tail) = match after.strip_prefix('{') {
            Some(inner) => {
                let end = inner.find('}').unwrap();
                (&inner[..end], &inner[end + 1..])
            }
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push_str(if name.contains("SHARDS") || name.contains("INDEX") {
            "8"
        } else {
            "x"
        });
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[test]
fn every_manifest_parses_and_runs_real_rampart_commands() {
    let mut paths = Vec::new();
    files(&repo_path("deploy"), &mut paths);
    paths.sort();
    assert!(paths.len() >= 5, "{paths:?}");
    let mut lines = Vec::new();
    for path in &paths {
        let docs = documents(path);
        assert!(!docs.is_empty(), "{}: no document", path.display());
        let before = lines.len();
        docs.iter().for_each(|d| command_lines(d, &mut lines));
        let name = path.file_name().unwrap().to_string_lossy();
        if name != "volume.yaml" {
            assert!(
                lines.len() > before,
                "{}: no rampart command found",
                path.display()
            );
        }
    }
    // The sharded scans collect, merge and record; the nightly CronJob scans.
    let firsts: Vec<&str> = lines.iter().map(|l| l[0].as_str()).collect();
    for expected in ["scan", "collect", "snapshot", "evaluate"] {
        assert!(firsts.contains(&expected), "{expected} in {firsts:?}");
    }
    for line in &lines {
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("rampart"))
            .args(line)
            .arg("--help")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "`rampart {}` is not a command this rampart accepts: {}",
            line.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
