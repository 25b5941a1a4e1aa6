//! Policy validation in the spirit of IAM Access Analyzer's policy checks ("Access Analyzer
//! policy check reference",
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>):
//! errors (IAM rejects the policy, or it cannot mean what it says), warnings (it probably
//! does not do what its author wants) and suggestions (it can be simpler).
//!
//! Every check is a [`Check`] in [`CHECKS`] with a stable kebab-case code; findings point at
//! the offending JSON text. Service and action names are checked against the embedded
//! catalog, which trails AWS by a release, so an unknown name is a warning, not an error.

mod checks;
#[cfg(test)]
mod tests;

pub use checks::*;

use std::collections::BTreeSet;

use super::catalog::{ActionCatalog, ConditionKeyType};
use super::condition::is_known_operator;
use super::document::{
    Condition, Effect, Policy, Position, PrincipalMatch, SetQualifier, Statement, StringSet,
};
use super::json::{self, Json, Spanned};
use super::parse::policy_from_json;
use super::variables::has_variables;
use super::wildcard;

/// The condition operators IAM documents, for "did you mean" on an unknown one.
const KNOWN_OPERATORS: [&str; 26] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
];

/// Validates policy text as a policy of type `kind`; findings sorted by position (then
/// severity, most serious first, and code). A JSON or grammar error is the only finding.
pub fn validate(text: &str, kind: PolicyType) -> Vec<ValidationFinding> {
    let root = match json::parse(text) {
        Ok(root) => root,
        Err(e) => return vec![finding(&JSON_SYNTAX, e.position, e.message)],
    };
    let policy = match policy_from_json(&root) {
        Ok(policy) => policy,
        Err(e) => return vec![finding(&POLICY_SYNTAX, e.position, e.message)],
    };
    let catalog = ActionCatalog::get().ok();
    let mut out = Vec::new();
    if catalog.is_none() {
        out.push(finding(
            &CATALOG_UNAVAILABLE,
            root.position,
            "the action catalog could not be loaded: actions and condition key types were not checked",
        ));
    }
    let views: Vec<View<'_>> = statement_sources(&root)
        .into_iter()
        .zip(&policy.statements)
        .enumerate()
        .map(|(index, (source, statement))| View::new(index, statement, source, catalog))
        .collect();
    for view in &views {
        principal_checks(kind, view, &mut out);
        resource_checks(kind, view, &mut out);
        action_checks(catalog, view, &mut out);
        condition_checks(catalog, view, &mut out);
        never_matches(view, &mut out);
    }
    sid_checks(&views, &mut out);
    variable_checks(&policy, &views, &mut out);
    redundant_statements(&views, &mut out);
    out.sort_by(|a, b| {
        a.position
            .cmp(&b.position)
            .then(b.severity.cmp(&a.severity))
            .then(a.code.cmp(b.code))
            .then(a.message.cmp(&b.message))
    });
    out.dedup();
    out
}

fn finding(check: &Check, position: Position, message: impl Into<String>) -> ValidationFinding {
    ValidationFinding {
        severity: check.severity,
        code: check.code,
        message: message.into(),
        position,
    }
}

type Members = [(String, Position, Spanned)];

fn members(value: &Spanned) -> &Members {
    match &value.value {
        Json::Object(members) => members,
        _ => &[],
    }
}

/// The position of member `name`'s key and its value.
fn member<'a>(members: &'a Members, name: &str) -> Option<(Position, &'a Spanned)> {
    members
        .iter()
        .find(|(k, _, _)| k == name)
        .map(|(_, p, v)| (*p, v))
}

/// A string (or number, boolean) or an array of them, with each value's position.
fn scalars(value: &Spanned) -> Vec<(&str, Position)> {
    fn one(v: &Spanned) -> Option<(&str, Position)> {
        match &v.value {
            Json::String(s) | Json::Number(s) => Some((s.as_str(), v.position)),
            Json::Bool(true) => Some(("true", v.position)),
            Json::Bool(false) => Some(("false", v.position)),
            _ => None,
        }
    }
    match &value.value {
        Json::Array(items) => items.iter().filter_map(one).collect(),
        _ => one(value).into_iter().collect(),
    }
}

/// The statement objects of a policy, in document order (as the parser reads them).
fn statement_sources(root: &Spanned) -> Vec<&Spanned> {
    match member(members(root), "Statement") {
        Some((_, value)) => match &value.value {
            Json::Array(items) => items.iter().collect(),
            Json::Object(_) => vec![value],
            _ => Vec::new(),
        },
        None => Vec::new(),
    }
}

/// A parsed statement with its JSON source, and its actions expanded once.
struct View<'a> {
    index: usize,
    statement: &'a Statement,
    members: &'a Members,
    /// `Action`/`NotAction` entries: text, position, and the catalog actions they match
    /// (`None` without a catalog).
    actions: Vec<(&'a str, Position, Option<BTreeSet<&'static str>>)>,
    conditions: Vec<ConditionSource<'a>>,
}

/// One condition key as written: its operator's name and position, and its values.
struct ConditionSource<'a> {
    operator: &'a str,
    operator_position: Position,
    key_position: Position,
    values: Vec<(&'a str, Position)>,
}

impl<'a> View<'a> {
    fn new(
        index: usize,
        statement: &'a Statement,
        source: &'a Spanned,
        catalog: Option<&'static ActionCatalog>,
    ) -> Self {
        let members = members(source);
        let actions = ["Action", "NotAction"]
            .into_iter()
            .filter_map(|name| member(members, name))
            .flat_map(|(_, value)| scalars(value))
            .map(|(text, position)| {
                let set = catalog.map(|c| c.expand(text).into_iter().collect());
                (text, position, set)
            })
            .collect();
        let mut conditions = Vec::new();
        if let Some((_, block)) = member(members, "Condition") {
            for (operator, operator_position, keys) in self::members(block) {
                for (_, key_position, values) in self::members(keys) {
                    conditions.push(ConditionSource {
                        operator,
                        operator_position: *operator_position,
                        key_position: *key_position,
                        values: scalars(values),
                    });
                }
            }
        }
        View {
            index,
            statement,
            members,
            actions,
            conditions,
        }
    }

    fn key_position(&self, name: &str) -> Position {
        member(self.members, name).map_or(self.statement.position, |(p, _)| p)
    }

    /// `Resource`/`NotResource` entries with their positions.
    fn resources(&self) -> Vec<(&'a str, Position)> {
        ["Resource", "NotResource"]
            .into_iter()
            .filter_map(|name| member(self.members, name))
            .flat_map(|(_, value)| scalars(value))
            .collect()
    }

    fn source_of(&self, condition: &Condition) -> Option<&ConditionSource<'a>> {
        self.conditions
            .iter()
            .find(|c| c.key_position == condition.position)
    }

    /// `` `Sid` `` when the statement has a non-empty one, else `#2` (1-based).
    fn label(&self) -> String {
        match self.statement.sid.as_deref() {
            Some(sid) if !sid.is_empty() => format!("`{sid}`"),
            _ => format!("#{}", self.index + 1),
        }
    }
}

fn principal_checks(kind: PolicyType, view: &View<'_>, out: &mut Vec<ValidationFinding>) {
    let s = view.statement;
    match &s.principal {
        Some(principal) if !kind.requires_principal() => {
            let element = match principal {
                PrincipalMatch::Principal(_) => "Principal",
                PrincipalMatch::NotPrincipal(_) => "NotPrincipal",
            };
            out.push(finding(
                &UNSUPPORTED_PRINCIPAL,
                view.key_position(element),
                format!(
                    "`{element}` is not supported in {}: remove it",
                    kind.description()
                ),
            ));
        }
        None if kind.requires_principal() => out.push(finding(
            &MISSING_PRINCIPAL,
            s.position,
            format!(
                "statement {} has no `Principal`, which {} requires",
                view.label(),
                kind.description()
            ),
        )),
        _ => {}
    }
    if s.effect == Effect::Allow && matches!(s.principal, Some(PrincipalMatch::NotPrincipal(_))) {
        out.push(finding(
            &ALLOW_WITH_NOT_PRINCIPAL,
            view.key_position("NotPrincipal"),
            "`Allow` with `NotPrincipal` grants access to every principal not listed, including anonymous users",
        ));
    }
}

fn resource_checks(kind: PolicyType, view: &View<'_>, out: &mut Vec<ValidationFinding>) {
    let s = view.statement;
    match (&s.resource, kind) {
        (None, PolicyType::Trust) => {}
        (None, _) => out.push(finding(
            &MISSING_RESOURCE,
            s.position,
            format!(
                "statement {} has no `Resource` or `NotResource`",
                view.label()
            ),
        )),
        (Some(set), PolicyType::Trust) => {
            let element = match set {
                StringSet::Listed(_) => "Resource",
                StringSet::Not(_) => "NotResource",
            };
            out.push(finding(
                &UNSUPPORTED_RESOURCE,
                view.key_position(element),
                format!("`{element}` is not supported in a role trust policy: remove it"),
            ));
        }
        (Some(_), _) => {}
    }
    if s.effect == Effect::Allow {
        if let (StringSet::Not(_), Some(StringSet::Listed(resources))) = (&s.action, &s.resource) {
            if resources.iter().any(|r| r == "*") {
                out.push(finding(
                    &ALLOW_NOT_ACTION_ALL_RESOURCES,
                    view.key_position("NotAction"),
                    "`Allow` with `NotAction` on `\"Resource\": \"*\"` grants every action not listed, on every resource",
                ));
            }
        }
        if let Some(StringSet::Not(_)) = &s.resource {
            out.push(finding(
                &ALLOW_NOT_RESOURCE,
                view.key_position("NotResource"),
                "`Allow` with `NotResource` grants access to every resource not listed",
            ));
        }
    }
    for (text, position) in view.resources() {
        if let Some(field) = variable_before_resource(text) {
            out.push(finding(
                &VARIABLE_BEFORE_ARN_RESOURCE,
                position,
                format!(
                    "`{text}` has a policy variable in the {field} field of the ARN; variables are supported only in the resource part"
                ),
            ));
        }
    }
}

/// The ARN field (`partition`, `service`, `region`, `account`) that holds a policy
/// variable, if any. `:` inside `${…}` does not split fields.
fn variable_before_resource(arn: &str) -> Option<&'static str> {
    if !arn.starts_with("arn:") || !has_variables(arn) {
        return None;
    }
    const FIELDS: [&str; 4] = ["partition", "service", "region", "account"];
    let mut fields = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    let bytes = arn.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 && fields.len() < 5 => {
                fields.push(&arn[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    // fields[0] is `arn`; 1..=4 are partition, service, region and account.
    fields
        .iter()
        .skip(1)
        .zip(FIELDS)
        .find(|(field, _)| has_variables(field))
        .map(|(_, name)| name)
}

fn action_checks(
    catalog: Option<&'static ActionCatalog>,
    view: &View<'_>,
    out: &mut Vec<ValidationFinding>,
) {
    for (text, position, _) in &view.actions {
        if *text == "*" {
            continue;
        }
        let Some((prefix, name)) = text.split_once(':') else {
            out.push(finding(
                &INVALID_ACTION_FORMAT,
                *position,
                format!("`{text}` is not an action: write `service:ActionName` or `*`"),
            ));
            continue;
        };
        let Some(catalog) = catalog else { continue };
        let wildcard = text.contains(['*', '?']);
        if !prefix.contains(['*', '?']) {
            let Some(service) = catalog.service(prefix) else {
                let hint = closest(prefix, catalog.services().iter().map(|s| s.prefix()))
                    .map_or_else(String::new, |c| format!(", did you mean `{c}`?"));
                out.push(finding(
                    &UNKNOWN_SERVICE,
                    *position,
                    format!("unknown service prefix `{prefix}` in `{text}`{hint}"),
                ));
                continue;
            };
            if !wildcard && catalog.action(text).is_none() {
                let hint = closest(name, service.actions().iter().map(|a| a.name()))
                    .map_or_else(String::new, |c| {
                        format!(", did you mean `{}:{c}`?", service.prefix())
                    });
                out.push(finding(
                    &UNKNOWN_ACTION,
                    *position,
                    format!("unknown action `{text}`{hint}"),
                ));
                continue;
            }
        }
        if wildcard && catalog.expand(text).is_empty() {
            out.push(finding(
                &ACTION_MATCHES_NOTHING,
                *position,
                format!("`{text}` matches no action"),
            ));
        }
    }
    redundant_actions(view, out);
}

/// The candidate closest to `given`, when it is close enough to be a likely typo.
fn closest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = given.to_lowercase();
    candidates
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        // The first of equally close candidates, so that the output is stable.
        .fold(None, |best: Option<(f64, &str)>, (score, c)| match best {
            Some((b, _)) if b >= score => best,
            _ => Some((score, c)),
        })
        .map(|(_, c)| c)
}

/// Entries of one `Action`/`NotAction` that another entry of the same element covers.
fn redundant_actions(view: &View<'_>, out: &mut Vec<ValidationFinding>) {
    for (i, (text, position, set)) in view.actions.iter().enumerate() {
        let Some(set) = set.as_ref().filter(|s| !s.is_empty()) else {
            continue;
        };
        let cover = view.actions.iter().enumerate().find(|(j, (_, _, other))| {
            *j != i
                && other
                    .as_ref()
                    .is_some_and(|o| set.is_subset(o) && (set.len() < o.len() || *j < i))
        });
        if let Some((_, (other, _, _))) = cover {
            out.push(finding(
                &REDUNDANT_ACTION,
                *position,
                format!("`{text}` is already covered by `{other}` in the same statement"),
            ));
        }
    }
}

/// The base type an operator compares (`String`, `Numeric`…), `None` for `Null`.
fn operator_type(base: &str) -> Option<ConditionKeyType> {
    Some(if base.starts_with("String") {
        ConditionKeyType::String
    } else if base.starts_with("Numeric") {
        ConditionKeyType::Numeric
    } else if base.starts_with("Date") {
        ConditionKeyType::Date
    } else if base == "Bool" {
        ConditionKeyType::Bool
    } else if base.starts_with("Binary") {
        ConditionKeyType::Binary
    } else if base.ends_with("IpAddress") {
        ConditionKeyType::IpAddress
    } else if base.starts_with("Arn") {
        ConditionKeyType::Arn
    } else {
        return None;
    })
}

/// Whether an operator comparing `operator` values fits a key whose values are `key_type`.
fn operator_fits(operator: ConditionKeyType, key: &str, key_type: ConditionKeyType) -> bool {
    use ConditionKeyType::{Arn, Date, Numeric, String};
    operator == key_type
        // ARNs are strings: `StringLike` on `aws:SourceArn` is common and works.
        || (operator == String && key_type == Arn)
        // `aws:EpochTime` is "Date, Numeric": seconds compare with `Numeric…` operators.
        || (operator == Numeric && key_type == Date && key.eq_ignore_ascii_case("aws:EpochTime"))
}

/// The operators to use for a key type, for messages.
fn operators_for(key_type: ConditionKeyType) -> &'static str {
    match key_type {
        ConditionKeyType::Arn => "`Arn…` or `String…`",
        ConditionKeyType::Numeric => "`Numeric…`",
        ConditionKeyType::Date => "`Date…`",
        ConditionKeyType::Bool => "`Bool`",
        ConditionKeyType::IpAddress => "`IpAddress` or `NotIpAddress`",
        ConditionKeyType::Binary => "`BinaryEquals`",
        _ => "`String…`",
    }
}

fn condition_checks(
    catalog: Option<&'static ActionCatalog>,
    view: &View<'_>,
    out: &mut Vec<ValidationFinding>,
) {
    let s = view.statement;
    for condition in &s.conditions {
        let (name, op_position) = match view.source_of(condition) {
            Some(source) => (source.operator, source.operator_position),
            None => (condition.operator.base.as_str(), condition.position),
        };
        let op = &condition.operator;
        if !is_known_operator(&op.base) {
            let hint = closest(&op.base, KNOWN_OPERATORS.into_iter())
                .map_or_else(String::new, |c| format!(", did you mean `{c}`?"));
            out.push(finding(
                &INVALID_CONDITION_OPERATOR,
                op_position,
                format!("unknown condition operator `{name}`{hint}"),
            ));
            continue;
        }
        if op.base == "Null" && (op.if_exists || op.qualifier.is_some()) {
            out.push(finding(
                &INVALID_CONDITION_OPERATOR,
                op_position,
                format!("`{name}`: `Null` takes neither `IfExists` nor a set qualifier"),
            ));
            continue;
        }
        let key = &condition.key;
        let key_type = catalog.and_then(|c| c.condition_key_type(key));
        if let (Some(key_type), Some(compares)) = (key_type, operator_type(&op.base)) {
            if !operator_fits(compares, key, key_type.element()) {
                out.push(finding(
                    &CONDITION_TYPE_MISMATCH,
                    condition.position,
                    format!(
                        "`{name}` is a {} operator, but `{key}` is a {key_type} key: use {}",
                        compares.as_str(),
                        operators_for(key_type.element())
                    ),
                ));
            }
        }
        if let Some(key_type) = key_type.filter(|_| op.base != "Null") {
            match op.qualifier {
                Some(q) if !key_type.is_multivalued() => out.push(finding(
                    &QUALIFIER_ON_SINGLE_VALUED_KEY,
                    op_position,
                    format!(
                        "`{}` on single-valued key `{key}`: remove the qualifier",
                        qualifier_name(q)
                    ),
                )),
                None if key_type.is_multivalued() => out.push(finding(
                    &MISSING_SET_QUALIFIER,
                    op_position,
                    format!(
                        "`{key}` is multivalued ({key_type}): use `ForAnyValue:{name}` or `ForAllValues:{name}`"
                    ),
                )),
                _ => {}
            }
        }
        if s.effect == Effect::Allow
            && op.qualifier == Some(SetQualifier::ForAllValues)
            && !has_null_check(s, key, "false")
        {
            out.push(finding(
                &ALLOW_FOR_ALL_VALUES,
                op_position,
                format!(
                    "`{name}` also holds when `{key}` is absent or empty: add `\"Null\": {{\"{key}\": \"false\"}}`"
                ),
            ));
        }
    }
}

fn qualifier_name(q: SetQualifier) -> &'static str {
    match q {
        SetQualifier::ForAllValues => "ForAllValues",
        SetQualifier::ForAnyValue => "ForAnyValue",
    }
}

/// Whether the statement has a plain `Null` condition on `key` whose only value is `want`.
fn has_null_check(s: &Statement, key: &str, want: &str) -> bool {
    s.conditions
        .iter()
        .any(|c| c.key.eq_ignore_ascii_case(key) && is_null_check(c, want))
}

/// Whether `c` is a plain `Null` condition whose only value is `want` (`true`/`false`).
fn is_null_check(c: &Condition, want: &str) -> bool {
    c.operator.base == "Null"
        && c.operator.qualifier.is_none()
        && !c.operator.if_exists
        && !c.values.is_empty()
        && c.values.iter().all(|v| v.eq_ignore_ascii_case(want))
}

/// Whether a condition is false whenever its key is absent.
fn needs_key(c: &Condition) -> bool {
    let op = &c.operator;
    op.base != "Null"
        && is_known_operator(&op.base)
        && !op.if_exists
        && !op.base.contains("Not")
        && op.qualifier != Some(SetQualifier::ForAllValues)
}

fn never_matches(view: &View<'_>, out: &mut Vec<ValidationFinding>) {
    let s = view.statement;
    if let StringSet::Not(actions) = &s.action {
        if actions.iter().any(|a| a == "*") {
            let position = view
                .actions
                .iter()
                .find(|(t, _, _)| *t == "*")
                .map_or(s.position, |(_, p, _)| *p);
            out.push(finding(
                &STATEMENT_NEVER_MATCHES,
                position,
                format!(
                    "`\"NotAction\": \"*\"` excludes every action: statement {} never matches",
                    view.label()
                ),
            ));
        }
    }
    if let Some(StringSet::Not(resources)) = &s.resource {
        if resources.iter().any(|r| r == "*") {
            let position = view
                .resources()
                .into_iter()
                .find(|(t, _)| *t == "*")
                .map_or(s.position, |(_, p)| p);
            out.push(finding(
                &STATEMENT_NEVER_MATCHES,
                position,
                format!(
                    "`\"NotResource\": \"*\"` excludes every resource: statement {} never matches",
                    view.label()
                ),
            ));
        }
    }
    for null in s.conditions.iter().filter(|c| is_null_check(c, "true")) {
        let conflict = s
            .conditions
            .iter()
            .find(|c| c.key.eq_ignore_ascii_case(&null.key) && needs_key(c));
        if let Some(other) = conflict {
            out.push(finding(
                &STATEMENT_NEVER_MATCHES,
                null.position,
                format!(
                    "`Null` requires `{}` to be absent, but `{}` needs it present: statement {} never matches",
                    null.key,
                    view.source_of(other).map_or(other.operator.base.as_str(), |o| o.operator),
                    view.label()
                ),
            ));
        }
    }
}

fn sid_checks(views: &[View<'_>], out: &mut Vec<ValidationFinding>) {
    for (i, view) in views.iter().enumerate() {
        let Some(sid) = view.statement.sid.as_deref() else {
            continue;
        };
        let position =
            member(view.members, "Sid").map_or(view.statement.position, |(_, v)| v.position);
        if sid.is_empty() {
            out.push(finding(&EMPTY_SID, position, "`Sid` is empty"));
        } else if let Some(first) = views[..i]
            .iter()
            .find(|v| v.statement.sid.as_deref() == Some(sid))
        {
            out.push(finding(
                &DUPLICATE_SID,
                position,
                format!(
                    "`Sid` `{sid}` is already used by statement #{}",
                    first.index + 1
                ),
            ));
        }
    }
}

fn variable_checks(policy: &Policy, views: &[View<'_>], out: &mut Vec<ValidationFinding>) {
    if policy.variables_enabled() {
        return;
    }
    let first = views.iter().find_map(|view| {
        view.resources()
            .into_iter()
            .chain(
                view.conditions
                    .iter()
                    .flat_map(|c| c.values.iter().copied()),
            )
            .find(|(text, _)| has_variables(text))
    });
    if let Some((text, position)) = first {
        let version = match policy.version.as_deref() {
            Some(v) => format!("`\"Version\": \"{v}\"`"),
            None => "a policy without `Version`".to_owned(),
        };
        out.push(finding(
            &VARIABLES_NEED_VERSION,
            position,
            format!(
                "`{text}` uses a policy variable, which {version} leaves as literal text: set `\"Version\": \"2012-10-17\"`"
            ),
        ));
    }
}

/// A statement's meaning without its `Sid` and positions, for finding identical ones.
fn normalized(s: &Statement) -> impl PartialEq + '_ {
    fn sorted(set: &StringSet) -> (bool, Vec<&str>) {
        let (not, list) = match set {
            StringSet::Listed(l) => (false, l),
            StringSet::Not(l) => (true, l),
        };
        let mut list: Vec<&str> = list.iter().map(String::as_str).collect();
        list.sort_unstable();
        list.dedup();
        (not, list)
    }
    let mut conditions: Vec<_> = s
        .conditions
        .iter()
        .map(|c| {
            let mut values: Vec<&str> = c.values.iter().map(String::as_str).collect();
            values.sort_unstable();
            (format!("{:?}", c.operator), c.key.to_lowercase(), values)
        })
        .collect();
    conditions.sort();
    (
        s.effect,
        &s.principal,
        sorted(&s.action),
        s.resource.as_ref().map(sorted),
        conditions,
    )
}

fn redundant_statements(views: &[View<'_>], out: &mut Vec<ValidationFinding>) {
    let keys: Vec<_> = views.iter().map(|v| normalized(v.statement)).collect();
    for (i, view) in views.iter().enumerate() {
        if let Some(j) = (0..i).find(|&j| keys[j] == keys[i]) {
            out.push(finding(
                &REDUNDANT_STATEMENT,
                view.statement.position,
                format!(
                    "statement {} is identical to statement {}",
                    view.label(),
                    views[j].label()
                ),
            ));
            continue;
        }
        let cover = views.iter().enumerate().find(|&(j, other)| {
            j != i
                && keys[j] != keys[i]
                && allows_within(view, other)
                && (j < i || !allows_within(other, view))
        });
        if let Some((_, other)) = cover {
            out.push(finding(
                &REDUNDANT_STATEMENT,
                view.statement.position,
                format!(
                    "everything statement {} allows, statement {} allows too",
                    view.label(),
                    other.label()
                ),
            ));
        }
    }
}

/// Whether `a` and `b` are unconditional `Allow` statements for the same principals and
/// every action and resource `a` allows, `b` allows too.
fn allows_within(a: &View<'_>, b: &View<'_>) -> bool {
    let plain = |v: &View<'_>| {
        v.statement.effect == Effect::Allow
            && v.statement.conditions.is_empty()
            && matches!(v.statement.action, StringSet::Listed(_))
    };
    if !plain(a) || !plain(b) || a.statement.principal != b.statement.principal {
        return false;
    }
    let union = |v: &View<'_>| -> Option<BTreeSet<&'static str>> {
        let mut all = BTreeSet::new();
        for (_, _, set) in &v.actions {
            all.extend(set.as_ref()?);
        }
        Some(all)
    };
    let (Some(actions_a), Some(actions_b)) = (union(a), union(b)) else {
        return false;
    };
    if actions_a.is_empty() || !actions_a.is_subset(&actions_b) {
        return false;
    }
    match (&a.statement.resource, &b.statement.resource) {
        (None, None) => true,
        (Some(StringSet::Listed(ra)), Some(StringSet::Listed(rb))) => ra
            .iter()
            .all(|r| rb.iter().any(|pattern| resource_covers(pattern, r))),
        _ => false,
    }
}

/// Whether resource pattern `pattern` matches everything `text` (itself a pattern) does:
/// `pattern`'s `*` absorbs `text`'s wildcards; a `?` in `pattern` cannot, so it only
/// covers an equal text.
fn resource_covers(pattern: &str, text: &str) -> bool {
    pattern == text
        || (!pattern.contains('?')
            && !has_variables(pattern)
            && !has_variables(text)
            && wildcard::matches(pattern, text))
}
