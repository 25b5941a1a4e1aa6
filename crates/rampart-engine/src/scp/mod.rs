//! Service control policies generated from guardrail intents (`rampart scp`).
//!
//! ```text
//! guardrails/*.toml ──► guardrails::Guardrails ──resolve(OrgTree, ruleset parameters)──► [Intent]
//!   [Intent] ──intent::Intent::statements──► statement::ScpStatement (Deny, exemptions as conditions)
//!     ──pack::generate: per target, statement::merge → compact::compact → minify → first-fit──► Plan
//!   Plan ──verify::verify (rampart-iam's evaluator over each account's SCP chain)──► ProofReport
//!   Plan ──render::files──► policies/*.json, plan.json, terraform/main.tf, cloudformation/template.json
//!   [Intent] + the attached SCPs ──diff::diff──► DiffReport (enforced, broader, narrower, missing)
//!   CloudTrail records + attached and planned chains ──impact::preview──► ImpactReport
//! ```
//!
//! Nothing here performs I/O: the CLI reads the guardrails and writes the files.

pub mod compact;
pub mod diff;
pub mod guardrails;
pub mod impact;
pub mod intent;
pub mod org;
pub mod pack;
pub mod render;
pub mod space;
pub mod statement;
pub mod verify;

#[cfg(test)]
mod diff_tests;
#[cfg(test)]
mod tests;

use rampart_iam::catalog::{ActionCatalog, CatalogError};

pub use diff::DiffReport;
pub use guardrails::{
    load_guardrails_file, parse_guardrails, parse_quota_profile, Guardrails, GuardrailsError,
    Quotas, DEFAULT_GUARDRAILS, DEFAULT_GUARDRAILS_PATH,
};
pub use impact::{parse_events, CloudTrailEvent, EventsError, ImpactReport};
pub use intent::{Intent, IntentKind};
pub use org::OrgTree;
pub use pack::{DoesNotFit, Plan};
pub use verify::{verify, ProofReport};

use crate::model::Snapshot;
use crate::ruleset::Parameters;

/// Why SCPs could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum ScpError {
    /// The guardrails are invalid or do not fit the organization (exit 2).
    #[error(transparent)]
    Guardrails(#[from] GuardrailsError),
    /// The action catalog could not be loaded.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The intents do not fit the quotas (exit 1).
    #[error(transparent)]
    DoesNotFit(#[from] DoesNotFit),
}

/// A generation: the resolved intents, the organization and the plan.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The intents, resolved against the organization.
    pub intents: Vec<Intent>,
    /// The organization.
    pub org: OrgTree,
    /// The SCPs per target.
    pub plan: Plan,
    /// Attached SCPs the generated ones replace.
    pub replaces: Vec<String>,
}

impl Generation {
    /// Proves the plan (see [`verify`]).
    pub fn verify(&self, differential: bool) -> Result<ProofReport, CatalogError> {
        let catalog = ActionCatalog::get()?;
        Ok(verify::verify(
            &self.plan,
            &self.intents,
            &self.org,
            &self.replaces,
            catalog,
            differential,
        ))
    }

    /// What the SCPs attached today enforce of the intents (see [`diff::diff`]).
    pub fn diff(&self) -> DiffReport {
        diff::diff(&self.intents, &self.org)
    }

    /// Which of `events` the plan's SCPs would deny (see [`impact::preview`]).
    pub fn impact(&self, events: &[CloudTrailEvent]) -> Result<ImpactReport, CatalogError> {
        let catalog = ActionCatalog::get()?;
        let attached = diff::AttachedChains::new(&self.org);
        let planned = verify::Chains::new(&self.org, &self.plan, &self.intents, &self.replaces);
        Ok(impact::preview(
            events, catalog, &self.org, &attached, &planned,
        ))
    }
}

/// Generates the SCPs of `guardrails` for a snapshot; `quotas` overrides the guardrails'.
pub fn generate(
    snapshot: &Snapshot,
    guardrails: &Guardrails,
    params: &Parameters,
    quotas: Option<&Quotas>,
) -> Result<Generation, ScpError> {
    let catalog = ActionCatalog::get()?;
    let org = OrgTree::new(snapshot);
    let intents = guardrails.resolve(&org, params)?;
    let quotas = quotas.unwrap_or(&guardrails.quotas);
    let plan = pack::generate(&intents, &org, quotas, &guardrails.generation, catalog)?;
    Ok(Generation {
        intents,
        org,
        plan,
        replaces: guardrails.generation.replaces.clone(),
    })
}
