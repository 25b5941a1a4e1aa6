//! A `moto_server` (the AWS emulator, installed into `.venv` by `scripts/test`) for the
//! collector tests and benchmarks.

#![allow(clippy::expect_used, reason = "test support")]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A path in the repository: the nearest ancestor of the including crate's directory that
/// has `requirements-test.txt` (the workspace root, for the root crate and for
/// `crates/rampart-aws` alike).
fn repo_path(relative: &str) -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here
        .ancestors()
        .find(|dir| dir.join("requirements-test.txt").exists())
        .unwrap_or(here);
    root.join(relative)
}

/// A `moto_server` process on a free port of 127.0.0.1, stopped on drop.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

fn venv_bin(name: &str) -> PathBuf {
    repo_path(".venv/bin").join(name)
}

impl Moto {
    /// Starts the server and waits until it listens.
    pub fn start() -> Moto {
        let server = venv_bin("moto_server");
        assert!(
            server.exists(),
            "{} is missing: run scripts/test, which installs moto[server] (requirements-test.txt) into .venv",
            server.display()
        );
        // Port 0: the server binds a free port itself and prints it, so tests running in
        // parallel can never race for one.
        let mut child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("moto_server starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // Keep draining stderr (request logs) so the server never blocks on it.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) {
                    let _ = tx.send(rest.trim().to_owned());
                }
            }
        });
        let mut moto = Moto {
            child,
            url: String::new(),
        };
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("moto_server reports its port within 60 s");
        moto.url = format!("http://127.0.0.1:{port}");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Seeds the organization and returns the seed's manifest.
    pub fn seed(&self, extra: &[&str]) -> Value {
        self.script("tests/moto/seed.py", extra)
    }

    /// Runs a Python script of the repository against the server (`--endpoint URL` and
    /// `extra`) and returns what it prints, as JSON.
    pub fn script(&self, script: &str, extra: &[&str]) -> Value {
        let out = Command::new(venv_bin("python"))
            .arg(repo_path(script))
            .args(["--endpoint", &self.url])
            .args(extra)
            .output()
            .expect("the script runs");
        assert!(
            out.status.success(),
            "{script} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the script prints JSON")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
