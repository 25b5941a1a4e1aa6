//! From intents to documents: statements per target, merged, compacted, minified, and
//! packed into as few SCPs as the quotas allow — or an error saying which intents do not
//! fit where, and by how much. Nothing is ever dropped silently.

use std::collections::{BTreeMap, BTreeSet};

use rampart_iam::catalog::ActionCatalog;
use rampart_iam::{parse_policy, Policy};
use serde::Serialize;
use serde_json::Value;

use super::compact::compact;
use super::guardrails::{Generation, Quotas};
use super::intent::Intent;
use super::org::{OrgTree, Target, TargetKind};
use super::statement::{document, merge, minify, size, ScpStatement};

/// A statement as placed in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacedStatement {
    /// Its `Sid` (empty when `sids = false`).
    pub sid: String,
    /// The intents it enforces.
    pub intents: Vec<String>,
    /// Its size in characters.
    pub chars: usize,
}

/// One generated SCP.
#[derive(Debug, Clone, Serialize)]
pub struct GeneratedPolicy {
    /// Its name (`rampart-workloads-prod-1`), also the file name without `.json`.
    pub name: String,
    /// The target it attaches to.
    pub target: String,
    /// The minified document.
    #[serde(skip)]
    pub text: String,
    /// The document parsed by the IAM parser.
    #[serde(skip)]
    pub policy: Policy,
    /// Characters, as AWS counts them.
    pub chars: usize,
    /// The statements, in document order.
    pub statements: Vec<PlacedStatement>,
}

/// What is generated for one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetPlan {
    /// The target.
    pub target: Target,
    /// Intents attached here.
    pub intents: Vec<String>,
    /// SCPs already attached that stay (they count against the quota).
    pub kept: Vec<String>,
    /// SCPs attached here that the generated ones replace.
    pub replaced: Vec<String>,
    /// The generated SCPs.
    pub policies: Vec<GeneratedPolicy>,
    /// Slots left under the per-target quota once the generated SCPs are attached.
    pub free_slots: usize,
}

/// The generation's result: documents per target, within quotas.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The quotas packed against.
    pub quotas: Quotas,
    /// Targets with generated SCPs: the root, then OUs by path, then accounts by name.
    pub targets: Vec<TargetPlan>,
}

impl Plan {
    /// Every generated policy, in plan order.
    pub fn policies(&self) -> impl Iterator<Item = &GeneratedPolicy> {
        self.targets.iter().flat_map(|t| t.policies.iter())
    }
}

/// Where intents do not fit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overflow {
    /// The target's id.
    pub target: String,
    /// The target's path.
    pub path: String,
    /// The intents attached there.
    pub intents: Vec<String>,
    /// What is wrong, with the numbers.
    pub message: String,
}

/// Generation failed: the intents do not fit the quotas.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the intents do not fit the SCP quotas:\n{}", .0.iter().map(|o| format!("  {} ({}): {}", o.path, o.target, o.message)).collect::<Vec<_>>().join("\n"))]
pub struct DoesNotFit(pub Vec<Overflow>);

/// The characters of a document with no statement: `{"Version":"2012-10-17","Statement":[]}`.
fn overhead() -> usize {
    size(&minify(&document(Vec::new())))
}

/// A statement ready to pack: rendered, sized, with its place in declaration order.
#[derive(Debug, Clone)]
struct Rendered {
    order: usize,
    statement: ScpStatement,
    patterns: Vec<String>,
    chars: usize,
}

/// Generates the SCPs of `intents` for the organization within `quotas`.
pub fn generate(
    intents: &[Intent],
    org: &OrgTree,
    quotas: &Quotas,
    generation: &Generation,
    catalog: &ActionCatalog,
) -> Result<Plan, DoesNotFit> {
    let mut by_target: BTreeMap<String, Vec<&Intent>> = BTreeMap::new();
    for intent in intents {
        for t in &intent.targets {
            by_target.entry(t.id.clone()).or_default().push(intent);
        }
    }
    let mut ordered: Vec<&Target> = by_target
        .keys()
        .filter_map(|id| org.targets.get(id))
        .collect();
    ordered.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(a.path.cmp(&b.path))
            .then(a.id.cmp(&b.id))
    });
    let names = policy_names(&ordered, &generation.name_prefix);
    let mut plans = Vec::new();
    let mut overflows = Vec::new();
    for target in ordered {
        let attached: Vec<&str> = by_target
            .get(&target.id)
            .map(|v| v.iter().map(|i| i.id.as_str()).collect())
            .unwrap_or_default();
        let here = &by_target[&target.id];
        match plan_target(
            target,
            here,
            org,
            quotas,
            generation,
            catalog,
            &names[&target.id],
        ) {
            Ok(plan) => plans.push(plan),
            Err(message) => overflows.push(Overflow {
                target: target.id.clone(),
                path: target.path.clone(),
                intents: attached.iter().map(|s| (*s).to_owned()).collect(),
                message,
            }),
        }
    }
    if overflows.is_empty() {
        Ok(Plan {
            quotas: quotas.clone(),
            targets: plans,
        })
    } else {
        Err(DoesNotFit(overflows))
    }
}

/// A stable, unique name stem per target: `PREFIX-root`, `PREFIX-workloads-prod`,
/// `PREFIX-acct-app-prod`; the id is appended when two stems collide.
fn policy_names(targets: &[&Target], prefix: &str) -> BTreeMap<String, String> {
    let slug = |s: &str| {
        let mut out = String::new();
        for c in s.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
        out.trim_matches('-').to_owned()
    };
    let stem = |t: &Target| match t.kind {
        TargetKind::Root => format!("{prefix}-root"),
        TargetKind::Ou => format!("{prefix}-{}", slug(&t.path)),
        TargetKind::Account => format!("{prefix}-acct-{}", slug(&t.path)),
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for t in targets {
        *counts.entry(stem(t)).or_default() += 1;
    }
    targets
        .iter()
        .map(|t| {
            let s = stem(t);
            let name = if counts[&s] > 1 {
                format!("{s}-{}", slug(&t.id))
            } else {
                s
            };
            (t.id.clone(), name)
        })
        .collect()
}

fn plan_target(
    target: &Target,
    intents: &[&Intent],
    org: &OrgTree,
    quotas: &Quotas,
    generation: &Generation,
    catalog: &ActionCatalog,
    stem: &str,
) -> Result<TargetPlan, String> {
    let replaces = |name: &str, id: &str| generation.replaces.iter().any(|r| r == name || r == id);
    let mut kept = Vec::new();
    let mut replaced = Vec::new();
    for p in org.attached_to(&target.id) {
        if replaces(&p.name, &p.id) {
            replaced.push(p.name.clone());
        } else {
            kept.push(p.name.clone());
        }
    }
    // Something must allow at every level: FullAWSAccess (or its replacement) stays.
    let occupied = kept.len().max(1);
    let free = quotas.max_policies_per_target.saturating_sub(occupied);
    let budget = quotas.max_policy_chars.saturating_sub(overhead());

    let statements: Vec<ScpStatement> = intents.iter().flat_map(|i| i.statements()).collect();
    let merged = merge(statements);
    let mut rendered: Vec<Rendered> = Vec::new();
    for (order, statement) in merged.into_iter().enumerate() {
        let patterns: Vec<String> = if generation.compact_actions {
            compact(catalog, statement.actions.patterns())
        } else {
            statement.actions.patterns().iter().cloned().collect()
        };
        split_to_fit(
            order,
            statement,
            patterns,
            budget,
            generation.sids,
            &mut rendered,
        )?;
    }
    let bins = first_fit_decreasing(&rendered, budget);
    let intent_ids: Vec<String> = intents.iter().map(|i| i.id.clone()).collect();
    if bins.len() > free {
        let needed: usize = rendered.iter().map(|r| r.chars).sum::<usize>()
            + rendered.len().saturating_sub(1)
            + overhead() * bins.len();
        return Err(format!(
            "intents {} need {} SCPs ({} characters) but {} of {} slots are free ({} taken: {}): {} SCP(s) too many, {} characters over the {} that fit",
            intent_ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "),
            bins.len(),
            needed,
            free,
            quotas.max_policies_per_target,
            occupied,
            if kept.is_empty() { "FullAWSAccess".to_owned() } else { kept.join(", ") },
            bins.len() - free,
            needed.saturating_sub(free * quotas.max_policy_chars),
            free * quotas.max_policy_chars,
        ));
    }
    let mut policies = Vec::new();
    for (n, bin) in bins.iter().enumerate() {
        let mut members: Vec<&Rendered> = bin.iter().map(|&i| &rendered[i]).collect();
        members.sort_by_key(|r| r.order);
        let mut sids: BTreeSet<String> = BTreeSet::new();
        let mut placed = Vec::new();
        let mut json: Vec<Value> = Vec::new();
        for r in members {
            let mut value = r.statement.to_json(&r.patterns, generation.sids);
            let mut sid = String::new();
            if generation.sids {
                sid = unique_sid(&r.statement.sid(), &mut sids);
                if let Value::Object(o) = &mut value {
                    o.insert("Sid".into(), Value::String(sid.clone()));
                }
            }
            placed.push(PlacedStatement {
                sid,
                intents: r.statement.intents.clone(),
                chars: size(&minify(&value)),
            });
            json.push(value);
        }
        let text = minify(&document(json));
        let policy =
            parse_policy(&text).map_err(|e| format!("generated document does not parse: {e}"))?;
        let chars = size(&text);
        if chars > quotas.max_policy_chars {
            return Err(format!(
                "a generated document has {chars} characters, over the {} allowed",
                quotas.max_policy_chars
            ));
        }
        policies.push(GeneratedPolicy {
            name: format!("{stem}-{}", n + 1),
            target: target.id.clone(),
            text,
            policy,
            chars,
            statements: placed,
        });
    }
    Ok(TargetPlan {
        target: target.clone(),
        intents: intent_ids,
        kept,
        replaced,
        free_slots: free - policies.len(),
        policies,
    })
}

/// `sid`, or `sid2`, `sid3`… when already used in the document.
fn unique_sid(sid: &str, used: &mut BTreeSet<String>) -> String {
    let mut candidate = sid.to_owned();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{sid}{n}");
        n += 1;
    }
    candidate
}

/// Renders a statement; one too large for a document is split in two by its action list
/// (denies add up, so the two deny the same), until each part fits — or the error says
/// which intent's statement cannot fit and by how much.
fn split_to_fit(
    order: usize,
    statement: ScpStatement,
    patterns: Vec<String>,
    budget: usize,
    sids: bool,
    out: &mut Vec<Rendered>,
) -> Result<(), String> {
    // Room for a `Sid` suffix when the statement is split.
    let chars = size(&minify(&statement.to_json(&patterns, sids))) + if sids { 2 } else { 0 };
    if chars <= budget {
        out.push(Rendered {
            order,
            statement,
            patterns,
            chars,
        });
        return Ok(());
    }
    let splittable = matches!(statement.actions, super::statement::ActionSet::Actions(_));
    if !splittable || patterns.len() < 2 {
        return Err(format!(
            "the statement of {} has {chars} characters, {} over the {budget} a document leaves for statements",
            statement.intents.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "),
            chars - budget
        ));
    }
    let (a, b) = patterns.split_at(patterns.len() / 2);
    split_to_fit(order, statement.clone(), a.to_vec(), budget, sids, out)?;
    split_to_fit(order, statement, b.to_vec(), budget, sids, out)
}

/// Bins of statement indexes: largest first, each into the first document it fits.
fn first_fit_decreasing(rendered: &[Rendered], budget: usize) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..rendered.len()).collect();
    idx.sort_by(|&a, &b| {
        rendered[b]
            .chars
            .cmp(&rendered[a].chars)
            .then(rendered[a].order.cmp(&rendered[b].order))
    });
    let mut bins: Vec<(usize, Vec<usize>)> = Vec::new();
    for i in idx {
        let need = rendered[i].chars;
        match bins
            .iter_mut()
            .find(|(used, members)| used + need + usize::from(!members.is_empty()) <= budget)
        {
            Some((used, members)) => {
                *used += need + usize::from(!members.is_empty());
                members.push(i);
            }
            None => bins.push((need, vec![i])),
        }
    }
    let mut bins: Vec<Vec<usize>> = bins.into_iter().map(|(_, m)| m).collect();
    bins.sort_by_key(|m| m.iter().map(|&i| (rendered[i].order, i)).min());
    bins
}
