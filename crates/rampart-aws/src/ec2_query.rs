//! A read-only client for AWS Query-protocol APIs (EC2, RDS), in place of `aws-sdk-ec2`
//! and `aws-sdk-rds`.
//!
//! The generated EC2 crate is about half a million lines and needs some 7 GB of memory in
//! rustc, far over the build's budget, for the sixteen reads the collector makes; the RDS
//! crate is smaller but still large for one read. This client sends those reads itself
//! (`POST /`, `Action=…&Version=…`, XML answers) through the SDK's own orchestrator, so that
//! everything around a call is the SDK's: SigV4 signing with the session's credentials
//! provider and identity cache, the standard or adaptive retry strategy and its
//! classifiers, the connect/attempt/operation timeouts, and the
//! [`Recorder`](crate::calls::Recorder) interceptor that refuses any operation outside the
//! list before it is serialized and counts the rest. A [`QueryApi`] says what differs
//! between the services: signing name, API version, endpoint, and how lists and pages
//! are written.

pub(crate) mod xml;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_runtime::auth::{SigV4OperationSigningConfig, SigningOptions};
use aws_runtime::retries::classifiers::AwsErrorCodeClassifier;
use aws_runtime::user_agent::{ApiMetadata, UserAgentInterceptor};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder as HttpClientBuilder, ConnectorBuilder};
use aws_smithy_runtime::client::identity::IdentityCache;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime::client::retries::classifiers::{
    HttpStatusCodeClassifier, TransientErrorClassifier,
};
use aws_smithy_runtime::client::retries::RetryPartition;
use aws_smithy_runtime::client::stalled_stream_protection::StalledStreamProtectionInterceptor;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::auth::static_resolver::StaticAuthSchemeOptionResolver;
use aws_smithy_runtime_api::client::auth::{AuthSchemeOptionResolverParams, SharedAuthScheme};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_runtime_api::client::runtime_plugin::{SharedRuntimePlugin, StaticRuntimePlugin};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::Layer;
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_types::region::{Region, SigningRegion};
use aws_types::service_config::ServiceConfigKey;
use aws_types::SigningName;
use rampart_model::{Operation as ApiOperation, Service};

use crate::calls::{Failure, FailureKind};
use crate::session::Session;

pub(crate) use xml::{Element, XmlError};

/// What differs between the Query-protocol services rampart reads.
#[derive(Debug)]
pub(crate) struct QueryApi {
    /// The model's service (operations must belong to it).
    pub(crate) service: Service,
    /// The SDK's service id: what the orchestrator and the
    /// [`Recorder`](crate::calls::Recorder) see (`EC2` → `ec2:Action`), and the key of
    /// `AWS_ENDPOINT_URL_…` settings.
    pub(crate) service_id: &'static str,
    /// The SigV4 signing name and the endpoint's first label.
    pub(crate) signing_name: &'static str,
    /// The API version every action is sent with.
    pub(crate) version: &'static str,
}

/// Amazon EC2.
pub(crate) const EC2: QueryApi = QueryApi {
    service: Service::Ec2,
    service_id: "EC2",
    signing_name: "ec2",
    version: "2016-11-15",
};

/// Amazon RDS.
pub(crate) const RDS: QueryApi = QueryApi {
    service: Service::Rds,
    service_id: "RDS",
    signing_name: "rds",
    version: "2014-10-31",
};

/// Elastic Load Balancing (v2: application, network and gateway load balancers).
pub(crate) const ELB: QueryApi = QueryApi {
    service: Service::Elasticloadbalancing,
    service_id: "Elastic Load Balancing v2",
    signing_name: "elasticloadbalancing",
    version: "2015-12-01",
};

/// A read-only EC2 client.
pub(crate) type Ec2 = QueryClient;

/// A read-only Query-protocol client for one service, region and session.
#[derive(Debug, Clone)]
pub(crate) struct QueryClient {
    api: &'static QueryApi,
    endpoint: String,
    transport: Transport,
}

/// Everything around a call that is the SDK's: the behavior version, the retry settings
/// and a runtime plugin with the HTTP client, SigV4 signing, identity, timeouts and
/// interceptors (the [`Recorder`](crate::calls::Recorder) among them). Shared by the Query
/// client here and the REST and JSON client of [`crate::rest`].
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub(crate) behavior_version: BehaviorVersion,
    pub(crate) retry: RetryConfig,
    /// Everything shared by the calls: HTTP client, signing, identity, interceptors.
    pub(crate) plugin: SharedRuntimePlugin,
}

/// How requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signing {
    /// As every service but S3 (the URI path encoded twice and normalized).
    Standard,
    /// As [`Signing::Standard`], with the payload's hash also sent and signed in
    /// `x-amz-content-sha256` (optional in SigV4; AWS accepts it everywhere, and some
    /// emulators need it to check the signature of a `GET`).
    StandardSignedPayload,
    /// As S3 and S3 Control (the path as sent, and an `x-amz-content-sha256` header).
    S3,
}

impl Transport {
    /// A transport signing for `signing_name` in `signing_region`, with the session's
    /// credentials, retry and timeout settings and its recorder.
    pub(crate) fn new(
        session: &Session,
        signing_name: &'static str,
        signing_region: &str,
        signing: Signing,
    ) -> Transport {
        let config = &session.config;
        let mut layer = Layer::new("rampart-query");
        layer.store_put(SigningName::from_static(signing_name));
        layer.store_put(SigningRegion::from(Region::new(signing_region.to_owned())));
        let mut signing_options = SigningOptions::default();
        let s3 = signing == Signing::S3;
        signing_options.double_uri_encode = !s3;
        signing_options.content_sha256_header = signing != Signing::Standard;
        signing_options.normalize_uri_path = !s3;
        layer.store_put(SigV4OperationSigningConfig {
            region: Some(SigningRegion::from(Region::new(signing_region.to_owned()))),
            name: Some(SigningName::from_static(signing_name)),
            signing_options,
            ..SigV4OperationSigningConfig::default()
        });
        layer.store_put(AuthSchemeOptionResolverParams::new(()));
        layer.store_put(ApiMetadata::new(signing_name, env!("CARGO_PKG_VERSION")));
        // As the SDK client does: throttling state is shared per service and region.
        layer.store_put(RetryPartition::new(format!(
            "{signing_name}-{signing_region}"
        )));
        if let Some(timeouts) = config.timeout_config() {
            layer.store_put(timeouts.clone());
        }

        let mut components = RuntimeComponentsBuilder::new("rampart-query");
        components.set_http_client(Some(
            config.http_client().unwrap_or_else(default_https_client),
        ));
        components.set_auth_scheme_option_resolver(Some(StaticAuthSchemeOptionResolver::new(
            vec![aws_runtime::auth::sigv4::SCHEME_ID],
        )));
        components.push_auth_scheme(SharedAuthScheme::new(
            aws_runtime::auth::sigv4::SigV4AuthScheme::new(),
        ));
        if let Some(credentials) = config.credentials_provider() {
            components.set_identity_resolver(aws_runtime::auth::sigv4::SCHEME_ID, credentials);
        }
        // Without a shared cache, one per client (as an SDK client makes), not one per call.
        components.set_identity_cache(Some(
            config
                .identity_cache()
                .unwrap_or_else(|| IdentityCache::lazy().build()),
        ));
        if let Some(sleep) = config.sleep_impl() {
            components.set_sleep_impl(Some(sleep));
        }
        if let Some(time) = config.time_source() {
            components.set_time_source(Some(time));
        }
        components
            .push_retry_classifier(HttpStatusCodeClassifier::default())
            .push_retry_classifier(TransientErrorClassifier::<ErrorMetadata>::new())
            .push_retry_classifier(AwsErrorCodeClassifier::<ErrorMetadata>::new())
            .push_interceptor(StalledStreamProtectionInterceptor::default())
            .push_interceptor(UserAgentInterceptor::new())
            .push_interceptor(aws_runtime::invocation_id::InvocationIdInterceptor::new())
            .push_interceptor(aws_runtime::request_info::RequestInfoInterceptor::new())
            .push_interceptor(session.recorder.clone());

        Transport {
            behavior_version: config
                .behavior_version()
                .unwrap_or_else(BehaviorVersion::latest),
            retry: config
                .retry_config()
                .cloned()
                .unwrap_or_else(RetryConfig::standard),
            plugin: SharedRuntimePlugin::new(
                StaticRuntimePlugin::new()
                    .with_config(layer.freeze())
                    .with_runtime_components(components),
            ),
        }
    }
}

/// The query parameters of one call, after `Action` and `Version`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(&'static str, String)>);

impl Params {
    /// Adds a parameter.
    pub(crate) fn with(mut self, name: &'static str, value: impl Into<String>) -> Params {
        self.0.push((name, value.into()));
        self
    }
}

impl QueryClient {
    /// An EC2 client for `region`, with the session's credentials, endpoint, retry and
    /// timeout settings and its recorder.
    pub(crate) fn new(session: &Session, region: &str) -> QueryClient {
        QueryClient::of(&EC2, session, region)
    }

    /// A client of `api` for `region`, with the session's credentials, endpoint, retry
    /// and timeout settings and its recorder.
    pub(crate) fn of(api: &'static QueryApi, session: &Session, region: &str) -> QueryClient {
        QueryClient {
            api,
            endpoint: endpoint(api.service_id, api.signing_name, &session.config, region),
            transport: Transport::new(session, api.signing_name, region, Signing::Standard),
        }
    }

    /// The endpoint calls are sent to.
    #[cfg(test)]
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// One call of `operation` (a read of the client's service): the response's root
    /// element.
    pub(crate) async fn call(
        &self,
        operation: ApiOperation,
        params: Params,
    ) -> Result<Element, Failure> {
        let action = action(self.api, operation)?;
        let version = self.api.version;
        Operation::builder()
            .service_name(self.api.service_id)
            .operation_name(action)
            .behavior_version(self.transport.behavior_version)
            .endpoint_url(&self.endpoint)
            .standard_retry(&self.transport.retry)
            .with_connection_poisoning()
            .runtime_plugin(self.transport.plugin.clone())
            .serializer(move |params: Params| request(action, version, &params))
            .deserializer(move |response: &HttpResponse| read_response(action, response))
            .build()
            .invoke(params)
            .await
            .map_err(|e| Failure::of(&e))
    }

    /// Every `<item>` of the list `list` over all pages of a paginated Describe call, as the
    /// SDK's paginators read them: pages follow `nextToken` until it is absent, empty or
    /// repeated. No `MaxResults` is sent, so the service's default page size applies (all
    /// of a region's resources at once for most of these actions).
    pub(crate) async fn describe(
        &self,
        operation: ApiOperation,
        list: &str,
    ) -> Result<Vec<Element>, Failure> {
        self.describe_with(operation, &Params::default(), list)
            .await
    }

    /// [`Self::describe`] with parameters sent on every page.
    pub(crate) async fn describe_with(
        &self,
        operation: ApiOperation,
        params: &Params,
        list: &str,
    ) -> Result<Vec<Element>, Failure> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let params = match &token {
                Some(t) => params.clone().with("NextToken", t.clone()),
                None => params.clone(),
            };
            let page = self.call(operation, params).await?;
            let next = page
                .text("nextToken")
                .filter(|t| !t.is_empty() && token.as_deref() != Some(*t))
                .map(str::to_owned);
            items.extend(
                page.children
                    .into_iter()
                    .filter(|c| c.name == list)
                    .take(1)
                    .flat_map(|l| l.children)
                    .filter(|item| item.name == "item"),
            );
            match next {
                Some(next) => token = Some(next),
                None => return Ok(items),
            }
        }
    }

    /// Every member of a paginated Describe call of the `Marker` style (RDS, ELB): the
    /// elements named `item` inside `<{Action}Result><{list}>`, over all pages. Each page
    /// sends `params` and the `Marker` the previous one returned in its `next` element
    /// (`Marker` for RDS, `NextMarker` for ELB), until that is absent, empty or repeated,
    /// as the SDK's paginators do.
    pub(crate) async fn describe_marked(
        &self,
        operation: ApiOperation,
        params: &Params,
        (list, item, next): (&str, &str, &str),
    ) -> Result<Vec<Element>, Failure> {
        let action = action(self.api, operation)?;
        let result = format!("{action}Result");
        let mut items = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let params = match &marker {
                Some(m) => params.clone().with("Marker", m.clone()),
                None => params.clone(),
            };
            let page = self.call(operation, params).await?;
            let Some(body) = page.child(&result) else {
                return Err(unreadable(&XmlError(format!(
                    "`{}` has no `{result}`",
                    page.name
                ))));
            };
            let next = body
                .text(next)
                .filter(|m| !m.is_empty() && marker.as_deref() != Some(*m))
                .map(str::to_owned);
            items.extend(
                body.child(list)
                    .into_iter()
                    .flat_map(|l| l.children.iter())
                    .filter(|e| e.name == item)
                    .cloned(),
            );
            match next {
                Some(next) => marker = Some(next),
                None => return Ok(items),
            }
        }
    }
}

/// The action name of an operation of `api`'s service in the model's vocabulary.
fn action(api: &QueryApi, operation: ApiOperation) -> Result<&'static str, Failure> {
    action_of(api.service, api.signing_name, api.service_id, operation)
}

/// The action part of `operation` (`service:Action`) when it is an operation of `service`
/// whose name starts with `prefix` (the prefix the recorder will name the call with); a
/// refusal naming the client (`service_id`) otherwise.
pub(crate) fn action_of(
    service: Service,
    prefix: &str,
    service_id: &str,
    operation: ApiOperation,
) -> Result<&'static str, Failure> {
    match operation.name().split_once(':') {
        Some((p, action)) if operation.service() == service && p == prefix => Ok(action),
        _ => Err(Failure {
            code: None,
            kind: FailureKind::Other,
            reason: format!("rampart: refusing `{operation}`: not an {service_id} operation"),
        }),
    }
}

/// A failure to read a response that the service sent successfully.
pub(crate) fn unreadable(error: &XmlError) -> Failure {
    Failure {
        code: None,
        kind: FailureKind::Other,
        reason: format!("unreadable response (HTTP 200): {error}"),
    }
}

/// The endpoint of `region`: the session's custom endpoint (`AWS_ENDPOINT_URL_EC2` or
/// `AWS_ENDPOINT_URL_RDS`, then `AWS_ENDPOINT_URL` or `--endpoint-url`, in the SDK's order)
/// or the regional one of `prefix`.
pub(crate) fn endpoint(service_id: &str, prefix: &str, config: &SdkConfig, region: &str) -> String {
    custom_endpoint(service_id, config).unwrap_or_else(|| regional_endpoint(prefix, region))
}

/// The session's custom endpoint for a service (by its SDK service id), if any.
pub(crate) fn custom_endpoint(service_id: &str, config: &SdkConfig) -> Option<String> {
    let configured = if config.get_origin("endpoint_url").is_client_config() {
        config.endpoint_url().map(str::to_owned)
    } else {
        config
            .service_config()
            .and_then(|services| {
                ServiceConfigKey::builder()
                    .service_id(service_id)
                    .env("AWS_ENDPOINT_URL")
                    .profile("endpoint_url")
                    .build()
                    .ok()
                    .and_then(|key| services.load_config(key))
            })
            .or_else(|| config.endpoint_url().map(str::to_owned))
    };
    configured
}

/// The public endpoint `https://{prefix}.{region}.{suffix}` in a region's partition.
pub(crate) fn regional_endpoint(prefix: &str, region: &str) -> String {
    format!("https://{prefix}.{region}.{}", dns_suffix(region))
}

/// The DNS suffix of a region's partition.
pub(crate) fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else if region.starts_with("eusc-") {
        "amazonaws.eu"
    } else {
        "amazonaws.com"
    }
}

/// The SDK's default HTTPS client (hyper 1 and rustls with aws-lc, proxies from the
/// environment), built once per [`QueryClient`] so that its calls share one connection pool, as
/// an SDK client's calls do.
fn default_https_client() -> SharedHttpClient {
    HttpClientBuilder::new().build_with_connector_fn(|settings, components| {
        let mut builder =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        builder.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            builder.set_sleep_impl(components.sleep_impl());
        }
        builder.set_proxy_config(Some(ProxyConfig::from_env()));
        builder.build()
    })
}

/// The form-encoded `POST /` of one action.
fn request(action: &str, version: &str, params: &Params) -> Result<HttpRequest, BoxError> {
    let body = form(action, version, params);
    let length = body.len();
    let mut request = HttpRequest::new(SdkBody::from(body));
    request.set_method("POST")?;
    request.set_uri("/")?;
    request
        .headers_mut()
        .insert("content-type", "application/x-www-form-urlencoded");
    request
        .headers_mut()
        .insert("content-length", length.to_string());
    Ok(request)
}

/// `Action=…&Version=…&Name=value…`, percent-encoded as the SDK encodes Query requests.
pub(crate) fn form(action: &str, version: &str, params: &Params) -> String {
    let mut body = String::new();
    let mut writer = aws_smithy_query::QueryWriter::new(&mut body, action, version);
    for &(name, ref value) in &params.0 {
        writer.prefix(name).string(value);
    }
    writer.finish();
    body
}

/// Reads a response as the SDK does: any status but 200 is an error whose code and
/// message come from `<Response><Errors><Error>`; a 200 must hold `<{Action}Response>`.
fn read_response(
    action: &str,
    response: &HttpResponse,
) -> Result<Element, OrchestratorError<ErrorMetadata>> {
    let status = response.status();
    let body = response.body().bytes().unwrap_or_default();
    if !status.is_success() && status.as_u16() != 200 {
        return Err(OrchestratorError::operation(error_metadata(body)));
    }
    parse_success(action, body).map_err(|e| {
        OrchestratorError::operation(ErrorMetadata::builder().message(e.to_string()).build())
    })
}

/// The root element of a successful response to `action`.
pub(crate) fn parse_success(action: &str, body: &[u8]) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(body).map_err(|e| XmlError(e.to_string()))?;
    let root = xml::parse(text)?;
    let expected = format!("{action}Response");
    if root.name != expected {
        return Err(XmlError(format!(
            "invalid root, expected {expected} got {}",
            root.name
        )));
    }
    Ok(root)
}

/// The code and message of an error response — EC2's `<Response><Errors><Error>` or the
/// `<ErrorResponse><Error>` of the other Query services; none when the body is not one (an
/// HTML page from a proxy or an emulator), so that the HTTP status classifies the failure.
pub(crate) fn error_metadata(body: &[u8]) -> ErrorMetadata {
    let Some(root) = std::str::from_utf8(body)
        .ok()
        .and_then(|text| xml::parse(text).ok())
    else {
        return ErrorMetadata::default();
    };
    let mut builder = ErrorMetadata::builder();
    let nested = root
        .children
        .iter()
        .filter(|c| c.name == "Errors")
        .flat_map(|errors| errors.children.iter());
    // S3 and S3 Control answer with `<Error>` itself as the root.
    for error in nested
        .chain(root.children.iter())
        .chain(std::iter::once(&root))
        .filter(|c| c.name == "Error")
    {
        if let Some(code) = error.text("Code") {
            builder = builder.code(code);
        }
        if let Some(message) = error.text("Message") {
            builder = builder.message(message);
        }
    }
    if let Some(id) = root.text("RequestID").or_else(|| root.text("RequestId")) {
        builder = builder.custom("aws_request_id", id);
    }
    builder.build()
}

#[cfg(test)]
mod tests;
