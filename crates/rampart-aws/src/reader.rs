//! The collectors the scheduler runs: one [`Reader`] per service, run as a [`Job`] for one
//! account (and region), whose [`Part`] is then put into the account.

use std::time::Instant;

use rampart_model::{Account, CoverageGap, Service, GLOBAL_REGION};

use crate::collectors;
use crate::session::{Gaps, Scope, Session};

/// One collector: a service's data in one account (and region), run as one task. The
/// scheduler dispatches on it with an exhaustive match, so a collector cannot be listed
/// without being run, nor run without being listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reader {
    /// IAM (global).
    Iam,
    /// S3 buckets, whatever their region (read once per account).
    S3,
    /// Route 53 hosted zones (global).
    Route53,
    /// KMS keys.
    Kms,
    /// EC2 and VPC.
    Ec2,
    /// ACM certificates.
    Acm,
    /// CloudTrail trails.
    Cloudtrail,
    /// AWS Config recorders and aggregators.
    Config,
    /// Route 53 Resolver rules.
    Route53resolver,
    /// RDS DB instances and clusters.
    Rds,
    /// Load balancer listeners.
    Elb,
    /// Alternate contacts (Account Management, global).
    Account,
    /// GuardDuty, Security Hub, IAM Access Analyzer and Macie enablement.
    SecurityServices,
    /// RAM resource shares.
    Ram,
    /// Direct Connect connections.
    DirectConnect,
}

impl Reader {
    /// Read once per account.
    pub const GLOBAL: [Reader; 4] = [Reader::Iam, Reader::S3, Reader::Route53, Reader::Account];
    /// Read in every account and region, in the order the summary lists them.
    pub const REGIONAL: [Reader; 11] = [
        Reader::Kms,
        Reader::Ec2,
        Reader::Rds,
        Reader::Elb,
        Reader::Acm,
        Reader::Cloudtrail,
        Reader::Config,
        Reader::Route53resolver,
        Reader::SecurityServices,
        Reader::Ram,
        Reader::DirectConnect,
    ];

    /// The service whose data it reads (coverage gaps name it).
    pub fn service(self) -> Service {
        match self {
            Reader::Iam => Service::Iam,
            Reader::S3 => Service::S3,
            Reader::Route53 => Service::Route53,
            Reader::Kms => Service::Kms,
            Reader::Ec2 => Service::Ec2,
            Reader::Acm => Service::Acm,
            Reader::Cloudtrail => Service::Cloudtrail,
            Reader::Config => Service::Config,
            Reader::Route53resolver => Service::Route53resolver,
            Reader::Rds => Service::Rds,
            Reader::Elb => Service::Elasticloadbalancing,
            Reader::Account => Service::Account,
            // Each of the four services records its own gaps; GuardDuty names the reader.
            Reader::SecurityServices => Service::Guardduty,
            Reader::Ram => Service::Ram,
            Reader::DirectConnect => Service::Directconnect,
        }
    }

    /// Every service whose data it reads: [`Self::service`], and for the security
    /// services' reader each of the four.
    pub fn services(self) -> Vec<Service> {
        match self {
            Reader::SecurityServices => rampart_model::SecurityServiceKind::ALL
                .iter()
                .map(|k| k.service())
                .collect(),
            other => vec![other.service()],
        }
    }

    /// The region a global reader records its data and gaps under: `global` for IAM and
    /// Route 53, `*` for S3 (its buckets live in every region).
    pub(crate) fn global_region(self) -> &'static str {
        match self {
            Reader::S3 => "*",
            _ => GLOBAL_REGION,
        }
    }
}

/// One service in one account and region, with the gaps it found.
pub(crate) struct Job {
    pub(crate) session: Session,
    pub(crate) region: String,
    pub(crate) reader: Reader,
    pub(crate) gaps: Gaps,
}

/// What a job read, to be put into the account.
pub(crate) enum Part {
    Iam(Box<rampart_model::Iam>),
    S3(
        Vec<rampart_model::S3Bucket>,
        Option<rampart_model::PublicAccessBlock>,
    ),
    Zones(Vec<rampart_model::HostedZone>),
    Kms(Vec<rampart_model::KmsKey>),
    Ec2(Box<collectors::ec2::Ec2Region>),
    Acm(Vec<rampart_model::AcmCertificate>),
    Trails(Vec<rampart_model::CloudTrailTrail>),
    Config(
        Vec<rampart_model::ConfigRecorder>,
        Vec<rampart_model::ConfigAggregator>,
    ),
    Resolver(Vec<rampart_model::ResolverRule>),
    Rds(
        Vec<rampart_model::RdsDbInstance>,
        Vec<rampart_model::RdsDbCluster>,
    ),
    Listeners(Vec<rampart_model::LoadBalancerListener>),
    Contacts(Option<Vec<rampart_model::AlternateContact>>),
    SecurityServices(Vec<rampart_model::SecurityServiceStatus>),
    Shares(Vec<rampart_model::ResourceShare>),
    DirectConnect(Vec<rampart_model::DirectConnectConnection>),
}

impl Job {
    pub(crate) async fn run(self) -> (Part, Vec<CoverageGap>) {
        let scope = Scope {
            account_id: &self.session.account_id,
            region: &self.region,
            gaps: &self.gaps,
        };
        let started = Instant::now();
        let s = &self.session;
        let part = match self.reader {
            Reader::Iam => Part::Iam(Box::new(collectors::iam::collect(s, scope).await)),
            Reader::S3 => {
                let buckets = collectors::s3::collect(s, scope).await;
                let global = Scope {
                    region: GLOBAL_REGION,
                    ..scope
                };
                let block = collectors::account::account_public_access_block(s, global).await;
                Part::S3(buckets, block)
            }
            Reader::Route53 => Part::Zones(collectors::dns::hosted_zones(s, scope).await),
            Reader::Kms => Part::Kms(collectors::kms::collect(s, scope).await),
            Reader::Ec2 => Part::Ec2(Box::new(collectors::ec2::collect(s, scope).await)),
            Reader::Acm => Part::Acm(collectors::acm::collect(s, scope).await),
            Reader::Cloudtrail => Part::Trails(collectors::cloudtrail::collect(s, scope).await),
            Reader::Config => {
                let (recorders, aggregators) = collectors::config::collect(s, scope).await;
                Part::Config(recorders, aggregators)
            }
            Reader::Route53resolver => {
                Part::Resolver(collectors::dns::resolver_rules(s, scope).await)
            }
            Reader::Rds => {
                let (instances, clusters) = collectors::rds::collect(s, scope).await;
                Part::Rds(instances, clusters)
            }
            Reader::Elb => Part::Listeners(collectors::elb::collect(s, scope).await),
            Reader::Account => {
                Part::Contacts(collectors::account::alternate_contacts(s, scope).await)
            }
            Reader::SecurityServices => {
                Part::SecurityServices(collectors::security::collect(s, scope).await)
            }
            Reader::Ram => Part::Shares(collectors::ram::collect(s, scope).await),
            Reader::DirectConnect => {
                Part::DirectConnect(collectors::direct_connect::collect(s, scope).await)
            }
        };
        tracing::debug!(
            account = %self.session.account_id,
            region = %self.region,
            service = %self.reader.service(),
            elapsed = ?started.elapsed(),
            "read"
        );
        (part, self.gaps.take())
    }
}

impl Part {
    pub(crate) fn apply(self, a: &mut Account) {
        match self {
            Part::Iam(iam) => a.iam = *iam,
            Part::S3(buckets, block) => {
                a.storage.s3_buckets.extend(buckets);
                a.storage.account_public_access_block = block;
            }
            Part::Zones(zones) => a.dns.hosted_zones.extend(zones),
            Part::Kms(keys) => a.kms_keys.extend(keys),
            Part::Ec2(region) => {
                let region = *region;
                let n = &mut a.network;
                let r = region.network;
                n.vpcs.extend(r.vpcs);
                n.subnets.extend(r.subnets);
                n.security_groups.extend(r.security_groups);
                n.flow_logs.extend(r.flow_logs);
                n.route_tables.extend(r.route_tables);
                n.internet_gateways.extend(r.internet_gateways);
                n.nat_gateways.extend(r.nat_gateways);
                n.transit_gateways.extend(r.transit_gateways);
                n.transit_gateway_attachments
                    .extend(r.transit_gateway_attachments);
                n.vpn_connections.extend(r.vpn_connections);
                n.network_acls.extend(r.network_acls);
                n.vpc_endpoints.extend(r.vpc_endpoints);
                n.transit_gateway_route_tables
                    .extend(r.transit_gateway_route_tables);
                a.storage.ebs_encryption_defaults.extend(region.ebs_default);
                a.storage.ebs_volumes.extend(region.volumes);
            }
            Part::Acm(certs) => a.certificates.acm.extend(certs),
            Part::Trails(trails) => a.logging.cloudtrail_trails.extend(trails),
            Part::Config(recorders, aggregators) => {
                a.logging.config_recorders.extend(recorders);
                a.logging.config_aggregators.extend(aggregators);
            }
            Part::Resolver(rules) => a.dns.resolver_rules.extend(rules),
            Part::Rds(instances, clusters) => {
                a.storage.rds_instances.extend(instances);
                a.storage.rds_clusters.extend(clusters);
            }
            Part::Listeners(listeners) => a.network.load_balancer_listeners.extend(listeners),
            Part::Contacts(contacts) => a.alternate_contacts = contacts,
            Part::SecurityServices(statuses) => a.security_services.extend(statuses),
            Part::Shares(shares) => a.resource_shares.extend(shares),
            Part::DirectConnect(connections) => {
                a.network.direct_connect_connections.extend(connections);
            }
        }
    }
}
