//! Terraform plans (`terraform show -json`) into the model.
//!
//! Planned values are what the plan will create; a value Terraform knows only after apply
//! (`after_unknown`) is not guessed: when the configuration refers to another resource of
//! the plan for it (`vpc_id = aws_vpc.main.id`), it is that resource's identity in the
//! model, and otherwise a coverage gap on the resource names it. Resources that configure
//! another (`aws_s3_bucket_policy`, `aws_iam_role_policy`, `aws_route_table_association`,
//! `aws_kms_alias`, …) are joined to it by the value they give (a name, id or ARN), or by
//! the configuration's reference to it — in the same module, with the same `count` or
//! `for_each` key when the reference gives none.
//!
//! Each resource is placed at its block in the `.tf` files when `rampart-iac` found it
//! (else at its object in the plan), and its `rampart:skip` comments become in-source
//! suppressions.

mod data;
mod iam;
mod network;
mod services;

use std::collections::{BTreeMap, HashMap};

use rampart_iac::terraform::{Plan, PlanResource, ResourceMode};
use rampart_iac::{Node, Value};

use super::{default_name, InlineSuppression, Sink, Target};
use crate::model::{Location, Operation, PolicyDocument, Source, Tags};

/// A plan's managed resources in the model.
pub(super) fn map(sink: &mut Sink<'_>, uri: &str, plan: &Plan, target: &Target) {
    let managed: Vec<&PlanResource> = plan
        .resources
        .iter()
        .filter(|r| r.mode == ResourceMode::Managed && !deleted(r))
        .collect();
    let ctx = PlanContext::new(&managed, uri, target);
    for resource in &managed {
        let Some(identity) = ctx.identities.get(resource.address.as_str()) else {
            continue;
        };
        let mut m = Mapped {
            sink,
            uri,
            target,
            r: resource,
            id: identity,
            ctx: &ctx,
        };
        let Some(arn) = m.map() else { continue };
        let Some(config) = &resource.config else {
            continue;
        };
        let file = config.location.as_ref().map(|l| ctx.tf_uri(&l.file));
        for skip in &config.skips {
            sink.suppress(InlineSuppression {
                arn: arn.clone(),
                rule_id: skip.rule_id.clone(),
                reason: skip.reason.clone(),
                location: Location {
                    uri: file.clone().unwrap_or_else(|| uri.to_owned()),
                    line: skip.position.line,
                    column: skip.position.column,
                },
            });
        }
    }
}

fn deleted(r: &PlanResource) -> bool {
    r.actions.len() == 1 && r.actions[0] == "delete"
}

/// The identity a resource gets in the model: what other resources name it by.
#[derive(Debug, Clone, Default)]
pub(super) struct Identity {
    /// What `.id` gives (`vpc-…`, a bucket's name, a managed policy's ARN, …).
    pub(super) id: String,
    /// Its ARN in the model.
    pub(super) arn: String,
    /// Its name (`.name`, `.bucket`, `.identifier`), or its id.
    pub(super) name: String,
}

/// The id prefix and ARN resource path of the EC2-style types: `(type, id prefix, ARN path)`.
const EC2_IDS: &[(&str, &str, &str)] = &[
    ("aws_ebs_volume", "vol", "volume"),
    ("aws_security_group", "sg", "security-group"),
    ("aws_vpc", "vpc", "vpc"),
    ("aws_subnet", "subnet", "subnet"),
    ("aws_internet_gateway", "igw", "internet-gateway"),
    (
        "aws_egress_only_internet_gateway",
        "eigw",
        "egress-only-internet-gateway",
    ),
    ("aws_route_table", "rtb", "route-table"),
    ("aws_nat_gateway", "nat", "natgateway"),
    ("aws_network_acl", "acl", "network-acl"),
    ("aws_vpc_endpoint", "vpce", "vpc-endpoint"),
    ("aws_flow_log", "fl", "vpc-flow-log"),
    ("aws_ec2_transit_gateway", "tgw", "transit-gateway"),
    (
        "aws_ec2_transit_gateway_vpc_attachment",
        "tgw-attach",
        "transit-gateway-attachment",
    ),
    ("aws_vpn_connection", "vpn", "vpn-connection"),
    ("aws_vpn_gateway", "vgw", "vpn-gateway"),
    ("aws_customer_gateway", "cgw", "customer-gateway"),
    (
        "aws_vpc_peering_connection",
        "pcx",
        "vpc-peering-connection",
    ),
    ("aws_network_interface", "eni", "network-interface"),
];

fn identity(r: &PlanResource, uri: &str, target: &Target) -> Identity {
    let (account, region) = (&target.account_id, &target.region);
    let known = |key: &str| {
        str_at(&r.values, key)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let fallback = default_name(uri, &r.address);
    let lower = fallback.to_lowercase();
    let named = |key: &str| known(key).unwrap_or_else(|| fallback.clone());
    let same = |id: String, arn: String| Identity {
        name: id.clone(),
        id,
        arn,
    };
    let t = r.resource_type.as_str();
    if let Some((_, prefix, path)) = EC2_IDS.iter().find(|(ty, _, _)| *ty == t) {
        let id = known("id").unwrap_or_else(|| format!("{prefix}-{lower}"));
        let arn = format!("arn:aws:ec2:{region}:{account}:{path}/{id}");
        let name = known("name").unwrap_or_else(|| id.clone());
        return Identity { id, arn, name };
    }
    match t {
        "aws_s3_bucket" => {
            let name = named("bucket");
            same(name.clone(), format!("arn:aws:s3:::{name}"))
        }
        "aws_kms_key" => {
            let id = known("key_id")
                .or_else(|| known("id"))
                .unwrap_or(lower)
                .to_lowercase();
            same(
                id.clone(),
                format!("arn:aws:kms:{region}:{account}:key/{id}"),
            )
        }
        "aws_kms_alias" => {
            let name = known("name").unwrap_or_else(|| format!("alias/{lower}"));
            same(
                name.clone(),
                format!("arn:aws:kms:{region}:{account}:{name}"),
            )
        }
        "aws_iam_role" => {
            let name = named("name");
            same(name.clone(), format!("arn:aws:iam::{account}:role/{name}"))
        }
        "aws_iam_user" => {
            let name = named("name");
            same(name.clone(), format!("arn:aws:iam::{account}:user/{name}"))
        }
        "aws_iam_policy" => {
            let name = named("name");
            let path = known("path").unwrap_or_else(|| "/".to_owned());
            let arn = format!("arn:aws:iam::{account}:policy{path}{name}");
            Identity {
                id: arn.clone(),
                arn,
                name,
            }
        }
        "aws_db_instance" => {
            let id = named("identifier").to_lowercase();
            same(
                id.clone(),
                format!("arn:aws:rds:{region}:{account}:db:{id}"),
            )
        }
        "aws_rds_cluster" => {
            let id = named("cluster_identifier").to_lowercase();
            same(
                id.clone(),
                format!("arn:aws:rds:{region}:{account}:cluster:{id}"),
            )
        }
        "aws_rds_cluster_instance" => {
            let id = named("identifier").to_lowercase();
            same(
                id.clone(),
                format!("arn:aws:rds:{region}:{account}:db:{id}"),
            )
        }
        "aws_cloudtrail" => {
            let name = named("name");
            same(
                name.clone(),
                format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}"),
            )
        }
        "aws_config_configuration_recorder" => {
            let name = known("name").unwrap_or_else(|| "default".to_owned());
            same(
                name.clone(),
                format!("arn:aws:config:{region}:{account}:configuration-recorder/{name}"),
            )
        }
        "aws_acm_certificate" => {
            let arn = format!("arn:aws:acm:{region}:{account}:certificate/{lower}");
            same(arn.clone(), arn)
        }
        "aws_lb" | "aws_alb" => {
            let name = named("name");
            let kind = match str_at(&r.values, "load_balancer_type") {
                Some("network") => "net",
                Some("gateway") => "gwy",
                _ => "app",
            };
            let arn = format!(
                "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{kind}/{name}/{lower}"
            );
            Identity {
                id: arn.clone(),
                arn,
                name,
            }
        }
        "aws_lb_listener" | "aws_alb_listener" => {
            let arn = format!(
                "arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{lower}/{lower}/{lower}"
            );
            same(arn.clone(), arn)
        }
        "aws_route53_zone" => {
            let id = known("zone_id").unwrap_or_else(|| {
                format!(
                    "Z{}",
                    lower
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                        .to_uppercase()
                )
            });
            Identity {
                arn: format!("arn:aws:route53:::hostedzone/{id}"),
                name: named("name"),
                id,
            }
        }
        "aws_route53_resolver_rule" => {
            let id = known("id").unwrap_or_else(|| format!("rslvr-rr-{lower}"));
            Identity {
                arn: format!("arn:aws:route53resolver:{region}:{account}:resolver-rule/{id}"),
                name: named("name"),
                id,
            }
        }
        "aws_route53_resolver_endpoint" => {
            let id = known("id").unwrap_or_else(|| format!("rslvr-out-{lower}"));
            same(
                id.clone(),
                format!("arn:aws:route53resolver:{region}:{account}:resolver-endpoint/{id}"),
            )
        }
        "aws_ram_resource_share" => {
            let arn = format!("arn:aws:ram:{region}:{account}:resource-share/{lower}");
            Identity {
                id: arn.clone(),
                arn,
                name: named("name"),
            }
        }
        "aws_ebs_encryption_by_default" => same(
            region.clone(),
            format!("arn:aws:ec2:{region}:{account}:ebs-encryption-by-default"),
        ),
        _ => {
            let id = known("id").unwrap_or(lower);
            same(
                id,
                format!("arn:aws:terraform:{region}:{account}:{}", r.address),
            )
        }
    }
}

/// A value of a resource: known, given by another resource of the plan, known only after
/// apply and not given by one, or not set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resolved {
    Known(String),
    Unknown,
    Absent,
}

/// A reference as written in the configuration: `aws_vpc.main.id`, `aws_s3_bucket.b[0]`.
#[derive(Debug, PartialEq, Eq)]
struct Reference<'a> {
    resource_type: &'a str,
    name: &'a str,
    /// The instance key as written (`0`, `"a"`), if any.
    index: Option<&'a str>,
    /// The first attribute (`id`, `arn`), if any.
    attribute: Option<&'a str>,
}

fn parse_reference(text: &str) -> Option<Reference<'_>> {
    let (resource_type, rest) = text.split_once('.')?;
    if matches!(
        resource_type,
        "var" | "local" | "module" | "data" | "each" | "count" | "path" | "self" | "terraform"
    ) || !resource_type.contains('_')
    {
        return None;
    }
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let (name, mut rest) = rest.split_at(end);
    let mut index = None;
    if let Some(inner) = rest.strip_prefix('[') {
        let close = if let Some(quoted) = inner.strip_prefix('"') {
            quoted.find('"').map(|q| q + 2)?
        } else {
            inner.find(']')?
        };
        index = Some(&inner[..close]);
        rest = inner[close..].strip_prefix(']')?;
    }
    let attribute = rest.strip_prefix('.').map(|a| {
        let end = a.find(['.', '[']).unwrap_or(a.len());
        &a[..end]
    });
    Some(Reference {
        resource_type,
        name,
        index,
        attribute,
    })
}

/// An instance key as a reference writes it (`0`, `"a"`).
fn index_text(index: Option<&Node>) -> Option<String> {
    match &index?.value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => Some(format!("\"{s}\"")),
        _ => None,
    }
}

/// The plan's resources by type and their identities, for joins and references.
pub(super) struct PlanContext<'p> {
    uri: String,
    by_type: BTreeMap<&'p str, Vec<&'p PlanResource>>,
    identities: HashMap<&'p str, Identity>,
}

impl<'p> PlanContext<'p> {
    fn new(resources: &[&'p PlanResource], uri: &str, target: &Target) -> Self {
        let mut by_type: BTreeMap<&str, Vec<&PlanResource>> = BTreeMap::new();
        let mut identities = HashMap::new();
        for r in resources {
            by_type.entry(r.resource_type.as_str()).or_default().push(r);
            identities.insert(r.address.as_str(), identity(r, uri, target));
        }
        PlanContext {
            uri: uri.to_owned(),
            by_type,
            identities,
        }
    }

    /// A `.tf` file (relative to the root module's directory) as findings name it:
    /// beside the plan file, `.` and `..` resolved.
    fn tf_uri(&self, file: &str) -> String {
        let mut parts: Vec<&str> = match self.uri.rsplit_once('/') {
            Some((dir, _)) => dir.split('/').collect(),
            None => Vec::new(),
        };
        for part in file.split('/') {
            match part {
                "" | "." => {}
                ".." if parts.last().is_some_and(|p| *p != "..") => {
                    parts.pop();
                }
                other => parts.push(other),
            }
        }
        parts.join("/")
    }

    pub(super) fn identity(&self, r: &PlanResource) -> Option<&Identity> {
        self.identities.get(r.address.as_str())
    }

    /// The ARN of the plan's KMS key or alias a value names by id or alias name.
    fn kms_arn(&self, value: String) -> String {
        self.of_type("aws_kms_key")
            .iter()
            .chain(self.of_type("aws_kms_alias"))
            .filter_map(|r| self.identity(r))
            .find(|i| i.id == value || i.name == value)
            .map_or(value, |i| i.arn.clone())
    }

    pub(super) fn of_type(&self, resource_type: &str) -> &[&'p PlanResource] {
        self.by_type.get(resource_type).map_or(&[], Vec::as_slice)
    }

    /// The resource of the plan a reference written in `from`'s module names.
    fn lookup(&self, from: &PlanResource, reference: &Reference<'_>) -> Option<&'p PlanResource> {
        let candidates: Vec<&PlanResource> = self
            .of_type(reference.resource_type)
            .iter()
            .copied()
            .filter(|c| c.name == reference.name && c.module_address == from.module_address)
            .collect();
        match reference.index {
            Some(index) => candidates
                .into_iter()
                .find(|c| index_text(c.index.as_ref()).as_deref() == Some(index)),
            None => match &candidates[..] {
                [only] => Some(only),
                // `aws_s3_bucket.b[count.index]` from a resource with the same key.
                many => {
                    let own = index_text(from.index.as_ref())?;
                    many.iter()
                        .copied()
                        .find(|c| index_text(c.index.as_ref()).as_deref() == Some(&own))
                }
            },
        }
    }

    /// The resources `r`'s configuration expression at `path` refers to, with the
    /// attribute it reads of each.
    fn referenced(
        &self,
        r: &PlanResource,
        path: &[&str],
    ) -> Vec<(&'p PlanResource, Option<String>)> {
        let Some(references) = r
            .config
            .as_ref()
            .and_then(|c| c.expressions.as_ref())
            .and_then(|e| at(e, path))
            .and_then(|e| e.get("references"))
            .and_then(Node::as_sequence)
        else {
            return Vec::new();
        };
        let mut out: Vec<(&PlanResource, Option<String>)> = Vec::new();
        for text in references.iter().filter_map(Node::as_str) {
            let Some(reference) = parse_reference(text) else {
                continue;
            };
            let Some(target) = self.lookup(r, &reference) else {
                continue;
            };
            match out.iter_mut().find(|(t, _)| std::ptr::eq(*t, target)) {
                Some((_, attribute)) => {
                    if attribute.is_none() {
                        *attribute = reference.attribute.map(str::to_owned);
                    }
                }
                None => out.push((target, reference.attribute.map(str::to_owned))),
            }
        }
        out
    }

    /// The value of `r` at `path`: known, or the identity of the resource the configuration
    /// refers to for it.
    pub(super) fn resolve(&self, r: &PlanResource, path: &[&str]) -> Resolved {
        if let Some(text) = at(&r.values, path)
            .and_then(Node::scalar_text)
            .filter(|s| !s.is_empty())
        {
            return Resolved::Known(text.to_owned());
        }
        if let Some((target, attribute)) = self.referenced(r, path).into_iter().next() {
            if let Some(identity) = self.identity(target) {
                return Resolved::Known(attribute_of(identity, attribute.as_deref()));
            }
        }
        if unknown_at(r, path) {
            Resolved::Unknown
        } else {
            Resolved::Absent
        }
    }

    /// The strings of a list attribute: known items, or the identities the configuration
    /// refers to; `true` when some are known only after apply and not given by references.
    pub(super) fn resolve_list(&self, r: &PlanResource, key: &str) -> (Vec<String>, bool) {
        let mut items: Vec<String> = r
            .values
            .get(key)
            .and_then(Node::as_sequence)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::scalar_text)
            .map(str::to_owned)
            .collect();
        if unknown_at(r, &[key]) {
            let referenced = self.referenced(r, &[key]);
            if referenced.is_empty() {
                return (items, true);
            }
            for (target, attribute) in referenced {
                if let Some(identity) = self.identity(target) {
                    items.push(attribute_of(identity, attribute.as_deref()));
                }
            }
        }
        items.sort();
        items.dedup();
        (items, false)
    }

    /// Resources of `resource_type` whose `key` names `owner`: by the same value (its id,
    /// name or ARN), or by a configuration reference to it.
    pub(super) fn attached(
        &self,
        resource_type: &str,
        key: &str,
        owner: &PlanResource,
    ) -> Vec<&'p PlanResource> {
        let Some(identity) = self.identity(owner) else {
            return Vec::new();
        };
        self.of_type(resource_type)
            .iter()
            .copied()
            .filter(|r| {
                let by_value = str_at(&r.values, key).is_some_and(|v| {
                    !v.is_empty() && (v == identity.id || v == identity.arn || v == identity.name)
                });
                by_value
                    || self
                        .referenced(r, &[key])
                        .iter()
                        .any(|(t, _)| std::ptr::eq(*t, owner))
            })
            .collect()
    }

    /// Resources of `resource_type` with `owner` in their list `key` (`roles`, `users`).
    pub(super) fn attached_in_list(
        &self,
        resource_type: &str,
        key: &str,
        owner: &PlanResource,
    ) -> Vec<&'p PlanResource> {
        let Some(identity) = self.identity(owner) else {
            return Vec::new();
        };
        self.of_type(resource_type)
            .iter()
            .copied()
            .filter(|r| {
                self.resolve_list(r, key)
                    .0
                    .iter()
                    .any(|v| *v == identity.id || *v == identity.name || *v == identity.arn)
            })
            .collect()
    }
}

/// What an attribute reference gives of a resource's identity.
fn attribute_of(identity: &Identity, attribute: Option<&str>) -> String {
    match attribute {
        Some("arn") => identity.arn.clone(),
        Some("name" | "bucket" | "identifier" | "cluster_identifier") => identity.name.clone(),
        _ => identity.id.clone(),
    }
}

/// The node at a path of mapping keys and sequence indexes.
fn at<'n>(node: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(node, |node, key| match &node.value {
        Value::Sequence(items) => items.get(key.parse::<usize>().ok()?),
        _ => node.get(key),
    })
}

/// Whether `r`'s value at `path` is known only after apply *and* the configuration sets
/// it. An attribute the configuration leaves out is computed by the provider (a volume's
/// `kms_key_id` is then the account's default key, a group's `egress` the rules of other
/// resources): what the code decides is its absence. Without the configuration section,
/// every unknown value counts.
fn unknown_at(r: &PlanResource, path: &[&str]) -> bool {
    let unknown = r
        .after_unknown
        .as_ref()
        .and_then(|u| at(u, path))
        .is_some_and(|n| !matches!(n.value, Value::Bool(false) | Value::Null));
    let configured = match r.config.as_ref().and_then(|c| c.expressions.as_ref()) {
        Some(expressions) => at(expressions, path).is_some(),
        None => true,
    };
    unknown && configured
}

pub(super) fn str_at<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::scalar_text)
}

pub(super) fn bool_at(node: &Node, key: &str) -> Option<bool> {
    match node.get(key).map(|n| &n.value) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

pub(super) fn number_at(node: &Node, key: &str) -> Option<i64> {
    str_at(node, key)
        .and_then(|s| s.parse::<f64>().ok())
        .map(|f| f as i64)
}

/// The first element of a nested block list (`rule[0]`), as Terraform's JSON writes blocks.
pub(super) fn block<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match node.get(key).map(|n| &n.value) {
        Some(Value::Sequence(items)) => items.first(),
        Some(Value::Mapping(_)) => node.get(key),
        _ => None,
    }
}

/// Every element of a nested block list.
pub(super) fn blocks<'n>(node: &'n Node, key: &str) -> &'n [Node] {
    node.get(key).and_then(Node::as_sequence).unwrap_or(&[])
}

/// A policy document written as JSON text (`jsonencode(…)`, a heredoc).
pub(super) fn policy_document(text: &str) -> Option<PolicyDocument> {
    serde_json::from_str(text).ok().map(PolicyDocument::new)
}

/// One resource being mapped.
pub(super) struct Mapped<'a, 's, 'p> {
    pub(super) sink: &'a mut Sink<'s>,
    pub(super) uri: &'a str,
    pub(super) target: &'a Target,
    pub(super) r: &'p PlanResource,
    pub(super) id: &'a Identity,
    pub(super) ctx: &'a PlanContext<'p>,
}

impl<'p> Mapped<'_, '_, 'p> {
    pub(super) fn source(&self) -> Source {
        match self.r.config.as_ref().and_then(|c| c.location.as_ref()) {
            Some(l) => Source::File {
                uri: self.ctx.tf_uri(&l.file),
                line: l.line,
                column: l.column,
            },
            None => Source::File {
                uri: self.uri.to_owned(),
                line: self.r.span.start.line,
                column: self.r.span.start.column,
            },
        }
    }

    pub(super) fn values(&self) -> &'p Node {
        &self.r.values
    }

    pub(super) fn region(&self) -> String {
        self.target.region.clone()
    }

    pub(super) fn account(&self) -> String {
        self.target.account_id.clone()
    }

    /// Whether `key` of `r` is known only after apply.
    pub(super) fn after_unknown(r: &PlanResource, key: &str) -> bool {
        unknown_at(r, &[key])
    }

    /// Records that `what` of `r` (this resource or one configuring it) is known only
    /// after apply, as a gap on this resource.
    pub(super) fn gap(&mut self, region: &str, operation: Operation, what: &str, r: &PlanResource) {
        let arn = self.id.arn.clone();
        self.sink.unknown(
            self.target,
            region,
            &arn,
            operation,
            format!("`{}` of `{}` is known only after apply", what, r.address),
        );
    }

    /// A string this resource's `key` gives: known, or the identity of the resource it
    /// refers to; a gap for `operation` when only apply decides it.
    pub(super) fn reference(&mut self, key: &str, region: &str, op: Operation) -> Option<String> {
        self.reference_of(self.r, key, region, op)
    }

    /// [`Mapped::reference`] of another resource (one configuring this one).
    pub(super) fn reference_of(
        &mut self,
        r: &PlanResource,
        key: &str,
        region: &str,
        op: Operation,
    ) -> Option<String> {
        match self.ctx.resolve(r, &[key]) {
            // A key of the plan named by its id or alias is its ARN (what facts index).
            Resolved::Known(v) if key.contains("kms") => Some(self.ctx.kms_arn(v)),
            Resolved::Known(v) => Some(v),
            Resolved::Unknown => {
                self.gap(region, op, key, r);
                None
            }
            Resolved::Absent => None,
        }
    }

    /// A string this resource's `key` gives (known or referred to), else `""`.
    pub(super) fn text(&self, key: &str) -> String {
        match self.ctx.resolve(self.r, &[key]) {
            Resolved::Known(v) => v,
            _ => String::new(),
        }
    }

    /// A boolean this resource sets, its default when absent; a gap when only apply
    /// decides it (then the default too).
    pub(super) fn flag(&mut self, key: &str, default: bool, region: &str, op: Operation) -> bool {
        match bool_at(self.values(), key) {
            Some(b) => b,
            None => {
                if Self::after_unknown(self.r, key) {
                    self.gap(region, op, key, self.r);
                }
                default
            }
        }
    }

    pub(super) fn tags(&self) -> Tags {
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

    /// Maps the resource; its ARN when it is a resource of the model.
    fn map(&mut self) -> Option<String> {
        let t = self.r.resource_type.as_str();
        let mapped = data::map(self, t)
            || iam::map(self, t)
            || network::map(self, t)
            || services::map(self, t);
        mapped.then(|| self.id.arn.clone())
    }
}

#[cfg(test)]
#[path = "tests_terraform.rs"]
mod tests;
