//! Transit gateway route tables in one region: which attachments each one routes for
//! (associations), which attachments feed it routes (propagations), and its routes.

use rampart_model::{Operation, TransitGatewayRoute, TransitGatewayRouteTable};

use crate::ec2_query::{unreadable, Ec2, Element, Params, XmlError};
use crate::session::Scope;
use crate::util::api;

/// At most this many routes come back from `SearchTransitGatewayRoutes` (its default and
/// largest `MaxResults`).
const ROUTE_LIMIT: &str = "1000";

/// Reads the region's route tables with their associations, propagations and routes. A
/// table whose associations, propagations or routes could not be read (or had more routes
/// than one search returns) keeps that part absent, with a gap on it.
pub(crate) async fn route_tables(ec2: &Ec2, scope: &Scope<'_>) -> Vec<TransitGatewayRouteTable> {
    let list = Operation::Ec2DescribeTransitGatewayRouteTables;
    let items = match ec2.describe(list, "transitGatewayRouteTables").await {
        Ok(items) => items,
        Err(failure) => {
            scope.operation_gap(list, None, &failure);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in &items {
        let mut table = match route_table(item, scope) {
            Ok(t) => t,
            Err(e) => {
                scope.operation_gap(list, None, &unreadable(&e));
                return Vec::new();
            }
        };
        let id = table.route_table_id.clone();
        table.associations = attachments(
            ec2,
            scope,
            &table.arn,
            Operation::Ec2GetTransitGatewayRouteTableAssociations,
            &id,
            "associations",
        )
        .await;
        table.propagations = attachments(
            ec2,
            scope,
            &table.arn,
            Operation::Ec2GetTransitGatewayRouteTablePropagations,
            &id,
            "transitGatewayRouteTablePropagations",
        )
        .await;
        table.routes = routes(ec2, scope, &table.arn, &id).await;
        out.push(table);
    }
    out
}

fn route_table(e: &Element, scope: &Scope<'_>) -> Result<TransitGatewayRouteTable, XmlError> {
    let id = e
        .text("transitGatewayRouteTableId")
        .ok_or_else(|| XmlError("a route table has no `transitGatewayRouteTableId`".to_owned()))?
        .to_owned();
    Ok(TransitGatewayRouteTable {
        arn: format!(
            "arn:aws:ec2:{}:{}:transit-gateway-route-table/{id}",
            scope.region, scope.account_id
        ),
        account_id: scope.account_id.to_owned(),
        region: scope.region.to_owned(),
        tags: e
            .items("tagSet")
            .filter_map(|t| {
                Some((
                    t.text("key")?.to_owned(),
                    t.text("value").unwrap_or_default().to_owned(),
                ))
            })
            .collect(),
        source: api(Operation::Ec2DescribeTransitGatewayRouteTables),
        transit_gateway_id: e.text("transitGatewayId").unwrap_or_default().to_owned(),
        default_association: e.boolean("defaultAssociationRouteTable")?.unwrap_or(false),
        default_propagation: e.boolean("defaultPropagationRouteTable")?.unwrap_or(false),
        associations: None,
        propagations: None,
        routes: None,
        route_table_id: id,
    })
}

/// The attachment ids of a paginated association or propagation list (those not being
/// removed), sorted.
async fn attachments(
    ec2: &Ec2,
    scope: &Scope<'_>,
    arn: &str,
    operation: Operation,
    table_id: &str,
    list: &str,
) -> Option<Vec<String>> {
    let params = Params::default().with("TransitGatewayRouteTableId", table_id);
    match ec2.describe_with(operation, &params, list).await {
        Ok(items) => {
            let mut ids: Vec<String> = items
                .iter()
                .filter(|i| {
                    !matches!(
                        i.text("state"),
                        Some("disassociating" | "disabling" | "disabled")
                    )
                })
                .filter_map(|i| i.text("transitGatewayAttachmentId").map(str::to_owned))
                .collect();
            ids.sort();
            ids.dedup();
            Some(ids)
        }
        Err(failure) => {
            scope.operation_gap(operation, Some(arn), &failure);
            None
        }
    }
}

/// The table's static and propagated routes (active and blackhole).
async fn routes(
    ec2: &Ec2,
    scope: &Scope<'_>,
    arn: &str,
    table_id: &str,
) -> Option<Vec<TransitGatewayRoute>> {
    let op = Operation::Ec2SearchTransitGatewayRoutes;
    let params = Params::default()
        .with("TransitGatewayRouteTableId", table_id)
        .with("Filter.1.Name", "type")
        .with("Filter.1.Value.1", "static")
        .with("Filter.1.Value.2", "propagated");
    let read = ec2.call(op, params).await.and_then(|page| {
        if page
            .boolean("additionalRoutesAvailable")
            .map_err(|e| unreadable(&e))?
            == Some(true)
        {
            return Err(crate::calls::Failure {
                code: None,
                kind: crate::calls::FailureKind::Other,
                reason: format!(
                    "more than {ROUTE_LIMIT} routes: one search returns at most {ROUTE_LIMIT}"
                ),
            });
        }
        Ok(page.items("routeSet").map(route).collect::<Vec<_>>())
    });
    match read {
        Ok(mut routes) => {
            routes.sort_by(|a, b| {
                (&a.destination, &a.route_type).cmp(&(&b.destination, &b.route_type))
            });
            Some(routes)
        }
        Err(failure) => {
            scope.operation_gap(op, Some(arn), &failure);
            None
        }
    }
}

fn route(r: &Element) -> TransitGatewayRoute {
    let mut attachment_ids: Vec<String> = r
        .items("transitGatewayAttachments")
        .filter_map(|a| a.text("transitGatewayAttachmentId").map(str::to_owned))
        .collect();
    attachment_ids.sort();
    TransitGatewayRoute {
        destination: r
            .text("destinationCidrBlock")
            .or_else(|| r.text("prefixListId"))
            .unwrap_or_default()
            .to_owned(),
        route_type: r.text("type").unwrap_or_default().to_owned(),
        state: r.text("state").unwrap_or_default().to_owned(),
        attachment_ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2_query::parse_success;

    #[test]
    fn routes_name_their_attachments() {
        let root = parse_success(
            "SearchTransitGatewayRoutes",
            br#"<SearchTransitGatewayRoutesResponse><routeSet>
<item><destinationCidrBlock>10.1.0.0/16</destinationCidrBlock><type>propagated</type><state>active</state>
<transitGatewayAttachments><item><transitGatewayAttachmentId>tgw-attach-b</transitGatewayAttachmentId></item><item><transitGatewayAttachmentId>tgw-attach-a</transitGatewayAttachmentId></item></transitGatewayAttachments></item>
<item><prefixListId>pl-1</prefixListId><type>static</type><state>blackhole</state></item>
</routeSet><additionalRoutesAvailable>false</additionalRoutesAvailable></SearchTransitGatewayRoutesResponse>"#,
        )
        .expect("parses");
        let routes: Vec<TransitGatewayRoute> = root.items("routeSet").map(route).collect();
        assert_eq!(routes[0].destination, "10.1.0.0/16");
        assert_eq!(routes[0].attachment_ids, ["tgw-attach-a", "tgw-attach-b"]);
        assert_eq!(routes[1].destination, "pl-1");
        assert_eq!(routes[1].state, "blackhole");
        assert!(routes[1].attachment_ids.is_empty());
    }
}
