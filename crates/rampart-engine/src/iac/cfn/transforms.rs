//! The transforms a template declares, applied before it is mapped (`rampart-iac` does the
//! expansion): `Fn::ForEach` loops (`AWS::LanguageExtensions`), their collections resolved
//! with the context's parameters, then the SAM transform's function roles. What is not
//! expanded is a warning naming where: a loop without the transform, a loop whose
//! collection the code does not decide (its resources are judged once, as the loop writes
//! them, standing for every item), serverless types rampart does not expand.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rampart_iac::cfn::{ResolveContext, Template, LANGUAGE_EXTENSIONS};

use super::location;
use crate::iac::Sink;

/// The template as CloudFormation would deploy it, or `None` (an error notice recorded)
/// when the transforms refuse it, as CloudFormation would.
pub(super) fn apply<'t>(
    sink: &mut Sink<'_>,
    uri: &str,
    template: &'t Template,
    context: &ResolveContext,
) -> Option<Cow<'t, Template>> {
    // Most templates declare no transform: they are mapped as parsed, not copied.
    let expanded = if template.has_loops_to_expand() {
        template.expand_for_each(context).map(Cow::Owned)
    } else {
        Ok(Cow::Borrowed(template))
    };
    let expanded = expanded.and_then(|t| {
        if t.has_functions_to_expand() {
            t.expand_serverless().map(Cow::Owned)
        } else {
            Ok(t)
        }
    });
    let expanded = match expanded {
        Ok(t) => t,
        Err(e) => {
            sink.error(location(uri, e.position), e.message);
            return None;
        }
    };
    for block in &expanded.for_each {
        sink.warn(
            location(uri, block.span.start),
            format!(
                "`{}` is not expanded without `Transform: {LANGUAGE_EXTENSIONS}`: the resources it declares are not checked",
                block.key
            ),
        );
    }
    for undecided in &expanded.undecided_loops {
        let standing: Vec<String> = expanded
            .resources
            .iter()
            .filter(|r| {
                r.stands_for
                    .as_ref()
                    .is_some_and(|l| l.key == undecided.key)
            })
            .map(|r| format!("`{}`", r.logical_id))
            .collect();
        let what = if standing.is_empty() {
            "what it generates is unknown".to_owned()
        } else {
            format!(
                "its resources are checked as written in the loop ({}), for every item, and what depends on the item is unknown",
                standing.join(", ")
            )
        };
        sink.warn(
            location(uri, undecided.span.start),
            format!(
                "`{}`: the code does not decide its collection ({}): {what}",
                undecided.key, undecided.reason.reason
            ),
        );
    }
    let mut serverless: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &expanded.resources {
        let t = r.resource_type.as_str();
        if t.starts_with("AWS::Serverless::") {
            *serverless.entry(t).or_default() += 1;
        }
    }
    if !serverless.is_empty() {
        let listed: Vec<String> = serverless.iter().map(|(t, n)| format!("{n} {t}")).collect();
        sink.warn(
            location(uri, rampart_iac::Position::new(1, 1)),
            format!(
                "{} not expanded (the SAM transform expands functions only): what they create is not checked",
                listed.join(", ")
            ),
        );
    }
    Some(expanded)
}
