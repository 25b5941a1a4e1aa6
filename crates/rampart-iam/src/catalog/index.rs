//! The catalog's indexed form, and how the data file's form becomes it.
//!
//! `build.rs` compiles this file too: it indexes the embedded data file at build time and
//! writes the result out as a Rust constant, so that the embedded catalog costs nothing to
//! load. [`super::ActionCatalog::from_json`] indexes other data with the same code at run
//! time. Every index is a sorted table searched by bisection, which a constant can hold.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use super::global_keys;
use super::model::{Action, CatalogInfo, ConditionKey, ConditionKeyType, RawCatalog, Service};

/// Every AWS action, indexed for case-insensitive lookup and wildcard expansion.
#[derive(Debug, PartialEq, Eq)]
pub struct ActionCatalog {
    pub(super) info: CatalogInfo,
    /// Sorted by prefix.
    pub(super) services: Cow<'static, [Service]>,
    /// (Lowercase prefix, index in `services`), sorted by prefix.
    pub(super) service_index: Cow<'static, [(Cow<'static, str>, usize)]>,
    /// Every action, sorted by canonical `service:Action` name; a service's actions are
    /// one contiguous run (`service_ranges`).
    pub(super) entries: Cow<'static, [Entry]>,
    /// Index in `services` → its run in `entries`.
    pub(super) service_ranges: Cow<'static, [Range<usize>]>,
    /// Indexes in `entries`, sorted by lowercase name (`Entry::lower`).
    pub(super) by_lower: Cow<'static, [usize]>,
    /// (Lowercase condition key, type), sorted by key: every key, templated ones included.
    pub(super) keys: Cow<'static, [(Cow<'static, str>, ConditionKeyType)]>,
    /// Templated keys (`aws:PrincipalTag/${TagKey}`) as lowercase wildcard patterns
    /// (`aws:principaltag/*`), most specific first.
    pub(super) templated_keys: Cow<'static, [TemplatedKey]>,
}

/// One action in the catalog's sorted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// `s3:GetObject`.
    pub(super) name: Cow<'static, str>,
    /// `s3:getobject`.
    pub(super) lower: Cow<'static, str>,
    pub(super) service: usize,
    pub(super) action: usize,
}

/// A condition key with template parts, as a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TemplatedKey {
    pub(super) pattern: Cow<'static, str>,
    /// Characters outside template parts: the more, the more specific.
    pub(super) literal_len: usize,
    pub(super) key_type: ConditionKeyType,
}

/// Indexes the data file's form.
pub(super) fn index(raw: RawCatalog) -> ActionCatalog {
    let mut services = Vec::with_capacity(raw.services.len());
    let mut key_types = KeyTypes::default();
    // BTreeMap iteration: services sorted by prefix.
    for (prefix, raw_service) in raw.services {
        let mut actions: Vec<Action> = raw_service
            .actions
            .into_iter()
            .map(|(name, a)| Action {
                name: name.into(),
                access_level: a.access,
                resource_types: a.resources.into(),
                condition_keys: a.conditions.into(),
            })
            .collect();
        actions.sort_by(|a, b| a.name.cmp(&b.name));
        let condition_keys: Vec<ConditionKey> = raw_service
            .condition_keys
            .into_iter()
            .map(|(name, key_type)| ConditionKey {
                name: name.into(),
                key_type,
            })
            .collect();
        for key in &condition_keys {
            key_types.add_service_key(&prefix, key);
        }
        services.push(Service {
            prefix: prefix.into(),
            name: raw_service.name.into(),
            actions: actions.into(),
            condition_keys: condition_keys.into(),
        });
    }
    for (key, key_type) in global_keys::GLOBAL_CONDITION_KEYS {
        key_types.add_global_key(key, *key_type);
    }

    let mut entries: Vec<Entry> = Vec::new();
    for (si, service) in services.iter().enumerate() {
        for (ai, action) in service.actions.iter().enumerate() {
            let name = format!("{}:{}", service.prefix, action.name);
            let lower = name.to_lowercase();
            entries.push(Entry {
                name: name.into(),
                lower: lower.into(),
                service: si,
                action: ai,
            });
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    // Names sharing the `prefix:` start are contiguous in sorted order.
    let mut service_ranges = vec![0..0; services.len()];
    for (i, entry) in entries.iter().enumerate() {
        let range = &mut service_ranges[entry.service];
        if range.start == range.end {
            *range = i..i + 1;
        } else {
            range.end = i + 1;
        }
    }
    // Of two names equal but for case, the later wins (as a map built in order would).
    let by_lower: BTreeMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (&*e.lower, i))
        .collect();
    let by_lower: Vec<usize> = by_lower.into_values().collect();
    let service_index: BTreeMap<String, usize> = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.prefix.to_lowercase(), i))
        .collect();
    let (keys, templated_keys) = key_types.finish();
    let info = CatalogInfo {
        package: raw.metadata.package.into(),
        version: raw.metadata.version.into(),
        data_date: raw.metadata.data_date.into(),
        sha256: raw.metadata.sha256.into(),
        license: raw.metadata.license.into(),
        source: raw.metadata.source.into(),
        services: services.len(),
        actions: entries.len(),
    };
    ActionCatalog {
        info,
        services: services.into(),
        service_index: service_index
            .into_iter()
            .map(|(k, i)| (k.into(), i))
            .collect(),
        entries: entries.into(),
        service_ranges: service_ranges.into(),
        by_lower: by_lower.into(),
        keys: keys.into_iter().map(|(k, t)| (k.into(), t)).collect(),
        templated_keys: templated_keys.into(),
    }
}

/// Collects condition key types while indexing: the global table wins; otherwise, when
/// services disagree on a key, the service whose prefix the key carries wins (then the
/// first service by prefix).
#[derive(Default)]
struct KeyTypes {
    /// Lowercase key → (type, whether set by its own service or the global table).
    types: BTreeMap<String, (ConditionKeyType, bool)>,
}

impl KeyTypes {
    fn add_service_key(&mut self, prefix: &str, key: &ConditionKey) {
        let lower = key.name.to_lowercase();
        let own = lower
            .split_once(':')
            .is_some_and(|(p, _)| p == prefix.to_lowercase());
        match self.types.get(&lower) {
            Some(&(_, true)) => {}
            Some(_) if !own => {}
            _ => {
                self.types.insert(lower, (key.key_type, own));
            }
        }
    }

    fn add_global_key(&mut self, key: &str, key_type: ConditionKeyType) {
        self.types.insert(key.to_lowercase(), (key_type, true));
    }

    /// Every key (sorted) with its type, and the templated keys as patterns, most
    /// specific first.
    fn finish(self) -> (Vec<(String, ConditionKeyType)>, Vec<TemplatedKey>) {
        let mut keys = Vec::with_capacity(self.types.len());
        let mut templated = Vec::new();
        for (key, (key_type, _)) in self.types {
            if let Some((pattern, literal_len)) = template_pattern(&key) {
                templated.push(TemplatedKey {
                    pattern: pattern.into(),
                    literal_len,
                    key_type,
                });
            }
            // Also exact, so that the template itself (`aws:RequestTag/${TagKey}`) resolves.
            keys.push((key, key_type));
        }
        templated.sort_by(|a, b| {
            b.literal_len
                .cmp(&a.literal_len)
                .then_with(|| a.pattern.cmp(&b.pattern))
        });
        (keys, templated)
    }
}

/// `aws:principaltag/${tagkey}` → (`aws:principaltag/*`, 16); `None` without template
/// parts (`${…}` or `<…>`).
pub(super) fn template_pattern(key: &str) -> Option<(String, usize)> {
    let mut pattern = String::with_capacity(key.len());
    let mut literal_len = 0;
    let mut rest = key;
    let mut templated = false;
    while let Some(start) = rest.find(['$', '<']) {
        let close = if rest[start..].starts_with("${") {
            '}'
        } else if rest[start..].starts_with('<') {
            '>'
        } else {
            pattern.push_str(&rest[..=start]);
            literal_len += start + 1;
            rest = &rest[start + 1..];
            continue;
        };
        let Some(end) = rest[start..].find(close) else {
            break;
        };
        pattern.push_str(&rest[..start]);
        literal_len += start;
        pattern.push('*');
        templated = true;
        rest = &rest[start + end + 1..];
    }
    if !templated {
        return None;
    }
    pattern.push_str(rest);
    literal_len += rest.len();
    Some((pattern, literal_len))
}
