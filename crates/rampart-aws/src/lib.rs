//! rampart's live AWS collectors: read an organization into one [`Snapshot`].
//!
//! The organization's structure comes from AWS Organizations (the management account or a
//! delegated administrator). Each selected account is read through an assumed member role,
//! each selected region in parallel, under one concurrency limit. Whatever cannot be read
//! becomes a [`CoverageGap`]; nothing here fails a collection except being unable to read
//! the organization itself.
//!
//! Every AWS call goes through [`calls`]: its interceptor refuses anything but the listed
//! read operations.

pub mod aggregator;
pub mod calls;
mod collectors;
mod ec2_query;
mod org;
mod reader;
mod rest;
mod session;
pub mod shard;
mod util;

/// The emulator helper the workspace's tests share (`moto_server` from `.venv`).
#[cfg(test)]
#[path = "../../../tests/common/moto.rs"]
#[allow(
    dead_code,
    reason = "the collector tests need the server, not the seed"
)]
mod test_moto;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use rampart_model::{
    Account, AccountStatus, CoverageGap, Operation, Service, Snapshot, SnapshotSource,
    SnapshotSourceKind, GLOBAL_REGION, SCHEMA_VERSION,
};
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::calls::{Failure, Recorder};
use crate::org::OrgAccount;
use crate::reader::Job;
pub use crate::reader::Reader;
use crate::session::{Gaps, Scope, Session};
pub use crate::shard::Shard;

/// The default number of reads in flight at once (each is one service in one account and
/// region, issuing its calls one after another). AWS limits apply per account and service,
/// so spreading over accounts keeps well inside them; the SDK's adaptive retry backs off
/// on throttling.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The default role assumed in member accounts.
pub const DEFAULT_MEMBER_ROLE: &str = "OrganizationAccountAccessRole";

/// The default time one attempt of an AWS call may take before it is abandoned (and
/// retried, while attempts remain).
pub const DEFAULT_CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Which regions to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// Every region enabled in each account (`ec2:DescribeRegions`).
    Enabled,
    /// These regions; one that an account has not enabled is a coverage gap there.
    List(Vec<String>),
}

/// Which accounts to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every account of the organization.
    All,
    /// These account ids.
    Accounts(Vec<String>),
    /// Every account under these OUs (or the root), at any depth.
    Ous(Vec<String>),
}

/// Where resources are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceSource {
    /// Every account's APIs, through the member role.
    Live,
    /// An AWS Config aggregator in the calling account (`SelectAggregateResourceConfig`).
    ConfigAggregator(String),
}

/// Everything `rampart collect` can be asked.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// A named profile of the shared config files (the standard chain otherwise).
    pub profile: Option<String>,
    /// Regions to read.
    pub regions: Regions,
    /// Role assumed in each member account.
    pub member_role: String,
    /// Accounts to read.
    pub selection: Selection,
    /// This worker's share of the accounts.
    pub shard: Option<Shard>,
    /// Reads in flight at once.
    pub concurrency: usize,
    /// A custom endpoint for every service (an emulator); `AWS_ENDPOINT_URL` also works.
    pub endpoint_url: Option<String>,
    /// Where resources come from.
    pub source: ResourceSource,
    /// How long one attempt of a call may take; the call with its retries may take five
    /// times as long, and connecting at most ten seconds.
    pub call_timeout: std::time::Duration,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            profile: None,
            regions: Regions::Enabled,
            member_role: DEFAULT_MEMBER_ROLE.to_owned(),
            selection: Selection::All,
            shard: None,
            concurrency: DEFAULT_CONCURRENCY,
            endpoint_url: None,
            source: ResourceSource::Live,
            call_timeout: DEFAULT_CALL_TIMEOUT,
        }
    }
}

/// Why a collection could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The organization could not be described.
    #[error(
        "cannot read the organization: {0} (run from the management account or a delegated \
         administrator, with organizations:Describe*/List* permissions)"
    )]
    Organization(String),
    /// The caller's identity could not be established.
    #[error("cannot establish the caller's identity (sts:GetCallerIdentity): {0}")]
    Identity(String),
    /// The selection names accounts or OUs the organization does not have.
    #[error("{0}")]
    Selection(String),
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(String),
    /// The collected snapshot could not be redacted (`rampart_model::redact`).
    #[error("cannot redact the snapshot: {0}")]
    Redaction(String),
}

/// Progress events, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The organization is read; this many accounts will be.
    Planned {
        /// Accounts to read.
        accounts: usize,
    },
    /// An account's regions are known; this many reads will follow.
    AccountStarted {
        /// The account.
        account_id: String,
        /// Reads (services × regions) planned for it.
        reads: usize,
    },
    /// One read finished (with or without gaps).
    ReadDone {
        /// The account.
        account_id: String,
    },
    /// Every read of an account finished.
    AccountDone {
        /// The account.
        account_id: String,
    },
}

/// Receives progress events. Must be cheap: it is called from the collection tasks.
pub trait Progress: Send + Sync {
    /// One event.
    fn event(&self, event: Event);
}

/// Ignores progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _event: Event) {}
}

/// What a collection read, for the end-of-run summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Accounts in the organization.
    pub organization_accounts: usize,
    /// Accounts selected (after `--accounts`/`--ous` and `--shard`), active only.
    pub accounts_selected: usize,
    /// Selected accounts of which something was read.
    pub accounts_read: usize,
    /// Selected accounts of which nothing could be read (the member role could not be
    /// assumed, or every read ended in a gap).
    pub unreadable_accounts: Vec<String>,
    /// Regions read, over all accounts.
    pub regions: Vec<String>,
    /// Services read.
    pub services: Vec<String>,
    /// Reads planned: (account, region, service) for regional services plus (account,
    /// service) for global ones.
    pub reads: usize,
    /// Reads that ended with at least one gap.
    pub reads_with_gaps: usize,
    /// Coverage gaps recorded.
    pub gaps: usize,
    /// The gaps by service (its IAM prefix), with the reason most of them give.
    pub gaps_by_service: std::collections::BTreeMap<String, GapsOfService>,
    /// API calls issued.
    pub api_calls: u64,
    /// API calls by operation.
    pub calls_by_operation: std::collections::BTreeMap<String, u64>,
    /// Wall-clock time in milliseconds.
    pub duration_ms: u64,
}

/// The coverage gaps of one service, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GapsOfService {
    /// Gaps recorded.
    pub gaps: usize,
    /// Accounts they are in (`*` for the organization counts as one).
    pub accounts: usize,
    /// The most frequent reason, prefixed with the operation when the gap names one and
    /// the reason does not (the first in order among equally frequent ones).
    pub reason: String,
    /// Distinct reasons.
    pub reasons: usize,
}

impl GapsOfService {
    /// Groups gaps by service.
    pub fn of(coverage: &[CoverageGap]) -> std::collections::BTreeMap<String, GapsOfService> {
        use std::collections::BTreeMap;
        let mut by_service: BTreeMap<&str, Vec<&CoverageGap>> = BTreeMap::new();
        for gap in coverage {
            by_service
                .entry(gap.service.prefix())
                .or_default()
                .push(gap);
        }
        by_service
            .into_iter()
            .map(|(service, gaps)| {
                let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
                for gap in &gaps {
                    let reason = match gap.operation {
                        Some(op) if !gap.reason.starts_with(op.name()) => {
                            format!("{}: {}", op.name(), gap.reason)
                        }
                        _ => gap.reason.clone(),
                    };
                    *reasons.entry(reason).or_default() += 1;
                }
                let accounts: BTreeSet<&str> = gaps.iter().map(|g| g.account_id.as_str()).collect();
                let reason = reasons
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(r, _)| r.clone())
                    .unwrap_or_default();
                let group = GapsOfService {
                    gaps: gaps.len(),
                    accounts: accounts.len(),
                    reason,
                    reasons: reasons.len(),
                };
                (service.to_owned(), group)
            })
            .collect()
    }
}

/// A finished collection.
#[derive(Debug, Clone)]
pub struct Collected {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// What was read.
    pub summary: Summary,
}

/// Runs a collection on a new multi-threaded runtime.
pub fn collect_blocking(
    options: &CollectOptions,
    progress: Arc<dyn Progress>,
) -> Result<Collected, CollectError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectError::Runtime(e.to_string()))?;
    runtime.block_on(collect(options, progress))
}

/// Collects a snapshot.
pub async fn collect(
    options: &CollectOptions,
    progress: Arc<dyn Progress>,
) -> Result<Collected, CollectError> {
    let started = Instant::now();
    let recorder = Recorder::default();
    let base_config = session::load_base(
        options.profile.as_deref(),
        options.endpoint_url.as_deref(),
        options.call_timeout,
    )
    .await;
    let mut base = Session::new(base_config, recorder.clone(), String::new());
    let caller = session::client!(&base, aws_sdk_sts, base.home_region())
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| CollectError::Identity(Failure::of(&e).reason))?;
    let caller_account = caller.account().unwrap_or_default().to_owned();
    let caller_arn = caller.arn().unwrap_or_default().to_owned();
    tracing::info!(account = %caller_account, arn = %caller_arn, "caller identity");
    base.account_id.clone_from(&caller_account);
    if let Some(partition) = caller_arn.split(':').nth(1).filter(|p| !p.is_empty()) {
        base.partition = partition.to_owned();
    }

    let gaps = Gaps::default();
    // Organization data (OUs, tags inherited down the tree, policies) bears on every account.
    let org_scope = Scope {
        account_id: "*",
        region: "*",
        gaps: &gaps,
    };
    let org = org::read(&base, org_scope).await?;
    let selected = select(&org, options)?;
    progress.event(Event::Planned {
        accounts: selected.len(),
    });
    tracing::info!(
        organization = %org.organization.id,
        accounts = org.accounts.len(),
        selected = selected.len(),
        "organization read"
    );

    let mut summary = Summary {
        organization_accounts: org.accounts.len(),
        accounts_selected: selected.len(),
        ..Summary::default()
    };
    let (accounts, reads) = match &options.source {
        ResourceSource::Live => {
            collect_accounts(&base, &selected, options, &gaps, progress.clone()).await
        }
        ResourceSource::ConfigAggregator(name) => {
            let accounts =
                aggregator::collect(&base, name, &selected, &options.regions, &gaps).await;
            let outcomes = accounts
                .iter()
                .map(|a| ReadOutcome {
                    account_id: a.id.clone(),
                    services: aggregator::COVERED.iter().map(|t| t.service()).collect(),
                    reads: aggregator::COVERED.len(),
                    ..ReadOutcome::default()
                })
                .collect();
            (accounts, outcomes)
        }
    };
    let mut coverage = gaps.take();
    coverage.sort();
    coverage.dedup();

    let regions: BTreeSet<String> = reads
        .iter()
        .flat_map(|r| r.regions.iter().cloned())
        .collect();
    let services: BTreeSet<&str> = reads
        .iter()
        .flat_map(|r| r.services.iter().map(|s| s.prefix()))
        .collect();
    summary.regions = regions.into_iter().collect();
    summary.services = services.into_iter().map(str::to_owned).collect();
    summary.reads = reads.iter().map(|r| r.reads).sum();
    summary.reads_with_gaps = reads.iter().map(|r| r.reads_with_gaps).sum();
    summary.unreadable_accounts = reads
        .iter()
        .filter(|r| r.nothing_read())
        .map(|r| r.account_id.clone())
        .collect();
    summary.accounts_read = reads.len() - summary.unreadable_accounts.len();
    summary.gaps = coverage.len();
    summary.gaps_by_service = GapsOfService::of(&coverage);
    summary.calls_by_operation = recorder.counts();
    summary.api_calls = recorder.total();
    summary.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

    let regions_text = match &options.regions {
        Regions::Enabled => "enabled regions".to_owned(),
        Regions::List(list) => list.join(","),
    };
    let mut description = format!(
        "rampart collect as {caller_arn} ({regions_text}, member role {})",
        options.member_role
    );
    if let Some(shard) = options.shard {
        description.push_str(&format!(", shard {shard}"));
    }
    let kind = match &options.source {
        ResourceSource::Live => SnapshotSourceKind::Live,
        ResourceSource::ConfigAggregator(name) => {
            description.push_str(&format!(", resources from Config aggregator {name}"));
            SnapshotSourceKind::ConfigAggregator
        }
    };
    let mut snapshot = Snapshot {
        schema_version: SCHEMA_VERSION.to_owned(),
        taken_at: Utc::now(),
        source: SnapshotSource {
            kind,
            description,
            regions: match &options.regions {
                Regions::Enabled => None,
                Regions::List(list) => Some(list.clone()),
            },
        },
        organization: org.organization,
        accounts,
        coverage,
    };
    // No secret is kept: a credential in a tag, a description, a policy's value or an
    // error reason is redacted before the snapshot leaves the collector.
    if rampart_model::redact::redact_snapshot(&mut snapshot)
        .map_err(|e| CollectError::Redaction(e.to_string()))?
    {
        tracing::warn!("credential-looking values in the collected data were redacted");
    }
    Ok(Collected { snapshot, summary })
}

/// The active accounts to read, sorted by id.
fn select(org: &org::OrgData, options: &CollectOptions) -> Result<Vec<OrgAccount>, CollectError> {
    let known: BTreeSet<&str> = org.accounts.iter().map(|a| a.id.as_str()).collect();
    let mut chosen: Vec<OrgAccount> = match &options.selection {
        Selection::All => org.accounts.clone(),
        Selection::Accounts(ids) => {
            if let Some(missing) = ids.iter().find(|id| !known.contains(id.as_str())) {
                return Err(CollectError::Selection(format!(
                    "--accounts: account {missing} is not in organization {}",
                    org.organization.id
                )));
            }
            org.accounts
                .iter()
                .filter(|a| ids.contains(&a.id))
                .cloned()
                .collect()
        }
        Selection::Ous(ids) => {
            let org_model = &org.organization;
            for id in ids {
                if *id != org_model.root.id && org_model.ou(id).is_none() {
                    return Err(CollectError::Selection(format!(
                        "--ous: {id} is neither the root nor an OU of organization {}",
                        org_model.id
                    )));
                }
            }
            org.accounts
                .iter()
                .filter(|a| {
                    let mut parent = a.parent_id.as_str();
                    loop {
                        if ids.iter().any(|id| id == parent) {
                            return true;
                        }
                        match org_model.ou(parent) {
                            Some(ou) => parent = &ou.parent_id,
                            None => return false,
                        }
                    }
                })
                .cloned()
                .collect()
        }
    };
    chosen.retain(|a| {
        let active = a.status == AccountStatus::Active;
        if !active {
            tracing::info!(account = %a.id, status = ?a.status, "not read: account is not active");
        }
        active
    });
    if let Some(shard) = options.shard {
        chosen.retain(|a| shard.owns(&a.id));
    }
    chosen.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(chosen)
}

/// What one account's reads amounted to.
#[derive(Debug, Clone, Default)]
struct ReadOutcome {
    account_id: String,
    regions: Vec<String>,
    services: Vec<Service>,
    reads: usize,
    reads_with_gaps: usize,
    account_unreadable: bool,
}

impl ReadOutcome {
    fn nothing_read(&self) -> bool {
        self.account_unreadable || (self.reads > 0 && self.reads_with_gaps == self.reads)
    }
}

async fn collect_accounts(
    base: &Session,
    selected: &[OrgAccount],
    options: &CollectOptions,
    gaps: &Gaps,
    progress: Arc<dyn Progress>,
) -> (Vec<Account>, Vec<ReadOutcome>) {
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, account) in selected.iter().enumerate() {
        let base = base.clone();
        let account = account.clone();
        let options = options.clone();
        let gaps = gaps.clone();
        let limit = limit.clone();
        let progress = progress.clone();
        tasks.spawn(async move {
            let result =
                collect_account(&base, account, &options, &gaps, limit, progress.as_ref()).await;
            (index, result)
        });
    }
    let mut results: Vec<Option<(Account, ReadOutcome)>> = vec![None; selected.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, result)) => {
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some(result);
                }
            }
            Err(e) => tracing::error!(error = %e, "an account task failed"),
        }
    }
    results.into_iter().flatten().unzip()
}

/// Reads one account: assume the member role, find its regions, then every service.
async fn collect_account(
    base: &Session,
    account: OrgAccount,
    options: &CollectOptions,
    gaps: &Gaps,
    limit: Arc<Semaphore>,
    progress: &dyn Progress,
) -> (Account, ReadOutcome) {
    let id = account.id.clone();
    let mut model = empty_account(&account);
    let mut outcome = ReadOutcome {
        account_id: id.clone(),
        ..ReadOutcome::default()
    };
    let all = Scope {
        account_id: &id,
        region: "*",
        gaps,
    };
    let session = if id == base.account_id {
        base.clone()
    } else {
        let permit = limit.acquire().await;
        let assumed = base.assume(&id, &options.member_role).await;
        drop(permit);
        match assumed {
            Ok(session) => session,
            Err(failure) => {
                tracing::warn!(account = %id, reason = %failure.reason, "cannot assume the member role");
                for reader in Reader::GLOBAL.iter().chain(&Reader::REGIONAL) {
                    let scope = Scope {
                        region: if Reader::GLOBAL.contains(reader) {
                            reader.global_region()
                        } else {
                            "*"
                        },
                        ..all
                    };
                    for service in reader.services() {
                        scope.service_gap(service, Operation::StsAssumeRole, &failure);
                    }
                }
                // The account's own region list could not be read either.
                all.operation_gap(Operation::Ec2DescribeRegions, None, &failure);
                outcome.account_unreadable = true;
                progress.event(Event::AccountStarted {
                    account_id: id.clone(),
                    reads: 0,
                });
                progress.event(Event::AccountDone { account_id: id });
                return (model, outcome);
            }
        }
    };

    let enabled = {
        let _permit = limit.acquire().await;
        collectors::ec2::enabled_regions(&session).await
    };
    let regions: Vec<String> = match (&options.regions, &enabled) {
        (Regions::Enabled, Ok(list)) => list.clone(),
        (Regions::Enabled, Err(failure)) => {
            // Without the region list, read the home region only and say so.
            all.operation_gap(Operation::Ec2DescribeRegions, None, failure);
            vec![session.home_region()]
        }
        (Regions::List(list), Ok(enabled_list)) => {
            let mut read = Vec::new();
            for region in list {
                if enabled_list.contains(region) {
                    read.push(region.clone());
                } else {
                    for service in Reader::REGIONAL.iter().flat_map(|r| r.services()) {
                        gaps.push(CoverageGap {
                            account_id: id.clone(),
                            region: region.clone(),
                            service,
                            reason: format!(
                                "region {region} is not enabled in this account (opt-in region)"
                            ),
                            resource: None,
                            operation: None,
                        });
                    }
                }
            }
            read
        }
        (Regions::List(list), Err(failure)) => {
            all.operation_gap(Operation::Ec2DescribeRegions, None, failure);
            list.clone()
        }
    };
    model.enabled_regions = enabled.ok();
    let planned = Reader::GLOBAL.len() + regions.len() * Reader::REGIONAL.len();
    progress.event(Event::AccountStarted {
        account_id: id.clone(),
        reads: planned,
    });

    let mut tasks = tokio::task::JoinSet::new();
    for reader in Reader::GLOBAL {
        let job = Job {
            session: session.clone(),
            region: reader.global_region().to_owned(),
            reader,
            gaps: Gaps::default(),
        };
        let limit = limit.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire().await;
            job.run().await
        });
    }
    for region in &regions {
        for reader in Reader::REGIONAL {
            let job = Job {
                session: session.clone(),
                region: region.clone(),
                reader,
                gaps: Gaps::default(),
            };
            let limit = limit.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire().await;
                job.run().await
            });
        }
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((part, found)) => {
                outcome.reads += 1;
                if !found.is_empty() {
                    outcome.reads_with_gaps += 1;
                }
                for gap in found {
                    gaps.push(gap);
                }
                part.apply(&mut model);
            }
            Err(e) => tracing::error!(account = %id, error = %e, "a read task failed"),
        }
        progress.event(Event::ReadDone {
            account_id: id.clone(),
        });
    }
    sort_account(&mut model);
    outcome.regions = regions;
    outcome.services = Reader::GLOBAL
        .iter()
        .chain(&Reader::REGIONAL)
        .flat_map(|r| r.services())
        .collect();
    progress.event(Event::AccountDone { account_id: id });
    (model, outcome)
}

/// An account as Organizations describes it, with nothing read from it yet.
fn empty_account(a: &OrgAccount) -> Account {
    Account {
        id: a.id.clone(),
        arn: a.arn.clone(),
        account_id: a.id.clone(),
        region: GLOBAL_REGION.to_owned(),
        name: a.name.clone(),
        email: a.email.clone(),
        status: a.status,
        parent_id: a.parent_id.clone(),
        tags: a.tags.clone(),
        source: util::api(Operation::OrganizationsListAccountsForParent),
        enabled_regions: None,
        iam: Default::default(),
        kms_keys: Vec::new(),
        network: Default::default(),
        storage: Default::default(),
        certificates: Default::default(),
        logging: Default::default(),
        dns: Default::default(),
        security_services: Vec::new(),
        resource_shares: Vec::new(),
        alternate_contacts: None,
    }
}

/// Parts arrive in completion order and collectors list in API order: this one sort makes
/// the output deterministic.
fn sort_account(a: &mut Account) {
    a.iam.roles.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.iam.users.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.iam.managed_policies.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.iam.oidc_providers.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.iam.saml_providers.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.kms_keys.sort_by(|x, y| x.arn.cmp(&y.arn));
    let n = &mut a.network;
    n.vpcs.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.subnets.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.security_groups.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.flow_logs
        .sort_by(|x, y| (&x.region, &x.flow_log_id).cmp(&(&y.region, &y.flow_log_id)));
    n.route_tables.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.internet_gateways.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.nat_gateways.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.transit_gateways.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.transit_gateway_attachments
        .sort_by(|x, y| x.arn.cmp(&y.arn));
    n.vpn_connections.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.network_acls.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.vpc_endpoints.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.load_balancer_listeners.sort_by(|x, y| x.arn.cmp(&y.arn));
    n.transit_gateway_route_tables
        .sort_by(|x, y| x.arn.cmp(&y.arn));
    n.direct_connect_connections
        .sort_by(|x, y| x.arn.cmp(&y.arn));
    let s = &mut a.storage;
    s.s3_buckets.sort_by(|x, y| x.arn.cmp(&y.arn));
    s.ebs_encryption_defaults.sort_by(|x, y| x.arn.cmp(&y.arn));
    s.ebs_volumes.sort_by(|x, y| x.arn.cmp(&y.arn));
    s.rds_instances.sort_by(|x, y| x.arn.cmp(&y.arn));
    s.rds_clusters.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.security_services.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.resource_shares.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.certificates.acm.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.logging
        .cloudtrail_trails
        .sort_by(|x, y| x.arn.cmp(&y.arn));
    a.logging.config_recorders.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.logging
        .config_aggregators
        .sort_by(|x, y| x.arn.cmp(&y.arn));
    a.dns.hosted_zones.sort_by(|x, y| x.arn.cmp(&y.arn));
    a.dns.resolver_rules.sort_by(|x, y| x.arn.cmp(&y.arn));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_model::{Organization, OrganizationalUnit, Root, Tags};

    fn org() -> org::OrgData {
        let ou = |id: &str, parent: &str| OrganizationalUnit {
            id: id.to_owned(),
            arn: format!("arn:aws:organizations::111111111111:ou/o-x/{id}"),
            name: id.to_owned(),
            parent_id: parent.to_owned(),
            tags: Tags::new(),
        };
        let account = |id: &str, parent: &str, status: AccountStatus| OrgAccount {
            id: id.to_owned(),
            arn: format!("arn:aws:organizations::111111111111:account/o-x/{id}"),
            name: format!("account-{id}"),
            email: None,
            status,
            parent_id: parent.to_owned(),
            tags: Tags::new(),
        };
        org::OrgData {
            organization: Organization {
                id: "o-x".to_owned(),
                arn: "arn:aws:organizations::111111111111:organization/o-x".to_owned(),
                management_account_id: "111111111111".to_owned(),
                root: Root {
                    id: "r-1".to_owned(),
                    arn: "arn:aws:organizations::111111111111:root/o-x/r-1".to_owned(),
                    name: "Root".to_owned(),
                    tags: Tags::new(),
                },
                organizational_units: vec![ou("ou-a", "r-1"), ou("ou-b", "ou-a")],
                policies: Vec::new(),
                delegated_administrators: Vec::new(),
            },
            accounts: vec![
                account("333333333333", "ou-b", AccountStatus::Active),
                account("111111111111", "r-1", AccountStatus::Active),
                account("222222222222", "ou-a", AccountStatus::Active),
                account("444444444444", "ou-b", AccountStatus::Suspended),
            ],
        }
    }

    fn ids(selection: Selection, shard: Option<Shard>) -> Result<Vec<String>, String> {
        let options = CollectOptions {
            selection,
            shard,
            ..CollectOptions::default()
        };
        select(&org(), &options)
            .map(|accounts| accounts.into_iter().map(|a| a.id).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_active_account_by_default_in_id_order() {
        assert_eq!(
            ids(Selection::All, None),
            Ok(vec![
                "111111111111".to_owned(),
                "222222222222".to_owned(),
                "333333333333".to_owned()
            ])
        );
    }

    #[test]
    fn ous_select_their_accounts_at_any_depth() {
        assert_eq!(
            ids(Selection::Ous(vec!["ou-a".to_owned()]), None),
            Ok(vec!["222222222222".to_owned(), "333333333333".to_owned()])
        );
        assert_eq!(
            ids(Selection::Ous(vec!["r-1".to_owned()]), None).map(|v| v.len()),
            Ok(3)
        );
        assert_eq!(
            ids(Selection::Ous(vec!["ou-zzz".to_owned()]), None),
            Err("--ous: ou-zzz is neither the root nor an OU of organization o-x".to_owned())
        );
    }

    #[test]
    fn accounts_must_belong_to_the_organization() {
        assert_eq!(
            ids(Selection::Accounts(vec!["222222222222".to_owned()]), None),
            Ok(vec!["222222222222".to_owned()])
        );
        assert_eq!(
            ids(Selection::Accounts(vec!["999999999999".to_owned()]), None),
            Err("--accounts: account 999999999999 is not in organization o-x".to_owned())
        );
        // A suspended account is known but not read.
        assert_eq!(
            ids(Selection::Accounts(vec!["444444444444".to_owned()]), None),
            Ok(Vec::new())
        );
    }

    #[test]
    fn shards_partition_the_selection() {
        let mut all = Vec::new();
        for index in 0..2 {
            let part = ids(Selection::All, Some(Shard { index, count: 2 })).expect("shard");
            all.extend(part);
        }
        all.sort();
        assert_eq!(Ok(all), ids(Selection::All, None));
    }
}
