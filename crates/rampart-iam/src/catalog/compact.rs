//! The embedded catalog's compact form, which `build.rs` writes and
//! [`super::ActionCatalog::get`] reads: every string once, in one text, and the indexed
//! catalog as a sequence of little-endian `u32`s (counts, numbers, enum positions, and each
//! string as its start and length in the text).
//!
//! Reading it allocates only a few flat lists: the strings are borrowed from the text, the
//! indexes were sorted at build time (nothing to parse, hash or sort), and every action's
//! lists are slices of one list per kind.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use super::index::{ActionCatalog, Entry, TemplatedKey};
use super::model::{
    AccessLevel, Action, CatalogInfo, ConditionKey, ConditionKeyType, ResourceType, Service,
};

/// The compact form: the strings, and the numbers that refer to them.
#[allow(dead_code, reason = "used by build.rs and the tests")]
pub(super) struct Compact {
    pub(super) strings: String,
    pub(super) data: Vec<u8>,
}

/// Writes a catalog in the compact form (at build time, and in tests).
#[allow(dead_code, reason = "used by build.rs and the tests")]
pub(super) fn encode(catalog: &ActionCatalog) -> Compact {
    let mut w = Writer::default();
    let info = &catalog.info;
    for text in [
        &info.package,
        &info.version,
        &info.data_date,
        &info.sha256,
        &info.license,
        &info.source,
    ] {
        w.text(text);
    }
    w.number(info.services);
    w.number(info.actions);
    w.number(catalog.services.len());
    for service in catalog.services.iter() {
        w.text(&service.prefix);
        w.text(&service.name);
        w.number(service.actions.len());
        for action in service.actions.iter() {
            w.text(&action.name);
            w.number(position(&AccessLevel::ALL, action.access_level));
            w.number(action.resource_types.len());
            for r in action.resource_types.iter() {
                w.text(&r.name);
                w.number(usize::from(r.required));
            }
            w.number(action.condition_keys.len());
            for key in action.condition_keys.iter() {
                w.text(key);
            }
        }
        w.number(service.condition_keys.len());
        for key in service.condition_keys.iter() {
            w.text(&key.name);
            w.number(position(&ConditionKeyType::ALL, key.key_type));
        }
    }
    w.number(catalog.service_index.len());
    for (prefix, i) in catalog.service_index.iter() {
        w.text(prefix);
        w.number(*i);
    }
    w.number(catalog.entries.len());
    for e in catalog.entries.iter() {
        w.text(&e.name);
        w.text(&e.lower);
        w.number(e.service);
        w.number(e.action);
    }
    w.number(catalog.service_ranges.len());
    for range in catalog.service_ranges.iter() {
        w.number(range.start);
        w.number(range.end);
    }
    w.number(catalog.by_lower.len());
    for i in catalog.by_lower.iter() {
        w.number(*i);
    }
    w.number(catalog.keys.len());
    for (key, key_type) in catalog.keys.iter() {
        w.text(key);
        w.number(position(&ConditionKeyType::ALL, *key_type));
    }
    w.number(catalog.templated_keys.len());
    for k in catalog.templated_keys.iter() {
        w.text(&k.pattern);
        w.number(k.literal_len);
        w.number(position(&ConditionKeyType::ALL, k.key_type));
    }
    Compact {
        strings: w.strings,
        data: w.data,
    }
}

/// Reads only where a catalog written by [`encode`] comes from and its counts: what
/// `rampart --version` and the reports' metadata need, without building its lists.
pub(super) fn decode_info(strings: &'static str, data: &[u8]) -> Result<CatalogInfo, String> {
    let mut r = Reader {
        strings,
        data,
        at: 0,
    };
    r.info()
}

/// Reads a catalog written by [`encode`]; the error says where the data is bad.
pub(super) fn decode(strings: &'static str, data: &[u8]) -> Result<ActionCatalog, String> {
    let mut r = Reader {
        strings,
        data,
        at: 0,
    };
    let info = r.info()?;
    // Each list of every action's resource types, condition keys and so on is read into one
    // flat list (a few allocations instead of one per action), then borrowed from: the
    // decoded catalog is a process-wide constant, so the flat lists are leaked once it is
    // known to be whole (see `Arenas::borrow`).
    let mut arenas = Arenas::default();
    let service_drafts = r.list(|r| {
        let prefix = r.text()?;
        let name = r.text()?;
        let actions = arenas.actions.len();
        let n = r.number()?;
        for _ in 0..n {
            let name = r.text()?;
            let access_level = r.variant(&AccessLevel::ALL)?;
            let resource_types = arenas.resource_types.len();
            r.each(|r| {
                arenas.resource_types.push(ResourceType {
                    name: r.text()?,
                    required: r.number()? != 0,
                });
                Ok(())
            })?;
            let keys = arenas.action_keys.len();
            r.each(|r| {
                arenas.action_keys.push(r.text()?);
                Ok(())
            })?;
            arenas.actions.push(ActionDraft {
                name,
                access_level,
                resource_types: resource_types..arenas.resource_types.len(),
                condition_keys: keys..arenas.action_keys.len(),
            });
        }
        let keys = arenas.service_keys.len();
        r.each(|r| {
            arenas.service_keys.push(ConditionKey {
                name: r.text()?,
                key_type: r.variant(&ConditionKeyType::ALL)?,
            });
            Ok(())
        })?;
        Ok(ServiceDraft {
            prefix,
            name,
            actions: actions..arenas.actions.len(),
            condition_keys: keys..arenas.service_keys.len(),
        })
    })?;
    let service_index = r.list(|r| Ok((r.text()?, r.number()?)))?;
    let entries = r.list(|r| {
        Ok(Entry {
            name: r.text()?,
            lower: r.text()?,
            service: r.number()?,
            action: r.number()?,
        })
    })?;
    let service_ranges: Vec<Range<usize>> = r.list(|r| Ok(r.number()?..r.number()?))?;
    let by_lower = r.list(Reader::number)?;
    let keys = r.list(|r| Ok((r.text()?, r.variant(&ConditionKeyType::ALL)?)))?;
    let templated_keys = r.list(|r| {
        Ok(TemplatedKey {
            pattern: r.text()?,
            literal_len: r.number()?,
            key_type: r.variant(&ConditionKeyType::ALL)?,
        })
    })?;
    if r.at != data.len() {
        return Err(format!("{} bytes left over", data.len() - r.at));
    }
    // The lookups index these lists with each other's numbers: check them once here.
    let in_range = |i: usize, len: usize| i < len;
    let consistent = service_index
        .iter()
        .all(|(_, i)| in_range(*i, service_drafts.len()))
        && entries.iter().all(|e| {
            service_drafts
                .get(e.service)
                .is_some_and(|s| in_range(e.action, s.actions.len()))
        })
        && service_ranges.len() == service_drafts.len()
        && service_ranges
            .iter()
            .all(|r| r.start <= r.end && r.end <= entries.len())
        && by_lower.iter().all(|i| in_range(*i, entries.len()));
    if !consistent {
        return Err("an index refers past the end of a list".to_owned());
    }
    Ok(ActionCatalog {
        info,
        services: arenas.borrow(service_drafts).into(),
        service_index: service_index.into(),
        entries: entries.into(),
        service_ranges: service_ranges.into(),
        by_lower: by_lower.into(),
        keys: keys.into(),
        templated_keys: templated_keys.into(),
    })
}

/// An action read, before its lists are borrowed from the arenas.
struct ActionDraft {
    name: Cow<'static, str>,
    access_level: AccessLevel,
    resource_types: Range<usize>,
    condition_keys: Range<usize>,
}

/// A service read, before its lists are borrowed from the arenas.
struct ServiceDraft {
    prefix: Cow<'static, str>,
    name: Cow<'static, str>,
    actions: Range<usize>,
    condition_keys: Range<usize>,
}

/// Every action's and service's lists, each kind in one flat list.
#[derive(Default)]
struct Arenas {
    actions: Vec<ActionDraft>,
    resource_types: Vec<ResourceType>,
    action_keys: Vec<Cow<'static, str>>,
    service_keys: Vec<ConditionKey>,
}

impl Arenas {
    /// The services, their lists borrowed from the arenas, which are leaked: the embedded
    /// catalog is decoded once per process and kept to its end, so this is its storage,
    /// not a leak that grows. Called only once the data has proved whole and consistent.
    fn borrow(self, services: Vec<ServiceDraft>) -> Vec<Service> {
        let resource_types: &'static [ResourceType] = self.resource_types.leak();
        let action_keys: &'static [Cow<'static, str>] = self.action_keys.leak();
        let service_keys: &'static [ConditionKey] = self.service_keys.leak();
        let actions: &'static [Action] = self
            .actions
            .into_iter()
            .map(|a| Action {
                name: a.name,
                access_level: a.access_level,
                resource_types: Cow::Borrowed(&resource_types[a.resource_types]),
                condition_keys: Cow::Borrowed(&action_keys[a.condition_keys]),
            })
            .collect::<Vec<_>>()
            .leak();
        services
            .into_iter()
            .map(|s| Service {
                prefix: s.prefix,
                name: s.name,
                actions: Cow::Borrowed(&actions[s.actions]),
                condition_keys: Cow::Borrowed(&service_keys[s.condition_keys]),
            })
            .collect()
    }
}

fn position<T: PartialEq>(all: &[T], value: T) -> usize {
    all.iter().position(|v| *v == value).unwrap_or(usize::MAX)
}

#[derive(Default)]
struct Writer {
    strings: String,
    /// Each string written so far → its start in `strings`.
    seen: HashMap<String, usize>,
    data: Vec<u8>,
}

impl Writer {
    fn number(&mut self, n: usize) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        self.data.extend_from_slice(&n.to_le_bytes());
    }

    fn text(&mut self, text: &str) {
        let start = match self.seen.get(text) {
            Some(&start) => start,
            None => {
                let start = self.strings.len();
                self.strings.push_str(text);
                self.seen.insert(text.to_owned(), start);
                start
            }
        };
        self.number(start);
        self.number(text.len());
    }
}

struct Reader<'d> {
    strings: &'static str,
    data: &'d [u8],
    at: usize,
}

impl Reader<'_> {
    fn info(&mut self) -> Result<CatalogInfo, String> {
        Ok(CatalogInfo {
            package: self.text()?,
            version: self.text()?,
            data_date: self.text()?,
            sha256: self.text()?,
            license: self.text()?,
            source: self.text()?,
            services: self.number()?,
            actions: self.number()?,
        })
    }

    fn number(&mut self) -> Result<usize, String> {
        let bytes = self
            .data
            .get(self.at..self.at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .ok_or_else(|| format!("truncated at byte {}", self.at))?;
        self.at += 4;
        usize::try_from(u32::from_le_bytes(bytes)).map_err(|e| e.to_string())
    }

    fn text(&mut self) -> Result<Cow<'static, str>, String> {
        let at = self.at;
        let start = self.number()?;
        let len = self.number()?;
        let strings = self.strings;
        start
            .checked_add(len)
            .and_then(|end| strings.get(start..end))
            .map(Cow::Borrowed)
            .ok_or_else(|| format!("bad string at byte {at}"))
    }

    fn variant<T: Copy>(&mut self, all: &[T]) -> Result<T, String> {
        let at = self.at;
        let i = self.number()?;
        all.get(i)
            .copied()
            .ok_or_else(|| format!("bad enum value {i} at byte {at}"))
    }

    /// Reads a count, then calls `item` that many times.
    fn each(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        let n = self.number()?;
        for _ in 0..n {
            item(self)?;
        }
        Ok(())
    }

    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let n = self.number()?;
        // Every item takes at least 4 bytes: a bad count cannot reserve more than the data.
        let mut out = Vec::with_capacity(n.min((self.data.len() - self.at) / 4));
        for _ in 0..n {
            out.push(item(self)?);
        }
        Ok(out)
    }
}
