//! Load balancer listeners in one region: how clients connect to each application, network
//! and gateway load balancer (protocol, port, TLS policy, redirect to HTTPS).
//!
//! Read through [`crate::ec2_query`]'s Query client with the Elastic Load Balancing v2 API
//! (not `aws-sdk-elasticloadbalancingv2`, to keep the cold build within its budget).
//! Classic load balancers are not read.

use rampart_model::{LoadBalancerListener, Operation, Service, Tags};

use crate::calls::Failure;
use crate::ec2_query::{unreadable, Element, Params, QueryClient, XmlError, ELB};
use crate::session::{Scope, Session};
use crate::util::api;

/// Pages of `DescribeLoadBalancers` and `DescribeListeners`: `<member>`s, `NextMarker`.
const PAGES: (&str, &str) = ("member", "NextMarker");

/// A load balancer, as its listeners need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LoadBalancer {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) scheme: String,
}

/// Reads every listener of every load balancer of the region.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Vec<LoadBalancerListener> {
    let elb = QueryClient::of(&ELB, session, scope.region);
    let balancers = elb
        .describe_marked(
            Operation::ElbDescribeLoadBalancers,
            &Params::default(),
            ("LoadBalancers", PAGES.0, PAGES.1),
        )
        .await
        .and_then(|items| {
            items
                .iter()
                .map(load_balancer)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| unreadable(&e))
        });
    let balancers = match balancers {
        Ok(b) => b,
        Err(failure) => {
            scope.service_gap(
                Service::Elasticloadbalancing,
                Operation::ElbDescribeLoadBalancers,
                &failure,
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for lb in &balancers {
        let read = elb
            .describe_marked(
                Operation::ElbDescribeListeners,
                &Params::default().with("LoadBalancerArn", lb.arn.clone()),
                ("Listeners", PAGES.0, PAGES.1),
            )
            .await
            .and_then(|items| {
                items
                    .iter()
                    .map(|e| listener(e, lb, scope.account_id, scope.region))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| unreadable(&e))
            });
        match read {
            Ok(listeners) => out.extend(listeners),
            Err(failure) => {
                gap(&scope, &lb.arn, &failure);
            }
        }
    }
    out
}

fn gap(scope: &Scope<'_>, arn: &str, failure: &Failure) {
    scope.operation_gap(Operation::ElbDescribeListeners, Some(arn), failure);
}

/// One `<member>` of `DescribeLoadBalancers`.
pub(crate) fn load_balancer(e: &Element) -> Result<LoadBalancer, XmlError> {
    let arn = e
        .text("LoadBalancerArn")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| XmlError("a load balancer has no `LoadBalancerArn`".to_owned()))?;
    Ok(LoadBalancer {
        arn: arn.to_owned(),
        name: e.text("LoadBalancerName").unwrap_or_default().to_owned(),
        kind: e.text("Type").unwrap_or("application").to_owned(),
        scheme: e.text("Scheme").unwrap_or_default().to_owned(),
    })
}

/// One `<member>` of `DescribeListeners`.
pub(crate) fn listener(
    e: &Element,
    lb: &LoadBalancer,
    account_id: &str,
    region: &str,
) -> Result<LoadBalancerListener, XmlError> {
    let arn = e
        .text("ListenerArn")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| XmlError("a listener has no `ListenerArn`".to_owned()))?;
    let port = match e.text("Port") {
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| XmlError(format!("listener `{arn}`: `Port` is not a port: `{p}`")))?,
        None => 0,
    };
    let actions: Vec<&Element> = e
        .child("DefaultActions")
        .into_iter()
        .flat_map(|l| l.children.iter())
        .filter(|a| a.name == "member")
        .collect();
    let redirects_to_https = !actions.is_empty()
        && actions.iter().all(|a| {
            a.text("Type") == Some("redirect")
                && a.child("RedirectConfig")
                    .and_then(|r| r.text("Protocol"))
                    .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
        });
    Ok(LoadBalancerListener {
        arn: arn.to_owned(),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        tags: Tags::new(),
        source: api(Operation::ElbDescribeListeners),
        load_balancer_arn: lb.arn.clone(),
        load_balancer_name: lb.name.clone(),
        load_balancer_type: lb.kind.clone(),
        scheme: lb.scheme.clone(),
        port,
        protocol: e.text("Protocol").unwrap_or_default().to_owned(),
        ssl_policy: e
            .text("SslPolicy")
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        redirects_to_https,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2_query::parse_success;

    const BALANCERS: &str = r#"<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeLoadBalancersResult>
    <LoadBalancers>
      <member>
        <LoadBalancerArn>arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188</LoadBalancerArn>
        <LoadBalancerName>web</LoadBalancerName>
        <Scheme>internet-facing</Scheme>
        <Type>application</Type>
      </member>
    </LoadBalancers>
  </DescribeLoadBalancersResult>
</DescribeLoadBalancersResponse>"#;

    const LISTENERS: &str = r#"<DescribeListenersResponse>
  <DescribeListenersResult>
    <Listeners>
      <member>
        <ListenerArn>arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2</ListenerArn>
        <Port>443</Port>
        <Protocol>HTTPS</Protocol>
        <SslPolicy>ELBSecurityPolicy-TLS13-1-2-2021-06</SslPolicy>
        <DefaultActions><member><Type>forward</Type></member></DefaultActions>
      </member>
      <member>
        <ListenerArn>arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc6c495c0c9188/aaaa</ListenerArn>
        <Port>80</Port>
        <Protocol>HTTP</Protocol>
        <DefaultActions><member><Type>redirect</Type><RedirectConfig><Protocol>HTTPS</Protocol><Port>443</Port><StatusCode>HTTP_301</StatusCode></RedirectConfig></member></DefaultActions>
      </member>
      <member>
        <ListenerArn>arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc6c495c0c9188/bbbb</ListenerArn>
        <Port>8080</Port>
        <Protocol>HTTP</Protocol>
        <DefaultActions><member><Type>forward</Type></member></DefaultActions>
      </member>
    </Listeners>
  </DescribeListenersResult>
</DescribeListenersResponse>"#;

    fn members<'a>(root: &'a Element, result: &str, list: &str) -> Vec<&'a Element> {
        root.child(result)
            .and_then(|r| r.child(list))
            .map(|l| l.children.iter().collect())
            .unwrap_or_default()
    }

    #[test]
    fn listeners_are_read_with_their_load_balancer() {
        let root = parse_success("DescribeLoadBalancers", BALANCERS.as_bytes()).expect("parses");
        let lbs: Vec<LoadBalancer> = members(&root, "DescribeLoadBalancersResult", "LoadBalancers")
            .into_iter()
            .map(load_balancer)
            .collect::<Result<_, _>>()
            .expect("reads");
        assert_eq!(lbs.len(), 1);
        assert_eq!(
            (lbs[0].kind.as_str(), lbs[0].scheme.as_str()),
            ("application", "internet-facing")
        );
        let root = parse_success("DescribeListeners", LISTENERS.as_bytes()).expect("parses");
        let read: Vec<LoadBalancerListener> =
            members(&root, "DescribeListenersResult", "Listeners")
                .into_iter()
                .map(|e| listener(e, &lbs[0], "111122223333", "eu-west-1"))
                .collect::<Result<_, _>>()
                .expect("reads");
        assert_eq!(read.len(), 3);
        assert_eq!(read[0].port, 443);
        assert_eq!(
            read[0].ssl_policy.as_deref(),
            Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
        );
        assert!(!read[0].redirects_to_https);
        assert!(read[1].redirects_to_https && read[1].ssl_policy.is_none());
        assert!(!read[2].redirects_to_https);
        assert_eq!(read[2].load_balancer_name, "web");
    }

    #[test]
    fn a_bad_port_is_an_error() {
        let root = parse_success(
            "DescribeListeners",
            br#"<DescribeListenersResponse><DescribeListenersResult><Listeners><member><ListenerArn>x</ListenerArn><Port>http</Port></member></Listeners></DescribeListenersResult></DescribeListenersResponse>"#,
        )
        .expect("parses");
        let lb = LoadBalancer {
            arn: "lb".into(),
            name: "lb".into(),
            kind: "application".into(),
            scheme: "internal".into(),
        };
        let e = members(&root, "DescribeListenersResult", "Listeners")[0];
        assert!(listener(e, &lb, "1", "eu-west-1").is_err());
    }
}
