//! `rampart rules list|explain|matrix`: the catalog, each rule's documentation, and the
//! coverage of the foundation guidance.

use std::process::ExitCode;

use serde::Serialize;

use super::evaluate::{load_rules, RuleArgs};
use super::{write_output, InputError};
use crate::capabilities::{matrix, Coverage, FOUNDATION_GUIDE};
use crate::rules::{unknown_name, Catalog, RuleMeta};

/// `rampart rules …`
#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, title, area, severity, kind.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// The rule id.
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// The coverage matrix: each capability of the foundation guidance, the rules of the
    /// ruleset that check it, and the capabilities no rule covers yet.
    Matrix {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = MatrixFormat::Text)]
        format: MatrixFormat,
    },
}

/// Output format of `rules matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// Lines for people.
    Text,
    /// A JSON array of `{capability, title, area, rules}`.
    Json,
    /// A Markdown table (`docs/coverage.md`).
    Markdown,
}

/// Output format of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// An aligned table.
    Text,
    /// A JSON array.
    Json,
}

#[derive(Serialize)]
struct ListedRule<'a> {
    id: &'a str,
    title: &'a str,
    area: &'a str,
    severity: &'a str,
    kind: &'a str,
    resource_types: Vec<&'static str>,
    reads: Vec<String>,
    enabled: bool,
}

/// Runs `rampart rules …`.
pub fn run(cmd: &RulesCommand) -> Result<ExitCode, InputError> {
    match cmd {
        RulesCommand::List { rules, format } => {
            let (ruleset, catalog) = load_rules(rules)?;
            let engine =
                crate::rules::Engine::new(&catalog, &ruleset).map_err(InputError::from_display)?;
            let enabled: Vec<&str> = engine
                .active_rules()
                .iter()
                .map(|r| r.meta().id.as_str())
                .collect();
            let listed: Vec<ListedRule<'_>> = catalog
                .rules()
                .iter()
                .map(|r| {
                    listed(
                        r.meta(),
                        ruleset.severity.get(&r.meta().id).copied(),
                        enabled.contains(&r.meta().id.as_str()),
                    )
                })
                .collect();
            let text = match format {
                ListFormat::Json => {
                    let mut s =
                        serde_json::to_string_pretty(&listed).map_err(InputError::from_display)?;
                    s.push('\n');
                    s
                }
                ListFormat::Text => table(&listed),
            };
            write_output(None, &text)?;
        }
        RulesCommand::Explain { id, rules } => {
            let (_, catalog) = load_rules(rules)?;
            let rule = find(&catalog, id)?;
            write_output(None, &explain(rule.meta()))?;
        }
        RulesCommand::Matrix { rules, format } => {
            let (ruleset, catalog) = load_rules(rules)?;
            let engine =
                crate::rules::Engine::new(&catalog, &ruleset).map_err(InputError::from_display)?;
            let rows = matrix(
                ruleset.frameworks.get(FOUNDATION_GUIDE),
                engine.active_rules().iter().map(|r| r.meta().id.as_str()),
            );
            let text = match format {
                MatrixFormat::Json => {
                    let mut s =
                        serde_json::to_string_pretty(&rows).map_err(InputError::from_display)?;
                    s.push('\n');
                    s
                }
                MatrixFormat::Text => matrix_text(&rows),
                MatrixFormat::Markdown => matrix_markdown(&rows, &ruleset.name),
            };
            write_output(None, &text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One capability a line with its rules; the uncovered ones listed again at the end.
fn matrix_text(rows: &[Coverage]) -> String {
    let width = rows.iter().map(|r| r.capability.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rows {
        let rules = if r.rules.is_empty() {
            "— not covered".to_owned()
        } else {
            r.rules.join(", ")
        };
        out.push_str(&format!("{:width$}  {rules}\n", r.capability));
    }
    let uncovered: Vec<&str> = rows
        .iter()
        .filter(|r| r.rules.is_empty())
        .map(|r| r.capability)
        .collect();
    out.push_str(&format!(
        "\n{} of {} capabilities covered",
        rows.len() - uncovered.len(),
        rows.len()
    ));
    if uncovered.is_empty() {
        out.push('\n');
    } else {
        out.push_str(&format!("; not yet: {}\n", uncovered.join(", ")));
    }
    out
}

/// `docs/coverage.md`: the matrix as a Markdown table.
fn matrix_markdown(rows: &[Coverage], ruleset: &str) -> String {
    let mut out = format!(
        "# Coverage of the foundation guidance\n\n\
         Each capability that a pre-production and production foundation needs, and the rules \
         of the `{ruleset}` ruleset that check it (`[frameworks.foundation-guide]`). Written by \
         `rampart rules matrix --format markdown`; a test keeps this file current.\n\n\
         | capability | area | what the guidance asks for | rules |\n|---|---|---|---|\n"
    );
    for r in rows {
        let rules = if r.rules.is_empty() {
            "**not covered**".to_owned()
        } else {
            r.rules
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {rules} |\n",
            r.capability, r.area, r.title
        ));
    }
    let covered = rows.iter().filter(|r| !r.rules.is_empty()).count();
    out.push_str(&format!(
        "\n{covered} of {} capabilities covered.\n",
        rows.len()
    ));
    out
}

fn listed(
    meta: &RuleMeta,
    severity: Option<crate::rules::Severity>,
    enabled: bool,
) -> ListedRule<'_> {
    ListedRule {
        id: &meta.id,
        title: &meta.title,
        area: meta.area.as_str(),
        severity: severity.unwrap_or(meta.severity).as_str(),
        kind: meta.kind.as_str(),
        resource_types: meta.resource_types.iter().map(|t| t.name()).collect(),
        reads: meta.reads.iter().map(ToString::to_string).collect(),
        enabled,
    }
}

fn table(rules: &[ListedRule<'_>]) -> String {
    let width = |f: fn(&ListedRule<'_>) -> usize, header: &str| {
        rules.iter().map(f).max().unwrap_or(0).max(header.len())
    };
    let w_id = width(|r| r.id.len(), "ID");
    let w_area = width(|r| r.area.len(), "AREA");
    let mut out = format!(
        "{:w_id$}  {:w_area$}  {:8}  {:6}  TITLE\n",
        "ID", "AREA", "SEVERITY", "KIND"
    );
    for r in rules {
        let title = if r.enabled {
            r.title.to_owned()
        } else {
            format!("{} (disabled by the ruleset)", r.title)
        };
        out.push_str(&format!(
            "{:w_id$}  {:w_area$}  {:8}  {:6}  {title}\n",
            r.id, r.area, r.severity, r.kind
        ));
    }
    out.push_str(&format!("{} rules\n", rules.len()));
    out
}

fn find<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c crate::rules::CatalogRule, InputError> {
    catalog.get(id).ok_or_else(|| {
        let known: Vec<&str> = catalog.ids().collect();
        InputError(unknown_name("rule", id, &known))
    })
}

fn explain(meta: &RuleMeta) -> String {
    let types: Vec<&str> = meta.resource_types.iter().map(|t| t.name()).collect();
    let mut out = format!(
        "# {} — {}\n\narea: {} · severity: {} · kind: {}\nresource types: {}\nreads: {}\n",
        meta.id,
        meta.title,
        meta.area,
        meta.severity,
        meta.kind.as_str(),
        types.join(", "),
        meta.reads
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(loc) = &meta.location {
        out.push_str(&format!("defined at: {}:{}\n", loc.uri, loc.line));
    }
    out.push('\n');
    out.push_str(meta.doc.trim_end());
    out.push('\n');
    out
}
