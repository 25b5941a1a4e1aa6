//! Compiled Cedar expressions: a tree built once from a policy's JSON form (Cedar's EST),
//! evaluated against an [`AttributeView`] with Cedar's semantics — left-to-right
//! evaluation, `&&`/`||`/if-then-else short-circuits, and the same error, with the same
//! message, wherever Cedar's evaluator would raise one.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value as Json;

use super::super::value::{Uid, Value};

/// What compiled policies read: the request and the entities around the resource. The
/// compiled backend reads the model through it; the differential tests read generated data.
pub(crate) trait AttributeView {
    /// The request's resource.
    fn resource(&self) -> Uid<'_>;
    /// The request's context (a record).
    fn context(&self) -> Value<'_>;
    /// An attribute of an entity.
    fn attr<'v>(&'v self, entity: &Uid<'_>, name: &str) -> Lookup<'v>;
    /// Whether `entity` is `ancestor` or one of its descendants in the hierarchy.
    fn is_in(&self, entity: &Uid<'_>, ancestor: &Uid<'_>) -> bool;
}

/// An entity attribute looked up.
pub(crate) enum Lookup<'v> {
    /// The entity is not in the store.
    NoEntity,
    /// The entity exists and does not have the attribute.
    Missing,
    /// The attribute's value.
    Found(Value<'v>),
}

/// The principal and action of every request (the schema's only ones).
pub(crate) const PRINCIPAL: (&str, &str) = ("Rampart::Evaluator", "rampart");
pub(crate) const ACTION: (&str, &str) = ("Rampart::Action", "evaluate");

/// Why a policy is not compiled: it is left to the reference backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported(pub String);

/// A Cedar evaluation error, with Cedar's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EvalError(pub String);

type Eval<'v> = Result<Value<'v>, EvalError>;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Var {
    Principal,
    Action,
    Resource,
    Context,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Eq,
    Less,
    LessEq,
    Add,
    Sub,
    Mul,
    In,
    Contains,
    ContainsAll,
    ContainsAny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern {
    Wildcard,
    Char(char),
}

/// A compiled expression.
#[derive(Debug)]
pub(crate) enum Expr {
    Lit(Value<'static>),
    Var(Var),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    IsEmpty(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    GetAttr(Box<Expr>, String),
    Has(Box<Expr>, Vec<String>),
    Like(Box<Expr>, Vec<Pattern>),
    Is(Box<Expr>, String),
    Set(Vec<Expr>),
    Record(Vec<(String, Expr)>),
}

/// A value borrowed for as long as the expression or view it came from.
pub(crate) fn reborrow<'v>(value: &'v Value<'_>) -> Value<'v> {
    match value {
        Value::Bool(b) => Value::Bool(*b),
        Value::Long(n) => Value::Long(*n),
        Value::String(s) => Value::String(Cow::Borrowed(s.as_ref())),
        Value::Entity(uid) => Value::Entity(Uid::new(uid.ty.as_ref(), uid.id.as_ref())),
        // Sets and records are shared: cloning them is a reference count.
        Value::Set(items) => Value::Set(shrink_set(items)),
        Value::Record(fields) => Value::Record(shrink_record(fields)),
    }
}

// `Arc` is covariant: a set of longer-lived values is a set of shorter-lived ones.
fn shrink_set<'v>(items: &Arc<[Value<'v>]>) -> Arc<[Value<'v>]> {
    Arc::clone(items)
}

#[allow(clippy::type_complexity)]
fn shrink_record<'v>(
    fields: &Arc<[(Cow<'v, str>, Value<'v>)]>,
) -> Arc<[(Cow<'v, str>, Value<'v>)]> {
    Arc::clone(fields)
}

const ANY_ENTITY: &str = "(entity of type `any_entity_type`)";

fn type_error(expected: &str, actual: &Value<'_>) -> EvalError {
    EvalError(format!(
        "type error: expected {expected}, got {}",
        actual.type_name()
    ))
}

fn as_bool(v: &Value<'_>) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(type_error("bool", other)),
    }
}

fn as_long(v: &Value<'_>) -> Result<i64, EvalError> {
    match v {
        Value::Long(n) => Ok(*n),
        other => Err(type_error("long", other)),
    }
}

fn as_set<'a, 'v>(v: &'a Value<'v>) -> Result<&'a [Value<'v>], EvalError> {
    match v {
        Value::Set(items) => Ok(items),
        other => Err(type_error("set", other)),
    }
}

fn as_entity<'a, 'v>(v: &'a Value<'v>) -> Result<&'a Uid<'v>, EvalError> {
    match v {
        Value::Entity(uid) => Ok(uid),
        other => Err(type_error(ANY_ENTITY, other)),
    }
}

fn record_or_entity_error(v: &Value<'_>) -> EvalError {
    type_error(&format!("one of [record, {ANY_ENTITY}]"), v)
}

impl Expr {
    /// Evaluates the expression as Cedar does.
    pub(crate) fn eval<'v>(&'v self, view: &'v dyn AttributeView) -> Eval<'v> {
        match self {
            Expr::Lit(v) => Ok(reborrow(v)),
            Expr::Var(Var::Resource) => Ok(Value::Entity(view.resource())),
            Expr::Var(Var::Context) => Ok(view.context()),
            Expr::Var(Var::Principal) => Ok(Value::Entity(Uid::new(PRINCIPAL.0, PRINCIPAL.1))),
            Expr::Var(Var::Action) => Ok(Value::Entity(Uid::new(ACTION.0, ACTION.1))),
            Expr::Not(e) => Ok(Value::Bool(!as_bool(&e.eval(view)?)?)),
            Expr::Neg(e) => {
                let n = as_long(&e.eval(view)?)?;
                n.checked_neg().map(Value::Long).ok_or_else(|| {
                    EvalError(format!(
                        "integer overflow while attempting to negate the value `{n}`"
                    ))
                })
            }
            Expr::IsEmpty(e) => Ok(Value::Bool(as_set(&e.eval(view)?)?.is_empty())),
            Expr::And(l, r) => {
                if as_bool(&l.eval(view)?)? {
                    Ok(Value::Bool(as_bool(&r.eval(view)?)?))
                } else {
                    Ok(Value::Bool(false))
                }
            }
            Expr::Or(l, r) => {
                if as_bool(&l.eval(view)?)? {
                    Ok(Value::Bool(true))
                } else {
                    Ok(Value::Bool(as_bool(&r.eval(view)?)?))
                }
            }
            Expr::If(c, t, e) => {
                if as_bool(&c.eval(view)?)? {
                    t.eval(view)
                } else {
                    e.eval(view)
                }
            }
            Expr::Binary(op, l, r) => {
                let (l, r) = (l.eval(view)?, r.eval(view)?);
                binary(*op, l, r, view)
            }
            Expr::GetAttr(e, attr) => get_attr(e.eval(view)?, attr, view),
            Expr::Has(e, path) => {
                let mut current = e.eval(view)?;
                for (i, attr) in path.iter().enumerate() {
                    let next = match &current {
                        Value::Record(fields) => Value::field(fields, attr).cloned(),
                        Value::Entity(uid) => match view.attr(uid, attr) {
                            Lookup::Found(v) => Some(v),
                            Lookup::Missing | Lookup::NoEntity => None,
                        },
                        other => return Err(record_or_entity_error(other)),
                    };
                    let Some(next) = next else {
                        return Ok(Value::Bool(false));
                    };
                    if i + 1 == path.len() {
                        break;
                    }
                    current = next;
                }
                Ok(Value::Bool(true))
            }
            Expr::Like(e, pattern) => match e.eval(view)? {
                Value::String(s) => Ok(Value::Bool(wildcard_match(pattern, &s))),
                other => Err(type_error("string", &other)),
            },
            Expr::Is(e, ty) => {
                let v = e.eval(view)?;
                Ok(Value::Bool(as_entity(&v)?.ty == ty.as_str()))
            }
            Expr::Set(items) => Ok(Value::Set(
                items
                    .iter()
                    .map(|e| e.eval(view))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            )),
            Expr::Record(fields) => Ok(Value::Record(
                fields
                    .iter()
                    .map(|(k, e)| Ok((Cow::Borrowed(k.as_str()), e.eval(view)?)))
                    .collect::<Result<Vec<_>, EvalError>>()?
                    .into(),
            )),
        }
    }
}

fn get_attr<'v>(target: Value<'v>, attr: &str, view: &'v dyn AttributeView) -> Eval<'v> {
    match &target {
        Value::Record(fields) => Value::field(fields, attr)
            .cloned()
            .ok_or_else(|| EvalError(format!("record does not have the attribute `{attr}`"))),
        Value::Entity(uid) => match view.attr(uid, attr) {
            Lookup::Found(v) => Ok(v),
            Lookup::Missing => Err(EvalError(format!(
                "`{uid}` does not have the attribute `{attr}`"
            ))),
            Lookup::NoEntity => Err(EvalError(format!("entity `{uid}` does not exist"))),
        },
        other => Err(record_or_entity_error(other)),
    }
}

fn binary<'v>(op: Op, l: Value<'v>, r: Value<'v>, view: &'v dyn AttributeView) -> Eval<'v> {
    Ok(Value::Bool(match op {
        Op::Eq => l == r,
        Op::Less | Op::LessEq => match (&l, &r) {
            (Value::Long(a), Value::Long(b)) => {
                if matches!(op, Op::Less) {
                    a < b
                } else {
                    a <= b
                }
            }
            (Value::Long(_), other) | (other, Value::Long(_)) => {
                return Err(type_error("long", other))
            }
            (other, _) => return Err(type_error("one of [long, datetime, duration]", other)),
        },
        Op::Add | Op::Sub | Op::Mul => {
            let (a, b) = (as_long(&l)?, as_long(&r)?);
            let (result, verb) = match op {
                Op::Add => (a.checked_add(b), "add"),
                Op::Sub => (a.checked_sub(b), "subtract"),
                _ => (a.checked_mul(b), "multiply"),
            };
            return result.map(Value::Long).ok_or_else(|| {
                EvalError(format!(
                    "integer overflow while attempting to {verb} the values `{a}` and `{b}`"
                ))
            });
        }
        Op::In => {
            let entity = as_entity(&l)?;
            match &r {
                Value::Entity(target) => view.is_in(entity, target),
                Value::Set(items) => {
                    // Cedar reads the set in its value order (booleans, longs, strings,
                    // entities, sets, records), so the error names the lowest-ranked kind
                    // that is not an entity, whatever order the set was written in.
                    if let Some(bad) = items
                        .iter()
                        .filter(|v| !matches!(v, Value::Entity(_)))
                        .min_by_key(|v| v.rank())
                    {
                        return Err(type_error(ANY_ENTITY, bad));
                    }
                    items
                        .iter()
                        .filter_map(|t| as_entity(t).ok())
                        .any(|t| view.is_in(entity, t))
                }
                other => return Err(type_error(&format!("one of [set, {ANY_ENTITY}]"), other)),
            }
        }
        Op::Contains => as_set(&l)?.contains(&r),
        Op::ContainsAll => {
            let (a, b) = (as_set(&l)?, as_set(&r)?);
            b.iter().all(|x| a.iter().any(|y| x == y))
        }
        Op::ContainsAny => {
            let (a, b) = (as_set(&l)?, as_set(&r)?);
            b.iter().any(|x| a.iter().any(|y| x == y))
        }
    }))
}

/// Cedar's `like`: `*` matches any sequence of characters, over characters not bytes.
fn wildcard_match(pattern: &[Pattern], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < text.len() {
        match pattern.get(j) {
            Some(Pattern::Wildcard) => {
                star = Some((j, i));
                j += 1;
            }
            Some(Pattern::Char(c)) if *c == text[i] => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((sj, si)) => {
                    j = sj + 1;
                    i = si + 1;
                    star = Some((sj, si + 1));
                }
                None => return false,
            },
        }
    }
    pattern[j.min(pattern.len())..]
        .iter()
        .all(|p| *p == Pattern::Wildcard)
}

/// Compiles an expression of Cedar's JSON policy format.
pub(crate) fn compile(json: &Json) -> Result<Expr, Unsupported> {
    compile_in(json, false)
}

/// `entity_ok`: an entity literal may stand here. Entity literals are compiled only where
/// they are compared or are the hierarchy an `in` asks about, never where an attribute or
/// the ancestors of one would be read: the reference's entity store holds more than the
/// model view answers for (every resource of the account), so such reads are left to it.
fn compile_in(json: &Json, entity_ok: bool) -> Result<Expr, Unsupported> {
    let unsupported = |what: &str| Err(Unsupported(what.to_owned()));
    let Some((key, body)) =
        json.as_object()
            .and_then(|o| if o.len() == 1 { o.iter().next() } else { None })
    else {
        return unsupported("an expression that is not a one-key object");
    };
    let arg = |name: &str, entity_ok: bool| -> Result<Box<Expr>, Unsupported> {
        body.get(name)
            .ok_or_else(|| Unsupported(format!("`{key}` without `{name}`")))
            .and_then(|e| compile_in(e, entity_ok))
            .map(Box::new)
    };
    let binary = |op: Op, left_entity: bool, right_entity: bool| -> Result<Expr, Unsupported> {
        Ok(Expr::Binary(
            op,
            arg("left", left_entity)?,
            arg("right", right_entity)?,
        ))
    };
    let attr = || -> Result<String, Unsupported> {
        body.get("attr")
            .and_then(Json::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Unsupported(format!("`{key}` without a single `attr`")))
    };
    Ok(match key.as_str() {
        "Value" => Expr::Lit(literal(body, entity_ok)?),
        "Var" => Expr::Var(match body.as_str() {
            Some("principal") => Var::Principal,
            Some("action") => Var::Action,
            Some("resource") => Var::Resource,
            Some("context") => Var::Context,
            _ => return unsupported("an unknown variable"),
        }),
        "!" => Expr::Not(arg("arg", false)?),
        "neg" => Expr::Neg(arg("arg", false)?),
        "isEmpty" => Expr::IsEmpty(arg("arg", false)?),
        "==" => binary(Op::Eq, true, true)?,
        "!=" => Expr::Not(Box::new(binary(Op::Eq, true, true)?)),
        "<" => binary(Op::Less, false, false)?,
        "<=" => binary(Op::LessEq, false, false)?,
        // As Cedar defines them: `a > b` is `!(a <= b)`, `a >= b` is `!(a < b)`.
        ">" => Expr::Not(Box::new(binary(Op::LessEq, false, false)?)),
        ">=" => Expr::Not(Box::new(binary(Op::Less, false, false)?)),
        "+" => binary(Op::Add, false, false)?,
        "-" => binary(Op::Sub, false, false)?,
        "*" => binary(Op::Mul, false, false)?,
        "in" => in_expr(arg("left", false)?, body.get("right"))?,
        "contains" => binary(Op::Contains, false, false)?,
        "containsAll" => binary(Op::ContainsAll, false, false)?,
        "containsAny" => binary(Op::ContainsAny, false, false)?,
        "&&" => Expr::And(arg("left", false)?, arg("right", false)?),
        "||" => Expr::Or(arg("left", false)?, arg("right", false)?),
        "if-then-else" => Expr::If(arg("if", false)?, arg("then", false)?, arg("else", false)?),
        "." => Expr::GetAttr(arg("left", false)?, attr()?),
        "has" => {
            let path = match body.get("attr") {
                Some(Json::String(a)) => vec![a.clone()],
                Some(Json::Array(items)) if !items.is_empty() => items
                    .iter()
                    .map(|a| a.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| Unsupported("`has` with a non-string attribute".to_owned()))?,
                _ => return unsupported("`has` without `attr`"),
            };
            Expr::Has(arg("left", false)?, path)
        }
        "like" => {
            let mut pattern = Vec::new();
            for elem in body
                .get("pattern")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                match elem {
                    Json::String(w) if w == "Wildcard" => pattern.push(Pattern::Wildcard),
                    Json::Object(o) => match o.get("Literal").and_then(Json::as_str) {
                        Some(text) => pattern.extend(text.chars().map(Pattern::Char)),
                        None => return unsupported("a `like` pattern element"),
                    },
                    _ => return unsupported("a `like` pattern element"),
                }
            }
            Expr::Like(arg("left", false)?, pattern)
        }
        "is" => {
            let ty = body
                .get("entity_type")
                .and_then(Json::as_str)
                .ok_or_else(|| Unsupported("`is` without a type".to_owned()))?
                .to_owned();
            let is = Expr::Is(arg("left", false)?, ty);
            match body.get("in") {
                None => is,
                // `e is T in x` is `e is T && e in x`, as Cedar expands it.
                Some(x) => Expr::And(
                    Box::new(is),
                    Box::new(in_expr(arg("left", false)?, Some(x))?),
                ),
            }
        }
        "Set" => Expr::Set(
            body.as_array()
                .ok_or_else(|| Unsupported("`Set` that is not an array".to_owned()))?
                .iter()
                .map(|e| compile_in(e, entity_ok))
                .collect::<Result<_, _>>()?,
        ),
        "Record" => Expr::Record(
            body.as_object()
                .ok_or_else(|| Unsupported("`Record` that is not an object".to_owned()))?
                .iter()
                .map(|(k, e)| Ok((k.clone(), compile_in(e, false)?)))
                .collect::<Result<_, Unsupported>>()?,
        ),
        other => {
            return Err(Unsupported(format!(
                "`{other}` (extension functions, tags and slots are left to the reference backend)"
            )))
        }
    })
}

/// `left in right`: `right` may be an entity literal or a set of them.
fn in_expr(left: Box<Expr>, right: Option<&Json>) -> Result<Expr, Unsupported> {
    let right = right.ok_or_else(|| Unsupported("`in` without `right`".to_owned()))?;
    Ok(Expr::Binary(
        Op::In,
        left,
        Box::new(compile_in(right, true)?),
    ))
}

/// A literal of Cedar's JSON value format.
fn literal(json: &Json, entity_ok: bool) -> Result<Value<'static>, Unsupported> {
    Ok(match json {
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Long(
            n.as_i64()
                .ok_or_else(|| Unsupported(format!("the number `{n}`")))?,
        ),
        Json::String(s) => Value::String(Cow::Owned(s.clone())),
        Json::Array(items) => Value::Set(
            items
                .iter()
                .map(|v| literal(v, entity_ok))
                .collect::<Result<Vec<_>, _>>()?
                .into(),
        ),
        Json::Object(o) => {
            if let Some(entity) = o.get("__entity") {
                if !entity_ok {
                    return Err(Unsupported(
                        "an entity literal whose attributes or ancestors would be read".to_owned(),
                    ));
                }
                let field = |name: &str| {
                    entity
                        .get(name)
                        .and_then(Json::as_str)
                        .map(|s| Cow::Owned(s.to_owned()))
                        .ok_or_else(|| Unsupported("a malformed entity literal".to_owned()))
                };
                Value::Entity(Uid {
                    ty: field("type")?,
                    id: field("id")?,
                })
            } else if o.contains_key("__extn") {
                return Err(Unsupported("an extension value".to_owned()));
            } else {
                Value::record(
                    o.iter()
                        .map(|(k, v)| Ok((Cow::Owned(k.clone()), literal(v, false)?)))
                        .collect::<Result<Vec<_>, Unsupported>>()?,
                )
            }
        }
        Json::Null => return Err(Unsupported("`null`".to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use super::{wildcard_match, Pattern};

    fn pattern(p: &str) -> Vec<Pattern> {
        p.chars()
            .map(|c| {
                if c == '*' {
                    Pattern::Wildcard
                } else {
                    Pattern::Char(c)
                }
            })
            .collect()
    }

    #[test]
    fn like_matches_as_cedar_does() {
        for (p, text, expected) in [
            (
                "ELBSecurityPolicy-*-1-2-*",
                "ELBSecurityPolicy-TLS-1-2-2017-01",
                true,
            ),
            (
                "ELBSecurityPolicy-*-1-2-*",
                "ELBSecurityPolicy-2016-08",
                false,
            ),
            ("", "", true),
            ("", "a", false),
            ("*", "", true),
            ("a*b*c", "aXbYbc", true),
            ("a*b", "ab", true),
            ("a*b", "abc", false),
            ("**", "x", true),
            ("é*", "éa", true),
        ] {
            assert_eq!(wildcard_match(&pattern(p), text), expected, "{p} ~ {text}");
        }
    }
}
