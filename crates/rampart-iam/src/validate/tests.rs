//! One test per check, each with a policy that fires it and one that does not.

use super::*;

/// A policy of one statement (the JSON of its members).
fn one(statement: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{{{statement}}}]}}"#)
}

fn codes(text: &str, kind: PolicyType) -> Vec<&'static str> {
    validate(text, kind).into_iter().map(|f| f.code).collect()
}

/// The findings of `check` only.
fn of(text: &str, kind: PolicyType, check: &Check) -> Vec<ValidationFinding> {
    validate(text, kind)
        .into_iter()
        .filter(|f| f.code == check.code)
        .collect()
}

fn fires(text: &str, kind: PolicyType, check: &Check) -> ValidationFinding {
    let found = of(text, kind, check);
    assert_eq!(found.len(), 1, "{}: {text}: {found:?}", check.code);
    found.into_iter().next().unwrap()
}

fn silent(text: &str, kind: PolicyType, check: &Check) {
    let found = of(text, kind, check);
    assert!(found.is_empty(), "{}: {text}: {found:?}", check.code);
}

fn at(f: &ValidationFinding) -> (u32, u32) {
    (f.position.line, f.position.column)
}

const GOOD: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/${aws:username}/*"],
      "Condition": {
        "Bool": {"aws:SecureTransport": "true"},
        "ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]},
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "iam:*",
      "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}
    }
  ]
}"#;

#[test]
fn a_good_policy_has_no_findings() {
    assert_eq!(validate(GOOD, PolicyType::Identity), vec![]);
}

#[test]
fn every_check_has_a_unique_kebab_case_code_and_docs() {
    let mut seen = BTreeSet::new();
    for check in CHECKS {
        assert!(seen.insert(check.code), "duplicate {}", check.code);
        assert!(
            check
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            check.code
        );
        assert!(!check.title.is_empty() && !check.help.is_empty());
    }
    // Errors first, then warnings, then suggestions.
    assert!(CHECKS.windows(2).all(|w| w[0].severity >= w[1].severity));
}

#[test]
fn known_operators_are_all_known_to_the_evaluator() {
    for op in KNOWN_OPERATORS {
        assert!(is_known_operator(op), "{op}");
    }
}

#[test]
fn policy_type_names_round_trip() {
    for t in PolicyType::ALL {
        assert_eq!(t.as_str().parse::<PolicyType>(), Ok(t));
    }
    assert!("iam".parse::<PolicyType>().is_err());
    assert_eq!(PolicyType::default(), PolicyType::Identity);
}

#[test]
fn json_and_grammar_errors_are_one_error_at_their_position() {
    let f = validate("{\n  \"Statement\": [,]\n}", PolicyType::Identity);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].code, f[0].severity), ("json-syntax", Severity::Error));
    assert_eq!(at(&f[0]), (2, 17));

    let f = validate(
        r#"{"Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}}"#,
        PolicyType::Identity,
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "policy-syntax");
    assert!(f[0].message.contains("`Effect` must be"));
    assert_eq!(at(&f[0]), (1, 26));
}

#[test]
fn principal_where_the_type_forbids_it() {
    let with = one(
        r#""Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "*""#,
    );
    for kind in [
        PolicyType::Identity,
        PolicyType::Scp,
        PolicyType::Boundary,
        PolicyType::Session,
    ] {
        let f = fires(&with, kind, &UNSUPPORTED_PRINCIPAL);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(at(&f), (1, 61));
    }
    silent(&with, PolicyType::Resource, &UNSUPPORTED_PRINCIPAL);
    silent(&with, PolicyType::Resource, &MISSING_PRINCIPAL);
}

#[test]
fn principal_missing_where_the_type_needs_it() {
    let without = one(r#""Effect": "Allow", "Action": "s3:GetObject", "Resource": "*""#);
    for kind in [PolicyType::Resource, PolicyType::Rcp] {
        let f = fires(&without, kind, &MISSING_PRINCIPAL);
        assert_eq!(at(&f), (1, 41));
    }
    silent(&without, PolicyType::Identity, &MISSING_PRINCIPAL);
    let trust = one(r#""Effect": "Allow", "Action": "sts:AssumeRole""#);
    fires(&trust, PolicyType::Trust, &MISSING_PRINCIPAL);
}

#[test]
fn allow_with_not_principal() {
    let allow = one(
        r#""Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "*""#,
    );
    let f = fires(&allow, PolicyType::Resource, &ALLOW_WITH_NOT_PRINCIPAL);
    assert_eq!(f.severity, Severity::Error);
    let deny = allow.replace("\"Allow\"", "\"Deny\"");
    silent(&deny, PolicyType::Resource, &ALLOW_WITH_NOT_PRINCIPAL);
}

#[test]
fn resource_missing_or_in_a_trust_policy() {
    let none = one(r#""Effect": "Allow", "Action": "s3:GetObject""#);
    fires(&none, PolicyType::Identity, &MISSING_RESOURCE);
    let trust = one(
        r#""Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole""#,
    );
    assert_eq!(codes(&trust, PolicyType::Trust), Vec::<&str>::new());
    let with_resource = one(
        r#""Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*""#,
    );
    fires(&with_resource, PolicyType::Trust, &UNSUPPORTED_RESOURCE);
    silent(&with_resource, PolicyType::Resource, &UNSUPPORTED_RESOURCE);
}

#[test]
fn unknown_condition_operator_with_a_suggestion() {
    let text = one(
        r#""Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEqual": {"aws:username": "a"}}"#,
    );
    let f = fires(&text, PolicyType::Identity, &INVALID_CONDITION_OPERATOR);
    assert!(f.message.contains("did you mean `StringEquals`"), "{f:?}");
    assert_eq!(at(&f), (1, 118));
    let null_if_exists = one(
        r#""Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"NullIfExists": {"aws:username": "true"}}"#,
    );
    fires(
        &null_if_exists,
        PolicyType::Identity,
        &INVALID_CONDITION_OPERATOR,
    );
    silent(GOOD, PolicyType::Identity, &INVALID_CONDITION_OPERATOR);
}

#[test]
fn duplicate_and_empty_sids() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"},
        {"Sid": "A", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::a/*"},
        {"Sid": "", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::a"}]}"#;
    let f = fires(text, PolicyType::Identity, &DUPLICATE_SID);
    assert_eq!((f.severity, at(&f)), (Severity::Error, (3, 17)));
    let f = fires(text, PolicyType::Identity, &EMPTY_SID);
    assert_eq!((f.severity, at(&f)), (Severity::Suggestion, (4, 17)));
    silent(GOOD, PolicyType::Identity, &DUPLICATE_SID);
    silent(GOOD, PolicyType::Identity, &EMPTY_SID);
}

#[test]
fn actions_not_in_service_colon_action_form() {
    let text = one(r#""Effect": "Allow", "Action": "GetObject", "Resource": "*""#);
    fires(&text, PolicyType::Identity, &INVALID_ACTION_FORMAT);
    silent(GOOD, PolicyType::Identity, &INVALID_ACTION_FORMAT);
}

#[test]
fn unknown_service_prefix() {
    let text =
        one(r#""Effect": "Allow", "Action": ["s4:GetObject", "s3:GetObject"], "Resource": "*""#);
    let f = fires(&text, PolicyType::Identity, &UNKNOWN_SERVICE);
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("`s4`"), "{f:?}");
    assert_eq!(at(&f), (1, 72));
    silent(GOOD, PolicyType::Identity, &UNKNOWN_SERVICE);
}

#[test]
fn unknown_action_with_did_you_mean() {
    let text = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\",\n  \"Action\": [\"s3:GetObject\",\n    \"s3:GetObjekt\"], \"Resource\": \"*\"}}";
    let f = fires(text, PolicyType::Identity, &UNKNOWN_ACTION);
    assert!(
        f.message.contains("did you mean `s3:GetObject`"),
        "{}",
        f.message
    );
    assert_eq!(at(&f), (3, 5));
    // Case does not matter, as in IAM.
    let text = one(r#""Effect": "Allow", "Action": "S3:getobject", "Resource": "*""#);
    silent(&text, PolicyType::Identity, &UNKNOWN_ACTION);
}

#[test]
fn action_pattern_matching_nothing() {
    let text = one(r#""Effect": "Allow", "Action": ["s3:Foo*", "*:Bar?z"], "Resource": "*""#);
    assert_eq!(
        of(&text, PolicyType::Identity, &ACTION_MATCHES_NOTHING).len(),
        2
    );
    let text = one(r#""Effect": "Allow", "Action": ["s3:Get*", "*:GetObject"], "Resource": "*""#);
    silent(&text, PolicyType::Identity, &ACTION_MATCHES_NOTHING);
}

fn with_condition(condition: &str) -> String {
    one(&format!(
        r#""Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {condition}"#
    ))
}

#[test]
fn condition_operator_of_the_wrong_type() {
    for condition in [
        r#"{"NumericLessThan": {"aws:username": "5"}}"#,
        r#"{"Bool": {"aws:CurrentTime": "true"}}"#,
        r#"{"IpAddress": {"aws:SourceVpc": "10.0.0.0/8"}}"#,
        r#"{"ArnLike": {"aws:PrincipalAccount": "arn:aws:iam::1:root"}}"#,
        r#"{"StringEquals": {"aws:MultiFactorAuthAge": "3600"}}"#,
    ] {
        let f = fires(
            &with_condition(condition),
            PolicyType::Identity,
            &CONDITION_TYPE_MISMATCH,
        );
        assert_eq!(f.severity, Severity::Warning);
    }
    for condition in [
        r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#,
        r#"{"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}"#,
        r#"{"NumericGreaterThan": {"aws:EpochTime": "1600000000"}}"#,
        r#"{"StringLike": {"aws:SourceArn": "arn:aws:sns:*"}}"#,
        r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}}"#,
        r#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
        r#"{"Null": {"aws:SourceIp": "true"}}"#,
        r#"{"StringEquals": {"aws:PrincipalTag/team": "a"}}"#,
        // A key the catalog does not know is not judged.
        r#"{"NumericLessThan": {"example:Unknown": "1"}}"#,
    ] {
        silent(
            &with_condition(condition),
            PolicyType::Identity,
            &CONDITION_TYPE_MISMATCH,
        );
    }
}

#[test]
fn set_qualifiers_and_multivalued_keys() {
    let single = with_condition(r#"{"ForAnyValue:StringEquals": {"aws:username": "a"}}"#);
    fires(
        &single,
        PolicyType::Identity,
        &QUALIFIER_ON_SINGLE_VALUED_KEY,
    );
    let missing = with_condition(r#"{"StringEquals": {"aws:TagKeys": "a"}}"#);
    let f = fires(&missing, PolicyType::Identity, &MISSING_SET_QUALIFIER);
    assert!(f.message.contains("ForAnyValue:StringEquals"), "{f:?}");
    let right = with_condition(
        r#"{"ForAllValues:StringEquals": {"aws:TagKeys": "a"}, "StringEquals": {"aws:username": "a"}, "Null": {"aws:TagKeys": "false"}}"#,
    );
    silent(
        &right,
        PolicyType::Identity,
        &QUALIFIER_ON_SINGLE_VALUED_KEY,
    );
    silent(&right, PolicyType::Identity, &MISSING_SET_QUALIFIER);
}

#[test]
fn allow_not_action_on_every_resource() {
    let text = one(r#""Effect": "Allow", "NotAction": "iam:*", "Resource": "*""#);
    fires(&text, PolicyType::Identity, &ALLOW_NOT_ACTION_ALL_RESOURCES);
    let scoped = one(r#""Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b/*""#);
    silent(
        &scoped,
        PolicyType::Identity,
        &ALLOW_NOT_ACTION_ALL_RESOURCES,
    );
    let deny = one(r#""Effect": "Deny", "NotAction": "iam:*", "Resource": "*""#);
    silent(&deny, PolicyType::Identity, &ALLOW_NOT_ACTION_ALL_RESOURCES);
}

#[test]
fn allow_not_resource() {
    let text = one(
        r#""Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*""#,
    );
    fires(&text, PolicyType::Identity, &ALLOW_NOT_RESOURCE);
    let deny = text.replace("\"Allow\"", "\"Deny\"");
    silent(&deny, PolicyType::Identity, &ALLOW_NOT_RESOURCE);
}

#[test]
fn for_all_values_in_allow_without_a_null_check() {
    let allow = |condition: &str| {
        one(&format!(
            r#""Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {condition}"#
        ))
    };
    let bare = allow(r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}"#);
    fires(&bare, PolicyType::Identity, &ALLOW_FOR_ALL_VALUES);
    let checked = allow(
        r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}, "Null": {"aws:TagKeys": "false"}}"#,
    );
    silent(&checked, PolicyType::Identity, &ALLOW_FOR_ALL_VALUES);
    let deny = bare.replace("\"Allow\"", "\"Deny\"");
    silent(&deny, PolicyType::Identity, &ALLOW_FOR_ALL_VALUES);
}

#[test]
fn variable_before_the_resource_part_of_an_arn() {
    let text = one(
        r#""Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:${aws:RequestedRegion}::b/*""#,
    );
    let f = fires(&text, PolicyType::Identity, &VARIABLE_BEFORE_ARN_RESOURCE);
    assert!(f.message.contains("region"), "{f:?}");
    silent(GOOD, PolicyType::Identity, &VARIABLE_BEFORE_ARN_RESOURCE);
    assert_eq!(
        variable_before_resource("arn:aws:iam::${aws:PrincipalAccount}:role/x"),
        Some("account")
    );
    // `:` inside a variable does not split fields.
    assert_eq!(
        variable_before_resource("arn:aws:s3:::b/${aws:PrincipalTag/a:b}/x"),
        None
    );
    assert_eq!(variable_before_resource("${aws:SourceArn}"), None);
}

#[test]
fn variables_without_version_2012() {
    let statement = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}"#;
    for prefix in ["", r#""Version": "2008-10-17", "#] {
        let text = format!(r#"{{{prefix}"Statement": [{statement}]}}"#);
        let f = fires(&text, PolicyType::Identity, &VARIABLES_NEED_VERSION);
        assert_eq!(f.severity, Severity::Warning);
    }
    let in_condition = r#"{"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
        "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}}]}"#;
    let f = fires(in_condition, PolicyType::Identity, &VARIABLES_NEED_VERSION);
    assert_eq!(f.position.line, 2);
    silent(GOOD, PolicyType::Identity, &VARIABLES_NEED_VERSION);
    let plain =
        r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    silent(plain, PolicyType::Identity, &VARIABLES_NEED_VERSION);
}

#[test]
fn statements_that_never_match() {
    let not_action = one(r#""Effect": "Deny", "NotAction": "*", "Resource": "*""#);
    fires(&not_action, PolicyType::Identity, &STATEMENT_NEVER_MATCHES);
    let not_resource =
        one(r#""Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::a", "*"]"#);
    let f = fires(
        &not_resource,
        PolicyType::Identity,
        &STATEMENT_NEVER_MATCHES,
    );
    assert_eq!(at(&f), (1, 112));
    let contradiction = with_condition(
        r#"{"Null": {"aws:SourceVpc": "true"}, "StringEquals": {"aws:SourceVpc": "vpc-1"}}"#,
    );
    let f = fires(
        &contradiction,
        PolicyType::Identity,
        &STATEMENT_NEVER_MATCHES,
    );
    assert!(f.message.contains("`StringEquals`"), "{f:?}");
    for fine in [
        // A negated operator holds when the key is absent.
        r#"{"Null": {"aws:SourceVpc": "true"}, "StringNotEquals": {"aws:SourceVpc": "vpc-1"}}"#,
        r#"{"Null": {"aws:SourceVpc": "true"}, "StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}"#,
        r#"{"Null": {"aws:SourceVpc": "false"}, "StringEquals": {"aws:SourceVpc": "vpc-1"}}"#,
    ] {
        silent(
            &with_condition(fine),
            PolicyType::Identity,
            &STATEMENT_NEVER_MATCHES,
        );
    }
    silent(GOOD, PolicyType::Identity, &STATEMENT_NEVER_MATCHES);
}

#[test]
fn identical_statements_are_redundant() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "One", "Effect": "Deny", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "Two", "Effect": "Deny", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": false}}}]}"#;
    let f = fires(text, PolicyType::Identity, &REDUNDANT_STATEMENT);
    assert_eq!(f.position.line, 3);
    assert!(
        f.message.contains("`Two` is identical to statement `One`"),
        "{f:?}"
    );
}

#[test]
fn allow_statement_within_another_is_redundant() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/reports/*"},
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "arn:aws:s3:::b/*"}]}"#;
    let f = fires(text, PolicyType::Identity, &REDUNDANT_STATEMENT);
    assert_eq!(f.position.line, 2);
    assert!(f.message.contains("#1"), "{f:?}");
    // Not redundant: a condition, a wider resource, a resource the `?` cannot cover.
    for second in [
        r#"{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#,
        r#"{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::other/*"}"#,
        r#"{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/reports/?"}"#,
        r#"{"Effect": "Deny", "Action": "s3:Get*", "Resource": "*"}"#,
    ] {
        let text = format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/reports/*"}}, {second}]}}"#
        );
        silent(&text, PolicyType::Identity, &REDUNDANT_STATEMENT);
    }
}

#[test]
fn equivalent_statements_report_only_the_later() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:getobject", "Resource": "*"}]}"#;
    let f = fires(text, PolicyType::Identity, &REDUNDANT_STATEMENT);
    assert_eq!(f.position.line, 3);
}

#[test]
fn action_covered_by_another_in_the_same_statement() {
    let text = one(
        r#""Effect": "Allow", "Action": ["s3:Get*", "s3:GetObject", "s3:PutObject"], "Resource": "*""#,
    );
    let f = fires(&text, PolicyType::Identity, &REDUNDANT_ACTION);
    assert!(
        f.message
            .contains("`s3:GetObject` is already covered by `s3:Get*`"),
        "{f:?}"
    );
    let twice =
        one(r#""Effect": "Allow", "Action": ["s3:GetObject", "S3:GetObject"], "Resource": "*""#);
    let f = fires(&twice, PolicyType::Identity, &REDUNDANT_ACTION);
    assert!(f.message.starts_with("`S3:GetObject`"), "{f:?}");
    silent(GOOD, PolicyType::Identity, &REDUNDANT_ACTION);
}

#[test]
fn findings_are_sorted_by_position() {
    let text = r#"{"Statement": [
        {"Effect": "Allow", "NotAction": "*", "NotResource": "*"},
        {"Sid": "", "Effect": "Allow", "Action": ["s3:GetObjekt", "nope:X"], "Resource": "arn:aws:s3:::b/${aws:username}"}]}"#;
    let f = validate(text, PolicyType::Identity);
    assert!(f.len() >= 6, "{f:?}");
    assert!(
        f.windows(2).all(|w| w[0].position <= w[1].position),
        "{f:?}"
    );
    assert_eq!(f, validate(text, PolicyType::Identity));
}
