//! Terraform plans (`terraform show -json`) into the model.
//!
//! Planned values are what the plan will create; a value Terraform knows only after apply
//! (`after_unknown`) is not guessed: a coverage gap on the resource names it. Resources
//! that configure another (`aws_s3_bucket_server_side_encryption_configuration`,
//! `aws_s3_bucket_policy`, `aws_iam_role_policy`, `aws_security_group_rule`, …) are joined
//! to it by the name they give, or by the configuration's reference to it.

use std::collections::BTreeMap;

use rampart_iac::terraform::{Plan, PlanResource, ResourceMode};
use rampart_iac::{Node, Value};

use super::{default_name, Sink, Target};
use crate::model::{
    BucketEncryption, EbsVolume, IamRole, KmsKey, Operation, PolicyDocument, PublicAccessBlock,
    RdsDbInstance, S3Bucket, SecurityGroup, SecurityGroupRule, Source, Tags, GLOBAL_REGION,
};

/// A plan's managed resources in the model.
pub(super) fn map(sink: &mut Sink<'_>, uri: &str, plan: &Plan, target: &Target) {
    let managed: Vec<&PlanResource> = plan
        .resources
        .iter()
        .filter(|r| r.mode == ResourceMode::Managed && !deleted(r))
        .collect();
    let plan_ctx = PlanContext::new(&managed);
    for resource in &managed {
        let mut m = Mapped {
            sink,
            uri,
            target,
            resource,
            plan: &plan_ctx,
        };
        m.map();
    }
}

fn deleted(r: &PlanResource) -> bool {
    r.actions.len() == 1 && r.actions[0] == "delete"
}

/// The plan's resources by type, for joining configuration resources to what they configure.
struct PlanContext<'p> {
    by_type: BTreeMap<&'p str, Vec<&'p PlanResource>>,
}

impl<'p> PlanContext<'p> {
    fn new(resources: &[&'p PlanResource]) -> Self {
        let mut by_type: BTreeMap<&str, Vec<&PlanResource>> = BTreeMap::new();
        for r in resources {
            by_type.entry(r.resource_type.as_str()).or_default().push(r);
        }
        PlanContext { by_type }
    }

    /// Resources of `resource_type` that configure `owner` through attribute `key`: the
    /// same value (a known name or id), or a configuration reference to `owner`'s address.
    fn attached(
        &self,
        resource_type: &str,
        key: &str,
        owner: &PlanResource,
        owner_value: Option<&str>,
    ) -> Vec<&'p PlanResource> {
        self.by_type
            .get(resource_type)
            .map(|list| {
                list.iter()
                    .copied()
                    .filter(|r| {
                        let by_value =
                            owner_value.is_some_and(|v| str_at(&r.values, key) == Some(v));
                        by_value || refers_to(r, key, &owner.address)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Whether `r`'s configuration expression `key` refers to the resource at `address`.
fn refers_to(r: &PlanResource, key: &str, address: &str) -> bool {
    let Some(references) = r
        .config
        .as_ref()
        .and_then(|c| c.expressions.as_ref())
        .and_then(|e| e.pointer(&[key, "references"]))
        .and_then(Node::as_sequence)
    else {
        return false;
    };
    let local = address.rsplit_once("module.").map_or(address, |(_, rest)| {
        rest.split_once('.').map_or(rest, |(_, local)| local)
    });
    references.iter().filter_map(Node::as_str).any(|reference| {
        reference == local
            || reference
                .strip_prefix(local)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

fn str_at<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::scalar_text)
}

fn bool_at(node: &Node, key: &str) -> Option<bool> {
    match node.get(key).map(|n| &n.value) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// The first element of a nested block list (`rule[0]`), as Terraform's JSON writes blocks.
fn block<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match node.get(key).map(|n| &n.value) {
        Some(Value::Sequence(items)) => items.first(),
        Some(Value::Mapping(_)) => node.get(key),
        _ => None,
    }
}

struct Mapped<'a, 's, 'p> {
    sink: &'a mut Sink<'s>,
    uri: &'a str,
    target: &'a Target,
    resource: &'a PlanResource,
    plan: &'a PlanContext<'p>,
}

impl Mapped<'_, '_, '_> {
    fn source(&self) -> Source {
        match self
            .resource
            .config
            .as_ref()
            .and_then(|c| c.location.as_ref())
        {
            Some(l) => Source::File {
                uri: match self.uri.rsplit_once('/') {
                    Some((dir, _)) => format!("{dir}/{}", l.file.trim_start_matches("./")),
                    None => l.file.clone(),
                },
                line: l.line,
                column: 1,
            },
            None => Source::File {
                uri: self.uri.to_owned(),
                line: self.resource.span.start.line,
                column: self.resource.span.start.column,
            },
        }
    }

    fn values(&self) -> &Node {
        &self.resource.values
    }

    /// Whether `key` of `r` is known only after apply.
    fn after_unknown(r: &PlanResource, key: &str) -> bool {
        r.after_unknown
            .as_ref()
            .and_then(|u| u.get(key))
            .is_some_and(|n| {
                !matches!(n.value, Value::Bool(false)) && !matches!(n.value, Value::Null)
            })
    }

    fn gap(&mut self, region: &str, arn: &str, operation: Operation, what: &str, r: &PlanResource) {
        self.sink.unknown(
            self.target,
            region,
            arn,
            operation,
            format!("`{}` of `{}` is known only after apply", what, r.address),
        );
    }

    fn tags(&self) -> Tags {
        let node = self
            .values()
            .get("tags_all")
            .filter(|n| n.as_mapping().is_some_and(|m| !m.is_empty()))
            .or_else(|| self.values().get("tags"));
        node.and_then(Node::as_mapping)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| Some((e.key.clone(), e.value.scalar_text()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn name(&self, key: &str) -> String {
        str_at(self.values(), key)
            .map(str::to_owned)
            .unwrap_or_else(|| default_name(self.uri, &self.resource.address))
    }

    fn map(&mut self) {
        let region = self.target.region.clone();
        let account = self.target.account_id.clone();
        let source = self.source();
        let tags = self.tags();
        let r = self.resource;
        match r.resource_type.as_str() {
            "aws_s3_bucket" => {
                let name = self.name("bucket");
                let arn = format!("arn:aws:s3:::{name}");
                let known_name = str_at(self.values(), "bucket");
                // Encryption: the separate resource, else the legacy inline block, else SSE-S3.
                let sse = self.plan.attached(
                    "aws_s3_bucket_server_side_encryption_configuration",
                    "bucket",
                    r,
                    known_name,
                );
                let encryption_rule =
                    sse.first()
                        .and_then(|s| block(&s.values, "rule"))
                        .or_else(|| {
                            block(self.values(), "server_side_encryption_configuration")
                                .and_then(|c| block(c, "rule"))
                        });
                let encryption = Some(match encryption_rule {
                    Some(rule) => {
                        let default = block(rule, "apply_server_side_encryption_by_default");
                        BucketEncryption {
                            sse_algorithm: default
                                .and_then(|d| str_at(d, "sse_algorithm"))
                                .unwrap_or("AES256")
                                .to_owned(),
                            kms_key_arn: default
                                .and_then(|d| str_at(d, "kms_master_key_id"))
                                .filter(|s| !s.is_empty())
                                .map(str::to_owned),
                            bucket_key_enabled: bool_at(rule, "bucket_key_enabled")
                                .unwrap_or(false),
                        }
                    }
                    None => BucketEncryption {
                        sse_algorithm: "AES256".to_owned(),
                        kms_key_arn: None,
                        bucket_key_enabled: false,
                    },
                });
                let pab = self.plan.attached(
                    "aws_s3_bucket_public_access_block",
                    "bucket",
                    r,
                    known_name,
                );
                let public_access_block = Some(match pab.first() {
                    Some(p) => PublicAccessBlock {
                        block_public_acls: bool_at(&p.values, "block_public_acls").unwrap_or(false),
                        ignore_public_acls: bool_at(&p.values, "ignore_public_acls")
                            .unwrap_or(false),
                        block_public_policy: bool_at(&p.values, "block_public_policy")
                            .unwrap_or(false),
                        restrict_public_buckets: bool_at(&p.values, "restrict_public_buckets")
                            .unwrap_or(false),
                    },
                    // New buckets block all public access by default (April 2023).
                    None => PublicAccessBlock {
                        block_public_acls: true,
                        ignore_public_acls: true,
                        block_public_policy: true,
                        restrict_public_buckets: true,
                    },
                });
                let versioning = self
                    .plan
                    .attached("aws_s3_bucket_versioning", "bucket", r, known_name)
                    .first()
                    .and_then(|v| block(&v.values, "versioning_configuration"))
                    .and_then(|c| str_at(c, "status"))
                    .map(|s| s == "Enabled")
                    .or_else(|| {
                        block(self.values(), "versioning").and_then(|v| bool_at(v, "enabled"))
                    })
                    .unwrap_or(false);
                let mut policy = None;
                for p in self
                    .plan
                    .attached("aws_s3_bucket_policy", "bucket", r, known_name)
                {
                    match str_at(&p.values, "policy") {
                        Some(text) => {
                            policy = serde_json::from_str(text).ok().map(PolicyDocument::new)
                        }
                        None if Self::after_unknown(p, "policy") => {
                            self.gap(&region, &arn, Operation::S3GetBucketPolicy, "policy", p);
                        }
                        None => {}
                    }
                }
                let bucket = S3Bucket {
                    arn,
                    account_id: account,
                    region,
                    tags,
                    source,
                    name,
                    encryption,
                    policy,
                    public_access_block,
                    versioning,
                };
                self.sink
                    .account(self.target)
                    .storage
                    .s3_buckets
                    .push(bucket);
            }
            "aws_kms_key" => {
                let id = default_name(self.uri, &r.address).to_lowercase();
                let arn = format!("arn:aws:kms:{region}:{account}:key/{id}");
                let policy = match str_at(self.values(), "policy") {
                    Some(text) => serde_json::from_str(text).ok().map(PolicyDocument::new),
                    None => {
                        if Self::after_unknown(r, "policy") {
                            self.gap(&region, &arn, Operation::KmsGetKeyPolicy, "policy", r);
                            None
                        } else {
                            Some(super::default_key_policy(&account))
                        }
                    }
                };
                let key = KmsKey {
                    arn,
                    account_id: account,
                    region,
                    tags,
                    source,
                    key_id: id,
                    key_manager: "CUSTOMER".to_owned(),
                    key_state: if bool_at(self.values(), "is_enabled").unwrap_or(true) {
                        "Enabled"
                    } else {
                        "Disabled"
                    }
                    .to_owned(),
                    key_spec: str_at(self.values(), "customer_master_key_spec")
                        .unwrap_or("SYMMETRIC_DEFAULT")
                        .to_owned(),
                    key_usage: str_at(self.values(), "key_usage")
                        .unwrap_or("ENCRYPT_DECRYPT")
                        .to_owned(),
                    multi_region: bool_at(self.values(), "multi_region").unwrap_or(false),
                    rotation_enabled: Some(
                        bool_at(self.values(), "enable_key_rotation").unwrap_or(false),
                    ),
                    policy,
                    aliases: Vec::new(),
                };
                self.sink.account(self.target).kms_keys.push(key);
            }
            "aws_iam_role" => {
                let name = self.name("name");
                let arn = format!("arn:aws:iam::{account}:role/{name}");
                let op = Operation::IamGetAccountAuthorizationDetails;
                let trust_policy = match str_at(self.values(), "assume_role_policy")
                    .and_then(|t| serde_json::from_str(t).ok())
                {
                    Some(json) => PolicyDocument::new(json),
                    None => {
                        self.gap(GLOBAL_REGION, &arn, op, "assume_role_policy", r);
                        PolicyDocument::new(
                            serde_json::json!({"Version": "2012-10-17", "Statement": []}),
                        )
                    }
                };
                let mut inline_policies = BTreeMap::new();
                for p in self
                    .plan
                    .attached("aws_iam_role_policy", "role", r, Some(&name))
                {
                    let policy_name = str_at(&p.values, "name").unwrap_or(&p.name).to_owned();
                    match str_at(&p.values, "policy").and_then(|t| serde_json::from_str(t).ok()) {
                        Some(json) => {
                            inline_policies.insert(policy_name, PolicyDocument::new(json));
                        }
                        None => self.gap(GLOBAL_REGION, &arn, op, "policy", p),
                    }
                }
                if let Some(Value::Sequence(items)) =
                    self.values().get("inline_policy").map(|n| &n.value)
                {
                    for item in items {
                        if let (Some(n), Some(json)) = (
                            str_at(item, "name"),
                            str_at(item, "policy").and_then(|t| serde_json::from_str(t).ok()),
                        ) {
                            inline_policies.insert(n.to_owned(), PolicyDocument::new(json));
                        }
                    }
                }
                let mut attached_policy_arns: Vec<String> = self
                    .plan
                    .attached("aws_iam_role_policy_attachment", "role", r, Some(&name))
                    .iter()
                    .filter_map(|a| str_at(&a.values, "policy_arn").map(str::to_owned))
                    .collect();
                attached_policy_arns.sort();
                attached_policy_arns.dedup();
                let role = IamRole {
                    arn,
                    account_id: account,
                    region: GLOBAL_REGION.to_owned(),
                    tags,
                    source,
                    name,
                    path: str_at(self.values(), "path").unwrap_or("/").to_owned(),
                    trust_policy,
                    inline_policies,
                    attached_policy_arns,
                    permissions_boundary_arn: str_at(self.values(), "permissions_boundary")
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                    service_linked: false,
                };
                self.sink.account(self.target).iam.roles.push(role);
            }
            "aws_ebs_volume" => {
                let id = format!("vol-{}", default_name(self.uri, &r.address).to_lowercase());
                let arn = format!("arn:aws:ec2:{region}:{account}:volume/{id}");
                let encrypted = match bool_at(self.values(), "encrypted") {
                    Some(b) => b,
                    None => {
                        self.sink.unknown(self.target, &region, &arn, Operation::Ec2DescribeVolumes,
                            format!("`encrypted` of `{}` is not set: the volume is encrypted only if the account's EBS encryption by default is on", r.address));
                        false
                    }
                };
                let volume = EbsVolume {
                    arn,
                    account_id: account,
                    region,
                    tags,
                    source,
                    volume_id: id,
                    encrypted,
                    kms_key_arn: str_at(self.values(), "kms_key_id")
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                    size_gib: str_at(self.values(), "size")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0),
                };
                self.sink
                    .account(self.target)
                    .storage
                    .ebs_volumes
                    .push(volume);
            }
            "aws_db_instance" => {
                let identifier = self.name("identifier").to_lowercase();
                let arn = format!("arn:aws:rds:{region}:{account}:db:{identifier}");
                let instance = RdsDbInstance {
                    arn,
                    account_id: account,
                    region,
                    tags,
                    source,
                    identifier,
                    engine: str_at(self.values(), "engine")
                        .unwrap_or_default()
                        .to_owned(),
                    storage_encrypted: bool_at(self.values(), "storage_encrypted").unwrap_or(false),
                    kms_key_arn: str_at(self.values(), "kms_key_id")
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                    publicly_accessible: bool_at(self.values(), "publicly_accessible")
                        .unwrap_or(false),
                };
                self.sink
                    .account(self.target)
                    .storage
                    .rds_instances
                    .push(instance);
            }
            "aws_security_group" => {
                let id = format!("sg-{}", default_name(self.uri, &r.address).to_lowercase());
                let arn = format!("arn:aws:ec2:{region}:{account}:security-group/{id}");
                let mut ingress = rules(self.values().get("ingress"));
                let egress = Some(rules(self.values().get("egress")));
                for kind in [
                    "aws_security_group_rule",
                    "aws_vpc_security_group_ingress_rule",
                ] {
                    for rule in self.plan.attached(kind, "security_group_id", r, None) {
                        if str_at(&rule.values, "type").unwrap_or("ingress") == "ingress" {
                            ingress.extend(standalone_rule(&rule.values));
                        }
                    }
                }
                let group = SecurityGroup {
                    arn,
                    account_id: account,
                    region,
                    tags,
                    source,
                    group_id: id,
                    name: self.name("name"),
                    vpc_id: str_at(self.values(), "vpc_id")
                        .unwrap_or_default()
                        .to_owned(),
                    ingress,
                    egress,
                };
                self.sink
                    .account(self.target)
                    .network
                    .security_groups
                    .push(group);
            }
            _ => {}
        }
    }
}

/// `ingress`/`egress` blocks of `aws_security_group`, one model rule per peer.
fn rules(node: Option<&Node>) -> Vec<SecurityGroupRule> {
    let Some(items) = node.and_then(Node::as_sequence) else {
        return Vec::new();
    };
    items.iter().flat_map(standalone_rule).collect()
}

fn standalone_rule(rule: &Node) -> Vec<SecurityGroupRule> {
    let protocol = str_at(rule, "protocol")
        .or_else(|| str_at(rule, "ip_protocol"))
        .unwrap_or("-1");
    let protocol = match protocol {
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "all" => "-1",
        other => other,
    }
    .to_lowercase();
    let port = |key: &str| str_at(rule, key).and_then(|p| p.parse().ok()).unwrap_or(-1);
    let (from_port, to_port) = if protocol == "-1" {
        (-1, -1)
    } else {
        (port("from_port"), port("to_port"))
    };
    let mut peers: Vec<String> = Vec::new();
    for key in [
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "prefix_list_ids",
        "security_groups",
    ] {
        if let Some(items) = rule.get(key).and_then(Node::as_sequence) {
            peers.extend(items.iter().filter_map(Node::as_str).map(str::to_owned));
        }
    }
    for key in [
        "cidr_ipv4",
        "cidr_ipv6",
        "referenced_security_group_id",
        "prefix_list_id",
        "source_security_group_id",
    ] {
        if let Some(v) = str_at(rule, key) {
            peers.push(v.to_owned());
        }
    }
    peers
        .into_iter()
        .map(|source| SecurityGroupRule {
            protocol: protocol.clone(),
            from_port,
            to_port,
            source,
        })
        .collect()
}
