//! The keys [`evaluate`] derives in place agree with the copy [`prepare_context`] makes.

use proptest::prelude::*;

use super::*;

/// Condition keys in the spellings policies use, derived or not.
const KEYS: [&str; 14] = [
    "aws:PrincipalArn",
    "AWS:PRINCIPALARN",
    "aws:PrincipalAccount",
    "aws:principalaccount",
    "aws:ResourceAccount",
    "aws:username",
    "aws:UserName",
    "aws:PrincipalServiceName",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalTag/team",
    "aws:principaltag/Team",
    "aws:PrincipalTag/cost-center",
    "aws:PrincipalTag/",
    "aws:SourceIp",
];

fn principal() -> impl Strategy<Value = Principal> {
    let arn = prop_oneof![
        Just("arn:aws:iam::111122223333:role/app".to_owned()),
        Just("arn:aws:iam::111122223333:user/ops/alice".to_owned()),
        Just("arn:aws:iam::111122223333:user/bob".to_owned()),
        Just("arn:aws:sts::111122223333:assumed-role/app/session".to_owned()),
        Just("ec2.amazonaws.com".to_owned()),
        Just(String::new()),
    ];
    let account = prop_oneof![Just("111122223333".to_owned()), Just(String::new())];
    let tag_key = prop_oneof![
        Just("team"),
        Just("Team"),
        Just("TEAM"),
        Just("cost-center")
    ];
    let tag_value = prop_oneof![Just(""), Just("orders"), Just("Payments")];
    let tags = proptest::collection::btree_map(
        tag_key.prop_map(str::to_owned),
        tag_value.prop_map(str::to_owned),
        0..4,
    );
    (arn, account, tags).prop_map(|(arn, account, tags)| Principal {
        arn,
        account,
        tags,
        ..Principal::default()
    })
}

fn request() -> impl Strategy<Value = Request> {
    let set = (proptest::sample::select(KEYS.to_vec()), 0usize..3);
    (
        prop_oneof![Just("444455556666".to_owned()), Just(String::new())],
        proptest::collection::vec(set, 0..4),
    )
        .prop_map(|(resource_account, set)| {
            let mut context = RequestContext::new();
            for (key, shape) in set {
                context = match shape {
                    0 => context.with(key, "from-the-request"),
                    1 => context.with_multi(key, &["a", "b"]),
                    _ => context.with_multi(key, &[]),
                };
            }
            Request {
                action: "s3:GetObject".to_owned(),
                resource: "*".to_owned(),
                resource_account,
                context,
                ..Request::default()
            }
        })
}

proptest! {
    #[test]
    fn every_key_reads_the_same_in_place_as_in_the_prepared_copy(
        principal in principal(),
        request in request(),
    ) {
        let prepared = prepare_context(&principal, &request);
        let view = Derived { principal: &principal, request: &request };
        for key in KEYS {
            prop_assert_eq!(view.lookup(key), prepared.lookup(key), "{}", key);
        }
    }
}

#[test]
fn a_user_a_role_and_a_service_get_their_own_keys() {
    let request = Request {
        resource_account: "444455556666".to_owned(),
        ..Request::default()
    };
    let user = Principal {
        arn: "arn:aws:iam::111122223333:user/ops/alice".to_owned(),
        account: "111122223333".to_owned(),
        tags: [("Team".to_owned(), "orders".to_owned())].into(),
        ..Principal::default()
    };
    let view = Derived {
        principal: &user,
        request: &request,
    };
    assert_eq!(view.lookup("aws:username"), Some(ValueRef::Single("alice")));
    assert_eq!(
        view.lookup("aws:principaltag/TEAM"),
        Some(ValueRef::Single("orders"))
    );
    assert_eq!(
        view.lookup("aws:ResourceAccount"),
        Some(ValueRef::Single("444455556666"))
    );
    assert_eq!(view.lookup("aws:PrincipalIsAWSService"), None);

    let service = Principal {
        arn: "ec2.amazonaws.com".to_owned(),
        ..Principal::default()
    };
    let view = Derived {
        principal: &service,
        request: &request,
    };
    assert_eq!(view.lookup("aws:PrincipalArn"), None);
    assert_eq!(
        view.lookup("aws:PrincipalServiceName"),
        Some(ValueRef::Single("ec2.amazonaws.com"))
    );
    assert_eq!(
        view.lookup("aws:PrincipalIsAWSService"),
        Some(ValueRef::Single("true"))
    );
}
