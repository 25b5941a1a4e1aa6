//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of the emulator, for the
//! collector fault tests (`tests/collect_faults.rs`).
//!
//! Each request is matched against the [`Rule`]s in order: by the AWS operation
//! (`service:Action`, from `X-Amz-Target` for JSON protocols or `Action=` in the form
//! body for Query protocols; the service and region come from the SigV4 credential
//! scope), the service alone, or the region. A rule counts the requests it matches and, at
//! its [`Rate`], answers with its [`Fault`] instead of the emulator: a throttling error in
//! the protocol's shape, a 5xx, a slow answer, or a connection closed without one. Rates are
//! counts, never random, so a test is the same every run. Requests no rule faults are
//! forwarded unchanged (one request per connection: both sides are told
//! `Connection: close`).

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "test support")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What a faulted request gets instead of the emulator's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 with the protocol's throttling error (`ThrottlingException` for JSON,
    /// `Throttling` for Query, `RequestLimitExceeded` for EC2, `SlowDown` for S3).
    Throttle,
    /// This 5xx status, with `InternalFailure` (500) or `ServiceUnavailable` (others) in
    /// the protocol's error shape.
    Status(u16),
    /// The emulator's answer, after this delay (longer than the client's timeout: the
    /// client gives up first).
    Delay(Duration),
    /// The connection is reset (TCP RST) once the request is read, with no answer.
    Reset,
}

/// Which of a rule's matching requests are faulted. Counted per rule, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// Every one.
    Always,
    /// The first `n`, then none (a transient fault the client's retries outlast).
    First(usize),
    /// Every `k`-th (the `k`-th, `2k`-th, …).
    Every(usize),
}

impl Rate {
    /// Whether the `n`-th matching request (from 1) is faulted.
    fn applies(self, n: usize) -> bool {
        match self {
            Rate::Always => true,
            Rate::First(first) => n <= first,
            Rate::Every(k) => k > 0 && n.is_multiple_of(k),
        }
    }
}

/// Which requests a rule matches: every given part must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Match {
    /// `service:Action` (`kms:ListKeys`, `iam:ListRoles`).
    pub operation: Option<String>,
    /// The credential scope's service (`kms`, `s3`).
    pub service: Option<String>,
    /// The credential scope's region.
    pub region: Option<String>,
}

impl Match {
    /// Requests of one operation, `service:Action`.
    pub fn operation(name: &str) -> Match {
        Match {
            operation: Some(name.to_owned()),
            ..Match::default()
        }
    }

    /// Every request to one service.
    pub fn service(name: &str) -> Match {
        Match {
            service: Some(name.to_owned()),
            ..Match::default()
        }
    }

    /// Every request signed for one region.
    pub fn region(name: &str) -> Match {
        Match {
            region: Some(name.to_owned()),
            ..Match::default()
        }
    }

    fn matches(&self, request: &RequestInfo) -> bool {
        let same = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        };
        same(&self.operation, &request.operation())
            && same(&self.service, &request.service)
            && same(&self.region, &request.region)
    }
}

/// A fault, the requests it applies to, and how often.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The requests it counts.
    pub matches: Match,
    /// What the faulted ones get.
    pub fault: Fault,
    /// Which of the counted ones are faulted.
    pub rate: Rate,
}

impl Rule {
    /// A rule.
    pub fn new(matches: Match, fault: Fault, rate: Rate) -> Rule {
        Rule {
            matches,
            fault,
            rate,
        }
    }

    /// A rule on one operation, `service:Action`.
    pub fn on(operation: &str, fault: Fault, rate: Rate) -> Rule {
        Rule::new(Match::operation(operation), fault, rate)
    }
}

/// What the proxy learns of a request to decide on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct RequestInfo {
    service: Option<String>,
    region: Option<String>,
    action: Option<String>,
    json: bool,
}

impl RequestInfo {
    fn operation(&self) -> Option<String> {
        Some(format!(
            "{}:{}",
            self.service.as_ref()?,
            self.action.as_ref()?
        ))
    }

    /// Reads the credential scope (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`), the
    /// `X-Amz-Target` header and a form body's `Action`.
    fn of(headers: &[(String, String)], body: &[u8]) -> RequestInfo {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let mut info = RequestInfo::default();
        if let Some(scope) = header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split([',', ' ']).next())
        {
            let parts: Vec<&str> = scope.split('/').collect();
            if let [_, _, region, service, _] = parts[..] {
                info.region = Some(region.to_owned());
                info.service = Some(service.to_owned());
            }
        }
        if let Some(target) = header("x-amz-target") {
            info.json = true;
            info.action = target.rsplit('.').next().map(str::to_owned);
        } else if header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
        {
            info.action = String::from_utf8_lossy(body)
                .split('&')
                .find_map(|p| p.strip_prefix("Action="))
                .map(str::to_owned);
        }
        info
    }

    /// A throttling or server error in the shape the protocol's clients parse.
    fn error_response(&self, status: u16, code: &str, message: &str) -> Vec<u8> {
        let (content_type, body) = if self.json {
            (
                "application/x-amz-json-1.1",
                format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
            )
        } else if self.service.as_deref() == Some("s3") {
            (
                "application/xml",
                format!(
                    "<Error><Code>{code}</Code><Message>{message}</Message>\
                     <RequestId>fault-proxy</RequestId></Error>"
                ),
            )
        } else if self.service.as_deref() == Some("ec2") {
            (
                "text/xml",
                format!(
                    "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>\
                     </Error></Errors><RequestID>fault-proxy</RequestID></Response>"
                ),
            )
        } else {
            (
                "text/xml",
                format!(
                    "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
                     <Message>{message}</Message></Error><RequestId>fault-proxy</RequestId>\
                     </ErrorResponse>"
                ),
            )
        };
        let reason = match status {
            400 => "Bad Request",
            500 => "Internal Server Error",
            503 => "Service Unavailable",
            _ => "Error",
        };
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\n\
             x-amzn-errortype: {code}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn throttling_code(&self) -> &'static str {
        if self.json {
            "ThrottlingException"
        } else if self.service.as_deref() == Some("s3") {
            "SlowDown"
        } else if self.service.as_deref() == Some("ec2") {
            "RequestLimitExceeded"
        } else {
            "Throttling"
        }
    }
}

/// The proxy, listening until dropped.
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`: give it to `--endpoint-url`.
    pub url: String,
    state: Arc<State>,
    addr: SocketAddr,
}

struct State {
    upstream: SocketAddr,
    rules: Vec<Rule>,
    /// Per rule: requests matched, requests faulted.
    matched: Vec<AtomicUsize>,
    faulted: Vec<AtomicUsize>,
    stopped: AtomicBool,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) applying `rules`.
    pub fn start(upstream: &str, rules: Vec<Rule>) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("upstream is http://127.0.0.1:PORT");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            upstream,
            matched: rules.iter().map(|_| AtomicUsize::new(0)).collect(),
            faulted: rules.iter().map(|_| AtomicUsize::new(0)).collect(),
            rules,
            stopped: AtomicBool::new(false),
        });
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if shared.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                std::thread::spawn(move || {
                    // A client that gave up (a timeout) is no error of the proxy's.
                    let _ = serve(&shared, stream);
                });
            }
        });
        FaultProxy {
            url: format!("http://{addr}"),
            state,
            addr,
        }
    }

    /// Requests faulted so far, per rule (in the order given).
    pub fn faulted(&self) -> Vec<usize> {
        let n = &self.state.faulted;
        n.iter().map(|c| c.load(Ordering::SeqCst)).collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees `stopped`.
        let _ = TcpStream::connect(self.addr);
    }
}

/// One request: read it, decide, answer or forward.
fn serve(state: &State, client: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = String::new();
    let mut headers = Vec::new();
    reader.read_line(&mut head)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;

    let info = RequestInfo::of(&headers, &body);
    let fault = state.rules.iter().enumerate().find_map(|(i, rule)| {
        if !rule.matches.matches(&info) {
            return None;
        }
        let n = state.matched[i].fetch_add(1, Ordering::SeqCst) + 1;
        rule.rate.applies(n).then(|| {
            state.faulted[i].fetch_add(1, Ordering::SeqCst);
            rule.fault
        })
    });
    let mut client = client;
    match fault {
        Some(Fault::Throttle) => {
            client.write_all(&info.error_response(400, info.throttling_code(), "Rate exceeded"))
        }
        Some(Fault::Status(status)) => {
            let code = if status == 500 {
                "InternalFailure"
            } else {
                "ServiceUnavailable"
            };
            client.write_all(&info.error_response(status, code, "injected by the fault proxy"))
        }
        Some(Fault::Reset) => {
            // SO_LINGER 0: closing sends RST instead of FIN.
            socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO))?;
            drop(client);
            Ok(())
        }
        Some(Fault::Delay(delay)) => {
            std::thread::sleep(delay);
            forward(state.upstream, &head, &headers, &body, &mut client)
        }
        None => forward(state.upstream, &head, &headers, &body, &mut client),
    }
}

/// Sends the request to the emulator and its answer back, both with `Connection: close`.
fn forward(
    upstream: SocketAddr,
    head: &str,
    headers: &[(String, String)],
    body: &[u8],
    client: &mut TcpStream,
) -> std::io::Result<()> {
    let mut server = TcpStream::connect(upstream)?;
    let mut request = head.to_owned();
    for (name, value) in headers.iter().filter(|(n, _)| !hop_by_hop(n)) {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    server.write_all(request.as_bytes())?;
    server.write_all(body)?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer)?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..split]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        let name = line.split_once(':').map_or("", |(n, _)| n.trim());
        if !hop_by_hop(name) {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n");
    client.write_all(out.as_bytes())?;
    client.write_all(answer.get(split + 2..).unwrap_or_default())?;
    client.flush()?;
    client.shutdown(Shutdown::Both)
}

fn hop_by_hop(name: &str) -> bool {
    ["connection", "keep-alive"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_count_from_one() {
        let faulted = |rate: Rate| (1..=6).filter(|n| rate.applies(*n)).collect::<Vec<_>>();
        assert_eq!(faulted(Rate::First(2)), [1, 2]);
        assert_eq!(faulted(Rate::Every(3)), [3, 6]);
        assert_eq!(faulted(Rate::Always).len(), 6);
    }

    #[test]
    fn operations_come_from_the_target_or_the_form() {
        let auth = (
            "Authorization".to_owned(),
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host".to_owned(),
        );
        let json = RequestInfo::of(
            &[
                auth.clone(),
                (
                    "X-Amz-Target".to_owned(),
                    "TrentService.ListKeys".to_owned(),
                ),
            ],
            b"{}",
        );
        assert_eq!(json.operation().as_deref(), Some("kms:ListKeys"));
        assert_eq!(json.region.as_deref(), Some("eu-west-1"));
        assert!(Match::operation("kms:ListKeys").matches(&json));
        assert!(!Match::region("us-east-1").matches(&json));
        let query = RequestInfo::of(
            &[
                (
                    "authorization".to_owned(),
                    auth.1
                        .replace("/kms/", "/iam/")
                        .replace("eu-west-1", "us-east-1"),
                ),
                (
                    "content-type".to_owned(),
                    "application/x-www-form-urlencoded".to_owned(),
                ),
            ],
            b"Action=ListRoles&Version=2010-05-08",
        );
        assert_eq!(query.operation().as_deref(), Some("iam:ListRoles"));
        assert!(Match::service("iam").matches(&query));
    }
}
