//! The reference backend: cedar-policy's `Authorizer`, one request per resource with only
//! the policies for the resource's type, entities built one account at a time.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, EvalResult,
    PolicyId, PolicySet, Request, RestrictedExpression,
};
use rayon::prelude::*;

use super::entities::{build_account, KeyIndex, TypeNames, EFFECTIVE_ATTRIBUTES};
use super::evidence::EntitiesView;
use super::store::{policy_set, rules_by_type, scope_set, CedarRule, PolicyStore};
use super::value::{fill_message, Value};
use super::CedarBackend;
use crate::model::{Account, ResourceRef, ResourceType};
use crate::rules::{Outcome, ResourceKey, RuleContext};

/// cedar-policy's own evaluator, the semantics every other backend must match.
pub struct ReferenceBackend<'p> {
    store: &'p PolicyStore,
}

impl<'p> ReferenceBackend<'p> {
    /// A backend over the policies of `store`.
    pub fn new(store: &'p PolicyStore) -> Self {
        ReferenceBackend { store }
    }
}

/// The rules of one resource type, as a policy set plus the rule each policy id stands for.
/// A set that cannot be built (the store checked every rule's, so only a bug can make one)
/// makes every finding of its rules unknown, saying why.
struct TypeRules<'s> {
    set: Result<PolicySet, String>,
    /// The rules' scopes alone, when some rule has one: asked again when a `forbid` decides
    /// the first answer, whose reasons then name only `forbid`s.
    scopes: Option<PolicySet>,
    rules: Vec<(usize, &'s CedarRule)>,
}

impl CedarBackend for ReferenceBackend<'_> {
    fn evaluate_accounts(
        &self,
        cx: &RuleContext<'_>,
        rules: &[(usize, &str)],
        accounts: &[Account],
    ) -> Vec<(usize, Outcome)> {
        let by_type: HashMap<ResourceType, TypeRules<'_>> = rules_by_type(self.store, rules)
            .into_iter()
            .map(|(ty, rules)| {
                let list: Vec<&CedarRule> = rules.iter().map(|(_, r)| *r).collect();
                let set = policy_set(&list);
                let scopes = scope_set(&list);
                (ty, TypeRules { set, scopes, rules })
            })
            .collect();
        if by_type.is_empty() {
            return Vec::new();
        }
        let wanted: HashSet<ResourceType> = by_type.keys().copied().collect();
        // Effective permissions cost an IAM evaluation per action: build them only when an
        // active policy reads one of their attributes (from its syntax tree).
        let with_effective_permissions = by_type.values().any(|t| {
            t.rules.iter().any(|(_, r)| {
                EFFECTIVE_ATTRIBUTES
                    .iter()
                    .any(|a| r.attributes.contains(*a))
            })
        });
        let setup = match Setup::new(cx) {
            Ok(s) => s,
            Err(e) => return everything_unknown(accounts, &by_type, &e),
        };
        let keys = KeyIndex::new(cx.snapshot);
        accounts
            .par_iter()
            .flat_map_iter(|account| {
                let mut out = Vec::new();
                match build_account(
                    &setup.names,
                    &keys,
                    cx.snapshot,
                    cx.facts,
                    account,
                    &wanted,
                    with_effective_permissions,
                ) {
                    Ok(built) => {
                        for (r, uid) in &built.items {
                            if let Some(type_rules) = by_type.get(&r.resource_type) {
                                evaluate_resource(
                                    &setup,
                                    cx,
                                    &built.entities,
                                    *r,
                                    uid,
                                    type_rules,
                                    &mut out,
                                );
                            }
                        }
                    }
                    Err(e) => {
                        // One account whose entities cannot be built is unknown, not a crash.
                        for r in account.resources() {
                            if let Some(type_rules) = by_type.get(&r.resource_type) {
                                for (index, _) in &type_rules.rules {
                                    out.push((
                                        *index,
                                        Outcome::unknown(
                                            ResourceKey::of(r),
                                            format!(
                                                "not assessable: cannot build cedar entities: {e}"
                                            ),
                                        ),
                                    ));
                                }
                            }
                        }
                    }
                }
                out
            })
            .collect()
    }
}

/// What every request shares.
struct Setup {
    names: TypeNames,
    authorizer: Authorizer,
    principal: EntityUid,
    action: EntityUid,
    /// Request contexts by classification level (they differ only in approved regions).
    contexts: HashMap<String, Context>,
    /// The same contexts as values, for evidence.
    context_values: HashMap<String, Value<'static>>,
}

impl Setup {
    fn new(cx: &RuleContext<'_>) -> Result<Setup, String> {
        let uid = |ty: &str, id: &str| -> Result<EntityUid, String> {
            let ty = EntityTypeName::from_str(ty).map_err(|e| e.to_string())?;
            Ok(EntityUid::from_type_name_and_id(ty, EntityId::new(id)))
        };
        let params = cx.facts.parameters();
        let mut contexts = HashMap::new();
        for level in &params.classification_levels {
            let approved = params.approved_regions.get(level);
            let context = Context::from_pairs([
                (
                    "now".to_owned(),
                    RestrictedExpression::new_long(cx.now.timestamp()),
                ),
                (
                    "approved_regions".to_owned(),
                    RestrictedExpression::new_set(
                        approved
                            .into_iter()
                            .flatten()
                            .map(|r| RestrictedExpression::new_string(r.clone())),
                    ),
                ),
                (
                    "regions_restricted".to_owned(),
                    RestrictedExpression::new_bool(approved.is_some()),
                ),
                (
                    "certificate_expiry_window".to_owned(),
                    RestrictedExpression::new_long(
                        i64::from(params.certificate_expiry_days) * 86_400,
                    ),
                ),
            ])
            .map_err(|e| e.to_string())?;
            contexts.insert(level.clone(), context);
        }
        Ok(Setup {
            names: TypeNames::new()?,
            authorizer: Authorizer::new(),
            principal: uid("Rampart::Evaluator", "rampart")?,
            action: uid("Rampart::Action", "evaluate")?,
            contexts,
            context_values: super::evidence::contexts(cx),
        })
    }
}

fn evaluate_resource(
    setup: &Setup,
    cx: &RuleContext<'_>,
    entities: &Entities,
    r: ResourceRef<'_>,
    uid: &EntityUid,
    type_rules: &TypeRules<'_>,
    out: &mut Vec<(usize, Outcome)>,
) {
    let key = ResourceKey::of(r);
    let level = cx.facts.classification(r.account_id, r.tags).level;
    let Some(context) = setup.contexts.get(&level) else {
        for (index, _) in &type_rules.rules {
            out.push((
                *index,
                Outcome::unknown(
                    key.clone(),
                    format!("not assessable: classification `{level}` is not a ruleset level"),
                ),
            ));
        }
        return;
    };
    let request = match Request::new(
        setup.principal.clone(),
        setup.action.clone(),
        uid.clone(),
        context.clone(),
        None,
    ) {
        Ok(r) => r,
        Err(e) => {
            for (index, _) in &type_rules.rules {
                out.push((
                    *index,
                    Outcome::unknown(key.clone(), format!("not assessable: {e}")),
                ));
            }
            return;
        }
    };
    let set = match &type_rules.set {
        Ok(set) => set,
        Err(e) => {
            for (index, _) in &type_rules.rules {
                out.push((
                    *index,
                    Outcome::unknown(
                        key.clone(),
                        format!("not assessable: the rules' policy set does not build: {e}"),
                    ),
                ));
            }
            return;
        }
    };
    let response = setup.authorizer.is_authorized(&request, set, entities);
    // When a `forbid` is satisfied the decision is Deny, and its reasons are the `forbid`s
    // alone: the scopes (`permit`s) that select the resource for the other rules must then
    // be asked on their own, or those rules' passes would read as "out of scope".
    let scoped = match (&type_rules.scopes, response.decision()) {
        (Some(scopes), Decision::Deny) => {
            Some(setup.authorizer.is_authorized(&request, scopes, entities))
        }
        _ => None,
    };
    let responses = std::iter::once(&response).chain(scoped.as_ref());
    let mut satisfied: HashSet<&PolicyId> = HashSet::new();
    let mut errors: HashMap<&PolicyId, String> = HashMap::new();
    for r in responses {
        let diagnostics = r.diagnostics();
        satisfied.extend(diagnostics.reason());
        errors.extend(diagnostics.errors().map(|e| match e {
            cedar_policy::AuthorizationError::PolicyEvaluationError(pe) => {
                (pe.policy_id(), pe.inner().to_string())
            }
        }));
    }
    for (index, rule) in &type_rules.rules {
        let id = rule.policy.id();
        let scope_id = rule.scope.as_ref().map(|s| s.id());
        let error = errors
            .get(id)
            .or_else(|| scope_id.and_then(|s| errors.get(s)));
        let outcome = if let Some(error) = error {
            // A policy that errors is left out of Cedar's decision; silently that would read
            // as a pass (or as out of scope), so it is reported as unknown with the reason.
            Outcome::unknown(key.clone(), format!("not assessable: {}", error))
        } else if satisfied.contains(id) {
            Outcome::fail(key.clone(), fail_message(rule, entities, uid))
        } else if scope_id.is_some_and(|s| !satisfied.contains(s)) {
            // No `when` clause selects the resource: the rule does not apply, no finding.
            continue;
        } else {
            Outcome::pass(key.clone(), "compliant")
        };
        let evidence = match setup.context_values.get(&level) {
            Some(context) => super::evidence::read(
                &rule.evidence,
                &EntitiesView {
                    entities,
                    resource: uid,
                    context,
                },
            ),
            None => Vec::new(),
        };
        out.push((*index, outcome.with_evidence(evidence)));
    }
}

/// The failure message: the rule's `@message` with `{attribute}` placeholders filled from
/// the resource entity, or the rule's title.
fn fail_message(rule: &CedarRule, entities: &Entities, uid: &EntityUid) -> String {
    let Some(template) = &rule.message else {
        return format!("does not meet: {}", rule.meta.title);
    };
    let entity = entities.get(uid);
    fill_message(template, |path| attribute_path(entity?, path))
}

/// Reads `a` or `a.b` from an entity and renders it for a message.
fn attribute_path(entity: &cedar_policy::Entity, path: &str) -> Option<String> {
    let mut parts = path.split('.');
    let mut value = entity.attr(parts.next()?)?.ok()?;
    for part in parts {
        value = match value {
            EvalResult::Record(record) => record.get(part)?.clone(),
            _ => return None,
        };
    }
    Some(render(&value))
}

fn render(value: &EvalResult) -> String {
    match value {
        EvalResult::String(s) => s.clone(),
        EvalResult::Bool(b) => b.to_string(),
        EvalResult::Long(n) => n.to_string(),
        EvalResult::EntityUid(uid) => uid.id().unescaped().to_owned(),
        other => other.to_string(),
    }
}

fn everything_unknown(
    accounts: &[Account],
    by_type: &HashMap<ResourceType, TypeRules<'_>>,
    error: &str,
) -> Vec<(usize, Outcome)> {
    accounts
        .iter()
        .flat_map(Account::resources)
        .flat_map(|r| {
            by_type
                .get(&r.resource_type)
                .into_iter()
                .flat_map(move |t| {
                    t.rules.iter().map(move |(index, _)| {
                        (
                            *index,
                            Outcome::unknown(
                                ResourceKey::of(r),
                                format!("not assessable: {error}"),
                            ),
                        )
                    })
                })
        })
        .collect()
}
