//! Cloud ↔ code: a finding about a live resource points at the line of the CloudFormation
//! template that declares it.
//!
//! CloudFormation tags what it creates with `aws:cloudformation:stack-name` and
//! `aws:cloudformation:logical-id`. Given the templates found under `--iac`
//! ([`TemplateIndex`]), [`link`] finds each tagged resource's stack template and sets the
//! finding's location to the resource's logical id in it.
//!
//! A stack's template is found, never guessed ([`TemplateIndex::stack_template`]):
//! 1. by name: the template whose file stem is the stack name (case-insensitive; the name of
//!    a StackSet instance, `StackSet-NAME-UUID`, is `NAME`); else the template whose stem
//!    the stack name starts with (`STEM-…`) or ends with (`…-STEM`), the longest stem
//!    winning;
//! 2. else by content: the only template declaring one of the stack's resources (its logical
//!    id, with the resource's CloudFormation type).
//!
//! Two candidates at the same step link nothing and give a warning, as does a stack no
//! template matches: one notice per stack, however many findings it has.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rampart_iac::Template;

use crate::findings::{Evaluation, Finding, Notice};
use crate::model::{Location, Snapshot};

/// The tag CloudFormation puts the stack's name in.
pub const STACK_NAME_TAG: &str = "aws:cloudformation:stack-name";
/// The tag CloudFormation puts the resource's logical id in.
pub const LOGICAL_ID_TAG: &str = "aws:cloudformation:logical-id";

/// One template, as links need it: where it is, its stem, and where each resource's
/// logical id is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedTemplate {
    uri: String,
    /// The file stem, lowercase.
    stem: String,
    /// Logical id → (CloudFormation type, position of the logical id).
    resources: BTreeMap<String, (String, Location)>,
}

impl IndexedTemplate {
    /// The file, as findings name it.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Where the template declares `logical_id` with type `resource_type`.
    pub fn declaration(&self, logical_id: &str, resource_type: &str) -> Option<&Location> {
        self.resources
            .get(logical_id)
            .filter(|(t, _)| t == resource_type)
            .map(|(_, location)| location)
    }
}

/// The CloudFormation templates found under `--iac`, sorted by file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateIndex {
    templates: Vec<IndexedTemplate>,
}

/// Which template deployed a stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackTemplate<'a> {
    /// This one.
    Found(&'a IndexedTemplate),
    /// Several match equally well (the first two, by file): none is chosen.
    Ambiguous(&'a IndexedTemplate, &'a IndexedTemplate),
    /// None matches.
    NotFound,
}

impl TemplateIndex {
    /// Indexes templates, each with the file it was read from (`uri`, `/`-separated, as
    /// findings will name it; its stem is what stack names are matched against).
    pub fn new<'t>(templates: impl IntoIterator<Item = (String, &'t Template)>) -> Self {
        let mut templates: Vec<IndexedTemplate> = templates
            .into_iter()
            .map(|(uri, template)| {
                let stem = Path::new(&uri)
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                let resources = template
                    .resources
                    .iter()
                    .map(|r| {
                        let location = Location {
                            uri: uri.clone(),
                            line: r.id_span.start.line,
                            column: r.id_span.start.column,
                        };
                        (
                            r.logical_id.clone(),
                            (r.resource_type.as_str().to_owned(), location),
                        )
                    })
                    .collect();
                IndexedTemplate {
                    uri,
                    stem,
                    resources,
                }
            })
            .collect();
        templates.sort_by(|a, b| a.uri.cmp(&b.uri));
        TemplateIndex { templates }
    }

    /// How many templates there are.
    pub fn len(&self) -> usize {
        self.templates.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The template of stack `stack`, whose resources include `declared` (logical id,
    /// CloudFormation type): by name first, else the only template declaring one of them.
    pub fn stack_template(&self, stack: &str, declared: &[(&str, &str)]) -> StackTemplate<'_> {
        let by_name = self.by_name(stack);
        let candidates = if by_name.is_empty() {
            self.templates
                .iter()
                .filter(|t| {
                    declared
                        .iter()
                        .any(|(id, ty)| t.declaration(id, ty).is_some())
                })
                .collect()
        } else {
            by_name
        };
        match candidates.as_slice() {
            [] => StackTemplate::NotFound,
            [only] => StackTemplate::Found(only),
            [first, second, ..] => StackTemplate::Ambiguous(first, second),
        }
    }

    /// The templates named after the stack: the exact stem if any, else the longest stems
    /// the name starts or ends with.
    fn by_name(&self, stack: &str) -> Vec<&IndexedTemplate> {
        let name = stack_set_name(stack).unwrap_or(stack).to_lowercase();
        let exact: Vec<&IndexedTemplate> =
            self.templates.iter().filter(|t| t.stem == name).collect();
        if !exact.is_empty() {
            return exact;
        }
        let affixed: Vec<&IndexedTemplate> = self
            .templates
            .iter()
            .filter(|t| {
                !t.stem.is_empty()
                    && (name
                        .strip_prefix(t.stem.as_str())
                        .is_some_and(|rest| rest.starts_with('-'))
                        || name
                            .strip_suffix(t.stem.as_str())
                            .is_some_and(|rest| rest.ends_with('-')))
            })
            .collect();
        let longest = affixed
            .iter()
            .map(|t| t.stem.chars().count())
            .max()
            .unwrap_or_default();
        affixed
            .into_iter()
            .filter(|t| t.stem.chars().count() == longest)
            .collect()
    }
}

/// `NAME` of a StackSet instance's stack name, `StackSet-NAME-UUID`.
fn stack_set_name(stack: &str) -> Option<&str> {
    let rest = stack.strip_prefix("StackSet-")?;
    // A UUID is 36 characters: 8-4-4-4-12 hexadecimal digits.
    let (name, uuid) = rest.split_at_checked(rest.len().checked_sub(36)?)?;
    let name = name.strip_suffix('-')?;
    let groups: Vec<&str> = uuid.split('-').collect();
    let is_uuid = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()));
    (is_uuid && !name.is_empty()).then_some(name)
}

/// The stack and logical id of every resource CloudFormation tagged, by the identity
/// findings carry (ARN, type, account, region).
type Tagged<'s> = HashMap<(&'s str, &'static str, &'s str, &'s str), (&'s str, &'s str)>;

fn tagged(snapshot: &Snapshot) -> Tagged<'_> {
    snapshot
        .resources()
        .filter_map(|r| {
            let stack = r.tags.get(STACK_NAME_TAG)?;
            let logical_id = r.tags.get(LOGICAL_ID_TAG)?;
            Some((
                (r.arn, r.resource_type.name(), r.account_id, r.region),
                (stack.as_str(), logical_id.as_str()),
            ))
        })
        .collect()
}

fn stack_and_id<'s>(tagged: &Tagged<'s>, f: &Finding) -> Option<(&'s str, &'s str)> {
    tagged
        .get(&(
            f.resource.as_str(),
            f.resource_type,
            f.account_id.as_str(),
            f.region.as_str(),
        ))
        .copied()
}

/// Sets the location of every finding about a resource CloudFormation tagged whose stack's
/// template is in `templates` and declares it (findings that already have a location, from
/// a file, keep it). Returns the warnings, sorted: one per stack without a template or with
/// several, and one per stack whose template lacks some of its resources.
pub fn link(
    evaluation: &mut Evaluation,
    snapshot: &Snapshot,
    templates: &TemplateIndex,
) -> Vec<Notice> {
    let tagged = tagged(snapshot);
    // Each stack's resources that have findings: (logical id, type).
    let mut stacks: BTreeMap<&str, BTreeSet<(&str, &'static str)>> = BTreeMap::new();
    for f in evaluation.findings.iter().filter(|f| f.location.is_none()) {
        if let Some((stack, id)) = stack_and_id(&tagged, f) {
            stacks
                .entry(stack)
                .or_default()
                .insert((id, f.resource_type));
        }
    }
    let mut notices = Vec::new();
    let mut found: BTreeMap<&str, &IndexedTemplate> = BTreeMap::new();
    for (stack, declared) in &stacks {
        let declared: Vec<(&str, &str)> = declared.iter().map(|&(id, ty)| (id, ty)).collect();
        match templates.stack_template(stack, &declared) {
            StackTemplate::Found(template) => {
                let missing: Vec<String> = declared
                    .iter()
                    .filter(|(id, ty)| template.declaration(id, ty).is_none())
                    .map(|(id, ty)| format!("`{id}` ({ty})"))
                    .collect();
                if !missing.is_empty() {
                    notices.push(Notice::warning(format!(
                        "stack `{stack}`: its template `{}` declares no {}; findings about {} are not linked to it",
                        template.uri(),
                        missing.join(", "),
                        if missing.len() == 1 { "it" } else { "them" },
                    )));
                }
                found.insert(stack, template);
            }
            StackTemplate::Ambiguous(first, second) => notices.push(Notice::warning(format!(
                "stack `{stack}`: several templates under --iac could be its template (`{}`, `{}`); its findings are not linked",
                first.uri(),
                second.uri(),
            ))),
            StackTemplate::NotFound => notices.push(Notice::warning(format!(
                "stack `{stack}`: no template under --iac is named after it or declares its resources; its findings are not linked"
            ))),
        }
    }
    for f in evaluation
        .findings
        .iter_mut()
        .filter(|f| f.location.is_none())
    {
        let location = stack_and_id(&tagged, f).and_then(|(stack, id)| {
            found
                .get(stack)
                .and_then(|t| t.declaration(id, f.resource_type))
        });
        if let Some(location) = location {
            f.location = Some(location.clone());
        }
    }
    notices.sort();
    notices
}

#[cfg(test)]
mod tests;
