"""Plants secrets in a moto_server for tests/no_secrets.rs: an organization (the caller's
account is its management account), an IAM user with an access key and secret-valued tags,
a Secrets Manager secret, an SSM SecureString parameter, and a bucket and a KMS key whose
tags and description hold credentials. Prints the planted values as JSON, the access key's
SecretAccessKey (which only CreateAccessKey ever returns) among them."""

from __future__ import annotations

import argparse
import json
import sys

import boto3


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True, help="moto server URL")
    ap.add_argument("--planted", required=True, help="JSON object of the values to plant")
    args = ap.parse_args()
    v = json.loads(args.planted)
    kw = dict(endpoint_url=args.endpoint, region_name="eu-west-1",
              aws_access_key_id="testing", aws_secret_access_key="testing")

    boto3.client("organizations", **kw).create_organization(FeatureSet="ALL")

    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="ci-deployer", Tags=[
        {"Key": "Note", "Value": f"aws_secret_access_key={v['secret_key']}"},
        {"Key": "GithubToken", "Value": v["github_token"]},
    ])
    key = iam.create_access_key(UserName="ci-deployer")["AccessKey"]
    iam.create_role(
        RoleName="app-runner",
        AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                           "Action": "sts:AssumeRole",
                           "Condition": {"StringEquals": {"sts:ExternalId": v["secret_key"]}}}],
        }),
        Description=f"db password={v['password']}",
        Tags=[{"Key": "SessionToken", "Value": v["session_token"]}],
    )

    sm = boto3.client("secretsmanager", **kw)
    sm.create_secret(Name="prod/db", SecretString=json.dumps({"password": v["secret_value"]}))
    ssm = boto3.client("ssm", **kw)
    ssm.put_parameter(Name="/prod/api-key", Value=v["parameter_value"], Type="SecureString")

    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket="planted-secrets-bucket",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_tagging(Bucket="planted-secrets-bucket", Tagging={"TagSet": [
        {"Key": "DeployKey", "Value": v["pem"]},
        {"Key": "DataClassification", "Value": f"password={v['password']}"},
    ]})

    kms = boto3.client("kms", **kw)
    kms.create_key(Description=f"token {v['github_token']}",
                   Tags=[{"TagKey": "Note", "TagValue": v["secret_key"]}])

    json.dump({"access_key_id": key["AccessKeyId"],
               "secret_access_key": key["SecretAccessKey"]}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
