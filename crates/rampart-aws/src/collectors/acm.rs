//! ACM certificates in one region.

use aws_sdk_acm::types::{Filters, KeyAlgorithm};
use rampart_model::AcmCertificate;
use rampart_model::{Operation, Service};

use crate::calls::Failure;
use crate::session::{client, Scope, Session};
use crate::util::{api, tags, utc};

/// Reads every certificate of the region, whatever its key type (ListCertificates returns
/// only RSA 2048 certificates unless asked for the others).
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Vec<AcmCertificate> {
    let acm = client!(session, aws_sdk_acm, scope.region);
    let mut filters = Filters::builder();
    for key_type in KeyAlgorithm::values() {
        filters = filters.key_types(KeyAlgorithm::from(*key_type));
    }
    let summaries = match acm
        .list_certificates()
        .includes(filters.build())
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(s) => s,
        Err(e) => {
            scope.service_gap(
                Service::Acm,
                Operation::AcmListCertificates,
                &Failure::of(&e),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for s in summaries {
        let Some(arn) = s.certificate_arn() else {
            continue;
        };
        let detail = match acm.describe_certificate().certificate_arn(arn).send().await {
            Ok(d) => match d.certificate() {
                Some(c) => c.clone(),
                None => continue,
            },
            Err(e) => {
                scope.operation_gap(
                    Operation::AcmDescribeCertificate,
                    Some(arn),
                    &Failure::of(&e),
                );
                continue;
            }
        };
        let cert_tags = match acm
            .list_tags_for_certificate()
            .certificate_arn(arn)
            .send()
            .await
        {
            Ok(t) => tags(
                t.tags()
                    .iter()
                    .map(|t| (t.key(), t.value().unwrap_or_default())),
            ),
            Err(e) => {
                scope.operation_gap(
                    Operation::AcmListTagsForCertificate,
                    Some(arn),
                    &Failure::of(&e),
                );
                Default::default()
            }
        };
        let mut in_use_by = detail.in_use_by().to_vec();
        in_use_by.sort();
        out.push(AcmCertificate {
            arn: arn.to_owned(),
            account_id: scope.account_id.to_owned(),
            region: scope.region.to_owned(),
            tags: cert_tags,
            source: api(Operation::AcmDescribeCertificate),
            domain_name: detail.domain_name().unwrap_or_default().to_owned(),
            certificate_type: detail
                .r#type()
                .map_or("AMAZON_ISSUED", |t| t.as_str())
                .to_owned(),
            status: detail.status().map_or("UNKNOWN", |s| s.as_str()).to_owned(),
            key_algorithm: detail
                .key_algorithm()
                .map_or("UNKNOWN", |k| k.as_str())
                .to_owned(),
            not_after: detail.not_after().and_then(utc),
            in_use_by,
            renewal_eligibility: detail.renewal_eligibility().map(|r| r.as_str().to_owned()),
        });
    }
    out
}
