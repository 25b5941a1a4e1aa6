//! The evidence of a Cedar rule: the attributes its policy reads on `resource` and
//! `context`, found once per policy from its JSON form, with their values for one resource.
//!
//! Both backends read the values through the same [`AttributeView`] interface (the compiled
//! one over the model, the reference one over its Cedar entities) and render them here, so
//! the differential tests can hold them to the same evidence.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use cedar_policy::{Entities, EntityId, EntityTypeName, EntityUid, EvalResult};
use serde_json::Value as Json;

use super::compiled::expr::{AttributeView, Lookup};
use super::value::{Uid, Value};
use crate::findings::Evidence;
use crate::rules::RuleContext;

/// Where a read starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Root {
    Resource,
    Context,
}

/// One attribute path a policy reads: `resource.encryption.kms_key` or `context.now`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EvidencePath {
    root: Root,
    attrs: Vec<String>,
}

impl EvidencePath {
    /// The path as evidence names it: relative to the resource, or `context.…`.
    fn label(&self) -> String {
        let attrs = self.attrs.join(".");
        match self.root {
            Root::Resource => attrs,
            Root::Context => format!("context.{attrs}"),
        }
    }
}

/// Every attribute path a policy's syntax tree (Cedar's JSON policy format) reads with `.`
/// or `has` from `resource` or `context`, sorted, without the paths that a longer one
/// extends (`encryption` when `encryption.algorithm` is read).
pub(super) fn evidence_paths(est: &Json) -> Vec<EvidencePath> {
    let mut all = BTreeSet::new();
    collect(est, &mut all);
    let all: Vec<EvidencePath> = all.into_iter().collect();
    all.iter()
        .filter(|p| {
            !all.iter().any(|q| {
                q.root == p.root && q.attrs.len() > p.attrs.len() && q.attrs.starts_with(&p.attrs)
            })
        })
        .cloned()
        .collect()
}

fn collect(est: &Json, out: &mut BTreeSet<EvidencePath>) {
    match est {
        Json::Object(map) => {
            for (key, value) in map {
                if key == "." || key == "has" {
                    if let Some(path) = chain(value) {
                        out.insert(path);
                    }
                }
                collect(value, out);
            }
        }
        Json::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

/// `{"left": …, "attr": "a"}` as a path, when `left` is a chain of attribute reads from
/// `resource` or `context`.
fn chain(node: &Json) -> Option<EvidencePath> {
    let attr = node.get("attr")?.as_str()?;
    let left = node.get("left")?;
    let mut path = if let Some(var) = left.get("Var").and_then(Json::as_str) {
        let root = match var {
            "resource" => Root::Resource,
            "context" => Root::Context,
            _ => return None,
        };
        EvidencePath {
            root,
            attrs: Vec::new(),
        }
    } else {
        chain(left.get(".")?)?
    };
    path.attrs.push(attr.to_owned());
    Some(path)
}

/// The evidence of one rule on the resource of `view`: each path's value, or absent.
pub(super) fn read(paths: &[EvidencePath], view: &dyn AttributeView) -> Vec<Evidence> {
    paths
        .iter()
        .map(|p| {
            let value = follow(p, view);
            Evidence::new(
                p.label(),
                value.map_or_else(|| Evidence::ABSENT.to_owned(), |v| to_json(&v).to_string()),
            )
        })
        .collect()
}

fn follow<'v>(path: &EvidencePath, view: &'v dyn AttributeView) -> Option<Value<'v>> {
    let mut attrs = path.attrs.iter();
    let mut value = match path.root {
        Root::Resource => Value::Entity(view.resource()),
        Root::Context => view.context(),
    };
    for attr in attrs.by_ref() {
        value = match value {
            Value::Entity(uid) => match view.attr(&uid, attr) {
                Lookup::Found(v) => v,
                Lookup::Missing | Lookup::NoEntity => return None,
            },
            Value::Record(fields) => Value::field(&fields, attr)?.clone(),
            _ => return None,
        };
    }
    Some(value)
}

/// A value as JSON: sets sorted by their JSON text and without repeats, records by field
/// name, entities in Cedar's JSON form (`{"__entity": {"type": …, "id": …}}`).
fn to_json(value: &Value<'_>) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Long(n) => Json::from(*n),
        Value::String(s) => Json::String(s.to_string()),
        Value::Entity(uid) => {
            serde_json::json!({ "__entity": { "type": uid.ty.as_ref(), "id": uid.id.as_ref() } })
        }
        Value::Set(items) => {
            let mut items: Vec<(String, Json)> = items
                .iter()
                .map(|i| {
                    let j = to_json(i);
                    (j.to_string(), j)
                })
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            items.dedup_by(|a, b| a.0 == b.0);
            Json::Array(items.into_iter().map(|(_, j)| j).collect())
        }
        Value::Record(fields) => {
            let mut fields: Vec<(&str, Json)> = fields
                .iter()
                .map(|(k, v)| (k.as_ref(), to_json(v)))
                .collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            Json::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        }
    }
}

/// The request contexts by classification level, as both backends build them.
pub(super) fn contexts(cx: &RuleContext<'_>) -> HashMap<String, Value<'static>> {
    let params = cx.facts.parameters();
    params
        .classification_levels
        .iter()
        .map(|level| {
            let approved = params.approved_regions.get(level);
            let context = Value::record(vec![
                ("now".into(), Value::Long(cx.now.timestamp())),
                (
                    "approved_regions".into(),
                    Value::string_set(approved.into_iter().flatten().cloned()),
                ),
                ("regions_restricted".into(), Value::Bool(approved.is_some())),
                (
                    "certificate_expiry_window".into(),
                    Value::Long(i64::from(params.certificate_expiry_days) * 86_400),
                ),
            ]);
            (level.clone(), context)
        })
        .collect()
}

/// The reference backend's entities seen through [`AttributeView`], for evidence only.
pub(super) struct EntitiesView<'e> {
    pub entities: &'e Entities,
    pub resource: &'e EntityUid,
    pub context: &'e Value<'static>,
}

impl AttributeView for EntitiesView<'_> {
    fn resource(&self) -> Uid<'_> {
        uid_value(self.resource)
    }

    fn context(&self) -> Value<'_> {
        self.context.clone()
    }

    fn attr<'v>(&'v self, entity: &Uid<'_>, name: &str) -> Lookup<'v> {
        let other;
        let uid = if self.resource.id().unescaped() == entity.id
            && self.resource.type_name().to_string() == entity.ty
        {
            self.resource
        } else {
            let Ok(ty) = EntityTypeName::from_str(&entity.ty) else {
                return Lookup::NoEntity;
            };
            other = EntityUid::from_type_name_and_id(ty, EntityId::new(entity.id.as_ref()));
            &other
        };
        let Some(found) = self.entities.get(uid) else {
            return Lookup::NoEntity;
        };
        match found.attr(name) {
            Some(Ok(v)) => Lookup::Found(from_eval(&v)),
            Some(Err(_)) | None => Lookup::Missing,
        }
    }

    fn is_in(&self, _entity: &Uid<'_>, _ancestor: &Uid<'_>) -> bool {
        // Evidence reads attributes only.
        false
    }
}

fn uid_value(uid: &EntityUid) -> Uid<'static> {
    Uid::new(uid.type_name().to_string(), uid.id().unescaped().to_owned())
}

fn from_eval(v: &EvalResult) -> Value<'static> {
    match v {
        EvalResult::Bool(b) => Value::Bool(*b),
        EvalResult::Long(n) => Value::Long(*n),
        EvalResult::String(s) | EvalResult::ExtensionValue(s) => {
            Value::String(Cow::Owned(s.clone()))
        }
        EvalResult::EntityUid(uid) => Value::Entity(uid_value(uid)),
        EvalResult::Set(set) => Value::Set(set.iter().map(from_eval).collect()),
        EvalResult::Record(record) => Value::record(
            record
                .iter()
                .map(|(k, v)| (Cow::Owned(k.clone()), from_eval(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use cedar_policy::Policy;

    use super::*;

    fn paths(text: &str) -> Vec<String> {
        let policy = Policy::parse(None, text).expect("policy");
        let est = policy.to_json().expect("json");
        evidence_paths(&est)
            .iter()
            .map(EvidencePath::label)
            .collect()
    }

    #[test]
    fn the_paths_a_policy_reads_on_resource_and_context_longest_only() {
        let text = r#"forbid (principal, action, resource)
            when { resource.sensitive && context.regions_restricted }
            unless {
              resource.encryption.algorithm == "aws:kms" &&
              resource.encryption has kms_key &&
              resource.encryption.kms_key.key_manager == "CUSTOMER" &&
              principal.name == "x"
            };"#;
        assert_eq!(
            paths(text),
            [
                "encryption.algorithm",
                "encryption.kms_key.key_manager",
                "sensitive",
                "context.regions_restricted",
            ]
        );
    }

    #[test]
    fn values_render_as_json_sets_sorted_entities_in_cedar_form() {
        let set = Value::string_set(["b", "a", "b"]);
        assert_eq!(to_json(&set).to_string(), r#"["a","b"]"#);
        let record = Value::record(vec![
            ("z".into(), Value::Long(1)),
            ("a".into(), Value::Entity(Uid::new("Aws::KmsKey", "k"))),
        ]);
        assert_eq!(
            to_json(&record).to_string(),
            r#"{"a":{"__entity":{"type":"Aws::KmsKey","id":"k"}},"z":1}"#
        );
    }
}
