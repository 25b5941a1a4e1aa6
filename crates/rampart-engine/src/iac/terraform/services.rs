//! Account services: CloudTrail trails, AWS Config recorders, ACM certificates, Route 53
//! hosted zones and Resolver rules, RAM resource shares.

use super::{block, blocks, bool_at, str_at, Mapped, Resolved};
use crate::model::{
    AcmCertificate, CloudTrailTrail, ConfigRecorder, HostedZone, HostedZoneVpc, Operation,
    ResolverRule, ResourceShare, Tags, GLOBAL_REGION,
};

/// Maps `t` if it is one of this module's types.
pub(super) fn map(m: &mut Mapped<'_, '_, '_>, t: &str) -> bool {
    match t {
        "aws_cloudtrail" => trail(m),
        "aws_config_configuration_recorder" => {
            let region = m.region();
            let name = m.id.name.clone();
            // A recorder records only once its status resource starts it.
            let status = m
                .ctx
                .attached("aws_config_configuration_recorder_status", "name", m.r);
            let recording = status
                .iter()
                .any(|s| bool_at(&s.values, "is_enabled") == Some(true));
            let all_supported = block(m.values(), "recording_group")
                .and_then(|g| bool_at(g, "all_supported"))
                .unwrap_or(true);
            let recorder = ConfigRecorder {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region,
                tags: Tags::new(),
                source: m.source(),
                name,
                recording,
                all_supported,
            };
            m.sink
                .account(m.target)
                .logging
                .config_recorders
                .push(recorder);
            true
        }
        "aws_acm_certificate" => {
            let v = m.values();
            let certificate_type = if v
                .get("certificate_authority_arn")
                .is_some_and(|n| n.scalar_text().is_some_and(|s| !s.is_empty()))
            {
                "PRIVATE"
            } else if v.get("private_key").is_some() || v.get("certificate_body").is_some() {
                "IMPORTED"
            } else {
                "AMAZON_ISSUED"
            };
            let status = if certificate_type == "AMAZON_ISSUED" {
                "PENDING_VALIDATION"
            } else {
                "ISSUED"
            };
            let certificate = AcmCertificate {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: m.region(),
                tags: m.tags(),
                source: m.source(),
                domain_name: m.text("domain_name"),
                certificate_type: certificate_type.to_owned(),
                status: status.to_owned(),
                key_algorithm: str_at(v, "key_algorithm").unwrap_or("RSA_2048").to_owned(),
                not_after: None,
                in_use_by: Vec::new(),
                renewal_eligibility: None,
            };
            m.sink.account(m.target).certificates.acm.push(certificate);
            true
        }
        "aws_route53_zone" => {
            let region = m.region();
            let r = m.r;
            let mut vpcs = Vec::new();
            for i in 0..blocks(m.values(), "vpc").len() {
                let index = i.to_string();
                if let Resolved::Known(vpc_id) = m.ctx.resolve(r, &["vpc", &index, "vpc_id"]) {
                    let vpc_region = match m.ctx.resolve(r, &["vpc", &index, "vpc_region"]) {
                        Resolved::Known(v) => v,
                        _ => region.clone(),
                    };
                    vpcs.push(HostedZoneVpc {
                        vpc_id,
                        region: vpc_region,
                    });
                }
            }
            let private = !blocks(m.values(), "vpc").is_empty();
            let mut name = m.id.name.clone();
            if !name.ends_with('.') {
                name.push('.');
            }
            let zone = HostedZone {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: GLOBAL_REGION.to_owned(),
                tags: m.tags(),
                source: m.source(),
                zone_id: m.id.id.clone(),
                name,
                private,
                // The SOA and NS records Route 53 creates.
                record_count: 2,
                vpc_associations: private.then_some(vpcs),
            };
            m.sink.account(m.target).dns.hosted_zones.push(zone);
            true
        }
        "aws_route53_resolver_rule" => {
            let target_ips = blocks(m.values(), "target_ip")
                .iter()
                .filter_map(|t| {
                    let ip = str_at(t, "ip").or_else(|| str_at(t, "ipv6"))?;
                    Some(format!("{ip}:{}", str_at(t, "port").unwrap_or("53")))
                })
                .collect();
            let shared = m
                .ctx
                .of_type("aws_ram_resource_association")
                .iter()
                .any(|a| m.ctx.resolve(a, &["resource_arn"]) == Resolved::Known(m.id.arn.clone()));
            let rule = ResolverRule {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region: m.region(),
                tags: m.tags(),
                source: m.source(),
                rule_id: m.id.id.clone(),
                domain_name: m.text("domain_name"),
                rule_type: str_at(m.values(), "rule_type")
                    .unwrap_or("FORWARD")
                    .to_owned(),
                target_ips,
                resolver_endpoint_id: Some(m.text("resolver_endpoint_id"))
                    .filter(|e| !e.is_empty()),
                owner_id: m.account(),
                share_status: if shared { "SHARED_BY_ME" } else { "NOT_SHARED" }.to_owned(),
            };
            m.sink.account(m.target).dns.resolver_rules.push(rule);
            true
        }
        "aws_ram_resource_share" => {
            let region = m.region();
            let op = Operation::RamGetResourceShareAssociations;
            let mut principals = Vec::new();
            for p in m
                .ctx
                .attached("aws_ram_principal_association", "resource_share_arn", m.r)
            {
                principals.extend(m.reference_of(p, "principal", &region, op));
            }
            let mut resources = Vec::new();
            for a in m
                .ctx
                .attached("aws_ram_resource_association", "resource_share_arn", m.r)
            {
                resources.extend(m.reference_of(a, "resource_arn", &region, op));
            }
            principals.sort();
            resources.sort();
            let share = ResourceShare {
                arn: m.id.arn.clone(),
                account_id: m.account(),
                region,
                tags: m.tags(),
                source: m.source(),
                name: m.id.name.clone(),
                status: "ACTIVE".to_owned(),
                allow_external_principals: bool_at(m.values(), "allow_external_principals")
                    .unwrap_or(false),
                principals: Some(principals),
                resources: Some(resources),
            };
            m.sink.account(m.target).resource_shares.push(share);
            true
        }
        _ => false,
    }
}

fn trail(m: &mut Mapped<'_, '_, '_>) -> bool {
    let region = m.region();
    let op = Operation::CloudtrailDescribeTrails;
    let is_multi_region = m.flag("is_multi_region_trail", false, &region, op);
    let is_organization_trail = m.flag("is_organization_trail", false, &region, op);
    let is_logging = m.flag(
        "enable_logging",
        true,
        &region,
        Operation::CloudtrailGetTrailStatus,
    );
    let log_file_validation = m.flag("enable_log_file_validation", false, &region, op);
    let kms_key_arn = m.reference("kms_key_id", &region, op);
    let s3_bucket_name = m
        .reference("s3_bucket_name", &region, op)
        .unwrap_or_default();
    // Without event selectors a trail logs every management event.
    let selectors = blocks(m.values(), "event_selector");
    let advanced = blocks(m.values(), "advanced_event_selector");
    let management_events = if selectors.is_empty() && advanced.is_empty() {
        "All".to_owned()
    } else if selectors
        .iter()
        .any(|s| bool_at(s, "include_management_events").unwrap_or(true))
    {
        selectors
            .iter()
            .find(|s| bool_at(s, "include_management_events").unwrap_or(true))
            .and_then(|s| str_at(s, "read_write_type"))
            .unwrap_or("All")
            .to_owned()
    } else if advanced.iter().any(management) {
        "All".to_owned()
    } else {
        "None".to_owned()
    };
    let data_event_selectors = selectors
        .iter()
        .filter(|s| !blocks(s, "data_resource").is_empty())
        .count()
        + advanced.iter().filter(|a| !management(a)).count();
    let trail = CloudTrailTrail {
        arn: m.id.arn.clone(),
        account_id: m.account(),
        region,
        tags: m.tags(),
        source: m.source(),
        name: m.id.name.clone(),
        is_multi_region,
        is_organization_trail,
        is_logging,
        log_file_validation,
        kms_key_arn,
        s3_bucket_name,
        management_events: Some(management_events),
        data_event_selectors: u32::try_from(data_event_selectors).unwrap_or(u32::MAX),
    };
    m.sink
        .account(m.target)
        .logging
        .cloudtrail_trails
        .push(trail);
    true
}

/// Whether an advanced event selector selects management events (`eventCategory` equals
/// `Management`).
fn management(selector: &rampart_iac::Node) -> bool {
    blocks(selector, "field_selector").iter().any(|f| {
        str_at(f, "field") == Some("eventCategory")
            && f.get("equals")
                .and_then(rampart_iac::Node::as_sequence)
                .is_some_and(|e| e.iter().any(|v| v.as_str() == Some("Management")))
    })
}
