//! How a statement's `Principal` or `NotPrincipal` relates to the caller.
//!
//! `Principal` ("AWS JSON policy elements: Principal"): the caller is named itself (its
//! user, session, service or federated ARN, or `*`), by its role (for a role session), or
//! by its account, which then delegates to its identity-based policies.
//!
//! `NotPrincipal` ("AWS JSON policy elements: NotPrincipal"): a `Deny` applies to every
//! principal *except* those listed. Listing an account or a role does not spare the other
//! principals of that account or the other sessions of that role: the page's examples deny
//! "all principals except the user named Bob" with Bob's account listed too, and "all
//! principals except the assumed-role user named cross-account-audit-app" with its role and
//! account listed too, and a session cannot be named by wildcard. (Whether the account must
//! be listed *as well* for the named principal to be spared is service-dependent — AWS
//! "might" check the account first — and is not modelled: the named principal is spared.)
//! And a `Deny` with `NotPrincipal` "will always deny any IAM principal that has a
//! permissions boundary policy attached, regardless of the values specified in the
//! `NotPrincipal` element" ("Permissions boundaries for IAM entities").

use crate::document::{Effect, PrincipalMatch, Principals};

use super::Principal;

/// How a resource-based policy's `Principal` relates to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum PrincipalFit {
    /// Not named.
    No,
    /// The caller's account is named: the account must delegate through identity policies.
    Account,
    /// The caller is named by its role ARN (boundaries and session policies still limit).
    Role,
    /// The caller is named itself: `*`, its user ARN, its session ARN, a service or
    /// federated principal.
    Exact,
}

/// How a statement's `Principal`/`NotPrincipal` relates to the caller. Without either
/// element (identity policies, SCPs) the caller fits exactly. `has_boundary`: the caller is
/// an IAM user or role with a permissions boundary attached.
pub(super) fn principal_fit(
    element: Option<&PrincipalMatch>,
    effect: Effect,
    caller: &Principal,
    has_boundary: bool,
) -> PrincipalFit {
    match element {
        None => PrincipalFit::Exact,
        Some(PrincipalMatch::Principal(p)) => fit(p, caller),
        Some(PrincipalMatch::NotPrincipal(_)) if effect == Effect::Deny && has_boundary => {
            PrincipalFit::Exact
        }
        Some(PrincipalMatch::NotPrincipal(p)) => {
            if listed(p, caller) {
                PrincipalFit::No
            } else {
                PrincipalFit::Exact
            }
        }
    }
}

/// Whether `NotPrincipal` lists the caller itself: its own ARN or name (a role ARN when the
/// caller is given as the role), or its account when the caller is the account.
fn listed(p: &Principals, caller: &Principal) -> bool {
    let arn = caller.arn.as_str();
    let named = |list: &[String]| list.iter().any(|x| x == arn);
    p.any
        || named(&p.aws)
        || named(&p.service)
        || named(&p.federated)
        || named(&p.canonical_user)
        || (is_account(arn, &caller.account)
            && p.aws.iter().any(|e| is_account(e, &caller.account)))
}

fn fit(p: &Principals, caller: &Principal) -> PrincipalFit {
    if p.any {
        return PrincipalFit::Exact;
    }
    let arn = caller.arn.as_str();
    let named = |list: &[String]| list.iter().any(|x| x == arn);
    if named(&p.service) || named(&p.federated) || named(&p.canonical_user) {
        return PrincipalFit::Exact;
    }
    let mut best = PrincipalFit::No;
    for entry in &p.aws {
        let this = if entry == arn {
            // A role ARN naming the role itself (caller given as the role) is the role.
            if arn.contains(":role/") {
                PrincipalFit::Role
            } else {
                PrincipalFit::Exact
            }
        } else if is_account(entry, &caller.account) {
            PrincipalFit::Account
        } else if session_of_role(arn, entry) {
            PrincipalFit::Role
        } else {
            PrincipalFit::No
        };
        best = best.max(this);
    }
    best
}

/// `111122223333` or `arn:aws:iam::111122223333:root` for the caller's account.
fn is_account(entry: &str, account: &str) -> bool {
    !account.is_empty()
        && (entry == account
            || entry
                .strip_prefix("arn:")
                .and_then(|rest| rest.split_once(":iam::"))
                .is_some_and(|(_, rest)| {
                    rest.strip_prefix(account)
                        .is_some_and(|tail| tail == ":root")
                }))
}

/// Whether `caller` (`arn:aws:sts::A:assumed-role/NAME/SESSION`) is a session of the role
/// `role` (`arn:aws:iam::A:role/PATH/NAME`).
fn session_of_role(caller: &str, role: &str) -> bool {
    let Some((prefix, rest)) = caller.split_once(":assumed-role/") else {
        return false;
    };
    let Some((role_name, _session)) = rest.rsplit_once('/') else {
        return false;
    };
    let account = prefix
        .rsplit(':')
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let partition = prefix.split(':').nth(1).unwrap_or("aws");
    let Some(role_rest) = role
        .strip_prefix("arn:")
        .and_then(|r| r.strip_prefix(partition))
        .and_then(|r| r.strip_prefix(":iam::"))
        .and_then(|r| r.strip_prefix(account))
        .and_then(|r| r.strip_prefix(":role/"))
    else {
        return false;
    };
    role_rest.rsplit('/').next() == Some(role_name)
}

/// Whether `arn` is an IAM role (`arn:PARTITION:iam::ACCOUNT:role/…`).
pub(super) fn is_role_arn(arn: &str) -> bool {
    arn.starts_with("arn:")
        && arn.split_once(":iam::").is_some_and(|(_, rest)| {
            rest.split_once(':')
                .is_some_and(|(_, r)| r.starts_with("role/"))
        })
}

/// Whether `arn` is a service-linked role: IAM gives every one the path `/aws-service-role/`
/// ("Using service-linked roles").
pub(super) fn is_service_linked_role_arn(arn: &str) -> bool {
    is_role_arn(arn) && arn.contains(":role/aws-service-role/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_entries_are_the_id_or_the_root_arn() {
        assert!(is_account("111122223333", "111122223333"));
        assert!(is_account("arn:aws:iam::111122223333:root", "111122223333"));
        assert!(!is_account(
            "arn:aws:iam::111122223333:user/root",
            "111122223333"
        ));
        assert!(!is_account("arn:aws:iam::111122223333:root", ""));
    }

    #[test]
    fn sessions_belong_to_their_role_whatever_its_path() {
        let session = "arn:aws:sts::111122223333:assumed-role/app/s-1";
        assert!(session_of_role(
            session,
            "arn:aws:iam::111122223333:role/app"
        ));
        assert!(session_of_role(
            session,
            "arn:aws:iam::111122223333:role/team/app"
        ));
        assert!(!session_of_role(
            session,
            "arn:aws:iam::444455556666:role/app"
        ));
        assert!(!session_of_role(
            session,
            "arn:aws:iam::111122223333:role/other"
        ));
    }

    #[test]
    fn service_linked_roles_are_known_by_their_path() {
        assert!(is_service_linked_role_arn(
            "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
        ));
        assert!(!is_service_linked_role_arn(
            "arn:aws:iam::111122223333:role/app"
        ));
        assert!(is_role_arn("arn:aws-cn:iam::111122223333:role/app"));
        assert!(!is_role_arn("arn:aws:iam::111122223333:user/app"));
    }
}
