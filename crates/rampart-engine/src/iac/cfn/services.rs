//! AWS Config recorders, Route 53 hosted zones and Resolver rules, and RAM resource shares.

use rampart_iac::cfn::Resolved;
use rampart_iac::cfn::Resource as CfnResource;

use super::{truthy, Identity, Mapper, Prop};
use crate::model::{
    ConfigRecorder, HostedZone, HostedZoneVpc, Operation, ResolverRule, ResourceShare, Source,
    Tags, GLOBAL_REGION,
};

impl Mapper<'_, '_> {
    /// Maps a Config, Route 53 or RAM resource; `false` when `resource` is not one.
    pub(super) fn service_resource(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> bool {
        let account_id = self.target.account_id.clone();
        match resource.resource_type.as_str() {
            "AWS::Config::ConfigurationRecorder" => {
                let recorder = self.config_recorder(resource, identity, region, source);
                self.sink
                    .account(self.target)
                    .logging
                    .config_recorders
                    .push(recorder);
            }
            "AWS::Route53::HostedZone" => {
                let op = Operation::Route53GetHostedZone;
                let tags = self.tags_at(resource, identity, GLOBAL_REGION, &["HostedZoneTags"], op);
                let name = self
                    .known(resource, identity, GLOBAL_REGION, &["Name"], op)
                    .and_then(|v| v.text())
                    .unwrap_or_default();
                let name = if name.is_empty() || name.ends_with('.') {
                    name
                } else {
                    format!("{name}.")
                };
                // A zone created with VPCs is private.
                let vpcs = match self.known(resource, identity, GLOBAL_REGION, &["VPCs"], op) {
                    Some(Resolved::List(items)) => Some(
                        items
                            .iter()
                            .filter_map(|v| {
                                Some(HostedZoneVpc {
                                    vpc_id: v.get("VPCId").and_then(Resolved::text)?,
                                    region: v.get("VPCRegion").and_then(Resolved::text)?,
                                })
                            })
                            .collect::<Vec<_>>(),
                    ),
                    _ => None,
                };
                let private = match &vpcs {
                    Some(v) => !v.is_empty(),
                    None => resource.property(&["VPCs"]).is_some(),
                };
                let zone = HostedZone {
                    arn: identity.arn.clone(),
                    account_id,
                    region: GLOBAL_REGION.to_owned(),
                    tags,
                    source,
                    zone_id: identity.reference.clone(),
                    name,
                    private,
                    record_count: 0,
                    vpc_associations: if private { vpcs } else { None },
                };
                self.sink.account(self.target).dns.hosted_zones.push(zone);
            }
            "AWS::Route53Resolver::ResolverRule" => {
                let op = Operation::Route53resolverListResolverRules;
                let tags = self.tags(resource, identity, region, op);
                let rule_type = self
                    .known(resource, identity, region, &["RuleType"], op)
                    .and_then(|v| v.text())
                    .unwrap_or_default();
                let domain_name = self
                    .known(resource, identity, region, &["DomainName"], op)
                    .and_then(|v| v.text())
                    .unwrap_or_default();
                let target_ips = match self.known(resource, identity, region, &["TargetIps"], op) {
                    Some(Resolved::List(items)) => items
                        .iter()
                        .filter_map(|t| {
                            let ip = t
                                .get("Ip")
                                .or_else(|| t.get("Ipv6"))
                                .and_then(Resolved::text)?;
                            // Resolver forwards to port 53 unless told otherwise.
                            let port = t
                                .get("Port")
                                .and_then(Resolved::text)
                                .unwrap_or_else(|| "53".to_owned());
                            Some(format!("{ip}:{port}"))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let rule = ResolverRule {
                    arn: identity.arn.clone(),
                    owner_id: account_id.clone(),
                    account_id,
                    region: region.to_owned(),
                    tags,
                    source,
                    rule_id: identity.reference.clone(),
                    domain_name,
                    rule_type,
                    target_ips,
                    resolver_endpoint_id: self.string(resource, &["ResolverEndpointId"]),
                    share_status: "NOT_SHARED".to_owned(),
                };
                self.sink.account(self.target).dns.resolver_rules.push(rule);
            }
            "AWS::RAM::ResourceShare" => {
                let share = self.resource_share(resource, identity, region, source);
                self.sink.account(self.target).resource_shares.push(share);
            }
            _ => return false,
        }
        true
    }

    fn config_recorder(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> ConfigRecorder {
        let op = Operation::ConfigDescribeConfigurationRecorders;
        // Without a recording group, AWS Config records every supported resource type.
        let all_supported = match self.known(resource, identity, region, &["RecordingGroup"], op) {
            Some(group) => {
                group.get("AllSupported").is_some_and(truthy)
                    || group
                        .get("RecordingStrategy")
                        .and_then(|s| s.get("UseOnly"))
                        .and_then(Resolved::text)
                        .is_some_and(|u| u == "ALL_SUPPORTED_RESOURCE_TYPES")
            }
            None => resource.property(&["RecordingGroup"]).is_none(),
        };
        // CloudFormation starts the recorder once the region has a delivery channel; the
        // template's, or one it cannot see.
        let recording = self.attachments.delivery_channel;
        if !recording {
            self.sink.unknown(
                self.target,
                region,
                &identity.arn,
                Operation::ConfigDescribeConfigurationRecorderStatus,
                "the template declares no `AWS::Config::DeliveryChannel`: the recorder records only if the region already has one".to_owned(),
            );
        }
        ConfigRecorder {
            arn: identity.arn.clone(),
            account_id: self.target.account_id.clone(),
            region: region.to_owned(),
            tags: Tags::new(),
            source,
            name: identity.reference.clone(),
            recording,
            all_supported,
        }
    }

    fn resource_share(
        &mut self,
        resource: &CfnResource,
        identity: &Identity,
        region: &str,
        source: Source,
    ) -> ResourceShare {
        let op = Operation::RamGetResourceShares;
        let tags = self.tags(resource, identity, region, op);
        // RAM allows principals outside the organization unless told otherwise.
        let allow_external_principals = self
            .known(resource, identity, region, &["AllowExternalPrincipals"], op)
            .is_none_or(|v| truthy(&v));
        let associations = Operation::RamGetResourceShareAssociations;
        let list = |m: &mut Self, key: &str| match m.prop(resource, &[key]) {
            Prop::Absent => Some(Vec::new()),
            Prop::Known(Resolved::List(items)) => {
                Some(items.iter().filter_map(Resolved::text).collect())
            }
            Prop::Known(v) => Some(v.text().into_iter().collect()),
            Prop::Unknown(reason) => {
                m.sink.unknown(
                    m.target,
                    region,
                    &identity.arn,
                    associations,
                    format!("`{key}` {reason}"),
                );
                None
            }
        };
        let principals = list(self, "Principals");
        let resources = list(self, "ResourceArns");
        ResourceShare {
            arn: identity.arn.clone(),
            account_id: self.target.account_id.clone(),
            region: region.to_owned(),
            tags,
            source,
            name: self
                .string(resource, &["Name"])
                .unwrap_or_else(|| identity.reference.clone()),
            status: "ACTIVE".to_owned(),
            allow_external_principals,
            principals,
            resources,
        }
    }
}
