//! Terraform plans into the model: the types, the joins by value and by reference (in
//! modules, by instance key), values known only after apply, `.tf` locations and skips.

use serde_json::{json, Value as Json};

use super::super::{build, Context, IacFile, IacModel, DEFAULT_ACCOUNT};
use crate::model::{Account, Operation, Source};
use crate::ruleset::Ruleset;
use rampart_iac::terraform::TfFile;

/// A planned resource: (address, values, after_unknown, expressions).
type Planned<'a> = (&'a str, Json, Json, Json);

/// A plan of `resources` (root module, and `module.m` when an address starts with it,
/// whose source is `./m`), located in `tf` files.
fn plan(resources: &[Planned<'_>], tf: &[(&str, &str)]) -> IacModel {
    let mut root = Vec::new();
    let mut child = Vec::new();
    let mut changes = Vec::new();
    let mut config_root = Vec::new();
    let mut config_child = Vec::new();
    for (address, values, unknown, expressions) in resources {
        let (module, local) = match address.strip_prefix("module.m.") {
            Some(local) => (Some("module.m"), local),
            None => (None, *address),
        };
        let base = local.split('[').next().unwrap_or(local);
        let (resource_type, name) = base.split_once('.').unwrap();
        let mut r = json!({"address": address, "mode": "managed", "type": resource_type,
            "name": name, "provider_name": "registry.terraform.io/hashicorp/aws", "values": values});
        if let Some(index) = local.split_once('[').map(|(_, i)| i.trim_end_matches(']')) {
            r["index"] = serde_json::from_str(index).unwrap();
        }
        let mut change = r.clone();
        change["change"] =
            json!({"actions": ["create"], "after": values, "after_unknown": unknown});
        if let Some(m) = module {
            change["module_address"] = json!(m);
        }
        changes.push(change);
        let config = json!({"address": base, "mode": "managed", "type": resource_type,
            "name": name, "expressions": expressions});
        match module {
            Some(_) => {
                child.push(r);
                if !config_child.contains(&config) {
                    config_child.push(config);
                }
            }
            None => {
                root.push(r);
                if !config_root.contains(&config) {
                    config_root.push(config);
                }
            }
        }
    }
    let document = json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": root,
            "child_modules": [{"address": "module.m", "resources": child}]}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": config_root,
            "module_calls": {"m": {"source": "./m", "module": {"resources": config_child}}}}}
    });
    let text = serde_json::to_string_pretty(&document).unwrap();
    let Some(rampart_iac::Document::TerraformPlan(mut parsed)) =
        rampart_iac::parse_document("tf/plan.json".as_ref(), text.as_bytes()).unwrap()
    else {
        panic!("not a plan")
    };
    let files: Vec<TfFile> = tf
        .iter()
        .map(|(path, text)| TfFile {
            path: (*path).to_owned(),
            text: (*text).to_owned(),
        })
        .collect();
    parsed.locate_blocks(&files).unwrap();
    let ruleset = Ruleset::bundled().unwrap();
    build(
        &[IacFile {
            uri: "tf/plan.json".to_owned(),
            document: rampart_iac::Document::TerraformPlan(parsed),
        }],
        &Context::none(),
        &ruleset.parameters,
        chrono::DateTime::UNIX_EPOCH,
    )
}

fn account(model: &IacModel) -> &Account {
    let account = &model.snapshots[0].accounts[0];
    assert_eq!(account.id, DEFAULT_ACCOUNT);
    account
}

/// The reasons of the gaps on `arn`.
fn gaps(model: &IacModel, arn: &str) -> Vec<(Operation, String)> {
    model.snapshots[0]
        .coverage
        .iter()
        .filter(|g| g.resource.as_deref() == Some(arn))
        .filter_map(|g| Some((g.operation?, g.reason.clone())))
        .collect()
}

fn refs(r: &[&str]) -> Json {
    json!({ "references": r })
}

#[test]
fn network_resources_join_by_reference_and_by_value() {
    let model = plan(
        &[
            (
                "aws_vpc.main",
                json!({"cidr_block": "10.0.0.0/16"}),
                json!({"id": true}),
                json!({}),
            ),
            (
                "aws_subnet.a",
                json!({"cidr_block": "10.0.1.0/24", "availability_zone": "us-east-1a",
                "map_public_ip_on_launch": true}),
                json!({"id": true, "vpc_id": true}),
                json!({"vpc_id": refs(&["aws_vpc.main.id", "aws_vpc.main"])}),
            ),
            (
                "aws_internet_gateway.gw",
                json!({}),
                json!({"id": true, "vpc_id": true}),
                json!({"vpc_id": refs(&["aws_vpc.main.id"])}),
            ),
            (
                "aws_route_table.public",
                json!({"route": [{"cidr_block": "0.0.0.0/0"}]}),
                json!({"id": true, "vpc_id": true, "route": [{"gateway_id": true}]}),
                json!({"vpc_id": refs(&["aws_vpc.main.id"]),
                       "route": [{"cidr_block": {"constant_value": "0.0.0.0/0"},
                                  "gateway_id": refs(&["aws_internet_gateway.gw.id"])}]}),
            ),
            (
                "aws_route_table_association.a",
                json!({}),
                json!({"subnet_id": true, "route_table_id": true}),
                json!({"subnet_id": refs(&["aws_subnet.a.id"]),
                       "route_table_id": refs(&["aws_route_table.public.id"])}),
            ),
            (
                "aws_nat_gateway.n",
                json!({}),
                json!({"subnet_id": true}),
                json!({"subnet_id": refs(&["aws_subnet.a.id"])}),
            ),
            (
                "aws_network_acl.acl",
                json!({"ingress": [{"rule_no": 100, "action": "allow",
                "protocol": "tcp", "cidr_block": "0.0.0.0/0", "from_port": 443, "to_port": 443}],
                "egress": []}),
                json!({"vpc_id": true, "subnet_ids": true}),
                json!({"vpc_id": refs(&["aws_vpc.main.id"]), "subnet_ids": refs(&["aws_subnet.a.id"])}),
            ),
            (
                "aws_network_acl_rule.ssh",
                json!({"rule_number": 90, "egress": false,
                "protocol": "6", "rule_action": "deny", "cidr_block": "0.0.0.0/0",
                "from_port": 22, "to_port": 22}),
                json!({"network_acl_id": true}),
                json!({"network_acl_id": refs(&["aws_network_acl.acl.id"])}),
            ),
            (
                "aws_flow_log.f",
                json!({"traffic_type": "REJECT"}),
                json!({"vpc_id": true}),
                json!({"vpc_id": refs(&["aws_vpc.main.id"])}),
            ),
            // Known values join as they are: an existing group by its id.
            (
                "aws_security_group.web",
                json!({"id": "sg-0123", "name": "web", "vpc_id": "vpc-0abc",
                "ingress": [], "egress": []}),
                json!({}),
                json!({}),
            ),
            (
                "aws_vpc_security_group_egress_rule.all",
                json!({"security_group_id": "sg-0123",
                "ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_security_group_rule.out",
                json!({"security_group_id": "sg-0123", "type": "egress",
                "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]}),
                json!({}),
                json!({}),
            ),
            (
                "aws_security_group_rule.in",
                json!({"security_group_id": "sg-0123", "type": "ingress",
                "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}),
                json!({}),
                json!({}),
            ),
        ],
        &[],
    );
    let a = account(&model);
    let n = &a.network;
    let vpc = &n.vpcs[0];
    assert_eq!(vpc.cidr_blocks, ["10.0.0.0/16"]);
    let subnet = &n.subnets[0];
    assert_eq!(subnet.vpc_id, vpc.vpc_id);
    assert!(subnet.map_public_ip_on_launch);
    let igw = &n.internet_gateways[0];
    assert_eq!(igw.attached_vpc_ids, std::slice::from_ref(&vpc.vpc_id));
    let table = &n.route_tables[0];
    assert_eq!(table.vpc_id, vpc.vpc_id);
    assert_eq!(table.subnet_ids, std::slice::from_ref(&subnet.subnet_id));
    let targets: Vec<(&str, &str)> = table
        .routes
        .iter()
        .map(|r| (r.destination.as_str(), r.target.as_str()))
        .collect();
    assert_eq!(
        targets,
        [
            ("10.0.0.0/16", "local"),
            ("0.0.0.0/0", igw.internet_gateway_id.as_str())
        ]
    );
    assert_eq!(n.nat_gateways[0].vpc_id, vpc.vpc_id);
    let acl = &n.network_acls[0];
    assert_eq!(acl.subnet_ids, std::slice::from_ref(&subnet.subnet_id));
    let entries: Vec<(i32, bool, &str, &str)> = acl
        .entries
        .iter()
        .map(|e| {
            (
                e.rule_number,
                e.egress,
                e.action.as_str(),
                e.protocol.as_str(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (90, false, "deny", "6"),
            (100, false, "allow", "6"),
            (32767, false, "deny", "-1"),
            (32767, true, "deny", "-1")
        ]
    );
    assert_eq!(n.flow_logs[0].resource_id, vpc.vpc_id);
    assert_eq!(n.flow_logs[0].traffic_type, "REJECT");
    let web = &n.security_groups[0];
    assert_eq!(web.group_id, "sg-0123");
    let egress: Vec<(&str, &str)> = web
        .egress
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| (r.protocol.as_str(), r.source.as_str()))
        .collect();
    assert_eq!(egress, [("tcp", "10.0.0.0/8"), ("-1", "0.0.0.0/0")]);
    assert_eq!(web.ingress.len(), 1);
    assert_eq!(web.ingress[0].from_port, 22);
}

#[test]
fn iam_users_policies_and_attachments() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let model = plan(
        &[
            (
                "aws_iam_user.ci",
                json!({"name": "ci"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_iam_access_key.ci",
                json!({}),
                json!({"user": true, "id": true}),
                json!({"user": refs(&["aws_iam_user.ci.name", "aws_iam_user.ci"])}),
            ),
            (
                "aws_iam_user_login_profile.ci",
                json!({"user": "ci"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_iam_policy.read",
                json!({"name": "read", "path": "/app/", "policy": policy}),
                json!({"arn": true}),
                json!({}),
            ),
            (
                "aws_iam_user_policy_attachment.ci",
                json!({"user": "ci"}),
                json!({"policy_arn": true}),
                json!({"policy_arn": refs(&["aws_iam_policy.read.arn", "aws_iam_policy.read"])}),
            ),
            (
                "aws_iam_policy.later",
                json!({"name": "later"}),
                json!({"policy": true}),
                json!({"policy": refs(&["data.aws_iam_policy_document.x.json"])}),
            ),
            (
                "aws_iam_role.app",
                json!({"name": "app", "assume_role_policy":
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#}),
                json!({}),
                json!({}),
            ),
            (
                "aws_iam_policy_attachment.shared",
                json!({"roles": ["app"]}),
                json!({"policy_arn": true}),
                json!({"policy_arn": refs(&["aws_iam_policy.later.arn"])}),
            ),
        ],
        &[],
    );
    let a = account(&model);
    let user = &a.iam.users[0];
    assert_eq!(user.access_keys.len(), 1);
    assert_eq!(user.access_keys[0].status, "Active");
    assert!(user.console_access);
    let read = a
        .iam
        .managed_policy("arn:aws:iam::000000000000:policy/app/read")
        .unwrap();
    assert_eq!(user.attached_policy_arns, std::slice::from_ref(&read.arn));
    let role = &a.iam.roles[0];
    assert_eq!(
        role.attached_policy_arns,
        ["arn:aws:iam::000000000000:policy/later"]
    );
    // The attached policy's document is decided at apply: the role's permissions too.
    let role_gaps = gaps(&model, &role.arn);
    assert!(
        role_gaps.iter().any(
            |(op, reason)| *op == Operation::IamGetAccountAuthorizationDetails
                && reason.contains("`policy` of `aws_iam_policy.later`")
        ),
        "{role_gaps:?}"
    );
    assert!(gaps(&model, &user.arn).is_empty());
}

#[test]
fn keys_aliases_databases_and_account_settings() {
    let model = plan(
        &[
            (
                "aws_kms_key.k",
                json!({"enable_key_rotation": true}),
                json!({"key_id": true, "arn": true}),
                json!({}),
            ),
            (
                "aws_kms_alias.k",
                json!({"name": "alias/data"}),
                json!({"target_key_id": true}),
                json!({"target_key_id": refs(&["aws_kms_key.k.key_id", "aws_kms_key.k"])}),
            ),
            (
                "aws_rds_cluster.c",
                json!({"cluster_identifier": "Orders", "engine": "aurora-postgresql",
                "storage_encrypted": true}),
                json!({"kms_key_id": true}),
                json!({"kms_key_id": refs(&["aws_kms_key.k.id"])}),
            ),
            (
                "aws_rds_cluster_instance.c[0]",
                json!({"identifier": "orders-1"}),
                json!({"cluster_identifier": true}),
                json!({"cluster_identifier": refs(&["aws_rds_cluster.c.id"])}),
            ),
            (
                "aws_db_instance.d",
                json!({"identifier": "d", "engine": "mysql"}),
                json!({"storage_encrypted": true}),
                json!({"storage_encrypted": refs(&["var.encrypted"])}),
            ),
            (
                "aws_ebs_encryption_by_default.on",
                json!({"enabled": true}),
                json!({}),
                json!({}),
            ),
            (
                "aws_ebs_volume.v",
                json!({"size": 8}),
                json!({"encrypted": true, "kms_key_id": true}),
                json!({}),
            ),
            (
                "aws_s3_account_public_access_block.acct",
                json!({"block_public_acls": true,
                "block_public_policy": true}),
                json!({}),
                json!({}),
            ),
        ],
        &[],
    );
    let a = account(&model);
    let key = &a.kms_keys[0];
    assert_eq!(key.aliases, ["alias/data"]);
    assert_eq!(key.rotation_enabled, Some(true));
    let cluster = &a.storage.rds_clusters[0];
    assert_eq!(cluster.identifier, "orders");
    assert!(cluster.storage_encrypted);
    // `kms_key_id = aws_kms_key.k.id`: the key's ARN, what facts index keys by.
    assert_eq!(cluster.kms_key_arn.as_deref(), Some(key.arn.as_str()));
    assert_eq!(cluster.members, ["orders-1"]);
    // A variable decided at apply: a gap, never a guess.
    let db = &a.storage.rds_instances[0];
    assert!(
        gaps(&model, &db.arn)
            .iter()
            .any(|(op, r)| *op == Operation::RdsDescribeDbInstances
                && r.contains("storage_encrypted"))
    );
    // Encryption by default in the same plan decides the volume; a computed key is no gap.
    assert!(a.storage.ebs_volumes[0].encrypted);
    assert!(gaps(&model, &a.storage.ebs_volumes[0].arn).is_empty());
    assert!(a.storage.ebs_encryption_defaults[0].enabled);
    let pab = a.storage.account_public_access_block.unwrap();
    assert!(pab.block_public_acls && !pab.ignore_public_acls);
}

#[test]
fn services_trails_recorders_certificates_dns_listeners_and_shares() {
    let model = plan(
        &[
            (
                "aws_s3_bucket.trail",
                json!({"bucket": "trail-logs"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_cloudtrail.main",
                json!({"name": "main", "is_multi_region_trail": true,
                "enable_log_file_validation": true}),
                json!({"s3_bucket_name": true}),
                json!({"s3_bucket_name": refs(&["aws_s3_bucket.trail.id"])}),
            ),
            (
                "aws_config_configuration_recorder.r",
                json!({"name": "default",
                "recording_group": [{"all_supported": true}]}),
                json!({}),
                json!({}),
            ),
            (
                "aws_config_configuration_recorder_status.r",
                json!({"name": "default", "is_enabled": true}),
                json!({}),
                json!({}),
            ),
            (
                "aws_acm_certificate.c",
                json!({"domain_name": "example.com"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_lb.web",
                json!({"name": "web", "internal": false, "load_balancer_type": "application"}),
                json!({"arn": true}),
                json!({}),
            ),
            (
                "aws_lb_listener.http",
                json!({"port": 80, "protocol": "HTTP", "default_action": [
                {"type": "redirect", "redirect": [{"protocol": "HTTPS", "port": "443"}]}]}),
                json!({"load_balancer_arn": true}),
                json!({"load_balancer_arn": refs(&["aws_lb.web.arn"])}),
            ),
            (
                "aws_route53_zone.private",
                json!({"name": "corp.internal", "vpc": [{}]}),
                json!({"vpc": [{"vpc_id": true}]}),
                json!({"vpc": [{"vpc_id": refs(&["aws_vpc.v.id"])}]}),
            ),
            (
                "aws_vpc.v",
                json!({"cidr_block": "10.1.0.0/16"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_route53_resolver_rule.fwd",
                json!({"domain_name": "corp.", "rule_type": "FORWARD",
                "target_ip": [{"ip": "10.0.0.2"}]}),
                json!({}),
                json!({}),
            ),
            (
                "aws_ram_resource_share.s",
                json!({"name": "rules", "allow_external_principals": false}),
                json!({}),
                json!({}),
            ),
            (
                "aws_ram_resource_association.s",
                json!({}),
                json!({"resource_arn": true, "resource_share_arn": true}),
                json!({"resource_arn": refs(&["aws_route53_resolver_rule.fwd.arn"]),
                       "resource_share_arn": refs(&["aws_ram_resource_share.s.arn"])}),
            ),
            (
                "aws_ram_principal_association.s",
                json!({"principal": "111122223333"}),
                json!({"resource_share_arn": true}),
                json!({"resource_share_arn": refs(&["aws_ram_resource_share.s.arn"])}),
            ),
            (
                "aws_ec2_transit_gateway.tgw",
                json!({"auto_accept_shared_attachments": "enable"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_ec2_transit_gateway_vpc_attachment.a",
                json!({}),
                json!({"transit_gateway_id": true, "vpc_id": true}),
                json!({"transit_gateway_id": refs(&["aws_ec2_transit_gateway.tgw.id"]), "vpc_id": refs(&["aws_vpc.v.id"])}),
            ),
            (
                "aws_vpn_connection.office",
                json!({"customer_gateway_id": "cgw-1", "static_routes_only": true}),
                json!({"transit_gateway_id": true}),
                json!({"transit_gateway_id": refs(&["aws_ec2_transit_gateway.tgw.id"])}),
            ),
        ],
        &[],
    );
    let a = account(&model);
    let trail = &a.logging.cloudtrail_trails[0];
    assert_eq!(trail.s3_bucket_name, "trail-logs");
    assert!(trail.is_multi_region && trail.log_file_validation && trail.is_logging);
    assert_eq!(trail.management_events.as_deref(), Some("All"));
    assert!(a.logging.config_recorders[0].recording);
    assert_eq!(a.certificates.acm[0].certificate_type, "AMAZON_ISSUED");
    let listener = &a.network.load_balancer_listeners[0];
    assert!(listener.redirects_to_https);
    assert_eq!(listener.load_balancer_name, "web");
    assert_eq!(listener.scheme, "internet-facing");
    let zone = &a.dns.hosted_zones[0];
    assert_eq!(zone.name, "corp.internal.");
    let vpc = &a.network.vpcs[0];
    assert_eq!(
        zone.vpc_associations.as_ref().unwrap()[0].vpc_id,
        vpc.vpc_id
    );
    let rule = &a.dns.resolver_rules[0];
    assert_eq!(rule.target_ips, ["10.0.0.2:53"]);
    assert_eq!(rule.share_status, "SHARED_BY_ME");
    let share = &a.resource_shares[0];
    assert_eq!(share.resources.as_deref(), Some(&[rule.arn.clone()][..]));
    assert_eq!(
        share.principals.as_deref(),
        Some(&["111122223333".to_owned()][..])
    );
    let tgw = &a.network.transit_gateways[0];
    assert!(tgw.auto_accept_shared_attachments);
    let attachment = &a.network.transit_gateway_attachments[0];
    assert_eq!(
        (
            attachment.transit_gateway_id.as_str(),
            attachment.resource_id.as_str()
        ),
        (tgw.transit_gateway_id.as_str(), vpc.vpc_id.as_str())
    );
    assert_eq!(
        a.network.vpn_connections[0].transit_gateway_id.as_deref(),
        Some(tgw.transit_gateway_id.as_str())
    );
}

#[test]
fn references_stay_in_their_module_and_pair_instance_keys() {
    let policy = |b: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::{b}/*"}}]}}"#
        )
    };
    let model = plan(
        &[
            (
                "aws_s3_bucket.this",
                json!({"bucket": "root"}),
                json!({}),
                json!({}),
            ),
            (
                "module.m.aws_s3_bucket.this",
                json!({"bucket": "inner"}),
                json!({}),
                json!({}),
            ),
            // Written in the module as `aws_s3_bucket.this.id`: the module's bucket.
            (
                "module.m.aws_s3_bucket_policy.p",
                json!({"policy": policy("inner")}),
                json!({"bucket": true}),
                json!({"bucket": refs(&["aws_s3_bucket.this.id", "aws_s3_bucket.this"])}),
            ),
            (
                "aws_s3_bucket.b[0]",
                json!({"bucket": "b0"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_s3_bucket.b[1]",
                json!({"bucket": "b1"}),
                json!({}),
                json!({}),
            ),
            // `aws_s3_bucket.b[count.index].id`: each with its own bucket.
            (
                "aws_s3_bucket_versioning.v[0]",
                json!({"versioning_configuration": [{"status": "Enabled"}]}),
                json!({"bucket": true}),
                json!({"bucket": refs(&["aws_s3_bucket.b", "count.index"])}),
            ),
            (
                "aws_s3_bucket_versioning.v[1]",
                json!({"versioning_configuration": [{"status": "Suspended"}]}),
                json!({"bucket": true}),
                json!({"bucket": refs(&["aws_s3_bucket.b", "count.index"])}),
            ),
        ],
        &[],
    );
    let buckets = &account(&model).storage.s3_buckets;
    let get = |name: &str| buckets.iter().find(|b| b.name == name).unwrap();
    assert!(get("root").policy.is_none());
    assert!(get("inner").policy.is_some());
    assert!(get("b0").versioning);
    assert!(!get("b1").versioning);
}

#[test]
fn resources_are_placed_at_their_tf_blocks_with_their_skips() {
    let main = "resource \"aws_s3_bucket\" \"logs\" {\n  count = 2\n  # rampart:skip=s3-classified-versioning written once\n}\n";
    let module = "\n\n// rampart:skip=ebs-volume-encrypted scratch only\nresource \"aws_ebs_volume\" \"v\" {\n}\n";
    let model = plan(
        &[
            (
                "aws_s3_bucket.logs[0]",
                json!({"bucket": "logs-0"}),
                json!({}),
                json!({}),
            ),
            (
                "aws_s3_bucket.logs[1]",
                json!({"bucket": "logs-1"}),
                json!({}),
                json!({}),
            ),
            (
                "module.m.aws_ebs_volume.v",
                json!({"encrypted": false}),
                json!({}),
                json!({}),
            ),
            ("aws_kms_key.nowhere", json!({}), json!({}), json!({})),
        ],
        &[("main.tf", main), ("m/main.tf", module)],
    );
    let a = account(&model);
    let at = |uri: &str, line: u32, column: u32| Source::File {
        uri: uri.to_owned(),
        line,
        column,
    };
    for bucket in &a.storage.s3_buckets {
        assert_eq!(bucket.source, at("tf/main.tf", 1, 1));
    }
    assert_eq!(a.storage.ebs_volumes[0].source, at("tf/m/main.tf", 4, 1));
    // Not in any `.tf` file: its object in the plan.
    assert!(matches!(&a.kms_keys[0].source, Source::File { uri, .. } if uri == "tf/plan.json"));
    let skips: Vec<(&str, &str, &str, u32)> = model
        .suppressions
        .iter()
        .map(|s| {
            (
                s.arn.as_str(),
                s.rule_id.as_str(),
                s.location.uri.as_str(),
                s.location.line,
            )
        })
        .collect();
    assert_eq!(
        skips,
        [
            ("arn:aws:ec2:us-east-1:000000000000:volume/vol-tf-plan-json-module.m.aws_ebs_volume.v",
                "ebs-volume-encrypted", "tf/m/main.tf", 3),
            ("arn:aws:s3:::logs-0", "s3-classified-versioning", "tf/main.tf", 3),
            ("arn:aws:s3:::logs-1", "s3-classified-versioning", "tf/main.tf", 3),
        ]
    );
    assert_eq!(model.suppressions[1].reason, "written once");
}
