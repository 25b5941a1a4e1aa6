//! `rampart iam …` end to end: simulate (file, stdin, flags, bad input) and effective.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use assert_cmd::Command;
use serde_json::Value;

fn rampart(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("rampart").unwrap();
    cmd.args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_owned());
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const REQUEST: &str = r#"{
  "policies": {"identity": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}],
               "scp_chain": [[{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}],
                             [{"Statement": {"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}]]},
  "principal": {"arn": "arn:aws:iam::111122223333:role/app", "account": "111122223333"},
  "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}
}"#;

#[test]
fn simulate_one_request_from_stdin() {
    let (code, out, err) = rampart(&["iam", "simulate", "--input", "-"], Some(REQUEST));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "explicit-deny");
    assert_eq!(v["matched"][1]["policy"], "scp");
    assert_eq!(v["matched"][1]["level"], 1);
    assert_eq!(v["matched"][1]["sid"], "NoS3");
    assert!(v["reason"].as_str().unwrap().contains("SCP at level 1"));
}

#[test]
fn simulate_bad_input_is_exit_2_with_position() {
    let bad = REQUEST.replace("\"principal\": {", "\"principle\": {");
    let (code, out, err) = rampart(&["iam", "simulate", "--input", "-"], Some(&bad));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.starts_with("error: <stdin>:5:3: unknown field `principle`"),
        "{err}"
    );

    let bad_policy = REQUEST.replace(
        "\"Effect\": \"Allow\", \"Action\": \"s3:Get*\"",
        "\"Effect\": \"Allow\", \"Actions\": \"s3:Get*\"",
    );
    let (code, _, err) = rampart(&["iam", "simulate", "--input", "-"], Some(&bad_policy));
    assert_eq!(code, 2);
    assert!(
        err.contains("<stdin>:2:") && err.contains("unknown statement element `Actions`"),
        "{err}"
    );

    let (code, _, err) = rampart(&["iam", "simulate", "--input", "-"], Some("[{"));
    assert_eq!(code, 2);
    assert!(err.contains("invalid JSON"), "{err}");
}

#[test]
fn simulate_flag_form() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.json");
    std::fs::write(&policy, r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}}"#).unwrap();
    let p = policy.to_str().unwrap();
    let base = [
        "iam",
        "simulate",
        "--policy",
        p,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
        "--format",
        "text",
    ];
    let (code, out, err) = rampart(
        &[&base[..], &["--context", "aws:SourceIp=10.1.2.3"]].concat(),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("allow "), "{out}");
    let (_, out, _) = rampart(
        &[&base[..], &["--context", "aws:SourceIp=192.0.2.1"]].concat(),
        None,
    );
    assert!(out.starts_with("implicit-deny "), "{out}");
    let (code, _, err) = rampart(&[&base[..], &["--context", "novalue"]].concat(), None);
    assert_eq!(code, 2);
    assert!(err.contains("expected KEY=VALUE"), "{err}");
}

#[test]
fn effective_permissions_of_the_sample() {
    let role = "arn:aws:iam::888899990000:role/OrganizationAccountAccessRole";
    let (code, out, err) = rampart(
        &[
            "iam",
            "effective",
            "--principal",
            role,
            "--action",
            "organizations:*",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let actions: Vec<&str> = v[0]["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["action"].as_str().unwrap())
        .collect();
    // AdministratorAccess allows everything; the root's DenyLeaveOrganization SCP takes one away.
    assert!(
        actions.contains(&"organizations:DescribeOrganization"),
        "{actions:?}"
    );
    assert!(!actions.contains(&"organizations:LeaveOrganization"));

    // The deploy role's permissions boundary denies user creation.
    let (_, out, _) = rampart(
        &[
            "iam",
            "effective",
            "--principal",
            "arn:aws:iam::888899990000:role/prod-deploy",
            "--action",
            "iam:CreateUser",
            "--format",
            "json",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["grants"].as_array().map(Vec::len), Some(0));

    let (code, _, err) = rampart(
        &[
            "iam",
            "effective",
            "--principal",
            "arn:aws:iam::1:role/none",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("no IAM role or user"), "{err}");
}

/// Effective permissions are Cedar attributes: an organization can write its own rules on them.
#[test]
fn cedar_policies_can_read_effective_permissions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("passrole.cedar"),
        r#"@id("no-passrole")
@title("Roles cannot pass roles")
@area("iam.workloads")
@severity("high")
@remediation("remove iam:PassRole")
forbid (principal, action, resource is Aws::IamRole)
unless { !resource.effective_actions.contains("iam:PassRole") };
"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("r.toml"), "name = \"custom\"\n").unwrap();
    let policies = dir.path().to_str().unwrap().to_owned();
    let ruleset = dir.path().join("r.toml").to_str().unwrap().to_owned();
    let (code, out, err) = rampart(
        &[
            "evaluate",
            "--policies",
            &policies,
            "--ruleset",
            &ruleset,
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let status = |arn: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == "no-passrole" && f["resource"] == arn)
            .map(|f| f["status"].as_str().unwrap().to_owned())
    };
    // AdministratorAccess passes roles; SecurityAudit does not.
    assert_eq!(
        status("arn:aws:iam::888899990000:role/OrganizationAccountAccessRole").as_deref(),
        Some("fail")
    );
    assert_eq!(
        status("arn:aws:iam::888899990000:role/rampart-audit").as_deref(),
        Some("pass")
    );
}
