use std::path::Path;

use rampart_iac::{parse_document, Document, Template};

use super::*;
use crate::model::{sample_snapshot, Tags};
use crate::rules::{Catalog, Engine};
use crate::ruleset::Ruleset;

/// A template declaring a bucket (`Bucket`, line 3) and a key (`Key`, line 5).
const BUCKET_AND_KEY: &str = "\
AWSTemplateFormatVersion: \"2010-09-09\"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Key:
    Type: AWS::KMS::Key
";

/// A template declaring a queue under the logical id `Bucket`.
const QUEUE_NAMED_BUCKET: &str = "\
Resources:
  Bucket:
    Type: AWS::SQS::Queue
";

fn template(text: &str) -> Template {
    match parse_document(Path::new("t.yaml"), text.as_bytes()) {
        Ok(Some(Document::CloudFormation(t))) => t,
        other => panic!("not a template: {other:?}"),
    }
}

fn index(files: &[(&str, &str)]) -> TemplateIndex {
    let templates: Vec<(String, Template)> = files
        .iter()
        .map(|(uri, text)| ((*uri).to_owned(), template(text)))
        .collect();
    TemplateIndex::new(templates.iter().map(|(uri, t)| (uri.clone(), t)))
}

/// The file of the template found for `stack`, `ambiguous`, or `none`.
fn found(index: &TemplateIndex, stack: &str, declared: &[(&str, &str)]) -> String {
    match index.stack_template(stack, declared) {
        StackTemplate::Found(t) => t.uri().to_owned(),
        StackTemplate::Ambiguous(..) => "ambiguous".to_owned(),
        StackTemplate::NotFound => "none".to_owned(),
    }
}

const BUCKET: (&str, &str) = ("Bucket", "AWS::S3::Bucket");

#[test]
fn the_stem_names_the_stack_whatever_the_case() {
    let index = index(&[
        ("stacks/Payments-Network.yaml", BUCKET_AND_KEY),
        ("stacks/payments.json", BUCKET_AND_KEY),
    ]);
    assert_eq!(index.len(), 2);
    assert_eq!(
        found(&index, "payments-network", &[BUCKET]),
        "stacks/Payments-Network.yaml"
    );
    assert_eq!(found(&index, "PAYMENTS", &[]), "stacks/payments.json");
    let StackTemplate::Found(payments) = index.stack_template("payments", &[]) else {
        panic!("payments.json not found");
    };
    assert_eq!(
        payments.declaration("Key", "AWS::KMS::Key"),
        Some(&Location {
            uri: "stacks/payments.json".to_owned(),
            line: 5,
            column: 3,
        })
    );
    assert_eq!(payments.declaration("Key", "AWS::S3::Bucket"), None);
}

#[test]
fn a_stack_named_with_a_prefix_or_suffix_takes_the_longest_stem() {
    let index = index(&[
        ("app.yaml", BUCKET_AND_KEY),
        ("network.yaml", BUCKET_AND_KEY),
        ("payments-network.yaml", BUCKET_AND_KEY),
    ]);
    // `…-network` and `…-payments-network` both end it: the longer stem wins.
    assert_eq!(
        found(&index, "prod-payments-network", &[]),
        "payments-network.yaml"
    );
    assert_eq!(found(&index, "network-eu-west-1", &[]), "network.yaml");
    assert_eq!(found(&index, "App-Prod", &[]), "app.yaml");
    // A stem is a whole dash-separated part of the name, not any substring.
    assert_eq!(found(&index, "appnetwork", &[]), "none");
    assert_eq!(found(&index, "prod-app-eu", &[]), "none");
}

#[test]
fn a_stack_set_instance_is_named_after_its_stack_set() {
    let index = index(&[("baseline-roles.yaml", BUCKET_AND_KEY)]);
    assert_eq!(
        found(
            &index,
            "StackSet-baseline-roles-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            &[]
        ),
        "baseline-roles.yaml"
    );
    assert_eq!(stack_set_name("StackSet-x-not-a-uuid"), None);
    assert_eq!(
        stack_set_name("StackSet--0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
        None
    );
}

#[test]
fn without_a_name_the_only_template_declaring_the_resource_is_its_template() {
    let index = index(&[
        ("data.yaml", BUCKET_AND_KEY),
        ("queues.yaml", QUEUE_NAMED_BUCKET),
    ]);
    // `Bucket` is declared twice, but as a bucket only once.
    assert_eq!(found(&index, "orders", &[BUCKET]), "data.yaml");
    assert_eq!(
        found(&index, "orders", &[("Bucket", "AWS::SQS::Queue")]),
        "queues.yaml"
    );
    assert_eq!(
        found(&index, "orders", &[("Bucket", "AWS::EC2::Volume")]),
        "none"
    );
    assert_eq!(found(&index, "orders", &[]), "none");
}

#[test]
fn two_candidates_are_never_chosen_between() {
    // The same stem twice.
    let same_stem = index(&[
        ("eu/web.yaml", BUCKET_AND_KEY),
        ("us/web.json", BUCKET_AND_KEY),
    ]);
    assert_eq!(found(&same_stem, "web", &[BUCKET]), "ambiguous");
    // Two stems of the same length, one a prefix and one a suffix.
    let two_affixes = index(&[("web.yaml", BUCKET_AND_KEY), ("api.yaml", BUCKET_AND_KEY)]);
    assert_eq!(found(&two_affixes, "web-api", &[]), "ambiguous");
    // Two templates declaring the resource, neither named after the stack.
    let two_declaring = index(&[("a.yaml", BUCKET_AND_KEY), ("b.yaml", BUCKET_AND_KEY)]);
    assert_eq!(found(&two_declaring, "orders", &[BUCKET]), "ambiguous");
    // A stack whose resources are declared in two templates, one each.
    let split = index(&[("a.yaml", BUCKET_AND_KEY), ("b.yaml", QUEUE_NAMED_BUCKET)]);
    assert_eq!(
        found(&split, "orders", &[BUCKET, ("Bucket", "AWS::SQS::Queue")]),
        "ambiguous"
    );
}

fn tag(tags: &mut Tags, stack: &str, logical_id: &str) {
    tags.insert(STACK_NAME_TAG.to_owned(), stack.to_owned());
    tags.insert(LOGICAL_ID_TAG.to_owned(), logical_id.to_owned());
}

#[test]
fn link_sets_locations_and_gives_one_notice_per_stack() {
    let mut snapshot = sample_snapshot().expect("sample");
    let mut tagged_buckets = Vec::new();
    for account in &mut snapshot.accounts {
        for bucket in &mut account.storage.s3_buckets {
            // Clear the sample's own stack tags, if any.
            bucket
                .tags
                .retain(|k, _| !k.starts_with("aws:cloudformation:"));
        }
    }
    // Three buckets deployed by stack `data` (one since renamed in the template), and two
    // by stack `elsewhere`, which both templates declare.
    let mut buckets = snapshot.accounts.iter_mut().flat_map(|a| {
        a.storage
            .s3_buckets
            .iter_mut()
            .filter(|b| !b.tags.contains_key("DataClassification"))
    });
    for (stack, id) in [
        ("data", "Bucket"),
        ("data", "Bucket"),
        ("data", "OldBucket"),
        ("elsewhere", "Bucket"),
        ("elsewhere", "Logs"),
    ] {
        let bucket = buckets.next().expect("enough buckets");
        tag(&mut bucket.tags, stack, id);
        tagged_buckets.push((bucket.arn.clone(), stack, id));
    }
    let catalog = Catalog::bundled().expect("catalog");
    let mut ruleset = Ruleset::bundled().expect("ruleset");
    ruleset.rules.include = vec![
        "data-store-classification".to_owned(),
        "s3-bucket-secure-transport".to_owned(),
    ];
    ruleset.rules.exclude.clear();
    let mut evaluation = Engine::new(&catalog, &ruleset)
        .expect("engine")
        .evaluate(&snapshot, snapshot.taken_at);
    let before = evaluation.findings.clone();
    let templates = index(&[
        ("stacks/data.yaml", BUCKET_AND_KEY),
        ("stacks/unrelated.yaml", BUCKET_AND_KEY),
    ]);

    let notices = link(&mut evaluation, &snapshot, &templates);

    let messages: Vec<&str> = notices.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "stack `data`: its template `stacks/data.yaml` declares no `OldBucket` (AWS::S3::Bucket); findings about it are not linked to it",
            "stack `elsewhere`: several templates under --iac could be its template (`stacks/data.yaml`, `stacks/unrelated.yaml`); its findings are not linked",
        ]
    );
    let mut linked = BTreeSet::new();
    for (after, before) in evaluation.findings.iter().zip(&before) {
        // Nothing but the location changes, and the order stays.
        assert_eq!(
            Finding {
                location: None,
                ..after.clone()
            },
            *before
        );
        let tagged = tagged_buckets
            .iter()
            .find(|(arn, ..)| *arn == after.resource);
        match tagged {
            Some((arn, "data", "Bucket")) => {
                linked.insert(arn.clone());
                assert_eq!(
                    after.location,
                    Some(Location {
                        uri: "stacks/data.yaml".to_owned(),
                        line: 3,
                        column: 3,
                    })
                );
            }
            _ => assert_eq!(after.location, None, "{}", after.resource),
        }
    }
    // Both buckets of the stack that the template declares.
    assert_eq!(linked.len(), 2);
    assert_eq!(evaluation.findings.len(), before.len());

    // Without templates, every tagged stack is reported once.
    let mut again = Engine::new(&catalog, &ruleset)
        .expect("engine")
        .evaluate(&snapshot, snapshot.taken_at);
    let notices = link(&mut again, &snapshot, &TemplateIndex::default());
    assert_eq!(notices.len(), 2);
    assert!(notices
        .iter()
        .all(|n| n.message.contains("no template under --iac")));
}
