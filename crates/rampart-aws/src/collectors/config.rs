//! AWS Config recorders (with their status) and aggregators in one region.

use rampart_model::{Operation, Service};
use std::collections::BTreeMap;

use rampart_model::{ConfigAggregator, ConfigRecorder};

use crate::calls::Failure;
use crate::session::{client, Scope, Session};
use crate::util::api;

/// Reads the region's recorders and aggregators.
pub(crate) async fn collect(
    session: &Session,
    scope: Scope<'_>,
) -> (Vec<ConfigRecorder>, Vec<ConfigAggregator>) {
    let cfg = client!(session, aws_sdk_config, scope.region);
    let (account, region) = (scope.account_id, scope.region);
    let recorders = match cfg.describe_configuration_recorders().send().await {
        Ok(r) => r.configuration_recorders().to_vec(),
        Err(e) => {
            scope.service_gap(
                Service::Config,
                Operation::ConfigDescribeConfigurationRecorders,
                &Failure::of(&e),
            );
            return (Vec::new(), Vec::new());
        }
    };
    let mut recording: BTreeMap<String, bool> = BTreeMap::new();
    let status_read = match cfg.describe_configuration_recorder_status().send().await {
        Ok(s) => {
            for st in s.configuration_recorders_status() {
                if let Some(name) = st.name() {
                    recording.insert(name.to_owned(), st.recording());
                }
            }
            true
        }
        Err(e) => {
            scope.operation_gap(
                Operation::ConfigDescribeConfigurationRecorderStatus,
                None,
                &Failure::of(&e),
            );
            false
        }
    };
    // Without their status, recorders cannot be judged: the status gap says so.
    let out = if status_read {
        recorders
            .iter()
            .map(|r| {
                let name = r.name().unwrap_or("default").to_owned();
                ConfigRecorder {
                    arn: r.arn().map_or_else(
                        || {
                            format!(
                                "arn:aws:config:{region}:{account}:configuration-recorder/{name}"
                            )
                        },
                        str::to_owned,
                    ),
                    account_id: account.to_owned(),
                    region: region.to_owned(),
                    tags: Default::default(),
                    source: api(Operation::ConfigDescribeConfigurationRecorders),
                    recording: recording.get(&name).copied().unwrap_or(false),
                    all_supported: r.recording_group().is_some_and(|g| g.all_supported()),
                    name,
                }
            })
            .collect()
    } else {
        Vec::new()
    };

    let aggregators = match cfg
        .describe_configuration_aggregators()
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.configuration_aggregators())
            .map(|a| {
                let name = a
                    .configuration_aggregator_name()
                    .unwrap_or_default()
                    .to_owned();
                let org = a.organization_aggregation_source();
                let accounts = a.account_aggregation_sources();
                let all_regions = org.map_or_else(
                    || accounts.iter().all(|s| s.all_aws_regions()) && !accounts.is_empty(),
                    |o| o.all_aws_regions(),
                );
                let mut regions: Vec<String> =
                    org.map(|o| o.aws_regions().to_vec()).unwrap_or_else(|| {
                        accounts
                            .iter()
                            .flat_map(|s| s.aws_regions().to_vec())
                            .collect()
                    });
                regions.sort();
                regions.dedup();
                let mut account_ids: Vec<String> = accounts
                    .iter()
                    .flat_map(|s| s.account_ids().to_vec())
                    .collect();
                account_ids.sort();
                account_ids.dedup();
                ConfigAggregator {
                    arn: a.configuration_aggregator_arn().map_or_else(
                        || format!("arn:aws:config:{region}:{account}:config-aggregator/{name}"),
                        str::to_owned,
                    ),
                    account_id: account.to_owned(),
                    region: region.to_owned(),
                    tags: Default::default(),
                    source: api(Operation::ConfigDescribeConfigurationAggregators),
                    organization: org.is_some(),
                    all_regions,
                    regions,
                    account_ids,
                    name,
                }
            })
            .collect(),
        Err(e) => {
            scope.operation_gap(
                Operation::ConfigDescribeConfigurationAggregators,
                None,
                &Failure::of(&e),
            );
            Vec::new()
        }
    };
    (out, aggregators)
}
