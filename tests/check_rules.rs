//! Rule verdicts on CloudFormation templates, end to end through `rampart check`: one small
//! template per case under `fixtures/iac/rules/`, with the equivalent and non-equivalent
//! forms templates really write (protocol `-1` vs `tcp 0-65535` vs `6`, rules declared
//! apart from their group, `!Ref` vs `!GetAtt`, deny entries numbered first, `Bool` vs
//! `BoolIfExists`, a key by id, ARN or alias). Each file is deployed in a production
//! workload account (`fixtures/iac/rules/context.yaml`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use assert_cmd::Command;
use serde_json::Value;

const CONTEXT: &str = "fixtures/iac/rules/context.yaml";

/// The findings of `rampart check` on one fixture, as (rule id, resource ARN, status).
fn findings(file: &str) -> Vec<(String, String, String)> {
    findings_in(file, CONTEXT)
}

/// The JSON report of `rampart check` on one fixture (a path below the repository) deployed
/// as `context` says; the run must exit 0.
fn check_json(fixture: &str, context: &str) -> Value {
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(fixture)
        .args(["--context", context, "--format", "json"])
        .args(["--fail-on", "never", "--now", "2026-12-01T00:00:00Z"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{fixture}: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A finding's (rule id, resource ARN, status).
fn verdict_of(f: &Value) -> (String, String, String) {
    (
        f["rule_id"].as_str().unwrap().to_owned(),
        f["resource"].as_str().unwrap().to_owned(),
        f["status"].as_str().unwrap().to_owned(),
    )
}

/// The same, with another context.
fn findings_in(file: &str, context: &str) -> Vec<(String, String, String)> {
    check_json(&format!("fixtures/iac/rules/{file}"), context)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(verdict_of)
        .collect()
}

/// Asserts the status of `rule` on every resource whose ARN ends with `resource`, and that
/// there is one.
#[track_caller]
fn expect(file: &str, cases: &[(&str, &str, &str)]) {
    expect_in(file, CONTEXT, cases);
}

/// [`expect`] with another context.
#[track_caller]
fn expect_in(file: &str, context: &str, cases: &[(&str, &str, &str)]) {
    let all = findings_in(file, context);
    for (rule, resource, status) in cases {
        let got: Vec<&str> = all
            .iter()
            .filter(|(r, arn, _)| r == rule && arn.ends_with(resource))
            .map(|(_, _, s)| s.as_str())
            .collect();
        assert_eq!(
            got,
            vec![*status],
            "{file}: `{rule}` on `…{resource}`; all findings: {all:#?}"
        );
    }
}

const SG: &str = "sg-admin-ports-not-open-to-internet";

#[test]
fn security_group_protocols_all_forms() {
    // All traffic, every TCP port, and protocol 6 by number open SSH alike.
    expect("sg-all-protocols.yaml", &[(SG, "-sg", "fail")]);
    expect("sg-tcp-all-ports.yaml", &[(SG, "-sg", "fail")]);
    expect("sg-protocol-number.yaml", &[(SG, "-sg", "fail")]);
}

#[test]
fn security_group_ports_through_conditions() {
    // The parameter's default decides the condition: 443, not 22.
    expect("sg-port-if-decided.yaml", &[(SG, "-sg", "pass")]);
    // A parameter without a default: the port is unknown, never a guessed pass.
    expect("sg-port-if-undecided.yaml", &[(SG, "-sg", "unknown")]);
}

#[test]
fn ingress_rules_declared_apart_from_the_group() {
    // `!Ref Sg`, RDP from `::/0`.
    expect("sg-separate-ingress-ref.yaml", &[(SG, "-sg", "fail")]);
    // `!GetAtt Sg.GroupId`, SSH from a private range and 443 from anywhere.
    expect("sg-separate-ingress-getatt.yaml", &[(SG, "-sg", "pass")]);
    // A source given at deployment.
    expect(
        "sg-separate-ingress-undecided.yaml",
        &[(SG, "-sg", "unknown")],
    );
}

#[test]
fn undecided_routes_and_zones_are_unknown_never_pass_or_fail() {
    expect(
        "route-undecided.yaml",
        &[
            // Its route table's default route may point at an internet gateway.
            ("workload-subnet-no-internet-route", "-dbsubnet", "unknown"),
            // One subnet in `eu-west-1a`, the other wherever `!GetAZs` puts it.
            ("workload-vpc-multi-az", "-vpc", "unknown"),
            // The organization's other VPCs are not in the code.
            ("vpc-cidr-no-overlap", "-vpc", "unknown"),
        ],
    );
}

#[test]
fn policies_attached_to_undecided_roles_make_every_role_unknown() {
    // `Roles: [!Ref TargetRole]` may name either role; `ManagedPolicyArns: !Ref Extra`
    // may attach anything. With the organization known, the IAM rules would otherwise
    // decide (and pass) on what the code shows.
    const RUNTIME: &str = "iam-runtime-role-no-iam-management";
    expect_in(
        "iam-undecided-attachment.yaml",
        TRANSFORMS_CONTEXT,
        &[
            (RUNTIME, "-FunctionRole", "unknown"),
            (RUNTIME, "-WorkerRole", "unknown"),
            ("iam-privilege-escalation", "-FunctionRole", "unknown"),
        ],
    );
}

#[test]
fn internet_gateways_and_routes() {
    expect(
        "igw-route.yaml",
        &[
            ("igw-only-in-internet-vpcs", "-igw", "fail"),
            ("workload-subnet-no-internet-route", "-publicsubnet", "fail"),
            (
                "workload-subnet-no-internet-route",
                "-privatesubnet",
                "pass",
            ),
            // Both subnets in one zone.
            ("workload-vpc-multi-az", "-vpc", "fail"),
            ("vpc-flow-logs-enabled", "-vpc", "fail"),
        ],
    );
    // `!GetAtt` forms, to a VPC designated for internet traffic.
    expect(
        "igw-ingress-vpc.yaml",
        &[("igw-only-in-internet-vpcs", "-igw", "pass")],
    );
}

const NACL: &str = "nacl-admin-ports-not-open-to-internet";

#[test]
fn network_acl_entries_all_forms() {
    // `Protocol: -1`, `Egress` left to its default (inbound).
    expect("nacl-all-protocols.yaml", &[(NACL, "-acl", "fail")]);
    // `Protocol: 6` over every port.
    expect("nacl-protocol-number.yaml", &[(NACL, "-acl", "fail")]);
    // Allow-all outbound only, and 443 inbound.
    expect("nacl-egress-only.yaml", &[(NACL, "-acl", "pass")]);
    // A deny numbered before the allow, though written after it.
    expect("nacl-deny-first.yaml", &[(NACL, "-acl", "pass")]);
    // IPv4 denied, IPv6 `::/0` allowed.
    expect("nacl-ipv6.yaml", &[(NACL, "-acl", "fail")]);
}

const TLS: &str = "s3-bucket-secure-transport";

#[test]
fn bucket_policies_denying_plain_http() {
    expect("tls-bool.yaml", &[(TLS, ":::rules-tls-bool", "pass")]);
    expect(
        "tls-bool-if-exists.yaml",
        &[(TLS, ":::rules-tls-bool-if-exists", "pass")],
    );
    // `aws:SecureTransport` compared as the string `false`: the same requests match.
    expect(
        "tls-string-equals.yaml",
        &[(TLS, ":::rules-tls-string-equals", "pass")],
    );
    // The policy names its bucket by the literal name rather than `!Ref`.
    expect(
        "tls-literal-name.yaml",
        &[(TLS, ":::rules-tls-literal-name", "pass")],
    );
    // Denying HTTPS is not denying HTTP.
    expect(
        "tls-bool-true.yaml",
        &[(TLS, ":::rules-tls-bool-true", "fail")],
    );
}

const CMK: &str = "s3-classified-cmk";

#[test]
fn bucket_keys_by_id_arn_and_alias() {
    expect("key-ref.yaml", &[(CMK, ":::rules-key-ref", "pass")]);
    expect("key-getatt.yaml", &[(CMK, ":::rules-key-getatt", "pass")]);
    expect(
        "key-alias.yaml",
        &[
            (CMK, ":::rules-key-alias", "pass"),
            ("kms-key-in-use-enabled", "-key", "pass"),
        ],
    );
    // An alias the code does not declare: which key it names is not known.
    expect(
        "key-alias-undeclared.yaml",
        &[(CMK, ":::rules-key-alias-undeclared", "unknown")],
    );
}

#[test]
fn flow_logs_config_recorders_and_clusters() {
    expect(
        "flow-logs.yaml",
        &[
            ("vpc-flow-logs-enabled", "-logged", "pass"),
            ("vpc-flow-logs-enabled", "-unlogged", "fail"),
        ],
    );
    let recorder = "config-recorder-all-resources";
    expect("config-recorder.yaml", &[(recorder, "/everything", "pass")]);
    expect(
        "config-recorder-some-types.yaml",
        &[(recorder, "/some-types", "fail")],
    );
    // Without a delivery channel in the template, whether it records is not known.
    expect(
        "config-recorder-no-channel.yaml",
        &[(recorder, "/no-channel", "unknown")],
    );
    // A cluster member's storage is its cluster's.
    expect(
        "rds-cluster-members.yaml",
        &[
            ("rds-storage-encrypted", "-writer", "fail"),
            ("rds-storage-encrypted", "-encryptedwriter", "pass"),
            ("rds-cluster-storage-encrypted", "-encryptedcluster", "pass"),
        ],
    );
}

#[test]
fn dns_sharing_and_on_premises_connectivity() {
    expect(
        "private-zone.yaml",
        &[
            ("private-hosted-zone-in-network-account", "ZONE", "fail"),
            ("private-hosted-zone-vpc-environment", "ZONE", "pass"),
        ],
    );
    // The public zone is out of scope of both.
    assert!(!findings("private-zone.yaml")
        .iter()
        .any(|(_, arn, _)| arn.ends_with("PUBLICZONE")));
    expect(
        "network-services.yaml",
        &[
            ("transit-gateway-only-in-network-account", "-tgw", "fail"),
            ("vpn-only-in-network-account", "-vpn", "fail"),
            ("resolver-forward-targets-private", "-forward", "fail"),
            ("resolver-rule-owned-by-network-account", "-forward", "fail"),
            // RAM lets principals outside the organization in unless told otherwise.
            ("ram-no-production-share-to-nonproduction", "-share", "fail"),
            ("vpc-s3-gateway-endpoint", "-vpc", "pass"),
            ("workload-vpc-attached-to-hub", "-vpc", "fail"),
        ],
    );
}

/// The context of the transform fixtures: the sample organization's production storefront
/// account, so that the IAM rules (which read SCPs) decide.
const TRANSFORMS_CONTEXT: &str = "fixtures/iac/transforms/context.yaml";

/// A finding as (rule id, resource ARN, status, line).
type Located = (String, String, String, u64);

/// `rampart check` on a fixture of `fixtures/iac/transforms/`: the findings, and the
/// notices' messages.
fn transformed(file: &str) -> (Vec<Located>, Vec<String>) {
    let log = check_json(
        &format!("fixtures/iac/transforms/{file}"),
        TRANSFORMS_CONTEXT,
    );
    let findings = log["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let (rule, resource, status) = verdict_of(f);
            (
                rule,
                resource,
                status,
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let notices = log["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap().to_owned())
        .collect();
    (findings, notices)
}

/// The (status, line) of `rule` on the resource whose ARN ends with `resource`.
#[track_caller]
fn verdict(findings: &[Located], rule: &str, resource: &str) -> (String, u64) {
    let got: Vec<(String, u64)> = findings
        .iter()
        .filter(|(r, arn, _, _)| r == rule && arn.ends_with(resource))
        .map(|(_, _, s, l)| (s.clone(), *l))
        .collect();
    assert_eq!(got.len(), 1, "`{rule}` on `…{resource}`: {findings:#?}");
    got[0].clone()
}

const PAB: &str = "s3-classified-public-access-block";

#[test]
fn buckets_created_by_a_for_each_loop() {
    let (findings, _) = transformed("for-each-buckets.yaml");
    // Each bucket of the loop is judged, at the loop body's logical id (line 17).
    assert_eq!(
        verdict(&findings, PAB, ":::storefront-Public-assets"),
        ("fail".to_owned(), 17)
    );
    assert_eq!(
        verdict(&findings, PAB, ":::storefront-Private-assets"),
        ("pass".to_owned(), 17)
    );
}

#[test]
fn a_loop_over_an_undecided_collection_is_judged_once_never_skipped() {
    let (findings, notices) = transformed("for-each-undecided.yaml");
    assert!(
        notices.iter().any(|n| n.starts_with(
            "`Fn::ForEach::Tenants`: the code does not decide its collection (parameter `Tenants` has no default"
        )),
        "{notices:#?}"
    );
    // What every item shares decides: Block Public Access is off for all of them.
    assert_eq!(
        verdict(&findings, PAB, "-Open${Tenant}"),
        ("fail".to_owned(), 13)
    );
    // A classification tag set from the item is unknown.
    assert_eq!(
        verdict(&findings, PAB, "-Tagged${Tenant}"),
        ("unknown".to_owned(), 21)
    );
}

const RUNTIME: &str = "iam-runtime-role-no-iam-management";

#[test]
fn sam_function_execution_roles() {
    let (findings, notices) = transformed("sam-functions.yaml");
    assert!(
        !notices.iter().any(|n| n.contains("AWS::Serverless")),
        "{notices:#?}"
    );
    // The role SAM creates, at the function's logical id.
    assert_eq!(
        verdict(&findings, RUNTIME, "-AdminFunctionRole"),
        ("fail".to_owned(), 11)
    );
    assert_eq!(
        verdict(&findings, RUNTIME, "-ReaderFunctionRole"),
        ("pass".to_owned(), 20)
    );
    // A policy template is not expanded: unknown, not a pass.
    assert_eq!(
        verdict(&findings, RUNTIME, "-TemplatedFunctionRole"),
        ("unknown".to_owned(), 30)
    );
    // A function with its own role gets no other.
    assert!(!findings
        .iter()
        .any(|(_, arn, _, _)| arn.ends_with("-OwnRoleFunctionRole")));
    assert_eq!(
        verdict(&findings, RUNTIME, "-AppRole"),
        ("pass".to_owned(), 41)
    );
}
