//! Synthetic CloudFormation template corpora for the pre-merge benchmark
//! (`rampart synth --iac N`).
//!
//! The templates look like the ones landing-zone teams keep in their repositories: storage
//! (buckets, bucket policies, keys), IAM roles with trust and inline policies, networks
//! (VPCs, subnets, security groups), databases, audit trails, and larger "platform" stacks
//! that mix them. About 70% are YAML with the short-form tags (`!Ref`, `!Sub`, `!GetAtt`),
//! the rest JSON with the long forms (`Ref`, `Fn::Sub`, `Fn::GetAtt`). Sizes run from one
//! to about 150 resources, most between 5 and 40. Each template draws a hygiene level: most
//! get a setting wrong now and then (an unencrypted bucket, an admin port open to the
//! internet, a public database, a trail without log-file validation, a wildcard trust),
//! a few get many wrong, so that `check` has both passing and failing work to do.
//!
//! Template `i` comes from its own generator seeded with the corpus seed and `i`: the same
//! seed and count give byte-identical files, and the first N templates of a larger corpus
//! equal a corpus of N.

use serde_json::{Map, Value as Json};

use super::rng::{mix, Rng};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IacSpec {
    /// Number of templates.
    pub templates: usize,
    /// Seed of the generator: equal specs give equal corpora.
    pub seed: u64,
}

/// One generated template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedTemplate {
    /// Path relative to the corpus directory (`team-3/storage-00042.yaml`).
    pub path: String,
    /// The template's text.
    pub text: String,
    /// How many resources it declares.
    pub resources: usize,
}

/// Generates a corpus. Deterministic in `spec`; linear in its size.
pub fn generate_templates(spec: &IacSpec) -> Vec<GeneratedTemplate> {
    (0..spec.templates)
        .map(|i| template(spec.seed, i))
        .collect()
}

/// A template as a tree, written out as YAML or JSON.
#[derive(Debug, Clone)]
enum V {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<V>),
    Map(Vec<(String, V)>),
    /// `!Ref name` / `{"Ref": name}`.
    Ref(String),
    /// `!Sub text` / `{"Fn::Sub": text}`.
    Sub(String),
    /// `!GetAtt resource.attribute` / `{"Fn::GetAtt": [resource, attribute]}`.
    GetAtt(String, &'static str),
}

fn s(text: impl Into<String>) -> V {
    V::Str(text.into())
}

fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, V)>) -> V {
    V::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

fn list(items: impl IntoIterator<Item = V>) -> V {
    V::List(items.into_iter().collect())
}

fn resource(kind: &str, properties: V) -> V {
    map([("Type", s(kind)), ("Properties", properties)])
}

fn statement(effect: &str, principal: Option<V>, action: V, resource: V) -> Vec<(String, V)> {
    let mut entries = vec![("Effect".to_owned(), s(effect))];
    if let Some(p) = principal {
        entries.push(("Principal".to_owned(), p));
    }
    entries.push(("Action".to_owned(), action));
    entries.push(("Resource".to_owned(), resource));
    entries
}

fn policy(statements: Vec<Vec<(String, V)>>) -> V {
    map([
        ("Version", s("2012-10-17")),
        ("Statement", list(statements.into_iter().map(V::Map))),
    ])
}

/// The stack being built.
struct Stack {
    rng: Rng,
    /// Percent chance that any one setting is non-compliant.
    hygiene: u64,
    resources: Vec<(String, V)>,
    outputs: Vec<(String, V)>,
}

impl Stack {
    fn bad(&mut self) -> bool {
        self.rng.percent(self.hygiene)
    }

    fn add(&mut self, id: String, value: V) {
        self.resources.push((id, value));
    }

    fn output(&mut self, id: &str, value: V) {
        self.outputs.push((id.to_owned(), map([("Value", value)])));
    }

    /// A customer managed key, rotated unless the stack is careless.
    fn key(&mut self, id: &str, purpose: &str) {
        let rotation = !self.bad();
        let mut statements = vec![{
            let mut st = statement(
                "Allow",
                Some(map([(
                    "AWS",
                    V::Sub("arn:aws:iam::${AWS::AccountId}:root".into()),
                )])),
                s("kms:*"),
                s("*"),
            );
            st.insert(0, ("Sid".to_owned(), s("AccountAdministration")));
            st
        }];
        if self.bad() {
            statements.push(statement(
                "Allow",
                Some(s("*")),
                list([s("kms:Decrypt"), s("kms:GenerateDataKey*")]),
                s("*"),
            ));
        }
        self.add(
            id.to_owned(),
            resource(
                "AWS::KMS::Key",
                map([
                    ("Description", s(format!("{purpose} data key"))),
                    ("EnableKeyRotation", V::Bool(rotation)),
                    ("KeyPolicy", policy(statements)),
                ]),
            ),
        );
    }

    /// A bucket with its policy, encrypted with `key` when given.
    fn bucket(&mut self, id: &str, key: Option<&str>, classification: &str) {
        let mut properties = vec![(
            "BucketName".to_owned(),
            V::Sub(format!(
                "${{AWS::StackName}}-{}-${{AWS::AccountId}}",
                id.to_lowercase()
            )),
        )];
        if !self.bad() {
            let default = match key {
                Some(key) => map([
                    ("SSEAlgorithm", s("aws:kms")),
                    ("KMSMasterKeyID", V::GetAtt(key.to_owned(), "Arn")),
                ]),
                None => map([("SSEAlgorithm", s("AES256"))]),
            };
            properties.push((
                "BucketEncryption".to_owned(),
                map([(
                    "ServerSideEncryptionConfiguration",
                    list([map([
                        ("ServerSideEncryptionByDefault", default),
                        ("BucketKeyEnabled", V::Bool(true)),
                    ])]),
                )]),
            ));
        }
        let open = self.bad();
        properties.push((
            "PublicAccessBlockConfiguration".to_owned(),
            map([
                ("BlockPublicAcls", V::Bool(!open)),
                ("BlockPublicPolicy", V::Bool(!open)),
                ("IgnorePublicAcls", V::Bool(!open)),
                ("RestrictPublicBuckets", V::Bool(!open)),
            ]),
        ));
        properties.push((
            "VersioningConfiguration".to_owned(),
            map([(
                "Status",
                s(if self.bad() { "Suspended" } else { "Enabled" }),
            )]),
        ));
        properties.push((
            "Tags".to_owned(),
            list([map([
                ("Key", s("DataClassification")),
                ("Value", s(classification)),
            ])]),
        ));
        self.add(
            id.to_owned(),
            resource("AWS::S3::Bucket", V::Map(properties)),
        );

        let both = list([
            V::GetAtt(id.to_owned(), "Arn"),
            V::Sub(format!("${{{id}.Arn}}/*")),
        ]);
        let mut statements = Vec::new();
        if !self.bad() {
            let mut deny = statement("Deny", Some(s("*")), s("s3:*"), both.clone());
            deny.insert(0, ("Sid".to_owned(), s("DenyInsecureTransport")));
            deny.push((
                "Condition".to_owned(),
                map([("Bool", map([("aws:SecureTransport", s("false"))]))]),
            ));
            statements.push(deny);
        }
        statements.push(statement(
            "Allow",
            Some(map([(
                "AWS",
                V::Sub("arn:aws:iam::${AWS::AccountId}:role/data-reader".into()),
            )])),
            list([s("s3:GetObject"), s("s3:ListBucket")]),
            both,
        ));
        self.add(
            format!("{id}Policy"),
            resource(
                "AWS::S3::BucketPolicy",
                map([
                    ("Bucket", V::Ref(id.to_owned())),
                    ("PolicyDocument", policy(statements)),
                ]),
            ),
        );
        self.output(&format!("{id}Name"), V::Ref(id.to_owned()));
    }

    /// A role with its trust policy and an inline policy.
    fn role(&mut self, id: &str, service: &str) {
        let trusted = if self.bad() {
            map([("AWS", s("*"))])
        } else if self.rng.percent(30) {
            map([("AWS", V::Sub("arn:aws:iam::${AWS::AccountId}:root".into()))])
        } else {
            map([("Service", s(format!("{service}.amazonaws.com")))])
        };
        let trust = policy(vec![statement_without_resource(
            "Allow",
            trusted,
            s("sts:AssumeRole"),
        )]);
        let (action, target) = if self.bad() {
            (s("*"), s("*"))
        } else {
            let actions = ACTION_SETS[self.rng.below(ACTION_SETS.len() as u64) as usize];
            (
                list(actions.iter().map(|a| s(*a))),
                V::Sub("arn:aws:s3:::${AWS::StackName}-*".into()),
            )
        };
        let team = format!("team-{}", self.rng.below(8));
        self.add(
            id.to_owned(),
            resource(
                "AWS::IAM::Role",
                map([
                    ("AssumeRolePolicyDocument", trust),
                    (
                        "Policies",
                        list([map([
                            ("PolicyName", s(format!("{id}-access"))),
                            (
                                "PolicyDocument",
                                policy(vec![statement("Allow", None, action, target)]),
                            ),
                        ])]),
                    ),
                    (
                        "Tags",
                        list([map([("Key", s("team")), ("Value", s(team.clone()))])]),
                    ),
                ]),
            ),
        );
        self.output(&format!("{id}Arn"), V::GetAtt(id.to_owned(), "Arn"));
    }

    /// A VPC with subnets and a security group; returns the VPC's CIDR block.
    fn network(&mut self, id: &str, block: u64, subnets: u64) -> String {
        // 10.0.0.0/8 in /20s: 4,096 VPCs before two stacks share a block.
        let (second, third) = (block / 16 % 256, block % 16 * 16);
        let cidr = format!("10.{second}.{third}.0/20");
        self.add(
            id.to_owned(),
            resource(
                "AWS::EC2::VPC",
                map([
                    ("CidrBlock", s(cidr.clone())),
                    ("EnableDnsSupport", V::Bool(true)),
                    ("EnableDnsHostnames", V::Bool(true)),
                ]),
            ),
        );
        for n in 0..subnets {
            let public = self.bad();
            self.add(
                format!("{id}Subnet{n}"),
                resource(
                    "AWS::EC2::Subnet",
                    map([
                        ("VpcId", V::Ref(id.to_owned())),
                        ("CidrBlock", s(format!("10.{second}.{}.0/24", third + n))),
                        ("MapPublicIpOnLaunch", V::Bool(public)),
                    ]),
                ),
            );
        }
        if !self.bad() {
            self.add(
                format!("{id}FlowLog"),
                resource(
                    "AWS::EC2::FlowLog",
                    map([
                        ("ResourceId", V::Ref(id.to_owned())),
                        ("ResourceType", s("VPC")),
                        ("TrafficType", s("ALL")),
                        ("LogDestinationType", s("s3")),
                        (
                            "LogDestination",
                            V::Sub("arn:aws:s3:::flow-logs-${AWS::AccountId}".into()),
                        ),
                    ]),
                ),
            );
        }
        self.security_group(&format!("{id}AppSg"), id, &cidr);
        cidr
    }

    /// A security group: HTTPS from the VPC, and now and then an admin port from anywhere.
    fn security_group(&mut self, id: &str, vpc: &str, vpc_cidr: &str) {
        let mut ingress = vec![map([
            ("IpProtocol", s("tcp")),
            ("FromPort", V::Int(443)),
            ("ToPort", V::Int(443)),
            ("CidrIp", s(vpc_cidr)),
        ])];
        if self.bad() {
            let port = if self.rng.percent(50) { 22 } else { 3389 };
            ingress.push(map([
                ("IpProtocol", s("tcp")),
                ("FromPort", V::Int(port)),
                ("ToPort", V::Int(port)),
                ("CidrIp", s("0.0.0.0/0")),
            ]));
        }
        self.add(
            id.to_owned(),
            resource(
                "AWS::EC2::SecurityGroup",
                map([
                    ("GroupDescription", s(format!("{id} traffic"))),
                    ("VpcId", V::Ref(vpc.to_owned())),
                    ("SecurityGroupIngress", V::List(ingress)),
                ]),
            ),
        );
    }

    /// A database instance in its own security group, encrypted with `key`.
    fn database(&mut self, id: &str, key: &str, vpc: &str, vpc_cidr: &str) {
        let sg = format!("{id}Sg");
        self.security_group(&sg, vpc, vpc_cidr);
        let encrypted = !self.bad();
        let mut properties = vec![
            ("Engine".to_owned(), s("postgres")),
            ("DBInstanceClass".to_owned(), s("db.r6g.large")),
            ("AllocatedStorage".to_owned(), s("100")),
            ("MasterUsername".to_owned(), s("app_admin")),
            ("ManageMasterUserPassword".to_owned(), V::Bool(true)),
            ("StorageEncrypted".to_owned(), V::Bool(encrypted)),
            ("PubliclyAccessible".to_owned(), V::Bool(self.bad())),
            ("MultiAZ".to_owned(), V::Bool(true)),
            (
                "VPCSecurityGroups".to_owned(),
                list([V::GetAtt(sg, "GroupId")]),
            ),
        ];
        if encrypted {
            properties.push(("KmsKeyId".to_owned(), V::Ref(key.to_owned())));
        }
        self.add(
            id.to_owned(),
            resource("AWS::RDS::DBInstance", V::Map(properties)),
        );
    }

    /// A trail into a bucket of its own.
    fn trail(&mut self, id: &str, key: &str) {
        let bucket = format!("{id}Logs");
        self.bucket(&bucket, Some(key), "internal");
        let multi_region = !self.bad();
        let validation = !self.bad();
        self.add(
            id.to_owned(),
            resource(
                "AWS::CloudTrail::Trail",
                map([
                    ("IsLogging", V::Bool(true)),
                    ("S3BucketName", V::Ref(bucket)),
                    ("IsMultiRegionTrail", V::Bool(multi_region)),
                    ("EnableLogFileValidation", V::Bool(validation)),
                    ("IncludeGlobalServiceEvents", V::Bool(true)),
                    ("KMSKeyId", V::Ref(key.to_owned())),
                ]),
            ),
        );
    }
}

fn statement_without_resource(effect: &str, principal: V, action: V) -> Vec<(String, V)> {
    vec![
        ("Effect".to_owned(), s(effect)),
        ("Principal".to_owned(), principal),
        ("Action".to_owned(), action),
    ]
}

/// What workload roles are typically given.
const ACTION_SETS: [&[&str]; 4] = [
    &["s3:GetObject", "s3:ListBucket"],
    &["s3:GetObject", "s3:PutObject"],
    &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    &["s3:ListBucket"],
];

const CLASSIFICATIONS: [&str; 4] = ["public", "internal", "confidential", "restricted"];
const SERVICES: [&str; 4] = ["lambda", "ecs-tasks", "ec2", "states"];

/// The kinds of stack, with their relative weights.
const KINDS: [&str; 6] = ["storage", "iam", "network", "database", "audit", "platform"];
const KIND_WEIGHTS: [u32; 6] = [30, 25, 15, 12, 8, 10];

/// The /20 of 10.0.0.0/8 (0 to 4,095) of unit `u` of template `i`: distinct for the
/// first thousands of VPCs of a corpus, as in an organization with an address plan.
fn block(i: usize, u: u64) -> u64 {
    (i as u64 * 40 + u) % 4096
}

/// Template `i` of the corpus seeded with `seed`.
fn template(seed: u64, i: usize) -> GeneratedTemplate {
    let mut rng = Rng::new(mix(seed ^ mix(i as u64 ^ 0x1AC0_C0DE)));
    let kind = KINDS[rng.weighted(&KIND_WEIGHTS)];
    // Most stacks are careful (a setting wrong in 2–8% of cases); one in five is careless.
    let hygiene = if rng.percent(80) {
        2 + rng.below(7)
    } else {
        25 + rng.below(40)
    };
    let yaml = rng.percent(70);
    let mut st = Stack {
        rng,
        hygiene,
        resources: Vec::new(),
        outputs: Vec::new(),
    };
    // Units per stack: mostly a few, now and then many (sizes 1 to about 150 resources).
    let units = 1 + match st.rng.weighted(&[55, 35, 10]) {
        0 => st.rng.below(3),
        1 => 3 + st.rng.below(8),
        _ => 12 + st.rng.below(24),
    };
    for u in 0..units {
        let unit_kind = if kind == "platform" {
            KINDS[st.rng.below(5) as usize]
        } else {
            kind
        };
        let classification = CLASSIFICATIONS[st.rng.below(4) as usize];
        match unit_kind {
            "storage" => {
                let key = format!("DataKey{u}");
                st.key(&key, classification);
                st.bucket(&format!("DataBucket{u}"), Some(&key), classification);
            }
            "iam" => {
                let service = SERVICES[st.rng.below(4) as usize];
                st.role(&format!("WorkloadRole{u}"), service);
            }
            "network" => {
                let subnets = 1 + st.rng.below(4);
                st.network(&format!("Vpc{u}"), block(i, u), subnets);
            }
            "database" => {
                let vpc = format!("DbVpc{u}");
                let cidr = st.network(&vpc, block(i, u), 2);
                let key = format!("DbKey{u}");
                st.key(&key, "database");
                st.database(&format!("Database{u}"), &key, &vpc, &cidr);
            }
            _ => {
                let key = format!("TrailKey{u}");
                st.key(&key, "audit");
                st.trail(&format!("Trail{u}"), &key);
            }
        }
    }
    let resources = st.resources.len();
    let mut top = vec![
        ("AWSTemplateFormatVersion".to_owned(), s("2010-09-09")),
        (
            "Description".to_owned(),
            s(format!("{kind} stack {i} (rampart synth)")),
        ),
        (
            "Parameters".to_owned(),
            map([(
                "Environment",
                map([
                    ("Type", s("String")),
                    ("AllowedValues", list([s("dev"), s("preprod"), s("prod")])),
                    ("Default", s("dev")),
                ]),
            )]),
        ),
        ("Resources".to_owned(), V::Map(st.resources)),
    ];
    if !st.outputs.is_empty() {
        top.push(("Outputs".to_owned(), V::Map(st.outputs)));
    }
    let tree = V::Map(top);
    let team = mix(i as u64 ^ seed) % 12;
    let (extension, text) = if yaml {
        let mut out = String::new();
        if let V::Map(entries) = &tree {
            write_yaml_map(entries, 0, false, &mut out);
        }
        ("yaml", out)
    } else {
        let mut text = serde_json::to_string_pretty(&to_json(&tree)).unwrap_or_default();
        text.push('\n');
        ("json", text)
    };
    GeneratedTemplate {
        path: format!("team-{team:02}/{kind}-{i:05}.{extension}"),
        text,
        resources,
    }
}

/// The long (JSON) form of a tree.
fn to_json(v: &V) -> Json {
    let one = |key: &str, value: Json| {
        let mut m = Map::new();
        m.insert(key.to_owned(), value);
        Json::Object(m)
    };
    match v {
        V::Str(text) => Json::String(text.clone()),
        V::Int(n) => Json::from(*n),
        V::Bool(b) => Json::Bool(*b),
        V::List(items) => Json::Array(items.iter().map(to_json).collect()),
        V::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
        V::Ref(name) => one("Ref", Json::String(name.clone())),
        V::Sub(text) => one("Fn::Sub", Json::String(text.clone())),
        V::GetAtt(name, attribute) => one(
            "Fn::GetAtt",
            Json::Array(vec![
                Json::String(name.clone()),
                Json::String((*attribute).to_owned()),
            ]),
        ),
    }
}

/// A scalar or tag on one line, or `None` for a non-empty list or map.
fn yaml_inline(v: &V) -> Option<String> {
    Some(match v {
        V::Str(text) => yaml_string(text),
        V::Int(n) => n.to_string(),
        V::Bool(b) => b.to_string(),
        V::List(items) if items.is_empty() => "[]".to_owned(),
        V::Map(entries) if entries.is_empty() => "{}".to_owned(),
        V::List(_) | V::Map(_) => return None,
        V::Ref(name) => format!("!Ref {name}"),
        V::Sub(text) => format!("!Sub {}", yaml_string(text)),
        V::GetAtt(name, attribute) => format!("!GetAtt {name}.{attribute}"),
    })
}

/// A string plain when it cannot be read as anything else, else double-quoted (a JSON
/// string is a valid YAML double-quoted scalar).
fn yaml_string(text: &str) -> String {
    let plain = text.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

/// Writes a map's entries at `indent`; with `inline_first`, the first entry continues a
/// list item's `- ` line.
fn write_yaml_map(entries: &[(String, V)], indent: usize, inline_first: bool, out: &mut String) {
    for (n, (key, value)) in entries.iter().enumerate() {
        if !(inline_first && n == 0) {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&yaml_string(key));
        out.push(':');
        match (yaml_inline(value), value) {
            (Some(text), _) => {
                out.push(' ');
                out.push_str(&text);
                out.push('\n');
            }
            (None, V::Map(inner)) => {
                out.push('\n');
                write_yaml_map(inner, indent + 2, false, out);
            }
            (None, V::List(items)) => {
                out.push('\n');
                write_yaml_list(items, indent + 2, out);
            }
            (None, _) => {}
        }
    }
}

fn write_yaml_list(items: &[V], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match (yaml_inline(item), item) {
            (Some(text), _) => {
                out.push_str(&text);
                out.push('\n');
            }
            (None, V::Map(entries)) => write_yaml_map(entries, indent + 2, true, out),
            (None, V::List(inner)) => {
                out.push('\n');
                write_yaml_list(inner, indent + 2, out);
            }
            (None, _) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corpus_is_deterministic_and_its_prefix_is_a_smaller_corpus() {
        let big = generate_templates(&IacSpec {
            templates: 40,
            seed: 9,
        });
        let again = generate_templates(&IacSpec {
            templates: 40,
            seed: 9,
        });
        let small = generate_templates(&IacSpec {
            templates: 10,
            seed: 9,
        });
        assert_eq!(big, again);
        assert_eq!(&big[..10], &small[..]);
        let other = generate_templates(&IacSpec {
            templates: 10,
            seed: 10,
        });
        assert_ne!(small, other);
    }

    #[test]
    fn templates_mix_yaml_and_json_and_sizes() {
        let corpus = generate_templates(&IacSpec {
            templates: 300,
            seed: 1,
        });
        let yaml = corpus.iter().filter(|t| t.path.ends_with(".yaml")).count();
        assert!((150..=260).contains(&yaml), "{yaml} YAML templates of 300");
        let largest = corpus.iter().map(|t| t.resources).max().unwrap_or(0);
        let smallest = corpus.iter().map(|t| t.resources).min().unwrap_or(0);
        assert!(smallest >= 1 && largest >= 60, "{smallest}..{largest}");
        let paths: std::collections::BTreeSet<_> = corpus.iter().map(|t| &t.path).collect();
        assert_eq!(paths.len(), corpus.len(), "paths are unique");
    }

    #[test]
    fn yaml_strings_that_could_read_as_something_else_are_quoted() {
        assert_eq!(yaml_string("AES256"), "AES256");
        assert_eq!(yaml_string("2010-09-09"), "\"2010-09-09\"");
        assert_eq!(yaml_string("true"), "\"true\"");
        assert_eq!(yaml_string("s3:GetObject"), "\"s3:GetObject\"");
        assert_eq!(yaml_string("0.0.0.0/0"), "\"0.0.0.0/0\"");
        assert_eq!(yaml_string(""), "\"\"");
    }
}
