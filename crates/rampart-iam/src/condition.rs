//! Condition operators: whether one condition (operator, key, values) holds for a request.
//!
//! The rules, from the AWS IAM User Guide:
//!
//! - Several values for one key are OR-ed; the caller AND-s the conditions of a statement
//!   ("Creating a condition with multiple keys or values",
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html>).
//!   A negated operator (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, …) holds when the
//!   request value matches none of the values.
//! - "If the key that you specify in a policy condition is not present in the request
//!   context, the values do not match and the condition is false. If the policy condition
//!   requires that the key is not matched, such as StringNotLike or ArnNotLike, and the
//!   right key is not present, the condition is true" — except for `…IfExists` (absent key:
//!   true) and `Null` ("IAM JSON policy elements: Condition operators",
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>).
//! - `ForAllValues:` holds when every request value matches, and also when the key is
//!   absent or has no values; `ForAnyValue:` needs at least one matching request value, so
//!   it is false for an absent or empty key ("Single-valued vs. multivalued context keys").
//!   With a negated operator the per-value test is negated: `ForAllValues:StringNotEquals`
//!   means no request value is any of the policy's values.
//! - Without a qualifier, a multivalued request key matches when any of its values matches
//!   (AWS says multivalued keys "require" a set operator and leaves this case undefined; this
//!   is the reading of the unqualified operator as "the key has a matching value"), and a
//!   negated operator holds when no value matches.
//!
//! A policy variable whose key the request does not have (and that has no default) is
//! "effectively null": no request value equals or is like it, so `StringEquals` and
//! `StringLike` do not match and the inverted operators do ("IAM policy elements: Variables
//! and tags", policy variables with no value: with `StringNotEquals` against
//! `${aws:PrincipalTag/Team}`, "access is explicitly denied when `aws:principaltag/Team` is
//! not set").
//!
//! A value that cannot be compared (not a number for `Numeric…`, a variable naming a
//! multivalued key, an unknown operator) makes the comparison undecided; an undecided
//! condition is false.

use std::cmp::Ordering;
use std::net::IpAddr;

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::context::{Lookup, ValueRef};
use super::variables;
use super::wildcard::Pattern;
use super::{Condition, SetQualifier};

/// Whether `condition` holds for the request. `variables` enables `${…}` substitution in
/// the condition's values (policy Version 2012-10-17).
pub fn evaluate<'c, C: Lookup + ?Sized>(
    condition: &'c Condition,
    context: &C,
    variables: bool,
) -> bool {
    // Operator names are matched exactly, as the parser matches `ForAllValues` and
    // `IfExists`: AWS documents one spelling and never says other cases are accepted.
    let Some(op) = Operator::from_name(&condition.operator.base) else {
        return false;
    };
    let if_exists = condition.operator.if_exists;
    let qualifier = condition.operator.qualifier;
    let request = context.lookup(&condition.key);
    if op.family == Family::Null {
        // "You can add IfExists to the end of any condition operator name except the Null
        // condition"; a set qualifier has no meaning for an existence test either.
        if if_exists || qualifier.is_some() {
            return false;
        }
        return null_check(request, &condition.values).unwrap_or(false);
    }
    let Some(request) = request else {
        return if_exists
            || match qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => op.negated,
            };
    };
    let compile = |v: &'c String| Expected::compile(op.family, v, context, variables);
    // A single request value meets each policy value once: compile them as it goes (and
    // stop at the first match); several meet each many times: compile them once first.
    let once = matches!(request, ValueRef::Single(_));
    let expected: Vec<Option<Expected>> = if once {
        Vec::new()
    } else {
        condition.values.iter().map(compile).collect()
    };
    let matches_any = |value: &str| {
        if once {
            any(condition
                .values
                .iter()
                .map(|v| compile(v).and_then(|e| e.matches(value))))
        } else {
            any(expected
                .iter()
                .map(|e| e.as_ref().and_then(|e| e.matches(value))))
        }
    };
    let per_value = |value: &str| negate_if(op.negated, matches_any(value));
    let values = request.iter();
    let truth = match qualifier {
        Some(SetQualifier::ForAllValues) => all(values.map(per_value)),
        Some(SetQualifier::ForAnyValue) => any(values.map(per_value)),
        None => negate_if(op.negated, any(values.map(matches_any))),
    };
    truth.unwrap_or(false)
}

/// Whether `base` (an operator name without qualifier or `IfExists`) is an IAM condition
/// operator that [`evaluate`] implements.
pub fn is_known_operator(base: &str) -> bool {
    Operator::from_name(base).is_some()
}

/// `Some(true)`, `Some(false)`, or `None` when the comparison cannot be decided.
type Truth = Option<bool>;

/// Three-valued OR: true wins, then undecided.
fn any(truths: impl Iterator<Item = Truth>) -> Truth {
    let mut undecided = false;
    for t in truths {
        match t {
            Some(true) => return Some(true),
            None => undecided = true,
            Some(false) => {}
        }
    }
    if undecided {
        None
    } else {
        Some(false)
    }
}

/// Three-valued AND: false wins, then undecided.
fn all(truths: impl Iterator<Item = Truth>) -> Truth {
    any(truths.map(|t| t.map(|b| !b))).map(|b| !b)
}

fn negate_if(negated: bool, truth: Truth) -> Truth {
    if negated {
        truth.map(|b| !b)
    } else {
        truth
    }
}

/// `Null`: `"true"` holds when the key is absent, `"false"` when it is present. A
/// multivalued key with no values counts as absent: AWS recommends `"Null": "false"` to
/// stop "missing context keys or context keys with empty values" from satisfying
/// `ForAllValues` ("Multivalued context key examples").
fn null_check(request: Option<ValueRef<'_>>, values: &[String]) -> Truth {
    let is_null = match request {
        None => true,
        Some(ValueRef::Multi(vs)) => vs.is_empty(),
        Some(ValueRef::Single(_)) => false,
    };
    any(values
        .iter()
        .map(|v| parse_bool(v).map(|wants_null| wants_null == is_null)))
}

/// The comparison a `Numeric…` or `Date…` operator makes: request value against policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparison {
    fn holds(self, request_vs_policy: Ordering) -> bool {
        match self {
            Comparison::Equal => request_vs_policy.is_eq(),
            Comparison::Less => request_vs_policy.is_lt(),
            Comparison::LessOrEqual => request_vs_policy.is_le(),
            Comparison::Greater => request_vs_policy.is_gt(),
            Comparison::GreaterOrEqual => request_vs_policy.is_ge(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Comparison),
    Date(Comparison),
    Bool,
    Binary,
    IpAddress,
    Arn,
    Null,
}

/// A base operator: its family and whether it is the negated form.
#[derive(Debug, Clone, Copy)]
struct Operator {
    family: Family,
    negated: bool,
}

impl Operator {
    fn from_name(base: &str) -> Option<Self> {
        use Comparison::*;
        use Family::*;
        let (family, negated) = match base {
            "StringEquals" => (StringEquals, false),
            "StringNotEquals" => (StringEquals, true),
            "StringEqualsIgnoreCase" => (StringEqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (StringEqualsIgnoreCase, true),
            "StringLike" => (StringLike, false),
            "StringNotLike" => (StringLike, true),
            "NumericEquals" => (Numeric(Equal), false),
            "NumericNotEquals" => (Numeric(Equal), true),
            "NumericLessThan" => (Numeric(Less), false),
            "NumericLessThanEquals" => (Numeric(LessOrEqual), false),
            "NumericGreaterThan" => (Numeric(Greater), false),
            "NumericGreaterThanEquals" => (Numeric(GreaterOrEqual), false),
            "DateEquals" => (Date(Equal), false),
            "DateNotEquals" => (Date(Equal), true),
            "DateLessThan" => (Date(Less), false),
            "DateLessThanEquals" => (Date(LessOrEqual), false),
            "DateGreaterThan" => (Date(Greater), false),
            "DateGreaterThanEquals" => (Date(GreaterOrEqual), false),
            "Bool" => (Bool, false),
            "BinaryEquals" => (Binary, false),
            "IpAddress" => (IpAddress, false),
            "NotIpAddress" => (IpAddress, true),
            // "The ArnEquals and ArnLike condition operators behave identically."
            "ArnEquals" | "ArnLike" => (Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Arn, true),
            "Null" => (Null, false),
            _ => return None,
        };
        Some(Self { family, negated })
    }
}

/// One policy value, parsed for its operator once per evaluation.
#[derive(Debug)]
enum Expected<'a> {
    Text(std::borrow::Cow<'a, str>),
    LowercaseText(String),
    Like(Pattern),
    Number(Comparison, Number),
    Instant(Comparison, DateTime<Utc>),
    Bool(bool),
    Bytes(Vec<u8>),
    Network(Network),
    /// The six `:`-separated components (fewer when the policy value is not an ARN).
    Arn(Vec<Pattern>),
    /// A policy variable with no value in the request: "effectively null", equal to and
    /// like nothing ("IAM policy elements: Variables and tags", policy variables with no
    /// value).
    Null,
}

impl<'a> Expected<'a> {
    /// Parses a policy value; `None` when it cannot be (bad number, unusable variable).
    /// Variables apply to string, ARN and Bool operators only, as AWS documents; elsewhere
    /// `${…}` is left as written and fails to parse.
    fn compile<C: Lookup + ?Sized>(
        family: Family,
        value: &'a str,
        context: &C,
        variables: bool,
    ) -> Option<Self> {
        use variables::Unresolved;
        // A variable with no value stands for the null value, which nothing equals; one
        // that cannot be used (multivalued key, malformed) leaves the comparison undecided.
        let null = |e: Unresolved| match e {
            Unresolved::NoValue => Some(Expected::Null),
            Unresolved::Unusable => None,
        };
        Some(match family {
            Family::StringEquals => match variables::expand_text(value, context, variables) {
                Ok(text) => Expected::Text(text),
                Err(e) => return null(e),
            },
            Family::StringEqualsIgnoreCase => {
                match variables::expand_text(value, context, variables) {
                    Ok(text) => Expected::LowercaseText(text.to_lowercase()),
                    Err(e) => return null(e),
                }
            }
            Family::StringLike => match variables::expand_pattern(value, context, variables) {
                Ok(pattern) => Expected::Like(pattern),
                Err(e) => return null(e),
            },
            Family::Numeric(cmp) => Expected::Number(cmp, Number::parse(value)?),
            Family::Date(cmp) => Expected::Instant(cmp, parse_instant(value)?),
            Family::Bool => match variables::expand_text(value, context, variables) {
                Ok(text) => Expected::Bool(parse_bool(&text)?),
                Err(e) => return null(e),
            },
            Family::Binary => Expected::Bytes(decode_base64(value)?),
            Family::IpAddress => Expected::Network(Network::parse(value)?),
            // Split after expansion: a variable holding an ARN (`${aws:PrincipalArn}`) is
            // compared component by component like a written one.
            Family::Arn => match variables::expand_pattern(value, context, variables) {
                Ok(pattern) => Expected::Arn(pattern.splitn_literal(6, ':')),
                Err(e) => return null(e),
            },
            Family::Null => return None,
        })
    }

    /// Whether one request value matches; `None` when it cannot be compared.
    fn matches(&self, request: &str) -> Truth {
        match self {
            Expected::Text(text) => Some(request == text),
            Expected::LowercaseText(text) => Some(request.to_lowercase() == *text),
            Expected::Like(pattern) => Some(pattern.matches(request)),
            Expected::Number(cmp, policy) => Number::parse(request)?
                .compare(policy)
                .map(|o| cmp.holds(o)),
            Expected::Instant(cmp, policy) => Some(cmp.holds(parse_instant(request)?.cmp(policy))),
            Expected::Bool(policy) => Some(parse_bool(request)? == *policy),
            Expected::Bytes(policy) => Some(decode_base64(request)? == *policy),
            Expected::Network(network) => Some(network.contains(request.parse().ok()?)),
            Expected::Null => Some(false),
            Expected::Arn(components) => {
                let request: Vec<&str> = request.splitn(6, ':').collect();
                if request.len() != 6 {
                    return None;
                }
                // A policy value without six components matches no ARN.
                Some(
                    components.len() == 6
                        && components.iter().zip(&request).all(|(p, r)| p.matches(r)),
                )
            }
        }
    }
}

/// `true` / `false`, in any case (JSON booleans reach here as their text).
fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `BinaryEquals` compares "byte for byte against a base-64 encoded representation of the
/// binary value in the policy"; request contexts hold binary values base64-encoded too.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// An integer or decimal value of a `Numeric…` operator. Integers compare exactly (account
/// ids and byte counts exceed f64's precision); anything with a fraction compares as f64.
#[derive(Debug, Clone, Copy)]
enum Number {
    Integer(i128),
    Decimal(f64),
}

impl Number {
    /// `[+-]digits[.digits]`; no exponent, no `NaN` or `inf`, no surrounding spaces.
    fn parse(text: &str) -> Option<Self> {
        let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (unsigned, None),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole)
            || !fraction.is_none_or(digits)
            || whole.len() + fraction.map_or(0, str::len) == 0
        {
            return None;
        }
        if fraction.is_none() {
            if let Ok(n) = text.parse::<i128>() {
                return Some(Number::Integer(n));
            }
        }
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Number::Decimal)
    }

    fn as_f64(self) -> f64 {
        match self {
            // Precision loss above 2^53 is the documented cost of mixing with decimals.
            Number::Integer(n) => n as f64,
            Number::Decimal(f) => f,
        }
    }

    fn compare(self, other: &Number) -> Option<Ordering> {
        match (self, *other) {
            (Number::Integer(a), Number::Integer(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

/// A date-time of a `Date…` operator: one of the W3C profiles of ISO 8601 (`2020-01-01`,
/// `2020-01-01T12:00Z`, `2020-01-01T12:00:00.5+02:00`, …; no offset means UTC) or epoch
/// seconds (`aws:EpochTime`). Digits alone are epoch seconds, never a bare year.
fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    if let Some(instant) = parse_epoch(text) {
        return Some(instant);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let naive = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(t.and_utc());
        }
    }
    if naive.len() != text.len() {
        return None; // A `Z` needs a time.
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d"))
        .ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Epoch seconds, optionally negative and with a fraction.
fn parse_epoch(text: &str) -> Option<DateTime<Utc>> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut seconds: i64 = whole.parse().ok()?;
    let mut nanos: i64 = if fraction.is_empty() {
        0
    } else {
        let nine: String = fraction
            .chars()
            .chain(std::iter::repeat('0'))
            .take(9)
            .collect();
        nine.parse().ok()?
    };
    if text.starts_with('-') {
        seconds = -seconds;
        if nanos > 0 {
            seconds -= 1;
            nanos = 1_000_000_000 - nanos;
        }
    }
    DateTime::from_timestamp(seconds, u32::try_from(nanos).ok()?)
}

/// An IP address block: CIDR, or one address (AWS: "If you specify an IP address without
/// the associated routing prefix, IAM uses the default prefix value of /32"; /128 for IPv6).
#[derive(Debug, Clone, Copy)]
struct Network {
    address: IpAddr,
    prefix: u32,
}

impl Network {
    fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().ok().filter(|p| *p <= max)?
            }
            Some(_) => return None,
            None => max,
        };
        Some(Self { address, prefix })
    }

    /// Whether the block holds `ip`. Host bits set in the block are ignored (`10.1.2.3/8`
    /// is `10.0.0.0/8`). Families never mix: an IPv4 request is outside every IPv6 block,
    /// `::ffff:a.b.c.d` forms included.
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip) {
            (IpAddr::V4(block), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix).unwrap_or(0);
                u32::from(block) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(block), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix).unwrap_or(0);
                u128::from(block) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests;
