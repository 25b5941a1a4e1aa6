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

#[test]
fn bundled_policies_load_and_validate() {
    let store = PolicyStore::bundled().expect("bundled policies are valid");
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
