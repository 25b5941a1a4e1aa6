//! The attributes each entity type of the Cedar schema declares, read from the schema's JSON
//! form: what `@message` placeholders may name, and what the entity builder must produce.

use std::collections::BTreeMap;

use cedar_policy::SchemaFragment;
use serde_json::Value;

/// The type of an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AttrType {
    /// `String`.
    String,
    /// `Long`.
    Long,
    /// `Bool`.
    Bool,
    /// `Set<T>`.
    Set(Box<AttrType>),
    /// A record with its attributes.
    Record(BTreeMap<String, Attr>),
    /// A reference to an entity of this (qualified) type.
    Entity(String),
    /// An extension type (`ipaddr`, `decimal`, `datetime`, `duration`).
    Extension(String),
}

/// One declared attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attr {
    /// Its type.
    pub ty: AttrType,
    /// `false` when declared with `?`.
    pub required: bool,
}

/// Entity type (qualified, `Aws::KmsKey`) → its attributes.
#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaIndex {
    types: BTreeMap<String, BTreeMap<String, Attr>>,
}

impl SchemaIndex {
    /// Reads the schema text (Cedar schema syntax).
    #[cfg(test)]
    pub(crate) fn new(text: &str) -> Result<SchemaIndex, String> {
        let (fragment, _warnings) =
            SchemaFragment::from_cedarschema_str(text).map_err(|e| e.to_string())?;
        SchemaIndex::of(&fragment)
    }

    /// Reads a parsed schema (the store parses the text once, for this and the validator).
    pub(crate) fn of(fragment: &SchemaFragment) -> Result<SchemaIndex, String> {
        let json = fragment
            .clone()
            .to_json_value()
            .map_err(|e| e.to_string())?;
        let Value::Object(namespaces) = json else {
            return Err("the schema's JSON form is not an object".to_owned());
        };
        let mut common: BTreeMap<String, Value> = BTreeMap::new();
        for (ns, body) in &namespaces {
            if let Some(Value::Object(types)) = body.get("commonTypes") {
                for (name, ty) in types {
                    common.insert(qualify(ns, name), ty.clone());
                }
            }
        }
        let mut types = BTreeMap::new();
        for (ns, body) in &namespaces {
            let Some(Value::Object(entities)) = body.get("entityTypes") else {
                continue;
            };
            for (name, def) in entities {
                let attrs = match def.get("shape") {
                    Some(shape) => match resolve(ns, shape, &common, 0)? {
                        AttrType::Record(attrs) => attrs,
                        other => return Err(format!("`{name}` has a shape of type {other:?}")),
                    },
                    None => BTreeMap::new(),
                };
                types.insert(qualify(ns, name), attrs);
            }
        }
        Ok(SchemaIndex { types })
    }

    /// The attributes of an entity type, if the schema declares it.
    pub(crate) fn attributes(&self, entity_type: &str) -> Option<&BTreeMap<String, Attr>> {
        self.types.get(entity_type)
    }

    /// The type at `a.b.c` of an entity type: records continue into their attributes and
    /// entity references into the referenced entity's; `None` when some step is not
    /// declared.
    pub(crate) fn path_type(&self, entity_type: &str, path: &str) -> Option<&AttrType> {
        let mut parts = path.split('.');
        let mut ty = &self.attributes(entity_type)?.get(parts.next()?)?.ty;
        for part in parts {
            ty = match ty {
                AttrType::Record(attrs) => &attrs.get(part)?.ty,
                AttrType::Entity(name) => &self.attributes(name)?.get(part)?.ty,
                _ => return None,
            };
        }
        Some(ty)
    }
}

fn qualify(namespace: &str, name: &str) -> String {
    if namespace.is_empty() || name.contains("::") {
        name.to_owned()
    } else {
        format!("{namespace}::{name}")
    }
}

fn resolve(
    ns: &str,
    ty: &Value,
    common: &BTreeMap<String, Value>,
    depth: usize,
) -> Result<AttrType, String> {
    if depth > 32 {
        return Err("common types nest too deeply".to_owned());
    }
    let kind = ty.get("type").and_then(Value::as_str).unwrap_or_default();
    let name = ty.get("name").and_then(Value::as_str).unwrap_or_default();
    Ok(match kind {
        "String" => AttrType::String,
        "Long" => AttrType::Long,
        "Boolean" | "Bool" => AttrType::Bool,
        "Set" => {
            let element = ty.get("element").ok_or("`Set` without `element`")?;
            AttrType::Set(Box::new(resolve(ns, element, common, depth + 1)?))
        }
        "Record" => {
            let mut attrs = BTreeMap::new();
            if let Some(Value::Object(members)) = ty.get("attributes") {
                for (attr, def) in members {
                    let required = def.get("required").and_then(Value::as_bool).unwrap_or(true);
                    let ty = resolve(ns, def, common, depth + 1)?;
                    attrs.insert(attr.clone(), Attr { ty, required });
                }
            }
            AttrType::Record(attrs)
        }
        "Entity" => AttrType::Entity(qualify(ns, name)),
        "Extension" => AttrType::Extension(name.to_owned()),
        // A name that may be a primitive, a common type or an entity type.
        "EntityOrCommon" | "" => match name {
            "String" | "__cedar::String" => AttrType::String,
            "Long" | "__cedar::Long" => AttrType::Long,
            "Bool" | "Boolean" | "__cedar::Bool" => AttrType::Bool,
            "ipaddr" | "decimal" | "datetime" | "duration" => AttrType::Extension(name.to_owned()),
            _ => match common.get(&qualify(ns, name)).or_else(|| common.get(name)) {
                Some(def) => resolve(ns, def, common, depth + 1)?,
                None => AttrType::Entity(qualify(ns, name)),
            },
        },
        // A common type referenced by name (`"type": "MyType"`).
        other => match common
            .get(&qualify(ns, other))
            .or_else(|| common.get(other))
        {
            Some(def) => resolve(ns, def, common, depth + 1)?,
            None => return Err(format!("unknown type `{other}` in the schema")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cedar::SCHEMA_TEXT;

    #[test]
    fn the_bundled_schema_lists_attributes_with_types_and_optionality() {
        let index = SchemaIndex::new(SCHEMA_TEXT).unwrap();
        let key = index.attributes("Aws::KmsKey").unwrap();
        assert_eq!(key["key_manager"].ty, AttrType::String);
        assert_eq!(key["rotation_enabled"].ty, AttrType::Bool);
        assert!(key["rotation_enabled"].required);
        assert_eq!(key["aliases"].ty, AttrType::Set(Box::new(AttrType::String)));
        assert_eq!(
            index.path_type("Aws::S3Bucket", "encryption.kms_key.key_manager"),
            Some(&AttrType::String)
        );
        let AttrType::Record(encryption) =
            &index.attributes("Aws::S3Bucket").unwrap()["encryption"].ty
        else {
            panic!("encryption is a record");
        };
        assert!(!encryption["kms_key"].required);
        assert_eq!(index.path_type("Aws::S3Bucket", "encryption.nope"), None);
        assert!(index.attributes("Org::Account").is_some());
    }
}
