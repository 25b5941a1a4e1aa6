//! Infrastructure code in the model: CloudFormation templates and Terraform plans, as
//! `rampart-iac` reads them, become accounts and resources of a [`Snapshot`], so that the
//! same rules as a live scan judge them (`rampart check`).
//!
//! Every resource carries its file position (`Source::File`: the logical id in a template,
//! the resource's address in a plan). A value the code does not decide (a parameter without
//! a default, an undecidable condition, an attribute known only after deployment) is never
//! guessed: the attribute is left out and a coverage gap on that resource names the data it
//! hides, so that the rules reading it say `unknown`. What code never holds — the other
//! accounts of the organization, its SCPs, the account's tags unless `--context` gives
//! them — is a coverage gap too.
//!
//! Each file lands in the account its [`Context`] target names (default: a placeholder
//! account in `us-east-1`); resources without a physical name get one from the file path
//! and logical id, so that fingerprints stay put when unrelated lines move.

mod aws_managed;
mod cfn;
pub mod context;
mod terraform;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::findings::{Notice, NoticeLevel};
use crate::model::{
    Account, AccountStatus, CoverageGap, Location, Operation, Organization, Root, Snapshot,
    SnapshotSource, SnapshotSourceKind, Source, Tags, SCHEMA_VERSION,
};
use crate::ruleset::Parameters;

pub use context::{Context, ContextError, Target};

/// One file of infrastructure code, read, with the URI findings name it by (relative to
/// the checked root, `/`-separated).
#[derive(Debug, Clone)]
pub struct IacFile {
    /// The file as findings name it.
    pub uri: String,
    /// What it holds.
    pub document: rampart_iac::Document,
}

/// An in-source suppression (`Metadata.rampart.skip`, a Terraform comment) of one rule on
/// one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InlineSuppression {
    /// The resource's ARN in the model.
    pub arn: String,
    /// The rule id.
    pub rule_id: String,
    /// Why, as written.
    pub reason: String,
    /// Where it is written.
    pub location: Location,
}

/// The model built from infrastructure code.
#[derive(Debug, Clone)]
pub struct IacModel {
    /// Accounts holding the code's resources (and, with a snapshot context, the rest of the
    /// organization), with the gaps code cannot fill. Usually one snapshot; files that
    /// declare the same resource (one template per environment with the same names, a
    /// copy of a template) go into separate snapshots, evaluated each on its own, so that
    /// no two declarations of one ARN meet.
    pub snapshots: Vec<Snapshot>,
    /// Suppressions written in the code.
    pub suppressions: Vec<InlineSuppression>,
    /// Things the user should know (a resource type rampart does not model is not one).
    pub notices: Vec<Notice>,
}

/// The placeholder account of files the context does not place.
pub const DEFAULT_ACCOUNT: &str = "000000000000";
/// The region of files the context does not place (the AWS CLI's and SDKs' usual default).
pub const DEFAULT_REGION: &str = "us-east-1";

/// Builds the model of `files` as `context` places them. `parameters` are the ruleset's,
/// for the tag keys that carry an account's environment and classification.
pub fn build(
    files: &[IacFile],
    context: &Context,
    parameters: &Parameters,
    taken_at: DateTime<Utc>,
) -> IacModel {
    let mut model = ModelBuilder::default();
    for file in files {
        model.add(map_file(file, context, parameters, taken_at));
    }
    model.finish()
}

/// The model of one file as `context` places it, on its own: [`ModelBuilder`] joins the
/// files' models. Files map independently (in parallel, and each file's parsed tree can be
/// dropped as soon as it is mapped); joining them in file order gives the model of
/// [`build`].
pub fn map_file(
    file: &IacFile,
    context: &Context,
    parameters: &Parameters,
    taken_at: DateTime<Utc>,
) -> IacModel {
    let target = context.target(&file.uri);
    let mut sink = Sink::new(context, parameters, taken_at);
    match &file.document {
        rampart_iac::Document::CloudFormation(template) => {
            cfn::map(&mut sink, &file.uri, template, &target);
        }
        rampart_iac::Document::TerraformPlan(plan) => {
            terraform::map(&mut sink, &file.uri, plan, &target);
        }
        // Policy files are judged by the policy validator, not mapped.
        rampart_iac::Document::Policy(_) => {}
    }
    sink.finish()
}

/// Joins the models of files ([`map_file`]), in file order, into the model of them all:
/// snapshots that declare no ARN in common go into one.
#[derive(Default)]
pub struct ModelBuilder {
    batches: Vec<Batch>,
    suppressions: Vec<InlineSuppression>,
    notices: Vec<Notice>,
}

impl ModelBuilder {
    /// Adds the next file's model.
    pub fn add(&mut self, model: IacModel) {
        self.suppressions.extend(model.suppressions);
        self.notices.extend(model.notices);
        for snapshot in model.snapshots {
            let arns: BTreeSet<String> = code_resources(&snapshot).collect();
            match self.batches.iter_mut().find(|b| b.fits(&snapshot, &arns)) {
                Some(batch) => batch.absorb(snapshot, arns),
                None => self.batches.push(Batch::new(snapshot, arns)),
            }
        }
    }

    /// The model of every file added.
    pub fn finish(mut self) -> IacModel {
        self.suppressions.sort();
        self.suppressions.dedup();
        self.notices.sort();
        self.notices.dedup();
        IacModel {
            snapshots: self
                .batches
                .into_iter()
                .map(|b| {
                    let mut snapshot = b.snapshot;
                    snapshot.coverage.sort();
                    snapshot.coverage.dedup();
                    snapshot
                })
                .collect(),
            suppressions: self.suppressions,
            notices: self.notices,
        }
    }
}

/// The ARNs of the resources declared in code (not a context snapshot's live ones).
fn code_resources(snapshot: &Snapshot) -> impl Iterator<Item = String> + '_ {
    snapshot
        .resources()
        .filter(|r| {
            matches!(r.source, Source::File { .. })
                && r.resource_type != crate::model::ResourceType::Account
        })
        .map(|r| r.arn.to_owned())
}

/// Files evaluated together: no ARN declared twice.
struct Batch {
    /// The files' snapshots joined (coverage gaps sorted and de-duplicated at the end).
    snapshot: Snapshot,
    arns: BTreeSet<String>,
    /// The gaps about no one resource (an account's environment unknown): every file of
    /// the batch has the same.
    general: BTreeSet<CoverageGap>,
}

impl Batch {
    fn new(snapshot: Snapshot, arns: BTreeSet<String>) -> Batch {
        let general = snapshot
            .coverage
            .iter()
            .filter(|g| g.resource.is_none())
            .cloned()
            .collect();
        Batch {
            snapshot,
            arns,
            general,
        }
    }

    /// Whether a file's snapshot can join: no ARN in common, and every account both hold
    /// is placed alike (same tags, same coverage), so that one file's unknown environment
    /// does not spread to another's resources.
    fn fits(&self, other: &Snapshot, arns: &BTreeSet<String>) -> bool {
        self.arns.is_disjoint(arns)
            && other.accounts.iter().all(|a| {
                self.snapshot
                    .accounts
                    .iter()
                    .find(|b| b.id == a.id)
                    .is_none_or(|b| b.tags == a.tags)
            })
            && other
                .coverage
                .iter()
                .filter(|g| g.resource.is_none())
                .all(|g| self.general.contains(g))
    }

    /// Joins another file's snapshot (same context) into this one; its general gaps are
    /// the batch's already ([`Batch::fits`]).
    fn absorb(&mut self, other: Snapshot, arns: BTreeSet<String>) {
        self.arns.extend(arns);
        self.snapshot.coverage.extend(other.coverage);
        for account in other.accounts {
            match self
                .snapshot
                .accounts
                .iter_mut()
                .find(|a| a.id == account.id)
            {
                Some(into) => into.absorb(account),
                None => self.snapshot.accounts.push(account),
            }
        }
    }
}

/// Where mapped resources go: accounts by id, gaps, suppressions, notices.
pub(crate) struct Sink<'a> {
    parameters: &'a Parameters,
    snapshot: Snapshot,
    /// Index of each account in `snapshot.accounts`.
    accounts: BTreeMap<String, usize>,
    /// Accounts the code created (not the context snapshot's), with whether their tags
    /// (environment, classification) are known.
    placed: BTreeMap<String, bool>,
    suppressions: Vec<InlineSuppression>,
    notices: Vec<Notice>,
    /// Whether the organization around the code is known (a snapshot context).
    organization_known: bool,
}

impl<'a> Sink<'a> {
    fn new(context: &Context, parameters: &'a Parameters, taken_at: DateTime<Utc>) -> Sink<'a> {
        let (snapshot, organization_known) = match context.snapshot() {
            Some(snapshot) => (snapshot.clone(), true),
            None => (empty_snapshot(taken_at), false),
        };
        let accounts = snapshot
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        Sink {
            parameters,
            snapshot,
            accounts,
            placed: BTreeMap::new(),
            suppressions: Vec::new(),
            notices: Vec::new(),
            organization_known,
        }
    }

    /// The account a target names, created (tagged with the target's environment and
    /// classification) on first use. A resource of the same ARN already in the account
    /// (a context snapshot's live copy) is replaced by the code's, which is what a
    /// deployment would do.
    pub(crate) fn account(&mut self, target: &Target) -> &mut Account {
        let index = match self.accounts.get(&target.account_id) {
            Some(&i) => i,
            None => {
                let account = self.new_account(target);
                self.snapshot.accounts.push(account);
                let i = self.snapshot.accounts.len() - 1;
                self.accounts.insert(target.account_id.clone(), i);
                self.placed
                    .insert(target.account_id.clone(), target.environment.is_some());
                i
            }
        };
        &mut self.snapshot.accounts[index]
    }

    fn new_account(&self, target: &Target) -> Account {
        let mut tags = Tags::new();
        if let (Some(env), Some(key)) = (
            &target.environment,
            self.parameters.environments.tags.first(),
        ) {
            tags.insert(key.clone(), env.clone());
        }
        if let (Some(level), Some(key)) = (
            &target.classification,
            self.parameters.classification_tags.first(),
        ) {
            tags.insert(key.clone(), level.clone());
        }
        let org = &self.snapshot.organization;
        Account {
            id: target.account_id.clone(),
            arn: format!(
                "arn:aws:organizations::{}:account/{}/{}",
                org.management_account_id, org.id, target.account_id
            ),
            account_id: target.account_id.clone(),
            region: crate::model::GLOBAL_REGION.to_owned(),
            name: format!("checked code ({})", target.account_id),
            email: None,
            status: AccountStatus::Active,
            parent_id: org.root.id.clone(),
            tags,
            source: Source::File {
                uri: target.origin.clone(),
                line: 1,
                column: 1,
            },
            enabled_regions: None,
            iam: Default::default(),
            kms_keys: Vec::new(),
            network: Default::default(),
            storage: Default::default(),
            certificates: Default::default(),
            logging: Default::default(),
            dns: Default::default(),
            security_services: Vec::new(),
            resource_shares: Vec::new(),
            alternate_contacts: None,
        }
    }

    /// Records that `operation`'s data about the resource `arn` is not decided by the code.
    pub(crate) fn unknown(
        &mut self,
        target: &Target,
        region: &str,
        arn: &str,
        operation: Operation,
        reason: String,
    ) {
        self.snapshot.coverage.push(CoverageGap {
            account_id: target.account_id.clone(),
            region: region.to_owned(),
            service: operation.service(),
            reason,
            resource: Some(arn.to_owned()),
            operation: Some(operation),
        });
    }

    /// Records an in-source suppression.
    pub(crate) fn suppress(&mut self, suppression: InlineSuppression) {
        self.suppressions.push(suppression);
    }

    /// Records a warning about a file.
    pub(crate) fn warn(&mut self, location: Location, message: String) {
        self.notices.push(Notice {
            level: NoticeLevel::Warning,
            message,
            location: Some(location),
        });
    }

    /// Records an error about a file: code CloudFormation would refuse (the run ends with
    /// exit code 2, as for a file that does not parse).
    pub(crate) fn error(&mut self, location: Location, message: String) {
        self.notices.push(Notice {
            level: NoticeLevel::Error,
            message,
            location: Some(location),
        });
    }

    /// The ruleset parameters (tag keys).
    pub(crate) fn parameters(&self) -> &Parameters {
        self.parameters
    }

    fn finish(mut self) -> IacModel {
        for account in &mut self.snapshot.accounts {
            aws_managed::add_published(account);
        }
        let mut gaps = Vec::new();
        for (account_id, tags_known) in &self.placed {
            if !tags_known {
                gaps.push(org_gap(
                    account_id,
                    Operation::OrganizationsListTagsForResource,
                    "the account's environment and classification are not in the code: give them with `--context` (or an `Environment` parameter)",
                ));
            }
        }
        if !self.organization_known {
            for operation in [
                Operation::OrganizationsListAccountsForParent,
                Operation::OrganizationsListPolicies,
                Operation::OrganizationsListDelegatedAdministrators,
            ] {
                gaps.push(org_gap(
                    "*",
                    operation,
                    "the organization around the code is not known: give a snapshot with `--context`",
                ));
            }
        }
        self.snapshot.coverage.extend(gaps);
        self.snapshot.coverage.sort();
        self.snapshot.coverage.dedup();
        self.suppressions.sort();
        self.suppressions.dedup();
        self.notices.sort();
        self.notices.dedup();
        IacModel {
            snapshots: vec![self.snapshot],
            suppressions: self.suppressions,
            notices: self.notices,
        }
    }
}

fn org_gap(account_id: &str, operation: Operation, reason: &str) -> CoverageGap {
    CoverageGap {
        account_id: account_id.to_owned(),
        region: "*".to_owned(),
        service: operation.service(),
        reason: reason.to_owned(),
        resource: None,
        operation: Some(operation),
    }
}

/// An organization with nothing in it but its root: what code alone tells.
pub(crate) fn empty_snapshot(taken_at: DateTime<Utc>) -> Snapshot {
    let management = DEFAULT_ACCOUNT.to_owned();
    Snapshot {
        schema_version: SCHEMA_VERSION.to_owned(),
        taken_at,
        source: SnapshotSource {
            kind: SnapshotSourceKind::Iac,
            description: "infrastructure code (rampart check)".to_owned(),
            regions: None,
        },
        organization: Organization {
            id: "o-checkedcode".to_owned(),
            arn: format!("arn:aws:organizations::{management}:organization/o-checkedcode"),
            management_account_id: management.clone(),
            root: Root {
                id: "r-code".to_owned(),
                arn: format!("arn:aws:organizations::{management}:root/o-checkedcode/r-code"),
                name: "Root".to_owned(),
                tags: Tags::new(),
            },
            organizational_units: Vec::new(),
            policies: Vec::new(),
            delegated_administrators: Vec::new(),
        },
        accounts: Vec::new(),
        coverage: Vec::new(),
    }
}

/// The key policy KMS gives a key created without one: the account may use it through IAM.
pub(crate) fn default_key_policy(account_id: &str) -> crate::model::PolicyDocument {
    crate::model::PolicyDocument::new(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account_id}:root")},
            "Action": "kms:*",
            "Resource": "*"
        }]
    }))
}

/// A name for a resource the code leaves unnamed: the file path and the logical id, as
/// CloudFormation derives physical names from the stack and logical id.
pub(crate) fn default_name(uri: &str, logical_id: &str) -> String {
    let mut stack: String = uri
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while stack.contains("--") {
        stack = stack.replace("--", "-");
    }
    format!("{}-{logical_id}", stack.trim_matches('-'))
}

#[cfg(test)]
mod tests;
