//! IAM evaluator throughput: decisions per second on realistic parsed policies.

#![allow(clippy::expect_used, reason = "benchmark setup")]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rampart_iam::evaluate::{
    evaluate, evaluate_in_context, prepare_context, PolicyInputs, Principal, Request,
};
use rampart_iam::{parse_policy, Policy, RequestContext};

fn policy(text: &str) -> Policy {
    parse_policy(text).expect("benchmark policy parses")
}

fn bench(c: &mut Criterion) {
    let identity = vec![
        policy(
            r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::orders-data", "arn:aws:s3:::orders-data/*"]},
            {"Sid": "WriteOwnPrefix", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::orders-data/${aws:PrincipalTag/team}/*"},
            {"Sid": "Kms", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "arn:aws:kms:eu-west-1:111122223333:key/*",
             "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}},
            {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}
        ]}"#,
        ),
        policy(
            r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"], "Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/orders*"},
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:eu-west-1:111122223333:orders-*"}
        ]}"#,
        ),
    ];
    let scp_chain = vec![
        vec![policy(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        )],
        vec![
            policy(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#),
            policy(
                r#"{"Version": "2012-10-17", "Statement": [
                {"Sid": "Regions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"], "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}},
                {"Sid": "NoLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
            ]}"#,
            ),
        ],
        vec![policy(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        )],
    ];
    let resource = policy(
        r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::orders-data", "arn:aws:s3:::orders-data/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    ]}"#,
    );
    let principal = Principal {
        arn: "arn:aws:iam::111122223333:role/orders-app".to_owned(),
        account: "111122223333".to_owned(),
        tags: [("team".to_owned(), "orders".to_owned())].into(),
        ..Principal::default()
    };
    let request = Request {
        action: "s3:PutObject".to_owned(),
        resource: "arn:aws:s3:::orders-data/orders/2026/11/23.json".to_owned(),
        resource_account: "111122223333".to_owned(),
        resource_in_management_account: false,
        resource_is_aws_managed_key: false,
        context: RequestContext::new()
            .with("aws:RequestedRegion", "eu-west-1")
            .with("aws:SecureTransport", "true")
            .with("aws:SourceIp", "10.20.30.40"),
    };
    let inputs = PolicyInputs {
        identity: &identity,
        resource: Some(&resource),
        scp_chain: Some(&scp_chain),
        ..PolicyInputs::default()
    };
    let mut group = c.benchmark_group("iam");
    group.throughput(Throughput::Elements(1));
    group.bench_function("decision", |b| {
        b.iter(|| {
            evaluate(
                black_box(&inputs),
                black_box(&principal),
                black_box(&request),
            )
        })
    });
    let context = prepare_context(&principal, &request);
    group.bench_function("decision_prepared_context", |b| {
        b.iter(|| {
            evaluate_in_context(
                black_box(&inputs),
                black_box(&principal),
                black_box(&request),
                black_box(&context),
            )
        })
    });
    group.bench_function("parse_policy", |b| {
        b.iter(|| parse_policy(black_box(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}"#)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
