//! Whether GuardDuty, Security Hub, IAM Access Analyzer and Macie are on in one account and
//! region: one [`SecurityServiceStatus`] per service read, and a gap (no status) per service
//! that could not be. "Off" is only what the service itself answers: no detector, a hub the
//! account is not subscribed to, no active analyzer, no Macie session.

use rampart_model::{Operation, SecurityServiceKind, SecurityServiceStatus};
use serde_json::Value;

use crate::calls::Failure;
use crate::rest::{Request, RestClient, ACCESS_ANALYZER, GUARDDUTY, MACIE, SECURITYHUB};
use crate::session::{Scope, Session};
use crate::util::api;

/// Reads the four services' state in the region.
pub(crate) async fn collect(session: &Session, scope: Scope<'_>) -> Vec<SecurityServiceStatus> {
    let (guardduty, securityhub, analyzer, macie) = tokio::join!(
        guardduty(session, &scope),
        securityhub(session, &scope),
        access_analyzer(session, &scope),
        macie(session, &scope),
    );
    [guardduty, securityhub, analyzer, macie]
        .into_iter()
        .flatten()
        .collect()
}

/// The state, or a gap on the service in this region.
struct Read {
    enabled: bool,
    organization_wide: bool,
    detail: Option<String>,
    operation: Operation,
}

fn status(
    scope: &Scope<'_>,
    kind: SecurityServiceKind,
    read: Result<Read, (Operation, Failure)>,
) -> Option<SecurityServiceStatus> {
    match read {
        Ok(read) => Some(SecurityServiceStatus {
            arn: format!(
                "arn:aws:{}:{}:{}:rampart-enablement",
                kind.prefix(),
                scope.region,
                scope.account_id
            ),
            account_id: scope.account_id.to_owned(),
            region: scope.region.to_owned(),
            tags: Default::default(),
            source: api(read.operation),
            service: kind,
            enabled: read.enabled,
            organization_wide: read.organization_wide,
            detail: read.detail,
        }),
        Err((operation, failure)) => {
            scope.service_gap(operation.service(), operation, &failure);
            None
        }
    }
}

/// GuardDuty: on when a detector of the region is `ENABLED`.
async fn guardduty(session: &Session, scope: &Scope<'_>) -> Option<SecurityServiceStatus> {
    let client = RestClient::of(&GUARDDUTY, session, scope.region);
    let read = async {
        let list = Operation::GuarddutyListDetectors;
        let ids = client
            .pages(list, "detectorIds", |token| {
                token.map_or_else(
                    || Request::get("/detector"),
                    |t| Request::get("/detector").query("nextToken", t),
                )
            })
            .await
            .map_err(|f| (list, f))?;
        let get = Operation::GuarddutyGetDetector;
        let mut enabled = Vec::new();
        for id in ids.iter().filter_map(Value::as_str) {
            let detector = client
                .json(get, Request::get(format!("/detector/{id}")))
                .await
                .map_err(|f| (get, f))?;
            if detector.get("status").and_then(Value::as_str) == Some("ENABLED") {
                enabled.push(id.to_owned());
            }
        }
        Ok(Read {
            enabled: !enabled.is_empty(),
            organization_wide: false,
            detail: (!enabled.is_empty()).then(|| enabled.join(",")),
            operation: list,
        })
    };
    status(scope, SecurityServiceKind::Guardduty, read.await)
}

/// Security Hub: on when `DescribeHub` answers; an account that is not subscribed is
/// answered with `InvalidAccessException`.
async fn securityhub(session: &Session, scope: &Scope<'_>) -> Option<SecurityServiceStatus> {
    let client = RestClient::of(&SECURITYHUB, session, scope.region);
    let op = Operation::SecurityhubDescribeHub;
    let read = match client.json(op, Request::get("/accounts")).await {
        Ok(hub) => Ok(Read {
            enabled: true,
            organization_wide: false,
            detail: hub.get("HubArn").and_then(Value::as_str).map(str::to_owned),
            operation: op,
        }),
        Err(f) if f.is("InvalidAccessException") => Ok(Read {
            enabled: false,
            organization_wide: false,
            detail: None,
            operation: op,
        }),
        Err(f) => Err((op, f)),
    };
    status(scope, SecurityServiceKind::Securityhub, read)
}

/// IAM Access Analyzer: on when an external-access analyzer (`ACCOUNT` or `ORGANIZATION`)
/// is `ACTIVE`; an organization analyzer covers every account of the organization in the
/// region (rules read `organization_wide`).
async fn access_analyzer(session: &Session, scope: &Scope<'_>) -> Option<SecurityServiceStatus> {
    let client = RestClient::of(&ACCESS_ANALYZER, session, scope.region);
    let op = Operation::AccessAnalyzerListAnalyzers;
    let read = client
        .pages(op, "analyzers", |token| {
            let r = Request::get("/analyzer");
            match token {
                Some(t) => r.query("nextToken", t),
                None => r,
            }
        })
        .await
        .map(|analyzers| {
            let active: Vec<(&str, &str)> = analyzers
                .iter()
                .filter(|a| a.get("status").and_then(Value::as_str) == Some("ACTIVE"))
                .filter_map(|a| {
                    let kind = a.get("type").and_then(Value::as_str)?;
                    let name = a.get("name").and_then(Value::as_str).unwrap_or_default();
                    matches!(kind, "ACCOUNT" | "ORGANIZATION").then_some((name, kind))
                })
                .collect();
            let mut names: Vec<&str> = active.iter().map(|(name, _)| *name).collect();
            names.sort_unstable();
            Read {
                enabled: !active.is_empty(),
                organization_wide: active.iter().any(|(_, kind)| *kind == "ORGANIZATION"),
                detail: (!names.is_empty()).then(|| names.join(",")),
                operation: op,
            }
        })
        .map_err(|f| (op, f));
    status(scope, SecurityServiceKind::AccessAnalyzer, read)
}

/// Macie: on when the account's session is `ENABLED` (`PAUSED` is off). Without a session
/// AWS answers `AccessDeniedException` "Macie is not enabled" (and emulators
/// `ResourceNotFoundException`); any other denial is a gap.
async fn macie(session: &Session, scope: &Scope<'_>) -> Option<SecurityServiceStatus> {
    let client = RestClient::of(&MACIE, session, scope.region);
    let op = Operation::Macie2GetMacieSession;
    let off = Read {
        enabled: false,
        organization_wide: false,
        detail: None,
        operation: op,
    };
    let read = match client.json(op, Request::get("/macie")).await {
        Ok(s) => {
            let state = s.get("status").and_then(Value::as_str).unwrap_or_default();
            Ok(Read {
                enabled: state == "ENABLED",
                detail: (!state.is_empty()).then(|| state.to_owned()),
                ..off
            })
        }
        Err(f) if f.is("ResourceNotFoundException") => Ok(off),
        Err(f) if f.is("AccessDeniedException") && f.reason.contains("not enabled") => Ok(off),
        Err(f) => Err((op, f)),
    };
    status(scope, SecurityServiceKind::Macie, read)
}
