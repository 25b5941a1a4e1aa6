//! The proof of a plan, by rampart's IAM evaluator:
//!
//! 1. every generated document parses, passes the validator as an SCP without errors, is
//!    within the character quota and is minified;
//! 2. for every intent, in every account below its targets (or a stand-in account when a
//!    target holds none), each must-deny request is explicitly denied and each must-allow
//!    request allowed, under the account's whole SCP chain: the SCPs that stay attached at
//!    each level (FullAWSAccess when none stays) plus the generated ones;
//! 3. differential: packing (merging, compaction, splitting into documents) changed no
//!    decision — every account's chain with the packed documents decides a space of
//!    requests (the intents' actions and a sample of the catalog, each caller and
//!    exemption, each region and condition value the statements name, and one they do not)
//!    exactly as the chain with one unmerged, uncompacted document per intent statement.
//!
//! A failure carries the counterexample request.

use std::collections::{BTreeMap, BTreeSet};

use rampart_iam::catalog::ActionCatalog;
use rampart_iam::evaluate::{evaluate, Decision, Evaluation, PolicyInputs, Principal, Request};
use rampart_iam::validate::{validate, PolicyType, Severity};
use rampart_iam::{parse_policy, ContextValue, Policy, RequestContext};
use rayon::prelude::*;
use serde::Serialize;

use super::diff::{Chain, Origin};
use super::intent::{ExampleRequest, Intent};
use super::org::{MemberAccount, OrgTree};
use super::pack::Plan;
use super::space::RequestSpace;
use super::statement::{document, minify};

/// An account id for the proof of a target that holds no account.
pub const STAND_IN_ACCOUNT: &str = "000000000000";

/// What a check expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expectation {
    /// An explicit deny.
    MustDeny,
    /// An allow.
    MustAllow,
    /// The decision of the unpacked statements.
    SameAsUnpacked,
    /// A well-formed document within quota.
    Document,
}

/// A concrete request, as tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TriedRequest {
    /// The account the request is made in.
    pub account: String,
    /// The caller.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// `aws:RequestedRegion`.
    pub region: String,
    /// Other condition keys.
    pub context: BTreeMap<String, ContextValue>,
}

/// A failed check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    /// The intent (or the policy, for document checks).
    pub subject: String,
    /// What was expected.
    pub expected: Expectation,
    /// The request, when the check was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<TriedRequest>,
    /// What happened.
    pub message: String,
}

/// What was proven for one intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntentProof {
    /// The intent.
    pub intent: String,
    /// Accounts tried (a stand-in when a target holds none).
    pub accounts: usize,
    /// Must-deny checks.
    pub must_deny: usize,
    /// Must-allow checks.
    pub must_allow: usize,
}

/// The result of [`verify`].
#[derive(Debug, Clone, Serialize)]
pub struct ProofReport {
    /// Documents checked.
    pub documents: usize,
    /// Per intent.
    pub intents: Vec<IntentProof>,
    /// Requests decided twice (packed and unpacked) by the differential check.
    pub differential_requests: usize,
    /// Failed checks, in a deterministic order.
    pub failures: Vec<Counterexample>,
}

impl ProofReport {
    /// Whether every check passed.
    pub fn proven(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The key policy of the keys requests are tried on: it lets the account's principals use
/// the key, so that only the SCPs decide.
const KEY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}"#;

const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// SCP chains of the accounts, level by level, packed and unpacked.
pub struct Chains<'a> {
    org: &'a OrgTree,
    pub(crate) plan: &'a Plan,
    intents: &'a [Intent],
    replaces: &'a [String],
    full_access: Policy,
}

impl<'a> Chains<'a> {
    /// Chains for a plan.
    pub fn new(
        org: &'a OrgTree,
        plan: &'a Plan,
        intents: &'a [Intent],
        replaces: &'a [String],
    ) -> Self {
        Chains {
            org,
            plan,
            intents,
            replaces,
            full_access: allow_all(),
        }
    }

    /// The SCPs that stay attached at a level, with where each comes from;
    /// FullAWSAccess when none does.
    fn kept(&self, level: &str) -> Result<Vec<(Policy, Option<Origin<'a>>)>, String> {
        let mut out = Vec::new();
        for p in self.org.attached_to(level) {
            if self.replaces.iter().any(|r| r == &p.name || r == &p.id) {
                continue;
            }
            let policy = p.document.policy().map_err(|e| {
                format!(
                    "attached SCP `{}` does not parse (line {}, column {}): {}",
                    p.name, e.position.line, e.position.column, e.message
                )
            })?;
            out.push((
                policy.clone(),
                Some(Origin {
                    name: &p.name,
                    id: &p.id,
                }),
            ));
        }
        if out.is_empty() {
            out.push((self.full_access.clone(), None));
        }
        Ok(out)
    }

    /// The chain with the generated documents.
    pub fn packed(&self, levels: &[String]) -> Result<Vec<Vec<Policy>>, String> {
        self.packed_with_sources(levels).map(|(docs, _)| docs)
    }

    /// [`Chains::packed`] with where each document comes from (a generated one's id is
    /// its name).
    pub fn packed_with_sources(&self, levels: &[String]) -> Result<Chain<'a>, String> {
        let mut docs = Vec::with_capacity(levels.len());
        let mut sources = Vec::with_capacity(levels.len());
        for level in levels {
            let (mut level_docs, mut level_sources): (Vec<_>, Vec<_>) =
                self.kept(level)?.into_iter().unzip();
            for p in self.plan.policies().filter(|p| &p.target == level) {
                level_docs.push(p.policy.clone());
                level_sources.push(Some(Origin {
                    name: &p.name,
                    id: &p.name,
                }));
            }
            docs.push(level_docs);
            sources.push(level_sources);
        }
        Ok((docs, sources))
    }

    /// The chain with one document per intent statement, unmerged and uncompacted.
    pub fn unpacked(&self, levels: &[String]) -> Result<Vec<Vec<Policy>>, String> {
        levels
            .iter()
            .map(|level| {
                let mut docs: Vec<Policy> = self.kept(level)?.into_iter().map(|(p, _)| p).collect();
                for intent in self
                    .intents
                    .iter()
                    .filter(|i| i.targets.iter().any(|t| &t.id == level))
                {
                    for s in intent.statements() {
                        let patterns: Vec<String> = s.actions.patterns().iter().cloned().collect();
                        let text = minify(&document(vec![s.to_json(&patterns, false)]));
                        docs.push(parse_policy(&text).map_err(|e| {
                            format!("statement of `{}` does not parse: {e}", intent.id)
                        })?);
                    }
                }
                Ok(docs)
            })
            .collect()
    }
}

/// FullAWSAccess: allows everything.
pub(crate) fn allow_all() -> Policy {
    #[expect(
        clippy::expect_used,
        reason = "a constant document that a unit test parses"
    )]
    parse_policy(FULL_AWS_ACCESS).expect("allow-all parses")
}

/// The account an ARN names (`arn:aws:iam::ACCOUNT:…`), if any.
fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// What every request is decided with besides the SCPs: identity policies that allow
/// everything and, for KMS, a key policy that lets the account use the key.
pub struct Baseline {
    identity: Vec<Policy>,
    key_policy: Policy,
}

impl Baseline {
    /// The baseline.
    pub fn new() -> Baseline {
        #[expect(
            clippy::expect_used,
            reason = "a constant document that a unit test parses"
        )]
        let key_policy = parse_policy(KEY_POLICY).expect("the key policy parses");
        Baseline {
            identity: vec![allow_all()],
            key_policy,
        }
    }
}

impl Baseline {
    /// The policies of a request for `action` under `chain`: identity policies that allow
    /// everything and, for KMS, the key policy, so that only the SCPs decide.
    pub fn inputs<'p>(&'p self, chain: &'p [Vec<Policy>], action: &str) -> PolicyInputs<'p> {
        let is_kms = action
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("kms:"));
        PolicyInputs {
            identity: &self.identity,
            resource: is_kms.then_some(&self.key_policy),
            scp_chain: Some(chain),
            ..PolicyInputs::default()
        }
    }
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline::new()
    }
}

/// Decides a request made in `account` under `chain`: only the SCPs restrict.
fn decide(chain: &[Vec<Policy>], baseline: &Baseline, tried: &TriedRequest) -> (Decision, String) {
    let e = evaluate_tried(chain, baseline, tried);
    (e.decision, e.reason)
}

/// [`decide`] with the statements that applied.
pub(crate) fn evaluate_tried(
    chain: &[Vec<Policy>],
    baseline: &Baseline,
    tried: &TriedRequest,
) -> Evaluation {
    let principal = Principal {
        arn: tried.principal.clone(),
        account: arn_account(&tried.principal)
            .unwrap_or(&tried.account)
            .to_owned(),
        ..Principal::default()
    };
    let mut context = RequestContext::new().with("aws:RequestedRegion", &tried.region);
    for (k, v) in &tried.context {
        context.insert(k, v.clone());
    }
    let request = Request {
        action: tried.action.clone(),
        resource: tried.resource.clone(),
        resource_account: tried.account.clone(),
        resource_in_management_account: false,
        resource_is_aws_managed_key: false,
        context,
    };
    evaluate(&baseline.inputs(chain, &tried.action), &principal, &request)
}

/// [`decide`]'s decision, for property tests.
#[cfg(test)]
pub(crate) fn decide_for_tests(
    chain: &[Vec<Policy>],
    baseline: &Baseline,
    tried: &TriedRequest,
) -> Decision {
    decide(chain, baseline, tried).0
}

pub(crate) fn tried(example: &ExampleRequest, account: &str) -> TriedRequest {
    let fill = |s: &str| s.replace("{account}", account);
    TriedRequest {
        account: account.to_owned(),
        principal: fill(&example.principal),
        action: example.action.clone(),
        resource: fill(&example.resource),
        region: example.region.clone(),
        context: example.context.iter().cloned().collect(),
    }
}

/// The accounts an intent is proven in: those below its targets, or a stand-in account
/// directly under each target that holds none.
pub(crate) fn proof_accounts(intent: &Intent, org: &OrgTree) -> Vec<MemberAccount> {
    let mut out: Vec<MemberAccount> = Vec::new();
    for t in &intent.targets {
        let below: Vec<&MemberAccount> = org.accounts_under(&t.id).collect();
        if below.is_empty() {
            let mut levels = org.levels(&t.id);
            levels.push(STAND_IN_ACCOUNT.to_owned());
            out.push(MemberAccount {
                id: STAND_IN_ACCOUNT.to_owned(),
                name: format!("stand-in account under {}", t.path),
                levels,
            });
        } else {
            out.extend(below.into_iter().cloned());
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id).then(a.levels.cmp(&b.levels)));
    out.dedup();
    out
}

/// Checks every generated document: it parses, the validator finds no error in it as an
/// SCP, it is within quota and minified.
fn check_documents(plan: &Plan, failures: &mut Vec<Counterexample>) -> usize {
    let mut n = 0;
    for p in plan.policies() {
        n += 1;
        let mut problems = Vec::new();
        for f in validate(&p.text, PolicyType::Scp) {
            if f.severity == Severity::Error {
                problems.push(format!("validator: {} ({})", f.message, f.code));
            }
        }
        if p.chars > plan.quotas.max_policy_chars {
            problems.push(format!(
                "{} characters, over the quota of {}",
                p.chars, plan.quotas.max_policy_chars
            ));
        }
        match serde_json::from_str::<serde_json::Value>(&p.text) {
            Ok(v) if serde_json::to_string(&v).is_ok_and(|t| t == p.text) => {}
            _ => problems.push("not minified JSON".to_owned()),
        }
        for message in problems {
            failures.push(Counterexample {
                subject: p.name.clone(),
                expected: Expectation::Document,
                request: None,
                message,
            });
        }
    }
    n
}

/// Proves a plan (see the module documentation). `differential` turns the packing check
/// on; `catalog` samples its actions.
pub fn verify(
    plan: &Plan,
    intents: &[Intent],
    org: &OrgTree,
    replaces: &[String],
    catalog: &ActionCatalog,
    differential: bool,
) -> ProofReport {
    let mut failures = Vec::new();
    let documents = check_documents(plan, &mut failures);
    let chains = Chains::new(org, plan, intents, replaces);
    let baseline = Baseline::new();
    let mut proofs = Vec::new();
    for intent in intents {
        let accounts = proof_accounts(intent, org);
        let mut proof = IntentProof {
            intent: intent.id.clone(),
            accounts: accounts.len(),
            must_deny: 0,
            must_allow: 0,
        };
        for account in &accounts {
            let chain = match chains.packed(&account.levels) {
                Ok(c) => c,
                Err(message) => {
                    failures.push(Counterexample {
                        subject: intent.id.clone(),
                        expected: Expectation::MustDeny,
                        request: None,
                        message,
                    });
                    continue;
                }
            };
            let cases = intent
                .must_deny
                .iter()
                .map(|e| (Expectation::MustDeny, e))
                .chain(
                    intent
                        .must_allow
                        .iter()
                        .map(|e| (Expectation::MustAllow, e)),
                );
            for (expected, example) in cases {
                if !example.applies_in(&account.id) {
                    continue;
                }
                let request = tried(example, &account.id);
                let (decision, reason) = decide(&chain, &baseline, &request);
                let ok = match expected {
                    Expectation::MustDeny => {
                        proof.must_deny += 1;
                        decision == Decision::ExplicitDeny
                    }
                    _ => {
                        proof.must_allow += 1;
                        decision == Decision::Allow
                    }
                };
                if !ok {
                    failures.push(Counterexample {
                        subject: intent.id.clone(),
                        expected,
                        request: Some(request),
                        message: format!(
                            "in account {} ({}): {} ({}): {reason}",
                            account.id,
                            account.name,
                            decision_name(decision),
                            example.note
                        ),
                    });
                }
            }
        }
        proofs.push(proof);
    }
    let differential_requests = if differential {
        differential_check(&chains, intents, org, catalog, &mut failures)
    } else {
        0
    };
    ProofReport {
        documents,
        intents: proofs,
        differential_requests,
        failures,
    }
}

pub(crate) fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::ExplicitDeny => "explicitly denied",
        Decision::ImplicitDeny => "implicitly denied",
    }
}

/// The accounts whose chain holds a generated document (and a stand-in under each target
/// without accounts), with their levels.
fn affected_accounts(intents: &[Intent], org: &OrgTree) -> Vec<MemberAccount> {
    let mut out: Vec<MemberAccount> = intents
        .iter()
        .flat_map(|i| proof_accounts(i, org))
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id).then(a.levels.cmp(&b.levels)));
    out.dedup();
    out
}

fn differential_check(
    chains: &Chains<'_>,
    intents: &[Intent],
    org: &OrgTree,
    catalog: &ActionCatalog,
    failures: &mut Vec<Counterexample>,
) -> usize {
    let space = RequestSpace::new(intents, catalog);
    let baseline = Baseline::new();
    // Accounts whose chains hold the same documents at the same levels decide alike, unless
    // a condition names the account: one of each is enough.
    let named: BTreeSet<&str> = intents
        .iter()
        .flat_map(|i| i.statements())
        .flat_map(|s| s.conditions)
        .flat_map(|c| c.values)
        .filter_map(|v| {
            org.targets
                .contains_key(&v)
                .then(|| org.targets.get_key_value(&v).map(|(k, _)| k.as_str()))
                .flatten()
        })
        .collect();
    let mut seen: BTreeSet<(Vec<String>, Vec<String>, Option<String>)> = BTreeSet::new();
    let accounts: Vec<MemberAccount> = affected_accounts(intents, org)
        .into_iter()
        .filter(|a| {
            let (above, own) = a.levels.split_at(a.levels.len().saturating_sub(1));
            let own_policies: Vec<String> = own
                .iter()
                .flat_map(|id| org.attached_to(id).map(|p| p.id.clone()))
                .chain(
                    own.iter()
                        .filter(|id| chains.plan.policies().any(|p| &&p.target == id))
                        .cloned(),
                )
                .collect();
            let id = named.contains(a.id.as_str()).then(|| a.id.clone());
            seen.insert((above.to_vec(), own_policies, id))
        })
        .collect();
    let results: Vec<(usize, Vec<Counterexample>)> = accounts
        .par_iter()
        .map(|account| {
            let (packed, unpacked) = match (
                chains.packed(&account.levels),
                chains.unpacked(&account.levels),
            ) {
                (Ok(p), Ok(u)) => (p, u),
                (Err(message), _) | (_, Err(message)) => {
                    return (
                        0,
                        vec![Counterexample {
                            subject: account.id.clone(),
                            expected: Expectation::SameAsUnpacked,
                            request: None,
                            message,
                        }],
                    );
                }
            };
            let mut n = 0;
            let mut out = Vec::new();
            for request in space.requests(&account.id) {
                n += 1;
                let (a, reason_a) = decide(&packed, &baseline, &request);
                let (b, reason_b) = decide(&unpacked, &baseline, &request);
                if a != b && out.len() < 5 {
                    out.push(Counterexample {
                        subject: format!("packing for account {} ({})", account.id, account.name),
                        expected: Expectation::SameAsUnpacked,
                        request: Some(request),
                        message: format!(
                            "packed: {} ({reason_a}); unpacked: {} ({reason_b})",
                            decision_name(a),
                            decision_name(b)
                        ),
                    });
                }
            }
            (n, out)
        })
        .collect();
    let mut total = 0;
    for (n, f) in results {
        total += n;
        failures.extend(f);
    }
    total
}
