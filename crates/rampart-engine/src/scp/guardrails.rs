//! The guardrail declaration (`guardrails/*.toml`): quotas, generation settings, defaults
//! and the intents, read with the position of every value so that a mistake is reported
//! as `file:line:column`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rampart_iam::ContextValue;
use serde::Deserialize;
use toml::Spanned;

use super::intent::{
    builtin_examples, exemption_examples, ExampleDefaults, ExampleRequest, Intent, IntentKind,
    IntentParams, GLOBAL_SERVICES, SECURITY_SERVICES,
};
use super::org::{OrgTree, TargetKind};
use crate::ruleset::Parameters;
use crate::vocab::{did_you_mean, line_column, unknown_name};

/// The bundled guardrails for the sample organization.
pub const DEFAULT_GUARDRAILS: &str = include_str!("../../../../guardrails/default.toml");

/// Where the bundled guardrails live in the repository (used in messages).
pub const DEFAULT_GUARDRAILS_PATH: &str = "guardrails/default.toml";

/// Why guardrails could not be loaded or resolved.
#[derive(Debug, thiserror::Error)]
pub enum GuardrailsError {
    /// The file could not be read.
    #[error("{path}: cannot read guardrails: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Bad TOML, an unknown key, or a value that does not fit the organization.
    #[error("{path}:{line}:{column}: invalid guardrails: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// AWS Organizations quotas the packer keeps to: settings, since AWS changes them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    /// Characters of one SCP document (AWS documents 5,120).
    #[serde(default = "default_max_chars")]
    pub max_policy_chars: usize,
    /// SCPs attached to one root, OU or account, FullAWSAccess counted (AWS documents 5).
    #[serde(default = "default_max_policies")]
    pub max_policies_per_target: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            max_policy_chars: default_max_chars(),
            max_policies_per_target: default_max_policies(),
        }
    }
}

fn default_max_chars() -> usize {
    5120
}
fn default_max_policies() -> usize {
    5
}
fn yes() -> bool {
    true
}

/// How documents are written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generation {
    /// Give each statement a `Sid` made of its intents' ids.
    #[serde(default = "yes")]
    pub sids: bool,
    /// Compact action lists with catalog-checked wildcards.
    #[serde(default = "yes")]
    pub compact_actions: bool,
    /// Names (or ids) of attached SCPs the generated ones replace: they do not count
    /// against the per-target quota and are left out of the proof's chains.
    #[serde(default)]
    pub replaces: Vec<String>,
    /// Prefix of the generated policies' names.
    #[serde(default = "default_prefix")]
    pub name_prefix: String,
}

impl Default for Generation {
    fn default() -> Self {
        Generation {
            sids: true,
            compact_actions: true,
            replaces: Vec::new(),
            name_prefix: default_prefix(),
        }
    }
}

fn default_prefix() -> String {
    "rampart".to_owned()
}

/// Defaults of every intent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// The caller of examples that name none (`{account}` is the account tried).
    #[serde(default = "default_principal")]
    pub principal: String,
    /// The region of examples that name none.
    #[serde(default = "default_region")]
    pub region: String,
    /// Principal ARN patterns every intent exempts (break-glass roles).
    #[serde(default)]
    pub exempt: Vec<String>,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            principal: default_principal(),
            region: default_region(),
            exempt: Vec::new(),
        }
    }
}

fn default_principal() -> String {
    "arn:aws:iam::{account}:role/workload-admin".to_owned()
}
fn default_region() -> String {
    "us-east-1".to_owned()
}

/// A guardrail declaration as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrails {
    /// Short name.
    #[serde(default)]
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Quotas (a `--quota-profile` file overrides them).
    #[serde(default)]
    pub quotas: Quotas,
    /// How documents are written.
    #[serde(default)]
    pub generation: Generation,
    /// Defaults of every intent.
    #[serde(default)]
    pub defaults: Defaults,
    /// The intents, in order.
    #[serde(default, rename = "intent")]
    pub intents: Vec<Spanned<IntentDecl>>,
    #[serde(skip)]
    path: PathBuf,
    #[serde(skip)]
    text: String,
}

/// One `[[intent]]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentDecl {
    /// Unique id (letters, digits and `-`).
    pub id: Spanned<String>,
    /// One of the kinds ([`IntentKind`]).
    pub kind: Spanned<String>,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Where it attaches: `root`, an OU path, name or id, an account name or id.
    pub targets: Spanned<Vec<Spanned<String>>>,
    /// Principal ARN patterns exempted (added to `[defaults] exempt`).
    #[serde(default)]
    pub exempt: Vec<String>,
    /// `protect-security-services`.
    pub services: Option<Spanned<Vec<String>>>,
    /// `region-deny`.
    pub allowed_regions: Option<Spanned<Vec<String>>>,
    /// `region-deny`.
    pub global_services: Option<Spanned<Vec<String>>>,
    /// `protect-foundation-roles`.
    pub roles: Option<Spanned<Vec<String>>>,
    /// `network-boundary`: account ids or name globs.
    pub network_accounts: Option<Spanned<Vec<String>>>,
    /// `protect-classification-tags`.
    pub tag_keys: Option<Spanned<Vec<String>>>,
    /// `kms-deletion-window`.
    pub min_days: Option<Spanned<u32>>,
    /// `deny-actions`.
    pub actions: Option<Spanned<Vec<String>>>,
    /// More requests that must be denied.
    #[serde(default)]
    pub must_deny: Vec<ExampleDecl>,
    /// More requests that must stay allowed.
    #[serde(default)]
    pub must_allow: Vec<ExampleDecl>,
}

/// An example request as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleDecl {
    /// `service:Action`.
    pub action: String,
    /// Resource ARN (default `*`).
    pub resource: Option<String>,
    /// Caller ARN (default: `[defaults] principal`).
    pub principal: Option<String>,
    /// Region (default: `[defaults] region`).
    pub region: Option<String>,
    /// Condition keys: a string or a list of strings each.
    #[serde(default)]
    pub context: BTreeMap<String, ContextValue>,
    /// Why it is there.
    #[serde(default)]
    pub note: Option<String>,
    /// Only tried in these accounts (ids); default: every account below the targets.
    #[serde(default)]
    pub accounts: Vec<String>,
}

/// Reads guardrails from a file.
pub fn load_guardrails_file(path: &Path) -> Result<Guardrails, GuardrailsError> {
    let text = rampart_model::read_text(path).map_err(|source| GuardrailsError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_guardrails(&text, path)
}

/// Parses guardrails text; `path` is used in messages.
pub fn parse_guardrails(text: &str, path: &Path) -> Result<Guardrails, GuardrailsError> {
    let mut g: Guardrails = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
        GuardrailsError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message: with_suggestion(e.message().trim()),
        }
    })?;
    g.path = path.to_owned();
    g.text = text.to_owned();
    Ok(g)
}

/// Reads a `--quota-profile` file: a `[quotas]` table.
pub fn parse_quota_profile(text: &str, path: &Path) -> Result<Quotas, GuardrailsError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Profile {
        quotas: Quotas,
    }
    toml::from_str::<Profile>(text)
        .map(|p| p.quotas)
        .map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
            GuardrailsError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: with_suggestion(e.message().trim()),
            }
        })
}

/// serde's "unknown field `x`, expected one of …" as a did-you-mean.
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some((given, expected)) = rest.split_once("`, expected ") else {
        return message.to_owned();
    };
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match did_you_mean(given, known.iter().copied()) {
        Some(best) => format!("unknown key `{given}`, did you mean `{best}`?"),
        None => format!("unknown key `{given}`, expected {expected}"),
    }
}

impl Guardrails {
    /// The bundled guardrails for the sample organization.
    pub fn bundled() -> Result<Guardrails, GuardrailsError> {
        parse_guardrails(DEFAULT_GUARDRAILS, Path::new(DEFAULT_GUARDRAILS_PATH))
    }

    /// The file the guardrails were read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, span: Range<usize>, message: String) -> GuardrailsError {
        let (line, column) = line_column(&self.text, span.start);
        GuardrailsError::Invalid {
            path: self.path.clone(),
            line,
            column,
            message,
        }
    }

    /// Resolves the intents against an organization; the ruleset's parameters give
    /// defaults (foundation roles, classification tags, network accounts, regions).
    pub fn resolve(
        &self,
        org: &OrgTree,
        params: &Parameters,
    ) -> Result<Vec<Intent>, GuardrailsError> {
        let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
        let mut out = Vec::new();
        for decl in &self.intents {
            let d = decl.get_ref();
            let id = d.id.get_ref();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(self.error(
                    d.id.span(),
                    format!("intent id `{id}` must be letters, digits and `-`"),
                ));
            }
            if seen.insert(id, ()).is_some() {
                return Err(self.error(d.id.span(), format!("intent id `{id}` is declared twice")));
            }
            out.push(self.resolve_one(d, org, params)?);
        }
        if out.is_empty() {
            return Err(self.error(0..0, "no `[[intent]]` is declared".to_owned()));
        }
        Ok(out)
    }

    fn resolve_one(
        &self,
        d: &IntentDecl,
        org: &OrgTree,
        params: &Parameters,
    ) -> Result<Intent, GuardrailsError> {
        let names: Vec<&str> = IntentKind::ALL.iter().map(|k| k.as_str()).collect();
        let kind = IntentKind::parse(d.kind.get_ref()).ok_or_else(|| {
            self.error(
                d.kind.span(),
                unknown_name("intent kind", d.kind.get_ref(), &names),
            )
        })?;
        // A parameter the kind does not take is a mistake, not something to ignore.
        let given: [(&str, Option<Range<usize>>); 8] = [
            ("services", d.services.as_ref().map(Spanned::span)),
            (
                "allowed_regions",
                d.allowed_regions.as_ref().map(Spanned::span),
            ),
            (
                "global_services",
                d.global_services.as_ref().map(Spanned::span),
            ),
            ("roles", d.roles.as_ref().map(Spanned::span)),
            (
                "network_accounts",
                d.network_accounts.as_ref().map(Spanned::span),
            ),
            ("tag_keys", d.tag_keys.as_ref().map(Spanned::span)),
            ("min_days", d.min_days.as_ref().map(Spanned::span)),
            ("actions", d.actions.as_ref().map(Spanned::span)),
        ];
        for (name, span) in given {
            if let Some(span) = span {
                if !kind.parameters().contains(&name) {
                    return Err(self.error(
                        span,
                        format!("`{name}` is not a parameter of `{kind}` intents"),
                    ));
                }
            }
        }
        let targets = self.resolve_targets(d, org)?;
        let list = |v: &Option<Spanned<Vec<String>>>| v.as_ref().map(|s| s.get_ref().clone());
        let mut p = IntentParams {
            min_days: d.min_days.as_ref().map_or(30, |m| *m.get_ref()),
            ..IntentParams::default()
        };
        match kind {
            IntentKind::ProtectSecurityServices => {
                let known: Vec<&str> = SECURITY_SERVICES.iter().map(|(s, _, _)| *s).collect();
                p.services = list(&d.services)
                    .unwrap_or_else(|| known.iter().map(|s| (*s).to_owned()).collect());
                if let Some(bad) = p.services.iter().find(|s| !known.contains(&s.as_str())) {
                    let span = d.services.as_ref().map_or(d.kind.span(), Spanned::span);
                    return Err(self.error(span, unknown_name("security service", bad, &known)));
                }
            }
            IntentKind::RegionDeny => {
                p.allowed_regions =
                    list(&d.allowed_regions).unwrap_or_else(|| params.workload_regions());
                if p.allowed_regions.is_empty() {
                    return Err(self.error(
                        d.kind.span(),
                        "`region-deny` needs `allowed_regions` (or the ruleset's `allowed_regions`)".to_owned(),
                    ));
                }
                p.global_services = list(&d.global_services)
                    .unwrap_or_else(|| GLOBAL_SERVICES.iter().map(|s| (*s).to_owned()).collect());
            }
            IntentKind::KmsDeletionWindow if !(7..=30).contains(&p.min_days) => {
                let span = d.min_days.as_ref().map_or(d.kind.span(), Spanned::span);
                return Err(self.error(
                    span,
                    "`min_days` must be between 7 and 30 (the waiting periods KMS accepts)"
                        .to_owned(),
                ));
            }
            IntentKind::ProtectFoundationRoles => {
                p.roles = list(&d.roles).unwrap_or_else(|| params.foundation_roles.clone());
            }
            IntentKind::NetworkBoundary => {
                let selectors =
                    list(&d.network_accounts).unwrap_or_else(|| params.network_accounts.clone());
                let mut ids: Vec<String> = org
                    .targets
                    .values()
                    .filter(|t| t.kind == TargetKind::Account)
                    .filter(|t| {
                        selectors.iter().any(|s| {
                            s == &t.id || rampart_iam::wildcard::matches_ignore_case(s, &t.path)
                        })
                    })
                    .map(|t| t.id.clone())
                    .collect();
                ids.sort();
                if ids.is_empty() {
                    let span = d
                        .network_accounts
                        .as_ref()
                        .map_or(d.kind.span(), Spanned::span);
                    return Err(self.error(span, format!("no account of the organization matches the network accounts {selectors:?}")));
                }
                p.network_accounts = ids;
            }
            IntentKind::ProtectClassificationTags => {
                p.tag_keys =
                    list(&d.tag_keys).unwrap_or_else(|| params.classification_tags.clone());
            }
            IntentKind::DenyActions => {
                p.actions = list(&d.actions).unwrap_or_default();
                if p.actions.is_empty() || d.must_deny.is_empty() || d.must_allow.is_empty() {
                    return Err(self.error(
                        d.kind.span(),
                        "`deny-actions` needs `actions` and at least one `must_deny` and one `must_allow` example".to_owned(),
                    ));
                }
            }
            _ => {}
        }
        let defaults = ExampleDefaults {
            principal: self.defaults.principal.clone(),
            region: self.defaults.region.clone(),
        };
        let (mut must_deny, mut must_allow) = builtin_examples(kind, &p, &defaults);
        let example = |e: &ExampleDecl| ExampleRequest {
            action: e.action.clone(),
            resource: e.resource.clone().unwrap_or_else(|| "*".to_owned()),
            principal: e
                .principal
                .clone()
                .unwrap_or_else(|| defaults.principal.clone()),
            region: e.region.clone().unwrap_or_else(|| defaults.region.clone()),
            context: e
                .context
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            note: e.note.clone().unwrap_or_else(|| "declared".to_owned()),
            only_accounts: e.accounts.clone(),
            except_accounts: Vec::new(),
        };
        must_deny.extend(d.must_deny.iter().map(example));
        must_allow.extend(d.must_allow.iter().map(example));
        let mut exempt = self.defaults.exempt.clone();
        exempt.extend(d.exempt.iter().cloned());
        exempt.sort();
        exempt.dedup();
        let mut intent = Intent {
            id: d.id.get_ref().clone(),
            kind,
            description: d.description.clone().unwrap_or_default(),
            targets,
            exempt,
            params: p,
            must_deny,
            must_allow,
        };
        let proofs = exemption_examples(&intent);
        intent.must_allow.extend(proofs);
        Ok(intent)
    }

    fn resolve_targets(
        &self,
        d: &IntentDecl,
        org: &OrgTree,
    ) -> Result<Vec<super::org::Target>, GuardrailsError> {
        let mut ids: Vec<String> = Vec::new();
        for name in d.targets.get_ref() {
            let found = org.find(name.get_ref());
            let target = match found.as_slice() {
                [one] => *one,
                [] => {
                    let known: Vec<String> =
                        org.targets.values().flat_map(|t| org.names(t)).collect();
                    let known: Vec<&str> = known.iter().map(String::as_str).collect();
                    let mut message = format!("unknown target `{}`", name.get_ref());
                    if let Some(best) = did_you_mean(name.get_ref(), known.iter().copied()) {
                        message.push_str(&format!(", did you mean `{best}`?"));
                    } else {
                        message.push_str(
                            " (expected `root`, an OU path, name or id, or an account name or id)",
                        );
                    }
                    return Err(self.error(name.span(), message));
                }
                many => {
                    let ids: Vec<String> = many
                        .iter()
                        .map(|t| format!("`{}` ({})", t.path, t.id))
                        .collect();
                    return Err(self.error(
                        name.span(),
                        format!(
                            "target `{}` is ambiguous: {}; use a path or an id",
                            name.get_ref(),
                            ids.join(", ")
                        ),
                    ));
                }
            };
            if target.id == org.management_account_id {
                return Err(self.error(
                    name.span(),
                    format!(
                        "target `{}` is the management account, which SCPs never restrict",
                        name.get_ref()
                    ),
                ));
            }
            ids.push(target.id.clone());
        }
        if ids.is_empty() {
            return Err(self.error(
                d.targets.span(),
                "an intent needs at least one target".to_owned(),
            ));
        }
        ids.sort();
        ids.dedup();
        // A target below another target of the intent inherits the deny: attach once.
        let kept: Vec<super::org::Target> = ids
            .iter()
            .filter(|id| {
                !ids.iter()
                    .any(|other| other != *id && org.is_at_or_above(other, id))
            })
            .filter_map(|id| org.targets.get(id).cloned())
            .collect();
        Ok(kept)
    }
}
