//! Parse + resolve throughput on generated templates: 1,200 realistic CloudFormation
//! templates (half YAML with short-form tags, half JSON; 5–80 resources each of S3, KMS,
//! IAM, EC2 and RDS types with intrinsic functions), made in memory from a fixed seed, read
//! in parallel with rayon; and one small template's latency.

#![allow(clippy::expect_used, reason = "benchmark setup")]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rampart_iac::cfn::ResolveContext;
use rampart_iac::{parse_document, Document};
use rayon::prelude::*;

const TEMPLATES: usize = 1_200;

/// xorshift64*: a fixed seed gives the same corpus on every run, without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A value to write as YAML (short forms) or JSON (long forms).
enum V {
    S(String),
    N(u64),
    B(bool),
    L(Vec<V>),
    M(Vec<(String, V)>),
    /// An intrinsic function: its short name (`Sub`) and argument.
    F(&'static str, Box<V>),
}

fn s(text: impl Into<String>) -> V {
    V::S(text.into())
}

fn m(entries: Vec<(&str, V)>) -> V {
    V::M(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn f(name: &'static str, argument: V) -> V {
    V::F(name, Box::new(argument))
}

fn long_name(short: &str) -> String {
    match short {
        "Ref" | "Condition" => short.to_owned(),
        other => format!("Fn::{other}"),
    }
}

fn json(v: &V, out: &mut String) {
    match v {
        V::S(t) => {
            out.push('"');
            for c in t.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        V::N(n) => out.push_str(&n.to_string()),
        V::B(b) => out.push_str(if *b { "true" } else { "false" }),
        V::L(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json(item, out);
            }
            out.push(']');
        }
        V::M(entries) => {
            out.push_str("{\n");
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                json(&s(k.as_str()), out);
                out.push_str(": ");
                json(v, out);
            }
            out.push_str("\n}");
        }
        V::F(name, argument) => {
            out.push('{');
            json(&s(long_name(name)), out);
            out.push_str(": ");
            json(argument, out);
            out.push('}');
        }
    }
}

/// YAML: block mappings, flow lists, short-form tags.
fn yaml(v: &V, indent: usize, out: &mut String) {
    match v {
        V::M(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                out.push_str(k);
                out.push(':');
                if !matches!(v, V::M(_)) {
                    out.push(' ');
                }
                yaml(v, indent + 2, out);
            }
        }
        V::F(name, argument) => {
            out.push('!');
            out.push_str(name);
            out.push(' ');
            yaml_flow(argument, out);
        }
        other => yaml_flow(other, out),
    }
}

fn yaml_flow(v: &V, out: &mut String) {
    match v {
        V::L(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                yaml_flow(item, out);
            }
            out.push(']');
        }
        V::M(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                yaml_flow(v, out);
            }
            out.push('}');
        }
        V::F(name, argument) => {
            out.push('!');
            out.push_str(name);
            out.push(' ');
            yaml_flow(argument, out);
        }
        // JSON strings are valid YAML double-quoted scalars.
        other => json(other, out),
    }
}

fn statement(rng: &mut Rng, resource: V) -> V {
    let actions = [
        "s3:GetObject",
        "s3:PutObject",
        "kms:Decrypt",
        "ec2:Describe*",
        "logs:PutLogEvents",
    ];
    m(vec![
        ("Effect", s(rng.pick(&["Allow", "Deny"]))),
        (
            "Action",
            V::L(
                (0..1 + rng.below(3))
                    .map(|_| s(rng.pick(&actions)))
                    .collect(),
            ),
        ),
        ("Resource", resource),
    ])
}

fn resource(rng: &mut Rng, i: usize, keys: &[String]) -> (String, V) {
    let key = keys.get(rng.below(keys.len().max(1))).cloned();
    let key_arn = match &key {
        Some(k) => f("GetAtt", V::L(vec![s(k), s("Arn")])),
        None => s("alias/aws/s3"),
    };
    let tags = V::L(vec![
        m(vec![("Key", s("env")), ("Value", f("Ref", s("Env")))]),
        m(vec![
            ("Key", s("team")),
            (
                "Value",
                f(
                    "FindInMap",
                    V::L(vec![s("EnvConfig"), f("Ref", s("Env")), s("Team")]),
                ),
            ),
        ]),
    ]);
    let (prefix, kind, properties) = match rng.below(6) {
        0 => ("Bucket", "AWS::S3::Bucket", vec![
            ("BucketName", f("Sub", s(format!("orders-${{Env}}-{i}-${{AWS::Region}}")))),
            ("BucketEncryption", m(vec![("ServerSideEncryptionConfiguration", V::L(vec![m(vec![
                ("ServerSideEncryptionByDefault", m(vec![("SSEAlgorithm", s("aws:kms")), ("KMSMasterKeyID", key_arn)])),
                ("BucketKeyEnabled", V::B(true)),
            ])]))])),
            ("VersioningConfiguration", m(vec![("Status", f("If", V::L(vec![s("IsProd"), s("Enabled"), s("Suspended")])))])),
            ("PublicAccessBlockConfiguration", m(vec![("BlockPublicAcls", V::B(true)), ("RestrictPublicBuckets", V::B(true))])),
            ("Tags", tags),
        ]),
        1 => ("Key", "AWS::KMS::Key", vec![
            ("EnableKeyRotation", f("If", V::L(vec![s("IsProd"), V::B(true), V::B(false)]))),
            ("KeyPolicy", m(vec![("Version", s("2012-10-17")), ("Statement", V::L(vec![
                statement(rng, s("*")),
                m(vec![("Effect", s("Allow")), ("Principal", m(vec![("AWS", f("Sub", s("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")))])), ("Action", s("kms:*")), ("Resource", s("*"))]),
            ]))])),
            ("Tags", tags),
        ]),
        2 => ("Role", "AWS::IAM::Role", vec![
            ("RoleName", f("Join", V::L(vec![s("-"), V::L(vec![s("app"), f("Ref", s("Env")), s(i.to_string())])]))),
            ("AssumeRolePolicyDocument", m(vec![("Statement", V::L(vec![m(vec![
                ("Effect", s("Allow")), ("Principal", m(vec![("Service", s("ec2.amazonaws.com"))])), ("Action", s("sts:AssumeRole")),
            ])]))])),
            ("Policies", V::L(vec![m(vec![("PolicyName", s("inline")), ("PolicyDocument", m(vec![("Version", s("2012-10-17")), ("Statement", V::L(vec![
                statement(rng, f("Sub", s("arn:aws:s3:::orders-${Env}/*"))),
                statement(rng, key.as_ref().map_or_else(|| s("*"), |k| f("GetAtt", V::L(vec![s(k), s("Arn")])))),
            ]))]))])])),
        ]),
        3 => ("SecurityGroup", "AWS::EC2::SecurityGroup", vec![
            ("GroupDescription", s("application tier")),
            ("VpcId", f("ImportValue", s("shared-vpc"))),
            ("SecurityGroupIngress", V::L((0..1 + rng.below(4)).map(|r| m(vec![
                ("IpProtocol", s("tcp")), ("FromPort", V::N(443 + r as u64)), ("ToPort", V::N(443 + r as u64)),
                ("CidrIp", f("Select", V::L(vec![V::N(r as u64 % 2), f("Split", V::L(vec![s(","), s("10.0.0.0/8,172.16.0.0/12")]))]))),
            ])).collect())),
        ]),
        4 => ("Instance", "AWS::EC2::Instance", vec![
            ("ImageId", f("FindInMap", V::L(vec![s("EnvConfig"), f("Ref", s("Env")), s("Ami")]))),
            ("InstanceType", f("If", V::L(vec![s("IsProd"), s("m7g.large"), s("t4g.small")]))),
            ("SubnetId", f("Select", V::L(vec![V::N(0), f("Ref", s("Subnets"))]))),
            ("UserData", f("Base64", s("#!/bin/bash\nyum update -y\n"))),
            ("BlockDeviceMappings", V::L(vec![m(vec![("DeviceName", s("/dev/xvda")), ("Ebs", m(vec![("Encrypted", V::B(true)), ("VolumeSize", V::N(20 + rng.below(100) as u64))]))])])),
        ]),
        _ => ("Database", "AWS::RDS::DBInstance", vec![
            ("Engine", s("postgres")),
            ("DBInstanceClass", f("If", V::L(vec![s("IsProd"), s("db.r7g.large"), s("db.t4g.micro")]))),
            ("StorageEncrypted", V::B(true)),
            ("KmsKeyId", key.map_or_else(|| s("alias/aws/rds"), |k| f("Ref", s(k)))),
            ("MasterUserPassword", f("Sub", s("{{resolve:secretsmanager:db-${Env}:SecretString:password}}"))),
            ("AllocatedStorage", V::N(20 + rng.below(500) as u64)),
        ]),
    };
    (
        format!("{prefix}{i}"),
        m(vec![("Type", s(kind)), ("Properties", m(properties))]),
    )
}

/// One template as text: YAML when `as_yaml`, JSON otherwise.
fn template(rng: &mut Rng, resources: usize, as_yaml: bool) -> String {
    let mut keys = Vec::new();
    let mut body: Vec<(String, V)> = Vec::new();
    for i in 0..resources {
        let (id, v) = resource(rng, i, &keys);
        if id.starts_with("Key") {
            keys.push(id.clone());
        }
        body.push((id, v));
    }
    let resources = V::M(body);
    let root = m(vec![
        ("AWSTemplateFormatVersion", s("2010-09-09")),
        (
            "Parameters",
            m(vec![
                (
                    "Env",
                    m(vec![("Type", s("String")), ("Default", s("prod"))]),
                ),
                (
                    "Subnets",
                    m(vec![
                        ("Type", s("CommaDelimitedList")),
                        ("Default", s("subnet-a,subnet-b")),
                    ]),
                ),
            ]),
        ),
        (
            "Mappings",
            m(vec![(
                "EnvConfig",
                m(vec![
                    (
                        "prod",
                        m(vec![("Team", s("orders")), ("Ami", s("ami-0abc"))]),
                    ),
                    (
                        "dev",
                        m(vec![("Team", s("orders-dev")), ("Ami", s("ami-0def"))]),
                    ),
                ]),
            )]),
        ),
        (
            "Conditions",
            m(vec![(
                "IsProd",
                f("Equals", V::L(vec![f("Ref", s("Env")), s("prod")])),
            )]),
        ),
        ("Resources", resources),
    ]);
    let mut out = String::new();
    if as_yaml {
        yaml(&root, 0, &mut out);
        out.push('\n');
    } else {
        json(&root, &mut out);
    }
    out
}

fn corpus() -> Vec<String> {
    let mut rng = Rng(0x5EED_CAFE_F00D_1234);
    (0..TEMPLATES)
        .map(|i| {
            let resources = 5 + rng.below(76);
            template(&mut rng, resources, i % 2 == 0)
        })
        .collect()
}

/// Parses a template and resolves every resource's properties; returns how many
/// properties resolved to a known value (so that nothing is optimized away).
fn parse_and_resolve(text: &str, context: &ResolveContext) -> usize {
    let document = parse_document("bench.yaml".as_ref(), text.as_bytes())
        .expect("generated templates parse")
        .expect("generated templates are templates");
    let Document::CloudFormation(template) = document else {
        panic!("not a template")
    };
    template
        .resources
        .iter()
        .filter_map(|r| r.properties.as_ref())
        .filter(|p| template.resolve(p, context).is_known())
        .count()
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(String::len).sum();
    let context = ResolveContext::new();
    let known: usize = corpus.iter().map(|t| parse_and_resolve(t, &context)).sum();
    eprintln!(
        "corpus: {} templates, {:.1} MiB, {known} resources resolved fully known",
        corpus.len(),
        bytes as f64 / (1024.0 * 1024.0)
    );

    let mut group = c.benchmark_group("iac");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("parse_and_resolve_1200_templates_parallel", |b| {
        b.iter(|| {
            corpus
                .par_iter()
                .map(|t| parse_and_resolve(black_box(t), &context))
                .sum::<usize>()
        })
    });
    group.bench_function("parse_and_resolve_1200_templates_one_thread", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|t| parse_and_resolve(black_box(t), &context))
                .sum::<usize>()
        })
    });
    group.finish();

    let mut rng = Rng(7);
    let small_yaml = template(&mut rng, 5, true);
    let small_json = template(&mut rng, 5, false);
    let mut group = c.benchmark_group("iac_small");
    group.bench_function("parse_and_resolve_5_resources_yaml", |b| {
        b.iter(|| parse_and_resolve(black_box(&small_yaml), &context))
    });
    group.bench_function("parse_and_resolve_5_resources_json", |b| {
        b.iter(|| parse_and_resolve(black_box(&small_json), &context))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
