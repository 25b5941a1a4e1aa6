//! Tests of `scp diff` (the attached SCPs against the intents) and of the impact preview.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports"
)]

use std::path::Path;

use serde_json::{json, Value};

use super::diff::{DiffReport, IntentDiff, Status};
use super::impact::{parse_events, Caller, ImpactReport, Verdict};
use super::*;
use crate::model::{
    sample_snapshot, CoverageGap, Operation, OrgPolicy, OrgPolicyKind, Service, Snapshot,
};
use crate::ruleset::Ruleset;

const ROOT: &str = "r-a1b2";
const WORKLOADS: &str = "ou-a1b2-w5k8t3z1";
const SANDBOX: &str = "ou-a1b2-s9b1x5d7";
const JENKINS: &str = "864209753186";
const DEV_SANDBOX: &str = "123456789012";
const APP_PROD: &str = "888899990000";

const LEAVE_ONLY: &str = r#"
[defaults]
principal = "arn:aws:iam::{account}:role/workload-admin"
region = "eu-west-1"
exempt = ["arn:aws:iam::*:role/break-glass-*"]

[[intent]]
id = "no-leaving"
kind = "deny-leave-organization"
targets = ["root"]
"#;

fn generation(snapshot: &Snapshot, guardrails: &str) -> Generation {
    let g = parse_guardrails(guardrails, Path::new("g.toml")).unwrap();
    generate(snapshot, &g, &Ruleset::bundled().unwrap().parameters, None).unwrap()
}

fn sample_diff() -> DiffReport {
    generation(&sample_snapshot().unwrap(), DEFAULT_GUARDRAILS).diff()
}

fn intent<'a>(d: &'a DiffReport, id: &str) -> &'a IntentDiff {
    d.intents.iter().find(|i| i.intent == id).unwrap()
}

fn status_of(i: &IntentDiff, account: &str) -> Status {
    i.accounts
        .iter()
        .find(|a| a.account == account)
        .unwrap()
        .status
}

/// An SCP to attach: its name, its targets, its document.
type Scp<'a> = (&'a str, Vec<&'a str>, Value);

/// The sample organization with its SCPs replaced: FullAWSAccess everywhere and `extra`.
fn with_scps(extra: Vec<Scp<'_>>) -> Snapshot {
    let mut snapshot = sample_snapshot().unwrap();
    let template = snapshot
        .organization
        .policies
        .iter()
        .find(|p| p.name == "DenyLeaveOrganization")
        .unwrap()
        .clone();
    snapshot
        .organization
        .policies
        .retain(|p| p.kind != OrgPolicyKind::ServiceControlPolicy || p.name == "FullAWSAccess");
    for (name, targets, document) in extra {
        snapshot.organization.policies.push(OrgPolicy {
            id: format!("p-{name}"),
            name: name.to_owned(),
            document: document.into(),
            targets: targets.into_iter().map(str::to_owned).collect(),
            ..template.clone()
        });
    }
    snapshot
}

fn deny(statement: Value) -> Value {
    let mut s = statement;
    s["Effect"] = json!("Deny");
    if s.get("Resource").is_none() && s.get("NotResource").is_none() {
        s["Resource"] = json!("*");
    }
    json!({"Version": "2012-10-17", "Statement": [s]})
}

const EXEMPT: &str = "arn:aws:iam::*:role/break-glass-*";

#[test]
fn the_sample_diff_tells_enforced_broader_missing_and_unused_statements() {
    let d = sample_diff();
    let leave = intent(&d, "deny-leave-organization");
    // Attached to every OU but not to the account under the root; no break-glass exemption.
    assert_eq!(status_of(leave, JENKINS), Status::Missing);
    assert_eq!(status_of(leave, DEV_SANDBOX), Status::Broader);
    assert_eq!(leave.status, Status::Narrower);
    let broader = leave
        .accounts
        .iter()
        .find(|a| a.account == APP_PROD)
        .unwrap();
    assert_eq!(broader.denied.len(), 1);
    assert!(broader.denied[0].request.principal.contains("break-glass"));
    assert_eq!(broader.enforced_by[0].policy, "DenyLeaveOrganization");
    // Denied to the root user in the Workloads OU only.
    let root = intent(&d, "deny-root-user");
    assert_eq!(status_of(root, APP_PROD), Status::Enforced);
    assert_eq!(status_of(root, DEV_SANDBOX), Status::Missing);
    assert_eq!(intent(&d, "region-deny-prod").status, Status::Missing);
    assert_eq!(intent(&d, "kms-deletion-window").status, Status::Missing);
    let unused = d
        .statements
        .iter()
        .find(|s| s.statement.policy == "ProtectPaymentsBaseline")
        .unwrap();
    assert!(unused.enforces.is_empty() && unused.broader_than.is_empty());
    let leave_statement = d
        .statements
        .iter()
        .find(|s| s.statement.policy == "DenyLeaveOrganization")
        .unwrap();
    assert_eq!(leave_statement.enforces, vec!["deny-leave-organization"]);
    assert_eq!(
        leave_statement.broader_than,
        vec!["deny-leave-organization"]
    );
    assert!(d.lacking().any(|i| i.intent == "region-deny-prod"));
}

#[test]
fn equivalent_forms_enforce_the_intent() {
    let exempt = json!({"ArnNotLike": {"aws:PrincipalArn": EXEMPT}});
    let cases: Vec<(&str, Vec<Scp<'_>>)> = vec![
        (
            "a wildcard action with the exemption",
            vec![(
                "leave",
                vec![ROOT],
                deny(json!({"Action": "organizations:Leave*", "Condition": exempt})),
            )],
        ),
        (
            "the exemption written as StringNotLike on a mixed-case key",
            vec![(
                "leave",
                vec![ROOT],
                deny(json!({"Action": ["organizations:leaveorganization"],
                            "Condition": {"StringNotLike": {"AWS:PrincipalARN": [EXEMPT]}}})),
            )],
        ),
        (
            "attached at every OU and to the account under the root",
            vec![(
                "leave",
                vec![
                    "ou-a1b2-k3x9s8e1",
                    "ou-a1b2-n7f4r2q8",
                    "ou-a1b2-d2p6m4w9",
                    WORKLOADS,
                    SANDBOX,
                    "ou-a1b2-t6l2g8h4",
                    JENKINS,
                ],
                deny(json!({"Action": "organizations:LeaveOrganization", "Condition": exempt})),
            )],
        ),
    ];
    for (name, scps) in cases {
        let d = generation(&with_scps(scps), LEAVE_ONLY).diff();
        let i = intent(&d, "no-leaving");
        assert_eq!(i.status, Status::Enforced, "{name}: {i:#?}");
        assert!(
            i.accounts
                .iter()
                .all(|a| a.enforced_by[0].policy == "leave"),
            "{name}"
        );
    }
}

#[test]
fn non_equivalent_forms_do_not() {
    let cases: Vec<(&str, Vec<Scp<'_>>, Status)> = vec![
        (
            "an exemption that covers every role",
            vec![(
                "leave",
                vec![ROOT],
                deny(json!({"Action": "organizations:LeaveOrganization",
                            "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}})),
            )],
            Status::Missing,
        ),
        (
            "a deny only in us-east-1",
            vec![(
                "leave",
                vec![ROOT],
                deny(json!({"Action": "organizations:LeaveOrganization",
                            "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}})),
            )],
            Status::Missing,
        ),
        (
            "NotAction that leaves LeaveOrganization out",
            vec![(
                "leave",
                vec![ROOT],
                deny(json!({"NotAction": "organizations:*", "Condition":
                            {"ArnNotLike": {"aws:PrincipalArn": EXEMPT}}})),
            )],
            Status::Missing,
        ),
        (
            "no exemption for break-glass",
            vec![(
                "leave",
                vec![ROOT],
                deny(json!({"Action": "organizations:LeaveOrganization"})),
            )],
            Status::Broader,
        ),
        (
            "every organizations action denied",
            vec![(
                "leave",
                vec![ROOT],
                deny(json!({"Action": "organizations:*", "Condition":
                            {"ArnNotLike": {"aws:PrincipalArn": EXEMPT}}})),
            )],
            Status::Broader,
        ),
    ];
    for (name, scps, expected) in cases {
        let d = generation(&with_scps(scps), LEAVE_ONLY).diff();
        assert_eq!(intent(&d, "no-leaving").status, expected, "{name}");
    }
    // Only under Workloads: enforced there, missing elsewhere.
    let d = generation(
        &with_scps(vec![(
            "leave",
            vec![WORKLOADS],
            deny(
                json!({"Action": "organizations:LeaveOrganization", "Condition":
                        {"ArnNotLike": {"aws:PrincipalArn": EXEMPT}}}),
            ),
        )]),
        LEAVE_ONLY,
    )
    .diff();
    let i = intent(&d, "no-leaving");
    assert_eq!(i.status, Status::Narrower);
    assert_eq!(status_of(i, APP_PROD), Status::Enforced);
    assert_eq!(status_of(i, JENKINS), Status::Missing);
}

#[test]
fn an_allow_list_scp_enforces_by_implicit_deny() {
    // FullAWSAccess replaced at the root by an allow-list that leaves organizations out.
    let mut snapshot = with_scps(vec![(
        "allow-list",
        vec![ROOT],
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ec2:*", "s3:*", "iam:*"], "Resource": "*"}]}),
    )]);
    for p in &mut snapshot.organization.policies {
        if p.name == "FullAWSAccess" {
            p.targets.retain(|t| t != ROOT);
        }
    }
    let d = generation(&snapshot, LEAVE_ONLY).diff();
    let i = intent(&d, "no-leaving");
    // Denied to everyone, break-glass included, and no Deny statement to name.
    assert_eq!(i.status, Status::Broader, "{i:#?}");
    assert!(i.accounts.iter().all(|a| a.enforced_by.is_empty()));
}

#[test]
fn unread_or_unattached_policies_make_the_status_unknown() {
    let leave = || {
        vec![(
            "leave",
            vec![ROOT],
            deny(json!({"Action": "organizations:LeaveOrganization"})),
        )]
    };
    // A gap in reading the organization's policies.
    let mut snapshot = with_scps(leave());
    snapshot.coverage.push(CoverageGap {
        account_id: snapshot.organization.management_account_id.clone(),
        region: "us-east-1".to_owned(),
        service: Service::Organizations,
        reason: "AccessDenied: organizations:ListPolicies".to_owned(),
        resource: None,
        operation: Some(Operation::OrganizationsListPolicies),
    });
    let d = generation(&snapshot, LEAVE_ONLY).diff();
    let i = intent(&d, "no-leaving");
    assert_eq!(i.status, Status::Unknown);
    assert!(i
        .accounts
        .iter()
        .all(|a| a.status == Status::Unknown
            && a.reason.as_deref().unwrap().contains("AccessDenied")));
    // An OU with no SCP at all: its attachments were not read.
    let mut snapshot = with_scps(leave());
    for p in &mut snapshot.organization.policies {
        p.targets.retain(|t| t != SANDBOX);
    }
    let d = generation(&snapshot, LEAVE_ONLY).diff();
    let i = intent(&d, "no-leaving");
    let a = i
        .accounts
        .iter()
        .find(|a| a.account == DEV_SANDBOX)
        .unwrap();
    assert_eq!(a.status, Status::Unknown);
    assert!(a.reason.as_deref().unwrap().contains("`Sandbox`"), "{a:?}");
    assert_eq!(status_of(i, APP_PROD), Status::Broader);
    assert_eq!(i.status, Status::Broader);
    // An attached SCP that does not parse.
    let snapshot = with_scps(vec![(
        "broken",
        vec![ROOT],
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}]}),
    )]);
    let d = generation(&snapshot, LEAVE_ONLY).diff();
    let i = intent(&d, "no-leaving");
    assert_eq!(i.status, Status::Unknown);
    assert!(i.accounts[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("`broken`"));
}

const EVENTS: &str = include_str!("../../../../fixtures/cloudtrail/sample-events.jsonl");

fn sample_impact() -> ImpactReport {
    let g = generation(&sample_snapshot().unwrap(), DEFAULT_GUARDRAILS);
    g.impact(&parse_events(EVENTS).unwrap()).unwrap()
}

#[test]
fn events_are_read_from_json_lines_and_log_files() {
    let events = parse_events(EVENTS).unwrap();
    assert_eq!(events.len(), 14);
    assert_eq!(events[0].location, "line 1");
    // The issuer keeps the role's path; a session without one is its role.
    assert_eq!(
        events[0].caller,
        Caller::Principal("arn:aws:iam::888899990000:role/deploy/app-deployer".to_owned())
    );
    assert_eq!(
        events[4].caller,
        Caller::Principal("arn:aws:iam::777788889999:role/workload-admin".to_owned())
    );
    assert_eq!(events[5].action, "s3:ListAllMyBuckets");
    assert_eq!(events[8].action, "lambda:UpdateFunctionConfiguration");
    assert!(matches!(events[10].caller, Caller::Exempt(_)));
    assert!(matches!(events[11].caller, Caller::Exempt(_)));
    assert_eq!(
        events[3].resource.as_deref(),
        Some("arn:aws:s3:::app-prod-data-888899990000/2026/11/30/part-0001.parquet")
    );
    let records: Vec<Value> = EVENTS
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let file = json!({ "Records": records }).to_string();
    let from_file = parse_events(&file).unwrap();
    assert_eq!(from_file.len(), 14);
    assert_eq!(from_file[2].location, "record 3");
    assert_eq!(from_file[2].action, events[2].action);
}

#[test]
fn bad_records_are_errors_that_name_the_line() {
    let good = EVENTS.lines().next().unwrap();
    let cases = [
        (format!("{good}\n{{\"eventSource\": \n"), "line 2, column"),
        (format!("{good}\n\n[1]\n"), "line 3: a record is a JSON object"),
        (
            good.replace("\"eventName\":\"RunInstances\",", ""),
            "line 1: `eventName` is missing",
        ),
        (
            good.replace("\"awsRegion\":\"ap-southeast-2\"", "\"awsRegion\":7"),
            "line 1: `awsRegion` is not a non-empty string",
        ),
        (
            r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","recipientAccountId":"888899990000","userIdentity":{"type":"IAMUser"}}"#.to_owned(),
            "line 1: `userIdentity.arn` is missing",
        ),
        (r#"{"Records": 3}"#.to_owned(), "`Records` is not an array"),
    ];
    for (text, expected) in cases {
        let e = parse_events(&text).unwrap_err().to_string();
        assert!(
            e.starts_with(expected) || e.contains(expected),
            "{e} / {expected}"
        );
    }
}

#[test]
fn the_impact_preview_tells_new_denials_from_old_ones() {
    let report = sample_impact();
    assert_eq!(report.events, 14);
    assert_eq!(report.calls, 10);
    let line = |first: &str| {
        report
            .newly_denied
            .iter()
            .chain(&report.newly_allowed)
            .chain(&report.unknown)
            .find(|c| c.first == first)
            .unwrap_or_else(|| panic!("{first}: {report:#?}"))
    };
    // The region deny of production, twice (the same call), by the generated SCP.
    let run = line("line 1");
    assert_eq!(run.count, 2);
    let Verdict::Denied { by } = &run.planned else {
        panic!("{run:?}")
    };
    assert_eq!(by[0].sid.as_deref(), Some("RegionDenyProd"));
    assert_eq!(run.today, Verdict::Allowed);
    // The root user of a sandbox account, denied whatever else the call carried.
    assert!(matches!(line("line 6").planned, Verdict::Denied { .. }));
    // A foundation role deleted by a workload: the event names the role.
    assert!(matches!(line("line 10").planned, Verdict::Denied { .. }));
    // A volume whose encryption the event does not say.
    let Verdict::MayBeDenied { depends_on, .. } = &line("line 5").planned else {
        panic!()
    };
    assert!(
        depends_on.contains(&"ec2:encrypted".to_owned()),
        "{depends_on:?}"
    );
    // Break-glass leaves the organization: denied today, exempt in the plan.
    let leave = line("line 8");
    assert!(matches!(leave.today, Verdict::Denied { .. }));
    assert_eq!(leave.planned, Verdict::Allowed);
    // StopLogging in the network account is denied today and in the plan.
    assert_eq!(report.already_denied, 1);
    assert!(report.unknown.is_empty());
    let skipped: usize = report.skipped.iter().map(|s| s.count).sum();
    assert_eq!(skipped, 3);
    // Deterministic.
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        serde_json::to_string(&sample_impact()).unwrap()
    );
}

#[test]
fn an_unread_organization_makes_calls_unknown() {
    let mut snapshot = sample_snapshot().unwrap();
    snapshot.coverage.push(CoverageGap {
        account_id: "*".to_owned(),
        region: "us-east-1".to_owned(),
        service: Service::Organizations,
        reason: "AccessDenied".to_owned(),
        resource: None,
        operation: Some(Operation::OrganizationsListTargetsForPolicy),
    });
    let g = generation(&snapshot, DEFAULT_GUARDRAILS);
    let report = g.impact(&parse_events(EVENTS).unwrap()).unwrap();
    assert_eq!(report.unknown.len(), report.calls);
    assert!(report.newly_denied.is_empty());
}
