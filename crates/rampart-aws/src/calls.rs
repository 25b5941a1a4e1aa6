//! The one gate every AWS call passes through: what may be called, what was called, and
//! how a failed call becomes a coverage gap.
//!
//! Every SDK client the collectors build, and the EC2 Query client that stands in for the
//! EC2 SDK, carries [`Recorder`], an SDK interceptor that runs before each operation. It
//! names the operation (`service:Operation`), refuses it unless it is in [`operations`]
//! (all of which are reads, checked by a unit test), and counts it. The emulator tests then
//! check that every operation recorded during a real collection is in the list, so the
//! list is both complete and read-only.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::sync::{Arc, Mutex, PoisonError};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub use rampart_model::{Operation, PermissionScope};

/// Every operation the collectors can issue: the model's vocabulary minus what no
/// collector reads yet. The interceptor refuses anything else.
pub fn operations() -> impl Iterator<Item = Operation> {
    Operation::ALL
        .iter()
        .copied()
        .filter(|o| o.scope() != PermissionScope::NotCollected)
}

/// Whether an operation name is a read: `List*`, `Get*`, `Describe*`, `Select*` or
/// `Search*`, or
/// `sts:AssumeRole` (which changes nothing; it returns credentials to read with).
pub fn is_read_operation(operation: &str) -> bool {
    let Some((_, name)) = operation.split_once(':') else {
        return false;
    };
    operation == "sts:AssumeRole"
        || ["List", "Get", "Describe", "Select", "Search"]
            .iter()
            .any(|prefix| name.starts_with(prefix))
}

/// The collected operation named `service:Operation` (exactly as the SDK names it).
pub fn allowed(operation: &str) -> Option<Operation> {
    operations().find(|o| o.name() == operation)
}

/// Whether the collectors may issue an operation.
pub fn is_allowed(operation: &str) -> bool {
    allowed(operation).is_some()
}

/// The IAM service prefix of an SDK service name (`Config Service` → `config`).
pub fn service_prefix(sdk_service: &str) -> String {
    match sdk_service {
        "Config Service" => "config".to_owned(),
        "Route 53" => "route53".to_owned(),
        "Elastic Load Balancing v2" => "elasticloadbalancing".to_owned(),
        "AccessAnalyzer" => "access-analyzer".to_owned(),
        other => other.to_ascii_lowercase().replace(' ', ""),
    }
}

/// Counts of the operations issued, shared by every client of a collection.
#[derive(Debug, Default)]
struct CallLog {
    counts: Mutex<BTreeMap<String, u64>>,
}

/// The SDK interceptor on every client: refuses operations outside [`operations`] and
/// counts the rest.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<CallLog>);

impl Recorder {
    /// Operation name → number of calls so far.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.0
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Total number of calls so far.
    pub fn total(&self) -> u64 {
        self.counts().values().sum()
    }

    fn record(&self, operation: String) {
        *self
            .0
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(operation)
            .or_default() += 1;
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "rampart-read-only-recorder"
    }

    // Not `read_before_execution`: client-level interceptors run that hook before the
    // operation's configuration (and its name) is loaded.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let metadata = cfg
            .load::<Metadata>()
            .ok_or("rampart: operation metadata missing; refusing an unnamed call")?;
        let operation = format!("{}:{}", service_prefix(metadata.service()), metadata.name());
        if !is_allowed(&operation) {
            return Err(
                format!("rampart: refusing `{operation}`: not a listed read operation").into(),
            );
        }
        self.record(operation);
        Ok(())
    }
}

/// Error codes that mean the caller may not read.
const ACCESS_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthFailure",
    "AuthorizationError",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "AccessDeniedForDependencyException",
    "AWSOrganizationsNotInUseException",
];

/// Error codes that mean the region or service is not available to the account.
const UNAVAILABLE_CODES: &[&str] = &[
    "OptInRequired",
    "SubscriptionRequiredException",
    "InvalidAction",
    "UnsupportedOperation",
    "UnknownOperationException",
    "NotImplemented",
    "InvalidRegion",
];

/// Error codes of throttling, seen only once the SDK's retries are exhausted.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
];

/// What kind of failure a call ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Not authorized.
    AccessDenied,
    /// Region not enabled, or service or operation not available there.
    Unavailable,
    /// Throttled until the retries ran out.
    Throttled,
    /// Timed out or could not connect.
    Unreachable,
    /// Anything else (the code and message are kept).
    Other,
}

/// A failed call, classified, with the one-line reason recorded in the coverage gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The error code, when the service sent one.
    pub code: Option<String>,
    /// The classification.
    pub kind: FailureKind,
    /// The reason for the coverage gap.
    pub reason: String,
}

impl Failure {
    /// Classifies an SDK error.
    pub fn of<E>(err: &SdkError<E, HttpResponse>) -> Failure
    where
        E: ProvideErrorMetadata + StdError + 'static,
    {
        match err {
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                let message = err.message().unwrap_or("").trim().to_owned();
                match err.code() {
                    Some(code) => Failure::from_code(code, &message),
                    // A success status the SDK could not parse is an unreadable response.
                    None if status < 400 => Failure {
                        code: None,
                        kind: FailureKind::Other,
                        reason: format!(
                            "unreadable response (HTTP {status}): {}",
                            one_line(&DisplayErrorContext(err).to_string())
                        ),
                    },
                    // An error body the SDK could not parse (some emulators answer JSON
                    // protocols in XML): the HTTP status still says what happened.
                    None => Failure::from_status(status, &message),
                }
            }
            SdkError::TimeoutError(_) => Failure {
                code: None,
                kind: FailureKind::Unreachable,
                reason: "timed out after retries".to_owned(),
            },
            SdkError::DispatchFailure(_) => Failure {
                code: None,
                kind: FailureKind::Unreachable,
                reason: format!(
                    "unreachable: {}",
                    one_line(&DisplayErrorContext(err).to_string())
                ),
            },
            // An error status whose body the SDK could not parse (an emulator answering a
            // JSON protocol in XML): the status still says what happened.
            SdkError::ResponseError(response) if response.raw().status().as_u16() >= 400 => {
                Failure::from_status(response.raw().status().as_u16(), "unreadable error body")
            }
            SdkError::ResponseError(_) | SdkError::ConstructionFailure(_) => Failure {
                code: None,
                kind: FailureKind::Other,
                reason: one_line(&DisplayErrorContext(err).to_string()),
            },
            _ => Failure {
                code: None,
                kind: FailureKind::Other,
                reason: one_line(&DisplayErrorContext(err).to_string()),
            },
        }
    }

    /// Classifies a service error by its code.
    pub fn from_code(code: &str, message: &str) -> Failure {
        let kind = if ACCESS_CODES.contains(&code) {
            FailureKind::AccessDenied
        } else if UNAVAILABLE_CODES.contains(&code) {
            FailureKind::Unavailable
        } else if THROTTLING_CODES.contains(&code) {
            FailureKind::Throttled
        } else {
            FailureKind::Other
        };
        let label = match kind {
            FailureKind::AccessDenied => "AccessDenied",
            FailureKind::Unavailable => "unavailable",
            FailureKind::Throttled => "throttled after retries",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Other => "error",
        };
        let message = one_line(message);
        let reason = if message.is_empty() {
            format!("{label} ({code})")
        } else {
            format!("{label} ({code}): {message}")
        };
        Failure {
            code: Some(code.to_owned()),
            kind,
            reason,
        }
    }

    /// Classifies an error response that carried no readable error code.
    pub fn from_status(status: u16, message: &str) -> Failure {
        let code = match status {
            401 | 403 => "AccessDenied",
            429 => "TooManyRequestsException",
            501 => "NotImplemented",
            _ => {
                return Failure {
                    code: None,
                    kind: if status >= 500 {
                        FailureKind::Unavailable
                    } else {
                        FailureKind::Other
                    },
                    reason: if message.is_empty() {
                        format!("HTTP {status}")
                    } else {
                        format!("HTTP {status}: {}", one_line(message))
                    },
                }
            }
        };
        let mut failure = Failure::from_code(code, message);
        failure.code = None;
        failure.reason = format!("{} [HTTP {status}]", failure.reason);
        failure
    }

    /// Whether the service answered with this error code.
    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

/// Collapses whitespace so a reason stays on one line, and caps its length.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > 300 {
        let cut: String = joined.chars().take(300).collect();
        format!("{cut}…")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_operation_is_a_read() {
        for o in operations() {
            assert!(is_read_operation(o.name()), "{o} is not a read");
            let (service, name) = o.name().split_once(':').unwrap_or_default();
            let (action_service, _) = o.action().split_once(':').unwrap_or_default();
            assert_eq!(service, action_service, "{o}");
            assert!(name.chars().next().is_some_and(char::is_uppercase));
            assert_eq!(allowed(o.name()), Some(o));
        }
        assert!(is_allowed("rds:DescribeDBInstances"));
        assert!(
            !is_allowed("rds:ListTagsForResource"),
            "not collected: instances carry tags"
        );
    }

    #[test]
    fn writes_are_not_reads() {
        for name in [
            "s3:PutBucketPolicy",
            "iam:CreateUser",
            "kms:ScheduleKeyDeletion",
            "ec2:DeleteVpc",
            "organizations:AttachPolicy",
            "sts:AssumeRoleWithWebIdentity",
            "ListBuckets",
            "iam:GenerateCredentialReport",
        ] {
            assert!(!is_read_operation(name) || !is_allowed(name), "{name}");
            assert!(!is_allowed(name), "{name}");
        }
    }

    #[test]
    fn sdk_service_names_map_to_iam_prefixes() {
        assert_eq!(service_prefix("Config Service"), "config");
        assert_eq!(service_prefix("Route 53"), "route53");
        assert_eq!(service_prefix("Route53Resolver"), "route53resolver");
        assert_eq!(service_prefix("EC2"), "ec2");
        assert_eq!(service_prefix("STS"), "sts");
    }

    /// The interceptor stops a write before it is serialized or sent, and lets listed
    /// reads through (here to a port where nothing listens).
    #[tokio::test]
    async fn the_interceptor_refuses_writes_before_sending() {
        use aws_config::retry::RetryConfig;
        use aws_config::{BehaviorVersion, Region};
        use aws_credential_types::Credentials;

        let recorder = Recorder::default();
        // Port 1 is below the ephemeral range: nothing listens there.
        let port = 1;
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            ))
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .force_path_style(true)
            .retry_config(RetryConfig::disabled())
            .interceptor(recorder.clone())
            .build();
        let s3 = aws_sdk_s3::Client::from_conf(config);
        let err = s3
            .create_bucket()
            .bucket("rampart-never")
            .send()
            .await
            .expect_err("refused");
        let text = DisplayErrorContext(&err).to_string();
        assert!(text.contains("refusing `s3:CreateBucket`"), "{text}");
        assert!(
            matches!(err, SdkError::ConstructionFailure(_)),
            "never dispatched: {text}"
        );
        assert_eq!(recorder.total(), 0);

        let err = s3.list_buckets().send().await.expect_err("nothing listens");
        assert!(
            matches!(
                err,
                SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
            ),
            "{}",
            DisplayErrorContext(&err)
        );
        assert_eq!(Failure::of(&err).kind, FailureKind::Unreachable);
        assert_eq!(recorder.counts().get("s3:ListBuckets"), Some(&1));
    }

    #[test]
    fn error_codes_are_classified() {
        let denied = Failure::from_code("AccessDeniedException", "User: x is not authorized\n to");
        assert_eq!(denied.kind, FailureKind::AccessDenied);
        assert_eq!(
            denied.reason,
            "AccessDenied (AccessDeniedException): User: x is not authorized to"
        );
        assert_eq!(
            Failure::from_code("OptInRequired", "").reason,
            "unavailable (OptInRequired)"
        );
        assert_eq!(
            Failure::from_code("ThrottlingException", "Rate exceeded").kind,
            FailureKind::Throttled
        );
        assert_eq!(
            Failure::from_code("NoSuchBucketPolicy", "").kind,
            FailureKind::Other
        );
        assert!(Failure::from_code("NoSuchBucketPolicy", "").is("NoSuchBucketPolicy"));
        assert_eq!(
            Failure::from_status(403, "").kind,
            FailureKind::AccessDenied
        );
        assert_eq!(
            Failure::from_status(403, "").reason,
            "AccessDenied (AccessDenied) [HTTP 403]"
        );
        assert_eq!(Failure::from_status(500, "boom").reason, "HTTP 500: boom");
        assert_eq!(Failure::from_status(500, "").kind, FailureKind::Unavailable);
    }
}
