//! Loading and validating Cedar policies: one rule per `forbid`, metadata from annotations.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

use cedar_policy::{
    Effect, Policy, PolicyId, PolicySet, ResourceConstraint, Schema, SchemaFragment,
    ValidationMode, Validator,
};

use super::schema_index::SchemaIndex;
use crate::model::{Location, Read, ResourceType};
use crate::rules::RuleMeta;
use crate::vocab::{did_you_mean, line_column, unknown_name, Area, RuleKind, Severity};

include!(concat!(env!("OUT_DIR"), "/bundled_policies.rs"));

/// The Cedar schema of the model, `policies/rampart.cedarschema`.
pub const SCHEMA_TEXT: &str = include_str!("../../../../../policies/rampart.cedarschema");
const SCHEMA_PATH: &str = "policies/rampart.cedarschema";

/// Annotations every rule must have.
const REQUIRED: [&str; 5] = ["id", "title", "area", "severity", "remediation"];
/// Annotations a rule may have.
const OPTIONAL: [&str; 5] = ["description", "rationale", "reads", "applies_to", "message"];

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A file could not be read.
    #[error("{path}: cannot read policy: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A policy is invalid: syntax, schema validation or annotations.
    #[error("{path}:{line}:{column}: {message}")]
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

/// One Cedar rule: its metadata and its policy (renamed to its `@id`).
///
/// A rule's `when` clauses say where it applies and its `unless` clauses what compliance
/// is: a resource no `when` clause selects gets no finding, one it selects passes unless
/// the `forbid` is satisfied. `scope` is the `when` clauses alone, as a `permit` policy.
#[derive(Debug, Clone)]
pub struct CedarRule {
    /// Metadata from the annotations.
    pub meta: RuleMeta,
    /// The policy, with `PolicyId` = the rule id.
    pub policy: Policy,
    /// The `when` clauses as a `permit` (id `RULE#scope`); `None` when the rule has none
    /// and so applies to every resource of its types.
    pub scope: Option<Scope>,
    /// Every attribute name the policy reads (`.attr` or `has attr`), from its syntax tree.
    pub attributes: BTreeSet<String>,
    /// `@message` template for failures, if any (placeholders checked against the schema).
    pub message: Option<String>,
    /// The attribute paths its evidence shows, from its syntax tree.
    pub evidence: Vec<super::evidence::EvidencePath>,
    /// The policy in Cedar's JSON policy format, as written (lossless).
    pub est: serde_json::Value,
}

/// A rule's `when` clauses as a `permit` policy with id `RULE#scope`. Its JSON form is
/// built at load; the Cedar policy only when first asked for, since only the reference
/// backend evaluates it (turning JSON into a policy costs about as much as parsing it).
#[derive(Debug, Clone)]
pub struct Scope {
    id: PolicyId,
    est: serde_json::Value,
    policy: OnceLock<Result<Policy, String>>,
}

impl Scope {
    /// The scope's policy id, `RULE#scope`.
    pub fn id(&self) -> &PolicyId {
        &self.id
    }

    /// The scope as a Cedar policy.
    pub fn policy(&self) -> Result<&Policy, String> {
        self.policy
            .get_or_init(|| {
                Policy::from_json(Some(self.id.clone()), self.est.clone())
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Validated Cedar policies and the rules they define, sorted by id.
#[derive(Debug)]
pub struct PolicyStore {
    rules: Vec<CedarRule>,
    metas: Vec<RuleMeta>,
}

/// What loading checks beyond the syntax and the annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checks {
    /// Everything: the policies against the schema, `@message` placeholders, the policy
    /// sets of each resource type.
    All,
    /// The bundled policies: the test `bundled_policies_load_and_validate` checks them all
    /// (as `from_sources` does), so a run does not parse the schema again to repeat it.
    Bundled,
}

impl PolicyStore {
    /// The policies bundled in the binary (`policies/**/*.cedar`), checked against the
    /// schema by the tests rather than at every start.
    pub fn bundled() -> Result<PolicyStore, PolicyError> {
        PolicyStore::load(bundled_sources(), Checks::Bundled)
    }

    /// Every `*.cedar` file under `dir`, recursively, in path order.
    pub fn from_dir(dir: &Path) -> Result<PolicyStore, PolicyError> {
        let mut files = Vec::new();
        collect_cedar_files(dir, &mut files)?;
        files.sort();
        let mut sources = Vec::with_capacity(files.len());
        for path in files {
            let text = rampart_model::read_text(&path).map_err(|source| PolicyError::Io {
                path: path.clone(),
                source,
            })?;
            sources.push((path, text));
        }
        PolicyStore::from_sources(sources)
    }

    /// Parses and validates policy texts; paths are used in messages and locations.
    pub fn from_sources(
        sources: impl IntoIterator<Item = (PathBuf, String)>,
    ) -> Result<PolicyStore, PolicyError> {
        PolicyStore::load(sources, Checks::All)
    }

    fn load(
        sources: impl IntoIterator<Item = (PathBuf, String)>,
        checks: Checks,
    ) -> Result<PolicyStore, PolicyError> {
        let schema = match checks {
            Checks::All => {
                let (schema, index) = load_schema()?;
                let index = index.map_err(|message| PolicyError::Invalid {
                    path: PathBuf::from(SCHEMA_PATH),
                    line: 1,
                    column: 1,
                    message: format!("cannot read the cedar schema's attributes: {message}"),
                })?;
                Some((Validator::new(schema), index))
            }
            Checks::Bundled => None,
        };
        let mut rules: BTreeMap<String, CedarRule> = BTreeMap::new();
        for (path, text) in sources {
            super::limits::check(&path, &text)?;
            for rule in load_file(schema.as_ref(), &path, &text)? {
                if let Some(existing) = rules.get(&rule.meta.id) {
                    let first = existing
                        .meta
                        .location
                        .as_ref()
                        .map_or_else(String::new, |l| format!("{}:{}", l.uri, l.line));
                    let loc = rule.meta.location.clone();
                    return Err(invalid_at(
                        &path,
                        loc.map_or((1, 1), |l| (l.line as usize, l.column as usize)),
                        format!(
                            "duplicate rule id `{}` (first defined at {first})",
                            rule.meta.id
                        ),
                    ));
                }
                rules.insert(rule.meta.id.clone(), rule);
            }
        }
        let rules: Vec<CedarRule> = rules.into_values().collect();
        // The policy sets the backends build per resource type must build: a set that does
        // not is a load error, never rules that silently produce nothing.
        let types = if checks == Checks::All {
            &ResourceType::ALL[..]
        } else {
            &[]
        };
        for &ty in types {
            let of_type: Vec<&CedarRule> = rules
                .iter()
                .filter(|r| r.meta.resource_types.contains(&ty))
                .collect();
            if let Err(e) = policy_set(&of_type) {
                let location = of_type
                    .first()
                    .and_then(|r| r.meta.location.clone())
                    .unwrap_or_else(|| Location {
                        uri: "policies".to_owned(),
                        line: 1,
                        column: 1,
                    });
                return Err(PolicyError::Invalid {
                    path: PathBuf::from(&location.uri),
                    line: location.line as usize,
                    column: location.column as usize,
                    message: format!(
                        "the policies for `{}` do not form a policy set: {}",
                        ty.cedar_type(),
                        one_line(&e)
                    ),
                });
            }
        }
        let metas = rules.iter().map(|r| r.meta.clone()).collect();
        Ok(PolicyStore { rules, metas })
    }

    /// The rules' metadata, sorted by id.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.metas
    }

    /// The rules with their policies, sorted by id.
    pub fn cedar_rules(&self) -> &[CedarRule] {
        &self.rules
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&CedarRule> {
        self.rules
            .binary_search_by(|r| r.meta.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }
}

/// The bundled policy files as `(path, text)`.
pub(crate) fn bundled_sources() -> impl Iterator<Item = (PathBuf, String)> {
    BUNDLED_POLICIES
        .iter()
        .map(|(path, text)| (PathBuf::from(path), (*text).to_owned()))
}

/// The policy set of some rules: their `forbid` policies and their scopes.
pub(crate) fn policy_set(rules: &[&CedarRule]) -> Result<PolicySet, String> {
    let mut policies = Vec::with_capacity(rules.len() * 2);
    for rule in rules {
        policies.push(rule.policy.clone());
        if let Some(scope) = &rule.scope {
            policies.push(scope.policy()?.clone());
        }
    }
    PolicySet::from_policies(policies).map_err(|e| e.to_string())
}

/// The scopes of some rules alone (the `permit`s of their `when` clauses); `None` when no
/// rule has one. Built from policies that [`policy_set`] accepted together.
pub(crate) fn scope_set(rules: &[&CedarRule]) -> Option<PolicySet> {
    let scopes: Vec<_> = rules
        .iter()
        .filter_map(|r| r.scope.as_ref()?.policy().ok().cloned())
        .collect();
    if scopes.is_empty() {
        return None;
    }
    PolicySet::from_policies(scopes).ok()
}

fn collect_cedar_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let entries = std::fs::read_dir(dir).map_err(|source| PolicyError::Io {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| PolicyError::Io {
                path: dir.to_owned(),
                source,
            })?
            .path();
        if path.is_dir() {
            collect_cedar_files(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "cedar") {
            files.push(path);
        }
    }
    Ok(())
}

/// The schema, and the index of its attributes (or why it cannot be built), from one
/// parse of its text.
/// The bundled schema, parsed once per process: it is constant, and parsing it is most of
/// the time `from_sources` takes on a small policy (a fuzz target calls it per input).
fn load_schema() -> Result<(Schema, Result<SchemaIndex, String>), PolicyError> {
    static LOADED: OnceLock<(Schema, Result<SchemaIndex, String>)> = OnceLock::new();
    if let Some(loaded) = LOADED.get() {
        return Ok(loaded.clone());
    }
    let loaded = parse_schema()?;
    Ok(LOADED.get_or_init(|| loaded).clone())
}

fn parse_schema() -> Result<(Schema, Result<SchemaIndex, String>), PolicyError> {
    let invalid = |e: &dyn miette::Diagnostic| {
        let (line, column) = first_label(e).map_or((1, 1), |o| line_column(SCHEMA_TEXT, o));
        PolicyError::Invalid {
            path: PathBuf::from(SCHEMA_PATH),
            line,
            column,
            message: format!("invalid cedar schema: {e}"),
        }
    };
    let (fragment, _warnings) =
        SchemaFragment::from_cedarschema_str(SCHEMA_TEXT).map_err(|e| invalid(&e))?;
    let index = SchemaIndex::of(&fragment);
    let schema = Schema::from_schema_fragments([fragment]).map_err(|e| invalid(&e))?;
    Ok((schema, index))
}

/// The byte offset of a diagnostic's first labelled span.
fn first_label(d: &dyn miette::Diagnostic) -> Option<usize> {
    d.labels()
        .and_then(|mut labels| labels.next())
        .map(|l| l.offset())
        .or_else(|| d.related().and_then(|mut r| r.next()).and_then(first_label))
}

fn invalid_at(path: &Path, (line, column): (usize, usize), message: String) -> PolicyError {
    PolicyError::Invalid {
        path: path.to_owned(),
        line,
        column,
        message,
    }
}

/// The rules of one file; `schema`, when given, checks them against the schema.
fn load_file(
    schema: Option<&(Validator, SchemaIndex)>,
    path: &Path,
    text: &str,
) -> Result<Vec<CedarRule>, PolicyError> {
    // One parse gives both the syntax tree (for the validator, with source spans) and each
    // policy's lossless JSON form (for the compiled backend, attributes and evidence).
    let (mut ests, set) = cedar_policy_core::parser::parse_policyset_to_ests_and_pset(text)
        .map(|(ests, set)| (ests, PolicySet::from(set)))
        .map_err(|errors| {
            let errors = cedar_policy::ParseErrors::from(errors);
            let first = errors.iter().next();
            let offset = first.and_then(|e| first_label(e));
            let message = first.map_or_else(|| errors.to_string(), |e| one_line(&e.to_string()));
            invalid_at(
                path,
                offset.map_or((1, 1), |o| line_column(text, o)),
                format!("cedar syntax error: {message}"),
            )
        })?;
    if set.templates().next().is_some() {
        return Err(invalid_at(
            path,
            (1, 1),
            "policy templates are not supported in rules".to_owned(),
        ));
    }

    let validation = schema.map(|(validator, _)| validator.validate(&set, ValidationMode::Strict));
    if let Some(error) = validation
        .as_ref()
        .and_then(|v| v.validation_errors().next())
    {
        let offset = first_label(error);
        return Err(invalid_at(
            path,
            offset.map_or((1, 1), |o| line_column(text, o)),
            format!(
                "policy does not match the rampart schema: {}",
                one_line(&error.to_string())
            ),
        ));
    }

    let starts = policy_starts(text);
    // Cedar names policies `policy0`, `policy1`, … in source order.
    let mut policies: Vec<&Policy> = set.policies().collect();
    policies.sort_by_key(|p| {
        p.id()
            .to_string()
            .strip_prefix("policy")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
    });
    policies
        .into_iter()
        .enumerate()
        .map(|(n, policy)| {
            let start = starts.get(n).copied().unwrap_or(0);
            let est = ests
                .remove(policy.id().as_ref())
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| e.to_string())
                .and_then(|est| est.ok_or_else(|| "no JSON form".to_owned()))
                .map_err(|e| {
                    invalid_at(
                        path,
                        line_column(text, start),
                        format!("cannot read the policy's syntax tree: {e}"),
                    )
                })?;
            rule_from_policy(
                schema.map(|(_, index)| index),
                path,
                text,
                start,
                policy,
                est,
            )
        })
        .collect()
}

/// Byte offsets where each policy starts (its first annotation or its effect), skipping
/// comments and strings.
fn policy_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    let mut at_policy_start = true;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b';' => {
                at_policy_start = true;
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                if at_policy_start {
                    starts.push(i);
                    at_policy_start = false;
                }
                i += 1;
            }
        }
    }
    starts
}

fn rule_from_policy(
    index: Option<&SchemaIndex>,
    path: &Path,
    text: &str,
    start: usize,
    policy: &Policy,
    est: serde_json::Value,
) -> Result<CedarRule, PolicyError> {
    let position = line_column(text, start);
    let fail = |message: String| invalid_at(path, position, message);
    if policy.effect() != Effect::Forbid {
        return Err(fail(
            "rules are `forbid` policies (a satisfied forbid is a failing finding); `permit` is not allowed".to_owned(),
        ));
    }
    let known: Vec<&str> = REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect();
    // Read once: `Policy::annotation` parses its key with Cedar's parser at every call.
    let annotations: BTreeMap<&str, &str> = policy.annotations().collect();
    let annotation = |key: &str| annotations.get(key).copied();
    for key in annotations.keys() {
        if !known.contains(key) {
            let hint = did_you_mean(key, known.iter().copied())
                .map_or_else(String::new, |k| format!(", did you mean `@{k}`?"));
            return Err(fail(format!("unknown annotation `@{key}`{hint}")));
        }
    }
    let get = |key: &str| {
        annotation(key)
            .map(str::to_owned)
            .ok_or_else(|| fail(format!("missing annotation `@{key}(\"…\")`")))
    };
    let id = get("id")?;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(fail(format!(
            "rule id `{id}` must be kebab-case (a-z, 0-9, -)"
        )));
    }
    let title = get("title")?;
    let area = Area::from_str(&get("area")?).map_err(fail)?;
    let severity = Severity::from_str(&get("severity")?).map_err(fail)?;
    let remediation = get("remediation")?;

    let resource_types = match policy.resource_constraint() {
        ResourceConstraint::Is(ty) | ResourceConstraint::IsIn(ty, _) => {
            let name = ty.to_string();
            vec![ResourceType::parse(&name).ok_or_else(|| {
                fail(format!("`{name}` is not a resource type rampart evaluates"))
            })?]
        }
        ResourceConstraint::Any | ResourceConstraint::In(_) | ResourceConstraint::Eq(_) => {
            match annotation("applies_to") {
                Some(list) => list
                    .split([' ', ','])
                    .filter(|s| !s.is_empty())
                    .map(|name| {
                        ResourceType::parse(name).ok_or_else(|| {
                            let names: Vec<&str> =
                                ResourceType::ALL.iter().map(|t| t.cedar_type()).collect();
                            fail(unknown_name("resource type", name, &names))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                None => ResourceType::ALL.to_vec(),
            }
        }
    };
    // `@reads` lists what the rule reads, as services (`kms`) or single operations
    // (`s3:GetBucketLocation`); without it, every service of its resource types.
    let mut reads: Vec<Read> = match annotation("reads") {
        Some(list) => list
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(|name| {
                name.parse::<Read>()
                    .map_err(|e| fail(format!("`@reads`: {e}")))
            })
            .collect::<Result<_, _>>()?,
        None => resource_types
            .iter()
            .map(|t| Read::Service(t.service()))
            .collect(),
    };
    for ty in &resource_types {
        let service = ty.service();
        if !reads.iter().any(|r| r.service() == service) {
            return Err(fail(format!(
                "`@reads` must name the service of `{}` (`{service}` or one of its operations)",
                ty.cedar_type()
            )));
        }
    }
    reads.sort();
    reads.dedup();

    let description = annotation("description").unwrap_or(&title);
    let rationale = annotation("rationale").unwrap_or("See the rule's description.");
    let source = policy_source(text, start);
    let doc = format!(
        "## What it checks\n\n{description}\n\n## Why it matters\n\n{rationale}\n\n## How to fix\n\n{remediation}\n\n## Example\n\nThe rule is this Cedar policy. Its `when` clauses select the resources it applies to (the others get no finding); a selected resource fails when the policy is satisfied, that is when its `unless` clauses do not hold:\n\n```cedar\n{source}\n```\n"
    );
    let (line, column) = position;
    let meta = RuleMeta {
        id: id.clone(),
        title,
        area,
        severity,
        remediation,
        doc,
        kind: RuleKind::Cedar,
        resource_types,
        reads,
        location: Some(Location {
            uri: path.to_string_lossy().replace('\\', "/"),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }),
    };
    let mut attributes = BTreeSet::new();
    referenced_attributes(&est, &mut attributes);
    let evidence = super::evidence::evidence_paths(&est);
    let scope = scope_of(&est, &id);
    // Policies from files (checked against the schema: `index` is given) build their scope
    // now, so that a scope Cedar refuses is a load error; the bundled ones are built by a
    // test (`bundled_policies_load_and_validate`) and at first use.
    if let (Some(scope), Some(_)) = (&scope, index) {
        scope
            .policy()
            .map_err(|e| fail(format!("cannot build the rule's scope: {e}")))?;
    }
    let message = annotation("message").map(str::to_owned);
    if let (Some(template), Some(index)) = (&message, index) {
        for placeholder in placeholders(template).map_err(&fail)? {
            for ty in &meta.resource_types {
                if index.path_type(ty.cedar_type(), placeholder).is_none() {
                    let known: Vec<&str> = index
                        .attributes(ty.cedar_type())
                        .map(|a| a.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let hint = did_you_mean(placeholder, known.iter().copied())
                        .map_or_else(String::new, |k| format!(", did you mean `{{{k}}}`?"));
                    return Err(fail(format!(
                        "`@message` placeholder `{{{placeholder}}}` is not an attribute of `{}`{hint}",
                        ty.cedar_type()
                    )));
                }
            }
        }
    }
    Ok(CedarRule {
        meta,
        policy: policy.new_id(PolicyId::new(id)),
        scope,
        attributes,
        message,
        evidence,
        est,
    })
}

/// The `{path}` placeholders of a message template; an unclosed `{` is an error.
fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("`@message` has an unclosed `{{` in `{template}`"))?;
        let path = after[..close].trim();
        if path.is_empty() {
            return Err(format!(
                "`@message` has an empty placeholder `{{}}` in `{template}`"
            ));
        }
        out.push(path);
        rest = &after[close + 1..];
    }
    Ok(out)
}

/// Every attribute name a policy's syntax tree (Cedar's JSON policy format) reads with `.`
/// or `has`.
fn referenced_attributes(est: &serde_json::Value, out: &mut BTreeSet<String>) {
    match est {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                if key == "." || key == "has" {
                    if let Some(attr) = value.get("attr").and_then(serde_json::Value::as_str) {
                        out.insert(attr.to_owned());
                    }
                }
                referenced_attributes(value, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                referenced_attributes(item, out);
            }
        }
        _ => {}
    }
}

/// The rule's `when` clauses as a `permit` policy with id `RULE#scope`; `None` when it has
/// no `when` clause.
#[cfg(test)]
pub(super) fn scope_policy(est: &serde_json::Value, id: &str) -> Result<Option<Policy>, String> {
    scope_of(est, id)
        .map(|scope| scope.policy().cloned())
        .transpose()
}

/// The rule's `when` clauses as a [`Scope`]; `None` when it has no `when` clause.
fn scope_of(est: &serde_json::Value, id: &str) -> Option<Scope> {
    let conditions = est
        .get("conditions")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let when: Vec<serde_json::Value> = conditions
        .into_iter()
        .filter(|c| c.get("kind").and_then(serde_json::Value::as_str) == Some("when"))
        .collect();
    if when.is_empty() {
        return None;
    }
    let mut scope = est.clone();
    if let Some(obj) = scope.as_object_mut() {
        obj.insert("effect".to_owned(), serde_json::Value::from("permit"));
        obj.insert("conditions".to_owned(), serde_json::Value::Array(when));
        obj.remove("annotations");
    }
    Some(Scope {
        id: PolicyId::new(format!("{id}#scope")),
        est: scope,
        policy: OnceLock::new(),
    })
}

/// The policy's own text, from its start to its terminating `;`.
fn policy_source(text: &str, start: usize) -> String {
    let rest = &text[start.min(text.len())..];
    let next = policy_starts(rest).get(1).copied().unwrap_or(rest.len());
    rest[..next].trim_end().to_owned()
}

/// Cedar messages may span lines; ours are one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Index of rules by resource type, for the backends.
pub(super) fn rules_by_type<'s>(
    store: &'s PolicyStore,
    ids: &[(usize, &str)],
) -> HashMap<ResourceType, Vec<(usize, &'s CedarRule)>> {
    let mut map: HashMap<ResourceType, Vec<(usize, &CedarRule)>> = HashMap::new();
    for (index, id) in ids {
        if let Some(rule) = store.rule(id) {
            for ty in &rule.meta.resource_types {
                map.entry(*ty).or_default().push((*index, rule));
            }
        }
    }
    map
}
