#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports unexpected input"
)]

use super::*;
use crate::source::Syntax;
use crate::tree::Position;
use crate::yaml::parse_yaml;

const HEAD: &str = "Transform: AWS::LanguageExtensions\n";

fn parse(text: &str) -> Template {
    Template::from_tree(Syntax::Yaml, parse_yaml(text).unwrap()).unwrap()
}

fn expand(text: &str) -> Template {
    expand_with(text, &ResolveContext::new())
}

fn expand_with(text: &str, context: &ResolveContext) -> Template {
    parse(text).expand_for_each(context).unwrap()
}

fn ids(t: &Template) -> Vec<&str> {
    t.resources.iter().map(|r| r.logical_id.as_str()).collect()
}

fn property(t: &Template, id: &str, path: &[&str]) -> Resolved {
    let node = t.resource(id).unwrap().property(path).unwrap();
    t.resolve(node, &ResolveContext::new())
}

fn string(s: &str) -> Resolved {
    Resolved::String(s.to_owned())
}

#[test]
fn literal_collection_with_identifier_in_keys_refs_and_subs() {
    let t = expand(&format!(
        "{HEAD}Resources:
  Fn::ForEach::Buckets:
    - Name
    - [A, B]
    - Bucket${{Name}}:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub 'data-${{Name}}-${{AWS::Region}}'
          Tags:
            - Key: name
              Value: !Ref Name
  Other:
    Type: AWS::SNS::Topic
"
    ));
    assert_eq!(ids(&t), ["BucketA", "BucketB", "Other"]);
    assert!(t.for_each.is_empty() && t.undecided_loops.is_empty());
    // Both point into the loop body: the key as written, line 6.
    let a = t.resource("BucketA").unwrap();
    assert_eq!(a.id_span.start, Position::new(6, 7));
    assert_eq!(
        t.resource("BucketB").unwrap().id_span.start,
        Position::new(6, 7)
    );
    assert_eq!(a.type_span.start, Position::new(7, 15));
    assert_eq!(
        property(&t, "BucketB", &["Tags"]),
        Resolved::List(vec![Resolved::Map(vec![
            ("Key".to_owned(), string("name")),
            ("Value".to_owned(), string("B")),
        ])])
    );
    let context =
        ResolveContext::new().with_pseudo(super::super::PseudoParameter::Region, "eu-west-1");
    let name = a.property(&["BucketName"]).unwrap();
    assert_eq!(t.resolve(name, &context), string("data-A-eu-west-1"));
}

#[test]
fn nested_loops_and_names_given_through_sub() {
    let t = expand(&format!(
        "{HEAD}Resources:
  Vpc:
    Type: AWS::EC2::VPC
  Fn::ForEach::Tiers:
    - Tier
    - [Public, Private]
    - Acl${{Tier}}:
        Type: AWS::EC2::NetworkAcl
        Properties:
          VpcId: !Ref Vpc
      Fn::ForEach::Zones:
        - Zone
        - [a, b]
        - ${{Tier}}Subnet${{Zone}}:
            Type: AWS::EC2::Subnet
          Assoc${{Tier}}${{Zone}}:
            Type: AWS::EC2::SubnetNetworkAclAssociation
            Properties:
              SubnetId: !Ref
                Fn::Sub: '${{Tier}}Subnet${{Zone}}'
              NetworkAclId: !GetAtt [!Sub 'Acl${{Tier}}', Id]
"
    ));
    assert_eq!(
        ids(&t),
        [
            "Vpc",
            "AclPublic",
            "PublicSubneta",
            "AssocPublica",
            "PublicSubnetb",
            "AssocPublicb",
            "AclPrivate",
            "PrivateSubneta",
            "AssocPrivatea",
            "PrivateSubnetb",
            "AssocPrivateb",
        ]
    );
    let assoc = t.resource("AssocPrivateb").unwrap();
    let subnet = assoc.property(&["SubnetId"]).unwrap();
    assert_eq!(
        subnet.get("Ref").and_then(Node::as_str),
        Some("PrivateSubnetb")
    );
    let acl = assoc.property(&["NetworkAclId", "Fn::GetAtt"]).unwrap();
    assert_eq!(acl.as_sequence().unwrap()[0].as_str(), Some("AclPrivate"));
}

#[test]
fn ampersand_form_drops_non_alphanumerics() {
    let t = expand(&format!(
        "{HEAD}Resources:
  Fn::ForEach::Subnets:
    - Cidr
    - [10.0.2.0/24, 10.0.3.0/24]
    - Subnet&{{Cidr}}:
        Type: AWS::EC2::Subnet
        Properties:
          CidrBlock: !Ref Cidr
          Description: !Sub 'for ${{Cidr}} (&{{Cidr}})'
"
    ));
    assert_eq!(ids(&t), ["Subnet1002024", "Subnet1003024"]);
    assert_eq!(
        property(&t, "Subnet1003024", &["CidrBlock"]),
        string("10.0.3.0/24")
    );
    assert_eq!(
        property(&t, "Subnet1002024", &["Description"]),
        string("for 10.0.2.0/24 (1002024)")
    );
}

const LIST_PARAMETER: &str = "Transform: [AWS::LanguageExtensions]
Parameters:
  Names:
    Type: CommaDelimitedList
    Default: logs,data
Resources:
  Fn::ForEach::Buckets:
    - Name
    - !Ref Names
    - Bucket${Name}:
        Type: AWS::S3::Bucket
";

#[test]
fn collection_from_a_list_parameter_default_or_given() {
    assert_eq!(ids(&expand(LIST_PARAMETER)), ["Bucketlogs", "Bucketdata"]);
    let given = ResolveContext::new().with_parameter("Names", "a,b,c");
    assert_eq!(
        ids(&expand_with(LIST_PARAMETER, &given)),
        ["Bucketa", "Bucketb", "Bucketc"]
    );
}

#[test]
fn collection_from_a_mapping_keyed_by_an_outer_identifier() {
    let t = expand(&format!(
        "{HEAD}Mappings:
  Queues:
    orders: {{Names: [in, out]}}
    billing: {{Names: [dlq]}}
Resources:
  Fn::ForEach::Apps:
    - App
    - [orders, billing]
    - Fn::ForEach::Queues:
        - Queue
        - !FindInMap [Queues, !Ref App, Names]
        - ${{App}}${{Queue}}:
            Type: AWS::SQS::Queue
"
    ));
    assert_eq!(ids(&t), ["ordersin", "ordersout", "billingdlq"]);
}

#[test]
fn undecided_collection_keeps_the_body_once_standing_for_the_loop() {
    let t = expand(&format!(
        "{HEAD}Parameters:
  Names:
    Type: CommaDelimitedList
Resources:
  Fn::ForEach::Buckets:
    - Name
    - !Ref Names
    - Bucket${{Name}}:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub 'data-&{{Name}}'
          VersioningConfiguration:
            Status: Enabled
  Fn::ForEach::Imported:
    - Key
    - !Split [',', !ImportValue shared-keys]
    - Key${{Key}}:
        Type: AWS::KMS::Key
"
    ));
    assert_eq!(ids(&t), ["Bucket${Name}", "Key${Key}"]);
    assert_eq!(t.undecided_loops.len(), 2);
    let bucket = t.resource("Bucket${Name}").unwrap();
    let loop_ = bucket.stands_for.as_ref().unwrap();
    assert_eq!(loop_.key, "Fn::ForEach::Buckets");
    assert_eq!(loop_.span.start, Position::new(6, 3));
    assert_eq!(
        loop_.reason.reason,
        UnknownReason::Parameter("Names".to_owned())
    );
    // What depends on the item is unknown; the rest is decided for every item.
    let Resolved::Unknown(name) = property(&t, "Bucket${Name}", &["BucketName"]) else {
        panic!("the name depends on the item");
    };
    assert_eq!(
        name.reason.to_string(),
        "an item of `Fn::ForEach::Buckets`, whose collection is not decided (parameter `Names` has no default and no value was given)"
    );
    assert_eq!(
        property(&t, "Bucket${Name}", &["VersioningConfiguration", "Status"]),
        string("Enabled")
    );
    let key = t
        .resource("Key${Key}")
        .unwrap()
        .stands_for
        .as_ref()
        .unwrap();
    assert_eq!(key.reason.reason, UnknownReason::ImportValue);
}

#[test]
fn generated_logical_id_declared_twice_is_an_error_at_the_second() {
    let e = parse(&format!(
        "{HEAD}Resources:
  BucketA:
    Type: AWS::S3::Bucket
  Fn::ForEach::Buckets:
    - Name
    - [A, B]
    - Bucket${{Name}}:
        Type: AWS::S3::Bucket
"
    ))
    .expand_for_each(&ResolveContext::new())
    .unwrap_err();
    assert_eq!(e.position, Position::new(8, 7));
    assert_eq!(
        e.message,
        "`BucketA` is declared twice once `Fn::ForEach` is expanded (first at 3:3)"
    );
    // Two items that differ only in what `&{}` drops.
    let e = parse(&format!(
        "{HEAD}Resources:
  Fn::ForEach::Subnets:
    - Cidr
    - [10.0.1.0/24, 10.0.10.24]
    - Subnet&{{Cidr}}:
        Type: AWS::EC2::Subnet
"
    ))
    .expand_for_each(&ResolveContext::new())
    .unwrap_err();
    assert_eq!(e.position, Position::new(6, 7));
    assert!(e.message.starts_with("`Subnet1001024` is declared twice"));
}

#[test]
fn loops_written_wrongly_are_errors() {
    let e = parse(&format!(
        "{HEAD}Parameters:
  One: {{Type: String, Default: x}}
Resources:
  Fn::ForEach::Bad:
    - Name
    - !Ref One
    - Thing${{Name}}: {{Type: AWS::SNS::Topic}}
"
    ))
    .expand_for_each(&ResolveContext::new())
    .unwrap_err();
    assert_eq!(e.position, Position::new(7, 7));
    assert_eq!(
        e.message,
        "the collection of `Fn::ForEach::Bad` must be a list of strings, found a single value"
    );
    let e = parse(&format!(
        "{HEAD}Resources:
  Topics:
    Type: AWS::SNS::Topic
  Fn::ForEach::Topics:
    - Name
    - [a]
    - Topic${{Name}}: {{Type: AWS::SNS::Topic}}
"
    ))
    .expand_for_each(&ResolveContext::new())
    .unwrap_err();
    assert_eq!(e.position, Position::new(5, 3));
    assert!(
        e.message.contains("the loop name `Topics`"),
        "{}",
        e.message
    );
    let e = parse(&format!(
        "{HEAD}Resources:
  Fn::ForEach::Outer:
    - Name
    - [a]
    - Fn::ForEach::Inner:
        - Name
        - [b]
        - T${{Name}}: {{Type: AWS::SNS::Topic}}
"
    ))
    .expand_for_each(&ResolveContext::new())
    .unwrap_err();
    assert!(e
        .message
        .contains("already the identifier of an enclosing loop"));
}

#[test]
fn properties_conditions_and_outputs() {
    let t = expand(&format!(
        "{HEAD}Mappings:
  Enabled:
    Flags: {{b: IsProd}}
Conditions:
  IsProd: !Equals [a, a]
  Fn::ForEach::Checks:
    - Env
    - [dev, prod]
    - Is${{Env}}: !Equals [!Ref Env, prod]
Resources:
  Fn::ForEach::Topics:
    - Name
    - [a, b]
    - Topic${{Name}}:
        Type: AWS::SNS::Topic
        Condition: !FindInMap [Enabled, Flags, !Ref Name, DefaultValue: !Ref AWS::NoValue]
        Properties:
          Fn::ForEach::Props:
            - Prop
            - [DisplayName, TopicName]
            - ${{Prop}}: !Sub '${{Prop}}-${{Name}}'
Outputs:
  Fn::ForEach::Arns:
    - Name
    - [a, b]
    - Arn${{Name}}:
        Value: !GetAtt [!Sub 'Topic${{Name}}', TopicArn]
"
    ));
    assert_eq!(t.resource("Topica").unwrap().condition, None);
    assert_eq!(
        t.resource("Topicb").unwrap().condition.as_deref(),
        Some("IsProd")
    );
    assert_eq!(
        property(&t, "Topicb", &["TopicName"]),
        string("TopicName-b")
    );
    assert_eq!(
        property(&t, "Topica", &["DisplayName"]),
        string("DisplayName-a")
    );
    let conditions: Vec<&str> = t.conditions.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(conditions, ["IsProd", "Isdev", "Isprod"]);
    assert_eq!(
        t.evaluate_condition("Isprod", &ResolveContext::new()),
        Ok(true)
    );
    assert_eq!(
        t.evaluate_condition("Isdev", &ResolveContext::new()),
        Ok(false)
    );
    let outputs: Vec<&str> = t.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(outputs, ["Arna", "Arnb"]);
}

#[test]
fn an_undecided_loop_in_properties_is_kept_and_reported() {
    let t = expand(&format!(
        "{HEAD}Parameters:
  Props: {{Type: CommaDelimitedList}}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Fn::ForEach::Props:
        - Prop
        - !Ref Props
        - ${{Prop}}: x
"
    ));
    let topic = t.resource("Topic").unwrap();
    assert_eq!(topic.unexpanded_property_loop(), Some("Fn::ForEach::Props"));
    assert!(topic.stands_for.is_none());
    assert_eq!(t.undecided_loops.len(), 1);
}

#[test]
fn without_the_transform_nothing_is_expanded() {
    let text = "Resources:
  Fn::ForEach::Topics:
    - Name
    - [a]
    - Topic${Name}: {Type: AWS::SNS::Topic}
";
    let t = expand(text);
    assert!(t.resources.is_empty());
    assert_eq!(t.for_each.len(), 1);
}

#[test]
fn expansion_is_bounded() {
    let items = (0..200)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let e = parse(&format!(
        "{HEAD}Resources:
  Fn::ForEach::A:
    - X
    - [{items}]
    - Fn::ForEach::B:
        - Y
        - [{items}]
        - T${{X}}x${{Y}}: {{Type: AWS::SNS::Topic}}
"
    ))
    .expand_for_each(&ResolveContext::new())
    .unwrap_err();
    assert!(e.message.contains("more than 10000 keys"), "{}", e.message);
}
