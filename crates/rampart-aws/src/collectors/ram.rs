//! AWS RAM resource shares the account owns in one region, with whom and what they share.

use std::collections::BTreeMap;

use rampart_model::{Operation, ResourceShare, Service};
use serde_json::{json, Value};

use crate::rest::{Request, RestClient, RAM};
use crate::session::{Scope, Session};
use crate::util::{api, json_tags};

/// Association states that mean the principal or resource is (being) shared.
const LIVE: [&str; 2] = ["ASSOCIATED", "ASSOCIATING"];

/// Reads the region's shares. The list failing is a gap on RAM in the region; one
/// share's associations failing leaves that share's `principals` or `resources` absent.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Vec<ResourceShare> {
    let client = RestClient::of(&RAM, session, scope.region);
    let list = Operation::RamGetResourceShares;
    let shares = match client
        .pages(list, "resourceShares", |token| {
            let mut body = json!({"resourceOwner": "SELF"});
            if let Some(t) = token {
                body["nextToken"] = json!(t);
            }
            Request::post("/getresourceshares", &body)
        })
        .await
    {
        Ok(shares) => shares,
        Err(failure) => {
            scope.service_gap(Service::Ram, list, &failure);
            return Vec::new();
        }
    };
    let mut out: Vec<ResourceShare> = shares
        .iter()
        .filter_map(|s| share(s, &scope))
        .filter(|s| s.status != "DELETED")
        .collect();
    if out.is_empty() {
        return out;
    }
    let arns: Vec<String> = out.iter().map(|s| s.arn.clone()).collect();
    for (kind, principals) in [("PRINCIPAL", true), ("RESOURCE", false)] {
        let op = Operation::RamGetResourceShareAssociations;
        match associations(&client, &arns, kind).await {
            Ok(mut by_share) => {
                for s in &mut out {
                    let entities = by_share.remove(&s.arn).unwrap_or_default();
                    if principals {
                        s.principals = Some(entities);
                    } else {
                        s.resources = Some(entities);
                    }
                }
            }
            Err(failure) => {
                for s in &out {
                    scope.operation_gap(op, Some(&s.arn), &failure);
                }
            }
        }
    }
    out
}

/// The live associations of one type, by share ARN, each list sorted.
async fn associations(
    client: &RestClient,
    arns: &[String],
    kind: &str,
) -> Result<BTreeMap<String, Vec<String>>, crate::calls::Failure> {
    let mut by_share: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for chunk in arns.chunks(25) {
        let items = client
            .pages(
                Operation::RamGetResourceShareAssociations,
                "resourceShareAssociations",
                |token| {
                    let mut body = json!({"associationType": kind, "resourceShareArns": chunk});
                    if let Some(t) = token {
                        body["nextToken"] = json!(t);
                    }
                    Request::post("/getresourceshareassociations", &body)
                },
            )
            .await?;
        for a in &items {
            let state = a.get("status").and_then(Value::as_str).unwrap_or_default();
            let (Some(share), Some(entity)) = (
                a.get("resourceShareArn").and_then(Value::as_str),
                a.get("associatedEntity").and_then(Value::as_str),
            ) else {
                continue;
            };
            if LIVE.contains(&state) {
                by_share
                    .entry(share.to_owned())
                    .or_default()
                    .push(entity.to_owned());
            }
        }
    }
    for entities in by_share.values_mut() {
        entities.sort();
        entities.dedup();
    }
    Ok(by_share)
}

/// One share of `GetResourceShares`; none without an ARN.
fn share(s: &Value, scope: &Scope<'_>) -> Option<ResourceShare> {
    let text = |k: &str| {
        s.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let arn = s
        .get("resourceShareArn")
        .and_then(Value::as_str)?
        .to_owned();
    Some(ResourceShare {
        arn,
        account_id: scope.account_id.to_owned(),
        region: scope.region.to_owned(),
        tags: json_tags(s.get("tags")),
        source: api(Operation::RamGetResourceShares),
        name: text("name"),
        status: text("status"),
        allow_external_principals: s
            .get("allowExternalPrincipals")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        principals: None,
        resources: None,
    })
}
