//! The vocabulary every module of the engine shares: areas, severities, statuses, rule
//! kinds, "did you mean" suggestions and text positions. It imports nothing of the engine,
//! so that rulesets, facts, rules and reports all build on it without cycles.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::model::{line_column, Location};

/// The capability a finding belongs to; a fixed vocabulary (DESIGN.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Area {
    /// Organization structure and ownership.
    #[serde(rename = "governance")]
    Governance,
    /// Data classification.
    #[serde(rename = "data-classification")]
    DataClassification,
    /// Encryption at rest.
    #[serde(rename = "encryption.at-rest")]
    EncryptionAtRest,
    /// Encryption in transit.
    #[serde(rename = "encryption.in-transit")]
    EncryptionInTransit,
    /// Key management.
    #[serde(rename = "encryption.key-management")]
    EncryptionKeyManagement,
    /// Certificate management.
    #[serde(rename = "encryption.certificate-management")]
    EncryptionCertificateManagement,
    /// Multi-region.
    #[serde(rename = "multi-region")]
    MultiRegion,
    /// Account design and tenancy.
    #[serde(rename = "tenancy")]
    Tenancy,
    /// VPC design.
    #[serde(rename = "network.vpc-design")]
    NetworkVpcDesign,
    /// On-premises connectivity.
    #[serde(rename = "network.on-premises")]
    NetworkOnPremises,
    /// DNS.
    #[serde(rename = "network.dns")]
    NetworkDns,
    /// Internet connectivity.
    #[serde(rename = "network.internet")]
    NetworkInternet,
    /// Workload promotion.
    #[serde(rename = "promotion")]
    Promotion,
    /// Baseline management.
    #[serde(rename = "baseline")]
    Baseline,
    /// Operating model.
    #[serde(rename = "operating-model")]
    OperatingModel,
    /// Service control policies.
    #[serde(rename = "iam.scp")]
    IamScp,
    /// IAM for workloads.
    #[serde(rename = "iam.workloads")]
    IamWorkloads,
    /// IAM for the foundation.
    #[serde(rename = "iam.foundation")]
    IamFoundation,
}

impl Area {
    /// Every area, in the order reports list them.
    pub const ALL: [Area; 18] = [
        Area::Governance,
        Area::DataClassification,
        Area::EncryptionAtRest,
        Area::EncryptionInTransit,
        Area::EncryptionKeyManagement,
        Area::EncryptionCertificateManagement,
        Area::MultiRegion,
        Area::Tenancy,
        Area::NetworkVpcDesign,
        Area::NetworkOnPremises,
        Area::NetworkDns,
        Area::NetworkInternet,
        Area::Promotion,
        Area::Baseline,
        Area::OperatingModel,
        Area::IamScp,
        Area::IamWorkloads,
        Area::IamFoundation,
    ];

    /// The area's name as written in rules and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Governance => "governance",
            Area::DataClassification => "data-classification",
            Area::EncryptionAtRest => "encryption.at-rest",
            Area::EncryptionInTransit => "encryption.in-transit",
            Area::EncryptionKeyManagement => "encryption.key-management",
            Area::EncryptionCertificateManagement => "encryption.certificate-management",
            Area::MultiRegion => "multi-region",
            Area::Tenancy => "tenancy",
            Area::NetworkVpcDesign => "network.vpc-design",
            Area::NetworkOnPremises => "network.on-premises",
            Area::NetworkDns => "network.dns",
            Area::NetworkInternet => "network.internet",
            Area::Promotion => "promotion",
            Area::Baseline => "baseline",
            Area::OperatingModel => "operating-model",
            Area::IamScp => "iam.scp",
            Area::IamWorkloads => "iam.workloads",
            Area::IamFoundation => "iam.foundation",
        }
    }
}

impl FromStr for Area {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Area::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Area::ALL.iter().map(|a| a.as_str()).collect();
                unknown_name("area", s, &names)
            })
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a failing finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                unknown_name(
                    "severity",
                    s,
                    &["critical", "high", "medium", "low", "info"],
                )
            })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of one rule on one resource.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The rule applies and the resource meets it.
    Pass,
    /// The rule applies and the resource breaks it.
    Fail,
    /// The rule could not be assessed: data it needs was not read, or evaluation failed.
    Unknown,
    /// The resource breaks the rule but a ruleset waiver covers it.
    Waived,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 4] = [Status::Fail, Status::Unknown, Status::Waived, Status::Pass];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Waived => "waived",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a rule is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// A Cedar `forbid` policy.
    Cedar,
    /// Rust code.
    Native,
}

impl RuleKind {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Cedar => "cedar",
            RuleKind::Native => "native",
        }
    }
}

/// "unknown X `s`, expected one of …", with a did-you-mean when a name is close.
pub fn unknown_name(what: &str, given: &str, known: &[&str]) -> String {
    let mut message = format!("unknown {what} `{given}`");
    match did_you_mean(given, known.iter().copied()) {
        Some(best) => message.push_str(&format!(", did you mean `{best}`?")),
        None => message.push_str(&format!(", expected one of {}", backticked(known))),
    }
    message
}

/// The closest known name, when one is close enough to be a likely typo.
pub fn did_you_mean<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(given, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
