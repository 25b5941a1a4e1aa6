//! The mapping of infrastructure code into the model.

use super::*;
use crate::ruleset::Ruleset;

fn template(uri: &str, text: &str) -> IacFile {
    let document = rampart_iac::parse_document(std::path::Path::new(uri), text.as_bytes())
        .unwrap()
        .unwrap();
    IacFile {
        uri: uri.to_owned(),
        document,
    }
}

fn build_one(files: &[IacFile]) -> IacModel {
    let ruleset = Ruleset::bundled().unwrap();
    build(
        files,
        &Context::none(),
        &ruleset.parameters,
        chrono::DateTime::UNIX_EPOCH,
    )
}

const BUCKETS: &str = r#"
Parameters:
  Env: {Type: String, Default: prod}
Resources:
  Key:
    Type: AWS::KMS::Key
  Data:
    Type: AWS::S3::Bucket
    Metadata:
      rampart:
        skip:
          - id: s3-classified-versioning
            reason: versioned by the backup vault
    Properties:
      BucketName: !Sub "orders-${Env}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
  Plain:
    Type: AWS::S3::Bucket
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt Data.Arn, !Sub "${Data.Arn}/*"]
            Condition: {Bool: {aws:SecureTransport: false}}
"#;

#[test]
fn references_resolve_to_the_identities_of_the_template_resources() {
    let model = build_one(&[template("stacks/app.yaml", BUCKETS)]);
    let snapshot = &model.snapshots[0];
    let account = &snapshot.accounts[0];
    assert_eq!(account.id, DEFAULT_ACCOUNT);
    // `Env` places the account in production.
    assert_eq!(
        account.tags.get("Environment").map(String::as_str),
        Some("prod")
    );
    let data = &account.storage.s3_buckets[0];
    assert_eq!(data.arn, "arn:aws:s3:::orders-prod");
    let key = &account.kms_keys[0];
    assert_eq!(
        data.encryption.as_ref().unwrap().kms_key_arn.as_deref(),
        Some(key.arn.as_str())
    );
    // The policy names the bucket by the same ARN.
    let policy = data.policy.as_ref().unwrap().text();
    assert!(policy.contains("arn:aws:s3:::orders-prod/*"), "{policy}");
    // An unnamed bucket is named after the file and logical id; SSE-S3 by default.
    let plain = &account.storage.s3_buckets[1];
    assert_eq!(plain.name, "stacks-app-yaml-Plain");
    assert_eq!(plain.encryption.as_ref().unwrap().sse_algorithm, "AES256");
    assert_eq!(
        data.source,
        crate::model::Source::File {
            uri: "stacks/app.yaml".into(),
            line: 7,
            column: 3
        }
    );
    // The key has KMS's default policy and no rotation.
    assert!(key.policy.is_some());
    assert_eq!(key.rotation_enabled, Some(false));
    assert_eq!(model.suppressions.len(), 1);
    assert_eq!(model.suppressions[0].arn, data.arn);
}

#[test]
fn undecided_values_are_gaps_on_the_resource_never_guesses() {
    let text = r#"
Parameters:
  Algo: {Type: String}
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: !Ref Algo}
  Disk:
    Type: AWS::EC2::Volume
    Properties: {Size: 10, AvailabilityZone: us-east-1a}
"#;
    let model = build_one(&[template("a.yaml", text)]);
    let snapshot = &model.snapshots[0];
    let bucket = &snapshot.accounts[0].storage.s3_buckets[0];
    assert_eq!(bucket.encryption, None);
    let gap = snapshot
        .coverage
        .iter()
        .find(|g| g.resource.as_deref() == Some("arn:aws:s3:::data"))
        .unwrap();
    assert_eq!(
        gap.operation,
        Some(crate::model::Operation::S3GetBucketEncryption)
    );
    assert!(gap.reason.contains("parameter `Algo`"), "{}", gap.reason);
    assert!(gap.reason.contains("a.yaml:11:"), "{}", gap.reason);
    // A volume without `Encrypted` depends on the account's default: unknown.
    assert!(snapshot.coverage.iter().any(|g| g.operation
        == Some(crate::model::Operation::Ec2DescribeVolumes)
        && g.reason.contains("EBS encryption by default")));
    // The account's environment is unknown, and so is the organization.
    assert!(snapshot
        .coverage
        .iter()
        .any(|g| g.operation == Some(crate::model::Operation::OrganizationsListTagsForResource)));
}

#[test]
fn resources_under_a_false_condition_are_not_created() {
    let text = r#"
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  ProdOnly:
    Type: AWS::S3::Bucket
    Condition: IsProd
  Always:
    Type: AWS::S3::Bucket
"#;
    let model = build_one(&[template("c.yaml", text)]);
    let buckets = &model.snapshots[0].accounts[0].storage.s3_buckets;
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].name, "c-yaml-Always");
}

#[test]
fn files_declaring_the_same_resource_are_evaluated_apart() {
    let a = template("a.yaml", BUCKETS);
    let b = template("b.yaml", BUCKETS);
    let other = template(
        "c.yaml",
        "Parameters:\n  Env: {Type: String, Default: prod}\nResources:\n  X:\n    Type: AWS::S3::Bucket\n",
    );
    let model = build_one(&[a, b, other]);
    // `orders-prod` is declared twice: two snapshots; c.yaml joins the first.
    assert_eq!(model.snapshots.len(), 2);
    let names = |i: usize| -> Vec<String> {
        model.snapshots[i].accounts[0]
            .storage
            .s3_buckets
            .iter()
            .map(|b| b.name.clone())
            .collect()
    };
    assert!(names(0).contains(&"c-yaml-X".to_owned()));
    assert!(!names(1).contains(&"c-yaml-X".to_owned()));
}
