#!/usr/bin/env python3
"""Seed a fresh moto server with an AWS organization for rampart's emulator tests.

Usage:
    python tests/moto/seed.py --endpoint http://127.0.0.1:PORT [--reset] [--enforce-auth]
                              [--restricted-mode role-deny|assume-deny] [--verify-auth]

Prints ONE JSON manifest on stdout (see tests/moto/NOTES.md for its keys); logs go to
stderr. The structure (names, counts, planted violations) is deterministic; the ids that
moto generates (account ids, OU ids, key ids, ...) are not.

With --enforce-auth, after seeding, the script creates the management account's IAM
user `rampart-auditor` (read-only policy + access key), locks the `restricted-ops`
account, and turns on moto's IAM enforcement (POST /moto-api/reset-auth, body "0").
From then on only signed requests with credentials that moto knows are accepted: the
auditor's key, or credentials returned by sts:AssumeRole called with it.

Only the standard library, boto3 and cryptography (a dependency of moto) are used.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import urllib.request
from typing import Any

# Dummy credentials before boto3 reads its environment; never touch real config.
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ.pop("AWS_PROFILE", None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ.pop("AWS_SESSION_TOKEN", None)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

MGMT_NAME = "management"
HOME = "eu-west-1"
SECOND = "us-east-1"
REGIONS = [HOME, SECOND]
# every region of the default ruleset's approved_regions
APPROVED_REGIONS = ["eu-west-1", "eu-central-1", "us-east-1"]
EXTERNAL_ACCOUNT = "999988887777"
RESTRICTED = "restricted-ops"

OU_TREE = [
    # (path, tags)
    ("Security", {"Owner": "security-team"}),
    ("Infrastructure", {"Owner": "platform-team"}),
    ("Deployments", {"Owner": "platform-team"}),
    ("Workloads", {"Owner": "app-team", "DataClassification": "confidential"}),
    ("Workloads/PreProd", {}),
    ("Workloads/Prod", {"CostCenter": "cc-1001"}),
    # the data platform's production accounts: a nested OU, environment prod by its path
    ("Workloads/Prod/Data", {"Owner": "data-team"}),
    ("Sandbox", {"Owner": "everyone"}),
]

# name -> (OU path, tags). Order is creation order. "" is the organization root.
ACCOUNTS = [
    ("log-archive", "Security", {"DataClassification": "internal"}),
    ("network", "Infrastructure", {"DataClassification": "internal"}),
    ("builder", "Deployments", {"DataClassification": "internal"}),
    ("app-preprod", "Workloads/PreProd",
     {"DataClassification": "confidential", "Environment": "preprod",
      "Owner": "app-team", "Workload": "app"}),
    ("app-prod", "Workloads/Prod",
     {"DataClassification": "confidential", "Environment": "prod",
      "Owner": "app-team", "Workload": "app"}),
    # planted: workload `data` has no pre-production account
    ("data-prod", "Workloads/Prod/Data",
     {"DataClassification": "restricted", "Environment": "production",
      "Owner": "data-team", "Workload": "data"}),
    # planted: invalid classification value; no Owner tag
    ("sandbox", "Sandbox", {"DataClassification": "secret"}),
    (RESTRICTED, "Workloads/Prod",
     {"DataClassification": "confidential", "Environment": "prod",
      "Owner": "ops-team", "Workload": "app"}),
    # planted: a staging account tagged for its environment but left in the Prod OU
    ("app-staging", "Workloads/Prod",
     {"DataClassification": "confidential", "Environment": "staging",
      "Owner": "app-team", "Workload": "app"}),
    # planted: an invited account never moved out of the root
    ("legacy-import", "", {"DataClassification": "internal", "Owner": "finance-team"}),
]
MGMT_TAGS = {"DataClassification": "internal", "Environment": "management"}

ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_ALL = {"Version": "2012-10-17",
            "Statement": [{"Sid": "LockedForRampartTest", "Effect": "Deny",
                           "Action": "*", "Resource": "*"}]}

# Read-only policy of the collector's IAM user (moto evaluates Action globs; Resource
# and Condition are mostly ignored by moto, see NOTES.md).
AUDITOR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "AssumeMemberRoles", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": "arn:aws:iam::*:role/OrganizationAccountAccessRole"},
        {"Sid": "ReadOnly", "Effect": "Allow", "Resource": "*", "Action": [
            "organizations:Describe*", "organizations:List*",
            "sts:GetCallerIdentity",
            "iam:Get*", "iam:List*",
            "kms:Describe*", "kms:Get*", "kms:List*",
            "ec2:Describe*", "ec2:Get*",
            "rds:Describe*",
            "s3:Get*", "s3:List*",
            "acm:Describe*", "acm:Get*", "acm:List*",
            "cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*",
            "config:Describe*", "config:Get*", "config:List*", "config:Select*",
            "route53:Get*", "route53:List*",
            "route53resolver:Get*", "route53resolver:List*",
            "elasticloadbalancing:Describe*",
            "ec2:Search*",
            "guardduty:Get*", "guardduty:List*", "securityhub:Describe*",
            "access-analyzer:List*", "macie2:Get*", "ram:Get*",
            "account:GetAlternateContact", "directconnect:Describe*",
        ]},
    ],
}


def log(msg: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def doc(d: Any) -> str:
    return json.dumps(d, separators=(",", ":"))


class Ctx:
    """Client factory for one account."""

    def __init__(self, endpoint: str, name: str, account_id: str, creds: dict[str, str]):
        self.endpoint = endpoint
        self.name = name
        self.id = account_id
        self.creds = creds
        self._clients: dict[tuple[str, str], Any] = {}

    def c(self, service: str, region: str = HOME) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = make_client(self.endpoint, service, region, self.creds)
        return self._clients[key]

    def arn(self, rest: str) -> str:
        return f"arn:aws:iam::{self.id}:{rest}"


CFG = Config(
    retries={"max_attempts": 1, "mode": "standard"},
    connect_timeout=5,
    read_timeout=60,
    s3={"addressing_style": "path"},
)


_SESSION: Any = None


def make_client(endpoint: str, service: str, region: str, creds: dict[str, str]) -> Any:
    # one session: botocore then loads each service model once (much faster)
    global _SESSION
    if _SESSION is None:
        _SESSION = boto3.session.Session()
    client = _SESSION.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
        config=CFG,
    )
    client.meta.events.register("before-parse", _capture_body)
    return client


def tags_list(d: dict[str, str], k: str = "Key", v: str = "Value") -> list[dict[str, str]]:
    return [{k: key, v: val} for key, val in d.items()]


# --------------------------------------------------------------------------- manifest

class Manifest:
    def __init__(self) -> None:
        self.violations: list[dict[str, Any]] = []
        self.compliant: list[dict[str, Any]] = []
        self.restricted_violations: list[dict[str, Any]] = []
        self.incidental: list[dict[str, Any]] = []
        self.inventory: dict[str, dict[str, list[Any]]] = {}

    def _entry(self, rule: str, ctx: Ctx, resource: str, region: str | None,
               arn: str | None, note: str | None) -> dict[str, Any]:
        e: dict[str, Any] = {"rule": rule, "account": ctx.name, "account_id": ctx.id,
                             "region": region, "resource": resource, "arn": arn}
        if note:
            e["note"] = note
        return e

    def violation(self, rule: str, ctx: Ctx, resource: str, region: str | None = None,
                  arn: str | None = None, note: str | None = None) -> None:
        e = self._entry(rule, ctx, resource, region, arn, note)
        (self.restricted_violations if ctx.name == RESTRICTED else self.violations).append(e)

    def also_fails(self, rule: str, ctx: Ctx, resource: str, region: str | None,
                   arn: str | None, note: str) -> None:
        """A failure that is not a plant of its own: a consequence of one (or of a moto
        limitation, or a suspected rule bug, which the note says). Kept in the manifest's
        `incidental` list so that the test can expect exactly the failures it knows."""
        self.incidental.append(self._entry(rule, ctx, resource, region, arn, note))

    def ok(self, rule: str, ctx: Ctx, resource: str, region: str | None = None,
           arn: str | None = None, note: str | None = None) -> None:
        self.compliant.append(self._entry(rule, ctx, resource, region, arn, note))

    def inv(self, ctx: Ctx, kind: str, item: Any) -> None:
        self.inventory.setdefault(ctx.name, {}).setdefault(kind, []).append(item)


M = Manifest()


# --------------------------------------------------------------------------- organization

def seed_organization(mgmt: Ctx) -> dict[str, Any]:
    org = mgmt.c("organizations", SECOND)
    o = org.create_organization(FeatureSet="ALL")["Organization"]
    root_id = org.list_roots()["Roots"][0]["Id"]
    for sp in ["cloudtrail.amazonaws.com", "config.amazonaws.com",
               "config-multiaccountsetup.amazonaws.com"]:
        org.enable_aws_service_access(ServicePrincipal=sp)
    policy_types = {}
    for pt in ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]:
        try:
            org.enable_policy_type(RootId=root_id, PolicyType=pt)
            policy_types[pt] = "enabled"
        except ClientError as e:
            policy_types[pt] = e.response["Error"]["Code"]
            log(f"enable_policy_type {pt}: {e.response['Error']['Code']}")

    ous: dict[str, str] = {"": root_id}
    for path, tags in OU_TREE:
        parent, _, name = path.rpartition("/")
        kw: dict[str, Any] = {"ParentId": ous[parent], "Name": name}
        if tags:
            kw["Tags"] = tags_list(tags)
        ous[path] = org.create_organizational_unit(**kw)["OrganizationalUnit"]["Id"]

    org.tag_resource(ResourceId=mgmt.id, Tags=tags_list(MGMT_TAGS))
    accounts = {MGMT_NAME: mgmt.id}
    account_ous = {MGMT_NAME: ""}
    for name, path, tags in ACCOUNTS:
        st = org.create_account(Email=f"{name}@example.com", AccountName=name,
                                Tags=tags_list(tags))["CreateAccountStatus"]
        acct_id = st.get("AccountId") or org.describe_create_account_status(
            CreateAccountRequestId=st["Id"])["CreateAccountStatus"]["AccountId"]
        if path:
            org.move_account(AccountId=acct_id, SourceParentId=root_id,
                             DestinationParentId=ous[path])
        accounts[name] = acct_id
        account_ous[name] = path

    # Guardrails are attached to the top-level OUs (as AWS Control Tower does), not to the
    # root: legacy-import, left under the root, has none of them (planted).
    top_ous = ["Security", "Infrastructure", "Deployments", "Workloads", "Sandbox"]
    scp_docs = {
        "deny-leave-organization": (
            {"Version": "2012-10-17", "Statement": [
                {"Sid": "DenyLeave", "Effect": "Deny",
                 "Action": "organizations:LeaveOrganization", "Resource": "*"}]},
            top_ous),
        "deny-root-user": (
            {"Version": "2012-10-17", "Statement": [
                {"Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}]},
            top_ous),
        "protect-security-services": (
            {"Version": "2012-10-17", "Statement": [
                {"Sid": "ProtectSecurityServices", "Effect": "Deny",
                 "Action": ["guardduty:DeleteDetector",
                            "guardduty:DisassociateFromAdministratorAccount",
                            "guardduty:UpdateDetector",
                            "securityhub:DisableSecurityHub",
                            "securityhub:DisassociateFromAdministratorAccount",
                            "access-analyzer:DeleteAnalyzer", "macie2:DisableMacie"],
                 "Resource": "*"}]},
            top_ous),
        # planted: deliberately NOT attached to Sandbox
        "deny-cloudtrail-tampering": (
            {"Version": "2012-10-17", "Statement": [
                {"Sid": "ProtectTrail", "Effect": "Deny",
                 "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail",
                            "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
                            "config:StopConfigurationRecorder",
                            "config:DeleteConfigurationRecorder",
                            "config:DeleteDeliveryChannel"],
                 "Resource": "*"}]},
            ["Security", "Infrastructure", "Deployments", "Workloads"]),
        # production guardrail, deliberately NOT attached to Sandbox
        "prod-guardrail": (
            {"Version": "2012-10-17", "Statement": [
                {"Sid": "KeepEbsEncryption", "Effect": "Deny",
                 "Action": ["ec2:DisableEbsEncryptionByDefault",
                            "kms:ScheduleKeyDeletion"],
                 "Resource": "*"}]},
            ["Workloads/Prod"]),
        # planted: the region fence is on Workloads/Prod only, not on Workloads/PreProd
        "deny-unapproved-regions": (
            {"Version": "2012-10-17", "Statement": [
                {"Sid": "DenyOutsideApprovedRegions", "Effect": "Deny",
                 "NotAction": ["iam:*", "organizations:*", "sts:*", "route53:*",
                               "cloudfront:*", "support:*", "budgets:*", "health:*"],
                 "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:RequestedRegion": APPROVED_REGIONS}}}]},
            ["Workloads/Prod"]),
    }
    scps: dict[str, str] = {}
    scp_targets: dict[str, list[str]] = {}
    for name, (content, targets) in scp_docs.items():
        pid = org.create_policy(Content=doc(content), Description=name, Name=name,
                                Type="SERVICE_CONTROL_POLICY",
                                Tags=[{"Key": "ManagedBy", "Value": "rampart-seed"}]
                                )["Policy"]["PolicySummary"]["Id"]
        for t in targets:
            org.attach_policy(PolicyId=pid, TargetId=ous[t])
        scps[name] = pid
        scp_targets[name] = [t or "Root" for t in targets]

    rcps: dict[str, str] = {}
    rcp_targets: dict[str, list[str]] = {}
    try:
        content = {"Version": "2012-10-17", "Statement": [
            {"Sid": "EnforceTls", "Effect": "Deny", "Principal": "*",
             "Action": ["s3:*", "kms:*"], "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]}
        pid = org.create_policy(Content=doc(content), Description="rcp-enforce-tls",
                                Name="rcp-enforce-tls", Type="RESOURCE_CONTROL_POLICY"
                                )["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=pid, TargetId=ous["Workloads"])
        rcps["rcp-enforce-tls"] = pid
        rcp_targets["rcp-enforce-tls"] = ["Workloads"]
    except ClientError as e:
        log(f"RCP not supported: {e}")

    org.register_delegated_administrator(
        AccountId=accounts["log-archive"],
        ServicePrincipal="config-multiaccountsetup.amazonaws.com")
    delegated = [{"account": "log-archive", "account_id": accounts["log-archive"],
                  "service_principal": "config-multiaccountsetup.amazonaws.com"}]
    for sp in ["guardduty.amazonaws.com", "access-analyzer.amazonaws.com",
               "securityhub.amazonaws.com", "config.amazonaws.com"]:
        try:
            org.register_delegated_administrator(AccountId=accounts["log-archive"],
                                                 ServicePrincipal=sp)
            delegated.append({"account": "log-archive",
                              "account_id": accounts["log-archive"],
                              "service_principal": sp})
        except ClientError as e:
            log(f"delegated admin {sp}: {e.response['Error']['Code']} (moto limitation)")

    scp_defaults = [p["Id"] for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")
                    ["Policies"] if p.get("AwsManaged")]
    return {
        "organization": {"id": o["Id"], "arn": o["Arn"], "root_id": root_id,
                         "management_account_id": mgmt.id,
                         "feature_set": o.get("FeatureSet", "ALL"),
                         "policy_types": policy_types,
                         "aws_managed_scps": scp_defaults},
        "accounts": accounts, "account_ous": account_ous,
        "ous": {k: v for k, v in ous.items() if k},
        "scps": scps, "scp_targets": scp_targets,
        "rcps": rcps, "rcp_targets": rcp_targets,
        "rcp_supported": bool(rcps),
        "delegated_administrators": delegated,
    }


# --------------------------------------------------------------------------- helpers

def trust(principal: dict[str, Any], action: str = "sts:AssumeRole",
          condition: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


def create_role(ctx: Ctx, name: str, trust_doc: dict[str, Any], *,
                inline: dict[str, dict[str, Any]] | None = None,
                managed: list[str] | None = None, tags: dict[str, str] | None = None,
                path: str = "/", boundary: str | None = None) -> str:
    iam = ctx.c("iam", SECOND)
    kw: dict[str, Any] = {"RoleName": name, "AssumeRolePolicyDocument": doc(trust_doc),
                          "Path": path}
    if boundary:
        kw["PermissionsBoundary"] = boundary
    if tags:
        kw["Tags"] = tags_list(tags)
    arn = iam.create_role(**kw)["Role"]["Arn"]
    for pname, pdoc in (inline or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=pname, PolicyDocument=doc(pdoc))
    for parn in managed or []:
        iam.attach_role_policy(RoleName=name, PolicyArn=parn)
    M.inv(ctx, "iam_roles", name)
    return arn


def create_managed_policy(ctx: Ctx, name: str, pdoc: dict[str, Any]) -> str:
    arn = ctx.c("iam", SECOND).create_policy(PolicyName=name, PolicyDocument=doc(pdoc),
                                             Description=name)["Policy"]["Arn"]
    M.inv(ctx, "iam_managed_policies", name)
    return arn


def create_user(ctx: Ctx, name: str, with_key: bool = False) -> dict[str, str] | None:
    iam = ctx.c("iam", SECOND)
    iam.create_user(UserName=name, Tags=[{"Key": "Owner", "Value": "rampart-seed"}])
    M.inv(ctx, "iam_users", name)
    if with_key:
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return {"access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"]}
    return None


def password_policy(ctx: Ctx) -> None:
    ctx.c("iam", SECOND).update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
        RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True, MaxPasswordAge=90, PasswordReusePrevention=24)
    M.inv(ctx, "iam_password_policy", True)


def default_key_policy(ctx: Ctx, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
        {"Sid": "EnableRootPermissions", "Effect": "Allow",
         "Principal": {"AWS": ctx.arn("root")}, "Action": "kms:*", "Resource": "*"},
    ] + (extra or [])}


def create_key(ctx: Ctx, region: str, alias: str, *, rotation: bool = True,
               policy: dict[str, Any] | None = None,
               tags: dict[str, str] | None = None) -> dict[str, str]:
    kms = ctx.c("kms", region)
    all_tags = {"Name": alias, **(tags or {})}
    md = kms.create_key(Description=f"rampart seed key {alias}",
                        Policy=doc(policy or default_key_policy(ctx)),
                        KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT",
                        Tags=tags_list(all_tags, "TagKey", "TagValue"))["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=md["KeyId"])
    if rotation:
        kms.enable_key_rotation(KeyId=md["KeyId"])
    k = {"alias": f"alias/{alias}", "key_id": md["KeyId"], "arn": md["Arn"],
         "region": region, "rotation": rotation}
    M.inv(ctx, "kms_keys", k)
    return k


def create_bucket(ctx: Ctx, name: str, region: str, *, tags: dict[str, str] | None = None,
                  kms_key_arn: str | None = None, sse_s3: bool = False,
                  block_public: bool = False, tls_policy: bool = False,
                  extra_policy: list[dict[str, Any]] | None = None,
                  versioning: bool = False) -> str:
    s3 = ctx.c("s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name,
                         CreateBucketConfiguration={"LocationConstraint": region})
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags_list(tags)})
    if kms_key_arn:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                    "KMSMasterKeyID": kms_key_arn},
             "BucketKeyEnabled": True}]})
    elif sse_s3:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    if block_public:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    statements = list(extra_policy or [])
    if tls_policy:
        statements.append({
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    if statements:
        s3.put_bucket_policy(Bucket=name, Policy=doc(
            {"Version": "2012-10-17", "Statement": statements}))
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    M.inv(ctx, "s3_buckets", {"name": name, "region": region})
    return f"arn:aws:s3:::{name}"


def config_recorders(ctx: Ctx, bucket: str) -> None:
    for region in REGIONS:
        config_recorder(ctx, bucket, region)


def config_recorder(ctx: Ctx, bucket: str, region: str = HOME) -> None:
    cfg = ctx.c("config", region)
    cfg.put_configuration_recorder(ConfigurationRecorder={
        "name": "default",
        "roleARN": ctx.arn("role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME}})
    cfg.put_delivery_channel(DeliveryChannel={
        "name": "default", "s3BucketName": bucket, "s3KeyPrefix": ctx.id})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    M.inv(ctx, "config_recorders", region)


def ebs_default(ctx: Ctx, key_arns: dict[str, str] | None = None) -> None:
    for region in REGIONS:
        ec2 = ctx.c("ec2", region)
        ec2.enable_ebs_encryption_by_default()
        if key_arns and region in key_arns:
            ec2.modify_ebs_default_kms_key_id(KmsKeyId=key_arns[region])
        M.inv(ctx, "ebs_encryption_by_default", region)


def name_tags(resource_type: str, name: str, extra: dict[str, str] | None = None
              ) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type,
             "Tags": tags_list({"Name": name, **(extra or {})})}]


def seed_vpc(ctx: Ctx, cidr: str, prefix: str, *, name: str | None = None,
             azs: tuple[str, ...] = ("a", "b"), internet: bool = False,
             open_ssh: bool = False, nacl_on_subnets: bool = False,
             flow_log: bool = True, s3_endpoint: bool = True) -> dict[str, Any]:
    """A VPC with one subnet per AZ letter in `azs` and an internal-only security group.

    internet: an internet gateway, the first subnet public (route to it) and the others
    private behind a NAT gateway; otherwise every subnet uses the main route table (local
    routes only). open_ssh: a security group with SSH open to the world.
    nacl_on_subnets: a custom network ACL (HTTPS in only) replaces the default one (which
    allows everything) on every subnet. flow_log: a VPC flow log to CloudWatch Logs.
    s3_endpoint: an S3 gateway endpoint on the VPC's route tables."""
    r = HOME
    ec2 = ctx.c("ec2", r)
    base = cidr.split(".")
    vpc_name = name or f"{prefix}-vpc"
    vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=name_tags("vpc", vpc_name)
                         )["Vpc"]["VpcId"]
    subnets = []
    for i, az in enumerate(azs):
        kind = "public" if internet and i == 0 else "private"
        subnets.append(ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"{base[0]}.{base[1]}.{i}.0/24",
            AvailabilityZone=f"{r}{az}",
            TagSpecifications=name_tags("subnet", f"{prefix}-{kind}-{az}"))["Subnet"]["SubnetId"])
    main_rt = ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [vpc]},
        {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]
    v: dict[str, Any] = {"region": r, "name": vpc_name, "vpc_id": vpc, "cidr": cidr,
                         "subnets": subnets, "route_tables": [main_rt]}
    endpoint_tables = [main_rt]
    if internet:
        igw = ec2.create_internet_gateway(
            TagSpecifications=name_tags("internet-gateway", f"{prefix}-igw")
        )["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=eip,
                                     TagSpecifications=name_tags("natgateway", f"{prefix}-nat")
                                     )["NatGateway"]["NatGatewayId"]
        rt_pub = ec2.create_route_table(VpcId=vpc, TagSpecifications=name_tags(
            "route-table", f"{prefix}-public-rt"))["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rt_pub, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        ec2.associate_route_table(RouteTableId=rt_pub, SubnetId=subnets[0])
        rt_priv = ec2.create_route_table(VpcId=vpc, TagSpecifications=name_tags(
            "route-table", f"{prefix}-private-rt"))["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rt_priv, DestinationCidrBlock="0.0.0.0/0",
                         NatGatewayId=nat)
        for sn in subnets[1:]:
            ec2.associate_route_table(RouteTableId=rt_priv, SubnetId=sn)
        endpoint_tables = [rt_priv]
        v.update(internet_gateway=igw, nat_gateway=nat, public_subnet=subnets[0],
                 route_tables=[main_rt, rt_pub, rt_priv])
    sg_internal = ec2.create_security_group(
        GroupName=f"{prefix}-internal", VpcId=vpc, Description="internal only",
        TagSpecifications=name_tags("security-group", f"{prefix}-internal"))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg_internal, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": cidr}]}])
    v["internal_security_group"] = sg_internal
    if open_ssh:
        sg = ec2.create_security_group(GroupName=f"{prefix}-bastion-ssh", VpcId=vpc,
                                       Description="SSH open to the world (planted)",
                                       TagSpecifications=name_tags("security-group",
                                                                   f"{prefix}-bastion-ssh")
                                       )["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
             "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh from anywhere"}]}])
        v["open_ssh_security_group"] = sg
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    v["default_network_acl"] = acls[0]["NetworkAclId"]
    if nacl_on_subnets:
        acl = ec2.create_network_acl(VpcId=vpc, TagSpecifications=name_tags(
            "network-acl", f"{prefix}-acl"))["NetworkAcl"]["NetworkAclId"]
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                     RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                     PortRange={"From": 443, "To": 443})
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                                     RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0")
        for a in acls[0].get("Associations", []):
            ec2.replace_network_acl_association(AssociationId=a["NetworkAclAssociationId"],
                                                NetworkAclId=acl)
        v["network_acl"] = acl
    if flow_log:
        logs = ctx.c("logs", r)
        logs.create_log_group(logGroupName=f"/vpc/{prefix}-flow-logs")
        role_arn = create_role(ctx, f"{prefix}-vpc-flow-logs",
                               trust({"Service": "vpc-flow-logs.amazonaws.com"}),
                               inline={"flow-logs": {"Version": "2012-10-17", "Statement": [
                                   {"Effect": "Allow", "Action": ["logs:CreateLogStream",
                                                                  "logs:PutLogEvents",
                                                                  "logs:DescribeLogStreams"],
                                    "Resource": "*"}]}})
        v["flow_log"] = ec2.create_flow_logs(
            ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
            LogDestinationType="cloud-watch-logs", LogGroupName=f"/vpc/{prefix}-flow-logs",
            DeliverLogsPermissionArn=role_arn)["FlowLogIds"][0]
    if s3_endpoint:
        v["vpc_endpoint"] = ec2.create_vpc_endpoint(
            VpcId=vpc, ServiceName=f"com.amazonaws.{r}.s3", VpcEndpointType="Gateway",
            RouteTableIds=endpoint_tables,
            TagSpecifications=name_tags("vpc-endpoint", f"{prefix}-s3"))["VpcEndpoint"]["VpcEndpointId"]
    v["arn"] = ec2_arn(ctx, "vpc", vpc)
    M.inv(ctx, "vpcs", v)
    return v


def ec2_arn(ctx: Ctx, kind: str, rid: str, region: str = HOME) -> str:
    return f"arn:aws:ec2:{region}:{ctx.id}:{kind}/{rid}"


def default_vpc_internet(ctx: Ctx, region: str) -> dict[str, Any]:
    """Give a region's default VPC the internet gateway and default route that AWS creates
    with it (moto's default VPCs have neither: every other default VPC of the seed is one
    whose gateway was detached and deleted)."""
    ec2 = ctx.c("ec2", region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}]
                            )["Vpcs"][0]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}]
                                       )["RouteTables"]
    main = next(t for t in tables if any(a.get("Main") for a in t.get("Associations", [])))
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=igw)
    subnets = [sn["SubnetId"] for sn in ec2.describe_subnets(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}]
                                    )["NetworkAcls"][0]["NetworkAclId"]
    v = {"region": region, "vpc_id": vpc, "internet_gateway": igw, "subnets": subnets,
         "network_acl": acl, "arn": ec2_arn(ctx, "vpc", vpc, region)}
    M.inv(ctx, "default_vpcs_with_internet", v)
    return v


def default_vpc_id(ctx: Ctx, region: str) -> str:
    return ctx.c("ec2", region).describe_vpcs(
        Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


# --------------------------------------------------------------------------- certificates

def make_cert(cn: str, bits: int, days_valid: int) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Org")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days_valid))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM,
                              serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()))


def import_cert(ctx: Ctx, cn: str, bits: int, days: int, tags: dict[str, str]) -> str:
    cert, key = make_cert(cn, bits, days)
    arn = ctx.c("acm", HOME).import_certificate(
        Certificate=cert, PrivateKey=key, Tags=tags_list({"Name": cn, **tags})
    )["CertificateArn"]
    return arn


# --------------------------------------------------------------------------- accounts

def seed_management(c: Ctx, la: Ctx) -> None:
    iam = c.c("iam", SECOND)
    saml_xml = (
        '<?xml version="1.0"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
        'entityID="https://idp.example.com/saml"><IDPSSODescriptor '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">'
        f'<X509Data><X509Certificate>{"MIIC" + "A" * 700}</X509Certificate></X509Data>'
        '</KeyInfo></KeyDescriptor>'
        '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.example.com/sso"/></IDPSSODescriptor></EntityDescriptor>')
    saml_arn = iam.create_saml_provider(SAMLMetadataDocument=saml_xml,
                                        Name="corp-idp")["SAMLProviderArn"]
    M.inv(c, "iam_saml_providers", "corp-idp")
    pol = create_managed_policy(c, "ops-readonly-access", {
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*", "iam:Get*",
                                           "iam:List*", "organizations:Describe*",
                                           "organizations:List*"], "Resource": "*"}]})
    create_role(c, "ops-readonly", trust({"Federated": saml_arn}, "sts:AssumeRoleWithSAML",
                                         {"StringEquals": {
                                             "SAML:aud": "https://signin.aws.amazon.com/saml"}}),
                managed=[pol], tags={"Team": "ops"})
    create_user(c, "breakglass")
    password_policy(c)
    trail_key = create_key(c, HOME, f"mgmt-{HOME}", tags={"Team": "security"})
    create_key(c, SECOND, f"mgmt-{SECOND}", tags={"Team": "security"})
    ebs_default(c)
    # organization trail, logging to the log-archive bucket
    ct = c.c("cloudtrail", HOME)
    bucket = f"rampart-org-trail-{la.id}"
    trail = ct.create_trail(Name="org-trail", S3BucketName=bucket,
                            IsMultiRegionTrail=True, EnableLogFileValidation=True,
                            IsOrganizationTrail=True, IncludeGlobalServiceEvents=True,
                            KmsKeyId=trail_key["arn"],
                            TagsList=[{"Key": "Owner", "Value": "security-team"}])
    ct.start_logging(Name="org-trail")
    ct.put_event_selectors(TrailName="org-trail", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    M.inv(c, "trails", {"name": "org-trail", "arn": trail["TrailARN"], "region": HOME,
                        "organization": bool(trail.get("IsOrganizationTrail")),
                        "multi_region": True, "log_file_validation": True,
                        "bucket": bucket})
    M.ok("cloudtrail-multi-region", c, c.id, None, None,
         f"own organization trail org-trail ({trail['TrailARN']})")
    for rule in ["cloudtrail-encrypted", "cloudtrail-log-file-validation"]:
        M.ok(rule, c, "org-trail", HOME, trail["TrailARN"])
    config_recorders(c, f"rampart-config-{la.id}")


def seed_log_archive(c: Ctx, mgmt: Ctx) -> None:
    # buckets first: the management account's trail and every config channel use them
    create_bucket(c, f"rampart-org-trail-{c.id}", HOME,
                  tags={"DataClassification": "internal", "Purpose": "cloudtrail"},
                  sse_s3=True, block_public=True, tls_policy=True, versioning=True,
                  extra_policy=[
                      {"Sid": "CloudTrailAclCheck", "Effect": "Allow",
                       "Principal": {"Service": "cloudtrail.amazonaws.com"},
                       "Action": "s3:GetBucketAcl",
                       "Resource": f"arn:aws:s3:::rampart-org-trail-{c.id}"},
                      {"Sid": "CloudTrailWrite", "Effect": "Allow",
                       "Principal": {"Service": "cloudtrail.amazonaws.com"},
                       "Action": "s3:PutObject",
                       "Resource": f"arn:aws:s3:::rampart-org-trail-{c.id}/AWSLogs/*"}])
    create_bucket(c, f"rampart-config-{c.id}", HOME,
                  tags={"DataClassification": "internal", "Purpose": "config"},
                  sse_s3=True, block_public=True, tls_policy=True)
    pol = create_managed_policy(c, "security-audit-read", {
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["cloudtrail:Get*", "cloudtrail:Describe*",
                                           "config:Get*", "config:Describe*",
                                           "s3:GetObject"], "Resource": "*"}]})
    create_role(c, "security-audit", trust({"AWS": mgmt.arn("root")}), managed=[pol],
                inline={"deny-delete": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Deny", "Action": ["s3:DeleteObject", "s3:DeleteBucket"],
                     "Resource": "*"}]}})
    create_role(c, "config-aggregator", trust({"Service": "config.amazonaws.com"}),
                inline={"aggregate": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["organizations:ListAccounts",
                                                   "organizations:DescribeOrganization",
                                                   "organizations:ListAWSServiceAccessForOrganization"],
                     "Resource": "*"}]}})
    create_user(c, "auditor-human")
    password_policy(c)
    for r in REGIONS:
        create_key(c, r, f"log-archive-{r}")
    config_recorders(c, f"rampart-config-{c.id}")
    agg = c.c("config", HOME).put_configuration_aggregator(
        ConfigurationAggregatorName="org-aggregator",
        OrganizationAggregationSource={"RoleArn": c.arn("role/config-aggregator"),
                                       "AllAwsRegions": True},
        Tags=[{"Key": "Owner", "Value": "security-team"}])["ConfigurationAggregator"]
    M.inv(c, "config_aggregators", {"name": "org-aggregator",
                                    "arn": agg["ConfigurationAggregatorArn"],
                                    "region": HOME, "organization": True})


# ids that later steps need: the hub's transit gateway, and the workload VPCs to attach
HUB: dict[str, str] = {}
SPOKES: list[tuple[Ctx, dict[str, Any]]] = []

DEPLOY_ACCESS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["cloudformation:*", "s3:PutObject"], "Resource": "*"}]}


def seed_network(c: Ctx, mgmt: Ctx, cfg_bucket: str) -> None:
    create_role(c, "network-admin", trust({"AWS": mgmt.arn("root")}),
                inline={"network": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["ec2:*", "route53:*",
                                                   "route53resolver:*"], "Resource": "*"}]}})
    # planted: three break-glass roles (the ruleset allows two)
    for name in ["break-glass-admin", "breakglass-network", "emergency-access-network"]:
        create_role(c, name, break_glass_trust(mgmt), inline={"admin": ALLOW_ALL})
    M.violation("break-glass-roles-limited", c, c.id, None, None,
                "three break-glass roles (max_break_glass_roles = 2)")
    for r in REGIONS:
        create_key(c, r, f"network-{r}")
    # the egress VPC: its internet gateway is sanctioned (internet_vpcs: *egress*)
    v = seed_vpc(c, "10.1.0.0/16", "network", name="network-egress", internet=True,
                 nacl_on_subnets=True)
    M.ok("igw-only-in-internet-vpcs", c, v["internet_gateway"], HOME,
         ec2_arn(c, "internet-gateway", v["internet_gateway"]), "attached to network-egress")
    M.ok("sg-admin-ports-not-open-to-internet", c, v["internal_security_group"], HOME,
         ec2_arn(c, "security-group", v["internal_security_group"]))
    M.ok("nacl-admin-ports-not-open-to-internet", c, v["network_acl"], HOME,
         ec2_arn(c, "network-acl", v["network_acl"]), "HTTPS only, on every subnet")
    M.ok("vpc-flow-logs-enabled", c, v["vpc_id"], HOME, v["arn"])
    ec2 = c.c("ec2", HOME)
    tgw = ec2.create_transit_gateway(
        Description="core transit gateway",
        Options={"AmazonSideAsn": 64512, "DefaultRouteTableAssociation": "enable",
                 "DefaultRouteTablePropagation": "enable"},
        TagSpecifications=name_tags("transit-gateway", "core-tgw"))["TransitGateway"]
    HUB["tgw"] = tgw["TransitGatewayId"]
    M.ok("transit-gateway-only-in-network-account", c, tgw["TransitGatewayId"], HOME,
         ec2_arn(c, "transit-gateway", tgw["TransitGatewayId"]))
    att = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw["TransitGatewayId"], VpcId=v["vpc_id"],
        SubnetIds=[v["subnets"][1]],
        TagSpecifications=name_tags("transit-gateway-attachment", "network-vpc-attachment")
    )["TransitGatewayVpcAttachment"]
    vpn = site_to_site_vpn(c, v["vpc_id"], "onprem", "203.0.113.10")
    M.ok("vpn-only-in-network-account", c, vpn["vpn_connection"], HOME,
         ec2_arn(c, "vpn-connection", vpn["vpn_connection"]))
    M.inv(c, "transit_gateways", {"region": HOME, "id": tgw["TransitGatewayId"],
                                  "attachment": att["TransitGatewayAttachmentId"]})
    # Route 53
    r53 = c.c("route53", SECOND)
    pub = r53.create_hosted_zone(Name="example.com", CallerReference="rampart-public",
                                 HostedZoneConfig={"Comment": "public zone",
                                                   "PrivateZone": False})["HostedZone"]
    priv = r53.create_hosted_zone(Name="corp.internal", CallerReference="rampart-private",
                                  HostedZoneConfig={"Comment": "private zone",
                                                    "PrivateZone": True},
                                  VPC={"VPCRegion": HOME, "VPCId": v["vpc_id"]})["HostedZone"]
    for z, tags in [(pub, {"Visibility": "public"}), (priv, {"Visibility": "private"})]:
        r53.change_tags_for_resource(ResourceType="hostedzone",
                                     ResourceId=z["Id"].split("/")[-1],
                                     AddTags=tags_list(tags))
    r53.change_resource_record_sets(HostedZoneId=pub["Id"], ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {
            "Name": "www.example.com", "Type": "A", "TTL": 300,
            "ResourceRecords": [{"Value": "198.51.100.10"}]}}]})
    M.inv(c, "hosted_zones", {"name": "example.com.", "id": pub["Id"], "private": False})
    M.inv(c, "hosted_zones", {"name": "corp.internal.", "id": priv["Id"], "private": True})
    M.ok("private-hosted-zone-in-network-account", c, "corp.internal", None,
         zone_arn(priv["Id"]))
    # Route 53 Resolver: outbound endpoint + forward rule to on-prem DNS
    ep = resolver_endpoint(c, v)
    rule = forward_rule(c, ep, "onprem-forward", "onprem.example.internal", "10.10.0.2",
                        v["vpc_id"])
    M.ok("resolver-rule-owned-by-network-account", c, "onprem-forward", HOME, rule["Arn"])
    M.ok("resolver-forward-targets-private", c, "onprem-forward", HOME, rule["Arn"],
         "10.10.0.2:53")
    # planted: a partner's DNS reached over the internet
    rule = forward_rule(c, ep, "partner-forward", "partner.example.net", "203.0.113.53",
                        None)
    M.violation("resolver-forward-targets-private", c, "partner-forward", HOME, rule["Arn"],
                "target 203.0.113.53 is a public address")
    config_recorders(c, cfg_bucket)


def break_glass_trust(mgmt: Ctx) -> dict[str, Any]:
    """Assumable only by the management account's break-glass user, with MFA."""
    return trust({"AWS": mgmt.arn("user/breakglass")},
                 condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})


def zone_arn(zone_id: str) -> str:
    return f"arn:aws:route53:::hostedzone/{zone_id.split('/')[-1]}"


def site_to_site_vpn(c: Ctx, vpc_id: str | None, prefix: str, public_ip: str
                     ) -> dict[str, str]:
    ec2 = c.c("ec2", HOME)
    cgw = ec2.create_customer_gateway(BgpAsn=65000, PublicIp=public_ip, Type="ipsec.1",
                                      TagSpecifications=name_tags("customer-gateway",
                                                                  f"{prefix}-cgw")
                                      )["CustomerGateway"]["CustomerGatewayId"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1", AmazonSideAsn=64513,
                                 TagSpecifications=name_tags("vpn-gateway", f"{prefix}-vgw")
                                 )["VpnGateway"]["VpnGatewayId"]
    if vpc_id:
        ec2.attach_vpn_gateway(VpcId=vpc_id, VpnGatewayId=vgw)
    vpn = ec2.create_vpn_connection(CustomerGatewayId=cgw, Type="ipsec.1",
                                    VpnGatewayId=vgw,
                                    Options={"StaticRoutesOnly": True},
                                    TagSpecifications=name_tags("vpn-connection",
                                                                f"{prefix}-vpn")
                                    )["VpnConnection"]["VpnConnectionId"]
    out = {"region": HOME, "customer_gateway": cgw, "vpn_gateway": vgw,
           "vpn_connection": vpn}
    M.inv(c, "vpn", out)
    return out


def resolver_endpoint(c: Ctx, v: dict[str, Any]) -> str:
    return c.c("route53resolver", HOME).create_resolver_endpoint(
        CreatorRequestId=f"{c.name}-outbound", Name=f"{c.name}-outbound",
        SecurityGroupIds=[v["internal_security_group"]], Direction="OUTBOUND",
        IpAddresses=[{"SubnetId": v["subnets"][0]}, {"SubnetId": v["subnets"][1]}],
    )["ResolverEndpoint"]["Id"]


def forward_rule(c: Ctx, endpoint: str, name: str, domain: str, target: str,
                 vpc_id: str | None) -> dict[str, Any]:
    rr = c.c("route53resolver", HOME)
    rule = rr.create_resolver_rule(
        CreatorRequestId=name, Name=name, RuleType="FORWARD", DomainName=domain,
        TargetIps=[{"Ip": target, "Port": 53}], ResolverEndpointId=endpoint,
        Tags=[{"Key": "Owner", "Value": "network-team"}])["ResolverRule"]
    if vpc_id:
        rr.associate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=vpc_id, Name=name)
    M.inv(c, "resolver_rules", {"region": HOME, "name": name, "id": rule["Id"],
                                "endpoint": endpoint, "target_ips": [target]})
    return rule


def attach_to_hub(network: Ctx, spoke: Ctx, v: dict[str, Any]) -> str:
    """The hub's side of a spoke VPC's transit gateway attachment.

    moto keeps transit gateways per account and cannot attach a VPC of one account to
    another account's gateway (InvalidTransitGatewayID.NotFound, there is no RAM sharing);
    it does not check the VPC id, so the network account creates the attachment that it
    would list for the spoke VPC in AWS."""
    att = network.c("ec2", HOME).create_transit_gateway_vpc_attachment(
        TransitGatewayId=HUB["tgw"], VpcId=v["vpc_id"], SubnetIds=v["subnets"][:1],
        TagSpecifications=name_tags("transit-gateway-attachment", f"{v['name']}-attachment")
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    M.inv(network, "transit_gateway_attachments", {"region": HOME, "id": att,
                                                    "vpc": v["vpc_id"],
                                                    "vpc_account": spoke.name})
    return att


def seed_builder(c: Ctx, ids: dict[str, str], cfg_bucket: str) -> None:
    iam = c.c("iam", SECOND)
    host = "token.actions.githubusercontent.com"
    oidc = iam.create_open_id_connect_provider(
        Url=f"https://{host}", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
        Tags=[{"Key": "Owner", "Value": "platform-team"}])["OpenIDConnectProviderArn"]
    M.inv(c, "iam_oidc_providers", host)
    deploy_perm = {"deploy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": "arn:aws:iam::*:role/deploy"}]}}
    arn = create_role(c, "gha-unscoped", trust(
        {"Federated": oidc}, "sts:AssumeRoleWithWebIdentity",
        {"StringEquals": {f"{host}:aud": "sts.amazonaws.com"},
         "StringLike": {f"{host}:sub": "repo:example-org/*"}}), inline=deploy_perm)
    M.violation("iam-oidc-trust-unscoped", c, "gha-unscoped", None, arn,
                "sub = repo:example-org/* (any repository of the org)")
    arn = create_role(c, "gha-app-main", trust(
        {"Federated": oidc}, "sts:AssumeRoleWithWebIdentity",
        {"StringEquals": {f"{host}:aud": "sts.amazonaws.com",
                          f"{host}:sub": "repo:example-org/app:ref:refs/heads/main"}}),
        inline=deploy_perm)
    M.ok("iam-oidc-trust-unscoped", c, "gha-app-main", None, arn)
    create_role(c, "pipeline", trust({"Service": "codebuild.amazonaws.com"}),
                inline=deploy_perm)
    # the first step of the planted chain sandbox-developer -> legacy-release -> app-prod's
    # legacy-deploy (iam-prod-role-trust-chain)
    create_role(c, "legacy-release",
                trust({"AWS": f"arn:aws:iam::{ids['sandbox']}:role/sandbox-developer"}),
                inline={"release": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Resource": "arn:aws:iam::*:role/legacy-deploy"}]}})
    for r in REGIONS:
        create_key(c, r, f"builder-{r}")
    # planted: a VPN to the on-premises artifact store outside the network account
    vpn = site_to_site_vpn(c, None, "builder-artifacts", "198.51.100.20")
    M.violation("vpn-only-in-network-account", c, vpn["vpn_connection"], HOME,
                ec2_arn(c, "vpn-connection", vpn["vpn_connection"]),
                "site-to-site VPN in the builder account")
    config_recorders(c, cfg_bucket)


def seed_app_preprod(c: Ctx, ids: dict[str, str], cfg_bucket: str) -> None:
    pol = create_managed_policy(c, "app-runtime-access", {
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject",
                                           "kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": "*"}]})
    create_role(c, "app-runtime", trust({"Service": "ec2.amazonaws.com"}), managed=[pol])
    create_user(c, "ci-legacy", with_key=True)
    c.c("iam", SECOND).put_user_policy(UserName="ci-legacy", PolicyName="ci", PolicyDocument=doc({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
             "Resource": "*"}]}))
    M.violation("iam-user-long-lived-keys", c, "ci-legacy", None,
                c.arn("user/ci-legacy"), "active access key")
    for r in REGIONS:
        create_key(c, r, f"app-preprod-{r}")
        # planted: EBS encryption by default stays OFF in both regions
        M.violation("ebs-encryption-by-default", c, f"{c.id}/{r}", r, None,
                    "EBS encryption by default not enabled")
    arn = create_role(c, "deploy", trust({"AWS": f"arn:aws:iam::{ids['builder']}:role/pipeline"}),
                      managed=[create_managed_policy(c, "deploy-access", DEPLOY_ACCESS)])
    M.ok("deployment-role-not-human-assumable", c, "deploy", None, arn,
         "trusted by the builder's pipeline role only")
    # planted: one availability zone, no flow log, the same CIDR as data-prod-vpc
    v = seed_vpc(c, "10.30.0.0/16", "app-preprod", azs=("a",), flow_log=False)
    SPOKES.append((c, v))
    M.violation("workload-vpc-multi-az", c, v["vpc_id"], HOME, v["arn"],
                "one subnet, in eu-west-1a")
    M.violation("vpc-flow-logs-enabled", c, v["vpc_id"], HOME, v["arn"], "no flow log")
    M.violation("vpc-cidr-no-overlap", c, v["vpc_id"], HOME, v["arn"],
                "10.30.0.0/16, like data-prod-vpc (one template, two VPCs)")
    for rule in ["vpc-s3-gateway-endpoint", "workload-vpc-attached-to-hub"]:
        M.ok(rule, c, v["vpc_id"], HOME, v["arn"])
    M.ok("workload-subnet-no-internet-route", c, v["subnets"][0], HOME,
         ec2_arn(c, "subnet", v["subnets"][0]), "main route table: local routes only")
    M.violation("scp-region-deny-on-path", c, c.id, None, None,
                "deny-unapproved-regions is attached to Workloads/Prod, not Workloads/PreProd")
    config_recorders(c, cfg_bucket)


def seed_app_prod(c: Ctx, mgmt: Ctx, accts: dict[str, str], cfg_bucket: str) -> None:
    iam = c.c("iam", SECOND)
    read_only = {"read": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["cloudwatch:Get*", "cloudwatch:List*"],
         "Resource": "*"}]}}
    arn = create_role(c, "partner-audit", trust({"AWS": f"arn:aws:iam::{EXTERNAL_ACCOUNT}:root"}),
                      inline=read_only, tags={"Partner": "acme"})
    M.violation("iam-trust-cross-account-unconditioned", c, "partner-audit", None, arn,
                f"trusts {EXTERNAL_ACCOUNT} without sts:ExternalId")
    arn = create_role(c, "partner-billing", trust(
        {"AWS": f"arn:aws:iam::{EXTERNAL_ACCOUNT}:root"}, condition={
            "StringEquals": {"sts:ExternalId": "acme-7f3c2a"}}), inline=read_only)
    M.ok("iam-trust-cross-account-unconditioned", c, "partner-billing", None, arn)
    arn = create_role(c, "app-admin", trust({"AWS": f"arn:aws:iam::{accts['sandbox']}:root"}),
                      inline={"app": {"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*"],
                           "Resource": "*"}]}})
    M.violation("iam-prod-role-assumable-from-nonprod", c, "app-admin", None, arn,
                "trusted by the sandbox account root")
    pol = create_managed_policy(c, "deploy-access", {
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["cloudformation:*", "s3:PutObject"],
             "Resource": "*"}]})
    arn = create_role(c, "deploy", trust({"AWS": f"arn:aws:iam::{accts['builder']}:role/pipeline"}),
                      managed=[pol])
    M.ok("iam-prod-role-assumable-from-nonprod", c, "deploy", None, arn,
         "deployment role trusted by the builder account only")
    M.ok("deployment-role-not-human-assumable", c, "deploy", None, arn,
         "trusted by the builder's pipeline role only")
    M.ok("iam-prod-role-trust-chain", c, "deploy", None, arn,
         "pipeline is assumable by CodeBuild only")
    arn = create_role(c, "legacy-deploy",
                      trust({"AWS": f"arn:aws:iam::{accts['builder']}:role/legacy-release"}),
                      managed=[pol])
    M.violation("iam-prod-role-trust-chain", c, "legacy-deploy", None, arn,
                "sandbox-developer -> builder legacy-release -> legacy-deploy")
    create_role(c, "break-glass", break_glass_trust(mgmt), inline={"admin": ALLOW_ALL})
    arn = create_role(c, "app-operations", trust({"AWS": c.arn("root")}), inline={
        "operate": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances",
                                           "ec2:RebootInstances", "ec2:Describe*",
                                           "ssm:SendCommand",
                                           "route53:ChangeResourceRecordSets"],
             "Resource": "*"}]}})
    # (only route53:ChangeResourceRecordSets is seen: deny-unapproved-regions hides the
    # EC2 and SSM writes from rampart's evaluator, see NOTES.md)
    M.violation("operations-role-read-only", c, "app-operations", None, arn,
                "route53:ChangeResourceRecordSets, ec2:StartInstances, ... in production")
    for rule in ["break-glass-role-in-production", "break-glass-roles-limited",
                 "workload-account-owner-tagged", "workload-environments-separate-accounts",
                 "prod-deployed-from-builder-account", "account-single-environment",
                 "account-in-organizational-unit", "scp-deny-leave-organization",
                 "scp-deny-root-user", "scp-protect-audit-logging",
                 "scp-protect-security-services", "scp-region-deny-on-path"]:
        M.ok(rule, c, c.id)
    M.violation("prod-ou-no-nonprod-accounts", c, c.id, None, None,
                "app-staging (Environment=staging) sits in Workloads/Prod too")
    create_user(c, "app-operator")
    M.ok("iam-user-long-lived-keys", c, "app-operator", None, c.arn("user/app-operator"))
    password_policy(c)
    # KMS
    app_data = create_key(c, HOME, "app-data", tags={"DataClassification": "confidential"})
    M.ok("kms-key-rotation", c, "alias/app-data", HOME, app_data["arn"])
    k = create_key(c, HOME, "app-legacy", rotation=False)
    M.violation("kms-key-rotation", c, "alias/app-legacy", HOME, k["arn"], "rotation off")
    k = create_key(c, HOME, "app-shared-wildcard", policy=default_key_policy(c, [
        {"Sid": "EveryoneEverything", "Effect": "Allow", "Principal": "*",
         "Action": "kms:*", "Resource": "*"}]))
    M.violation("kms-key-policy-no-wildcard-principal", c, "alias/app-shared-wildcard", HOME,
                k["arn"], "Principal * with kms:* and no condition")
    M.violation("kms-key-external-decrypt", c, "alias/app-shared-wildcard", HOME, k["arn"],
                "Principal * lets any account decrypt")
    k = create_key(c, HOME, "partner-exchange", policy=default_key_policy(c, [
        {"Sid": "PartnerDecrypt", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{EXTERNAL_ACCOUNT}:root"},
         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]))
    M.violation("kms-key-external-decrypt", c, "alias/partner-exchange", HOME, k["arn"],
                f"kms:Decrypt granted to {EXTERNAL_ACCOUNT}")
    use1 = create_key(c, SECOND, "app-prod-us-east-1")
    # EC2: volumes before turning on EBS default encryption (AWS would encrypt otherwise)
    ec2 = c.c("ec2", HOME)
    vol_enc = ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=20, VolumeType="gp3",
                                Encrypted=True, KmsKeyId=app_data["arn"],
                                TagSpecifications=name_tags("volume", "app-data-encrypted")
                                )["VolumeId"]
    vol_plain = ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=8, VolumeType="gp3",
                                  TagSpecifications=name_tags("volume",
                                                              "app-scratch-unencrypted")
                                  )["VolumeId"]
    M.inv(c, "ebs_volumes", {"region": HOME, "id": vol_enc, "name": "app-data-encrypted",
                             "encrypted": True})
    M.inv(c, "ebs_volumes", {"region": HOME, "id": vol_plain,
                             "name": "app-scratch-unencrypted", "encrypted": False})
    M.ok("ebs-volume-encrypted", c, vol_enc, HOME, None, "app-data-encrypted")
    M.violation("ebs-volume-encrypted", c, vol_plain, HOME, None, "app-scratch-unencrypted")
    M.also_fails("ebs-classified-cmk", c, vol_plain, HOME,
                 ec2_arn(c, "volume", vol_plain),
                 "the planted unencrypted volume inherits the account's confidential level")
    ebs_default(c, {HOME: app_data["arn"], SECOND: use1["arn"]})
    for r in REGIONS:
        M.ok("ebs-encryption-by-default", c, f"{c.id}/{r}", r)
    # RDS: an encrypted private database with the workload's key; an unencrypted public one.
    rds = c.c("rds", HOME)
    for name, encrypted, public in (("app-orders", True, False), ("app-reporting", False, True)):
        extra: dict[str, Any] = {"KmsKeyId": app_data["arn"]} if encrypted else {}
        rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres",
                               DBInstanceClass="db.t3.micro", AllocatedStorage=20,
                               MasterUsername="dbadmin", MasterUserPassword="not-a-secret-0",
                               StorageEncrypted=encrypted, PubliclyAccessible=public,
                               Tags=tags_list({"DataClassification": "confidential"}), **extra)
        arn = f"arn:aws:rds:{HOME}:{c.id}:db:{name}"
        M.inv(c, "rds_instances", {"region": HOME, "id": name, "encrypted": encrypted,
                                   "public": public})
        (M.ok if encrypted else M.violation)("rds-storage-encrypted", c, name, HOME, arn)
        (M.violation if public else M.ok)("rds-not-publicly-accessible", c, name, HOME, arn)
        if not encrypted:
            M.also_fails("rds-classified-cmk", c, name, HOME, arn,
                         "the planted unencrypted database is confidential (its tag)")
    # Aurora clusters: one encrypted with the account's data key, one not at all.
    for name, encrypted in (("app-ledger", True), ("app-analytics", False)):
        extra = {"KmsKeyId": app_data["arn"]} if encrypted else {}
        rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql",
                              MasterUsername="dbadmin", MasterUserPassword="not-a-secret-0",
                              StorageEncrypted=encrypted,
                              Tags=tags_list({"DataClassification": "confidential"}), **extra)
        arn = f"arn:aws:rds:{HOME}:{c.id}:cluster:{name}"
        M.inv(c, "rds_clusters", {"region": HOME, "id": name, "encrypted": encrypted})
        (M.ok if encrypted else M.violation)("rds-cluster-storage-encrypted", c, name, HOME,
                                              arn)
    # planted: an internet gateway in a workload VPC, its public subnet routed to it, SSH
    # open to the world, and the default network ACL (everything in) on its subnets
    app_vpc = seed_vpc(c, "10.20.0.0/16", "app-prod", internet=True, open_ssh=True)
    SPOKES.append((c, app_vpc))
    igw, pub_sn, ssh = (app_vpc["internet_gateway"], app_vpc["public_subnet"],
                        app_vpc["open_ssh_security_group"])
    M.violation("igw-only-in-internet-vpcs", c, igw, HOME, ec2_arn(c, "internet-gateway", igw),
                "attached to app-prod-vpc")
    M.violation("workload-subnet-no-internet-route", c, pub_sn, HOME,
                ec2_arn(c, "subnet", pub_sn), "0.0.0.0/0 -> the VPC's internet gateway")
    M.ok("workload-subnet-no-internet-route", c, app_vpc["subnets"][1], HOME,
         ec2_arn(c, "subnet", app_vpc["subnets"][1]), "0.0.0.0/0 -> NAT gateway")
    M.violation("sg-admin-ports-not-open-to-internet", c, ssh, HOME,
                ec2_arn(c, "security-group", ssh), "tcp 22 from 0.0.0.0/0")
    acl = app_vpc["default_network_acl"]
    M.violation("nacl-admin-ports-not-open-to-internet", c, acl, HOME,
                ec2_arn(c, "network-acl", acl), "the default ACL: everything in, rule 100")
    for rule in ["vpc-flow-logs-enabled", "workload-vpc-multi-az", "vpc-s3-gateway-endpoint",
                 "workload-vpc-attached-to-hub", "vpc-cidr-no-overlap"]:
        M.ok(rule, c, app_vpc["vpc_id"], HOME, app_vpc["arn"])
    # planted: a Resolver forwarding rule and a private hosted zone of the workload's own
    ep = resolver_endpoint(c, app_vpc)
    rule = forward_rule(c, ep, "app-onprem-forward", "legacy.onprem.example.internal",
                        "10.10.0.3", app_vpc["vpc_id"])
    M.violation("resolver-rule-owned-by-network-account", c, "app-onprem-forward", HOME,
                rule["Arn"], "owned by app-prod")
    M.ok("resolver-forward-targets-private", c, "app-onprem-forward", HOME, rule["Arn"])
    zone = c.c("route53", SECOND).create_hosted_zone(
        Name="app.internal", CallerReference="rampart-app-private",
        HostedZoneConfig={"Comment": "app private zone", "PrivateZone": True},
        VPC={"VPCRegion": HOME, "VPCId": app_vpc["vpc_id"]})["HostedZone"]
    M.inv(c, "hosted_zones", {"name": "app.internal.", "id": zone["Id"], "private": True})
    M.violation("private-hosted-zone-in-network-account", c, "app.internal", None,
                zone_arn(zone["Id"]), "private zone owned by app-prod")
    # ACM
    good = import_cert(c, "app.example.com", 2048, 365, {"Team": "app"})
    weak = import_cert(c, "legacy.example.com", 1024, 365, {"Team": "app"})
    soon = import_cert(c, "expiring.example.com", 2048, 7, {"Team": "app"})
    # issued by the organization's private CA: ACM renews it
    private = c.c("acm", HOME).request_certificate(
        DomainName="api.app.internal",
        CertificateAuthorityArn=f"arn:aws:acm-pca:{HOME}:{accts['network']}:"
                                "certificate-authority/0b2c4e6f-8a1b-4c3d-9e5f-7a9b1c3d5e7f",
        Tags=tags_list({"Name": "api.app.internal", "Team": "app"}))["CertificateArn"]
    M.inv(c, "acm_certificates", {"region": HOME, "domain": "api.app.internal",
                                  "arn": private})
    M.ok("acm-production-certificate-managed", c, "api.app.internal", HOME, private)
    M.violation("acm-production-certificate-managed", c, "legacy.example.com", HOME, weak,
                "imported")
    for cn, arn in [("app.example.com", good), ("expiring.example.com", soon)]:
        M.also_fails("acm-production-certificate-managed", c, cn, HOME, arn,
                     "imported, like every certificate moto can give a chosen key size or "
                     "expiry date (the key-algorithm and expiry plants need that)")
    M.ok("acm-certificate-key-algorithm", c, "app.example.com", HOME, good)
    M.ok("acm-certificate-expiry", c, "app.example.com", HOME, good)
    M.violation("acm-certificate-key-algorithm", c, "legacy.example.com", HOME, weak,
                "RSA_1024")
    M.violation("acm-certificate-expiry", c, "expiring.example.com", HOME, soon,
                "expires in 7 days, in use by ELB app-prod-web")
    for cn, arn in [("app.example.com", good), ("legacy.example.com", weak),
                    ("expiring.example.com", soon)]:
        M.inv(c, "acm_certificates", {"region": HOME, "domain": cn, "arn": arn})
    # certificates in use: a classic ELB with two HTTPS listeners
    c.c("elb", HOME).create_load_balancer(
        LoadBalancerName="app-prod-web", AvailabilityZones=[f"{HOME}a"],
        Listeners=[
            {"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP",
             "InstancePort": 8080, "SSLCertificateId": good},
            {"Protocol": "HTTPS", "LoadBalancerPort": 8443, "InstanceProtocol": "HTTP",
             "InstancePort": 8080, "SSLCertificateId": soon}])
    # An application load balancer: HTTPS with a TLS 1.2+ policy and an HTTP redirect pass;
    # an HTTP listener that forwards, and an HTTPS one accepting TLS 1.0, fail.
    elbv2 = c.c("elbv2", HOME)
    alb = elbv2.create_load_balancer(Name="app-prod-api", Subnets=app_vpc["subnets"],
                                     Scheme="internet-facing", Type="application"
                                     )["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elbv2.create_target_group(Name="app-prod-api", Protocol="HTTP", Port=8080,
                                   VpcId=app_vpc["vpc_id"])["TargetGroups"][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": tg}]
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                         "StatusCode": "HTTP_301"}}]
    for port, protocol, policy, actions, rule, ok in (
            (443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06", forward, "elb-listener-tls-policy", True),
            (8443, "HTTPS", "ELBSecurityPolicy-2016-08", forward, "elb-listener-tls-policy", False),
            (80, "HTTP", None, redirect, "elb-http-redirects-to-https", True),
            (8080, "HTTP", None, forward, "elb-http-redirects-to-https", False)):
        extra: dict[str, Any] = {"SslPolicy": policy, "Certificates": [{"CertificateArn": good}]} if policy else {}
        arn = elbv2.create_listener(LoadBalancerArn=alb, Protocol=protocol, Port=port,
                                    DefaultActions=actions, **extra)["Listeners"][0]["ListenerArn"]
        M.inv(c, "load_balancer_listeners", {"region": HOME, "port": port, "arn": arn})
        (M.ok if ok else M.violation)(rule, c, f"app-prod-api:{port}", HOME, arn)
    config_recorders(c, cfg_bucket)


def seed_data_prod(c: Ctx, cfg_bucket: str) -> None:
    create_role(c, "data-pipeline", trust({"Service": "glue.amazonaws.com"}),
                inline={"data": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                     "Resource": "*"}]}})
    # planted: the data team deploys by hand: anyone of the account may assume the role,
    # no builder account may
    arn = create_role(c, "deploy-manual", trust({"AWS": c.arn("root")}),
                      managed=[create_managed_policy(c, "deploy-access", DEPLOY_ACCESS)])
    M.violation("deployment-role-not-human-assumable", c, "deploy-manual", None, arn,
                "trusted by the account root: every user and role of data-prod")
    M.violation("prod-deployed-from-builder-account", c, c.id, None, None,
                "deploy-manual trusts data-prod itself, no builder account")
    arn = create_role(c, "data-monitoring", trust({"AWS": c.arn("root")}), inline={
        "read": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
                                           "cloudwatch:DescribeAlarms",
                                           "logs:FilterLogEvents", "logs:DescribeLogGroups"],
             "Resource": "*"}]}})
    M.ok("operations-role-read-only", c, "data-monitoring", None, arn)
    # planted: no break-glass role; workload `data` has no pre-production account
    M.violation("break-glass-role-in-production", c, c.id, None, None, "no break-glass role")
    M.violation("workload-environments-separate-accounts", c, c.id, None, None,
                "Workload=data: no preprod account")
    M.ok("prod-ou-no-nonprod-accounts", c, c.id, None, None,
         "alone in Workloads/Prod/Data")
    # planted: same CIDR as app-preprod-vpc, no S3 endpoint, not attached to the hub
    v = seed_vpc(c, "10.30.0.0/16", "data-prod", s3_endpoint=False)
    M.violation("vpc-cidr-no-overlap", c, v["vpc_id"], HOME, v["arn"],
                "10.30.0.0/16, like app-preprod-vpc")
    M.violation("vpc-s3-gateway-endpoint", c, v["vpc_id"], HOME, v["arn"], "no S3 endpoint")
    M.violation("workload-vpc-attached-to-hub", c, v["vpc_id"], HOME, v["arn"],
                "no transit gateway attachment")
    k1 = create_key(c, HOME, "data-s3", tags={"DataClassification": "restricted"})
    k2 = create_key(c, SECOND, "data-s3-us-east-1", tags={"DataClassification": "restricted"})
    ebs_default(c, {HOME: k1["arn"], SECOND: k2["arn"]})
    for r in REGIONS:
        M.ok("ebs-encryption-by-default", c, f"{c.id}/{r}", r)
    name = f"rampart-data-restricted-{c.id}"
    arn = create_bucket(c, name, HOME, tags={"DataClassification": "restricted"},
                        kms_key_arn=k1["arn"], block_public=True, tls_policy=True,
                        versioning=True)
    for rule in ["s3-classified-cmk", "s3-classified-public-access-block",
                 "s3-classified-secure-transport", "data-residency-approved-regions",
                 "data-store-classification"]:
        M.ok(rule, c, name, HOME, arn)
    name = f"rampart-data-confidential-{c.id}"
    arn = create_bucket(c, name, HOME, tags={"DataClassification": "confidential"},
                        sse_s3=True)
    M.violation("s3-classified-cmk", c, name, HOME, arn, "SSE-S3 (AES256) only")
    M.violation("s3-classified-public-access-block", c, name, HOME, arn,
                "no public access block")
    M.violation("s3-classified-secure-transport", c, name, HOME, arn, "no bucket policy")
    name = f"rampart-data-restricted-use1-{c.id}"
    arn = create_bucket(c, name, SECOND, tags={"DataClassification": "restricted"},
                        kms_key_arn=k2["arn"], block_public=True, tls_policy=True)
    M.violation("data-residency-approved-regions", c, name, SECOND, arn,
                "restricted data in us-east-1")
    M.also_fails("data-residency-approved-regions", c, "alias/data-s3-us-east-1", SECOND,
                 k2["arn"], "the planted us-east-1 bucket's key is tagged restricted too")
    for rule in ["s3-classified-cmk", "s3-classified-public-access-block",
                 "s3-classified-secure-transport"]:
        M.ok(rule, c, name, SECOND, arn)
    config_recorders(c, cfg_bucket)


def seed_sandbox(c: Ctx) -> None:
    arn = create_role(c, "sandbox-developer", trust({"AWS": c.arn("root")}), inline={
        "developer": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Lambda", "Effect": "Allow",
             "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
             "Resource": "*"},
            {"Sid": "PolicyVersions", "Effect": "Allow",
             "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
             "Resource": "*"},
            {"Sid": "Release", "Effect": "Allow", "Action": "sts:AssumeRole",
             "Resource": "arn:aws:iam::*:role/legacy-release"}]}})
    M.violation("iam-privilege-escalation", c, "sandbox-developer", None, arn,
                "iam:CreatePolicyVersion on *, iam:PassRole + lambda:CreateFunction")
    M.violation("iam-developer-roles-permissions-boundary", c, "sandbox-developer", None, arn,
                "created by a developer, no permissions boundary")
    boundary = create_managed_policy(c, "developer-boundary", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["lambda:*", "s3:*", "logs:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": ["iam:DeleteRolePermissionsBoundary",
                                      "iam:PutRolePermissionsBoundary"], "Resource": "*"}]})
    arn = create_role(c, "sandbox-thumbnailer", trust({"Service": "lambda.amazonaws.com"}),
                      boundary=boundary)
    M.ok("iam-developer-roles-permissions-boundary", c, "sandbox-thumbnailer", None, arn)
    for r in REGIONS:
        create_key(c, r, f"sandbox-{r}")
    name = f"rampart-sandbox-scratch-{c.id}"
    arn = create_bucket(c, name, HOME, extra_policy=[
        {"Sid": "CloudTrailAclCheck", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": ["s3:GetBucketAcl", "s3:PutObject"],
         "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]}])
    M.violation("data-store-classification", c, name, HOME, arn,
                "untagged bucket in an account whose own tag is invalid (secret)")
    ct = c.c("cloudtrail", HOME)
    t = ct.create_trail(Name="sandbox-trail", S3BucketName=name, IsMultiRegionTrail=False,
                        EnableLogFileValidation=False)
    ct.start_logging(Name="sandbox-trail")
    M.violation("cloudtrail-log-file-validation", c, "sandbox-trail", HOME, t["TrailARN"],
                "the decoy trail does not validate its log files")
    M.violation("cloudtrail-encrypted", c, "sandbox-trail", HOME, t["TrailARN"],
                "the decoy trail has no KMS key")
    M.violation("s3-bucket-public-access-block", c, name, HOME, arn, "no public access block")
    M.violation("s3-bucket-secure-transport", c, name, HOME, arn,
                "its policy has no aws:SecureTransport deny")
    # planted: the default VPC of eu-west-1 keeps its internet gateway; us-east-1's was
    # removed (so is every other account's: moto creates default VPCs without one)
    d = default_vpc_internet(c, HOME)
    M.violation("default-vpc-no-internet-gateway", c, d["vpc_id"], HOME, d["arn"],
                "default VPC with an internet gateway")
    M.also_fails("igw-only-in-internet-vpcs", c, d["internet_gateway"], HOME,
                 ec2_arn(c, "internet-gateway", d["internet_gateway"]),
                 "the planted default VPC's gateway")
    M.also_fails("nacl-admin-ports-not-open-to-internet", c, d["network_acl"], HOME,
                 ec2_arn(c, "network-acl", d["network_acl"]),
                 "the default ACL (everything in) of the planted internet-attached default VPC")
    for sn in d["subnets"]:
        M.also_fails("workload-subnet-no-internet-route", c, sn, HOME, ec2_arn(c, "subnet", sn),
                     "a default subnet of the planted default VPC (sandbox is a workload "
                     "environment)")
    vid = default_vpc_id(c, SECOND)
    M.ok("default-vpc-no-internet-gateway", c, vid, SECOND, ec2_arn(c, "vpc", vid, SECOND))
    # planted: a transit gateway of the sandbox's own
    tgw = c.c("ec2", HOME).create_transit_gateway(
        Description="sandbox lab", TagSpecifications=name_tags("transit-gateway", "sandbox-tgw")
    )["TransitGateway"]["TransitGatewayId"]
    M.inv(c, "transit_gateways", {"region": HOME, "id": tgw})
    M.violation("transit-gateway-only-in-network-account", c, tgw, HOME,
                ec2_arn(c, "transit-gateway", tgw), "owned by sandbox")
    # planted: account-level gaps
    M.violation("workload-account-owner-tagged", c, c.id, None, None, "no Owner tag")
    M.violation("scp-protect-audit-logging", c, c.id, None, None,
                "deny-cloudtrail-tampering is not attached to Sandbox")
    M.violation("config-recorder-every-region", c, c.id, None, None, "no recorder at all")
    M.inv(c, "trails", {"name": "sandbox-trail", "arn": t["TrailARN"], "region": HOME,
                        "organization": False, "multi_region": False,
                        "log_file_validation": False, "bucket": name})
    # no config recorder, no password policy in sandbox (planted gaps)


def seed_restricted(c: Ctx, mgmt: Ctx, ids: dict[str, str], cfg_bucket: str) -> None:
    """Readable only without --enforce-auth; its findings are in restricted.violations."""
    create_role(c, "ops-admin", trust({"AWS": c.arn("root")}),
                inline={"ops": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["ec2:*"], "Resource": "*"}]}})
    k = create_key(c, HOME, "ops-legacy", rotation=False)
    M.violation("kms-key-rotation", c, "alias/ops-legacy", HOME, k["arn"], "rotation off")
    k2 = create_key(c, SECOND, "ops-us-east-1")
    ebs_default(c, {HOME: k["arn"], SECOND: k2["arn"]})
    create_role(c, "break-glass", break_glass_trust(mgmt), inline={"admin": ALLOW_ALL})
    create_role(c, "deploy", trust({"AWS": f"arn:aws:iam::{ids['builder']}:role/pipeline"}),
                managed=[create_managed_policy(c, "deploy-access", DEPLOY_ACCESS)])
    create_user(c, "ops-batch", with_key=True)
    M.violation("iam-user-long-lived-keys", c, "ops-batch", None, c.arn("user/ops-batch"),
                "active access key")
    config_recorders(c, cfg_bucket)


def seed_app_staging(c: Ctx, ids: dict[str, str], cfg_bucket: str) -> None:
    """The app's staging account, tagged for pre-production but never moved out of the
    production OU (planted: account-single-environment, and every production account of
    Workloads/Prod fails prod-ou-no-nonprod-accounts)."""
    ebs_default(c)
    config_recorders(c, cfg_bucket)
    M.violation("account-single-environment", c, c.id, None, None,
                "Environment=staging (preprod) in Workloads/Prod (prod)")


def seed_legacy_import(c: Ctx) -> None:
    """An account invited into the organization and left under the root: no OU, so no
    environment and none of the guardrail SCPs, which are attached to the OUs."""
    M.violation("account-in-organizational-unit", c, c.id, None, None,
                "directly under the root")
    for rule, what in [("scp-deny-leave-organization", "organizations:LeaveOrganization"),
                       ("scp-deny-root-user", "the root user"),
                       ("scp-protect-security-services", "GuardDuty, Security Hub, ..."),
                       ("scp-protect-audit-logging", "CloudTrail and Config")]:
        M.violation(rule, c, c.id, None, None, f"no SCP on its path protects {what}")
    M.violation("account-environment-mapped", c, c.id, None, None,
                "an account at the root has no environment: no tag, no mapped OU")
    M.also_fails("config-recorder-every-region", c, c.id, None, None,
                 "the invited account never got AWS Config")


def seed_hub_attachments(network: Ctx) -> None:
    for spoke, v in SPOKES:
        attach_to_hub(network, spoke, v)


def seed_segmentation(ctxs: dict[str, Ctx]) -> None:
    """RAM shares, transit gateway route tables, private hosted zone associations and the
    data perimeter: each with a planted crossing between environments and a counterpart."""
    network, prod, preprod, data = (ctxs["network"], ctxs["app-prod"], ctxs["app-preprod"],
                                    ctxs["data-prod"])
    # RAM: a production subnet shared with the sandbox; data-prod shares with app-prod.
    subnet = M.inventory["app-prod"]["vpcs"][0]["subnets"][0]
    bad = prod.c("ram", HOME).create_resource_share(
        name="app-subnet-to-sandbox", principals=[ctxs["sandbox"].id],
        resourceArns=[ec2_arn(prod, "subnet", subnet)],
        allowExternalPrincipals=False)["resourceShare"]
    M.violation("ram-no-production-share-to-nonproduction", prod, "app-subnet-to-sandbox",
                HOME, bad["resourceShareArn"], "a production subnet shared with sandbox")
    data_subnet = M.inventory["data-prod"]["vpcs"][0]["subnets"][0]
    good = data.c("ram", HOME).create_resource_share(
        name="data-subnet-to-app-prod", principals=[prod.id],
        resourceArns=[ec2_arn(data, "subnet", data_subnet)],
        allowExternalPrincipals=False)["resourceShare"]
    M.ok("ram-no-production-share-to-nonproduction", data, "data-subnet-to-app-prod", HOME,
         good["resourceShareArn"])

    # Transit gateway: the default route table (network, preprod and prod attachments
    # associated) gets the preprod attachment's routes, so prod reaches preprod; the
    # network VPC is associated with an inspection table that both environments
    # propagate into.
    ec2 = network.c("ec2", HOME)
    attachments = {a["vpc_account"]: a["id"]
                   for a in M.inventory["network"]["transit_gateway_attachments"]
                   if "vpc_account" in a}
    own = M.inventory["network"]["transit_gateways"][0]["attachment"]
    tables = ec2.describe_transit_gateway_route_tables(Filters=[
        {"Name": "transit-gateway-id", "Values": [HUB["tgw"]]}])["TransitGatewayRouteTables"]
    default = [t for t in tables if t["DefaultAssociationRouteTable"]][0]
    default_id = default["TransitGatewayRouteTableId"]
    ec2.enable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=default_id,
        TransitGatewayAttachmentId=attachments["app-preprod"])
    M.violation("transit-gateway-route-separation", network, default_id, HOME,
                ec2_arn(network, "transit-gateway-route-table", default_id),
                "app-prod's attachment is associated; app-preprod's propagates into it")
    inspection = ec2.create_transit_gateway_route_table(
        TransitGatewayId=HUB["tgw"], TagSpecifications=name_tags(
            "transit-gateway-route-table", "inspection"))["TransitGatewayRouteTable"]
    inspection_id = inspection["TransitGatewayRouteTableId"]
    # (In AWS the attachment would first leave the default table; moto does not track
    # default associations, so disassociating fails there, and it lets this one be added.)
    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=inspection_id,
                                              TransitGatewayAttachmentId=own)
    for spoke in ("app-prod", "app-preprod"):
        ec2.enable_transit_gateway_route_table_propagation(
            TransitGatewayRouteTableId=inspection_id,
            TransitGatewayAttachmentId=attachments[spoke])
    M.ok("transit-gateway-route-separation", network, inspection_id, HOME,
         ec2_arn(network, "transit-gateway-route-table", inspection_id),
         "only the shared network VPC is associated")

    # Private hosted zones of the network account, tagged with the environment they serve.
    r53 = network.c("route53", SECOND)
    net_vpc = M.inventory["network"]["vpcs"][0]["vpc_id"]
    zones = {}
    for name in ("prod.corp.internal", "prod-data.corp.internal"):
        z = r53.create_hosted_zone(Name=name, CallerReference=f"rampart-{name}",
                                   HostedZoneConfig={"PrivateZone": True},
                                   VPC={"VPCRegion": HOME, "VPCId": net_vpc})["HostedZone"]
        r53.change_tags_for_resource(ResourceType="hostedzone",
                                     ResourceId=z["Id"].split("/")[-1],
                                     AddTags=tags_list({"Environment": "prod"}))
        zones[name] = z["Id"]
    r53.associate_vpc_with_hosted_zone(HostedZoneId=zones["prod.corp.internal"], VPC={
        "VPCRegion": HOME, "VPCId": M.inventory["app-preprod"]["vpcs"][0]["vpc_id"]})
    r53.associate_vpc_with_hosted_zone(HostedZoneId=zones["prod-data.corp.internal"], VPC={
        "VPCRegion": HOME, "VPCId": M.inventory["app-prod"]["vpcs"][0]["vpc_id"]})
    M.violation("private-hosted-zone-vpc-environment", network, "prod.corp.internal", None,
                zone_arn(zones["prod.corp.internal"]),
                "a production zone answers in app-preprod's VPC")
    M.ok("private-hosted-zone-vpc-environment", network, "prod-data.corp.internal", None,
         zone_arn(zones["prod-data.corp.internal"]))

    # Data perimeter: a restricted bucket and its key both open to the partner account; a
    # confidential bucket whose policy grants the partner but whose key does not.
    partner = {"AWS": f"arn:aws:iam::{EXTERNAL_ACCOUNT}:root"}
    key = create_key(data, HOME, "data-partner-exchange",
                     tags={"DataClassification": "restricted"},
                     policy=default_key_policy(data, [
                         {"Sid": "PartnerDecrypt", "Effect": "Allow", "Principal": partner,
                          "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]))
    name = f"rampart-data-partner-{data.id}"
    arn = create_bucket(data, name, HOME, tags={"DataClassification": "restricted"},
                        kms_key_arn=key["arn"], block_public=True, tls_policy=True,
                        versioning=True, extra_policy=[
                            {"Sid": "PartnerRead", "Effect": "Allow", "Principal": partner,
                             "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}])
    M.violation("s3-data-perimeter", data, name, HOME, arn,
                "the bucket policy and the key policy both let the partner account read")
    M.also_fails("kms-key-external-decrypt", data, "alias/data-partner-exchange", HOME,
                 key["arn"], "the perimeter plant's key lets the partner account decrypt")
    own_key = [k for k in M.inventory["data-prod"]["kms_keys"]
               if k["alias"] == "alias/data-s3"][0]
    name = f"rampart-data-exchange-{data.id}"
    arn = create_bucket(data, name, HOME, tags={"DataClassification": "confidential"},
                        kms_key_arn=own_key["arn"], block_public=True, tls_policy=True,
                        versioning=True, extra_policy=[
                            {"Sid": "PartnerRead", "Effect": "Allow", "Principal": partner,
                             "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}])
    M.ok("s3-data-perimeter", data, name, HOME, arn,
         "the partner may get objects but cannot decrypt them: the key is data-prod's alone")


# --------------------------------------------------------------------------- baseline

def seed_security_baseline(c: Ctx, *, guardduty_suspended: tuple[str, ...] = (),
                           contacts: tuple[str, ...] = ("SECURITY", "OPERATIONS")) -> None:
    """What account vending gives every account: GuardDuty and Security Hub in both
    regions, the security and operations alternate contacts, and a credential report.
    (Macie is on by default in moto.)"""
    for region in REGIONS:
        c.c("guardduty", region).create_detector(Enable=region not in guardduty_suspended)
        c.c("securityhub", region).enable_security_hub()
    account = c.c("account", SECOND)
    for kind in contacts:
        account.put_alternate_contact(
            AlternateContactType=kind, Name=f"{c.name} {kind.lower()}",
            EmailAddress=f"{kind.lower()}+{c.name}@example.com",
            PhoneNumber="+1-555-0100", Title="on call")
    c.c("iam", SECOND).generate_credential_report()


def close_default_security_groups(c: Ctx, *, keep_open: str | None = None) -> None:
    """CIS 5.4: the default security group of every VPC allows nothing (the baseline's
    auto-remediation). `keep_open` names a VPC whose default group keeps its rules."""
    for region in REGIONS:
        ec2 = c.c("ec2", region)
        groups = ec2.describe_security_groups(
            Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
        for g in groups:
            if g["VpcId"] == keep_open:
                continue
            if g["IpPermissions"]:
                ec2.revoke_security_group_ingress(GroupId=g["GroupId"],
                                                  IpPermissions=g["IpPermissions"])
            if g["IpPermissionsEgress"]:
                ec2.revoke_security_group_egress(GroupId=g["GroupId"],
                                                 IpPermissions=g["IpPermissionsEgress"])


def default_security_group(c: Ctx, vpc_id: str, region: str = HOME) -> str:
    groups = c.c("ec2", region).describe_security_groups(Filters=[
        {"Name": "group-name", "Values": ["default"]},
        {"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return groups[0]["GroupId"]


def enablement_arn(service: str, c: Ctx, region: str) -> str:
    return f"arn:aws:{service}:{region}:{c.id}:rampart-enablement"


def seed_baselines(ctxs: dict[str, Ctx], ids: dict[str, str]) -> None:
    """The security baseline everywhere but in legacy-import (an invited account that was
    never baselined), with one planted gap of each kind."""
    for name, c in ctxs.items():
        if name == "legacy-import":
            continue
        suspended = (SECOND,) if name == "app-prod" else ()
        contacts = ("SECURITY",) if name == "app-preprod" else ("SECURITY", "OPERATIONS")
        seed_security_baseline(c, guardduty_suspended=suspended, contacts=contacts)
        keep = M.inventory.get("app-preprod", {}).get("vpcs", [{}])[0].get("vpc_id") \
            if name == "app-preprod" else None
        close_default_security_groups(c, keep_open=keep)
    prod, preprod, data, legacy = (ctxs["app-prod"], ctxs["app-preprod"], ctxs["data-prod"],
                                   ctxs["legacy-import"])
    M.violation("security-services-enabled", prod, "guardduty", SECOND,
                enablement_arn("guardduty", prod, SECOND),
                "a GuardDuty detector exists but is suspended (Enable=False)")
    M.ok("security-services-enabled", prod, "guardduty", HOME,
         enablement_arn("guardduty", prod, HOME))
    M.ok("security-services-enabled", prod, "securityhub", SECOND,
         enablement_arn("securityhub", prod, SECOND))
    for region in REGIONS:
        for service in ("guardduty", "securityhub"):
            M.also_fails("security-services-enabled", legacy, service, region,
                         enablement_arn(service, legacy, region),
                         "the invited account was never baselined")
    M.violation("alternate-contacts-set", preprod, preprod.id, None, None,
                "only the SECURITY alternate contact is set, not OPERATIONS")
    M.ok("alternate-contacts-set", prod, prod.id)
    M.also_fails("alternate-contacts-set", legacy, legacy.id, None, None,
                 "the invited account was never baselined")
    vpc = M.inventory["app-preprod"]["vpcs"][0]["vpc_id"]
    sg = default_security_group(preprod, vpc)
    M.violation("default-security-group-closed", preprod, sg, HOME,
                ec2_arn(preprod, "security-group", sg),
                "the workload VPC's default group keeps its default rules")
    for region in REGIONS:
        legacy_vpc = default_vpc_id(legacy, region)
        legacy_sg = default_security_group(legacy, legacy_vpc, region)
        M.also_fails("default-security-group-closed", legacy, legacy_sg, region,
                     ec2_arn(legacy, "security-group", legacy_sg, region),
                     "the invited account was never baselined")
    other = M.inventory["app-prod"]["vpcs"][0]["vpc_id"]
    other_sg = default_security_group(prod, other)
    M.ok("default-security-group-closed", prod, other_sg, HOME,
         ec2_arn(prod, "security-group", other_sg))
    # Macie: data-prod holds a restricted bucket in us-east-1 but Macie is off there.
    data.c("macie2", SECOND).disable_macie()
    M.violation("macie-enabled-for-classified-data", data, "macie", SECOND,
                enablement_arn("macie2", data, SECOND),
                "a restricted bucket in us-east-1, Macie disabled there")
    M.ok("macie-enabled-for-classified-data", data, "macie", HOME,
         enablement_arn("macie2", data, HOME))
    # Direct Connect: only the network account may own connections.
    ctxs["network"].c("directconnect", HOME).create_connection(
        location="EqDC2", bandwidth="1Gbps", connectionName="network-dx-primary")
    dx = prod.c("directconnect", HOME).create_connection(
        location="EqDC2", bandwidth="1Gbps", connectionName="app-prod-dx")
    M.violation("direct-connect-only-in-network-account", prod, dx["connectionId"], HOME,
                f"arn:aws:directconnect:{HOME}:{prod.id}:dxcon/{dx['connectionId']}",
                "a workload account ordered its own connection")


# --------------------------------------------------------------------------- auth

def moto_reset_auth(endpoint: str, count: str) -> str:
    """moto reads the raw body as a bare number (float(body)); a JSON body is a 500.

    The content type must not be a form type: Flask would consume the body as form data
    and moto would see an empty body (500 "could not convert string to float: ''").
    """
    req = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=count.encode(),
                                 method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]


def prepare_auth(mgmt: Ctx, ctxs: dict[str, Ctx], mode: str) -> dict[str, Any]:
    iam = mgmt.c("iam", SECOND)
    iam.create_user(UserName="rampart-auditor", Path="/rampart/")
    iam.put_user_policy(UserName="rampart-auditor", PolicyName="rampart-read-only",
                        PolicyDocument=doc(AUDITOR_POLICY))
    if mode == "assume-deny":
        iam.put_user_policy(UserName="rampart-auditor", PolicyName="deny-restricted-ops",
                            PolicyDocument=doc({"Version": "2012-10-17", "Statement": [
                                {"Effect": "Deny", "Action": "sts:AssumeRole",
                                 "Resource": ctxs[RESTRICTED].arn(
                                     "role/OrganizationAccountAccessRole")}]}))
    key = iam.create_access_key(UserName="rampart-auditor")["AccessKey"]
    # restricted-ops: its OrganizationAccountAccessRole denies everything
    r_iam = ctxs[RESTRICTED].c("iam", SECOND)
    for p in r_iam.list_role_policies(RoleName="OrganizationAccountAccessRole")["PolicyNames"]:
        r_iam.delete_role_policy(RoleName="OrganizationAccountAccessRole", PolicyName=p)
    r_iam.put_role_policy(RoleName="OrganizationAccountAccessRole", PolicyName="deny-all",
                          PolicyDocument=doc(DENY_ALL))
    return {"user_name": "rampart-auditor",
            "arn": f"arn:aws:iam::{mgmt.id}:user/rampart/rampart-auditor",
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
            "policy": AUDITOR_POLICY,
            "restricted_mode": mode}


# ------------------------------------------------------------------- auth verification

def probe_calls(ctx: Ctx, acct: dict[str, Any], is_mgmt: bool) -> list[tuple[str, Any]]:
    """(label, thunk) for every read the collector makes. `acct` holds seeded ids."""
    r = HOME
    calls: list[tuple[str, Any]] = []

    def add(label: str, fn: Any) -> None:
        calls.append((label, fn))

    if is_mgmt:
        org = ctx.c("organizations", SECOND)
        add("organizations:DescribeOrganization", lambda: org.describe_organization())
        add("organizations:ListRoots", lambda: org.list_roots())
        add("organizations:ListAccounts", lambda: org.list_accounts())
        add("organizations:ListOrganizationalUnitsForParent",
            lambda: org.list_organizational_units_for_parent(ParentId=acct["root_id"]))
        add("organizations:ListPolicies",
            lambda: org.list_policies(Filter="SERVICE_CONTROL_POLICY"))
        add("organizations:ListDelegatedAdministrators",
            lambda: org.list_delegated_administrators())
        add("organizations:ListTagsForResource",
            lambda: org.list_tags_for_resource(ResourceId=acct["some_account"]))
    sts = ctx.c("sts", r)
    add("sts:GetCallerIdentity", lambda: sts.get_caller_identity())
    iam = ctx.c("iam", SECOND)
    add("iam:GetAccountAuthorizationDetails", lambda: iam.get_account_authorization_details())
    add("iam:GetAccountPasswordPolicy", lambda: iam.get_account_password_policy())
    add("iam:ListOpenIDConnectProviders", lambda: iam.list_open_id_connect_providers())
    add("iam:ListSAMLProviders", lambda: iam.list_saml_providers())
    add("iam:ListUsers", lambda: iam.list_users())
    add("iam:ListAccessKeys", lambda: iam.list_access_keys(UserName=acct["user"]))
    add("iam:GetAccessKeyLastUsed",
        lambda: iam.get_access_key_last_used(AccessKeyId=acct["access_key"]))
    kms = ctx.c("kms", r)
    add("kms:ListKeys", lambda: kms.list_keys())
    add("kms:DescribeKey", lambda: kms.describe_key(KeyId=acct["key"]))
    add("kms:GetKeyPolicy", lambda: kms.get_key_policy(KeyId=acct["key"], PolicyName="default"))
    add("kms:GetKeyRotationStatus", lambda: kms.get_key_rotation_status(KeyId=acct["key"]))
    add("kms:ListAliases", lambda: kms.list_aliases())
    add("kms:ListResourceTags", lambda: kms.list_resource_tags(KeyId=acct["key"]))
    ec2 = ctx.c("ec2", r)
    for op in ["describe_vpcs", "describe_subnets", "describe_route_tables",
               "describe_internet_gateways", "describe_nat_gateways",
               "describe_transit_gateways", "describe_transit_gateway_attachments",
               "describe_vpn_connections", "describe_security_groups",
               "describe_network_acls", "describe_flow_logs", "describe_vpc_endpoints",
               "get_ebs_encryption_by_default", "get_ebs_default_kms_key_id",
               "describe_volumes", "describe_regions"]:
        label = "ec2:" + "".join(w.capitalize() for w in op.split("_"))
        add(label, (lambda o: lambda: getattr(ec2, o)())(op))
    s3 = ctx.c("s3", r)
    b = acct["bucket"]
    add("s3:ListBuckets", lambda: s3.list_buckets())
    add("s3:GetBucketLocation", lambda: s3.get_bucket_location(Bucket=b))
    add("s3:GetBucketEncryption", lambda: s3.get_bucket_encryption(Bucket=b))
    add("s3:GetBucketPolicy", lambda: s3.get_bucket_policy(Bucket=b))
    add("s3:GetPublicAccessBlock", lambda: s3.get_public_access_block(Bucket=b))
    add("s3:GetBucketTagging", lambda: s3.get_bucket_tagging(Bucket=b))
    add("s3:GetBucketVersioning", lambda: s3.get_bucket_versioning(Bucket=b))
    acm = ctx.c("acm", r)
    add("acm:ListCertificates", lambda: acm.list_certificates())
    add("acm:DescribeCertificate", lambda: acm.describe_certificate(CertificateArn=acct["cert"]))
    add("acm:ListTagsForCertificate",
        lambda: acm.list_tags_for_certificate(CertificateArn=acct["cert"]))
    ct = ctx.c("cloudtrail", r)
    add("cloudtrail:DescribeTrails", lambda: ct.describe_trails())
    add("cloudtrail:GetTrailStatus", lambda: ct.get_trail_status(Name=acct["trail"]))
    add("cloudtrail:GetEventSelectors", lambda: ct.get_event_selectors(TrailName=acct["trail"]))
    add("cloudtrail:ListTags", lambda: ct.list_tags(ResourceIdList=[acct["trail"]]))
    cfg = ctx.c("config", r)
    add("config:DescribeConfigurationRecorders", lambda: cfg.describe_configuration_recorders())
    add("config:DescribeConfigurationRecorderStatus",
        lambda: cfg.describe_configuration_recorder_status())
    add("config:DescribeConfigurationAggregators",
        lambda: cfg.describe_configuration_aggregators())
    r53 = ctx.c("route53", SECOND)
    add("route53:ListHostedZones", lambda: r53.list_hosted_zones())
    add("route53:ListTagsForResource", lambda: r53.list_tags_for_resource(
        ResourceType="hostedzone", ResourceId=acct["zone"]))
    # the same two GETs carrying a signed x-amz-content-sha256 header (see NOTES.md)
    r53h = make_client(ctx.endpoint, "route53", SECOND, ctx.creds)
    r53h.meta.events.register("before-sign.route53", _add_content_sha256)
    add("route53:ListHostedZones+x-amz-content-sha256", lambda: r53h.list_hosted_zones())
    add("route53:ListTagsForResource+x-amz-content-sha256",
        lambda: r53h.list_tags_for_resource(ResourceType="hostedzone",
                                            ResourceId=acct["zone"]))
    rr = ctx.c("route53resolver", r)
    add("route53resolver:ListResolverRules", lambda: rr.list_resolver_rules())
    return calls


EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _add_content_sha256(request: Any, **_: Any) -> None:
    if not request.body:
        request.headers["X-Amz-Content-SHA256"] = EMPTY_SHA256


_LAST_BODY: dict[str, bytes] = {}


def _capture_body(response_dict: Any = None, **_: Any) -> None:
    _LAST_BODY["body"] = response_dict.get("body") or b""


def classify(e: ClientError) -> str:
    """ok | denied(..) | signature(..) | server-error(..) | authorized(<code>, ..).

    moto answers authorization failures with an XML <ErrorResponse> even for JSON
    services, so boto3 reports Code "403" there (and "" for route53): the raw body and
    the HTTP status are what tell.
    """
    status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = e.response.get("Error", {}).get("Code") or ""
    body = _LAST_BODY.get("body", b"").decode("utf-8", "replace")
    for c in ["SignatureDoesNotMatch", "InvalidClientTokenId", "AccessDenied"]:
        if f"<Code>{c}</Code>" in body or code == c:
            code = c
            break
    if status == 403 and code in ("SignatureDoesNotMatch", "InvalidClientTokenId"):
        return f"signature({code}, HTTP 403)"
    if status == 403:
        return f"denied({code or 'no code'}, HTTP 403)"
    if status and status >= 500:
        return f"server-error(HTTP {status})"
    # authorized: moto only looks the resource up after the authorization check
    return f"authorized({code or 'no code'}, HTTP {status})"


def run_probe(calls: list[tuple[str, Any]]) -> dict[str, str]:
    out = {}
    for label, fn in calls:
        _LAST_BODY.clear()
        try:
            fn()
            out[label] = "ok"
        except ClientError as e:
            out[label] = classify(e)
        except Exception as e:  # noqa: BLE001 - report anything
            body = _LAST_BODY.get("body", b"")
            if b"500 Internal Server Error" in body:
                out[label] = "server-error(HTTP 500, HTML body)"
            else:
                out[label] = f"{type(e).__name__}: {str(e).splitlines()[0][:100]}"
    return out


def verify_auth(endpoint: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Probe every collector read as the auditor: in the management account (its own
    key), then through sts:AssumeRole in app-prod (allowed) and restricted-ops (locked).
    The ids probed are app-prod's (management's for its own CloudTrail / S3 data); a
    denied call is denied before moto looks the resource up."""
    aud = manifest["auditor"]
    base = {"AccessKeyId": aud["access_key_id"], "SecretAccessKey": aud["secret_access_key"]}
    ids = manifest["accounts"]
    inv = M.inventory
    app = inv["app-prod"]
    common = {
        "root_id": manifest["organization"]["root_id"],
        "some_account": ids["app-prod"],
        "key": app["kms_keys"][0]["arn"],
        "bucket": f"rampart-data-restricted-{ids['data-prod']}",
        "cert": app["acm_certificates"][0]["arn"],
        "trail": inv[MGMT_NAME]["trails"][0]["arn"],
        "zone": inv["network"]["hosted_zones"][0]["id"].split("/")[-1],
    }
    result: dict[str, Any] = {}
    mgmt = Ctx(endpoint, MGMT_NAME, ids[MGMT_NAME], base)
    mgmt_ids = dict(common, user="rampart-auditor", access_key=aud["access_key_id"],
                    key=inv[MGMT_NAME]["kms_keys"][0]["arn"])
    result[MGMT_NAME] = run_probe(probe_calls(mgmt, mgmt_ids, True))
    sts = make_client(endpoint, "sts", HOME, base)
    for name in ["app-prod", RESTRICTED]:
        _LAST_BODY.clear()
        try:
            creds = sts.assume_role(
                RoleArn=f"arn:aws:iam::{ids[name]}:role/OrganizationAccountAccessRole",
                RoleSessionName="rampart-verify")["Credentials"]
        except ClientError as e:
            result[name] = {"sts:AssumeRole": classify(e)}
            continue
        ctx = Ctx(endpoint, name, ids[name], creds)
        iam = ctx.c("iam", SECOND)
        k = None
        try:  # a key of this account for ListAccessKeys / GetAccessKeyLastUsed
            k = iam.create_access_key(UserName="app-operator")["AccessKey"]["AccessKeyId"]
        except ClientError:
            pass
        acct_ids = dict(common, user="app-operator", access_key=k or "AKIAIOSFODNN7EXAMPLE")
        res = {"sts:AssumeRole": "ok"}
        res.update(run_probe(probe_calls(ctx, acct_ids, False)))
        if k:  # leave app-operator without keys, as seeded
            iam.delete_access_key(UserName="app-operator", AccessKeyId=k)
        result[name] = res
    bad = make_client(endpoint, "sts", HOME, {"AccessKeyId": "AKIAUNKNOWN000000000",
                                             "SecretAccessKey": "nope"})
    wrong_secret = make_client(endpoint, "sts", HOME, dict(base, SecretAccessKey="wrong"))
    for label, client in [("unknown-access-key", bad), ("wrong-secret", wrong_secret)]:
        _LAST_BODY.clear()
        try:
            client.get_caller_identity()
            result[label] = "ok"
        except ClientError as e:
            result[label] = classify(e)
    return result


# --------------------------------------------------------------------------- main

def assume(endpoint: str, mgmt: Ctx, account_id: str, name: str) -> Ctx:
    creds = mgmt.c("sts", HOME).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
        RoleSessionName="rampart-seed")["Credentials"]
    return Ctx(endpoint, name, account_id, creds)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint", required=True, help="moto server URL")
    ap.add_argument("--enforce-auth", action="store_true",
                    help="after seeding, lock restricted-ops and turn on moto IAM auth")
    ap.add_argument("--restricted-mode", choices=["role-deny", "assume-deny"],
                    default="role-deny",
                    help="role-deny: restricted-ops' role denies every call (default); "
                         "assume-deny: the auditor may not assume it")
    ap.add_argument("--verify-auth", action="store_true",
                    help="with --enforce-auth: probe every collector call, add the "
                         "results to the manifest under auth_verification")
    ap.add_argument("--reset", action="store_true",
                    help="first POST /moto-api/reset and turn IAM enforcement off "
                         "(reset alone keeps the enforcement setting)")
    args = ap.parse_args()
    endpoint = args.endpoint.rstrip("/")
    t0 = time.monotonic()
    if args.reset:
        moto_reset_auth(endpoint, "inf")
        urllib.request.urlopen(urllib.request.Request(
            f"{endpoint}/moto-api/reset", data=b"", method="POST"), timeout=30).read()

    base = {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
    sts = make_client(endpoint, "sts", HOME, base)
    try:
        mgmt_id = sts.get_caller_identity()["Account"]
    except ClientError as e:
        log(f"dummy credentials refused ({e.response['Error'].get('Code')}): IAM "
            "enforcement is on; pass --reset or use a fresh moto server")
        return 2
    mgmt = Ctx(endpoint, MGMT_NAME, mgmt_id, base)
    log(f"management account {mgmt_id}")

    try:
        mgmt.c("organizations", SECOND).describe_organization()
        log("the server already holds an organization: start a fresh moto server or "
            "pass --reset")
        return 2
    except ClientError as e:
        if e.response["Error"]["Code"] != "AWSOrganizationsNotInUseException":
            raise
    orgm = seed_organization(mgmt)
    ids = orgm["accounts"]
    log(f"organization {orgm['organization']['id']}: {len(ids)} accounts")

    ctxs: dict[str, Ctx] = {MGMT_NAME: mgmt}
    for name, _, _ in ACCOUNTS:
        ctxs[name] = assume(endpoint, mgmt, ids[name], name)
        # member roles get admin rights (what AWS's AdministratorAccess gives the role)
        ctxs[name].c("iam", SECOND).put_role_policy(
            RoleName="OrganizationAccountAccessRole", PolicyName="AdministratorAccess",
            PolicyDocument=doc(ALLOW_ALL))
        M.inv(ctxs[name], "iam_roles", "OrganizationAccountAccessRole")

    # account classification tags
    M.violation("account-classification-tag", ctxs["sandbox"], ids["sandbox"], None, None,
                "DataClassification=secret is not a valid level")
    for name in ids:  # organization data: readable even when restricted-ops is locked
        if name != "sandbox":
            M.ok("account-classification-tag", ctxs[name], ids[name])
    # SCP parity: sandbox lacks prod-guardrail
    M.violation("scp-guardrail-parity", ctxs["sandbox"], ids["sandbox"], None, None,
                "prod-guardrail (ec2:DisableEbsEncryptionByDefault, kms:ScheduleKeyDeletion) "
                "is attached to Workloads/Prod but not Sandbox")
    # Pre-production is held to production's guardrails too, and app-preprod (in
    # Workloads/PreProd) lacks prod-guardrail; app-staging, misplaced in Workloads/Prod,
    # has it.
    M.violation("scp-guardrail-parity", ctxs["app-preprod"], ids["app-preprod"], None, None,
                "prod-guardrail is attached to Workloads/Prod but not Workloads/PreProd")
    M.ok("scp-guardrail-parity", ctxs["app-staging"], ids["app-staging"])
    # RCP parity: the TLS-enforcing RCP is on Workloads, not on Sandbox.
    M.violation("rcp-guardrail-parity", ctxs["sandbox"], ids["sandbox"], None, None,
                "rcp-enforce-tls is attached to Workloads, not Sandbox")
    M.ok("rcp-guardrail-parity", ctxs["app-preprod"], ids["app-preprod"])
    # Baseline drift: the two pre-production accounts differ; with one peer the account
    # lacking what the other has is the one reported.
    M.also_fails("baseline-policy-drift", ctxs["app-preprod"], ids["app-preprod"], None, None,
                 "its preprod peer app-staging sits in Workloads/Prod and so has "
                 "prod-guardrail and deny-unapproved-regions")
    M.ok("baseline-policy-drift", ctxs["app-staging"], ids["app-staging"])

    la = ctxs["log-archive"]
    cfg_bucket = f"rampart-config-{la.id}"
    steps = [
        ("log-archive", lambda: seed_log_archive(la, mgmt)),
        (MGMT_NAME, lambda: seed_management(mgmt, la)),
        ("network", lambda: seed_network(ctxs["network"], mgmt, cfg_bucket)),
        ("builder", lambda: seed_builder(ctxs["builder"], ids, cfg_bucket)),
        ("app-preprod", lambda: seed_app_preprod(ctxs["app-preprod"], ids, cfg_bucket)),
        ("app-prod", lambda: seed_app_prod(ctxs["app-prod"], mgmt, ids, cfg_bucket)),
        ("data-prod", lambda: seed_data_prod(ctxs["data-prod"], cfg_bucket)),
        ("sandbox", lambda: seed_sandbox(ctxs["sandbox"])),
        (RESTRICTED, lambda: seed_restricted(ctxs[RESTRICTED], mgmt, ids, cfg_bucket)),
        ("app-staging", lambda: seed_app_staging(ctxs["app-staging"], ids, cfg_bucket)),
        ("legacy-import", lambda: seed_legacy_import(ctxs["legacy-import"])),
        ("hub attachments", lambda: seed_hub_attachments(ctxs["network"])),
        ("baselines", lambda: seed_baselines(ctxs, ids)),
        ("segmentation", lambda: seed_segmentation(ctxs)),
    ]
    for name, fn in steps:
        t = time.monotonic()
        fn()
        log(f"seeded {name} in {time.monotonic() - t:.1f}s")
    # cloudtrail-multi-region: every member is covered by the organization trail
    M.ok("account-environment-mapped", ctxs["app-prod"], ids["app-prod"])
    M.ok("management-account-no-workloads", mgmt, mgmt.id, None, None,
         "only the organization trail, the identity provider and default VPCs")
    M.also_fails("security-services-delegated-admin", mgmt, mgmt.id, None, None,
                 "moto refuses RegisterDelegatedAdministrator for securityhub.amazonaws.com "
                 "and config.amazonaws.com (InvalidInputException); guardduty and "
                 "access-analyzer are delegated to log-archive")
    # organization data: the same whether restricted-ops is readable or not
    M.also_fails("prod-ou-no-nonprod-accounts", ctxs[RESTRICTED], ids[RESTRICTED], None, None,
                 "app-staging (Environment=staging) sits in Workloads/Prod too")
    for name in ids:
        if name not in (MGMT_NAME, RESTRICTED):
            M.ok("cloudtrail-multi-region", ctxs[name], ids[name], None, None,
                 "covered by the organization trail org-trail"
                 + (" (own single-region trail sandbox-trail is a decoy)"
                    if name == "sandbox" else ""))

    manifest: dict[str, Any] = {
        "endpoint": endpoint,
        "home_region": HOME,
        "regions": REGIONS,
        "external_account_id": EXTERNAL_ACCOUNT,
        **orgm,
        "violations": M.violations,
        "incidental": M.incidental,
        "compliant": M.compliant,
        "restricted": {"account": RESTRICTED, "account_id": ids[RESTRICTED],
                       "locked": False, "mode": None,
                       "violations_if_readable": M.restricted_violations},
        "inventory": M.inventory,
        "enforce_auth": False,
        "auditor": None,
        "collector_hints": {
            "regions": REGIONS,
            "s3_force_path_style": True,
            "organizations_region": SECOND,
            "iam_region": SECOND,
            "route53_region": SECOND,
            "route53_under_enforcement": "GET requests need a signed x-amz-content-sha256 "
                                         "header, else 403 SignatureDoesNotMatch",
            "access_denied": "HTTP 403; error code parsed only for EC2 and S3",
        },
    }

    if args.enforce_auth:
        manifest["auditor"] = prepare_auth(mgmt, ctxs, args.restricted_mode)
        manifest["restricted"].update(locked=True, mode=args.restricted_mode)
        prev = moto_reset_auth(endpoint, "0")
        manifest["enforce_auth"] = True
        log(f"IAM enforcement on (previous INITIAL_NO_AUTH_ACTION_COUNT={prev})")
        if args.verify_auth:
            t = time.monotonic()
            manifest["auth_verification"] = verify_auth(endpoint, manifest)
            log(f"verified auth in {time.monotonic() - t:.1f}s")

    manifest["seed_seconds"] = round(time.monotonic() - t0, 2)
    log(f"done in {manifest['seed_seconds']}s: {len(M.violations)} violations planted")
    json.dump(manifest, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
