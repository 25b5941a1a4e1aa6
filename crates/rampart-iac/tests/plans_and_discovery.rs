//! Terraform plans (pretty, one line, UTF-16), policy files, non-IaC files, discovery and
//! parallel parsing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

mod common;

use std::path::PathBuf;

use common::{document, fixture, plan, position_of};
use rampart_iac::terraform::ResourceMode;
use rampart_iac::{
    classify, discover, parse_all, parse_file, Document, DocumentKind, IacError, Value,
};

#[test]
fn plan_resources_from_root_and_child_modules() {
    let p = plan("terraform/plan.json");
    assert_eq!(p.format_version, "1.2");
    assert_eq!(p.terraform_version.as_deref(), Some("1.9.5"));
    let addresses: Vec<&str> = p.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "data.aws_caller_identity.current",
            "aws_s3_bucket.data",
            "aws_s3_bucket_server_side_encryption_configuration.data",
            "module.logs.aws_s3_bucket.this[0]",
            "module.logs.module.kms.aws_kms_key.this",
        ]
    );
    let [caller, bucket, sse, logs, key] = &p.resources[..] else {
        panic!()
    };
    assert_eq!(caller.mode, ResourceMode::Data);
    assert_eq!(caller.actions, ["read"]);
    assert_eq!(bucket.mode, ResourceMode::Managed);
    assert_eq!(bucket.resource_type, "aws_s3_bucket");
    assert_eq!(bucket.name, "data");
    assert_eq!(bucket.provider, "registry.terraform.io/hashicorp/aws");
    assert_eq!(bucket.module_address, None);
    assert_eq!(
        bucket.values.get("bucket").and_then(|v| v.as_str()),
        Some("orders-data")
    );
    assert_eq!(bucket.actions, ["create"]);
    assert!(bucket.after_unknown.as_ref().unwrap().get("arn").is_some());
    assert_eq!(logs.module_address.as_deref(), Some("module.logs"));
    assert_eq!(
        logs.index.as_ref().map(|i| &i.value),
        Some(&Value::Number("0".to_owned()))
    );
    assert_eq!(
        key.module_address.as_deref(),
        Some("module.logs.module.kms")
    );
    let rule = &sse.values.get("rule").unwrap().as_sequence().unwrap()[0];
    let algorithm = rule
        .get("apply_server_side_encryption_by_default")
        .and_then(|d| d.as_sequence())
        .and_then(|d| d[0].get("sse_algorithm"))
        .unwrap();
    let text = std::fs::read_to_string(fixture("terraform/plan.json")).unwrap();
    assert_eq!(algorithm.span.start, position_of(&text, "\"aws:kms\""));
    // The resource's object opens on the line before its address.
    assert_eq!(
        bucket.span.start.line + 1,
        position_of(&text, "\"address\": \"aws_s3_bucket.data\"").line
    );
}

#[test]
fn plan_configuration_maps_modules_not_lines() {
    let p = plan("terraform/plan.json");
    let config = |address: &str| {
        p.resources
            .iter()
            .find(|r| r.address == address)
            .and_then(|r| r.config.clone())
            .unwrap_or_else(|| panic!("no configuration for {address}"))
    };
    let bucket = config("aws_s3_bucket.data");
    assert_eq!(bucket.module_source, None);
    assert_eq!(bucket.location, None);
    let expression = bucket.expressions.unwrap();
    assert_eq!(
        expression
            .pointer(&["bucket", "constant_value"])
            .and_then(|v| v.as_str()),
        Some("orders-data")
    );
    let sse = config("aws_s3_bucket_server_side_encryption_configuration.data");
    assert!(sse
        .expressions
        .unwrap()
        .pointer(&["bucket", "references"])
        .is_some());
    assert!(p.resources[0].config.is_some(), "data sources map too");
    let logs = config("module.logs.aws_s3_bucket.this[0]");
    assert_eq!(logs.module_source.as_deref(), Some("./modules/logs"));
    // This block carries a `range` (as a wrapper tool may add): then the line is known.
    let location = logs.location.unwrap();
    assert_eq!(
        (location.file.as_str(), location.line),
        ("modules/logs/main.tf", 12)
    );
    let key = config("module.logs.module.kms.aws_kms_key.this");
    assert_eq!(
        key.module_source.as_deref(),
        Some("terraform-aws-modules/kms/aws")
    );
    assert_eq!(key.location, None);
}

#[test]
fn plan_resources_are_found_in_the_tf_files_of_their_modules() {
    let p = plan("tf-root/plan.json");
    let at = |address: &str| {
        let config = p
            .resources
            .iter()
            .find(|r| r.address == address)
            .and_then(|r| r.config.clone())
            .unwrap_or_else(|| panic!("no configuration for {address}"));
        let location = config
            .location
            .unwrap_or_else(|| panic!("{address} not found"));
        (location.file, location.line, location.column, config.skips)
    };
    let (file, line, column, skips) = at("aws_security_group.bastion");
    assert_eq!((file.as_str(), line, column), ("main.tf", 16, 1));
    assert!(skips.is_empty());
    // Instances of a `count` point at their block.
    for address in ["aws_ebs_volume.data[0]", "aws_ebs_volume.data[1]"] {
        let (file, line, column, _) = at(address);
        assert_eq!((file.as_str(), line, column), ("main.tf", 38, 1));
    }
    // A module's resources, in its directory; data sources too.
    let (file, line, _, skips) = at("module.audit.aws_ebs_volume.scratch");
    assert_eq!((file.as_str(), line), ("modules/audit/main.tf", 34));
    assert_eq!(skips.len(), 1);
    assert_eq!(skips[0].rule_id, "ebs-volume-encrypted");
    assert_eq!(
        skips[0].reason,
        "scratch space holds only public build artefacts"
    );
    assert_eq!((skips[0].position.line, skips[0].position.column), (33, 1));
    let (file, line, _, _) = at("module.audit.data.aws_iam_policy_document.key");
    assert_eq!((file.as_str(), line), ("modules/audit/main.tf", 10));
    let dirs: Vec<String> = p.module_dirs().into_iter().collect();
    assert_eq!(dirs, ["", "modules/audit"]);
}

#[test]
fn a_skip_without_a_reason_in_a_tf_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("tf-root/plan.json"), dir.path().join("plan.json")).unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_vpc\" \"main\" {\n  # rampart:skip=vpc-flow-logs-enabled\n}\n",
    )
    .unwrap();
    match parse_file(&dir.path().join("plan.json")) {
        Err(IacError::Parse { path, error }) => {
            assert_eq!(path, dir.path().join("main.tf"));
            assert_eq!((error.position.line, error.position.column), (2, 3));
            assert!(
                error.message.contains("needs a reason"),
                "{}",
                error.message
            );
        }
        other => panic!("{other:?}"),
    }
    // Without the `.tf` files (the plan copied elsewhere), the plan positions stay.
    std::fs::remove_file(dir.path().join("main.tf")).unwrap();
    let Ok(Some(Document::TerraformPlan(p))) = parse_file(&dir.path().join("plan.json")) else {
        panic!()
    };
    assert!(p
        .resources
        .iter()
        .all(|r| r.config.as_ref().is_none_or(|c| c.location.is_none())));
}

#[test]
fn one_line_plan_keeps_exact_columns() {
    let p = plan("terraform/plan-one-line.json");
    let text = std::fs::read_to_string(fixture("terraform/plan-one-line.json")).unwrap();
    assert_eq!(text.lines().count(), 1);
    let sse = &p.resources[2];
    let expected = position_of(
        &text,
        "{\"address\":\"aws_s3_bucket_server_side_encryption_configuration.data\"",
    );
    // `café` earlier on the line: columns count characters, not bytes.
    assert_eq!(
        expected.column as usize,
        text[..text
            .find("{\"address\":\"aws_s3_bucket_server_side")
            .unwrap()]
            .chars()
            .count()
            + 1
    );
    assert_eq!(sse.span.start, expected);
    assert_eq!(sse.span.start.line, 1);
    assert_eq!(sse.span.start.column, 608);
    let key = &p.resources[4];
    assert_eq!(
        key.values.get("description").unwrap().span.start,
        position_of(&text, "\"logs key\"")
    );
}

#[test]
fn utf16_plan_reads_like_utf8() {
    let utf16 = plan("terraform/plan-utf16le.json");
    let utf8 = plan("terraform/plan.json");
    assert_eq!(utf16.resources.len(), utf8.resources.len());
    for (a, b) in utf16.resources.iter().zip(&utf8.resources) {
        assert_eq!(a.address, b.address);
        assert_eq!(a.span, b.span);
    }
}

#[test]
fn policy_and_non_iac_files() {
    let Document::Policy(policy) = document("policy/deploy-policy.json") else {
        panic!()
    };
    assert!(policy.text.starts_with("{\n  \"Version\""));
    assert_eq!(
        policy
            .tree
            .get("Statement")
            .unwrap()
            .as_sequence()
            .unwrap()
            .len(),
        2
    );
    for file in [
        "other/package.json",
        "other/workflow.yaml",
        "other/not-yaml.yaml",
    ] {
        assert_eq!(parse_file(&fixture(file)), Ok(None), "{file}");
    }
    let bytes = std::fs::read(fixture("terraform/plan.json")).unwrap();
    assert_eq!(
        classify("plan.json".as_ref(), &bytes),
        Ok(Some(DocumentKind::TerraformPlan))
    );
    assert_eq!(classify("x.png".as_ref(), b"\x89PNG\r\n\xff"), Ok(None));
}

fn relative(files: &[PathBuf]) -> Vec<String> {
    let root = fixture("");
    files
        .iter()
        .map(|f| {
            f.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn discovery_is_sorted_and_honours_excludes() {
    let root = fixture("");
    let all = discover(std::slice::from_ref(&root), &[]).unwrap();
    assert!(all.errors.is_empty());
    let files = relative(&all.files);
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(files.contains(&"errors/trailing-comma.json".to_owned()));
    assert_eq!(
        files.len(),
        60,
        "22 fixtures, 34 under rules/, 4 under transforms/"
    );

    let some = discover(
        std::slice::from_ref(&root),
        &[
            "errors".to_owned(),
            "other/**".to_owned(),
            "*-utf16le.json".to_owned(),
        ],
    )
    .unwrap();
    let files = relative(&some.files);
    assert!(files
        .iter()
        .all(|f| !f.starts_with("errors/") && !f.starts_with("other/")));
    assert!(!files.contains(&"terraform/plan-utf16le.json".to_owned()));
    assert!(files.contains(&"terraform/plan.json".to_owned()));

    // Files named explicitly are read whatever their extension; repeats collapse.
    let named = vec![
        fixture("policy/deploy-policy.json"),
        fixture("policy/deploy-policy.json"),
    ];
    assert_eq!(discover(&named, &[]).unwrap().files.len(), 1);
    let missing = discover(&[fixture("nowhere")], &[]).unwrap();
    assert_eq!(missing.errors.len(), 1);
    assert!(matches!(
        discover(&[root], &["[".to_owned()]),
        Err(IacError::Exclude { .. })
    ));
}

#[test]
fn parse_all_is_ordered_and_reports_each_file() {
    let files = discover(&[fixture("")], &[]).unwrap().files;
    let first = parse_all(&files);
    let order: Vec<&PathBuf> = first.iter().map(|(p, _)| p).collect();
    assert_eq!(order, files.iter().collect::<Vec<_>>());
    let all: Vec<(String, String)> = first
        .iter()
        .zip(relative(&files))
        .map(|((_, result), file)| {
            let outcome = match result {
                Ok(Some(d)) => format!("{:?}", d.kind()),
                Ok(None) => "skipped".to_owned(),
                Err(IacError::Parse { .. }) => "error".to_owned(),
                Err(e) => format!("{e}"),
            };
            (file, outcome)
        })
        .collect();
    let summary = all;
    let expected = [
        ("cloudformation/data-bucket.json", "CloudFormation"),
        ("cloudformation/data-bucket.yaml", "CloudFormation"),
        ("cloudformation/for-each.yaml", "CloudFormation"),
        ("cloudformation/rain-module.yaml", "CloudFormation"),
        (
            "cloudformation/stacks/payments-partner-gw.yaml",
            "CloudFormation",
        ),
        ("cloudformation/tabs.json", "CloudFormation"),
        ("errors/duplicate-key.yaml", "error"),
        ("errors/skip-without-reason.yaml", "error"),
        ("errors/trailing-comma.json", "error"),
        ("other/not-yaml.yaml", "skipped"),
        ("other/package.json", "skipped"),
        ("other/workflow.yaml", "skipped"),
        ("policy/deploy-policy.json", "Policy"),
        ("repo/context.yaml", "skipped"),
        ("repo/plans/network.json", "TerraformPlan"),
        ("repo/policies/deploy.json", "Policy"),
        ("repo/stacks/app.yaml", "CloudFormation"),
        ("repo/stacks/broken.yaml", "error"),
        ("rules/config-recorder-no-channel.yaml", "CloudFormation"),
        ("rules/config-recorder-some-types.yaml", "CloudFormation"),
        ("rules/config-recorder.yaml", "CloudFormation"),
        ("rules/context.yaml", "skipped"),
        ("rules/flow-logs.yaml", "CloudFormation"),
        ("rules/iam-undecided-attachment.yaml", "CloudFormation"),
        ("rules/igw-ingress-vpc.yaml", "CloudFormation"),
        ("rules/igw-route.yaml", "CloudFormation"),
        ("rules/key-alias-undeclared.yaml", "CloudFormation"),
        ("rules/key-alias.yaml", "CloudFormation"),
        ("rules/key-getatt.yaml", "CloudFormation"),
        ("rules/key-ref.yaml", "CloudFormation"),
        ("rules/nacl-all-protocols.yaml", "CloudFormation"),
        ("rules/nacl-deny-first.yaml", "CloudFormation"),
        ("rules/nacl-egress-only.yaml", "CloudFormation"),
        ("rules/nacl-ipv6.yaml", "CloudFormation"),
        ("rules/nacl-protocol-number.yaml", "CloudFormation"),
        ("rules/network-services.yaml", "CloudFormation"),
        ("rules/private-zone.yaml", "CloudFormation"),
        ("rules/rds-cluster-members.yaml", "CloudFormation"),
        ("rules/route-undecided.yaml", "CloudFormation"),
        ("rules/sg-all-protocols.yaml", "CloudFormation"),
        ("rules/sg-port-if-decided.yaml", "CloudFormation"),
        ("rules/sg-port-if-undecided.yaml", "CloudFormation"),
        ("rules/sg-protocol-number.yaml", "CloudFormation"),
        ("rules/sg-separate-ingress-getatt.yaml", "CloudFormation"),
        ("rules/sg-separate-ingress-ref.yaml", "CloudFormation"),
        ("rules/sg-separate-ingress-undecided.yaml", "CloudFormation"),
        ("rules/sg-tcp-all-ports.yaml", "CloudFormation"),
        ("rules/tls-bool-if-exists.yaml", "CloudFormation"),
        ("rules/tls-bool-true.yaml", "CloudFormation"),
        ("rules/tls-bool.yaml", "CloudFormation"),
        ("rules/tls-literal-name.yaml", "CloudFormation"),
        ("rules/tls-string-equals.yaml", "CloudFormation"),
        ("terraform/plan-one-line.json", "TerraformPlan"),
        ("terraform/plan-utf16le.json", "TerraformPlan"),
        ("terraform/plan.json", "TerraformPlan"),
        ("tf-root/plan.json", "TerraformPlan"),
        ("transforms/context.yaml", "skipped"),
        ("transforms/for-each-buckets.yaml", "CloudFormation"),
        ("transforms/for-each-undecided.yaml", "CloudFormation"),
        ("transforms/sam-functions.yaml", "CloudFormation"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, o)| ((*f).to_owned(), (*o).to_owned()))
        .collect();
    assert_eq!(summary, expected);
    // Same results on a second run (and whatever the thread count).
    assert_eq!(parse_all(&files), first);
}
