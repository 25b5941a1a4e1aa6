#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use super::*;
use crate::cfn::{PseudoParameter, ResolveContext, Resolved, ResourceType, UnknownReason};
use crate::source::Syntax;
use crate::tree::Position;
use crate::yaml::parse_yaml;

fn expand(text: &str) -> Template {
    Template::from_tree(Syntax::Yaml, parse_yaml(text).unwrap())
        .unwrap()
        .expand_serverless()
        .unwrap()
}

fn context() -> ResolveContext {
    ResolveContext::new().with_pseudo(PseudoParameter::Partition, "aws")
}

fn resolved(t: &Template, id: &str, path: &[&str]) -> Resolved {
    let node = t.resource(id).unwrap().property(path).unwrap();
    t.resolve(node, &context())
}

fn strings(value: &Resolved) -> Vec<String> {
    match value {
        Resolved::List(items) => items.iter().filter_map(Resolved::text).collect(),
        _ => Vec::new(),
    }
}

const FUNCTION: &str = "Transform: AWS::Serverless-2016-10-31
Parameters:
  Extra: {Type: String, Default: 'arn:aws:iam::111122223333:policy/extra'}
Globals:
  Function:
    Runtime: python3.12
    Tracing: Active
    Tags: {team: data}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Condition: Enabled
    Properties:
      Handler: app.handler
      Tags: {env: prod}
      Policies:
        - Statement:
            - Effect: Allow
              Action: '*'
              Resource: '*'
        - arn:aws:iam::aws:policy/ReadOnlyAccess
        - !Ref Extra
      DeadLetterQueue: {Type: SQS, TargetArn: arn:aws:sqs:us-east-1:111122223333:dlq}
      Events:
        Queue: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:111122223333:in}}
";

#[test]
fn a_function_gets_the_execution_role_sam_creates() {
    let t = expand(FUNCTION);
    let ids: Vec<&str> = t.resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["Worker", "WorkerRole"]);
    let function = t.resource("Worker").unwrap();
    assert_eq!(
        function.resource_type,
        ResourceType::Aws("AWS::Lambda::Function".to_owned())
    );
    let role = t.resource("WorkerRole").unwrap();
    assert_eq!(
        role.resource_type,
        ResourceType::Aws("AWS::IAM::Role".to_owned())
    );
    // Created with the function, and located at its logical id.
    assert_eq!(role.condition.as_deref(), Some("Enabled"));
    assert_eq!(role.id_span.start, Position::new(10, 3));
    let trust = resolved(&t, "WorkerRole", &["AssumeRolePolicyDocument"]);
    assert_eq!(
        trust.get("Statement").map(strings_of_principal),
        Some(vec!["lambda.amazonaws.com".to_owned()])
    );
    let managed = resolved(&t, "WorkerRole", &["ManagedPolicyArns"]);
    assert!(managed.is_known(), "{managed:?}");
    assert_eq!(
        strings(&managed),
        [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::111122223333:policy/extra",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        ]
    );
    let policies = resolved(&t, "WorkerRole", &["Policies"]);
    let names: Vec<String> = match &policies {
        Resolved::List(items) => items
            .iter()
            .filter_map(|p| p.get("PolicyName").and_then(Resolved::text))
            .collect(),
        _ => Vec::new(),
    };
    assert_eq!(names, ["WorkerRolePolicy0", "DeadLetterQueuePolicy"]);
    // The statement keeps its position in the function.
    let statement = role.property(&["Policies"]).unwrap().as_sequence().unwrap()[0]
        .get("PolicyDocument")
        .unwrap();
    assert_eq!(statement.span.start, Position::new(17, 11));
    // Global and local tags, after SAM's own.
    let tags = resolved(&t, "WorkerRole", &["Tags"]);
    let keys: Vec<String> = match &tags {
        Resolved::List(items) => items
            .iter()
            .filter_map(|i| i.get("Key").and_then(Resolved::text))
            .collect(),
        _ => Vec::new(),
    };
    assert_eq!(keys, ["lambda:createdBy", "team", "env"]);
}

fn first_unknown(value: &Resolved) -> Option<crate::cfn::Unknown> {
    match value {
        Resolved::Unknown(u) => Some(u.clone()),
        Resolved::List(items) => items.iter().find_map(first_unknown),
        Resolved::Map(entries) => entries.iter().find_map(|(_, v)| first_unknown(v)),
        _ => None,
    }
}

fn strings_of_principal(statements: &Resolved) -> Vec<String> {
    match statements {
        Resolved::List(items) => items
            .iter()
            .filter_map(|s| s.get("Principal")?.get("Service"))
            .flat_map(strings)
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn a_function_naming_its_role_gets_none() {
    let t = expand(
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Role: arn:aws:iam::111122223333:role/worker
",
    );
    assert_eq!(t.resources.len(), 1);
    assert_eq!(
        t.resource("Worker").unwrap().resource_type.as_str(),
        "AWS::Lambda::Function"
    );
}

#[test]
fn what_the_transform_adds_unwritten_makes_the_policies_unknown() {
    let t = expand(
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - S3ReadPolicy: {BucketName: data}
  Named:
    Type: AWS::Serverless::Function
    Properties:
      Policies: AmazonS3ReadOnlyAccess
",
    );
    let Some(u) = first_unknown(&resolved(&t, "ReaderRole", &["Policies"])) else {
        panic!("a policy template is not expanded");
    };
    assert_eq!(
        u.reason,
        UnknownReason::NotExpanded(
            "the SAM policy template `S3ReadPolicy` is not expanded".to_owned()
        )
    );
    let role = t.resource("ReaderRole").unwrap();
    let item = &role.property(&["Policies"]).unwrap().as_sequence().unwrap()[0];
    assert_eq!(item.span.start, Position::new(7, 11));
    let Some(u) = first_unknown(&resolved(&t, "NamedRole", &["Policies"])) else {
        panic!("a managed policy name is looked up by SAM");
    };
    assert!(u
        .reason
        .to_string()
        .contains("`AmazonS3ReadOnlyAccess` is named"));
}

#[test]
fn other_templates_and_types_are_untouched() {
    let plain = "Resources:\n  Worker:\n    Type: AWS::Serverless::Function\n";
    assert_eq!(
        expand(plain)
            .resource("Worker")
            .unwrap()
            .resource_type
            .as_str(),
        "AWS::Serverless::Function"
    );
    let t = expand(
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::Serverless::SimpleTable
  Worker:
    Type: AWS::Serverless::Function
",
    );
    assert_eq!(
        t.resource("Table").unwrap().resource_type.as_str(),
        "AWS::Serverless::SimpleTable"
    );
    assert!(t.resource("WorkerRole").is_some());
}

#[test]
fn a_generated_role_colliding_with_a_declared_one_is_an_error() {
    let e = Template::from_tree(
        Syntax::Yaml,
        parse_yaml(
            "Transform: AWS::Serverless-2016-10-31
Resources:
  WorkerRole:
    Type: AWS::IAM::Role
  Worker:
    Type: AWS::Serverless::Function
",
        )
        .unwrap(),
    )
    .unwrap()
    .expand_serverless()
    .unwrap_err();
    assert_eq!(e.position, Position::new(5, 3));
    assert!(e.message.contains("`WorkerRole` is declared twice"));
}

#[test]
fn globals_merge_as_sam_merges() {
    let g = parse_yaml("A: {x: 1, y: 2}\nL: [a]\nP: 1\nI: !Ref X\n").unwrap();
    let l = parse_yaml("A: {y: 3, z: 4}\nL: [b]\nP: 2\nI: {k: v}\n").unwrap();
    let merged = merge(&g, &l);
    let t = Template::from_tree(Syntax::Yaml, parse_yaml("Resources: {}\n").unwrap()).unwrap();
    let r = t.resolve(&merged, &ResolveContext::new());
    let text = |path: &[&str]| {
        path.iter()
            .try_fold(&r, |v, k| v.get(k))
            .and_then(Resolved::text)
    };
    assert_eq!(text(&["A", "x"]).as_deref(), Some("1"));
    assert_eq!(text(&["A", "y"]).as_deref(), Some("3"));
    assert_eq!(text(&["A", "z"]).as_deref(), Some("4"));
    assert_eq!(strings(r.get("L").unwrap()), ["a", "b"]);
    assert_eq!(text(&["P"]).as_deref(), Some("2"));
    assert_eq!(text(&["I", "k"]).as_deref(), Some("v"));
}
