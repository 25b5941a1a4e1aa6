use std::path::PathBuf;

use super::{PolicyError, PolicyStore};
use crate::model::ResourceType;
use crate::rules::{Area, Severity};

const GOOD: &str = r#"// leading comment
@id("kms-rotation-test")
@title("Keys rotate")
@area("encryption.key-management")
@severity("medium")
@remediation("turn rotation on")
forbid (principal, action, resource is Aws::KmsKey)
when { !resource.rotation_enabled };
"#;

fn load(text: &str) -> Result<PolicyStore, PolicyError> {
    PolicyStore::from_sources([(PathBuf::from("p/test.cedar"), text.to_owned())])
}

fn error_of(text: &str) -> (usize, usize, String) {
    match load(text) {
        Err(PolicyError::Invalid {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("policy should not load"),
    }
}

/// A run loads the bundled policies without checking them against the schema: this test
/// is where they are (schema validation, `@message` placeholders, each type's policy set).
#[test]
fn bundled_policies_load_and_validate() {
    let store = PolicyStore::bundled().expect("bundled policies load");
    let checked = PolicyStore::from_sources(super::store::bundled_sources())
        .expect("bundled policies are valid");
    assert_eq!(store.rules(), checked.rules());
    assert!(store.rules().len() >= 6);
    for rule in store.rules() {
        let loc = rule.location.as_ref().expect("cedar rules have a location");
        assert!(
            loc.uri.starts_with("policies/") && loc.uri.ends_with(".cedar"),
            "{}",
            loc.uri
        );
    }
}

#[test]
fn metadata_comes_from_annotations() {
    let store = load(GOOD).expect("valid");
    let meta = &store.rules()[0];
    assert_eq!(meta.id, "kms-rotation-test");
    assert_eq!(meta.area, Area::EncryptionKeyManagement);
    assert_eq!(meta.severity, Severity::Medium);
    assert_eq!(meta.resource_types, vec![ResourceType::KmsKey]);
    assert_eq!(
        meta.reads,
        vec![crate::model::Read::Service(crate::model::Service::Kms)]
    );
    // The policy starts at its first annotation, after the comment.
    assert_eq!(meta.location.as_ref().map(|l| l.line), Some(2));
    assert!(meta
        .doc
        .contains("forbid (principal, action, resource is Aws::KmsKey)"));
    assert_eq!(
        store.cedar_rules()[0].policy.id().to_string(),
        "kms-rotation-test"
    );
}

#[test]
fn syntax_error_names_line_and_column() {
    let (line, column, message) = error_of(&GOOD.replace("when {", "when {{"));
    assert_eq!(line, 8, "{message}");
    assert!(column > 1);
    assert!(message.starts_with("cedar syntax error"), "{message}");
}

#[test]
fn attribute_typo_is_a_validation_error_at_its_line() {
    let (line, _, message) = error_of(&GOOD.replace("rotation_enabled", "rotation_enable"));
    assert_eq!(line, 8, "{message}");
    assert!(message.contains("rampart schema"), "{message}");
    assert!(!message.contains('\n'));
}

#[test]
fn unknown_entity_type_is_rejected() {
    let (line, _, message) = error_of(&GOOD.replace("Aws::KmsKey", "Aws::KmsKeys"));
    assert_eq!(line, 7, "{message}");
}

#[test]
fn missing_annotation_is_named() {
    let (line, _, message) = error_of(&GOOD.replace("@remediation(\"turn rotation on\")\n", ""));
    assert_eq!(line, 2);
    assert!(message.contains("`@remediation"), "{message}");
}

#[test]
fn unknown_area_suggests_the_closest() {
    let (_, _, message) =
        error_of(&GOOD.replace("encryption.key-management", "encryption.key-managment"));
    assert!(
        message.contains("did you mean `encryption.key-management`"),
        "{message}"
    );
}

#[test]
fn unknown_annotation_suggests_the_closest() {
    let (_, _, message) = error_of(&GOOD.replace("@remediation", "@remedation"));
    assert!(message.contains("did you mean `@remediation`"), "{message}");
}

#[test]
fn permit_is_not_a_rule() {
    let (_, _, message) = error_of(&GOOD.replace("forbid", "permit"));
    assert!(message.contains("`permit` is not allowed"), "{message}");
}

#[test]
fn duplicate_ids_across_files_are_rejected() {
    let err = PolicyStore::from_sources([
        (PathBuf::from("a.cedar"), GOOD.to_owned()),
        (PathBuf::from("b.cedar"), GOOD.to_owned()),
    ])
    .expect_err("duplicate");
    assert!(
        err.to_string()
            .contains("duplicate rule id `kms-rotation-test`"),
        "{err}"
    );
    assert!(err.to_string().starts_with("b.cedar:2:1"), "{err}");
}

#[test]
fn several_policies_in_one_file_get_their_own_lines() {
    let second = GOOD
        .replace("// leading comment\n", "")
        .replace("kms-rotation-test", "second-rule");
    let store = load(&format!("{GOOD}\n{second}")).expect("valid");
    let lines: Vec<u32> = store
        .rules()
        .iter()
        .filter_map(|r| r.location.as_ref().map(|l| l.line))
        .collect();
    assert_eq!(lines, vec![2, 10]);
}

#[test]
fn applies_to_narrows_untyped_policies() {
    let text = GOOD
        .replace("resource is Aws::KmsKey", "resource")
        .replace(
            "!resource.rotation_enabled",
            "resource.classification == \"x\"",
        )
        .replace(
            "@severity",
            "@applies_to(\"Aws::S3Bucket, Aws::RdsDbInstance\")\n@severity",
        );
    let store = load(&text).expect("valid");
    assert_eq!(
        store.rules()[0].resource_types,
        vec![ResourceType::S3Bucket, ResourceType::RdsDbInstance]
    );
}

#[test]
fn message_placeholders_are_checked_against_the_schema() {
    let with_message = |message: &str| {
        GOOD.replace(
            "@remediation(\"turn rotation on\")",
            &format!("@remediation(\"turn rotation on\")\n@message(\"{message}\")"),
        )
    };
    assert!(load(&with_message("key {key_state} in {region} ({arn})")).is_ok());
    let (line, _, message) = error_of(&with_message("key {key_stat} is off"));
    assert_eq!(line, 2);
    assert!(
        message
            .contains("`@message` placeholder `{key_stat}` is not an attribute of `Aws::KmsKey`")
            && message.contains("did you mean `{key_state}`?"),
        "{message}"
    );
    let (_, _, message) = error_of(&with_message("key {key_state"));
    assert!(message.contains("unclosed `{`"), "{message}");
}

#[test]
fn when_clauses_are_the_scope_and_attributes_come_from_the_syntax_tree() {
    let store = load(
        r#"@id("scoped")
@title("t")
@area("encryption.key-management")
@severity("low")
@remediation("r")
forbid (principal, action, resource is Aws::KmsKey)
when { resource.key_manager == "CUSTOMER" }
unless { resource.rotation_enabled };
"#,
    )
    .expect("valid");
    let rule = &store.cedar_rules()[0];
    let scope = rule
        .scope
        .as_ref()
        .expect("a when clause is a scope")
        .policy()
        .expect("builds");
    assert_eq!(scope.id().to_string(), "scoped#scope");
    assert_eq!(scope.effect(), cedar_policy::Effect::Permit);
    assert!(!scope.to_string().contains("rotation_enabled"), "{scope}");
    let attrs: Vec<&str> = rule.attributes.iter().map(String::as_str).collect();
    assert_eq!(attrs, ["key_manager", "rotation_enabled"]);
    // Without a `when` clause a rule applies to every resource of its type.
    let store = load(&GOOD.replace(
        "when { !resource.rotation_enabled }",
        "unless { resource.rotation_enabled || resource.key_state == \"effective_actions\" }",
    ))
    .expect("valid");
    assert!(store.cedar_rules()[0].scope.is_none());
    // An attribute named in a string is not a reference.
    assert!(!store.cedar_rules()[0]
        .attributes
        .contains("effective_actions"));
}

/// Every entity the builder makes conforms to the schema, for every account of the
/// sample organization and of a synthetic one: each attribute is declared, with its type,
/// and a required attribute is missing only where the model leaves it unread.
#[test]
fn built_entities_conform_to_the_schema() {
    use std::collections::HashSet;

    use serde_json::Value;

    use super::entities::{build_account, KeyIndex, TypeNames};
    use super::schema_index::{AttrType, SchemaIndex};
    use crate::facts::Facts;
    use crate::ruleset::Ruleset;
    use crate::synth::{generate, SynthSpec};

    /// Required attributes the builder leaves out when the data was not read (or, for the
    /// environment, when the ruleset maps none): a policy reading them is then unknown.
    const MAY_BE_UNREAD: &[(&str, &str)] = &[
        ("*", "environment"),
        ("Aws::KmsKey", "rotation_enabled"),
        ("Aws::S3Bucket", "encryption"),
        ("Aws::S3Bucket", "public_access_block"),
        // Effective permissions need every policy of the principal: a managed policy that
        // was not read leaves them out.
        ("Aws::IamRole", "effective_actions"),
        ("Aws::IamRole", "effective_services"),
        ("Aws::IamRole", "effective_access_levels"),
        ("Aws::IamUser", "effective_actions"),
        ("Aws::IamUser", "effective_services"),
        ("Aws::IamUser", "effective_access_levels"),
    ];

    fn conforms(ty: &AttrType, v: &Value) -> bool {
        match (ty, v) {
            (AttrType::String, Value::String(_)) => true,
            (AttrType::Long, Value::Number(n)) => n.is_i64(),
            (AttrType::Bool, Value::Bool(_)) => true,
            (AttrType::Set(element), Value::Array(items)) => {
                items.iter().all(|i| conforms(element, i))
            }
            (AttrType::Record(attrs), Value::Object(fields)) => {
                fields
                    .iter()
                    .all(|(k, v)| attrs.get(k).is_some_and(|a| conforms(&a.ty, v)))
                    && attrs
                        .iter()
                        .all(|(k, a)| !a.required || fields.contains_key(k))
            }
            (AttrType::Entity(name), Value::Object(fields)) => fields
                .get("__entity")
                .and_then(|e| e.get("type"))
                .and_then(Value::as_str)
                .is_some_and(|t| t == name),
            (AttrType::Extension(_), Value::Object(fields)) => fields.contains_key("__extn"),
            _ => false,
        }
    }

    let index = &SchemaIndex::new(super::SCHEMA_TEXT).expect("schema");
    let ruleset = Ruleset::bundled().expect("ruleset");
    let sample = crate::model::sample_snapshot().expect("sample");
    let synthetic = generate(&SynthSpec {
        accounts: 5,
        resources: 300,
        seed: 7,
    });
    let names = TypeNames::new().expect("type names");
    let wanted: HashSet<ResourceType> = ResourceType::ALL.into_iter().collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for snapshot in [&sample, &synthetic] {
        let facts = Facts::derive(snapshot, &ruleset.parameters);
        let keys = KeyIndex::new(snapshot);
        for account in &snapshot.accounts {
            // Effective permissions cost IAM evaluations per action (seconds in a debug
            // build): one account of the sample with varied roles exercises them.
            let effective = account.id == "888899990000";
            let built = build_account(&names, &keys, snapshot, &facts, account, &wanted, effective)
                .expect("entities build");
            for entity in built.entities.iter() {
                let json = entity.to_json_value().expect("entity json");
                let ty = json["uid"]["type"].as_str().unwrap_or_default().to_owned();
                let id = json["uid"]["id"].as_str().unwrap_or_default().to_owned();
                let Some(declared) = index.attributes(&ty) else {
                    problems.push(format!("`{ty}` is not declared in the schema"));
                    continue;
                };
                let attrs = json["attrs"].as_object().cloned().unwrap_or_default();
                for (name, value) in &attrs {
                    match declared.get(name) {
                        None => problems.push(format!("{ty} `{id}`: `{name}` is not declared")),
                        Some(a) if !conforms(&a.ty, value) => problems.push(format!(
                            "{ty} `{id}`: `{name}` = {value} does not have type {:?}",
                            a.ty
                        )),
                        Some(_) => {}
                    }
                }
                for (name, a) in declared {
                    let excused = MAY_BE_UNREAD
                        .iter()
                        .any(|(t, n)| (*t == "*" || *t == ty) && n == name);
                    if a.required && !attrs.contains_key(name) && !excused {
                        problems.push(format!("{ty} `{id}`: required `{name}` is missing"));
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} entities checked");
    problems.sort();
    let shown: Vec<&str> = problems.iter().take(30).map(String::as_str).collect();
    assert!(
        problems.is_empty(),
        "{} problems, first {}:\n{}",
        problems.len(),
        shown.len(),
        shown.join("\n")
    );
}

#[test]
fn reads_annotations_name_the_vocabulary() {
    let (line, _, message) = error_of(&GOOD.replace(
        "@severity(\"medium\")",
        "@severity(\"medium\")\n@reads(\"kms:GetKeyRotatoinStatus\")",
    ));
    assert_eq!(line, 2);
    assert!(
        message.contains("`@reads`: unknown operation `kms:GetKeyRotatoinStatus`")
            && message.contains("kms:GetKeyRotationStatus"),
        "{message}"
    );
    let (_, _, message) = error_of(&GOOD.replace(
        "@severity(\"medium\")",
        "@severity(\"medium\")\n@reads(\"s3:GetBucketPolicy\")",
    ));
    assert!(
        message.contains("`@reads` must name the service of `Aws::KmsKey`"),
        "{message}"
    );
}

/// A rule's findings do not depend on which other rules run: a resource that one Cedar
/// rule fails stays in the scope of the others (Cedar's reasons for a Deny name only the
/// `forbid`s, so the scopes are asked again), on every resource of the sample.
#[test]
fn findings_do_not_depend_on_the_other_rules() {
    use crate::rules::{Catalog, Engine, RuleKind};
    use crate::ruleset::Ruleset;

    let catalog = Catalog::bundled().expect("catalog");
    let base = Ruleset::bundled().expect("ruleset");
    let snapshot = crate::model::sample_snapshot().expect("sample");
    let now = snapshot.taken_at;
    let all = Engine::new(&catalog, &base)
        .expect("engine")
        .evaluate(&snapshot, now);
    let mut checked = 0;
    for rule in catalog
        .rules()
        .iter()
        .filter(|r| r.meta().kind == RuleKind::Cedar)
    {
        let id = rule.meta().id.clone();
        let mut alone = base.clone();
        alone.rules.include = vec![id.clone()];
        alone.rules.exclude.clear();
        let by_itself = Engine::new(&catalog, &alone)
            .expect("engine")
            .evaluate(&snapshot, now);
        let together: Vec<_> = all.findings.iter().filter(|f| *f.rule_id == *id).collect();
        let separate: Vec<_> = by_itself.findings.iter().collect();
        assert_eq!(
            together.len(),
            separate.len(),
            "`{id}`: {} findings with every rule, {} alone",
            together.len(),
            separate.len()
        );
        for (a, b) in together.iter().zip(&separate) {
            assert_eq!((&a.resource, a.status), (&b.resource, b.status), "`{id}`");
        }
        checked += 1;
    }
    assert!(checked >= 25, "{checked} Cedar rules checked");
}
