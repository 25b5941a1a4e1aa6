//! The client against a scripted local HTTP server: what it sends (the form body, SigV4 for
//! `ec2` in the region), how it pages, and how each kind of failure is classified.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_types::region::Region;

use super::*;
use crate::calls::Recorder;

/// One request as the server read it: its head (request line and headers) and body.
#[derive(Debug, Clone)]
struct Seen {
    head: String,
    body: String,
}

/// A local HTTP/1.1 server that answers with `responses` in order (the last one repeats),
/// keeping what it was sent.
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(responses: Vec<(u16, &'static str)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let next = Arc::new(Mutex::new(0_usize));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (log, next) = (Arc::clone(&log), Arc::clone(&next));
                let responses = responses.clone();
                // A thread per connection: the client may open another while one idles.
                std::thread::spawn(move || serve(stream, &responses, &log, &next));
            }
        });
        Server { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Answers the requests of one connection until the client closes it.
fn serve(
    stream: std::net::TcpStream,
    responses: &[(u16, &'static str)],
    log: &Mutex<Vec<Seen>>,
    next: &Mutex<usize>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let (status, text) = {
            let mut seen = log.lock().unwrap();
            seen.push(Seen {
                head,
                body: String::from_utf8(body).unwrap(),
            });
            let mut next = next.lock().unwrap();
            *next += 1;
            responses[(*next - 1).min(responses.len() - 1)]
        };
        let content_type = if text.starts_with("<html") {
            "text/html"
        } else {
            "text/xml;charset=UTF-8"
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// A session on `endpoint` with two attempts per call and almost no backoff.
fn session(endpoint: &str, recorder: &Recorder) -> Session {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        )))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build();
    Session::new(config, recorder.clone(), "111122223333".to_owned())
}

const PAGE_1: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <vpcSet>
        <item><vpcId>vpc-1</vpcId></item>
        <item><vpcId>vpc-2</vpcId></item>
    </vpcSet>
    <nextToken>page/2+=</nextToken>
</DescribeVpcsResponse>"#;

const PAGE_2: &str = r#"<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>2</requestId>
    <vpcSet><item><vpcId>vpc-3</vpcId></item></vpcSet>
</DescribeVpcsResponse>"#;

const EMPTY: &str = r#"<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>3</requestId>
    <vpcSet/>
    <nextToken></nextToken>
</DescribeVpcsResponse>"#;

const UNAUTHORIZED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>ef2ae0f7-EXAMPLE</RequestID></Response>"#;

const THROTTLED: &str = r#"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>1</RequestID></Response>"#;

const OPT_IN: &str = r#"<Response><Errors><Error><Code>OptInRequired</Code><Message>You are not subscribed to this service.</Message></Error></Errors><RequestID>1</RequestID></Response>"#;

fn vpc_ids(items: &[Element]) -> Vec<&str> {
    items.iter().filter_map(|i| i.text("vpcId")).collect()
}

#[tokio::test]
async fn pages_are_followed_and_each_call_is_signed_and_recorded() {
    let server = Server::start(vec![(200, PAGE_1), (200, PAGE_2)]);
    let recorder = Recorder::default();
    let ec2 = Ec2::new(&session(&server.url, &recorder), "eu-west-1");
    assert_eq!(ec2.endpoint(), server.url);
    let items = ec2
        .describe(ApiOperation::Ec2DescribeVpcs, "vpcSet")
        .await
        .unwrap();
    assert_eq!(vpc_ids(&items), ["vpc-1", "vpc-2", "vpc-3"]);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, "Action=DescribeVpcs&Version=2016-11-15");
    assert_eq!(
        seen[1].body,
        "Action=DescribeVpcs&Version=2016-11-15&NextToken=page%2F2%2B%3D"
    );
    let head = seen[0].head.to_ascii_lowercase();
    assert!(head.starts_with("post / http/1.1\r\n"), "{head}");
    assert!(
        head.contains("content-type: application/x-www-form-urlencoded"),
        "{head}"
    );
    assert!(
        head.contains("authorization: aws4-hmac-sha256 credential=akidexample/")
            && head.contains("/eu-west-1/ec2/aws4_request"),
        "SigV4 for ec2 in the request's region: {head}"
    );
    assert!(head.contains("x-amz-date:"), "{head}");
    assert_eq!(recorder.counts().get("ec2:DescribeVpcs"), Some(&2));
}

#[tokio::test]
async fn an_empty_or_repeated_token_ends_the_pages() {
    let server = Server::start(vec![(200, EMPTY)]);
    let recorder = Recorder::default();
    let ec2 = Ec2::new(&session(&server.url, &recorder), "eu-west-1");
    let items = ec2
        .describe(ApiOperation::Ec2DescribeVpcs, "vpcSet")
        .await
        .unwrap();
    assert!(items.is_empty());
    assert_eq!(server.seen().len(), 1);

    // The service repeating the token it was sent would otherwise loop forever.
    let server = Server::start(vec![(200, PAGE_1)]);
    let ec2 = Ec2::new(&session(&server.url, &recorder), "eu-west-1");
    let items = ec2
        .describe(ApiOperation::Ec2DescribeVpcs, "vpcSet")
        .await
        .unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn service_errors_are_classified_by_their_code() {
    let recorder = Recorder::default();
    for (status, body, kind, reason) in [
        (
            403,
            UNAUTHORIZED,
            FailureKind::AccessDenied,
            "AccessDenied (UnauthorizedOperation): You are not authorized to perform this operation.",
        ),
        (
            401,
            r#"<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors></Response>"#,
            FailureKind::AccessDenied,
            "AccessDenied (AuthFailure): AWS was not able to validate the provided access credentials",
        ),
        (
            400,
            OPT_IN,
            FailureKind::Unavailable,
            "unavailable (OptInRequired): You are not subscribed to this service.",
        ),
        (
            400,
            r#"<Response><Errors><Error><Code>InvalidAction</Code><Message>The action DescribeVpcs is not valid for this web service.</Message></Error></Errors></Response>"#,
            FailureKind::Unavailable,
            "unavailable (InvalidAction): The action DescribeVpcs is not valid for this web service.",
        ),
        (
            400,
            r#"<Response><Errors><Error><Code>UnsupportedOperation</Code></Error></Errors></Response>"#,
            FailureKind::Unavailable,
            "unavailable (UnsupportedOperation)",
        ),
        // Throttling is retried, then reported.
        (
            503,
            THROTTLED,
            FailureKind::Throttled,
            "throttled after retries (RequestLimitExceeded): Request limit exceeded.",
        ),
        // An HTML error page: the status says what happened (and 5xx is retried).
        (
            500,
            "<html><body>Internal Server Error</body></html>",
            FailureKind::Unavailable,
            "HTTP 500",
        ),
        (
            500,
            "",
            FailureKind::Unavailable,
            "HTTP 500",
        ),
    ] {
        let server = Server::start(vec![(status, body)]);
        let ec2 = Ec2::new(&session(&server.url, &recorder), "eu-west-1");
        let failure = ec2
            .describe(ApiOperation::Ec2DescribeVpcs, "vpcSet")
            .await
            .unwrap_err();
        assert_eq!((failure.kind, failure.reason.as_str()), (kind, reason), "{body}");
        let retried = status >= 500;
        assert_eq!(server.seen().len(), if retried { 2 } else { 1 }, "{body}");
    }
}

#[tokio::test]
async fn a_transient_error_then_success_is_a_success() {
    let server = Server::start(vec![(503, THROTTLED), (200, PAGE_2)]);
    let recorder = Recorder::default();
    let ec2 = Ec2::new(&session(&server.url, &recorder), "eu-west-1");
    let items = ec2
        .describe(ApiOperation::Ec2DescribeVpcs, "vpcSet")
        .await
        .unwrap();
    assert_eq!(vpc_ids(&items), ["vpc-3"]);
    assert_eq!(server.seen().len(), 2);
    // The interceptor counts operations, not attempts.
    assert_eq!(recorder.counts().get("ec2:DescribeVpcs"), Some(&1));
}

#[tokio::test]
async fn a_response_that_cannot_be_read_is_not_retried() {
    let server = Server::start(vec![(200, "<DescribeSubnetsResponse/>")]);
    let recorder = Recorder::default();
    let ec2 = Ec2::new(&session(&server.url, &recorder), "eu-west-1");
    let failure = ec2
        .describe(ApiOperation::Ec2DescribeVpcs, "vpcSet")
        .await
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::Other);
    assert!(
        failure.reason.starts_with("unreadable response (HTTP 200)")
            && failure.reason.contains("expected DescribeVpcsResponse"),
        "{}",
        failure.reason
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn unreachable_endpoints_and_other_services_fail_without_a_response() {
    let recorder = Recorder::default();
    // Port 1 is below the ephemeral range: nothing listens there.
    let ec2 = Ec2::new(&session("http://127.0.0.1:1", &recorder), "eu-west-1");
    let failure = ec2
        .call(
            ApiOperation::Ec2GetEbsEncryptionByDefault,
            Params::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::Unreachable, "{}", failure.reason);
    assert_eq!(
        recorder.counts().get("ec2:GetEbsEncryptionByDefault"),
        Some(&1)
    );

    // Only EC2's own operations are sent as EC2 actions.
    let failure = ec2
        .call(ApiOperation::S3ListBuckets, Params::default())
        .await
        .unwrap_err();
    assert!(
        failure.reason.contains("refusing `s3:ListBuckets`"),
        "{}",
        failure.reason
    );
    assert_eq!(recorder.total(), 1, "nothing was sent");
}

#[test]
fn requests_are_form_encoded() {
    assert_eq!(
        form(
            "DescribeRegions",
            EC2.version,
            &Params::default().with("AllRegions", "false")
        ),
        "Action=DescribeRegions&Version=2016-11-15&AllRegions=false"
    );
    assert_eq!(
        form(
            "DescribeVpcs",
            EC2.version,
            &Params::default().with("NextToken", "a b&c=d/é")
        ),
        "Action=DescribeVpcs&Version=2016-11-15&NextToken=a%20b%26c%3Dd%2F%C3%A9"
    );
}

#[test]
fn endpoints_follow_the_partition() {
    assert_eq!(
        regional_endpoint(EC2.signing_name, "eu-west-1"),
        "https://ec2.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        regional_endpoint(EC2.signing_name, "us-gov-west-1"),
        "https://ec2.us-gov-west-1.amazonaws.com"
    );
    assert_eq!(
        regional_endpoint(EC2.signing_name, "cn-northwest-1"),
        "https://ec2.cn-northwest-1.amazonaws.com.cn"
    );
    assert_eq!(
        regional_endpoint(EC2.signing_name, "us-iso-east-1"),
        "https://ec2.us-iso-east-1.c2s.ic.gov"
    );
    assert_eq!(
        regional_endpoint(RDS.signing_name, "eu-central-1"),
        "https://rds.eu-central-1.amazonaws.com"
    );
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .build();
    assert_eq!(
        endpoint(EC2.service_id, EC2.signing_name, &config, "ap-southeast-2"),
        "https://ec2.ap-southeast-2.amazonaws.com"
    );
}

#[test]
fn error_bodies() {
    let meta = error_metadata(UNAUTHORIZED.as_bytes());
    assert_eq!(meta.code(), Some("UnauthorizedOperation"));
    assert_eq!(
        meta.message(),
        Some("You are not authorized to perform this operation.")
    );
    assert_eq!(meta.extra("aws_request_id"), Some("ef2ae0f7-EXAMPLE"));
    let none = error_metadata(b"<html><body>oops</body></html>");
    assert_eq!((none.code(), none.message()), (None, None));
    let none = error_metadata(b"not xml at all");
    assert_eq!((none.code(), none.message()), (None, None));
    // A success body, read as an error: no code.
    assert_eq!(error_metadata(PAGE_2.as_bytes()).code(), None);
    // The other Query services' shape (RDS).
    let rds = error_metadata(
        br#"<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: rds:DescribeDBInstances</Message></Error><RequestId>5e1f-EXAMPLE</RequestId></ErrorResponse>"#,
    );
    assert_eq!(rds.code(), Some("AccessDenied"));
    assert_eq!(
        rds.message(),
        Some("not authorized to perform: rds:DescribeDBInstances")
    );
    assert_eq!(rds.extra("aws_request_id"), Some("5e1f-EXAMPLE"));
}
