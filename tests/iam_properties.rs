//! Properties of the IAM evaluator that must hold for every input (proptest).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use proptest::prelude::*;
use rampart::policy::evaluate::{evaluate, Decision, PolicyInputs, Principal, Request};
use rampart::policy::{parse_policy, Policy, RequestContext};
use serde_json::{json, Value};

const ACTIONS: [&str; 6] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:*",
    "s3:Get*",
    "kms:Decrypt",
    "*",
];
const RESOURCES: [&str; 4] = [
    "*",
    "arn:aws:s3:::data/*",
    "arn:aws:s3:::logs/*",
    "arn:aws:kms:eu-west-1:111122223333:key/*",
];
const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];

fn statement() -> impl Strategy<Value = Value> {
    (
        prop::bool::ANY,
        prop::sample::subsequence(ACTIONS.to_vec(), 1..3),
        prop::bool::ANY,
        prop::sample::subsequence(RESOURCES.to_vec(), 1..3),
        prop::option::of(prop::sample::select(REGIONS.to_vec())),
    )
        .prop_map(|(allow, actions, not_action, resources, region)| {
            let mut s =
                json!({"Effect": if allow { "Allow" } else { "Deny" }, "Resource": resources});
            s[if not_action { "NotAction" } else { "Action" }] = json!(actions);
            if let Some(r) = region {
                s["Condition"] = json!({"StringEquals": {"aws:RequestedRegion": r}});
            }
            s
        })
}

fn document() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(statement(), 1..4)
}

fn policy(statements: &[Value]) -> Policy {
    parse_policy(&json!({"Version": "2012-10-17", "Statement": statements}).to_string()).unwrap()
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec![
            "s3:GetObject",
            "s3:PutObject",
            "kms:Decrypt",
            "iam:PassRole",
        ]),
        prop::sample::select(vec![
            "arn:aws:s3:::data/a",
            "arn:aws:s3:::logs/b",
            "arn:aws:kms:eu-west-1:111122223333:key/k",
        ]),
        prop::sample::select(REGIONS.to_vec()),
    )
        .prop_map(|(action, resource, region)| Request {
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_account: "111122223333".to_owned(),
            resource_in_management_account: false,
            resource_is_aws_managed_key: false,
            context: RequestContext::new().with("aws:RequestedRegion", region),
        })
}

fn principal() -> Principal {
    Principal {
        arn: "arn:aws:iam::111122223333:role/app".to_owned(),
        account: "111122223333".to_owned(),
        ..Principal::default()
    }
}

/// A full-access SCP, so that chains start permissive.
fn full_access() -> Policy {
    policy(&[json!({"Effect": "Allow", "Action": "*", "Resource": "*"})])
}

fn decide(identity: &[Policy], scps: Option<&[Vec<Policy>]>, request: &Request) -> Decision {
    let inputs = PolicyInputs {
        identity,
        scp_chain: scps,
        ..PolicyInputs::default()
    };
    evaluate(&inputs, &principal(), request).decision
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Adding a Deny statement never turns a denied request into an allowed one.
    #[test]
    fn an_added_deny_never_allows(docs in prop::collection::vec(document(), 1..3), extra in statement(), req in request()) {
        let identity: Vec<Policy> = docs.iter().map(|d| policy(d)).collect();
        let before = decide(&identity, None, &req);
        let mut deny = extra;
        deny["Effect"] = json!("Deny");
        let mut with_deny = identity.clone();
        with_deny.push(policy(&[deny]));
        let after = decide(&with_deny, None, &req);
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow);
        }
    }

    /// Statement order never changes a decision.
    #[test]
    fn statement_order_is_irrelevant(doc in document(), req in request(), seed in any::<u64>()) {
        let before = decide(&[policy(&doc)], None, &req);
        let mut shuffled = doc.clone();
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed.rotate_left(i as u32) as usize) % n;
            shuffled.swap(i, j);
        }
        shuffled.reverse();
        prop_assert_eq!(before, decide(&[policy(&shuffled)], None, &req));
    }

    /// An SCP Allow added at one level never removes a permission.
    #[test]
    fn an_added_scp_allow_never_removes_a_permission(
        identity in document(),
        levels in prop::collection::vec(document(), 1..4),
        extra in statement(),
        level in any::<prop::sample::Index>(),
        req in request(),
    ) {
        let identity = vec![policy(&identity)];
        let chain: Vec<Vec<Policy>> = levels.iter().map(|d| vec![full_access(), policy(d)]).collect();
        let before = decide(&identity, Some(&chain), &req);
        let mut allow = extra;
        allow["Effect"] = json!("Allow");
        let mut widened = chain.clone();
        widened[level.index(chain.len())].push(policy(&[allow]));
        let after = decide(&identity, Some(&widened), &req);
        if before == Decision::Allow {
            prop_assert_eq!(after, Decision::Allow);
        }
    }

    /// SCPs never grant: without an identity Allow, nothing is allowed.
    #[test]
    fn scps_never_grant(levels in prop::collection::vec(document(), 1..3), req in request()) {
        let chain: Vec<Vec<Policy>> = levels.iter().map(|d| vec![policy(d)]).collect();
        prop_assert_ne!(decide(&[], Some(&chain), &req), Decision::Allow);
    }
}

/// Patterns over real action names: a service (or `*`), a name prefix, and wildcards.
fn action_pattern() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["s3", "iam", "kms", "ec2", "*", "s?", "sts"]),
        prop::sample::select(vec![
            "Get", "get", "Put", "List", "Create", "Describe", "", "Pass", "Assume",
        ]),
        prop::sample::select(vec!["*", "", "?*", "Role*", "Object", "*Policy"]),
    )
        .prop_map(|(service, verb, tail)| format!("{service}:{verb}{tail}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Wildcard expansion through the catalog agrees with matching each action directly.
    #[test]
    fn catalog_expansion_agrees_with_direct_matching(pattern in action_pattern()) {
        use rampart::policy::catalog::ActionCatalog;
        use rampart::policy::wildcard::matches_ignore_case;
        let catalog = ActionCatalog::get().unwrap();
        let expanded = catalog.expand(&pattern);
        let direct: Vec<&str> = catalog
            .expand("*")
            .into_iter()
            .filter(|a| matches_ignore_case(&pattern, a))
            .collect();
        prop_assert_eq!(expanded, direct);
    }
}
