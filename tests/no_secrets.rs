//! No secrets out (`docs/security.md`): credentials planted in a copy of the sample
//! organization and in the emulator (`moto_server`) reach no output — not a report of any
//! format, the evidence bundle (its snapshot copy included), the history database and
//! what `history` prints, a snapshot rampart writes, nor standard error at the most verbose
//! logging (the AWS SDK's requests and responses included). Access key ids are identifiers
//! and may appear; secret keys, secret values, passwords, private keys and tokens never.
//!
//! Each half also checks that the planted data was read (its redaction marker is there), so
//! that the test cannot pass by reading nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::moto::Moto;
use serde_json::{json, Value};

const REDACTED: &str = "[REDACTED]";
/// An AWS secret access key's shape: 40 base64 characters.
const SECRET_KEY: &str = "Xq7T2pL9vRk4Zm8Nw3Hs6Yb1Jc5Fd0GeAaUiOoPl";
/// An access key id: an identifier, allowed in outputs.
const KEY_ID: &str = "AKIAQ3EGRZ7NPLANT3D1";
const GITHUB_TOKEN: &str = "ghp_PlantedGithubToken0123456789abcdefAB";
const PASSWORD: &str = "Hunter2PlantedPass";
const PEM_BODY: &str = "MIIEpAIBAAKCAQEAplantedPEMbody0123";

fn pem() -> String {
    format!("-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----")
}

fn session_token() -> String {
    format!("IQoJb3JpZ2luX2VjEPlanted{}", "Zm9vYmFy0123".repeat(12))
}

/// Every planted value that must never appear.
fn planted() -> Vec<String> {
    vec![
        SECRET_KEY.to_owned(),
        GITHUB_TOKEN.to_owned(),
        PASSWORD.to_owned(),
        PEM_BODY.to_owned(),
        session_token(),
    ]
}

/// What one command or file gave: a name, its bytes, and for a SQLite database the text
/// of every value it holds.
struct Output {
    name: String,
    bytes: Vec<u8>,
    /// A database's values, one a line, deflated blobs inflated (`None` for other files).
    cells: Option<String>,
}

impl Output {
    fn new(name: String, bytes: Vec<u8>) -> Self {
        Self {
            name,
            bytes,
            cells: None,
        }
    }

    /// A file; a SQLite database also gets the text of its values.
    fn file(path: &Path) -> Self {
        let bytes = std::fs::read(path).expect("file");
        let cells = bytes
            .starts_with(b"SQLite format 3\0")
            .then(|| database_cells(path));
        Self {
            name: path.display().to_string(),
            bytes,
            cells,
        }
    }

    /// Where credential-shaped text is looked for: a database's values, whose page bytes
    /// are not text (a record's header bytes run into its first value, and deflated
    /// bodies are not readable), or the output itself.
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match &self.cells {
            Some(cells) => cells.into(),
            None => String::from_utf8_lossy(&self.bytes),
        }
    }
}

/// Every value of every table of the database at `path`, one a line; a blob is inflated
/// when it is deflated (the stored evaluations), else read as text.
fn database_cells(path: &Path) -> String {
    use rusqlite::types::ValueRef;
    use std::io::Read as _;
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("database opens");
    let mut tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap();
    let tables: Vec<String> = tables
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!tables.is_empty(), "{} has no table", path.display());
    let mut text = String::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get_ref(i).unwrap() {
                    ValueRef::Text(t) => text.push_str(&String::from_utf8_lossy(t)),
                    ValueRef::Blob(b) => {
                        let mut inflated = Vec::new();
                        let read = flate2::read::DeflateDecoder::new(b).read_to_end(&mut inflated);
                        let b = if read.is_ok() { &inflated[..] } else { b };
                        text.push_str(&String::from_utf8_lossy(b));
                    }
                    ValueRef::Integer(n) => text.push_str(&n.to_string()),
                    ValueRef::Real(r) => text.push_str(&r.to_string()),
                    ValueRef::Null => {}
                }
                text.push('\n');
            }
        }
    }
    text
}

/// Every output of every command run, and the files they wrote.
#[derive(Default)]
struct Outputs {
    all: Vec<Output>,
}

impl Outputs {
    /// Runs rampart with `args`, keeps its stdout and stderr, and returns its exit code.
    fn run(&mut self, base: &dyn Fn() -> Command, args: &[&str]) -> i32 {
        let out = base().args(args).output().expect("rampart runs");
        let name = args.join(" ");
        self.all
            .push(Output::new(format!("stdout of `{name}`"), out.stdout));
        self.all.push(Output::new(
            format!("stderr of `{name}`"),
            out.stderr.clone(),
        ));
        let code = out.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 1,
            "`{name}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        code
    }

    /// Adds every file under `dir` (the history database read as bytes).
    fn add_files(&mut self, dir: &Path) {
        for entry in std::fs::read_dir(dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                self.add_files(&path);
            } else {
                self.all.push(Output::file(&path));
            }
        }
    }

    fn text(&self, name_contains: &str) -> String {
        let found: Vec<&Output> = self
            .all
            .iter()
            .filter(|o| o.name.contains(name_contains))
            .collect();
        assert!(!found.is_empty(), "no output named like {name_contains}");
        found
            .iter()
            .map(|o| String::from_utf8_lossy(&o.bytes))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// No planted value and no generic credential pattern in any output.
    fn assert_clean(&self, planted: &[String]) {
        let mut leaks = std::collections::BTreeSet::new();
        for o in &self.all {
            // Planted values in the raw bytes too: a database's free pages keep what was
            // deleted.
            let raw = String::from_utf8_lossy(&o.bytes);
            let text = o.text();
            for p in planted {
                if raw.contains(p.as_str()) || text.contains(p.as_str()) {
                    leaks.insert(format!("{}: planted `{}…`", o.name, &p[..12]));
                }
            }
            for found in generic_credentials(&text) {
                leaks.insert(format!("{}: `{found}`", o.name));
            }
        }
        assert!(
            leaks.is_empty(),
            "{} leak(s):\n{}",
            leaks.len(),
            leaks.into_iter().collect::<Vec<_>>().join("\n")
        );
    }
}

/// Credential-shaped text, found independently of the redactor: private key headers,
/// GitHub tokens, `password=` with a value, 40-character base64 words with upper case, lower
/// case and a digit (AWS secret keys), and base64 runs of 100 characters or more (STS
/// session tokens).
fn generic_credentials(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(i) = text.find("PRIVATE KEY-----") {
        found.push(excerpt(text, i.saturating_sub(20), i + 16));
    }
    let lower = text.to_ascii_lowercase();
    for (i, _) in lower.match_indices("password=") {
        if !text[i + 9..].starts_with(REDACTED) {
            found.push(excerpt(text, i, i + 30));
        }
    }
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '/' || c == '+';
    for word in text.split(|c: char| !(is_b64(c) || c == '_')) {
        let mixed = word.chars().any(|c| c.is_ascii_uppercase())
            && word.chars().any(|c| c.is_ascii_lowercase())
            && word.chars().any(|c| c.is_ascii_digit());
        if word.starts_with("ghp_") && word.len() >= 24
            || (!word.contains('_') && mixed && (word.len() == 40 || word.len() >= 100))
        {
            found.push(word.chars().take(60).collect());
        }
    }
    found
}

/// `text[start..end]`, both ends moved back to a character boundary (binary files).
fn excerpt(text: &str, start: usize, end: usize) -> String {
    let back = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    text[back(start)..back(end)].to_owned()
}

/// The real binary with a clean environment; `env` added.
fn rampart(env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rampart"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs every command that reads a snapshot and writes something, over `snapshot`, with
/// the most verbose logging; their files go under `dir`. `scp`: also `scp diff`, whose
/// bundled guardrails name the sample organization's OUs.
fn every_output(snapshot: &Path, dir: &Path, env: &[(&str, &str)], scp: bool) -> Outputs {
    let base = || rampart(env);
    let s = snapshot.to_str().unwrap();
    let db = dir.join("history.sqlite");
    let db = db.to_str().unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let mut out = Outputs::default();
    let common = ["-vvvv", "--snapshot", s, "--fail-on", "never"];
    for format in ["text", "json", "sarif"] {
        out.run(
            &base,
            &[&["evaluate", "--format", format], &common[..]].concat(),
        );
    }
    for _ in 0..2 {
        out.run(
            &base,
            &[&["evaluate", "--record", "--db", db], &common[..]].concat(),
        );
    }
    let bundle = path("bundle");
    out.run(
        &base,
        &[
            &[
                "report",
                "--out",
                &bundle,
                "--ocsf",
                "--snapshot-copy",
                "full",
            ],
            &common[..],
            &["--history", db],
        ]
        .concat(),
    );
    out.run(
        &base,
        &[
            "report",
            "-vvvv",
            "--run",
            "latest",
            "--db",
            db,
            "--out",
            &path("bundle-run"),
        ],
    );
    for format in ["text", "json"] {
        for cmd in [
            &["history", "show", "latest"][..],
            &["history", "diff"],
            &["history", "trend"],
            &["history", "list"],
        ] {
            out.run(
                &base,
                &[cmd, &["-vvvv", "--db", db, "--format", format]].concat(),
            );
        }
    }
    out.run(&base, &["history", "diff", "--db", db, "--format", "sarif"]);
    let json = out.text("stdout of `evaluate --format json");
    let report: Value = serde_json::from_str(&json).expect("JSON report");
    let fingerprint = report["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    out.run(
        &base,
        &[
            "history",
            "finding",
            &fingerprint,
            "--db",
            db,
            "--format",
            "json",
        ],
    );
    out.run(&base, &["snapshot", "validate", "-vvvv", s]);
    out.run(
        &base,
        &["snapshot", "merge", s, "--out", &path("merged.json")],
    );
    out.run(&base, &["ruleset", "init", "--snapshot", s]);
    for format in ["text", "json"].into_iter().filter(|_| scp) {
        out.run(
            &base,
            &["scp", "diff", "-vvvv", "--snapshot", s, "--format", format],
        );
    }
    out.add_files(dir);
    out
}

/// The sample organization with credentials planted in tags, a bucket's classification,
/// a description, a policy's condition value, a coverage gap's reason and the source.
fn planted_sample() -> Value {
    let mut snap: Value = serde_json::from_str(rampart::model::SAMPLE_JSON).expect("sample");
    let account = &mut snap["accounts"][0];
    let tags = account["tags"].as_object_mut().unwrap();
    tags.insert(
        "Note".into(),
        json!(format!("aws_secret_access_key={SECRET_KEY}")),
    );
    tags.insert("DeployKey".into(), json!(pem()));
    tags.insert("CiToken".into(), json!(GITHUB_TOKEN));
    tags.insert("AccessKey".into(), json!(KEY_ID));
    let bucket = &mut account["storage"]["s3_buckets"][0];
    bucket["tags"]["DataClassification"] = json!(format!("password={PASSWORD}"));
    bucket["tags"]["SessionToken"] = json!(session_token());
    // A policy's condition value: an SCP statement denying unless a secret header matches.
    let policies = snap["organization"]["policies"].as_array_mut().unwrap();
    let scp = policies
        .iter_mut()
        .find(|p| p["aws_managed"] == false && p["kind"] == "SERVICE_CONTROL_POLICY")
        .expect("a custom SCP");
    scp["name"] = json!(format!("guardrails token={GITHUB_TOKEN}"));
    let statements = scp["document"]["Statement"].as_array_mut().unwrap();
    statements.push(json!({
        "Sid": "PlantedSecret",
        "Effect": "Deny",
        "Action": "s3:PutObject",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalTag/ci": SECRET_KEY}}
    }));
    let account_id = snap["accounts"][0]["id"].clone();
    snap["coverage"].as_array_mut().unwrap().push(json!({
        "account_id": account_id,
        "region": "us-east-1",
        "service": "kms",
        "reason": format!("AccessDenied: request with x-amz-security-token: {} denied", session_token()),
    }));
    snap["source"]["description"] = json!(format!("sample, password={PASSWORD}"));
    snap
}

#[test]
fn planted_credentials_in_a_snapshot_reach_no_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("planted.json");
    std::fs::write(
        &snapshot,
        serde_json::to_string_pretty(&planted_sample()).unwrap(),
    )
    .unwrap();
    let outputs_dir = dir.path().join("out");
    std::fs::create_dir(&outputs_dir).unwrap();
    let started = std::time::Instant::now();
    let out = every_output(&snapshot, &outputs_dir, &[], true);
    eprintln!("{} outputs in {:.1?}", out.all.len(), started.elapsed());
    out.assert_clean(&planted());

    // The planted data was read: its redaction marker is where it would have been.
    let copy = out.text("bundle/snapshot.json");
    let copy: Value = serde_json::from_str(&copy).expect("snapshot copy");
    let tags = &copy["accounts"][0]["tags"];
    assert_eq!(tags["Note"], format!("aws_secret_access_key={REDACTED}"));
    assert_eq!(tags["DeployKey"], REDACTED);
    assert_eq!(tags["AccessKey"], KEY_ID, "access key ids are kept");
    let manifest = out.text("bundle/manifest.json");
    assert!(manifest.contains("\"redacted\": true"), "{manifest}");
    let json = out.text("stdout of `evaluate --format json");
    assert!(
        json.contains(&format!("x-amz-security-token: {REDACTED}")),
        "the planted gap's reason is reported, redacted"
    );
    // The bucket's planted classification was read (it is not a valid level), and its
    // record on the auditor's page shows it redacted.
    let report: Value = serde_json::from_str(&json).unwrap();
    let bucket = copy["accounts"][0]["storage"]["s3_buckets"][0]["arn"]
        .as_str()
        .unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource"] == bucket
                && f["rule_id"] == "data-store-classification"
                && f["evidence"]
                    .to_string()
                    .contains("classification_tag_invalid")),
        "the planted classification is judged"
    );
    assert!(out
        .text("bundle/index.html")
        .contains(&format!("password={REDACTED}")));
    let verify = rampart(&[])
        .args(["report", "verify"])
        .arg(outputs_dir.join("bundle"))
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn planted_credentials_in_the_emulator_reach_no_output() {
    let moto = Moto::start();
    let values = json!({
        "secret_key": SECRET_KEY,
        "github_token": GITHUB_TOKEN,
        "password": PASSWORD,
        "session_token": session_token(),
        "pem": pem(),
        "secret_value": "SecretsManagerValuePlanted7f3a",
        "parameter_value": "SsmSecureStringPlanted9c1b",
    });
    let key = moto.script(
        "tests/moto/plant_secrets.py",
        &["--planted", &values.to_string()],
    );
    let mut never = planted();
    for k in ["secret_value", "parameter_value"] {
        never.push(values[k].as_str().unwrap().to_owned());
    }
    never.push(key["secret_access_key"].as_str().unwrap().to_owned());

    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ENDPOINT_URL", moto.url.as_str()),
        ("AWS_MAX_ATTEMPTS", "2"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let outputs_dir = dir.path().join("out");
    std::fs::create_dir(&outputs_dir).unwrap();
    let snapshot: PathBuf = outputs_dir.join("collected.json");
    let started = std::time::Instant::now();
    let mut collect = Outputs::default();
    let base = || rampart(&env);
    let snap = snapshot.to_str().unwrap();
    collect.run(
        &base,
        &["collect", "-vvvv", "--regions", "eu-west-1", "--out", snap],
    );
    let scan_db = dir.path().join("scan.sqlite");
    collect.run(
        &base,
        &[
            "scan",
            "-vvvv",
            "--regions",
            "eu-west-1",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--db",
            scan_db.to_str().unwrap(),
        ],
    );
    let db = Output::file(&scan_db);
    assert!(db.cells.is_some(), "scan.sqlite is read as a database");
    collect.all.push(db);
    let mut out = every_output(&snapshot, &outputs_dir, &env, false);
    out.all.append(&mut collect.all);
    eprintln!("{} outputs in {:.1?}", out.all.len(), started.elapsed());
    out.assert_clean(&never);

    // The planted data was read: the user, its key id and its redacted tags are there.
    let collected: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let users: Vec<&Value> = collected["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["iam"]["users"].as_array().into_iter().flatten())
        .collect();
    let user = users
        .iter()
        .find(|u| u["name"] == "ci-deployer")
        .expect("the planted user is collected");
    let text = user.to_string();
    assert!(
        text.contains(key["access_key_id"].as_str().unwrap()),
        "{text}"
    );
    assert!(
        text.contains(&format!("aws_secret_access_key={REDACTED}")),
        "{text}"
    );
    assert!(
        out.text("stderr of `collect").contains("AssumeRole")
            || out.text("stderr of `collect").contains("sts"),
        "the most verbose logging logs the SDK's calls"
    );
}

/// A database is searched by its values: a record's header byte that reads as a capital
/// letter runs into the hex fingerprint and the status after it, a 40-character word of
/// mixed case in the page bytes that no value holds (the December 3 false leak, in
/// `scan.sqlite`); and a secret inside a deflated body, invisible in the page bytes, is
/// found.
#[test]
fn a_database_is_searched_by_its_values() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE f (id INTEGER NOT NULL, fp TEXT NOT NULL, status TEXT NOT NULL,
             severity TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY (id, fp)) WITHOUT ROWID;
         CREATE TABLE e (id INTEGER PRIMARY KEY, body BLOB NOT NULL);",
    )
    .unwrap();
    let fingerprint = "afdb1876a05d8340942bed06fb467b12";
    // 36 characters: its serial type, 13 + 2 × 36 = 85, is the byte `U`.
    let message = " bucket has no default encryption...";
    assert_eq!(message.len(), 36);
    conn.execute(
        "INSERT INTO f VALUES (1, ?1, 'fail', 'low', ?2)",
        [fingerprint, message],
    )
    .unwrap();
    let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflated
        .write_all(
            format!(
                "{}{{\"tag\": \"{SECRET_KEY}\"}}",
                "{\"finding\": 1}, ".repeat(50)
            )
            .as_bytes(),
        )
        .unwrap();
    conn.execute(
        "INSERT INTO e (body) VALUES (?1)",
        [deflated.finish().unwrap()],
    )
    .unwrap();
    drop(conn);

    let db = Output::file(&path);
    let glued = format!("U{fingerprint}faillow");
    assert!(
        generic_credentials(&String::from_utf8_lossy(&db.bytes)).contains(&glued),
        "the page bytes hold the glued word"
    );
    assert!(!String::from_utf8_lossy(&db.bytes).contains(SECRET_KEY));
    let found = generic_credentials(&db.text());
    assert_eq!(
        found,
        vec![SECRET_KEY.to_owned()],
        "only the inflated secret"
    );
    let outputs = Outputs { all: vec![db] };
    let leak = std::panic::catch_unwind(|| outputs.assert_clean(&planted()));
    assert!(leak.is_err(), "the secret in the deflated body is a leak");
}
