//! The compiled backend agrees with the reference: on the whole bundled catalog over the
//! sample and a synthetic organization (byte-identical reports), and on random policies
//! over random entities (a differential property test against cedar-policy itself).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityUid, Policy, PolicyId, PolicySet, Request,
    RestrictedExpression,
};
use proptest::prelude::*;

use super::expr::{AttributeView, EvalError, Lookup, ACTION, PRINCIPAL};
use super::{CompiledBackend, CompiledPolicy, Verdict};
use crate::rules::cedar::entities::restricted;
use crate::rules::cedar::store::scope_policy;
use crate::rules::cedar::value::{Uid, Value};
use crate::rules::cedar::{CedarBackend, CedarBackendKind, PolicyStore, ReferenceBackend};
use crate::rules::{Catalog, Engine, RuleContext};
use crate::ruleset::Ruleset;

// ---------------------------------------------------------------------------------------
// The bundled catalog, end to end.

#[test]
fn every_bundled_policy_compiles() {
    let store = PolicyStore::bundled().expect("bundled policies");
    let backend = CompiledBackend::new(&store);
    assert_eq!(backend.fallbacks(), Vec::<(&str, &str)>::new());
}

fn report(engine: &Engine<'_>, snapshot: &crate::model::Snapshot) -> String {
    let evaluation = engine.evaluate(snapshot, snapshot.taken_at);
    let options = crate::report::RenderOptions {
        tool_version: "test",
        fail_on: None,
    };
    crate::report::json::render(&evaluation, &options).expect("json report")
}

/// Both backends give byte-identical reports for the whole bundled catalog on the sample
/// organization and on a synthetic one.
#[test]
fn both_backends_give_identical_reports_on_the_sample_and_a_synthetic_organization() {
    let catalog = Catalog::bundled().expect("catalog");
    let ruleset = Ruleset::bundled().expect("ruleset");
    let sample = crate::model::sample_snapshot().expect("sample");
    let synthetic = crate::synth::generate(&crate::synth::SynthSpec {
        accounts: 12,
        resources: 3_000,
        seed: 7,
    });
    let compiled = Engine::new(&catalog, &ruleset).expect("engine");
    let reference = Engine::new(&catalog, &ruleset)
        .expect("engine")
        .with_cedar_backend(CedarBackendKind::Reference);
    for (name, snapshot) in [("sample", &sample), ("synthetic", &synthetic)] {
        let (a, b) = (report(&compiled, snapshot), report(&reference, snapshot));
        if a != b {
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "{name}: reports differ at line {line}:\ncompiled:  {}\nreference: {}",
                a.lines().nth(line).unwrap_or(""),
                b.lines().nth(line).unwrap_or("")
            );
        }
    }
}

/// The backends' outcomes themselves (messages and evidence of every status included) agree
/// rule by rule on the synthetic organization, unknowns included.
#[test]
fn both_backends_give_the_same_outcomes_rule_by_rule() {
    let store = PolicyStore::bundled().expect("bundled policies");
    let ruleset = Ruleset::bundled().expect("ruleset");
    let snapshot = crate::synth::generate(&crate::synth::SynthSpec {
        accounts: 6,
        resources: 1_500,
        seed: 3,
    });
    let facts = crate::facts::Facts::derive(&snapshot, &ruleset.parameters);
    let cx = RuleContext {
        snapshot: &snapshot,
        facts: &facts,
        now: snapshot.taken_at,
    };
    let ids: Vec<(usize, &str)> = store
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.id.as_str()))
        .collect();
    let sorted = |mut v: Vec<(usize, crate::rules::Outcome)>| {
        v.sort_by(|a, b| {
            (a.0, &a.1.resource.arn, &a.1.message).cmp(&(b.0, &b.1.resource.arn, &b.1.message))
        });
        v
    };
    let compiled = sorted(CompiledBackend::new(&store).evaluate(&cx, &ids));
    let reference = sorted(ReferenceBackend::new(&store).evaluate(&cx, &ids));
    assert_eq!(compiled.len(), reference.len());
    for (c, r) in compiled.iter().zip(&reference) {
        assert_eq!(c, r, "rule `{}`", ids[c.0].1);
    }
    for status in [crate::vocab::Status::Pass, crate::vocab::Status::Fail] {
        assert!(
            compiled.iter().any(|(_, o)| o.status == status),
            "the synthetic organization has {status:?} outcomes"
        );
    }
    // Evidence is part of the outcome (compared above); every outcome has some.
    for (i, o) in &compiled {
        assert!(
            !o.evidence.is_empty(),
            "rule `{}` on `{}`: no evidence",
            ids[*i].1,
            o.resource.arn
        );
    }
}

/// A policy outside the compiled subset is evaluated by the reference backend, and says
/// so; the others stay compiled.
#[test]
fn a_policy_outside_the_subset_falls_back_to_the_reference() {
    let text = r#"
@id("listener-tls-decimal")
@title("t")
@area("encryption.in-transit")
@severity("low")
@remediation("r")
forbid (principal, action, resource is Aws::LoadBalancerListener)
when { decimal("1.5").lessThan(decimal("2.0")) && resource.protocol == "HTTPS" }
unless { resource has ssl_policy };

@id("listener-tls-plain")
@title("t")
@area("encryption.in-transit")
@severity("low")
@remediation("r")
forbid (principal, action, resource is Aws::LoadBalancerListener)
when { resource.protocol == "HTTPS" }
unless { resource has ssl_policy };
"#;
    let store = PolicyStore::from_sources([(PathBuf::from("p/t.cedar"), text.to_owned())])
        .expect("valid policies");
    let backend = CompiledBackend::new(&store);
    let fallbacks = backend.fallbacks();
    assert_eq!(fallbacks.len(), 1, "{fallbacks:?}");
    assert_eq!(fallbacks[0].0, "listener-tls-decimal");
    assert!(fallbacks[0].1.contains("lessThan"), "{fallbacks:?}");

    let ruleset = Ruleset::bundled().expect("ruleset");
    let snapshot = crate::model::sample_snapshot().expect("sample");
    let facts = crate::facts::Facts::derive(&snapshot, &ruleset.parameters);
    let cx = RuleContext {
        snapshot: &snapshot,
        facts: &facts,
        now: snapshot.taken_at,
    };
    let ids = [(0, "listener-tls-decimal"), (1, "listener-tls-plain")];
    let mut compiled = backend.evaluate(&cx, &ids);
    let mut reference = ReferenceBackend::new(&store).evaluate(&cx, &ids);
    for v in [&mut compiled, &mut reference] {
        v.sort_by(|a, b| (a.0, &a.1.resource.arn).cmp(&(b.0, &b.1.resource.arn)));
    }
    assert!(!compiled.is_empty());
    assert_eq!(compiled, reference);
}

/// An entity literal whose attributes would be read is left to the reference backend (its
/// entity store answers for every entity of the account, the model view only for the
/// resource and the keys it refers to).
#[test]
fn entity_literals_compile_only_where_they_are_compared() {
    let compile = |condition: &str| {
        let text = format!("forbid (principal, action, resource) when {{ {condition} }};");
        let policy = Policy::from_str(&text).expect("policy parses");
        CompiledPolicy::from_est(&policy.to_json().expect("json")).map(|_| ())
    };
    assert!(compile(r#"resource in Org::OU::"ou-1""#).is_ok());
    assert!(compile(r#"resource in [Org::OU::"ou-1", Org::Root::"r"]"#).is_ok());
    assert!(compile(r#"resource.kms_key == Aws::KmsKey::"k""#).is_ok());
    assert!(compile(r#"Org::OU::"ou-1".name == "x""#).is_err());
    assert!(compile(r#"Org::OU::"ou-1" in Org::Root::"r""#).is_err());
    assert!(compile(r#"resource.hasTag("env")"#).is_err());
}

// ---------------------------------------------------------------------------------------
// The differential property test: random entities, random policies, cedar-policy's
// authorizer against the compiled evaluator.

const ATTRS: [&str; 3] = ["a", "b", "c"];

/// One generated entity: its uid, attributes and parents.
type WorldEntity = (
    Uid<'static>,
    Vec<(&'static str, Value<'static>)>,
    Vec<Uid<'static>>,
);

/// The entities of a generated world: every entity of the store, with its attributes and
/// parents (some referenced uids have no entity).
#[derive(Debug, Clone)]
struct World {
    entities: Vec<WorldEntity>,
    context: Vec<(&'static str, Value<'static>)>,
}

fn uid(ty: &'static str, id: &'static str) -> Uid<'static> {
    Uid::new(ty, id)
}

const RESOURCE: (&str, &str) = ("Aws::S3Bucket", "res");

/// Entity uids values and literals are drawn from: the store's, and some it does not hold.
fn uid_pool() -> Vec<Uid<'static>> {
    vec![
        uid("Org::Root", "r"),
        uid("Org::OU", "a"),
        uid("Org::OU", "b"),
        uid("Org::OU", "missing"),
        uid("Org::Account", "acct"),
        uid(RESOURCE.0, RESOURCE.1),
        uid("Aws::KmsKey", "k1"),
        uid("Aws::KmsKey", "k2"),
    ]
}

fn value_strategy() -> impl Strategy<Value = Value<'static>> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![(-3i64..4), Just(i64::MAX), Just(i64::MIN)].prop_map(Value::Long),
        prop::sample::select(vec!["", "x", "y", "ab", "a*b"]).prop_map(|s| Value::String(s.into())),
        prop::sample::select(uid_pool()).prop_map(Value::Entity),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| Value::Set(v.into())),
            prop::collection::vec((prop::sample::select(ATTRS.to_vec()), inner), 0..3).prop_map(
                |fields| Value::record(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
            ),
        ]
    })
}

fn attrs_strategy() -> impl Strategy<Value = Vec<(&'static str, Value<'static>)>> {
    prop::collection::vec(
        (prop::sample::select(ATTRS.to_vec()), value_strategy()),
        0..4,
    )
    .prop_map(|mut attrs| {
        // One value per name: a later one wins, as in the store.
        attrs.reverse();
        let mut seen = HashSet::new();
        attrs.retain(|(k, _)| seen.insert(*k));
        attrs
    })
}

fn world_strategy() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(attrs_strategy(), 6),
        0usize..3,
        any::<bool>(),
        attrs_strategy(),
    )
        .prop_map(|(mut attrs, account_parent, key_local, context)| {
            let mut next = || attrs.pop().unwrap_or_default();
            let account_parent = [
                uid("Org::OU", "b"),
                uid("Org::OU", "a"),
                uid("Org::Root", "r"),
            ][account_parent]
                .clone();
            let key_parents = if key_local {
                vec![uid("Org::Account", "acct")]
            } else {
                Vec::new()
            };
            World {
                entities: vec![
                    (uid("Org::Root", "r"), next(), Vec::new()),
                    (uid("Org::OU", "a"), next(), vec![uid("Org::Root", "r")]),
                    (uid("Org::OU", "b"), next(), vec![uid("Org::OU", "a")]),
                    (uid("Org::Account", "acct"), next(), vec![account_parent]),
                    (
                        uid(RESOURCE.0, RESOURCE.1),
                        next(),
                        vec![uid("Org::Account", "acct")],
                    ),
                    (uid("Aws::KmsKey", "k1"), next(), key_parents),
                ],
                context,
            }
        })
}

impl AttributeView for World {
    fn resource(&self) -> Uid<'_> {
        uid(RESOURCE.0, RESOURCE.1)
    }

    fn context(&self) -> Value<'_> {
        Value::record(
            self.context
                .iter()
                .map(|(k, v)| ((*k).into(), v.clone()))
                .collect(),
        )
    }

    fn attr<'v>(&'v self, entity: &Uid<'_>, name: &str) -> Lookup<'v> {
        match self.entities.iter().find(|(u, _, _)| u == entity) {
            None => Lookup::NoEntity,
            Some((_, attrs, _)) => match attrs.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => Lookup::Found(v.clone()),
                None => Lookup::Missing,
            },
        }
    }

    fn is_in(&self, entity: &Uid<'_>, ancestor: &Uid<'_>) -> bool {
        let mut frontier = vec![Uid::new(entity.ty.to_string(), entity.id.to_string())];
        let mut seen = Vec::new();
        while let Some(u) = frontier.pop() {
            if u == *ancestor {
                return true;
            }
            if seen.contains(&u) {
                continue;
            }
            if let Some((_, _, parents)) = self.entities.iter().find(|(x, _, _)| *x == u) {
                frontier.extend(parents.iter().cloned());
            }
            seen.push(u);
        }
        false
    }
}

fn cedar_uid(u: &Uid<'_>) -> EntityUid {
    EntityUid::from_str(&u.to_string()).expect("generated uids parse")
}

impl World {
    fn cedar_entities(&self) -> Entities {
        let entities = self.entities.iter().map(|(u, attrs, parents)| {
            Entity::new(
                cedar_uid(u),
                attrs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), restricted(v).expect("restricted value")))
                    .collect::<HashMap<String, RestrictedExpression>>(),
                parents.iter().map(cedar_uid).collect::<HashSet<_>>(),
            )
            .expect("entity")
        });
        Entities::from_entities(entities, None).expect("entities")
    }

    fn cedar_context(&self) -> Context {
        Context::from_pairs(
            self.context
                .iter()
                .map(|(k, v)| ((*k).to_owned(), restricted(v).expect("restricted value"))),
        )
        .expect("context")
    }
}

/// Cedar source of a random expression, depth-bounded. Entity literals appear where the
/// compiled subset takes them (compared, or the hierarchy of an `in`).
fn expr_strategy() -> impl Strategy<Value = String> {
    let attr = prop::sample::select(ATTRS.to_vec());
    let entity_literal =
        prop::sample::select(uid_pool()).prop_map(|u| format!("{}::\"{}\"", u.ty, u.id));
    let leaf = prop_oneof![
        Just("true".to_owned()),
        Just("false".to_owned()),
        (-3i64..4).prop_map(|n| format!("({n})")),
        Just("9223372036854775807".to_owned()),
        prop::sample::select(vec!["\"\"", "\"x\"", "\"ab\"", "\"a*b\""]).prop_map(str::to_owned),
        Just("resource".to_owned()),
        Just("principal".to_owned()),
        Just("context".to_owned()),
        attr.clone().prop_map(|a| format!("resource.{a}")),
        attr.clone().prop_map(|a| format!("context.{a}")),
        (attr.clone(), attr.clone()).prop_map(|(a, b)| format!("resource.{a}.{b}")),
    ];
    leaf.prop_recursive(3, 24, 3, move |inner| {
        let bin = |op: &'static str, inner: BoxedStrategy<String>| {
            (inner.clone(), inner).prop_map(move |(l, r)| format!("({l} {op} {r})"))
        };
        let inner = inner.boxed();
        prop_oneof![
            inner.clone().prop_map(|e| format!("(!{e})")),
            inner.clone().prop_map(|e| format!("(-{e})")),
            bin("==", inner.clone()),
            bin("!=", inner.clone()),
            bin("<", inner.clone()),
            bin("<=", inner.clone()),
            bin(">", inner.clone()),
            bin(">=", inner.clone()),
            bin("+", inner.clone()),
            bin("-", inner.clone()),
            bin("*", inner.clone()),
            bin("&&", inner.clone()),
            bin("||", inner.clone()),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, t, e)| format!("(if {c} then {t} else {e})")),
            (inner.clone(), entity_literal.clone()).prop_map(|(l, r)| format!("({l} in {r})")),
            (
                inner.clone(),
                prop::collection::vec(entity_literal.clone(), 0..3)
            )
                .prop_map(|(l, r)| format!("({l} in [{}])", r.join(", "))),
            bin("in", inner.clone()),
            (inner.clone(), entity_literal.clone()).prop_map(|(l, r)| format!("({l} == {r})")),
            (inner.clone(), attr.clone()).prop_map(|(e, a)| format!("({e} has {a})")),
            (inner.clone(), attr.clone(), attr.clone())
                .prop_map(|(e, a, b)| format!("({e} has {a}.{b})")),
            (inner.clone(), attr.clone()).prop_map(|(e, a)| format!("({e}).{a}")),
            (
                inner.clone(),
                prop::sample::select(vec!["*", "", "x", "a*", "*b", "a\\*b", "*a*"])
            )
                .prop_map(|(e, p)| format!("({e} like \"{p}\")")),
            (inner.clone(), inner.clone()).prop_map(|(s, e)| format!("({s}).contains({e})")),
            (inner.clone(), inner.clone()).prop_map(|(s, e)| format!("({s}).containsAll({e})")),
            (inner.clone(), inner.clone()).prop_map(|(s, e)| format!("({s}).containsAny({e})")),
            inner.clone().prop_map(|s| format!("({s}).isEmpty()")),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{a: {a}, b: {b}}}")),
            (
                inner.clone(),
                prop::sample::select(vec!["Aws::S3Bucket", "Aws::KmsKey", "Org::OU"])
            )
                .prop_map(|(e, t)| format!("({e} is {t})")),
        ]
    })
}

/// A policy: `forbid` with a resource constraint and up to three `when`/`unless` clauses.
fn policy_strategy() -> impl Strategy<Value = String> {
    let constraint = prop::sample::select(vec![
        "resource",
        "resource is Aws::S3Bucket",
        "resource is Aws::KmsKey",
        "resource in Org::OU::\"a\"",
        "resource in Org::OU::\"missing\"",
        "resource is Aws::S3Bucket in Org::Root::\"r\"",
        "resource == Aws::S3Bucket::\"res\"",
    ]);
    let clause = (any::<bool>(), expr_strategy())
        .prop_map(|(when, e)| format!("{} {{ {e} }}", if when { "when" } else { "unless" }));
    (constraint, prop::collection::vec(clause, 0..4)).prop_map(|(c, clauses)| {
        format!("forbid (principal, action, {c})\n{};", clauses.join("\n"))
    })
}

/// Cedar's answer for one policy: satisfied, or its evaluation error.
fn cedar_answer(policy: &Policy, world: &World, entities: &Entities) -> Result<bool, String> {
    let set = PolicySet::from_policies([policy.clone()]).expect("one policy is a set");
    let request = Request::new(
        cedar_uid(&uid(PRINCIPAL.0, PRINCIPAL.1)),
        cedar_uid(&uid(ACTION.0, ACTION.1)),
        cedar_uid(&uid(RESOURCE.0, RESOURCE.1)),
        world.cedar_context(),
        None,
    )
    .expect("request");
    let response = Authorizer::new().is_authorized(&request, &set, entities);
    if let Some(e) = response.diagnostics().errors().next() {
        let cedar_policy::AuthorizationError::PolicyEvaluationError(e) = e;
        return Err(e.inner().to_string());
    }
    let satisfied = response.diagnostics().reason().next().is_some();
    Ok(satisfied)
}

/// The reference backend's verdict, from Cedar's answers for the `forbid` and its scope.
fn reference_verdict(text: &str, world: &World) -> Option<Verdict> {
    let forbid = Policy::parse(Some(PolicyId::new("rule")), text).ok()?;
    let est = forbid.to_json().ok()?;
    let scope = scope_policy(&est, "rule").ok()?;
    let entities = world.cedar_entities();
    Some(match cedar_answer(&forbid, world, &entities) {
        Err(e) => Verdict::Error(EvalError(e)),
        Ok(true) => Verdict::Fail,
        Ok(false) => match &scope {
            None => Verdict::Pass,
            Some(scope) => match cedar_answer(scope, world, &entities) {
                Err(e) => Verdict::Error(EvalError(e)),
                Ok(true) => Verdict::Pass,
                Ok(false) => Verdict::OutOfScope,
            },
        },
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// On every generated world and policy, the compiled policy gives the reference's
    /// verdict: the same decision, the same determining policy, the same error message.
    #[test]
    fn compiled_policies_agree_with_cedar(world in world_strategy(), text in policy_strategy()) {
        // Generated text Cedar refuses (e.g. too many chained operators) says nothing.
        let Some(expected) = reference_verdict(&text, &world) else {
            return Ok(());
        };
        let policy = Policy::parse(None, &text).expect("parsed above");
        let compiled = CompiledPolicy::from_est(&policy.to_json().expect("json"))
            .map_err(|e| TestCaseError::fail(format!("not compiled: {}", e.0)))?;
        prop_assert_eq!(compiled.verdict(&world), expected, "{}", text);
    }
}

/// `in` a set holding non-entities fails naming the kind Cedar meets first in its own
/// value order, not in the order the set was written (found by the property test).
#[test]
fn in_a_mixed_set_names_the_kind_cedar_reads_first() {
    let sets: [Vec<Value<'static>>; 4] = [
        vec![Value::Long(0), Value::Bool(false)],
        vec![Value::Bool(false), Value::Long(0)],
        vec![
            Value::Entity(uid("Org::OU", "a")),
            Value::String("x".into()),
            Value::Long(1),
        ],
        vec![Value::Set(Vec::new().into()), Value::String("x".into())],
    ];
    for items in sets {
        let world = World {
            entities: vec![
                (uid("Org::Root", "r"), Vec::new(), Vec::new()),
                (uid("Org::OU", "a"), Vec::new(), vec![uid("Org::Root", "r")]),
                (
                    uid("Org::Account", "acct"),
                    Vec::new(),
                    vec![uid("Org::OU", "a")],
                ),
                (
                    uid(RESOURCE.0, RESOURCE.1),
                    vec![("b", Value::Set(items.clone().into()))],
                    vec![uid("Org::Account", "acct")],
                ),
            ],
            context: Vec::new(),
        };
        let text = "forbid (principal, action, resource) unless { resource in resource.b };";
        let expected = reference_verdict(text, &world).expect("Cedar parses it");
        assert!(
            matches!(expected, Verdict::Error(_)),
            "{items:?}: {expected:?}"
        );
        let policy = Policy::parse(None, text).expect("parses");
        let compiled =
            CompiledPolicy::from_est(&policy.to_json().expect("json")).expect("compiles");
        assert_eq!(compiled.verdict(&world), expected, "{items:?}");
    }
}
