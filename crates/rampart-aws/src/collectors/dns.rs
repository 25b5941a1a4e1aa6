//! Route 53 hosted zones (global) and Route 53 Resolver rules (per region).

use rampart_model::{HostedZone, HostedZoneVpc, ResolverRule, GLOBAL_REGION};
use rampart_model::{Operation, Service};

use crate::calls::Failure;
use crate::session::{client, Scope, Session};
use crate::util::{api, tags};

/// ListTagsForResources takes at most ten ids per call.
const TAG_BATCH: usize = 10;

/// Reads every hosted zone of the account.
pub(crate) async fn hosted_zones(session: &Session, scope: Scope<'_>) -> Vec<HostedZone> {
    let r53 = client!(session, aws_sdk_route53, session.home_region());
    let zones = match r53
        .list_hosted_zones()
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.hosted_zones())
            .cloned()
            .collect::<Vec<_>>(),
        Err(e) => {
            scope.service_gap(
                Service::Route53,
                Operation::Route53ListHostedZones,
                &Failure::of(&e),
            );
            return Vec::new();
        }
    };
    let mut out: Vec<HostedZone> = zones
        .iter()
        .map(|z| {
            let zone_id = z.id().trim_start_matches("/hostedzone/").to_owned();
            HostedZone {
                arn: format!("arn:aws:route53:::hostedzone/{zone_id}"),
                account_id: scope.account_id.to_owned(),
                region: GLOBAL_REGION.to_owned(),
                tags: Default::default(),
                source: api(Operation::Route53ListHostedZones),
                name: z.name().to_owned(),
                private: z.config().is_some_and(|c| c.private_zone()),
                record_count: z.resource_record_set_count().unwrap_or(0),
                vpc_associations: None,
                zone_id,
            }
        })
        .collect();
    for batch in out.chunks_mut(TAG_BATCH) {
        let ids: Vec<String> = batch.iter().map(|z| z.zone_id.clone()).collect();
        match r53
            .list_tags_for_resources()
            .resource_type(aws_sdk_route53::types::TagResourceType::Hostedzone)
            .set_resource_ids(Some(ids))
            .send()
            .await
        {
            Ok(sets) => {
                for set in sets.resource_tag_sets() {
                    let id = set.resource_id().unwrap_or_default();
                    if let Some(zone) = batch.iter_mut().find(|z| z.zone_id == id) {
                        zone.tags = tags(
                            set.tags()
                                .iter()
                                .filter_map(|t| Some((t.key()?, t.value().unwrap_or_default()))),
                        );
                    }
                }
            }
            Err(e) => {
                let failure = Failure::of(&e);
                for zone in batch.iter() {
                    scope.operation_gap(
                        Operation::Route53ListTagsForResources,
                        Some(&zone.arn),
                        &failure,
                    );
                }
            }
        }
    }
    for zone in out.iter_mut().filter(|z| z.private) {
        match r53.get_hosted_zone().id(&zone.zone_id).send().await {
            Ok(got) => {
                let mut vpcs: Vec<HostedZoneVpc> = got
                    .vpcs()
                    .iter()
                    .map(|v| HostedZoneVpc {
                        vpc_id: v.vpc_id().unwrap_or_default().to_owned(),
                        region: v
                            .vpc_region()
                            .map_or_else(String::new, |r| r.as_str().to_owned()),
                    })
                    .collect();
                vpcs.sort_by(|a, b| (&a.vpc_id, &a.region).cmp(&(&b.vpc_id, &b.region)));
                zone.vpc_associations = Some(vpcs);
            }
            Err(e) => scope.operation_gap(
                Operation::Route53GetHostedZone,
                Some(&zone.arn),
                &Failure::of(&e),
            ),
        }
    }
    out
}

/// Reads the region's Resolver rules (owned or shared with the account).
pub(crate) async fn resolver_rules(session: &Session, scope: Scope<'_>) -> Vec<ResolverRule> {
    let resolver = client!(session, aws_sdk_route53resolver, scope.region);
    let rules = match resolver
        .list_resolver_rules()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(r) => r,
        Err(e) => {
            scope.service_gap(
                Service::Route53resolver,
                Operation::Route53resolverListResolverRules,
                &Failure::of(&e),
            );
            return Vec::new();
        }
    };
    let out: Vec<ResolverRule> = rules
        .iter()
        .map(|r| {
            let rule_id = r.id().unwrap_or_default().to_owned();
            let mut target_ips: Vec<String> = r
                .target_ips()
                .iter()
                .filter_map(|t| {
                    let ip = t.ip().or(t.ipv6())?;
                    Some(format!("{ip}:{}", t.port().unwrap_or(53)))
                })
                .collect();
            target_ips.sort();
            ResolverRule {
                arn: r.arn().map_or_else(
                    || {
                        format!(
                            "arn:aws:route53resolver:{}:{}:resolver-rule/{rule_id}",
                            scope.region, scope.account_id
                        )
                    },
                    str::to_owned,
                ),
                account_id: scope.account_id.to_owned(),
                region: scope.region.to_owned(),
                tags: Default::default(),
                source: api(Operation::Route53resolverListResolverRules),
                domain_name: r.domain_name().unwrap_or_default().to_owned(),
                rule_type: r.rule_type().map_or("FORWARD", |t| t.as_str()).to_owned(),
                target_ips,
                resolver_endpoint_id: r.resolver_endpoint_id().map(str::to_owned),
                owner_id: r.owner_id().unwrap_or(scope.account_id).to_owned(),
                share_status: r
                    .share_status()
                    .map_or("NOT_SHARED", |s| s.as_str())
                    .to_owned(),
                rule_id,
            }
        })
        .collect();
    out
}
