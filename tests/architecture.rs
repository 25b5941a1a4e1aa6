//! The architecture's rules that the compiler alone does not check: which crates may build
//! the AWS SDK (read from the lock files, transitively), and which engine modules may use
//! which (read from their `crate::` paths), so that the data flow stays one way.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod common;
use common::repo_path;

/// Package name → the names of its dependencies, from a `Cargo.lock`.
fn lock_graph(path: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let lock: toml::Table = toml::from_str(&text).unwrap();
    let mut graph = BTreeMap::new();
    for package in lock["package"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_owned();
        let deps: Vec<String> = package
            .get("dependencies")
            .and_then(|d| d.as_array())
            .map(|d| {
                d.iter()
                    .filter_map(|v| v.as_str())
                    // `name` or `name version` when the lock holds several versions.
                    .map(|v| v.split(' ').next().unwrap_or(v).to_owned())
                    .collect()
            })
            .unwrap_or_default();
        graph.entry(name).or_insert_with(Vec::new).extend(deps);
    }
    graph
}

fn closure(graph: &BTreeMap<String, Vec<String>>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_owned()];
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            todo.extend(graph.get(&name).cloned().unwrap_or_default());
        }
    }
    seen
}

#[test]
fn only_the_collectors_build_the_aws_sdk() {
    let graph = lock_graph(&repo_path("Cargo.lock"));
    for krate in [
        "rampart-iam",
        "rampart-model",
        "rampart-engine",
        "rampart-iac",
        "rampart-history",
    ] {
        let deps = closure(&graph, krate);
        let sdk: Vec<&String> = deps
            .iter()
            .filter(|d| d.starts_with("aws-") || d.as_str() == "rampart-aws")
            .collect();
        assert!(sdk.is_empty(), "{krate} depends on {sdk:?}");
    }
    assert!(closure(&graph, "rampart-aws").contains("aws-sdk-s3"));
    // aws-sdk-ec2 needs ~7 GB to compile, past the build's 4 GiB budget (docs/building.md).
    assert!(!graph.contains_key("aws-sdk-ec2"));

    let fuzz = lock_graph(&repo_path("fuzz/Cargo.lock"));
    let deps = closure(&fuzz, "rampart-fuzz");
    assert!(deps.contains("rampart-iam"));
    // The fuzz targets reach the engine (rulesets, Cedar, mapping templates) but never the
    // collectors or the AWS SDK.
    assert!(
        !deps
            .iter()
            .any(|d| d.starts_with("aws-") || d == "rampart-aws"),
        "{deps:?}"
    );
}

/// The engine's modules, each with the modules it may use: a leaf vocabulary, then
/// rulesets, facts and rules one way, findings and reports the other.
const ENGINE_LAYERS: &[(&str, &[&str])] = &[
    ("vocab", &[]),
    ("findings", &["vocab"]),
    ("ruleset", &["vocab"]),
    ("facts", &["ruleset", "vocab"]),
    (
        "rules",
        &["capabilities", "facts", "findings", "ruleset", "vocab"],
    ),
    ("report", &["findings", "vocab"]),
    ("policy_files", &["findings", "vocab"]),
    ("iac_links", &["findings"]),
    ("synth", &[]),
    ("capabilities", &["vocab"]),
    ("scp", &["ruleset", "vocab"]),
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap().flatten() {
            rust_files(&entry.path(), out);
        }
    } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

#[test]
fn engine_modules_depend_one_way() {
    let src = repo_path("crates/rampart-engine/src");
    let modules: BTreeSet<&str> = ENGINE_LAYERS.iter().map(|(m, _)| *m).collect();
    let mut problems = Vec::new();
    for (module, allowed) in ENGINE_LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(module), &mut files);
        rust_files(&src.join(format!("{module}.rs")), &mut files);
        assert!(!files.is_empty(), "no files for `{module}`");
        // Test code may build inputs with any module (`synth` makes organizations).
        let test_only = |f: &PathBuf| {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            matches!(name, "tests.rs" | "fixtures.rs" | "test_support.rs")
                || f.parent().is_some_and(|p| p.ends_with("tests"))
        };
        for file in files.into_iter().filter(|f| !test_only(f)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for (i, _) in line.match_indices("crate::") {
                    let used: String = line[i + "crate::".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if used != *module
                        && modules.contains(used.as_str())
                        && !allowed.contains(&used.as_str())
                    {
                        problems.push(format!(
                            "{}:{}: `{module}` uses `{used}`",
                            file.display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
