#!/usr/bin/env python3
"""Structural checker for the IAM evaluation corpus (tests/corpus/iam/*.json).

Checks every case for the documented fields and types, that names are unique
across all files, and that each file has both an allow and a deny outcome.
It does not evaluate policies. Run: python3 tests/corpus/iam/check_format.py
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

DECISIONS = {"allow", "explicit-deny", "implicit-deny"}
CASE_KEYS = {"name", "doc", "input", "expect"}
INPUT_KEYS = {"policies", "principal", "request"}
POLICY_KEYS = {"identity", "resource", "boundary", "session", "scp_chain", "rcp_chain"}
PRINCIPAL_KEYS = {"arn", "account", "is_management_account", "is_service_linked_role", "tags"}
REQUEST_KEYS = {"action", "resource", "resource_account", "resource_is_aws_managed_key", "context"}
SERVICE_RE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                  "Resource", "NotResource", "Condition"}


def check_doc(doc, where, errors):
    if not isinstance(doc, dict):
        errors.append(f"{where}: policy document must be an object")
        return
    extra = set(doc) - {"Version", "Id", "Statement"}
    if extra:
        errors.append(f"{where}: unknown policy keys {sorted(extra)}")
    if "Version" in doc and doc["Version"] not in ("2012-10-17", "2008-10-17"):
        errors.append(f"{where}: unexpected Version {doc['Version']!r}")
    stmts = doc.get("Statement")
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list) or not stmts:
        errors.append(f"{where}: Statement must be an object or a non-empty array")
        return
    for i, s in enumerate(stmts):
        w = f"{where}.Statement[{i}]"
        if not isinstance(s, dict):
            errors.append(f"{w}: statement must be an object")
            continue
        extra = set(s) - STATEMENT_KEYS
        if extra:
            errors.append(f"{w}: unknown statement keys {sorted(extra)}")
        if s.get("Effect") not in ("Allow", "Deny"):
            errors.append(f"{w}: Effect must be Allow or Deny")
        if ("Action" in s) == ("NotAction" in s):
            errors.append(f"{w}: exactly one of Action / NotAction")
        if "Resource" in s and "NotResource" in s:
            errors.append(f"{w}: both Resource and NotResource")
        if "Resource" not in s and "NotResource" not in s and "Principal" not in s:
            # Only role trust policies leave the resource out: they name a principal.
            errors.append(f"{w}: one of Resource / NotResource (or a trust policy's Principal)")
        if "Principal" in s and "NotPrincipal" in s:
            errors.append(f"{w}: both Principal and NotPrincipal")
        cond = s.get("Condition")
        if cond is not None:
            if not isinstance(cond, dict):
                errors.append(f"{w}: Condition must be an object")
            else:
                for op, body in cond.items():
                    if not isinstance(body, dict):
                        errors.append(f"{w}: Condition[{op}] must be an object")
                        continue
                    for key, val in body.items():
                        vals = val if isinstance(val, list) else [val]
                        if not all(isinstance(v, str) for v in vals):
                            errors.append(f"{w}: Condition[{op}][{key}] values must be strings")


def check_chain(chain, where, errors):
    if chain is None:
        return
    if not isinstance(chain, list) or not chain:
        errors.append(f"{where}: chain must be null or a non-empty array of levels")
        return
    for i, level in enumerate(chain):
        if not isinstance(level, list):
            errors.append(f"{where}[{i}]: each level must be an array of policy documents")
            continue
        for j, doc in enumerate(level):
            check_doc(doc, f"{where}[{i}][{j}]", errors)


def check_case(case, where, errors):
    if not isinstance(case, dict):
        errors.append(f"{where}: case must be an object")
        return
    if set(case) != CASE_KEYS:
        errors.append(f"{where}: keys must be {sorted(CASE_KEYS)}, got {sorted(case)}")
    name = case.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        errors.append(f"{where}: name must be kebab-case")
    if not isinstance(case.get("doc"), str) or not case["doc"].strip():
        errors.append(f"{where}: doc must be a non-empty string")
    exp = case.get("expect")
    if not isinstance(exp, dict) or set(exp) != {"decision"} or exp.get("decision") not in DECISIONS:
        errors.append(f"{where}: expect must be {{\"decision\": one of {sorted(DECISIONS)}}}")
    inp = case.get("input")
    if not isinstance(inp, dict) or set(inp) != INPUT_KEYS:
        errors.append(f"{where}: input must have exactly {sorted(INPUT_KEYS)}")
        return
    pol = inp["policies"]
    if not isinstance(pol, dict) or set(pol) - POLICY_KEYS:
        errors.append(f"{where}: policies keys must be among {sorted(POLICY_KEYS)}")
    else:
        ident = pol.get("identity", [])
        if not isinstance(ident, list):
            errors.append(f"{where}: policies.identity must be an array")
        else:
            for i, d in enumerate(ident):
                check_doc(d, f"{where}.identity[{i}]", errors)
        for k in ("resource", "boundary", "session"):
            if pol.get(k) is not None:
                check_doc(pol[k], f"{where}.{k}", errors)
        check_chain(pol.get("scp_chain"), f"{where}.scp_chain", errors)
        check_chain(pol.get("rcp_chain"), f"{where}.rcp_chain", errors)
    pr = inp["principal"]
    service = isinstance(pr, dict) and isinstance(pr.get("arn"), str) and SERVICE_RE.match(pr["arn"])
    if not isinstance(pr, dict) or set(pr) - PRINCIPAL_KEYS or "arn" not in pr or ("account" in pr) == bool(service):
        errors.append(f"{where}: principal keys must be among {sorted(PRINCIPAL_KEYS)} (arn required; "
                      "account required, except for a service principal, which has none)")
    elif service:
        pass
    else:
        if not isinstance(pr["arn"], str) or not pr["arn"].startswith("arn:aws:"):
            errors.append(f"{where}: principal.arn must be an aws ARN or a service principal name")
        if not isinstance(pr["account"], str) or not ACCOUNT_RE.match(pr["account"]):
            errors.append(f"{where}: principal.account must be 12 digits")
        elif isinstance(pr["arn"], str) and pr["arn"].split(":")[4:5] != [pr["account"]]:
            errors.append(f"{where}: principal.account does not match the ARN's account")
        for k in ("is_management_account", "is_service_linked_role"):
            if k in pr and not isinstance(pr[k], bool):
                errors.append(f"{where}: principal.{k} must be a boolean")
        tags = pr.get("tags", {})
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            errors.append(f"{where}: principal.tags must map strings to strings")
    rq = inp["request"]
    if not isinstance(rq, dict) or set(rq) - REQUEST_KEYS or not {"action", "resource", "resource_account"} <= set(rq):
        errors.append(f"{where}: request keys must be among {sorted(REQUEST_KEYS)}")
    else:
        if not isinstance(rq["action"], str) or ":" not in rq["action"]:
            errors.append(f"{where}: request.action must be service:Action")
        if not isinstance(rq["resource"], str):
            errors.append(f"{where}: request.resource must be a string")
        if not isinstance(rq["resource_account"], str) or not ACCOUNT_RE.match(rq["resource_account"]):
            errors.append(f"{where}: request.resource_account must be 12 digits")
        if "resource_is_aws_managed_key" in rq and not isinstance(rq["resource_is_aws_managed_key"], bool):
            errors.append(f"{where}: request.resource_is_aws_managed_key must be a boolean")
        ctx = rq.get("context", {})
        if not isinstance(ctx, dict):
            errors.append(f"{where}: request.context must be an object")
        else:
            for k, v in ctx.items():
                ok = isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
                if not ok:
                    errors.append(f"{where}: context[{k}] must be a string or an array of strings")


def main():
    root = Path(__file__).resolve().parent
    files = sorted(root.glob("*.json"))
    errors = []
    names = Counter()
    total = Counter()
    for f in files:
        try:
            cases = json.loads(f.read_text())
        except json.JSONDecodeError as e:
            errors.append(f"{f.name}: invalid JSON: {e}")
            continue
        if not isinstance(cases, list) or not cases:
            errors.append(f"{f.name}: must be a non-empty JSON array")
            continue
        per = Counter()
        for i, case in enumerate(cases):
            where = f"{f.name}[{i}]({case.get('name', '?') if isinstance(case, dict) else '?'})"
            check_case(case, where, errors)
            if isinstance(case, dict):
                names[case.get("name")] += 1
                d = (case.get("expect") or {}).get("decision")
                per[d] += 1
                total[d] += 1
        if per["allow"] == 0 or per["explicit-deny"] + per["implicit-deny"] == 0:
            errors.append(f"{f.name}: needs at least one allow and one deny case")
        print(f"{f.name:24} {sum(per.values()):4}  allow={per['allow']} explicit-deny={per['explicit-deny']} implicit-deny={per['implicit-deny']}")
    for n, k in names.items():
        if k > 1:
            errors.append(f"duplicate case name {n!r} ({k} times)")
    print(f"{'total':24} {sum(total.values()):4}  allow={total['allow']} explicit-deny={total['explicit-deny']} implicit-deny={total['implicit-deny']}")
    if errors:
        print(f"\n{len(errors)} problem(s):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("format OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
