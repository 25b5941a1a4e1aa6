//! Credentials and SDK clients for one account, all carrying the [`Recorder`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use rampart_model::{CoverageGap, Operation, Service};

use crate::calls::{Failure, Recorder};

/// The region used for global services and account-level calls when none is configured.
pub(crate) const DEFAULT_REGION: &str = "us-east-1";

/// Maximum attempts per call under the SDK's adaptive retry mode (throttling backs off),
/// unless `AWS_RETRY_MODE` or `AWS_MAX_ATTEMPTS` say otherwise.
const MAX_ATTEMPTS: u32 = 5;

/// Loads the base SDK configuration: the standard credential chain (environment, profile,
/// SSO, web identity, instance metadata), `AWS_ENDPOINT_URL`, adaptive retries (or the
/// standard retry settings when given), timeouts: `call_timeout` per attempt, five times
/// that per call with its retries, and at most ten seconds to connect.
pub(crate) async fn load_base(
    profile: Option<&str>,
    endpoint_url: Option<&str>,
    call_timeout: Duration,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(call_timeout.min(Duration::from_secs(10)))
            .operation_attempt_timeout(call_timeout)
            .operation_timeout(call_timeout.saturating_mul(5))
            .build(),
    );
    // The standard AWS_RETRY_MODE / AWS_MAX_ATTEMPTS settings win when given.
    let configured = ["AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    if !configured {
        loader = loader.retry_config(RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS));
    }
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        config
            .into_builder()
            .region(Region::new(DEFAULT_REGION))
            .build()
    } else {
        config
    }
}

/// Builds an SDK client for a region from the session's configuration.
macro_rules! client {
    ($session:expr, $krate:ident, $region:expr) => {{
        let session: &$crate::session::Session = $session;
        $krate::Client::from_conf(
            $krate::config::Builder::from(&session.config)
                .region(::aws_config::Region::new($region.to_owned()))
                .interceptor(session.recorder.clone())
                .build(),
        )
    }};
}
pub(crate) use client;

/// Credentials and configuration for reading one account.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) config: SdkConfig,
    pub(crate) recorder: Recorder,
    /// The account these credentials act in.
    pub(crate) account_id: String,
    /// The AWS partition (`aws`, `aws-us-gov`, `aws-cn`), from the caller's ARN.
    pub(crate) partition: String,
}

impl Session {
    pub(crate) fn new(config: SdkConfig, recorder: Recorder, account_id: String) -> Session {
        Session {
            config,
            recorder,
            account_id,
            partition: "aws".to_owned(),
        }
    }

    /// The configured home region (global services are called there).
    pub(crate) fn home_region(&self) -> String {
        self.config
            .region()
            .map_or_else(|| DEFAULT_REGION.to_owned(), |r| r.as_ref().to_owned())
    }

    /// Whether a custom endpoint (an emulator, a VPC endpoint) is configured.
    fn custom_endpoint(&self) -> bool {
        self.config.endpoint_url().is_some()
    }

    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                // Bucket names in the host need DNS; a custom endpoint gets path-style URLs.
                .force_path_style(self.custom_endpoint())
                .interceptor(self.recorder.clone())
                .build(),
        )
    }

    /// Assumes `role_name` in `account_id` and returns a session acting there. The first
    /// `sts:AssumeRole` happens here, so that a role that cannot be assumed is known at
    /// once; the session's credentials are assumed again when they near expiry, so that
    /// an account whose reads outlast them is still read.
    pub(crate) async fn assume(
        &self,
        account_id: &str,
        role_name: &str,
    ) -> Result<Session, Failure> {
        let role = AssumedRole {
            sts: client!(self, aws_sdk_sts, self.home_region()),
            role_arn: format!("arn:{}:iam::{account_id}:role/{role_name}", self.partition),
            current: tokio::sync::Mutex::new(None),
        };
        let first = role.assume().await?;
        *role.current.lock().await = Some(first);
        let config = self
            .config
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(role))
            .build();
        Ok(Session {
            config,
            recorder: self.recorder.clone(),
            account_id: account_id.to_owned(),
            partition: self.partition.clone(),
        })
    }
}

/// Credentials of an assumed member role, assumed again (through the recorded STS client)
/// when they are within [`REFRESH_BEFORE`] of expiry.
#[derive(Debug)]
struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    current: tokio::sync::Mutex<Option<Credentials>>,
}

/// How long before expiry assumed-role credentials are replaced.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);

impl AssumedRole {
    async fn assume(&self) -> Result<Credentials, Failure> {
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name("rampart-collect")
            .duration_seconds(3600)
            .send()
            .await
            .map_err(|e| Failure::of(&e))?;
        let creds = out.credentials().ok_or_else(|| Failure {
            code: None,
            kind: crate::calls::FailureKind::Other,
            reason: format!(
                "sts:AssumeRole into {} returned no credentials",
                self.role_arn
            ),
        })?;
        Ok(Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_owned()),
            std::time::SystemTime::try_from(*creds.expiration()).ok(),
            "rampart-assume-role",
        ))
    }

    async fn credentials(&self) -> aws_credential_types::provider::Result {
        let mut current = self.current.lock().await;
        let fresh_enough = |c: &Credentials| {
            c.expiry()
                .is_none_or(|at| at > std::time::SystemTime::now() + REFRESH_BEFORE)
        };
        if let Some(c) = current.as_ref().filter(|c| fresh_enough(c)) {
            return Ok(c.clone());
        }
        let renewed = self.assume().await.map_err(|f| {
            aws_credential_types::provider::error::CredentialsError::provider_error(f.reason)
        })?;
        *current = Some(renewed.clone());
        Ok(renewed)
    }
}

impl aws_credential_types::provider::ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(self.credentials())
    }
}

/// Coverage gaps found by every task of a collection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gaps(Arc<Mutex<Vec<CoverageGap>>>);

impl Gaps {
    pub(crate) fn push(&self, gap: CoverageGap) {
        tracing::debug!(
            account = %gap.account_id,
            region = %gap.region,
            service = %gap.service,
            operation = ?gap.operation,
            resource = ?gap.resource,
            reason = %gap.reason,
            "coverage gap"
        );
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(gap);
    }

    pub(crate) fn take(&self) -> Vec<CoverageGap> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Where a collector is reading: records gaps against its account and region.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub(crate) account_id: &'a str,
    pub(crate) region: &'a str,
    pub(crate) gaps: &'a Gaps,
}

impl Scope<'_> {
    /// The whole service could not be read here: its resources are unknown.
    pub(crate) fn service_gap(&self, service: Service, operation: Operation, failure: &Failure) {
        self.gaps.push(CoverageGap {
            account_id: self.account_id.to_owned(),
            region: self.region.to_owned(),
            service,
            reason: format!("{operation}: {}", failure.reason),
            resource: None,
            operation: None,
        });
    }

    /// One operation could not be read, for one resource or for the region.
    pub(crate) fn operation_gap(
        &self,
        operation: Operation,
        resource: Option<&str>,
        failure: &Failure,
    ) {
        self.gaps.push(CoverageGap {
            account_id: self.account_id.to_owned(),
            region: self.region.to_owned(),
            service: operation.service(),
            reason: failure.reason.clone(),
            resource: resource.map(str::to_owned),
            operation: Some(operation),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_moto as moto;

    fn credentials(key: &str, expires_in: Duration) -> Credentials {
        Credentials::new(
            key,
            "secret",
            Some("token".to_owned()),
            Some(std::time::SystemTime::now() + expires_in),
            "test",
        )
    }

    /// Against the emulator's STS: credentials far from expiry are reused; near expiry they
    /// are assumed again, through the recorded client.
    #[tokio::test]
    async fn assumed_role_credentials_are_renewed_near_expiry() {
        let server = moto::Moto::start();
        let recorder = Recorder::default();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&server.url)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .load()
            .await;
        let base = Session::new(config, recorder.clone(), "123456789012".to_owned());
        let role = AssumedRole {
            sts: client!(&base, aws_sdk_sts, "us-east-1"),
            role_arn: "arn:aws:iam::111122223333:role/RampartAudit".to_owned(),
            current: tokio::sync::Mutex::new(Some(credentials(
                "AKIDLATER",
                Duration::from_secs(3000),
            ))),
        };
        let kept = role.credentials().await.expect("credentials");
        assert_eq!(kept.access_key_id(), "AKIDLATER");
        assert_eq!(recorder.total(), 0, "fresh credentials are reused");

        *role.current.lock().await = Some(credentials("AKIDSOON", Duration::from_secs(60)));
        let renewed = role.credentials().await.expect("renewed");
        assert_ne!(renewed.access_key_id(), "AKIDSOON");
        assert_eq!(recorder.counts().get("sts:AssumeRole"), Some(&1));
        let again = role.credentials().await.expect("cached");
        assert_eq!(again.access_key_id(), renewed.access_key_id());
        assert_eq!(recorder.total(), 1);
    }
}
