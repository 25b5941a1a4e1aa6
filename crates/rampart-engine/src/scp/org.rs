//! The organization as SCP generation sees it: the targets policies attach to (the root,
//! OUs, accounts), their parents, the accounts below each, and the SCPs already attached.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{AccountStatus, OrgPolicyKind, Snapshot};

/// What a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// The organization root.
    Root,
    /// An organizational unit.
    Ou,
    /// An account.
    Account,
}

/// A root, OU or account that SCPs attach to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// `r-…`, `ou-…` or the account id.
    pub id: String,
    /// What it is.
    pub kind: TargetKind,
    /// The root's name, the OU's path from the root (`Workloads/Prod`), or the account's name.
    pub path: String,
    /// The parent's id (`None` for the root).
    #[serde(skip)]
    pub parent: Option<String>,
}

/// An account SCPs apply to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAccount {
    /// The account id.
    pub id: String,
    /// The account name.
    pub name: String,
    /// Target ids from the root down to the account itself: the levels of its SCP chain.
    pub levels: Vec<String>,
}

/// An SCP already attached somewhere.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachedScp {
    /// The policy's name.
    pub name: String,
    /// The policy's id.
    pub id: String,
    /// Its document.
    pub document: crate::model::PolicyDocument,
    /// Where it is attached.
    pub targets: Vec<String>,
}

/// The organization's targets and accounts.
#[derive(Debug, Clone)]
pub struct OrgTree {
    /// Every target by id.
    pub targets: BTreeMap<String, Target>,
    /// The root's id.
    pub root_id: String,
    /// The management account (SCPs never apply to it).
    pub management_account_id: String,
    /// Active member accounts, sorted by id.
    pub accounts: Vec<MemberAccount>,
    /// The SCPs of the snapshot (documents and attachments), sorted by name.
    pub attached: Vec<AttachedScp>,
    /// Why the organization's policies were not all read, if they were not.
    pub unread: Option<String>,
}

impl OrgTree {
    /// The tree of a snapshot.
    pub fn new(snapshot: &Snapshot) -> OrgTree {
        let org = &snapshot.organization;
        let mut targets = BTreeMap::new();
        targets.insert(
            org.root.id.clone(),
            Target {
                id: org.root.id.clone(),
                kind: TargetKind::Root,
                path: org.root.name.clone(),
                parent: None,
            },
        );
        for ou in &org.organizational_units {
            targets.insert(
                ou.id.clone(),
                Target {
                    id: ou.id.clone(),
                    kind: TargetKind::Ou,
                    path: String::new(),
                    parent: Some(ou.parent_id.clone()),
                },
            );
        }
        // OU paths: names from the root's child down, bounded by the OU count.
        let ou_ids: Vec<String> = org
            .organizational_units
            .iter()
            .map(|o| o.id.clone())
            .collect();
        for id in &ou_ids {
            let mut names = Vec::new();
            let mut current = Some(id.as_str());
            while let Some(ou) = current.and_then(|c| org.ou(c)) {
                names.push(ou.name.as_str());
                current = Some(ou.parent_id.as_str());
                if names.len() > ou_ids.len() {
                    break;
                }
            }
            names.reverse();
            if let Some(t) = targets.get_mut(id) {
                t.path = names.join("/");
            }
        }
        for account in &snapshot.accounts {
            targets.insert(
                account.id.clone(),
                Target {
                    id: account.id.clone(),
                    kind: TargetKind::Account,
                    path: account.name.clone(),
                    parent: Some(account.parent_id.clone()),
                },
            );
        }
        let mut tree = OrgTree {
            targets,
            root_id: org.root.id.clone(),
            management_account_id: org.management_account_id.clone(),
            accounts: Vec::new(),
            attached: Vec::new(),
            unread: snapshot.org_policies_gap().map(|g| {
                format!(
                    "the organization's policies were not all read: {}",
                    g.reason
                )
            }),
        };
        let mut accounts: Vec<MemberAccount> = snapshot
            .accounts
            .iter()
            .filter(|a| a.status == AccountStatus::Active && a.id != org.management_account_id)
            .map(|a| MemberAccount {
                id: a.id.clone(),
                name: a.name.clone(),
                levels: tree.levels(&a.id),
            })
            .collect();
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        tree.accounts = accounts;
        let mut attached: Vec<AttachedScp> = org
            .policies
            .iter()
            .filter(|p| p.kind == OrgPolicyKind::ServiceControlPolicy)
            .map(|p| AttachedScp {
                name: p.name.clone(),
                id: p.id.clone(),
                document: p.document.clone(),
                targets: p.targets.clone(),
            })
            .collect();
        attached.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        tree.attached = attached;
        tree
    }

    /// Target ids from the root down to `id` itself (the root alone for the root).
    pub fn levels(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = Some(id.to_owned());
        while let Some(c) = current {
            if out.len() > self.targets.len() {
                break;
            }
            current = self.targets.get(&c).and_then(|t| t.parent.clone());
            out.push(c);
        }
        out.reverse();
        out
    }

    /// Whether `ancestor` is `id` or above it.
    pub fn is_at_or_above(&self, ancestor: &str, id: &str) -> bool {
        self.levels(id).iter().any(|l| l == ancestor)
    }

    /// The member accounts at or below a target.
    pub fn accounts_under<'a>(
        &'a self,
        target: &'a str,
    ) -> impl Iterator<Item = &'a MemberAccount> {
        self.accounts
            .iter()
            .filter(move |a| a.levels.iter().any(|l| l == target))
    }

    /// The names by which a target may be named in `targets`: its id, its path, its last
    /// path element (OUs), `root` for the root.
    pub fn names(&self, target: &Target) -> Vec<String> {
        let mut names = vec![target.id.clone(), target.path.clone()];
        match target.kind {
            TargetKind::Root => names.push("root".to_owned()),
            TargetKind::Ou => {
                if let Some(last) = target.path.rsplit('/').next() {
                    names.push(last.to_owned());
                }
            }
            TargetKind::Account => {}
        }
        names
    }

    /// The targets named `name` (case-insensitively), by id, path, or an OU's own name.
    pub fn find(&self, name: &str) -> Vec<&Target> {
        self.targets
            .values()
            .filter(|t| self.names(t).iter().any(|n| n.eq_ignore_ascii_case(name)))
            .collect()
    }

    /// The SCPs attached to a target, by name.
    pub fn attached_to<'a>(&'a self, target: &str) -> impl Iterator<Item = &'a AttachedScp> + 'a {
        let target = target.to_owned();
        self.attached
            .iter()
            .filter(move |p| p.targets.contains(&target))
    }
}
