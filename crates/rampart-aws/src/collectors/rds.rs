//! RDS DB instances and clusters in one region, with their tags (the Describe calls return
//! them).
//!
//! Read through [`crate::ec2_query`]'s Query client with the RDS API (not `aws-sdk-rds`,
//! whose generated code would cost the cold build far more than these reads). DB
//! clusters (Aurora, Multi-AZ DB clusters) are read too, with their member instances.

use rampart_model::{Operation, RdsDbCluster, RdsDbInstance, Service, Tags};

use crate::ec2_query::{unreadable, Element, Params, QueryClient, XmlError, RDS};
use crate::session::{Scope, Session};
use crate::util::api;

/// Reads every DB instance and DB cluster of the region.
pub(crate) async fn collect(
    session: &Session,
    scope: Scope<'_>,
) -> (Vec<RdsDbInstance>, Vec<RdsDbCluster>) {
    let rds = QueryClient::of(&RDS, session, scope.region);
    let instances = read(
        &rds,
        &scope,
        Operation::RdsDescribeDbInstances,
        ("DBInstances", "DBInstance"),
        instance,
    )
    .await;
    let clusters = read(
        &rds,
        &scope,
        Operation::RdsDescribeDbClusters,
        ("DBClusters", "DBCluster"),
        cluster,
    )
    .await;
    (instances, clusters)
}

/// Every item of a `Marker`-paginated Describe call, read with `item`; a gap on RDS in the
/// region when the call or a response fails.
async fn read<T>(
    rds: &QueryClient,
    scope: &Scope<'_>,
    operation: Operation,
    (list, element): (&str, &str),
    item: fn(&Element, &str, &str) -> Result<T, XmlError>,
) -> Vec<T> {
    let read = rds
        .describe_marked(operation, &Params::default(), (list, element, "Marker"))
        .await
        .and_then(|items| {
            items
                .iter()
                .map(|e| item(e, scope.account_id, scope.region))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| unreadable(&e))
        });
    match read {
        Ok(values) => values,
        Err(failure) => {
            scope.service_gap(Service::Rds, operation, &failure);
            Vec::new()
        }
    }
}

/// What instances and clusters share: identifier, ARN, engine, encryption and tags.
struct Store {
    identifier: String,
    arn: String,
    engine: String,
    storage_encrypted: bool,
    kms_key_arn: Option<String>,
    tags: Tags,
}

impl Store {
    /// Reads `{kind}Identifier`, `{kind}Arn` (or makes it, `arn:aws:rds:…:{arn_kind}:ID`),
    /// the engine, the encryption and the tags of an element of `kind` (`DBInstance`,
    /// `DBCluster`). The key of an unencrypted store is not kept.
    fn read(
        e: &Element,
        (kind, arn_kind): (&str, &str),
        account_id: &str,
        region: &str,
    ) -> Result<Store, XmlError> {
        let identifier = e
            .text(&format!("{kind}Identifier"))
            .ok_or_else(|| XmlError(format!("a {kind} has no `{kind}Identifier`")))?
            .to_owned();
        let arn = match e.text(&format!("{kind}Arn")) {
            Some(arn) if !arn.is_empty() => arn.to_owned(),
            _ => format!("arn:aws:rds:{region}:{account_id}:{arn_kind}:{identifier}"),
        };
        let storage_encrypted = e.boolean("StorageEncrypted")?.unwrap_or(false);
        Ok(Store {
            identifier,
            arn,
            engine: e.text("Engine").unwrap_or_default().to_owned(),
            storage_encrypted,
            kms_key_arn: e
                .text("KmsKeyId")
                .filter(|k| storage_encrypted && !k.is_empty())
                .map(str::to_owned),
            tags: tag_list(e),
        })
    }
}

/// One `<DBInstance>`.
pub(crate) fn instance(
    e: &Element,
    account_id: &str,
    region: &str,
) -> Result<RdsDbInstance, XmlError> {
    let s = Store::read(e, ("DBInstance", "db"), account_id, region)?;
    Ok(RdsDbInstance {
        arn: s.arn,
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: s.tags,
        source: api(Operation::RdsDescribeDbInstances),
        identifier: s.identifier,
        engine: s.engine,
        storage_encrypted: s.storage_encrypted,
        kms_key_arn: s.kms_key_arn,
        publicly_accessible: e.boolean("PubliclyAccessible")?.unwrap_or(false),
    })
}

/// One `<DBCluster>`.
pub(crate) fn cluster(
    e: &Element,
    account_id: &str,
    region: &str,
) -> Result<RdsDbCluster, XmlError> {
    let s = Store::read(e, ("DBCluster", "cluster"), account_id, region)?;
    let mut members: Vec<String> = e
        .child("DBClusterMembers")
        .into_iter()
        .flat_map(|l| l.children.iter())
        .filter_map(|m| m.text("DBInstanceIdentifier").map(str::to_owned))
        .collect();
    members.sort();
    Ok(RdsDbCluster {
        arn: s.arn,
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: s.tags,
        source: api(Operation::RdsDescribeDbClusters),
        identifier: s.identifier,
        engine: s.engine,
        storage_encrypted: s.storage_encrypted,
        kms_key_arn: s.kms_key_arn,
        members,
    })
}

/// The `<TagList>` of an instance or cluster.
fn tag_list(e: &Element) -> Tags {
    e.child("TagList")
        .into_iter()
        .flat_map(|l| l.children.iter())
        .filter(|t| t.name == "Tag")
        .filter_map(|t| {
            Some((
                t.text("Key")?.to_owned(),
                t.text("Value").unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2_query::parse_success;

    const PAGE: &str = r#"<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult>
    <DBInstances>
      <DBInstance>
        <DBInstanceIdentifier>orders</DBInstanceIdentifier>
        <DBInstanceArn>arn:aws:rds:eu-west-1:111122223333:db:orders</DBInstanceArn>
        <Engine>postgres</Engine>
        <StorageEncrypted>true</StorageEncrypted>
        <KmsKeyId>arn:aws:kms:eu-west-1:111122223333:key/k1</KmsKeyId>
        <PubliclyAccessible>false</PubliclyAccessible>
        <TagList><Tag><Key>DataClassification</Key><Value>restricted</Value></Tag><Tag><Key>Empty</Key><Value></Value></Tag></TagList>
      </DBInstance>
      <DBInstance>
        <DBInstanceIdentifier>legacy</DBInstanceIdentifier>
        <Engine>mysql</Engine>
        <StorageEncrypted>false</StorageEncrypted>
        <PubliclyAccessible>true</PubliclyAccessible>
        <TagList/>
      </DBInstance>
    </DBInstances>
    <Marker>next</Marker>
  </DescribeDBInstancesResult>
  <ResponseMetadata><RequestId>1234</RequestId></ResponseMetadata>
</DescribeDBInstancesResponse>"#;

    #[test]
    fn instances_are_read_with_their_tags_and_encryption() {
        let root = parse_success("DescribeDBInstances", PAGE.as_bytes()).expect("parses");
        let list = root
            .child("DescribeDBInstancesResult")
            .and_then(|r| r.child("DBInstances"))
            .expect("list");
        let read: Vec<RdsDbInstance> = list
            .children
            .iter()
            .map(|e| instance(e, "111122223333", "eu-west-1"))
            .collect::<Result<_, _>>()
            .expect("reads");
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].arn, "arn:aws:rds:eu-west-1:111122223333:db:orders");
        assert_eq!(
            read[0].tags.get("DataClassification").map(String::as_str),
            Some("restricted")
        );
        assert_eq!(read[0].tags.get("Empty").map(String::as_str), Some(""));
        assert!(read[0].storage_encrypted && !read[0].publicly_accessible);
        assert_eq!(
            read[0].kms_key_arn.as_deref(),
            Some("arn:aws:kms:eu-west-1:111122223333:key/k1")
        );
        // No ARN in the response: made from the identifier.
        assert_eq!(read[1].arn, "arn:aws:rds:eu-west-1:111122223333:db:legacy");
        assert!(!read[1].storage_encrypted && read[1].publicly_accessible);
        assert_eq!(read[1].kms_key_arn, None);
    }

    #[test]
    fn clusters_are_read_with_their_members_and_encryption() {
        let root = parse_success(
            "DescribeDBClusters",
            br#"<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters>
<DBCluster><DBClusterIdentifier>orders</DBClusterIdentifier><Engine>aurora-postgresql</Engine>
<StorageEncrypted>true</StorageEncrypted><KmsKeyId>arn:aws:kms:eu-west-1:111122223333:key/k1</KmsKeyId>
<DBClusterMembers><DBClusterMember><DBInstanceIdentifier>orders-2</DBInstanceIdentifier></DBClusterMember><DBClusterMember><DBInstanceIdentifier>orders-1</DBInstanceIdentifier></DBClusterMember></DBClusterMembers>
<TagList><Tag><Key>DataClassification</Key><Value>restricted</Value></Tag></TagList></DBCluster>
<DBCluster><DBClusterIdentifier>legacy</DBClusterIdentifier><Engine>aurora-mysql</Engine><StorageEncrypted>false</StorageEncrypted><KmsKeyId>ignored</KmsKeyId></DBCluster>
</DBClusters></DescribeDBClustersResult></DescribeDBClustersResponse>"#,
        )
        .expect("parses");
        let list = root
            .child("DescribeDBClustersResult")
            .and_then(|r| r.child("DBClusters"))
            .expect("list");
        let read: Vec<RdsDbCluster> = list
            .children
            .iter()
            .map(|e| cluster(e, "111122223333", "eu-west-1"))
            .collect::<Result<_, _>>()
            .expect("reads");
        assert_eq!(
            read[0].arn,
            "arn:aws:rds:eu-west-1:111122223333:cluster:orders"
        );
        assert_eq!(read[0].members, ["orders-1", "orders-2"]);
        assert!(read[0].storage_encrypted);
        assert_eq!(
            read[0].tags.get("DataClassification").map(String::as_str),
            Some("restricted")
        );
        assert!(!read[1].storage_encrypted);
        assert_eq!(
            read[1].kms_key_arn, None,
            "a key of an unencrypted cluster is not kept"
        );
    }

    #[test]
    fn a_malformed_boolean_is_an_error_not_a_default() {
        let root = parse_success(
            "DescribeDBInstances",
            br#"<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>x</DBInstanceIdentifier><StorageEncrypted>yes</StorageEncrypted></DBInstance></DBInstances></DescribeDBInstancesResult></DescribeDBInstancesResponse>"#,
        )
        .expect("parses");
        let e = &root
            .child("DescribeDBInstancesResult")
            .and_then(|r| r.child("DBInstances"))
            .expect("list")
            .children[0];
        assert!(instance(e, "1", "eu-west-1").is_err());
    }
}
