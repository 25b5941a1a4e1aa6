//! Collection under faults: the seeded emulator (`tests/collect_moto.rs`) behind a
//! fault-injecting proxy (`tests/common/fault_proxy.rs`) that throttles, fails, slows or
//! resets chosen operations or regions at counted rates. Whatever happens, the run
//! completes in bounded time; what could not be read is a coverage gap naming the error,
//! the summary lists it, and the rules that need it say `unknown`, never `pass`
//! (`docs/faults.md` says what each failure means for the findings). A member role that
//! cannot be assumed is `collect_moto.rs`'s test.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;
#[path = "common/fault_proxy.rs"]
mod fault_proxy;

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::collect::{collect, collect_args, evaluate, rampart, run, summary, Run};
use common::moto::Moto;
use fault_proxy::{Fault, FaultProxy, Match, Rate, Rule};
use rampart::model::{CoverageGap, Operation, Service, Snapshot};
use serde_json::Value;

/// The emulator, seeded, and a fault-free collection of it (`clean.json`).
struct Seeded {
    moto: Moto,
    manifest: Value,
    dir: tempfile::TempDir,
    clean: Snapshot,
}

fn seeded() -> Seeded {
    let moto = Moto::start();
    let manifest = moto.seed(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = collect(&moto.url, "testing", "testing", dir.path(), "clean", &[]);
    Seeded {
        moto,
        manifest,
        dir,
        clean,
    }
}

impl Seeded {
    /// `rampart collect` through `proxy` into `NAME.json`, with `env` added, in at most two
    /// minutes; it must succeed (exit 0, as every collection that read the organization).
    fn collect(&self, proxy: &FaultProxy, name: &str, env: &[(&str, &str)], extra: &[&str]) -> Run {
        let mut cmd = rampart(&proxy.url, "testing", "testing");
        cmd.envs(env.iter().copied());
        collect_args(&mut cmd, self.dir.path(), name, extra);
        let started = Instant::now();
        let r = within(Duration::from_secs(120), cmd);
        assert_eq!(r.code, 0, "collect {name} through the proxy: {}", r.stderr);
        eprintln!("{name}: collected in {:.1?}", started.elapsed());
        r
    }

    fn snapshot(&self, name: &str) -> Snapshot {
        rampart::model::load_snapshot_file(&self.dir.path().join(format!("{name}.json")))
            .expect("snapshot")
    }
}

/// Runs `run(cmd)` on another thread, failing the test if it takes longer than `limit`
/// (a hang is a failure, not a stuck CI job).
fn within(limit: Duration, cmd: Command) -> Run {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run(cmd));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("the run did not finish within {limit:?}"))
}

/// A snapshot with its time and source set to `like`'s, to compare contents.
fn contents_like(mut s: Snapshot, like: &Snapshot) -> Snapshot {
    s.taken_at = like.taken_at;
    s.source = like.source.clone();
    s
}

/// The gaps of `faulted` that a fault-free collection does not have.
fn new_gaps<'a>(faulted: &'a Snapshot, clean: &Snapshot) -> Vec<&'a CoverageGap> {
    faulted
        .coverage
        .iter()
        .filter(|g| !clean.coverage.contains(g))
        .collect()
}

/// (rule, resource) → status.
fn statuses(findings: &[Value]) -> BTreeMap<(String, String), String> {
    findings
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            ((s("rule_id"), s("resource")), s("status"))
        })
        .collect()
}

/// Unknown is never pass: every `pass` of the faulted run is a `pass` of the fault-free
/// one (missing data may only turn findings `unknown`, or hide them behind a scope-wide
/// `unknown`).
fn assert_no_new_pass(faulted: &[Value], clean: &[Value]) {
    let clean = statuses(clean);
    let wrong: Vec<String> = statuses(faulted)
        .into_iter()
        .filter(|(key, status)| {
            status == "pass" && clean.get(key).map(String::as_str) != Some("pass")
        })
        .map(|((rule, arn), _)| {
            format!(
                "{rule} {arn} (was {:?})",
                clean.get(&(rule.clone(), arn.clone()))
            )
        })
        .collect();
    assert!(wrong.is_empty(), "passes with data missing: {wrong:#?}");
}

/// The accounts where the seed planted a violation of `rule`.
fn planted(manifest: &Value, rule: &str) -> Vec<String> {
    manifest["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| v["rule"] == rule)
        .map(|v| v["account_id"].as_str().expect("account").to_owned())
        .collect()
}

/// Every finding of `rule` is `unknown`, and there is one in each of `accounts`.
fn assert_all_unknown(findings: &[Value], rule: &str, accounts: &[String]) {
    let of_rule: Vec<&Value> = findings.iter().filter(|f| f["rule_id"] == rule).collect();
    let decided: Vec<&&Value> = of_rule
        .iter()
        .filter(|f| f["status"] != "unknown")
        .collect();
    assert!(
        decided.is_empty(),
        "{rule} decided without its data: {decided:#?}"
    );
    for account in accounts {
        assert!(
            of_rule.iter().any(|f| f["account_id"] == account.as_str()),
            "{rule}: no unknown in {account}"
        );
    }
}

/// Two tests, each with one seeded emulator (seeding takes most of a test's time), run
/// the scenarios in turn.
#[test]
fn throttling_and_server_errors_transient_then_persistent() {
    let s = seeded();
    transient_throttling_resets_and_server_errors_are_retried_away(&s);
    persistent_throttling_and_server_errors_are_gaps_and_their_rules_unknown(&s);
}

#[test]
fn timeouts_resets_a_failing_region_and_a_kill() {
    let s = seeded();
    slow_and_reset_calls_are_gaps_within_bounded_time(&s);
    a_failing_region_is_a_gap_there_only(&s);
    a_collection_killed_mid_scan_leaves_the_previous_output(&s);
}

fn transient_throttling_resets_and_server_errors_are_retried_away(s: &Seeded) {
    // Each rule faults the first two of its requests: a call meets at most two faults,
    // and three attempts outlast them.
    let proxy = FaultProxy::start(
        &s.moto.url,
        vec![
            Rule::on("kms:ListKeys", Fault::Throttle, Rate::First(2)),
            Rule::on(
                "iam:GetAccountAuthorizationDetails",
                Fault::Throttle,
                Rate::First(2),
            ),
            Rule::on("ec2:DescribeVpcs", Fault::Status(503), Rate::First(2)),
            Rule::on(
                "organizations:ListAccountsForParent",
                Fault::Status(500),
                Rate::First(2),
            ),
            Rule::on("sts:AssumeRole", Fault::Reset, Rate::First(2)),
            Rule::new(Match::service("s3"), Fault::Reset, Rate::First(2)),
        ],
    );
    s.collect(&proxy, "transient", &[("AWS_MAX_ATTEMPTS", "3")], &[]);
    assert_eq!(proxy.faulted(), [2; 6], "every fault was injected");
    let faulted = contents_like(s.snapshot("transient"), &s.clean);
    assert!(
        new_gaps(&faulted, &s.clean).is_empty(),
        "{:#?}",
        new_gaps(&faulted, &s.clean)
    );
    assert_eq!(
        faulted, s.clean,
        "the retried collection differs from the fault-free one"
    );
}

fn persistent_throttling_and_server_errors_are_gaps_and_their_rules_unknown(s: &Seeded) {
    let proxy = FaultProxy::start(
        &s.moto.url,
        vec![
            Rule::on("kms:ListKeys", Fault::Throttle, Rate::Always),
            Rule::on(
                "ec2:DescribeSecurityGroups",
                Fault::Status(503),
                Rate::Always,
            ),
        ],
    );
    let r = s.collect(&proxy, "persistent", &[], &[]);
    let faulted = s.snapshot("persistent");
    let accounts: Vec<String> = s.clean.accounts.iter().map(|a| a.id.clone()).collect();
    let regions = ["eu-west-1", "us-east-1"];
    for account in &accounts {
        for region in regions {
            let here = |g: &&CoverageGap| g.account_id == *account && g.region == region;
            assert!(
                faulted
                    .coverage
                    .iter()
                    .filter(here)
                    .any(|g| g.service == Service::Kms
                        && g.operation.is_none()
                        && g.reason.starts_with(
                            "kms:ListKeys: throttled after retries (ThrottlingException)"
                        )),
                "no kms gap in {account} {region}"
            );
            assert!(
                faulted.coverage.iter().filter(here).any(|g| g.operation
                    == Some(Operation::Ec2DescribeSecurityGroups)
                    && g.resource.is_none()
                    && g.reason.contains("ServiceUnavailable")),
                "no security group gap in {account} {region}"
            );
        }
    }
    assert!(faulted
        .accounts
        .iter()
        .all(|a| a.kms_keys.is_empty() && a.network.security_groups.is_empty()));
    // Everything else was read: the other gaps are the fault-free run's.
    for gap in new_gaps(&faulted, &s.clean) {
        assert!(
            gap.service == Service::Kms
                || gap.operation == Some(Operation::Ec2DescribeSecurityGroups),
            "unexpected gap {gap:?}"
        );
    }
    assert!(faulted.accounts.iter().any(|a| !a.network.vpcs.is_empty()));

    // The summary names them.
    let sum = summary(s.dir.path(), "persistent");
    assert!(
        sum["gaps_by_service"]["kms"]["reason"]
            .as_str()
            .unwrap_or_default()
            .starts_with("kms:ListKeys: throttled after retries (ThrottlingException)"),
        "{sum:#}"
    );
    assert!(
        r.stderr.contains("kms:ListKeys: throttled after retries"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("ec2:DescribeSecurityGroups: error (ServiceUnavailable)"),
        "{}",
        r.stderr
    );

    let clean = evaluate(&s.dir.path().join("clean.json"));
    let found = evaluate(&s.dir.path().join("persistent.json"));
    assert_no_new_pass(&found, &clean);
    for rule in [
        "kms-key-rotation",
        "kms-key-policy-no-wildcard-principal",
        "kms-key-external-decrypt",
        "sg-admin-ports-not-open-to-internet",
        "default-security-group-closed",
    ] {
        // The planted violations among them are hidden, not fixed.
        let planted = planted(&s.manifest, rule);
        assert!(!planted.is_empty(), "{rule} has a planted violation");
        assert_all_unknown(&found, rule, &planted);
    }
}

fn slow_and_reset_calls_are_gaps_within_bounded_time(s: &Seeded) {
    // Three seconds is longer than the 1 s timeout of each of the two attempts.
    let proxy = FaultProxy::start(
        &s.moto.url,
        vec![
            Rule::on(
                "ec2:DescribeFlowLogs",
                Fault::Delay(Duration::from_secs(3)),
                Rate::Always,
            ),
            Rule::on(
                "config:DescribeConfigurationRecorders",
                Fault::Reset,
                Rate::Always,
            ),
        ],
    );
    let started = Instant::now();
    s.collect(&proxy, "slow", &[], &["--call-timeout", "1"]);
    // 44 slowed calls of 2 × 1 s, 16 at a time, and the rest at full speed.
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "{:?}",
        started.elapsed()
    );
    let faulted = s.snapshot("slow");
    let [slowed, reset] = proxy.faulted()[..] else {
        unreachable!()
    };
    assert!(slowed >= 44 && reset >= 44, "{slowed} {reset}");
    for account in &faulted.accounts {
        for region in ["eu-west-1", "us-east-1"] {
            let here = |g: &&CoverageGap| g.account_id == account.id && g.region == region;
            assert!(
                faulted
                    .coverage
                    .iter()
                    .filter(here)
                    .any(|g| g.operation == Some(Operation::Ec2DescribeFlowLogs)
                        && g.reason.contains("timed out")),
                "no flow log gap in {} {region}",
                account.id
            );
            assert!(
                faulted
                    .coverage
                    .iter()
                    .filter(here)
                    .any(|g| g.operation.is_none()
                        && g.reason
                            .starts_with("config:DescribeConfigurationRecorders: unreachable")),
                "no Config gap in {} {region}",
                account.id
            );
        }
        assert!(
            account.network.flow_logs.is_empty() && account.logging.config_recorders.is_empty()
        );
    }
    let clean = evaluate(&s.dir.path().join("clean.json"));
    let found = evaluate(&s.dir.path().join("slow.json"));
    assert_no_new_pass(&found, &clean);
    for rule in ["vpc-flow-logs-enabled", "config-recorder-every-region"] {
        assert_all_unknown(&found, rule, &planted(&s.manifest, rule));
    }
}

fn a_failing_region_is_a_gap_there_only(s: &Seeded) {
    // Every call signed for us-east-1 fails; the home region (eu-west-1) signs the global
    // services' calls (Organizations, IAM, STS), so the organization is still read.
    let proxy = FaultProxy::start(
        &s.moto.url,
        vec![Rule::new(
            Match::region("us-east-1"),
            Fault::Status(503),
            Rate::Always,
        )],
    );
    let r = s.collect(&proxy, "region", &[], &[]);
    let faulted = s.snapshot("region");
    assert!(proxy.faulted()[0] > 0);
    let new = new_gaps(&faulted, &s.clean);
    assert!(!new.is_empty());
    for gap in &new {
        // Account Management is a global service whose one endpoint is in us-east-1.
        assert!(
            gap.region == "us-east-1" || gap.service == Service::Account,
            "a gap outside us-east-1: {gap:?}"
        );
        assert!(gap.reason.contains("ServiceUnavailable"), "{gap:?}");
    }
    // Every regional service is a gap in us-east-1 in every account.
    for account in &faulted.accounts {
        for service in [
            "kms",
            "ec2",
            "acm",
            "cloudtrail",
            "config",
            "rds",
            "route53resolver",
        ] {
            assert!(
                faulted.coverage.iter().any(|g| g.account_id == account.id
                    && g.region == "us-east-1"
                    && g.service.prefix() == service),
                "no {service} gap in us-east-1 of {}",
                account.id
            );
        }
    }
    // eu-west-1 is read as without faults.
    let in_region = |snap: &Snapshot, region: &str| -> Vec<String> {
        let json = serde_json::to_value(&snap.accounts).expect("json");
        let mut arns = Vec::new();
        collect_arns(&json, region, &mut arns);
        arns.sort();
        arns
    };
    assert_eq!(
        in_region(&faulted, "eu-west-1"),
        in_region(&s.clean, "eu-west-1")
    );
    // Of us-east-1, only the buckets are left (S3 lists them from the home region), their
    // details unread.
    let kept = in_region(&faulted, "us-east-1");
    assert!(
        kept.iter().all(|arn| arn.starts_with("arn:aws:s3:::")),
        "{kept:#?}"
    );
    assert!(r.stderr.contains("ServiceUnavailable"), "{}", r.stderr);

    let clean = evaluate(&s.dir.path().join("clean.json"));
    let found = evaluate(&s.dir.path().join("region.json"));
    assert_no_new_pass(&found, &clean);
}

/// The ARNs of every object in `value` whose `region` is `region`.
fn collect_arns(value: &Value, region: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(arn)), Some(Value::String(r))) =
                (map.get("arn"), map.get("region"))
            {
                if r == region {
                    out.push(arn.clone());
                }
            }
            map.values().for_each(|v| collect_arns(v, region, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_arns(v, region, out)),
        _ => {}
    }
}

fn a_collection_killed_mid_scan_leaves_the_previous_output(s: &Seeded) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("snapshot.json");
    let summary_out = dir.path().join("summary.json");
    std::fs::write(&out, "previous snapshot\n").expect("write");
    // Every KMS call takes a second: once the member accounts are being read, the
    // collection is busy for a while.
    let proxy = FaultProxy::start(
        &s.moto.url,
        vec![Rule::new(
            Match::service("kms"),
            Fault::Delay(Duration::from_secs(1)),
            Rate::Always,
        )],
    );
    let mut cmd = rampart(&proxy.url, "testing", "testing");
    cmd.args(["collect", "--regions", common::collect::REGIONS, "--out"])
        .arg(&out)
        .arg("--summary-out")
        .arg(&summary_out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    // Killed once member accounts are being read: the first KMS call is held.
    let deadline = Instant::now() + Duration::from_secs(60);
    while proxy.faulted()[0] == 0 {
        assert!(Instant::now() < deadline, "the collection never got going");
        assert!(
            child.try_wait().expect("wait").is_none(),
            "it finished before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(!status.success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(
        !stderr.contains("rampart collect: organization"),
        "it finished: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).expect("out"),
        "previous snapshot\n"
    );
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "snapshot.json")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
