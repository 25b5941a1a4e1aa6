//! CloudTrail trails whose home is one region, with status and event selectors. Trails of
//! other regions and accounts (multi-region shadows, the organization trail) are listed too,
//! but each only in its home region so that it appears once.

use rampart_model::CloudTrailTrail;
use rampart_model::{Operation, Service};

use crate::calls::Failure;
use crate::session::{client, Scope, Session};
use crate::util::{api, tags};

/// Reads the trails homed in the region.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Vec<CloudTrailTrail> {
    let ct = client!(session, aws_sdk_cloudtrail, scope.region);
    let trails = match ct
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(t) => t.trail_list().to_vec(),
        Err(e) => {
            scope.service_gap(
                Service::Cloudtrail,
                Operation::CloudtrailDescribeTrails,
                &Failure::of(&e),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for t in trails {
        if t.home_region().is_some_and(|home| home != scope.region) {
            continue;
        }
        let Some(arn) = t.trail_arn().map(str::to_owned) else {
            continue;
        };
        // The owner is in the ARN: an organization trail shows in member accounts too.
        let owner = arn.split(':').nth(4).unwrap_or(scope.account_id).to_owned();
        let is_logging = match ct.get_trail_status().name(&arn).send().await {
            Ok(s) => s.is_logging().unwrap_or(false),
            Err(e) => {
                scope.operation_gap(
                    Operation::CloudtrailGetTrailStatus,
                    Some(&arn),
                    &Failure::of(&e),
                );
                if owner != scope.account_id {
                    // Another account's trail (the organization trail seen from a member)
                    // whose status is unknown here: its owner's copy is the one to judge.
                    continue;
                }
                false
            }
        };
        let (management_events, data_event_selectors) =
            match ct.get_event_selectors().trail_name(&arn).send().await {
                Ok(s) => {
                    let basic = s.event_selectors();
                    let advanced = s.advanced_event_selectors();
                    let management = if !advanced.is_empty() {
                        let mgmt = advanced.iter().any(|a| {
                            a.field_selectors().iter().any(|f| {
                                f.field() == "eventCategory"
                                    && f.equals().iter().any(|v| v == "Management")
                            })
                        });
                        if mgmt { "All" } else { "None" }.to_owned()
                    } else if basic
                        .iter()
                        .any(|b| b.include_management_events().unwrap_or(true))
                    {
                        basic
                            .iter()
                            .find(|b| b.include_management_events().unwrap_or(true))
                            .and_then(|b| b.read_write_type())
                            .map_or("All", |r| r.as_str())
                            .to_owned()
                    } else if basic.is_empty() {
                        "All".to_owned()
                    } else {
                        "None".to_owned()
                    };
                    let data = if advanced.is_empty() {
                        basic
                            .iter()
                            .filter(|b| !b.data_resources().is_empty())
                            .count()
                    } else {
                        advanced
                            .iter()
                            .filter(|a| {
                                a.field_selectors().iter().any(|f| {
                                    f.field() == "eventCategory"
                                        && f.equals().iter().any(|v| v == "Data")
                                })
                            })
                            .count()
                    };
                    (Some(management), u32::try_from(data).unwrap_or(u32::MAX))
                }
                Err(e) => {
                    scope.operation_gap(
                        Operation::CloudtrailGetEventSelectors,
                        Some(&arn),
                        &Failure::of(&e),
                    );
                    (None, 0)
                }
            };
        let trail_tags = if owner == scope.account_id {
            match ct.list_tags().resource_id_list(&arn).send().await {
                Ok(l) => tags(
                    l.resource_tag_list()
                        .iter()
                        .flat_map(|r| r.tags_list())
                        .map(|t| (t.key(), t.value().unwrap_or_default())),
                ),
                Err(e) => {
                    scope.operation_gap(
                        Operation::CloudtrailListTags,
                        Some(&arn),
                        &Failure::of(&e),
                    );
                    Default::default()
                }
            }
        } else {
            Default::default()
        };
        out.push(CloudTrailTrail {
            account_id: owner,
            region: scope.region.to_owned(),
            tags: trail_tags,
            source: api(Operation::CloudtrailDescribeTrails),
            name: t.name().unwrap_or_default().to_owned(),
            is_multi_region: t.is_multi_region_trail().unwrap_or(false),
            is_organization_trail: t.is_organization_trail().unwrap_or(false),
            is_logging,
            log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
            kms_key_arn: t.kms_key_id().map(str::to_owned),
            s3_bucket_name: t.s3_bucket_name().unwrap_or_default().to_owned(),
            management_events,
            data_event_selectors,
            arn,
        });
    }
    out
}
