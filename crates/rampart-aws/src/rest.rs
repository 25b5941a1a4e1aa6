//! A read-only client for the REST-JSON, JSON and S3 Control APIs of the security services,
//! RAM, Account Management and Direct Connect, in place of one SDK crate each.
//!
//! Each of those crates would add its generated code to the cold build for one or two
//! reads. This client sends the reads itself on the same [`Transport`] as the Query client
//! of [`crate::ec2_query`], so signing, credentials, retries, timeouts and the
//! [`Recorder`](crate::calls::Recorder) read-only gate are the SDK's, exactly as for every
//! other call. A [`RestApi`] says what differs between the services.

use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use rampart_model::{Operation as ApiOperation, Service};
use serde_json::Value;

use crate::calls::{service_prefix, Failure, FailureKind};
use crate::ec2_query::{
    action_of, custom_endpoint, dns_suffix, error_metadata, Signing, Transport,
};
use crate::session::Session;

/// What differs between the services read through [`RestClient`].
#[derive(Debug)]
pub(crate) struct RestApi {
    /// The model's service (operations must belong to it).
    pub(crate) service: Service,
    /// The service id the orchestrator and the [`Recorder`](crate::calls::Recorder) see:
    /// its IAM prefix names the call (`GuardDuty` → `guardduty:ListDetectors`).
    pub(crate) service_id: &'static str,
    /// The SDK service id that keys `AWS_ENDPOINT_URL_…` settings.
    pub(crate) endpoint_id: &'static str,
    /// The SigV4 signing name.
    pub(crate) signing_name: &'static str,
    /// The endpoint's first label.
    pub(crate) endpoint_prefix: &'static str,
    /// For a global service, the one region it is reached and signed in.
    pub(crate) global_region: Option<&'static str>,
    /// How requests are signed.
    pub(crate) signing: Signing,
}

macro_rules! rest_api {
    ($name:ident, $doc:literal, $service:ident, $id:literal, $prefix:literal) => {
        #[doc = $doc]
        pub(crate) const $name: RestApi = RestApi {
            service: Service::$service,
            service_id: $id,
            endpoint_id: $id,
            signing_name: $prefix,
            endpoint_prefix: $prefix,
            global_region: None,
            signing: Signing::StandardSignedPayload,
        };
    };
}

rest_api!(
    GUARDDUTY,
    "Amazon GuardDuty (REST-JSON).",
    Guardduty,
    "GuardDuty",
    "guardduty"
);
rest_api!(
    SECURITYHUB,
    "AWS Security Hub (REST-JSON).",
    Securityhub,
    "SecurityHub",
    "securityhub"
);
rest_api!(
    ACCESS_ANALYZER,
    "IAM Access Analyzer (REST-JSON).",
    AccessAnalyzer,
    "AccessAnalyzer",
    "access-analyzer"
);
rest_api!(
    MACIE,
    "Amazon Macie (REST-JSON).",
    Macie2,
    "Macie2",
    "macie2"
);
rest_api!(
    RAM,
    "AWS Resource Access Manager (REST-JSON).",
    Ram,
    "RAM",
    "ram"
);
rest_api!(
    DIRECT_CONNECT,
    "AWS Direct Connect (JSON 1.1, `OvertureService`).",
    Directconnect,
    "Direct Connect",
    "directconnect"
);

/// AWS Account Management (REST-JSON), a global service reached in `us-east-1`.
pub(crate) const ACCOUNT: RestApi = RestApi {
    service: Service::Account,
    service_id: "Account",
    endpoint_id: "Account",
    signing_name: "account",
    endpoint_prefix: "account",
    global_region: Some("us-east-1"),
    signing: Signing::StandardSignedPayload,
};

/// S3 Control (REST-XML), signed as S3. Its one read is recorded under its IAM action,
/// `s3:GetAccountPublicAccessBlock` (the API names it `GetPublicAccessBlock`, like the
/// bucket-level read).
pub(crate) const S3_CONTROL: RestApi = RestApi {
    service: Service::S3,
    service_id: "S3",
    endpoint_id: "S3 Control",
    signing_name: "s3",
    endpoint_prefix: "s3-control",
    global_region: None,
    signing: Signing::S3,
};

/// One request: method, path and query, extra headers, and a body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    method: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
}

impl Request {
    /// `GET path`.
    pub(crate) fn get(path: impl Into<String>) -> Request {
        Request {
            method: "GET",
            path: path.into(),
            ..Request::default()
        }
    }

    /// `POST path` with a JSON body.
    pub(crate) fn post(path: impl Into<String>, body: &Value) -> Request {
        Request {
            method: "POST",
            path: path.into(),
            headers: vec![("content-type", "application/json".to_owned())],
            body: Some(body.to_string()),
            ..Request::default()
        }
    }

    /// `POST /` of a JSON 1.1 action (`X-Amz-Target: {target}`).
    pub(crate) fn json_target(target: &str, body: &Value) -> Request {
        Request {
            method: "POST",
            path: "/".to_owned(),
            headers: vec![
                ("content-type", "application/x-amz-json-1.1".to_owned()),
                ("x-amz-target", target.to_owned()),
            ],
            body: Some(body.to_string()),
            ..Request::default()
        }
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl Into<String>) -> Request {
        self.query.push((name, value.into()));
        self
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Request {
        self.headers.push((name, value.into()));
        self
    }

    fn into_http(self) -> Result<HttpRequest, BoxError> {
        let mut uri = self.path;
        for (i, (name, value)) in self.query.iter().enumerate() {
            uri.push(if i == 0 { '?' } else { '&' });
            uri.push_str(name);
            uri.push('=');
            uri.push_str(&percent_encode(value));
        }
        let body = self.body.unwrap_or_default();
        let length = body.len();
        let mut request = HttpRequest::new(SdkBody::from(body));
        request.set_method(self.method)?;
        request.set_uri(uri)?;
        for (name, value) in self.headers {
            request.headers_mut().insert(name, value);
        }
        if self.method == "POST" {
            request
                .headers_mut()
                .insert("content-length", length.to_string());
        }
        Ok(request)
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A read-only client of one [`RestApi`] in one region, for one session.
#[derive(Debug, Clone)]
pub(crate) struct RestClient {
    api: &'static RestApi,
    endpoint: String,
    transport: Transport,
}

impl RestClient {
    /// A client of `api` in `region` (global services use their own region), with the
    /// session's credentials, endpoint, retry and timeout settings and its recorder. S3
    /// Control's regional endpoint carries the account id.
    pub(crate) fn of(api: &'static RestApi, session: &Session, region: &str) -> RestClient {
        let region = api.global_region.unwrap_or(region);
        let endpoint = custom_endpoint(api.endpoint_id, &session.config).unwrap_or_else(|| {
            let host = format!("{}.{region}.{}", api.endpoint_prefix, dns_suffix(region));
            match api.signing {
                Signing::S3 => format!("https://{}.{host}", session.account_id),
                Signing::Standard | Signing::StandardSignedPayload => format!("https://{host}"),
            }
        });
        RestClient {
            api,
            endpoint,
            transport: Transport::new(session, api.signing_name, region, api.signing),
        }
    }

    /// One call of `operation` (a read of the client's service): the response body.
    pub(crate) async fn call(
        &self,
        operation: ApiOperation,
        request: Request,
    ) -> Result<Vec<u8>, Failure> {
        let name = action(self.api, operation)?;
        let xml_errors = self.api.signing == Signing::S3;
        Operation::builder()
            .service_name(self.api.service_id)
            .operation_name(name)
            .behavior_version(self.transport.behavior_version)
            .endpoint_url(&self.endpoint)
            .standard_retry(&self.transport.retry)
            .with_connection_poisoning()
            .runtime_plugin(self.transport.plugin.clone())
            .serializer(Request::into_http)
            .deserializer(move |response: &HttpResponse| read_response(response, xml_errors))
            .build()
            .invoke(request)
            .await
            .map_err(|e| Failure::of(&e))
    }

    /// One call whose answer is a JSON object.
    pub(crate) async fn json(
        &self,
        operation: ApiOperation,
        request: Request,
    ) -> Result<Value, Failure> {
        let body = self.call(operation, request).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(serde_json::Map::new()));
        }
        serde_json::from_slice(&body).map_err(|e| unreadable(&e.to_string()))
    }

    /// Every member of the array `list` over all pages of a call paginated by a
    /// `nextToken`: `request` makes each page's request from the previous page's token.
    /// Pages follow the token until it is absent, empty or repeated, as the SDK's
    /// paginators do.
    pub(crate) async fn pages(
        &self,
        operation: ApiOperation,
        list: &str,
        request: impl Fn(Option<&str>) -> Request,
    ) -> Result<Vec<Value>, Failure> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self.json(operation, request(token.as_deref())).await?;
            match page.get(list) {
                Some(Value::Array(values)) => items.extend(values.iter().cloned()),
                None | Some(Value::Null) => {}
                Some(_) => return Err(unreadable(&format!("`{list}` is not a list"))),
            }
            let next = page
                .get("nextToken")
                .or_else(|| page.get("NextToken"))
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty() && token.as_deref() != Some(*t))
                .map(str::to_owned);
            match next {
                Some(next) => token = Some(next),
                None => return Ok(items),
            }
        }
    }
}

/// The operation's name in `api`'s service, as the recorder will see it.
fn action(api: &RestApi, operation: ApiOperation) -> Result<&'static str, Failure> {
    action_of(
        api.service,
        &service_prefix(api.service_id),
        api.service_id,
        operation,
    )
}

/// A successful response that could not be read.
pub(crate) fn unreadable(error: &str) -> Failure {
    Failure {
        code: None,
        kind: FailureKind::Other,
        reason: format!("unreadable response (HTTP 200): {error}"),
    }
}

/// A 2xx response's body, or the error its status, headers and body describe.
fn read_response(
    response: &HttpResponse,
    xml_errors: bool,
) -> Result<Vec<u8>, OrchestratorError<ErrorMetadata>> {
    let body = response.body().bytes().unwrap_or_default();
    if response.status().is_success() {
        return Ok(body.to_vec());
    }
    let metadata = if xml_errors {
        error_metadata(body)
    } else {
        json_error_metadata(response.headers().get("x-amzn-errortype"), body)
    };
    Err(OrchestratorError::operation(metadata))
}

/// The code and message of a JSON error: the code from the `x-amzn-ErrorType` header or
/// the body's `__type` / `code` (without a namespace or a `:` suffix), the message from
/// `message` / `Message`. None when the body is not JSON, so that the status classifies it.
pub(crate) fn json_error_metadata(header: Option<&str>, body: &[u8]) -> ErrorMetadata {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| value.get(*n).and_then(Value::as_str))
            .map(str::to_owned)
    };
    let code = header
        .map(str::to_owned)
        .or_else(|| field(&["__type", "code", "Code"]))
        .map(|c| {
            let c = c.split(':').next().unwrap_or_default();
            c.rsplit('#').next().unwrap_or_default().to_owned()
        })
        .filter(|c| !c.is_empty());
    let mut builder = ErrorMetadata::builder();
    if let Some(code) = code {
        builder = builder.code(code);
    }
    if let Some(message) = field(&["message", "Message"]) {
        builder = builder.message(message);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_take_the_code_from_the_header_or_the_body() {
        let m = json_error_metadata(
            Some("ResourceNotFoundException:http://internal.amazon.com/"),
            br#"{"message":"No contact"}"#,
        );
        assert_eq!(m.code(), Some("ResourceNotFoundException"));
        assert_eq!(m.message(), Some("No contact"));
        let m = json_error_metadata(
            None,
            br#"{"__type":"com.amazonaws.securityhub#InvalidAccessException","Message":"not subscribed"}"#,
        );
        assert_eq!(m.code(), Some("InvalidAccessException"));
        assert_eq!(m.message(), Some("not subscribed"));
        let m = json_error_metadata(None, b"<html>gateway</html>");
        assert_eq!(m.code(), None);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        let r = Request::get("/analyzer")
            .query("type", "ORGANIZATION")
            .query("nextToken", "a/b+c=")
            .into_http()
            .expect("request");
        assert_eq!(
            r.uri(),
            "/analyzer?type=ORGANIZATION&nextToken=a%2Fb%2Bc%3D"
        );
    }

    #[test]
    fn operations_must_belong_to_the_client_service() {
        assert_eq!(
            action(&GUARDDUTY, ApiOperation::GuarddutyListDetectors).ok(),
            Some("ListDetectors")
        );
        assert_eq!(
            action(&ACCESS_ANALYZER, ApiOperation::AccessAnalyzerListAnalyzers).ok(),
            Some("ListAnalyzers")
        );
        assert_eq!(
            action(&S3_CONTROL, ApiOperation::S3GetAccountPublicAccessBlock).ok(),
            Some("GetAccountPublicAccessBlock")
        );
        assert!(action(&GUARDDUTY, ApiOperation::RamGetResourceShares).is_err());
    }
}
