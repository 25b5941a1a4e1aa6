//! SCP statements as rampart generates them: always `Deny` (the FullAWSAccess allow stays
//! attached), an action list or a `NotAction` list, resources, and conditions — the
//! exemptions among them, since SCPs have no `Principal`. Rendering is deterministic and
//! minified: keys in a fixed order, no whitespace.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

/// The `Version` every generated document carries.
pub const POLICY_VERSION: &str = "2012-10-17";

/// The actions a statement denies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionSet {
    /// `Action`: these actions (patterns as written by the intent).
    Actions(BTreeSet<String>),
    /// `NotAction`: every action but these.
    NotActions(BTreeSet<String>),
}

impl ActionSet {
    /// `Action` over these patterns.
    pub fn actions<'a>(items: impl IntoIterator<Item = &'a str>) -> ActionSet {
        ActionSet::Actions(items.into_iter().map(str::to_owned).collect())
    }

    /// The patterns, whichever element they go in.
    pub fn patterns(&self) -> &BTreeSet<String> {
        match self {
            ActionSet::Actions(a) | ActionSet::NotActions(a) => a,
        }
    }

    /// The JSON element name.
    pub fn element(&self) -> &'static str {
        match self {
            ActionSet::Actions(_) => "Action",
            ActionSet::NotActions(_) => "NotAction",
        }
    }
}

/// One condition: `{"OPERATOR": {"KEY": VALUES}}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConditionClause {
    /// The operator as IAM spells it (`ArnNotLike`, `ForAnyValue:StringEquals`, …).
    pub operator: String,
    /// The condition key (`aws:PrincipalArn`).
    pub key: String,
    /// The values, sorted and without duplicates.
    pub values: Vec<String>,
}

impl ConditionClause {
    /// A clause; the values are sorted and deduplicated so that equal clauses compare equal.
    pub fn new(operator: &str, key: &str, values: impl IntoIterator<Item = String>) -> Self {
        let values: BTreeSet<String> = values.into_iter().collect();
        ConditionClause {
            operator: operator.to_owned(),
            key: key.to_owned(),
            values: values.into_iter().collect(),
        }
    }

    /// The exemption of principals: `ArnNotLike aws:PrincipalArn`.
    pub fn exempt(patterns: &[String]) -> Self {
        ConditionClause::new("ArnNotLike", "aws:PrincipalArn", patterns.iter().cloned())
    }
}

/// A `Deny` statement and the intents it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScpStatement {
    /// The ids of the intents it enforces, sorted.
    pub intents: Vec<String>,
    /// What it denies.
    pub actions: ActionSet,
    /// `Resource` patterns (usually `*`), sorted.
    pub resources: Vec<String>,
    /// The conditions (all must hold), sorted by operator then key.
    pub conditions: Vec<ConditionClause>,
}

/// The part of a statement that must be equal for two statements to merge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MergeKey {
    /// `NotAction` sets merge only when equal; `Action` sets merge whatever they hold.
    not_actions: Option<BTreeSet<String>>,
    resources: Vec<String>,
    conditions: Vec<ConditionClause>,
}

impl ScpStatement {
    /// A statement of one intent; conditions and resources are normalized (sorted).
    pub fn new(
        intent: &str,
        actions: ActionSet,
        resources: Vec<String>,
        mut conditions: Vec<ConditionClause>,
    ) -> Self {
        conditions.sort();
        conditions.dedup();
        let resources: BTreeSet<String> = resources.into_iter().collect();
        ScpStatement {
            intents: vec![intent.to_owned()],
            actions,
            resources: resources.into_iter().collect(),
            conditions,
        }
    }

    /// What decides whether two statements merge: same effect (always `Deny`), same
    /// resources, same conditions (exemptions included), and for `NotAction` the same list.
    pub fn merge_key(&self) -> MergeKey {
        MergeKey {
            not_actions: match &self.actions {
                ActionSet::NotActions(a) => Some(a.clone()),
                ActionSet::Actions(_) => None,
            },
            resources: self.resources.clone(),
            conditions: self.conditions.clone(),
        }
    }

    /// The statement's `Sid`: its intent ids in PascalCase, joined (IAM allows only
    /// ASCII letters and digits).
    pub fn sid(&self) -> String {
        self.intents
            .iter()
            .flat_map(|id| {
                id.split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(|w| {
                        let mut chars = w.chars();
                        chars.next().map_or_else(String::new, |first| {
                            first.to_ascii_uppercase().to_string() + chars.as_str()
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The statement as JSON, with `patterns` as its action list (the compacted form, or
    /// the statement's own): keys in the order `Sid`, `Effect`, `Action`/`NotAction`,
    /// `Resource`, `Condition`; a one-element list is written as a string.
    pub fn to_json(&self, patterns: &[String], with_sid: bool) -> Value {
        let mut object = Map::new();
        if with_sid {
            object.insert("Sid".into(), Value::String(self.sid()));
        }
        object.insert("Effect".into(), json!("Deny"));
        object.insert(self.actions.element().into(), one_or_many(patterns));
        object.insert("Resource".into(), one_or_many(&self.resources));
        if !self.conditions.is_empty() {
            let mut operators = Map::new();
            for clause in &self.conditions {
                let entry = operators
                    .entry(clause.operator.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(keys) = entry {
                    keys.insert(clause.key.clone(), one_or_many(&clause.values));
                }
            }
            object.insert("Condition".into(), Value::Object(operators));
        }
        Value::Object(object)
    }
}

fn one_or_many(items: &[String]) -> Value {
    match items {
        [one] => Value::String(one.clone()),
        _ => Value::Array(items.iter().cloned().map(Value::String).collect()),
    }
}

/// A policy document of statements already rendered as JSON.
pub fn document(statements: Vec<Value>) -> Value {
    json!({ "Version": POLICY_VERSION, "Statement": statements })
}

/// Minified JSON text (no whitespace; keys in insertion order).
pub fn minify(value: &Value) -> String {
    value.to_string()
}

/// The size AWS counts for an SCP: characters of the document as stored.
pub fn size(text: &str) -> usize {
    text.chars().count()
}

/// Merges statements with the same [`MergeKey`]: their action lists are united and their
/// intents listed together. The order is that of each key's first statement.
pub fn merge(statements: Vec<ScpStatement>) -> Vec<ScpStatement> {
    let mut out: Vec<ScpStatement> = Vec::new();
    for statement in statements {
        let key = statement.merge_key();
        match out.iter_mut().find(|s| s.merge_key() == key) {
            Some(existing) => {
                if let (ActionSet::Actions(into), ActionSet::Actions(from)) =
                    (&mut existing.actions, statement.actions)
                {
                    into.extend(from);
                }
                existing.intents.extend(statement.intents);
                existing.intents.sort();
                existing.intents.dedup();
            }
            None => out.push(statement),
        }
    }
    out
}
