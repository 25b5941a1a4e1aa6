//! AWS Direct Connect connections in one region.

use rampart_model::{DirectConnectConnection, Operation, Service};
use serde_json::{json, Value};

use crate::rest::{Request, RestClient, DIRECT_CONNECT};
use crate::session::{Scope, Session};
use crate::util::{api, json_tags};

/// Reads the region's connections (`DescribeConnections` is not paginated).
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Vec<DirectConnectConnection> {
    let client = RestClient::of(&DIRECT_CONNECT, session, scope.region);
    let op = Operation::DirectconnectDescribeConnections;
    match client
        .json(
            op,
            Request::json_target("OvertureService.DescribeConnections", &json!({})),
        )
        .await
    {
        Ok(out) => out
            .get("connections")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| connection(c, &scope))
            .collect(),
        Err(failure) => {
            scope.service_gap(Service::Directconnect, op, &failure);
            Vec::new()
        }
    }
}

/// One connection; none without an id.
fn connection(c: &Value, scope: &Scope<'_>) -> Option<DirectConnectConnection> {
    let text = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let id = c.get("connectionId").and_then(Value::as_str)?.to_owned();
    let owner = c
        .get("ownerAccount")
        .and_then(Value::as_str)
        .unwrap_or(scope.account_id);
    Some(DirectConnectConnection {
        arn: format!("arn:aws:directconnect:{}:{owner}:dxcon/{id}", scope.region),
        account_id: scope.account_id.to_owned(),
        region: scope.region.to_owned(),
        tags: json_tags(c.get("tags")),
        source: api(Operation::DirectconnectDescribeConnections),
        name: text("connectionName"),
        state: text("connectionState"),
        location: text("location"),
        bandwidth: text("bandwidth"),
        connection_id: id,
    })
}
