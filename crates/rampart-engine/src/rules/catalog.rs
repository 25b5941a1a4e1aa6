//! The catalog: every rule, native and Cedar, in one registry for evaluation, listing and
//! documentation.

use std::collections::BTreeMap;

use super::cedar::{PolicyError, PolicyStore};
use super::native::{NativeRule, NATIVE_RULES};
use super::{RuleKind, RuleMeta};

/// Why the catalog could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A Cedar policy file is invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// Two rules share an id.
    #[error("duplicate rule id `{id}` ({first} and {second})")]
    DuplicateId {
        /// The id.
        id: String,
        /// Where the first one is defined.
        first: String,
        /// Where the second one is defined.
        second: String,
    },
}

/// A rule and how to run it.
pub enum CatalogRule {
    /// Evaluated by the Cedar backend.
    Cedar(RuleMeta),
    /// Evaluated by its own code.
    Native(RuleMeta, &'static dyn NativeRule),
}

impl CatalogRule {
    /// The rule's metadata.
    pub fn meta(&self) -> &RuleMeta {
        match self {
            CatalogRule::Cedar(m) | CatalogRule::Native(m, _) => m,
        }
    }
}

/// All rules known to this run, sorted by id.
pub struct Catalog {
    rules: Vec<CatalogRule>,
    policies: PolicyStore,
}

impl Catalog {
    /// The bundled native rules and the Cedar policies of `policies`.
    pub fn new(policies: PolicyStore) -> Result<Catalog, CatalogError> {
        let mut by_id: BTreeMap<String, CatalogRule> = BTreeMap::new();
        let cedar = policies.rules().iter().cloned().map(CatalogRule::Cedar);
        let native = NATIVE_RULES
            .iter()
            .map(|r| CatalogRule::Native(r.meta(), *r));
        for rule in cedar.chain(native) {
            let id = rule.meta().id.clone();
            if let Some(existing) = by_id.get(&id) {
                return Err(CatalogError::DuplicateId {
                    id,
                    first: describe(existing.meta()),
                    second: describe(rule.meta()),
                });
            }
            by_id.insert(id, rule);
        }
        Ok(Catalog {
            rules: by_id.into_values().collect(),
            policies,
        })
    }

    /// The bundled native rules and the bundled Cedar policies.
    pub fn bundled() -> Result<Catalog, CatalogError> {
        Catalog::new(PolicyStore::bundled()?)
    }

    /// Every rule, sorted by id.
    pub fn rules(&self) -> &[CatalogRule] {
        &self.rules
    }

    /// A rule by id.
    pub fn get(&self, id: &str) -> Option<&CatalogRule> {
        self.rules
            .binary_search_by(|r| r.meta().id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }

    /// The Cedar policies behind the Cedar rules.
    pub fn policies(&self) -> &PolicyStore {
        &self.policies
    }

    /// Every rule id, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.meta().id.as_str())
    }
}

fn describe(meta: &RuleMeta) -> String {
    match (&meta.location, meta.kind) {
        (Some(loc), _) => format!("{}:{}", loc.uri, loc.line),
        (None, RuleKind::Native) => "native rule".to_owned(),
        (None, RuleKind::Cedar) => "cedar policy".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Read, ResourceType};

    /// Every rule's reads are words of the model's vocabulary (typed, so they parse back to
    /// themselves) and name the service of each resource type it assesses, so that a gap
    /// hiding its resources makes it `unknown`.
    #[test]
    fn every_rule_reads_what_it_assesses_in_the_vocabulary() {
        let catalog = Catalog::bundled().expect("bundled catalog");
        assert!(catalog.rules().len() >= 22);
        for rule in catalog.rules() {
            let meta = rule.meta();
            assert!(!meta.reads.is_empty(), "{}: reads nothing", meta.id);
            for read in &meta.reads {
                assert_eq!(read.to_string().parse::<Read>(), Ok(*read), "{}", meta.id);
            }
            for ty in meta
                .resource_types
                .iter()
                .filter(|t| **t != ResourceType::Account)
            {
                assert!(
                    meta.reads.iter().any(|r| ty.read_by(r.service())),
                    "{}: reads nothing of `{}`",
                    meta.id,
                    ty.service()
                );
            }
        }
    }
}
