//! Condition operators, one test per AWS rule; each names the rule it checks. Sources: "IAM
//! JSON policy elements: Condition operators" (ops), "Creating a condition with multiple
//! keys or values" (multi), "Single-valued vs. multivalued context keys" (svm).

use super::*;
use crate::document::Position;
use crate::{ConditionOperator, RequestContext};

/// A condition from the operator as written (`ForAnyValue:StringLikeIfExists`).
fn cond(operator: &str, key: &str, values: &[&str]) -> Condition {
    let (qualifier, rest) = match operator.split_once(':') {
        Some(("ForAllValues", rest)) => (Some(SetQualifier::ForAllValues), rest),
        Some(("ForAnyValue", rest)) => (Some(SetQualifier::ForAnyValue), rest),
        _ => (None, operator),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let base = base.to_owned();
    Condition {
        operator: ConditionOperator {
            qualifier,
            base,
            if_exists,
        },
        key: key.to_owned(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        position: Position::default(),
    }
}

/// Conditions on one key of one request context.
struct On<'a> {
    key: &'a str,
    context: RequestContext,
}

impl<'a> On<'a> {
    /// The key absent from the request.
    fn absent(key: &'a str) -> Self {
        Self {
            key,
            context: RequestContext::new(),
        }
    }

    /// The key with one value.
    fn one(key: &'a str, value: &str) -> Self {
        Self {
            key,
            context: RequestContext::new().with(key, value),
        }
    }

    /// The key with several (or no) values.
    fn multi(key: &'a str, values: &[&str]) -> Self {
        Self {
            key,
            context: RequestContext::new().with_multi(key, values),
        }
    }

    fn holds(&self, operator: &str, values: &[&str]) -> bool {
        evaluate(&cond(operator, self.key, values), &self.context, true)
    }
}

#[test]
fn string_equals_is_case_sensitive_on_values_but_not_keys() {
    let team = On::one("aws:PrincipalTag/Team", "Blue");
    assert!(team.holds("StringEquals", &["Blue"]));
    // "Context key names are not case-sensitive" (Condition element page).
    let cond = cond("StringEquals", "AWS:principaltag/team", &["Blue"]);
    assert!(evaluate(&cond, &team.context, true));
    // StringEquals: "Exact matching, case sensitive".
    assert!(!team.holds("StringEquals", &["blue"]));
    assert!(team.holds("StringEqualsIgnoreCase", &["bLUE"]));
    assert!(!team.holds("StringNotEqualsIgnoreCase", &["BLUE"]));
    assert!(team.holds("StringNotEqualsIgnoreCase", &["red"]));
    // StringEquals has no wildcards: `*` is a character.
    assert!(!team.holds("StringEquals", &["*"]));
    assert!(On::one("k", "a*").holds("StringEquals", &["a*"]));
}

#[test]
fn multiple_values_are_ored_and_negation_needs_none_to_match() {
    // multi: "If a single condition operator includes multiple values for one key, that
    // condition operator is evaluated using a logical OR."
    let region = On::one("aws:RequestedRegion", "eu-west-1");
    assert!(region.holds("StringEquals", &["us-east-1", "eu-west-1"]));
    assert!(!region.holds("StringEquals", &["us-east-1", "us-west-2"]));
    assert!(!region.holds("StringNotEquals", &["us-east-1", "eu-west-1"]));
    assert!(region.holds("StringNotEquals", &["us-east-1", "us-west-2"]));
}

#[test]
fn string_like_wildcards() {
    let prefix = On::one("s3:prefix", "home/alice/docs");
    assert!(prefix.holds("StringLike", &["home/*"]));
    assert!(prefix.holds("StringLike", &["home/?lice/*"]));
    assert!(!prefix.holds("StringLike", &["Home/*"]));
    assert!(prefix.holds("StringNotLike", &["tmp/*", "Home/*"]));
    assert!(!prefix.holds("StringNotLike", &["tmp/*", "home/*"]));
    // An empty value matches only the empty string (the S3 console's root listing).
    assert!(On::one("s3:prefix", "").holds("StringLike", &[""]));
    assert!(!prefix.holds("StringLike", &[""]));
}

#[test]
fn absent_keys() {
    // ops: absent key: "the values do not match and the condition is false"; for a
    // negated operator "and the right key is not present, the condition is true".
    let absent = On::absent("aws:SourceIp");
    assert!(!absent.holds("StringEquals", &["blue"]));
    assert!(absent.holds("StringNotEquals", &["blue"]));
    assert!(absent.holds("StringNotLike", &["b*"]));
    assert!(absent.holds("ArnNotLike", &["arn:aws:sns:*:*:*"]));
    assert!(absent.holds("NotIpAddress", &["10.0.0.0/8"]));
    assert!(absent.holds("NumericNotEquals", &["10"]));
    assert!(absent.holds("DateNotEquals", &["2024-01-01"]));
    assert!(!absent.holds("NumericLessThan", &["10"]));
    assert!(!absent.holds("Bool", &["false"]));
    assert!(!absent.holds("IpAddress", &["0.0.0.0/0"]));
    assert!(!absent.holds("ArnLike", &["*"]));
}

#[test]
fn if_exists() {
    // ops: "If the key is not present, evaluate the condition element as true."
    let absent = On::absent("ec2:InstanceType");
    assert!(absent.holds("StringLikeIfExists", &["t2.*"]));
    assert!(absent.holds("StringNotEqualsIfExists", &["t2.micro"]));
    assert!(absent.holds("NumericLessThanIfExists", &["10"]));
    // "If the policy key is present … process the key as specified in the policy."
    let present = On::one("ec2:InstanceType", "m5.large");
    assert!(!present.holds("StringLikeIfExists", &["t2.*"]));
    assert!(present.holds("StringNotEqualsIfExists", &["t2.micro"]));
    // An absent key wins over ForAnyValue's "no value matched".
    assert!(absent.holds("ForAnyValue:StringEqualsIfExists", &["a"]));
}

#[test]
fn null_checks_existence() {
    // ops: "true (the key doesn't exist — it is null) or false (the key exists …)".
    let absent = On::absent("aws:TokenIssueTime");
    let present = On::one("aws:TokenIssueTime", "2024-01-01T00:00:00Z");
    assert!(absent.holds("Null", &["true"]));
    assert!(!present.holds("Null", &["true"]));
    assert!(present.holds("Null", &["false"]));
    assert!(!absent.holds("Null", &["false"]));
    assert!(present.holds("Null", &["False"]));
    // A multivalued key with no values counts as null (see null_check).
    assert!(On::multi("aws:TagKeys", &[]).holds("Null", &["true"]));
    // "except the Null condition": NullIfExists is not an operator; values are booleans.
    assert!(!absent.holds("NullIfExists", &["true"]));
    assert!(!absent.holds("Null", &["yes"]));
    assert!(!absent.holds("ForAllValues:Null", &["true"]));
}

#[test]
fn for_all_values() {
    // svm/multi: every request value must match one of the policy's values; true when the
    // key is absent or has no values ("also returns true if there are no context keys").
    let tags = On::multi("aws:TagKeys", &["env", "owner"]);
    let none = On::multi("aws:TagKeys", &[]);
    let absent = On::absent("aws:TagKeys");
    assert!(tags.holds("ForAllValues:StringEquals", &["env", "owner", "cost"]));
    assert!(!tags.holds("ForAllValues:StringEquals", &["env"]));
    assert!(tags.holds("ForAllValues:StringLike", &["e*", "o*"]));
    assert!(absent.holds("ForAllValues:StringEquals", &["env"]));
    assert!(none.holds("ForAllValues:StringEquals", &["env"]));
    // Negated: no request value may be any policy value (absent still true).
    assert!(tags.holds("ForAllValues:StringNotEquals", &["cost"]));
    assert!(!tags.holds("ForAllValues:StringNotEquals", &["owner"]));
    assert!(absent.holds("ForAllValues:StringNotEquals", &["owner"]));
}

#[test]
fn for_any_value() {
    // svm/multi: at least one request value must match; false for an absent or empty key.
    let tags = On::multi("aws:TagKeys", &["env", "owner"]);
    let none = On::multi("aws:TagKeys", &[]);
    let absent = On::absent("aws:TagKeys");
    assert!(tags.holds("ForAnyValue:StringEquals", &["owner", "cost"]));
    assert!(!tags.holds("ForAnyValue:StringEquals", &["cost"]));
    assert!(!absent.holds("ForAnyValue:StringEquals", &["env"]));
    assert!(!none.holds("ForAnyValue:StringEquals", &["env"]));
    // Negated: some request value is none of the policy's values.
    assert!(tags.holds("ForAnyValue:StringNotEquals", &["env"]));
    assert!(!tags.holds("ForAnyValue:StringNotEquals", &["env", "owner"]));
    assert!(!absent.holds("ForAnyValue:StringNotEquals", &["env"]));
    // A single-valued key is a set of one.
    assert!(On::one("aws:PrincipalTag/team", "blue").holds("ForAnyValue:StringEquals", &["blue"]));
}

#[test]
fn unqualified_operator_on_a_multivalued_key() {
    // Unqualified: matches when any request value matches; the negation when none does.
    let tags = On::multi("aws:TagKeys", &["env", "owner"]);
    assert!(tags.holds("StringEquals", &["owner"]));
    assert!(!tags.holds("StringNotEquals", &["owner"]));
    assert!(tags.holds("StringNotEquals", &["cost"]));
    assert!(!On::multi("aws:TagKeys", &[]).holds("StringEquals", &["owner"]));
}

#[test]
fn numeric() {
    let keys = On::one("s3:max-keys", "10");
    assert!(keys.holds("NumericEquals", &["10"]));
    assert!(keys.holds("NumericEquals", &["10.0"]));
    assert!(keys.holds("NumericNotEquals", &["11"]));
    assert!(keys.holds("NumericLessThanEquals", &["10"]));
    assert!(!keys.holds("NumericLessThan", &["10"]));
    assert!(keys.holds("NumericLessThan", &["10.5"]));
    assert!(keys.holds("NumericGreaterThan", &["-3"]));
    assert!(keys.holds("NumericGreaterThanEquals", &["10", "100"]));
    assert!(!keys.holds("NumericGreaterThan", &["10"]));
    // Large integers compare exactly (f64 would call these equal).
    let big = On::one("k", "9007199254740993");
    assert!(!big.holds("NumericEquals", &["9007199254740992"]));
    assert!(big.holds("NumericGreaterThan", &["9007199254740992"]));
}

#[test]
fn unparseable_values_are_false() {
    // Values that are not numbers cannot be compared: false, for negated operators too.
    assert!(!On::one("k", "5").holds("NumericLessThan", &["abc"]));
    assert!(!On::one("k", "abc").holds("NumericLessThan", &["10"]));
    assert!(!On::one("k", "abc").holds("NumericNotEquals", &["10"]));
    assert!(!On::one("k", "1000").holds("NumericEquals", &["1e3"]));
    assert!(!On::one("k", "NaN").holds("NumericEquals", &["NaN"]));
    // A parseable value still matches beside an unparseable one (OR).
    assert!(On::one("k", "5").holds("NumericEquals", &["x", "5"]));
    let now = On::one("aws:CurrentTime", "2024-01-01T00:00:00Z");
    assert!(!now.holds("DateLessThan", &["tomorrow"]));
    assert!(!On::one("ip", "10.0.0.1").holds("IpAddress", &["10.0.0.0/33"]));
    assert!(!On::one("ip", "not-an-ip").holds("NotIpAddress", &["10.0.0.0/8"]));
    assert!(!On::one("b", "true").holds("Bool", &["yes"]));
}

#[test]
fn dates_with_offsets_and_epoch() {
    // ops: "W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time".
    let noon = On::one("aws:CurrentTime", "2024-06-01T12:00:00Z");
    // 14:00+02:00 is the same instant as 12:00Z.
    assert!(noon.holds("DateEquals", &["2024-06-01T14:00:00+02:00"]));
    assert!(noon.holds("DateEquals", &["2024-06-01T12:00Z"]));
    assert!(noon.holds("DateEquals", &["2024-06-01T12:00:00.000Z"]));
    assert!(noon.holds("DateEquals", &["2024-06-01T12:00:00"]));
    assert!(noon.holds("DateEquals", &["1717243200"]));
    // 13:00+01:00 is noon UTC, not after it; 13:00+00:30 is 12:30 UTC.
    assert!(!noon.holds("DateLessThan", &["2024-06-01T13:00:00+01:00"]));
    assert!(noon.holds("DateLessThan", &["2024-06-01T13:00:00+00:30"]));
    assert!(noon.holds("DateLessThan", &["2024-06-02"]));
    assert!(noon.holds("DateGreaterThan", &["2024-06"]));
    assert!(noon.holds("DateGreaterThanEquals", &["1717243200"]));
    assert!(noon.holds("DateLessThanEquals", &["2024-06-01T12:00:00+00:00"]));
    // A date alone is midnight: DateEquals compares instants, not calendar days.
    assert!(noon.holds("DateNotEquals", &["2024-06-01"]));
    // aws:EpochTime in the request against an ISO date in the policy.
    let epoch = On::one("aws:EpochTime", "1717243200");
    assert!(epoch.holds("DateGreaterThan", &["2024-01-01T00:00:00Z"]));
    assert!(epoch.holds("DateLessThan", &["1717243200.5"]));
    assert!(epoch.holds("DateLessThan", &["2024-06-01T12:00:00.001Z"]));
    assert!(!epoch.holds("DateEquals", &["2024-06-01T12:00:00Z-junk"]));
}

#[test]
fn bool_and_binary() {
    let insecure = On::one("aws:SecureTransport", "false");
    assert!(insecure.holds("Bool", &["false"]));
    assert!(insecure.holds("Bool", &["False"]));
    assert!(!insecure.holds("Bool", &["true"]));
    assert!(On::absent("aws:MultiFactorAuthPresent").holds("BoolIfExists", &["false"]));
    // ops: BinaryEquals compares "byte for byte against a base-64 encoded representation".
    let bin = On::one("k", "QmluYXJ5VmFsdWVJbkJhc2U2NA==");
    assert!(bin.holds("BinaryEquals", &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="]));
    assert!(!bin.holds("BinaryEquals", &["QmluYXJ5"]));
    assert!(!bin.holds("BinaryEquals", &["not base64!"]));
    assert!(!On::absent("k").holds("BinaryEquals", &["QmluYXJ5"]));
}

#[test]
fn ip_addresses_v4_and_v6() {
    let v4 = On::one("aws:SourceIp", "203.0.113.7");
    let v6 = On::one("aws:SourceIp", "2001:db8:1234:5678::9");
    assert!(v4.holds("IpAddress", &["203.0.113.0/24"]));
    assert!(!v4.holds("IpAddress", &["203.0.114.0/24"]));
    // "without the associated routing prefix, IAM uses the default prefix value of /32".
    assert!(v4.holds("IpAddress", &["203.0.113.7"]));
    assert!(!v4.holds("IpAddress", &["203.0.113.8"]));
    assert!(v4.holds("IpAddress", &["0.0.0.0/0"]));
    // Host bits in the block are ignored.
    assert!(v4.holds("IpAddress", &["203.0.113.99/24"]));
    // IPv6 CIDR, written in upper case, and a mixed list as in the AWS example.
    assert!(v6.holds("IpAddress", &["2001:DB8:1234:5678::/64"]));
    assert!(!v6.holds("IpAddress", &["2001:DB8:1234:5679::/64"]));
    assert!(v6.holds("IpAddress", &["203.0.113.0/24", "2001:DB8:1234:5678::/64"]));
    assert!(v6.holds("IpAddress", &["::/0"]));
    assert!(v6.holds("IpAddress", &["2001:db8:1234:5678::9"]));
    // Families never mix: a v4 request is outside v6 blocks, mapped forms included.
    assert!(!v4.holds("IpAddress", &["::/0"]));
    assert!(!v4.holds("IpAddress", &["::ffff:203.0.113.0/120"]));
    assert!(!v6.holds("IpAddress", &["0.0.0.0/0"]));
    assert!(v4.holds("NotIpAddress", &["10.0.0.0/8", "2001:db8::/32"]));
    assert!(!v6.holds("NotIpAddress", &["10.0.0.0/8", "2001:db8::/32"]));
}

#[test]
fn arns_are_compared_component_wise() {
    let topic = On::one("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:alerts");
    assert!(topic.holds("ArnEquals", &["arn:aws:sns:us-east-1:111122223333:alerts"]));
    assert!(topic.holds("ArnLike", &["arn:aws:sns:*:111122223333:*"]));
    // "ArnEquals and ArnLike … behave identically": wildcards in ArnEquals too.
    assert!(topic.holds("ArnEquals", &["arn:aws:sns:us-east-?:*:alerts"]));
    // Wildcard in the account field.
    assert!(topic.holds("ArnLike", &["arn:aws:sns:us-east-1:*:alerts"]));
    assert!(!topic.holds("ArnLike", &["arn:aws:sns:us-east-1:4444*:alerts"]));
    // Case-sensitive.
    assert!(!topic.holds("ArnLike", &["arn:aws:SNS:*:*:alerts"]));
    assert!(topic.holds("ArnNotLike", &["arn:aws:sqs:*:*:*"]));
    assert!(!topic.holds("ArnNotEquals", &["arn:aws:sns:*:*:*"]));
}

#[test]
fn arn_wildcards_stay_within_a_component() {
    // ops: with StringLike "the first asterisk matches us-east-2:999999999999:store/abc:";
    // "With an ArnLike condition … the match fails".
    let arn = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/doc";
    let source = On::one("aws:SourceArn", arn);
    let pattern = "arn:aws:someservice:*:111122223333:finance/*";
    assert!(source.holds("StringLike", &[pattern]));
    assert!(!source.holds("ArnLike", &[pattern]));
    // The resource part keeps its `:`s and may be matched across them.
    let log = On::one(
        "aws:SourceArn",
        "arn:aws:logs:us-east-1:111122223333:log-group:/app:*",
    );
    assert!(log.holds(
        "ArnLike",
        &["arn:aws:logs:us-east-1:111122223333:log-group:*"]
    ));
    assert!(log.holds(
        "ArnEquals",
        &["arn:aws:logs:us-east-1:111122223333:log-group:/app:*"]
    ));
    // Not an ARN on either side: no match (a bare `*` has one component).
    assert!(!log.holds("ArnLike", &["*"]));
    assert!(!On::one("aws:SourceArn", "arn:aws:sns").holds("ArnLike", &["arn:aws:*"]));
}

#[test]
fn variables_in_values() {
    // Variables: "You can use a policy variable for Condition values in any condition that
    // involves the string operators or the ARN operators" (and Bool, per the ops page).
    let c = RequestContext::new()
        .with("aws:username", "alice")
        .with("s3:prefix", "home/alice/x")
        .with("aws:PrincipalTag/owner", "alice")
        .with("aws:PrincipalArn", "arn:aws:iam::111122223333:role/ops")
        .with("aws:SourceArn", "arn:aws:iam::111122223333:role/ops")
        .with("flag", "true")
        .with("wanted", "TRUE");
    let holds = |op: &str, key: &str, value: &str| evaluate(&cond(op, key, &[value]), &c, true);
    assert!(holds("StringLike", "s3:prefix", "home/${aws:username}/*"));
    assert!(holds(
        "StringEquals",
        "aws:PrincipalTag/owner",
        "${aws:username}"
    ));
    assert!(holds(
        "StringEqualsIgnoreCase",
        "aws:PrincipalTag/owner",
        "${AWS:USERNAME}"
    ));
    assert!(holds("ArnEquals", "aws:SourceArn", "${aws:PrincipalArn}"));
    assert!(holds("Bool", "flag", "${wanted}"));
    // Defaults.
    assert!(holds(
        "StringEquals",
        "aws:PrincipalTag/owner",
        "${aws:missing, 'alice'}"
    ));
    // Disabled (Version 2008-10-17): the text is literal.
    let disabled = cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]);
    assert!(!evaluate(&disabled, &c, false));
    // Not for numeric operators: `${…}` stays text and does not parse.
    let n = RequestContext::new()
        .with("s3:max-keys", "5")
        .with("limit", "10");
    assert!(!evaluate(
        &cond("NumericLessThan", "s3:max-keys", &["${limit}"]),
        &n,
        true
    ));
}

#[test]
fn special_variables_are_not_wildcards() {
    // `${*}` is "an * (asterisk) character", not a wildcard.
    let starred = On::one("k", "a*b");
    let plain = On::one("k", "axb");
    assert!(starred.holds("StringLike", &["a${*}b"]));
    assert!(!plain.holds("StringLike", &["a${*}b"]));
    assert!(plain.holds("StringLike", &["a*b"]));
    assert!(starred.holds("StringEquals", &["a${*}b"]));
    assert!(On::one("k", "$?").holds("StringLike", &["${$}${?}"]));
    assert!(!On::one("k", "$x").holds("StringLike", &["${$}${?}"]));
}

#[test]
fn variables_with_no_value() {
    // "Policy variables with no value": the value is effectively null, which nothing equals
    // or is like. `StringEquals` does not match; the inverted operators do.
    let owner = On::one("aws:PrincipalTag/owner", "alice");
    assert!(!owner.holds("StringEquals", &["${aws:username}"]));
    assert!(owner.holds("StringEquals", &["${aws:username}", "alice"]));
    assert!(!owner.holds("StringLike", &["${aws:username}*"]));
    assert!(owner.holds("StringNotEquals", &["${aws:username}"]));
    assert!(owner.holds("StringNotLike", &["${aws:username}*"]));
    assert!(owner.holds("StringNotEqualsIgnoreCase", &["${aws:username}"]));
    assert!(owner.holds("StringNotEquals", &["${aws:username}", "bob"]));
    // …and a known match still decides a negated operator.
    assert!(!owner.holds("StringNotEquals", &["${aws:username}", "alice"]));
    let arn = On::one("aws:SourceArn", "arn:aws:sns:eu-west-1:111122223333:t");
    assert!(arn.holds("ArnNotLike", &["arn:aws:sns:*:*:${aws:username}"]));
    assert!(!arn.holds("ArnLike", &["arn:aws:sns:*:*:${aws:username}"]));
    // The key's absence decides before any variable is looked at.
    assert!(On::absent("aws:PrincipalTag/team").holds("StringNotEquals", &["${aws:username}"]));
}

#[test]
fn unusable_variables_decide_nothing() {
    // A multivalued key cannot be a variable: the comparison is undecided, so neither the
    // operator nor its negation holds.
    let on = On {
        key: "k",
        context: RequestContext::new()
            .with("k", "v")
            .with_multi("aws:TagKeys", &["a", "b"]),
    };
    assert!(!on.holds("StringEquals", &["${aws:TagKeys}"]));
    assert!(!on.holds("StringNotEquals", &["${aws:TagKeys}"]));
}

#[test]
fn unknown_operators_are_false() {
    let k = On::one("k", "v");
    assert!(!k.holds("StringEqualz", &["v"]));
    // Operator names are case-sensitive.
    assert!(!k.holds("stringequals", &["v"]));
    assert!(!k.holds("BinaryNotEquals", &["dg=="]));
    assert!(is_known_operator("ArnNotLike"));
    assert!(!is_known_operator("StringLikeIfExists"));
}
