//! The bad-input corpus (`tests/bad-inputs/`, README there): every case is a run of the
//! `rampart` binary on input that is broken in one way. Each must end with exit code 2 and
//! one error line naming the file and, where the input has one, the position; within a
//! time and a memory bound; never a panic or a hang; and with no output file left behind.
//!
//! The cases are listed in `tests/bad-inputs/cases.toml`. Inputs too large or too odd to
//! keep in the repository (100,000 levels of nesting, a 32 MiB file, bytes that are not
//! UTF-8, a symbolic link loop, a directory where a file is expected) are generated here,
//! into a temporary directory the cases name as `{gen}`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

mod common;
use common::repo_path;

/// How long one case may run (a debug build on a busy machine; the slowest case, 32 MiB
/// of JSON, takes about a second idle).
const TIME_LIMIT: Duration = Duration::from_secs(90);

/// The address space a case may use (`ulimit -v`, KiB): a parser that expands an alias
/// bomb or copies a deep document would die here rather than take the machine.
const MEMORY_LIMIT_KIB: u64 = 4 * 1024 * 1024;

/// Levels of nesting in the generated deep documents.
const DEPTH: usize = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What is wrong with the input.
    name: String,
    /// The command line, with `{dir}` (the corpus directory), `{gen}` (the generated
    /// inputs) and `{tmp}` (an empty directory of the case's own).
    args: Vec<String>,
    /// Text the error line must contain: the file and the position.
    error: String,
    /// Where the error line goes: `stderr` (every command), or `stdout` for `check`'s text
    /// report, which lists a file that does not parse among the results of the others.
    #[serde(default = "stderr")]
    stream: String,
    /// Whether to run the case again with `--out {tmp}/out.json` and check that no file
    /// is created (commands whose `--out` is a file).
    #[serde(default = "yes")]
    out: bool,
}

fn stderr() -> String {
    "stderr".to_owned()
}

fn yes() -> bool {
    true
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary under the memory limit and kills it at the time limit.
fn run(args: &[String]) -> Run {
    let binary = assert_cmd::cargo::cargo_bin("rampart");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KIB}; exec \"$0\" \"$@\""))
        .arg(&binary)
        .args(args)
        .current_dir(repo_path(""))
        .env_remove("RAMPART_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`rampart {}` ran longer than {TIME_LIMIT:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out_reader.join().expect("stdout")).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().expect("stderr")).into_owned(),
    }
}

/// Writes the inputs that are generated rather than kept in the repository.
fn generate(gen: &Path) {
    let write = |name: &str, bytes: &[u8]| {
        let path = gen.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let open = "[".repeat(DEPTH);
    let close = "]".repeat(DEPTH);
    // A snapshot 100,000 objects deep.
    write(
        "deep-snapshot.json",
        format!("{}1{}", "{\"a\":".repeat(DEPTH), "}".repeat(DEPTH)).as_bytes(),
    );
    write(
        "deep-policy.json",
        format!("{{\"Version\": \"2012-10-17\", \"Statement\": {open}{close}}}").as_bytes(),
    );
    write(
        "deep-template/template.yaml",
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties: {open}{close}\n"
        )
        .as_bytes(),
    );
    write(
        "deep-template-json/template.json",
        format!(
            "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"Data\": {{\"Type\": \"AWS::S3::Bucket\", \"Properties\": {open}{close}}}}}}}"
        )
        .as_bytes(),
    );
    write(
        "deep-ruleset.toml",
        format!("schema_version = \"1\"\nname = \"deep\"\nx = {open}{close}\n").as_bytes(),
    );
    write(
        "deep-cedar/deep.cedar",
        format!(
            "@id(\"deep\")\nforbid (principal, action, resource is Aws::KmsKey)\nunless {{ {}true{} }};\n",
            "(".repeat(DEPTH),
            ")".repeat(DEPTH)
        )
        .as_bytes(),
    );
    write(
        "deep-context.yaml",
        format!("defaults: {open}{close}\n").as_bytes(),
    );
    // A 32 MiB snapshot whose one string never ends.
    let mut large = b"{\"schema_version\": \"1\", \"taken_at\": \"".to_vec();
    large.resize(32 * 1024 * 1024, b'a');
    write("large-snapshot.json", &large);
    // A valid start, then a byte that is not UTF-8 on line 3.
    write(
        "not-utf8.json",
        b"{\n  \"schema_version\": \"1\",\n  \"taken_at\": \"\xff\"\n}\n",
    );
    // Every byte value: a binary file with a `.json` name.
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    write("binary.json", &binary);
    write("binary-policy.json", &binary);
    // A UTF-16 snapshot with its byte order mark.
    let utf16: Vec<u8> = std::iter::once(0xFEFF_u16)
        .chain("{\"schema_version\": \"1\"}".encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    write("utf16-snapshot.json", &utf16);
    // A directory where a file is expected.
    std::fs::create_dir_all(gen.join("a-directory.json")).unwrap();
    // A symbolic link loop among the paths `check` walks, next to a good template.
    let looped = gen.join("symlink-loop");
    std::fs::create_dir_all(&looped).unwrap();
    std::fs::copy(
        repo_path("fixtures/iac/repo/stacks/app.yaml"),
        looped.join("app.yaml"),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(".", looped.join("loop")).unwrap();
    let selfish = gen.join("self-link");
    std::fs::create_dir_all(&selfish).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("self.yaml", selfish.join("self.yaml")).unwrap();
    // A history database written by another program.
    write("not-a-database.sqlite", b"SQLite format 3\0 but not really");
}

fn expand(arg: &str, dir: &Path, gen: &Path, tmp: &Path) -> String {
    arg.replace("{dir}", &dir.to_string_lossy())
        .replace("{gen}", &gen.to_string_lossy())
        .replace("{tmp}", &tmp.to_string_lossy())
}

/// Checks one run; returns what is wrong, if anything.
fn check(case: &Case, r: &Run) -> Result<(), String> {
    if r.code != Some(2) {
        return Err(format!(
            "exit code {:?}, expected 2\nstdout: {}\nstderr: {}",
            r.code, r.stdout, r.stderr
        ));
    }
    if r.stderr.contains("panicked") || r.stdout.contains("panicked") {
        return Err(format!("panicked: {}", r.stderr));
    }
    let stream = if case.stream == "stdout" {
        &r.stdout
    } else {
        &r.stderr
    };
    let errors: Vec<&str> = stream
        .lines()
        .filter(|l| l.starts_with("error:") || l.contains(": error: "))
        .collect();
    if errors.len() != 1 {
        return Err(format!("{} error lines in {stream:?}", errors.len()));
    }
    if !errors[0].contains(&case.error) {
        return Err(format!("expected `{}` in {:?}", case.error, errors[0]));
    }
    // Anything else on stderr is a warning or a note, never a second error.
    if let Some(other) = r.stderr.lines().find(|l| {
        !l.trim().is_empty()
            && !l.starts_with("error:")
            && !l.starts_with("warning:")
            && !l.starts_with("rampart:")
    }) {
        if case.stream == "stderr" {
            return Err(format!("unexpected stderr line {other:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_bad_input_is_exit_2_with_one_error_naming_file_and_position() {
    let dir = repo_path("tests/bad-inputs");
    let text = std::fs::read_to_string(dir.join("cases.toml")).unwrap();
    let cases: Cases = toml::from_str(&text).unwrap();
    let gen_dir = tempfile::tempdir().unwrap();
    generate(gen_dir.path());
    let mut failures = Vec::new();
    for case in &cases.case {
        let tmp = tempfile::tempdir().unwrap();
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| expand(a, &dir, gen_dir.path(), tmp.path()))
            .collect();
        let r = run(&args);
        if let Err(e) = check(case, &r) {
            failures.push(format!("{}: {e}", case.name));
            continue;
        }
        if case.out {
            let out: PathBuf = tmp.path().join("out.json");
            let mut with_out = args.clone();
            with_out.extend(["--out".to_owned(), out.to_string_lossy().into_owned()]);
            let r = run(&with_out);
            if let Err(e) = check(case, &r) {
                failures.push(format!("{} (with --out): {e}", case.name));
            }
            let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
            if !left.is_empty() {
                failures.push(format!("{}: --out left {left:?}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.case.len(),
        failures.join("\n\n")
    );
}
