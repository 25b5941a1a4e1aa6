//! Account-wide settings: the alternate contacts (Account Management), the account-level S3
//! Block Public Access (S3 Control) and the IAM credential report.

use rampart_model::{
    AlternateContact, CredentialReport, CredentialReportRow, Operation, PublicAccessBlock,
};
use serde_json::{json, Value};

use crate::calls::{Failure, FailureKind};
use crate::ec2_query::xml;
use crate::rest::{Request, RestClient, ACCOUNT, S3_CONTROL};
use crate::session::{Scope, Session};

/// The contact types rampart reads, in this order.
pub(crate) const CONTACT_TYPES: [&str; 3] = ["SECURITY", "OPERATIONS", "BILLING"];

/// The alternate contacts that are set; none when one of them could not be read (a gap
/// on the operation then says why).
pub(crate) async fn alternate_contacts(
    session: &Session,
    scope: Scope<'_>,
) -> Option<Vec<AlternateContact>> {
    let client = RestClient::of(&ACCOUNT, session, scope.region);
    let op = Operation::AccountGetAlternateContact;
    let mut set = Vec::new();
    for kind in CONTACT_TYPES {
        let request = Request::post(
            "/getAlternateContact",
            &json!({"AlternateContactType": kind}),
        );
        match client.json(op, request).await {
            Ok(out) => {
                let c = out.get("AlternateContact").unwrap_or(&Value::Null);
                let text = |k: &str| {
                    c.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                set.push(AlternateContact {
                    contact_type: kind.to_owned(),
                    name: text("Name"),
                    email_address: text("EmailAddress"),
                });
            }
            // Not set.
            Err(f) if f.is("ResourceNotFoundException") => {}
            Err(f) => {
                scope.operation_gap(op, None, &f);
                return None;
            }
        }
    }
    Some(set)
}

/// The account's S3 Block Public Access; "nothing blocked" when none is configured.
pub(crate) async fn account_public_access_block(
    session: &Session,
    scope: Scope<'_>,
) -> Option<PublicAccessBlock> {
    let client = RestClient::of(&S3_CONTROL, session, &session.home_region());
    let op = Operation::S3GetAccountPublicAccessBlock;
    let request = Request::get("/v20180820/configuration/publicAccessBlock")
        .header("x-amz-account-id", scope.account_id);
    let read = match client.call(op, request).await {
        Ok(body) => parse_public_access_block(&body),
        Err(f) if f.is("NoSuchPublicAccessBlockConfiguration") => Ok(PublicAccessBlock {
            block_public_acls: false,
            ignore_public_acls: false,
            block_public_policy: false,
            restrict_public_buckets: false,
        }),
        Err(f) => Err(f),
    };
    match read {
        Ok(block) => Some(block),
        Err(f) => {
            scope.operation_gap(op, None, &f);
            None
        }
    }
}

/// `<PublicAccessBlockConfiguration>`: an absent setting is off.
pub(crate) fn parse_public_access_block(body: &[u8]) -> Result<PublicAccessBlock, Failure> {
    let unreadable = |e: String| crate::rest::unreadable(&e);
    let text = std::str::from_utf8(body).map_err(|e| unreadable(e.to_string()))?;
    let root = xml::parse(text).map_err(|e| unreadable(e.0))?;
    if root.name != "PublicAccessBlockConfiguration" {
        return Err(unreadable(format!(
            "expected PublicAccessBlockConfiguration, got {}",
            root.name
        )));
    }
    let flag = |name: &str| {
        root.boolean(name)
            .map(Option::unwrap_or_default)
            .map_err(|e| unreadable(e.0))
    };
    Ok(PublicAccessBlock {
        block_public_acls: flag("BlockPublicAcls")?,
        ignore_public_acls: flag("IgnorePublicAcls")?,
        block_public_policy: flag("BlockPublicPolicy")?,
        restrict_public_buckets: flag("RestrictPublicBuckets")?,
    })
}

/// The credential report as last generated. rampart never generates one (that is not a
/// read): a missing or expired report is a gap that says how to make one.
pub(crate) async fn credential_report(
    iam: &aws_sdk_iam::Client,
    scope: Scope<'_>,
) -> Option<CredentialReport> {
    let op = Operation::IamGetCredentialReport;
    let read = match iam.get_credential_report().send().await {
        Ok(out) => {
            let generated = out
                .generated_time()
                .and_then(crate::util::utc)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default();
            let content = out
                .content()
                .map(|b| b.as_ref().to_vec())
                .unwrap_or_default();
            parse_credential_report(&content, generated)
        }
        Err(e) => {
            let mut f = Failure::of(&e);
            if ["ReportNotPresent", "ReportExpired", "ReportInProgress"]
                .iter()
                .any(|c| f.is(c))
            {
                f.reason = format!(
                    "{}; rampart only reads the last report: run `aws iam generate-credential-report` in the account",
                    f.reason
                );
            }
            Err(f)
        }
    };
    match read {
        Ok(report) => Some(report),
        Err(f) => {
            scope.operation_gap(op, None, &f);
            None
        }
    }
}

/// Parses the report's CSV (columns found by name, so that added columns do not matter).
pub(crate) fn parse_credential_report(
    content: &[u8],
    generated_at: String,
) -> Result<CredentialReport, Failure> {
    let bad = |reason: String| Failure {
        code: None,
        kind: FailureKind::Other,
        reason: format!("unreadable credential report: {reason}"),
    };
    let text = std::str::from_utf8(content).map_err(|e| bad(e.to_string()))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| bad("empty".to_owned()))?
        .split(',')
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| bad(format!("no `{name}` column")))
    };
    let user = column("user")?;
    let arn = column("arn")?;
    let password_enabled = column("password_enabled")?;
    let password_last_used = column("password_last_used")?;
    let mfa = column("mfa_active")?;
    let key1 = column("access_key_1_active")?;
    let key1_used = column("access_key_1_last_used_date")?;
    let key2 = column("access_key_2_active")?;
    let key2_used = column("access_key_2_last_used_date")?;
    let cert1 = column("cert_1_active")?;
    let cert2 = column("cert_2_active")?;
    let mut report = CredentialReport {
        generated_at,
        root: None,
        users: Vec::new(),
    };
    for (n, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != header.len() {
            return Err(bad(format!(
                "row {} has {} cells, the header {}",
                n + 2,
                cells.len(),
                header.len()
            )));
        }
        let yes = |i: usize| cells[i] == "true";
        let date = |i: usize| {
            let v = cells[i];
            (!matches!(v, "N/A" | "no_information" | "not_supported" | "")).then(|| v.to_owned())
        };
        let active_keys = u8::from(yes(key1)) + u8::from(yes(key2));
        let key_used = match (
            yes(key1).then(|| date(key1_used)).flatten(),
            yes(key2).then(|| date(key2_used)).flatten(),
        ) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let row = CredentialReportRow {
            user: cells[user].to_owned(),
            arn: cells[arn].to_owned(),
            password_enabled: match cells[password_enabled] {
                "not_supported" => None,
                v => Some(v == "true"),
            },
            password_last_used: date(password_last_used),
            mfa_active: yes(mfa),
            active_access_keys: active_keys,
            access_key_last_used: key_used,
            active_signing_certificates: u8::from(yes(cert1)) + u8::from(yes(cert2)),
        };
        if row.user == "<root_account>" {
            report.root = Some(row);
        } else {
            report.users.push(row);
        }
    }
    report.users.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2024-05-01T10:00:00+00:00,not_supported,not_supported,false,true,2020-01-01T00:00:00+00:00,2024-04-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
ci,arn:aws:iam::111122223333:user/ci,2021-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2021-01-01T00:00:00+00:00,2024-06-01T00:00:00+00:00,eu-west-1,s3,true,2022-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,true,2022-01-01T00:00:00+00:00
alice,arn:aws:iam::111122223333:user/alice,2021-01-01T00:00:00+00:00,true,no_information,2021-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";

    #[test]
    fn the_report_is_read_by_column_name_with_the_root_apart() {
        let r = parse_credential_report(REPORT.as_bytes(), "2026-12-01T00:00:00Z".to_owned())
            .expect("parses");
        let root = r.root.expect("root row");
        assert_eq!(root.password_enabled, None, "not_supported");
        assert_eq!(root.active_access_keys, 1);
        assert!(!root.mfa_active);
        assert_eq!(
            root.access_key_last_used.as_deref(),
            Some("2024-04-01T00:00:00+00:00")
        );
        assert_eq!(r.users.len(), 2);
        // Sorted by ARN.
        assert_eq!(r.users[0].user, "alice");
        assert_eq!(r.users[0].password_enabled, Some(true));
        assert_eq!(r.users[0].password_last_used, None, "no_information");
        let ci = &r.users[1];
        assert_eq!(ci.active_access_keys, 2);
        assert_eq!(ci.active_signing_certificates, 1);
        // The second key was never used: the first key's date.
        assert_eq!(
            ci.access_key_last_used.as_deref(),
            Some("2024-06-01T00:00:00+00:00")
        );
    }

    #[test]
    fn a_malformed_report_is_an_error() {
        assert!(parse_credential_report(b"", String::new()).is_err());
        assert!(parse_credential_report(b"user,arn\nx,y\n", String::new()).is_err());
        let short = REPORT.replace(",false,N/A,false,N/A\nci", "\nci");
        assert!(parse_credential_report(short.as_bytes(), String::new()).is_err());
    }

    #[test]
    fn public_access_block_settings_are_read_and_absent_ones_are_off() {
        let b = parse_public_access_block(
            br#"<?xml version="1.0" encoding="UTF-8"?><PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy></PublicAccessBlockConfiguration>"#,
        )
        .expect("parses");
        assert!(b.block_public_acls && b.ignore_public_acls);
        assert!(!b.block_public_policy && !b.restrict_public_buckets);
        assert!(parse_public_access_block(b"<Other/>").is_err());
        assert!(parse_public_access_block(
            b"<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>"
        )
        .is_err());
    }
}
