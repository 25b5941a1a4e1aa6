//! Cedar entities built straight from the model, one account at a time (never one store for
//! the whole organization, never through Cedar's JSON format: both are too slow at scale).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{Entities, Entity, EntityId, EntityTypeName, EntityUid, RestrictedExpression};

use super::value::{Uid, Value};

use crate::facts::iam::{ActionSelector, PermissionsAnalysis};
use crate::facts::{Classification, Facts};
use crate::model::{
    Account, AccountStatus, KmsKey, ResourceRef, ResourceType, Snapshot, Tags, TypedResource,
};

/// An entity's attributes, as read from the model: the one mapping both backends share.
pub(super) type Attrs<'s> = Vec<(&'static str, Value<'s>)>;

/// The attributes of roles and users computed from their effective permissions: built only
/// when an active policy reads one of them (each costs IAM evaluations).
pub(crate) const EFFECTIVE_ATTRIBUTES: [&str; 3] = [
    "effective_actions",
    "effective_services",
    "effective_access_levels",
];

/// Parsed entity type names, made once per evaluation.
pub(super) struct TypeNames {
    by_type: HashMap<ResourceType, EntityTypeName>,
    root: EntityTypeName,
    ou: EntityTypeName,
}

impl TypeNames {
    pub(super) fn new() -> Result<TypeNames, String> {
        let parse = |s: &str| EntityTypeName::from_str(s).map_err(|e| e.to_string());
        let mut by_type = HashMap::new();
        for ty in ResourceType::ALL {
            by_type.insert(ty, parse(ty.cedar_type())?);
        }
        Ok(TypeNames {
            by_type,
            root: parse("Org::Root")?,
            ou: parse("Org::OU")?,
        })
    }

    pub(super) fn uid(&self, ty: ResourceType, id: &str) -> Option<EntityUid> {
        let name = self.by_type.get(&ty)?.clone();
        Some(EntityUid::from_type_name_and_id(name, EntityId::new(id)))
    }

    fn root_uid(&self, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(self.root.clone(), EntityId::new(id))
    }

    fn ou_uid(&self, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(self.ou.clone(), EntityId::new(id))
    }
}

/// KMS keys of the whole snapshot by every name a reference may use: key ARN, and alias ARN.
pub(super) struct KeyIndex<'s> {
    by_arn: HashMap<String, &'s KmsKey>,
}

impl<'s> KeyIndex<'s> {
    pub(super) fn new(snapshot: &'s Snapshot) -> KeyIndex<'s> {
        let mut by_arn = HashMap::new();
        for key in snapshot.accounts.iter().flat_map(|a| &a.kms_keys) {
            by_arn.insert(key.arn.clone(), key);
            for alias in &key.aliases {
                by_arn.insert(
                    format!("arn:aws:kms:{}:{}:{alias}", key.region, key.account_id),
                    key,
                );
            }
        }
        KeyIndex { by_arn }
    }

    /// The key whose entity id (its key ARN) is `arn`.
    pub(super) fn key(&self, arn: &str) -> Option<&'s KmsKey> {
        self.by_arn.get(arn).copied().filter(|k| k.arn == arn)
    }

    /// Resolves a reference as S3, EBS or RDS report it: a key ARN, an alias ARN, a key id
    /// or `alias/NAME` (the last two relative to the referring resource's account and region).
    pub(super) fn resolve(
        &self,
        reference: &str,
        account_id: &str,
        region: &str,
    ) -> Option<&'s KmsKey> {
        if reference.starts_with("arn:") {
            return self.by_arn.get(reference).copied();
        }
        let arn = if reference.starts_with("alias/") {
            format!("arn:aws:kms:{region}:{account_id}:{reference}")
        } else {
            format!("arn:aws:kms:{region}:{account_id}:key/{reference}")
        };
        self.by_arn.get(&arn).copied()
    }
}

/// One account's entity store and the resources to evaluate in it.
pub(super) struct AccountEntities<'s> {
    pub entities: Entities,
    pub items: Vec<(ResourceRef<'s>, EntityUid)>,
}

/// Builds the entities of one account: the root, the OUs above the account, the account,
/// its resources of the `wanted` types, and KMS keys they reference in other accounts.
pub(super) fn build_account<'s>(
    names: &TypeNames,
    keys: &KeyIndex<'s>,
    snapshot: &'s Snapshot,
    facts: &'s Facts,
    account: &'s Account,
    wanted: &HashSet<ResourceType>,
    with_effective_permissions: bool,
) -> Result<AccountEntities<'s>, String> {
    let org = &snapshot.organization;
    let mut entities: Vec<Entity> = Vec::new();
    let new_entity = |uid: EntityUid, attrs: Attrs<'_>, parents: Vec<EntityUid>, tags: &Tags| {
        Entity::new_with_tags(
            uid,
            attrs
                .iter()
                .filter_map(|(name, value)| Some(((*name).to_owned(), restricted(value)?))),
            parents,
            tags.iter()
                .map(|(k, v)| (k.clone(), RestrictedExpression::new_string(v.clone()))),
        )
        .map_err(|e| e.to_string())
    };

    // The path from the root down to the account's parent.
    let account_facts = facts.account(&account.id);
    let ou_ids: &[String] = account_facts.map_or(&[], |f| f.ou_ids.as_slice());
    entities.push(new_entity(
        names.root_uid(&org.root.id),
        vec![str_attr("name", &org.root.name)],
        Vec::new(),
        &org.root.tags,
    )?);
    let mut path = String::new();
    for ou_id in ou_ids {
        let Some(ou) = org.ou(ou_id) else { continue };
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&ou.name);
        let parent = if ou.parent_id == org.root.id {
            names.root_uid(&org.root.id)
        } else {
            names.ou_uid(&ou.parent_id)
        };
        entities.push(new_entity(
            names.ou_uid(&ou.id),
            vec![str_attr("name", &ou.name), str_attr("path", &path)],
            vec![parent],
            &ou.tags,
        )?);
    }
    let account_parent = if account.parent_id == org.root.id {
        names.root_uid(&org.root.id)
    } else {
        names.ou_uid(&account.parent_id)
    };
    let account_uid = names
        .uid(ResourceType::Account, &account.arn)
        .ok_or("no entity type for accounts")?;

    let mut items = Vec::new();
    let mut foreign_keys: Vec<&KmsKey> = Vec::new();
    let local_keys: HashSet<&str> = account.kms_keys.iter().map(|k| k.arn.as_str()).collect();
    let mut key_ref = |reference: &'s str, r: &ResourceRef<'s>| -> Value<'s> {
        match keys.resolve(reference, r.account_id, r.region) {
            Some(key) => {
                if !local_keys.contains(key.arn.as_str())
                    && !foreign_keys.iter().any(|k| k.arn == key.arn)
                {
                    foreign_keys.push(key);
                }
                key_value(&key.arn)
            }
            None => key_value(reference),
        }
    };

    let is_management = account.id == org.management_account_id;
    // One analysis for the account's roles and users: the snapshot's resource policies are
    // read once. Without the action catalog the attributes are left out.
    let analysis = with_effective_permissions
        .then(rampart_iam::catalog::ActionCatalog::get)
        .and_then(Result::ok)
        .map(|catalog| PermissionsAnalysis::new(snapshot, facts, catalog, ActionSelector::All));
    for typed in account.typed_resources() {
        let r = typed.view();
        let is_account = r.resource_type == ResourceType::Account;
        // The account and KMS keys are always built: other entities refer to them.
        if !is_account
            && !wanted.contains(&r.resource_type)
            && r.resource_type != ResourceType::KmsKey
        {
            continue;
        }
        let mut attrs = common_attrs(facts, r, facts.classification(r.account_id, r.tags));
        let ou_path = account_facts.map_or("", |f| f.ou_path.as_str());
        specific_attrs(
            typed,
            account,
            ou_path,
            is_management,
            &mut attrs,
            &mut key_ref,
        );
        if let Some(analysis) = &analysis {
            attrs.extend(effective_attrs(analysis, snapshot, facts, account, typed));
        }
        let uid = names
            .uid(r.resource_type, r.arn)
            .ok_or("no entity type for resource")?;
        let parents = if is_account {
            vec![account_parent.clone()]
        } else {
            vec![account_uid.clone()]
        };
        entities.push(new_entity(uid.clone(), attrs, parents, r.tags)?);
        if wanted.contains(&r.resource_type) {
            items.push((r, uid));
        }
    }
    for key in foreign_keys {
        let r = ResourceRef::of(key);
        let mut attrs = common_attrs(facts, r, facts.classification(r.account_id, r.tags));
        kms_attrs(key, &mut attrs);
        let uid = names
            .uid(ResourceType::KmsKey, &key.arn)
            .ok_or("no entity type for keys")?;
        entities.push(new_entity(uid, attrs, Vec::new(), &key.tags)?);
    }
    let entities = Entities::from_entities(entities, None).map_err(|e| e.to_string())?;
    Ok(AccountEntities { entities, items })
}

/// The Cedar value of an attribute; `None` for a record Cedar refuses.
pub(super) fn restricted(value: &Value<'_>) -> Option<RestrictedExpression> {
    Some(match value {
        Value::Bool(b) => RestrictedExpression::new_bool(*b),
        Value::Long(n) => RestrictedExpression::new_long(*n),
        Value::String(s) => RestrictedExpression::new_string(s.to_string()),
        Value::Entity(uid) => {
            let ty = EntityTypeName::from_str(&uid.ty).ok()?;
            RestrictedExpression::new_entity_uid(EntityUid::from_type_name_and_id(
                ty,
                EntityId::new(uid.id.as_ref()),
            ))
        }
        Value::Set(items) => {
            RestrictedExpression::new_set(items.iter().filter_map(|v| restricted(v)))
        }
        Value::Record(fields) => RestrictedExpression::new_record(
            fields
                .iter()
                .filter_map(|(k, v)| Some((k.to_string(), restricted(v)?))),
        )
        .ok()?,
    })
}

/// A reference to the KMS key entity with this id (a key ARN, or a reference the snapshot
/// does not resolve: reading that entity's attributes then fails, and the finding is
/// unknown).
pub(super) fn key_value(id: &str) -> Value<'_> {
    Value::Entity(Uid::new(ResourceType::KmsKey.cedar_type(), id))
}

fn str_attr<'s>(name: &'static str, value: impl Into<Cow<'s, str>>) -> (&'static str, Value<'s>) {
    (name, Value::String(value.into()))
}

fn bool_attr<'s>(name: &'static str, value: bool) -> (&'static str, Value<'s>) {
    (name, Value::Bool(value))
}

fn long_attr<'s>(name: &'static str, value: i64) -> (&'static str, Value<'s>) {
    (name, Value::Long(value))
}

fn record_attr<'s>(
    name: &'static str,
    fields: Vec<(&'static str, Value<'s>)>,
) -> Option<(&'static str, Value<'s>)> {
    Some((
        name,
        Value::record(
            fields
                .into_iter()
                .map(|(k, v)| (Cow::Borrowed(k), v))
                .collect(),
        ),
    ))
}

fn set_attr<'s>(
    name: &'static str,
    values: impl IntoIterator<Item = &'s String>,
) -> (&'static str, Value<'s>) {
    (
        name,
        Value::string_set(values.into_iter().map(String::as_str)),
    )
}

/// Attributes every resource has (`c` is its classification); `environment` is left out
/// when it is not known.
pub(super) fn common_attrs<'s>(
    facts: &'s Facts,
    r: ResourceRef<'s>,
    c: Classification,
) -> Attrs<'s> {
    let sensitive = facts.is_sensitive(&c.level);
    let mut attrs = vec![
        str_attr("arn", r.arn),
        str_attr("account_id", r.account_id),
        str_attr("region", r.region),
        bool_attr("sensitive", sensitive),
        str_attr("classification", c.level),
        str_attr("classification_source", c.source.as_str()),
        bool_attr("classification_tag_invalid", c.invalid_tag.is_some()),
    ];
    if let Some(env) = facts.environment(r.account_id) {
        attrs.push(str_attr("environment", env));
    }
    attrs
}

pub(super) fn kms_attrs<'s>(k: &'s KmsKey, attrs: &mut Attrs<'s>) {
    attrs.extend([
        str_attr("key_manager", &k.key_manager),
        str_attr("key_state", &k.key_state),
        str_attr("key_spec", &k.key_spec),
        str_attr("key_usage", &k.key_usage),
        bool_attr("multi_region", k.multi_region),
        set_attr("aliases", &k.aliases),
    ]);
    if let Some(rotation) = k.rotation_enabled {
        attrs.push(bool_attr("rotation_enabled", rotation));
    }
}

/// Type-specific attributes; `key_ref` turns a KMS key reference into its entity.
pub(super) fn specific_attrs<'s>(
    typed: TypedResource<'s>,
    account: &'s Account,
    ou_path: &'s str,
    is_management: bool,
    attrs: &mut Attrs<'s>,
    key_ref: &mut impl FnMut(&'s str, &ResourceRef<'s>) -> Value<'s>,
) {
    let r = typed.view();
    match typed {
        TypedResource::Account(_) => {
            attrs.extend([
                str_attr("name", &account.name),
                str_attr("status", status_name(account.status)),
                bool_attr("is_management", is_management),
                str_attr("ou_path", ou_path),
            ]);
        }
        TypedResource::KmsKey(k) => kms_attrs(k, attrs),
        TypedResource::S3Bucket(b) => {
            attrs.extend([
                str_attr("name", &b.name),
                bool_attr("has_policy", b.policy.is_some()),
                bool_attr("versioning", b.versioning),
            ]);
            if let Some(e) = &b.encryption {
                let mut fields = vec![
                    str_attr("algorithm", &e.sse_algorithm),
                    bool_attr("bucket_key_enabled", e.bucket_key_enabled),
                ];
                if let Some(arn) = &e.kms_key_arn {
                    fields.push(str_attr("kms_key_arn", arn));
                    // A key the snapshot does not hold is referenced anyway: reading its
                    // attributes then fails, and the finding is unknown.
                    fields.push(("kms_key", key_ref(arn, &r)));
                }
                attrs.extend(record_attr("encryption", fields));
            }
            if let Some(p) = &b.public_access_block {
                attrs.extend(record_attr(
                    "public_access_block",
                    vec![
                        bool_attr("block_public_acls", p.block_public_acls),
                        bool_attr("ignore_public_acls", p.ignore_public_acls),
                        bool_attr("block_public_policy", p.block_public_policy),
                        bool_attr("restrict_public_buckets", p.restrict_public_buckets),
                    ],
                ));
            }
            if let Some(blocked) =
                public_access_blocked(b.public_access_block.as_ref(), &account.storage)
            {
                attrs.push(bool_attr("public_access_blocked", blocked));
            }
        }
        TypedResource::EbsEncryptionDefault(d) => attrs.push(bool_attr("enabled", d.enabled)),
        TypedResource::EbsVolume(v) => {
            attrs.extend([
                bool_attr("encrypted", v.encrypted),
                long_attr("size_gib", i64::from(v.size_gib)),
            ]);
            attrs.extend(kms_key_attr(v.kms_key_arn.as_ref(), &r, key_ref));
        }
        TypedResource::RdsDbInstance(d) => {
            attrs.extend([
                str_attr("engine", &d.engine),
                bool_attr("storage_encrypted", d.storage_encrypted),
                bool_attr("publicly_accessible", d.publicly_accessible),
            ]);
            attrs.extend(kms_key_attr(d.kms_key_arn.as_ref(), &r, key_ref));
        }
        TypedResource::RdsDbCluster(c) => {
            attrs.extend([
                str_attr("engine", &c.engine),
                bool_attr("storage_encrypted", c.storage_encrypted),
                long_attr("member_count", count(c.members.len())),
            ]);
            attrs.extend(kms_key_attr(c.kms_key_arn.as_ref(), &r, key_ref));
        }
        TypedResource::AcmCertificate(c) => {
            attrs.extend([
                str_attr("domain_name", &c.domain_name),
                str_attr("certificate_type", &c.certificate_type),
                str_attr("status", &c.status),
                str_attr("key_algorithm", &c.key_algorithm),
                bool_attr("in_use", !c.in_use_by.is_empty()),
            ]);
            if let Some(t) = c.not_after {
                attrs.push(long_attr("not_after", t.timestamp()));
            }
        }
        TypedResource::IamRole(role) => attrs.extend([
            str_attr("name", &role.name),
            str_attr("path", &role.path),
            bool_attr("service_linked", role.service_linked),
        ]),
        TypedResource::IamUser(u) => {
            let active = u
                .access_keys
                .iter()
                .filter(|k| k.status == "Active")
                .count();
            attrs.extend([
                str_attr("name", &u.name),
                bool_attr("console_access", u.console_access),
                bool_attr("mfa_enabled", u.mfa_enabled),
                long_attr(
                    "active_access_keys",
                    i64::try_from(active).unwrap_or(i64::MAX),
                ),
            ]);
        }
        TypedResource::Vpc(v) => {
            let flow_logs = account
                .network
                .flow_logs
                .iter()
                .any(|f| f.resource_id == v.vpc_id);
            attrs.extend([
                str_attr("vpc_id", &v.vpc_id),
                bool_attr("is_default", v.is_default),
                set_attr("cidr_blocks", &v.cidr_blocks),
                bool_attr("flow_logs_enabled", flow_logs),
            ]);
        }
        TypedResource::Subnet(sn) => attrs.extend([
            str_attr("vpc_id", &sn.vpc_id),
            str_attr("cidr_block", &sn.cidr_block),
            bool_attr("map_public_ip_on_launch", sn.map_public_ip_on_launch),
        ]),
        TypedResource::SecurityGroup(g) => {
            let open = g
                .ingress
                .iter()
                .filter(|rule| rule.source == "0.0.0.0/0" || rule.source == "::/0")
                .map(|rule| {
                    Value::Long(if rule.protocol == "-1" {
                        -1
                    } else {
                        i64::from(rule.from_port)
                    })
                });
            attrs.extend([
                str_attr("name", &g.name),
                str_attr("vpc_id", &g.vpc_id),
                ("world_open_ports", Value::Set(open.collect())),
                long_attr("ingress_rule_count", count(g.ingress.len())),
            ]);
            if let Some(egress) = &g.egress {
                attrs.push(long_attr("egress_rule_count", count(egress.len())));
            }
        }
        TypedResource::CloudTrailTrail(t) => attrs.extend([
            str_attr("name", &t.name),
            bool_attr("is_multi_region", t.is_multi_region),
            bool_attr("is_organization_trail", t.is_organization_trail),
            bool_attr("is_logging", t.is_logging),
            bool_attr("log_file_validation", t.log_file_validation),
            bool_attr("encrypted", t.kms_key_arn.is_some()),
        ]),
        TypedResource::ConfigRecorder(c) => attrs.extend([
            str_attr("name", &c.name),
            bool_attr("recording", c.recording),
            bool_attr("all_supported", c.all_supported),
        ]),
        TypedResource::RouteTable(t) => {
            let targets = Value::string_set(t.routes.iter().map(|r| r.target.as_str()));
            let default_targets = Value::string_set(
                t.routes
                    .iter()
                    .filter(|r| r.destination == "0.0.0.0/0" || r.destination == "::/0")
                    .map(|r| r.target.as_str()),
            );
            attrs.extend([
                str_attr("route_table_id", &t.route_table_id),
                str_attr("vpc_id", &t.vpc_id),
                bool_attr("main", t.main),
                ("route_targets", targets),
                ("default_route_targets", default_targets),
            ]);
        }
        TypedResource::InternetGateway(g) => attrs.extend([
            str_attr("internet_gateway_id", &g.internet_gateway_id),
            set_attr("attached_vpc_ids", &g.attached_vpc_ids),
        ]),
        TypedResource::NatGateway(g) => attrs.extend([
            str_attr("nat_gateway_id", &g.nat_gateway_id),
            str_attr("vpc_id", &g.vpc_id),
            str_attr("connectivity_type", &g.connectivity_type),
            str_attr("state", &g.state),
        ]),
        TypedResource::TransitGateway(g) => attrs.extend([
            str_attr("transit_gateway_id", &g.transit_gateway_id),
            str_attr("owner_id", &g.owner_id),
            str_attr("state", &g.state),
            bool_attr(
                "auto_accept_shared_attachments",
                g.auto_accept_shared_attachments,
            ),
        ]),
        TypedResource::TransitGatewayAttachment(a) => attrs.extend([
            str_attr("attachment_id", &a.attachment_id),
            str_attr("transit_gateway_id", &a.transit_gateway_id),
            str_attr("attachment_type", &a.resource_type),
            str_attr("resource_id", &a.resource_id),
            str_attr("resource_owner_id", &a.resource_owner_id),
            str_attr("state", &a.state),
        ]),
        TypedResource::VpnConnection(v) => attrs.extend([
            str_attr("vpn_connection_id", &v.vpn_connection_id),
            str_attr("state", &v.state),
            bool_attr("static_routes_only", v.static_routes_only),
            bool_attr("via_transit_gateway", v.transit_gateway_id.is_some()),
        ]),
        TypedResource::NetworkAcl(a) => attrs.extend([
            str_attr("network_acl_id", &a.network_acl_id),
            str_attr("vpc_id", &a.vpc_id),
            bool_attr("is_default", a.is_default),
        ]),
        TypedResource::VpcEndpoint(e) => attrs.extend([
            str_attr("vpc_endpoint_id", &e.vpc_endpoint_id),
            str_attr("vpc_id", &e.vpc_id),
            str_attr("service_name", &e.service_name),
            str_attr("endpoint_type", &e.endpoint_type),
            str_attr("state", &e.state),
            bool_attr("has_policy", e.policy.is_some()),
        ]),
        TypedResource::HostedZone(z) => attrs.extend([
            str_attr("zone_id", &z.zone_id),
            str_attr("name", &z.name),
            bool_attr("private", z.private),
            long_attr("record_count", z.record_count),
        ]),
        TypedResource::ResolverRule(r) => attrs.extend([
            str_attr("rule_id", &r.rule_id),
            str_attr("domain_name", &r.domain_name),
            str_attr("rule_type", &r.rule_type),
            str_attr("owner_id", &r.owner_id),
            str_attr("share_status", &r.share_status),
            set_attr("target_ips", &r.target_ips),
        ]),
        TypedResource::LoadBalancerListener(l) => {
            attrs.extend([
                str_attr("load_balancer_arn", &l.load_balancer_arn),
                str_attr("load_balancer_name", &l.load_balancer_name),
                str_attr("load_balancer_type", &l.load_balancer_type),
                str_attr("scheme", &l.scheme),
                bool_attr("internet_facing", l.scheme == "internet-facing"),
                long_attr("port", i64::from(l.port)),
                str_attr("protocol", &l.protocol),
                bool_attr("redirects_to_https", l.redirects_to_https),
            ]);
            if let Some(policy) = &l.ssl_policy {
                attrs.push(str_attr("ssl_policy", policy));
            }
        }
        TypedResource::TransitGatewayRouteTable(t) => attrs.extend([
            str_attr("route_table_id", &t.route_table_id),
            str_attr("transit_gateway_id", &t.transit_gateway_id),
        ]),
        TypedResource::DirectConnectConnection(c) => attrs.extend([
            str_attr("connection_id", &c.connection_id),
            str_attr("name", &c.name),
            str_attr("state", &c.state),
            str_attr("location", &c.location),
        ]),
        TypedResource::SecurityService(s) => attrs.extend([
            str_attr("service", s.service.prefix()),
            bool_attr("enabled", s.enabled),
            bool_attr("organization_wide", s.organization_wide),
        ]),
        TypedResource::ResourceShare(s) => attrs.extend([
            str_attr("name", &s.name),
            str_attr("status", &s.status),
            bool_attr("allow_external_principals", s.allow_external_principals),
        ]),
    }
}

/// Whether all four Block Public Access settings are on for a bucket, each either on the
/// bucket or for its account (S3 applies the stricter of the two). Absent when the answer
/// depends on a setting that was not read.
fn public_access_blocked(
    bucket: Option<&rampart_model::PublicAccessBlock>,
    storage: &rampart_model::Storage,
) -> Option<bool> {
    if bucket.is_some_and(rampart_model::PublicAccessBlock::all) {
        return Some(true);
    }
    let account = storage.account_public_access_block.as_ref()?;
    let bucket = bucket?;
    Some(
        (bucket.block_public_acls || account.block_public_acls)
            && (bucket.ignore_public_acls || account.ignore_public_acls)
            && (bucket.block_public_policy || account.block_public_policy)
            && (bucket.restrict_public_buckets || account.restrict_public_buckets),
    )
}

/// `kms_key`, a reference to the store's key (one the snapshot does not hold too: reading
/// its attributes then fails, and the finding is unknown).
fn kms_key_attr<'s>(
    arn: Option<&'s String>,
    r: &ResourceRef<'s>,
    key_ref: &mut impl FnMut(&'s str, &ResourceRef<'s>) -> Value<'s>,
) -> Option<(&'static str, Value<'s>)> {
    Some(("kms_key", key_ref(arn?, r)))
}

/// A count as a Cedar `Long`.
fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `effective_actions`, `effective_services` and `effective_access_levels` of a role or
/// user (`facts::iam`). Left out when they cannot be computed, so that a policy reading
/// them is `unknown`; computed only when an active policy reads them (they are costly).
pub(super) fn effective_attrs<'s>(
    analysis: &PermissionsAnalysis<'_, '_, '_>,
    snapshot: &Snapshot,
    facts: &Facts,
    account: &Account,
    typed: TypedResource<'_>,
) -> Attrs<'s> {
    use crate::facts::iam::{role_policies, user_policies};
    let policies = match typed {
        TypedResource::IamRole(r) => role_policies(snapshot, facts, account, r),
        TypedResource::IamUser(u) => user_policies(snapshot, facts, account, u),
        _ => return Vec::new(),
    };
    let Ok(effective) = policies.and_then(|p| analysis.of(&p)) else {
        return Vec::new();
    };
    let actions: std::collections::BTreeSet<String> =
        effective.grants.iter().map(|g| g.action.clone()).collect();
    let services: std::collections::BTreeSet<String> = actions
        .iter()
        .filter_map(|a| a.split(':').next().map(str::to_owned))
        .collect();
    let levels: std::collections::BTreeSet<String> = effective
        .grants
        .iter()
        .map(|g| g.access_level.as_str().to_owned())
        .collect();
    vec![
        (EFFECTIVE_ATTRIBUTES[0], Value::string_set(actions)),
        (EFFECTIVE_ATTRIBUTES[1], Value::string_set(services)),
        (EFFECTIVE_ATTRIBUTES[2], Value::string_set(levels)),
    ]
}

pub(super) fn status_name(s: AccountStatus) -> &'static str {
    match s {
        AccountStatus::Active => "ACTIVE",
        AccountStatus::Suspended => "SUSPENDED",
        AccountStatus::PendingClosure => "PENDING_CLOSURE",
    }
}
