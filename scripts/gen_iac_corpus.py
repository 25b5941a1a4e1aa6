#!/usr/bin/env python3
"""Generates a benchmark corpus of CloudFormation templates for `rampart check`.

The templates look like the ones landing-zone teams keep in their repositories: storage,
key, IAM, network, database, audit-trail, load-balancer, messaging, serverless (SAM) and
custom-resource stacks, and a few large "platform" stacks. About 70% are YAML written
with the short-form tags (`!Ref`, `!Sub`, `!GetAtt`, `!If`, `!Join`, `!Select`,
`!FindInMap`, `!Equals`, ...), with parameters, mappings, conditions and outputs; about
30% are JSON with the long forms (`Fn::...`), half of those shaped like `cdk synth`
output (hashed logical ids, `aws:cdk:path` metadata, `CDKMetadata`, the bootstrap-version
rule). Sizes run from 1 to ~150 resources, most between 5 and 40. Settings are a mix of
compliant and non-compliant ones (unencrypted buckets and volumes, admin ports open to
the internet, public databases, trails without log-file validation, ...), drawn per
template from a "hygiene" level.

Standard library only, and deterministic: template i is drawn from its own generator
seeded with "SEED:i", so the same seed and count give byte-identical files, and the first
N templates of a larger corpus equal a corpus of N.

Usage:
  python3 scripts/gen_iac_corpus.py OUT_DIR [-n 1000] [--seed 20261201] [--verify]

OUT_DIR must be empty or absent. `--verify` (needs PyYAML, not needed to generate)
parses every YAML template with a loader that turns the CloudFormation tags into their
long forms and checks it equals the JSON form of the same template.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import random
import re
import sys
import zlib
from collections import Counter
from pathlib import Path

DEFAULT_SEED = 20261201
DEFAULT_COUNT = 1000

ENVIRONMENTS = ["dev", "test", "staging", "prod"]
PROJECTS = [
    "payments", "orders", "ledger", "identity", "analytics", "catalog", "billing",
    "search", "shipping", "notifications", "reporting", "claims", "onboarding", "fraud",
    "inventory", "customer360", "datalake", "audit", "platform", "edge", "pricing",
    "loyalty", "telemetry", "documents",
]
CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"]
CORPORATE_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "10.10.0.0/16", "203.0.113.0/24"]
ORG_ID = "o-a1b2c3d4e5"


# --------------------------------------------------------------------------------------
# Intrinsic functions


class Fn:
    """An intrinsic function call: written `!Name arg` in YAML, `{"Fn::Name": arg}` in JSON."""

    __slots__ = ("name", "arg")

    def __init__(self, name: str, arg):
        self.name = name
        self.arg = arg

    def long_key(self) -> str:
        return self.name if self.name in ("Ref", "Condition") else "Fn::" + self.name


def Ref(x):
    return Fn("Ref", x)


def GetAtt(resource, attr):
    return Fn("GetAtt", [resource, attr])


def Sub(s, variables=None):
    return Fn("Sub", s if variables is None else [s, variables])


def Join(delim, items):
    return Fn("Join", [delim, items])


def Select(i, items):
    return Fn("Select", [i, items])


def Split(delim, s):
    return Fn("Split", [delim, s])


def FindInMap(m, k1, k2):
    return Fn("FindInMap", [m, k1, k2])


def If(cond, a, b):
    return Fn("If", [cond, a, b])


def Equals(a, b):
    return Fn("Equals", [a, b])


def Not(c):
    return Fn("Not", [c])


def And(*cs):
    return Fn("And", list(cs))


def Or(*cs):
    return Fn("Or", list(cs))


def Cond(name):
    return Fn("Condition", name)


def GetAZs(region=""):
    return Fn("GetAZs", region)


def Cidr(block, count, bits):
    return Fn("Cidr", [block, count, bits])


def ImportValue(x):
    return Fn("ImportValue", x)


def Base64(x):
    return Fn("Base64", x)


NO_VALUE = Fn("Ref", "AWS::NoValue")
PARTITION_ARN = "arn:${AWS::Partition}"


def to_long(node):
    """The template as plain JSON data (every intrinsic in its long form)."""
    if isinstance(node, Fn):
        arg = node.arg
        if node.name == "GetAtt" and isinstance(arg, str):
            arg = arg.split(".", 1)
        return {node.long_key(): to_long(arg)}
    if isinstance(node, dict):
        return {k: to_long(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_long(v) for v in node]
    return node


SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


def sub_to_join(node):
    """`Fn::Sub` strings rewritten as `Fn::Join` of literals, `Ref`s and `GetAtt`s (as CDK
    writes them)."""
    if isinstance(node, Fn):
        if node.name == "Sub" and isinstance(node.arg, str) and "\n" not in node.arg:
            parts: list = []
            pos = 0
            for m in SUB_VAR.finditer(node.arg):
                if m.start() > pos:
                    parts.append(node.arg[pos : m.start()])
                var = m.group(1)
                if "." in var and not var.startswith("AWS::"):
                    r, a = var.split(".", 1)
                    parts.append(GetAtt(r, a))
                else:
                    parts.append(Ref(var))
                pos = m.end()
            if pos < len(node.arg):
                parts.append(node.arg[pos:])
            if not parts:
                return ""
            if len(parts) == 1:
                return parts[0]
            return Join("", parts)
        return Fn(node.name, sub_to_join(node.arg))
    if isinstance(node, dict):
        return {k: sub_to_join(v) for k, v in node.items()}
    if isinstance(node, list):
        return [sub_to_join(v) for v in node]
    return node


def some_long(node, rng, p):
    """Each intrinsic turned into its long form with probability p (YAML written both ways)."""
    if isinstance(node, Fn):
        inner = Fn(node.name, some_long(node.arg, rng, p))
        if rng.random() < p:
            arg = inner.arg
            if inner.name == "GetAtt" and isinstance(arg, str):
                arg = arg.split(".", 1)
            return {inner.long_key(): arg}
        return inner
    if isinstance(node, dict):
        return {k: some_long(v, rng, p) for k, v in node.items()}
    if isinstance(node, list):
        return [some_long(v, rng, p) for v in node]
    return node


# --------------------------------------------------------------------------------------
# YAML writer

YAML_WORDS = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|~)$"
)
NUMBER_LIKE = re.compile(r"^[-+.]?[0-9][0-9_.:eE+-]*$|^\d{4}-\d\d?-\d\d?|^0[xob]|^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$")
PLAIN_FIRST = re.compile(r"^[A-Za-z0-9_/$(]")
BAD_CHARS = set(",[]{}#\"'`\t\n\\?")


class YamlWriter:
    """A small block-style YAML emitter with CloudFormation short-form tags."""

    def __init__(self, rng: random.Random):
        self.quote_char = "'" if rng.random() < 0.75 else '"'
        self.step = 2 if rng.random() < 0.93 else 4
        self.flow_lists = rng.random() < 0.55
        self.flow_maps = rng.random() < 0.35
        self.indented_seqs = rng.random() < 0.8
        self.max_flow = rng.choice([80, 100, 120])

    def quote(self, s: str) -> str:
        if self.quote_char == '"' or "\n" in s or "\\" in s:
            return json.dumps(s, ensure_ascii=False)
        return "'" + s.replace("'", "''") + "'"

    def needs_quote(self, s: str, flow: bool) -> bool:
        if not s or s != s.strip() or not PLAIN_FIRST.match(s):
            return True
        if YAML_WORDS.match(s) or NUMBER_LIKE.match(s):
            return True
        if any(c in BAD_CHARS for c in s) or ": " in s or " #" in s or s.endswith(":"):
            return True
        return flow and ":" in s

    def scalar(self, v, flow: bool = False) -> str:
        if v is True:
            return "true"
        if v is False:
            return "false"
        if v is None:
            return "null"
        if isinstance(v, (int, float)):
            return repr(v)
        if self.needs_quote(v, flow):
            return self.quote(v)
        return v

    @staticmethod
    def is_scalar(v) -> bool:
        return not isinstance(v, (dict, list, Fn))

    @staticmethod
    def multiline(v) -> bool:
        return isinstance(v, str) and "\n" in v

    def flow(self, v):
        """The value in flow style, or None where it cannot be written so."""
        if isinstance(v, Fn):
            if v.name == "GetAtt":
                a = v.arg
                if isinstance(a[1], str):
                    return "!GetAtt " + self.scalar(f"{a[0]}.{a[1]}", True)
            if isinstance(v.arg, Fn):
                inner = self.flow(v.arg.arg)
                if inner is None:
                    return None
                return f"!{v.name} {{{self.scalar(v.arg.long_key(), True)}: {inner}}}"
            inner = self.flow(v.arg)
            return None if inner is None else f"!{v.name} {inner}"
        if isinstance(v, dict):
            parts = []
            for k, x in v.items():
                f = self.flow(x)
                if f is None:
                    return None
                parts.append(f"{self.scalar(k, True)}: {f}")
            return "{" + ", ".join(parts) + "}"
        if isinstance(v, list):
            parts = []
            for x in v:
                f = self.flow(x)
                if f is None:
                    return None
                parts.append(f)
            return "[" + ", ".join(parts) + "]"
        if self.multiline(v):
            return None
        return self.scalar(v, True)

    def block_text(self, text: str, col: int) -> list[str]:
        return [(" " * col + line) if line else "" for line in text.rstrip("\n").split("\n")]

    def write(self, v, ind: int, prefix: str, kind: str) -> list[str]:
        """Lines for value v; prefix is the line so far (ending with `Key:` or `-`), ind
        the column of that key or dash."""
        child = ind + (self.step if kind == "key" else 2)
        if isinstance(v, Fn):
            return self.write_fn(v, ind, prefix, kind, child)
        if isinstance(v, dict):
            if not v:
                return [prefix + " {}"]
            if self.flow_maps and len(v) <= 2 and all(self.is_scalar(x) or isinstance(x, Fn) for x in v.values()):
                f = self.flow(v)
                if f is not None and len(prefix) + len(f) < self.max_flow:
                    return [prefix + " " + f]
            lines: list[str] = []
            items = list(v.items())
            if kind == "seq":
                k0, v0 = items[0]
                lines += self.write(v0, child, f"{prefix} {self.scalar(k0)}:", "key")
                items = items[1:]
            else:
                lines.append(prefix)
            for k, x in items:
                lines += self.write(x, child, f"{' ' * child}{self.scalar(k)}:", "key")
            return lines
        if isinstance(v, list):
            if not v:
                return [prefix + " []"]
            if self.flow_lists and all(self.is_scalar(x) for x in v):
                f = self.flow(v)
                if f is not None and len(prefix) + len(f) < self.max_flow:
                    return [prefix + " " + f]
            if kind == "seq":
                lines = self.write(v[0], child, prefix + " -", "seq")
                for x in v[1:]:
                    lines += self.write(x, child, " " * child + "-", "seq")
                return lines
            col = child if self.indented_seqs else ind
            lines = [prefix]
            for x in v:
                lines += self.write(x, col, " " * col + "-", "seq")
            return lines
        if self.multiline(v):
            head = "|" if v.endswith("\n") else "|-"
            return [f"{prefix} {head}"] + self.block_text(v, child)
        return [prefix + " " + self.scalar(v)]

    def write_fn(self, v: Fn, ind: int, prefix: str, kind: str, child: int) -> list[str]:
        tag = "!" + v.name
        arg = v.arg
        if v.name == "GetAtt" and isinstance(arg, list) and isinstance(arg[1], str):
            return [f"{prefix} {tag} {self.scalar(arg[0] + '.' + arg[1])}"]
        if isinstance(arg, Fn):
            # `!ImportValue !Sub x` is not YAML: the inner call is written in its long form.
            lines = [f"{prefix} {tag}"]
            lines += self.write(arg.arg, child, f"{' ' * child}{arg.long_key()}:", "key")
            return lines
        if isinstance(arg, list):
            f = self.flow(arg)
            if f is not None and len(prefix) + len(tag) + len(f) < self.max_flow:
                return [f"{prefix} {tag} {f}"]
            lines = [f"{prefix} {tag}"]
            for x in arg:
                lines += self.write(x, child, " " * child + "-", "seq")
            return lines
        if isinstance(arg, dict):
            lines = [f"{prefix} {tag}"]
            for k, x in arg.items():
                lines += self.write(x, child, f"{' ' * child}{self.scalar(k)}:", "key")
            return lines
        if self.multiline(arg):
            head = "|" if arg.endswith("\n") else "|-"
            return [f"{prefix} {tag} {head}"] + self.block_text(arg, child)
        return [f"{prefix} {tag} {self.scalar(arg)}"]


# --------------------------------------------------------------------------------------
# Templates


def pascal(s: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", s) if p)


def policy(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def stmt(effect, action, resource=None, principal=None, condition=None, sid=None, not_action=None):
    s: dict = {}
    if sid:
        s["Sid"] = sid
    s["Effect"] = effect
    if principal is not None:
        s["Principal"] = principal
    if not_action is not None:
        s["NotAction"] = not_action
    else:
        s["Action"] = action
    if resource is not None:
        s["Resource"] = resource
    if condition:
        s["Condition"] = condition
    return s


class Template:
    def __init__(self, rng: random.Random, index: int, fmt: str, cdk: bool, sam: bool, archetype: str):
        self.rng = rng
        self.index = index
        self.fmt = fmt
        self.cdk = cdk
        self.sam = sam
        self.archetype = archetype
        self.ok = rng.choice([0.97, 0.9, 0.9, 0.8, 0.8, 0.65, 0.5])
        self.project = rng.choice(PROJECTS)
        self.env_literal = rng.choice(ENVIRONMENTS)
        self.use_params = not cdk and rng.random() < 0.85
        self.env_param = rng.choice(["Environment"] * 6 + ["Env", "Stage", "EnvironmentName"])
        self.stack = f"{pascal(self.project)}{pascal(archetype)}Stack"
        self.account = str(rng.randrange(100000000000, 999999999999))
        self.params: dict = {}
        self.mappings: dict = {}
        self.conditions: dict = {}
        self.rules: dict = {}
        self.resources: dict = {}
        self.outputs: dict = {}
        self.metadata: dict = {}
        self.globals: dict = {}
        self.shared: dict = {}
        self.comments: dict = {}
        self.bases: dict = {}
        self.used_names: set = set()

    # -- choices
    def good(self, p: float | None = None) -> bool:
        return self.rng.random() < (self.ok if p is None else p)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    # -- parameters, conditions, naming
    def param(self, name: str, spec: dict) -> Fn:
        self.params.setdefault(name, spec)
        return Ref(name)

    def env(self):
        if not self.use_params:
            return self.env_literal
        return self.param(
            self.env_param,
            {
                "Type": "String",
                "Description": "Deployment environment",
                "AllowedValues": list(ENVIRONMENTS),
                "Default": self.env_literal,
            },
        )

    def project_ref(self):
        if not self.use_params:
            return self.project
        return self.param(
            "ProjectName",
            {
                "Type": "String",
                "Description": "Short name of the workload, used in resource names",
                "Default": self.project,
                "AllowedPattern": "^[a-z][a-z0-9-]{1,20}$",
                "ConstraintDescription": "lower-case letters, digits and hyphens",
            },
        )

    def unique(self, name: str) -> str:
        """name, or name-2, name-3, ... if this template already named something so."""
        cand, i = name, 2
        while cand in self.used_names:
            cand = f"{name}-{i}"
            i += 1
        self.used_names.add(cand)
        return cand

    def name(self, suffix: str, account: bool = False):
        """A resource name: `${ProjectName}-${Environment}-suffix[-account]`."""
        suffix = self.unique(suffix)
        if self.use_params:
            self.project_ref()
            self.env()
            s = "${ProjectName}-${%s}-%s" % (self.env_param, suffix)
            if account:
                s += "-${AWS::AccountId}"
            return Sub(s)
        s = f"{self.project}-{self.env_literal}-{suffix}"
        if account:
            return Sub(s + "-${AWS::AccountId}") if self.chance(0.6) else f"{s}-{self.account}"
        return s

    def is_prod(self) -> str | None:
        if not self.use_params:
            return None
        if "IsProd" not in self.conditions:
            self.conditions["IsProd"] = Equals(self.env(), "prod")
        return "IsProd"

    def if_prod(self, a, b):
        c = self.is_prod()
        if c:
            return If(c, a, b)
        return a if self.env_literal == "prod" else b

    def kms_param(self) -> Fn | None:
        """`KmsKeyArn` parameter (empty by default) and its `HasKmsKey` condition."""
        if not self.use_params:
            return None
        self.param(
            "KmsKeyArn",
            {"Type": "String", "Default": "", "Description": "Customer managed key ARN (empty: AWS managed key)"},
        )
        if "HasKmsKey" not in self.conditions:
            self.conditions["HasKmsKey"] = Not(Equals(Ref("KmsKeyArn"), ""))
        return If("HasKmsKey", Ref("KmsKeyArn"), NO_VALUE)

    def env_map(self, key: str, values: dict):
        """`!FindInMap [EnvironmentConfig, !Ref Environment, key]`, or the literal."""
        if not self.use_params:
            return values[self.env_literal]
        m = self.mappings.setdefault("EnvironmentConfig", {e: {} for e in ENVIRONMENTS})
        for e in ENVIRONMENTS:
            m[e][key] = values[e]
        return FindInMap("EnvironmentConfig", self.env(), key)

    # -- resources
    def lid(self, base: str) -> str:
        base = pascal(base) or "Resource"
        taken = set(self.resources) | set(self.params) | set(self.conditions) | set(self.mappings) | set(self.bases.values())
        cand, i = base, 2
        while cand in taken:
            cand = f"{base}{i}"
            i += 1
        lid = cand
        if self.cdk:
            lid = cand + hashlib.sha256(f"{self.stack}/{cand}".encode()).hexdigest()[:8].upper()
        self.bases[lid] = cand
        return lid

    def base_of(self, lid: str) -> str:
        return self.bases.get(lid, lid)

    def add(self, base: str, rtype: str, props: dict | None, comment: str | None = None, **attrs) -> str:
        lid = self.lid(base)
        r: dict = {"Type": rtype}
        for k in ("Condition", "DependsOn"):
            if k in attrs:
                r[k] = attrs[k]
        if props is not None:
            r["Properties"] = props
        for k in ("DeletionPolicy", "UpdateReplacePolicy"):
            if k in attrs:
                r[k] = attrs[k]
        meta = attrs.get("Metadata")
        if self.cdk:
            meta = dict(meta or {})
            meta["aws:cdk:path"] = f"{self.stack}/{self.bases[lid]}/Resource"
        if meta:
            r["Metadata"] = meta
        self.resources[lid] = r
        if comment:
            self.comments[lid] = comment
        return lid

    def of_type(self, rtype: str) -> list[str]:
        return [k for k, r in self.resources.items() if r.get("Type") == rtype and "Condition" not in r]

    def tags(self, name: str | None = None, classification: str | None = None, as_map: bool = False):
        pairs: list = []
        if name is not None:
            pairs.append(("Name", name))
        pairs.append(("Environment", self.env()))
        if classification is None:
            classification = self.pick(CLASSIFICATIONS)
        if self.good(0.85):
            key = "DataClassification" if self.chance(0.9) else self.pick(["data-classification", "Classification"])
            pairs.append((key, classification))
        if self.chance(0.5):
            pairs.append(("Owner", f"team-{self.project}@example.com"))
        if self.chance(0.4):
            pairs.append(("CostCenter", f"CC-{self.rng.randint(1000, 9999)}"))
        if self.chance(0.3):
            pairs.append(("Project", self.project_ref()))
        if as_map:
            return {k: v for k, v in pairs}
        return [{"Key": k, "Value": v} for k, v in pairs]

    def metadata_skip(self, rtype: str) -> dict | None:
        """Suppressions as teams write them for rampart, checkov, cfn_nag and cfn-lint."""
        r = self.rng.random()
        if r < 0.02:
            rule = {
                "AWS::S3::Bucket": "s3-bucket-public-access-block",
                "AWS::EC2::SecurityGroup": "sg-admin-ports-not-open-to-internet",
                "AWS::RDS::DBInstance": "rds-storage-encrypted",
                "AWS::KMS::Key": "kms-key-rotation",
                "AWS::EC2::Volume": "ebs-volume-encrypted",
            }.get(rtype, "data-store-classification")
            return {"rampart": {"skip": [{"id": rule, "reason": "accepted risk, see the team's risk register"}]}}
        if r < 0.04:
            return {"checkov": {"skip": [{"id": "CKV_AWS_18", "comment": "access logs are collected centrally"}]}}
        if r < 0.07:
            return {"cfn_nag": {"rules_to_suppress": [{"id": "W35", "reason": "logging handled by the org trail"}]}}
        if r < 0.08:
            return {"cfn-lint": {"config": {"ignore_checks": ["W3005"]}}}
        return None

    # -- cross-references
    def vpc_id(self):
        if "vpc" in self.shared:
            return Ref(self.shared["vpc"])
        if self.cdk:
            return f"vpc-0{self.rng.getrandbits(64):016x}"
        if self.use_params and self.chance(0.35):
            self.param("NetworkStackName", {"Type": "String", "Default": f"{self.project}-network", "Description": "Stack exporting the VPC"})
            return ImportValue(Sub("${NetworkStackName}-VpcId"))
        if self.use_params or self.chance(0.5):
            return self.param("VpcId", {"Type": "AWS::EC2::VPC::Id", "Description": "VPC to deploy into"})
        return f"vpc-0{self.rng.getrandbits(64):016x}"

    def vpc_cidr(self):
        if "vpc" in self.shared:
            return GetAtt(self.shared["vpc"], "CidrBlock")
        return self.pick(["10.0.0.0/16", "10.20.0.0/16", "10.0.0.0/8", "172.31.0.0/16"])

    def subnets(self, public: bool = False):
        key = "public_subnets" if public else "private_subnets"
        if self.shared.get(key):
            return [Ref(s) for s in self.shared[key]]
        label = "Public" if public else "Private"
        if self.cdk:
            return [f"subnet-0{self.rng.getrandbits(64):016x}" for _ in range(self.rng.choice([2, 3]))]
        if "NetworkStackName" in self.params and self.chance(0.7):
            return Split(",", ImportValue(Sub("${NetworkStackName}-%sSubnetIds" % label)))
        return self.param(f"{label}SubnetIds", {"Type": "List<AWS::EC2::Subnet::Id>", "Description": f"{label} subnets"})

    def key_arn(self, purpose: str, room: int = 2):
        """A customer managed key's ARN (existing, new, or the parameter), or None."""
        keys = self.of_type("AWS::KMS::Key")
        if keys and self.chance(0.8):
            return GetAtt(self.pick(keys), "Arn")
        r = self.rng.random()
        if r < 0.45 and room >= 2:
            k = c_kms(self, room, purpose=purpose)
            return GetAtt(k, "Arn")
        if r < 0.75:
            p = self.kms_param()
            if p is not None:
                return p
        return None

    def log_bucket(self) -> str:
        if "log_bucket" not in self.shared:
            props = {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": pab_all(),
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "LifecycleConfiguration": {"Rules": [{"Id": "expire-logs", "Status": "Enabled", "ExpirationInDays": self.pick([90, 365, 400])}]},
                "Tags": self.tags(classification="internal"),
            }
            if self.chance(0.5):
                props = {"BucketName": self.name("access-logs", account=True), **props}
            b = self.add("AccessLogsBucket", "AWS::S3::Bucket", props, comment="Server access logs", DeletionPolicy="Retain", UpdateReplacePolicy="Retain")
            self.shared["log_bucket"] = b
            self.add(
                "AccessLogsBucketPolicy",
                "AWS::S3::BucketPolicy",
                {
                    "Bucket": Ref(b),
                    "PolicyDocument": policy(
                        stmt("Allow", "s3:PutObject", Sub("${%s.Arn}/*" % b), {"Service": "logging.s3.amazonaws.com"},
                             {"StringEquals": {"aws:SourceAccount": Ref("AWS::AccountId")}}, sid="S3ServerAccessLogsPolicy"),
                        deny_insecure(self, b),
                    ),
                },
            )
        return self.shared["log_bucket"]


def pab_all() -> dict:
    return {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}


def account_root():
    return Sub(PARTITION_ARN + ":iam::${AWS::AccountId}:root")


def bucket_objects(t: Template, b: str):
    return t.pick([
        Sub("${%s.Arn}/*" % b),
        Sub(PARTITION_ARN + ":s3:::${%s}/*" % b),
        Join("", [GetAtt(b, "Arn"), "/*"]),
    ])


def deny_insecure(t: Template, b: str) -> dict:
    flag = "false" if t.chance(0.8) else False
    return stmt(
        "Deny", "s3:*", [GetAtt(b, "Arn"), bucket_objects(t, b)],
        "*" if t.chance(0.7) else {"AWS": "*"},
        {"Bool": {"aws:SecureTransport": flag}}, sid="DenyInsecureTransport",
    )


# --------------------------------------------------------------------------------------
# Components: each adds a few related resources, keeping within `room` where it can.


def c_kms(t: Template, room: int, purpose: str | None = None, services=()) -> str:
    purpose = purpose or t.pick(["Data", "Logs", "Backup", "Secrets", "Queue", "App"])
    props: dict = {"Description": f"{purpose} encryption key for {t.project}"}
    if t.good():
        props["EnableKeyRotation"] = True
        if t.chance(0.2):
            props["RotationPeriodInDays"] = t.pick([90, 180, 365])
    elif t.chance(0.5):
        props["EnableKeyRotation"] = False
    if t.chance(0.25):
        props["PendingWindowInDays"] = t.pick([7, 14, 30])
    if t.chance(0.15):
        props["KeySpec"] = "SYMMETRIC_DEFAULT"
        props["KeyUsage"] = "ENCRYPT_DECRYPT"
    if t.chance(0.05):
        props["MultiRegion"] = True
    statements = [stmt("Allow", "kms:*", "*", {"AWS": account_root()}, sid="EnableRootAccountPermissions")]
    if t.chance(0.5):
        statements.append(stmt(
            "Allow",
            ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
             "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
             "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
            "*", {"AWS": Sub(PARTITION_ARN + ":iam::${AWS::AccountId}:role/" + t.pick(["KeyAdministrator", "PlatformAdmin", "cfn-exec"]))},
            sid="AllowKeyAdministration",
        ))
    services = list(services) or ([t.pick(["logs", "sns", "sqs", "s3", "cloudtrail"])] if t.chance(0.5) else [])
    for svc in services:
        if svc == "logs":
            statements.append(stmt(
                "Allow", ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], "*",
                {"Service": Sub("logs.${AWS::Region}.amazonaws.com")},
                {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": Sub(PARTITION_ARN + ":logs:${AWS::Region}:${AWS::AccountId}:log-group:*")}},
                sid="AllowCloudWatchLogs",
            ))
        elif svc == "cloudtrail":
            statements.append(stmt(
                "Allow", "kms:GenerateDataKey*", "*", {"Service": "cloudtrail.amazonaws.com"},
                {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": Sub(PARTITION_ARN + ":cloudtrail:*:${AWS::AccountId}:trail/*")}},
                sid="AllowCloudTrailEncrypt",
            ))
            statements.append(stmt(
                "Allow", "kms:DescribeKey", "*", {"Service": "cloudtrail.amazonaws.com"}, sid="AllowCloudTrailDescribe",
            ))
        else:
            statements.append(stmt(
                "Allow", ["kms:Decrypt", "kms:GenerateDataKey"], "*", {"Service": f"{svc}.amazonaws.com"},
                {"StringEquals": {"aws:SourceAccount": Ref("AWS::AccountId")}}, sid=f"Allow{pascal(svc)}Service",
            ))
    if not t.good():
        statements.append(t.pick([
            stmt("Allow", ["kms:Decrypt", "kms:DescribeKey"], "*", {"AWS": "*"}, sid="AllowAnyoneDecrypt"),
            stmt("Allow", ["kms:Decrypt", "kms:GenerateDataKey"], "*", "*",
                 {"StringEquals": {"kms:CallerAccount": Ref("AWS::AccountId")}}, sid="AllowAccountUse"),
            stmt("Allow", "kms:*", "*", {"AWS": f"arn:aws:iam::{t.rng.randrange(10**11, 10**12)}:root"}, sid="AllowPartnerAccount"),
        ]))
    props["KeyPolicy"] = policy(*statements)
    if t.chance(0.5):
        props["Tags"] = t.tags()
    extra = {}
    if t.chance(0.4):
        extra = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    meta = t.metadata_skip("AWS::KMS::Key")
    if meta:
        extra["Metadata"] = meta
    k = t.add(f"{purpose}Key", "AWS::KMS::Key", props, comment=f"{purpose} key", **extra)
    if room >= 2 and t.chance(0.7):
        leaf = t.unique("alias/" + purpose.lower()).split("/", 1)[1]
        alias = Sub("alias/${ProjectName}-${%s}-%s" % (t.env_param, leaf)) if t.use_params else f"alias/{t.project}/{leaf}"
        if t.use_params:
            t.project_ref()
            t.env()
        t.add(f"{purpose}KeyAlias", "AWS::KMS::Alias", {"AliasName": alias, "TargetKeyId": Ref(k)})
    return k


def bucket_encryption(t: Template, room: int, classification: str):
    r = t.rng.random()
    if not t.good():
        return None if t.chance(0.7) else {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    if r < 0.25 and classification in ("public", "internal"):
        return {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    by_default: dict = {"SSEAlgorithm": "aws:kms"}
    key = t.key_arn("Data", room) if r < 0.9 else None
    if key is not None:
        by_default["KMSMasterKeyID"] = key
    rule: dict = {"ServerSideEncryptionByDefault": by_default}
    if t.chance(0.6):
        rule["BucketKeyEnabled"] = True
    return {"ServerSideEncryptionConfiguration": [rule]}


def c_bucket(t: Template, room: int, role: str | None = None) -> str:
    role = role or t.pick(["Data", "Artifacts", "Raw", "Curated", "Exports", "Backups", "Static", "Reports", "Uploads", "Archive", "Assets", "Landing"])
    classification = t.pick(CLASSIFICATIONS)
    props: dict = {}
    if t.chance(0.6):
        props["BucketName"] = t.name(role.lower(), account=True)
    public_site = role == "Static" and not t.good()
    enc = bucket_encryption(t, room - 1, classification)
    if enc:
        props["BucketEncryption"] = enc
    if public_site:
        props["PublicAccessBlockConfiguration"] = {"BlockPublicAcls": False, "BlockPublicPolicy": False, "IgnorePublicAcls": False, "RestrictPublicBuckets": False}
        props["WebsiteConfiguration"] = {"IndexDocument": "index.html", "ErrorDocument": "error.html"}
    elif t.good():
        props["PublicAccessBlockConfiguration"] = pab_all()
    elif t.chance(0.5):
        pab = pab_all()
        pab[t.pick(list(pab))] = False
        props["PublicAccessBlockConfiguration"] = pab
    if t.good(0.8):
        props["VersioningConfiguration"] = {"Status": t.pick(["Enabled", "Enabled", t.if_prod("Enabled", "Suspended")])}
    elif t.chance(0.3):
        props["VersioningConfiguration"] = {"Status": "Suspended"}
    if t.good(0.55):
        if room >= 4 or "log_bucket" in t.shared:
            dest = Ref(t.log_bucket())
        else:
            dest = Sub("%s-%s-access-logs-${AWS::AccountId}" % (t.project, t.env_literal))
        props["LoggingConfiguration"] = {"DestinationBucketName": dest, "LogFilePrefix": f"{role.lower()}/"}
    if t.chance(0.4):
        rules = [{"Id": "abort-incomplete-uploads", "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]
        if t.chance(0.6):
            rules.append({"Id": "expire-noncurrent", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": t.pick([30, 90, 365])}})
        if t.chance(0.4):
            rules.append({"Id": "to-glacier", "Status": "Enabled", "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": t.pick([90, 180])}]})
        props["LifecycleConfiguration"] = {"Rules": rules}
    if public_site:
        props["OwnershipControls"] = {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
        props["AccessControl"] = "PublicRead"
    elif t.chance(0.5):
        props["OwnershipControls"] = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    if role == "Archive" and t.chance(0.5):
        props["ObjectLockEnabled"] = True
        props["ObjectLockConfiguration"] = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}}
    if t.chance(0.85):
        props["Tags"] = t.tags(classification=classification)
    extra: dict = {}
    if t.chance(0.6):
        extra = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    meta = t.metadata_skip("AWS::S3::Bucket")
    if meta:
        extra["Metadata"] = meta
    b = t.add(f"{role}Bucket", "AWS::S3::Bucket", props, comment=f"{role} bucket ({classification})", **extra)
    if room >= 2 and t.chance(0.7):
        c_bucket_policy(t, b, public_site)
    return b


def c_bucket_policy(t: Template, b: str, public: bool = False) -> str:
    statements = []
    if t.good():
        statements.append(deny_insecure(t, b))
    elif t.chance(0.3):
        # A common mistake: the condition is inverted, so nothing is denied.
        statements.append(stmt("Deny", "s3:*", [GetAtt(b, "Arn"), bucket_objects(t, b)], "*",
                               {"Bool": {"aws:SecureTransport": "true"}}, sid="DenyInsecureTransport"))
    if t.chance(0.2):
        statements.append(stmt("Deny", "s3:*", [GetAtt(b, "Arn"), bucket_objects(t, b)], "*",
                               {"NumericLessThan": {"s3:TlsVersion": "1.2"}}, sid="DenyOutdatedTls"))
    if public or not t.good(0.92):
        statements.append(stmt("Allow", "s3:GetObject", bucket_objects(t, b), "*", sid="PublicRead"))
    r = t.rng.random()
    if r < 0.35:
        statements.append(stmt("Allow", ["s3:GetObject", "s3:ListBucket"], [GetAtt(b, "Arn"), bucket_objects(t, b)], "*",
                               {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}, sid="AllowOrganizationRead"))
    elif r < 0.6:
        acct = str(t.rng.randrange(10**11, 10**12))
        statements.append(stmt("Allow", ["s3:GetObject", "s3:PutObject"], bucket_objects(t, b),
                               {"AWS": f"arn:aws:iam::{acct}:role/{t.project}-replication"}, sid="AllowPartnerRole"))
    elif r < 0.75:
        statements.append(stmt("Deny", "s3:PutObject", bucket_objects(t, b), "*",
                               {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}, sid="DenyUnencryptedUploads"))
    if not statements:
        statements.append(stmt("Allow", "s3:ListBucket", GetAtt(b, "Arn"), {"AWS": account_root()}, sid="AllowAccountList"))
    return t.add(f"{t.base_of(b)}Policy", "AWS::S3::BucketPolicy", {"Bucket": Ref(b), "PolicyDocument": policy(*statements)})


SERVICE_ROLES = {
    "lambda": ("lambda.amazonaws.com", "service-role/AWSLambdaBasicExecutionRole"),
    "ec2": ("ec2.amazonaws.com", "AmazonSSMManagedInstanceCore"),
    "ecs": ("ecs-tasks.amazonaws.com", "service-role/AmazonECSTaskExecutionRolePolicy"),
    "codebuild": ("codebuild.amazonaws.com", "AWSCodeBuildDeveloperAccess"),
    "states": ("states.amazonaws.com", "service-role/AWSLambdaRole"),
    "cloudformation": ("cloudformation.amazonaws.com", "ReadOnlyAccess"),
    "glue": ("glue.amazonaws.com", "service-role/AWSGlueServiceRole"),
}


def trust_policy(t: Template, kind: str) -> dict:
    if kind in SERVICE_ROLES:
        svc = SERVICE_ROLES[kind][0]
        principal = {"Service": [svc] if t.chance(0.5) else svc}
        action = "sts:AssumeRole" if t.chance(0.8) else ["sts:AssumeRole", "sts:TagSession"]
        return policy(stmt("Allow", action, principal=principal))
    if kind == "cross-account":
        acct = str(t.rng.randrange(10**11, 10**12))
        principal = {"AWS": t.pick([f"arn:aws:iam::{acct}:root", f"arn:aws:iam::{acct}:role/{t.project}-deployer", acct])}
        if t.good():
            cond = t.pick([
                {"StringEquals": {"sts:ExternalId": f"{t.project}-{t.rng.getrandbits(32):08x}"}},
                {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            ])
        else:
            cond = None
            if t.chance(0.3):
                principal = {"AWS": "*"}
        return policy(stmt("Allow", "sts:AssumeRole", principal=principal, condition=cond))
    if kind == "saml":
        return policy(stmt(
            "Allow", "sts:AssumeRoleWithSAML",
            principal={"Federated": Sub(PARTITION_ARN + ":iam::${AWS::AccountId}:saml-provider/" + t.pick(["Okta", "AzureAD", "PingFederate"]))},
            condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        ))
    # GitHub Actions OIDC
    cond: dict = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
    if t.good():
        cond["StringLike"] = {"token.actions.githubusercontent.com:sub": t.pick([
            f"repo:example-org/{t.project}:ref:refs/heads/main",
            f"repo:example-org/{t.project}:environment:{t.env_literal}",
            f"repo:example-org/{t.project}:*",
        ])}
    elif t.chance(0.5):
        cond["StringLike"] = {"token.actions.githubusercontent.com:sub": "repo:example-org/*"}
    return policy(stmt(
        "Allow", "sts:AssumeRoleWithWebIdentity",
        principal={"Federated": Sub(PARTITION_ARN + ":iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com")},
        condition=cond,
    ))


def permission_statements(t: Template, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        r = t.rng.random()
        buckets, tables, queues, keys, topics = (t.of_type(x) for x in (
            "AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::KMS::Key", "AWS::SNS::Topic"))
        if not t.good(0.93):
            out.append(t.pick([
                stmt("Allow", "*", "*"),
                stmt("Allow", "iam:PassRole", "*"),
                stmt("Allow", ["iam:CreateUser", "iam:AttachUserPolicy", "iam:CreateAccessKey"], "*"),
                stmt("Allow", "s3:*", "*"),
                stmt("Allow", None, "*", not_action=["iam:*", "organizations:*"]),
            ]))
        elif r < 0.2:
            res = [bucket_objects(t, t.pick(buckets)), GetAtt(t.pick(buckets), "Arn")] if buckets else [
                Sub(PARTITION_ARN + ":s3:::%s-*" % t.project), Sub(PARTITION_ARN + ":s3:::%s-*/*" % t.project)]
            out.append(stmt("Allow", t.pick([["s3:GetObject", "s3:ListBucket"], ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]]), res))
        elif r < 0.35:
            res = GetAtt(t.pick(tables), "Arn") if tables else Sub(PARTITION_ARN + ":dynamodb:${AWS::Region}:${AWS::AccountId}:table/%s-*" % t.project)
            out.append(stmt("Allow", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"], res))
        elif r < 0.45:
            res = GetAtt(t.pick(queues), "Arn") if queues else Sub(PARTITION_ARN + ":sqs:${AWS::Region}:${AWS::AccountId}:%s-*" % t.project)
            out.append(stmt("Allow", ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], res))
        elif r < 0.55:
            res = GetAtt(t.pick(keys), "Arn") if keys else Sub(PARTITION_ARN + ":kms:${AWS::Region}:${AWS::AccountId}:key/*")
            out.append(stmt("Allow", ["kms:Decrypt", "kms:GenerateDataKey"], res))
        elif r < 0.65:
            out.append(stmt("Allow", ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Sub(PARTITION_ARN + ":logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*")))
        elif r < 0.72:
            out.append(stmt("Allow", ["ssm:GetParameter", "ssm:GetParameters"],
                            Sub(PARTITION_ARN + ":ssm:${AWS::Region}:${AWS::AccountId}:parameter/%s/*" % t.project)))
        elif r < 0.78:
            out.append(stmt("Allow", "secretsmanager:GetSecretValue",
                            Sub(PARTITION_ARN + ":secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:%s/*" % t.project)))
        elif r < 0.84:
            out.append(stmt("Allow", "cloudwatch:PutMetricData", "*", condition={"StringEquals": {"cloudwatch:namespace": pascal(t.project)}}))
        elif r < 0.9:
            out.append(stmt("Allow", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"))
        elif r < 0.95:
            res = Ref(t.pick(topics)) if topics else Sub(PARTITION_ARN + ":sns:${AWS::Region}:${AWS::AccountId}:%s-*" % t.project)
            out.append(stmt("Allow", "sns:Publish", res))
        else:
            out.append(stmt("Allow", ["ec2:DescribeInstances", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], "*"))
    return out


def c_role(t: Template, room: int, kind: str | None = None, base: str | None = None) -> str:
    kind = kind or t.pick(["lambda", "lambda", "ec2", "ecs", "codebuild", "states", "glue", "cross-account", "cross-account", "saml", "github", "cloudformation"])
    base = base or {"cross-account": "CrossAccount", "saml": "Federated", "github": "GitHubDeploy"}.get(kind, pascal(kind))
    props: dict = {"AssumeRolePolicyDocument": trust_policy(t, kind)}
    if t.chance(0.4):
        props["Description"] = f"{base} role for {t.project}"
    if t.chance(0.45):
        props["RoleName"] = t.name(re.sub(r"(?<!^)(?=[A-Z])", "-", base).lower())
    if t.chance(0.25):
        props["Path"] = t.pick(["/app/", "/service-role/", f"/{t.project}/"])
    managed = []
    if kind in SERVICE_ROLES and t.chance(0.7):
        managed.append(Sub(PARTITION_ARN + ":iam::aws:policy/" + SERVICE_ROLES[kind][1]) if t.chance(0.7)
                       else "arn:aws:iam::aws:policy/" + SERVICE_ROLES[kind][1])
    if kind in ("saml", "cross-account", "github"):
        if not t.good(0.85):
            managed.append("arn:aws:iam::aws:policy/AdministratorAccess")
        elif t.chance(0.6):
            managed.append(t.pick(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess",
                                   Sub(PARTITION_ARN + ":iam::aws:policy/job-function/ViewOnlyAccess")]))
    if t.chance(0.2):
        managed.append(Sub(PARTITION_ARN + ":iam::aws:policy/AWSXRayDaemonWriteAccess"))
    if managed:
        props["ManagedPolicyArns"] = managed
    if t.good(0.45):
        if t.use_params and t.chance(0.5):
            props["PermissionsBoundary"] = t.param("PermissionsBoundaryArn", {
                "Type": "String",
                "Default": f"arn:aws:iam::{t.account}:policy/DeveloperBoundary",
                "Description": "Permissions boundary for every role in this stack",
            })
        else:
            props["PermissionsBoundary"] = Sub(PARTITION_ARN + ":iam::${AWS::AccountId}:policy/" + t.pick(["DeveloperBoundary", "WorkloadBoundary"]))
    if t.chance(0.15):
        props["MaxSessionDuration"] = t.pick([3600, 7200, 14400, 43200])
    if t.chance(0.65):
        props["Policies"] = [
            {"PolicyName": t.pick(["inline", "access", f"{t.project}-access", "runtime", "data-access"]) + (f"-{i}" if i else ""),
             "PolicyDocument": policy(*permission_statements(t, t.rng.randint(1, 4)))}
            for i in range(t.pick([1, 1, 1, 2, 3]))
        ]
    if t.chance(0.5):
        props["Tags"] = t.tags()
    r = t.add(f"{base}Role", "AWS::IAM::Role", props, comment=f"{base} role")
    if kind == "ec2" and room >= 2 and t.chance(0.7):
        t.add(f"{base}InstanceProfile", "AWS::IAM::InstanceProfile", {"Roles": [Ref(r)]})
    if room >= 3 and t.chance(0.2):
        c_iam_policy(t, room, roles=[r])
    return r


def c_iam_policy(t: Template, room: int, roles=None) -> str:
    roles = roles or t.of_type("AWS::IAM::Role")
    props = {
        "PolicyName": t.pick(["extra-permissions", f"{t.project}-data", "runtime-access", "deploy"]),
        "PolicyDocument": policy(*permission_statements(t, t.rng.randint(1, 5))),
    }
    if roles:
        props["Roles"] = [Ref(r) for r in roles[:2]]
    else:
        props["Roles"] = [t.param("ExistingRoleName", {"Type": "String", "Default": f"{t.project}-runtime", "Description": "Role to attach to"})] if t.use_params else [f"{t.project}-runtime"]
    return t.add("ExtraPolicy", "AWS::IAM::Policy", props)


def c_managed_policy(t: Template, room: int) -> str:
    props: dict = {"Description": t.pick(["Read access to the workload's data", "Deployment permissions", "Operator access", "Boundary for developer-created roles"])}
    if t.chance(0.5):
        props["ManagedPolicyName"] = t.name(t.pick(["read", "deploy", "operator", "boundary"]))
    if t.chance(0.3):
        props["Path"] = f"/{t.project}/"
    props["PolicyDocument"] = policy(*permission_statements(t, t.rng.randint(1, 6)))
    roles = t.of_type("AWS::IAM::Role")
    if roles and t.chance(0.5):
        props["Roles"] = [Ref(t.pick(roles))]
    return t.add(t.pick(["Read", "Deploy", "Operator", "Boundary"]) + "ManagedPolicy", "AWS::IAM::ManagedPolicy", props)


def ingress(t: Template, port: int, cidr: str, desc: str, proto: str = "tcp", to_port: int | None = None, v6: bool = False) -> dict:
    rule: dict = {"IpProtocol": proto}
    if proto != "-1":
        rule["FromPort"] = port
        rule["ToPort"] = port if to_port is None else to_port
    rule["CidrIpv6" if v6 else "CidrIp"] = cidr
    if t.chance(0.7):
        rule["Description"] = desc
    return rule


def c_sg(t: Template, room: int, purpose: str | None = None, source_sg: str | None = None) -> str:
    purpose = purpose or t.pick(["App", "App", "Web", "Bastion", "Database", "Admin", "Cache", "Lambda", "Worker"])
    rules = []
    corp = t.pick(CORPORATE_CIDRS[:4])
    if purpose in ("Web", "Alb"):
        rules.append(ingress(t, 443, "0.0.0.0/0", "HTTPS from the internet"))
        if t.chance(0.6):
            rules.append(ingress(t, 80, "0.0.0.0/0", "HTTP, redirected to HTTPS"))
        if t.chance(0.3):
            rules.append(ingress(t, 443, "::/0", "HTTPS over IPv6", v6=True))
    elif purpose == "Bastion":
        rules.append(ingress(t, 22, corp if t.good() else "0.0.0.0/0", "SSH"))
    elif purpose == "Admin":
        rules.append(ingress(t, 3389, corp if t.good() else "0.0.0.0/0", "RDP"))
        if t.chance(0.4):
            rules.append(ingress(t, 5985, corp, "WinRM", to_port=5986))
    elif purpose == "Database":
        port = t.pick([5432, 3306])
        if source_sg:
            rules.append({"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "SourceSecurityGroupId": GetAtt(source_sg, "GroupId"), "Description": "From the application"})
        else:
            rules.append(ingress(t, port, corp if t.good() else "0.0.0.0/0", "Database clients"))
    elif purpose == "Cache":
        rules.append(ingress(t, 6379, corp, "Redis"))
    elif purpose == "Endpoint":
        rules.append(ingress(t, 443, corp, "HTTPS to interface endpoints") if "vpc" not in t.shared else
                     {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": t.vpc_cidr(), "Description": "HTTPS from the VPC"})
    elif purpose not in ("Lambda",):
        port = t.pick([8080, 8443, 443, 3000])
        if source_sg:
            rules.append({"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "SourceSecurityGroupId": GetAtt(source_sg, "GroupId")})
        else:
            rules.append(ingress(t, port, corp, "Application traffic"))
    if not t.good(0.9):
        rules.append(t.pick([
            ingress(t, 22, "0.0.0.0/0", "SSH for debugging"),
            ingress(t, 3389, "0.0.0.0/0", "RDP"),
            ingress(t, 0, "0.0.0.0/0", "everything", proto="-1"),
            ingress(t, 0, "0.0.0.0/0", "all TCP", to_port=65535),
            ingress(t, 22, "::/0", "SSH over IPv6", v6=True),
        ]))
    props: dict = {"GroupDescription": f"{purpose} security group for {t.project}", "VpcId": t.vpc_id()}
    if t.chance(0.2):
        props["GroupName"] = t.name(purpose.lower() + "-sg")
    separate = t.chance(0.2) and room >= 2 + len(rules)
    if rules and not separate:
        props["SecurityGroupIngress"] = rules
    if t.chance(0.4):
        props["SecurityGroupEgress"] = t.pick([
            [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "All outbound"}],
            [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0", "Description": "HTTPS out"}],
        ])
    if t.chance(0.7):
        props["Tags"] = t.tags(name=t.name(purpose.lower()))
    extra = {}
    meta = t.metadata_skip("AWS::EC2::SecurityGroup")
    if meta:
        extra["Metadata"] = meta
    sg = t.add(f"{purpose}SecurityGroup", "AWS::EC2::SecurityGroup", props, comment=f"{purpose} security group", **extra)
    if separate:
        for i, rule in enumerate(rules):
            p = {"GroupId": GetAtt(sg, "GroupId") if t.chance(0.6) else Ref(sg), **rule}
            t.add(f"{purpose}Ingress{i + 1}", "AWS::EC2::SecurityGroupIngress", p)
    if room >= 3 and t.chance(0.15):
        # Members of the group may talk to each other.
        t.add(f"{purpose}SelfIngress", "AWS::EC2::SecurityGroupIngress", {
            "GroupId": GetAtt(sg, "GroupId"), "IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535,
            "SourceSecurityGroupId": GetAtt(sg, "GroupId"), "Description": "Within the group",
        })
    return sg


def c_vpc(t: Template, room: int) -> str:
    small = room < 14
    azs = 2 if small else t.pick([2, 3, 3, 3])
    public = not small or t.chance(0.5)
    nat = "none" if small or not public else t.pick(["single", "per-az", "per-az", "none"])
    if t.use_params and t.chance(0.5):
        cidr = t.param("VpcCidr", {
            "Type": "String", "Default": f"10.{t.rng.randint(0, 250)}.0.0/16", "Description": "CIDR block of the VPC",
            "AllowedPattern": r"^(\d{1,3}\.){3}\d{1,3}/(1[6-9]|2[0-4])$",
        })
    elif t.use_params and t.chance(0.5):
        base = t.rng.randint(0, 60) * 4
        cidr = t.env_map("VpcCidr", {e: f"10.{base + i}.0.0/16" for i, e in enumerate(ENVIRONMENTS)})
    else:
        cidr = f"10.{t.rng.randint(0, 250)}.0.0/16"
    vpc = t.add("VPC", "AWS::EC2::VPC", {
        "CidrBlock": cidr, "EnableDnsSupport": True, "EnableDnsHostnames": True,
        "Tags": t.tags(name=t.name("vpc"), classification="internal"),
    }, comment="Network")
    t.shared["vpc"] = vpc
    tiers = 3 if (room > 40 and t.chance(0.5)) else 2
    blocks = Cidr(GetAtt(vpc, "CidrBlock"), azs * tiers, 8 if t.chance(0.7) else 12)
    n = 0

    def subnet(label: str, i: int, map_public: bool) -> str:
        nonlocal n
        props = {
            "VpcId": Ref(vpc),
            "CidrBlock": Select(n, blocks),
            "AvailabilityZone": Select(i, GetAZs(t.pick(["", Ref("AWS::Region")]))),
        }
        n += 1
        if map_public:
            props["MapPublicIpOnLaunch"] = True
        props["Tags"] = [{"Key": "Name", "Value": t.name(f"{label.lower()}-{chr(97 + i)}")},
                         {"Key": "Tier", "Value": label.lower()}]
        return t.add(f"{label}Subnet{chr(65 + i)}", "AWS::EC2::Subnet", props)

    publics: list[str] = []
    attach = None
    if public:
        igw = t.add("InternetGateway", "AWS::EC2::InternetGateway", {"Tags": [{"Key": "Name", "Value": t.name("igw")}]})
        attach = t.add("VPCGatewayAttachment", "AWS::EC2::VPCGatewayAttachment", {"VpcId": Ref(vpc), "InternetGatewayId": Ref(igw)})
        prt = t.add("PublicRouteTable", "AWS::EC2::RouteTable", {"VpcId": Ref(vpc), "Tags": [{"Key": "Name", "Value": t.name("public")}]})
        t.add("PublicDefaultRoute", "AWS::EC2::Route", {"RouteTableId": Ref(prt), "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": Ref(igw)}, DependsOn=attach)
        for i in range(azs):
            s = subnet("Public", i, t.good(0.5))
            publics.append(s)
            t.add(f"PublicSubnet{chr(65 + i)}RouteTableAssociation", "AWS::EC2::SubnetRouteTableAssociation", {"SubnetId": Ref(s), "RouteTableId": Ref(prt)})
        t.shared["public_subnets"] = publics
    nats: list[str] = []
    if nat != "none":
        for i in range(1 if nat == "single" else azs):
            eip = t.add(f"NatEip{chr(65 + i)}", "AWS::EC2::EIP", {"Domain": "vpc"}, DependsOn=attach)
            nats.append(t.add(f"NatGateway{chr(65 + i)}", "AWS::EC2::NatGateway", {
                "AllocationId": GetAtt(eip, "AllocationId"), "SubnetId": Ref(publics[i]),
                "Tags": [{"Key": "Name", "Value": t.name(f"nat-{chr(97 + i)}")}],
            }))
    privates: list[str] = []
    private_rts: list[str] = []
    shared_rt = None
    for i in range(azs):
        s = subnet("Private", i, False)
        privates.append(s)
        if nat == "per-az" or shared_rt is None:
            rt = t.add(f"PrivateRouteTable{chr(65 + i)}", "AWS::EC2::RouteTable", {"VpcId": Ref(vpc), "Tags": [{"Key": "Name", "Value": t.name(f"private-{chr(97 + i)}")}]})
            private_rts.append(rt)
            if nats:
                t.add(f"PrivateDefaultRoute{chr(65 + i)}", "AWS::EC2::Route", {"RouteTableId": Ref(rt), "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": Ref(nats[min(i, len(nats) - 1)])})
            if nat != "per-az":
                shared_rt = rt
        else:
            rt = shared_rt
        t.add(f"PrivateSubnet{chr(65 + i)}RouteTableAssociation", "AWS::EC2::SubnetRouteTableAssociation", {"SubnetId": Ref(s), "RouteTableId": Ref(rt)})
    t.shared["private_subnets"] = privates
    if tiers == 3:
        drt = t.add("DataRouteTable", "AWS::EC2::RouteTable", {"VpcId": Ref(vpc)})
        private_rts.append(drt)
        for i in range(azs):
            s = subnet("Data", i, False)
            t.add(f"DataSubnet{chr(65 + i)}RouteTableAssociation", "AWS::EC2::SubnetRouteTableAssociation", {"SubnetId": Ref(s), "RouteTableId": Ref(drt)})
    left = room - len(t.resources)
    if left >= 1 and t.good(0.75):
        ep: dict = {"ServiceName": Sub("com.amazonaws.${AWS::Region}.s3"), "VpcId": Ref(vpc), "VpcEndpointType": "Gateway", "RouteTableIds": [Ref(r) for r in private_rts]}
        if t.chance(0.3):
            ep["PolicyDocument"] = policy(stmt("Allow", "s3:*", "*", "*", {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}))
        t.add("S3GatewayEndpoint", "AWS::EC2::VPCEndpoint", ep)
    if left >= 2 and t.chance(0.3):
        t.add("DynamoDbGatewayEndpoint", "AWS::EC2::VPCEndpoint", {"ServiceName": Sub("com.amazonaws.${AWS::Region}.dynamodb"), "VpcId": Ref(vpc), "RouteTableIds": [Ref(r) for r in private_rts]})
    left = room - len(t.resources)
    if left >= 4 and t.chance(0.5):
        c_interface_endpoints(t, left)
    left = room - len(t.resources)
    if left >= 5 and t.chance(0.5):
        c_nacl(t, left, publics or privates)
    left = room - len(t.resources)
    if left >= 1 and t.good(0.7):
        c_flow_log(t, left, vpc)
    prefix = "${AWS::StackName}-" if not t.cdk else f"{t.stack}-"
    t.outputs["VpcId"] = {"Description": "VPC", "Value": Ref(vpc), "Export": {"Name": Sub(prefix + "VpcId") if not t.cdk else prefix + "VpcId"}}
    t.outputs["PrivateSubnetIds"] = {"Value": Join(",", [Ref(s) for s in privates]), "Export": {"Name": Sub(prefix + "PrivateSubnetIds") if not t.cdk else prefix + "PrivateSubnetIds"}}
    return vpc


def c_interface_endpoints(t: Template, room: int) -> None:
    used = t.shared.setdefault("endpoint_services", set())
    free = [s for s in ["ssm", "ssmmessages", "ec2messages", "kms", "logs", "secretsmanager", "sts", "ecr.api", "ecr.dkr", "sqs"] if s not in used]
    if not free:
        c_sg(t, room)
        return
    sg = c_sg(t, 1, purpose="Endpoint")
    for svc in t.rng.sample(free, k=min(len(free), room - 1, t.rng.randint(2, 8))):
        used.add(svc)
        t.add(f"{pascal(svc)}Endpoint", "AWS::EC2::VPCEndpoint", {
            "ServiceName": Sub("com.amazonaws.${AWS::Region}.%s" % svc), "VpcId": t.vpc_id(), "VpcEndpointType": "Interface",
            "PrivateDnsEnabled": True, "SubnetIds": t.subnets(), "SecurityGroupIds": [GetAtt(sg, "GroupId")],
        })


def c_nacl(t: Template, room: int, subnets: list[str] | None = None) -> str:
    nacl = t.add("PublicNetworkAcl", "AWS::EC2::NetworkAcl", {"VpcId": t.vpc_id(), "Tags": [{"Key": "Name", "Value": t.name("public-nacl")}]})
    entries = [
        (100, 6, "allow", False, "0.0.0.0/0", (443, 443)),
        (110, 6, "allow", False, "0.0.0.0/0", (1024, 65535)),
        (100, -1, "allow", True, "0.0.0.0/0", None),
    ]
    if t.good():
        entries.insert(0, (90, 6, "deny", False, "0.0.0.0/0", (22, 22)))
        if t.chance(0.5):
            entries.insert(1, (91, 6, "deny", False, "0.0.0.0/0", (3389, 3389)))
    else:
        entries.append((120, 6, "allow", False, "0.0.0.0/0", t.pick([(22, 22), (3389, 3389), (0, 65535)])))
    for num, proto, action, egress, cidr, ports in entries:
        p: dict = {"NetworkAclId": Ref(nacl), "RuleNumber": num, "Protocol": proto, "RuleAction": action, "Egress": egress, "CidrBlock": cidr}
        if ports:
            p["PortRange"] = {"From": ports[0], "To": ports[1]}
        t.add(f"{'Outbound' if egress else 'Inbound'}Rule{num}", "AWS::EC2::NetworkAclEntry", p)
    for s in (subnets or [])[: max(0, room - len(entries) - 1)]:
        t.add(f"{t.base_of(s)}NetworkAclAssociation", "AWS::EC2::SubnetNetworkAclAssociation", {"SubnetId": Ref(s), "NetworkAclId": Ref(nacl)})
    return nacl


def c_flow_log(t: Template, room: int, vpc: str) -> None:
    if room >= 3 and t.chance(0.6):
        lg = c_loggroup(t, 1, name=Sub("/vpc/${AWS::StackName}/flow-logs") if not t.cdk else f"/vpc/{t.stack}/flow-logs")
        role = t.add("FlowLogRole", "AWS::IAM::Role", {
            "AssumeRolePolicyDocument": policy(stmt("Allow", "sts:AssumeRole", principal={"Service": "vpc-flow-logs.amazonaws.com"})),
            "Policies": [{"PolicyName": "flow-logs", "PolicyDocument": policy(stmt(
                "Allow", ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], GetAtt(lg, "Arn")))}],
        })
        t.add("VpcFlowLog", "AWS::EC2::FlowLog", {
            "ResourceId": Ref(vpc), "ResourceType": "VPC", "TrafficType": t.pick(["ALL", "ALL", "REJECT"]),
            "LogDestinationType": "cloud-watch-logs", "LogGroupName": Ref(lg), "DeliverLogsPermissionArn": GetAtt(role, "Arn"),
        })
    else:
        dest = GetAtt(t.log_bucket(), "Arn") if room >= 3 else Sub(PARTITION_ARN + ":s3:::%s-flow-logs-${AWS::AccountId}" % t.project)
        t.add("VpcFlowLog", "AWS::EC2::FlowLog", {
            "ResourceId": Ref(vpc), "ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "s3", "LogDestination": dest,
            "MaxAggregationInterval": 600,
        })


def c_loggroup(t: Template, room: int, name=None, kms: bool = True) -> str:
    props: dict = {}
    if name is not None:
        props["LogGroupName"] = name
    elif t.chance(0.7):
        leaf = t.unique("log-group/" + t.pick(["app", "audit", "access", "jobs"])).split("/", 1)[1]
        props["LogGroupName"] = Sub("/%s/${%s}/%s" % (t.project, t.env_param, leaf)) if t.use_params else f"/{t.project}/{t.env_literal}/{leaf}"
        if t.use_params:
            t.env()
    if t.good(0.8):
        r = t.rng.random()
        if r < 0.3 and t.use_params:
            props["RetentionInDays"] = t.if_prod(365, 30)
        elif r < 0.5 and t.use_params:
            props["RetentionInDays"] = t.env_map("LogRetentionDays", {"dev": 7, "test": 14, "staging": 30, "prod": 400})
        else:
            props["RetentionInDays"] = t.pick([7, 14, 30, 90, 180, 365, 731, 3653])
    if kms and t.good(0.5):
        keys = t.of_type("AWS::KMS::Key")
        if keys:
            props["KmsKeyId"] = GetAtt(t.pick(keys), "Arn")
    if t.chance(0.4):
        props["Tags"] = t.tags(classification=t.pick(["internal", "confidential"]))
    extra = {}
    if t.chance(0.3):
        extra = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    return t.add("LogGroup", "AWS::Logs::LogGroup", props, **extra)


def c_trail(t: Template, room: int) -> str:
    key = c_kms(t, room, purpose="Trail", services=["cloudtrail"]) if t.good(0.8) and room >= 6 else None
    bprops: dict = {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": (
            {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": GetAtt(key, "Arn")} if key else {"SSEAlgorithm": "AES256"})}]},
        "PublicAccessBlockConfiguration": pab_all(),
        "VersioningConfiguration": {"Status": "Enabled"},
        "Tags": t.tags(classification="confidential"),
    }
    if t.chance(0.5):
        bprops = {"BucketName": t.name("cloudtrail", account=True), **bprops}
    bucket = t.add("TrailBucket", "AWS::S3::Bucket", bprops, comment="Audit trail", DeletionPolicy="Retain", UpdateReplacePolicy="Retain")
    trail_name = t.name("trail")
    trail_arn = Sub(PARTITION_ARN + ":cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/" + (trail_name.arg if isinstance(trail_name, Fn) else trail_name))
    statements = [
        stmt("Allow", "s3:GetBucketAcl", GetAtt(bucket, "Arn"), {"Service": "cloudtrail.amazonaws.com"},
             {"StringEquals": {"aws:SourceArn": trail_arn}}, sid="AWSCloudTrailAclCheck"),
        stmt("Allow", "s3:PutObject", Sub("${%s.Arn}/AWSLogs/${AWS::AccountId}/*" % bucket), {"Service": "cloudtrail.amazonaws.com"},
             {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}}, sid="AWSCloudTrailWrite"),
    ]
    if t.good():
        statements.append(deny_insecure(t, bucket))
    bp = t.add("TrailBucketPolicy", "AWS::S3::BucketPolicy", {"Bucket": Ref(bucket), "PolicyDocument": policy(*statements)})
    props: dict = {"TrailName": trail_name, "S3BucketName": Ref(bucket), "IsLogging": True}
    if t.chance(0.3):
        props["S3KeyPrefix"] = "cloudtrail"
    props["IsMultiRegionTrail"] = t.good()
    props["IncludeGlobalServiceEvents"] = True
    if t.good():
        props["EnableLogFileValidation"] = True
    elif t.chance(0.5):
        props["EnableLogFileValidation"] = False
    if key:
        props["KMSKeyId"] = Ref(key) if t.chance(0.5) else GetAtt(key, "Arn")
    if room - len(t.resources) >= 3 and t.chance(0.6):
        lg = c_loggroup(t, 1, name=Sub("/aws/cloudtrail/${AWS::StackName}") if not t.cdk else f"/aws/cloudtrail/{t.stack}")
        role = t.add("TrailLogsRole", "AWS::IAM::Role", {
            "AssumeRolePolicyDocument": policy(stmt("Allow", "sts:AssumeRole", principal={"Service": "cloudtrail.amazonaws.com"})),
            "Policies": [{"PolicyName": "cloudwatch-logs", "PolicyDocument": policy(stmt(
                "Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], GetAtt(lg, "Arn")))}],
        })
        props["CloudWatchLogsLogGroupArn"] = GetAtt(lg, "Arn")
        props["CloudWatchLogsRoleArn"] = GetAtt(role, "Arn")
    if t.chance(0.3):
        props["EventSelectors"] = [{
            "ReadWriteType": "All", "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": [Sub(PARTITION_ARN + ":s3")]}],
        }]
    if t.chance(0.1):
        props["IsOrganizationTrail"] = True
    props["Tags"] = t.tags(classification="confidential")
    return t.add("Trail", "AWS::CloudTrail::Trail", props, DependsOn=[bp] if t.chance(0.5) else bp)


def c_cert(t: Template, room: int) -> str:
    domain = Sub("%s.${%s}.example.com" % (t.project, t.env_param)) if t.use_params else f"{t.project}.{t.env_literal}.example.com"
    if t.use_params:
        t.env()
    props: dict = {"DomainName": domain, "ValidationMethod": "DNS"}
    if t.chance(0.5):
        props["SubjectAlternativeNames"] = [Sub("*.%s.${%s}.example.com" % (t.project, t.env_param)) if t.use_params else f"*.{t.project}.{t.env_literal}.example.com"]
    if t.chance(0.6):
        zone = t.param("HostedZoneId", {"Type": "AWS::Route53::HostedZone::Id", "Description": "Zone to validate in"}) if t.use_params else "Z0123456789ABCDEFGHIJ"
        props["DomainValidationOptions"] = [{"DomainName": domain, "HostedZoneId": zone}]
    if t.chance(0.25):
        props["KeyAlgorithm"] = t.pick(["RSA_2048", "EC_prime256v1", "RSA_1024" if not t.good() else "EC_secp384r1"])
    if t.chance(0.1):
        props["CertificateTransparencyLoggingPreference"] = "ENABLED"
    props["Tags"] = t.tags()
    return t.add("Certificate", "AWS::CertificateManager::Certificate", props)


def c_alb(t: Template, room: int) -> str:
    sg = c_sg(t, 1, purpose="Alb")
    internal = t.chance(0.3)
    attrs = []
    if t.good():
        attrs.append({"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"})
    if t.chance(0.5):
        attrs.append({"Key": "deletion_protection.enabled", "Value": t.if_prod("true", "false")})
    if t.chance(0.4) and (room >= 10 or "log_bucket" in t.shared):
        attrs += [{"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": Ref(t.log_bucket())}]
    if t.chance(0.3):
        attrs.append({"Key": "idle_timeout.timeout_seconds", "Value": "60"})
    props: dict = {
        "Type": "application", "Scheme": "internal" if internal else "internet-facing",
        "Subnets": t.subnets(public=not internal), "SecurityGroups": [Ref(sg) if t.chance(0.5) else GetAtt(sg, "GroupId")],
    }
    if t.chance(0.3):
        props["Name"] = t.name("alb")
    if attrs:
        props["LoadBalancerAttributes"] = attrs
    props["Tags"] = t.tags()
    lb = t.add("LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", props, comment="Public entry point")
    tg = t.add("TargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup", {
        "Port": 8080, "Protocol": "HTTP", "TargetType": "ip", "VpcId": t.vpc_id(),
        "HealthCheckPath": t.pick(["/health", "/healthz", "/ping"]), "HealthCheckProtocol": "HTTP",
        "Matcher": {"HttpCode": "200"},
        "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
        "Tags": t.tags(),
    })
    if t.chance(0.7) and not internal:
        if t.use_params and t.chance(0.4):
            cert = t.param("CertificateArn", {"Type": "String", "Description": "ACM certificate for the listener",
                                              "Default": f"arn:aws:acm:us-east-1:{t.account}:certificate/{t.rng.getrandbits(128):032x}"})
        else:
            cert = Ref(c_cert(t, 1))
        policy_name = t.pick(["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10"]) if t.good() \
            else t.pick(["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-0-2015-04", "ELBSecurityPolicy-TLS-1-1-2017-01"])
        https = {"LoadBalancerArn": Ref(lb), "Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": cert}],
                 "DefaultActions": [{"Type": "forward", "TargetGroupArn": Ref(tg)}]}
        if t.chance(0.85):
            https["SslPolicy"] = policy_name
        listener = t.add("HttpsListener", "AWS::ElasticLoadBalancingV2::Listener", https)
        if t.chance(0.75):
            action = ({"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
                      if t.good() else {"Type": "forward", "TargetGroupArn": Ref(tg)})
            t.add("HttpListener", "AWS::ElasticLoadBalancingV2::Listener", {"LoadBalancerArn": Ref(lb), "Port": 80, "Protocol": "HTTP", "DefaultActions": [action]})
    else:
        listener = t.add("HttpListener", "AWS::ElasticLoadBalancingV2::Listener", {
            "LoadBalancerArn": Ref(lb), "Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": Ref(tg)}]})
    if room - len(t.resources) >= 1 and t.chance(0.3):
        t.add("ApiListenerRule", "AWS::ElasticLoadBalancingV2::ListenerRule", {
            "ListenerArn": Ref(listener), "Priority": 10,
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
            "Actions": [{"Type": "forward", "TargetGroupArn": Ref(tg)}],
        })
    t.outputs.setdefault("LoadBalancerDns", {"Value": GetAtt(lb, "DNSName")})
    return lb


PY_CODE = '''import json
import os


def handler(event, context):
    print(json.dumps(event))
    return {"statusCode": 200, "body": os.environ.get("STAGE", "unknown")}
'''
NODE_CODE = '''exports.handler = async (event) => {
  console.log(JSON.stringify(event));
  return { statusCode: 200, body: process.env.STAGE || "unknown" };
};
'''
CFN_RESPONSE_CODE = '''import cfnresponse
import logging

logger = logging.getLogger()


def handler(event, context):
    logger.info("request: %s", event["RequestType"])
    try:
        data = {"Value": event["ResourceProperties"].get("Name", "")}
        cfnresponse.send(event, context, cfnresponse.SUCCESS, data)
    except Exception:
        logger.exception("failed")
        cfnresponse.send(event, context, cfnresponse.FAILED, {})
'''


def runtime(t: Template) -> str:
    if not t.good(0.95):
        return t.pick(["python3.8", "nodejs16.x", "python3.9"])
    return t.pick(["python3.12", "python3.12", "python3.13", "python3.11", "nodejs22.x", "nodejs22.x", "nodejs20.x", "java21", "provided.al2023"])


def c_lambda(t: Template, room: int, code: str | None = None, base: str | None = None) -> str:
    base = base or t.pick(["Processor", "Handler", "Api", "Worker", "Notifier", "Resolver", "Ingest", "Cleanup", "Exporter"])
    roles = t.of_type("AWS::IAM::Role")
    lambda_roles = [r for r in roles if "lambda.amazonaws.com" in json.dumps(to_long(t.resources[r]["Properties"]["AssumeRolePolicyDocument"]))]
    role = t.pick(lambda_roles) if lambda_roles and t.chance(0.5) else c_role(t, 1, kind="lambda", base=f"{base}Function")
    rt = runtime(t) if code is None else "python3.12"
    props: dict = {}
    if t.chance(0.4):
        props["FunctionName"] = t.name(base.lower())
    if t.chance(0.4):
        props["Description"] = f"{base} for {t.project}"
    props["Runtime"] = rt
    inline = code is not None or (rt.startswith(("python", "nodejs")) and t.chance(0.5))
    if inline:
        props["Handler"] = "index.handler"
        props["Code"] = {"ZipFile": code or (PY_CODE if rt.startswith("python") else NODE_CODE)}
    else:
        props["Handler"] = {"java21": "com.example.Handler::handleRequest", "provided.al2023": "bootstrap"}.get(rt, "app.handler")
        bucket = Sub("%s-artifacts-${AWS::AccountId}-${AWS::Region}" % t.project) if t.chance(0.6) else f"{t.project}-artifacts-{t.account}"
        props["Code"] = {"S3Bucket": bucket, "S3Key": f"{base.lower()}/{t.rng.getrandbits(40):010x}.zip"}
    props["Role"] = GetAtt(role, "Arn")
    props["MemorySize"] = t.pick([128, 256, 512, 1024, 2048])
    props["Timeout"] = t.pick([3, 10, 30, 60, 300, 900])
    env: dict = {}
    for rtype, var in (("AWS::DynamoDB::Table", "TABLE_NAME"), ("AWS::SQS::Queue", "QUEUE_URL"), ("AWS::S3::Bucket", "BUCKET_NAME"), ("AWS::SNS::Topic", "TOPIC_ARN")):
        found = t.of_type(rtype)
        if found and t.chance(0.6):
            env[var] = Ref(t.pick(found))
    env["STAGE"] = t.env()
    if t.chance(0.5):
        env["LOG_LEVEL"] = t.pick(["INFO", "DEBUG", "WARN"])
    if not t.good(0.95):
        env["API_TOKEN"] = "sk_live_" + f"{t.rng.getrandbits(96):024x}"
    props["Environment"] = {"Variables": env}
    if t.good(0.5):
        props["TracingConfig"] = {"Mode": "Active"}
    if t.chance(0.3):
        props["Architectures"] = ["arm64"]
    if t.chance(0.2):
        key = t.key_arn("Function", 0)
        if key is not None:
            props["KmsKeyArn"] = key
    if ("vpc" in t.shared or t.archetype in ("web", "database")) and t.chance(0.4):
        sgs = [s for s in t.of_type("AWS::EC2::SecurityGroup")]
        sg = t.pick(sgs) if sgs else c_sg(t, 1, purpose="Lambda")
        props["VpcConfig"] = {"SubnetIds": t.subnets(), "SecurityGroupIds": [GetAtt(sg, "GroupId")]}
    if t.chance(0.2):
        props["ReservedConcurrentExecutions"] = t.pick([5, 10, 50, 100])
    queues = t.of_type("AWS::SQS::Queue")
    if queues and t.chance(0.2):
        props["DeadLetterConfig"] = {"TargetArn": GetAtt(t.pick(queues), "Arn")}
    if t.chance(0.6):
        props["Tags"] = t.tags()
    fn = t.add(f"{base}Function", "AWS::Lambda::Function", props, comment=f"{base} function")
    left = room - len(t.resources)
    if left >= 1 and t.chance(0.6):
        c_loggroup(t, 1, name=Sub("/aws/lambda/${%s}" % fn))
    left = room - len(t.resources)
    r = t.rng.random()
    if left >= 1 and queues and r < 0.3:
        q = t.pick(queues)
        qprops = t.resources[q]["Properties"]
        # A queue's visibility timeout must cover the function's timeout.
        qprops["VisibilityTimeout"] = max(qprops.get("VisibilityTimeout", 30), props["Timeout"])
        t.add(f"{base}EventSourceMapping", "AWS::Lambda::EventSourceMapping", {
            "EventSourceArn": GetAtt(q, "Arn"), "FunctionName": Ref(fn), "BatchSize": t.pick([1, 5, 10]), "Enabled": True})
    elif left >= 2 and r < 0.6:
        rule = t.add(f"{base}Schedule", "AWS::Events::Rule", {
            "ScheduleExpression": t.pick(["rate(5 minutes)", "rate(1 hour)", "cron(0 3 * * ? *)"]), "State": "ENABLED",
            "Targets": [{"Arn": GetAtt(fn, "Arn"), "Id": "target"}]})
        t.add(f"{base}SchedulePermission", "AWS::Lambda::Permission", {
            "Action": "lambda:InvokeFunction", "FunctionName": Ref(fn), "Principal": "events.amazonaws.com", "SourceArn": GetAtt(rule, "Arn")})
    return fn


def c_custom(t: Template, room: int) -> str:
    r = t.rng.random()
    if room >= 4 and r < 0.5:
        fn = c_lambda(t, 2, code=CFN_RESPONSE_CODE, base=t.pick(["CustomResourceProvider", "LookupProvider", "SeedProvider"]))
        token = GetAtt(fn, "Arn")
    elif r < 0.7 and not t.cdk:
        token = ImportValue(t.pick(["org-custom-resources-ServiceToken", "platform-CustomResourceFunctionArn"]))
    else:
        token = Sub(PARTITION_ARN + ":lambda:${AWS::Region}:${AWS::AccountId}:function:" + t.pick(["org-custom-resources", "cfn-ami-lookup", "dns-helper"]))
    last = ""
    for _ in range(t.pick([1, 1, 1, 2, 3])):
        kind, props = t.pick([
            ("Custom::AmiLookup", {"Architecture": "x86_64", "OsName": "al2023"}),
            ("Custom::EmptyBucketOnDelete", {"BucketName": Ref(t.pick(t.of_type("AWS::S3::Bucket"))) if t.of_type("AWS::S3::Bucket") else f"{t.project}-scratch"}),
            ("Custom::OrgAccountLookup", {"AccountName": f"{t.project}-{t.env_literal}"}),
            ("Custom::DnsRecord", {"Name": f"{t.project}.example.com", "Type": "CNAME", "Ttl": 300}),
            ("Custom::SecretSeed", {"SecretName": f"{t.project}/seed", "Length": 32}),
            ("Custom::VpcRestrictDefaultSG", {"Account": Ref("AWS::AccountId"), "DefaultSecurityGroupId": f"sg-0{t.rng.getrandbits(64):016x}"}),
            ("AWS::CloudFormation::CustomResource", {"Name": "bootstrap", "Version": "1"}),
        ])
        last = t.add(kind.split("::")[-1] if kind.startswith("Custom::") else "Bootstrap", kind, {"ServiceToken": token, **props})
    return last


def c_queue(t: Template, room: int) -> str:
    base = t.pick(["Orders", "Events", "Jobs", "Ingest", "Notifications", "Work", "Audit"])
    fifo = t.chance(0.1)
    dlq = None
    if room >= 2 and t.chance(0.6):
        dprops: dict = {"MessageRetentionPeriod": 1209600}
        if fifo:
            dprops["FifoQueue"] = True
        if t.good():
            dprops["SqsManagedSseEnabled"] = True
        dlq = t.add(f"{base}DeadLetterQueue", "AWS::SQS::Queue", dprops)
    props: dict = {}
    if t.chance(0.4) or fifo:
        base_name = t.unique(base.lower())
        if t.use_params:
            t.project_ref()
            t.env()
            props["QueueName"] = Sub("${ProjectName}-${%s}-%s%s" % (t.env_param, base_name, ".fifo" if fifo else ""))
        else:
            props["QueueName"] = f"{t.project}-{t.env_literal}-{base_name}{'.fifo' if fifo else ''}"
    if fifo:
        props["FifoQueue"] = True
        props["ContentBasedDeduplication"] = True
    props["VisibilityTimeout"] = t.pick([30, 60, 300, 900])
    if t.chance(0.5):
        props["MessageRetentionPeriod"] = t.pick([345600, 1209600])
    if t.chance(0.3):
        props["ReceiveMessageWaitTimeSeconds"] = 20
    if t.good():
        key = t.key_arn("Queue", 0) if t.chance(0.5) else None
        if key is not None:
            props["KmsMasterKeyId"] = key
            if t.chance(0.5):
                props["KmsDataKeyReusePeriodSeconds"] = 300
        elif t.chance(0.3):
            props["KmsMasterKeyId"] = "alias/aws/sqs"
        else:
            props["SqsManagedSseEnabled"] = True
    elif t.chance(0.5):
        props["SqsManagedSseEnabled"] = False
    if dlq:
        props["RedrivePolicy"] = {"deadLetterTargetArn": GetAtt(dlq, "Arn"), "maxReceiveCount": t.pick([3, 5, 10])}
    if t.chance(0.6):
        props["Tags"] = t.tags()
    q = t.add(f"{base}Queue", "AWS::SQS::Queue", props, comment=f"{base} queue")
    if room - len(t.resources) >= 1 and t.chance(0.4):
        topics = t.of_type("AWS::SNS::Topic")
        statements = []
        if topics:
            statements.append(stmt("Allow", "sqs:SendMessage", GetAtt(q, "Arn"), {"Service": "sns.amazonaws.com"},
                                   {"ArnEquals": {"aws:SourceArn": Ref(t.pick(topics))}}, sid="AllowTopic"))
        if t.good():
            statements.append(stmt("Deny", "sqs:*", GetAtt(q, "Arn"), "*", {"Bool": {"aws:SecureTransport": "false"}}, sid="DenyInsecureTransport"))
        else:
            statements.append(stmt("Allow", ["sqs:SendMessage", "sqs:ReceiveMessage"], GetAtt(q, "Arn"), "*", sid="AllowAll"))
        t.add(f"{base}QueuePolicy", "AWS::SQS::QueuePolicy", {"Queues": [Ref(q)], "PolicyDocument": policy(*statements)})
    return q


def c_topic(t: Template, room: int) -> str:
    base = t.pick(["Alerts", "Events", "OrderEvents", "Alarms", "Notifications", "Findings"])
    props: dict = {}
    if t.chance(0.5):
        props["TopicName"] = t.name(base.lower())
    if t.chance(0.3):
        props["DisplayName"] = f"{t.project} {base}"
    if t.good():
        key = t.key_arn("Topic", 0) if t.chance(0.5) else None
        props["KmsMasterKeyId"] = key if key is not None else "alias/aws/sns"
    if t.chance(0.3):
        props["Subscription"] = [{"Protocol": "email", "Endpoint": f"ops-{t.project}@example.com"}]
    if t.chance(0.6):
        props["Tags"] = t.tags()
    topic = t.add(f"{base}Topic", "AWS::SNS::Topic", props, comment=f"{base} topic")
    left = room - len(t.resources)
    queues = t.of_type("AWS::SQS::Queue")
    if left >= 1 and queues and t.chance(0.5):
        t.add(f"{base}Subscription", "AWS::SNS::Subscription", {
            "TopicArn": Ref(topic), "Protocol": "sqs", "Endpoint": GetAtt(t.pick(queues), "Arn"), "RawMessageDelivery": True})
    if room - len(t.resources) >= 1 and t.chance(0.4):
        statements = [stmt("Allow", "sns:Publish", Ref(topic), {"Service": t.pick(["events.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com"])},
                           sid="AllowServicePublish")]
        if not t.good():
            statements.append(stmt("Allow", ["sns:Publish", "sns:Subscribe"], Ref(topic), {"AWS": "*"}, sid="AllowEveryone"))
        else:
            statements.append(stmt("Deny", "sns:Publish", Ref(topic), "*", {"Bool": {"aws:SecureTransport": "false"}}, sid="DenyInsecureTransport"))
        t.add(f"{base}TopicPolicy", "AWS::SNS::TopicPolicy", {"Topics": [Ref(topic)], "PolicyDocument": policy(*statements)})
    return topic


def c_table(t: Template, room: int) -> str:
    base = t.pick(["Orders", "Sessions", "Customers", "Events", "Idempotency", "Accounts", "Jobs", "Items"])
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if t.chance(0.6):
        attrs.append({"AttributeName": "sk", "AttributeType": t.pick(["S", "N"])})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    provisioned = t.chance(0.2)
    props: dict = {}
    if t.chance(0.5):
        props["TableName"] = t.name(base.lower())
    props["AttributeDefinitions"] = attrs
    props["KeySchema"] = keys
    if provisioned:
        props["BillingMode"] = "PROVISIONED"
        props["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    else:
        props["BillingMode"] = "PAY_PER_REQUEST"
    if t.chance(0.3):
        attrs.append({"AttributeName": "gsi1pk", "AttributeType": "S"})
        gsi: dict = {"IndexName": "gsi1", "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
        if provisioned:
            gsi["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        props["GlobalSecondaryIndexes"] = [gsi]
    if t.good():
        key = t.key_arn("Table", room - 1) if t.chance(0.5) else None
        props["SSESpecification"] = {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": key} if key is not None else {"SSEEnabled": True}
    elif t.chance(0.5):
        props["SSESpecification"] = {"SSEEnabled": False}
    if t.good(0.7):
        props["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    if t.chance(0.3):
        props["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    if t.chance(0.3):
        props["TimeToLiveSpecification"] = {"AttributeName": "expiresAt", "Enabled": True}
    if t.chance(0.4):
        props["DeletionProtectionEnabled"] = t.if_prod(True, False)
    if t.chance(0.8):
        props["Tags"] = t.tags()
    return t.add(f"{base}Table", "AWS::DynamoDB::Table", props, comment=f"{base} table", DeletionPolicy="Retain", UpdateReplacePolicy="Retain")


def c_volume(t: Template, room: int) -> str:
    vtype = t.pick(["gp3", "gp3", "gp2", "io2", "st1"])
    props: dict = {"AvailabilityZone": Select(0, GetAZs("")), "Size": t.pick([8, 20, 50, 100, 500]) if vtype != "st1" else 500, "VolumeType": vtype}
    if vtype == "io2":
        props["Iops"] = 3000
    if t.good():
        props["Encrypted"] = True
        key = t.key_arn("Volume", room - 1) if t.chance(0.6) else None
        if key is not None:
            props["KmsKeyId"] = key
    elif t.chance(0.5):
        props["Encrypted"] = False
    props["Tags"] = t.tags(name=t.name("data-volume"))
    extra: dict = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"} if t.chance(0.5) else {}
    meta = t.metadata_skip("AWS::EC2::Volume")
    if meta:
        extra["Metadata"] = meta
    return t.add("DataVolume", "AWS::EC2::Volume", props, **extra)


def c_ssm(t: Template, room: int) -> str:
    refs = [r for r in t.resources if t.resources[r]["Type"] in ("AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::DynamoDB::Table", "AWS::SNS::Topic")]
    value = Ref(t.pick(refs)) if refs else t.pick(["enabled", "v1", "https://api.example.com"])
    leaf = t.unique("ssm/" + t.pick(["config", "endpoint", "feature-flag", "resource"])).split("/", 1)[1]
    name = Sub("/%s/${%s}/%s" % (t.project, t.env_param, leaf)) if t.use_params else f"/{t.project}/{t.env_literal}/{leaf}"
    if t.use_params:
        t.env()
    return t.add("ConfigParameter", "AWS::SSM::Parameter", {"Name": name, "Type": "String", "Value": value, "Description": "Read by the application at start"})


DB_ENGINES = {
    "postgres": ("17.5", "postgres17", 5432),
    "mysql": ("8.4.5", "mysql8.4", 3306),
    "aurora-postgresql": ("17.5", "aurora-postgresql17", 5432),
    "aurora-mysql": ("8.0.mysql_aurora.3.10.6", "aurora-mysql8.0", 3306),
}


def c_rds(t: Template, room: int) -> str:
    cluster = t.chance(0.4) and room >= 5
    engine = t.pick(["aurora-postgresql", "aurora-mysql"]) if cluster else t.pick(["postgres", "postgres", "mysql"])
    version, family, port = DB_ENGINES[engine]
    apps = [s for s in t.of_type("AWS::EC2::SecurityGroup") if "Database" not in s]
    sg = c_sg(t, 1, purpose="Database", source_sg=t.pick(apps) if apps else None)
    sng = t.add("DbSubnetGroup", "AWS::RDS::DBSubnetGroup", {"DBSubnetGroupDescription": f"{t.project} database subnets", "SubnetIds": t.subnets()})
    encrypted = t.good()
    key = t.key_arn("Database", room - len(t.resources)) if encrypted and t.chance(0.6) else None
    common: dict = {}
    if encrypted:
        common["StorageEncrypted"] = True
        if key is not None:
            common["KmsKeyId"] = key
    elif t.chance(0.6):
        common["StorageEncrypted"] = False
    pg = None
    if room - len(t.resources) >= 3 and t.chance(0.3):
        ptype = "AWS::RDS::DBClusterParameterGroup" if cluster else "AWS::RDS::DBParameterGroup"
        params = {"rds.force_ssl": "1"} if "postgres" in engine else {"require_secure_transport": "ON"}
        pg = t.add("DbParameterGroup", ptype, {"Description": f"{t.project} {engine}", "Family": family, "Parameters": params})
    creds: dict = {"MasterUsername": t.pick(["dbadmin", "master", "app_admin"])}
    if t.good(0.8):
        creds["ManageMasterUserPassword"] = True
    elif t.use_params:
        creds["MasterUserPassword"] = t.param("DbPassword", {"Type": "String", "NoEcho": True, "MinLength": 12, "Description": "Master password"})
    else:
        creds["MasterUserPassword"] = "{{resolve:secretsmanager:%s/db:SecretString:password}}" % t.project
    public = not t.good(0.9)
    if cluster:
        props = {
            "Engine": engine, "EngineVersion": version, "DatabaseName": t.project.replace("-", "_"), **creds, **common,
            "DBSubnetGroupName": Ref(sng), "VpcSecurityGroupIds": [GetAtt(sg, "GroupId")], "Port": port,
            "BackupRetentionPeriod": t.if_prod(14, 1), "DeletionProtection": t.if_prod(True, False),
            "CopyTagsToSnapshot": True,
        }
        if t.chance(0.5):
            props["EnableIAMDatabaseAuthentication"] = True
        if pg:
            props["DBClusterParameterGroupName"] = Ref(pg)
        if t.chance(0.3):
            props["EnableCloudwatchLogsExports"] = ["postgresql"] if "postgres" in engine else ["audit", "error"]
        props["Tags"] = t.tags(classification=t.pick(["confidential", "restricted", "internal"]))
        db = t.add("DbCluster", "AWS::RDS::DBCluster", props, comment="Database", DeletionPolicy="Snapshot", UpdateReplacePolicy="Snapshot")
        for i in range(min(t.pick([1, 2, 2, 3]), max(1, room - len(t.resources)))):
            ip: dict = {"Engine": engine, "DBClusterIdentifier": Ref(db), "DBInstanceClass": t.env_map("DbInstanceClass", {"dev": "db.t4g.medium", "test": "db.t4g.medium", "staging": "db.r6g.large", "prod": "db.r6g.xlarge"}) if t.use_params else "db.r6g.large"}
            if public or t.chance(0.3):
                ip["PubliclyAccessible"] = public
            if t.chance(0.3):
                ip["DBSubnetGroupName"] = Ref(sng)
            t.add(f"DbInstance{i + 1}", "AWS::RDS::DBInstance", ip)
    else:
        props = {
            "Engine": engine, "EngineVersion": version,
            "DBInstanceClass": t.if_prod("db.m6g.large", "db.t4g.micro") if t.chance(0.5) else t.pick(["db.t3.micro", "db.t4g.small", "db.m6g.large"]),
            "AllocatedStorage": t.pick(["20", "50", "100", 20, 100]), "StorageType": "gp3", **common, **creds,
            "DBSubnetGroupName": Ref(sng), "VPCSecurityGroups": [GetAtt(sg, "GroupId")],
            "MultiAZ": t.if_prod(True, False), "PubliclyAccessible": public,
            "BackupRetentionPeriod": t.pick([0, 7]) if not t.good() else t.if_prod(14, 7),
            "DeletionProtection": t.if_prod(True, False), "CopyTagsToSnapshot": True,
        }
        if t.chance(0.3):
            props["MaxAllocatedStorage"] = 500
        if t.chance(0.4):
            props["EnableIAMDatabaseAuthentication"] = True
        if t.chance(0.3):
            props["AutoMinorVersionUpgrade"] = True
        if pg:
            props["DBParameterGroupName"] = Ref(pg)
        if t.chance(0.3):
            props["DBInstanceIdentifier"] = t.name("db")
        props["Tags"] = t.tags(classification=t.pick(["confidential", "restricted", "internal"]))
        extra: dict = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}
        meta = t.metadata_skip("AWS::RDS::DBInstance")
        if meta:
            extra["Metadata"] = meta
        db = t.add("Database", "AWS::RDS::DBInstance", props, comment="Database", **extra)
    t.outputs.setdefault("DatabaseEndpoint", {"Value": GetAtt(db, "Endpoint.Address")})
    return db


def c_sam_function(t: Template, room: int) -> str:
    base = t.pick(["GetItems", "PutItem", "ProcessOrders", "Nightly", "Webhook", "Thumbnail", "StreamHandler", "Authorizer"])
    props: dict = {}
    r = t.rng.random()
    if r < 0.6:
        props["CodeUri"] = f"s3://{t.project}-sam-artifacts-{t.account}/{base.lower()}/{t.rng.getrandbits(64):016x}"
    elif r < 0.8:
        props["CodeUri"] = f"src/{re.sub(r'(?<!^)(?=[A-Z])', '_', base).lower()}/"
    else:
        props["InlineCode"] = PY_CODE
    props["Handler"] = "index.handler" if "InlineCode" in props else t.pick(["app.handler", "app.lambda_handler", "main.handler"])
    if "Runtime" not in t.globals.get("Function", {}) or "InlineCode" in props:
        props["Runtime"] = "python3.12" if "InlineCode" in props else runtime(t)
    if t.chance(0.4):
        props["Description"] = f"{base} for {t.project}"
    if t.chance(0.5):
        props["MemorySize"] = t.pick([128, 256, 512, 1024])
    if t.chance(0.4):
        props["Timeout"] = t.pick([5, 15, 30, 60])
    policies: list = []
    buckets, tables, queues, topics = (t.of_type(x) for x in ("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SNS::Topic"))
    if tables and t.chance(0.7):
        policies.append({t.pick(["DynamoDBCrudPolicy", "DynamoDBReadPolicy"]): {"TableName": Ref(t.pick(tables))}})
    if buckets and t.chance(0.5):
        policies.append({"S3ReadPolicy": {"BucketName": Ref(t.pick(buckets))}})
    if topics and t.chance(0.4):
        policies.append({"SNSPublishMessagePolicy": {"TopicName": GetAtt(t.pick(topics), "TopicName")}})
    if t.chance(0.3):
        policies.append("AWSXRayDaemonWriteAccess")
    if not t.good(0.93):
        policies.append(t.pick(["AdministratorAccess", {"Statement": [stmt("Allow", "*", "*")]}]))
    elif t.chance(0.3):
        policies.append({"Statement": permission_statements(t, t.rng.randint(1, 3))})
    if policies:
        props["Policies"] = policies
    env: dict = {}
    if tables:
        env["TABLE_NAME"] = Ref(t.pick(tables))
    if queues and t.chance(0.5):
        env["QUEUE_URL"] = Ref(t.pick(queues))
    if env:
        props["Environment"] = {"Variables": env}
    events: dict = {}
    r = t.rng.random()
    if r < 0.35:
        path = t.unique("api-path/" + base.lower()).split("/", 1)[1]  # one function per path
        events["Api"] = {"Type": "Api", "Properties": {"Path": f"/{path}", "Method": t.pick(["get", "post", "put"])}}
        t.shared["sam_api"] = True
    elif r < 0.55 and queues:
        q = t.pick(queues)
        qprops = t.resources[q]["Properties"]
        qprops["VisibilityTimeout"] = max(qprops.get("VisibilityTimeout", 30), props.get("Timeout", t.globals.get("Function", {}).get("Timeout", 3)))
        events["Queue"] = {"Type": "SQS", "Properties": {"Queue": GetAtt(q, "Arn"), "BatchSize": t.pick([1, 10])}}
    elif r < 0.7:
        events["Schedule"] = {"Type": "Schedule", "Properties": {"Schedule": t.pick(["rate(1 hour)", "cron(0 2 * * ? *)"]), "Enabled": True}}
    elif r < 0.8 and topics:
        events["Topic"] = {"Type": "SNS", "Properties": {"Topic": Ref(t.pick(topics))}}
    if events:
        props["Events"] = events
    if "Tracing" not in t.globals.get("Function", {}) and t.good(0.5):
        props["Tracing"] = "Active"
    if t.chance(0.2) and "CodeUri" in props:
        props["AutoPublishAlias"] = "live"
    if queues and t.chance(0.15):
        props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": GetAtt(t.pick(queues), "Arn")}
    if t.chance(0.6):
        props["Tags"] = t.tags(as_map=True)
    return t.add(f"{base}Function", "AWS::Serverless::Function", props, comment=f"{base} function")


COMPONENTS = {
    "bucket": (c_bucket, 1), "kms": (c_kms, 1), "role": (c_role, 1), "iam_policy": (c_iam_policy, 1),
    "managed_policy": (c_managed_policy, 1), "sg": (c_sg, 1), "vpc": (c_vpc, 6), "nacl": (c_nacl, 5),
    "endpoints": (c_interface_endpoints, 4), "trail": (c_trail, 3), "cert": (c_cert, 1), "alb": (c_alb, 5),
    "lambda": (c_lambda, 2), "custom": (c_custom, 1), "queue": (c_queue, 1), "topic": (c_topic, 1),
    "table": (c_table, 1), "loggroup": (c_loggroup, 1), "volume": (c_volume, 1), "ssm": (c_ssm, 1),
    "rds": (c_rds, 4), "sam_function": (c_sam_function, 1),
}

# archetype: (seed components, filler weights, output folder)
ARCHETYPES = {
    "storage": (["bucket"], {"bucket": 6, "kms": 2, "role": 1, "loggroup": 1, "ssm": 1}, "data"),
    "iam": (["role"], {"role": 8, "managed_policy": 3, "iam_policy": 2}, "identity"),
    "network": (["vpc"], {"sg": 5, "endpoints": 1, "nacl": 1, "loggroup": 1, "ssm": 1}, "network"),
    "security": (["trail"], {"kms": 3, "role": 2, "loggroup": 2, "topic": 1, "bucket": 1}, "security"),
    "database": (["rds"], {"kms": 1, "sg": 2, "ssm": 1, "loggroup": 1, "role": 1}, "data"),
    "web": (["alb"], {"lambda": 3, "sg": 2, "loggroup": 1, "bucket": 1, "table": 1}, "apps"),
    "serverless": (["table", "sam_function"], {"sam_function": 6, "table": 2, "queue": 2, "topic": 1, "bucket": 1}, "serverless"),
    "messaging": (["topic", "queue"], {"queue": 5, "topic": 3, "lambda": 2, "kms": 1}, "apps"),
    "data": (["table"], {"table": 4, "bucket": 3, "kms": 2, "role": 1, "lambda": 1}, "data"),
    "custom": (["custom"], {"custom": 3, "lambda": 2, "bucket": 1, "ssm": 1}, "platform"),
    "compute": (["volume"], {"volume": 4, "sg": 2, "role": 2, "lambda": 1, "kms": 1}, "apps"),
    "platform": (["vpc", "trail"], {"bucket": 3, "role": 3, "sg": 3, "kms": 2, "lambda": 2, "queue": 2, "topic": 1, "table": 2,
                                     "rds": 1, "alb": 1, "loggroup": 1, "volume": 1, "custom": 1, "managed_policy": 1}, "platform"),
}
ARCHETYPE_WEIGHTS = {"storage": 12, "iam": 12, "network": 11, "security": 8, "database": 8, "web": 8, "serverless": 10,
                     "messaging": 8, "data": 8, "custom": 4, "compute": 5, "platform": 6}
SINGLES = ["bucket", "queue", "topic", "table", "loggroup", "kms", "role", "sg", "volume", "ssm", "custom", "managed_policy"]


def target_size(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.03:
        return 1
    if r < 0.07:
        return rng.randint(2, 4)
    if r < 0.085:
        return rng.randint(60, 150)
    while True:
        n = int(round(math.exp(rng.gauss(math.log(14), 0.65))))
        if 5 <= n <= 120:
            return n


def weighted(rng: random.Random, weights: dict) -> str:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def fill(t: Template, target: int, seeds: list[str], pool: dict) -> None:
    for comp in seeds:
        fn, _ = COMPONENTS[comp]
        fn(t, target - len(t.resources))
    guard = 0
    while len(t.resources) < target and guard < 400:
        guard += 1
        room = target - len(t.resources)
        fits = {k: w for k, w in pool.items() if COMPONENTS[k][1] <= room}
        if t.sam and "sam_function" in pool:
            fits["sam_function"] = pool["sam_function"]
        comp = weighted(t.rng, fits or {"loggroup": 1, "queue": 1, "bucket": 1})
        COMPONENTS[comp][0](t, room)


def cdk_finish(t: Template) -> None:
    """What `cdk synth` adds to every stack."""
    data = base64.b64encode(zlib.compress(f"{t.stack}:{t.index}".encode() * 8)).decode()
    regions = ["af-south-1", "ap-east-1", "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
               "cn-north-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "me-south-1", "sa-east-1",
               "us-east-1", "us-east-2", "us-west-1", "us-west-2"]
    eqs = [Equals(Ref("AWS::Region"), r) for r in regions]
    t.conditions["CDKMetadataAvailable"] = Or(*[Or(*eqs[i : i + 10]) for i in range(0, len(eqs), 10)])
    t.resources["CDKMetadata"] = {
        "Type": "AWS::CDK::Metadata",
        "Properties": {"Analytics": "v2:deflate64:" + data},
        "Metadata": {"aws:cdk:path": f"{t.stack}/CDKMetadata/Default"},
        "Condition": "CDKMetadataAvailable",
    }
    t.params["BootstrapVersion"] = {
        "Type": "AWS::SSM::Parameter::Value<String>",
        "Default": "/cdk-bootstrap/hnb659fds/version",
        "Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]",
    }
    t.rules["CheckBootstrapVersion"] = {"Assertions": [{
        "Assert": Not(Fn("Contains", [["1", "2", "3", "4", "5"], Ref("BootstrapVersion")])),
        "AssertDescription": "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
    }]}


def for_each_block(t: Template) -> None:
    """A `Fn::ForEach` loop (AWS::LanguageExtensions) creating one queue per name."""
    names = t.rng.sample(["Orders", "Payments", "Refunds", "Invoices", "Returns", "Shipments"], k=t.rng.randint(2, 4))
    prefix = "${ProjectName}" if "ProjectName" in t.params else t.project
    t.resources["Fn::ForEach::Queues"] = [
        "QueueName",
        names,
        {"${QueueName}LoopQueue": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": Sub(prefix + "-loop-${QueueName}"), "SqsManagedSseEnabled": True, "VisibilityTimeout": 60,
        }}},
    ]


def add_outputs(t: Template) -> None:
    prefix_sub = not t.cdk
    candidates = [(lid, r) for lid, r in t.resources.items() if not lid.startswith("Fn::") and r.get("Type") != "AWS::CDK::Metadata"]
    t.rng.shuffle(candidates)
    want = t.rng.choice([0, 1, 2, 2, 3, 4, 6])
    for lid, r in candidates[:want]:
        rtype = r["Type"]
        value = {
            "AWS::S3::Bucket": GetAtt(lid, "Arn"), "AWS::KMS::Key": GetAtt(lid, "Arn"), "AWS::IAM::Role": GetAtt(lid, "Arn"),
            "AWS::SQS::Queue": GetAtt(lid, "Arn"), "AWS::Lambda::Function": GetAtt(lid, "Arn"), "AWS::DynamoDB::Table": GetAtt(lid, "Arn"),
            "AWS::EC2::SecurityGroup": GetAtt(lid, "GroupId"), "AWS::Serverless::Function": GetAtt(lid, "Arn"),
            "AWS::ElasticLoadBalancingV2::LoadBalancer": GetAtt(lid, "DNSName"), "AWS::Logs::LogGroup": GetAtt(lid, "Arn"),
        }.get(rtype, Ref(lid))
        out: dict = {"Description": f"{rtype.split('::')[-1]} {lid}", "Value": value}
        if "Condition" in r:
            out = {"Condition": r["Condition"], **out}
        if t.chance(0.5):
            out["Export"] = {"Name": Sub("${AWS::StackName}-%s" % lid) if prefix_sub else f"{t.stack}-{lid}"}
        t.outputs.setdefault(f"{lid}Output" if lid in t.outputs else lid, out)
    if t.shared.get("sam_api") and t.chance(0.8):
        t.outputs["ApiUrl"] = {"Description": "API Gateway endpoint", "Value": Sub("https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod/")}


def conditional_extras(t: Template) -> None:
    """Conditions on resources and combined conditions, where the stack has parameters."""
    if not t.use_params or not t.resources:
        return
    if t.chance(0.25):
        c = t.is_prod()
        cands = [k for k, r in t.resources.items() if r["Type"] in ("AWS::SNS::Topic", "AWS::Logs::LogGroup", "AWS::SSM::Parameter", "AWS::SQS::Queue")
                 and not referenced(t, k)]
        if cands:
            t.resources[t.pick(cands)]["Condition"] = c
    if t.chance(0.15):
        t.conditions["IsUsEast1"] = Equals(Ref("AWS::Region"), "us-east-1")
        t.is_prod()
        t.conditions["IsProdInUsEast1"] = And(Cond("IsProd"), Cond("IsUsEast1"))
        t.conditions["IsNonProd"] = Not(Cond("IsProd"))
        if t.chance(0.5):
            t.conditions["IsStagingOrProd"] = Or(Equals(t.env(), "staging"), Cond("IsProd"))
    if t.chance(0.04) and "KmsKeyArn" in t.params:
        t.is_prod()
        t.rules["ProdRequiresKmsKey"] = {
            "RuleCondition": Equals(t.env(), "prod"),
            "Assertions": [{"Assert": Not(Equals(Ref("KmsKeyArn"), "")), "AssertDescription": "Production stacks use a customer managed key"}],
        }
    if t.chance(0.08):
        groups = [{"Label": {"default": "Naming"}, "Parameters": [p for p in ("ProjectName", t.env_param) if p in t.params]}]
        others = [p for p in t.params if p not in ("ProjectName", t.env_param)]
        if others:
            groups.append({"Label": {"default": "Configuration"}, "Parameters": others})
        t.metadata["AWS::CloudFormation::Interface"] = {"ParameterGroups": [g for g in groups if g["Parameters"]]}


def referenced(t: Template, lid: str) -> bool:
    text = json.dumps(to_long({"r": t.resources, "o": t.outputs}))
    return f'"{lid}"' in text.replace(f'"{lid}": {{', "") or "${" + lid in text


def build(seed: int, i: int) -> tuple[str, str, dict]:
    """Template i: (relative path, text, its data with every intrinsic in long form)."""
    rng = random.Random(f"{seed}:{i}")
    size = target_size(rng)
    if size == 1:
        archetype = "single"
    elif size >= 60:
        archetype = rng.choice(["platform", "platform", "network", "serverless", "iam"])
    else:
        archetype = weighted(rng, ARCHETYPE_WEIGHTS)
    is_json = rng.random() < 0.3
    sam = archetype == "serverless"
    cdk = is_json and not sam and rng.random() < 0.5
    if sam and is_json and rng.random() < 0.6:
        is_json = False
    t = Template(rng, i, "json" if is_json else "yaml", cdk, sam, archetype)
    if sam:
        t.globals = {"Function": {}}
        g = t.globals["Function"]
        if rng.random() < 0.7:
            g["Runtime"] = runtime(t)
        if rng.random() < 0.6:
            g["Timeout"] = rng.choice([10, 30])
        if rng.random() < 0.4:
            g["MemorySize"] = rng.choice([256, 512])
        if rng.random() < 0.5:
            g["Tracing"] = "Active"
        if rng.random() < 0.3:
            g["Architectures"] = ["arm64"]
        if rng.random() < 0.4:
            g["Environment"] = {"Variables": {"LOG_LEVEL": "INFO", "POWERTOOLS_SERVICE_NAME": t.project}}
        if not g:
            t.globals = {}
    if archetype == "single":
        comp = rng.choice(SINGLES)
        COMPONENTS[comp][0](t, 1)
    else:
        seeds, pool, _ = ARCHETYPES[archetype]
        fill(t, size, seeds, pool)
    language_ext = not cdk and not sam and t.fmt == "yaml" and rng.random() < 0.012
    conditional_extras(t)
    add_outputs(t)
    if language_ext:
        for_each_block(t)
    if cdk:
        cdk_finish(t)
        # CDK writes Fn::Join where people write Fn::Sub.
        t.resources = sub_to_join(t.resources)
        t.outputs = sub_to_join(t.outputs)

    doc: dict = {}
    if not cdk or rng.random() < 0.3:
        doc["AWSTemplateFormatVersion"] = "2010-09-09"
    transforms = (["AWS::Serverless-2016-10-31"] if sam else []) + (["AWS::LanguageExtensions"] if language_ext else [])
    if transforms:
        doc["Transform"] = transforms[0] if len(transforms) == 1 else transforms
    if not cdk or rng.random() < 0.5:
        label = {"single": "single resource"}.get(archetype, archetype)
        doc["Description"] = f"{t.project} {label} stack ({len(t.resources)} resources)" + (" - managed by the platform team" if rng.random() < 0.3 else "")
    if t.metadata:
        doc["Metadata"] = t.metadata
    if t.params:
        doc["Parameters"] = t.params
    if t.mappings:
        doc["Mappings"] = t.mappings
    if t.conditions:
        doc["Conditions"] = t.conditions
    if t.rules:
        doc["Rules"] = t.rules
    if t.globals:
        doc["Globals"] = t.globals
    doc["Resources"] = t.resources
    if t.outputs:
        doc["Outputs"] = t.outputs
    if cdk and "Parameters" in doc:
        # cdk synth orders Outputs, Conditions, Parameters and Rules after Resources.
        doc = {k: doc[k] for k in ("AWSTemplateFormatVersion", "Description", "Resources", "Outputs", "Conditions", "Parameters", "Rules") if k in doc}

    folder = ARCHETYPES.get(archetype, (None, None, "misc"))[2]
    stem = f"{i:04d}-{t.project}-{archetype}"
    if is_json:
        indent = 1 if cdk else rng.choice([2, 2, 4, None] if rng.random() < 0.1 else [2, 4])
        expected = to_long(doc)
        text = json.dumps(expected, indent=indent) + "\n"
        ext = ".template.json" if cdk else ".json"
        return f"{folder}/{stem}{ext}", text, expected
    ext = ".yml" if rng.random() < 0.12 else ".yaml"
    return f"{folder}/{stem}{ext}", write_yaml(doc, t, rng), to_long(doc)


def write_yaml(doc: dict, t: Template, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.08:
        doc = to_long(doc)
    elif style < 0.2:
        doc = some_long(doc, rng, 0.3)
    w = YamlWriter(rng)
    lines: list[str] = []
    if rng.random() < 0.35:
        lines += [f"# {t.project}: {t.archetype} stack", f"# Owner: team-{t.project}@example.com", ""]
    blank_between = rng.random() < 0.5
    for section, value in doc.items():
        if section == "Resources" and isinstance(value, dict):
            lines.append("Resources:")
            for lid, res in value.items():
                if lid in t.comments and rng.random() < 0.25:
                    lines.append(" " * w.step + "# " + t.comments[lid])
                lines += w.write(res, w.step, " " * w.step + w.scalar(lid) + ":", "key")
                if blank_between and rng.random() < 0.6:
                    lines.append("")
            if lines[-1] == "":
                lines.pop()
        else:
            lines += w.write(value, 0, w.scalar(section) + ":", "key")
        if rng.random() < 0.6:
            lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# Verification (optional, needs PyYAML)


def verify(out: Path, seed: int, n: int) -> int:
    import yaml  # noqa: PLC0415  (only for --verify)

    class CfnLoader(yaml.SafeLoader):
        pass

    def construct(tag_name):
        long_name = tag_name if tag_name in ("Ref", "Condition") else "Fn::" + tag_name

        def f(loader, node):
            if isinstance(node, yaml.ScalarNode):
                v = loader.construct_scalar(node)
                if tag_name == "GetAtt":
                    v = v.split(".", 1)
            elif isinstance(node, yaml.SequenceNode):
                v = loader.construct_sequence(node, deep=True)
            else:
                v = loader.construct_mapping(node, deep=True)
            return {long_name: v}

        return f

    for tag_name in ("Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "FindInMap", "If", "Equals", "Not", "And",
                     "Or", "GetAZs", "Cidr", "ImportValue", "Base64", "Contains"):
        CfnLoader.add_constructor("!" + tag_name, construct(tag_name))

    bad = 0
    for i in range(n):
        rel, text, expected = build(seed, i)
        path = out / rel
        if path.read_text() != text:
            print(f"{rel}: differs from a fresh build (not deterministic?)", file=sys.stderr)
            bad += 1
            continue
        loaded = json.loads(text) if rel.endswith(".json") else yaml.load(text, Loader=CfnLoader)
        if loaded != expected:
            print(f"{rel}: parses to something else than was meant", file=sys.stderr)
            bad += 1
            continue
        _check_types(rel, loaded)
    return bad


def _check_types(rel: str, node, path: str = "") -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if not isinstance(k, str):
                raise SystemExit(f"{rel}: non-string key {k!r} at {path}")
            _check_types(rel, v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _check_types(rel, v, f"{path}/{i}")
    elif not isinstance(node, (str, int, float, bool)) or node is None:
        raise SystemExit(f"{rel}: unexpected value {node!r} at {path}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output directory (created; must be empty)")
    ap.add_argument("-n", "--count", type=int, default=DEFAULT_COUNT, help=f"number of templates (default {DEFAULT_COUNT})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    ap.add_argument("--verify", action="store_true", help="parse every template back (needs PyYAML)")
    ap.add_argument("--summary", action="store_true", help="print the mix: formats, archetypes, sizes")
    args = ap.parse_args()
    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        print(f"{out} is not empty", file=sys.stderr)
        return 2
    sizes, kinds, fmts, types = [], Counter(), Counter(), Counter()
    total = 0
    for i in range(args.count):
        rel, text, _ = build(args.seed, i)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        total += len(text)
        if args.summary:
            data = json.loads(text) if rel.endswith(".json") else None
            kinds[rel.split("-", 2)[2].split(".")[0]] += 1
            fmts["cdk-json" if rel.endswith(".template.json") else rel.rsplit(".", 1)[1]] += 1
            if data is not None:
                res = data["Resources"]
            else:
                res = None
            sizes.append(_count_resources(text, rel, res))
            # Approximate: any `Type` naming AWS::Service::Resource or Custom::Name.
            for m in re.finditer(r"\"?Type\"?: \"?(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+|Custom::\w+)(?![:\w])", text):
                types[m.group(1)] += 1
    print(f"wrote {args.count} templates ({total / 1e6:.1f} MB) to {out}")
    if args.summary:
        s = sorted(sizes)
        print("formats:", dict(fmts))
        print("archetypes:", dict(kinds.most_common()))
        print(f"resources per template: min {s[0]}, median {s[len(s) // 2]}, p90 {s[int(len(s) * 0.9)]}, max {s[-1]}, total {sum(s)}")
        print("  1: %d, 2-4: %d, 5-40: %d, 41+: %d" % (sum(x == 1 for x in s), sum(2 <= x <= 4 for x in s), sum(5 <= x <= 40 for x in s), sum(x > 40 for x in s)))
        print("resource types:", len(types))
        for k, v in types.most_common():
            print(f"  {v:6d} {k}")
    if args.verify:
        bad = verify(out, args.seed, args.count)
        print(f"verified: {args.count - bad} ok, {bad} bad")
        return 1 if bad else 0
    return 0


def _count_resources(text: str, rel: str, res) -> int:
    if res is not None:
        return len(res)
    # YAML: resource keys are the lines indented one step under `Resources:`.
    lines = text.split("\n")
    start = lines.index("Resources:")
    step = None
    count = 0
    for line in lines[start + 1 :]:
        if line and not line.startswith(" "):
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        ind = len(line) - len(line.lstrip())
        step = step or ind
        if ind == step:
            count += 1
    return count


if __name__ == "__main__":
    sys.exit(main())
