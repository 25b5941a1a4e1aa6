//! The compiled backend: each validated policy is translated once from Cedar's JSON policy
//! format into an expression tree ([`expr`]) that reads attributes straight from the model
//! through [`AttributeView`] — no entity store, no Cedar entity per resource. Policies
//! outside the compiled subset are left to the reference backend, which stays the
//! definition of the semantics: the differential tests hold the two to the same outcomes.

pub(crate) mod expr;

use std::cell::OnceCell;
use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::Value as Json;

use self::expr::{compile, AttributeView, EvalError, Expr, Lookup, Unsupported};
use super::entities::{
    common_attrs, effective_attrs, key_value, kms_attrs, specific_attrs, Attrs, KeyIndex,
    EFFECTIVE_ATTRIBUTES,
};
use super::reference::ReferenceBackend;
use super::store::{rules_by_type, CedarRule, PolicyStore};
use super::value::{fill_message, render, Uid, Value};
use super::CedarBackend;
use crate::facts::iam::{ActionSelector, PermissionsAnalysis};
use crate::facts::Facts;
use crate::model::{Account, ResourceRef, ResourceType, Snapshot, TypedResource};
use crate::rules::{Outcome, ResourceKey, RuleContext};

/// Cedar rules compiled to native expression trees; the rest evaluated by the reference.
pub struct CompiledBackend<'p> {
    store: &'p PolicyStore,
    /// By rule id: the compiled policy, or why it is left to the reference backend.
    compiled: HashMap<&'p str, Result<CompiledPolicy, Unsupported>>,
}

impl<'p> CompiledBackend<'p> {
    /// Compiles every policy of `store`.
    pub fn new(store: &'p PolicyStore) -> Self {
        let compiled = store
            .cedar_rules()
            .iter()
            .map(|rule| {
                let compiled = CompiledPolicy::of(rule);
                if let Err(why) = &compiled {
                    tracing::debug!(
                        rule = %rule.meta.id,
                        "cedar rule left to the reference backend: {}",
                        why.0
                    );
                }
                (rule.meta.id.as_str(), compiled)
            })
            .collect();
        CompiledBackend { store, compiled }
    }

    /// The rules the compiled backend leaves to the reference one, with the reason.
    pub fn fallbacks(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self
            .compiled
            .iter()
            .filter_map(|(id, c)| c.as_ref().err().map(|why| (*id, why.0.as_str())))
            .collect();
        out.sort_unstable();
        out
    }
}

impl CedarBackend for CompiledBackend<'_> {
    fn evaluate_accounts(
        &self,
        cx: &RuleContext<'_>,
        rules: &[(usize, &str)],
        accounts: &[Account],
    ) -> Vec<(usize, Outcome)> {
        type Rules<'r> = Vec<(usize, &'r str)>;
        let (compiled, fallback): (Rules<'_>, Rules<'_>) = rules
            .iter()
            .copied()
            .partition(|(_, id)| matches!(self.compiled.get(id), Some(Ok(_))));
        let mut out = if fallback.is_empty() {
            Vec::new()
        } else {
            ReferenceBackend::new(self.store).evaluate_accounts(cx, &fallback, accounts)
        };
        let by_type: HashMap<ResourceType, Vec<(usize, &CedarRule, &CompiledPolicy)>> =
            rules_by_type(self.store, &compiled)
                .into_iter()
                .map(|(ty, rules)| {
                    let rules = rules
                        .into_iter()
                        .filter_map(|(i, rule)| match self.compiled.get(rule.meta.id.as_str()) {
                            Some(Ok(c)) => Some((i, rule, c)),
                            _ => None,
                        })
                        .collect();
                    (ty, rules)
                })
                .collect();
        if by_type.is_empty() {
            return out;
        }
        let with_effective_permissions = by_type.values().flatten().any(|(_, r, _)| {
            EFFECTIVE_ATTRIBUTES
                .iter()
                .any(|a| r.attributes.contains(*a))
        });
        let contexts = super::evidence::contexts(cx);
        let keys = KeyIndex::new(cx.snapshot);
        let shared = Shared {
            snapshot: cx.snapshot,
            facts: cx.facts,
            keys: &keys,
        };
        out.par_extend(accounts.par_iter().flat_map_iter(|account| {
            let scope = AccountScope::new(&shared, account, with_effective_permissions);
            let mut out = Vec::new();
            for typed in account.typed_resources() {
                let r = typed.view();
                let Some(rules) = by_type.get(&r.resource_type) else {
                    continue;
                };
                let key = ResourceKey::of(r);
                let classification = cx.facts.classification(r.account_id, r.tags);
                let Some(context) = contexts.get(&classification.level) else {
                    let message = format!(
                        "not assessable: classification `{}` is not a ruleset level",
                        classification.level
                    );
                    out.extend(
                        rules
                            .iter()
                            .map(|(i, _, _)| (*i, Outcome::unknown(key.clone(), &message))),
                    );
                    continue;
                };
                let view = ModelView {
                    shared: &shared,
                    account: &scope,
                    typed,
                    r,
                    context,
                    classification: std::cell::Cell::new(Some(classification)),
                    attrs: OnceCell::new(),
                };
                for (index, rule, policy) in rules {
                    let outcome = match policy.verdict(&view) {
                        Verdict::Error(e) => {
                            Outcome::unknown(key.clone(), format!("not assessable: {}", e.0))
                        }
                        Verdict::Fail => Outcome::fail(key.clone(), fail_message(rule, &view)),
                        Verdict::Pass => Outcome::pass(key.clone(), "compliant"),
                        Verdict::OutOfScope => continue,
                    };
                    let evidence = super::evidence::read(&rule.evidence, &view);
                    out.push((*index, outcome.with_evidence(evidence)));
                }
            }
            out
        }));
        out
    }
}

/// What a rule concluded about one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The `forbid` is satisfied.
    Fail,
    /// In scope, and the `forbid` is not satisfied.
    Pass,
    /// No `when` clause selects the resource.
    OutOfScope,
    /// The `forbid` (or, when it is not satisfied, its scope) failed to evaluate.
    Error(EvalError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClauseKind {
    /// The scope's constraints (`resource is T`, `resource in X`): part of the scope
    /// when there is one.
    Constraint,
    When,
    Unless,
}

/// A `forbid` as a list of clauses in Cedar's evaluation order.
#[derive(Debug)]
pub(crate) struct CompiledPolicy {
    clauses: Vec<(ClauseKind, Expr)>,
    /// Whether the rule has a scope (a `when` clause): without one it applies everywhere.
    has_scope: bool,
}

impl CompiledPolicy {
    /// Compiles a rule's policy, from its JSON form.
    pub(crate) fn of(rule: &CedarRule) -> Result<CompiledPolicy, Unsupported> {
        CompiledPolicy::from_est(&rule.est)
    }

    /// Compiles a policy in Cedar's JSON policy format.
    pub(crate) fn from_est(est: &Json) -> Result<CompiledPolicy, Unsupported> {
        for var in ["principal", "action"] {
            if est
                .get(var)
                .and_then(|c| c.get("op"))
                .and_then(Json::as_str)
                != Some("All")
            {
                return Err(Unsupported(format!("a constraint on `{var}`")));
            }
        }
        let mut clauses = Vec::new();
        let resource = est
            .get("resource")
            .ok_or_else(|| Unsupported("no resource constraint".to_owned()))?;
        let scope = |op: &str, extra: Option<(&str, &Json)>| -> Json {
            let mut body = serde_json::Map::new();
            body.insert("left".to_owned(), serde_json::json!({"Var": "resource"}));
            if let Some((k, v)) = extra {
                body.insert(k.to_owned(), v.clone());
            }
            let mut e = serde_json::Map::new();
            e.insert(op.to_owned(), Json::Object(body));
            Json::Object(e)
        };
        let entity = |c: &Json| -> Result<Json, Unsupported> {
            c.get("entity")
                .map(|e| serde_json::json!({"Value": {"__entity": e}}))
                .ok_or_else(|| Unsupported("a resource constraint on a slot".to_owned()))
        };
        match resource.get("op").and_then(Json::as_str) {
            Some("All") => {}
            Some("is") => {
                let ty = resource.get("entity_type").cloned().unwrap_or(Json::Null);
                let mut is = scope("is", Some(("entity_type", &ty)));
                if let Some(inside) = resource.get("in") {
                    let target = entity(inside)?;
                    if let Some(body) = is.get_mut("is").and_then(Json::as_object_mut) {
                        body.insert("in".to_owned(), target);
                    }
                }
                clauses.push((ClauseKind::Constraint, compile(&is)?));
            }
            Some(op @ ("in" | "==")) => {
                let target = entity(resource)?;
                let e = scope(op, Some(("right", &target)));
                clauses.push((ClauseKind::Constraint, compile(&e)?));
            }
            _ => return Err(Unsupported("an unknown resource constraint".to_owned())),
        }
        let mut has_scope = false;
        for condition in est
            .get("conditions")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let kind = match condition.get("kind").and_then(Json::as_str) {
                Some("when") => {
                    has_scope = true;
                    ClauseKind::When
                }
                Some("unless") => ClauseKind::Unless,
                _ => return Err(Unsupported("an unknown condition kind".to_owned())),
            };
            let body = condition
                .get("body")
                .ok_or_else(|| Unsupported("a condition without a body".to_owned()))?;
            clauses.push((kind, compile(body)?));
        }
        Ok(CompiledPolicy { clauses, has_scope })
    }

    /// The rule's verdict on the view's resource: the `forbid` evaluated clause by clause
    /// (Cedar's `&&` chain), and its scope (constraints and `when` clauses) only as far as
    /// the `forbid`'s evaluation did not already decide it.
    pub(crate) fn verdict(&self, view: &dyn AttributeView) -> Verdict {
        for (i, (kind, expr)) in self.clauses.iter().enumerate() {
            let holds = match clause_value(expr, view) {
                Ok(b) => b != (*kind == ClauseKind::Unless),
                Err(e) => return Verdict::Error(e),
            };
            if holds {
                continue;
            }
            if !self.has_scope {
                return Verdict::Pass;
            }
            if *kind != ClauseKind::Unless {
                // The scope evaluates the same clauses up to this one, in the same order.
                return Verdict::OutOfScope;
            }
            for (kind, expr) in &self.clauses[i + 1..] {
                if *kind == ClauseKind::Unless {
                    continue;
                }
                match clause_value(expr, view) {
                    Ok(true) => {}
                    Ok(false) => return Verdict::OutOfScope,
                    Err(e) => return Verdict::Error(e),
                }
            }
            return Verdict::Pass;
        }
        Verdict::Fail
    }
}

fn clause_value(expr: &Expr, view: &dyn AttributeView) -> Result<bool, EvalError> {
    match expr.eval(view)? {
        Value::Bool(b) => Ok(b),
        other => Err(EvalError(format!(
            "type error: expected bool, got {}",
            other.type_name()
        ))),
    }
}

/// The failure message: the rule's `@message` filled from the resource's attributes, or
/// the rule's title.
fn fail_message(rule: &CedarRule, view: &ModelView<'_, '_>) -> String {
    let Some(template) = &rule.message else {
        return format!("does not meet: {}", rule.meta.title);
    };
    fill_message(template, |path| {
        let mut parts = path.split('.');
        let attrs = view.attrs();
        let first = parts.next()?;
        let mut value = attrs
            .iter()
            .rev()
            .find(|(n, _)| *n == first)
            .map(|(_, v)| v)?;
        for part in parts {
            value = match value {
                Value::Record(fields) => Value::field(fields, part)?,
                _ => return None,
            };
        }
        Some(render(value))
    })
}

/// What every account shares.
struct Shared<'a, 'k> {
    snapshot: &'a Snapshot,
    facts: &'a Facts,
    keys: &'k KeyIndex<'a>,
}

/// One account: its entity, the account's ancestors in the organization, and what its
/// resources' attributes need.
struct AccountScope<'a> {
    account: &'a Account,
    uid: Uid<'a>,
    /// The account's parent and every entity above it (the hierarchy the reference
    /// backend builds for the account: the root and the OUs of its path).
    ancestors: Vec<Uid<'a>>,
    ou_path: &'a str,
    is_management: bool,
    analysis: Option<PermissionsAnalysis<'a, 'a, 'a>>,
}

impl<'a> AccountScope<'a> {
    fn new(shared: &Shared<'a, '_>, account: &'a Account, with_effective: bool) -> Self {
        let org = &shared.snapshot.organization;
        let facts = shared.facts.account(&account.id);
        let built: HashMap<&str, &str> = facts
            .map(|f| f.ou_ids.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|id| org.ou(id).map(|ou| (ou.id.as_str(), ou.parent_id.as_str())))
            .collect();
        let mut ancestors = Vec::new();
        let mut current = account.parent_id.as_str();
        // Bounded: a malformed tree with a cycle must not loop.
        for _ in 0..=built.len() {
            if current == org.root.id {
                ancestors.push(Uid::new("Org::Root", current));
                break;
            }
            ancestors.push(Uid::new("Org::OU", current));
            match built.get(current) {
                Some(parent) => current = parent,
                None => break,
            }
        }
        let analysis = with_effective
            .then(rampart_iam::catalog::ActionCatalog::get)
            .and_then(Result::ok)
            .map(|catalog| {
                PermissionsAnalysis::new(
                    shared.snapshot,
                    shared.facts,
                    catalog,
                    ActionSelector::All,
                )
            });
        AccountScope {
            account,
            uid: Uid::new(ResourceType::Account.cedar_type(), account.arn.as_str()),
            ancestors,
            ou_path: facts.map_or("", |f| f.ou_path.as_str()),
            is_management: account.id == org.management_account_id,
            analysis,
        }
    }

    /// Whether an entity of this account (not the account itself) is in `ancestor`.
    fn contains(&self, ancestor: &Uid<'_>) -> bool {
        self.uid == *ancestor || self.ancestors.iter().any(|a| a == ancestor)
    }
}

/// One resource as compiled policies see it: its attributes, computed on first read by
/// the same mapping the reference backend's entities use, and the entities around it.
struct ModelView<'a, 'x> {
    shared: &'x Shared<'a, 'x>,
    account: &'x AccountScope<'a>,
    typed: TypedResource<'a>,
    r: ResourceRef<'a>,
    context: &'x Value<'static>,
    classification: std::cell::Cell<Option<crate::facts::Classification>>,
    attrs: OnceCell<Attrs<'a>>,
}

impl<'a> ModelView<'a, '_> {
    fn attrs(&self) -> &Attrs<'a> {
        self.attrs.get_or_init(|| {
            let shared = self.shared;
            let r = self.r;
            let classification = self
                .classification
                .take()
                .unwrap_or_else(|| shared.facts.classification(r.account_id, r.tags));
            let mut attrs = common_attrs(shared.facts, r, classification);
            let mut key_ref = |reference: &'a str, r: &ResourceRef<'a>| -> Value<'a> {
                match shared.keys.resolve(reference, r.account_id, r.region) {
                    Some(key) => key_value(&key.arn),
                    None => key_value(reference),
                }
            };
            specific_attrs(
                self.typed,
                self.account.account,
                self.account.ou_path,
                self.account.is_management,
                &mut attrs,
                &mut key_ref,
            );
            if let Some(analysis) = &self.account.analysis {
                attrs.extend(effective_attrs(
                    analysis,
                    shared.snapshot,
                    shared.facts,
                    self.account.account,
                    self.typed,
                ));
            }
            attrs
        })
    }

    fn is_resource(&self, uid: &Uid<'_>) -> bool {
        uid.id == self.r.arn && uid.ty == self.r.resource_type.cedar_type()
    }
}

fn lookup<'v>(attrs: &'v Attrs<'_>, name: &str) -> Lookup<'v> {
    // Later entries win, as when Cedar builds an entity from a list of attributes.
    match attrs.iter().rev().find(|(n, _)| *n == name) {
        Some((_, v)) => Lookup::Found(expr::reborrow(v)),
        None => Lookup::Missing,
    }
}

impl AttributeView for ModelView<'_, '_> {
    fn resource(&self) -> Uid<'_> {
        Uid::new(self.r.resource_type.cedar_type(), self.r.arn)
    }

    fn context(&self) -> Value<'_> {
        expr::reborrow(self.context)
    }

    fn attr<'v>(&'v self, entity: &Uid<'_>, name: &str) -> Lookup<'v> {
        if self.is_resource(entity) {
            return lookup(self.attrs(), name);
        }
        if entity.ty != ResourceType::KmsKey.cedar_type() {
            return Lookup::NoEntity;
        }
        // A key the resource refers to: the reference's store holds every key the
        // snapshot resolves a reference to, with the same attributes.
        let Some(key) = self.shared.keys.key(&entity.id) else {
            return Lookup::NoEntity;
        };
        let r = ResourceRef::of(key);
        let facts = self.shared.facts;
        let mut attrs = common_attrs(facts, r, facts.classification(r.account_id, r.tags));
        kms_attrs(key, &mut attrs);
        match attrs.into_iter().rev().find(|(n, _)| *n == name) {
            Some((_, v)) => Lookup::Found(v),
            None => Lookup::Missing,
        }
    }

    fn is_in(&self, entity: &Uid<'_>, ancestor: &Uid<'_>) -> bool {
        if entity == ancestor {
            return true;
        }
        if self.is_resource(entity) {
            return if self.r.resource_type == ResourceType::Account {
                self.account.ancestors.iter().any(|a| a == ancestor)
            } else {
                self.account.contains(ancestor)
            };
        }
        // A key of this account sits under it; one of another account is built without
        // parents by the reference backend; an unresolved one is no entity at all.
        entity.ty == ResourceType::KmsKey.cedar_type()
            && self
                .shared
                .keys
                .key(&entity.id)
                .is_some_and(|k| k.account_id == self.account.account.id)
            && self.account.contains(ancestor)
    }
}

#[cfg(test)]
mod tests;
