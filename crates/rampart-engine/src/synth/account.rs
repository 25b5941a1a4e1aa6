//! One synthetic account and its resources.

use chrono::TimeDelta;
use serde_json::{json, Value};

use super::{gap, Gen, OUS, REGIONS};
use crate::model::{
    Account, AccountStatus, AcmCertificate, BucketEncryption, CloudTrailTrail, CoverageGap,
    EbsEncryptionDefault, EbsVolume, FlowLog, Iam, IamRole, KmsKey, Logging, PolicyDocument,
    PublicAccessBlock, RdsDbInstance, S3Bucket, SecurityGroup, SecurityGroupRule, Service, Source,
    Subnet, Tags, Vpc, GLOBAL_REGION,
};

/// What [`super::plan_accounts`] decided about an account.
pub(super) struct AccountPlan {
    /// 12-digit id.
    pub(super) id: String,
    /// Account name.
    pub(super) name: String,
    /// Index into [`OUS`], or `None` for the root.
    pub(super) ou: Option<usize>,
    /// The level its data usually has (and its tag, when it is tagged correctly).
    pub(super) level: &'static str,
    /// Account tags.
    pub(super) tags: Tags,
    /// Relative share of the organization's resources.
    pub(super) weight: u64,
}

/// The kinds drawn for an account's free quota, with their weights (percent).
#[derive(Clone, Copy)]
enum Kind {
    Bucket,
    Key,
    Volume,
    Database,
    Certificate,
    Role,
    Vpc,
    Subnet,
    SecurityGroup,
}

const KINDS: [Kind; 9] = [
    Kind::Bucket,
    Kind::Key,
    Kind::Volume,
    Kind::Database,
    Kind::Certificate,
    Kind::Role,
    Kind::Vpc,
    Kind::Subnet,
    Kind::SecurityGroup,
];
const KIND_WEIGHTS: [u32; 9] = [16, 8, 20, 5, 5, 12, 4, 16, 14];

const BUCKET_WORDS: [&str; 6] = ["data", "logs", "exports", "uploads", "backups", "artifacts"];
const ENGINES: [&str; 5] = [
    "postgres",
    "mysql",
    "aurora-postgresql",
    "aurora-mysql",
    "mariadb",
];
const APPLICATIONS: [&str; 6] = [
    "storefront",
    "payments",
    "search",
    "identity",
    "analytics",
    "crm",
];

/// A VPC being filled with subnets: its id, region and address block `10.a.b.0/20`.
struct VpcSlot {
    vpc_id: String,
    region: &'static str,
    a: u64,
    b: u64,
    subnets: u64,
}

/// Per-account generation state.
struct Cx<'p> {
    plan: &'p AccountPlan,
    /// ARNs of enabled customer symmetric keys, by region index.
    keys_by_region: [Vec<String>; 3],
    /// Whether the AWS managed key of (region, service) exists already.
    aws_keys: [[bool; 3]; 3],
    vpcs: Vec<VpcSlot>,
    serial: u64,
}

impl Cx<'_> {
    fn next(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    fn customer_key(&self, g: &mut Gen, region: &str) -> Option<String> {
        let keys = &self.keys_by_region[region_index(region)];
        (!keys.is_empty()).then(|| keys[g.rng.below(keys.len() as u64) as usize].clone())
    }

    /// The data level of a store: its own valid tag, or the account's level.
    fn data_tags(&self, g: &mut Gen) -> (Tags, &'static str) {
        let mut tags = Tags::new();
        tags.insert(
            "Application".to_owned(),
            g.rng.pick(&APPLICATIONS).to_owned(),
        );
        let level = match g.rng.below(100) {
            // Misspelled tag: invalid, so the store inherits.
            0..=1 => {
                tags.insert("DataClassification".to_owned(), "Confidential".to_owned());
                self.plan.level
            }
            2..=36 => {
                let level = g
                    .rng
                    .pick(&["public", "internal", "confidential", "restricted"]);
                tags.insert("DataClassification".to_owned(), level.to_owned());
                level
            }
            _ => self.plan.level,
        };
        (tags, level)
    }

    /// Restricted data stays in the EU except for a few planted violations.
    fn data_region(&self, g: &mut Gen, level: &str) -> &'static str {
        match level {
            "restricted" if g.rng.percent(4) => "us-east-1",
            "restricted" => REGIONS[g.rng.below(2) as usize],
            _ => g.region(),
        }
    }
}

fn region_index(region: &str) -> usize {
    REGIONS.iter().position(|r| *r == region).unwrap_or(0)
}

fn is_sensitive(level: &str) -> bool {
    matches!(level, "confidential" | "restricted")
}

/// Builds one account with `quota` resources besides itself.
pub(super) fn generate(
    g: &mut Gen,
    plan: &AccountPlan,
    org_id: &str,
    parent_id: String,
    quota: usize,
    coverage: &mut Vec<CoverageGap>,
) -> Account {
    let id = plan.id.clone();
    let mut account = Account {
        arn: format!(
            "arn:aws:organizations::{}:account/{org_id}/{id}",
            g.management_account_id
        ),
        account_id: id.clone(),
        region: GLOBAL_REGION.to_owned(),
        name: plan.name.clone(),
        email: Some(format!("aws+{}@example.com", plan.name)),
        status: AccountStatus::Active,
        parent_id,
        tags: plan.tags.clone(),
        source: Source::Synthetic,
        enabled_regions: Some(REGIONS.iter().map(|r| (*r).to_owned()).collect()),
        iam: Iam::default(),
        kms_keys: Vec::new(),
        network: Default::default(),
        storage: Default::default(),
        certificates: Default::default(),
        logging: Logging::default(),
        dns: Default::default(),
        security_services: Vec::new(),
        resource_shares: Vec::new(),
        alternate_contacts: None,
        id,
    };
    let mut cx = Cx {
        plan,
        keys_by_region: Default::default(),
        aws_keys: [[false; 3]; 3],
        vpcs: Vec::new(),
        serial: 0,
    };

    // The baseline every account gets from account vending, as far as the quota allows.
    let all = g.rng.percent(60);
    account.storage.account_public_access_block = Some(PublicAccessBlock {
        block_public_acls: all,
        ignore_public_acls: all,
        block_public_policy: all,
        restrict_public_buckets: all,
    });
    let mut left = quota;
    for region in REGIONS {
        if left == 0 {
            break;
        }
        left -= 1;
        account
            .storage
            .ebs_encryption_defaults
            .push(ebs_default(g, &account.id, region));
    }
    if left > 0 && plan.ou.is_some() {
        left -= 1;
        let trust = trust_account(&format!("arn:aws:iam::{}:root", g.management_account_id));
        account.iam.roles.push(role(
            &account.id,
            "OrganizationAccountAccessRole",
            trust,
            "AdministratorAccess",
        ));
    }
    if left > 0 && !g.rng.percent(8) {
        left -= 1;
        account
            .logging
            .cloudtrail_trails
            .push(trail(g, &account.id));
    }

    let mut counts = [0usize; KINDS.len()];
    for _ in 0..left {
        counts[g.rng.weighted(&KIND_WEIGHTS)] += 1;
    }
    // Subnets and security groups need a VPC to live in.
    let (vpc, subnet, sg) = (6, 7, 8);
    if counts[vpc] == 0 && counts[subnet] + counts[sg] > 0 {
        let from = if counts[subnet] > 0 { subnet } else { sg };
        counts[from] -= 1;
        counts[vpc] += 1;
    }

    // Keys first, so that data stores can refer to them.
    for (kind, &n) in KINDS.iter().zip(&counts) {
        for _ in 0..n {
            match kind {
                Kind::Key => {
                    let key = kms_key(g, &mut cx, &account.id);
                    account.kms_keys.push(key);
                }
                Kind::Vpc => {
                    let (v, flow_log) = vpc_resource(g, &mut cx, &account.id);
                    account.network.vpcs.push(v);
                    account.network.flow_logs.extend(flow_log);
                }
                _ => {}
            }
        }
    }
    for (kind, &n) in KINDS.iter().zip(&counts) {
        for _ in 0..n {
            match kind {
                Kind::Bucket => account
                    .storage
                    .s3_buckets
                    .push(bucket(g, &mut cx, &account.id)),
                Kind::Volume => account
                    .storage
                    .ebs_volumes
                    .push(volume(g, &mut cx, &account.id)),
                Kind::Database => {
                    account
                        .storage
                        .rds_instances
                        .push(database(g, &mut cx, &account.id))
                }
                Kind::Certificate => {
                    account
                        .certificates
                        .acm
                        .push(certificate(g, &mut cx, &account.id))
                }
                Kind::Role => account
                    .iam
                    .roles
                    .push(workload_role(g, &mut cx, &account.id)),
                Kind::Subnet => {
                    account
                        .network
                        .subnets
                        .push(subnet_resource(g, &mut cx, &account.id))
                }
                Kind::SecurityGroup => {
                    account
                        .network
                        .security_groups
                        .push(security_group(g, &mut cx, &account.id))
                }
                Kind::Key | Kind::Vpc => {}
            }
        }
    }

    // Now and then KMS could not be read in one region of a member account: its keys are
    // missing and the stores that use them become unknown.
    if plan.ou.is_some() && !account.kms_keys.is_empty() && g.rng.percent(3) {
        let region = g.region();
        account.kms_keys.retain(|k| k.region != region);
        coverage.push(gap(
            &account.id,
            region,
            Service::Kms,
            format!(
                "AccessDenied: User: arn:aws:sts::{}:assumed-role/rampart-audit/rampart is not authorized to perform: kms:ListKeys",
                account.id
            ),
        ));
    }
    account
}

fn ebs_default(g: &mut Gen, account_id: &str, region: &str) -> EbsEncryptionDefault {
    EbsEncryptionDefault {
        arn: format!("arn:aws:ec2:{region}:{account_id}:ebs-encryption-by-default"),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::new(),
        source: Source::Synthetic,
        enabled: !g.rng.percent(10),
        kms_key_arn: None,
    }
}

fn trail(g: &mut Gen, account_id: &str) -> CloudTrailTrail {
    let region = REGIONS[0];
    CloudTrailTrail {
        arn: format!("arn:aws:cloudtrail:{region}:{account_id}:trail/baseline"),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::new(),
        source: Source::Synthetic,
        name: "baseline".to_owned(),
        is_multi_region: !g.rng.percent(5),
        is_organization_trail: false,
        is_logging: !g.rng.percent(5),
        log_file_validation: !g.rng.percent(5),
        kms_key_arn: None,
        s3_bucket_name: format!("cloudtrail-logs-{}", g.management_account_id),
        management_events: None,
        data_event_selectors: 0,
    }
}

fn trust_account(principal: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]
    })
}

fn role(account_id: &str, name: &str, trust_policy: Value, managed: &str) -> IamRole {
    IamRole {
        arn: format!("arn:aws:iam::{account_id}:role/{name}"),
        account_id: account_id.to_owned(),
        region: GLOBAL_REGION.to_owned(),
        tags: Tags::new(),
        source: Source::Synthetic,
        name: name.to_owned(),
        path: "/".to_owned(),
        trust_policy: trust_policy.into(),
        inline_policies: Default::default(),
        attached_policy_arns: vec![format!("arn:aws:iam::aws:policy/{managed}")],
        permissions_boundary_arn: None,
        service_linked: false,
    }
}

fn workload_role(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> IamRole {
    let n = cx.next();
    let app = g.rng.pick(&APPLICATIONS);
    let trust = match g.rng.below(10) {
        0..=5 => {
            let service = g.rng.pick(&[
                "lambda.amazonaws.com",
                "ecs-tasks.amazonaws.com",
                "ec2.amazonaws.com",
            ]);
            json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
            })
        }
        _ => trust_account(&format!("arn:aws:iam::{}:root", g.management_account_id)),
    };
    let managed = g.rng.pick(&[
        "ReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "PowerUserAccess",
        "AmazonRDSDataFullAccess",
    ]);
    let mut r = role(account_id, &format!("{app}-role-{n}"), trust, managed);
    r.tags.insert("Application".to_owned(), app.to_owned());
    r
}

fn key_policy(account_id: &str, wildcard: bool) -> Value {
    let principal = if wildcard {
        json!("*")
    } else {
        json!({"AWS": format!("arn:aws:iam::{account_id}:root")})
    };
    json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "kms:*",
            "Resource": "*"
        }]
    })
}

fn kms_key(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> KmsKey {
    let region = g.region();
    let r = region_index(region);
    let service = g.rng.below(3) as usize;
    let aws_managed = g.rng.percent(15) && !cx.aws_keys[r][service];
    let multi_region = !aws_managed && g.rng.percent(5);
    let key_id = if multi_region {
        format!("mrk-{:016x}{:016x}", g.unique(), g.unique())
    } else {
        g.uuid()
    };
    let arn = format!("arn:aws:kms:{region}:{account_id}:key/{key_id}");
    let mut key = KmsKey {
        arn,
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::new(),
        source: Source::Synthetic,
        key_id,
        key_manager: "CUSTOMER".to_owned(),
        key_state: "Enabled".to_owned(),
        key_spec: "SYMMETRIC_DEFAULT".to_owned(),
        key_usage: "ENCRYPT_DECRYPT".to_owned(),
        multi_region,
        rotation_enabled: Some(true),
        policy: None,
        aliases: Vec::new(),
    };
    if aws_managed {
        cx.aws_keys[r][service] = true;
        let service = ["s3", "ebs", "rds"][service];
        key.key_manager = "AWS".to_owned();
        key.aliases.push(format!("alias/aws/{service}"));
        key.policy = Some(PolicyDocument::new(json!({
            "Version": "2012-10-17",
            "Id": format!("auto-{service}-2"),
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {
                    "kms:CallerAccount": account_id,
                    "kms:ViaService": format!("{service}.{region}.amazonaws.com")
                }}
            }]
        })));
        return key;
    }
    let n = cx.next();
    key.aliases
        .push(format!("alias/{}-{n}", g.rng.pick(&APPLICATIONS)));
    key.policy = Some(key_policy(account_id, g.rng.percent(3)).into());
    if g.rng.percent(5) {
        key.key_spec = "RSA_2048".to_owned();
        key.key_usage = "SIGN_VERIFY".to_owned();
        key.rotation_enabled = None;
    } else {
        key.rotation_enabled = Some(!g.rng.percent(12));
    }
    if g.rng.percent(3) {
        key.key_state = "Disabled".to_owned();
    } else if key.key_spec == "SYMMETRIC_DEFAULT" {
        cx.keys_by_region[r].push(key.arn.clone());
    }
    key
}

fn bucket(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> S3Bucket {
    let n = cx.next();
    let name = format!("{}-{account_id}-{n}", g.rng.pick(&BUCKET_WORDS));
    let arn = format!("arn:aws:s3:::{name}");
    let (tags, level) = cx.data_tags(g);
    let region = cx.data_region(g, level);
    let sensitive = is_sensitive(level);
    let cmk = cx.customer_key(g, region);
    let encryption = match (sensitive, g.rng.below(100), cmk) {
        (true, 0..=5, _) => ("aws:kms", None),
        (true, 6..=11, _) | (_, _, None) => ("AES256", None),
        (false, 0..=49, _) => ("AES256", None),
        (_, _, key) => ("aws:kms", key),
    };
    let mut pab = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
    if g.rng.percent(7) {
        match g.rng.below(4) {
            0 => pab.block_public_acls = false,
            1 => pab.ignore_public_acls = false,
            2 => pab.block_public_policy = false,
            _ => pab.restrict_public_buckets = false,
        }
    }
    let tls_only = g.rng.percent(if sensitive { 88 } else { 40 });
    let policy = tls_only.then(|| {
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn.clone(), format!("{arn}/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }]
        })
    });
    S3Bucket {
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags,
        source: Source::Synthetic,
        encryption: Some(BucketEncryption {
            sse_algorithm: encryption.0.to_owned(),
            bucket_key_enabled: encryption.1.is_some(),
            kms_key_arn: encryption.1,
        }),
        policy: policy.map(PolicyDocument::new),
        public_access_block: Some(pab),
        versioning: g.rng.percent(80),
        arn,
        name,
    }
}

fn volume(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> EbsVolume {
    let (mut tags, level) = cx.data_tags(g);
    let region = cx.data_region(g, level);
    let volume_id = g.aws_id("vol");
    tags.insert(
        "Name".to_owned(),
        format!("{}-data-{}", cx.plan.name, cx.next()),
    );
    let encrypted = !g.rng.percent(10);
    EbsVolume {
        arn: format!("arn:aws:ec2:{region}:{account_id}:volume/{volume_id}"),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags,
        source: Source::Synthetic,
        volume_id,
        encrypted,
        kms_key_arn: if encrypted {
            cx.customer_key(g, region)
        } else {
            None
        },
        size_gib: g.rng.pick(&[8, 20, 50, 100, 200, 500]),
    }
}

fn database(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> RdsDbInstance {
    let (tags, level) = cx.data_tags(g);
    let region = cx.data_region(g, level);
    let identifier = format!(
        "{}-db-{}",
        tags.get("Application").map_or("app", String::as_str),
        cx.next()
    );
    let encrypted = !g.rng.percent(10);
    RdsDbInstance {
        arn: format!("arn:aws:rds:{region}:{account_id}:db:{identifier}"),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags,
        source: Source::Synthetic,
        identifier,
        engine: g.rng.pick(&ENGINES).to_owned(),
        storage_encrypted: encrypted,
        kms_key_arn: if encrypted {
            cx.customer_key(g, region)
        } else {
            None
        },
        publicly_accessible: g.rng.percent(3),
    }
}

fn certificate(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> AcmCertificate {
    let region = g.region();
    let n = cx.next();
    let app = g.rng.pick(&APPLICATIONS);
    let certificate_type = ["AMAZON_ISSUED", "IMPORTED", "PRIVATE"][g.rng.weighted(&[85, 10, 5])];
    let key_algorithm =
        ["RSA_2048", "EC_prime256v1", "RSA_4096", "RSA_1024"][g.rng.weighted(&[70, 22, 5, 3])];
    let (status, days) = match g.rng.below(100) {
        0..=4 => ("PENDING_VALIDATION", None),
        5..=7 => ("EXPIRED", Some(-(g.rng.below(200) as i64) - 1)),
        8..=15 => ("ISSUED", Some(g.rng.below(30) as i64)),
        _ => ("ISSUED", Some(31 + g.rng.below(760) as i64)),
    };
    let in_use = status == "ISSUED" && g.rng.percent(80);
    let in_use_by = if in_use {
        vec![format!(
            "arn:aws:elasticloadbalancing:{region}:{account_id}:loadbalancer/app/{app}-{n}/{:016x}",
            g.unique()
        )]
    } else {
        Vec::new()
    };
    let eligible = certificate_type == "AMAZON_ISSUED" && in_use;
    AcmCertificate {
        arn: format!("arn:aws:acm:{region}:{account_id}:certificate/{}", g.uuid()),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::from([("Application".to_owned(), app.to_owned())]),
        source: Source::Synthetic,
        domain_name: format!("{app}-{n}.{}.example.com", cx.plan.name),
        certificate_type: certificate_type.to_owned(),
        status: status.to_owned(),
        key_algorithm: key_algorithm.to_owned(),
        not_after: days.map(|d| g.taken_at + TimeDelta::days(d) + TimeDelta::hours(17)),
        in_use_by,
        renewal_eligibility: (status == "ISSUED")
            .then(|| if eligible { "ELIGIBLE" } else { "INELIGIBLE" }.to_owned()),
    }
}

fn vpc_resource(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> (Vpc, Option<FlowLog>) {
    let region = g.region();
    let vpc_id = g.aws_id("vpc");
    // One /20 per VPC across the organization: 4096 of them fit in 10.0.0.0/8 before the
    // plan wraps around (and large synthetic organizations overlap, as real ones do).
    let v = g.vpcs;
    g.vpcs += 1;
    let (a, b) = ((v / 16) % 256, (v % 16) * 16);
    let flow_log = (!g.rng.percent(12)).then(|| FlowLog {
        flow_log_id: format!("fl-{:016x}", g.unique()),
        region: region.to_owned(),
        resource_id: vpc_id.clone(),
        traffic_type: "ALL".to_owned(),
        destination_type: "s3".to_owned(),
    });
    let name = format!("{}-vpc-{}", cx.plan.name, cx.next());
    cx.vpcs.push(VpcSlot {
        vpc_id: vpc_id.clone(),
        region,
        a,
        b,
        subnets: 0,
    });
    let env = cx.plan.ou.map_or("management", |ou| OUS[ou].environment);
    let vpc = Vpc {
        arn: format!("arn:aws:ec2:{region}:{account_id}:vpc/{vpc_id}"),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::from([
            ("Name".to_owned(), name),
            ("Environment".to_owned(), env.to_owned()),
        ]),
        source: Source::Synthetic,
        vpc_id,
        cidr_blocks: vec![format!("10.{a}.{b}.0/20")],
        is_default: false,
    };
    (vpc, flow_log)
}

fn subnet_resource(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> Subnet {
    let i = g.rng.below(cx.vpcs.len().max(1) as u64) as usize;
    let subnet_id = g.aws_id("subnet");
    let az = ["a", "b", "c"][g.rng.below(3) as usize];
    let public = g.rng.percent(15);
    let (vpc_id, region, cidr) = match cx.vpcs.get_mut(i) {
        Some(slot) => {
            let k = slot.subnets % 16;
            slot.subnets += 1;
            (
                slot.vpc_id.clone(),
                slot.region,
                format!("10.{}.{}.0/24", slot.a, slot.b + k),
            )
        }
        None => (String::new(), REGIONS[0], "10.255.0.0/24".to_owned()),
    };
    Subnet {
        arn: format!("arn:aws:ec2:{region}:{account_id}:subnet/{subnet_id}"),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::from([(
            "Name".to_owned(),
            format!(
                "{}-{}-{az}",
                if public { "public" } else { "private" },
                cx.next()
            ),
        )]),
        source: Source::Synthetic,
        subnet_id,
        vpc_id,
        cidr_block: cidr,
        availability_zone: format!("{region}{az}"),
        map_public_ip_on_launch: public,
    }
}

fn security_group(g: &mut Gen, cx: &mut Cx<'_>, account_id: &str) -> SecurityGroup {
    let i = g.rng.below(cx.vpcs.len().max(1) as u64) as usize;
    let group_id = g.aws_id("sg");
    let (vpc_id, region, vpc_cidr) = match cx.vpcs.get(i) {
        Some(slot) => (
            slot.vpc_id.clone(),
            slot.region,
            format!("10.{}.{}.0/20", slot.a, slot.b),
        ),
        None => (String::new(), REGIONS[0], "10.0.0.0/8".to_owned()),
    };
    let name = format!("{}-sg-{}", g.rng.pick(&APPLICATIONS), cx.next());
    let mut ingress = vec![SecurityGroupRule {
        protocol: "tcp".to_owned(),
        from_port: 443,
        to_port: 443,
        source: vpc_cidr,
    }];
    if g.rng.percent(5) {
        ingress.push(SecurityGroupRule {
            protocol: "tcp".to_owned(),
            from_port: 22,
            to_port: 22,
            source: "0.0.0.0/0".to_owned(),
        });
    }
    SecurityGroup {
        arn: format!("arn:aws:ec2:{region}:{account_id}:security-group/{group_id}"),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::from([("Name".to_owned(), name.clone())]),
        source: Source::Synthetic,
        group_id,
        name,
        vpc_id,
        ingress,
        // The default outbound rule: everything, anywhere.
        egress: Some(vec![SecurityGroupRule {
            protocol: "-1".to_owned(),
            from_port: -1,
            to_port: -1,
            source: "0.0.0.0/0".to_owned(),
        }]),
    }
}
