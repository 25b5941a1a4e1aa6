#!/usr/bin/env python3
"""Generates fixtures/orgs/sample/snapshot.json, rampart's bundled sample organization.

The organization is fictional. It is written to exercise every bundled rule with at
least one passing and one failing resource, plus waivers and coverage gaps (unknowns).
The planted findings are listed in PLANTED below and printed with `--summary`.

The output is deterministic (no randomness, no clock): ids are derived from names with
SHA-256 and UUIDv5, and fields are written in the model's declaration order so that the
file equals rampart's own pretty-printed serialization of it.

Usage: python3 scripts/gen_sample.py [--summary] [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import uuid
from pathlib import Path

TAKEN_AT = "2026-11-20T06:00:00Z"
ORG_ID = "o-a1b2c3d4e5"
MGMT = "111122223333"
ROOT_ID = "r-a1b2"
DOMAIN = "example.com"
NAMESPACE = uuid.UUID("5f0c3a52-8d4e-4b1a-9f63-2a7c1e0d9b44")

EU_WEST_1 = "eu-west-1"
EU_CENTRAL_1 = "eu-central-1"
US_EAST_1 = "us-east-1"
US_WEST_2 = "us-west-2"
DEFAULT_REGIONS = [EU_WEST_1, EU_CENTRAL_1, US_EAST_1]

# Planted outcomes, by rule: (resource, expected outcome, why). Printed by --summary.
PLANTED: dict[str, list[tuple[str, str, str]]] = {}


def plant(rule: str, resource: str, outcome: str, why: str) -> None:
    PLANTED.setdefault(rule, []).append((resource, outcome, why))


# --------------------------------------------------------------------------- helpers


def hexid(*parts: str, n: int = 17) -> str:
    """A stable lowercase hex id derived from names (AWS style: vpc-0 + 16 hex)."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return "0" + digest[: n - 1]


def hexdigest(*parts: str, n: int) -> str:
    """`n` stable lowercase hex digits derived from names."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


def alnum_upper(*parts: str, n: int = 16) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:n])


def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def api(operation: str) -> dict:
    return {"kind": "api", "operation": operation}


def doc(*statements: dict, policy_id: str | None = None) -> dict:
    d: dict = {"Version": "2012-10-17"}
    if policy_id:
        d["Id"] = policy_id
    d["Statement"] = list(statements)
    return d


def account_root(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


# --------------------------------------------------------------------------- organization

OUS = [
    # (key, id, name, parent key, tags)
    ("security", "ou-a1b2-k3x9s8e1", "Security", None, {"Owner": "security-engineering"}),
    ("infrastructure", "ou-a1b2-n7f4r2q8", "Infrastructure", None, {"Owner": "platform-engineering"}),
    ("deployments", "ou-a1b2-d2p6m4w9", "Deployments", None, {"Owner": "platform-engineering"}),
    ("workloads", "ou-a1b2-w5k8t3z1", "Workloads", None, {}),
    ("preprod", "ou-a1b2-p8r3e7q2", "PreProd", "workloads", {}),
    ("prod", "ou-a1b2-x4c6v9b3", "Prod", "workloads", {"DataClassification": "confidential"}),
    ("sandbox", "ou-a1b2-s9b1x5d7", "Sandbox", None, {}),
    ("transitional", "ou-a1b2-t6l2g8h4", "Transitional", None, {}),
]
OU_ID = {key: ou_id for key, ou_id, *_ in OUS}


def ou_arn(ou_id: str) -> str:
    return f"arn:aws:organizations::{MGMT}:ou/{ORG_ID}/{ou_id}"


# (key, id, name, parent OU key or None for root, tags, enabled regions)
ACCOUNTS = [
    ("management", MGMT, "management", None,
     {"Environment": "management", "DataClassification": "internal", "Owner": "cloud-platform", "CostCenter": "CC-1000"}),
    ("audit", "222233334444", "audit", "security",
     {"DataClassification": "confidential", "Owner": "security-engineering", "CostCenter": "CC-1100"}),
    ("log-archive", "333344445555", "log-archive", "security",
     {"DataClassification": "restricted", "Owner": "security-engineering", "CostCenter": "CC-1100"}),
    ("network", "444455556666", "network", "infrastructure",
     {"DataClassification": "internal", "Owner": "network-engineering", "CostCenter": "CC-1200"}),
    ("shared-services", "555566667777", "shared-services", "infrastructure",
     {"DataClassification": "internal", "Owner": "platform-engineering", "CostCenter": "CC-1200"}),
    ("builder", "666677778888", "builder", "deployments",
     {"DataClassification": "internal", "Owner": "platform-engineering", "CostCenter": "CC-1300"}),
    ("app-preprod", "777788889999", "app-preprod", "preprod",
     {"Environment": "staging", "DataClassification": "internal", "Owner": "storefront-team", "CostCenter": "CC-2100", "Application": "storefront"}),
    ("app-prod", "888899990000", "app-prod", "prod",
     {"Environment": "production", "DataClassification": "confidential", "Owner": "storefront-team", "CostCenter": "CC-2100", "Application": "storefront"}),
    ("payments-prod", "999900001111", "payments-prod", "prod",
     {"Environment": "prod", "DataClassification": "restricted", "Owner": "payments-team", "CostCenter": "CC-2200", "Application": "payments"}),
    ("dev-sandbox", "123456789012", "dev-sandbox", "sandbox",
     {"Owner": "developer-experience", "CostCenter": "CC-3000"}),
    ("legacy-migration", "210987654321", "legacy-migration", "transitional",
     {"DataClassification": "secret", "Owner": "migration-factory", "CostCenter": "CC-3100", "Application": "legacy-crm"}),
    # The storefront's recommendations service, prototyped in a sandbox account that went live:
    # re-tagged production, never moved out of the Sandbox OU, and nobody named as its owner.
    ("storefront-recs", "246813579024", "storefront-recs", "sandbox",
     {"Environment": "production", "DataClassification": "confidential", "CostCenter": "CC-2100", "Application": "storefront"}),
    # The storefront team's Jenkins from before the landing zone: invited into the
    # organization and left at the root, outside every OU. It still deploys storefront-recs.
    ("jenkins-legacy", "864209753186", "jenkins-legacy", None,
     {"Environment": "builder", "DataClassification": "internal", "Owner": "storefront-team", "CostCenter": "CC-2100"}),
]
ACCT = {key: account_id for key, account_id, *_ in ACCOUNTS}
ACCOUNT_NAME = {account_id: key for key, account_id, *_ in ACCOUNTS}
ENABLED_REGIONS = {key: list(DEFAULT_REGIONS) for key in ACCT}
ENABLED_REGIONS["app-prod"] = DEFAULT_REGIONS + [US_WEST_2]

AUDIT_SCANNER_ROLE = f"arn:aws:iam::{ACCT['audit']}:role/rampart-scanner"
GITHUB_DEPLOY_ROLE = f"arn:aws:iam::{ACCT['builder']}:role/github-actions-deploy"
JENKINS_DEPLOY_ROLE = f"arn:aws:iam::{ACCT['jenkins-legacy']}:role/jenkins-deploy"
GITHUB_OIDC = f"arn:aws:iam::{ACCT['builder']}:oidc-provider/token.actions.githubusercontent.com"
TRAIL_BUCKET = f"org-cloudtrail-logs-{ACCT['log-archive']}"
# The systems integrator moving the legacy CRM: an account outside the organization.
MIGRATION_PARTNER = "777700001111"

# The network account's transit gateways, one per home region: workload VPCs send 0.0.0.0/0
# to them (egress and inspection are centralized in the network account).
CORE_TGW = {region: "tgw-" + hexid(ACCT["network"], region, "tgw", f"core-{region}")
            for region in (EU_WEST_1, EU_CENTRAL_1)}


def vpc_id_of(account_key: str, region: str, name: str) -> str:
    """The id `Acct.vpc` gives a VPC: attachments in the network account refer to it."""
    return "vpc-" + hexid(ACCT[account_key], region, "vpc", name)


# Workload VPCs attached to the core transit gateways: (account, region, VPC name).
TGW_ATTACHED = [
    ("shared-services", EU_WEST_1, "shared-services"),
    ("builder", EU_WEST_1, "builder"),
    ("app-preprod", EU_WEST_1, "storefront-preprod"),
    ("app-prod", EU_WEST_1, "storefront-prod"),
    ("payments-prod", EU_WEST_1, "payments-prod"),
    ("payments-prod", EU_CENTRAL_1, "payments-settlement"),
]


class Acct:
    """Collects the resources of one account in the model's shape."""

    def __init__(self, key: str):
        self.key = key
        self.id = ACCT[key]
        self.roles: list[dict] = []
        self.users: list[dict] = []
        self.password_policy: dict | None = None
        self.kms_keys: list[dict] = []
        self.vpcs: list[dict] = []
        self.subnets: list[dict] = []
        self.security_groups: list[dict] = []
        self.flow_logs: list[dict] = []
        self.route_tables: list[dict] = []
        self.igws: list[dict] = []
        self.nats: list[dict] = []
        self.tgws: list[dict] = []
        self.tgw_attachments: list[dict] = []
        self.vpns: list[dict] = []
        self.nacls: list[dict] = []
        self.endpoints: list[dict] = []
        self.listeners: list[dict] = []
        self.hosted_zones: list[dict] = []
        self.resolver_rules: list[dict] = []
        self.buckets: list[dict] = []
        self.ebs_defaults: list[dict] = []
        # The account-level S3 Block Public Access (S3 Control); none configured by default.
        self.account_pab: tuple[bool, bool, bool, bool] = (False, False, False, False)
        self.volumes: list[dict] = []
        self.rds: list[dict] = []
        self.rds_clusters: list[dict] = []
        self.certs: list[dict] = []
        self.trails: list[dict] = []
        self.recorders: list[dict] = []
        self.tgw_route_tables: list[dict] = []
        self.dx_connections: list[dict] = []
        self.security_services: list[dict] = []
        self.resource_shares: list[dict] = []
        # Alternate contacts: SECURITY, OPERATIONS and BILLING set by the account factory;
        # `None` when they could not be read.
        self.alternate_contacts: list[str] | None = ["BILLING", "OPERATIONS", "SECURITY"]
        # The credential report's root row: (password, MFA, active access keys); password
        # `None` is `not_supported` (centralized root access removed the credentials).
        self.root_credentials: tuple[bool | None, bool, int] = (None, False, 0)

    # ---------------------------------------------------------------- IAM

    def role(self, name: str, trust: dict, *, path: str = "/", tags: dict | None = None,
             inline: dict | None = None, attached: list[str] | None = None,
             boundary: str | None = None, service_linked: bool = False) -> dict:
        r = {
            "arn": f"arn:aws:iam::{self.id}:role{path}{name}",
            "account_id": self.id,
            "region": "global",
            "tags": dict(sorted((tags or {}).items())),
            "source": api("iam:GetAccountAuthorizationDetails"),
            "name": name,
            "path": path,
            "trust_policy": trust,
            "inline_policies": dict(sorted((inline or {}).items())),
            "attached_policy_arns": attached or [],
            "permissions_boundary_arn": boundary,
            "service_linked": service_linked,
        }
        self.roles.append(r)
        return r

    def user(self, name: str, *, keys: list[dict], console: bool, mfa: bool, tags: dict) -> dict:
        u = {
            "arn": f"arn:aws:iam::{self.id}:user/{name}",
            "account_id": self.id,
            "region": "global",
            "tags": dict(sorted(tags.items())),
            "source": api("iam:GetAccountAuthorizationDetails"),
            "name": name,
            "access_keys": keys,
            "console_access": console,
            "mfa_enabled": mfa,
            "inline_policies": {},
            "attached_policy_arns": [],
            "permissions_boundary_arn": None,
        }
        self.users.append(u)
        return u

    def managed_policies(self) -> list[dict]:
        """The managed policies attached in the account (as GetAccountAuthorizationDetails
        returns them), with their default version's document."""
        arns = sorted({a for r in self.roles for a in r["attached_policy_arns"]}
                      | {r["permissions_boundary_arn"] for r in self.roles if r["permissions_boundary_arn"]})
        out = []
        for arn in arns:
            name = arn.rsplit("/", 1)[-1]
            aws_managed = ":aws:policy/" in arn
            out.append({
                "arn": arn,
                "account_id": self.id,
                "region": "global",
                "tags": {} if aws_managed else {"Owner": "platform-team"},
                "source": api("iam:GetAccountAuthorizationDetails"),
                "name": name,
                "aws_managed": aws_managed,
                "document": MANAGED_POLICY_DOCUMENTS[name],
            })
        return out

    # ---------------------------------------------------------------- KMS

    def key_arn(self, region: str, name: str) -> str:
        return f"arn:aws:kms:{region}:{self.id}:key/{uid(self.id, region, name)}"

    def customer_key(self, region: str, name: str, *, rotation: bool | None = True,
                     policy: dict | None = None, tags: dict | None = None,
                     key_spec: str = "SYMMETRIC_DEFAULT", key_usage: str = "ENCRYPT_DECRYPT",
                     key_state: str = "Enabled", mrk: str | None = None,
                     extra_statements: list[dict] | None = None) -> str:
        key_id = mrk or uid(self.id, region, name)
        arn = f"arn:aws:kms:{region}:{self.id}:key/{key_id}"
        if policy is None:
            policy = doc(
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": account_root(self.id)},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                *(extra_statements or []),
                policy_id="key-default-1",
            )
        self.kms_keys.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted((tags or {}).items())),
            "source": api("kms:DescribeKey"),
            "key_id": key_id,
            "key_manager": "CUSTOMER",
            "key_state": key_state,
            "key_spec": key_spec,
            "key_usage": key_usage,
            "multi_region": mrk is not None,
            "rotation_enabled": rotation,
            "policy": policy,
            "aliases": [f"alias/{name}"],
        })
        return arn

    def aws_managed_key(self, region: str, service: str) -> str:
        key_id = uid(self.id, region, "aws", service)
        arn = f"arn:aws:kms:{region}:{self.id}:key/{key_id}"
        # The shape of the policy AWS attaches to `aws/SERVICE` keys.
        policy = doc(
            {
                "Sid": f"Allow access through {service.upper()} for all principals in the account that are authorized to use {service.upper()}",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": self.id,
                        "kms:ViaService": f"{service}.{region}.amazonaws.com",
                    }
                },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": account_root(self.id)},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
            policy_id=f"auto-{service}-2",
        )
        self.kms_keys.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": {},
            "source": api("kms:DescribeKey"),
            "key_id": key_id,
            "key_manager": "AWS",
            "key_state": "Enabled",
            "key_spec": "SYMMETRIC_DEFAULT",
            "key_usage": "ENCRYPT_DECRYPT",
            "multi_region": False,
            "rotation_enabled": True,
            "policy": policy,
            "aliases": [f"alias/aws/{service}"],
        })
        return arn

    # ---------------------------------------------------------------- storage

    def bucket(self, name: str, region: str, *, tags: dict, sse: str | None = "AES256",
               kms_key: str | None = None, pab: tuple[bool, bool, bool, bool] | None = (True, True, True, True),
               tls_policy: bool = False, policy: dict | None = None, versioning: bool = True,
               extra_statements: list[dict] | None = None) -> str:
        arn = f"arn:aws:s3:::{name}"
        statements = list(extra_statements or [])
        if tls_policy:
            statements.insert(0, {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            })
        if policy is None and statements:
            policy = doc(*statements)
        encryption = None
        if sse is not None:
            encryption = {
                "sse_algorithm": sse,
                "kms_key_arn": kms_key,
                "bucket_key_enabled": sse.startswith("aws:kms"),
            }
        self.buckets.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted(tags.items())),
            "source": api("s3:ListBuckets"),
            "name": name,
            "encryption": encryption,
            "policy": policy,
            "public_access_block": None if pab is None else {
                "block_public_acls": pab[0],
                "ignore_public_acls": pab[1],
                "block_public_policy": pab[2],
                "restrict_public_buckets": pab[3],
            },
            "versioning": versioning,
        })
        return arn

    def ebs_default(self, region: str, enabled: bool, kms_key: str | None = None) -> None:
        self.ebs_defaults.append({
            "arn": f"arn:aws:ec2:{region}:{self.id}:ebs-encryption-by-default",
            "account_id": self.id,
            "region": region,
            "tags": {},
            "source": api("ec2:GetEbsEncryptionByDefault"),
            "enabled": enabled,
            "kms_key_arn": kms_key,
        })

    def volume(self, name: str, region: str, *, encrypted: bool, kms_key: str | None,
               size: int, tags: dict) -> str:
        vol_id = "vol-" + hexid(self.id, region, "volume", name)
        arn = f"arn:aws:ec2:{region}:{self.id}:volume/{vol_id}"
        self.volumes.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted({"Name": name, **tags}.items())),
            "source": api("ec2:DescribeVolumes"),
            "volume_id": vol_id,
            "encrypted": encrypted,
            "kms_key_arn": kms_key if encrypted else None,
            "size_gib": size,
        })
        return arn

    def db(self, identifier: str, region: str, engine: str, *, encrypted: bool,
           kms_key: str | None, tags: dict, public: bool = False) -> str:
        arn = f"arn:aws:rds:{region}:{self.id}:db:{identifier}"
        self.rds.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted(tags.items())),
            "source": api("rds:DescribeDBInstances"),
            "identifier": identifier,
            "engine": engine,
            "storage_encrypted": encrypted,
            "kms_key_arn": kms_key if encrypted else None,
            "publicly_accessible": public,
        })
        return arn

    def db_cluster(self, identifier: str, region: str, engine: str, *, encrypted: bool,
                   kms_key: str | None, members: list[str], tags: dict) -> str:
        arn = f"arn:aws:rds:{region}:{self.id}:cluster:{identifier}"
        self.rds_clusters.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted(tags.items())),
            "source": api("rds:DescribeDBClusters"),
            "identifier": identifier,
            "engine": engine,
            "storage_encrypted": encrypted,
            "kms_key_arn": kms_key if encrypted else None,
            **({"members": sorted(members)} if members else {}),
        })
        return arn

    # ---------------------------------------------------------------- certificates

    def cert(self, domain: str, region: str, *, cert_type: str = "AMAZON_ISSUED",
             status: str = "ISSUED", key_algorithm: str = "RSA_2048", not_after: str | None,
             in_use_by: list[str], tags: dict) -> str:
        arn = f"arn:aws:acm:{region}:{self.id}:certificate/{uid(self.id, region, 'acm', domain)}"
        eligibility = None
        if status == "ISSUED":
            eligibility = "ELIGIBLE" if cert_type == "AMAZON_ISSUED" and in_use_by else "INELIGIBLE"
        self.certs.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted(tags.items())),
            "source": api("acm:DescribeCertificate"),
            "domain_name": domain,
            "certificate_type": cert_type,
            "status": status,
            "key_algorithm": key_algorithm,
            "not_after": not_after,
            "in_use_by": in_use_by,
            "renewal_eligibility": eligibility,
        })
        return arn

    def alb(self, region: str, name: str) -> str:
        return (f"arn:aws:elasticloadbalancing:{region}:{self.id}:loadbalancer/app/{name}/"
                f"{hexdigest(self.id, region, 'alb', name, n=16)}")

    def listener(self, region: str, alb_name: str, port: int, protocol: str, *,
                 ssl_policy: str | None = None, redirect: bool = False,
                 scheme: str = "internet-facing") -> str:
        lb = self.alb(region, alb_name)
        arn = lb.replace(":loadbalancer/", ":listener/") + "/" + hexdigest(lb, str(port), n=16)
        self.listeners.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": {},
            "source": api("elasticloadbalancing:DescribeListeners"),
            "load_balancer_arn": lb,
            "load_balancer_name": alb_name,
            "load_balancer_type": "application",
            "scheme": scheme,
            "port": port,
            "protocol": protocol,
            **({"ssl_policy": ssl_policy} if ssl_policy else {}),
            "redirects_to_https": redirect,
        })
        return arn

    # ---------------------------------------------------------------- network

    def vpc(self, name: str, region: str, cidr: str, subnets: list[tuple[str, str, str, bool]],
            *, tags: dict, is_default: bool = False, flow_logs: bool = True,
            security_groups: list[tuple[str, list[tuple[str, int, int, str]]]] = (),
            internet_gateway: bool = False, nat: bool = False, default_route: str | None = None,
            s3_endpoint: bool = False, deny_admin_ports: bool = False,
            open_default_group: bool = False) -> str:
        """A VPC with its subnets, default security group and network ACL, a main route table
        (local route, and `default_route` for 0.0.0.0/0 when given: a transit gateway id) and,
        with `internet_gateway`, an attached internet gateway and a public route table that
        sends 0.0.0.0/0 to it for the subnets marked public (a default VPC's route goes there
        too); with `nat`, a NAT gateway in the first public subnet; with `deny_admin_ports`, the
        network ACL denies SSH, RDP and WinRM from anywhere before it allows everything."""
        vpc_id = "vpc-" + hexid(self.id, region, "vpc", name)
        self.vpcs.append({
            "arn": f"arn:aws:ec2:{region}:{self.id}:vpc/{vpc_id}",
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted({"Name": name, **tags}.items())),
            "source": api("ec2:DescribeVpcs"),
            "vpc_id": vpc_id,
            "cidr_blocks": [cidr],
            "is_default": is_default,
        })
        for sub_name, sub_cidr, az_suffix, public in subnets:
            subnet_id = "subnet-" + hexid(self.id, region, "subnet", name, sub_name)
            self.subnets.append({
                "arn": f"arn:aws:ec2:{region}:{self.id}:subnet/{subnet_id}",
                "account_id": self.id,
                "region": region,
                "tags": dict(sorted({"Name": f"{name}-{sub_name}", **tags}.items())),
                "source": api("ec2:DescribeSubnets"),
                "subnet_id": subnet_id,
                "vpc_id": vpc_id,
                "cidr_block": sub_cidr,
                "availability_zone": region + az_suffix,
                "map_public_ip_on_launch": public,
            })
        # Every VPC has its default security group. The foundation empties it (CIS 5.4); AWS
        # creates it letting members talk to each other and everything out, and default VPCs
        # (and `open_default_group`) keep that.
        open_default = is_default or open_default_group
        default_rules = [("-1", -1, -1, "self")] if open_default else []
        groups = [("default", default_rules)] + list(security_groups)
        everywhere = [{"protocol": "-1", "from_port": -1, "to_port": -1, "source": "0.0.0.0/0"}]
        for sg_name, ingress in groups:
            group_id = "sg-" + hexid(self.id, region, "sg", name, sg_name)
            self.security_groups.append({
                "arn": f"arn:aws:ec2:{region}:{self.id}:security-group/{group_id}",
                "account_id": self.id,
                "region": region,
                "tags": {} if sg_name == "default" else dict(sorted({"Name": sg_name, **tags}.items())),
                "source": api("ec2:DescribeSecurityGroups"),
                "group_id": group_id,
                "name": sg_name,
                "vpc_id": vpc_id,
                "ingress": [
                    {"protocol": p, "from_port": lo, "to_port": hi,
                     "source": group_id if src == "self" else src}
                    for p, lo, hi, src in ingress
                ],
                "egress": [] if sg_name == "default" and not open_default else everywhere,
            })
        if flow_logs:
            self.flow_logs.append({
                "flow_log_id": "fl-" + hexid(self.id, region, "fl", name),
                "region": region,
                "resource_id": vpc_id,
                "traffic_type": "ALL",
                "destination_type": "s3",
            })
        subnet_ids = {sub_name: "subnet-" + hexid(self.id, region, "subnet", name, sub_name)
                      for sub_name, *_ in subnets}
        public = [subnet_ids[n] for n, _, _, is_public in subnets if is_public]
        igw_id = None
        if internet_gateway:
            igw_id = "igw-" + hexid(self.id, region, "igw", name)
            self.igws.append(self.net_resource(region, "internet-gateway", igw_id, name, tags, {
                "internet_gateway_id": igw_id,
                "attached_vpc_ids": [vpc_id],
            }, "ec2:DescribeInternetGateways"))
        main_routes = [{"destination": cidr, "target": "local"}]
        if default_route:
            main_routes.append({"destination": "0.0.0.0/0", "target": default_route})
        elif is_default and igw_id:
            main_routes.append({"destination": "0.0.0.0/0", "target": igw_id})
        if nat and public:
            nat_id = "nat-" + hexid(self.id, region, "nat", name)
            self.nats.append(self.net_resource(region, "natgateway", nat_id, name, tags, {
                "nat_gateway_id": nat_id,
                "vpc_id": vpc_id,
                "subnet_id": public[0],
                "connectivity_type": "public",
                "state": "available",
            }, "ec2:DescribeNatGateways"))
            if not default_route:
                main_routes.append({"destination": "0.0.0.0/0", "target": nat_id})
        main_id = "rtb-" + hexid(self.id, region, "rtb", name, "main")
        self.route_tables.append(self.net_resource(region, "route-table", main_id, f"{name}-main", tags, {
            "route_table_id": main_id,
            "vpc_id": vpc_id,
            "main": True,
            **non_empty({"subnet_ids": [] if is_default
                         else sorted(i for i in subnet_ids.values() if i not in public)}),
            "routes": main_routes,
        }, "ec2:DescribeRouteTables"))
        if igw_id and public and not is_default:
            public_id = "rtb-" + hexid(self.id, region, "rtb", name, "public")
            self.route_tables.append(self.net_resource(region, "route-table", public_id, f"{name}-public", tags, {
                "route_table_id": public_id,
                "vpc_id": vpc_id,
                "main": False,
                "subnet_ids": sorted(public),
                "routes": [{"destination": cidr, "target": "local"},
                           {"destination": "0.0.0.0/0", "target": igw_id}],
            }, "ec2:DescribeRouteTables"))
        nacl_id = "acl-" + hexid(self.id, region, "acl", name)
        self.nacls.append(self.net_resource(region, "network-acl", nacl_id, "", {}, {
            "network_acl_id": nacl_id,
            "vpc_id": vpc_id,
            "is_default": True,
            "subnet_ids": sorted(subnet_ids.values()),
            "entries": ([
                {"rule_number": n, "egress": False, "action": "deny", "protocol": proto, "cidr": "0.0.0.0/0",
                 "from_port": lo, "to_port": hi}
                for n, (proto, lo, hi) in enumerate(
                    [(p, lo, hi) for lo, hi in ((22, 22), (3389, 3389), (5985, 5986)) for p in ("6", "17")],
                    start=10)
            ] if deny_admin_ports else []) + [
                {"rule_number": 100, "egress": False, "action": "allow", "protocol": "-1", "cidr": "0.0.0.0/0"},
                {"rule_number": 100, "egress": True, "action": "allow", "protocol": "-1", "cidr": "0.0.0.0/0"},
            ],
        }, "ec2:DescribeNetworkAcls"))
        if s3_endpoint:
            vpce_id = "vpce-" + hexid(self.id, region, "vpce", name, "s3")
            self.endpoints.append(self.net_resource(region, "vpc-endpoint", vpce_id, f"{name}-s3", tags, {
                "vpc_endpoint_id": vpce_id,
                "vpc_id": vpc_id,
                "service_name": f"com.amazonaws.{region}.s3",
                "endpoint_type": "Gateway",
                "state": "available",
            }, "ec2:DescribeVpcEndpoints"))
        return vpc_id

    def arn(self, region: str, kind: str, *parts: str) -> str:
        """The ARN `vpc` gives a resource: `kind` is the id prefix and ARN type (`vpc`, `sg`,
        `igw`, `acl`), `parts` the names its id is derived from."""
        arn_type = {"vpc": "vpc", "sg": "security-group", "igw": "internet-gateway",
                    "acl": "network-acl", "tgw": "transit-gateway", "vpn": "vpn-connection",
                    "subnet": "subnet"}[kind]
        return f"arn:aws:ec2:{region}:{self.id}:{arn_type}/{kind}-" + hexid(self.id, region, kind, *parts)

    def net_resource(self, region: str, kind: str, rid: str, name: str, tags: dict, fields: dict,
                     operation: str) -> dict:
        """The common fields of an EC2 network resource, then `fields`."""
        named = {"Name": name, **tags} if name else {}
        return {
            "arn": f"arn:aws:ec2:{region}:{self.id}:{kind}/{rid}",
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted(named.items())),
            "source": api(operation),
            **fields,
        }

    def transit_gateway(self, name: str, region: str, *, tags: dict) -> str:
        tgw_id = "tgw-" + hexid(self.id, region, "tgw", name)
        self.tgws.append(self.net_resource(region, "transit-gateway", tgw_id, name, tags, {
            "transit_gateway_id": tgw_id,
            "owner_id": self.id,
            "state": "available",
            "auto_accept_shared_attachments": False,
        }, "ec2:DescribeTransitGateways"))
        return tgw_id

    def tgw_attachment(self, tgw_id: str, region: str, kind: str, resource_id: str, owner: str,
                       name: str, *, tags: dict) -> str:
        """An attachment as the transit gateway's owner sees it (`resource_owner_id` is the
        attached VPC's account for `vpc` attachments)."""
        att_id = "tgw-attach-" + hexid(self.id, region, "tgw-attach", name)
        self.tgw_attachments.append(self.net_resource(region, "transit-gateway-attachment", att_id, name, tags, {
            "attachment_id": att_id,
            "transit_gateway_id": tgw_id,
            "resource_type": kind,
            "resource_id": resource_id,
            "resource_owner_id": owner,
            "state": "available",
        }, "ec2:DescribeTransitGatewayAttachments"))
        return att_id

    def vpn(self, name: str, region: str, *, tags: dict, transit_gateway: str | None = None) -> str:
        vpn_id = "vpn-" + hexid(self.id, region, "vpn", name)
        self.vpns.append(self.net_resource(region, "vpn-connection", vpn_id, name, tags, {
            "vpn_connection_id": vpn_id,
            "customer_gateway_id": "cgw-" + hexid(self.id, region, "cgw", name),
            **({"transit_gateway_id": transit_gateway} if transit_gateway
               else {"vpn_gateway_id": "vgw-" + hexid(self.id, region, "vgw", name)}),
            "state": "available",
            "static_routes_only": False,
        }, "ec2:DescribeVpnConnections"))
        return vpn_id

    def hosted_zone(self, name: str, *, private: bool, records: int, tags: dict,
                    vpcs: list[tuple[str, str]] = ()) -> str:
        """A hosted zone; a private one is associated with `vpcs` (VPC id, region)."""
        zone_id = "Z" + alnum_upper(self.id, "zone", name, n=13)
        arn = f"arn:aws:route53:::hostedzone/{zone_id}"
        self.hosted_zones.append({
            "arn": arn,
            "account_id": self.id,
            "region": "global",
            "tags": dict(sorted(tags.items())),
            "source": api("route53:ListHostedZones"),
            "zone_id": zone_id,
            "name": name,
            "private": private,
            "record_count": records,
            **({"vpc_associations": [{"vpc_id": v, "region": r} for v, r in vpcs]} if private else {}),
        })
        return arn

    def resolver_rule(self, name: str, region: str, domain: str, targets: list[str], *,
                      share_status: str, tags: dict) -> str:
        rule_id = "rslvr-rr-" + hexid(self.id, region, "rslvr", name)
        arn = f"arn:aws:route53resolver:{region}:{self.id}:resolver-rule/{rule_id}"
        self.resolver_rules.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted({"Name": name, **tags}.items())),
            "source": api("route53resolver:ListResolverRules"),
            "rule_id": rule_id,
            "domain_name": domain,
            "rule_type": "FORWARD",
            "target_ips": targets,
            "resolver_endpoint_id": "rslvr-out-" + hexid(self.id, region, "rslvr-out", n=17),
            "owner_id": self.id,
            "share_status": share_status,
        })
        return arn

    # ---------------------------------------------------------------- logging

    def trail(self, name: str, region: str, *, multi_region: bool = True, logging: bool = True,
              validation: bool = True, kms_key: str | None = None, tags: dict | None = None) -> str:
        arn = f"arn:aws:cloudtrail:{region}:{self.id}:trail/{name}"
        self.trails.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted((tags or {}).items())),
            "source": api("cloudtrail:DescribeTrails"),
            "name": name,
            "is_multi_region": multi_region,
            "is_organization_trail": False,
            "is_logging": logging,
            "log_file_validation": validation,
            "kms_key_arn": kms_key,
            "s3_bucket_name": TRAIL_BUCKET,
        })
        return arn

    def recorder(self, region: str, *, recording: bool = True, all_supported: bool = True) -> None:
        self.recorders.append({
            "arn": f"arn:aws:config:{region}:{self.id}:configuration-recorder/default",
            "account_id": self.id,
            "region": region,
            "tags": {},
            "source": api("config:DescribeConfigurationRecorders"),
            "name": "default",
            "recording": recording,
            "all_supported": all_supported,
        })

    def tgw_route_table(self, name: str, region: str, tgw_id: str, *, associations: list[str],
                        propagations: list[str], static: list[tuple[str, str]], tags: dict) -> str:
        """A transit gateway route table: its propagated routes (one per propagating
        attachment, with an illustrative destination) and `static` (destination, attachment)."""
        rtb_id = "tgw-rtb-" + hexid(self.id, region, "tgw-rtb", name)
        routes = [{"destination": dest, "route_type": "static", "state": "active", "attachment_ids": [att]}
                  for dest, att in static]
        routes += [{"destination": f"10.{200 + i}.0.0/16", "route_type": "propagated", "state": "active",
                    "attachment_ids": [att]} for i, att in enumerate(propagations)]
        self.tgw_route_tables.append(self.net_resource(region, "transit-gateway-route-table", rtb_id, name, tags, {
            "route_table_id": rtb_id,
            "transit_gateway_id": tgw_id,
            "default_association": False,
            "default_propagation": False,
            "associations": associations,
            "propagations": propagations,
            "routes": routes,
        }, "ec2:DescribeTransitGatewayRouteTables"))
        return f"arn:aws:ec2:{region}:{self.id}:transit-gateway-route-table/{rtb_id}"

    def dx_connection(self, name: str, region: str, location: str, bandwidth: str, *, tags: dict) -> str:
        dx_id = "dxcon-" + alnum_upper(self.id, region, "dxcon", name, n=8).lower()
        arn = f"arn:aws:directconnect:{region}:{self.id}:dxcon/{dx_id}"
        self.dx_connections.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted({"Name": name, **tags}.items())),
            "source": api("directconnect:DescribeConnections"),
            "connection_id": dx_id,
            "name": name,
            "state": "available",
            "location": location,
            "bandwidth": bandwidth,
        })
        return arn

    def security_service(self, service: str, region: str, enabled: bool, *, organization_wide: bool = False,
                         detail: str | None = None) -> str:
        prefix = {"macie": "macie2"}.get(service, service)
        operation = {"guardduty": "guardduty:GetDetector", "securityhub": "securityhub:DescribeHub",
                     "access-analyzer": "access-analyzer:ListAnalyzers", "macie": "macie2:GetMacieSession"}[service]
        arn = f"arn:aws:{prefix}:{region}:{self.id}:rampart-enablement"
        self.security_services.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": {},
            "source": api(operation),
            "service": service,
            "enabled": enabled,
            "organization_wide": organization_wide,
            **({"detail": detail} if detail else {}),
        })
        return arn

    def resource_share(self, name: str, region: str, *, principals: list[str], resources: list[str],
                       tags: dict) -> str:
        arn = f"arn:aws:ram:{region}:{self.id}:resource-share/{uid(self.id, 'ram', name)}"
        self.resource_shares.append({
            "arn": arn,
            "account_id": self.id,
            "region": region,
            "tags": dict(sorted(tags.items())),
            "source": api("ram:GetResourceShares"),
            "name": name,
            "status": "ACTIVE",
            "allow_external_principals": False,
            "principals": principals,
            "resources": resources,
        })
        return arn

    # ---------------------------------------------------------------- output

    def to_json(self) -> dict:
        key, account_id, name, parent, account_tags = next(a[:5] for a in ACCOUNTS if a[0] == self.key)
        return {
            "id": account_id,
            "arn": f"arn:aws:organizations::{MGMT}:account/{ORG_ID}/{account_id}",
            "account_id": account_id,
            "region": "global",
            "name": name,
            "email": f"aws+{name}@{DOMAIN}",
            "status": "ACTIVE",
            "parent_id": ROOT_ID if parent is None else OU_ID[parent],
            "tags": dict(sorted(account_tags.items())),
            "source": api("organizations:ListAccounts"),
            "enabled_regions": ENABLED_REGIONS[key],
            "iam": {
                "roles": self.roles,
                "users": self.users,
                "password_policy": self.password_policy,
                "managed_policies": self.managed_policies(),
                "credential_report": self.credential_report(),
            },
            "kms_keys": self.kms_keys,
            "network": {
                "vpcs": self.vpcs,
                "subnets": self.subnets,
                "security_groups": self.security_groups,
                "flow_logs": self.flow_logs,
                # The model leaves these out when empty.
                **non_empty({
                    "route_tables": self.route_tables,
                    "internet_gateways": self.igws,
                    "nat_gateways": self.nats,
                    "transit_gateways": self.tgws,
                    "transit_gateway_attachments": self.tgw_attachments,
                    "vpn_connections": self.vpns,
                    "network_acls": self.nacls,
                    "vpc_endpoints": self.endpoints,
                    "load_balancer_listeners": self.listeners,
                    "transit_gateway_route_tables": self.tgw_route_tables,
                    "direct_connect_connections": self.dx_connections,
                }),
            },
            "storage": {
                "s3_buckets": self.buckets,
                "ebs_encryption_defaults": self.ebs_defaults,
                "ebs_volumes": self.volumes,
                "rds_instances": self.rds,
                **({"rds_clusters": self.rds_clusters} if self.rds_clusters else {}),
                "account_public_access_block": {
                    "block_public_acls": self.account_pab[0],
                    "ignore_public_acls": self.account_pab[1],
                    "block_public_policy": self.account_pab[2],
                    "restrict_public_buckets": self.account_pab[3],
                },
            },
            "certificates": {"acm": self.certs},
            "logging": {
                "cloudtrail_trails": self.trails,
                "config_recorders": self.recorders,
            },
            **({"dns": non_empty({"hosted_zones": self.hosted_zones,
                                  "resolver_rules": self.resolver_rules})}
               if self.hosted_zones or self.resolver_rules else {}),
            **non_empty({"security_services": self.security_services,
                         "resource_shares": self.resource_shares}),
            **({"alternate_contacts": [
                {"contact_type": c, "name": f"{name} {c.lower()} contact",
                 "email_address": f"aws-{c.lower()}+{name}@{DOMAIN}"}
                for c in self.alternate_contacts]} if self.alternate_contacts is not None else {}),
        }

    def credential_report(self) -> dict:
        password, mfa, keys = self.root_credentials
        root = {"user": "<root_account>", "arn": f"arn:aws:iam::{self.id}:root"}
        if password is not None:
            root["password_enabled"] = password
        root |= {"mfa_active": mfa, "active_access_keys": keys}
        if keys:
            root["access_key_last_used"] = "2026-11-02T08:14:00Z"
        root["active_signing_certificates"] = 0
        users = [{
            "user": u["name"],
            "arn": u["arn"],
            "password_enabled": u["console_access"],
            "mfa_active": u["mfa_enabled"],
            "active_access_keys": sum(1 for k in u["access_keys"] if k["status"] == "Active"),
            "active_signing_certificates": 0,
        } for u in self.users]
        return {"generated_at": "2026-11-20T05:42:00Z", "root": root, "users": users}


# --------------------------------------------------------------------------- building blocks


def non_empty(fields: dict) -> dict:
    """The fields whose list is not empty, as the model serializes them."""
    return {k: v for k, v in fields.items() if v}


def trust_account(principal: str | list[str], *, external_id: str | None = None) -> dict:
    stmt: dict = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if external_id:
        stmt["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return doc(stmt)


def trust_service(service: str) -> dict:
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def baseline_roles(a: Acct) -> None:
    """The roles account vending creates in every account."""
    if a.key != "management":
        a.role(
            "OrganizationAccountAccessRole",
            trust_account(account_root(MGMT)),
            attached=["arn:aws:iam::aws:policy/AdministratorAccess"],
        )
    if a.key == "app-prod":
        # Added by hand so that the pipeline could bootstrap the account: the builder
        # account can now assume a foundation role.
        a.role(
            "stacksets-exec-4f1c2a9e7b3d",
            trust_account([account_root(MGMT), account_root(ACCT["builder"])]),
            attached=["arn:aws:iam::aws:policy/AdministratorAccess"],
        )
        plant("foundation-role-trust-restricted", f"arn:aws:iam::{a.id}:role/stacksets-exec-4f1c2a9e7b3d",
              "fail", "the builder account can assume it")
        plant("foundation-role-trust-restricted", f"arn:aws:iam::{a.id}:role/OrganizationAccountAccessRole",
              "pass", "the management account only")
    a.role(
        "rampart-audit",
        trust_account(AUDIT_SCANNER_ROLE, external_id="rampart-o-a1b2c3d4e5"),
        tags={"Owner": "security-engineering", "ManagedBy": "stacksets"},
        attached=[
            "arn:aws:iam::aws:policy/SecurityAudit",
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        ],
    )
    # The Config service-linked role of the accounts that aggregate Config data.
    if a.key in ("management", "audit"):
        a.role(
            "AWSServiceRoleForConfig",
            trust_service("config.amazonaws.com"),
            path="/aws-service-role/config.amazonaws.com/",
            attached=["arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"],
            service_linked=True,
        )


def sso_role(a: Acct, permission_set: str, suffix: str, attached: list[str]) -> None:
    a.role(
        f"AWSReservedSSO_{permission_set}_{suffix}",
        doc({
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{a.id}:saml-provider/AWSSSO_{suffix}_DO_NOT_DELETE"},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }),
        path="/aws-reserved/sso.amazonaws.com/eu-west-1/",
        attached=attached,
    )


def deploy_role(a: Acct, name: str, attached: list[str]) -> None:
    a.role(
        name,
        trust_account(GITHUB_DEPLOY_ROLE),
        tags={"Owner": "platform-engineering", "ManagedBy": "terraform"},
        attached=attached,
        boundary=f"arn:aws:iam::{a.id}:policy/deploy-permissions-boundary",
    )


def recorders(a: Acct, regions: list[str]) -> None:
    for region in regions:
        a.recorder(region)


def secure_trail_bucket_statements(bucket_arn: str, accounts: list[str]) -> list[dict]:
    return [
        {
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
        },
        {
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": [f"{bucket_arn}/AWSLogs/{acct}/*" for acct in accounts],
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
        },
    ]


def tags(owner: str, app: str, cost_center: str, **extra: str) -> dict:
    return {"Owner": owner, "Application": app, "CostCenter": cost_center, **extra}


def cfn_stack(a: Acct, region: str, stack: str, logical_ids: dict[str, str]) -> None:
    """Tags the resources of `a` named by ARN in `logical_ids` as CloudFormation tags what
    stack `stack` created: the stack's name and id, and each resource's logical id."""
    stack_id = f"arn:aws:cloudformation:{region}:{a.id}:stack/{stack}/{uid(a.id, region, 'stack', stack)}"
    found = set()
    for resources in vars(a).values():
        if not isinstance(resources, list):
            continue
        for r in resources:
            if isinstance(r, dict) and r.get("arn") in logical_ids:
                r["tags"] = dict(sorted({
                    **r["tags"],
                    "aws:cloudformation:logical-id": logical_ids[r["arn"]],
                    "aws:cloudformation:stack-id": stack_id,
                    "aws:cloudformation:stack-name": stack,
                }.items()))
                found.add(r["arn"])
    assert found == set(logical_ids), set(logical_ids) - found


def sandbox_vpc(a: Acct) -> None:
    a.vpc(
        "default", EU_WEST_1, "172.31.0.0/16",
        [("a", "172.31.0.0/20", "a", True), ("b", "172.31.16.0/20", "b", True)],
        tags={}, is_default=True, flow_logs=False, internet_gateway=True,
        security_groups=[("launch-wizard-1", [("tcp", 22, 22, "0.0.0.0/0")])],
    )


def workload_vpc(a: Acct, name: str, region: str, second_octet: int, tag: dict,
                 *, alb: bool = True, db_port: int | None = 5432) -> None:
    base = f"10.{second_octet}"
    groups: list = []
    if alb:
        groups.append(("alb-public", [("tcp", 443, 443, "0.0.0.0/0")]))
        groups.append(("app", [("tcp", 8080, 8080, f"{base}.0.0/16")]))
    if db_port:
        groups.append(("database", [("tcp", db_port, db_port, f"{base}.0.0/16")]))
    # Only VPCs with a load balancer have a public subnet; egress goes through the network account.
    subnets = [("public-a", f"{base}.0.0/24", "a", False)] if alb else []
    subnets += [("private-a", f"{base}.16.0/20", "a", False), ("private-b", f"{base}.32.0/20", "b", False)]
    a.vpc(name, region, f"{base}.0.0/16", subnets, tags=tag, security_groups=groups,
          default_route=CORE_TGW.get(region), s3_endpoint=True)


# --------------------------------------------------------------------------- accounts


def management() -> Acct:
    a = Acct("management")
    t = tags("cloud-platform", "organization", "CC-1000")
    trail_key = a.customer_key(
        EU_WEST_1, "cloudtrail-management", tags=t,
        extra_statements=[{
            "Sid": "AllowCloudTrailToEncryptLogs",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{MGMT}:trail/*"}},
        }],
    )
    a.aws_managed_key(EU_WEST_1, "s3")
    a.bucket(f"billing-reports-{MGMT}", EU_WEST_1, tags=tags("finops", "cur", "CC-1000"),
             sse="AES256", tls_policy=True)
    a.trail("management-trail", EU_WEST_1, kms_key=trail_key, tags=t)
    plant("cloudtrail-multi-region", a.id, "pass", "own multi-region trail, logging, validation on")
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    a.role(
        "AWSServiceRoleForOrganizations", trust_service("organizations.amazonaws.com"),
        path="/aws-service-role/organizations.amazonaws.com/",
        attached=["arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy"],
        service_linked=True,
    )
    sso_role(a, "AdministratorAccess", "4f2c9e1a7b3d5e60", ["arn:aws:iam::aws:policy/AdministratorAccess"])
    a.user("break-glass-admin", keys=[], console=True, mfa=True,
           tags={"Owner": "cloud-platform", "Purpose": "emergency access (runbook SEC-01)"})
    a.password_policy = {"minimum_length": 16, "require_symbols": True, "require_numbers": True, "max_age_days": 90}
    return a


def audit() -> Acct:
    a = Acct("audit")
    t = tags("security-engineering", "security-tooling", "CC-1100")
    key = a.customer_key(EU_WEST_1, "security-tooling", tags=t)
    a.aws_managed_key(EU_WEST_1, "s3")
    findings = a.bucket(f"security-findings-{a.id}-eu-west-1", EU_WEST_1, tags=t,
                        sse="aws:kms", kms_key=key, tls_policy=True)
    for rule in ("s3-classified-cmk", "s3-classified-public-access-block", "s3-classified-secure-transport"):
        plant(rule, findings, "pass", "confidential (account tag), customer key, PAB, TLS-only policy")
    athena = a.bucket(f"audit-athena-results-{a.id}", EU_WEST_1, tags=t, sse="AES256")
    plant("s3-classified-cmk", athena, "fail", "confidential (account tag) with SSE-S3 (AES256)")
    plant("s3-classified-secure-transport", athena, "fail", "confidential, no bucket policy")
    a.trail("audit-trail", EU_WEST_1, kms_key=key, tags=t)
    plant("cloudtrail-multi-region", a.id, "pass", "own compliant trail")
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    a.role(
        "rampart-scanner", trust_service("ecs-tasks.amazonaws.com"), tags=t,
        inline={"assume-rampart-audit": doc({
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::*:role/rampart-audit",
            "Condition": {"StringEquals": {"aws:ResourceOrgID": ORG_ID}},
        })},
    )
    return a


def log_archive() -> Acct:
    a = Acct("log-archive")
    t = tags("security-engineering", "log-archive", "CC-1100")
    mrk = "mrk-" + hexdigest(a.id, "log-archive-mrk", n=32)
    trail_statements = [{
        "Sid": "AllowCloudTrailToEncryptLogs",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceOrgID": ORG_ID}},
    }]
    keys = {
        region: a.customer_key(region, "log-archive", mrk=mrk, tags=t, extra_statements=trail_statements)
        for region in (EU_WEST_1, EU_CENTRAL_1, US_EAST_1)
    }
    plant("kms-key-policy-no-wildcard-principal", keys[EU_WEST_1], "pass",
          "root-account delegation and a service principal")
    all_accounts = [acct for _, acct, *_ in ACCOUNTS]
    trails = a.bucket(
        TRAIL_BUCKET, EU_WEST_1, tags=t, sse="aws:kms", kms_key=keys[EU_WEST_1], tls_policy=True,
        extra_statements=secure_trail_bucket_statements(f"arn:aws:s3:::{TRAIL_BUCKET}", all_accounts),
    )
    plant("data-residency-approved-regions", trails, "pass", "restricted in eu-west-1")
    a.bucket(f"org-cloudtrail-logs-replica-{a.id}", EU_CENTRAL_1, tags=t, sse="aws:kms",
             kms_key=keys[EU_CENTRAL_1], tls_policy=True)
    a.bucket(f"org-config-history-{a.id}", EU_WEST_1, tags=t, sse="aws:kms",
             kms_key=keys[EU_WEST_1], tls_policy=True)
    flow = a.bucket(f"vpc-flow-logs-{a.id}-us-east-1", US_EAST_1, tags=t, sse="aws:kms",
                    kms_key=keys[US_EAST_1], tls_policy=True)
    plant("data-residency-approved-regions", flow, "fail", "restricted (account tag) bucket in us-east-1")
    a.trail("log-archive-trail", EU_WEST_1, kms_key=keys[EU_WEST_1], tags=t)
    plant("cloudtrail-multi-region", a.id, "pass", "own compliant trail")
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    return a


def network() -> Acct:
    a = Acct("network")
    t = tags("network-engineering", "core-network", "CC-1200")
    hsm = a.customer_key(EU_WEST_1, "network-hsm-backed", rotation=False, tags={**t, "KeyStore": "cloudhsm"})
    plant("kms-key-rotation", hsm, "waived", "rotation off; covered by the NET-12 waiver (expires 2027-06-30)")
    a.aws_managed_key(EU_WEST_1, "ebs")
    a.bucket(f"network-config-backups-{a.id}", EU_WEST_1, tags=t, sse="AES256")
    dns = a.bucket(f"dns-query-logs-{a.id}", EU_WEST_1, tags={**t, "DataClassification": "confidential"},
                   sse="aws:kms", kms_key=None, tls_policy=True)
    plant("s3-classified-cmk", dns, "fail", "confidential (own tag), aws:kms with the AWS managed key aws/s3")
    plant("s3-classified-secure-transport", dns, "pass", "TLS-only bucket policy")
    for region in DEFAULT_REGIONS:
        a.ebs_default(region, True)
    # The hub: a transit gateway per region; egress VPCs with internet and NAT gateways, an
    # ingress VPC for public load balancers, an inspection VPC; every workload VPC attached.
    for region in (EU_WEST_1, EU_CENTRAL_1):
        assert a.transit_gateway(f"core-{region}", region, tags=t) == CORE_TGW[region]
    own = [
        a.vpc("egress-eu-west-1", EU_WEST_1, "10.0.0.0/20",
              [("public-a", "10.0.0.0/24", "a", True), ("public-b", "10.0.1.0/24", "b", True),
               ("tgw-a", "10.0.4.0/28", "a", False)], tags=t, internet_gateway=True, nat=True,
              deny_admin_ports=True),
        a.vpc("inspection-eu-west-1", EU_WEST_1, "10.0.16.0/20",
              [("firewall-a", "10.0.16.0/28", "a", False), ("tgw-a", "10.0.20.0/28", "a", False)],
              tags=t, default_route=CORE_TGW[EU_WEST_1]),
        a.vpc("ingress-eu-west-1", EU_WEST_1, "10.0.32.0/20",
              [("public-a", "10.0.32.0/24", "a", True), ("public-b", "10.0.33.0/24", "b", True)],
              tags=t, internet_gateway=True, deny_admin_ports=True),
    ]
    for name in ("egress-eu-west-1", "ingress-eu-west-1"):
        plant("igw-only-in-internet-vpcs", a.arn(EU_WEST_1, "igw", name), "pass", "designated internet VPC")
        plant("nacl-admin-ports-not-open-to-internet", a.arn(EU_WEST_1, "acl", name), "pass",
              "denies SSH, RDP and WinRM (tcp and udp) before allowing all")
    attached: dict[str, str] = {}
    for vpc_id, name in zip(own, ["egress-eu-west-1", "inspection-eu-west-1", "ingress-eu-west-1"]):
        attached[name] = a.tgw_attachment(CORE_TGW[EU_WEST_1], EU_WEST_1, "vpc", vpc_id, a.id, name, tags=t)
    egress_central = a.vpc("egress-eu-central-1", EU_CENTRAL_1, "10.64.0.0/20",
                           [("public-a", "10.64.0.0/24", "a", True), ("tgw-a", "10.64.4.0/28", "a", False)],
                           tags=t, internet_gateway=True, nat=True, deny_admin_ports=True)
    attached["egress-eu-central-1"] = a.tgw_attachment(CORE_TGW[EU_CENTRAL_1], EU_CENTRAL_1, "vpc",
                                                       egress_central, a.id, "egress-eu-central-1", tags=t)
    for key, region, name in TGW_ATTACHED:
        attached[name] = a.tgw_attachment(CORE_TGW[region], region, "vpc", vpc_id_of(key, region, name),
                                          ACCT[key], f"{key}-{name}", tags=t)
    # On-premises: one site-to-site VPN to the data centre, terminated on the transit gateway.
    plant("transit-gateway-only-in-network-account", a.arn(EU_WEST_1, "tgw", f"core-{EU_WEST_1}"), "pass",
          "owned by the network account")
    dc1 = a.vpn("onprem-dc1", EU_WEST_1, tags=t, transit_gateway=CORE_TGW[EU_WEST_1])
    plant("vpn-only-in-network-account", a.arn(EU_WEST_1, "vpn", "onprem-dc1"), "pass", "in the network account")
    attached["onprem-dc1"] = a.tgw_attachment(CORE_TGW[EU_WEST_1], EU_WEST_1, "vpn", dc1, a.id, "onprem-dc1",
                                              tags=t)
    a.dx_connection("dx-dc1-10g", EU_WEST_1, "EqLD5", "10Gbps", tags=t)
    plant("direct-connect-only-in-network-account", "dx-dc1-10g", "pass", "in the network account")
    # Route tables: production and non-production apart, shared services and on-premises
    # reachable from both. The non-production table has a static route into payments-prod
    # (added for a one-off data migration and never removed).
    hub = ["shared-services", "egress-eu-west-1", "inspection-eu-west-1", "onprem-dc1"]
    prod = ["storefront-prod", "payments-prod"]
    nonprod = ["storefront-preprod", "builder"]
    ids = lambda names: [attached[n] for n in names]  # noqa: E731
    rtb = a.tgw_route_table("prod-eu-west-1", EU_WEST_1, CORE_TGW[EU_WEST_1], associations=ids(prod),
                            propagations=ids(prod + hub), static=[], tags=t)
    plant("transit-gateway-route-separation", rtb, "pass", "production attachments reach production and the hub")
    rtb = a.tgw_route_table("nonprod-eu-west-1", EU_WEST_1, CORE_TGW[EU_WEST_1], associations=ids(nonprod),
                            propagations=ids(nonprod + hub),
                            static=[("10.30.0.0/16", attached["payments-prod"])], tags=t)
    plant("transit-gateway-route-separation", rtb, "fail", "static route from pre-production to payments-prod")
    a.tgw_route_table("hub-eu-west-1", EU_WEST_1, CORE_TGW[EU_WEST_1],
                      associations=ids(hub + ["ingress-eu-west-1"]), propagations=ids(prod + nonprod + hub),
                      static=[], tags=t)
    a.tgw_route_table("core-eu-central-1", EU_CENTRAL_1, CORE_TGW[EU_CENTRAL_1],
                      associations=ids(["payments-settlement", "egress-eu-central-1"]),
                      propagations=ids(["payments-settlement", "egress-eu-central-1"]),
                      static=[("0.0.0.0/0", attached["egress-eu-central-1"])], tags=t)
    # DNS: private zones and the forwarding rule to the data centre live in the hub and are
    # shared with the organization.
    every_vpc = [(vpc_id_of(key, region, name), region) for key, region, name in TGW_ATTACHED]
    hub_zone = a.hosted_zone("aws.example.internal.", private=True, records=42, tags=t, vpcs=every_vpc)
    prod_zone = a.hosted_zone("prod.example.internal.", private=True, records=18, tags={**t, "Environment": "prod"},
                              vpcs=[(vpc_id_of("app-prod", EU_WEST_1, "storefront-prod"), EU_WEST_1),
                                    (vpc_id_of("payments-prod", EU_WEST_1, "payments-prod"), EU_WEST_1),
                                    (vpc_id_of("shared-services", EU_WEST_1, "shared-services"), EU_WEST_1)])
    plant("private-hosted-zone-vpc-environment", prod_zone, "pass", "prod zone in prod and shared VPCs only")
    preprod_zone = a.hosted_zone("preprod.example.internal.", private=True, records=11,
                                 tags={**t, "Environment": "preprod"},
                                 vpcs=[(vpc_id_of("app-preprod", EU_WEST_1, "storefront-preprod"), EU_WEST_1),
                                       (vpc_id_of("app-prod", EU_WEST_1, "storefront-prod"), EU_WEST_1)])
    plant("private-hosted-zone-vpc-environment", preprod_zone, "fail", "preprod zone also answers in storefront-prod")
    plant("private-hosted-zone-in-network-account", hub_zone, "pass", "private zone in the network hub")
    a.hosted_zone("example.com.", private=False, records=12, tags=t)
    forward = a.resolver_rule("corp-forward", EU_WEST_1, "corp.example.internal.", ["10.200.0.53", "10.200.1.53"],
                              share_status="SHARED_BY_ME", tags=t)
    plant("resolver-rule-owned-by-network-account", forward, "pass", "owned by the hub, shared with the organization")
    plant("resolver-forward-targets-private", forward, "pass", "forwards to the data centre's private DNS servers")
    a.trail("network-trail", EU_WEST_1, tags=t)
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    return a


def shared_services() -> Acct:
    a = Acct("shared-services")
    t = tags("platform-engineering", "shared-services", "CC-1200")
    key_eu = a.customer_key(EU_WEST_1, "shared-services", tags=t)
    key_fra = a.customer_key(EU_CENTRAL_1, "shared-services-secrets", tags=t)
    a.customer_key(EU_WEST_1, "code-signing", rotation=None, key_spec="RSA_2048", key_usage="SIGN_VERIFY", tags=t)
    plant("kms-key-rotation", a.key_arn(EU_WEST_1, "code-signing"), "not applicable",
          "asymmetric RSA_2048 signing key, rotation_enabled null")
    ami = a.customer_key(
        EU_WEST_1, "shared-ami-encryption", tags=t,
        policy=doc(
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": account_root(a.id)},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowWorkloadAccountsToUseSharedAmis",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": [ACCT["app-preprod"], ACCT["app-prod"], ACCT["payments-prod"]]}},
            },
            policy_id="key-consolepolicy-3",
        ),
    )
    plant("kms-key-policy-no-wildcard-principal", ami, "pass", "Principal * restricted by kms:CallerAccount")
    a.bucket(f"shared-artifacts-{a.id}", EU_WEST_1, tags=t, sse="aws:kms", kms_key=key_eu)
    bad = a.bucket(f"golden-ami-build-logs-{a.id}", EU_WEST_1,
                   tags={**t, "DataClassification": "Confidential"}, sse="AES256")
    plant("data-store-classification", bad, "fail", "own tag `Confidential` is not a valid level (case)")
    export = a.bucket(f"secrets-export-{a.id}-eu-central-1", EU_CENTRAL_1,
                      tags={**t, "DataClassification": "restricted"}, sse="aws:kms", kms_key=key_fra,
                      pab=(True, True, False, True), tls_policy=True)
    plant("s3-classified-public-access-block", export, "fail", "restricted, BlockPublicPolicy false")
    plant("s3-classified-cmk", export, "pass", "customer key in the same account and region")
    legacy = a.cert(f"partner-gateway.{DOMAIN}", US_EAST_1, cert_type="IMPORTED", key_algorithm="RSA_1024",
                    not_after="2027-02-11T23:59:59Z", in_use_by=[a.alb(US_EAST_1, "partner-gateway")], tags=t)
    plant("acm-certificate-key-algorithm", legacy, "fail",
          "RSA_1024; its waiver (CHG-2291) expired 2026-09-30, so it fails and the run warns")
    internal = a.cert(f"internal.{DOMAIN}", EU_WEST_1, cert_type="PRIVATE", key_algorithm="EC_prime256v1",
                      not_after="2027-09-30T23:59:59Z", in_use_by=[a.alb(EU_WEST_1, "internal-tools")], tags=t)
    plant("acm-certificate-key-algorithm", internal, "pass", "EC_prime256v1")
    for region in DEFAULT_REGIONS:
        a.ebs_default(region, True)
    a.volume("jenkins-agent-cache", EU_WEST_1, encrypted=True, kms_key=key_eu, size=200, tags=t)
    workload_vpc(a, "shared-services", EU_WEST_1, 5, t, alb=True, db_port=None)
    a.trail("shared-services-trail", EU_WEST_1, tags=t)
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    a.role(
        "vendor-monitoring",
        trust_account(account_root("777766665555")),
        tags={"Owner": "observability", "Vendor": "example-apm"},
        attached=["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"],
    )
    plant("iam-trust-cross-account-unconditioned", f"arn:aws:iam::{a.id}:role/vendor-monitoring", "fail",
          "third-party account without sts:ExternalId")
    # A shared automation role the sandbox can assume, and production trusts: a trust chain.
    a.role("platform-automation", trust_account(account_root("123456789012")), tags=t,
           inline={"assume": doc(_allow("sts:AssumeRole"))})
    return a


def builder() -> Acct:
    a = Acct("builder")
    t = tags("platform-engineering", "ci-cd", "CC-1300")
    key = a.customer_key(EU_WEST_1, "pipeline-artifacts", tags=t)
    artifacts = a.bucket(f"builder-artifacts-{a.id}", EU_WEST_1, tags=t, sse="AES256", tls_policy=True,
                         extra_statements=[{
                             "Sid": "DeploymentTargetsRead",
                             "Effect": "Allow",
                             "Principal": {"AWS": [account_root(ACCT["app-preprod"]), account_root(ACCT["app-prod"]),
                                                   account_root(ACCT["payments-prod"])]},
                             "Action": "s3:GetObject",
                             "Resource": f"arn:aws:s3:::builder-artifacts-{a.id}/*",
                         }])
    plant("s3-bucket-secure-transport", artifacts, "pass", "Deny on aws:SecureTransport false")
    plant("artifact-flow-forward-only", artifacts, "pass", "deployment targets may only read")
    reports = a.bucket(f"builder-deploy-reports-{a.id}", EU_WEST_1, tags=t, sse="AES256", tls_policy=True,
                       extra_statements=[{
                           "Sid": "ProductionUploadsReports",
                           "Effect": "Allow",
                           "Principal": {"AWS": account_root(ACCT["payments-prod"])},
                           "Action": ["s3:PutObject", "s3:GetObject"],
                           "Resource": f"arn:aws:s3:::builder-deploy-reports-{a.id}/*",
                       }])
    plant("artifact-flow-forward-only", reports, "fail", "payments-prod writes into the builder account")
    tf = a.bucket(f"builder-terraform-state-{a.id}", EU_WEST_1, tags={**t, "DataClassification": "confidential"},
                  sse="aws:kms", kms_key=key, tls_policy=True)
    plant("s3-classified-cmk", tf, "pass", "confidential (own tag), customer key")
    for region in DEFAULT_REGIONS:
        a.ebs_default(region, True)
    a.volume("build-runner-root", EU_WEST_1, encrypted=True, kms_key=key, size=100, tags=t)
    workload_vpc(a, "builder", EU_WEST_1, 6, t, alb=False, db_port=None)
    plant("cloudtrail-multi-region", a.id, "fail", "no trail")
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    a.role(
        "github-actions-pr-checks",
        doc({
            "Effect": "Allow",
            "Principal": {"Federated": GITHUB_OIDC},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-org/*:pull_request"},
            },
        }),
        tags={"Owner": "platform-engineering", "ManagedBy": "terraform"},
        attached=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    )
    plant("iam-oidc-trust-unscoped", f"arn:aws:iam::{a.id}:role/github-actions-pr-checks", "fail",
          "sub allows every repository of the organization")
    a.role(
        "github-actions-deploy",
        doc({
            "Effect": "Allow",
            "Principal": {"Federated": GITHUB_OIDC},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": [
                    "repo:example-org/storefront:ref:refs/heads/main",
                    "repo:example-org/payments-service:ref:refs/heads/main",
                    "repo:example-org/storefront:environment:*",
                ]},
            },
        }),
        tags={**t, "ManagedBy": "terraform"},
        inline={"assume-deploy-roles": doc({
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": [
                f"arn:aws:iam::{ACCT['app-preprod']}:role/preprod-deploy",
                f"arn:aws:iam::{ACCT['app-prod']}:role/prod-deploy",
                f"arn:aws:iam::{ACCT['payments-prod']}:role/prod-deploy",
            ],
        })},
    )
    return a


def app_preprod() -> Acct:
    a = Acct("app-preprod")
    t = tags("storefront-team", "storefront", "CC-2100")
    key = a.customer_key(EU_WEST_1, "storefront-preprod-data", rotation=False, tags=t)
    plant("kms-key-rotation", key, "fail", "customer symmetric key, rotation off, no waiver")
    a.aws_managed_key(EU_WEST_1, "s3")
    rds_key = a.aws_managed_key(EU_WEST_1, "rds")
    a.bucket(f"app-preprod-uploads-{a.id}", EU_WEST_1, tags=t, sse="AES256")
    customer = a.bucket(f"app-preprod-customer-data-{a.id}", EU_WEST_1,
                        tags={**t, "DataClassification": "confidential"}, sse="aws:kms", kms_key=key,
                        versioning=False)
    plant("s3-classified-versioning", customer, "fail", "confidential, versioning never enabled")
    plant("s3-classified-secure-transport", customer, "fail", "confidential (own tag), no bucket policy")
    plant("s3-classified-public-access-block", customer, "pass", "all four settings on")
    a.ebs_default(EU_WEST_1, True)
    a.ebs_default(EU_CENTRAL_1, True)
    a.ebs_default(US_EAST_1, False)
    plant("ebs-encryption-by-default", f"arn:aws:ec2:us-east-1:{a.id}:ebs-encryption-by-default", "fail",
          "preprod account, us-east-1 disabled")
    plant("ebs-encryption-by-default", f"arn:aws:ec2:eu-west-1:{a.id}:ebs-encryption-by-default", "pass",
          "preprod account, enabled")
    a.volume("storefront-preprod-app-1", EU_WEST_1, encrypted=True, kms_key=key, size=50, tags=t)
    db = a.db("storefront-preprod", EU_WEST_1, "postgres", encrypted=True, kms_key=rds_key, tags=t)
    plain = a.listener(EU_WEST_1, "storefront-preprod", 8080, "HTTP")
    plant("elb-http-redirects-to-https", plain, "fail", "test port forwards plain HTTP")
    old_tls = a.listener(EU_WEST_1, "storefront-preprod", 443, "HTTPS", ssl_policy="ELBSecurityPolicy-2016-08")
    plant("elb-listener-tls-policy", old_tls, "fail", "policy accepts TLS 1.0")
    reporting = a.db("storefront-preprod-reporting", EU_WEST_1, "postgres", encrypted=True, kms_key=rds_key,
                     tags=t, public=True)
    plant("rds-not-publicly-accessible", reporting, "fail", "PubliclyAccessible for a BI tool")
    plant("rds-not-publicly-accessible", db, "pass", "private")
    tester = a.user("qa-tester", keys=[], console=True, mfa=False, tags=t)
    plant("iam-user-console-mfa", tester["arn"], "fail", "console password, no MFA")
    plant("iam-no-console-users-in-workload-accounts", tester["arn"], "fail", "console user in preprod")
    plant("rds-storage-encrypted", db, "pass", "encrypted with aws/rds")
    ok = a.cert(f"app.preprod.{DOMAIN}", EU_WEST_1, not_after="2027-05-20T23:59:59Z",
                in_use_by=[a.alb(EU_WEST_1, "storefront-preprod")], tags=t)
    plant("acm-certificate-expiry", ok, "pass", "in use, expires 2027-05-20")
    pending = a.cert(f"admin.preprod.{DOMAIN}", EU_WEST_1, status="PENDING_VALIDATION", not_after=None,
                     in_use_by=[], tags=t)
    plant("acm-certificate-expiry", pending, "not applicable", "PENDING_VALIDATION, not_after null")
    workload_vpc(a, "storefront-preprod", EU_WEST_1, 10, t)
    # Created by hand in the console: single-region and without log file validation.
    preprod_trail = a.trail("storefront-preprod-trail", EU_WEST_1, multi_region=False, validation=False, tags=t)
    plant("cloudtrail-multi-region", a.id, "fail", "only a single-region trail")
    plant("cloudtrail-log-file-validation", preprod_trail, "fail", "log file validation off")
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    deploy_role(a, "preprod-deploy", ["arn:aws:iam::aws:policy/PowerUserAccess"])
    sso_role(a, "DeveloperAccess", "9a1d3c5e7f0b2468", ["arn:aws:iam::aws:policy/PowerUserAccess"])
    # For hotfixes "when the pipeline is down": developers deploy from their SSO session.
    hotfix = a.role(
        "storefront-hotfix-deploy",
        trust_account(f"arn:aws:iam::{a.id}:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
                      "AWSReservedSSO_DeveloperAccess_9a1d3c5e7f0b2468"),
        tags={"Owner": "storefront-team", "ManagedBy": "console"},
        attached=["arn:aws:iam::aws:policy/PowerUserAccess"],
        boundary=f"arn:aws:iam::{a.id}:policy/deploy-permissions-boundary",
    )
    plant("deployment-role-not-human-assumable", hotfix["arn"], "fail",
          "trusts the DeveloperAccess permission set's role: people can deploy by hand")
    return a


def app_prod() -> Acct:
    a = Acct("app-prod")
    t = tags("storefront-team", "storefront", "CC-2100")
    keys = {r: a.customer_key(r, "storefront-prod-data", tags=t) for r in (EU_WEST_1, US_EAST_1, US_WEST_2)}
    plant("kms-key-rotation", keys[EU_WEST_1], "pass", "rotation on")
    s3_managed = a.aws_managed_key(EU_WEST_1, "s3")
    plant("kms-key-rotation", s3_managed, "not applicable", "AWS managed key alias/aws/s3")
    plant("kms-key-policy-no-wildcard-principal", s3_managed, "pass",
          "AWS managed policy: Principal AWS * with kms:CallerAccount and kms:ViaService")
    rds_managed = a.aws_managed_key(EU_WEST_1, "rds")
    ebs_managed = a.aws_managed_key(EU_WEST_1, "ebs")
    uploads = a.bucket(f"app-prod-customer-uploads-{a.id}", EU_WEST_1, tags=t, sse="aws:kms",
                       kms_key=keys[EU_WEST_1], tls_policy=True)
    plant("data-store-classification", uploads, "pass", "confidential from the account tag")
    plant("data-residency-approved-regions", uploads, "pass", "confidential in eu-west-1")
    reports = a.bucket(f"app-prod-reports-{a.id}", EU_WEST_1, tags=t, sse="aws:kms",
                       kms_key=keys[EU_WEST_1], policy=None)
    plant("s3-classified-secure-transport", reports, "unknown",
          "bucket policy unreadable (resource-level coverage gap, AccessDenied s3:GetBucketPolicy)")
    a.bucket(f"app-prod-static-assets-{a.id}", US_EAST_1, tags={**t, "DataClassification": "public"},
             sse="AES256", pab=(True, True, False, False),
             extra_statements=[{
                 "Sid": "AllowCloudFrontOAC",
                 "Effect": "Allow",
                 "Principal": {"Service": "cloudfront.amazonaws.com"},
                 "Action": "s3:GetObject",
                 "Resource": f"arn:aws:s3:::app-prod-static-assets-{a.id}/*",
                 "Condition": {"StringEquals": {"AWS:SourceArn": f"arn:aws:cloudfront::{a.id}:distribution/E2QWRUHAPOMQZL"}},
             }])
    a.bucket(f"app-prod-exports-{a.id}", US_EAST_1, tags=t, sse="aws:kms", kms_key=keys[US_EAST_1],
             tls_policy=True)
    for region in (EU_WEST_1, EU_CENTRAL_1, US_EAST_1):
        a.ebs_default(region, True)
    plant("ebs-encryption-by-default", f"arn:aws:ec2:us-west-2:{a.id}:ebs-encryption-by-default", "unknown",
          "us-west-2 is enabled but has no ebs_encryption_defaults entry (not read)")
    enc = a.volume("storefront-prod-app-1", EU_WEST_1, encrypted=True, kms_key=keys[EU_WEST_1], size=100, tags=t)
    plant("ebs-volume-encrypted", enc, "pass", "encrypted")
    plant("ebs-classified-cmk", enc, "pass", "confidential (account tag), customer key")
    # Launched from the console, which picked the default key aws/ebs.
    bastion = a.volume("storefront-prod-bastion", EU_WEST_1, encrypted=True, kms_key=ebs_managed, size=20, tags=t)
    plant("ebs-classified-cmk", bastion, "fail", "confidential (account tag), AWS managed key aws/ebs")
    dr_vol = a.volume("storefront-dr-cache", US_WEST_2, encrypted=True, kms_key=keys[US_WEST_2], size=50,
                      tags={**t, "DataClassification": "internal"})
    plant("data-residency-approved-regions", dr_vol, "pass", "internal data may be anywhere")
    main_db = a.db("storefront-prod", EU_WEST_1, "aurora-postgresql", encrypted=True, kms_key=keys[EU_WEST_1],
                   tags=t)
    plant("rds-classified-cmk", main_db, "pass", "confidential (account tag), customer key")
    # The analysts' replica, restored from a snapshot with the console's default key.
    analytics_db = a.db("storefront-prod-analytics", EU_WEST_1, "postgres", encrypted=True, kms_key=rds_managed,
                        tags=t)
    plant("rds-classified-cmk", analytics_db, "fail", "confidential (account tag), AWS managed key aws/rds")
    # storefront-prod is the writer of an Aurora cluster; the sessions cluster was created
    # from the console without encryption.
    cluster = a.db_cluster("storefront-prod-cluster", EU_WEST_1, "aurora-postgresql", encrypted=True,
                           kms_key=keys[EU_WEST_1], members=["storefront-prod"], tags=t)
    plant("rds-cluster-storage-encrypted", cluster, "pass", "confidential (account tag), customer key")
    sessions = a.db_cluster("storefront-sessions", EU_WEST_1, "aurora-mysql", encrypted=False,
                            kms_key=None, members=[], tags=t)
    plant("rds-cluster-storage-encrypted", sessions, "fail", "not encrypted")
    web = a.listener(EU_WEST_1, "storefront-prod", 443, "HTTPS", ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06")
    plant("elb-listener-tls-policy", web, "pass", "TLS 1.2 and 1.3")
    redirect = a.listener(EU_WEST_1, "storefront-prod", 80, "HTTP", redirect=True)
    plant("elb-http-redirects-to-https", redirect, "pass", "redirects to HTTPS")
    dr_key = a.customer_key(US_WEST_2, "storefront-dr", mrk="mrk-" + hexdigest(a.id, "storefront-dr", n=32), tags=t)
    plant("kms-multi-region-key-declared", dr_key, "fail", "multi-region key not in multi_region_keys")
    ops = a.role("storefront-ops-automation",
                 trust_account("arn:aws:iam::555566667777:role/platform-automation"), tags=t,
                 attached=["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"])
    plant("iam-prod-role-trust-chain", ops["arn"], "fail",
          "dev-sandbox developer → shared-services platform-automation → this role")
    # Runtime roles: the orders task can rewrite the inline policies of the team's roles.
    orders = a.role("storefront-orders-task", trust_service("ecs-tasks.amazonaws.com"), tags=t, inline={
        "orders": doc(_allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]),
                      _allow("iam:PutRolePolicy", f"arn:aws:iam::{a.id}:role/storefront-*")),
    })
    plant("iam-runtime-role-no-iam-management", orders["arn"], "fail",
          "ECS task role may put inline policies on storefront-* roles")
    web = a.role("storefront-web-instance", trust_service("ec2.amazonaws.com"), tags=t, inline={
        "web": doc(_allow(["s3:GetObject", "iam:GetRole", "iam:ListRoles"])),
    })
    plant("iam-runtime-role-no-iam-management", web["arn"], "pass", "application reads and IAM reads only")
    dr = a.db("storefront-prod-dr", US_WEST_2, "postgres", encrypted=True, kms_key=keys[US_WEST_2], tags=t)
    plant("data-residency-approved-regions", dr, "fail", "confidential (account tag) RDS instance in us-west-2")
    app = a.cert(f"app.{DOMAIN}", EU_WEST_1, not_after="2027-08-14T23:59:59Z",
                 in_use_by=[a.alb(EU_WEST_1, "storefront-prod")], tags=t)
    plant("acm-certificate-key-algorithm", app, "pass", "RSA_2048")
    api_cert = a.cert(f"api.{DOMAIN}", US_EAST_1, cert_type="IMPORTED", key_algorithm="EC_prime256v1",
                      not_after="2026-12-05T12:00:00Z",
                      in_use_by=[f"arn:aws:cloudfront::{a.id}:distribution/E2QWRUHAPOMQZL"], tags=t)
    plant("acm-certificate-expiry", api_cert, "fail", "imported, in use by CloudFront, expires 2026-12-05")
    # Requested ahead of the checkout cut-over, not attached yet.
    checkout = a.cert(f"checkout.{DOMAIN}", EU_WEST_1, not_after="2027-10-09T23:59:59Z", in_use_by=[], tags=t)
    plant("acm-certificate-expiry-unused", checkout, "pass", "not in use yet, expires 2027-10-09")
    workload_vpc(a, "storefront-prod", EU_WEST_1, 20, t)
    workload_vpc(a, "storefront-dr", US_WEST_2, 21, t, alb=False)
    plant("vpc-cidr-no-overlap", a.arn(EU_WEST_1, "vpc", "storefront-prod"), "fail",
          "10.20.0.0/16 is also legacy-crm's")
    plant("workload-vpc-attached-to-hub", a.arn(US_WEST_2, "vpc", "storefront-dr"), "fail",
          "us-west-2 has no hub transit gateway")
    prod_trail = a.trail("storefront-prod-trail", EU_WEST_1, tags=t)
    plant("cloudtrail-log-file-validation", prod_trail, "pass", "log file validation on")
    recorders(a, ENABLED_REGIONS["app-prod"])
    baseline_roles(a)
    a.role(
        "data-science-readonly",
        trust_account(account_root(ACCT["dev-sandbox"])),
        tags={"Owner": "data-science", "ManagedBy": "console"},
        attached=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    )
    plant("iam-prod-role-assumable-from-nonprod", f"arn:aws:iam::{a.id}:role/data-science-readonly", "fail",
          "prod role trusted by the sandbox account")
    deploy_role(a, "prod-deploy", ["arn:aws:iam::aws:policy/PowerUserAccess"])
    plant("deployment-role-not-human-assumable", f"arn:aws:iam::{a.id}:role/prod-deploy", "pass",
          "trusts only the builder's github-actions-deploy role")
    plant("prod-deployed-from-builder-account", a.id, "pass",
          "prod-deploy trusted by the builder account's github-actions-deploy role")
    plant("promotion-same-builder-account", a.id, "pass",
          "the builder's github-actions-deploy role deploys app-preprod and app-prod")
    sso_role(a, "ReadOnlyAccess", "2b4d6f8a0c1e3579", ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    a.role(
        "break-glass-admin",
        doc({
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MGMT}:user/break-glass-admin"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }),
        tags={"Owner": "cloud-platform", "Purpose": "emergency access (runbook SEC-01)"},
        attached=["arn:aws:iam::aws:policy/AdministratorAccess"],
    )
    plant("break-glass-role-in-production", a.id, "pass",
          "break-glass-admin trusts the management account's break-glass user under MFA")
    plant("operations-role-read-only", f"arn:aws:iam::{a.id}:role/data-science-readonly", "fail",
          "ReadOnlyAccess (abridged: *:Get*, *:List*, *:Describe*) grants Write-level Get actions "
          "such as redshift:GetClusterCredentials")
    a.role(
        "storefront-monitoring",
        trust_account(account_root(a.id)),
        tags={"Owner": "storefront-team", "ManagedBy": "terraform"},
        inline={"observe": doc(_allow([
            "cloudwatch:GetMetricData", "cloudwatch:List*", "cloudwatch:DescribeAlarms",
            "logs:FilterLogEvents", "logs:Describe*", "ec2:Describe*",
        ]))},
    )
    plant("operations-role-read-only", f"arn:aws:iam::{a.id}:role/storefront-monitoring", "pass",
          "explicit read and list actions only")
    plant("workload-account-owner-tagged", a.id, "pass", "Owner and Application tags")
    # The CI user from before GitHub OIDC: its key deactivated, the user never deleted.
    ci = a.user(
        "storefront-ci-legacy", console=False, mfa=False, tags=t,
        keys=[{
            "id": "AKIA" + alnum_upper(a.id, "storefront-ci-legacy"),
            "status": "Inactive",
            "created_at": "2024-05-14T10:22:09Z",
            "last_used_at": "2026-03-02T16:40:51Z",
        }],
    )
    plant("iam-no-console-users-in-workload-accounts", ci["arn"], "pass", "programmatic user, no console password")
    plant("workload-environments-separate-accounts", a.id, "pass", "app-preprod runs storefront too")
    plant("prod-ou-no-nonprod-accounts", a.id, "pass", "Workloads/Prod holds production accounts only")
    return a


def payments_prod() -> Acct:
    a = Acct("payments-prod")
    t = tags("payments-team", "payments", "CC-2200", Compliance="pci-dss")
    # eu-west-1 keys could not be listed (coverage gap); this is the ledger key's ARN.
    ledger_key = a.key_arn(EU_WEST_1, "payments-ledger")
    # The operations role was given the key outright ("kms:*") during an incident.
    fra = a.customer_key(EU_CENTRAL_1, "payments-settlement", tags=t, extra_statements=[{
        "Sid": "PaymentsOperations",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{a.id}:role/payments-operations"},
        "Action": "kms:*",
        "Resource": "*",
    }])
    plant("kms-key-admin-user-separation", fra, "fail", "payments-operations may both administer and decrypt")
    ledger = a.bucket(f"payments-ledger-{a.id}", EU_WEST_1, tags=t, sse="aws:kms", kms_key=ledger_key,
                      tls_policy=True)
    plant("s3-classified-cmk", ledger, "unknown",
          "key in eu-west-1, where KMS could not be read (coverage gap)")
    plant("s3-classified-secure-transport", ledger, "pass", "TLS-only bucket policy")
    settle = a.bucket(f"payments-settlement-files-{a.id}", EU_CENTRAL_1, tags=t, sse="aws:kms", kms_key=fra,
                      tls_policy=True)
    plant("data-residency-approved-regions", settle, "pass", "restricted in eu-central-1")
    for region in DEFAULT_REGIONS:
        a.ebs_default(region, True, kms_key=fra if region == EU_CENTRAL_1 else None)
    plant("ebs-encryption-by-default", a.id, "pass", "prod, every enabled region enabled")
    a.volume("payments-api-1", EU_WEST_1, encrypted=True, kms_key=ledger_key, size=100, tags=t)
    a.volume("payments-batch-1", EU_CENTRAL_1, encrypted=True, kms_key=fra, size=500, tags=t)
    db = a.db("payments-ledger", EU_WEST_1, "postgres", encrypted=True, kms_key=ledger_key, tags=t)
    plant("data-store-classification", db, "pass", "restricted from the account tag")
    a.db("payments-settlement", EU_CENTRAL_1, "postgres", encrypted=True, kms_key=fra, tags=t)
    a.cert(f"pay.{DOMAIN}", EU_WEST_1, not_after="2027-03-02T23:59:59Z",
           in_use_by=[a.alb(EU_WEST_1, "payments-api")], tags=t)
    a.cert(f"settlement.pay.{DOMAIN}", EU_CENTRAL_1, key_algorithm="EC_prime256v1",
           not_after="2027-06-18T23:59:59Z", in_use_by=[a.alb(EU_CENTRAL_1, "payments-settlement")], tags=t)
    workload_vpc(a, "payments-prod", EU_WEST_1, 30, t)
    workload_vpc(a, "payments-settlement", EU_CENTRAL_1, 31, t, alb=False)
    payments_vpc = a.arn(EU_WEST_1, "vpc", "payments-prod")
    plant("vpc-cidr-no-overlap", payments_vpc, "pass", "10.30.0.0/16 is its own")
    plant("workload-vpc-multi-az", payments_vpc, "pass", "subnets in eu-west-1a and eu-west-1b")
    plant("workload-vpc-attached-to-hub", payments_vpc, "pass", "attached to the network account's core-eu-west-1")
    plant("vpc-flow-logs-enabled", payments_vpc, "pass", "flow log to S3")
    plant("sg-admin-ports-not-open-to-internet", a.arn(EU_WEST_1, "sg", "payments-prod", "alb-public"), "pass",
          "only tcp 443 from 0.0.0.0/0")
    # A partner-integration VPC given its own internet gateway, outside the hub's ingress and
    # egress VPCs.
    a.vpc("payments-partner-gw", EU_WEST_1, "10.32.0.0/20",
          [("public-a", "10.32.0.0/24", "a", True), ("private-a", "10.32.4.0/22", "a", False)],
          tags=t, internet_gateway=True,
          security_groups=[("partner-sftp", [("tcp", 22, 22, "0.0.0.0/0")])])
    # Deployed by CloudFormation from fixtures/iac/cloudformation/stacks/payments-partner-gw.yaml:
    # `rampart evaluate --iac fixtures/iac/cloudformation` points their findings at its lines.
    cfn_stack(a, EU_WEST_1, "payments-partner-gw", {
        a.arn(EU_WEST_1, "vpc", "payments-partner-gw"): "PartnerVpc",
        a.arn(EU_WEST_1, "sg", "payments-partner-gw", "partner-sftp"): "PartnerSftpSecurityGroup",
    })
    plant("sg-admin-ports-not-open-to-internet", a.arn(EU_WEST_1, "sg", "payments-partner-gw", "partner-sftp"), "fail",
          "tcp 22 from 0.0.0.0/0")
    plant("igw-only-in-internet-vpcs", a.arn(EU_WEST_1, "igw", "payments-partner-gw"), "fail",
          "internet gateway in a workload VPC not designated for internet traffic")
    plant("nacl-admin-ports-not-open-to-internet", a.arn(EU_WEST_1, "acl", "payments-partner-gw"), "fail",
          "default allow-all ACL in a VPC with an internet gateway")
    partner_vpc = a.arn(EU_WEST_1, "vpc", "payments-partner-gw")
    plant("workload-vpc-multi-az", partner_vpc, "fail", "both subnets in eu-west-1a")
    plant("workload-vpc-attached-to-hub", partner_vpc, "fail", "not attached to any transit gateway")
    plant("workload-subnet-no-internet-route", a.arn(EU_WEST_1, "subnet", "payments-partner-gw", "public-a"), "fail",
          "public route table sends 0.0.0.0/0 to the internet gateway")
    plant("workload-subnet-no-internet-route", a.arn(EU_WEST_1, "subnet", "payments-prod", "private-a"), "pass",
          "main route table sends 0.0.0.0/0 to the hub's transit gateway")
    # A transit gateway of its own, for a planned link between its two VPCs.
    a.transit_gateway("payments-internal", EU_CENTRAL_1, tags=t)
    plant("transit-gateway-only-in-network-account", a.arn(EU_CENTRAL_1, "tgw", "payments-internal"), "fail",
          "transit gateway in payments-prod")
    a.trail("payments-prod-trail", EU_WEST_1, kms_key=fra, tags=t)
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    # The payments team releases from a Jenkins on an instance of this account: prod-deploy
    # trusts its instance role, not the builder account's pipeline.
    jenkins = a.role("payments-jenkins", trust_service("ec2.amazonaws.com"), tags=t,
                     inline={"assume-deploy": doc(_allow("sts:AssumeRole", f"arn:aws:iam::{a.id}:role/prod-deploy"))})
    a.role(
        "prod-deploy",
        trust_account(jenkins["arn"]),
        tags={"Owner": "payments-team", "ManagedBy": "terraform"},
        attached=["arn:aws:iam::aws:policy/PowerUserAccess"],
        boundary=f"arn:aws:iam::{a.id}:policy/deploy-permissions-boundary",
    )
    plant("prod-deployed-from-builder-account", a.id, "fail",
          "prod-deploy trusts payments-jenkins, a CI server in the production account itself")
    a.role(
        "payments-operations",
        trust_account(account_root(a.id)),
        tags={"Owner": "payments-team", "ManagedBy": "console"},
        attached=["arn:aws:iam::aws:policy/PowerUserAccess"],
    )
    plant("operations-role-read-only", f"arn:aws:iam::{a.id}:role/payments-operations", "fail",
          "PowerUserAccess: writes everything but IAM and Organizations")
    plant("break-glass-role-in-production", a.id, "fail", "no break-glass role")
    plant("workload-environments-separate-accounts", a.id, "fail", "no pre-production account for payments")
    return a


def dev_sandbox() -> Acct:
    a = Acct("dev-sandbox")
    t = {"Owner": "developer-experience", "CostCenter": "CC-3000"}
    a.role("sandbox-developer", trust_account(account_root(a.id)), tags=t,
           inline={"work": doc(_allow(["ec2:*", "s3:*", "sts:AssumeRole"]))})
    plant("iam-developer-roles-permissions-boundary", f"arn:aws:iam::{a.id}:role/sandbox-developer",
          "fail", "created by hand, no permissions boundary")
    # A workload role a developer made with the platform's boundary, which also forbids
    # lifting it; and one whose boundary is AdministratorAccess, which bounds nothing.
    a.role("thumbnailer-lambda", trust_service("lambda.amazonaws.com"), tags=t,
           inline={"work": doc(_allow(["s3:GetObject", "s3:PutObject"]))},
           boundary=f"arn:aws:iam::{a.id}:policy/developer-boundary")
    plant("iam-developer-roles-permissions-boundary", f"arn:aws:iam::{a.id}:role/thumbnailer-lambda",
          "pass", "developer-boundary denies removing or replacing it")
    a.role("notebook-runner", trust_service("sagemaker.amazonaws.com"), tags=t,
           attached=["arn:aws:iam::aws:policy/PowerUserAccess"],
           boundary="arn:aws:iam::aws:policy/AdministratorAccess")
    plant("iam-developer-roles-permissions-boundary", f"arn:aws:iam::{a.id}:role/notebook-runner",
          "fail", "an AdministratorAccess boundary lets the role lift it")
    open_key = a.customer_key(
        EU_WEST_1, "sandbox-experiments", tags=t,
        policy=doc(
            {
                "Sid": "AllowEverything",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "kms:*",
                "Resource": "*",
            },
        ),
    )
    plant("kms-key-policy-no-wildcard-principal", open_key, "fail", "Principal *, kms:*, no Condition")
    a.aws_managed_key(EU_WEST_1, "s3")
    scratch = a.bucket(f"dev-sandbox-scratch-{a.id}", EU_WEST_1, tags={}, sse="AES256", versioning=False)
    plant("data-store-classification", scratch, "fail", "untagged bucket in an untagged account: default only")
    a.bucket(f"dev-sandbox-ml-experiments-{a.id}", EU_WEST_1,
             tags={**t, "DataClassification": "internal"}, sse="aws:kms", kms_key=open_key,
             pab=(True, True, False, False))
    plant("s3-bucket-public-access-block", f"arn:aws:s3:::dev-sandbox-ml-experiments-{a.id}", "fail",
          "public policies neither blocked nor restricted")
    plant("s3-bucket-secure-transport", scratch, "fail", "no bucket policy")
    prod_copy = a.bucket(f"dev-sandbox-orders-copy-{a.id}", EU_WEST_1,
                         tags={**t, "DataClassification": "confidential"}, sse="AES256", tls_policy=True)
    plant("data-sensitive-not-in-dev", prod_copy, "fail", "a copy of production orders in the sandbox")
    # What the sandbox should use instead: generated orders for the load tests.
    synthetic = a.bucket(f"dev-sandbox-synthetic-orders-{a.id}", EU_WEST_1,
                         tags={**t, "DataClassification": "internal"}, sse="AES256", tls_policy=True)
    plant("data-sensitive-not-in-dev", synthetic, "pass", "synthetic orders, classified internal")
    plant("data-store-classification", f"arn:aws:s3:::dev-sandbox-ml-experiments-{a.id}", "pass",
          "own tag internal")
    a.ebs_default(EU_WEST_1, False)
    vol = a.volume("sandbox-scratch", EU_WEST_1, encrypted=False, kms_key=None, size=30, tags=t)
    plant("ebs-volume-encrypted", vol, "fail", "unencrypted volume")
    pg = a.db("sandbox-postgres", EU_WEST_1, "postgres", encrypted=True,
              kms_key=a.key_arn(EU_WEST_1, "sandbox-experiments"), tags=t)
    plant("data-store-classification", pg, "fail", "untagged RDS instance in an untagged account")
    idle = a.cert(f"sandbox.dev.{DOMAIN}", EU_WEST_1, not_after="2026-11-28T23:59:59Z", in_use_by=[], tags=t)
    plant("acm-certificate-expiry", idle, "not applicable",
          "expires 2026-11-28 but is not in use")
    plant("acm-certificate-expiry-unused", idle, "fail", "not in use, expires 2026-11-28")
    sandbox_vpc(a)
    plant("default-vpc-no-internet-gateway", a.arn(EU_WEST_1, "vpc", "default"), "fail", "default VPC with its internet gateway")
    plant("workload-subnet-no-internet-route", a.arn(EU_WEST_1, "subnet", "default", "a"), "fail",
          "the default VPC's main route table sends 0.0.0.0/0 to its internet gateway")
    plant("igw-only-in-internet-vpcs", a.arn(EU_WEST_1, "igw", "default"), "fail", "the default VPC's internet gateway")
    plant("sg-admin-ports-not-open-to-internet", a.arn(EU_WEST_1, "sg", "default", "launch-wizard-1"), "fail",
          "launch wizard group: tcp 22 from 0.0.0.0/0")
    plant("nacl-admin-ports-not-open-to-internet", a.arn(EU_WEST_1, "acl", "default"), "fail",
          "default allow-all ACL of the default VPC")
    # A private zone made in the sandbox rather than in the network hub.
    sandbox_zone = a.hosted_zone("dev.example.internal.", private=True, records=3, tags=t,
                                 vpcs=[(vpc_id_of("dev-sandbox", EU_WEST_1, "default"), EU_WEST_1)])
    plant("private-hosted-zone-in-network-account", sandbox_zone, "fail", "private zone outside the network hub")
    plant("cloudtrail-multi-region", a.id, "fail", "no trail")
    # The eu-central-1 default VPC: its internet gateway detached and deleted by the team.
    a.vpc("default", EU_CENTRAL_1, "172.31.0.0/16",
          [("a", "172.31.0.0/20", "a", True), ("b", "172.31.16.0/20", "b", True)],
          tags={}, is_default=True, flow_logs=False)
    plant("default-vpc-no-internet-gateway", a.arn(EU_CENTRAL_1, "vpc", "default"), "pass",
          "default VPC whose internet gateway was removed")
    # Records EC2 instances and security groups only, to keep the sandbox's Config bill down.
    a.recorder(EU_WEST_1, all_supported=False)
    plant("config-recorder-all-resources", f"arn:aws:config:{EU_WEST_1}:{a.id}:configuration-recorder/default",
          "fail", "records a hand-picked list of resource types")
    baseline_roles(a)
    a.user(
        "sandbox-ci", console=False, mfa=False, tags=t,
        keys=[{
            "id": "AKIA" + alnum_upper(a.id, "sandbox-ci"),
            "status": "Active",
            "created_at": "2025-03-11T09:14:27Z",
            "last_used_at": "2026-11-18T22:41:03Z",
        }],
    )
    return a


def legacy_migration() -> Acct:
    a = Acct("legacy-migration")
    t = tags("migration-factory", "legacy-crm", "CC-3100")
    disabled = a.customer_key(EU_WEST_1, "legacy-import", rotation=False, key_state="Disabled", tags=t)
    plant("kms-key-rotation", disabled, "not applicable", "disabled key")
    imp = a.bucket(f"legacy-migration-import-{a.id}", EU_WEST_1, tags=t, sse="AES256")
    # Staged files still encrypted with a key someone scheduled for deletion.
    retiring = a.customer_key(EU_WEST_1, "legacy-staging", key_state="PendingDeletion", tags=t)
    a.bucket(f"legacy-staging-{a.id}", EU_WEST_1, tags=t, sse="aws:kms", kms_key=retiring)
    plant("kms-key-in-use-enabled", retiring, "fail", "PendingDeletion, encrypts legacy-staging")
    plant("data-store-classification", imp, "fail",
          "untagged; account tag `secret` is invalid and no OU is tagged: default only")
    # No public access block configured: all four settings are off.
    dumps_arn = f"arn:aws:s3:::legacy-db-dumps-{a.id}"
    dumps = a.bucket(f"legacy-db-dumps-{a.id}", EU_WEST_1, tags={**t, "DataClassification": "confidential"},
                     sse="AES256", pab=(False, False, False, False), extra_statements=[{
                         "Sid": "MigrationPartnerRead",
                         "Effect": "Allow",
                         "Principal": {"AWS": f"arn:aws:iam::{MIGRATION_PARTNER}:root"},
                         "Action": ["s3:GetObject", "s3:ListBucket"],
                         "Resource": [dumps_arn, f"{dumps_arn}/*"],
                     }])
    plant("s3-data-perimeter", dumps, "fail",
          "the migration partner's account (outside the organization) may read the SSE-S3 dumps")
    plant("s3-classified-public-access-block", dumps, "fail", "confidential (own tag), no public access block")
    a.ebs_default(EU_WEST_1, False)
    vol = a.volume("crm-app-data", EU_WEST_1, encrypted=False, kms_key=None, size=250, tags=t)
    plant("ebs-volume-encrypted", vol, "fail", "unencrypted volume")
    db = a.db("legacy-crm", EU_WEST_1, "oracle-se2", encrypted=False, kms_key=None, tags=t)
    plant("rds-storage-encrypted", db, "fail", "storage not encrypted")
    plant("data-store-classification", db, "fail", "untagged in an account with an invalid tag")
    # Deliberately overlaps app-prod's 10.20.0.0/16: lifted from the old data centre as-is.
    a.vpc("legacy-crm", EU_WEST_1, "10.20.0.0/16",
          [("app-a", "10.20.1.0/24", "a", False), ("db-a", "10.20.2.0/24", "a", False)],
          tags=t, flow_logs=False, open_default_group=True,
          security_groups=[("crm-app", [("tcp", 443, 443, "10.0.0.0/8"), ("tcp", 3389, 3389, "10.0.0.0/8")]),
                           ("crm-db", [("tcp", 1521, 1521, "10.20.1.0/24")])])
    crm_vpc = a.arn(EU_WEST_1, "vpc", "legacy-crm")
    plant("default-security-group-closed", a.arn(EU_WEST_1, "sg", "legacy-crm", "default"), "fail",
          "the default group still lets members in and everything out")
    plant("vpc-cidr-no-overlap", crm_vpc, "fail", "10.20.0.0/16 is also storefront-prod's")
    plant("vpc-flow-logs-enabled", crm_vpc, "fail", "no flow log")
    plant("sg-admin-ports-not-open-to-internet", a.arn(EU_WEST_1, "sg", "legacy-crm", "crm-app"), "pass",
          "RDP from 10.0.0.0/8 only")
    # Its own VPN to the old data centre, instead of the network account's.
    a.vpn("legacy-dc-vpn", EU_WEST_1, tags=t)
    plant("vpn-only-in-network-account", a.arn(EU_WEST_1, "vpn", "legacy-dc-vpn"), "fail",
          "VPN in a migration account, on its own virtual private gateway")
    # Its own forwarding rule for the old domain, to the data centre's DNS at its public address.
    legacy_forward = a.resolver_rule("legacy-crm-forward", EU_WEST_1, "crm.legacy.example.com.", ["198.51.100.53"],
                                     share_status="NOT_SHARED", tags=t)
    plant("resolver-rule-owned-by-network-account", legacy_forward, "fail", "owned by legacy-migration")
    plant("resolver-forward-targets-private", legacy_forward, "fail", "forwards to the public address 198.51.100.53")
    plant("cloudtrail-multi-region", a.id, "fail", "no trail")
    baseline_roles(a)
    for name in ("break-glass", "BreakGlass-DataCentre", "emergency-access-2019"):
        a.role(name, trust_account(account_root(MGMT)), tags=t,
               attached=["arn:aws:iam::aws:policy/AdministratorAccess"])
    plant("break-glass-roles-limited", a.id, "fail", "three break-glass roles, at most two")
    a.user(
        "migration-svc", console=False, mfa=False, tags=t,
        keys=[{
            "id": "AKIA" + alnum_upper(a.id, "migration-svc"),
            "status": "Active",
            "created_at": "2026-07-02T13:05:44Z",
            "last_used_at": "2026-11-19T17:02:11Z",
        }],
    )
    return a


def storefront_recs() -> Acct:
    a = Acct("storefront-recs")
    t = tags("storefront-team", "storefront", "CC-2100", Service="recommendations")
    key = a.customer_key(EU_WEST_1, "recommendations-data", tags=t)
    a.bucket(f"storefront-recs-models-{a.id}", EU_WEST_1, tags=t, sse="aws:kms", kms_key=key, tls_policy=True)
    for region in DEFAULT_REGIONS:
        a.ebs_default(region, True)
    a.trail("storefront-recs-trail", EU_WEST_1, kms_key=key, tags=t)
    recorders(a, DEFAULT_REGIONS)
    baseline_roles(a)
    # Released by the old Jenkins, not by the builder account that releases app-preprod.
    a.role(
        "prod-deploy",
        trust_account(JENKINS_DEPLOY_ROLE),
        tags={"Owner": "storefront-team", "ManagedBy": "terraform"},
        attached=["arn:aws:iam::aws:policy/PowerUserAccess"],
        boundary=f"arn:aws:iam::{a.id}:policy/deploy-permissions-boundary",
    )
    plant("account-single-environment", a.id, "fail", "tagged Environment=production in the Sandbox OU")
    plant("prod-ou-no-nonprod-accounts", a.id, "fail", "its OU, Sandbox, also holds dev-sandbox")
    plant("workload-account-owner-tagged", a.id, "fail", "production account without an Owner tag")
    plant("prod-deployed-from-builder-account", a.id, "pass", "prod-deploy trusted by jenkins-legacy, a builder")
    plant("promotion-same-builder-account", a.id, "fail",
          "released by jenkins-legacy, which deploys no storefront pre-production account")
    return a


def jenkins_legacy() -> Acct:
    a = Acct("jenkins-legacy")
    t = tags("storefront-team", "jenkins", "CC-2100")
    a.aws_managed_key(EU_WEST_1, "s3")
    a.bucket(f"jenkins-legacy-artifacts-{a.id}", EU_WEST_1, tags=t, sse="AES256", tls_policy=True)
    for region in DEFAULT_REGIONS:
        a.ebs_default(region, True)
    a.recorder(EU_WEST_1)
    # Invited, not created by the account factory: no OrganizationAccountAccessRole.
    a.role(
        "rampart-audit",
        trust_account(AUDIT_SCANNER_ROLE, external_id="rampart-o-a1b2c3d4e5"),
        tags={"Owner": "security-engineering", "ManagedBy": "stacksets"},
        attached=["arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"],
    )
    a.role("jenkins-deploy", trust_service("ec2.amazonaws.com"), tags=t,
           inline={"assume-deploy": doc(_allow("sts:AssumeRole", f"arn:aws:iam::{ACCT['storefront-recs']}:role/prod-deploy"))})
    plant("account-in-organizational-unit", a.id, "fail", "invited and left at the root")
    plant("scp-deny-leave-organization", account_arn(a.id), "fail",
          "DenyLeaveOrganization is attached to the OUs, and this account is in none")
    return a


def account_arn(account_id: str) -> str:
    return f"arn:aws:organizations::{MGMT}:account/{ORG_ID}/{account_id}"


# --------------------------------------------------------------------------- organization policies


def policy_arn(kind: str, policy_id: str) -> str:
    return f"arn:aws:organizations::{MGMT}:policy/{ORG_ID}/{kind}/{policy_id}"


def org_policies() -> list[dict]:
    everything = [ROOT_ID] + [ou_id for _, ou_id, *_ in OUS] + [acct for _, acct, *_ in ACCOUNTS]
    region_guarded = [OU_ID[k] for k in ("security", "infrastructure", "deployments", "preprod", "sandbox")]
    account = "arn:aws:organizations::111122223333:account/o-a1b2c3d4e5/"
    plant("scp-region-deny-on-path", account + "888899990000", "fail", "Prod OU lacks the region guard")
    plant("scp-region-deny-on-path", account + "777788889999", "pass", "PreProd OU has the region guard")
    plant("scp-protect-audit-logging", account + "888899990000", "pass", "ProtectBaseline on Workloads")
    plant("scp-protect-audit-logging", account + "123456789012", "fail", "Sandbox OU lacks ProtectBaseline")
    plant("scp-protect-security-services", account + "210987654321", "fail", "Transitional OU lacks ProtectBaseline")
    plant("scp-deny-root-user", account + "888899990000", "pass", "DenyRootUser on Workloads")
    plant("scp-deny-root-user", account + "444455556666", "fail", "Infrastructure OU has no root deny")
    plant("scp-deny-leave-organization", account + "123456789012", "pass", "DenyLeaveOrganization on the Sandbox OU")
    plant("rcp-guardrail-parity", account + "777788889999", "fail", "DataPerimeter is on Prod and Sandbox, not PreProd")
    plant("rcp-guardrail-parity", account + "123456789012", "pass", "DataPerimeter on the Sandbox OU too")
    plant("baseline-policy-drift", account + "888899990000", "fail", "ProtectPaymentsBaseline is on payments-prod only")
    plant("baseline-policy-drift", account + "999900001111", "pass", "has what app-prod has")
    return [
        {
            "id": "p-FullAWSAccess",
            "arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
            "name": "FullAWSAccess",
            "kind": "SERVICE_CONTROL_POLICY",
            "aws_managed": True,
            "document": doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            # AWS attaches it to the root and to every OU and account it creates.
            "targets": everything,
            "source": api("organizations:DescribePolicy"),
        },
        {
            "id": "p-7k2m9q4x",
            "arn": policy_arn("service_control_policy", "p-7k2m9q4x"),
            "name": "DenyLeaveOrganization",
            "kind": "SERVICE_CONTROL_POLICY",
            "aws_managed": False,
            "document": doc({
                "Sid": "DenyLeaveOrganization",
                "Effect": "Deny",
                "Action": ["organizations:LeaveOrganization"],
                "Resource": "*",
            }),
            # On every top-level OU rather than the root: an account left at the root has none.
            "targets": [OU_ID[k] for k in ("security", "infrastructure", "deployments", "workloads", "sandbox",
                                           "transitional")],
            "source": api("organizations:DescribePolicy"),
        },
        {
            # Guards the baseline everywhere but the sandbox and transitional OUs.
            "id": "p-5b2q8w3e",
            "arn": policy_arn("service_control_policy", "p-5b2q8w3e"),
            "name": "ProtectBaseline",
            "kind": "SERVICE_CONTROL_POLICY",
            "aws_managed": False,
            "document": doc({
                "Sid": "ProtectAuditLogging",
                "Effect": "Deny",
                "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                           "cloudtrail:PutEventSelectors", "config:Stop*", "config:Delete*"],
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/AWSControlTowerExecution"}},
            }, {
                "Sid": "ProtectSecurityServices",
                "Effect": "Deny",
                "Action": ["guardduty:DeleteDetector", "guardduty:Disassociate*", "guardduty:UpdateDetector",
                           "securityhub:DisableSecurityHub", "securityhub:Disassociate*",
                           "access-analyzer:DeleteAnalyzer", "macie2:DisableMacie"],
                "Resource": "*",
            }),
            "targets": [OU_ID[k] for k in ("security", "infrastructure", "deployments", "workloads")],
            "source": api("organizations:DescribePolicy"),
        },
        {
            "id": "p-9r4t6y2u",
            "arn": policy_arn("service_control_policy", "p-9r4t6y2u"),
            "name": "DenyRootUser",
            "kind": "SERVICE_CONTROL_POLICY",
            "aws_managed": False,
            "document": doc({
                "Sid": "DenyRootUser",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
            }),
            "targets": [OU_ID["workloads"]],
            "source": api("organizations:DescribePolicy"),
        },
        {
            "id": "p-3v8n5r1c",
            "arn": policy_arn("service_control_policy", "p-3v8n5r1c"),
            "name": "RestrictRegions",
            "kind": "SERVICE_CONTROL_POLICY",
            "aws_managed": False,
            "document": doc({
                "Sid": "DenyOutsideApprovedRegions",
                "Effect": "Deny",
                "NotAction": [
                    "a4b:*", "access-analyzer:*", "account:*", "acm:*", "budgets:*", "ce:*",
                    "cloudfront:*", "config:*", "health:*", "iam:*", "kms:*", "organizations:*",
                    "route53:*", "route53domains:*", "s3:GetAccountPublicAccessBlock",
                    "s3:ListAllMyBuckets", "shield:*", "sts:*", "support:*",
                    "trustedadvisor:*", "waf:*", "wafv2:*",
                ],
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:RequestedRegion": list(DEFAULT_REGIONS)},
                    "ArnNotLike": {"aws:PrincipalARN": [
                        "arn:aws:iam::*:role/OrganizationAccountAccessRole",
                        "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AdministratorAccess_*",
                    ]},
                },
            }),
            "targets": region_guarded,
            "source": api("organizations:DescribePolicy"),
        },
        {
            "id": "p-RCPFullAWSAccess",
            "arn": "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
            "name": "RCPFullAWSAccess",
            "kind": "RESOURCE_CONTROL_POLICY",
            "aws_managed": True,
            "document": doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
            # Attached by AWS to every root, OU and account once RCPs are enabled.
            "targets": everything,
            "source": api("organizations:DescribePolicy"),
        },
        {
            "id": "p-9d4w6h2t",
            "arn": policy_arn("resource_control_policy", "p-9d4w6h2t"),
            "name": "EnforceSecureTransport",
            "kind": "RESOURCE_CONTROL_POLICY",
            "aws_managed": False,
            "document": doc({
                "Sid": "EnforceSecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
            }),
            "targets": [ROOT_ID],
            "source": api("organizations:DescribePolicy"),
        },
        {
            "id": "p-7k2m9x4d",
            "arn": policy_arn("resource_control_policy", "p-7k2m9x4d"),
            "name": "DataPerimeter",
            "kind": "RESOURCE_CONTROL_POLICY",
            "aws_managed": False,
            "document": doc({
                "Sid": "DenyOutsideTheOrganization",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*", "kms:*", "sts:AssumeRole", "secretsmanager:*", "sqs:*"],
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            }),
            # Production and the sandbox, where copies of production data are tried out;
            # pre-production was forgotten.
            "targets": [OU_ID["prod"], OU_ID["sandbox"]],
            "source": api("organizations:DescribePolicy"),
        },
        {
            "id": "p-5q8w2e6r",
            "arn": policy_arn("service_control_policy", "p-5q8w2e6r"),
            "name": "ProtectPaymentsBaseline",
            "kind": "SERVICE_CONTROL_POLICY",
            "aws_managed": False,
            "document": doc({
                "Sid": "ProtectBackups",
                "Effect": "Deny",
                "Action": ["backup:DeleteBackupVault", "backup:DeleteRecoveryPoint",
                           "backup:UpdateRecoveryPointLifecycle"],
                "Resource": "*",
            }),
            # Meant for every production account, being rolled out one account at a time:
            # payments-prod and storefront-recs so far, app-prod not yet.
            "targets": [ACCT["payments-prod"], ACCT["storefront-recs"]],
            "source": api("organizations:DescribePolicy"),
        },
    ]


# --------------------------------------------------------------------------- snapshot


def account_services(accounts: list[Acct]) -> None:
    """Security services, RAM shares, Direct Connect, root credentials and alternate
    contacts of every account, with the planted exceptions."""
    by_key = {a.key: a for a in accounts}
    for a in accounts:
        for region in ENABLED_REGIONS[a.key]:
            if not (a.key == "legacy-migration" and region == US_EAST_1):
                on = not (a.key == "dev-sandbox" and region == US_EAST_1)
                a.security_service("guardduty", region, on, detail=hexdigest(a.id, region, "detector", n=32) if on else None)
            on = not (a.key == "legacy-migration" and region == EU_CENTRAL_1)
            a.security_service("securityhub", region, on,
                               detail=f"arn:aws:securityhub:{region}:{a.id}:hub/default" if on else None)
            # The audit account runs the organization analyzers (default regions only).
            org = a.key == "audit" and region in DEFAULT_REGIONS
            a.security_service("access-analyzer", region, org, organization_wide=org,
                               detail=f"organization-{region}" if org else None)
            # Macie runs where the security team expects sensitive data; the storefront team
            # never enabled it in its home region.
            macie = (a.key in ("audit", "log-archive", "network", "shared-services", "builder", "payments-prod")
                     or (a.key == "app-prod" and region != EU_WEST_1))
            a.security_service("macie", region, macie)
    plant("security-services-enabled", f"arn:aws:guardduty:{US_EAST_1}:{ACCT['dev-sandbox']}:rampart-enablement",
          "fail", "GuardDuty off in us-east-1")
    plant("security-services-enabled", f"arn:aws:securityhub:{EU_CENTRAL_1}:{ACCT['legacy-migration']}:rampart-enablement",
          "fail", "Security Hub off in eu-central-1")
    plant("security-services-enabled", f"arn:aws:guardduty:{US_EAST_1}:{ACCT['legacy-migration']}:rampart-enablement",
          "unknown", "GuardDuty state not read in us-east-1")
    plant("security-services-enabled", f"arn:aws:access-analyzer:{US_WEST_2}:{ACCT['app-prod']}:rampart-enablement",
          "fail", "no analyzer in us-west-2, where no organization analyzer runs")
    plant("security-services-enabled", f"arn:aws:access-analyzer:{EU_WEST_1}:{ACCT['app-prod']}:rampart-enablement",
          "pass", "covered by the audit account's organization analyzer")
    plant("macie-enabled-for-classified-data", f"arn:aws:macie2:{EU_WEST_1}:{ACCT['app-prod']}:rampart-enablement",
          "fail", "confidential buckets in eu-west-1, Macie off")
    plant("macie-enabled-for-classified-data", f"arn:aws:macie2:{EU_WEST_1}:{ACCT['payments-prod']}:rampart-enablement",
          "pass", "restricted buckets, Macie on")

    # RAM: subnets shared by the production accounts.
    pay = by_key["payments-prod"]
    share = pay.resource_share("payments-db-subnets", EU_WEST_1,
                               principals=[ou_arn(OU_ID["workloads"])],
                               resources=[pay.arn(EU_WEST_1, "subnet", "payments-prod", "private-a")],
                               tags={"Owner": "payments-team"})
    plant("ram-no-production-share-to-nonproduction", share, "fail",
          "shared with the Workloads OU, which holds app-preprod")
    app = by_key["app-prod"]
    share = app.resource_share("storefront-cache-subnets", EU_WEST_1,
                               principals=[ou_arn(OU_ID["prod"])],
                               resources=[app.arn(EU_WEST_1, "subnet", "storefront-prod", "private-a")],
                               tags={"Owner": "storefront-team"})
    plant("ram-no-production-share-to-nonproduction", share, "pass", "shared with the Prod OU only")
    net = by_key["network"]
    net.resource_share("core-transit-gateways", EU_WEST_1,
                       principals=[f"arn:aws:organizations::{MGMT}:organization/{ORG_ID}"],
                       resources=[net.arn(EU_WEST_1, "tgw", f"core-{EU_WEST_1}")],
                       tags={"Owner": "network-engineering"})

    # Direct Connect ordered by the payments team for a data feed, outside the hub.
    dx = pay.dx_connection("dx-analytics-1g", EU_WEST_1, "EqDC2", "1Gbps", tags={"Owner": "payments-team"})
    plant("direct-connect-only-in-network-account", dx, "fail", "in payments-prod")

    # Root credentials: centralized root access in the members; the management account's root
    # has a password and MFA; the migration account's root kept an access key.
    by_key["management"].root_credentials = (True, True, 0)
    by_key["legacy-migration"].root_credentials = (True, False, 1)
    by_key["dev-sandbox"].root_credentials = (False, False, 0)
    plant("root-user-no-access-keys", ACCT["legacy-migration"], "fail", "one active root access key")
    plant("root-user-mfa", ACCT["dev-sandbox"], "fail", "no password, no MFA: recoverable by email")
    plant("root-user-mfa", ACCT["app-prod"], "pass", "centralized root access, no credentials")

    # Alternate contacts: payments-prod lacks the security contact; the migration account's
    # could not be read.
    by_key["payments-prod"].alternate_contacts = ["BILLING", "OPERATIONS"]
    by_key["legacy-migration"].alternate_contacts = None
    plant("alternate-contacts-set", ACCT["payments-prod"], "fail", "no SECURITY contact")
    plant("alternate-contacts-set", ACCT["legacy-migration"], "unknown", "not read")


def snapshot() -> dict:
    builders = [management, audit, log_archive, network, shared_services, builder, app_preprod,
                app_prod, payments_prod, dev_sandbox, legacy_migration, storefront_recs, jenkins_legacy]
    accounts = [b() for b in builders]
    account_services([a for a in accounts])
    reports_bucket = f"arn:aws:s3:::app-prod-reports-{ACCT['app-prod']}"
    coverage = [
        {
            "account_id": ACCT["dev-sandbox"],
            "region": US_EAST_1,
            "service": "acm",
            "reason": "ThrottlingException: Rate exceeded (retries exhausted)",
        },
        {
            "account_id": ACCT["app-prod"],
            "region": EU_WEST_1,
            "service": "s3",
            "reason": (f"AccessDenied: User: arn:aws:sts::{ACCT['app-prod']}:assumed-role/rampart-audit/rampart "
                       f"is not authorized to perform: s3:GetBucketPolicy on resource: "
                       f"\"app-prod-reports-{ACCT['app-prod']}\" with an explicit deny in a resource-based policy"),
            "resource": reports_bucket,
            "operation": "s3:GetBucketPolicy",
        },
        {
            "account_id": ACCT["payments-prod"],
            "region": EU_WEST_1,
            "service": "kms",
            "reason": (f"AccessDenied: User: arn:aws:sts::{ACCT['payments-prod']}:assumed-role/rampart-audit/rampart "
                       "is not authorized to perform: kms:ListKeys"),
        },
    ]
    plant("acm-certificate-expiry", f"arn:aws:acm:us-east-1:{ACCT['dev-sandbox']}:*", "unknown",
          "dev-sandbox us-east-1 ACM throttled (region-level coverage gap)")
    plant("account-classification-tag", ACCT["app-prod"], "pass", "own tag confidential")
    plant("account-classification-tag", ACCT["dev-sandbox"], "fail", "no DataClassification tag")
    plant("account-classification-tag", ACCT["legacy-migration"], "fail", "DataClassification=secret is not a level")
    plant("account-environment-mapped", ACCT["app-prod"], "pass", "Environment=production -> prod")
    plant("account-environment-mapped", ACCT["audit"], "pass", "OU Security -> security")
    plant("security-services-delegated-admin", MGMT, "fail",
          "AWS Config is delegated to shared-services, an infrastructure account")
    plant("management-account-no-workloads", MGMT, "pass", "only its trail and billing-reports buckets")
    plant("config-recorder-all-resources", f"arn:aws:config:{EU_WEST_1}:{MGMT}:configuration-recorder/default",
          "pass", "recording all supported resource types")
    plant("break-glass-roles-limited", ACCT["app-prod"], "pass", "one break-glass role")
    plant("account-in-organizational-unit", ACCT["audit"], "pass", "in the Security OU")
    plant("account-single-environment", ACCT["app-preprod"], "pass", "Environment=staging in Workloads/PreProd")
    plant("workload-account-owner-tagged", ACCT["dev-sandbox"], "pass", "sandbox: Owner tag only needed")
    plant("account-environment-mapped", ACCT["legacy-migration"], "fail",
          "no Environment tag and OU Transitional is not mapped")
    return {
        "schema_version": "1",
        "taken_at": TAKEN_AT,
        "source": {"kind": "fixture", "description": "rampart sample organization (fictional)"},
        "organization": {
            "id": ORG_ID,
            "arn": f"arn:aws:organizations::{MGMT}:organization/{ORG_ID}",
            "management_account_id": MGMT,
            "root": {
                "id": ROOT_ID,
                "arn": f"arn:aws:organizations::{MGMT}:root/{ORG_ID}/{ROOT_ID}",
                "name": "Root",
                "tags": {},
            },
            "organizational_units": [
                {
                    "id": ou_id,
                    "arn": ou_arn(ou_id),
                    "name": name,
                    "parent_id": ROOT_ID if parent is None else OU_ID[parent],
                    "tags": dict(sorted(ou_tags.items())),
                }
                for _, ou_id, name, parent, ou_tags in OUS
            ],
            "policies": org_policies(),
            "delegated_administrators": [
                {"account_id": ACCT["audit"], "service_principals": [
                    "access-analyzer.amazonaws.com", "guardduty.amazonaws.com", "securityhub.amazonaws.com"]},
                {"account_id": ACCT["shared-services"], "service_principals": ["config.amazonaws.com"]},
            ],
        },
        "accounts": [a.to_json() for a in accounts],
        "coverage": coverage,
    }


def _allow(actions, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


# Documents of the managed policies the sample attaches. AdministratorAccess and
# PowerUserAccess are AWS's documents as published; the read-only and service-role policies
# are abridged to their shape (AWS's full versions list hundreds of actions).
MANAGED_POLICY_DOCUMENTS = {
    "developer-boundary": {"Version": "2012-10-17", "Statement": [
        _allow(["s3:*", "lambda:*", "logs:*", "dynamodb:*", "sqs:*", "xray:*"]),
        {"Sid": "KeepTheBoundary", "Effect": "Deny",
         "Action": ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
                    "iam:CreatePolicyVersion", "iam:DeletePolicy"],
         "Resource": "*"},
    ]},
    "AdministratorAccess": {"Version": "2012-10-17", "Statement": [_allow("*")]},
    "PowerUserAccess": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        _allow(["account:GetAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
                "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                "organizations:DescribeOrganization"]),
    ]},
    "ReadOnlyAccess": {"Version": "2012-10-17", "Statement": [
        _allow(["*:Describe*", "*:Get*", "*:List*", "s3:GetObject", "cloudtrail:LookupEvents"]),
    ]},
    "SecurityAudit": {"Version": "2012-10-17", "Statement": [
        _allow(["*:Describe*", "*:List*", "iam:GenerateCredentialReport", "iam:GetAccountAuthorizationDetails",
                "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "s3:GetBucketPolicy", "s3:GetEncryptionConfiguration",
                "s3:GetBucketPublicAccessBlock"]),
    ]},
    "ViewOnlyAccess": {"Version": "2012-10-17", "Statement": [_allow(["*:Describe*", "*:List*"])]},
    "AWSConfigServiceRolePolicy": {"Version": "2012-10-17", "Statement": [
        _allow(["*:Describe*", "*:List*", "*:Get*", "config:Put*"]),
    ]},
    "AWSOrganizationsServiceTrustPolicy": {"Version": "2012-10-17", "Statement": [
        _allow(["iam:DeleteRole"], "arn:aws:iam::*:role/aws-service-role/organizations.amazonaws.com/*"),
    ]},
    "deploy-permissions-boundary": {"Version": "2012-10-17", "Statement": [
        _allow(["cloudformation:*", "ecs:*", "ecr:*", "lambda:*", "s3:*", "logs:*", "ssm:GetParameter*",
                "kms:Decrypt", "kms:GenerateDataKey*", "iam:PassRole", "iam:GetRole"]),
        {"Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:PutRolePermissionsBoundary",
                                      "iam:DeleteRolePermissionsBoundary", "organizations:*"], "Resource": "*"},
    ]},
}


RESOURCE_FIELDS = {
    "iam": ("roles", "users"),
    "network": ("vpcs", "subnets", "security_groups"),
    "storage": ("s3_buckets", "ebs_encryption_defaults", "ebs_volumes", "rds_instances"),
    "certificates": ("acm",),
    "logging": ("cloudtrail_trails", "config_recorders"),
}


def counts(snap: dict) -> dict[str, int]:
    c: dict[str, int] = {"accounts": len(snap["accounts"])}
    for acct in snap["accounts"]:
        c["kms_keys"] = c.get("kms_keys", 0) + len(acct["kms_keys"])
        for group, fields in RESOURCE_FIELDS.items():
            for field in fields:
                c[field] = c.get(field, 0) + len(acct[group][field])
    return c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "fixtures/orgs/sample/snapshot.json")
    parser.add_argument("--summary", action="store_true", help="print resource counts and planted outcomes")
    args = parser.parse_args()
    snap = snapshot()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(snap, indent=2) + "\n")
    if args.summary:
        c = counts(snap)
        print(f"{sum(c.values())} resources: " + ", ".join(f"{k}={v}" for k, v in c.items()))
        for rule in sorted(PLANTED):
            print(rule)
            for resource, outcome, why in PLANTED[rule]:
                print(f"  {outcome:15} {resource}  ({why})")


if __name__ == "__main__":
    main()
