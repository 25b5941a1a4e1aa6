#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use rampart_iam::catalog::ActionCatalog;
use rampart_iam::validate::{validate, PolicyType, Severity};

use super::compact::{compact, expansion};
use super::intent::{builtin_examples, ExampleDefaults, IntentParams, GLOBAL_SERVICES};
use super::intent::{
    FOUNDATION_ROLE_ACTIONS, IAM_USER_ACTIONS, NETWORK_ACTIONS, SECURITY_SERVICES,
};
use super::pack::Plan;
use super::space::RequestSpace;
use super::verify::{Baseline, Chains, Expectation};
use super::*;
use crate::model::{sample_snapshot, Snapshot};
use crate::ruleset::Ruleset;

fn catalog() -> &'static ActionCatalog {
    ActionCatalog::get().unwrap()
}

fn inputs() -> (Snapshot, Ruleset) {
    (sample_snapshot().unwrap(), Ruleset::bundled().unwrap())
}

fn sample() -> &'static Generation {
    static SAMPLE: OnceLock<Generation> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let (snapshot, ruleset) = inputs();
        generate(
            &snapshot,
            &Guardrails::bundled().unwrap(),
            &ruleset.parameters,
            None,
        )
        .unwrap()
    })
}

fn with_guardrails(text: &str) -> Result<Generation, ScpError> {
    let (snapshot, ruleset) = inputs();
    let g = parse_guardrails(text, Path::new("g.toml"))?;
    generate(&snapshot, &g, &ruleset.parameters, None)
}

#[test]
fn the_sample_is_proven_with_every_check() {
    let report = sample().verify(true).unwrap();
    assert!(report.proven(), "{:#?}", report.failures);
    assert_eq!(report.intents.len(), sample().intents.len());
    for proof in &report.intents {
        assert!(
            proof.accounts > 0 && proof.must_deny > 0 && proof.must_allow > 0,
            "{proof:?}"
        );
    }
    assert!(report.differential_requests > 10_000);
}

#[test]
fn every_generated_document_validates_fits_and_is_minified() {
    let g = sample();
    assert!(g.plan.policies().count() >= 5);
    for p in g.plan.policies() {
        let errors: Vec<_> = validate(&p.text, PolicyType::Scp)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", p.name);
        assert!(p.chars <= 5120, "{} has {}", p.name, p.chars);
        assert!(!p.text.contains([' ', '\n']), "{}", p.name);
        let reparsed: serde_json::Value = serde_json::from_str(&p.text).unwrap();
        assert_eq!(reparsed.to_string(), p.text);
    }
    for t in &g.plan.targets {
        assert!(
            t.kept.len().max(1) + t.policies.len() <= 5,
            "{}",
            t.target.path
        );
    }
}

#[test]
fn vocabulary_actions_and_examples_are_in_the_catalog() {
    let c = catalog();
    let lists = SECURITY_SERVICES
        .iter()
        .flat_map(|(_, a, read)| a.iter().chain(std::iter::once(read)))
        .chain(FOUNDATION_ROLE_ACTIONS)
        .chain(IAM_USER_ACTIONS)
        .chain(NETWORK_ACTIONS);
    for action in lists {
        assert!(c.action(action).is_some(), "{action}");
    }
    for pattern in GLOBAL_SERVICES {
        assert!(!c.expand(pattern).is_empty(), "{pattern}");
    }
    let d = ExampleDefaults {
        principal: "arn:aws:iam::{account}:role/x".into(),
        region: "eu-west-1".into(),
    };
    let p = IntentParams {
        services: SECURITY_SERVICES.iter().map(|s| s.0.to_owned()).collect(),
        allowed_regions: vec!["eu-west-1".into()],
        roles: vec!["OrganizationAccountAccessRole".into()],
        network_accounts: vec!["444455556666".into()],
        tag_keys: vec!["DataClassification".into()],
        min_days: 30,
        ..IntentParams::default()
    };
    for kind in IntentKind::ALL {
        let (deny, allow) = builtin_examples(kind, &p, &d);
        if kind != IntentKind::DenyActions {
            assert!(!deny.is_empty() && !allow.is_empty(), "{kind}");
        }
        for e in deny.iter().chain(&allow) {
            assert!(c.action(&e.action).is_some(), "{kind}: {}", e.action);
        }
    }
}

#[test]
fn a_wildcard_is_used_only_when_it_widens_nothing() {
    let c = catalog();
    // `cloudtrail:Delete*` also matches DeleteChannel, DeleteDashboard…: never used for
    // the two deletes of the intent.
    let set: BTreeSet<String> = ["cloudtrail:DeleteTrail", "cloudtrail:DeleteEventDataStore"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let out = compact(c, &set);
    assert!(!out.iter().any(|p| p == "cloudtrail:Delete*"), "{out:?}");
    assert_eq!(
        expansion(c, &out),
        expansion(c, &set.iter().cloned().collect::<Vec<_>>())
    );
    // Every action a prefix covers is in the set: the wildcard is used.
    let all: BTreeSet<String> = c
        .expand("guardduty:Disassociate*")
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert!(all.len() >= 2);
    let out = compact(c, &all);
    assert!(out.iter().any(|p| p.ends_with('*')), "{out:?}");
    assert_eq!(
        expansion(c, &out),
        expansion(c, &all.iter().cloned().collect::<Vec<_>>())
    );
}

#[test]
fn compaction_preserves_every_intents_actions_by_the_catalog() {
    let c = catalog();
    for intent in &sample().intents {
        for s in intent.statements() {
            let written: Vec<String> = s.actions.patterns().iter().cloned().collect();
            let out = compact(c, s.actions.patterns());
            assert_eq!(expansion(c, &out), expansion(c, &written), "{}", intent.id);
        }
    }
}

#[test]
fn intents_that_do_not_fit_say_where_and_by_how_much() {
    let text = super::DEFAULT_GUARDRAILS
        .replace("max_policies_per_target = 5", "max_policies_per_target = 2")
        .replace("max_policy_chars = 5120", "max_policy_chars = 1000");
    let Err(ScpError::DoesNotFit(e)) = with_guardrails(&text) else {
        panic!("expected DoesNotFit");
    };
    let message = e.to_string();
    assert!(message.contains("Root (r-a1b2)"), "{message}");
    assert!(message.contains("`deny-leave-organization`"), "{message}");
    assert!(
        message.contains("too many") || message.contains("over the"),
        "{message}"
    );
    // A statement larger than a whole document cannot be split (a NotAction list).
    let text =
        super::DEFAULT_GUARDRAILS.replace("max_policy_chars = 5120", "max_policy_chars = 600");
    let Err(ScpError::DoesNotFit(e)) = with_guardrails(&text) else {
        panic!("expected DoesNotFit");
    };
    assert!(
        e.to_string().contains("the statement of `region-deny"),
        "{e}"
    );
}

#[test]
fn a_large_action_list_is_split_across_documents_and_still_proven() {
    let text =
        super::DEFAULT_GUARDRAILS.replace("max_policy_chars = 5120", "max_policy_chars = 1800");
    let g = with_guardrails(&text).unwrap();
    let root = g
        .plan
        .targets
        .iter()
        .find(|t| t.target.path == "Root")
        .unwrap();
    assert!(root.policies.len() >= 2, "{:?}", root.policies.len());
    assert!(g.plan.policies().all(|p| p.chars <= 1800));
    let report = g.verify(true).unwrap();
    assert!(report.proven(), "{:#?}", report.failures);
}

#[test]
fn replaced_policies_free_their_slots_and_kept_ones_count() {
    let g = sample();
    let workloads = g
        .plan
        .targets
        .iter()
        .find(|t| t.target.path == "Workloads")
        .unwrap();
    assert_eq!(workloads.kept, vec!["FullAWSAccess".to_owned()]);
    assert!(workloads.replaced.contains(&"DenyRootUser".to_owned()));
    let text = super::DEFAULT_GUARDRAILS.replace("replaces = [", "replaces_not = [");
    assert!(matches!(
        with_guardrails(&text),
        Err(ScpError::Guardrails(_))
    ));
}

#[test]
fn a_broken_policy_fails_the_proof_with_a_counterexample() {
    let mut g = sample().clone();
    // Drop the statement that denies leaving the organization.
    let p = g
        .plan
        .targets
        .iter_mut()
        .flat_map(|t| t.policies.iter_mut())
        .find(|p| p.text.contains("organizations:LeaveOrganization"))
        .unwrap();
    p.text = p
        .text
        .replace("organizations:LeaveOrganization", "rampart:Nothing");
    p.policy = rampart_iam::parse_policy(&p.text).unwrap();
    let report = g.verify(true).unwrap();
    let f = report
        .failures
        .iter()
        .find(|f| f.expected == Expectation::MustDeny && f.subject == "deny-leave-organization")
        .expect("a must-deny counterexample");
    assert_eq!(
        f.request.as_ref().unwrap().action,
        "organizations:LeaveOrganization"
    );
    assert!(report
        .failures
        .iter()
        .any(|f| f.expected == Expectation::SameAsUnpacked));
}

#[test]
fn a_widening_wildcard_is_caught_by_the_differential_check() {
    let mut g = sample().clone();
    let p = g
        .plan
        .targets
        .iter_mut()
        .flat_map(|t| t.policies.iter_mut())
        .find(|p| p.text.contains("\"iam:CreateUser\""))
        .unwrap();
    p.text = p.text.replace("\"iam:CreateUser\"", "\"iam:Create*\"");
    p.policy = rampart_iam::parse_policy(&p.text).unwrap();
    let report = g.verify(true).unwrap();
    let f = report
        .failures
        .iter()
        .find(|f| f.expected == Expectation::SameAsUnpacked)
        .expect("a differential counterexample");
    assert!(
        f.request.as_ref().unwrap().action.starts_with("iam:Create"),
        "{f:?}"
    );
}

#[test]
fn guardrail_errors_name_the_file_line_and_column() {
    let cases: [(&str, &str, &str); 6] = [
        ("[[intent]]\nid = \"a\"\nkind = \"deny-leave-organisation\"\ntargets = [\"root\"]\n", "g.toml:3:8", "did you mean `deny-leave-organization`"),
        ("[[intent]]\nid = \"a\"\nkind = \"deny-root-user\"\ntargets = [\"Workload\"]\n", "g.toml:4:12", "did you mean `Workloads`"),
        ("[[intent]]\nid = \"a\"\nkind = \"deny-root-user\"\ntargets = [\"root\"]\ntargts = 1\n", "g.toml:5:1", "did you mean `targets`"),
        ("[[intent]]\nid = \"a\"\nkind = \"deny-root-user\"\ntargets = [\"root\"]\nmin_days = 7\n", "g.toml:5:12", "not a parameter of `deny-root-user`"),
        ("[[intent]]\nid = \"a\"\nkind = \"deny-root-user\"\ntargets = [\"management\"]\n", "g.toml:4:12", "management account"),
        ("[[intent]]\nid = \"a\"\nkind = \"kms-deletion-window\"\ntargets = [\"root\"]\nmin_days = 3\n", "g.toml:5:12", "between 7 and 30"),
    ];
    for (text, at, says) in cases {
        let e = with_guardrails(text).unwrap_err().to_string();
        assert!(e.starts_with(at), "{e}");
        assert!(e.contains(says), "{e}");
    }
}

#[test]
fn a_quota_profile_overrides_the_guardrails_quotas() {
    let q = parse_quota_profile(
        "[quotas]\nmax_policy_chars = 10000\nmax_policies_per_target = 10\n",
        Path::new("q.toml"),
    )
    .unwrap();
    assert_eq!(q.max_policies_per_target, 10);
    let e = parse_quota_profile("[quotas]\nmax_chars = 1\n", Path::new("q.toml")).unwrap_err();
    assert!(e.to_string().starts_with("q.toml:2:1"), "{e}");
    let (snapshot, ruleset) = inputs();
    let small = Quotas {
        max_policy_chars: 1000,
        max_policies_per_target: 2,
    };
    let r = generate(
        &snapshot,
        &Guardrails::bundled().unwrap(),
        &ruleset.parameters,
        Some(&small),
    );
    assert!(matches!(r, Err(ScpError::DoesNotFit(_))));
}

#[test]
fn outputs_are_deterministic_and_complete() {
    let g = sample();
    let a = render::files(&g.plan, &g.intents, None);
    let (snapshot, ruleset) = inputs();
    let again = generate(
        &snapshot,
        &Guardrails::bundled().unwrap(),
        &ruleset.parameters,
        None,
    )
    .unwrap();
    assert_eq!(a, render::files(&again.plan, &again.intents, None));
    let paths: Vec<&str> = a.iter().map(|f| f.path.as_str()).collect();
    assert!(paths.contains(&"plan.json") && paths.contains(&"terraform/main.tf"));
    assert!(paths.contains(&"cloudformation/template.json"));
    let tf = &a
        .iter()
        .find(|f| f.path == "terraform/main.tf")
        .unwrap()
        .text;
    assert_eq!(
        tf.matches("resource \"aws_organizations_policy\"").count(),
        g.plan.policies().count()
    );
    assert_eq!(
        tf.matches("resource \"aws_organizations_policy_attachment\"")
            .count(),
        g.plan.policies().count()
    );
}

fn decisions(
    plan: &Plan,
    g: &Generation,
    requests: &[verify::TriedRequest],
) -> Vec<rampart_iam::evaluate::Decision> {
    let chains = Chains::new(&g.org, plan, &g.intents, &g.replaces);
    let baseline = Baseline::new();
    requests
        .iter()
        .map(|r| {
            let levels = g
                .org
                .accounts
                .iter()
                .find(|a| a.id == r.account)
                .unwrap()
                .levels
                .clone();
            verify::decide_for_tests(&chains.packed(&levels).unwrap(), &baseline, r)
        })
        .collect()
}

fn space() -> &'static (RequestSpace, Vec<String>) {
    static SPACE: OnceLock<(RequestSpace, Vec<String>)> = OnceLock::new();
    SPACE.get_or_init(|| {
        let g = sample();
        (
            RequestSpace::new(&g.intents, catalog()),
            g.org.accounts.iter().map(|a| a.id.clone()).collect(),
        )
    })
}

fn arb_request() -> impl Strategy<Value = verify::TriedRequest> {
    let (s, accounts) = space();
    (
        0..accounts.len(),
        0..s.actions.len() + 200,
        0..s.principals.len(),
        0..s.regions.len(),
        0..s.keys.len() + 1,
        0..8usize,
    )
        .prop_map(move |(a, act, p, r, k, v)| {
            let account = &accounts[a];
            let all = catalog().expand("*");
            let action = s
                .actions
                .get(act)
                .cloned()
                .unwrap_or_else(|| all[(act * 7919) % all.len()].to_owned());
            let mut req = verify::TriedRequest {
                account: account.clone(),
                principal: s.principals[p].replace("{account}", account),
                action,
                resource: "*".into(),
                region: s.regions[r].clone(),
                context: Default::default(),
            };
            if let Some((key, values, _)) = s.keys.get(k) {
                req.context
                    .insert(key.clone(), values[v % values.len()].clone());
            }
            req
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Packing (merging, compaction, documents) changes no decision, whatever the
    /// document size forces.
    #[test]
    fn packing_preserves_decisions(
        chars in prop::sample::select(vec![1800usize, 2600, 5120]),
        requests in prop::collection::vec(arb_request(), 40),
    ) {
        let (snapshot, ruleset) = inputs();
        let quotas = Quotas { max_policy_chars: chars, max_policies_per_target: 5 };
        let g = generate(&snapshot, &Guardrails::bundled().unwrap(), &ruleset.parameters, Some(&quotas)).unwrap();
        let chains = Chains::new(&g.org, &g.plan, &g.intents, &g.replaces);
        let baseline = Baseline::new();
        for r in &requests {
            let levels = g.org.accounts.iter().find(|a| a.id == r.account).unwrap().levels.clone();
            let packed = verify::decide_for_tests(&chains.packed(&levels).unwrap(), &baseline, r);
            let unpacked = verify::decide_for_tests(&chains.unpacked(&levels).unwrap(), &baseline, r);
            prop_assert_eq!(packed, unpacked, "{:?}", r);
        }
    }

    /// Adding an exemption never denies more.
    #[test]
    fn an_exemption_never_denies_more(
        requests in prop::collection::vec(arb_request(), 40),
        pattern in prop::sample::select(vec![
            "arn:aws:iam::*:role/workload-admin",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::*:root",
            "arn:aws:iam::*:role/prod-deploy",
        ]),
    ) {
        let g = sample();
        let text = super::DEFAULT_GUARDRAILS.replace(
            "exempt = [\"arn:aws:iam::*:role/break-glass-*\"]",
            &format!("exempt = [\"arn:aws:iam::*:role/break-glass-*\", \"{pattern}\"]"),
        );
        let wider = with_guardrails(&text).unwrap();
        let before = decisions(&g.plan, g, &requests);
        let after = decisions(&wider.plan, &wider, &requests);
        for ((b, a), r) in before.iter().zip(&after).zip(&requests) {
            if *b == rampart_iam::evaluate::Decision::Allow {
                prop_assert_eq!(*a, rampart_iam::evaluate::Decision::Allow, "{:?}", r);
            }
        }
    }
}
