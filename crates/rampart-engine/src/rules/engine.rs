//! The engine: selects rules by ruleset, runs native and Cedar rules in parallel, then
//! applies coverage gaps (→ `unknown`) and waivers (→ `waived`) and sorts the findings.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use globset::{Glob, GlobMatcher};
use rayon::prelude::*;

use super::catalog::{Catalog, CatalogRule};
use super::cedar::{CedarBackend, CedarBackendKind, CompiledBackend, ReferenceBackend};
use super::{Outcome, RuleContext, RuleMeta};
use crate::capabilities::{capability, CAPABILITIES, FOUNDATION_GUIDE};
use crate::facts::Facts;
use crate::findings::{
    fingerprint, AppliedWaiver, Evaluation, Evidence, Finding, Notice, ResourceKey, RuleInfo,
    RulesetIdentity, Subject,
};
use crate::model::{Account, CoverageGap, Operation, Read, ResourceType, Snapshot, GLOBAL_REGION};
use crate::ruleset::{Ruleset, Waiver};
use crate::vocab::{unknown_name, Severity, Status};

/// Why an engine could not be built from a ruleset.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The ruleset names a rule the catalog does not have, or a capability the coverage
    /// matrix does not know.
    #[error("{at}: {section}: {message}")]
    UnknownRule {
        /// Where: `FILE:LINE:COL` of the name in the ruleset file, or the ruleset's name.
        at: String,
        /// Where in the ruleset (`severity`, `waivers`, `frameworks.NAME`).
        section: String,
        /// The message, with a did-you-mean.
        message: String,
    },
    /// A glob in the ruleset is malformed.
    #[error("{at}: invalid glob `{glob}`: {message}")]
    BadGlob {
        /// Where: `FILE:LINE:COL` of the glob in the ruleset file, or the ruleset's name.
        at: String,
        /// The glob.
        glob: String,
        /// What is wrong.
        message: String,
    },
}

/// Where an evaluation's time went ([`Engine::evaluate_profiled`]).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Deriving the facts (wall time).
    pub facts: Duration,
    /// Every native rule over every account, each outcome turned into its finding as it
    /// comes (wall time).
    pub native: Duration,
    /// The Cedar backend (wall time).
    pub cedar: Duration,
    /// The Cedar and scope-gap outcomes turned into findings, then every finding sorted
    /// and de-duplicated (wall time).
    pub findings: Duration,
    /// Redacting the findings, notices and gaps (wall time).
    pub redact: Duration,
    /// The process's resident memory after each phase (facts, native, cedar, findings,
    /// redact), in bytes, where the platform says (`/proc/self/status` on Linux).
    pub resident: [Option<u64>; 5],
    /// Each native rule's CPU time over every account, by rule id.
    pub rules: Vec<(String, Duration)>,
}

impl Profile {
    /// Adds `other`'s times to this profile's (a run evaluating several snapshots, as
    /// `check` does with one per context): phases and rules summed, the last resident
    /// figures kept.
    pub fn absorb(&mut self, other: Profile) {
        self.facts += other.facts;
        self.native += other.native;
        self.cedar += other.cedar;
        self.findings += other.findings;
        self.redact += other.redact;
        self.resident = other.resident;
        for (id, took) in other.rules {
            match self.rules.iter_mut().find(|(i, _)| *i == id) {
                Some((_, t)) => *t += took,
                None => self.rules.push((id, took)),
            }
        }
    }

    /// The profile as lines of text, the costliest rules first.
    pub fn lines(&self) -> Vec<String> {
        let phases = [
            ("facts", self.facts),
            ("native", self.native),
            ("cedar", self.cedar),
            ("findings", self.findings),
            ("redact", self.redact),
        ];
        let mut out: Vec<String> = phases
            .iter()
            .zip(self.resident)
            .map(|((name, took), resident)| phase_line(name, *took, resident))
            .collect();
        out.extend(rule_lines(&self.rules));
        out
    }
}

/// Each rule's line of a profile, the costliest first.
pub fn rule_lines(rules: &[(String, Duration)]) -> Vec<String> {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut rules: Vec<&(String, Duration)> = rules.iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rules
        .into_iter()
        .map(|(id, d)| format!("rule {:>10.1} ms (cpu) {id}", ms(*d)))
        .collect()
}

/// One phase's line of a profile: its wall time, and the resident memory after it when
/// known (`facts        245.4 ms (wall)   2.61 GiB resident`).
pub fn phase_line(name: &str, took: Duration, resident: Option<u64>) -> String {
    let mut line = format!("{name:<10}{:>10.1} ms (wall)", took.as_secs_f64() * 1000.0);
    if let Some(bytes) = resident {
        #[expect(clippy::cast_precision_loss, reason = "a figure to read")]
        let gib = bytes as f64 / f64::from(1u32 << 30);
        line.push_str(&format!("{gib:>8.2} GiB resident"));
    }
    line
}

/// The process's resident memory in bytes (`VmRSS` of `/proc/self/status`), where the
/// platform says.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kib * 1024)
}

/// A rule selected by the ruleset, with its effective severity.
pub struct ActiveRule<'c> {
    /// The catalog entry.
    pub rule: &'c CatalogRule,
    /// Severity after ruleset overrides.
    pub severity: Severity,
    /// Shared copies of the strings every finding repeats.
    id: Arc<str>,
    title: Arc<str>,
}

impl ActiveRule<'_> {
    /// The rule's metadata.
    pub fn meta(&self) -> &RuleMeta {
        self.rule.meta()
    }
}

/// A catalog narrowed and configured by a ruleset, ready to evaluate snapshots.
pub struct Engine<'c> {
    catalog: &'c Catalog,
    ruleset: &'c Ruleset,
    active: Vec<ActiveRule<'c>>,
    waivers: Vec<(Waiver, GlobMatcher)>,
    cedar_backend: CedarBackendKind,
}

impl<'c> Engine<'c> {
    /// Checks the ruleset against the catalog and selects its rules.
    pub fn new(catalog: &'c Catalog, ruleset: &'c Ruleset) -> Result<Engine<'c>, EngineError> {
        let glob = |pattern: &str| {
            Glob::new(pattern)
                .map(|g| g.compile_matcher())
                .map_err(|e| EngineError::BadGlob {
                    at: ruleset.locate(pattern),
                    glob: pattern.to_owned(),
                    message: e.kind().to_string(),
                })
        };
        let include = ruleset
            .rules
            .include
            .iter()
            .map(|p| glob(p))
            .collect::<Result<Vec<_>, _>>()?;
        let exclude = ruleset
            .rules
            .exclude
            .iter()
            .map(|p| glob(p))
            .collect::<Result<Vec<_>, _>>()?;

        let known: Vec<&str> = catalog.ids().collect();
        let check = |section: &str, id: &str| {
            if catalog.get(id).is_some() {
                Ok(())
            } else {
                Err(EngineError::UnknownRule {
                    at: ruleset.locate(id),
                    section: section.to_owned(),
                    message: unknown_name("rule", id, &known),
                })
            }
        };
        for id in ruleset.severity.keys() {
            check("severity", id)?;
        }
        for w in &ruleset.waivers {
            check("waivers", &w.rule)?;
        }
        let capabilities: Vec<&str> = CAPABILITIES.iter().map(|c| c.id).collect();
        for (framework, mapping) in &ruleset.frameworks {
            for (id, controls) in mapping {
                check(&format!("frameworks.{framework}"), id)?;
                // The foundation guide's controls are the capabilities of the coverage
                // matrix: a typo there would count as coverage of nothing.
                if framework == FOUNDATION_GUIDE {
                    if let Some(bad) = controls.iter().find(|c| capability(c).is_none()) {
                        return Err(EngineError::UnknownRule {
                            at: ruleset.locate(bad),
                            section: format!("frameworks.{framework}.{id}"),
                            message: unknown_name("capability", bad, &capabilities),
                        });
                    }
                }
            }
        }

        let active = catalog
            .rules()
            .iter()
            .filter(|r| {
                let id = r.meta().id.as_str();
                include.iter().any(|g| g.is_match(id)) && !exclude.iter().any(|g| g.is_match(id))
            })
            .map(|rule| {
                let meta = rule.meta();
                ActiveRule {
                    rule,
                    severity: ruleset
                        .severity
                        .get(&meta.id)
                        .copied()
                        .unwrap_or(meta.severity),
                    id: Arc::from(meta.id.as_str()),
                    title: Arc::from(meta.title.as_str()),
                }
            })
            .collect();
        // Waiver globs match whole ARNs; `*` may cross `/` and `:` as users expect.
        let waivers = ruleset
            .waivers
            .iter()
            .map(|w| {
                let matcher = globset::GlobBuilder::new(&w.resource)
                    .literal_separator(false)
                    .build()
                    .map(|g| g.compile_matcher())
                    .map_err(|e| EngineError::BadGlob {
                        at: ruleset.locate(&w.resource),
                        glob: w.resource.clone(),
                        message: e.kind().to_string(),
                    })?;
                Ok((w.clone(), matcher))
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        Ok(Engine {
            catalog,
            ruleset,
            active,
            waivers,
            cedar_backend: CedarBackendKind::default(),
        })
    }

    /// Evaluates Cedar rules with `backend` (the compiled one unless told otherwise).
    #[must_use]
    pub fn with_cedar_backend(mut self, backend: CedarBackendKind) -> Self {
        self.cedar_backend = backend;
        self
    }

    /// The rules this engine runs, sorted by id.
    pub fn active_rules(&self) -> &[ActiveRule<'c>] {
        &self.active
    }

    /// The ruleset it was built from.
    pub fn ruleset(&self) -> &Ruleset {
        self.ruleset
    }

    /// Evaluates a snapshot. `now` comes from the caller's clock.
    pub fn evaluate(&self, snapshot: &Snapshot, now: DateTime<Utc>) -> Evaluation {
        self.evaluate_profiled(snapshot, now).0
    }

    /// Evaluates a snapshot, and says where the time went: each phase's wall time and each
    /// native rule's CPU time (summed over accounts and threads).
    pub fn evaluate_profiled(
        &self,
        snapshot: &Snapshot,
        now: DateTime<Utc>,
    ) -> (Evaluation, Profile) {
        let started = Instant::now();
        let facts = Facts::derive(snapshot, &self.ruleset.parameters);
        let facts_time = started.elapsed();
        let mut resident = [None; 5];
        resident[0] = resident_bytes();
        let cx = RuleContext {
            snapshot,
            facts: &facts,
            now,
        };
        let maker = FindingMaker::new(self, &snapshot.coverage, now);

        let started = Instant::now();
        let nanos = self.rule_clocks();
        let mut findings = self.native_findings(&cx, &snapshot.accounts, &nanos, &maker);
        let native_time = started.elapsed();
        resident[1] = resident_bytes();

        let started = Instant::now();
        let cedar =
            self.cedar_backend()
                .evaluate_accounts(&cx, &self.cedar_rule_ids(), &snapshot.accounts);
        let cedar_time = started.elapsed();
        resident[2] = resident_bytes();
        let started = Instant::now();

        findings.par_extend(cedar.into_par_iter().map(|o| maker.make(o)));
        let mut census = ResourceCensus::new(&snapshot.coverage);
        for account in &snapshot.accounts {
            census.add(account);
        }
        findings.par_extend(
            self.gap_outcomes(&snapshot.coverage, &census)
                .into_par_iter()
                .map(|o| maker.make(o)),
        );
        let mut notices = maker.into_warnings();
        findings.par_sort_unstable_by(finding_order);
        for duplicate in keep_one_per_fingerprint(&mut findings) {
            notices.insert(Notice::warning(duplicate));
        }
        let mut coverage = snapshot.coverage.clone();
        coverage.sort();
        resident[3] = resident_bytes();
        let mut profile = Profile {
            facts: facts_time,
            native: native_time,
            cedar: cedar_time,
            findings: started.elapsed(),
            redact: Duration::ZERO,
            resident,
            rules: self.rule_times(&nanos),
        };
        let mut evaluation = self.evaluation_of(snapshot, findings, notices, coverage);
        // No credential quoted from the data leaves the engine.
        let started = Instant::now();
        evaluation.redact_all_but_findings();
        profile.redact = started.elapsed();
        profile.resident[4] = resident_bytes();
        (evaluation, profile)
    }

    /// An evaluation of `snapshot` by this engine's rules, of these findings.
    pub(super) fn evaluation_of(
        &self,
        snapshot: &Snapshot,
        findings: Vec<Finding>,
        notices: BTreeSet<Notice>,
        coverage: Vec<CoverageGap>,
    ) -> Evaluation {
        Evaluation {
            ruleset: RulesetIdentity {
                name: self.ruleset.name.clone(),
                sha256: self.ruleset.sha256.clone(),
            },
            subject: Subject {
                taken_at: Some(snapshot.taken_at),
                source: snapshot.source.clone(),
            },
            rules: self.rule_infos(),
            findings,
            notices: notices.into_iter().collect(),
            coverage,
        }
    }

    /// One CPU-time counter per active rule.
    pub(super) fn rule_clocks(&self) -> Vec<AtomicU64> {
        self.active.iter().map(|_| AtomicU64::new(0)).collect()
    }

    /// Each native rule's CPU time, from its counter.
    pub(super) fn rule_times(&self, nanos: &[AtomicU64]) -> Vec<(String, Duration)> {
        self.active
            .iter()
            .zip(nanos)
            .filter(|(r, _)| matches!(r.rule, CatalogRule::Native(..)))
            .map(|(r, n)| {
                (
                    r.meta().id.clone(),
                    Duration::from_nanos(n.load(Ordering::Relaxed)),
                )
            })
            .collect()
    }

    /// Every native rule over `accounts` (accounts of `cx`'s snapshot), in parallel, each
    /// outcome made its finding as its rule returns it, so that a run never holds
    /// outcomes and findings together. Each rule's CPU time is added to its counter.
    pub(super) fn native_findings(
        &self,
        cx: &RuleContext<'_>,
        accounts: &[Account],
        nanos: &[AtomicU64],
        maker: &FindingMaker<'_>,
    ) -> Vec<Finding> {
        self.active
            .par_iter()
            .enumerate()
            .filter_map(|(i, r)| match r.rule {
                CatalogRule::Native(_, rule) => Some((i, *rule)),
                CatalogRule::Cedar(_) => None,
            })
            .flat_map_iter(|(i, rule)| {
                accounts.iter().flat_map(move |account| {
                    let mut out = Vec::new();
                    let t = Instant::now();
                    rule.evaluate(cx, account, &mut out);
                    let spent = u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
                    nanos[i].fetch_add(spent, Ordering::Relaxed);
                    out.into_iter().map(move |o| maker.make((i, o)))
                })
            })
            .collect()
    }

    /// The active Cedar rules, as (active-rule index, rule id).
    pub(super) fn cedar_rule_ids(&self) -> Vec<(usize, &str)> {
        self.active
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r.rule, CatalogRule::Cedar(_)))
            .map(|(i, r)| (i, r.meta().id.as_str()))
            .collect()
    }

    /// The Cedar backend this engine evaluates with.
    pub(super) fn cedar_backend(&self) -> Box<dyn CedarBackend + '_> {
        let policies = self.catalog.policies();
        match self.cedar_backend {
            CedarBackendKind::Compiled => Box::new(CompiledBackend::new(policies)),
            CedarBackendKind::Reference => Box::new(ReferenceBackend::new(policies)),
        }
    }

    /// The active rules as reports show them, sorted by id.
    pub fn rule_infos(&self) -> Vec<RuleInfo> {
        self.active
            .iter()
            .map(|r| {
                let meta = r.meta();
                RuleInfo {
                    id: meta.id.clone(),
                    title: meta.title.clone(),
                    area: meta.area,
                    severity: r.severity,
                    kind: meta.kind,
                    remediation: meta.remediation.clone(),
                    doc: meta.doc.clone(),
                    location: meta.location.clone(),
                    controls: self
                        .controls(&meta.id)
                        .into_iter()
                        .map(|(fw, c)| (fw.to_owned(), c.to_vec()))
                        .collect(),
                    tags: Vec::new(),
                    reads: meta.reads.iter().map(ToString::to_string).collect(),
                }
            })
            .collect()
    }

    /// For each gap that may hide whole resources, one `unknown` outcome per active rule
    /// assessing resources that service reads, for the gap's scope: the resources that were
    /// not read cannot be listed, but their absence must not look like a pass, nor their
    /// violations like nothing at all. A gap hides resources when nothing of the service
    /// was read in the scope, or when an operation that lists a type of the rule's
    /// resources failed there ([`ResourceType::listed_by`]: a failed `DescribeSecurityGroups`
    /// leaves the region without groups) and the scope holds none of that type. One
    /// outcome per rule and scope, however many gaps hide it. A gap on one resource that
    /// could not be described ([`ResourceType::described_by`]: a failed `DescribeKey` drops
    /// the key) is one `unknown` outcome for that ARN, when the snapshot has no such
    /// resource.
    pub(super) fn gap_outcomes(
        &self,
        coverage: &[CoverageGap],
        census: &ResourceCensus,
    ) -> Vec<(usize, Outcome)> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for gap in coverage {
            let (Some(arn), Some(op)) = (&gap.resource, gap.operation) else {
                continue;
            };
            for (i, rule) in self.active.iter().enumerate() {
                let Some(ty) = rule
                    .meta()
                    .resource_types
                    .iter()
                    .copied()
                    .find(|t| t.described_by().contains(&op))
                else {
                    continue;
                };
                if census.present.contains(arn.as_str()) || !seen.insert((i, arn.clone())) {
                    continue;
                }
                out.push((i, gap_unknown(gap, arn.clone(), ty)));
            }
        }
        for gap in coverage.iter().filter(|g| g.resource.is_none()) {
            for (i, rule) in self.active.iter().enumerate() {
                let Some(ty) = rule
                    .meta()
                    .resource_types
                    .iter()
                    .copied()
                    .find(|t| t.read_by(gap.service))
                else {
                    continue;
                };
                let hidden = gap.hides_resources()
                    || gap.operation.is_some_and(|op| {
                        rule.meta().resource_types.iter().any(|t| {
                            t.read_by(gap.service)
                                && t.listed_by().contains(&op)
                                && !census.any(gap, *t)
                        })
                    });
                if !hidden {
                    continue;
                }
                let arn = format!(
                    "arn:aws:{}:{}:{}:*",
                    gap.service.prefix(),
                    gap.region,
                    gap.account_id
                );
                if !seen.insert((i, arn.clone())) {
                    continue;
                }
                out.push((i, gap_unknown(gap, arn, ty)));
            }
        }
        out
    }

    /// Turns an outcome into a finding: coverage first (data not read → unknown), then
    /// waivers (fail → waived while the waiver has not expired).
    fn finding(
        &self,
        index: usize,
        mut outcome: Outcome,
        gaps: &GapIndex<'_>,
        now: DateTime<Utc>,
    ) -> (Finding, Option<String>) {
        let rule = &self.active[index];
        let meta = rule.meta();
        // A gap explains an unknown better than the error it caused, so it also replaces
        // the message of outcomes that are already unknown.
        let r = &outcome.resource;
        // A gap hiding another of the rule's resource types (RDS instances, for a rule over
        // buckets and instances), or another service's entries of the same type (Security
        // Hub's, for GuardDuty's status), says nothing about this resource: the
        // scope-level unknown of `gap_outcomes` reports it.
        let own_service = r.resource_type.service_of(&r.arn);
        let other_type = |g: &CoverageGap| {
            g.hides_resources()
                && g.service != own_service
                && meta.resource_types.iter().any(|t| t.read_by(g.service))
        };
        // Data read elsewhere in the organization (another region, the account's tags, the
        // account list) may have changed a pass, but a rule that failed a resource did so
        // knowing what it read: only a pass becomes unknown through it.
        let exact = |g: &CoverageGap| {
            meta.reads
                .iter()
                .any(|read| g.covers(&r.account_id, &r.region, *read, Some(&r.arn)))
        };
        let shared = |g: &CoverageGap| {
            outcome.status == Status::Pass && meta.reads.iter().any(|read| hides(g, *read, r))
        };
        if let Some(gap) = gaps
            .of(&r.account_id, &r.arn)
            .find(|g| !other_type(g) && (exact(g) || shared(g)))
        {
            outcome.status = Status::Unknown;
            outcome.message = gap_message(gap);
            outcome.evidence.insert(0, gap_evidence(gap));
        }
        Evidence::bound(&mut outcome.evidence);
        let mut warning = None;
        let mut waiver = None;
        if outcome.status == Status::Fail {
            let today = now.date_naive();
            for (w, matcher) in &self.waivers {
                if w.rule != meta.id || !matcher.is_match(&outcome.resource.arn) {
                    continue;
                }
                if w.expires < today {
                    warning = Some(format!(
                        "waiver for `{}` on `{}` expired on {} (approved by {}): the finding is reported as fail",
                        w.rule, w.resource, w.expires, w.approver
                    ));
                    continue;
                }
                outcome.status = Status::Waived;
                waiver = Some(Box::new(AppliedWaiver {
                    reason: w.reason.clone(),
                    approver: w.approver.clone(),
                    expires: Some(w.expires),
                    resource: w.resource.clone(),
                    in_source: false,
                }));
                break;
            }
        }
        let fp = fingerprint(&meta.id, &outcome.resource);
        let r = outcome.resource;
        let finding = Finding {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            status: outcome.status,
            severity: rule.severity,
            area: meta.area,
            resource: r.arn,
            resource_type: r.resource_type.name(),
            account_id: r.account_id,
            region: r.region,
            // Messages and evidence quote the data (tags, names, documents, error
            // reasons): `Evaluation::redact` redacts them at the end.
            message: outcome.message,
            location: r.location,
            fingerprint: fp,
            waiver,
            baseline_state: None,
            evidence: outcome.evidence,
        };
        (finding, warning)
    }

    /// Framework → control ids for a rule, from the ruleset.
    pub fn controls(&self, rule_id: &str) -> BTreeMap<&str, &[String]> {
        self.ruleset
            .frameworks
            .iter()
            .filter_map(|(fw, m)| m.get(rule_id).map(|c| (fw.as_str(), c.as_slice())))
            .collect()
    }
}

/// Turns outcomes into findings as rules return them (coverage gaps applied, then
/// waivers, then redaction), and gathers the warnings that gives.
pub(super) struct FindingMaker<'a> {
    engine: &'a Engine<'a>,
    gaps: GapIndex<'a>,
    warnings: Mutex<BTreeSet<Notice>>,
    now: DateTime<Utc>,
}

impl<'a> FindingMaker<'a> {
    pub(super) fn new(
        engine: &'a Engine<'a>,
        coverage: &'a [CoverageGap],
        now: DateTime<Utc>,
    ) -> Self {
        FindingMaker {
            engine,
            gaps: GapIndex::new(coverage),
            warnings: Mutex::default(),
            now,
        }
    }

    /// The finding of active rule `i`'s outcome.
    pub(super) fn make(&self, (i, outcome): (usize, Outcome)) -> Finding {
        let (mut finding, warning) = self.engine.finding(i, outcome, &self.gaps, self.now);
        // Redacted as it is made, while its text is in cache (the rest of the evaluation
        // is redacted at the end).
        finding.redact();
        if let Some(w) = warning {
            crate::facts::lock(&self.warnings).insert(Notice::warning(w));
        }
        finding
    }

    /// The warnings making the findings gave.
    pub(super) fn into_warnings(self) -> BTreeSet<Notice> {
        match self.warnings.into_inner() {
            Ok(n) => n,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// The order of an evaluation's findings: by rule id, then resource, region and account.
pub fn finding_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    // A rule's findings share its id: most comparisons settle on the pointer.
    let rule = if Arc::ptr_eq(&a.rule_id, &b.rule_id) {
        std::cmp::Ordering::Equal
    } else {
        a.rule_id.cmp(&b.rule_id)
    };
    rule.then_with(|| {
        (&a.resource, &a.region, &a.account_id).cmp(&(&b.resource, &b.region, &b.account_id))
    })
}

/// The snapshot's coverage gaps by account, so that judging a finding reads its account's
/// gaps (and those of every account, `*`) rather than the whole organization's.
struct GapIndex<'s> {
    /// Indexes into `gaps` of the gaps that may cover any resource of their scope, by
    /// account id (`*` included), in the snapshot's order.
    by_account: HashMap<&'s str, Vec<usize>>,
    /// Indexes of the gaps of one resource, by its ARN, which cover nothing else: `check`
    /// records one per value it could not resolve, thousands in one account.
    by_resource: HashMap<&'s str, Vec<usize>>,
    gaps: &'s [CoverageGap],
}

impl<'s> GapIndex<'s> {
    fn new(gaps: &'s [CoverageGap]) -> Self {
        let mut by_account: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_resource: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, g) in gaps.iter().enumerate() {
            // A resource's gap covers only that resource, unless it may hide whole
            // accounts or the account's tags (see `hides`).
            let whole_scope = hides_accounts(g)
                || g.operation == Some(Operation::OrganizationsListTagsForResource);
            match &g.resource {
                Some(arn) if !whole_scope => by_resource.entry(arn.as_str()).or_default().push(i),
                _ => by_account.entry(g.account_id.as_str()).or_default().push(i),
            }
        }
        GapIndex {
            by_account,
            by_resource,
            gaps,
        }
    }

    /// The gaps that may cover the resource `arn` of `account` (a superset: each still has
    /// to match), in the snapshot's order.
    fn of<'a>(&'a self, account: &str, arn: &str) -> impl Iterator<Item = &'s CoverageGap> + 'a {
        fn list(v: Option<&Vec<usize>>) -> &[usize] {
            v.map_or(&[][..], Vec::as_slice)
        }
        let lists = [
            list(self.by_account.get(account)),
            if account == "*" {
                &[][..]
            } else {
                list(self.by_account.get("*"))
            },
            list(self.by_resource.get(arn)),
        ];
        // Each list is sorted: merge them to keep the snapshot's order.
        let mut heads = lists.map(|l| l.iter().peekable());
        std::iter::from_fn(move || {
            let next = heads
                .iter_mut()
                .filter_map(|h| h.peek().map(|&&i| i))
                .min()?;
            for h in &mut heads {
                if h.peek() == Some(&&next) {
                    h.next();
                }
            }
            Some(&self.gaps[next])
        })
    }
}

/// Keeps one finding per fingerprint (findings sorted, so equal ones are adjacent): a rule
/// that reports two outcomes for one resource is a bug, and never hidden. The most severe
/// status wins (fail > unknown > waived > pass) and each collapse is returned as a
/// warning that names the rule and the resource.
fn keep_one_per_fingerprint(findings: &mut Vec<Finding>) -> Vec<String> {
    let mut warnings = Vec::new();
    // In place: `dedup_by` hands each finding with the one kept before it, and drops it
    // when they share a fingerprint (after swapping, if it is the worse of the two).
    findings.dedup_by(|f, last| {
        if last.fingerprint != f.fingerprint {
            return false;
        }
        warnings.push(duplicate_warning(
            &f.rule_id,
            &f.resource,
            last.status,
            f.status,
        ));
        if status_rank(f.status) > status_rank(last.status) {
            std::mem::swap(f, last);
        }
        true
    });
    warnings
}

/// Which of two findings sharing a fingerprint is kept: the higher rank.
pub fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 3,
        Status::Unknown => 2,
        Status::Waived => 1,
        Status::Pass => 0,
    }
}

/// The warning for a rule's second outcome on one resource.
pub fn duplicate_warning(rule_id: &str, resource: &str, kept: Status, other: Status) -> String {
    format!(
        "rule `{rule_id}` reported more than one outcome for `{resource}` ({kept} and {other}): \
         kept the worse; this is a bug in the rule"
    )
}

/// What the scope gaps need to know of the snapshot's resources, gathered an account at a
/// time: the resource types each account and region holds (to tell whether a gap's scope
/// holds any resource of a type), and which of the resources a gap names were read after
/// all.
pub(super) struct ResourceCensus {
    by_scope: HashSet<(String, String, ResourceType)>,
    by_account: HashSet<(String, ResourceType)>,
    anywhere: HashSet<ResourceType>,
    /// The ARNs a resource's gap names.
    named: HashSet<String>,
    /// Those of `named` the snapshot holds.
    present: HashSet<String>,
}

impl ResourceCensus {
    /// An empty census for the gaps of `coverage`.
    pub(super) fn new(coverage: &[CoverageGap]) -> Self {
        ResourceCensus {
            by_scope: HashSet::new(),
            by_account: HashSet::new(),
            anywhere: HashSet::new(),
            named: coverage
                .iter()
                .filter(|g| g.operation.is_some())
                .filter_map(|g| g.resource.clone())
                .collect(),
            present: HashSet::new(),
        }
    }

    /// Counts in one more account's resources.
    pub(super) fn add(&mut self, account: &Account) {
        let mut scopes: HashSet<(&str, &str, ResourceType)> = HashSet::new();
        for r in account.resources() {
            scopes.insert((r.account_id, r.region, r.resource_type));
            if !self.named.is_empty() && self.named.contains(r.arn) {
                self.present.insert(r.arn.to_owned());
            }
        }
        for (account, region, ty) in scopes {
            self.by_account.insert((account.to_owned(), ty));
            self.by_scope
                .insert((account.to_owned(), region.to_owned(), ty));
            self.anywhere.insert(ty);
        }
    }

    /// Whether the gap's account and region (either may be `*`) hold a resource of `ty`.
    fn any(&self, gap: &CoverageGap, ty: ResourceType) -> bool {
        match (gap.account_id.as_str(), gap.region.as_str()) {
            ("*", _) => self.anywhere.contains(&ty),
            (account, "*") => self.by_account.contains(&(account.to_owned(), ty)),
            (account, region) => {
                self.by_scope
                    .contains(&(account.to_owned(), region.to_owned(), ty))
            }
        }
    }
}

/// The `unknown` outcome a gap gives the resource (or scope) `arn` of type `ty`.
fn gap_unknown(gap: &CoverageGap, arn: String, ty: ResourceType) -> Outcome {
    let key = ResourceKey {
        arn,
        resource_type: ty,
        account_id: gap.account_id.clone(),
        region: gap.region.clone(),
        location: None,
    };
    Outcome::unknown(key, gap_message(gap)).with_evidence([gap_evidence(gap)])
}

/// The coverage gap as evidence: what could not be read (`coverage.kms:GetKeyPolicy`)
/// and why.
fn gap_evidence(gap: &CoverageGap) -> Evidence {
    let what = gap.operation.map_or(gap.service.prefix(), |op| op.name());
    Evidence::of(format!("coverage.{what}"), &gap.reason)
}

/// Whether `gap` may hide data `read` that a pass about `r` depends on: what
/// [`CoverageGap::covers`] says, widened by the organization's ways of sharing data across
/// scopes.
///
/// - Data of a global service (IAM, Route 53: region `global`) bears on every region of its
///   account, and a global resource (a role, the account itself) is judged by its account's
///   data in every region: either way, a gap in the account covers the finding whatever the
///   regions.
/// - An account's tags are inherited by everything in it (environment, classification): a
///   gap on them (`organizations:ListTagsForResource` on the account's ARN) covers every
///   resource of the account.
/// - Accounts left out of the snapshot (the accounts or OUs of some parent were not listed:
///   a gap on the parent's id) may be any rule's missing data: it covers every finding.
fn hides(gap: &CoverageGap, read: Read, r: &ResourceKey) -> bool {
    let region = if r.region == GLOBAL_REGION || gap.region == GLOBAL_REGION {
        gap.region.as_str()
    } else {
        r.region.as_str()
    };
    let account = if hides_accounts(gap) {
        gap.account_id.as_str()
    } else {
        r.account_id.as_str()
    };
    let whole_scope = hides_accounts(gap)
        || (gap.operation == Some(Operation::OrganizationsListTagsForResource)
            && gap.account_id == r.account_id);
    let arn = if whole_scope {
        gap.resource.as_deref()
    } else {
        Some(r.arn.as_str())
    };
    gap.covers(account, region, read, arn)
}

/// Whether a gap may have left whole accounts out of the snapshot.
fn hides_accounts(gap: &CoverageGap) -> bool {
    matches!(
        gap.operation,
        Some(
            Operation::OrganizationsListAccountsForParent
                | Operation::OrganizationsListOrganizationalUnitsForParent
        )
    )
}

fn gap_message(gap: &CoverageGap) -> String {
    let scope = match &gap.resource {
        Some(arn) => format!("`{arn}`"),
        None => format!("account {} region {}", gap.account_id, gap.region),
    };
    let what = gap.operation.map_or(gap.service.prefix(), |op| op.name());
    format!(
        "not assessable: {what} data for {scope} could not be read ({})",
        gap.reason
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::vocab::Area;

    fn finding(status: Status) -> Finding {
        Finding {
            rule_id: Arc::from("r"),
            title: Arc::from("t"),
            status,
            severity: Severity::High,
            area: Area::Governance,
            resource: "arn:aws:s3:::b".to_owned(),
            resource_type: "AWS::S3::Bucket",
            account_id: "111122223333".to_owned(),
            region: "eu-west-1".to_owned(),
            message: status.to_string(),
            location: None,
            fingerprint: "f".to_owned(),
            waiver: None,
            baseline_state: None,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn duplicate_outcomes_keep_the_worse_and_say_so() {
        let mut findings = vec![finding(Status::Pass), finding(Status::Fail)];
        let warnings = keep_one_per_fingerprint(&mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("rule `r` reported more than one outcome for `arn:aws:s3:::b`"),
            "{warnings:?}"
        );
        let mut single = vec![finding(Status::Pass)];
        assert!(keep_one_per_fingerprint(&mut single).is_empty());
    }
}

#[cfg(test)]
mod gap_index_tests {
    use super::*;
    use crate::model::Service;

    fn gap(account: &str, resource: Option<&str>, operation: Option<Operation>) -> CoverageGap {
        CoverageGap {
            account_id: account.to_owned(),
            region: "eu-west-1".to_owned(),
            service: operation.map_or(Service::S3, |op| op.service()),
            reason: "AccessDenied".to_owned(),
            resource: resource.map(str::to_owned),
            operation,
        }
    }

    /// The index hands a resource every gap a scan of all gaps could match for it, in the
    /// snapshot's order, and leaves out other resources' own gaps.
    #[test]
    fn a_resource_sees_its_own_gaps_and_every_scope_gap_in_order() {
        let policy = Some(Operation::S3GetBucketPolicy);
        let tags = Some(Operation::OrganizationsListTagsForResource);
        let gaps = [
            gap("111", Some("arn:aws:s3:::x"), policy),
            gap("111", None, None),
            gap("111", Some("arn:aws:s3:::y"), policy),
            gap("*", None, policy),
            gap("*", Some("arn:aws:s3:::x"), policy),
            gap("111", Some("arn:aws:organizations::1:account/o/111"), tags),
            gap("222", Some("arn:aws:s3:::x"), policy),
            gap(
                "*",
                Some("ou-1"),
                Some(Operation::OrganizationsListAccountsForParent),
            ),
        ];
        let index = GapIndex::new(&gaps);
        let positions = |account: &str, arn: &str| -> Vec<usize> {
            index
                .of(account, arn)
                .map(|g| gaps.iter().position(|h| std::ptr::eq(g, h)).unwrap_or(99))
                .collect()
        };
        // Another account's gap of the same ARN is a candidate that `covers` then rejects.
        assert_eq!(positions("111", "arn:aws:s3:::x"), [0, 1, 3, 4, 5, 6, 7]);
        assert_eq!(positions("111", "arn:aws:s3:::y"), [1, 2, 3, 5, 7]);
        assert_eq!(positions("222", "arn:aws:s3:::x"), [0, 3, 4, 6, 7]);
        assert_eq!(positions("*", "arn:aws:s3:::x"), [0, 3, 4, 6, 7]);
    }
}
