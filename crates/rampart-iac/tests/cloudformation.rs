//! CloudFormation fixtures: positions of resources and properties, short-form tags, the
//! resolver's known and unknown answers, unknown types, `Fn::ForEach`, errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

mod common;

use common::{fixture, position_of, template, without_spans};
use rampart_iac::cfn::{
    PseudoParameter, ResolveContext, Resolved, ResourceReference, ResourceType, Template,
    UnknownReason,
};
use rampart_iac::{parse_document, parse_file, Document, Node, Position, Span, Syntax};

fn pos(line: u32, column: u32) -> Position {
    Position::new(line, column)
}

fn property<'t>(template: &'t Template, id: &str, path: &[&str]) -> &'t Node {
    template
        .resource(id)
        .and_then(|r| r.property(path))
        .unwrap_or_else(|| panic!("{id} has no {path:?}"))
}

fn resolved(template: &Template, id: &str, path: &[&str], context: &ResolveContext) -> Resolved {
    template.resolve(property(template, id, path), context)
}

fn tag(template: &Template, id: &str, key: &str, context: &ResolveContext) -> Resolved {
    let tags = template.resolve(property(template, id, &["Tags"]), context);
    let Resolved::List(tags) = tags else {
        panic!("tags: {tags:?}")
    };
    tags.into_iter()
        .find(|t| t.get("Key").and_then(Resolved::as_str) == Some(key))
        .and_then(|t| t.get("Value").cloned())
        .unwrap_or_else(|| panic!("no tag {key}"))
}

fn string(s: &str) -> Resolved {
    Resolved::String(s.to_owned())
}

fn reason(value: &Resolved) -> &UnknownReason {
    match value {
        Resolved::Unknown(u) => &u.reason,
        other => panic!("known: {other:?}"),
    }
}

fn resource_ref(id: &str, attribute: Option<&str>) -> ResourceReference {
    ResourceReference {
        logical_id: id.to_owned(),
        attribute: attribute.map(str::to_owned),
    }
}

#[test]
fn yaml_template_sections_and_positions() {
    let t = template("cloudformation/data-bucket.yaml");
    assert_eq!(t.syntax, Syntax::Yaml);
    assert_eq!(t.format_version.as_deref(), Some("2010-09-09"));
    let ids: Vec<&str> = t.resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["DataKey", "DataBucket", "AppRole", "AppInstance"]);
    let names: Vec<&str> = t.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Env", "Suffix", "Subnets", "AmiId"]);
    assert_eq!(t.parameters[0].span.start, pos(4, 3));
    assert_eq!(t.conditions.len(), 5);
    assert_eq!(t.mappings[0].name, "EnvConfig");

    let bucket = t.resource("DataBucket").unwrap();
    assert_eq!(
        bucket.resource_type,
        ResourceType::Aws("AWS::S3::Bucket".to_owned())
    );
    assert_eq!(bucket.id_span, Span::new(pos(43, 3), pos(43, 13)));
    assert_eq!(bucket.type_span, Span::new(pos(44, 11), pos(44, 26)));
    assert_eq!(bucket.span.start, pos(43, 3));
    assert_eq!(bucket.span.end, pos(76, 41));
    assert_eq!(bucket.depends_on, ["DataKey"]);
    assert_eq!(bucket.suppressions.len(), 1);
    assert_eq!(bucket.suppressions[0].rule_id, "s3-access-logging");
    assert_eq!(
        bucket.suppressions[0].reason,
        "access is logged by CloudTrail data events"
    );
    assert_eq!(bucket.suppressions[0].span.start, pos(49, 13));

    let properties = bucket.properties.as_ref().unwrap();
    assert_eq!(properties.span.start, pos(52, 7));
    let name = properties.entry("BucketName").unwrap();
    assert_eq!(name.key_span, Span::new(pos(52, 7), pos(52, 17)));
    // A short form's node starts at its tag.
    let key = property(
        &t,
        "DataBucket",
        &["BucketEncryption", "ServerSideEncryptionConfiguration"],
    );
    let key = key.as_sequence().unwrap()[0]
        .pointer(&["ServerSideEncryptionByDefault", "KMSMasterKeyID"])
        .unwrap();
    assert_eq!(key.span, Span::new(pos(57, 31), pos(57, 50)));
    assert_eq!(
        t.resource("AppRole").unwrap().condition.as_deref(),
        Some("IsProd")
    );
}

#[test]
fn short_forms_are_the_long_forms() {
    let yaml = template("cloudformation/data-bucket.yaml");
    let json = template("cloudformation/data-bucket.json");
    assert_eq!(json.syntax, Syntax::Json);
    assert_eq!(without_spans(&yaml.root), without_spans(&json.root));
    for (y, j) in yaml.resources.iter().zip(&json.resources) {
        assert_eq!(y.logical_id, j.logical_id);
        assert_eq!(y.suppressions.len(), j.suppressions.len());
        let context = ResolveContext::new();
        let resolve = |t: &Template, n: &Option<Node>| n.as_ref().map(|n| t.resolve(n, &context));
        assert_eq!(resolve(&yaml, &y.properties), resolve(&json, &j.properties));
    }
    let (name, argument) = property(&yaml, "DataBucket", &["VersioningConfiguration", "Status"])
        .intrinsic()
        .unwrap();
    assert_eq!(name, "Fn::If");
    assert_eq!(argument.as_sequence().unwrap().len(), 3);
    // Positions in the JSON twin.
    let text = std::fs::read_to_string(fixture("cloudformation/data-bucket.json")).unwrap();
    let bucket = json.resource("DataBucket").unwrap();
    assert_eq!(bucket.id_span.start, pos(109, 5));
    assert_eq!(
        bucket.id_span.start,
        position_of(&text, "\"DataBucket\": {")
    );
    let sse = property(
        &json,
        "DataBucket",
        &["BucketEncryption", "ServerSideEncryptionConfiguration"],
    );
    let key = sse.as_sequence().unwrap()[0]
        .pointer(&["ServerSideEncryptionByDefault", "KMSMasterKeyID"])
        .unwrap();
    assert_eq!(key.span.start, pos(131, 35));
    assert_eq!(key.span.end, pos(136, 18));
}

#[test]
fn resolver_known_values() {
    let t = template("cloudformation/data-bucket.yaml");
    let none = ResolveContext::new();
    assert_eq!(
        resolved(&t, "DataBucket", &["BucketName"], &none),
        string("orders-prod-data")
    );
    assert_eq!(
        resolved(
            &t,
            "DataBucket",
            &["LoggingConfiguration", "DestinationBucketName"],
            &none
        ),
        string("orders-logs-prod")
    );
    assert_eq!(
        resolved(
            &t,
            "DataBucket",
            &["LoggingConfiguration", "LogFilePrefix"],
            &none
        ),
        string("logs/prod/b")
    );
    assert_eq!(
        resolved(
            &t,
            "DataBucket",
            &["VersioningConfiguration", "Status"],
            &none
        ),
        string("Enabled")
    );
    assert_eq!(
        tag(&t, "DataBucket", "first-subnet", &none),
        string("subnet-a")
    );
    assert_eq!(
        resolved(&t, "AppInstance", &["SubnetId"], &none),
        string("subnet-a")
    );
    assert_eq!(
        resolved(&t, "AppInstance", &["UserData"], &none),
        string("IyEvYmluL2Jhc2gK")
    );
    assert_eq!(
        resolved(&t, "DataKey", &["EnableKeyRotation"], &none),
        Resolved::Bool(true)
    );

    // Given values override defaults and decide conditions.
    let dev = ResolveContext::new()
        .with_parameter("Env", "dev")
        .with_parameter("Suffix", "x");
    assert_eq!(
        resolved(&t, "DataBucket", &["BucketName"], &dev),
        string("orders-dev-data")
    );
    assert_eq!(
        resolved(
            &t,
            "DataBucket",
            &["LoggingConfiguration", "DestinationBucketName"],
            &dev
        ),
        string("orders-logs-dev")
    );
    assert_eq!(
        resolved(
            &t,
            "DataBucket",
            &["VersioningConfiguration", "Status"],
            &dev
        ),
        string("Suspended")
    );
    assert_eq!(tag(&t, "DataBucket", "suffix", &dev), string("orders-x"));
    // `!If [ProdAndSuffix, true, !Ref AWS::NoValue]` with Env=dev removes the property.
    let properties = t.resolve(
        t.resource("DataBucket")
            .unwrap()
            .properties
            .as_ref()
            .unwrap(),
        &dev,
    );
    assert!(properties.get("ObjectLockEnabled").is_none());
    assert!(properties.get("BucketName").is_some());
    let prod = ResolveContext::new().with_parameter("Suffix", "x");
    assert_eq!(
        resolved(&t, "DataBucket", &["ObjectLockEnabled"], &prod),
        Resolved::Bool(true)
    );

    // Pseudo parameters are known only when given.
    let principal = &["KeyPolicy", "Statement"];
    let account = ResolveContext::new()
        .with_pseudo(PseudoParameter::Partition, "aws")
        .with_pseudo(PseudoParameter::AccountId, "111122223333");
    let statement = resolved(&t, "DataKey", principal, &account);
    let Resolved::List(statements) = statement else {
        panic!()
    };
    assert_eq!(
        statements[0].get("Principal").and_then(|p| p.get("AWS")),
        Some(&string("arn:aws:iam::111122223333:root"))
    );
    let statement = resolved(&t, "DataKey", principal, &none);
    let Resolved::List(statements) = statement else {
        panic!()
    };
    let arn = statements[0]
        .get("Principal")
        .and_then(|p| p.get("AWS"))
        .unwrap();
    assert_eq!(
        reason(arn),
        &UnknownReason::PseudoParameter("AWS::Partition".to_owned())
    );
}

#[test]
fn conditions() {
    let t = template("cloudformation/data-bucket.yaml");
    let none = ResolveContext::new();
    assert_eq!(t.evaluate_condition("IsProd", &none), Ok(true));
    // `Or` is true when one operand is, even if another is undecidable.
    assert_eq!(t.evaluate_condition("ProdOrSuffix", &none), Ok(true));
    let and = t.evaluate_condition("ProdAndSuffix", &none).unwrap_err();
    assert_eq!(
        and.reason,
        UnknownReason::Condition("ProdAndSuffix".to_owned())
    );
    assert!(t.evaluate_condition("InUsEast1", &none).is_err());
    let region = ResolveContext::new().with_pseudo(PseudoParameter::Region, "us-east-1");
    assert_eq!(t.evaluate_condition("InUsEast1", &region), Ok(true));
    let dev = ResolveContext::new().with_parameter("Env", "dev");
    assert_eq!(t.evaluate_condition("ProdAndSuffix", &dev), Ok(false));
}

#[test]
fn resolver_unknown_values_keep_their_reason_and_references() {
    let t = template("cloudformation/data-bucket.yaml");
    let none = ResolveContext::new();
    let sse = resolved(
        &t,
        "DataBucket",
        &["BucketEncryption", "ServerSideEncryptionConfiguration"],
        &none,
    );
    let key = match &sse {
        Resolved::List(rules) => rules[0]
            .get("ServerSideEncryptionByDefault")
            .and_then(|d| d.get("KMSMasterKeyID"))
            .unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        reason(key),
        &UnknownReason::Resource(resource_ref("DataKey", Some("Arn")))
    );
    assert_eq!(sse.references(), [resource_ref("DataKey", Some("Arn"))]);
    assert!(!sse.is_known());
    assert_eq!(
        reason(&tag(&t, "DataBucket", "key-ref", &none)),
        &UnknownReason::Resource(resource_ref("DataKey", None))
    );
    assert_eq!(
        reason(&tag(&t, "DataBucket", "key-arn", &none)),
        &UnknownReason::Resource(resource_ref("DataKey", Some("Arn")))
    );
    assert_eq!(
        reason(&tag(&t, "DataBucket", "suffix", &none)),
        &UnknownReason::Parameter("Suffix".to_owned())
    );
    assert_eq!(
        reason(&tag(&t, "DataBucket", "shared", &none)),
        &UnknownReason::ImportValue
    );
    assert_eq!(
        reason(&tag(&t, "DataBucket", "second-az", &none)),
        &UnknownReason::NotEvaluated("Fn::GetAZs".to_owned())
    );
    assert_eq!(
        reason(&resolved(&t, "AppInstance", &["ImageId"], &none)),
        &UnknownReason::SsmParameter("AmiId".to_owned())
    );
    assert_eq!(
        reason(&tag(&t, "AppInstance", "cidr", &none)),
        &UnknownReason::NotEvaluated("Fn::Cidr".to_owned())
    );
    let policy = resolved(&t, "AppRole", &["Policies"], &none);
    assert_eq!(
        policy.references(),
        [resource_ref("DataBucket", Some("Arn"))]
    );
    assert!(matches!(
        reason(&resolved(&t, "DataBucket", &["ObjectLockEnabled"], &none)),
        UnknownReason::Condition(name) if name == "ProdAndSuffix"
    ));
}

#[test]
fn invalid_functions_are_unknown_with_a_position() {
    let text = "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Nope\n      Other: !Select [5, [a, b]]\n      Loop: !If [Missing, a, b]\n";
    let Some(Document::CloudFormation(t)) =
        parse_document("t.yaml".as_ref(), text.as_bytes()).unwrap()
    else {
        panic!()
    };
    let none = ResolveContext::new();
    let UnknownReason::Invalid { position, message } =
        reason(&resolved(&t, "A", &["BucketName"], &none)).clone()
    else {
        panic!()
    };
    assert_eq!(
        (position, message.as_str()),
        (
            pos(5, 19),
            "`Ref` to `Nope`, which is neither a parameter nor a resource"
        )
    );
    assert!(matches!(
        reason(&resolved(&t, "A", &["Other"], &none)),
        UnknownReason::Invalid { .. }
    ));
    assert!(matches!(
        reason(&resolved(&t, "A", &["Loop"], &none)),
        UnknownReason::Invalid { .. }
    ));
}

#[test]
fn conditions_in_a_cycle_are_unknown_not_a_crash() {
    let text = "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\nResources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: !If [A, 1, 2]\n";
    let Some(Document::CloudFormation(t)) =
        parse_document("t.yaml".as_ref(), text.as_bytes()).unwrap()
    else {
        panic!()
    };
    assert!(!resolved(&t, "R", &["X"], &ResolveContext::new()).is_known());
}

#[test]
fn tabs_in_json_are_json() {
    let t = template("cloudformation/tabs.json");
    assert_eq!(t.syntax, Syntax::Json);
    let logs = t.resource("Logs").unwrap();
    assert_eq!(logs.id_span.start, pos(4, 3));
    assert_eq!(logs.type_span.start, pos(5, 12));
    assert_eq!(
        t.resolve(
            logs.property(&["BucketName"]).unwrap(),
            &ResolveContext::new()
        ),
        string("tabbed-logs")
    );
}

#[test]
fn unknown_types_are_kept() {
    let t = template("cloudformation/rain-module.yaml");
    let types: Vec<&ResourceType> = t.resources.iter().map(|r| &r.resource_type).collect();
    assert_eq!(
        types,
        [
            &ResourceType::Unknown("Rain::Module".to_owned()),
            &ResourceType::Custom("Custom::Seeder".to_owned()),
            &ResourceType::Unknown("Acme::Storage::Bucket::MODULE".to_owned()),
            &ResourceType::Aws("AWS::Lambda::Function".to_owned()),
        ]
    );
    let none = ResolveContext::new();
    assert_eq!(
        reason(&resolved(&t, "SeederFunction", &["Role"], &none)),
        &UnknownReason::Resource(resource_ref("Network", Some("RoleArn")))
    );
    assert_eq!(t.resource("Network").unwrap().id_span.start, pos(3, 3));
}

#[test]
fn for_each_is_kept_unexpanded() {
    let t = template("cloudformation/for-each.yaml");
    assert_eq!(t.transform, ["AWS::LanguageExtensions"]);
    assert_eq!(t.for_each.len(), 1);
    let block = &t.for_each[0];
    assert_eq!(block.key, "Fn::ForEach::Topics");
    assert_eq!(block.identifier, "TopicName");
    assert_eq!(block.span.start, pos(8, 3));
    assert!(block.output.get("Topic${TopicName}").is_some());
    let none = ResolveContext::new();
    assert_eq!(
        t.resolve(&block.collection, &none),
        Resolved::List(vec![string("orders"), string("payments")])
    );
    // Only `Queue` is a resource; a `Ref` to a generated one stays unknown, not invalid.
    assert_eq!(t.resources.len(), 1);
    assert_eq!(
        reason(&resolved(&t, "Queue", &["QueueName"], &none)),
        &UnknownReason::PseudoParameter("AWS::StackName".to_owned())
    );
    let named = ResolveContext::new().with_pseudo(PseudoParameter::StackName, "orders");
    assert_eq!(
        resolved(&t, "Queue", &["QueueName"], &named),
        string("orders-queue")
    );
    assert_eq!(
        resolved(&t, "Queue", &["KmsMasterKeyId"], &none),
        string("alias/aws/sqs")
    );
    let resources = t.root.get("Resources").unwrap();
    let whole = t.resolve(resources, &none);
    assert_eq!(
        whole.get("Fn::ForEach::Topics").map(|v| matches!(v, Resolved::Unknown(u) if u.reason == UnknownReason::ForEach("Fn::ForEach::Topics".to_owned()))),
        Some(true)
    );
}

#[test]
fn errors_name_file_line_and_column() {
    let cases = [
        (
            "errors/trailing-comma.json",
            "7:29: trailing comma before `}`",
        ),
        (
            "errors/duplicate-key.yaml",
            "9:7: duplicate key `BucketName`",
        ),
        (
            "errors/skip-without-reason.yaml",
            "7:13: the skip of `s3-versioning` needs a `reason`",
        ),
    ];
    for (file, expected) in cases {
        let path = fixture(file);
        let error = parse_file(&path).unwrap_err();
        assert_eq!(error.to_string(), format!("{}:{expected}", path.display()));
    }
}

#[test]
fn byte_order_marks_and_utf16() {
    let text = std::fs::read_to_string(fixture("cloudformation/data-bucket.yaml")).unwrap();
    let plain = template("cloudformation/data-bucket.yaml");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(text.as_bytes());
    let mut utf16be = vec![0xFE, 0xFF];
    utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    for bytes in [with_bom, utf16be] {
        let Some(Document::CloudFormation(t)) = parse_document("t.yaml".as_ref(), &bytes).unwrap()
        else {
            panic!()
        };
        assert_eq!(t, plain);
    }
}
