//! Action list compaction with catalog-checked wildcards.
//!
//! A wildcard `service:Prefix*` replaces literal actions only if every action of the
//! catalog it matches is already in the list (written out, or matched by a wildcard the
//! intent itself wrote): by the catalog, the compacted list denies exactly the same
//! actions. A wildcard must stand for at least two listed actions (one action is clearer
//! spelled out), and wildcards the intent wrote are kept as written.
//!
//! The catalog trails AWS: an action AWS adds later whose name starts with the prefix
//! would be matched too. `compact_actions = false` in `[generation]` turns this off.

use std::collections::BTreeSet;

use rampart_iam::catalog::ActionCatalog;

/// The compacted form of `patterns`: sorted, and never matching a catalog action that
/// `patterns` does not match.
pub fn compact(catalog: &ActionCatalog, patterns: &BTreeSet<String>) -> Vec<String> {
    // Every catalog action the list matches, by service (lowercase names).
    let allowed: BTreeSet<String> = patterns
        .iter()
        .flat_map(|p| catalog.expand(p))
        .map(str::to_ascii_lowercase)
        .collect();
    let mut out: BTreeSet<String> = BTreeSet::new();
    // Literal actions the catalog knows, canonical names; everything else is kept as is.
    let mut literals: Vec<String> = Vec::new();
    for pattern in patterns {
        match catalog.action(pattern) {
            Some(info) if !pattern.contains(['*', '?']) => literals.push(info.name.to_owned()),
            _ => {
                out.insert(pattern.clone());
            }
        }
    }
    literals.sort();
    literals.dedup();
    let mut covered = vec![false; literals.len()];
    for i in 0..literals.len() {
        if covered[i] {
            continue;
        }
        let name = &literals[i];
        let start = name.find(':').map_or(name.len(), |c| c + 1);
        // The shortest safe prefix matches the most actions.
        let found = (start..name.len()).find_map(|end| {
            let wildcard = format!("{}*", &name[..end]);
            let matched = catalog.expand(&wildcard);
            matched
                .iter()
                .all(|a| allowed.contains(&a.to_ascii_lowercase()))
                .then_some(wildcard)
        });
        let Some(wildcard) = found else {
            out.insert(name.clone());
            covered[i] = true;
            continue;
        };
        let members: Vec<usize> = (i..literals.len())
            .filter(|&j| {
                !covered[j] && rampart_iam::wildcard::matches_ignore_case(&wildcard, &literals[j])
            })
            .collect();
        if members.len() >= 2 {
            for j in members {
                covered[j] = true;
            }
            out.insert(wildcard);
        } else {
            out.insert(name.clone());
            covered[i] = true;
        }
    }
    out.into_iter().collect()
}

/// Every catalog action (lowercase) that `patterns` match.
pub fn expansion(catalog: &ActionCatalog, patterns: &[String]) -> BTreeSet<String> {
    patterns
        .iter()
        .flat_map(|p| catalog.expand(p))
        .map(str::to_ascii_lowercase)
        .collect()
}
